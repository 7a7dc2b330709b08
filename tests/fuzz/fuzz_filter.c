// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the filter language: any bytes as -F text must
 * parse or fail with a message, and whatever parses must compile, print
 * and match without a sanitizer report. Asserted besides: the error
 * message is what the header promises (one line, hostile bytes escaped);
 * every compiled program passes the kernel's audit (kernel_bc.c, the
 * kernel's code re-implemented); and on a fixed spread of records the
 * kernel running the program selects exactly what filter_match() does when
 * filter_bytecode() says it is exact, and a superset otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "filter.h"
#include "fuzz.h"
#include "kernel_bc.h"

#define NRECS 96

/* Records spread over the values filters name: loopback, private and
 * v4-mapped addresses, ports at the usual boundaries, a few interfaces,
 * marks and cgroups. Deterministic (an LCG), built once. */
static const struct sock_rec *records(void)
{
	static const char *const v4[] = {"127.0.0.1", "10.1.2.3", "0.0.0.0",
					 "10.255.255.255", "192.168.0.1"};
	static const char *const v6[] = {
	    "::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
	    "::",  "fe80::1"};
	static const uint16_t ports[] = {0,    1,    22,    80,	   443,
					 1023, 1024, 32768, 60999, 65535};
	static const uint32_t marks[] = {0, 0x10, 0x1f, 0xffffffff};
	static struct sock_rec r[NRECS];
	static bool ready;
	uint32_t x = 12345;

	for (size_t i = 0; i < NRECS && !ready; i++) {
		uint32_t k[6];

		for (int j = 0; j < 6; j++) {
			x = x * 1103515245u + 12345u;
			k[j] = x >> 16;
		}
		r[i].family = i % 2 ? AF_INET6 : AF_INET;
		if (r[i].family == AF_INET) {
			inet_pton(AF_INET, v4[k[0] % 5], r[i].saddr);
			inet_pton(AF_INET, v4[k[1] % 5], r[i].daddr);
		} else {
			inet_pton(AF_INET6, v6[k[0] % 6], r[i].saddr);
			inet_pton(AF_INET6, v6[k[1] % 6], r[i].daddr);
		}
		r[i].sport = ports[k[2] % 10];
		r[i].dport = ports[k[3] % 10];
		r[i].ifindex = k[4] % 3;
		r[i].mark = marks[k[5] % 4];
		r[i].cgroup_id = k[4] % 5;
		r[i].has_mark = true;
		r[i].has_cgroup = true;
	}
	ready = true;
	return r;
}

/* The kernel's audit and selection against the userspace matcher. */
static void check_program(const struct filter *f, uint8_t family,
			  const void *bc, size_t len, bool exact)
{
	const struct sock_rec *r = records();

	FUZZ_ASSERT(bc || len == 0);
	FUZZ_ASSERT(!bc || (len <= 0xffff && kbc_audit(bc, (int)len) == 0));
	for (size_t i = 0; i < NRECS; i++) {
		struct kbc_entry e;
		bool user, kernel;

		if (r[i].family != family) {
			continue;
		}
		e = kbc_entry_of(f, &r[i]);
		user = filter_match(f, &r[i]);
		kernel = !bc || kbc_run(bc, (int)len, &e);
		FUZZ_ASSERT(exact ? user == kernel : !user || kernel);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t families[] = {AF_INET, AF_INET6};
	struct filter_error err = {0};
	struct sock_rec rec = {.family = AF_INET6, .sport = 22};
	struct filter *f;
	char buf[256];
	int ret;

	ret = filter_parse_text(0, NULL, (const char *)data, size, &f, &err);
	if (ret) {
		FUZZ_ASSERT(ret == -EINVAL);
		FUZZ_ASSERT(memchr(err.msg, '\0', sizeof(err.msg)));
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(plain_text(err.msg, strlen(err.msg), false));
		return 0;
	}
	for (size_t i = 0; i < sizeof(families); i++) {
		void *bc;
		size_t len;
		bool exact;

		FUZZ_ASSERT(
		    filter_bytecode(f, families[i], 0, &bc, &len, &exact) == 0);
		check_program(f, families[i], bc, len, exact);
		free(bc);
		FUZZ_ASSERT(filter_bytecode(f, families[i], FILTER_BC_NO_MARK,
					    &bc, &len, &exact) == 0);
		check_program(f, families[i], bc, len, exact);
		free(bc);
	}
	filter_print(f, buf, sizeof(buf));
	FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)));
	(void)filter_match(f, &rec);
	filter_destroy(f);
	return 0;
}

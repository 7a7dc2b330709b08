// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the filter language: any bytes as -F text must
 * parse or fail with a message, and whatever parses must compile, print
 * and match without a sanitizer report. Asserted besides: the error
 * message is what the header promises (one line, hostile bytes escaped);
 * every compiled program passes the kernel's audit (kernel_bc.c, the
 * kernel's code re-implemented); and on a fixed spread of records the
 * kernel running the program selects exactly what filter_match() does when
 * filter_bytecode() says it is exact, and a superset otherwise, the owner
 * predicates (uid, pid, comm) matched against a fixed owner map. The note
 * on an and/or mix is one plain line, and its reading parses back into the
 * same tree, with no note.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "fuzz.h"
#include "kernel_bc.h"
#include "proc.h"

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
		r[i].uid = (uint32_t[]){0, 1000, 65534}[k[5] % 3];
		r[i].inode = k[2] % 5; /* 0: TIME_WAIT-like, 4: no owner */
	}
	ready = true;
	return r;
}

/* A /proc tree built once in a temporary directory, read into a map and
 * removed: pid 7 "nginx" holds sockets 1 and 2, pid 1234 "a*[b x" socket
 * 2 and 3. */
static const struct proc_map *owners(void)
{
	static const char *const tree[][2] = {
	    {"proc", NULL},
	    {"proc/7", NULL},
	    {"proc/7/fd", NULL},
	    {"proc/7/comm", "nginx\n"},
	    {"proc/7/fd/3", "socket:[1]"},
	    {"proc/7/fd/4", "socket:[2]"},
	    {"proc/1234", NULL},
	    {"proc/1234/fd", NULL},
	    {"proc/1234/comm", "a*[b x\n"},
	    {"proc/1234/fd/0", "socket:[2]"},
	    {"proc/1234/fd/1", "socket:[3]"},
	};
	static struct proc_map *m;
	char root[] = "/tmp/sockscope-fuzz-XXXXXX", p[128];
	size_t n = sizeof(tree) / sizeof(tree[0]);

	if (m) {
		return m;
	}
	FUZZ_ASSERT(mkdtemp(root));
	for (size_t i = 0; i < n; i++) {
		bool dir = !tree[i][1],
		     link = !dir && strstr(tree[i][0], "/fd/");
		FILE *fp;

		snprintf(p, sizeof(p), "%s/%s", root, tree[i][0]);
		if (dir) {
			FUZZ_ASSERT(mkdir(p, 0700) == 0);
		} else if (link) {
			FUZZ_ASSERT(symlink(tree[i][1], p) == 0);
		} else {
			fp = fopen(p, "w");
			FUZZ_ASSERT(fp && fputs(tree[i][1], fp) >= 0);
			fclose(fp);
		}
	}
	FUZZ_ASSERT(proc_map_build(root, &m) == 0 && proc_map_size(m) == 4);
	for (size_t i = n; i-- > 0;) {
		snprintf(p, sizeof(p), "%s/%s", root, tree[i][0]);
		FUZZ_ASSERT(remove(p) == 0);
	}
	FUZZ_ASSERT(rmdir(root) == 0);
	return m;
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
		user = filter_match_owners(f, &r[i], owners());
		kernel = !bc || kbc_run(bc, (int)len, &e);
		FUZZ_ASSERT(exact ? user == kernel : !user || kernel);
		/* Without pid or comm the map changes nothing. */
		FUZZ_ASSERT(filter_needs_owners(f) ||
			    user == filter_match(f, &r[i]));
	}
}

/* The note is one plain line; its reading, when shown whole and
 * unescaped, is the same tree and mixes nothing ss would read otherwise. */
static void check_note(const struct filter *f, const char *ast)
{
	static const char as[] = "; sockscope reads it as '";
	const char *note = filter_note(f), *reading;
	struct filter_error err = {0};
	struct filter *g;
	char *text, buf[256];
	size_t n;

	if (!note) {
		return;
	}
	FUZZ_ASSERT(plain_text(note, strlen(note), false));
	reading = strstr(note, as);
	FUZZ_ASSERT(reading);
	reading += sizeof(as) - 1;
	/* A token holding the marker: the first one found may be it. */
	n = strlen(reading);
	FUZZ_ASSERT(n > 0 && reading[n - 1] == '\'');
	if (strchr(note, '\\') || strstr(note, "...") || strstr(reading, as)) {
		return; /* escaped, cut, or a token that looks like the note */
	}
	text = fuzz_text((const uint8_t *)reading, n - 1);
	FUZZ_ASSERT(filter_parse_text(0, NULL, text, n - 1, &g, &err) == 0);
	filter_print(g, buf, sizeof(buf));
	FUZZ_ASSERT(!strcmp(buf, ast));
	FUZZ_ASSERT(!filter_note(g));
	filter_destroy(g);
	free(text);
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
	check_note(f, buf);
	(void)filter_match(f, &rec);
	filter_destroy(f);
	return 0;
}

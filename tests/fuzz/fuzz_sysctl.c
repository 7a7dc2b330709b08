// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the sysctl parsers: any bytes as
 * ip_local_reserved_ports (sysctl_parse_ranges), as a multi-integer file
 * (sysctl_parse_ints), as osrelease (sysctl_parse_kver) and as a
 * sysctl.conf (sysctl_conf_scan, with fixed keys and with the text's own
 * first line as the key). Besides no sanitizer report: accepted ranges are
 * ordered and within the array, a conf hit names a line that exists and
 * its value is a terminated string inside the caller's buffer.
 */
#include <errno.h>

#include "fuzz.h"
#include "sysctl.h"

static unsigned int count_lines(const char *text)
{
	unsigned int n = *text ? 1 : 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n' && p[1]) {
			n++;
		}
	}
	return n;
}

static void scan(const char *text, const char *key)
{
	char value[32];
	unsigned int line;

	memset(value, 'X', sizeof(value));
	line = sysctl_conf_scan(text, key, value, sizeof(value));
	FUZZ_ASSERT(line <= count_lines(text));
	if (line) {
		FUZZ_ASSERT(memchr(value, '\0', sizeof(value)));
	}
}

static void ranges(const char *text)
{
	struct port_ranges r;

	if (sysctl_parse_ranges(text, &r)) {
		return;
	}
	FUZZ_ASSERT(r.n <= PORT_RANGES_MAX);
	for (unsigned int i = 0; i < r.n; i++) {
		FUZZ_ASSERT(r.r[i].lo <= r.r[i].hi);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char key[64];
	const char *nl = strchr(text, '\n');
	size_t klen = nl ? (size_t)(nl - text) : strlen(text);
	int64_t v[3];
	struct kver k;
	int err;

	ranges(text);
	for (unsigned int n = 1; n <= 3; n++) {
		err = sysctl_parse_ints(text, v, n);
		FUZZ_ASSERT(err == 0 || err == -EBADMSG);
	}
	err = sysctl_parse_kver(text, &k);
	FUZZ_ASSERT(err == 0 || err == -EBADMSG);

	scan(text, "net.ipv4.tcp_tw_recycle");
	scan(text, "net/ipv4/tcp_tw_reuse");
	klen = klen < sizeof(key) - 1 ? klen : sizeof(key) - 1;
	memcpy(key, text, klen);
	key[klen] = '\0';
	scan(text, key);

	free(text);
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the /proc/net readers: any bytes as the text of
 * /proc/net/netstat + snmp (procnet_parse_counters) and as sockstat
 * (procnet_parse_sockstat). Besides no sanitizer report: a parse that
 * fails leaves its struct exactly as it was (the header's promise), and
 * only known counters are marked present.
 */
#include <errno.h>

#include "fuzz.h"
#include "procnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct counters c, before;
	struct sockstat s, sbefore;
	int err;

	/* Start from non-empty structs: parsers add to what they hold. */
	memset(&c, 0, sizeof(c));
	c.v[CTR_ACTIVE_OPENS] = 7;
	c.have = 1u << CTR_ACTIVE_OPENS;
	before = c;
	err = procnet_parse_counters(text, &c);
	FUZZ_ASSERT(err == 0 || err == -EBADMSG);
	FUZZ_ASSERT(!err || memcmp(&c, &before, sizeof(c)) == 0);
	FUZZ_ASSERT((c.have & ~((1u << CTR_MAX) - 1)) == 0);

	memset(&s, 0, sizeof(s));
	s.tcp_inuse = 3;
	s.have_tcp = true;
	sbefore = s;
	err = procnet_parse_sockstat(text, &s);
	FUZZ_ASSERT(err == 0 || err == -EBADMSG);
	FUZZ_ASSERT(!err || memcmp(&s, &sbefore, sizeof(s)) == 0);

	free(text);
	return 0;
}

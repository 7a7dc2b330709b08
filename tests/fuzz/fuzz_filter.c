// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the filter language: any bytes as -F text must
 * parse or fail with a message, and whatever parses must compile, print
 * and match without a sanitizer report. The error message is asserted to
 * be what the header promises: one line, hostile bytes escaped.
 */
#include <errno.h>
#include <sys/socket.h>

#include "filter.h"
#include "fuzz.h"

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

		filter_bytecode(f, families[i], 0, &bc, &len, &exact);
		free(bc);
		filter_bytecode(f, families[i], FILTER_BC_NO_MARK, &bc, &len,
				&exact);
		free(bc);
	}
	filter_print(f, buf, sizeof(buf));
	FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)));
	(void)filter_match(f, &rec);
	filter_destroy(f);
	return 0;
}

/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point, which
 * the plain-main driver (standalone.c) calls too, and the checks a target
 * uses to turn a broken output property into a crash.
 *
 * FUZZ_ASSERT aborts: libFuzzer saves the input as a crash artifact and the
 * corpus test fails, exactly as for a sanitizer report.
 */
#ifndef SOCKSCOPE_FUZZ_H
#define SOCKSCOPE_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: output property broken: %s\n", \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* data as a NUL-terminated string (malloc'ed; embedded NULs stay). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s) {
		abort();
	}
	if (size) {
		memcpy(s, data, size);
	}
	s[size] = '\0';
	return s;
}

/*
 * json_check.c: s[0..n) is exactly one JSON value (RFC 8259), optionally
 * surrounded by whitespace, with every string valid UTF-8.
 */
bool json_valid(const char *s, size_t n);
/* s[0..n) is a JSON string literal, quotes included, and nothing else. */
bool json_string_valid(const char *s, size_t n);
/* Text a terminal shows as is: printable ASCII, '\n' where nl is true. */
bool plain_text(const char *s, size_t n, bool nl);

#endif

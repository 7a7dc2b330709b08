// SPDX-License-Identifier: MIT
/*
 * A strict JSON validator for the fuzz targets: sockscope's JSON output of
 * hostile records and names must still be one valid document. Recursive
 * descent over a bounded depth; no allocation.
 */
#include "fuzz.h"

#define MAX_DEPTH 32

struct cur {
	const unsigned char *p, *end;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r')) {
		c->p++;
	}
}

static bool take(struct cur *c, char ch)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == (unsigned char)ch) {
		c->p++;
		return true;
	}
	return false;
}

/* One UTF-8 sequence at c->p (RFC 3629: no overlongs, no surrogates). */
static bool utf8(struct cur *c)
{
	unsigned char b = *c->p;
	size_t len = b < 0x80	? 1
		     : b < 0xc2 ? 0
		     : b < 0xe0 ? 2
		     : b < 0xf0 ? 3
		     : b < 0xf5 ? 4
				: 0;
	uint32_t v;

	if (len == 0 || (size_t)(c->end - c->p) < len) {
		return false;
	}
	v = b & (0x7f >> (len == 1 ? 0 : len));
	for (size_t i = 1; i < len; i++) {
		if ((c->p[i] & 0xc0) != 0x80) {
			return false;
		}
		v = v << 6 | (c->p[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
		return false;
	}
	c->p += len;
	return true;
}

static bool escape(struct cur *c)
{
	if (c->p >= c->end) {
		return false;
	}
	if (strchr("\"\\/bfnrt", *c->p) && *c->p) {
		c->p++;
		return true;
	}
	if (*c->p != 'u' || c->end - c->p < 5) {
		return false;
	}
	for (int i = 1; i <= 4; i++) {
		if (!strchr("0123456789abcdefABCDEF", c->p[i]) || !c->p[i]) {
			return false;
		}
	}
	c->p += 5;
	return true;
}

static bool string(struct cur *c)
{
	if (!take(c, '"')) {
		return false;
	}
	while (c->p < c->end) {
		unsigned char b = *c->p;

		if (b == '"') {
			c->p++;
			return true;
		}
		if (b < 0x20) {
			return false;
		}
		if (b == '\\') {
			c->p++;
			if (!escape(c)) {
				return false;
			}
		} else if (!utf8(c)) {
			return false;
		}
	}
	return false;
}

static bool digits(struct cur *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		c->p++;
	}
	return c->p > start;
}

static bool number(struct cur *c)
{
	if (c->p < c->end && *c->p == '-') {
		c->p++;
	}
	if (c->p < c->end && *c->p == '0') {
		c->p++;
	} else if (!digits(c)) {
		return false;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c)) {
			return false;
		}
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
			c->p++;
		}
		return digits(c);
	}
	return true;
}

static bool word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n)) {
		return false;
	}
	c->p += n;
	return true;
}

static bool value(struct cur *c, int depth);

/* Members or elements up to the closing bracket; the opener is taken. */
static bool items(struct cur *c, int depth, char close, bool keyed)
{
	if (take(c, close)) {
		return true;
	}
	do {
		if (keyed && !(string(c) && take(c, ':'))) {
			return false;
		}
		if (!value(c, depth + 1)) {
			return false;
		}
	} while (take(c, ','));
	return take(c, close);
}

static bool value(struct cur *c, int depth)
{
	if (depth > MAX_DEPTH) {
		return false;
	}
	skip_ws(c);
	if (c->p >= c->end) {
		return false;
	}
	switch (*c->p) {
	case '{':
		c->p++;
		return items(c, depth, '}', true);
	case '[':
		c->p++;
		return items(c, depth, ']', false);
	case '"':
		return string(c);
	case 't':
		return word(c, "true");
	case 'f':
		return word(c, "false");
	case 'n':
		return word(c, "null");
	default:
		return number(c);
	}
}

bool json_valid(const char *s, size_t n)
{
	struct cur c = {(const unsigned char *)s, (const unsigned char *)s + n};

	if (!value(&c, 0)) {
		return false;
	}
	skip_ws(&c);
	return c.p == c.end;
}

bool json_string_valid(const char *s, size_t n)
{
	struct cur c = {(const unsigned char *)s, (const unsigned char *)s + n};

	return n > 0 && s[0] == '"' && string(&c) && c.p == c.end;
}

bool plain_text(const char *s, size_t n, bool nl)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if ((b < 0x20 || b >= 0x7f) && !(nl && b == '\n')) {
			return false;
		}
	}
	return true;
}

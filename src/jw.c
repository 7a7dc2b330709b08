// SPDX-License-Identifier: MIT
#include "jw.h"

#include <math.h>
#include <string.h>

/* Separator and key before a value; opens nothing. */
static void member(struct jw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth - 1]) {
			obuf_putc(w->ob, ',');
		}
		w->first[w->depth - 1] = false;
	}
	if (key) {
		obuf_json_string(w->ob, key, strlen(key));
		obuf_putc(w->ob, ':');
	}
}

static void open_level(struct jw *w, const char *key, char bracket)
{
	member(w, key);
	obuf_putc(w->ob, bracket);
	if (w->depth < JW_DEPTH) {
		w->close[w->depth] = bracket == '{' ? '}' : ']';
		w->first[w->depth++] = true;
	}
}

void jw_init(struct jw *w, struct obuf *ob)
{
	memset(w, 0, sizeof(*w));
	w->ob = ob;
}

void jw_object(struct jw *w, const char *key)
{
	open_level(w, key, '{');
}

void jw_array(struct jw *w, const char *key)
{
	open_level(w, key, '[');
}

void jw_end(struct jw *w)
{
	if (w->depth > 0) {
		obuf_putc(w->ob, w->close[--w->depth]);
	}
}

void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	member(w, key);
	obuf_u64(w->ob, v);
}

void jw_i64(struct jw *w, const char *key, int64_t v)
{
	member(w, key);
	obuf_printf(w->ob, "%lld", (long long)v);
}

void jw_double(struct jw *w, const char *key, double v)
{
	member(w, key);
	/* JSON has no NaN or infinity. */
	if (!isfinite(v)) {
		obuf_puts(w->ob, "null");
	} else if (v == (double)(int64_t)v && fabs(v) < 1e15) {
		obuf_printf(w->ob, "%lld", (long long)v);
	} else {
		obuf_printf(w->ob, "%.6g", v);
	}
}

void jw_string(struct jw *w, const char *key, const char *s)
{
	member(w, key);
	obuf_json_string(w->ob, s, strlen(s));
}

void jw_string_n(struct jw *w, const char *key, const char *s, size_t n)
{
	member(w, key);
	obuf_json_string(w->ob, s, n);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	member(w, key);
	obuf_puts(w->ob, v ? "true" : "false");
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	obuf_puts(w->ob, "null");
}

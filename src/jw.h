/*
 * jw.h - a small JSON writer over struct obuf for nested reports (summary,
 * advise): it tracks commas and nesting so callers only say what to write.
 * Strings go through obuf_json_string (always valid JSON and UTF-8).
 * Nesting deeper than JW_DEPTH is a programming error (ignored).
 */
#ifndef SOCKSCOPE_JW_H
#define SOCKSCOPE_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JW_DEPTH 16

struct jw {
	struct obuf *ob;
	int depth;
	bool first[JW_DEPTH];
	char close[JW_DEPTH];
};

/* Caller's storage. key is NULL inside arrays and at the top level. */
void jw_init(struct jw *w, struct obuf *ob);
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_double(struct jw *w, const char *key, double v);
void jw_string(struct jw *w, const char *key, const char *s);
/* n bytes of s, NULs included (an abstract UNIX name). */
void jw_string_n(struct jw *w, const char *key, const char *s, size_t n);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);

#endif

/*
 * util.h - allocation wrappers, the output buffer, and escaping.
 *
 * x*alloc() never return NULL: on exhaustion they print one line and exit(1)
 * (the only exit outside main.c, as a process out of memory cannot unwind).
 *
 * struct obuf batches output for one file descriptor. Writers never fail on
 * their own; the first write error is latched in ob->err (-errno) and every
 * later write is dropped, so callers check once, at the end or per batch.
 */
#ifndef SOCKSCOPE_UTIL_H
#define SOCKSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Print "sockscope: " + message + newline on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct obuf {
	char *buf;
	size_t len;
	size_t cap;
	int fd;
	int err; /* first write error as -errno, 0 if none */
};

/* Caller's storage; the buffer itself is allocated here. */
void obuf_init(struct obuf *ob, int fd, size_t cap);
/* Flushes, then frees the buffer. Returns ob->err. */
int obuf_finish(struct obuf *ob);
/* Writes what is buffered. Returns ob->err. */
int obuf_flush(struct obuf *ob);

void obuf_write(struct obuf *ob, const void *p, size_t n);
void obuf_puts(struct obuf *ob, const char *s);
void obuf_putc(struct obuf *ob, char c);
void obuf_u64(struct obuf *ob, uint64_t v);
void obuf_pad(struct obuf *ob, size_t n);
void obuf_printf(struct obuf *ob, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Escape untrusted bytes (process names, paths) for a terminal: printable
 * ASCII except '\\' passes; everything else becomes \xNN, '\\' becomes \\\\.
 * No byte that a terminal interprets can pass.
 */
void obuf_escape_text(struct obuf *ob, const char *s, size_t n);

/*
 * The same escaping into dst, which holds 4 * n + 1 bytes (NUL-terminated,
 * the NUL not counted in the length returned). For text that is measured
 * before it is printed (table cells, interface names in endpoints).
 */
size_t escape_text(char *dst, const char *s, size_t n);

/*
 * Write s as a JSON string literal, quotes included. Valid UTF-8 passes
 * (except C1 controls); control characters become \u00XX; bytes that are
 * not valid UTF-8 become the six characters \\xNN (a literal backslash in
 * the decoded string), so the output is always valid JSON and valid UTF-8.
 */
void obuf_json_string(struct obuf *ob, const char *s, size_t n);

/* Digits in v (at least 1). */
unsigned int u64_width(uint64_t v);

#endif

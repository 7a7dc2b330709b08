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
#include <pthread.h>
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
/*
 * obuf_finish() for stdout: a reader that went away (| head) is no
 * failure (0); another error is said on stderr and returned.
 */
int obuf_finish_stdout(struct obuf *ob);
/* Writes what is buffered. Returns ob->err. */
int obuf_flush(struct obuf *ob);

void obuf_write(struct obuf *ob, const void *p, size_t n);
/*
 * Room for n bytes at the end of the buffer (written out first if need
 * be), for a caller that fills a row in place and then adds what it used
 * to ob->len (at most n). NULL if n is larger than the buffer or a write
 * has failed: then write through obuf_write() and the rest.
 */
char *obuf_room(struct obuf *ob, size_t n);
void obuf_puts(struct obuf *ob, const char *s);
void obuf_putc(struct obuf *ob, char c);
void obuf_u64(struct obuf *ob, uint64_t v);
void obuf_pad(struct obuf *ob, size_t n);
void obuf_printf(struct obuf *ob, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Everything a process, a user or another namespace controls (process
 * names, cgroup paths, file names, sysctl text) is printed through these,
 * never raw. For a terminal: printable ASCII except '\\' passes; '\\'
 * becomes \\\\ and every other byte \xNN. No byte that a terminal
 * interprets can pass, and the output decodes back to the input: a literal
 * backslash-x in a name reads \\x, an escaped byte \x.
 */
void obuf_escape_text(struct obuf *ob, const char *s, size_t n);
/* The same, and '"' as \": for text printed between double quotes. */
void obuf_escape_quoted(struct obuf *ob, const char *s, size_t n);
/* Columns obuf_escape_text(s, n) takes: pad on this, not on n. */
size_t escape_text_width(const char *s, size_t n);

/*
 * A Prometheus label value, without the quotes: the obuf_escape_text form
 * of s, then escaped for the exposition format (\\\\, \"). A scraper
 * decodes it to the terminal-safe text, never to raw control bytes.
 */
void obuf_prom_label(struct obuf *ob, const char *s, size_t n);

/*
 * The same escaping into dst, which holds 4 * n + 1 bytes (NUL-terminated,
 * the NUL not counted in the length returned). For text that is measured
 * before it is printed (table cells, interface names in endpoints).
 */
size_t escape_text(char *dst, const char *s, size_t n);

/*
 * s (NUL-terminated) escaped as escape_text() does, in a new string the
 * caller frees: for a message that names a path or name someone else
 * chose (--root, --load, --save, -F, what was found under them).
 */
char *escape_dup(const char *s);

/*
 * Write s as a JSON string literal, quotes included. Valid UTF-8 passes
 * (except C1 controls, which become \u0080..\u009f); control characters
 * become \u00XX, '"' and '\\' their JSON escapes, so a backslash in the
 * input decodes to one backslash. A byte that is not part of valid UTF-8
 * (0x80..0xff) becomes \udcXX, the lone surrogate U+DC00 + byte that
 * Python's "surrogateescape" uses: no valid UTF-8 decodes to one, so the
 * decoded string tells a raw byte 0xff (U+DCFF) from the text "\xff". The
 * output is ASCII plus valid UTF-8 and parses as JSON (RFC 8259 grammar);
 * in Python, s.encode("utf-8", "surrogateescape") gives back the bytes.
 */
void obuf_json_string(struct obuf *ob, const char *s, size_t n);

/* What open_input() accepts. */
enum input_kind {
	INPUT_REGULAR, /* a regular file: --load, -F */
	INPUT_NSFS,    /* a namespace file (nsfs): -N, /run/netns entries */
};

/*
 * Open path read-only for reading as kind, without ever blocking: open()
 * of a FIFO without a writer, or read() of one, would wait forever. Opens
 * with O_NONBLOCK (then cleared), fstat()s (statfs() for INPUT_NSFS) and
 * refuses anything else with -EINVAL before reading a byte: say "not a
 * regular file" (input_strerror) or "not a namespace". Returns the fd
 * (O_CLOEXEC, blocking) or -errno.
 */
int open_input(const char *path, enum input_kind kind);
/* strerror(-err), except -EINVAL from open_input(INPUT_REGULAR). */
const char *input_strerror(int err);

/* Digits in v (at least 1). */
unsigned int u64_width(uint64_t v);

/* v in decimal into buf (at least 21 bytes), NUL-terminated; returns the
 * digits' count. snprintf's cost per call shows in per-row formatting. */
size_t u64_dec(char *buf, uint64_t v);

/*
 * 64 unpredictable bits (getrandom(2); before the kernel has entropy, the
 * clock and pid mixed). For keys an outsider must not guess: a hash
 * table's seed, so sockets whose peers a client chose cannot be made to
 * collide (every lookup a long probe), and watch's address mask.
 */
uint64_t random_u64(void);

/*
 * A thread running fn(arg) that takes no signal: SIGINT, SIGTERM, SIGPIPE
 * and SIGWINCH belong to the main thread, which waits for them (threads
 * inherit the mask, so it is set around the create). stack: its size in
 * bytes, 0 for the default. Returns 0 or -errno (nothing started).
 */
int thread_start_quiet(pthread_t *tid, size_t stack, void *(*fn)(void *),
		       void *arg);

#endif

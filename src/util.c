// SPDX-License-Identifier: MIT
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static void oom(void)
{
	fputs("sockscope: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		oom();
	}
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p) {
		oom();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		oom();
	}
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		oom();
	}
	return p;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("sockscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void obuf_init(struct obuf *ob, int fd, size_t cap)
{
	ob->buf = xmalloc(cap);
	ob->len = 0;
	ob->cap = cap;
	ob->fd = fd;
	ob->err = 0;
}

int obuf_flush(struct obuf *ob)
{
	size_t off = 0;

	while (!ob->err && off < ob->len) {
		ssize_t n = write(ob->fd, ob->buf + off, ob->len - off);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			ob->err = -errno;
			break;
		}
		off += (size_t)n;
	}
	ob->len = 0;
	return ob->err;
}

int obuf_finish(struct obuf *ob)
{
	int err = obuf_flush(ob);

	free(ob->buf);
	ob->buf = NULL;
	ob->cap = 0;
	return err;
}

int obuf_finish_stdout(struct obuf *ob)
{
	int err = obuf_finish(ob);

	if (err == -EPIPE) {
		return 0;
	}
	if (err) {
		warnx_("stdout: %s", strerror(-err));
	}
	return err;
}

/* Bypass the buffer for a block larger than it: write(2) directly. */
static void write_through(struct obuf *ob, const char *p, size_t n)
{
	while (n > 0 && !ob->err) {
		ssize_t k = write(ob->fd, p, n);

		if (k < 0) {
			if (errno != EINTR) {
				ob->err = -errno;
			}
			continue;
		}
		p += k;
		n -= (size_t)k;
	}
}

void obuf_write(struct obuf *ob, const void *p, size_t n)
{
	if (ob->len + n > ob->cap) {
		obuf_flush(ob);
		if (n > ob->cap) {
			write_through(ob, p, n);
			return;
		}
	}
	if (ob->err) {
		return;
	}
	memcpy(ob->buf + ob->len, p, n);
	ob->len += n;
}

char *obuf_room(struct obuf *ob, size_t n)
{
	if (ob->len + n > ob->cap) {
		obuf_flush(ob);
	}
	return ob->err || n > ob->cap ? NULL : ob->buf + ob->len;
}

void obuf_puts(struct obuf *ob, const char *s)
{
	obuf_write(ob, s, strlen(s));
}

void obuf_putc(struct obuf *ob, char c)
{
	if (ob->len == ob->cap) {
		obuf_flush(ob);
	}
	if (!ob->err) {
		ob->buf[ob->len++] = c;
	}
}

void obuf_u64(struct obuf *ob, uint64_t v)
{
	char tmp[21];

	obuf_write(ob, tmp, u64_dec(tmp, v));
}

/* Two digits per division: every row prints two to four numbers. */
static const char digit_pairs[201] = "00010203040506070809"
				     "10111213141516171819"
				     "20212223242526272829"
				     "30313233343536373839"
				     "40414243444546474849"
				     "50515253545556575859"
				     "60616263646566676869"
				     "70717273747576777879"
				     "80818283848586878889"
				     "90919293949596979899";

size_t u64_dec(char *buf, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp), n;

	if (v < 10) {
		/* Most queues are empty. */
		buf[0] = (char)('0' + v);
		buf[1] = '\0';
		return 1;
	}
	while (v >= 100) {
		const char *d = digit_pairs + 2 * (v % 100);

		v /= 100;
		tmp[--i] = d[1];
		tmp[--i] = d[0];
	}
	if (v >= 10) {
		tmp[--i] = digit_pairs[2 * v + 1];
		tmp[--i] = digit_pairs[2 * v];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	n = sizeof(tmp) - i;
	memcpy(buf, tmp + i, n);
	buf[n] = '\0';
	return n;
}

void obuf_pad(struct obuf *ob, size_t n)
{
	static const char spaces[32] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof(spaces) ? n : sizeof(spaces);

		obuf_write(ob, spaces, k);
		n -= k;
	}
}

void obuf_printf(struct obuf *ob, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	if ((size_t)n < sizeof(tmp)) {
		obuf_write(ob, tmp, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);

	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	obuf_write(ob, big, (size_t)n);
	free(big);
}

static const char hexdig[] = "0123456789abcdef";

static void put_hex_escape(struct obuf *ob, const char *prefix, uint8_t c)
{
	obuf_puts(ob, prefix);
	obuf_putc(ob, hexdig[c >> 4]);
	obuf_putc(ob, hexdig[c & 15]);
}

/*
 * The one terminal escaping rule, for one byte into out (up to 4 bytes);
 * returns how many. quote: also '"' as \", for text printed between
 * double quotes (users:(("name",...))), so a name cannot close the quotes
 * and forge a field.
 */
static size_t escape_byte(uint8_t c, bool quote, char out[4])
{
	if (c == '\\' || (quote && c == '"')) {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hexdig[c >> 4];
	out[3] = hexdig[c & 15];
	return 4;
}

static void put_escaped(struct obuf *ob, const char *s, size_t n, bool quote)
{
	for (size_t i = 0; i < n; i++) {
		char e[4];

		obuf_write(ob, e, escape_byte((uint8_t)s[i], quote, e));
	}
}

void obuf_escape_text(struct obuf *ob, const char *s, size_t n)
{
	put_escaped(ob, s, n, false);
}

void obuf_escape_quoted(struct obuf *ob, const char *s, size_t n)
{
	put_escaped(ob, s, n, true);
}

size_t escape_text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		char e[4];

		w += escape_byte((uint8_t)s[i], false, e);
	}
	return w;
}

void obuf_prom_label(struct obuf *ob, const char *s, size_t n)
{
	/* Escaped for a terminal first, then each '\\' and '"' of that text
	 * for the exposition format, which knows only \\ \" and \n. */
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == '"') {
			obuf_write(ob, "\\\"", 2);
		} else if (c == '\\') {
			obuf_write(ob, "\\\\\\\\", 4);
		} else if (c >= 0x20 && c < 0x7f) {
			obuf_putc(ob, (char)c);
		} else {
			put_hex_escape(ob, "\\\\x", c);
		}
	}
}

/* The same rule as obuf_escape_text(), into a buffer. */
size_t escape_text(char *dst, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		o += escape_byte((uint8_t)s[i], false, dst + o);
	}
	dst[o] = '\0';
	return o;
}

char *escape_dup(const char *s)
{
	size_t n = strlen(s);
	char *e = xmalloc(4 * n + 1);

	escape_text(e, s, n);
	return e;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v;

	if (s[0] < 0xc2 || s[0] > 0xf4) {
		return 0;
	}
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n) {
		return 0;
	}
	v = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
	    (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
		return 0;
	}
	*cp = v;
	return len;
}

static void json_escape_byte(struct obuf *ob, uint8_t c)
{
	switch (c) {
	case '"':
		obuf_write(ob, "\\\"", 2);
		break;
	case '\\':
		obuf_write(ob, "\\\\", 2);
		break;
	case '\n':
		obuf_write(ob, "\\n", 2);
		break;
	case '\t':
		obuf_write(ob, "\\t", 2);
		break;
	case '\r':
		obuf_write(ob, "\\r", 2);
		break;
	default:
		put_hex_escape(ob, "\\u00", c);
	}
}

void obuf_json_string(struct obuf *ob, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	obuf_putc(ob, '"');
	while (i < n) {
		uint8_t c = p[i];
		uint32_t cp;
		size_t len;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			obuf_putc(ob, (char)c);
			i++;
			continue;
		}
		if (c < 0x80) {
			json_escape_byte(ob, c);
			i++;
			continue;
		}
		len = utf8_seq(p + i, n - i, &cp);
		if (len == 0) {
			/* U+DC80..U+DCFF, as Python's surrogateescape: no
			 * valid UTF-8 decodes to a lone surrogate. */
			put_hex_escape(ob, "\\udc", c);
			i++;
		} else if (cp < 0xa0) {
			obuf_printf(ob, "\\u%04x", (unsigned int)cp);
			i += len;
		} else {
			obuf_write(ob, p + i, len);
			i += len;
		}
	}
	obuf_putc(ob, '"');
}

static bool input_is(int fd, enum input_kind kind)
{
	struct statfs sfs;
	struct stat st;

	if (kind == INPUT_NSFS) {
		return fstatfs(fd, &sfs) == 0 && sfs.f_type == NSFS_MAGIC;
	}
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int open_input(const char *path, enum input_kind kind)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int flags;

	if (fd < 0) {
		return -errno;
	}
	if (!input_is(fd, kind)) {
		close(fd);
		return -EINVAL;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

const char *input_strerror(int err)
{
	return err == -EINVAL ? "not a regular file" : strerror(-err);
}

unsigned int u64_width(uint64_t v)
{
	unsigned int w = 1;

	while (v >= 10) {
		v /= 10;
		w++;
	}
	return w;
}

uint64_t random_u64(void)
{
	uint64_t v = 0;
	struct timespec ts;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v)) {
		return v;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30) *
		   0x9e3779b97f4a7c15ull ^
	       (uint64_t)getpid() << 32;
}

int thread_start_quiet(pthread_t *tid, size_t stack, void *(*fn)(void *),
		       void *arg)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int err = pthread_attr_init(&attr);

	if (err) {
		return -err;
	}
	if (stack) {
		pthread_attr_setstacksize(&attr, stack);
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(tid, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

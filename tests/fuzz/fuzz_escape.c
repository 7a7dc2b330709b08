// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the escapers that print what a process controls
 * (its name, a cgroup path, a congestion name, filter text in messages):
 * obuf_escape_text, obuf_escape_quoted, obuf_prom_label, obuf_json_string
 * and filter_escape on the raw bytes, then the real path of a process
 * name: the bytes as /proc/PID/comm of a fake /proc tree, through
 * proc_map_build and the table and JSON rows -p prints.
 *
 * The properties are asserted, so a leak of a terminal control byte is a
 * crash: escaped text holds no byte < 0x20, no 0x7f and nothing >= 0x80,
 * and decodes back to the input (so two inputs never print alike: a
 * literal backslash-x is not an escaped byte), and its width is what
 * escape_text_width() says; quoted text has no '"' that would end the
 * quotes; a Prometheus label value decodes to the escaped text; a JSON
 * string is a valid literal with no raw DEL and no C1 control
 * (U+0080..U+009F) left unescaped, and decodes (surrogateescape for bytes
 * that are not UTF-8) back to the input; the users:((...)) text of -p
 * holds exactly one owner, whatever the name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter_ast.h"
#include "format.h"
#include "fuzz.h"
#include "opts.h"
#include "proc.h"

#define FAKE_PID   "4242"
#define FAKE_INODE 777

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/*
 * obuf_escape_text output (quoted: obuf_escape_quoted's) back to bytes;
 * false if it is not its syntax, which in the quoted form has no bare '"'.
 */
static bool unescape_q(const char *s, size_t n, char *out, size_t *olen,
		       bool quoted)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (quoted && s[i] == '"') {
			return false;
		} else if (s[i] != '\\') {
			out[o++] = s[i];
		} else if (i + 1 < n &&
			   (s[i + 1] == '\\' || (quoted && s[i + 1] == '"'))) {
			out[o++] = s[i + 1];
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' &&
			   hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
			out[o++] =
			    (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
			i += 3;
		} else {
			return false;
		}
	}
	*olen = o;
	return true;
}

static bool unescape(const char *s, size_t n, char *out, size_t *olen)
{
	return unescape_q(s, n, out, olen, false);
}

/* A Prometheus label value (\\\\ \" \n) back to its text; false on any
 * other escape or on a bare '"', which would end the value. */
static bool prom_unescape(const char *s, size_t n, char *out, size_t *olen)
{
	static const char from[] = "\\\"n", to[] = "\\\"\n";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		const char *k;

		if (s[i] == '"') {
			return false;
		}
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (i + 1 >= n || !(k = memchr(from, s[i + 1], 3))) {
			return false;
		}
		out[o++] = to[k - from];
		i++;
	}
	*olen = o;
	return true;
}

static void put_utf8(char *out, size_t *o, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | cp >> 6);
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*o)++] = (char)(0xe0 | cp >> 12);
		out[(*o)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xf0 | cp >> 18);
		out[(*o)++] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* Four hex digits at s (n bytes left; the buffer has no terminator). */
static bool hex4(const char *s, size_t n, unsigned int *v)
{
	*v = 0;
	for (size_t i = 0; i < 4; i++) {
		if (i >= n || hexval(s[i]) < 0) {
			return false;
		}
		*v = *v << 4 | (unsigned int)hexval(s[i]);
	}
	return true;
}

/*
 * A JSON string literal (already checked valid) back to bytes, as a
 * consumer would: escapes decoded, U+DC80..U+DCFF to the byte they stand
 * for (surrogateescape). Any other surrogate is not sockscope's output.
 */
static bool json_decode(const char *s, size_t n, char *out, size_t *olen)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t o = 0;

	for (size_t i = 1; i + 1 < n; i++) {
		unsigned int cp;
		const char *k;

		if (s[i] != '\\') {
			out[o++] = s[i];
		} else if ((k = memchr(from, s[i + 1], 8))) {
			out[o++] = to[k - from];
			i++;
		} else if (hex4(s + i + 2, n - i - 2, &cp)) {
			if (cp >= 0xdc80 && cp <= 0xdcff) {
				out[o++] = (char)(cp & 0xff);
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				return false;
			} else {
				put_utf8(out, &o, cp);
			}
			i += 5;
		} else {
			return false;
		}
	}
	*olen = o;
	return true;
}
/* No raw DEL, no C1 control as UTF-8 (0xc2 0x80..0x9f). */
static bool no_raw_controls(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b == 0x7f || (b == 0xc2 && i + 1 < n &&
				  (unsigned char)s[i + 1] >= 0x80 &&
				  (unsigned char)s[i + 1] <= 0x9f)) {
			return false;
		}
	}
	return true;
}

static void check_escape_text(const char *data, size_t size)
{
	struct obuf ob;
	char *back = malloc(size + 1);
	size_t blen;

	FUZZ_ASSERT(back);
	obuf_init(&ob, -1, 4 * size + 1);
	obuf_escape_text(&ob, data, size);
	FUZZ_ASSERT(ob.err == 0);
	FUZZ_ASSERT(plain_text(ob.buf, ob.len, false));
	FUZZ_ASSERT(unescape(ob.buf, ob.len, back, &blen));
	FUZZ_ASSERT(blen == size && (size == 0 || !memcmp(back, data, size)));
	FUZZ_ASSERT(ob.len == escape_text_width(data, size));
	obuf_finish(&ob);
	free(back);
}

static void check_escape_quoted(const char *data, size_t size)
{
	struct obuf ob;
	char *back = malloc(size + 1);
	size_t blen;

	FUZZ_ASSERT(back);
	obuf_init(&ob, -1, 4 * size + 1);
	obuf_escape_quoted(&ob, data, size);
	FUZZ_ASSERT(ob.err == 0);
	FUZZ_ASSERT(plain_text(ob.buf, ob.len, false));
	FUZZ_ASSERT(unescape_q(ob.buf, ob.len, back, &blen, true));
	FUZZ_ASSERT(blen == size && (size == 0 || !memcmp(back, data, size)));
	obuf_finish(&ob);
	free(back);
}

/* Decoded by a scraper, the label is the terminal-escaped text. */
static void check_prom_label(const char *data, size_t size)
{
	struct obuf ob, text;
	char *back = malloc(4 * size + 1);
	size_t blen;

	FUZZ_ASSERT(back);
	obuf_init(&ob, -1, 8 * size + 1);
	obuf_init(&text, -1, 4 * size + 1);
	obuf_prom_label(&ob, data, size);
	obuf_escape_text(&text, data, size);
	FUZZ_ASSERT(ob.err == 0 && text.err == 0);
	FUZZ_ASSERT(plain_text(ob.buf, ob.len, false));
	FUZZ_ASSERT(prom_unescape(ob.buf, ob.len, back, &blen));
	FUZZ_ASSERT(blen == text.len &&
		    (blen == 0 || !memcmp(back, text.buf, blen)));
	obuf_finish(&ob);
	obuf_finish(&text);
	free(back);
}

static void check_json_string(const char *data, size_t size)
{
	struct obuf ob;
	char *back = malloc(size + 1);
	size_t blen;

	obuf_init(&ob, -1, 6 * size + 2);
	obuf_json_string(&ob, data, size);
	FUZZ_ASSERT(ob.err == 0);
	FUZZ_ASSERT(json_string_valid(ob.buf, ob.len));
	FUZZ_ASSERT(no_raw_controls(ob.buf, ob.len));
	FUZZ_ASSERT(back);
	FUZZ_ASSERT(json_decode(ob.buf, ob.len, back, &blen));
	FUZZ_ASSERT(blen == size && (size == 0 || !memcmp(back, data, size)));
	obuf_finish(&ob);
	free(back);
}

static void check_filter_escape(const char *text)
{
	static const size_t sizes[] = {9, 16, 200};
	char dst[200];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(dst, 'X', sizeof(dst));
		filter_escape(dst, sizes[i], text);
		FUZZ_ASSERT(memchr(dst, '\0', sizes[i]));
		FUZZ_ASSERT(plain_text(dst, strlen(dst), false));
	}
}

/* A fake root with one process holding socket FAKE_INODE on fd 3, removed
 * at exit; a crash (abort) leaves it in /tmp beside the crash input. */
struct fake_root {
	char dir[64];
	char comm[128];
};

static void fake_root_remove(void);

static const struct fake_root *fake_root_get(void)
{
	static struct fake_root fr;
	static const char *const dirs[] = {"proc", "proc/" FAKE_PID,
					   "proc/" FAKE_PID "/fd"};
	char path[PATH_MAX];

	if (fr.dir[0]) {
		return &fr;
	}
	snprintf(fr.dir, sizeof(fr.dir), "/tmp/sockscope-fuzz-XXXXXX");
	FUZZ_ASSERT(mkdtemp(fr.dir));
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", fr.dir, dirs[i]);
		FUZZ_ASSERT(mkdir(path, 0700) == 0);
	}
	snprintf(path, sizeof(path), "%s/proc/" FAKE_PID "/fd/3", fr.dir);
	FUZZ_ASSERT(symlink("socket:[777]", path) == 0);
	snprintf(fr.comm, sizeof(fr.comm), "%s/proc/" FAKE_PID "/comm", fr.dir);
	atexit(fake_root_remove);
	return &fr;
}

static void fake_root_remove(void)
{
	const struct fake_root *fr = fake_root_get();
	/* Deepest first: a directory goes once it is empty. */
	static const char *const parts[] = {"/fd/3", "/fd", "/comm", ""};
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		snprintf(path, sizeof(path), "%s/proc/" FAKE_PID "%s", fr->dir,
			 parts[i]);
		(void)remove(path);
	}
	snprintf(path, sizeof(path), "%s/proc", fr->dir);
	(void)remove(path);
	(void)remove(fr->dir);
}

/* One row as -p prints it, into memory; returns the obuf to check. */
static void format_row(const struct fmt_ops *fmt, const struct opts *o,
		       const struct proc_map *procs, struct obuf *ob)
{
	const struct sock_rec rec = {.family = AF_INET,
				     .protocol = IPPROTO_TCP,
				     .state = SS_LISTEN,
				     .sport = 22,
				     .inode = FAKE_INODE,
				     .v6only = -1};
	struct fmt_ctx ctx = {.out = ob, .o = o, .procs = procs};

	obuf_init(ob, -1, 64 * 1024);
	fmt->begin(&ctx);
	fmt->row(&ctx, &rec);
	fmt->end(&ctx);
	FUZZ_ASSERT(ob->err == 0);
}

/* users:(("NAME",pid=N,fd=N)) with no unescaped '"' inside NAME: the
 * name cannot close its quotes and forge a second owner. */
static bool one_owner(const char *s, size_t n)
{
	const char *u = memmem(s, n, "users:((\"", 9);
	size_t quotes = 0;

	if (!u) {
		return false;
	}
	for (const char *p = u + 9; p < s + n && *p != '\n'; p++) {
		if (*p == '\\') {
			p++;
		} else if (*p == '"') {
			quotes++;
		}
	}
	return quotes == 1;
}

static void check_process_name(const char *data, size_t size)
{
	const struct fake_root *fr = fake_root_get();
	const struct opts o = {.protocols = PROTO_TCP,
			       .numeric = true,
			       .processes = true,
			       .root = fr->dir};
	struct proc_map *procs;
	struct obuf ob;
	int fd = open(fr->comm, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	close(fd);
	FUZZ_ASSERT(proc_map_build(fr->dir, &procs) == 0);
	FUZZ_ASSERT(proc_map_size(procs) == 1);

	format_row(&fmt_table, &o, procs, &ob);
	FUZZ_ASSERT(plain_text(ob.buf, ob.len, true));
	FUZZ_ASSERT(memmem(ob.buf, ob.len, "pid=" FAKE_PID, 8));
	FUZZ_ASSERT(one_owner(ob.buf, ob.len));
	obuf_finish(&ob);

	format_row(&fmt_json, &o, procs, &ob);
	FUZZ_ASSERT(json_valid(ob.buf, ob.len));
	FUZZ_ASSERT(no_raw_controls(ob.buf, ob.len));
	obuf_finish(&ob);
	proc_map_destroy(procs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	check_escape_text(text, size);
	check_escape_quoted(text, size);
	check_prom_label(text, size);
	check_json_string(text, size);
	check_filter_escape(text);
	check_process_name(text, size);
	free(text);
	return 0;
}

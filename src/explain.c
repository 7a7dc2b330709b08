// SPDX-License-Identifier: MIT
#include "explain.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LABEL_COLS 12
#define LINE_COLS  79

int explain_kernel(const char *root, struct kver *k, char *release, size_t len)
{
	char buf[128];
	long n =
	    root_read_file(root, "proc/sys/kernel/osrelease", buf, sizeof(buf));

	if (n < 0) {
		return (int)n;
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(release, len, "%s", buf);
	return sysctl_parse_kver(buf, k);
}

int explain_sysctl_value(const char *root, const char *name, char *buf,
			 size_t len)
{
	char rel[192], *w = buf;
	const struct sysctl_fact *f = facts_sysctl_find(name);
	const char *p = "proc/sys/";
	size_t off;
	long n;

	if (!f) {
		return -ENOENT;
	}
	off = (size_t)snprintf(rel, sizeof(rel), "%s", p);
	facts_sysctl_path(f, rel + off, sizeof(rel) - off);
	n = root_read_file(root, rel, buf, len);
	if (n < 0) {
		return (int)n;
	}
	/* "32768\t60999\n" -> "32768 60999" */
	for (const char *r = buf; *r; r++) {
		if (isspace((unsigned char)*r)) {
			if (w > buf && w[-1] != ' ') {
				*w++ = ' ';
			}
		} else {
			*w++ = *r;
		}
	}
	if (w > buf && w[-1] == ' ') {
		w--;
	}
	*w = '\0';
	return 0;
}

/* Words of text from column col on, breaking before LINE_COLS. */
static void put_words(struct obuf *ob, const char *text, size_t col)
{
	const char *p = text;
	size_t at = col;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (at > col && at + 1 + n > LINE_COLS) {
			obuf_putc(ob, '\n');
			obuf_pad(ob, col);
			at = col;
		} else if (at > col) {
			obuf_putc(ob, ' ');
			at++;
		}
		obuf_write(ob, p, n);
		at += n;
		p += n;
		while (*p == ' ') {
			p++;
		}
	}
	obuf_putc(ob, '\n');
}

void explain_put(struct obuf *ob, const char *label, const char *text,
		 const char *source)
{
	size_t n = strlen(label);

	obuf_puts(ob, label);
	obuf_pad(ob, n < LABEL_COLS ? LABEL_COLS - n : 1);
	put_words(ob, text, LABEL_COLS);
	if (source) {
		char buf[512];

		snprintf(buf, sizeof(buf), "[%s]", source);
		obuf_pad(ob, LABEL_COLS);
		put_words(ob, buf, LABEL_COLS);
	}
}

void explain_json_fact(struct jw *w, const char *key, const struct fact *f)
{
	jw_object(w, key);
	jw_string(w, "text", f->text);
	jw_string(w, "source", f->source);
	jw_end(w);
}

void explain_out_begin(struct obuf *ob, struct jw *w)
{
	obuf_init(ob, STDOUT_FILENO, 64 * 1024);
	jw_init(w, ob);
}

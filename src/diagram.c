// SPDX-License-Identifier: MIT
#include "diagram.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

/*
 * RFC 9293 section 3.3.2, figure 5, redrawn for 79 columns. "@NN@@@"
 * marks a count field: NN is the kernel state code, the run of '@' its
 * width. The edges are facts.c's edges[].
 */
static const char *const picture[] = {
    "                          +-----------------------+",
    "                          | CLOSED     @07@@@@@@@ |",
    "                          +-----------------------+",
    "              listen() |                             | connect(): send "
    "SYN",
    "                       v                             v",
    "+-----------------------+                           "
    "+-----------------------+",
    "| LISTEN     @10@@@@@@@ |                           | SYN_SENT   "
    "@02@@@@@@@ |",
    "+-----------------------+                           "
    "+-----------------------+",
    "  | recv SYN: send SYN+ACK                            | recv SYN+ACK:",
    "  v                                                   | send ACK",
    "+-----------------------+                             |",
    "| SYN_RECV   @03@@@@@@@ |                             |",
    "+-----------------------+                             |",
    "  | recv ACK of SYN                                   |",
    "  |                       +-----------------------+   |",
    "  +---------------------> | ESTABLISHED @01@@@@@@ | <-+",
    "                          +-----------------------+",
    "    close(): send FIN  |                             | recv FIN: send ACK",
    "    (active close)     v                             v (passive close)",
    "+-----------------------+                           "
    "+-----------------------+",
    "| FIN_WAIT1  @04@@@@@@@ |                           | CLOSE_WAIT "
    "@08@@@@@@@ |",
    "+-----------------------+                           "
    "+-----------------------+",
    "  | recv ACK of FIN   | recv FIN: send ACK            | close(): send FIN",
    "  v                   v                               v",
    "+-----------------------+ +-----------------------+ "
    "+-----------------------+",
    "| FIN_WAIT2  @05@@@@@@@ | | CLOSING    @11@@@@@@@ | | LAST_ACK   "
    "@09@@@@@@@ |",
    "+-----------------------+ +-----------------------+ "
    "+-----------------------+",
    "  | recv FIN: send ACK        | recv ACK of FIN       | recv ACK of FIN",
    "  v                           v                       v",
    "+-----------------------------------------------+     CLOSED",
    "| TIME_WAIT  @06@@@@@@@  60 s, then CLOSED      |",
    "+-----------------------------------------------+",
};

void diagram_sample_init(struct diagram_sample *s)
{
	memset(s, 0, sizeof(*s));
	keytab_init(&s->seen, sizeof(uint64_t));
}

void diagram_sample_finish(struct diagram_sample *s)
{
	keytab_free(&s->seen);
}

void diagram_sample_add(struct diagram_sample *s, const struct sock_rec *rec,
			bool track)
{
	unsigned int st = state_fold(rec->state);
	uint8_t key[8];
	uint32_t *v;

	s->count[st]++;
	if (!track || !st) {
		return;
	}
	memcpy(key, &rec->cookie, sizeof(key));
	v = keytab_get(&s->seen, key, KEYTAB_MAX_ENTRIES);
	if (!v) {
		s->overflow = true;
		return;
	}
	v[0] = st;
}

void diagram_move(struct diagram_sample *before, struct diagram_moves *m,
		  const struct sock_rec *rec)
{
	unsigned int to = state_fold(rec->state);
	uint8_t key[8];
	uint32_t *v;

	if (!to) {
		return;
	}
	memcpy(key, &rec->cookie, sizeof(key));
	/* keytab_find is read-only; the seen mark needs the entry. */
	v = keytab_find(&before->seen, key)
		? keytab_get(&before->seen, key, KEYTAB_MAX_ENTRIES)
		: NULL;
	if (!v) {
		m->n[0][to]++;
		return;
	}
	v[1] = 1;
	if (v[0] != to) {
		m->n[v[0]][to]++;
	}
}

void diagram_moves_gone(const struct diagram_sample *before,
			struct diagram_moves *m)
{
	for (size_t i = 0; i < before->seen.n; i++) {
		const uint32_t *v =
		    keytab_vals(&before->seen, keytab_key(&before->seen, i));

		if (!v[1] && v[0] < SS_MAX) {
			m->n[v[0]][0]++;
		}
	}
}

/* v as "123", "12.3k", "123M". */
static void compact(char *buf, size_t len, uint64_t v)
{
	static const char unit[] = "kMGTP";
	double d = (double)v;
	int u = -1;

	if (v < 10000) {
		snprintf(buf, len, "%" PRIu64, v);
		return;
	}
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, d < 100 ? "%.1f%c" : "%.0f%c", d, unit[u]);
}

/* The text of one field, at most width bytes. */
static void field(char *out, size_t width, uint64_t n, const uint64_t *before)
{
	char c[32], d[32] = "";
	uint64_t was = before ? *before : n;

	snprintf(c, sizeof(c), "%" PRIu64, n);
	if (n != was) {
		snprintf(d, sizeof(d), " %c%" PRIu64, n > was ? '+' : '-',
			 n > was ? n - was : was - n);
	}
	if (strlen(c) + strlen(d) > width) {
		uint64_t diff = n > was ? n - was : was - n;

		compact(c, sizeof(c), n);
		if (n != was) {
			char t[24];

			compact(t, sizeof(t), diff);
			snprintf(d, sizeof(d), " %c%s", n > was ? '+' : '-', t);
		}
	}
	if (strlen(c) + strlen(d) > width) {
		d[0] = '\0';
	}
	snprintf(out, width + 1, "%s%s", c, d);
}

static void render_line(struct obuf *ob, const char *line,
			const uint64_t count[SS_MAX], const uint64_t *before)
{
	const char *p = line;

	while (*p) {
		const char *at = strchr(p, '@');
		char text[64];
		size_t width, n;
		unsigned int code;

		if (!at) {
			obuf_puts(ob, p);
			break;
		}
		obuf_write(ob, p, (size_t)(at - p));
		code = (unsigned int)((at[1] - '0') * 10 + (at[2] - '0'));
		width = strspn(at + 3, "@") + 3;
		if (width >= sizeof(text)) {
			width = sizeof(text) - 1;
		}
		field(text, width, code < SS_MAX ? count[code] : 0,
		      before && code < SS_MAX ? &before[code] : NULL);
		n = strlen(text);
		obuf_puts(ob, text);
		obuf_pad(ob, width - n);
		p = at + width;
	}
}

void diagram_render(struct obuf *ob, const uint64_t count[SS_MAX],
		    const uint64_t *before)
{
	for (size_t i = 0; i < ARRAY_SIZE(picture); i++) {
		render_line(ob, picture[i], count, before);
		obuf_putc(ob, '\n');
	}
}

size_t diagram_lines(void)
{
	return ARRAY_SIZE(picture);
}

void diagram_render_line(struct obuf *ob, size_t i,
			 const uint64_t count[SS_MAX], const uint64_t *before)
{
	if (i < ARRAY_SIZE(picture)) {
		render_line(ob, picture[i], count, before);
	}
}

void diagram_fold_counts(uint64_t out[SS_MAX], const uint32_t in[SS_MAX])
{
	memset(out, 0, SS_MAX * sizeof(out[0]));
	for (unsigned int c = 0; c < SS_MAX; c++) {
		out[state_fold(c)] += in[c];
	}
}

// SPDX-License-Identifier: MIT
/*
 * The human table. Column widths fit the content: the first WINDOW_ROWS
 * rows are held back (as text, never as records) to measure them. A
 * listing that fits in the window prints with the measured widths. A longer
 * one streams, and no later row may widen a column (every row before it is
 * printed): so the bounded columns take the widest text they can hold
 * (each field's bound in field.c; State: the longest name among the
 * states selected; the queues: 10 digits; an address: the longest of the
 * selected families, IPv6 in full, and the longest port or service
 * name). What has no useful bound (a
 * %ifname scope, a namespace name) keeps the measured width; a later cell
 * that overflows takes its room from the next column's padding, so the
 * columns after it, and every other row, stay in line. Memory stays
 * bounded however many sockets there are.
 */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "format_detail.h"
#include "sock.h"
#include "util.h"

#define WINDOW_ROWS 1024
/* Detail text of one row; a longer owner list is cut short. */
#define EXTRA_CAP (256 * 1024)

/* The list's columns, left to right, from the field registry (field.c);
 * a field's shown() may leave it out. The detail text follows them. */
static const enum field_id table_cols[] = {
    FIELD_NETNS, FIELD_NETID, FIELD_STATE, FIELD_RECVQ,
    FIELD_SENDQ, FIELD_LOCAL, FIELD_PEER,
};

/* The columns shown, and the detail text after them (never padded). */
#define NCOL (ARRAY_SIZE(table_cols) + 1)

struct cell {
	uint32_t off;
	uint32_t len;
};

struct table {
	const struct field *field[NCOL - 1];
	size_t ncol; /* columns shown; extra is index ncol */
	const char *header[NCOL];
	size_t width[NCOL];
	struct field_cell buf[NCOL - 1];
	char *arena;
	size_t arena_len;
	size_t arena_cap;
	struct cell (*rows)[NCOL];
	size_t nrows;
	bool streaming;
	bool detail;
	struct obuf extra; /* memory only (fd -1): the detail text */
};

static void table_begin(struct fmt_ctx *ctx)
{
	struct table *t = xcalloc(1, sizeof(*t));
	const struct opts *o = ctx->o;

	for (size_t i = 0; i < ARRAY_SIZE(table_cols); i++) {
		const struct field *f = field_get(table_cols[i]);

		if (!f->shown || f->shown(ctx)) {
			t->header[t->ncol] = f->title;
			t->field[t->ncol++] = f;
		}
	}
	t->header[t->ncol] = o->processes ? "Process" : "";
	/* -H: the data alone sets the widths. */
	for (size_t c = 0; c <= t->ncol && !o->no_header; c++) {
		t->width[c] = strlen(t->header[c]);
	}
	t->detail = detail_wanted(o);
	if (t->detail) {
		obuf_init(&t->extra, -1, EXTRA_CAP);
	}
	t->arena_cap = 64 * 1024;
	t->arena = xmalloc(t->arena_cap);
	t->rows = xcalloc(WINDOW_ROWS, sizeof(*t->rows));
	ctx->priv = t;
}

/*
 * A row into room for need bytes (see put_row): each cell, padding up to
 * its column's end, one space between. Returns the bytes written.
 */
static size_t fill_row(char *out, const struct table *t, size_t last,
		       const char *const cell[NCOL], const size_t len[NCOL])
{
	char *p = out;
	size_t pos = 0, end = 0; /* where we are; where the column ends */

	for (size_t c = 0; c <= last; c++) {
		if (c) {
			*p++ = ' ';
			pos++;
			end++;
		}
		memcpy(p, cell[c], len[c]);
		p += len[c];
		pos += len[c];
		end += t->width[c];
		/* An overlong cell eats into the next one's padding only. */
		if (c < last && pos < end) {
			memset(p, ' ', end - pos);
			p += end - pos;
			pos = end;
		}
	}
	*p++ = '\n';
	return (size_t)(p - out);
}

static void put_row(struct fmt_ctx *ctx, const char *const cell[NCOL],
		    const size_t len[NCOL])
{
	struct table *t = ctx->priv;
	size_t last = len[t->ncol] ? t->ncol : t->ncol - 1;
	size_t pos = 0, end = 0; /* where we are; where the column ends */
	size_t need = 1;
	char *room;

	/* Padding never goes past the widths' sum: filled in place, a row
	 * costs one check for room instead of one per cell and pad. */
	for (size_t c = 0; c <= last; c++) {
		need += len[c] + t->width[c] + 1;
	}
	room = obuf_room(ctx->out, need);
	if (room) {
		ctx->out->len += fill_row(room, t, last, cell, len);
		return;
	}
	/* Longer than the whole buffer (a long detail text), or a failed
	 * write: piece by piece, which streams or drops it. */
	for (size_t c = 0; c <= last; c++) {
		if (c) {
			obuf_putc(ctx->out, ' ');
			pos++;
			end++;
		}
		obuf_write(ctx->out, cell[c], len[c]);
		pos += len[c];
		end += t->width[c];
		/* An overlong cell eats into the next one's padding only. */
		if (c < last && pos < end) {
			obuf_pad(ctx->out, end - pos);
			pos = end;
		}
	}
	obuf_putc(ctx->out, '\n');
}

static void put_header(struct fmt_ctx *ctx)
{
	struct table *t = ctx->priv;
	size_t len[NCOL];

	for (size_t c = 0; c <= t->ncol; c++) {
		len[c] = strlen(t->header[c]);
	}
	put_row(ctx, t->header, len);
}

/* Spread spare terminal columns over the spread columns (the two
 * addresses, as ss): the last takes what does not divide. */
static void fit_terminal(struct table *t, unsigned int cols)
{
	size_t total = 0, n = 0, spare, given = 0;

	for (size_t c = 0; c < t->ncol; c++) {
		total += t->width[c] + 1;
		n += t->field[c]->spread;
	}
	if (cols <= total || !n) {
		return;
	}
	spare = cols - total;
	for (size_t c = 0, k = 0; c < t->ncol; c++) {
		if (t->field[c]->spread) {
			size_t share = ++k == n ? spare - given : spare / n;

			t->width[c] += share;
			given += share;
		}
	}
}

/* Widen the bounded columns to the widest text they can hold. */
static void bound_widths(struct table *t, const struct fmt_ctx *ctx)
{
	for (size_t c = 0; c < t->ncol; c++) {
		const struct field *f = t->field[c];
		size_t bound = f->bound ? f->bound(ctx) : 0;

		if (bound > t->width[c]) {
			t->width[c] = bound;
		}
	}
}

/*
 * Print the held rows, with the header. complete: they are all the rows
 * there are; else more follow, and must fit the widths chosen now.
 */
static void flush_window(struct fmt_ctx *ctx, bool complete)
{
	struct table *t = ctx->priv;

	if (!complete) {
		bound_widths(t, ctx);
	}
	if (ctx->term_cols) {
		fit_terminal(t, ctx->term_cols);
	}
	if (!ctx->o->no_header) {
		put_header(ctx);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		const char *cell[NCOL];
		size_t len[NCOL];

		for (size_t c = 0; c <= t->ncol; c++) {
			cell[c] = t->arena + t->rows[r][c].off;
			len[c] = t->rows[r][c].len;
		}
		put_row(ctx, cell, len);
	}
	t->nrows = 0;
	t->arena_len = 0;
	t->streaming = true;
}

static void keep_row(struct table *t, const char *const cell[NCOL],
		     const size_t len[NCOL])
{
	size_t need = 0;

	for (size_t c = 0; c <= t->ncol; c++) {
		need += len[c];
	}
	while (t->arena_len + need > t->arena_cap) {
		t->arena_cap *= 2;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	for (size_t c = 0; c <= t->ncol; c++) {
		t->rows[t->nrows][c].off = (uint32_t)t->arena_len;
		t->rows[t->nrows][c].len = (uint32_t)len[c];
		memcpy(t->arena + t->arena_len, cell[c], len[c]);
		t->arena_len += len[c];
	}
	t->nrows++;
}

static void table_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct table *t = ctx->priv;
	const char *cell[NCOL];
	size_t len[NCOL];
	size_t n = t->ncol;

	for (size_t c = 0; c < n; c++) {
		cell[c] =
		    field_text(t->field[c], &t->buf[c], ctx, rec, &len[c]);
	}
	cell[n] = "";
	len[n] = 0;
	if (t->detail) {
		t->extra.len = 0;
		detail_text(&t->extra, ctx, rec);
		cell[n] = t->extra.buf;
		len[n] = t->extra.len;
	}

	if (t->streaming) {
		put_row(ctx, cell, len);
		return;
	}
	for (size_t c = 0; c <= n; c++) {
		if (len[c] > t->width[c]) {
			t->width[c] = len[c];
		}
	}
	keep_row(t, cell, len);
	if (t->nrows == WINDOW_ROWS) {
		flush_window(ctx, false);
	}
}

static void table_end(struct fmt_ctx *ctx)
{
	struct table *t = ctx->priv;

	if (!t->streaming) {
		flush_window(ctx, true);
	}
	if (t->detail) {
		t->extra.len = 0;
		obuf_finish(&t->extra);
	}
	for (size_t c = 0; c < t->ncol; c++) {
		field_cell_finish(&t->buf[c]);
	}
	free(t->rows);
	free(t->arena);
	free(t);
	ctx->priv = NULL;
}

const struct fmt_ops fmt_table = {
    .name = "table",
    .begin = table_begin,
    .row = table_row,
    .end = table_end,
};

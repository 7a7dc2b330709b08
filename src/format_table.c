// SPDX-License-Identifier: MIT
/*
 * The human table. Column widths fit the content: the first WINDOW_ROWS
 * rows are held back (as text, never as records) to measure them, then
 * printed; later rows stream with those widths, widening a column if one
 * must. Memory stays bounded however many sockets there are.
 */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_detail.h"
#include "state.h"
#include "util.h"

#define WINDOW_ROWS 1024
/* Detail text of one row; a longer owner list is cut short. */
#define EXTRA_CAP (256 * 1024)

enum col {
	COL_NETNS, /* --all-netns and -N only */
	COL_NETID,
	COL_STATE,
	COL_RECVQ,
	COL_SENDQ,
	COL_LOCAL,
	COL_PEER,
	COL_EXTRA, /* free text after the columns, never padded */
	NCOL
};

static const char *const headers[NCOL] = {
	"Netns", "Netid", "State", "Recv-Q", "Send-Q",
	"Local Address:Port", "Peer Address:Port", "",
};

struct cell {
	uint32_t off;
	uint32_t len;
};

struct table {
	const char *header[NCOL];
	bool show[NCOL];
	size_t width[NCOL];
	char *arena;
	size_t arena_len;
	size_t arena_cap;
	struct cell (*rows)[NCOL];
	size_t nrows;
	bool streaming;
	bool detail;
	struct obuf extra; /* memory only (fd -1): the COL_EXTRA text */
	char *ns;	   /* the Netns cell, escaped, */
	size_t ns_len;
	const char *ns_of; /* for this ctx->netns */
};

static void table_begin(struct fmt_ctx *ctx)
{
	struct table *t = xcalloc(1, sizeof(*t));
	const struct opts *o = ctx->o;

	for (int c = 0; c < NCOL; c++) {
		t->header[c] = headers[c];
		t->show[c] = true;
	}
	/* As ss: the Netid column only when more than one protocol shows. */
	t->show[COL_NETID] = (o->protocols & (o->protocols - 1)) != 0;
	t->show[COL_NETNS] = o->all_netns || o->netns;
	if (o->processes) {
		t->header[COL_EXTRA] = "Process";
	}
	for (int c = 0; c < NCOL; c++) {
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

static void put_row(struct fmt_ctx *ctx, const char *const cell[NCOL],
		    const size_t len[NCOL])
{
	struct table *t = ctx->priv;
	int last = COL_PEER;
	bool first = true;

	if (len[COL_EXTRA]) {
		last = COL_EXTRA;
	}
	for (int c = 0; c <= last; c++) {
		if (!t->show[c]) {
			continue;
		}
		if (!first) {
			obuf_putc(ctx->out, ' ');
		}
		first = false;
		obuf_write(ctx->out, cell[c], len[c]);
		if (c < last && len[c] < t->width[c]) {
			obuf_pad(ctx->out, t->width[c] - len[c]);
		}
	}
	obuf_putc(ctx->out, '\n');
}

static void put_header(struct fmt_ctx *ctx)
{
	struct table *t = ctx->priv;
	size_t len[NCOL];

	for (int c = 0; c < NCOL; c++) {
		len[c] = strlen(t->header[c]);
	}
	put_row(ctx, t->header, len);
}

/* Spread spare terminal columns over the two address columns, as ss. */
static void fit_terminal(struct table *t, unsigned int cols)
{
	size_t total = 0;

	for (int c = 0; c < COL_EXTRA; c++) {
		if (t->show[c]) {
			total += t->width[c] + 1;
		}
	}
	if (cols > total) {
		size_t spare = cols - total;

		t->width[COL_LOCAL] += spare / 2;
		t->width[COL_PEER] += spare - spare / 2;
	}
}

static void flush_window(struct fmt_ctx *ctx)
{
	struct table *t = ctx->priv;

	if (ctx->term_cols) {
		fit_terminal(t, ctx->term_cols);
	}
	if (!ctx->o->no_header) {
		put_header(ctx);
	}
	for (size_t r = 0; r < t->nrows; r++) {
		const char *cell[NCOL];
		size_t len[NCOL];

		for (int c = 0; c < NCOL; c++) {
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

	for (int c = 0; c < NCOL; c++) {
		need += len[c];
	}
	while (t->arena_len + need > t->arena_cap) {
		t->arena_cap *= 2;
		t->arena = xrealloc(t->arena, t->arena_cap);
	}
	for (int c = 0; c < NCOL; c++) {
		t->rows[t->nrows][c].off = (uint32_t)t->arena_len;
		t->rows[t->nrows][c].len = (uint32_t)len[c];
		memcpy(t->arena + t->arena_len, cell[c], len[c]);
		t->arena_len += len[c];
	}
	t->nrows++;
}

/* A namespace name is anyone's choice (ip netns add): escaped, measured
 * escaped; once per namespace, not per row. */
static const char *netns_cell(struct table *t, const char *netns, size_t *len)
{
	if (!netns) {
		*len = 1;
		return "-";
	}
	if (netns != t->ns_of) {
		free(t->ns);
		t->ns = xmalloc(4 * strlen(netns) + 1);
		t->ns_len = escape_text(t->ns, netns, strlen(netns));
		t->ns_of = netns;
	}
	*len = t->ns_len;
	return t->ns;
}

static void table_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct table *t = ctx->priv;
	char netid[8], rq[12], sq[12];
	char local[ENDPOINT_STRLEN], peer[ENDPOINT_STRLEN];
	const char *cell[NCOL];
	size_t len[NCOL];

	cell[COL_NETID] = format_netid(rec->protocol, netid);
	cell[COL_STATE] = state_name(rec->state, rec->protocol);
	len[COL_RECVQ] = (size_t)snprintf(rq, sizeof(rq), "%u", rec->recv_q);
	len[COL_SENDQ] = (size_t)snprintf(sq, sizeof(sq), "%u", rec->send_q);
	cell[COL_RECVQ] = rq;
	cell[COL_SENDQ] = sq;
	len[COL_LOCAL] = format_endpoint(local, ctx, rec, false);
	len[COL_PEER] = format_endpoint(peer, ctx, rec, true);
	cell[COL_LOCAL] = local;
	cell[COL_PEER] = peer;
	cell[COL_NETNS] = netns_cell(t, ctx->netns, &len[COL_NETNS]);
	cell[COL_EXTRA] = "";
	len[COL_NETID] = strlen(cell[COL_NETID]);
	len[COL_STATE] = strlen(cell[COL_STATE]);
	len[COL_EXTRA] = 0;
	if (t->detail) {
		t->extra.len = 0;
		detail_text(&t->extra, ctx, rec);
		cell[COL_EXTRA] = t->extra.buf;
		len[COL_EXTRA] = t->extra.len;
	}

	for (int c = 0; c < NCOL; c++) {
		if (len[c] > t->width[c]) {
			t->width[c] = len[c];
		}
	}
	if (t->streaming) {
		put_row(ctx, cell, len);
		return;
	}
	keep_row(t, cell, len);
	if (t->nrows == WINDOW_ROWS) {
		flush_window(ctx);
	}
}

static void table_end(struct fmt_ctx *ctx)
{
	struct table *t = ctx->priv;

	if (!t->streaming) {
		flush_window(ctx);
	}
	if (t->detail) {
		t->extra.len = 0;
		obuf_finish(&t->extra);
	}
	free(t->ns);
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

// SPDX-License-Identifier: MIT
/*
 * The human table. Column widths fit the content: the first WINDOW_ROWS
 * rows are held back (as text, never as records) to measure them. A
 * listing that fits in the window prints with the measured widths. A longer
 * one streams, and no later row may widen a column (every row before it is
 * printed): so the bounded columns take the widest text they can hold
 * (State: the longest name among the states selected; the queues: 10
 * digits; an address: the longest of the selected families, IPv6 in full,
 * and the longest port or service name). What has no useful bound (a
 * %ifname scope, a namespace name) keeps the measured width; a later cell
 * that overflows takes its room from the next column's padding, so the
 * columns after it, and every other row, stay in line. Memory stays
 * bounded however many sockets there are.
 */
#include "format.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format_detail.h"
#include "sock.h"
#include "state.h"
#include "util.h"

#define WINDOW_ROWS 1024
/* Detail text of one row; a longer owner list is cut short. */
#define EXTRA_CAP (256 * 1024)
/* Widest text of the bounded columns (see bound_widths). */
#define QUEUE_MAX_LEN	   10 /* a u32: "4294967295" */
#define PORT_MAX_LEN	   5  /* "65535" */
#define INET_ADDR_MAX_LEN  15 /* "255.255.255.255" */
#define INET6_ADDR_MAX_LEN 41 /* "[ffff:...:ffff]", brackets included */

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
    "Netns",
    "Netid",
    "State",
    "Recv-Q",
    "Send-Q",
    "Local Address:Port",
    "Peer Address:Port",
    "",
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
	/* -H: the data alone sets the widths. */
	for (int c = 0; c < NCOL && !o->no_header; c++) {
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
	size_t pos = 0, end = 0; /* where we are; where the column ends */

	if (len[COL_EXTRA]) {
		last = COL_EXTRA;
	}
	for (int c = 0; c <= last; c++) {
		if (!t->show[c]) {
			continue;
		}
		if (!first) {
			obuf_putc(ctx->out, ' ');
			pos++;
			end++;
		}
		first = false;
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

/* The longest state name the selection can print. */
static size_t state_width(const struct opts *o)
{
	static const struct {
		uint32_t bit;
		uint8_t protocol;
	} protos[] = {
	    {PROTO_TCP, IPPROTO_TCP},
	    {PROTO_UDP, IPPROTO_UDP},
	    {PROTO_UNIX_MASK, 0}, /* opts_states(): UNIX's */
	};
	size_t w = 0;

	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		uint32_t mask;

		if (!(o->protocols & protos[i].bit)) {
			continue;
		}
		mask = opts_states(o, protos[i].protocol);
		for (unsigned int s = 0; s < SS_MAX; s++) {
			size_t n = strlen(state_name(s, protos[i].protocol));

			if ((mask & SS_BIT(s)) && n > w) {
				w = n;
			}
		}
	}
	return w;
}

/* Widen the bounded columns to the widest text they can hold. */
static void bound_widths(struct table *t, const struct fmt_ctx *ctx)
{
	const struct opts *o = ctx->o;
	size_t addr =
	    o->families & FAM_INET6 ? INET6_ADDR_MAX_LEN : INET_ADDR_MAX_LEN;
	size_t port = PORT_MAX_LEN;
	size_t bound[NCOL] = {0};

	if (ctx->svc && services_name_max(ctx->svc) > port) {
		port = services_name_max(ctx->svc);
	}
	bound[COL_STATE] = state_width(o);
	bound[COL_RECVQ] = QUEUE_MAX_LEN;
	bound[COL_SENDQ] = QUEUE_MAX_LEN;
	bound[COL_LOCAL] = addr + 1 + port;
	bound[COL_PEER] = addr + 1 + port;
	for (int c = 0; c < NCOL; c++) {
		if (bound[c] > t->width[c]) {
			t->width[c] = bound[c];
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
	char netid[8], rq[21], sq[21];
	char local[ENDPOINT_STRLEN], peer[ENDPOINT_STRLEN];
	const char *cell[NCOL];
	size_t len[NCOL];

	cell[COL_NETID] = format_rec_netid(rec, netid);
	cell[COL_STATE] = format_rec_state(rec);
	len[COL_RECVQ] = u64_dec(rq, rec->recv_q);
	len[COL_SENDQ] = u64_dec(sq, rec->send_q);
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

	if (t->streaming) {
		put_row(ctx, cell, len);
		return;
	}
	for (int c = 0; c < NCOL; c++) {
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

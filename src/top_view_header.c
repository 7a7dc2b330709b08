// SPDX-License-Identifier: MIT
/*
 * The header of top's screen (top_view_int.h): the title line, the TCP
 * state meters and their bars, each table's counts, the kernel counters'
 * rates, the pressure line (orphans, the worst tuple), the close rates
 * and the filter line, each fitted to the width.
 */
#include "top_view_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "state.h"

/* The meters, in the order of a connection's life. */
static const uint8_t meter_states[] = {
    SS_LISTEN,	  SS_SYN_SENT,	SS_SYN_RECV,  SS_ESTABLISHED,
    SS_FIN_WAIT1, SS_FIN_WAIT2, SS_TIME_WAIT, SS_CLOSE_WAIT,
    SS_LAST_ACK,  SS_CLOSING,	SS_CLOSE,
};

enum { BAR_WIDTH = 6 };

/* " [||    ]": count against limit, any part of a step shown. */
static void put_bar(struct obuf *lb, uint64_t count, uint64_t limit)
{
	uint64_t fill = limit ? (count * BAR_WIDTH + limit - 1) / limit : 0;

	obuf_puts(lb, " [");
	for (unsigned int i = 0; i < BAR_WIDTH; i++) {
		obuf_putc(lb, i < fill ? '|' : ' ');
	}
	obuf_putc(lb, ']');
}

/* Meter forms, widest first: count, rate, bar; count and rate; count. */
enum meter_form { METER_FULL, METER_RATE, METER_COUNT };
static const int meter_width[] = {38, 29, 17};

static void put_meter(struct obuf *lb, const struct top_ui *ui, uint8_t s,
		      enum meter_form form)
{
	const struct top_snap *snap = &ui->snap[ui->cur];
	uint64_t count = 0, limit = 0;
	double rate = 0;

	for (unsigned int c = 0; c < SS_MAX; c++) {
		if (state_fold(c) == s) {
			count += snap->tcp_states[c];
			rate += ui->rates.state[c];
		}
	}
	obuf_printf(lb, "%-11s%6llu", state_name(s, IPPROTO_TCP),
		    (unsigned long long)count);
	if (form == METER_COUNT) {
		return;
	}
	if (ui->rates.valid) {
		obuf_printf(lb, " %+8.1f/s", rate);
	} else {
		obuf_puts(lb, "        -/s");
	}
	if (form == METER_RATE) {
		return;
	}
	if (s == SS_TIME_WAIT) {
		limit = ui->limits.max_tw_buckets;
	}
	for (unsigned int i = 0; !limit && i < SS_MAX; i++) {
		limit += snap->tcp_states[i];
	}
	put_bar(lb, count, limit);
}

/* Three meters a line, in the widest form that fits; then fewer. */
static void render_meters(struct frame *fr, const struct top_ui *ui)
{
	struct obuf *lb = &fr->v->line;
	enum meter_form form = METER_FULL;
	size_t per_line = 3;

	while (fr->cols > 0 && form < METER_COUNT &&
	       3 * (meter_width[form] + 2) - 2 > fr->cols) {
		form++;
	}
	if (fr->cols > 0 && 3 * (meter_width[form] + 2) - 2 > fr->cols) {
		per_line = (size_t)(fr->cols / (meter_width[form] + 2));
		per_line = per_line ? per_line : 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(meter_states); i += per_line) {
		line_start(fr);
		for (size_t k = i;
		     k < i + per_line && k < ARRAY_SIZE(meter_states); k++) {
			obuf_puts(lb, k > i ? "  " : "");
			put_meter(lb, ui, meter_states[k], form);
		}
		line_emit(fr, TR_HEADER);
	}
}

/* A table's count (table_states) in a state as drawn: folded. */
static uint64_t table_count(const struct top_snap *snap, uint32_t bit,
			    unsigned int shown)
{
	const uint32_t *v = snap->table_states[__builtin_ctz(bit)];
	uint64_t n = 0;

	for (unsigned int c = 0; c < SS_MAX; c++) {
		n += state_fold(c) == shown ? v[c] : 0;
	}
	return n;
}

/*
 * "u_str 12 (ESTABLISHED 10 LISTEN 2)": a table's sockets and, in full
 * form, its states in the meters' order (none at 0) where its rows have
 * more than one (not PACKET's or NETLINK's) and no meters show them
 * (not TCP's).
 */
static void put_table(struct obuf *lb, const struct top_snap *snap,
		      const struct sock_family *f, const struct family_table *t,
		      bool full)
{
	/* The STATE column's names: UNCONN but for TCP. */
	uint8_t proto = f->af == AF_INET ? (uint8_t)t->code : 0;
	uint32_t states = t->states | t->listening;
	uint64_t total = 0, n;
	const char *sep = " (";

	for (unsigned int c = 0; c < SS_MAX; c++) {
		total += snap->table_states[__builtin_ctz(t->bit)][c];
	}
	obuf_printf(lb, "%s %llu", t->name, (unsigned long long)total);
	if (!full || !total || t->bit == PROTO_TCP ||
	    !(states & (states - 1))) {
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(meter_states); i++) {
		n = table_count(snap, t->bit, meter_states[i]);
		if (n) {
			obuf_printf(lb, "%s%s %llu", sep,
				    state_name(meter_states[i], proto),
				    (unsigned long long)n);
			sep = " ";
		}
	}
	obuf_putc(lb, ')');
}

/* Each table put, full or not, wrapped at the width (full: one line). */
static void put_tables(struct frame *fr, const struct top_ui *ui, bool full)
{
	const struct top_snap *snap = &ui->snap[ui->cur];
	struct obuf *lb = &fr->v->line;
	size_t n, start;
	const struct sock_family *const *fams = family_all(&n);
	bool first;

	line_start(fr);
	obuf_puts(lb, "tables:");
	for (size_t i = 0; i < n; i++) {
		for (const struct family_table *t = fams[i]->tables;
		     t && t->name; t++) {
			if (!(ui->o->protocols & t->bit)) {
				continue;
			}
			first = lb->len == strlen("tables:");
			start = lb->len;
			obuf_puts(lb, first ? " " : "  ");
			put_table(lb, snap, fams[i], t, full);
			if (!full && !first && fr->cols > 0 &&
			    lb->len > (size_t)fr->cols) {
				/* The piece starts the next line: put again,
				 * not copied (no buffer to outgrow). */
				lb->len = start;
				line_emit(fr, TR_HEADER);
				line_start(fr);
				obuf_puts(lb, "  ");
				put_table(lb, snap, fams[i], t, full);
			}
		}
	}
}

/*
 * The sockets of every table listed, filter or not, as the meters count
 * TCP's: "tables: tcp 3  udp 2 (ESTABLISHED 1 UNCONN 1)  u_str 12 (...)",
 * when a table beyond TCP and UDP is listed or TCP is not (the default
 * screen keeps its rows). The states go first when the line is too wide;
 * then the counts wrap.
 */
static void render_tables(struct frame *fr, const struct top_ui *ui)
{
	uint32_t p = ui->o->protocols;

	if (!(p & ~PROTO_INET_MASK) && (p & PROTO_TCP)) {
		return;
	}
	put_tables(fr, ui, true);
	if (fr->cols > 0 && fr->v->line.len > (size_t)fr->cols) {
		put_tables(fr, ui, false);
	}
	line_emit(fr, TR_HEADER);
}

/*
 * Orphans against tcp_max_orphans, and the destination tuple with the
 * most sockets against the usable ephemeral ports: the two limits that
 * reset or refuse connections before any state count looks alarming.
 */
static void put_orphans(struct obuf *lb, const struct top_ui *ui)
{
	const struct top_snap *snap = &ui->snap[ui->cur];

	obuf_printf(lb, "orphans (host-wide) %llu",
		    (unsigned long long)snap->counters.orphans);
	if (ui->limits.max_orphans) {
		obuf_printf(lb, " of %llu",
			    (unsigned long long)ui->limits.max_orphans);
		put_bar(lb, snap->counters.orphans, ui->limits.max_orphans);
	}
}

/* --all-netns: whose ports (tuples are counted per namespace). */
static void put_tuple_ns(struct obuf *lb, const struct top_nstab *nst,
			 const struct top_tuple *w)
{
	if (nst) {
		obuf_printf(lb, " in %s", top_nstab_label(nst, w->ns));
	}
}

/* The worst tuple; compact: the destination first, no bar, so that it
 * stays on an 80-column screen. nst: the namespaces (--all-netns). */
static void put_tuple(struct obuf *lb, const struct top_ui *ui,
		      const struct top_nstab *nst, bool compact)
{
	const struct top_tuple *w = &ui->snap[ui->cur].worst;
	uint32_t usable = ui->limits.usable_ports;
	char local[ADDR_STRLEN], peer[ADDR_STRLEN], dest[2 * ADDR_STRLEN + 16];

	if (!w->sockets) {
		obuf_printf(lb, "worst tuple: none of %u ports", usable);
		return;
	}
	addr_format(local, w->family, w->saddr);
	addr_format(peer, w->family, w->daddr);
	snprintf(dest, sizeof(dest),
		 w->family == AF_INET6 ? "%s -> [%s]:%u" : "%s -> %s:%u", local,
		 peer, w->dport);
	if (compact) {
		obuf_printf(lb, "worst tuple %s", dest);
		put_tuple_ns(lb, nst, w);
		obuf_printf(lb, "  %u of %u ports (%.1f%%)", w->sockets, usable,
			    100.0 * w->sockets / usable);
		return;
	}
	obuf_printf(lb, "worst tuple %u of %u ports (%.1f%%)", w->sockets,
		    usable, 100.0 * w->sockets / usable);
	put_bar(lb, w->sockets, usable);
	obuf_printf(lb, " %s", dest);
	put_tuple_ns(lb, nst, w);
}

/*
 * Orphans against tcp_max_orphans, and the destination tuple with the
 * most sockets against the usable ephemeral ports: the two limits that
 * reset or refuse connections before any state count looks alarming.
 * Too wide for one line: two, the tuple's compact if need be.
 */
static void render_pressure(struct frame *fr, const struct top_ui *ui)
{
	const struct top_snap *snap = &ui->snap[ui->cur];
	bool orphans = snap->has_counters && snap->counters.have_orphans;
	bool tuple = ui->limits.usable_ports && snap->eph_lo;
	struct obuf *lb = &fr->v->line;
	size_t cols = fr->cols > 0 ? (size_t)fr->cols : (size_t)-1;

	if (!orphans && !tuple) {
		return;
	}
	line_start(fr);
	if (orphans) {
		put_orphans(lb, ui);
		obuf_puts(lb, tuple ? "  " : "");
	}
	if (tuple) {
		put_tuple(lb, ui, fr->v->env->nst, false);
	}
	if (lb->len > cols && tuple) {
		if (orphans) {
			line_start(fr);
			put_orphans(lb, ui);
			line_emit(fr, TR_HEADER);
		}
		line_start(fr);
		put_tuple(lb, ui, fr->v->env->nst, false);
		if (lb->len > cols) {
			line_start(fr);
			put_tuple(lb, ui, fr->v->env->nst, true);
		}
	}
	line_emit(fr, TR_HEADER);
}

static size_t gone_items(const struct top_ui *ui)
{
	return ui->ord.group == TOP_GROUP_NONE ? ui->gones.n : 0;
}

/* The busiest state not shown yet, SS_MAX when none closed. */
static size_t next_rate(const struct top_gones *g, const bool shown[SS_MAX])
{
	size_t best = SS_MAX;

	for (size_t s = 0; s < SS_MAX; s++) {
		if (!shown[s] && g->rate[s] > 0 &&
		    (best == SS_MAX || g->rate[s] > g->rate[best])) {
			best = s;
		}
	}
	return best;
}

/*
 * "closed 3.0/s: TIME_WAIT 2.0 ESTABLISHED 1.0  lost 2": closes per second
 * over the last interval by the state the view last showed (a socket born
 * since: the state the kernel announced), busiest first, as many as fit
 * the width; the events the kernel dropped, when any.
 */
static void render_closes(struct frame *fr, const struct top_ui *ui)
{
	const struct top_gones *g = &ui->gones;
	struct obuf *lb = &fr->v->line;
	bool shown[SS_MAX] = {false};
	char lost[48] = "", piece[48];
	size_t best;
	int n;

	line_start(fr);
	if (g->lost) {
		snprintf(lost, sizeof(lost), "  lost %llu",
			 (unsigned long long)g->lost);
	}
	if (!g->valid) {
		obuf_printf(lb, "closed -/s%s", lost);
		line_emit(fr, TR_HEADER);
		return;
	}
	obuf_printf(lb, "closed %.1f/s", g->total);
	for (size_t k = 0; (best = next_rate(g, shown)) < SS_MAX; k++) {
		shown[best] = true;
		n = snprintf(piece, sizeof(piece), "%s %s %.1f", k ? "" : ":",
			     state_name((uint8_t)best, IPPROTO_TCP),
			     g->rate[best]);
		if (fr->cols > 0 &&
		    lb->len + (size_t)n + strlen(lost) > (size_t)fr->cols) {
			break;
		}
		obuf_puts(lb, piece);
	}
	obuf_puts(lb, lost);
	line_emit(fr, TR_HEADER);
}

/* --all-netns: how many namespaces the rows and meters cover, and the
 * ones that could not be entered (their labels escaped already). */
static void render_namespaces(struct frame *fr, const struct top_nstab *t)
{
	struct obuf *lb = &fr->v->line;

	line_start(fr);
	obuf_printf(lb,
		    "namespaces %zu (state meters: node-wide; counters: "
		    "this namespace)",
		    t->n);
	if (t->skipped) {
		obuf_printf(lb, "  skipped %u: %s", t->skipped,
			    t->skipped_names);
	}
	line_emit(fr, TR_HEADER);
}

/* The kernel's TCP counters per second (the first refresh: the line
 * keeps its place). */
static void render_counters(struct frame *fr, const struct top_ui *ui)
{
	const struct top_snap *snap = &ui->snap[ui->cur];

	if (snap->has_counters && ui->rates.has_counters) {
		line_start(fr);
		obuf_printf(&fr->v->line,
			    "new connections %.1f/s  retransmits %.1f/s  "
			    "ListenOverflows %.1f/s",
			    ui->rates.new_conns, ui->rates.retrans_segs,
			    ui->rates.listen_overflows);
		line_emit(fr, TR_HEADER);
	} else if (snap->has_counters) {
		emit_text(fr, TR_HEADER,
			  "new connections -/s  retransmits -/s  "
			  "ListenOverflows -/s");
	}
}

void top_view_header(struct frame *fr, const struct top_ui *ui)
{
	const struct top_env *env = fr->v->env;
	const struct top_snap *snap = &ui->snap[ui->cur];
	struct obuf *lb = &fr->v->line;
	bool tcp = ui->o->protocols & PROTO_TCP;

	line_start(fr);
	/* The host name is set by whoever owns the UTS namespace. */
	obuf_puts(lb, "sockscope top - ");
	obuf_escape_text(lb, env->host, strlen(env->host));
	obuf_puts(lb, "  kernel ");
	obuf_escape_text(lb, env->kernel, strlen(env->kernel));
	obuf_puts(lb, "  ");
	obuf_escape_text(lb, env->netns, strlen(env->netns));
	obuf_printf(lb, "  every %.1fs", top_ui_interval_ms(ui) / 1000.0);
	if (top_ui_interval_ms(ui) != ui->delay_ms) {
		obuf_printf(lb, " (stretched from %.1fs)",
			    ui->delay_ms / 1000.0);
	}
	obuf_printf(lb, "  sockets %llu  refresh %.1f ms",
		    (unsigned long long)snap->total, snap->took * 1000.0);
	if (ui->n_tags) {
		obuf_printf(lb, "  tagged %zu", ui->n_tags);
	}
	obuf_puts(lb, ui->paused ? "  [paused]" : "");
	obuf_puts(lb, ui->items.is_frozen ? "  [order frozen]" : "");
	line_emit(fr, TR_HEADER);
	if (env->nst) {
		render_namespaces(fr, env->nst);
	}
	/* The meters, the counter rates, orphans and the worst tuple are
	 * TCP's: a view of other tables has none of them (top -x had 11
	 * meters at 0), the per-table line instead. */
	if (tcp) {
		render_meters(fr, ui);
	}
	render_tables(fr, ui);
	if (tcp) {
		render_counters(fr, ui);
		render_pressure(fr, ui);
	}
	render_closes(fr, ui);
	line_start(fr);
	obuf_puts(lb, "filter: ");
	obuf_escape_text(lb, ui->filter_text, strlen(ui->filter_text));
	if (!ui->filter && ui->o->filter_path) {
		/* The command line's filter came (also) from a file. */
		obuf_puts(lb, ui->filter_text[0] ? " + -F " : "-F ");
		obuf_escape_text(lb, ui->o->filter_path,
				 strlen(ui->o->filter_path));
	} else if (!ui->filter_text[0]) {
		obuf_puts(lb, "(none)");
	}
	obuf_printf(lb, "  group: %s  rows: %zu", top_group_name(ui->ord.group),
		    ui->items.n - gone_items(ui));
	/* On this short line, not the first (which a narrow terminal cuts):
	 * at a million sockets a refresh takes seconds. */
	obuf_puts(lb, ui->refreshing ? "  [refreshing]" : "");
	line_emit(fr, TR_HEADER);
}

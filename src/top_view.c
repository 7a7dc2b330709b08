// SPDX-License-Identifier: MIT
#include "top_view.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "diagram.h"
#include "family.h"
#include "field.h"
#include "state.h"

enum { LINE_CAP = 4 * TOP_VIEW_MAX_COLS };

static const struct field *col_def(enum top_col c)
{
	return field_get((enum field_id)c);
}

static int total_width(const struct top_layout *l)
{
	int w = l->n ? (int)l->n - 1 : 0; /* one blank between columns */

	for (size_t i = 0; i < l->n; i++) {
		w += l->width[i];
	}
	return w;
}

static void drop_least(struct top_layout *l)
{
	size_t victim = 0;

	for (size_t i = 1; i < l->n; i++) {
		if (col_def(l->col[i])->keep < col_def(l->col[victim])->keep) {
			victim = i;
		}
	}
	if (col_def(l->col[victim])->keep >= 100) {
		return;
	}
	memmove(&l->col[victim], &l->col[victim + 1],
		(l->n - victim - 1) * sizeof(l->col[0]));
	memmove(&l->width[victim], &l->width[victim + 1],
		(l->n - victim - 1) * sizeof(l->width[0]));
	l->n--;
}

static void grow_flex(struct top_layout *l, int width,
		      const int want[TOP_COL_MAX])
{
	int spare = width > 0 ? width - total_width(l) : 1 << 20;

	for (size_t i = 0; i < l->n && spare > 0; i++) {
		int more;

		if (!col_def(l->col[i])->flex) {
			continue;
		}
		more = want[l->col[i]] - l->width[i];
		if (more > spare) {
			more = spare;
		}
		if (more > 0) {
			l->width[i] += more;
			spare -= more;
		}
	}
}

void top_layout_fit(struct top_layout *l, enum top_group g, bool has_process,
		    int width, const int want[TOP_COL_MAX])
{
	top_layout_fit_have(l, g, has_process ? FIELD_NEED_PROCESS : 0, width,
			    want);
}

void top_layout_fit_have(struct top_layout *l, enum top_group g,
			 unsigned int have, int width,
			 const int want[TOP_COL_MAX])
{
	enum top_col order[TOP_COL_MAX];
	size_t before, n;

	if (width > TOP_VIEW_MAX_COLS) {
		width = TOP_VIEW_MAX_COLS;
	}
	l->n = 0;
	n = top_mode_cols(g, order);
	for (size_t i = 0; i < n; i++) {
		if (col_def(order[i])->needs & ~have) {
			continue;
		}
		l->col[l->n] = order[i];
		l->width[l->n] = col_def(order[i])->top_width;
		l->n++;
	}
	do {
		before = l->n;
		if (width > 0 && total_width(l) > width) {
			drop_least(l);
		}
	} while (l->n != before);
	grow_flex(l, width, want);
}

void top_view_init(struct top_view *v, const struct top_env *env)
{
	obuf_init(&v->line, -1, LINE_CAP);
	v->env = env;
	v->cursor_y = -1;
	v->cursor_x = 0;
}

void top_view_finish(struct top_view *v)
{
	v->line.len = 0; /* nothing to flush: it never had a file */
	obuf_finish(&v->line);
}

struct frame {
	struct top_view *v;
	top_sink_fn sink;
	void *ctx;
	int y;
	int cols; /* <= 0: no limit */
};

static void line_start(struct frame *fr)
{
	fr->v->line.len = 0;
}

/* Hand the line to the sink, cut to the screen width. */
static void line_emit(struct frame *fr, enum term_role role)
{
	struct obuf *lb = &fr->v->line;

	if (fr->cols > 0 && lb->len > (size_t)fr->cols) {
		lb->len = (size_t)fr->cols;
	}
	if (lb->len >= lb->cap) {
		lb->len = lb->cap - 1;
	}
	lb->buf[lb->len] = '\0';
	fr->sink(fr->ctx, fr->y++, role, lb->buf);
}

static void emit_text(struct frame *fr, enum term_role role, const char *s)
{
	line_start(fr);
	obuf_puts(&fr->v->line, s);
	line_emit(fr, role);
}

/* Fit what was written since start into w cells; endpoints keep the end. */
static void cell_fit(struct obuf *lb, size_t start, int w, bool right,
		     bool keep_end)
{
	size_t len = lb->len - start, width = (size_t)w;

	if (len > width) {
		if (keep_end && width > 1) {
			memmove(lb->buf + start + 1,
				lb->buf + start + len - (width - 1), width - 1);
			lb->buf[start] = '~';
		}
		lb->len = start + width;
		return;
	}
	if (right) {
		memmove(lb->buf + start + (width - len), lb->buf + start, len);
		memset(lb->buf + start, ' ', width - len);
		lb->len = start + width;
		return;
	}
	obuf_pad(lb, width - len);
}

static void put_cell(struct obuf *lb, const struct top_env *env,
		     const struct top_ref *it, enum top_col c, enum top_group g)
{
	field_top_cell(col_def(c), lb, env, it, g);
}

static enum term_role row_role(const struct top_ui *ui,
			       const struct top_ref *it, enum top_group g)
{
	if (it->gone) {
		return TR_DIM; /* as htop's exited processes */
	}
	if (g == TOP_GROUP_NONE && top_ui_tagged(ui, it->rep->cookie)) {
		return TR_TAGGED;
	}
	if (g != TOP_GROUP_NONE && g != TOP_GROUP_STATE) {
		return TR_NORMAL;
	}
	switch (it->rep->state) {
	case SS_LISTEN:
		return TR_GOOD;
	case SS_CLOSE_WAIT:
		return TR_WARN;
	case SS_TIME_WAIT:
		return TR_DIM;
	default:
		return TR_NORMAL;
	}
}

/* Widest text of each flexible column over items [from, to). */
static void measure(struct top_view *v, const struct top_ui *ui, size_t from,
		    size_t to, int want[TOP_COL_MAX])
{
	static const enum top_col flex[] = {TOP_COL_LOCAL, TOP_COL_PEER,
					    TOP_COL_NETNS, TOP_COL_KEY};
	struct obuf *lb = &v->line;

	for (size_t k = 0; k < ARRAY_SIZE(flex); k++) {
		want[flex[k]] = (int)strlen(col_def(flex[k])->top_title) + 1;
		if (!top_col_in_mode(flex[k], ui->ord.group)) {
			continue;
		}
		for (size_t i = from; i < to; i++) {
			struct top_ref ref;

			top_items_ref(&ui->items, &ui->items.v[i], &ref);
			lb->len = 0;
			put_cell(lb, v->env, &ref, flex[k], ui->ord.group);
			if ((int)lb->len > want[flex[k]]) {
				want[flex[k]] = (int)lb->len;
			}
		}
	}
	lb->len = 0;
}

static void put_title_cell(struct obuf *lb, enum top_col c,
			   const struct top_order *ord)
{
	obuf_puts(lb, col_def(c)->top_title);
	if (c == ord->sort) {
		/* Which way it sorts: the arrow points at the top. */
		obuf_putc(lb, top_col_desc(c) != ord->invert ? 'v' : '^');
	}
}

/* One line of the table: item's cells, or the titles when it is NULL. */
static void put_row(struct obuf *lb, const struct top_env *env,
		    const struct top_layout *l, const struct top_ref *it,
		    const struct top_order *ord)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct field *cd = col_def(l->col[i]);
		size_t start;

		if (i) {
			obuf_putc(lb, ' ');
		}
		start = lb->len;
		if (it) {
			put_cell(lb, env, it, l->col[i], ord->group);
		} else {
			put_title_cell(lb, l->col[i], ord);
		}
		cell_fit(lb, start, l->width[i], cd->right, it && cd->flex);
	}
}

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

static void render_header(struct frame *fr, const struct top_ui *ui)
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

/* NULL: the kill keys' line, which depends on --readonly. */
static const char *const help_text[] = {
    "sockscope top: keys",
    "",
    "  F1 h ?          this help (any key closes it)",
    "  F3 /            filter prompt: the command-line filter language,",
    "                  e.g. state time-wait; Enter applies, Esc cancels",
    "  \\               search: Enter jumps to the next row holding the",
    "                  text (state, address:port, process); no filtering",
    "  F4 g            grouping: sockets, state, local port, remote host,",
    "                  remote host:port, process (by pid), namespace",
    "                  (--all-netns)",
    "  F5 Z z p        pause / resume refreshing",
    "  + - d           refresh interval: longer / shorter / cycle",
    "  F6 > <          sort by the next / previous column",
    "  I               invert the sort order",
    "  o               freeze the row order / release it",
    "  Space           tag / untag the selected socket",
    "  c               tag the sockets of the selected socket's process",
    "  U               untag all",
    NULL,
    "  a               show / hide the advice pane",
    "  D               TCP state machine with live counts (any key closes)",
    "  arrows PgUp PgDn Home End   move the selection",
    "  Ctrl-L          repaint",
    "  F10 q           quit",
};

static void render_help(struct frame *fr, const struct top_ui *ui, int last)
{
	for (size_t i = 0; i < ARRAY_SIZE(help_text) && fr->y < last; i++) {
		const char *t = help_text[i];

		if (!t) {
			t = top_ui_can_kill(ui) ? "  F9 k            close the "
						  "tagged sockets (or "
						  "the selected one), after y/n"
			    : ui->src->kill	? "  (F9 k           off: "
						  "read-only (--readonly))"
					    : "  (F9 k           off: closing "
					      "sockets is not "
					      "available)";
		}
		emit_text(fr, i ? TR_NORMAL : TR_TITLE, t);
	}
}

/* The state machine, counts of every TCP socket and the change since the
 * previous refresh, in the rows [fr->y, last). */
static void render_diagram(struct frame *fr, struct top_ui *ui, int last)
{
	const struct top_snap *prev = &ui->snap[ui->cur ^ 1u];
	uint64_t now[SS_MAX], before[SS_MAX];

	diagram_fold_counts(now, top_ui_snap(ui)->tcp_states);
	diagram_fold_counts(before, prev->tcp_states);
	for (size_t i = 0; i < diagram_lines() && fr->y < last; i++) {
		line_start(fr);
		diagram_render_line(&fr->v->line, i, now,
				    prev->when > 0.0 ? before : NULL);
		line_emit(fr, TR_NORMAL);
	}
	while (fr->y < last) {
		emit_text(fr, TR_NORMAL, "");
	}
}

/* Table title and the rows that fit in [fr->y, last). */
/* Every row, or the first --rows. */
static size_t batch_rows(const struct top_ui *ui)
{
	size_t rows = ui->o->top_rows;

	return rows && rows < ui->items.n ? rows : ui->items.n;
}

static void render_table(struct frame *fr, struct top_ui *ui, int last,
			 bool batch)
{
	struct top_view *v = fr->v;
	int want[TOP_COL_MAX] = {0};
	struct top_layout l;
	size_t page = batch ? batch_rows(ui) : (size_t)(last - fr->y - 1);
	size_t end;

	if (!batch && last - fr->y < 2) {
		page = 0;
	}
	ui->page = page;
	if (batch) {
		ui->first = 0;
	} else {
		/* Scroll just enough to show the selection. */
		if (ui->sel < ui->first) {
			ui->first = ui->sel;
		} else if (page && ui->sel >= ui->first + page) {
			ui->first = ui->sel - page + 1;
		}
		if (ui->first + page > ui->items.n) {
			ui->first = ui->items.n > page ? ui->items.n - page : 0;
		}
	}
	end = ui->first + page < ui->items.n ? ui->first + page : ui->items.n;
	/* Only the rows drawn need their place in the order. */
	top_items_need(&ui->items, end);
	measure(v, ui, ui->first, end, want);
	top_layout_fit_have(&l, ui->ord.group, top_ui_have(ui), fr->cols, want);
	if (!batch && fr->y >= last) {
		return;
	}
	line_start(fr);
	put_row(&v->line, v->env, &l, NULL, &ui->ord);
	line_emit(fr, TR_TITLE);
	for (size_t i = ui->first; i < end; i++) {
		struct top_ref it;

		top_items_ref(&ui->items, &ui->items.v[i], &it);
		line_start(fr);
		put_row(&v->line, v->env, &l, &it, &ui->ord);
		line_emit(fr, !batch && i == ui->sel
				  ? TR_SELECTED
				  : row_role(ui, &it, ui->ord.group));
	}
}

static enum term_role advice_role(enum top_severity s)
{
	return s == TOP_SEV_CRIT   ? TR_BAD
	       : s == TOP_SEV_WARN ? TR_WARN
				   : TR_GOOD;
}

static int advice_lines(const struct top_ui *ui)
{
	if (!ui->show_advice || !ui->src->advice) {
		return 0;
	}
	return 1 + (ui->n_advice ? (int)ui->n_advice : 1);
}

/* The table keeps its title and this many rows before advice takes any. */
enum { TABLE_MIN_ROWS = 5 };

/* Advice lines that fit under a table given avail lines in all: none
 * unless the title and one piece of advice fit too. */
static int advice_fit(const struct top_ui *ui, int avail)
{
	int room = avail - 1 - TABLE_MIN_ROWS;
	int want = advice_lines(ui);

	if (room < 2) {
		return 0;
	}
	return want < room ? want : room;
}

/* The pane in at most max lines (< 0: every line). */
static void render_advice(struct frame *fr, const struct top_ui *ui, int max)
{
	struct obuf *lb = &fr->v->line;
	size_t n = ui->n_advice;

	if (!advice_lines(ui) || !max) {
		return;
	}
	if (max > 0 && n > (size_t)(max - 1)) {
		n = (size_t)(max - 1);
	}
	emit_text(fr, TR_TITLE, "Advice (a hides)");
	if (!ui->n_advice) {
		emit_text(fr, TR_GOOD, "  nothing to report");
	}
	for (size_t i = 0; i < n; i++) {
		line_start(fr);
		obuf_puts(lb, "  ");
		obuf_escape_text(
		    lb, ui->advice[i].text,
		    strnlen(ui->advice[i].text, sizeof(ui->advice[i].text)));
		line_emit(fr, advice_role(ui->advice[i].severity));
	}
}

static void render_fkeys(struct frame *fr, const struct top_ui *ui)
{
	struct obuf *lb = &fr->v->line;

	line_start(fr);
	obuf_puts(lb, "F1 Help  F3 Filter  F4 Group  F5 Pause  F6 Sort");
	obuf_puts(lb, top_ui_can_kill(ui) ? "  F9 Kill" : "");
	obuf_puts(lb, ui->src->advice ? "  a Advice" : "");
	obuf_puts(lb, "  F10 Quit");
	if (fr->cols > 0 && lb->len > (size_t)fr->cols) {
		/* htop's tight form, so that Quit stays on screen. */
		line_start(fr);
		obuf_puts(lb, "F1Help F3Filter F4Group F5Pause F6Sort");
		obuf_puts(lb, top_ui_can_kill(ui) ? " F9Kill" : "");
		obuf_puts(lb, " F10Quit");
	}
	line_emit(fr, TR_FKEY);
}

/*
 * "Close 3 sockets: a -> b, c -> d, +1 more? (y/n)": how many and which,
 * as many as fit with the question kept whole at the end.
 */
static void render_question(struct frame *fr, const struct top_ui *ui)
{
	static const char tail[] = "? (y/n)";
	struct obuf *lb = &fr->v->line;
	size_t room = fr->cols > 0 ? (size_t)fr->cols : LINE_CAP / 2;
	size_t i;

	line_start(fr);
	if (ui->n_confirm == 1) {
		obuf_puts(lb, "Close ");
	} else {
		obuf_printf(lb, "Close %zu sockets: ", ui->n_confirm);
	}
	for (i = 0; i < ui->n_confirm; i++) {
		size_t before = lb->len;

		obuf_puts(lb, i ? ", " : "");
		field_top_endpoint(lb, &fr->v->env->fc, &ui->confirm[i].rec,
				   false);
		obuf_puts(lb, " -> ");
		field_top_endpoint(lb, &fr->v->env->fc, &ui->confirm[i].rec,
				   true);
		/* Room for ", +N more" and the question after this one. */
		if (i && lb->len + 16 + sizeof(tail) > room) {
			lb->len = before;
			break;
		}
	}
	if (i < ui->n_confirm) {
		obuf_printf(lb, ", +%zu more", ui->n_confirm - i);
	}
	obuf_puts(lb, tail);
	line_emit(fr, TR_PROMPT);
}

/* The bottom line: the prompt, the y/n question or the function bar. */
static void render_footer(struct frame *fr, struct top_ui *ui)
{
	struct obuf *lb = &fr->v->line;

	fr->v->cursor_y = -1;
	if (ui->message[0]) {
		line_start(fr);
		obuf_puts(lb, ui->message_is_error ? "error: " : "");
		obuf_escape_text(lb, ui->message, strlen(ui->message));
		line_emit(fr, ui->message_is_error ? TR_BAD : TR_NORMAL);
	}
	if (ui->mode == TOP_MODE_PROMPT || ui->mode == TOP_MODE_SEARCH) {
		line_start(fr);
		obuf_puts(lb, ui->mode == TOP_MODE_SEARCH ? "Search: "
							  : "Filter: ");
		obuf_escape_text(lb, ui->input, strlen(ui->input));
		fr->v->cursor_y = fr->y;
		fr->v->cursor_x = (int)lb->len;
		line_emit(fr, TR_PROMPT);
	} else if (ui->mode == TOP_MODE_CONFIRM) {
		render_question(fr, ui);
	} else {
		render_fkeys(fr, ui);
	}
}

void top_view_render(struct top_view *v, struct top_ui *ui, int rows, int cols,
		     top_sink_fn sink, void *ctx)
{
	struct frame fr = {.v = v, .sink = sink, .ctx = ctx, .cols = cols};
	bool batch = rows <= 0;
	int bottom = batch ? 0 : 1 + (ui->message[0] ? 1 : 0);
	int last, advice = -1;

	render_header(&fr, ui);
	if (!batch) {
		advice = advice_fit(ui, rows - bottom - fr.y);
	}
	last = batch ? fr.y + 1 : rows - bottom - advice;
	if (ui->mode == TOP_MODE_HELP && !batch) {
		render_help(&fr, ui, rows - bottom);
	} else if (ui->mode == TOP_MODE_DIAGRAM && !batch) {
		render_diagram(&fr, ui, rows - bottom);
	} else {
		render_table(&fr, ui, last, batch);
		if (!batch) {
			fr.y = last;
		} else if (advice_lines(ui)) {
			emit_text(&fr, TR_NORMAL, "");
		}
		render_advice(&fr, ui, advice);
	}
	if (!batch) {
		fr.y = rows - bottom;
		render_footer(&fr, ui);
	}
}

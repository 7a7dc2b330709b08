// SPDX-License-Identifier: MIT
#include "top_view.h"

#include <string.h>

#include "diagram.h"
#include "field.h"
#include "top_view_int.h"

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

	top_view_header(&fr, ui);
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

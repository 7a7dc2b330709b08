/*
 * top_view_int.h - what the two halves of top's view share, and no other
 * module: the frame being drawn and its line helpers. top_view.c draws
 * the screen and its body (table, advice, help, diagram, bottom line);
 * top_view_header.c the header above the table.
 */
#ifndef SOCKSCOPE_TOP_VIEW_INT_H
#define SOCKSCOPE_TOP_VIEW_INT_H

#include "top_view.h"

struct frame {
	struct top_view *v;
	top_sink_fn sink;
	void *ctx;
	int y;
	int cols; /* <= 0: no limit */
};

static inline void line_start(struct frame *fr)
{
	fr->v->line.len = 0;
}

/* Hand the line to the sink, cut to the screen width. */
static inline void line_emit(struct frame *fr, enum term_role role)
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

static inline void emit_text(struct frame *fr, enum term_role role,
			     const char *s)
{
	line_start(fr);
	obuf_puts(&fr->v->line, s);
	line_emit(fr, role);
}

/*
 * The header from fr->y on, one line at a time into fr's sink: title,
 * namespaces, meters, tables, counters, pressure, closes, filter and
 * grouping. fr->y is left on the line after it.
 */
void top_view_header(struct frame *fr, const struct top_ui *ui);

#endif

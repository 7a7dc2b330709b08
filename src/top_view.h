/*
 * top_view.h - the screen of `sockscope top` as lines of text: header
 * meters, the table, the advice pane, the function bar or the prompt.
 * No curses: every finished line goes to a sink (the terminal, stdout in
 * batch mode, or a test), tagged with its semantic role.
 *
 * Only the rows on screen are formatted; a line is built in one buffer
 * that lives as long as the struct top_view.
 */
#ifndef SOCKSCOPE_TOP_VIEW_H
#define SOCKSCOPE_TOP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "format.h"
#include "term.h"
#include "top.h"
#include "top_netns.h"
#include "util.h"

/* Widest line the view builds; wider terminals get blank space. */
#define TOP_VIEW_MAX_COLS 1024

/* Which columns the table shows, left to right, and how wide. */
struct top_layout {
	size_t n;
	enum top_col col[TOP_COL_MAX];
	int width[TOP_COL_MAX];
};

/*
 * Fit the columns of grouping g into width (<= 0: no limit): fixed columns
 * at their width, flexible ones (addresses, group key) at least their
 * minimum and at most want[col] (the widest text to show). When they do
 * not fit, columns are dropped least important first (INODE, UID, RTT, RETRANS,
 * PROCESS, TIMER, Send-Q, Recv-Q, PEER); STATE and LOCAL (or the group key
 * and COUNT) always stay.
 */
void top_layout_fit(struct top_layout *l, enum top_group g, bool has_process,
		    int width, const int want[TOP_COL_MAX]);
/* As top_layout_fit(), with what the view has (enum field_need bits):
 * a column whose field needs more is left out. */
void top_layout_fit_have(struct top_layout *l, enum top_group g,
			 unsigned int have, int width,
			 const int want[TOP_COL_MAX]);

typedef void (*top_sink_fn)(void *ctx, int y, enum term_role role,
			    const char *text);

/* Facts that do not change while top runs, for the header. */
struct top_env {
	char host[65];
	char kernel[65];
	char netns[128];   /* "netns NAME" (-N) or the kernel's net:[id] */
	struct fmt_ctx fc; /* services and interface names for endpoints */
	/* --all-netns: the rows' namespaces (labels, how many, skipped);
	 * NULL: one namespace, no NETNS column. */
	const struct top_nstab *nst;
};

struct top_view {
	struct obuf line;
	const struct top_env *env;
	int cursor_y; /* where the terminal cursor goes (prompt); -1: hidden */
	int cursor_x;
};

void top_view_init(struct top_view *v, const struct top_env *env);
void top_view_finish(struct top_view *v);

/*
 * Render ui on a rows x cols screen into sink, one call per line, y from
 * 0. Sets ui->page (item rows that fit) and scrolls ui->first so the
 * selection is visible. rows <= 0 is batch mode: every item, no
 * selection bar, no function bar; cols <= 0: no width limit.
 */
void top_view_render(struct top_view *v, struct top_ui *ui, int rows, int cols,
		     top_sink_fn sink, void *ctx);

#endif

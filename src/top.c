// SPDX-License-Identifier: MIT
#include "top.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "ifname.h"
#include "term.h"
#include "util.h"

/* The command line's filter words as the prompt's starting text. */
static void join_words(char *buf, size_t size, int argc, char *const *argv)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "",
				 argv[i]);

		len += n > 0 ? (size_t)n : 0;
	}
}

void top_ui_init(struct top_ui *ui, const struct opts *o,
		 const struct top_sources *src)
{
	memset(ui, 0, sizeof(*ui));
	ui->o = o;
	ui->src = src;
	top_snap_init(&ui->snap[0]);
	top_snap_init(&ui->snap[1]);
	top_items_init(&ui->items);
	ui->ord =
	    (struct top_order){.group = TOP_GROUP_NONE, .sort = TOP_COL_STATE};
	ui->show_advice = src->advice != NULL;
	ui->page = 1;
	/* Read now as well: the first refresh counts tuples by the range. */
	if (src->limits && src->limits(src->ctx, &ui->limits)) {
		memset(&ui->limits, 0, sizeof(ui->limits));
	}
	join_words(ui->filter_text, sizeof(ui->filter_text), o->filter_argc,
		   o->filter_argv);
}

void top_ui_finish(struct top_ui *ui)
{
	top_snap_finish(&ui->snap[0]);
	top_snap_finish(&ui->snap[1]);
	top_items_finish(&ui->items);
	filter_destroy(ui->filter);
	ui->filter = NULL;
}

const struct filter *top_ui_filter(const struct top_ui *ui)
{
	return ui->filter ? ui->filter : ui->o->filter;
}

bool top_ui_can_kill(const struct top_ui *ui)
{
	return ui->src->kill && !ui->o->top_readonly;
}

bool top_ui_has_process(const struct top_ui *ui)
{
	return ui->src->process != NULL;
}

/* Put the selection back on the item it was on, or keep its index. */
static void follow_selection(struct top_ui *ui)
{
	const struct top_items *it = &ui->items;

	for (size_t i = 0; i < it->n; i++) {
		if (it->v[i].id == ui->sel_id) {
			ui->sel = i;
			return;
		}
	}
	if (ui->sel >= it->n) {
		ui->sel = it->n ? it->n - 1 : 0;
	}
	ui->sel_id = it->n ? it->v[ui->sel].id : 0;
}

void top_ui_rebuild(struct top_ui *ui)
{
	top_items_build(&ui->items, top_ui_snap(ui), &ui->ord);
	follow_selection(ui);
}

/* Whether the socket the question names is in the latest snapshot. */
static bool confirm_present(struct top_ui *ui)
{
	const struct top_snap *s = top_ui_snap(ui);

	for (size_t i = 0; i < s->n; i++) {
		if (s->rows[i].cookie == ui->confirm.cookie) {
			return true;
		}
	}
	return false;
}

static void confirm_gone(struct top_ui *ui)
{
	ui->mode = TOP_MODE_TABLE;
	snprintf(ui->message, sizeof(ui->message),
		 "not closed: the socket went away while you were asked");
	ui->message_is_error = true;
}

void top_ui_refreshed(struct top_ui *ui)
{
	const struct top_sources *src = ui->src;

	ui->refreshes++;
	top_rates_compute(&ui->rates, &ui->snap[ui->cur ^ 1u], top_ui_snap(ui));
	if (src->limits && src->limits(src->ctx, &ui->limits)) {
		memset(&ui->limits, 0, sizeof(ui->limits));
	}
	/* Advice costs a summary of every row: only while it is shown. */
	ui->n_advice = src->advice && ui->show_advice
			   ? src->advice(src->ctx, top_ui_snap(ui), ui->advice,
					 TOP_ADVICE_MAX)
			   : 0;
	top_ui_rebuild(ui);
	/* The question is about one socket: it is not passed on to the
	 * row that took that socket's place. */
	if (ui->mode == TOP_MODE_CONFIRM && !confirm_present(ui)) {
		confirm_gone(ui);
	}
}

/* Split text on blanks into at most max words, in place. */
static int split_words(char *text, char **argv, int max)
{
	int argc = 0;
	char *p = text;

	while (*p) {
		while (isspace((unsigned char)*p)) {
			*p++ = '\0';
		}
		if (!*p) {
			break;
		}
		if (argc == max) {
			return -E2BIG;
		}
		argv[argc++] = p;
		while (*p && !isspace((unsigned char)*p)) {
			p++;
		}
	}
	return argc;
}

int top_ui_set_filter(struct top_ui *ui, const char *text)
{
	char buf[TOP_TEXT_MAX];
	char *argv[TOP_TEXT_MAX / 2];
	struct filter_error ferr = {0};
	struct filter *f;
	int argc;

	snprintf(buf, sizeof(buf), "%s", text);
	argc = split_words(buf, argv, (int)ARRAY_SIZE(argv));
	if (argc < 0 || filter_parse(argc, argv, &f, &ferr)) {
		snprintf(ui->message, sizeof(ui->message), "%s",
			 argc < 0 ? "too many words" : ferr.msg);
		ui->message_is_error = true;
		return -EINVAL;
	}
	/* top runs in the namespace it shows: names resolve here. */
	if (filter_resolve_devs(f, ifnames_index_fn, NULL, ui->message,
				sizeof(ui->message))) {
		filter_destroy(f);
		ui->message_is_error = true;
		return -ENODEV;
	}
	filter_destroy(ui->filter);
	ui->filter = f;
	snprintf(ui->filter_text, sizeof(ui->filter_text), "%s", text);
	ui->message[0] = '\0';
	ui->message_is_error = false;
	return 0;
}

static unsigned int prompt_key(struct top_ui *ui, int key)
{
	size_t len = strlen(ui->input);

	switch (key) {
	case TK_ESC:
		ui->mode = TOP_MODE_TABLE;
		ui->message[0] = '\0';
		return TOP_HANDLED | TOP_REDRAW;
	case TK_ENTER:
		if (top_ui_set_filter(ui, ui->input)) {
			return TOP_HANDLED | TOP_REDRAW; /* error stays shown */
		}
		ui->mode = TOP_MODE_TABLE;
		return TOP_HANDLED | TOP_COLLECT;
	case TK_BACKSPACE:
		if (len) {
			ui->input[len - 1] = '\0';
		}
		return TOP_HANDLED | TOP_REDRAW;
	case TK_CTRL('u'):
		ui->input[0] = '\0';
		return TOP_HANDLED | TOP_REDRAW;
	default:
		if (key >= 0x20 && key < 0x7f && len + 1 < sizeof(ui->input)) {
			ui->input[len] = (char)key;
			ui->input[len + 1] = '\0';
			return TOP_HANDLED | TOP_REDRAW;
		}
		return key == TK_RESIZE ? TOP_REDRAW : TOP_HANDLED;
	}
}

static unsigned int confirm_key(struct top_ui *ui, int key)
{
	const struct top_sources *src = ui->src;
	int err;

	if (key == TK_RESIZE) {
		return TOP_REDRAW;
	}
	ui->mode = TOP_MODE_TABLE;
	if (key != 'y' && key != 'Y') {
		snprintf(ui->message, sizeof(ui->message), "not closed");
		ui->message_is_error = false;
		return TOP_HANDLED | TOP_REDRAW;
	}
	if (!confirm_present(ui)) {
		confirm_gone(ui);
		return TOP_HANDLED | TOP_REDRAW;
	}
	err = src->kill(src->ctx, &ui->confirm);
	if (err == -ENOENT || err == -ESTALE) {
		confirm_gone(ui);
		return TOP_HANDLED | TOP_COLLECT;
	}
	snprintf(ui->message, sizeof(ui->message), "close: %s",
		 err ? strerror(-err) : "done");
	ui->message_is_error = err != 0;
	return TOP_HANDLED | TOP_COLLECT;
}

static void move_sel(struct top_ui *ui, long delta)
{
	long n = (long)ui->items.n;
	long s = (long)ui->sel + delta;

	if (s >= n) {
		s = n - 1;
	}
	if (s < 0) {
		s = 0;
	}
	ui->sel = (size_t)s;
	ui->sel_id = n ? ui->items.v[ui->sel].id : 0;
}

static unsigned int nav_key(struct top_ui *ui, int key)
{
	long page = ui->page ? (long)ui->page : 1;

	switch (key) {
	case TK_UP:
		move_sel(ui, -1);
		break;
	case TK_DOWN:
		move_sel(ui, 1);
		break;
	case TK_PGUP:
		move_sel(ui, -page);
		break;
	case TK_PGDN:
		move_sel(ui, page);
		break;
	case TK_HOME:
		move_sel(ui, -(long)ui->items.n);
		break;
	case TK_END:
		move_sel(ui, (long)ui->items.n);
		break;
	default:
		return 0;
	}
	return TOP_HANDLED | TOP_REDRAW;
}

/* Next (dir 1) or previous (-1) column of the table, as shown. */
static enum top_col next_sort(const struct top_ui *ui, int dir)
{
	enum top_col v[TOP_COL_MAX];
	size_t n = 0, all = top_mode_cols(ui->ord.group, v), at = 0;

	for (size_t i = 0; i < all; i++) {
		if (v[i] == TOP_COL_PROCESS && !top_ui_has_process(ui)) {
			continue;
		}
		if (v[i] == ui->ord.sort) {
			at = n;
		}
		v[n++] = v[i];
	}
	return v[(at + n + (size_t)(dir > 0 ? 1 : n - 1)) % n];
}

static void next_group(struct top_ui *ui)
{
	enum top_group g = ui->ord.group;

	do {
		g = (g + 1) % TOP_GROUP_COUNT;
	} while (g == TOP_GROUP_PROCESS && !top_ui_has_process(ui));
	ui->ord.group = g;
	/* Each mode has its own columns; its natural sort is the first. */
	if (!top_col_in_mode(ui->ord.sort, g)) {
		ui->ord.sort =
		    g == TOP_GROUP_NONE ? TOP_COL_STATE : TOP_COL_COUNT;
		ui->ord.invert = false;
	}
	/* A frozen order of sockets means nothing for groups. */
	top_items_thaw(&ui->items);
	ui->sel = 0;
	ui->sel_id = 0;
}

static unsigned int toggle_key(struct top_ui *ui, int key)
{
	switch (key) {
	case ' ':
	case 'p':
	case 'Z':
	case TK_F5:
		ui->paused = !ui->paused;
		return TOP_HANDLED | TOP_REDRAW;
	case 'o':
		if (ui->items.is_frozen) {
			top_items_thaw(&ui->items);
			return TOP_HANDLED | TOP_REBUILD;
		}
		top_items_freeze(&ui->items);
		return TOP_HANDLED | TOP_REDRAW;
	case 'a':
		if (!ui->src->advice) {
			return TOP_HANDLED;
		}
		ui->show_advice = !ui->show_advice;
		return TOP_HANDLED | TOP_REDRAW;
	case 'D':
		ui->mode = TOP_MODE_DIAGRAM;
		return TOP_HANDLED | TOP_REDRAW;
	default:
		return 0;
	}
}

static unsigned int table_key(struct top_ui *ui, int key)
{
	switch (key) {
	case 'q':
	case TK_F10:
	case TK_STOP:
		return TOP_HANDLED | TOP_QUIT;
	case TK_F1:
	case 'h':
	case '?':
		ui->mode = TOP_MODE_HELP;
		return TOP_HANDLED | TOP_REDRAW;
	case TK_F3:
	case '/':
	case '\\':
		ui->mode = TOP_MODE_PROMPT;
		snprintf(ui->input, sizeof(ui->input), "%s", ui->filter_text);
		ui->message[0] = '\0';
		return TOP_HANDLED | TOP_REDRAW;
	case TK_F4:
	case 'g':
		next_group(ui);
		return TOP_HANDLED | TOP_REBUILD;
	case TK_F6:
	case '>':
	case '<':
		ui->ord.sort = next_sort(ui, key == '<' ? -1 : 1);
		ui->ord.invert = false;
		return TOP_HANDLED | TOP_REBUILD;
	case 'I':
		ui->ord.invert = !ui->ord.invert;
		return TOP_HANDLED | TOP_REBUILD;
	case TK_F9:
	case 'k':
		if (!top_ui_can_kill(ui) || ui->ord.group != TOP_GROUP_NONE ||
		    !ui->items.n) {
			snprintf(ui->message, sizeof(ui->message), "%s",
				 !top_ui_can_kill(ui) ? "closing sockets is "
							"not available"
						      : "select one socket");
			ui->message_is_error = true;
			return TOP_HANDLED | TOP_REDRAW;
		}
		ui->mode = TOP_MODE_CONFIRM;
		ui->confirm = *ui->items.v[ui->sel].rep;
		return TOP_HANDLED | TOP_REDRAW;
	case TK_CTRL('l'):
		return TOP_HANDLED | TOP_REPAINT | TOP_REDRAW;
	case TK_RESIZE:
		return TOP_REDRAW;
	default:
		return toggle_key(ui, key) | nav_key(ui, key);
	}
}

unsigned int top_key(struct top_ui *ui, int key)
{
	if (key == TK_STOP) {
		return TOP_HANDLED | TOP_QUIT;
	}
	switch (ui->mode) {
	case TOP_MODE_PROMPT:
		return prompt_key(ui, key);
	case TOP_MODE_CONFIRM:
		return confirm_key(ui, key);
	case TOP_MODE_DIAGRAM:
		/* q quits from here too; any other key closes it, as help. */
		if (key == 'q' || key == TK_F10) {
			return TOP_HANDLED | TOP_QUIT;
		}
		if (key == TK_RESIZE) {
			return TOP_REDRAW;
		}
		ui->mode = TOP_MODE_TABLE;
		return TOP_HANDLED | TOP_REDRAW;
	case TOP_MODE_HELP:
		if (key == TK_RESIZE) {
			return TOP_REDRAW;
		}
		ui->mode = TOP_MODE_TABLE;
		return TOP_HANDLED | TOP_REDRAW;
	default:
		return table_key(ui, key);
	}
}

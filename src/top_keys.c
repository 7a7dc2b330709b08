// SPDX-License-Identifier: MIT
/*
 * What each key does to top's state (top_key(), top.h): the filter and
 * search prompts, the y/n question before closing sockets, moving the
 * selection, sorting and grouping, tags, the refresh interval and the
 * toggles. The state itself, refreshes and tags are top.c's.
 */
#include "top.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "family.h"
#include "field.h"
#include "format.h"
#include "state.h"
#include "term.h"
#include "top_int.h"
#include "util.h"

/* The text a search looks in: state, endpoints (numeric), process. */
static void row_text(const struct top_ref *it, char *buf, size_t size)
{
	const struct top_dict *d = it->dict;
	const struct top_row *r = it->rep;
	char l[ADDR_STRLEN], p[ADDR_STRLEN];
	uint8_t daddr[16];
	size_t len;
	const char *proc = top_row_proc(d, r, &len);
	char name[UNIX_NAME_MAX + 1], netid[8];
	struct sock_rec rec;

	if (!top_row_inet(d, r)) {
		/* The name (UNIX), the inodes, the port ids (NETLINK). */
		top_row_rec(d, r, &rec);
		name[family_unix_name(name, &rec)] = '\0';
		snprintf(buf, size, "%s %s %s %u %u %d %.*s %u",
			 format_rec_state(&rec), format_rec_netid(&rec, netid),
			 name, rec.inode, rec.peer_inode, (int)rec.nl.portid,
			 (int)len, proc, top_row_pid(d, r));
		return;
	}
	addr_format(l, top_row_family(d, r), top_row_saddr(d, r));
	top_row_daddr(d, r, daddr);
	addr_format(p, top_row_family(d, r), daddr);
	snprintf(buf, size, "%s %s:%u %s:%u %.*s %u",
		 state_name(r->state, r->protocol), l, r->sport, p, r->dport,
		 (int)len, proc, top_row_pid(d, r));
}

/* Select the next item after the selection whose text holds ui->search
 * (any case), wrapping around; the rows stay as they are. */
static void search_next(struct top_ui *ui)
{
	size_t n = ui->items.n;
	char text[4 * ADDR_STRLEN + UNIX_NAME_MAX];
	struct top_ref ref;

	top_items_need(&ui->items, 0); /* the next match in the order shown */
	for (size_t k = 1; k <= n; k++) {
		size_t i = (ui->sel + k) % n;

		top_items_ref(&ui->items, &ui->items.v[i], &ref);
		row_text(&ref, text, sizeof(text));
		if (strcasestr(text, ui->search)) {
			ui->sel = i;
			ui->sel_id = top_items_id(&ui->items, i);
			ui->message[0] = '\0';
			return;
		}
	}
	snprintf(ui->message, sizeof(ui->message), "not found: %.120s",
		 ui->search);
	ui->message_is_error = true;
}

/* Esc and Enter of the filter (/) and search (backslash) prompts. */
static unsigned int prompt_done(struct top_ui *ui, int key)
{
	if (key == TK_ESC) {
		ui->mode = TOP_MODE_TABLE;
		ui->message[0] = '\0';
		return TOP_HANDLED | TOP_REDRAW;
	}
	if (ui->mode == TOP_MODE_SEARCH) {
		ui->mode = TOP_MODE_TABLE;
		snprintf(ui->search, sizeof(ui->search), "%s", ui->input);
		if (ui->search[0]) {
			search_next(ui);
		}
		return TOP_HANDLED | TOP_REDRAW;
	}
	if (top_ui_set_filter(ui, ui->input)) {
		return TOP_HANDLED | TOP_REDRAW; /* error stays shown */
	}
	/* Rows the new filter hides did not close. */
	ui->gones_reset = true;
	ui->mode = TOP_MODE_TABLE;
	return TOP_HANDLED | TOP_COLLECT;
}

static unsigned int prompt_key(struct top_ui *ui, int key)
{
	size_t len = strlen(ui->input);

	switch (key) {
	case TK_ESC:
	case TK_ENTER:
		return prompt_done(ui, key);
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

/* Whether the socket with cookie is in the latest snapshot. */
static bool cookie_present(struct top_ui *ui, uint64_t cookie)
{
	const struct top_snap *s = top_ui_snap(ui);

	for (size_t i = 0; i < s->n; i++) {
		if (s->rows[i].cookie == cookie) {
			return true;
		}
	}
	return false;
}

/* Whether any socket the question names is in the latest snapshot. */
bool top_ui_confirm_present(struct top_ui *ui)
{
	for (size_t i = 0; i < ui->n_confirm; i++) {
		if (cookie_present(ui, ui->confirm[i].rec.cookie)) {
			return true;
		}
	}
	return false;
}

void top_ui_confirm_gone(struct top_ui *ui)
{
	ui->mode = TOP_MODE_TABLE;
	snprintf(ui->message, sizeof(ui->message),
		 "not closed: the socket%s went away while you were asked",
		 ui->n_confirm > 1 ? "s" : "");
	ui->message_is_error = true;
}

struct close_tally {
	size_t closed, gone, failed;
	int err; /* the first failure's */
};

/* Close what the question named; sockets gone by now are skipped. */
static void close_confirmed(struct top_ui *ui, struct close_tally *t)
{
	const struct top_sources *src = ui->src;

	for (size_t i = 0; i < ui->n_confirm; i++) {
		int err = -ENOENT;

		if (cookie_present(ui, ui->confirm[i].rec.cookie)) {
			err = src->kill(src->ctx, &ui->confirm[i]);
		}
		if (err == -ENOENT || err == -ESTALE) {
			t->gone++;
		} else if (err) {
			t->err = t->failed++ ? t->err : err;
		} else {
			t->closed++;
		}
	}
}

static unsigned int confirm_key(struct top_ui *ui, int key)
{
	struct close_tally t = {0};
	int n;

	if (key == TK_RESIZE) {
		return TOP_REDRAW;
	}
	ui->mode = TOP_MODE_TABLE;
	if (key != 'y' && key != 'Y') {
		snprintf(ui->message, sizeof(ui->message), "not closed");
		ui->message_is_error = false;
		return TOP_HANDLED | TOP_REDRAW;
	}
	if (!top_ui_confirm_present(ui)) {
		top_ui_confirm_gone(ui);
		return TOP_HANDLED | TOP_REDRAW;
	}
	close_confirmed(ui, &t);
	ui->n_tags = 0; /* done with them, as htop after a kill */
	if (ui->n_confirm == 1 && t.gone) {
		top_ui_confirm_gone(ui);
		return TOP_HANDLED | TOP_COLLECT;
	}
	if (ui->n_confirm == 1) {
		snprintf(ui->message, sizeof(ui->message), "close: %s",
			 t.err ? strerror(-t.err) : "done");
		ui->message_is_error = t.err != 0;
		return TOP_HANDLED | TOP_COLLECT;
	}
	n = snprintf(ui->message, sizeof(ui->message), "closed %zu of %zu",
		     t.closed, ui->n_confirm);
	if (t.gone && n > 0 && (size_t)n < sizeof(ui->message)) {
		n += snprintf(ui->message + n, sizeof(ui->message) - (size_t)n,
			      "; %zu gone before y, skipped", t.gone);
	}
	if (t.failed && n > 0 && (size_t)n < sizeof(ui->message)) {
		snprintf(ui->message + n, sizeof(ui->message) - (size_t)n,
			 "; %zu failed: %s", t.failed, strerror(-t.err));
	}
	ui->message_is_error = t.failed != 0;
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
	top_items_need(&ui->items, ui->sel + 1 + ui->page);
	ui->sel_id = n ? top_items_id(&ui->items, ui->sel) : 0;
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
		if (field_get((enum field_id)v[i])->needs & ~top_ui_have(ui)) {
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
	} while (
	    (g == TOP_GROUP_PROCESS && !top_ui_has_process(ui)) ||
	    (g == TOP_GROUP_NETNS && !(top_ui_have(ui) & FIELD_NEED_NETNS)));
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

static unsigned int say(struct top_ui *ui, bool error, const char *what)
{
	snprintf(ui->message, sizeof(ui->message), "%s", what);
	ui->message_is_error = error;
	return TOP_HANDLED | TOP_REDRAW;
}

/* Space tags (and moves down, as htop), c tags the selected socket's
 * process's sockets, U untags all. Tags are cookies: they stay on their
 * sockets whatever the rows do. */
static unsigned int tag_key(struct top_ui *ui, int key)
{
	struct top_ref sel;
	uint32_t pid;
	const struct top_snap *s = top_ui_snap(ui);

	if (key == 'U') {
		ui->n_tags = 0;
		return TOP_HANDLED | TOP_REDRAW;
	}
	if (ui->ord.group != TOP_GROUP_NONE || !ui->items.n) {
		return say(ui, true, "tag sockets in the sockets view (g)");
	}
	top_items_ref(&ui->items, &ui->items.v[ui->sel], &sel);
	if (key == ' ' && ui->items.v[ui->sel].gone) {
		return say(ui, true, "that socket has closed");
	}
	if (key == ' ') {
		top_ui_tag_set(ui, sel.rep->cookie,
			       !top_ui_tagged(ui, sel.rep->cookie));
		move_sel(ui, 1);
		return TOP_HANDLED | TOP_REDRAW;
	}
	pid = top_row_pid(sel.dict, sel.rep);
	if (!pid) {
		return say(ui, true, "c: no owning process known (-p)");
	}
	for (size_t i = 0; i < s->n; i++) {
		if (top_row_pid(&s->dict, &s->rows[i]) == pid) {
			top_ui_tag_set(ui, s->rows[i].cookie, true);
		}
	}
	return TOP_HANDLED | TOP_REDRAW;
}

/* Whether rec's table is one kill cannot close (family.h's no_kill): then
 * its reason is said, in one line. */
static bool no_kill(struct top_ui *ui, const struct sock_rec *rec)
{
	uint32_t bit = family_proto_bit(rec);
	const struct sock_family *const *fams;
	size_t n;

	fams = family_all(&n);
	for (size_t i = 0; i < n; i++) {
		if ((fams[i]->proto_bits & bit) && fams[i]->no_kill) {
			snprintf(ui->message, sizeof(ui->message),
				 "k: %s sockets: %s", fams[i]->name,
				 fams[i]->no_kill);
			ui->message_is_error = true;
			return true;
		}
	}
	return false;
}

/* The question of F9/k: the tagged sockets, else the selected one. */
static unsigned int kill_key(struct top_ui *ui)
{
	const struct top_snap *s = top_ui_snap(ui);
	size_t need = ui->n_tags ? ui->n_tags : 1;
	struct top_ref sel;

	if (!ui->src->kill) {
		return say(ui, true, "closing sockets is not available");
	}
	if (ui->o->top_readonly) {
		return say(ui, true, "read-only (--readonly)");
	}
	if (!ui->n_tags && (ui->ord.group != TOP_GROUP_NONE || !ui->items.n)) {
		return say(ui, true, "select one socket or tag some (Space)");
	}
	if (!ui->n_tags && ui->items.v[ui->sel].gone) {
		return say(ui, true, "that socket has closed");
	}
	if (ui->cap_confirm < need) {
		ui->cap_confirm = need;
		ui->confirm =
		    xrealloc(ui->confirm, need * sizeof(*ui->confirm));
	}
	ui->n_confirm = 0;
	for (size_t i = 0; ui->n_tags && i < s->n; i++) {
		if (top_ui_tagged(ui, s->rows[i].cookie) &&
		    ui->n_confirm < need) {
			top_row_target(&s->dict, &s->rows[i],
				       &ui->confirm[ui->n_confirm++]);
		}
	}
	if (!ui->n_tags) {
		top_items_ref(&ui->items, &ui->items.v[ui->sel], &sel);
		top_row_target(sel.dict, sel.rep,
			       &ui->confirm[ui->n_confirm++]);
	}
	if (!ui->n_confirm) {
		return say(ui, true, "the tagged sockets are gone");
	}
	for (size_t i = 0; i < ui->n_confirm; i++) {
		if (no_kill(ui, &ui->confirm[i].rec)) {
			ui->n_confirm = 0;
			return TOP_HANDLED | TOP_REDRAW;
		}
	}
	ui->mode = TOP_MODE_CONFIRM;
	ui->message[0] = '\0';
	return TOP_HANDLED | TOP_REDRAW;
}

/* Refresh intervals + and - step through; d cycles them. */
static const unsigned int delay_steps[] = {
    TOP_DELAY_MIN_MS, 250, 500, 1000, 2000, 3000, 5000, 10000, 30000,
    TOP_DELAY_MAX_MS,
};

static unsigned int delay_key(struct top_ui *ui, int key)
{
	size_t n = ARRAY_SIZE(delay_steps), i = 0;
	unsigned int d = ui->delay_ms;

	if (key == '-') {
		for (i = n; i > 0 && delay_steps[i - 1] >= d; i--) {
		}
		d = delay_steps[i ? i - 1 : 0];
	} else {
		while (i < n && delay_steps[i] <= d) {
			i++;
		}
		d = i < n	 ? delay_steps[i]
		    : key == 'd' ? delay_steps[0]
				 : delay_steps[n - 1];
	}
	ui->delay_ms = d;
	snprintf(ui->message, sizeof(ui->message), "refresh every %.1fs",
		 d / 1000.0);
	ui->message_is_error = false;
	/* A snapshot now, the next one after the new interval; paused,
	 * the screen stays as it is. */
	return TOP_HANDLED | (ui->paused ? TOP_REDRAW : TOP_COLLECT);
}

static unsigned int toggle_key(struct top_ui *ui, int key)
{
	switch (key) {
	case ' ':
	case 'c':
	case 'U':
		return tag_key(ui, key);
	case '+':
	case '-':
	case 'd':
		return delay_key(ui, key);
	case 'p':
	case 'Z':
	case 'z':
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
		if (!(ui->o->protocols & PROTO_TCP)) {
			/* Its counts would all be 0, as the meters top
			 * leaves out without TCP. */
			snprintf(ui->message, sizeof(ui->message),
				 "D: the TCP state machine: TCP is not listed "
				 "(-t)");
			ui->message_is_error = true;
			return TOP_HANDLED | TOP_REDRAW;
		}
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
		ui->mode = key == '\\' ? TOP_MODE_SEARCH : TOP_MODE_PROMPT;
		snprintf(ui->input, sizeof(ui->input), "%s",
			 key == '\\' ? ui->search : ui->filter_text);
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
		ui->sort_changed = true;
		return TOP_HANDLED | TOP_REBUILD;
	case 'I':
		ui->ord.invert = !ui->ord.invert;
		ui->sort_changed = true;
		return TOP_HANDLED | TOP_REBUILD;
	case TK_F9:
	case 'k':
		return kill_key(ui);
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
	case TOP_MODE_SEARCH:
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

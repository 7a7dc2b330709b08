// SPDX-License-Identifier: MIT
#include "top.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "family.h"
#include "field.h"
#include "filter.h"
#include "ifname.h"
#include "state.h"
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
	top_gones_init(&ui->gones);
	ui->ord =
	    (struct top_order){.group = TOP_GROUP_NONE, .sort = TOP_COL_STATE};
	ui->show_advice = src->advice != NULL;
	ui->page = 1;
	ui->delay_ms = o->top_delay_ms;
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
	top_gones_finish(&ui->gones);
	free(ui->tags);
	free(ui->confirm);
	filter_destroy(ui->filter);
	ui->filter = NULL;
	filter_destroy(ui->retired);
	ui->retired = NULL;
}

size_t top_ui_bytes(const struct top_ui *ui)
{
	return top_snap_bytes(&ui->snap[0]) + top_snap_bytes(&ui->snap[1]) +
	       top_items_bytes(&ui->items) + top_gones_bytes(&ui->gones) +
	       ui->cap_tags * sizeof(*ui->tags) +
	       ui->cap_confirm * sizeof(*ui->confirm);
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

unsigned int top_ui_have(const struct top_ui *ui)
{
	uint32_t p = ui->o->protocols;
	/* As the listing's Netid: more than one table, and TCP and UDP
	 * not alone (their endpoints and states tell them apart). */
	bool netid = (p & (p - 1)) && (p & ~PROTO_INET_MASK);

	return (top_ui_has_process(ui) ? FIELD_NEED_PROCESS : 0) |
	       (ui->o->extended ? FIELD_NEED_EXTENDED : 0) |
	       (ui->o->all_netns ? FIELD_NEED_NETNS : 0) |
	       (netid ? FIELD_NEED_NETID : 0);
}

/* Put the selection back on the item it was on, or keep its index. */
static void follow_selection(struct top_ui *ui)
{
	struct top_items *it = &ui->items;
	size_t at =
	    ui->sel_id ? top_items_find(it, ui->sel_id, ui->page) : SIZE_MAX;

	if (at != SIZE_MAX) {
		ui->sel = at;
		return;
	}
	if (ui->sel >= it->n) {
		ui->sel = it->n ? it->n - 1 : 0;
	}
	top_items_need(it, ui->sel + 1 + ui->page);
	ui->sel_id = it->n ? top_items_id(it, ui->sel) : 0;
}

void top_ui_rebuild(struct top_ui *ui)
{
	/* The page is put in order, not every row: the view asks for more
	 * (top_items_need) when it scrolls. */
	top_items_build_top(&ui->items, top_ui_snap(ui), &ui->ord,
			    ui->first + ui->page ? ui->first + ui->page : 1);
	/* Closed sockets show under the live ones; a group has no such. */
	if (ui->ord.group == TOP_GROUP_NONE) {
		top_items_add_gone(&ui->items, &ui->gones);
	}
	follow_selection(ui);
	/* htop: a new order is read from its top; the selection stays
	 * only where it is still on the first page. */
	if (ui->sort_changed) {
		ui->sort_changed = false;
		ui->first = 0;
		if (ui->sel >= ui->page && ui->items.n) {
			ui->sel = 0;
			ui->sel_id = top_items_id(&ui->items, 0);
		}
	}
}

/* Only a TCP socket past its handshake has a tcp_info to ask for (a
 * netlink socket's protocol 6 is XFRM's). */
static bool has_tcp_info(const struct top_dict *d, const struct top_row *r)
{
	return r->protocol == IPPROTO_TCP && top_row_inet(d, r) &&
	       r->state != SS_TIME_WAIT &&
	       state_fold(r->state) != SS_SYN_RECV && r->state != SS_LISTEN;
}

bool top_ui_fill_rtt(struct top_ui *ui)
{
	struct top_snap *s = top_ui_snap(ui);
	const struct top_items *it = &ui->items;
	size_t end = ui->first + ui->page;
	bool filled = false;

	if (!ui->src->rtt || !top_col_in_mode(TOP_COL_RTT, ui->ord.group)) {
		return false;
	}
	top_items_need(&ui->items, end);
	for (size_t i = ui->first; i < end && i < it->n; i++) {
		struct top_target t;
		struct top_row *r;
		uint32_t rtt_us;

		/* Gone rows are copies: their socket is not there to ask. */
		if (it->v[i].gone || it->v[i].group || it->snap != s ||
		    it->v[i].i >= s->n) {
			continue;
		}
		r = &s->rows[it->v[i].i];
		if (r->has_rtt || r->rtt_asked || !has_tcp_info(&s->dict, r)) {
			continue;
		}
		r->rtt_asked = true;
		top_row_target(&s->dict, r, &t);
		if (ui->src->rtt(ui->src->ctx, &t, &rtt_us)) {
			top_snap_set_rtt(s, it->v[i].i, rtt_us);
			filled = true;
		}
	}
	return filled;
}

/* Index of the first tag >= cookie. */
static size_t tag_pos(const struct top_ui *ui, uint64_t cookie)
{
	size_t lo = 0, hi = ui->n_tags;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ui->tags[mid] < cookie) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

bool top_ui_tagged(const struct top_ui *ui, uint64_t cookie)
{
	size_t at = tag_pos(ui, cookie);

	return at < ui->n_tags && ui->tags[at] == cookie;
}

static void tag_set(struct top_ui *ui, uint64_t cookie, bool on)
{
	size_t at = tag_pos(ui, cookie);
	bool has = at < ui->n_tags && ui->tags[at] == cookie;

	if (has == on) {
		return;
	}
	if (!on) {
		memmove(&ui->tags[at], &ui->tags[at + 1],
			(ui->n_tags - at - 1) * sizeof(*ui->tags));
		ui->n_tags--;
		return;
	}
	if (ui->n_tags == ui->cap_tags) {
		ui->cap_tags = ui->cap_tags ? 2 * ui->cap_tags : 16;
		ui->tags = xrealloc(ui->tags, ui->cap_tags * sizeof(*ui->tags));
	}
	memmove(&ui->tags[at + 1], &ui->tags[at],
		(ui->n_tags - at) * sizeof(*ui->tags));
	ui->tags[at] = cookie;
	ui->n_tags++;
}

static int cmp_cookie(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* Tags of sockets that closed go with them, as htop's of exited
 * processes: a cookie is never reused, so they could only mislead. */
static void tags_prune(struct top_ui *ui)
{
	const struct top_snap *s = top_ui_snap(ui);
	size_t n = 0, cap = ui->n_tags;
	uint64_t *kept;

	if (!cap) {
		return;
	}
	kept = xmalloc(cap * sizeof(*kept));
	for (size_t i = 0; i < s->n && n < ui->n_tags; i++) {
		if (top_ui_tagged(ui, s->rows[i].cookie)) {
			kept[n++] = s->rows[i].cookie;
		}
	}
	qsort(kept, n, sizeof(*kept), cmp_cookie);
	free(ui->tags);
	ui->tags = kept;
	ui->n_tags = n;
	ui->cap_tags = cap;
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
static bool confirm_present(struct top_ui *ui)
{
	for (size_t i = 0; i < ui->n_confirm; i++) {
		if (cookie_present(ui, ui->confirm[i].rec.cookie)) {
			return true;
		}
	}
	return false;
}

static void confirm_gone(struct top_ui *ui)
{
	ui->mode = TOP_MODE_TABLE;
	snprintf(ui->message, sizeof(ui->message),
		 "not closed: the socket%s went away while you were asked",
		 ui->n_confirm > 1 ? "s" : "");
	ui->message_is_error = true;
}

unsigned int top_ui_interval_ms(const struct top_ui *ui)
{
	return ui->stretch_ms > ui->delay_ms ? ui->stretch_ms : ui->delay_ms;
}

/* A refresh slower than the interval would leave no time for anything
 * else (and a core busy): wait twice what it took, up to the longest
 * interval. */
static void stretch(struct top_ui *ui)
{
	double took_ms = top_ui_snap(ui)->took * 1000.0;

	ui->stretch_ms = 0;
	if (took_ms > ui->delay_ms) {
		ui->stretch_ms = took_ms * 2 < TOP_DELAY_MAX_MS
				     ? (unsigned int)(took_ms * 2 + 0.5)
				     : TOP_DELAY_MAX_MS;
	}
}

void top_ui_refreshed(struct top_ui *ui)
{
	const struct top_sources *src = ui->src;

	ui->refreshes++;
	stretch(ui);
	top_rates_compute(&ui->rates, &ui->snap[ui->cur ^ 1u], top_ui_snap(ui));
	if (ui->gones_reset) {
		top_gones_clear(&ui->gones);
		ui->gones_reset = false;
	} else {
		top_gones_update(&ui->gones, &ui->snap[ui->cur ^ 1u],
				 top_ui_snap(ui), TOP_GONE_KEEP);
	}
	if (src->limits && src->limits(src->ctx, &ui->limits)) {
		memset(&ui->limits, 0, sizeof(ui->limits));
	}
	/* Advice costs a summary of every row: only while it is shown. */
	ui->n_advice = src->advice && ui->show_advice
			   ? src->advice(src->ctx, top_ui_snap(ui), ui->advice,
					 TOP_ADVICE_MAX)
			   : 0;
	/* The rows are final: no room for more kept (before the items
	 * point into them). */
	top_snap_trim(top_ui_snap(ui));
	top_ui_rebuild(ui);
	/* The question is about one socket: it is not passed on to the
	 * row that took that socket's place. */
	if (ui->mode == TOP_MODE_CONFIRM && !confirm_present(ui)) {
		confirm_gone(ui);
	} else if (ui->mode != TOP_MODE_CONFIRM) {
		tags_prune(ui);
	}
	/* The closed rows are copied out and the items rebuilt: the
	 * previous refresh's rows are not read again, and a second row
	 * array would double what top keeps per socket between refreshes. */
	top_snap_release(&ui->snap[ui->cur ^ 1u]);
}

void top_ui_take(struct top_ui *ui, struct top_snap *fresh)
{
	struct top_snap prev = ui->snap[ui->cur ^ 1u];

	ui->snap[ui->cur ^ 1u] = *fresh;
	*fresh = prev;
	ui->cur ^= 1u;
	top_ui_refreshed(ui);
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
	/* A refresh in flight may read the old one: the loop frees it. */
	filter_destroy(ui->retired);
	ui->retired = ui->filter;
	ui->filter = f;
	snprintf(ui->filter_text, sizeof(ui->filter_text), "%s", text);
	ui->message[0] = '\0';
	ui->message_is_error = false;
	return 0;
}

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
	if (!confirm_present(ui)) {
		confirm_gone(ui);
		return TOP_HANDLED | TOP_REDRAW;
	}
	close_confirmed(ui, &t);
	ui->n_tags = 0; /* done with them, as htop after a kill */
	if (ui->n_confirm == 1 && t.gone) {
		confirm_gone(ui);
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
		tag_set(ui, sel.rep->cookie,
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
			tag_set(ui, s->rows[i].cookie, true);
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

// SPDX-License-Identifier: MIT
#include "top.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "filter.h"
#include "ifname.h"
#include "state.h"
#include "top_int.h"
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

void top_ui_tag_set(struct top_ui *ui, uint64_t cookie, bool on)
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
	if (ui->mode == TOP_MODE_CONFIRM && !top_ui_confirm_present(ui)) {
		top_ui_confirm_gone(ui);
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

// SPDX-License-Identifier: MIT
/* The field registry (field.h): every entry complete for the views that
 * show it, and the column added through it alone: top's INODE (-e). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "field.h"
#include "filter.h"
#include "opts.h"
#include "top.h"
#include "top_view.h"
#include "toprow.h"

/* Item i of it, resolved for reading. */
static struct top_ref item_at(const struct top_items *it, size_t i)
{
	struct top_ref r;

	top_items_ref(it, &it->v[i], &r);
	return r;
}

static void test_registry_complete(void **unused)
{
	(void)unused;
	for (int i = 0; i < FIELD_MAX; i++) {
		const struct field *f = field_get((enum field_id)i);

		assert_non_null(f->name);
		for (int j = 0; j < i; j++) {
			const struct field *g = field_get((enum field_id)j);

			assert_string_not_equal(f->name, g->name);
			if (f->json && g->json) {
				assert_string_not_equal(f->json, g->json);
			}
		}
		/* A list column and a JSON key have a getter. */
		if (f->title || f->json) {
			assert_true(f->text || f->num);
		}
		if (!f->top_title) {
			continue;
		}
		/* A top column draws, orders and fits. */
		assert_true(f->top_width > 0 && f->keep >= 0 && f->keep <= 100);
		assert_true(f->top_cell || f->top_num);
		assert_true(f->top_cmp || f->top_num);
	}
	/* Ids past the end fall back, never out of bounds. */
	assert_ptr_equal(field_get(FIELD_MAX), field_get(FIELD_NETNS));
}

static void add_row(struct top_snap *s, uint64_t cookie, uint32_t inode,
		    uint32_t uid)
{
	struct trow r = {.cookie = cookie,
			 .family = AF_INET,
			 .protocol = IPPROTO_TCP,
			 .state = SS_ESTABLISHED,
			 .saddr = {127, 0, 0, 1},
			 .sport = (uint16_t)(1000 + cookie),
			 .inode = inode,
			 .uid = uid};

	trow_add(s, &r);
	s->tcp_states[SS_ESTABLISHED]++;
	s->total++;
}

static void fill(struct top_snap *s)
{
	add_row(s, 1, 5000, 7);
	add_row(s, 2, 40, 9);
	add_row(s, 3, 4000000000u, 8);
	add_row(s, 4, 900, 6);
}

static void order_is(const struct top_items *it, const uint64_t want[4])
{
	assert_int_equal(it->n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(item_at(it, i).rep->cookie, want[i]);
	}
}

/* top sorts by the new column as by any other: ascending, like UID. */
static void test_top_sorts_by_inode(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.sort = TOP_COL_INODE};

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	assert_false(top_col_desc(TOP_COL_INODE));
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){2, 4, 1, 3});
	ord.invert = true;
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){3, 1, 4, 2});
	/* The partial selection (a page) agrees. */
	top_items_build_top(&it, &s, &ord, 2);
	assert_int_equal(item_at(&it, 0).rep->cookie, 3);
	assert_int_equal(item_at(&it, 1).rep->cookie, 1);
	top_items_finish(&it);
	top_snap_finish(&s);
}

static bool shows(const struct top_layout *l, enum top_col c)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->col[i] == c) {
			return true;
		}
	}
	return false;
}

/* INODE shows with -e only, last, and is the first to go when narrow. */
static void test_top_inode_layout(void **unused)
{
	static const int want[TOP_COL_MAX] = {0};
	struct top_layout l;

	(void)unused;
	top_layout_fit(&l, TOP_GROUP_NONE, true, 0, want);
	assert_false(shows(&l, TOP_COL_INODE));
	assert_int_equal(l.col[l.n - 1], TOP_COL_UID);
	top_layout_fit_have(&l, TOP_GROUP_NONE,
			    FIELD_NEED_PROCESS | FIELD_NEED_EXTENDED, 0, want);
	assert_int_equal(l.col[l.n - 1], TOP_COL_INODE);
	assert_int_equal(l.col[l.n - 2], TOP_COL_UID);
	assert_int_equal(l.width[l.n - 1], 10);
	/* 121 columns hold them all, 115 all but INODE (10 and a blank). */
	top_layout_fit_have(&l, TOP_GROUP_NONE,
			    FIELD_NEED_PROCESS | FIELD_NEED_EXTENDED, 115,
			    want);
	assert_false(shows(&l, TOP_COL_INODE));
	assert_true(shows(&l, TOP_COL_UID));
	/* Grouped views have no per-socket inode. */
	top_layout_fit_have(&l, TOP_GROUP_STATE, FIELD_NEED_EXTENDED, 0, want);
	assert_false(shows(&l, TOP_COL_INODE));
}

struct capture {
	char title[TOP_VIEW_MAX_COLS + 1];
	char rows[8][TOP_VIEW_MAX_COLS + 1];
	int n_rows;
	bool in_table;
};

static void sink(void *ctx, int y, enum term_role role, const char *text)
{
	struct capture *c = ctx;

	(void)y;
	if (role == TR_TITLE && !strncmp(text, "STATE", 5)) {
		snprintf(c->title, sizeof(c->title), "%s", text);
		c->in_table = true;
		return;
	}
	if (c->in_table && *text && c->n_rows < 8) {
		snprintf(c->rows[c->n_rows++], sizeof(c->rows[0]), "%s", text);
	} else {
		c->in_table = false;
	}
}

/* The keys that pick the sort column reach INODE with -e (it is the last
 * column: '<' from STATE), not without; the view draws it sorted. */
static void run_ui(bool extended, struct capture *cap)
{
	static char prog[] = "sockscope";
	struct opts o;
	struct top_sources src;
	struct top_env env;
	struct top_ui ui;
	struct top_view view;

	memset(&src, 0, sizeof(src));
	memset(&env, 0, sizeof(env));
	memset(cap, 0, sizeof(*cap));
	assert_int_equal(opts_parse(&o, 1, (char *[]){prog, NULL}), 0);
	o.extended = extended;
	o.numeric = true;
	top_ui_init(&ui, &o, &src);
	top_view_init(&view, &env);
	ui.cur = 1;
	fill(top_ui_snap(&ui));
	top_ui_snap(&ui)->when = 1.0;
	top_ui_refreshed(&ui);
	assert_true(top_key(&ui, '<') & TOP_HANDLED);
	assert_int_equal(ui.ord.sort, extended ? TOP_COL_INODE : TOP_COL_UID);
	top_ui_refreshed(&ui);
	top_view_render(&view, &ui, 0, 0, sink, cap);
	top_view_finish(&view);
	top_ui_finish(&ui);
	opts_finish(&o);
}

static void test_top_inode_column(void **unused)
{
	struct capture cap;
	const char *at;

	(void)unused;
	run_ui(true, &cap);
	at = strstr(cap.title, "UID     INODE^");
	assert_non_null(at);
	assert_int_equal(strlen(at), strlen("UID     INODE^"));
	assert_int_equal(cap.n_rows, 4);
	/* Right-aligned under the title, smallest first. */
	assert_non_null(strstr(cap.rows[0], " 9         40"));
	assert_non_null(strstr(cap.rows[1], " 6        900"));
	assert_non_null(strstr(cap.rows[2], " 7       5000"));
	assert_non_null(strstr(cap.rows[3], " 8 4000000000"));
	run_ui(false, &cap);
	assert_null(strstr(cap.title, "INODE"));
	assert_non_null(strstr(cap.title, "UID^"));
}

/* The list's Netns cell: a namespace name longer than a cell's own room,
 * with bytes to escape, is written whole (heap room), every row. */
static void test_table_long_netns(void **unused)
{
	struct opts o = {.protocols = PROTO_TCP, .all_netns = true};
	struct fmt_ctx ctx = {.o = &o};
	struct sock_rec rec;
	char name[501], want[4 * 500 + 1], *out = NULL;
	size_t out_len = 0, n;
	struct obuf ob;
	FILE *f;
	int fd = memfd_create("out", 0);

	(void)unused;
	assert_true(fd >= 0);
	memset(name, 'n', 500);
	name[0] = '\x1b';
	name[499] = '\n';
	name[500] = '\0';
	n = escape_text(want, name, 500);
	assert_true(n > sizeof(((struct field_cell *)0)->text));
	memset(&rec, 0, sizeof(rec));
	rec.family = AF_INET;
	rec.protocol = IPPROTO_TCP;
	rec.state = SS_LISTEN;
	obuf_init(&ob, fd, 64);
	ctx.out = &ob;
	ctx.netns = name;
	fmt_table.begin(&ctx);
	fmt_table.row(&ctx, &rec);
	fmt_table.row(&ctx, &rec);
	fmt_table.end(&ctx);
	assert_int_equal(obuf_finish(&ob), 0);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);
	assert_true(getline(&out, &out_len, f) > 0);
	assert_true(!strncmp(out, "Netns", 5));
	for (int i = 0; i < 2; i++) {
		assert_true(getline(&out, &out_len, f) > 0);
		assert_true(!strncmp(out, want, n) && out[n] == ' ');
		assert_non_null(strstr(out + n, "LISTEN"));
	}
	free(out);
	fclose(f);
}

/* The State column's bound for a streamed listing of protos. */
static size_t state_bound_for(uint32_t protos, bool listening,
			      const struct filter *f)
{
	struct opts o = {.protocols = protos,
			 .listening = listening,
			 .filter = (struct filter *)f};
	struct fmt_ctx ctx = {.o = &o};

	return field_get(FIELD_STATE)->bound(&ctx);
}

/* Every selected table counts, as the registry's states name it: MPTCP's
 * ESTABLISHED and a packet or netlink socket's UNCONN hold their column
 * in a listing too long to measure (they were left at 0). */
static void test_state_bound(void **unused)
{
	struct filter_error ferr;
	struct filter *none, *synrecv;
	char state[] = "state", syn[] = "syn-recv";
	char *words[] = {state, syn};

	(void)unused;
	assert_int_equal(filter_parse(0, NULL, &none, &ferr), 0);
	assert_int_equal(filter_parse(2, words, &synrecv, &ferr), 0);
	assert_int_equal(state_bound_for(PROTO_TCP, false, none), 11);
	assert_int_equal(state_bound_for(PROTO_TCP, true, none), 6);
	assert_int_equal(state_bound_for(PROTO_UDP, false, none), 11);
	assert_int_equal(state_bound_for(PROTO_UNIX_MASK, false, none), 11);
	assert_int_equal(state_bound_for(PROTO_MPTCP, false, none), 11);
	assert_int_equal(state_bound_for(PROTO_RAW, false, none), 11);
	assert_int_equal(state_bound_for(PROTO_PACKET_RAW, false, none), 6);
	assert_int_equal(state_bound_for(PROTO_NETLINK, false, none), 6);
	assert_int_equal(state_bound_for(PROTO_MPTCP, false, synrecv), 8);
	filter_destroy(synrecv);
	filter_destroy(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_complete),
	    cmocka_unit_test(test_top_sorts_by_inode),
	    cmocka_unit_test(test_top_inode_layout),
	    cmocka_unit_test(test_top_inode_column),
	    cmocka_unit_test(test_table_long_netns),
	    cmocka_unit_test(test_state_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* top_view layout and rendering, and top's keys, without a terminal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "field.h"
#include "opts.h"
#include "term.h"
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

static const int no_want[TOP_COL_MAX] = {0};

static bool shows(const struct top_layout *l, enum top_col c)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->col[i] == c) {
			return true;
		}
	}
	return false;
}

static int used(const struct top_layout *l)
{
	int w = (int)l->n - 1;

	for (size_t i = 0; i < l->n; i++) {
		w += l->width[i];
	}
	return w;
}

static void test_layout_drops_from_least_important(void **unused)
{
	struct top_layout l;
	int want[TOP_COL_MAX] = {[TOP_COL_LOCAL] = 21, [TOP_COL_PEER] = 30};

	(void)unused;
	top_layout_fit(&l, TOP_GROUP_NONE, true, 200, want);
	assert_int_equal(l.n, 10);
	assert_int_equal(l.col[0], TOP_COL_STATE);
	assert_int_equal(l.col[9], TOP_COL_UID);
	assert_int_equal(l.width[1], 21); /* flexible: as wide as wanted */
	assert_int_equal(l.width[2], 30);
	/* Without a process source there is no PROCESS column. */
	top_layout_fit(&l, TOP_GROUP_NONE, false, 200, want);
	assert_false(shows(&l, TOP_COL_PROCESS));
	/* 100 columns: UID and RTT go first, the rest fits. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 100, no_want);
	assert_false(shows(&l, TOP_COL_UID));
	assert_false(shows(&l, TOP_COL_RTT));
	assert_true(shows(&l, TOP_COL_RETRANS));
	assert_true(shows(&l, TOP_COL_PROCESS));
	assert_true(used(&l) <= 100);
	/* 80: then RETRANS; PROCESS, asked for with -p, stays. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 80, no_want);
	assert_false(shows(&l, TOP_COL_RETRANS));
	assert_true(shows(&l, TOP_COL_PROCESS));
	assert_true(used(&l) <= 80);
	/* 60: the optional columns go before PROCESS does. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 60, no_want);
	assert_false(shows(&l, TOP_COL_TIMER));
	assert_false(shows(&l, TOP_COL_RECVQ));
	assert_true(shows(&l, TOP_COL_PEER));
	assert_true(shows(&l, TOP_COL_PROCESS));
	assert_true(used(&l) <= 60);
	/* 45: even PEER before PROCESS. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 45, no_want);
	assert_false(shows(&l, TOP_COL_PEER));
	assert_true(shows(&l, TOP_COL_PROCESS));
	/* Without -p, 80 keeps TIMER and 60 the queues. */
	top_layout_fit(&l, TOP_GROUP_NONE, false, 80, no_want);
	assert_true(shows(&l, TOP_COL_TIMER));
	top_layout_fit(&l, TOP_GROUP_NONE, false, 60, no_want);
	assert_false(shows(&l, TOP_COL_TIMER));
	assert_true(shows(&l, TOP_COL_RECVQ));
	assert_true(shows(&l, TOP_COL_SENDQ));
	assert_true(used(&l) <= 60);
	/* 30: STATE and LOCAL only, in order. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 30, no_want);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.col[0], TOP_COL_STATE);
	assert_int_equal(l.col[1], TOP_COL_LOCAL);
	/* Too narrow even for those: they stay and get clipped. */
	top_layout_fit(&l, TOP_GROUP_NONE, true, 10, no_want);
	assert_int_equal(l.n, 2);
}

/* --all-netns: the NETNS column first, as wide as its labels, kept
 * longer than PROCESS; never without --all-netns. */
static void test_layout_netns(void **unused)
{
	struct top_layout l;
	int want[TOP_COL_MAX] = {[TOP_COL_NETNS] = 19};

	(void)unused;
	top_layout_fit(&l, TOP_GROUP_NONE, true, 200, want);
	assert_false(shows(&l, TOP_COL_NETNS));
	top_layout_fit_have(&l, TOP_GROUP_NONE, FIELD_NEED_PROCESS, 200, want);
	assert_false(shows(&l, TOP_COL_NETNS));
	top_layout_fit_have(&l, TOP_GROUP_NONE,
			    FIELD_NEED_PROCESS | FIELD_NEED_NETNS, 200, want);
	assert_int_equal(l.n, 11);
	assert_int_equal(l.col[0], TOP_COL_NETNS);
	assert_int_equal(l.width[0], 19);
	assert_int_equal(l.col[1], TOP_COL_STATE);
	top_layout_fit_have(&l, TOP_GROUP_NONE,
			    FIELD_NEED_PROCESS | FIELD_NEED_NETNS, 45, no_want);
	assert_true(shows(&l, TOP_COL_NETNS));
	assert_false(shows(&l, TOP_COL_PROCESS));
	assert_true(used(&l) <= 45);
	/* Grouped: the key column says the namespace, no NETNS beside. */
	top_layout_fit_have(&l, TOP_GROUP_NETNS,
			    FIELD_NEED_PROCESS | FIELD_NEED_NETNS, 200, want);
	assert_false(shows(&l, TOP_COL_NETNS));
	assert_int_equal(l.col[0], TOP_COL_KEY);
}

static void test_layout_grouped(void **unused)
{
	struct top_layout l;
	int want[TOP_COL_MAX] = {[TOP_COL_KEY] = 40};

	(void)unused;
	top_layout_fit(&l, TOP_GROUP_STATE, true, 0, want);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.col[0], TOP_COL_KEY);
	assert_int_equal(l.col[1], TOP_COL_COUNT);
	assert_int_equal(l.width[0], 40); /* no limit: all it wants */
	top_layout_fit(&l, TOP_GROUP_STATE, true, 40, want);
	assert_true(shows(&l, TOP_COL_KEY) && shows(&l, TOP_COL_COUNT));
	assert_false(shows(&l, TOP_COL_RETRANS));
	assert_true(used(&l) <= 40);
}

struct capture {
	char lines[64][TOP_VIEW_MAX_COLS + 1];
	enum term_role role[64];
	int n;
};

static void sink(void *ctx, int y, enum term_role role, const char *text)
{
	struct capture *c = ctx;

	assert_int_equal(y, c->n); /* top to bottom, no gaps */
	assert_true(y < 64);
	snprintf(c->lines[y], sizeof(c->lines[y]), "%s", text);
	c->role[y] = role;
	c->n++;
}

static int find_line(const struct capture *c, const char *prefix)
{
	for (int i = 0; i < c->n; i++) {
		if (!strncmp(c->lines[i], prefix, strlen(prefix))) {
			return i;
		}
	}
	return -1;
}

struct fixture {
	struct opts o;
	struct top_sources src;
	struct top_env env;
	struct top_ui ui;
	struct top_view view;
	struct capture cap;
};

/* A TCP socket from 127.0.0.1:sport; the peer's address 10.0.hi.lo and
 * port, when dport is not 0. */
static void add_peer_row(struct top_snap *s, uint64_t cookie, uint8_t state,
			 uint16_t sport, uint32_t recv_q, uint8_t hi,
			 uint8_t lo, uint16_t dport)
{
	struct trow r = {.cookie = cookie,
			 .family = AF_INET,
			 .protocol = IPPROTO_TCP,
			 .state = state,
			 .saddr = {127, 0, 0, 1},
			 .sport = sport,
			 .recv_q = recv_q};

	if (dport) {
		r.daddr[0] = 10;
		r.daddr[2] = hi;
		r.daddr[3] = lo;
		r.dport = dport;
	}
	trow_add(s, &r);
	s->tcp_states[state]++;
	s->total++;
}

static void add_row(struct top_snap *s, uint64_t cookie, uint8_t state,
		    uint16_t sport, uint32_t recv_q)
{
	add_peer_row(s, cookie, state, sport, recv_q, 0, 0, 0);
}

static int setup(void **state)
{
	static struct fixture f;
	static char prog[] = "sockscope";
	struct top_snap *s;

	memset(&f, 0, sizeof(f));
	assert_int_equal(opts_parse(&f.o, 1, (char *[]){prog, NULL}), 0);
	f.o.top_delay_ms = 1500;
	snprintf(f.env.host, sizeof(f.env.host), "host");
	top_ui_init(&f.ui, &f.o, &f.src);
	top_view_init(&f.view, &f.env);
	f.ui.cur = 1;
	s = top_ui_snap(&f.ui);
	s->when = 10.0;
	for (int i = 0; i < 30; i++) {
		add_row(s, 100 + (uint64_t)i,
			i < 20 ? SS_ESTABLISHED : SS_TIME_WAIT,
			(uint16_t)(1000 + i), (uint32_t)i);
	}
	add_row(s, 99, SS_LISTEN, 80, 0);
	f.ui.snap[0].when = 8.0;
	f.ui.snap[0].tcp_states[SS_TIME_WAIT] = 4;
	top_ui_refreshed(&f.ui);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	top_view_finish(&f->view);
	top_ui_finish(&f->ui);
	opts_finish(&f->o);
	return 0;
}

static void render(struct fixture *f, int rows, int cols)
{
	memset(&f->cap, 0, sizeof(f->cap));
	top_view_render(&f->view, &f->ui, rows, cols, sink, &f->cap);
}

static void test_render_screen(void **state)
{
	struct fixture *f = *state;
	int title;

	render(f, 24, 120);
	assert_int_equal(f->cap.n, 24);
	assert_non_null(strstr(f->cap.lines[0], "every 1.5s"));
	assert_non_null(strstr(f->cap.lines[0], "sockets 31"));
	/* Counts and change per second: TIME_WAIT 4 -> 10 in 2 s. */
	assert_non_null(strstr(f->cap.lines[1], "LISTEN          1"));
	title = find_line(&f->cap, "STATE^");
	assert_true(title > 0);
	assert_int_equal(f->cap.role[title], TR_TITLE);
	assert_int_equal(f->cap.role[title + 1], TR_SELECTED);
	assert_non_null(strstr(f->cap.lines[23], "F10 Quit"));
	assert_null(strstr(f->cap.lines[23], "F9")); /* no kill source */
	for (int i = 1; i < 5; i++) {
		char *tw = strstr(f->cap.lines[i], "TIME_WAIT");

		if (tw) {
			assert_non_null(strstr(tw, "10     +3.0/s"));
		}
	}
	/* The selection scrolls into view: End shows the last row. */
	assert_int_equal(top_key(&f->ui, TK_END), TOP_HANDLED | TOP_REDRAW);
	render(f, 24, 120);
	assert_int_equal(f->cap.role[22], TR_SELECTED);
	assert_int_equal(f->ui.sel, 30);
	assert_true(f->ui.first + f->ui.page == 31);
}

/* As sink, for screens that leave rows blank (help). */
static void sink_lines(void *ctx, int y, enum term_role role, const char *text)
{
	struct capture *c = ctx;

	assert_true(y >= 0 && y < 64);
	snprintf(c->lines[y], sizeof(c->lines[y]), "%s", text);
	c->role[y] = role;
	c->n = y + 1 > c->n ? y + 1 : c->n;
}

/* D: the state machine with the counts of every TCP socket and the change
 * since the previous refresh; q quits from it, another key closes it. */
static void test_diagram_pane(void **state)
{
	struct fixture *f = *state;
	int tw, est, lst;

	assert_int_equal(top_key(&f->ui, 'D'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_DIAGRAM);
	render(f, 60, 100);
	tw = find_line(&f->cap, "| TIME_WAIT");
	est = find_line(&f->cap, "  +---------------------> | ESTABLISHED");
	lst = find_line(&f->cap, "| LISTEN");
	assert_true(tw > 0 && est > 0 && lst > 0);
	/* TIME_WAIT: 10 now, 4 in the previous refresh. */
	assert_non_null(strstr(f->cap.lines[tw], "| TIME_WAIT  10 +6"));
	assert_non_null(strstr(f->cap.lines[est], "| ESTABLISHED 20 +20"));
	assert_non_null(strstr(f->cap.lines[lst], "| LISTEN     1 +1"));
	assert_null(strstr(f->cap.lines[1], "STATE^")); /* no table */
	assert_int_equal(top_key(&f->ui, 'x'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	top_key(&f->ui, 'D');
	assert_int_equal(top_key(&f->ui, 'q'), TOP_HANDLED | TOP_QUIT);
	/* The help screen lists the key. */
	f->ui.mode = TOP_MODE_HELP;
	memset(&f->cap, 0, sizeof(f->cap));
	top_view_render(&f->view, &f->ui, 40, 100, sink_lines, &f->cap);
	assert_true(find_line(&f->cap, "  D ") > 0);
	/* Without TCP listed (top -x) its counts would be 0: one line says
	 * why, the table stays. */
	f->ui.mode = TOP_MODE_TABLE;
	f->o.protocols = PROTO_UNIX_MASK;
	assert_int_equal(top_key(&f->ui, 'D'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_non_null(strstr(f->ui.message, "TCP is not listed"));
}

static void test_render_batch_and_narrow(void **state)
{
	struct fixture *f = *state;

	render(f, 0, 0);
	/* Batch: header (7 lines: the closes line too), title, all 31 rows,
	 * no function bar. */
	assert_int_equal(f->cap.n, 7 + 1 + 31);
	assert_int_equal(find_line(&f->cap, "F1 Help"), -1);
	render(f, 20, 50);
	for (int i = 0; i < f->cap.n; i++) {
		assert_true(strlen(f->cap.lines[i]) <= 50);
	}
	assert_true(find_line(&f->cap, "STATE^ ") > 0);
	assert_int_equal(f->cap.n, 20);
}

static void test_filter_prompt(void **state)
{
	struct fixture *f = *state;
	const char *good = "state time-wait";
	unsigned int act;

	assert_int_equal(top_key(&f->ui, '/'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_PROMPT);
	for (const char *p = good; *p; p++) {
		top_key(&f->ui, *p);
	}
	render(f, 24, 120);
	assert_string_equal(f->cap.lines[23], "Filter: state time-wait");
	assert_int_equal(f->view.cursor_y, 23);
	assert_int_equal(f->view.cursor_x, 23);
	assert_int_equal(top_key(&f->ui, TK_ENTER), TOP_HANDLED | TOP_COLLECT);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_string_equal(f->ui.filter_text, good);
	assert_non_null(f->ui.filter);
	/* An invalid one: error shown, prompt open, old filter kept. */
	top_key(&f->ui, '/');
	top_key(&f->ui, TK_CTRL('u'));
	top_key(&f->ui, 'x');
	act = top_key(&f->ui, TK_ENTER);
	assert_false(act & TOP_COLLECT);
	assert_int_equal(f->ui.mode, TOP_MODE_PROMPT);
	assert_true(f->ui.message_is_error);
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[22], "error: "));
	assert_int_equal(f->cap.role[22], TR_BAD);
	assert_int_equal(top_key(&f->ui, TK_ESC), TOP_HANDLED | TOP_REDRAW);
	assert_string_equal(f->ui.filter_text, good);
	assert_int_equal(top_key(&f->ui, 'q'), TOP_HANDLED | TOP_QUIT);
}

static void test_keys_group_sort(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->ui.ord.sort, TOP_COL_STATE);
	top_key(&f->ui, '<'); /* wraps to the last column shown: UID */
	assert_int_equal(f->ui.ord.sort, TOP_COL_UID);
	top_key(&f->ui, '<');
	assert_int_equal(f->ui.ord.sort, TOP_COL_RTT); /* no PROCESS */
	top_key(&f->ui, TK_F6);
	assert_int_equal(f->ui.ord.sort, TOP_COL_UID);
	top_key(&f->ui, 'I');
	assert_true(f->ui.ord.invert);
	/* Grouping cycles and skips "process" without a process source. */
	for (int g = TOP_GROUP_STATE; g <= TOP_GROUP_RHOSTPORT; g++) {
		assert_int_equal(top_key(&f->ui, 'g'),
				 TOP_HANDLED | TOP_REBUILD);
		top_ui_rebuild(&f->ui);
		assert_int_equal(f->ui.ord.group, g);
		assert_int_equal(f->ui.ord.sort, TOP_COL_COUNT);
	}
	assert_int_equal(f->ui.items.n, 1); /* one remote host:port */
	top_key(&f->ui, TK_F4);
	assert_int_equal(f->ui.ord.group, TOP_GROUP_NONE);
	/* Pause (Z, z; Space tags now), freeze, help; k without a kill
	 * source says so. */
	top_key(&f->ui, ' ');
	assert_false(f->ui.paused);
	top_key(&f->ui, 'z');
	assert_true(f->ui.paused);
	top_key(&f->ui, 'Z');
	assert_false(f->ui.paused);
	top_key(&f->ui, 'z');
	assert_true(f->ui.paused);
	top_key(&f->ui, 'o');
	assert_true(f->ui.items.is_frozen);
	top_key(&f->ui, 'k');
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_true(f->ui.message_is_error);
	top_key(&f->ui, TK_F1);
	assert_int_equal(f->ui.mode, TOP_MODE_HELP);
	render(f, 24, 120);
	assert_true(find_line(&f->cap, "sockscope top: keys") > 0);
	top_key(&f->ui, 'x');
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_int_equal(top_key(&f->ui, TK_STOP), TOP_HANDLED | TOP_QUIT);
}

/* Sources as the advice, counters and kill modules would plug in. */
struct fake {
	int kills;
	uint64_t killed;
};

static size_t fake_advice(void *ctx, const struct top_snap *snap,
			  struct top_advice *out, size_t max)
{
	(void)ctx;
	assert_true(max >= 2);
	out[0].severity = TOP_SEV_CRIT;
	snprintf(out[0].text, sizeof(out[0].text), "%u in TIME_WAIT",
		 snap->tcp_states[SS_TIME_WAIT]);
	out[1].severity = TOP_SEV_INFO;
	snprintf(out[1].text, sizeof(out[1].text), "esc \x1b here");
	return 2;
}

static int fake_kill(void *ctx, const struct top_target *t)
{
	struct fake *f = ctx;

	f->kills++;
	f->killed = t->rec.cookie;
	return 0;
}

static void test_sources(void **state)
{
	struct fixture *f = *state;
	struct fake fk = {0};
	int at;

	f->src = (struct top_sources){
	    .ctx = &fk, .advice = fake_advice, .kill = fake_kill};
	f->ui.show_advice = true;
	top_ui_refreshed(&f->ui);
	render(f, 24, 120);
	at = find_line(&f->cap, "Advice");
	assert_int_equal(at, 20);
	assert_string_equal(f->cap.lines[21], "  10 in TIME_WAIT");
	assert_int_equal(f->cap.role[21], TR_BAD);
	/* Advice text is escaped like every other text from outside. */
	assert_string_equal(f->cap.lines[22], "  esc \\x1b here");
	assert_non_null(strstr(f->cap.lines[23], "F9 Kill"));
	top_key(&f->ui, 'a');
	render(f, 24, 120);
	assert_int_equal(find_line(&f->cap, "Advice"), -1);
	/* k asks first; n does nothing, y closes the selected socket. */
	top_key(&f->ui, TK_DOWN);
	assert_int_equal(top_key(&f->ui, 'k'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_CONFIRM);
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[23], "? (y/n)"));
	top_key(&f->ui, 'n');
	assert_int_equal(fk.kills, 0);
	top_key(&f->ui, TK_F9);
	assert_int_equal(top_key(&f->ui, 'y'), TOP_HANDLED | TOP_COLLECT);
	assert_int_equal(fk.kills, 1);
	assert_int_equal(fk.killed, item_at(&f->ui.items, 1).rep->cookie);
	/* --readonly: no kill key at all. */
	f->o.top_readonly = true;
	top_key(&f->ui, 'k');
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_int_equal(fk.kills, 1);
	render(f, 24, 120);
	assert_null(strstr(f->cap.lines[23], "F9"));
}

/* A UNIX socket's row: its table in a NETID column (UNIX listed beside
 * TCP), its endpoints as the listing prints them; k refuses it in one
 * line (the kernel cannot destroy it), as sockscope kill does. */
static void test_unix_rows(void **state)
{
	static const char path[] = "/run/x.sock";
	struct fixture *f = *state;
	struct fake fk = {0};
	struct sock_rec rec;
	struct top_snap *s = top_ui_snap(&f->ui);
	int title, at = -1;

	memset(&rec, 0, sizeof(rec));
	rec.family = AF_UNIX;
	rec.protocol = SOCK_STREAM;
	rec.state = SS_ESTABLISHED;
	rec.cookie = 500;
	rec.inode = 5000;
	rec.peer_inode = 5001;
	rec.recv_q = 1000000; /* first by Recv-Q */
	rec.ext.path = path;
	rec.ext.path_len = sizeof(path) - 1;
	top_snap_add(s, &rec);
	top_snap_count(s, &rec);
	f->o.protocols |= PROTO_UNIX_MASK;
	f->src = (struct top_sources){.ctx = &fk, .kill = fake_kill};
	f->ui.ord.sort = TOP_COL_RECVQ;
	top_ui_refreshed(&f->ui);
	render(f, 24, 160);
	top_key(&f->ui, TK_HOME); /* the UNIX row: first by Recv-Q */
	render(f, 24, 160);
	title = find_line(&f->cap, "NETID");
	assert_true(title > 0);
	for (int i = title + 1; i < f->cap.n; i++) {
		if (strstr(f->cap.lines[i], "/run/x.sock 5000") &&
		    strstr(f->cap.lines[i], "* 5001") &&
		    !strncmp(f->cap.lines[i], "u_str", 5)) {
			at = i;
		}
	}
	assert_true(at == title + 1);
	assert_non_null(strstr(f->cap.lines[title + 2], "tcp"));
	assert_non_null(strstr(f->cap.lines[0], "sockets 32"));
	/* k on it: one line, no question, nothing closed. */
	assert_int_equal(item_at(&f->ui.items, f->ui.sel).rep->cookie, 500);
	assert_int_equal(top_key(&f->ui, 'k'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_non_null(strstr(f->ui.message, "UNIX"));
	assert_null(strchr(f->ui.message, '\n'));
	assert_int_equal(fk.kills, 0);
	/* Grouped by remote host: a heading of its own. */
	f->ui.ord.group = TOP_GROUP_RHOST;
	f->ui.ord.sort = TOP_COL_KEY;
	top_ui_refreshed(&f->ui);
	/* Two groups, k's line and the per-table line: the screen full. */
	render(f, 13, 160);
	at = -1;
	for (int i = 0; i < f->cap.n; i++) {
		at = strstr(f->cap.lines[i], "(unix)") ? i : at;
	}
	assert_true(at > 0);
}

struct fake_kill_src {
	int kills;
	uint64_t killed;
	int ret;
};

static int fake_kill_ret(void *ctx, const struct top_target *t)
{
	struct fake_kill_src *f = ctx;

	f->kills++;
	f->killed = t->rec.cookie;
	return f->ret;
}

/* A refresh that finds every socket of the current snapshot but gone. */
static void refresh_without(struct fixture *f, uint64_t gone)
{
	struct top_snap *old = top_ui_snap(&f->ui);
	struct top_snap *s = &f->ui.snap[f->ui.cur ^ 1u];

	top_snap_reset(s);
	for (size_t i = 0; i < old->n; i++) {
		if (old->rows[i].cookie != gone) {
			struct trow r = trow_get(old, i);

			trow_add(s, &r);
		}
	}
	s->when = old->when + 2.0;
	f->ui.cur ^= 1u;
	top_ui_refreshed(&f->ui);
}

/* The y/n question is about the socket it names, not about a row. */
static void test_kill_bound_to_socket(void **state)
{
	struct fixture *f = *state;
	struct fake_kill_src fk = {0};
	uint64_t asked, other;
	char port[16];

	f->src = (struct top_sources){.ctx = &fk, .kill = fake_kill_ret};
	top_key(&f->ui, TK_DOWN);
	top_key(&f->ui, 'k');
	assert_int_equal(f->ui.mode, TOP_MODE_CONFIRM);
	asked = item_at(&f->ui.items, f->ui.sel).rep->cookie;
	/* It closes while the question is open: the question goes, with a
	 * word, and y closes nothing (the next row slid into its place). */
	refresh_without(f, asked);
	assert_true(item_at(&f->ui.items, f->ui.sel).rep->cookie != asked);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_true(f->ui.message_is_error);
	assert_non_null(strstr(f->ui.message, "went away"));
	top_key(&f->ui, 'y');
	assert_int_equal(fk.kills, 0);
	/* Gone between the last refresh and y: the kernel says so (by
	 * cookie), and that is what the user reads. */
	top_key(&f->ui, 'k');
	asked = item_at(&f->ui.items, f->ui.sel).rep->cookie;
	fk.ret = -ENOENT;
	top_key(&f->ui, 'y');
	assert_int_equal(fk.kills, 1);
	assert_int_equal(fk.killed, asked);
	assert_non_null(strstr(f->ui.message, "went away"));
	/* Rows move under an open question: the prompt and y still name the
	 * socket that was asked about. */
	fk.ret = 0;
	top_key(&f->ui, 'k');
	asked = item_at(&f->ui.items, f->ui.sel).rep->cookie;
	snprintf(port, sizeof(port), ":%u",
		 item_at(&f->ui.items, f->ui.sel).rep->sport);
	other = item_at(&f->ui.items, f->ui.sel + 1).rep->cookie;
	refresh_without(f, other);
	assert_int_equal(f->ui.mode, TOP_MODE_CONFIRM);
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[23], port));
	top_key(&f->ui, 'y');
	assert_int_equal(fk.kills, 2);
	assert_int_equal(fk.killed, asked);
	assert_string_equal(f->ui.message, "close: done");
}

static bool line_has(const struct capture *c, const char *text)
{
	for (int i = 0; i < c->n; i++) {
		if (strstr(c->lines[i], text)) {
			return true;
		}
	}
	return false;
}

/* Space tags (by cookie) and moves down; c tags the selected socket's
 * process; U untags. F9/k asks once for every tagged socket, naming how
 * many and which; sockets gone by y are skipped and said. */
static void test_tags_and_closing_a_set(void **state)
{
	struct fixture *f = *state;
	struct fake_kill_src fk = {0};
	uint64_t a, b;
	int row;

	f->src = (struct top_sources){.ctx = &fk, .kill = fake_kill_ret};
	a = item_at(&f->ui.items, 0).rep->cookie;
	assert_int_equal(top_key(&f->ui, ' '), TOP_HANDLED | TOP_REDRAW);
	assert_false(f->ui.paused);
	assert_int_equal(f->ui.sel, 1);
	top_key(&f->ui, TK_DOWN);
	b = item_at(&f->ui.items, 2).rep->cookie;
	top_key(&f->ui, ' ');
	assert_true(top_ui_tagged(&f->ui, a));
	assert_true(top_ui_tagged(&f->ui, b));
	assert_false(
	    top_ui_tagged(&f->ui, item_at(&f->ui.items, 1).rep->cookie));
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[0], "tagged 2"));
	row = find_line(&f->cap, "STATE^") + 1;
	assert_int_equal(f->cap.role[row], TR_TAGGED);
	assert_int_equal(f->cap.role[row + 1], TR_NORMAL);
	/* Tags stay with their sockets when the order changes. */
	top_key(&f->ui, 'I');
	top_ui_rebuild(&f->ui);
	assert_true(top_ui_tagged(&f->ui, a) && top_ui_tagged(&f->ui, b));
	assert_int_equal(f->ui.n_tags, 2);
	/* One question for both. */
	assert_int_equal(top_key(&f->ui, 'k'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_CONFIRM);
	assert_int_equal(f->ui.n_confirm, 2);
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[23], "Close 2 sockets: "));
	assert_non_null(strstr(f->cap.lines[23], ":1000 -> "));
	assert_non_null(strstr(f->cap.lines[23], ":1002 -> "));
	assert_non_null(strstr(f->cap.lines[23], "? (y/n)"));
	/* One of them closes while asked: the question stays for the
	 * other; y closes that one and says the first was skipped. */
	refresh_without(f, a);
	assert_int_equal(f->ui.mode, TOP_MODE_CONFIRM);
	assert_int_equal(top_key(&f->ui, 'y'), TOP_HANDLED | TOP_COLLECT);
	assert_int_equal(fk.kills, 1);
	assert_int_equal(fk.killed, b);
	assert_string_equal(f->ui.message,
			    "closed 1 of 2; 1 gone before y, skipped");
	assert_int_equal(f->ui.n_tags, 0);
	/* c: every socket of the selected one's process (by pid). */
	for (size_t i = 0; i < top_ui_snap(&f->ui)->n; i++) {
		struct trow r = trow_get(top_ui_snap(&f->ui), i);

		r.pid = r.sport % 3 == 0 ? 7 : 8;
		trow_set(top_ui_snap(&f->ui), i, &r);
	}
	top_key(&f->ui, TK_HOME);
	top_key(&f->ui, 'c');
	assert_true(f->ui.n_tags > 5);
	for (size_t i = 0; i < top_ui_snap(&f->ui)->n; i++) {
		struct trow r = trow_get(top_ui_snap(&f->ui), i);
		struct top_ref first = item_at(&f->ui.items, 0);

		assert_true(top_ui_tagged(&f->ui, r.cookie) ==
			    (r.pid == top_row_pid(first.dict, first.rep)));
	}
	top_key(&f->ui, 'U');
	assert_int_equal(f->ui.n_tags, 0);
	/* Not in a grouped view: a group is not a socket. */
	top_key(&f->ui, 'g');
	top_ui_rebuild(&f->ui);
	top_key(&f->ui, ' ');
	assert_int_equal(f->ui.n_tags, 0);
	assert_true(f->ui.message_is_error);
}

/* --readonly: k says so by name, the help lists it as off. */
static void test_readonly_kill(void **state)
{
	struct fixture *f = *state;
	struct fake_kill_src fk = {0};

	f->src = (struct top_sources){.ctx = &fk, .kill = fake_kill_ret};
	f->o.top_readonly = true;
	top_key(&f->ui, 'k');
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_string_equal(f->ui.message, "read-only (--readonly)");
	top_key(&f->ui, TK_F9);
	assert_string_equal(f->ui.message, "read-only (--readonly)");
	assert_int_equal(fk.kills, 0);
	f->ui.message[0] = '\0';
	top_key(&f->ui, 'h');
	memset(&f->cap, 0, sizeof(f->cap));
	top_view_render(&f->view, &f->ui, 40, 100, sink_lines, &f->cap);
	assert_true(line_has(&f->cap, "off: read-only (--readonly)"));
	assert_false(line_has(&f->cap, "close the tagged"));
	f->o.top_readonly = false;
	memset(&f->cap, 0, sizeof(f->cap));
	top_view_render(&f->view, &f->ui, 40, 100, sink_lines, &f->cap);
	assert_true(line_has(&f->cap, "close the tagged"));
}

static void type(struct fixture *f, const char *s)
{
	for (const char *p = s; *p; p++) {
		top_key(&f->ui, *p);
	}
}

/* backslash: search, jumping to the next match; the rows stay. */
static void test_search_jumps(void **state)
{
	struct fixture *f = *state;
	size_t n = f->ui.items.n;

	assert_int_equal(top_key(&f->ui, '\\'), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_SEARCH);
	type(f, "1:1025");
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[23], "Search: 1:1025"));
	assert_int_equal(top_key(&f->ui, TK_ENTER), TOP_HANDLED | TOP_REDRAW);
	assert_int_equal(f->ui.mode, TOP_MODE_TABLE);
	assert_int_equal(f->ui.items.n, n); /* nothing filtered */
	assert_int_equal(item_at(&f->ui.items, f->ui.sel).rep->sport, 1025);
	assert_string_equal(f->ui.filter_text, "");
	/* Again: the next match after the selection, wrapping around. */
	top_key(&f->ui, '\\');
	top_key(&f->ui, TK_CTRL('u'));
	type(f, "time_wait");
	top_key(&f->ui, TK_ENTER);
	assert_int_equal(item_at(&f->ui.items, f->ui.sel).rep->sport, 1026);
	top_key(&f->ui, TK_END);
	top_key(&f->ui, '\\');
	assert_string_equal(f->ui.input, "time_wait"); /* remembered */
	top_key(&f->ui, TK_ENTER);
	assert_int_equal(item_at(&f->ui.items, f->ui.sel).rep->state,
			 SS_TIME_WAIT);
	assert_true(f->ui.sel < n - 1);
	top_key(&f->ui, '\\');
	top_key(&f->ui, TK_CTRL('u'));
	type(f, "nowhere");
	top_key(&f->ui, TK_ENTER);
	assert_non_null(strstr(f->ui.message, "not found"));
}

/* + - d: the refresh interval, bounded, in the header. */
static void test_delay_keys(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->ui.delay_ms, 1500);
	assert_int_equal(top_key(&f->ui, '+'), TOP_HANDLED | TOP_COLLECT);
	assert_int_equal(f->ui.delay_ms, 2000);
	render(f, 24, 120);
	assert_non_null(strstr(f->cap.lines[0], "every 2.0s"));
	top_key(&f->ui, '-');
	top_key(&f->ui, '-');
	assert_int_equal(f->ui.delay_ms, 500);
	for (int i = 0; i < 20; i++) {
		top_key(&f->ui, '-');
	}
	assert_int_equal(f->ui.delay_ms, TOP_DELAY_MIN_MS);
	for (int i = 0; i < 20; i++) {
		top_key(&f->ui, '+');
	}
	assert_int_equal(f->ui.delay_ms, TOP_DELAY_MAX_MS);
	top_key(&f->ui, 'd'); /* d cycles: from the longest to the shortest */
	assert_int_equal(f->ui.delay_ms, TOP_DELAY_MIN_MS);
	top_key(&f->ui, 'd');
	assert_true(f->ui.delay_ms > TOP_DELAY_MIN_MS);
	/* Paused: no snapshot for it. */
	top_key(&f->ui, 'z');
	assert_int_equal(top_key(&f->ui, '+'), TOP_HANDLED | TOP_REDRAW);
}

/* A refresh slower than the interval stretches it to twice its time,
 * and the header says so; a fast one gives the interval back. */
static void test_interval_stretches(void **state)
{
	struct fixture *f = *state;
	struct top_snap *s = top_ui_snap(&f->ui);

	f->ui.delay_ms = 300;
	s->took = 0.9;
	top_ui_refreshed(&f->ui);
	assert_int_equal(top_ui_interval_ms(&f->ui), 1800);
	render(f, 24, 160);
	assert_non_null(
	    strstr(f->cap.lines[0], "every 1.8s (stretched from 0.3s)"));
	/* The keys change the interval asked for; the stretch stays. */
	top_key(&f->ui, '+');
	assert_int_equal(top_ui_interval_ms(&f->ui), 1800);
	s = top_ui_snap(&f->ui);
	s->took = 0.01;
	top_ui_refreshed(&f->ui);
	assert_int_equal(top_ui_interval_ms(&f->ui), f->ui.delay_ms);
	render(f, 24, 160);
	assert_null(strstr(f->cap.lines[0], "stretched"));
	f->ui.delay_ms = 1500;
}

static void select_port(struct fixture *f, uint16_t port)
{
	top_key(&f->ui, TK_HOME);
	while (item_at(&f->ui.items, f->ui.sel).rep->sport != port) {
		assert_true(f->ui.sel + 1 < f->ui.items.n);
		top_key(&f->ui, TK_DOWN);
	}
}

/* A new sort shows the top of the new order; the selection stays only
 * where it is still on screen. */
static void test_sort_goes_to_top(void **state)
{
	struct fixture *f = *state;

	render(f, 24, 120);
	top_key(&f->ui, TK_END);
	render(f, 24, 120);
	assert_true(f->ui.first > 0);
	top_key(&f->ui, 'I');
	top_ui_rebuild(&f->ui);
	assert_int_equal(f->ui.first, 0);
	assert_int_equal(f->ui.sel, 0);
	/* By LOCAL: 127.0.0.1:1002 comes 4th, on screen: it stays
	 * selected; :1029 comes last, off screen: the top is. */
	select_port(f, 1002);
	top_key(&f->ui, TK_F6); /* STATE -> LOCAL */
	assert_int_equal(f->ui.ord.sort, TOP_COL_LOCAL);
	top_ui_rebuild(&f->ui);
	assert_int_equal(item_at(&f->ui.items, f->ui.sel).rep->sport, 1002);
	assert_int_equal(f->ui.sel, 3);
	assert_int_equal(f->ui.first, 0);
	select_port(f, 1029);
	render(f, 24, 120);
	top_key(&f->ui, 'I');
	top_key(&f->ui, 'I');
	top_ui_rebuild(&f->ui);
	assert_int_equal(f->ui.sel, 0);
	assert_int_equal(f->ui.first, 0);
	assert_int_equal(item_at(&f->ui.items, 0).rep->sport, 80);
}

/* The table keeps its title and 5 rows before the advice pane gets
 * lines; the worst tuple's destination stays visible at 80 columns. */
static void test_small_screen_priorities(void **state)
{
	struct fixture *f = *state;
	struct fake fk = {0};
	int title, at;

	f->src = (struct top_sources){.ctx = &fk, .advice = fake_advice};
	f->ui.show_advice = true;
	top_ui_refreshed(&f->ui);
	render(f, 14, 120);
	title = find_line(&f->cap, "STATE^");
	at = find_line(&f->cap, "Advice");
	assert_true(title > 0);
	assert_true(at == -1 || at - title - 1 >= 5);
	assert_true(f->ui.page >= 5);
	render(f, 16, 120);
	at = find_line(&f->cap, "Advice");
	title = find_line(&f->cap, "STATE^");
	assert_true(at > 0);
	assert_true(at - title - 1 >= 5);
	/* 80 columns: the tuple line keeps its destination. */
	top_ui_snap(&f->ui)->has_counters = true;
	top_ui_snap(&f->ui)->counters.have_orphans = true;
	f->ui.limits.max_orphans = 65536;
	f->ui.limits.usable_ports = 28232;
	top_ui_snap(&f->ui)->eph_lo = 32768;
	top_ui_snap(&f->ui)->worst =
	    (struct top_tuple){.family = AF_INET, .dport = 8443, .sockets = 2};
	memcpy(top_ui_snap(&f->ui)->worst.saddr,
	       (uint8_t[]){192, 168, 100, 200}, 4);
	memcpy(top_ui_snap(&f->ui)->worst.daddr,
	       (uint8_t[]){203, 113, 200, 250}, 4);
	render(f, 30, 80);
	assert_true(
	    line_has(&f->cap, "192.168.100.200 -> 203.113.200.250:8443"));
	assert_true(line_has(&f->cap, "orphans (host-wide) 0 of 65536"));
}

/* Sockets missing from the next refresh stay a few seconds, dimmed and
 * marked, after the live rows; a closes/s line counts them by state. A
 * filter change is not closing. */
static void test_closed_rows_dimmed(void **state)
{
	struct fixture *f = *state;
	uint64_t tw = 0;
	int at;

	render(f, 40, 120);
	assert_true(find_line(&f->cap, "closed 0.0/s") > 0);
	for (size_t i = 0; i < f->ui.items.n; i++) {
		if (item_at(&f->ui.items, i).rep->state == SS_TIME_WAIT) {
			tw = item_at(&f->ui.items, i).rep->cookie;
		}
	}
	refresh_without(f, tw);		     /* 2 s later */
	assert_int_equal(f->ui.items.n, 31); /* 30 live, 1 closed */
	assert_true(f->ui.items.v[30].gone);
	assert_int_equal(item_at(&f->ui.items, 30).rep->cookie, tw);
	render(f, 40, 120);
	at = find_line(&f->cap, "(closed)");
	assert_true(at > 0);
	assert_int_equal(f->cap.role[at], TR_DIM);
	assert_true(find_line(&f->cap, "closed 0.5/s: TIME_WAIT 0.5") > 0);
	assert_true(line_has(&f->cap, "rows: 30"));
	/* Not taggable, not closable. */
	top_key(&f->ui, TK_END);
	top_key(&f->ui, ' ');
	assert_int_equal(f->ui.n_tags, 0);
	/* Still there 4 s later; gone after more than 5. */
	refresh_without(f, 0);
	assert_int_equal(f->ui.items.n, 31);
	refresh_without(f, 0);
	assert_int_equal(f->ui.items.n, 31);
	refresh_without(f, 0);
	assert_int_equal(f->ui.items.n, 30);
	/* A new filter hides rows: they did not close. */
	f->ui.gones_reset = true;
	refresh_without(f, item_at(&f->ui.items, 0).rep->cookie);
	assert_int_equal(f->ui.items.n, 29);
	assert_int_equal(f->ui.gones.n, 0);
}

/* The closes/s meter: every state that closed, busiest first, as many as
 * fit the width; the events the kernel dropped, when any, always. */
static void test_closes_meter_fits(void **state)
{
	struct fixture *f = *state;
	struct top_gones *g = &f->ui.gones;
	static const uint8_t st[] = {
	    SS_CLOSE,	 SS_TIME_WAIT, SS_ESTABLISHED, SS_CLOSE_WAIT,
	    SS_LAST_ACK, SS_FIN_WAIT1, SS_SYN_SENT};
	int at;

	g->valid = true;
	g->total = 0;
	for (size_t i = 0; i < sizeof(st); i++) {
		g->rate[st[i]] = 120.0 - 10.0 * (double)i;
		g->total += g->rate[st[i]];
	}
	g->lost = 7;
	render(f, 24, 80);
	at = find_line(&f->cap, "closed 630.0/s: CLOSE 120.0 TIME_WAIT 110.0");
	assert_true(at > 0);
	assert_true(strlen(f->cap.lines[at]) <= 80);
	assert_non_null(strstr(f->cap.lines[at], "  lost 7"));
	assert_null(strstr(f->cap.lines[at], "SYN_SENT"));
	render(f, 24, 200);
	at = find_line(&f->cap, "closed 630.0/s:");
	assert_non_null(strstr(f->cap.lines[at], "FIN_WAIT1 70.0 SYN_SENT "
						 "60.0  lost 7"));
}

/* Orphans against their limit and the worst tuple against the usable
 * ports, with bars; the line is absent while neither is known. */
static void test_pressure_line(void **state)
{
	struct fixture *f = *state;
	struct top_snap *s = top_ui_snap(&f->ui);
	int at;

	render(f, 24, 120);
	assert_int_equal(find_line(&f->cap, "orphans"), -1);
	assert_int_equal(find_line(&f->cap, "worst tuple"), -1);
	s->has_counters = true;
	s->counters.have_orphans = true;
	s->counters.orphans = 40;
	f->ui.limits.max_orphans = 160;
	f->ui.limits.usable_ports = 1000;
	s->eph_lo = 32768;
	s->eph_hi = 60999;
	s->worst =
	    (struct top_tuple){.family = AF_INET, .dport = 443, .sockets = 250};
	memcpy(s->worst.saddr, (uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(s->worst.daddr, (uint8_t[]){10, 0, 0, 9}, 4);
	render(f, 24, 120);
	at = find_line(&f->cap, "orphans");
	assert_true(at > 0);
	assert_string_equal(
	    f->cap.lines[at],
	    "orphans (host-wide) 40 of 160 [||    ]  worst tuple "
	    "250 of 1000 ports (25.0%) [||    ] 10.0.0.1 -> "
	    "10.0.0.9:443");
	assert_int_equal(f->cap.role[at], TR_HEADER);
	/* IPv6 peers in brackets; no orphan count: the tuple alone. */
	s->counters.have_orphans = false;
	s->worst.family = AF_INET6;
	memset(s->worst.saddr, 0, 16);
	memset(s->worst.daddr, 0, 16);
	s->worst.saddr[15] = 1;
	s->worst.daddr[15] = 2;
	render(f, 24, 120);
	at = find_line(&f->cap, "worst tuple");
	assert_true(at > 0);
	assert_non_null(strstr(f->cap.lines[at], " ::1 -> [::2]:443"));
	s->worst.sockets = 0;
	render(f, 24, 120);
	at = find_line(&f->cap, "worst tuple");
	assert_true(at > 0);
	assert_string_equal(f->cap.lines[at],
			    "worst tuple: none of 1000 ports");
}

/* A record of table (family, protocol) in state, counted and kept. */
static void add_other(struct top_snap *s, uint8_t family, uint8_t protocol,
		      uint8_t state, uint64_t cookie)
{
	struct sock_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.family = family;
	rec.protocol = protocol;
	rec.state = state;
	rec.cookie = cookie;
	rec.inode = (uint32_t)cookie;
	top_snap_add(s, &rec);
	top_snap_count(s, &rec);
}

/* The header's per-table line: every table listed, its sockets and, where
 * its rows have states, those (UNIX: LISTEN, ESTABLISHED, UNCONN); the TCP
 * meters, counter rates, orphans and worst tuple only when TCP is listed;
 * none of it on the default screen (TCP and UDP: its rows are kept). On a
 * narrow screen the states go, then the counts wrap. */
static void test_table_counts(void **state)
{
	struct fixture *f = *state;
	struct top_snap *s = top_ui_snap(&f->ui);
	int at;

	render(f, 0, 0);
	assert_int_equal(find_line(&f->cap, "tables:"), -1);
	top_snap_reset(s);
	s->when = 10.0;
	s->has_counters = true;
	s->counters.have_orphans = true;
	f->ui.limits.usable_ports = 1000;
	s->eph_lo = 32768;
	s->eph_hi = 60999;
	add_other(s, AF_UNIX, SOCK_STREAM, SS_LISTEN, 1);
	add_other(s, AF_UNIX, SOCK_STREAM, SS_ESTABLISHED, 2);
	add_other(s, AF_UNIX, SOCK_STREAM, SS_ESTABLISHED, 3);
	add_other(s, AF_UNIX, SOCK_DGRAM, SS_CLOSE, 4);
	add_other(s, AF_UNIX, SOCK_DGRAM, SS_ESTABLISHED, 5);
	for (uint64_t i = 0; i < 3; i++) {
		add_other(s, AF_NETLINK, 0, SS_CLOSE, 6 + i);
	}
	add_other(s, AF_INET, IPPROTO_TCP, SS_LISTEN, 9);
	f->o.protocols = PROTO_UNIX_MASK | PROTO_NETLINK;
	top_ui_refreshed(&f->ui);
	render(f, 0, 0);
	at = find_line(&f->cap, "tables:");
	assert_true(at > 0);
	assert_string_equal(f->cap.lines[at],
			    "tables: u_str 3 (LISTEN 1 ESTABLISHED 2)  u_dgr 2 "
			    "(ESTABLISHED 1 UNCONN 1)  u_seq 0  nl 3");
	assert_int_equal(find_line(&f->cap, "LISTEN "), -1);
	assert_int_equal(find_line(&f->cap, "new connections"), -1);
	assert_int_equal(find_line(&f->cap, "orphans"), -1);
	assert_int_equal(find_line(&f->cap, "worst tuple"), -1);
	assert_int_equal(at, 1); /* right under the first line */
	/* With TCP: its meters, then the line, TCP's count without states
	 * (the meters have them). */
	f->o.protocols |= PROTO_TCP;
	render(f, 0, 0);
	assert_true(find_line(&f->cap, "LISTEN          1") > 0);
	assert_true(find_line(&f->cap, "orphans") > 0);
	at = find_line(&f->cap, "tables:");
	assert_true(at > 4);
	assert_true(!strncmp(f->cap.lines[at], "tables: tcp 1  u_str 3 (", 24));
	/* UDP alone: its count, no meters. */
	f->o.protocols = PROTO_UDP;
	render(f, 0, 0);
	assert_string_equal(f->cap.lines[1], "tables: udp 0");
	/* Narrow: counts only, wrapped. */
	f->o.protocols = PROTO_UNIX_MASK | PROTO_NETLINK;
	memset(&f->cap, 0, sizeof(f->cap));
	top_view_render(&f->view, &f->ui, 24, 30, sink_lines, &f->cap);
	at = find_line(&f->cap, "tables:");
	assert_string_equal(f->cap.lines[at], "tables: u_str 3  u_dgr 2");
	assert_string_equal(f->cap.lines[at + 1], "  u_seq 0  nl 3");
	for (int i = 0; i < f->cap.n; i++) {
		assert_true(strlen(f->cap.lines[i]) <= 30);
	}
}

/* Fill s with n sockets, cookies from base: addresses, ports and states
 * spread as on a busy server (few local addresses, many peers). */
static void fill_many(struct top_snap *s, uint64_t base, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t c = base + i;

		add_peer_row(s, c, c % 3 ? SS_ESTABLISHED : SS_TIME_WAIT,
			     (uint16_t)(1024 + c % 60000), (uint32_t)(c % 7),
			     (uint8_t)(c >> 8), (uint8_t)c, 443);
	}
}

/*
 * Issue 20: what top keeps for the view between refreshes, by its own
 * accounting (top_ui_bytes), on 200,000 sockets after two refreshes (the
 * second with 1,000 closed), the previous refresh's rows given back. Per
 * socket: a 48-byte row (its addresses and owner as indices into the
 * snapshot's dict, no RTT: none was asked) and an 8-byte item (an index
 * and its kind); the dict's tables count too (here 65,536 distinct IPv4
 * peers: 4 bytes each and their index), as do the closed rows and theirs
 * (60.4 bytes in all, 2026-12-02; 64.7 with every peer in 17 bytes). It
 * was two rows (104 bytes each, in arrays up to twice the rows) and a
 * 56-byte item: 329 bytes; then one 96-byte row (both 16-byte addresses
 * and a 15-byte process name in it) and a 48-byte item: 144.
 */
#define MANY		200000u
#define KEPT_PER_SOCKET 64u
#define KEPT_CONSTANT	(512u * 1024u)

static void test_bytes_per_socket(void **unused)
{
	static char prog[] = "sockscope";
	struct top_sources src = {0};
	struct opts o;
	struct top_ui ui;
	size_t gone = 0, bytes;

	(void)unused;
	assert_int_equal(opts_parse(&o, 1, (char *[]){prog, NULL}), 0);
	top_ui_init(&ui, &o, &src);
	ui.page = 40;
	ui.cur = 1;
	fill_many(top_ui_snap(&ui), 1, MANY);
	top_ui_snap(&ui)->when = 10.0;
	top_ui_refreshed(&ui);
	ui.cur ^= 1u;
	top_snap_reset(top_ui_snap(&ui));
	fill_many(top_ui_snap(&ui), 1001, MANY); /* cookies 1-1000 closed */
	top_ui_snap(&ui)->when = 12.0;
	top_ui_refreshed(&ui);

	/* Everything still there: the live rows, the closed ones dimmed. */
	assert_int_equal(ui.items.n_live, MANY);
	for (size_t i = ui.items.n_live; i < ui.items.n; i++) {
		gone += ui.items.v[i].gone;
	}
	assert_int_equal(gone, 1000);
	/* The previous refresh: counts kept (rates, diagram), rows not. */
	assert_int_equal(ui.snap[ui.cur ^ 1u].n, 0);
	assert_int_equal(ui.snap[ui.cur ^ 1u].tcp_states[SS_ESTABLISHED],
			 MANY - MANY / 3);

	bytes = top_ui_bytes(&ui);
	print_message("top keeps %zu bytes for %u sockets: %.1f per socket\n",
		      bytes, MANY, (double)bytes / MANY);
	assert_true(bytes <= (size_t)MANY * KEPT_PER_SOCKET + KEPT_CONSTANT);
	top_ui_finish(&ui);
	opts_finish(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout_drops_from_least_important),
	    cmocka_unit_test(test_layout_grouped),
	    cmocka_unit_test(test_layout_netns),
	    cmocka_unit_test_setup_teardown(test_render_screen, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_diagram_pane, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unix_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_batch_and_narrow, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_filter_prompt, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_keys_group_sort, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kill_bound_to_socket, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_tags_and_closing_a_set, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_kill, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_search_jumps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delay_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_interval_stretches, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sort_goes_to_top, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_small_screen_priorities, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_closes_meter_fits, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_closed_rows_dimmed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_table_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pressure_line, setup,
					    teardown),
	    cmocka_unit_test(test_bytes_per_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

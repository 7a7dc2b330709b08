// SPDX-License-Identifier: MIT
/*
 * top_refresh.c: a refresh on a thread hands over the same snapshot the
 * collector fills in line; a cancelled one hands over nothing, stops at a
 * row and leaves the collector ready for the next. Against a --load file
 * written here (no kernel involved).
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag.h"
#include "filter.h"
#include "ifname.h"
#include "opts.h"
#include "top.h"
#include "top_collect.h"
#include "top_refresh.h"

#define SOCKETS 20000u

struct fixture {
	char path[64];
	struct opts o;
	struct filter *none;
	struct ifnames *ifn;
	struct top_collect c;
	struct top_sources src;
	struct top_query q;
};

/* SOCKETS ESTABLISHED TCP sockets, each with its own port and cookie,
 * closed by the dump's end: what --save writes. */
static void write_dump(int fd)
{
	const uint32_t seq = DIAG_SEQ_MAGIC | IPPROTO_TCP << 8 | AF_INET;
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_msg d;
	} m;
	struct {
		struct nlmsghdr nlh;
		int err;
	} done = {{.nlmsg_len = sizeof(done),
		   .nlmsg_type = NLMSG_DONE,
		   .nlmsg_flags = NLM_F_MULTI,
		   .nlmsg_seq = seq}};

	for (uint32_t i = 0; i < SOCKETS; i++) {
		memset(&m, 0, sizeof(m));
		m.nlh.nlmsg_len = sizeof(m);
		m.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		m.nlh.nlmsg_flags = NLM_F_MULTI;
		m.nlh.nlmsg_seq = seq;
		m.d.idiag_family = AF_INET;
		m.d.idiag_state = 1; /* ESTABLISHED */
		m.d.id.idiag_sport = htons((uint16_t)(1024 + i % 60000));
		m.d.id.idiag_dport = htons(80);
		m.d.id.idiag_src[0] = htonl(0x7f000001);
		m.d.id.idiag_dst[0] = htonl(0x7f000001);
		m.d.id.idiag_cookie[0] = i + 1;
		m.d.idiag_inode = 1000 + i;
		assert_int_equal(write(fd, &m, sizeof(m)), (ssize_t)sizeof(m));
	}
	assert_int_equal(write(fd, &done, sizeof(done)), (ssize_t)sizeof(done));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct filter_error ferr;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/sockscope-refresh-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	write_dump(fd);
	close(fd);
	assert_int_equal(filter_parse(0, NULL, &f->none, &ferr), 0);
	f->o = (struct opts){.protocols = PROTO_TCP,
			     .families = FAM_INET | FAM_INET6,
			     .root = "/",
			     .load_path = f->path,
			     .filter = f->none};
	assert_int_equal(top_collect_init(&f->c, &f->o), 0);
	f->ifn = ifnames_create();
	f->c.ifn = f->ifn;
	f->q = (struct top_query){.protocols = PROTO_TCP,
				  .families = FAM_INET | FAM_INET6,
				  .states = SS_ALL_BITS,
				  .filter = f->none,
				  .src = &f->src};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	top_collect_finish(&f->c);
	ifnames_destroy(f->ifn);
	filter_destroy(f->none);
	unlink(f->path);
	free(f);
	return 0;
}

/* Every socket of the file, counted and kept, in the order read. */
static void assert_whole(const struct top_snap *s)
{
	assert_int_equal(s->n, SOCKETS);
	assert_int_equal(s->total, SOCKETS);
	assert_int_equal(s->tcp_states[1], SOCKETS);
	assert_true(s->rows[0].cookie == 1);
	assert_true(s->rows[SOCKETS - 1].cookie == SOCKETS);
}

/* On a thread: the eventfd says done; the snapshot is whole. */
static void test_threaded(void **state)
{
	struct fixture *f = *state;
	struct top_refresh r;

	assert_int_equal(top_refresh_init(&r, &f->c, true), 0);
	assert_true(r.fd >= 0);
	for (int round = 0; round < 2; round++) {
		top_refresh_start(&r, &f->q);
		assert_true(top_refresh_busy(&r));
		assert_true(top_refresh_query(&r)->filter == f->none);
		assert_int_equal(top_refresh_take(&r, true), 0);
		assert_false(top_refresh_busy(&r));
		assert_whole(&r.snap);
	}
	assert_int_equal(top_refresh_take(&r, true), -EINVAL);
	top_refresh_finish(&r);
	assert_null(f->c.cancel);
}

/* In line (--batch): done inside start, no descriptor. */
static void test_inline(void **state)
{
	struct fixture *f = *state;
	struct top_refresh r;

	assert_int_equal(top_refresh_init(&r, &f->c, false), 0);
	assert_int_equal(r.fd, -1);
	top_refresh_start(&r, &f->q);
	assert_int_equal(top_refresh_take(&r, false), 0);
	assert_whole(&r.snap);
	top_refresh_finish(&r);
}

/* Cancelled: nothing handed over whatever the worker had done; the
 * collector serves the next refresh whole. */
static void test_cancel(void **state)
{
	struct fixture *f = *state;
	struct top_refresh r;

	assert_int_equal(top_refresh_init(&r, &f->c, true), 0);
	top_refresh_start(&r, &f->q);
	top_refresh_cancel(&r);
	assert_int_equal(top_refresh_take(&r, true), -ECANCELED);
	top_refresh_start(&r, &f->q);
	assert_int_equal(top_refresh_take(&r, true), 0);
	assert_whole(&r.snap);
	/* finish with a refresh in flight cancels and joins it. */
	top_refresh_start(&r, &f->q);
	top_refresh_finish(&r);
}

/* The flag is read at every row: set before the dump, no row is kept
 * and the refresh says so. */
static void test_cancel_stops_at_a_row(void **state)
{
	struct fixture *f = *state;
	struct top_snap s;
	bool stop = true;

	top_snap_init(&s);
	f->c.cancel = &stop;
	assert_int_equal(top_collect(&f->c, &f->q, &s), -ECANCELED);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.total, 0);
	stop = false;
	assert_int_equal(top_collect(&f->c, &f->q, &s), 0);
	assert_whole(&s);
	f->c.cancel = NULL;
	top_snap_finish(&s);
}

/* The hand-over: the fresh snapshot becomes the current one, the one
 * before goes back (released) to be filled next. */
static void test_ui_take(void **state)
{
	struct fixture *f = *state;
	struct top_refresh r;
	struct top_ui ui;

	top_ui_init(&ui, &f->o, &f->src);
	assert_int_equal(top_refresh_init(&r, &f->c, true), 0);
	for (uint64_t round = 1; round <= 2; round++) {
		top_refresh_start(&r, &f->q);
		assert_int_equal(top_refresh_take(&r, true), 0);
		top_ui_take(&ui, &r.snap);
		assert_true(ui.refreshes == round);
		assert_whole(top_ui_snap(&ui));
		assert_int_equal(ui.items.n, SOCKETS);
		assert_int_equal(r.snap.n, 0);
		assert_null(r.snap.rows); /* released by top_ui_refreshed */
	}
	/* The previous snapshot keeps its counts for the rates. */
	assert_int_equal(ui.snap[ui.cur ^ 1u].total, SOCKETS);
	top_refresh_finish(&r);
	top_ui_finish(&ui);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_threaded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_inline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_stops_at_a_row, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ui_take, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

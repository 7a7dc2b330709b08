// SPDX-License-Identifier: MIT
/*
 * top's closed rows from the kernel's destroy events (top_gones.c's
 * gones with events, top_events.c's filter): an event record becomes a
 * closed row at its own time, counted by state; what the refreshes saw
 * fills what the event lacks; a socket that only left the view, or lives
 * on in TIME_WAIT, did not close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "opts.h"
#include "top_events.h"
#include "top_model.h"
#include "toprow.h"

static void rec_tcp(struct sock_rec *r, uint64_t cookie, uint8_t state,
		    uint16_t sport, uint16_t dport)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	r->protocol = IPPROTO_TCP;
	r->state = state;
	r->cookie = cookie;
	r->sport = sport;
	r->dport = dport;
	r->saddr[0] = 10;
	r->saddr[3] = 1;
	r->daddr[0] = 10;
	r->daddr[3] = 2;
}

static void add_row(struct top_snap *s, const struct sock_rec *rec,
		    const char *proc)
{
	struct top_row *r = top_snap_add(s, rec);

	top_snap_set_owner(s, r, proc, 0);
}

/* Closed row i of g. */
static struct trow gone_row(const struct top_gones *g, size_t i)
{
	struct trow t = trow_of(&g->dict, &g->v[i].row);

	t.has_rtt = g->v[i].row.has_rtt;
	t.rtt_us = g->v[i].rtt_us;
	return t;
}

struct fix {
	struct top_snap prev, cur;
	struct top_gones g;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	top_snap_init(&f->prev);
	top_snap_init(&f->cur);
	top_gones_init(&f->g);
	f->g.events = true;
	f->prev.when = 100.0;
	f->cur.when = 102.0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	top_snap_finish(&f->prev);
	top_snap_finish(&f->cur);
	top_gones_finish(&f->g);
	free(f);
	return 0;
}

static void close_at(struct fix *f, const struct sock_rec *rec, double when,
		     bool passes)
{
	struct top_close c;

	top_close_from_rec(&c, rec, when);
	c.passes = passes;
	top_gones_add_close(&f->g, &c);
}

/* Born and closed between two refreshes: the event's row, its time, its
 * RTT, counted by the state it ended in. */
static void test_born_between_refreshes(void **state)
{
	struct fix *f = *state;
	struct sock_rec rec, live;
	struct tcp_info ti = {.tcpi_rtt = 1234};

	rec_tcp(&live, 1, SS_ESTABLISHED, 443, 5000);
	add_row(&f->prev, &live, "a");
	add_row(&f->cur, &live, "a");
	rec_tcp(&rec, 77, SS_CLOSE, 40000, 8080);
	rec.send_q = UINT32_MAX; /* a freed socket's write allocation */
	rec.ext.tcp_info = &ti;
	rec.ext.tcp_info_len = sizeof(ti);
	close_at(f, &rec, 101.25, true);
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_true(f->g.valid);
	assert_int_equal(f->g.n, 1);
	assert_int_equal(f->g.v[0].row.cookie, 77);
	assert_int_equal(f->g.v[0].row.sport, 40000);
	assert_int_equal(f->g.v[0].row.dport, 8080);
	assert_int_equal(gone_row(&f->g, 0).daddr[3], 2);
	assert_int_equal(f->g.v[0].row.state, SS_CLOSE);
	assert_int_equal(f->g.v[0].row.send_q, 0);
	assert_true(f->g.v[0].row.has_rtt);
	assert_int_equal(gone_row(&f->g, 0).rtt_us, 1234);
	assert_true(f->g.v[0].when == 101.25);
	assert_true(f->g.rate[SS_CLOSE] == 0.5);
	assert_true(f->g.total == 0.5);
	assert_int_equal(f->g.n_pend, 0);
}

/* One the filter would not show, and no refresh saw: not a close here. */
static void test_filtered_out(void **state)
{
	struct fix *f = *state;
	struct sock_rec rec;

	rec_tcp(&rec, 77, SS_CLOSE, 40000, 8080);
	close_at(f, &rec, 101.0, false);
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 0);
	assert_true(f->g.total == 0);
}

/* Seen ESTABLISHED, then reset by its owner (the event has no peer): the
 * row has the peer and process a refresh saw, and counts as ESTABLISHED,
 * whether the event comes before the refresh that misses it or after. */
static void test_seen_then_closed(void **state)
{
	struct fix *f = *state;
	struct sock_rec seen, ev;

	f->g.wait_event = true; /* the filter names states */
	rec_tcp(&seen, 5, SS_ESTABLISHED, 40001, 443);
	add_row(&f->prev, &seen, "curl");
	rec_tcp(&ev, 5, SS_CLOSE, 40001, 0);
	memset(ev.daddr, 0, sizeof(ev.daddr));
	close_at(f, &ev, 101.0, false); /* filter "state established" */
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_int_equal(f->g.v[0].row.dport, 443);
	assert_int_equal(gone_row(&f->g, 0).daddr[3], 2);
	assert_string_equal(gone_row(&f->g, 0).proc, "curl");
	assert_true(f->g.rate[SS_ESTABLISHED] == 0.5);
	assert_true(f->g.rate[SS_CLOSE] == 0);

	/* The event late: the refresh that missed it held the row. */
	rec_tcp(&seen, 6, SS_ESTABLISHED, 40002, 443);
	top_snap_reset(&f->prev);
	add_row(&f->prev, &seen, "wget");
	f->prev.when = 102.0;
	top_snap_reset(&f->cur);
	f->cur.when = 104.0;
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1); /* not a close yet */
	assert_true(f->g.total == 0);
	rec_tcp(&ev, 6, SS_CLOSE, 40002, 443);
	close_at(f, &ev, 104.5, false);
	f->prev.when = 104.0;
	f->cur.when = 106.0;
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 2);
	assert_string_equal(gone_row(&f->g, 1).proc, "wget");
	assert_true(f->g.v[1].when == 104.5);
	assert_true(f->g.rate[SS_ESTABLISHED] == 0.5);
}

/* Left the view by changing state (the filter names states), no event:
 * not a close, ever. */
static void test_left_filter(void **state)
{
	struct fix *f = *state;
	struct sock_rec seen;

	f->g.wait_event = true;
	rec_tcp(&seen, 8, SS_ESTABLISHED, 40003, 443);
	add_row(&f->prev, &seen, "");
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 0);
	assert_true(f->g.total == 0);
	top_snap_reset(&f->prev);
	f->prev.when = 102.0;
	f->cur.when = 110.0;
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 0);
	assert_int_equal(f->g.n_held, 0); /* forgotten after keep */
}

/* A UNIX row gets no destroy event (the kernel announces inet TCP and
 * UDP only): missing from a refresh, it is a close then, even while the
 * filter names states (an inet row is held for its event). */
static void test_unannounced(void **state)
{
	struct fix *f = *state;
	struct sock_rec ux, tcp;
	static const char path[] = "/run/x.sock";

	f->g.wait_event = true;
	memset(&ux, 0, sizeof(ux));
	ux.family = AF_UNIX;
	ux.protocol = SOCK_STREAM;
	ux.state = SS_ESTABLISHED;
	ux.cookie = 31;
	ux.inode = 4242;
	ux.ext.path = path;
	ux.ext.path_len = sizeof(path) - 1;
	add_row(&f->prev, &ux, "");
	rec_tcp(&tcp, 32, SS_ESTABLISHED, 40007, 443);
	add_row(&f->prev, &tcp, "");
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_int_equal(f->g.v[0].row.cookie, 31);
	assert_true(f->g.rate[SS_ESTABLISHED] == 0.5);
	assert_int_equal(f->g.n_held, 1); /* the TCP row waits */
}

/* TIME_WAIT: its end is announced by no event, so a refresh difference
 * is the close; a socket's event as it enters TIME_WAIT (its entry has a
 * cookie of its own when no dump saw the socket) is no close. */
static void test_time_wait(void **state)
{
	struct fix *f = *state;
	struct sock_rec tw, ev, tw2;

	rec_tcp(&tw, 9, SS_TIME_WAIT, 40004, 80);
	add_row(&f->prev, &tw, "");
	rec_tcp(&tw2, 900, SS_TIME_WAIT, 40005, 80);
	add_row(&f->cur, &tw2, "");
	rec_tcp(&ev, 90, SS_CLOSE, 40005, 80);
	close_at(f, &ev, 101.0, true);
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_int_equal(f->g.v[0].row.cookie, 9);
	assert_true(f->g.rate[SS_TIME_WAIT] == 0.5);
	assert_true(f->g.total == 0.5);
}

/* No state in the filter: a row missing left the kernel's table (reset or
 * killed while its owner holds it, no event until freed): a close at the
 * refresh; its event, later, is not a second one. */
static void test_left_table(void **state)
{
	struct fix *f = *state;
	struct sock_rec seen, ev;

	rec_tcp(&seen, 8, SS_ESTABLISHED, 40003, 443);
	add_row(&f->prev, &seen, "");
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_true(f->g.v[0].when == 102.0);
	assert_true(f->g.rate[SS_ESTABLISHED] == 0.5);
	rec_tcp(&ev, 8, SS_CLOSE, 40003, 443);
	close_at(f, &ev, 103.0, true);
	top_snap_reset(&f->prev);
	f->prev.when = 102.0;
	f->cur.when = 104.0;
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_true(f->g.total == 0);
}

/* Without the events (no CAP_NET_ADMIN): every row missing is a close,
 * as before. */
static void test_fallback(void **state)
{
	struct fix *f = *state;
	struct sock_rec seen;

	f->g.events = false;
	rec_tcp(&seen, 8, SS_ESTABLISHED, 40003, 443);
	add_row(&f->prev, &seen, "");
	top_gones_update(&f->g, &f->prev, &f->cur, 5.0);
	assert_int_equal(f->g.n, 1);
	assert_true(f->g.rate[SS_ESTABLISHED] == 0.5);
}

static struct filter *parse(int argc, char **argv)
{
	struct filter *fl = NULL;
	struct filter_error err;

	assert_int_equal(filter_parse(argc, argv, &fl, &err), 0);
	return fl;
}

/* The filter over the event's record, states as the kernel says them. */
static void test_passes(void **unused)
{
	struct opts o = {.protocols = PROTO_TCP | PROTO_UDP,
			 .families = FAM_INET | FAM_INET6};
	char *est[] = {(char *)"state", (char *)"established"};
	char *port[] = {(char *)"dport", (char *)"=", (char *)":8080"};
	struct filter *none = parse(0, NULL), *fe = parse(2, est),
		      *fp = parse(3, port);
	struct sock_rec tcp, udp;

	(void)unused;
	rec_tcp(&tcp, 1, SS_CLOSE, 40000, 8080);
	udp = tcp;
	udp.protocol = IPPROTO_UDP;
	udp.state = SS_ESTABLISHED;
	assert_true(top_close_passes(&tcp, &o, none));
	assert_false(top_close_passes(&tcp, &o, fe));
	assert_true(top_close_passes(&udp, &o, fe));
	assert_true(top_close_passes(&tcp, &o, fp));
	tcp.dport = 8081;
	assert_false(top_close_passes(&tcp, &o, fp));
	o.protocols = PROTO_UDP;
	assert_false(top_close_passes(&tcp, &o, none));
	o.protocols = PROTO_TCP;
	o.listening = true; /* -l: only sockets without a peer */
	assert_false(top_close_passes(&tcp, &o, none));
	tcp.dport = 0;
	memset(tcp.daddr, 0, sizeof(tcp.daddr));
	assert_true(top_close_passes(&tcp, &o, none));
	filter_destroy(none);
	filter_destroy(fe);
	filter_destroy(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_born_between_refreshes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_filtered_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seen_then_closed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_left_filter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unannounced, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_time_wait, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_left_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
	    cmocka_unit_test(test_passes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

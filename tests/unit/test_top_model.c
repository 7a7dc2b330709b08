// SPDX-License-Identifier: MIT
/* top_model: rates, sorting by every column, grouping, frozen order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"
#include "top_model.h"
#include "toprow.h"

/* Item i of it, resolved for reading. */
static struct top_ref item_at(const struct top_items *it, size_t i)
{
	struct top_ref r;

	top_items_ref(it, &it->v[i], &r);
	return r;
}

/* Item i's process name (a static copy) and pid. */
static const char *proc_at(const struct top_items *it, size_t i)
{
	static char name[16];
	struct top_ref r = item_at(it, i);
	size_t len;
	const char *p = top_row_proc(r.dict, r.rep, &len);

	memcpy(name, p, len);
	name[len] = '\0';
	return name;
}

static uint32_t pid_at(const struct top_items *it, size_t i)
{
	struct top_ref r = item_at(it, i);

	return top_row_pid(r.dict, r.rep);
}

/* Five sockets whose every column orders them differently. */
static void fill(struct top_snap *s)
{
	static const struct {
		uint64_t cookie;
		uint8_t state, proto, ip, peer, retrans;
		uint16_t sport, dport;
		uint32_t rq, sq, exp, uid, rtt;
		const char *proc;
	} t[] = {
	    {10, SS_ESTABLISHED, IPPROTO_TCP, 3, 9, 2, 443, 5000, 0, 30, 900,
	     1000, 700, "nginx"},
	    {11, SS_ESTABLISHED, IPPROTO_TCP, 2, 9, 0, 443, 5001, 50, 0, 100, 0,
	     300, "nginx"},
	    {12, SS_TIME_WAIT, IPPROTO_TCP, 1, 8, 0, 40000, 80, 1, 1, 50000, 5,
	     0, ""},
	    {13, SS_LISTEN, IPPROTO_TCP, 4, 0, 0, 443, 0, 7, 128, 0, 2, 50,
	     "nginx"},
	    {14, SS_CLOSE_WAIT, IPPROTO_TCP, 5, 8, 1, 8080, 81, 3, 10, 200, 7,
	     1500, "java"},
	};

	top_snap_reset(s);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct trow r = {0};

		r.cookie = t[i].cookie;
		r.state = t[i].state;
		r.protocol = t[i].proto;
		r.family = AF_INET;
		r.saddr[0] = 10;
		r.saddr[3] = t[i].ip;
		r.daddr[0] = t[i].peer ? 192 : 0;
		r.daddr[3] = t[i].peer;
		r.sport = t[i].sport;
		r.dport = t[i].dport;
		r.recv_q = t[i].rq;
		r.send_q = t[i].sq;
		r.expires_ms = t[i].exp;
		r.timer = t[i].exp ? 1 : 0;
		r.uid = t[i].uid;
		r.rtt_us = t[i].rtt;
		r.has_rtt = t[i].rtt != 0;
		r.retrans = t[i].retrans;
		snprintf(r.proc, sizeof(r.proc), "%s", t[i].proc);
		trow_add(s, &r);
	}
}

static void order_is(const struct top_items *it, const uint64_t *want, size_t n)
{
	assert_int_equal(it->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(item_at(it, i).rep->cookie, want[i]);
	}
}

static void sorted(enum top_col col, bool invert, const uint64_t want[5])
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.sort = col, .invert = invert};
	uint64_t rev[5];

	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	top_items_build(&it, &s, &ord);
	order_is(&it, want, 5);
	/* Inverting reverses the order (all keys here are distinct). */
	for (size_t i = 0; i < 5; i++) {
		rev[i] = want[4 - i];
	}
	ord.invert = !invert;
	top_items_build(&it, &s, &ord);
	order_is(&it, rev, 5);
	top_items_finish(&it);
	top_snap_finish(&s);
}

static void test_sort_each_column(void **unused)
{
	(void)unused;
	/* Text ascending; numbers largest first. */
	sorted(TOP_COL_LOCAL, false, (uint64_t[]){12, 11, 10, 13, 14});
	sorted(TOP_COL_RECVQ, false, (uint64_t[]){11, 13, 14, 12, 10});
	sorted(TOP_COL_SENDQ, false, (uint64_t[]){13, 10, 14, 12, 11});
	sorted(TOP_COL_TIMER, false, (uint64_t[]){13, 11, 14, 10, 12});
	sorted(TOP_COL_RTT, false, (uint64_t[]){14, 10, 11, 13, 12});
	sorted(TOP_COL_UID, false, (uint64_t[]){11, 13, 12, 14, 10});
	sorted(TOP_COL_RTT, true, (uint64_t[]){12, 13, 11, 10, 14});
}

static void test_sort_ties_by_id(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.sort = TOP_COL_STATE};

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	/* ESTABLISHED 10, 11 tie on state: id decides, both directions. */
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){10, 11, 12, 14, 13}, 5);
	ord.invert = true;
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){13, 14, 12, 10, 11}, 5);
	/* RETRANS and PEER: 11 and 12 tie (0; same peer family order). */
	ord = (struct top_order){.sort = TOP_COL_RETRANS};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){10, 14, 11, 12, 13}, 5);
	ord = (struct top_order){.sort = TOP_COL_PROCESS};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){12, 14, 10, 11, 13}, 5);
	ord = (struct top_order){.sort = TOP_COL_PEER};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){13, 12, 14, 10, 11}, 5);
	top_items_finish(&it);
	top_snap_finish(&s);
}

/* The index of the group whose first row has cookie, or SIZE_MAX. */
static size_t group(const struct top_items *it, uint64_t member_cookie_any)
{
	for (size_t i = 0; i < it->n; i++) {
		if (item_at(it, i).rep->cookie == member_cookie_any) {
			return i;
		}
	}
	return SIZE_MAX;
}

static void test_grouping(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.group = TOP_GROUP_STATE,
				.sort = TOP_COL_COUNT};
	size_t g;

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 4);
	assert_int_equal(item_at(&it, 0).count,
			 2); /* the ESTABLISHED pair first */
	assert_int_equal(item_at(&it, 0).rep->state, SS_ESTABLISHED);
	assert_int_equal(item_at(&it, 0).recv_q, 50);
	assert_int_equal(item_at(&it, 0).send_q, 30);
	assert_int_equal(item_at(&it, 0).retrans, 2);

	ord.group = TOP_GROUP_LPORT;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3);
	assert_int_equal(item_at(&it, 0).count, 3);
	assert_int_equal(item_at(&it, 0).rep->sport, 443);
	assert_int_equal(item_at(&it, 0).send_q, 158);
	assert_int_equal(item_at(&it, 0).recv_q, 57);

	ord.group = TOP_GROUP_RHOST;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3); /* .9, .8 and the listener's 0.0.0.0 */
	ord.group = TOP_GROUP_RHOSTPORT;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 5);

	ord =
	    (struct top_order){.group = TOP_GROUP_PROCESS, .sort = TOP_COL_KEY};
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3);
	assert_string_equal(proc_at(&it, 0), ""); /* "" < java < nginx */
	assert_string_equal(proc_at(&it, 2), "nginx");
	assert_int_equal(item_at(&it, 2).count, 3);
	g = group(&it, 14);
	assert_true(g != SIZE_MAX);
	assert_int_equal(item_at(&it, g).count, 1);
	/* Group ids depend on the key only, not on which socket leads. */
	assert_int_not_equal(item_at(&it, 0).id, item_at(&it, 1).id);
	top_items_finish(&it);
	top_snap_finish(&s);
}

/* Process groups are per pid (two nginx are two rows, as summary);
 * remote hosts keep every listener under one heading of its own, and
 * IPv6 apart from IPv4 whatever the bytes. */
static void test_group_pid_and_listeners(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.group = TOP_GROUP_PROCESS,
				.sort = TOP_COL_KEY};
	static const uint32_t pids[] = {100, 100, 0, 101, 200};
	struct trow r;
	size_t listeners = 0;

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	/* nginx 100 twice, another nginx, java */
	for (size_t i = 0; i < s.n; i++) {
		r = trow_get(&s, i);
		r.pid = pids[i];
		trow_set(&s, i, &r);
	}
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 4); /* "", java, nginx 100, nginx 101 */
	assert_int_equal(pid_at(&it, 2), 100);
	assert_int_equal(item_at(&it, 2).count, 2);
	assert_int_equal(pid_at(&it, 3), 101);
	assert_int_not_equal(item_at(&it, 2).id, item_at(&it, 3).id);
	/* An IPv6 listener, and an IPv6 peer with the bytes of 192.0.0.9. */
	r = trow_get(&s, 3);
	r.cookie = 15;
	r.family = AF_INET6;
	trow_add(&s, &r);
	r = trow_get(&s, 0);
	r.cookie = 16;
	r.family = AF_INET6;
	trow_add(&s, &r);
	ord.group = TOP_GROUP_RHOST;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 4); /* .9, .8, v6 .9, listening */
	for (size_t i = 0; i < it.n; i++) {
		if (top_row_is_listener(item_at(&it, i).dict,
					item_at(&it, i).rep)) {
			listeners++;
			assert_int_equal(item_at(&it, i).count, 2);
		}
	}
	assert_int_equal(listeners, 1);
	ord.group = TOP_GROUP_RHOSTPORT;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 6); /* 4 v4 host:ports, 1 v6, listening */
	top_items_finish(&it);
	top_snap_finish(&s);
}

static void test_freeze_keeps_order(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.sort = TOP_COL_RECVQ};
	struct trow r = {0};

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){11, 13, 14, 12, 10}, 5);
	top_items_freeze(&it);
	/* Next refresh: queues change, one socket goes, one arrives. */
	fill(&s);
	s.rows[4].recv_q = 999; /* 14 would jump to the top */
	s.rows[1] = s.rows[4];
	s.n = 4;
	r.cookie = 20;
	r.recv_q = 5000;
	trow_add(&s, &r);
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){13, 14, 12, 10, 20}, 5);
	/* Sorting a different column does not move frozen rows either. */
	ord.sort = TOP_COL_UID;
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){13, 14, 12, 10, 20}, 5);
	top_items_thaw(&it);
	ord.sort = TOP_COL_RECVQ;
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){20, 14, 13, 12, 10}, 5);
	top_items_finish(&it);
	top_snap_finish(&s);
}

static void test_rates(void **unused)
{
	struct top_snap a, b;
	struct top_rates r;

	(void)unused;
	top_snap_init(&a);
	top_snap_init(&b);
	top_rates_compute(&r, &a, &b);
	assert_false(r.valid); /* no earlier snapshot */
	a.when = 100.0;
	b.when = 102.0;
	a.tcp_states[SS_TIME_WAIT] = 100;
	b.tcp_states[SS_TIME_WAIT] = 160;
	a.tcp_states[SS_CLOSE_WAIT] = 10;
	b.tcp_states[SS_CLOSE_WAIT] = 4;
	a.counters = (struct top_counters){1000, 50, 7};
	b.counters = (struct top_counters){1100, 40, 9};
	a.has_counters = true;
	top_rates_compute(&r, &a, &b);
	assert_true(r.valid);
	assert_true(r.state[SS_TIME_WAIT] == 30.0);
	assert_true(r.state[SS_CLOSE_WAIT] == -3.0);
	assert_false(r.has_counters); /* b had none */
	b.has_counters = true;
	top_rates_compute(&r, &a, &b);
	assert_true(r.has_counters);
	assert_true(r.new_conns == 50.0);
	assert_true(r.retrans_segs == 0.0); /* went down: no negative rate */
	assert_true(r.listen_overflows == 1.0);
	b.when = 100.0;
	top_rates_compute(&r, &a, &b);
	assert_false(r.valid); /* no time passed */
	top_snap_finish(&a);
	top_snap_finish(&b);
}

static void test_snap_reuses_rows(void **unused)
{
	struct top_snap s;
	struct top_row *first;
	struct sock_rec rec = {
	    .family = AF_INET, .protocol = IPPROTO_TCP, .state = SS_LISTEN};

	(void)unused;
	top_snap_init(&s);
	for (int i = 0; i < 3000; i++) {
		top_snap_count(&s, &rec);
		top_snap_add(&s, &rec);
	}
	assert_int_equal(s.tcp_states[SS_LISTEN], 3000);
	first = s.rows;
	top_snap_reset(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.tcp_states[SS_LISTEN], 0);
	for (int i = 0; i < 3000; i++) {
		top_snap_add(&s, &rec);
	}
	assert_ptr_equal(s.rows, first); /* no new allocation */
	rec.protocol = IPPROTO_UDP;
	top_snap_count(&s, &rec);
	assert_int_equal(s.total, 1);
	assert_int_equal(s.tcp_states[SS_LISTEN], 0);
	top_snap_finish(&s);
}

static void test_empty(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.group = TOP_GROUP_STATE,
				.sort = TOP_COL_COUNT};

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 0);
	top_items_freeze(&it);
	fill(&s);
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 4); /* everything new since the freeze */
	assert_int_equal(item_at(&it, 0).count, 2);
	top_snap_reset(&s);
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 0);
	top_items_finish(&it);
	top_snap_finish(&s);
}

static struct sock_rec tcp(uint8_t state, uint8_t src, uint16_t sport,
			   uint8_t dst, uint16_t dport)
{
	struct sock_rec r = {.family = AF_INET,
			     .protocol = IPPROTO_TCP,
			     .state = state,
			     .sport = sport,
			     .dport = dport};

	r.saddr[0] = 10;
	r.saddr[3] = src;
	r.daddr[0] = 192;
	r.daddr[3] = dst;
	return r;
}

/* The busiest (local, peer, peer port) over sockets on ephemeral ports,
 * whatever the filter; a reset starts the count again. */
static void test_worst_tuple(void **unused)
{
	struct top_snap s;
	struct sock_rec r;

	(void)unused;
	top_snap_init(&s);
	top_snap_reset(&s);
	r = tcp(SS_ESTABLISHED, 1, 40000, 9, 443);
	top_snap_count(&s, &r); /* no range yet: not counted */
	assert_int_equal(s.worst.sockets, 0);
	s.eph_lo = 40000;
	s.eph_hi = 40999;
	for (uint16_t p = 0; p < 5; p++) {
		r = tcp(p < 3 ? SS_TIME_WAIT : SS_ESTABLISHED, 1,
			(uint16_t)(40000 + p), 9, 443);
		top_snap_count(&s, &r);
	}
	for (uint16_t p = 0; p < 3; p++) {
		r = tcp(SS_SYN_SENT, 2, (uint16_t)(40100 + p), 9, 443);
		top_snap_count(&s, &r);
	}
	r = tcp(SS_ESTABLISHED, 1, 443, 7, 40500); /* inbound: local 443 */
	top_snap_count(&s, &r);
	r = tcp(SS_ESTABLISHED, 1, 41000, 9, 443); /* above the range */
	top_snap_count(&s, &r);
	r = tcp(SS_LISTEN, 1, 40500, 0, 0);
	top_snap_count(&s, &r);
	r.protocol = IPPROTO_UDP;
	r.state = SS_ESTABLISHED;
	r.daddr[0] = 192;
	r.dport = 53;
	top_snap_count(&s, &r);
	assert_int_equal(s.worst.sockets, 5);
	assert_int_equal(s.worst.family, AF_INET);
	assert_int_equal(s.worst.saddr[3], 1);
	assert_int_equal(s.worst.daddr[3], 9);
	assert_int_equal(s.worst.dport, 443);
	assert_int_equal(s.tuples.n, 2);
	assert_int_equal(s.tcp_states[SS_TIME_WAIT], 3);
	assert_int_equal(s.total, 13);
	top_snap_reset(&s);
	assert_int_equal(s.worst.sockets, 0);
	assert_int_equal(s.tuples.n, 0);
	s.eph_lo = 40000;
	s.eph_hi = 40999;
	r = tcp(SS_SYN_SENT, 2, 40100, 9, 443);
	top_snap_count(&s, &r);
	assert_int_equal(s.worst.sockets, 1);
	assert_int_equal(s.worst.saddr[3], 2);
	/* --all-netns: the same tuple in two namespaces is two tuples
	 * (each has its own ports); the worst says whose. */
	s.counting_ns = 3;
	for (uint16_t p = 0; p < 2; p++) {
		r = tcp(SS_SYN_SENT, 2, (uint16_t)(40100 + p), 9, 443);
		top_snap_count(&s, &r);
	}
	assert_int_equal(s.tuples.n, 2);
	assert_int_equal(s.worst.sockets, 2);
	assert_int_equal(s.worst.ns, 3);
	top_snap_finish(&s);
}

/* xorshift64*: a fixed, reproducible stream for the large fixture. */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

#define BIG_N 100000u

/* BIG_N sockets through the model's collection path (count, then keep
 * the row's keys), with few distinct values per column so that ties are
 * everywhere; the rows are in the generator's order, as a dump's are. */
static void fill_big(struct top_snap *s, uint64_t seed, uint32_t skip_mod)
{
	static const uint8_t states[] = {SS_ESTABLISHED, SS_TIME_WAIT,
					 SS_LISTEN, SS_CLOSE_WAIT, SS_SYN_SENT};
	static const char *const procs[] = {"", "nginx", "java", "redis"};
	uint64_t x = seed;

	top_snap_reset(s);
	for (uint32_t i = 0; i < BIG_N; i++) {
		struct sock_rec rec = {0};
		struct top_row *r;
		uint32_t pid;
		uint64_t v = next_rand(&x);

		if (skip_mod && v % skip_mod == 0) {
			continue; /* closed since the previous refresh */
		}
		rec.cookie = 1000 + i;
		rec.family = v & 1 ? AF_INET : AF_INET6;
		rec.protocol = v & 2 ? IPPROTO_TCP : IPPROTO_UDP;
		rec.state = states[(v >> 2) % 5];
		rec.saddr[0] = 10;
		rec.saddr[3] = (uint8_t)((v >> 5) % 7);
		rec.daddr[0] = 192;
		rec.daddr[3] = (uint8_t)((v >> 8) % 13);
		rec.sport = (uint16_t)(32768 + (v >> 12) % 50);
		rec.dport = (uint16_t)(80 + (v >> 18) % 3);
		rec.recv_q = (uint32_t)((v >> 20) % 9) * 100;
		rec.send_q = (uint32_t)((v >> 24) % 5);
		rec.timer = (uint8_t)((v >> 28) % 2);
		rec.expires_ms = (uint32_t)((v >> 29) % 11) * 10;
		rec.retrans = (uint8_t)((v >> 33) % 4);
		rec.uid = (uint32_t)((v >> 35) % 3);
		top_snap_count(s, &rec);
		r = top_snap_add(s, &rec);
		if ((v >> 41) & 1) {
			top_snap_set_rtt(s, s->n - 1,
					 (uint32_t)((v >> 37) % 17) * 1000);
		}
		pid = (uint32_t)((v >> 42) % 4);
		top_snap_set_owner(s, r, procs[pid], pid);
	}
}

/* fast (partial selection) holds the slow (full sort) order's first n. */
static void same_prefix(const struct top_items *fast,
			const struct top_items *slow, size_t n)
{
	assert_int_equal(fast->n, slow->n);
	assert_true(fast->sorted >= n || fast->sorted == fast->n);
	for (size_t i = 0; i < n && i < slow->n; i++) {
		assert_int_equal(item_at(fast, i).id, item_at(slow, i).id);
		assert_int_equal(item_at(fast, i).count,
				 item_at(slow, i).count);
		assert_int_equal(item_at(fast, i).recv_q,
				 item_at(slow, i).recv_q);
	}
}

/* The meters, counted again from every item of the slow path. */
static void meters_match(const struct top_snap *s, const struct top_items *slow)
{
	uint32_t states[SS_MAX] = {0};

	for (size_t i = 0; i < slow->n; i++) {
		if (item_at(slow, i).rep->protocol == IPPROTO_TCP) {
			states[item_at(slow, i).rep->state]++;
		}
	}
	assert_memory_equal(states, s->tcp_states, sizeof(states));
}

static void page_case(const struct top_snap *s, const struct top_order *ord)
{
	const size_t page = 40;
	struct top_items fast, slow;
	size_t deep, at;
	uint64_t id;

	top_items_init(&fast);
	top_items_init(&slow);
	top_items_build(&slow, s, ord);
	assert_int_equal(slow.sorted, slow.n);
	top_items_build_top(&fast, s, ord, page);
	/* Only the page was put in order, not every row. */
	assert_true(fast.sorted == page || fast.n <= page);
	same_prefix(&fast, &slow, page);
	/* A selection deep in the list is ranked where the sort puts it. */
	deep = slow.n * 7 / 10;
	id = item_at(&slow, deep).id;
	at = top_items_find(&fast, id, page);
	assert_int_equal(at, deep);
	same_prefix(&fast, &slow, deep + page);
	if (ord->sort == TOP_COL_STATE || ord->sort == TOP_COL_COUNT) {
		top_items_need(&fast, 0); /* the End key: every row */
		same_prefix(&fast, &slow, slow.n);
	}
	assert_int_equal(top_items_find(&fast, 0xdeadull << 40, page),
			 SIZE_MAX);
	if (ord->group == TOP_GROUP_NONE) {
		meters_match(s, &slow);
	}
	top_items_finish(&fast);
	top_items_finish(&slow);
}

/* The visible page and the meters by partial selection equal the slow
 * path's (every row, fully sorted), for every column and grouping. */
static void test_page_equals_full_sort(void **unused)
{
	static const enum top_group groups[] = {
	    TOP_GROUP_STATE, TOP_GROUP_LPORT, TOP_GROUP_RHOST,
	    TOP_GROUP_RHOSTPORT, TOP_GROUP_PROCESS};
	struct top_snap s;

	(void)unused;
	top_snap_init(&s);
	fill_big(&s, 0x5eed, 0);
	assert_int_equal(s.n, BIG_N);
	for (int c = 0; c < TOP_COL_KEY; c++) {
		for (int inv = 0; inv < 2; inv++) {
			struct top_order ord = {.sort = (enum top_col)c,
						.invert = inv};

			page_case(&s, &ord);
		}
	}
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		struct top_order ord = {.group = groups[g],
					.sort = TOP_COL_COUNT};

		page_case(&s, &ord);
		ord.sort = TOP_COL_KEY;
		page_case(&s, &ord);
	}
	top_snap_finish(&s);
}

/* Across a refresh (rows gone, the rest in a new order) the selection
 * is found by cookie at the place the full sort gives it. */
static void test_selection_follows_cookie(void **unused)
{
	struct top_order ord = {.sort = TOP_COL_RECVQ};
	struct top_snap a, b;
	struct top_items fast, slow;
	uint64_t id;
	size_t want = SIZE_MAX;

	(void)unused;
	top_snap_init(&a);
	top_snap_init(&b);
	top_items_init(&fast);
	top_items_init(&slow);
	fill_big(&a, 0x5eed, 0);
	top_items_build_top(&fast, &a, &ord, 40);
	id = item_at(&fast, 17).id;
	fill_big(&b, 0x5eed, 97); /* the same sockets, a few closed */
	top_items_build(&slow, &b, &ord);
	for (size_t i = 0; i < slow.n; i++) {
		if (item_at(&slow, i).id == id) {
			want = i;
		}
	}
	top_items_build_top(&fast, &b, &ord, 40);
	assert_int_equal(top_items_find(&fast, id, 40), want);
	assert_true(want != SIZE_MAX && item_at(&fast, want).id == id);
	same_prefix(&fast, &slow, 40);
	top_items_finish(&fast);
	top_items_finish(&slow);
	top_snap_finish(&a);
	top_snap_finish(&b);
}

/* The row packs its small fields into bit-fields: every value they take
 * from the kernel comes back out whole, what none can hold reads 0. */
/* --all-netns: rows tagged with their namespace group and sort by it. */
static void test_group_and_sort_by_netns(void **unused)
{
	static const uint16_t ns[] = {2, 0, 2, 1, 2}; /* cookies 10-14 */
	struct top_order ord = {.group = TOP_GROUP_NETNS,
				.sort = TOP_COL_COUNT};
	struct top_snap s;
	struct top_items it;

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	fill(&s);
	for (size_t i = 0; i < s.n; i++) {
		s.rows[i].ns = ns[i];
	}
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3);
	assert_int_equal(item_at(&it, 0).count,
			 3); /* namespace 2: 10, 12, 14 */
	assert_int_equal(item_at(&it, 0).rep->ns, 2);
	assert_int_equal(item_at(&it, 0).recv_q, 0 + 1 + 3);
	/* By the group key: the table's order, 0 (this namespace) first. */
	ord.sort = TOP_COL_KEY;
	top_items_build(&it, &s, &ord);
	assert_int_equal(item_at(&it, 0).rep->ns, 0);
	assert_int_equal(item_at(&it, 1).rep->ns, 1);
	assert_int_equal(item_at(&it, 2).rep->ns, 2);
	assert_string_equal(top_group_name(TOP_GROUP_NETNS), "namespace");
	/* Sockets by the NETNS column; ties by cookie. */
	ord = (struct top_order){.sort = TOP_COL_NETNS};
	top_items_build(&it, &s, &ord);
	order_is(&it, (const uint64_t[]){11, 13, 10, 12, 14}, 5);
	ord.invert = true;
	top_items_build(&it, &s, &ord);
	assert_int_equal(item_at(&it, 0).rep->ns, 2);
	assert_int_equal(item_at(&it, 4).rep->cookie, 11);
	assert_true(top_col_in_mode(TOP_COL_NETNS, TOP_GROUP_NONE));
	assert_false(top_col_in_mode(TOP_COL_NETNS, TOP_GROUP_NETNS));
	top_items_finish(&it);
	top_snap_finish(&s);
}

static void test_row_keeps_every_field(void **unused)
{
	struct sock_rec rec, back;
	struct top_snap s;
	struct top_row *row;
	struct trow t;

	(void)unused;
	top_snap_init(&s);
	memset(&rec, 0, sizeof(rec));
	rec.family = AF_INET6;
	rec.protocol = IPPROTO_TCP;
	rec.state = SS_BOUND_INACTIVE; /* the largest state */
	rec.timer = 4;		       /* zero window probe, the largest */
	rec.retrans = 255;
	rec.sport = 65535;
	rec.dport = 1;
	rec.ifindex = 0x7fffffff;
	rec.expires_ms = 0xfffffffe;
	rec.recv_q = 0xffffffff;
	rec.send_q = 7;
	rec.uid = 0xfffffffe;
	rec.inode = 0xfffffffd;
	rec.cookie = 0xfedcba9876543210ull;
	memset(rec.saddr, 0xaa, sizeof(rec.saddr));
	memset(rec.daddr, 0x55, sizeof(rec.daddr));
	row = top_snap_add(&s, &rec);
	assert_false(row->has_rtt);
	top_row_rec(&s.dict, row, &back);
	assert_memory_equal(&back, &rec, sizeof(rec));
	assert_int_equal(sizeof(struct top_row), 48);
	/* The owner: a pid up to pid_max's limit, comm's 15 bytes. */
	top_snap_set_owner(&s, row, "abcdefghijklmnop", (1u << 22) - 1);
	row->ns = 65535;
	t = trow_get(&s, 0);
	assert_int_equal(t.pid, (1u << 22) - 1);
	assert_int_equal(row->retrans, 255);
	assert_string_equal(t.proc, "abcdefghijklmno");
	top_row_rec(&s.dict, row, &back);
	assert_memory_equal(&back, &rec, sizeof(rec));
	assert_int_equal(sizeof(struct top_item), 8);

	rec.family = 44; /* AF_XDP: not a row's, and past 5 bits */
	rec.state = 40;
	rec.timer = 9;
	row = top_snap_add(&s, &rec);
	assert_int_equal(top_row_family(&s.dict, row), AF_UNSPEC);
	assert_int_equal(row->state, 0);
	assert_int_equal(row->timer, 0);
	top_snap_finish(&s);
}

/* Each dict table hashes with a seed of its own: the same peers land in
 * other slots of another dict (a client picks its address; it must not be
 * able to pick a thousand that share one probe run). */
static void test_dict_seeded(void **unused)
{
	struct top_dict a, b;
	uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8};
	size_t same = 0;

	(void)unused;
	top_dict_init(&a);
	top_dict_init(&b);
	for (uint32_t i = 0; i < 1000; i++) {
		memcpy(addr + 12, &i, sizeof(i));
		assert_int_equal(top_dict_peer(&a, AF_INET6, addr),
				 top_dict_peer(&b, AF_INET6, addr));
	}
	assert_int_equal(a.peer.ix.nslot, b.peer.ix.nslot);
	for (size_t i = 0; i < a.peer.ix.nslot; i++) {
		same +=
		    a.peer.ix.slot[i] && a.peer.ix.slot[i] == b.peer.ix.slot[i];
	}
	assert_true(same < 100); /* a fixed hash: all 1000 */
	top_dict_finish(&a);
	top_dict_finish(&b);
}

/* An IPv4 peer takes the 4-byte table; one whose other 12 bytes are not
 * zero (a saved file may say so) comes back whole all the same. */
static void test_row_v4_peers(void **unused)
{
	struct sock_rec rec, back;
	struct top_snap s;

	(void)unused;
	top_snap_init(&s);
	memset(&rec, 0, sizeof(rec));
	rec.family = AF_INET;
	rec.protocol = IPPROTO_TCP;
	rec.daddr[0] = 192;
	rec.daddr[3] = 9;
	top_snap_add(&s, &rec);
	top_row_rec(&s.dict, &s.rows[0], &back);
	assert_memory_equal(&back, &rec, sizeof(rec));
	assert_int_equal(s.dict.peer4.n, 1);
	rec.daddr[15] = 1;
	top_snap_add(&s, &rec);
	top_row_rec(&s.dict, &s.rows[1], &back);
	assert_memory_equal(&back, &rec, sizeof(rec));
	assert_int_equal(s.dict.peer.n, 1);
	/* The same address again: the same entry. */
	top_snap_add(&s, &rec);
	assert_int_equal(s.rows[2].peer, s.rows[1].peer);
	assert_int_equal(s.dict.peer.n + s.dict.peer4.n, 2);
	top_snap_reset(&s);
	assert_int_equal(s.dict.peer.n + s.dict.peer4.n + s.dict.local.n, 0);
	top_snap_finish(&s);
}

/* RTTs: only the rows asked have one, until the dump brings tcp_info
 * (then every row's, in an array; those asked before move in). */
static void test_rtt_kept_apart(void **unused)
{
	struct sock_rec rec = {.family = AF_INET, .protocol = IPPROTO_TCP};
	struct tcp_info ti = {.tcpi_rtt = 1234};
	struct top_snap s;
	uint32_t rtt;

	(void)unused;
	top_snap_init(&s);
	for (int i = 0; i < 3; i++) {
		top_snap_add(&s, &rec);
	}
	top_snap_set_rtt(&s, 2, 900);
	top_snap_set_rtt(&s, 1, 700);
	assert_false(top_snap_rtt(&s, 0, &rtt));
	assert_true(top_snap_rtt(&s, 1, &rtt) && rtt == 700);
	assert_true(top_snap_rtt(&s, 2, &rtt) && rtt == 900);
	assert_null(s.rtt);
	rec.ext.tcp_info = &ti;
	rec.ext.tcp_info_len = sizeof(ti);
	top_snap_add(&s, &rec);
	assert_non_null(s.rtt);
	assert_true(top_snap_rtt(&s, 3, &rtt) && rtt == 1234);
	assert_true(top_snap_rtt(&s, 1, &rtt) && rtt == 700);
	assert_true(top_snap_rtt(&s, 2, &rtt) && rtt == 900);
	assert_false(top_snap_rtt(&s, 0, &rtt));
	top_snap_finish(&s);
}

/* A long run with churn: the closed rows' dict holds the endpoints and
 * owners of the rows kept, not of every socket that ever closed. */
static void test_gone_dict_bounded(void **unused)
{
	struct top_snap snap[2];
	struct top_gones g;
	unsigned int cur = 0;

	(void)unused;
	top_snap_init(&snap[0]);
	top_snap_init(&snap[1]);
	top_gones_init(&g);
	for (unsigned int round = 0; round < 40; round++) {
		struct top_snap *s = &snap[cur];

		top_snap_reset(s);
		s->when = 10.0 + 2.0 * round;
		/* 100 sockets each round, every one new: the last round's
		 * all closed, each to a peer and owner never seen before. */
		for (unsigned int i = 0; i < 100; i++) {
			uint32_t c = round * 100 + i;
			struct trow r = {.cookie = 1 + c,
					 .family = AF_INET,
					 .protocol = IPPROTO_TCP,
					 .state = SS_ESTABLISHED,
					 .daddr = {10, (uint8_t)(c >> 16),
						   (uint8_t)(c >> 8),
						   (uint8_t)c},
					 .dport = 443,
					 .pid = 1 + c};

			snprintf(r.proc, sizeof(r.proc), "p%u", c);
			trow_add(s, &r);
		}
		top_gones_update(&g, &snap[cur ^ 1u], s, 5.0);
		cur ^= 1u;
	}
	/* Kept: the closes of the last 5 seconds (3 rounds of 100). */
	assert_true(g.n > 0 && g.n <= 300);
	assert_int_equal(g.dict.peer4.n, g.n);
	assert_int_equal(g.dict.owner.n, g.n);
	assert_true(top_gones_bytes(&g) < 64 * 1024);
	top_gones_finish(&g);
	top_snap_finish(&snap[0]);
	top_snap_finish(&snap[1]);
}

/* A UNIX stream socket named path (NULL: unnamed), its peer's inode,
 * Recv-Q and owner, kept and counted in s. */
static void add_unix(struct top_snap *s, uint64_t cookie, const char *path,
		     uint32_t peer, uint32_t recv_q, const char *proc,
		     uint32_t pid)
{
	struct sock_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.family = AF_UNIX;
	rec.protocol = SOCK_STREAM;
	rec.state = peer ? SS_ESTABLISHED : SS_LISTEN;
	rec.cookie = cookie;
	rec.inode = (uint32_t)cookie;
	rec.peer_inode = peer;
	rec.recv_q = recv_q;
	rec.ext.path = path;
	rec.ext.path_len = path ? strlen(path) : 0;
	top_snap_add(s, &rec);
	top_snap_count(s, &rec);
	top_snap_set_owner(s, &s->rows[s->n - 1], proc, pid);
}

/* UNIX rows grouped (g: by process, by remote host) and sorted (< >) as
 * top's keys ask: dockerd's listener /run/b.sock with two accepted
 * connections from curl, sshd's listener /run/a.sock. */
static void test_unix_group_sort(void **unused)
{
	struct top_snap s;
	struct top_items it;
	struct top_order ord = {.group = TOP_GROUP_PROCESS,
				.sort = TOP_COL_KEY};

	(void)unused;
	top_snap_init(&s);
	top_items_init(&it);
	add_unix(&s, 101, "/run/b.sock", 0, 0, "dockerd", 10);
	add_unix(&s, 102, "/run/a.sock", 0, 0, "sshd", 20);
	add_unix(&s, 103, "/run/b.sock", 203, 7, "dockerd", 10);
	add_unix(&s, 104, "/run/b.sock", 204, 9, "dockerd", 10);
	add_unix(&s, 203, NULL, 103, 1, "curl", 30);
	add_unix(&s, 204, NULL, 104, 0, "curl", 30);
	/* Every table's states are counted, TCP's meters none. */
	assert_int_equal(
	    s.table_states[__builtin_ctz(PROTO_UNIX_STREAM)][SS_ESTABLISHED],
	    4);
	assert_int_equal(
	    s.table_states[__builtin_ctz(PROTO_UNIX_STREAM)][SS_LISTEN], 2);
	assert_int_equal(s.tcp_states[SS_ESTABLISHED], 0);
	/* By process: curl, dockerd, sshd; their sockets and queues. */
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3);
	assert_string_equal(proc_at(&it, 0), "curl");
	assert_int_equal(item_at(&it, 0).count, 2);
	assert_int_equal(item_at(&it, 0).recv_q, 1);
	assert_string_equal(proc_at(&it, 1), "dockerd");
	assert_int_equal(pid_at(&it, 1), 10);
	assert_int_equal(item_at(&it, 1).count, 3);
	assert_int_equal(item_at(&it, 1).recv_q, 16);
	assert_string_equal(proc_at(&it, 2), "sshd");
	/* By COUNT: dockerd first. */
	ord.sort = TOP_COL_COUNT;
	top_items_build(&it, &s, &ord);
	assert_string_equal(proc_at(&it, 0), "dockerd");
	/* By remote host: UNIX sockets have none, one heading for all. */
	ord = (struct top_order){.group = TOP_GROUP_RHOST, .sort = TOP_COL_KEY};
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 1);
	assert_int_equal(item_at(&it, 0).count, 6);
	/* Sockets by LOCAL: unnamed first, then by name, ties by inode;
	 * inverted, the reverse. */
	ord = (struct top_order){.sort = TOP_COL_LOCAL};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){203, 204, 102, 101, 103, 104}, 6);
	ord.invert = true;
	top_items_build(&it, &s, &ord);
	assert_int_equal(item_at(&it, 0).rep->cookie, 104);
	assert_int_equal(item_at(&it, 5).rep->cookie, 203);
	/* By PEER: the peer's inode, none (listeners) first. */
	ord = (struct top_order){.sort = TOP_COL_PEER};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){101, 102, 203, 204, 103, 104}, 6);
	/* By Recv-Q, largest first; by INODE, ascending. */
	ord = (struct top_order){.sort = TOP_COL_RECVQ};
	top_items_build(&it, &s, &ord);
	assert_int_equal(item_at(&it, 0).rep->cookie, 104);
	assert_int_equal(item_at(&it, 1).rep->cookie, 103);
	assert_int_equal(item_at(&it, 2).rep->cookie, 203);
	ord = (struct top_order){.sort = TOP_COL_INODE};
	top_items_build(&it, &s, &ord);
	order_is(&it, (uint64_t[]){101, 102, 103, 104, 203, 204}, 6);
	top_items_finish(&it);
	top_snap_finish(&s);
}

/* Rows of other families than inet (UNIX, NETLINK): their endpoints come
 * back whole from the text table (a name of any length, the peer inode,
 * the port ids), survive into the closed rows, and sort and group apart
 * from inet's (a netlink protocol 6 is no TCP). */
static void test_other_families(void **unused)
{
	static const char path[] = "/run/a-rather-long-socket-name.sock";
	static const char abstract[] = "\0sockscope";
	static const enum top_group groups[] = {
	    TOP_GROUP_NONE,  TOP_GROUP_STATE,	  TOP_GROUP_LPORT,
	    TOP_GROUP_RHOST, TOP_GROUP_RHOSTPORT, TOP_GROUP_PROCESS,
	    TOP_GROUP_NETNS,
	};
	struct sock_rec rec[5], back;
	struct top_snap s, none;
	struct top_items it;
	struct top_gones g;
	struct top_order ord = {0};

	(void)unused;
	top_snap_init(&s);
	top_snap_init(&none);
	top_items_init(&it);
	top_gones_init(&g);
	memset(rec, 0, sizeof(rec));
	for (int i = 0; i < 4; i++) {
		rec[i].family = AF_UNIX;
		rec[i].protocol = SOCK_STREAM;
		rec[i].state = SS_ESTABLISHED;
		rec[i].cookie = 100 + (uint64_t)i;
		rec[i].inode = 5000 + (uint32_t)i;
		rec[i].peer_inode = 6000 + (uint32_t)i;
	}
	rec[0].state = SS_LISTEN;
	rec[0].peer_inode = 0;
	rec[0].ext.path = path;
	rec[0].ext.path_len = sizeof(path) - 1;
	rec[1].ext.path = abstract;
	rec[1].ext.path_len = sizeof(abstract) - 1;
	rec[2].protocol = SOCK_DGRAM;
	rec[2].state = SS_CLOSE;
	rec[3].family = AF_NETLINK;
	rec[3].protocol = IPPROTO_TCP; /* NETLINK_XFRM: 6 too */
	rec[3].state = SS_CLOSE;
	/* A netlink record has no peer inode: its family keeps none. */
	rec[3].peer_inode = 0;
	rec[3].nl.portid = 77;
	rec[3].nl.dst_portid = 0;
	rec[3].nl.dst_group = 1;
	rec[3].nl.connected = true;
	rec[4].family = AF_INET;
	rec[4].protocol = IPPROTO_TCP;
	rec[4].state = SS_CLOSE;
	rec[4].cookie = 104;
	s.when = 1.0;
	for (int i = 0; i < 5; i++) {
		top_snap_add(&s, &rec[i]);
		top_snap_count(&s, &rec[i]);
		top_row_rec(&s.dict, &s.rows[i], &back);
		assert_int_equal(back.family, rec[i].family);
		assert_int_equal(back.peer_inode, rec[i].peer_inode);
		assert_memory_equal(&back.nl, &rec[i].nl, sizeof(rec[i].nl));
		assert_int_equal(back.ext.path_len, rec[i].ext.path_len);
		assert_true(!back.ext.path == !rec[i].ext.path);
		if (rec[i].ext.path) {
			assert_memory_equal(back.ext.path, rec[i].ext.path,
					    rec[i].ext.path_len);
		}
		assert_int_equal(top_row_inet(&s.dict, &s.rows[i]), i == 4);
	}
	/* The meters are TCP's: the netlink row is not counted there, but
	 * in its table's (NETLINK_XFRM is 6 too). */
	assert_int_equal(s.tcp_states[SS_CLOSE], 1);
	assert_int_equal(s.table_states[__builtin_ctz(PROTO_NETLINK)][SS_CLOSE],
			 1);
	assert_int_equal(s.table_states[__builtin_ctz(PROTO_TCP)][SS_CLOSE], 1);
	assert_int_equal(
	    s.table_states[__builtin_ctz(PROTO_UNIX_DGRAM)][SS_CLOSE], 1);
	assert_int_equal(s.total, 5);
	for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++) {
		ord.group = groups[k];
		for (int c = 0; c < TOP_COL_KEY; c++) {
			ord.sort = (enum top_col)c;
			top_items_build(&it, &s, &ord);
			assert_true(it.n >= 1 && it.n <= 5);
		}
	}
	/* By state: u_str LISTEN, u_str ESTAB, u_dgr, nl, tcp (the nl row
	 * would join tcp's group by protocol alone). */
	ord =
	    (struct top_order){.group = TOP_GROUP_STATE, .sort = TOP_COL_COUNT};
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 5);
	/* By remote host: the TCP one (listening), UNIX's and NETLINK's
	 * headings. */
	ord.group = TOP_GROUP_RHOST;
	top_items_build(&it, &s, &ord);
	assert_int_equal(it.n, 3);
	/* Closed: the rows move into the gones' dict, names and all. */
	none.when = 2.0;
	top_gones_update(&g, &s, &none, 5.0);
	assert_int_equal(g.n, 5);
	for (size_t i = 0; i < g.n; i++) {
		top_row_rec(&g.dict, &g.v[i].row, &back);
		if (back.cookie == 100) {
			assert_int_equal(back.ext.path_len, sizeof(path) - 1);
			assert_memory_equal(back.ext.path, path,
					    sizeof(path) - 1);
		}
		if (back.cookie == 103) {
			assert_int_equal(back.nl.portid, 77);
			assert_int_equal(back.family, AF_NETLINK);
		}
	}
	top_gones_finish(&g);
	top_items_finish(&it);
	top_snap_finish(&none);
	top_snap_finish(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sort_each_column),
	    cmocka_unit_test(test_sort_ties_by_id),
	    cmocka_unit_test(test_grouping),
	    cmocka_unit_test(test_group_pid_and_listeners),
	    cmocka_unit_test(test_freeze_keeps_order),
	    cmocka_unit_test(test_rates),
	    cmocka_unit_test(test_snap_reuses_rows),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_worst_tuple),
	    cmocka_unit_test(test_page_equals_full_sort),
	    cmocka_unit_test(test_selection_follows_cookie),
	    cmocka_unit_test(test_row_keeps_every_field),
	    cmocka_unit_test(test_row_v4_peers),
	    cmocka_unit_test(test_dict_seeded),
	    cmocka_unit_test(test_gone_dict_bounded),
	    cmocka_unit_test(test_rtt_kept_apart),
	    cmocka_unit_test(test_group_and_sort_by_netns),
	    cmocka_unit_test(test_other_families),
	    cmocka_unit_test(test_unix_group_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

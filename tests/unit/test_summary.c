// SPDX-License-Identifier: MIT
/* Counting and breakdowns of summary.c over hand-made records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "summary.h"

static struct sock_rec rec(uint8_t family, uint8_t proto, uint8_t state,
			   const char *src, uint16_t sport, const char *dst,
			   uint16_t dport)
{
	struct sock_rec r = {.family = family,
			     .protocol = proto,
			     .state = state,
			     .sport = sport,
			     .dport = dport};

	inet_pton(family, src, r.saddr);
	inet_pton(family, dst, r.daddr);
	return r;
}

static void test_states(void **unused)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	struct sock_rec r;

	(void)unused;
	r = rec(AF_INET, IPPROTO_TCP, SS_NEW_SYN_RECV, "10.0.0.1", 80,
		"10.0.0.2", 5000);
	summary_add(s, &r);
	r.state = SS_SYN_RECV;
	summary_add(s, &r);
	r = rec(AF_INET6, IPPROTO_TCP, SS_ESTABLISHED, "::1", 40001, "::2", 80);
	summary_add(s, &r);
	r = rec(AF_INET, IPPROTO_UDP, SS_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0);
	summary_add(s, &r);
	r.state = 99; /* out of range: ignored, never an out-of-bounds write */
	summary_add(s, &r);
	assert_int_equal(summary_tcp_state(s, SS_SYN_RECV), 2);
	assert_int_equal(s->tcp[1][SS_ESTABLISHED], 1);
	assert_int_equal(s->tcp_total, 3);
	assert_int_equal(s->udp[0][SS_CLOSE], 1);
	assert_int_equal(s->udp_total, 1);
	summary_destroy(s);
}

static void test_tuples_and_top(void **unused)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	struct sum_row rows[4];
	size_t keys;
	struct sock_rec r;

	(void)unused;
	for (uint16_t p = 0; p < 30; p++) {
		r = rec(AF_INET, IPPROTO_TCP,
			p < 20 ? SS_TIME_WAIT : SS_SYN_SENT, "10.0.0.1",
			(uint16_t)(40000 + p), "10.0.0.9", 443);
		summary_add(s, &r);
	}
	for (uint16_t p = 0; p < 5; p++) {
		r = rec(AF_INET, IPPROTO_TCP, SS_TIME_WAIT, "10.0.0.1",
			(uint16_t)(40100 + p), "10.0.0.8", 80);
		summary_add(s, &r);
	}
	/* Inbound: local port 443 is not ephemeral, so no tuple. */
	r = rec(AF_INET, IPPROTO_TCP, SS_TIME_WAIT, "10.0.0.1", 443, "10.0.0.7",
		40500);
	summary_add(s, &r);
	assert_int_equal(s->time_wait_inbound, 1);
	assert_int_equal(
	    summary_top(s, SUM_TUPLE, SUM_V_TIME_WAIT, rows, 4, &keys), 2);
	assert_int_equal(keys, 2);
	assert_int_equal(rows[0].v[SUM_V_TIME_WAIT], 20);
	assert_int_equal(rows[0].v[SUM_V_TOTAL], 30);
	assert_int_equal(rows[0].dport, 443);
	assert_int_equal(rows[1].v[SUM_V_TIME_WAIT], 5);
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_PORT, SUM_V_SYN_SENT, rows, 4, NULL), 1);
	assert_int_equal(rows[0].v[SUM_V_SYN_SENT], 10);
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_HOST, SUM_V_TOTAL, rows, 1, &keys), 1);
	assert_int_equal(keys, 3);
	assert_int_equal(rows[0].v[SUM_V_TOTAL], 30);
	assert_int_equal(summary_top(s, SUM_TAB_MAX, 0, rows, 1, &keys), 0);
	summary_destroy(s);
}

static void test_listeners(void **unused)
{
	struct summary_cfg cfg = {0}; /* unknown range: kernel default */
	struct summary *s = summary_create(&cfg);
	struct sum_listener l[3];
	struct sock_rec r;
	uint32_t n;

	(void)unused;
	r = rec(AF_INET, IPPROTO_TCP, SS_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0);
	r.recv_q = 10;
	r.send_q = 100;
	summary_add(s, &r);
	r = rec(AF_INET6, IPPROTO_TCP, SS_LISTEN, "::", 9000, "::", 0);
	r.recv_q = 2;
	r.send_q = 1;
	summary_add(s, &r);
	for (int i = 0; i < 7; i++) {
		r = rec(AF_INET, IPPROTO_TCP, SS_CLOSE_WAIT, "10.0.0.1", 9000,
			"10.0.0.2", (uint16_t)(50000 + i));
		summary_add(s, &r);
	}
	assert_int_equal(summary_listeners(s, l, 3, NULL), 2);
	/* Fullest first: 2/1 before 10/100. */
	assert_int_equal(l[0].port, 9000);
	assert_int_equal(l[0].family, AF_INET6);
	assert_int_equal(l[0].conns[SS_CLOSE_WAIT], 7);
	assert_int_equal(l[1].port, 80);
	assert_int_equal(l[1].recv_q, 10);
	assert_int_equal(summary_close_wait_port(s, &n), 9000);
	assert_int_equal(n, 7);
	summary_destroy(s);
}

/* IPv4 and IPv6 keys of one breakdown rank together: by count, then
 * IPv4 first (family order), and come back whole. */
static void test_families(void **unused)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	struct sum_row rows[4];
	uint8_t want[16];
	size_t keys;
	struct sock_rec r;

	(void)unused;
	for (int i = 0; i < 3; i++) {
		r = rec(AF_INET6, IPPROTO_TCP, SS_TIME_WAIT, "2001:db8::1",
			(uint16_t)(40000 + i), "2001:db8::ff:2", 8443);
		summary_add(s, &r);
	}
	for (int i = 0; i < 3; i++) {
		r = rec(AF_INET, IPPROTO_TCP, SS_ESTABLISHED, "10.1.1.1",
			(uint16_t)(40010 + i), "10.2.2.2", 8443);
		summary_add(s, &r);
	}
	r = rec(AF_INET6, IPPROTO_TCP, SS_ESTABLISHED, "2001:db8::1", 40020,
		"2001:db8::3", 443);
	summary_add(s, &r);
	assert_int_equal(summary_top(s, SUM_TUPLE, SUM_V_TOTAL, rows, 4, &keys),
			 3);
	assert_int_equal(keys, 3);
	assert_int_equal(rows[0].family, AF_INET);
	assert_int_equal(rows[0].v[SUM_V_TOTAL], 3);
	assert_int_equal(rows[1].family, AF_INET6);
	assert_int_equal(rows[1].v[SUM_V_TOTAL], 3);
	assert_int_equal(rows[1].v[SUM_V_TIME_WAIT], 3);
	inet_pton(AF_INET6, "2001:db8::1", want);
	assert_memory_equal(rows[1].saddr, want, 16);
	inet_pton(AF_INET6, "2001:db8::ff:2", want);
	assert_memory_equal(rows[1].daddr, want, 16);
	assert_int_equal(rows[1].dport, 8443);
	inet_pton(AF_INET, "10.2.2.2", want);
	assert_memory_equal(rows[0].daddr, want, 4);
	memset(want, 0, sizeof(want));
	assert_memory_equal(rows[0].daddr + 4, want, 12);
	assert_int_equal(rows[2].v[SUM_V_TOTAL], 1);
	assert_int_equal(rows[2].dport, 443);
	/* By TIME_WAIT the IPv6 tuple leads. */
	assert_int_equal(
	    summary_top(s, SUM_TUPLE, SUM_V_TIME_WAIT, rows, 1, NULL), 1);
	assert_int_equal(rows[0].family, AF_INET6);
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_HOST, SUM_V_TOTAL, rows, 4, &keys), 3);
	assert_int_equal(keys, 3);
	summary_destroy(s);
}

/* Inbound connection number i: a distinct client host:port per i. */
static struct sock_rec inbound(uint32_t i)
{
	struct sock_rec r = rec(AF_INET, IPPROTO_TCP, SS_ESTABLISHED,
				"192.0.2.1", 443, "0.0.0.0", 0);
	uint32_t host = htonl(0x0a000000u + i / 1000);

	memcpy(r.daddr, &host, sizeof(host));
	r.dport = (uint16_t)(20000 + i % 1000);
	return r;
}

/* Keys met again after the tables grew many times are found, not added. */
static void test_many_keys(void **unused)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	const uint32_t n = 200000;
	struct sum_row rows[5];
	size_t keys;
	struct sock_rec r;

	(void)unused;
	for (uint32_t i = 0; i < n; i++) {
		r = inbound(i);
		summary_add(s, &r);
	}
	for (uint32_t i = 0; i < n; i += 7) {
		r = inbound(i);
		summary_add(s, &r);
	}
	for (uint32_t i = 0; i < n; i += 1001) { /* 1001 = 7 * 143 */
		r = inbound(i);
		summary_add(s, &r);
	}
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_PORT, SUM_V_TOTAL, rows, 5, &keys), 5);
	assert_int_equal(keys, n);
	/* Ties in key order: 10.0.0.0:20000, 10.0.0.1:20001, ... */
	for (uint32_t k = 0; k < 5; k++) {
		struct sock_rec want = inbound(k * 1001);

		assert_int_equal(rows[k].v[SUM_V_TOTAL], 3);
		assert_memory_equal(rows[k].daddr, want.daddr, 4);
		assert_int_equal(rows[k].dport, want.dport);
	}
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_HOST, SUM_V_TOTAL, rows, 1, &keys), 1);
	assert_int_equal(keys, n / 1000);
	/* 10.0.0.0 has ports 20000..20999: 1000 + 143 + 1 */
	assert_int_equal(rows[0].v[SUM_V_TOTAL], 1144);
	assert_int_equal(s->dropped, 0);
	summary_destroy(s);
}

/* A breakdown stops at SUMMARY_KEYS_MAX keys and counts what it dropped;
 * keys it holds still count. */
static void test_key_cap(void **unused)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	struct sum_row row;
	size_t keys;
	struct sock_rec r;

	(void)unused;
	for (uint32_t i = 0; i < SUMMARY_KEYS_MAX + 3; i++) {
		r = inbound(i);
		summary_add(s, &r);
	}
	r = inbound(SUMMARY_KEYS_MAX - 1);
	summary_add(s, &r);
	assert_int_equal(s->dropped, 3);
	assert_int_equal(
	    summary_top(s, SUM_REMOTE_PORT, SUM_V_TOTAL, &row, 1, &keys), 1);
	assert_int_equal(keys, SUMMARY_KEYS_MAX);
	assert_int_equal(row.v[SUM_V_TOTAL], 2);
	assert_memory_equal(row.daddr, r.daddr, 4);
	assert_int_equal(row.dport, r.dport);
	summary_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_states),
	    cmocka_unit_test(test_tuples_and_top),
	    cmocka_unit_test(test_listeners),
	    cmocka_unit_test(test_families),
	    cmocka_unit_test(test_many_keys),
	    cmocka_unit_test(test_key_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

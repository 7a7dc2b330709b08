// SPDX-License-Identifier: MIT
/* watch_tr.c: a ring-buffer record decoded, the connection book (births,
 * exact lifetimes, owners, reused addresses) and the rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../bpf/watch_tr_event.h"
#include "util.h"
#include "watch_tr.h"

#define SK 0xffff888100001000ull

static struct watch_tr_raw raw(uint64_t ts_ns, uint8_t from, uint8_t to)
{
	struct watch_tr_raw r;

	memset(&r, 0, sizeof(r));
	r.ts_ns = ts_ns;
	r.skaddr = SK;
	r.family = AF_INET;
	r.sport = 40000;
	r.dport = 443;
	r.oldstate = from;
	r.newstate = to;
	memcpy(r.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(r.daddr, "\xc0\x00\x02\x07", 4);
	r.pid = 42;
	memcpy(r.comm, "curl", 4);
	return r;
}

static struct watch_tr_event event(uint64_t ts_ns, uint8_t from, uint8_t to)
{
	struct watch_tr_raw r = raw(ts_ns, from, to);
	struct watch_tr_event ev;

	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
	return ev;
}

static char *text(struct obuf *ob)
{
	obuf_putc(ob, '\0');
	return ob->buf;
}

static void test_decode(void **unused)
{
	struct watch_tr_raw r = raw(2000000000, SS_FIN_WAIT2, SS_CLOSE);
	struct watch_tr_event ev;

	(void)unused;
	r.bytes_acked = 1002;
	r.bytes_received = 51;
	/* The wall clock is 1e12 ns ahead of the kernel's stamp. */
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 1000000000000), 0);
	assert_int_equal(ev.time_ms, 1002000);
	assert_int_equal(ev.ts_ns, 2000000000);
	assert_true(ev.sk == SK);
	assert_int_equal(ev.rec.family, AF_INET);
	assert_int_equal(ev.rec.protocol, IPPROTO_TCP);
	assert_int_equal(ev.rec.state, SS_CLOSE);
	assert_int_equal(ev.old_state, SS_FIN_WAIT2);
	assert_int_equal(ev.rec.sport, 40000);
	assert_int_equal(ev.rec.dport, 443);
	assert_memory_equal(ev.rec.daddr, "\xc0\x00\x02\x07", 4);
	assert_true(ev.closed);
	assert_int_equal(ev.bytes_acked, 1002);
	assert_int_equal(ev.bytes_received, 51);
	assert_true(ev.lifetime_us == WATCH_UNKNOWN);
	/* FIN_WAIT2 -> CLOSE runs in a softirq: no owner from it. */
	assert_false(ev.has_owner);
	/* Counters only on the close; the rest is not what a close says. */
	r = raw(1, SS_ESTABLISHED, SS_FIN_WAIT1);
	r.bytes_acked = 9;
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
	assert_false(ev.closed);
	assert_int_equal(ev.bytes_acked, 0);
}

/* Short records, unknown families and states out of range are skipped. */
static void test_decode_rejects(void **unused)
{
	struct watch_tr_raw r = raw(1, SS_CLOSE, SS_SYN_SENT);
	struct watch_tr_event ev;

	(void)unused;
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r) - 1, 0), -EINVAL);
	r.family = AF_UNIX;
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), -EINVAL);
	r = raw(1, 0, SS_SYN_SENT);
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), -EINVAL);
	r = raw(1, SS_CLOSE, SS_MAX);
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), -EINVAL);
	/* A longer record (a newer program): the known prefix is read. */
	{
		unsigned char big[sizeof(r) + 16] = {0};

		r = raw(1, SS_CLOSE, SS_SYN_SENT);
		memcpy(big, &r, sizeof(r));
		assert_int_equal(watch_tr_decode(&ev, big, sizeof(big), 0), 0);
	}
}

/* The task is the socket's user only for the application's own calls. */
static void test_decode_owner(void **unused)
{
	static const struct {
		uint8_t from, to;
		bool owner;
	} cases[] = {
	    {SS_CLOSE, SS_SYN_SENT, true},
	    {SS_SYN_SENT, SS_ESTABLISHED, false},
	    {SS_CLOSE, SS_LISTEN, true},
	    {SS_LISTEN, SS_CLOSE, true},
	    {SS_LISTEN, SS_SYN_RECV, false},
	    {SS_ESTABLISHED, SS_FIN_WAIT1, true},
	    {SS_ESTABLISHED, SS_CLOSE_WAIT, false},
	    {SS_CLOSE_WAIT, SS_LAST_ACK, true},
	    {SS_LAST_ACK, SS_CLOSE, false},
	};
	struct watch_tr_raw r;
	struct watch_tr_event ev;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ev = event(1, cases[i].from, cases[i].to);
		assert_int_equal(ev.has_owner, cases[i].owner);
	}
	/* A comm of all 16 bytes, no NUL: 16 bytes, no more. */
	r = raw(1, SS_CLOSE, SS_SYN_SENT);
	memset(r.comm, 'x', sizeof(r.comm));
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
	assert_int_equal(ev.owner.name_len, 16);
	assert_int_equal(ev.owner.pid, 42);
}

/* A birth seen: the exact lifetime, the owner carried to the close. */
static void test_book_lifetime(void **unused)
{
	struct watch_tr_book *b = watch_tr_book_create(1000, WATCH_TR_BOOK_MAX);
	struct watch_tr_event ev;

	(void)unused;
	ev = event(5000000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(watch_tr_book_size(b), 1);
	ev = event(5100000, SS_SYN_SENT, SS_ESTABLISHED);
	watch_tr_book_apply(b, &ev);
	assert_true(ev.has_owner); /* the connect()'s, carried */
	assert_int_equal(ev.owner.pid, 42);
	assert_false(ev.closed);
	ev = event(1005000000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_us, 1000000);
	assert_true(ev.has_owner);
	assert_memory_equal(ev.owner.name, "curl", 4);
	assert_int_equal(watch_tr_book_size(b), 0);
	/* A listener's child is born in LISTEN -> SYN_RECV. */
	ev = event(2000000000, SS_LISTEN, SS_SYN_RECV);
	watch_tr_book_apply(b, &ev);
	assert_false(ev.has_owner);
	ev = event(2000700000, SS_ESTABLISHED, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_us, 700);
	assert_false(ev.has_owner);
	watch_tr_book_destroy(b);
}

/* Born before the watch: no exact lifetime, a lower bound from the start;
 * a reused address is a new connection. */
static void test_book_older_and_reused(void **unused)
{
	struct watch_tr_book *b =
	    watch_tr_book_create(1000000000, WATCH_TR_BOOK_MAX);
	struct watch_tr_event ev;

	(void)unused;
	ev = event(3000000000, SS_ESTABLISHED, SS_FIN_WAIT1);
	watch_tr_book_apply(b, &ev);
	ev = event(4000000000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_true(ev.lifetime_us == WATCH_UNKNOWN);
	assert_int_equal(ev.lifetime_min_us, 3000000);
	assert_true(ev.has_owner); /* the close() that began the end */
	/* A close with nothing before it: no entry is made. */
	ev = event(5000000000, SS_ESTABLISHED, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_min_us, 4000000);
	assert_int_equal(watch_tr_book_size(b), 0);
	/* Birth, the close lost, the address reused: the second birth. */
	ev = event(6000000000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	ev = event(7000000000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	ev = event(7000002000, SS_SYN_SENT, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_us, 2);
	assert_int_equal(watch_tr_book_size(b), 0);
	watch_tr_book_destroy(b);
}

static void test_book_grows(void **unused)
{
	struct watch_tr_book *b = watch_tr_book_create(0, WATCH_TR_BOOK_MAX);
	struct watch_tr_raw r = raw(10, SS_CLOSE, SS_SYN_SENT);
	struct watch_tr_event ev;

	(void)unused;
	for (uint64_t i = 0; i < 5000; i++) {
		r.skaddr = SK + i * 2048;
		r.ts_ns = 1000 + i;
		assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
		watch_tr_book_apply(b, &ev);
	}
	assert_int_equal(watch_tr_book_size(b), 5000);
	r.oldstate = SS_SYN_SENT;
	r.newstate = SS_CLOSE;
	for (uint64_t i = 0; i < 5000; i++) {
		r.skaddr = SK + i * 2048;
		r.ts_ns = 1000000 + 1000 + i;
		assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
		watch_tr_book_apply(b, &ev);
		assert_int_equal(ev.lifetime_us, 1000);
	}
	assert_int_equal(watch_tr_book_size(b), 0);
	watch_tr_book_destroy(b);
}

static struct watch_tr_event event_sk(uint64_t sk, uint64_t ts_ns, uint8_t from,
				      uint8_t to)
{
	struct watch_tr_raw r = raw(ts_ns, from, to);
	struct watch_tr_event ev;

	r.skaddr = sk;
	assert_int_equal(watch_tr_decode(&ev, &r, sizeof(r), 0), 0);
	return ev;
}

/* Lost closes cannot grow the book past its max: the entry whose last
 * transition is oldest goes (not the first added), each counted, and a
 * forgotten connection's close gets a true lower bound. */
static void test_book_bounded(void **unused)
{
	struct watch_tr_book *b = watch_tr_book_create(1000, 3);
	const uint64_t A = SK, B = SK + 64, C = SK + 128, D = SK + 192;
	struct watch_tr_event ev;

	(void)unused;
	ev = event_sk(A, 10000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	ev = event_sk(B, 20000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	ev = event_sk(C, 30000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	ev = event_sk(A, 40000, SS_SYN_SENT, SS_ESTABLISHED);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(watch_tr_book_evicted(b), 0);
	/* Full: B, quiet since 20000, goes; A moved at 40000 and stays. */
	ev = event_sk(D, 50000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(watch_tr_book_size(b), 3);
	assert_int_equal(watch_tr_book_evicted(b), 1);
	ev = event_sk(A, 1010000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_us, 1000);
	/* B's close: born by 20000 (its last transition), not at the
	 * watch's start: at least 1980 us, no exact figure. */
	ev = event_sk(B, 2000000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_true(ev.lifetime_us == WATCH_UNKNOWN);
	assert_int_equal(ev.lifetime_min_us, 1980);
	assert_false(ev.has_owner); /* forgotten with its entry */
	ev = event_sk(C, 3030000, SS_SYN_SENT, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_us, 3000);
	assert_int_equal(watch_tr_book_size(b), 1);
	/* One in the book born before the watch keeps the start's bound. */
	ev = event_sk(C, 4000000, SS_ESTABLISHED, SS_FIN_WAIT1);
	watch_tr_book_apply(b, &ev);
	ev = event_sk(C, 5001000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	assert_int_equal(ev.lifetime_min_us, 5000);
	watch_tr_book_destroy(b);
}

/* A flood of births whose closes are all lost: the book stays at max. */
static void test_book_lost_closes(void **unused)
{
	struct watch_tr_book *b = watch_tr_book_create(0, 100);
	struct watch_tr_event ev;

	(void)unused;
	for (uint64_t i = 0; i < 10000; i++) {
		ev = event_sk(SK + i * 64, 1000 + i, SS_CLOSE, SS_SYN_SENT);
		watch_tr_book_apply(b, &ev);
		ev = event_sk(SK + i * 64, 2000 + i, SS_SYN_SENT,
			      SS_ESTABLISHED);
		watch_tr_book_apply(b, &ev);
		assert_true(watch_tr_book_size(b) <= 100);
	}
	assert_int_equal(watch_tr_book_size(b), 100);
	assert_int_equal(watch_tr_book_evicted(b), 9900);
	/* The newest 100 are the ones kept: their closes are exact. */
	for (uint64_t i = 9900; i < 10000; i++) {
		ev = event_sk(SK + i * 64, 5000 + i, SS_ESTABLISHED, SS_CLOSE);
		watch_tr_book_apply(b, &ev);
		assert_int_equal(ev.lifetime_us, 4);
	}
	assert_int_equal(watch_tr_book_size(b), 0);
	watch_tr_book_destroy(b);
}

static void test_ndjson(void **unused)
{
	struct watch_tr_book *b = watch_tr_book_create(0, WATCH_TR_BOOK_MAX);
	struct watch_tr_event ev;
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 1024);
	ev = event(1000, SS_CLOSE, SS_SYN_SENT);
	watch_tr_book_apply(b, &ev);
	watch_tr_ndjson_row(&ob, &ev, true);
	ev = event(1500000, SS_ESTABLISHED, SS_CLOSE);
	ev.bytes_acked = 7;
	watch_tr_book_apply(b, &ev);
	watch_tr_ndjson_row(&ob, &ev, false);
	assert_string_equal(
	    text(&ob),
	    "{\"time\":0.000,\"event\":\"transition\",\"netid\":\"tcp\","
	    "\"family\":\"inet\",\"from\":\"CLOSE\",\"to\":\"SYN_SENT\","
	    "\"local\":{\"addr\":\"10.0.0.1\",\"port\":40000},"
	    "\"peer\":{\"addr\":\"192.0.2.7\",\"port\":443},"
	    "\"sk\":\"ffff888100001000\",\"ts_ns\":1000,"
	    "\"process\":{\"pid\":42,\"name\":\"curl\"}}\n"
	    "{\"time\":0.001,\"event\":\"transition\",\"netid\":\"tcp\","
	    "\"family\":\"inet\",\"from\":\"ESTABLISHED\",\"to\":\"CLOSE\","
	    "\"local\":{\"addr\":\"10.0.0.1\",\"port\":40000},"
	    "\"peer\":{\"addr\":\"192.0.2.7\",\"port\":443},"
	    "\"sk\":\"ffff888100001000\",\"ts_ns\":1500000,"
	    "\"bytes_acked\":7,\"bytes_received\":0,\"lifetime_us\":1499}\n");
	ob.len = 0;
	/* Older than the watch: null, and the lower bound. */
	ev = event(3000000, SS_FIN_WAIT2, SS_CLOSE);
	watch_tr_book_apply(b, &ev);
	watch_tr_ndjson_row(&ob, &ev, false);
	assert_non_null(strstr(text(&ob), ",\"lifetime_us\":null,"
					  "\"lifetime_min_us\":3000}\n"));
	obuf_finish(&ob);
	watch_tr_book_destroy(b);
}

/* Lifetimes in the unit that reads best; a hostile comm escaped. */
static void test_table(void **unused)
{
	static const struct {
		uint64_t us;
		const char *text;
	} lives[] = {
	    {842, " 842us "},
	    {12345, " 12.3ms "},
	    {3400000, " 3.4s "},
	};
	struct watch_tr_event ev;
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 1024);
	watch_tr_table_header(&ob, true);
	assert_string_equal(text(&ob),
			    "TIME         NETID FROM        TO          LOCAL  "
			    "                         PEER                     "
			    "            ACKED  RECEIVED LIFETIME   PROCESS\n");
	for (size_t i = 0; i < sizeof(lives) / sizeof(lives[0]); i++) {
		ob.len = 0;
		ev = event(1, SS_LAST_ACK, SS_CLOSE);
		ev.lifetime_us = lives[i].us;
		watch_tr_table_row(&ob, &ev, true);
		assert_non_null(strstr(text(&ob), lives[i].text));
		assert_non_null(strstr(ob.buf, " LAST_ACK    CLOSE       "
					       "10.0.0.1:40000"));
	}
	ob.len = 0;
	ev = event(1, SS_ESTABLISHED, SS_FIN_WAIT1);
	memcpy(ev.owner.name, "a\x1b[2Jb", 6);
	ev.owner.name_len = 6;
	watch_tr_table_row(&ob, &ev, true);
	assert_non_null(strstr(text(&ob), "\"a\\x1b[2Jb\",pid=42\n"));
	assert_non_null(strstr(ob.buf, "192.0.2.7:443"));
	ob.len = 0;
	ev = event(1, SS_FIN_WAIT2, SS_CLOSE);
	ev.lifetime_min_us = 65000000;
	watch_tr_table_row(&ob, &ev, false);
	assert_non_null(strstr(text(&ob), " >1m05s\n"));
	obuf_finish(&ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_decode_rejects),
	    cmocka_unit_test(test_decode_owner),
	    cmocka_unit_test(test_book_lifetime),
	    cmocka_unit_test(test_book_older_and_reused),
	    cmocka_unit_test(test_book_bounded),
	    cmocka_unit_test(test_book_lost_closes),
	    cmocka_unit_test(test_book_grows),
	    cmocka_unit_test(test_ndjson),
	    cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* watch.c: an event from a destroy record, the lifetime book, the row
 * formats and the Prometheus counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcp_info.h"
#include "util.h"
#include "watch.h"

static struct sock_rec tcp_rec(uint64_t cookie, uint16_t sport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.protocol = IPPROTO_TCP;
	r.state = SS_CLOSE;
	r.cookie = cookie;
	r.sport = sport;
	r.dport = 443;
	memcpy(r.saddr, "\x0a\x00\x00\x01", 4);
	memcpy(r.daddr, "\xc0\x00\x02\x07", 4);
	return r;
}

static char *text(struct obuf *ob)
{
	obuf_putc(ob, '\0');
	return ob->buf;
}

/* tcp_info's counters land in the event; ext pointers do not survive. */
static void test_event_from_rec(void **unused)
{
	struct sk_tcp_info ti;
	struct sock_rec r = tcp_rec(7, 40000);
	struct watch_event ev;

	(void)unused;
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_bytes_acked = 1001;
	ti.tcpi_bytes_received = 51;
	ti.tcpi_total_retrans = 3;
	ti.tcpi_rtt = 1500;
	r.ext.tcp_info = &ti;
	r.ext.tcp_info_len = sizeof(ti);
	watch_event_from_rec(&ev, &r, 5000);
	assert_true(ev.has_tcp_info);
	assert_int_equal(ev.bytes_acked, 1001);
	assert_int_equal(ev.bytes_received, 51);
	assert_int_equal(ev.retrans, 3);
	assert_int_equal(ev.rtt_us, 1500);
	assert_null(ev.rec.ext.tcp_info);
	assert_true(ev.lifetime_ms == WATCH_UNKNOWN);
	/* An old kernel's short struct: no counters claimed. */
	r.ext.tcp_info_len = 8;
	watch_event_from_rec(&ev, &r, 5000);
	assert_false(ev.has_tcp_info);
}

/* Older than the watch: unknown; born between dumps: bounded by the last
 * dump without it; never dumped: since the last dump; gone twice: dropped. */
static void test_book_lifetimes(void **unused)
{
	struct watch_book *b = watch_book_create();
	struct sock_rec old = tcp_rec(1, 1), young = tcp_rec(2, 2);
	struct sock_rec fresh = tcp_rec(3, 3), gone = tcp_rec(4, 4);
	struct sock_rec reset = tcp_rec(5, 5);
	struct proc_owner own = {.pid = 42, .name = "nginx", .name_len = 5};
	struct watch_event ev;

	(void)unused;
	watch_book_dump_begin(b, 1000);
	old.state = SS_ESTABLISHED;
	old.inode = 99;
	watch_book_note(b, &old, &own);
	watch_book_note(b, &gone, NULL);
	watch_book_dump_end(b);
	watch_book_dump_begin(b, 2000);
	watch_book_note(b, &old, NULL);
	watch_book_note(b, &young, NULL);
	watch_book_dump_end(b);
	assert_int_equal(watch_book_inode(b, 1), 99);
	assert_int_equal(watch_book_size(b), 3);

	watch_event_from_rec(&ev, &old, 9000);
	watch_book_close(b, &ev);
	assert_true(ev.lifetime_ms == WATCH_UNKNOWN);
	assert_int_equal(ev.last_state, SS_ESTABLISHED);
	assert_true(ev.has_owner);
	assert_int_equal(ev.owner.pid, 42);
	assert_memory_equal(ev.owner.name, "nginx", 5);

	watch_event_from_rec(&ev, &young, 3500);
	watch_book_close(b, &ev);
	assert_int_equal(ev.lifetime_ms, 2500); /* born after the 1000 dump */
	assert_false(ev.has_owner);

	watch_event_from_rec(&ev, &fresh, 2600);
	watch_book_close(b, &ev);
	assert_int_equal(ev.lifetime_ms, 600); /* after the 2000 dump */
	assert_int_equal(ev.last_state, 0);

	/* "gone" was missed by the 2000 dump and the next: forgotten. */
	watch_book_dump_begin(b, 3000);
	watch_book_dump_end(b);
	assert_int_equal(watch_book_size(b), 0);
	assert_int_equal(watch_book_inode(b, 4), 0);

	/* A reset left no peer in the notification: the dump's comes back. */
	watch_book_dump_begin(b, 4000);
	watch_book_note(b, &reset, NULL);
	watch_book_dump_end(b);
	reset.dport = 0;
	memset(reset.daddr, 0, sizeof(reset.daddr));
	watch_event_from_rec(&ev, &reset, 4100);
	watch_book_close(b, &ev);
	assert_int_equal(ev.rec.dport, 443);
	assert_memory_equal(ev.rec.daddr, "\xc0\x00\x02\x07", 4);
	assert_int_equal(ev.lifetime_ms, 1100); /* after the 3000 dump */
	watch_book_destroy(b);
}

/* Many sockets: the table grows and finds them all. */
static void test_book_grows(void **unused)
{
	struct watch_book *b = watch_book_create();
	struct watch_event ev;

	(void)unused;
	watch_book_dump_begin(b, 10);
	for (uint64_t c = 1; c <= 5000; c++) {
		struct sock_rec r = tcp_rec(c, 1);

		r.inode = (uint32_t)c + 100;
		watch_book_note(b, &r, NULL);
	}
	watch_book_dump_end(b);
	assert_int_equal(watch_book_size(b), 5000);
	for (uint64_t c = 1; c <= 5000; c++) {
		struct sock_rec r = tcp_rec(c, 1);

		assert_int_equal(watch_book_inode(b, c), c + 100);
		watch_event_from_rec(&ev, &r, 20);
		watch_book_close(b, &ev);
	}
	assert_int_equal(watch_book_size(b), 0);
	watch_book_destroy(b);
}

static void test_ndjson(void **unused)
{
	struct sock_rec r = tcp_rec(7, 40000);
	struct watch_event ev;
	struct obuf ob;

	(void)unused;
	watch_event_from_rec(&ev, &r, 1700000000123ull);
	ev.has_tcp_info = true;
	ev.bytes_acked = 10;
	ev.bytes_received = 20;
	ev.rtt_us = 30;
	ev.last_state = SS_ESTABLISHED;
	ev.has_owner = true;
	ev.owner.pid = 5;
	memcpy(ev.owner.name, "a\"b", 3);
	ev.owner.name_len = 3;
	obuf_init(&ob, -1, 1 << 16);
	watch_ndjson_row(&ob, &ev, true);
	assert_string_equal(
	    text(&ob),
	    "{\"time\":1700000000.123,\"event\":\"close\",\"netid\":\"tcp\","
	    "\"family\":\"inet\",\"state\":\"CLOSE\",\"last_state\":"
	    "\"ESTABLISHED\",\"local\":{\"addr\":\"10.0.0.1\",\"port\":"
	    "40000},\"peer\":{\"addr\":\"192.0.2.7\",\"port\":443},"
	    "\"cookie\":7,\"bytes_acked\":10,\"bytes_received\":20,"
	    "\"retrans\":0,\"rtt_us\":30,\"lifetime_ms\":null,"
	    "\"process\":{\"pid\":5,\"name\":\"a\\\"b\"}}\n");
	ob.len = 0;
	watch_ndjson_lost(&ob, 2500, 1);
	assert_string_equal(text(&ob), "{\"time\":2.500,\"lost\":1}\n");
	free(ob.buf);
}

/* The table: "?" for an unknown lifetime, durations made short, an
 * owner's name escaped. */
static void test_table(void **unused)
{
	struct sock_rec r = tcp_rec(7, 40000);
	struct watch_event ev;
	struct obuf ob;

	(void)unused;
	watch_event_from_rec(&ev, &r, 0);
	obuf_init(&ob, -1, 1 << 16);
	watch_table_row(&ob, &ev, true);
	assert_non_null(strstr(text(&ob), " ?         ?\n"));
	assert_non_null(strstr(ob.buf, "10.0.0.1:40000"));
	assert_non_null(strstr(ob.buf, "192.0.2.7:443"));
	ob.len = 0;
	ev.lifetime_ms = 125000;
	ev.has_owner = true;
	ev.owner.pid = 9;
	memcpy(ev.owner.name, "x\ny", 3);
	ev.owner.name_len = 3;
	watch_table_row(&ob, &ev, true);
	assert_non_null(strstr(text(&ob), "2m05s"));
	assert_non_null(strstr(ob.buf, "\"x\\x0ay\",pid=9\n"));
	free(ob.buf);
}

/* Counters by state and by peer, the top N and the rest as "other". */
static void test_prom(void **unused)
{
	struct watch_counts *c = watch_counts_create();
	struct watch_event ev;
	struct obuf ob;

	(void)unused;
	for (int i = 0; i < 5; i++) {
		struct sock_rec r = tcp_rec(1, 1);

		r.daddr[3] = (uint8_t)i;
		for (int k = 0; k <= i; k++) {
			watch_event_from_rec(&ev, &r, 0);
			watch_counts_add(c, &ev);
		}
	}
	watch_counts_overflow(c);
	watch_counts_overflow(c);
	watch_counts_dropped(c, 7);
	watch_counts_dropped(c, 3);
	obuf_init(&ob, -1, 1 << 16);
	watch_counts_prom(&ob, c, 2);
	text(&ob);
	assert_non_null(strstr(ob.buf, "sockscope_watch_closes_total{protocol="
				       "\"tcp\",state=\"close\"} 15\n"));
	assert_non_null(strstr(ob.buf, "{peer=\"192.0.2.4\"} 5\n"));
	assert_non_null(strstr(ob.buf, "{peer=\"192.0.2.3\"} 4\n"));
	assert_null(strstr(ob.buf, "{peer=\"192.0.2.2\"}"));
	assert_non_null(strstr(ob.buf, "{peer=\"other\"} 6\n"));
	assert_non_null(strstr(ob.buf, "sockscope_watch_overflows_total 2\n"));
	assert_non_null(
	    strstr(ob.buf, "sockscope_watch_dropped_events_total 10\n"));
	free(ob.buf);
	watch_counts_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_from_rec),
	    cmocka_unit_test(test_book_lifetimes),
	    cmocka_unit_test(test_book_grows),
	    cmocka_unit_test(test_ndjson),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_prom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* Timer text, skmem text and the tcp_info copy across kernel versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "format_detail.h"
#include "opts.h"
#include "util.h"

static void expect_duration(uint32_t ms, const char *want)
{
	char buf[24];
	size_t n = detail_duration(buf, ms);

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_durations(void **unused)
{
	(void)unused;
	expect_duration(0, "0ms");
	expect_duration(999, "999ms");
	expect_duration(1000, "1.000sec");
	expect_duration(1250, "1.250sec");
	expect_duration(42999, "42sec");
	expect_duration(60000, "1min0sec");
	expect_duration(187000, "3min7sec");
	expect_duration(7140000, "119min");
	expect_duration(UINT32_MAX, "71582min");
}

static void test_timer_names(void **unused)
{
	(void)unused;
	assert_string_equal(detail_timer_name(0), "off");
	assert_string_equal(detail_timer_name(1), "on");
	assert_string_equal(detail_timer_name(2), "keepalive");
	assert_string_equal(detail_timer_name(3), "timewait");
	assert_string_equal(detail_timer_name(4), "persist");
	assert_string_equal(detail_timer_name(9), "unknown");
}

static const char *render(const struct opts *o, const struct sock_rec *rec,
			  bool json, struct obuf *ob)
{
	struct fmt_ctx ctx = {.o = o};

	ob->len = 0;
	if (json) {
		detail_json(ob, &ctx, rec);
	} else {
		detail_text(ob, &ctx, rec);
	}
	obuf_putc(ob, '\0');
	return ob->buf;
}

static void test_timer_text(void **unused)
{
	struct opts o = {.timers = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP, .timer = 2, .expires_ms = 7140000};
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	assert_string_equal(render(&o, &rec, false, &ob),
			    "timer:(keepalive,119min,0)");
	assert_string_equal(render(&o, &rec, true, &ob),
			    ",\"timer\":{\"name\":\"keepalive\","
			    "\"expires_ms\":7140000,\"retrans\":0}");
	rec = (struct sock_rec){.timer = 3, .expires_ms = 59321};
	assert_string_equal(render(&o, &rec, false, &ob),
			    "timer:(timewait,59sec,0)");
	rec = (struct sock_rec){.timer = 1, .expires_ms = 204, .retrans = 3};
	assert_string_equal(render(&o, &rec, false, &ob), "timer:(on,204ms,3)");
	/* No timer running: nothing in the table, "off" in JSON. */
	rec = (struct sock_rec){.timer = 0, .expires_ms = 77};
	assert_string_equal(render(&o, &rec, false, &ob), "");
	assert_string_equal(render(&o, &rec, true, &ob),
			    ",\"timer\":{\"name\":\"off\",\"expires_ms\":0,"
			    "\"retrans\":0}");
	ob.len = 0;
	obuf_finish(&ob);
}

static void test_skmem_short(void **unused)
{
	/* An older kernel sends fewer counters: print those it sent. */
	static const uint32_t mem[3] = {1, 131072, 3};
	struct opts o = {.skmem = true};
	struct sock_rec rec = {.ext = {.skmem = mem, .skmem_len = 3}};
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	assert_string_equal(render(&o, &rec, false, &ob),
			    "skmem:(r1,rb131072,t3)");
	assert_string_equal(render(&o, &rec, true, &ob),
			    ",\"skmem\":{\"rmem_alloc\":1,\"rcvbuf\":131072,"
			    "\"wmem_alloc\":3}");
	ob.len = 0;
	obuf_finish(&ob);
}

static void test_tcp_info_short(void **unused)
{
	unsigned char src[8];
	struct tcp_info ti;
	const unsigned char *p = (const unsigned char *)&ti;

	(void)unused;
	memset(src, 0xaa, sizeof(src));
	memset(&ti, 0x5c, sizeof(ti));
	detail_tcp_info(&ti, src, sizeof(src));
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], i < sizeof(src) ? 0xaa : 0);
	}
	detail_tcp_info(&ti, NULL, 0);
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], 0);
	}
}

static void test_tcp_info_long(void **unused)
{
	/* A newer kernel's struct: the known prefix only, nothing past it. */
	size_t len = sizeof(struct tcp_info) + 64;
	unsigned char *src = xmalloc(len);
	struct tcp_info ti[2];
	const unsigned char *p = (const unsigned char *)&ti[0];

	(void)unused;
	memset(src, 0x33, len);
	memset(ti, 0x5c, sizeof(ti));
	detail_tcp_info(&ti[0], src, len);
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], i < sizeof(ti[0]) ? 0x33 : 0x5c);
	}
	free(src);
}

static void test_tcp_info_text(void **unused)
{
	struct tcp_info src = {.tcpi_rtt = 50,
			       .tcpi_rttvar = 25,
			       .tcpi_rto = 201000,
			       .tcpi_snd_cwnd = 10,
			       .tcpi_snd_ssthresh = 0x7fffffff};
	struct opts o = {.tcp_info = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP,
	    .ext = {.tcp_info = &src, .tcp_info_len = 40, .cong = "cubic"},
	};
	struct obuf ob;
	const char *t;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	/* 40 bytes: rto is inside, rtt is past the end and reads as 0. */
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, "cubic rto:201 rtt:0/0 "));
	rec.ext.tcp_info_len = sizeof(src);
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, "cubic rto:201 rtt:0.05/0.025 "));
	assert_non_null(strstr(t, "cwnd:10 "));
	assert_null(strstr(t, "ssthresh"));
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"tcp_info\":{\"congestion\":\"cubic\","));
	assert_non_null(strstr(t, ",\"rtt_us\":50,\"rttvar_us\":25,"));
	/* UDP has no tcp_info, whatever the record carries. */
	rec.protocol = IPPROTO_UDP;
	assert_string_equal(render(&o, &rec, true, &ob), "");
	ob.len = 0;
	obuf_finish(&ob);
}

/* The kernel is asked only for what an option prints. */
static void test_diag_ext(void **unused)
{
	struct opts o = {.processes = true, .timers = true, .extended = true};

	(void)unused;
	assert_int_equal(detail_diag_ext(&o), 0);
	o = (struct opts){.skmem = true};
	assert_int_equal(detail_diag_ext(&o), 1u << (INET_DIAG_SKMEMINFO - 1));
	o = (struct opts){.tcp_info = true};
	assert_int_equal(detail_diag_ext(&o), 1u << (INET_DIAG_INFO - 1) |
						  1u << (INET_DIAG_CONG - 1));
	assert_false(detail_wanted(&(struct opts){.numeric = true}));
	assert_true(detail_wanted(&(struct opts){.timers = true}));
}

/* A cgroup id with no path here (removed, or another cgroup namespace)
 * prints as ss prints it, not as a bare number that reads like a path. */
static void test_cgroup_unreachable(void **unused)
{
	struct opts o = {.extended = true};
	struct sock_rec rec = {.protocol = IPPROTO_TCP,
			       .has_cgroup = true,
			       .cgroup_id = 0x8ed7};
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	assert_non_null(strstr(render(&o, &rec, false, &ob),
				"cgroup:unreachable:8ed7 "));
	/* JSON has the number under its own key, and no path. */
	assert_non_null(strstr(render(&o, &rec, true, &ob),
				"\"cgroup_id\":36567"));
	assert_null(strstr(ob.buf, "\"cgroup\":"));
	ob.len = 0;
	obuf_finish(&ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_timer_names),
	    cmocka_unit_test(test_timer_text),
	    cmocka_unit_test(test_skmem_short),
	    cmocka_unit_test(test_tcp_info_short),
	    cmocka_unit_test(test_tcp_info_long),
	    cmocka_unit_test(test_tcp_info_text),
	    cmocka_unit_test(test_diag_ext),
	    cmocka_unit_test(test_cgroup_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

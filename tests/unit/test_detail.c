// SPDX-License-Identifier: MIT
/* Timer text, skmem text, and tcp_info across kernel versions and layouts. */
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
#include "sock.h"
#include "tcp_info.h"
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
	struct sk_tcp_info ti;
	const unsigned char *p = (const unsigned char *)&ti;

	(void)unused;
	memset(src, 0xaa, sizeof(src));
	memset(&ti, 0x5c, sizeof(ti));
	assert_int_equal(tcp_info_decode(&ti, src, sizeof(src)), sizeof(src));
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], i < sizeof(src) ? 0xaa : 0);
	}
	assert_int_equal(tcp_info_decode(&ti, NULL, 0), 0);
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], 0);
	}
}

static void test_tcp_info_long(void **unused)
{
	/* A newer kernel's struct: the known prefix only, nothing past it. */
	size_t len = sizeof(struct sk_tcp_info) + 64;
	unsigned char *src = xmalloc(len);
	struct sk_tcp_info ti[2];
	const unsigned char *p = (const unsigned char *)&ti[0];

	(void)unused;
	memset(src, 0x33, len);
	memset(ti, 0x5c, sizeof(ti));
	assert_int_equal(tcp_info_decode(&ti[0], src, len), sizeof(ti[0]));
	for (size_t i = 0; i < sizeof(ti); i++) {
		assert_int_equal(p[i], i < sizeof(ti[0]) ? 0x33 : 0x5c);
	}
	free(src);
}

/* The layout is the kernel's (6.18: 280 bytes), not the build host's. */
static void test_tcp_info_layout(void **unused)
{
	(void)unused;
	assert_int_equal(sizeof(struct sk_tcp_info), 280);
	assert_true(TCPI_HAS(232, tcpi_snd_wnd));
	assert_false(TCPI_HAS(232, tcpi_rcv_wnd));
	assert_true(TCPI_HAS(240, tcpi_rehash));
	assert_false(TCPI_HAS(240, tcpi_total_rto));
	assert_true(TCPI_HAS(248, tcpi_total_rto_time));
	assert_true(TCPI_HAS(280, tcpi_received_ce_bytes));
}

/* An ESTABLISHED connection with a value in most fields. */
static struct sk_tcp_info est_info(void)
{
	struct sk_tcp_info t = {
	    .tcpi_state = SS_ESTABLISHED,
	    .tcpi_options =
		SK_TCPI_OPT_TS | SK_TCPI_OPT_SACK | SK_TCPI_OPT_WSCALE,
	    .tcpi_snd_wscale = 7,
	    .tcpi_rcv_wscale = 9,
	    .tcpi_delivery_rate_app_limited = 1,
	    .tcpi_rto = 204000,
	    .tcpi_ato = 40000,
	    .tcpi_snd_mss = 1448,
	    .tcpi_rcv_mss = 536,
	    .tcpi_unacked = 2,
	    .tcpi_last_data_sent = 68,
	    .tcpi_last_data_recv = 70,
	    .tcpi_last_ack_recv = 12,
	    .tcpi_pmtu = 1500,
	    .tcpi_rcv_ssthresh = 64088,
	    .tcpi_rtt = 10500,
	    .tcpi_rttvar = 3250,
	    .tcpi_snd_ssthresh = TCPI_INFINITE_SSTHRESH,
	    .tcpi_snd_cwnd = 10,
	    .tcpi_advmss = 1448,
	    .tcpi_reordering = 3,
	    .tcpi_rcv_rtt = 1250,
	    .tcpi_rcv_space = 14480,
	    .tcpi_total_retrans = 1,
	    .tcpi_pacing_rate = 156250000000ull, /* 1.25 Tbit/s */
	    .tcpi_max_pacing_rate = TCPI_NO_RATE,
	    .tcpi_bytes_acked = 20001,
	    .tcpi_bytes_received = 20,
	    .tcpi_segs_out = 24,
	    .tcpi_segs_in = 22,
	    .tcpi_min_rtt = 8,
	    .tcpi_data_segs_in = 20,
	    .tcpi_data_segs_out = 21,
	    .tcpi_delivery_rate = 1563, /* 12504 bit/s */
	    .tcpi_busy_time = 44000,
	    .tcpi_rwnd_limited = 11000,
	    .tcpi_delivered = 21,
	    .tcpi_bytes_sent = 20000,
	    .tcpi_snd_wnd = 70656,
	    .tcpi_rcv_wnd = 65536,
	    .tcpi_rehash = 2,
	    .tcpi_total_rto = 1,
	    .tcpi_total_rto_recoveries = 1,
	    .tcpi_total_rto_time = 204,
	};

	return t;
}

#define EST_TEXT                                                               \
	"cubic wscale:7,9 rto:204 rtt:10.5/3.25 ato:40 mss:1448 pmtu:1500 "    \
	"rcvmss:536 advmss:1448 cwnd:10 bytes_sent:20000 bytes_acked:20001 "   \
	"bytes_received:20 segs_out:24 segs_in:22 data_segs_out:21 "           \
	"data_segs_in:20 send 11Mbps lastsnd:68 lastrcv:70 lastack:12 "        \
	"pacing_rate 1.25Tbps delivery_rate 12.5kbps delivered:21 "            \
	"app_limited busy:44ms rwnd_limited:11ms(25.0%) unacked:2 "            \
	"retrans:0/1 rcv_rtt:1.25 rcv_space:14480 rcv_ssthresh:64088 "         \
	"minrtt:0.008 snd_wnd:70656"

static void test_tcp_info_text(void **unused)
{
	struct sk_tcp_info src = est_info();
	struct opts o = {.tcp_info = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP,
	    .state = SS_ESTABLISHED,
	    .ext = {.tcp_info = &src, .tcp_info_len = 280, .cong = "cubic"},
	};
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	/* Linux 6.18: every field, rcv_wnd and rehash too */
	assert_string_equal(render(&o, &rec, false, &ob),
			    EST_TEXT " rcv_wnd:65536 rehash:2");
	/* Linux 5.x to 6.1 (Debian 12's layout): they were not sent */
	rec.ext.tcp_info_len = 232;
	assert_string_equal(render(&o, &rec, false, &ob), EST_TEXT);
	/* -o adds the option flags (as ss); -n gives raw bits per second */
	o.timers = true;
	o.numeric = true;
	rec.ext.tcp_info_len = 280;
	assert_string_equal(
	    render(&o, &rec, false, &ob),
	    "ts sack cubic wscale:7,9 rto:204 rtt:10.5/3.25 ato:40 mss:1448 "
	    "pmtu:1500 rcvmss:536 advmss:1448 cwnd:10 bytes_sent:20000 "
	    "bytes_acked:20001 bytes_received:20 segs_out:24 segs_in:22 "
	    "data_segs_out:21 data_segs_in:20 send 11032381bps lastsnd:68 "
	    "lastrcv:70 lastack:12 pacing_rate 1250000000000bps "
	    "delivery_rate 12504bps delivered:21 app_limited busy:44ms "
	    "rwnd_limited:11ms(25.0%) unacked:2 retrans:0/1 rcv_rtt:1.25 "
	    "rcv_space:14480 rcv_ssthresh:64088 minrtt:0.008 snd_wnd:70656 "
	    "rcv_wnd:65536 rehash:2");
	/* A 40-byte struct: nothing past tcpi_retrans (the flag byte with
	 * app_limited is inside) */
	o = (struct opts){.tcp_info = true};
	rec.ext.tcp_info_len = 40;
	assert_string_equal(render(&o, &rec, false, &ob),
			    "cubic wscale:7,9 rto:204 ato:40 mss:1448 "
			    "rcvmss:536 app_limited unacked:2");
	/* UDP has no tcp_info, whatever the record carries. */
	rec.protocol = IPPROTO_UDP;
	assert_string_equal(render(&o, &rec, true, &ob), "");
	ob.len = 0;
	obuf_finish(&ob);
}

static void test_tcp_info_json(void **unused)
{
	struct sk_tcp_info src = est_info();
	struct opts o = {.tcp_info = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP,
	    .state = SS_ESTABLISHED,
	    .ext = {.tcp_info = &src, .tcp_info_len = 40, .cong = "cubic"},
	};
	struct obuf ob;
	const char *t;

	(void)unused;
	obuf_init(&ob, -1, 8192);
	assert_string_equal(
	    render(&o, &rec, true, &ob),
	    ",\"tcp_info\":{\"congestion\":\"cubic\",\"snd_wscale\":7,"
	    "\"rcv_wscale\":9,\"state\":1,\"ca_state\":0,\"retransmits\":0,"
	    "\"probes\":0,\"backoff\":0,\"options\":7,\"rto_us\":204000,"
	    "\"ato_us\":40000,\"snd_mss\":1448,\"rcv_mss\":536,\"unacked\":2,"
	    "\"sacked\":0,\"lost\":0,\"retrans\":0,"
	    "\"flags\":[\"ts\",\"sack\",\"wscale\"],\"app_limited\":true}");
	rec.ext.tcp_info_len = 280;
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"rtt_us\":10500,\"rttvar_us\":3250,"
				  "\"snd_cwnd\":10,"));
	assert_non_null(strstr(t, ",\"pacing_rate\":156250000000,"
				  "\"bytes_acked\":20001,"));
	assert_non_null(
	    strstr(t, ",\"snd_wnd\":70656,\"rcv_wnd\":65536,\"rehash\":2,"
		      "\"total_rto\":1,\"total_rto_recoveries\":1,"
		      "\"total_rto_time_ms\":204,\"received_ce\":0,"));
	assert_non_null(
	    strstr(t, ",\"app_limited\":true,\"pacing_rate_bps\":1250000000000,"
		      "\"delivery_rate_bps\":12504,\"send_bps\":11032380}"));
	/* sentinels: no value is no member */
	assert_null(strstr(t, "max_pacing_rate"));
	assert_null(strstr(t, "snd_ssthresh"));
	/* Debian 12's layout ends at snd_wnd */
	rec.ext.tcp_info_len = 232;
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"snd_wnd\":70656,\"flags\":"));
	assert_null(strstr(t, "rcv_wnd"));
	assert_null(strstr(t, "total_rto"));
	ob.len = 0;
	obuf_finish(&ob);
}

/* Listeners and SYN_SENT carry "no value" markers: never shown. */
static void test_tcp_info_sentinels(void **unused)
{
	struct sk_tcp_info src = {
	    .tcpi_state = SS_LISTEN,
	    .tcpi_sacked = 128, /* a listener's backlog limit */
	    .tcpi_snd_cwnd = 10,
	    .tcpi_reordering = 3,
	    .tcpi_pacing_rate = TCPI_NO_RATE,
	    .tcpi_max_pacing_rate = TCPI_NO_RATE,
	};
	struct opts o = {.tcp_info = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP,
	    .state = SS_LISTEN,
	    .ext = {.tcp_info = &src, .tcp_info_len = 280, .cong = "bbr"},
	};
	struct obuf ob;
	const char *t;

	(void)unused;
	obuf_init(&ob, -1, 8192);
	assert_string_equal(render(&o, &rec, false, &ob), "bbr cwnd:10");
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"snd_cwnd\":10,"));
	assert_null(strstr(t, "pacing_rate"));
	assert_null(strstr(t, "sacked"));
	assert_null(strstr(t, "4294967295"));
	assert_null(strstr(t, "18446744073709551615"));
	/* SYN_SENT: no RTT sample yet, min_rtt is UINT32_MAX */
	src = (struct sk_tcp_info){
	    .tcpi_state = SS_SYN_SENT,
	    .tcpi_rto = 1000000,
	    .tcpi_snd_mss = 524,
	    .tcpi_snd_cwnd = 10,
	    .tcpi_reordering = 3,
	    .tcpi_segs_out = 1,
	    .tcpi_min_rtt = TCPI_NO_RTT,
	};
	rec.state = SS_SYN_SENT;
	rec.ext.cong = "cubic";
	assert_string_equal(render(&o, &rec, false, &ob),
			    "cubic rto:1000 mss:524 cwnd:10 segs_out:1");
	t = render(&o, &rec, true, &ob);
	assert_null(strstr(t, "min_rtt"));
	assert_null(strstr(t, "4294967295"));
	/* the kernel's 3 s fallback RTO and a sacked count off LISTEN */
	src.tcpi_rto = 3000000;
	src.tcpi_sacked = 4;
	src.tcpi_reordering = 5;
	assert_string_equal(render(&o, &rec, false, &ob),
			    "cubic mss:524 cwnd:10 segs_out:1 sacked:4 "
			    "reordering:5");
	ob.len = 0;
	obuf_finish(&ob);
}

/* bbr:(...), dctcp:(...), vegas's RTT for send, tcp-ulp-NAME. */
static void test_tcp_info_cc(void **unused)
{
	struct sk_tcp_info src = est_info();
	struct tcp_bbr_info bbr = {.bbr_bw_lo = 4416000,
				   .bbr_min_rtt = 8,
				   .bbr_pacing_gain = 739,
				   .bbr_cwnd_gain = 512};
	struct tcp_dctcp_info dctcp = {.dctcp_enabled = 1,
				       .dctcp_ce_state = 1,
				       .dctcp_alpha = 1024,
				       .dctcp_ab_ecn = 5,
				       .dctcp_ab_tot = 100};
	struct tcpvegas_info vegas = {.tcpv_enabled = 1, .tcpv_rtt = 20000};
	struct opts o = {.tcp_info = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP,
	    .state = SS_ESTABLISHED,
	    .ext = {.tcp_info = &src,
		    .tcp_info_len = 232,
		    .cong = "bbr",
		    .cc_info = &bbr,
		    .cc_info_len = sizeof(bbr),
		    .cc_type = INET_DIAG_BBRINFO,
		    .ulp = "tls"},
	};
	struct obuf ob;
	const char *t;

	(void)unused;
	obuf_init(&ob, -1, 8192);
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, " data_segs_in:20 bbr:(bw:35.3Mbps,"
				  "mrtt:0.008,pacing_gain:2.88672,"
				  "cwnd_gain:2) send 11Mbps "));
	assert_non_null(strstr(t, " snd_wnd:70656 tcp-ulp-tls"));
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"bbr\":{\"bw_bps\":35328000,"
				  "\"min_rtt_us\":8,\"pacing_gain\":2.88672,"
				  "\"cwnd_gain\":2},\"ulp\":\"tls\"}"));
	rec.ext = (struct sock_ext){.tcp_info = &src,
				    .tcp_info_len = 232,
				    .cong = "dctcp",
				    .cc_info = &dctcp,
				    .cc_info_len = sizeof(dctcp),
				    .cc_type = INET_DIAG_DCTCPINFO};
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, " data_segs_in:20 dctcp:(ce_state:1,"
				  "alpha:1024,ab_ecn:5,ab_tot:100) send "));
	dctcp.dctcp_enabled = 0;
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, " dctcp:fallback_mode send "));
	rec.ext = (struct sock_ext){.tcp_info = &src,
				    .tcp_info_len = 232,
				    .cong = "vegas",
				    .cc_info = &vegas,
				    .cc_info_len = sizeof(vegas),
				    .cc_type = INET_DIAG_VEGASINFO};
	t = render(&o, &rec, false, &ob);
	assert_non_null(strstr(t, " data_segs_in:20 send 5.79Mbps "));
	t = render(&o, &rec, true, &ob);
	assert_non_null(strstr(t, ",\"vegas\":{\"enabled\":true,"
				  "\"rtt_count\":0,\"rtt_us\":20000,"
				  "\"min_rtt_us\":0}"));
	ob.len = 0;
	obuf_finish(&ob);
}

/* Rates step k, M, G, T as ss spells them; -n prints raw bits. */
static void test_rates(void **unused)
{
	static const struct {
		double bps;
		bool numeric;
		const char *want;
	} cases[] = {
	    {1.25e12, false, "1.25Tbps"},
	    {35.328e9, false, "35.3Gbps"},
	    {886786694, false, "887Mbps"},
	    {12504, false, "12.5kbps"},
	    {1000, false, "1kbps"},
	    {800, false, "800bps"},
	    {1.25e12, true, "1250000000000bps"},
	    {12504, true, "12504bps"},
	};
	char buf[48];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = detail_rate(buf, cases[i].bps, cases[i].numeric);

		assert_string_equal(buf, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
	}
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
	assert_int_equal(detail_diag_ext(&o),
			 1u << (INET_DIAG_INFO - 1) |
			     1u << (INET_DIAG_VEGASINFO - 1) |
			     1u << (INET_DIAG_CONG - 1));
	assert_false(detail_wanted(&(struct opts){.numeric = true}));
	assert_true(detail_wanted(&(struct opts){.timers = true}));
}

/* A cgroup id with no path here (removed, or another cgroup namespace)
 * prints as ss prints it, not as a bare number that reads like a path. */
static void test_cgroup_unreachable(void **unused)
{
	struct opts o = {.extended = true};
	struct sock_rec rec = {
	    .protocol = IPPROTO_TCP, .has_cgroup = true, .cgroup_id = 0x8ed7};
	struct obuf ob;

	(void)unused;
	obuf_init(&ob, -1, 4096);
	assert_non_null(
	    strstr(render(&o, &rec, false, &ob), "cgroup:unreachable:8ed7 "));
	/* JSON has the number under its own key, and no path. */
	assert_non_null(
	    strstr(render(&o, &rec, true, &ob), "\"cgroup_id\":36567"));
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
	    cmocka_unit_test(test_tcp_info_layout),
	    cmocka_unit_test(test_tcp_info_text),
	    cmocka_unit_test(test_tcp_info_json),
	    cmocka_unit_test(test_tcp_info_sentinels),
	    cmocka_unit_test(test_tcp_info_cc),
	    cmocka_unit_test(test_rates),
	    cmocka_unit_test(test_diag_ext),
	    cmocka_unit_test(test_cgroup_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

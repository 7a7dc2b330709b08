// SPDX-License-Identifier: MIT
/*
 * The -i block: tcp_info, the congestion control's own numbers and the
 * upper layer protocol. Text as ss 7.x prints it (a field only when it
 * holds a value, in ss's order and spelling); JSON with the unit in each
 * time or rate name. A field the kernel's struct does not reach, or that
 * holds one of the kernel's "no value" sentinels, is left out of both.
 */
#include "format_detail.h"

#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sock.h"
#include "tcp_info.h"

/* What the block is drawn from: the decoded struct and what it covers. */
struct ti_view {
	struct sk_tcp_info t;
	size_t len; /* bytes the kernel sent, at most sizeof(t) */
	uint8_t state;
	struct tcp_bbr_info bbr;
	struct tcp_dctcp_info dctcp;
	struct tcpvegas_info vegas;
	uint16_t cc_type;
};

/* min(len, sizeof) of a congestion control block, the rest zeroed. */
static void copy_cc(void *dst, size_t size, const struct sock_ext *ext)
{
	size_t n = ext->cc_info_len < size ? ext->cc_info_len : size;

	memset(dst, 0, size);
	memcpy(dst, ext->cc_info, n);
}

static bool view_init(struct ti_view *v, const struct sock_rec *rec)
{
	const struct sock_ext *ext = &rec->ext;

	if (rec->protocol != IPPROTO_TCP || !ext->tcp_info) {
		return false;
	}
	v->len = tcp_info_decode(&v->t, ext->tcp_info, ext->tcp_info_len);
	v->state = rec->state;
	v->cc_type = ext->cc_info ? ext->cc_type : 0;
	memset(&v->bbr, 0, sizeof(v->bbr));
	memset(&v->dctcp, 0, sizeof(v->dctcp));
	memset(&v->vegas, 0, sizeof(v->vegas));
	switch (v->cc_type) {
	case INET_DIAG_BBRINFO:
		copy_cc(&v->bbr, sizeof(v->bbr), ext);
		break;
	case INET_DIAG_DCTCPINFO:
		copy_cc(&v->dctcp, sizeof(v->dctcp), ext);
		break;
	case INET_DIAG_VEGASINFO:
		copy_cc(&v->vegas, sizeof(v->vegas), ext);
		break;
	default:
		v->cc_type = 0;
		break;
	}
	return true;
}

size_t detail_rate(char *buf, double bps, bool numeric)
{
	static const struct {
		double min;
		char prefix;
	} steps[] = {{1e12, 'T'}, {1e9, 'G'}, {1e6, 'M'}, {1e3, 'k'}};
	int n = -1;

	if (numeric) {
		n = sprintf(buf, "%.0fbps", bps);
	}
	for (size_t i = 0; n < 0 && i < ARRAY_SIZE(steps); i++) {
		if (bps >= steps[i].min) {
			n = sprintf(buf, "%.3g%cbps", bps / steps[i].min,
				    steps[i].prefix);
		}
	}
	if (n < 0) {
		n = sprintf(buf, "%gbps", bps);
	}
	return (size_t)n;
}

/* The estimated send rate ss shows: cwnd * mss over the RTT (vegas's own
 * RTT when it measured one). 0 when any of them is missing. */
static double send_bps(const struct ti_view *v)
{
	double rtt = v->t.tcpi_rtt;

	if (v->cc_type == INET_DIAG_VEGASINFO && v->vegas.tcpv_enabled &&
	    v->vegas.tcpv_rtt && v->vegas.tcpv_rtt != 0x7fffffff) {
		rtt = v->vegas.tcpv_rtt;
	}
	if (rtt <= 0 || !v->t.tcpi_snd_mss || !v->t.tcpi_snd_cwnd) {
		return 0;
	}
	return (double)v->t.tcpi_snd_cwnd * v->t.tcpi_snd_mss * 8e6 / rtt;
}

/* d as a whole number, saturated: cwnd * mss * 8e6 / rtt of a hostile or
 * corrupt record reaches 1.5e26, beyond what a uint64_t holds (and a
 * conversion out of range is undefined). */
static uint64_t u64_sat(double d)
{
	if (!(d > 0)) {
		return 0;
	}
	return d < 18446744073709551616.0 ? (uint64_t)d : UINT64_MAX;
}

static uint64_t bbr_bw(const struct ti_view *v)
{
	return (uint64_t)v->bbr.bbr_bw_hi << 32 | v->bbr.bbr_bw_lo;
}

static bool has_pacing(const struct ti_view *v)
{
	return TCPI_HAS(v->len, tcpi_pacing_rate) && v->t.tcpi_pacing_rate &&
	       v->t.tcpi_pacing_rate != TCPI_NO_RATE;
}

static bool has_max_pacing(const struct ti_view *v)
{
	return TCPI_HAS(v->len, tcpi_max_pacing_rate) &&
	       v->t.tcpi_max_pacing_rate &&
	       v->t.tcpi_max_pacing_rate != TCPI_NO_RATE;
}

static bool has_min_rtt(const struct ti_view *v)
{
	return TCPI_HAS(v->len, tcpi_min_rtt) && v->t.tcpi_min_rtt &&
	       v->t.tcpi_min_rtt != TCPI_NO_RTT;
}

/* ---- text ---- */

/* "key:value " when the kernel sent the field and it is not zero. */
#define PUT_U(ob, v, key, f) put_u(ob, key, TCPI_HAS((v)->len, f), (v)->t.f)
/* The same for a time in microseconds, shown in milliseconds. */
#define PUT_MS(ob, v, key, f) put_ms(ob, key, TCPI_HAS((v)->len, f), (v)->t.f)

static void put_u(struct obuf *ob, const char *key, bool has, uint64_t val)
{
	if (has && val) {
		obuf_printf(ob, "%s:%llu ", key, (unsigned long long)val);
	}
}

static void put_ms(struct obuf *ob, const char *key, bool has, uint64_t us)
{
	if (has && us) {
		obuf_printf(ob, "%s:%g ", key, (double)us / 1000);
	}
}

static void put_rate(struct obuf *ob, const char *key, double bps, bool numeric)
{
	char b[48];

	detail_rate(b, bps, numeric);
	obuf_printf(ob, "%s %s ", key, b);
}

/* Option flags (ss: with -o or -e), the algorithm, wscale. */
static void text_head(struct obuf *ob, const struct ti_view *v,
		      const struct sock_rec *rec, bool flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} opts[] = {
	    {SK_TCPI_OPT_TS, "ts"},
	    {SK_TCPI_OPT_USEC_TS, "usec_ts"},
	    {SK_TCPI_OPT_SACK, "sack"},
	    {SK_TCPI_OPT_ECN, "ecn"},
	    {SK_TCPI_OPT_ECN_SEEN, "ecnseen"},
	    {SK_TCPI_OPT_SYN_DATA, "fastopen"},
	};

	for (size_t i = 0; flags && i < ARRAY_SIZE(opts); i++) {
		if (v->t.tcpi_options & opts[i].bit) {
			obuf_printf(ob, "%s ", opts[i].name);
		}
	}
	if (rec->ext.cong) {
		obuf_escape_text(ob, rec->ext.cong, strlen(rec->ext.cong));
		obuf_putc(ob, ' ');
	}
	if (v->t.tcpi_options & SK_TCPI_OPT_WSCALE) {
		obuf_printf(ob, "wscale:%u,%u ", v->t.tcpi_snd_wscale,
			    v->t.tcpi_rcv_wscale);
	}
}

/* rto ... ssthresh, then the byte and segment counters. */
static void text_path(struct obuf *ob, const struct ti_view *v)
{
	const struct sk_tcp_info *t = &v->t;

	/* 3 s is the kernel's fallback RTO, not a measurement (ss). */
	put_ms(ob, "rto", TCPI_HAS(v->len, tcpi_rto) && t->tcpi_rto != 3000000,
	       t->tcpi_rto);
	PUT_U(ob, v, "backoff", tcpi_backoff);
	if (TCPI_HAS(v->len, tcpi_rttvar) && t->tcpi_rtt) {
		obuf_printf(ob, "rtt:%g/%g ", t->tcpi_rtt / 1000.0,
			    t->tcpi_rttvar / 1000.0);
	}
	PUT_MS(ob, v, "ato", tcpi_ato);
	PUT_U(ob, v, "mss", tcpi_snd_mss);
	PUT_U(ob, v, "pmtu", tcpi_pmtu);
	PUT_U(ob, v, "rcvmss", tcpi_rcv_mss);
	PUT_U(ob, v, "advmss", tcpi_advmss);
	PUT_U(ob, v, "cwnd", tcpi_snd_cwnd);
	/* TCP_INFINITE_SSTHRESH and other huge values: not yet set */
	put_u(ob, "ssthresh", t->tcpi_snd_ssthresh < 0xffff,
	      t->tcpi_snd_ssthresh);
	PUT_U(ob, v, "bytes_sent", tcpi_bytes_sent);
	PUT_U(ob, v, "bytes_retrans", tcpi_bytes_retrans);
	PUT_U(ob, v, "bytes_acked", tcpi_bytes_acked);
	PUT_U(ob, v, "bytes_received", tcpi_bytes_received);
	PUT_U(ob, v, "segs_out", tcpi_segs_out);
	PUT_U(ob, v, "segs_in", tcpi_segs_in);
	PUT_U(ob, v, "data_segs_out", tcpi_data_segs_out);
	PUT_U(ob, v, "data_segs_in", tcpi_data_segs_in);
}

/* dctcp:(...) or bbr:(...), as the algorithm reported them. */
static void text_cc(struct obuf *ob, const struct ti_view *v, bool numeric)
{
	char b[48];

	if (v->cc_type == INET_DIAG_DCTCPINFO) {
		if (v->dctcp.dctcp_enabled) {
			obuf_printf(ob,
				    "dctcp:(ce_state:%u,alpha:%u,ab_ecn:%u,"
				    "ab_tot:%u) ",
				    v->dctcp.dctcp_ce_state,
				    v->dctcp.dctcp_alpha, v->dctcp.dctcp_ab_ecn,
				    v->dctcp.dctcp_ab_tot);
		} else {
			obuf_puts(ob, "dctcp:fallback_mode ");
		}
	}
	if (v->cc_type != INET_DIAG_BBRINFO) {
		return;
	}
	detail_rate(b, (double)bbr_bw(v) * 8, numeric);
	obuf_printf(ob, "bbr:(bw:%s,mrtt:%g", b, v->bbr.bbr_min_rtt / 1000.0);
	if (v->bbr.bbr_pacing_gain) {
		obuf_printf(ob, ",pacing_gain:%g",
			    v->bbr.bbr_pacing_gain / 256.0);
	}
	if (v->bbr.bbr_cwnd_gain) {
		obuf_printf(ob, ",cwnd_gain:%g", v->bbr.bbr_cwnd_gain / 256.0);
	}
	obuf_puts(ob, ") ");
}

/* send, last*, pacing and delivery rates, busy and limited times. */
static void text_rates(struct obuf *ob, const struct ti_view *v, bool numeric)
{
	const struct sk_tcp_info *t = &v->t;
	double send = send_bps(v);
	char b[48];

	if (send > 0) {
		put_rate(ob, "send", send, numeric);
	}
	PUT_U(ob, v, "lastsnd", tcpi_last_data_sent);
	PUT_U(ob, v, "lastrcv", tcpi_last_data_recv);
	PUT_U(ob, v, "lastack", tcpi_last_ack_recv);
	if (has_pacing(v)) {
		detail_rate(b, (double)t->tcpi_pacing_rate * 8, numeric);
		obuf_printf(ob, "pacing_rate %s", b);
		if (has_max_pacing(v)) {
			detail_rate(b, (double)t->tcpi_max_pacing_rate * 8,
				    numeric);
			obuf_printf(ob, "/%s", b);
		}
		obuf_putc(ob, ' ');
	}
	if (TCPI_HAS(v->len, tcpi_delivery_rate) && t->tcpi_delivery_rate) {
		put_rate(ob, "delivery_rate", (double)t->tcpi_delivery_rate * 8,
			 numeric);
	}
	PUT_U(ob, v, "delivered", tcpi_delivered);
	PUT_U(ob, v, "delivered_ce", tcpi_delivered_ce);
	if (t->tcpi_delivery_rate_app_limited) {
		obuf_puts(ob, "app_limited ");
	}
	if (!TCPI_HAS(v->len, tcpi_sndbuf_limited) || !t->tcpi_busy_time) {
		return;
	}
	obuf_printf(ob, "busy:%llums ",
		    (unsigned long long)(t->tcpi_busy_time / 1000));
	if (t->tcpi_rwnd_limited) {
		obuf_printf(ob, "rwnd_limited:%llums(%.1f%%) ",
			    (unsigned long long)(t->tcpi_rwnd_limited / 1000),
			    100.0 * t->tcpi_rwnd_limited / t->tcpi_busy_time);
	}
	if (t->tcpi_sndbuf_limited) {
		obuf_printf(ob, "sndbuf_limited:%llums(%.1f%%) ",
			    (unsigned long long)(t->tcpi_sndbuf_limited / 1000),
			    100.0 * t->tcpi_sndbuf_limited / t->tcpi_busy_time);
	}
}

/* Queue and loss counters, receive side, windows. */
static void text_tail(struct obuf *ob, const struct ti_view *v)
{
	const struct sk_tcp_info *t = &v->t;

	PUT_U(ob, v, "unacked", tcpi_unacked);
	if (t->tcpi_retrans || t->tcpi_total_retrans) {
		obuf_printf(ob, "retrans:%u/%u ", t->tcpi_retrans,
			    t->tcpi_total_retrans);
	}
	PUT_U(ob, v, "lost", tcpi_lost);
	/* A listener's sacked is its backlog limit, shown as Send-Q. */
	put_u(ob, "sacked", v->state != SS_LISTEN, t->tcpi_sacked);
	PUT_U(ob, v, "dsack_dups", tcpi_dsack_dups);
	PUT_U(ob, v, "fackets", tcpi_fackets);
	if (TCPI_HAS(v->len, tcpi_reordering) && t->tcpi_reordering != 3) {
		obuf_printf(ob, "reordering:%u ", t->tcpi_reordering);
	}
	PUT_U(ob, v, "reord_seen", tcpi_reord_seen);
	PUT_MS(ob, v, "rcv_rtt", tcpi_rcv_rtt);
	PUT_U(ob, v, "rcv_space", tcpi_rcv_space);
	PUT_U(ob, v, "rcv_ssthresh", tcpi_rcv_ssthresh);
	PUT_U(ob, v, "notsent", tcpi_notsent_bytes);
	put_ms(ob, "minrtt", has_min_rtt(v), t->tcpi_min_rtt);
	PUT_U(ob, v, "rcv_ooopack", tcpi_rcv_ooopack);
	PUT_U(ob, v, "snd_wnd", tcpi_snd_wnd);
	PUT_U(ob, v, "rcv_wnd", tcpi_rcv_wnd);
	PUT_U(ob, v, "rehash", tcpi_rehash);
}

void detail_tcp_text(struct obuf *ob, const struct opts *o,
		     const struct sock_rec *rec)
{
	struct ti_view v;

	if (!view_init(&v, rec)) {
		if (rec->protocol == IPPROTO_TCP && rec->ext.cong) {
			obuf_escape_text(ob, rec->ext.cong,
					 strlen(rec->ext.cong));
			obuf_putc(ob, ' ');
		}
		return;
	}
	text_head(ob, &v, rec, o->timers);
	text_path(ob, &v);
	text_cc(ob, &v, o->numeric);
	text_rates(ob, &v, o->numeric);
	text_tail(ob, &v);
	if (rec->ext.ulp) {
		obuf_puts(ob, "tcp-ulp-");
		obuf_escape_text(ob, rec->ext.ulp, strlen(rec->ext.ulp));
		obuf_putc(ob, ' ');
	}
}

/* ---- JSON ---- */

enum {
	TF_NO_U32 = 1,	   /* absent when UINT32_MAX (min_rtt) */
	TF_NO_U64 = 2,	   /* absent when UINT64_MAX (pacing rates) */
	TF_NO_INF = 4,	   /* absent when TCP_INFINITE_SSTHRESH */
	TF_NOT_LISTEN = 8, /* absent for listeners (sacked = backlog) */
};

#define TI(name, field, flags)                                                 \
	{                                                                      \
		name, offsetof(struct sk_tcp_info, field),                     \
		    sizeof(((struct sk_tcp_info *)0)->field), flags            \
	}

/* tcp_info members in JSON, in the kernel's raw units (named). */
static const struct ti_field {
	const char *name;
	size_t off;
	size_t size;
	unsigned int flags;
} ti_fields[] = {
    TI("state", tcpi_state, 0),
    TI("ca_state", tcpi_ca_state, 0),
    TI("retransmits", tcpi_retransmits, 0),
    TI("probes", tcpi_probes, 0),
    TI("backoff", tcpi_backoff, 0),
    TI("options", tcpi_options, 0),
    TI("rto_us", tcpi_rto, 0),
    TI("ato_us", tcpi_ato, 0),
    TI("snd_mss", tcpi_snd_mss, 0),
    TI("rcv_mss", tcpi_rcv_mss, 0),
    TI("unacked", tcpi_unacked, 0),
    TI("sacked", tcpi_sacked, TF_NOT_LISTEN),
    TI("lost", tcpi_lost, 0),
    TI("retrans", tcpi_retrans, 0),
    TI("last_data_sent_ms", tcpi_last_data_sent, 0),
    TI("last_data_recv_ms", tcpi_last_data_recv, 0),
    TI("last_ack_recv_ms", tcpi_last_ack_recv, 0),
    TI("pmtu", tcpi_pmtu, 0),
    TI("rcv_ssthresh", tcpi_rcv_ssthresh, 0),
    TI("rtt_us", tcpi_rtt, 0),
    TI("rttvar_us", tcpi_rttvar, 0),
    TI("snd_ssthresh", tcpi_snd_ssthresh, TF_NO_INF),
    TI("snd_cwnd", tcpi_snd_cwnd, 0),
    TI("advmss", tcpi_advmss, 0),
    TI("reordering", tcpi_reordering, 0),
    TI("rcv_rtt_us", tcpi_rcv_rtt, 0),
    TI("rcv_space", tcpi_rcv_space, 0),
    TI("total_retrans", tcpi_total_retrans, 0),
    TI("pacing_rate", tcpi_pacing_rate, TF_NO_U64),
    TI("max_pacing_rate", tcpi_max_pacing_rate, TF_NO_U64),
    TI("bytes_acked", tcpi_bytes_acked, 0),
    TI("bytes_received", tcpi_bytes_received, 0),
    TI("segs_out", tcpi_segs_out, 0),
    TI("segs_in", tcpi_segs_in, 0),
    TI("notsent_bytes", tcpi_notsent_bytes, 0),
    TI("min_rtt_us", tcpi_min_rtt, TF_NO_U32),
    TI("data_segs_in", tcpi_data_segs_in, 0),
    TI("data_segs_out", tcpi_data_segs_out, 0),
    TI("delivery_rate", tcpi_delivery_rate, 0),
    TI("busy_time_us", tcpi_busy_time, 0),
    TI("rwnd_limited_us", tcpi_rwnd_limited, 0),
    TI("sndbuf_limited_us", tcpi_sndbuf_limited, 0),
    TI("delivered", tcpi_delivered, 0),
    TI("delivered_ce", tcpi_delivered_ce, 0),
    TI("bytes_sent", tcpi_bytes_sent, 0),
    TI("bytes_retrans", tcpi_bytes_retrans, 0),
    TI("dsack_dups", tcpi_dsack_dups, 0),
    TI("reord_seen", tcpi_reord_seen, 0),
    TI("rcv_ooopack", tcpi_rcv_ooopack, 0),
    TI("snd_wnd", tcpi_snd_wnd, 0),
    TI("rcv_wnd", tcpi_rcv_wnd, 0),
    TI("rehash", tcpi_rehash, 0),
    TI("total_rto", tcpi_total_rto, 0),
    TI("total_rto_recoveries", tcpi_total_rto_recoveries, 0),
    TI("total_rto_time_ms", tcpi_total_rto_time, 0),
    TI("received_ce", tcpi_received_ce, 0),
    TI("delivered_e1_bytes", tcpi_delivered_e1_bytes, 0),
    TI("delivered_e0_bytes", tcpi_delivered_e0_bytes, 0),
    TI("delivered_ce_bytes", tcpi_delivered_ce_bytes, 0),
    TI("received_e1_bytes", tcpi_received_e1_bytes, 0),
    TI("received_e0_bytes", tcpi_received_e0_bytes, 0),
    TI("received_ce_bytes", tcpi_received_ce_bytes, 0),
};

static uint64_t ti_value(const struct sk_tcp_info *ti, const struct ti_field *f)
{
	const char *p = (const char *)ti + f->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (f->size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

/* Whether a field goes into JSON: sent by the kernel, not a sentinel. */
static bool ti_shown(const struct ti_view *v, const struct ti_field *f,
		     uint64_t val)
{
	return v->len >= f->off + f->size &&
	       !((f->flags & TF_NO_U32) && val == UINT32_MAX) &&
	       !((f->flags & TF_NO_U64) && val == UINT64_MAX) &&
	       !((f->flags & TF_NO_INF) && val == TCPI_INFINITE_SSTHRESH) &&
	       !((f->flags & TF_NOT_LISTEN) && v->state == SS_LISTEN);
}

static void json_u(struct obuf *ob, const char *key, uint64_t val)
{
	obuf_printf(ob, ",\"%s\":%llu", key, (unsigned long long)val);
}

/* The flags as names, rates in bits per second, app_limited. */
static void json_derived(struct obuf *ob, const struct ti_view *v)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} opts[] = {
	    {SK_TCPI_OPT_TS, "ts"},
	    {SK_TCPI_OPT_USEC_TS, "usec_ts"},
	    {SK_TCPI_OPT_SACK, "sack"},
	    {SK_TCPI_OPT_WSCALE, "wscale"},
	    {SK_TCPI_OPT_ECN, "ecn"},
	    {SK_TCPI_OPT_ECN_SEEN, "ecnseen"},
	    {SK_TCPI_OPT_SYN_DATA, "fastopen"},
	};
	const char *sep = "";
	double send = send_bps(v);

	obuf_puts(ob, ",\"flags\":[");
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (v->t.tcpi_options & opts[i].bit) {
			obuf_printf(ob, "%s\"%s\"", sep, opts[i].name);
			sep = ",";
		}
	}
	obuf_putc(ob, ']');
	if (v->len >= TCPI_FLAGS_END) {
		obuf_printf(ob, ",\"app_limited\":%s",
			    v->t.tcpi_delivery_rate_app_limited ? "true"
								: "false");
	}
	if (has_pacing(v)) {
		json_u(ob, "pacing_rate_bps", v->t.tcpi_pacing_rate * 8);
	}
	if (has_max_pacing(v)) {
		json_u(ob, "max_pacing_rate_bps",
		       v->t.tcpi_max_pacing_rate * 8);
	}
	if (TCPI_HAS(v->len, tcpi_delivery_rate)) {
		json_u(ob, "delivery_rate_bps", v->t.tcpi_delivery_rate * 8);
	}
	if (send > 0) {
		json_u(ob, "send_bps", u64_sat(send));
	}
}

/* "bbr", "dctcp" or "vegas": the algorithm's own block. */
static void json_cc(struct obuf *ob, const struct ti_view *v)
{
	switch (v->cc_type) {
	case INET_DIAG_BBRINFO:
		obuf_printf(ob,
			    ",\"bbr\":{\"bw_bps\":%llu,\"min_rtt_us\":%u,"
			    "\"pacing_gain\":%g,\"cwnd_gain\":%g}",
			    (unsigned long long)(bbr_bw(v) * 8),
			    v->bbr.bbr_min_rtt, v->bbr.bbr_pacing_gain / 256.0,
			    v->bbr.bbr_cwnd_gain / 256.0);
		break;
	case INET_DIAG_DCTCPINFO:
		obuf_printf(ob,
			    ",\"dctcp\":{\"enabled\":%s,\"ce_state\":%u,"
			    "\"alpha\":%u,\"ab_ecn\":%u,\"ab_tot\":%u}",
			    v->dctcp.dctcp_enabled ? "true" : "false",
			    v->dctcp.dctcp_ce_state, v->dctcp.dctcp_alpha,
			    v->dctcp.dctcp_ab_ecn, v->dctcp.dctcp_ab_tot);
		break;
	case INET_DIAG_VEGASINFO:
		obuf_printf(ob,
			    ",\"vegas\":{\"enabled\":%s,\"rtt_count\":%u,"
			    "\"rtt_us\":%u,\"min_rtt_us\":%u}",
			    v->vegas.tcpv_enabled ? "true" : "false",
			    v->vegas.tcpv_rttcnt, v->vegas.tcpv_rtt,
			    v->vegas.tcpv_minrtt);
		break;
	default:
		break;
	}
}

void detail_tcp_json(struct obuf *ob, const struct sock_rec *rec)
{
	struct ti_view v;

	if (!view_init(&v, rec)) {
		return;
	}
	obuf_puts(ob, ",\"tcp_info\":{");
	if (rec->ext.cong) {
		obuf_puts(ob, "\"congestion\":");
		obuf_json_string(ob, rec->ext.cong, strlen(rec->ext.cong));
		obuf_putc(ob, ',');
	}
	obuf_printf(ob, "\"snd_wscale\":%u,\"rcv_wscale\":%u",
		    v.t.tcpi_snd_wscale, v.t.tcpi_rcv_wscale);
	for (size_t i = 0; i < ARRAY_SIZE(ti_fields); i++) {
		uint64_t val = ti_value(&v.t, &ti_fields[i]);

		if (ti_shown(&v, &ti_fields[i], val)) {
			json_u(ob, ti_fields[i].name, val);
		}
	}
	json_derived(ob, &v);
	json_cc(ob, &v);
	if (rec->ext.ulp) {
		obuf_puts(ob, ",\"ulp\":");
		obuf_json_string(ob, rec->ext.ulp, strlen(rec->ext.ulp));
	}
	obuf_putc(ob, '}');
}

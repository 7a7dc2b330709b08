/*
 * tcp_info.h - the kernel's struct tcp_info as sockscope reads it, with
 * every field up to Linux 6.18 (include/uapi/linux/tcp.h), independent of
 * the build host's older <linux/tcp.h> (Debian 12 stops at tcpi_snd_wnd).
 *
 * The kernel sends as much of the struct as it knows (INET_DIAG_INFO).
 * tcp_info_decode() copies min(len, sizeof) bytes and zeroes the rest;
 * TCPI_HAS() says whether the kernel's length covered a field, so a field
 * an older kernel lacks is absent rather than read as 0. Pure; no I/O.
 */
#ifndef SOCKSCOPE_TCP_INFO_H
#define SOCKSCOPE_TCP_INFO_H

#include <stddef.h>
#include <stdint.h>

/* tcpi_options bits */
#define SK_TCPI_OPT_TS	     1
#define SK_TCPI_OPT_SACK     2
#define SK_TCPI_OPT_WSCALE   4
#define SK_TCPI_OPT_ECN	     8
#define SK_TCPI_OPT_ECN_SEEN 16
#define SK_TCPI_OPT_SYN_DATA 32
#define SK_TCPI_OPT_USEC_TS  64 /* Linux 6.7 */

/* "No value" sentinels the kernel puts in some fields. */
#define TCPI_NO_RATE	       UINT64_MAX /* pacing rates: none set (listeners) */
#define TCPI_NO_RTT	       UINT32_MAX /* min_rtt: no RTT sample yet */
#define TCPI_INFINITE_SSTHRESH 0x7fffffffu

/* Same layout, field names and order as the kernel's struct tcp_info. */
struct sk_tcp_info {
	uint8_t tcpi_state;
	uint8_t tcpi_ca_state;
	uint8_t tcpi_retransmits;
	uint8_t tcpi_probes;
	uint8_t tcpi_backoff;
	uint8_t tcpi_options;
	uint8_t tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
	uint8_t tcpi_delivery_rate_app_limited : 1,
	    tcpi_fastopen_client_fail : 2;

	uint32_t tcpi_rto; /* microseconds */
	uint32_t tcpi_ato;
	uint32_t tcpi_snd_mss;
	uint32_t tcpi_rcv_mss;

	uint32_t tcpi_unacked;
	uint32_t tcpi_sacked;
	uint32_t tcpi_lost;
	uint32_t tcpi_retrans;
	uint32_t tcpi_fackets;

	/* times, milliseconds ago */
	uint32_t tcpi_last_data_sent;
	uint32_t tcpi_last_ack_sent; /* not remembered by the kernel */
	uint32_t tcpi_last_data_recv;
	uint32_t tcpi_last_ack_recv;

	uint32_t tcpi_pmtu;
	uint32_t tcpi_rcv_ssthresh;
	uint32_t tcpi_rtt; /* microseconds */
	uint32_t tcpi_rttvar;
	uint32_t tcpi_snd_ssthresh;
	uint32_t tcpi_snd_cwnd;
	uint32_t tcpi_advmss;
	uint32_t tcpi_reordering;

	uint32_t tcpi_rcv_rtt;
	uint32_t tcpi_rcv_space;

	uint32_t tcpi_total_retrans;

	uint64_t tcpi_pacing_rate; /* bytes per second */
	uint64_t tcpi_max_pacing_rate;
	uint64_t tcpi_bytes_acked;
	uint64_t tcpi_bytes_received;
	uint32_t tcpi_segs_out;
	uint32_t tcpi_segs_in;

	uint32_t tcpi_notsent_bytes;
	uint32_t tcpi_min_rtt;
	uint32_t tcpi_data_segs_in;
	uint32_t tcpi_data_segs_out;

	uint64_t tcpi_delivery_rate;

	uint64_t tcpi_busy_time; /* microseconds */
	uint64_t tcpi_rwnd_limited;
	uint64_t tcpi_sndbuf_limited;

	uint32_t tcpi_delivered;
	uint32_t tcpi_delivered_ce;

	uint64_t tcpi_bytes_sent;
	uint64_t tcpi_bytes_retrans;
	uint32_t tcpi_dsack_dups;
	uint32_t tcpi_reord_seen;

	uint32_t tcpi_rcv_ooopack;

	uint32_t tcpi_snd_wnd;
	/* Linux 6.2 */
	uint32_t tcpi_rcv_wnd;
	uint32_t tcpi_rehash;
	/* Linux 6.7 */
	uint16_t tcpi_total_rto;
	uint16_t tcpi_total_rto_recoveries;
	uint32_t tcpi_total_rto_time; /* milliseconds */
	/* Linux 6.18: accurate ECN counters */
	uint32_t tcpi_received_ce;
	uint32_t tcpi_delivered_e1_bytes;
	uint32_t tcpi_delivered_e0_bytes;
	uint32_t tcpi_delivered_ce_bytes;
	uint32_t tcpi_received_e1_bytes;
	uint32_t tcpi_received_e0_bytes;
	uint32_t tcpi_received_ce_bytes;
	/* ECN mode and AccECN option state, packed; not shown */
	uint32_t tcpi_accecn_word;
};

/* Whether a decoded struct of kernel length len holds field f. */
#define TCPI_HAS(len, f)                                                       \
	((len) >= offsetof(struct sk_tcp_info, f) +                            \
		      sizeof(((struct sk_tcp_info *)0)->f))

/* The bit-field bytes (wscale, app_limited) end at this offset. */
#define TCPI_FLAGS_END 8

/*
 * Copy the kernel's len bytes at src (NULL: none) into dst, zero the rest.
 * Returns the number of bytes that came from the kernel (min(len, sizeof)).
 */
size_t tcp_info_decode(struct sk_tcp_info *dst, const void *src, size_t len);

#endif

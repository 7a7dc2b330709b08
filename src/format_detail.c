// SPDX-License-Identifier: MIT
/*
 * Detail blocks. Text follows ss's look (users:(...), timer:(...),
 * skmem:(...), "cubic rtt:0.05/0.025 ..."); JSON keeps the kernel's raw
 * units (bytes, microseconds, bytes per second) under stable names.
 */
#include "format_detail.h"

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup.h"
#include "proc.h"

/* Room kept free in a memory-only buffer for the blocks after users:(). */
#define TEXT_RESERVE 4096

bool detail_wanted(const struct opts *o)
{
	return o->processes || o->timers || o->extended || o->skmem ||
	       o->tcp_info;
}

uint32_t detail_diag_ext(const struct opts *o)
{
	uint32_t ext = 0;

	if (o->skmem) {
		ext |= 1u << (INET_DIAG_SKMEMINFO - 1);
	}
	if (o->tcp_info) {
		ext |= 1u << (INET_DIAG_INFO - 1) | 1u << (INET_DIAG_CONG - 1);
	}
	return ext;
}

const char *detail_timer_name(uint8_t timer)
{
	/* idiag_timer values set by inet_sk_diag_fill() and the tw/req fills */
	static const char *const names[] = {
	    "off", "on", "keepalive", "timewait", "persist",
	};

	return timer < ARRAY_SIZE(names) ? names[timer] : "unknown";
}

size_t detail_duration(char *buf, uint32_t ms)
{
	uint32_t min = ms / 60000, sec = ms / 1000 % 60;
	int n;

	if (ms >= 600000) {
		n = sprintf(buf, "%umin", min);
	} else if (ms >= 60000) {
		n = sprintf(buf, "%umin%usec", min, sec);
	} else if (ms >= 10000) {
		n = sprintf(buf, "%usec", sec);
	} else if (ms >= 1000) {
		n = sprintf(buf, "%u.%03usec", sec, ms % 1000);
	} else {
		n = sprintf(buf, "%ums", ms);
	}
	return (size_t)n;
}

void detail_tcp_info(struct tcp_info *dst, const void *src, size_t len)
{
	size_t n = len < sizeof(*dst) ? len : sizeof(*dst);

	memset(dst, 0, sizeof(*dst));
	if (src) {
		memcpy(dst, src, n);
	}
}

/* A fresh tcp_info when the record carries one (TCP full sockets). */
static bool rec_tcp_info(const struct sock_rec *rec, struct tcp_info *ti)
{
	if (rec->protocol != IPPROTO_TCP || !rec->ext.tcp_info) {
		return false;
	}
	detail_tcp_info(ti, rec->ext.tcp_info, rec->ext.tcp_info_len);
	return true;
}

static const char *shutdown_name(uint8_t mask)
{
	static const char *const names[] = {"none", "read", "write", "both"};

	return names[mask & 3];
}

/* ---- text ---- */

static void text_users(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	struct proc_owner ow;
	size_t cur = 0;
	bool first = true;

	while (ctx->procs && proc_map_next(ctx->procs, rec->inode, &cur, &ow)) {
		if (first) {
			obuf_puts(ob, "users:(");
		}
		if (ob->fd < 0 && ob->len + TEXT_RESERVE > ob->cap) {
			obuf_puts(ob, ",...");
			break;
		}
		obuf_puts(ob, first ? "(\"" : ",(\"");
		obuf_escape_quoted(ob, ow.name, ow.name_len);
		obuf_printf(ob, "\",pid=%u,fd=%u)", ow.pid, ow.fd);
		first = false;
	}
	if (!first) {
		obuf_puts(ob, ") ");
	}
}

static void text_timer(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	char d[24];

	(void)ctx;
	if (rec->timer == 0) {
		return;
	}
	detail_duration(d, rec->expires_ms);
	obuf_printf(ob, "timer:(%s,%s,%u) ", detail_timer_name(rec->timer), d,
		    rec->retrans);
}

static void text_extended(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	obuf_printf(ob, "uid:%u ino:%u sk:%llx ", rec->uid, rec->inode,
		    (unsigned long long)rec->cookie);
	if (rec->has_mark && rec->mark) {
		obuf_printf(ob, "fwmark:0x%x ", rec->mark);
	}
	if (rec->has_cgroup) {
		const char *path = cgroups_path(ctx->cgroups, rec->cgroup_id);

		if (path) {
			obuf_puts(ob, "cgroup:");
			obuf_escape_text(ob, path, strlen(path));
			obuf_putc(ob, ' ');
		} else {
			obuf_printf(ob, "cgroup:%llu ",
				    (unsigned long long)rec->cgroup_id);
		}
	}
	if (rec->v6only >= 0) {
		obuf_printf(ob, "v6only:%d ", rec->v6only);
	}
	if (rec->has_shutdown && rec->shutdown) {
		obuf_printf(ob, "shutdown:%s ", shutdown_name(rec->shutdown));
	}
}

/* Text skmem:(r0,rb131072,...) or JSON "skmem":{...}: what the kernel sent. */
static void put_skmem(struct obuf *ob, const struct sock_rec *rec, bool json)
{
	static const struct {
		const char *abbr, *name;
	} keys[SK_MEMINFO_VARS] = {
	    {"r", "rmem_alloc"}, {"rb", "rcvbuf"},   {"t", "wmem_alloc"},
	    {"tb", "sndbuf"},	 {"f", "fwd_alloc"}, {"w", "wmem_queued"},
	    {"o", "optmem"},	 {"bl", "backlog"},  {"d", "drops"},
	};
	size_t n = rec->ext.skmem_len;

	if (!rec->ext.skmem) {
		return;
	}
	obuf_puts(ob, json ? ",\"skmem\":{" : "skmem:(");
	for (size_t i = 0; i < n && i < SK_MEMINFO_VARS; i++) {
		if (json) {
			obuf_printf(ob, "%s\"%s\":%u", i ? "," : "",
				    keys[i].name, rec->ext.skmem[i]);
		} else {
			obuf_printf(ob, "%s%s%u", i ? "," : "", keys[i].abbr,
				    rec->ext.skmem[i]);
		}
	}
	obuf_puts(ob, json ? "}" : ") ");
}

static void text_skmem(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	put_skmem(ob, rec, false);
}

/* Bytes per second as ss shows rates: bits per second, scaled. */
static void text_rate(struct obuf *ob, const char *key, uint64_t bytes_ps)
{
	double bps = (double)bytes_ps * 8;

	if (bps >= 1e9) {
		obuf_printf(ob, "%s%.3gGbps ", key, bps / 1e9);
	} else if (bps >= 1e6) {
		obuf_printf(ob, "%s%.3gMbps ", key, bps / 1e6);
	} else if (bps >= 1e3) {
		obuf_printf(ob, "%s%.3gKbps ", key, bps / 1e3);
	} else {
		obuf_printf(ob, "%s%.0fbps ", key, bps);
	}
}

static void text_tcp_info(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	struct tcp_info ti;

	(void)ctx;
	if (rec->ext.cong) {
		obuf_escape_text(ob, rec->ext.cong, strlen(rec->ext.cong));
		obuf_putc(ob, ' ');
	}
	if (!rec_tcp_info(rec, &ti)) {
		return;
	}
	if (ti.tcpi_options & TCPI_OPT_WSCALE) {
		obuf_printf(ob, "wscale:%u,%u ", ti.tcpi_snd_wscale,
			    ti.tcpi_rcv_wscale);
	}
	obuf_printf(ob,
		    "rto:%g rtt:%g/%g ato:%g mss:%u pmtu:%u rcvmss:%u "
		    "advmss:%u cwnd:%u ",
		    ti.tcpi_rto / 1000.0, ti.tcpi_rtt / 1000.0,
		    ti.tcpi_rttvar / 1000.0, ti.tcpi_ato / 1000.0,
		    ti.tcpi_snd_mss, ti.tcpi_pmtu, ti.tcpi_rcv_mss,
		    ti.tcpi_advmss, ti.tcpi_snd_cwnd);
	if (ti.tcpi_snd_ssthresh < 0xffff) {
		obuf_printf(ob, "ssthresh:%u ", ti.tcpi_snd_ssthresh);
	}
	obuf_printf(ob,
		    "bytes_sent:%llu bytes_retrans:%llu bytes_acked:%llu "
		    "bytes_received:%llu segs_out:%u segs_in:%u ",
		    (unsigned long long)ti.tcpi_bytes_sent,
		    (unsigned long long)ti.tcpi_bytes_retrans,
		    (unsigned long long)ti.tcpi_bytes_acked,
		    (unsigned long long)ti.tcpi_bytes_received,
		    ti.tcpi_segs_out, ti.tcpi_segs_in);
	if (ti.tcpi_pacing_rate && ti.tcpi_pacing_rate != ~0ULL) {
		text_rate(ob, "pacing_rate ", ti.tcpi_pacing_rate);
	}
	if (ti.tcpi_delivery_rate) {
		text_rate(ob, "delivery_rate ", ti.tcpi_delivery_rate);
	}
	obuf_printf(ob,
		    "delivered:%u retrans:%u/%u lost:%u unacked:%u "
		    "rcv_space:%u minrtt:%g ",
		    ti.tcpi_delivered, ti.tcpi_retrans, ti.tcpi_total_retrans,
		    ti.tcpi_lost, ti.tcpi_unacked, ti.tcpi_rcv_space,
		    ti.tcpi_min_rtt / 1000.0);
}

/* ---- JSON ---- */

static void json_key(struct obuf *ob, const char *key)
{
	obuf_puts(ob, ",\"");
	obuf_puts(ob, key);
	obuf_write(ob, "\":", 2);
}

static void json_num(struct obuf *ob, const char *key, uint64_t v)
{
	json_key(ob, key);
	obuf_u64(ob, v);
}

static void json_process(struct obuf *ob, const struct fmt_ctx *ctx,
			 const struct sock_rec *rec)
{
	struct proc_owner ow;
	size_t cur = 0;
	bool first = true;

	json_key(ob, "process");
	obuf_putc(ob, '[');
	while (ctx->procs && proc_map_next(ctx->procs, rec->inode, &cur, &ow)) {
		obuf_puts(ob, first ? "{\"name\":" : ",{\"name\":");
		obuf_json_string(ob, ow.name, ow.name_len);
		obuf_printf(ob, ",\"pid\":%u,\"fd\":%u}", ow.pid, ow.fd);
		first = false;
	}
	obuf_putc(ob, ']');
}

static void json_timer(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	json_key(ob, "timer");
	obuf_printf(ob, "{\"name\":\"%s\",\"expires_ms\":%u,\"retrans\":%u}",
		    detail_timer_name(rec->timer),
		    rec->timer ? rec->expires_ms : 0, rec->retrans);
}

static void json_extended(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	if (rec->has_mark) {
		json_num(ob, "fwmark", rec->mark);
	}
	if (rec->has_cgroup) {
		const char *path = cgroups_path(ctx->cgroups, rec->cgroup_id);

		json_num(ob, "cgroup_id", rec->cgroup_id);
		if (path) {
			json_key(ob, "cgroup");
			obuf_json_string(ob, path, strlen(path));
		}
	}
	if (rec->v6only >= 0) {
		json_key(ob, "v6only");
		obuf_puts(ob, rec->v6only ? "true" : "false");
	}
	if (rec->has_shutdown) {
		json_key(ob, "shutdown");
		obuf_printf(ob, "\"%s\"", shutdown_name(rec->shutdown));
	}
}

static void json_skmem(struct obuf *ob, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec)
{
	(void)ctx;
	put_skmem(ob, rec, true);
}

#define TI(name, field)                                                        \
	{                                                                      \
		name, offsetof(struct tcp_info, field),                        \
		    sizeof(((struct tcp_info *)0)->field)                      \
	}

/* tcp_info members in JSON, raw kernel units in the names. */
static const struct ti_field {
	const char *name;
	size_t off;
	size_t size;
} ti_fields[] = {
    TI("state", tcpi_state),
    TI("ca_state", tcpi_ca_state),
    TI("retransmits", tcpi_retransmits),
    TI("probes", tcpi_probes),
    TI("backoff", tcpi_backoff),
    TI("options", tcpi_options),
    TI("rto_us", tcpi_rto),
    TI("ato_us", tcpi_ato),
    TI("snd_mss", tcpi_snd_mss),
    TI("rcv_mss", tcpi_rcv_mss),
    TI("unacked", tcpi_unacked),
    TI("sacked", tcpi_sacked),
    TI("lost", tcpi_lost),
    TI("retrans", tcpi_retrans),
    TI("last_data_sent_ms", tcpi_last_data_sent),
    TI("last_data_recv_ms", tcpi_last_data_recv),
    TI("last_ack_recv_ms", tcpi_last_ack_recv),
    TI("pmtu", tcpi_pmtu),
    TI("rcv_ssthresh", tcpi_rcv_ssthresh),
    TI("rtt_us", tcpi_rtt),
    TI("rttvar_us", tcpi_rttvar),
    TI("snd_ssthresh", tcpi_snd_ssthresh),
    TI("snd_cwnd", tcpi_snd_cwnd),
    TI("advmss", tcpi_advmss),
    TI("reordering", tcpi_reordering),
    TI("rcv_rtt_us", tcpi_rcv_rtt),
    TI("rcv_space", tcpi_rcv_space),
    TI("total_retrans", tcpi_total_retrans),
    TI("pacing_rate", tcpi_pacing_rate),
    TI("max_pacing_rate", tcpi_max_pacing_rate),
    TI("bytes_acked", tcpi_bytes_acked),
    TI("bytes_received", tcpi_bytes_received),
    TI("segs_out", tcpi_segs_out),
    TI("segs_in", tcpi_segs_in),
    TI("notsent_bytes", tcpi_notsent_bytes),
    TI("min_rtt_us", tcpi_min_rtt),
    TI("data_segs_in", tcpi_data_segs_in),
    TI("data_segs_out", tcpi_data_segs_out),
    TI("delivery_rate", tcpi_delivery_rate),
    TI("busy_time_us", tcpi_busy_time),
    TI("rwnd_limited_us", tcpi_rwnd_limited),
    TI("sndbuf_limited_us", tcpi_sndbuf_limited),
    TI("delivered", tcpi_delivered),
    TI("delivered_ce", tcpi_delivered_ce),
    TI("bytes_sent", tcpi_bytes_sent),
    TI("bytes_retrans", tcpi_bytes_retrans),
    TI("dsack_dups", tcpi_dsack_dups),
    TI("reord_seen", tcpi_reord_seen),
    TI("rcv_ooopack", tcpi_rcv_ooopack),
    TI("snd_wnd", tcpi_snd_wnd),
};

static uint64_t ti_value(const struct tcp_info *ti, const struct ti_field *f)
{
	const char *p = (const char *)ti + f->off;
	uint64_t v64;
	uint32_t v32;

	switch (f->size) {
	case 1:
		return *(const uint8_t *)p;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static void json_tcp_info(struct obuf *ob, const struct fmt_ctx *ctx,
			  const struct sock_rec *rec)
{
	struct tcp_info ti;

	(void)ctx;
	if (!rec_tcp_info(rec, &ti)) {
		return;
	}
	json_key(ob, "tcp_info");
	obuf_putc(ob, '{');
	if (rec->ext.cong) {
		obuf_puts(ob, "\"congestion\":");
		obuf_json_string(ob, rec->ext.cong, strlen(rec->ext.cong));
		obuf_putc(ob, ',');
	}
	obuf_printf(ob, "\"snd_wscale\":%u,\"rcv_wscale\":%u",
		    ti.tcpi_snd_wscale, ti.tcpi_rcv_wscale);
	for (size_t i = 0; i < ARRAY_SIZE(ti_fields); i++) {
		json_num(ob, ti_fields[i].name, ti_value(&ti, &ti_fields[i]));
	}
	obuf_putc(ob, '}');
}

typedef void (*block_fn)(struct obuf *ob, const struct fmt_ctx *ctx,
			 const struct sock_rec *rec);

/* The blocks in output order, each with its text and JSON writers. */
static const struct detail_block {
	size_t opt;    /* offsetof the bool in struct opts that asks for it */
	block_fn text; /* each text ends in a space when it wrote anything */
	block_fn json;
} blocks[] = {
    {offsetof(struct opts, processes), text_users, json_process},
    {offsetof(struct opts, timers), text_timer, json_timer},
    {offsetof(struct opts, extended), text_extended, json_extended},
    {offsetof(struct opts, skmem), text_skmem, json_skmem},
    {offsetof(struct opts, tcp_info), text_tcp_info, json_tcp_info},
};

static bool block_wanted(const struct opts *o, const struct detail_block *b)
{
	return *(const bool *)((const char *)o + b->opt);
}

void detail_text(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec)
{
	size_t start = ob->len;

	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		if (block_wanted(ctx->o, &blocks[i])) {
			blocks[i].text(ob, ctx, rec);
		}
	}
	/* The last block's trailing space is not wanted. */
	if (ob->len > start && ob->buf[ob->len - 1] == ' ') {
		ob->len--;
	}
}

void detail_json(struct obuf *ob, const struct fmt_ctx *ctx,
		 const struct sock_rec *rec)
{
	const struct opts *o = ctx->o;

	if (o->netns || o->all_netns) {
		json_key(ob, "netns");
		if (ctx->netns) {
			obuf_json_string(ob, ctx->netns, strlen(ctx->netns));
		} else {
			obuf_puts(ob, "null");
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		if (block_wanted(o, &blocks[i])) {
			blocks[i].json(ob, ctx, rec);
		}
	}
}

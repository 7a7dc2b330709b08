// SPDX-License-Identifier: MIT
/*
 * The TIME_WAIT family of advice rules (registered in advice_rules.c).
 * TIME_WAIT is a fixed 60 s on Linux; what matters is whether one
 * destination runs out of ephemeral ports, whether the bucket limit
 * overflows, and that no folklore tunable (tcp_tw_recycle, tcp_fin_timeout)
 * is mistaken for a remedy.
 */
#include "advice_rules.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "state.h"

/* TIME_WAIT as the kernel counts it (per namespace), else as dumped. */
static uint64_t time_wait(const struct snapshot *snap)
{
	uint64_t dumped = summary_tcp_state(snap->sum, SS_TIME_WAIT);

	if (snap->have_sockstat && (uint64_t)snap->sockstat.tcp_tw > dumped) {
		return (uint64_t)snap->sockstat.tcp_tw;
	}
	return dumped;
}

/*
 * The outgoing (src, dst, dport) tuple holding the most ports and its share
 * of the usable ones. A TIME_WAIT that connect() may take over
 * (tcp_twsk_unique: see summary_tw_reuse) holds nothing: it is counted
 * apart, as reusable.
 */
static bool top_tuple(const struct snapshot *snap, struct sum_row *row,
		      double *share)
{
	if (!snap->have_ports || !snap->usable_ports ||
	    !summary_top(snap->sum, SUM_TUPLE, SUM_V_HELD, row, 1, NULL)) {
		return false;
	}
	*share = (double)row->v[SUM_V_HELD] / snap->usable_ports;
	return true;
}

static bool loopback_tuple(const struct sum_row *row)
{
	static const uint8_t one6[16] = {[15] = 1};

	if (row->family == AF_INET) {
		return row->saddr[0] == 127 || row->daddr[0] == 127;
	}
	return !memcmp(row->saddr, one6, 16) || !memcmp(row->daddr, one6, 16);
}

/* Does tcp_tw_reuse apply to this tuple's TIME_WAIT at all? */
static bool reuse_applies(const struct snapshot *snap,
			  const struct sum_row *row)
{
	int64_t reuse, ts;

	return advice_sysctl(snap, SYS_TW_REUSE, &reuse) &&
	       advice_sysctl(snap, SYS_TIMESTAMPS, &ts) && ts != 0 &&
	       (reuse == 1 || (reuse == 2 && loopback_tuple(row)));
}

/* Zero usable ports is a value, and the worst one. */
static bool no_ports(const struct snapshot *snap, struct advice *a)
{
	const struct sysctl_vals *s = &snap->sys;

	advice_set(a, SEV_CRIT,
		   "no usable ephemeral port: net.ipv4.ip_local_reserved_ports "
		   "covers all of ip_local_port_range %u-%u, so connect() "
		   "without bind() fails (EADDRNOTAVAIL)",
		   s->port_lo, s->port_hi);
	advice_evidence(a, "usable_ports", 0);
	advice_evidence(a, "ip_local_port_range_low", s->port_lo);
	advice_evidence(a, "ip_local_port_range_high", s->port_hi);
	advice_action(a, "reserve only the listening ports that need it: "
			 "sysctl -w net.ipv4.ip_local_reserved_ports=PORTS");
	return true;
}

/* New connections per second one tuple can sustain: each port is held
 * 60 s by TIME_WAIT, or only the reuse delay where reuse applies. */
static void tuple_ceiling(const struct snapshot *snap, struct advice *a,
			  const struct sum_row *row, bool reuse)
{
	double hold_s = 60.0;
	int64_t delay;

	if (!row->v[SUM_V_TIME_WAIT]) {
		return; /* no TIME_WAIT: closing frees the port at once */
	}
	if (reuse) {
		hold_s = advice_sysctl(snap, SYS_TW_REUSE_DELAY, &delay)
			     ? (double)delay / 1000.0
			     : 1.0;
	}
	advice_evidence(a, "port_hold_seconds", hold_s);
	advice_evidence(a, "max_new_connections_per_second",
			hold_s > 0 ? snap->usable_ports / hold_s
				   : snap->usable_ports);
}

static void tuple_actions(const struct snapshot *snap, struct advice *a,
			  const char *dst, bool reuse)
{
	int64_t ts;
	unsigned int lo = snap->sys.port_lo < 10000 ? snap->sys.port_lo : 10000;

	advice_action(a, "reuse connections: a pool or keep-alive to %s", dst);
	advice_action(a, "spread the load over more destination addresses "
			 "or ports; set IP_BIND_ADDRESS_NO_PORT before "
			 "bind() when the client binds a source address");
	advice_action(a,
		      "sysctl -w net.ipv4.ip_local_port_range=\"%u 65535\" "
		      "(reserve listening ports above %u in "
		      "net.ipv4.ip_local_reserved_ports first)",
		      lo, lo);
	if (!reuse) {
		advice_action(a, "sysctl -w net.ipv4.tcp_tw_reuse=1 (on this "
				 "client only; needs TCP timestamps on both "
				 "ends)");
	}
	if (advice_sysctl(snap, SYS_TIMESTAMPS, &ts) && ts == 0) {
		advice_action(a, "sysctl -w net.ipv4.tcp_timestamps=1 "
				 "(tcp_tw_reuse depends on it)");
	}
}

static bool check_tuple_pressure(const struct snapshot *snap, struct advice *a)
{
	struct sum_row row;
	char src[ADDR_STRLEN], dst[ENDPOINT_BUF];
	double share;
	uint32_t held, reusable;
	bool reuse;

	if (snap->have_ports && !snap->usable_ports) {
		return no_ports(snap, a);
	}
	if (!top_tuple(snap, &row, &share) || share < 0.5) {
		return false;
	}
	held = row.v[SUM_V_HELD];
	reusable = row.v[SUM_V_TOTAL] - held;
	reuse = reuse_applies(snap, &row);
	addr_format(src, row.family, row.saddr);
	summary_endpoint(dst, sizeof(dst), row.family, row.daddr, row.dport);
	if (held >= snap->usable_ports) {
		advice_set(a, SEV_CRIT,
			   "%u sockets from %s to %s hold all %u usable "
			   "ephemeral ports: new connect()s to it fail "
			   "(EADDRNOTAVAIL)",
			   held, src, dst, snap->usable_ports);
	} else {
		advice_set(a, share >= 0.8 ? SEV_CRIT : SEV_WARN,
			   "%u sockets from %s to %s hold %.0f%% of the %u "
			   "usable ephemeral ports: connect()s to it fail when "
			   "they hold all",
			   held, src, dst, share * 100, snap->usable_ports);
	}
	advice_subject(a, "%s -> %s", src, dst);
	advice_evidence(a, "sockets", held);
	advice_evidence(a, "time_wait", row.v[SUM_V_TIME_WAIT]);
	advice_evidence(a, "time_wait_reusable", reusable);
	advice_evidence(a, "usable_ports", snap->usable_ports);
	advice_evidence(a, "share", share);
	tuple_ceiling(snap, a, &row, reuse);
	tuple_actions(snap, a, dst, reuse);
	return true;
}

const struct advice_rule rule_tuple_pressure = {
    .id = "tuple-pressure",
    .max_sev = SEV_CRIT,
    .what = "sockets per (source, destination, port) tuple against the "
	    "usable ephemeral ports (50% warning, 80% critical), TIME_WAIT "
	    "that connect() may reuse not counted; no usable port at all "
	    "(critical)",
    .source = SRC_BERNAT,
    .check = check_tuple_pressure,
};

static bool buckets_ok(const struct snapshot *snap, uint64_t tw)
{
	int64_t max;

	return !advice_sysctl(snap, SYS_MAX_TW_BUCKETS, &max) ||
	       tw * 10 < (uint64_t)max * 8;
}

static bool check_tw_harmless(const struct snapshot *snap, struct advice *a)
{
	uint64_t tw = time_wait(snap);
	struct sum_row row;
	double share = 0;

	if (tw < TW_MANY || !buckets_ok(snap, tw) ||
	    (top_tuple(snap, &row, &share) && share >= 0.5)) {
		return false;
	}
	advice_set(a, SEV_INFO,
		   "%llu TIME_WAIT sockets, but no destination is short of "
		   "ports and the bucket limit is far: this is normal on the "
		   "side that closes first",
		   (unsigned long long)tw);
	advice_evidence(a, "time_wait", (double)tw);
	advice_evidence(a, "max_tuple_share", share);
	advice_action(a, "none: TIME_WAIT lasts a fixed 60 s and protects "
			 "new connections from old segments; do not tune it "
			 "away");
	return true;
}

const struct advice_rule rule_tw_harmless = {
    .id = "tw-harmless",
    .max_sev = SEV_INFO,
    .what = "many TIME_WAIT without port pressure or bucket shortage",
    .source = SRC_BERNAT,
    .check = check_tw_harmless,
};

static bool check_tw_buckets(const struct snapshot *snap, struct advice *a)
{
	uint64_t tw = time_wait(snap), delta = 0, total = 0;
	double per_min = 0;
	bool rising;
	int64_t max;

	if (!advice_sysctl(snap, SYS_MAX_TW_BUCKETS, &max)) {
		return false;
	}
	rising =
	    snapshot_rate(snap, CTR_TW_OVERFLOW, &delta, &per_min) && delta > 0;
	if (!rising && buckets_ok(snap, tw)) {
		return false;
	}
	if (rising) {
		advice_set(a, SEV_CRIT,
			   "TIME_WAIT table full: %llu closing connections "
			   "skipped TIME_WAIT in %g s (limit %lld)",
			   (unsigned long long)delta, snap->interval_s,
			   (long long)max);
	} else {
		advice_set(a, SEV_WARN,
			   "TIME_WAIT at %llu%% of net.ipv4.tcp_max_tw_buckets "
			   "(%lld): above it closing sockets skip TIME_WAIT",
			   (unsigned long long)(max > 0
						    ? tw * 100 / (uint64_t)max
						    : 100),
			   (long long)max);
	}
	advice_evidence(a, "time_wait", (double)tw);
	advice_evidence(a, "tcp_max_tw_buckets", (double)max);
	if (snapshot_counter(snap, CTR_TW_OVERFLOW, &total)) {
		advice_evidence(a, "TCPTimeWaitOverflow", (double)total);
	}
	if (rising) {
		advice_evidence(a, "TCPTimeWaitOverflow_per_minute", per_min);
	}
	advice_action(
	    a,
	    "sysctl -w net.ipv4.tcp_max_tw_buckets=%llu (raise "
	    "it; never lower it)",
	    (unsigned long long)(2 *
				 (tw > (uint64_t)max ? tw : (uint64_t)max)));
	return true;
}

const struct advice_rule rule_tw_buckets = {
    .id = "tw-buckets",
    .max_sev = SEV_CRIT,
    .what = "TIME_WAIT >= 80% of tcp_max_tw_buckets (warning); "
	    "TCPTimeWaitOverflow rising (critical)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_tw_buckets,
};

/* What the sysctl.conf line says when there is one; else the live value */
static void recycle_message(const struct snapshot *snap, struct advice *a,
			    bool removed, bool on)
{
	const struct conf_hit *c = &snap->recycle_conf;

	if (on) {
		advice_set(a, SEV_CRIT,
			   "net.ipv4.tcp_tw_recycle is on: it drops "
			   "connections from clients behind NAT (Linux 4.12 "
			   "removed it for that reason)");
		advice_action(a, "sysctl -w net.ipv4.tcp_tw_recycle=0");
	} else if (removed && !strcmp(c->value, "0")) {
		advice_set(
		    a, SEV_INFO,
		    "/%s line %u sets net.ipv4.tcp_tw_recycle = 0, a key "
		    "Linux 4.12 removed: harmless but dead, and "
		    "`sysctl --system` reports an error for it",
		    c->file, c->line);
	} else if (removed) {
		advice_set(a, SEV_WARN,
			   "/%s line %u sets net.ipv4.tcp_tw_recycle, which "
			   "Linux 4.12 removed: the line is dead and "
			   "`sysctl --system` reports an error for it",
			   c->file, c->line);
	} else if (!strcmp(c->value, "0")) {
		advice_set(a, SEV_INFO,
			   "/%s line %u sets net.ipv4.tcp_tw_recycle = 0: off, "
			   "as it must stay (Linux 4.12 removed the key)",
			   c->file, c->line);
	} else {
		advice_set(a, SEV_WARN,
			   "/%s line %u sets net.ipv4.tcp_tw_recycle = %s: "
			   "switched on it drops clients behind NAT, and Linux "
			   "4.12 removed it",
			   c->file, c->line, c->value);
	}
}

static bool check_tw_recycle(const struct snapshot *snap, struct advice *a)
{
	bool removed =
	    !snap->have_kernel || kver_at_least(&snap->kernel, 4, 12);
	bool conf_on =
	    snap->recycle_in_conf && strcmp(snap->recycle_conf.value, "0") != 0;
	int64_t live = 0;
	bool on = !removed &&
		  ((advice_sysctl(snap, SYS_TW_RECYCLE, &live) && live != 0) ||
		   conf_on);

	if (!on && !snap->recycle_in_conf) {
		return false;
	}
	recycle_message(snap, a, removed, on);
	if (snap->recycle_in_conf) {
		advice_subject(a, "/%s:%u", snap->recycle_conf.file,
			       snap->recycle_conf.line);
		advice_evidence(a, "line", snap->recycle_conf.line);
		advice_action(a, "delete line %u of /%s",
			      snap->recycle_conf.line, snap->recycle_conf.file);
	}
	if (!removed) {
		advice_evidence(a, "tcp_tw_recycle", (double)live);
	}
	advice_evidence(a, "kernel_major", snap->kernel.major);
	advice_evidence(a, "kernel_minor", snap->kernel.minor);
	return true;
}

const struct advice_rule rule_tw_recycle = {
    .id = "tw-recycle",
    .max_sev = SEV_CRIT,
    .what = "tcp_tw_recycle in any file systemd-sysctl reads (the value "
	    "that wins): set on >= 4.12 (warning; = 0: info), enabled on "
	    "< 4.12 (critical)",
    .source = SRC_BERNAT,
    .check = check_tw_recycle,
};

static bool check_tw_reuse_noop(const struct snapshot *snap, struct advice *a)
{
	uint64_t tw = summary_tcp_state(snap->sum, SS_TIME_WAIT);
	uint64_t in = snap->sum->time_wait_inbound;
	int64_t reuse, ts;

	if (!advice_sysctl(snap, SYS_TW_REUSE, &reuse) || reuse != 1 ||
	    !advice_sysctl(snap, SYS_TIMESTAMPS, &ts)) {
		return false;
	}
	if (ts == 0) {
		advice_set(a, SEV_INFO,
			   "net.ipv4.tcp_tw_reuse=1 does nothing while "
			   "net.ipv4.tcp_timestamps=0");
		advice_action(a, "sysctl -w net.ipv4.tcp_timestamps=1");
	} else if (tw >= 100 && in * 2 > tw) {
		advice_set(a, SEV_INFO,
			   "%llu of %llu TIME_WAIT sockets are on inbound "
			   "connections, where net.ipv4.tcp_tw_reuse does "
			   "nothing",
			   (unsigned long long)in, (unsigned long long)tw);
		advice_action(a, "none needed: inbound TIME_WAIT does not "
				 "stop a server from accepting; tcp_tw_reuse "
				 "only helps outgoing connect()");
	} else {
		return false;
	}
	advice_evidence(a, "tcp_tw_reuse", (double)reuse);
	advice_evidence(a, "tcp_timestamps", (double)ts);
	advice_evidence(a, "time_wait", (double)tw);
	advice_evidence(a, "time_wait_inbound", (double)in);
	return true;
}

const struct advice_rule rule_tw_reuse_noop = {
    .id = "tw-reuse-noop",
    .max_sev = SEV_INFO,
    .what = "tcp_tw_reuse=1 with TIME_WAIT mostly on inbound connections, "
	    "or with tcp_timestamps=0",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_tw_reuse_noop,
};

static bool check_fin_timeout_myth(const struct snapshot *snap,
				   struct advice *a)
{
	uint64_t tw = time_wait(snap);
	int64_t fin;

	if (!advice_sysctl(snap, SYS_FIN_TIMEOUT, &fin) || fin == 60 ||
	    tw < TW_MANY) {
		return false;
	}
	advice_set(a, SEV_INFO,
		   "net.ipv4.tcp_fin_timeout is %lld, but it does not shorten "
		   "TIME_WAIT (%llu sockets): it bounds orphaned FIN_WAIT2 "
		   "only, TIME_WAIT is a fixed 60 s",
		   (long long)fin, (unsigned long long)tw);
	advice_evidence(a, "tcp_fin_timeout", (double)fin);
	advice_evidence(a, "time_wait", (double)tw);
	advice_action(a, "expect no change in TIME_WAIT from tcp_fin_timeout; "
			 "see tuple-pressure for what helps");
	return true;
}

const struct advice_rule rule_fin_timeout_myth = {
    .id = "fin-timeout-myth",
    .max_sev = SEV_INFO,
    .what = "tcp_fin_timeout changed from 60 on a host with many "
	    "TIME_WAIT",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_fin_timeout_myth,
};

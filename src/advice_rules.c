// SPDX-License-Identifier: MIT
/*
 * The advice rules, one `const struct advice_rule` each, registered in
 * advice_rules[] at the end. Facts and thresholds: shared/tcp-facts.md;
 * counter thresholds follow netdata's TCP alarms (warning above 1 event per
 * minute, critical above 5). Each rule reads the live value of every sysctl
 * it talks about and skips when it could not.
 */
#include "advice.h"
#include "advice_rules.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "state.h"
#include "util.h"

/* The process holding the most sockets in column col, with -p. */
static bool top_owner(const struct snapshot *snap, unsigned int col,
		      struct sum_row *row)
{
	return snap->sum->have_owners &&
	       summary_top(snap->sum, SUM_OWNER, col, row, 1, NULL) == 1;
}

static bool check_fin_wait2_stuck(const struct snapshot *snap, struct advice *a)
{
	const struct summary *s = snap->sum;
	uint64_t n =
	    s->have_previous ? s->persisting_fin_wait2 : s->fin_wait2_owned;
	struct sum_row row;

	if (n < (s->have_previous ? 10u : 100u)) {
		return false;
	}
	advice_set(a, SEV_WARN,
		   "%llu FIN_WAIT2 sockets still owned by a process%s: it "
		   "half-closed them (shutdown) and never called close()",
		   (unsigned long long)n,
		   s->have_previous ? " persist across samples" : "");
	advice_evidence(a, "fin_wait2_owned", (double)s->fin_wait2_owned);
	if (s->have_previous) {
		advice_evidence(a, "persisting", (double)n);
	}
	if (top_owner(snap, SUM_V_FIN_WAIT2, &row)) {
		advice_subject(a, "%s[%u]", row.owner.name, row.owner.pid);
		advice_evidence(a, "pid", row.owner.pid);
		advice_evidence(a, "owner_fin_wait2", row.v[SUM_V_FIN_WAIT2]);
	}
	advice_action(a, "fix the application: close() after shutdown(); "
			 "TCP_LINGER2 bounds FIN_WAIT2 once the socket is "
			 "closed");
	advice_action(a, "sockscope kill state fin-wait-2 frees them now");
	return true;
}

static const struct advice_rule rule_fin_wait2_stuck = {
    .id = "fin-wait2-stuck",
    .max_sev = SEV_WARN,
    .what = "FIN_WAIT2 sockets still owned by a process, persisting",
    .source = SRC_TCP7,
    .check = check_fin_wait2_stuck,
};

/* Name where the CLOSE_WAIT sockets are: the process (-p) or the port. */
static uint32_t close_wait_group(const struct snapshot *snap, struct advice *a)
{
	struct sum_row row;
	uint32_t n;
	uint16_t port;

	if (top_owner(snap, SUM_V_CLOSE_WAIT, &row)) {
		advice_subject(a, "%s[%u]", row.owner.name, row.owner.pid);
		advice_evidence(a, "pid", row.owner.pid);
		return row.v[SUM_V_CLOSE_WAIT];
	}
	port = summary_close_wait_port(snap->sum, &n);
	if (n) {
		advice_subject(a, "local port %u", port);
		advice_evidence(a, "local_port", port);
	}
	return n;
}

static bool check_close_wait_leak(const struct snapshot *snap, struct advice *a)
{
	const struct summary *s = snap->sum;
	uint64_t total = summary_tcp_state(s, SS_CLOSE_WAIT);
	uint64_t stay = s->persisting_close_wait;
	uint32_t group;

	if (total < 10) {
		return false;
	}
	group = close_wait_group(snap, a);
	if (group < 100 && stay < 10) {
		memset(a, 0, sizeof(*a));
		return false;
	}
	advice_set(a, group >= 1000 ? SEV_CRIT : SEV_WARN,
		   "%u CLOSE_WAIT sockets at %s: the peer closed and the "
		   "application never called close(); the kernel keeps them "
		   "forever",
		   group, a->subject[0] ? a->subject : "one owner");
	advice_evidence(a, "close_wait", (double)total);
	advice_evidence(a, "close_wait_here", group);
	if (s->have_previous) {
		advice_evidence(a, "persisting", (double)stay);
	}
	advice_action(a, "fix the application: close() the socket when "
			 "read() returns 0 (end of stream)");
	if (!strncmp(a->subject, "local port ", 11)) {
		advice_action(a,
			      "sockscope kill state close-wait sport = :%s "
			      "frees them now",
			      a->subject + 11);
	} else {
		advice_action(a, "sockscope kill state close-wait frees "
				 "them now");
	}
	return true;
}

static const struct advice_rule rule_close_wait_leak = {
    .id = "close-wait-leak",
    .max_sev = SEV_CRIT,
    .what = "CLOSE_WAIT per process (or local port) >= 100 (critical at "
	    "1000), or CLOSE_WAIT sockets staying across samples",
    .source = SRC_RFC9293,
    .check = check_close_wait_leak,
};

/* Severity of a counter's rate per netdata's alarm levels. */
static enum advice_sev rate_sev(double per_min)
{
	return per_min > RATE_CRIT   ? SEV_CRIT
	       : per_min > RATE_WARN ? SEV_WARN
				     : SEV_NONE;
}

static void overflow_actions(const struct snapshot *snap, struct advice *a,
			     const struct sum_listener *l)
{
	int64_t somax = 0;
	bool have = advice_sysctl(snap, SYS_SOMAXCONN, &somax);

	if (l) {
		advice_action(a,
			      "raise the listen() backlog of %s (now %u) "
			      "and accept() faster",
			      a->subject, l->send_q);
	}
	if (have) {
		advice_action(a,
			      "sysctl -w net.core.somaxconn=%lld (caps "
			      "every backlog; now %lld)",
			      (long long)(somax < 4096 ? 4096 : somax * 2),
			      (long long)somax);
	}
	advice_action(a, "spread one port over several accept queues with "
			 "SO_REUSEPORT");
	advice_action(a, "keep net.ipv4.tcp_abort_on_overflow=0: resetting "
			 "clients does not help");
}

static bool check_accept_overflow(const struct snapshot *snap, struct advice *a)
{
	struct sum_listener l;
	char ep[ENDPOINT_BUF];
	uint64_t delta = 0, total = 0;
	double per_min = 0;
	enum advice_sev sev = SEV_NONE;
	bool full = summary_listeners(snap->sum, &l, 1, NULL) == 1 &&
		    l.send_q > 0 && l.recv_q >= l.send_q;

	if (snapshot_rate(snap, CTR_LISTEN_OVERFLOWS, &delta, &per_min)) {
		sev = rate_sev(per_min);
	}
	if (full && sev < SEV_WARN) {
		sev = SEV_WARN;
	}
	if (sev == SEV_NONE) {
		return false;
	}
	if (full) {
		summary_endpoint(ep, sizeof(ep), l.family, l.addr, l.port);
		advice_subject(a, "%s", ep);
		advice_evidence(a, "recv_q", l.recv_q);
		advice_evidence(a, "send_q", l.send_q);
	}
	advice_set(a, sev,
		   "accept queue overflow%s%s: ListenOverflows rose by %llu "
		   "(%.1f/min); connections are dropped until the application "
		   "accept()s",
		   full ? " on " : "", full ? ep : "",
		   (unsigned long long)delta, per_min);
	if (snapshot_counter(snap, CTR_LISTEN_OVERFLOWS, &total)) {
		advice_evidence(a, "ListenOverflows", (double)total);
	}
	if (snap->interval_s) {
		advice_evidence(a, "ListenOverflows_per_minute", per_min);
	}
	if (snapshot_counter(snap, CTR_LISTEN_DROPS, &total)) {
		advice_evidence(a, "ListenDrops", (double)total);
	}
	overflow_actions(snap, a, full ? &l : NULL);
	return true;
}

static const struct advice_rule rule_accept_overflow = {
    .id = "accept-overflow",
    .max_sev = SEV_CRIT,
    .what = "ListenOverflows rising (warning above 1/min, critical above "
	    "5/min), or a LISTEN socket with Recv-Q >= Send-Q",
    .source = SRC_LISTEN2,
    .check = check_accept_overflow,
};

static bool check_somaxconn_low(const struct snapshot *snap, struct advice *a)
{
	struct sum_listener l[64];
	size_t n = summary_listeners(snap->sum, l, ARRAY_SIZE(l), NULL);
	unsigned int capped = 0;
	int64_t somax;

	if (!snap->have_kernel || !kver_at_least(&snap->kernel, 5, 4) ||
	    !advice_sysctl(snap, SYS_SOMAXCONN, &somax) || somax >= 4096) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		capped += somax > 0 && l[i].send_q == (uint64_t)somax;
	}
	advice_set(a, capped ? SEV_WARN : SEV_INFO,
		   "net.core.somaxconn is %lld, below the default 4096 of "
		   "Linux >= 5.4%s",
		   (long long)somax,
		   capped ? "; it caps the backlog of listening sockets" : "");
	advice_evidence(a, "somaxconn", (double)somax);
	advice_evidence(a, "listeners_capped", capped);
	advice_action(a, "sysctl -w net.core.somaxconn=4096");
	return true;
}

static const struct advice_rule rule_somaxconn_low = {
    .id = "somaxconn-low",
    .max_sev = SEV_WARN,
    .what = "net.core.somaxconn < 4096 on >= 5.4 (warning when a "
	    "listener's backlog is capped by it)",
    .source = SRC_NET_SYSCTL,
    .check = check_somaxconn_low,
};

static bool check_syn_queue(const struct snapshot *snap, struct advice *a)
{
	uint64_t drop = 0, cookies = 0,
		 recv = summary_tcp_state(snap->sum, SS_SYN_RECV);
	double drop_min = 0, cookie_min = 0;
	int64_t backlog = 0;
	bool many = advice_sysctl(snap, SYS_MAX_SYN_BACKLOG, &backlog) &&
		    recv >= 100 && recv * 2 >= (uint64_t)backlog;

	snapshot_rate(snap, CTR_REQQ_FULL_DROP, &drop, &drop_min);
	snapshot_rate(snap, CTR_REQQ_FULL_COOKIES, &cookies, &cookie_min);
	if (drop) {
		advice_set(a, SEV_CRIT,
			   "SYN queue full: %llu connection attempts dropped "
			   "(TCPReqQFullDrop, %.1f/min)",
			   (unsigned long long)drop, drop_min);
	} else if (cookies || many) {
		advice_set(a, SEV_WARN,
			   "SYN queue under pressure: %llu SYN_RECV, %llu "
			   "answered with syncookies (TCPReqQFullDoCookies)",
			   (unsigned long long)recv,
			   (unsigned long long)cookies);
	} else {
		return false;
	}
	advice_evidence(a, "syn_recv", (double)recv);
	advice_evidence(a, "TCPReqQFullDrop_delta", (double)drop);
	advice_evidence(a, "TCPReqQFullDoCookies_delta", (double)cookies);
	advice_evidence(a, "tcp_max_syn_backlog", (double)backlog);
	advice_action(a, "sysctl -w net.ipv4.tcp_syncookies=1 (keep it on)");
	advice_action(a,
		      "sysctl -w net.ipv4.tcp_max_syn_backlog=%lld and "
		      "raise the listen() backlogs",
		      (long long)(backlog > 0 ? backlog * 2 : 4096));
	advice_action(a, "look for a SYN flood: many SYN_RECV from few "
			 "sources (sockscope state syn-recv)");
	return true;
}

static const struct advice_rule rule_syn_queue = {
    .id = "syn-queue",
    .max_sev = SEV_CRIT,
    .what = "TCPReqQFullDrop rising (critical), TCPReqQFullDoCookies "
	    "rising or SYN_RECV near tcp_max_syn_backlog (warning)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_syn_queue,
};

/* A rule about one sysctl that should have one value. */
static bool check_value(const struct snapshot *snap, struct advice *a,
			enum sysctl_id id, int64_t bad, enum advice_sev sev,
			const char *why, int64_t good)
{
	int64_t v;

	if (!advice_sysctl(snap, id, &v) || v != bad) {
		return false;
	}
	advice_set(a, sev, "%s=%lld: %s", sysctl_name(id), (long long)v, why);
	advice_evidence(a, sysctl_name(id) + 9, (double)v); /* skip net.ipvX. */
	advice_action(a, "sysctl -w %s=%lld", sysctl_name(id), (long long)good);
	return true;
}

static bool check_syncookies_off(const struct snapshot *snap, struct advice *a)
{
	return check_value(snap, a, SYS_SYNCOOKIES, 0, SEV_WARN,
			   "a full SYN queue drops new connections instead of "
			   "answering with cookies",
			   1) ||
	       check_value(snap, a, SYS_SYNCOOKIES, 2, SEV_INFO,
			   "cookies are sent for every SYN, even without a "
			   "flood (meant for testing)",
			   1);
}

static const struct advice_rule rule_syncookies_off = {
    .id = "syncookies-off",
    .max_sev = SEV_WARN,
    .what = "tcp_syncookies=0 (warning) or 2 (info)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_syncookies_off,
};

static bool check_abort_on_overflow(const struct snapshot *snap,
				    struct advice *a)
{
	return check_value(snap, a, SYS_ABORT_ON_OVERFLOW, 1, SEV_WARN,
			   "a full accept queue resets clients instead of "
			   "letting them retry",
			   0);
}

static const struct advice_rule rule_abort_on_overflow = {
    .id = "abort-on-overflow",
    .max_sev = SEV_WARN,
    .what = "tcp_abort_on_overflow=1",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_abort_on_overflow,
};

static bool check_orphans(const struct snapshot *snap, struct advice *a)
{
	uint64_t mem_delta = 0;
	double per_min = 0;
	int64_t max, orphans;
	enum advice_sev sev = SEV_NONE;

	if (!snap->have_sockstat ||
	    !advice_sysctl(snap, SYS_MAX_ORPHANS, &max) || max <= 0) {
		return false;
	}
	orphans = snap->sockstat.tcp_orphan;
	if (orphans * 2 > max) {
		sev = SEV_CRIT;
	} else if (orphans * 4 > max) {
		sev = SEV_WARN;
	}
	if (snapshot_rate(snap, CTR_ABORT_ON_MEMORY, &mem_delta, &per_min) &&
	    mem_delta > 0) {
		sev = SEV_CRIT;
	}
	if (sev == SEV_NONE) {
		return false;
	}
	advice_set(a, sev,
		   "%lld orphaned sockets (%lld%% of net.ipv4.tcp_max_orphans "
		   "%lld); %llu resets for lack of memory (TCPAbortOnMemory)",
		   (long long)orphans, (long long)(orphans * 100 / max),
		   (long long)max, (unsigned long long)mem_delta);
	advice_evidence(a, "orphans", (double)orphans);
	advice_evidence(a, "tcp_max_orphans", (double)max);
	advice_evidence(a, "TCPAbortOnMemory_delta", (double)mem_delta);
	advice_action(a,
		      "sysctl -w net.ipv4.tcp_max_orphans=%lld (host-wide: "
		      "run it in the initial namespace)",
		      (long long)max * 2);
	advice_action(a, "find who leaves FIN_WAIT1 and LAST_ACK behind: "
			 "sockscope state fin-wait-1 or state last-ack");
	return true;
}

static const struct advice_rule rule_orphans = {
    .id = "orphans",
    .max_sev = SEV_CRIT,
    .what = "orphans above 25% (warning) or 50% (critical) of "
	    "tcp_max_orphans, or TCPAbortOnMemory rising",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_orphans,
};

static bool check_tcp_mem(const struct snapshot *snap, struct advice *a)
{
	const int64_t *m = snap->sys.tcp_mem;
	int64_t used = snap->sockstat.tcp_mem;
	enum advice_sev sev;

	if (!snap->have_sockstat || snap->sys.tcp_mem_err) {
		return false;
	}
	if (used * 10 > m[2] * 9) {
		sev = SEV_CRIT;
	} else if (used > m[1]) {
		sev = SEV_WARN;
	} else {
		return false;
	}
	advice_set(a, sev,
		   "TCP uses %lld pages, above the %s threshold of "
		   "net.ipv4.tcp_mem (%lld %lld %lld)",
		   (long long)used, sev == SEV_CRIT ? "0.9 x high" : "pressure",
		   (long long)m[0], (long long)m[1], (long long)m[2]);
	advice_evidence(a, "tcp_mem_pages", (double)used);
	advice_evidence(a, "tcp_mem_pressure", (double)m[1]);
	advice_evidence(a, "tcp_mem_high", (double)m[2]);
	advice_action(a,
		      "sysctl -w net.ipv4.tcp_mem=\"%lld %lld %lld\" if the "
		      "host has the memory (host-wide, in pages)",
		      (long long)m[0] * 2, (long long)m[1] * 2,
		      (long long)m[2] * 2);
	advice_action(a, "find the sockets with the biggest queues "
			 "(Recv-Q/Send-Q, sockscope -m)");
	return true;
}

static const struct advice_rule rule_tcp_mem = {
    .id = "tcp-mem",
    .max_sev = SEV_CRIT,
    .what = "TCP memory above the pressure threshold (warning) or 0.9 x "
	    "the high threshold (critical) of tcp_mem",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_tcp_mem,
};

static bool check_rst_on_close(const struct snapshot *snap, struct advice *a)
{
	uint64_t data = 0, closed = 0, act = 0, pas = 0;
	double unused;

	if (!snapshot_rate(snap, CTR_ABORT_ON_DATA, &data, &unused) ||
	    !snapshot_rate(snap, CTR_ABORT_ON_CLOSE, &closed, &unused) ||
	    !snapshot_rate(snap, CTR_ACTIVE_OPENS, &act, &unused) ||
	    !snapshot_rate(snap, CTR_PASSIVE_OPENS, &pas, &unused) ||
	    data + closed < 10 || (data + closed) * 10 < act + pas) {
		return false;
	}
	advice_set(a, SEV_INFO,
		   "%llu connections ended with a reset in %u s against %llu "
		   "opened: peers see errors",
		   (unsigned long long)(data + closed), snap->interval_s,
		   (unsigned long long)(act + pas));
	advice_evidence(a, "TCPAbortOnData_delta", (double)data);
	advice_evidence(a, "TCPAbortOnClose_delta", (double)closed);
	advice_evidence(a, "opens_delta", (double)(act + pas));
	advice_action(a, "look for SO_LINGER with timeout 0 and for "
			 "applications that close() with unread data");
	return true;
}

static const struct advice_rule rule_rst_on_close = {
    .id = "rst-on-close",
    .max_sev = SEV_INFO,
    .what = "TCPAbortOnData + TCPAbortOnClose >= 10% of new connections "
	    "between samples",
    .source = SRC_SOCKET7,
    .check = check_rst_on_close,
};

static bool check_syn_sent_pile(const struct snapshot *snap, struct advice *a)
{
	struct sum_row row;
	char ep[ENDPOINT_BUF];
	int64_t retries = 0;

	if (!summary_top(snap->sum, SUM_REMOTE_PORT, SUM_V_SYN_SENT, &row, 1,
			 NULL) ||
	    row.v[SUM_V_SYN_SENT] < 10) {
		return false;
	}
	summary_endpoint(ep, sizeof(ep), row.family, row.daddr, row.dport);
	advice_set(a, SEV_INFO,
		   "%u connections to %s wait in SYN_SENT: the destination is "
		   "unreachable or filtered",
		   row.v[SUM_V_SYN_SENT], ep);
	advice_subject(a, "%s", ep);
	advice_evidence(a, "syn_sent", row.v[SUM_V_SYN_SENT]);
	if (advice_sysctl(snap, SYS_SYN_RETRIES, &retries)) {
		advice_evidence(a, "tcp_syn_retries", (double)retries);
	}
	advice_action(a,
		      "check routing and firewalls towards %s; connect() "
		      "gives up after net.ipv4.tcp_syn_retries",
		      ep);
	return true;
}

static const struct advice_rule rule_syn_sent_pile = {
    .id = "syn-sent-pile",
    .max_sev = SEV_INFO,
    .what = "10 or more SYN_SENT to one destination",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_syn_sent_pile,
};

static bool check_dead_peer(const struct snapshot *snap, struct advice *a)
{
	uint64_t n = snap->sum->retrans_stuck;
	int64_t r2 = 0;

	if (!n) {
		return false;
	}
	advice_set(a, SEV_INFO,
		   "%llu sockets retransmit with 8 or more retries: the peer "
		   "is gone or unreachable",
		   (unsigned long long)n);
	advice_evidence(a, "sockets", (double)n);
	if (advice_sysctl(snap, SYS_RETRIES2, &r2)) {
		advice_evidence(a, "tcp_retries2", (double)r2);
	}
	advice_action(a, "set TCP_USER_TIMEOUT in the application to give up "
			 "sooner; net.ipv4.tcp_retries2 bounds it otherwise "
			 "(15: at least ~924 s)");
	return true;
}

static const struct advice_rule rule_dead_peer = {
    .id = "dead-peer",
    .max_sev = SEV_INFO,
    .what = "retransmit timer running with >= 8 retransmits",
    .source = SRC_TCP7,
    .check = check_dead_peer,
};

/* ip_local_reserved_ports as it is now, plus port, in the kernel's syntax */
static void reserved_plus(const struct sysctl_vals *s, uint16_t port, char *buf,
			  size_t len)
{
	size_t off = 0;

	for (unsigned int i = 0; i < s->reserved.n && off < len; i++) {
		if (s->reserved.r[i].lo == s->reserved.r[i].hi) {
			off += (size_t)snprintf(buf + off, len - off, "%u,",
						s->reserved.r[i].lo);
		} else {
			off += (size_t)snprintf(buf + off, len - off, "%u-%u,",
						s->reserved.r[i].lo,
						s->reserved.r[i].hi);
		}
	}
	if (off < len) {
		snprintf(buf + off, len - off, "%u", port);
	}
}

static bool check_port_overlap(const struct snapshot *snap, struct advice *a)
{
	const struct sysctl_vals *s = &snap->sys;
	struct sum_listener l[256];
	size_t n = summary_listeners(snap->sum, l, ARRAY_SIZE(l), NULL);
	unsigned int hits = 0;
	uint16_t first = 0;
	char list[ADVICE_TEXT_MAX - 64];

	if (s->port_range_err || s->reserved_err) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (l[i].port >= s->port_lo && l[i].port <= s->port_hi &&
		    !sysctl_port_reserved(s, l[i].port)) {
			first = hits++ ? first : l[i].port;
		}
	}
	if (!hits) {
		return false;
	}
	advice_set(a, SEV_WARN,
		   "%u listening port%s inside the ephemeral range %u-%u "
		   "(first: %u): an outgoing connect() may take %s first",
		   hits, hits > 1 ? "s" : "", s->port_lo, s->port_hi, first,
		   hits > 1 ? "them" : "it");
	advice_subject(a, "port %u", first);
	advice_evidence(a, "listening_ports_in_range", hits);
	advice_evidence(a, "port", first);
	advice_evidence(a, "ip_local_port_range_low", s->port_lo);
	advice_evidence(a, "ip_local_port_range_high", s->port_hi);
	reserved_plus(s, first, list, sizeof(list));
	advice_action(a, "sysctl -w net.ipv4.ip_local_reserved_ports=%s", list);
	advice_action(a, "or move the service to a port below %u", s->port_lo);
	return true;
}

static const struct advice_rule rule_port_overlap = {
    .id = "port-overlap",
    .max_sev = SEV_WARN,
    .what = "a LISTEN port inside ip_local_port_range and not in "
	    "ip_local_reserved_ports",
    .source = SRC_IP_SYSCTL "#ip-variables",
    .check = check_port_overlap,
};

const struct advice_rule *const advice_rules[] = {
    &rule_tuple_pressure,    &rule_tw_harmless,
    &rule_tw_buckets,	     &rule_tw_recycle,
    &rule_tw_reuse_noop,     &rule_fin_timeout_myth,
    &rule_fin_wait2_stuck,   &rule_close_wait_leak,
    &rule_accept_overflow,   &rule_somaxconn_low,
    &rule_syn_queue,	     &rule_syncookies_off,
    &rule_abort_on_overflow, &rule_orphans,
    &rule_tcp_mem,	     &rule_rst_on_close,
    &rule_syn_sent_pile,     &rule_dead_peer,
    &rule_port_overlap,	     &rule_sysctl_folklore,
    NULL,
};

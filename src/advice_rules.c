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

/* Where the owned FIN_WAIT2 sockets point: the peer host with most. */
static bool fin_wait2_peer(const struct snapshot *snap, char host[ADDR_STRLEN],
			   uint32_t *n)
{
	struct sum_row row;

	if (!summary_top(snap->sum, SUM_REMOTE_HOST, SUM_V_HOST_FW2, &row, 1,
			 NULL)) {
		return false;
	}
	addr_format(host, row.family, row.daddr);
	*n = row.v[SUM_V_HOST_FW2];
	return true;
}

static bool check_fin_wait2_stuck(const struct snapshot *snap, struct advice *a)
{
	const struct summary *s = snap->sum;
	uint64_t n =
	    s->have_previous ? s->persisting_fin_wait2 : s->fin_wait2_owned;
	uint64_t cw = summary_tcp_state(s, SS_CLOSE_WAIT);
	char host[ADDR_STRLEN];
	uint32_t at_host = 0;
	struct sum_row row;
	bool owner;

	if (n < (s->have_previous ? 10u : 100u)) {
		return false;
	}
	advice_set(a, SEV_WARN,
		   "%llu FIN_WAIT2 sockets still owned by a process%s: it "
		   "half-closed them (shutdown) and waits for the peer's FIN",
		   (unsigned long long)n,
		   s->have_previous ? " persist across samples" : "");
	advice_evidence(a, "fin_wait2_owned", (double)s->fin_wait2_owned);
	if (s->have_previous) {
		advice_evidence(a, "persisting", (double)n);
	}
	owner = top_owner(snap, SUM_V_FIN_WAIT2, &row);
	if (owner) {
		advice_subject(a, "%s[%u]", row.owner.name, row.owner.pid);
		advice_evidence(a, "pid", row.owner.pid);
		advice_evidence(a, "owner_fin_wait2", row.v[SUM_V_FIN_WAIT2]);
	}
	advice_evidence(a, "close_wait_here", (double)cw);
	advice_action(a,
		      "a correct half-close waits here for a peer that "
		      "never close()s: look for CLOSE_WAIT on the peer%s",
		      cw ? " (this host holds some: sockscope state "
			   "close-wait)"
			 : "");
	advice_action(a, "otherwise fix the application: close() after "
			 "shutdown(); TCP_LINGER2 bounds FIN_WAIT2 once the "
			 "socket is closed");
	if (fin_wait2_peer(snap, host, &at_host)) {
		char pid[24] = "";

		if (owner) {
			snprintf(pid, sizeof(pid), " pid = %u", row.owner.pid);
		}
		advice_evidence(a, "peer_fin_wait2", at_host);
		advice_action(a,
			      "sockscope kill state fin-wait-2 dst %s%s frees "
			      "them now (%u towards %s in all)",
			      host, pid, at_host, host);
	} else if (owner) {
		advice_action(a,
			      "sockscope kill state fin-wait-2 pid = %u frees "
			      "that process's now",
			      row.owner.pid);
	}
	return true;
}

static const struct advice_rule rule_fin_wait2_stuck = {
    .id = "fin-wait2-stuck",
    .max_sev = SEV_WARN,
    .what = "FIN_WAIT2 sockets still owned by a process, persisting (a "
	    "bug, or a half-close waiting on a peer that leaks CLOSE_WAIT)",
    .source = SRC_TCP7,
    .check = check_fin_wait2_stuck,
};

/* Where the CLOSE_WAIT sockets are: one local port (a server's accepted
 * connections) or one peer host:port (a client's), whichever holds more;
 * the kill filter that selects exactly those. */
struct cw_group {
	uint32_t n;
	char where[ENDPOINT_BUF + 16];
	char filter[ENDPOINT_BUF + 16];
};

static void close_wait_where(const struct snapshot *snap, struct cw_group *g)
{
	struct sum_row row;
	char ep[ENDPOINT_BUF];
	uint32_t local;
	uint16_t port = summary_close_wait_port(snap->sum, &local);

	g->n = local;
	snprintf(g->where, sizeof(g->where), "local port %u", port);
	snprintf(g->filter, sizeof(g->filter), "sport = :%u", port);
	if (summary_top(snap->sum, SUM_REMOTE_PORT, SUM_V_PEER_CW, &row, 1,
			NULL) &&
	    row.v[SUM_V_PEER_CW] > local) {
		summary_endpoint(ep, sizeof(ep), row.family, row.daddr,
				 row.dport);
		g->n = row.v[SUM_V_PEER_CW];
		snprintf(g->where, sizeof(g->where), "peer %s", ep);
		snprintf(g->filter, sizeof(g->filter), "dst %s", ep);
	}
}

static bool check_close_wait_leak(const struct snapshot *snap, struct advice *a)
{
	const struct summary *s = snap->sum;
	uint64_t total = summary_tcp_state(s, SS_CLOSE_WAIT);
	uint64_t stay = s->persisting_close_wait;
	struct cw_group g = {0};
	struct sum_row row;
	bool owner;
	uint32_t group;

	if (total < 10) {
		return false;
	}
	close_wait_where(snap, &g);
	/* Per process with -p, unless the process found holds fewer than
	 * the place (the rest have no owner we could see). */
	owner = top_owner(snap, SUM_V_CLOSE_WAIT, &row) &&
		row.v[SUM_V_CLOSE_WAIT] >= g.n;
	group = owner ? row.v[SUM_V_CLOSE_WAIT] : g.n;
	if (group < 100 && stay < 10) {
		return false;
	}
	if (owner) {
		advice_subject(a, "%s[%u]", row.owner.name, row.owner.pid);
		advice_evidence(a, "pid", row.owner.pid);
	} else {
		advice_subject(a, "%s", g.where);
	}
	advice_set(a, group >= 1000 ? SEV_CRIT : SEV_WARN,
		   "%u CLOSE_WAIT sockets %s %s: the peer closed and the "
		   "application never called close(); the kernel keeps them "
		   "forever",
		   group, owner ? "held by" : "at", a->subject);
	advice_evidence(a, "close_wait", (double)total);
	advice_evidence(a, "close_wait_here", group);
	advice_evidence(a, "close_wait_at_place", g.n);
	if (s->have_previous) {
		advice_evidence(a, "persisting", (double)stay);
	}
	advice_action(a, "fix the application: close() the socket when "
			 "read() returns 0 (end of stream)");
	if (owner) {
		advice_action(a,
			      "sockscope kill state close-wait pid = %u frees "
			      "that process's now",
			      row.owner.pid);
	}
	advice_action(a,
		      "sockscope kill state close-wait %s frees the %u at "
		      "%s now",
		      g.filter, g.n, g.where);
	return true;
}

static const struct advice_rule rule_close_wait_leak = {
    .id = "close-wait-leak",
    .max_sev = SEV_CRIT,
    .what = "CLOSE_WAIT per process (-p), local port or peer host:port >= "
	    "100 (critical at 1000), or CLOSE_WAIT sockets staying across "
	    "samples",
    .source = SRC_RFC9293,
    .check = check_close_wait_leak,
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

/* An orphan keeps its unsent and unacknowledged data (up to ~64 KB of
 * unswappable memory each, ip-sysctl.rst) until its FIN retries end. */
static void orphan_retries_action(const struct snapshot *snap, struct advice *a)
{
	char now[40] = "";
	int64_t r = 0;

	if (advice_sysctl(snap, SYS_ORPHAN_RETRIES, &r)) {
		advice_evidence(a, "tcp_orphan_retries", (double)r);
		snprintf(now, sizeof(now), " (now %lld%s)", (long long)r,
			 r == 0 ? ", meaning 8" : "");
	}
	advice_action(a,
		      "each orphan holds up to ~64 KB of unswappable memory "
		      "until its FIN retries end: net.ipv4.tcp_orphan_retries"
		      "%s bounds them; lower it to free orphans sooner",
		      now);
}

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
	orphan_retries_action(snap, a);
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
		   "%llu connections ended with a reset in %g s against %llu "
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

/* Zero-window sockets worth a word when no peer is dead. */
#define ZERO_WINDOW_MANY 10

static bool check_dead_peer(const struct snapshot *snap, struct advice *a)
{
	uint64_t n = snap->sum->retrans_stuck, zw = snap->sum->zero_window;
	int64_t r2 = 0;

	if (!n && zw < ZERO_WINDOW_MANY) {
		return false;
	}
	if (n) {
		advice_set(a, SEV_INFO,
			   "%llu sockets retransmit or probe with 8 or more "
			   "unanswered tries: the peer is gone or unreachable",
			   (unsigned long long)n);
	} else {
		advice_set(
		    a, SEV_INFO,
		    "%llu sockets wait on a zero window and their probes "
		    "are answered: the peers are alive but do not read",
		    (unsigned long long)zw);
	}
	advice_evidence(a, "sockets", (double)n);
	advice_evidence(a, "zero_window_live_peer", (double)zw);
	if (advice_sysctl(snap, SYS_RETRIES2, &r2)) {
		advice_evidence(a, "tcp_retries2", (double)r2);
	}
	if (n) {
		advice_action(a, "set TCP_USER_TIMEOUT in the application to "
				 "give up sooner; net.ipv4.tcp_retries2 bounds "
				 "it otherwise (15: at least ~924 s)");
	}
	if (zw) {
		advice_action(a,
			      "%llu sockets probe a zero window with answers: "
			      "look at the peer application, which stopped "
			      "reading; the kernel probes it forever, "
			      "TCP_USER_TIMEOUT bounds that",
			      (unsigned long long)zw);
	}
	return true;
}

static const struct advice_rule rule_dead_peer = {
    .id = "dead-peer",
    .max_sev = SEV_INFO,
    .what = "retransmissions or zero-window probes with >= 8 unanswered "
	    "tries; or 10 sockets probing a zero window whose probes are "
	    "answered (a live peer that does not read)",
    .source = SRC_TCP7,
    .check = check_dead_peer,
};

/* ip_local_reserved_ports as it is now, plus port, in the kernel's syntax */
/*
 * The reserved list with port added, as the sysctl takes it. False when it
 * does not fit in buf: a cut list written back would drop reservations, so
 * the caller must not suggest it.
 */
static bool reserved_plus(const struct sysctl_vals *s, uint16_t port, char *buf,
			  size_t len)
{
	size_t off = 0;
	int n;

	for (unsigned int i = 0; i < s->reserved.n; i++) {
		if (s->reserved.r[i].lo == s->reserved.r[i].hi) {
			n = snprintf(buf + off, len - off, "%u,",
				     s->reserved.r[i].lo);
		} else {
			n = snprintf(buf + off, len - off, "%u-%u,",
				     s->reserved.r[i].lo, s->reserved.r[i].hi);
		}
		if (n < 0 || (size_t)n >= len - off) {
			return false;
		}
		off += (size_t)n;
	}
	n = snprintf(buf + off, len - off, "%u", port);
	return n >= 0 && (size_t)n < len - off;
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
		/* An autobound port came from the range: nothing to
		 * reserve, the kernel picked a free one. */
		if (!l[i].autobound && l[i].port >= s->port_lo &&
		    l[i].port <= s->port_hi &&
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
	if (reserved_plus(s, first, list, sizeof(list))) {
		advice_action(
		    a, "sysctl -w net.ipv4.ip_local_reserved_ports=%s", list);
	} else {
		advice_action(a,
			      "add %u to net.ipv4.ip_local_reserved_ports, "
			      "keeping every range it lists now",
			      first);
	}
	advice_action(a, "or move the service to a port below %u", s->port_lo);
	return true;
}

static const struct advice_rule rule_port_overlap = {
    .id = "port-overlap",
    .max_sev = SEV_WARN,
    .what = "a LISTEN port inside ip_local_port_range and not in "
	    "ip_local_reserved_ports (autobound listeners skipped)",
    .source = SRC_IP_SYSCTL "#ip-variables",
    .check = check_port_overlap,
};

const struct advice_rule *const advice_rules[] = {
    &rule_tuple_pressure,    &rule_tw_harmless,	    &rule_tw_buckets,
    &rule_tw_recycle,	     &rule_tw_reuse_noop,   &rule_fin_timeout_myth,
    &rule_fin_wait2_stuck,   &rule_close_wait_leak, &rule_accept_overflow,
    &rule_somaxconn_low,     &rule_syn_queue,	    &rule_syncookies_off,
    &rule_abort_on_overflow, &rule_orphans,	    &rule_tcp_mem,
    &rule_rst_on_close,	     &rule_syn_sent_pile,   &rule_dead_peer,
    &rule_port_overlap,	     &rule_sysctl_folklore, NULL,
};

// SPDX-License-Identifier: MIT
/*
 * The listener family of advice rules (registered in advice_rules.c): the
 * accept queue, the SYN queue, somaxconn, and connections piling up in
 * SYN_SENT. Facts (verified in the kernel source): a listener's accept
 * queue holds backlog + 1 connections (sk_acceptq_is_full), its SYN queue
 * is bounded by the same backlog, min(listen() argument, somaxconn)
 * (inet_csk_reqsk_queue_is_full); with syncookies on an overflowing SYN
 * queue answers with cookies (TCPReqQFullDoCookies) and drops nothing;
 * tcp_max_syn_backlog adds a limit only with syncookies off, counted in
 * ListenDrops alone (tcp_conn_request); somaxconn is read at listen().
 */
#include "advice_rules.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "state.h"
#include "util.h"

#define LISTENERS_MAX 256

/* Severity of a counter's rate per netdata's alarm levels. */
static enum advice_sev rate_sev(double per_min)
{
	return per_min > RATE_CRIT   ? SEV_CRIT
	       : per_min > RATE_WARN ? SEV_WARN
				     : SEV_NONE;
}

/* Full as the kernel tests it (sk_acceptq_is_full: Recv-Q > backlog), so
 * also with a backlog of 0 and one connection queued. */
static bool queue_full(const struct sum_listener *l)
{
	return l->recv_q > l->send_q;
}

/* Its backlog is somaxconn's cap, not the application's choice. */
static bool capped(const struct snapshot *snap, const struct sum_listener *l)
{
	int64_t somax;

	return advice_sysctl(snap, SYS_SOMAXCONN, &somax) && somax > 0 &&
	       l->send_q == (uint64_t)somax;
}

/* "addr:port" and, with -p, " (name[pid])" of a listener. */
static void listener_name(const struct snapshot *snap,
			  const struct sum_listener *l, char *ep, size_t ep_len,
			  char *proc, size_t proc_len)
{
	struct owner ow;

	summary_endpoint(ep, ep_len, l->family, l->addr, l->port);
	proc[0] = '\0';
	if (summary_owner(snap->sum, l->pid, &ow)) {
		snprintf(proc, proc_len, " (%s[%u])", ow.name, ow.pid);
	}
}

static void somaxconn_action(const struct snapshot *snap, struct advice *a)
{
	int64_t somax;

	if (advice_sysctl(snap, SYS_SOMAXCONN, &somax)) {
		advice_action(a,
			      "sysctl -w net.core.somaxconn=%lld (it caps "
			      "this backlog; now %lld), then restart the "
			      "service: the value is read at listen()",
			      (long long)(somax < 4096 ? 4096 : somax * 2),
			      (long long)somax);
	}
}

static void overflow_actions(const struct snapshot *snap, struct advice *a,
			     const struct sum_listener *l, const char *ep,
			     const char *proc)
{
	if (l) {
		advice_action(a,
			      "raise the listen() backlog of %s%s (now %u) "
			      "and accept() faster",
			      ep, proc, l->send_q);
		if (capped(snap, l)) {
			somaxconn_action(snap, a);
		}
	} else {
		advice_action(a, "find the listener whose Recv-Q reaches its "
				 "Send-Q (sockscope -tl) and raise its "
				 "listen() backlog");
	}
	advice_action(a, "spread one port over several accept queues with "
			 "SO_REUSEPORT");
	advice_action(a, "keep net.ipv4.tcp_abort_on_overflow=0: resetting "
			 "clients does not help");
}

static void overflow_message(struct advice *a, enum advice_sev sev,
			     const struct sum_listener *l, const char *ep,
			     const char *proc, uint64_t delta, double per_min)
{
	if (delta) {
		advice_set(a, sev,
			   "accept queue overflow%s%s%s: ListenOverflows rose "
			   "by %llu (%.1f/min); connections are dropped until "
			   "the application accept()s",
			   l ? " on " : "", l ? ep : "", l ? proc : "",
			   (unsigned long long)delta, per_min);
	} else {
		advice_set(a, sev,
			   "accept queue of %s%s is full (Recv-Q %u, backlog "
			   "%u): new connections are dropped until the "
			   "application accept()s",
			   ep, proc, l->recv_q, l->send_q);
	}
}

static bool check_accept_overflow(const struct snapshot *snap, struct advice *a)
{
	struct sum_listener l;
	char ep[ENDPOINT_BUF], proc[40];
	uint64_t delta = 0, total = 0;
	double per_min = 0;
	enum advice_sev sev = SEV_NONE;
	bool full =
	    summary_listeners(snap->sum, &l, 1, NULL) == 1 && queue_full(&l);

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
		listener_name(snap, &l, ep, sizeof(ep), proc, sizeof(proc));
		advice_subject(a, "%s", ep);
		advice_evidence(a, "recv_q", l.recv_q);
		advice_evidence(a, "send_q", l.send_q);
		if (l.pid) {
			advice_evidence(a, "pid", l.pid);
		}
	}
	overflow_message(a, sev, full ? &l : NULL, ep, proc, delta, per_min);
	if (snapshot_counter(snap, CTR_LISTEN_OVERFLOWS, &total)) {
		advice_evidence(a, "ListenOverflows", (double)total);
	}
	if (snap->interval_s) {
		advice_evidence(a, "ListenOverflows_per_minute", per_min);
	}
	if (snapshot_counter(snap, CTR_LISTEN_DROPS, &total)) {
		advice_evidence(a, "ListenDrops", (double)total);
	}
	overflow_actions(snap, a, full ? &l : NULL, ep, proc);
	return true;
}

const struct advice_rule rule_accept_overflow = {
    .id = "accept-overflow",
    .max_sev = SEV_CRIT,
    .what = "ListenOverflows rising (warning above 1/min, critical above "
	    "5/min), or a LISTEN socket with a full accept queue (Recv-Q >= "
	    "Send-Q, a backlog of 0 included)",
    .source = SRC_LISTEN2,
    .check = check_accept_overflow,
};

static bool check_somaxconn_low(const struct snapshot *snap, struct advice *a)
{
	struct sum_listener l[64];
	size_t n = summary_listeners(snap->sum, l, ARRAY_SIZE(l), NULL);
	unsigned int n_capped = 0;
	int64_t somax;

	if (!snap->have_kernel || !kver_at_least(&snap->kernel, 5, 4) ||
	    !advice_sysctl(snap, SYS_SOMAXCONN, &somax) || somax >= 4096) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		n_capped += capped(snap, &l[i]);
	}
	advice_set(a, n_capped ? SEV_WARN : SEV_INFO,
		   "net.core.somaxconn is %lld, below the default 4096 of "
		   "Linux >= 5.4%s",
		   (long long)somax,
		   n_capped ? "; it caps the backlog of listening sockets"
			    : "");
	advice_evidence(a, "somaxconn", (double)somax);
	advice_evidence(a, "listeners_capped", n_capped);
	advice_action(a, "sysctl -w net.core.somaxconn=4096, then restart the "
			 "services: each reads it at listen()");
	return true;
}

const struct advice_rule rule_somaxconn_low = {
    .id = "somaxconn-low",
    .max_sev = SEV_WARN,
    .what = "net.core.somaxconn < 4096 on >= 5.4 (warning when a "
	    "listener's backlog is capped by it)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_somaxconn_low,
};

/* The listener whose SYN queue is fullest against its own backlog. */
static bool fullest_syn_queue(const struct snapshot *snap,
			      struct sum_listener *out, uint32_t *recv)
{
	struct sum_listener *l = xcalloc(LISTENERS_MAX, sizeof(*l));
	size_t n = summary_listeners(snap->sum, l, LISTENERS_MAX, NULL);
	double best = 0;

	*recv = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = 0;
		double share;

		for (unsigned int st = 0; st < SS_MAX; st++) {
			r += state_fold(st) == SS_SYN_RECV ? l[i].conns[st] : 0;
		}
		share = (double)r / (l[i].send_q ? l[i].send_q : 1);

		if (r > 0 && share > best) {
			best = share;
			*out = l[i];
			*recv = r;
		}
	}
	free(l);
	return best >= 0.8 && *recv >= 2;
}

/* SYNs dropped: TCPReqQFullDrop (queue full, cookies off), and with
 * cookies off also ListenDrops beyond ListenOverflows (tcp_max_syn_backlog
 * and the queue-full drops, which count in both). */
static uint64_t syn_drops(const struct snapshot *snap, int64_t cookies,
			  double *per_min)
{
	uint64_t drop = 0, ld = 0, lo = 0;
	double m1 = 0, unused;

	snapshot_rate(snap, CTR_REQQ_FULL_DROP, &drop, &m1);
	*per_min = m1;
	if (cookies == 0 &&
	    snapshot_rate(snap, CTR_LISTEN_DROPS, &ld, &unused) &&
	    snapshot_rate(snap, CTR_LISTEN_OVERFLOWS, &lo, &unused) &&
	    ld > lo && ld - lo > drop) {
		drop = ld - lo;
		*per_min = (double)drop * 60.0 / snap->interval_s;
	}
	return drop;
}

static void syn_queue_message(struct advice *a, uint64_t drop, double drop_min,
			      uint64_t cookies, bool near, int64_t syncookies,
			      const char *ep, uint32_t recv, uint32_t backlog)
{
	if (drop) {
		advice_set(a, SEV_CRIT,
			   "SYN queue full: %llu connection attempts dropped "
			   "(%.1f/min) with net.ipv4.tcp_syncookies=%lld",
			   (unsigned long long)drop, drop_min,
			   (long long)syncookies);
	} else if (cookies) {
		advice_set(a, SEV_WARN,
			   "SYN queue overflow: %llu SYNs answered with "
			   "syncookies (TCPReqQFullDoCookies); none dropped",
			   (unsigned long long)cookies);
	} else if (near) {
		advice_set(a, syncookies ? SEV_INFO : SEV_WARN,
			   "%u SYN_RECV on %s against its backlog of %u: %s",
			   recv, ep, backlog,
			   syncookies ? "an overflow is answered with "
					"syncookies, nothing is dropped"
				      : "with syncookies off the next SYNs are "
					"dropped");
	}
}

static bool check_syn_queue(const struct snapshot *snap, struct advice *a)
{
	struct sum_listener l;
	char ep[ENDPOINT_BUF] = "", proc[40] = "";
	uint64_t drop, cookies = 0;
	double drop_min = 0, cookie_min = 0;
	int64_t syncookies = 1, msb = 0;
	uint32_t recv = 0;
	bool near = fullest_syn_queue(snap, &l, &recv);

	advice_sysctl(snap, SYS_SYNCOOKIES, &syncookies);
	drop = syn_drops(snap, syncookies, &drop_min);
	snapshot_rate(snap, CTR_REQQ_FULL_COOKIES, &cookies, &cookie_min);
	if (!drop && !cookies && !near) {
		return false;
	}
	if (near) {
		listener_name(snap, &l, ep, sizeof(ep), proc, sizeof(proc));
		advice_subject(a, "%s", ep);
		advice_evidence(a, "listener_syn_recv", recv);
		advice_evidence(a, "listener_backlog", l.send_q);
	}
	syn_queue_message(a, drop, drop_min, cookies, near, syncookies, ep,
			  recv, l.send_q);
	advice_evidence(a, "syn_recv",
			(double)summary_tcp_state(snap->sum, SS_SYN_RECV));
	advice_evidence(a, "dropped", (double)drop);
	advice_evidence(a, "TCPReqQFullDoCookies_delta", (double)cookies);
	advice_evidence(a, "tcp_syncookies", (double)syncookies);
	advice_action(a, "sysctl -w net.ipv4.tcp_syncookies=1 (keep it on: "
			 "an overflow is then answered, not dropped)");
	if (near) {
		advice_action(a,
			      "raise the listen() backlog of %s%s (now %u): "
			      "it bounds the SYN queue too",
			      ep, proc, l.send_q);
		if (capped(snap, &l)) {
			somaxconn_action(snap, a);
		}
	}
	if (syncookies == 0 && advice_sysctl(snap, SYS_MAX_SYN_BACKLOG, &msb)) {
		advice_action(
		    a,
		    "with syncookies off net.ipv4.tcp_max_syn_backlog "
		    "(now %lld) also limits: raise it, or turn "
		    "cookies on",
		    (long long)msb);
	}
	if (near) {
		advice_action(a,
			      "look for a SYN flood: many SYN_RECV from few "
			      "sources (sockscope state syn-recv sport = :%u)",
			      l.port);
	} else {
		advice_action(a, "look for a SYN flood: many SYN_RECV from few "
				 "sources (sockscope state syn-recv)");
	}
	return true;
}

const struct advice_rule rule_syn_queue = {
    .id = "syn-queue",
    .max_sev = SEV_CRIT,
    .what = "SYNs dropped: TCPReqQFullDrop, or with syncookies off "
	    "ListenDrops beyond ListenOverflows (critical); "
	    "TCPReqQFullDoCookies rising (warning); a listener's SYN_RECV "
	    "at 80% of its own backlog (warning with syncookies off, else "
	    "info)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_syn_queue,
};

static bool loopback(uint8_t family, const uint8_t *a)
{
	static const uint8_t one6[16] = {[15] = 1};

	return family == AF_INET ? a[0] == 127 : !memcmp(a, one6, 16);
}

/* A local listener at row's destination whose accept queue is full. */
static bool full_local_listener(const struct snapshot *snap,
				const struct sum_row *row,
				struct sum_listener *out)
{
	struct sum_listener *l = xcalloc(LISTENERS_MAX, sizeof(*l));
	size_t n = summary_listeners(snap->sum, l, LISTENERS_MAX, NULL);
	bool found = false;

	for (size_t i = 0; i < n && !found; i++) {
		bool here = l[i].family == row->family &&
			    (!memcmp(l[i].addr, row->daddr, 16) ||
			     (addr_is_any(l[i].family, l[i].addr) &&
			      loopback(row->family, row->daddr)));

		if (here && l[i].port == row->dport && queue_full(&l[i])) {
			*out = l[i];
			found = true;
		}
	}
	free(l);
	return found;
}

static bool check_syn_sent_pile(const struct snapshot *snap, struct advice *a)
{
	struct sum_row row;
	struct sum_listener l;
	char ep[ENDPOINT_BUF], lep[ENDPOINT_BUF], proc[40];
	int64_t retries = 0;

	if (!summary_top(snap->sum, SUM_REMOTE_PORT, SUM_V_SYN_SENT, &row, 1,
			 NULL) ||
	    row.v[SUM_V_SYN_SENT] < 10) {
		return false;
	}
	summary_endpoint(ep, sizeof(ep), row.family, row.daddr, row.dport);
	advice_subject(a, "%s", ep);
	advice_evidence(a, "syn_sent", row.v[SUM_V_SYN_SENT]);
	if (full_local_listener(snap, &row, &l)) {
		listener_name(snap, &l, lep, sizeof(lep), proc, sizeof(proc));
		advice_set(a, SEV_INFO,
			   "%u connections to %s wait in SYN_SENT: the local "
			   "listener %s%s has a full accept queue and drops "
			   "their SYNs",
			   row.v[SUM_V_SYN_SENT], ep, lep, proc);
		advice_evidence(a, "listener_recv_q", l.recv_q);
		advice_evidence(a, "listener_send_q", l.send_q);
		advice_action(a,
			      "the application behind %s must accept() "
			      "faster or raise its listen() backlog (now %u); "
			      "see accept-overflow",
			      lep, l.send_q);
		return true;
	}
	advice_set(a, SEV_INFO,
		   "%u connections to %s wait in SYN_SENT: the destination is "
		   "unreachable or filtered",
		   row.v[SUM_V_SYN_SENT], ep);
	if (advice_sysctl(snap, SYS_SYN_RETRIES, &retries)) {
		advice_evidence(a, "tcp_syn_retries", (double)retries);
	}
	advice_action(a,
		      "check routing and firewalls towards %s; connect() "
		      "gives up after net.ipv4.tcp_syn_retries",
		      ep);
	return true;
}

const struct advice_rule rule_syn_sent_pile = {
    .id = "syn-sent-pile",
    .max_sev = SEV_INFO,
    .what = "10 or more SYN_SENT to one destination (blamed on a local "
	    "listener's full accept queue when it is one)",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_syn_sent_pile,
};

// SPDX-License-Identifier: MIT
/*
 * `sockscope summary` (-s): socket counts per state and family, the
 * kernel's own totals, and top-N breakdowns, as a table, JSON or
 * Prometheus text. Counting lives in summary.c; this file only prints.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "format_prom.h"
#include "jw.h"
#include "snapshot.h"
#include "state.h"
#include "util.h"

#define BAR_WIDTH 30

/* TCP states in display order; NEW_SYN_RECV counts as SYN_RECV. */
static uint64_t tcp_count(const struct summary *s, int fi, unsigned int st)
{
	uint64_t n = s->tcp[fi][st];

	if (st == SS_SYN_RECV) {
		n += s->tcp[fi][SS_NEW_SYN_RECV];
	} else if (st == SS_CLOSE) {
		n += s->tcp[fi][SS_BOUND_INACTIVE];
	}
	return n;
}

static uint64_t family_total(const uint64_t counts[SS_MAX])
{
	uint64_t n = 0;

	for (unsigned int st = 0; st < SS_MAX; st++) {
		n += counts[st];
	}
	return n;
}

static void put_bar(struct obuf *ob, uint64_t n, uint64_t max)
{
	size_t w = max ? (size_t)((n * BAR_WIDTH + max - 1) / max) : 0;

	if (w) {
		obuf_puts(ob, "  ");
	}
	for (size_t i = 0; i < w; i++) {
		obuf_putc(ob, '#');
	}
}

static void table_states(struct obuf *ob, const struct summary *s, bool all)
{
	uint64_t max = 0;

	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t n = tcp_count(s, 0, st) + tcp_count(s, 1, st);

		max = n > max ? n : max;
	}
	obuf_printf(ob, "%-12s %10s %10s %10s\n", "TCP", "inet", "inet6",
		    "total");
	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t a = tcp_count(s, 0, st), b = tcp_count(s, 1, st);

		if (!all && !a && !b) {
			continue;
		}
		obuf_printf(ob, "%-12s %10llu %10llu %10llu",
			    state_name(st, IPPROTO_TCP), (unsigned long long)a,
			    (unsigned long long)b, (unsigned long long)(a + b));
		put_bar(ob, a + b, max);
		obuf_putc(ob, '\n');
	}
	obuf_printf(ob, "%-12s %10llu %10llu %10llu\n", "all",
		    (unsigned long long)family_total(s->tcp[0]),
		    (unsigned long long)family_total(s->tcp[1]),
		    (unsigned long long)s->tcp_total);
	obuf_printf(ob, "\n%-12s %10s %10s %10s\n", "UDP", "inet", "inet6",
		    "total");
	obuf_printf(
	    ob, "%-12s %10llu %10llu %10llu\n", "bound",
	    (unsigned long long)s->udp[0][SS_CLOSE],
	    (unsigned long long)s->udp[1][SS_CLOSE],
	    (unsigned long long)(s->udp[0][SS_CLOSE] + s->udp[1][SS_CLOSE]));
	obuf_printf(ob, "%-12s %10llu %10llu %10llu\n", "connected",
		    (unsigned long long)s->udp[0][SS_ESTABLISHED],
		    (unsigned long long)s->udp[1][SS_ESTABLISHED],
		    (unsigned long long)(s->udp[0][SS_ESTABLISHED] +
					 s->udp[1][SS_ESTABLISHED]));
}

static const char *const unix_types[SUM_UNIX_MAX] = {"stream", "dgram",
							"seqpacket"};

/* -x: UNIX sockets per state and type (not in the inet totals). */
static void table_unix(struct obuf *ob, const struct summary *s)
{
	uint64_t col[SUM_UNIX_MAX] = {0};

	obuf_printf(ob, "\n%-12s %10s %10s %10s %10s\n", "UNIX", "stream",
		    "dgram", "seqpacket", "total");
	for (unsigned int st = 1; st < SS_MAX; st++) {
		uint64_t n = 0;

		for (int t = 0; t < SUM_UNIX_MAX; t++) {
			n += s->unx[t][st];
			col[t] += s->unx[t][st];
		}
		if (!n) {
			continue;
		}
		obuf_printf(ob, "%-12s %10llu %10llu %10llu %10llu\n",
			    state_name(st, 0),
			    (unsigned long long)s->unx[0][st],
			    (unsigned long long)s->unx[1][st],
			    (unsigned long long)s->unx[2][st],
			    (unsigned long long)n);
	}
	obuf_printf(ob, "%-12s %10llu %10llu %10llu %10llu\n", "all",
		    (unsigned long long)col[0], (unsigned long long)col[1],
		    (unsigned long long)col[2],
		    (unsigned long long)s->unix_total);
}

static void json_unix(struct jw *w, const struct summary *s)
{
	jw_object(w, "unix");
	jw_u64(w, "total", s->unix_total);
	jw_object(w, "states");
	for (unsigned int st = 1; st < SS_MAX; st++) {
		uint64_t n = s->unx[0][st] + s->unx[1][st] + s->unx[2][st];

		if (!n) {
			continue;
		}
		jw_object(w, state_name(st, 0));
		for (int t = 0; t < SUM_UNIX_MAX; t++) {
			jw_u64(w, unix_types[t], s->unx[t][st]);
		}
		jw_u64(w, "total", n);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void table_kernel(struct obuf *ob, const struct snapshot *snap)
{
	const struct sockstat *k = &snap->sockstat;

	if (!snap->have_sockstat) {
		return;
	}
	obuf_printf(
	    ob,
	    "\nKernel totals (/proc/net/sockstat): TCP inuse %lld orphan "
	    "%lld tw %lld alloc %lld mem %lld pages; TCP6 inuse %lld; "
	    "UDP inuse %lld mem %lld pages; UDP6 inuse %lld\n",
	    (long long)k->tcp_inuse, (long long)k->tcp_orphan,
	    (long long)k->tcp_tw, (long long)k->tcp_alloc,
	    (long long)k->tcp_mem, (long long)k->tcp6_inuse,
	    (long long)k->udp_inuse, (long long)k->udp_mem,
	    (long long)k->udp6_inuse);
}

static void table_listeners(struct obuf *ob, const struct summary *s,
			    unsigned int top)
{
	struct sum_listener *l = xcalloc(top, sizeof(*l));
	size_t keys, n = summary_listeners(s, l, top, &keys);

	obuf_printf(ob,
		    "\nListening ports (top %u of %zu, fullest queue first)\n",
		    top, keys);
	obuf_printf(ob, "%-28s %8s %8s %6s %8s %8s %10s %9s\n",
		    "Local Address:Port", "Recv-Q", "Send-Q", "Fill", "ESTAB",
		    "SYN_RECV", "CLOSE_WAIT", "TIME_WAIT");
	for (size_t i = 0; i < n; i++) {
		char ep[SUMMARY_ENDPOINT_LEN];

		summary_endpoint(ep, sizeof(ep), l[i].family, l[i].addr,
				 l[i].port);
		obuf_printf(
		    ob, "%-28s %8u %8u %5.0f%% %8u %8u %10u %9u\n", ep,
		    l[i].recv_q, l[i].send_q,
		    100.0 * summary_listener_fill(&l[i]),
		    l[i].conns[SS_ESTABLISHED],
		    l[i].conns[SS_SYN_RECV] + l[i].conns[SS_NEW_SYN_RECV],
		    l[i].conns[SS_CLOSE_WAIT], l[i].conns[SS_TIME_WAIT]);
	}
	free(l);
}

static void table_remote(struct obuf *ob, const struct summary *s,
			 unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t keys,
	    n = summary_top(s, SUM_REMOTE_HOST, SUM_V_TOTAL, r, top, &keys);

	obuf_printf(ob, "\nRemote hosts (top %u of %zu)\n%-40s %8s\n", top,
		    keys, "Peer Address", "Sockets");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_STRLEN];

		addr_format(a, r[i].family, r[i].daddr);
		obuf_printf(ob, "%-40s %8u\n", a, r[i].v[SUM_V_TOTAL]);
	}
	n = summary_top(s, SUM_REMOTE_PORT, SUM_V_TOTAL, r, top, &keys);
	obuf_printf(ob, "\nRemote host:port (top %u of %zu)\n%-48s %8s %8s\n",
		    top, keys, "Peer Address:Port", "Sockets", "SYN_SENT");
	for (size_t i = 0; i < n; i++) {
		char ep[SUMMARY_ENDPOINT_LEN];

		summary_endpoint(ep, sizeof(ep), r[i].family, r[i].daddr,
				 r[i].dport);
		obuf_printf(ob, "%-48s %8u %8u\n", ep, r[i].v[SUM_V_TOTAL],
			    r[i].v[SUM_V_SYN_SENT]);
	}
	free(r);
}

static void table_tuples(struct obuf *ob, const struct snapshot *snap,
			 unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t keys, n = summary_top(snap->sum, SUM_TUPLE, SUM_V_TIME_WAIT, r,
				     top, &keys);
	uint32_t usable = snap->usable_ports;

	obuf_puts(ob, "\nTIME_WAIT per (local address, peer address, peer "
		      "port), outgoing connections\n");
	if (usable) {
		obuf_printf(
		    ob,
		    "usable ephemeral ports: %u (%u-%u minus reserved); "
		    "ceiling per tuple: %u new connections/s\n",
		    usable, snap->sys.port_lo, snap->sys.port_hi, usable / 60);
	}
	obuf_printf(ob, "%-40s %-48s %9s %8s %6s\n", "Local Address",
		    "Peer Address:Port", "TIME_WAIT", "Sockets", "Share");
	for (size_t i = 0; i < n; i++) {
		char a[ADDR_STRLEN], ep[SUMMARY_ENDPOINT_LEN];

		addr_format(a, r[i].family, r[i].saddr);
		summary_endpoint(ep, sizeof(ep), r[i].family, r[i].daddr,
				 r[i].dport);
		obuf_printf(ob, "%-40s %-48s %9u %8u", a, ep,
			    r[i].v[SUM_V_TIME_WAIT], r[i].v[SUM_V_TOTAL]);
		if (usable) {
			obuf_printf(ob, " %5.1f%%",
				    100.0 * r[i].v[SUM_V_TOTAL] / usable);
		}
		obuf_putc(ob, '\n');
	}
	free(r);
}

static void table_owners(struct obuf *ob, const struct summary *s,
			 unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t keys, n = summary_top(s, SUM_OWNER, SUM_V_TOTAL, r, top, &keys);

	obuf_printf(ob, "\nProcesses (top %u of %zu)\n%-24s %8s %8s %10s %9s\n",
		    top, keys, "Process", "PID", "Sockets", "CLOSE_WAIT",
		    "FIN_WAIT2");
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(r[i].owner.name, sizeof(r[i].owner.name));
		size_t w = escape_text_width(r[i].owner.name, len);

		obuf_escape_text(ob, r[i].owner.name, len);
		obuf_pad(ob, w < 24 ? 24 - w : 0);
		obuf_printf(ob, " %8u %8u %10u %9u\n", r[i].owner.pid,
			    r[i].v[SUM_V_TOTAL], r[i].v[SUM_V_CLOSE_WAIT],
			    r[i].v[SUM_V_FIN_WAIT2]);
	}
	free(r);
}

static void summary_table(struct obuf *ob, const struct snapshot *snap,
			  const struct opts *o)
{
	const struct summary *s = snap->sum;

	obuf_printf(ob, "Sockets: %llu (tcp %llu, udp %llu)\n\n",
		    (unsigned long long)(s->tcp_total + s->udp_total),
		    (unsigned long long)s->tcp_total,
		    (unsigned long long)s->udp_total);
	table_states(ob, s, o->all);
	if (o->protocols & PROTO_UNIX_MASK) {
		table_unix(ob, s);
	}
	table_kernel(ob, snap);
	table_listeners(ob, s, o->top);
	table_remote(ob, s, o->top);
	table_tuples(ob, snap, o->top);
	if (s->have_owners) {
		table_owners(ob, s, o->top);
	}
	if (s->dropped) {
		obuf_printf(ob,
			    "\n(%llu sockets beyond %u keys per breakdown "
			    "were counted but not broken down)\n",
			    (unsigned long long)s->dropped, SUMMARY_KEYS_MAX);
	}
}

static void json_endpoint(struct jw *w, const char *key, uint8_t family,
			  const uint8_t *addr, int port)
{
	char a[ADDR_STRLEN];

	addr_format(a, family, addr);
	jw_object(w, key);
	jw_string(w, "addr", a);
	if (port >= 0) {
		jw_u64(w, "port", (uint64_t)port);
	}
	jw_end(w);
}

static void json_states(struct jw *w, const struct summary *s)
{
	jw_object(w, "tcp");
	jw_u64(w, "total", s->tcp_total);
	jw_u64(w, "inet", family_total(s->tcp[0]));
	jw_u64(w, "inet6", family_total(s->tcp[1]));
	jw_object(w, "states");
	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t a = tcp_count(s, 0, st), b = tcp_count(s, 1, st);

		jw_object(w, state_name(st, IPPROTO_TCP));
		jw_u64(w, "inet", a);
		jw_u64(w, "inet6", b);
		jw_u64(w, "total", a + b);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	jw_object(w, "udp");
	jw_u64(w, "total", s->udp_total);
	jw_u64(w, "inet", family_total(s->udp[0]));
	jw_u64(w, "inet6", family_total(s->udp[1]));
	jw_u64(w, "bound", s->udp[0][SS_CLOSE] + s->udp[1][SS_CLOSE]);
	jw_u64(w, "connected",
	       s->udp[0][SS_ESTABLISHED] + s->udp[1][SS_ESTABLISHED]);
	jw_end(w);
}

static void json_kernel(struct jw *w, const struct snapshot *snap)
{
	const struct sockstat *k = &snap->sockstat;

	if (!snap->have_sockstat) {
		return;
	}
	jw_object(w, "kernel");
	jw_object(w, "tcp");
	jw_i64(w, "inuse", k->tcp_inuse);
	jw_i64(w, "orphan", k->tcp_orphan);
	jw_i64(w, "tw", k->tcp_tw);
	jw_i64(w, "alloc", k->tcp_alloc);
	jw_i64(w, "mem_pages", k->tcp_mem);
	jw_end(w);
	jw_object(w, "tcp6");
	jw_i64(w, "inuse", k->tcp6_inuse);
	jw_end(w);
	jw_object(w, "udp");
	jw_i64(w, "inuse", k->udp_inuse);
	jw_i64(w, "mem_pages", k->udp_mem);
	jw_end(w);
	jw_object(w, "udp6");
	jw_i64(w, "inuse", k->udp6_inuse);
	jw_end(w);
	jw_end(w);
}

static void json_listeners(struct jw *w, const struct summary *s,
			   unsigned int top)
{
	struct sum_listener *l = xcalloc(top, sizeof(*l));
	size_t n = summary_listeners(s, l, top, NULL);

	jw_array(w, "listeners");
	for (size_t i = 0; i < n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "local", l[i].family, l[i].addr, l[i].port);
		jw_u64(w, "recv_q", l[i].recv_q);
		jw_u64(w, "send_q", l[i].send_q);
		jw_double(w, "fill", summary_listener_fill(&l[i]));
		jw_object(w, "connections");
		for (unsigned int st = 1; st < SS_LISTEN; st++) {
			uint32_t c = l[i].conns[st];

			if (st == SS_SYN_RECV) {
				c += l[i].conns[SS_NEW_SYN_RECV];
			}
			jw_u64(w, state_name(st, IPPROTO_TCP), c);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	free(l);
}

static void json_remote(struct jw *w, const struct summary *s, unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t n = summary_top(s, SUM_REMOTE_HOST, SUM_V_TOTAL, r, top, NULL);

	jw_array(w, "remote_hosts");
	for (size_t i = 0; i < n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "peer", r[i].family, r[i].daddr, -1);
		jw_u64(w, "sockets", r[i].v[SUM_V_TOTAL]);
		jw_end(w);
	}
	jw_end(w);
	n = summary_top(s, SUM_REMOTE_PORT, SUM_V_TOTAL, r, top, NULL);
	jw_array(w, "remote_ports");
	for (size_t i = 0; i < n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "peer", r[i].family, r[i].daddr, r[i].dport);
		jw_u64(w, "sockets", r[i].v[SUM_V_TOTAL]);
		jw_u64(w, "syn_sent", r[i].v[SUM_V_SYN_SENT]);
		jw_end(w);
	}
	jw_end(w);
	free(r);
}

static void json_tuples(struct jw *w, const struct snapshot *snap,
			unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t n =
	    summary_top(snap->sum, SUM_TUPLE, SUM_V_TIME_WAIT, r, top, NULL);
	uint32_t usable = snap->usable_ports;

	if (usable) {
		jw_object(w, "ephemeral_ports");
		jw_u64(w, "low", snap->sys.port_lo);
		jw_u64(w, "high", snap->sys.port_hi);
		jw_u64(w, "usable", usable);
		jw_double(w, "max_new_connections_per_second", usable / 60.0);
		jw_end(w);
	}
	jw_array(w, "time_wait_tuples");
	for (size_t i = 0; i < n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "local", r[i].family, r[i].saddr, -1);
		json_endpoint(w, "peer", r[i].family, r[i].daddr, r[i].dport);
		jw_u64(w, "time_wait", r[i].v[SUM_V_TIME_WAIT]);
		jw_u64(w, "sockets", r[i].v[SUM_V_TOTAL]);
		if (usable) {
			jw_double(w, "share",
				  (double)r[i].v[SUM_V_TOTAL] / usable);
		}
		jw_end(w);
	}
	jw_end(w);
	free(r);
}

static void json_owners(struct jw *w, const struct summary *s, unsigned int top)
{
	struct sum_row *r = xcalloc(top, sizeof(*r));
	size_t n = summary_top(s, SUM_OWNER, SUM_V_TOTAL, r, top, NULL);

	jw_array(w, "processes");
	for (size_t i = 0; i < n; i++) {
		jw_object(w, NULL);
		jw_string(w, "name", r[i].owner.name);
		jw_u64(w, "pid", r[i].owner.pid);
		jw_u64(w, "sockets", r[i].v[SUM_V_TOTAL]);
		jw_u64(w, "close_wait", r[i].v[SUM_V_CLOSE_WAIT]);
		jw_u64(w, "fin_wait2", r[i].v[SUM_V_FIN_WAIT2]);
		jw_end(w);
	}
	jw_end(w);
	free(r);
}

static void summary_json(struct obuf *ob, const struct snapshot *snap,
			 const struct opts *o)
{
	struct jw w;

	jw_init(&w, ob);
	jw_object(&w, NULL);
	jw_u64(&w, "total", snap->sum->tcp_total + snap->sum->udp_total);
	json_states(&w, snap->sum);
	if (o->protocols & PROTO_UNIX_MASK) {
		json_unix(&w, snap->sum);
	}
	json_kernel(&w, snap);
	json_listeners(&w, snap->sum, o->top);
	json_remote(&w, snap->sum, o->top);
	json_tuples(&w, snap, o->top);
	if (snap->sum->have_owners) {
		json_owners(&w, snap->sum, o->top);
	}
	jw_end(&w);
	obuf_putc(ob, '\n');
}

static int summary_exec(const struct opts *o)
{
	struct snapshot snap;
	struct obuf out;
	int err = snapshot_gather_opts(&snap, o, 0);
	int ret;

	if (err) {
		snapshot_finish(&snap);
		return EXIT_RUNTIME;
	}
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	if (o->format == FMT_PROMETHEUS) {
		prom_snapshot(&out, &snap, o->top);
	} else if (o->format == FMT_TABLE) {
		summary_table(&out, &snap, o);
	} else {
		summary_json(&out, &snap, o);
	}
	ret = cmd_finish_output(&out);
	snapshot_finish(&snap);
	return ret;
}

const struct cmd_entry cmd_summary_entry = {
    .name = "summary",
    .usage = "sockscope summary [OPTIONS] [FILTER]",
    .exec = summary_exec,
};

// SPDX-License-Identifier: MIT
/*
 * The summary's report (report.h) rendered as a table and as JSON: the
 * counts per state and family, the kernel's totals and the top-N
 * breakdowns. Prometheus' rendering is format_prom.c's; the command and
 * its --all-netns ranking are cmd_summary.c's.
 */
#include "report.h"

#include <netinet/in.h>
#include <string.h>

#include "family.h"
#include "jw.h"
#include "opts.h"
#include "state.h"
#include "util.h"

#define BAR_WIDTH 30

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

/* TCP states in display order (the folded ones are not listed). */
static void table_tcp(struct obuf *ob, const struct report_states *s, bool all)
{
	uint64_t max = 0;

	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t n = s->tcp[0][st] + s->tcp[1][st];

		max = n > max ? n : max;
	}
	obuf_printf(ob, "\n%-12s %10s %10s %10s\n", "TCP", "inet", "inet6",
		    "total");
	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t a = s->tcp[0][st], b = s->tcp[1][st];

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
		    (unsigned long long)s->tcp_family[0],
		    (unsigned long long)s->tcp_family[1],
		    (unsigned long long)s->tcp_total);
}

static void table_udp(struct obuf *ob, const struct report_states *s)
{
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

static uint64_t unix_state(const struct report_states *s, unsigned int st)
{
	return s->unx[0][st] + s->unx[1][st] + s->unx[2][st];
}

/* -x: UNIX sockets per state and type (not in the inet totals). */
static void table_unix(struct obuf *ob, const struct report_states *s)
{
	obuf_printf(ob, "\n%-12s %10s %10s %10s %10s\n", "UNIX", "stream",
		    "dgram", "seqpacket", "total");
	for (unsigned int st = 1; st < SS_MAX; st++) {
		uint64_t n = unix_state(s, st);

		if (!n) {
			continue;
		}
		obuf_printf(
		    ob, "%-12s %10llu %10llu %10llu %10llu\n",
		    state_name(st, 0), (unsigned long long)s->unx[0][st],
		    (unsigned long long)s->unx[1][st],
		    (unsigned long long)s->unx[2][st], (unsigned long long)n);
	}
	obuf_printf(ob, "%-12s %10llu %10llu %10llu %10llu\n", "all",
		    (unsigned long long)s->unix_type[0],
		    (unsigned long long)s->unix_type[1],
		    (unsigned long long)s->unix_type[2],
		    (unsigned long long)s->unix_total);
}

static void json_unix(struct jw *w, const struct report_states *s)
{
	jw_object(w, "unix");
	jw_u64(w, "total", s->unix_total);
	jw_object(w, "states");
	for (unsigned int st = 1; st < SS_MAX; st++) {
		uint64_t n = unix_state(s, st);

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

/* The tables beyond TCP, UDP and UNIX: a total per table, their
 * states being all UNCONN (or, for MPTCP and SCTP, left to -M/-S). */
struct other_rows {
	struct obuf *ob;
	int width; /* the names' column */
};

static void table_other_row(void *arg, const char *name, uint64_t n)
{
	const struct other_rows *r = arg;

	obuf_printf(r->ob, "%-*s %10llu\n", r->width, name,
		    (unsigned long long)n);
}

static void widest_name(void *arg, const char *name, uint64_t n)
{
	size_t *w = arg;

	(void)n;
	*w = strlen(name) > *w ? strlen(name) : *w;
}

/* The longest name the registry has for the section (vsock_seqpacket),
 * whatever is selected: a new family's name never breaks the column. */
static int other_width(void)
{
	static const uint64_t none[32];
	size_t w = strlen("Table");

	family_other_tables(family_all_protos(), none, widest_name, &w);
	return (int)w;
}

static void json_other_row(void *arg, const char *name, uint64_t n)
{
	jw_u64(arg, name, n);
}

static bool other_selected(const struct opts *o)
{
	return o->protocols &
	       ~(PROTO_INET_MASK | PROTO_UNIX_MASK | PROTO_PROBE_MASK);
}

static void table_kernel(struct obuf *ob, const struct report *r)
{
	const struct sockstat *k = &r->sockstat;

	if (!r->have_sockstat) {
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

static void table_listeners(struct obuf *ob, const struct report *r)
{
	size_t n = report_top_listeners(r);

	obuf_printf(ob,
		    "\nListening ports (top %u of %zu, fullest queue first)\n",
		    r->top, r->listener_keys);
	obuf_printf(ob, "%-28s %8s %8s %6s %8s %8s %10s %9s\n",
		    "Local Address:Port", "Recv-Q", "Send-Q", "Fill", "ESTAB",
		    "SYN_RECV", "CLOSE_WAIT", "TIME_WAIT");
	for (size_t i = 0; i < n; i++) {
		const struct report_listener *l = &r->listeners[i];

		obuf_printf(ob, "%-28s %8u %8u %5.0f%% %8u %8u %10u %9u\n",
			    l->ep, l->recv_q, l->send_q, 100.0 * l->fill,
			    l->conns[SS_ESTABLISHED], l->conns[SS_SYN_RECV],
			    l->conns[SS_CLOSE_WAIT], l->conns[SS_TIME_WAIT]);
	}
}

/* A UNIX listener's name as the listing prints it (abstract: '@' for
 * each NUL), escaped; "*" unnamed. Returns its width. */
static size_t put_unix_name(struct obuf *ob, const struct sum_unix_listener *l)
{
	char name[UNIX_NAME_MAX];
	size_t n = family_unix_name_of(name, l->name, l->len);

	if (!n) {
		obuf_putc(ob, '*');
		return 1;
	}
	obuf_escape_text(ob, name, n);
	return escape_text_width(name, n);
}

/* Who has connections waiting: the most queued UNIX listeners. */
static void table_unix_listeners(struct obuf *ob, const struct report *r)
{
	obuf_printf(ob,
		    "\nListening UNIX sockets (top %u of %zu, most queued "
		    "first)\n%-40s %8s %8s %6s %10s%s\n",
		    r->top, r->unix_listener_keys, "Name", "Recv-Q", "Send-Q",
		    "Fill", "Inode", r->have_owners ? "  Process" : "");
	for (size_t i = 0; i < r->n_unix_listeners; i++) {
		const struct report_unix_listener *u = &r->unix_listeners[i];
		size_t w = put_unix_name(ob, &u->l);

		obuf_pad(ob, w < 40 ? 40 - w : 0);
		obuf_printf(ob, " %8u %8u %5.0f%% %10u", u->l.recv_q,
			    u->l.send_q, 100.0 * u->fill, u->l.inode);
		if (u->l.pid) {
			obuf_puts(ob, "  ");
			obuf_escape_text(
			    ob, u->owner.name,
			    strnlen(u->owner.name, sizeof(u->owner.name)));
			obuf_printf(ob, " %u", u->l.pid);
		}
		obuf_putc(ob, '\n');
	}
}

static void table_remote(struct obuf *ob, const struct report *r)
{
	const struct report_top *t = &r->remote_hosts;

	obuf_printf(ob, "\nRemote hosts (top %u of %zu)\n%-40s %8s\n", r->top,
		    t->keys, "Peer Address", "Sockets");
	for (size_t i = 0; i < t->n; i++) {
		obuf_printf(ob, "%-40s %8u\n", t->rows[i].daddr,
			    t->rows[i].row.v[SUM_V_TOTAL]);
	}
	t = &r->remote_ports;
	obuf_printf(ob, "\nRemote host:port (top %u of %zu)\n%-48s %8s %8s\n",
		    r->top, t->keys, "Peer Address:Port", "Sockets",
		    "SYN_SENT");
	for (size_t i = 0; i < t->n; i++) {
		obuf_printf(ob, "%-48s %8u %8u\n", t->rows[i].dst_ep,
			    t->rows[i].row.v[SUM_V_TOTAL],
			    t->rows[i].row.v[SUM_V_SYN_SENT]);
	}
}

static void table_tuples(struct obuf *ob, const struct report *r)
{
	const struct report_top *t = &r->tuples.by_time_wait;
	const struct report_ports *p = &r->ports;

	obuf_puts(ob, "\nTIME_WAIT per (local address, peer address, peer "
		      "port), outgoing connections\n");
	/* Zero usable ports is a value, the worst one: said, not hidden. */
	if (p->have && p->usable) {
		obuf_printf(ob,
			    "usable ephemeral ports: %u (%u-%u minus "
			    "reserved); ceiling per tuple: %u new "
			    "connections/s\n",
			    p->usable, p->lo, p->hi,
			    (unsigned int)p->max_new_per_s);
	} else if (p->have) {
		obuf_printf(ob,
			    "usable ephemeral ports: 0 (%u-%u, all reserved): "
			    "every connect() without a bound port fails\n",
			    p->lo, p->hi);
	}
	obuf_printf(ob, "%-40s %-48s %9s %8s %6s\n", "Local Address",
		    "Peer Address:Port", "TIME_WAIT", "Sockets", "Share");
	for (size_t i = 0; i < t->n; i++) {
		const struct report_row *row = &t->rows[i];

		obuf_printf(ob, "%-40s %-48s %9u %8u", row->saddr, row->dst_ep,
			    row->row.v[SUM_V_TIME_WAIT],
			    row->row.v[SUM_V_TOTAL]);
		if (p->usable) {
			obuf_printf(ob, " %5.1f%%", 100.0 * row->share);
		}
		obuf_putc(ob, '\n');
	}
}

static void table_owners(struct obuf *ob, const struct report *r)
{
	const struct report_top *t = &r->owners;

	obuf_printf(ob, "\nProcesses (top %u of %zu)\n%-24s %8s %8s %10s %9s\n",
		    r->top, t->keys, "Process", "PID", "Sockets", "CLOSE_WAIT",
		    "FIN_WAIT2");
	for (size_t i = 0; i < t->n; i++) {
		const struct sum_row *row = &t->rows[i].row;
		size_t len = strnlen(row->owner.name, sizeof(row->owner.name));
		size_t w = escape_text_width(row->owner.name, len);

		obuf_escape_text(ob, row->owner.name, len);
		obuf_pad(ob, w < 24 ? 24 - w : 0);
		obuf_printf(ob, " %8u %8u %10u %9u\n", row->owner.pid,
			    row->v[SUM_V_TOTAL], row->v[SUM_V_CLOSE_WAIT],
			    row->v[SUM_V_FIN_WAIT2]);
	}
}

/* One part of the headline: "tcp 4", after ", " but the first. */
struct headline {
	struct obuf *ob;
	bool more;
};

static void headline_part(void *arg, const char *name, uint64_t n)
{
	struct headline *h = arg;

	obuf_printf(h->ob, "%s%s %llu", h->more ? ", " : "", name,
		    (unsigned long long)n);
	h->more = true;
}

/* "Sockets: N (tcp a, udp b, ...)": each table selected, N their sum. */
static void table_headline(struct obuf *ob, const struct report_states *s,
			   uint32_t protocols)
{
	struct headline h = {ob, false};

	obuf_printf(ob, "Sockets: %llu (", (unsigned long long)s->total);
	if (protocols & PROTO_TCP) {
		headline_part(&h, "tcp", s->tcp_total);
	}
	if (protocols & PROTO_UDP) {
		headline_part(&h, "udp", s->udp_total);
	}
	if (protocols & PROTO_UNIX_MASK) {
		headline_part(&h, "unix", s->unix_total);
	}
	family_other_tables(protocols, s->by_proto, headline_part, &h);
	obuf_puts(ob, ")\n");
}

void report_table(struct obuf *ob, const struct report *r, const struct opts *o)
{
	const struct report_states *s = &r->states;

	table_headline(ob, s, o->protocols);
	if (o->protocols & PROTO_TCP) {
		table_tcp(ob, s, o->all);
	}
	if (o->protocols & PROTO_UDP) {
		table_udp(ob, s);
	}
	if (o->protocols & PROTO_UNIX_MASK) {
		table_unix(ob, s);
	}
	if (other_selected(o)) {
		struct other_rows rows = {.ob = ob, .width = other_width()};

		obuf_printf(ob, "\n%-*s %10s\n", rows.width, "Table",
			    "sockets");
		family_other_tables(o->protocols, s->by_proto, table_other_row,
				    &rows);
	}
	/* Sections about TCP and UDP only when they are selected. */
	table_kernel(ob, r);
	if (r->inet) {
		table_listeners(ob, r);
	}
	if (o->protocols & PROTO_UNIX_MASK) {
		table_unix_listeners(ob, r);
	}
	if (r->inet) {
		table_remote(ob, r);
		table_tuples(ob, r);
	}
	if (r->have_owners) {
		table_owners(ob, r);
	}
	if (r->dropped) {
		obuf_printf(ob,
			    "\n(%llu sockets beyond %u keys per breakdown "
			    "were counted but not broken down)\n",
			    (unsigned long long)r->dropped, SUMMARY_KEYS_MAX);
	}
}

/* {"addr": addr, "port": port}; port < 0: no port. */
static void json_endpoint(struct jw *w, const char *key, const char *addr,
			  int port)
{
	jw_object(w, key);
	jw_string(w, "addr", addr);
	if (port >= 0) {
		jw_u64(w, "port", (uint64_t)port);
	}
	jw_end(w);
}

static void json_tcp(struct jw *w, const struct report_states *s)
{
	jw_object(w, "tcp");
	jw_u64(w, "total", s->tcp_total);
	jw_u64(w, "inet", s->tcp_family[0]);
	jw_u64(w, "inet6", s->tcp_family[1]);
	jw_object(w, "states");
	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		uint64_t a = s->tcp[0][st], b = s->tcp[1][st];

		jw_object(w, state_name(st, IPPROTO_TCP));
		jw_u64(w, "inet", a);
		jw_u64(w, "inet6", b);
		jw_u64(w, "total", a + b);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void json_udp(struct jw *w, const struct report_states *s)
{
	jw_object(w, "udp");
	jw_u64(w, "total", s->udp_total);
	jw_u64(w, "inet", s->udp_family[0]);
	jw_u64(w, "inet6", s->udp_family[1]);
	jw_u64(w, "bound", s->udp[0][SS_CLOSE] + s->udp[1][SS_CLOSE]);
	jw_u64(w, "connected",
	       s->udp[0][SS_ESTABLISHED] + s->udp[1][SS_ESTABLISHED]);
	jw_end(w);
}

static void json_kernel(struct jw *w, const struct report *r)
{
	const struct sockstat *k = &r->sockstat;

	if (!r->have_sockstat) {
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

static void json_listeners(struct jw *w, const struct report *r)
{
	size_t n = report_top_listeners(r);

	jw_array(w, "listeners");
	for (size_t i = 0; i < n; i++) {
		const struct report_listener *l = &r->listeners[i];

		jw_object(w, NULL);
		json_endpoint(w, "local", l->addr, l->port);
		jw_u64(w, "recv_q", l->recv_q);
		jw_u64(w, "send_q", l->send_q);
		jw_double(w, "fill", l->fill);
		jw_object(w, "connections");
		for (unsigned int st = 1; st < SS_LISTEN; st++) {
			jw_u64(w, state_name(st, IPPROTO_TCP), l->conns[st]);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

static void json_unix_listeners(struct jw *w, const struct report *r)
{
	jw_array(w, "unix_listeners");
	for (size_t i = 0; i < r->n_unix_listeners; i++) {
		const struct report_unix_listener *u = &r->unix_listeners[i];
		bool abstract = u->l.len && u->l.name[0] == '\0';
		size_t n = abstract ? u->l.len : strnlen(u->l.name, u->l.len);

		jw_object(w, NULL);
		/* As the listing's "local": the name's bytes, unescaped. */
		if (n) {
			jw_string_n(w, abstract ? "abstract" : "path",
				    u->l.name + abstract, n - abstract);
		}
		jw_u64(w, "inode", u->l.inode);
		jw_u64(w, "recv_q", u->l.recv_q);
		jw_u64(w, "send_q", u->l.send_q);
		jw_double(w, "fill", u->fill);
		if (u->l.pid) {
			jw_string_n(
			    w, "process", u->owner.name,
			    strnlen(u->owner.name, sizeof(u->owner.name)));
			jw_u64(w, "pid", u->l.pid);
		}
		jw_end(w);
	}
	jw_end(w);
}

static void json_remote(struct jw *w, const struct report *r)
{
	const struct report_top *t = &r->remote_hosts;

	jw_array(w, "remote_hosts");
	for (size_t i = 0; i < t->n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "peer", t->rows[i].daddr, -1);
		jw_u64(w, "sockets", t->rows[i].row.v[SUM_V_TOTAL]);
		jw_end(w);
	}
	jw_end(w);
	t = &r->remote_ports;
	jw_array(w, "remote_ports");
	for (size_t i = 0; i < t->n; i++) {
		jw_object(w, NULL);
		json_endpoint(w, "peer", t->rows[i].daddr,
			      t->rows[i].row.dport);
		jw_u64(w, "sockets", t->rows[i].row.v[SUM_V_TOTAL]);
		jw_u64(w, "syn_sent", t->rows[i].row.v[SUM_V_SYN_SENT]);
		jw_end(w);
	}
	jw_end(w);
}

static void json_tuples(struct jw *w, const struct report *r)
{
	const struct report_top *t = &r->tuples.by_time_wait;
	const struct report_ports *p = &r->ports;

	if (p->have) {
		jw_object(w, "ephemeral_ports");
		jw_u64(w, "low", p->lo);
		jw_u64(w, "high", p->hi);
		jw_u64(w, "usable", p->usable);
		jw_double(w, "max_new_connections_per_second",
			  p->max_new_per_s);
		jw_end(w);
	}
	jw_array(w, "time_wait_tuples");
	for (size_t i = 0; i < t->n; i++) {
		const struct report_row *row = &t->rows[i];

		jw_object(w, NULL);
		json_endpoint(w, "local", row->saddr, -1);
		json_endpoint(w, "peer", row->daddr, row->row.dport);
		jw_u64(w, "time_wait", row->row.v[SUM_V_TIME_WAIT]);
		jw_u64(w, "sockets", row->row.v[SUM_V_TOTAL]);
		if (p->usable) {
			jw_double(w, "share", row->share);
		}
		jw_end(w);
	}
	jw_end(w);
}

static void json_owners(struct jw *w, const struct report *r)
{
	const struct report_top *t = &r->owners;

	jw_array(w, "processes");
	for (size_t i = 0; i < t->n; i++) {
		const struct sum_row *row = &t->rows[i].row;

		jw_object(w, NULL);
		jw_string(w, "name", row->owner.name);
		jw_u64(w, "pid", row->owner.pid);
		jw_u64(w, "sockets", row->v[SUM_V_TOTAL]);
		jw_u64(w, "close_wait", row->v[SUM_V_CLOSE_WAIT]);
		jw_u64(w, "fin_wait2", row->v[SUM_V_FIN_WAIT2]);
		jw_end(w);
	}
	jw_end(w);
}

void report_json(struct obuf *ob, const struct report *r, const struct opts *o)
{
	struct jw w;

	jw_init(&w, ob);
	jw_object(&w, NULL);
	jw_u64(&w, "total", r->states.total);
	if (o->protocols & PROTO_TCP) {
		json_tcp(&w, &r->states);
	}
	if (o->protocols & PROTO_UDP) {
		json_udp(&w, &r->states);
	}
	if (o->protocols & PROTO_UNIX_MASK) {
		json_unix(&w, &r->states);
	}
	if (other_selected(o)) {
		jw_object(&w, "tables");
		family_other_tables(o->protocols, r->states.by_proto,
				    json_other_row, &w);
		jw_end(&w);
	}
	json_kernel(&w, r);
	if (r->inet) {
		json_listeners(&w, r);
	}
	if (o->protocols & PROTO_UNIX_MASK) {
		json_unix_listeners(&w, r);
	}
	if (r->inet) {
		json_remote(&w, r);
		json_tuples(&w, r);
	}
	if (r->have_owners) {
		json_owners(&w, r);
	}
	jw_end(&w);
	obuf_putc(ob, '\n');
}

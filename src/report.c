// SPDX-License-Identifier: MIT
/* The summary's sections, built once for every renderer (report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "state.h"
#include "util.h"

static void fold_counts(uint64_t out[2][SS_MAX], uint64_t family[2],
			const uint64_t in[2][SS_MAX])
{
	for (int fi = 0; fi < 2; fi++) {
		for (unsigned int st = 0; st < SS_MAX; st++) {
			out[fi][state_fold(st)] += in[fi][st];
			family[fi] += in[fi][st];
		}
	}
}

static void build_states(struct report_states *rs, const struct summary *s)
{
	fold_counts(rs->tcp, rs->tcp_family, s->tcp);
	fold_counts(rs->udp, rs->udp_family, s->udp);
	rs->tcp_total = s->tcp_total;
	rs->udp_total = s->udp_total;
	memcpy(rs->unx, s->unx, sizeof(rs->unx));
	for (int t = 0; t < SUM_UNIX_MAX; t++) {
		for (unsigned int st = 1; st < SS_MAX; st++) {
			rs->unix_type[t] += s->unx[t][st];
		}
	}
	rs->unix_total = s->unix_total;
	memcpy(rs->by_proto, s->by_proto, sizeof(rs->by_proto));
	/* Each socket is in one of these: the tables beyond TCP, UDP and
	 * UNIX count apart from them. */
	rs->total = s->tcp_total + s->udp_total + s->unix_total;
	for (size_t i = 0; i < ARRAY_SIZE(s->by_proto); i++) {
		rs->total += s->by_proto[i];
	}
}

static void build_listeners(struct report *r, const struct summary *s)
{
	size_t cap =
	    r->top > REPORT_LISTENERS_MAX ? r->top : REPORT_LISTENERS_MAX;
	struct sum_listener *l = xcalloc(cap, sizeof(*l));
	size_t n = summary_listeners(s, l, cap, &r->listener_keys);

	r->listeners = xcalloc(n ? n : 1, sizeof(*r->listeners));
	for (size_t i = 0; i < n; i++) {
		struct report_listener *o = &r->listeners[i];

		o->family = l[i].family;
		memcpy(o->addr_bin, l[i].addr, sizeof(o->addr_bin));
		o->port = l[i].port;
		addr_format(o->addr, l[i].family, l[i].addr);
		summary_endpoint(o->ep, sizeof(o->ep), l[i].family, l[i].addr,
				 l[i].port);
		o->recv_q = l[i].recv_q;
		o->send_q = l[i].send_q;
		o->fill = summary_queue_fill(l[i].recv_q, l[i].send_q);
		for (unsigned int st = 0; st < SS_MAX; st++) {
			o->conns[state_fold(st)] += l[i].conns[st];
		}
	}
	r->n_listeners = n;
	free(l);
}

/* The top rows of tab by col; share: v[share_col] / usable, if usable. */
static void build_top(struct report_top *t, const struct summary *s,
		      enum sum_tab tab, unsigned int col, unsigned int top,
		      int share_col, uint32_t usable)
{
	struct sum_row *rows = xcalloc(top ? top : 1, sizeof(*rows));

	t->n = summary_top(s, tab, col, rows, top, &t->keys);
	t->rows = xcalloc(t->n ? t->n : 1, sizeof(*t->rows));
	for (size_t i = 0; i < t->n; i++) {
		struct report_row *o = &t->rows[i];

		o->row = rows[i];
		addr_format(o->saddr, rows[i].family, rows[i].saddr);
		addr_format(o->daddr, rows[i].family, rows[i].daddr);
		summary_endpoint(o->dst_ep, sizeof(o->dst_ep), rows[i].family,
				 rows[i].daddr, rows[i].dport);
		if (share_col >= 0 && usable) {
			o->share = (double)rows[i].v[share_col] / usable;
		}
	}
	free(rows);
}

static void build_tuples(struct report *r, const struct snapshot *snap)
{
	struct report_tuples *t = &r->tuples;
	uint32_t usable = snap->usable_ports;

	build_top(&t->by_time_wait, snap->sum, SUM_TUPLE, SUM_V_TIME_WAIT,
		  r->top, SUM_V_TOTAL, usable);
	/* Without a usable port, no tuple is listed: the ratio says it. */
	build_top(&t->by_held, snap->sum, SUM_TUPLE, SUM_V_HELD,
		  usable ? r->top : 0, SUM_V_HELD, usable);
	if (!usable) {
		t->max_held_ratio = 1; /* connect() finds none: exhausted */
	} else if (t->by_held.n) {
		t->max_held_ratio = t->by_held.rows[0].share;
	}
}

static void build_ports(struct report_ports *p, const struct snapshot *snap)
{
	p->have = snap->have_ports;
	p->usable = snap->usable_ports;
	p->lo = snap->sys.port_lo;
	p->hi = snap->sys.port_hi;
	p->max_new_per_s = p->usable / 60.0;
}

static void build_unix_listeners(struct report *r, const struct summary *s)
{
	struct sum_unix_listener *l = xcalloc(r->top ? r->top : 1, sizeof(*l));
	size_t n = summary_unix_listeners(s, l, r->top, &r->unix_listener_keys);

	r->unix_listeners = xcalloc(n ? n : 1, sizeof(*r->unix_listeners));
	for (size_t i = 0; i < n; i++) {
		r->unix_listeners[i].l = l[i];
		r->unix_listeners[i].fill =
		    summary_queue_fill(l[i].recv_q, l[i].send_q);
		if (l[i].pid) {
			summary_owner(s, l[i].pid, &r->unix_listeners[i].owner);
		}
	}
	r->n_unix_listeners = n;
	free(l);
}

/* The sections about TCP and UDP sockets, and the host's TCP facts. */
static void build_inet(struct report *r, const struct snapshot *snap)
{
	static const enum sysctl_id lim[REPORT_LIM_MAX] = {
	    [REPORT_LIM_ORPHANS] = SYS_MAX_ORPHANS,
	    [REPORT_LIM_TW_BUCKETS] = SYS_MAX_TW_BUCKETS,
	};
	const struct summary *s = snap->sum;

	build_listeners(r, s);
	build_top(&r->remote_hosts, s, SUM_REMOTE_HOST, SUM_V_TOTAL, r->top, -1,
		  0);
	build_top(&r->remote_ports, s, SUM_REMOTE_PORT, SUM_V_TOTAL, r->top, -1,
		  0);
	build_tuples(r, snap);
	build_ports(&r->ports, snap);
	for (int i = 0; i < REPORT_LIM_MAX; i++) {
		r->have_limit[i] = sysctl_have(&snap->sys, lim[i]);
		r->limit[i] = snap->sys.v[lim[i]];
	}
	r->have_sockstat = snap->have_sockstat;
	r->sockstat = snap->sockstat;
	r->counters = snap->c1;
}

void report_build(struct report *r, const struct snapshot *snap,
		  unsigned int top, uint32_t protocols)
{
	const struct summary *s = snap->sum;

	memset(r, 0, sizeof(*r));
	r->top = top;
	r->inet = report_inet(protocols);
	build_states(&r->states, s);
	if (r->inet) {
		build_inet(r, snap);
	}
	if (protocols & PROTO_UNIX_MASK) {
		build_unix_listeners(r, s);
	}
	r->have_owners = s->have_owners;
	build_top(&r->owners, s, SUM_OWNER, SUM_V_TOTAL,
		  s->have_owners ? top : 0, -1, 0);
	r->dropped = s->dropped;
}

void report_finish(struct report *r)
{
	free(r->listeners);
	free(r->unix_listeners);
	free(r->remote_hosts.rows);
	free(r->remote_ports.rows);
	free(r->owners.rows);
	free(r->tuples.by_time_wait.rows);
	free(r->tuples.by_held.rows);
	memset(r, 0, sizeof(*r));
}

bool report_inet(uint32_t protocols)
{
	return protocols & PROTO_INET_MASK;
}

size_t report_top_listeners(const struct report *r)
{
	return r->n_listeners < r->top ? r->n_listeners : r->top;
}

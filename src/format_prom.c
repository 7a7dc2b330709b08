// SPDX-License-Identifier: MIT
#include "format_prom.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "family.h"
#include "format.h"
#include "netns_find.h"
#include "state.h"

static void family_head(struct obuf *ob, const char *name, const char *type,
			const char *help)
{
	obuf_printf(ob, "# HELP sockscope_%s %s\n# TYPE sockscope_%s %s\n",
		    name, help, name, type);
}

static const char *family_label(int fi)
{
	return fi ? "inet6" : "inet";
}

/* The states a protocol's sockets can be in, each with its own label;
 * NEW_SYN_RECV and bound-inactive fold into syn_recv and close. */
static const uint8_t tcp_states[] = {
    SS_ESTABLISHED, SS_SYN_SENT,  SS_SYN_RECV, SS_FIN_WAIT1,
    SS_FIN_WAIT2,   SS_TIME_WAIT, SS_CLOSE,    SS_CLOSE_WAIT,
    SS_LAST_ACK,    SS_LISTEN,	  SS_CLOSING,
};
static const uint8_t udp_states[] = {SS_ESTABLISHED, SS_CLOSE};
static const uint8_t unix_states[] = {SS_ESTABLISHED, SS_SYN_SENT, SS_LISTEN,
				      SS_CLOSE};

/*
 * One entry per socket table, as ss names it. An inet table has a series
 * per family (inet, inet6); a UNIX table one, family "unix". unix_type is
 * the SUM_UNIX_* index of the report's counts.
 */
static const struct prom_proto {
	const char *netid;
	uint8_t family;	  /* AF_INET (both inet families) or AF_UNIX */
	uint8_t protocol; /* IPPROTO_* or, for UNIX, SOCK_* */
	uint32_t bit;	  /* enum proto_bit */
	const uint8_t *states;
	size_t n_states;
	int unix_type;
} protos[] = {
    {"tcp", AF_INET, IPPROTO_TCP, PROTO_TCP, tcp_states, ARRAY_SIZE(tcp_states),
     -1},
    {"udp", AF_INET, IPPROTO_UDP, PROTO_UDP, udp_states, ARRAY_SIZE(udp_states),
     -1},
    {"u_str", AF_UNIX, SOCK_STREAM, PROTO_UNIX_STREAM, unix_states,
     ARRAY_SIZE(unix_states), SUM_UNIX_STREAM},
    {"u_dgr", AF_UNIX, SOCK_DGRAM, PROTO_UNIX_DGRAM, unix_states,
     ARRAY_SIZE(unix_states), SUM_UNIX_DGRAM},
    {"u_seq", AF_UNIX, SOCK_SEQPACKET, PROTO_UNIX_SEQPACKET, unix_states,
     ARRAY_SIZE(unix_states), SUM_UNIX_SEQPACKET},
};

/*
 * One series per state of every protocol and family selected, zero
 * included: an empty state is a 0, not a missing series (graphs do not
 * gap, `== 0` alerts work). ns: the namespace's labels, written as they
 * are before the others (`netns="...",`, see ns_labels()), NULL for none.
 */
static void put_states(struct obuf *ob, const char *metric, const char *ns,
		       const struct prom_proto *pp, uint32_t families,
		       const uint64_t (*counts)[SS_MAX])
{
	bool unx = pp->family == AF_UNIX;

	for (int fi = 0; fi < (unx ? 1 : 2); fi++) {
		uint64_t folded[SS_MAX] = {0};

		if (!unx && !(families & (fi ? FAM_INET6 : FAM_INET))) {
			continue;
		}
		for (unsigned int st = 1; st < SS_MAX; st++) {
			folded[state_fold(st)] += counts[fi][st];
		}
		for (size_t i = 0; i < pp->n_states; i++) {
			unsigned int st = pp->states[i];

			obuf_printf(ob, "sockscope_%s{", metric);
			if (ns) {
				obuf_puts(ob, ns);
			}
			obuf_printf(ob,
				    "netid=\"%s\",family=\"%s\",state=\"%s\"} "
				    "%llu\n",
				    pp->netid, unx ? "unix" : family_label(fi),
				    state_label(st, pp->protocol),
				    (unsigned long long)folded[st]);
		}
	}
}

static void put_label(struct obuf *ob, const char *name, const char *v)
{
	if (v[0]) {
		obuf_printf(ob, "%s=\"", name);
		obuf_prom_label(ob, v, strlen(v));
		obuf_puts(ob, "\",");
	}
}

/*
 * A namespace's labels as they open a series: `netns="LABEL",` then
 * `container="ID",` and `pod="UID",` where the label came from one (at most
 * one series set per namespace: see the man page's cardinality). NULL is
 * the namespace sockscope runs in, "-". Caller frees.
 */
static char *ns_labels(const struct netns_label *l)
{
	struct obuf b;

	obuf_init(&b, -1, 4096);
	put_label(&b, "netns", l ? l->text : "-");
	if (l) {
		put_label(&b, "container", l->container);
		put_label(&b, "pod", l->pod);
	}
	obuf_putc(&b, '\0');
	return b.buf;
}

/* Namespaces past PROM_NETNS_MAX, added up under netns="_other". */
static void fold_other(struct prom_netns_row *o, const struct prom_netns_row *r)
{
	const uint64_t *src = (const uint64_t *)&r->states;
	uint64_t *dst = (uint64_t *)&o->states;

	for (size_t i = 0; i < sizeof(o->states) / sizeof(uint64_t); i++) {
		dst[i] += src[i];
	}
	o->fill_max = r->fill_max > o->fill_max ? r->fill_max : o->fill_max;
	o->tuple_ratio =
	    r->tuple_ratio > o->tuple_ratio ? r->tuple_ratio : o->tuple_ratio;
	o->have_ports |= r->have_ports;
}

/*
 * The bound every per-namespace series keeps (listing, summary, advise):
 * the first PROM_NETNS_MAX rows as they are, the rest folded into one more
 * (label NULL, written netns="_other"). *k is the rows returned (caller
 * frees); *labels their label sets (ns_labels; free_label_sets()).
 */
static struct prom_netns_row *bound_netns(const struct prom_netns_row *rows,
					  size_t n, size_t *k, char ***labels)
{
	size_t m = n > PROM_NETNS_MAX ? PROM_NETNS_MAX + 1 : n;
	struct prom_netns_row *v = xcalloc(m ? m : 1, sizeof(*v));
	struct netns_label other;

	netns_label_set(&other, NETNS_KIND_NONE, "_other");
	for (size_t i = 0; i < n; i++) {
		if (i < PROM_NETNS_MAX) {
			v[i] = rows[i];
		} else {
			v[PROM_NETNS_MAX].label = NULL;
			fold_other(&v[PROM_NETNS_MAX], &rows[i]);
		}
	}
	*labels = xcalloc(m ? m : 1, sizeof(**labels));
	for (size_t i = 0; i < m; i++) {
		(*labels)[i] = ns_labels(v[i].label ? v[i].label : &other);
	}
	*k = m;
	return v;
}

static void free_label_sets(char **labels, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		free(labels[i]);
	}
	free(labels);
}

/* The counts of one protocol's table in s: [family][state]; a UNIX
 * table's have one family. */
static uint64_t (*proto_counts(struct report_states *s,
			       const struct prom_proto *pp))[SS_MAX]
{
	if (pp->family == AF_UNIX) {
		return &s->unx[pp->unix_type];
	}
	return pp->protocol == IPPROTO_TCP ? s->tcp : s->udp;
}

/*
 * Listing formatter: sockscope_selected_sockets counts what the listing
 * selected (its protocols, families, states and filter), per namespace
 * with -N and --all-netns (label netns, "-" for the one sockscope started
 * in, as the table's Netns column), bounded as summary's (bound_netns):
 * counts of different namespaces are never added up but past
 * PROM_NETNS_MAX, and a namespace walked without a row selected is 0s;
 * sockscope_selected_table_sockets the tables beyond TCP, UDP and UNIX, a
 * total each. summary and advise count every socket as sockscope_sockets:
 * a different selection, so a different name.
 */
struct prom_list {
	/* One per namespace, its label one of labs[] (NULL without -N or
	 * --all-netns: no netns label); states.by_proto counts the tables
	 * beyond TCP, UDP and UNIX by PROTO_ bit position, as summary's. */
	struct prom_netns_row *rows;
	struct netns_label **labs; /* copies: --all-netns frees its own */
	size_t n;
	const char *cur_of; /* ctx->netns that rows[n - 1] counts */
};

static void list_begin(struct fmt_ctx *ctx)
{
	ctx->priv = xcalloc(1, sizeof(struct prom_list));
}

/* The counts of the namespace being listed (rows come namespace by
 * namespace: a new ctx->netns starts a new one). */
static struct prom_netns_row *current_ns(struct fmt_ctx *ctx)
{
	struct prom_list *pl = ctx->priv;
	bool labelled = ctx->o->netns || ctx->o->all_netns;
	struct netns_label *lab = NULL;

	if (pl->n && (pl->cur_of == ctx->netns || !labelled)) {
		return &pl->rows[pl->n - 1];
	}
	if (labelled) {
		lab = xmalloc(sizeof(*lab));
		if (ctx->ns_entry && ctx->netns) {
			*lab = ctx->ns_entry->label;
		} else {
			netns_label_set(lab, NETNS_KIND_CURRENT, "-");
		}
	}
	pl->rows = xrealloc(pl->rows, (pl->n + 1) * sizeof(*pl->rows));
	pl->labs = xrealloc(pl->labs, (pl->n + 1) * sizeof(*pl->labs));
	memset(&pl->rows[pl->n], 0, sizeof(*pl->rows));
	pl->rows[pl->n].label = lab;
	pl->labs[pl->n] = lab;
	pl->cur_of = ctx->netns;
	return &pl->rows[pl->n++];
}

/* A namespace walked: its series are written, 0s if no row follows, so
 * they do not come and go with its sockets. */
static void list_netns(struct fmt_ctx *ctx)
{
	current_ns(ctx);
}

static void list_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct report_states *s = &current_ns(ctx)->states;
	int fi = rec->family == AF_INET6;

	uint32_t bit = family_proto_bit(rec);

	if (bit & ~(PROTO_INET_MASK | PROTO_UNIX_MASK)) {
		s->by_proto[__builtin_ctz(bit)]++;
		return;
	}
	if (rec->state >= SS_MAX) {
		return;
	}
	/* The family first: a NETLINK row's protocol 6 (XFRM) or 17 is no
	 * TCP or UDP socket, a PACKET row's type no UNIX one. */
	if (rec->family != AF_INET && rec->family != AF_INET6 &&
	    rec->family != AF_UNIX) {
		return;
	}
	for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
		if (protos[p].protocol == rec->protocol &&
		    (protos[p].family == AF_UNIX) == (rec->family == AF_UNIX)) {
			proto_counts(s, &protos[p])[fi][rec->state]++;
		}
	}
}

struct table_arg {
	struct obuf *ob;
	const char *ns; /* the namespace's labels, NULL for none */
};

static void put_list_table(void *arg, const char *name, uint64_t n)
{
	const struct table_arg *ta = arg;

	obuf_printf(ta->ob,
		    "sockscope_selected_table_sockets{%stable=\"%s\"} "
		    "%llu\n",
		    ta->ns ? ta->ns : "", name, (unsigned long long)n);
}

/* The listing's counts of the tables beyond TCP, UDP and UNIX: one
 * total per table selected (its -A name; a fixed set, family.h), per
 * namespace, 0 when empty; written only when one is selected. */
static void put_list_tables(struct fmt_ctx *ctx, const struct prom_netns_row *v,
			    char *const *labels, size_t k)
{
	uint32_t protocols = ctx->o->protocols;

	if (!(protocols &
	      ~(PROTO_INET_MASK | PROTO_UNIX_MASK | PROTO_PROBE_MASK))) {
		return;
	}
	family_head(ctx->out, "selected_table_sockets", "gauge",
		    "Sockets the listing selected of each table beyond TCP, "
		    "UDP and UNIX, by its -A name.");
	for (size_t i = 0; i < k; i++) {
		struct table_arg ta = {ctx->out, labels ? labels[i] : NULL};

		family_other_tables(protocols, v[i].states.by_proto,
				    put_list_table, &ta);
	}
}

static void list_end(struct fmt_ctx *ctx)
{
	struct prom_list *pl = ctx->priv;
	struct prom_netns_row *v;
	char **labels = NULL;
	size_t k;

	if (!pl->n) {
		current_ns(ctx); /* no row: every state is 0, not absent */
	}
	v = pl->rows;
	k = pl->n;
	if (pl->labs[0]) { /* -N, --all-netns: a label set each */
		v = bound_netns(pl->rows, pl->n, &k, &labels);
	}
	family_head(ctx->out, "selected_sockets", "gauge",
		    "Sockets the listing selected (its options, states and "
		    "filter), by protocol, family and state.");
	for (size_t i = 0; i < k; i++) {
		for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
			if (ctx->o->protocols & protos[p].bit) {
				put_states(
				    ctx->out, "selected_sockets",
				    labels ? labels[i] : NULL, &protos[p],
				    ctx->o->families,
				    proto_counts(&v[i].states, &protos[p]));
			}
		}
	}
	put_list_tables(ctx, v, labels, k);
	if (labels) {
		free_label_sets(labels, k);
		free(v);
	}
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->labs[i]);
	}
	free(pl->labs);
	free(pl->rows);
	free(pl);
	ctx->priv = NULL;
}

const struct fmt_ops fmt_prom = {
    .name = "prometheus",
    .begin = list_begin,
    .netns = list_netns,
    .row = list_row,
    .end = list_end,
};

static void put_table_row(void *arg, const char *name, uint64_t n)
{
	obuf_printf(arg, "sockscope_table_sockets{table=\"%s\"} %llu\n", name,
		    (unsigned long long)n);
}

/* The tables beyond TCP, UDP and UNIX (family.h): a total each. */
static void put_table_counts(struct obuf *ob, const struct report_states *s,
			     uint32_t protocols)
{
	if (!(protocols &
	      ~(PROTO_INET_MASK | PROTO_UNIX_MASK | PROTO_PROBE_MASK))) {
		return;
	}
	family_head(ob, "table_sockets", "gauge",
		    "Sockets of each table beyond TCP, UDP and UNIX, by its -A "
		    "name.");
	family_other_tables(protocols, s->by_proto, put_table_row, ob);
}

/* Every socket, in every state: 0 where there is none. */
/* Every socket of the tables read (protocols), in every state: 0 where
 * there is none. */
static void put_socket_counts(struct obuf *ob, const struct report_states *s,
			      uint32_t protocols)
{
	family_head(ob, "sockets", "gauge",
		    "Sockets in the namespace by protocol, family and state.");
	for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
		const struct prom_proto *pp = &protos[p];

		if (!(protocols & pp->bit)) {
			continue;
		}
		put_states(ob, "sockets", NULL, pp, FAM_INET | FAM_INET6,
			   pp->family == AF_UNIX ? &s->unx[pp->unix_type]
			   : pp->protocol == IPPROTO_TCP ? s->tcp
							 : s->udp);
	}
	put_table_counts(ob, s, protocols);
}

/*
 * Limits node_exporter does not export beside the counts it does
 * (node_sockstat_TCP_orphan, node_sockstat_TCP_tw): what they are
 * compared with. Left out when the sysctl could not be read.
 */
static void put_limits(struct obuf *ob, const struct report *r)
{
	static const struct {
		enum report_limit id;
		const char *name, *help;
	} lim[] = {
	    {REPORT_LIM_ORPHANS, "tcp_orphans_limit",
	     "net.ipv4.tcp_max_orphans: orphaned sockets past it are reset."},
	    {REPORT_LIM_TW_BUCKETS, "tcp_time_wait_limit",
	     "net.ipv4.tcp_max_tw_buckets: sockets past it skip TIME_WAIT."},
	};

	for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
		if (!r->have_limit[lim[i].id]) {
			continue;
		}
		family_head(ob, lim[i].name, "gauge", lim[i].help);
		obuf_printf(ob, "sockscope_%s %lld\n", lim[i].name,
			    (long long)r->limit[lim[i].id]);
	}
}

static int listener_cmp(const void *pa, const void *pb)
{
	const struct report_listener *a =
	    *(const struct report_listener *const *)pa;
	const struct report_listener *b =
	    *(const struct report_listener *const *)pb;

	if (a->port != b->port) {
		return a->port < b->port ? -1 : 1;
	}
	if (a->family != b->family) {
		return a->family < b->family ? -1 : 1;
	}
	return memcmp(a->addr_bin, b->addr_bin, sizeof(a->addr_bin));
}

/*
 * Every listener (up to PROM_LISTENERS_MAX, the fullest first), in port
 * order: a listener's series exist, 0 included, as long as it listens.
 */
static void put_listeners(struct obuf *ob, const struct report *r)
{
	size_t n = r->n_listeners < PROM_LISTENERS_MAX ? r->n_listeners
						       : PROM_LISTENERS_MAX;
	const struct report_listener **l = xcalloc(n ? n : 1, sizeof(*l));
	static const struct {
		const char *name, *help;
	} fam[] = {
	    {"listen_queue_length",
	     "Connections waiting in the listener's accept queue."},
	    {"listen_queue_limit",
	     "The listener's accept queue limit: its backlog capped by "
	     "net.core.somaxconn."},
	    {"listen_queue_fill_ratio",
	     "Accept queue length over what it holds (limit + 1); 1 when "
	     "full (a backlog of 0 with a connection queued is full)."},
	};

	for (size_t i = 0; i < n; i++) {
		l[i] = &r->listeners[i];
	}
	qsort(l, n, sizeof(*l), listener_cmp);
	for (size_t f = 0; f < ARRAY_SIZE(fam) && n; f++) {
		family_head(ob, fam[f].name, "gauge", fam[f].help);
		for (size_t i = 0; i < n; i++) {
			obuf_printf(ob, "sockscope_%s{addr=\"%s\",port=\"%u\"}",
				    fam[f].name, l[i]->addr, l[i]->port);
			if (f == 2) {
				obuf_printf(ob, " %.6f\n", l[i]->fill);
			} else {
				obuf_printf(ob, " %u\n",
					    f ? l[i]->send_q : l[i]->recv_q);
			}
		}
	}
	free(l);
}

/*
 * Ephemeral ports: how many are usable, the largest share one
 * destination tuple holds (of the ports it holds: TIME_WAIT that connect()
 * may reuse is not held), and that share for the top N tuples.
 */
static void put_ports(struct obuf *ob, const struct report *r)
{
	const struct report_top *t = &r->tuples.by_held;

	/* Zero usable ports is a value (the worst one), not unknown. */
	if (!r->ports.have) {
		return;
	}
	family_head(ob, "ephemeral_ports_usable", "gauge",
		    "ip_local_port_range minus ip_local_reserved_ports.");
	obuf_printf(ob, "sockscope_ephemeral_ports_usable %u\n",
		    r->ports.usable);
	family_head(ob, "ephemeral_ports_max_tuple_ratio", "gauge",
		    "Largest share of usable ephemeral ports one (source, "
		    "destination, port) tuple holds; 1 when none is usable.");
	obuf_printf(ob, "sockscope_ephemeral_ports_max_tuple_ratio %.6f\n",
		    r->tuples.max_held_ratio);
	if (t->n) {
		family_head(ob, "tuple_ports_ratio", "gauge",
			    "Share of usable ephemeral ports each of the "
			    "--top fullest (source, destination, port) tuples "
			    "holds.");
	}
	for (size_t i = 0; i < t->n; i++) {
		obuf_printf(ob,
			    "sockscope_tuple_ports_ratio{src=\"%s\",dst=\"%s\","
			    "port=\"%u\"} %.6f\n",
			    t->rows[i].saddr, t->rows[i].daddr,
			    t->rows[i].row.dport, t->rows[i].share);
	}
}

/* The counters node_exporter's netstat collector does not export. */
static void put_counters(struct obuf *ob, const struct counters *c)
{
	for (int id = 0; id < CTR_MAX; id++) {
		char name[64], help[96];

		if (!(c->have & (1u << id)) || !ctr_metric(id)) {
			continue;
		}
		snprintf(name, sizeof(name), "%s_total", ctr_metric(id));
		snprintf(help, sizeof(help), "The kernel's %s counter.",
			 ctr_name(id));
		family_head(ob, name, "counter", help);
		obuf_printf(ob, "sockscope_%s %llu\n", name,
			    (unsigned long long)c->v[id]);
	}
}

void prom_snapshot(struct obuf *ob, const struct report *r, uint32_t protocols)
{
	put_socket_counts(ob, &r->states, protocols);
	put_limits(ob, r);
	put_listeners(ob, r);
	put_ports(ob, r);
	put_counters(ob, &r->counters);
}

void prom_advice(struct obuf *ob, const struct advice *fired, size_t n)
{
	enum advice_sev worst = SEV_NONE;

	family_head(ob, "advice_severity", "gauge",
		    "Severity each advice rule reported: 0 none, 1 info, "
		    "2 warning, 3 critical.");
	for (size_t i = 0; advice_rules[i]; i++) {
		enum advice_sev sev = SEV_NONE;

		for (size_t k = 0; k < n; k++) {
			if (fired[k].rule == advice_rules[i] &&
			    fired[k].sev > sev) {
				sev = fired[k].sev;
			}
		}
		obuf_printf(ob, "sockscope_advice_severity{rule=\"%s\"} %d\n",
			    advice_rules[i]->id, (int)sev);
		worst = sev > worst ? sev : worst;
	}
	family_head(ob, "advice_worst_severity", "gauge",
		    "Worst severity that fired: 0 none, 1 info, 2 warning, "
		    "3 critical.");
	obuf_printf(ob, "sockscope_advice_worst_severity %d\n", (int)worst);
}

/* The worst severity each rule reported, and the worst of all. */
static enum advice_sev rule_sev(const struct advice *fired, size_t n,
				const struct advice_rule *rule)
{
	enum advice_sev sev = SEV_NONE;

	for (size_t k = 0; k < n; k++) {
		if ((!rule || fired[k].rule == rule) && fired[k].sev > sev) {
			sev = fired[k].sev;
		}
	}
	return sev;
}

/* inet: TCP or UDP selected (report_inet()); else the listeners' and
 * tuples' series are left out, as the report's sections. */
static void put_netns_scalars(struct obuf *ob, const struct prom_netns_row *v,
			      char *const *labels, size_t n, bool inet)
{
	family_head(ob, "netns_info", "gauge",
		    "1 for each network namespace read, labelled with its "
		    "kind (named, container, pod, service, path, process, "
		    "current).");
	for (size_t i = 0; i < n; i++) {
		obuf_printf(
		    ob, "sockscope_netns_info{%skind=\"%s\"} 1\n", labels[i],
		    v[i].label ? netns_kind_name(v[i].label->kind) : "other");
	}
	if (!inet) {
		return;
	}
	family_head(ob, "listen_queue_max_fill_ratio", "gauge",
		    "Accept-queue fill of the namespace's fullest listener; 0 "
		    "without one.");
	for (size_t i = 0; i < n; i++) {
		obuf_printf(
		    ob, "sockscope_listen_queue_max_fill_ratio{%.*s} %.6f\n",
		    (int)strlen(labels[i]) - 1, labels[i], v[i].fill_max);
	}
	family_head(ob, "ephemeral_ports_max_tuple_ratio", "gauge",
		    "Largest share of usable ephemeral ports one (source, "
		    "destination, port) tuple holds; 1 when none is usable.");
	for (size_t i = 0; i < n; i++) {
		if (v[i].have_ports) {
			obuf_printf(ob,
				    "sockscope_ephemeral_ports_max_tuple_ratio{"
				    "%.*s} %.6f\n",
				    (int)strlen(labels[i]) - 1, labels[i],
				    v[i].tuple_ratio);
		}
	}
}

static void put_netns_advice(struct obuf *ob, const struct prom_netns_row *v,
			     char *const *labels, size_t n)
{
	family_head(ob, "advice_severity", "gauge",
		    "Severity each advice rule reported: 0 none, 1 info, "
		    "2 warning, 3 critical.");
	for (size_t i = 0; i < n; i++) {
		for (size_t r = 0; advice_rules[r]; r++) {
			obuf_printf(
			    ob, "sockscope_advice_severity{%srule=\"%s\"} %d\n",
			    labels[i], advice_rules[r]->id,
			    (int)rule_sev(v[i].fired, v[i].n_fired,
					  advice_rules[r]));
		}
	}
	family_head(ob, "advice_worst_severity", "gauge",
		    "Worst severity that fired: 0 none, 1 info, 2 warning, "
		    "3 critical.");
	for (size_t i = 0; i < n; i++) {
		obuf_printf(ob, "sockscope_advice_worst_severity{%.*s} %d\n",
			    (int)strlen(labels[i]) - 1, labels[i],
			    (int)rule_sev(v[i].fired, v[i].n_fired, NULL));
	}
}

void prom_netns(struct obuf *ob, const struct prom_netns_row *rows, size_t n,
		uint32_t protocols, bool advice)
{
	char **labels;
	size_t k;
	struct prom_netns_row *v = bound_netns(rows, n, &k, &labels);

	family_head(ob, "sockets", "gauge",
		    "Sockets in the namespace by protocol, family and state.");
	for (size_t i = 0; i < k; i++) {
		for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
			if (protocols & protos[p].bit) {
				put_states(
				    ob, "sockets", labels[i], &protos[p],
				    FAM_INET | FAM_INET6,
				    proto_counts(&v[i].states, &protos[p]));
			}
		}
	}
	put_netns_scalars(ob, v, labels, k, report_inet(protocols));
	if (advice) {
		put_netns_advice(ob, v, labels, k);
	}
	free_label_sets(labels, k);
	free(v);
}

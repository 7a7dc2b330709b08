// SPDX-License-Identifier: MIT
#include "format_prom.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "format.h"
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

/* Per-state counts for one protocol; zero rows are left out. ns is the
 * netns label (ready to print, with its comma) or "". */
static void put_states(struct obuf *ob, const char *ns, const char *netid,
		       uint8_t protocol, const uint64_t counts[2][SS_MAX])
{
	for (int fi = 0; fi < 2; fi++) {
		uint64_t folded[SS_MAX] = {0};

		/* NEW_SYN_RECV and SYN_RECV share the label syn_recv. */
		for (unsigned int st = 1; st < SS_MAX; st++) {
			unsigned int to = st == SS_NEW_SYN_RECV ? SS_SYN_RECV
					  : st == SS_BOUND_INACTIVE ? SS_CLOSE
								    : st;
			folded[to] += counts[fi][st];
		}
		for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
			if (!folded[st]) {
				continue;
			}
			obuf_printf(
			    ob,
			    "sockscope_sockets{%snetid=\"%s\",family=\"%s\","
			    "state=\"%s\"} %llu\n",
			    ns, netid, family_label(fi),
			    state_label(st, protocol),
			    (unsigned long long)folded[st]);
		}
	}
}

static void put_socket_counts(struct obuf *ob, const uint64_t tcp[2][SS_MAX],
			      const uint64_t udp[2][SS_MAX])
{
	family_head(ob, "sockets", "gauge",
		    "Sockets by protocol, family and state.");
	put_states(ob, "", "tcp", IPPROTO_TCP, tcp);
	put_states(ob, "", "udp", IPPROTO_UDP, udp);
}

/*
 * Listing formatter: counts what the listing would show, per namespace
 * with -N and --all-netns (label netns, "-" for the one sockscope started
 * in, as the table's Netns column): counts of different namespaces are
 * never added up.
 */
struct prom_ns {
	char *label; /* `netns="...",` or "" */
	uint64_t tcp[2][SS_MAX];
	uint64_t udp[2][SS_MAX];
};

struct prom_list {
	struct prom_ns *ns;
	size_t n;
	const char *cur_of; /* ctx->netns that ns[n - 1] counts */
};

/*
 * The label of a namespace name: the project's escaping first (so what a
 * terminal shows is what the table shows), then the exposition format's
 * (backslash, double quote; no newline is left).
 */
static char *netns_label(const char *name)
{
	size_t len = strlen(name);
	char *esc = xmalloc(4 * len + 1);
	char *label = xmalloc(2 * 4 * len + sizeof("netns=\"\","));
	size_t o = 0;

	escape_text(esc, name, len);
	o += (size_t)sprintf(label, "netns=\"");
	for (const char *p = esc; *p; p++) {
		if (*p == '\\' || *p == '"') {
			label[o++] = '\\';
		}
		label[o++] = *p;
	}
	strcpy(label + o, "\",");
	free(esc);
	return label;
}

static void list_begin(struct fmt_ctx *ctx)
{
	ctx->priv = xcalloc(1, sizeof(struct prom_list));
}

/* The counts of the namespace being listed (rows come namespace by
 * namespace: a new ctx->netns starts a new one). */
static struct prom_ns *current_ns(struct fmt_ctx *ctx)
{
	struct prom_list *pl = ctx->priv;
	bool labelled = ctx->o->netns || ctx->o->all_netns;

	if (pl->n && (pl->cur_of == ctx->netns || !labelled)) {
		return &pl->ns[pl->n - 1];
	}
	pl->ns = xrealloc(pl->ns, (pl->n + 1) * sizeof(*pl->ns));
	memset(&pl->ns[pl->n], 0, sizeof(*pl->ns));
	pl->ns[pl->n].label =
	    labelled ? netns_label(ctx->netns ? ctx->netns : "-") : xstrdup("");
	pl->cur_of = ctx->netns;
	return &pl->ns[pl->n++];
}

static void list_row(struct fmt_ctx *ctx, const struct sock_rec *rec)
{
	struct prom_ns *ns = current_ns(ctx);
	int fi = rec->family == AF_INET6;

	if (rec->state >= SS_MAX) {
		return;
	}
	if (rec->protocol == IPPROTO_TCP) {
		ns->tcp[fi][rec->state]++;
	} else if (rec->protocol == IPPROTO_UDP) {
		ns->udp[fi][rec->state]++;
	}
}

static void list_end(struct fmt_ctx *ctx)
{
	struct prom_list *pl = ctx->priv;

	family_head(ctx->out, "sockets", "gauge",
		    "Sockets by protocol, family and state.");
	for (size_t i = 0; i < pl->n; i++) {
		put_states(ctx->out, pl->ns[i].label, "tcp", IPPROTO_TCP,
			   pl->ns[i].tcp);
		put_states(ctx->out, pl->ns[i].label, "udp", IPPROTO_UDP,
			   pl->ns[i].udp);
		free(pl->ns[i].label);
	}
	free(pl->ns);
	free(pl);
	ctx->priv = NULL;
}

const struct fmt_ops fmt_prom = {
    .name = "prometheus",
    .begin = list_begin,
    .row = list_row,
    .end = list_end,
};

static void put_inuse(struct obuf *ob, const char *netid, const char *family,
		      bool have, int64_t n)
{
	if (have) {
		obuf_printf(ob,
			    "sockscope_kernel_sockets_inuse{netid=\"%s\","
			    "family=\"%s\"} %lld\n",
			    netid, family, (long long)n);
	}
}

static void put_sockstat(struct obuf *ob, const struct sockstat *ss)
{
	long page = sysconf(_SC_PAGESIZE);

	family_head(ob, "kernel_sockets_inuse", "gauge",
		    "Sockets in use as the kernel counts them "
		    "(/proc/net/sockstat, sockstat6).");
	put_inuse(ob, "tcp", "inet", ss->have_tcp, ss->tcp_inuse);
	put_inuse(ob, "tcp", "inet6", ss->have_tcp6, ss->tcp6_inuse);
	put_inuse(ob, "udp", "inet", ss->have_udp, ss->udp_inuse);
	put_inuse(ob, "udp", "inet6", ss->have_udp6, ss->udp6_inuse);
	if (!ss->have_tcp) {
		return;
	}
	family_head(ob, "kernel_tcp_sockets", "gauge",
		    "TCP sockets of both families by kind: orphan, time_wait, "
		    "alloc (/proc/net/sockstat).");
	obuf_printf(ob,
		    "sockscope_kernel_tcp_sockets{kind=\"orphan\"} %lld\n"
		    "sockscope_kernel_tcp_sockets{kind=\"time_wait\"} %lld\n"
		    "sockscope_kernel_tcp_sockets{kind=\"alloc\"} %lld\n",
		    (long long)ss->tcp_orphan, (long long)ss->tcp_tw,
		    (long long)ss->tcp_alloc);
	family_head(ob, "kernel_tcp_memory_bytes", "gauge",
		    "Memory the kernel accounts to TCP.");
	obuf_printf(ob, "sockscope_kernel_tcp_memory_bytes %lld\n",
		    (long long)ss->tcp_mem * (page > 0 ? page : 4096));
}

static void put_listeners(struct obuf *ob, const struct summary *sum,
			  unsigned int top)
{
	struct sum_listener *l = xcalloc(top, sizeof(*l));
	size_t n = summary_listeners(sum, l, top, NULL);
	static const struct {
		const char *name, *help;
	} fam[] = {
	    {"listen_queue_length", "Accept queue length of the fullest "
				    "listening sockets (top N)."},
	    {"listen_queue_limit", "Accept queue limit (backlog) of the "
				   "same sockets."},
	};

	for (size_t f = 0; f < ARRAY_SIZE(fam) && n; f++) {
		family_head(ob, fam[f].name, "gauge", fam[f].help);
		for (size_t i = 0; i < n; i++) {
			char a[ADDR_STRLEN];

			addr_format(a, l[i].family, l[i].addr);
			obuf_printf(
			    ob, "sockscope_%s{addr=\"%s\",port=\"%u\"} %u\n",
			    fam[f].name, a, l[i].port,
			    f ? l[i].send_q : l[i].recv_q);
		}
	}
	free(l);
}

static void put_ports(struct obuf *ob, const struct snapshot *snap)
{
	struct sum_row row;
	double ratio = 0;

	/* Zero usable ports is a value (the worst one), not unknown. */
	if (!snap->have_ports) {
		return;
	}
	family_head(ob, "ephemeral_ports_usable", "gauge",
		    "ip_local_port_range minus ip_local_reserved_ports.");
	obuf_printf(ob, "sockscope_ephemeral_ports_usable %u\n",
		    snap->usable_ports);
	if (!snap->usable_ports) {
		ratio = 1; /* connect() finds none: exhausted */
	} else if (summary_top(snap->sum, SUM_TUPLE, SUM_V_TOTAL, &row, 1,
			       NULL)) {
		ratio = (double)row.v[SUM_V_TOTAL] / snap->usable_ports;
	}
	family_head(ob, "ephemeral_ports_max_tuple_ratio", "gauge",
		    "Largest share of usable ephemeral ports held by one "
		    "(source, destination, port) tuple; 1 when none is "
		    "usable.");
	obuf_printf(ob, "sockscope_ephemeral_ports_max_tuple_ratio %.6f\n",
		    ratio);
}

static void put_counters(struct obuf *ob, const struct counters *c)
{
	for (int id = 0; id < CTR_MAX; id++) {
		char name[64], help[96];

		if (!(c->have & (1u << id))) {
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

void prom_snapshot(struct obuf *ob, const struct snapshot *snap,
		   unsigned int top)
{
	put_socket_counts(ob, snap->sum->tcp, snap->sum->udp);
	if (snap->have_sockstat) {
		put_sockstat(ob, &snap->sockstat);
	}
	put_listeners(ob, snap->sum, top);
	put_ports(ob, snap);
	put_counters(ob, &snap->c1);
}

void prom_advice(struct obuf *ob, const struct advice *fired, size_t n)
{
	enum advice_sev worst = SEV_NONE;

	family_head(ob, "advice", "gauge",
		    "1 when the advice rule fired, with its severity.");
	for (size_t i = 0; advice_rules[i]; i++) {
		const struct advice *hit = NULL;

		for (size_t k = 0; k < n; k++) {
			hit =
			    fired[k].rule == advice_rules[i] ? &fired[k] : hit;
		}
		obuf_printf(
		    ob, "sockscope_advice{rule=\"%s\",severity=\"%s\"} %d\n",
		    advice_rules[i]->id,
		    advice_sev_name(hit ? hit->sev : SEV_NONE), hit ? 1 : 0);
		if (hit && hit->sev > worst) {
			worst = hit->sev;
		}
	}
	family_head(ob, "advice_worst_severity", "gauge",
		    "Worst severity that fired: 0 none, 1 info, 2 warning, "
		    "3 critical.");
	obuf_printf(ob, "sockscope_advice_worst_severity %d\n", (int)worst);
}

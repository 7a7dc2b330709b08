/*
 * format_prom.h - Prometheus text exposition (format 0.0.4) for summary and
 * advise; the listing formatter is fmt_prom in format.h.
 *
 * Every metric is prefixed sockscope_, in base units, `_total` only on
 * counters, without timestamps (node_exporter's textfile collector rejects
 * them), and with bounded label sets that do not change with the values:
 * per listener (at most PROM_LISTENERS_MAX), per destination tuple the
 * --top fullest, per advice rule its severity as the value. Nothing that
 * node_exporter's default collectors export is written again.
 */
#ifndef SOCKSCOPE_FORMAT_PROM_H
#define SOCKSCOPE_FORMAT_PROM_H

#include <stddef.h>

#include "advice.h"
#include "report.h"
#include "util.h"

/* Per-listener series are written for at most this many listeners. */
#define PROM_LISTENERS_MAX REPORT_LISTENERS_MAX

/* Socket counts (every state, 0 included; the UNIX tables among
 * protocols, enum proto_bit, too), limits, listeners, ports (top tuples),
 * the counters node_exporter lacks: read from r only (report.h), so they
 * agree with the table and JSON. */
void prom_snapshot(struct obuf *ob, const struct report *r, uint32_t protocols);

/* sockscope_advice_severity{rule} for every rule (0-3), and the worst. */
void prom_advice(struct obuf *ob, const struct advice *fired, size_t n);

/*
 * summary and advise --all-netns: one namespace's figures. Series carry
 * netns="LABEL" (and container="ID", pod="UID" where known); namespaces
 * past PROM_NETNS_MAX are added up under netns="_other", so a node writes
 * at most PROM_NETNS_MAX + 1 label sets per metric. The listing (fmt_prom
 * with -N, --all-netns) keeps the same bound through the same code.
 */
#define PROM_NETNS_MAX 500

struct netns_label;
struct prom_netns_row {
	const struct netns_label *label; /* not owned; NULL: "_other" */
	struct report_states states;
	double fill_max;	    /* the fullest listener's fill; 0: none */
	double tuple_ratio;	    /* report's tuples.max_held_ratio */
	bool have_ports;	    /* tuple_ratio is known */
	const struct advice *fired; /* advise: what fired there */
	size_t n_fired;
};

/* sockscope_sockets, _netns_info, _listen_queue_max_fill_ratio,
 * _ephemeral_ports_max_tuple_ratio per namespace; with advice, the
 * severities per namespace and rule. */
void prom_netns(struct obuf *ob, const struct prom_netns_row *rows, size_t n,
		uint32_t protocols, bool advice);

#endif

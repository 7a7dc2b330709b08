/*
 * format_prom.h - Prometheus text exposition (format 0.0.4) for summary and
 * advise; the listing formatter is fmt_prom in format.h.
 *
 * Every metric is prefixed sockscope_, in base units, `_total` only on
 * counters, without timestamps (node_exporter's textfile collector rejects
 * them), and with bounded label sets: per-listener series are the top N,
 * per-destination data only as a maximum ratio.
 */
#ifndef SOCKSCOPE_FORMAT_PROM_H
#define SOCKSCOPE_FORMAT_PROM_H

#include <stddef.h>

#include "advice.h"
#include "snapshot.h"
#include "util.h"

/* Socket counts, kernel totals, top listeners, ports, counters. */
void prom_snapshot(struct obuf *ob, const struct snapshot *snap,
		   unsigned int top);

/* sockscope_advice{rule,severity} for every rule: 1 fired, 0 not. */
void prom_advice(struct obuf *ob, const struct advice *fired, size_t n);

#endif

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

#endif

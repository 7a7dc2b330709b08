/*
 * procnet.h - the kernel's own TCP counters and totals: /proc/net/netstat
 * and /proc/net/snmp (pairs of "Prefix: names" / "Prefix: values" lines)
 * and /proc/net/sockstat(6). Per network namespace: they describe the
 * namespace of the reading process.
 *
 * The parsers are pure (text in, struct out). A parser fills the fields it
 * finds and leaves the rest marked missing; malformed text (a values line
 * whose count differs from its names line, a non-number) returns -EBADMSG
 * and leaves nothing half-filled.
 */
#ifndef SOCKSCOPE_PROCNET_H
#define SOCKSCOPE_PROCNET_H

#include <stdbool.h>
#include <stdint.h>

enum ctr_id {
	CTR_LISTEN_OVERFLOWS,
	CTR_LISTEN_DROPS,
	CTR_TW_OVERFLOW,
	CTR_REQQ_FULL_DROP,
	CTR_REQQ_FULL_COOKIES,
	CTR_ABORT_ON_MEMORY,
	CTR_ABORT_ON_DATA,
	CTR_ABORT_ON_CLOSE,
	CTR_ACTIVE_OPENS,
	CTR_PASSIVE_OPENS,
	CTR_RETRANS_SEGS,
	CTR_ABORT_ON_TIMEOUT,
	CTR_ABORT_ON_LINGER,
	CTR_ABORT_FAILED,
	CTR_MAX
};

struct counters {
	uint64_t v[CTR_MAX];
	uint32_t have; /* bit per ctr_id */
};

/* The kernel's name ("ListenOverflows"); never NULL for a valid id. */
const char *ctr_name(enum ctr_id id);
/*
 * The Prometheus metric stem ("tcp_time_wait_overflows"), or NULL for the
 * counters node_exporter's netstat collector already exports by default
 * (ListenOverflows, ListenDrops, ActiveOpens, PassiveOpens, RetransSegs):
 * those are read for the advice but not written again.
 */
const char *ctr_metric(enum ctr_id id);

/* Parse netstat- or snmp-style text into c (adding to what it holds). */
int procnet_parse_counters(const char *text, struct counters *c);

struct sockstat {
	/* TCP: inuse orphan tw alloc mem(pages); UDP: inuse mem */
	int64_t tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, tcp_mem;
	int64_t udp_inuse, udp_mem;
	int64_t tcp6_inuse, udp6_inuse;
	bool have_tcp, have_udp, have_tcp6, have_udp6;
};

/* Parse sockstat or sockstat6 text (adding to s). 0 or -EBADMSG. */
int procnet_parse_sockstat(const char *text, struct sockstat *s);

/* Read and parse root/proc/net/{netstat,snmp}. Returns 0 or the first
 * -errno; report(path, err, data) names each file that failed. */
typedef void (*procnet_report_fn)(const char *path, int err, void *data);
int procnet_read_counters(const char *root, struct counters *c,
			  procnet_report_fn report, void *data);
int procnet_read_sockstat(const char *root, struct sockstat *s,
			  procnet_report_fn report, void *data);

#endif

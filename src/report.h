/*
 * report.h - the summary's sections built once, typed, for every renderer:
 * the table and JSON of `summary` (report_render.c) and the Prometheus text
 * of `summary` and `advise` (format_prom.c). Renderers read only this: no
 * summary_* query and no ratio is computed twice, so the three outputs
 * cannot drift apart.
 *
 * Ownership: report_build() copies what it needs out of the snapshot (the
 * snapshot may be finished afterwards) and allocates the section arrays;
 * report_finish() frees them. Strings in the report are unescaped: owner
 * names come from processes, so renderers escape them.
 */
#ifndef SOCKSCOPE_REPORT_H
#define SOCKSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "procnet.h"
#include "snapshot.h"
#include "sock.h"
#include "summary.h"

/*
 * Listeners kept whatever --top is: Prometheus writes a series for every
 * listener (up to this many) while the table and JSON show the --top
 * fullest. The report holds the larger list once, fullest first; each
 * renderer takes its slice from the front (report_top_listeners() for the
 * table and JSON, PROM_LISTENERS_MAX for Prometheus).
 */
#define REPORT_LISTENERS_MAX 256

/*
 * Socket counts, folded by state_fold() here, once: the NEW_SYN_RECV and
 * BOUND_INACTIVE indexes are then always 0.
 * [0] inet, [1] inet6.
 */
struct report_states {
	uint64_t tcp[2][SS_MAX], udp[2][SS_MAX];
	uint64_t tcp_family[2], udp_family[2]; /* every state */
	uint64_t tcp_total, udp_total;
	uint64_t unx[SUM_UNIX_MAX][SS_MAX]; /* per SUM_UNIX_* type */
	uint64_t unix_type[SUM_UNIX_MAX], unix_total;
	uint64_t by_proto[32]; /* as summary's: PACKET and the others */
	uint64_t total;	       /* every socket counted, of every table */
};

struct report_listener {
	uint8_t family;
	uint8_t addr_bin[16];
	char addr[ADDR_STRLEN];	       /* address alone */
	char ep[SUMMARY_ENDPOINT_LEN]; /* addr:port */
	uint16_t port;
	uint32_t recv_q, send_q; /* accept queue length and limit */
	double fill;		 /* summary_queue_fill() */
	uint32_t conns[SS_MAX];	 /* folded by state_fold() */
};

/* A row of a top-N breakdown (remote hosts, host:port, owners, tuples). */
struct report_row {
	struct sum_row row;
	char saddr[ADDR_STRLEN], daddr[ADDR_STRLEN];
	char dst_ep[SUMMARY_ENDPOINT_LEN]; /* daddr:dport */
	double share; /* tuples: see struct report_tuples; else 0 */
};

struct report_top {
	struct report_row *rows;
	size_t n;    /* rows written, at most --top */
	size_t keys; /* distinct keys counted */
};

/*
 * Destination tuples, two views of one breakdown, each ranked once:
 * - by_time_wait: the table's and JSON's list, ranked by TIME_WAIT, share
 *   = sockets / usable ports (every socket on an ephemeral port);
 * - by_held: Prometheus' list, ranked by ports held (TIME_WAIT connect()
 *   may reuse is not held, as advise's tuple pressure counts), share =
 *   held / usable; max_held_ratio is its first share, 1 when no port is
 *   usable (exhausted), 0 when there is no tuple.
 * Shares are 0 when usable is 0.
 */
struct report_tuples {
	struct report_top by_time_wait, by_held;
	double max_held_ratio;
};

struct report_ports {
	bool have;	 /* ip_local_port_range was read */
	uint32_t usable; /* range minus reserved; 0 may be the value */
	uint16_t lo, hi;
	double max_new_per_s; /* usable / 60 (TIME_WAIT lasts 60 s) */
};

enum report_limit { REPORT_LIM_ORPHANS, REPORT_LIM_TW_BUCKETS, REPORT_LIM_MAX };

/* A listening UNIX socket, as summary keeps it, and its fill. */
struct report_unix_listener {
	struct sum_unix_listener l;
	double fill;	    /* summary_queue_fill(), as a TCP listener's */
	struct owner owner; /* with -p (l.pid's name), else zero */
};

struct report {
	unsigned int top; /* rows per breakdown the table and JSON show */
	/*
	 * TCP or UDP is selected: the sections about them are built (the
	 * listeners, remote hosts and ports, tuples and ports, the TCP
	 * limits, sockstat and counters); else they are empty and absent
	 * from every renderer (summary -x has no "Listening ports").
	 */
	bool inet;
	struct report_states states;
	struct report_listener *listeners; /* fullest first */
	size_t n_listeners;   /* at most max(top, REPORT_LISTENERS_MAX) */
	size_t listener_keys; /* listeners counted */
	struct report_top remote_hosts, remote_ports, owners;
	/* The --top most queued UNIX listeners (UNIX selected). */
	struct report_unix_listener *unix_listeners;
	size_t n_unix_listeners;
	size_t unix_listener_keys; /* UNIX listeners counted */
	bool have_owners;
	struct report_tuples tuples;
	struct report_ports ports;
	bool have_limit[REPORT_LIM_MAX];
	int64_t limit[REPORT_LIM_MAX]; /* tcp_max_orphans, tcp_max_tw_buckets */
	bool have_sockstat;
	struct sockstat sockstat;
	struct counters counters; /* the latest sample */
	uint64_t dropped;	  /* sockets beyond SUMMARY_KEYS_MAX keys */
};

/* Build every section from snap (its summary must be filled). top: rows
 * per breakdown, as --top; protocols: the tables selected (opts.h's
 * PROTO_ bits), which say what sections there are. Pair with
 * report_finish(). */
void report_build(struct report *r, const struct snapshot *snap,
		  unsigned int top, uint32_t protocols);
void report_finish(struct report *r);

/* Whether protocols (PROTO_ bits) have the sections about TCP and UDP
 * (report.inet), and --all-netns the rankings and series built on them:
 * the rule written once. */
bool report_inet(uint32_t protocols);

/* How many listeners the table and JSON show: the first min(top, n). */
size_t report_top_listeners(const struct report *r);

struct obuf;
struct opts;
/* The summary's renderers in report_render.c (o: -a, -x); Prometheus' is
 * prom_snapshot() in format_prom.h. */
void report_table(struct obuf *ob, const struct report *r,
		  const struct opts *o);
void report_json(struct obuf *ob, const struct report *r, const struct opts *o);

#endif

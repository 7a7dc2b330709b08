/*
 * top_collect.h - one refresh of `sockscope top` through the acquisition
 * pipeline every command uses (acquire.h: the one-walk request, the filter
 * compiled for the kernel, seam de-duplication, the reader thread, --load
 * replay): each row's keys go into a struct top_snap. Draws nothing.
 *
 * Every socket of the selected tables is counted by table and state (the
 * header's meters and per-table line), whatever the filter and the states
 * asked for; only the sockets that pass the protocol, family, state and
 * filter tests become rows. With no expression in the filter one dump
 * serves both (every state asked for, the rows' states picked here); a
 * filter expression narrows the rows' dump in the kernel and a second
 * dump, with no filter and no extension, counts the meters.
 *
 * tcp_info is asked for in the dump only when every row needs it (sorting
 * by RTT, or --batch, which prints every row); otherwise the rows on screen
 * get theirs one by one (top_collect_rtt()).
 *
 * Threads: top_collect() may run on a thread of its own (top_refresh.h).
 * A struct top_collect is then that thread's for the refresh's length:
 * its acquisitions, its sock_diag socket (d) and its names (ifn) are used
 * by no one else meanwhile; another thread may only set *cancel.
 */
#ifndef SOCKSCOPE_TOP_COLLECT_H
#define SOCKSCOPE_TOP_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include "acquire.h"
#include "diag.h"
#include "top.h"
#include "top_netns.h"

struct top_query {
	uint32_t protocols;	 /* enum proto_bit */
	uint32_t families;	 /* enum family_bit */
	uint32_t states;	 /* SS_BIT() mask of the rows wanted */
	uint16_t eph_lo, eph_hi; /* ephemeral ports, for tuples; 0, 0: none */
	bool want_info;		 /* every row's tcp_info, in the dump */
	const struct filter *filter;
	const struct top_sources *src;
};

struct top_collect {
	struct opts o;		     /* the run's, with the filter in force */
	struct opts o_all;	     /* the run's, with the empty filter */
	struct filter *none;	     /* that empty filter (owned) */
	struct acquire rows;	     /* the rows (and, unfiltered, meters) */
	struct acquire meters;	     /* every socket, for a filter */
	struct acquire_notes notes;  /* both, every refresh: said once */
	const struct filter *filter; /* the filter both were set up for */
	struct ifnames *ifn; /* the caller's names (--load: the file's) */
	struct diag *d;	     /* the caller's socket, dumped on, or NULL */
	/* --all-netns: every namespace's socket is dumped in turn, rows
	 * tagged with its index (top_netns.h); NULL: d's namespace only. */
	const struct top_nstab *nst;
	/* Read at every row: once true (set by another thread), the refresh
	 * stops and returns -ECANCELED. NULL: never. */
	const bool *cancel;
	bool ready;
};

/* The query for ui's options and current filter. */
void top_query_from_ui(struct top_query *q, const struct top_ui *ui);

/* Caller's storage; o outlives c. Opens nothing yet. Returns 0 or
 * -errno; top_collect_finish() either way. */
int top_collect_init(struct top_collect *c, const struct opts *o);
void top_collect_finish(struct top_collect *c);

/*
 * Reset snap and fill it. Returns 0 or the -errno of a failed dump (a
 * protocol the kernel has no diag module for is skipped, not an error);
 * -ECANCELED, silently, when *c->cancel was set (snap is then partial).
 * c->ifn is read at every call: the caller may swap tables between them.
 */
int top_collect(struct top_collect *c, const struct top_query *q,
		struct top_snap *snap);

/* CLOCK_MONOTONIC in seconds. */
double top_now(void);

#endif

/*
 * top_collect.h - one refresh of `sockscope top`: dump the sockets over
 * sock_diag into a struct top_snap. Draws nothing.
 *
 * Every TCP socket is counted by state (the header's meters), whatever the
 * filter; only the sockets that pass the protocol, family, state and filter
 * tests become rows. The struct diag (one socket, one receive buffer) and
 * the snapshot's row array are reused from one refresh to the next.
 */
#ifndef SOCKSCOPE_TOP_COLLECT_H
#define SOCKSCOPE_TOP_COLLECT_H

#include <stdint.h>

#include "diag.h"
#include "top.h"

struct top_query {
	uint32_t protocols;	 /* enum proto_bit */
	uint32_t families;	 /* enum family_bit */
	uint32_t states;	 /* SS_BIT() mask of the rows wanted */
	uint16_t eph_lo, eph_hi; /* ephemeral ports, for tuples; 0, 0: none */
	const struct filter *filter;
	const struct top_sources *src;
};

/* The query for ui's options and current filter. */
void top_query_from_ui(struct top_query *q, const struct top_ui *ui);

/*
 * Reset snap and fill it. Returns 0 or the -errno of a failed dump (a
 * protocol the kernel has no diag module for is skipped, not an error).
 */
int top_collect(struct diag *d, const struct top_query *q,
		struct top_snap *snap);

/* CLOCK_MONOTONIC in seconds. */
double top_now(void);

#endif

/*
 * top_live.h - the struct top_sources of a real run: kernel counters
 * (procnet), limits (sysctl), advice (the advice engine over a snapshot of
 * the rows on screen), process names (proc, with -p) and closing a socket
 * (SOCK_DESTROY through diag_kill). All read under --root.
 *
 * top_live_init() fills src with the sources the options allow: no process
 * source without -p. The owners source (proc, for a filter's pid and comm)
 * is always offered and walks /proc only when top_collect() asks. The kill
 * source is always offered; top.c hides it under --readonly. d is the
 * collector's struct diag: kills happen between dumps, never from a row
 * callback, so one socket serves both.
 */
#ifndef SOCKSCOPE_TOP_LIVE_H
#define SOCKSCOPE_TOP_LIVE_H

#include "diag.h"
#include "opts.h"
#include "sysctl.h"
#include "top.h"

struct proc_map;

struct top_live {
	const struct opts *o;
	struct diag *d;
	struct proc_map *procs; /* -p, or pid/comm in the filter: per refresh */
	struct sysctl_vals sys; /* read once: limits, port range */
};

void top_live_init(struct top_live *l, const struct opts *o, struct diag *d,
		   struct top_sources *src);
void top_live_finish(struct top_live *l);

#endif

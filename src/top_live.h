/*
 * top_live.h - the struct top_sources of a real run: kernel counters
 * (procnet), limits (sysctl), advice (the advice engine over a snapshot of
 * the rows on screen), process names (proc, with -p) and closing a socket
 * (SOCK_DESTROY through diag_kill), the RTT of a row on screen (diag_get_ext).
 * All read under --root. A --load replay gets none of them.
 *
 * top_live_init() fills src with the sources the options allow: no process
 * source without -p. The owners source (proc, for a filter's pid and comm)
 * is always offered and walks /proc only when top_collect() asks. The kill
 * source is always offered; top.c hides it under --readonly. d is the
 * socket of the kill and rtt sources: never from a row callback.
 *
 * Threads (top_refresh.h): refresh, settle, process, owners and counters
 * are called by top_collect(), on the refresh's worker thread; they alone
 * touch the process cache and the missing bits (procs, have_procs,
 * walked_all, missed, walked_past, missing, missing_err). kill, rtt,
 * limits and advice are the UI thread's: d is then a socket of its own,
 * not the collector's, and sys is read-only after init. With refreshes in
 * line (--batch) one socket serves both, kills happening between dumps.
 * top_live_missing() reads the missing bits: call it with no refresh in
 * flight.
 */
#ifndef SOCKSCOPE_TOP_LIVE_H
#define SOCKSCOPE_TOP_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "opts.h"
#include "sysctl.h"
#include "top.h"
#include "top_netns.h"

struct proc_cache;

/* What a refresh could not read, so the view lacks it (bits). */
enum top_missing {
	TOP_MISS_PROCS = 1u << 0,    /* -p: process names */
	TOP_MISS_COUNTERS = 1u << 1, /* the connections/retransmits line */
	TOP_MISS_ORPHANS = 1u << 2,  /* orphans on the pressure line */
	TOP_MISS_LIMITS = 1u << 3,   /* tcp_max_orphans, port range: tuple */
	TOP_MISS_EVENTS = 1u << 4,   /* destroy events: closes by difference */
};

struct top_live {
	const struct opts *o;
	struct diag *d;
	/* --all-netns: a row's kill and RTT go to the socket of its own
	 * namespace (set after init; not owned); NULL: d. */
	const struct top_nstab *nst;
	struct proc_cache *procs; /* -p, or pid/comm in the filter */
	bool have_procs;	  /* procs has been read once */
	bool walked_all;	  /* this refresh's update walked every one */
	uint32_t missed;	  /* the newest socket inode it lacked */
	uint32_t walked_past;	/* missed when every process was last walked */
	struct sysctl_vals sys; /* read once: limits, port range */
	unsigned int missing;	/* enum top_missing, since init */
	int missing_err;	/* the -errno behind the first missing bit */
};

void top_live_init(struct top_live *l, const struct opts *o, struct diag *d,
		   struct top_sources *src);
/* What another part of top could not open: bit, with err (-errno) the
 * one told when it is the first. */
void top_live_note_missing(struct top_live *l, unsigned int bit, int err);
void top_live_finish(struct top_live *l);

/*
 * The top_missing bits set since init that are not in *told, as one
 * clause ("no process names, no counters line") in buf; adds them to
 * *told. Returns false (buf empty) when nothing new is missing. A file
 * that does not exist (-ENOENT: this kernel or namespace lacks it) is not
 * missing; failing to read one (EMFILE, EACCES, ...) is, and so is /proc
 * itself for process names (-p).
 */
bool top_live_missing(const struct top_live *l, unsigned int *told, char *buf,
		      size_t size);

#endif

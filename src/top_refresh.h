/*
 * top_refresh.h - top's refreshes off the UI thread. Each refresh runs
 * top_collect() on a thread of its own into a snapshot of its own while
 * the UI thread keeps reading keys and drawing the previous snapshot; the
 * finished snapshot is handed over whole (top_ui_take()), so the UI never
 * sees half a refresh. At a million sockets a refresh takes seconds: keys
 * must not wait for it.
 *
 * Threading contract (who owns what, which thread):
 * - From top_refresh_start() until top_refresh_take() returns (busy), the
 *   worker thread owns the collector (struct top_collect: its acquisitions,
 *   its sock_diag socket, its interface names c->ifn), r->snap, and the
 *   half of the sources that top_collect() calls (top_sources refresh,
 *   settle, process, owners, counters: top_live.h's process cache and
 *   missing bits). The query is copied; the filter it points to must stay
 *   alive and unchanged until the take (top.c hands a filter the prompt
 *   replaced to the loop in ui->retired; cmd_top.c cancels the refresh
 *   that reads it and frees it once that refresh is taken).
 * - The UI thread owns everything else all the time (struct top_ui and
 *   both its snapshots, the view, the terminal, the sources it calls: kill
 *   and rtt on a sock_diag socket of its own, limits, advice), and the
 *   collector too between refreshes. Nothing is locked: ownership passes
 *   at start and at take, which join the thread.
 * - Only top_refresh_cancel() touches a busy refresh from the UI thread.
 *
 * The worker blocks every signal: SIGINT, SIGTERM and SIGWINCH reach the
 * UI thread, whose wait (ppoll) they interrupt.
 *
 * Call order: top_refresh_init(); then start, (cancel,) take, any number
 * of times, one refresh at a time; top_refresh_finish() (cancels and joins
 * a refresh in flight).
 */
#ifndef SOCKSCOPE_TOP_REFRESH_H
#define SOCKSCOPE_TOP_REFRESH_H

#include <pthread.h>
#include <stdbool.h>

#include "top_collect.h"
#include "top_model.h"

struct top_refresh {
	struct top_collect *c; /* not owned */
	struct top_snap snap; /* filled by a refresh; the caller's after take */
	struct top_query q;   /* the refresh in flight's, copied */
	int fd;		      /* readable once a refresh is done; -1: inline */
	bool busy;	      /* started and not taken (UI thread's) */
	bool threaded;	      /* the refresh in flight runs on tid */
	bool cancel;	      /* set by the UI thread, read by the worker */
	bool done;	      /* set by the worker as it ends */
	int err;	      /* the worker's result, read after done */
	pthread_t tid;
};

/*
 * Caller's storage. threaded: refreshes run on a thread, and fd (an
 * eventfd) becomes readable when one is done; else each runs inside
 * top_refresh_start() (--batch, or when no descriptor is left for fd).
 * Sets c->cancel. Returns 0 or -errno (nothing to finish then).
 */
int top_refresh_init(struct top_refresh *r, struct top_collect *c,
		     bool threaded);
void top_refresh_finish(struct top_refresh *r);

/*
 * Start a refresh for q (copied). Not while busy. When no thread can be
 * started (a thread limit), the refresh runs here: slower for the keys,
 * the same snapshot.
 */
void top_refresh_start(struct top_refresh *r, const struct top_query *q);

/* Ask the refresh in flight to stop (it does within a row); the next
 * take returns -ECANCELED. Never waits. */
void top_refresh_cancel(struct top_refresh *r);

/* A refresh was started and not yet taken. */
static inline bool top_refresh_busy(const struct top_refresh *r)
{
	return r->busy;
}

/*
 * End the refresh in flight: wait for it, or with wait false return
 * -EAGAIN while it runs. Returns 0 with r->snap filled (hand it over with
 * top_ui_take()), -ECANCELED after top_refresh_cancel(), or the -errno of
 * top_collect() (acquire said why). Not busy afterwards.
 */
int top_refresh_take(struct top_refresh *r, bool wait);

/* The query of the refresh in flight (valid while busy). */
static inline const struct top_query *
top_refresh_query(const struct top_refresh *r)
{
	return &r->q;
}

#endif

/*
 * netns_prefetch.h - the kernel's side of an --all-netns listing, done
 * ahead on a few threads.
 *
 * Most of a listing's time is the kernel walking its socket tables inside
 * recvmsg(), and each namespace's walk is independent of the others'. A
 * sock_diag socket stays in the namespace it was created in, so one pass
 * (one setns() per namespace, netns_each_quiet) opens a socket in each,
 * and worker threads then send each namespace's requests (acquire_plan)
 * and receive the whole dumps into memory (diag_prefetch), in namespace
 * order, a bounded window ahead of the caller. The caller walks the
 * namespaces in the same order as before and takes each one's socket:
 * its acquire_run() finds its replies there (or asks the kernel itself
 * for anything not prefetched: a retry, a refused filter), so rows,
 * messages and their order are those of the sequential walk.
 *
 * No state is shared but the struct's, under its mutex.
 */
#ifndef SOCKSCOPE_NETNS_PREFETCH_H
#define SOCKSCOPE_NETNS_PREFETCH_H

#include <stddef.h>

#include "diag.h"
#include "netns_find.h"

struct netns_prefetch;

/*
 * Open a socket in every namespace of s that can be entered and start
 * dumping reqs (copied: bytecode included) in each on up to threads
 * threads. s must outlive the prefetch and not change. NULL when there is
 * nothing to do ahead (no request, fewer than 2 namespaces) or no thread
 * could be started: the caller then goes on without it.
 */
struct netns_prefetch *netns_prefetch_start(const struct netns_set *s,
					    const struct diag_req *reqs,
					    size_t nreq, unsigned int threads);

/*
 * The socket opened in e's namespace (e one of s's entries), its requests
 * received: waits for them. Owned by p; NULL when none could be opened
 * there. Take entries in s's order; taking one lets the workers move the
 * window past it.
 */
struct diag *netns_prefetch_take(struct netns_prefetch *p,
				 const struct netns_entry *e);

/* Stop and join the workers and close every socket (NULL is fine). */
void netns_prefetch_stop(struct netns_prefetch *p);

/* The most threads netns_prefetch_start() starts. */
#define NETNS_PREFETCH_MAX_THREADS 4

/* Threads worth starting here: the CPUs online, at most
 * NETNS_PREFETCH_MAX_THREADS. */
unsigned int netns_prefetch_threads(void);

#endif

// SPDX-License-Identifier: MIT
#include "netns_prefetch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define MAX_THREADS NETNS_PREFETCH_MAX_THREADS
/* Namespaces dumped ahead of the caller per thread: the memory held is
 * their replies (about 150 bytes a socket). */
#define AHEAD_PER_THREAD 4

struct netns_prefetch {
	const struct netns_set *set;
	struct diag **d; /* per entry: its namespace's socket, or NULL */
	bool *done;	 /* per entry: its requests received */
	struct diag_req *reqs;
	size_t nreq;
	size_t next;   /* the next entry a worker takes */
	size_t taken;  /* entries before this one were taken by the caller */
	size_t window; /* how far past taken the workers may go */
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th[MAX_THREADS];
	unsigned int nth;
};

unsigned int netns_prefetch_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned int)n;
}

/* In each namespace in turn (netns_each_quiet): its socket. */
static int open_here(const struct netns_entry *e, void *data)
{
	struct netns_prefetch *p = data;
	size_t i = (size_t)(e - p->set->v);

	if (diag_open(&p->d[i])) {
		p->d[i] = NULL; /* acquire_run opens and reports its own */
	}
	return 0;
}

static void *worker(void *arg)
{
	struct netns_prefetch *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		size_t i;

		while (!p->stop && p->next < p->set->n &&
		       p->next >= p->taken + p->window) {
			pthread_cond_wait(&p->cv, &p->mu);
		}
		if (p->stop || p->next >= p->set->n) {
			break;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		/* A request not sent here is asked by diag_dump(); one cut
		 * short or failed leaves the socket to the caller. */
		for (size_t r = 0; r < p->nreq && p->d[i]; r++) {
			if (diag_prefetch(p->d[i], &p->reqs[r])) {
				break;
			}
		}
		pthread_mutex_lock(&p->mu);
		p->done[i] = true;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void free_all(struct netns_prefetch *p)
{
	for (size_t i = 0; i < p->set->n; i++) {
		diag_destroy(p->d[i]);
	}
	for (size_t r = 0; r < p->nreq; r++) {
		free((void *)p->reqs[r].bytecode);
	}
	free(p->reqs);
	free(p->d);
	free(p->done);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

static void copy_reqs(struct netns_prefetch *p, const struct diag_req *reqs,
		      size_t nreq)
{
	p->reqs = xcalloc(nreq, sizeof(*p->reqs));
	p->nreq = nreq;
	for (size_t r = 0; r < nreq; r++) {
		void *bc = NULL;

		p->reqs[r] = reqs[r];
		if (reqs[r].bytecode_len) {
			bc = xmalloc(reqs[r].bytecode_len);
			memcpy(bc, reqs[r].bytecode, reqs[r].bytecode_len);
		}
		p->reqs[r].bytecode = bc;
	}
}

struct netns_prefetch *netns_prefetch_start(const struct netns_set *s,
					    const struct diag_req *reqs,
					    size_t nreq, unsigned int threads)
{
	struct netns_prefetch *p;

	if (!nreq || s->n < 2 || !threads) {
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->set = s;
	p->d = xcalloc(s->n, sizeof(*p->d));
	p->done = xcalloc(s->n, sizeof(*p->done));
	threads = threads > MAX_THREADS ? MAX_THREADS : threads;
	p->window = AHEAD_PER_THREAD * threads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	copy_reqs(p, reqs, nreq);
	/* -EIO: stranded in another namespace (said). No prefetch then: the
	 * caller's own walk meets the same and stops with an error. */
	if (netns_each_quiet(s, open_here, p)) {
		free_all(p);
		return NULL;
	}
	while (p->nth < threads &&
	       !pthread_create(&p->th[p->nth], NULL, worker, p)) {
		p->nth++;
	}
	if (!p->nth) {
		free_all(p);
		return NULL;
	}
	return p;
}

struct diag *netns_prefetch_take(struct netns_prefetch *p,
				 const struct netns_entry *e)
{
	size_t i = (size_t)(e - p->set->v);

	pthread_mutex_lock(&p->mu);
	if (p->taken < i + 1) {
		p->taken = i + 1;
		pthread_cond_broadcast(&p->cv);
	}
	while (p->d[i] && !p->done[i]) {
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return p->d[i];
}

void netns_prefetch_stop(struct netns_prefetch *p)
{
	if (!p) {
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned int t = 0; t < p->nth; t++) {
		pthread_join(p->th[t], NULL);
	}
	free_all(p);
}

// SPDX-License-Identifier: MIT
#include "top_refresh.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util.h"

int top_refresh_init(struct top_refresh *r, struct top_collect *c,
		     bool threaded)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->fd = -1;
	if (threaded) {
		r->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->fd < 0) {
			return -errno;
		}
	}
	top_snap_init(&r->snap);
	c->cancel = &r->cancel;
	return 0;
}

void top_refresh_finish(struct top_refresh *r)
{
	if (r->busy) {
		top_refresh_cancel(r);
		top_refresh_take(r, true);
	}
	r->c->cancel = NULL;
	top_snap_finish(&r->snap);
	if (r->fd >= 0) {
		close(r->fd);
	}
	r->fd = -1;
}

static void *work(void *arg)
{
	struct top_refresh *r = arg;
	uint64_t one = 1;

	r->err = top_collect(r->c, &r->q, &r->snap);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	/* An eventfd write of 1 cannot fail short of a bug: the counter
	 * is read back to 0 at every take. */
	if (r->threaded && write(r->fd, &one, sizeof(one)) < 0) {
		r->err = r->err ? r->err : -errno;
	}
	return NULL;
}

/* Only the UI thread takes SIGINT, SIGTERM and SIGWINCH. */
static bool spawn(struct top_refresh *r)
{
	return thread_start_quiet(&r->tid, 0, work, r) == 0;
}

void top_refresh_start(struct top_refresh *r, const struct top_query *q)
{
	r->q = *q;
	r->busy = true;
	r->cancel = false;
	r->done = false;
	r->err = 0;
	r->threaded = r->fd >= 0;
	if (r->threaded && spawn(r)) {
		return;
	}
	r->threaded = false;
	work(r);
}

void top_refresh_cancel(struct top_refresh *r)
{
	__atomic_store_n(&r->cancel, true, __ATOMIC_RELAXED);
}

int top_refresh_take(struct top_refresh *r, bool wait)
{
	uint64_t n;

	if (!r->busy) {
		return -EINVAL;
	}
	if (!wait && !__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		return -EAGAIN;
	}
	if (r->threaded) {
		pthread_join(r->tid, NULL);
		/* Back to 0 (not readable) for the next refresh. */
		while (read(r->fd, &n, sizeof(n)) < 0 && errno == EINTR) {
		}
	}
	r->busy = false;
	return r->cancel ? -ECANCELED : r->err;
}

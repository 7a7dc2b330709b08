// SPDX-License-Identifier: MIT
#include "diag_rx.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

/*
 * Four batches in flight: the one being parsed, the one being received,
 * and slack so neither side waits on a short hiccup of the other.
 */
#define NSLOTS 4

struct slot {
	char *buf;
	ssize_t len; /* bytes, or -errno */
};

struct diag_rx {
	struct mnl_socket *nl;
	uint32_t seq, portid;
	size_t buf_size;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t data_cv;	 /* reader -> consumer: a slot is ready */
	pthread_cond_t space_cv; /* consumer -> reader: a slot is free */
	/* Under mu. Counters only grow: released <= taken <= produced.
	 * produced and finished are also stored atomically, for polling. */
	unsigned long produced, taken, released;
	bool finished; /* the reader saw the end or an error */
	bool stop;     /* the consumer wants no more */
	bool threaded; /* false: no thread could start, next() receives */
	bool spin;     /* a second CPU: poll for a batch before sleeping */
	struct slot slot[NSLOTS];
};

bool diag_rx_is_end(const char *buf, size_t len, uint32_t seq, uint32_t portid)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int n = (int)len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_seq == seq && nlh->nlmsg_pid == portid &&
		    (nlh->nlmsg_type == NLMSG_DONE ||
		     nlh->nlmsg_type == NLMSG_ERROR)) {
			return true;
		}
	}
	return false;
}

static ssize_t receive(struct diag_rx *rx, char *buf)
{
	ssize_t n;

	do {
		n = mnl_socket_recvfrom(rx->nl, buf, rx->buf_size);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return -errno;
	}
	return n;
}

/* Slot s has just been received into: hand it on (under mu if threaded). */
static void note_batch(struct diag_rx *rx, const struct slot *s)
{
	/* A dump never sends an empty datagram: treat one as the end. */
	bool end = s->len <= 0 ||
		   diag_rx_is_end(s->buf, (size_t)s->len, rx->seq, rx->portid);

	__atomic_store_n(&rx->finished, end, __ATOMIC_RELEASE);
	__atomic_store_n(&rx->produced, rx->produced + 1, __ATOMIC_RELEASE);
}

static void *reader(void *arg)
{
	struct diag_rx *rx = arg;

	pthread_mutex_lock(&rx->mu);
	while (!rx->finished) {
		struct slot *s;

		while (rx->produced - rx->released == NSLOTS && !rx->stop) {
			pthread_cond_wait(&rx->space_cv, &rx->mu);
		}
		if (rx->stop) {
			break;
		}
		s = &rx->slot[rx->produced % NSLOTS];
		/* The slot is neither ready nor held: receive unlocked. */
		pthread_mutex_unlock(&rx->mu);
		s->len = receive(rx, s->buf);
		pthread_mutex_lock(&rx->mu);
		note_batch(rx, s);
		pthread_cond_signal(&rx->data_cv);
	}
	pthread_mutex_unlock(&rx->mu);
	return NULL;
}

static void rx_free(struct diag_rx *rx)
{
	for (int i = 0; i < NSLOTS; i++) {
		free(rx->slot[i].buf);
	}
	pthread_cond_destroy(&rx->space_cv);
	pthread_cond_destroy(&rx->data_cv);
	pthread_mutex_destroy(&rx->mu);
	free(rx);
}

/* More than one CPU to run on: polling for the reader cannot starve it. */
static bool can_spin(void)
{
	cpu_set_t set;

	return !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 1;
}

/* The reader only calls recvmsg: a small stack keeps the thread cheap
 * under a tight address-space limit (ulimit -v). */
#define READER_STACK (256 * 1024)

static bool start_thread(struct diag_rx *rx)
{
	return thread_start_quiet(&rx->tid, READER_STACK, reader, rx) == 0;
}

struct diag_rx *diag_rx_start(struct mnl_socket *nl, uint32_t seq,
			      uint32_t portid, size_t buf_size)
{
	struct diag_rx *rx = xcalloc(1, sizeof(*rx));

	rx->nl = nl;
	rx->seq = seq;
	rx->portid = portid;
	rx->buf_size = buf_size;
	pthread_mutex_init(&rx->mu, NULL);
	pthread_cond_init(&rx->data_cv, NULL);
	pthread_cond_init(&rx->space_cv, NULL);
	for (int i = 0; i < NSLOTS; i++) {
		rx->slot[i].buf = xmalloc(buf_size);
	}
	/* Without a thread (no memory for a stack, a thread limit) the
	 * dump is read in turn with the parsing, as before. */
	rx->threaded = start_thread(rx);
	rx->spin = rx->threaded && can_spin();
	return rx;
}

/* Without a reader thread: receive the next batch into slot 0 here. */
static ssize_t next_inline(struct diag_rx *rx, const char **buf)
{
	struct slot *s = &rx->slot[0];

	if (rx->finished) {
		return 0;
	}
	s->len = receive(rx, s->buf);
	note_batch(rx, s);
	*buf = s->buf;
	return s->len;
}

/* Called unlocked by the consumer; taken is its own. */
static bool awaiting(struct diag_rx *rx)
{
	return rx->taken == __atomic_load_n(&rx->produced, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&rx->finished, __ATOMIC_ACQUIRE);
}

#define SPIN_NS 1000000L

/*
 * Waits up to SPIN_NS for the next batch without sleeping. The reader is
 * the slow side (the kernel walks its tables), so the consumer waits for
 * almost every batch. Sleeping then costs a futex wake-up per batch in
 * the reader and a wake-up of the consumer's CPU from idle: 5% of a
 * 500,000-socket listing on a 2-vCPU VM. sched_yield() rather than a
 * pause loop, so anything else runnable on this CPU gets it first.
 */
static void spin_for_batch(struct diag_rx *rx)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (awaiting(rx)) {
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L +
			(t.tv_nsec - t0.tv_nsec) >
		    SPIN_NS) {
			return;
		}
	}
}

ssize_t diag_rx_next(struct diag_rx *rx, const char **buf)
{
	struct slot *s;

	if (!rx->threaded) {
		return next_inline(rx, buf);
	}
	pthread_mutex_lock(&rx->mu);
	if (rx->taken > rx->released) {
		rx->released++;
		pthread_cond_signal(&rx->space_cv);
	}
	if (rx->spin && awaiting(rx)) {
		pthread_mutex_unlock(&rx->mu);
		spin_for_batch(rx);
		pthread_mutex_lock(&rx->mu);
	}
	while (rx->taken == rx->produced && !rx->finished) {
		pthread_cond_wait(&rx->data_cv, &rx->mu);
	}
	if (rx->taken == rx->produced) {
		pthread_mutex_unlock(&rx->mu);
		return 0;
	}
	s = &rx->slot[rx->taken % NSLOTS];
	rx->taken++;
	pthread_mutex_unlock(&rx->mu);
	*buf = s->buf;
	return s->len;
}

bool diag_rx_stop(struct diag_rx *rx)
{
	bool complete;

	if (!rx) {
		return true;
	}
	if (rx->threaded) {
		pthread_mutex_lock(&rx->mu);
		rx->stop = true;
		pthread_cond_signal(&rx->space_cv);
		pthread_mutex_unlock(&rx->mu);
		pthread_join(rx->tid, NULL);
	}
	/* Read to the end, and the end was a batch, not an error. */
	complete = rx->finished && rx->produced > 0 &&
		   rx->slot[(rx->produced - 1) % NSLOTS].len > 0;
	rx_free(rx);
	return complete;
}

// SPDX-License-Identifier: MIT
#include "diag_rx.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <pthread.h>
#include <stdlib.h>

#include "util.h"

/*
 * Batches in flight: the ones being parsed, the one being received, and
 * slack so neither side waits on a short hiccup of the other.
 */
#define NSLOTS 8
/*
 * A consumer with nothing to parse sleeps until this many batches are
 * ready (or the dump ended), then parses them in one go. The reader is
 * the slow side (the kernel walks its tables inside recvmsg), so a
 * consumer woken per batch would sleep and wake for almost every one: a
 * futex wake-up in the reader and a wake-up of an idle CPU each time.
 * Polling instead (sched_yield) kept a CPU busy for nothing, and on a
 * machine whose other CPU is taken it ran in place of the reader. At most
 * NSLOTS, or the reader could wait for room that the consumer never makes.
 */
#define WAKE_BATCHES 4

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
	/* Under mu. Counters only grow: released <= taken <= produced. */
	unsigned long produced, taken, released;
	bool finished; /* the reader saw the end or an error */
	bool stop;     /* the consumer wants no more */
	bool threaded; /* false: no thread could start, next() receives */
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

	rx->finished = end;
	rx->produced++;
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
		if (rx->finished || rx->produced - rx->taken >= WAKE_BATCHES) {
			pthread_cond_signal(&rx->data_cv);
		}
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
	/* Nothing ready: sleep until a few batches are (WAKE_BATCHES). */
	if (rx->taken == rx->produced) {
		while (!rx->finished &&
		       rx->produced - rx->taken < WAKE_BATCHES) {
			pthread_cond_wait(&rx->data_cv, &rx->mu);
		}
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

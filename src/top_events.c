// SPDX-License-Identifier: MIT
#include "top_events.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "filter.h"
#include "top_collect.h"
#include "util.h"
#include "watch_nl.h"

/* The reader only calls recv: a small stack (as diag_rx.c's). */
#define READER_STACK (256 * 1024)

struct top_events {
	int fd;
	int wake[2]; /* a byte on wake[1] stops the reader */
	bool threaded;
	pthread_t tid;
	pthread_mutex_t mu;
	/* Under mu: the closes received since the last drain, the losses. */
	struct top_close *q;
	size_t n, cap;
	uint64_t lost;
	struct watch_nl_drops drops; /* the reader's */
	char buf[65536];	     /* the reader's */
};

bool top_close_passes(const struct sock_rec *rec, const struct opts *o,
		      const struct filter *f)
{
	uint32_t fam = rec->family == AF_INET6 ? FAM_INET6 : FAM_INET;
	uint32_t proto = rec->protocol == IPPROTO_TCP	? PROTO_TCP
			 : rec->protocol == IPPROTO_UDP ? PROTO_UDP
							: 0;
	uint32_t mask;

	if (!(o->protocols & proto) || !(o->families & fam) ||
	    rec->state >= SS_MAX) {
		return false;
	}
	/* States as the kernel reports a destroy (TCP ends in CLOSE), as
	 * watch reads them; -l's bound-inactive CLOSE is no such state. */
	if (filter_states(f, &mask)) {
		if (!(mask & SS_BIT(rec->state))) {
			return false;
		}
	} else if (o->listening &&
		   (rec->dport || !addr_is_any(rec->family, rec->daddr))) {
		return false;
	}
	return filter_match(f, rec);
}

/* What is queued on the socket, stamped now; false on a hard error. */
static bool read_some(struct top_events *ev)
{
	for (;;) {
		ssize_t n = recv(ev->fd, ev->buf, sizeof(ev->buf), 0);
		double when = top_now();
		size_t len;

		if (n < 0 && (errno == ENOBUFS || errno == EAGAIN)) {
			bool enobufs = errno == ENOBUFS;
			uint64_t k = watch_nl_dropped(ev->fd, &ev->drops,
						      enobufs ? WATCH_NL_ENOBUFS
							      : WATCH_NL_EMPTY);

			pthread_mutex_lock(&ev->mu);
			ev->lost += k;
			pthread_mutex_unlock(&ev->mu);
			if (enobufs) {
				continue;
			}
			return true;
		}
		if (n < 0) {
			return errno == EINTR;
		}
		len = (size_t)n;
		pthread_mutex_lock(&ev->mu);
		for (const struct nlmsghdr *h = (const void *)ev->buf;
		     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct sock_rec rec;

			if (watch_nl_parse(h, &rec)) {
				continue;
			}
			if (ev->n == TOP_EVENTS_QUEUE_MAX) {
				ev->lost++; /* nobody drains (paused) */
				continue;
			}
			if (ev->n == ev->cap) {
				ev->cap = ev->cap ? 2 * ev->cap : 256;
				ev->q =
				    xrealloc(ev->q, ev->cap * sizeof(*ev->q));
			}
			top_close_from_rec(&ev->q[ev->n++], &rec, when);
		}
		pthread_mutex_unlock(&ev->mu);
	}
}

static void *reader(void *arg)
{
	struct top_events *ev = arg;
	struct pollfd p[2] = {{.fd = ev->fd, .events = POLLIN},
			      {.fd = ev->wake[0], .events = POLLIN}};

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			break;
		}
		if (p[1].revents || !read_some(ev)) {
			break;
		}
	}
	return NULL;
}

static bool start_thread(struct top_events *ev)
{
	if (pipe2(ev->wake, O_CLOEXEC)) {
		return false;
	}
	return thread_start_quiet(&ev->tid, READER_STACK, reader, ev) == 0;
}

int top_events_open(struct top_events **out, const struct opts *o, char *why,
		    size_t size)
{
	struct top_events *ev;
	int fd;

	*out = NULL;
	/* Tests stand for a kernel or a namespace that refuses the groups
	 * (old kernels lack them; Linux lets any user join, another kernel
	 * or a security module may say -EPERM). */
	if (getenv("SOCKSCOPE_TEST_TOP_NO_EVENTS")) {
		snprintf(why, size, "cannot join the socket destroy events: %s",
			 strerror(EPERM));
		return -EPERM;
	}
	fd = watch_nl_open(o->protocols, o->families, why, size);
	if (fd < 0) {
		return fd;
	}
	ev = xcalloc(1, sizeof(*ev));
	ev->fd = fd;
	ev->wake[0] = ev->wake[1] = -1;
	pthread_mutex_init(&ev->mu, NULL);
	/* Without a thread, each drain reads what is queued (the times are
	 * then the drain's). */
	ev->threaded = start_thread(ev);
	*out = ev;
	return 0;
}

void top_events_close(struct top_events *ev)
{
	if (!ev) {
		return;
	}
	if (ev->threaded) {
		while (write(ev->wake[1], "", 1) < 0 && errno == EINTR) {
		}
		pthread_join(ev->tid, NULL);
	}
	for (int i = 0; i < 2; i++) {
		if (ev->wake[i] >= 0) {
			close(ev->wake[i]);
		}
	}
	close(ev->fd);
	pthread_mutex_destroy(&ev->mu);
	free(ev->q);
	free(ev);
}

void top_events_drain(struct top_events *ev, struct top_ui *ui)
{
	const struct filter *f = top_ui_filter(ui);
	uint32_t mask;

	if (!ev) {
		return;
	}
	ui->gones.wait_event = filter_states(f, &mask);
	if (!ev->threaded) {
		read_some(ev);
	}
	pthread_mutex_lock(&ev->mu);
	for (size_t i = 0; i < ev->n; i++) {
		ev->q[i].passes = top_close_passes(&ev->q[i].rec, ui->o, f);
		top_gones_add_close(&ui->gones, &ev->q[i]);
	}
	ev->n = 0;
	ui->gones.lost = ev->lost;
	pthread_mutex_unlock(&ev->mu);
}

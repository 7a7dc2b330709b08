// SPDX-License-Identifier: MIT
/*
 * fill.h: what the fill process (fill.c: options, holder processes, the
 * stdin protocol) needs from fill_net.c (namespace setup, socket creation).
 *
 * int functions return 0 or -errno (fill_listener_open: the descriptor).
 * The socket-creating ones print what failed, as "fill: context: reason";
 * for the setup ones (lo, rlimit, listeners) the caller says what it tried.
 */
#ifndef FILL_H
#define FILL_H

#include <stdbool.h>
#include <stdint.h>

/* Client k binds 127.0.0.(CLIENT_ADDR_FIRST + k / CLIENT_PORTS):(1024 + k %
 * CLIENT_PORTS). */
#define CLIENT_PORT_MIN	  1024
#define CLIENT_PORTS	  (65535 - CLIENT_PORT_MIN + 1)
#define CLIENT_ADDR_FIRST 2
#define CLIENT_ADDR_LAST  254
#define CLIENTS_MAX                                                            \
	((long)(CLIENT_ADDR_LAST - CLIENT_ADDR_FIRST + 1) * CLIENT_PORTS)
/*
 * Connections in flight per holder: well under the listen backlog, and
 * small because both ends of a batch need descriptors on top of the held ones.
 */
#define BATCH	1024
#define BACKLOG 65535
/* stdio, pipes, signalfd, ... (listeners are counted separately) */
#define FD_SLACK 64

struct opts {
	long established;
	long time_wait;
	long listen;
	long holders;
	long port_base;
	bool listeners_needed; /* print the listeners needed and exit */
};

/* What one holder creates. Client indices are global across holders. */
struct plan {
	long pair_first;
	long npairs;
	long tw_first;
	long ntw;
	int nl; /* this holder's listeners: lfd[i] listens on lport[i] */
	int *lfd;
	uint16_t *lport;
};

/* Refuses (-EPERM) unless this looks like a private namespace: the sysctls
 * fill_tune_netns() writes are per namespace and must not hit the host's. */
int fill_check_netns(void);
/* Raises the namespace's TCP limits (TIME-WAIT buckets, backlogs, port range).
 */
int fill_tune_netns(const struct opts *o);
int fill_lo_up(void);
/* Raises RLIMIT_NOFILE as far as allowed; returns the limit now in force or
 * -errno. Call before forking: holders inherit it. */
long fill_fd_budget(void);
/* A blocking listener on 127.0.0.1:port; returns the fd or -errno. */
int fill_listener_open(uint16_t port);
/* Connects p->npairs pairs; both ends go to fds[2i], fds[2i + 1]. On
 * failure, entries not reached are left as they were. */
int fill_make_pairs(const struct plan *p, int *fds);
/* Creates p->ntw TIME-WAIT sockets; run again, it replaces them in place. */
int fill_make_time_wait(const struct plan *p);
/* Arms an abortive close on every fd >= 0, for a quick exit. */
void fill_release(int *fds, long nfds);
/* Waits (bounded) until the kernel counts exactly the requested mix:
 * 0, or -EAGAIN with the last counts in *inuse and *tw. */
int fill_settle(const struct opts *o, long *inuse, long *tw);

#endif

/*
 * watch_nl.h - the sock_diag destroy multicast groups, shared by the two
 * readers of close events: `sockscope watch` (cmd_watch.c) and top's
 * closed rows (top_events.c). Opening and parsing only; each reader owns
 * its loop, its buffer and what an overflow (ENOBUFS) means to it.
 */
#ifndef SOCKSCOPE_WATCH_NL_H
#define SOCKSCOPE_WATCH_NL_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

/*
 * A non-blocking NETLINK_SOCK_DIAG socket joined to the destroy groups of
 * the protocols (PROTO_TCP, PROTO_UDP) and families (FAM_INET, FAM_INET6)
 * given, its receive buffer as large as allowed. Returns the descriptor
 * (the caller closes it), or -errno with the reason (no prefix) in why:
 * Linux lets any user join (NL_CFG_F_NONROOT_RECV); a kernel that refuses
 * says -EPERM, an old kernel has no groups.
 */
int watch_nl_open(uint32_t protocols, uint32_t families, char *why,
		  size_t size);

/* rec from one message of the groups; 0, or -errno when it is no
 * destroy notification (rec's ext points into the message). */
int watch_nl_parse(const struct nlmsghdr *nlh, struct sock_rec *rec);

/*
 * How many notifications the kernel dropped. ENOBUFS says only that some
 * were (once per overflow: those dropped after it was read raise no other
 * until the queue has been empty); the socket's sk_drops (SO_MEMINFO)
 * counts each. A reader keeps one struct watch_nl_drops, zeroed when the
 * socket is opened, and asks watch_nl_dropped() at each of these moments.
 */
enum watch_nl_moment {
	WATCH_NL_ENOBUFS, /* recv() failed with ENOBUFS */
	WATCH_NL_EMPTY,	  /* recv() found the queue empty (EAGAIN) */
	WATCH_NL_END,	  /* the reader stops */
};

struct watch_nl_drops {
	uint32_t seen; /* sk_drops at the last look (it wraps: 32 bits) */
	bool pending;  /* an ENOBUFS since the queue was last empty */
};

/*
 * The notifications dropped since the last call: sk_drops is read on
 * ENOBUFS, at the first EMPTY after one and at END (a no-op otherwise).
 * Where the kernel has no SO_MEMINFO (before 4.12) an ENOBUFS counts as
 * one, the least it means.
 */
uint64_t watch_nl_dropped(int fd, struct watch_nl_drops *d,
			  enum watch_nl_moment when);

#endif

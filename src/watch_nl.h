/*
 * watch_nl.h - the sock_diag destroy multicast groups, shared by the two
 * readers of close events: `sockscope watch` (cmd_watch.c) and top's
 * closed rows (top_events.c). Opening and parsing only; each reader owns
 * its loop, its buffer and what an overflow (ENOBUFS) means to it.
 */
#ifndef SOCKSCOPE_WATCH_NL_H
#define SOCKSCOPE_WATCH_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

/*
 * A non-blocking NETLINK_SOCK_DIAG socket joined to the destroy groups of
 * the protocols (PROTO_TCP, PROTO_UDP) and families (FAM_INET, FAM_INET6)
 * given, its receive buffer as large as allowed. Returns the descriptor
 * (the caller closes it), or -errno with the reason (no prefix) in why:
 * joining needs CAP_NET_ADMIN (-EPERM), an old kernel has no groups.
 */
int watch_nl_open(uint32_t protocols, uint32_t families, char *why,
		  size_t size);

/* rec from one message of the groups; 0, or -errno when it is no
 * destroy notification (rec's ext points into the message). */
int watch_nl_parse(const struct nlmsghdr *nlh, struct sock_rec *rec);

#endif

// SPDX-License-Identifier: MIT
#include "watch_nl.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag_parse.h"
#include "opts.h"
#include "util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Events queue here while a dump runs: 10,000 closes/s need room. */
#define WATCH_NL_RCVBUF (32 << 20)

/* The destroy groups of the selected protocols and families. */
static const struct {
	uint32_t proto, fam;
	int group;
} groups[] = {
    {PROTO_TCP, FAM_INET, SKNLGRP_INET_TCP_DESTROY},
    {PROTO_UDP, FAM_INET, SKNLGRP_INET_UDP_DESTROY},
    {PROTO_TCP, FAM_INET6, SKNLGRP_INET6_TCP_DESTROY},
    {PROTO_UDP, FAM_INET6, SKNLGRP_INET6_UDP_DESTROY},
};

static void set_rcvbuf(int fd)
{
	const char *test_rcvbuf = getenv("SOCKSCOPE_TEST_WATCH_RCVBUF");
	int size = WATCH_NL_RCVBUF;

	/* Tests shrink the buffer to make the kernel drop events. */
	if (test_rcvbuf) {
		size = atoi(test_rcvbuf);
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	} else if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
			      sizeof(size))) {
		/* Without CAP_NET_ADMIN: as much as rmem_max allows. */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
}

static int join(int fd, uint32_t protocols, uint32_t families, char *why,
		size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		if (!(protocols & groups[i].proto) ||
		    !(families & groups[i].fam)) {
			continue;
		}
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &groups[i].group, sizeof(groups[i].group))) {
			int err = -errno;

			snprintf(why, size,
				 "cannot join the socket destroy events: %s%s",
				 strerror(-err),
				 err == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
			return err;
		}
	}
	return 0;
}

int watch_nl_open(uint32_t protocols, uint32_t families, char *why, size_t size)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_SOCK_DIAG);
	if (fd < 0) {
		err = -errno;
		snprintf(why, size, "netlink socket: %s", strerror(-err));
		return err;
	}
	/* Unbound, a netlink socket is in no table and gets no group's
	 * messages: bind it (the kernel picks the port id). */
	if (bind(fd, (const struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		snprintf(why, size, "netlink bind: %s", strerror(-err));
		close(fd);
		return err;
	}
	set_rcvbuf(fd);
	err = join(fd, protocols, families, why, size);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int watch_nl_parse(const struct nlmsghdr *nlh, struct sock_rec *rec)
{
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY) {
		return -EBADMSG;
	}
	return diag_parse_inet(nlh, 0, rec);
}

uint64_t watch_nl_dropped(int fd, struct watch_nl_drops *d,
			  enum watch_nl_moment when)
{
	uint32_t mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);
	uint32_t before = d->seen;

	if (when == WATCH_NL_EMPTY && !d->pending) {
		return 0; /* nothing dropped without an ENOBUFS since */
	}
	d->pending = when == WATCH_NL_ENOBUFS;
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0])) {
		return when == WATCH_NL_ENOBUFS;
	}
	d->seen = mem[SK_MEMINFO_DROPS];
	return (uint32_t)(d->seen - before);
}

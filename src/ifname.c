// SPDX-License-Identifier: MIT
#include "ifname.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* One device in a saved record (the attribute's payload). */
struct saved_link {
	uint32_t ifindex;
	char name[IFNAME_BUFLEN];
};

#define ATTR_LINK 1
/* Devices per record: keeps each message far below a loader's limit. */
#define LINKS_PER_RECORD 256

struct ifnames {
	struct nl_sock *sk;
	struct nl_cache *links;
	bool tried;
	bool saved; /* names only from saved records */
	struct saved_link *e;
	size_t n, cap;
};

struct ifnames *ifnames_create(void)
{
	return xcalloc(1, sizeof(struct ifnames));
}

static void drop_live(struct ifnames *ifn)
{
	if (ifn->links) {
		nl_cache_free(ifn->links);
		ifn->links = NULL;
	}
	if (ifn->sk) {
		nl_socket_free(ifn->sk);
		ifn->sk = NULL;
	}
}

void ifnames_destroy(struct ifnames *ifn)
{
	if (!ifn) {
		return;
	}
	drop_live(ifn);
	free(ifn->e);
	free(ifn);
}

void ifnames_use_saved(struct ifnames *ifn)
{
	drop_live(ifn);
	ifn->tried = true;
	ifn->saved = true;
	ifn->n = 0;
}

static void load_links(struct ifnames *ifn)
{
	ifn->tried = true;
	ifn->sk = nl_socket_alloc();
	if (!ifn->sk) {
		return;
	}
	if (nl_connect(ifn->sk, NETLINK_ROUTE) < 0 ||
	    rtnl_link_alloc_cache(ifn->sk, AF_UNSPEC, &ifn->links) < 0) {
		ifn->links = NULL;
	}
}

const char *ifnames_lookup(struct ifnames *ifn, uint32_t ifindex,
			   char buf[IFNAME_BUFLEN])
{
	if (ifn->saved) {
		for (size_t i = 0; i < ifn->n; i++) {
			if (ifn->e[i].ifindex == ifindex) {
				memcpy(buf, ifn->e[i].name, IFNAME_BUFLEN);
				return buf;
			}
		}
		return NULL;
	}
	if (!ifn->tried) {
		load_links(ifn);
	}
	if (ifn->links &&
	    rtnl_link_i2name(ifn->links, (int)ifindex, buf, IFNAME_BUFLEN)) {
		return buf;
	}
	return NULL;
}

const char *ifnames_get(struct ifnames *ifn, uint32_t ifindex,
			char buf[IFNAME_BUFLEN])
{
	if (ifnames_lookup(ifn, ifindex, buf)) {
		return buf;
	}
	snprintf(buf, IFNAME_BUFLEN, "if%u", ifindex);
	return buf;
}

uint32_t ifnames_index(struct ifnames *ifn, const char *name)
{
	if (strlen(name) >= IFNAME_BUFLEN) {
		return 0;
	}
	if (!ifn || !ifn->saved) {
		return if_nametoindex(name);
	}
	for (size_t i = 0; i < ifn->n; i++) {
		if (!strcmp(ifn->e[i].name, name)) {
			return ifn->e[i].ifindex;
		}
	}
	return 0;
}

uint32_t ifnames_index_fn(void *ifn, const char *name)
{
	return ifnames_index(ifn, name);
}

static void add_saved(struct ifnames *ifn, const struct saved_link *l)
{
	if (ifn->n == ifn->cap) {
		ifn->cap = ifn->cap ? ifn->cap * 2 : 16;
		ifn->e = xrealloc(ifn->e, ifn->cap * sizeof(*ifn->e));
	}
	ifn->e[ifn->n++] = *l;
}

static int write_record(int fd, char *buf, struct nlmsghdr *nlh)
{
	const char *p = buf;
	size_t left = nlh->nlmsg_len;

	while (left) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return w < 0 ? -errno : -EIO;
		}
		p += w;
		left -= (size_t)w;
	}
	return 0;
}

static struct nlmsghdr *start_record(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_NOOP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, 8), IFNAMES_MAGIC, 8);
	return nlh;
}

/* The live cache of the current namespace, LINKS_PER_RECORD a message. */
static int save_links(struct nl_cache *links, int fd)
{
	size_t cap = MNL_NLMSG_HDRLEN + 8 +
		     LINKS_PER_RECORD *
			 MNL_ALIGN(MNL_ATTR_HDRLEN + sizeof(struct saved_link));
	char *buf = xcalloc(1, cap);
	struct nlmsghdr *nlh = start_record(buf);
	size_t in_msg = 0;
	int err = 0;

	for (struct nl_object *o = nl_cache_get_first(links); o && !err;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(link);
		struct saved_link l = {
		    .ifindex = (uint32_t)rtnl_link_get_ifindex(link)};

		if (!name || strlen(name) >= IFNAME_BUFLEN) {
			continue;
		}
		strcpy(l.name, name);
		mnl_attr_put(nlh, ATTR_LINK, sizeof(l), &l);
		if (++in_msg == LINKS_PER_RECORD) {
			err = write_record(fd, buf, nlh);
			memset(buf, 0, cap);
			nlh = start_record(buf);
			in_msg = 0;
		}
	}
	if (!err && in_msg) {
		err = write_record(fd, buf, nlh);
	}
	free(buf);
	return err;
}

int ifnames_save(int fd)
{
	struct ifnames *ifn = ifnames_create();
	int err = 0;

	load_links(ifn);
	if (ifn->links) {
		err = save_links(ifn->links, fd);
	}
	ifnames_destroy(ifn);
	return err;
}

int ifnames_load_record(struct ifnames *ifn, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_type != NLMSG_NOOP ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + 8 ||
	    memcmp(mnl_nlmsg_get_payload(nlh), IFNAMES_MAGIC, 8)) {
		return -ENOMSG;
	}
	mnl_attr_for_each(attr, nlh, 8)
	{
		struct saved_link l;

		if (mnl_attr_get_type(attr) != ATTR_LINK ||
		    mnl_attr_get_payload_len(attr) != sizeof(l)) {
			return -EBADMSG;
		}
		memcpy(&l, mnl_attr_get_payload(attr), sizeof(l));
		if (!memchr(l.name, '\0', sizeof(l.name))) {
			return -EBADMSG;
		}
		add_saved(ifn, &l);
	}
	/* mnl_attr_for_each stops at the first attribute that does not fit. */
	if ((const void *)attr != mnl_nlmsg_get_payload_tail(nlh)) {
		return -EBADMSG;
	}
	return 0;
}

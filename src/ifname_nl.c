// SPDX-License-Identifier: MIT
/*
 * The live link table through libnl-route (ifname_mod.h), built as the
 * module sockscope-nl.so: libnl-route's constructors (one reads
 * /etc/libnl/classid) run only in a sockscope that names a device.
 */
#include "ifname_mod.h"

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdlib.h>
#include <string.h>

struct ifname_links {
	struct nl_sock *sk;
	struct nl_cache *cache;
};

static void links_close(struct ifname_links *l)
{
	if (!l) {
		return;
	}
	if (l->cache) {
		nl_cache_free(l->cache);
	}
	if (l->sk) {
		nl_socket_free(l->sk);
	}
	free(l);
}

static struct ifname_links *links_open(void)
{
	struct ifname_links *l = calloc(1, sizeof(*l));

	if (!l) {
		return NULL;
	}
	l->sk = nl_socket_alloc();
	if (!l->sk || nl_connect(l->sk, NETLINK_ROUTE) < 0 ||
	    rtnl_link_alloc_cache(l->sk, AF_UNSPEC, &l->cache) < 0) {
		l->cache = NULL;
		links_close(l);
		return NULL;
	}
	return l;
}

static bool links_name(struct ifname_links *l, uint32_t ifindex,
		       char buf[IFNAME_BUFLEN])
{
	return rtnl_link_i2name(l->cache, (int)ifindex, buf, IFNAME_BUFLEN);
}

static int links_each(struct ifname_links *l, ifname_each_fn fn, void *data)
{
	for (struct nl_object *o = nl_cache_get_first(l->cache); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		const char *name = rtnl_link_get_name(link);
		int ret;

		if (!name || strlen(name) >= IFNAME_BUFLEN) {
			continue;
		}
		ret = fn((uint32_t)rtnl_link_get_ifindex(link), name, data);
		if (ret) {
			return ret;
		}
	}
	return 0;
}

MODULE_EXPORT const struct ifname_mod sockscope_ifname_mod = {
    .head = MODULE_HEAD(struct ifname_mod),
    .open = links_open,
    .close = links_close,
    .name = links_name,
    .each = links_each,
};

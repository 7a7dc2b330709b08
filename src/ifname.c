// SPDX-License-Identifier: MIT
#include "ifname.h"

#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

struct ifnames {
	struct nl_sock *sk;
	struct nl_cache *links;
	bool tried;
};

struct ifnames *ifnames_create(void)
{
	return xcalloc(1, sizeof(struct ifnames));
}

void ifnames_destroy(struct ifnames *ifn)
{
	if (!ifn) {
		return;
	}
	if (ifn->links) {
		nl_cache_free(ifn->links);
	}
	if (ifn->sk) {
		nl_socket_free(ifn->sk);
	}
	free(ifn);
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

const char *ifnames_get(struct ifnames *ifn, uint32_t ifindex,
			char buf[IFNAME_BUFLEN])
{
	if (!ifn->tried) {
		load_links(ifn);
	}
	if (ifn->links &&
	    rtnl_link_i2name(ifn->links, (int)ifindex, buf, IFNAME_BUFLEN)) {
		return buf;
	}
	snprintf(buf, IFNAME_BUFLEN, "%u", ifindex);
	return buf;
}

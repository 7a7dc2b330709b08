/*
 * ifname_mod.h - the table of sockscope-nl.so, the module that reads the
 * live link table through libnl-route (ifname_nl.c): only a row that
 * shows a device maps libnl. ifname.c loads it at a live table's first
 * lookup and keeps the saved tables and the record format itself.
 */
#ifndef SOCKSCOPE_IFNAME_MOD_H
#define SOCKSCOPE_IFNAME_MOD_H

#include <stdbool.h>
#include <stdint.h>

#include "ifname.h"
#include "module.h"

#define IFNAME_MOD_FILE	  "sockscope-nl.so"
#define IFNAME_MOD_SYMBOL "sockscope_ifname_mod"

struct ifname_links;

/* Called for each device with a name that fits; nonzero stops the walk. */
typedef int (*ifname_each_fn)(uint32_t ifindex, const char *name, void *data);

struct ifname_mod {
	struct module_head head;
	/* The link table of the current network namespace, dumped now; NULL
	 * when it cannot be read. */
	struct ifname_links *(*open)(void);
	void (*close)(struct ifname_links *l); /* NULL is fine */
	/* The name of ifindex into buf; false when there is none. */
	bool (*name)(struct ifname_links *l, uint32_t ifindex,
		     char buf[IFNAME_BUFLEN]);
	/* Every device, in the table's order; fn's nonzero return, or 0. */
	int (*each)(struct ifname_links *l, ifname_each_fn fn, void *data);
};

extern const struct ifname_mod sockscope_ifname_mod;

#endif

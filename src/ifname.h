/*
 * ifname.h - interface index -> name, from one libnl-route link-cache dump.
 *
 * ifnames_create() does no I/O; the first lookup dumps the link table once
 * (in the network namespace current at that moment) and later lookups read
 * the cache. A failed dump is not retried: lookups then give the number.
 */
#ifndef SOCKSCOPE_IFNAME_H
#define SOCKSCOPE_IFNAME_H

#include <stdint.h>

#define IFNAME_BUFLEN 16 /* IF_NAMESIZE */

struct ifnames;

struct ifnames *ifnames_create(void);
void ifnames_destroy(struct ifnames *ifn);

/* Name of ifindex written to buf (its decimal index if unknown); buf. */
const char *ifnames_get(struct ifnames *ifn, uint32_t ifindex,
			char buf[IFNAME_BUFLEN]);

#endif

/*
 * ifname.h - interface index <-> name in the namespace the sockets live in,
 * live (one libnl-route link-cache dump) or as saved with the sockets.
 *
 * A live table (ifnames_create()) does no I/O until its first lookup, which
 * loads sockscope-nl.so (module.h) and dumps the link table once in the
 * network namespace current at that moment: create it after entering the
 * namespace being read, one per namespace. A failed dump, or a module that
 * does not load, is not retried nor said: lookups then find nothing.
 *
 * A saved table (after ifnames_use_saved()) never asks the kernel: it
 * knows the names that ifnames_load_record() read from a --load file and
 * nothing else, so a dump from another host never shows a local device's
 * name. Names are as untrusted as any other a user chooses (anyone may
 * name devices in a namespace they own): escape them before printing.
 */
#ifndef SOCKSCOPE_IFNAME_H
#define SOCKSCOPE_IFNAME_H

#include <stdbool.h>
#include <stdint.h>

#define IFNAME_BUFLEN 16 /* IF_NAMESIZE */
/* An escaped name (util.h's escape_text()): 4 bytes per byte at most. */
#define IFNAME_ESCLEN (4 * (IFNAME_BUFLEN - 1) + 1)

struct ifnames;
struct nlmsghdr;

struct ifnames *ifnames_create(void);
void ifnames_destroy(struct ifnames *ifn);

/* From now on only saved names: drop the live cache and any names. */
void ifnames_use_saved(struct ifnames *ifn);

/* Name of ifindex in buf, or NULL when the namespace has no such index. */
const char *ifnames_lookup(struct ifnames *ifn, uint32_t ifindex,
			   char buf[IFNAME_BUFLEN]);

/* As ifnames_lookup(), but an unknown index reads "if<index>", as ss. */
const char *ifnames_get(struct ifnames *ifn, uint32_t ifindex,
			char buf[IFNAME_BUFLEN]);

/*
 * Index of the device called name, 0 when there is none. Live it asks the
 * kernel in the current namespace (if_nametoindex, no cache: a device may
 * come and go between top's refreshes); saved it reads the saved names.
 * ifn may be NULL: live.
 */
uint32_t ifnames_index(struct ifnames *ifn, const char *name);
/* ifnames_index() as filter.h's filter_index_fn (data: the ifnames). */
uint32_t ifnames_index_fn(void *ifn, const char *name);

/*
 * The saved record: NLMSG_NOOP messages (netlink's "ignore me") whose
 * payload opens with IFNAMES_MAGIC, then one attribute per device
 * (u32 ifindex, NUL-terminated name in 16 bytes). ifnames_save() writes
 * the live table of the current namespace to fd: 0 or -errno (a table that
 * cannot be read writes nothing and is not an error: the names are then
 * unknown, as in ss's dumps). ifnames_load_record() adds the names of one
 * message to a saved table: 0, -ENOMSG when nlh is not such a record,
 * -EBADMSG when it is but is malformed.
 */
#define IFNAMES_MAGIC "SSIFNAM1"
int ifnames_save(int fd);
int ifnames_load_record(struct ifnames *ifn, const struct nlmsghdr *nlh);

#endif

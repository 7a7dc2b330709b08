/*
 * diag_parse.h - one inet_diag netlink message -> struct sock_rec.
 *
 * Pure: no I/O, no allocation, so tests feed it captured bytes. The
 * record's ext pointers point into the message: valid as long as it is.
 */
#ifndef SOCKSCOPE_DIAG_PARSE_H
#define SOCKSCOPE_DIAG_PARSE_H

#include <linux/netlink.h>
#include <stdint.h>

#include "sock.h"

/*
 * Fill rec from a SOCK_DIAG_BY_FAMILY reply. protocol is the one the dump
 * asked for; an INET_DIAG_PROTOCOL attribute overrides it. Unknown
 * attributes are skipped; known ones of the wrong size are ignored.
 * Returns 0, or -EBADMSG if the message is too short, its family is not
 * AF_INET/AF_INET6, or an attribute runs past its end.
 */
int diag_parse_inet(const struct nlmsghdr *nlh, uint8_t protocol,
		    struct sock_rec *rec);

/*
 * Any family's reply: the family byte that starts every sock_diag message
 * picks the parser (family.h). Returns as diag_parse_inet(); -EBADMSG
 * also for a family with no entry.
 */
int diag_parse(const struct nlmsghdr *nlh, uint8_t protocol,
	       struct sock_rec *rec);

#endif

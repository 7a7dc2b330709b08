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

/* ---- for the families' parsers (family_*.c) ---- */

/*
 * The hdr_len-byte message of a reply of family af: NULL unless nlh holds
 * it and its first byte (every *_diag_msg starts with its family) is af.
 * Else rec is zeroed, its family af and v6only -1 (no such option).
 */
const void *diag_parse_msg(const struct nlmsghdr *nlh, size_t hdr_len,
			   uint8_t af, struct sock_rec *rec);

/* Each attribute after the hdr_len-byte message, to fn. Returns 0, or
 * -EBADMSG when one runs past the message's end. */
int diag_parse_attrs(const struct nlmsghdr *nlh, size_t hdr_len,
		     void (*fn)(const struct nlattr *a, struct sock_rec *rec),
		     struct sock_rec *rec);

/* A message's two-word cookie as one number. */
uint64_t diag_parse_cookie(const uint32_t cookie[2]);

#endif

/*
 * diag_parse.h - one inet_diag netlink message -> struct sock_rec.
 *
 * Pure: no I/O, no allocation, so tests feed it captured bytes. The
 * record's ext pointers point into the message: valid as long as it is.
 */
#ifndef SOCKSCOPE_DIAG_PARSE_H
#define SOCKSCOPE_DIAG_PARSE_H

#include <errno.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * libmnl's attribute accessors and walk (mnl_attr_ok(), mnl_attr_next()),
 * with the same checks, inline: they run for every attribute of every
 * row, and each was a call into the shared library (a tenth of the
 * listing's own time at 100,000 UNIX sockets). Only for an attribute that
 * diag_parse_attrs() has bounded.
 */
static inline uint16_t diag_attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static inline const void *diag_attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline size_t diag_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* The first 4 bytes of the payload: check diag_attr_len() first. */
static inline uint32_t diag_attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, diag_attr_data(a), sizeof(v));
	return v;
}

/*
 * Each attribute after the hdr_len-byte message, to fn. Returns 0, or
 * -EBADMSG when one runs past the message's end. Inline so that a
 * family's fn, known at its call site, is inlined into the walk.
 */
static inline int diag_parse_attrs(const struct nlmsghdr *nlh, size_t hdr_len,
				   void (*fn)(const struct nlattr *a,
					      struct sock_rec *rec),
				   struct sock_rec *rec)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(hdr_len);

	while (p < end) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t left = (size_t)(end - p);

		if (left < sizeof(*a) || a->nla_len < sizeof(*a) ||
		    a->nla_len > left) {
			return -EBADMSG;
		}
		fn(a, rec);
		p += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* A message's two-word cookie as one number. */
uint64_t diag_parse_cookie(const uint32_t cookie[2]);

#endif

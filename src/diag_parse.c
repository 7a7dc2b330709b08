// SPDX-License-Identifier: MIT
#include "diag_parse.h"

#include "family.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* A NUL-terminated string attribute's text, or NULL. */
static const char *attr_str(const struct nlattr *a)
{
	const char *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);

	return len > 0 && memchr(p, '\0', len) ? p : NULL;
}

/* INET_DIAG_ULP_INFO nests the upper layer protocol's name ("tls"). */
static void parse_ulp(const struct nlattr *nest, struct sock_rec *rec)
{
	const struct nlattr *a;
	const char *end = (const char *)nest + nest->nla_len;

	for (a = mnl_attr_get_payload(nest); (const char *)a < end;
	     a = mnl_attr_next(a)) {
		if (!mnl_attr_ok(a, (int)(end - (const char *)a))) {
			return;
		}
		if (mnl_attr_get_type(a) == INET_ULP_INFO_NAME) {
			rec->ext.ulp = attr_str(a);
		}
	}
}

static void parse_attr(const struct nlattr *a, struct sock_rec *rec)
{
	const void *p = diag_attr_data(a);
	size_t len = diag_attr_len(a);

	switch (diag_attr_type(a)) {
	case INET_DIAG_SHUTDOWN:
		if (len >= 1) {
			rec->shutdown = *(const uint8_t *)p;
			rec->has_shutdown = true;
		}
		break;
	case INET_DIAG_SKV6ONLY:
		if (len >= 1) {
			rec->v6only = (int8_t)(*(const uint8_t *)p != 0);
		}
		break;
	case INET_DIAG_PROTOCOL:
		if (len >= 1) {
			rec->protocol = *(const uint8_t *)p;
		}
		break;
	case INET_DIAG_MARK:
		if (len >= 4) {
			rec->mark = diag_attr_u32(a);
			rec->has_mark = true;
		}
		break;
	case INET_DIAG_CGROUP_ID:
		if (len >= 8) {
			memcpy(&rec->cgroup_id, p, 8);
			rec->has_cgroup = true;
		}
		break;
	case INET_DIAG_SKMEMINFO:
		rec->ext.skmem = p;
		rec->ext.skmem_len = len / sizeof(uint32_t);
		break;
	case INET_DIAG_INFO:
		rec->ext.tcp_info = p;
		rec->ext.tcp_info_len = len;
		break;
	case INET_DIAG_CONG:
		/* Only a NUL-terminated name is used; anything else is noise.
		 */
		rec->ext.cong = attr_str(a);
		break;
	case INET_DIAG_VEGASINFO:
	case INET_DIAG_DCTCPINFO:
	case INET_DIAG_BBRINFO:
		rec->ext.cc_info = p;
		rec->ext.cc_info_len = len;
		rec->ext.cc_type = diag_attr_type(a);
		break;
	case INET_DIAG_ULP_INFO:
		parse_ulp(a, rec);
		break;
	default:
		break;
	}
}

static void copy_addr(uint8_t *dst, const __be32 *src, uint8_t family)
{
	memset(dst, 0, 16);
	memcpy(dst, src, family == AF_INET ? 4 : 16);
}

int diag_parse_inet(const struct nlmsghdr *nlh, uint8_t protocol,
		    struct sock_rec *rec)
{
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m))) {
		return -EBADMSG;
	}
	m = NLMSG_DATA(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6) {
		return -EBADMSG;
	}
	memset(rec, 0, sizeof(*rec));
	rec->family = m->idiag_family;
	rec->protocol = protocol;
	rec->state = m->idiag_state;
	rec->timer = m->idiag_timer;
	rec->retrans = m->idiag_retrans;
	rec->v6only = -1;
	rec->sport = ntohs(m->id.idiag_sport);
	rec->dport = ntohs(m->id.idiag_dport);
	rec->ifindex = m->id.idiag_if;
	rec->expires_ms = m->idiag_expires;
	rec->recv_q = m->idiag_rqueue;
	rec->send_q = m->idiag_wqueue;
	rec->uid = m->idiag_uid;
	rec->inode = m->idiag_inode;
	rec->cookie = (uint64_t)m->id.idiag_cookie[0] |
		      (uint64_t)m->id.idiag_cookie[1] << 32;
	copy_addr(rec->saddr, m->id.idiag_src, rec->family);
	copy_addr(rec->daddr, m->id.idiag_dst, rec->family);

	return diag_parse_attrs(nlh, sizeof(*m), parse_attr, rec);
}

int diag_parse(const struct nlmsghdr *nlh, uint8_t protocol,
	       struct sock_rec *rec)
{
	const struct sock_family *f;

	if (nlh->nlmsg_len < NLMSG_LENGTH(1)) {
		return -EBADMSG;
	}
	f = family_of(*(const uint8_t *)NLMSG_DATA(nlh));
	return f ? f->parse(nlh, protocol, rec) : -EBADMSG;
}

const void *diag_parse_msg(const struct nlmsghdr *nlh, size_t hdr_len,
			   uint8_t af, struct sock_rec *rec)
{
	const uint8_t *m = NLMSG_DATA(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(hdr_len) || m[0] != af) {
		return NULL;
	}
	memset(rec, 0, sizeof(*rec));
	rec->family = af;
	rec->v6only = -1;
	return m;
}

uint64_t diag_parse_cookie(const uint32_t cookie[2])
{
	return (uint64_t)cookie[0] | (uint64_t)cookie[1] << 32;
}

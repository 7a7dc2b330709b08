// SPDX-License-Identifier: MIT
#include "format.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "ifname.h"
#include "state.h"

const char *format_netid(uint8_t protocol, char buf[8])
{
	/* The inet table's name in the registry: a new table names itself. */
	const struct family_table *t = family_table_of(AF_INET, protocol, NULL);

	if (t) {
		return t->name;
	}
	snprintf(buf, 8, "p%u", protocol);
	return buf;
}

static size_t put_port(char *p, const struct fmt_ctx *ctx, uint16_t port,
		       uint8_t protocol)
{
	const char *name;

	if (port == 0) {
		*p = '*';
		return 1;
	}
	/* A RAW socket's port is the protocol it carries (ss). */
	if (protocol == IPPROTO_RAW && ctx->svc && port <= 0xff) {
		return family_raw_proto_name(p, (uint8_t)port);
	}
	name = ctx->svc ? services_name(ctx->svc, port, protocol) : NULL;
	if (name) {
		/* Bounded: a hostile services file must not overflow buf. */
		size_t n = strnlen(name, SERVICE_NAME_MAX);

		memcpy(p, name, n);
		return n;
	}
	return (size_t)sprintf(p, "%u", port);
}

const char *format_rec_netid(const struct sock_rec *rec, char buf[8])
{
	const struct sock_family *f = family_of(rec->family);

	return f ? f->netid(rec, buf) : format_netid(rec->protocol, buf);
}

const char *format_rec_state(const struct sock_rec *rec)
{
	/* protocol is an IPPROTO_ for inet only (netlink's 6 is XFRM). */
	bool inet = rec->family == AF_INET || rec->family == AF_INET6;

	return state_name(rec->state, inet ? rec->protocol : 0);
}

const char *format_family_name(const struct sock_rec *rec)
{
	const struct sock_family *f = family_of(rec->family);

	if (rec->family == AF_INET6) {
		return "inet6";
	}
	return f ? f->name : "unknown";
}

size_t format_endpoint(char *buf, const struct fmt_ctx *ctx,
		       const struct sock_rec *rec, bool peer)
{
	const struct sock_family *f = family_of(rec->family);

	return f ? f->endpoint(buf, ctx, rec, peer)
		 : format_inet_endpoint(buf, ctx, rec, peer);
}

size_t format_inet_endpoint(char *buf, const struct fmt_ctx *ctx,
			    const struct sock_rec *rec, bool peer)
{
	const uint8_t *addr = peer ? rec->daddr : rec->saddr;
	uint16_t port = peer ? rec->dport : rec->sport;
	size_t n = 0;

	if (peer && addr_is_any(rec->family, addr)) {
		buf[n++] = '*';
	} else if (rec->family == AF_INET6) {
		buf[n++] = '[';
		n += addr_format(buf + n, rec->family, addr);
		buf[n++] = ']';
	} else {
		n += addr_format(buf + n, rec->family, addr);
	}
	if (rec->ifindex && !(peer && addr_is_any(rec->family, addr))) {
		char name[IFNAME_BUFLEN];

		buf[n++] = '%';
		ifnames_get(ctx->ifn, rec->ifindex, name);
		n += escape_text(buf + n, name, strnlen(name, IFNAME_BUFLEN));
	}
	buf[n++] = ':';
	n += put_port(buf + n, ctx, port, rec->protocol);
	buf[n] = '\0';
	return n;
}

// SPDX-License-Identifier: MIT
#include "family.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"
#include "util.h"

/*
 * The registry: one line per family, each family_<name> defined in
 * family_<name>.c (declared here: only this table names them). MPTCP,
 * RAW and SCTP come after inet: their rows are inet records,
 * family_of(AF_INET) must stay inet's. TIPC, XDP and DCCP are probed only
 * (family_probe.c).
 */
/* clang-format off */
#define FAMILIES(X)                                                            \
	X(inet)                                                                \
	X(unix)                                                                \
	X(packet)                                                              \
	X(netlink)                                                             \
	X(mptcp)                                                               \
	X(raw)                                                                 \
	X(sctp)                                                                \
	X(vsock)                                                               \
	X(tipc)                                                                \
	X(xdp)                                                                 \
	X(dccp)
/* clang-format on */

#define FAMILY_DECLARE(name) extern const struct sock_family family_##name;
#define FAMILY_ENTRY(name)   &family_##name,
FAMILIES(FAMILY_DECLARE)
static const struct sock_family *const families[] = {FAMILIES(FAMILY_ENTRY)};

const struct sock_family *family_of(uint8_t af)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (families[i]->af == af ||
		    (af == AF_INET6 && families[i]->af == AF_INET)) {
			return families[i];
		}
	}
	return NULL;
}

bool family_answers(const struct sock_rec *rec, uint32_t preds)
{
	const struct sock_family *f = family_of(rec->family);

	return f && (f->preds & preds) == preds;
}

bool family_autobound(const struct sock_rec *rec, uint16_t lo, uint16_t hi)
{
	const struct sock_family *f = family_of(rec->family);

	if (f && f->autobound) {
		return f->autobound(rec);
	}
	return rec->sport >= lo && rec->sport <= hi;
}

int64_t family_filter_port(const struct sock_rec *rec, bool peer)
{
	const struct sock_family *f;

	/* inet rows, the many, without the table walk */
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		f = family_of(rec->family);
		if (f && f->filter_port) {
			return f->filter_port(rec, peer);
		}
	}
	return peer ? rec->dport : rec->sport;
}

const uint8_t *family_filter_addr(const struct sock_rec *rec, bool peer,
				  uint8_t buf[16], uint8_t *af)
{
	const struct sock_family *f;

	/* inet rows, the many, without the table walk */
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		f = family_of(rec->family);
		if (f && f->filter_addr) {
			*af = f->filter_addr(rec, peer, buf);
			return buf;
		}
	}
	*af = rec->family;
	return peer ? rec->daddr : rec->saddr;
}

const char *family_upper(char buf[FAMILY_UPPER_MAX], const char *name)
{
	size_t k;

	for (k = 0; name[k] && k + 1 < FAMILY_UPPER_MAX; k++) {
		buf[k] = (char)toupper((unsigned char)name[k]);
	}
	buf[k] = '\0';
	return buf;
}

const struct sock_family *const *family_all(size_t *n)
{
	*n = ARRAY_SIZE(families);
	return families;
}

/* A table's own name (the Netid column's): ss takes u_str, p_raw, v_dgr
 * ... as aliases of unix_stream, packet_raw, vsock_dgram. */
static uint32_t table_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_table *t = families[i]->tables;

		for (; t && t->name; t++) {
			if (!strcmp(t->name, name)) {
				return t->bit;
			}
		}
	}
	return 0;
}

uint32_t family_query(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_query *q = families[i]->queries;

		for (; q && q->name; q++) {
			if (!strcmp(q->name, name)) {
				return q->protos;
			}
		}
	}
	return table_named(name);
}

uint32_t family_fam_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_query *q = families[i]->fam_names;

		for (; q && q->name; q++) {
			if (!strcmp(q->name, name)) {
				return q->protos;
			}
		}
	}
	return 0;
}

const struct family_opt *family_opt_at(size_t i)
{
	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		const struct family_opt *o = families[f]->opts;

		for (; o && o->name; o++) {
			if (i-- == 0) {
				return o;
			}
		}
	}
	return NULL;
}

void family_names(char *buf, size_t size, bool fam)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_query *q =
		    fam ? families[i]->fam_names : families[i]->queries;

		for (; q && q->name && len < size; q++) {
			int n = snprintf(buf + len, size - len, "%s%s",
					 len ? ", " : "", q->name);

			len += n > 0 ? (size_t)n : 0;
		}
	}
}

void family_other_tables(uint32_t protocols, const uint64_t counts[32],
			 void (*fn)(void *arg, const char *name, uint64_t n),
			 void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_query *q = families[i]->queries;

		if ((families[i]->proto_bits &
		     (PROTO_INET_MASK | PROTO_UNIX_MASK)) ||
		    families[i]->probe_only) {
			continue;
		}
		for (; q && q->name; q++) {
			/* A single table's name, selected. */
			if (q->protos & (q->protos - 1) ||
			    !(protocols & q->protos)) {
				continue;
			}
			fn(arg, q->name, counts[__builtin_ctz(q->protos)]);
		}
	}
}

uint32_t family_tables(uint32_t fam_bits)
{
	uint32_t bits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (families[i]->fam_bits & fam_bits) {
			bits |= families[i]->proto_bits;
		}
	}
	return bits;
}

uint32_t family_all_protos(void)
{
	uint32_t bits = 0;

	/* The listed ones: a probe's notice is for who names it. */
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (!families[i]->probe_only) {
			bits |= families[i]->proto_bits;
		}
	}
	return bits;
}

const struct family_table *family_table_of(uint8_t af, uint8_t protocol,
					   const struct sock_family **fam)
{
	/* AF_INET6 rows are inet's, as family_of() has them */
	if (af == AF_INET6) {
		af = AF_INET;
	}
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct family_table *t = families[i]->tables;

		for (; families[i]->af == af && t && t->name; t++) {
			if (t->code < 0 || t->code == protocol) {
				if (fam) {
					*fam = families[i];
				}
				return t;
			}
		}
	}
	return NULL;
}

bool family_destroy_events(uint8_t af, uint8_t protocol)
{
	const struct sock_family *f = NULL;

	return family_table_of(af, protocol, &f) && f->destroy_events;
}

uint32_t family_proto_bit(const struct sock_rec *rec)
{
	const struct family_table *t =
	    family_table_of(rec->family, rec->protocol, NULL);

	return t ? t->bit : 0;
}

int family_key_cmp_u32(const uint8_t *a, const uint8_t *b, size_t off)
{
	uint32_t x, y;

	memcpy(&x, a + off, sizeof(x));
	memcpy(&y, b + off, sizeof(y));
	return (x > y) - (x < y);
}

// SPDX-License-Identifier: MIT
#include "top_model.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "field.h"
#include "util.h"

_Static_assert(SS_MAX <= 32, "top_row.state is 5 bits");
_Static_assert(AF_INET6 < 32, "top_row.family is 5 bits");
_Static_assert(sizeof(struct top_row) == 48, "a row per socket: keep it small");
_Static_assert(sizeof(struct top_item) == 8, "an item per socket: 8 bytes");

#define PREFETCH_AHEAD 8
#define TUPLE_KEY_LEN  40 /* family, saddr[16], daddr[16], dport, ns, pad */
#define TUPLES_MAX     (1u << 20)

struct top_rank {
	uint64_t id;
	uint64_t rank;
};

void top_snap_init(struct top_snap *s)
{
	memset(s, 0, sizeof(*s));
	keytab_init(&s->tuples, TUPLE_KEY_LEN);
	top_dict_init(&s->dict);
}

static void free_rtts(struct top_snap *s)
{
	free(s->rtt);
	free(s->asked);
	s->rtt = NULL;
	s->asked = NULL;
	s->n_asked = 0;
	s->cap_asked = 0;
}

void top_snap_finish(struct top_snap *s)
{
	free(s->rows);
	free_rtts(s);
	keytab_free(&s->tuples);
	top_dict_finish(&s->dict);
	memset(s, 0, sizeof(*s));
}

void top_snap_reset(struct top_snap *s)
{
	struct top_row *rows = s->rows;
	struct keytab tuples = s->tuples;
	struct top_dict dict = s->dict;
	size_t cap = s->cap;

	/* The RTTs are few, or wanted again only by the same kind of
	 * refresh (every row's): not kept. */
	free_rtts(s);
	memset(s, 0, sizeof(*s));
	s->rows = rows;
	s->cap = cap;
	s->tuples = tuples;
	keytab_clear(&s->tuples);
	s->dict = dict;
	top_dict_clear(&s->dict);
}

void top_snap_release(struct top_snap *s)
{
	free(s->rows);
	s->rows = NULL;
	s->n = 0;
	s->cap = 0;
	free_rtts(s);
	keytab_free(&s->tuples);
	keytab_init(&s->tuples, TUPLE_KEY_LEN);
	top_dict_finish(&s->dict);
}

void top_snap_trim(struct top_snap *s)
{
	if (s->n && s->n < s->cap) {
		s->rows = xrealloc(s->rows, s->n * sizeof(*s->rows));
		if (s->rtt) {
			s->rtt = xrealloc(s->rtt, s->n * sizeof(*s->rtt));
		}
		s->cap = s->n;
	}
	top_dict_trim(&s->dict);
}

/* The keytab's index and the segments it allocated (keytab.c sizes
 * segment c at 64 << c entries). */
static size_t keytab_bytes(const struct keytab *t)
{
	size_t b = t->cap * sizeof(*t->slot);

	for (size_t c = 0; c < ARRAY_SIZE(t->seg); c++) {
		if (t->seg[c]) {
			b += ((size_t)64 << c) * t->stride;
		}
	}
	return b;
}

size_t top_snap_bytes(const struct top_snap *s)
{
	return s->cap * sizeof(*s->rows) + keytab_bytes(&s->tuples) +
	       top_dict_bytes(&s->dict) +
	       (s->rtt ? s->cap * sizeof(*s->rtt) : 0) +
	       s->cap_asked * sizeof(*s->asked);
}

struct top_row *top_snap_add(struct top_snap *s, const struct sock_rec *rec)
{
	struct top_row *row;
	uint32_t rtt_us;

	if (s->n == s->cap) {
		/* Grows geometrically once; later refreshes reuse it. */
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->rows = xrealloc(s->rows, s->cap * sizeof(*s->rows));
		if (s->rtt) {
			s->rtt = xrealloc(s->rtt, s->cap * sizeof(*s->rtt));
		}
	}
	row = &s->rows[s->n++];
	if (top_row_from_rec(&s->dict, row, rec, &rtt_us)) {
		/* The dump has tcp_info: every row's RTT, in an array. */
		if (!s->rtt) {
			s->rtt = xmalloc(s->cap * sizeof(*s->rtt));
			/* Those asked before move in (top_snap_rtt reads
			 * the array once there is one). */
			for (size_t i = 0; i < s->n_asked; i++) {
				s->rtt[s->asked[i].row] = s->asked[i].rtt_us;
			}
			free(s->asked);
			s->asked = NULL;
			s->n_asked = 0;
			s->cap_asked = 0;
		}
		s->rtt[s->n - 1] = rtt_us;
	}
	return row;
}

void top_snap_set_owner(struct top_snap *s, struct top_row *row,
			const char *name, uint32_t pid)
{
	row->owner = pid || name[0] ? top_dict_owner(&s->dict, pid, name) : 0;
}

static int cmp_asked(const void *a, const void *b)
{
	uint32_t x = ((const struct top_rtt *)a)->row;
	uint32_t y = ((const struct top_rtt *)b)->row;

	return (x > y) - (x < y);
}

void top_snap_set_rtt(struct top_snap *s, size_t i, uint32_t rtt_us)
{
	size_t at = s->n_asked;

	s->rows[i].has_rtt = true;
	if (s->rtt) {
		s->rtt[i] = rtt_us;
		return;
	}
	if (s->n_asked == s->cap_asked) {
		s->cap_asked = s->cap_asked ? 2 * s->cap_asked : 64;
		s->asked = xrealloc(s->asked, s->cap_asked * sizeof(*s->asked));
	}
	/* Rows on screen are asked a page at a time, mostly in order. */
	while (at && s->asked[at - 1].row > i) {
		at--;
	}
	memmove(&s->asked[at + 1], &s->asked[at],
		(s->n_asked - at) * sizeof(*s->asked));
	s->asked[at] = (struct top_rtt){.row = (uint32_t)i, .rtt_us = rtt_us};
	s->n_asked++;
}

bool top_snap_rtt(const struct top_snap *s, size_t i, uint32_t *rtt_us)
{
	struct top_rtt key = {.row = (uint32_t)i};
	const struct top_rtt *at;

	if (!s->rows[i].has_rtt) {
		return false;
	}
	if (s->rtt) {
		*rtt_us = s->rtt[i];
		return true;
	}
	at = s->n_asked
		 ? bsearch(&key, s->asked, s->n_asked, sizeof(key), cmp_asked)
		 : NULL;
	if (at) {
		*rtt_us = at->rtt_us;
	}
	return at != NULL;
}

/* Whether rec takes an ephemeral port toward a peer: as summary counts. */
static bool outgoing(const struct top_snap *s, const struct sock_rec *rec)
{
	return s->eph_lo && rec->sport >= s->eph_lo &&
	       rec->sport <= s->eph_hi && rec->state != SS_LISTEN &&
	       rec->dport && !addr_is_any(rec->family, rec->daddr);
}

static void count_tuple(struct top_snap *s, const struct sock_rec *rec)
{
	uint8_t key[TUPLE_KEY_LEN] = {0};
	uint32_t *v;

	key[0] = rec->family;
	memcpy(key + 1, rec->saddr, 16);
	memcpy(key + 17, rec->daddr, 16);
	memcpy(key + 33, &rec->dport, sizeof(rec->dport));
	memcpy(key + 35, &s->counting_ns, sizeof(s->counting_ns));
	v = keytab_get(&s->tuples, key, TUPLES_MAX);
	if (v && ++v[0] > s->worst.sockets) {
		s->worst.family = rec->family;
		memcpy(s->worst.saddr, rec->saddr, 16);
		memcpy(s->worst.daddr, rec->daddr, 16);
		s->worst.dport = rec->dport;
		s->worst.ns = s->counting_ns;
		s->worst.sockets = v[0];
	}
}

void top_snap_count(struct top_snap *s, const struct sock_rec *rec)
{
	uint32_t bit = family_proto_bit(rec);

	s->total++;
	if (bit && rec->state < SS_MAX) {
		s->table_states[__builtin_ctz(bit)][rec->state]++;
	}
	if (sock_rec_is_tcp(rec) && rec->state < SS_MAX) {
		s->tcp_states[rec->state]++;
		if (outgoing(s, rec)) {
			count_tuple(s, rec);
		}
	}
}

uint32_t top_row_ifindex(const struct top_dict *d, const struct top_row *r)
{
	uint32_t ifindex;

	memcpy(&ifindex, top_intern_key(&d->local, r->local) + 17,
	       sizeof(ifindex));
	return ifindex;
}

uint32_t top_row_pid(const struct top_dict *d, const struct top_row *r)
{
	uint32_t pid = 0;

	if (r->owner) {
		memcpy(&pid, top_intern_key(&d->owner, r->owner), sizeof(pid));
	}
	return pid;
}

const char *top_row_proc(const struct top_dict *d, const struct top_row *r,
			 size_t *len)
{
	const char *name;

	if (!r->owner) {
		*len = 0;
		return "";
	}
	name = (const char *)top_intern_key(&d->owner, r->owner) + 4;
	*len = strnlen(name, 15);
	return name;
}

/*
 * The endpoints of a row of another family than inet, as a text entry:
 * what family.h's endpoint printers read beyond the row's own fields
 * (inode, ifindex, protocol), in the bytes the family's key() chooses.
 */
static uint32_t other_intern(struct top_dict *d, const struct sock_rec *rec)
{
	const struct sock_family *f = family_of(rec->family);
	uint8_t key[FAMILY_KEY_MAX];
	size_t len = f && f->key ? f->key(key, rec) : 0;

	return top_dict_text(d, key, len);
}

static void other_rec(const struct top_dict *d, uint32_t i,
		      struct sock_rec *rec)
{
	const struct sock_family *f = family_of(rec->family);
	size_t len;
	const uint8_t *key = top_dict_text_at(d, i, &len);

	if (f && f->key_rec) {
		f->key_rec(key, len, rec);
	}
}

bool top_row_from_rec(struct top_dict *d, struct top_row *row,
		      const struct sock_rec *rec, uint32_t *rtt_us)
{
	const size_t rtt_end = offsetof(struct tcp_info, tcpi_rtt) +
			       sizeof(((struct tcp_info *)0)->tcpi_rtt);
	/* A family the registry lists is kept; another (a probed one's
	 * reply in a --load file) is unknown. */
	const struct sock_family *f = family_of(rec->family);
	uint8_t family = f && !f->probe_only ? rec->family : AF_UNSPEC;

	memset(row, 0, sizeof(*row));
	row->cookie = rec->cookie;
	row->recv_q = rec->recv_q;
	row->send_q = rec->send_q;
	row->expires_ms = rec->timer ? rec->expires_ms : 0;
	row->uid = rec->uid;
	row->inode = rec->inode;
	row->local = top_dict_local(d, family, rec->saddr, rec->ifindex);
	if (family == AF_INET || family == AF_INET6) {
		row->peer = top_dict_peer(d, family, rec->daddr);
	} else {
		row->peer = other_intern(d, rec);
	}
	row->sport = rec->sport;
	row->dport = rec->dport;
	/* Bit-fields: as the family. */
	row->protocol = rec->protocol;
	row->state = rec->state < SS_MAX ? rec->state : 0;
	row->timer = rec->timer < 8 ? rec->timer : 0; /* 0-4 in the kernel */
	row->retrans = rec->retrans;
	/* Older kernels send a shorter tcp_info: take RTT only if present. */
	if (rec->ext.tcp_info && rec->ext.tcp_info_len >= rtt_end) {
		memcpy(rtt_us,
		       (const char *)rec->ext.tcp_info +
			   offsetof(struct tcp_info, tcpi_rtt),
		       sizeof(*rtt_us));
		row->has_rtt = true;
	}
	return row->has_rtt;
}

void top_row_rec(const struct top_dict *d, const struct top_row *r,
		 struct sock_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->family = top_row_family(d, r);
	rec->protocol = r->protocol;
	rec->state = r->state;
	rec->timer = r->timer;
	rec->retrans = r->retrans;
	rec->sport = r->sport;
	rec->dport = r->dport;
	rec->ifindex = top_row_ifindex(d, r);
	rec->expires_ms = r->expires_ms;
	rec->recv_q = r->recv_q;
	rec->send_q = r->send_q;
	rec->uid = r->uid;
	rec->inode = r->inode;
	rec->cookie = r->cookie;
	memcpy(rec->saddr, top_row_saddr(d, r), sizeof(rec->saddr));
	if (top_row_inet(d, r)) {
		top_row_daddr(d, r, rec->daddr);
	} else {
		other_rec(d, r->peer, rec);
	}
}

void top_row_target(const struct top_dict *d, const struct top_row *row,
		    struct top_target *t)
{
	top_row_rec(d, row, &t->rec);
	/* Into d, which a refresh replaces: a target keeps no name. */
	t->rec.ext.path = NULL;
	t->rec.ext.path_len = 0;
	t->ns = row->ns;
}

static double per_sec(uint64_t prev, uint64_t cur, double dt)
{
	/* Counters can go down (a netns reset, a wrap): no negative rate. */
	return cur >= prev ? (double)(cur - prev) / dt : 0.0;
}

void top_rates_compute(struct top_rates *r, const struct top_snap *prev,
		       const struct top_snap *cur)
{
	double dt = cur->when - prev->when;

	memset(r, 0, sizeof(*r));
	/* The first snapshot has nothing before it (when 0). */
	if (!(prev->when > 0.0) || !(dt > 0.0)) {
		return;
	}
	r->valid = true;
	for (unsigned int s = 0; s < SS_MAX; s++) {
		/* States shrink as often as they grow: signed change. */
		r->state[s] =
		    ((double)cur->tcp_states[s] - (double)prev->tcp_states[s]) /
		    dt;
	}
	if (prev->has_counters && cur->has_counters) {
		r->has_counters = true;
		r->new_conns = per_sec(prev->counters.new_conns,
				       cur->counters.new_conns, dt);
		r->retrans_segs = per_sec(prev->counters.retrans_segs,
					  cur->counters.retrans_segs, dt);
		r->listen_overflows =
		    per_sec(prev->counters.listen_overflows,
			    cur->counters.listen_overflows, dt);
	}
}

const char *top_group_name(enum top_group g)
{
	static const char *const names[TOP_GROUP_COUNT] = {
	    [TOP_GROUP_NONE] = "sockets",
	    [TOP_GROUP_STATE] = "state",
	    [TOP_GROUP_LPORT] = "local port",
	    [TOP_GROUP_RHOST] = "remote host",
	    [TOP_GROUP_RHOSTPORT] = "remote host:port",
	    [TOP_GROUP_PROCESS] = "process",
	    [TOP_GROUP_NETNS] = "namespace",
	};

	return (unsigned int)g < TOP_GROUP_COUNT ? names[g] : "sockets";
}

size_t top_mode_cols(enum top_group g, enum top_col out[TOP_COL_MAX])
{
	/* The namespace first, as list's Netns column. */
	static const enum top_col sockets[] = {
	    TOP_COL_NETNS,   TOP_COL_NETID, TOP_COL_STATE,   TOP_COL_LOCAL,
	    TOP_COL_PEER,    TOP_COL_RECVQ, TOP_COL_SENDQ,   TOP_COL_TIMER,
	    TOP_COL_RETRANS, TOP_COL_RTT,   TOP_COL_PROCESS, TOP_COL_UID,
	    TOP_COL_INODE,
	};
	static const enum top_col grouped[] = {
	    TOP_COL_KEY,   TOP_COL_COUNT,   TOP_COL_RECVQ,
	    TOP_COL_SENDQ, TOP_COL_RETRANS,
	};

	if (g != TOP_GROUP_NONE) {
		memcpy(out, grouped, sizeof(grouped));
		return ARRAY_SIZE(grouped);
	}
	memcpy(out, sockets, sizeof(sockets));
	return ARRAY_SIZE(sockets);
}

bool top_col_in_mode(enum top_col c, enum top_group g)
{
	enum top_col v[TOP_COL_MAX];
	size_t n = top_mode_cols(g, v);

	for (size_t i = 0; i < n; i++) {
		if (v[i] == c) {
			return true;
		}
	}
	return false;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* The order of two rows' endpoints of one family other than inet, as
 * their text reads (the family's key_cmp: the name, a port id), then the
 * inode. */
static int cmp_other(const struct top_dict *da, const struct top_row *a,
		     const struct top_dict *db, const struct top_row *b,
		     bool peer)
{
	const struct sock_family *f = family_of(top_row_family(da, a));
	size_t na, nb;
	const uint8_t *ka, *kb;
	int c = 0;

	if (f && f->key_cmp) {
		ka = top_dict_text_at(da, a->peer, &na);
		kb = top_dict_text_at(db, b->peer, &nb);
		c = f->key_cmp(ka, na, kb, nb, peer);
	}
	return c ? c : cmp_u64(a->inode, b->inode);
}

/* The byte order of two inet rows' peer addresses. */
static int cmp_peer(const struct top_dict *da, const struct top_row *a,
		    const struct top_dict *db, const struct top_row *b)
{
	uint8_t x[16], y[16], family;

	if (da == db && a->peer == b->peer) {
		return 0; /* one entry: one address */
	}
	/* Both inet (the callers asked): no family check per call. */
	top_dict_peer_addr(da, a->peer, &family, x);
	top_dict_peer_addr(db, b->peer, &family, y);
	return memcmp(x, y, sizeof(x));
}

int top_row_cmp_addr(const struct top_dict *da, const struct top_row *a,
		     const struct top_dict *db, const struct top_row *b,
		     bool peer)
{
	int c = cmp_u64(top_row_family(da, a), top_row_family(db, b));

	if (c) {
		return c;
	}
	if (!top_row_inet(da, a)) {
		return cmp_other(da, a, db, b, peer);
	}
	if (peer) {
		c = cmp_peer(da, a, db, b);
	} else {
		c = memcmp(top_row_saddr(da, a), top_row_saddr(db, b), 16);
	}
	if (c) {
		return c;
	}
	return cmp_u64(peer ? a->dport : a->sport, peer ? b->dport : b->sport);
}

/* Listening (or unconnected) sockets have no remote host: grouped by
 * remote host they make one heading of their own, ahead of the hosts. */
bool top_row_is_listener(const struct top_dict *d, const struct top_row *r)
{
	static const uint8_t zero[16];
	uint8_t daddr[16];

	if (!top_row_inet(d, r)) {
		return false; /* under its family's heading */
	}
	if (r->state == SS_LISTEN) {
		return true;
	}
	top_row_daddr(d, r, daddr);
	return !r->dport && !memcmp(daddr, zero, sizeof(zero));
}

/* The family of a row of another family than inet, 0 for inet: their
 * protocol codes overlap (netlink's 6 is XFRM, not TCP). */
static uint8_t other_family(const struct top_dict *d, const struct top_row *r)
{
	return top_row_inet(d, r) ? 0 : top_row_family(d, r);
}

/* By name, then pid (as summary: two nginx workers are two rows). */
static int cmp_owner(const struct top_dict *da, const struct top_row *a,
		     const struct top_dict *db, const struct top_row *b)
{
	size_t na, nb;
	const char *pa = top_row_proc(da, a, &na);
	const char *pb = top_row_proc(db, b, &nb);
	int c = memcmp(pa, pb, na < nb ? na : nb);

	if (!c) {
		c = cmp_u64(na, nb);
	}
	return c ? c : cmp_u64(top_row_pid(da, a), top_row_pid(db, b));
}

int top_row_cmp_key(const struct top_dict *da, const struct top_row *a,
		    const struct top_dict *db, const struct top_row *b,
		    enum top_group g)
{
	int c;

	switch (g) {
	case TOP_GROUP_STATE:
		c = cmp_u64(other_family(da, a), other_family(db, b));
		c = c ? c : cmp_u64(a->protocol, b->protocol);
		return c ? c : cmp_u64(a->state, b->state);
	case TOP_GROUP_LPORT:
		c = cmp_u64(other_family(da, a), other_family(db, b));
		c = c ? c : cmp_u64(a->protocol, b->protocol);
		return c ? c : cmp_u64(a->sport, b->sport);
	case TOP_GROUP_RHOST:
	case TOP_GROUP_RHOSTPORT:
		c = cmp_u64(!top_row_is_listener(da, a),
			    !top_row_is_listener(db, b));
		if (c || top_row_is_listener(da, a)) {
			return c;
		}
		/* No host: one heading per family, after the listeners. */
		c = cmp_u64(top_row_inet(da, a), top_row_inet(db, b));
		if (c || !top_row_inet(da, a)) {
			return c ? c
				 : cmp_u64(top_row_family(da, a),
					   top_row_family(db, b));
		}
		if (g == TOP_GROUP_RHOSTPORT) {
			return top_row_cmp_addr(da, a, db, b, true);
		}
		c = cmp_u64(top_row_family(da, a), top_row_family(db, b));
		return c ? c : cmp_peer(da, a, db, b);
	case TOP_GROUP_PROCESS:
		return cmp_owner(da, a, db, b);
	case TOP_GROUP_NETNS:
		/* The table's order: this namespace, then by kind and label. */
		return cmp_u64(a->ns, b->ns);
	default:
		return cmp_u64(a->cookie, b->cookie);
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ c[i]) * 0x100000001b3ull;
	}
	return h;
}

/* A group's id hashes the fields top_row_cmp_key() compares. */
static uint64_t key_id(const struct top_dict *d, const struct top_row *r,
		       enum top_group g)
{
	uint64_t h = fnv(0xcbf29ce484222325ull, &g, sizeof(g));
	uint8_t daddr[16];
	const char *proc;
	size_t len;

	switch (g) {
	case TOP_GROUP_STATE:
		h = fnv(h, &(uint8_t){other_family(d, r)}, 1);
		h = fnv(h, &r->protocol, 1);
		return fnv(h, &(uint8_t){r->state}, 1);
	case TOP_GROUP_LPORT:
		h = fnv(h, &(uint8_t){other_family(d, r)}, 1);
		h = fnv(h, &r->protocol, 1);
		return fnv(h, &r->sport, sizeof(r->sport));
	case TOP_GROUP_RHOSTPORT:
	case TOP_GROUP_RHOST:
		if (top_row_is_listener(d, r)) {
			return h;
		}
		if (!top_row_inet(d, r)) {
			return fnv(h ^ 1, &(uint8_t){top_row_family(d, r)}, 1);
		}
		if (g == TOP_GROUP_RHOSTPORT) {
			h = fnv(h, &r->dport, sizeof(r->dport));
		}
		h = fnv(h, &(uint8_t){top_row_family(d, r)}, 1);
		top_row_daddr(d, r, daddr);
		return fnv(h, daddr, 16);
	case TOP_GROUP_PROCESS:
		h = fnv(h, &(uint32_t){top_row_pid(d, r)}, sizeof(uint32_t));
		proc = top_row_proc(d, r, &len);
		return fnv(h, proc, len);
	case TOP_GROUP_NETNS:
		return fnv(h, &(uint16_t){r->ns}, sizeof(uint16_t));
	default:
		return r->cookie;
	}
}

/* The sort column's field and direction, looked up once per sort. */
struct sort_ctx {
	const struct top_order *ord;
	const struct top_items *it;
	const struct field *f;
	bool flip; /* largest first */
	bool rtt;  /* the column reads the RTT (resolved only then) */
};

bool top_col_desc(enum top_col c)
{
	return field_get((enum field_id)c)->desc;
}

static struct sort_ctx sort_ctx_of(const struct top_items *it)
{
	const struct field *f = field_get((enum field_id)it->ord.sort);

	return (struct sort_ctx){.ord = &it->ord,
				 .it = it,
				 .f = f,
				 .flip = f->desc != it->ord.invert,
				 .rtt = it->ord.sort == TOP_COL_RTT};
}

static uint64_t frozen_rank(const struct top_items *it, uint64_t id)
{
	size_t lo = 0, hi = it->n_frozen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (it->frozen[mid].id == id) {
			return it->frozen[mid].rank;
		}
		if (it->frozen[mid].id < id) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return UINT64_MAX; /* new since the freeze: after the known ones */
}

static const struct top_row *item_row(const struct top_items *it,
				      const struct top_item *x)
{
	if (x->group) {
		return &it->snap->rows[it->groups[x->i].rep];
	}
	return x->gone ? &it->gones->v[x->i].row : &it->snap->rows[x->i];
}

static uint64_t item_id(const struct top_items *it, const struct top_item *x)
{
	if (x->group) {
		return it->groups[x->i].id;
	}
	return x->gone ? ~it->gones->v[x->i].row.cookie
		       : it->snap->rows[x->i].cookie;
}

/* As top_items_ref(), the RTT left out unless rtt: what a comparison of
 * any other column needs, and it runs for every pair a sort compares. */
static void resolve(const struct top_items *it, const struct top_item *x,
		    struct top_ref *out, bool rtt)
{
	const struct top_row *r = item_row(it, x);

	if (x->group) {
		const struct top_group_acc *g = &it->groups[x->i];

		*out = (struct top_ref){.rep = r,
					.dict = &it->snap->dict,
					.id = g->id,
					.recv_q = g->recv_q,
					.send_q = g->send_q,
					.retrans = g->retrans,
					.count = g->count};
		if (rtt) {
			out->has_rtt =
			    top_snap_rtt(it->snap, g->rep, &out->rtt_us);
		}
		return;
	}
	/* A closed row's id is not its cookie: no selection or tag
	 * follows onto it. */
	*out = (struct top_ref){.rep = r,
				.dict = x->gone ? &it->gones->dict
						: &it->snap->dict,
				.id = x->gone ? ~r->cookie : r->cookie,
				.recv_q = r->recv_q,
				.send_q = r->send_q,
				.retrans = r->retrans,
				.count = 1,
				.gone = x->gone};
	if (!rtt) {
		return;
	}
	if (x->gone) {
		out->has_rtt = r->has_rtt;
		out->rtt_us = it->gones->v[x->i].rtt_us;
	} else {
		out->has_rtt = top_snap_rtt(it->snap, x->i, &out->rtt_us);
	}
}

void top_items_ref(const struct top_items *it, const struct top_item *x,
		   struct top_ref *out)
{
	resolve(it, x, out, true);
}

uint64_t top_items_id(const struct top_items *it, size_t i)
{
	return item_id(it, &it->v[i]);
}

const struct top_row *top_items_row(const struct top_items *it, size_t i)
{
	return item_row(it, &it->v[i]);
}

static int cmp_refs(const struct sort_ctx *sc, const struct top_ref *x,
		    const struct top_ref *y)
{
	int c;

	if (sc->it->is_frozen) {
		c = cmp_u64(frozen_rank(sc->it, x->id),
			    frozen_rank(sc->it, y->id));
		if (c) {
			return c;
		}
	}
	c = field_top_cmp(sc->f, x, y, sc->ord->group);
	if (sc->flip) {
		c = -c;
	}
	return c ? c : cmp_u64(x->id, y->id);
}

static int cmp_item(const void *pa, const void *pb, void *data)
{
	const struct sort_ctx *sc = data;
	struct top_ref x, y;

	resolve(sc->it, pa, &x, sc->rtt);
	resolve(sc->it, pb, &y, sc->rtt);
	return cmp_refs(sc, &x, &y);
}

struct group_ctx {
	const struct top_snap *snap;
	enum top_group g;
};

static int cmp_group(const void *pa, const void *pb, void *data)
{
	const struct group_ctx *gc = data;
	const struct top_dict *d = &gc->snap->dict;
	const struct top_item *x = pa, *y = pb;

	return top_row_cmp_key(d, &gc->snap->rows[x->i], d,
			       &gc->snap->rows[y->i], gc->g);
}

/* Sort the socket items by key, then fold runs of equal keys into one
 * group each, whose first row stands for it. */
static void fold_groups(struct top_items *it, enum top_group g)
{
	const struct top_row *rows = it->snap->rows;
	const struct top_dict *d = &it->snap->dict;
	struct group_ctx gc = {.snap = it->snap, .g = g};
	size_t out = 0;

	qsort_r(it->v, it->n, sizeof(*it->v), cmp_group, &gc);
	for (size_t i = 0; i < it->n; i++) {
		const struct top_row *cur = &rows[it->v[i].i];
		struct top_group_acc *acc;

		if (out && !top_row_cmp_key(d, &rows[it->groups[out - 1].rep],
					    d, cur, g)) {
			acc = &it->groups[out - 1];
			acc->count++;
			acc->recv_q += cur->recv_q;
			acc->send_q += cur->send_q;
			acc->retrans += cur->retrans;
			continue;
		}
		if (out == it->cap_groups) {
			it->cap_groups =
			    it->cap_groups ? 2 * it->cap_groups : 64;
			it->groups = xrealloc(
			    it->groups, it->cap_groups * sizeof(*it->groups));
		}
		it->groups[out] = (struct top_group_acc){
		    .id = key_id(d, cur, g),
		    .recv_q = cur->recv_q,
		    .send_q = cur->send_q,
		    .rep = it->v[i].i,
		    .retrans = cur->retrans,
		    .count = 1,
		};
		out++;
	}
	for (size_t i = 0; i < out; i++) {
		it->v[i] = (struct top_item){.i = (uint32_t)i, .group = 1};
	}
	it->n = out;
	it->n_groups = out;
}

void top_items_init(struct top_items *it)
{
	memset(it, 0, sizeof(*it));
}

void top_items_finish(struct top_items *it)
{
	free(it->v);
	free(it->groups);
	free(it->frozen);
	memset(it, 0, sizeof(*it));
}

size_t top_items_bytes(const struct top_items *it)
{
	return it->cap * sizeof(*it->v) + it->cap_groups * sizeof(*it->groups) +
	       (it->frozen ? (it->n_frozen ? it->n_frozen : 1) : 0) *
		   sizeof(*it->frozen);
}

void top_items_build(struct top_items *it, const struct top_snap *snap,
		     const struct top_order *ord)
{
	top_items_build_top(it, snap, ord, 0);
}

static void swap_items(struct top_item *a, struct top_item *b)
{
	struct top_item t = *a;

	*a = *b;
	*b = t;
}

/* The median of v[a], v[b], v[c] by cmp_item, as a pivot index. */
static size_t median3(struct top_item *v, size_t a, size_t b, size_t c,
		      struct sort_ctx *sc)
{
	if (cmp_item(&v[a], &v[b], sc) > 0) {
		size_t t = a;

		a = b;
		b = t;
	}
	if (cmp_item(&v[b], &v[c], sc) <= 0) {
		return b;
	}
	return cmp_item(&v[a], &v[c], sc) > 0 ? a : c;
}

/*
 * Quickselect: afterwards v[lo .. k) hold the k - lo smallest of
 * v[lo .. hi) (unordered) and every later item compares above them. Ids
 * break every tie, so items are distinct and the partition always moves.
 */
static void select_smallest(struct top_item *v, size_t lo, size_t hi, size_t k,
			    struct sort_ctx *sc)
{
	while (hi - lo > 1 && k > lo && k < hi) {
		size_t p = median3(v, lo, lo + (hi - lo) / 2, hi - 1, sc);
		size_t store = lo;
		struct top_ref pivot, x;

		swap_items(&v[p], &v[hi - 1]);
		resolve(sc->it, &v[hi - 1], &pivot, sc->rtt);
		for (size_t i = lo; i < hi - 1; i++) {
			/* Items point at rows in no order: ask for the row a
			 * few items ahead while this one is compared. */
			if (i + PREFETCH_AHEAD < hi - 1) {
				__builtin_prefetch(
				    item_row(sc->it, &v[i + PREFETCH_AHEAD]));
			}
			resolve(sc->it, &v[i], &x, sc->rtt);
			if (cmp_refs(sc, &x, &pivot) < 0) {
				swap_items(&v[i], &v[store++]);
			}
		}
		swap_items(&v[store], &v[hi - 1]);
		/* v[store] is in its final place. */
		if (store == k || store + 1 == k) {
			return;
		}
		if (k < store) {
			hi = store;
		} else {
			lo = store + 1;
		}
	}
}

void top_items_need(struct top_items *it, size_t want)
{
	struct sort_ctx sc = sort_ctx_of(it);
	size_t end = want && want < it->n_live ? want : it->n_live;

	if (end <= it->sorted) {
		return;
	}
	select_smallest(it->v, it->sorted, it->n_live, end, &sc);
	qsort_r(it->v + it->sorted, end - it->sorted, sizeof(*it->v), cmp_item,
		&sc);
	it->sorted = end;
}

size_t top_items_find(struct top_items *it, uint64_t id, size_t extra)
{
	struct sort_ctx sc = sort_ctx_of(it);
	size_t at = SIZE_MAX, rank = it->sorted;

	for (size_t i = 0; i < it->n; i++) {
		if (item_id(it, &it->v[i]) == id) {
			at = i;
			break;
		}
	}
	if (at == SIZE_MAX || at < it->sorted || at >= it->n_live) {
		if (at != SIZE_MAX && at < it->sorted) {
			top_items_need(it, at + 1 + extra);
		}
		return at;
	}
	/* Its place: after the sorted ones and the unsorted ones below. */
	for (size_t i = it->sorted; i < it->n_live; i++) {
		rank += cmp_item(&it->v[i], &it->v[at], &sc) < 0;
	}
	top_items_need(it, rank + 1 + extra);
	return rank;
}

void top_items_build_top(struct top_items *it, const struct top_snap *snap,
			 const struct top_order *ord, size_t want)
{
	it->ord = *ord;
	it->snap = snap;
	it->gones = NULL;
	it->sorted = 0;
	it->n_live = 0;
	it->n_groups = 0;
	if (!snap->n) {
		it->n = 0; /* and no qsort of a NULL array */
		return;
	}
	if (it->cap < snap->n) {
		it->cap = snap->n;
		it->v = xrealloc(it->v, it->cap * sizeof(*it->v));
	}
	it->n = snap->n;
	for (size_t i = 0; i < snap->n; i++) {
		it->v[i] = (struct top_item){.i = (uint32_t)i};
	}
	if (ord->group != TOP_GROUP_NONE) {
		fold_groups(it, ord->group);
	}
	it->n_live = it->n;
	top_items_need(it, want);
}

static int cmp_rank_id(const void *pa, const void *pb)
{
	const struct top_rank *a = pa, *b = pb;

	return cmp_u64(a->id, b->id);
}

void top_items_freeze(struct top_items *it)
{
	top_items_need(it, 0); /* every rank is recorded */
	free(it->frozen);
	it->frozen = xcalloc(it->n ? it->n : 1, sizeof(*it->frozen));
	for (size_t i = 0; i < it->n; i++) {
		it->frozen[i] =
		    (struct top_rank){.id = item_id(it, &it->v[i]), .rank = i};
	}
	it->n_frozen = it->n;
	qsort(it->frozen, it->n_frozen, sizeof(*it->frozen), cmp_rank_id);
	it->is_frozen = true;
}

void top_items_thaw(struct top_items *it)
{
	free(it->frozen);
	it->frozen = NULL;
	it->n_frozen = 0;
	it->is_frozen = false;
}

void top_gones_init(struct top_gones *g)
{
	memset(g, 0, sizeof(*g));
	top_dict_init(&g->dict);
}

void top_gones_finish(struct top_gones *g)
{
	free(g->v);
	free(g->pend);
	free(g->held);
	top_dict_finish(&g->dict);
	memset(g, 0, sizeof(*g));
}

void top_gones_clear(struct top_gones *g)
{
	top_dict_clear(&g->dict);
	g->n = 0;
	g->n_pend = 0;
	g->n_held = 0;
	g->valid = false;
}

static int cmp_cookie(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* bsearch() and qsort() of an empty array, which may be NULL. */
static void *find(const void *key, const void *v, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, v, n, size, cmp) : NULL;
}

static void sort(void *v, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n) {
		qsort(v, n, size, cmp);
	}
}

/* e (its row in g's dict) at the end of v. */
static void push_gone(struct top_gone **v, size_t *n, size_t *cap,
		      const struct top_gone *e)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = *e;
}

static void gone_add(struct top_gones *g, const struct top_gone *e)
{
	push_gone(&g->v, &g->n, &g->cap, e);
}

/* r's endpoints and owner, from their indices in src to those in dst. */
static void dict_copy_row(struct top_dict *dst, const struct top_dict *src,
			  struct top_row *r)
{
	uint32_t owner = r->owner; /* a bit-field */

	top_dict_copy(dst, src, &r->local, &r->peer, &owner);
	r->owner = owner;
}

/* Row i of s as a closed row of g: its endpoints and owner in g's dict. */
static struct top_gone gone_of(struct top_gones *g, const struct top_snap *s,
			       size_t i, double when)
{
	struct top_gone e = {.row = s->rows[i], .when = when};

	dict_copy_row(&g->dict, &s->dict, &e.row);
	e.row.has_rtt = top_snap_rtt(s, i, &e.rtt_us);
	return e;
}

/* Rebuild g's dict from the rows it keeps: what closed rows that went
 * interned leaves with them. */
static void compact_dict(struct top_gones *g)
{
	struct top_dict old = g->dict;
	struct top_gone *sets[2] = {g->v, g->held};
	size_t n[2] = {g->n, g->n_held};

	top_dict_init(&g->dict);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < n[k]; i++) {
			dict_copy_row(&g->dict, &old, &sets[k][i].row);
		}
	}
	top_dict_finish(&old);
}

static void count_close(struct top_gones *g, unsigned int state, double dt)
{
	if (state < SS_MAX) {
		g->rate[state] += 1.0 / dt;
	}
	g->total += 1.0 / dt;
}

/* Keep the entries of v younger than keep and not back in view (in now:
 * it re-entered the filter, or lives on in TIME_WAIT). */
static size_t prune(struct top_gone *v, size_t n, const uint64_t *now,
		    size_t n_now, double when, double keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (when - v[i].when <= keep &&
		    !bsearch(&v[i].row.cookie, now, n_now, sizeof(*now),
			     cmp_cookie)) {
			v[kept++] = v[i];
		}
	}
	return kept;
}

/* The RTT in rec's tcp_info, if the kernel's struct reaches it. */
static bool rec_rtt(const struct sock_rec *rec, uint32_t *rtt_us)
{
	const size_t off = offsetof(struct tcp_info, tcpi_rtt);

	if (!rec->ext.tcp_info || rec->ext.tcp_info_len < off + 4) {
		return false;
	}
	memcpy(rtt_us, (const char *)rec->ext.tcp_info + off, 4);
	return true;
}

void top_close_from_rec(struct top_close *c, const struct sock_rec *rec,
			double when)
{
	memset(c, 0, sizeof(*c));
	c->rec = *rec;
	memset(&c->rec.ext, 0, sizeof(c->rec.ext));
	c->when = when;
	c->has_rtt = rec_rtt(rec, &c->rtt_us);
	/* A freed socket's write allocation reads one below zero (UDP):
	 * nothing is queued on a destroyed socket. */
	if (c->rec.send_q == UINT32_MAX) {
		c->rec.send_q = 0;
	}
}

void top_gones_add_close(struct top_gones *g, const struct top_close *c)
{
	if (g->n_pend == g->cap_pend) {
		g->cap_pend = g->cap_pend ? 2 * g->cap_pend : 64;
		g->pend = xrealloc(g->pend, g->cap_pend * sizeof(*g->pend));
	}
	g->pend[g->n_pend++] = *c;
}

static int cmp_gone_cookie(const void *a, const void *b)
{
	return cmp_cookie(&((const struct top_gone *)a)->row.cookie,
			  &((const struct top_gone *)b)->row.cookie);
}

/*
 * The event's record over the row a refresh last saw (its process name
 * kept): what the event lacks comes from the row. An owner's reset (SO_LINGER
 * 0) clears the peer before the socket is freed; no event has uid or inode.
 */
static void close_row(struct top_gones *g, struct top_gone *e,
		      const struct top_close *c, const struct top_gone *seen)
{
	struct sock_rec rec = c->rec, was;
	uint32_t rtt_us;

	memset(e, 0, sizeof(*e));
	if (seen) {
		top_row_rec(&g->dict, &seen->row, &was);
		if (!rec.dport && was.dport) {
			rec.dport = was.dport;
			memcpy(rec.saddr, was.saddr, sizeof(rec.saddr));
			memcpy(rec.daddr, was.daddr, sizeof(rec.daddr));
		}
		rec.uid = rec.uid ? rec.uid : was.uid;
		rec.inode = rec.inode ? rec.inode : was.inode;
	}
	top_row_from_rec(&g->dict, &e->row, &rec, &rtt_us); /* no ext */
	if (seen) {
		e->row.owner = seen->row.owner;
		e->row.ns = seen->row.ns;
		e->row.rtt_asked = seen->row.rtt_asked;
		e->row.has_rtt = seen->row.has_rtt;
		e->rtt_us = seen->rtt_us;
	}
	if (c->has_rtt) {
		e->row.has_rtt = true;
		e->rtt_us = c->rtt_us;
	}
}

/* A socket's endpoints, to find its TIME_WAIT entry: a socket no dump
 * saw has no cookie yet when it enters TIME_WAIT, so the entry gets one
 * of its own. */
struct tw_key {
	uint8_t family;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

static int cmp_tw(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tw_key));
}

/* The TIME_WAIT entries of cur, sorted; *n how many. */
static struct tw_key *tw_keys(const struct top_snap *cur, size_t *n)
{
	struct tw_key *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const struct top_row *r = &cur->rows[i];
		const struct top_dict *d = &cur->dict;

		if (r->state != SS_TIME_WAIT) {
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[*n], 0, sizeof(*v));
		v[*n].family = top_row_family(d, r);
		v[*n].sport = r->sport;
		v[*n].dport = r->dport;
		memcpy(v[*n].saddr, top_row_saddr(d, r), 16);
		top_row_daddr(d, r, v[*n].daddr);
		(*n)++;
	}
	sort(v, *n, sizeof(*v), cmp_tw);
	return v;
}

/* Whether the close c is its socket entering TIME_WAIT (in cur). */
static bool to_time_wait(const struct top_close *c, const uint64_t *now,
			 size_t n_now, const struct tw_key *tw, size_t n_tw)
{
	struct tw_key key;

	if (bsearch(&c->rec.cookie, now, n_now, sizeof(*now), cmp_cookie)) {
		return true;
	}
	memset(&key, 0, sizeof(key));
	key.family = c->rec.family;
	key.sport = c->rec.sport;
	key.dport = c->rec.dport;
	memcpy(key.saddr, c->rec.saddr, 16);
	memcpy(key.daddr, c->rec.daddr, 16);
	return c->rec.protocol == IPPROTO_TCP &&
	       find(&key, tw, n_tw, sizeof(*tw), cmp_tw);
}

/* The cookies of the closed rows shown, sorted. */
static uint64_t *gone_cookies(const struct top_gones *g)
{
	uint64_t *v = xmalloc((g->n ? g->n : 1) * sizeof(*v));

	for (size_t i = 0; i < g->n; i++) {
		v[i] = g->v[i].row.cookie;
	}
	sort(v, g->n, sizeof(*v), cmp_cookie);
	return v;
}

/* The events since the last refresh become closed rows (see the header). */
static void settle(struct top_gones *g, const struct top_snap *cur,
		   const uint64_t *now, double dt, double keep)
{
	bool any = g->valid && g->n_pend;
	size_t kept = 0, n_tw = 0, n_shown = g->n;
	struct tw_key *tw = any ? tw_keys(cur, &n_tw) : NULL;
	uint64_t *shown = any ? gone_cookies(g) : NULL;
	struct top_gone e;

	sort(g->held, g->n_held, sizeof(*g->held), cmp_gone_cookie);
	for (size_t i = 0; g->valid && i < g->n_pend; i++) {
		const struct top_close *c = &g->pend[i];
		struct top_gone key = {.row.cookie = c->rec.cookie};
		struct top_gone *seen;

		/* Its connection lives on in TIME_WAIT: that entry's end
		 * is the close (a refresh difference). Or its close was
		 * told when it left the table (freed later). */
		if (to_time_wait(c, now, cur->n, tw, n_tw) ||
		    find(&c->rec.cookie, shown, n_shown, sizeof(*shown),
			 cmp_cookie)) {
			continue;
		}
		seen = find(&key, g->held, g->n_held, sizeof(*g->held),
			    cmp_gone_cookie);
		if (!seen && !c->passes) {
			continue;
		}
		close_row(g, &e, c, seen);
		e.when = c->when;
		/* By the state the view last showed, else the event's. */
		count_close(g, seen ? seen->row.state : c->rec.state, dt);
		if (cur->when - c->when <= keep) {
			gone_add(g, &e);
		}
		if (seen) {
			seen->row.cookie = 0; /* settled: no longer held */
		}
	}
	free(tw);
	free(shown);
	g->n_pend = 0;
	for (size_t i = 0; i < g->n_held; i++) {
		if (!g->held[i].row.cookie) {
			continue; /* settled */
		}
		if (g->wait_event || !g->valid) {
			g->held[kept++] = g->held[i];
			continue;
		}
		gone_add(g, &g->held[i]);
		count_close(g, g->held[i].row.state, dt);
	}
	g->n_held = kept;
}

/* The kernel announces the destroy of some tables' sockets only (inet
 * TCP and UDP, watch_nl.c's groups; the registry's destroy_events): a
 * row of another table never gets an event. */
static bool announced(const struct top_dict *d, const struct top_row *r)
{
	return family_destroy_events(top_row_family(d, r), r->protocol);
}

void top_gones_update(struct top_gones *g, const struct top_snap *prev,
		      const struct top_snap *cur, double keep)
{
	double dt = cur->when - prev->when;
	uint64_t *now;

	memset(g->rate, 0, sizeof(g->rate));
	g->total = 0;
	g->valid = prev->when > 0 && dt > 0;
	/* The first refresh has nothing to compare: no sort of its cookies. */
	if (!g->valid && !g->n && !g->n_held) {
		g->n_pend = 0;
		return;
	}
	now = xmalloc((cur->n ? cur->n : 1) * sizeof(*now));
	for (size_t i = 0; i < cur->n; i++) {
		now[i] = cur->rows[i].cookie;
	}
	qsort(now, cur->n, sizeof(*now), cmp_cookie);
	/* Old enough to go, or back in view (it re-entered the filter). */
	g->n = prune(g->v, g->n, now, cur->n, cur->when, keep);
	g->n_held = prune(g->held, g->n_held, now, cur->n, cur->when, keep);
	for (size_t i = 0; g->valid && i < prev->n; i++) {
		const struct top_row *r = &prev->rows[i];
		struct top_gone e;

		if (bsearch(&r->cookie, now, cur->n, sizeof(*now),
			    cmp_cookie)) {
			continue;
		}
		e = gone_of(g, prev, i, cur->when);
		if (g->events && r->state != SS_TIME_WAIT &&
		    announced(&prev->dict, r)) {
			push_gone(&g->held, &g->n_held, &g->cap_held, &e);
			continue;
		}
		gone_add(g, &e);
		count_close(g, r->state, dt);
	}
	if (g->events) {
		settle(g, cur, now, dt, keep);
	}
	free(now);
	compact_dict(g);
}

size_t top_gones_bytes(const struct top_gones *g)
{
	return top_dict_bytes(&g->dict) + g->cap * sizeof(*g->v) +
	       g->cap_pend * sizeof(*g->pend) + g->cap_held * sizeof(*g->held);
}

void top_items_add_gone(struct top_items *it, const struct top_gones *g)
{
	if (it->cap < it->n + g->n) {
		it->cap = it->n + g->n;
		it->v = xrealloc(it->v, it->cap * sizeof(*it->v));
	}
	it->gones = g;
	for (size_t i = g->n; i > 0; i--) {
		it->v[it->n++] =
		    (struct top_item){.i = (uint32_t)(i - 1), .gone = 1};
	}
}

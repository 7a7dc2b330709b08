// SPDX-License-Identifier: MIT
/*
 * top's snapshots (struct top_snap, top_model.h): the rows kept of each
 * socket and their conversion from and to the pipeline's record, the
 * counts and tuples the header reads, RTTs, the rates between two
 * snapshots and the columns of each grouping. The rows in order are
 * top_items.c's, the closed rows top_gones.c's.
 */
#include "top_model.h"

#include <linux/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "family.h"
#include "util.h"

_Static_assert(SS_MAX <= 32, "top_row.state is 5 bits");
_Static_assert(AF_INET6 < 32, "top_row.family is 5 bits");
_Static_assert(sizeof(struct top_row) == 48, "a row per socket: keep it small");

#define TUPLE_KEY_LEN 40 /* family, saddr[16], daddr[16], dport, ns, pad */
#define TUPLES_MAX    (1u << 20)

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

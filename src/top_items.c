// SPDX-License-Identifier: MIT
/*
 * The table's rows in order (struct top_items, top_model.h): the keys rows
 * group and sort by, folding rows into groups, the partial sort that puts
 * only a page in order, and the order `o` freezes.
 */
#include "top_model.h"

#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "field.h"
#include "util.h"

_Static_assert(sizeof(struct top_item) == 8, "an item per socket: 8 bytes");

#define PREFETCH_AHEAD 8

struct top_rank {
	uint64_t id;
	uint64_t rank;
};

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

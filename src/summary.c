// SPDX-License-Identifier: MIT
#include "summary.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "addr.h"
#include "util.h"

#define KEY_LEN 40

struct kent {
	uint8_t key[KEY_LEN];
	uint32_t v[3];
};

/*
 * Segment c holds SEG_BASE << c entries, allocated when the first of them
 * is: a growing breakdown never copies or moves its entries.
 */
#define SEG_BASE 64u
#define SEG_MAX 15
_Static_assert(SUMMARY_KEYS_MAX <= SEG_BASE * ((1u << SEG_MAX) - 1),
	       "segments hold every key");

/*
 * Entries are kept dense, in the order their keys first came, and found
 * through a separate index of open-addressed slots (linear probing, grown
 * at three-quarters load). A slot holds the key's hash and its entry's
 * number, so a probe past other keys seldom touches their entries. A host that accepted half a
 * million connections gives a breakdown as many keys: one 8-byte slot per
 * insert is written at random, the 52-byte entry is appended, and the
 * tables stay a fraction of the memory, and of the cache traffic, that
 * the kernel's socket walk on the other thread competes for.
 */
struct ktab {
	uint64_t *slot; /* 0: empty; else h << 32 | (entry number + 1) */
	struct kent *seg[SEG_MAX]; /* entry storage, see entry() */
	size_t cap, n;		   /* slots, entries */
};

#define PORT_CHUNK 256
struct summary_priv {
	struct summary_cfg cfg;
	struct ktab tab[SUM_TAB_MAX];
	struct ktab listeners; /* key: family, addr, port  v: recv_q, send_q */
	struct ktab lingering; /* key: cookie, state: CLOSE_WAIT/FIN_WAIT2 */
	/* per local port, per state: chunks allocated on first use */
	uint32_t (*ports[65536 / PORT_CHUNK])[SS_MAX];
};

/*
 * A word at a time, multiply-and-fold mixing: a summary hashes every
 * socket several times, and a byte-wise hash cost a sixth of its time.
 */
static uint32_t hash_key(const uint8_t *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < KEY_LEN; i += 8) {
		uint64_t w;

		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

static unsigned int seg_of(size_t i)
{
	return 63u - (unsigned int)__builtin_clzll(i / SEG_BASE + 1);
}

static struct kent *entry(const struct ktab *t, size_t i)
{
	unsigned int c = seg_of(i);

	return &t->seg[c][i - SEG_BASE * ((1ull << c) - 1)];
}

/* The slot holding key, or the empty slot where it would go. */
static uint64_t *probe(const struct ktab *t, const uint8_t *key, uint32_t h)
{
	size_t i = h & (t->cap - 1);

	while (t->slot[i]) {
		uint64_t v = t->slot[i];

		if ((uint32_t)(v >> 32) == h &&
		    !memcmp(entry(t, (uint32_t)v - 1)->key, key, KEY_LEN)) {
			break;
		}
		i = (i + 1) & (t->cap - 1);
	}
	return &t->slot[i];
}

#define HUGE_PAGE (2ul << 20)

/*
 * Memory for a table part that every socket may touch. From 2 MiB up it
 * is whole, aligned huge pages offered to transparent huge pages, so it
 * takes a fault (and a TLB entry) per 2 MiB instead of per 4 KiB. The
 * madvise is a hint: errors are fine.
 */
static void *table_mem(size_t bytes)
{
	void *p;

	if (bytes < HUGE_PAGE) {
		return xmalloc(bytes);
	}
	bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, bytes);
	if (!p) {
		return xmalloc(bytes);
	}
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

/*
 * A zeroed index, written at once: calloc's untouched pages would each
 * fault twice (a read maps the zero page, the first insert copies it).
 */
static uint64_t *index_alloc(size_t n)
{
	uint64_t *slot = table_mem(n * sizeof(*slot));

	memset(slot, 0, n * sizeof(*slot));
	return slot;
}

/* Doubles the index; entries stay where they are. */
static void grow(struct ktab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	uint64_t *old = t->slot;

	t->slot = index_alloc(cap);
	for (size_t i = 0; i < t->cap; i++) {
		size_t j = (uint32_t)(old[i] >> 32) & (cap - 1);

		if (!old[i]) {
			continue;
		}
		while (t->slot[j]) {
			j = (j + 1) & (cap - 1);
		}
		t->slot[j] = old[i];
	}
	free(old);
	t->cap = cap;
}

/* The entry for key, created zeroed; NULL when the table is full. */
static struct kent *ktab_get(struct summary *s, struct ktab *t,
			     const uint8_t *key)
{
	uint32_t h = hash_key(key);
	uint64_t *slot = NULL;
	struct kent *e;
	unsigned int c;

	if (t->cap) {
		slot = probe(t, key, h);
		if (*slot) {
			return entry(t, (uint32_t)*slot - 1);
		}
	}
	if (t->n >= SUMMARY_KEYS_MAX) {
		s->dropped++;
		return NULL;
	}
	if (4 * (t->n + 1) > 3 * t->cap) {
		grow(t);
		slot = probe(t, key, h);
	}
	c = seg_of(t->n);
	if (!t->seg[c]) {
		t->seg[c] = table_mem((SEG_BASE << c) * sizeof(struct kent));
	}
	e = entry(t, t->n);
	memcpy(e->key, key, KEY_LEN);
	memset(e->v, 0, sizeof(e->v));
	*slot = (uint64_t)h << 32 | ++t->n;
	return e;
}

static const struct kent *ktab_find(const struct ktab *t, const uint8_t *key)
{
	const uint64_t *slot;

	if (!t->cap) {
		return NULL;
	}
	slot = probe(t, key, hash_key(key));
	return *slot ? entry(t, (uint32_t)*slot - 1) : NULL;
}

static void ktab_free(struct ktab *t)
{
	free(t->slot);
	for (int c = 0; c < SEG_MAX; c++) {
		free(t->seg[c]);
	}
}

struct summary *summary_create(const struct summary_cfg *cfg)
{
	struct summary *s = xcalloc(1, sizeof(*s));

	s->priv = xcalloc(1, sizeof(*s->priv));
	s->priv->cfg = *cfg;
	if (!cfg->eph_lo) {
		/* The kernel default when the range could not be read. */
		s->priv->cfg.eph_lo = 32768;
		s->priv->cfg.eph_hi = 60999;
	}
	s->have_previous = cfg->previous != NULL;
	s->have_owners = cfg->owner != NULL;
	return s;
}

void summary_destroy(struct summary *s)
{
	if (!s) {
		return;
	}
	for (int i = 0; i < SUM_TAB_MAX; i++) {
		ktab_free(&s->priv->tab[i]);
	}
	ktab_free(&s->priv->listeners);
	ktab_free(&s->priv->lingering);
	for (size_t i = 0; i < ARRAY_SIZE(s->priv->ports); i++) {
		free(s->priv->ports[i]);
	}
	free(s->priv);
	free(s);
}

/* Key layout shared by every table: family, saddr, daddr, port, 2 spare. */
static void make_key(uint8_t *k, uint8_t family, const uint8_t *saddr,
		     const uint8_t *daddr, uint16_t port)
{
	memset(k, 0, KEY_LEN);
	k[0] = family;
	if (saddr) {
		memcpy(k + 1, saddr, 16);
	}
	if (daddr) {
		memcpy(k + 17, daddr, 16);
	}
	memcpy(k + 33, &port, sizeof(port));
}

static void read_key(const uint8_t *k, struct sum_row *r)
{
	r->family = k[0];
	memcpy(r->saddr, k + 1, 16);
	memcpy(r->daddr, k + 17, 16);
	memcpy(&r->dport, k + 33, sizeof(r->dport));
}

static void bump(struct summary *s, enum sum_tab tab, const uint8_t *key,
		 int col)
{
	struct kent *e = ktab_get(s, &s->priv->tab[tab], key);

	if (e) {
		e->v[0]++;
		if (col > 0) {
			e->v[col]++;
		}
	}
}

static bool ephemeral(const struct summary *s, uint16_t port)
{
	return port >= s->priv->cfg.eph_lo && port <= s->priv->cfg.eph_hi;
}

static void count_port(struct summary *s, const struct sock_rec *rec)
{
	uint32_t(**chunk)[SS_MAX] = &s->priv->ports[rec->sport / PORT_CHUNK];

	if (!*chunk) {
		*chunk = xcalloc(PORT_CHUNK, sizeof(**chunk));
	}
	(*chunk)[rec->sport % PORT_CHUNK][rec->state]++;
}

/* CLOSE_WAIT and owned FIN_WAIT2 are remembered by cookie so a later
 * sample can tell which of its sockets were already there. */
static void track_lingering(struct summary *s, const struct sock_rec *rec)
{
	const struct summary *prev = s->priv->cfg.previous;
	uint8_t key[KEY_LEN] = {0};

	memcpy(key, &rec->cookie, sizeof(rec->cookie));
	key[8] = rec->state;
	ktab_get(s, &s->priv->lingering, key);
	if (prev && ktab_find(&prev->priv->lingering, key)) {
		if (rec->state == SS_CLOSE_WAIT) {
			s->persisting_close_wait++;
		} else {
			s->persisting_fin_wait2++;
		}
	}
}

static void add_owner(struct summary *s, const struct sock_rec *rec)
{
	const struct owner_ops *ops = s->priv->cfg.owner;
	struct owner ow = {0};
	uint8_t key[KEY_LEN] = {0};
	struct kent *e;

	if (!ops || !ops->lookup(ops->data, rec, &ow)) {
		return;
	}
	memcpy(key, ow.name, sizeof(ow.name));
	memcpy(key + 16, &ow.pid, sizeof(ow.pid));
	e = ktab_get(s, &s->priv->tab[SUM_OWNER], key);
	if (e) {
		e->v[0]++;
		e->v[1] += rec->state == SS_CLOSE_WAIT;
		e->v[2] += rec->state == SS_FIN_WAIT2;
	}
}

static void add_listener(struct summary *s, const struct sock_rec *rec)
{
	uint8_t key[KEY_LEN];
	struct kent *e;

	make_key(key, rec->family, rec->saddr, NULL, rec->sport);
	e = ktab_get(s, &s->priv->listeners, key);
	if (e) {
		e->v[0] = rec->recv_q;
		e->v[1] = rec->send_q;
	}
}

static void add_peer(struct summary *s, const struct sock_rec *rec)
{
	uint8_t key[KEY_LEN];

	make_key(key, rec->family, NULL, rec->daddr, 0);
	bump(s, SUM_REMOTE_HOST, key, 0);
	make_key(key, rec->family, NULL, rec->daddr, rec->dport);
	bump(s, SUM_REMOTE_PORT, key,
	     rec->state == SS_SYN_SENT ? SUM_V_SYN_SENT : 0);
	if (rec->protocol == IPPROTO_TCP && ephemeral(s, rec->sport)) {
		make_key(key, rec->family, rec->saddr, rec->daddr, rec->dport);
		bump(s, SUM_TUPLE, key,
		     rec->state == SS_TIME_WAIT ? SUM_V_TIME_WAIT : 0);
	}
}

static void add_tcp(struct summary *s, const struct sock_rec *rec)
{
	int fi = rec->family == AF_INET6;

	s->tcp[fi][rec->state]++;
	s->tcp_total++;
	count_port(s, rec);
	if (rec->state == SS_LISTEN) {
		add_listener(s, rec);
		return;
	}
	if (rec->state == SS_TIME_WAIT && !ephemeral(s, rec->sport)) {
		s->time_wait_inbound++;
	}
	if ((rec->timer == 1 || rec->timer == 4) && rec->retrans >= 8) {
		s->retrans_stuck++;
	}
	/* Orphans live in timewait sockets, which have no inode. */
	if (rec->state == SS_FIN_WAIT2 && rec->inode) {
		s->fin_wait2_owned++;
		track_lingering(s, rec);
	} else if (rec->state == SS_CLOSE_WAIT) {
		track_lingering(s, rec);
	}
}

void summary_add(struct summary *s, const struct sock_rec *rec)
{
	if (rec->state >= SS_MAX ||
	    (rec->family != AF_INET && rec->family != AF_INET6)) {
		return;
	}
	if (rec->protocol == IPPROTO_TCP) {
		add_tcp(s, rec);
	} else if (rec->protocol == IPPROTO_UDP) {
		s->udp[rec->family == AF_INET6][rec->state]++;
		s->udp_total++;
	} else {
		return;
	}
	if (rec->state != SS_LISTEN && rec->dport &&
	    !addr_is_any(rec->family, rec->daddr)) {
		add_peer(s, rec);
	}
	add_owner(s, rec);
}

uint64_t summary_tcp_state(const struct summary *s, unsigned int state)
{
	uint64_t n;

	if (state >= SS_MAX) {
		return 0;
	}
	n = s->tcp[0][state] + s->tcp[1][state];
	if (state == SS_SYN_RECV) {
		n += s->tcp[0][SS_NEW_SYN_RECV] + s->tcp[1][SS_NEW_SYN_RECV];
	}
	return n;
}

/* Column col descending, then key: the order of every top-N table. */
static bool ranks_before(const struct kent *x, const struct kent *y,
			 unsigned int col)
{
	if (x->v[col] != y->v[col]) {
		return x->v[col] > y->v[col];
	}
	return memcmp(x->key, y->key, KEY_LEN) < 0;
}

/*
 * The n best entries of t by column col into best[], in order; returns
 * how many. A summary shows ten rows of tables that can hold a million
 * keys: keeping the ten is far cheaper than sorting them all.
 */
static size_t select_top(const struct ktab *t, unsigned int col,
			 const struct kent **best, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n && n; i++) {
		const struct kent *e = entry(t, i);
		size_t j;

		if (k == n && !ranks_before(e, best[k - 1], col)) {
			continue;
		}
		j = k < n ? k++ : n - 1;
		for (; j > 0 && ranks_before(e, best[j - 1], col); j--) {
			best[j] = best[j - 1];
		}
		best[j] = e;
	}
	return k;
}

size_t summary_top(const struct summary *s, enum sum_tab tab, unsigned int col,
		   struct sum_row *rows, size_t n, size_t *keys)
{
	const struct ktab *t;
	const struct kent **best;
	size_t k, got;

	if (keys) {
		*keys = 0;
	}
	if (tab >= SUM_TAB_MAX || col >= 3) {
		return 0;
	}
	t = &s->priv->tab[tab];
	if (keys) {
		*keys = t->n;
	}
	if (!t->n) {
		return 0;
	}
	best = xcalloc(n ? n : 1, sizeof(*best));
	got = select_top(t, col, best, n);
	for (k = 0; k < got && best[k]->v[col]; k++) {
		memset(&rows[k], 0, sizeof(rows[k]));
		if (tab == SUM_OWNER) {
			memcpy(rows[k].owner.name, best[k]->key, 16);
			memcpy(&rows[k].owner.pid, best[k]->key + 16, 4);
		} else {
			read_key(best[k]->key, &rows[k]);
		}
		memcpy(rows[k].v, best[k]->v, sizeof(rows[k].v));
	}
	free(best);
	return k;
}

/* Fullness of a listener as a fraction of its limit, times 2^16. */
static uint64_t fill(const struct kent *e)
{
	return e->v[1] ? ((uint64_t)e->v[0] << 16) / e->v[1] : e->v[0] << 16;
}

static int by_fill_desc(const void *a, const void *b)
{
	const struct kent *x = *(const struct kent *const *)a;
	const struct kent *y = *(const struct kent *const *)b;

	if (fill(x) != fill(y)) {
		return fill(x) > fill(y) ? -1 : 1;
	}
	return memcmp(x->key, y->key, KEY_LEN);
}

size_t summary_listeners(const struct summary *s, struct sum_listener *rows,
			 size_t n, size_t *keys)
{
	const struct ktab *t = &s->priv->listeners;
	const struct kent **refs;
	size_t k = 0;

	if (keys) {
		*keys = t->n;
	}
	if (!t->n) {
		return 0;
	}
	refs = xcalloc(t->n, sizeof(*refs));
	for (size_t i = 0; i < t->n; i++) {
		refs[k++] = entry(t, i);
	}
	qsort(refs, k, sizeof(*refs), by_fill_desc);
	for (k = 0; k < n && k < t->n; k++) {
		struct sum_row r;
		uint32_t(*chunk)[SS_MAX];

		read_key(refs[k]->key, &r);
		memset(&rows[k], 0, sizeof(rows[k]));
		rows[k].family = r.family;
		memcpy(rows[k].addr, r.saddr, 16);
		rows[k].port = r.dport;
		rows[k].recv_q = refs[k]->v[0];
		rows[k].send_q = refs[k]->v[1];
		chunk = s->priv->ports[r.dport / PORT_CHUNK];
		if (chunk) {
			memcpy(rows[k].conns, chunk[r.dport % PORT_CHUNK],
			       sizeof(rows[k].conns));
		}
	}
	free(refs);
	return k;
}

uint16_t summary_close_wait_port(const struct summary *s, uint32_t *count)
{
	uint16_t best = 0;

	*count = 0;
	for (size_t c = 0; c < ARRAY_SIZE(s->priv->ports); c++) {
		if (!s->priv->ports[c]) {
			continue;
		}
		for (size_t i = 0; i < PORT_CHUNK; i++) {
			uint32_t n = s->priv->ports[c][i][SS_CLOSE_WAIT];

			if (n > *count) {
				*count = n;
				best = (uint16_t)(c * PORT_CHUNK + i);
			}
		}
	}
	return best;
}

void summary_endpoint(char *buf, size_t len, uint8_t family,
		      const uint8_t *addr, uint16_t port)
{
	char a[ADDR_STRLEN];

	addr_format(a, family, addr);
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

// SPDX-License-Identifier: MIT
#include "top_dict.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* A word at a time, multiply-and-fold: keys are 4 to 21 bytes (text
 * entries: any length). */
static uint64_t hash_key(const uint8_t *k, unsigned int len, uint64_t seed)
{
	uint64_t h = (0x9e3779b97f4a7c15ull ^ seed) + len;

	for (unsigned int i = 0; i < len; i += 8) {
		uint64_t w = 0;

		memcpy(&w, k + i, len - i < 8 ? len - i : 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

static void index_init(struct top_index *x)
{
	memset(x, 0, sizeof(*x));
	x->seed = random_u64();
}

static void index_clear(struct top_index *x)
{
	if (x->slot) {
		memset(x->slot, 0, x->nslot * sizeof(*x->slot));
	}
}

static size_t index_bytes(const struct top_index *x)
{
	return x->nslot * sizeof(*x->slot);
}

/* The first slot of the probe run of a key of hash h. */
static size_t index_home(const struct top_index *x, uint64_t h)
{
	return (size_t)(h & (x->nslot - 1));
}

static size_t index_next(const struct top_index *x, size_t i)
{
	return (i + 1) & (x->nslot - 1);
}

/* Where the key of entry idx (hash h) goes when the index is rebuilt. */
static void index_place(struct top_index *x, uint64_t h, uint32_t idx)
{
	size_t i = index_home(x, h);

	while (x->slot[i]) {
		i = index_next(x, i);
	}
	x->slot[i] = idx;
}

/* Room for entry n + 1 with the index at most three quarters full: if
 * not, a twice larger index, entries 1..n placed again by hash_of(). */
static void index_reserve(struct top_index *x, size_t n,
			  uint64_t (*hash_of)(const void *tab, uint32_t idx),
			  const void *tab)
{
	if ((n + 1) * 4 <= x->nslot * 3) {
		return;
	}
	free(x->slot);
	x->nslot = x->nslot ? 2 * x->nslot : 64;
	x->slot = xcalloc(x->nslot, sizeof(*x->slot));
	for (size_t i = 1; i <= n; i++) {
		index_place(x, hash_of(tab, (uint32_t)i), (uint32_t)i);
	}
}

static void intern_init(struct top_intern *t, unsigned int klen)
{
	memset(t, 0, sizeof(*t));
	t->klen = klen;
	index_init(&t->ix);
}

static void intern_finish(struct top_intern *t)
{
	free(t->keys);
	free(t->ix.slot);
	memset(t, 0, sizeof(*t));
}

static void intern_clear(struct top_intern *t)
{
	index_clear(&t->ix);
	t->n = 0;
	t->last = 0;
}

/* Keys of the lengths the dict uses compare inline, not through a call. */
static bool key_eq(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	switch (len) {
	case TOP_DICT_PEER4_LEN:
		return !memcmp(a, b, TOP_DICT_PEER4_LEN);
	case TOP_DICT_PEER_LEN:
		return !memcmp(a, b, TOP_DICT_PEER_LEN);
	case TOP_DICT_OWNER_LEN:
		return !memcmp(a, b, TOP_DICT_OWNER_LEN);
	case TOP_DICT_LOCAL_LEN:
		return !memcmp(a, b, TOP_DICT_LOCAL_LEN);
	default:
		return !memcmp(a, b, len);
	}
}

static uint64_t intern_hash_of(const void *tab, uint32_t idx)
{
	const struct top_intern *t = tab;

	return hash_key(top_intern_key(t, idx), t->klen, t->ix.seed);
}

static uint32_t intern(struct top_intern *t, const uint8_t *key, size_t limit)
{
	struct top_index *x = &t->ix;
	size_t i;

	index_reserve(x, t->n, intern_hash_of, t);
	/* A dump often lists a run of sockets on one endpoint. */
	if (t->last && key_eq(top_intern_key(t, t->last), key, t->klen)) {
		return t->last;
	}
	i = index_home(x, hash_key(key, t->klen, x->seed));
	for (; x->slot[i]; i = index_next(x, i)) {
		if (key_eq(top_intern_key(t, x->slot[i]), key, t->klen)) {
			t->last = x->slot[i];
			return t->last;
		}
	}
	if (t->n >= limit) {
		return 0;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->keys = xrealloc(t->keys, t->cap * t->klen);
	}
	memcpy(t->keys + t->n * t->klen, key, t->klen);
	x->slot[i] = (uint32_t)++t->n;
	t->last = x->slot[i];
	return t->last;
}

static void intern_trim(struct top_intern *t)
{
	if (t->n && t->n < t->cap) {
		t->keys = xrealloc(t->keys, t->n * t->klen);
		t->cap = t->n;
	}
}

static size_t intern_bytes(const struct top_intern *t)
{
	return t->cap * t->klen + index_bytes(&t->ix);
}

static void strtab_init(struct top_strtab *t)
{
	memset(t, 0, sizeof(*t));
	index_init(&t->ix);
}

static void strtab_finish(struct top_strtab *t)
{
	free(t->buf);
	free(t->off);
	free(t->ix.slot);
	memset(t, 0, sizeof(*t));
}

static void strtab_clear(struct top_strtab *t)
{
	index_clear(&t->ix);
	t->n = 0;
	t->len = 0;
}

static const uint8_t *strtab_at(const struct top_strtab *t, uint32_t i,
				size_t *len)
{
	*len = t->off[i] - t->off[i - 1];
	return t->buf + t->off[i - 1];
}

static uint64_t strtab_hash_of(const void *tab, uint32_t idx)
{
	const struct top_strtab *t = tab;
	size_t len;
	const uint8_t *k = strtab_at(t, idx, &len);

	return hash_key(k, (unsigned int)len, t->ix.seed);
}

/* Room for one more entry of len bytes; 0: the table is full (a peer
 * index keeps 31 bits, offsets 32). */
static bool strtab_room(struct top_strtab *t, size_t len)
{
	if (t->n + 1 >= TOP_DICT_PEER4 - 1 || t->len + len > UINT32_MAX) {
		return false;
	}
	if (t->n + 2 > t->cap_off) {
		t->cap_off = t->cap_off ? 2 * t->cap_off : 64;
		t->off = xrealloc(t->off, t->cap_off * sizeof(*t->off));
	}
	if (t->len + len > t->cap) {
		while (t->len + len > t->cap) {
			t->cap = t->cap ? 2 * t->cap : 1024;
		}
		t->buf = xrealloc(t->buf, t->cap);
	}
	return true;
}

uint32_t top_dict_text(struct top_dict *d, const void *key, size_t len)
{
	struct top_strtab *t = &d->text;
	struct top_index *x = &t->ix;
	size_t i, klen;
	const uint8_t *k;

	index_reserve(x, t->n, strtab_hash_of, t);
	i = index_home(x, hash_key(key, (unsigned int)len, x->seed));
	for (; x->slot[i]; i = index_next(x, i)) {
		k = strtab_at(t, x->slot[i], &klen);
		if (klen == len && (!len || !memcmp(k, key, len))) {
			return x->slot[i];
		}
	}
	if (!strtab_room(t, len)) {
		return 1; /* the first entry stands for the rest */
	}
	t->off[0] = 0;
	if (len) { /* an empty key (a family without key()) has no buf yet */
		memcpy(t->buf + t->len, key, len);
	}
	t->len += len;
	t->off[++t->n] = (uint32_t)t->len;
	x->slot[i] = (uint32_t)t->n;
	return x->slot[i];
}

const uint8_t *top_dict_text_at(const struct top_dict *d, uint32_t i,
				size_t *len)
{
	return strtab_at(&d->text, i, len);
}

static void strtab_trim(struct top_strtab *t)
{
	if (t->n && t->len < t->cap) {
		t->buf = xrealloc(t->buf, t->len);
		t->cap = t->len;
	}
	if (t->n && t->n + 1 < t->cap_off) {
		t->off = xrealloc(t->off, (t->n + 1) * sizeof(*t->off));
		t->cap_off = t->n + 1;
	}
}

static size_t strtab_bytes(const struct top_strtab *t)
{
	return t->cap + t->cap_off * sizeof(*t->off) + index_bytes(&t->ix);
}

void top_dict_init(struct top_dict *d)
{
	intern_init(&d->local, TOP_DICT_LOCAL_LEN);
	intern_init(&d->peer, TOP_DICT_PEER_LEN);
	intern_init(&d->peer4, TOP_DICT_PEER4_LEN);
	intern_init(&d->owner, TOP_DICT_OWNER_LEN);
	strtab_init(&d->text);
}

void top_dict_finish(struct top_dict *d)
{
	intern_finish(&d->local);
	intern_finish(&d->peer);
	intern_finish(&d->peer4);
	intern_finish(&d->owner);
	strtab_finish(&d->text);
	top_dict_init(d);
}

void top_dict_clear(struct top_dict *d)
{
	intern_clear(&d->local);
	intern_clear(&d->peer);
	intern_clear(&d->peer4);
	intern_clear(&d->owner);
	strtab_clear(&d->text);
}

void top_dict_trim(struct top_dict *d)
{
	intern_trim(&d->local);
	intern_trim(&d->peer);
	intern_trim(&d->peer4);
	intern_trim(&d->owner);
	strtab_trim(&d->text);
}

size_t top_dict_bytes(const struct top_dict *d)
{
	return intern_bytes(&d->local) + intern_bytes(&d->peer) +
	       intern_bytes(&d->peer4) + intern_bytes(&d->owner) +
	       strtab_bytes(&d->text);
}

uint32_t top_dict_local(struct top_dict *d, uint8_t family,
			const uint8_t addr[16], uint32_t ifindex)
{
	uint8_t key[TOP_DICT_LOCAL_LEN];

	memcpy(key, addr, 16);
	key[16] = family;
	memcpy(key + 17, &ifindex, sizeof(ifindex));
	return intern(&d->local, key, UINT32_MAX - 1);
}

/* Whether addr is an IPv4 address as the kernel sends one: the other
 * 12 bytes zero (a saved file may say otherwise: kept whole then). */
static bool plain_v4(uint8_t family, const uint8_t addr[16])
{
	static const uint8_t zero[12];

	return family == AF_INET && !memcmp(addr + 4, zero, sizeof(zero));
}

uint32_t top_dict_peer(struct top_dict *d, uint8_t family,
		       const uint8_t addr[16])
{
	uint8_t key[TOP_DICT_PEER_LEN];

	if (plain_v4(family, addr)) {
		return TOP_DICT_PEER4 |
		       intern(&d->peer4, addr, TOP_DICT_PEER4 - 1);
	}
	memcpy(key, addr, 16);
	key[16] = family;
	return intern(&d->peer, key, TOP_DICT_PEER4 - 1);
}

void top_dict_peer_addr(const struct top_dict *d, uint32_t i, uint8_t *family,
			uint8_t addr[16])
{
	const uint8_t *key;

	if (i & TOP_DICT_PEER4) {
		memset(addr, 0, 16);
		memcpy(addr, top_intern_key(&d->peer4, i & ~TOP_DICT_PEER4),
		       TOP_DICT_PEER4_LEN);
		*family = AF_INET;
		return;
	}
	key = top_intern_key(&d->peer, i);
	memcpy(addr, key, 16);
	*family = key[16];
}

uint32_t top_dict_owner(struct top_dict *d, uint32_t pid, const char *name)
{
	uint8_t key[TOP_DICT_OWNER_LEN];

	/* Equal names are equal keys, whatever follows a NUL. */
	memset(key, 0, sizeof(key));
	memcpy(key, &pid, sizeof(pid));
	memcpy(key + 4, name, strnlen(name, 15));
	return intern(&d->owner, key, TOP_DICT_OWNERS_MAX);
}

void top_dict_copy(struct top_dict *dst, const struct top_dict *src,
		   uint32_t *local, uint32_t *peer, uint32_t *owner)
{
	uint8_t family, addr[16];

	const uint8_t *text;
	size_t len;

	family = top_intern_key(&src->local, *local)[16];
	*local = intern(&dst->local, top_intern_key(&src->local, *local),
			UINT32_MAX - 1);
	if (family != AF_INET && family != AF_INET6) {
		text = top_dict_text_at(src, *peer, &len);
		*peer = top_dict_text(dst, text, len);
	} else {
		top_dict_peer_addr(src, *peer, &family, addr);
		*peer = top_dict_peer(dst, family, addr);
	}
	if (*owner) {
		*owner =
		    intern(&dst->owner, top_intern_key(&src->owner, *owner),
			   TOP_DICT_OWNERS_MAX);
	}
}

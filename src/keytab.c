// SPDX-License-Identifier: MIT
#include "keytab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util.h"

/* Segment c holds SEG_BASE << c entries, allocated when its first is. */
#define SEG_BASE 64u
_Static_assert(KEYTAB_MAX_ENTRIES <= SEG_BASE * ((1ull << KEYTAB_SEGS) - 1),
	       "segments hold every entry");

void keytab_init(struct keytab *t, unsigned int klen)
{
	memset(t, 0, sizeof(*t));
	t->klen = klen;
	t->stride = klen + KEYTAB_NV * sizeof(uint32_t);
	t->seed = random_u64();
}

void keytab_free(struct keytab *t)
{
	free(t->slot);
	for (int c = 0; c < KEYTAB_SEGS; c++) {
		free(t->seg[c]);
	}
}

void keytab_clear(struct keytab *t)
{
	if (t->slot) {
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
	}
	t->n = 0;
}

/*
 * A word at a time, multiply-and-fold mixing: a summary hashes every
 * socket several times, and a byte-wise hash cost a sixth of its time.
 */
static uint32_t hash_key(const uint8_t *k, unsigned int len, uint64_t seed)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ seed;

	for (unsigned int i = 0; i < len; i += 8) {
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

static uint8_t *entry(const struct keytab *t, size_t i)
{
	unsigned int c = seg_of(i);

	return t->seg[c] + (i - SEG_BASE * ((1ull << c) - 1)) * t->stride;
}

const uint8_t *keytab_key(const struct keytab *t, size_t i)
{
	return entry(t, i);
}

static uint32_t *vals(const struct keytab *t, uint8_t *e)
{
	return (uint32_t *)(void *)(e + t->klen);
}

/* The slot holding key, or the empty slot where it would go. */
static uint64_t *probe(const struct keytab *t, const uint8_t *key, uint32_t h)
{
	size_t i = h & (t->cap - 1);

	while (t->slot[i]) {
		uint64_t v = t->slot[i];

		if ((uint32_t)(v >> 32) == h &&
		    !memcmp(entry(t, (uint32_t)v - 1), key, t->klen)) {
			break;
		}
		i = (i + 1) & (t->cap - 1);
	}
	return &t->slot[i];
}

#define HUGE_PAGE (2ul << 20)

/*
 * Memory every socket may touch. From 2 MiB up it is whole, aligned huge
 * pages offered to transparent huge pages: a fault (and a TLB entry) per
 * 2 MiB instead of per 4 KiB. The madvise is a hint: errors are fine.
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
 * Doubles the index (linear probing, kept under three-quarters full). The
 * new one is zeroed at once: calloc's untouched pages would each fault
 * twice (a read maps the zero page, the first insert copies it). Entries
 * stay where they are; the slots carry their hashes over.
 */
static void grow(struct keytab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	uint64_t *old = t->slot;

	t->slot = table_mem(cap * sizeof(*t->slot));
	memset(t->slot, 0, cap * sizeof(*t->slot));
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

uint32_t *keytab_get(struct keytab *t, const uint8_t *key, size_t limit)
{
	uint32_t h = hash_key(key, t->klen, t->seed);
	uint64_t *slot = NULL;
	unsigned int c;
	uint8_t *e;

	if (t->cap) {
		slot = probe(t, key, h);
		if (*slot) {
			return vals(t, entry(t, (uint32_t)*slot - 1));
		}
	}
	if (t->n >= limit || t->n >= KEYTAB_MAX_ENTRIES) {
		return NULL;
	}
	if (4 * (t->n + 1) > 3 * t->cap) {
		grow(t);
		slot = probe(t, key, h);
	}
	c = seg_of(t->n);
	if (!t->seg[c]) {
		t->seg[c] = table_mem((size_t)(SEG_BASE << c) * t->stride);
	}
	e = entry(t, t->n);
	memcpy(e, key, t->klen);
	memset(e + t->klen, 0, KEYTAB_NV * sizeof(uint32_t));
	*slot = (uint64_t)h << 32 | ++t->n;
	return vals(t, e);
}

const uint32_t *keytab_find(const struct keytab *t, const uint8_t *key)
{
	const uint64_t *slot;

	if (!t->cap) {
		return NULL;
	}
	slot = probe(t, key, hash_key(key, t->klen, t->seed));
	return *slot ? keytab_vals(t, entry(t, (uint32_t)*slot - 1)) : NULL;
}

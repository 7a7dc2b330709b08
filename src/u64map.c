// SPDX-License-Identifier: MIT
#include "u64map.h"

#include <stdlib.h>

#include "util.h"

#define U64MAP_FIRST 1024

void u64map_init(struct u64map *m, unsigned int shift)
{
	m->nslots = U64MAP_FIRST;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	m->count = 0;
	m->shift = shift;
}

void u64map_free(struct u64map *m, void (*free_node)(struct u64map_node *))
{
	for (size_t i = 0; i < m->nslots; i++) {
		for (struct u64map_node *n = m->slots[i], *next; n; n = next) {
			next = n->next;
			if (free_node) {
				free_node(n);
			} else {
				free(n);
			}
		}
	}
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->count = 0;
}

static size_t slot_of(const struct u64map *m, uint64_t key)
{
	return (size_t)(((key >> m->shift) * 0x9e3779b97f4a7c15ull) >> 32) &
	       (m->nslots - 1);
}

static struct u64map_node **link_of(const struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = &m->slots[slot_of(m, key)];

	while (*pp && (*pp)->key != key) {
		pp = &(*pp)->next;
	}
	return pp;
}

struct u64map_node *u64map_get(const struct u64map *m, uint64_t key)
{
	return *link_of(m, key);
}

static void grow(struct u64map *m)
{
	struct u64map_node **old = m->slots;
	size_t n = m->nslots;

	m->nslots = n * 2;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (size_t i = 0; i < n; i++) {
		for (struct u64map_node *e = old[i], *next; e; e = next) {
			size_t s = slot_of(m, e->key);

			next = e->next;
			e->next = m->slots[s];
			m->slots[s] = e;
		}
	}
	free(old);
}

void u64map_add(struct u64map *m, struct u64map_node *n)
{
	size_t s;

	/* One node per slot on average keeps the chains short. */
	if (m->count >= m->nslots) {
		grow(m);
	}
	s = slot_of(m, n->key);
	n->next = m->slots[s];
	m->slots[s] = n;
	m->count++;
}

struct u64map_node *u64map_take(struct u64map *m, uint64_t key)
{
	struct u64map_node **pp = link_of(m, key);
	struct u64map_node *n = *pp;

	if (n) {
		*pp = n->next;
		m->count--;
	}
	return n;
}

void u64map_sweep(struct u64map *m,
		  bool (*drop)(const struct u64map_node *, void *), void *ctx)
{
	for (size_t i = 0; i < m->nslots; i++) {
		struct u64map_node **pp = &m->slots[i];

		while (*pp) {
			struct u64map_node *n = *pp;

			if (drop(n, ctx)) {
				*pp = n->next;
				free(n);
				m->count--;
			} else {
				pp = &n->next;
			}
		}
	}
}

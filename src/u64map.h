/*
 * u64map.h - a chained hash of caller-owned nodes keyed by a 64-bit
 * number (a socket cookie, a kernel socket address), for books that add
 * and remove one entry per socket event.
 *
 * Intrusive: the caller's entry embeds a struct u64map_node (first, so
 * a node pointer casts back to the entry) and allocates it; the map only
 * links nodes. Removal and u64map_sweep() hand a node back to the caller
 * through free_node; u64map_free() hands back every node left. The hash
 * is Fibonacci hashing of the key shifted right by `shift` bits: 0 for
 * keys that count up (cookies), 6 for 64-byte-aligned addresses whose
 * low bits are all zero. No locking: one thread per map.
 */
#ifndef SOCKSCOPE_U64MAP_H
#define SOCKSCOPE_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_node {
	struct u64map_node *next;
	uint64_t key;
};

struct u64map {
	struct u64map_node **slots;
	size_t nslots; /* a power of two */
	size_t count;
	unsigned int shift;
};

void u64map_init(struct u64map *m, unsigned int shift);
/* Every node left goes to free_node (NULL: free()); the map is empty. */
void u64map_free(struct u64map *m, void (*free_node)(struct u64map_node *));

/* The node with key, or NULL. */
struct u64map_node *u64map_get(const struct u64map *m, uint64_t key);
/* Links n (its key set, not in the map yet); grows the table as needed. */
void u64map_add(struct u64map *m, struct u64map_node *n);
/* Unlinks and returns the node with key, or NULL; the caller frees it. */
struct u64map_node *u64map_take(struct u64map *m, uint64_t key);
/* Unlinks every node for which drop() says true and frees it (free()). */
void u64map_sweep(struct u64map *m,
		  bool (*drop)(const struct u64map_node *, void *), void *ctx);

#endif

/*
 * keytab.h - counters by fixed-length binary key, for tables that may see
 * a key per socket (half a million distinct peers on a busy server).
 *
 * Entries (the key, then KEYTAB_NV zeroed uint32_t counters) are kept
 * dense, in the order their keys first came, and never move: a growing
 * table neither copies them nor invalidates pointers to them. They are
 * found through a separate index of 8-byte slots, each holding a key's
 * hash and its entry's number. Per new key that is one random 8-byte
 * write and one appended entry, a small fraction of the memory traffic of
 * a table of whole entries, which matters because the kernel's socket
 * walk runs on the other CPU at the same time.
 *
 * Keys are klen bytes, klen a multiple of 8 up to KEYTAB_KEY_MAX, and
 * compared byte for byte (callers zero their padding). The table owns its
 * memory; keytab_free() releases it. No locking: one thread per table.
 */
#ifndef SOCKSCOPE_KEYTAB_H
#define SOCKSCOPE_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#define KEYTAB_KEY_MAX 40
#define KEYTAB_NV      3
/* Entries a table can hold: entry numbers must fit the index's slots. */
#define KEYTAB_MAX_ENTRIES (1u << 22)
#define KEYTAB_SEGS	   17

struct keytab {
	uint64_t *slot;		   /* 0: empty; else hash << 32 | number */
	uint8_t *seg[KEYTAB_SEGS]; /* entry storage, segment c: 64 << c */
	size_t cap, n;		   /* index slots, entries */
	unsigned int klen, stride; /* key bytes; bytes per entry */
	uint64_t seed;		   /* the hash's, random (random_u64()) */
};

/* An empty table for keys of klen bytes. Allocates nothing yet. */
void keytab_init(struct keytab *t, unsigned int klen);
void keytab_free(struct keytab *t);
/* Empty it, keeping its memory for the keys to come. */
void keytab_clear(struct keytab *t);

/*
 * The counters of key, a new zeroed entry if it is not there yet, unless
 * the table already holds limit entries (limit <= KEYTAB_MAX_ENTRIES):
 * then NULL. Pointers stay valid until keytab_free().
 */
uint32_t *keytab_get(struct keytab *t, const uint8_t *key, size_t limit);

/* The counters of key, or NULL. */
const uint32_t *keytab_find(const struct keytab *t, const uint8_t *key);

/* Entry i (i < t->n), in insertion order: its key; counters follow it. */
const uint8_t *keytab_key(const struct keytab *t, size_t i);

static inline const uint32_t *keytab_vals(const struct keytab *t,
					  const uint8_t *key)
{
	return (const uint32_t *)(const void *)(key + t->klen);
}

#endif

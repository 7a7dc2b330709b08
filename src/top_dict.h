/*
 * top_dict.h - what many rows of a top snapshot share, kept once: a row
 * holds a 4-byte index into these tables instead of the bytes. A host's
 * sockets share few local addresses, usually far fewer peers than sockets,
 * and few owning processes; at a million sockets the two 16-byte
 * addresses and the 15-byte process name were most of a row.
 *
 * Four tables, each hash-consed (one entry per distinct key): local
 * endpoints (family, address, the socket's interface), peer addresses
 * (family, address), owners (pid, process name) and, for the rows of
 * families other than inet (UNIX, PACKET, NETLINK), the bytes their
 * endpoints are printed from (a UNIX name is of any length up to 108:
 * a string table, offsets into one growing buffer). Indices count from 1:
 * 0 means none (no owner known). An entry never moves while its table
 * lives, so an index stays valid until top_dict_clear() or _finish().
 *
 * Lifetime: one dict per set of rows (a snapshot's, the closed rows'),
 * cleared with them: it holds the distinct keys of those rows only, so a
 * long-running top does not grow with churn. Interning costs one hash
 * lookup and no allocation but the amortised growth of the tables.
 * No locking: one thread at a time, as the rows it serves.
 */
#ifndef SOCKSCOPE_TOP_DICT_H
#define SOCKSCOPE_TOP_DICT_H

#include <stddef.h>
#include <stdint.h>

/* An open-addressing index of entry numbers, linear probing, at most
 * three quarters full. Its hash is seeded at random: peers are addresses
 * clients choose, and must not be able to share one probe run. */
struct top_index {
	uint32_t *slot; /* 0: empty; else an entry's index (from 1) */
	size_t nslot;
	uint64_t seed;
};

/* Fixed-length keys, dense in the order they came, found through ix. */
struct top_intern {
	uint8_t *keys; /* n keys of klen bytes */
	size_t n, cap;
	struct top_index ix;
	uint32_t last; /* the entry found last, tried first; 0: none */
	unsigned int klen;
};

#define TOP_DICT_LOCAL_LEN 21 /* address[16], family, ifindex (4) */
#define TOP_DICT_PEER_LEN  17 /* address[16], family */
#define TOP_DICT_PEER4_LEN 4  /* an IPv4 address */
#define TOP_DICT_OWNER_LEN 19 /* pid (4), name (15: no NUL then) */
/* A peer index with this bit is peer4's: most peers are IPv4, whose
 * address needs 4 bytes, not 17. */
#define TOP_DICT_PEER4 (1u << 31)

/* Keys of any length, one after the other in buf: entry i (from 1)
 * spans buf[off[i - 1] .. off[i]). */
struct top_strtab {
	uint8_t *buf;
	uint32_t *off; /* n + 1 offsets (off[0] = 0), cap_off of room */
	size_t n, len, cap, cap_off;
	struct top_index ix;
};

struct top_dict {
	struct top_intern local, peer, peer4, owner;
	struct top_strtab text;
};

void top_dict_init(struct top_dict *d);
void top_dict_finish(struct top_dict *d);
/* Forget every entry, keeping the memory for the next rows. */
void top_dict_clear(struct top_dict *d);
/* Give back room beyond the entries held (the rows are final). */
void top_dict_trim(struct top_dict *d);
/* Heap bytes d holds. */
size_t top_dict_bytes(const struct top_dict *d);

/* Owners a dict holds at most: a row keeps the index in 22 bits (pids
 * are below 2^22 too, PID_MAX_LIMIT). */
#define TOP_DICT_OWNERS_MAX ((1u << 22) - 1)

/* The index of a local endpoint, a peer address (never 0), an owner
 * (name: a string, its first 15 bytes kept; 0 once TOP_DICT_OWNERS_MAX are). */
uint32_t top_dict_local(struct top_dict *d, uint8_t family,
			const uint8_t addr[16], uint32_t ifindex);
uint32_t top_dict_peer(struct top_dict *d, uint8_t family,
		       const uint8_t addr[16]);
uint32_t top_dict_owner(struct top_dict *d, uint32_t pid, const char *name);

/* The index of len bytes in the text table (never 0; they are copied),
 * and the bytes of index i, valid until the dict is cleared, and *len. */
uint32_t top_dict_text(struct top_dict *d, const void *key, size_t len);
const uint8_t *top_dict_text_at(const struct top_dict *d, uint32_t i,
				size_t *len);

/* The family and address (16 bytes, as in a struct sock_rec) of peer
 * index i. */
void top_dict_peer_addr(const struct top_dict *d, uint32_t i, uint8_t *family,
			uint8_t addr[16]);

/* Re-intern, into dst, the entries *local, *peer and *owner (0: none)
 * index in src, and set them to their indices in dst. *peer is a text
 * index when the local entry's family is neither AF_INET nor AF_INET6. */
void top_dict_copy(struct top_dict *dst, const struct top_dict *src,
		   uint32_t *local, uint32_t *peer, uint32_t *owner);

/* The key of index i (from 1, below the table's count + 1). */
static inline const uint8_t *top_intern_key(const struct top_intern *t,
					    uint32_t i)
{
	return t->keys + (size_t)(i - 1) * t->klen;
}

#endif

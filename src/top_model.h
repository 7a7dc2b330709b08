/*
 * top_model.h - the data behind `sockscope top`, with no terminal in sight:
 * snapshots of sockets (struct top_snap), rates between two snapshots, and
 * the ordered list of rows the table shows (struct top_items): one item
 * per socket, or one per group, sorted by a column, or frozen in the order
 * they had when the user pressed `o`.
 *
 * Lifetimes: top_snap_init/finish and top_items_init/finish pair on the
 * caller's storage. A snapshot's row array is reused between refreshes
 * (top_snap_reset keeps the memory), and so is its dict of endpoints and
 * owners (top_dict.h), cleared with it. Items index one snapshot's rows
 * (and the closed rows of the gones added): rebuild them (top_items_build)
 * after every change to that snapshot, and after every change to the
 * gones they show (top_items_add_gone).
 *
 * Implemented in three files: top_model.c (snapshots, rows, rates,
 * columns), top_items.c (the items: keys, groups, sorting, freezing),
 * top_gones.c (closed rows).
 */
#ifndef SOCKSCOPE_TOP_MODEL_H
#define SOCKSCOPE_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "field_id.h"
#include "keytab.h"
#include "sock.h"
#include "top_dict.h"

/*
 * What top keeps of one socket: copied out of the receive buffer, what
 * rows share (endpoints, the owner) interned in the dict of the set the
 * row is in (a snapshot's, the closed rows'; top_dict.h), the RTT kept
 * apart (few rows have one: top_snap_rtt). One per socket, so 48 bytes
 * (the small fields are bit-fields: take no address of them). Read the
 * interned parts through top_row_*() with the row's dict.
 */
struct top_row {
	uint64_t cookie;
	uint32_t recv_q;
	uint32_t send_q;
	uint32_t expires_ms;
	uint32_t uid;
	uint32_t inode;
	uint32_t local; /* dict: family, saddr, ifindex */
	/* dict: family, daddr; a row of another family than inet (UNIX,
	 * PACKET, NETLINK: top_row_inet): its endpoints' text entry. */
	uint32_t peer;
	/* dict: the owning process (with proc), 0 if unknown */
	uint32_t owner : 22;
	uint32_t retrans : 8;
	uint32_t has_rtt : 1;	/* an RTT is kept for it */
	uint32_t rtt_asked : 1; /* the rtt source was asked (rows on screen) */
	uint16_t sport;
	uint16_t dport;
	/* The namespace (--all-netns): an index into the run's table
	 * (top_netns.h); 0: the only one. */
	uint16_t ns;
	uint8_t protocol;
	uint8_t state : 5; /* enum tcp_state, < SS_MAX */
	uint8_t timer : 3; /* idiag_timer, 0-4 */
};

/* The row's interned parts, from the dict of its set. */
static inline uint8_t top_row_family(const struct top_dict *d,
				     const struct top_row *r)
{
	return top_intern_key(&d->local, r->local)[16];
}

/* An AF_INET or AF_INET6 row (TCP, UDP, MPTCP, RAW, SCTP): addresses and
 * ports. The others' endpoints are text entries (top_row_rec()). */
static inline bool top_row_inet(const struct top_dict *d,
				const struct top_row *r)
{
	uint8_t family = top_row_family(d, r);

	return family == AF_INET || family == AF_INET6;
}

static inline const uint8_t *top_row_saddr(const struct top_dict *d,
					   const struct top_row *r)
{
	return top_intern_key(&d->local, r->local);
}

/* The peer's address, 16 bytes as in a struct sock_rec, into addr (all
 * zero for a row of another family than inet). */
static inline void top_row_daddr(const struct top_dict *d,
				 const struct top_row *r, uint8_t addr[16])
{
	uint8_t family;

	if (!top_row_inet(d, r)) {
		memset(addr, 0, 16);
		return;
	}
	top_dict_peer_addr(d, r->peer, &family, addr);
}
uint32_t top_row_ifindex(const struct top_dict *d, const struct top_row *r);
/* The owner's pid, 0 if unknown. */
uint32_t top_row_pid(const struct top_dict *d, const struct top_row *r);
/* The owner's name, raw bytes (no NUL), and *len (0: unknown). */
const char *top_row_proc(const struct top_dict *d, const struct top_row *r,
			 size_t *len);

/* Kernel TCP counters a source may provide (cumulative, as in /proc). */
struct top_counters {
	uint64_t new_conns;	   /* Tcp: ActiveOpens + PassiveOpens */
	uint64_t retrans_segs;	   /* Tcp: RetransSegs */
	uint64_t listen_overflows; /* TcpExt: ListenOverflows */
	uint64_t orphans;	   /* sockstat TCP orphan (host-wide) */
	bool have_orphans;
};

/*
 * The (local address, peer address, peer port) with the most TCP sockets
 * on an ephemeral local port, any state but LISTEN: connections to one
 * destination share the usable ports of one local address.
 */
struct top_tuple {
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t dport;
	uint16_t ns;	  /* its namespace (top_row.ns) */
	uint32_t sockets; /* 0: no such socket */
};

/* An RTT asked for one row (top_snap.asked). */
struct top_rtt {
	uint32_t row; /* its index */
	uint32_t rtt_us;
};

struct top_snap {
	struct top_row *rows; /* the rows that pass the filter */
	size_t n;
	size_t cap;
	struct top_dict dict; /* the rows' endpoints and owners */
	/* RTTs: every row's (cap of them) when the dump had tcp_info (-b,
	 * sorting by RTT), else NULL and the few rows asked (on screen) in
	 * asked, sorted by row. */
	uint32_t *rtt;
	struct top_rtt *asked;
	size_t n_asked, cap_asked;
	uint32_t tcp_states[SS_MAX]; /* every TCP socket, filter or not */
	/* Every socket of each table read, filter or not, by the position
	 * of its PROTO_ bit (opts.h) and its kernel state: the header's
	 * per-table line (TCP's is tcp_states again, its meters' source). */
	uint32_t table_states[32][SS_MAX];
	uint64_t total; /* every socket seen */
	/* Ephemeral local ports, set before counting; 0, 0: tuples not
	 * counted. Tuples count every TCP socket, filter or not. */
	uint16_t eph_lo, eph_hi;
	struct keytab tuples; /* key: family, saddr, daddr, dport, ns */
	/* The namespace top_snap_count() counts in (--all-netns): ports
	 * are per namespace, so are tuples. Set before each one's dump. */
	uint16_t counting_ns;
	struct top_tuple worst;
	struct top_counters counters;
	bool has_counters;
	double when; /* CLOCK_MONOTONIC seconds at the start of the refresh */
	double took; /* seconds the refresh took */
};

void top_snap_init(struct top_snap *s);
void top_snap_finish(struct top_snap *s);
/* Empty it for the next refresh; keeps the row memory. */
void top_snap_reset(struct top_snap *s);
/*
 * Free its rows and tuples, keep the counts, counters and times: what the
 * previous refresh is still read for (rates, the state diagram's change)
 * once the sockets that closed were taken from it (top_gones_update).
 * Between refreshes top then holds one snapshot's rows, not two.
 */
void top_snap_release(struct top_snap *s);
/* Give back the room for rows beyond s->n (the rows are final):
 * geometric growth leaves up to half the array unused. */
void top_snap_trim(struct top_snap *s);
/* Heap bytes s holds (rows, dict, RTTs, tuples): the model's own
 * accounting. */
size_t top_snap_bytes(const struct top_snap *s);
/* A new row at the end, filled from rec (top_row_from_rec), valid until
 * the next call. */
struct top_row *top_snap_add(struct top_snap *s, const struct sock_rec *rec);
/* Counts rec in its table's states (table_states), TCP's meters and
 * tuple (TCP only) and the total. */
void top_snap_count(struct top_snap *s, const struct sock_rec *rec);
/* Set the owner of row (of s): name (a string: its first 15 bytes), pid;
 * "" and 0: unknown. */
void top_snap_set_owner(struct top_snap *s, struct top_row *row,
			const char *name, uint32_t pid);
/* Row i's RTT: keep it, or read it (false: none kept). */
void top_snap_set_rtt(struct top_snap *s, size_t i, uint32_t rtt_us);
bool top_snap_rtt(const struct top_snap *s, size_t i, uint32_t *rtt_us);

/* Fill row's keys from rec, interning its endpoints in d; the RTT of its
 * tcp_info (when the kernel sent one) into *rtt_us: true if so. top's one
 * converter from the pipeline's record, of any family the registry lists
 * (why a row and not the record: docs/architecture.md). */
bool top_row_from_rec(struct top_dict *d, struct top_row *row,
		      const struct sock_rec *rec, uint32_t *rtt_us);
/* The record of row's keys: the socket's identity for diag_get and
 * diag_kill, its endpoints, what summary_add() reads. No ext but a UNIX
 * row's name (ext.path), which points into d: valid while d's entries. */
void top_row_rec(const struct top_dict *d, const struct top_row *row,
		 struct sock_rec *rec);

/* A row's identity apart from its set's dict, which a refresh replaces:
 * what closing its socket or asking for its RTT needs. */
struct top_target {
	struct sock_rec rec; /* top_row_rec() */
	uint16_t ns;	     /* top_row.ns */
};

void top_row_target(const struct top_dict *d, const struct top_row *row,
		    struct top_target *t);

/* No remote host: LISTEN, or no peer address and port (unconnected UDP).
 * Grouped by remote host, these sockets form one group of their own
 * (the rows of other families than inet: one per family, after it). */
bool top_row_is_listener(const struct top_dict *d, const struct top_row *r);

/* Per-second changes from prev to cur; valid false if no time passed. */
struct top_rates {
	bool valid;
	bool has_counters;
	double state[SS_MAX];
	double new_conns;
	double retrans_segs;
	double listen_overflows;
};

void top_rates_compute(struct top_rates *r, const struct top_snap *prev,
		       const struct top_snap *cur);

enum top_group {
	TOP_GROUP_NONE, /* one row per socket */
	TOP_GROUP_STATE,
	TOP_GROUP_LPORT,
	TOP_GROUP_RHOST,
	TOP_GROUP_RHOSTPORT,
	TOP_GROUP_PROCESS,
	TOP_GROUP_NETNS, /* --all-netns: one row per namespace */
	TOP_GROUP_COUNT,
};

/* The order of group keys under g (equal keys make one group), and of
 * two rows' endpoints (local, or peer); for the field registry. da and
 * db: the dicts of a's and b's sets. */
int top_row_cmp_key(const struct top_dict *da, const struct top_row *a,
		    const struct top_dict *db, const struct top_row *b,
		    enum top_group g);
int top_row_cmp_addr(const struct top_dict *da, const struct top_row *a,
		     const struct top_dict *db, const struct top_row *b,
		     bool peer);

/* top's columns: ids of the field registry (field.h, field.c), which
 * holds each one's title, width, getter and order. */
enum top_col {
	TOP_COL_STATE = FIELD_STATE,
	TOP_COL_LOCAL = FIELD_LOCAL,
	TOP_COL_PEER = FIELD_PEER,
	TOP_COL_RECVQ = FIELD_RECVQ,
	TOP_COL_SENDQ = FIELD_SENDQ,
	TOP_COL_TIMER = FIELD_TIMER,
	TOP_COL_RETRANS = FIELD_RETRANS,
	TOP_COL_RTT = FIELD_RTT,
	TOP_COL_PROCESS = FIELD_PROCESS,
	TOP_COL_UID = FIELD_UID,
	TOP_COL_INODE = FIELD_INODE, /* with -e */
	TOP_COL_NETNS = FIELD_NETNS, /* --all-netns: the namespace's label */
	TOP_COL_NETID = FIELD_NETID, /* tables beyond TCP and UDP */
	TOP_COL_KEY = FIELD_GROUP,   /* grouped view: the group's key */
	TOP_COL_COUNT = FIELD_COUNT, /* grouped view: sockets in the group */
	TOP_COL_MAX = FIELD_MAX,
};

/* "state", "local port", ... for the header. Never NULL. */
const char *top_group_name(enum top_group g);

/*
 * The columns of the table for grouping g, left to right, into out;
 * returns how many. Sockets: NETNS NETID STATE LOCAL PEER Recv-Q Send-Q TIMER
 * RETRANS RTT PROCESS UID INODE; groups: KEY COUNT Recv-Q Send-Q RETRANS.
 * A field's needs (field.h) may keep the view from showing it (PROCESS
 * without -p, INODE without -e, NETNS without --all-netns, NETID without
 * tables beyond TCP and UDP).
 */
size_t top_mode_cols(enum top_group g, enum top_col out[TOP_COL_MAX]);
/* Whether column c is part of the table for grouping g. */
bool top_col_in_mode(enum top_col c, enum top_group g);

/* Whether column c naturally sorts largest first (numbers) or not. */
bool top_col_desc(enum top_col c);

/*
 * One table row as the view keeps it: a socket (a row of the snapshot the
 * items were built from, or a closed one of the gones added) or a group.
 * One per socket, so 8 bytes: an index and what says where it points.
 * Read it through top_items_ref(), which resolves it into a struct top_ref.
 */
struct top_item {
	uint32_t i;	    /* the row, gone row or group it stands for */
	uint32_t gone : 1;  /* closed (or left the filter) lately: dimmed */
	uint32_t group : 1; /* i is a group of top_items.groups */
};

/* A group: its first row (in the snapshot) stands for it. */
struct top_group_acc {
	uint64_t id; /* a hash of the group key */
	uint64_t recv_q;
	uint64_t send_q;
	uint32_t rep;	  /* index of the representing row */
	uint32_t retrans; /* a u8 per socket: 2^24 sockets fit */
	uint32_t count;
};

/*
 * An item resolved for reading (the field registry's getters): valid
 * until the snapshot, the gones or the items change.
 */
struct top_ref {
	const struct top_row *rep;
	const struct top_dict *dict; /* rep's */
	uint64_t id; /* stable identity: cookie, or a hash of the group key */
	uint64_t recv_q;
	uint64_t send_q;
	uint32_t retrans;
	uint32_t count;
	uint32_t rtt_us; /* rep's, valid if has_rtt */
	bool has_rtt;
	bool gone;
};

struct top_order {
	enum top_group group;
	enum top_col sort;
	bool invert; /* against the column's natural direction */
};

struct top_items {
	struct top_item *v;
	size_t n;
	size_t cap;
	/* v[0 .. sorted) are in their final order; every live item after
	 * them comes later in that order, unsorted (top_items_need). The
	 * gone items (from n_live on) follow, in their own order. */
	size_t sorted;
	size_t n_live;
	struct top_order ord; /* the order built for */
	/* What the items index: the snapshot built from, the closed rows
	 * added (top_items_add_gone), the groups folded. */
	const struct top_snap *snap;
	const struct top_gones *gones;
	struct top_group_acc *groups;
	size_t n_groups, cap_groups;
	/* `o`: the ids in the order they were frozen, sorted by id. */
	struct top_rank *frozen;
	size_t n_frozen;
	bool is_frozen;
};

/*
 * Sockets that closed lately, as htop keeps exited processes on screen
 * for a moment: the kernel's destroy events (events), else the rows of
 * one snapshot missing from the next (then a socket that leaves the
 * filter by changing state counts too).
 */
struct top_gone {
	struct top_row row; /* as last seen, or as the event said */
	uint32_t rtt_us;    /* valid if row.has_rtt */
	double when;	    /* the close, or the snapshot that missed it */
};

/*
 * A close the kernel announced (a sock_diag destroy event, top_events.c),
 * waiting for the refresh that settles it (top_gones_update): the
 * event's record (ext cleared) and the RTT its tcp_info had.
 */
struct top_close {
	struct sock_rec rec;
	double when;	 /* CLOCK_MONOTONIC seconds it was received */
	uint32_t rtt_us; /* valid if has_rtt */
	bool has_rtt;
	bool passes; /* the record passed the filter when it came */
};

/* rec (ext may point into a receive buffer) received at when. */
void top_close_from_rec(struct top_close *c, const struct sock_rec *rec,
			double when);

struct top_gones {
	/* The closed rows shown (v) and held: their endpoints and owners,
	 * rebuilt at every update from the rows still kept. */
	struct top_dict dict;
	struct top_gone *v;
	size_t n, cap;
	bool valid;	     /* rate is known (two snapshots seen) */
	double rate[SS_MAX]; /* per second by last state, last interval */
	double total;	     /* the sum of rate */
	/* Fed by the kernel's destroy events (top_gones_add_close): then a
	 * row missing from a refresh is a close only in TIME_WAIT (the
	 * kernel announces no TIME_WAIT end); the others wait in held for
	 * an event, and leave unsaid (they left the filter) without one. */
	bool events;
	/* With events: the filter names states, so a row missing without
	 * an event may have left it by changing state; otherwise the
	 * socket left the kernel's table (reset or killed while its owner
	 * still holds it: no event until it is freed) and closed. */
	bool wait_event;
	uint64_t lost; /* close events dropped (sk_drops, a full queue) */
	struct top_close *pend; /* events since the last refresh */
	size_t n_pend, cap_pend;
	struct top_gone *held; /* rows missing lately, no event yet */
	size_t n_held, cap_held;
};

void top_gones_init(struct top_gones *g);
void top_gones_finish(struct top_gones *g);
/* Forget them all (the filter changed: leaving it is not closing). */
void top_gones_clear(struct top_gones *g);
/* Queue one announced close for the next top_gones_update(). */
void top_gones_add_close(struct top_gones *g, const struct top_close *c);
/* Add the rows of prev missing from cur; drop those gone more than keep
 * seconds before cur->when; the rates over prev -> cur. With events: the
 * closes queued since, as the row a refresh last saw (its state counts)
 * or, born since, as the event says (kept if it passed the filter); a
 * socket still in cur (gone to TIME_WAIT) did not close. */
void top_gones_update(struct top_gones *g, const struct top_snap *prev,
		      const struct top_snap *cur, double keep);
/* Heap bytes g holds. */
size_t top_gones_bytes(const struct top_gones *g);

void top_items_init(struct top_items *it);
void top_items_finish(struct top_items *it);
/* Heap bytes it holds (items, the frozen order). */
size_t top_items_bytes(const struct top_items *it);

/*
 * Build the items for snap under ord. Natural direction: numbers largest
 * first, text and addresses ascending; ties go by id, so equal keys keep
 * one order between refreshes. While frozen, items known at freeze time
 * keep their order and new ones follow in sorted order.
 */
void top_items_build(struct top_items *it, const struct top_snap *snap,
		     const struct top_order *ord);

/*
 * As top_items_build(), but only the first want items are put in order
 * (a partial selection: the top want by the sort key, then a sort of
 * those), the rest left after them in no order: a page of a million
 * sockets costs a pass, not a sort. want 0: every item.
 */
void top_items_build_top(struct top_items *it, const struct top_snap *snap,
			 const struct top_order *ord, size_t want);

/* Put the first want items (all, if fewer) in their final order; those
 * already in it stay. */
void top_items_need(struct top_items *it, size_t want);

/*
 * The index of the item with id in the final order, putting it and the
 * extra items after it in order; SIZE_MAX when no item has it. Costs a
 * pass to rank it when it lies beyond the sorted part.
 */
size_t top_items_find(struct top_items *it, uint64_t id, size_t extra);

/* Append g's rows after the items built, marked gone, newest first; their
 * ids are not their cookies, so no selection or tag follows onto them. */
void top_items_add_gone(struct top_items *it, const struct top_gones *g);

/* Resolve x, an item of it, for reading. */
void top_items_ref(const struct top_items *it, const struct top_item *x,
		   struct top_ref *out);
/* Item i's identity (top_ref.id) and its representing row. */
uint64_t top_items_id(const struct top_items *it, size_t i);
const struct top_row *top_items_row(const struct top_items *it, size_t i);

/* Freeze the current order (until top_items_thaw), or forget it. */
void top_items_freeze(struct top_items *it);
void top_items_thaw(struct top_items *it);

#endif

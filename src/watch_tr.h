/*
 * watch_tr.h - the pure half of `sockscope watch --transitions`: one TCP
 * state transition as the BPF program reports it (bpf/watch_tr_event.h)
 * decoded into a typed event, the book of connections that gives each
 * close its exact lifetime and owner, and the rows (table, NDJSON). No
 * I/O and no libbpf here (watch_bpf.c reads the ring buffer), so the unit
 * tests drive it with raw records.
 *
 * A transition names the socket by its kernel address (skaddr): stable for
 * the socket's life, reused after it is freed. A connection's birth is its
 * first transition out of CLOSE (CLOSE -> SYN_SENT on connect(), CLOSE ->
 * SYN_RECV for a child a listener creates, CLOSE -> LISTEN); its end is
 * the transition into CLOSE. The kernel moves the full socket from
 * FIN_WAIT2 or CLOSING to CLOSE when a timewait socket takes its place,
 * and announces nothing when that one ends: TIME_WAIT is never a
 * transition here.
 */
#ifndef SOCKSCOPE_WATCH_TR_H
#define SOCKSCOPE_WATCH_TR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"
#include "util.h"
#include "watch.h"

/* One transition. Self-contained: no pointer into the ring buffer. */
struct watch_tr_event {
	uint64_t time_ms; /* wall clock, ms since the epoch */
	uint64_t ts_ns;	  /* the kernel's CLOCK_MONOTONIC stamp */
	uint64_t sk;	  /* the socket's kernel address: its identity */
	/* family, IPPROTO_TCP, state = the new state, endpoints (ports in
	 * host order), the rest zero: what the FILTER sees. */
	struct sock_rec rec;
	uint8_t old_state;
	/* Set on the move to CLOSE (closed): */
	bool closed;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint64_t lifetime_us;	  /* exact; WATCH_UNKNOWN: born earlier */
	uint64_t lifetime_min_us; /* born earlier: it lived at least this */
	/* The process the transition ran for (process context), else the
	 * last one the connection's earlier transitions named. */
	bool has_owner;
	struct watch_owner owner;
};

/*
 * Decode one ring-buffer record (len bytes) into ev; wall_offset_ns is
 * CLOCK_REALTIME - CLOCK_MONOTONIC, to put the kernel's stamp on the wall
 * clock. Returns 0, or -EINVAL for a short record, an unknown family or a
 * state out of range (the record is then skipped, not shown half-read).
 */
int watch_tr_decode(struct watch_tr_event *ev, const void *data, size_t len,
		    int64_t wall_offset_ns);

/*
 * The book: skaddr -> birth stamp and last owner, for the connections
 * alive now. Created with the watch's start (monotonic ns): a connection
 * first seen later than its birth was born before the watch, and its
 * lifetime is at least the time since the start. watch_tr_book_apply()
 * fills ev's lifetime (on close) and owner, and forgets a closed socket.
 *
 * A close lost to a full ring buffer would keep its entry until the
 * kernel reuses the address, so the book holds at most max entries: past
 * that, the one whose last transition is the oldest is forgotten (a lost
 * close's entry never sees another one; a live quiet connection only
 * loses its exact lifetime). A forgotten connection's close gets a lower
 * bound, as one born before the watch: the time since the newest last
 * transition of any forgotten entry (its birth was no later), so a bound
 * is never more than the truth.
 */
struct watch_tr_book;

/* The default max: 256 Ki connections, about 40 MiB (152 bytes each). */
#define WATCH_TR_BOOK_MAX (1u << 18)

/* max: at least 1. */
struct watch_tr_book *watch_tr_book_create(uint64_t start_ns, size_t max);
void watch_tr_book_destroy(struct watch_tr_book *b);
void watch_tr_book_apply(struct watch_tr_book *b, struct watch_tr_event *ev);
size_t watch_tr_book_size(const struct watch_tr_book *b);
/* Entries forgotten so far because the book was full. */
uint64_t watch_tr_book_evicted(const struct watch_tr_book *b);

/* Table: a header, then one line per transition (-p: PROCESS). */
void watch_tr_table_header(struct obuf *ob, bool processes);
void watch_tr_table_row(struct obuf *ob, const struct watch_tr_event *ev,
			bool processes);
/* NDJSON: one object per transition ("event":"transition"). */
void watch_tr_ndjson_row(struct obuf *ob, const struct watch_tr_event *ev,
			 bool processes);

#endif

/*
 * watch.h - the pure half of `sockscope watch`: one destroy notification
 * as a typed event, the lifetime/owner book, the per-event formats and the
 * Prometheus counters. No I/O here (cmd_watch.c owns the sockets), so the
 * unit tests drive it with records and clock values.
 *
 * What a destroy notification carries (inet_diag_handler_get_info() in
 * net/ipv4/inet_diag.c, queued by sock_diag_broadcast_destroy()): the
 * addresses, ports, interface, cookie and state, INET_DIAG_PROTOCOL, and
 * for TCP a struct tcp_info (INET_DIAG_INFO). No uid, no inode, no timer:
 * the owner and the birth come from the book, which periodic dumps fill.
 * A TCP socket is freed in CLOSE (inet_csk_destroy_sock() wants it), so
 * the state is nearly always "close"; the book keeps the last state a dump
 * saw, shown as "last".
 */
#ifndef SOCKSCOPE_WATCH_H
#define SOCKSCOPE_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc.h"
#include "sock.h"
#include "util.h"

/* Lifetime or state not known: the socket is older than the watch. */
#define WATCH_UNKNOWN UINT64_MAX

struct watch_owner {
	uint32_t pid;
	size_t name_len;
	char name[PROC_NAME_MAX];
};

/* One closed socket. Self-contained: no pointer into a buffer. */
struct watch_event {
	uint64_t time_ms;    /* wall clock, ms since the epoch */
	struct sock_rec rec; /* ext cleared */
	bool has_tcp_info;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint32_t retrans;     /* tcpi_total_retrans */
	uint32_t rtt_us;      /* smoothed RTT */
	uint64_t lifetime_ms; /* an upper bound, or WATCH_UNKNOWN */
	uint8_t last_state;   /* the last state a dump saw, 0: none */
	bool has_owner;
	struct watch_owner owner;
};

/* rec (with its tcp_info, if any) at wall time now_ms into ev. */
void watch_event_from_rec(struct watch_event *ev, const struct sock_rec *rec,
			  uint64_t now_ms);

/*
 * The book: cookie -> when the socket was first seen, its last state and
 * owner. watch_book_dump_begin(now), then watch_book_note() for every row
 * of a dump, then watch_book_dump_end(): the first dump marks its sockets
 * older than the watch; a later dump records a new socket as born after
 * the previous dump (the last time it was not there), so a lifetime is an
 * upper bound, off by at most one refresh. A socket no dump saw was born
 * after the last dump. Entries two dumps did not see are dropped (an event
 * lost to ENOBUFS would otherwise keep its socket forever).
 */
struct watch_book;

struct watch_book *watch_book_create(void);
void watch_book_destroy(struct watch_book *b);
void watch_book_dump_begin(struct watch_book *b, uint64_t now_ms);
/* owner: the socket's first owner, or NULL. */
void watch_book_note(struct watch_book *b, const struct sock_rec *rec,
		     const struct proc_owner *owner);
void watch_book_dump_end(struct watch_book *b);
/* The inode a dump saw for cookie, 0 when none (the pid/comm filter). */
uint32_t watch_book_inode(const struct watch_book *b, uint64_t cookie);
/*
 * Fill ev's lifetime, last state and owner, and forget the socket. An
 * event without a peer port gets the addresses and peer a dump saw: the
 * kernel clears them when the owner aborts the connection (SO_LINGER 0).
 */
void watch_book_close(struct watch_book *b, struct watch_event *ev);
size_t watch_book_size(const struct watch_book *b);

/* Table: the header line, then one line per event (-p: PROCESS). */
void watch_table_header(struct obuf *ob, bool processes);
void watch_table_row(struct obuf *ob, const struct watch_event *ev,
		     bool processes);
/* NDJSON: one object per event; {"time":..,"lost":n} for n events the
 * kernel (or the ring buffer) dropped. */
void watch_ndjson_row(struct obuf *ob, const struct watch_event *ev,
		      bool processes);
void watch_ndjson_lost(struct obuf *ob, uint64_t now_ms, uint64_t n);

/*
 * Pieces of the rows above, shared with the transitions' rows (watch_tr.c):
 * "addr:port" (IPv6 in brackets), the local clock "HH:MM:SS.mmm", a
 * duration ("12ms", "3.4s", "5m02s", "2h03m", "?" for WATCH_UNKNOWN), pads
 * the text written since start to width (at least one space), v right
 * aligned in width, an owner as "\"name\",pid=N" ("?" for NULL), and the
 * NDJSON forms: ,"key":{"addr":..,"port":..}, "time":s.mmm and
 * ,"process":{..} (null for NULL).
 */
void watch_put_endpoint(struct obuf *ob, uint8_t family, const uint8_t *a,
			uint16_t port);
void watch_put_clock(struct obuf *ob, uint64_t ms);
void watch_put_duration(struct obuf *ob, uint64_t ms);
void watch_pad_from(struct obuf *ob, size_t start, size_t width);
/* text, then padding to width as watch_pad_from(). */
void watch_put_cell(struct obuf *ob, const char *text, size_t width);
/* The local and peer endpoint cells of r, each padded to width. */
void watch_put_endpoints(struct obuf *ob, const struct sock_rec *r,
			 size_t width);
void watch_put_right(struct obuf *ob, uint64_t v, unsigned int width);
void watch_put_owner(struct obuf *ob, const struct watch_owner *owner);
void watch_put_json_endpoint(struct obuf *ob, const char *key, uint8_t family,
			     const uint8_t *a, uint16_t port);
void watch_put_time(struct obuf *ob, uint64_t ms);
void watch_put_json_owner(struct obuf *ob, const struct watch_owner *owner);

/*
 * Prometheus: closes counted by protocol and state, and by peer address
 * for the top N peers at exposition time (the rest summed under
 * peer="other"), the receive overflows (one per ENOBUFS) and the events
 * the kernel dropped in them. Counters since the start.
 */
struct watch_counts;

struct watch_counts *watch_counts_create(void);
void watch_counts_destroy(struct watch_counts *c);
void watch_counts_add(struct watch_counts *c, const struct watch_event *ev);
void watch_counts_overflow(struct watch_counts *c);
void watch_counts_dropped(struct watch_counts *c, uint64_t n);
void watch_counts_prom(struct obuf *ob, const struct watch_counts *c,
		       unsigned int top);

#endif

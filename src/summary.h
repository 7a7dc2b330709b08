/*
 * summary.h - counting sockets: per state, family and protocol, plus top-N
 * breakdowns (listeners with queue fill, remote hosts, remote host:port,
 * (local, remote, remote port) tuples of outgoing connections, owners).
 *
 * Call order: summary_create(), summary_add() per socket (no I/O, no
 * allocation except when a breakdown meets a new key), then the read-only
 * accessors, then summary_destroy(). Records are copied into counters, never
 * kept. Memory grows with distinct keys, not sockets, and each breakdown is
 * capped at SUMMARY_KEYS_MAX keys (later keys are counted in `dropped`).
 * Nothing here formats text.
 */
#ifndef SOCKSCOPE_SUMMARY_H
#define SOCKSCOPE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

#define SUMMARY_KEYS_MAX (1u << 20)

/* Who owns a socket; filled by an owner_ops lookup (-p). */
struct owner {
	uint32_t pid;
	char name[16]; /* as the process set it: escape before printing */
};

/* Optional process lookup, so -p can plug in without summary knowing how. */
struct owner_ops {
	bool (*lookup)(void *data, const struct sock_rec *rec,
		       struct owner *out);
	void *data;
};

/*
 * When connect() may take over a TIME_WAIT 4-tuple (tcp_twsk_unique()):
 * tcp_tw_reuse 1, or 2 with a loopback address or a socket bound to lo,
 * timestamps on, and the TIME_WAIT older than the reuse delay. All zero:
 * never (the default of a zeroed cfg).
 */
struct summary_tw_reuse {
	uint8_t reuse;	   /* net.ipv4.tcp_tw_reuse */
	bool timestamps;   /* net.ipv4.tcp_timestamps != 0 */
	uint32_t delay_ms; /* tcp_tw_reuse_delay, else 1000 */
};

struct summary_cfg {
	uint16_t eph_lo, eph_hi;	/* ip_local_port_range; 0, 0: unknown */
	struct summary_tw_reuse tw;	/* which TIME_WAIT connect() reuses */
	const struct owner_ops *owner;	/* NULL without -p */
	const struct summary *previous; /* an earlier sample, or NULL */
};

enum sum_tab {
	SUM_REMOTE_HOST, /* key: family, daddr
			    v: sockets, -, owned fin_wait2 */
	SUM_REMOTE_PORT, /* key: family, daddr, dport
			    v: sockets, syn_sent, close_wait */
	SUM_TUPLE,	 /* key: family, saddr, daddr, dport
			    v: sockets on an ephemeral port, time_wait,
			    held (all but the TIME_WAIT connect() reuses) */
	SUM_OWNER,	 /* key: pid, name  v: sockets, close_wait, fin_wait2 */
	SUM_TAB_MAX
};

/* Column indexes of struct sum_row.v per table. */
enum {
	SUM_V_TOTAL = 0,
	SUM_V_SYN_SENT = 1,
	SUM_V_TIME_WAIT = 1,
	SUM_V_CLOSE_WAIT = 1,
	SUM_V_FIN_WAIT2 = 2,
	SUM_V_HELD = 2,	    /* SUM_TUPLE */
	SUM_V_PEER_CW = 2,  /* SUM_REMOTE_PORT: close_wait */
	SUM_V_HOST_FW2 = 2, /* SUM_REMOTE_HOST: owned fin_wait2 */
};

struct sum_row {
	uint8_t family;
	uint8_t saddr[16], daddr[16];
	uint16_t dport;
	struct owner owner;
	uint32_t v[3];
};

struct sum_listener {
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	uint32_t recv_q, send_q; /* accept queue length and limit */
	uint32_t pid;		 /* its owner with -p, else 0 */
	bool autobound;		 /* see summary_add_autobound() */
	uint32_t conns[SS_MAX];	 /* TCP sockets on this local port */
};

/* sun_path's size (family.h's UNIX_NAME_MAX). */
#define SUMMARY_UNIX_NAME_MAX 108
/* UNIX listeners kept (few on any host; beyond: counted in dropped). */
#define SUMMARY_UNIX_LISTENERS_MAX 65536

/*
 * A listening UNIX socket (stream or seqpacket): its name as the kernel
 * sent it (raw bytes: a path, or an abstract name whose first byte is NUL;
 * len 0: unnamed), its accept queue and its owner.
 */
struct sum_unix_listener {
	char name[SUMMARY_UNIX_NAME_MAX];
	uint8_t len;
	uint32_t inode;
	uint32_t recv_q, send_q; /* connections queued and the backlog */
	uint32_t pid;		 /* its owner with -p, else 0 */
};

struct summary {
	/* [0] inet, [1] inet6; state codes as the kernel sends them */
	uint64_t tcp[2][SS_MAX];
	uint64_t udp[2][SS_MAX];
	uint64_t tcp_total, udp_total;
	/* UNIX: [0] stream, [1] dgram, [2] seqpacket (SUM_UNIX_*) */
	uint64_t unx[3][SS_MAX];
	uint64_t unix_total;
	uint64_t time_wait_inbound; /* TIME_WAIT not on an ephemeral port */
	uint64_t fin_wait2_owned;   /* FIN_WAIT2 still held by a process */
	uint64_t persisting_close_wait, persisting_fin_wait2;
	uint64_t retrans_stuck; /* >= 8 retransmissions or window probes
				   unanswered: the peer is gone */
	uint64_t zero_window;	/* probing a zero window, probes answered */
	uint64_t dropped;	/* keys over SUMMARY_KEYS_MAX */
	bool have_previous;
	bool have_owners;
	struct summary_priv *priv;
	/* The families beyond inet and UNIX (PACKET...): sockets per table,
	 * indexed by the bit position of its PROTO_ bit (opts.h). */
	uint64_t by_proto[32];
};

enum { SUM_UNIX_STREAM, SUM_UNIX_DGRAM, SUM_UNIX_SEQPACKET, SUM_UNIX_MAX };

struct summary *summary_create(const struct summary_cfg *cfg);
void summary_destroy(struct summary *s);
void summary_add(struct summary *s, const struct sock_rec *rec);

/* TCP sockets counted under state (state_fold()), both families */
uint64_t summary_tcp_state(const struct summary *s, unsigned int state);

/*
 * The n largest rows of tab by column col into rows[] (ties: key order).
 * Returns how many were written. Also *keys = distinct keys, if not NULL.
 */
size_t summary_top(const struct summary *s, enum sum_tab tab, unsigned int col,
		   struct sum_row *rows, size_t n, size_t *keys);

/* Listening UNIX sockets, most queued connections first (then by name):
 * the first n into rows. Returns how many written; *keys: all kept. */
size_t summary_unix_listeners(const struct summary *s,
			      struct sum_unix_listener *rows, size_t n,
			      size_t *keys);

/* Listening TCP sockets, fullest queue first. Returns how many written. */
size_t summary_listeners(const struct summary *s, struct sum_listener *rows,
			 size_t n, size_t *keys);

/*
 * Mark rec, a listener already added, as autobound (its port picked by the
 * kernel: bind() to port 0 or listen() without bind()); the caller learns
 * that from a dump with the `autobound` kernel filter.
 */
void summary_add_autobound(struct summary *s, const struct sock_rec *rec);

/* How full a listener's accept queue is (TCP's or UNIX's): Recv-Q /
 * (Send-Q + 1). The kernel queues backlog + 1 connections
 * (sk_acceptq_is_full() tests Recv-Q > backlog before it adds one), so
 * 1.0 is full, also for a backlog of 0 with one connection queued. */
double summary_queue_fill(uint32_t recv_q, uint32_t send_q);

/* The name -p found for pid; false when the owner table does not have it. */
bool summary_owner(const struct summary *s, uint32_t pid, struct owner *out);

/* CLOSE_WAIT sockets per local port: the port with the most, or 0. */
uint16_t summary_close_wait_port(const struct summary *s, uint32_t *count);

/* "addr:port" ("[addr]:port" for IPv6) of a breakdown key, for printers. */
#define SUMMARY_ENDPOINT_LEN 56
void summary_endpoint(char *buf, size_t len, uint8_t family,
		      const uint8_t *addr, uint16_t port);

#endif

// SPDX-License-Identifier: MIT
#include "watch.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "addr.h"
#include "format.h"
#include "keytab.h"
#include "state.h"
#include "tcp_info.h"
#include "u64map.h"

void watch_event_from_rec(struct watch_event *ev, const struct sock_rec *rec,
			  uint64_t now_ms)
{
	struct sk_tcp_info ti;
	size_t len;

	memset(ev, 0, sizeof(*ev));
	ev->time_ms = now_ms;
	ev->rec = *rec;
	memset(&ev->rec.ext, 0, sizeof(ev->rec.ext));
	ev->lifetime_ms = WATCH_UNKNOWN;
	if (rec->protocol != IPPROTO_TCP || !rec->ext.tcp_info) {
		return;
	}
	len = tcp_info_decode(&ti, rec->ext.tcp_info, rec->ext.tcp_info_len);
	ev->has_tcp_info = TCPI_HAS(len, tcpi_total_retrans);
	ev->retrans = ti.tcpi_total_retrans;
	ev->rtt_us = ti.tcpi_rtt;
	ev->bytes_acked = ti.tcpi_bytes_acked;
	ev->bytes_received = ti.tcpi_bytes_received;
}

/* ---- the book: sockets by cookie ---- */

struct book_entry {
	struct u64map_node node; /* key: the cookie */
	uint64_t born_after_ms;	 /* WATCH_UNKNOWN: older than the watch */
	unsigned long seen_gen;
	uint32_t inode;
	uint16_t dport;
	uint8_t state;
	bool has_owner;
	uint8_t saddr[16];
	uint8_t daddr[16];
	struct watch_owner owner;
};

struct watch_book {
	struct u64map map; /* of struct book_entry */
	unsigned long gen; /* dumps begun */
	uint64_t dump_ms;  /* when the current dump began */
	uint64_t prev_ms;  /* when the last finished dump began */
	bool dumped;	   /* one dump finished */
};

struct watch_book *watch_book_create(void)
{
	struct watch_book *b = xcalloc(1, sizeof(*b));

	/* Cookies count up from one: no low bits to drop. */
	u64map_init(&b->map, 0);
	return b;
}

void watch_book_destroy(struct watch_book *b)
{
	if (!b) {
		return;
	}
	u64map_free(&b->map, NULL);
	free(b);
}

static struct book_entry *entry_of(struct u64map_node *n)
{
	return (struct book_entry *)n;
}

void watch_book_dump_begin(struct watch_book *b, uint64_t now_ms)
{
	b->gen++;
	b->dump_ms = now_ms;
}

void watch_book_note(struct watch_book *b, const struct sock_rec *rec,
		     const struct proc_owner *owner)
{
	struct book_entry *e = entry_of(u64map_get(&b->map, rec->cookie));

	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->node.key = rec->cookie;
		e->born_after_ms = b->dumped ? b->prev_ms : WATCH_UNKNOWN;
		u64map_add(&b->map, &e->node);
	}
	e->seen_gen = b->gen;
	e->state = rec->state;
	if (rec->dport) {
		e->dport = rec->dport;
		memcpy(e->saddr, rec->saddr, sizeof(e->saddr));
		memcpy(e->daddr, rec->daddr, sizeof(e->daddr));
	}
	if (rec->inode) {
		e->inode = rec->inode;
	}
	if (owner && !e->has_owner) {
		e->has_owner = true;
		e->owner.pid = owner->pid;
		e->owner.name_len = owner->name_len < PROC_NAME_MAX
					? owner->name_len
					: PROC_NAME_MAX;
		memcpy(e->owner.name, owner->name, e->owner.name_len);
	}
}

/* Not seen by this dump nor the one before. */
static bool stale(const struct u64map_node *n, void *ctx)
{
	const struct watch_book *b = ctx;

	return ((const struct book_entry *)n)->seen_gen + 1 < b->gen;
}

void watch_book_dump_end(struct watch_book *b)
{
	u64map_sweep(&b->map, stale, b);
	b->prev_ms = b->dump_ms;
	b->dumped = true;
}

uint32_t watch_book_inode(const struct watch_book *b, uint64_t cookie)
{
	const struct book_entry *e = entry_of(u64map_get(&b->map, cookie));

	return e ? e->inode : 0;
}

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

void watch_book_close(struct watch_book *b, struct watch_event *ev)
{
	struct book_entry *e = entry_of(u64map_take(&b->map, ev->rec.cookie));

	if (!e) {
		/* Born after the last dump (or before any: unknown). */
		ev->lifetime_ms =
		    b->dumped ? since(ev->time_ms, b->prev_ms) : WATCH_UNKNOWN;
		return;
	}
	ev->lifetime_ms = e->born_after_ms == WATCH_UNKNOWN
			      ? WATCH_UNKNOWN
			      : since(ev->time_ms, e->born_after_ms);
	ev->last_state = e->state;
	/* Closed with a reset by its owner (SO_LINGER 0): tcp_disconnect()
	 * cleared the peer before the socket was freed; a dump knew it. */
	if (!ev->rec.dport && e->dport) {
		ev->rec.dport = e->dport;
		memcpy(ev->rec.saddr, e->saddr, sizeof(e->saddr));
		memcpy(ev->rec.daddr, e->daddr, sizeof(e->daddr));
	}
	ev->has_owner = e->has_owner;
	ev->owner = e->owner;
	free(e);
}

size_t watch_book_size(const struct watch_book *b)
{
	return b->map.count;
}

/* ---- formats ---- */

/* "addr:port", IPv6 in brackets; numeric (no service names). */
void watch_put_endpoint(struct obuf *ob, uint8_t family, const uint8_t *a,
			uint16_t port)
{
	char buf[ADDR_STRLEN];

	addr_format(buf, family, a);
	obuf_printf(ob, family == AF_INET6 ? "[%s]:%u" : "%s:%u", buf,
		    (unsigned int)port);
}

void watch_put_clock(struct obuf *ob, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	obuf_printf(ob, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		    (unsigned int)(ms % 1000));
}

/* "12ms", "3.4s", "5m02s", "2h03m"; "?" when unknown. */
void watch_put_duration(struct obuf *ob, uint64_t ms)
{
	if (ms == WATCH_UNKNOWN) {
		obuf_putc(ob, '?');
	} else if (ms < 1000) {
		obuf_printf(ob, "%llums", (unsigned long long)ms);
	} else if (ms < 60000) {
		obuf_printf(ob, "%llu.%llus", (unsigned long long)(ms / 1000),
			    (unsigned long long)(ms % 1000 / 100));
	} else if (ms < 3600000) {
		obuf_printf(ob, "%llum%02llus",
			    (unsigned long long)(ms / 60000),
			    (unsigned long long)(ms % 60000 / 1000));
	} else {
		obuf_printf(ob, "%lluh%02llum",
			    (unsigned long long)(ms / 3600000),
			    (unsigned long long)(ms % 3600000 / 60000));
	}
}

/* Pad the text written since start to width (at least one space). */
void watch_pad_from(struct obuf *ob, size_t start, size_t width)
{
	size_t n = ob->len - start;

	obuf_pad(ob, n < width ? width - n : 1);
}

void watch_put_endpoints(struct obuf *ob, const struct sock_rec *r,
			 size_t width)
{
	size_t at = ob->len;

	watch_put_endpoint(ob, r->family, r->saddr, r->sport);
	watch_pad_from(ob, at, width);
	at = ob->len;
	watch_put_endpoint(ob, r->family, r->daddr, r->dport);
	watch_pad_from(ob, at, width);
}

void watch_put_cell(struct obuf *ob, const char *text, size_t width)
{
	size_t at = ob->len;

	obuf_puts(ob, text);
	watch_pad_from(ob, at, width);
}

/* Column widths: the header and the rows are drawn from the same. */
enum {
	W_TIME = 13,
	W_NETID = 6,
	W_STATE = 12,
	W_ADDR = 32,
	W_BYTES = 10,
	W_RETRANS = 8,
	W_RTT = 9,
	W_LIFE = 9,
};

void watch_put_owner(struct obuf *ob, const struct watch_owner *owner)
{
	if (!owner) {
		obuf_putc(ob, '?');
		return;
	}
	obuf_putc(ob, '"');
	obuf_escape_quoted(ob, owner->name, owner->name_len);
	obuf_printf(ob, "\",pid=%u", owner->pid);
}

void watch_put_json_owner(struct obuf *ob, const struct watch_owner *owner)
{
	if (!owner) {
		obuf_puts(ob, ",\"process\":null");
		return;
	}
	obuf_printf(ob, ",\"process\":{\"pid\":%u,\"name\":", owner->pid);
	obuf_json_string(ob, owner->name, owner->name_len);
	obuf_putc(ob, '}');
}

void watch_table_header(struct obuf *ob, bool processes)
{
	obuf_printf(ob, "%-*s%-*s%-*s%-*s%-*s%-*s%*s%*s%*s%*s %-*s", W_TIME,
		    "TIME", W_NETID, "NETID", W_STATE, "STATE", W_STATE, "LAST",
		    W_ADDR, "LOCAL", W_ADDR, "PEER", W_BYTES, "ACKED", W_BYTES,
		    "RECEIVED", W_RETRANS, "RETRANS", W_RTT, "RTT",
		    processes ? W_LIFE : 0, "LIFETIME");
	obuf_puts(ob, processes ? " PROCESS\n" : "\n");
}

void watch_put_right(struct obuf *ob, uint64_t v, unsigned int width)
{
	unsigned int w = u64_width(v);

	obuf_pad(ob, w < width ? width - w : 1);
	obuf_u64(ob, v);
}

/* Microseconds below a millisecond (loopback), else milliseconds. */
static void put_rtt(struct obuf *ob, uint32_t us)
{
	char buf[32];

	if (us < 1000) {
		snprintf(buf, sizeof(buf), "%uus", us);
	} else {
		snprintf(buf, sizeof(buf), "%.1fms", us / 1000.0);
	}
	obuf_printf(ob, "%*s", W_RTT, buf);
}

void watch_table_row(struct obuf *ob, const struct watch_event *ev,
		     bool processes)
{
	const struct sock_rec *r = &ev->rec;
	char nbuf[8];
	size_t at = ob->len;

	watch_put_clock(ob, ev->time_ms);
	watch_pad_from(ob, at, W_TIME);
	watch_put_cell(ob, format_netid(r->protocol, nbuf), W_NETID);
	watch_put_cell(ob, state_name(r->state, r->protocol), W_STATE);
	watch_put_cell(
	    ob, ev->last_state ? state_name(ev->last_state, r->protocol) : "?",
	    W_STATE);
	watch_put_endpoints(ob, r, W_ADDR);
	if (ev->has_tcp_info) {
		watch_put_right(ob, ev->bytes_acked, W_BYTES);
		watch_put_right(ob, ev->bytes_received, W_BYTES);
		watch_put_right(ob, ev->retrans, W_RETRANS);
		put_rtt(ob, ev->rtt_us);
	} else {
		obuf_printf(ob, "%*s%*s%*s%*s", W_BYTES, "-", W_BYTES, "-",
			    W_RETRANS, "-", W_RTT, "-");
	}
	obuf_putc(ob, ' ');
	at = ob->len;
	watch_put_duration(ob, ev->lifetime_ms);
	if (processes) {
		watch_pad_from(ob, at, W_LIFE);
		obuf_putc(ob, ' ');
		watch_put_owner(ob, ev->has_owner ? &ev->owner : NULL);
	}
	obuf_putc(ob, '\n');
}

void watch_put_json_endpoint(struct obuf *ob, const char *key, uint8_t family,
			     const uint8_t *a, uint16_t port)
{
	char buf[ADDR_STRLEN];

	addr_format(buf, family, a);
	obuf_printf(ob, ",\"%s\":{\"addr\":\"%s\",\"port\":%u}", key, buf,
		    (unsigned int)port);
}

void watch_put_time(struct obuf *ob, uint64_t ms)
{
	obuf_printf(ob, "\"time\":%llu.%03llu", (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
}

void watch_ndjson_row(struct obuf *ob, const struct watch_event *ev,
		      bool processes)
{
	const struct sock_rec *r = &ev->rec;
	char nbuf[8];

	obuf_putc(ob, '{');
	watch_put_time(ob, ev->time_ms);
	obuf_printf(ob,
		    ",\"event\":\"close\",\"netid\":\"%s\","
		    "\"family\":\"%s\",\"state\":\"%s\",\"last_state\":",
		    format_netid(r->protocol, nbuf),
		    r->family == AF_INET6 ? "inet6" : "inet",
		    state_name(r->state, r->protocol));
	if (ev->last_state) {
		obuf_printf(ob, "\"%s\"",
			    state_name(ev->last_state, r->protocol));
	} else {
		obuf_puts(ob, "null");
	}
	watch_put_json_endpoint(ob, "local", r->family, r->saddr, r->sport);
	watch_put_json_endpoint(ob, "peer", r->family, r->daddr, r->dport);
	obuf_printf(ob, ",\"cookie\":%llu", (unsigned long long)r->cookie);
	if (ev->has_tcp_info) {
		obuf_printf(ob,
			    ",\"bytes_acked\":%llu,\"bytes_received\":%llu,"
			    "\"retrans\":%u,\"rtt_us\":%u",
			    (unsigned long long)ev->bytes_acked,
			    (unsigned long long)ev->bytes_received, ev->retrans,
			    ev->rtt_us);
	}
	obuf_puts(ob, ",\"lifetime_ms\":");
	if (ev->lifetime_ms == WATCH_UNKNOWN) {
		obuf_puts(ob, "null");
	} else {
		obuf_u64(ob, ev->lifetime_ms);
	}
	if (processes) {
		watch_put_json_owner(ob, ev->has_owner ? &ev->owner : NULL);
	}
	obuf_puts(ob, "}\n");
}

void watch_ndjson_lost(struct obuf *ob, uint64_t now_ms, uint64_t n)
{
	obuf_putc(ob, '{');
	watch_put_time(ob, now_ms);
	obuf_printf(ob, ",\"lost\":%llu}\n", (unsigned long long)n);
}

/* ---- Prometheus counters ---- */

/* Distinct peers counted one by one (keytab); the rest go to "other". */
#define PEER_MAX 65536
/* Key: family, then the 16 address bytes, zero padding to 24. */
#define PEER_KLEN 24

struct watch_counts {
	uint64_t by_state[2][SS_MAX]; /* [0] TCP, [1] UDP */
	uint64_t other_peers;
	uint64_t overflows;  /* ENOBUFS */
	uint64_t dropped;    /* the notifications they stand for */
	struct keytab peers; /* counter 0: closes */
};

struct watch_counts *watch_counts_create(void)
{
	struct watch_counts *c = xcalloc(1, sizeof(*c));

	keytab_init(&c->peers, PEER_KLEN);
	return c;
}

void watch_counts_destroy(struct watch_counts *c)
{
	if (c) {
		keytab_free(&c->peers);
	}
	free(c);
}

void watch_counts_add(struct watch_counts *c, const struct watch_event *ev)
{
	const struct sock_rec *r = &ev->rec;
	int p = r->protocol == IPPROTO_TCP ? 0 : 1;
	uint8_t key[PEER_KLEN] = {r->family};
	uint32_t *n;

	if (r->protocol != IPPROTO_TCP && r->protocol != IPPROTO_UDP) {
		return;
	}
	c->by_state[p][r->state < SS_MAX ? r->state : 0]++;
	memcpy(key + 1, r->daddr, 16);
	n = keytab_get(&c->peers, key, PEER_MAX);
	if (n) {
		n[0]++;
	} else {
		c->other_peers++; /* bounded memory */
	}
}

void watch_counts_overflow(struct watch_counts *c)
{
	c->overflows++;
}

void watch_counts_dropped(struct watch_counts *c, uint64_t n)
{
	c->dropped += n;
}

struct peer_count {
	const uint8_t *key;
	uint32_t n;
};

static int by_count_desc(const void *a, const void *b)
{
	const struct peer_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void prom_peers(struct obuf *ob, const struct watch_counts *c,
		       unsigned int top)
{
	const struct keytab *t = &c->peers;
	struct peer_count *sorted = xcalloc(t->n ? t->n : 1, sizeof(*sorted));
	uint64_t other = c->other_peers;
	char buf[ADDR_STRLEN];

	for (size_t i = 0; i < t->n; i++) {
		sorted[i].key = keytab_key(t, i);
		sorted[i].n = keytab_vals(t, sorted[i].key)[0];
	}
	qsort(sorted, t->n, sizeof(*sorted), by_count_desc);
	obuf_puts(ob, "# HELP sockscope_watch_closes_by_peer_total Sockets "
		      "closed, by peer address (the top N; the rest as "
		      "other).\n"
		      "# TYPE sockscope_watch_closes_by_peer_total counter\n");
	for (size_t i = 0; i < t->n; i++) {
		if (i >= top) {
			other += sorted[i].n;
			continue;
		}
		addr_format(buf, sorted[i].key[0], sorted[i].key + 1);
		obuf_printf(ob,
			    "sockscope_watch_closes_by_peer_total"
			    "{peer=\"%s\"} %u\n",
			    buf, sorted[i].n);
	}
	if (other) {
		obuf_printf(ob,
			    "sockscope_watch_closes_by_peer_total"
			    "{peer=\"other\"} %llu\n",
			    (unsigned long long)other);
	}
	free(sorted);
}

void watch_counts_prom(struct obuf *ob, const struct watch_counts *c,
		       unsigned int top)
{
	static const uint8_t protos[2] = {IPPROTO_TCP, IPPROTO_UDP};
	char nbuf[8];

	obuf_puts(ob, "# HELP sockscope_watch_closes_total Sockets closed "
		      "since the watch started, by the state they ended in.\n"
		      "# TYPE sockscope_watch_closes_total counter\n");
	for (int p = 0; p < 2; p++) {
		for (unsigned int s = 0; s < SS_MAX; s++) {
			if (!c->by_state[p][s]) {
				continue;
			}
			obuf_printf(ob,
				    "sockscope_watch_closes_total"
				    "{protocol=\"%s\",state=\"%s\"} %llu\n",
				    format_netid(protos[p], nbuf),
				    state_label(s, protos[p]),
				    (unsigned long long)c->by_state[p][s]);
		}
	}
	prom_peers(ob, c, top);
	obuf_printf(ob,
		    "# HELP sockscope_watch_overflows_total Times the "
		    "receive buffer overflowed (ENOBUFS).\n"
		    "# TYPE sockscope_watch_overflows_total counter\n"
		    "sockscope_watch_overflows_total %llu\n"
		    "# HELP sockscope_watch_dropped_events_total Close events "
		    "the kernel dropped (sk_drops): closes not counted above.\n"
		    "# TYPE sockscope_watch_dropped_events_total counter\n"
		    "sockscope_watch_dropped_events_total %llu\n",
		    (unsigned long long)c->overflows,
		    (unsigned long long)c->dropped);
}

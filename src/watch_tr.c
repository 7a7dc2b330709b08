// SPDX-License-Identifier: MIT
#include "watch_tr.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../bpf/watch_tr_event.h"
#include "format.h"
#include "state.h"
#include "u64map.h"

/*
 * The transitions an application's own call makes, in its process:
 * connect(), listen(), close() or shutdown() of an established or
 * half-closed connection, close() of a listener. The current task of any
 * other is whichever one a softirq interrupted (or the owner draining its
 * backlog): not a fact about the socket.
 */
static const bool app_to[SS_MAX] = {
    [SS_SYN_SENT] = true,
    [SS_LISTEN] = true,
    [SS_FIN_WAIT1] = true,
    [SS_LAST_ACK] = true,
};

static bool app_driven(uint8_t from, uint8_t to)
{
	return app_to[to] || (from == SS_LISTEN && to == SS_CLOSE);
}

int watch_tr_decode(struct watch_tr_event *ev, const void *data, size_t len,
		    int64_t wall_offset_ns)
{
	struct watch_tr_raw r;
	int64_t wall;

	if (len < sizeof(r)) {
		return -EINVAL;
	}
	memcpy(&r, data, sizeof(r)); /* the ring buffer aligns to 8 only */
	if ((r.family != AF_INET && r.family != AF_INET6) || !r.oldstate ||
	    r.oldstate >= SS_MAX || !r.newstate || r.newstate >= SS_MAX) {
		return -EINVAL;
	}
	memset(ev, 0, sizeof(*ev));
	wall = (int64_t)r.ts_ns + wall_offset_ns;
	ev->time_ms = wall > 0 ? (uint64_t)wall / 1000000 : 0;
	ev->ts_ns = r.ts_ns;
	ev->sk = r.skaddr;
	ev->rec.family = (uint8_t)r.family;
	ev->rec.protocol = IPPROTO_TCP;
	ev->rec.state = r.newstate;
	ev->rec.sport = r.sport;
	ev->rec.dport = r.dport;
	memcpy(ev->rec.saddr, r.saddr, r.family == AF_INET ? 4 : 16);
	memcpy(ev->rec.daddr, r.daddr, r.family == AF_INET ? 4 : 16);
	ev->old_state = r.oldstate;
	ev->lifetime_us = WATCH_UNKNOWN;
	if (r.newstate == SS_CLOSE) {
		ev->closed = true;
		ev->bytes_acked = r.bytes_acked;
		ev->bytes_received = r.bytes_received;
	}
	if (r.pid && app_driven(r.oldstate, r.newstate)) {
		ev->has_owner = true;
		ev->owner.pid = r.pid;
		ev->owner.name_len = strnlen(r.comm, sizeof(r.comm));
		memcpy(ev->owner.name, r.comm, ev->owner.name_len);
	}
	return 0;
}

/* ---- the book: connections by skaddr ---- */

struct tr_entry {
	struct u64map_node node; /* key: the kernel's socket address */
	uint64_t born_ns;	 /* 0: before the watch */
	uint64_t seen_ns;	 /* its last transition */
	/* The book's age order, by last transition: older toward head. */
	struct tr_entry *older, *newer;
	bool has_owner;
	struct watch_owner owner;
};

struct watch_tr_book {
	struct u64map map; /* of struct tr_entry */
	uint64_t start_ns;
	size_t max;
	struct tr_entry *oldest, *newest;
	uint64_t evicted;
	uint64_t evicted_seen_ns; /* the newest seen_ns forgotten */
};

/* A birth: connect(), a listener's new child, listen(). */
static bool is_birth(uint8_t from, uint8_t to)
{
	return (from == SS_CLOSE &&
		(to == SS_SYN_SENT || to == SS_LISTEN || to == SS_SYN_RECV)) ||
	       (from == SS_LISTEN && to == SS_SYN_RECV);
}

struct watch_tr_book *watch_tr_book_create(uint64_t start_ns, size_t max)
{
	struct watch_tr_book *b = xcalloc(1, sizeof(*b));

	/* Kernel addresses share their high bits and are 64-byte aligned. */
	u64map_init(&b->map, 6);
	b->start_ns = start_ns;
	b->max = max ? max : 1;
	return b;
}

void watch_tr_book_destroy(struct watch_tr_book *b)
{
	if (!b) {
		return;
	}
	u64map_free(&b->map, NULL);
	free(b);
}

static void unlink_age(struct watch_tr_book *b, struct tr_entry *e)
{
	*(e->older ? &e->older->newer : &b->oldest) = e->newer;
	*(e->newer ? &e->newer->older : &b->newest) = e->older;
	e->older = e->newer = NULL;
}

/* e had a transition at ts_ns: the newest in the age order. */
static void touch(struct watch_tr_book *b, struct tr_entry *e, uint64_t ts_ns)
{
	if (b->newest != e) {
		if (e->older || e->newer || b->oldest == e) {
			unlink_age(b, e);
		}
		e->older = b->newest;
		*(b->newest ? &b->newest->newer : &b->oldest) = e;
		b->newest = e;
	}
	e->seen_ns = ts_ns;
}

static void forget(struct watch_tr_book *b, struct tr_entry *e)
{
	unlink_age(b, e);
	free(u64map_take(&b->map, e->node.key));
}

/* Room for one more: the entry whose last transition is oldest goes. */
static void make_room(struct watch_tr_book *b)
{
	struct tr_entry *e = b->oldest;

	if (b->map.count < b->max || !e) {
		return;
	}
	if (e->seen_ns > b->evicted_seen_ns) {
		b->evicted_seen_ns = e->seen_ns;
	}
	b->evicted++;
	forget(b, e);
}

static struct tr_entry *add(struct watch_tr_book *b, uint64_t sk)
{
	struct tr_entry *e = xcalloc(1, sizeof(*e));

	make_room(b);
	e->node.key = sk;
	u64map_add(&b->map, &e->node);
	return e;
}

static uint64_t since_us(uint64_t now_ns, uint64_t then_ns)
{
	return now_ns > then_ns ? (now_ns - then_ns) / 1000 : 0;
}

void watch_tr_book_apply(struct watch_tr_book *b, struct watch_tr_event *ev)
{
	struct tr_entry *e = (struct tr_entry *)u64map_get(&b->map, ev->sk);

	if (is_birth(ev->old_state, ev->rec.state)) {
		if (!e) {
			e = add(b, ev->sk);
		}
		/* A reused address: the old socket's close was lost. */
		e->born_ns = ev->ts_ns;
		e->has_owner = false;
	} else if (!e && !ev->closed) {
		e = add(b, ev->sk); /* born before the watch */
	}
	if (e) {
		touch(b, e, ev->ts_ns);
	}
	if (e && ev->has_owner) {
		e->has_owner = true;
		e->owner = ev->owner;
	} else if (e && e->has_owner) {
		ev->has_owner = true;
		ev->owner = e->owner;
	}
	if (!ev->closed) {
		return;
	}
	if (e && e->born_ns) {
		ev->lifetime_us = since_us(ev->ts_ns, e->born_ns);
	} else if (e || b->evicted_seen_ns < b->start_ns) {
		ev->lifetime_min_us = since_us(ev->ts_ns, b->start_ns);
	} else {
		/* Born before the watch or forgotten: in both cases no
		 * later than the newest forgotten entry's last transition. */
		ev->lifetime_min_us = since_us(ev->ts_ns, b->evicted_seen_ns);
	}
	if (e) {
		forget(b, e);
	}
}

size_t watch_tr_book_size(const struct watch_tr_book *b)
{
	return b->map.count;
}

uint64_t watch_tr_book_evicted(const struct watch_tr_book *b)
{
	return b->evicted;
}

/* ---- rows ---- */

enum {
	W_TIME = 13,
	W_NETID = 6,
	W_STATE = 12,
	W_ADDR = 32,
	W_BYTES = 10,
	W_LIFE = 10,
};

/* Exact lifetimes of loopback connections are microseconds. */
static void put_lifetime(struct obuf *ob, const struct watch_tr_event *ev)
{
	uint64_t us = ev->lifetime_us;

	if (!ev->closed) {
		obuf_putc(ob, '-');
	} else if (us == WATCH_UNKNOWN) {
		/* Born before the watch: at least this long. */
		obuf_putc(ob, '>');
		watch_put_duration(ob, ev->lifetime_min_us / 1000);
	} else if (us < 1000) {
		obuf_printf(ob, "%lluus", (unsigned long long)us);
	} else if (us < 1000000) {
		obuf_printf(ob, "%llu.%llums", (unsigned long long)(us / 1000),
			    (unsigned long long)(us % 1000 / 100));
	} else {
		watch_put_duration(ob, us / 1000);
	}
}

void watch_tr_table_header(struct obuf *ob, bool processes)
{
	obuf_printf(ob, "%-*s%-*s%-*s%-*s%-*s%-*s%*s%*s %-*s", W_TIME, "TIME",
		    W_NETID, "NETID", W_STATE, "FROM", W_STATE, "TO", W_ADDR,
		    "LOCAL", W_ADDR, "PEER", W_BYTES, "ACKED", W_BYTES,
		    "RECEIVED", processes ? W_LIFE : 0, "LIFETIME");
	obuf_puts(ob, processes ? " PROCESS\n" : "\n");
}

void watch_tr_table_row(struct obuf *ob, const struct watch_tr_event *ev,
			bool processes)
{
	const struct sock_rec *r = &ev->rec;
	char nbuf[8];
	size_t at = ob->len;

	watch_put_clock(ob, ev->time_ms);
	watch_pad_from(ob, at, W_TIME);
	watch_put_cell(ob, format_netid(r->protocol, nbuf), W_NETID);
	watch_put_cell(ob, state_name(ev->old_state, r->protocol), W_STATE);
	watch_put_cell(ob, state_name(r->state, r->protocol), W_STATE);
	watch_put_endpoints(ob, r, W_ADDR);
	if (ev->closed) {
		watch_put_right(ob, ev->bytes_acked, W_BYTES);
		watch_put_right(ob, ev->bytes_received, W_BYTES);
	} else {
		obuf_printf(ob, "%*s%*s", W_BYTES, "-", W_BYTES, "-");
	}
	obuf_putc(ob, ' ');
	at = ob->len;
	put_lifetime(ob, ev);
	if (processes) {
		watch_pad_from(ob, at, W_LIFE);
		obuf_putc(ob, ' ');
		watch_put_owner(ob, ev->has_owner ? &ev->owner : NULL);
	}
	obuf_putc(ob, '\n');
}

void watch_tr_ndjson_row(struct obuf *ob, const struct watch_tr_event *ev,
			 bool processes)
{
	const struct sock_rec *r = &ev->rec;

	obuf_putc(ob, '{');
	watch_put_time(ob, ev->time_ms);
	obuf_printf(ob,
		    ",\"event\":\"transition\",\"netid\":\"tcp\","
		    "\"family\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"",
		    r->family == AF_INET6 ? "inet6" : "inet",
		    state_name(ev->old_state, r->protocol),
		    state_name(r->state, r->protocol));
	watch_put_json_endpoint(ob, "local", r->family, r->saddr, r->sport);
	watch_put_json_endpoint(ob, "peer", r->family, r->daddr, r->dport);
	obuf_printf(ob, ",\"sk\":\"%llx\",\"ts_ns\":%llu",
		    (unsigned long long)ev->sk, (unsigned long long)ev->ts_ns);
	if (ev->closed) {
		obuf_printf(ob, ",\"bytes_acked\":%llu,\"bytes_received\":%llu",
			    (unsigned long long)ev->bytes_acked,
			    (unsigned long long)ev->bytes_received);
		if (ev->lifetime_us == WATCH_UNKNOWN) {
			obuf_printf(ob,
				    ",\"lifetime_us\":null,"
				    "\"lifetime_min_us\":%llu",
				    (unsigned long long)ev->lifetime_min_us);
		} else {
			obuf_printf(ob, ",\"lifetime_us\":%llu",
				    (unsigned long long)ev->lifetime_us);
		}
	}
	if (processes) {
		watch_put_json_owner(ob, ev->has_owner ? &ev->owner : NULL);
	}
	obuf_puts(ob, "}\n");
}

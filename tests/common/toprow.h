/*
 * toprow.h - the unit tests' rows of a top snapshot. A struct top_row
 * keeps its endpoints and owner as indices into its snapshot's dict
 * (top_dict.h) and its RTT apart: tests write and read rows through this
 * flat struct trow instead, which goes through the model's own calls.
 */
#ifndef SOCKSCOPE_TEST_TOPROW_H
#define SOCKSCOPE_TEST_TOPROW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "top_model.h"

struct trow {
	uint64_t cookie;
	uint8_t family, protocol, state, timer, retrans;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport, ns;
	uint32_t recv_q, send_q, expires_ms, uid, inode, ifindex;
	uint32_t pid;
	char proc[16];
	bool has_rtt;
	uint32_t rtt_us;
};

/* Row i of s made t (its RTT kept if t has one). */
static inline void trow_set(struct top_snap *s, size_t i, const struct trow *t)
{
	struct sock_rec rec;
	uint32_t rtt;

	memset(&rec, 0, sizeof(rec));
	rec.cookie = t->cookie;
	rec.family = t->family;
	rec.protocol = t->protocol;
	rec.state = t->state;
	rec.timer = t->timer;
	rec.retrans = t->retrans;
	memcpy(rec.saddr, t->saddr, 16);
	memcpy(rec.daddr, t->daddr, 16);
	rec.sport = t->sport;
	rec.dport = t->dport;
	rec.recv_q = t->recv_q;
	rec.send_q = t->send_q;
	rec.expires_ms = t->expires_ms;
	rec.uid = t->uid;
	rec.inode = t->inode;
	rec.ifindex = t->ifindex;
	top_row_from_rec(&s->dict, &s->rows[i], &rec, &rtt);
	s->rows[i].ns = t->ns;
	top_snap_set_owner(s, &s->rows[i], t->proc, t->pid);
	if (t->has_rtt) {
		top_snap_set_rtt(s, i, t->rtt_us);
	}
}

/* A new row of s made t. */
static inline struct top_row *trow_add(struct top_snap *s, const struct trow *t)
{
	struct sock_rec rec;

	memset(&rec, 0, sizeof(rec));
	top_snap_add(s, &rec);
	trow_set(s, s->n - 1, t);
	return &s->rows[s->n - 1];
}

/* Row r read with dict d (RTT: none). */
static inline struct trow trow_of(const struct top_dict *d,
				  const struct top_row *r)
{
	struct trow t;
	struct sock_rec rec;
	size_t len;
	const char *proc = top_row_proc(d, r, &len);

	memset(&t, 0, sizeof(t));
	top_row_rec(d, r, &rec);
	t.cookie = rec.cookie;
	t.family = rec.family;
	t.protocol = rec.protocol;
	t.state = rec.state;
	t.timer = rec.timer;
	t.retrans = rec.retrans;
	memcpy(t.saddr, rec.saddr, 16);
	memcpy(t.daddr, rec.daddr, 16);
	t.sport = rec.sport;
	t.dport = rec.dport;
	t.recv_q = rec.recv_q;
	t.send_q = rec.send_q;
	t.expires_ms = rec.expires_ms;
	t.uid = rec.uid;
	t.inode = rec.inode;
	t.ifindex = rec.ifindex;
	t.ns = r->ns;
	t.pid = top_row_pid(d, r);
	memcpy(t.proc, proc, len);
	return t;
}

/* Row i of s, its RTT too. */
static inline struct trow trow_get(const struct top_snap *s, size_t i)
{
	struct trow t = trow_of(&s->dict, &s->rows[i]);

	t.has_rtt = top_snap_rtt(s, i, &t.rtt_us);
	return t;
}

#endif

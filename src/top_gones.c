// SPDX-License-Identifier: MIT
/*
 * Sockets that closed lately (struct top_gones, top_model.h): the rows one
 * snapshot had and the next lacks, settled against the kernel's destroy
 * events when top has them, with the close rates by state.
 */
#include "top_model.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "util.h"

void top_gones_init(struct top_gones *g)
{
	memset(g, 0, sizeof(*g));
	top_dict_init(&g->dict);
}

void top_gones_finish(struct top_gones *g)
{
	free(g->v);
	free(g->pend);
	free(g->held);
	top_dict_finish(&g->dict);
	memset(g, 0, sizeof(*g));
}

void top_gones_clear(struct top_gones *g)
{
	top_dict_clear(&g->dict);
	g->n = 0;
	g->n_pend = 0;
	g->n_held = 0;
	g->valid = false;
}

static int cmp_cookie(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* bsearch() and qsort() of an empty array, which may be NULL. */
static void *find(const void *key, const void *v, size_t n, size_t size,
		  int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, v, n, size, cmp) : NULL;
}

static void sort(void *v, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n) {
		qsort(v, n, size, cmp);
	}
}

/* e (its row in g's dict) at the end of v. */
static void push_gone(struct top_gone **v, size_t *n, size_t *cap,
		      const struct top_gone *e)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = *e;
}

static void gone_add(struct top_gones *g, const struct top_gone *e)
{
	push_gone(&g->v, &g->n, &g->cap, e);
}

/* r's endpoints and owner, from their indices in src to those in dst. */
static void dict_copy_row(struct top_dict *dst, const struct top_dict *src,
			  struct top_row *r)
{
	uint32_t owner = r->owner; /* a bit-field */

	top_dict_copy(dst, src, &r->local, &r->peer, &owner);
	r->owner = owner;
}

/* Row i of s as a closed row of g: its endpoints and owner in g's dict. */
static struct top_gone gone_of(struct top_gones *g, const struct top_snap *s,
			       size_t i, double when)
{
	struct top_gone e = {.row = s->rows[i], .when = when};

	dict_copy_row(&g->dict, &s->dict, &e.row);
	e.row.has_rtt = top_snap_rtt(s, i, &e.rtt_us);
	return e;
}

/* Rebuild g's dict from the rows it keeps: what closed rows that went
 * interned leaves with them. */
static void compact_dict(struct top_gones *g)
{
	struct top_dict old = g->dict;
	struct top_gone *sets[2] = {g->v, g->held};
	size_t n[2] = {g->n, g->n_held};

	top_dict_init(&g->dict);
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < n[k]; i++) {
			dict_copy_row(&g->dict, &old, &sets[k][i].row);
		}
	}
	top_dict_finish(&old);
}

static void count_close(struct top_gones *g, unsigned int state, double dt)
{
	if (state < SS_MAX) {
		g->rate[state] += 1.0 / dt;
	}
	g->total += 1.0 / dt;
}

/* Keep the entries of v younger than keep and not back in view (in now:
 * it re-entered the filter, or lives on in TIME_WAIT). */
static size_t prune(struct top_gone *v, size_t n, const uint64_t *now,
		    size_t n_now, double when, double keep)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		if (when - v[i].when <= keep &&
		    !bsearch(&v[i].row.cookie, now, n_now, sizeof(*now),
			     cmp_cookie)) {
			v[kept++] = v[i];
		}
	}
	return kept;
}

/* The RTT in rec's tcp_info, if the kernel's struct reaches it. */
static bool rec_rtt(const struct sock_rec *rec, uint32_t *rtt_us)
{
	const size_t off = offsetof(struct tcp_info, tcpi_rtt);

	if (!rec->ext.tcp_info || rec->ext.tcp_info_len < off + 4) {
		return false;
	}
	memcpy(rtt_us, (const char *)rec->ext.tcp_info + off, 4);
	return true;
}

void top_close_from_rec(struct top_close *c, const struct sock_rec *rec,
			double when)
{
	memset(c, 0, sizeof(*c));
	c->rec = *rec;
	memset(&c->rec.ext, 0, sizeof(c->rec.ext));
	c->when = when;
	c->has_rtt = rec_rtt(rec, &c->rtt_us);
	/* A freed socket's write allocation reads one below zero (UDP):
	 * nothing is queued on a destroyed socket. */
	if (c->rec.send_q == UINT32_MAX) {
		c->rec.send_q = 0;
	}
}

void top_gones_add_close(struct top_gones *g, const struct top_close *c)
{
	if (g->n_pend == g->cap_pend) {
		g->cap_pend = g->cap_pend ? 2 * g->cap_pend : 64;
		g->pend = xrealloc(g->pend, g->cap_pend * sizeof(*g->pend));
	}
	g->pend[g->n_pend++] = *c;
}

static int cmp_gone_cookie(const void *a, const void *b)
{
	return cmp_cookie(&((const struct top_gone *)a)->row.cookie,
			  &((const struct top_gone *)b)->row.cookie);
}

/*
 * The event's record over the row a refresh last saw (its process name
 * kept): what the event lacks comes from the row. An owner's reset (SO_LINGER
 * 0) clears the peer before the socket is freed; no event has uid or inode.
 */
static void close_row(struct top_gones *g, struct top_gone *e,
		      const struct top_close *c, const struct top_gone *seen)
{
	struct sock_rec rec = c->rec, was;
	uint32_t rtt_us;

	memset(e, 0, sizeof(*e));
	if (seen) {
		top_row_rec(&g->dict, &seen->row, &was);
		if (!rec.dport && was.dport) {
			rec.dport = was.dport;
			memcpy(rec.saddr, was.saddr, sizeof(rec.saddr));
			memcpy(rec.daddr, was.daddr, sizeof(rec.daddr));
		}
		rec.uid = rec.uid ? rec.uid : was.uid;
		rec.inode = rec.inode ? rec.inode : was.inode;
	}
	top_row_from_rec(&g->dict, &e->row, &rec, &rtt_us); /* no ext */
	if (seen) {
		e->row.owner = seen->row.owner;
		e->row.ns = seen->row.ns;
		e->row.rtt_asked = seen->row.rtt_asked;
		e->row.has_rtt = seen->row.has_rtt;
		e->rtt_us = seen->rtt_us;
	}
	if (c->has_rtt) {
		e->row.has_rtt = true;
		e->rtt_us = c->rtt_us;
	}
}

/* A socket's endpoints, to find its TIME_WAIT entry: a socket no dump
 * saw has no cookie yet when it enters TIME_WAIT, so the entry gets one
 * of its own. */
struct tw_key {
	uint8_t family;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

static int cmp_tw(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tw_key));
}

/* The TIME_WAIT entries of cur, sorted; *n how many. */
static struct tw_key *tw_keys(const struct top_snap *cur, size_t *n)
{
	struct tw_key *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const struct top_row *r = &cur->rows[i];
		const struct top_dict *d = &cur->dict;

		if (r->state != SS_TIME_WAIT) {
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[*n], 0, sizeof(*v));
		v[*n].family = top_row_family(d, r);
		v[*n].sport = r->sport;
		v[*n].dport = r->dport;
		memcpy(v[*n].saddr, top_row_saddr(d, r), 16);
		top_row_daddr(d, r, v[*n].daddr);
		(*n)++;
	}
	sort(v, *n, sizeof(*v), cmp_tw);
	return v;
}

/* Whether the close c is its socket entering TIME_WAIT (in cur). */
static bool to_time_wait(const struct top_close *c, const uint64_t *now,
			 size_t n_now, const struct tw_key *tw, size_t n_tw)
{
	struct tw_key key;

	if (bsearch(&c->rec.cookie, now, n_now, sizeof(*now), cmp_cookie)) {
		return true;
	}
	memset(&key, 0, sizeof(key));
	key.family = c->rec.family;
	key.sport = c->rec.sport;
	key.dport = c->rec.dport;
	memcpy(key.saddr, c->rec.saddr, 16);
	memcpy(key.daddr, c->rec.daddr, 16);
	return c->rec.protocol == IPPROTO_TCP &&
	       find(&key, tw, n_tw, sizeof(*tw), cmp_tw);
}

/* The cookies of the closed rows shown, sorted. */
static uint64_t *gone_cookies(const struct top_gones *g)
{
	uint64_t *v = xmalloc((g->n ? g->n : 1) * sizeof(*v));

	for (size_t i = 0; i < g->n; i++) {
		v[i] = g->v[i].row.cookie;
	}
	sort(v, g->n, sizeof(*v), cmp_cookie);
	return v;
}

/* The events since the last refresh become closed rows (see the header). */
static void settle(struct top_gones *g, const struct top_snap *cur,
		   const uint64_t *now, double dt, double keep)
{
	bool any = g->valid && g->n_pend;
	size_t kept = 0, n_tw = 0, n_shown = g->n;
	struct tw_key *tw = any ? tw_keys(cur, &n_tw) : NULL;
	uint64_t *shown = any ? gone_cookies(g) : NULL;
	struct top_gone e;

	sort(g->held, g->n_held, sizeof(*g->held), cmp_gone_cookie);
	for (size_t i = 0; g->valid && i < g->n_pend; i++) {
		const struct top_close *c = &g->pend[i];
		struct top_gone key = {.row.cookie = c->rec.cookie};
		struct top_gone *seen;

		/* Its connection lives on in TIME_WAIT: that entry's end
		 * is the close (a refresh difference). Or its close was
		 * told when it left the table (freed later). */
		if (to_time_wait(c, now, cur->n, tw, n_tw) ||
		    find(&c->rec.cookie, shown, n_shown, sizeof(*shown),
			 cmp_cookie)) {
			continue;
		}
		seen = find(&key, g->held, g->n_held, sizeof(*g->held),
			    cmp_gone_cookie);
		if (!seen && !c->passes) {
			continue;
		}
		close_row(g, &e, c, seen);
		e.when = c->when;
		/* By the state the view last showed, else the event's. */
		count_close(g, seen ? seen->row.state : c->rec.state, dt);
		if (cur->when - c->when <= keep) {
			gone_add(g, &e);
		}
		if (seen) {
			seen->row.cookie = 0; /* settled: no longer held */
		}
	}
	free(tw);
	free(shown);
	g->n_pend = 0;
	for (size_t i = 0; i < g->n_held; i++) {
		if (!g->held[i].row.cookie) {
			continue; /* settled */
		}
		if (g->wait_event || !g->valid) {
			g->held[kept++] = g->held[i];
			continue;
		}
		gone_add(g, &g->held[i]);
		count_close(g, g->held[i].row.state, dt);
	}
	g->n_held = kept;
}

/* The kernel announces the destroy of some tables' sockets only (inet
 * TCP and UDP, watch_nl.c's groups; the registry's destroy_events): a
 * row of another table never gets an event. */
static bool announced(const struct top_dict *d, const struct top_row *r)
{
	return family_destroy_events(top_row_family(d, r), r->protocol);
}

void top_gones_update(struct top_gones *g, const struct top_snap *prev,
		      const struct top_snap *cur, double keep)
{
	double dt = cur->when - prev->when;
	uint64_t *now;

	memset(g->rate, 0, sizeof(g->rate));
	g->total = 0;
	g->valid = prev->when > 0 && dt > 0;
	/* The first refresh has nothing to compare: no sort of its cookies. */
	if (!g->valid && !g->n && !g->n_held) {
		g->n_pend = 0;
		return;
	}
	now = xmalloc((cur->n ? cur->n : 1) * sizeof(*now));
	for (size_t i = 0; i < cur->n; i++) {
		now[i] = cur->rows[i].cookie;
	}
	qsort(now, cur->n, sizeof(*now), cmp_cookie);
	/* Old enough to go, or back in view (it re-entered the filter). */
	g->n = prune(g->v, g->n, now, cur->n, cur->when, keep);
	g->n_held = prune(g->held, g->n_held, now, cur->n, cur->when, keep);
	for (size_t i = 0; g->valid && i < prev->n; i++) {
		const struct top_row *r = &prev->rows[i];
		struct top_gone e;

		if (bsearch(&r->cookie, now, cur->n, sizeof(*now),
			    cmp_cookie)) {
			continue;
		}
		e = gone_of(g, prev, i, cur->when);
		if (g->events && r->state != SS_TIME_WAIT &&
		    announced(&prev->dict, r)) {
			push_gone(&g->held, &g->n_held, &g->cap_held, &e);
			continue;
		}
		gone_add(g, &e);
		count_close(g, r->state, dt);
	}
	if (g->events) {
		settle(g, cur, now, dt, keep);
	}
	free(now);
	compact_dict(g);
}

size_t top_gones_bytes(const struct top_gones *g)
{
	return top_dict_bytes(&g->dict) + g->cap * sizeof(*g->v) +
	       g->cap_pend * sizeof(*g->pend) + g->cap_held * sizeof(*g->held);
}

// SPDX-License-Identifier: MIT
#include "top_collect.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include "family.h"
#include "filter.h"
#include "state.h"
#include "util.h"

struct collect_run {
	const struct top_query *q;
	struct top_snap *snap;
	const bool *cancel; /* the collector's: another thread sets it */
	bool count;	    /* the meters come from this dump */
	bool rows;	    /* the rows come from this dump */
	uint16_t ns;	    /* the namespace dumped (top_row.ns) */
};

/* Asked at every row: a dump of a million sockets stops within one. */
static bool cancelled(const bool *cancel)
{
	return cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -l: what the selected tables list as listening (their registry
 * entries' listening states, as acquire.c requests them). */
static uint32_t listening_states(uint32_t protocols)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);
	uint32_t mask = 0;

	for (size_t i = 0; i < n; i++) {
		for (const struct family_table *t = fams[i]->tables;
		     t && t->name; t++) {
			mask |= protocols & t->bit ? t->listening : 0;
		}
	}
	return mask;
}

void top_query_from_ui(struct top_query *q, const struct top_ui *ui)
{
	const struct opts *o = ui->o;
	uint32_t mask;

	q->protocols = o->protocols;
	q->families = o->families;
	q->filter = top_ui_filter(ui);
	q->src = ui->src;
	q->eph_lo = ui->limits.eph_lo;
	q->eph_hi = ui->limits.eph_hi;
	/* Every row is drawn in batch (without --rows); sorting by RTT
	 * compares them all. */
	q->want_info =
	    (o->top_batch && !o->top_rows) ||
	    (ui->ord.group == TOP_GROUP_NONE && ui->ord.sort == TOP_COL_RTT);
	/* A live view shows every state unless told otherwise. */
	if (filter_states(q->filter, &mask)) {
		q->states = mask;
	} else if (o->listening) {
		q->states = listening_states(o->protocols);
	} else {
		q->states = SS_ALL_BITS;
	}
}

int top_collect_init(struct top_collect *c, const struct opts *o)
{
	struct filter_error ferr;
	int err;

	memset(c, 0, sizeof(*c));
	c->o = *o;
	c->o_all = *o;
	/* No words: the empty filter. */
	err = filter_parse(0, NULL, &c->none, &ferr);
	c->o_all.filter = c->none;
	return err;
}

static void teardown(struct top_collect *c)
{
	if (c->ready) {
		acquire_finish(&c->rows);
		acquire_finish(&c->meters);
	}
	c->ready = false;
}

void top_collect_finish(struct top_collect *c)
{
	teardown(c);
	filter_destroy(c->none);
	c->none = NULL;
}

/* The process holding row's socket, into the snapshot's owners; none:
 * "" and 0. */
static void row_owner(const struct top_sources *src, struct top_snap *snap,
		      struct top_row *row)
{
	char name[16] = "";
	uint32_t pid = 0;

	if (!src->process(src->ctx, row->inode, name, &pid)) {
		name[0] = '\0';
		pid = 0;
	}
	top_snap_set_owner(snap, row, name, pid);
}

/* Per socket: count, test, keep the keys. No allocation but the
 * amortised row and dict (a hash probe per address and owner). */
static int collect_row(const struct sock_rec *rec, void *data)
{
	struct collect_run *run = data;
	const struct top_query *q = run->q;
	struct top_row *row;

	if (cancelled(run->cancel)) {
		return -ECANCELED; /* acquire stops without a word */
	}
	if (run->count) {
		top_snap_count(run->snap, rec);
	}
	if (!run->rows ||
	    !(state_match_mask(q->states,
			       sock_rec_is_tcp(rec) ? IPPROTO_TCP : 0) &
	      SS_BIT(rec->state))) {
		return 0;
	}
	row = top_snap_add(run->snap, rec);
	row->ns = run->ns;
	if (q->src->process) {
		row_owner(q->src, run->snap, row);
	}
	return 0;
}

/* The meters' dump (a filter narrows the rows): counts, keeps nothing. */
static int count_row(const struct sock_rec *rec, void *data)
{
	struct collect_run *run = data;

	if (cancelled(run->cancel)) {
		return -ECANCELED;
	}
	top_snap_count(run->snap, rec);
	return 0;
}

/* Both acquisitions for the filter in force (the prompt may change it). */
static void setup(struct top_collect *c, const struct top_query *q)
{
	if (c->ready && c->filter == q->filter) {
		return;
	}
	teardown(c);
	c->filter = q->filter;
	c->o.filter = (struct filter *)q->filter;
	acquire_init(&c->rows, &c->o);
	acquire_init(&c->meters, &c->o_all);
	/* One socket for the dumps, the kills and the rows' tcp_info: top
	 * also runs with very few descriptors. */
	c->rows.use_d = c->d;
	c->meters.use_d = c->d;
	c->rows.notes = &c->notes;
	c->meters.notes = &c->notes;
	c->ready = true;
}

/* The states and extensions of this refresh, and the owners map. */
static void aim(struct top_collect *c, const struct top_query *q, bool one_dump,
		const struct proc_map *owners)
{
	struct acquire *a = &c->rows;

	a->ifn = c->ifn; /* the caller may have swapped tables since */
	/* Every table the options name: in every state when this dump
	 * feeds the meters (the rows' states are picked in collect_row),
	 * else in the states wanted. */
	a->protocols = q->protocols;
	acquire_set_states(a, one_dump ? SS_ALL_BITS : q->states);
	a->ext = q->want_info ? 1u << (INET_DIAG_INFO - 1) : 0;
	a->procs = owners;
	a = &c->meters;
	/* The rows' acquisition probes the tables not listed: one count of
	 * their sockets per namespace (acquire_notes). */
	a->protocols = q->protocols & ~(uint32_t)PROTO_PROBE_MASK;
	acquire_set_states(a, SS_ALL_BITS);
	a->ext = 0;
}

static int dump(struct top_collect *c, const struct top_query *q,
		struct top_snap *snap, const struct proc_map *owners,
		uint16_t ns)
{
	bool one_dump = !filter_has_expr(q->filter);
	struct collect_run run = {.q = q,
				  .snap = snap,
				  .cancel = c->cancel,
				  .rows = true,
				  .count = one_dump,
				  .ns = ns};
	int err;

	setup(c, q);
	aim(c, q, one_dump, owners);
	err = acquire_run(&c->rows, collect_row, &run);
	if (err || one_dump) {
		return err;
	}
	/* The filter selects the rows only: the meters are every socket's,
	 * asked for without the filter (the meters' acquire has none). */
	return acquire_run(&c->meters, count_row, &run);
}

/*
 * --all-netns: each namespace's socket in turn, kept open across
 * refreshes (no setns here). The meters add up: node-wide counts.
 */
static int dump_all(struct top_collect *c, const struct top_query *q,
		    struct top_snap *snap, const struct proc_map *owners)
{
	int err = 0;

	/* Every namespace's probed sockets in one notice, at the end of
	 * the first refresh (the later ones add to what is said). */
	c->notes.sum = true;
	for (size_t i = 0; i < c->nst->n && !err; i++) {
		setup(c, q);
		/* An acquire keeps the socket of its first run: let go. */
		acquire_finish(&c->rows);
		acquire_finish(&c->meters);
		c->rows.use_d = c->nst->v[i].d;
		c->meters.use_d = c->nst->v[i].d;
		c->rows.netns = c->nst->v[i].label;
		c->meters.netns = c->nst->v[i].label;
		snap->counting_ns = (uint16_t)i;
		err = dump(c, q, snap, owners, (uint16_t)i);
	}
	acquire_notes_say(&c->notes);
	return err;
}

/* Rows whose socket the process map lacked, after it looked again. */
static void late_owners(const struct top_query *q, struct top_snap *snap)
{
	const struct top_sources *src = q->src;

	for (size_t i = 0; i < snap->n; i++) {
		struct top_row *r = &snap->rows[i];

		if (!top_row_pid(&snap->dict, r) && r->inode) {
			row_owner(src, snap, r);
		}
	}
}

int top_collect(struct top_collect *c, const struct top_query *q,
		struct top_snap *snap)
{
	const struct top_sources *src = q->src;
	const struct proc_map *owners = NULL;
	int err;

	top_snap_reset(snap);
	snap->eph_lo = q->eph_lo;
	snap->eph_hi = q->eph_hi;
	snap->when = top_now();
	if (src->refresh) {
		src->refresh(src->ctx);
	}
	/* Only a filter naming pid or comm pays for a walk of /proc. */
	if (src->owners && filter_needs_owners(q->filter)) {
		owners = src->owners(src->ctx);
	}
	if (cancelled(c->cancel)) {
		err = -ECANCELED;
	} else {
		err = c->nst ? dump_all(c, q, snap, owners)
			     : dump(c, q, snap, owners, 0);
	}
	if (!err && cancelled(c->cancel)) {
		err = -ECANCELED; /* the process walk and counters can wait */
	}
	if (!err && src->settle && src->settle(src->ctx)) {
		late_owners(q, snap);
	}
	if (!err && src->counters) {
		snap->has_counters =
		    src->counters(src->ctx, &snap->counters) == 0;
	}
	snap->took = top_now() - snap->when;
	return err;
}

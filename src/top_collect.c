// SPDX-License-Identifier: MIT
#include "top_collect.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "filter.h"
#include "state.h"
#include "util.h"

struct collect_run {
	const struct top_query *q;
	struct top_snap *snap;
	const struct proc_map *owners; /* for the filter's pid and comm */
};

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	/* A live view shows every state unless told otherwise. */
	if (filter_states(q->filter, &mask)) {
		q->states = mask;
	} else if (o->listening) {
		q->states = SS_BIT(SS_LISTEN) | SS_BIT(SS_CLOSE);
	} else {
		q->states = SS_ALL_BITS;
	}
}

/* Per socket: count, test, copy. No allocation but the amortised row. */
static int collect_row(const struct sock_rec *rec, void *data)
{
	struct collect_run *run = data;
	const struct top_query *q = run->q;
	uint32_t fam = rec->family == AF_INET ? FAM_INET : FAM_INET6;
	struct top_row *row;

	top_snap_count(run->snap, rec);
	if (rec->state >= 32 ||
	    !(state_match_mask(q->states, rec->protocol) &
	      SS_BIT(rec->state)) ||
	    !(q->families & fam) ||
	    !filter_match_owners(q->filter, rec, run->owners)) {
		return 0;
	}
	row = top_snap_add(run->snap);
	top_row_from_rec(row, rec);
	if (q->src->process &&
	    !q->src->process(q->src->ctx, rec->inode, row->proc, &row->pid)) {
		row->proc[0] = '\0';
		row->pid = 0;
	}
	return 0;
}

static int dump_one(struct diag *d, struct collect_run *run, uint8_t proto,
		    uint8_t family)
{
	struct diag_req req = {
	    .family = family,
	    .protocol = proto,
	    /* TCP: all states, for the meters; UDP: only what is shown. */
	    .states = proto == IPPROTO_TCP ? SS_ALL_BITS : run->q->states,
	    .ext = proto == IPPROTO_TCP ? 1u << (INET_DIAG_INFO - 1) : 0,
	};
	int err = diag_dump(d, &req, collect_row, run);

	return err == -ENOENT || err == -EOPNOTSUPP ? 0 : err;
}

int top_collect(struct diag *d, const struct top_query *q,
		struct top_snap *snap)
{
	static const uint8_t fams[] = {AF_INET, AF_INET6};
	struct collect_run run = {.q = q, .snap = snap};
	const struct top_sources *src = q->src;
	int err = 0;

	top_snap_reset(snap);
	snap->eph_lo = q->eph_lo;
	snap->eph_hi = q->eph_hi;
	snap->when = top_now();
	if (src->refresh) {
		src->refresh(src->ctx);
	}
	/* Only a filter naming pid or comm pays for a walk of /proc. */
	if (src->owners && filter_needs_owners(q->filter)) {
		run.owners = src->owners(src->ctx);
	}
	for (size_t f = 0; f < ARRAY_SIZE(fams) && !err; f++) {
		if (!(q->families & (f ? FAM_INET6 : FAM_INET))) {
			continue;
		}
		if (q->protocols & PROTO_TCP) {
			err = dump_one(d, &run, IPPROTO_TCP, fams[f]);
		}
		if (!err && (q->protocols & PROTO_UDP)) {
			err = dump_one(d, &run, IPPROTO_UDP, fams[f]);
		}
	}
	if (!err && src->counters) {
		snap->has_counters =
		    src->counters(src->ctx, &snap->counters) == 0;
	}
	snap->took = top_now() - snap->when;
	return err;
}

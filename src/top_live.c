// SPDX-License-Identifier: MIT
#include "top_live.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "proc.h"
#include "procnet.h"
#include "snapshot.h"
#include "summary.h"
#include "util.h"

/* Records err (-errno) as the reason bit is missing; the first reason
 * is the one told. absent_ok: -ENOENT is a file this kernel or namespace
 * does not have, which is not a loss. */
static void note_missing(struct top_live *l, unsigned int bit, int err,
			 bool absent_ok)
{
	if (!err || (absent_ok && err == -ENOENT)) {
		return;
	}
	if (!l->missing) {
		l->missing_err = err;
	}
	l->missing |= bit;
}

static int live_refresh(void *ctx)
{
	struct top_live *l = ctx;
	int err;

	if (!l->procs) {
		l->procs = proc_cache_create(l->o->root);
	}
	/* Only the processes that are new or changed are walked: all of
	 * them the first time. */
	l->walked_all = !l->have_procs;
	err = proc_cache_update(l->procs, false);
	l->have_procs = !err || l->have_procs;
	l->missed = 0;
	/* No /proc at all is as missing as no descriptor to read it. */
	note_missing(l, TOP_MISS_PROCS, err, false);
	return err;
}

/*
 * Sockets the map lacks whose process kept its fd count (a socket closed
 * and another opened in one refresh) need every process walked again;
 * only sockets newer than the last such walk ask for it, so a socket no
 * process holds (the kernel's own) does not cost a walk every refresh.
 */
static bool live_settle(void *ctx)
{
	struct top_live *l = ctx;

	if (!l->procs || l->missed <= l->walked_past) {
		return false;
	}
	if (l->walked_all) {
		l->walked_past = l->missed; /* nothing new to look for */
		return false;
	}
	l->walked_past = l->missed;
	return proc_cache_update(l->procs, true) == 0;
}

/* With -p the refresh has just rebuilt the map; else build it now. A map
 * that cannot be built leaves pid and comm matching nothing. */
static const struct proc_map *live_owners(void *ctx)
{
	struct top_live *l = ctx;

	if (!l->o->processes) {
		live_refresh(l);
	}
	return l->have_procs ? proc_cache_map(l->procs) : NULL;
}

static bool live_process(void *ctx, uint32_t inode, char name[16],
			 uint32_t *pid)
{
	struct top_live *l = ctx;
	struct proc_owner owner;
	size_t cursor = 0, n;

	if (!l->have_procs || !inode) {
		return false;
	}
	if (!proc_map_next(proc_cache_map(l->procs), inode, &cursor, &owner)) {
		l->missed = inode > l->missed ? inode : l->missed;
		return false;
	}
	n = owner.name_len < 15 ? owner.name_len : 15;
	memcpy(name, owner.name, n);
	name[n] = '\0';
	*pid = owner.pid;
	return true;
}

static int live_counters(void *ctx, struct top_counters *out)
{
	const uint32_t need = 1u << CTR_ACTIVE_OPENS | 1u << CTR_PASSIVE_OPENS |
			      1u << CTR_RETRANS_SEGS |
			      1u << CTR_LISTEN_OVERFLOWS;
	struct top_live *l = ctx;
	struct counters c = {0};
	struct sockstat st = {0};
	int err = procnet_read_sockstat(l->o->root, &st, NULL, NULL);

	note_missing(l, TOP_MISS_ORPHANS, err, true);
	out->have_orphans = err == 0 && st.tcp_orphan >= 0;
	out->orphans = out->have_orphans ? (uint64_t)st.tcp_orphan : 0;
	err = procnet_read_counters(l->o->root, &c, NULL, NULL);
	note_missing(l, TOP_MISS_COUNTERS, err, true);
	if ((c.have & need) != need) {
		return -ENOENT; /* the header line is then not shown */
	}
	out->new_conns = c.v[CTR_ACTIVE_OPENS] + c.v[CTR_PASSIVE_OPENS];
	out->retrans_segs = c.v[CTR_RETRANS_SEGS];
	out->listen_overflows = c.v[CTR_LISTEN_OVERFLOWS];
	return 0;
}

static int live_limits(void *ctx, struct top_limits *out)
{
	struct top_live *l = ctx;

	memset(out, 0, sizeof(*out));
	if (sysctl_have(&l->sys, SYS_MAX_TW_BUCKETS)) {
		out->max_tw_buckets = (uint64_t)l->sys.v[SYS_MAX_TW_BUCKETS];
	}
	if (sysctl_have(&l->sys, SYS_MAX_ORPHANS)) {
		out->max_orphans = (uint64_t)l->sys.v[SYS_MAX_ORPHANS];
	}
	if (!l->sys.port_range_err) {
		out->eph_lo = l->sys.port_lo;
		out->eph_hi = l->sys.port_hi;
		out->usable_ports = sysctl_usable_ports(&l->sys);
	}
	return 0;
}

/* The advice engine counts the sockets top already holds: no new dump. */
static int snap_rows(void *data, struct summary *sum)
{
	const struct top_snap *snap = data;
	struct sock_rec rec;

	for (size_t i = 0; i < snap->n; i++) {
		top_row_rec(&snap->dict, &snap->rows[i], &rec);
		summary_add(sum, &rec);
	}
	return 0;
}

static enum top_severity severity(enum advice_sev s)
{
	return s >= SEV_CRIT   ? TOP_SEV_CRIT
	       : s == SEV_WARN ? TOP_SEV_WARN
			       : TOP_SEV_INFO;
}

static size_t live_advice(void *ctx, const struct top_snap *snap,
			  struct top_advice *out, size_t max)
{
	struct top_live *l = ctx;
	struct snapshot s = {0};
	struct snapshot_src src = {
	    .root = l->o->root,
	    .sockets = snap_rows,
	    .data = (void *)snap,
	};
	struct advice *adv = xcalloc(advice_rules_count(), sizeof(*adv));
	size_t n = 0, fired;

	if (snapshot_gather(&s, &src) == 0) {
		fired = advice_run(&s, adv);
		for (; n < fired && n < max; n++) {
			out[n].severity = severity(adv[n].sev);
			snprintf(out[n].text, sizeof(out[n].text), "%s%s%s",
				 adv[n].message, adv[n].subject[0] ? ": " : "",
				 adv[n].subject);
		}
	}
	snapshot_finish(&s);
	free(adv);
	return n;
}

/* The sock_diag socket in t's namespace: SOCK_DESTROY and a lookup
 * by identity act in the namespace the socket was opened in. */
static struct diag *row_diag(const struct top_live *l,
			     const struct top_target *t)
{
	return l->nst ? top_nstab_diag_ui(l->nst, t->ns) : l->d;
}

/* The socket is asked for first: one that went away since the snapshot
 * is reported as gone (-ENOENT, -ESTALE), not closed by its tuple. */
static int live_kill(void *ctx, const struct top_target *t)
{
	struct diag *d = row_diag(ctx, t);
	struct sock_rec now;
	int err;

	if (!d) {
		return -ENOENT;
	}
	err = diag_get(d, &t->rec, &now);
	return err ? err : diag_kill(d, &now);
}

/* One socket's tcp_info, asked for by its identity: the rows on screen
 * only, never every socket of the dump. */
static bool live_rtt(void *ctx, const struct top_target *t, uint32_t *rtt_us)
{
	const size_t rtt_end = offsetof(struct tcp_info, tcpi_rtt) +
			       sizeof(((struct tcp_info *)0)->tcpi_rtt);
	struct diag *d = row_diag(ctx, t);
	struct sock_rec now;

	if (!d || diag_get_ext(d, &t->rec, 1u << (INET_DIAG_INFO - 1), &now) ||
	    !now.ext.tcp_info || now.ext.tcp_info_len < rtt_end) {
		return false;
	}
	memcpy(rtt_us,
	       (const char *)now.ext.tcp_info +
		   offsetof(struct tcp_info, tcpi_rtt),
	       sizeof(*rtt_us));
	return true;
}

void top_live_init(struct top_live *l, const struct opts *o, struct diag *d,
		   struct top_sources *src)
{
	memset(l, 0, sizeof(*l));
	l->o = o;
	l->d = d;
	sysctl_read_all(o->root, &l->sys, NULL, NULL);
	note_missing(l, TOP_MISS_LIMITS, l->sys.port_range_err, true);
	note_missing(l, TOP_MISS_LIMITS, l->sys.err[SYS_MAX_ORPHANS], true);
	/* A replayed file: nothing of this host describes its sockets. */
	if (o->load_path) {
		*src = (struct top_sources){.ctx = l};
		return;
	}
	*src = (struct top_sources){
	    .ctx = l,
	    .rtt = live_rtt,
	    .refresh = o->processes ? live_refresh : NULL,
	    .settle = o->processes ? live_settle : NULL,
	    .process = o->processes ? live_process : NULL,
	    .owners = live_owners,
	    .counters = live_counters,
	    .limits = live_limits,
	    .advice = live_advice,
	    .kill = live_kill,
	};
}

bool top_live_missing(const struct top_live *l, unsigned int *told, char *buf,
		      size_t size)
{
	static const struct {
		unsigned int bit;
		const char *what;
	} items[] = {
	    {TOP_MISS_PROCS, "no process names"},
	    {TOP_MISS_COUNTERS, "no counters line"},
	    {TOP_MISS_ORPHANS, "no orphan count"},
	    {TOP_MISS_LIMITS, "no limits (tcp_max_orphans, worst tuple)"},
	    {TOP_MISS_EVENTS,
	     "closed rows from refresh differences (no socket destroy "
	     "events)"},
	};
	unsigned int fresh = l->missing & ~*told;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(items) && len < size; i++) {
		if (fresh & items[i].bit) {
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "", items[i].what);
		}
	}
	*told |= fresh;
	return fresh != 0;
}

void top_live_note_missing(struct top_live *l, unsigned int bit, int err)
{
	note_missing(l, bit, err, false);
}

void top_live_finish(struct top_live *l)
{
	proc_cache_destroy(l->procs);
	l->procs = NULL;
}

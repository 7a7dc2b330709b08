// SPDX-License-Identifier: MIT
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "acquire.h"
#include "filter.h"
#include "netns_find.h"
#include "opts.h"
#include "proc.h"
#include "state.h"
#include "util.h"

#define UNREADABLE_NAMED 3

static void note_unreadable(const char *path, int err, void *data)
{
	struct snapshot *snap = data;
	size_t len = strlen(snap->unreadable);

	/* Each file once, even when two samples fail on it. */
	if (strstr(snap->unreadable, path)) {
		return;
	}
	if (snap->n_unreadable++ < UNREADABLE_NAMED) {
		snprintf(snap->unreadable + len, sizeof(snap->unreadable) - len,
			 "%s/%s (%s)", len ? ", " : "", path, strerror(-err));
	}
}

static void read_static(struct snapshot *snap, const char *root)
{
	char buf[64];
	long len;
	int found;

	sysctl_read_all(root, &snap->sys, note_unreadable, snap);
	snap->usable_ports = sysctl_usable_ports(&snap->sys);
	snap->have_ports = !snap->sys.port_range_err;
	len =
	    root_read_file(root, "proc/sys/kernel/osrelease", buf, sizeof(buf));
	if (len >= 0 && !sysctl_parse_kver(buf, &snap->kernel)) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(snap->osrelease, sizeof(snap->osrelease), "%s", buf);
		snap->have_kernel = true;
	} else {
		note_unreadable("proc/sys/kernel/osrelease",
				len < 0 ? (int)len : -EBADMSG, snap);
	}
	found = sysctl_conf_find(root, "net.ipv4.tcp_tw_recycle",
				 &snap->recycle_conf);
	snap->recycle_in_conf = found == 1;
	sysctl_conf_collect(root, snapshot_conf_keys, &snap->conf);
}

const char *const snapshot_conf_keys[] = {
    "net.ipv4.tcp_tw_recycle",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_tw_reuse",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.tcp_timestamps",
    "net.ipv4.tcp_max_tw_buckets",
    NULL,
};

void snapshot_summary_cfg(const struct snapshot *snap, struct summary_cfg *cfg)
{
	const struct sysctl_vals *s = &snap->sys;

	memset(cfg, 0, sizeof(*cfg));
	if (!s->port_range_err) {
		cfg->eph_lo = s->port_lo;
		cfg->eph_hi = s->port_hi;
	}
	if (sysctl_have(s, SYS_TW_REUSE) && sysctl_have(s, SYS_TIMESTAMPS)) {
		cfg->tw.reuse = (uint8_t)s->v[SYS_TW_REUSE];
		cfg->tw.timestamps = s->v[SYS_TIMESTAMPS] != 0;
	}
	/* Before the sysctl existed the kernel waited a fixed second. */
	cfg->tw.delay_ms = sysctl_have(s, SYS_TW_REUSE_DELAY)
			       ? (uint32_t)s->v[SYS_TW_REUSE_DELAY]
			       : 1000;
}

static int sample(struct snapshot *snap, const struct snapshot_src *src,
		  struct counters *c, const struct summary *prev)
{
	struct summary_cfg cfg;

	memset(c, 0, sizeof(*c));
	procnet_read_counters(src->root, c, note_unreadable, snap);
	memset(&snap->sockstat, 0, sizeof(snap->sockstat));
	snap->have_sockstat = !procnet_read_sockstat(src->root, &snap->sockstat,
						     note_unreadable, snap);
	snapshot_summary_cfg(snap, &cfg);
	cfg.owner = src->owner;
	cfg.previous = prev;
	snap->sum = summary_create(&cfg);
	return src->sockets(src->data, snap->sum);
}

int snapshot_gather(struct snapshot *snap, const struct snapshot_src *src)
{
	struct summary *first;
	/* --interval 0.5: fractions of a second too. */
	long long ns = (long long)(src->interval_s * 1e9 + 0.5);
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000),
			      .tv_nsec = (long)(ns % 1000000000)};
	int err;

	memset(snap, 0, sizeof(*snap));
	read_static(snap, src->root);
	err = sample(snap, src, &snap->c1, NULL);
	if (err || !src->interval_s) {
		return err;
	}
	first = snap->sum;
	snap->c0 = snap->c1;
	while (nanosleep(&ts, &ts) && errno == EINTR) {
	}
	err = sample(snap, src, &snap->c1, first);
	summary_destroy(first);
	snap->interval_s = src->interval_s;
	return err;
}

int snapshot_resample(struct snapshot *snap, const struct snapshot_src *src,
		      double elapsed_s)
{
	struct summary *first = snap->sum;
	int err;

	snap->c0 = snap->c1;
	err = sample(snap, src, &snap->c1, first);
	summary_destroy(first);
	snap->interval_s = elapsed_s;
	return err;
}

void snapshot_finish(struct snapshot *snap)
{
	summary_destroy(snap->sum);
	snap->sum = NULL;
}

bool snapshot_counter(const struct snapshot *snap, enum ctr_id id, uint64_t *v)
{
	if (!(snap->c1.have & (1u << id))) {
		return false;
	}
	*v = snap->c1.v[id];
	return true;
}

bool snapshot_rate(const struct snapshot *snap, enum ctr_id id, uint64_t *delta,
		   double *per_min)
{
	uint32_t bit = 1u << id;

	if (!snap->interval_s || !(snap->c0.have & bit) ||
	    !(snap->c1.have & bit) || snap->c1.v[id] < snap->c0.v[id]) {
		return false;
	}
	*delta = snap->c1.v[id] - snap->c0.v[id];
	*per_min = (double)*delta * 60.0 / snap->interval_s;
	return true;
}

static int live_row(const struct sock_rec *rec, void *data)
{
	summary_add(data, rec);
	return 0;
}

static int autobound_row(const struct sock_rec *rec, void *data)
{
	summary_add_autobound(data, rec);
	return 0;
}

/*
 * Which listeners got their port from the kernel (bind() to port 0): only
 * the kernel knows (no SOCK_BINDPORT_LOCK), so ask it with the `autobound`
 * filter on a second, LISTEN-only dump. Not from a --load file, which has
 * no such answer (and not into a --save file).
 */
static int mark_autobound(const struct opts *o, struct summary *sum)
{
	char *words[] = {(char *)"autobound"};
	struct filter_error ferr;
	struct opts q = *o;
	struct acquire a;
	int err;

	if (o->load_path) {
		return 0;
	}
	err = filter_parse(1, words, &q.filter, &ferr);
	if (err) {
		return 0;
	}
	q.save_path = NULL;
	acquire_init(&a, &q);
	a.protocols &= PROTO_TCP;
	a.states[IPPROTO_TCP] = SS_BIT(SS_LISTEN);
	/* Without the answer no listener counts as autobound: not fatal. */
	(void)acquire_run(&a, autobound_row, sum);
	acquire_finish(&a);
	filter_destroy(q.filter);
	return 0;
}

int snapshot_sockets_live(void *data, struct summary *sum)
{
	const struct snapshot_live *live = data;
	const struct opts *o = live->o;
	uint32_t states;
	struct acquire a;
	int err;

	acquire_init(&a, o);
	a.notes = live->notes;
	/* Without state words a summary counts every state (-l: each
	 * table's listening ones), not ss's listing default. */
	if (filter_states(o->filter, &states)) {
		acquire_set_states(&a, states);
	} else if (o->listening) {
		acquire_set_listening(&a);
		states = a.states[IPPROTO_TCP];
	} else {
		states = SS_ALL_BITS;
		acquire_set_states(&a, states);
	}
	err = acquire_run(&a, live_row, sum);
	acquire_finish(&a);
	if (!err && (states & SS_BIT(SS_LISTEN))) {
		err = mark_autobound(o, sum);
	}
	return err;
}

/* -p: the first process holding the socket names it. */
static bool proc_owner(void *data, const struct sock_rec *rec,
		       struct owner *out)
{
	struct proc_owner po;
	size_t cursor = 0, n;

	if (!rec->inode || !proc_map_next(data, rec->inode, &cursor, &po)) {
		return false;
	}
	out->pid = po.pid;
	n = po.name_len < sizeof(out->name) - 1 ? po.name_len
						: sizeof(out->name) - 1;
	memcpy(out->name, po.name, n);
	out->name[n] = '\0';
	return true;
}

int snapshot_resample_opts(struct snapshot *snap, const struct opts *o,
			   double elapsed_s, struct acquire_notes *notes)
{
	struct proc_map *procs = NULL;
	struct owner_ops owner = {.lookup = proc_owner};
	struct snapshot_live live = {o, notes};
	struct snapshot_src src = {
	    .root = o->root,
	    .sockets = snapshot_sockets_live,
	    .data = &live,
	};
	int err;

	if (o->processes && !proc_map_build(o->root, &procs)) {
		owner.data = procs;
		src.owner = &owner;
	}
	err = snapshot_resample(snap, &src, elapsed_s);
	proc_map_destroy(procs);
	return err;
}

/* The files that could not be read, named once; root and the names
 * (found under it: anyone may have named them) escaped. */
static void warn_unreadable(const struct snapshot *snap, const char *root)
{
	char *r, *names;

	if (!snap->n_unreadable) {
		return;
	}
	r = escape_dup(root);
	names = escape_dup(snap->unreadable);
	if (snap->n_unreadable > UNREADABLE_NAMED) {
		warnx_("could not read %u files under %s: %s and %u more; "
		       "what needs them is left out",
		       snap->n_unreadable, r, names,
		       snap->n_unreadable - UNREADABLE_NAMED);
	} else {
		warnx_("could not read under %s: %s; what needs it is left out",
		       r, names);
	}
	free(names);
	free(r);
}

int snapshot_gather_opts(struct snapshot *snap, const struct opts *o,
			 double interval_s, struct acquire_notes *notes)
{
	struct proc_map *procs = NULL;
	struct owner_ops owner = {.lookup = proc_owner};
	/* Its samples share one book however the caller keeps it. */
	struct acquire_notes own = {0};
	struct snapshot_live live = {o, notes ? notes : &own};
	struct snapshot_src src = {
	    .root = o->root,
	    .interval_s = interval_s,
	    .sockets = snapshot_sockets_live,
	    .data = &live,
	};
	int err;

	/* /proc/net and /proc/sys/net show the reader's namespace: enter
	 * it before anything is read. */
	err = netns_enter_spec(o->netns, o->root, NULL);
	if (err) {
		memset(snap, 0, sizeof(*snap));
		return err;
	}
	if (o->processes) {
		err = proc_map_build_said(o->root, &procs, "-p",
					  "no processes named");
		if (!err) {
			owner.data = procs;
			src.owner = &owner;
		}
	}
	err = snapshot_gather(snap, &src);
	proc_map_destroy(procs);
	warn_unreadable(snap, o->root);
	return err;
}

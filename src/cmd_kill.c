// SPDX-License-Identifier: MIT
/*
 * `sockscope kill [--yes [--force]] FILTER`: close the sockets the filter
 * selects with SOCK_DESTROY, the kernel's way to abort a connection that
 * its application will not close (a stuck CLOSE_WAIT, a long-lived
 * connection holding a port). Without --yes nothing changes: the sockets
 * that would be closed are listed. The selection is the listing's:
 * protocol, family, state and filter options all apply (TCP and UDP).
 *
 * The matches are collected first and destroyed after the dump: a
 * SOCK_DESTROY cannot be sent on the socket that is still receiving the
 * dump. Time passes between the two, so each socket is asked for again
 * just before it is closed (by tuple and cookie) and closed only if that
 * fresh record still passes every check: a connection that moved on to
 * another state, or whose tuple another socket took, is left alone.
 *
 * Guards: --yes refuses a selection that holds listening sockets (a
 * server's) or more than KILL_MANY sockets unless --force is also given.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acquire.h"
#include "addr.h"
#include "cmd.h"
#include "diag.h"
#include "family.h"
#include "filter.h"
#include "list_out.h"
#include "netns_find.h"
#include "state.h"
#include "util.h"

/* Above this many sockets --yes wants --force: a filter that selects
 * more is more likely a mistake than a cleanup. */
#define KILL_MANY 100

enum { KP_TCP, KP_UDP, KP_COUNT };

struct victims {
	struct sock_rec *rec;
	size_t n, cap;
	size_t by_state[KP_COUNT][SS_MAX];
	size_t listening;
};

struct kill_tally {
	size_t closed;
	size_t gone;	/* closed meanwhile, or its tuple reused */
	size_t skipped; /* no longer matched the filter */
	size_t failed;
};

static unsigned int kp_of(uint8_t protocol)
{
	return protocol == IPPROTO_UDP ? KP_UDP : KP_TCP;
}

static const char *kp_name(unsigned int kp)
{
	return kp == KP_UDP ? "udp" : "tcp";
}

/* What -l shows: a TCP listener, an unconnected UDP socket (a server's). */
static bool is_listening(const struct sock_rec *rec)
{
	return rec->state == SS_LISTEN ||
	       (rec->protocol == IPPROTO_UDP && rec->state == SS_CLOSE);
}

static int collect_row(const struct sock_rec *rec, void *data)
{
	struct victims *v = data;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->rec = xrealloc(v->rec, v->cap * sizeof(*v->rec));
	}
	v->rec[v->n] = *rec;
	/* The blocks point into the receive buffer: not kept. */
	memset(&v->rec[v->n].ext, 0, sizeof(v->rec[v->n].ext));
	v->n++;
	if (rec->state < SS_MAX) {
		v->by_state[kp_of(rec->protocol)][rec->state]++;
	}
	v->listening += is_listening(rec);
	return 0;
}

/* "tcp 10.0.0.1:80 -> [::1]:5000", for one-line messages. */
static void describe(const struct sock_rec *rec, char *buf, size_t size)
{
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	bool v6 = rec->family == AF_INET6;

	addr_format(src, rec->family, rec->saddr);
	addr_format(dst, rec->family, rec->daddr);
	snprintf(buf, size, "%s %s%s%s:%u -> %s%s%s:%u",
		 kp_name(kp_of(rec->protocol)), v6 ? "[" : "", src,
		 v6 ? "]" : "", rec->sport, v6 ? "[" : "", dst, v6 ? "]" : "",
		 rec->dport);
}

/* Why the kernel would not close one socket; the run goes on. */
static void say_failed(const struct sock_rec *rec, const char *what, int err)
{
	char who[2 * ADDR_STRLEN + 32];

	describe(rec, who, sizeof(who));
	warnx_("kill: %s: %s: %s", who, what, strerror(-err));
}

/*
 * One socket: asked for again, closed if it still passes every check.
 * Returns -errno only for errors that stop the whole run.
 */
static int kill_one(struct diag *d, const struct acquire *a,
		    struct list_out *lo, const struct sock_rec *rec,
		    struct kill_tally *t)
{
	struct sock_rec now;
	int err = diag_get(d, rec, &now);

	if (err == -ENOENT || err == -ESTALE) {
		t->gone++;
		return 0;
	}
	if (err) {
		/* Not closed unseen: the check is the point. */
		say_failed(rec, "cannot check it again before closing", err);
		t->failed++;
		return 0;
	}
	if (!acquire_selects(a, &now)) {
		t->skipped++;
		return 0;
	}
	err = diag_kill(d, &now);
	switch (err) {
	case 0:
		t->closed++;
		lo->fmt->row(&lo->fc, &now);
		return 0;
	case -ENOENT:
	case -ESTALE:
		t->gone++;
		return 0;
	case -EPERM:
	case -EACCES:
		warnx_("kill: permission denied: closing sockets needs "
		       "CAP_NET_ADMIN (run as root)");
		return err;
	case -EOPNOTSUPP:
		say_failed(rec,
			   "the kernel cannot close this socket (it needs "
			   "CONFIG_INET_DIAG_DESTROY)",
			   err);
		t->failed++;
		return 0;
	default:
		say_failed(rec, "cannot close it", err);
		t->failed++;
		return 0;
	}
}

/* "1 tcp LISTEN, 2 udp ESTABLISHED" */
static void state_counts(const struct victims *v, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int p = 0; p < KP_COUNT; p++) {
		for (unsigned int s = 0; s < SS_MAX && len < size; s++) {
			int n;

			if (!v->by_state[p][s]) {
				continue;
			}
			n = snprintf(buf + len, size - len, "%s%zu %s %s",
				     len ? ", " : "", v->by_state[p][s],
				     kp_name(p),
				     state_name(s, p == KP_UDP ? IPPROTO_UDP
							       : IPPROTO_TCP));
			len += n > 0 ? (size_t)n : 0;
		}
	}
}

/* The guards the selection trips, as one phrase; false: none. */
static bool guard_reason(const struct victims *v, char *buf, size_t size)
{
	char many[64] = "";

	if (v->n > KILL_MANY) {
		snprintf(many, sizeof(many), "%zu sockets (more than %d)", v->n,
			 KILL_MANY);
	}
	if (v->listening) {
		snprintf(buf, size, "%zu listening socket%s%s%s", v->listening,
			 v->listening == 1 ? "" : "s", many[0] ? " and " : "",
			 many);
	} else {
		snprintf(buf, size, "%s", many);
	}
	return buf[0] != '\0';
}

static void report_dry_run(const struct opts *o, const struct victims *v)
{
	char states[512], guard[160];

	state_counts(v, states, sizeof(states));
	warnx_("kill: %zu socket%s would be closed%s%s%s; nothing done "
	       "(add --yes to close them)",
	       v->n, v->n == 1 ? "" : "s", v->n ? " (" : "", states,
	       v->n ? ")" : "");
	if (guard_reason(v, guard, sizeof(guard))) {
		warnx_("kill: the selection holds %s: --yes %s", guard,
		       o->force ? "--force will close them"
				: "alone will refuse it (add --force)");
	}
}

static void report(const struct kill_tally *t, size_t n)
{
	if (t->failed) {
		warnx_("kill: could not close %zu of %zu socket%s (closed %zu)",
		       t->failed, n, n == 1 ? "" : "s", t->closed);
	} else {
		warnx_("kill: closed %zu socket%s", t->closed,
		       t->closed == 1 ? "" : "s");
	}
	if (t->skipped) {
		warnx_("kill: skipped %zu socket%s that no longer matched the "
		       "filter (state changed since the listing)",
		       t->skipped, t->skipped == 1 ? "" : "s");
	}
	if (t->gone) {
		warnx_("kill: %zu socket%s had already gone", t->gone,
		       t->gone == 1 ? "" : "s");
	}
}

/* --yes: each collected socket checked again, then closed. */
static int destroy_all(const struct opts *o, const struct acquire *a,
		       const struct victims *v, struct kill_tally *t)
{
	struct list_out lo;
	struct diag *d = NULL;
	int err = v->n ? diag_open(&d) : 0;
	int werr;

	if (err) {
		warnx_("netlink: cannot open a sock_diag socket: %s",
		       strerror(-err));
		return err;
	}
	list_out_begin(&lo, o);
	for (size_t i = 0; i < v->n && !err; i++) {
		err = kill_one(d, a, &lo, &v->rec[i], t);
	}
	werr = list_out_end(&lo);
	diag_destroy(d);
	if (!err) {
		report(t, v->n);
	}
	return err ? err : werr ? -EIO : 0;
}

static int dry_run(const struct opts *o, const struct victims *v)
{
	struct list_out lo;
	int werr;

	list_out_begin(&lo, o);
	for (size_t i = 0; i < v->n; i++) {
		lo.fmt->row(&lo.fc, &v->rec[i]);
	}
	werr = list_out_end(&lo);
	report_dry_run(o, v);
	return werr ? -EIO : 0;
}

/* A family the kernel cannot destroy: named, never listed as victims. */
static bool refuse_family(const struct opts *o)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	for (size_t i = 0; i < n; i++) {
		if ((o->protocols & fams[i]->proto_bits) && fams[i]->no_kill) {
			warnx_("kill: %s sockets: %s", fams[i]->name,
			       fams[i]->no_kill);
			return true;
		}
	}
	return false;
}

static int kill_exec(const struct opts *o)
{
	struct victims v = {0};
	struct kill_tally t = {0};
	struct acquire a;
	char guard[160];
	uint32_t mask;
	int err, ret = EXIT_OK;

	if (refuse_family(o)) {
		return EXIT_USAGE;
	}
	if (!filter_has_expr(o->filter) && !filter_states(o->filter, &mask)) {
		warnx_("kill: a FILTER is required: an empty one would close "
		       "every connection (try 'sockscope kill state "
		       "close-wait')");
		return EXIT_USAGE;
	}
	if (netns_enter_spec(o->netns, o->root, NULL)) {
		return EXIT_RUNTIME;
	}
	acquire_init(&a, o);
	err = acquire_run(&a, collect_row, &v);
	if (err) {
		ret = EXIT_RUNTIME;
	} else if (!o->yes) {
		ret = dry_run(o, &v) ? EXIT_RUNTIME : EXIT_OK;
	} else if (!o->force && guard_reason(&v, guard, sizeof(guard))) {
		warnx_("kill: refused: the selection holds %s; nothing closed "
		       "(see it without --yes; add --force to close it)",
		       guard);
		ret = EXIT_USAGE;
	} else {
		err = destroy_all(o, &a, &v, &t);
		ret = err || t.failed ? EXIT_RUNTIME : EXIT_OK;
	}
	acquire_finish(&a);
	free(v.rec);
	return ret;
}

const struct cmd_entry cmd_kill_entry = {
    .name = "kill",
    .usage = "sockscope kill [--yes [--force]] [OPTIONS] FILTER",
    .exec = kill_exec,
};

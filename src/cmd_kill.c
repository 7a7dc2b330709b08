// SPDX-License-Identifier: MIT
/*
 * `sockscope kill [--yes] FILTER`: close the TCP sockets the filter
 * selects with SOCK_DESTROY, the kernel's way to abort a connection that
 * its application will not close (a stuck CLOSE_WAIT, a long-lived
 * connection holding a port). Without --yes nothing changes: the sockets
 * that would be closed are listed.
 *
 * The matches are collected first and destroyed after the dump: a
 * SOCK_DESTROY cannot be sent on the socket that is still receiving the
 * dump, and the kernel then names each socket exactly (tuple + cookie).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "acquire.h"
#include "cmd.h"
#include "diag.h"
#include "filter.h"
#include "util.h"

struct victims {
	const struct opts *o;
	struct sock_rec *rec;
	size_t n, cap;
};

struct kill_tally {
	size_t closed;
	size_t gone;
	size_t failed;
};

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
	return 0;
}

/* Only TCP can be destroyed; the filter applies as in a listing. */
static int collect(const struct opts *o, struct victims *v)
{
	struct acquire a;
	int err;

	acquire_init(&a, o);
	a.protocols = PROTO_TCP;
	err = acquire_run(&a, collect_row, v);
	acquire_finish(&a);
	return err;
}

/* One socket; returns -errno only for errors that stop the whole run. */
static int kill_one(struct diag *d, struct list_out *lo,
		    const struct sock_rec *rec, struct kill_tally *t)
{
	int err = diag_kill(d, rec);

	switch (err) {
	case 0:
		t->closed++;
		lo->fmt->row(&lo->fc, rec);
		return 0;
	case -ENOENT:
	case -ESTALE:
		t->gone++; /* closed meanwhile, or its tuple reused */
		return 0;
	case -EPERM:
	case -EACCES:
		warnx_("kill: permission denied: closing sockets needs "
		       "CAP_NET_ADMIN (run as root)");
		return err;
	case -EOPNOTSUPP:
		warnx_("kill: this kernel cannot close sockets: it was built "
		       "without CONFIG_INET_DIAG_DESTROY");
		return err;
	default:
		warnx_("kill: socket %llx: %s", (unsigned long long)rec->cookie,
		       strerror(-err));
		t->failed++;
		return 0;
	}
}

static void report(const struct opts *o, size_t n, const struct kill_tally *t)
{
	if (!o->yes) {
		warnx_("kill: %zu socket%s would be closed; nothing done "
		       "(add --yes to close them)",
		       n, n == 1 ? "" : "s");
		return;
	}
	warnx_("kill: closed %zu socket%s", t->closed,
	       t->closed == 1 ? "" : "s");
	if (t->gone) {
		warnx_("kill: %zu socket%s had already gone", t->gone,
		       t->gone == 1 ? "" : "s");
	}
}

static int kill_exec(const struct opts *o)
{
	struct victims v = {.o = o};
	struct kill_tally t = {0};
	struct list_out lo;
	struct diag *d = NULL;
	uint32_t mask;
	int err, werr;

	if (!filter_has_expr(o->filter) && !filter_states(o->filter, &mask)) {
		warnx_("kill: a FILTER is required: an empty one would close "
		       "every connection (try 'sockscope kill state "
		       "close-wait')");
		return EXIT_USAGE;
	}
	if (list_enter_netns(o)) {
		return EXIT_RUNTIME;
	}
	err = collect(o, &v);
	if (!err && o->yes && v.n) {
		err = diag_open(&d);
		if (err) {
			warnx_("netlink: cannot open a sock_diag socket: %s",
			       strerror(-err));
		}
	}
	list_out_begin(&lo, o);
	for (size_t i = 0; i < v.n && !err; i++) {
		if (o->yes) {
			err = kill_one(d, &lo, &v.rec[i], &t);
		} else {
			lo.fmt->row(&lo.fc, &v.rec[i]);
		}
	}
	werr = list_out_end(&lo);
	if (!err) {
		report(o, v.n, &t);
	}
	free(v.rec);
	diag_destroy(d);
	return err || werr || t.failed ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_kill_entry = {
    .name = "kill",
    .usage = "sockscope kill [--yes] [OPTIONS] FILTER",
    .exec = kill_exec,
};

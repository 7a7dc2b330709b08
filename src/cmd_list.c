// SPDX-License-Identifier: MIT
/*
 * `sockscope [list]`: acquire -> filter -> format, streamed row by row.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire.h"
#include "addr.h"
#include "cmd.h"
#include "diag.h"
#include "filter.h"
#include "format.h"
#include "format_detail.h"
#include "ifname.h"
#include "list_out.h"
#include "netns_find.h"
#include "netns_prefetch.h"
#include "proc.h"
#include "savefile.h"
#include "util.h"

struct list_run {
	struct acquire acq;
	struct list_out lo;
	unsigned long rows;
	struct savefile save;
	struct netns_prefetch *pf; /* --all-netns: dumps received ahead */
};

static int list_row(const struct sock_rec *rec, void *data)
{
	struct list_run *run = data;

	run->rows++;
	run->lo.fmt->row(&run->lo.fc, rec);
	return run->lo.out.err;
}

static int open_save(struct list_run *run, const struct opts *o)
{
	int err;

	run->acq.save_fd = -1;
	if (!o->save_path) {
		return 0;
	}
	err = savefile_open(&run->save, o->save_path);
	if (err) {
		char *path = escape_dup(o->save_path);

		warnx_("--save %s: %s", path, savefile_strerror(err));
		free(path);
		return err;
	}
	run->acq.save_fd = run->save.fd;
	return 0;
}

/*
 * The file is replaced only by a whole dump: not after a write error, a
 * failed listing, or a reader that stopped it early (| head). Returns the
 * listing's err, or -EIO when the file could not be saved.
 */
static int finish_save(struct list_run *run, const struct opts *o, int err)
{
	const char *why = NULL;
	int serr = run->acq.save_err;
	char *path;

	if (!o->save_path) {
		return err;
	}
	if (serr) {
		why = strerror(-serr);
	} else if (err == -EPIPE) {
		why = "the output was closed before the dump ended";
	} else if (err) {
		why = "the listing failed";
	} else {
		serr = savefile_commit(&run->save);
		why = serr ? strerror(-serr) : NULL;
	}
	if (!why) {
		return 0;
	}
	savefile_abort(&run->save);
	path = escape_dup(o->save_path);
	warnx_("--save %s: %s; not saved (an old file is kept)", path, why);
	free(path);
	return err && err != -EPIPE ? err : -EIO;
}

/* The sockets of the namespace current now, tagged e (NULL: -N's). */
static int list_one_netns(const struct netns_entry *e, void *data)
{
	struct list_run *run = data;

	run->lo.fc.netns =
	    e->label.kind == NETNS_KIND_CURRENT ? NULL : e->label.text;
	run->lo.fc.ns_entry = e;
	run->acq.netns = run->lo.fc.netns;
	ifnames_destroy(run->lo.fc.ifn);
	run->lo.fc.ifn = ifnames_create();
	run->acq.ifn = run->lo.fc.ifn;
	/* A netlink socket belongs to the namespace it was made in. */
	acquire_finish(&run->acq);
	run->acq.use_d = run->pf ? netns_prefetch_take(run->pf, e) : NULL;
	if (run->lo.fmt->netns) {
		run->lo.fmt->netns(&run->lo.fc);
	}
	return acquire_run(&run->acq, list_row, run);
}

/* The requests of every namespace sent ahead on a few threads. */
static struct netns_prefetch *start_prefetch(const struct list_run *run,
					     const struct netns_set *set)
{
	struct diag_req *reqs;
	size_t n = acquire_plan(&run->acq, &reqs);
	int threads = run->acq.o->netns_threads;
	struct netns_prefetch *p = netns_prefetch_start(
	    set, reqs, n,
	    threads < 0 ? netns_prefetch_threads() : (unsigned int)threads);

	acquire_plan_free(reqs, n);
	return p;
}

/*
 * Every namespace of the host (netns_find.h), the current one first, each
 * once; every row tagged. One that cannot be read is named on stderr and
 * *skipped is set.
 */
static int dump_all_netns(struct list_run *run, const struct opts *o,
			  bool *skipped)
{
	struct netns_set set;
	/* A probed table's count, every namespace's, said at the end. */
	struct acquire_notes notes = {.sum = true};
	unsigned int nskip = 0;
	int err = netns_discover(&set, o->root);

	if (err) {
		netns_discover_warn(o->root, err);
	} else {
		netns_set_sort(&set);
		run->pf = start_prefetch(run, &set);
		run->acq.notes = &notes;
		err = netns_each(&set, list_one_netns, run, &nskip);
		acquire_notes_say(&notes);
		run->acq.notes = NULL;
		/* The last namespace's socket is the prefetch's. */
		acquire_finish(&run->acq);
		run->acq.use_d = NULL;
		netns_prefetch_stop(run->pf);
		run->pf = NULL;
	}
	run->lo.fc.netns = NULL;
	run->lo.fc.ns_entry = NULL;
	netns_set_finish(&set);
	*skipped = nskip > 0;
	return err;
}

static int list_exec(const struct opts *o)
{
	struct list_run run = {.rows = 0};
	struct netns_entry ns;
	bool skipped = false;
	int err, werr;

	if (netns_enter_spec(o->netns, o->root, &ns)) {
		return EXIT_RUNTIME;
	}
	acquire_init(&run.acq, o);
	run.acq.ext = detail_diag_ext(o);
	/* A saved file keeps every field, for whatever --load shows. */
	run.acq.lean = o->format == FMT_TABLE && !detail_wanted(o) &&
		       !o->save_path && !filter_names_uid(o->filter);
	if (open_save(&run, o)) {
		return EXIT_RUNTIME;
	}
	list_out_begin(&run.lo, o);
	run.acq.ifn = run.lo.fc.ifn;
	/* -p's owners are the filter's too: one walk, one answer. */
	run.acq.procs = run.lo.procs;
	if (o->netns) {
		/* Tagged with what -N named: its label when it named a
		 * container or unit, else the name or path given. */
		run.lo.fc.ns_entry = &ns;
		run.lo.fc.netns = ns.label.text;
		run.acq.netns = ns.label.text;
	}
	if (o->all_netns) {
		err = dump_all_netns(&run, o, &skipped);
	} else {
		err = acquire_run(&run.acq, list_row, &run);
	}
	acquire_finish(&run.acq);
	/* Failed before any row (--load of a missing file): stdout carries
	 * data only, so not even a header or an empty document. */
	run.lo.discard = err && err != -EPIPE && !run.rows;
	werr = list_out_end(&run.lo);
	err = finish_save(&run, o, err);
	/* A reader that went away (| head) is not a failure. */
	if (err == -EPIPE) {
		err = 0;
	}
	return err || werr || skipped ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
    .name = "list",
    .usage = "sockscope [list] [OPTIONS] [FILTER]",
    .exec = list_exec,
};

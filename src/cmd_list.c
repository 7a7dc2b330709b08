// SPDX-License-Identifier: MIT
/*
 * `sockscope [list]`: acquire -> filter -> format, streamed row by row.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire.h"
#include "addr.h"
#include "cgroup.h"
#include "cmd.h"
#include "diag.h"
#include "filter.h"
#include "format.h"
#include "format_detail.h"
#include "ifname.h"
#include "netns.h"
#include "proc.h"
#include "savefile.h"
#include "util.h"

struct list_run {
	struct acquire acq;
	struct list_out lo;
	unsigned long rows;
	struct savefile save;
};

static int list_row(const struct sock_rec *rec, void *data)
{
	struct list_run *run = data;

	run->rows++;
	run->lo.fmt->row(&run->lo.fc, rec);
	return run->lo.out.err;
}

static const struct fmt_ops *pick_format(enum fmt_kind kind)
{
	switch (kind) {
	case FMT_JSON:
		return &fmt_json;
	case FMT_NDJSON:
		return &fmt_ndjson;
	case FMT_PROMETHEUS:
		return &fmt_prom;
	default:
		return &fmt_table;
	}
}

static unsigned int terminal_columns(const struct opts *o)
{
	struct winsize ws;

	if (!o->out_is_tty || o->format != FMT_TABLE ||
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_col == 0) {
		return 0;
	}
	return ws.ws_col;
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
		warnx_("--save %s: %s", o->save_path, savefile_strerror(err));
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
	warnx_("--save %s: %s; not saved (an old file is kept)", o->save_path,
	       why);
	return err && err != -EPIPE ? err : -EIO;
}

/* A namespace name as it may be printed (caller frees). */
static char *escaped(const char *s)
{
	char *e = xmalloc(4 * strlen(s) + 1);

	escape_text(e, s, strlen(s));
	return e;
}

static void warn_skipped(const char *name, int err)
{
	char *e = escaped(name);

	warnx_("--all-netns: skipped %s: %s", e,
	       err == -EINVAL ? "not a network namespace" : strerror(-err));
	free(e);
}

/* The sockets of the namespace current now, tagged name (NULL: the first). */
static int list_one_netns(struct list_run *run, const char *name)
{
	run->lo.fc.netns = name;
	run->acq.netns = name;
	ifnames_destroy(run->lo.fc.ifn);
	run->lo.fc.ifn = ifnames_create();
	run->acq.ifn = run->lo.fc.ifn;
	/* A netlink socket belongs to the namespace it was made in. */
	acquire_finish(&run->acq);
	return acquire_run(&run->acq, list_row, run);
}

/*
 * Index into ids[0..n) of the namespace with this identity, or -1. The
 * identity of a namespace file is its nsfs inode, so two names (or a name
 * and the current namespace) for one namespace are seen as one.
 */
static int seen_before(const struct stat *ids, size_t n, const struct stat *st)
{
	for (size_t i = 0; i < n; i++) {
		if (ids[i].st_dev == st->st_dev &&
		    ids[i].st_ino == st->st_ino) {
			return (int)i;
		}
	}
	return -1;
}

/* Enter one named namespace; 0, or -errno after saying it is skipped. */
static int enter_named(const char *name)
{
	int fd = netns_open(name);
	int err = fd < 0 ? fd : netns_switch(fd);

	if (fd >= 0) {
		close(fd);
	}
	if (err) {
		warn_skipped(name, err);
	}
	return err;
}

/*
 * The current namespace, then each named one once; every row tagged. A
 * namespace that cannot be read is named on stderr and *skipped is set.
 */
static int dump_all_netns(struct list_run *run, bool *skipped)
{
	int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	struct stat *ids = NULL;     /* the namespaces listed, */
	const char **id_name = NULL; /* under these names */
	size_t nids = 1;
	char **names = NULL;
	size_t n = 0;
	int err = orig < 0 ? -errno : netns_names(NETNS_RUN_DIR, &names, &n);

	if (!err) {
		ids = xcalloc(n + 1, sizeof(*ids));
		id_name = xcalloc(n + 1, sizeof(*id_name));
		err = fstat(orig, &ids[0]) ? -errno : 0;
	}
	if (err) {
		warnx_("--all-netns: %s", strerror(-err));
		goto out;
	}
	err = list_one_netns(run, NULL);
	*skipped = err == -ENODEV;
	err = err == -ENODEV ? 0 : err;
	for (size_t i = 0; i < n && !err; i++) {
		int e = netns_stat(names[i], &ids[nids]);
		int dup = e ? -1 : seen_before(ids, nids, &ids[nids]);

		if (e) {
			warn_skipped(names[i], e);
			*skipped = true;
			continue;
		}
		if (dup == 0) {
			continue; /* the current namespace: listed first */
		}
		if (dup > 0) {
			char *a = escaped(names[i]), *b = escaped(id_name[dup]);

			warnx_("--all-netns: %s is the namespace %s: listed "
			       "once, as %s",
			       a, b, b);
			free(a);
			free(b);
			continue;
		}
		if (enter_named(names[i])) {
			*skipped = true;
			continue;
		}
		id_name[nids++] = names[i];
		err = list_one_netns(run, names[i]);
		if (err == -ENODEV) {
			*skipped = true; /* a `dev` it does not have: said */
			err = 0;
		}
		if (netns_switch(orig)) {
			warnx_("--all-netns: cannot return to the first "
			       "namespace: %s",
			       strerror(errno));
			err = -EIO;
		}
	}
out:
	run->lo.fc.netns = NULL;
	free(ids);
	free(id_name);
	netns_names_free(names, n);
	if (orig >= 0) {
		close(orig);
	}
	return err;
}

int list_enter_netns(const struct opts *o)
{
	char *name;
	int err;

	if (!o->netns) {
		return 0;
	}
	err = netns_enter(o->netns);
	if (!err) {
		return 0;
	}
	name = escaped(o->netns);
	if (err == -ENOENT && !strchr(o->netns, '/')) {
		warnx_("-N %s: no such namespace (%s/%s does not exist)", name,
		       NETNS_RUN_DIR, name);
	} else {
		warnx_("-N %s: %s", name,
		       err == -EINVAL ? "not a network namespace"
				      : strerror(-err));
	}
	free(name);
	return err;
}

/* The lookup tables the detail options read, built once before any row. */
static void build_tables(struct list_out *lo, const struct opts *o)
{
	int err;

	if (o->processes) {
		err = proc_map_build(o->root, &lo->procs);
		if (err) {
			warnx_("-p: cannot read /proc under %s: %s; no "
			       "processes shown",
			       o->root, strerror(-err));
		} else if (geteuid() != 0) {
			warnx_(
			    "-p: not root: only your own processes are shown");
		}
	}
	if (o->extended) {
		cgroups_build(o->root, &lo->cg);
	}
}

void list_out_begin(struct list_out *lo, const struct opts *o)
{
	memset(lo, 0, sizeof(*lo));
	lo->fmt = pick_format(o->format);
	build_tables(lo, o);
	obuf_init(&lo->out, STDOUT_FILENO, 256 * 1024);
	lo->fc = (struct fmt_ctx){
	    .out = &lo->out,
	    .o = o,
	    .ifn = ifnames_create(),
	    .svc = o->numeric ? NULL : services_load(),
	    .term_cols = terminal_columns(o),
	    .procs = lo->procs,
	    .cgroups = lo->cg,
	    .netns = o->netns,
	};
	lo->fmt->begin(&lo->fc);
}

int list_out_end(struct list_out *lo)
{
	int werr;

	lo->fmt->end(&lo->fc);
	if (lo->discard) {
		lo->out.len = 0;
	}
	werr = obuf_finish(&lo->out);
	proc_map_destroy(lo->procs);
	cgroups_destroy(lo->cg);
	services_destroy((struct services *)lo->fc.svc);
	ifnames_destroy(lo->fc.ifn);
	/* A reader that went away (| head) is not a failure. */
	if (werr && werr != -EPIPE) {
		warnx_("stdout: %s", strerror(-werr));
		return werr;
	}
	return 0;
}

static int list_exec(const struct opts *o)
{
	struct list_run run = {.rows = 0};
	bool skipped = false;
	int err, werr;

	if (list_enter_netns(o)) {
		return EXIT_RUNTIME;
	}
	acquire_init(&run.acq, o);
	run.acq.ext = detail_diag_ext(o);
	if (open_save(&run, o)) {
		return EXIT_RUNTIME;
	}
	list_out_begin(&run.lo, o);
	run.acq.ifn = run.lo.fc.ifn;
	/* -p's owners are the filter's too: one walk, one answer. */
	run.acq.procs = run.lo.procs;
	if (o->all_netns) {
		err = dump_all_netns(&run, &skipped);
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

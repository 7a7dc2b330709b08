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
	struct savefile save;
};

static int list_row(const struct sock_rec *rec, void *data)
{
	struct list_run *run = data;

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

/* The current namespace, then each named one; every row tagged. */
static int dump_all_netns(struct list_run *run)
{
	int orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	char **names;
	size_t n;
	int err = orig < 0 ? -errno : netns_names(NETNS_RUN_DIR, &names, &n);

	if (err) {
		warnx_("--all-netns: %s", strerror(-err));
		if (orig >= 0) {
			close(orig);
		}
		return err;
	}
	err = acquire_run(&run->acq, list_row, run);
	for (size_t i = 0; i < n && !err; i++) {
		int fd = netns_open(names[i]);

		if (fd < 0 || netns_same(fd, orig) || netns_switch(fd)) {
			/* The current one is already listed; a stale or
			 * foreign entry is not a namespace: skip both. */
			if (fd >= 0) {
				close(fd);
			}
			continue;
		}
		close(fd);
		run->lo.fc.netns = names[i];
		ifnames_destroy(run->lo.fc.ifn);
		run->lo.fc.ifn = ifnames_create();
		/* A netlink socket belongs to the namespace it was made in. */
		acquire_finish(&run->acq);
		err = acquire_run(&run->acq, list_row, run);
		if (netns_switch(orig)) {
			warnx_("--all-netns: cannot return to the first "
			       "namespace: %s", strerror(errno));
			err = -EIO;
		}
	}
	run->lo.fc.netns = NULL;
	netns_names_free(names, n);
	close(orig);
	return err;
}

int list_enter_netns(const struct opts *o)
{
	int err;

	if (!o->netns) {
		return 0;
	}
	err = netns_enter(o->netns);
	if (err == -ENOENT && !strchr(o->netns, '/')) {
		warnx_("-N %s: no such namespace (%s/%s does not exist)",
		       o->netns, NETNS_RUN_DIR, o->netns);
	} else if (err) {
		warnx_("-N %s: %s", o->netns,
		       err == -EINVAL ? "not a network namespace"
				      : strerror(-err));
	}
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
			       "processes shown", o->root, strerror(-err));
		} else if (geteuid() != 0) {
			warnx_("-p: not root: only your own processes are shown");
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
	struct list_run run;
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
	if (o->all_netns) {
		err = dump_all_netns(&run);
	} else {
		err = acquire_run(&run.acq, list_row, &run);
	}
	acquire_finish(&run.acq);
	werr = list_out_end(&run.lo);
	err = finish_save(&run, o, err);
	/* A reader that went away (| head) is not a failure. */
	if (err == -EPIPE) {
		err = 0;
	}
	return err || werr ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "sockscope [list] [OPTIONS] [FILTER]",
	.exec = list_exec,
};

// SPDX-License-Identifier: MIT
#include "list_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cgroup.h"
#include "family.h"
#include "ifname.h"
#include "proc.h"

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

/*
 * Service names are the inet tables' ports (format_endpoint): a listing of
 * none of them (-x, -0, -A netlink) does not read the services database
 * through NSS, a quarter of such a listing's start-up.
 */
static struct services *services_for(const struct opts *o)
{
	if (o->numeric ||
	    !(o->protocols & family_tables(FAM_INET | FAM_INET6))) {
		return NULL;
	}
	return services_load();
}

/* The lookup tables the detail options read, built once before any row. */
static void build_tables(struct list_out *lo, const struct opts *o)
{
	int err;

	if (o->processes) {
		err = proc_map_build_said(o->root, &lo->procs, "-p",
					  "no processes shown");
		if (!err && geteuid() != 0) {
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
	    .svc = services_for(o),
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
	werr = obuf_finish_stdout(&lo->out);
	proc_map_destroy(lo->procs);
	cgroups_destroy(lo->cg);
	services_destroy((struct services *)lo->fc.svc);
	ifnames_destroy(lo->fc.ifn);
	return werr;
}

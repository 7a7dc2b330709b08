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
#include "util.h"

struct list_run {
	const struct opts *o;
	struct list_out lo;
	uint32_t states[256]; /* per IPPROTO_*: the states asked for */
	bool user_match;      /* rows still need filter_match() */
	bool kernel_refused;  /* the kernel rejected the compiled filter */
	unsigned int bc_without; /* enum filter_bc_without */
};

static bool wanted(const struct list_run *run, const struct sock_rec *rec)
{
	const struct opts *o = run->o;
	uint32_t fam = rec->family == AF_INET ? FAM_INET : FAM_INET6;

	if (!(o->families & fam)) {
		return false;
	}
	if (!(run->states[rec->protocol] & SS_BIT(rec->state))) {
		return false;
	}
	return !run->user_match || filter_match(o->filter, rec);
}

static int list_row(const struct sock_rec *rec, void *data)
{
	struct list_run *run = data;

	if (rec->state >= 32 || !wanted(run, rec)) {
		return 0;
	}
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

static const char *proto_name(uint8_t protocol)
{
	return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

/*
 * One dump with the filter compiled for the kernel; rows it cannot decide
 * exactly are matched again here. If the kernel refuses the program, the
 * dump is redone: without fwmark ops for EPERM (no CAP_NET_ADMIN), without
 * any program for anything else (EINVAL: an op this kernel lacks), with
 * one notice, and the choice holds for the rest of the run.
 */
static int dump_filtered(struct list_run *run, struct diag *d,
			 struct diag_req *req)
{
	for (;;) {
		void *bc = NULL;
		bool exact = false, sent;
		int err;

		if (!run->kernel_refused) {
			filter_bytecode(run->o->filter, req->family,
					run->bc_without, &bc,
					&req->bytecode_len, &exact);
		}
		sent = bc != NULL;
		req->bytecode = bc;
		run->user_match = !exact;
		err = diag_dump(d, req, list_row, run);
		free(bc);
		req->bytecode = NULL;
		req->bytecode_len = 0;
		if (!sent || (err != -EINVAL && err != -EPERM)) {
			return err;
		}
		if (err == -EPERM && !(run->bc_without & FILTER_BC_NO_MARK)) {
			warnx_("filter: fwmark needs CAP_NET_ADMIN in the kernel, "
			       "which also hides marks: they read as 0");
			run->bc_without |= FILTER_BC_NO_MARK;
		} else {
			warnx_("filter: the kernel refused the compiled filter "
			       "(%s); filtering in userspace", strerror(-err));
			run->kernel_refused = true;
		}
	}
}

/* Every (protocol, family) table the options select, from the kernel. */
static int dump_live(struct list_run *run, int save_fd)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	struct diag *d;
	int err = diag_open(&d);

	if (err) {
		warnx_("netlink: cannot open a sock_diag socket: %s",
		       strerror(-err));
		return err;
	}
	if (save_fd >= 0) {
		diag_save_to(d, save_fd);
	}
	for (size_t p = 0; p < ARRAY_SIZE(protos) && !err; p++) {
		uint32_t pbit = protos[p] == IPPROTO_TCP ? PROTO_TCP : PROTO_UDP;

		if (!(run->o->protocols & pbit)) {
			continue;
		}
		for (size_t f = 0; f < ARRAY_SIZE(fams) && !err; f++) {
			struct diag_req req = {
				.family = fams[f],
				.protocol = protos[p],
				.states = run->states[protos[p]],
				.ext = detail_diag_ext(run->o),
			};

			if (!(run->o->families & (f ? FAM_INET6 : FAM_INET))) {
				continue;
			}
			err = dump_filtered(run, d, &req);
			if (err == -ENOENT || err == -EOPNOTSUPP) {
				warnx_("%s: the kernel has no diag support for "
				       "this protocol; skipped",
				       proto_name(protos[p]));
				err = 0;
				break;
			}
			if (err && err != run->lo.out.err) {
				warnx_("netlink: %s dump failed: %s",
				       proto_name(protos[p]), strerror(-err));
			}
		}
	}
	diag_destroy(d);
	return err;
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

static int open_save(const struct opts *o)
{
	int fd;

	if (!o->save_path) {
		return -1;
	}
	fd = open(o->save_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		warnx_("--save %s: %s", o->save_path, strerror(errno));
	}
	return fd;
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
	err = dump_live(run, -1);
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
		err = dump_live(run, -1);
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
	struct list_run run = { .o = o, .user_match = true };
	int save_fd;
	int err, werr;

	if (list_enter_netns(o)) {
		return EXIT_RUNTIME;
	}
	save_fd = open_save(o);
	if (o->save_path && save_fd < 0) {
		return EXIT_RUNTIME;
	}
	/* A protocol not asked for keeps an empty mask: --load skips it. */
	if (o->protocols & PROTO_TCP) {
		run.states[IPPROTO_TCP] = opts_states(o, IPPROTO_TCP);
	}
	if (o->protocols & PROTO_UDP) {
		run.states[IPPROTO_UDP] = opts_states(o, IPPROTO_UDP);
	}
	list_out_begin(&run.lo, o);
	if (o->load_path) {
		err = cmd_load_file(o->load_path, list_row, &run);
	} else if (o->all_netns) {
		err = dump_all_netns(&run);
	} else {
		err = dump_live(&run, save_fd);
	}
	werr = list_out_end(&run.lo);
	if (save_fd >= 0 && close(save_fd) && !err) {
		warnx_("--save %s: %s", o->save_path, strerror(errno));
		err = -EIO;
	}
	return err || werr ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "sockscope [list] [OPTIONS] [FILTER]",
	.exec = list_exec,
};

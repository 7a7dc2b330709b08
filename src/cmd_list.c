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
#include "cmd.h"
#include "diag.h"
#include "filter.h"
#include "format.h"
#include "ifname.h"
#include "util.h"

struct list_run {
	const struct opts *o;
	const struct fmt_ops *fmt;
	struct fmt_ctx fc;
	struct obuf out;
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
	run->fmt->row(&run->fc, rec);
	return run->out.err;
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
			if (err && err != run->out.err) {
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

static int list_exec(const struct opts *o)
{
	struct list_run run = {
		.o = o,
		.fmt = pick_format(o->format),
		.user_match = true,
	};
	int save_fd = open_save(o);
	int err, werr;

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
	obuf_init(&run.out, STDOUT_FILENO, 256 * 1024);
	run.fc = (struct fmt_ctx){
		.out = &run.out,
		.o = o,
		.ifn = ifnames_create(),
		.svc = o->numeric ? NULL : services_load(),
		.term_cols = terminal_columns(o),
	};
	run.fmt->begin(&run.fc);
	err = o->load_path ? cmd_load_file(o->load_path, list_row, &run)
			   : dump_live(&run, save_fd);
	run.fmt->end(&run.fc);
	werr = obuf_finish(&run.out);
	services_destroy((struct services *)run.fc.svc);
	ifnames_destroy(run.fc.ifn);
	if (save_fd >= 0 && close(save_fd) && !err) {
		warnx_("--save %s: %s", o->save_path, strerror(errno));
		err = -EIO;
	}
	/* A reader that went away (| head) is not a failure. */
	if (werr == -EPIPE) {
		return EXIT_OK;
	}
	if (werr) {
		warnx_("stdout: %s", strerror(-werr));
		return EXIT_RUNTIME;
	}
	return err ? EXIT_RUNTIME : EXIT_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "sockscope [list] [OPTIONS] [FILTER]",
	.exec = list_exec,
};

// SPDX-License-Identifier: MIT
#include "acquire.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter.h"
#include "util.h"

void acquire_init(struct acquire *a, const struct opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->protocols = o->protocols;
	a->save_fd = -1;
	a->user_match = true;
	a->states[IPPROTO_TCP] = opts_states(o, IPPROTO_TCP);
	a->states[IPPROTO_UDP] = opts_states(o, IPPROTO_UDP);
}

void acquire_finish(struct acquire *a)
{
	diag_destroy(a->d);
	a->d = NULL;
}

static uint32_t proto_bit(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return PROTO_TCP;
	case IPPROTO_UDP:
		return PROTO_UDP;
	default:
		return 0;
	}
}

/* Every check a row must pass; the kernel made most of them already. */
static int acquire_row(const struct sock_rec *rec, void *data)
{
	struct acquire *a = data;
	uint32_t fam = rec->family == AF_INET ? FAM_INET : FAM_INET6;

	if (rec->state >= 32 || !(a->o->families & fam) ||
	    !(a->protocols & proto_bit(rec->protocol)) ||
	    !(a->states[rec->protocol] & SS_BIT(rec->state))) {
		return 0;
	}
	if (a->user_match && !filter_match(a->o->filter, rec)) {
		return 0;
	}
	a->fn_err = a->fn(rec, a->data);
	return a->fn_err;
}

static int load_file(struct acquire *a)
{
	struct diag_load_err lerr = { 0 };
	const char *path = a->o->load_path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = -errno;
		warnx_("--load %s: %s", path, strerror(-err));
		return err;
	}
	a->user_match = true;
	err = diag_load(fd, acquire_row, a, &lerr);
	if (err == -EBADMSG || err == -EIO) {
		warnx_("--load %s: offset %llu: %s", path,
		       (unsigned long long)lerr.offset, lerr.what);
	}
	close(fd);
	return err;
}

/* After a refusal: first drop the fwmark ops, then the whole program. */
static void drop_refused_part(struct acquire *a, int err)
{
	if (err == -EPERM && !(a->bc_without & FILTER_BC_NO_MARK)) {
		warnx_("filter: fwmark needs CAP_NET_ADMIN in the kernel, "
		       "which also hides marks: they read as 0");
		a->bc_without |= FILTER_BC_NO_MARK;
		return;
	}
	warnx_("filter: the kernel refused the compiled filter (%s); "
	       "filtering in userspace", strerror(-err));
	a->kernel_refused = true;
}

/* One table with the filter compiled for the kernel, retried if refused. */
static int dump_filtered(struct acquire *a, struct diag_req *req)
{
	for (;;) {
		void *bc = NULL;
		bool exact = false;
		int err;

		if (!a->kernel_refused) {
			filter_bytecode(a->o->filter, req->family,
					a->bc_without, &bc,
					&req->bytecode_len, &exact);
		}
		req->bytecode = bc;
		a->user_match = !exact;
		err = diag_dump(a->d, req, acquire_row, a);
		free(bc);
		req->bytecode = NULL;
		req->bytecode_len = 0;
		if (!bc || (err != -EINVAL && err != -EPERM)) {
			return err;
		}
		drop_refused_part(a, err);
	}
}

static const char *proto_name(uint8_t protocol)
{
	return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

static int dump_live(struct acquire *a)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint8_t fams[] = { AF_INET, AF_INET6 };
	int err = 0;

	for (size_t p = 0; p < ARRAY_SIZE(protos) && !err; p++) {
		if (!(a->protocols & proto_bit(protos[p]))) {
			continue;
		}
		for (size_t f = 0; f < ARRAY_SIZE(fams) && !err; f++) {
			struct diag_req req = {
				.family = fams[f],
				.protocol = protos[p],
				.states = a->states[protos[p]],
				.ext = a->ext,
			};

			if (!(a->o->families & (f ? FAM_INET6 : FAM_INET))) {
				continue;
			}
			err = dump_filtered(a, &req);
			if (err == -ENOENT || err == -EOPNOTSUPP) {
				warnx_("%s: the kernel has no diag support for "
				       "this protocol; skipped",
				       proto_name(protos[p]));
				err = 0;
				break;
			}
			/* The callback's own errors (EPIPE) speak for
			 * themselves; the kernel's need a line here. */
			if (err && err != a->fn_err) {
				warnx_("netlink: %s dump failed: %s",
				       proto_name(protos[p]), strerror(-err));
			}
		}
	}
	return err;
}

int acquire_run(struct acquire *a, diag_row_fn fn, void *data)
{
	int err;

	a->fn = fn;
	a->data = data;
	a->fn_err = 0;
	if (a->o->load_path) {
		return load_file(a);
	}
	if (!a->d) {
		err = diag_open(&a->d);
		if (err) {
			warnx_("netlink: cannot open a sock_diag socket: %s",
			       strerror(-err));
			return err;
		}
		if (a->save_fd >= 0) {
			diag_save_to(a->d, a->save_fd);
		}
	}
	return dump_live(a);
}

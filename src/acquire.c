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
	/* Kept across runs: a later namespace's rows would leave a hole. */
	if (a->d && !a->save_err) {
		a->save_err = diag_save_error(a->d);
	}
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

	a->seen++;
	if (rec->state >= 32 || !(a->o->families & fam) ||
	    !(a->protocols & proto_bit(rec->protocol)) ||
	    !(a->states[rec->protocol] & SS_BIT(rec->state))) {
		return 0;
	}
	/*
	 * The kernel runs the filter when it collects a socket and builds
	 * the row later: one torn down in between comes back as CLOSE with
	 * its ports cleared, a row the filter never saw. Addresses, ports,
	 * device, mark and cgroup do not change while a socket lives, so
	 * only CLOSE rows need the filter again when the kernel's was exact.
	 */
	if ((a->user_match || rec->state == SS_CLOSE) &&
	    !filter_match(a->o->filter, rec)) {
		return 0;
	}
	a->fn_err = a->fn(rec, a->data);
	return a->fn_err;
}

static int load_file(struct acquire *a)
{
	struct diag_load_err lerr = { 0 };
	const char *path = a->o->load_path;
	int fd = open_input(path, INPUT_REGULAR);
	int err;

	if (fd < 0) {
		warnx_("--load %s: %s", path, input_strerror(fd));
		return fd;
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

/* The kernel program for one request; AF_UNSPEC takes the IPv4 one,
 * which want_family() has checked is also the IPv6 one. */
static void compile(const struct acquire *a, uint8_t family, void **bc,
		    size_t *len, bool *exact)
{
	*bc = NULL;
	*len = 0;
	/* Refused once: the kernel gets no program, userspace filters. */
	*exact = !a->kernel_refused;
	if (!a->kernel_refused) {
		filter_bytecode(a->o->filter,
				family == AF_UNSPEC ? AF_INET : family,
				a->bc_without, bc, len, exact);
	}
}

/* A one-walk dump needs one program right for both families: a host of
 * one family compiles differently for the other. */
static bool same_program(const struct acquire *a)
{
	void *bc4, *bc6;
	size_t len4, len6;
	bool exact4, exact6, same;

	compile(a, AF_INET, &bc4, &len4, &exact4);
	compile(a, AF_INET6, &bc6, &len6, &exact6);
	same = len4 == len6 && exact4 == exact6 &&
	       (!len4 || !memcmp(bc4, bc6, len4));
	free(bc4);
	free(bc6);
	return same;
}

/* Tries for a dump the kernel could not deliver before any row arrived. */
#define ENOBUFS_RETRIES 2

/*
 * One request with the filter compiled for the kernel, retried while no
 * row has been handed on: without the part the kernel refused, or after
 * a receive-queue overflow.
 */
static int dump_filtered(struct acquire *a, struct diag_req *req)
{
	unsigned int overflows = 0;

	for (;;) {
		void *bc = NULL;
		bool exact = false;
		int err;

		compile(a, req->family, &bc, &req->bytecode_len, &exact);
		req->bytecode = bc;
		a->user_match = !exact;
		a->seen = 0;
		err = diag_dump(a->d, req, acquire_row, a);
		free(bc);
		req->bytecode = NULL;
		req->bytecode_len = 0;
		if (a->seen || err == a->fn_err) {
			return err;
		}
		if (err == -ENOBUFS && overflows++ < ENOBUFS_RETRIES) {
			continue;
		}
		if (!bc || (err != -EINVAL && err != -EPERM) ||
		    req->family == AF_UNSPEC) {
			return err;
		}
		drop_refused_part(a, err);
	}
}

static const char *proto_name(uint8_t protocol)
{
	return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

/* Say what went wrong with a dump; the callback's own errors (EPIPE)
 * speak for themselves. */
static void report(const struct acquire *a, uint8_t protocol, int err)
{
	if (diag_interrupted(a->d)) {
		warnx_("netlink: the kernel flagged the %s dump as interrupted "
		       "by concurrent changes: sockets may be missing or "
		       "repeated", proto_name(protocol));
	}
	if (!err || err == a->fn_err) {
		return;
	}
	if (!a->seen && (err == -ENOENT || err == -EOPNOTSUPP)) {
		return; /* dump_live says the table is skipped */
	}
	if (a->seen) {
		warnx_("netlink: the %s dump failed after %lu sockets: %s; "
		       "the listing is incomplete", proto_name(protocol),
		       a->seen, strerror(-err));
	} else {
		warnx_("netlink: %s dump failed: %s", proto_name(protocol),
		       strerror(-err));
	}
}

/* Whether to send a request for this family (AF_UNSPEC: both in one). */
static bool want_family(const struct acquire *a, uint8_t protocol,
			uint8_t family)
{
	uint32_t want = a->o->families & (FAM_INET | FAM_INET6);

	switch (family) {
	case AF_UNSPEC:
		return protocol == IPPROTO_TCP && !a->no_unspec &&
		       want == (FAM_INET | FAM_INET6) && same_program(a);
	case AF_INET:
		return want & FAM_INET;
	default:
		return want & FAM_INET6;
	}
}

/*
 * TCP for both families in one walk of the hash when the kernel and the
 * filter allow it. Anything else, or a refusal before the first row,
 * means one request per family.
 */
static int dump_table(struct acquire *a, uint8_t protocol)
{
	static const uint8_t fams[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	int err = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fams) && !err; f++) {
		struct diag_req req = {
			.family = fams[f],
			.protocol = protocol,
			.states = a->states[protocol],
			.ext = a->ext,
		};
		bool unspec = fams[f] == AF_UNSPEC;

		if (!want_family(a, protocol, fams[f])) {
			continue;
		}
		err = dump_filtered(a, &req);
		if (unspec && err && !a->seen && err != a->fn_err) {
			a->no_unspec = true;
			err = 0;
			continue;
		}
		report(a, protocol, err);
		if (unspec) {
			break; /* both families are done */
		}
	}
	return err;
}

static int dump_live(struct acquire *a)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	int err = 0;

	for (size_t p = 0; p < ARRAY_SIZE(protos) && !err; p++) {
		if (!(a->protocols & proto_bit(protos[p]))) {
			continue;
		}
		err = dump_table(a, protos[p]);
		if (err == -ENOENT || err == -EOPNOTSUPP) {
			warnx_("%s: the kernel has no diag support for this "
			       "protocol; skipped", proto_name(protos[p]));
			err = 0;
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
		if (a->save_fd >= 0 && !a->save_err) {
			diag_save_to(a->d, a->save_fd);
		}
	}
	return dump_live(a);
}

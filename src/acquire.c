// SPDX-License-Identifier: MIT
#include "acquire.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "family.h"
#include "filter.h"
#include "ifname.h"
#include "proc.h"
#include "state.h"
#include "sysctl.h"
#include "util.h"

/* state close / bound-inactive on a kernel that cannot list them. */
static void note_old_kernel(const struct opts *o)
{
	struct utsname u;
	struct kver k;
	uint32_t mask;

	if (o->load_path || !(o->protocols & PROTO_TCP) ||
	    !filter_states(o->filter, &mask) || uname(&u) ||
	    sysctl_parse_kver(u.release, &k) ||
	    !state_bound_inactive_unsupported(mask, &k)) {
		return;
	}
	warnx_("state: Linux %u.%u lists no bound-inactive TCP sockets "
	       "(needs 6.8 or later)",
	       k.major, k.minor);
}

void acquire_init(struct acquire *a, const struct opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->protocols = o->protocols;
	a->save_fd = -1;
	a->netns = o->netns;
	a->user_match = true;
	a->states[IPPROTO_TCP] = opts_states(o, IPPROTO_TCP);
	a->states[IPPROTO_UDP] = opts_states(o, IPPROTO_UDP);
	a->states[SOCK_PROTO_MPTCP] = opts_states(o, SOCK_PROTO_MPTCP);
	a->states[IPPROTO_RAW] = opts_states(o, IPPROTO_RAW);
	a->states[IPPROTO_SCTP] = opts_states(o, IPPROTO_SCTP);
	a->unix_states = opts_states(o, 0);
	a->unconn_states = opts_unconn_states(o);
	note_old_kernel(o);
}

void acquire_finish(struct acquire *a)
{
	/* Kept across runs: a later namespace's rows would leave a hole. */
	if (a->d && !a->save_err) {
		a->save_err = diag_save_error(a->d);
	}
	if (a->d != a->use_d) {
		diag_destroy(a->d);
	}
	a->d = NULL;
	ifnames_destroy(a->own_ifn);
	a->own_ifn = NULL;
	proc_map_destroy(a->own_procs);
	a->own_procs = NULL;
}

/* `dev NAME` in the namespace read (ifn NULL: the current one, live). */
static int resolve_devs(const struct acquire *a, struct ifnames *ifn)
{
	char why[128], *ns;
	int err = filter_resolve_devs(a->o->filter, ifnames_index_fn, ifn, why,
				      sizeof(why));

	if (!err) {
		return 0;
	}
	if (a->o->load_path) {
		ns = escape_dup(a->o->load_path);
		warnx_("%s among the names saved in %s", why, ns);
		free(ns);
	} else if (a->netns) {
		ns = xmalloc(4 * strlen(a->netns) + 1);
		escape_text(ns, a->netns, strlen(a->netns));
		warnx_("netns %s: %s", ns, why);
		free(ns);
	} else if (a->o->all_netns) {
		warnx_("the current netns: %s", why);
	} else {
		warnx_("%s", why);
	}
	return err;
}

/* Family, protocol and state: what each request asked for. */
static bool selects_kind(const struct acquire *a, const struct sock_rec *rec)
{
	uint32_t fam = rec->family == AF_INET ? FAM_INET : FAM_INET6;

	if (rec->family == AF_UNIX) {
		return rec->state < 32 && (a->o->families & FAM_UNIX) &&
		       (a->protocols & family_proto_bit(rec)) &&
		       (a->unix_states & SS_BIT(rec->state));
	}
	if (rec->family == AF_PACKET || rec->family == AF_NETLINK) {
		return rec->state < 32 &&
		       (a->o->families & (FAM_PACKET | FAM_NETLINK)) &&
		       (a->protocols & family_proto_bit(rec)) &&
		       (a->unconn_states & SS_BIT(rec->state));
	}
	if (rec->family != AF_INET && rec->family != AF_INET6) {
		return false; /* a probed family's reply (--load) */
	}
	return rec->state < 32 && (a->o->families & fam) &&
	       (a->protocols & family_proto_bit(rec)) &&
	       (state_match_mask(a->states[rec->protocol], rec->protocol) &
		SS_BIT(rec->state));
}

bool acquire_selects(const struct acquire *a, const struct sock_rec *rec)
{
	/* pid and comm are matched against the run's owners (the map of the
	 * last acquire_run), as the row was. */
	return selects_kind(a, rec) &&
	       filter_match_owners(a->o->filter, rec,
				   a->procs ? a->procs : a->own_procs);
}

/* Every check a row must pass; the kernel made most of them already. */
static int acquire_row(const struct sock_rec *rec, void *data)
{
	struct acquire *a = data;

	a->seen++;
	if (!a->devs_resolved) {
		int err = resolve_devs(a, a->ifn ? a->ifn : a->own_ifn);

		if (err) {
			return a->fn_err = err;
		}
		a->devs_resolved = true;
	}
	if (!selects_kind(a, rec)) {
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
	    !filter_match_owners(a->o->filter, rec,
				 a->procs ? a->procs : a->own_procs)) {
		return 0;
	}
	a->fn_err = a->fn(rec, a->data);
	return a->fn_err;
}

/* The names saved with the sockets; rows after them are matched by them. */
static int load_note(const struct nlmsghdr *nlh, void *data)
{
	struct acquire *a = data;
	int err = ifnames_load_record(a->ifn ? a->ifn : a->own_ifn, nlh);

	a->devs_resolved = false;
	if (err == -EBADMSG) {
		char *path = escape_dup(a->o->load_path);

		warnx_("--load %s: a malformed interface name record", path);
		free(path);
	}
	/* Another program's note is not ours to read. */
	return err == -ENOMSG ? 0 : err;
}

static int load_file(struct acquire *a)
{
	struct diag_load_err lerr = {0};
	int fd = open_input(a->o->load_path, INPUT_REGULAR);
	char *path;
	int err;

	if (fd < 0) {
		path = escape_dup(a->o->load_path);
		warnx_("--load %s: %s", path, input_strerror(fd));
		free(path);
		return fd;
	}
	a->user_match = true;
	a->devs_resolved = false;
	if (!a->ifn && !a->own_ifn) {
		a->own_ifn = ifnames_create();
	}
	ifnames_use_saved(a->ifn ? a->ifn : a->own_ifn);
	err = diag_load_notes(fd, acquire_row, load_note, a, &lerr);
	if ((err == -EBADMSG && lerr.what[0]) || err == -EIO) {
		path = escape_dup(a->o->load_path);
		warnx_("--load %s: offset %llu: %s", path,
		       (unsigned long long)lerr.offset, lerr.what);
		free(path);
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
	       "filtering in userspace",
	       strerror(-err));
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
	if (protocol == 0) {
		return "unix";
	}
	if (protocol == SOCK_PROTO_MPTCP) {
		return "mptcp";
	}
	if (protocol == IPPROTO_RAW) {
		return "raw";
	}
	if (protocol == IPPROTO_SCTP) {
		return "sctp";
	}
	return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

/* Say what went wrong with a dump; the callback's own errors (EPIPE)
 * speak for themselves. */
static void report_named(const struct acquire *a, const char *name, int err)
{
	if (diag_interrupted(a->d)) {
		warnx_("netlink: the kernel flagged the %s dump as interrupted "
		       "by concurrent changes: sockets may be missing or "
		       "repeated",
		       name);
	}
	if (!err || err == a->fn_err) {
		return;
	}
	if (!a->seen && (err == -ENOENT || err == -EOPNOTSUPP)) {
		return; /* dump_live says the table is skipped */
	}
	if (a->seen) {
		warnx_("netlink: the %s dump failed after %lu sockets: %s; "
		       "the listing is incomplete",
		       name, a->seen, strerror(-err));
	} else {
		warnx_("netlink: %s dump failed: %s", name, strerror(-err));
	}
}

static void report(const struct acquire *a, uint8_t protocol, int err)
{
	report_named(a, proto_name(protocol), err);
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
	static const uint8_t fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
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

/*
 * Every type of a family in one request (the kernel has one table per
 * family); the types not asked for are dropped per row. Only inet_diag
 * runs bytecode: the whole filter is matched here.
 */
static int dump_family(struct acquire *a, const struct sock_family *f,
		       uint32_t states)
{
	struct diag_req req = {
	    .family = f->af,
	    .states = states,
	    .ext = a->ext,
	};
	int err;

	a->user_match = true;
	a->seen = 0;
	err = diag_dump(a->d, &req, acquire_row, a);
	if (!a->seen && (err == -ENOENT || err == -EOPNOTSUPP)) {
		warnx_("%s: the kernel has no %s_diag support; skipped",
		       f->name, f->name);
		return 0;
	}
	report_named(a, f->name, err);
	return err;
}

/*
 * RAW sockets: raw_diag as any inet table, else /proc/net/raw{,6} as ss
 * reads them (whole filter in userspace; --save cannot keep them).
 */
static int dump_raw(struct acquire *a)
{
	int err = dump_table(a, IPPROTO_RAW);

	if (a->seen || (err != -ENOENT && err != -EOPNOTSUPP)) {
		return err;
	}
	a->user_match = true;
	err = family_raw_read_proc(a->o->root, acquire_row, a, &a->seen);
	if (err && err == a->fn_err) {
		return err;
	}
	if (err) {
		char *root =
		    escape_dup(strcmp(a->o->root, "/") ? a->o->root : "");

		warnx_("raw: the kernel has no raw_diag and %s/proc/net/raw "
		       "cannot be read (%s); skipped",
		       root, strerror(-err));
		free(root);
		return 0;
	}
	if (a->save_fd >= 0 && !a->raw_noted) {
		warnx_("--save: RAW sockets read from /proc/net/raw are not "
		       "saved (the kernel has no raw_diag)");
		a->raw_noted = true;
	}
	return 0;
}

/* The first request dump_table() sends for protocol; out has room for 2. */
static size_t plan_table(const struct acquire *a, uint8_t protocol,
			 struct diag_req *out)
{
	static const uint8_t fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
	size_t n = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fams); f++) {
		void *bc;
		bool exact;

		if (!want_family(a, protocol, fams[f])) {
			continue;
		}
		out[n] = (struct diag_req){
		    .family = fams[f],
		    .protocol = protocol,
		    .states = a->states[protocol],
		    .ext = a->ext,
		};
		compile(a, fams[f], &bc, &out[n].bytecode_len, &exact);
		out[n++].bytecode = bc;
		if (fams[f] == AF_UNSPEC) {
			break; /* both families are done */
		}
	}
	return n;
}

size_t acquire_plan(const struct acquire *a, struct diag_req **out)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP,
					 SOCK_PROTO_MPTCP, IPPROTO_SCTP,
					 IPPROTO_RAW};
	const struct {
		uint32_t mask;
		const struct sock_family *f;
		uint32_t states;
	} fams[] = {
	    {PROTO_UNIX_MASK, &family_unix, a->unix_states},
	    {PROTO_PACKET_MASK, &family_packet, a->unconn_states},
	    {PROTO_NETLINK, &family_netlink, a->unconn_states},
	};
	struct diag_req *v;
	size_t n = 0;

	*out = NULL;
	/* Rows saved must come off a's own socket (diag_save_to). */
	if (a->o->load_path || a->save_fd >= 0) {
		return 0;
	}
	v = xcalloc(2 * ARRAY_SIZE(protos) + ARRAY_SIZE(fams), sizeof(*v));
	for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
		const struct sock_rec kind = {.family = AF_INET,
					      .protocol = protos[p]};

		if (a->protocols & family_proto_bit(&kind)) {
			n += plan_table(a, protos[p], v + n);
		}
	}
	for (size_t f = 0; f < ARRAY_SIZE(fams); f++) {
		if (a->protocols & fams[f].mask) {
			v[n++] = (struct diag_req){
			    .family = fams[f].f->af,
			    .states = fams[f].states,
			    .ext = a->ext,
			};
		}
	}
	*out = v;
	return n;
}

void acquire_plan_free(struct diag_req *v, size_t n)
{
	for (size_t i = 0; i < n && v; i++) {
		free((void *)v[i].bytecode);
	}
	free(v);
}

static int count_row(const struct sock_rec *rec, void *data)
{
	(void)rec;
	++*(unsigned long *)data;
	return 0;
}

/* A family sockscope does not list: one line on what the kernel has. */
static int probe_family(struct acquire *a, const struct sock_family *f)
{
	struct diag_req req = {.family = f->af};
	unsigned long n = 0;
	int err = diag_dump(a->d, &req, count_row, &n);

	if (!n && (err == -ENOENT || err == -EOPNOTSUPP)) {
		warnx_("%s: the kernel has no %s_diag support; skipped",
		       f->name, f->name);
		return 0;
	}
	if (err) {
		report_named(a, f->name, err);
		return err;
	}
	warnx_("%s: sockscope does not list %s sockets (the kernel has "
	       "%lu); skipped",
	       f->name, f->name, n);
	return 0;
}

static int probe_selected(struct acquire *a)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		if (fams[i]->probe_only &&
		    (a->protocols & fams[i]->proto_bits)) {
			err = probe_family(a, fams[i]);
		}
	}
	return err;
}

static int dump_live(struct acquire *a)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP,
					 SOCK_PROTO_MPTCP, IPPROTO_SCTP};
	int err = 0;

	for (size_t p = 0; p < ARRAY_SIZE(protos) && !err; p++) {
		const struct sock_rec kind = {.family = AF_INET,
					      .protocol = protos[p]};

		if (!(a->protocols & family_proto_bit(&kind))) {
			continue;
		}
		err = dump_table(a, protos[p]);
		if (err == -ENOENT || err == -EOPNOTSUPP) {
			warnx_("%s: the kernel has no %s_diag support; "
			       "skipped",
			       proto_name(protos[p]), proto_name(protos[p]));
			err = 0;
		}
	}
	if (!err && (a->protocols & PROTO_RAW)) {
		err = dump_raw(a);
	}
	if (!err && (a->protocols & PROTO_UNIX_MASK)) {
		err = dump_family(a, &family_unix, a->unix_states);
	}
	if (!err && (a->protocols & PROTO_PACKET_MASK)) {
		err = dump_family(a, &family_packet, a->unconn_states);
	}
	if (!err && (a->protocols & PROTO_NETLINK)) {
		err = dump_family(a, &family_netlink, a->unconn_states);
	}
	err = err ? err : probe_selected(a);
	return err;
}

/*
 * The owners a filter's pid and comm are matched against, taken before the
 * dump as -p's are: built afresh for each run, and only for such a filter
 * (a walk of /proc costs more than many dumps). Without it `pid != N`
 * would select every socket: a failure stops the run.
 */
static int build_owners(struct acquire *a)
{
	int err;

	proc_map_destroy(a->own_procs);
	a->own_procs = NULL;
	if (a->procs || !filter_needs_owners(a->o->filter)) {
		return 0;
	}
	err = proc_map_build(a->o->root, &a->own_procs);
	if (err) {
		char *root = escape_dup(a->o->root);

		warnx_("filter: pid, comm: cannot read /proc under %s: %s",
		       root, strerror(-err));
		free(root);
		return err;
	}
	if (geteuid() != 0) {
		warnx_("filter: pid, comm: not root: only your own processes "
		       "are seen");
	}
	return 0;
}

int acquire_run(struct acquire *a, diag_row_fn fn, void *data)
{
	int err;

	a->fn = fn;
	a->data = data;
	a->fn_err = 0;
	err = build_owners(a);
	if (err) {
		return err;
	}
	if (a->o->load_path) {
		return load_file(a);
	}
	if (a->save_fd >= 0 && !a->save_err && !a->names_saved) {
		/* Before the sockets, so a loader knows them at the first. A
		 * failed write stops the saving only (the caller reports
		 * save_err); the listing goes on. */
		a->save_err = ifnames_save(a->save_fd);
		a->names_saved = true;
	}
	if (!a->d && a->use_d) {
		a->d = a->use_d;
	} else if (!a->d) {
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
	a->devs_resolved = true; /* here, now, for this run */
	err = resolve_devs(a, NULL);
	if (err) {
		return err;
	}
	return dump_live(a);
}

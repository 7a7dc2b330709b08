// SPDX-License-Identifier: MIT
#include "acquire.h"
#include "acquire_internal.h"

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

/* Where the states of table t of family f are kept. */
static uint32_t *table_states(struct acquire *a, const struct sock_family *f,
			      const struct family_table *t)
{
	if (f->dump == FDUMP_TABLE) {
		return &a->states[(uint8_t)t->code];
	}
	/* One request for all its tables: their defaults are one. */
	return &a->fam_states[fam_slot(f)];
}

enum fill_from { FILL_OPTS, FILL_VALUE, FILL_LISTENING };

/* Every table's states: opts', the value given or its listening ones. */
static void fill_states(struct acquire *a, enum fill_from from, uint32_t value)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	for (size_t i = 0; i < n; i++) {
		for (const struct family_table *t = fams[i]->tables;
		     t && t->name; t++) {
			*table_states(a, fams[i], t) =
			    from == FILL_OPTS ? opts_table_states(a->o, t)
			    : from == FILL_LISTENING ? t->listening
						     : value;
		}
	}
}

void acquire_init(struct acquire *a, const struct opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
	a->protocols = o->protocols;
	a->save_fd = -1;
	a->netns = o->netns;
	a->user_match = true;
	fill_states(a, FILL_OPTS, 0);
	note_old_kernel(o);
}

void acquire_set_states(struct acquire *a, uint32_t states)
{
	fill_states(a, FILL_VALUE, states);
}

void acquire_set_listening(struct acquire *a)
{
	fill_states(a, FILL_LISTENING, 0);
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

/* One table to select rows of (af, code) in the states given. */
static unsigned int add_kind(struct acquire_kind *k, unsigned int n, uint8_t af,
			     int16_t code, uint32_t states)
{
	if (n < ACQUIRE_KINDS_MAX) {
		k[n++] = (struct acquire_kind){af, code, states};
	}
	return n;
}

/*
 * The tables a->protocols and the families select, each with the states
 * it lists, as the registry has them: an inet_diag table (FDUMP_TABLE)
 * once per IP family asked for. Returns their number.
 */
static unsigned int build_kinds(const struct acquire *a, struct acquire_kind *k)
{
	size_t nf;
	const struct sock_family *const *fams = family_all(&nf);
	uint32_t want = a->o->families;
	unsigned int n = 0;

	for (size_t i = 0; i < nf; i++) {
		const struct sock_family *f = fams[i];

		for (const struct family_table *t = f->tables; t && t->name;
		     t++) {
			uint8_t code = (uint8_t)t->code;

			if (!(a->protocols & t->bit)) {
				continue;
			}
			if (f->dump != FDUMP_TABLE) {
				if (want & f->fam_bits) {
					n = add_kind(
					    k, n, f->af, t->code,
					    a->fam_states[fam_slot(f)]);
				}
				continue;
			}
			if (want & FAM_INET) {
				n = add_kind(
				    k, n, AF_INET, t->code,
				    state_match_mask(a->states[code], code));
			}
			if (want & FAM_INET6) {
				n = add_kind(
				    k, n, AF_INET6, t->code,
				    state_match_mask(a->states[code], code));
			}
		}
	}
	return n;
}

/* Family, protocol and state: what each request asked for. A probed
 * family's reply (--load) has no table: never selected. */
static bool selects_kind(const struct acquire_kind *k, unsigned int n,
			 const struct sock_rec *rec)
{
	if (rec->state >= 32) {
		return false;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (k[i].af == rec->family &&
		    (k[i].code < 0 || k[i].code == rec->protocol)) {
			return k[i].states & SS_BIT(rec->state);
		}
	}
	return false;
}

bool acquire_selects(const struct acquire *a, const struct sock_rec *rec)
{
	struct acquire_kind k[ACQUIRE_KINDS_MAX];
	unsigned int n = build_kinds(a, k);

	/* pid and comm are matched against the run's owners (the map of the
	 * last acquire_run), as the row was. */
	return selects_kind(k, n, rec) &&
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
	if (!selects_kind(a->kinds, a->n_kinds, rec)) {
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

/* Tries for a dump the kernel could not deliver before any row arrived. */
#define ENOBUFS_RETRIES 2

/*
 * One request with the filter compiled for the kernel, retried while no
 * row has been handed on: without the part the kernel refused, or after
 * a receive-queue overflow.
 */
static int dump_filtered(struct acquire *a, const struct sock_family *fam,
			 struct diag_req *req)
{
	unsigned int overflows = 0;

	for (;;) {
		void *bc = NULL;
		bool exact = false;
		int err;

		acquire_compile(a, fam, req->family, &bc, &req->bytecode_len,
				&exact);
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

/*
 * An inet_diag table for both IP families in one walk of the hash when
 * the kernel and the filter allow it (TCP). Anything else, or a refusal
 * before the first row, means one request per family.
 */
static int dump_table(struct acquire *a, const struct sock_family *fam,
		      const struct family_table *t)
{
	static const uint8_t fams[] = {AF_UNSPEC, AF_INET, AF_INET6};
	int err = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fams) && !err; f++) {
		struct diag_req req = acquire_table_req(a, t, fams[f]);
		bool unspec = fams[f] == AF_UNSPEC;

		if (!acquire_want_family(a, fam, t, fams[f])) {
			continue;
		}
		err = dump_filtered(a, fam, &req);
		if (unspec && err && !a->seen && err != a->fn_err) {
			a->no_unspec = true;
			err = 0;
			continue;
		}
		report_named(a, t->name, err);
		if (unspec) {
			break; /* both families are done */
		}
	}
	return err;
}

static struct acquire_notes *notes_of(struct acquire *a)
{
	return a->notes ? a->notes : &a->own_notes;
}

/* Whether the notice on the tables of bits is yet to be given: true
 * once per run. */
static bool first_notice(struct acquire *a, uint32_t bits)
{
	struct acquire_notes *n = notes_of(a);
	bool first = !(n->missing & bits);

	n->missing |= bits;
	return first;
}

void acquire_notes_say(struct acquire_notes *n)
{
	size_t nf;
	const struct sock_family *const *fams = family_all(&nf);

	for (size_t i = 0; i < nf; i++) {
		const struct sock_family *f = fams[i];
		uint32_t bits = f->proto_bits;

		if (!f->probe_only || !(n->probed & bits) ||
		    (n->missing & bits)) {
			continue;
		}
		n->missing |= bits;
		warnx_("%s: sockscope does not list %s sockets (the kernel "
		       "has %lu); skipped",
		       f->name, f->name, n->probe_count[__builtin_ctz(bits)]);
	}
}

/* The kernel lacks the diag module of what name names (the tables of
 * bits). */
static void note_missing(struct acquire *a, const char *name, uint32_t bits)
{
	if (first_notice(a, bits)) {
		warnx_("%s: the kernel has no %s_diag support; skipped", name,
		       name);
	}
}

/*
 * Every table of a family in one request (the kernel has one table per
 * family); the tables not asked for are dropped per row. Only inet_diag
 * runs bytecode: the whole filter is matched here.
 */
static int dump_family(struct acquire *a, const struct sock_family *f)
{
	struct diag_req req = acquire_family_req(a, f);
	int err;

	a->user_match = true;
	a->seen = 0;
	err = diag_dump(a->d, &req, acquire_row, a);
	if (!a->seen && (err == -ENOENT || err == -EOPNOTSUPP)) {
		note_missing(a, f->name, f->proto_bits);
		return 0;
	}
	report_named(a, f->name, err);
	return err;
}

/*
 * A family's fallback where the kernel lacks its diag module (RAW:
 * /proc/net/raw{,6}, as ss reads them): the whole filter in userspace,
 * --save cannot keep the rows.
 */
static int dump_fallback(struct acquire *a, const struct sock_family *f)
{
	char upper[FAMILY_UPPER_MAX];
	int err;

	a->user_match = true;
	err = f->fallback(a->o->root, acquire_row, a, &a->seen);
	if (err && err == a->fn_err) {
		return err;
	}
	if (err) {
		char *root =
		    escape_dup(strcmp(a->o->root, "/") ? a->o->root : "");

		warnx_("%s: the kernel has no %s_diag and %s%s cannot be read "
		       "(%s); skipped",
		       f->name, f->name, root, f->fallback_path,
		       strerror(-err));
		free(root);
		return 0;
	}
	if (a->save_fd >= 0 && !a->fallback_noted) {
		warnx_("--save: %s sockets read from %s are not saved (the "
		       "kernel has no %s_diag)",
		       family_upper(upper, f->name), f->fallback_path, f->name);
		a->fallback_noted = true;
	}
	return 0;
}

/* Every selected table of an inet_diag family, its fallback where the
 * kernel has no module for it. */
static int dump_tables(struct acquire *a, const struct sock_family *f)
{
	int err = 0;

	for (const struct family_table *t = f->tables; t && t->name && !err;
	     t++) {
		if (!(a->protocols & t->bit)) {
			continue;
		}
		err = dump_table(a, f, t);
		if (err != -ENOENT && err != -EOPNOTSUPP) {
			continue;
		}
		if (f->fallback && !a->seen) {
			err = dump_fallback(a, f);
		} else if (!f->fallback) {
			note_missing(a, t->name, t->bit);
			err = 0;
		}
	}
	return err;
}

static int count_row(const struct sock_rec *rec, void *data)
{
	(void)rec;
	++*(unsigned long *)data;
	return 0;
}

/*
 * A family sockscope does not list: one line on what the kernel has. A
 * probed inet_diag table (DCCP) is asked for by its protocol, in every
 * state, in each IP family acquire_selected (inet's request and parser). The
 * count is the run's (acquire_notes): told now, or at its end when the
 * run reads several namespaces.
 */
static int probe_family(struct acquire *a, const struct sock_family *f)
{
	static const struct {
		uint8_t af;
		uint32_t bit;
	} ip[] = {{AF_INET, FAM_INET}, {AF_INET6, FAM_INET6}};
	struct diag_req req = {.family = f->af,
			       .protocol = f->probe_protocol,
			       .states = SS_ALL_BITS};
	struct acquire_notes *notes = notes_of(a);
	unsigned long n = 0;
	int err = 0;

	if (f->probe_protocol && !(a->o->families & (FAM_INET | FAM_INET6))) {
		return 0; /* none of its IP families asked for */
	}
	if (!f->probe_protocol) {
		err = diag_dump(a->d, &req, count_row, &n);
	}
	for (size_t i = 0; f->probe_protocol && i < ARRAY_SIZE(ip) && !err;
	     i++) {
		if (a->o->families & ip[i].bit) {
			req.family = ip[i].af;
			err = diag_dump(a->d, &req, count_row, &n);
		}
	}
	if (!n && (err == -ENOENT || err == -EOPNOTSUPP)) {
		note_missing(a, f->name, f->proto_bits);
		return 0;
	}
	if (err) {
		report_named(a, f->name, err);
		return err;
	}
	notes->probe_count[__builtin_ctz(f->proto_bits)] += n;
	notes->probed |= f->proto_bits;
	if (!notes->sum) {
		acquire_notes_say(notes);
	}
	return 0;
}

/*
 * Each selected family as its entry says (enum family_dump), in the
 * registry's order within three passes: the inet_diag tables, the
 * families read in one request, then the probed ones' notices.
 */
static int dump_live(struct acquire *a)
{
	static const enum family_dump passes[] = {FDUMP_TABLE, FDUMP_FAMILY,
						  FDUMP_PROBE};
	static int (*const dump[])(struct acquire *,
				   const struct sock_family *) = {
	    [FDUMP_TABLE] = dump_tables,
	    [FDUMP_FAMILY] = dump_family,
	    [FDUMP_PROBE] = probe_family,
	};
	size_t nf;
	const struct sock_family *const *fams = family_all(&nf);
	int err = 0;

	for (size_t p = 0; p < ARRAY_SIZE(passes) && !err; p++) {
		for (size_t i = 0; i < nf && !err; i++) {
			if (fams[i]->dump == passes[p] &&
			    acquire_selected(a, fams[i])) {
				err = dump[passes[p]](a, fams[i]);
			}
		}
	}
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
	err = proc_map_build_said(a->o->root, &a->own_procs,
				  "filter: pid, comm", NULL);
	if (err) {
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
	a->n_kinds = build_kinds(a, a->kinds);
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

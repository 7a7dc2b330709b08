/*
 * acquire.h - the sockets the options select, from the kernel or from a
 * --load file, handed row by row to a callback: one path for every command.
 *
 * acquire_init() reads protocols, families, states and the filter from
 * opts; a caller may then narrow or widen a->protocols and a->states[]
 * or set every table's states (acquire_set_states(): summary counts every
 * state by default) before acquire_run(). Which tables exist, how each is
 * read and which states it lists by default come from the family registry
 * (family.h): nothing here names a family. Live, the filter is compiled for the
 * kernel where it can be and finished in userspace where it must; a kernel that
 * refuses the program (EPERM: fwmark without CAP_NET_ADMIN; EINVAL: an op it
 * lacks) gets it again without the offending part, with one notice, and the
 * choice holds for later runs. A protocol whose diag module is missing is
 * skipped with a notice. acquire_run() may be called again (top refreshes
 * with it): the netlink socket and buffers are reused.
 *
 * A filter that names pid or comm is matched against a /proc map
 * (proc.h): the caller's in a->procs (-p's, so both see the same owners),
 * or one acquire_run() builds for each run; none is built otherwise.
 *
 * Rows reaching fn passed every check; they live in the receive buffer
 * (see diag.h) and fn's negative return stops the run and is returned.
 *
 * Interface names: `dev NAME` in the filter is resolved in the namespace
 * current at acquire_run() (live) or from the names a --load file saved
 * (none: a name is an error, an index works); a name that namespace does
 * not have fails the run with -ENODEV after one line naming a->netns.
 * --save writes the current namespace's names into the file (ifname.h).
 * A caller that prints names sets a->ifn to its table: --load turns it
 * into the file's names (ifnames_use_saved), so nothing local is shown.
 */
#ifndef SOCKSCOPE_ACQUIRE_H
#define SOCKSCOPE_ACQUIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "ifname.h"
#include "opts.h"

/* Address families below this have states of their own (AF_XDP is 44). */
#define ACQUIRE_AF_MAX 48
/* Tables of one run, IPv4 and IPv6 apart. */
#define ACQUIRE_KINDS_MAX 32

/*
 * The notices a run gives once, however many acquisitions it makes
 * (advise's two samples, every namespace of --all-netns, top's
 * refreshes): the kernel lacking a table's diag module is a fact of the
 * host. Caller's storage, zeroed; the run's acquisitions share it.
 */
struct acquire_notes {
	uint32_t missing; /* PROTO_ bits whose notice was given */
	/* The caller reads several namespaces (--all-netns) and calls
	 * acquire_notes_say() once they are read: a probed table's count
	 * (family_probe.c) is then every namespace's, not the first's. */
	bool sum;
	uint32_t probed; /* PROTO_ bits of the probed tables counted */
	unsigned long probe_count[32]; /* their sockets, by first bit */
};

/* The probed tables' notices not yet given, with the counts so far: at
 * the end of a run that set sum (the rest of it adds nothing said). */
void acquire_notes_say(struct acquire_notes *n);

struct acquire {
	const struct opts *o;
	uint32_t protocols; /* enum proto_bit */
	/* The states to show: FDUMP_TABLE tables by their code
	 * (states[IPPROTO_TCP]), FDUMP_FAMILY ones by address family
	 * (fam_states[AF_UNIX]: one request for all its tables). */
	uint32_t states[256];
	uint32_t fam_states[ACQUIRE_AF_MAX];
	uint32_t ext; /* INET_DIAG extensions to request */
	/* Rows only for the plain table: a family may leave out what it
	 * shows nowhere else (diag_req.lean). acquire_init(): false. */
	bool lean;
	int save_fd;	     /* --save target, or -1 */
	struct ifnames *ifn; /* the caller's names (not owned), or NULL */
	const char *netns;   /* the namespace read, for messages; NULL */
	const struct proc_map *procs; /* owners for pid/comm, or NULL */
	int save_err; /* first failed write to it (-errno), or 0 */
	/* The caller's sock_diag socket to dump on (not owned; it also
	 * sends its own requests between runs), or NULL: one of its own. */
	struct diag *use_d;
	/* Shared with the run's other acquisitions, or NULL: this one's
	 * own (acquire_run() called again says nothing twice either). */
	struct acquire_notes *notes;
	/* private */
	struct acquire_notes own_notes;
	struct proc_map *own_procs; /* for the filter when procs is NULL */
	struct ifnames *own_ifn;    /* --load without a->ifn */
	bool devs_resolved;	    /* --load: dev names, from the file's */
	bool names_saved;
	struct diag *d;
	diag_row_fn fn;
	void *data;
	int fn_err;
	unsigned long seen; /* rows the current dump delivered */
	bool user_match;
	bool kernel_refused;
	bool no_unspec; /* the kernel refused a one-walk TCP dump */
	unsigned int bc_without;
	bool fallback_noted; /* --save told fallback rows are not saved */
	/* The tables of the run (selects_kind), from a->protocols and the
	 * states at acquire_run(). */
	struct acquire_kind {
		uint8_t af;	 /* AF_INET, AF_INET6, AF_UNIX, ... */
		int16_t code;	 /* rec->protocol, -1: any */
		uint32_t states; /* SS_BIT()s */
	} kinds[ACQUIRE_KINDS_MAX];
	unsigned int n_kinds;
};

/* Caller's storage. Opens nothing yet. */
void acquire_init(struct acquire *a, const struct opts *o);
/* Every table lists states (SS_BIT()s). */
void acquire_set_states(struct acquire *a, uint32_t states);
/* Every table lists its listening states (family.h: -l's, whatever -a). */
void acquire_set_listening(struct acquire *a);
/* Returns 0, or -errno after one line on stderr. */
int acquire_run(struct acquire *a, diag_row_fn fn, void *data);
void acquire_finish(struct acquire *a);

/*
 * The requests the next acquire_run() sends first, as a stands now (the
 * filter compiled for the kernel, before any refusal or retry), in its
 * order: what a prefetch (diag_prefetch) may ask ahead of it. *out is
 * owned by the caller: acquire_plan_free(). Returns their number; 0 (and
 * NULL) when the run reads a --load file or must --save its own replies.
 */
size_t acquire_plan(const struct acquire *a, struct diag_req **out);
void acquire_plan_free(struct diag_req *v, size_t n);

/*
 * Whether rec passes every check acquire_run() makes (family, protocol,
 * state, the whole filter in userspace), as a->protocols and a->states[]
 * stand now, pid and comm against the owners of the last run: kill
 * re-checks a fresh record with it before closing.
 */
bool acquire_selects(const struct acquire *a, const struct sock_rec *rec);

#endif

/*
 * acquire.h - the sockets the options select, from the kernel or from a
 * --load file, handed row by row to a callback: one path for every command.
 *
 * acquire_init() reads protocols, families, states and the filter from
 * opts; a caller may then narrow or widen a->protocols and a->states[]
 * (summary counts every state by default, kill is TCP only) before
 * acquire_run(). Live, the filter is compiled for the kernel where it can
 * be and finished in userspace where it must; a kernel that refuses the
 * program (EPERM: fwmark without CAP_NET_ADMIN; EINVAL: an op it lacks)
 * gets it again without the offending part, with one notice, and the
 * choice holds for later runs. A protocol whose diag module is missing is
 * skipped with a notice. acquire_run() may be called again (top refreshes
 * with it): the netlink socket and buffers are reused.
 *
 * Rows reaching fn passed every check; they live in the receive buffer
 * (see diag.h) and fn's negative return stops the run and is returned.
 */
#ifndef SOCKSCOPE_ACQUIRE_H
#define SOCKSCOPE_ACQUIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "opts.h"

struct acquire {
	const struct opts *o;
	uint32_t protocols;   /* enum proto_bit */
	uint32_t states[256]; /* per IPPROTO_*: the states to show */
	uint32_t ext;         /* INET_DIAG extensions to request */
	int save_fd;          /* --save target, or -1 */
	int save_err;         /* first failed write to it (-errno), or 0 */
	/* private */
	struct diag *d;
	diag_row_fn fn;
	void *data;
	int fn_err;
	unsigned long seen; /* rows the current dump delivered */
	bool user_match;
	bool kernel_refused;
	bool no_unspec; /* the kernel refused a one-walk TCP dump */
	unsigned int bc_without;
};

/* Caller's storage. Opens nothing yet. */
void acquire_init(struct acquire *a, const struct opts *o);
/* Returns 0, or -errno after one line on stderr. */
int acquire_run(struct acquire *a, diag_row_fn fn, void *data);
void acquire_finish(struct acquire *a);

#endif

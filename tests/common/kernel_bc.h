/*
 * kernel_bc.h - a test-only re-implementation of the kernel's
 * inet_diag_bc_audit() and inet_diag_bc_run() (net/ipv4/inet_diag.c), so
 * the unit tests and the filter fuzz target can check compiled programs
 * without a kernel: the audit must accept every program, and running it
 * must agree with filter_match().
 */
#ifndef SOCKSCOPE_KERNEL_BC_H
#define SOCKSCOPE_KERNEL_BC_H

#include <stdbool.h>
#include <stdint.h>

#include "filter_ast.h"
#include "sock.h"

#define SOCK_BINDPORT_LOCK 8 /* include/net/sock.h */

/* What inet_diag_bc_sk() hands to inet_diag_bc_run(). */
struct kbc_entry {
	uint8_t family;
	const uint8_t *saddr, *daddr;
	uint16_t sport, dport, userlocks;
	uint32_t ifindex, mark;
	uint64_t cgroup_id;
};

/* 0 when the kernel accepts the program, -EINVAL when it refuses it. */
int kbc_audit(const uint8_t *bytecode, int bytecode_len);
/* True when the (audited) program selects the socket. */
bool kbc_run(const uint8_t *bc, int len, const struct kbc_entry *e);
/* The kernel's view of r; the bind lock as userspace models it (filter.h).
 * The entry points into r: valid as long as r is. */
struct kbc_entry kbc_entry_of(const struct filter *f, const struct sock_rec *r);

#endif

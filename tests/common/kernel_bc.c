// SPDX-License-Identifier: MIT
#include "kernel_bc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <string.h>
#include <sys/socket.h>

/* ---- the kernel's interpreter and audit, as net/ipv4/inet_diag.c ---- */

static bool bitstring_match(const uint8_t *a1, const uint8_t *a2, int bits)
{
	int words = bits >> 5;
	uint32_t w1, w2, mask;

	bits &= 0x1f;
	if (words && memcmp(a1, a2, (size_t)words << 2)) {
		return false;
	}
	if (bits) {
		memcpy(&w1, a1 + 4 * words, 4);
		memcpy(&w2, a2 + 4 * words, 4);
		mask = htonl(0xffffffffu << (32 - bits));
		return !((w1 ^ w2) & mask);
	}
	return true;
}

static bool hostcond_run(const uint8_t *p, bool dst, const struct kbc_entry *e)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	struct inet_diag_hostcond hc;
	const uint8_t *addr = dst ? e->daddr : e->saddr;
	const uint8_t *caddr = p + 4 + sizeof(hc);

	memcpy(&hc, p + 4, sizeof(hc));
	if (hc.port != -1 && hc.port != (dst ? e->dport : e->sport)) {
		return false;
	}
	if (hc.family != AF_UNSPEC && hc.family != e->family) {
		return e->family == AF_INET6 && hc.family == AF_INET &&
		       !memcmp(addr, mapped, 12) &&
		       bitstring_match(addr + 12, caddr, hc.prefix_len);
	}
	return hc.prefix_len == 0 ||
	       bitstring_match(addr, caddr, hc.prefix_len);
}

static bool op_run(const uint8_t *p, int len, const struct kbc_entry *e)
{
	struct inet_diag_bc_op op, arg;
	uint8_t after[8] = {0}; /* the argument, where there is one */
	uint32_t u32[2];
	uint64_t u64;

	memcpy(&op, p, sizeof(op));
	memcpy(after, p + 4, len - 4 < 8 ? (size_t)(len - 4) : 8);
	memcpy(&arg, after, sizeof(arg));
	memcpy(u32, after, sizeof(u32));
	memcpy(&u64, after, sizeof(u64));
	switch (op.code) {
	case INET_DIAG_BC_JMP:
		return false;
	case INET_DIAG_BC_S_EQ:
		return e->sport == arg.no;
	case INET_DIAG_BC_S_GE:
		return e->sport >= arg.no;
	case INET_DIAG_BC_S_LE:
		return e->sport <= arg.no;
	case INET_DIAG_BC_D_EQ:
		return e->dport == arg.no;
	case INET_DIAG_BC_D_GE:
		return e->dport >= arg.no;
	case INET_DIAG_BC_D_LE:
		return e->dport <= arg.no;
	case INET_DIAG_BC_AUTO:
		return !(e->userlocks & SOCK_BINDPORT_LOCK);
	case INET_DIAG_BC_S_COND:
	case INET_DIAG_BC_D_COND:
		return hostcond_run(p, op.code == INET_DIAG_BC_D_COND, e);
	case INET_DIAG_BC_DEV_COND:
		return u32[0] == e->ifindex;
	case INET_DIAG_BC_MARK_COND:
		return (e->mark & u32[1]) == u32[0];
	case INET_DIAG_BC_CGROUP_COND:
		return u64 == e->cgroup_id;
	default:
		return true; /* NOP */
	}
}

bool kbc_run(const uint8_t *bc, int len, const struct kbc_entry *e)
{
	while (len > 0) {
		struct inet_diag_bc_op op;

		memcpy(&op, bc, sizeof(op));
		if (op_run(bc, len, e)) {
			len -= op.yes;
			bc += op.yes;
		} else {
			len -= op.no;
			bc += op.no;
		}
	}
	return len == 0;
}

static bool valid_cc(const uint8_t *bc, int len, int cc)
{
	while (len >= 0) {
		struct inet_diag_bc_op op;

		if (cc > len) {
			return false;
		}
		if (cc == len) {
			return true;
		}
		memcpy(&op, bc, sizeof(op));
		if (op.yes < 4 || op.yes & 3) {
			return false;
		}
		len -= op.yes;
		bc += op.yes;
	}
	return false;
}

/* The bytes an op needs (its argument included), or -1: invalid. */
static int op_min_len(const uint8_t *bc, int len)
{
	struct inet_diag_hostcond hc;
	int min = 4, alen;

	switch (bc[0]) {
	case INET_DIAG_BC_S_COND:
	case INET_DIAG_BC_D_COND:
		if (len < min + (int)sizeof(hc)) {
			return -1;
		}
		memcpy(&hc, bc + 4, sizeof(hc));
		alen = hc.family == AF_UNSPEC  ? 0
		       : hc.family == AF_INET  ? 4
		       : hc.family == AF_INET6 ? 16
					       : -1;
		if (alen < 0 || hc.prefix_len > 8 * alen) {
			return -1;
		}
		min += (int)sizeof(hc) + alen;
		break;
	case INET_DIAG_BC_DEV_COND:
		min += 4;
		break;
	case INET_DIAG_BC_S_EQ:
	case INET_DIAG_BC_S_GE:
	case INET_DIAG_BC_S_LE:
	case INET_DIAG_BC_D_EQ:
	case INET_DIAG_BC_D_GE:
	case INET_DIAG_BC_D_LE:
		min += 4;
		break;
	case INET_DIAG_BC_MARK_COND:
	case INET_DIAG_BC_CGROUP_COND:
		min += 8;
		break;
	case INET_DIAG_BC_AUTO:
	case INET_DIAG_BC_JMP:
	case INET_DIAG_BC_NOP:
		break;
	default:
		return -1;
	}
	return len < min ? -1 : min;
}

int kbc_audit(const uint8_t *bytecode, int bytecode_len)
{
	const uint8_t *bc = bytecode;
	int len = bytecode_len;

	if (len < 4) {
		return -EINVAL;
	}
	while (len > 0) {
		struct inet_diag_bc_op op;
		int min = op_min_len(bc, len);

		if (min < 0) {
			return -EINVAL;
		}
		memcpy(&op, bc, sizeof(op));
		if (op.code != INET_DIAG_BC_NOP) {
			if (op.no < min || op.no > len + 4 || op.no & 3) {
				return -EINVAL;
			}
			if (op.no < len &&
			    !valid_cc(bytecode, bytecode_len, len - op.no)) {
				return -EINVAL;
			}
		}
		if (op.yes < min || op.yes > len + 4 || op.yes & 3) {
			return -EINVAL;
		}
		bc += op.yes;
		len -= op.yes;
	}
	return len == 0 ? 0 : -EINVAL;
}

struct kbc_entry kbc_entry_of(const struct filter *f, const struct sock_rec *r)
{
	struct kbc_entry e = {
	    .family = r->family,
	    .saddr = r->saddr,
	    .daddr = r->daddr,
	    .sport = r->sport,
	    .dport = r->dport,
	    .ifindex = r->ifindex,
	    .mark = r->mark,
	    .cgroup_id = r->cgroup_id,
	};

	/* Userspace's model of the bind lock (see filter.h). */
	if (r->sport < f->auto_lo || r->sport > f->auto_hi) {
		e.userlocks = SOCK_BINDPORT_LOCK;
	}
	return e;
}

// SPDX-License-Identifier: MIT
/*
 * The AST compiled to INET_DIAG_REQ_BYTECODE.
 *
 * The kernel runs a program of ops {code, yes, no} (+ an argument): a true
 * op advances by `yes`, a false one by `no`; the socket is accepted when
 * the run lands exactly on the end, rejected when it jumps 4 bytes past
 * it (iproute2's convention). inet_diag_bc_audit() requires every `yes` to
 * be at least the op's size and walks the program along `yes`, and every
 * `no` must land on an op boundary of that walk or on end / end + 4. So
 * here every `yes` is the op's own size (fall through) and only `no` jumps,
 * always forward: gen(node, F) emits code that falls through when node is
 * true and jumps to label F when it is false.
 */
#include "filter_ast.h"

#include <linux/inet_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* nla_len is 16 bits, and so is `no`: longer programs are not sent. */
#define BC_MAX_LEN 0xfff0u

#define LABEL_REJECT 0u /* end + 4 */

struct fixup {
	size_t at;	/* offset of the op whose `no` jumps to... */
	uint32_t label; /* ...this label */
};

struct gen {
	uint8_t *buf;
	size_t len, cap;
	size_t *labels; /* label -> offset, once placed */
	uint32_t n_labels;
	struct fixup *fix;
	size_t n_fix;
	uint8_t family;
	uint16_t auto_lo, auto_hi;
	unsigned int without;
	bool exact;
};

static void *grow(struct gen *g, size_t n)
{
	void *p;

	if (g->len + n > g->cap) {
		g->cap = (g->len + n) * 2;
		g->buf = xrealloc(g->buf, g->cap);
	}
	p = g->buf + g->len;
	memset(p, 0, n);
	g->len += n;
	return p;
}

static uint32_t new_label(struct gen *g)
{
	return g->n_labels++;
}

static void place(struct gen *g, uint32_t label)
{
	g->labels[label] = g->len;
}

/* An op of size bytes (argument included) that jumps to label if false. */
static void *emit(struct gen *g, uint8_t code, size_t size, uint32_t label)
{
	struct inet_diag_bc_op *op;

	g->fix[g->n_fix++] = (struct fixup){.at = g->len, .label = label};
	op = grow(g, size);
	op->code = code;
	op->yes = (uint8_t)size;
	return op + 1;
}

static void emit_host(struct gen *g, const struct fnode *n, uint32_t f)
{
	size_t alen = n->family == AF_INET6 ? 16 : n->family == AF_INET ? 4 : 0;
	struct inet_diag_hostcond *hc;

	hc = emit(g, n->dst ? INET_DIAG_BC_D_COND : INET_DIAG_BC_S_COND,
		  sizeof(struct inet_diag_bc_op) + sizeof(*hc) + alen, f);
	hc->family = n->family;
	hc->prefix_len = n->prefix;
	hc->port = n->port;
	memcpy(hc + 1, n->addr, alen);
}

static void emit_port(struct gen *g, const struct fnode *n, uint32_t f)
{
	static const uint8_t codes[2][3] = {
	    {INET_DIAG_BC_S_EQ, INET_DIAG_BC_S_GE, INET_DIAG_BC_S_LE},
	    {INET_DIAG_BC_D_EQ, INET_DIAG_BC_D_GE, INET_DIAG_BC_D_LE},
	};
	struct inet_diag_bc_op *arg;

	/* The port travels in the `no` of a second op. */
	arg = emit(g, codes[n->dst][n->op], 2 * sizeof(*arg), f);
	arg->no = (uint16_t)n->port;
}

static void emit_leaf(struct gen *g, const struct fnode *n, uint32_t f)
{
	const size_t op = sizeof(struct inet_diag_bc_op);
	struct inet_diag_markcond *mc;
	uint32_t *u32;

	switch (n->kind) {
	case FN_HOST:
		emit_host(g, n, f);
		break;
	case FN_PORT:
		emit_port(g, n, f);
		break;
	case FN_DEV:
		u32 = emit(g, INET_DIAG_BC_DEV_COND, op + sizeof(*u32), f);
		*u32 = n->a;
		break;
	case FN_MARK:
		mc = emit(g, INET_DIAG_BC_MARK_COND, op + sizeof(*mc), f);
		mc->mark = n->a;
		mc->mask = n->b;
		break;
	case FN_CGROUP:
		memcpy(emit(g, INET_DIAG_BC_CGROUP_COND, op + 8, f), &n->id, 8);
		break;
	default:
		/* ss's autobound: no bind lock, and a port from the ephemeral
		 * range (accepted sockets have no lock either). */
		emit(g, INET_DIAG_BC_AUTO, op, f);
		emit_port(g, &(struct fnode){.op = FP_GE, .port = g->auto_lo},
			  f);
		emit_port(g, &(struct fnode){.op = FP_LE, .port = g->auto_hi},
			  f);
	}
}

/* Ops the caller asked to leave out, and leaves the kernel has no op for
 * (uid, pid, comm); they become true or false. */
static bool left_out(const struct gen *g, const struct fnode *n)
{
	return n->kind == FN_UID || n->kind == FN_PID || n->kind == FN_COMM ||
	       n->kind == FN_PATH ||
	       (n->kind == FN_MARK && (g->without & FILTER_BC_NO_MARK)) ||
	       (n->kind == FN_CGROUP && (g->without & FILTER_BC_NO_CGROUP));
}

/*
 * A leaf whose answer the dump already knows: -1 never true (an IPv6
 * address in an IPv4 dump, a VSOCK address in any, an inet port above
 * 65535: the ops' ports are 16 bits), 1 always (`<=` such a port), 0 for
 * the kernel to test.
 */
static int known(const struct gen *g, const struct fnode *n)
{
	if (n->kind == FN_HOST &&
	    ((n->family == AF_INET6 && g->family == AF_INET) ||
	     n->family == AF_VSOCK || n->port > UINT16_MAX)) {
		return -1;
	}
	if (n->kind == FN_PORT && n->port > UINT16_MAX) {
		return n->op == FP_LE ? 1 : -1;
	}
	return 0;
}

/*
 * Fall through if node i is true, jump to label f if false. positive:
 * node i is under an even number of NOTs, so a left-out leaf becomes true
 * there and false under odd ones: the program selects a superset.
 */
static void gen(struct gen *g, const struct filter *flt, uint32_t i, uint32_t f,
		bool positive)
{
	const struct fnode *n = &flt->nodes[i];
	uint32_t l, end;

	switch (n->kind) {
	case FN_AND:
		gen(g, flt, n->a, f, positive);
		gen(g, flt, n->b, f, positive);
		return;
	case FN_OR:
		l = new_label(g);
		end = new_label(g);
		gen(g, flt, n->a, l, positive);
		emit(g, INET_DIAG_BC_JMP, sizeof(struct inet_diag_bc_op), end);
		place(g, l);
		gen(g, flt, n->b, f, positive);
		place(g, end);
		return;
	case FN_NOT:
		l = new_label(g);
		gen(g, flt, n->a, l, !positive);
		emit(g, INET_DIAG_BC_JMP, sizeof(struct inet_diag_bc_op), f);
		place(g, l);
		return;
	}
	if (left_out(g, n)) {
		g->exact = false;
		if (!positive) {
			emit(g, INET_DIAG_BC_JMP,
			     sizeof(struct inet_diag_bc_op), f);
		}
	} else if (known(g, n) < 0) {
		emit(g, INET_DIAG_BC_JMP, sizeof(struct inet_diag_bc_op), f);
	} else if (!known(g, n)) {
		emit_leaf(g, n, f);
	}
}

/* Resolve every `no`; false when an offset does not fit. */
static bool link_program(struct gen *g)
{
	g->labels[LABEL_REJECT] = g->len + 4;
	if (g->len > BC_MAX_LEN) {
		return false;
	}
	for (size_t k = 0; k < g->n_fix; k++) {
		struct inet_diag_bc_op *op = (void *)(g->buf + g->fix[k].at);

		op->no = (uint16_t)(g->labels[g->fix[k].label] - g->fix[k].at);
	}
	return true;
}

int filter_bytecode(const struct filter *f, uint8_t family,
		    unsigned int without, void **bc, size_t *len, bool *exact)
{
	struct gen g = {
	    .family = family,
	    .auto_lo = f->auto_lo,
	    .auto_hi = f->auto_hi,
	    .without = without,
	    .exact = true,
	};

	*bc = NULL;
	*len = 0;
	*exact = true;
	if (f->root < 0) {
		return 0;
	}
	/* Each node places at most two labels and emits at most three ops. */
	g.labels = xcalloc(2 * f->n_nodes + 1, sizeof(*g.labels));
	g.fix = xcalloc(3 * f->n_nodes, sizeof(*g.fix));
	g.n_labels = 1; /* LABEL_REJECT */
	gen(&g, f, (uint32_t)f->root, LABEL_REJECT, true);
	if (g.len && link_program(&g)) {
		*bc = g.buf;
		*len = g.len;
		*exact = g.exact;
	} else {
		free(g.buf);
		*exact = g.len == 0 && g.exact;
	}
	free(g.labels);
	free(g.fix);
	return 0;
}

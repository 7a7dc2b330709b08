// SPDX-License-Identifier: MIT
/*
 * The bytecode compiler: programs checked op by op against hand-derived
 * ones, every program run through a re-implementation of the kernel's
 * inet_diag_bc_audit(), and a randomized test: random expressions over
 * random records, where a re-implementation of inet_diag_bc_run() on the
 * compiled program must agree with the userspace matcher.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "filter_ast.h"
#include "sock.h"

#define SOCK_BINDPORT_LOCK 8 /* include/net/sock.h */

/* What inet_diag_bc_sk() hands to inet_diag_bc_run(). */
struct entry {
	uint8_t family;
	const uint8_t *saddr, *daddr;
	uint16_t sport, dport, userlocks;
	uint32_t ifindex, mark;
	uint64_t cgroup_id;
};

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

static bool hostcond_run(const uint8_t *p, bool dst, const struct entry *e)
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

static bool op_run(const uint8_t *p, int len, const struct entry *e)
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

static bool bc_run(const uint8_t *bc, int len, const struct entry *e)
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

static int bc_audit(const uint8_t *bytecode, int bytecode_len)
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

/* ---- helpers ---- */

static struct filter *parse(const char *text)
{
	const char *argv[] = {text};
	struct filter_error err = {0};
	struct filter *f = NULL;

	if (filter_parse(1, (char *const *)argv, &f, &err)) {
		fail_msg("'%s': %s (word %d)", text, err.msg, err.word);
	}
	return f;
}

struct prog {
	uint8_t b[256];
	size_t len;
};

static void put_op(struct prog *p, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};

	memcpy(p->b + p->len, &op, sizeof(op));
	p->len += sizeof(op);
}

static void put_bytes(struct prog *p, const void *v, size_t n)
{
	memcpy(p->b + p->len, v, n);
	p->len += n;
}

static void put_host(struct prog *p, uint8_t code, uint16_t no, uint8_t fam,
		     uint8_t plen, int port, const char *addr)
{
	struct inet_diag_hostcond hc;
	uint8_t a[16] = {0};
	size_t alen = fam == AF_INET6 ? 16 : fam == AF_INET ? 4 : 0;

	memset(&hc, 0, sizeof(hc)); /* the padding too: programs are bytes */
	hc.family = fam;
	hc.prefix_len = plen;
	hc.port = port;

	put_op(p, code, (uint8_t)(4 + sizeof(hc) + alen), no);
	put_bytes(p, &hc, sizeof(hc));
	if (alen) {
		assert_int_equal(inet_pton(fam, addr, a), 1);
		put_bytes(p, a, alen);
	}
}

/* The program for text must be exactly want's bytes, and audit clean. */
static void expect_program(const char *text, uint8_t family,
			   unsigned int without, const struct prog *want,
			   bool want_exact)
{
	struct filter *f = parse(text);
	void *bc;
	size_t len;
	bool exact;

	assert_int_equal(filter_bytecode(f, family, without, &bc, &len, &exact),
			 0);
	if (len != want->len || memcmp(bc, want->b, len)) {
		fail_msg("'%s': %zu bytes, want %zu (or different bytes)", text,
			 len, want->len);
	}
	assert_int_equal(exact, want_exact);
	if (len) {
		assert_int_equal(bc_audit(bc, (int)len), 0);
	}
	free(bc);
	filter_destroy(f);
}

/* ---- hand-derived programs ---- */

static void test_single_ops(void **unused)
{
	struct prog p;
	uint32_t ifindex = 1, mark[2] = {0x10, 0xff};
	uint16_t port = 22, range[2];

	(void)unused;
	filter_arg_port_range(&range[0], &range[1]);
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12); /* reject = end + 4 */
	put_op(&p, 0, 0, port);
	expect_program("dport = 22", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_S_GE, 8, 12);
	put_op(&p, 0, 0, 1024);
	expect_program("sport >= 1024", AF_INET6, 0, &p, true);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_S_LE, 8, 12);
	put_op(&p, 0, 0, 80);
	expect_program("sport le 80", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_host(&p, INET_DIAG_BC_S_COND, 20, AF_INET, 8, -1, "127.0.0.0");
	expect_program("src 127/8", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_host(&p, INET_DIAG_BC_D_COND, 32, AF_INET6, 128, 22, "::1");
	expect_program("dst [::1]:22", AF_INET6, 0, &p, true);

	p = (struct prog){0};
	put_host(&p, INET_DIAG_BC_S_COND, 16, AF_UNSPEC, 0, 22, NULL);
	expect_program("src *:22", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_DEV_COND, 8, 12);
	put_bytes(&p, &ifindex, 4);
	expect_program("dev lo", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_MARK_COND, 12, 16);
	put_bytes(&p, mark, 8);
	expect_program("fwmark 0x10/0xff", AF_INET, 0, &p, true);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_AUTO, 4, 24);
	put_op(&p, INET_DIAG_BC_S_GE, 8, 20);
	put_op(&p, 0, 0, range[0]);
	put_op(&p, INET_DIAG_BC_S_LE, 8, 12);
	put_op(&p, 0, 0, range[1]);
	expect_program("autobound", AF_INET, 0, &p, true);
}

static void test_combinators(void **unused)
{
	struct prog p;

	(void)unused;
	/* not: fall into a JMP to reject; the op's `no` skips it. */
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_D_GE, 8, 12);
	put_op(&p, 0, 0, 1024);
	put_op(&p, INET_DIAG_BC_JMP, 4, 8);
	expect_program("dport < 1024", AF_INET, 0, &p, true);

	/* or: a false first term jumps to the second; a true one to end. */
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 22);
	put_op(&p, INET_DIAG_BC_JMP, 4, 12);
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 80);
	expect_program("dport = 22 or dport = 80", AF_INET, 0, &p, true);

	/* and: every term jumps to the one reject. */
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_S_EQ, 8, 40);
	put_op(&p, 0, 0, 22);
	put_host(&p, INET_DIAG_BC_D_COND, 32, AF_INET6, 128, -1, "::1");
	expect_program("sport = 22 and dst ::1", AF_INET6, 0, &p, true);

	/* An IPv6 condition is false in an IPv4 dump. */
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_S_EQ, 8, 16);
	put_op(&p, 0, 0, 22);
	put_op(&p, INET_DIAG_BC_JMP, 4, 8);
	expect_program("sport = 22 and dst ::1", AF_INET, 0, &p, true);

	/* not (a or b): the or's end label is the not's false exit. */
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_DEV_COND, 8, 12);
	put_bytes(&p, &(uint32_t){1}, 4);
	put_op(&p, INET_DIAG_BC_JMP, 4, 12);
	put_op(&p, INET_DIAG_BC_S_EQ, 8, 12);
	put_op(&p, 0, 0, 1);
	put_op(&p, INET_DIAG_BC_JMP, 4, 8);
	expect_program("not ( dev 1 or sport 1 )", AF_INET, 0, &p, true);
}

/* Left-out ops make a superset: true where even, false under a not. */
static void test_superset(void **unused)
{
	struct prog p;
	void *bc;
	size_t len;
	bool exact;
	struct filter *f;

	(void)unused;
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 22);
	expect_program("fwmark 1 and dport = 22", AF_INET, FILTER_BC_NO_MARK,
		       &p, false);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_JMP, 4, 8);  /* the mark: false... */
	put_op(&p, INET_DIAG_BC_JMP, 4, 16); /* ...so `not` is true */
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 22);
	expect_program("not fwmark 1 and dport = 22", AF_INET,
		       FILTER_BC_NO_MARK, &p, false);

	/* Nothing left for the kernel: no program, not exact. */
	f = parse("fwmark 1");
	filter_bytecode(f, AF_INET, FILTER_BC_NO_MARK, &bc, &len, &exact);
	assert_null(bc);
	assert_int_equal(len, 0);
	assert_false(exact);
	filter_destroy(f);

	/* No expression: no program, and exact. */
	f = parse("state listening");
	filter_bytecode(f, AF_INET, 0, &bc, &len, &exact);
	assert_null(bc);
	assert_true(exact);
	filter_destroy(f);
}

/* A program beyond the 16-bit offsets is not sent. */
static void test_too_long(void **unused)
{
	size_t size = 3000 * 16, n = 0;
	char *text = malloc(size);
	struct filter *f;
	void *bc;
	size_t len;
	bool exact;

	(void)unused;
	for (int i = 0; i < 3000; i++) {
		n += (size_t)snprintf(text + n, size - n, "%sdst ::%x",
				      i ? " or " : "", i + 1);
	}
	f = parse(text);
	filter_bytecode(f, AF_INET6, 0, &bc, &len, &exact);
	assert_null(bc);
	assert_false(exact);
	filter_bytecode(f, AF_INET, 0, &bc, &len, &exact);
	assert_non_null(bc); /* only JMPs in an IPv4 dump: it fits */
	assert_int_equal(bc_audit(bc, (int)len), 0);
	free(bc);
	filter_destroy(f);
	free(text);
}

/* ---- randomized equivalence ---- */

static const char *const leaves[] = {
    "src 127.0.0.1",
    "src 127.0.0.0/8",
    "dst 10/8",
    "src ::1",
    "dst [::ffff:127.0.0.1]",
    "src inet:*",
    "src inet6:*",
    "dst *:22",
    "sport = 22",
    "dport > 1023",
    "dport < 80",
    "sport <= 1024",
    "sport >= 40000",
    "dport != 80",
    "dev = 1",
    "dev != 2",
    "fwmark 0x10/0xf0",
    "fwmark != 0",
    "autobound",
    "src 127.0.0.1:22",
    "dst [::1]:80",
    "sport = *",
    "dst fd00::/8",
    "src 10.1.2.3/31:40000",
    "dst 0/0",
    "src ::ffff:10.1.2.0/120",
};

static void random_expr(char *buf, size_t size, int depth)
{
	size_t n = strlen(buf);
	int r = rand() % (depth > 3 ? 1 : 6);
	static const char *const ops[] = {" and ", " or ", " ", " && ", " || "};

	if (r <= 1) {
		snprintf(buf + n, size - n, "%s",
			 leaves[(size_t)rand() %
				(sizeof(leaves) / sizeof(leaves[0]))]);
	} else if (r == 2) {
		snprintf(buf + n, size - n, "not ");
		random_expr(buf, size, depth + 1);
	} else if (r == 3) {
		snprintf(buf + n, size - n, "( ");
		random_expr(buf, size, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, size - n, " )");
	} else {
		random_expr(buf, size, depth + 1);
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s", ops[rand() % 5]);
		random_expr(buf, size, depth + 1);
	}
}

static void random_rec(struct sock_rec *r)
{
	static const char *const v4[] = {"127.0.0.1", "127.0.0.2", "10.1.2.3",
					 "0.0.0.0", "10.1.2.2"};
	static const char *const v6[] = {
	    "::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
	    "::",  "fe80::1"};
	static const uint16_t ports[] = {0,    22,   79,   80,	  81,
					 1023, 1024, 1025, 40000, 65535};

	memset(r, 0, sizeof(*r));
	r->family = rand() % 2 ? AF_INET : AF_INET6;
	if (r->family == AF_INET) {
		inet_pton(AF_INET, v4[rand() % 5], r->saddr);
		inet_pton(AF_INET, v4[rand() % 5], r->daddr);
	} else {
		inet_pton(AF_INET6, v6[rand() % 6], r->saddr);
		inet_pton(AF_INET6, v6[rand() % 6], r->daddr);
	}
	r->sport = rand() % 3 ? ports[rand() % 10] : (uint16_t)rand();
	r->dport = rand() % 3 ? ports[rand() % 10] : (uint16_t)rand();
	r->ifindex = (uint32_t)(rand() % 3);
	r->mark = (uint32_t[]){0, 0x10, 0x1f, 0x20}[rand() % 4];
	r->cgroup_id = (uint64_t)(rand() % 3);
}

static struct entry entry_of(const struct filter *f, const struct sock_rec *r)
{
	struct entry e = {
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

static void check_one(const char *text, unsigned int without)
{
	struct filter *f = parse(text);
	void *bc[2];
	size_t len[2];
	bool exact[2];

	for (int fam = 0; fam < 2; fam++) {
		filter_bytecode(f, fam ? AF_INET6 : AF_INET, without, &bc[fam],
				&len[fam], &exact[fam]);
		if (bc[fam] && bc_audit(bc[fam], (int)len[fam])) {
			fail_msg("'%s': the audit refuses the program", text);
		}
		assert_true(without || exact[fam]);
	}
	for (int i = 0; i < 200; i++) {
		struct sock_rec r;
		struct entry e;
		int fam;
		bool user, kernel;

		random_rec(&r);
		e = entry_of(f, &r);
		fam = r.family == AF_INET6;
		user = filter_match(f, &r);
		kernel = !bc[fam] || bc_run(bc[fam], (int)len[fam], &e);
		if (exact[fam] ? user != kernel : user && !kernel) {
			fail_msg("'%s': userspace %d, kernel %d", text, user,
				 kernel);
		}
	}
	free(bc[0]);
	free(bc[1]);
	filter_destroy(f);
}

static void test_random_equivalence(void **unused)
{
	char text[4096];

	(void)unused;
	srand(12345);
	for (int i = 0; i < 3000; i++) {
		text[0] = '\0';
		random_expr(text, sizeof(text), 0);
		check_one(text, 0);
		check_one(text, FILTER_BC_NO_MARK | FILTER_BC_NO_CGROUP);
	}
}

/* The test's interpreter itself: a few facts derived by hand. */
static void test_interpreter(void **unused)
{
	struct prog p = {0};
	struct sock_rec r = {.family = AF_INET6, .sport = 22};
	struct entry e;

	(void)unused;
	put_host(&p, INET_DIAG_BC_S_COND, 20, AF_INET, 8, -1, "127.0.0.0");
	inet_pton(AF_INET6, "::ffff:127.1.2.3", r.saddr);
	e = entry_of(&(struct filter){.auto_lo = 1, .auto_hi = 2}, &r);
	assert_true(bc_run(p.b, (int)p.len, &e));
	inet_pton(AF_INET6, "::ffff:128.1.2.3", r.saddr);
	assert_false(bc_run(p.b, (int)p.len, &e));
	assert_int_equal(bc_audit(p.b, (int)p.len), 0);
	p.b[2] = 8; /* `no` inside the hostcond: not on an op boundary */
	assert_int_equal(bc_audit(p.b, (int)p.len), -EINVAL);
	p.b[2] = 28; /* beyond end + 4 */
	assert_int_equal(bc_audit(p.b, (int)p.len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interpreter),
	    cmocka_unit_test(test_single_ops),
	    cmocka_unit_test(test_combinators),
	    cmocka_unit_test(test_superset),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_random_equivalence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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
#include "kernel_bc.h"
#include "sock.h"

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
		assert_int_equal(kbc_audit(bc, (int)len), 0);
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

/* uid, pid and comm have no kernel op: left out, as a refused op is. */
static void test_owner_leaves(void **unused)
{
	static const char *const texts[] = {"uid 0", "pid 1", "comm x*",
					    "uid 0 and comm x"};
	struct prog p;
	void *bc;
	size_t len;
	bool exact;
	struct filter *f;

	(void)unused;
	/* Nothing left for the kernel: no program, not exact. */
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		f = parse(texts[i]);
		filter_bytecode(f, AF_INET6, 0, &bc, &len, &exact);
		assert_null(bc);
		assert_false(exact);
		filter_destroy(f);
	}
	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 22);
	expect_program("uid 1000 and dport = 22", AF_INET, 0, &p, false);
	expect_program("dport = 22 and comm = sshd", AF_INET, 0, &p, false);

	p = (struct prog){0};
	put_op(&p, INET_DIAG_BC_JMP, 4, 8);  /* the pid: false... */
	put_op(&p, INET_DIAG_BC_JMP, 4, 16); /* ...so `not` is true */
	put_op(&p, INET_DIAG_BC_D_EQ, 8, 12);
	put_op(&p, 0, 0, 22);
	expect_program("pid != 7 and dport = 22", AF_INET, 0, &p, false);
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
	assert_int_equal(kbc_audit(bc, (int)len), 0);
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
    "src vsock:3:22",
    "dst vsock:*",
    /* above the 16 bits of inet ports and of the ops' argument */
    "sport = 100000",
    "dport >= 65536",
    "sport <= 100022",
    "dport < 4294967295",
    "src *:65558",
    "dst *:4294967295",
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

static void check_one(const char *text, unsigned int without)
{
	struct filter *f = parse(text);
	void *bc[2];
	size_t len[2];
	bool exact[2];

	for (int fam = 0; fam < 2; fam++) {
		filter_bytecode(f, fam ? AF_INET6 : AF_INET, without, &bc[fam],
				&len[fam], &exact[fam]);
		if (bc[fam] && kbc_audit(bc[fam], (int)len[fam])) {
			fail_msg("'%s': the audit refuses the program", text);
		}
		assert_true(without || exact[fam]);
	}
	for (int i = 0; i < 200; i++) {
		struct sock_rec r;
		struct kbc_entry e;
		int fam;
		bool user, kernel;

		random_rec(&r);
		e = kbc_entry_of(f, &r);
		fam = r.family == AF_INET6;
		user = filter_match(f, &r);
		kernel = !bc[fam] || kbc_run(bc[fam], (int)len[fam], &e);
		if (exact[fam] ? user != kernel : user && !kernel) {
			fail_msg("'%s': userspace %d, kernel %d", text, user,
				 kernel);
		}
	}
	free(bc[0]);
	free(bc[1]);
	filter_destroy(f);
}

/* An owner leaf anywhere: the kernel selects a superset, never less. */
static void check_owner_superset(const char *text)
{
	struct filter *f = parse(text);
	void *bc[2];
	size_t len[2];
	bool exact[2];

	for (int fam = 0; fam < 2; fam++) {
		filter_bytecode(f, fam ? AF_INET6 : AF_INET, 0, &bc[fam],
				&len[fam], &exact[fam]);
		if (bc[fam] && kbc_audit(bc[fam], (int)len[fam])) {
			fail_msg("'%s': the audit refuses the program", text);
		}
		assert_false(exact[fam]);
	}
	for (int i = 0; i < 100; i++) {
		struct sock_rec r;
		struct kbc_entry e;
		int fam;

		random_rec(&r);
		r.uid = (uint32_t[]){0, 999, 1000, 1001}[rand() % 4];
		e = kbc_entry_of(f, &r);
		fam = r.family == AF_INET6;
		if (filter_match(f, &r) &&
		    !(!bc[fam] || kbc_run(bc[fam], (int)len[fam], &e))) {
			fail_msg("'%s': the kernel drops a match", text);
		}
	}
	free(bc[0]);
	free(bc[1]);
	filter_destroy(f);
}

static void test_random_owner_superset(void **unused)
{
	static const char *const owner[] = {
	    "uid = 0",	 "uid >= 1000", "uid < 1000", "uid != 999",
	    "pid = 100", "not pid 7",	"comm = ng*", "comm != x"};
	/* Around the random expression, before the owner leaf, after it. */
	static const char *const forms[][3] = {{"( ", " ) and ", ""},
					       {"( ", " ) or ", ""},
					       {"not ( ", " ) and not ", ""},
					       {"not ( ( ", " ) or ", " )"}};
	char inner[2048], text[4096];

	(void)unused;
	srand(4242);
	for (int i = 0; i < 1000; i++) {
		const char *const *form = forms[rand() % 4];

		inner[0] = '\0';
		random_expr(inner, sizeof(inner), 0);
		snprintf(text, sizeof(text), "%s%s%s%s%s", form[0], inner,
			 form[1], owner[rand() % 8], form[2]);
		check_owner_superset(text);
	}
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
	struct kbc_entry e;

	(void)unused;
	put_host(&p, INET_DIAG_BC_S_COND, 20, AF_INET, 8, -1, "127.0.0.0");
	inet_pton(AF_INET6, "::ffff:127.1.2.3", r.saddr);
	e = kbc_entry_of(&(struct filter){.auto_lo = 1, .auto_hi = 2}, &r);
	assert_true(kbc_run(p.b, (int)p.len, &e));
	inet_pton(AF_INET6, "::ffff:128.1.2.3", r.saddr);
	assert_false(kbc_run(p.b, (int)p.len, &e));
	assert_int_equal(kbc_audit(p.b, (int)p.len), 0);
	p.b[2] = 8; /* `no` inside the hostcond: not on an op boundary */
	assert_int_equal(kbc_audit(p.b, (int)p.len), -EINVAL);
	p.b[2] = 28; /* beyond end + 4 */
	assert_int_equal(kbc_audit(p.b, (int)p.len), -EINVAL);
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
	    cmocka_unit_test(test_owner_leaves),
	    cmocka_unit_test(test_random_owner_superset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

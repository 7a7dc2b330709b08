// SPDX-License-Identifier: MIT
/* The filter parser: ASTs, precedence, aliases, errors and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "sock.h"
#include "state.h"

/* The AST of text given as one word, as filter_print() writes it. */
static const char *ast(const char *text)
{
	static char buf[1024];
	const char *argv[] = {text};
	struct filter_error err = {0};
	struct filter *f = NULL;

	if (filter_parse(1, (char *const *)argv, &f, &err)) {
		fail_msg("'%s' did not parse: %s (word %d)", text, err.msg,
			 err.word);
	}
	filter_print(f, buf, sizeof(buf));
	filter_destroy(f);
	return buf;
}

static void same_ast(const char *const *texts, const char *want)
{
	for (; *texts; texts++) {
		assert_string_equal(ast(*texts), want);
	}
}

static void test_port_operators(void **unused)
{
	(void)unused;
	same_ast((const char *const[]){"dport = 22", "dport 22", "dport == 22",
				       "dport eq 22", "dport = :22",
				       "dport EQ :ssh", NULL},
		 "(dport = 22)");
	same_ast((const char *const[]){"sport != 80", "sport ne 80",
				       "sport neq :http", NULL},
		 "(not (sport = 80))");
	same_ast((const char *const[]){"dport < 1024", "dport lt 1024", NULL},
		 "(not (dport >= 1024))");
	same_ast((const char *const[]){"dport > 1024", "dport gt 1024", NULL},
		 "(not (dport <= 1024))");
	same_ast((const char *const[]){"sport <= 80", "sport le 80",
				       "sport leq 80", NULL},
		 "(sport <= 80)");
	same_ast((const char *const[]){"sport >= 80", "sport ge 80",
				       "sport geq 80", NULL},
		 "(sport >= 80)");
	assert_string_equal(ast("sport = *"), "(src any */0 :*)");
	assert_string_equal(ast("dport 0"), "(dport = 0)");
	assert_string_equal(ast("dport 65535"), "(dport = 65535)");
}

static void test_hosts(void **unused)
{
	(void)unused;
	assert_string_equal(ast("src 127.0.0.1"), "(src inet 127.0.0.1/32 :*)");
	assert_string_equal(ast("src = 127.0.0.1:22"),
			    "(src inet 127.0.0.1/32 :22)");
	assert_string_equal(ast("dst 10/8"), "(dst inet 10.0.0.0/8 :*)");
	assert_string_equal(ast("dst 192.168/16:http"),
			    "(dst inet 192.168.0.0/16 :80)");
	assert_string_equal(ast("dst ::1"), "(dst inet6 ::1/128 :*)");
	assert_string_equal(ast("dst [::1]:22"), "(dst inet6 ::1/128 :22)");
	assert_string_equal(ast("src [2001:db8::]/32:80"),
			    "(src inet6 2001:db8::/32 :80)");
	assert_string_equal(ast("src [fd00::/8]"), "(src inet6 fd00::/8 :*)");
	assert_string_equal(ast("src *:22"), "(src any */0 :22)");
	assert_string_equal(ast("src :22"), "(src any */0 :22)");
	assert_string_equal(ast("src *"), "(src any */0 :*)");
	assert_string_equal(ast("src inet:*"), "(src inet */0 :*)");
	assert_string_equal(ast("dst inet6:*:443"), "(dst inet6 */0 :443)");
	assert_string_equal(ast("src inet:10.1.2.3/24"),
			    "(src inet 10.1.2.3/24 :*)");
	assert_string_equal(ast("src != ::ffff:127.0.0.1"),
			    "(not (src inet6 ::ffff:127.0.0.1/128 :*))");
}

static void test_other_predicates(void **unused)
{
	(void)unused;
	assert_string_equal(ast("dev lo"), "(dev 1)");
	assert_string_equal(ast("dev = 1"), "(dev 1)");
	assert_string_equal(ast("dev != lo"), "(not (dev 1))");
	assert_string_equal(ast("fwmark 0x10/0xff"), "(fwmark 0x10/0xff)");
	assert_string_equal(ast("fwmark = 5"), "(fwmark 0x5/0xffffffff)");
	assert_string_equal(ast("fwmark != 7/3"), "(not (fwmark 0x7/0x3))");
	assert_string_equal(ast("autobound"), "(autobound)");
}

static void test_precedence(void **unused)
{
	(void)unused;
	/* not > and > or; ss would read the first as (a or b) and c. */
	assert_string_equal(ast("sport 1 or sport 2 and sport 3"),
			    "(or (sport = 1) (and (sport = 2) (sport = 3)))");
	assert_string_equal(ast("sport 1 and sport 2 or sport 3 and sport 4"),
			    "(or (and (sport = 1) (sport = 2)) "
			    "(and (sport = 3) (sport = 4)))");
	assert_string_equal(ast("not sport 1 and sport 2"),
			    "(and (not (sport = 1)) (sport = 2))");
	assert_string_equal(ast("not ( sport 1 and sport 2 )"),
			    "(not (and (sport = 1) (sport = 2)))");
	assert_string_equal(ast("sport 1 or sport 2 or sport 3"),
			    "(or (or (sport = 1) (sport = 2)) (sport = 3))");
	assert_string_equal(ast("( sport 1 or sport 2 ) sport 3"),
			    "(and (or (sport = 1) (sport = 2)) (sport = 3))");
	assert_string_equal(ast("sport 1 sport 2 or sport 3"),
			    "(or (and (sport = 1) (sport = 2)) (sport = 3))");
	assert_string_equal(ast("not not autobound"),
			    "(not (not (autobound)))");
	same_ast((const char *const[]){"! sport 1 && sport 2 || sport 3",
				       "!sport 1 & sport 2 | sport 3",
				       "not sport 1 and sport 2 or sport 3",
				       "((!(sport=1))&(sport=2))|(sport=3)",
				       NULL},
		 "(or (and (not (sport = 1)) (sport = 2)) (sport = 3))");
}

/* Many words or one word: the same tokens, the same tree. */
static void test_words(void **unused)
{
	const char *many[] = {"(", "dport", "=",   "22",
			      ")", "or",    "src", "127.0.0.1"};
	const char *one[] = {"( dport = 22 ) or src 127.0.0.1"};
	const char *glued[] = {"(dport=22)||src", "127.0.0.1"};
	struct filter_error err = {0};
	struct filter *f[3];
	char a[256], b[256], c[256];

	(void)unused;
	assert_int_equal(filter_parse(8, (char *const *)many, &f[0], &err), 0);
	assert_int_equal(filter_parse(1, (char *const *)one, &f[1], &err), 0);
	assert_int_equal(filter_parse(2, (char *const *)glued, &f[2], &err), 0);
	filter_print(f[0], a, sizeof(a));
	filter_print(f[1], b, sizeof(b));
	filter_print(f[2], c, sizeof(c));
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	assert_string_equal(a, "(or (dport = 22) (src inet 127.0.0.1/32 :*))");
	for (int i = 0; i < 3; i++) {
		filter_destroy(f[i]);
	}
}

static void test_states(void **unused)
{
	const char *argv[] = {"state", "established", "state", "time-wait",
			      "dport", "=",	      "22"};
	const char *excl[] = {"exclude", "listening"};
	const char *none[] = {"dport", "22"};
	struct filter_error err = {0};
	struct filter *f;
	uint32_t mask;

	(void)unused;
	assert_int_equal(filter_parse(7, (char *const *)argv, &f, &err), 0);
	assert_true(filter_states(f, &mask));
	assert_int_equal(mask, SS_BIT(SS_ESTABLISHED) | SS_BIT(SS_TIME_WAIT));
	assert_true(filter_has_expr(f));
	filter_destroy(f);
	assert_int_equal(filter_parse(2, (char *const *)excl, &f, &err), 0);
	assert_true(filter_states(f, &mask));
	assert_int_equal(mask, SS_ALL_BITS & ~SS_BIT(SS_LISTEN));
	assert_false(filter_has_expr(f));
	filter_destroy(f);
	assert_int_equal(filter_parse(2, (char *const *)none, &f, &err), 0);
	assert_false(filter_states(f, &mask));
	filter_destroy(f);
	assert_int_equal(filter_parse(0, NULL, &f, &err), 0);
	assert_false(filter_has_expr(f));
	filter_destroy(f);
}

struct bad {
	const char *text;
	int word;
	const char *msg; /* the whole message */
};

static const struct bad bad[] = {
    {"state foo", 2, "unknown state 'foo'"},
    {"state", 2, "expected a state name after 'state'"},
    {"exclude (", 2, "expected a state name after 'exclude', got '('"},
    {"( dport = 22", 1, "unbalanced '(': no matching ')'"},
    {"( ( dport = 22 )", 1, "unbalanced '(': no matching ')'"},
    {"dport = 22 )", 4, "unbalanced ')'"},
    {")", 1, "unbalanced ')'"},
    {"( )", 2, "empty parentheses"},
    {"dport = 22 and", 4, "expected an expression after 'and'"},
    {"dport = 22 ||", 4, "expected an expression after '||'"},
    {"dport = 22 or and", 5, "expected an expression, got 'and'"},
    {"not", 1, "expected an expression after 'not'"},
    {"dport >", 3, "expected a port after 'dport >'"},
    {"dport > ssh2", 3, "expected a port after 'dport >', got 'ssh2'"},
    {"dport = 65536", 3,
     "port out of range (0-65535) after 'dport =', got '65536'"},
    {"sport 99999999999999999999999", 2,
     "port out of range (0-65535) after 'sport', got "
     "'99999999999999999999999'"},
    {"dport < *", 3, "'*' only goes with = or != after 'dport <', got '*'"},
    {"src 10.0.0.0/33", 2,
     "prefix out of range (0-32) after 'src', got '10.0.0.0/33'"},
    {"dst ::1/129", 2,
     "prefix out of range (0-128) after 'dst', got '::1/129'"},
    {"src 1.2.3.4/", 2, "expected a prefix length after 'src', got '1.2.3.4/'"},
    {"src 1.2.3.4/x8", 2,
     "expected a prefix length after 'src', got '1.2.3.4/x8'"},
    {"dport 22x", 2, "expected a port after 'dport', got '22x'"},
    {"src 1.2.3.256", 2,
     "expected an IPv4 address after 'src', got '1.2.3.256'"},
    {"src 1.2.3.4.5", 2,
     "expected an IPv4 address after 'src', got '1.2.3.4.5'"},
    {"src 1.2.3.4:70000", 2,
     "port out of range (0-65535) after 'src', got '1.2.3.4:70000'"},
    {"src inet6:1.2.3.4", 2,
     "address of the other family after 'src', got 'inet6:1.2.3.4'"},
    {"src [::1", 2, "missing ']' after 'src', got '[::1'"},
    {"dst", 2, "expected an address after 'dst'"},
    {"dev < lo", 2, "'dev' takes = or !=, got '<'"},
    {"dev = abcdefghijklmnopq", 3,
     "expected a device name or index after 'dev =', got "
     "'abcdefghijklmnopq'"},
    {"dev a/b", 2, "expected a device name or index after 'dev', got 'a/b'"},
    {"fwmark 1/zz", 2,
     "expected MARK[/MASK] (32-bit numbers) after 'fwmark', got '1/zz'"},
    {"fwmark 0x100000000", 2,
     "expected MARK[/MASK] (32-bit numbers) after 'fwmark', got "
     "'0x100000000'"},
    {"bogus", 1,
     "expected src, dst, sport, dport, dev, fwmark, cgroup or autobound, "
     "got 'bogus'"},
    {"dport = 22 state established", 4,
     "'state' must come before the expression"},
    {"dport = 22 = 3", 4, "unexpected '='"},
    {"", 0, "empty filter expression"},
    {" \t ", 0, "empty filter expression"},
    {"dport \x01\x02", 2, "invalid byte 0x01"},
    {"\xff\xfe\\", 1,
     "expected src, dst, sport, dport, dev, fwmark, cgroup or autobound, "
     "got '\\xff\\xfe\\x5c'"},
};

/* A namespace with two devices, as filter_resolve_devs() asks it. */
static uint32_t fake_index(void *data, const char *name)
{
	(void)data;
	return !strcmp(name, "veth0") ? 7 : !strcmp(name, "3") ? 12 : 0;
}

static void resolve(const char *text, int want_err, const char *want)
{
	const char *argv[] = {text};
	struct filter_error ferr = {0};
	struct filter *f = NULL;
	char why[128] = "", buf[256];
	int err;

	if (filter_parse(1, (char *const *)argv, &f, &ferr)) {
		fail_msg("'%s' did not parse: %s", text, ferr.msg);
	}
	err = filter_resolve_devs(f, fake_index, NULL, why, sizeof(why));
	assert_int_equal(err, want_err);
	if (err) {
		assert_string_equal(why, want);
	} else {
		filter_print(f, buf, sizeof(buf));
		assert_string_equal(buf, want);
	}
	filter_destroy(f);
}

/* `dev NAME` is the device of that name where the sockets are read: a
 * name that namespace lacks is an error there, never another index. */
static void test_dev_per_namespace(void **unused)
{
	(void)unused;
	/* Not a device here (parse time), one there. */
	assert_string_equal(ast("dev veth0"), "(dev veth0)");
	resolve("dev veth0", 0, "(dev 7)");
	resolve("not dev veth0 or dev 5", 0, "(or (not (dev 7)) (dev 5))");
	/* lo is 1 here, but the namespace read has no lo. */
	resolve("dev lo", -ENODEV, "dev lo: no such device");
	resolve("dev nosuchdev0", -ENODEV, "dev nosuchdev0: no such device");
	/* A name of digits is the device of that name, else that index. */
	resolve("dev 3", 0, "(dev 12)");
	resolve("dev 4", 0, "(dev 4)");
}

static void test_dev_escaped_message(void **unused)
{
	/* Control bytes never get past the tokenizer; a backslash does. */
	char name[] = "t\\x07";
	struct filter_error ferr = {0};
	struct filter *f = NULL;
	char why[128];
	const char *words[] = {"dev", name};

	(void)unused;
	assert_int_equal(filter_parse(2, (char *const *)words, &f, &ferr), 0);
	assert_int_equal(
	    filter_resolve_devs(f, fake_index, NULL, why, sizeof(why)),
	    -ENODEV);
	assert_string_equal(why, "dev t\\\\x07: no such device");
	filter_destroy(f);
}

static void test_errors(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = {(char *)bad[i].text};
		struct filter_error err = {0};
		struct filter *f = NULL;

		if (filter_parse(1, (char *const *)argv, &f, &err) != -EINVAL) {
			fail_msg("'%s' parsed", bad[i].text);
		}
		if (strcmp(err.msg, bad[i].msg) || err.word != bad[i].word) {
			fail_msg("'%s': got \"%s\" (word %d), want \"%s\" "
				 "(word %d)",
				 bad[i].text, err.msg, err.word, bad[i].msg,
				 bad[i].word);
		}
	}
}

static void test_depth_and_size(void **unused)
{
	static char deep[2048], wide[200000];
	const char *argv[] = {deep};
	struct filter_error err = {0};
	struct filter *f = NULL;
	size_t n = 0;

	(void)unused;
	for (int i = 0; i < 500; i++) {
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "(");
	}
	assert_int_equal(filter_parse(1, (char *const *)argv, &f, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "nested deeper than 128");
	n = 0;
	for (int i = 0; i < 9000; i++) {
		n += (size_t)snprintf(wide + n, sizeof(wide) - n, "%ssport %d",
				      i ? " or " : "", i);
	}
	argv[0] = wide;
	assert_int_equal(filter_parse(1, (char *const *)argv, &f, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "filter too long"));
}

/* -F text: '#' comments, lines counted, words numbered after argv's. */
static void test_text(void **unused)
{
	static const char text[] = "# listeners on ssh\n"
				   "sport = ssh # the port\n"
				   "\n"
				   "  or ( dport = 22 and\n";
	static const char good[] = "#c\ndport = 1 # x\n or dport = 2\n";
	const char *argv[] = {"state", "listening"};
	struct filter_error err = {0};
	struct filter *f = NULL;
	char buf[128];

	(void)unused;
	assert_int_equal(filter_parse_text(2, (char *const *)argv, text,
					   strlen(text), &f, &err),
			 -EINVAL);
	assert_int_equal(err.line, 4);
	assert_int_equal(err.word, 11);
	assert_string_equal(err.msg, "expected an expression after 'and'");
	assert_int_equal(
	    filter_parse_text(0, NULL, "sport 1\n\ndport >\n", 17, &f, &err),
	    -EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.word, 5);
	assert_string_equal(err.msg, "expected a port after 'dport >'");
	assert_int_equal(filter_parse_text(0, NULL, "# only\n", 7, &f, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "empty filter expression");
	assert_int_equal(filter_parse_text(0, NULL, "sport 1\0", 8, &f, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "invalid byte 0x00");
	assert_int_equal(filter_parse_text(2, (char *const *)argv, good,
					   strlen(good), &f, &err),
			 0);
	filter_print(f, buf, sizeof(buf));
	assert_string_equal(buf, "(or (dport = 1) (dport = 2))");
	filter_destroy(f);
}

static struct sock_rec rec6(const char *src, uint16_t sport)
{
	struct sock_rec r = {.family = AF_INET6, .sport = sport};

	inet_pton(AF_INET6, src, r.saddr);
	return r;
}

static bool match(const char *text, const struct sock_rec *r)
{
	const char *argv[] = {text};
	struct filter_error err = {0};
	struct filter *f = NULL;
	bool m;

	assert_int_equal(filter_parse(1, (char *const *)argv, &f, &err), 0);
	m = filter_match(f, r);
	filter_destroy(f);
	return m;
}

/* The kernel's rule: an IPv4 condition matches v4-mapped IPv6 too. */
static void test_mapped(void **unused)
{
	struct sock_rec mapped = rec6("::ffff:127.0.0.1", 22);
	struct sock_rec lo6 = rec6("::1", 22);
	struct sock_rec v4 = {.family = AF_INET, .sport = 22};

	(void)unused;
	inet_pton(AF_INET, "127.0.0.1", v4.saddr);
	assert_true(match("src 127.0.0.1", &mapped));
	assert_true(match("src 127/8:22", &mapped));
	assert_true(match("src inet:*", &mapped));
	assert_false(match("src 127.0.0.1:23", &mapped));
	assert_false(match("src 127.0.0.1", &lo6));
	assert_false(match("src inet:*", &lo6));
	assert_true(match("src inet6:*", &mapped));
	assert_false(match("src inet6:*", &v4));
	assert_true(match("src 127.0.0.1", &v4));
	assert_false(match("src ::ffff:127.0.0.1", &v4));
	assert_true(match("src *:22 and sport >= 22 and sport <= 22", &lo6));
	assert_true(match("sport < 23 and not sport > 22", &v4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_port_operators),
	    cmocka_unit_test(test_hosts),
	    cmocka_unit_test(test_other_predicates),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_states),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_dev_per_namespace),
	    cmocka_unit_test(test_dev_escaped_message),
	    cmocka_unit_test(test_depth_and_size),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

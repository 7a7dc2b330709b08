// SPDX-License-Identifier: MIT
/* The filter parser: ASTs, precedence, aliases, errors and positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter.h"
#include "proc.h"
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
    {"dport = 4294967296", 3,
     "port out of range (0-4294967295) after 'dport =', got '4294967296'"},
    {"sport 99999999999999999999999", 2,
     "port out of range (0-4294967295) after 'sport', got "
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
    {"dst inet6:*:65536", 2,
     "port out of range (0-65535) after 'dst', got 'inet6:*:65536'"},
    {"src inet6:1.2.3.4", 2,
     "address of the other family after 'src', got 'inet6:1.2.3.4'"},
    {"src [::1", 2, "missing ']' after 'src', got '[::1'"},
    {"src vsock:x", 2, "expected a VSOCK CID after 'src', got 'vsock:x'"},
    {"dst vsock:4294967296", 2,
     "expected a VSOCK CID after 'dst', got 'vsock:4294967296'"},
    {"src vsock:3:80x", 2,
     "expected a VSOCK port after 'src', got 'vsock:3:80x'"},
    {"src vsock:3:1:2", 2,
     "expected a VSOCK port after 'src', got 'vsock:3:1:2'"},
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
     "expected src, dst, sport, dport, dev, fwmark, cgroup, autobound, uid, "
     "pid or comm, got 'bogus'"},
    {"dport = 22 state established", 4,
     "'state' must come before the expression"},
    {"dport = 22 = 3", 4, "unexpected '='"},
    {"", 0, "empty filter expression"},
    {" \t ", 0, "empty filter expression"},
    {"dport \x01\x02", 2, "invalid byte 0x01"},
    {"\xff\xfe\\", 1,
     "expected src, dst, sport, dport, dev, fwmark, cgroup, autobound, uid, "
     "pid or comm, got '\\xff\\xfe\\x5c'"},
    {"pid < 5", 2, "'pid' takes = or !=, got '<'"},
    {"comm >= x", 2, "'comm' takes = or !=, got '>='"},
    {"pid = 0", 3,
     "expected a process id (1-4294967295) after 'pid =', got '0'"},
    {"pid -1", 2,
     "expected a process id (1-4294967295) after 'pid', got "
     "'-1'"},
    {"pid = 4294967296", 3,
     "expected a process id (1-4294967295) after 'pid =', got "
     "'4294967296'"},
    {"uid = 4294967296", 3,
     "expected a user id (0-4294967295) or name after 'uid =', got "
     "'4294967296'"},
    {"uid = 12ab", 3,
     "expected a user id (0-4294967295) or name after 'uid =', got "
     "'12ab'"},
    {"uid = no-such-user-zq", 3,
     "no such user after 'uid =', got 'no-such-user-zq'"},
    {"uid", 2, "expected a user after 'uid'"},
    {"pid", 2, "expected a process id after 'pid'"},
    {"comm = ( x )", 3, "expected a process name after 'comm =', got '('"},
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

/* The filter of one word; fails the test if it does not parse. */
static struct filter *parse1(const char *text)
{
	const char *argv[] = {text};
	struct filter_error err = {0};
	struct filter *f = NULL;

	if (filter_parse(1, (char *const *)argv, &f, &err)) {
		fail_msg("'%s' did not parse: %s (word %d)", text, err.msg,
			 err.word);
	}
	return f;
}

static void test_owner_predicates(void **unused)
{
	static const struct {
		const char *text;
		bool owners;
	} need[] = {
	    {"uid 0", false},
	    {"dport 22", false},
	    {"pid 1", true},
	    {"comm x", true},
	    {"dport 22 or not pid 1", true},
	    {"( uid 0 comm sshd )", true},
	};
	struct filter *f;

	(void)unused;
	same_ast((const char *const[]){"uid = 0", "uid 0", "uid == 0",
				       "uid eq 0", "uid = root", NULL},
		 "(uid = 0)");
	same_ast((const char *const[]){"uid != 1000", "uid ne 1000",
				       "uid neq 1000", NULL},
		 "(not (uid = 1000))");
	assert_string_equal(ast("uid >= 1000"), "(uid >= 1000)");
	assert_string_equal(ast("uid <= 999"), "(uid <= 999)");
	assert_string_equal(ast("uid < 1000"), "(not (uid >= 1000))");
	assert_string_equal(ast("uid gt 65533"), "(not (uid <= 65533))");
	assert_string_equal(ast("uid 4294967295"), "(uid = 4294967295)");
	same_ast((const char *const[]){"pid = 42", "pid 42", "pid eq 42", NULL},
		 "(pid 42)");
	assert_string_equal(ast("pid != 42"), "(not (pid 42))");
	assert_string_equal(ast("comm = nginx"), "(comm nginx)");
	assert_string_equal(ast("comm != ?sd-pam?"), "(not (comm ?sd-pam?))");
	assert_string_equal(ast("comm [a-c]*x\\y"), "(comm [a-c]*x\\x5cy)");
	/* Keywords are case-insensitive, arguments are not. */
	assert_string_equal(ast("COMM Nginx and PID 7 or Uid 3"),
			    "(or (and (comm Nginx) (pid 7)) (uid = 3))");
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		f = parse1(need[i].text);
		if (filter_needs_owners(f) != need[i].owners) {
			fail_msg("'%s': needs owners %d", need[i].text,
				 !need[i].owners);
		}
		filter_destroy(f);
	}
}

/* ss reads and/or left to right: a note where that groups differently. */
static void test_note(void **unused)
{
	static const struct {
		const char *text;
		const char *note; /* NULL: none */
	} cases[] = {
	    {"sport 1 or sport 2 and sport 3",
	     "ss reads 'sport 1 or sport 2 and sport 3' left to right; "
	     "sockscope reads it as 'sport 1 or (sport 2 and sport 3)'"},
	    {"sport 1 || sport 2 sport 3",
	     "ss reads 'sport 1 || sport 2 sport 3' left to right; sockscope "
	     "reads it as 'sport 1 || (sport 2 sport 3)'"},
	    {"sport 1 and sport 2 or sport 3 && sport 4 or sport 5",
	     "ss reads 'sport 1 and sport 2 or sport 3 && sport 4 or sport 5' "
	     "left to right; sockscope reads it as '(sport 1 and sport 2) or "
	     "(sport 3 && sport 4) or sport 5'"},
	    {"not ( pid 1 or comm x* and uid 0 )",
	     "ss reads 'not (pid 1 or comm x* and uid 0)' left to right; "
	     "sockscope reads it as 'not (pid 1 or (comm x* and uid 0))'"},
	    {"(sport 1 or (sport 2)) and sport 3", NULL},
	    {"sport 1 or ( sport 2 and sport 3 )", NULL},
	    {"sport 1 and sport 2 or sport 3", NULL},
	    {"sport 1 sport 2 or sport 3", NULL},
	    {"not sport 1 or sport 2 or sport 3", NULL},
	    {"sport 1 and not sport 2", NULL},
	};
	const char *argv[] = {"state", "listening",   "sport", "1",	"or",
			      "comm",  "caf\xc3\xa9", "and",   "sport", "2"};
	struct filter_error err = {0};
	struct filter *f;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *note;

		f = parse1(cases[i].text);
		note = filter_note(f);
		if (cases[i].note ? !note || strcmp(note, cases[i].note)
				  : note != NULL) {
			fail_msg("'%s': note \"%s\"", cases[i].text,
				 note ? note : "(none)");
		}
		filter_destroy(f);
	}
	/* State words are not part of it; bytes are escaped. */
	assert_int_equal(filter_parse(10, (char *const *)argv, &f, &err), 0);
	assert_string_equal(filter_note(f),
			    "ss reads 'sport 1 or comm caf\\xc3\\xa9 and sport "
			    "2' left to right; "
			    "sockscope reads it as 'sport 1 or (comm "
			    "caf\\xc3\\xa9 and sport 2)'");
	filter_destroy(f);
}

/* A long expression: the note is cut, still one bounded line. */
static void test_note_long(void **unused)
{
	static char text[20000];
	size_t n = 0;
	struct filter *f;
	const char *note;

	(void)unused;
	for (int i = 0; i < 500; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%ssport %d and sport %d",
				      i ? " or " : "", i, i + 1);
	}
	f = parse1(text);
	note = filter_note(f);
	assert_non_null(note);
	assert_true(strlen(note) < 1000);
	assert_null(strchr(note, '\n'));
	assert_non_null(strstr(note, "...'"));
	assert_non_null(strstr(note, "as '(sport 0 and sport 1) or (sport 1"));
	filter_destroy(f);
}

/* A fake /proc: 100 "nginx" holds sockets 1000 and 1001 (fds 3, 4), 200
 * "worker-1" shares 1001 (fd 3), 300 "ssh" holds 1002; 1003 has no owner. */
struct fake_proc {
	char root[64];
	struct proc_map *m;
};

static void fake_file(const char *root, const char *rel, const char *target,
		      const char *text)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (target) {
		assert_int_equal(symlink(target, p), 0);
	} else if (text) {
		fp = fopen(p, "w");
		assert_non_null(fp);
		fputs(text, fp);
		fclose(fp);
	} else {
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static int fake_proc_setup(void **state)
{
	static const struct {
		const char *rel, *target, *text;
	} tree[] = {
	    {"proc", NULL, NULL},
	    {"proc/100", NULL, NULL},
	    {"proc/100/fd", NULL, NULL},
	    {"proc/100/comm", NULL, "nginx\n"},
	    {"proc/100/fd/3", "socket:[1000]", NULL},
	    {"proc/100/fd/4", "socket:[1001]", NULL},
	    {"proc/200", NULL, NULL},
	    {"proc/200/fd", NULL, NULL},
	    {"proc/200/comm", NULL, "worker-1\n"},
	    {"proc/200/fd/3", "socket:[1001]", NULL},
	    {"proc/300", NULL, NULL},
	    {"proc/300/fd", NULL, NULL},
	    {"proc/300/comm", NULL, "ssh\n"},
	    {"proc/300/fd/5", "socket:[1002]", NULL},
	};
	struct fake_proc *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	strcpy(fk->root, "/tmp/sockscope-filter-XXXXXX");
	assert_non_null(mkdtemp(fk->root));
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		fake_file(fk->root, tree[i].rel, tree[i].target, tree[i].text);
	}
	assert_int_equal(proc_map_build(fk->root, &fk->m), 0);
	*state = fk;
	return 0;
}

static int fake_proc_teardown(void **state)
{
	struct fake_proc *fk = *state;
	char cmd[128];

	proc_map_destroy(fk->m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fk->root);
	assert_int_equal(system(cmd), 0);
	free(fk);
	return 0;
}

/* Which of the sockets 1000..1003 and a TIME_WAIT one (inode 0) match, as
 * a string of 0/1; uids 0, 1000, 1001, 65534 and 0. */
static const char *owned_by(const char *text, const struct proc_map *m)
{
	static const uint32_t inodes[] = {1000, 1001, 1002, 1003, 0};
	static const uint32_t uids[] = {0, 1000, 1001, 65534, 0};
	static char got[6];
	struct filter *f = parse1(text);

	for (size_t i = 0; i < 5; i++) {
		struct sock_rec r = {
		    .family = AF_INET, .inode = inodes[i], .uid = uids[i]};

		got[i] = filter_match_owners(f, &r, m) ? '1' : '0';
	}
	got[5] = '\0';
	filter_destroy(f);
	return got;
}

static void test_owner_match(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
	    {"pid = 100", "11000"},
	    {"pid = 200", "01000"},
	    {"pid = 300", "00100"},
	    {"pid = 400", "00000"},
	    /* Plain negation: the ownerless sockets are "not pid 100". */
	    {"pid != 100", "00111"},
	    {"not pid = 200", "10111"},
	    {"comm = nginx", "11000"},
	    {"comm = worker-?", "01000"},
	    {"comm = ?sh", "00100"},
	    {"comm = *", "11100"},
	    {"comm = [m-o]*", "11000"},
	    {"comm = NGINX", "00000"},
	    {"comm = nginx*x", "00000"},
	    {"comm != nginx", "00111"},
	    {"comm = ssh or pid = 200", "01100"},
	    {"comm = nginx and not pid 200", "10000"},
	    {"uid = 0", "10001"},
	    {"uid = root", "10001"},
	    {"uid != 0", "01110"},
	    {"uid >= 1000", "01110"},
	    {"uid > 1000", "00110"},
	    {"uid <= 1000", "11001"},
	    {"uid < 1000", "10001"},
	    {"uid >= 1000 and uid < 65534", "01100"},
	    {"uid 1001 or comm nginx", "11100"},
	};
	struct fake_proc *fk = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = owned_by(cases[i].text, fk->m);

		if (strcmp(got, cases[i].want)) {
			fail_msg("'%s': %s, want %s", cases[i].text, got,
				 cases[i].want);
		}
	}
	/* No map (--load of nothing, or filter_match()): no owner at all. */
	assert_string_equal(owned_by("pid = 100", NULL), "00000");
	assert_string_equal(owned_by("comm = *", NULL), "00000");
	assert_string_equal(owned_by("not pid = 100", NULL), "11111");
	assert_string_equal(owned_by("uid = 0", NULL), "10001");
}

/* ss's vsock:CID[:PORT]: the CID against the family's filter_addr, the
 * port against its filter_port; false for every other family's rows,
 * and never true in an inet dump's bytecode. */
static void test_vsock_addresses(void **unused)
{
	struct sock_rec vs = {.family = AF_VSOCK, .protocol = SOCK_STREAM};
	struct sock_rec in = {.family = AF_INET, .protocol = IPPROTO_TCP};
	struct sock_rec un = {.family = AF_UNIX, .protocol = SOCK_STREAM};
	struct filter *f;
	void *bc = NULL;
	size_t len = 0;
	bool exact = false;

	(void)unused;
	vs.vsock.src_cid = 3;
	vs.vsock.src_port = 6000;
	vs.vsock.dst_cid = 2;
	vs.vsock.dst_port = 7000;
	assert_string_equal(ast("src vsock:3:1024"), "(src vsock 3/32 :1024)");
	assert_string_equal(ast("dst vsock:4294967294"),
			    "(dst vsock 4294967294/32 :*)");
	same_ast((const char *const[]){"src vsock:*", "src vsock:",
				       "src vsock:*:*", "src vsock::", NULL},
		 "(src vsock */0 :*)");
	assert_string_equal(ast("src vsock:*:22"), "(src vsock */0 :22)");
	assert_true(match("src vsock:3", &vs));
	assert_true(match("src vsock:3:6000", &vs));
	assert_true(match("src vsock:*:6000", &vs));
	assert_true(match("dst vsock:2:7000", &vs));
	assert_true(match("src vsock:*", &vs));
	assert_false(match("src vsock:2", &vs));
	assert_false(match("src vsock:3:6001", &vs));
	assert_false(match("dst vsock:3", &vs));
	assert_true(match("not src vsock:2", &vs));
	/* an inet address or family never matches a VSOCK socket; a bare
	 * port condition still does */
	assert_false(match("src 0.0.0.0/0", &vs));
	assert_false(match("src inet:*", &vs));
	assert_false(match("src inet6:*", &vs));
	assert_true(match("src *:6000", &vs));
	/* a VSOCK address matches no other family's socket */
	assert_false(match("src vsock:*", &in));
	assert_false(match("src vsock:0", &in));
	assert_false(match("src vsock:*", &un));
	assert_true(match("not dst vsock:*", &in));
	f = parse1("src vsock:3 or sport = 22");
	in.sport = 22;
	assert_true(filter_match_owners(f, &in, NULL));
	assert_int_equal(filter_bytecode(f, AF_INET6, 0, &bc, &len, &exact), 0);
	assert_true(exact);
	assert_non_null(bc);
	free(bc);
	filter_destroy(f);
}

/*
 * A port is 32 bits where the family's is (VSOCK, as ss reads it there;
 * a UNIX inode): written up to 4294967295, compared as written; no inet
 * port is above 65535.
 */
static void test_wide_ports(void **unused)
{
	struct sock_rec vs = {.family = AF_VSOCK, .protocol = SOCK_STREAM};
	struct sock_rec in = {.family = AF_INET,
			      .protocol = IPPROTO_TCP,
			      .sport = 65535,
			      .dport = 34464};
	struct sock_rec un = {
	    .family = AF_UNIX, .protocol = SOCK_STREAM, .inode = 3000000000u};

	(void)unused;
	vs.vsock.src_port = 100000;
	vs.vsock.dst_port = 0xFFFFFFFFu; /* VMADDR_PORT_ANY */
	assert_string_equal(ast("sport = :100000"), "(sport = 100000)");
	assert_string_equal(ast("dport >= 4294967295"),
			    "(dport >= 4294967295)");
	assert_string_equal(ast("src *:3000000000"),
			    "(src any */0 :3000000000)");
	assert_true(match("sport = :100000", &vs));
	assert_true(match("sport >= 100000 and sport <= 100000", &vs));
	assert_false(match("sport = :34464", &vs));
	assert_true(match("src *:100000", &vs));
	assert_true(match("src vsock:*:100000", &vs));
	/* ss's int: VMADDR_PORT_ANY is -1, below every port */
	assert_true(match("dport = 4294967295", &vs));
	assert_false(match("dport > 7000", &vs));
	assert_true(match("sport = 3000000000", &un));
	assert_true(match("src *:3000000000", &un));
	/* 16 bits: not 100000 - 65536 nor -1 */
	assert_false(match("dport = 100000", &in));
	assert_false(match("src *:100000", &in));
	assert_false(match("dport >= 65536", &in));
	assert_true(match("sport <= 65536", &in));
	assert_true(match("sport < 4294967295", &in));
	assert_false(match("sport = 4294967295", &in));
	assert_false(match("src *:4294967295", &in));
	assert_false(match("sport >= 4294967295", &in));
}

/* UNIX name globs: parsed from a path, @name or unix:, matched in
 * userspace on UNIX records only, never compiled for the kernel. */
static void test_unix_paths(void **unused)
{
	static const char path[] = "/run/docker.sock";
	static const char abstract[] = "\0dbus-x";
	struct sock_rec un = {.family = AF_UNIX, .protocol = SOCK_STREAM};
	struct sock_rec in = {.family = AF_INET, .protocol = IPPROTO_TCP};
	struct filter *f;
	void *bc = NULL;
	size_t len = 0;
	bool exact = true;

	(void)unused;
	assert_string_equal(ast("src /run/*.sock"), "(src unix /run/*.sock)");
	assert_string_equal(ast("dst @dbus*"), "(dst unix @dbus*)");
	assert_string_equal(ast("src unix:/a"), "(src unix /a)");
	assert_string_equal(ast("src != /x"), "(not (src unix /x))");

	f = parse1("src /run/*.sock");
	un.ext.path = path;
	un.ext.path_len = sizeof(path); /* with its NUL, as kernels send */
	assert_true(filter_match_owners(f, &un, NULL));
	assert_false(filter_match_owners(f, &in, NULL));
	un.ext.path = abstract;
	un.ext.path_len = sizeof(abstract) - 1;
	assert_false(filter_match_owners(f, &un, NULL));
	assert_int_equal(filter_bytecode(f, AF_INET, 0, &bc, &len, &exact), 0);
	assert_false(exact);
	free(bc);
	filter_destroy(f);

	f = parse1("src @dbus-?");
	assert_true(filter_match_owners(f, &un, NULL));
	filter_destroy(f);
	/* A dump names no peer: dst matches nothing, as in ss. */
	f = parse1("dst @dbus-?");
	assert_false(filter_match_owners(f, &un, NULL));
	filter_destroy(f);
	/* An address never matches a UNIX socket. */
	f = parse1("src 0.0.0.0/0");
	assert_false(filter_match_owners(f, &un, NULL));
	filter_destroy(f);
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
	    cmocka_unit_test(test_owner_predicates),
	    cmocka_unit_test(test_unix_paths),
	    cmocka_unit_test(test_vsock_addresses),
	    cmocka_unit_test(test_wide_ports),
	    cmocka_unit_test(test_note),
	    cmocka_unit_test(test_note_long),
	    cmocka_unit_test_setup_teardown(test_owner_match, fake_proc_setup,
					    fake_proc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/* Endpoint text, the table and JSON writers, and both escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "format.h"
#include "ifname.h"
#include "util.h"

/* An obuf over a memfd, read back as a NUL-terminated string. */
struct capture {
	struct obuf ob;
	char text[8192];
};

static void cap_start(struct capture *c)
{
	int fd = memfd_create("out", 0);

	assert_true(fd >= 0);
	obuf_init(&c->ob, fd, 64);
}

static const char *cap_end(struct capture *c)
{
	int fd = c->ob.fd;
	ssize_t n;

	assert_int_equal(obuf_finish(&c->ob), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, c->text, sizeof(c->text) - 1);
	assert_true(n >= 0);
	c->text[n] = '\0';
	close(fd);
	return c->text;
}

static struct sock_rec make_rec(int family, const char *src, uint16_t sport,
				const char *dst, uint16_t dport)
{
	struct sock_rec r = { .family = (uint8_t)family,
			      .protocol = IPPROTO_TCP,
			      .state = SS_ESTABLISHED,
			      .sport = sport,
			      .dport = dport };

	assert_int_equal(inet_pton(family, src, r.saddr), 1);
	assert_int_equal(inet_pton(family, dst, r.daddr), 1);
	return r;
}

static void test_endpoints(void **unused)
{
	struct opts o = { .protocols = PROTO_TCP };
	struct fmt_ctx ctx = { .o = &o };
	char buf[ENDPOINT_STRLEN];
	struct sock_rec r = make_rec(AF_INET, "10.1.2.3", 22, "192.168.0.254",
				     65535);

	(void)unused;
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "10.1.2.3:22");
	format_endpoint(buf, &ctx, &r, true);
	assert_string_equal(buf, "192.168.0.254:65535");

	r = make_rec(AF_INET6, "2001:db8::1", 443, "::", 0);
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[2001:db8::1]:443");
	format_endpoint(buf, &ctx, &r, true);
	assert_string_equal(buf, "*:*");

	/* The local wildcard stays an address; only the port becomes '*'. */
	r = make_rec(AF_INET, "0.0.0.0", 0, "0.0.0.0", 0);
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "0.0.0.0:*");

	r = make_rec(AF_INET6, "::ffff:127.0.0.1", 8080, "::1", 1);
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[::ffff:127.0.0.1]:8080");

	/* Longest possible endpoint fits the buffer. */
	r = make_rec(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
		     65535, "::1", 1);
	assert_true(format_endpoint(buf, &ctx, &r, false) < ENDPOINT_STRLEN);
}

static void test_scoped_endpoint(void **unused)
{
	struct opts o = { .protocols = PROTO_TCP };
	struct fmt_ctx ctx = { .o = &o, .ifn = ifnames_create() };
	char buf[ENDPOINT_STRLEN];
	struct sock_rec r = make_rec(AF_INET6, "fe80::1", 22, "fe80::2", 4000);

	(void)unused;
	/* ifindex 1 is lo in every namespace. */
	r.ifindex = 1;
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[fe80::1]%lo:22");
	/* An index that does not exist prints as its number. */
	r.ifindex = 99999;
	format_endpoint(buf, &ctx, &r, true);
	assert_string_equal(buf, "[fe80::2]%99999:4000");
	ifnames_destroy(ctx.ifn);
}

static void test_escape_text(void **unused)
{
	struct capture c;
	static const char evil[] = "\x1b[31mred\x07\\ok\x9b\xff";

	(void)unused;
	cap_start(&c);
	obuf_escape_text(&c.ob, evil, sizeof(evil) - 1);
	assert_string_equal(cap_end(&c),
			    "\\x1b[31mred\\x07\\\\ok\\x9b\\xff");
}

static void test_json_string(void **unused)
{
	struct capture c;
	static const char in[] = "a\"b\\c\n\x01\x1b"
				 "\xc3\xa9"	    /* é, valid */
				 "\xc2\x9b"	    /* U+009B, a C1 control */
				 "\xff"		    /* never valid */
				 "\xe2\x82"	    /* truncated sequence */
				 "\xf0\x9f\x98\x80" /* U+1F600 */
				 "\xc0\xaf";	    /* overlong '/' */

	(void)unused;
	cap_start(&c);
	obuf_json_string(&c.ob, in, sizeof(in) - 1);
	assert_string_equal(cap_end(&c),
			    "\"a\\\"b\\\\c\\n\\u0001\\u001b\xc3\xa9\\u009b"
			    "\\udcff\\udce2\\udc82\xf0\x9f\x98\x80"
			    "\\udcc0\\udcaf\"");
}

/*
 * systemd names cgroups with a literal backslash-x ("serial\x2dgetty"):
 * in JSON it must decode to those four characters, and a raw byte to
 * something else (U+DC00 + byte), so neither reads as the other.
 */
static void test_json_backslash_x(void **unused)
{
	struct capture c;
	static const char literal[] = "/system.slice/a\\x2db\\xff";
	static const char raw[] = "/system.slice/a-b\xff";

	(void)unused;
	cap_start(&c);
	obuf_json_string(&c.ob, literal, sizeof(literal) - 1);
	obuf_putc(&c.ob, ' ');
	obuf_json_string(&c.ob, raw, sizeof(raw) - 1);
	assert_string_equal(cap_end(&c),
			    "\"/system.slice/a\\\\x2db\\\\xff\" "
			    "\"/system.slice/a-b\\udcff\"");
}

/* Between double quotes (users:((...))) a quote is escaped too. */
static void test_escape_quoted(void **unused)
{
	struct capture c;
	static const char name[] = "sshd\",pid=1),(\"\\\x1b";

	(void)unused;
	cap_start(&c);
	obuf_escape_quoted(&c.ob, name, sizeof(name) - 1);
	obuf_putc(&c.ob, ' ');
	obuf_escape_text(&c.ob, name, sizeof(name) - 1);
	assert_string_equal(cap_end(&c),
			    "sshd\\\",pid=1),(\\\"\\\\\\x1b "
			    "sshd\",pid=1),(\"\\\\\\x1b");
	/* Widths are those of the escaped text, for column padding. */
	assert_int_equal(escape_text_width(name, sizeof(name) - 1),
			 strlen("sshd\",pid=1),(\"\\\\\\x1b"));
	assert_int_equal(escape_text_width("a\xff\n", 3), 9);
}

/* A Prometheus label value decodes (\\ \") to the terminal-safe text. */
static void test_prom_label(void **unused)
{
	struct capture c;
	static const char v[] = "ns\"x\\y\x1b\n";

	(void)unused;
	cap_start(&c);
	obuf_prom_label(&c.ob, v, sizeof(v) - 1);
	assert_string_equal(cap_end(&c),
			    "ns\\\"x\\\\\\\\y\\\\x1b\\\\x0a");
}

static void test_table_and_json_rows(void **unused)
{
	struct opts o = { .protocols = PROTO_TCP | PROTO_UDP };
	struct capture c;
	struct fmt_ctx ctx = { .o = &o };
	struct sock_rec a = make_rec(AF_INET, "127.0.0.1", 8080, "0.0.0.0", 0);
	struct sock_rec b = make_rec(AF_INET6, "::1", 40000, "::1", 8080);

	(void)unused;
	a.state = SS_LISTEN;
	a.send_q = 128;
	b.protocol = IPPROTO_UDP;
	b.recv_q = 1234567;
	cap_start(&c);
	ctx.out = &c.ob;
	fmt_table.begin(&ctx);
	fmt_table.row(&ctx, &a);
	fmt_table.row(&ctx, &b);
	fmt_table.end(&ctx);
	assert_string_equal(cap_end(&c),
		"Netid State       Recv-Q  Send-Q Local Address:Port Peer Address:Port\n"
		"tcp   LISTEN      0       128    127.0.0.1:8080     *:*\n"
		"udp   ESTABLISHED 1234567 0      [::1]:40000        [::1]:8080\n");

	cap_start(&c);
	ctx.out = &c.ob;
	fmt_json.begin(&ctx);
	fmt_json.row(&ctx, &a);
	fmt_json.end(&ctx);
	assert_string_equal(cap_end(&c),
		"[\n{\"netid\":\"tcp\",\"family\":\"inet\",\"state\":\"LISTEN\","
		"\"state_code\":10,\"recv_q\":0,\"send_q\":128,"
		"\"local\":{\"addr\":\"127.0.0.1\",\"port\":8080},"
		"\"peer\":{\"addr\":\"0.0.0.0\",\"port\":0},"
		"\"inode\":0,\"uid\":0,\"cookie\":0}\n]\n");

	/* An empty listing is still a valid document. */
	cap_start(&c);
	ctx.out = &c.ob;
	fmt_json.begin(&ctx);
	fmt_json.end(&ctx);
	assert_string_equal(cap_end(&c), "[\n]\n");
}

static void test_obuf_large_and_numbers(void **unused)
{
	struct capture c;
	char big[200];

	(void)unused;
	memset(big, 'x', sizeof(big));
	cap_start(&c); /* 64-byte buffer: forces write-through */
	obuf_u64(&c.ob, 0);
	obuf_putc(&c.ob, ' ');
	obuf_u64(&c.ob, UINT64_MAX);
	obuf_write(&c.ob, big, sizeof(big));
	cap_end(&c);
	assert_int_equal(strncmp(c.text, "0 18446744073709551615xxx", 25), 0);
	assert_int_equal(strlen(c.text), 22 + sizeof(big));
	assert_int_equal(u64_width(0), 1);
	assert_int_equal(u64_width(1000), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_scoped_endpoint),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_json_backslash_x),
		cmocka_unit_test(test_escape_quoted),
		cmocka_unit_test(test_prom_label),
		cmocka_unit_test(test_table_and_json_rows),
		cmocka_unit_test(test_obuf_large_and_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

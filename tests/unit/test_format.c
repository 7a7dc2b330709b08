// SPDX-License-Identifier: MIT
/* Endpoint text, the table and JSON writers, and both escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "filter.h"
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
	struct sock_rec r = {.family = (uint8_t)family,
			     .protocol = IPPROTO_TCP,
			     .state = SS_ESTABLISHED,
			     .sport = sport,
			     .dport = dport};

	assert_int_equal(inet_pton(family, src, r.saddr), 1);
	assert_int_equal(inet_pton(family, dst, r.daddr), 1);
	return r;
}

static void test_endpoints(void **unused)
{
	struct opts o = {.protocols = PROTO_TCP};
	struct fmt_ctx ctx = {.o = &o};
	char buf[ENDPOINT_STRLEN];
	struct sock_rec r =
	    make_rec(AF_INET, "10.1.2.3", 22, "192.168.0.254", 65535);

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
	struct opts o = {.protocols = PROTO_TCP};
	struct fmt_ctx ctx = {.o = &o, .ifn = ifnames_create()};
	char buf[ENDPOINT_STRLEN];
	struct sock_rec r = make_rec(AF_INET6, "fe80::1", 22, "fe80::2", 4000);

	(void)unused;
	/* ifindex 1 is lo in every namespace. */
	r.ifindex = 1;
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[fe80::1]%lo:22");
	/* An index that does not exist prints as ss prints it. */
	r.ifindex = 99999;
	format_endpoint(buf, &ctx, &r, true);
	assert_string_equal(buf, "[fe80::2]%if99999:4000");
	ifnames_destroy(ctx.ifn);
}

/* One saved-names record holding the given devices, as --save writes. */
static size_t make_record(char *buf, size_t cap, const uint32_t *idx,
			  const char *const *names, size_t n)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_NOOP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, 8), IFNAMES_MAGIC, 8);
	for (size_t i = 0; i < n; i++) {
		struct {
			uint32_t ifindex;
			char name[IFNAME_BUFLEN];
		} l = {.ifindex = idx[i]};

		strncpy(l.name, names[i], sizeof(l.name) - 1);
		mnl_attr_put(nlh, 1, sizeof(l), &l);
	}
	assert_true(nlh->nlmsg_len <= cap);
	return nlh->nlmsg_len;
}

/*
 * --load shows the names saved with the sockets and nothing local: lo is
 * index 1 here, but the saved namespace calls 1 "eth\e]0;x\a", escaped
 * in the table and whole in JSON; an index it did not save is "if<n>".
 */
static void test_saved_names(void **unused)
{
	static const uint32_t idx[] = {1, 14};
	static const char *const names[] = {"eth\x1b]0;x\x07", "wan0"};
	struct opts o = {.protocols = PROTO_TCP};
	struct fmt_ctx ctx = {.o = &o, .ifn = ifnames_create()};
	char buf[ENDPOINT_STRLEN], rec[512], name[IFNAME_BUFLEN];
	struct sock_rec r = make_rec(AF_INET6, "fe80::1", 22, "fe80::2", 4000);

	(void)unused;
	make_record(rec, sizeof(rec), idx, names, 2);
	ifnames_use_saved(ctx.ifn);
	assert_int_equal(ifnames_load_record(ctx.ifn, (struct nlmsghdr *)rec),
			 0);
	r.ifindex = 1;
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[fe80::1]%eth\\x1b]0;x\\x07:22");
	r.ifindex = 2;
	format_endpoint(buf, &ctx, &r, false);
	assert_string_equal(buf, "[fe80::1]%if2:22");
	assert_null(ifnames_lookup(ctx.ifn, 2, name));
	assert_int_equal(ifnames_index(ctx.ifn, "wan0"), 14);
	assert_int_equal(ifnames_index(ctx.ifn, "lo"), 0);
	/* Not ours: skipped. Ours but cut short: refused. */
	memcpy(rec + MNL_NLMSG_HDRLEN, "SOMEONE!", 8);
	assert_int_equal(ifnames_load_record(ctx.ifn, (struct nlmsghdr *)rec),
			 -ENOMSG);
	make_record(rec, sizeof(rec), idx, names, 1);
	((struct nlmsghdr *)rec)->nlmsg_len -= 4;
	assert_int_equal(ifnames_load_record(ctx.ifn, (struct nlmsghdr *)rec),
			 -EBADMSG);
	ifnames_destroy(ctx.ifn);
}

/* What --save writes is what --load reads: the live names of here. */
static void test_saved_names_roundtrip(void **unused)
{
	struct ifnames *ifn = ifnames_create();
	char buf[65536], name[IFNAME_BUFLEN];
	int fd = memfd_create("save", 0);
	ssize_t n;

	(void)unused;
	assert_true(fd >= 0);
	assert_int_equal(ifnames_save(fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > (ssize_t)MNL_NLMSG_HDRLEN);
	close(fd);
	ifnames_use_saved(ifn);
	assert_int_equal(ifnames_load_record(ifn, (struct nlmsghdr *)buf), 0);
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_len, n);
	assert_string_equal(ifnames_lookup(ifn, 1, name), "lo");
	ifnames_destroy(ifn);
}

/* The buffer escaper and the stream escaper are one escaping. */
static void test_escape_text_agrees(void **unused)
{
	char all[256], esc[4 * 256 + 1];
	struct capture c;
	size_t n;

	(void)unused;
	for (int i = 0; i < 256; i++) {
		all[i] = (char)i;
	}
	n = escape_text(esc, all, sizeof(all));
	assert_int_equal(n, strlen(esc));
	cap_start(&c);
	obuf_escape_text(&c.ob, all, sizeof(all));
	assert_string_equal(cap_end(&c), esc);
}

static void test_escape_text(void **unused)
{
	struct capture c;
	static const char evil[] = "\x1b[31mred\x07\\ok\x9b\xff";

	(void)unused;
	cap_start(&c);
	obuf_escape_text(&c.ob, evil, sizeof(evil) - 1);
	assert_string_equal(cap_end(&c), "\\x1b[31mred\\x07\\\\ok\\x9b\\xff");
}

/* escape_dup: the same text, allocated whole (a path's 4 bytes a byte). */
static void test_escape_dup(void **unused)
{
	char *e = escape_dup("/r\x1b]0;t\x07\n\\");
	char *empty = escape_dup("");

	(void)unused;
	assert_string_equal(e, "/r\\x1b]0;t\\x07\\x0a\\\\");
	assert_string_equal(empty, "");
	free(e);
	free(empty);
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
	assert_string_equal(cap_end(&c), "\"/system.slice/a\\\\x2db\\\\xff\" "
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
	assert_string_equal(cap_end(&c), "sshd\\\",pid=1),(\\\"\\\\\\x1b "
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
	assert_string_equal(cap_end(&c), "ns\\\"x\\\\\\\\y\\\\x1b\\\\x0a");
}

static void test_table_and_json_rows(void **unused)
{
	struct opts o = {.protocols = PROTO_TCP | PROTO_UDP};
	struct capture c;
	struct fmt_ctx ctx = {.o = &o};
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
	assert_string_equal(
	    cap_end(&c),
	    "Netid State       Recv-Q  Send-Q Local Address:Port Peer "
	    "Address:Port\n"
	    "tcp   LISTEN      0       128    127.0.0.1:8080     *:*\n"
	    "udp   ESTABLISHED 1234567 0      [::1]:40000        [::1]:8080\n");

	cap_start(&c);
	ctx.out = &c.ob;
	fmt_json.begin(&ctx);
	fmt_json.row(&ctx, &a);
	fmt_json.end(&ctx);
	assert_string_equal(
	    cap_end(&c),
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

/* Every line of text: its words start where the first line's do. */
static void assert_aligned(const char *text, int words)
{
	size_t first[16] = {0};
	int lines = 0;

	assert_true(words <= 16);
	for (const char *line = text; *line; lines++) {
		const char *nl = strchr(line, '\n');
		const char *p = line;

		assert_non_null(nl);
		for (int w = 0; w < words; w++) {
			while (*p == ' ') {
				p++;
			}
			assert_true(p < nl);
			if (lines == 0) {
				first[w] = (size_t)(p - line);
			} else if ((size_t)(p - line) != first[w]) {
				fail_msg(
				    "line %d word %d at %zu, not %zu: %.*s",
				    lines + 1, w + 1, (size_t)(p - line),
				    first[w], (int)(nl - line), line);
			}
			while (*p != ' ' && p < nl) {
				p++;
			}
		}
		line = nl + 1;
	}
	assert_true(lines > 1);
}

/*
 * 1500 rows, the widest last (a full IPv6 address, a 10-digit Send-Q,
 * ESTABLISHED after TIME_WAITs): past the 1024 held back, widths cannot
 * grow, so they must already hold the widest row. -H: data widths only.
 */
static void test_table_stays_aligned(void **unused)
{
	static const char states[] = "state time-wait state established";
	struct filter_error ferr = {0};
	struct opts o = {.protocols = PROTO_TCP,
			 .families = FAM_INET | FAM_INET6};
	struct fmt_ctx ctx = {.o = &o};
	struct sock_rec tw = make_rec(AF_INET, "10.0.0.1", 80, "10.0.0.2", 1);
	struct sock_rec wide =
	    make_rec(AF_INET6, "2001:db8:1:2:3:4:5:6", 65535,
		     "2001:db8:ffff:ffff:ffff:ffff:ffff:fff", 65535);
	struct obuf ob;
	int fd = memfd_create("out", 0);
	char *text;
	off_t size;

	(void)unused;
	assert_int_equal(filter_parse_text(0, NULL, states, sizeof(states) - 1,
					   &o.filter, &ferr),
			 0);
	tw.state = SS_TIME_WAIT;
	wide.send_q = 4000000000u;
	wide.recv_q = 4000000000u;
	for (int pass = 0; pass < 2; pass++) {
		o.no_header = pass == 1;
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		obuf_init(&ob, fd, 4096);
		ctx.out = &ob;
		fmt_table.begin(&ctx);
		for (int i = 0; i < 1500; i++) {
			fmt_table.row(&ctx, &tw);
		}
		fmt_table.row(&ctx, &wide);
		fmt_table.end(&ctx);
		assert_int_equal(obuf_finish(&ob), 0);
		size = lseek(fd, 0, SEEK_END);
		assert_true(size > 0);
		text = calloc(1, (size_t)size + 1);
		assert_non_null(text);
		assert_int_equal(pread(fd, text, (size_t)size, 0), size);
		/* The header's two-word address titles: skip that line. */
		assert_aligned(o.no_header ? text : strchr(text, '\n') + 1, 5);
		free(text);
	}
	close(fd);
	filter_destroy(o.filter);
}

/* -H: the columns fit the data, not the titles that are not printed. */
static void test_table_no_header_widths(void **unused)
{
	struct opts o = {.protocols = PROTO_TCP, .no_header = true};
	struct capture c;
	struct fmt_ctx ctx = {.o = &o};
	struct sock_rec a = make_rec(AF_INET, "127.0.0.1", 80, "0.0.0.0", 0);

	(void)unused;
	a.state = SS_LISTEN;
	a.send_q = 5;
	cap_start(&c);
	ctx.out = &c.ob;
	fmt_table.begin(&ctx);
	fmt_table.row(&ctx, &a);
	fmt_table.end(&ctx);
	assert_string_equal(cap_end(&c), "LISTEN 0 5 127.0.0.1:80 *:*\n");
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

/* The table's queue and UNIX inode cells: as "%" PRIu64 would print. */
static void test_u64_dec(void **unused)
{
	static const uint64_t v[] = {0, 7, 10, 4294967295u, UINT64_MAX};
	char got[21], want[21];

	(void)unused;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(got, 'x', sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		assert_int_equal(u64_dec(got, v[i]), strlen(want));
		assert_string_equal(got, want);
	}
	/* Two digits per step: every length, odd and even, and each power
	 * of ten and the number before it. */
	for (uint64_t x = 0; x <= 100100; x++) {
		snprintf(want, sizeof(want), "%" PRIu64, x);
		assert_int_equal(u64_dec(got, x), strlen(want));
		assert_string_equal(got, want);
	}
	for (uint64_t p = 10; p <= UINT64_MAX / 10; p *= 10) {
		for (uint64_t x = p - 1; x <= p + 1; x++) {
			snprintf(want, sizeof(want), "%" PRIu64, x);
			assert_int_equal(u64_dec(got, x), strlen(want));
			assert_string_equal(got, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_endpoints),
	    cmocka_unit_test(test_u64_dec),
	    cmocka_unit_test(test_scoped_endpoint),
	    cmocka_unit_test(test_saved_names),
	    cmocka_unit_test(test_saved_names_roundtrip),
	    cmocka_unit_test(test_escape_text_agrees),
	    cmocka_unit_test(test_escape_text),
	    cmocka_unit_test(test_escape_dup),
	    cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_json_backslash_x),
	    cmocka_unit_test(test_escape_quoted),
	    cmocka_unit_test(test_prom_label),
	    cmocka_unit_test(test_table_and_json_rows),
	    cmocka_unit_test(test_table_stays_aligned),
	    cmocka_unit_test(test_table_no_header_widths),
	    cmocka_unit_test(test_obuf_large_and_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

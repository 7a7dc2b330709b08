// SPDX-License-Identifier: MIT
/* Parsers for /proc/net counters, sockstat, sysctl values, the kernel
 * version and sysctl.conf; well-formed and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procnet.h"
#include "sysctl.h"

static void test_counters_pairs(void **unused)
{
	static const char text[] =
	    "TcpExt: SyncookiesSent ListenOverflows ListenDrops "
	    "TCPTimeWaitOverflow\n"
	    "TcpExt: 1 17 18 4\n"
	    "IpExt: InNoRoutes InTruncatedPkts\n"
	    "IpExt: 0 0\n";
	static const char snmp[] =
	    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens "
	    "PassiveOpens\n"
	    "Tcp: 1 200 120000 -1 16 5\n";
	struct counters c = {0};

	(void)unused;
	assert_int_equal(procnet_parse_counters(text, &c), 0);
	assert_int_equal(c.v[CTR_LISTEN_OVERFLOWS], 17);
	assert_int_equal(c.v[CTR_LISTEN_DROPS], 18);
	assert_int_equal(c.v[CTR_TW_OVERFLOW], 4);
	assert_true(c.have & (1u << CTR_TW_OVERFLOW));
	assert_false(c.have & (1u << CTR_ACTIVE_OPENS));
	/* MaxConn -1 is legal and skipped. */
	assert_int_equal(procnet_parse_counters(snmp, &c), 0);
	assert_int_equal(c.v[CTR_ACTIVE_OPENS], 16);
	assert_int_equal(c.v[CTR_PASSIVE_OPENS], 5);
	assert_int_equal(c.v[CTR_LISTEN_OVERFLOWS], 17);
}

static void test_counters_malformed(void **unused)
{
	static const char *const bad[] = {
	    "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n",
	    "TcpExt: ListenOverflows\nTcpExt: 1 2\n",
	    "TcpExt: ListenOverflows\nIpExt: 1\n",
	    "TcpExt: ListenOverflows\n",
	    "TcpExt: ListenOverflows\nTcpExt: x\n",
	    "TcpExt: ListenOverflows\nTcpExt: 99999999999999999999999\n",
	    "no colon here\nno colon here\n",
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct counters c = {.v = {[CTR_LISTEN_OVERFLOWS] = 7}};

		assert_int_equal(procnet_parse_counters(bad[i], &c), -EBADMSG);
		/* Nothing half-filled. */
		assert_int_equal(c.v[CTR_LISTEN_OVERFLOWS], 7);
		assert_int_equal(c.have, 0);
	}
}

static void test_sockstat(void **unused)
{
	static const char v4[] = "sockets: used 120\n"
				 "TCP: inuse 10 orphan 2 tw 5 alloc 12 mem 40\n"
				 "UDP: inuse 3 mem 2\nFRAG: inuse 0 memory 0\n";
	static const char v6[] = "TCP6: inuse 4\nUDP6: inuse 1\n";
	struct sockstat s = {0};

	(void)unused;
	assert_int_equal(procnet_parse_sockstat(v4, &s), 0);
	assert_int_equal(procnet_parse_sockstat(v6, &s), 0);
	assert_int_equal(s.tcp_inuse, 10);
	assert_int_equal(s.tcp_orphan, 2);
	assert_int_equal(s.tcp_tw, 5);
	assert_int_equal(s.tcp_alloc, 12);
	assert_int_equal(s.tcp_mem, 40);
	assert_int_equal(s.udp_inuse, 3);
	assert_int_equal(s.tcp6_inuse, 4);
	assert_true(s.have_tcp && s.have_udp && s.have_tcp6 && s.have_udp6);
	memset(&s, 0, sizeof(s));
	assert_int_equal(procnet_parse_sockstat("TCP: inuse\n", &s), -EBADMSG);
	assert_int_equal(procnet_parse_sockstat("TCP: inuse x\n", &s),
			 -EBADMSG);
	assert_int_equal(procnet_parse_sockstat("garbage\n", &s), -EBADMSG);
	assert_false(s.have_tcp);
}

static void test_ranges(void **unused)
{
	struct port_ranges r;

	(void)unused;
	assert_int_equal(sysctl_parse_ranges("\n", &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(sysctl_parse_ranges("8080,9000-9010\n", &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.r[0].lo, 8080);
	assert_int_equal(r.r[0].hi, 8080);
	assert_int_equal(r.r[1].lo, 9000);
	assert_int_equal(r.r[1].hi, 9010);
	assert_int_equal(sysctl_parse_ranges("9010-9000", &r), -EBADMSG);
	assert_int_equal(sysctl_parse_ranges("70000", &r), -EBADMSG);
	assert_int_equal(sysctl_parse_ranges("80,,81", &r), -EBADMSG);
	assert_int_equal(sysctl_parse_ranges("80 x", &r), -EBADMSG);
	assert_int_equal(sysctl_parse_ranges("-5", &r), -EBADMSG);
}

static void test_ints_and_kver(void **unused)
{
	int64_t v[3];
	struct kver k;

	(void)unused;
	assert_int_equal(sysctl_parse_ints("32768\t60999\n", v, 2), 0);
	assert_int_equal(v[0], 32768);
	assert_int_equal(v[1], 60999);
	assert_int_equal(sysctl_parse_ints("1 2", v, 3), -EBADMSG);
	assert_int_equal(sysctl_parse_ints("1 2 3 4", v, 3), -EBADMSG);
	assert_int_equal(sysctl_parse_ints("", v, 1), -EBADMSG);
	assert_int_equal(sysctl_parse_ints("abc", v, 1), -EBADMSG);
	assert_int_equal(sysctl_parse_kver("6.18.0-13-amd64\n", &k), 0);
	assert_int_equal(k.major, 6);
	assert_int_equal(k.minor, 18);
	assert_true(kver_at_least(&k, 4, 12));
	assert_true(kver_at_least(&k, 6, 18));
	assert_false(kver_at_least(&k, 6, 19));
	assert_int_equal(sysctl_parse_kver("4.9.0", &k), 0);
	assert_false(kver_at_least(&k, 4, 12));
	assert_int_equal(sysctl_parse_kver("linux", &k), -EBADMSG);
}

static void test_conf_scan(void **unused)
{
	static const char text[] = "# net.ipv4.tcp_tw_recycle = 1\n"
				   "; net.ipv4.tcp_tw_recycle = 1\n"
				   "net.ipv4.tcp_tw_recycle_x = 1\n"
				   "  net/ipv4/tcp_tw_recycle=0  \n"
				   "-net.ipv4.tcp_tw_recycle = 1\n";
	char value[32];

	(void)unused;
	assert_int_equal(sysctl_conf_scan(text, "net.ipv4.tcp_tw_recycle",
					  value, sizeof(value)),
			 5);
	assert_string_equal(value, "1");
	assert_int_equal(sysctl_conf_scan("# only comments\n",
					  "net.ipv4.tcp_tw_recycle", value,
					  sizeof(value)),
			 0);
	assert_int_equal(sysctl_conf_scan("net.ipv4.tcp_tw_recycle = 1",
					  "net.ipv4.tcp_tw_recycle", value,
					  sizeof(value)),
			 1);
}

static const char *fixture(const char *name, char *buf, size_t len)
{
	const char *base = getenv("FIXTURES");

	snprintf(buf, len, "%s/%s", base ? base : "tests/fixtures", name);
	return buf;
}

static void test_fixture_tree(void **unused)
{
	struct sysctl_vals sv;
	struct counters c = {0};
	struct sockstat ss = {0};
	struct conf_hit hit;
	char root[512];

	(void)unused;
	fixture("advice-base", root, sizeof(root));
	sysctl_read_all(root, &sv, NULL, NULL);
	assert_true(sysctl_have(&sv, SYS_SOMAXCONN));
	assert_int_equal(sv.v[SYS_SOMAXCONN], 4096);
	assert_false(sysctl_have(&sv, SYS_TW_RECYCLE));
	assert_int_equal(sv.err[SYS_TW_RECYCLE], -ENOENT);
	assert_int_equal(sysctl_usable_ports(&sv), 60999 - 32768 + 1);
	assert_int_equal(sv.tcp_mem[2], 380000);
	assert_int_equal(procnet_read_counters(root, &c, NULL, NULL), 0);
	assert_int_equal(c.v[CTR_LISTEN_OVERFLOWS], 17);
	assert_int_equal(c.v[CTR_ACTIVE_OPENS], 16);
	assert_int_equal(procnet_read_sockstat(root, &ss, NULL, NULL), 0);
	assert_int_equal(ss.tcp6_inuse, 4);
	/* A commented-out line is no hit. */
	assert_int_equal(
	    sysctl_conf_find(root, "net.ipv4.tcp_tw_recycle", &hit), 0);
	fixture("advice-recycle", root, sizeof(root));
	assert_int_equal(
	    sysctl_conf_find(root, "net.ipv4.tcp_tw_recycle", &hit), 1);
	assert_string_equal(hit.file, "etc/sysctl.d/99-tuning.conf");
	assert_int_equal(hit.line, 3);
	assert_string_equal(hit.value, "1");
}

static void test_usable_minus_reserved(void **unused)
{
	struct sysctl_vals sv = {.port_lo = 40000, .port_hi = 43999};

	(void)unused;
	assert_int_equal(
	    sysctl_parse_ranges("40000-40099,40050-40149,50000", &sv.reserved),
	    0);
	/* Overlapping ranges count once; ports outside the range not at all. */
	assert_int_equal(sysctl_usable_ports(&sv), 4000 - 150);
	sv.port_range_err = -ENOENT;
	assert_int_equal(sysctl_usable_ports(&sv), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counters_pairs),
	    cmocka_unit_test(test_counters_malformed),
	    cmocka_unit_test(test_sockstat),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_ints_and_kver),
	    cmocka_unit_test(test_conf_scan),
	    cmocka_unit_test(test_fixture_tree),
	    cmocka_unit_test(test_usable_minus_reserved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

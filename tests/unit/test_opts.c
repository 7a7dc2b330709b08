// SPDX-License-Identifier: MIT
/* The option parser: where the command is found, top's letters, values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"

/* opts_parse() over the words of args; o must be finished by the caller
 * when this returns 0. argv lives in *words (opts keeps pointers). */
struct words {
	char copy[256];
	char *argv[32];
};

static int parse(struct opts *o, struct words *w, const char *args)
{
	int argc = 1;

	snprintf(w->copy, sizeof(w->copy), "%s", args);
	w->argv[0] = w->copy + strlen(w->copy); /* "", not a path */
	for (char *t = strtok(w->copy, " "); t && argc < 31;
	     t = strtok(NULL, " ")) {
		w->argv[argc++] = t;
	}
	w->argv[argc] = NULL;
	return opts_parse(o, argc, w->argv);
}

static void test_command_after_options(void **unused)
{
	static const struct {
		const char *args;
		const struct cmd_entry *cmd;
		const char *netns;
		int filter_words;
	} cases[] = {
	    {"summary -N web", &cmd_summary_entry, "web", 0},
	    {"-N web summary", &cmd_summary_entry, "web", 0},
	    {"-tN web summary", &cmd_summary_entry, "web", 0},
	    {"--net web -t summary", &cmd_summary_entry, "web", 0},
	    {"--net=web summary", &cmd_summary_entry, "web", 0},
	    {"--ne web summary", &cmd_summary_entry, "web", 0},
	    {"-N summary", &cmd_list_entry, "summary", 0},
	    {"-N top kill state listening", &cmd_kill_entry, "top", 2},
	    {"-t state listening", &cmd_list_entry, NULL, 2},
	    {"--format json advise", &cmd_advise_entry, NULL, 0},
	    {"-n -d 1 top -b", &cmd_top_entry, NULL, 0},
	    {"-j list dport = :22", &cmd_list_entry, NULL, 3},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o;
		struct words w;

		print_message("%s\n", cases[i].args);
		assert_int_equal(parse(&o, &w, cases[i].args), 0);
		assert_ptr_equal(o.cmd, cases[i].cmd);
		if (cases[i].netns) {
			assert_string_equal(o.netns, cases[i].netns);
		} else {
			assert_null(o.netns);
		}
		assert_int_equal(o.filter_argc, cases[i].filter_words);
		opts_finish(&o);
	}
}

static void test_late_command_is_filter(void **unused)
{
	struct opts o;
	struct words w;

	(void)unused;
	/* The first plain word starts the filter: a later command name is
	 * a filter word (and a bad one). */
	assert_int_equal(parse(&o, &w, "state listening summary"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "-- summary"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "-s kill state listening"), EXIT_USAGE);
}

static void test_top_letters(void **unused)
{
	struct opts o;
	struct words w;

	(void)unused;
	assert_int_equal(parse(&o, &w, "top -tan -b --iterations 3 -d 0.5"), 0);
	assert_true(o.numeric && o.all && o.top_batch);
	assert_int_equal(o.protocols, PROTO_TCP);
	assert_int_equal(o.top_iterations, 3);
	assert_int_equal(o.top_delay_ms, 500);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "-4 -tl top"), 0);
	assert_true(o.listening);
	assert_int_equal(o.families, FAM_INET);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "top -b -n 1"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "top --iterations"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "--iterations 2"), EXIT_USAGE);
}

static void test_interval_fractions(void **unused)
{
	static const struct {
		const char *args;
		unsigned int ms;
	} good[] = {
	    {"advise", 1000},
	    {"advise --interval 0.5", 500},
	    {"advise --interval 0", 0},
	    {"advise --interval 2", 2000},
	    {"advise --interval 3600", 3600000},
	};
	static const char *const bad[] = {
	    "advise --interval 0.05",
	    "advise --interval -1",
	    "advise --interval 1e3",
	    "advise --interval 0x10",
	    "advise --interval 3601",
	    "advise --interval x",
	    "top -d 0",
	};
	struct opts o;
	struct words w;

	(void)unused;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse(&o, &w, good[i].args), 0);
		assert_int_equal(o.interval_ms, good[i].ms);
		opts_finish(&o);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(parse(&o, &w, bad[i]), EXIT_USAGE);
	}
}

/* Each family's options select its tables and family, as ss's do. */
static void test_family_tables(void **unused)
{
	static const struct {
		const char *args;
		uint32_t protocols, families;
	} cases[] = {
	    {"-0", PROTO_PACKET_MASK, FAM_PACKET},
	    {"--packet", PROTO_PACKET_MASK, FAM_PACKET},
	    {"-f link", PROTO_PACKET_MASK, FAM_PACKET},
	    {"-A packet_raw", PROTO_PACKET_RAW, FAM_PACKET},
	    {"-A netlink", PROTO_NETLINK, FAM_NETLINK},
	    {"-f netlink", PROTO_NETLINK, FAM_NETLINK},
	    {"-M", PROTO_MPTCP, FAM_INET | FAM_INET6},
	    {"-M -4", PROTO_MPTCP, FAM_INET},
	    {"-w", PROTO_RAW, FAM_INET | FAM_INET6},
	    {"--raw -6", PROTO_RAW, FAM_INET6},
	    {"-S", PROTO_SCTP, FAM_INET | FAM_INET6},
	    {"--vsock", PROTO_VSOCK_MASK, FAM_VSOCK},
	    {"-A vsock_seqpacket", PROTO_VSOCK_SEQPACKET, FAM_VSOCK},
	    {"-f vsock", PROTO_VSOCK_MASK, FAM_VSOCK},
	    {"-A vsock_dgram", PROTO_VSOCK_DGRAM, FAM_VSOCK},
	    {"--tipc", PROTO_TIPC, FAM_TIPC},
	    {"-f xdp", PROTO_XDP, FAM_XDP},
	    /* DCCP: an inet table, probed only; -f inet does not add it. */
	    {"--dccp", PROTO_DCCP, FAM_INET | FAM_INET6},
	    {"-A dccp -4", PROTO_DCCP, FAM_INET},
	    /* A family named without one of its tables adds its own,
	     * as ss's filter_merge_defaults() does. */
	    {"-t -f netlink", PROTO_TCP | PROTO_NETLINK,
	     FAM_NETLINK | FAM_INET | FAM_INET6},
	    {"-f netlink -A tcp", PROTO_TCP | PROTO_NETLINK,
	     FAM_NETLINK | FAM_INET | FAM_INET6},
	    {"-t -6 -f netlink", PROTO_TCP | PROTO_NETLINK,
	     FAM_NETLINK | FAM_INET6},
	    {"-x -f inet", PROTO_UNIX_MASK | PROTO_INET_MASK,
	     FAM_UNIX | FAM_INET},
	    {"-x -4", PROTO_UNIX_MASK | PROTO_INET_MASK, FAM_UNIX | FAM_INET},
	    {"-t -f unix", PROTO_TCP | PROTO_UNIX_MASK,
	     FAM_UNIX | FAM_INET | FAM_INET6},
	    {"-u -f link", PROTO_UDP | PROTO_PACKET_MASK,
	     FAM_PACKET | FAM_INET | FAM_INET6},
	    /* MPTCP is a table of inet: nothing more. */
	    {"-M -f inet", PROTO_MPTCP, FAM_INET},
	    {"-f inet", PROTO_INET_MASK, FAM_INET},
	    {"-f netlink -f inet", PROTO_NETLINK | PROTO_INET_MASK,
	     FAM_NETLINK | FAM_INET},
	    {"-0 -A netlink", PROTO_PACKET_MASK | PROTO_NETLINK,
	     FAM_PACKET | FAM_NETLINK},
	};
	struct opts o;
	struct words w;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s\n", cases[i].args);
		assert_int_equal(parse(&o, &w, cases[i].args), 0);
		assert_int_equal(o.protocols, cases[i].protocols);
		assert_int_equal(o.families, cases[i].families);
		opts_finish(&o);
	}
	/* -A all: every listed table, not the probed ones. */
	assert_int_equal(parse(&o, &w, "-A all"), 0);
	assert_true((o.protocols & PROTO_PACKET_MASK) == PROTO_PACKET_MASK &&
		    (o.protocols & PROTO_NETLINK) &&
		    (o.protocols & PROTO_MPTCP) && (o.protocols & PROTO_RAW) &&
		    (o.protocols & PROTO_SCTP) &&
		    !(o.protocols & PROTO_PROBE_MASK));
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "-A nosuch"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "-f bluetooth"), EXIT_USAGE);
	/* top takes the listing's tables, by the registry's letters and
	 * names; watch lists TCP and UDP only. */
	assert_int_equal(parse(&o, &w, "top -A netlink"), 0);
	assert_int_equal(o.protocols, PROTO_NETLINK);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "top -b -x0wM"), 0);
	assert_int_equal(o.protocols, PROTO_UNIX_MASK | PROTO_PACKET_MASK |
					  PROTO_RAW | PROTO_MPTCP);
	assert_true(o.top_batch);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "top --unix -d 1 -f netlink"), 0);
	assert_int_equal(o.protocols, PROTO_UNIX_MASK | PROTO_NETLINK);
	assert_int_equal(o.top_delay_ms, 1000);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "-d"), EXIT_USAGE); /* top's only */
	assert_int_equal(parse(&o, &w, "watch -M"), EXIT_USAGE);
	assert_int_equal(parse(&o, &w, "watch -f link"), EXIT_USAGE);
}

/* --all-netns: list, summary, advise and top walk every namespace; the
 * others (one namespace at a time) refuse it rather than ignore it. */
static void test_all_netns_commands(void **unused)
{
	static const char *const good[] = {
	    "--all-netns",
	    "summary --all-netns",
	    "--all-netns advise",
	    "advise --all-netns --format prometheus",
	    "-s --all-netns -j",
	    "top --all-netns",
	    "top -b --all-netns --iterations 1",
	};
	static const char *const bad[] = {
	    "top --all-netns -N web",	  "kill --all-netns state listening",
	    "watch --all-netns",	  "diagram --all-netns",
	    "summary --all-netns -N web",
	};
	struct opts o;
	struct words w;

	(void)unused;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		print_message("%s\n", good[i]);
		assert_int_equal(parse(&o, &w, good[i]), 0);
		assert_true(o.all_netns);
		opts_finish(&o);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(parse(&o, &w, bad[i]), EXIT_USAGE);
	}
}

/* SOCKSCOPE_NETNS_THREADS: unset or empty is the default (-1), 0 to 4 a
 * count, anything else a usage error; read by list --all-netns only,
 * ignored (-1) elsewhere, also when it is bad. */
static void test_netns_threads_env(void **unused)
{
	static const struct {
		const char *value; /* NULL: unset */
		const char *args;
		int ret, threads;
	} cases[] = {
	    {NULL, "--all-netns -tan", 0, -1},
	    {"", "--all-netns -tan", 0, -1},
	    {"0", "--all-netns -tan", 0, 0},
	    {"4", "--all-netns -tan", 0, 4},
	    {"5", "--all-netns -tan", EXIT_USAGE, 0},
	    {"x", "--all-netns -tan", EXIT_USAGE, 0},
	    {"-1", "--all-netns -tan", EXIT_USAGE, 0},
	    {"x", "-tan", 0, -1},
	    {"2", "-tan", 0, -1},
	    {"x", "summary --all-netns", 0, -1},
	    {"x", "-s --all-netns", 0, -1},
	    {"x", "advise --all-netns", 0, -1},
	    {"x", "top --all-netns", 0, -1},
	    {"x", "watch", 0, -1},
	    {"x", "explain listen", 0, -1},
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct opts o;
		struct words w;
		int ret;

		if (cases[i].value) {
			setenv("SOCKSCOPE_NETNS_THREADS", cases[i].value, 1);
		} else {
			unsetenv("SOCKSCOPE_NETNS_THREADS");
		}
		print_message("%s %s\n", cases[i].value ? cases[i].value : "-",
			      cases[i].args);
		ret = parse(&o, &w, cases[i].args);
		assert_int_equal(ret, cases[i].ret);
		if (!ret) {
			assert_int_equal(o.netns_threads, cases[i].threads);
			opts_finish(&o);
		}
	}
	unsetenv("SOCKSCOPE_NETNS_THREADS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command_after_options),
	    cmocka_unit_test(test_late_command_is_filter),
	    cmocka_unit_test(test_top_letters),
	    cmocka_unit_test(test_interval_fractions),
	    cmocka_unit_test(test_family_tables),
	    cmocka_unit_test(test_all_netns_commands),
	    cmocka_unit_test(test_netns_threads_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

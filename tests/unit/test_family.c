// SPDX-License-Identifier: MIT
/* The family registry: its entries agree with themselves, and acquire.c's
 * selection of rows follows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "acquire.h"
#include "family.h"
#include "filter.h"
#include "format.h"
#include "opts.h"
#include "sock.h"

/* opts_parse() over the words of args (opts keeps pointers into w). */
struct words {
	char copy[256];
	char *argv[32];
};

static int parse(struct opts *o, struct words *w, const char *args)
{
	int argc = 1;

	snprintf(w->copy, sizeof(w->copy), "%s", args);
	w->argv[0] = w->copy + strlen(w->copy);
	for (char *t = strtok(w->copy, " "); t && argc < 31;
	     t = strtok(NULL, " ")) {
		w->argv[argc++] = t;
	}
	w->argv[argc] = NULL;
	return opts_parse(o, argc, w->argv);
}

/* Every entry's tables are its PROTO_ bits, one each; a family read in one
 * request has one set of default states; every af has a states slot. */
static void test_tables_agree(void **unused)
{
	size_t n;
	const struct sock_family *const *fams = family_all(&n);
	uint32_t seen = 0;

	(void)unused;
	for (size_t i = 0; i < n; i++) {
		const struct sock_family *f = fams[i];
		uint32_t bits = 0;

		print_message("%s\n", f->name);
		assert_true(f->af < ACQUIRE_AF_MAX);
		if (f->dump == FDUMP_PROBE) {
			assert_true(f->probe_only);
			assert_null(f->tables);
			/* a probed inet_diag table goes through inet's
			 * request and parser, and leaves AF_INET inet's */
			assert_true(!f->probe_protocol || f->af == AF_INET);
			assert_true(family_of(f->af) != f ||
				    !f->probe_protocol);
			continue;
		}
		assert_int_equal(f->probe_protocol, 0);
		assert_non_null(f->tables);
		for (const struct family_table *t = f->tables; t->name; t++) {
			assert_int_equal(t->bit & (t->bit - 1), 0);
			assert_int_equal(bits & t->bit, 0);
			bits |= t->bit;
			if (f->dump == FDUMP_FAMILY) {
				assert_int_equal(t->states,
						 f->tables[0].states);
				assert_int_equal(t->listening,
						 f->tables[0].listening);
			} else {
				assert_true(t->code >= 0 && t->code < 256);
			}
		}
		assert_int_equal(bits, f->proto_bits);
		/* a row of each table is counted in it (summary) */
		for (const struct family_table *t = f->tables; t->name; t++) {
			struct sock_rec rec = {
			    .family = f->af,
			    .protocol = (uint8_t)(t->code < 0 ? 9 : t->code)};

			assert_int_equal(family_proto_bit(&rec), t->bit);
			if (f->af == AF_INET) {
				rec.family = AF_INET6;
				assert_int_equal(family_proto_bit(&rec),
						 t->bit);
			}
		}
		assert_int_equal(seen & bits, 0);
		seen |= bits;
	}
}

static bool selects(const char *args, uint8_t af, uint8_t protocol,
		    uint8_t state)
{
	struct opts o;
	struct words w;
	struct acquire a;
	struct sock_rec rec = {
	    .family = af, .protocol = protocol, .state = state};
	bool yes;

	assert_int_equal(parse(&o, &w, args), 0);
	acquire_init(&a, &o);
	yes = acquire_selects(&a, &rec);
	acquire_finish(&a);
	opts_finish(&o);
	return yes;
}

/* Tables, families and default states as the registry has them. */
static void test_selection(void **unused)
{
	(void)unused;
	assert_true(selects("-t", AF_INET, 6, SS_ESTABLISHED));
	assert_true(selects("-t", AF_INET6, 6, SS_ESTABLISHED));
	assert_false(selects("-t", AF_INET, 6, SS_LISTEN));
	assert_true(selects("-tl", AF_INET, 6, SS_LISTEN));
	assert_false(selects("-t -4", AF_INET6, 6, SS_ESTABLISHED));
	assert_false(selects("-t", AF_INET, 17, SS_ESTABLISHED));
	/* UDP: connected ones by default, as ss */
	assert_false(selects("-u", AF_INET, 17, SS_CLOSE));
	assert_true(selects("-ua", AF_INET, 17, SS_CLOSE));
	assert_true(selects("-x", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	assert_true(selects("-x", AF_UNIX, SOCK_SEQPACKET, SS_ESTABLISHED));
	assert_false(selects("-x", AF_UNIX, SOCK_STREAM, SS_LISTEN));
	assert_false(
	    selects("-A unix_dgram", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	assert_false(selects("-x", AF_INET, 6, SS_ESTABLISHED));
	/* PACKET and NETLINK sockets are UNCONN: listed without -a */
	assert_true(selects("-0", AF_PACKET, SOCK_RAW, SS_CLOSE));
	assert_false(selects("-A packet_dgram", AF_PACKET, SOCK_RAW, SS_CLOSE));
	assert_true(selects("-A netlink", AF_NETLINK, 0, SS_CLOSE));
	assert_true(selects("-A netlink", AF_NETLINK, 16, SS_CLOSE));
	assert_true(selects("-t -f netlink", AF_NETLINK, 0, SS_CLOSE));
	assert_true(selects("-M", AF_INET, SOCK_PROTO_MPTCP, SS_ESTABLISHED));
	assert_false(selects("-M", AF_INET, 6, SS_ESTABLISHED));
	assert_true(selects("-w -a", AF_INET6, 255, SS_CLOSE));
	/* a state word: every table lists that state only */
	assert_true(
	    selects("-x state listening", AF_UNIX, SOCK_STREAM, SS_LISTEN));
	assert_false(
	    selects("-0 state listening", AF_PACKET, SOCK_RAW, SS_CLOSE));
	/* a probed family's reply (--load) is no row */
	assert_false(selects("--tipc -a", AF_TIPC, SOCK_STREAM, SS_CLOSE));
	assert_false(selects("-A dccp -a", AF_INET, IPPROTO_DCCP, SS_LISTEN));
	assert_false(selects("-a", AF_INET6, IPPROTO_DCCP, SS_ESTABLISHED));
	/* VSOCK: connected by default, as ss (SS_CONN); a table per type */
	assert_true(selects("--vsock -a", AF_VSOCK, SOCK_STREAM, SS_CLOSE));
	assert_true(
	    selects("--vsock", AF_VSOCK, SOCK_SEQPACKET, SS_ESTABLISHED));
	assert_false(selects("--vsock", AF_VSOCK, SOCK_STREAM, SS_LISTEN));
	assert_true(selects("--vsock -l", AF_VSOCK, SOCK_STREAM, SS_LISTEN));
	assert_false(
	    selects("-A vsock_dgram", AF_VSOCK, SOCK_STREAM, SS_ESTABLISHED));
}

/* -A takes the Netid column's names as ss's aliases (u_str, p_raw, v_dgr),
 * and "!NAME" takes a table out, in order, after the defaults. */
static void test_query_aliases_and_negation(void **unused)
{
	struct opts o;
	struct words w;

	(void)unused;
	assert_true(selects("-A u_str", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	assert_false(selects("-A u_str", AF_UNIX, SOCK_DGRAM, SS_ESTABLISHED));
	assert_true(selects("-A u_dgr -a", AF_UNIX, SOCK_DGRAM, SS_CLOSE));
	assert_true(
	    selects("-A u_seq", AF_UNIX, SOCK_SEQPACKET, SS_ESTABLISHED));
	assert_true(selects("-A p_raw", AF_PACKET, SOCK_RAW, SS_CLOSE));
	assert_false(selects("-A p_raw", AF_PACKET, SOCK_DGRAM, SS_CLOSE));
	assert_true(selects("-A p_dgr", AF_PACKET, SOCK_DGRAM, SS_CLOSE));
	assert_true(selects("-A v_str -a", AF_VSOCK, SOCK_STREAM, SS_CLOSE));
	assert_false(selects("-A v_dgr -a", AF_VSOCK, SOCK_STREAM, SS_CLOSE));
	/* negation, in order */
	assert_true(selects("-A all,!unix -a", AF_INET, 6, SS_LISTEN));
	assert_false(
	    selects("-A all,!unix", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	assert_true(
	    selects("-A unix,!u_dgr", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	assert_false(
	    selects("-A unix,!u_dgr -a", AF_UNIX, SOCK_DGRAM, SS_CLOSE));
	assert_true(
	    selects("-A !unix,unix", AF_UNIX, SOCK_STREAM, SS_ESTABLISHED));
	/* taken out of the defaults: -A !tcp is UDP */
	assert_false(selects("-A !tcp", AF_INET, 6, SS_ESTABLISHED));
	assert_true(selects("-A !tcp", AF_INET, 17, SS_ESTABLISHED));
	/* named again by an option after the -A */
	assert_true(selects("-A !tcp -t", AF_INET, 6, SS_ESTABLISHED));
	/* nothing left is a usage error */
	assert_int_equal(parse(&o, &w, "-A all,!all"), 2);
	opts_finish(&o);
	assert_int_equal(parse(&o, &w, "-A !nosuch"), 2);
	opts_finish(&o);
}

/* acquire_set_states: every table, whatever its defaults. */
static void test_set_states(void **unused)
{
	struct opts o;
	struct words w;
	struct acquire a;
	struct sock_rec unx = {
	    .family = AF_UNIX, .protocol = SOCK_STREAM, .state = SS_LISTEN};
	struct sock_rec nl = {
	    .family = AF_NETLINK, .protocol = 0, .state = SS_CLOSE};
	struct sock_rec udp = {
	    .family = AF_INET, .protocol = 17, .state = SS_CLOSE};

	(void)unused;
	assert_int_equal(parse(&o, &w, "-A all"), 0);
	acquire_init(&a, &o);
	assert_false(acquire_selects(&a, &unx));
	assert_false(acquire_selects(&a, &udp));
	acquire_set_states(&a, SS_ALL_BITS);
	assert_true(acquire_selects(&a, &unx));
	assert_true(acquire_selects(&a, &nl));
	assert_true(acquire_selects(&a, &udp));
	acquire_set_states(&a, SS_BIT(SS_LISTEN));
	assert_false(acquire_selects(&a, &nl));
	acquire_finish(&a);
	opts_finish(&o);
}

/* Every family option of the registry, as its letter and as --name,
 * selects what its entry says (getopt is given the registry's). */
static void test_options_from_registry(void **unused)
{
	const struct family_opt *fo;
	size_t n = 0;

	(void)unused;
	for (size_t i = 0; (fo = family_opt_at(i)); i++, n++) {
		char args[64];
		struct opts o;
		struct words w;

		for (int form = 0; form < 2; form++) {
			if (form == 0 && !fo->letter) {
				continue;
			}
			if (form == 0) {
				snprintf(args, sizeof(args), "-%c", fo->letter);
			} else {
				snprintf(args, sizeof(args), "--%s", fo->name);
			}
			print_message("%s\n", args);
			assert_int_equal(parse(&o, &w, args), 0);
			assert_int_equal(o.protocols & fo->protos, fo->protos);
			assert_int_equal(o.families & fo->fams, fo->fams);
			opts_finish(&o);
		}
	}
	assert_true(n >= 12);
	/* -f's words are the registry's too */
	assert_int_equal(family_fam_name("local"), FAM_UNIX);
	assert_int_equal(family_fam_name("link"), FAM_PACKET);
	assert_int_equal(family_fam_name("bluetooth"), 0);
}

/* filter_match() of text (one word) on rec. */
static bool match(const char *text, const struct sock_rec *rec)
{
	const char *argv[] = {text};
	struct filter_error err = {0};
	struct filter *f = NULL;
	bool yes;

	if (filter_parse(1, (char *const *)argv, &f, &err)) {
		fail_msg("'%s' did not parse: %s", text, err.msg);
	}
	yes = filter_match(f, rec);
	filter_destroy(f);
	return yes;
}

/*
 * A predicate a family does not answer is false for its rows, as ss has
 * it; a port condition is every family's (the UNIX inode), and autobound
 * is each family's own.
 */
static void test_predicates_by_family(void **unused)
{
	static const char abstract[] = "\0"
				       "1a2b3";
	static const char named[] = "/run/x.sock";
	struct sock_rec unx = {.family = AF_UNIX,
			       .protocol = SOCK_STREAM,
			       .state = SS_ESTABLISHED,
			       .inode = 80,
			       .peer_inode = 81};
	struct sock_rec tcp = {.family = AF_INET,
			       .protocol = 6,
			       .state = SS_ESTABLISHED,
			       .sport = 80,
			       .dport = 40000,
			       .saddr = {127, 0, 0, 1},
			       .daddr = {127, 0, 0, 1}};
	struct sock_rec pkt = {
	    .family = AF_PACKET, .protocol = SOCK_RAW, .state = SS_CLOSE};
	struct sock_rec nl = {
	    .family = AF_NETLINK, .protocol = 0, .state = SS_CLOSE};

	(void)unused;
	/* an address: inet's only */
	assert_true(match("src 127.0.0.1", &tcp));
	assert_false(match("src 127.0.0.1", &unx));
	assert_true(match("not src 127.0.0.1", &unx));
	assert_false(match("src 0.0.0.0/8", &pkt));
	/* no address to compare: the port condition alone (ss: bitlen 0) */
	assert_true(match("src *", &unx));
	assert_false(match("src 0.0.0.0/0", &unx));
	assert_true(match("src :80", &unx));
	assert_true(match("dport = :81", &unx));
	assert_false(match("dport = :80", &unx));
	/* a UNIX name: UNIX's only */
	unx.ext.path = named;
	unx.ext.path_len = sizeof(named) - 1;
	assert_true(match("src /run/*", &unx));
	assert_false(match("src /run/*", &tcp));
	assert_false(match("src /run/*", &nl));
	/* autobound: each family's own */
	assert_false(match("autobound", &unx));
	unx.ext.path = abstract;
	unx.ext.path_len = sizeof(abstract) - 1;
	assert_true(match("autobound", &unx));
	unx.ext.path = NULL;
	unx.ext.path_len = 0;
	assert_true(match("autobound", &unx));
	assert_true(match("autobound", &pkt));
	pkt.link_proto = 0x0800;
	assert_false(match("autobound", &pkt));
	assert_false(match("autobound", &nl));
	nl.nl.portid = (uint32_t)-4096;
	assert_true(match("autobound", &nl));
	/* owners: every listed family's */
	assert_true(match("uid 0", &nl));
}

/* What asked the family by name before is the registry's answer now: an
 * inet table's netid is its name; the destroy events are inet TCP's and
 * UDP's (watch, top's closed rows); top's key round-trips. */
static void test_registry_answers(void **unused)
{
	char buf[8];
	struct sock_rec a = {.family = AF_UNIX, .protocol = SOCK_STREAM};
	struct sock_rec b = a, back;
	uint8_t ka[FAMILY_KEY_MAX], kb[FAMILY_KEY_MAX];
	const struct sock_family *u = family_of(AF_UNIX);
	size_t na, nb;

	(void)unused;
	assert_string_equal(format_netid(IPPROTO_TCP, buf), "tcp");
	assert_string_equal(format_netid(IPPROTO_UDP, buf), "udp");
	assert_string_equal(format_netid(IPPROTO_RAW, buf), "raw");
	assert_string_equal(format_netid(IPPROTO_SCTP, buf), "sctp");
	assert_string_equal(format_netid(SOCK_PROTO_MPTCP, buf), "mptcp");
	assert_string_equal(format_netid(99, buf), "p99");
	assert_true(family_destroy_events(AF_INET, IPPROTO_TCP));
	assert_true(family_destroy_events(AF_INET6, IPPROTO_UDP));
	assert_false(family_destroy_events(AF_INET, SOCK_PROTO_MPTCP));
	assert_false(family_destroy_events(AF_INET6, IPPROTO_RAW));
	assert_false(family_destroy_events(AF_INET, IPPROTO_SCTP));
	assert_false(family_destroy_events(AF_UNIX, SOCK_STREAM));
	assert_false(family_destroy_events(AF_NETLINK, IPPROTO_TCP));
	assert_false(family_destroy_events(AF_PACKET, SOCK_RAW));
	a.peer_inode = 7;
	a.ext.path = "/run/a";
	a.ext.path_len = 6;
	b.ext.path = "/run/b";
	b.ext.path_len = 6;
	na = u->key(ka, &a);
	nb = u->key(kb, &b);
	assert_true(u->key_cmp(ka, na, kb, nb, false) < 0);
	assert_true(u->key_cmp(ka, na, kb, nb, true) > 0);
	memset(&back, 0, sizeof(back));
	u->key_rec(ka, na, &back);
	assert_int_equal(back.peer_inode, 7);
	assert_int_equal(back.ext.path_len, 6);
	assert_memory_equal(back.ext.path, "/run/a", 6);
}

/* Names in capitals for messages: letters only change (a digit or '-'
 * lost bit 5 to `& ~0x20`), and every entry's name fits whole. */
static void test_upper_names(void **unused)
{
	char buf[FAMILY_UPPER_MAX];
	size_t n;
	const struct sock_family *const *fams = family_all(&n);

	(void)unused;
	assert_string_equal(family_upper(buf, "packet"), "PACKET");
	assert_string_equal(family_upper(buf, "v_str-2"), "V_STR-2");
	assert_string_equal(family_upper(buf, "a123456789abcdefgh"),
			    "A123456789ABCDE");
	for (size_t i = 0; i < n; i++) {
		print_message("%s\n", fams[i]->name);
		assert_true(strlen(fams[i]->name) < FAMILY_UPPER_MAX);
		assert_int_equal(strlen(family_upper(buf, fams[i]->name)),
				 strlen(fams[i]->name));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tables_agree),
	    cmocka_unit_test(test_selection),
	    cmocka_unit_test(test_query_aliases_and_negation),
	    cmocka_unit_test(test_set_states),
	    cmocka_unit_test(test_predicates_by_family),
	    cmocka_unit_test(test_options_from_registry),
	    cmocka_unit_test(test_registry_answers),
	    cmocka_unit_test(test_upper_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

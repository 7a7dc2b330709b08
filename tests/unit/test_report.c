// SPDX-License-Identifier: MIT
/*
 * report.c and its three renderers: the table, JSON and Prometheus text
 * of one report show the same values (fill ratio, tuple share, state
 * counts), each taking its own slice of the listeners.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format_prom.h"
#include "opts.h"
#include "report.h"
#include "state.h"

struct rendered {
	char *table, *json, *prom;
};

static struct sock_rec rec(uint8_t family, uint8_t state, const char *src,
			   uint16_t sport, const char *dst, uint16_t dport)
{
	struct sock_rec r = {.family = family,
			     .protocol = IPPROTO_TCP,
			     .state = state,
			     .sport = sport,
			     .dport = dport};

	inet_pton(family, src, r.saddr);
	inet_pton(family, dst, r.daddr);
	return r;
}

static void add_listener(struct summary *s, const char *addr, uint16_t port,
			 uint32_t recv_q, uint32_t send_q)
{
	struct sock_rec r = rec(AF_INET, SS_LISTEN, addr, port, "0.0.0.0", 0);

	r.recv_q = recv_q;
	r.send_q = send_q;
	summary_add(s, &r);
}

/* Three listeners (fill 0.1, 0.5, 0.25), a tuple of 30 sockets (20 in
 * TIME_WAIT) and one of 5, a SYN_RECV and a NEW_SYN_RECV. */
static struct summary *make_summary(void)
{
	struct summary_cfg cfg = {.eph_lo = 40000, .eph_hi = 40999};
	struct summary *s = summary_create(&cfg);
	struct sock_rec r;

	/* Fill is Recv-Q / (backlog + 1): the kernel queues one more. */
	add_listener(s, "0.0.0.0", 80, 10, 99);
	add_listener(s, "127.0.0.1", 8080, 2, 3);
	add_listener(s, "0.0.0.0", 22, 1, 3);
	for (uint16_t p = 0; p < 30; p++) {
		r = rec(AF_INET, p < 20 ? SS_TIME_WAIT : SS_ESTABLISHED,
			"10.0.0.1", (uint16_t)(40000 + p), "10.0.0.9", 443);
		summary_add(s, &r);
	}
	for (uint16_t p = 0; p < 5; p++) {
		r = rec(AF_INET, SS_TIME_WAIT, "10.0.0.1",
			(uint16_t)(40100 + p), "10.0.0.8", 80);
		summary_add(s, &r);
	}
	r = rec(AF_INET, SS_SYN_RECV, "10.0.0.1", 80, "10.0.0.2", 5000);
	summary_add(s, &r);
	r = rec(AF_INET, SS_NEW_SYN_RECV, "10.0.0.1", 80, "10.0.0.2", 5001);
	summary_add(s, &r);
	return s;
}

static char *take(struct obuf *ob)
{
	char *text = calloc(1, ob->len + 1);

	assert_non_null(text);
	memcpy(text, ob->buf, ob->len);
	ob->len = 0;
	return text;
}

static void render(struct rendered *out, const struct report *r)
{
	struct opts o = {.protocols = PROTO_TCP | PROTO_UDP};
	struct obuf ob;

	obuf_init(&ob, -1, 1 << 20);
	report_table(&ob, r, &o);
	out->table = take(&ob);
	report_json(&ob, r, &o);
	out->json = take(&ob);
	prom_snapshot(&ob, r, PROTO_TCP | PROTO_UDP);
	out->prom = take(&ob);
	obuf_finish(&ob);
}

static void rendered_free(struct rendered *out)
{
	free(out->table);
	free(out->json);
	free(out->prom);
}

/* The number after the first `key` found after `from`; NAN if absent. */
static double number_after(const char *text, const char *from, const char *key)
{
	const char *p = from ? strstr(text, from) : text;

	if (!p || !(p = strstr(p, key))) {
		return NAN;
	}
	return strtod(p + strlen(key), NULL);
}

/* The table's Fill column of the listener on ep, in percent. */
static double table_fill(const char *table, const char *ep)
{
	char line[SUMMARY_ENDPOINT_LEN + 3];
	const char *p;
	double pct = NAN;

	assert_true(strlen(ep) < SUMMARY_ENDPOINT_LEN);
	snprintf(line, sizeof(line), "\n%s ", ep);
	p = strstr(table, line);
	if (p && sscanf(p, " %*s %*u %*u %lf%%", &pct) != 1) {
		pct = NAN;
	}
	return pct;
}

static void check_listener(const struct rendered *out, const char *addr,
			   uint16_t port, double want, bool in_top)
{
	char ep[64], json_from[96], prom_key[128];
	double prom, json;

	snprintf(ep, sizeof(ep), "%s:%u", addr, port);
	snprintf(json_from, sizeof(json_from),
		 "\"local\":{\"addr\":\"%s\",\"port\":%u}", addr, port);
	snprintf(prom_key, sizeof(prom_key),
		 "sockscope_listen_queue_fill_ratio{addr=\"%s\",port=\"%u\"} ",
		 addr, port);
	prom = number_after(out->prom, NULL, prom_key);
	assert_true(fabs(prom - want) < 1e-6);
	json = number_after(out->json, json_from, "\"fill\":");
	if (!in_top) {
		/* Past --top: Prometheus only. */
		assert_true(isnan(json));
		assert_true(isnan(table_fill(out->table, ep)));
		return;
	}
	assert_true(fabs(json - prom) < 1e-6);
	assert_true(fabs(table_fill(out->table, ep) - round(100 * prom)) <
		    1e-9);
}

static void test_listeners_agree(void **unused)
{
	struct summary *s = make_summary();
	struct snapshot snap = {.sum = s};
	struct report r;
	struct rendered out;

	(void)unused;
	report_build(&r, &snap, 2, PROTO_INET_MASK);
	/* The larger list once, fullest first; the table takes --top. */
	assert_int_equal(r.n_listeners, 3);
	assert_int_equal(r.listeners[0].port, 8080);
	assert_int_equal(report_top_listeners(&r), 2);
	render(&out, &r);
	check_listener(&out, "127.0.0.1", 8080, 0.5, true);
	check_listener(&out, "0.0.0.0", 22, 0.25, true);
	check_listener(&out, "0.0.0.0", 80, 0.1, false);
	/* SYN_RECV and NEW_SYN_RECV on :80 are one column. */
	assert_int_equal(r.listeners[2].port, 80);
	assert_int_equal(r.listeners[2].conns[SS_SYN_RECV], 2);
	assert_int_equal(r.listeners[2].conns[SS_NEW_SYN_RECV], 0);
	report_finish(&r);
	rendered_free(&out);
	summary_destroy(s);
}

static void test_tuples_agree(void **unused)
{
	struct summary *s = make_summary();
	struct snapshot snap = {.sum = s,
				.usable_ports = 1000,
				.have_ports = true,
				.sys = {.port_lo = 40000, .port_hi = 40999}};
	struct report r;
	struct rendered out;
	const char *line;
	double json, prom, pct = NAN;

	(void)unused;
	report_build(&r, &snap, 10, PROTO_INET_MASK);
	render(&out, &r);
	/* 30 sockets of 1000 usable ports, no TIME_WAIT reusable: 0.03. */
	json = number_after(out.json,
			    "\"peer\":{\"addr\":\"10.0.0.9\",\"port\":443}",
			    "\"share\":");
	prom = number_after(out.prom, NULL,
			    "sockscope_tuple_ports_ratio{src=\"10.0.0.1\","
			    "dst=\"10.0.0.9\",port=\"443\"} ");
	assert_true(fabs(json - 0.03) < 1e-9);
	assert_true(fabs(prom - json) < 1e-6);
	assert_true(fabs(number_after(out.prom, NULL,
				      "\nsockscope_ephemeral_ports_max_tuple_"
				      "ratio ") -
			 prom) < 1e-6);
	line = strstr(out.table, "TIME_WAIT per");
	assert_non_null(line);
	line = strstr(line, "10.0.0.9:443");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "%*s %*u %*u %lf%%", &pct), 1);
	assert_true(fabs(pct - 100 * json) < 0.05);
	report_finish(&r);
	rendered_free(&out);
	summary_destroy(s);
}

/* Every TCP state: JSON's count per family is Prometheus' series. */
static void test_states_agree(void **unused)
{
	struct summary *s = make_summary();
	struct snapshot snap = {.sum = s};
	struct report r;
	struct rendered out;

	(void)unused;
	report_build(&r, &snap, 10, PROTO_INET_MASK);
	render(&out, &r);
	for (unsigned int st = 1; st < SS_NEW_SYN_RECV; st++) {
		for (int fi = 0; fi < 2; fi++) {
			const char *fam = fi ? "inet6" : "inet";
			char from[64], key[16], prom_key[128];
			double json, prom;

			snprintf(from, sizeof(from), "\"%s\":{",
				 state_name(st, IPPROTO_TCP));
			snprintf(key, sizeof(key), "\"%s\":", fam);
			snprintf(
			    prom_key, sizeof(prom_key),
			    "sockscope_sockets{netid=\"tcp\",family=\"%s\","
			    "state=\"%s\"} ",
			    fam, state_label(st, IPPROTO_TCP));
			json = number_after(strstr(out.json, "\"states\""),
					    from, key);
			prom = number_after(out.prom, NULL, prom_key);
			assert_false(isnan(json));
			assert_true(json == prom);
			assert_true(json == (double)r.states.tcp[fi][st]);
		}
	}
	/* The fold, done once: SYN_RECV + NEW_SYN_RECV. */
	assert_int_equal(r.states.tcp[0][SS_SYN_RECV], 2);
	assert_int_equal(r.states.tcp[0][SS_TIME_WAIT], 25);
	report_finish(&r);
	rendered_free(&out);
	summary_destroy(s);
}

static void add_unix_listener(struct summary *s, const char *name, size_t len,
			      uint32_t inode, uint32_t recv_q)
{
	struct sock_rec r = {.family = AF_UNIX,
			     .protocol = SOCK_STREAM,
			     .state = SS_LISTEN,
			     .inode = inode,
			     .recv_q = recv_q,
			     .send_q = 128};

	r.ext.path = name;
	r.ext.path_len = len;
	summary_add(s, &r);
}

/* Without TCP and UDP the report has no section about them (built
 * empty, so no renderer shows one), but the TCP listeners' summary is
 * there; with UNIX, its listeners, most queued first, then by name. */
static void test_sections_by_table(void **unused)
{
	struct summary *s = make_summary();
	struct snapshot snap = {.sum = s,
				.usable_ports = 1000,
				.have_ports = true,
				.have_sockstat = true};
	struct report r;
	struct opts o = {.protocols = PROTO_UNIX_MASK};
	struct obuf ob;
	char *table, *json, *prom;

	(void)unused;
	add_unix_listener(s, "/run/b.sock", 11, 1, 3);
	add_unix_listener(s, "\0abs\0x", 6, 2, 9);
	add_unix_listener(s, "/run/a.sock", 11, 3, 3);
	add_unix_listener(s, NULL, 0, 4, 0);
	report_build(&r, &snap, 10, PROTO_UNIX_MASK);
	assert_false(r.inet);
	assert_int_equal(r.n_listeners, 0);
	assert_false(r.ports.have);
	assert_false(r.have_sockstat);
	assert_int_equal(r.unix_listener_keys, 4);
	assert_int_equal(r.n_unix_listeners, 4);
	assert_int_equal(r.unix_listeners[0].l.inode, 2);
	assert_int_equal(r.unix_listeners[1].l.inode, 3); /* a < b */
	assert_int_equal(r.unix_listeners[2].l.inode, 1);
	assert_int_equal(r.unix_listeners[3].l.inode, 4);
	assert_true(fabs(r.unix_listeners[0].fill - 9.0 / 129) < 1e-9);
	obuf_init(&ob, -1, 1 << 20);
	report_table(&ob, &r, &o);
	table = take(&ob);
	report_json(&ob, &r, &o);
	json = take(&ob);
	prom_snapshot(&ob, &r, o.protocols);
	prom = take(&ob);
	obuf_finish(&ob);
	assert_null(strstr(table, "Listening ports"));
	assert_null(strstr(table, "Kernel totals"));
	assert_null(strstr(table, "TIME_WAIT per"));
	assert_non_null(strstr(table, "\n@abs@x "));
	assert_non_null(strstr(table, "\n* "));
	assert_null(strstr(json, "\"listeners\""));
	assert_null(strstr(json, "\"ephemeral_ports\""));
	assert_non_null(strstr(json, "{\"abstract\":\"abs\\u0000x\","));
	assert_null(strstr(prom, "sockscope_ephemeral"));
	assert_null(strstr(prom, "sockscope_listen_queue"));
	free(table);
	free(json);
	free(prom);
	report_finish(&r);
	/* TCP selected: the same summary has them. */
	report_build(&r, &snap, 10, PROTO_TCP);
	assert_true(r.inet && r.n_listeners == 3 && r.ports.have);
	assert_int_equal(r.n_unix_listeners, 0);
	report_finish(&r);
	summary_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_listeners_agree),
	    cmocka_unit_test(test_tuples_agree),
	    cmocka_unit_test(test_states_agree),
	    cmocka_unit_test(test_sections_by_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

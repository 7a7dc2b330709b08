// SPDX-License-Identifier: MIT
/* The facts table says what the kernel does: these tests hold it to that. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "facts.h"
#include "sock.h"
#include "sysctl.h"

static const struct state_fact *by_name(const char *name)
{
	const struct state_fact *f = facts_state_find(name);

	assert_non_null(f);
	return f;
}

static void test_every_kernel_state_once(void **unused)
{
	uint32_t seen = 0;

	(void)unused;
	for (unsigned int code = SS_ESTABLISHED; code < SS_MAX; code++) {
		assert_non_null(facts_state_by_code(code));
	}
	assert_null(facts_state_by_code(0));
	assert_null(facts_state_by_code(SS_MAX));
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *f = facts_state(i);

		assert_int_equal(seen & f->codes, 0); /* no code twice */
		seen |= f->codes;
	}
	assert_int_equal(seen, SS_ALL_BITS);
	assert_null(facts_state(facts_n_states()));
}

static void check_fact(const struct fact *f)
{
	assert_non_null(f->text);
	assert_non_null(f->source);
	assert_true(strlen(f->text) > 3 && strlen(f->source) > 3);
}

static void test_every_fact_has_a_source(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *f = facts_state(i);

		assert_non_null(f->name);
		assert_non_null(f->rfc);
		assert_non_null(f->list_cmd);
		check_fact(&f->who);
		check_fact(&f->enter);
		check_fact(&f->waits);
		check_fact(&f->timer);
		check_fact(&f->many);
		assert_non_null(f->myths[0].myth); /* each corrects one */
		for (int m = 0; m < FACTS_MYTHS && f->myths[m].myth; m++) {
			assert_non_null(f->myths[m].truth);
			assert_non_null(f->myths[m].source);
		}
		/* Its name finds it again, in both spellings. */
		assert_ptr_equal(facts_state_find(f->name), f);
		assert_ptr_equal(facts_state_find(f->ss_name), f);
	}
	for (size_t i = 0; i < facts_n_sysctls(); i++) {
		const struct sysctl_fact *s = facts_sysctl(i);

		check_fact(&s->meaning);
		assert_non_null(s->defaults[0].value);
		assert_non_null(s->default_source);
		if (s->myth.myth) {
			assert_non_null(s->myth.truth);
			assert_non_null(s->myth.source);
		}
	}
}

static void test_time_wait(void **unused)
{
	const struct state_fact *tw = by_name("TIME_WAIT");

	(void)unused;
	assert_int_equal(tw->codes, SS_BIT(SS_TIME_WAIT));
	assert_int_equal(tw->timer_s, 60);
	assert_null(tw->timer_knob); /* printed as "none" */
	assert_non_null(strstr(tw->timer.source, "TCP_TIMEWAIT_LEN"));
	assert_non_null(strstr(tw->who.text, "closed first"));
	/* No sysctl claims to bound it. */
	for (size_t i = 0; i < facts_n_sysctls(); i++) {
		assert_int_equal(facts_sysctl(i)->bounds & SS_BIT(SS_TIME_WAIT),
				 0);
	}
}

static void test_fin_timeout_is_fin_wait2_only(void **unused)
{
	const struct sysctl_fact *s = facts_sysctl_find("tcp_fin_timeout");

	(void)unused;
	assert_non_null(s);
	assert_int_equal(s->bounds, SS_BIT(SS_FIN_WAIT2));
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *f = facts_state(i);
		bool fw2 = f->codes == SS_BIT(SS_FIN_WAIT2);

		assert_int_equal(
		    f->timer_knob && !strcmp(f->timer_knob, s->name), fw2);
	}
	assert_non_null(strstr(s->myth.myth, "TIME_WAIT"));
}

static void test_timers_and_knobs(void **unused)
{
	(void)unused;
	/* CLOSE_WAIT: no timer, no knob; it ends at close(). */
	assert_null(by_name("close-wait")->timer_knob);
	assert_int_equal(by_name("close-wait")->timer_s, 0);
	assert_non_null(strstr(by_name("close-wait")->waits.text, "close()"));
	assert_string_equal(by_name("syn-recv")->timer_knob,
			    "net.ipv4.tcp_synack_retries");
	assert_string_equal(by_name("syn-sent")->timer_knob,
			    "net.ipv4.tcp_syn_retries");
	assert_null(by_name("listen")->timer_knob);
	assert_non_null(strstr(by_name("listen")->waits.text, "SYN queue"));
	assert_non_null(strstr(by_name("listen")->waits.text, "accept queue"));
	/* An orphaned FIN_WAIT2 is bounded, an owned one is not. */
	assert_non_null(strstr(by_name("FIN_WAIT2")->timer.text, "orphaned"));
	assert_non_null(strstr(by_name("FIN_WAIT2")->timer.text, "forever"));
}

/* Both sides of the table agree: a sysctl bounds exactly the states that
 * name it as their timer knob, and every name refers to an entry. */
static void test_knobs_match_sysctls(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < facts_n_states(); i++) {
		const struct state_fact *f = facts_state(i);

		if (f->timer_knob) {
			const struct sysctl_fact *s =
			    facts_sysctl_find(f->timer_knob);

			assert_non_null(s);
			assert_int_equal(s->bounds & f->codes, f->codes);
		}
		for (int r = 0; r < FACTS_RELATED && f->related[r]; r++) {
			assert_non_null(facts_sysctl_find(f->related[r]));
		}
	}
	for (size_t i = 0; i < facts_n_sysctls(); i++) {
		const struct sysctl_fact *s = facts_sysctl(i);

		for (unsigned int c = 1; c < SS_MAX; c++) {
			const struct state_fact *f;

			if (!(s->bounds & SS_BIT(c))) {
				continue;
			}
			f = facts_state_by_code(c);
			assert_non_null(f->timer_knob);
			assert_string_equal(f->timer_knob, s->name);
		}
	}
}

/* Every sysctl the advice reads is explained. */
static void test_advice_sysctls_covered(void **unused)
{
	(void)unused;
	for (int id = 0; id < SYS_MAX; id++) {
		assert_non_null(facts_sysctl_find(sysctl_name(id)));
	}
	assert_non_null(facts_sysctl_find("net.ipv4.ip_local_port_range"));
	assert_non_null(facts_sysctl_find("net.ipv4.ip_local_reserved_ports"));
	assert_non_null(facts_sysctl_find("net.ipv4.tcp_mem"));
	assert_non_null(facts_sysctl_find("net.ipv4.tcp_tw_reuse_delay"));
}

static bool reachable(unsigned int from, unsigned int to)
{
	uint32_t seen = SS_BIT(from), prev = 0;

	while (seen != prev) {
		prev = seen;
		for (size_t i = 0; i < facts_n_edges(); i++) {
			const struct state_edge *e = facts_edge(i);

			/* CLOSED is where every path ends, not a way
			 * through. */
			if ((seen & SS_BIT(e->from)) && e->from != SS_CLOSE) {
				seen |= SS_BIT(e->to);
			}
		}
	}
	return seen & SS_BIT(to);
}

/* The passive closer never reaches TIME_WAIT; the active closer does,
 * also through a simultaneous close. */
static void test_diagram_edges(void **unused)
{
	(void)unused;
	assert_false(reachable(SS_CLOSE_WAIT, SS_TIME_WAIT));
	assert_false(reachable(SS_LAST_ACK, SS_TIME_WAIT));
	assert_true(reachable(SS_FIN_WAIT1, SS_TIME_WAIT));
	assert_true(reachable(SS_CLOSING, SS_TIME_WAIT));
	assert_true(reachable(SS_FIN_WAIT2, SS_TIME_WAIT));
	assert_true(reachable(SS_ESTABLISHED, SS_CLOSE_WAIT));
	for (size_t i = 0; i < facts_n_edges(); i++) {
		const struct state_edge *e = facts_edge(i);

		assert_non_null(facts_state_by_code(e->from));
		assert_non_null(facts_state_by_code(e->to));
		assert_non_null(e->event);
		assert_non_null(e->source);
		if (e->to == SS_TIME_WAIT) {
			assert_true(e->from == SS_FIN_WAIT2 ||
				    e->from == SS_CLOSING);
		}
	}
}

static void test_state_spellings(void **unused)
{
	static const char *const tw[] = {"TIME_WAIT", "time-wait", "timewait",
					 "Time_Wait"};

	(void)unused;
	for (size_t i = 0; i < sizeof(tw) / sizeof(tw[0]); i++) {
		assert_string_equal(facts_state_find(tw[i])->name, "TIME_WAIT");
	}
	assert_string_equal(by_name("fin-wait-2")->name, "FIN_WAIT2");
	assert_string_equal(by_name("listening")->name, "LISTEN");
	assert_string_equal(by_name("unconn")->name, "CLOSE");
	assert_int_equal(by_name("syn-recv")->codes,
			 SS_BIT(SS_SYN_RECV) | SS_BIT(SS_NEW_SYN_RECV));
	assert_null(facts_state_find("all"));
	assert_null(facts_state_find("connected"));
	assert_null(facts_state_find("bogus"));
}

static void test_sysctl_names(void **unused)
{
	const struct sysctl_fact *s;
	char path[128];

	(void)unused;
	s = facts_sysctl_find("net.ipv4.tcp_fin_timeout");
	assert_non_null(s);
	assert_ptr_equal(facts_sysctl_find("tcp_fin_timeout"), s);
	assert_ptr_equal(facts_sysctl_find("net/ipv4/tcp_fin_timeout"), s);
	assert_string_equal(facts_sysctl_find("somaxconn")->name,
			    "net.core.somaxconn");
	assert_null(facts_sysctl_find("net.ipv4.somaxconn"));
	assert_null(facts_sysctl_find("tcp_bogus"));
	assert_null(facts_sysctl_find(""));
	facts_sysctl_path(s, path, sizeof(path));
	assert_string_equal(path, "net/ipv4/tcp_fin_timeout");
}

static const char *dflt(const char *name, unsigned int major,
			unsigned int minor)
{
	struct kver k = {major, minor};

	return facts_sysctl_default(facts_sysctl_find(name), &k);
}

static void test_defaults_per_kernel(void **unused)
{
	(void)unused;
	assert_string_equal(dflt("tcp_tw_reuse", 4, 19), "0");
	assert_string_equal(dflt("tcp_tw_reuse", 4, 20), "2");
	assert_string_equal(dflt("tcp_tw_reuse", 6, 18), "2");
	assert_string_equal(dflt("tcp_tw_recycle", 4, 11), "0");
	assert_null(dflt("tcp_tw_recycle", 4, 12));
	assert_null(dflt("tcp_tw_recycle", 6, 1));
	assert_null(dflt("tcp_tw_reuse_delay", 6, 13));
	assert_string_equal(dflt("tcp_tw_reuse_delay", 6, 14), "1000");
	assert_string_equal(dflt("somaxconn", 5, 3), "128");
	assert_string_equal(dflt("somaxconn", 5, 4), "4096");
	assert_string_equal(dflt("tcp_fin_timeout", 6, 18), "60");
	assert_string_equal(dflt("tcp_syncookies", 6, 18), "1");
	assert_string_equal(dflt("tcp_syn_retries", 3, 6), "5");
	assert_string_equal(dflt("tcp_syn_retries", 6, 18), "6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_kernel_state_once),
	    cmocka_unit_test(test_every_fact_has_a_source),
	    cmocka_unit_test(test_time_wait),
	    cmocka_unit_test(test_fin_timeout_is_fin_wait2_only),
	    cmocka_unit_test(test_timers_and_knobs),
	    cmocka_unit_test(test_knobs_match_sysctls),
	    cmocka_unit_test(test_advice_sysctls_covered),
	    cmocka_unit_test(test_diagram_edges),
	    cmocka_unit_test(test_state_spellings),
	    cmocka_unit_test(test_sysctl_names),
	    cmocka_unit_test(test_defaults_per_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

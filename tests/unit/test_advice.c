// SPDX-License-Identifier: MIT
/*
 * Every advice rule against a snapshot where it must fire and one where it
 * must not. Snapshots start from a fixture /proc tree (FIXTURES/advice-*)
 * with in-memory sockets; a test then changes what its rule looks at.
 */
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
#include <sys/socket.h>

#include "advice.h"
#include "snapshot.h"
#include "util.h"

struct fake {
	struct sock_rec *recs;
	size_t n, cap;
};

static void add(struct fake *f, uint8_t state, const char *src, uint16_t sport,
		const char *dst, uint16_t dport, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct sock_rec *r;

		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 256;
			f->recs = xrealloc(f->recs, f->cap * sizeof(*r));
		}
		r = &f->recs[f->n++];
		memset(r, 0, sizeof(*r));
		r->family = AF_INET;
		r->protocol = IPPROTO_TCP;
		r->state = state;
		/* sport 0: a distinct ephemeral port per socket */
		r->sport = sport ? sport : (uint16_t)(32768 + i % 28000);
		r->dport = dport;
		r->inode = 1000 + (uint32_t)f->n;
		r->cookie = f->n;
		inet_pton(AF_INET, src, r->saddr);
		inet_pton(AF_INET, dst, r->daddr);
	}
}

static int fake_sockets(void *data, struct summary *sum)
{
	const struct fake *f = data;

	for (size_t i = 0; f && i < f->n; i++) {
		summary_add(sum, &f->recs[i]);
	}
	return 0;
}

static void gather(struct snapshot *snap, const char *tree, struct fake *f)
{
	char root[512];
	const char *base = getenv("FIXTURES");
	struct snapshot_src src = {
	    .root = root, .sockets = fake_sockets, .data = f};

	snprintf(root, sizeof(root), "%s/%s", base ? base : "tests/fixtures",
		 tree);
	assert_int_equal(snapshot_gather(snap, &src), 0);
	assert_string_equal(snap->unreadable, "");
}

/* Replace the sockets with a second sample that knows the first. */
static void resample(struct snapshot *snap, struct fake *f,
		     const struct owner_ops *owner)
{
	struct summary_cfg cfg;
	struct summary *first = snap->sum;

	snapshot_summary_cfg(snap, &cfg);
	cfg.previous = first;
	cfg.owner = owner;
	snap->sum = summary_create(&cfg);
	fake_sockets(f, snap->sum);
	summary_destroy(first);
}

/* Pretend a second counter sample interval seconds after the first. */
static void rise(struct snapshot *snap, enum ctr_id id, uint64_t by)
{
	if (!snap->interval_s) {
		snap->c0 = snap->c1;
		snap->interval_s = 1;
	}
	snap->c1.v[id] += by;
	snap->c1.have |= 1u << id;
	snap->c0.have |= 1u << id;
}

static struct advice results[64];

/* The advice rule id gave, or NULL; checks what every advice must hold. */
static const struct advice *run(const struct snapshot *snap, const char *id)
{
	size_t n = advice_run(snap, results);
	const struct advice *hit = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct advice *a = &results[i];

		assert_non_null(a->rule);
		assert_true(a->sev > SEV_NONE && a->sev <= a->rule->max_sev);
		assert_true(a->message[0] != '\0');
		assert_true(a->n_actions > 0);
		for (unsigned int k = 0; k < a->n_actions; k++) {
			/* Removed in 4.12 and harmful before: never advise it
			 */
			assert_null(strstr(a->actions[k], "tcp_tw_recycle=1"));
		}
		if (!strcmp(a->rule->id, id)) {
			hit = a;
		}
	}
	return hit;
}

static double evidence(const struct advice *a, const char *name)
{
	for (unsigned int i = 0; i < a->n_evidence; i++) {
		if (!strcmp(a->evidence[i].name, name)) {
			return a->evidence[i].value;
		}
	}
	fail_msg("no evidence %s in %s", name, a->rule->id);
	return -1;
}

static bool has_action(const struct advice *a, const char *text)
{
	for (unsigned int i = 0; i < a->n_actions; i++) {
		if (strstr(a->actions[i], text)) {
			return true;
		}
	}
	return false;
}

static void done(struct snapshot *snap, struct fake *f)
{
	snapshot_finish(snap);
	free(f->recs);
	memset(f, 0, sizeof(*f));
}

static void test_table(void **unused)
{
	size_t n = advice_rules_count();

	(void)unused;
	assert_true(n >= 19);
	assert_true(n <= ARRAY_SIZE(results));
	for (size_t i = 0; i < n; i++) {
		const struct advice_rule *r = advice_rules[i];

		assert_non_null(r->check);
		assert_true(r->max_sev >= SEV_INFO && r->max_sev <= SEV_CRIT);
		assert_non_null(strstr(r->source, "https://"));
		assert_ptr_equal(advice_rule_find(r->id), r);
		for (size_t k = 0; k < i; k++) {
			assert_string_not_equal(advice_rules[k]->id, r->id);
		}
	}
}

static void test_base_quiet(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};

	(void)unused;
	add(&f, SS_ESTABLISHED, "10.0.0.1", 0, "10.0.0.2", 443, 50);
	add(&f, SS_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0, 1);
	gather(&snap, "advice-base", &f);
	assert_int_equal(advice_run(&snap, results), 0);
	done(&snap, &f);
}

static void test_tuple_pressure(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	/* 15000 of 28232 usable ports to one destination: 53%. */
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 15000);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "usable_ports"), 28232);
	assert_int_equal(evidence(a, "time_wait"), 15000);
	assert_true(has_action(a, "IP_BIND_ADDRESS_NO_PORT"));
	assert_true(has_action(a, "sysctl -w net.ipv4.ip_local_port_range="));
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_tw_reuse=1"));
	assert_string_equal(a->subject, "10.0.0.1 -> 10.0.0.2:80");
	assert_null(run(&snap, "tw-harmless"));
	done(&snap, &f);

	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 23000);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	done(&snap, &f);

	/* Same load over three destinations, or inbound: no pressure. */
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 5000);
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.3", 80, 5000);
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 81, 5000);
	add(&f, SS_TIME_WAIT, "10.0.0.1", 80, "10.0.0.9", 50000, 20000);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "tuple-pressure"));
	done(&snap, &f);
}

/* TIME_WAIT aged past the reuse delay on loopback, with the default
 * tcp_tw_reuse=2 and timestamps on: connect() takes those tuples over. */
static void age_time_wait(struct fake *f, uint32_t expires_ms)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->recs[i].state == SS_TIME_WAIT) {
			f->recs[i].timer = 3;
			f->recs[i].expires_ms = expires_ms;
		}
	}
}

static void test_tuple_pressure_reuse(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	/* README's case: 2000 TIME_WAIT + 120 established to loopback. */
	add(&f, SS_TIME_WAIT, "127.0.0.1", 0, "127.0.0.1", 8080, 23000);
	add(&f, SS_ESTABLISHED, "127.0.0.1", 0, "127.0.0.1", 8080, 120);
	for (size_t i = 23000; i < f.n; i++) {
		f.recs[i].sport = (uint16_t)(56000 + i - 23000);
	}
	age_time_wait(&f, 30000);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "tuple-pressure"));
	/* Not "no pressure" for tw-harmless either: it is harmless. */
	assert_non_null(run(&snap, "tw-harmless"));
	/* Without reuse they hold their ports: critical. */
	snap.sys.v[SYS_TW_REUSE] = 0;
	resample(&snap, &f, NULL);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "time_wait_reusable"), 0);
	assert_int_equal(evidence(a, "port_hold_seconds"), 60);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_tw_reuse=1"));
	/* Timestamps off: reuse cannot apply either. */
	snap.sys.v[SYS_TW_REUSE] = 2;
	snap.sys.v[SYS_TIMESTAMPS] = 0;
	resample(&snap, &f, NULL);
	assert_non_null(run(&snap, "tuple-pressure"));
	snapshot_finish(&snap);

	/* Younger than tcp_tw_reuse_delay (1000 ms): still held. The
	 * ceiling then comes from the delay, not from 60 s. */
	age_time_wait(&f, 59500);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "port_hold_seconds"), 1);
	assert_int_equal(evidence(a, "max_new_connections_per_second"), 28232);
	assert_false(has_action(a, "tcp_tw_reuse=1"));
	/* A longer delay where the kernel has the sysctl. */
	snap.sys.v[SYS_TW_REUSE_DELAY] = 5000;
	a = run(&snap, "tuple-pressure");
	assert_int_equal(evidence(a, "port_hold_seconds"), 5);
	done(&snap, &f);

	/* A tuple without TIME_WAIT gets no per-second ceiling. */
	add(&f, SS_ESTABLISHED, "10.0.0.1", 0, "10.0.0.2", 80, 15000);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	for (unsigned int i = 0; i < a->n_evidence; i++) {
		assert_string_not_equal(a->evidence[i].name,
					"max_new_connections_per_second");
	}
	done(&snap, &f);
}

static void test_zero_ports(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_int_equal(sysctl_parse_ranges("32768-60999", &snap.sys.reserved),
			 0);
	snap.usable_ports = sysctl_usable_ports(&snap.sys);
	assert_int_equal(snap.usable_ports, 0);
	a = run(&snap, "tuple-pressure");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "usable_ports"), 0);
	assert_non_null(strstr(a->message, "EADDRNOTAVAIL"));
	/* Unknown is not zero. */
	snap.have_ports = false;
	assert_null(run(&snap, "tuple-pressure"));
	snapshot_finish(&snap);
}

static void test_tw_harmless(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 2000);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "tw-harmless");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_int_equal(evidence(a, "time_wait"), 2000);
	/* Close to the bucket limit it is not harmless. */
	snap.sys.v[SYS_MAX_TW_BUCKETS] = 2100;
	assert_null(run(&snap, "tw-harmless"));
	done(&snap, &f);

	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 500);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "tw-harmless"));
	done(&snap, &f);
}

static void test_tw_buckets(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 900);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "tw-buckets"));
	snap.sys.v[SYS_MAX_TW_BUCKETS] = 1000;
	a = run(&snap, "tw-buckets");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "tcp_max_tw_buckets"), 1000);
	assert_true(
	    has_action(a, "sysctl -w net.ipv4.tcp_max_tw_buckets=2000"));
	/* The warning starts at exactly 80%. */
	snap.sys.v[SYS_MAX_TW_BUCKETS] = 1125;
	assert_non_null(run(&snap, "tw-buckets"));
	snap.sys.v[SYS_MAX_TW_BUCKETS] = 1126;
	assert_null(run(&snap, "tw-buckets"));
	/* Overflow between samples: critical, even with room left. */
	snap.sys.v[SYS_MAX_TW_BUCKETS] = 100000;
	rise(&snap, CTR_TW_OVERFLOW, 12);
	a = run(&snap, "tw-buckets");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "TCPTimeWaitOverflow_per_minute"), 720);
	done(&snap, &f);
}

static void test_tw_recycle(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "tw-recycle"));
	snapshot_finish(&snap);

	gather(&snap, "advice-recycle", NULL);
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_string_equal(a->subject, "/etc/sysctl.d/99-tuning.conf:3");
	assert_true(has_action(a, "delete line 3 of /etc/sysctl.d/"));
	snapshot_finish(&snap);

	/* Before 4.12 and switched on: it breaks NAT clients today. */
	gather(&snap, "advice-old-kernel", NULL);
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_tw_recycle=0"));
	snap.sys.v[SYS_TW_RECYCLE] = 0;
	assert_null(run(&snap, "tw-recycle"));
	/* Off now, but a config line switches it on at the next boot. */
	snap.recycle_in_conf = true;
	snprintf(snap.recycle_conf.file, sizeof(snap.recycle_conf.file),
		 "etc/sysctl.conf");
	snap.recycle_conf.line = 7;
	snprintf(snap.recycle_conf.value, sizeof(snap.recycle_conf.value), "1");
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_true(has_action(a, "delete line 7 of /etc/sysctl.conf"));
	/* "= 0" keeps it off: worth a note, not a warning. */
	snprintf(snap.recycle_conf.value, sizeof(snap.recycle_conf.value), "0");
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	snapshot_finish(&snap);
	gather(&snap, "advice-recycle", NULL);
	snprintf(snap.recycle_conf.value, sizeof(snap.recycle_conf.value), "0");
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	snapshot_finish(&snap);
}

static void test_tw_reuse_noop(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_TIME_WAIT, "10.0.0.1", 443, "10.0.0.2", 50000, 300);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "tw-reuse-noop")); /* reuse=2, the default */
	snap.sys.v[SYS_TW_REUSE] = 1;
	a = run(&snap, "tw-reuse-noop");
	assert_non_null(a);
	assert_int_equal(evidence(a, "time_wait_inbound"), 300);
	snap.sys.v[SYS_TIMESTAMPS] = 0;
	a = run(&snap, "tw-reuse-noop");
	assert_non_null(a);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_timestamps=1"));
	done(&snap, &f);

	/* Outgoing TIME_WAIT with timestamps: reuse does help. */
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 300);
	gather(&snap, "advice-base", &f);
	snap.sys.v[SYS_TW_REUSE] = 1;
	assert_null(run(&snap, "tw-reuse-noop"));
	done(&snap, &f);
}

static void test_fin_timeout_myth(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 2000);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "fin-timeout-myth"));
	snap.sys.v[SYS_FIN_TIMEOUT] = 15;
	a = run(&snap, "fin-timeout-myth");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_int_equal(evidence(a, "tcp_fin_timeout"), 15);
	assert_non_null(strstr(a->message, "does not shorten"));
	done(&snap, &f);

	add(&f, SS_TIME_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 10);
	gather(&snap, "advice-base", &f);
	snap.sys.v[SYS_FIN_TIMEOUT] = 15;
	assert_null(run(&snap, "fin-timeout-myth"));
	done(&snap, &f);
}

static void test_fin_wait2_stuck(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	/* Orphans (no inode) are the kernel's business: tcp_fin_timeout. */
	add(&f, SS_FIN_WAIT2, "10.0.0.1", 0, "10.0.0.2", 80, 150);
	for (size_t i = 0; i < f.n; i++) {
		f.recs[i].inode = 0;
	}
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "fin-wait2-stuck"));
	done(&snap, &f);

	add(&f, SS_FIN_WAIT2, "10.0.0.1", 0, "10.0.0.2", 80, 150);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "fin-wait2-stuck");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "fin_wait2_owned"), 150);
	/* Two samples: only the ones that stayed count. */
	f.n = 5;
	resample(&snap, &f, NULL);
	assert_null(run(&snap, "fin-wait2-stuck"));
	done(&snap, &f);

	add(&f, SS_FIN_WAIT2, "10.0.0.1", 0, "10.0.0.2", 80, 20);
	gather(&snap, "advice-base", &f);
	resample(&snap, &f, NULL);
	a = run(&snap, "fin-wait2-stuck");
	assert_non_null(a);
	assert_int_equal(evidence(a, "persisting"), 20);
	done(&snap, &f);
}

/* A stand-in for -p: port 9000 belongs to "leaky", pid 42. */
static bool fake_owner(void *data, const struct sock_rec *rec,
		       struct owner *out)
{
	(void)data;
	if (rec->sport != 9000) {
		return false;
	}
	out->pid = 42;
	snprintf(out->name, sizeof(out->name), "leaky\x1b");
	return true;
}

static void test_close_wait_leak(void **unused)
{
	static const struct owner_ops owner = {fake_owner, NULL};
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 9000, "10.0.0.2", 0, 150);
	for (size_t i = 0; i < f.n; i++) {
		f.recs[i].dport = (uint16_t)(40000 + i);
	}
	gather(&snap, "advice-base", &f);
	a = run(&snap, "close-wait-leak");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_string_equal(a->subject, "local port 9000");
	assert_int_equal(evidence(a, "close_wait_here"), 150);
	assert_true(
	    has_action(a, "sockscope kill state close-wait sport = :9000"));
	/* With owners the process is named (escaped when printed). */
	resample(&snap, &f, &owner);
	a = run(&snap, "close-wait-leak");
	assert_non_null(a);
	assert_string_equal(a->subject, "leaky\x1b[42]");
	assert_int_equal(evidence(a, "pid"), 42);
	assert_true(has_action(a, "sockscope kill state close-wait pid = 42"));
	assert_true(
	    has_action(a, "sockscope kill state close-wait sport = :9000"));
	assert_int_equal(evidence(a, "persisting"), 150);
	done(&snap, &f);

	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 9000, "10.0.0.2", 1, 1500);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "close-wait-leak");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	done(&snap, &f);

	/* A few, gone by the next sample: normal. */
	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 9000, "10.0.0.2", 1, 50);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "close-wait-leak"));
	f.n = 5;
	resample(&snap, &f, NULL);
	assert_null(run(&snap, "close-wait-leak"));
	done(&snap, &f);
}

static void test_close_wait_client(void **unused)
{
	static const struct owner_ops owner = {fake_owner, NULL};
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	/* A client leaking: 150 connections to one server, each on its own
	 * ephemeral port (one per local port would say "1 socket"). */
	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 0, "10.0.0.2", 80, 150);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "close-wait-leak");
	assert_non_null(a);
	assert_string_equal(a->subject, "peer 10.0.0.2:80");
	assert_int_equal(evidence(a, "close_wait_here"), 150);
	assert_non_null(strstr(a->message, "150 CLOSE_WAIT sockets at peer "
					   "10.0.0.2:80"));
	assert_true(has_action(a, "sockscope kill state close-wait dst "
				  "10.0.0.2:80 frees the 150"));
	/* No kill is ever a bare state. */
	for (unsigned int i = 0; i < a->n_actions; i++) {
		assert_null(strstr(a->actions[i], "close-wait frees"));
	}
	done(&snap, &f);

	/* With -p: per process, and the kill is scoped to its pid. */
	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 9000, "10.0.0.2", 80, 1);
	add(&f, SS_CLOSE_WAIT, "10.0.0.1", 0, "10.0.0.3", 443, 120);
	gather(&snap, "advice-base", &f);
	resample(&snap, &f, &owner);
	a = run(&snap, "close-wait-leak");
	assert_non_null(a);
	/* The owner found holds 1 of them: the place says more. */
	assert_string_equal(a->subject, "peer 10.0.0.3:443");
	assert_int_equal(evidence(a, "close_wait_here"), 120);
	assert_true(has_action(a, "close-wait dst 10.0.0.3:443"));
	done(&snap, &f);
}

static void test_accept_overflow(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_LISTEN, "127.0.0.1", 9100, "0.0.0.0", 0, 1);
	f.recs[0].send_q = 128;
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "accept-overflow"));
	rise(&snap, CTR_LISTEN_OVERFLOWS, 0);
	assert_null(run(&snap, "accept-overflow"));
	snapshot_finish(&snap);

	f.recs[0].recv_q = 2;
	f.recs[0].send_q = 1;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_string_equal(a->subject, "127.0.0.1:9100");
	assert_int_equal(evidence(a, "ListenOverflows"), 17);
	/* A backlog of 1 is the application's choice, not somaxconn's. */
	assert_false(has_action(a, "net.core.somaxconn"));
	assert_true(has_action(a, "raise the listen() backlog of "
				  "127.0.0.1:9100 (now 1)"));
	assert_true(has_action(a, "tcp_abort_on_overflow=0"));
	assert_non_null(strstr(a->message, "is full (Recv-Q 2, backlog 1)"));
	/* Nothing rose between the samples: no "rose by 0". */
	rise(&snap, CTR_LISTEN_OVERFLOWS, 0);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_null(strstr(a->message, "rose by 0"));
	rise(&snap, CTR_LISTEN_OVERFLOWS, 13);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "ListenOverflows_per_minute"), 780);
	assert_non_null(strstr(a->message, "ListenOverflows rose by 13"));
	snapshot_finish(&snap);

	/* Capped by somaxconn (4096 here): raise it, then restart. */
	f.recs[0].recv_q = 4097;
	f.recs[0].send_q = 4096;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_true(has_action(a, "sysctl -w net.core.somaxconn=8192"));
	assert_true(has_action(a, "then restart the service"));
	snapshot_finish(&snap);

	/* Backlog 0 with one queued connection: full, not 0%. */
	f.recs[0].recv_q = 1;
	f.recs[0].send_q = 0;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "send_q"), 0);
	done(&snap, &f);
}

/* With -p the listener's process is named in the action. */
static bool fake_listener_owner(void *data, const struct sock_rec *rec,
				struct owner *out)
{
	(void)data;
	if (rec->sport != 9100) {
		return false;
	}
	out->pid = 77;
	snprintf(out->name, sizeof(out->name), "slowsrv");
	return true;
}

static void test_accept_overflow_owner(void **unused)
{
	static const struct owner_ops owner = {fake_listener_owner, NULL};
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_LISTEN, "127.0.0.1", 9100, "0.0.0.0", 0, 1);
	f.recs[0].recv_q = 6;
	f.recs[0].send_q = 5;
	gather(&snap, "advice-base", &f);
	resample(&snap, &f, &owner);
	a = run(&snap, "accept-overflow");
	assert_non_null(a);
	assert_int_equal(evidence(a, "pid"), 77);
	assert_true(has_action(a, "listen() backlog of 127.0.0.1:9100 "
				  "(slowsrv[77]) (now 5)"));
	done(&snap, &f);
}

static void test_listener_fill(void **unused)
{
	struct sum_listener l = {.recv_q = 1, .send_q = 0};

	(void)unused;
	assert_true(summary_queue_fill(l.recv_q, l.send_q) >= 1.0);
	l.recv_q = 0;
	assert_true(summary_queue_fill(l.recv_q, l.send_q) == 0);
	/* backlog + 1 fit: 128 of a backlog of 127 is half full, and 128
	 * of 128 is not yet full (one more is queued before a drop). */
	l.recv_q = 64;
	l.send_q = 127;
	assert_true(summary_queue_fill(l.recv_q, l.send_q) == 0.5);
	l.recv_q = 128;
	l.send_q = 128;
	assert_true(summary_queue_fill(l.recv_q, l.send_q) < 1.0);
	l.recv_q = 129;
	assert_true(summary_queue_fill(l.recv_q, l.send_q) == 1.0);
}

static void test_somaxconn_low(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0, 1);
	f.recs[0].send_q = 1024;
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "somaxconn-low"));
	snap.sys.v[SYS_SOMAXCONN] = 2048;
	a = run(&snap, "somaxconn-low");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_true(has_action(a, "sysctl -w net.core.somaxconn=4096"));
	assert_true(has_action(a, "then restart the services"));
	assert_non_null(strstr(a->rule->source, "ip-sysctl"));
	snap.sys.v[SYS_SOMAXCONN] = 1024;
	a = run(&snap, "somaxconn-low");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "listeners_capped"), 1);
	snapshot_finish(&snap);
	/* 128 was the default before 5.4. */
	gather(&snap, "advice-old-kernel", &f);
	assert_null(run(&snap, "somaxconn-low"));
	done(&snap, &f);
}

static void test_syn_queue(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_NEW_SYN_RECV, "10.0.0.1", 80, "10.9.0.1", 1, 1000);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "syn-queue"));
	rise(&snap, CTR_REQQ_FULL_COOKIES, 3);
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	rise(&snap, CTR_REQQ_FULL_DROP, 3);
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_syncookies=1"));
	done(&snap, &f);

	/* 2500 SYN_RECV is many against tcp_max_syn_backlog (4096 here),
	 * but it is the listener's own backlog that bounds its queue. */
	add(&f, SS_LISTEN, "0.0.0.0", 80, "0.0.0.0", 0, 1);
	f.recs[0].send_q = 4096;
	add(&f, SS_NEW_SYN_RECV, "10.0.0.1", 80, "10.9.0.1", 1, 2500);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "syn-queue"));
	snapshot_finish(&snap);

	/* Near a backlog of 128 with syncookies on: info, and no advice to
	 * touch tcp_max_syn_backlog, which changes nothing then. */
	f.recs[0].send_q = 128;
	f.n = 1 + 120;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_string_equal(a->subject, "0.0.0.0:80");
	assert_int_equal(evidence(a, "listener_syn_recv"), 120);
	assert_int_equal(evidence(a, "listener_backlog"), 128);
	assert_true(has_action(a, "raise the listen() backlog of 0.0.0.0:80"));
	assert_false(has_action(a, "tcp_max_syn_backlog"));
	assert_true(has_action(a, "sockscope state syn-recv sport = :80"));
	/* Cookies off: the next SYNs are dropped, and then
	 * tcp_max_syn_backlog matters too. */
	snap.sys.v[SYS_SYNCOOKIES] = 0;
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_true(has_action(a, "tcp_max_syn_backlog (now 4096)"));
	/* Cookies off and ListenDrops beyond ListenOverflows: dropped. */
	rise(&snap, CTR_LISTEN_DROPS, 30);
	rise(&snap, CTR_LISTEN_OVERFLOWS, 10);
	rise(&snap, CTR_REQQ_FULL_DROP, 0);
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	assert_int_equal(evidence(a, "dropped"), 20);
	/* The same counters with cookies on are accept-queue drops. */
	snap.sys.v[SYS_SYNCOOKIES] = 1;
	a = run(&snap, "syn-queue");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	done(&snap, &f);
}

static void test_syncookies_and_abort(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "syncookies-off"));
	assert_null(run(&snap, "abort-on-overflow"));
	snap.sys.v[SYS_SYNCOOKIES] = 0;
	a = run(&snap, "syncookies-off");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_syncookies=1"));
	snap.sys.v[SYS_SYNCOOKIES] = 2;
	a = run(&snap, "syncookies-off");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	snap.sys.v[SYS_ABORT_ON_OVERFLOW] = 1;
	a = run(&snap, "abort-on-overflow");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_true(
	    has_action(a, "sysctl -w net.ipv4.tcp_abort_on_overflow=0"));
	/* A value that could not be read is never advised on. */
	snap.sys.err[SYS_ABORT_ON_OVERFLOW] = -13;
	assert_null(run(&snap, "abort-on-overflow"));
	snapshot_finish(&snap);
}

static void test_orphans(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "orphans"));
	snap.sockstat.tcp_orphan = 70000; /* of 262144: 26% */
	a = run(&snap, "orphans");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_true(has_action(a, "sysctl -w net.ipv4.tcp_max_orphans=524288"));
	assert_true(has_action(a, "net.ipv4.tcp_orphan_retries (now 0, "
				  "meaning 8)"));
	assert_true(has_action(a, "64 KB of unswappable memory"));
	snap.sockstat.tcp_orphan = 140000;
	assert_int_equal(run(&snap, "orphans")->sev, SEV_CRIT);
	snap.sockstat.tcp_orphan = 2;
	rise(&snap, CTR_ABORT_ON_MEMORY, 1);
	a = run(&snap, "orphans");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	/* Host-wide limit invisible (child namespace): skip. */
	snap.sys.err[SYS_MAX_ORPHANS] = -2;
	assert_null(run(&snap, "orphans"));
	snapshot_finish(&snap);
}

static void test_tcp_mem(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "tcp-mem"));
	snap.sockstat.tcp_mem = 260000; /* pressure is 253000 */
	a = run(&snap, "tcp-mem");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "tcp_mem_pressure"), 253000);
	snap.sockstat.tcp_mem = 350000; /* 0.9 x 380000 = 342000 */
	assert_int_equal(run(&snap, "tcp-mem")->sev, SEV_CRIT);
	snapshot_finish(&snap);
}

static void test_rst_on_close(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "rst-on-close")); /* one sample */
	rise(&snap, CTR_ABORT_ON_DATA, 2);
	rise(&snap, CTR_ABORT_ON_CLOSE, 0);
	rise(&snap, CTR_ACTIVE_OPENS, 50);
	rise(&snap, CTR_PASSIVE_OPENS, 0);
	assert_null(run(&snap, "rst-on-close"));
	rise(&snap, CTR_ABORT_ON_CLOSE, 18);
	a = run(&snap, "rst-on-close");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_int_equal(evidence(a, "TCPAbortOnClose_delta"), 18);
	snapshot_finish(&snap);
}

static void test_syn_sent_pile(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_SYN_SENT, "10.0.0.1", 0, "10.9.9.9", 443, 5);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "syn-sent-pile"));
	done(&snap, &f);
	add(&f, SS_SYN_SENT, "10.0.0.1", 0, "10.9.9.9", 443, 12);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "syn-sent-pile");
	assert_non_null(a);
	assert_string_equal(a->subject, "10.9.9.9:443");
	assert_int_equal(evidence(a, "syn_sent"), 12);
	done(&snap, &f);
}

static void test_dead_peer(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_ESTABLISHED, "10.0.0.1", 0, "10.9.9.9", 443, 1);
	f.recs[0].timer = 1;
	f.recs[0].retrans = 3;
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "dead-peer"));
	snapshot_finish(&snap);
	f.recs[0].retrans = 9;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "dead-peer");
	assert_non_null(a);
	assert_int_equal(evidence(a, "tcp_retries2"), 15);
	assert_true(has_action(a, "TCP_USER_TIMEOUT"));
	done(&snap, &f);
}

static void test_port_overlap(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0, 1);
	gather(&snap, "advice-base", &f);
	assert_null(run(&snap, "port-overlap"));
	done(&snap, &f);
	add(&f, SS_LISTEN, "0.0.0.0", 40000, "0.0.0.0", 0, 1);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "port-overlap");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_true(
	    has_action(a, "sysctl -w net.ipv4.ip_local_reserved_ports=40000"));
	/* Already reserved: fine; the action keeps existing reservations. */
	assert_int_equal(
	    sysctl_parse_ranges("40000,50000-50010", &snap.sys.reserved), 0);
	assert_null(run(&snap, "port-overlap"));
	f.recs[0].sport = 41000;
	resample(&snap, &f, NULL);
	a = run(&snap, "port-overlap");
	assert_non_null(a);
	assert_true(has_action(a, "ip_local_reserved_ports=40000,50000-50010,"
				  "41000"));
	done(&snap, &f);
}

static void fixture_root(char *root, size_t len, const char *tree)
{
	const char *base = getenv("FIXTURES");

	snprintf(root, len, "%s/%s", base ? base : "tests/fixtures", tree);
}

/* systemd-sysctl's order: names sorted across the directories, an earlier
 * directory hiding the same name, sysctl.conf last. */
static void test_conf_order(void **unused)
{
	static const char *const keys[] = {"net.ipv4.tcp_fin_timeout",
					   "net.ipv4.tcp_syncookies",
					   "net.ipv4.tcp_timestamps", NULL};
	static const char *const expect[][2] = {
	    {"lib/sysctl.d/10-lib.conf", "1"},
	    {"usr/lib/sysctl.d/50-default.conf", "1"},
	    {"usr/lib/sysctl.d/50-default.conf", "2"},
	    {"run/sysctl.d/60-run.conf", "1"},
	    {"etc/sysctl.d/90-tuning.conf", "15"},
	    {"usr/local/lib/sysctl.d/95-local.conf", "30"},
	    {"etc/sysctl.conf", "0"},
	    {"etc/sysctl.conf", "30\x1b]0;owned\x07"},
	};
	struct conf_lines l;
	struct conf_hit hit;
	char root[512];

	(void)unused;
	fixture_root(root, sizeof(root), "advice-folklore");
	assert_int_equal(sysctl_conf_collect(root, keys, &l), 0);
	assert_int_equal(l.n, ARRAY_SIZE(expect));
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		assert_string_equal(l.l[i].file, expect[i][0]);
		assert_string_equal(l.l[i].value, expect[i][1]);
	}
	/* sysctl.conf is read once where 99-sysctl.conf links to it. */
	fixture_root(root, sizeof(root), "sysctl-link");
	assert_int_equal(sysctl_conf_collect(root, keys, &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.l[1].file, "etc/sysctl.d/99-sysctl.conf");
	assert_string_equal(l.l[2].value, "5");
	assert_int_equal(sysctl_conf_find(root, keys[0], &hit), 1);
	assert_string_equal(hit.value, "5");
}

static void test_sysctl_folklore(void **unused)
{
	struct snapshot snap;
	const struct advice *a;

	(void)unused;
	gather(&snap, "advice-base", NULL);
	assert_null(run(&snap, "sysctl-folklore"));
	snapshot_finish(&snap);

	gather(&snap, "advice-folklore", NULL);
	a = run(&snap, "sysctl-folklore");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_WARN);
	assert_int_equal(evidence(a, "lines"), 10);
	assert_string_equal(a->subject, "/lib/sysctl.d/10-lib.conf:1");
	assert_true(has_action(a, "/lib/sysctl.d/10-lib.conf:1: "
				  "net.ipv4.tcp_syncookies = 1: 1 is the "
				  "default"));
	assert_true(has_action(a, "/etc/sysctl.d/90-tuning.conf:2: "
				  "net.ipv4.tcp_tw_recycle = 1: removed in "
				  "Linux 4.12"));
	assert_true(has_action(a, "/etc/sysctl.d/90-tuning.conf:3: "
				  "net.ipv4.tcp_fin_timeout = 15: TIME_WAIT is "
				  "60 s, compiled in (TCP_TIMEWAIT_LEN); this "
				  "only bounds orphaned FIN_WAIT2"));
	assert_true(has_action(a, "/etc/sysctl.d/90-tuning.conf:4: "
				  "net.ipv4.tcp_tw_reuse = 1: it acts only on "
				  "outgoing connect()"));
	assert_true(has_action(a, "/etc/sysctl.d/90-tuning.conf:5: "
				  "net.ipv4.tcp_max_tw_buckets = 5000: lowered "
				  "below 262144"));
	assert_true(
	    has_action(a, "/etc/sysctl.conf:3: "
			  "net.ipv4.tcp_timestamps = 0: it disables PAWS"));
	/* Hidden by etc/sysctl.d/90-tuning.conf: never applied. */
	assert_false(has_action(a, "/usr/lib/sysctl.d/90-tuning.conf"));
	/* The default value of tcp_max_tw_buckets is no folklore. */
	assert_false(has_action(a, "60-run.conf"));
	/* The bytes as written; the printers escape them. */
	assert_true(has_action(a, "= 30\x1b]0;owned\x07: TIME_WAIT is 60 s"));
	/* The line that wins for tcp_tw_recycle says 0: info. */
	a = run(&snap, "tw-recycle");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_INFO);
	assert_string_equal(a->subject, "/etc/sysctl.conf:2");
	snapshot_finish(&snap);

	/* Before 4.12 tcp_tw_recycle = 1 is live and critical. */
	gather(&snap, "advice-folklore", NULL);
	snap.kernel.major = 4;
	snap.kernel.minor = 9;
	a = run(&snap, "sysctl-folklore");
	assert_non_null(a);
	assert_int_equal(a->sev, SEV_CRIT);
	snapshot_finish(&snap);
}

static void test_fin_wait2_peer(void **unused)
{
	static const struct owner_ops owner = {fake_owner, NULL};
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_FIN_WAIT2, "127.0.0.1", 0, "127.0.0.1", 7000, 120);
	add(&f, SS_CLOSE_WAIT, "127.0.0.1", 7000, "127.0.0.1", 0, 120);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "fin-wait2-stuck");
	assert_non_null(a);
	assert_true(has_action(a, "a correct half-close waits here for a "
				  "peer that never close()s"));
	assert_true(has_action(a, "this host holds some"));
	assert_true(has_action(a, "sockscope kill state fin-wait-2 dst "
				  "127.0.0.1 frees them now (120 towards "
				  "127.0.0.1 in all)"));
	done(&snap, &f);

	/* With -p the kill is scoped to the owner too. */
	add(&f, SS_FIN_WAIT2, "10.0.0.1", 9000, "10.0.0.2", 7000, 120);
	gather(&snap, "advice-base", &f);
	resample(&snap, &f, &owner);
	resample(&snap, &f, &owner);
	a = run(&snap, "fin-wait2-stuck");
	assert_non_null(a);
	assert_int_equal(evidence(a, "pid"), 42);
	assert_true(has_action(a, "sockscope kill state fin-wait-2 dst "
				  "10.0.0.2 pid = 42 frees them now"));
	assert_false(has_action(a, "this host holds some"));
	done(&snap, &f);
}

static void test_syn_sent_local(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	add(&f, SS_LISTEN, "0.0.0.0", 9200, "0.0.0.0", 0, 1);
	f.recs[0].recv_q = 2;
	f.recs[0].send_q = 1;
	add(&f, SS_SYN_SENT, "127.0.0.1", 0, "127.0.0.1", 9200, 12);
	gather(&snap, "advice-base", &f);
	a = run(&snap, "syn-sent-pile");
	assert_non_null(a);
	assert_non_null(strstr(a->message, "listener 0.0.0.0:9200 has a full "
					   "accept queue"));
	assert_null(strstr(a->message, "unreachable"));
	assert_true(has_action(a, "accept() faster"));
	/* Room in the queue: then it is the network again. */
	snapshot_finish(&snap);
	f.recs[0].recv_q = 0;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "syn-sent-pile");
	assert_non_null(a);
	assert_non_null(strstr(a->message, "unreachable or filtered"));
	done(&snap, &f);
}

static void test_dead_peer_probe(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};
	const struct advice *a;

	(void)unused;
	/* Persist timer, probes answered (count reset): live, not reading */
	add(&f, SS_ESTABLISHED, "10.0.0.1", 0, "10.9.9.9", 443, 10);
	for (size_t i = 0; i < f.n; i++) {
		f.recs[i].timer = 4;
	}
	gather(&snap, "advice-base", &f);
	a = run(&snap, "dead-peer");
	assert_non_null(a);
	assert_non_null(strstr(a->message, "alive but do not read"));
	assert_null(strstr(a->message, "gone"));
	assert_int_equal(evidence(a, "zero_window_live_peer"), 10);
	assert_int_equal(evidence(a, "sockets"), 0);
	snapshot_finish(&snap);
	/* 8 unanswered probes: the peer stopped answering. */
	f.recs[0].retrans = 8;
	gather(&snap, "advice-base", &f);
	a = run(&snap, "dead-peer");
	assert_non_null(a);
	assert_non_null(strstr(a->message, "gone or unreachable"));
	assert_int_equal(evidence(a, "sockets"), 1);
	assert_true(
	    has_action(a, "9 sockets probe a zero window with answers"));
	done(&snap, &f);
}

static void test_port_overlap_autobound(void **unused)
{
	struct snapshot snap;
	struct fake f = {0};

	(void)unused;
	add(&f, SS_LISTEN, "0.0.0.0", 40000, "0.0.0.0", 0, 1);
	gather(&snap, "advice-base", &f);
	assert_non_null(run(&snap, "port-overlap"));
	summary_add_autobound(snap.sum, &f.recs[0]);
	assert_null(run(&snap, "port-overlap"));
	done(&snap, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_base_quiet),
	    cmocka_unit_test(test_tuple_pressure),
	    cmocka_unit_test(test_tuple_pressure_reuse),
	    cmocka_unit_test(test_zero_ports),
	    cmocka_unit_test(test_tw_harmless),
	    cmocka_unit_test(test_tw_buckets),
	    cmocka_unit_test(test_tw_recycle),
	    cmocka_unit_test(test_tw_reuse_noop),
	    cmocka_unit_test(test_fin_timeout_myth),
	    cmocka_unit_test(test_fin_wait2_stuck),
	    cmocka_unit_test(test_close_wait_leak),
	    cmocka_unit_test(test_close_wait_client),
	    cmocka_unit_test(test_accept_overflow),
	    cmocka_unit_test(test_accept_overflow_owner),
	    cmocka_unit_test(test_listener_fill),
	    cmocka_unit_test(test_somaxconn_low),
	    cmocka_unit_test(test_syn_queue),
	    cmocka_unit_test(test_syncookies_and_abort),
	    cmocka_unit_test(test_orphans),
	    cmocka_unit_test(test_tcp_mem),
	    cmocka_unit_test(test_rst_on_close),
	    cmocka_unit_test(test_syn_sent_pile),
	    cmocka_unit_test(test_dead_peer),
	    cmocka_unit_test(test_port_overlap),
	    cmocka_unit_test(test_port_overlap_autobound),
	    cmocka_unit_test(test_conf_order),
	    cmocka_unit_test(test_sysctl_folklore),
	    cmocka_unit_test(test_fin_wait2_peer),
	    cmocka_unit_test(test_syn_sent_local),
	    cmocka_unit_test(test_dead_peer_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

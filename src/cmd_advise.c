// SPDX-License-Identifier: MIT
/*
 * `sockscope advise`: gather a snapshot (two samples --interval apart),
 * run every rule of advice_rules.c, print what fired with its evidence,
 * actions and source. Exit 3 when a warning-or-worse rule fired, so cron
 * and CI can act on it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acquire.h"
#include "advice.h"
#include "netns_find.h"
#include "cmd.h"
#include "format_prom.h"
#include "jw.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

static void put_escaped(struct obuf *ob, const char *s)
{
	obuf_escape_text(ob, s, strlen(s));
}

static void table_one(struct obuf *ob, const struct advice *a)
{
	obuf_printf(ob, "%-9s %s: ", advice_sev_name(a->sev), a->rule->id);
	put_escaped(ob, a->message);
	obuf_putc(ob, '\n');
	if (a->subject[0]) {
		obuf_puts(ob, "          subject: ");
		put_escaped(ob, a->subject);
		obuf_putc(ob, '\n');
	}
	obuf_puts(ob, "          evidence:");
	for (unsigned int i = 0; i < a->n_evidence; i++) {
		obuf_printf(ob, " %s=%.6g", a->evidence[i].name,
			    a->evidence[i].value);
	}
	obuf_putc(ob, '\n');
	for (unsigned int i = 0; i < a->n_actions; i++) {
		obuf_puts(ob, "          do: ");
		put_escaped(ob, a->actions[i]);
		obuf_putc(ob, '\n');
	}
	obuf_printf(ob, "          source: %s\n", a->rule->source);
}

static void advise_table(struct obuf *ob, const struct snapshot *snap,
			 const struct advice *a, size_t n)
{
	obuf_puts(ob, "kernel ");
	put_escaped(ob, snap->have_kernel ? snap->osrelease : "unknown");
	obuf_printf(ob, "; %u rules; ", (unsigned int)advice_rules_count());
	if (snap->interval_s) {
		obuf_printf(ob, "counters sampled %g s apart\n",
			    snap->interval_s);
	} else {
		obuf_puts(ob, "one sample: rules on counter rates skipped\n");
	}
	if (!n) {
		obuf_puts(ob, "no advice: every rule passed\n");
	}
	for (size_t i = 0; i < n; i++) {
		obuf_putc(ob, '\n');
		table_one(ob, &a[i]);
	}
}

/* The namespace as detail_json_netns() writes it, through jw. */
static void json_netns(struct jw *w, const struct netns_entry *e)
{
	static const struct {
		const char *key;
		size_t off;
	} opt[] = {
	    {"runtime", offsetof(struct netns_label, runtime)},
	    {"container", offsetof(struct netns_label, container)},
	    {"pod", offsetof(struct netns_label, pod)},
	    {"unit", offsetof(struct netns_label, unit)},
	};

	jw_object(w, "netns");
	jw_u64(w, "inode", e->ino);
	jw_string(w, "label", e->label.text);
	jw_string(w, "kind", netns_kind_name(e->label.kind));
	if (e->pid) {
		jw_u64(w, "pid", (uint64_t)e->pid);
	} else {
		jw_null(w, "pid");
	}
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		const char *v = (const char *)&e->label + opt[i].off;

		if (v[0]) {
			jw_string(w, opt[i].key, v);
		}
	}
	jw_end(w);
}

/* e: the namespace it fired in (--all-netns), else NULL. */
static void json_one(struct jw *w, const struct advice *a,
		     const struct netns_entry *e)
{
	jw_object(w, NULL);
	if (e) {
		json_netns(w, e);
	}
	jw_string(w, "rule", a->rule->id);
	jw_string(w, "severity", advice_sev_name(a->sev));
	jw_string(w, "message", a->message);
	if (a->subject[0]) {
		jw_string(w, "subject", a->subject);
	}
	jw_object(w, "evidence");
	for (unsigned int i = 0; i < a->n_evidence; i++) {
		jw_double(w, a->evidence[i].name, a->evidence[i].value);
	}
	jw_end(w);
	jw_array(w, "actions");
	for (unsigned int i = 0; i < a->n_actions; i++) {
		jw_string(w, NULL, a->actions[i]);
	}
	jw_end(w);
	jw_string(w, "source", a->rule->source);
	jw_end(w);
}

static void advise_json(struct obuf *ob, const struct snapshot *snap,
			const struct advice *a, size_t n)
{
	struct jw w;

	jw_init(&w, ob);
	jw_object(&w, NULL);
	jw_string(&w, "kernel", snap->have_kernel ? snap->osrelease : "");
	jw_double(&w, "interval_s", snap->interval_s);
	jw_string(&w, "worst", advice_sev_name(n ? a[0].sev : SEV_NONE));
	if (snap->unreadable[0]) {
		jw_string(&w, "unreadable", snap->unreadable);
	}
	jw_array(&w, "advice");
	for (size_t i = 0; i < n; i++) {
		json_one(&w, &a[i], NULL);
	}
	jw_end(&w);
	jw_array(&w, "rules");
	for (size_t i = 0; advice_rules[i]; i++) {
		jw_object(&w, NULL);
		jw_string(&w, "id", advice_rules[i]->id);
		jw_string(&w, "max_severity",
			  advice_sev_name(advice_rules[i]->max_sev));
		jw_string(&w, "checks", advice_rules[i]->what);
		jw_string(&w, "source", advice_rules[i]->source);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	obuf_putc(ob, '\n');
}

/* ---- advise --all-netns (issue 19) ---- */

/* Each namespace's snapshot, by its index in the set. */
struct ns_advise {
	const struct opts *o;
	const struct netns_set *set;
	struct snapshot *snap;
	struct timespec *at; /* when its first sample was taken */
	bool *ok;	     /* its snapshot was gathered */
	int *second;	     /* its second sample: 1 taken, -errno failed */
	/* the second pass: the namespaces sampled once, each set index */
	const struct netns_set *again;
	size_t *map;
	struct acquire_notes notes; /* every namespace's samples share it */
};

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int first_sample(const struct netns_entry *e, void *data)
{
	struct ns_advise *na = data;
	size_t i = (size_t)(e - na->set->v);

	clock_gettime(CLOCK_MONOTONIC, &na->at[i]);
	if (snapshot_gather_opts(&na->snap[i], na->o, 0, &na->notes)) {
		snapshot_finish(&na->snap[i]);
		return -ENODEV; /* said; a skip */
	}
	na->ok[i] = true;
	return 0;
}

/* The second sample where the first was taken: one sleep for all. */
static int second_sample(const struct netns_entry *e, void *data)
{
	struct ns_advise *na = data;
	size_t i = na->map[e - na->again->v];
	int err = snapshot_resample_opts(&na->snap[i], na->o, since(&na->at[i]),
					 &na->notes);

	na->second[i] = err ? err : 1;
	return err ? -ENODEV : 0; /* said; a skip */
}

/*
 * A namespace sampled once, not twice (it went away in between, or its
 * second sample failed), would be advised on half its data: its rate
 * rules silently passing. It is left out, and said so; *skipped counts
 * the ones the walk did not (those that went away).
 */
static void drop_once_sampled(struct ns_advise *na, unsigned int *skipped)
{
	for (size_t i = 0; i < na->set->n; i++) {
		char *name;

		if (!na->ok[i] || na->second[i] == 1) {
			continue;
		}
		name = netns_label_escaped(&na->set->v[i]);
		warnx_("--all-netns: %s left out: %s", name,
		       na->second[i] ? "its second sample failed"
				     : "it went away before its second "
				       "sample");
		free(name);
		if (!na->second[i]) {
			(*skipped)++;
		}
		snapshot_finish(&na->snap[i]);
		na->ok[i] = false;
	}
}

/* What fired in every sampled namespace, in namespace order. */
struct ns_result {
	struct advice *adv; /* subjects prefixed with the namespace's label */
	const struct netns_entry **of; /* the namespace each fired in */
	size_t n;
	struct prom_netns_row *prom; /* one per sampled namespace */
	size_t n_prom;
	const struct snapshot *any; /* a sampled one, for the kernel */
};

/* One namespace's figures for Prometheus, from its snapshot. */
static void prom_row(struct prom_netns_row *row, const struct netns_entry *e,
		     const struct snapshot *snap, const struct opts *o)
{
	struct report r;

	report_build(&r, snap, o->top, o->protocols);
	*row = (struct prom_netns_row){
	    .label = &e->label,
	    .states = r.states,
	    .fill_max = r.n_listeners ? r.listeners[0].fill : 0,
	    .tuple_ratio = r.tuples.max_held_ratio,
	    .have_ports = r.ports.have,
	};
	report_finish(&r);
}

static void add_fired(struct ns_result *res, const struct advice *a, size_t k,
		      const struct netns_entry *e)
{
	res->adv = xrealloc(res->adv, (res->n + k + 1) * sizeof(*res->adv));
	res->of = xrealloc(res->of, (res->n + k + 1) * sizeof(*res->of));
	for (size_t j = 0; j < k; j++) {
		struct advice *to = &res->adv[res->n];

		*to = a[j];
		/* A long label and subject are cut, and say so. */
		if ((size_t)snprintf(to->subject, sizeof(to->subject),
				     "netns %s%s%s", e->label.text,
				     a[j].subject[0] ? ": " : "",
				     a[j].subject) >= sizeof(to->subject)) {
			memcpy(to->subject + sizeof(to->subject) - 4, "...", 4);
		}
		res->of[res->n++] = e;
	}
}

/* The rules in every sampled namespace. */
static void run_rules(const struct ns_advise *na, struct ns_result *res)
{
	struct advice *a = xcalloc(advice_rules_count(), sizeof(*a));
	size_t *start = xcalloc(na->set->n + 1, sizeof(*start));

	memset(res, 0, sizeof(*res));
	res->prom = xcalloc(na->set->n + 1, sizeof(*res->prom));
	for (size_t i = 0; i < na->set->n; i++) {
		const struct netns_entry *e = &na->set->v[i];
		size_t k;

		if (!na->ok[i]) {
			continue;
		}
		res->any = &na->snap[i];
		k = advice_run(&na->snap[i], a);
		add_fired(res, a, k, e);
		prom_row(&res->prom[res->n_prom], e, &na->snap[i], na->o);
		res->prom[res->n_prom].n_fired = k;
		start[res->n_prom++] = res->n - k;
	}
	/* res->adv has stopped moving: each namespace's slice of it. */
	for (size_t i = 0; i < res->n_prom; i++) {
		res->prom[i].fired = &res->adv[start[i]];
	}
	free(start);
	free(a);
}

static int by_severity(const void *pa, const void *pb, void *data)
{
	const struct advice *adv = data;
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;

	if (adv[x].sev != adv[y].sev) {
		return adv[x].sev > adv[y].sev ? -1 : 1;
	}
	return x < y ? -1 : x > y; /* namespace order, then rule order */
}

static void all_netns_table(struct obuf *ob, const struct ns_result *res,
			    const size_t *order)
{
	const struct snapshot *snap = res->any;

	obuf_puts(ob, "kernel ");
	put_escaped(ob,
		    snap && snap->have_kernel ? snap->osrelease : "unknown");
	obuf_printf(ob, "; %u rules in %zu namespaces; ",
		    (unsigned int)advice_rules_count(), res->n_prom);
	if (snap && snap->interval_s) {
		obuf_puts(ob, "counters sampled twice\n");
	} else {
		obuf_puts(ob, "one sample: rules on counter rates skipped\n");
	}
	if (!res->n) {
		obuf_puts(ob, "no advice: every rule passed\n");
	}
	for (size_t i = 0; i < res->n; i++) {
		obuf_putc(ob, '\n');
		table_one(ob, &res->adv[order[i]]);
	}
}

static void all_netns_json(struct obuf *ob, const struct ns_result *res,
			   const size_t *order, const struct ns_advise *na)
{
	const struct snapshot *snap = res->any;
	struct jw w;

	jw_init(&w, ob);
	jw_object(&w, NULL);
	jw_string(&w, "kernel",
		  snap && snap->have_kernel ? snap->osrelease : "");
	jw_string(&w, "worst",
		  advice_sev_name(res->n ? res->adv[order[0]].sev : SEV_NONE));
	jw_array(&w, "namespaces");
	for (size_t i = 0; i < na->set->n; i++) {
		if (na->ok[i]) {
			jw_object(&w, NULL);
			json_netns(&w, &na->set->v[i]);
			jw_double(&w, "interval_s", na->snap[i].interval_s);
			jw_end(&w);
		}
	}
	jw_end(&w);
	jw_array(&w, "advice");
	for (size_t i = 0; i < res->n; i++) {
		json_one(&w, &res->adv[order[i]], res->of[order[i]]);
	}
	jw_end(&w);
	jw_end(&w);
	obuf_putc(ob, '\n');
}

/*
 * Both samples of every namespace: the first in each, one sleep, the
 * second in each (a namespace is entered twice, its counters read
 * --interval apart whatever the number of namespaces).
 */
static int sample_all(struct ns_advise *na, unsigned int *skipped)
{
	long long ns = (long long)na->o->interval_ms * 1000000;
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000),
			      .tv_nsec = (long)(ns % 1000000000)};
	struct netns_set again = {0};
	int err = netns_each(na->set, first_sample, na, skipped);

	/* Each namespace's probed sockets counted once, by the first pass:
	 * the second one's notices are said (acquire_notes). */
	acquire_notes_say(&na->notes);
	if (err || !ns) {
		return err;
	}
	while (nanosleep(&ts, &ts) && errno == EINTR) {
	}
	/* Only those sampled once: a skip is said once. */
	again.v = xcalloc(na->set->n + 1, sizeof(*again.v));
	na->map = xcalloc(na->set->n + 1, sizeof(*na->map));
	for (size_t i = 0; i < na->set->n; i++) {
		if (na->ok[i]) {
			na->map[again.n] = i;
			again.v[again.n++] = na->set->v[i];
		}
	}
	na->again = &again;
	err = netns_each(&again, second_sample, na, skipped);
	free(again.v);
	if (!err) {
		drop_once_sampled(na, skipped);
	}
	return err;
}

static int advise_all_netns(const struct opts *o)
{
	struct ns_advise na = {.o = o, .notes.sum = true};
	struct ns_result res = {0};
	unsigned int skipped = 0;
	struct netns_set set;
	size_t *order = NULL;
	struct obuf out;
	int ret = EXIT_RUNTIME;
	int err = netns_discover(&set, o->root);

	if (err) {
		netns_discover_warn(o->root, err);
		return EXIT_RUNTIME;
	}
	netns_set_sort(&set);
	na.set = &set;
	na.snap = xcalloc(set.n + 1, sizeof(*na.snap));
	na.at = xcalloc(set.n + 1, sizeof(*na.at));
	na.ok = xcalloc(set.n + 1, sizeof(*na.ok));
	na.second = xcalloc(set.n + 1, sizeof(*na.second));
	if (sample_all(&na, &skipped)) {
		goto out;
	}
	run_rules(&na, &res);
	order = xcalloc(res.n + 1, sizeof(*order));
	for (size_t i = 0; i < res.n; i++) {
		order[i] = i;
	}
	qsort_r(order, res.n, sizeof(*order), by_severity, res.adv);
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	if (o->format == FMT_PROMETHEUS) {
		prom_netns(&out, res.prom, res.n_prom, o->protocols, true);
	} else if (o->format == FMT_TABLE) {
		all_netns_table(&out, &res, order);
	} else {
		all_netns_json(&out, &res, order, &na);
	}
	ret = cmd_finish_output(&out);
	if (ret == EXIT_OK && res.n && res.adv[order[0]].sev >= SEV_WARN) {
		ret = EXIT_ADVICE;
	} else if (ret == EXIT_OK && skipped) {
		ret = EXIT_RUNTIME;
	}
out:
	for (size_t i = 0; i < set.n; i++) {
		if (na.ok[i]) {
			snapshot_finish(&na.snap[i]);
		}
	}
	free(order);
	free(res.adv);
	free(res.of);
	free(res.prom);
	free(na.snap);
	free(na.at);
	free(na.ok);
	free(na.second);
	free(na.map);
	netns_set_finish(&set);
	return ret;
}

static int advise_exec(const struct opts *o)
{
	struct advice *a;
	struct snapshot snap;
	struct obuf out;
	size_t n = 0;
	int ret = EXIT_RUNTIME;

	if (o->all_netns) {
		return advise_all_netns(o);
	}
	a = xcalloc(advice_rules_count(), sizeof(*a));
	if (snapshot_gather_opts(&snap, o, o->interval_ms / 1000.0, NULL)) {
		goto out;
	}
	n = advice_run(&snap, a);
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	if (o->format == FMT_PROMETHEUS) {
		struct report r;

		report_build(&r, &snap, o->top, o->protocols);
		prom_snapshot(&out, &r, o->protocols);
		report_finish(&r);
		prom_advice(&out, a, n);
	} else if (o->format == FMT_TABLE) {
		advise_table(&out, &snap, a, n);
	} else {
		advise_json(&out, &snap, a, n);
	}
	ret = cmd_finish_output(&out);
	if (ret == EXIT_OK && n && a[0].sev >= SEV_WARN) {
		ret = EXIT_ADVICE;
	}
out:
	snapshot_finish(&snap);
	free(a);
	return ret;
}

const struct cmd_entry cmd_advise_entry = {
    .name = "advise",
    .usage = "sockscope advise [OPTIONS] [FILTER]",
    .exec = advise_exec,
};

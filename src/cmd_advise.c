// SPDX-License-Identifier: MIT
/*
 * `sockscope advise`: gather a snapshot (two samples --interval apart),
 * run every rule of advice_rules.c, print what fired with its evidence,
 * actions and source. Exit 3 when a warning-or-worse rule fired, so cron
 * and CI can act on it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
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

static void json_one(struct jw *w, const struct advice *a)
{
	jw_object(w, NULL);
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
		json_one(&w, &a[i]);
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

static int advise_exec(const struct opts *o)
{
	struct advice *a = xcalloc(advice_rules_count(), sizeof(*a));
	struct snapshot snap;
	struct obuf out;
	size_t n = 0;
	int ret = EXIT_RUNTIME;

	if (snapshot_gather_opts(&snap, o, o->interval_ms / 1000.0)) {
		goto out;
	}
	n = advice_run(&snap, a);
	obuf_init(&out, STDOUT_FILENO, 64 * 1024);
	if (o->format == FMT_PROMETHEUS) {
		struct report r;

		report_build(&r, &snap, o->top);
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

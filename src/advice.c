// SPDX-License-Identifier: MIT
#include "advice.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *advice_sev_name(enum advice_sev sev)
{
	static const char *const names[] = {
	    [SEV_NONE] = "none",
	    [SEV_INFO] = "info",
	    [SEV_WARN] = "warning",
	    [SEV_CRIT] = "critical",
	};

	return sev <= SEV_CRIT ? names[sev] : "none";
}

size_t advice_rules_count(void)
{
	size_t n = 0;

	while (advice_rules[n]) {
		n++;
	}
	return n;
}

const struct advice_rule *advice_rule_find(const char *id)
{
	for (size_t i = 0; advice_rules[i]; i++) {
		if (!strcmp(advice_rules[i]->id, id)) {
			return advice_rules[i];
		}
	}
	return NULL;
}

size_t advice_run(const struct snapshot *snap, struct advice *out)
{
	size_t n = 0;

	for (size_t i = 0; advice_rules[i]; i++) {
		struct advice *a = &out[n];

		memset(a, 0, sizeof(*a));
		if (advice_rules[i]->check(snap, a) && a->sev != SEV_NONE) {
			a->rule = advice_rules[i];
			n++;
		}
	}
	/* Insertion sort: stable, so rule order holds within a level. */
	for (size_t i = 1; i < n; i++) {
		struct advice tmp = out[i];
		size_t j = i;

		for (; j > 0 && out[j - 1].sev < tmp.sev; j--) {
			out[j] = out[j - 1];
		}
		out[j] = tmp;
	}
	return n;
}

__attribute__((format(printf, 2, 0))) static void
vformat(char *buf, const char *fmt, va_list ap)
{
	vsnprintf(buf, ADVICE_TEXT_MAX, fmt, ap);
}

void advice_set(struct advice *a, enum advice_sev sev, const char *fmt, ...)
{
	va_list ap;

	a->sev = sev;
	va_start(ap, fmt);
	vformat(a->message, fmt, ap);
	va_end(ap);
}

void advice_subject(struct advice *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(a->subject, fmt, ap);
	va_end(ap);
}

void advice_evidence(struct advice *a, const char *name, double value)
{
	if (a->n_evidence < ADVICE_EVIDENCE_MAX) {
		a->evidence[a->n_evidence++] =
		    (struct advice_evidence){name, value};
	}
}

void advice_action(struct advice *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n_actions >= ADVICE_ACTIONS_MAX) {
		return;
	}
	va_start(ap, fmt);
	vformat(a->actions[a->n_actions++], fmt, ap);
	va_end(ap);
}

bool advice_sysctl(const struct snapshot *snap, enum sysctl_id id, int64_t *v)
{
	if (!sysctl_have(&snap->sys, id)) {
		return false;
	}
	*v = snap->sys.v[id];
	return true;
}

// SPDX-License-Identifier: MIT
/*
 * The sysctl.conf audit (registered in advice_rules.c): every line of the
 * files systemd-sysctl applies (sysctl_conf_each) that sets a tunable the
 * folklore gets wrong, with file:line and what it really does on this
 * kernel. One table entry per key.
 */
#include "advice_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "util.h"

/*
 * One sysctl the folklore gets wrong. A line setting it to value (NULL:
 * any value) is reported at sev with the facts table's truth, unless a
 * judge of its own decides: a line's severity and the truth about it,
 * SEV_NONE when there is nothing to say.
 */
struct folklore {
	const char *key;
	const char *value;
	enum advice_sev sev;
	enum advice_sev (*judge)(const struct snapshot *snap,
				 const struct conf_line *l, char *truth,
				 size_t len);
};

static bool value_is(const struct conf_line *l, const char *v)
{
	return !strcmp(l->value, v);
}

/*
 * What the facts table (facts_sysctl.c, which explain and the man page
 * print) says is true instead of the myth about l's sysctl: the audit
 * says it with the same words.
 */
static void myth_truth(const struct conf_line *l, char *truth, size_t len)
{
	const struct sysctl_fact *f = facts_sysctl_find(l->key);

	snprintf(truth, len, "%s", f && f->myth.truth ? f->myth.truth : "");
}

static enum advice_sev judge_recycle(const struct snapshot *snap,
				     const struct conf_line *l, char *truth,
				     size_t len)
{
	bool removed =
	    !snap->have_kernel || kver_at_least(&snap->kernel, 4, 12);

	if (!removed) {
		snprintf(truth, len,
			 "switched on it drops clients behind NAT (Linux "
			 "4.12 removed it)");
		return value_is(l, "0") ? SEV_INFO : SEV_CRIT;
	}
	snprintf(truth, len,
		 "removed in Linux 4.12: the line is dead and sysctl -p "
		 "reports an error for it");
	return value_is(l, "0") ? SEV_INFO : SEV_WARN;
}

/* The kernel sizes tcp_max_tw_buckets at half the established hash. */
static enum advice_sev judge_tw_buckets(const struct snapshot *snap,
					const struct conf_line *l, char *truth,
					size_t len)
{
	char *end;
	long long v = strtoll(l->value, &end, 10), dflt;
	int64_t ehash, live;

	if (end == l->value || *end) {
		return SEV_NONE;
	}
	if (advice_sysctl(snap, SYS_EHASH_ENTRIES, &ehash) && ehash) {
		dflt = (ehash < 0 ? -ehash : ehash) / 2;
	} else if (advice_sysctl(snap, SYS_MAX_TW_BUCKETS, &live)) {
		dflt = live; /* default unknown: lower than what runs now */
	} else {
		return SEV_NONE;
	}
	if (v >= dflt) {
		return SEV_NONE;
	}
	snprintf(truth, len, "lowered below %lld: %s", dflt,
		 facts_sysctl_find(l->key)->myth.truth);
	return SEV_WARN;
}

static const struct folklore folklore[] = {
    {"net.ipv4.tcp_tw_recycle", NULL, SEV_NONE, judge_recycle},
    {"net.ipv4.tcp_fin_timeout", NULL, SEV_INFO, NULL},
    {"net.ipv4.tcp_tw_reuse", "1", SEV_INFO, NULL},
    {"net.ipv4.tcp_syncookies", "1", SEV_INFO, NULL},
    {"net.ipv4.tcp_timestamps", "0", SEV_WARN, NULL},
    {"net.ipv4.tcp_max_tw_buckets", NULL, SEV_NONE, judge_tw_buckets},
};

static enum advice_sev judge(const struct snapshot *snap,
			     const struct conf_line *l, char *truth, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(folklore); i++) {
		const struct folklore *f = &folklore[i];

		if (strcmp(f->key, l->key)) {
			continue;
		}
		if (f->judge) {
			return f->judge(snap, l, truth, len);
		}
		if (f->value && !value_is(l, f->value)) {
			return SEV_NONE;
		}
		myth_truth(l, truth, len);
		return f->sev;
	}
	return SEV_NONE;
}

static bool check_sysctl_folklore(const struct snapshot *snap, struct advice *a)
{
	enum advice_sev worst = SEV_NONE;
	unsigned int hits = 0;
	const struct conf_line *first = NULL;
	char truth[ADVICE_TEXT_MAX];

	for (unsigned int i = 0; i < snap->conf.n; i++) {
		const struct conf_line *l = &snap->conf.l[i];
		enum advice_sev sev = judge(snap, l, truth, sizeof(truth));

		if (sev == SEV_NONE) {
			continue;
		}
		worst = sev > worst ? sev : worst;
		first = first ? first : l;
		if (++hits < ADVICE_ACTIONS_MAX) {
			advice_action(a, "/%s:%u: %s = %s: %s", l->file,
				      l->line, l->key, l->value, truth);
		}
	}
	if (!hits) {
		return false;
	}
	if (hits >= ADVICE_ACTIONS_MAX) {
		advice_action(a, "and %u more such lines in the same files",
			      hits - (ADVICE_ACTIONS_MAX - 1));
	}
	advice_set(a, worst,
		   "%u line%s in the sysctl configuration set a tunable the "
		   "tuning folklore gets wrong (first: /%s:%u)",
		   hits, hits > 1 ? "s" : "", first->file, first->line);
	advice_subject(a, "/%s:%u", first->file, first->line);
	advice_evidence(a, "lines", hits);
	advice_evidence(a, "lines_not_scanned", snap->conf.more);
	return true;
}

const struct advice_rule rule_sysctl_folklore = {
    .id = "sysctl-folklore",
    .max_sev = SEV_CRIT,
    .what = "lines of the files systemd-sysctl applies that set "
	    "tcp_tw_recycle, tcp_fin_timeout, tcp_tw_reuse = 1, "
	    "tcp_syncookies = 1, tcp_timestamps = 0 or a lowered "
	    "tcp_max_tw_buckets",
    .source = SRC_IP_SYSCTL "#tcp-variables",
    .check = check_sysctl_folklore,
};

/*
 * advice.h - tuning advice: a table of rules (advice_rules.c), each one
 * `const struct advice_rule` registered in advice_rules[] (the tmux
 * cmd_entry pattern), evaluated over a struct snapshot.
 *
 * A rule's check() looks only at the snapshot (no I/O) and, when it fires,
 * fills a struct advice: severity, one-line message, the evidence numbers
 * that made it fire, and the exact actions (`sysctl -w ...` lines or what
 * to change). It returns false, leaving out untouched, when it does not
 * fire or the data it needs is missing. Rules never recommend
 * net.ipv4.tcp_tw_recycle: it was removed in Linux 4.12.
 */
#ifndef SOCKSCOPE_ADVICE_H
#define SOCKSCOPE_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"

enum advice_sev {
	SEV_NONE = 0,
	SEV_INFO,
	SEV_WARN,
	SEV_CRIT,
};

#define ADVICE_EVIDENCE_MAX 8
#define ADVICE_ACTIONS_MAX  12
#define ADVICE_TEXT_MAX	    200

struct advice_evidence {
	const char *name; /* static, snake_case or the kernel counter name */
	double value;
};

struct advice {
	const struct advice_rule *rule;
	enum advice_sev sev;
	char message[ADVICE_TEXT_MAX];
	/* What it is about (a listener, a tuple, a process, a file) or "".
	 * May hold process-controlled bytes: escape when printing. */
	char subject[ADVICE_TEXT_MAX];
	unsigned int n_evidence;
	struct advice_evidence evidence[ADVICE_EVIDENCE_MAX];
	unsigned int n_actions;
	char actions[ADVICE_ACTIONS_MAX][ADVICE_TEXT_MAX];
};

struct advice_rule {
	const char *id;		 /* stable: "tuple-pressure" */
	enum advice_sev max_sev; /* the worst it reports */
	const char *what;	 /* one line: what it checks */
	const char *source;	 /* where the fact comes from (a URL) */
	bool (*check)(const struct snapshot *snap, struct advice *out);
};

/* Every rule, in report order; NULL-terminated. */
extern const struct advice_rule *const advice_rules[];

/* The rule called id, or NULL. */
const struct advice_rule *advice_rule_find(const char *id);

/*
 * Evaluate every rule. out must have room for one advice per rule.
 * Returns how many fired, most severe first (rule order within a level).
 */
size_t advice_run(const struct snapshot *snap, struct advice *out);
size_t advice_rules_count(void);

/* "info", "warning", "critical" ("none" for SEV_NONE). */
const char *advice_sev_name(enum advice_sev sev);

/* For rule checks: the live value of a sysctl; false if it was not read. */
bool advice_sysctl(const struct snapshot *snap, enum sysctl_id id, int64_t *v);

/* Builders for rule checks. Extra evidence or actions are dropped. */
void advice_set(struct advice *a, enum advice_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void advice_subject(struct advice *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void advice_evidence(struct advice *a, const char *name, double value);
void advice_action(struct advice *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

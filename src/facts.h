/*
 * facts.h - what sockscope knows about TCP: one entry per TCP state, one
 * per sysctl the advice reads, and the edges of the RFC 9293 state
 * machine. explain, diagram and the man page use these tables (a test
 * checks the man page against them); every statement carries its source:
 * a kernel file and function, an RFC section, or ip-sysctl.rst.
 *
 * The tables are constant data: nothing here allocates, does I/O or
 * depends on the running kernel, except facts_sysctl_default(), which
 * picks the default for a given kernel version.
 */
#ifndef SOCKSCOPE_FACTS_H
#define SOCKSCOPE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysctl.h"

/* One statement and where it comes from. */
struct fact {
	const char *text;
	const char *source;
};

/* A belief that circulates, what is true instead, and the source. */
struct myth {
	const char *myth;
	const char *truth;
	const char *source;
};

#define FACTS_MYTHS   2
#define FACTS_RELATED 4

struct state_fact {
	const char *name;     /* documented name: "TIME_WAIT" */
	const char *ss_name;  /* ss spelling: "time-wait" */
	uint32_t codes;	      /* kernel codes counted as this state (SS_BIT) */
	const char *rfc;      /* where RFC 9293 defines it */
	struct fact who;      /* who is there: active/passive, client/server */
	struct fact enter;    /* the event and segment that lead here */
	struct fact waits;    /* what it waits for, and where it goes next */
	struct fact timer;    /* what ends it if nothing arrives */
	unsigned int timer_s; /* a fixed lifetime in seconds; 0: none fixed */
	/* The sysctl that bounds how long a socket stays here, or NULL when
	 * none does (then "none" is printed). */
	const char *timer_knob;
	/* Other sysctls that matter for this state (NULL-terminated). */
	const char *related[FACTS_RELATED];
	struct fact many;     /* is "many" a problem, what it points to */
	const char *list_cmd; /* the command that lists them */
	const char *kill_cmd; /* a scoped command that clears them, or NULL */
	struct myth myths[FACTS_MYTHS]; /* unused ones have myth == NULL */
};

/* A default that holds from a kernel version on. */
struct fact_default {
	unsigned int major, minor;
	const char *value;
};

#define FACTS_DEFAULTS 3

struct sysctl_fact {
	const char *name; /* "net.ipv4.tcp_fin_timeout" */
	const char *unit; /* "s", "ms", "" */
	struct fact meaning;
	/* Ascending by version; the last one at or below the kernel wins. */
	struct fact_default defaults[FACTS_DEFAULTS];
	const char *default_source;
	struct kver added;   /* 0.0: always there */
	struct kver removed; /* 0.0: never removed */
	bool per_netns;	     /* false: host-wide */
	/* The states whose lifetime it bounds (SS_BIT), as timer_knob says. */
	uint32_t bounds;
	struct myth myth; /* myth == NULL when none circulates */
};

/* The RFC 9293 state diagram, one edge per transition. */
struct state_edge {
	uint8_t from, to; /* kernel codes; SS_CLOSE for CLOSED */
	const char *event;
	const char *source;
};

/* Index i < facts_n_*(); NULL beyond. */
size_t facts_n_states(void);
const struct state_fact *facts_state(size_t i);
size_t facts_n_sysctls(void);
const struct sysctl_fact *facts_sysctl(size_t i);
size_t facts_n_edges(void);
const struct state_edge *facts_edge(size_t i);

/*
 * The state a word names (documented or ss spelling, any case, '-' or
 * '_'), or NULL: groups ("all", "connected") name no single state.
 */
const struct state_fact *facts_state_find(const char *word);
/* The entry counting kernel code code, or NULL. */
const struct state_fact *facts_state_by_code(unsigned int code);

/*
 * The sysctl a word names: "net.ipv4.tcp_fin_timeout",
 * "net/ipv4/tcp_fin_timeout" or the last part alone ("tcp_fin_timeout",
 * "somaxconn"). NULL when the table has no such entry.
 */
const struct sysctl_fact *facts_sysctl_find(const char *word);

/* The path below proc/sys ("net/ipv4/tcp_fin_timeout") into buf. */
void facts_sysctl_path(const struct sysctl_fact *f, char *buf, size_t len);

/* False when the sysctl does not exist on kernel k (added later or
 * removed). */
bool facts_sysctl_exists(const struct sysctl_fact *f, const struct kver *k);

/* The default on kernel k, or NULL when it does not exist there. */
const char *facts_sysctl_default(const struct sysctl_fact *f,
				 const struct kver *k);

#endif

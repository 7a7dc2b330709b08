// SPDX-License-Identifier: MIT
/*
 * Reading the command line into struct opts (opts.h): the command word,
 * the option tables getopt is given (with the families'), and each
 * option's value. Its text, the rules checked afterwards and the filter
 * are the other opts_*.c files' (opts_internal.h).
 */
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "family.h"
#include "filter.h"
#include "netns_prefetch.h"
#include "opts_internal.h"
#include "util.h"

#ifndef SOCKSCOPE_VERSION
#define SOCKSCOPE_VERSION "unknown"
#endif

enum long_only {
	OPT_FORMAT = 0x100,
	OPT_SAVE,
	OPT_LOAD,
	OPT_TOP,
	OPT_INTERVAL,
	OPT_ROOT,
	OPT_ALL_NETNS,
	OPT_YES,
	OPT_ITERATIONS,
	OPT_NO_COLOR,
	OPT_READONLY,
	OPT_FORCE,
	OPT_COUNT,
	OPT_DURATION,
	OPT_TRANSITIONS,
	OPT_ROWS,
	/* Last: the families' long-only options (--vsock) from here, by
	 * their index (family_opt_at()). */
	OPT_FAMILY,
};

/* The options of the families (-t, --unix, -4) are the registry's:
 * family.h's struct family_opt, added by getopt_tables(). */
static const struct option long_opts[] = {
    {"query", required_argument, NULL, 'A'},
    {"socket", required_argument, NULL, 'A'},
    {"family", required_argument, NULL, 'f'},
    {"listening", no_argument, NULL, 'l'},
    {"all", no_argument, NULL, 'a'},
    {"numeric", no_argument, NULL, 'n'},
    {"no-header", no_argument, NULL, 'H'},
    {"processes", no_argument, NULL, 'p'},
    {"options", no_argument, NULL, 'o'},
    {"extended", no_argument, NULL, 'e'},
    {"memory", no_argument, NULL, 'm'},
    {"info", no_argument, NULL, 'i'},
    {"net", required_argument, NULL, 'N'},
    {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
    {"yes", no_argument, NULL, OPT_YES},
    {"force", no_argument, NULL, OPT_FORCE},
    {"json", no_argument, NULL, 'j'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"save", required_argument, NULL, OPT_SAVE},
    {"load", required_argument, NULL, OPT_LOAD},
    {"filter", required_argument, NULL, 'F'},
    {"summary", no_argument, NULL, 's'},
    {"top", required_argument, NULL, OPT_TOP},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"root", required_argument, NULL, OPT_ROOT},
    {"delay", required_argument, NULL, 'd'},
    {"batch", no_argument, NULL, 'b'},
    {"iterations", required_argument, NULL, OPT_ITERATIONS},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"readonly", no_argument, NULL, OPT_READONLY},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"count", required_argument, NULL, OPT_COUNT},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"transitions", no_argument, NULL, OPT_TRANSITIONS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int parse_format(struct opts *o, const char *name)
{
	static const struct {
		const char *name;
		enum fmt_kind kind;
	} formats[] = {
	    {"table", FMT_TABLE},
	    {"json", FMT_JSON},
	    {"ndjson", FMT_NDJSON},
	    {"prometheus", FMT_PROMETHEUS},
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!strcmp(name, formats[i].name)) {
			o->format = formats[i].kind;
			return 0;
		}
	}
	return opts_usage_error(
	    "unknown format '%s' (table, json, ndjson, prometheus)", name);
}

/* A decimal number in [min, max] for option name. */
static int parse_uint(const char *arg, const char *name, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno || v < min ||
	    v > max) {
		return opts_usage_error(
		    "%s: '%s' is not a number from %u to %u", name, arg, min,
		    max);
	}
	*out = (unsigned int)v;
	return 0;
}

/*
 * Seconds, fractions allowed (as top and htop: "0.5"), from 0.1 to max, or
 * 0 where zero is true; into milliseconds.
 */
static int parse_secs(const char *arg, const char *name, bool zero, double max,
		      unsigned int *ms)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	/* Plain decimals only: no sign, exponent, hex, "inf". */
	if (errno || end == arg || *end || !isdigit((unsigned char)arg[0]) ||
	    strspn(arg, "0123456789.") != strlen(arg) ||
	    !((secs >= 0.1 && secs <= max) || (zero && secs == 0.0))) {
		return opts_usage_error(
		    "%s '%s': want %sseconds from 0.1 to %.10g", name, arg,
		    zero ? "0 or " : "", max);
	}
	*ms = (unsigned int)(secs * 1000.0 + 0.5);
	return 0;
}

static const char *long_name(int c)
{
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (lo->val == c) {
			return lo->name;
		}
	}
	return "?";
}

/* Options that only `top` takes. */
static int apply_top_opt(struct opts *o, int c, const char *arg)
{
	if (o->cmd != &cmd_top_entry) {
		return opts_usage_error("--%s is an option of 'sockscope top'",
					long_name(c));
	}
	switch (c) {
	case 'd':
		return parse_secs(arg, "--delay", false, 86400.0,
				  &o->top_delay_ms);
	case 'b':
		o->top_batch = true;
		return 0;
	case OPT_NO_COLOR:
		o->no_color = true;
		return 0;
	case OPT_READONLY:
		o->top_readonly = true;
		return 0;
	case OPT_ROWS:
		return parse_uint(arg, "--rows", 1, 100000000, &o->top_rows);
	default:
		return parse_uint(arg, "--iterations", 1, 100000000,
				  &o->top_iterations);
	}
}

/* The options that only switch something on. */
static const struct {
	int c;
	size_t off; /* of a bool in struct opts */
} flags[] = {
    {'l', offsetof(struct opts, listening)},
    {'a', offsetof(struct opts, all)},
    {'n', offsetof(struct opts, numeric)},
    {'H', offsetof(struct opts, no_header)},
    {'p', offsetof(struct opts, processes)},
    {'o', offsetof(struct opts, timers)},
    {'e', offsetof(struct opts, extended)},
    {'m', offsetof(struct opts, skmem)},
    {'i', offsetof(struct opts, tcp_info)},
    {OPT_ALL_NETNS, offsetof(struct opts, all_netns)},
    {OPT_YES, offsetof(struct opts, yes)},
    {OPT_FORCE, offsetof(struct opts, force)},
};

/* -A QUERY[,QUERY]: the family registry's names, and "all". */
static int parse_query(struct opts *o, const char *arg)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ",");
		char word[32];
		uint32_t bits;
		bool off;

		if (n == 0 || n >= sizeof(word)) {
			return opts_usage_error("-A: bad query list '%s'", arg);
		}
		memcpy(word, p, n);
		word[n] = '\0';
		off = word[0] == '!';
		bits = strcmp(word + off, "all") ? family_query(word + off)
						 : family_all_protos();
		if (!bits) {
			char names[512];

			family_names(names, sizeof(names), false);
			return opts_usage_error(
			    "-A: unknown socket table '%s' (%s, "
			    "all)",
			    word + off, names);
		}
		/* In order, as ss: "all,!unix" is every table but UNIX's. */
		if (off) {
			o->protocols &= ~bits;
			o->tables_off |= bits;
		} else {
			o->protocols |= bits;
			o->tables_off &= ~bits;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

/* -f FAMILY as ss spells it: the registry's words. */
static int parse_family(struct opts *o, const char *arg)
{
	uint32_t bits = family_fam_name(arg);
	char names[256];

	if (bits) {
		o->families |= bits;
		return 0;
	}
	family_names(names, sizeof(names), true);
	return opts_usage_error("-f: unknown family '%s' (%s)", arg, names);
}

/* The family option getopt returned as c (family.h), or NULL. */
static const struct family_opt *family_option(int c)
{
	const struct family_opt *fo;

	if (c >= OPT_FAMILY) {
		return family_opt_at((size_t)(c - OPT_FAMILY));
	}
	for (size_t i = 0; (fo = family_opt_at(i)); i++) {
		if (fo->letter && fo->letter == c) {
			return fo;
		}
	}
	return NULL;
}

/* The options of one command, and --help and --version: apply_opt()'s
 * switch goes on here. */
static int apply_cmd_opt(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 's':
		if (o->cmd != &cmd_list_entry && o->cmd != &cmd_summary_entry) {
			return opts_usage_error(
			    "-s is the summary command; not with "
			    "'sockscope %s'",
			    o->cmd->name);
		}
		o->cmd = &cmd_summary_entry;
		return 0;
	case OPT_TOP:
		return parse_uint(arg, "--top", 1, 100000, &o->top);
	case OPT_INTERVAL:
		return parse_secs(arg, "--interval", true, 3600.0,
				  &o->interval_ms);
	case OPT_COUNT:
		return parse_uint(arg, "--count", 1, UINT_MAX, &o->watch_count);
	case OPT_DURATION:
		/* The most milliseconds an unsigned int holds: 49 days. */
		return parse_secs(arg, "--duration", false, 4294967.0,
				  &o->watch_duration_ms);
	case OPT_TRANSITIONS:
		o->watch_transitions = true;
		return 0;
	case 'd':
	case 'b':
	case OPT_ITERATIONS:
	case OPT_NO_COLOR:
	case OPT_READONLY:
	case OPT_ROWS:
		return apply_top_opt(o, c, arg);
	case 'h':
		fputs(opts_usage_text, stdout);
		return -1;
	case 'V':
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return -1;
	default:
		return opts_usage_error("unknown option");
	}
}

/* One option character; returns 0, EXIT_USAGE, or -1 (help shown). */
static int apply_opt(struct opts *o, int c, const char *arg)
{
	const struct family_opt *fo;

	/* ss: -e shows the timers too, as -o would. */
	if (c == 'e') {
		o->timers = true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (flags[i].c == c) {
			*(bool *)((char *)o + flags[i].off) = true;
			return 0;
		}
	}
	fo = family_option(c);
	if (fo) {
		o->protocols |= fo->protos;
		o->tables_off &= ~fo->protos;
		o->families |= fo->fams;
		return 0;
	}
	switch (c) {
	case 'A':
		return parse_query(o, arg);
	case 'f':
		return parse_family(o, arg);
	case 'j':
		o->format = FMT_JSON;
		return 0;
	case 'N':
		o->netns = arg;
		return 0;
	case OPT_FORMAT:
		return parse_format(o, arg);
	case OPT_SAVE:
		o->save_path = arg;
		return 0;
	case OPT_LOAD:
		o->load_path = arg;
		return 0;
	case 'F':
		o->filter_path = arg;
		return 0;
	case OPT_ROOT:
		o->root = arg;
		return 0;
	default:
		return apply_cmd_opt(o, c, arg);
	}
}

/*
 * What getopt found wrong (c: '?' or ':'), in one line named "sockscope:",
 * not with argv[0] as getopt itself would (a build path, or the command).
 */
static int option_error(int c, const char *word)
{
	bool is_long = !strncmp(word, "--", 2);

	fputs("sockscope: option '", stderr);
	if (is_long) {
		opts_put_escaped(word,
				 strcspn(word, "=")); /* as typed, no value */
	} else if (isgraph(optopt)) {
		fprintf(stderr, "-%c", optopt);
	} else {
		fprintf(stderr, "-\\x%02x", (unsigned int)(optopt & 0xff));
	}
	if (c == ':') {
		fputs("' needs a value", stderr);
	} else if (is_long && strchr(word, '=') && optopt) {
		fputs("' takes no value", stderr);
	} else if (is_long) {
		fputs("' is unknown or ambiguous", stderr);
	} else {
		fputs("' is unknown", stderr);
	}
	fputs(" (try 'sockscope --help')\n", stderr);
	return EXIT_USAGE;
}

/* getopt's letters; ':' first: option_error() tells a missing value. The
 * families' letters (-t -x -4 ...) come before these (getopt_tables). */
static const char list_letters[] = ":lanHjspoemiN:hVF:A:f:";
/* top takes the list's letters, and -d and -b besides. */
static const char top_letters[] = "d:b";

/* Does letter c take a value (in any command)? */
static bool letter_takes_value(char c)
{
	const char *p = c != ':' ? strchr(list_letters + 1, c) : NULL;

	if (!p && c != ':') {
		p = strchr(top_letters, c);
	}
	return p && p[1] == ':';
}

/* Does option word take the next word as its value? */
static bool takes_next(const char *word)
{
	size_t n;

	if (word[1] != '-') {
		/* -tN web: a value letter ends the cluster or holds the
		 * rest of it. */
		for (const char *p = word + 1; *p; p++) {
			if (letter_takes_value(*p)) {
				return !p[1];
			}
		}
		return false;
	}
	if (strchr(word, '=')) {
		return false;
	}
	/* As getopt_long: the exact name, else a prefix (if ambiguous,
	 * getopt names the error; any guess will do). */
	n = strlen(word + 2);
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (!strcmp(lo->name, word + 2)) {
			return lo->has_arg == required_argument;
		}
	}
	for (const struct option *lo = long_opts; lo->name; lo++) {
		if (!strncmp(lo->name, word + 2, n)) {
			return lo->has_arg == required_argument;
		}
	}
	return false;
}

/*
 * The command word: the first word that is neither an option nor an
 * option's value, if it names a command (else the filter starts there).
 * Removes it from argv; returns the command, or NULL (list).
 */
static const struct cmd_entry *take_command(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++) {
		const struct cmd_entry *cmd;

		if (!strcmp(argv[i], "--")) {
			return NULL;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			i += takes_next(argv[i]);
			continue;
		}
		cmd = cmd_find(argv[i]);
		if (cmd) {
			/* argv[argc], NULL, moves down too. */
			memmove(&argv[i], &argv[i + 1],
				(size_t)(*argc - i) * sizeof(*argv));
			(*argc)--;
		}
		return cmd;
	}
	return NULL;
}

/* The families' options (family.h) at most. */
#define FAMILY_OPTS_MAX 32

/* What getopt_long() is given: opts.c's options and the families'. */
struct getopt_tables {
	struct option longs[ARRAY_SIZE(long_opts) + FAMILY_OPTS_MAX];
	char letters[sizeof(list_letters) + sizeof(top_letters) +
		     FAMILY_OPTS_MAX];
};

/* The list's letters get the families' ahead of the others; top's own
 * follow. */
static void getopt_tables(struct getopt_tables *g, bool top)
{
	const struct family_opt *fo;
	size_t nl = ARRAY_SIZE(long_opts) - 1, nc = 0;

	memcpy(g->longs, long_opts, nl * sizeof(long_opts[0]));
	g->letters[nc++] = ':';
	for (size_t i = 0; (fo = family_opt_at(i)) && i < FAMILY_OPTS_MAX;
	     i++) {
		g->longs[nl++] = (struct option){
		    fo->name, no_argument, NULL,
		    fo->letter ? fo->letter : OPT_FAMILY + (int)i};
		if (fo->letter) {
			g->letters[nc++] = fo->letter;
		}
	}
	g->longs[nl] = (struct option){NULL, 0, NULL, 0};
	strcpy(g->letters + nc, list_letters + 1);
	if (top) {
		strcat(g->letters, top_letters);
	}
}

/*
 * SOCKSCOPE_NETNS_THREADS, read here only: how many threads receive the
 * namespaces' dumps ahead in list --all-netns; 0 reads one namespace
 * after the other (what the prefetch must reproduce: the test compares).
 * Parsed only there: a stale value in the environment does not stop a
 * command that never reads it.
 */
static int netns_threads(struct opts *o)
{
	const char *v = getenv("SOCKSCOPE_NETNS_THREADS");
	unsigned int n = 0;
	int err;

	o->netns_threads = -1;
	if (o->cmd != &cmd_list_entry || !o->all_netns || !v || !v[0]) {
		return 0;
	}
	err = parse_uint(v, "SOCKSCOPE_NETNS_THREADS", 0,
			 NETNS_PREFETCH_MAX_THREADS, &n);
	if (!err) {
		o->netns_threads = (int)n;
	}
	return err;
}

/* getopt_long() over argv (the command word taken out), each option
 * applied to o in turn; top: top's letters too. */
static int read_options(struct opts *o, int argc, char **argv, bool top)
{
	struct getopt_tables g;
	int c, ret, at = 1;

	opterr = 0; /* option_error() says it, as "sockscope:" */
	optind = 0; /* a fresh scan (glibc), also for a second call */
	getopt_tables(&g, top);
	while ((c = getopt_long(argc, argv, g.letters, g.longs, NULL)) != -1) {
		if (c == '?' || c == ':') {
			/* optind passes a word once its last letter is
			 * read: -Zt still sits at its word. */
			return option_error(
			    c, argv[optind > at ? optind - 1 : optind]);
		}
		ret = apply_opt(o, c, optarg);
		if (ret) {
			return ret;
		}
		at = optind;
	}
	return 0;
}

/* The words after the options (from optind): the filter, kept in o. */
static int filter_words(struct opts *o, int argc, char **argv, bool top)
{
	o->filter_argc = argc - optind;
	o->filter_argv = argv + optind;
	/* explain's words name a topic, not sockets: no filter from them. */
	if (o->cmd->topic_words) {
		return opts_parse_filter(o, 0, NULL);
	}
	/* No filter starts with a number: this is top(1)'s -n COUNT. */
	if (top && optind < argc && argv[optind][0] &&
	    strspn(argv[optind], "0123456789") == strlen(argv[optind])) {
		return opts_usage_error(
		    "top: '%s' is no filter: the refresh count "
		    "is --iterations N (-n is --numeric)",
		    argv[optind]);
	}
	return opts_parse_filter(o, argc - optind, argv + optind);
}

int opts_parse(struct opts *o, int argc, char **argv)
{
	const char *no_color = getenv("NO_COLOR");
	const struct cmd_entry *cmd;
	struct stat st;
	bool top;
	int ret;

	memset(o, 0, sizeof(*o));
	o->cmd = &cmd_list_entry;
	o->top = 10;
	o->interval_ms = 1000;
	o->root = "/";
	o->top_delay_ms = 2000;
	cmd = take_command(&argc, argv);
	if (cmd) {
		o->cmd = cmd;
	}
	top = o->cmd == &cmd_top_entry;
	ret = read_options(o, argc, argv, top);
	if (ret) {
		return ret;
	}
	errno = 0;
	if (stat(o->root, &st) || !S_ISDIR(st.st_mode)) {
		return opts_usage_error("--root %s: %s", o->root,
					errno ? strerror(errno)
					      : "not a directory");
	}
	ret = opts_check_combinations(o);
	if (ret) {
		return ret;
	}
	ret = opts_inet_only(o);
	if (ret) {
		return ret;
	}
	opts_default_selection(o);
	if (!o->protocols) {
		return opts_usage_error("-A: no socket table left to list");
	}
	o->out_is_tty = isatty(STDOUT_FILENO);
	/* https://no-color.org: set and not empty. */
	o->no_color |= no_color && no_color[0];
	ret = netns_threads(o);
	if (ret) {
		return ret;
	}
	return filter_words(o, argc, argv, top);
}

void opts_finish(struct opts *o)
{
	filter_destroy(o->filter);
	o->filter = NULL;
}

/*
 * opts_internal.h - what the parts of the command-line parser share, and
 * nothing else includes: opts.c reads the options; opts_text.c holds the
 * --help text and writes the usage errors; opts_rules.c checks and
 * completes what was read; opts_filter.c parses the filter. Other modules
 * use opts.h.
 *
 * The functions returning int give 0, or EXIT_USAGE after one line on
 * stderr (exit 2): nothing here exits.
 */
#ifndef SOCKSCOPE_OPTS_INTERNAL_H
#define SOCKSCOPE_OPTS_INTERNAL_H

#include <stddef.h>

struct opts;

/* --help's text (opts_text.c), printed to stdout as is. */
extern const char opts_usage_text[];

/* s (n bytes) on stderr, escaped: argv's words reach a terminal inert. */
void opts_put_escaped(const char *s, size_t n);
/* "sockscope: <fmt>" and a hint at --help, escaped; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int opts_usage_error(const char *fmt,
							   ...);

/* opts_rules.c, in the order opts_parse() calls them: the options that
 * exclude each other, the tables watch cannot show, then what was not
 * named following from what was (o->protocols and o->families). */
int opts_check_combinations(const struct opts *o);
int opts_inet_only(const struct opts *o);
void opts_default_selection(struct opts *o);

/* The filter from argv's words, or -F's file with them (opts_filter.c):
 * into o->filter, its note (if any) on stderr once. */
int opts_parse_filter(struct opts *o, int argc, char **argv);

#endif

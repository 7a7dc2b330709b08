/*
 * filter.h - the ss filter language: `[state NAME | exclude NAME]...
 * [EXPRESSION]`, parsed once into a struct filter that acquisition and
 * the userspace match both read.
 *
 * filter_parse() takes the words after the options; an empty list is the
 * empty filter (matches everything, names no states). On error it returns
 * -EINVAL and fills err with one line naming the offending word and its
 * 1-based position among the filter words.
 */
#ifndef SOCKSCOPE_FILTER_H
#define SOCKSCOPE_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "sock.h"

struct filter;

struct filter_error {
	int word;      /* 1-based position of the offending word, 0: none */
	char msg[200]; /* one line, no trailing newline */
};

int filter_parse(int argc, char *const argv[], struct filter **out,
		 struct filter_error *err);
void filter_destroy(struct filter *f);

/* True, with the state mask, when the filter named states. */
bool filter_states(const struct filter *f, uint32_t *mask);

/* True when rec passes the filter's expression (states are not checked). */
bool filter_match(const struct filter *f, const struct sock_rec *rec);

#endif

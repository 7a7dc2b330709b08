// SPDX-License-Identifier: MIT
/*
 * The filter of the command line (opts_internal.h): its words, or the
 * text of a -F file, parsed once, with the parser's error told in one
 * line that names the word or the file's line.
 */
#include "opts_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "filter.h"
#include "opts.h"
#include "util.h"

/* A -F file is a filter, not data: a few KiB; refuse anything huge. */
#define FILTER_FILE_MAX (1u << 20)

/* The whole of path ("-": stdin) into *text. Returns 0 or -errno. */
static int read_filter_file(const char *path, char **text, size_t *len)
{
	/* stdin may be a pipe; a named file must be a regular one. */
	int fd = strcmp(path, "-") ? open_input(path, INPUT_REGULAR) : 0;
	size_t cap = 4096;
	int err = 0;

	if (fd < 0) {
		return fd;
	}
	*text = xmalloc(cap);
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, *text + *len, cap - *len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		*len += (size_t)n;
		if (*len == cap && cap >= FILTER_FILE_MAX) {
			err = -EFBIG;
			break;
		}
		if (*len == cap) {
			cap *= 2;
			*text = xrealloc(*text, cap);
		}
	}
	if (fd > 0) {
		close(fd);
	}
	return err;
}

int opts_parse_filter(struct opts *o, int argc, char **argv)
{
	struct filter_error ferr = {0};
	char *text = NULL;
	size_t len = 0;
	int err = 0;

	if (o->filter_path) {
		err = read_filter_file(o->filter_path, &text, &len);
	}
	if (err) {
		fputs("sockscope: -F ", stderr);
		opts_put_escaped(o->filter_path, strlen(o->filter_path));
		fprintf(stderr, ": %s\n", input_strerror(err));
		free(text);
		return EXIT_USAGE;
	}
	err = filter_parse_text(argc, argv, text, len, &o->filter, &ferr);
	free(text);
	if (!err && filter_note(o->filter)) {
		/* Once per run: the filter is parsed once. */
		fprintf(stderr, "sockscope: note: %s\n",
			filter_note(o->filter));
	}
	if (!err) {
		return 0;
	}
	fprintf(stderr, "sockscope: filter: %s", ferr.msg);
	if (ferr.line > 0) {
		fputs(" (", stderr);
		opts_put_escaped(o->filter_path, strlen(o->filter_path));
		fprintf(stderr, " line %d, word %d)\n", ferr.line, ferr.word);
	} else if (ferr.word > 0 && ferr.word <= argc &&
		   cmd_find(argv[ferr.word - 1])) {
		/* `sockscope state listening summary`: a late command. */
		fprintf(stderr,
			" (word %d: a command comes before the "
			"filter)\n",
			ferr.word);
	} else if (ferr.word > 0) {
		fprintf(stderr, " (word %d)\n", ferr.word);
	} else {
		fputc('\n', stderr);
	}
	return EXIT_USAGE;
}

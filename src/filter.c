// SPDX-License-Identifier: MIT
#include "filter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

struct filter {
	bool has_states;
	uint32_t states;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct filter_error *err, int word, const char *fmt, ...)
{
	va_list ap;


	err->word = word;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* `state X` replaces the default set, `exclude X` starts from all (ss). */
static int parse_state_word(struct filter *f, bool exclude, const char *name,
			    int word, struct filter_error *err)
{
	uint32_t mask;

	if (state_parse(name, &mask)) {
		return fail(err, word, "unknown state '%s'", name);
	}
	if (!f->has_states) {
		f->states = exclude ? SS_ALL_BITS : 0;
		f->has_states = true;
	}
	if (exclude) {
		f->states &= ~mask;
	} else {
		f->states |= mask;
	}
	return 0;
}

int filter_parse(int argc, char *const argv[], struct filter **out,
		 struct filter_error *err)
{
	struct filter *f = xcalloc(1, sizeof(*f));
	int i = 0, ret = 0;

	while (i < argc) {
		bool exclude = !strcmp(argv[i], "exclude") ||
			       !strcmp(argv[i], "excl");

		if (!exclude && strcmp(argv[i], "state")) {
			ret = fail(err, i + 1,
				   "filter expressions are not supported "
				   "yet, got '%s'", argv[i]);
			goto err_free;
		}
		if (i + 1 == argc) {
			ret = fail(err, i + 1, "expected a state name after '%s'",
				   argv[i]);
			goto err_free;
		}
		ret = parse_state_word(f, exclude, argv[i + 1], i + 2, err);
		if (ret) {
			goto err_free;
		}
		i += 2;
	}
	f->states = state_mask_normalize(f->states);
	*out = f;
	return 0;

err_free:
	free(f);
	return ret;
}

void filter_destroy(struct filter *f)
{
	free(f);
}

bool filter_states(const struct filter *f, uint32_t *mask)
{
	if (f->has_states) {
		*mask = f->states;
	}
	return f->has_states;
}

bool filter_match(const struct filter *f, const struct sock_rec *rec)
{
	(void)f;
	(void)rec;
	return true;
}

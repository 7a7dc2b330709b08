// SPDX-License-Identifier: MIT
/* diagram.c: the picture's fields, and moves matched by cookie. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diagram.h"
#include "facts.h"

/* Render into a pipe and read it back: the obuf writes to an fd. */
static void render(char *out, size_t len, const uint64_t *count,
		   const uint64_t *before)
{
	struct obuf ob;
	int fds[2];
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	obuf_init(&ob, fds[1], 16384);
	diagram_render(&ob, count, before);
	assert_int_equal(obuf_finish(&ob), 0);
	close(fds[1]);
	n = read(fds[0], out, len - 1);
	assert_true(n > 0);
	out[n] = '\0';
	close(fds[0]);
}

static void test_every_state_drawn_and_fits(void **unused)
{
	uint64_t count[SS_MAX] = {0}, before[SS_MAX] = {0};
	static char out[16384];

	(void)unused;
	for (unsigned int c = 1; c < SS_MAX; c++) {
		count[c] = 123456789012ull; /* too wide: compacted */
		before[c] = 1;
	}
	render(out, sizeof(out), count, before);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		assert_true(strlen(line) <= 79);
	}
	memset(count, 0, sizeof(count));
	count[SS_TIME_WAIT] = 1234;
	count[SS_ESTABLISHED] = 7;
	before[SS_TIME_WAIT] = 1300;
	before[SS_ESTABLISHED] = 7;
	render(out, sizeof(out), count, before);
	assert_non_null(strstr(out, "| TIME_WAIT  1234 -66 "));
	assert_non_null(strstr(out, "| ESTABLISHED 7         |"));
	/* Every state of the facts table has a box. */
	for (size_t i = 0; i < facts_n_states(); i++) {
		char box[32];
		const char *name = facts_state(i)->name;

		snprintf(box, sizeof(box), "| %s",
			 strcmp(name, "CLOSE") ? name : "CLOSED");
		assert_non_null(strstr(out, box));
	}
}

static struct sock_rec rec(uint64_t cookie, uint8_t state)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.cookie = cookie;
	r.state = state;
	return r;
}

static void test_moves_by_cookie(void **unused)
{
	struct diagram_sample a, b;
	struct diagram_moves m;
	struct sock_rec r;

	(void)unused;
	memset(&m, 0, sizeof(m));
	diagram_sample_init(&a);
	diagram_sample_init(&b);
	r = rec(1, SS_ESTABLISHED);
	diagram_sample_add(&a, &r, true);
	r = rec(2, SS_ESTABLISHED);
	diagram_sample_add(&a, &r, true);
	r = rec(3, SS_NEW_SYN_RECV);
	diagram_sample_add(&a, &r, true);
	assert_int_equal(a.count[SS_SYN_RECV], 1); /* folded */
	/* Second sample: 1 closed first (TIME_WAIT), 2 unchanged, 3 gone,
	 * 4 new. */
	r = rec(1, SS_TIME_WAIT);
	diagram_sample_add(&b, &r, false);
	diagram_move(&a, &m, &r);
	r = rec(2, SS_ESTABLISHED);
	diagram_move(&a, &m, &r);
	r = rec(4, SS_SYN_SENT);
	diagram_move(&a, &m, &r);
	diagram_moves_gone(&a, &m);
	assert_int_equal(m.n[SS_ESTABLISHED][SS_TIME_WAIT], 1);
	assert_int_equal(m.n[SS_ESTABLISHED][SS_ESTABLISHED], 0);
	assert_int_equal(m.n[0][SS_SYN_SENT], 1);
	assert_int_equal(m.n[SS_SYN_RECV][0], 1);
	assert_int_equal(m.n[SS_ESTABLISHED][0], 0);
	diagram_sample_finish(&a);
	diagram_sample_finish(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_state_drawn_and_fits),
	    cmocka_unit_test(test_moves_by_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

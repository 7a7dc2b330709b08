// SPDX-License-Identifier: MIT
/* u64map.c: the chained hash under watch's books, over growth, removal,
 * sweeps and both key shapes (counting cookies, aligned addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>

#include "u64map.h"

struct item {
	struct u64map_node node;
	uint64_t value;
};

static unsigned int freed;

static void count_free(struct u64map_node *n)
{
	freed++;
	free(n);
}

static struct item *item_new(uint64_t key)
{
	struct item *it = calloc(1, sizeof(*it));

	assert_non_null(it);
	it->node.key = key;
	it->value = ~key;
	return it;
}

static uint64_t key_at(unsigned int shift, uint64_t i)
{
	/* shift 6: kernel-like addresses, 64-byte aligned, shared high bits */
	return shift ? 0xffff888000000000ull + (i << shift) : i + 1;
}

/* Every key is found with its own node through many growths; absent keys
 * are not; take() unlinks exactly the node asked for. */
static void check_shape(unsigned int shift)
{
	enum { N = 50000 };
	struct u64map m;

	u64map_init(&m, shift);
	for (uint64_t i = 0; i < N; i++) {
		u64map_add(&m, &item_new(key_at(shift, i))->node);
	}
	assert_int_equal(m.count, N);
	assert_true(m.nslots >= N); /* it grew: chains stay short */
	for (uint64_t i = 0; i < N; i++) {
		struct item *it =
		    (struct item *)u64map_get(&m, key_at(shift, i));

		assert_non_null(it);
		assert_int_equal(it->value, ~key_at(shift, i));
	}
	assert_null(u64map_get(&m, key_at(shift, N)));
	for (uint64_t i = 0; i < N; i += 2) {
		struct u64map_node *n = u64map_take(&m, key_at(shift, i));

		assert_non_null(n);
		assert_int_equal(n->key, key_at(shift, i));
		free(n);
		assert_null(u64map_take(&m, key_at(shift, i)));
	}
	assert_int_equal(m.count, N / 2);
	for (uint64_t i = 1; i < N; i += 2) {
		assert_non_null(u64map_get(&m, key_at(shift, i)));
	}
	freed = 0;
	u64map_free(&m, count_free);
	assert_int_equal(freed, N / 2);
	assert_int_equal(m.count, 0);
}

static void test_cookies(void **unused)
{
	(void)unused;
	check_shape(0);
}

static void test_addresses(void **unused)
{
	(void)unused;
	check_shape(6);
}

static bool odd_value(const struct u64map_node *n, void *ctx)
{
	(*(unsigned int *)ctx)++;
	return ((const struct item *)n)->node.key & 1;
}

/* sweep() asks about every node once and drops only those it is told to. */
static void test_sweep(void **unused)
{
	enum { N = 3000 };
	struct u64map m;
	unsigned int asked = 0;

	(void)unused;
	u64map_init(&m, 0);
	for (uint64_t i = 1; i <= N; i++) {
		u64map_add(&m, &item_new(i)->node);
	}
	u64map_sweep(&m, odd_value, &asked);
	assert_int_equal(asked, N);
	assert_int_equal(m.count, N / 2);
	for (uint64_t i = 1; i <= N; i++) {
		assert_true((u64map_get(&m, i) == NULL) == (bool)(i & 1));
	}
	u64map_free(&m, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cookies),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

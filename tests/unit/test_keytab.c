// SPDX-License-Identifier: MIT
/* keytab.c: counters by binary key, over growth, limits and lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "keytab.h"

static void key_of(uint8_t *k, unsigned int len, uint32_t i)
{
	memset(k, 0, len);
	memcpy(k + len - sizeof(i), &i, sizeof(i));
}

/* Counters handed out stay where they are while the table grows, and the
 * same key always comes back to them. */
static void test_stable_entries(void **unused)
{
	enum { N = 100000 };
	static uint32_t *first[N];
	struct keytab t;
	uint8_t k[16];

	(void)unused;
	keytab_init(&t, sizeof(k));
	for (uint32_t i = 0; i < N; i++) {
		key_of(k, sizeof(k), i);
		first[i] = keytab_get(&t, k, N);
		assert_non_null(first[i]);
		first[i][0] = i;
		first[i][KEYTAB_NV - 1] = ~i;
	}
	assert_int_equal(t.n, N);
	for (uint32_t i = 0; i < N; i++) {
		key_of(k, sizeof(k), i);
		assert_ptr_equal(keytab_get(&t, k, N), first[i]);
		assert_ptr_equal(keytab_find(&t, k), first[i]);
		assert_int_equal(first[i][0], i);
		assert_int_equal(first[i][KEYTAB_NV - 1], ~i);
		/* Entries are in insertion order, key then counters. */
		assert_memory_equal(keytab_key(&t, i), k, sizeof(k));
		assert_ptr_equal(keytab_vals(&t, keytab_key(&t, i)), first[i]);
	}
	key_of(k, sizeof(k), N);
	assert_null(keytab_find(&t, k));
	keytab_free(&t);
}

/* At the limit no key is added, yet the ones held are still found. */
static void test_limit(void **unused)
{
	struct keytab t;
	uint8_t k[8];
	uint32_t *v;

	(void)unused;
	keytab_init(&t, sizeof(k));
	key_of(k, sizeof(k), 0);
	assert_null(keytab_find(&t, k)); /* empty: nothing allocated yet */
	for (uint32_t i = 0; i < 3; i++) {
		key_of(k, sizeof(k), i);
		assert_non_null(keytab_get(&t, k, 3));
	}
	key_of(k, sizeof(k), 3);
	assert_null(keytab_get(&t, k, 3));
	assert_null(keytab_find(&t, k));
	key_of(k, sizeof(k), 1);
	v = keytab_get(&t, k, 3);
	assert_non_null(v);
	assert_int_equal(v[0], 0); /* new entries start zeroed */
	assert_int_equal(t.n, 3);
	v[0] = 7;
	keytab_clear(&t); /* empty again, room for the limit anew */
	assert_null(keytab_find(&t, k));
	for (uint32_t i = 10; i < 13; i++) {
		key_of(k, sizeof(k), i);
		v = keytab_get(&t, k, 3);
		assert_non_null(v);
		assert_int_equal(v[0], 0);
	}
	assert_int_equal(t.n, 3);
	keytab_free(&t);
}

/* Keys of the longest length that differ only in their last byte are
 * different keys: the hash and the compare cover the whole key. */
static void test_whole_key_compared(void **unused)
{
	struct keytab t;
	uint8_t k[KEYTAB_KEY_MAX];

	(void)unused;
	keytab_init(&t, sizeof(k));
	for (unsigned int i = 0; i < 256; i++) {
		memset(k, 0xab, sizeof(k));
		k[sizeof(k) - 1] = (uint8_t)i;
		keytab_get(&t, k, 1000)[0] += i + 1;
	}
	assert_int_equal(t.n, 256);
	for (unsigned int i = 0; i < 256; i++) {
		memset(k, 0xab, sizeof(k));
		k[sizeof(k) - 1] = (uint8_t)i;
		assert_int_equal(keytab_find(&t, k)[0], i + 1);
	}
	keytab_free(&t);
}

/* Each table hashes with a seed of its own: the same keys land in other
 * slots of another table, so keys a client chose (its address) to share
 * one probe run in a table cannot be worked out beforehand. */
static void test_seeded(void **unused)
{
	struct keytab a, b;
	uint8_t k[16];
	size_t same = 0;

	(void)unused;
	keytab_init(&a, sizeof(k));
	keytab_init(&b, sizeof(k));
	assert_true(a.seed != b.seed);
	for (uint32_t i = 0; i < 1000; i++) {
		key_of(k, sizeof(k), i);
		keytab_get(&a, k, 1000);
		keytab_get(&b, k, 1000);
	}
	assert_int_equal(a.cap, b.cap);
	for (size_t i = 0; i < a.cap; i++) {
		same += a.slot[i] == b.slot[i] && a.slot[i];
	}
	/* A fixed hash puts all 1000 in the same slots. */
	assert_true(same < 100);
	keytab_free(&a);
	keytab_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stable_entries),
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_whole_key_compared),
	    cmocka_unit_test(test_seeded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_causality.c: the dispatcher's causality set
 * (core/causality.c).  A unique value that moves from one row to another
 * follows the worker of the row that gave it up; keys on two workers are
 * a conflict until one worker commits, and the holders say which workers
 * and which items; committed keys stop binding; the
 * table stays small however many keys pass through, and a random
 * simulation checks every answer against a plain list of in-flight keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/causality.h"

/* Row X (pk 1, unique value 5) on worker 0 gives up 5; row Y (pk 2,
 * whose hash says worker 1) takes it: Y must go to worker 0, and Y's
 * primary key then binds to worker 0 as well. */
static void test_moved_value_follows(void **state)
{
	struct causality c;
	uint64_t done[2] = {0, 0};
	uint64_t x[] = {101, 1005, 1006}; /* pk 1, u 5 (before), u 6 */
	uint64_t y[] = {102, 1005};       /* pk 2, u 5 (after) */
	uint64_t y2[] = {102};

	(void)state;
	causality_init(&c);
	assert_int_equal(causality_find(&c, x, 3, done), CAUSALITY_NONE);
	assert_int_equal(causality_put(&c, x, 3, 0, 1, done), 0);
	assert_int_equal(causality_find(&c, y, 2, done), 0);
	assert_int_equal(causality_put(&c, y, 2, 0, 2, done), 0);
	assert_int_equal(causality_find(&c, y2, 1, done), 0);
	/* worker 0 commits both: nothing binds any more */
	done[0] = 2;
	assert_int_equal(causality_find(&c, y, 2, done), CAUSALITY_NONE);
	assert_int_equal(causality_find(&c, x, 3, done), CAUSALITY_NONE);
	causality_deinit(&c);
}

/* Keys in flight on two workers are a conflict until one commits. */
static void test_conflict(void **state)
{
	struct causality c;
	uint64_t done[3] = {0, 0, 0};
	uint64_t a[] = {1}, b[] = {2}, ab[] = {2, 1};

	(void)state;
	causality_init(&c);
	assert_int_equal(causality_put(&c, a, 1, 0, 7, done), 0);
	assert_int_equal(causality_put(&c, b, 1, 2, 3, done), 0);
	assert_int_equal(causality_find(&c, ab, 2, done), CAUSALITY_CONFLICT);
	done[2] = 2; /* not yet the item that holds key 2 */
	assert_int_equal(causality_find(&c, ab, 2, done), CAUSALITY_CONFLICT);
	{
		/* who holds them, each once with the item to wait for */
		uint64_t aab[] = {1, 2, 1};
		struct causality_hold h[3];

		assert_int_equal(causality_holders(&c, aab, 3, done, h), 2);
		assert_int_equal(h[0].worker, 0);
		assert_int_equal(h[0].seq, 7);
		assert_int_equal(h[1].worker, 2);
		assert_int_equal(h[1].seq, 3);
	}
	done[2] = 3;
	assert_int_equal(causality_find(&c, ab, 2, done), 0);
	/* a later use moves a key: the newest worker and seq count */
	assert_int_equal(causality_put(&c, a, 1, 1, 1, done), 0);
	assert_int_equal(causality_find(&c, a, 1, done), 1);
	causality_clear(&c);
	assert_int_equal(causality_size(&c), 0);
	assert_int_equal(causality_find(&c, ab, 2, done), CAUSALITY_NONE);
	causality_deinit(&c);
}

/* A million keys through, a few hundred in flight at any time: the table
 * drops retired entries instead of growing. */
static void test_bounded(void **state)
{
	struct causality c;
	uint64_t done[4] = {0, 0, 0, 0}, pushed[4] = {0, 0, 0, 0};

	(void)state;
	causality_init(&c);
	for (uint64_t k = 1; k <= 1000000; k++) {
		uint32_t w = (uint32_t)(k % 4);
		uint64_t key = k * 0x9E3779B97F4A7C15ull;

		assert_int_equal(
		    causality_put(&c, &key, 1, w, ++pushed[w], done), 0);
		if (pushed[w] > 100)
			done[w] = pushed[w] - 100;
	}
	assert_true(c.cap <= 8192);
	causality_deinit(&c);
}

/* Random keys from a small space, random commits: every answer equals
 * the one a list of (key, worker, seq) of every put gives. */
static void test_against_list(void **state)
{
	enum { N = 20000, KEYS = 300, W = 5 };
	struct causality c;
	struct {
		uint64_t key, seq;
		uint32_t w;
	} *log = calloc(N * 3, sizeof(*log));
	size_t n_log = 0;
	uint64_t done[W] = {0}, pushed[W] = {0};

	(void)state;
	assert_non_null(log);
	srand(7);
	causality_init(&c);
	for (int step = 0; step < N; step++) {
		uint64_t keys[3];
		size_t n = 1 + (size_t)(rand() % 3);
		int want = CAUSALITY_NONE, got;
		uint32_t w;

		for (size_t i = 0; i < n; i++)
			keys[i] = (uint64_t)(rand() % KEYS) * 0x100000001B3ull;
		/* the expected answer: the newest put of each key, if live */
		for (size_t i = 0; i < n && want != CAUSALITY_CONFLICT; i++)
			for (size_t j = n_log; j > 0; j--) {
				if (log[j - 1].key != keys[i])
					continue;
				if (log[j - 1].seq > done[log[j - 1].w]) {
					if (want == CAUSALITY_NONE)
						want = (int)log[j - 1].w;
					else if (want != (int)log[j - 1].w)
						want = CAUSALITY_CONFLICT;
				}
				break;
			}
		got = causality_find(&c, keys, n, done);
		assert_int_equal(got, want);
		if (got == CAUSALITY_CONFLICT) {
			/* as the dispatcher does: every holder but one
			 * commits through its item, the change goes to
			 * the one left */
			struct causality_hold h[3];
			size_t nh = causality_holders(&c, keys, n, done, h);

			assert_true(nh >= 2);
			for (size_t i = 1; i < nh; i++)
				if (done[h[i].worker] < h[i].seq)
					done[h[i].worker] = h[i].seq;
			got = causality_find(&c, keys, n, done);
			assert_int_equal(got, (int)h[0].worker);
		}
		w = got == CAUSALITY_NONE ? (uint32_t)(rand() % W)
		                          : (uint32_t)got;
		pushed[w]++;
		assert_int_equal(causality_put(&c, keys, n, w, pushed[w], done),
		                 0);
		for (size_t i = 0; i < n; i++) {
			log[n_log].key = keys[i];
			log[n_log].seq = pushed[w];
			log[n_log++].w = w;
		}
		/* workers commit at random */
		w = (uint32_t)(rand() % W);
		if (done[w] < pushed[w])
			done[w] += 1 + (uint64_t)rand() % (pushed[w] - done[w]);
	}
	causality_deinit(&c);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_moved_value_follows),
	    cmocka_unit_test(test_conflict),
	    cmocka_unit_test(test_bounded),
	    cmocka_unit_test(test_against_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

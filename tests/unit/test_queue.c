/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_queue.c: the SPSC ring (core/queue.h).  Single-thread
 * semantics (capacity checks, empty, full, order, index wrap-around, batch
 * variants split across the end of the slot array, allocation failure),
 * then two-thread stress runs: one producer and one consumer pass 10M
 * sequence numbers (SL_QUEUE_STRESS_N overrides) through small rings with
 * single and batch operations mixed, and the consumer checks that every
 * number arrives once and in order.  Meant to run under -DSL_TSAN=ON too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/queue.h"

/* Sequence number n travels as the non-NULL pointer value n + 1. */
static void *enc(uint64_t n)
{
	return (void *)(uintptr_t)(n + 1);
}

static uint64_t dec(const void *p)
{
	return (uint64_t)(uintptr_t)p - 1;
}

static void test_init_rejects(void **state)
{
	static const size_t bad[] = {
	    0, 1, 3, 6, 1000, ((size_t)1 << 30) + 1, (size_t)1 << 31};
	struct queue q;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(queue_init(&q, bad[i]), SL_EINVAL);
	sl_mem_fail_after(1);
	assert_int_equal(queue_init(&q, 8), SL_ENOMEM);
	sl_mem_fail_after(0);
	assert_int_equal(queue_init(&q, 2), 0);
	assert_int_equal(queue_cap(&q), 2);
	queue_deinit(&q);
	assert_null(q.p_slots);
	queue_deinit(&q); /* twice is harmless */
}

static void test_empty_full_order(void **state)
{
	struct queue q;

	assert_int_equal(queue_init(&q, 8), 0);
	assert_null(queue_pop(&q));
	assert_int_equal(queue_len(&q), 0);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(queue_push(&q, enc(i)), 0);
		assert_int_equal(queue_len(&q), i + 1);
	}
	/* every slot is usable; the ninth push is refused */
	assert_int_equal(queue_push(&q, enc(8)), QUEUE_EFULL);
	assert_int_equal(queue_len(&q), 8);
	assert_int_equal(dec(queue_pop(&q)), 0);
	assert_int_equal(queue_push(&q, enc(8)), 0);
	assert_int_equal(queue_push(&q, enc(9)), QUEUE_EFULL);
	for (uint64_t i = 1; i <= 8; i++)
		assert_int_equal(dec(queue_pop(&q)), i);
	assert_null(queue_pop(&q));
	assert_null(queue_pop(&q));
	assert_int_equal(queue_len(&q), 0);
	queue_deinit(&q);
}

/* The indexes run far past the capacity; order holds at every offset. */
static void test_wrap(void **state)
{
	struct queue q;
	uint64_t in = 0, out = 0;

	assert_int_equal(queue_init(&q, 4), 0);
	for (int round = 0; round < 1000; round++) {
		int k = 1 + round % 4; /* 1..4 in, then all out */

		for (int i = 0; i < k; i++)
			assert_int_equal(queue_push(&q, enc(in++)), 0);
		assert_int_equal(queue_len(&q), k);
		for (int i = 0; i < k; i++)
			assert_int_equal(dec(queue_pop(&q)), out++);
		assert_null(queue_pop(&q));
	}
	assert_int_equal(in, out);
	assert_true(atomic_load(&q.tail) > 1000);
	queue_deinit(&q);
}

static void test_batch(void **state)
{
	struct queue q;
	void *in[16], *out[16];
	uint64_t next_in = 0, next_out = 0;

	assert_int_equal(queue_init(&q, 8), 0);
	for (int i = 0; i < 16; i++)
		in[i] = enc((uint64_t)i);
	/* empty: nothing to pop; zero-length calls do nothing */
	assert_int_equal(queue_pop_n(&q, out, 4), 0);
	assert_int_equal(queue_push_n(&q, in, 0), 0);
	assert_int_equal(queue_pop_n(&q, out, 0), 0);

	/* a batch larger than the ring is cut at the capacity */
	assert_int_equal(queue_push_n(&q, in, 16), 8);
	assert_int_equal(queue_push_n(&q, in + 8, 1), 0);
	assert_int_equal(queue_push(&q, in[8]), QUEUE_EFULL);
	next_in = 8;
	assert_int_equal(queue_pop_n(&q, out, 3), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(dec(out[i]), next_out++);

	/* partial push: 3 free of 5 asked, written across the array end */
	for (int i = 0; i < 5; i++)
		in[i] = enc(next_in + (uint64_t)i);
	assert_int_equal(queue_push_n(&q, in, 5), 3);
	next_in += 3;
	assert_int_equal(queue_len(&q), 8);

	/* pop_n wrapping around the array end, more asked than held */
	assert_int_equal(queue_pop_n(&q, out, 16), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dec(out[i]), next_out++);
	assert_int_equal(next_out, next_in);
	assert_null(queue_pop(&q));

	/* singles and batches interleave in one order */
	assert_int_equal(queue_push(&q, enc(next_in++)), 0);
	for (int i = 0; i < 4; i++)
		in[i] = enc(next_in++);
	assert_int_equal(queue_push_n(&q, in, 4), 4);
	assert_int_equal(dec(queue_pop(&q)), next_out++);
	assert_int_equal(queue_pop_n(&q, out, 2), 2);
	assert_int_equal(dec(out[0]), next_out++);
	assert_int_equal(dec(out[1]), next_out++);
	assert_int_equal(dec(queue_pop(&q)), next_out++);
	assert_int_equal(dec(queue_pop(&q)), next_out++);
	assert_null(queue_pop(&q));
	queue_deinit(&q);
}

/* --- two threads ------------------------------------------------------ */

struct stress {
	struct queue q;
	uint64_t n;
	int batch; /* 0: single ops only; else mixed, batches up to 64 */
	/* consumer results, read after join */
	uint64_t received;
	uint64_t first_bad_at; /* index of the first out-of-order item */
	uint64_t first_bad_val;
	int bad;
	uint64_t full_spins, empty_spins;
};

/* xorshift: batch sizes without libc's shared rand() state */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *producer(void *arg)
{
	struct stress *st = arg;
	void *buf[64];
	uint32_t seed = 0x9e3779b9u;
	uint64_t i = 0;

	while (i < st->n) {
		uint32_t r = next_rand(&seed);

		if (st->batch && (r & 1)) {
			size_t k = 1 + (r >> 8) % 64, done = 0;

			if (k > st->n - i)
				k = (size_t)(st->n - i);
			for (size_t j = 0; j < k; j++)
				buf[j] = enc(i + j);
			while (done < k) {
				size_t m =
				    queue_push_n(&st->q, buf + done, k - done);

				if (m == 0) {
					st->full_spins++;
					sched_yield();
				}
				done += m;
			}
			i += k;
		} else {
			while (queue_push(&st->q, enc(i)) != 0) {
				st->full_spins++;
				sched_yield();
			}
			i++;
		}
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stress *st = arg;
	void *buf[64];
	uint32_t seed = 0x12345678u;
	uint64_t want = 0;

	while (want < st->n) {
		uint32_t r = next_rand(&seed);
		size_t k;

		if (st->batch && (r & 1)) {
			k = queue_pop_n(&st->q, buf, 1 + (r >> 8) % 64);
		} else {
			buf[0] = queue_pop(&st->q);
			k = buf[0] != NULL;
		}
		if (k == 0) {
			st->empty_spins++;
			sched_yield();
			continue;
		}
		for (size_t j = 0; j < k; j++, want++)
			if (dec(buf[j]) != want && !st->bad) {
				st->bad = 1;
				st->first_bad_at = want;
				st->first_bad_val = dec(buf[j]);
			}
	}
	st->received = want;
	return NULL;
}

static uint64_t stress_n(void)
{
	const char *s = getenv("SL_QUEUE_STRESS_N");

	return s ? strtoull(s, NULL, 10) : 10000000;
}

static void run_stress(size_t cap, int batch)
{
	struct stress *st = calloc(1, sizeof(*st));
	pthread_t pt, ct;

	assert_non_null(st);
	assert_int_equal(queue_init(&st->q, cap), 0);
	st->n = stress_n();
	st->batch = batch;
	assert_int_equal(pthread_create(&ct, NULL, consumer, st), 0);
	assert_int_equal(pthread_create(&pt, NULL, producer, st), 0);
	assert_int_equal(pthread_join(pt, NULL), 0);
	assert_int_equal(pthread_join(ct, NULL), 0);
	if (st->bad)
		fail_msg("item %llu arrived as %llu",
		         (unsigned long long)st->first_bad_at,
		         (unsigned long long)st->first_bad_val);
	assert_int_equal(st->received, st->n);
	/* nothing extra, nothing left behind */
	assert_null(queue_pop(&st->q));
	assert_int_equal(queue_len(&st->q), 0);
	assert_int_equal(atomic_load(&st->q.tail), st->n);
	print_message("cap %zu %s: %llu items, %llu full / %llu empty spins\n",
	              cap, batch ? "mixed" : "single",
	              (unsigned long long)st->n,
	              (unsigned long long)st->full_spins,
	              (unsigned long long)st->empty_spins);
	queue_deinit(&st->q);
	free(st);
}

static void test_stress_single(void **state)
{
	run_stress(1024, 0);
}

/* A small ring so that full and empty, and batch splits at the array
 * end, happen all the time. */
static void test_stress_mixed(void **state)
{
	run_stress(64, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects),
	    cmocka_unit_test(test_empty_full_order),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_batch),
	    cmocka_unit_test(test_stress_single),
	    cmocka_unit_test(test_stress_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

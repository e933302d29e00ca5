/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/bench_queue.c: items/s through the SPSC ring (core/queue.h), and
 * through Concurrency Kit's ck_ring (libck-dev, header-only for SPSC) in
 * the same run, as DESIGN.md 3 asks before keeping a hand-written ring.
 *
 * Cases, each the median of RUNS runs of N items:
 *   1 thread   push one, pop one (the instruction cost of an op);
 *   1 thread   fill the ring, drain it (no cross-thread traffic);
 *   2 threads  producer on CPU 0, consumer on CPU 1, busy-spinning:
 *              single ops, then batches of 8/32/128 (queue_push_n /
 *              queue_pop_n; ck_ring has no batch call, so its "batch"
 *              rows loop single ops over the same batch).
 * One item = one push + one pop.  Usage: bench_queue [N [CAP [RUNS]]],
 * defaults 20000000 4096 5.  Without <ck_ring.h> only our rows print.
 */
#define _GNU_SOURCE /* pthread_setaffinity_np, cpu_set_t */
#include "core/queue.h"

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<ck_ring.h>)
#include <ck_ring.h>
#define HAVE_CK 1
#endif
#endif

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum impl { IMPL_SL, IMPL_CK };

struct ring {
	enum impl impl;
	struct queue q;
#ifdef HAVE_CK
	char pad[128];
	struct ck_ring ck;
	char pad2[128];
	struct ck_ring_buffer *ck_buf;
#endif
};

struct run {
	struct ring *r;
	uint64_t n;
	size_t batch; /* 1: single ops */
	int cpu;
	uint64_t sum; /* consumer: checksum, keeps the work observable */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int ring_init(struct ring *r, enum impl impl, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->impl = impl;
	if (impl == IMPL_SL)
		return queue_init(&r->q, cap);
#ifdef HAVE_CK
	r->ck_buf = aligned_alloc(64, cap * sizeof(*r->ck_buf));
	if (r->ck_buf == NULL)
		return -1;
	ck_ring_init(&r->ck, (unsigned)cap);
	return 0;
#else
	return -1;
#endif
}

static void ring_deinit(struct ring *r)
{
	if (r->impl == IMPL_SL)
		queue_deinit(&r->q);
#ifdef HAVE_CK
	free(r->ck_buf);
#endif
}

static inline bool push1(struct ring *r, void *p)
{
#ifdef HAVE_CK
	if (r->impl == IMPL_CK)
		return ck_ring_enqueue_spsc(&r->ck, r->ck_buf, p);
#endif
	return queue_push(&r->q, p) == 0;
}

static inline void *pop1(struct ring *r)
{
#ifdef HAVE_CK
	if (r->impl == IMPL_CK) {
		void *p;

		return ck_ring_dequeue_spsc(&r->ck, r->ck_buf, &p) ? p : NULL;
	}
#endif
	return queue_pop(&r->q);
}

static inline size_t push_n(struct ring *r, void *const *v, size_t n)
{
	size_t i = 0;

	if (r->impl == IMPL_SL)
		return queue_push_n(&r->q, v, n);
	while (i < n && push1(r, v[i]))
		i++;
	return i;
}

static inline size_t pop_n(struct ring *r, void **v, size_t n)
{
	size_t i = 0;

	if (r->impl == IMPL_SL)
		return queue_pop_n(&r->q, v, n);
	while (i < n && (v[i] = pop1(r)) != NULL)
		i++;
	return i;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* best effort: on one CPU the two-thread rows just get slower */
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *producer(void *arg)
{
	struct run *a = arg;
	void *buf[128];
	uint64_t i = 1;

	pin(a->cpu);
	while (i <= a->n) {
		size_t k = a->batch, done = 0;

		if (k > a->n - i + 1)
			k = (size_t)(a->n - i + 1);
		for (size_t j = 0; j < k; j++)
			buf[j] = (void *)(uintptr_t)(i + j);
		if (k == 1) {
			while (!push1(a->r, buf[0]))
				cpu_relax();
		} else {
			while (done < k) {
				size_t m = push_n(a->r, buf + done, k - done);

				if (m == 0)
					cpu_relax();
				done += m;
			}
		}
		i += k;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct run *a = arg;
	void *buf[128];
	uint64_t got = 0, sum = 0;

	pin(a->cpu);
	while (got < a->n) {
		size_t k;

		if (a->batch == 1) {
			buf[0] = pop1(a->r);
			k = buf[0] != NULL;
		} else {
			k = pop_n(a->r, buf, a->batch);
		}
		if (k == 0) {
			cpu_relax();
			continue;
		}
		for (size_t j = 0; j < k; j++)
			sum += (uintptr_t)buf[j];
		got += k;
	}
	a->sum = sum;
	return NULL;
}

/* Items/s with producer and consumer on two threads. */
static double two_threads(enum impl impl, size_t cap, uint64_t n, size_t batch)
{
	static struct ring r;
	struct run p = {.r = &r, .n = n, .batch = batch, .cpu = 0};
	struct run c = {.r = &r, .n = n, .batch = batch, .cpu = 1};
	pthread_t pt, ct;
	double t0, t1;

	if (ring_init(&r, impl, cap) != 0) {
		fprintf(stderr, "bench_queue: ring init failed\n");
		exit(1);
	}
	t0 = now();
	if (pthread_create(&ct, NULL, consumer, &c) != 0 ||
	    pthread_create(&pt, NULL, producer, &p) != 0) {
		fprintf(stderr, "bench_queue: pthread_create failed\n");
		exit(1);
	}
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	t1 = now();
	if (c.sum != n * (n + 1) / 2) {
		fprintf(stderr, "bench_queue: items lost or duplicated\n");
		exit(1);
	}
	ring_deinit(&r);
	return (double)n / (t1 - t0);
}

/* Items/s on one thread: push then pop one item at a time (fill = 0), or
 * fill the ring and drain it (fill = 1). */
static double one_thread(enum impl impl, size_t cap, uint64_t n, int fill)
{
	static struct ring r;
	volatile uintptr_t sink = 0;
	uint64_t done = 0;
	size_t burst = fill ? cap - 1 : 1; /* ck_ring keeps one slot free */
	double t0, t1;

	if (ring_init(&r, impl, cap) != 0) {
		fprintf(stderr, "bench_queue: ring init failed\n");
		exit(1);
	}
	t0 = now();
	while (done < n) {
		for (size_t j = 0; j < burst; j++)
			if (!push1(&r, (void *)(uintptr_t)(done + j + 1)))
				exit(1);
		for (size_t j = 0; j < burst; j++)
			sink += (uintptr_t)pop1(&r);
		done += burst;
	}
	t1 = now();
	(void)sink;
	ring_deinit(&r);
	return (double)done / (t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct row_case {
	const char *name;
	int threads;
	size_t batch; /* two threads; one thread: 0 = push/pop, 1 = fill */
};

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 20000000;
	size_t cap = argc > 2 ? strtoull(argv[2], NULL, 10) : 4096;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	static const struct row_case cases[] = {
	    {"1 thread, push 1 + pop 1", 1, 0},
	    {"1 thread, fill + drain", 1, 1},
	    {"2 threads, single ops", 2, 1},
	    {"2 threads, batch 8", 2, 8},
	    {"2 threads, batch 32", 2, 32},
	    {"2 threads, batch 128", 2, 128},
	};
	enum impl impls[2] = {IMPL_SL, IMPL_CK};
	int n_impls = 1;
	double t[64];

#ifdef HAVE_CK
	n_impls = 2;
#endif
	if (n == 0 || runs < 1 || runs > 64 || cap < 2 || (cap & (cap - 1))) {
		fprintf(stderr, "usage: bench_queue [N [CAP(power of 2) "
		                "[RUNS(1-64)]]]\n");
		return 2;
	}
	printf("bench_queue: %llu items per run, capacity %zu, median of %d "
	       "runs, %ld CPUs online\n",
	       (unsigned long long)n, cap, runs, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-28s %-14s %14s %10s\n", "case", "ring", "items/s", "ns/item");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int k = 0; k < n_impls; k++) {
			double med;

			/* alternate runs of the two rings would be fairer to
			 * drift, but each run is short; repeats take the
			 * median instead */
			for (int i = 0; i < runs; i++)
				t[i] = cases[c].threads == 1
				           ? one_thread(impls[k], cap, n,
				                        (int)cases[c].batch)
				           : two_threads(impls[k], cap, n,
				                         cases[c].batch);
			qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
			med = t[runs / 2];
			printf("%-28s %-14s %14.0f %10.2f\n", cases[c].name,
			       impls[k] == IMPL_SL ? "sluice queue"
			       : cases[c].threads == 2 && cases[c].batch > 1
			           ? "ck_ring (1by1)"
			           : "ck_ring",
			       med, 1e9 / med);
			fflush(stdout);
		}
	}
	return 0;
}

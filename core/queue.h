/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/queue.h: a bounded single-producer single-consumer lock-free ring of
 * pointers, the handoff from the dispatcher to each applier (one ring per
 * worker).  Exactly one thread pushes and exactly one thread pops; any
 * thread may read queue_len for status.  Capacity is a power of two and
 * every slot is usable.
 *
 * Ownership (STYLE.md 2.6): a successful push hands the pointed-to object
 * to the consumer; the producer must not touch it again (NULL your copy).
 * A push that returns QUEUE_EFULL leaves it with the producer.  NULL is
 * never queued: queue_pop returns NULL for "empty".
 *
 * Indexes run freely as 64-bit counters (never wrap in practice) and are
 * masked on access.  Each side owns one index and keeps a private, possibly
 * stale copy of the other side's (head_cache / tail_cache); it re-reads the
 * shared index only when its copy says full (producer) or empty (consumer),
 * so in steady state the two threads touch each other's cache line once per
 * ring-full of work, not once per item.  Release on the owner's store and
 * acquire on the other side's load publish the slot contents.
 *
 * Cache-line layout (STYLE.md 2.7): see struct queue.  No alignment is
 * demanded of the embedding struct: QUEUE_GAP bytes of padding separate
 * the producer block from the consumer block and both from neighbours.
 */
#ifndef SL_CORE_QUEUE_H
#define SL_CORE_QUEUE_H

#include "err.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* queue_push, when the ring is full: not a failure, back off and retry.
 * Distinct from every SL_E* code; to be folded into core/err.h as
 * SL_EAGAIN. */
#define QUEUE_EFULL SL_EAGAIN

/* Bytes between blocks written by different threads: two 64-byte lines,
 * because x86's adjacent-line prefetcher pulls lines in 128-byte pairs. */
#define QUEUE_GAP 128

/*
 * Layout, offsets from the start of the struct (any base alignment):
 *
 *     0  lead[]        keeps the embedding struct's fields off our lines
 *   128  producer:     tail (atomic, written), head_cache, slots, mask
 *   160  gap[]
 *   256  consumer:     head (atomic, written), tail_cache, slots, mask
 *   288  trail[]       keeps whatever follows off the consumer's line
 *
 * slots and mask are copied into both blocks so that each side's fast
 * path reads one line only: its own.
 */
struct queue {
	char lead[QUEUE_GAP];

	/* producer: written by the pushing thread only */
	_Atomic uint64_t tail; /* next slot to fill */
	uint64_t head_cache;   /* last head seen */
	void **p_slots;
	uint64_t p_mask;
	char gap[QUEUE_GAP - 32];

	/* consumer: written by the popping thread only */
	_Atomic uint64_t head; /* next slot to take */
	uint64_t tail_cache;   /* last tail seen */
	void **c_slots;
	uint64_t c_mask;
	char trail[QUEUE_GAP - 32];
};

/* --- Lifecycle (no other thread may use q during these) ------------- */

/* Makes q an empty ring of cap slots (a power of two, 2 .. 2^30).
 * Returns 0, SL_EINVAL for a bad cap, SL_ENOMEM. */
int queue_init(struct queue *q, size_t cap);

/* Frees the slot array.  Pointers still queued are not freed: the owner
 * drains the ring (queue_pop until NULL) first if they hold resources. */
void queue_deinit(struct queue *q);

/* --- Producer thread ------------------------------------------------- */

/* Queues p (not NULL) and hands it to the consumer.  Returns 0, or
 * QUEUE_EFULL (p still yours). */
static inline int queue_push(struct queue *q, void *p)
{
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (t - q->head_cache > q->p_mask) {
		q->head_cache =
		    atomic_load_explicit(&q->head, memory_order_acquire);
		if (t - q->head_cache > q->p_mask)
			return QUEUE_EFULL;
	}
	q->p_slots[t & q->p_mask] = p;
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return 0;
}

/* Queues the first k of items[0..n) (none NULL), as many as fit, in
 * order, with one index publication; returns k (0 when full).  Ownership
 * of items[0..k) passes to the consumer; items[k..n) stay yours. */
static inline size_t queue_push_n(struct queue *q, void *const *items, size_t n)
{
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint64_t cap = q->p_mask + 1;
	uint64_t room = cap - (t - q->head_cache);
	size_t i, first;

	if (room < n) {
		q->head_cache =
		    atomic_load_explicit(&q->head, memory_order_acquire);
		room = cap - (t - q->head_cache);
		if (room == 0)
			return 0;
		if (room < n)
			n = (size_t)room;
	}
	i = (size_t)(t & q->p_mask);
	first = (size_t)cap - i < n ? (size_t)cap - i : n;
	memcpy(q->p_slots + i, items, first * sizeof(*items));
	memcpy(q->p_slots, items + first, (n - first) * sizeof(*items));
	atomic_store_explicit(&q->tail, t + n, memory_order_release);
	return n;
}

/* --- Consumer thread ------------------------------------------------- */

/* The oldest queued pointer, now yours; NULL when the ring is empty. */
static inline void *queue_pop(struct queue *q)
{
	uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	void *p;

	if (h == q->tail_cache) {
		q->tail_cache =
		    atomic_load_explicit(&q->tail, memory_order_acquire);
		if (h == q->tail_cache)
			return NULL;
	}
	p = q->c_slots[h & q->c_mask];
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return p;
}

/* Moves up to n of the oldest pointers to out[0..k), oldest first, with
 * one index publication; returns k (0 when empty).  They are yours. */
static inline size_t queue_pop_n(struct queue *q, void **out, size_t n)
{
	uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint64_t cap = q->c_mask + 1;
	uint64_t avail = q->tail_cache - h;
	size_t i, first;

	if (avail < n) {
		q->tail_cache =
		    atomic_load_explicit(&q->tail, memory_order_acquire);
		avail = q->tail_cache - h;
		if (avail == 0)
			return 0;
		if (avail < n)
			n = (size_t)avail;
	}
	i = (size_t)(h & q->c_mask);
	first = (size_t)cap - i < n ? (size_t)cap - i : n;
	memcpy(out, q->c_slots + i, first * sizeof(*out));
	memcpy(out + first, q->c_slots, (n - first) * sizeof(*out));
	atomic_store_explicit(&q->head, h + n, memory_order_release);
	return n;
}

/* --- Any thread ------------------------------------------------------ */

/* Items queued at some instant during the call (0 .. capacity); exact
 * only when neither side is running.  For status and metrics. */
static inline size_t queue_len(const struct queue *q)
{
	/* head first: a tail read later can only be larger, so the
	 * difference never goes negative; it can overshoot, hence the cap */
	uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint64_t n = t - h;

	return (size_t)(n > q->p_mask + 1 ? q->p_mask + 1 : n);
}

/* Number of slots. */
static inline size_t queue_cap(const struct queue *q)
{
	return (size_t)(q->p_mask + 1);
}

#endif

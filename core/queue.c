/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/queue.c: set-up and tear-down of the SPSC ring (core/queue.h).
 * The push and pop paths are static inline in the header: they are a few
 * instructions each and a call per item would cost as much as the work.
 * In: a capacity.  Out: an empty ring whose slot array this file owns.
 * Runs before the producer and consumer threads start / after they stop;
 * starting a thread (pthread_create) publishes the initialised fields.
 */
#include "queue.h"

#include "mem.h"

#include <string.h>

int queue_init(struct queue *q, size_t cap)
{
	void **slots;

	memset(q, 0, sizeof(*q));
	if (cap < 2 || cap > ((size_t)1 << 30) || (cap & (cap - 1)) != 0)
		return SL_EINVAL;
	slots = sl_calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return SL_ENOMEM;
	q->p_slots = slots;
	q->c_slots = slots;
	q->p_mask = cap - 1;
	q->c_mask = cap - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	return 0;
}

void queue_deinit(struct queue *q)
{
	sl_free(q->p_slots);
	q->p_slots = NULL;
	q->c_slots = NULL;
	q->p_mask = 0;
	q->c_mask = 0;
}

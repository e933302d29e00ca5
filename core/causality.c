/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/causality.c: the causality set of the dispatcher (see
 * causality.h).  Slots are indexed by the key hash's low bits (the router
 * uses the high ones to pick workers, so the two stay independent).
 */
#include "core/causality.h"

#include "core/err.h"
#include "core/mem.h"

#include <stdbool.h>
#include <string.h>

#define MIN_CAP 1024

void causality_init(struct causality *c)
{
	memset(c, 0, sizeof(*c));
}

void causality_deinit(struct causality *c)
{
	sl_free(c->slot);
	memset(c, 0, sizeof(*c));
}

static bool live(const struct causality_ent *e, const uint64_t *done)
{
	return e->seq != 0 && e->seq > done[e->worker];
}

static struct causality_ent *lookup(const struct causality *c, uint64_t key)
{
	size_t mask = c->cap - 1;

	for (size_t i = key & mask;; i = (i + 1) & mask) {
		struct causality_ent *e = &c->slot[i];

		if (e->seq == 0 || e->key == key)
			return e;
	}
}

int causality_find(const struct causality *c, const uint64_t *keys, size_t n,
                   const uint64_t *done)
{
	int w = CAUSALITY_NONE;

	if (c->cap == 0)
		return w;
	for (size_t i = 0; i < n; i++) {
		const struct causality_ent *e = lookup(c, keys[i]);

		if (!live(e, done))
			continue;
		if (w == CAUSALITY_NONE)
			w = (int)e->worker;
		else if ((uint32_t)w != e->worker)
			return CAUSALITY_CONFLICT;
	}
	return w;
}

size_t causality_holders(const struct causality *c, const uint64_t *keys,
                         size_t n, const uint64_t *done,
                         struct causality_hold *out)
{
	size_t k = 0;

	if (c->cap == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct causality_ent *e = lookup(c, keys[i]);
		size_t j = 0;

		if (!live(e, done))
			continue;
		while (j < k && out[j].worker != e->worker)
			j++;
		if (j == k)
			out[k++] = (struct causality_hold){e->worker, e->seq};
		else if (e->seq > out[j].seq)
			out[j].seq = e->seq;
	}
	return k;
}

/* Rebuilds the table with the live entries only, at a size where they
 * fill at most a quarter of it. */
static int rebuild(struct causality *c, const uint64_t *done, size_t extra)
{
	size_t n_live = extra, cap = MIN_CAP;
	struct causality old = *c;

	for (size_t i = 0; i < old.cap; i++)
		n_live += live(&old.slot[i], done);
	while (cap < 4 * n_live)
		cap *= 2;
	c->slot = sl_calloc(cap, sizeof(*c->slot));
	if (c->slot == NULL) {
		*c = old;
		return SL_ENOMEM;
	}
	c->cap = cap;
	c->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (live(&old.slot[i], done)) {
			*lookup(c, old.slot[i].key) = old.slot[i];
			c->used++;
		}
	sl_free(old.slot);
	return 0;
}

int causality_put(struct causality *c, const uint64_t *keys, size_t n,
                  uint32_t worker, uint64_t seq, const uint64_t *done)
{
	if (2 * (c->used + n) > c->cap && rebuild(c, done, n) != 0)
		return SL_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct causality_ent *e = lookup(c, keys[i]);

		if (e->seq == 0)
			c->used++;
		e->key = keys[i];
		e->seq = seq;
		e->worker = worker;
	}
	return 0;
}

void causality_clear(struct causality *c)
{
	if (c->cap)
		memset(c->slot, 0, c->cap * sizeof(*c->slot));
	c->used = 0;
}

size_t causality_size(const struct causality *c)
{
	return c->used;
}

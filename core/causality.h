/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/causality.h: the dispatcher's causality set (DESIGN.md 1).  Rows
 * are routed by their primary key, which orders every change of one row;
 * a secondary unique key adds order *between* rows: when row X gives up
 * a unique value and row Y takes it, Y's change must not reach the target
 * before X's, or it fails on a duplicate key (or, as an upsert, updates
 * X).  So for tables with such keys the dispatcher remembers, for every
 * key value (primary and unique, before and after images) of the changes
 * still in flight, the worker that holds them:
 *
 *   - no key of a change is in flight: route it by its primary key;
 *   - its keys are in flight on one worker: send it there too (and all of
 *     its keys now live there: a later change of the same primary key
 *     follows it, whatever its hash says);
 *   - on two or more workers: a conflict; the dispatcher lets all of
 *     those workers but one commit what they hold (causality_holders
 *     names them), then sends the change to the one left.
 *
 * A key is "in flight" while the item that last used it is not yet
 * committed: entries hold (worker, seq) where seq is the worker's push
 * count after that item, and a worker's committed count `done[w]`
 * (monotonic) retires them (seq <= done[w]) without any bookkeeping on
 * the workers' side.  Keys are 64-bit hashes of normalised values
 * (core/route.h): a collision only merges routes or causes a needless
 * flush, never splits a key.
 *
 * Open addressing, linear probing; retired entries are dropped when the
 * table is rebuilt (at half load), so memory follows the keys in flight.
 * Dispatcher thread only.  `done` may be a stale snapshot: it is read as
 * "at least this much is committed", which is always safe.
 */
#ifndef SL_CORE_CAUSALITY_H
#define SL_CORE_CAUSALITY_H

#include <stddef.h>
#include <stdint.h>

#define CAUSALITY_NONE     (-1) /* no key in flight */
#define CAUSALITY_CONFLICT (-2) /* keys in flight on several workers */

struct causality_ent {
	uint64_t key;
	uint64_t seq; /* 0: empty slot */
	uint32_t worker;
};

struct causality {
	struct causality_ent *slot;
	size_t cap;  /* power of two, or 0 */
	size_t used; /* slots holding an entry, live or retired */
};

void causality_init(struct causality *c);
void causality_deinit(struct causality *c);

/* The worker holding keys[0..n) in flight, CAUSALITY_NONE or
 * CAUSALITY_CONFLICT. */
int causality_find(const struct causality *c, const uint64_t *keys, size_t n,
                   const uint64_t *done);

/* A worker holding some of a change's keys in flight, and the push count
 * after the last item that used one of them there (the worker must have
 * committed that many items for its keys to retire). */
struct causality_hold {
	uint32_t worker;
	uint64_t seq;
};

/* The distinct workers holding keys[0..n) in flight, each once with its
 * highest seq, into out[] (room for n); returns how many. */
size_t causality_holders(const struct causality *c, const uint64_t *keys,
                         size_t n, const uint64_t *done,
                         struct causality_hold *out);

/* Records keys[0..n) as in flight on worker until its committed count
 * reaches seq (seq >= 1).  Returns 0 or SL_ENOMEM (the set is unchanged
 * for the keys not yet recorded: the caller fails the job). */
int causality_put(struct causality *c, const uint64_t *keys, size_t n,
                  uint32_t worker, uint64_t seq, const uint64_t *done);

/* Forgets every key (after a barrier: nothing is in flight). */
void causality_clear(struct causality *c);

/* Entries in the table, live or retired (for tests). */
size_t causality_size(const struct causality *c);

#endif

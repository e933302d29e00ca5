/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/route.h: which applier gets a row change.  A row is routed by the
 * xxHash3 of its key (primary key, else the first not-null unique key; the
 * caller chooses the columns) and of its table's identity, so every change
 * of one row reaches one worker, in source order (DESIGN.md 1).
 *
 * Equal keys must hash equally, so values are normalised before hashing
 * (route.c lists the rules): integers by value, CHAR/BINARY padding and
 * the trailing spaces PAD SPACE collations ignore are dropped, ASCII
 * letters of non-binary strings are folded to lower case, prefix key
 * parts cut to their prefix.  Normalising may merge unequal keys (they
 * then share a worker, which is harmless); it must never split equal ones.
 *
 * Use, per table (again after any DDL, which drains the workers):
 *     route_key_init(&k, tm, cols, prefixes, n, err);
 * then per row change, on the dispatcher thread:
 *     route_row(&k, row, &h, err);
 *     w = route_worker(h.after, n_workers);  (any op; if h.key_changed,
 *                                             also h.before's worker)
 * struct route_key is plain data: copy it, keep it in the schema tracker.
 */
#ifndef SL_CORE_ROUTE_H
#define SL_CORE_ROUTE_H

#include "decode.h"
#include "err.h"
#include "tablemap.h"

#include <stdbool.h>
#include <stdint.h>

/* Bumped whenever a key's hash or worker could change; a checkpoint made
 * under another version is resumed like one made with another worker
 * count (replayed in safe mode). */
#define ROUTE_VERSION 1

/* MariaDB's limit of key parts (MySQL's is 16). */
#define ROUTE_MAX_KEY_COLS 32

struct route_key {
	uint64_t seed; /* xxHash3 of the table identity (db, table name) */
	uint32_t n_cols;
	uint32_t cols[ROUTE_MAX_KEY_COLS];   /* column indexes, key order */
	uint32_t prefix[ROUTE_MAX_KEY_COLS]; /* key prefix length, 0 = all */
};

/* The key hashes of one row change.  INSERT: the after image's key in
 * both; DELETE: the before image's in both; UPDATE: each image's, and
 * key_changed when they differ (the row moves: the dispatcher must order
 * it against both workers). */
struct route_hashes {
	uint64_t before;
	uint64_t after;
	bool key_changed;
};

/* --- Per table -------------------------------------------------------- */

/* Prepares k for rows of tm keyed by the n columns cols[0..n) (key order,
 * 1 <= n <= ROUTE_MAX_KEY_COLS, each < tm->n_cols, no repeats).  prefix
 * may be NULL; else prefix[i] is the key part's prefix length as the
 * server reports it (SUB_PART: characters, or bytes for binary strings),
 * 0 for a whole column.  The table is identified by db and name, not by
 * table_id, which changes.  Returns 0 or SL_EINVAL with err set. */
int route_key_init(struct route_key *k, const struct table_map *tm,
                   const uint32_t *cols, const uint32_t *prefix, uint32_t n,
                   struct sl_err *err);

/* --- Per row change (any thread; pure) -------------------------------- */

/* Hash of the key in img (tm->n_cols cells) of a table k was made for.
 * Fails when a key column is missing from the image (SL_ENOTFOUND: a
 * partial image without it), holds a JSON diff (SL_EUNSUPPORTED), or
 * lies outside tm (SL_EINVAL: k made for another table version).
 * NULL key cells hash as NULL. */
int route_hash(const struct route_key *k, const struct table_map *tm,
               const struct cell *img, uint64_t *hash, struct sl_err *err);

/* Hashes of row's key (see struct route_hashes).  For an UPDATE, a key
 * column the after image lacks (binlog_row_image=MINIMAL writes only the
 * changed columns) kept its before value.  Errors as route_hash, and
 * SL_EINVAL for an unknown op or a missing image. */
int route_row(const struct route_key *k, const struct row_change *row,
              struct route_hashes *out, struct sl_err *err);

/* Worker index in [0, n_workers) for a key hash; n_workers >= 1.
 * Multiply-shift on the hash's high 32 bits (Lemire's "fast range"):
 * uniform for a uniform hash, one multiplication instead of a division,
 * and it leaves the low bits independent for the dispatcher's own hash
 * tables.  Not a consistent hash: the worker count is fixed for a run,
 * and a run with another count replays its window in safe mode anyway
 * (DESIGN.md 1), so keys that would stay put buy nothing. */
static inline uint32_t route_worker(uint64_t hash, uint32_t n_workers)
{
	return (uint32_t)(((hash >> 32) * (uint64_t)n_workers) >> 32);
}

#endif

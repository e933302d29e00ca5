/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/tidb.h: what an error number from the target means for the
 * applier.  In: the server errno of a failed statement or COMMIT
 * (mysql_errno(): server codes, TiDB's own 8xxx/9xxx codes, or a client
 * library CR_* code such as 2013).  Out: one of four classes, which
 * worker.c (and only it) turns into an action:
 *
 *   SL_ERETRY     transient: roll back, back off, resubmit the whole batch
 *                 (after a lost connection: reconnect and read the worker's
 *                 checkpoint first, since the COMMIT may have landed)
 *   SL_ESPLIT     the transaction is too large for the target: roll back,
 *                 split the batch in two, apply the halves one by one
 *   SL_ECONFLICT  a written row already exists (duplicate key): fail with
 *                 table, key and position, or replay with REPLACE when the
 *                 job says on-conflict: replace
 *   SL_EFATAL     anything else: fail the job with the server's message
 *
 * The 8xxx and 9xxx codes are TiDB-specific (MariaDB, which stands in for
 * TiDB in tests, never sends them); docs/target-errors.md has the table
 * with sources.  Pure functions over a constant table; any thread.
 */
#ifndef SL_APPLY_TIDB_H
#define SL_APPLY_TIDB_H

#include <stddef.h>

/* Error classes of the target, beyond core/err.h's SL_E* (kept clear of
 * its range so both can travel in one int). */
enum {
	SL_ERETRY = -32,
	SL_ESPLIT = -33,
	SL_ECONFLICT = -34,
	SL_EFATAL = -35,
};

/* Where a code comes from: its meaning differs per origin. */
enum tidb_origin {
	TIDB_ORIGIN_SERVER, /* MySQL/MariaDB server codes, also sent by TiDB */
	TIDB_ORIGIN_CLIENT, /* client library (CR_*), never on the wire */
	TIDB_ORIGIN_TIDB,   /* TiDB-specific codes */
};

/* One row of the classification table. */
struct tidb_errcode {
	unsigned code;
	int cls; /* SL_ERETRY, SL_ESPLIT, SL_ECONFLICT, SL_EFATAL */
	enum tidb_origin origin;
	const char *symbol;  /* "ER_LOCK_DEADLOCK", "ErrWriteConflict" */
	const char *meaning; /* one line */
};

/* --- classification ------------------------------------------------- */

/* The class of server_errno: 0 for 0 (no error), SL_EFATAL for every
 * code that is not in the table. */
int tidb_classify(unsigned server_errno);

/* Short lower-case name of a class ("retry", "split", "conflict",
 * "fatal"); "ok" for 0, "?" for anything else. */
const char *tidb_class_name(int cls);

/* --- the table ------------------------------------------------------ */

/* The table entry for code, or NULL when the code is not listed (and so
 * classifies as SL_EFATAL). */
const struct tidb_errcode *tidb_errcode_find(unsigned code);

/* The whole table, sorted by code: *n entries.  For docs and tests. */
const struct tidb_errcode *tidb_errcodes(size_t *n);

/* "MySQL", "client" or "TiDB". */
const char *tidb_origin_name(enum tidb_origin o);

#endif

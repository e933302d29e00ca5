/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/sqlgen.h: SQL text for the row changes of one table in one batch.
 * In: a struct sqlgen_table the caller fills (names, column types, key
 * columns) and row images as arrays of struct cell (core/decode.h).
 * Out: multi-row statements appended to a caller-owned struct sbuf that is
 * reused from batch to batch: no allocation per row or per statement once
 * the buffer has grown (value_format itself allocates only for MySQL JSON
 * and long latin1 text).  Every value goes through value_format(VALUE_SQL).
 *
 * Statements (no trailing ';'):
 *   INSERT INTO `db`.`t` (`a`,`b`) VALUES (1,'x'),(2,NULL)
 *   REPLACE INTO …                            safe mode, on-conflict: replace
 *   INSERT … ON DUPLICATE KEY UPDATE `b`=VALUES(`b`)   updates (upserts)
 *   DELETE FROM `db`.`t` WHERE `k` IN (1,2)
 *   DELETE FROM `db`.`t` WHERE (`k1`,`k2`) IN ((1,'a'),(2,'b'))
 *   DELETE FROM `db`.`t` WHERE `a`<=>1 AND `b`<=>'x' LIMIT 1   no key
 * A key-changing UPDATE is a DELETE of the before image's key plus an
 * upsert of the after image (sqlgen_key_changed tells which updates);
 * sqlgen_compact splits them itself.  The statements assume the target
 * session SQLGEN_SESSION_SQL sets up.
 * Thread: any, one builder per worker; inputs are borrowed.
 */
#ifndef SL_APPLY_SQLGEN_H
#define SL_APPLY_SQLGEN_H

#include "core/coltype.h"
#include "core/decode.h"
#include "core/err.h"
#include "core/sbuf.h"
#include "core/tablemap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The target session the statements assume; run once per connection.
 *   sql_mode  NO_AUTO_VALUE_ON_ZERO (an id 0 stays 0), ALLOW_INVALID_DATES,
 *             and neither NO_ZERO_DATE nor NO_ZERO_IN_DATE (zero dates and
 *             '2020-00-00' are kept); no STRICT_* (the source accepted the
 *             row: an ENUM error value '' is applied as the source's server
 *             did); no NO_BACKSLASH_ESCAPES (string escapes are
 *             backslashes); no ANSI_QUOTES;
 *   time_zone '+00:00': TIMESTAMP values are printed in UTC;
 *   NAMES utf8mb4: text literals are UTF-8 (latin1 columns too), 4-byte
 *             characters included;
 *   foreign_key_checks=0: workers apply rows of different tables in
 *             parallel and out of the source's order.
 */
#define SQLGEN_SESSION_SQL                                                     \
	"SET SESSION sql_mode='NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,"     \
	"NO_ENGINE_SUBSTITUTION', SESSION time_zone='+00:00', "                \
	"SESSION foreign_key_checks=0, NAMES utf8mb4"

/*
 * One target table.  Everything is borrowed and must outlive the calls.
 * cols[i] gives the type of column i for value_format; names come from
 * col_names when set, else from cols[i].name (TABLE_MAP metadata).  A
 * column flagged in omit (generated columns) is never written.  keys are
 * the column indexes of the primary key (or of the first unique key whose
 * columns are all NOT NULL), in key order; n_keys 0 means no key.
 */
struct sqlgen_table {
	struct col_str db;
	struct col_str name;
	uint32_t n_cols;
	const struct column *cols;
	const struct col_str *col_names; /* n_cols, or NULL */
	const uint8_t *omit;             /* n_cols flags, or NULL */
	uint32_t n_keys;
	const uint32_t *keys;
};

enum sqlgen_verb {
	SQLGEN_INSERT,  /* a duplicate key fails the statement */
	SQLGEN_REPLACE, /* a duplicate row is deleted first */
	SQLGEN_UPSERT,  /* INSERT … ON DUPLICATE KEY UPDATE */
};

/* --- tables --------------------------------------------------------- */

/* Fills t from a table map (names, types, primary key from the optional
 * metadata).  SL_EUNSUPPORTED with err set when the map has no column
 * names (the source needs binlog_row_metadata=FULL, or the caller must
 * supply col_names from its schema). */
int sqlgen_table_from_map(struct sqlgen_table *t, const struct table_map *tm,
                          struct sl_err *err);

/* --- statements ----------------------------------------------------- */

/*
 * Appends one INSERT / REPLACE / upsert of rows[0..n_rows) (after images,
 * t->n_cols cells each) to out and sets *n_done to the number of rows it
 * holds.  The column list is the columns present in rows[0] (not
 * CELL_ABSENT, not omitted); the statement stops before a row whose
 * present columns differ, and before the row that would take it past
 * max_bytes (0: no cap).  It always holds at least one row, so a single
 * row larger than max_bytes makes a statement larger than max_bytes.
 * The upsert updates every listed non-key column (the first key column
 * when every listed column is a key).  Call again with rows + *n_done
 * until all are written.
 * Returns 0; SL_EINVAL (no rows, no columns, a column without a name),
 * SL_EUNSUPPORTED (a partial-JSON cell), value_format's SL_EPROTO or
 * SL_ENOMEM (out's oom flag then stays set: sbuf.h) with err set, and
 * then out->len is as it was on entry.
 * Partial images (binlog_row_image=MINIMAL/NOBLOB) make correct upserts
 * of rows the target has, but a missing row is then inserted with the
 * absent columns at their defaults.
 */
int sqlgen_insert(struct sbuf *out, const struct sqlgen_table *t,
                  enum sqlgen_verb verb, const struct cell *const *rows,
                  size_t n_rows, size_t max_bytes, size_t *n_done,
                  struct sl_err *err);

/*
 * Appends one DELETE of the rows whose key cells are in rows[0..n_rows)
 * (before images; only the key columns are read) and sets *n_done, with
 * the same max_bytes rule as sqlgen_insert.  Without a key (n_keys 0) the
 * statement matches one row on all its present columns but FLOAT, JSON
 * and GEOMETRY ones (they do not compare equal to their own literal) with
 * LIMIT 1, so it holds exactly one row.  SL_EINVAL when a key cell is
 * NULL or absent; out unchanged on error.
 */
int sqlgen_delete(struct sbuf *out, const struct sqlgen_table *t,
                  const struct cell *const *rows, size_t n_rows,
                  size_t max_bytes, size_t *n_done, struct sl_err *err);

/* Appends `name` with backticks, a backtick inside doubled. */
void sqlgen_ident(struct sbuf *out, const char *name, size_t len);

/* Appends the SQL literal of cell `c` of column `col` (see sqlgen.c for
 * the rules beyond value_format).  Errors as sqlgen_insert; out may then
 * hold a partial literal. */
int sqlgen_value(struct sbuf *out, const struct column *col,
                 const struct cell *c, struct sl_err *err);

/* True when the key cells of before and after differ (bytes), i.e. the
 * UPDATE moves the row to another key.  False without a key. */
bool sqlgen_key_changed(const struct sqlgen_table *t, const struct cell *before,
                        const struct cell *after);

/* --- compaction ----------------------------------------------------- */

/*
 * A row's key as bytes: the raw cell bytes of the key columns, one after
 * the other (each cell's length is implied by its bytes and its type, so
 * the concatenation is unambiguous).  Bytes, not collation: 'a' and 'A'
 * are different keys here even under a _ci collation; that is safe
 * because the same stored row always has the same bytes, and a change of
 * case is an UPDATE with a key change (DELETE + INSERT; see the rules).
 * hash must depend on the bytes only (the router's hash of the same
 * bytes is fine).
 */
struct sqlgen_key {
	const uint8_t *p;
	uint32_t len;
	uint64_t hash;
};

/* One source row change, in source order. */
struct sqlgen_change {
	int op;                    /* ROW_INSERT / ROW_UPDATE / ROW_DELETE */
	const struct cell *before; /* UPDATE, DELETE */
	const struct cell *after;  /* INSERT, UPDATE */
	struct sqlgen_key old_key; /* key of before (UPDATE, DELETE) */
	struct sqlgen_key new_key; /* key of after (INSERT, UPDATE) */
};

/*
 * Reusable state of sqlgen_compact and its result: three lists of row
 * images ready for sqlgen_delete (del, before images) and sqlgen_insert
 * (ins: INSERT or REPLACE; upd: SQLGEN_UPSERT), each with the index of
 * the source change the image came from (for error messages).  Apply them
 * in that order: deletes, inserts, updates.  Lists are in the order each
 * key first appears.  Valid until the next sqlgen_compact.
 */
struct sqlgen_compactor {
	const struct cell **del, **ins, **upd;
	uint32_t *del_src, *ins_src, *upd_src;
	size_t n_del, n_ins, n_upd;

	/* private */
	struct sbuf keybuf; /* multi-column key bytes */
	uint32_t *slots;    /* open addressing: entry index + 1, 0 empty */
	size_t n_slots;     /* power of two */
	struct sqlgen_ent *ent;
	size_t ent_cap;
	size_t list_cap;
};

void sqlgen_compactor_init(struct sqlgen_compactor *c);
void sqlgen_compactor_deinit(struct sqlgen_compactor *c);

/*
 * Fills old_key / new_key of ch[0..n) from their images: single-column
 * keys point into the cells (no copy), multi-column keys into c's buffer
 * (valid until the next sqlgen_keys on c).  SL_EINVAL with err set when
 * the table has no key or a key cell is NULL or absent; SL_ENOMEM.
 */
int sqlgen_keys(struct sqlgen_compactor *c, const struct sqlgen_table *t,
                struct sqlgen_change *ch, size_t n, struct sl_err *err);

/*
 * Compacts the changes of one table in one batch to at most one final
 * change per key.  A key-changing UPDATE counts as DELETE of the old key
 * then INSERT of the new one.  Per key, with F its first change in the
 * batch and L its last (the ones between do not matter):
 *
 *   F = INSERT, L = DELETE            nothing (the row was born and died
 *                                     in the batch); DELETE when safe
 *   F = INSERT, L = INSERT/UPDATE     INSERT of L's image
 *   F = UPDATE/DELETE, L = DELETE     DELETE (the row existed before the
 *                                     batch: its delete must reach the target)
 *   F = UPDATE/DELETE, L = INSERT/UPDATE   UPDATE (upsert) of L's image:
 *                                     the row existed and ends as L
 *
 * safe (replaying a window that may already be applied): "nothing"
 * becomes a DELETE, which is a no-op when the row is absent; the caller
 * writes ins with SQLGEN_REPLACE.  Returns 0, SL_EINVAL (no key) or
 * SL_ENOMEM with err set.
 */
int sqlgen_compact(struct sqlgen_compactor *c, const struct sqlgen_table *t,
                   const struct sqlgen_change *ch, size_t n, bool safe,
                   struct sl_err *err);

/* The hash sqlgen_keys uses (64-bit, seedless). */
uint64_t sqlgen_hash(const uint8_t *p, size_t n);

#endif

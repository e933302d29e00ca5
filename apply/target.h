/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/target.h: one connection to the target (TiDB, or MariaDB in
 * tests) through libmariadb, as each worker holds one: connect with the
 * job's TLS settings, set the session the SQL builder expects (UTC time
 * zone, utf8mb4, permissive sql_mode for zero dates, no FK checks), run
 * statements and transactions, and report the server's error number so
 * apply/tidb.c can classify it.  One thread per connection.
 */
#ifndef SL_APPLY_TARGET_H
#define SL_APPLY_TARGET_H

#include "core/err.h"

#include <stdbool.h>
#include <stdint.h>

enum target_tls {
	TARGET_TLS_DISABLED,
	TARGET_TLS_PREFERRED,
	TARGET_TLS_REQUIRED,
	TARGET_TLS_VERIFY_CA,
	TARGET_TLS_VERIFY_IDENTITY,
};

struct target_opts {
	const char *host;
	unsigned port;
	const char *user;
	const char *password; /* never logged */
	enum target_tls tls;
	const char *ca, *cert, *key;
	unsigned connect_timeout_s; /* 0: 10 */
	unsigned rw_timeout_s;      /* 0: 60 */
};

struct target;

/* Connects and prepares the session.  Errors: one line naming host:port
 * and the server's or client's message. */
int target_open(const struct target_opts *o, struct target **out,
                struct sl_err *err);
void target_close(struct target *t);

/* Runs one statement (len bytes, need not be NUL-terminated).  On
 * failure returns SL_EIO with the message in err and the error number
 * (server 1000-1999/TiDB 8000-9999, client 2000-2999) from
 * target_errno(). *affected gets the affected-row count when non-NULL. */
int target_exec(struct target *t, const char *sql, size_t len,
                uint64_t *affected, struct sl_err *err);
unsigned target_errno(const struct target *t);

/* Runs n statements joined by ';' in sql as one multi-statement request
 * (one round trip) and reads every result: aff[i] gets statement i's
 * affected rows.  The server stops at the first failing statement:
 * *failed is then its index (and the return as target_exec's); the
 * statements after it did not run.  Connections are opened with
 * CLIENT_MULTI_STATEMENTS (TiDB accepts multi-statements from clients
 * that set it). */
int target_exec_multi(struct target *t, const char *sql, size_t len,
                      uint64_t *aff, size_t n, size_t *failed,
                      struct sl_err *err);

/* A query result: n_rows x n_cols NUL-terminated strings, NULL for SQL
 * NULL; owned, free with target_rows_free. */
struct target_rows {
	size_t n_rows, n_cols;
	char **cells;
};

int target_query(struct target *t, const char *sql, struct target_rows *r,
                 struct sl_err *err);
void target_rows_free(struct target_rows *r);

static inline const char *target_rows_get(const struct target_rows *r,
                                          size_t row, size_t col)
{
	return row < r->n_rows && col < r->n_cols
	           ? r->cells[row * r->n_cols + col]
	           : NULL;
}

int target_begin(struct target *t, struct sl_err *err);
int target_commit(struct target *t, struct sl_err *err);
/* Best effort; errors ignored (the first error wins). */
void target_rollback(struct target *t);

/* "MariaDB 10.11.19" or "TiDB v7.5.0 (5.7.25-TiDB-v7.5.0)": the flavour
 * is detected with SELECT tidb_version(). */
const char *target_version(const struct target *t);
bool target_is_tidb(const struct target *t);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/precheck.h: the precheck of a job (DESIGN.md 4, `sluice check`,
 * and `sluice run` before it starts): is the source set up for row-based
 * replication, may the job's users do what the job needs, does every
 * selected table exist on the target with compatible columns.  Each item
 * is Pass, Warning or Failed with one line saying what was found and,
 * unless it passed, what to do (a docs/user-guide.md#precheck pointer);
 * docs/user-guide.md "Precheck" lists every item.
 *
 * Sans-I/O: the caller opens the connections (the source through io/,
 * which apply/ does not see, the targets through apply/target.h) and
 * hands a query function per server; unit tests hand canned answers.
 * A server that could not be reached is given with its error and its
 * items are skipped (the connection item fails).  Schema, privilege and
 * meta-database checks run on the first reachable target host: the hosts
 * of one TiDB cluster share users and tables.
 *
 * One thread; everything borrowed from the caller stays the caller's.
 * Messages never hold a password: grant lines (which carry password
 * hashes) are parsed, never printed.
 */
#ifndef SL_APPLY_PRECHECK_H
#define SL_APPLY_PRECHECK_H

#include "apply/target.h"
#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum precheck_status {
	PRECHECK_PASS,
	PRECHECK_WARNING, /* works, but worth knowing (or not checkable) */
	PRECHECK_FAILED,  /* the job would fail or lose data */
};

struct precheck_item {
	enum precheck_status status;
	const char *id; /* static, stable: "source.binlog_format", ... */
	char *text;     /* what was found, one line */
	char *fix;      /* what to do, one line; NULL when nothing */
};

/* The items in the order they were checked.  Embedded by the caller. */
struct precheck_report {
	size_t n;
	struct precheck_item *v;
	size_t cap; /* private */
	size_t n_pass, n_warning, n_failed;
};

/* Runs sql on one server.  On success fills *out (cells owned by *out,
 * free with target_rows_free; statements without rows give 0 x 0) and
 * returns 0.  On failure returns a negative SL_E* with err set and
 * *server_errno the server's error number (1227 access denied, 1193
 * unknown variable, ...), or 0 when the connection itself failed. */
typedef int (*precheck_query_fn)(void *ctx, const char *sql,
                                 struct target_rows *out,
                                 unsigned *server_errno, struct sl_err *err);

struct precheck_server {
	const char *where; /* "host:port", for messages */
	const char *user;  /* the job's user name, for messages */
	const char *error; /* NULL: connected; else why not (one line) */
	precheck_query_fn query;
	void *ctx;
};

struct precheck_env {
	struct precheck_server source;
	uint32_t replica_server_id; /* the server id sluice will use */
	size_t n_targets;           /* cfg->target.n_hosts, same order */
	const struct precheck_server *targets;
};

/* Reports */

void precheck_report_init(struct precheck_report *r);
void precheck_report_deinit(struct precheck_report *r);

/* Checks */

/* Appends one item per check to out (see docs/user-guide.md#precheck).
 * Returns 0, or SL_ENOMEM (out holds what was checked before).  The
 * verdict is in out->n_failed, never in the return value. */
int precheck_run(const struct job_config *cfg, const struct precheck_env *env,
                 struct precheck_report *out, struct sl_err *err);

/* Whether the job replicates db.table: not a system database nor the
 * meta database, matched by an objects.include pattern (or there is
 * none) and by no objects.exclude pattern. */
bool precheck_table_selected(const struct job_config *cfg, const char *db,
                             const char *table);

/* Output */

/* One line per item, "[Pass]    text", "[Failed]  text: fix", then a
 * summary line "precheck: N passed, N warnings, N failed". */
void precheck_report_print(const struct precheck_report *r, FILE *out);
const char *precheck_status_name(enum precheck_status s);

#endif

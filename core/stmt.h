/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/stmt.h: what a QUERY event's statement means for transaction
 * boundaries.  The replication stream (resume points) and the pipeline
 * (commit markers, DDL barriers) must cut transactions at exactly the
 * same places, or a reconnect loses or repeats rows: both ask here.
 * Pure; any thread.
 */
#ifndef SL_CORE_STMT_H
#define SL_CORE_STMT_H

#include <stdbool.h>
#include <stddef.h>

enum stmt_class {
	STMT_BEGIN,  /* BEGIN: a transaction starts */
	STMT_INSIDE, /* SAVEPOINT, ROLLBACK TO, XA …: inside one */
	STMT_END,    /* COMMIT, ROLLBACK: it ends */
	STMT_DDL,    /* CREATE/ALTER/DROP/RENAME/TRUNCATE of data objects */
	STMT_OTHER,  /* anything else: a transaction by itself outside BEGIN */
};

/* Classifies statement text q (len bytes; leading blanks and comments
 * allowed, an executable comment's body read as text). */
enum stmt_class stmt_classify(const char *q, size_t len);

/* True when the statement's first word is w (case-insensitive, whole
 * word). */
bool stmt_word_is(const char *s, size_t len, const char *w);

/* An identifier in the statement text: p/len inside it, without the
 * backquotes; a quoted one may hold doubled backquotes. */
struct stmt_name {
	const char *p;
	size_t len;
	bool quoted;
};

/* Called per object a DDL names: (db, table) for a qualified table,
 * (NULL, table) for one in the session's database, (db, NULL) for a
 * database. */
typedef void (*stmt_object_fn)(void *ctx, const struct stmt_name *db,
                               const struct stmt_name *table);

/* The objects a DDL names: CREATE/ALTER/DROP/TRUNCATE TABLE (every table
 * of a list, CREATE … LIKE's source, ALTER … RENAME's new name), RENAME
 * TABLE (both names of every pair), CREATE/DROP INDEX … ON t,
 * CREATE/ALTER/DROP DATABASE.  Returns how many; 0 for other statements
 * and object kinds (views, routines, triggers, events), which the caller
 * judges by the session's database. */
int stmt_ddl_objects(const char *q, size_t len, stmt_object_fn fn, void *ctx);

#endif

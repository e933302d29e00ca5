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

/* Classifies statement text q (len bytes, leading blanks allowed). */
enum stmt_class stmt_classify(const char *q, size_t len);

/* True when the statement's first word is w (case-insensitive, whole
 * word). */
bool stmt_word_is(const char *s, size_t len, const char *w);

#endif

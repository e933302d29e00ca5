/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/stmt.c: statement classes for transaction boundaries (see stmt.h).
 */
#include "stmt.h"

#include <string.h>
#include <strings.h>

bool stmt_word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && strncasecmp(s, w, n) == 0 &&
	       (len == n || !((s[n] >= 'A' && s[n] <= 'Z') ||
	                      (s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'));
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\n' || *s == '\t' ||
	                   *s == '\r' || *s == '('))
		s++;
	return s;
}

static const char *next_word(const char *s, const char *end)
{
	while (s < end && *s != ' ' && *s != '\n' && *s != '\t')
		s++;
	return skip_blanks(s, end);
}

/* CREATE/ALTER/DROP/RENAME/TRUNCATE, not of users, roles or servers;
 * MariaDB's CREATE OR REPLACE TABLE included. */
static bool is_ddl(const char *s, const char *end)
{
	if (!(stmt_word_is(s, (size_t)(end - s), "CREATE") ||
	      stmt_word_is(s, (size_t)(end - s), "ALTER") ||
	      stmt_word_is(s, (size_t)(end - s), "DROP") ||
	      stmt_word_is(s, (size_t)(end - s), "RENAME") ||
	      stmt_word_is(s, (size_t)(end - s), "TRUNCATE")))
		return false;
	for (int words = 0; words < 3; words++) {
		/* the object kind, past "OR REPLACE" */
		s = next_word(s, end);
		if (!stmt_word_is(s, (size_t)(end - s), "OR") &&
		    !stmt_word_is(s, (size_t)(end - s), "REPLACE"))
			break;
	}
	return !(stmt_word_is(s, (size_t)(end - s), "USER") ||
	         stmt_word_is(s, (size_t)(end - s), "ROLE") ||
	         stmt_word_is(s, (size_t)(end - s), "SERVER"));
}

enum stmt_class stmt_classify(const char *q, size_t len)
{
	const char *end = q + len, *s = skip_blanks(q, end);
	size_t n = (size_t)(end - s);

	if (stmt_word_is(s, n, "BEGIN"))
		return STMT_BEGIN;
	if (stmt_word_is(s, n, "XA") || stmt_word_is(s, n, "SAVEPOINT"))
		return STMT_INSIDE;
	if (stmt_word_is(s, n, "ROLLBACK")) {
		const char *w = next_word(s, end);

		return stmt_word_is(w, (size_t)(end - w), "TO") ? STMT_INSIDE
		                                                : STMT_END;
	}
	if (stmt_word_is(s, n, "COMMIT"))
		return STMT_END;
	return is_ddl(s, end) ? STMT_DDL : STMT_OTHER;
}

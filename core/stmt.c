/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/stmt.c: statement classes for transaction boundaries and the
 * objects a DDL names (see stmt.h).  A small tokenizer: blanks and
 * comments are skipped (`/ * … * /`, `-- …`, `# …`), the body of an
 * executable comment (`/ *!50100 … * /`, `/ *M!100100 … * /`) is read as
 * statement text, identifiers are bare words or backquoted.
 */
#include "stmt.h"

#include <string.h>
#include <strings.h>

struct lex {
	const char *s, *end;
	int in_exec; /* inside an executable comment: its "* /" is a blank */
};

static bool ident_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

bool stmt_word_is(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);

	return len >= n && strncasecmp(s, w, n) == 0 &&
	       (len == n || !ident_byte((unsigned char)s[n]));
}

/* Skips blanks, '(' and comments. */
static void skip(struct lex *l)
{
	while (l->s < l->end) {
		const char *s = l->s;
		size_t n = (size_t)(l->end - s);

		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' ||
		    *s == '(') {
			l->s++;
		} else if (n >= 2 && s[0] == '*' && s[1] == '/' && l->in_exec) {
			l->in_exec--;
			l->s += 2;
		} else if (n >= 3 && s[0] == '/' && s[1] == '*' &&
		           (s[2] == '!' ||
		            (n >= 4 && s[2] == 'M' && s[3] == '!'))) {
			l->s += s[2] == '!' ? 3 : 4;
			while (l->s < l->end && *l->s >= '0' && *l->s <= '9')
				l->s++;
			l->in_exec++;
		} else if (n >= 2 && s[0] == '/' && s[1] == '*') {
			const char *e = l->s + 2;

			while (e + 1 < l->end && !(e[0] == '*' && e[1] == '/'))
				e++;
			l->s = e + 1 < l->end ? e + 2 : l->end;
		} else if (*s == '#' ||
		           (n >= 3 && s[0] == '-' && s[1] == '-' &&
		            (s[2] == ' ' || s[2] == '\t' || s[2] == '\n'))) {
			while (l->s < l->end && *l->s != '\n')
				l->s++;
		} else {
			break;
		}
	}
}

/* True (and past it) when the next word is w. */
static bool accept(struct lex *l, const char *w)
{
	skip(l);
	if (!stmt_word_is(l->s, (size_t)(l->end - l->s), w))
		return false;
	l->s += strlen(w);
	return true;
}

static bool accept_char(struct lex *l, char c)
{
	skip(l);
	if (l->s < l->end && *l->s == c) {
		l->s++;
		return true;
	}
	return false;
}

/* One identifier: a bare word or `quoted` (`` inside).  p/len point
 * into the text; a quoted one keeps its doubled backquotes (*quoted
 * set). */
static bool ident(struct lex *l, struct stmt_name *out)
{
	skip(l);
	if (l->s < l->end && *l->s == '`') {
		const char *b = ++l->s;

		while (l->s < l->end) {
			if (*l->s == '`') {
				if (l->s + 1 < l->end && l->s[1] == '`') {
					l->s += 2;
					continue;
				}
				break;
			}
			l->s++;
		}
		out->p = b;
		out->len = (size_t)(l->s - b);
		out->quoted = true;
		if (l->s < l->end)
			l->s++;
		return true;
	}
	out->p = l->s;
	while (l->s < l->end && ident_byte((unsigned char)*l->s))
		l->s++;
	out->len = (size_t)(l->s - out->p);
	out->quoted = false;
	return out->len > 0;
}

/* [db.]name, reported through fn. */
static bool name(struct lex *l, stmt_object_fn fn, void *ctx, bool is_db)
{
	struct stmt_name a, b;

	if (!ident(l, &a))
		return false;
	if (is_db) {
		fn(ctx, &a, NULL);
		return true;
	}
	if (l->s < l->end && *l->s == '.') {
		l->s++;
		if (!ident(l, &b))
			return false;
		fn(ctx, &a, &b);
	} else {
		fn(ctx, NULL, &a);
	}
	return true;
}

static bool is_ddl_word(struct lex *l)
{
	size_t n = (size_t)(l->end - l->s);

	return stmt_word_is(l->s, n, "CREATE") ||
	       stmt_word_is(l->s, n, "ALTER") ||
	       stmt_word_is(l->s, n, "DROP") ||
	       stmt_word_is(l->s, n, "RENAME") ||
	       stmt_word_is(l->s, n, "TRUNCATE");
}

/* Past CREATE/ALTER/DROP/RENAME/TRUNCATE and their modifiers: the
 * object kind. */
static void skip_modifiers(struct lex *l)
{
	static const char *const mods[] = {
	    "OR",        "REPLACE", "TEMPORARY", "ONLINE",    "OFFLINE",
	    "IGNORE",    "UNIQUE",  "FULLTEXT",  "SPATIAL",   "DEFINER",
	    "ALGORITHM", "SQL",     "SECURITY",  "AGGREGATE", NULL,
	};

	for (int guard = 0; guard < 16; guard++) {
		bool hit = false;

		skip(l);
		for (int i = 0; mods[i] && !hit; i++)
			hit = accept(l, mods[i]);
		if (!hit)
			return;
		/* DEFINER = user@host, ALGORITHM = x, SQL SECURITY y */
		if (accept_char(l, '=')) {
			struct stmt_name dummy;

			while (ident(l, &dummy) || accept_char(l, '@') ||
			       accept_char(l, '\'') || accept_char(l, '"'))
				;
		}
	}
}

enum stmt_class stmt_classify(const char *q, size_t len)
{
	struct lex l = {q, q + len, 0};
	size_t n;

	skip(&l);
	n = (size_t)(l.end - l.s);
	if (stmt_word_is(l.s, n, "BEGIN"))
		return STMT_BEGIN;
	if (stmt_word_is(l.s, n, "XA") || stmt_word_is(l.s, n, "SAVEPOINT"))
		return STMT_INSIDE;
	if (accept(&l, "ROLLBACK"))
		return accept(&l, "TO") ? STMT_INSIDE : STMT_END;
	if (stmt_word_is(l.s, n, "COMMIT"))
		return STMT_END;
	if (!is_ddl_word(&l))
		return STMT_OTHER;
	while (l.s < l.end && ident_byte((unsigned char)*l.s))
		l.s++;
	skip_modifiers(&l);
	n = (size_t)(l.end - l.s);
	return stmt_word_is(l.s, n, "USER") || stmt_word_is(l.s, n, "ROLE") ||
	               stmt_word_is(l.s, n, "SERVER")
	           ? STMT_OTHER
	           : STMT_DDL;
}

/* A list of names separated by commas (DROP TABLE a, b). */
static int name_list(struct lex *l, stmt_object_fn fn, void *ctx)
{
	int n = 0;

	do {
		if (!name(l, fn, ctx, false))
			break;
		n++;
	} while (accept_char(l, ','));
	return n;
}

int stmt_ddl_objects(const char *q, size_t len, stmt_object_fn fn, void *ctx)
{
	struct lex l = {q, q + len, 0};
	bool create, alter, drop, rename, truncate;
	int n = 0;

	skip(&l);
	create = accept(&l, "CREATE");
	alter = !create && accept(&l, "ALTER");
	drop = !create && !alter && accept(&l, "DROP");
	rename = !create && !alter && !drop && accept(&l, "RENAME");
	truncate =
	    !create && !alter && !drop && !rename && accept(&l, "TRUNCATE");
	if (!create && !alter && !drop && !rename && !truncate)
		return 0;
	skip_modifiers(&l);
	if (accept(&l, "DATABASE") || accept(&l, "SCHEMA")) {
		if (accept(&l, "IF")) {
			(void)accept(&l, "NOT");
			(void)accept(&l, "EXISTS");
		}
		return name(&l, fn, ctx, true) ? 1 : 0;
	}
	if (accept(&l, "INDEX")) { /* CREATE/DROP INDEX i ON t */
		struct stmt_name idx;

		if (accept(&l, "IF")) {
			(void)accept(&l, "NOT");
			(void)accept(&l, "EXISTS");
		}
		if (!ident(&l, &idx) || !accept(&l, "ON"))
			return 0;
		return name(&l, fn, ctx, false) ? 1 : 0;
	}
	if (!accept(&l, "TABLE") && !truncate)
		return 0; /* views, routines, triggers…: not named here */
	if (accept(&l, "IF")) {
		(void)accept(&l, "NOT");
		(void)accept(&l, "EXISTS");
	}
	if (rename) { /* RENAME TABLE a TO b, c TO d */
		do {
			if (!name(&l, fn, ctx, false) || !accept(&l, "TO") ||
			    !name(&l, fn, ctx, false))
				break;
			n += 2;
		} while (accept_char(&l, ','));
		return n;
	}
	if (drop || truncate)
		return name_list(&l, fn, ctx);
	if (!name(&l, fn, ctx, false))
		return 0;
	n = 1;
	/* CREATE TABLE a LIKE b; ALTER TABLE a … RENAME [TO|AS] b: scan
	 * the rest for these words outside quotes */
	while (l.s < l.end) {
		skip(&l);
		if (l.s >= l.end)
			break;
		if (*l.s == '\'' || *l.s == '"') {
			char qc = *l.s++;

			while (l.s < l.end && *l.s != qc)
				l.s += *l.s == '\\' && l.s + 1 < l.end ? 2 : 1;
			l.s += l.s < l.end;
			continue;
		}
		if ((create && accept(&l, "LIKE")) ||
		    (alter && accept(&l, "RENAME") && !accept(&l, "COLUMN") &&
		     !accept(&l, "INDEX") && !accept(&l, "KEY"))) {
			(void)(accept(&l, "TO") || accept(&l, "AS"));
			if (name(&l, fn, ctx, false))
				n++;
			continue;
		}
		if (ident_byte((unsigned char)*l.s) || *l.s == '`') {
			struct stmt_name dummy;

			(void)ident(&l, &dummy);
			continue;
		}
		l.s++;
	}
	return n;
}

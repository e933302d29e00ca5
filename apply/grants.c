/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/grants.c: SHOW GRANTS lines (see grants.h).  A line is
 * "GRANT privs ON object TO grantee [extras]": the privilege list is cut
 * at top-level commas (column lists in parentheses mark column grants,
 * skipped), the object is *.*, db.* (db a LIKE pattern) or db.table, in
 * backquotes, quotes or bare.  Routines, proxies and anything else are
 * skipped; "GRANT role TO user" (no ON) only marks that roles exist.
 * Nothing here is ever printed: the lines can carry password hashes.
 */
#include "grants.h"

#include "core/err.h"
#include "core/mem.h"
#include "core/sbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct grant {
	char *db;    /* NULL: every database; else a LIKE pattern */
	char *table; /* NULL: every table of db */
	bool all;    /* ALL [PRIVILEGES] */
	char *privs; /* "|SELECT|INSERT|REPLICATION SLAVE|", upper case */
};

void grants_init(struct grants *g)
{
	memset(g, 0, sizeof(*g));
}

void grants_deinit(struct grants *g)
{
	for (size_t i = 0; i < g->n; i++) {
		sl_free(g->v[i].db);
		sl_free(g->v[i].table);
		sl_free(g->v[i].privs);
	}
	sl_free(g->v);
	memset(g, 0, sizeof(*g));
}

/* Reads an identifier at *p: `quoted`, 'quoted', "quoted", * or bare.
 * *out is NULL for *, else owned.  1, 0 for a malformed name, or
 * SL_ENOMEM. */
static int grant_ident(const char **p, char **out)
{
	const char *s = *p;
	struct sbuf b;

	*out = NULL;
	if (*s == '*') {
		*p = s + 1;
		return 1;
	}
	sbuf_init(&b);
	if (*s == '`' || *s == '\'' || *s == '"') {
		char q = *s++;

		for (; *s; s++) {
			if (*s == q && s[1] == q) {
				sbuf_putc(&b, q);
				s++;
			} else if (*s == q) {
				break;
			} else {
				sbuf_putc(&b, *s);
			}
		}
		if (*s != q) {
			sbuf_deinit(&b);
			return 0;
		}
		s++;
	} else {
		while (*s && *s != '.' && *s != ' ')
			sbuf_putc(&b, *s++);
	}
	*p = s;
	if (!sbuf_ok(&b)) {
		sbuf_deinit(&b);
		return SL_ENOMEM;
	}
	if (b.len == 0) {
		sbuf_deinit(&b);
		return 0;
	}
	*out = sl_strndup(b.p, b.len);
	sbuf_deinit(&b);
	return *out != NULL ? 1 : SL_ENOMEM;
}

/* Parses one line; false on OOM only. */
static bool parse_line(struct grants *g, const char *line)
{
	const char *p, *on = NULL, *obj;
	struct grant gr;
	struct sbuf privs;
	int depth = 0, rc;
	char q = 0;

	if (strncasecmp(line, "GRANT ", 6) != 0)
		return true;
	p = line + 6;
	for (const char *s = p; *s; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '`' || *s == '\'' || *s == '"') {
			q = *s;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')') {
			depth--;
		} else if (depth == 0 && strncasecmp(s, " ON ", 4) == 0) {
			on = s;
			break;
		} else if (depth == 0 && strncasecmp(s, " TO ", 4) == 0) {
			break;
		}
	}
	if (on == NULL) { /* GRANT role TO user */
		g->roles = true;
		return true;
	}
	obj = on + 4;
	if (strncasecmp(obj, "TABLE ", 6) == 0)
		obj += 6;
	else if (strncasecmp(obj, "PROCEDURE ", 10) == 0 ||
	         strncasecmp(obj, "FUNCTION ", 9) == 0 ||
	         strncasecmp(obj, "PACKAGE ", 8) == 0)
		return true;
	memset(&gr, 0, sizeof(gr));
	if ((rc = grant_ident(&obj, &gr.db)) <= 0)
		return rc == 0; /* malformed: skip the line */
	if (*obj != '.') {      /* "ON *" or a proxy grant: not ours */
		sl_free(gr.db);
		return true;
	}
	obj++;
	if ((rc = grant_ident(&obj, &gr.table)) <= 0) {
		sl_free(gr.db);
		return rc == 0;
	}
	if (gr.db == NULL && gr.table != NULL) { /* "*.t" is not valid */
		sl_free(gr.table);
		return true;
	}

	/* the privilege list: top-level commas; column grants skipped */
	sbuf_init(&privs);
	sbuf_putc(&privs, '|');
	for (const char *s = p; s < on;) {
		const char *e = s;
		const char *a, *z;
		bool column = false;

		depth = 0;
		while (e < on && (depth > 0 || *e != ',')) {
			if (*e == '(') {
				depth++;
				column = true;
			} else if (*e == ')') {
				depth--;
			}
			e++;
		}
		for (a = s; a < e && *a == ' '; a++)
			;
		for (z = e; z > a && z[-1] == ' '; z--)
			;
		if (!column && z > a) {
			if ((size_t)(z - a) == 3 &&
			    strncasecmp(a, "ALL", 3) == 0)
				gr.all = true;
			else if ((size_t)(z - a) == 14 &&
			         strncasecmp(a, "ALL PRIVILEGES", 14) == 0)
				gr.all = true;
			for (const char *c = a; c < z; c++)
				sbuf_putc(&privs,
				          (char)toupper((unsigned char)*c));
			sbuf_putc(&privs, '|');
		}
		s = e < on ? e + 1 : e;
	}
	if (!sbuf_ok(&privs) ||
	    (gr.privs = sl_strndup(privs.p, privs.len)) == NULL) {
		sbuf_deinit(&privs);
		sl_free(gr.db);
		sl_free(gr.table);
		return false;
	}
	sbuf_deinit(&privs);
	{
		struct grant *v = sl_realloc(g->v, (g->n + 1) * sizeof(*v));

		if (v == NULL) {
			sl_free(gr.db);
			sl_free(gr.table);
			sl_free(gr.privs);
			return false;
		}
		g->v = v;
		g->v[g->n++] = gr;
	}
	return true;
}

/* MySQL's LIKE for database names in grants: % any run, _ one
 * character, \ quotes the next. */
static bool like(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (*pat == '%') {
			for (const char *t = s;; t++) {
				if (like(pat + 1, t))
					return true;
				if (*t == '\0')
					return false;
			}
		}
		if (*s == '\0')
			return false;
		if (*pat == '\\' && pat[1] != '\0')
			pat++;
		else if (*pat == '_')
			continue;
		if (*pat != *s)
			return false;
	}
	return *s == '\0';
}

/* Whether the grant names priv (one of "A|B" aliases). */
static bool grant_has(const struct grant *gr, const char *names)
{
	char one[64];

	if (gr->all)
		return true;
	for (const char *s = names; *s;) {
		const char *e = strchr(s, '|');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		snprintf(one, sizeof(one), "|%.*s|", (int)n, s);
		if (strstr(gr->privs, one) != NULL)
			return true;
		s += n + (e != NULL);
	}
	return false;
}

int grants_add_line(struct grants *g, const char *line)
{
	return parse_line(g, line) ? 0 : SL_ENOMEM;
}

bool grants_has(const struct grants *g, const char *priv, const char *db,
                const char *table)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct grant *gr = &g->v[i];

		if (!grant_has(gr, priv))
			continue;
		if (gr->db == NULL)
			return true;
		if (db == NULL)
			continue;
		if (gr->table == NULL && like(gr->db, db))
			return true;
		if (gr->table != NULL && table != NULL &&
		    strcmp(gr->db, db) == 0 &&
		    strcasecmp(gr->table, table) == 0)
			return true;
	}
	return false;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/precheck.c: the precheck items (see precheck.h and the
 * "Precheck" section of docs/user-guide.md, which must list every item
 * and fix written here).  Source items first, then target items, then
 * one or more items per selected table.  A check that cannot be made
 * because the server refused a query (a privilege, most often) is a
 * Warning naming the error; a lost connection fails it.  Queries are
 * few and per job, not per table: information_schema is read once per
 * server for all selected databases.
 */
#include "precheck.h"

#include "apply/grants.h"
#include "apply/schema.h"
#include "core/gtid.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/value.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DOC(anchor) "docs/user-guide.md#" anchor

/* Whether s holds w, ignoring ASCII case. */
static bool contains_ci(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

/* ---- report ---- */

void precheck_report_init(struct precheck_report *r)
{
	memset(r, 0, sizeof(*r));
}

void precheck_report_deinit(struct precheck_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		sl_free(r->v[i].text);
		sl_free(r->v[i].fix);
	}
	sl_free(r->v);
	memset(r, 0, sizeof(*r));
}

const char *precheck_status_name(enum precheck_status s)
{
	switch (s) {
	case PRECHECK_PASS: return "Pass";
	case PRECHECK_WARNING: return "Warning";
	default: return "Failed";
	}
}

void precheck_report_print(const struct precheck_report *r, FILE *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct precheck_item *it = &r->v[i];
		char tag[16];

		snprintf(tag, sizeof(tag), "[%s]",
		         precheck_status_name(it->status));
		fprintf(out, "%-10s%s%s%s\n", tag, it->text,
		        it->fix ? ": " : "", it->fix ? it->fix : "");
	}
	fprintf(out, "precheck: %zu passed, %zu warning%s, %zu failed\n",
	        r->n_pass, r->n_warning, r->n_warning == 1 ? "" : "s",
	        r->n_failed);
}

/* ---- one run ---- */

/* Rows of an information_schema query whose first two columns are the
 * schema and table, grouped per table; groups sorted by (db, name). */
struct tgroup {
	const char *db, *name;
	size_t row, n; /* rows [row, row + n) */
};

struct tres {
	bool ok; /* the query ran */
	struct target_rows r;
	struct tgroup *g;
	size_t n, cap;
};

struct run {
	const struct job_config *cfg;
	const struct precheck_env *env;
	struct precheck_report *rep;
	bool oom;
	/* source */
	bool src_up;
	bool mariadb;
	unsigned major, minor, patch;
	struct target_rows src_tables; /* db, table, engine */
	bool src_tables_ok;
	int src_tables_rc;
	unsigned src_tables_eno;
	char src_tables_err[SL_ERR_MSG_CAP];
	size_t *sel; /* rows of src_tables that are selected */
	size_t n_sel;
	struct tres src_cols, src_stats;
	/* the first reachable target */
	const struct precheck_server *tgt;
	bool tidb;
	struct tres tgt_cols, tgt_stats;
};

/* printf into a new string; NULL on OOM. */
static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || (s = sl_malloc((size_t)n + 1)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Appends an item (text formatted); NULL on OOM (noted in r->oom). */
__attribute__((format(printf, 4, 5))) static struct precheck_item *
add(struct run *r, enum precheck_status st, const char *id, const char *fmt,
    ...)
{
	struct precheck_report *rep = r->rep;
	struct precheck_item *it;
	va_list ap;
	char *text;

	if (rep->n == rep->cap) {
		size_t nc = rep->cap ? rep->cap * 2 : 32;
		struct precheck_item *v = sl_realloc(rep->v, nc * sizeof(*v));

		if (v == NULL) {
			r->oom = true;
			return NULL;
		}
		rep->v = v;
		rep->cap = nc;
	}
	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL) {
		r->oom = true;
		return NULL;
	}
	it = &rep->v[rep->n++];
	memset(it, 0, sizeof(*it));
	it->status = st;
	it->id = id;
	it->text = text;
	if (st == PRECHECK_PASS)
		rep->n_pass++;
	else if (st == PRECHECK_WARNING)
		rep->n_warning++;
	else
		rep->n_failed++;
	return it;
}

/* Sets the item's fix (formatted); it may be NULL (OOM before). */
__attribute__((format(printf, 3, 4))) static void
fix(struct run *r, struct precheck_item *it, const char *fmt, ...)
{
	va_list ap;

	if (it == NULL)
		return;
	va_start(ap, fmt);
	it->fix = vformat(fmt, ap);
	va_end(ap);
	if (it->fix == NULL)
		r->oom = true;
}

/* A server message on one line (tabs and newlines become spaces). */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

/* Runs sql; on failure copies the message into why (one line) and sets
 * *eno.  0 or the negative code. */
static int query(const struct precheck_server *s, const char *sql,
                 struct target_rows *out, unsigned *eno, char *why,
                 size_t why_len)
{
	struct sl_err err;
	unsigned e = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	sl_err_clear(&err);
	rc = s->query(s->ctx, sql, out, &e, &err);
	if (eno)
		*eno = rc ? e : 0;
	if (rc) {
		const char *m = err.msg[0] ? err.msg : sl_err_name(rc);
		size_t n = strlen(s->where), q = strlen(sql);

		/* The item names the server and the question already. */
		if (strncmp(m, s->where, n) == 0 &&
		    strncmp(m + n, ": ", 2) == 0)
			m += n + 2;
		if (strncmp(m, sql, q) == 0 && strncmp(m + q, ": ", 2) == 0)
			m += q + 2;
		memset(out, 0, sizeof(*out));
		if (why) {
			snprintf(why, why_len, "%s", m);
			one_line(why);
		}
	}
	return rc;
}

/* The server refused the statement (as opposed to the connection
 * failing): the check is skipped with a Warning, not a failure. */
static bool refused(int rc, unsigned eno)
{
	return rc != SL_ENOMEM && eno > 0 && eno < 2000;
}

/* SELECT @@name: *out owned (NULL when the variable does not exist or
 * is NULL).  0, or negative with why set. */
static int variable(const struct precheck_server *s, const char *name,
                    char **out, unsigned *eno, char *why, size_t why_len)
{
	struct target_rows rows;
	char sql[160];
	const char *v;
	int rc;

	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT @@%s", name);
	rc = query(s, sql, &rows, eno, why, why_len);
	if (rc)
		return *eno == 1193 ? 0 : rc; /* unknown variable */
	v = target_rows_get(&rows, 0, 0);
	if (v && (*out = sl_strndup(v, strlen(v))) == NULL)
		rc = SL_ENOMEM;
	target_rows_free(&rows);
	return rc;
}

/* The docs/user-guide.md section of an item. */
static const char *doc_of(const char *id)
{
	static const char *const map[][2] = {
	    {"source.version", DOC("source-version")},
	    {"source.log_bin", DOC("binary-logging")},
	    {"source.binlog_format", DOC("binlog-format")},
	    {"source.binlog_row_image", DOC("binlog-row-image")},
	    {"source.gtid_mode", DOC("gtid-mode")},
	    {"source.privileges", DOC("source-privileges")},
	    {"source.server_id", DOC("source-server-id")},
	    {"source.replica_id", DOC("source-server-id")},
	    {"source.start", DOC("start-position")},
	    {"target.flavour", DOC("target-flavour")},
	    {"target.privileges", DOC("target-privileges")},
	    {"target.meta", DOC("meta-database-privileges")},
	    {"objects.selection", DOC("selected-tables")},
	    {"table.exists", DOC("target-tables")},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], id) == 0)
			return map[i][1];
	return DOC("precheck");
}

/* An item for a query that failed: Warning when refused, else Failed. */
static void cannot_check(struct run *r, const char *id, const char *what,
                         int rc, unsigned eno, const char *why)
{
	struct precheck_item *it;

	if (rc == SL_ENOMEM) {
		r->oom = true;
		return;
	}
	it = add(r, refused(rc, eno) ? PRECHECK_WARNING : PRECHECK_FAILED, id,
	         "cannot check %s: %s", what, why);
	if (refused(rc, eno))
		fix(r, it,
		    "grant the user the privilege the server asks for, or "
		    "check this by hand (%s)",
		    doc_of(id));
	else
		fix(r, it, "check that the server is up and reachable (%s)",
		    doc_of(id));
}

/* ---- grants ---- */

/* SHOW GRANTS into g (initialized by the caller) and CURRENT_USER()
 * into user ("name@host").  0, or the failing query's code with *eno
 * and why set. */
static int grants_load(const struct precheck_server *s, struct grants *g,
                       char *user, size_t user_len, unsigned *eno, char *why,
                       size_t why_len)
{
	struct target_rows rows;
	const char *u;
	int rc;

	rc = query(s, "SELECT CURRENT_USER()", &rows, eno, why, why_len);
	if (rc)
		return rc;
	u = target_rows_get(&rows, 0, 0);
	snprintf(user, user_len, "%s", u ? u : "");
	target_rows_free(&rows);
	rc = query(s, "SHOW GRANTS", &rows, eno, why, why_len);
	if (rc)
		return rc;
	for (size_t i = 0; i < rows.n_rows; i++) {
		const char *line = target_rows_get(&rows, i, 0);

		if (line && grants_add_line(g, line) != 0) {
			target_rows_free(&rows);
			return SL_ENOMEM;
		}
	}
	target_rows_free(&rows);
	return 0;
}

/* 'name'@'host' for a GRANT statement, from CURRENT_USER()'s name@host. */
static void grantee(const char *user, char *out, size_t len)
{
	const char *at = strrchr(user, '@');

	if (at == NULL)
		snprintf(out, len, "'%s'", user);
	else
		snprintf(out, len, "'%.*s'@'%s'", (int)(at - user), user,
		         at + 1);
}

/* ---- tables ---- */

static int tgroup_cmp(const void *a, const void *b)
{
	const struct tgroup *x = a, *y = b;
	int c = strcmp(x->db, y->db);

	return c ? c : strcmp(x->name, y->name);
}

/* Groups t->r's rows by their first two columns; false on OOM. */
static bool tres_group(struct tres *t)
{
	for (size_t i = 0; i < t->r.n_rows; i++) {
		const char *db = target_rows_get(&t->r, i, 0);
		const char *name = target_rows_get(&t->r, i, 1);
		struct tgroup *last = t->n ? &t->g[t->n - 1] : NULL;

		if (db == NULL || name == NULL)
			continue;
		if (last && last->row + last->n == i &&
		    strcmp(last->db, db) == 0 &&
		    strcmp(last->name, name) == 0) {
			last->n++;
			continue;
		}
		if (t->n == t->cap || t->g == NULL) {
			size_t nc = t->cap ? 2 * t->cap : 16;
			struct tgroup *v = sl_realloc(t->g, nc * sizeof(*v));

			if (v == NULL)
				return false;
			t->g = v;
			t->cap = nc;
		}
		t->g[t->n++] = (struct tgroup){db, name, i, 1};
	}
	if (t->n > 1)
		qsort(t->g, t->n, sizeof(*t->g), tgroup_cmp);
	return true;
}

static void tres_free(struct tres *t)
{
	target_rows_free(&t->r);
	sl_free(t->g);
	memset(t, 0, sizeof(*t));
}

/* The rows of db.name: exact match, else a case-insensitive one (a
 * target with lower_case_table_names).  NULL when absent. */
static const struct tgroup *tres_find(const struct tres *t, const char *db,
                                      const char *name)
{
	struct tgroup key = {db, name, 0, 0};
	const struct tgroup *g;

	if (t->n == 0 || db == NULL || name == NULL)
		return NULL;
	g = bsearch(&key, t->g, t->n, sizeof(*t->g), tgroup_cmp);
	if (g)
		return g;
	for (size_t i = 0; i < t->n; i++)
		if (strcasecmp(t->g[i].db, db) == 0 &&
		    strcasecmp(t->g[i].name, name) == 0)
			return &t->g[i];
	return NULL;
}

bool precheck_table_selected(const struct job_config *cfg, const char *db,
                             const char *table)
{
	char name[520];
	bool in;

	if (!strcmp(db, "mysql") || !strcmp(db, "sys") ||
	    !strcmp(db, "information_schema") ||
	    !strcmp(db, "performance_schema") ||
	    !strcmp(db, cfg->meta_database))
		return false;
	snprintf(name, sizeof(name), "%s.%s", db, table);
	in = cfg->objects.n_include == 0;
	for (size_t i = 0; !in && i < cfg->objects.n_include; i++)
		in = fnmatch(cfg->objects.include[i], name, 0) == 0;
	for (size_t i = 0; in && i < cfg->objects.n_exclude; i++)
		in = fnmatch(cfg->objects.exclude[i], name, 0) != 0;
	return in;
}

static const char *sel_db(const struct run *r, size_t i)
{
	return target_rows_get(&r->src_tables, r->sel[i], 0);
}

static const char *sel_name(const struct run *r, size_t i)
{
	return target_rows_get(&r->src_tables, r->sel[i], 1);
}

/* " IN ('a','b')" of the selected databases (distinct; the selection is
 * sorted by database). */
static void sel_dbs_in(const struct run *r, struct sbuf *q)
{
	sbuf_puts(q, " IN (");
	for (size_t i = 0; i < r->n_sel; i++) {
		const char *db = sel_db(r, i);

		if (i > 0 && strcmp(sel_db(r, i - 1), db) == 0)
			continue;
		if (i > 0)
			sbuf_putc(q, ',');
		value_sql_string(q, db, strlen(db));
	}
	sbuf_putc(q, ')');
}

/* The source's user tables and the selection among them. */
static int load_src_tables(struct run *r)
{
	unsigned eno = 0;
	int rc;

	rc = query(&r->env->source,
	           "SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE FROM "
	           "information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
	           "AND TABLE_SCHEMA NOT IN ('mysql', 'sys', "
	           "'information_schema', 'performance_schema') "
	           "ORDER BY TABLE_SCHEMA, TABLE_NAME",
	           &r->src_tables, &eno, r->src_tables_err,
	           sizeof(r->src_tables_err));
	if (rc == SL_ENOMEM)
		return rc;
	r->src_tables_rc = rc;
	r->src_tables_eno = eno;
	if (rc)
		return 0;
	r->src_tables_ok = true;
	r->sel = sl_calloc(r->src_tables.n_rows + 1, sizeof(*r->sel));
	if (r->sel == NULL)
		return SL_ENOMEM;
	for (size_t i = 0; i < r->src_tables.n_rows; i++) {
		const char *db = target_rows_get(&r->src_tables, i, 0);
		const char *t = target_rows_get(&r->src_tables, i, 1);

		if (db && t && precheck_table_selected(r->cfg, db, t))
			r->sel[r->n_sel++] = i;
	}
	return 0;
}

/* COLUMNS and STATISTICS of the selected databases on s.  A failed
 * query leaves ok false and its message in why. */
static int load_schema(const struct run *r, const struct precheck_server *s,
                       struct tres *cols, struct tres *stats, unsigned *eno,
                       char *why, size_t why_len)
{
	struct sbuf q;
	int rc;

	sbuf_init(&q);
	sbuf_puts(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, "
	              "LOWER(DATA_TYPE), COLUMN_TYPE, IS_NULLABLE FROM "
	              "information_schema.COLUMNS WHERE TABLE_SCHEMA");
	sel_dbs_in(r, &q);
	sbuf_puts(&q, " ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION");
	if (!sbuf_ok(&q)) {
		rc = SL_ENOMEM;
		goto out;
	}
	rc = query(s, sbuf_cstr(&q), &cols->r, eno, why, why_len);
	if (rc)
		goto out;
	cols->ok = true;
	if (!tres_group(cols)) {
		rc = SL_ENOMEM;
		goto out;
	}
	sbuf_reset(&q);
	sbuf_puts(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, "
	              "COLUMN_NAME, NON_UNIQUE, UPPER(INDEX_TYPE) FROM "
	              "information_schema.STATISTICS WHERE TABLE_SCHEMA");
	sel_dbs_in(r, &q);
	sbuf_puts(&q, " ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, "
	              "SEQ_IN_INDEX");
	if (!sbuf_ok(&q)) {
		rc = SL_ENOMEM;
		goto out;
	}
	rc = query(s, sbuf_cstr(&q), &stats->r, eno, why, why_len);
	if (rc)
		goto out;
	stats->ok = true;
	if (!tres_group(stats))
		rc = SL_ENOMEM;
out:
	sbuf_deinit(&q);
	return rc;
}

/* Whether the table has a primary key or a unique key whose columns are
 * all NOT NULL (the routing key of apply/schema.h). */
static bool has_key(const struct tres *cols, const struct tres *stats,
                    const char *db, const char *name)
{
	const struct tgroup *sg = tres_find(stats, db, name);
	const struct tgroup *cg = tres_find(cols, db, name);

	if (sg == NULL)
		return false;
	for (size_t i = sg->row; i < sg->row + sg->n;) {
		const char *idx = target_rows_get(&stats->r, i, 2);
		const char *nu = target_rows_get(&stats->r, i, 4);
		bool unique = nu && strcmp(nu, "0") == 0, not_null = true;
		size_t j = i;

		if (idx == NULL)
			return false;
		while (j < sg->row + sg->n &&
		       target_rows_get(&stats->r, j, 2) &&
		       strcmp(target_rows_get(&stats->r, j, 2), idx) == 0) {
			const char *col = target_rows_get(&stats->r, j, 3);
			bool found = false;

			for (size_t k = cg ? cg->row : 0;
			     cg && col && k < cg->row + cg->n; k++) {
				const char *cn =
				    target_rows_get(&cols->r, k, 2);
				const char *nl =
				    target_rows_get(&cols->r, k, 5);

				if (cn && strcasecmp(cn, col) == 0) {
					found = true;
					if (nl && strcmp(nl, "NO") != 0)
						not_null = false;
				}
			}
			if (!found)
				not_null = false;
			j++;
		}
		if (unique && (strcmp(idx, "PRIMARY") == 0 || not_null))
			return true;
		i = j;
	}
	return false;
}

/* ---- source items ---- */

static void parse_version(struct run *r, const char *v)
{
	unsigned a = 0, b = 0, c = 0;

	(void)sscanf(v, "%u.%u.%u", &a, &b, &c);
	r->major = a;
	r->minor = b;
	r->patch = c;
}

static bool version_at_least(const struct run *r, unsigned a, unsigned b,
                             unsigned c)
{
	if (r->major != a)
		return r->major > a;
	if (r->minor != b)
		return r->minor > b;
	return r->patch >= c;
}

static int check_source_version(struct run *r)
{
	const struct precheck_server *s = &r->env->source;
	char why[SL_ERR_MSG_CAP], platform[96] = "";
	char *ver = NULL, *aurora = NULL, *basedir = NULL;
	struct precheck_item *it;
	unsigned eno = 0;
	int rc;

	rc = variable(s, "version", &ver, &eno, why, sizeof(why));
	if (rc == 0 && ver == NULL)
		rc = SL_EPROTO;
	if (rc) {
		sl_free(ver);
		if (rc == SL_EPROTO)
			snprintf(why, sizeof(why), "@@version is NULL");
		cannot_check(r, "source.version", "the source's version", rc,
		             eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	r->mariadb = contains_ci(ver, "mariadb");
	parse_version(r, ver);
	/* Platforms, where they show: Aurora has @@aurora_version, RDS
	 * installs under /rdsdbbin, Cloud SQL versions end in -google. */
	if (!r->mariadb &&
	    variable(s, "aurora_version", &aurora, &eno, why, sizeof(why)) ==
	        0 &&
	    aurora != NULL)
		snprintf(platform, sizeof(platform),
		         " (Amazon Aurora MySQL %s)", aurora);
	else if (variable(s, "basedir", &basedir, &eno, why, sizeof(why)) ==
	             0 &&
	         basedir != NULL && strstr(basedir, "rdsdbbin") != NULL)
		snprintf(platform, sizeof(platform), " (Amazon RDS)");
	else if (strstr(ver, "google") != NULL)
		snprintf(platform, sizeof(platform), " (Google Cloud SQL)");
	sl_free(aurora);
	sl_free(basedir);

	if (r->mariadb && r->major < 10) {
		it = add(r, PRECHECK_FAILED, "source.version",
		         "source is MariaDB %s%s", ver, platform);
		fix(r, it,
		    "sluice reads MariaDB 10.0 and later: upgrade the "
		    "source (" DOC("source-version") ")");
	} else if (!r->mariadb && !version_at_least(r, 5, 6, 0)) {
		it = add(r, PRECHECK_FAILED, "source.version",
		         "source is MySQL %s%s", ver, platform);
		fix(r, it,
		    "sluice reads MySQL 5.6 to 8.x: upgrade the source "
		    "(" DOC("source-version") ")");
	} else if (!r->mariadb && r->major > 8) {
		it = add(r, PRECHECK_WARNING, "source.version",
		         "source is MySQL %s%s", ver, platform);
		fix(r, it,
		    "sluice is tested with MySQL 5.6 to 8.x; newer binlog "
		    "features may not be read (" DOC("source-version") ")");
	} else {
		add(r, PRECHECK_PASS, "source.version", "source is %s %s%s",
		    r->mariadb ? "MariaDB" : "MySQL", ver, platform);
	}
	sl_free(ver);
	return 0;
}

/* One variable that must have one of the wanted values (case-insensitive,
 * "|"-separated); shown as name and value. */
static int check_var(struct run *r, const char *id, const char *var,
                     const char *shown, const char *want, const char *fixtext)
{
	char why[SL_ERR_MSG_CAP], one[64];
	struct precheck_item *it;
	const char *shown_v;
	char *v = NULL;
	unsigned eno = 0;
	bool ok = false;
	int rc;

	rc = variable(&r->env->source, var, &v, &eno, why, sizeof(why));
	if (rc) {
		cannot_check(r, id, shown, rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	if (v == NULL) {
		it = add(r, PRECHECK_WARNING, id,
		         "%s does not exist on this source", shown);
		fix(r, it, "%s", fixtext);
		return 0;
	}
	for (const char *s = want; *s;) {
		const char *e = strchr(s, '|');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		snprintf(one, sizeof(one), "%.*s", (int)n, s);
		if (strcasecmp(v, one) == 0)
			ok = true;
		s += n + (e != NULL);
	}
	/* log_bin reads 1/0 */
	shown_v = strcmp(v, "1") == 0 ? "ON" : strcmp(v, "0") == 0 ? "OFF" : v;
	if (ok) {
		add(r, PRECHECK_PASS, id, "%s is %s", shown, shown_v);
	} else {
		it = add(r, PRECHECK_FAILED, id, "%s is %s", shown, shown_v);
		fix(r, it, "%s", fixtext);
	}
	sl_free(v);
	return 0;
}

static int check_log_bin(struct run *r)
{
	return check_var(r, "source.log_bin", "log_bin", "log_bin", "1|ON",
	                 "turn binary logging on: log_bin in the server's "
	                 "configuration (RDS/Aurora: automated backups on) "
	                 "(" DOC("binary-logging") ")");
}

static int check_binlog_format(struct run *r)
{
	return check_var(r, "source.binlog_format", "global.binlog_format",
	                 "binlog_format", "ROW",
	                 "set binlog_format=ROW on the source "
	                 "(" DOC("binlog-format") ")");
}

static int check_row_image(struct run *r)
{
	return check_var(r, "source.binlog_row_image",
	                 "global.binlog_row_image", "binlog_row_image", "FULL",
	                 "set binlog_row_image=FULL on the source "
	                 "(" DOC("binlog-row-image") ")");
}

static int check_gtid_mode(struct run *r)
{
	bool gtid_start = r->cfg->start.mode == CONFIG_START_GTID;
	char why[SL_ERR_MSG_CAP];
	struct precheck_item *it;
	char *v = NULL;
	unsigned eno = 0;
	int rc;

	if (r->mariadb) {
		add(r, PRECHECK_PASS, "source.gtid_mode",
		    "GTIDs: MariaDB always writes them");
		return 0;
	}
	rc = variable(&r->env->source, "global.gtid_mode", &v, &eno, why,
	              sizeof(why));
	if (rc) {
		cannot_check(r, "source.gtid_mode", "gtid_mode", rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	if (v != NULL && strcasecmp(v, "ON") == 0)
		add(r, PRECHECK_PASS, "source.gtid_mode", "gtid_mode is ON");
	else if (!gtid_start)
		add(r, PRECHECK_PASS, "source.gtid_mode",
		    "gtid_mode is %s (not needed: start.mode is %s)",
		    v ? v : "absent",
		    config_start_mode_name(r->cfg->start.mode));
	else {
		it = add(r, PRECHECK_FAILED, "source.gtid_mode",
		         "gtid_mode is %s but start.mode is gtid",
		         v ? v : "absent");
		fix(r, it,
		    "enable GTIDs on the source (gtid_mode=ON, "
		    "enforce_gtid_consistency=ON; RDS/Aurora: parameter group, "
		    "Cloud SQL: flags, self-hosted: my.cnf) or start from a "
		    "position (" DOC("enabling-gtid") ")");
	}
	sl_free(v);
	return 0;
}

static int check_source_privileges(struct run *r)
{
	const struct precheck_server *s = &r->env->source;
	const char *client = r->mariadb && version_at_least(r, 10, 5, 2)
	                         ? "BINLOG MONITOR"
	                         : "REPLICATION CLIENT";
	char why[SL_ERR_MSG_CAP], who[300], first_db[200] = "";
	struct precheck_item *it;
	struct grants g;
	char user[300];
	struct sbuf miss, grant;
	unsigned eno = 0, n_db_miss = 0;
	const char *last_db = NULL;
	bool need_slave, need_client;
	int rc;

	grants_init(&g);
	rc = grants_load(s, &g, user, sizeof(user), &eno, why, sizeof(why));
	if (rc) {
		grants_deinit(&g);
		cannot_check(r, "source.privileges",
		             "the source user's privileges", rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	grantee(user, who, sizeof(who));
	sbuf_init(&miss);
	sbuf_init(&grant);
	need_slave = !grants_has(&g, "REPLICATION SLAVE|REPLICATION REPLICA",
	                         NULL, NULL);
	need_client = !grants_has(&g, "REPLICATION CLIENT|BINLOG MONITOR|SUPER",
	                          NULL, NULL);
	if (need_slave || need_client) {
		sbuf_printf(&grant, "GRANT %s%s%s ON *.* TO %s",
		            need_slave ? "REPLICATION SLAVE" : "",
		            need_slave && need_client ? ", " : "",
		            need_client ? client : "", who);
		sbuf_printf(&miss, "%s%s%s",
		            need_slave ? "REPLICATION SLAVE" : "",
		            need_slave && need_client ? ", " : "",
		            need_client ? client : "");
	}
	/* SELECT on every selected table (global, database or table);
	 * the selection is sorted by database, so each is named once. */
	for (size_t i = 0; i < r->n_sel; i++) {
		const char *db = sel_db(r, i);

		if (grants_has(&g, "SELECT", db, sel_name(r, i)) ||
		    (last_db && strcmp(last_db, db) == 0))
			continue;
		if (n_db_miss++ == 0) {
			sbuf_printf(&miss, "%sSELECT on `%s`",
			            miss.len ? ", " : "", db);
			snprintf(first_db, sizeof(first_db), "%s", db);
		} else {
			sbuf_printf(&miss, ", `%s`", db);
		}
		last_db = db;
	}
	if (miss.len == 0) {
		add(r, PRECHECK_PASS, "source.privileges",
		    "source user %s has REPLICATION SLAVE, %s and SELECT", user,
		    client);
	} else {
		if (n_db_miss)
			sbuf_printf(&grant, "%sGRANT SELECT ON `%s`.* TO %s%s",
			            grant.len ? "; " : "", first_db, who,
			            n_db_miss > 1
			                ? " (and the same for the other "
			                  "databases)"
			                : "");
		/* Privileges that come through a role may not show in SHOW
		 * GRANTS (MySQL): we cannot be sure, so only warn. */
		it = add(r, g.roles ? PRECHECK_WARNING : PRECHECK_FAILED,
		         "source.privileges", "source user %s lacks %s%s", user,
		         sbuf_cstr(&miss),
		         g.roles ? " (unless a role grants it)" : "");
		fix(r, it,
		    "run %s on the source (" DOC("source-privileges") ")",
		    sbuf_cstr(&grant));
	}
	if (!sbuf_ok(&miss) || !sbuf_ok(&grant))
		r->oom = true;
	sbuf_deinit(&miss);
	sbuf_deinit(&grant);
	grants_deinit(&g);
	return 0;
}

static int check_server_id(struct run *r)
{
	const struct precheck_server *s = &r->env->source;
	uint32_t mine = r->env->replica_server_id;
	bool chosen = r->cfg->source.server_id == 0;
	char why[SL_ERR_MSG_CAP];
	struct precheck_item *it;
	struct target_rows rows;
	char *v = NULL;
	unsigned long long id;
	const char *sql;
	unsigned eno = 0;
	int rc;

	rc = variable(s, "server_id", &v, &eno, why, sizeof(why));
	if (rc) {
		cannot_check(r, "source.server_id", "server_id", rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	id = v ? strtoull(v, NULL, 10) : 0;
	sl_free(v);
	if (id == 0) {
		it = add(r, PRECHECK_FAILED, "source.server_id",
		         "source server_id is 0");
		fix(r, it,
		    "give the source a unique non-zero server_id "
		    "(" DOC("source-server-id") ")");
	} else {
		add(r, PRECHECK_PASS, "source.server_id",
		    "source server_id is %llu", id);
	}
	if (id == mine) {
		it = add(r, PRECHECK_FAILED, "source.replica_id",
		         "%s %u is the source's own server_id",
		         chosen ? "sluice's default server id"
		                : "source.server-id",
		         mine);
		fix(r, it,
		    "set source.server-id in the job to a value no server "
		    "of the topology uses (" DOC("source-server-id") ")");
		return 0;
	}
	/* MySQL 8.0.22+ renamed the statement; MariaDB keeps the old one. */
	sql = !r->mariadb && version_at_least(r, 8, 0, 22) ? "SHOW REPLICAS"
	                                                   : "SHOW SLAVE HOSTS";
	rc = query(s, sql, &rows, &eno, why, sizeof(why));
	if (rc) {
		if (rc == SL_ENOMEM)
			return rc;
		it = add(
		    r, refused(rc, eno) ? PRECHECK_WARNING : PRECHECK_FAILED,
		    "source.replica_id",
		    "cannot list the source's replicas (%s): %s", sql, why);
		fix(r, it,
		    "make sure no other replica uses server id %u%s, or grant "
		    "%s to check it (" DOC("source-server-id") ")",
		    mine,
		    chosen ? " (sluice's default; set source.server-id)" : "",
		    r->mariadb ? "REPLICATION MASTER ADMIN"
		               : "REPLICATION SLAVE");
		return 0;
	}
	for (size_t i = 0; i < rows.n_rows; i++) {
		const char *sid = target_rows_get(&rows, i, 0);
		const char *host = target_rows_get(&rows, i, 1);

		if (sid && strtoull(sid, NULL, 10) == mine) {
			/* a warning: after a crash the job's own previous
			 * connection is still listed for a while (the source
			 * drops it when the job registers again) */
			it = add(r, PRECHECK_WARNING, "source.replica_id",
			         "%s %u is already used by a replica of the "
			         "source (host %s; if that is this job's "
			         "previous connection, the source drops it "
			         "when the job registers again)",
			         chosen ? "sluice's default server id"
			                : "source.server-id",
			         mine, host && host[0] ? host : "not reported");
			fix(r, it,
			    "set source.server-id in the job to an unused "
			    "value "
			    "(" DOC("source-server-id") ")");
			target_rows_free(&rows);
			return 0;
		}
	}
	add(r, PRECHECK_PASS, "source.replica_id",
	    "server id %u is free (the source lists %zu replica%s)", mine,
	    rows.n_rows, rows.n_rows == 1 ? "" : "s");
	target_rows_free(&rows);
	return 0;
}

/* GTID sets of the flavour of the source from text; NULL on error (why
 * set). */
static struct gtid_set *gtid_text(const struct run *r, const char *text,
                                  char *why, size_t why_len)
{
	struct gtid_set *s =
	    gtid_set_new(r->mariadb ? GTID_MARIADB : GTID_MYSQL);
	struct sl_err err;

	sl_err_clear(&err);
	if (s == NULL) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	if (gtid_set_parse(s, text, strlen(text), &err) != 0) {
		snprintf(why, why_len, "%s", err.msg);
		gtid_set_free(s);
		return NULL;
	}
	return s;
}

/* Text of a - b (canonical), at most ~200 characters. */
static void gtid_diff_text(const struct gtid_set *a, const struct gtid_set *b,
                           char *out, size_t len)
{
	struct gtid_set *d = gtid_set_dup(a);
	struct sbuf t;

	snprintf(out, len, "?");
	if (d == NULL || gtid_set_subtract(d, b, NULL) != 0) {
		gtid_set_free(d);
		return;
	}
	sbuf_init(&t);
	gtid_set_format(d, &t);
	if (sbuf_ok(&t))
		snprintf(out, len, "%.200s%s", sbuf_cstr(&t),
		         t.len > 200 ? "..." : "");
	sbuf_deinit(&t);
	gtid_set_free(d);
}

/* SHOW BINARY LOGS: rows of (Log_name, File_size).  Item on failure. */
static int binary_logs(struct run *r, struct target_rows *rows)
{
	char why[SL_ERR_MSG_CAP];
	unsigned eno = 0;
	int rc;

	rc = query(&r->env->source, "SHOW BINARY LOGS", rows, &eno, why,
	           sizeof(why));
	if (rc)
		cannot_check(r, "source.start", "the start position", rc, eno,
		             why);
	return rc;
}

/* MariaDB: the GTID_LIST at the head of the oldest binlog: the last
 * GTID of each domain before it, i.e. what is purged. *out NULL when it
 * cannot be read (an item says why). */
static int mariadb_purged(struct run *r, const char *oldest,
                          struct gtid_set **out)
{
	char why[SL_ERR_MSG_CAP];
	struct target_rows ev;
	struct sbuf q;
	bool seen = false;
	unsigned eno = 0;
	int rc;

	*out = NULL;
	sbuf_init(&q);
	sbuf_puts(&q, "SHOW BINLOG EVENTS IN ");
	value_sql_string(&q, oldest, strlen(oldest));
	sbuf_puts(&q, " LIMIT 4");
	if (!sbuf_ok(&q)) {
		sbuf_deinit(&q);
		return SL_ENOMEM;
	}
	rc = query(&r->env->source, sbuf_cstr(&q), &ev, &eno, why, sizeof(why));
	sbuf_deinit(&q);
	if (rc) {
		cannot_check(r, "source.start",
		             "the oldest binlog's GTID list (what is purged)",
		             rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	for (size_t i = 0; i < ev.n_rows && !seen; i++) {
		const char *type = target_rows_get(&ev, i, 2);
		const char *info = target_rows_get(&ev, i, 5);
		char list[4096];
		size_t n;

		if (!type || !info || strcmp(type, "Gtid_list") != 0)
			continue;
		seen = true;
		/* Info is "[0-1-9,5-1-1]" */
		n = strlen(info);
		if (n >= 2 && info[0] == '[' && info[n - 1] == ']')
			snprintf(list, sizeof(list), "%.*s", (int)(n - 2),
			         info + 1);
		else
			snprintf(list, sizeof(list), "%s", info);
		*out = gtid_text(r, list, why, sizeof(why));
		if (*out == NULL)
			add(r, PRECHECK_WARNING, "source.start",
			    "cannot read the GTID list of %s: %s", oldest, why);
	}
	target_rows_free(&ev);
	/* No GTID_LIST event (MariaDB 5.5): nothing is known purged. */
	if (!seen && (*out = gtid_set_new(GTID_MARIADB)) == NULL)
		return SL_ENOMEM;
	return 0;
}

static int check_start_gtid(struct run *r)
{
	const struct gtid_set *start = r->cfg->start.gtid_set;
	struct gtid_set *purged = NULL, *executed = NULL;
	char why[SL_ERR_MSG_CAP], diff[256];
	enum gtid_flavour want = r->mariadb ? GTID_MARIADB : GTID_MYSQL;
	struct precheck_item *it;
	char *v = NULL;
	unsigned eno = 0;
	int rc = 0;

	if (start == NULL)
		return 0;
	if (!gtid_set_is_empty(start) && gtid_set_flavour(start) != want) {
		it = add(r, PRECHECK_FAILED, "source.start",
		         "start.gtid is a %s GTID set but the source is %s",
		         want == GTID_MARIADB ? "MySQL" : "MariaDB",
		         r->mariadb ? "MariaDB" : "MySQL");
		fix(r, it,
		    "give start.gtid in the source's form (`sluice position` "
		    "prints it) (" DOC("start-position") ")");
		return 0;
	}
	/* What the source has executed, then what it no longer has. */
	rc = variable(&r->env->source,
	              r->mariadb ? "global.gtid_binlog_state"
	                         : "global.gtid_executed",
	              &v, &eno, why, sizeof(why));
	if (rc) {
		cannot_check(r, "source.start", "the source's GTID set", rc,
		             eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	if (v == NULL) {
		add(r, PRECHECK_WARNING, "source.start",
		    "cannot check start.gtid: the source has no %s",
		    r->mariadb ? "gtid_binlog_state" : "gtid_executed");
		return 0;
	}
	executed = gtid_text(r, v, why, sizeof(why));
	sl_free(v);
	v = NULL;
	if (executed == NULL) {
		add(r, PRECHECK_WARNING, "source.start",
		    "cannot read the source's GTID set: %s", why);
		return 0;
	}
	if (r->mariadb) {
		struct target_rows logs;

		if (binary_logs(r, &logs) != 0)
			goto out;
		if (logs.n_rows > 0)
			rc = mariadb_purged(r, target_rows_get(&logs, 0, 0),
			                    &purged);
		target_rows_free(&logs);
		if (rc || purged == NULL)
			goto out;
	} else {
		rc = variable(&r->env->source, "global.gtid_purged", &v, &eno,
		              why, sizeof(why));
		if (rc) {
			cannot_check(r, "source.start", "gtid_purged", rc, eno,
			             why);
			goto out;
		}
		purged = gtid_text(r, v ? v : "", why, sizeof(why));
		sl_free(v);
		if (purged == NULL) {
			add(r, PRECHECK_WARNING, "source.start",
			    "cannot read gtid_purged: %s", why);
			goto out;
		}
	}
	if (!gtid_set_is_subset(purged, start)) {
		gtid_diff_text(purged, start, diff, sizeof(diff));
		if (r->mariadb)
			it =
			    add(r, PRECHECK_FAILED, "source.start",
			        "transactions after start.gtid are purged: the "
			        "oldest binlog starts after %s",
			        diff);
		else
			it = add(r, PRECHECK_FAILED, "source.start",
			         "transactions after start.gtid are purged: "
			         "gtid_purged holds %s, which start.gtid lacks",
			         diff);
		fix(r, it,
		    "start from a GTID set that includes them (copy the data "
		    "again first) or keep binlogs longer "
		    "(" DOC("start-position") ")");
	} else if (!gtid_set_is_subset(start, executed)) {
		gtid_diff_text(start, executed, diff, sizeof(diff));
		it = add(r, PRECHECK_FAILED, "source.start",
		         "start.gtid holds transactions the source never wrote "
		         "(%s)",
		         diff);
		fix(r, it,
		    "take start.gtid from this source (`sluice position`) "
		    "(" DOC("start-position") ")");
	} else {
		add(r, PRECHECK_PASS, "source.start",
		    "start.gtid is within the source's binlogs (nothing after "
		    "it is purged)");
	}
out:
	gtid_set_free(purged);
	gtid_set_free(executed);
	return rc == SL_ENOMEM ? rc : 0;
}

static int check_start_position(struct run *r)
{
	const char *file = r->cfg->start.file;
	uint64_t pos = r->cfg->start.position;
	char why[SL_ERR_MSG_CAP];
	struct precheck_item *it;
	struct target_rows logs, ev;
	const char *first, *last;
	unsigned long long size = 0;
	bool found = false;
	struct sbuf q;
	unsigned eno = 0;
	int rc;

	if (binary_logs(r, &logs) != 0)
		return 0;
	for (size_t i = 0; i < logs.n_rows; i++)
		if (strcmp(target_rows_get(&logs, i, 0), file) == 0) {
			const char *sz = target_rows_get(&logs, i, 1);

			size = sz ? strtoull(sz, NULL, 10) : 0;
			found = true;
		}
	first = logs.n_rows ? target_rows_get(&logs, 0, 0) : "";
	last = logs.n_rows ? target_rows_get(&logs, logs.n_rows - 1, 0) : "";
	if (!found) {
		/* Names sort by their number: same base, fixed width. */
		bool older = logs.n_rows && strcmp(file, first) < 0;

		it = add(r, PRECHECK_FAILED, "source.start",
		         "start.file %s is not on the source (%s %s to %s)%s",
		         file, logs.n_rows ? "binlogs are" : "no binlogs",
		         first, last, older ? ": it was purged" : "");
		fix(r, it,
		    "start from a file the source still has (SHOW BINARY LOGS "
		    "or `sluice position`) (" DOC("start-position") ")");
		target_rows_free(&logs);
		return 0;
	}
	target_rows_free(&logs);
	if (pos > size) {
		it = add(r, PRECHECK_FAILED, "source.start",
		         "start.position %llu is past the end of %s (%llu "
		         "bytes)",
		         (unsigned long long)pos, file, size);
		fix(r, it,
		    "give the position of an event in %s (" DOC(
		        "start-position") ")",
		    file);
		return 0;
	}
	/* An event must start there: the server checks it for us. */
	sbuf_init(&q);
	sbuf_puts(&q, "SHOW BINLOG EVENTS IN ");
	value_sql_string(&q, file, strlen(file));
	sbuf_printf(&q, " FROM %llu LIMIT 1", (unsigned long long)pos);
	if (!sbuf_ok(&q)) {
		sbuf_deinit(&q);
		return SL_ENOMEM;
	}
	rc = query(&r->env->source, sbuf_cstr(&q), &ev, &eno, why, sizeof(why));
	sbuf_deinit(&q);
	if (rc == 0) {
		target_rows_free(&ev);
		add(r, PRECHECK_PASS, "source.start",
		    "start %s:%llu is an event in the source's binlogs", file,
		    (unsigned long long)pos);
	} else if (eno == 1220) {
		it = add(r, PRECHECK_FAILED, "source.start",
		         "start.position %llu is not the start of an event in "
		         "%s",
		         (unsigned long long)pos, file);
		fix(r, it,
		    "take the position from SHOW MASTER STATUS, `sluice "
		    "position` or an event's end_log_pos (" DOC(
		        "start-position") ")");
	} else if (refused(rc, eno)) {
		add(r, PRECHECK_PASS, "source.start",
		    "start %s:%llu is within the source's binlogs (%llu bytes; "
		    "event boundary not checked: %s)",
		    file, (unsigned long long)pos, size, why);
	} else {
		cannot_check(r, "source.start", "the start position", rc, eno,
		             why);
	}
	return rc == SL_ENOMEM ? rc : 0;
}

static int check_start(struct run *r)
{
	switch (r->cfg->start.mode) {
	case CONFIG_START_GTID: return check_start_gtid(r);
	case CONFIG_START_POSITION: return check_start_position(r);
	default:
		add(r, PRECHECK_PASS, "source.start",
		    "start.mode is now: the job starts at the source's "
		    "position when it first runs");
		return 0;
	}
}

/* ---- target items ---- */

static int check_target_flavour(struct run *r, const struct precheck_server *t,
                                bool *tidb)
{
	char why[SL_ERR_MSG_CAP], ver[160] = "?";
	struct target_rows rows;
	unsigned eno = 0;
	int rc;

	*tidb = false;
	rc = query(t, "SELECT VERSION()", &rows, &eno, why, sizeof(why));
	if (rc) {
		cannot_check(r, "target.flavour", "the target's version", rc,
		             eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	if (target_rows_get(&rows, 0, 0))
		snprintf(ver, sizeof(ver), "%s", target_rows_get(&rows, 0, 0));
	target_rows_free(&rows);
	/* TiDB answers tidb_version() (first line "Release Version: vX");
	 * MySQL and MariaDB have no such function (error 1305). */
	rc = query(t, "SELECT tidb_version()", &rows, &eno, why, sizeof(why));
	if (rc == 0) {
		const char *tv = target_rows_get(&rows, 0, 0);
		const char *rel = tv ? strstr(tv, "Release Version: ") : NULL;

		*tidb = true;
		if (rel)
			add(r, PRECHECK_PASS, "target.flavour",
			    "target %s is TiDB %.*s", t->where,
			    (int)strcspn(rel + 17, "\r\n"), rel + 17);
		else
			add(r, PRECHECK_PASS, "target.flavour",
			    "target %s is TiDB (%s)", t->where, ver);
		target_rows_free(&rows);
	} else if (rc == SL_ENOMEM) {
		return rc;
	} else {
		add(r, PRECHECK_PASS, "target.flavour",
		    "target %s is %s %s (not TiDB: TiDB-only checks skipped)",
		    t->where, contains_ci(ver, "mariadb") ? "MariaDB" : "MySQL",
		    ver);
	}
	return 0;
}

static int check_target_privileges(struct run *r)
{
	static const char *const dml[] = {"INSERT", "UPDATE", "DELETE"};
	static const char *const ddl[] = {"CREATE", "ALTER", "DROP", "INDEX"};
	static const char *const meta[] = {"CREATE", "SELECT", "INSERT",
	                                   "UPDATE", "DELETE"};
	const char *mdb = r->cfg->meta_database;
	char why[SL_ERR_MSG_CAP], who[300], first_db[200] = "";
	struct precheck_item *it;
	struct grants g;
	char user[300];
	struct sbuf miss, dbs, ddl_miss;
	unsigned eno = 0;
	int rc;

	grants_init(&g);
	rc =
	    grants_load(r->tgt, &g, user, sizeof(user), &eno, why, sizeof(why));
	if (rc) {
		grants_deinit(&g);
		cannot_check(r, "target.privileges",
		             "the target user's privileges", rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	grantee(user, who, sizeof(who));
	sbuf_init(&miss);
	sbuf_init(&dbs);
	sbuf_init(&ddl_miss);
	/* Data: INSERT, UPDATE, DELETE on each selected table. */
	for (size_t k = 0; k < 3; k++) {
		bool lacks = false;

		for (size_t i = 0; i < r->n_sel && !lacks; i++)
			lacks = !grants_has(&g, dml[k], sel_db(r, i),
			                    sel_name(r, i));
		if (lacks)
			sbuf_printf(&miss, "%s%s", miss.len ? ", " : "",
			            dml[k]);
	}
	for (size_t i = 0; i < r->n_sel; i++) {
		const char *db = sel_db(r, i);
		bool lacks = false;

		if (i > 0 && strcmp(sel_db(r, i - 1), db) == 0)
			continue;
		for (size_t k = 0; k < 3 && !lacks; k++)
			for (size_t j = i;
			     j < r->n_sel && strcmp(sel_db(r, j), db) == 0 &&
			     !lacks;
			     j++)
				lacks =
				    !grants_has(&g, dml[k], db, sel_name(r, j));
		if (lacks) {
			sbuf_printf(&dbs, "%s`%s`", dbs.len ? ", " : "", db);
			if (first_db[0] == '\0')
				snprintf(first_db, sizeof(first_db), "%s", db);
		}
		for (size_t k = 0; k < 4; k++)
			if (!grants_has(&g, ddl[k], db, NULL) &&
			    !strstr(sbuf_cstr(&ddl_miss), ddl[k]))
				sbuf_printf(&ddl_miss, "%s%s",
				            ddl_miss.len ? ", " : "", ddl[k]);
	}
	if (miss.len == 0) {
		if (r->n_sel)
			add(r, PRECHECK_PASS, "target.privileges",
			    "target user %s may write the selected tables "
			    "(INSERT, UPDATE, DELETE)",
			    user);
	} else {
		it = add(r, g.roles ? PRECHECK_WARNING : PRECHECK_FAILED,
		         "target.privileges", "target user %s lacks %s on %s%s",
		         user, sbuf_cstr(&miss), sbuf_cstr(&dbs),
		         g.roles ? " (unless a role grants it)" : "");
		fix(r, it,
		    "run GRANT INSERT, UPDATE, DELETE ON `%s`.* TO %s on the "
		    "target%s (" DOC("target-privileges") ")",
		    first_db, who,
		    strchr(sbuf_cstr(&dbs), ',')
		        ? " and the same for the other "
		          "databases"
		        : "");
	}
	if (ddl_miss.len > 0) {
		it = add(r, PRECHECK_WARNING, "target.privileges",
		         "target user %s lacks %s on some selected databases: "
		         "DDL from the source cannot be replayed",
		         user, sbuf_cstr(&ddl_miss));
		fix(r, it,
		    "grant %s on the selected databases, or run DDL on the "
		    "target yourself before the source (" DOC(
		        "target-privileges") ")",
		    sbuf_cstr(&ddl_miss));
	}
	/* The meta database: created by the job, then written by every
	 * worker. */
	sbuf_reset(&miss);
	for (size_t k = 0; k < 5; k++)
		if (!grants_has(&g, meta[k], mdb, NULL))
			sbuf_printf(&miss, "%s%s", miss.len ? ", " : "",
			            meta[k]);
	if (miss.len == 0) {
		add(r, PRECHECK_PASS, "target.meta",
		    "target user %s may create and write the meta database "
		    "`%s`",
		    user, mdb);
	} else {
		it = add(r, g.roles ? PRECHECK_WARNING : PRECHECK_FAILED,
		         "target.meta",
		         "target user %s lacks %s on the meta "
		         "database `%s`%s",
		         user, sbuf_cstr(&miss), mdb,
		         g.roles ? " (unless a role grants it)" : "");
		fix(r, it,
		    "run GRANT CREATE, SELECT, INSERT, UPDATE, DELETE ON "
		    "`%s`.* TO %s on the target, or set meta-database to a "
		    "database the user may use (" DOC(
		        "meta-database-privileges") ")",
		    mdb, who);
	}
	if (!sbuf_ok(&miss) || !sbuf_ok(&dbs) || !sbuf_ok(&ddl_miss))
		r->oom = true;
	sbuf_deinit(&miss);
	sbuf_deinit(&dbs);
	sbuf_deinit(&ddl_miss);
	grants_deinit(&g);
	return 0;
}

/* ---- table items ---- */

/* Source column types TiDB cannot store (Failed) or stores differently
 * (Warning); docs/user-guide.md#tidb-column-types lists the same. */
static const struct {
	const char *types; /* space-separated DATA_TYPE names */
	bool fails;
	const char *why;
} tidb_types[] = {
    {" geometry point linestring polygon multipoint multilinestring "
     "multipolygon geometrycollection geomcollection ",
     true,
     "TiDB has no spatial types: leave the table out (objects.exclude) "
     "or change the source column"},
    {" uuid ", false, "TiDB has no UUID type: use CHAR(36) on the target"},
    {" inet4 inet6 ", false,
     "TiDB has no INET4/INET6 types: use VARCHAR(39) on the target"},
    {" vector ", false,
     "MariaDB's VECTOR is not TiDB's: use VARBINARY or LONGBLOB on the "
     "target"},
};

static void check_tidb_table(struct run *r, const char *db, const char *name)
{
	const struct tgroup *cg = tres_find(&r->src_cols, db, name);
	const struct tgroup *sg = tres_find(&r->src_stats, db, name);
	struct precheck_item *it;
	char word[72];

	for (size_t k = 0; cg && k < sizeof(tidb_types) / sizeof(tidb_types[0]);
	     k++) {
		for (size_t i = cg->row; i < cg->row + cg->n; i++) {
			const char *dt = target_rows_get(&r->src_cols.r, i, 3);
			const char *col = target_rows_get(&r->src_cols.r, i, 2);

			snprintf(word, sizeof(word), " %s ", dt ? dt : "");
			if (!strstr(tidb_types[k].types, word))
				continue;
			it = add(r,
			         tidb_types[k].fails ? PRECHECK_FAILED
			                             : PRECHECK_WARNING,
			         "table.tidb",
			         "table `%s`.`%s` column `%s` is %s", db, name,
			         col ? col : "?", dt);
			fix(r, it, "%s (" DOC("tidb-column-types") ")",
			    tidb_types[k].why);
			break; /* one line per table and kind */
		}
	}
	for (size_t i = sg ? sg->row : 0; sg && i < sg->row + sg->n; i++) {
		const char *type = target_rows_get(&r->src_stats.r, i, 5);
		const char *idx = target_rows_get(&r->src_stats.r, i, 2);

		if (type && (strcmp(type, "SPATIAL") == 0 ||
		             strcmp(type, "FULLTEXT") == 0)) {
			it = add(r, PRECHECK_WARNING, "table.tidb",
			         "table `%s`.`%s` index `%s` is %s", db, name,
			         idx ? idx : "?", type);
			fix(r, it,
			    "TiDB does not support %s indexes: leave the index "
			    "out of the target table (" DOC(
			        "tidb-column-types") ")",
			    type);
			break;
		}
	}
}

/* Columns of one table: count and types.  true when they match. */
static bool check_columns(struct run *r, const char *db, const char *name,
                          const struct tgroup *sc, const struct tgroup *tc)
{
	struct precheck_item *it;

	if (sc->n != tc->n) {
		it =
		    add(r, PRECHECK_FAILED, "table.columns",
		        "table `%s`.`%s` has %zu columns on the source, %zu on "
		        "the target",
		        db, name, sc->n, tc->n);
		fix(r, it,
		    "make the target's definition match the source's "
		    "(SHOW CREATE TABLE on the source) (" DOC(
		        "target-tables") ")");
		return false;
	}
	for (size_t i = 0; i < sc->n; i++) {
		const char *st =
		    target_rows_get(&r->src_cols.r, sc->row + i, 3);
		const char *tt =
		    target_rows_get(&r->tgt_cols.r, tc->row + i, 3);

		if (st && tt && !schema_types_compatible(st, tt)) {
			it = add(
			    r, PRECHECK_FAILED, "table.columns",
			    "table `%s`.`%s` column %zu `%s` is %s on the "
			    "source, %s on the target",
			    db, name, i + 1,
			    target_rows_get(&r->src_cols.r, sc->row + i, 2),
			    target_rows_get(&r->src_cols.r, sc->row + i, 4),
			    target_rows_get(&r->tgt_cols.r, tc->row + i, 4));
			fix(r, it,
			    "change the target column to a type that holds "
			    "the source's values (" DOC("target-tables") ")");
			return false;
		}
	}
	return true;
}

static int check_tables(struct run *r)
{
	const struct config_objects *o = &r->cfg->objects;
	char why[SL_ERR_MSG_CAP];
	struct precheck_item *it;
	size_t n_ok = 0, n_key = 0, n_innodb = 0;
	unsigned eno = 0;
	int rc;

	if (!r->src_tables_ok) {
		cannot_check(r, "objects.selection", "the source's tables",
		             r->src_tables_rc, r->src_tables_eno,
		             r->src_tables_err);
		return 0;
	}
	/* The selection, and include patterns that take nothing (typos). */
	for (size_t k = 0; k < o->n_include; k++) {
		bool any = false;
		char name[520];

		for (size_t i = 0; i < r->src_tables.n_rows && !any; i++) {
			snprintf(name, sizeof(name), "%s.%s",
			         target_rows_get(&r->src_tables, i, 0),
			         target_rows_get(&r->src_tables, i, 1));
			any = fnmatch(o->include[k], name, 0) == 0;
		}
		if (!any && r->n_sel > 0) {
			it = add(r, PRECHECK_WARNING, "objects.selection",
			         "objects.include pattern \"%s\" matches no "
			         "table on the source yet",
			         o->include[k]);
			fix(r, it,
			    "check the pattern's spelling; tables created "
			    "later are taken when they appear (" DOC(
			        "selected-tables") ")");
		}
	}
	if (r->n_sel == 0) {
		it = add(r, PRECHECK_WARNING, "objects.selection",
		         "the job selects no table on the source yet");
		fix(r, it,
		    "check objects.include and objects.exclude; tables "
		    "created later are replicated when they appear "
		    "(" DOC("selected-tables") ")");
		return 0;
	}
	add(r, PRECHECK_PASS, "objects.selection",
	    "the job selects %zu table%s on the source", r->n_sel,
	    r->n_sel == 1 ? "" : "s");

	rc = load_schema(r, &r->env->source, &r->src_cols, &r->src_stats, &eno,
	                 why, sizeof(why));
	if (rc) {
		cannot_check(r, "table.exists",
		             "the source's table definitions", rc, eno, why);
		return rc == SL_ENOMEM ? rc : 0;
	}
	if (r->tgt) {
		rc = load_schema(r, r->tgt, &r->tgt_cols, &r->tgt_stats, &eno,
		                 why, sizeof(why));
		if (rc) {
			cannot_check(r, "table.exists",
			             "the target's table definitions", rc, eno,
			             why);
			if (rc == SL_ENOMEM)
				return rc;
		}
	}
	for (size_t i = 0; i < r->n_sel; i++) {
		const char *db = sel_db(r, i), *name = sel_name(r, i);
		const char *engine =
		    target_rows_get(&r->src_tables, r->sel[i], 2);
		const struct tgroup *sc = tres_find(&r->src_cols, db, name);
		const struct tgroup *tc = NULL;
		bool src_key = has_key(&r->src_cols, &r->src_stats, db, name);
		bool tgt_key = true;

		if (r->tgt_cols.ok) {
			tc = tres_find(&r->tgt_cols, db, name);
			if (tc == NULL) {
				it =
				    add(r, PRECHECK_FAILED, "table.exists",
				        "table `%s`.`%s` does not exist on the "
				        "target",
				        db, name);
				fix(r, it,
				    "create it on the target with the source's "
				    "definition (SHOW CREATE TABLE `%s`.`%s` "
				    "on "
				    "the source) (" DOC("target-tables") ")",
				    db, name);
			} else if (sc && check_columns(r, db, name, sc, tc)) {
				n_ok++;
			}
			if (tc)
				tgt_key = has_key(&r->tgt_cols, &r->tgt_stats,
				                  db, tc->name);
		}
		if (src_key && tgt_key) {
			n_key++;
		} else {
			it = add(
			    r, PRECHECK_WARNING, "table.key",
			    "table `%s`.`%s` has no primary key nor NOT NULL "
			    "unique key on the %s",
			    db, name,
			    !src_key && !tgt_key ? "source and the target"
			    : !src_key           ? "source"
			                         : "target");
			fix(r, it,
			    "add a primary key: without one its changes are "
			    "applied by one worker and rows are matched on "
			    "every column (" DOC("primary-keys") ")");
		}
		if (engine && strcasecmp(engine, "InnoDB") == 0) {
			n_innodb++;
		} else {
			it = add(r, PRECHECK_WARNING, "table.engine",
			         "table `%s`.`%s` uses the %s engine on the "
			         "source",
			         db, name, engine ? engine : "unknown");
			fix(r, it,
			    "use InnoDB: a non-transactional table's binlog "
			    "can "
			    "hold half-done statements (" DOC(
			        "storage-engine") ")");
		}
		if (r->tidb)
			check_tidb_table(r, db, name);
	}
	if (r->tgt_cols.ok && n_ok == r->n_sel)
		add(r, PRECHECK_PASS, "table.exists",
		    "every selected table (%zu) exists on the target with "
		    "compatible columns",
		    r->n_sel);
	if (n_key == r->n_sel)
		add(r, PRECHECK_PASS, "table.key",
		    "every selected table (%zu) has a primary or NOT NULL "
		    "unique key",
		    r->n_sel);
	if (n_innodb == r->n_sel)
		add(r, PRECHECK_PASS, "table.engine",
		    "every selected table (%zu) uses InnoDB", r->n_sel);
	return 0;
}

/* ---- the run ---- */

int precheck_run(const struct job_config *cfg, const struct precheck_env *env,
                 struct precheck_report *out, struct sl_err *err)
{
	struct run r;
	struct precheck_item *it;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.env = env;
	r.rep = out;

	/* Connections first: what cannot be reached is not checked. */
	if (env->source.error == NULL) {
		r.src_up = true;
		add(&r, PRECHECK_PASS, "source.connect",
		    "source %s: connected as %s", env->source.where,
		    env->source.user);
	} else {
		it = add(&r, PRECHECK_FAILED, "source.connect",
		         "source %s: cannot connect: %s", env->source.where,
		         env->source.error);
		fix(&r, it,
		    "check source.host, port, user, password and tls in the "
		    "job file, and that the server accepts this client "
		    "(" DOC("connecting-to-source-and-target") ")");
	}
	for (size_t i = 0; i < env->n_targets; i++) {
		const struct precheck_server *t = &env->targets[i];

		if (t->error == NULL) {
			add(&r, PRECHECK_PASS, "target.connect",
			    "target %s: connected as %s", t->where, t->user);
			if (r.tgt == NULL)
				r.tgt = t;
		} else {
			it = add(&r, PRECHECK_FAILED, "target.connect",
			         "target %s: cannot connect: %s", t->where,
			         t->error);
			fix(&r, it,
			    "check target.hosts, user, password and tls in "
			    "the job file (" DOC(
			        "connecting-to-source-and-target") ")");
		}
	}

	/* Each step adds its items; only OOM stops the run. */
	if (r.src_up && (rc = check_source_version(&r)) == 0 &&
	    (rc = check_log_bin(&r)) == 0 &&
	    (rc = check_binlog_format(&r)) == 0 &&
	    (rc = check_row_image(&r)) == 0 &&
	    (rc = check_gtid_mode(&r)) == 0 &&
	    (rc = load_src_tables(&r)) == 0 &&
	    (rc = check_source_privileges(&r)) == 0 &&
	    (rc = check_server_id(&r)) == 0)
		rc = check_start(&r);
	for (size_t i = 0; rc == 0 && i < env->n_targets; i++) {
		bool tidb;

		if (env->targets[i].error != NULL)
			continue;
		rc = check_target_flavour(&r, &env->targets[i], &tidb);
		if (&env->targets[i] == r.tgt)
			r.tidb = tidb;
	}
	if (rc == 0 && r.tgt && r.src_up)
		rc = check_target_privileges(&r);
	if (rc == 0 && r.src_up)
		rc = check_tables(&r);

	tres_free(&r.src_cols);
	tres_free(&r.src_stats);
	tres_free(&r.tgt_cols);
	tres_free(&r.tgt_stats);
	target_rows_free(&r.src_tables);
	sl_free(r.sel);
	if (rc == SL_ENOMEM || r.oom)
		return sl_err_set(err, SL_ENOMEM, "precheck: out of memory");
	return 0;
}

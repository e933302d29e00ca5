/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/schema.c: the schema tracker (see schema.h).  Definitions come
 * from information_schema.COLUMNS and .STATISTICS of the target; the
 * cache is a small list (tables per job are few; lookups happen once per
 * TABLE_MAP change, not per row).
 */
#include "schema.h"

#include "core/coltype.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct schema {
	struct target *t;
	struct schema_table **v;
	size_t n, cap;
};

struct schema *schema_new(struct target *t)
{
	struct schema *s = sl_calloc(1, sizeof(*s));

	if (s)
		s->t = t;
	return s;
}

static void table_free(struct schema_table *st)
{
	if (st == NULL)
		return;
	for (uint32_t i = 0; i < st->n_cols; i++) {
		sl_free(st->cols[i].name);
		sl_free(st->cols[i].data_type);
		sl_free(st->cols[i].column_type);
	}
	for (uint32_t i = 0; i < st->n_uniq; i++)
		sl_free(st->uniq[i]);
	sl_free(st->uniq);
	sl_free(st->uniq_len);
	sl_free(st->cols);
	sl_free(st->key);
	sl_free(st->db);
	sl_free(st->name);
	sl_free(st);
}

void schema_free(struct schema *s)
{
	if (s == NULL)
		return;
	schema_forget(s, NULL, NULL);
	sl_free(s->v);
	sl_free(s);
}

void schema_forget(struct schema *s, const char *db, const char *table)
{
	size_t j = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct schema_table *st = s->v[i];

		if (db == NULL ||
		    (strcmp(st->db, db) == 0 &&
		     (table == NULL || strcmp(st->name, table) == 0)))
			table_free(st);
		else
			s->v[j++] = st;
	}
	s->n = j;
}

static char *dup(const char *p)
{
	return sl_strndup(p ? p : "", p ? strlen(p) : 0);
}

static int col_index(const struct schema_table *st, const char *name)
{
	for (uint32_t i = 0; i < st->n_cols; i++)
		if (strcasecmp(st->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Loads columns, then unique keys (PRIMARY first). */
static int load(struct schema *s, const char *db, const char *table,
                struct schema_table *st, struct sl_err *err)
{
	struct target_rows r;
	struct sbuf q;
	int rc;

	sbuf_init(&q);
	sbuf_puts(&q, "SELECT COLUMN_NAME, LOWER(DATA_TYPE), COLUMN_TYPE, "
	              "IS_NULLABLE, EXTRA FROM information_schema.COLUMNS "
	              "WHERE TABLE_SCHEMA = ");
	value_sql_string(&q, db, strlen(db));
	sbuf_puts(&q, " AND TABLE_NAME = ");
	value_sql_string(&q, table, strlen(table));
	sbuf_puts(&q, " ORDER BY ORDINAL_POSITION");
	rc = target_query(s->t, sbuf_cstr(&q), &r, err);
	if (rc)
		goto out;
	if (r.n_rows == 0) {
		target_rows_free(&r);
		rc = sl_err_set(err, SL_ENOTFOUND,
		                "target table `%s`.`%s` does not exist: create "
		                "it (with the source's definition) and resume "
		                "the job",
		                db, table);
		goto out;
	}
	st->n_cols = (uint32_t)r.n_rows;
	st->cols = sl_calloc(r.n_rows, sizeof(*st->cols));
	if (st->cols == NULL) {
		target_rows_free(&r);
		rc = sl_err_set(err, SL_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r.n_rows; i++) {
		struct schema_col *c = &st->cols[i];
		const char *ct = target_rows_get(&r, i, 2);
		const char *extra = target_rows_get(&r, i, 4);

		c->name = dup(target_rows_get(&r, i, 0));
		c->data_type = dup(target_rows_get(&r, i, 1));
		c->column_type = dup(ct);
		c->nullable = target_rows_get(&r, i, 3) &&
		              strcmp(target_rows_get(&r, i, 3), "YES") == 0;
		c->is_unsigned = ct && strstr(ct, "unsigned") != NULL;
		c->generated = extra && (strstr(extra, "VIRTUAL") ||
		                         strstr(extra, "STORED") ||
		                         strstr(extra, "PERSISTENT"));
		if (!c->name || !c->data_type || !c->column_type) {
			target_rows_free(&r);
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
	}
	target_rows_free(&r);

	sbuf_reset(&q);
	sbuf_puts(&q, "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM "
	              "information_schema.STATISTICS WHERE NON_UNIQUE = 0 "
	              "AND TABLE_SCHEMA = ");
	value_sql_string(&q, db, strlen(db));
	sbuf_puts(&q, " AND TABLE_NAME = ");
	value_sql_string(&q, table, strlen(table));
	sbuf_puts(&q, " ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, "
	              "SEQ_IN_INDEX");
	rc = target_query(s->t, sbuf_cstr(&q), &r, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < r.n_rows;) {
		const char *idx = target_rows_get(&r, i, 0);
		size_t j = i;
		uint32_t *cols;
		bool all_not_null = true;

		while (j < r.n_rows &&
		       strcmp(target_rows_get(&r, j, 0), idx) == 0)
			j++;
		cols = sl_calloc(2 * (j - i), sizeof(*cols));
		if (cols == NULL) {
			target_rows_free(&r);
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t k = i; k < j; k++) {
			int ci = col_index(st, target_rows_get(&r, k, 1));
			const char *sub = target_rows_get(&r, k, 2);

			cols[k - i] = ci < 0 ? 0 : (uint32_t)ci;
			cols[(j - i) + (k - i)] =
			    sub ? (uint32_t)strtoul(sub, NULL, 10) : 0;
			if (ci < 0 || st->cols[ci].nullable)
				all_not_null = false;
		}
		if (st->n_key == 0 &&
		    (strcmp(idx, "PRIMARY") == 0 || all_not_null)) {
			st->key = cols;
			st->n_key = (uint32_t)(j - i);
			st->key_is_primary = strcmp(idx, "PRIMARY") == 0;
		} else {
			uint32_t **u =
			    sl_realloc(st->uniq, (st->n_uniq + 1) * sizeof(*u));
			uint32_t *ul = sl_realloc(
			    st->uniq_len, (st->n_uniq + 1) * sizeof(*ul));

			if (u)
				st->uniq = u;
			if (ul)
				st->uniq_len = ul;
			if (u == NULL || ul == NULL) {
				sl_free(cols);
				target_rows_free(&r);
				rc =
				    sl_err_set(err, SL_ENOMEM, "out of memory");
				goto out;
			}
			st->uniq[st->n_uniq] = cols;
			st->uniq_len[st->n_uniq++] = (uint32_t)(j - i);
		}
		i = j;
	}
	target_rows_free(&r);
out:
	sbuf_deinit(&q);
	return rc;
}

int schema_get(struct schema *s, const char *db, const char *table,
               const struct schema_table **out, struct sl_err *err)
{
	struct schema_table *st;
	int rc;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i]->db, db) == 0 &&
		    strcmp(s->v[i]->name, table) == 0) {
			*out = s->v[i];
			return 0;
		}
	st = sl_calloc(1, sizeof(*st));
	if (st == NULL || (st->db = dup(db)) == NULL ||
	    (st->name = dup(table)) == NULL) {
		table_free(st);
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	rc = load(s, db, table, st, err);
	if (rc == 0 && s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct schema_table **v =
		    sl_realloc(s->v, nc * sizeof(struct schema_table *));

		if (v == NULL)
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
		else {
			s->v = v;
			s->cap = nc;
		}
	}
	if (rc) {
		table_free(st);
		return rc;
	}
	s->v[s->n++] = st;
	*out = st;
	return 0;
}

/* Target data types a binlog column type can be written to. */
static bool compatible(uint8_t bt, const char *dt)
{
	static const struct {
		uint8_t type;
		const char *types; /* space-separated */
	} ok[] = {
	    {COL_TINY, " tinyint bool boolean smallint mediumint int bigint "},
	    {COL_SHORT, " smallint mediumint int bigint "},
	    {COL_INT24, " mediumint int bigint "},
	    {COL_LONG, " int integer bigint "},
	    {COL_LONGLONG, " bigint "},
	    {COL_FLOAT, " float double "},
	    {COL_DOUBLE, " double float "},
	    {COL_NEWDECIMAL, " decimal numeric "},
	    {COL_YEAR, " year "},
	    {COL_DATE, " date "},
	    {COL_NEWDATE, " date "},
	    {COL_TIME, " time "},
	    {COL_TIME2, " time "},
	    {COL_DATETIME, " datetime "},
	    {COL_DATETIME2, " datetime "},
	    {COL_TIMESTAMP, " timestamp "},
	    {COL_TIMESTAMP2, " timestamp "},
	    {COL_BIT, " bit "},
	    {COL_ENUM, " enum "},
	    {COL_SET, " set "},
	    {COL_JSON, " json longtext "},
	    {COL_GEOMETRY, " geometry point linestring polygon multipoint "
	                   "multilinestring multipolygon geometrycollection "},
	    {COL_VECTOR, " vector varbinary blob "},
	};
	char word[72];

	/* Strings and blobs go into any string or blob type (and MariaDB's
	 * JSON, UUID and INET6, which are strings in the binlog). */
	if (bt == COL_STRING || bt == COL_VARCHAR || bt == COL_VAR_STRING ||
	    bt == COL_BLOB || bt == COL_TINY_BLOB || bt == COL_MEDIUM_BLOB ||
	    bt == COL_LONG_BLOB)
		return strstr(dt, "char") || strstr(dt, "text") ||
		       strstr(dt, "blob") || strstr(dt, "binary") ||
		       strcmp(dt, "json") == 0 || strcmp(dt, "uuid") == 0 ||
		       strcmp(dt, "inet6") == 0 || strcmp(dt, "inet4") == 0 ||
		       strcmp(dt, "enum") == 0 || strcmp(dt, "set") == 0;
	snprintf(word, sizeof(word), " %s ", dt);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i].type == bt)
			return strstr(ok[i].types, word) != NULL;
	return false;
}

int schema_check(const struct schema_table *st, const struct table_map *tm,
                 struct sl_err *err)
{
	if (tm->n_cols != st->n_cols)
		return sl_err_set(err, SL_EINVAL,
		                  "table `%s`.`%s`: the source writes %u "
		                  "columns, the target table has %u: make the "
		                  "target's definition match the source's",
		                  st->db, st->name, tm->n_cols, st->n_cols);
	for (uint32_t i = 0; i < tm->n_cols; i++)
		if (!compatible(tm->cols[i].type, st->cols[i].data_type))
			return sl_err_set(
			    err, SL_EINVAL,
			    "table `%s`.`%s` column %u `%s`: the source writes "
			    "%s, the target column is %s",
			    st->db, st->name, i + 1, st->cols[i].name,
			    coltype_name(tm->cols[i].type),
			    st->cols[i].column_type);
	return 0;
}

/* The binlog type a column of information_schema DATA_TYPE dt is logged
 * as (ENUM/SET as their real types, as core/tablemap.c reports them);
 * COL_INVALID when unknown. */
static uint8_t binlog_type_of(const char *dt)
{
	static const struct {
		const char *names; /* space-separated */
		uint8_t type;
	} map[] = {
	    {" tinyint bool boolean ", COL_TINY},
	    {" smallint ", COL_SHORT},
	    {" mediumint ", COL_INT24},
	    {" int integer ", COL_LONG},
	    {" bigint ", COL_LONGLONG},
	    {" float ", COL_FLOAT},
	    {" double real ", COL_DOUBLE},
	    {" decimal numeric fixed ", COL_NEWDECIMAL},
	    {" year ", COL_YEAR},
	    {" date ", COL_DATE},
	    {" time ", COL_TIME2},
	    {" datetime ", COL_DATETIME2},
	    {" timestamp ", COL_TIMESTAMP2},
	    {" bit ", COL_BIT},
	    {" enum ", COL_ENUM},
	    {" set ", COL_SET},
	    {" json ", COL_JSON},
	    {" geometry point linestring polygon multipoint multilinestring "
	     "multipolygon geometrycollection geomcollection ",
	     COL_GEOMETRY},
	    {" vector ", COL_VECTOR},
	    {" char varchar binary varbinary ", COL_VARCHAR},
	    {" tinytext text mediumtext longtext tinyblob blob mediumblob "
	     "longblob ",
	     COL_BLOB},
	    {" uuid inet4 inet6 ", COL_STRING}, /* MariaDB: strings */
	};
	char word[72];

	snprintf(word, sizeof(word), " %s ", dt);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strstr(map[i].names, word) != NULL)
			return map[i].type;
	return COL_INVALID;
}

bool schema_types_compatible(const char *src, const char *dst)
{
	uint8_t bt;

	if (strcasecmp(src, dst) == 0)
		return true;
	bt = binlog_type_of(src);
	return bt != COL_INVALID && compatible(bt, dst);
}

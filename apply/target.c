/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/target.c: target connections over libmariadb (see target.h).
 */
#include "target.h"

#include "apply/sqlgen.h"
#include "core/mem.h"

#include <mysql.h>
#include <stdio.h>
#include <string.h>

struct target {
	MYSQL *my;
	unsigned last_errno;
	bool tidb;
	char version[128];
	char where[300];
};

/* The session every worker runs in: values are printed by core/value.c
 * as UTC TIMESTAMPs, UTF-8 text (utf8mb4) and zero dates kept as they
 * are; rows are applied in key order per worker, so foreign keys between
 * workers' tables cannot be checked mid-stream. */
static const char *const session_sql[] = {
    SQLGEN_SESSION_SQL, /* the one the SQL builder's text assumes */
    "SET unique_checks = 1",
};

static int fail(struct target *t, const char *what, struct sl_err *err)
{
	t->last_errno = mysql_errno(t->my);
	return sl_err_set(err, SL_EIO, "target %s: %s: error %u: %s", t->where,
	                  what, t->last_errno, mysql_error(t->my));
}

int target_open(const struct target_opts *o, struct target **out,
                struct sl_err *err)
{
	struct target *t = sl_calloc(1, sizeof(*t));
	unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : 10;
	unsigned rw = o->rw_timeout_s ? o->rw_timeout_s : 60;
	my_bool on = 1, off = 0;
	int rc;

	if (t == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	snprintf(t->where, sizeof(t->where), "%s:%u", o->host, o->port);
	t->my = mysql_init(NULL);
	if (t->my == NULL) {
		sl_free(t);
		return sl_err_set(err, SL_ENOMEM, "mysql_init failed");
	}
	mysql_options(t->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(t->my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(t->my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(t->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (o->tls != TARGET_TLS_DISABLED) {
		mysql_ssl_set(t->my, o->key, o->cert, o->ca, NULL, NULL);
		mysql_options(t->my, MYSQL_OPT_SSL_ENFORCE,
		              o->tls >= TARGET_TLS_REQUIRED ? &on : &off);
		mysql_options(t->my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		              o->tls == TARGET_TLS_VERIFY_IDENTITY ? &on
		                                                   : &off);
	}
	if (mysql_real_connect(
	        t->my, o->host, o->user, o->password ? o->password : "", NULL,
	        o->port, NULL,
	        CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS) == NULL) {
		rc = fail(t, "connect", err);
		target_close(t);
		return rc;
	}
	for (size_t i = 0; i < sizeof(session_sql) / sizeof(session_sql[0]);
	     i++)
		if (mysql_query(t->my, session_sql[i]) != 0) {
			rc = fail(t, session_sql[i], err);
			target_close(t);
			return rc;
		}
	/* TiDB answers tidb_version(); MySQL and MariaDB have no such
	 * function (error 1305). */
	if (mysql_query(t->my, "SELECT tidb_version()") == 0) {
		MYSQL_RES *r = mysql_store_result(t->my);
		MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;

		t->tidb = true;
		snprintf(t->version, sizeof(t->version), "TiDB (%s)",
		         mysql_get_server_info(t->my));
		(void)row;
		mysql_free_result(r);
	} else {
		snprintf(t->version, sizeof(t->version), "%s",
		         mysql_get_server_info(t->my));
	}
	*out = t;
	return 0;
}

void target_close(struct target *t)
{
	if (t == NULL)
		return;
	mysql_close(t->my);
	sl_free(t);
}

int target_exec(struct target *t, const char *sql, size_t len,
                uint64_t *affected, struct sl_err *err)
{
	t->last_errno = 0;
	if (mysql_real_query(t->my, sql, (unsigned long)len) != 0)
		return fail(t, "statement", err);
	if (mysql_field_count(t->my) > 0) {
		MYSQL_RES *r = mysql_store_result(t->my);

		mysql_free_result(r);
	}
	if (affected)
		*affected = (uint64_t)mysql_affected_rows(t->my);
	return 0;
}

int target_exec_multi(struct target *t, const char *sql, size_t len,
                      uint64_t *aff, size_t n, size_t *failed,
                      struct sl_err *err)
{
	size_t i = 0;
	int st;

	t->last_errno = 0;
	*failed = 0;
	if (mysql_real_query(t->my, sql, (unsigned long)len) != 0)
		return fail(t, "statement", err);
	for (;;) {
		if (mysql_field_count(t->my) > 0)
			mysql_free_result(mysql_store_result(t->my));
		if (i < n)
			aff[i] = (uint64_t)mysql_affected_rows(t->my);
		i++;
		st = mysql_next_result(t->my);
		if (st < 0)
			return 0;
		if (st > 0) {
			*failed = i;
			return fail(t, "statement", err);
		}
	}
}

int target_query(struct target *t, const char *sql, struct target_rows *r,
                 struct sl_err *err)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	size_t k = 0;

	memset(r, 0, sizeof(*r));
	t->last_errno = 0;
	if (mysql_query(t->my, sql) != 0)
		return fail(t, "query", err);
	res = mysql_store_result(t->my);
	if (res == NULL)
		return mysql_field_count(t->my) ? fail(t, "result", err) : 0;
	r->n_rows = (size_t)mysql_num_rows(res);
	r->n_cols = mysql_num_fields(res);
	r->cells = sl_calloc(r->n_rows * r->n_cols + 1, sizeof(char *));
	if (r->cells == NULL) {
		mysql_free_result(res);
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		unsigned long *len = mysql_fetch_lengths(res);

		for (size_t i = 0; i < r->n_cols; i++, k++)
			if (row[i] != NULL && (r->cells[k] = sl_strndup(
			                           row[i], len[i])) == NULL) {
				mysql_free_result(res);
				target_rows_free(r);
				return sl_err_set(err, SL_ENOMEM,
				                  "out of memory");
			}
	}
	mysql_free_result(res);
	return 0;
}

void target_rows_free(struct target_rows *r)
{
	for (size_t i = 0; r->cells && i < r->n_rows * r->n_cols; i++)
		sl_free(r->cells[i]);
	sl_free(r->cells);
	memset(r, 0, sizeof(*r));
}

unsigned target_errno(const struct target *t)
{
	return t->last_errno;
}

int target_begin(struct target *t, struct sl_err *err)
{
	return target_exec(t, "BEGIN", 5, NULL, err);
}

int target_commit(struct target *t, struct sl_err *err)
{
	t->last_errno = 0;
	if (mysql_commit(t->my) != 0)
		return fail(t, "COMMIT", err);
	return 0;
}

void target_rollback(struct target *t)
{
	(void)mysql_rollback(t->my);
}

const char *target_version(const struct target *t)
{
	return t->version;
}

bool target_is_tidb(const struct target *t)
{
	return t->tidb;
}

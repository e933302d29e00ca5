/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/source.c: source metadata queries (see source.h).
 */
#include "source.h"

#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int source_variable(struct conn *c, const char *name, char **out,
                    struct sl_err *err)
{
	struct conn_result r;
	char sql[160];
	int rc;

	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT @@%s", name);
	rc = conn_query(c, sql, &r, err);
	if (rc) {
		/* 1193: unknown system variable: not an error here. */
		if (r.server_errno == 1193) {
			sl_err_clear(err);
			return 0;
		}
		return rc;
	}
	if (r.n_rows == 1 && r.n_cols == 1 && conn_result_get(&r, 0, 0)) {
		*out = sl_strndup(conn_result_get(&r, 0, 0),
		                  strlen(conn_result_get(&r, 0, 0)));
		if (*out == NULL)
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	conn_result_free(&r);
	return rc;
}

int source_position(struct conn *c, struct source_pos *pos, struct sl_err *err)
{
	struct conn_result r;
	const char *f, *p;
	int rc;

	memset(pos, 0, sizeof(*pos));
	pos->mariadb = conn_is_mariadb(c);
	rc = conn_query(c, "SHOW MASTER STATUS", &r, err);
	if (rc && r.server_errno == 1064) /* MySQL 8.4 dropped it */
		rc = conn_query(c, "SHOW BINARY LOG STATUS", &r, err);
	if (rc)
		return rc;
	if (r.n_rows == 0 || r.n_cols < 2) {
		conn_result_free(&r);
		return sl_err_set(err, SL_EINVAL,
		                  "source %s: binary logging is off (SHOW "
		                  "MASTER STATUS is empty): start the server "
		                  "with log_bin",
		                  conn_server_version(c));
	}
	f = conn_result_get(&r, 0, 0);
	p = conn_result_get(&r, 0, 1);
	snprintf(pos->file, sizeof(pos->file), "%s", f ? f : "");
	pos->position = p ? strtoull(p, NULL, 10) : 0;
	conn_result_free(&r);
	rc = source_variable(
	    c, pos->mariadb ? "gtid_binlog_pos" : "global.gtid_executed",
	    &pos->gtid, err);
	if (rc == 0 && pos->gtid == NULL) {
		pos->gtid = sl_strndup("", 0);
		if (pos->gtid == NULL)
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	if (rc)
		source_pos_free(pos);
	return rc;
}

void source_pos_free(struct source_pos *pos)
{
	sl_free(pos->gtid);
	pos->gtid = NULL;
}

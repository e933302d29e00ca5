/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/job_check.c: connections for the precheck (see
 * job_check.h).  The source is reached with io/conn, the client
 * `sluice run` streams with, so that the connection item validates the
 * same TLS and authentication path; its answers are copied into the
 * row shape apply/precheck.h reads.  Errors of a failed connection are
 * kept (one line, without the "host:port: " the item adds itself);
 * neither io/ nor apply/ ever puts a password in them.
 */
#include "job_check.h"

#include "apply/target.h"
#include "core/mem.h"
#include "io/conn.h"
#include "job.h"

#include <stdio.h>
#include <string.h>

/* precheck_query_fn over an io/conn connection. */
static int source_query(void *ctx, const char *sql, struct target_rows *out,
                        unsigned *server_errno, struct sl_err *err)
{
	struct conn_result res;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = conn_query(ctx, sql, &res, err);
	*server_errno = res.server_errno;
	if (rc) {
		conn_result_free(&res);
		return rc;
	}
	n = res.n_rows * res.n_cols;
	out->cells = sl_calloc(n + 1, sizeof(char *));
	if (out->cells == NULL) {
		conn_result_free(&res);
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	out->n_rows = res.n_rows;
	out->n_cols = res.n_cols;
	for (size_t i = 0; i < n; i++) {
		const char *v = res.cells[i];

		if (v && (out->cells[i] = sl_strndup(v, strlen(v))) == NULL) {
			conn_result_free(&res);
			target_rows_free(out);
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		}
	}
	conn_result_free(&res);
	return 0;
}

/* precheck_query_fn over an apply/target connection. */
static int target_query_fn(void *ctx, const char *sql, struct target_rows *out,
                           unsigned *server_errno, struct sl_err *err)
{
	int rc = target_query(ctx, sql, out, err);

	*server_errno = rc ? target_errno(ctx) : 0;
	return rc;
}

/* The message without a leading "[target ]host:port: " (the item names
 * the server itself) on one line. */
static void keep_error(char *dst, size_t len, const char *msg,
                       const char *where)
{
	size_t n = strlen(where);

	if (strncmp(msg, "target ", 7) == 0 &&
	    strncmp(msg + 7, where, n) == 0 &&
	    strncmp(msg + 7 + n, ": ", 2) == 0)
		msg += 7 + n + 2;
	else if (strncmp(msg, where, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	snprintf(dst, len, "%s", msg);
	for (char *s = dst; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static enum target_tls target_tls_of(enum config_tls_mode m)
{
	switch (m) {
	case CONFIG_TLS_DISABLED: return TARGET_TLS_DISABLED;
	case CONFIG_TLS_REQUIRED: return TARGET_TLS_REQUIRED;
	case CONFIG_TLS_VERIFY_CA: return TARGET_TLS_VERIFY_CA;
	case CONFIG_TLS_VERIFY_IDENTITY: return TARGET_TLS_VERIFY_IDENTITY;
	default: return TARGET_TLS_PREFERRED;
	}
}

struct target_slot {
	struct target *t;
	char where[300];
	char error[SL_ERR_MSG_CAP];
};

int job_precheck(const struct job_config *cfg, struct precheck_report *out,
                 struct sl_err *err)
{
	size_t nt = cfg->target.n_hosts;
	struct precheck_server *ts = sl_calloc(nt + 1, sizeof(*ts));
	struct target_slot *slots = sl_calloc(nt + 1, sizeof(*slots));
	char src_where[300], src_error[SL_ERR_MSG_CAP];
	struct precheck_env env;
	struct stream_opts so;
	struct conn *c = NULL;
	struct sl_err e;
	int rc;

	if (ts == NULL || slots == NULL) {
		sl_free(ts);
		sl_free(slots);
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	memset(&env, 0, sizeof(env));
	job_stream_opts(cfg, &so);
	env.replica_server_id = so.server_id;

	/* The source, as `sluice run` reaches it. */
	snprintf(src_where, sizeof(src_where), "%s:%u", cfg->source.host,
	         cfg->source.port);
	env.source.where = src_where;
	env.source.user = cfg->source.user;
	sl_err_clear(&e);
	if (conn_open(&so.conn, &c, &e) == 0) {
		env.source.query = source_query;
		env.source.ctx = c;
	} else {
		keep_error(src_error, sizeof(src_error), e.msg, src_where);
		env.source.error = src_error;
		c = NULL;
	}

	/* Every target host, as each worker reaches it. */
	for (size_t i = 0; i < nt; i++) {
		const struct config_endpoint *h = &cfg->target.hosts[i];
		struct target_opts o;

		memset(&o, 0, sizeof(o));
		o.host = h->host;
		o.port = h->port;
		o.user = cfg->target.user;
		o.password = cfg->target.password;
		o.tls = target_tls_of(cfg->target.tls.mode);
		o.ca = cfg->target.tls.ca;
		o.cert = cfg->target.tls.cert;
		o.key = cfg->target.tls.key;
		snprintf(slots[i].where, sizeof(slots[i].where), "%s:%u",
		         h->host, h->port);
		ts[i].where = slots[i].where;
		ts[i].user = cfg->target.user;
		sl_err_clear(&e);
		if (target_open(&o, &slots[i].t, &e) == 0) {
			ts[i].query = target_query_fn;
			ts[i].ctx = slots[i].t;
		} else {
			keep_error(slots[i].error, sizeof(slots[i].error),
			           e.msg, slots[i].where);
			ts[i].error = slots[i].error;
			slots[i].t = NULL;
		}
	}
	env.n_targets = nt;
	env.targets = ts;

	rc = precheck_run(cfg, &env, out, err);

	conn_close(c);
	for (size_t i = 0; i < nt; i++)
		target_close(slots[i].t);
	sl_free(ts);
	sl_free(slots);
	return rc;
}

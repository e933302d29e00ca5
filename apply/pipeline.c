/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/pipeline.c: dispatcher (decoder thread) and appliers of `sluice
 * run`; the contract is in pipeline.h.  Items on the rings are single
 * heap blocks: a row change with copies of its cells and their bytes, a
 * commit marker with the source position, or a "discard" order (the
 * stream reconnected: drop rows after the last marker).
 */
#include "apply/pipeline.h"

#include "apply/schema.h"
#include "apply/sqlgen.h"
#include "apply/target.h"
#include "apply/tidb.h"
#include "core/causality.h"
#include "core/decode.h"
#include "core/queue.h"
#include "core/route.h"
#include "core/sbuf.h"
#include "core/stmt.h"
#include "core/tablemap.h"

#include <fnmatch.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define QUEUE_CAP      8192
#define MAX_STMT_BYTES (1u << 20)
#define RETRY_MAX      10
/* a worker with nothing queued sleeps until the dispatcher wakes it;
 * this is only the safety net for a missed wake */
#define IDLE_WAIT_US 100000
/* statements of a batch go out in requests of about this size */
#define MULTI_BYTES (4u << 20)

enum { IT_ROW, IT_MARK, IT_DISCARD };

/* One version of a source table (a TABLE_MAP under one schema
 * generation).  Read-only once built; freed when the pipeline ends. */
struct ptable {
	struct ptable *next;
	char *db, *name;
	unsigned gen;
	bool skip; /* excluded object */
	struct tablemap_cache *cache;
	const struct table_map *tm; /* private copy */
	struct sqlgen_table t;
	struct col_str *names;
	uint8_t *omit;
	uint32_t *keys;
	struct route_key rk;
	uint64_t table_hash; /* routes tables without a key */
	/* unique keys besides rk: rows go through the causality set and
	 * are applied in source order (no compaction) */
	uint32_t n_uk;
	struct route_key *uk;
};

struct item {
	int kind;
	int op;
	bool safe;
	bool skip; /* worker: committed by this worker before the restart */
	/* IT_MARK */
	bool dirty;  /* a forced flush inside a transaction: commit the
	              * rows held too, checkpoint flagged dirty at pos */
	uint32_t ts; /* the source's timestamp of the transaction end */
	/* IT_ROW */
	struct ptable *tb;
	struct cell *before, *after;
	/* IT_MARK: strings stored after the item */
	uint64_t pos;
	const char *file;
	const char *gtid;
};

/* One statement of a worker's pending request: what its affected-row
 * count must reach (kind < 0: DELETE of n rows; SQLGEN_UPSERT: n rows;
 * others are not counted) and the table, for error messages. */
struct stmt_desc {
	int kind;
	uint32_t n;
	const struct ptable *tb;
};

struct worker { /* NOLINT(clang-analyzer-optin.performance.Padding): cache lines
	         */
	/* set once */
	struct pipeline *p;
	unsigned id;
	bool got_rows; /* dispatcher: rows in this txn */
	pthread_t th;
	struct queue q;
	/* written by the dispatcher only (own cache line) */
	_Alignas(64) _Atomic uint64_t pushed;
	/* written by the worker, read by others */
	_Alignas(64) _Atomic uint64_t consumed; /* items committed or dropped */
	_Atomic uint32_t sleeping; /* futex: the worker waits for items */
	_Atomic size_t wake_at;    /* ... until this many are queued */
	_Atomic uint64_t rows_out; /* row changes committed */
	_Atomic uint64_t ops[3];   /* committed inserts, updates, deletes */
	_Atomic uint64_t batches, retries;
	_Atomic uint64_t rows_dropped; /* discarded on a reconnect */
	_Atomic uint64_t batch_us;     /* the last batch's apply time */
	_Atomic uint32_t commit_ts;    /* source timestamp of the last commit */
	pthread_mutex_t st_mu;         /* guards the next two */
	char ck_file[256];             /* the last checkpoint written */
	uint64_t ck_pos;
	/* worker private */
	struct target *t;
	struct item **pend;
	size_t n_pend, cap_pend;
	struct sbuf sql;
	struct sbuf probe; /* checked mode's SELECTs */
	struct sqlgen_compactor comp;
	struct sqlgen_change *ch;
	size_t ch_cap;
	struct ptable **seen; /* tables of the batch being applied */
	size_t seen_cap;
	const struct cell **run; /* ordered apply: one statement's images */
	size_t run_cap;
	/* the statements in w->sql not yet sent (one request) */
	struct stmt_desc *desc;
	uint64_t *aff;
	size_t n_desc, desc_cap;
	uint64_t missing; /* rows found missing in the current attempt */
	/* missing rows: this attempt checks every row before its DELETE or
	 * upsert (set after the affected-row counts showed a shortfall) */
	bool checked;
	bool safe; /* the batch being applied is a replay */
	/* the checkpoint found at start: a replay never writes one older
	 * (the next restart would then skip rows this worker committed) */
	bool floor_dirty;
	uint64_t floor_pos;
	char floor_file[256];
	char floor_gtid[256];
};

struct pipeline {
	const struct job_config *cfg;
	struct target *t; /* dispatcher's: DDL, meta */
	struct schema *schema;
	struct decoder *dc;
	unsigned n_workers;
	unsigned batch;
	struct worker *w;
	_Atomic bool stop;
	_Atomic bool failed;
	pthread_mutex_t fail_mu;
	char fail_msg[SL_ERR_MSG_CAP];

	struct ptable *tables; /* every version, newest first */
	unsigned gen;
	bool safe;         /* replaying: idempotent statements */
	bool need_initial; /* write every worker's first checkpoint */
	bool dirty_txn;    /* rows of the current transaction committed */
	bool skip_ok;      /* every worker's checkpoint found: mark_skips */
	struct {
		uint64_t id;
		struct ptable *tb;
	} * ids;
	size_t n_ids, cap_ids;

	char file[256];   /* current source file */
	uint64_t txn_pos; /* end of the last transaction */
	char gtid[256];   /* its GTID */
	char safe_file[256];
	uint64_t safe_pos;
	struct causality cz;
	uint64_t *done;   /* snapshot of the workers' committed counts */
	uint64_t n_flush; /* causality conflicts (forced flushes) */
	_Atomic uint64_t missing_rows; /* on-missing-row: warn */
	/* the failure that stopped the job (pipeline_failure) */
	bool fail_conflict;
	char fail_file[256];
	uint64_t fail_pos;
	/* resume after a conflict: REPLACE for batches up to here */
	char replace_file[256];
	uint64_t replace_pos;
	char ddl_file[256]; /* the last DDL begun before a restart */
	uint64_t ddl_pos;
	uint64_t rows_in, last_rows_in, last_rows_out;
	long linger_us;         /* a part batch waits this long for more rows */
	_Atomic unsigned hurry; /* a barrier waits: no lingering */
	uint32_t txn_ts; /* source timestamp of the current transaction */
	/* what pipeline_stats reads from another thread */
	bool st_safe;
	pthread_mutex_t st_mu;
	char st_file[256];
	uint64_t st_pos;
	char st_gtid[256];
	uint64_t st_rows_in;
	struct timespec st_last_read; /* the last transaction end read */
	struct timespec st_pub;       /* when the st_ fields were written */
	bool st_stale;                /* a transaction end since then */
	struct timespec last_log;
	struct timespec last_tick;
};

/* The coarse clock (a few ms; no system call, no TSC read): ticks,
 * progress lines and status ages.  Batch times use CLOCK_MONOTONIC. */
static double now_s(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC_COARSE, ts);
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static double secs_since(const struct timespec *a)
{
	struct timespec b;

	return now_s(&b) - ((double)a->tv_sec + (double)a->tv_nsec / 1e9);
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sluice run: %s\n", line);
}

static void fail(struct pipeline *p, const char *msg)
{
	pthread_mutex_lock(&p->fail_mu);
	if (!atomic_load(&p->failed)) {
		snprintf(p->fail_msg, sizeof(p->fail_msg), "%s", msg);
		atomic_store(&p->failed, true);
	}
	pthread_mutex_unlock(&p->fail_mu);
}

/* (file, pos) order; binlog names share a base and a fixed-width number */
static int pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
	int c = strcmp(fa, fb);

	if (c != 0)
		return c;
	return pa < pb ? -1 : pa > pb;
}

static void sql_str(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sbuf_putc(b, '\\');
		sbuf_putc(b, *s);
	}
	sbuf_putc(b, '\'');
}

static int exec_str(struct target *t, const char *sql, struct sl_err *err)
{
	return target_exec(t, sql, strlen(sql), NULL, err);
}

/* --- target connections ---------------------------------------------- */

static enum target_tls tls_of(enum config_tls_mode m)
{
	switch (m) {
	case CONFIG_TLS_DISABLED: return TARGET_TLS_DISABLED;
	case CONFIG_TLS_REQUIRED: return TARGET_TLS_REQUIRED;
	case CONFIG_TLS_VERIFY_CA: return TARGET_TLS_VERIFY_CA;
	case CONFIG_TLS_VERIFY_IDENTITY: return TARGET_TLS_VERIFY_IDENTITY;
	default: return TARGET_TLS_PREFERRED;
	}
}

static int open_target(const struct job_config *cfg, unsigned i,
                       struct target **out, struct sl_err *err)
{
	const struct config_endpoint *h =
	    &cfg->target.hosts[i % cfg->target.n_hosts];
	struct target_opts o;

	memset(&o, 0, sizeof(o));
	o.host = h->host;
	o.port = h->port;
	o.user = cfg->target.user;
	o.password = cfg->target.password;
	o.tls = tls_of(cfg->target.tls.mode);
	o.ca = cfg->target.tls.ca;
	o.cert = cfg->target.tls.cert;
	o.key = cfg->target.tls.key;
	return target_open(&o, out, err);
}

/* The class of t's last error; a failure without a server error number
 * (client side) is fatal. */
static int classify(const struct target *t)
{
	int c = tidb_classify(target_errno(t));

	return c == 0 ? SL_EFATAL : c;
}

/* --- checkpoints ------------------------------------------------------ */

/* The checkpoint row of a worker.  dirty: committed through pos and
 * part of the transaction after it. */
static void checkpoint_sql(struct sbuf *b, const struct pipeline *p, int worker,
                           const char *file, uint64_t pos, const char *gtid,
                           bool dirty, bool ignore)
{
	sbuf_puts(b, ignore ? "INSERT IGNORE INTO " : "INSERT INTO ");
	sqlgen_ident(b, p->cfg->meta_database, strlen(p->cfg->meta_database));
	sbuf_puts(b, ".`checkpoint` (job,worker,file,pos,gtid,dirty,updated) "
	             "VALUES (");
	sql_str(b, p->cfg->name);
	sbuf_printf(b, ",%d,", worker);
	sql_str(b, file);
	sbuf_printf(b, ",%" PRIu64 ",", pos);
	sql_str(b, gtid);
	sbuf_printf(b, ",%d,UTC_TIMESTAMP())", dirty ? 1 : 0);
	if (!ignore)
		sbuf_puts(b, " ON DUPLICATE KEY UPDATE file=VALUES(file),"
		             "pos=VALUES(pos),gtid=VALUES(gtid),"
		             "dirty=VALUES(dirty),updated=VALUES(updated)");
}

/* The job's start as text, for the guard below. */
static void start_text(const struct job_config *cfg, char *out, size_t cap)
{
	switch (cfg->start.mode) {
	case CONFIG_START_GTID:
		snprintf(out, cap, "gtid %s", cfg->start.gtid);
		break;
	case CONFIG_START_POSITION:
		snprintf(out, cap, "position %s:%" PRIu64, cfg->start.file,
		         cfg->start.position);
		break;
	default: snprintf(out, cap, "now"); break;
	}
}

/* The start is fixed once the job exists: its first run records it, a
 * later run with another start is refused (it would silently skip or
 * repeat data). */
static int start_guard(struct pipeline *p, struct sbuf *b, struct sl_err *err)
{
	const char *meta = p->cfg->meta_database;
	struct target_rows rows;
	char want[600];
	int rc;

	start_text(p->cfg, want, sizeof(want));
	sbuf_reset(b);
	sbuf_puts(b, "SELECT start FROM ");
	sqlgen_ident(b, meta, strlen(meta));
	sbuf_puts(b, ".`job` WHERE job=");
	sql_str(b, p->cfg->name);
	rc = target_query(p->t, sbuf_cstr(b), &rows, err);
	if (rc != 0)
		return rc;
	if (rows.n_rows > 0) {
		const char *had = target_rows_get(&rows, 0, 0);

		if (had && strcmp(had, want) != 0) {
			rc = sl_err_set(err, SL_EINVAL,
			                "job %s: start: the job began with "
			                "\"%s\", the job file now says \"%s\": "
			                "the start is fixed once a job has "
			                "run; restore it, or `sluice delete` "
			                "the job to start over",
			                p->cfg->name, had, want);
		}
		target_rows_free(&rows);
		return rc;
	}
	target_rows_free(&rows);
	sbuf_reset(b);
	sbuf_puts(b, "INSERT INTO ");
	sqlgen_ident(b, meta, strlen(meta));
	sbuf_puts(b, ".`job` (job, start, created) VALUES (");
	sql_str(b, p->cfg->name);
	sbuf_putc(b, ',');
	sql_str(b, want);
	sbuf_puts(b, ",UTC_TIMESTAMP())");
	return exec_str(p->t, sbuf_cstr(b), err);
}

static int meta_setup(struct pipeline *p, struct pipeline_resume *r,
                      struct sl_err *err)
{
	struct sbuf b;
	struct target_rows rows;
	const char *meta = p->cfg->meta_database;
	int rc;
	char maxf[256] = "";
	uint64_t maxp = 0;
	unsigned n_found = 0; /* checkpoints of workers < n_workers */
	unsigned n_all = 0;   /* every checkpoint of the job */

	sbuf_init(&b);
	sbuf_puts(&b, "CREATE DATABASE IF NOT EXISTS ");
	sqlgen_ident(&b, meta, strlen(meta));
	rc = exec_str(p->t, sbuf_cstr(&b), err);
	sbuf_reset(&b);
	sbuf_puts(&b, "CREATE TABLE IF NOT EXISTS ");
	sqlgen_ident(&b, meta, strlen(meta));
	sbuf_puts(&b, ".`checkpoint` (job VARCHAR(64) NOT NULL, worker INT "
	              "NOT NULL, file VARCHAR(255) NOT NULL, pos BIGINT NOT "
	              "NULL, gtid TEXT, dirty TINYINT NOT NULL DEFAULT 0, "
	              "updated TIMESTAMP NULL, PRIMARY KEY(job, worker))");
	if (rc == 0)
		rc = exec_str(p->t, sbuf_cstr(&b), err);
	sbuf_reset(&b);
	sbuf_puts(&b, "CREATE TABLE IF NOT EXISTS ");
	sqlgen_ident(&b, meta, strlen(meta));
	sbuf_puts(&b, ".`ddl` (job VARCHAR(64) NOT NULL PRIMARY KEY, file "
	              "VARCHAR(255) NOT NULL, pos BIGINT NOT NULL, updated "
	              "TIMESTAMP NULL)");
	if (rc == 0)
		rc = exec_str(p->t, sbuf_cstr(&b), err);
	sbuf_reset(&b);
	sbuf_puts(&b, "CREATE TABLE IF NOT EXISTS ");
	sqlgen_ident(&b, meta, strlen(meta));
	sbuf_puts(&b, ".`job` (job VARCHAR(64) NOT NULL PRIMARY KEY, "
	              "start TEXT NOT NULL, created TIMESTAMP NULL)");
	if (rc == 0)
		rc = exec_str(p->t, sbuf_cstr(&b), err);
	if (rc == 0)
		rc = start_guard(p, &b, err);
	sbuf_reset(&b);
	sbuf_puts(&b, "SELECT file, pos FROM ");
	sqlgen_ident(&b, meta, strlen(meta));
	sbuf_puts(&b, ".`ddl` WHERE job=");
	sql_str(&b, p->cfg->name);
	if (rc == 0 &&
	    (rc = target_query(p->t, sbuf_cstr(&b), &rows, err)) == 0) {
		const char *f = target_rows_get(&rows, 0, 0);
		const char *ps = target_rows_get(&rows, 0, 1);

		if (f && ps) {
			snprintf(p->ddl_file, sizeof(p->ddl_file), "%s", f);
			p->ddl_pos = strtoull(ps, NULL, 10);
		}
		target_rows_free(&rows);
	}
	sbuf_reset(&b);
	sbuf_puts(&b, "SELECT worker, file, pos, gtid, dirty FROM ");
	sqlgen_ident(&b, meta, strlen(meta));
	sbuf_puts(&b, ".`checkpoint` WHERE job=");
	sql_str(&b, p->cfg->name);
	memset(r, 0, sizeof(*r));
	if (rc == 0)
		rc = target_query(p->t, sbuf_cstr(&b), &rows, err);
	if (rc != 0) {
		sbuf_deinit(&b);
		sl_err_ctx(err, "meta database %s", meta);
		err->code = rc;
		return rc;
	}
	for (size_t i = 0; i < rows.n_rows; i++) {
		const char *f = target_rows_get(&rows, i, 1);
		const char *ps = target_rows_get(&rows, i, 2);
		const char *g = target_rows_get(&rows, i, 3);
		const char *d = target_rows_get(&rows, i, 4);
		const char *ws = target_rows_get(&rows, i, 0);
		long wi = ws ? strtol(ws, NULL, 10) : -1;
		uint64_t pos = ps ? strtoull(ps, NULL, 10) : 0;
		/* a dirty worker holds part of the transaction after pos:
		 * safe mode must run until that one has ended */
		uint64_t until = pos + (d && d[0] == '1');

		if (f == NULL || *f == '\0')
			continue;
		n_all++;
		if (wi >= 0 && wi < (long)p->n_workers) {
			struct worker *w = &p->w[wi];

			n_found++;
			snprintf(w->floor_file, sizeof(w->floor_file), "%s", f);
			snprintf(w->floor_gtid, sizeof(w->floor_gtid), "%s",
			         g ? g : "");
			w->floor_pos = pos;
			w->floor_dirty = until != pos;
		}
		if (!r->have || pos_cmp(f, pos, r->file, r->pos) < 0) {
			r->have = true;
			snprintf(r->file, sizeof(r->file), "%s", f);
			r->pos = pos;
			snprintf(r->gtid, sizeof(r->gtid), "%s", g ? g : "");
		}
		if (maxf[0] == '\0' || pos_cmp(f, until, maxf, maxp) > 0) {
			snprintf(maxf, sizeof(maxf), "%s", f);
			maxp = until;
		}
	}
	target_rows_free(&rows);
	if (r->have) {
		/* workers that have no row (count grew) start at the oldest;
		 * rows of workers beyond the count would hold the resume
		 * point back forever */
		sbuf_reset(&b);
		sbuf_puts(&b, "DELETE FROM ");
		sqlgen_ident(&b, meta, strlen(meta));
		sbuf_puts(&b, ".`checkpoint` WHERE job=");
		sql_str(&b, p->cfg->name);
		sbuf_printf(&b, " AND worker >= %u", p->n_workers);
		rc = exec_str(p->t, sbuf_cstr(&b), err);
		for (unsigned i = 0; rc == 0 && i < p->n_workers; i++) {
			sbuf_reset(&b);
			checkpoint_sql(&b, p, (int)i, r->file, r->pos, r->gtid,
			               false, true);
			rc = exec_str(p->t, sbuf_cstr(&b), err);
		}
		p->safe = pos_cmp(r->file, r->pos, maxf, maxp) < 0;
		/* same worker count: the same hash routes */
		p->skip_ok = n_found == p->n_workers && n_all == p->n_workers;
		snprintf(p->safe_file, sizeof(p->safe_file), "%s", maxf);
		p->safe_pos = maxp;
		snprintf(p->file, sizeof(p->file), "%s", r->file);
		p->txn_pos = r->pos;
		snprintf(p->gtid, sizeof(p->gtid), "%s", r->gtid);
	} else {
		p->need_initial = true;
	}
	sbuf_deinit(&b);
	return rc;
}

/* --- worker ----------------------------------------------------------- */

static void free_items(struct worker *w, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		free(w->pend[i]);
}

/* Checked mode: is the row whose key is in img on the target?  The WHERE
 * clause of a one-row DELETE, run as a SELECT. */
static int row_present(struct worker *w, const struct sqlgen_table *t,
                       const struct cell *img, bool *yes, struct sl_err *err)
{
	struct target_rows r;
	size_t done;
	int rc;

	sbuf_reset(&w->probe);
	sbuf_puts(&w->probe, "SELECT 1 FROM");
	rc = sqlgen_delete(&w->probe, t, &img, 1, 0, &done, err);
	if (rc != 0)
		return SL_EFATAL;
	/* "SELECT 1 FROMDELETE FROM `db`.`t` WHERE …": drop "DELETE FROM" */
	memmove(w->probe.p + 13, w->probe.p + 13 + 11, w->probe.len - 13 - 11);
	w->probe.len -= 11;
	if (!sbuf_ok(&w->probe))
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	if (target_query(w->t, sbuf_cstr(&w->probe), &r, err) != 0)
		return classify(w->t);
	*yes = r.n_rows > 0;
	target_rows_free(&r);
	return 0;
}

/* Checked mode, before a DELETE or an upsert: rows the target lacks fail
 * the batch (on-missing-row: fail) with their key, or are counted. */
static int check_rows(struct worker *w, const struct sqlgen_table *t,
                      const struct cell *const *imgs, size_t n,
                      struct sl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		bool yes = true;
		int rc = row_present(w, t, imgs[i], &yes, err);

		if (rc != 0)
			return rc;
		if (yes)
			continue;
		w->missing++;
		if (w->p->cfg->on_missing_row == CONFIG_MISSING_FAIL) {
			const char *where =
			    strstr(sbuf_cstr(&w->probe), " WHERE ");

			return sl_err_set(err, SL_EFATAL,
			                  "the row%s is missing on the target "
			                  "(on-missing-row: fail)",
			                  where ? where : "");
		}
	}
	return 0;
}

#define KIND_OTHER 100 /* BEGIN, checkpoint: not counted */

/* Affected-row accounting of a statement of n DELETEs or upserts that
 * got aff: a DELETE of a present row counts 1; an upsert 2 for an updated
 * row, 1 for an inserted (missing) one, 1 for a row already equal
 * (CLIENT_FOUND_ROWS).  A shortfall is SL_ENOTFOUND: the batch is applied
 * again in checked mode, which finds the missing rows (an upsert's
 * shortfall may also be rows already equal: the check tells).  Safe mode
 * replays rows that may be there or not: nothing is counted. */
static int account(const struct worker *w, const struct stmt_desc *d,
                   uint64_t aff, struct sl_err *err)
{
	uint64_t want;

	if (w->safe || w->checked || (d->kind >= 0 && d->kind != SQLGEN_UPSERT))
		return 0;
	want = d->kind < 0 ? d->n : 2 * (uint64_t)d->n;
	if (aff >= want)
		return 0;
	return sl_err_set(err, SL_ENOTFOUND,
	                  "table %s.%s: %" PRIu64 " of %u rows to %s may be "
	                  "missing",
	                  d->tb->db, d->tb->name,
	                  d->kind < 0 ? want - aff : (want - aff + 1) / 2, d->n,
	                  d->kind < 0 ? "delete" : "update");
}

/* Sends the pending statements as one request and checks their counts. */
static int send_pending(struct worker *w, struct sl_err *err)
{
	size_t failed = 0;
	int rc = 0;

	if (w->n_desc == 0)
		return 0;
	if (!sbuf_ok(&w->sql))
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	if (target_exec_multi(w->t, w->sql.p, w->sql.len, w->aff, w->n_desc,
	                      &failed, err) != 0) {
		rc = classify(w->t);
		if (failed < w->n_desc && w->desc[failed].tb != NULL)
			sl_err_ctx(err, "table %s.%s", w->desc[failed].tb->db,
			           w->desc[failed].tb->name);
	}
	for (size_t i = 0; rc == 0 && i < w->n_desc; i++)
		rc = account(w, &w->desc[i], w->aff[i], err);
	sbuf_reset(&w->sql);
	w->n_desc = 0;
	return rc;
}

/* Queues one statement built by the caller from w->sql's length `from`
 * (a ';' goes before it when it is not the first). */
static int add_desc(struct worker *w, int kind, size_t n,
                    const struct ptable *tb, struct sl_err *err)
{
	if (w->n_desc == w->desc_cap) {
		size_t cap = w->desc_cap ? 2 * w->desc_cap : 64;
		void *d = realloc(w->desc, cap * sizeof(*w->desc));
		void *a;

		if (d == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		w->desc = d;
		a = realloc(w->aff, cap * sizeof(*w->aff));
		if (a == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		w->aff = a;
		w->desc_cap = cap;
	}
	w->desc[w->n_desc].kind = kind;
	w->desc[w->n_desc].n = (uint32_t)n;
	w->desc[w->n_desc].tb = tb;
	w->n_desc++;
	return 0;
}

/* Writes imgs[0..n) of table tb as DELETEs (kind < 0) or with verb kind:
 * appended to the pending request (sent when it reaches MULTI_BYTES), or
 * in checked mode run at once, each row checked first. */
static int emit(struct worker *w, const struct ptable *tb, int kind,
                const struct cell *const *imgs, size_t n, struct sl_err *err)
{
	const struct sqlgen_table *t = &tb->t;
	size_t at = 0, done;
	int rc;

	while (at < n) {
		if (w->checked)
			sbuf_reset(&w->sql);
		else if (w->sql.len > 0)
			sbuf_putc(&w->sql, ';');
		if (kind < 0)
			rc = sqlgen_delete(&w->sql, t, imgs + at, n - at,
			                   MAX_STMT_BYTES, &done, err);
		else
			rc = sqlgen_insert(&w->sql, t, (enum sqlgen_verb)kind,
			                   imgs + at, n - at, MAX_STMT_BYTES,
			                   &done, err);
		if (rc != 0) {
			sl_err_ctx(err, "table %s.%s", tb->db, tb->name);
			return SL_EFATAL;
		}
		if (!sbuf_ok(&w->sql))
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		if (!w->checked) {
			if ((rc = add_desc(w, kind, done, tb, err)) != 0 ||
			    (w->sql.len >= MULTI_BYTES &&
			     (rc = send_pending(w, err)) != 0))
				return rc;
			at += done;
			continue;
		}
		if ((kind < 0 || kind == SQLGEN_UPSERT) &&
		    (rc = check_rows(w, t, imgs + at, done, err)) != 0) {
			sl_err_ctx(err, "table %s.%s", tb->db, tb->name);
			return rc;
		}
		rc = target_exec(w->t, w->sql.p, w->sql.len, NULL, err);
		if (rc != 0) {
			sl_err_ctx(err, "table %s.%s", tb->db, tb->name);
			return classify(w->t);
		}
		at += done;
	}
	return 0;
}

/* Changes w->ch[0..k) of a table with unique keys besides its routing
 * key, in source order: moving a unique value from row to row is only
 * safe in the order the source did it, so there is no compaction; runs
 * of the same kind of change still make one multi-row statement (each is
 * applied row after row, which is the source's order).  A key-changing
 * UPDATE is a DELETE then an INSERT.  Safe mode writes REPLACE, which
 * also clears rows holding the same unique values, where an upsert
 * would update them. */
static int apply_ordered(struct worker *w, const struct ptable *tb, size_t k,
                         struct sl_err *err)
{
	bool safe = w->safe;
	size_t n = 0;
	int kind = 0, rc;

	if (w->run_cap < 2 * k) {
		void *q = realloc(w->run, 2 * k * sizeof(const struct cell *));

		if (q == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		w->run = q;
		w->run_cap = 2 * k;
	}
	for (size_t i = 0; i <= k; i++) {
		const struct sqlgen_change *c = i < k ? &w->ch[i] : NULL;
		const struct cell *img[2];
		int kinds[2], m = 0;

		if (c == NULL) {
			kinds[m] = -2; /* the end: flush the last run */
			img[m++] = NULL;
		} else if (c->op == ROW_DELETE) {
			kinds[m] = -1;
			img[m++] = c->before;
		} else if (c->op == ROW_INSERT) {
			kinds[m] = safe ? SQLGEN_REPLACE : SQLGEN_INSERT;
			img[m++] = c->after;
		} else if (sqlgen_key_changed(&tb->t, c->before, c->after)) {
			kinds[m] = -1;
			img[m++] = c->before;
			kinds[m] = safe ? SQLGEN_REPLACE : SQLGEN_INSERT;
			img[m++] = c->after;
		} else {
			kinds[m] = safe ? SQLGEN_REPLACE : SQLGEN_UPSERT;
			img[m++] = c->after;
		}
		for (int j = 0; j < m; j++) {
			if (n > 0 && kinds[j] != kind) {
				if ((rc = emit(w, tb, kind, w->run, n, err)) !=
				    0)
					return rc;
				n = 0;
			}
			kind = kinds[j];
			if (img[j] != NULL)
				w->run[n++] = img[j];
		}
	}
	return 0;
}

/* Applies the changes of table tb among pend[0..n). */
static int apply_table(struct worker *w, struct ptable *tb, size_t n,
                       struct sl_err *err)
{
	const struct sqlgen_table *t = &tb->t;
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct item *it = w->pend[i];

		if (it->kind != IT_ROW || it->tb != tb || it->skip)
			continue;
		if (k == w->ch_cap) {
			size_t cap = w->ch_cap ? 2 * w->ch_cap : 256;
			void *q = realloc(w->ch, cap * sizeof(*w->ch));

			if (q == NULL)
				return sl_err_set(err, SL_ENOMEM,
				                  "out of memory");
			w->ch = q;
			w->ch_cap = cap;
		}
		memset(&w->ch[k], 0, sizeof(w->ch[k]));
		w->ch[k].op = it->op;
		w->ch[k].before = it->before;
		w->ch[k].after = it->after;
		k++;
	}
	if (k == 0)
		return 0;
	if (t->n_keys == 0) {
		/* in source order, one statement per change */
		for (size_t i = 0; i < k; i++) {
			const struct cell *b = w->ch[i].before,
			                  *a = w->ch[i].after;

			if (b != NULL &&
			    (rc = emit(w, tb, -1, &b, 1, err)) != 0)
				return rc;
			if (a != NULL &&
			    (rc = emit(w, tb, SQLGEN_INSERT, &a, 1, err)) != 0)
				return rc;
		}
		return 0;
	}
	if (tb->n_uk > 0)
		return apply_ordered(w, tb, k, err);
	if (sqlgen_keys(&w->comp, t, w->ch, k, err) != 0 ||
	    sqlgen_compact(&w->comp, t, w->ch, k, w->safe, err) != 0) {
		sl_err_ctx(err, "table %s.%s", tb->db, tb->name);
		return SL_EFATAL;
	}
	if ((rc = emit(w, tb, -1, w->comp.del, w->comp.n_del, err)) != 0 ||
	    (rc = emit(w, tb, w->safe ? SQLGEN_REPLACE : SQLGEN_INSERT,
	               w->comp.ins, w->comp.n_ins, err)) != 0 ||
	    (rc = emit(w, tb, SQLGEN_UPSERT, w->comp.upd, w->comp.n_upd,
	               err)) != 0)
		return rc;
	return 0;
}

/* True when the checkpoint row already says mark (a COMMIT that landed
 * although its answer was lost). */
static bool already_committed(struct worker *w, const struct item *mark)
{
	struct pipeline *p = w->p;
	struct target_rows r;
	struct sl_err err;
	struct sbuf b;
	bool yes = false;

	sbuf_init(&b);
	sbuf_puts(&b, "SELECT file, pos FROM ");
	sqlgen_ident(&b, p->cfg->meta_database, strlen(p->cfg->meta_database));
	sbuf_puts(&b, ".`checkpoint` WHERE job=");
	sql_str(&b, p->cfg->name);
	sbuf_printf(&b, " AND worker=%u", w->id);
	if (target_query(w->t, sbuf_cstr(&b), &r, &err) == 0) {
		const char *f = target_rows_get(&r, 0, 0);
		const char *ps = target_rows_get(&r, 0, 1);

		yes = f && ps &&
		      pos_cmp(f, strtoull(ps, NULL, 10), mark->file,
		              mark->pos) >= 0;
		target_rows_free(&r);
	}
	sbuf_deinit(&b);
	return yes;
}

/* The checkpoint statement of mark, appended to w->sql. */
static void mark_sql(struct worker *w, const struct item *mark)
{
	if (w->floor_file[0] != '\0' &&
	    pos_cmp(mark->file, mark->pos, w->floor_file, w->floor_pos) <= 0)
		checkpoint_sql(&w->sql, w->p, (int)w->id, w->floor_file,
		               w->floor_pos, w->floor_gtid,
		               w->floor_dirty ||
		                   (mark->dirty &&
		                    pos_cmp(mark->file, mark->pos,
		                            w->floor_file, w->floor_pos) == 0),
		               false);
	else
		checkpoint_sql(&w->sql, w->p, (int)w->id, mark->file, mark->pos,
		               mark->gtid, mark->dirty, false);
}

/* One attempt: pend[0..n) (ending with mark) in one transaction, table
 * by table in the order each first appears.  Normally two round trips:
 * BEGIN, the statements and the checkpoint as one request (more when it
 * passes MULTI_BYTES), then COMMIT once the affected-row counts are
 * checked.  Checked mode runs statement by statement. */
static int apply_once(struct worker *w, size_t n, const struct item *mark,
                      struct sl_err *err)
{
	size_t n_seen = 0;
	int rc = 0;

	sbuf_reset(&w->sql);
	w->n_desc = 0;
	if (w->checked) {
		if (target_begin(w->t, err) != 0)
			return classify(w->t);
	} else {
		sbuf_puts(&w->sql, "BEGIN");
		rc = add_desc(w, KIND_OTHER, 0, NULL, err);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct item *it = w->pend[i];
		bool dup = false;

		if (it->kind != IT_ROW || it->skip)
			continue;
		for (size_t j = 0; j < n_seen && !dup; j++)
			dup = w->seen[j] == it->tb;
		if (dup)
			continue;
		if (n_seen == w->seen_cap) {
			size_t cap = w->seen_cap ? 2 * w->seen_cap : 16;
			void *q =
			    realloc(w->seen, cap * sizeof(struct ptable *));

			if (q == NULL) {
				rc =
				    sl_err_set(err, SL_ENOMEM, "out of memory");
				break;
			}
			w->seen = q;
			w->seen_cap = cap;
		}
		w->seen[n_seen++] = it->tb;
		rc = apply_table(w, it->tb, n, err);
	}
	if (rc == 0) {
		if (w->checked) {
			sbuf_reset(&w->sql);
			mark_sql(w, mark);
			if (target_exec(w->t, w->sql.p, w->sql.len, NULL,
			                err) != 0)
				rc = classify(w->t);
		} else {
			sbuf_putc(&w->sql, ';');
			mark_sql(w, mark);
			rc = add_desc(w, KIND_OTHER, 0, NULL, err);
			if (rc == 0)
				rc = send_pending(w, err);
		}
	}
	if (rc == 0 && target_commit(w->t, err) != 0)
		rc = classify(w->t);
	if (rc != 0) {
		if (rc == SL_ENOMEM)
			rc = SL_EFATAL;
		target_rollback(w->t);
	}
	return rc;
}

static int apply_batch(struct worker *w, size_t n);

/* After a restart with the same workers, a worker skips the rows it had
 * committed before: those of transactions ending at or before its own
 * checkpoint.  Only rows routed by hash alone (tables without other
 * unique keys; routing by the causality set depends on timing) and only
 * when every worker's checkpoint was found; the rest of the window is
 * replayed in safe mode as before. */
static void mark_skips(struct worker *w, size_t n)
{
	const struct item *next = NULL; /* the transaction end after i */

	if (!w->p->skip_ok || w->floor_file[0] == '\0')
		return;
	for (size_t i = n; i > 0; i--) {
		struct item *it = w->pend[i - 1];

		if (it->kind == IT_MARK) {
			next = it;
			continue;
		}
		it->skip = next != NULL && !next->dirty && it->tb->n_uk == 0 &&
		           pos_cmp(next->file, next->pos, w->floor_file,
		                   w->floor_pos) <= 0;
	}
}

/* The target refused pend[0..n) as too large (TiDB 8004/8025, a packet
 * over max_allowed_packet): it is applied in two parts, cut at the
 * transaction end nearest its middle; a batch of one source transaction
 * is cut in halves, the first committed with a dirty checkpoint at the
 * worker's last position (a restart replays that transaction in safe
 * mode).  Returns apply_batch's result, or 1 when it cannot be cut (one
 * row, or no checkpoint yet to flag). */
static int apply_split(struct worker *w, size_t n)
{
	struct item **base = w->pend;
	size_t rows = 0, m = 0, half = n / 2;
	int rc;

	for (size_t i = 0; i + 1 < n; i++) {
		rows += base[i]->kind == IT_ROW;
		if (base[i]->kind == IT_MARK &&
		    (m == 0 || (i + 1 > half ? i + 1 - half : half - i - 1) <
		                   (m > half ? m - half : half - m)))
			m = i + 1;
	}
	if (rows <= 1)
		return 1;
	if (m > 0) {
		rc = apply_batch(w, m);
		if (rc == 0) {
			w->pend = base + m;
			rc = apply_batch(w, n - m);
			w->pend = base;
		}
		return rc;
	}
	{
		size_t h = (n - 1) / 2;
		struct item **tmp = malloc((h + 1) * sizeof(struct item *));
		struct item dm;
		char file[256];

		if (tmp == NULL || w->ck_file[0] == '\0') {
			free(tmp);
			return 1;
		}
		snprintf(file, sizeof(file), "%s", w->ck_file);
		memset(&dm, 0, sizeof(dm));
		dm.kind = IT_MARK;
		dm.dirty = true;
		dm.pos = w->ck_pos;
		dm.file = file;
		dm.gtid = "";
		dm.ts = base[n - 1]->ts;
		memcpy(tmp, base, h * sizeof(struct item *));
		tmp[h] = &dm;
		w->pend = tmp;
		rc = apply_batch(w, h + 1);
		w->pend = base;
		free(tmp);
		if (rc == 0) {
			w->pend = base + h;
			rc = apply_batch(w, n - h);
			w->pend = base;
		}
		return rc;
	}
}

/* Applies pend[0..n) where pend[n-1] is a commit marker, with retries. */
static int apply_batch(struct worker *w, size_t n)
{
	struct pipeline *p = w->p;
	const struct item *mark = w->pend[n - 1];
	bool safe = false;
	uint64_t rows = 0;
	long backoff = 100000;
	struct sl_err err;
	int rc = 0;

	uint64_t ops[3] = {0, 0, 0};
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	mark_skips(w, n);
	for (size_t i = 0; i < n; i++)
		if (w->pend[i]->kind == IT_ROW) {
			int op = w->pend[i]->op;

			rows++;
			safe |= w->pend[i]->safe;
			ops[op == ROW_INSERT ? 0 : op == ROW_UPDATE ? 1 : 2]++;
		}
	for (int attempt = 0;; attempt++) {
		sl_err_clear(&err);
		if (w->t == NULL) {
			rc = open_target(p->cfg, w->id, &w->t, &err);
			if (rc != 0) {
				w->t = NULL;
				rc = SL_ERETRY;
			} else if (!mark->dirty && already_committed(w, mark)) {
				break;
			}
		}
		w->safe = safe;
		if (w->t != NULL)
			rc = apply_once(w, n, mark, &err);
		if (rc == 0)
			break;
		if (rc == SL_ENOTFOUND && !w->checked) {
			/* affected rows fell short: again, row by row */
			w->checked = true;
			w->missing = 0;
			attempt--;
			continue;
		}
		if (rc == SL_ESPLIT) {
			int sr;

			logf_("worker %u: the target refused a batch of %zu "
			      "items as too large (%s): splitting it",
			      w->id, n, err.msg);
			sr = apply_split(w, n);
			if (sr <= 0)
				return sr;
		}
		if (rc == SL_ECONFLICT && !safe &&
		    (p->cfg->on_conflict == CONFIG_CONFLICT_REPLACE ||
		     (p->replace_file[0] &&
		      pos_cmp(mark->file, mark->pos, p->replace_file,
		              p->replace_pos) <= 0))) {
			logf_("worker %u: duplicate key (%s); applying the "
			      "batch again with REPLACE",
			      w->id, err.msg);
			safe = true;
			continue;
		}
		if (rc != SL_ERETRY || attempt >= RETRY_MAX) {
			char msg[SL_ERR_MSG_CAP];

			snprintf(msg, sizeof(msg),
			         "worker %u: %s error applying the batch "
			         "before %s:%" PRIu64 ": %s",
			         w->id, tidb_class_name(rc), mark->file,
			         mark->pos, err.msg);
			pthread_mutex_lock(&p->fail_mu);
			if (!atomic_load(&p->failed)) {
				p->fail_conflict = rc == SL_ECONFLICT;
				snprintf(p->fail_file, sizeof(p->fail_file),
				         "%s", mark->file);
				p->fail_pos = mark->pos;
			}
			pthread_mutex_unlock(&p->fail_mu);
			fail(p, msg);
			return rc;
		}
		logf_("worker %u: retry %d in %ld ms: %s", w->id, attempt + 1,
		      backoff / 1000, err.msg);
		atomic_fetch_add(&w->retries, 1);
		if (w->t != NULL && (target_errno(w->t) == 2006 ||
		                     target_errno(w->t) == 2013)) {
			target_close(w->t);
			w->t = NULL;
		}
		sleep_us(backoff);
		if (backoff < 5000000)
			backoff *= 2;
	}
	if (w->checked && w->missing > 0) {
		logf_("worker %u: %" PRIu64 " row(s) to update or delete "
		      "missing on the target in the batch before %s:%" PRIu64
		      " (on-missing-row: warn; updates wrote the source's "
		      "row)",
		      w->id, w->missing, mark->file, mark->pos);
		atomic_fetch_add(&p->missing_rows, w->missing);
	}
	w->checked = false;
	w->missing = 0;
	for (int i = 0; i < 3; i++)
		atomic_fetch_add(&w->ops[i], ops[i]);
	atomic_fetch_add(&w->rows_out, rows);
	atomic_fetch_add(&w->batches, 1);
	{
		struct timespec t1;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		atomic_store(&w->batch_us,
		             (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 +
		                        (t1.tv_nsec - t0.tv_nsec) / 1000));
	}
	atomic_store(&w->commit_ts, mark->ts);
	pthread_mutex_lock(&w->st_mu);
	snprintf(w->ck_file, sizeof(w->ck_file), "%s", mark->file);
	w->ck_pos = mark->pos;
	pthread_mutex_unlock(&w->st_mu);
	return 0;
}

/* Commits everything up to the last marker held; keeps the rest. */
static int flush(struct worker *w)
{
	size_t last = 0;
	int rc = 0;

	for (size_t i = w->n_pend; i > 0; i--)
		if (w->pend[i - 1]->kind == IT_MARK) {
			last = i;
			break;
		}
	if (last == 0)
		return 0;
	rc = apply_batch(w, last);
	free_items(w, 0, last);
	memmove(w->pend, w->pend + last,
	        (w->n_pend - last) * sizeof(struct item *));
	w->n_pend -= last;
	atomic_fetch_add_explicit(&w->consumed, last, memory_order_release);
	return rc;
}

/* A worker sleeps until wake_at items are queued for it (the dispatcher
 * wakes it: 1 when it holds nothing, what fills its batch while it
 * lingers) or us pass (the linger's end; for an empty worker only a
 * safety net), so an idle pipeline makes no wake-ups. */
static void idle_wait(struct worker *w, size_t wake_at, long us)
{
	struct timespec ts = {us / 1000000, us % 1000000 * 1000};
	struct pipeline *p = w->p;

	/* sleeping, then the queue (the dispatcher: the queue, then
	 * sleeping): one of the two sees the other, no wake is lost */
	atomic_store_explicit(&w->wake_at, wake_at, memory_order_relaxed);
	atomic_store(&w->sleeping, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (queue_len(&w->q) < wake_at && !atomic_load(&p->stop) &&
	    !atomic_load(&p->failed) &&
	    (wake_at == 1 || !atomic_load(&p->hurry)))
		syscall(SYS_futex, &w->sleeping, FUTEX_WAIT_PRIVATE, 1, &ts,
		        NULL, 0);
	atomic_store(&w->sleeping, 0);
}

static void wake(struct worker *w)
{
	if (atomic_exchange(&w->sleeping, 0))
		syscall(SYS_futex, &w->sleeping, FUTEX_WAKE_PRIVATE, 1, NULL,
		        NULL, 0);
}

/* Every sleeping worker: a barrier, the end, a failure. */
static void wake_all(struct pipeline *p)
{
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned i = 0; i < p->n_workers; i++)
		wake(&p->w[i]);
}

/* Dispatcher side, after a push: wakes w when it sleeps and has what it
 * waits for (its first item, or enough to fill its batch). */
static void wake_if_ready(struct worker *w)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&w->sleeping, memory_order_relaxed) &&
	    queue_len(&w->q) >=
	        atomic_load_explicit(&w->wake_at, memory_order_relaxed))
		wake(w);
}

static long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline *p = w->p;
	size_t rows = 0;
	long first_us = 0; /* when the oldest row held arrived */

	for (;;) {
		void *got[256];
		size_t n = queue_pop_n(&w->q, got, 256);

		if (atomic_load(&p->failed))
			break;
		if (n == 0) {
			bool stop = atomic_load(&p->stop);

			n = queue_pop_n(&w->q, got, 256);
			if (n == 0) {
				long left = 0;

				/* linger: a part batch waits up to linger_us
				 * from its first row for more (fewer, larger
				 * commits under a live load) */
				if (rows > 0 && !stop && p->linger_us > 0 &&
				    !atomic_load_explicit(&p->hurry,
				                          memory_order_relaxed))
					left =
					    first_us + p->linger_us - mono_us();
				if (left > 0) {
					/* until the linger ends or the
					 * batch can fill */
					idle_wait(w,
					          rows < p->batch
					              ? p->batch - rows
					              : 1,
					          left);
					continue;
				}
				if (flush(w) != 0)
					break;
				rows = 0;
				if (stop)
					break;
				idle_wait(w, 1, IDLE_WAIT_US);
				continue;
			}
		}
		for (size_t i = 0; i < n; i++) {
			struct item *it = got[i];

			if (it->kind == IT_DISCARD) {
				size_t keep = 0;

				for (size_t j = w->n_pend; j > 0; j--)
					if (w->pend[j - 1]->kind == IT_MARK) {
						keep = j;
						break;
					}
				free_items(w, keep, w->n_pend);
				atomic_fetch_add(&w->rows_dropped,
				                 w->n_pend - keep);
				atomic_fetch_add(&w->consumed,
				                 w->n_pend - keep + 1);
				w->n_pend = keep;
				free(it);
				continue;
			}
			if (w->n_pend == w->cap_pend) {
				size_t cap =
				    w->cap_pend ? 2 * w->cap_pend : 1024;
				void *q = realloc(w->pend,
				                  cap * sizeof(struct item *));

				if (q == NULL) {
					fail(p, "worker: out of memory");
					free(it);
					goto out;
				}
				w->pend = q;
				w->cap_pend = cap;
			}
			w->pend[w->n_pend++] = it;
			if (it->kind == IT_ROW) {
				if (rows++ == 0 && p->linger_us > 0)
					first_us = mono_us();
			} else if (rows >= p->batch || it->dirty) {
				if (flush(w) != 0)
					goto out;
				rows = 0;
			}
		}
	}
out:
	free_items(w, 0, w->n_pend);
	w->n_pend = 0;
	return NULL;
}

/* --- dispatcher --------------------------------------------------------- */

static void push(struct pipeline *p, unsigned wi, struct item *it)
{
	struct worker *w = &p->w[wi];

	while (queue_push(&w->q, it) != 0) {
		if (atomic_load(&p->failed)) {
			free(it);
			return;
		}
		sleep_us(1000); /* a full ring holds ~8k items: ms to drain */
	}
	atomic_store_explicit(
	    &w->pushed,
	    atomic_load_explicit(&w->pushed, memory_order_relaxed) + 1,
	    memory_order_relaxed);
	wake_if_ready(w);
}

/* Waits until every worker has committed or dropped all it was given. */
static void barrier(struct pipeline *p)
{
	atomic_fetch_add(&p->hurry, 1);
	wake_all(p);
	for (unsigned i = 0; i < p->n_workers; i++)
		while (atomic_load_explicit(&p->w[i].consumed,
		                            memory_order_acquire) !=
		           p->w[i].pushed &&
		       !atomic_load(&p->failed))
			sleep_us(200);
	atomic_fetch_sub(&p->hurry, 1);
}

static struct item *new_mark(struct pipeline *p, uint64_t pos)
{
	size_t nf = strlen(p->file) + 1, ng = strlen(p->gtid) + 1;
	struct item *it = malloc(sizeof(*it) + nf + ng);
	char *q;

	if (it == NULL)
		return NULL;
	memset(it, 0, sizeof(*it));
	it->kind = IT_MARK;
	it->pos = pos;
	it->ts = p->txn_ts;
	q = (char *)(it + 1);
	memcpy(q, p->file, nf);
	memcpy(q + nf, p->gtid, ng);
	it->file = q;
	it->gtid = q + nf;
	return it;
}

/* What pipeline_stats reports as read: the last transaction end.  At
 * most every 50 ms (a lock and two string copies per transaction showed
 * in the profile of one-row transactions); pipeline_poll publishes what
 * is left behind. */
static void publish_read(struct pipeline *p, bool force)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (!force && (now.tv_sec - p->st_pub.tv_sec) * 1000000000L +
	                      (now.tv_nsec - p->st_pub.tv_nsec) <
	                  50000000L) {
		p->st_stale = true;
		return;
	}
	p->st_pub = now;
	p->st_stale = false;
	pthread_mutex_lock(&p->st_mu);
	snprintf(p->st_file, sizeof(p->st_file), "%s", p->file);
	p->st_pos = p->txn_pos;
	snprintf(p->st_gtid, sizeof(p->st_gtid), "%s", p->gtid);
	p->st_rows_in = p->rows_in;
	p->st_safe = p->safe;
	now_s(&p->st_last_read);
	pthread_mutex_unlock(&p->st_mu);
}

/* End of a source transaction at end position pos: markers go to every
 * worker that got rows in it (all when all is set). */
static int txn_end(struct pipeline *p, uint64_t pos, bool all,
                   struct sl_err *err)
{
	{
		const char *g = decoder_gtid(p->dc);
		size_t n = strlen(g);

		if (n >= sizeof(p->gtid))
			n = sizeof(p->gtid) - 1;
		memcpy(p->gtid, g, n);
		p->gtid[n] = '\0';
	}
	for (unsigned i = 0; i < p->n_workers; i++) {
		struct item *m;

		if (!all && !p->w[i].got_rows)
			continue;
		m = new_mark(p, pos);
		if (m == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		push(p, i, m);
		p->w[i].got_rows = false;
	}
	p->txn_pos = pos;
	p->dirty_txn = false;
	publish_read(p, false);
	if (p->safe && pos_cmp(p->file, pos, p->safe_file, p->safe_pos) >= 0) {
		p->safe = false;
		logf_("passed the newest checkpoint %s:%" PRIu64
		      ": safe mode off",
		      p->safe_file, p->safe_pos);
	}
	return 0;
}

static bool object_wanted(const struct job_config *cfg, const char *db,
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

static void ptable_free(struct ptable *tb)
{
	free(tb->db);
	free(tb->name);
	tablemap_cache_free(tb->cache);
	free(tb->names);
	free(tb->omit);
	free(tb->keys);
	free(tb->uk);
	free(tb);
}

static int build_ptable(struct pipeline *p, const struct event *ev,
                        struct ptable **out, struct sl_err *err)
{
	const struct table_map *tm = ev->u.table_map.tm;
	const struct schema_table *st;
	struct ptable *tb = calloc(1, sizeof(*tb));
	int rc;

	if (tb == NULL || (tb->cache = tablemap_cache_new()) == NULL ||
	    (tb->db = strdup(tm->db.p)) == NULL ||
	    (tb->name = strdup(tm->table.p)) == NULL) {
		if (tb)
			ptable_free(tb);
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	tb->gen = p->gen;
	tb->next = p->tables;
	p->tables = tb;
	tb->table_hash =
	    sqlgen_hash((const uint8_t *)tm->db.p, tm->db.len) ^
	    (sqlgen_hash((const uint8_t *)tm->table.p, tm->table.len) * 31);
	rc = tablemap_cache_put(tb->cache, ev->body, ev->body_len, 6, &tb->tm,
	                        err);
	if (rc != 0)
		return rc;
	if (!object_wanted(p->cfg, tb->db, tb->name)) {
		tb->skip = true;
		*out = tb;
		return 0;
	}
	rc = schema_get(p->schema, tb->db, tb->name, &st, err);
	if (rc == 0)
		rc = schema_check(st, tb->tm, err);
	if (rc != 0)
		return rc;
	tb->names = calloc(st->n_cols, sizeof(*tb->names));
	tb->omit = calloc(st->n_cols, 1);
	tb->keys = calloc(st->n_key ? st->n_key : 1, sizeof(*tb->keys));
	if (!tb->names || !tb->omit || !tb->keys)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	/* names point into the schema cache, which lives until DDL; copy */
	for (uint32_t i = 0; i < st->n_cols; i++) {
		char *s = strdup(st->cols[i].name);

		if (s == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		tb->names[i].p = s;
		tb->names[i].len = (uint32_t)strlen(s);
		tb->omit[i] = st->cols[i].generated;
	}
	if (st->n_key > 0)
		memcpy(tb->keys, st->key, st->n_key * sizeof(*tb->keys));
	if (st->n_key > 0 && st->n_uniq > 0) {
		tb->uk = calloc(st->n_uniq, sizeof(*tb->uk));
		if (tb->uk == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		for (uint32_t i = 0; i < st->n_uniq; i++) {
			uint32_t n = st->uniq_len[i];

			if (n == 0 || n > ROUTE_MAX_KEY_COLS)
				continue;
			rc = route_key_init(&tb->uk[tb->n_uk], tb->tm,
			                    st->uniq[i], st->uniq[i] + n, n,
			                    err);
			if (rc != 0)
				return rc;
			tb->n_uk++;
		}
	}
	tb->t.db = tb->tm->db;
	tb->t.name = tb->tm->table;
	tb->t.n_cols = tb->tm->n_cols;
	tb->t.cols = tb->tm->cols;
	tb->t.col_names = tb->names;
	tb->t.omit = tb->omit;
	tb->t.n_keys = st->n_key;
	tb->t.keys = tb->keys;
	if (st->n_key > 0 && st->n_key <= ROUTE_MAX_KEY_COLS) {
		rc = route_key_init(&tb->rk, tb->tm, tb->keys,
		                    st->key + st->n_key, st->n_key, err);
		if (rc != 0)
			return rc;
	} else {
		tb->t.n_keys = 0;
	}
	*out = tb;
	return 0;
}

static int on_table_map(struct pipeline *p, const struct event *ev,
                        struct sl_err *err)
{
	const struct table_map *tm = ev->u.table_map.tm;
	struct ptable *tb = NULL;
	size_t i;
	int rc;

	for (struct ptable *t = p->tables; t; t = t->next)
		if (t->gen == p->gen && t->tm->raw_len == tm->raw_len &&
		    memcmp(t->tm->raw, tm->raw, tm->raw_len) == 0) {
			tb = t;
			break;
		}
	if (tb == NULL && (rc = build_ptable(p, ev, &tb, err)) != 0)
		return rc;
	for (i = 0; i < p->n_ids; i++)
		if (p->ids[i].id == tm->table_id)
			break;
	if (i == p->n_ids) {
		if (p->n_ids == p->cap_ids) {
			size_t cap = p->cap_ids ? 2 * p->cap_ids : 64;
			void *q = realloc(p->ids, cap * sizeof(*p->ids));

			if (q == NULL)
				return sl_err_set(err, SL_ENOMEM,
				                  "out of memory");
			p->ids = q;
			p->cap_ids = cap;
		}
		p->n_ids++;
	}
	p->ids[i].id = tm->table_id;
	p->ids[i].tb = tb;
	return 0;
}

static struct item *copy_row(int op, const struct cell *before,
                             const struct cell *after, uint32_t n)
{
	const struct cell *img[2] = {before, after};
	size_t bytes = 0, k = 0;
	struct item *it;
	struct cell *c;
	uint8_t *q;

	for (int j = 0; j < 2; j++)
		if (img[j])
			for (uint32_t i = 0; i < n; i++)
				bytes += img[j][i].len;
	it = malloc(sizeof(*it) + 2 * (size_t)n * sizeof(*c) + bytes + 1);
	if (it == NULL)
		return NULL;
	memset(it, 0, sizeof(*it));
	it->kind = IT_ROW;
	it->op = op;
	c = (struct cell *)(it + 1);
	q = (uint8_t *)(c + 2 * (size_t)n);
	for (int j = 0; j < 2; j++) {
		if (img[j] == NULL)
			continue;
		if (j == 0)
			it->before = c + k;
		else
			it->after = c + k;
		for (uint32_t i = 0; i < n; i++, k++) {
			c[k] = img[j][i];
			if (c[k].len) {
				memcpy(q, img[j][i].p, c[k].len);
				c[k].p = q;
				q += c[k].len;
			}
		}
	}
	return it;
}

static int send_row(struct pipeline *p, struct ptable *tb, int op,
                    const struct cell *before, const struct cell *after,
                    unsigned wi, struct sl_err *err)
{
	struct item *it = copy_row(op, before, after, tb->tm->n_cols);

	if (it == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	it->tb = tb;
	it->safe = p->safe;
	push(p, wi, it);
	p->w[wi].got_rows = true;
	return 0;
}

/* Refreshes the snapshot of what each worker has committed. */
static void load_done(struct pipeline *p)
{
	for (unsigned i = 0; i < p->n_workers; i++)
		p->done[i] = atomic_load_explicit(&p->w[i].consumed,
		                                  memory_order_acquire);
}

/* A causality conflict: the change's keys are in flight on the workers
 * h[0..n) (n >= 2).  All of them but the one with the most still queued
 * before its key's item commit what they hold, rows of the transaction in
 * progress too (a dirty mark: their checkpoint says "dirty", a restart
 * replays that transaction in safe mode), and the dispatcher waits until
 * each has committed through its item; the change then goes to the one
 * left.  The other workers go on with their batches: a conflict costs
 * the commits of the workers involved, not a barrier of all. */
static int flush_holders(struct pipeline *p, const struct causality_hold *h,
                         size_t n, struct sl_err *err)
{
	size_t keep = 0;

	for (size_t i = 1; i < n; i++)
		if (h[i].seq - p->done[h[i].worker] >
		    h[keep].seq - p->done[h[keep].worker])
			keep = i;
	for (size_t i = 0; i < n; i++) {
		struct item *m;

		if (i == keep)
			continue;
		m = new_mark(p, p->txn_pos);
		if (m == NULL)
			return sl_err_set(err, SL_ENOMEM, "out of memory");
		m->dirty = true;
		push(p, h[i].worker, m);
		/* it may linger for a full batch: the mark ends that */
		atomic_thread_fence(memory_order_seq_cst);
		wake(&p->w[h[i].worker]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct worker *w = &p->w[h[i].worker];

		if (i == keep)
			continue;
		while (atomic_load_explicit(&w->consumed,
		                            memory_order_acquire) < h[i].seq &&
		       !atomic_load(&p->failed))
			sleep_us(100);
	}
	p->n_flush++;
	p->dirty_txn = true;
	return 0;
}

/* Hash of unique key i (0: the routing key) of img into keys[*n]; none
 * when a part is NULL (NULLs never collide) or absent (a MINIMAL after
 * image: the before image holds the value). */
static int uk_hash(const struct ptable *tb, uint32_t i, const struct cell *img,
                   uint64_t *keys, size_t *n, struct sl_err *err)
{
	const struct route_key *k = i == 0 ? &tb->rk : &tb->uk[i - 1];
	uint64_t h;
	int rc;

	for (uint32_t j = 0; j < k->n_cols; j++)
		if (img[k->cols[j]].state != CELL_VALUE)
			return 0;
	rc = route_hash(k, tb->tm, img, &h, err);
	if (rc != 0)
		return rc;
	keys[(*n)++] = h ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
	return 0;
}

/* Routes a change of a table with unique keys besides the routing key
 * through the causality set (core/causality.h). */
static int route_causal(struct pipeline *p, struct ptable *tb,
                        const struct row_change *row,
                        const struct route_hashes *h, struct sl_err *err)
{
	uint64_t keys[2 * (ROUTE_MAX_KEY_COLS + 1)];
	const struct cell *img[2] = {row->before, row->after};
	size_t n = 0;
	uint32_t max_uk =
	    tb->n_uk < ROUTE_MAX_KEY_COLS ? tb->n_uk : ROUTE_MAX_KEY_COLS;
	int w;
	int rc;

	for (int j = 0; j < 2; j++) {
		if (img[j] == NULL)
			continue;
		for (uint32_t i = 0; i <= max_uk; i++)
			if ((rc = uk_hash(tb, i, img[j], keys, &n, err)) != 0) {
				sl_err_ctx(err, "%s.%s: routing", tb->db,
				           tb->name);
				return rc;
			}
	}
	w = causality_find(&p->cz, keys, n, p->done);
	if (w != CAUSALITY_NONE) {
		load_done(p);
		w = causality_find(&p->cz, keys, n, p->done);
	}
	/* once through: the holders left are the one kept (a failing job
	 * stops waiting; its rows are dropped anyway) */
	while (w == CAUSALITY_CONFLICT && !atomic_load(&p->failed)) {
		struct causality_hold hold[sizeof(keys) / sizeof(keys[0])];
		size_t nh = causality_holders(&p->cz, keys, n, p->done, hold);

		if ((rc = flush_holders(p, hold, nh, err)) != 0)
			return rc;
		load_done(p);
		w = causality_find(&p->cz, keys, n, p->done);
	}
	if (w == CAUSALITY_CONFLICT)
		w = CAUSALITY_NONE;
	if (w == CAUSALITY_NONE)
		w = (int)route_worker(
		    row->op == ROW_DELETE ? h->before : h->after, p->n_workers);
	rc =
	    send_row(p, tb, row->op, row->before, row->after, (unsigned)w, err);
	if (2 * (p->cz.used + n) > p->cz.cap)
		load_done(p); /* the set is about to drop retired keys */
	if (rc == 0 && causality_put(&p->cz, keys, n, (uint32_t)w,
	                             p->w[w].pushed, p->done) != 0)
		rc = sl_err_set(err, SL_ENOMEM, "out of memory");
	return rc;
}

static int on_row(struct pipeline *p, const struct row_change *row,
                  struct sl_err *err)
{
	struct ptable *tb = NULL;
	struct route_hashes h;
	unsigned wb, wa;
	int rc;

	for (size_t i = 0; i < p->n_ids; i++)
		if (p->ids[i].id == row->tm->table_id) {
			tb = p->ids[i].tb;
			break;
		}
	if (tb == NULL)
		return sl_err_set(err, SL_EPROTO,
		                  "rows of %s.%s before their table map",
		                  row->tm->db.p, row->tm->table.p);
	if (tb->skip)
		return 0;
	p->rows_in++;
	if (tb->t.n_keys == 0) {
		wa = route_worker(tb->table_hash, p->n_workers);
		return send_row(p, tb, row->op, row->before, row->after, wa,
		                err);
	}
	rc = route_row(&tb->rk, row, &h, err);
	if (rc != 0) {
		sl_err_ctx(err, "%s.%s: routing", tb->db, tb->name);
		return rc;
	}
	if (tb->n_uk > 0)
		return route_causal(p, tb, row, &h, err);
	wb = route_worker(h.before, p->n_workers);
	wa = route_worker(h.after, p->n_workers);
	if (row->op == ROW_UPDATE && h.key_changed && wa != wb) {
		/* the old key's worker deletes, the new key's inserts */
		p->rows_in++;
		rc = send_row(p, tb, ROW_DELETE, row->before, NULL, wb, err);
		if (rc == 0)
			rc = send_row(p, tb, ROW_INSERT, NULL, row->after, wa,
			              err);
		return rc;
	}
	return send_row(p, tb, row->op, row->before, row->after, wa, err);
}

/* Errors a replayed DDL may meet in safe mode. */
static bool ddl_replay_error(unsigned e)
{
	return e == 1007 || e == 1008 || e == 1050 || e == 1051 || e == 1054 ||
	       e == 1060 || e == 1061 || e == 1091 || e == 1146;
}

struct ddl_filter {
	const struct pipeline *p;
	const struct dec_str *db; /* the session's database */
	int wanted;
};

/* An identifier of the statement as a C string (doubled backquotes of a
 * quoted one made single). */
static void name_str(char *out, size_t cap, const struct stmt_name *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->len && k + 1 < cap; i++) {
		out[k++] = n->p[i];
		if (n->quoted && n->p[i] == '`' && i + 1 < n->len &&
		    n->p[i + 1] == '`')
			i++;
	}
	out[k] = '\0';
}

static bool db_wanted(const struct job_config *cfg, const char *db)
{
	return object_wanted(cfg, db, "*") || object_wanted(cfg, db, "");
}

static void ddl_object(void *ctx, const struct stmt_name *db,
                       const struct stmt_name *table)
{
	struct ddl_filter *f = ctx;
	char d[256], t[256];

	if (db != NULL)
		name_str(d, sizeof(d), db);
	else if (f->db->len > 0)
		snprintf(d, sizeof(d), "%.*s", (int)f->db->len, f->db->p);
	else
		return; /* unqualified, no session database: not ours */
	if (table == NULL) {
		f->wanted |= db_wanted(f->p->cfg, d);
		return;
	}
	name_str(t, sizeof(t), table);
	f->wanted |= object_wanted(f->p->cfg, d, t);
}

/* Whether a DDL concerns the job: any object it names is selected (a
 * RENAME into or out of the selection counts); statements naming no
 * table or database (views, routines…) go by the session's database. */
static bool ddl_wanted(const struct pipeline *p, const struct dec_str *db,
                       const struct dec_str *q)
{
	struct ddl_filter f = {p, db, 0};
	char dbs[256];

	if (stmt_ddl_objects(q->p, q->len, ddl_object, &f) > 0)
		return f.wanted != 0;
	if (db->len == 0)
		return true;
	snprintf(dbs, sizeof(dbs), "%.*s", (int)db->len, db->p);
	return db_wanted(p->cfg, dbs);
}

static int on_ddl(struct pipeline *p, const struct event *ev, uint64_t end,
                  struct sl_err *err)
{
	const struct dec_str *db = &ev->u.query.db;
	const struct dec_str *q = &ev->u.query.query;
	struct sbuf b;
	bool replay;
	int rc = 0;

	if (!ddl_wanted(p, db, q))
		return txn_end(p, end, false, err);
	barrier(p);
	sbuf_init(&b);
	/* DDL cannot share a transaction with a checkpoint: the guard row
	 * says it may have run, so that a restart which replays it accepts
	 * the errors of a second run (column exists, table exists, …) */
	replay =
	    p->safe || (p->ddl_pos == end && !strcmp(p->ddl_file, p->file));
	sbuf_puts(&b, "REPLACE INTO ");
	sqlgen_ident(&b, p->cfg->meta_database, strlen(p->cfg->meta_database));
	sbuf_puts(&b, ".`ddl` (job,file,pos,updated) VALUES (");
	sql_str(&b, p->cfg->name);
	sbuf_putc(&b, ',');
	sql_str(&b, p->file);
	sbuf_printf(&b, ",%" PRIu64 ",UTC_TIMESTAMP())", end);
	rc = target_exec(p->t, b.p, b.len, NULL, err);
	sbuf_reset(&b);
	if (rc == 0 && db->len > 0) {
		sbuf_puts(&b, "USE ");
		sqlgen_ident(&b, db->p, db->len);
		rc = target_exec(p->t, b.p, b.len, NULL, err);
		if (rc != 0 && target_errno(p->t) == 1049) /* no such db */
			rc = 0;
	}
	if (rc == 0)
		rc = target_exec(p->t, q->p, q->len, NULL, err);
	if (rc != 0 && replay && ddl_replay_error(target_errno(p->t))) {
		logf_("DDL replayed after a restart, error ignored: %s",
		      err->msg);
		rc = 0;
	}
	sbuf_deinit(&b);
	if (rc != 0) {
		sl_err_ctx(err, "DDL at %s:%" PRIu64, p->file, ev->pos);
		err->code = SL_EFATAL;
		return SL_EFATAL;
	}
	logf_("DDL applied at %s:%" PRIu64 ": %.*s", p->file, ev->pos,
	      q->len > 200 ? 200 : (int)q->len, q->p);
	schema_forget(p->schema, NULL, NULL);
	p->gen++;
	p->n_ids = 0;
	rc = txn_end(p, end, true, err);
	barrier(p);
	return rc;
}

static int write_initial(struct pipeline *p, uint64_t pos, struct sl_err *err)
{
	struct sbuf b;
	int rc = 0;

	sbuf_init(&b);
	for (unsigned i = 0; rc == 0 && i < p->n_workers; i++) {
		sbuf_reset(&b);
		checkpoint_sql(&b, p, (int)i, p->file, pos, "", false, false);
		rc = exec_str(p->t, sbuf_cstr(&b), err);
	}
	sbuf_deinit(&b);
	if (rc == 0)
		logf_("starting at %s:%" PRIu64, p->file, pos);
	return rc;
}

int pipeline_event(struct pipeline *p, const uint8_t *evb, size_t len,
                   uint64_t at, struct sl_err *err)
{
	const struct event *ev;
	int rc;

	if (atomic_load(&p->failed))
		return sl_err_set(err, SL_EFATAL, "%s", p->fail_msg);
	rc = decoder_feed(p->dc, evb, len, at, err);
	if (rc != 0)
		return rc;
	while ((rc = decoder_next(p->dc, &ev, err)) > 0) {
		uint64_t end = ev->h.log_pos;

		if (ev->h.timestamp != 0)
			p->txn_ts = ev->h.timestamp;

		switch (ev->kind) {
		case DEC_ROTATE:
			/* a new file starts at the rotate's position; the
			 * artificial rotate of a (re)connection names the
			 * file we are in (with 4 in GTID mode): keep ours */
			if (ev->u.rotate.file.len != strlen(p->file) ||
			    memcmp(ev->u.rotate.file.p, p->file,
			           ev->u.rotate.file.len) != 0) {
				snprintf(p->file, sizeof(p->file), "%.*s",
				         (int)ev->u.rotate.file.len,
				         ev->u.rotate.file.p);
				p->txn_pos = ev->u.rotate.position;
			}
			p->n_ids = 0;
			break;
		case DEC_TABLE_MAP: rc = on_table_map(p, ev, err); break;
		case DEC_ROWS: {
			struct row_change row;

			while ((rc = decoder_row(p->dc, &row, err)) > 0)
				if ((rc = on_row(p, &row, err)) != 0)
					break;
			break;
		}
		case DEC_XID: rc = txn_end(p, end, false, err); break;
		case DEC_QUERY: {
			const struct dec_str *q = &ev->u.query.query;

			switch (stmt_classify(q->p, q->len)) {
			case STMT_BEGIN:
			case STMT_INSIDE: break;
			case STMT_DDL: rc = on_ddl(p, ev, end, err); break;
			default: rc = txn_end(p, end, false, err); break;
			}
			break;
		}
		default: break;
		}
		if (rc < 0) {
			if (ev->kind != DEC_QUERY)
				sl_err_ctx(err, "at %s:%" PRIu64, p->file,
				           ev->pos);
			return rc;
		}
	}
	return rc < 0 ? rc : 0;
}

int pipeline_start_at(struct pipeline *p, const char *file, uint64_t pos,
                      struct sl_err *err)
{
	if (file == NULL || *file == '\0')
		return 0;
	snprintf(p->file, sizeof(p->file), "%s", file);
	p->txn_pos = pos;
	publish_read(p, true);
	for (unsigned i = 0; i < p->n_workers; i++) {
		struct worker *w = &p->w[i];

		pthread_mutex_lock(&w->st_mu);
		if (w->ck_file[0] == '\0') {
			snprintf(w->ck_file, sizeof(w->ck_file), "%s", file);
			w->ck_pos = pos;
		}
		pthread_mutex_unlock(&w->st_mu);
	}
	if (!p->need_initial)
		return 0;
	p->need_initial = false;
	return write_initial(p, pos, err);
}

void pipeline_set_stream_crc(struct pipeline *p, bool crc32)
{
	decoder_set_stream_checksum(p->dc, crc32);
}

void pipeline_reconnected(struct pipeline *p)
{
	if (p->dirty_txn && !p->safe) {
		/* part of the transaction being resent is on the target */
		p->safe = true;
		snprintf(p->safe_file, sizeof(p->safe_file), "%s", p->file);
		p->safe_pos = p->txn_pos + 1;
		logf_("safe mode until the end of the transaction after "
		      "%s:%" PRIu64 " (partly applied before the reconnect)",
		      p->file, p->txn_pos);
	}
	p->dirty_txn = false;
	for (unsigned i = 0; i < p->n_workers; i++) {
		struct item *it = calloc(1, sizeof(*it));

		if (it == NULL)
			continue; /* the job fails soon enough */
		it->kind = IT_DISCARD;
		push(p, i, it);
		p->w[i].got_rows = false;
	}
}

int pipeline_poll(struct pipeline *p, struct sl_err *err)
{
	double dt;

	if (atomic_load(&p->failed))
		return sl_err_set(err, SL_EFATAL, "%s", p->fail_msg);
	if (p->st_stale)
		publish_read(p, false);
	if (p->file[0] && secs_since(&p->last_tick) >= 1.0) {
		/* idle workers' checkpoints follow the stream: a marker at
		 * the last transaction end goes to every worker holding no
		 * row after it */
		for (unsigned i = 0; i < p->n_workers; i++) {
			struct item *m;

			if (p->w[i].got_rows)
				continue;
			m = new_mark(p, p->txn_pos);
			if (m == NULL)
				return sl_err_set(err, SL_ENOMEM,
				                  "out of memory");
			push(p, i, m);
		}
		now_s(&p->last_tick);
	}
	dt = secs_since(&p->last_log);
	if (dt >= 5.0) {
		uint64_t out = 0;
		size_t depth = 0;

		for (unsigned i = 0; i < p->n_workers; i++) {
			out += atomic_load(&p->w[i].rows_out);
			depth += queue_len(&p->w[i].q);
		}
		logf_("progress: %s:%" PRIu64 " rows in %.0f/s, out %.0f/s, "
		      "queued %zu%s",
		      p->file, p->txn_pos,
		      (double)(p->rows_in - p->last_rows_in) / dt,
		      (double)(out - p->last_rows_out) / dt, depth,
		      p->safe ? " (safe mode)" : "");
		p->last_rows_in = p->rows_in;
		p->last_rows_out = out;
		now_s(&p->last_log);
	}
	return 0;
}

void pipeline_failure(struct pipeline *p, struct pipeline_failure *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_lock(&p->fail_mu);
	f->conflict = p->fail_conflict;
	snprintf(f->file, sizeof(f->file), "%s", p->fail_file);
	f->pos = p->fail_pos;
	pthread_mutex_unlock(&p->fail_mu);
}

void pipeline_replace_until(struct pipeline *p, const char *file, uint64_t pos)
{
	snprintf(p->replace_file, sizeof(p->replace_file), "%s", file);
	p->replace_pos = pos;
	logf_("resuming after a conflict: conflicting rows are replaced "
	      "with the source's up to %s:%" PRIu64,
	      file, pos);
}

int pipeline_delete_job(const struct job_config *cfg, struct sl_err *err)
{
	static const char *const tables[] = {"checkpoint", "ddl", "job"};
	struct target *t = NULL;
	struct sbuf b;
	int rc = open_target(cfg, 0, &t, err);

	sbuf_init(&b);
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		sbuf_reset(&b);
		sbuf_puts(&b, "DELETE FROM ");
		sqlgen_ident(&b, cfg->meta_database,
		             strlen(cfg->meta_database));
		sbuf_printf(&b, ".`%s` WHERE job=", tables[i]);
		sql_str(&b, cfg->name);
		rc = exec_str(t, sbuf_cstr(&b), err);
		if (rc != 0 && target_errno(t) == 1146) /* never created */
			rc = 0;
	}
	sbuf_deinit(&b);
	if (t)
		target_close(t);
	if (rc == 0)
		logf_("job %s deleted: its checkpoints are removed (target "
		      "data stays)",
		      cfg->name);
	return rc;
}

void pipeline_stats(struct pipeline *p, struct pipeline_stats *st)
{
	struct timespec now;
	uint32_t oldest_ts = UINT32_MAX;
	uint64_t done_rows = 0;
	bool in_flight;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&p->st_mu);
	snprintf(st->read_file, sizeof(st->read_file), "%s", p->st_file);
	st->read_pos = p->st_pos;
	snprintf(st->read_gtid, sizeof(st->read_gtid), "%s", p->st_gtid);
	st->rows_in = p->st_rows_in;
	st->safe_mode = p->st_safe;
	st->idle_s = secs_since(&p->st_last_read);
	pthread_mutex_unlock(&p->st_mu);
	st->n_workers = p->n_workers;
	st->missing_rows = atomic_load(&p->missing_rows);
	for (unsigned i = 0; i < p->n_workers; i++) {
		struct worker *w = &p->w[i];
		struct pipeline_worker_stats *ws =
		    i < PIPELINE_STATS_MAX_WORKERS ? &st->w[i] : NULL;
		uint64_t q = queue_len(&w->q);
		uint32_t ts = atomic_load(&w->commit_ts);

		for (int k = 0; k < 3; k++)
			st->ops[k] += atomic_load(&w->ops[k]);
		st->rows_out += atomic_load(&w->rows_out);
		st->retries += atomic_load(&w->retries);
		done_rows +=
		    atomic_load(&w->rows_out) + atomic_load(&w->rows_dropped);
		if (ts != 0 && ts < oldest_ts)
			oldest_ts = ts;
		pthread_mutex_lock(&w->st_mu);
		if (st->ck_file[0] == '\0' ||
		    pos_cmp(w->ck_file, w->ck_pos, st->ck_file, st->ck_pos) <
		        0) {
			snprintf(st->ck_file, sizeof(st->ck_file), "%s",
			         w->ck_file);
			st->ck_pos = w->ck_pos;
		}
		pthread_mutex_unlock(&w->st_mu);
		if (ws == NULL)
			continue;
		ws->queue_depth = q;
		ws->rows_out = atomic_load(&w->rows_out);
		ws->batches = atomic_load(&w->batches);
		ws->batch_ms = (double)atomic_load(&w->batch_us) / 1000.0;
	}
	in_flight = done_rows < st->rows_in;
	/* lag: how old the oldest worker's last commit is, while anything
	 * is in flight or was read lately; none once all is applied and the
	 * source has been quiet for a second */
	clock_gettime(CLOCK_REALTIME, &now);
	if (oldest_ts != UINT32_MAX && (in_flight || st->idle_s < 1.0) &&
	    (uint64_t)now.tv_sec > oldest_ts)
		st->lag_s = (double)((uint64_t)now.tv_sec - oldest_ts);
	st->caught_up =
	    !in_flight && st->idle_s >= 1.0 &&
	    pos_cmp(st->ck_file, st->ck_pos, st->read_file, st->read_pos) >= 0;
}

int pipeline_open(const struct job_config *cfg, struct pipeline **out,
                  struct pipeline_resume *resume, struct sl_err *err)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (p == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	p->cfg = cfg;
	p->n_workers = cfg->spec.workers ? cfg->spec.workers : 1;
	p->batch = cfg->spec.batch ? cfg->spec.batch : 256;
	p->linger_us = (long)cfg->spec.linger_ms * 1000;
	pthread_mutex_init(&p->fail_mu, NULL);
	pthread_mutex_init(&p->st_mu, NULL);
	causality_init(&p->cz);
	now_s(&p->last_log);
	now_s(&p->last_tick);
	rc = open_target(cfg, 0, &p->t, err);
	if (rc == 0) {
		p->schema = schema_new(p->t);
		p->dc = decoder_new();
		p->w = calloc(p->n_workers, sizeof(*p->w));
		p->done = calloc(p->n_workers, sizeof(*p->done));
		if (!p->schema || !p->dc || !p->w || !p->done)
			rc = sl_err_set(err, SL_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = meta_setup(p, resume, err);
	for (unsigned i = 0; rc == 0 && i < p->n_workers; i++) {
		struct worker *w = &p->w[i];

		w->p = p;
		w->id = i;
		pthread_mutex_init(&w->st_mu, NULL);
		snprintf(w->ck_file, sizeof(w->ck_file), "%s", w->floor_file);
		w->ck_pos = w->floor_pos;
		sbuf_init(&w->sql);
		sbuf_init(&w->probe);
		sqlgen_compactor_init(&w->comp);
		rc = queue_init(&w->q,
		                cfg->spec.ring ? cfg->spec.ring : QUEUE_CAP);
		if (rc == 0)
			rc = open_target(cfg, i, &w->t, err);
		if (rc == 0 && pthread_create(&w->th, NULL, worker_main, w))
			rc = sl_err_set(err, SL_ENOMEM, "cannot start worker");
		if (rc != 0) {
			atomic_store(&p->stop, true);
			atomic_store(&p->failed, true);
			for (unsigned j = 0; j < i; j++) {
				wake(&p->w[j]);
				pthread_join(p->w[j].th, NULL);
			}
			p->n_workers = i; /* what pipeline_close frees */
			if (w->t)
				target_close(w->t);
			queue_deinit(&w->q);
			sbuf_deinit(&w->sql);
			sbuf_deinit(&w->probe);
			sqlgen_compactor_deinit(&w->comp);
			break;
		}
	}
	if (rc != 0) {
		struct sl_err ignore;

		atomic_store(&p->failed, true);
		if (p->w)
			for (unsigned i = 0; i < p->n_workers; i++)
				p->w[i].th = 0;
		pipeline_close(p, &ignore);
		return rc;
	}
	logf_("job %s: %u workers, batch %u, linger %u ms%s", cfg->name,
	      p->n_workers, p->batch, cfg->spec.linger_ms,
	      resume->have ? ", resuming from the oldest checkpoint" : "");
	if (p->safe)
		logf_("safe mode until %s:%" PRIu64, p->safe_file, p->safe_pos);
	*out = p;
	return 0;
}

void pipeline_drain(struct pipeline *p)
{
	if (p->w && !atomic_load(&p->failed)) {
		pipeline_reconnected(p); /* drop a partial transaction */
		barrier(p);
	}
}

int pipeline_close(struct pipeline *p, struct sl_err *err)
{
	int rc = 0;

	if (p == NULL)
		return 0;
	if (p->w && !atomic_load(&p->failed)) {
		pipeline_reconnected(p); /* drop a partial transaction */
		barrier(p);
	}
	atomic_store(&p->stop, true);
	if (p->w)
		wake_all(p);
	for (unsigned i = 0; p->w && i < p->n_workers; i++) {
		struct worker *w = &p->w[i];
		void *it;

		if (w->th)
			pthread_join(w->th, NULL);
		while ((it = queue_pop(&w->q)) != NULL)
			free(it);
		queue_deinit(&w->q);
		if (w->t)
			target_close(w->t);
		free(w->pend);
		free(w->ch);
		free(w->seen);
		free(w->run);
		free(w->desc);
		free(w->aff);
		sbuf_deinit(&w->sql);
		sbuf_deinit(&w->probe);
		sqlgen_compactor_deinit(&w->comp);
	}
	if (atomic_load(&p->failed) && p->fail_msg[0])
		rc = sl_err_set(err, SL_EFATAL, "%s", p->fail_msg);
	if (p->w) {
		uint64_t out = 0;

		for (unsigned i = 0; i < p->n_workers; i++)
			out += atomic_load(&p->w[i].rows_out);
		if (p->file[0] != '\0')
			logf_("%" PRIu64 " row changes read, %" PRIu64
			      " applied; %" PRIu64 " unique-key flushes; last "
			      "transaction end %s:%" PRIu64,
			      p->rows_in, out, p->n_flush, p->file, p->txn_pos);
	}
	while (p->tables) {
		struct ptable *n = p->tables->next;

		if (p->tables->names)
			for (uint32_t i = 0; i < p->tables->tm->n_cols; i++)
				free((void *)p->tables->names[i].p);
		ptable_free(p->tables);
		p->tables = n;
	}
	free(p->ids);
	free(p->w);
	free(p->done);
	causality_deinit(&p->cz);
	schema_free(p->schema);
	decoder_free(p->dc);
	if (p->t)
		target_close(p->t);
	pthread_mutex_destroy(&p->fail_mu);
	pthread_mutex_destroy(&p->st_mu);
	free(p);
	return rc;
}

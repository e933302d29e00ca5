/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/pipeline.h: the dispatcher and the worker pool of `sluice run`
 * (DESIGN.md 1).  The caller owns the binlog stream (io/ is not ours to
 * see) and hands every event to pipeline_event on one thread; the
 * pipeline decodes it, routes each row change by its key to one of N
 * workers (SPSC rings), each worker applies batches on its own target
 * connection together with its checkpoint row in
 * `<meta-database>`.`checkpoint`, in one target transaction.
 *
 * Checkpoints and restart: a worker commits row changes only up to the
 * last transaction end it has seen (a commit marker), so its checkpoint
 * row says exactly "everything this worker got before this position is
 * applied, nothing after".  A restart resumes at the OLDEST worker
 * checkpoint and runs in safe mode (REPLACE for inserts, upserts for
 * updates, DELETE is idempotent) for every transaction that starts before
 * the NEWEST one: replaying what some workers already applied changes
 * nothing.  A DDL drains every worker (barrier), runs alone on the
 * dispatcher's connection, and the schema cache is dropped; in safe mode
 * "already exists / does not exist" errors of a replayed DDL are ignored.
 *
 * A key-changing UPDATE whose old and new keys map to different workers
 * is sent as a DELETE of the old key to the old key's worker and an
 * INSERT of the new image to the new key's worker: each key keeps its
 * causal order and no worker ever commits past a commit marker.
 * Tables with unique keys besides the routing key are routed through the
 * causality set (core/causality.h) and applied in source order; a
 * conflict makes every worker commit what it holds (checkpoint flagged
 * dirty: the restart replays that transaction in safe mode).  A worker
 * sends a batch as one multi-statement request (BEGIN, the statements,
 * its checkpoint) and COMMITs after checking the affected-row counts
 * (on-missing-row); a batch the target refuses as too large is split.
 * docs/consistency.md is the user-facing account of all this.
 */
#ifndef SL_APPLY_PIPELINE_H
#define SL_APPLY_PIPELINE_H

#include "core/config.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pipeline;

/* Where the stream should start: from the job's start (have == false) or
 * from file/pos of the oldest checkpoint (safe mode until the newest). */
struct pipeline_resume {
	bool have;
	char file[256];
	uint64_t pos;
	char gtid[256];
};

/* Connects the dispatcher's target connection, creates the meta database
 * and table when missing, reads the job's checkpoints, starts the
 * workers (each with its own connection).  cfg must outlive p. */
int pipeline_open(const struct job_config *cfg, struct pipeline **out,
                  struct pipeline_resume *resume, struct sl_err *err);

/* Where the stream starts (once it is open): the first checkpoint of
 * every worker when the job has none yet. */
int pipeline_start_at(struct pipeline *p, const char *file, uint64_t pos,
                      struct sl_err *err);

/* Tells the decoder whether the stream's events carry CRC32. */
void pipeline_set_stream_crc(struct pipeline *p, bool crc32);

/* One source event (header..checksum) at offset at of its file.  Returns
 * 0, or a negative code with err set: the job fails. */
int pipeline_event(struct pipeline *p, const uint8_t *ev, size_t len,
                   uint64_t at, struct sl_err *err);

/* The stream reconnected: drop the partial transaction. */
void pipeline_reconnected(struct pipeline *p);

/* Logs a progress line when ~5 s have passed; returns a negative code
 * with err set when a worker has failed. */
int pipeline_poll(struct pipeline *p, struct sl_err *err);

/* A consistent-enough snapshot for the status API and metrics; callable
 * from any thread while the pipeline runs. */
#define PIPELINE_STATS_MAX_WORKERS 256
struct pipeline_worker_stats {
	uint64_t queue_depth; /* items waiting in its ring */
	uint64_t rows_out;    /* row changes committed */
	uint64_t batches;     /* target transactions committed */
	double batch_ms;      /* the last batch's apply time */
};
struct pipeline_stats {
	char read_file[256]; /* the last transaction end read */
	uint64_t read_pos;
	char read_gtid[256];
	char ck_file[256]; /* the oldest worker checkpoint: resume point */
	uint64_t ck_pos;
	uint64_t rows_in;  /* row changes read (selected tables) */
	uint64_t rows_out; /* row changes committed */
	uint64_t ops[3];   /* committed inserts, updates, deletes */
	uint64_t retries, missing_rows;
	double lag_s;  /* now - source time of the oldest worker's last
	                * commit while rows are in flight; 0 when caught up */
	double idle_s; /* since the last transaction end was read */
	bool caught_up;
	bool safe_mode;
	unsigned n_workers;
	struct pipeline_worker_stats w[PIPELINE_STATS_MAX_WORKERS];
};
void pipeline_stats(struct pipeline *p, struct pipeline_stats *st);

/* Why the job failed (call before pipeline_close): conflict when a
 * duplicate key stopped it, in the batch before file:pos. */
struct pipeline_failure {
	bool conflict;
	char file[256];
	uint64_t pos;
};
void pipeline_failure(struct pipeline *p, struct pipeline_failure *f);

/* Resuming after a conflict: batches up to file:pos that meet a duplicate
 * key are applied again with REPLACE (the source's rows win), whatever
 * on-conflict says. */
void pipeline_replace_until(struct pipeline *p, const char *file, uint64_t pos);

/* Removes the job's checkpoints and records from the meta database (the
 * job is not running).  Target data stays. */
int pipeline_delete_job(const struct job_config *cfg, struct sl_err *err);

/* Drops any partial transaction and waits until the workers have
 * committed the rest (pipeline_close does it too; call it first to read
 * the final pipeline_stats). */
void pipeline_drain(struct pipeline *p);

/* Stops: drops any partial transaction, lets the workers commit what
 * they hold, joins them, frees p.  Returns 0, or negative with err set
 * when a worker failed. */
int pipeline_close(struct pipeline *p, struct sl_err *err);

#endif

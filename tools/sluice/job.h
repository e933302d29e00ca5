/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/job.h: glue between the job file (core/config.h) and the
 * io/ layer, shared by the subcommands: loading with one error per line,
 * and connection options for the source.
 */
#ifndef SL_TOOLS_JOB_H
#define SL_TOOLS_JOB_H

#include "core/config.h"
#include "io/binlog_stream.h"
#include "io/conn.h"

/* Loads path; on mistakes prints them (one per line, prefixed with
 * "sluice CMD: ") and returns NULL. */
struct job_config *job_load(const char *cmd, const char *path);

/* Source connection options pointing into cfg (valid while cfg lives). */
void job_source_opts(const struct job_config *cfg, struct conn_opts *o);

/* Stream options from the job: connection, replica id (source.server-id,
 * else 4242) and the job's start; pointers into cfg. */
void job_stream_opts(const struct job_config *cfg, struct stream_opts *so);

#endif

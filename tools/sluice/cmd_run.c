/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_run.c: `sluice run JOB.yaml`: runs the job in the
 * foreground.  Owns the source stream (io/) and hands every event to the
 * pipeline (apply/pipeline.h: dispatcher, workers, checkpoints).  Starts
 * at the oldest worker checkpoint when the job has run before, else at
 * the job's start.  SIGINT/SIGTERM stop it cleanly: in-flight batches are
 * committed, exit status 0.
 */
#include "cmd.h"

#include "apply/pipeline.h"
#include "core/bytes.h"
#include "io/binlog_stream.h"
#include "job.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void run_usage(FILE *out)
{
	fprintf(out, "usage: sluice run [--to-end] JOB.yaml\n"
	             "  --to-end  stop once the source's binary log is "
	             "applied (catch-up\n"
	             "            runs and benchmarks); without it the job "
	             "follows the source\n"
	             "            until SIGTERM/SIGINT\n");
}

int cmd_run(int argc, char **argv)
{
	struct job_config *cfg;
	struct pipeline *p = NULL;
	struct pipeline_resume r;
	struct binlog_stream *s = NULL;
	struct stream_opts so;
	struct sigaction sa;
	struct sl_err err;
	bool to_end = false;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--to-end") == 0) {
		to_end = true;
		argv++;
		argc--;
	} else if (argc == 3 && strcmp(argv[2], "--to-end") == 0) {
		to_end = true;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		run_usage(stderr);
		return 2;
	}
	cfg = job_load("run", argv[1]);
	if (cfg == NULL)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sl_err_clear(&err);
	rc = pipeline_open(cfg, &p, &r, &err);
	if (rc != 0) {
		fprintf(stderr, "sluice run: target: %s\n", err.msg);
		job_config_free(cfg);
		return 1;
	}
	job_stream_opts(cfg, &so);
	so.non_block = to_end;
	if (r.have) {
		so.start = STREAM_START_POSITION;
		so.file = r.file;
		so.position = r.pos;
		so.gtid = NULL;
	}
	rc = stream_open(&so, &s, &err);
	if (rc != 0)
		fprintf(stderr, "sluice run: source: %s\n", err.msg);
	else if (r.have)
		fprintf(stderr,
		        "sluice run: resuming at %s:%" PRIu64 " (gtid %s)\n",
		        r.file, r.pos, r.gtid[0] ? r.gtid : "-");
	else if ((rc = pipeline_start_at(p, stream_file(s), stream_position(s),
	                                 &err)) != 0)
		fprintf(stderr, "sluice run: target: %s\n", err.msg);
	while (rc == 0 && !stop_flag) {
		const uint8_t *ev;
		size_t len;

		rc = stream_next(s, &ev, &len, &err);
		if (rc == STREAM_EVENT) {
			uint32_t end = get_u32le(ev + 13);
			uint64_t at = end >= len ? end - len : 0;

			pipeline_set_stream_crc(p, stream_has_crc(s));
			rc = pipeline_event(p, ev, len, at, &err);
		} else if (rc == STREAM_RECONNECTED) {
			fprintf(stderr,
			        "sluice run: source reconnected, resuming at "
			        "%s:%" PRIu64 "\n",
			        stream_file(s), stream_position(s));
			pipeline_reconnected(p);
			rc = 0;
		} else if (rc == STREAM_END) {
			break;
		} else {
			fprintf(stderr, "sluice run: source: %s\n", err.msg);
			break;
		}
		if (rc == 0)
			rc = pipeline_poll(p, &err);
		if (rc != 0)
			fprintf(stderr, "sluice run: %s\n", err.msg);
	}
	stream_close(s);
	if (pipeline_close(p, &err) != 0) {
		if (rc == 0)
			fprintf(stderr, "sluice run: %s\n", err.msg);
		rc = -1;
	}
	if (rc == 0)
		fprintf(stderr, "sluice run: stopped\n");
	job_config_free(cfg);
	return rc == 0 ? 0 : 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_run.c: `sluice run JOB.yaml` — the job as a service
 * (DESIGN.md 4–6).  Stages: validating (the job file), prechecking (the
 * same precheck as `sluice check`; a failure, or a warning without
 * --ignore-warnings, refuses to start), running (the stream feeds the
 * pipeline), paused, failed, stopped.  The HTTP interface (service.c)
 * asks for pause, resume and delete; the loop here acts on them between
 * events.  A failed job stays up (stage failed) while its HTTP interface
 * listens, so that it can be resumed; with --http off or --to-end it
 * exits 1.  SIGTERM/SIGINT stop it: in-flight batches are committed,
 * a partial transaction is dropped (the restart resumes before it).
 */
#include "cmd.h"

#include "apply/pipeline.h"
#include "apply/precheck.h"
#include "core/bytes.h"
#include "io/binlog_stream.h"
#include "job.h"
#include "job_check.h"
#include "service.h"

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
	fprintf(out,
	        "usage: sluice run JOB.yaml [--http ADDR|off] "
	        "[--ignore-warnings] [--to-end]\n"
	        "  --http ADDR        the HTTP interface's address (default "
	        "the job's http.addr,\n"
	        "                     127.0.0.1:8250; port 0 picks one; off: "
	        "none)\n"
	        "  --ignore-warnings  start although the precheck has "
	        "warnings\n"
	        "  --to-end           stop once the source's binary log is "
	        "applied (catch-up\n"
	        "                     runs and benchmarks); exit 1 on a "
	        "failure\n");
}

struct run_opts {
	const char *job;
	const char *http;
	bool ignore_warnings;
	bool to_end;
};

/* How a running session ended. */
enum ended { ENDED_STOP, ENDED_END, ENDED_PAUSE, ENDED_DELETE, ENDED_FAIL };

/* Runs the stream into a fresh pipeline until a signal, the end (to_end),
 * a pause or delete request, or a failure (err, *fail set). */
static enum ended run_session(const struct job_config *cfg, struct service *svc,
                              bool to_end,
                              const struct pipeline_failure *replace,
                              struct pipeline_failure *fail, struct sl_err *err)
{
	struct pipeline *p = NULL;
	struct pipeline_resume r;
	struct binlog_stream *s = NULL;
	struct stream_opts so;
	enum ended how = ENDED_FAIL;
	int rc;

	memset(fail, 0, sizeof(*fail));
	rc = pipeline_open(cfg, &p, &r, err);
	if (rc != 0) {
		sl_err_ctx(err, "target");
		return ENDED_FAIL;
	}
	if (replace->conflict)
		pipeline_replace_until(p, replace->file, replace->pos);
	job_stream_opts(cfg, &so);
	so.non_block = to_end;
	/* a quiet source still lets the status catch up with the last
	 * transaction and idle workers' checkpoints follow the stream */
	so.idle_ms = 100;
	if (r.have) {
		so.start = STREAM_START_POSITION;
		so.file = r.file;
		so.position = r.pos;
		so.gtid = NULL;
	}
	rc = stream_open(&so, &s, err);
	if (rc != 0)
		sl_err_ctx(err, "source");
	else if (r.have)
		fprintf(stderr,
		        "sluice run: resuming at %s:%" PRIu64 " (gtid %s)\n",
		        r.file, r.pos, r.gtid[0] ? r.gtid : "-");
	else if ((rc = pipeline_start_at(p, stream_file(s), stream_position(s),
	                                 err)) != 0)
		sl_err_ctx(err, "target");
	if (rc == 0)
		service_set_pipeline(svc, p);
	while (rc == 0) {
		const uint8_t *ev;
		size_t len;
		unsigned req;

		if (stop_flag) {
			how = ENDED_STOP;
			break;
		}
		req = service_take(svc);
		if (req & REQ_DELETE) {
			how = ENDED_DELETE;
			break;
		}
		if (req & REQ_PAUSE) {
			how = ENDED_PAUSE;
			break;
		}
		rc = stream_next(s, &ev, &len, err);
		if (rc == STREAM_EVENT) {
			uint32_t end = get_u32le(ev + 13);
			uint64_t at = end >= len ? end - len : 0;

			pipeline_set_stream_crc(p, stream_has_crc(s));
			rc = pipeline_event(p, ev, len, at, err);
		} else if (rc == STREAM_RECONNECTED) {
			fprintf(stderr,
			        "sluice run: source reconnected, resuming at "
			        "%s:%" PRIu64 "\n",
			        stream_file(s), stream_position(s));
			pipeline_reconnected(p);
			rc = 0;
		} else if (rc == STREAM_IDLE) {
			rc = 0;
		} else if (rc == STREAM_END) {
			how = ENDED_END;
			break;
		} else {
			sl_err_ctx(err, "source");
			break;
		}
		if (rc == 0)
			rc = pipeline_poll(p, err);
	}
	stream_close(s);
	pipeline_failure(p, fail);
	service_set_pipeline(svc, NULL);
	pipeline_drain(p);
	service_add_totals(svc, p);
	{
		struct sl_err cerr;

		sl_err_clear(&cerr);
		if (pipeline_close(p, &cerr) != 0 && rc == 0) {
			*err = cerr;
			rc = -1;
		}
	}
	return rc != 0 ? ENDED_FAIL : how;
}

/* Warnings that need no acknowledgement at `run`: the replica id seen in
 * use is, on a restart, usually this job's own previous connection, which
 * the source drops when the job registers again. */
static size_t blocking_free(const struct precheck_report *rep)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		n += rep->v[i].status == PRECHECK_WARNING &&
		     strcmp(rep->v[i].id, "source.replica_id") == 0;
	return n;
}

/* The precheck before the first session: 0 to go on, else the reason in
 * err. */
static int precheck(const struct job_config *cfg, bool ignore_warnings,
                    struct sl_err *err)
{
	struct precheck_report rep;
	int rc;

	precheck_report_init(&rep);
	rc = job_precheck(cfg, &rep, err);
	if (rc == 0) {
		for (size_t i = 0; i < rep.n; i++) {
			const struct precheck_item *it = &rep.v[i];

			if (it->status == PRECHECK_PASS)
				continue;
			fprintf(stderr, "sluice run: precheck: [%s] %s%s%s\n",
			        precheck_status_name(it->status), it->text,
			        it->fix ? ": " : "", it->fix ? it->fix : "");
		}
		if (rep.n_failed > 0)
			rc = sl_err_set(
			    err, SL_EINVAL,
			    "precheck failed (%zu item(s) above; "
			    "`sluice check JOB.yaml` lists them all)",
			    rep.n_failed);
		else if (rep.n_warning > blocking_free(&rep) &&
		         !ignore_warnings)
			rc =
			    sl_err_set(err, SL_EINVAL,
			               "precheck: %zu warning(s) above: review "
			               "them, then run with --ignore-warnings",
			               rep.n_warning - blocking_free(&rep));
		else
			fprintf(stderr,
			        "sluice run: precheck: %zu passed, %zu "
			        "warning(s)\n",
			        rep.n_pass, rep.n_warning);
	}
	precheck_report_deinit(&rep);
	return rc;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--to-end") == 0)
			o->to_end = true;
		else if (strcmp(argv[i], "--ignore-warnings") == 0)
			o->ignore_warnings = true;
		else if (strcmp(argv[i], "--http") == 0 && i + 1 < argc)
			o->http = argv[++i];
		else if (strncmp(argv[i], "--http=", 7) == 0)
			o->http = argv[i] + 7;
		else if (argv[i][0] == '-' || o->job != NULL)
			return -1;
		else
			o->job = argv[i];
	}
	return o->job ? 0 : -1;
}

/* Waits in stage st for a request or a signal: REQ_* bits, 0 on signal. */
static unsigned wait_request(struct service *svc)
{
	while (!stop_flag) {
		unsigned r = service_wait(svc, 500);

		if (r)
			return r;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct job_config *cfg;
	struct service *svc;
	struct pipeline_failure replace, fail;
	struct sigaction sa;
	struct sl_err err;
	bool stay;
	int status = 0;

	if (parse_args(argc, argv, &o) != 0) {
		run_usage(stderr);
		return 2;
	}
	cfg = job_load("run", o.job);
	if (cfg == NULL)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	svc = service_start(cfg, o.http);
	if (svc == NULL) {
		fprintf(stderr, "sluice run: out of memory\n");
		job_config_free(cfg);
		return 1;
	}
	stay = service_port(svc) > 0 && !o.to_end;
	service_set_stage(svc, STAGE_PRECHECKING, NULL);
	sl_err_clear(&err);
	if (precheck(cfg, o.ignore_warnings, &err) != 0) {
		fprintf(stderr, "sluice run: %s\n", err.msg);
		service_set_stage(svc, STAGE_FAILED, err.msg);
		service_stop(svc);
		job_config_free(cfg);
		return 1;
	}
	memset(&replace, 0, sizeof(replace));
	for (;;) {
		enum ended how;
		unsigned req;

		service_set_stage(svc, STAGE_RUNNING, NULL);
		sl_err_clear(&err);
		how = run_session(cfg, svc, o.to_end, &replace, &fail, &err);
		memset(&replace, 0, sizeof(replace));
		if (how == ENDED_STOP || how == ENDED_END) {
			fprintf(stderr, "sluice run: stopped\n");
			break;
		}
		if (how == ENDED_FAIL) {
			fprintf(stderr, "sluice run: %s\n", err.msg);
			service_set_stage(svc, STAGE_FAILED, err.msg);
			status = 1;
			if (!stay)
				break;
			fprintf(stderr, "sluice run: failed; waiting for POST "
			                "/resume or /delete (or SIGTERM)\n");
		} else if (how == ENDED_PAUSE) {
			service_set_stage(svc, STAGE_PAUSED, NULL);
			fprintf(stderr, "sluice run: paused\n");
		}
		req = how == ENDED_DELETE ? REQ_DELETE : wait_request(svc);
		if (req & REQ_DELETE) {
			if (pipeline_delete_job(cfg, &err) != 0) {
				fprintf(stderr, "sluice run: delete: %s\n",
				        err.msg);
				status = 1;
			} else {
				status = 0;
			}
			break;
		}
		if (req == 0) { /* a signal while paused or failed */
			fprintf(stderr, "sluice run: stopped\n");
			break;
		}
		if (how == ENDED_FAIL && fail.conflict)
			replace = fail;
		status = 0;
		fprintf(stderr, "sluice run: resuming\n");
	}
	service_set_stage(svc, STAGE_STOPPED, NULL);
	service_stop(svc);
	job_config_free(cfg);
	return status;
}

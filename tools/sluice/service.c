/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/service.c: the job's stage and HTTP interface (see
 * service.h).  Handlers run on io/http's server thread; they read the
 * pipeline through pipeline_stats under the service lock, which the run
 * loop also takes before it closes the pipeline.
 */
#include "service.h"

#include "core/sbuf.h"
#include "core/value.h"
#include "io/http.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct service {
	const struct job_config *cfg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum stage stage;
	char error[SL_ERR_MSG_CAP];
	struct pipeline *p;
	_Atomic unsigned req;
	struct http_server *http;
	struct timespec started;
	/* rates between two status reads at least half a second apart */
	struct timespec rate_t;
	uint64_t rate_in, rate_out;
	double in_s, out_s;
	struct pipeline_stats st; /* scratch, under mu */
	/* totals of the sessions before the current one */
	uint64_t base_in, base_out, base_ops[3], base_retries, base_missing;
};

static const char *const stage_names[] = {
    "validating", "prechecking", "running", "paused", "failed", "stopped",
};

const char *stage_name(enum stage st)
{
	return stage_names[st];
}

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* Fills s->st (when a pipeline runs; its counters plus the earlier
 * sessions') and the rates; under mu. */
static bool sample(struct service *s)
{
	double dt;

	if (s->p == NULL)
		return false;
	pipeline_stats(s->p, &s->st);
	s->st.rows_in += s->base_in;
	s->st.rows_out += s->base_out;
	for (int i = 0; i < 3; i++)
		s->st.ops[i] += s->base_ops[i];
	s->st.retries += s->base_retries;
	s->st.missing_rows += s->base_missing;
	dt = since(&s->rate_t);
	if (dt >= 0.5) {
		if (s->rate_t.tv_sec != 0) {
			s->in_s = (double)(s->st.rows_in - s->rate_in) / dt;
			s->out_s = (double)(s->st.rows_out - s->rate_out) / dt;
		}
		clock_gettime(CLOCK_MONOTONIC, &s->rate_t);
		s->rate_in = s->st.rows_in;
		s->rate_out = s->st.rows_out;
	}
	return true;
}

static void json_key_str(struct sbuf *o, const char *k, const char *v)
{
	sbuf_printf(o, "\"%s\":", k);
	value_json_string(o, v, strlen(v));
}

void service_status_json(struct service *s, struct sbuf *o)
{
	const struct pipeline_stats *st = &s->st;
	bool have;

	pthread_mutex_lock(&s->mu);
	have = sample(s);
	sbuf_putc(o, '{');
	json_key_str(o, "job", s->cfg->name);
	sbuf_putc(o, ',');
	json_key_str(o, "stage", stage_name(s->stage));
	sbuf_putc(o, ',');
	json_key_str(o, "error", s->error);
	sbuf_printf(o, ",\"uptime_seconds\":%.0f", since(&s->started));
	if (have) {
		sbuf_puts(o, ",\"source\":{");
		json_key_str(o, "file", st->read_file);
		sbuf_printf(o, ",\"position\":%" PRIu64 ",", st->read_pos);
		json_key_str(o, "gtid", st->read_gtid);
		sbuf_puts(o, "},\"checkpoint\":{");
		json_key_str(o, "file", st->ck_file);
		sbuf_printf(o, ",\"position\":%" PRIu64 "}", st->ck_pos);
		sbuf_printf(o,
		            ",\"lag_seconds\":%.1f,\"caught_up\":%s,"
		            "\"safe_mode\":%s",
		            st->lag_s, st->caught_up ? "true" : "false",
		            st->safe_mode ? "true" : "false");
		sbuf_printf(o,
		            ",\"rows\":{\"read\":%" PRIu64
		            ",\"applied\":%" PRIu64 ",\"inserted\":%" PRIu64
		            ",\"updated\":%" PRIu64 ",\"deleted\":%" PRIu64
		            ",\"missing\":%" PRIu64 "}",
		            st->rows_in, st->rows_out, st->ops[0], st->ops[1],
		            st->ops[2], st->missing_rows);
		sbuf_printf(o,
		            ",\"rows_per_second\":{\"in\":%.0f,\"out\":%.0f},"
		            "\"retries\":%" PRIu64 ",\"workers\":[",
		            s->in_s, s->out_s, st->retries);
		for (unsigned i = 0;
		     i < st->n_workers && i < PIPELINE_STATS_MAX_WORKERS; i++)
			sbuf_printf(o,
			            "%s{\"id\":%u,\"queue_depth\":%" PRIu64
			            ",\"rows_applied\":%" PRIu64
			            ",\"batches\":%" PRIu64
			            ",\"batch_ms\":%.1f}",
			            i ? "," : "", i, st->w[i].queue_depth,
			            st->w[i].rows_out, st->w[i].batches,
			            st->w[i].batch_ms);
		sbuf_putc(o, ']');
	}
	pthread_mutex_unlock(&s->mu);
	sbuf_puts(o, "}\n");
}

void service_metrics(struct service *s, struct sbuf *o)
{
	const struct pipeline_stats *st = &s->st;
	static const char *const ops[] = {"insert", "update", "delete"};
	bool have;

	pthread_mutex_lock(&s->mu);
	have = sample(s);
	sbuf_puts(o, "# HELP sluice_stage The job's stage (1 for the current "
	             "one).\n# TYPE sluice_stage gauge\n");
	for (int i = STAGE_VALIDATING; i <= STAGE_STOPPED; i++)
		sbuf_printf(o, "sluice_stage{stage=\"%s\"} %d\n",
		            stage_names[i], i == (int)s->stage);
	sbuf_printf(o,
	            "# HELP sluice_uptime_seconds Seconds since the job "
	            "started.\n# TYPE sluice_uptime_seconds gauge\n"
	            "sluice_uptime_seconds %.0f\n",
	            since(&s->started));
	if (have) {
		sbuf_printf(o,
		            "# HELP sluice_lag_seconds Source time of the "
		            "oldest worker's last commit, behind now; 0 when "
		            "caught up.\n# TYPE sluice_lag_seconds gauge\n"
		            "sluice_lag_seconds %.1f\n"
		            "# HELP sluice_caught_up 1 when every row read is "
		            "applied and the source is quiet.\n"
		            "# TYPE sluice_caught_up gauge\nsluice_caught_up "
		            "%d\n",
		            st->lag_s, st->caught_up ? 1 : 0);
		sbuf_printf(o,
		            "# HELP sluice_rows_read_total Row changes read "
		            "from the source (selected tables).\n"
		            "# TYPE sluice_rows_read_total counter\n"
		            "sluice_rows_read_total %" PRIu64 "\n"
		            "# HELP sluice_rows_applied_total Row changes "
		            "committed on the target.\n"
		            "# TYPE sluice_rows_applied_total counter\n",
		            st->rows_in);
		for (int i = 0; i < 3; i++)
			sbuf_printf(o,
			            "sluice_rows_applied_total{op=\"%s\"} "
			            "%" PRIu64 "\n",
			            ops[i], st->ops[i]);
		sbuf_printf(o,
		            "# HELP sluice_missing_rows_total Rows to update "
		            "or delete that the target lacked.\n"
		            "# TYPE sluice_missing_rows_total counter\n"
		            "sluice_missing_rows_total %" PRIu64 "\n"
		            "# HELP sluice_retries_total Batches retried after "
		            "a retryable target error.\n"
		            "# TYPE sluice_retries_total counter\n"
		            "sluice_retries_total %" PRIu64 "\n"
		            "# HELP sluice_checkpoint_position Byte position "
		            "of the oldest worker checkpoint in its file.\n"
		            "# TYPE sluice_checkpoint_position gauge\n"
		            "sluice_checkpoint_position %" PRIu64 "\n",
		            st->missing_rows, st->retries, st->ck_pos);
		sbuf_puts(o, "# HELP sluice_worker_queue_depth Items waiting "
		             "in a worker's ring.\n"
		             "# TYPE sluice_worker_queue_depth gauge\n");
		for (unsigned i = 0;
		     i < st->n_workers && i < PIPELINE_STATS_MAX_WORKERS; i++)
			sbuf_printf(o,
			            "sluice_worker_queue_depth{worker=\"%u\"} "
			            "%" PRIu64 "\n",
			            i, st->w[i].queue_depth);
		sbuf_puts(o, "# HELP sluice_worker_batch_seconds A worker's "
		             "last batch apply time.\n"
		             "# TYPE sluice_worker_batch_seconds gauge\n");
		for (unsigned i = 0;
		     i < st->n_workers && i < PIPELINE_STATS_MAX_WORKERS; i++)
			sbuf_printf(
			    o,
			    "sluice_worker_batch_seconds{worker=\"%u\"} "
			    "%.4f\n",
			    i, st->w[i].batch_ms / 1000.0);
	}
	pthread_mutex_unlock(&s->mu);
}

static void request(struct service *s, unsigned bit, enum stage need_a,
                    enum stage need_b, struct http_resp *resp)
{
	enum stage st;

	pthread_mutex_lock(&s->mu);
	st = s->stage;
	if (bit != REQ_DELETE && st != need_a && st != need_b) {
		char msg[128];

		pthread_mutex_unlock(&s->mu);
		snprintf(msg, sizeof(msg), "the job is %s", stage_name(st));
		http_resp_error(resp, 409, msg);
		return;
	}
	atomic_fetch_or(&s->req, bit);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	resp->status = 202;
	resp->content_type = "application/json";
	sbuf_printf(resp->body, "{\"stage\":\"%s\",\"accepted\":\"%s\"}\n",
	            stage_name(st),
	            bit == REQ_PAUSE    ? "pause"
	            : bit == REQ_RESUME ? "resume"
	                                : "delete");
}

static void handle(void *ctx, const struct http_req *req,
                   struct http_resp *resp)
{
	struct service *s = ctx;
	bool get = strcmp(req->method, "GET") == 0;
	bool post = strcmp(req->method, "POST") == 0;

	if (strcmp(req->path, "/status") == 0 ||
	    strcmp(req->path, "/metrics") == 0) {
		if (!get) {
			resp->allow = "GET";
			http_resp_error(resp, 405, "use GET");
			return;
		}
		resp->status = 200;
		if (req->path[1] == 's') {
			resp->content_type = "application/json";
			service_status_json(s, resp->body);
		} else {
			resp->content_type = "text/plain; version=0.0.4";
			service_metrics(s, resp->body);
		}
		return;
	}
	if (strcmp(req->path, "/pause") == 0 ||
	    strcmp(req->path, "/resume") == 0 ||
	    strcmp(req->path, "/delete") == 0) {
		if (!post) {
			resp->allow = "POST";
			http_resp_error(resp, 405, "use POST");
			return;
		}
		if (req->path[1] == 'p')
			request(s, REQ_PAUSE, STAGE_RUNNING, STAGE_RUNNING,
			        resp);
		else if (req->path[1] == 'r')
			request(s, REQ_RESUME, STAGE_PAUSED, STAGE_FAILED,
			        resp);
		else
			request(s, REQ_DELETE, STAGE_RUNNING, STAGE_RUNNING,
			        resp);
		return;
	}
	http_resp_error(resp, 404, "no such path");
}

/* "HOST:PORT" into a fresh host string and port; false when malformed. */
static bool split_addr(const char *a, char *host, size_t cap, int *port)
{
	const char *c = strrchr(a, ':');
	char *end;
	long v;

	if (c == NULL || (size_t)(c - a) >= cap)
		return false;
	v = strtol(c + 1, &end, 10);
	if (*end != '\0' || v < 0 || v > 65535 || end == c + 1)
		return false;
	memcpy(host, a, (size_t)(c - a));
	host[c - a] = '\0';
	if (host[0] == '[') { /* [::1] */
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']')
			return false;
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	*port = (int)v;
	return true;
}

struct service *service_start(const struct job_config *cfg, const char *addr)
{
	struct service *s = calloc(1, sizeof(*s));
	char host[256], def[300];
	struct http_opts o;
	struct sl_err err;
	int port = 0;

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	if (addr == NULL) {
		snprintf(def, sizeof(def), "%s:%u",
		         cfg->http.addr.host ? cfg->http.addr.host
		                             : "127.0.0.1",
		         cfg->http.addr.port ? cfg->http.addr.port : 8250);
		addr = def;
	}
	if (strcmp(addr, "off") == 0)
		return s;
	if (!split_addr(addr, host, sizeof(host), &port)) {
		fprintf(stderr,
		        "sluice run: --http %s: not HOST:PORT; the HTTP "
		        "interface is off\n",
		        addr);
		return s;
	}
	memset(&o, 0, sizeof(o));
	o.bind = host;
	o.port = port;
	o.token = cfg->http.token;
	sl_err_clear(&err);
	if (http_server_start(&o, handle, s, &s->http, &err) != 0) {
		fprintf(stderr,
		        "sluice run: http %s: %s; the job runs without its "
		        "HTTP interface\n",
		        addr, err.msg);
		s->http = NULL;
		return s;
	}
	fprintf(stderr, "sluice run: http: listening on %s:%d%s\n", host,
	        http_server_port(s->http), o.token ? " (token required)" : "");
	return s;
}

void service_stop(struct service *s)
{
	if (s == NULL)
		return;
	if (s->http)
		http_server_stop(s->http);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

int service_port(const struct service *s)
{
	return s->http ? http_server_port(s->http) : 0;
}

void service_set_stage(struct service *s, enum stage st, const char *error)
{
	pthread_mutex_lock(&s->mu);
	s->stage = st;
	if (error)
		snprintf(s->error, sizeof(s->error), "%s", error);
	else if (st == STAGE_RUNNING)
		s->error[0] = '\0';
	pthread_mutex_unlock(&s->mu);
}

enum stage service_stage(struct service *s)
{
	enum stage st;

	pthread_mutex_lock(&s->mu);
	st = s->stage;
	pthread_mutex_unlock(&s->mu);
	return st;
}

void service_add_totals(struct service *s, struct pipeline *p)
{
	struct pipeline_stats *st = malloc(sizeof(*st));

	if (st == NULL)
		return;
	pipeline_stats(p, st);
	pthread_mutex_lock(&s->mu);
	s->base_in += st->rows_in;
	s->base_out += st->rows_out;
	for (int i = 0; i < 3; i++)
		s->base_ops[i] += st->ops[i];
	s->base_retries += st->retries;
	s->base_missing += st->missing_rows;
	pthread_mutex_unlock(&s->mu);
	free(st);
}

void service_set_pipeline(struct service *s, struct pipeline *p)
{
	pthread_mutex_lock(&s->mu);
	s->p = p;
	s->rate_t.tv_sec = 0;
	s->in_s = s->out_s = 0;
	pthread_mutex_unlock(&s->mu);
}

unsigned service_take(struct service *s)
{
	if (atomic_load_explicit(&s->req, memory_order_relaxed) == 0)
		return 0; /* once per event: no lock */
	return atomic_exchange(&s->req, 0u);
}

unsigned service_wait(struct service *s, int ms)
{
	struct timespec until;
	unsigned r;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	if (atomic_load(&s->req) == 0)
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
	r = atomic_exchange(&s->req, 0u);
	pthread_mutex_unlock(&s->mu);
	return r;
}

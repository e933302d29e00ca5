/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/service.h: `sluice run` as a service (DESIGN.md 6): the
 * job's stage, its HTTP interface (GET /status JSON, GET /metrics
 * Prometheus text, POST /pause, /resume, /delete) and the requests the
 * HTTP thread hands to the run loop.  The run loop (cmd_run.c) owns the
 * pipeline and publishes it here while it runs; the HTTP thread only
 * reads it under the service's lock.
 */
#ifndef SL_TOOLS_SERVICE_H
#define SL_TOOLS_SERVICE_H

#include "apply/pipeline.h"
#include "core/config.h"
#include "core/err.h"
#include "core/sbuf.h"

#include <pthread.h>
#include <stdbool.h>

enum stage {
	STAGE_VALIDATING,
	STAGE_PRECHECKING,
	STAGE_RUNNING,
	STAGE_PAUSED,
	STAGE_FAILED,
	STAGE_STOPPED,
};

/* Requests from the HTTP interface, as bits. */
enum { REQ_PAUSE = 1, REQ_RESUME = 2, REQ_DELETE = 4 };

struct service;

/* Starts the HTTP interface on addr ("HOST:PORT", port 0 = any; NULL: the
 * job's http.addr) unless addr is "off".  A port that cannot be bound is
 * logged and the job runs without it.  Returns NULL only out of memory. */
struct service *service_start(const struct job_config *cfg, const char *addr);
void service_stop(struct service *s);

/* The bound HTTP port, or 0 when the interface is off. */
int service_port(const struct service *s);

void service_set_stage(struct service *s, enum stage st, const char *error);
enum stage service_stage(struct service *s);
const char *stage_name(enum stage st);

/* Publishes the running pipeline (NULL when it is closed; the call then
 * waits for any reader). */
void service_set_pipeline(struct service *s, struct pipeline *p);

/* Adds a session's final counters to the job's totals (the counters of
 * /status and /metrics run across pause, resume and failures). */
void service_add_totals(struct service *s, struct pipeline *p);

/* Takes the pending requests (REQ_* bits), clearing them. */
unsigned service_take(struct service *s);

/* Waits until a request arrives or ms pass; returns the REQ_* bits. */
unsigned service_wait(struct service *s, int ms);

/* Status as JSON / metrics as Prometheus text (for the HTTP handler and
 * tests). */
void service_status_json(struct service *s, struct sbuf *out);
void service_metrics(struct service *s, struct sbuf *out);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/job.c: job file loading and source options (see job.h).
 */
#include "job.h"

#include <stdio.h>
#include <string.h>

struct job_config *job_load(const char *cmd, const char *path)
{
	struct job_config_errors errs;
	struct job_config *cfg = NULL;
	int rc;

	job_config_errors_init(&errs);
	rc = job_config_load(path, &cfg, &errs);
	if (rc != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "sluice %s: %s\n", cmd, errs.v[i].msg);
		if (errs.n == 0)
			fprintf(stderr,
			        "sluice %s: %s: cannot load the job file\n",
			        cmd, path);
		cfg = NULL;
	}
	job_config_errors_deinit(&errs);
	return cfg;
}

static enum tls_mode tls_mode_of(enum config_tls_mode m)
{
	switch (m) {
	case CONFIG_TLS_DISABLED: return TLS_DISABLED;
	case CONFIG_TLS_REQUIRED: return TLS_REQUIRED;
	case CONFIG_TLS_VERIFY_CA: return TLS_VERIFY_CA;
	case CONFIG_TLS_VERIFY_IDENTITY: return TLS_VERIFY_IDENTITY;
	default: return TLS_PREFERRED;
	}
}

void job_source_opts(const struct job_config *cfg, struct conn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = cfg->source.host;
	o->port = cfg->source.port;
	o->user = cfg->source.user;
	o->password = cfg->source.password;
	o->tls.mode = tls_mode_of(cfg->source.tls.mode);
	o->tls.ca = cfg->source.tls.ca;
	o->tls.cert = cfg->source.tls.cert;
	o->tls.key = cfg->source.tls.key;
}

void job_stream_opts(const struct job_config *cfg, struct stream_opts *so)
{
	memset(so, 0, sizeof(*so));
	job_source_opts(cfg, &so->conn);
	so->server_id = cfg->source.server_id ? cfg->source.server_id : 4242;
	switch (cfg->start.mode) {
	case CONFIG_START_GTID: so->start = STREAM_START_GTID; break;
	case CONFIG_START_POSITION: so->start = STREAM_START_POSITION; break;
	default: so->start = STREAM_START_NOW; break;
	}
	so->file = cfg->start.file;
	so->position = cfg->start.position;
	so->gtid = cfg->start.gtid;
}

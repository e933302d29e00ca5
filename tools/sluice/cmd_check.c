/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_check.c: `sluice check JOB.yaml`: validates the job
 * file (mistakes: one line each, exit 2), prints the job as sluice reads
 * it (defaults written out, secrets masked), then connects to the source
 * and every target host and runs the precheck (apply/precheck.h): one
 * line per item, Pass / Warning / Failed with what to do, and a summary.
 * Exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
#include "cmd.h"
#include "job.h"
#include "job_check.h"

#include "apply/precheck.h"
#include "core/sbuf.h"

#include <stdio.h>
#include <string.h>

int cmd_check(int argc, char **argv)
{
	struct precheck_report rep;
	struct job_config *cfg;
	struct sl_err err;
	struct sbuf b;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: sluice check JOB.yaml\n");
		return 2;
	}
	cfg = job_load("check", argv[1]);
	if (cfg == NULL)
		return 2;
	sbuf_init(&b);
	job_config_format(cfg, &b);
	if (sbuf_ok(&b))
		printf("# %s as sluice reads it (secrets masked)\n%s\n",
		       argv[1], sbuf_cstr(&b));
	sbuf_deinit(&b);
	fflush(stdout);

	precheck_report_init(&rep);
	sl_err_clear(&err);
	rc = job_precheck(cfg, &rep, &err);
	precheck_report_print(&rep, stdout);
	if (rc != 0)
		fprintf(stderr, "sluice check: %s\n", err.msg);
	rc = rc != 0 || rep.n_failed > 0 ? 1 : 0;
	precheck_report_deinit(&rep);
	job_config_free(cfg);
	return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_position.c: `sluice position JOB.yaml`: connects to
 * the job's source and prints its current binlog file, position and GTID
 * set (the values a `start:` block takes).
 */
#include "cmd.h"
#include "job.h"

#include "io/source.h"

#include <stdio.h>

int cmd_position(int argc, char **argv)
{
	struct job_config *cfg;
	struct conn_opts o;
	struct conn *c = NULL;
	struct source_pos pos;
	struct sl_err err;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: sluice position JOB.yaml\n");
		return 2;
	}
	cfg = job_load("position", argv[1]);
	if (cfg == NULL)
		return 2;
	job_source_opts(cfg, &o);
	sl_err_clear(&err);
	rc = conn_open(&o, &c, &err);
	if (rc == 0)
		rc = source_position(c, &pos, &err);
	if (rc) {
		fprintf(stderr, "sluice position: source %s\n", err.msg);
		conn_close(c);
		job_config_free(cfg);
		return 1;
	}
	printf("flavour: %s\nversion: %s\nfile: %s\nposition: %llu\n"
	       "gtid: \"%s\"\n",
	       pos.mariadb ? "MariaDB" : "MySQL", conn_server_version(c),
	       pos.file, (unsigned long long)pos.position, pos.gtid);
	source_pos_free(&pos);
	conn_close(c);
	job_config_free(cfg);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/source.h: what sluice asks a source server outside the binlog
 * stream: its flavour, its current binlog file, position and GTID set,
 * and the replication settings the prechecks look at.  Runs queries on a
 * connection from io/conn.c; no state of its own.
 */
#ifndef SL_IO_SOURCE_H
#define SL_IO_SOURCE_H

#include "core/err.h"
#include "io/conn.h"

#include <stdbool.h>
#include <stdint.h>

struct source_pos {
	char file[256];
	uint64_t position;
	char *gtid; /* MySQL @@gtid_executed or MariaDB @@gtid_binlog_pos;
	               "" when none; owned, free with source_pos_free */
	bool mariadb;
};

/* The source's current position (SHOW MASTER STATUS, or SHOW BINARY LOG
 * STATUS on MySQL 8.4+) and GTID set.  Fails with a clear line when
 * binary logging is off. */
int source_position(struct conn *c, struct source_pos *pos, struct sl_err *err);
void source_pos_free(struct source_pos *pos);

/* One server variable as text (SELECT @@name); *out owned, NULL when the
 * variable does not exist on this server. */
int source_variable(struct conn *c, const char *name, char **out,
                    struct sl_err *err);

#endif

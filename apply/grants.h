/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/grants.h: what a user may do, read from the lines of SHOW GRANTS
 * (MySQL, MariaDB and TiDB forms), for the precheck.  Global, database
 * (with MySQL's % and _ patterns) and table grants count; column grants,
 * routine grants and partial revokes do not.  Privileges that come from
 * a role may not show in SHOW GRANTS (MySQL lists the role, not what it
 * holds): `roles` says a role was seen, so a caller can say "unless a
 * role grants it".  Plain data, one owner, no I/O.
 */
#ifndef SL_APPLY_GRANTS_H
#define SL_APPLY_GRANTS_H

#include <stdbool.h>
#include <stddef.h>

struct grant;

struct grants {
	struct grant *v; /* private */
	size_t n;
	bool roles; /* a role is granted to the user */
};

void grants_init(struct grants *g);
void grants_deinit(struct grants *g);

/* Adds one SHOW GRANTS line (lines that grant nothing on tables or
 * globally are skipped, malformed ones too).  0 or SL_ENOMEM. */
int grants_add_line(struct grants *g, const char *line);

/* Whether priv ("SELECT", or aliases "REPLICATION CLIENT|BINLOG
 * MONITOR", upper case) is granted globally, or (db != NULL) on database
 * db, or (table != NULL too) on db.table.  ALL [PRIVILEGES] holds every
 * privilege of its level; global-only privileges are asked with db NULL. */
bool grants_has(const struct grants *g, const char *priv, const char *db,
                const char *table);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/live_mariadb.h: a throwaway MariaDB server for unit tests
 * that need a real one (tests/lib/mariadb.sh does the work).  A helper
 * bash process starts the server, prints its port, and keeps it up until
 * its stdin (our pipe) closes; its traps then stop it.  Header-only: the
 * functions are static, include it from one test file each.
 */
#ifndef SL_TESTS_LIVE_MARIADB_H
#define SL_TESTS_LIVE_MARIADB_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct live_mariadb {
	pid_t pid;
	int ctl;
	int port;
};

/* Starts a source-style server named `name` and runs setup_sql on it as
 * root.  The user sluice/sluice exists (mariadb.sh).  0 or -1. */
static int live_mariadb_start(struct live_mariadb *l, const char *name,
                              const char *setup_sql)
{
	static const char script[] =
	    "set -euo pipefail\n"
	    ". \"$0\"\n"
	    "mdb_trap ''\n"
	    "port=$(mdb_free_port 23700)\n"
	    "mdb_start_source \"$1\" \"$port\" >&2\n"
	    "[ -n \"$2\" ] && mdb_sql \"$1\" \"$2\" >&2\n"
	    "printf '%s\\n' \"$port\"\n"
	    "read -r _ || true\n";
	char lib[1024], line[64];
	int in[2], out[2];
	char *slash;
	FILE *f;

	l->pid = -1;
	l->ctl = -1;
	/* tests/unit/x.c -> tests/lib/mariadb.sh */
	snprintf(lib, sizeof(lib), "%s", __FILE__);
	slash = strrchr(lib, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	slash = strrchr(lib, '/');
	if (slash == NULL)
		return -1;
	snprintf(slash, sizeof(lib) - (size_t)(slash - lib), "/lib/mariadb.sh");
	if (access(lib, R_OK) != 0 || pipe(in) != 0 || pipe(out) != 0)
		return -1;
	l->pid = fork();
	if (l->pid < 0)
		return -1;
	if (l->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execlp("bash", "bash", "-c", script, lib, name,
		       setup_sql ? setup_sql : "", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	l->ctl = in[1];
	f = fdopen(out[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
		fprintf(stderr, "live: the MariaDB helper failed\n");
		if (f)
			fclose(f);
		close(l->ctl);
		waitpid(l->pid, NULL, 0);
		l->pid = -1;
		return -1;
	}
	fclose(f);
	l->port = atoi(line);
	return 0;
}

/* Stops the server; 0 when the helper exited cleanly. */
static int live_mariadb_stop(struct live_mariadb *l)
{
	int st = 0;

	if (l->pid > 0) {
		close(l->ctl);
		waitpid(l->pid, &st, 0);
		l->pid = -1;
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

#endif

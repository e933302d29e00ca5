/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/main.c: the `sluice` command line.  Picks the subcommand
 * and hands it argc/argv; each lives in cmd_<name>.c and returns the exit
 * status (0 ok, 1 the job or check failed, 2 usage or configuration).
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
    {"binlog", cmd_binlog,
     "[--json] [--start-position N] [--stop-position N] FILE...   "
     "decode local binlog files"},
    {"check", cmd_check,
     "JOB.yaml       validate connections, then precheck: Pass / Warning "
     "/ Failed per item"},
    {"position", cmd_position,
     "JOB.yaml       the source's current binlog file, position and GTID set"},
    {"run", cmd_run,
     "JOB.yaml [--http ADDR|off] [--ignore-warnings] [--to-end]   run the "
     "job in the foreground (service mode)"},
    {"status", cmd_status,
     "[--http ADDR] [--watch] [--json]   stage and status of a running "
     "job"},
    {"pause", cmd_pause,
     "[--http ADDR]   finish in-flight batches and stop reading"},
    {"resume", cmd_resume,
     "[--http ADDR]   continue from the checkpoint (after a failure too)"},
    {"delete", cmd_delete,
     "[--http ADDR]   stop the job and remove its checkpoints (target "
     "data stays)"},
    {"version", cmd_version, "                print the version"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: sluice COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  sluice %s %s\n", cmds[i].name, cmds[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "sluice: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd.h: the subcommands.  Each takes its own argv (argv[0]
 * is the subcommand name) and returns the process exit status.
 */
#ifndef SL_TOOLS_CMD_H
#define SL_TOOLS_CMD_H

#define SLUICE_VERSION "0.1.0"

int cmd_binlog(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_position(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_delete(int argc, char **argv);

#endif

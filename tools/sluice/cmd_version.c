/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/cmd_version.c: `sluice version`.
 */
#include "cmd.h"

#include <stdio.h>

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("sluice %s\n", SLUICE_VERSION);
	return 0;
}

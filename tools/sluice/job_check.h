/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/sluice/job_check.h: the precheck of a job with real connections,
 * shared by `sluice check` and (later) `sluice run`: opens the source
 * through io/conn.h and every target host through apply/target.h, hands
 * them to apply/precheck.h, and closes them.
 */
#ifndef SL_TOOLS_JOB_CHECK_H
#define SL_TOOLS_JOB_CHECK_H

#include "apply/precheck.h"
#include "core/config.h"
#include "core/err.h"

/* Connects to every server of cfg, then runs the precheck into out (a
 * server that cannot be reached is a Failed item, not an error).
 * Returns 0, or SL_ENOMEM with err set. */
int job_precheck(const struct job_config *cfg, struct precheck_report *out,
                 struct sl_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/json_bin.h: MySQL's binary JSON (the JSON column type's storage and
 * binlog form) to the text MySQL itself prints, and the partial-update
 * JSON diffs of PARTIAL_UPDATE_ROWS events to a readable expression.
 * Pure functions over untrusted bytes: every offset is bounds-checked,
 * nesting depth is capped.  Any thread.
 */
#ifndef SL_CORE_JSON_BIN_H
#define SL_CORE_JSON_BIN_H

#include "err.h"
#include "sbuf.h"

#include <stddef.h>
#include <stdint.h>

/* Appends the JSON text of the binary document (p, n) to out, formatted
 * as MySQL prints it ({"a": 1, "b": [true, null]}).  An empty document
 * (n == 0) prints as null.  Returns 0 or SL_EPROTO with err set. */
int json_bin_to_text(const uint8_t *p, size_t n, struct sbuf *out,
                     struct sl_err *err);

/* Appends a partial-update diff list (the bytes of one column in a
 * PARTIAL_UPDATE_ROWS after image) as nested MySQL calls applied to
 * `col_expr`, e.g. JSON_REPLACE(JSON_INSERT(@3, '$.a', 1), '$.b', "x").
 * Returns 0 or SL_EPROTO with err set. */
int json_diff_to_text(const uint8_t *p, size_t n, const char *col_expr,
                      struct sbuf *out, struct sl_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/coltype.c: names of the binlog column type codes, for messages and
 * `sluice binlog` output.  A constant table indexed by the code; any thread.
 */
#include "coltype.h"

static const char *const type_names[256] = {
    [COL_DECIMAL] = "DECIMAL",
    [COL_TINY] = "TINY",
    [COL_SHORT] = "SHORT",
    [COL_LONG] = "LONG",
    [COL_FLOAT] = "FLOAT",
    [COL_DOUBLE] = "DOUBLE",
    [COL_NULL] = "NULL",
    [COL_TIMESTAMP] = "TIMESTAMP",
    [COL_LONGLONG] = "LONGLONG",
    [COL_INT24] = "INT24",
    [COL_DATE] = "DATE",
    [COL_TIME] = "TIME",
    [COL_DATETIME] = "DATETIME",
    [COL_YEAR] = "YEAR",
    [COL_NEWDATE] = "NEWDATE",
    [COL_VARCHAR] = "VARCHAR",
    [COL_BIT] = "BIT",
    [COL_TIMESTAMP2] = "TIMESTAMP2",
    [COL_DATETIME2] = "DATETIME2",
    [COL_TIME2] = "TIME2",
    [COL_TYPED_ARRAY] = "TYPED_ARRAY",
    [COL_VECTOR] = "VECTOR",
    [COL_INVALID] = "INVALID",
    [COL_BOOL] = "BOOL",
    [COL_JSON] = "JSON",
    [COL_NEWDECIMAL] = "NEWDECIMAL",
    [COL_ENUM] = "ENUM",
    [COL_SET] = "SET",
    [COL_TINY_BLOB] = "TINY_BLOB",
    [COL_MEDIUM_BLOB] = "MEDIUM_BLOB",
    [COL_LONG_BLOB] = "LONG_BLOB",
    [COL_BLOB] = "BLOB",
    [COL_VAR_STRING] = "VAR_STRING",
    [COL_STRING] = "STRING",
    [COL_GEOMETRY] = "GEOMETRY",
};

/* Never NULL: codes outside enum col_type read "UNKNOWN". */
const char *coltype_name(uint8_t type)
{
	const char *s = type_names[type];

	return s ? s : "UNKNOWN";
}

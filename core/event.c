/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/event.c: names of event types and row operations, for output and
 * error messages.  Pure lookups.
 */
#include "event.h"

#include <stddef.h>

const char *event_type_name(uint8_t type)
{
	static const char *const low[] = {
	    [EVENT_START_V3] = "START_V3",
	    [EVENT_QUERY] = "QUERY",
	    [EVENT_STOP] = "STOP",
	    [EVENT_ROTATE] = "ROTATE",
	    [EVENT_INTVAR] = "INTVAR",
	    [EVENT_LOAD] = "LOAD",
	    [EVENT_SLAVE] = "SLAVE",
	    [EVENT_CREATE_FILE] = "CREATE_FILE",
	    [EVENT_APPEND_BLOCK] = "APPEND_BLOCK",
	    [EVENT_EXEC_LOAD] = "EXEC_LOAD",
	    [EVENT_DELETE_FILE] = "DELETE_FILE",
	    [EVENT_NEW_LOAD] = "NEW_LOAD",
	    [EVENT_RAND] = "RAND",
	    [EVENT_USER_VAR] = "USER_VAR",
	    [EVENT_FORMAT_DESCRIPTION] = "FORMAT_DESCRIPTION",
	    [EVENT_XID] = "XID",
	    [EVENT_BEGIN_LOAD_QUERY] = "BEGIN_LOAD_QUERY",
	    [EVENT_EXECUTE_LOAD_QUERY] = "EXECUTE_LOAD_QUERY",
	    [EVENT_TABLE_MAP] = "TABLE_MAP",
	    [EVENT_PRE_GA_WRITE_ROWS] = "PRE_GA_WRITE_ROWS",
	    [EVENT_PRE_GA_UPDATE_ROWS] = "PRE_GA_UPDATE_ROWS",
	    [EVENT_PRE_GA_DELETE_ROWS] = "PRE_GA_DELETE_ROWS",
	    [EVENT_WRITE_ROWS_V1] = "WRITE_ROWS_V1",
	    [EVENT_UPDATE_ROWS_V1] = "UPDATE_ROWS_V1",
	    [EVENT_DELETE_ROWS_V1] = "DELETE_ROWS_V1",
	    [EVENT_INCIDENT] = "INCIDENT",
	    [EVENT_HEARTBEAT] = "HEARTBEAT",
	    [EVENT_IGNORABLE] = "IGNORABLE",
	    [EVENT_ROWS_QUERY] = "ROWS_QUERY",
	    [EVENT_WRITE_ROWS_V2] = "WRITE_ROWS_V2",
	    [EVENT_UPDATE_ROWS_V2] = "UPDATE_ROWS_V2",
	    [EVENT_DELETE_ROWS_V2] = "DELETE_ROWS_V2",
	    [EVENT_GTID] = "GTID",
	    [EVENT_ANONYMOUS_GTID] = "ANONYMOUS_GTID",
	    [EVENT_PREVIOUS_GTIDS] = "PREVIOUS_GTIDS",
	    [EVENT_TRANSACTION_CONTEXT] = "TRANSACTION_CONTEXT",
	    [EVENT_VIEW_CHANGE] = "VIEW_CHANGE",
	    [EVENT_XA_PREPARE] = "XA_PREPARE",
	    [EVENT_PARTIAL_UPDATE_ROWS] = "PARTIAL_UPDATE_ROWS",
	    [EVENT_TRANSACTION_PAYLOAD] = "TRANSACTION_PAYLOAD",
	    [EVENT_HEARTBEAT_V2] = "HEARTBEAT_V2",
	    [EVENT_GTID_TAGGED] = "GTID_TAGGED",
	};
	static const char *const maria[] = {
	    "MARIA_ANNOTATE_ROWS",
	    "MARIA_BINLOG_CHECKPOINT",
	    "MARIA_GTID",
	    "MARIA_GTID_LIST",
	    "MARIA_START_ENCRYPTION",
	    "MARIA_QUERY_COMPRESSED",
	    "MARIA_WRITE_ROWS_COMPRESSED_V1",
	    "MARIA_UPDATE_ROWS_COMPRESSED_V1",
	    "MARIA_DELETE_ROWS_COMPRESSED_V1",
	    "MARIA_WRITE_ROWS_COMPRESSED",
	    "MARIA_UPDATE_ROWS_COMPRESSED",
	    "MARIA_DELETE_ROWS_COMPRESSED",
	};

	if (type < sizeof(low) / sizeof(low[0]))
		return low[type];
	if (type >= EVENT_MARIA_ANNOTATE_ROWS &&
	    type <= EVENT_MARIA_DELETE_ROWS_COMPRESSED)
		return maria[type - EVENT_MARIA_ANNOTATE_ROWS];
	return NULL;
}

const char *row_op_name(int op)
{
	switch (op) {
	case ROW_INSERT: return "INSERT";
	case ROW_UPDATE: return "UPDATE";
	case ROW_DELETE: return "DELETE";
	default: return "?";
	}
}

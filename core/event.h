/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/event.h: binlog event type codes (MySQL and MariaDB numbering),
 * the 19-byte v4 common header, and the names `sluice binlog` prints.
 * Shared by the decoder (decode.c), the file reader (io/) and, later, the
 * replication stream.  Header-only constants plus event.c for names.
 */
#ifndef SL_CORE_EVENT_H
#define SL_CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

enum event_type {
	EVENT_UNKNOWN = 0,
	EVENT_START_V3 = 1,
	EVENT_QUERY = 2,
	EVENT_STOP = 3,
	EVENT_ROTATE = 4,
	EVENT_INTVAR = 5,
	EVENT_LOAD = 6,
	EVENT_SLAVE = 7,
	EVENT_CREATE_FILE = 8,
	EVENT_APPEND_BLOCK = 9,
	EVENT_EXEC_LOAD = 10,
	EVENT_DELETE_FILE = 11,
	EVENT_NEW_LOAD = 12,
	EVENT_RAND = 13,
	EVENT_USER_VAR = 14,
	EVENT_FORMAT_DESCRIPTION = 15,
	EVENT_XID = 16,
	EVENT_BEGIN_LOAD_QUERY = 17,
	EVENT_EXECUTE_LOAD_QUERY = 18,
	EVENT_TABLE_MAP = 19,
	EVENT_PRE_GA_WRITE_ROWS = 20,
	EVENT_PRE_GA_UPDATE_ROWS = 21,
	EVENT_PRE_GA_DELETE_ROWS = 22,
	EVENT_WRITE_ROWS_V1 = 23,
	EVENT_UPDATE_ROWS_V1 = 24,
	EVENT_DELETE_ROWS_V1 = 25,
	EVENT_INCIDENT = 26,
	EVENT_HEARTBEAT = 27,
	EVENT_IGNORABLE = 28,
	EVENT_ROWS_QUERY = 29,
	EVENT_WRITE_ROWS_V2 = 30,
	EVENT_UPDATE_ROWS_V2 = 31,
	EVENT_DELETE_ROWS_V2 = 32,
	EVENT_GTID = 33,
	EVENT_ANONYMOUS_GTID = 34,
	EVENT_PREVIOUS_GTIDS = 35,
	EVENT_TRANSACTION_CONTEXT = 36,
	EVENT_VIEW_CHANGE = 37,
	EVENT_XA_PREPARE = 38,
	EVENT_PARTIAL_UPDATE_ROWS = 39,
	EVENT_TRANSACTION_PAYLOAD = 40,
	EVENT_HEARTBEAT_V2 = 41,
	EVENT_GTID_TAGGED = 42,
	EVENT_MARIA_ANNOTATE_ROWS = 160,
	EVENT_MARIA_BINLOG_CHECKPOINT = 161,
	EVENT_MARIA_GTID = 162,
	EVENT_MARIA_GTID_LIST = 163,
	EVENT_MARIA_START_ENCRYPTION = 164,
	EVENT_MARIA_QUERY_COMPRESSED = 165,
	EVENT_MARIA_WRITE_ROWS_COMPRESSED_V1 = 166,
	EVENT_MARIA_UPDATE_ROWS_COMPRESSED_V1 = 167,
	EVENT_MARIA_DELETE_ROWS_COMPRESSED_V1 = 168,
	EVENT_MARIA_WRITE_ROWS_COMPRESSED = 169,
	EVENT_MARIA_UPDATE_ROWS_COMPRESSED = 170,
	EVENT_MARIA_DELETE_ROWS_COMPRESSED = 171,
};

#define EVENT_HEADER_LEN 19
#define EVENT_CRC_LEN    4
#define BINLOG_MAGIC_LEN 4

/* Common header flags. */
enum {
	EVENT_F_BINLOG_IN_USE = 0x0001,
	EVENT_F_THREAD_SPECIFIC = 0x0004,
	EVENT_F_SUPPRESS_USE = 0x0008,
	EVENT_F_ARTIFICIAL = 0x0020,
	EVENT_F_RELAY_LOG = 0x0040,
	EVENT_F_IGNORABLE = 0x0080,
};

struct event_header {
	uint32_t timestamp;
	uint8_t type;
	uint32_t server_id;
	uint32_t size; /* whole event: header + body + checksum */
	uint32_t
	    log_pos; /* end offset in the source's file; 0 inside payloads */
	uint16_t flags;
};

/* Name of a type code ("WRITE_ROWS_V2", "MARIA_GTID"), or NULL when the
 * code is not one this decoder knows. */
const char *event_type_name(uint8_t type);

/* Row operations. */
enum row_op {
	ROW_INSERT = 1,
	ROW_UPDATE = 2,
	ROW_DELETE = 3,
};

const char *row_op_name(int op);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/tidb.c: the target error table and its lookup (see tidb.h for
 * the four classes and what the worker does with each).
 * The table lists every code that is not plain SL_EFATAL, plus the few
 * fatal ones whose class is a decision worth writing down (foreign keys,
 * TiDB's GC error).  Meanings follow the TiDB error-code reference
 * (docs.pingcap.com/tidb/stable/error-codes, pkg/errno/errcode.go for the
 * names), the MySQL/MariaDB server and client error references.
 * Constant data; any thread.
 */
#include "tidb.h"

#include <stdlib.h>

#define SRV  TIDB_ORIGIN_SERVER
#define CLI  TIDB_ORIGIN_CLIENT
#define TIDB TIDB_ORIGIN_TIDB

/* Sorted by code (bsearch; the unit test checks the order). */
/* clang-format off */
static const struct tidb_errcode codes[] = {
	{1022, SL_ECONFLICT, SRV, "ER_DUP_KEY",
	 "can't write; duplicate key in table"},
	{1040, SL_ERETRY, SRV, "ER_CON_COUNT_ERROR",
	 "too many connections"},
	{1053, SL_ERETRY, SRV, "ER_SERVER_SHUTDOWN",
	 "server shutdown in progress"},
	{1062, SL_ECONFLICT, SRV, "ER_DUP_ENTRY",
	 "duplicate entry for a primary or unique key"},
	{1153, SL_ESPLIT, SRV, "ER_NET_PACKET_TOO_LARGE",
	 "statement larger than max_allowed_packet"},
	{1197, SL_ESPLIT, SRV, "ER_TRANS_CACHE_FULL",
	 "transaction larger than max_binlog_cache_size"},
	{1205, SL_ERETRY, SRV, "ER_LOCK_WAIT_TIMEOUT",
	 "lock wait timeout exceeded; the statement was rolled back"},
	{1213, SL_ERETRY, SRV, "ER_LOCK_DEADLOCK",
	 "deadlock found; the transaction was rolled back"},
	{1216, SL_EFATAL, SRV, "ER_NO_REFERENCED_ROW",
	 "foreign key: no parent row (foreign_key_checks must be 0)"},
	{1217, SL_EFATAL, SRV, "ER_ROW_IS_REFERENCED",
	 "foreign key: parent row is referenced (foreign_key_checks must be 0)"},
	{1317, SL_ERETRY, SRV, "ER_QUERY_INTERRUPTED",
	 "query execution was interrupted"},
	{1451, SL_EFATAL, SRV, "ER_ROW_IS_REFERENCED_2",
	 "foreign key: parent row is referenced (foreign_key_checks must be 0)"},
	{1452, SL_EFATAL, SRV, "ER_NO_REFERENCED_ROW_2",
	 "foreign key: no parent row (foreign_key_checks must be 0)"},
	{1586, SL_ECONFLICT, SRV, "ER_DUP_ENTRY_WITH_KEY_NAME",
	 "duplicate entry for a named key"},
	{1927, SL_ERETRY, SRV, "ER_CONNECTION_KILLED",
	 "connection was killed (MariaDB)"},
	{2002, SL_ERETRY, CLI, "CR_CONNECTION_ERROR",
	 "can't connect through the local socket"},
	{2003, SL_ERETRY, CLI, "CR_CONN_HOST_ERROR",
	 "can't connect to the server (down or restarting)"},
	{2006, SL_ERETRY, CLI, "CR_SERVER_GONE_ERROR",
	 "server has gone away"},
	{2013, SL_ERETRY, CLI, "CR_SERVER_LOST",
	 "lost connection to server during query"},
	{2055, SL_ERETRY, CLI, "CR_SERVER_LOST_EXTENDED",
	 "lost connection to server, with the system error"},
	{8004, SL_ESPLIT, TIDB, "ErrTxnTooLarge",
	 "transaction too large (txn-total-size-limit)"},
	{8005, SL_ERETRY, TIDB, "ErrWriteConflictInTiDB",
	 "write conflict, txnStartTS is stale"},
	{8022, SL_ERETRY, TIDB, "ErrTxnRetryable",
	 "transaction commit failed and was rolled back; safe to retry"},
	{8025, SL_ESPLIT, TIDB, "ErrEntryTooLarge",
	 "one key-value entry too large (txn-entry-size-limit, 6 MB)"},
	{8027, SL_ERETRY, TIDB, "ErrInfoSchemaExpired",
	 "schema version of this TiDB server is outdated"},
	{8028, SL_ERETRY, TIDB, "ErrInfoSchemaChanged",
	 "table schema changed during the transaction; safe to retry"},
	{9001, SL_ERETRY, TIDB, "ErrPDServerTimeout",
	 "PD server timeout"},
	{9002, SL_ERETRY, TIDB, "ErrTiKVServerTimeout",
	 "TiKV server timeout"},
	{9003, SL_ERETRY, TIDB, "ErrTiKVServerBusy",
	 "TiKV server is busy"},
	{9004, SL_ERETRY, TIDB, "ErrResolveLockTimeout",
	 "resolve lock timeout (heavy transaction conflicts)"},
	{9005, SL_ERETRY, TIDB, "ErrRegionUnavailable",
	 "region is unavailable"},
	{9006, SL_EFATAL, TIDB, "ErrGCTooEarly",
	 "GC life time is shorter than the transaction duration"},
	{9007, SL_ERETRY, TIDB, "ErrWriteConflict",
	 "write conflict"},
	{9008, SL_ERETRY, TIDB, "ErrTiKVStoreLimit",
	 "too many requests to one TiKV store (tidb_store_limit)"},
	{9500, SL_ESPLIT, TIDB, "ErrTxnTooLarge (TiDB < 4.0)",
	 "transaction too large (old code of 8004)"},
};
/* clang-format on */

static int cmp_code(const void *key, const void *elem)
{
	unsigned k = *(const unsigned *)key;
	unsigned c = ((const struct tidb_errcode *)elem)->code;

	return k < c ? -1 : k > c;
}

const struct tidb_errcode *tidb_errcode_find(unsigned code)
{
	return bsearch(&code, codes, sizeof(codes) / sizeof(codes[0]),
	               sizeof(codes[0]), cmp_code);
}

int tidb_classify(unsigned server_errno)
{
	const struct tidb_errcode *e;

	if (server_errno == 0)
		return 0;
	e = tidb_errcode_find(server_errno);
	return e != NULL ? e->cls : SL_EFATAL;
}

const char *tidb_class_name(int cls)
{
	switch (cls) {
	case 0: return "ok";
	case SL_ERETRY: return "retry";
	case SL_ESPLIT: return "split";
	case SL_ECONFLICT: return "conflict";
	case SL_EFATAL: return "fatal";
	default: return "?";
	}
}

const struct tidb_errcode *tidb_errcodes(size_t *n)
{
	*n = sizeof(codes) / sizeof(codes[0]);
	return codes;
}

const char *tidb_origin_name(enum tidb_origin o)
{
	switch (o) {
	case TIDB_ORIGIN_SERVER: return "MySQL";
	case TIDB_ORIGIN_CLIENT: return "client";
	case TIDB_ORIGIN_TIDB: return "TiDB";
	}
	return "?";
}

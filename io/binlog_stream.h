/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/binlog_stream.h: the replication stream from a source, as a replica
 * reads it: session setup (checksum, heartbeat, MariaDB capability and
 * GTID state), COM_REGISTER_SLAVE, COM_BINLOG_DUMP from a file and
 * position or a MariaDB GTID position, COM_BINLOG_DUMP_GTID from a MySQL
 * GTID set; then one event at a time, as slices of the receive buffer,
 * ready for core/decode.c.  The stream tracks transaction boundaries
 * (XID, COMMIT/ROLLBACK, or a statement outside BEGIN) and, after any
 * connection loss, reconnects
 * with capped exponential backoff and resumes at the last boundary it
 * delivered, so the consumer drops the partial transaction it holds
 * (STREAM_RECONNECTED tells it) and nothing is skipped or repeated.
 * A silent link (no event and no heartbeat for 3 heartbeat periods) is
 * treated as lost.  One thread.
 */
#ifndef SL_IO_BINLOG_STREAM_H
#define SL_IO_BINLOG_STREAM_H

#include "core/err.h"
#include "io/conn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stream_start {
	STREAM_START_NOW,      /* the source's position when the stream opens */
	STREAM_START_POSITION, /* file + position */
	STREAM_START_GTID,     /* MySQL set: those transactions are skipped;
	                          MariaDB position: start after it */
};

struct stream_opts {
	struct conn_opts conn;
	uint32_t server_id; /* our replica id; must be unused */
	enum stream_start start;
	const char *file; /* STREAM_START_POSITION */
	uint64_t position;
	const char *gtid;        /* STREAM_START_GTID */
	unsigned heartbeat_ms;   /* 0: 1000 */
	bool non_block;          /* stop at the end of the binlog (EOF) */
	unsigned max_retries;    /* reconnect attempts per loss; 0: 10 */
	unsigned backoff_max_ms; /* cap of the backoff; 0: 5000 */
	unsigned idle_ms;        /* 0: wait for the next event; else STREAM_IDLE
	                            after that long without one */
};

enum {
	STREAM_EVENT = 1,       /* an event in *ev */
	STREAM_RECONNECTED = 2, /* drop the partial transaction held */
	STREAM_END = 0,         /* non_block and the binlog end was reached */
	STREAM_IDLE = 3,        /* no event for idle_ms (the stream is fine) */
};

struct binlog_stream;

/* Connects, checks that the source can stream (log_bin on, ROW format,
 * FULL image, GTID mode for a GTID start, replication privileges) and
 * starts the dump.  Errors are one line naming the cause. */
int stream_open(const struct stream_opts *o, struct binlog_stream **out,
                struct sl_err *err);
void stream_close(struct binlog_stream *s);

/* Next event: STREAM_EVENT with the event bytes (header first, checksum
 * included; valid until the next call), STREAM_RECONNECTED, STREAM_END,
 * STREAM_IDLE (idle_ms set: a chance to publish what is pending while the
 * source is quiet), or a negative SL_E* once reconnecting has failed
 * max_retries times. */
int stream_next(struct binlog_stream *s, const uint8_t **ev, size_t *len,
                struct sl_err *err);

/* Where the stream resumes after a loss: the binlog file and position
 * after the last complete transaction, and the GTID position text. */
const char *stream_file(const struct binlog_stream *s);
uint64_t stream_position(const struct binlog_stream *s);
const char *stream_gtid(const struct binlog_stream *s);
bool stream_is_mariadb(const struct binlog_stream *s);
/* True between a transaction's first event and its end: output made
 * then is dropped when STREAM_RECONNECTED follows. */
bool stream_in_txn(const struct binlog_stream *s);
/* True when the session's events carry CRC32 (for the decoder's hint). */
bool stream_has_crc(const struct binlog_stream *s);

/* Counters: reconnects done, heartbeats seen. */
unsigned stream_reconnects(const struct binlog_stream *s);
uint64_t stream_heartbeats(const struct binlog_stream *s);

/* Test hook: drops the connection now, as a network failure would. */
void stream_break(struct binlog_stream *s);

#endif

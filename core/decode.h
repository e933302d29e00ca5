/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/decode.h: the binlog decoder.  Events go in as byte slices (one
 * whole event each, from a file buffer or a stream packet); decoded events
 * and row changes come out, pointing into those same bytes: the decoder
 * never copies a row to read it.  Copies happen only where the format
 * forces them: zstd TRANSACTION_PAYLOAD bodies and MariaDB zlib-compressed
 * events are inflated into decoder-owned buffers that are reused.
 *
 * Use:
 *     decoder_feed(dc, bytes, len, offset, err);       one source event
 *     while ((rc = decoder_next(dc, &ev, err)) > 0) {   it, then any inner
 *         if (ev->kind == DEC_ROWS)                     events of a payload
 *             while ((rc = decoder_row(dc, &row, err)) > 0) use(row);
 *     }
 * Everything returned stays valid until the next decoder_feed.  The first
 * event must be the FORMAT_DESCRIPTION (files start with it; streams send
 * it after the artificial ROTATE).  Decoder thread only.
 */
#ifndef SL_CORE_DECODE_H
#define SL_CORE_DECODE_H

#include "coltype.h"
#include "err.h"
#include "event.h"
#include "tablemap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dec_kind {
	DEC_OTHER, /* known event with nothing more decoded */
	DEC_FDE,
	DEC_QUERY,
	DEC_ROTATE,
	DEC_XID,
	DEC_TABLE_MAP,
	DEC_ROWS,
	DEC_GTID,     /* MySQL GTID/ANONYMOUS_GTID/GTID_TAGGED, MariaDB GTID */
	DEC_GTID_SET, /* PREVIOUS_GTIDS, MariaDB GTID_LIST */
	DEC_PAYLOAD,  /* TRANSACTION_PAYLOAD: inner events follow */
	DEC_TEXT,     /* ROWS_QUERY, ANNOTATE_ROWS, BINLOG_CHECKPOINT */
	DEC_INTVAR,
	DEC_RAND,
	DEC_USER_VAR,
	DEC_XA_PREPARE,
	DEC_INCIDENT,
	DEC_HEARTBEAT,
	DEC_SKIPPED, /* unknown type flagged ignorable, skipped */
};

/* cell.state */
enum {
	CELL_ABSENT = 0, /* not in this (partial) row image; p NULL, len 0 */
	CELL_NULL = 1,   /* p NULL, len 0 */
	CELL_VALUE = 2,
	CELL_JSON_DIFF = 3, /* PARTIAL_UPDATE_ROWS: p/len hold the diffs */
};

struct cell {
	const uint8_t *p;
	uint32_t len;
	uint8_t state;
};

struct row_change {
	int op; /* ROW_INSERT / ROW_UPDATE / ROW_DELETE */
	const struct table_map *tm;
	const struct cell *before; /* tm->n_cols cells, or NULL (INSERT) */
	const struct cell *after;  /* tm->n_cols cells, or NULL (DELETE) */
};

struct dec_str {
	const char *p;
	size_t len;
};

struct event {
	struct event_header h;
	uint64_t pos; /* offset of the event in its file or stream */
	bool inner;   /* inside a TRANSACTION_PAYLOAD */
	enum dec_kind kind;
	const uint8_t *body; /* after the common header, checksum excluded */
	size_t body_len;
	union {
		struct {
			uint16_t binlog_version;
			char server_version[51];
			uint8_t checksum_alg; /* 0 none, 1 CRC32, 255 unknown */
		} fde;
		struct {
			uint32_t thread_id;
			uint32_t exec_time;
			uint16_t error_code;
			struct dec_str db;
			struct dec_str query;
			uint64_t sql_mode;
			bool has_sql_mode;
			uint16_t charset_client, collation_conn,
			    collation_server;
			bool has_charset;
			struct dec_str time_zone;
			bool compressed; /* MariaDB QUERY_COMPRESSED */
		} query;
		struct {
			uint64_t position;
			struct dec_str file;
		} rotate;
		struct {
			uint64_t xid;
		} xid;
		struct {
			const struct table_map *tm;
		} table_map;
		struct {
			const struct table_map *tm;
			int op;
			uint16_t flags;
			uint32_t n_rows_hint; /* 0: count as decoder_row runs */
			bool compressed;
			bool partial; /* PARTIAL_UPDATE_ROWS */
		} rows;
		struct {
			/* text in dec->gtid_text, e.g. "uuid:5" or "0-1-7" */
			bool anonymous;
			uint64_t last_committed, sequence_number;
			uint64_t commit_id; /* MariaDB group commit id, or 0 */
			uint8_t flags;
		} gtid;
		struct {
			struct dec_str text; /* formatted set */
		} gtid_set;
		struct {
			const uint8_t *header; /* payload header fields */
			uint64_t compressed_len, uncompressed_len;
			unsigned compression; /* 0 zstd, 255 none */
		} payload;
		struct dec_str text;
		struct {
			uint8_t type;
			uint64_t value;
		} intvar;
		struct {
			uint64_t seed1, seed2;
		} rand;
		struct {
			struct dec_str name;
			bool is_null;
		} user_var;
		struct {
			bool one_phase;
		} xa;
		struct {
			uint16_t type;
			struct dec_str message;
		} incident;
		struct {
			struct dec_str file;
			uint64_t position;
		} heartbeat;
	} u;
};

struct decoder;

struct decoder_stats {
	uint64_t events;
	uint64_t rows;
	uint64_t bytes;
	uint64_t skipped_unknown; /* ignorable events of unknown type */
};

struct decoder *decoder_new(void);
void decoder_free(struct decoder *dc);

/* Verify CRC32 checksums when the FDE says they are present (default on). */
void decoder_set_verify_checksums(struct decoder *dc, bool on);

/* For streams: the checksum the session negotiated, which applies to the
 * artificial ROTATE that precedes the first FORMAT_DESCRIPTION.  Files
 * need no hint. */
void decoder_set_stream_checksum(struct decoder *dc, bool crc32);

/* Hands one whole event (header..checksum) at offset pos to the decoder.
 * The bytes are borrowed until the next feed.  Checks the header and the
 * checksum; returns 0 or a negative SL_E* with err set ("at offset N: …"). */
int decoder_feed(struct decoder *dc, const uint8_t *buf, size_t len,
                 uint64_t pos, struct sl_err *err);

/* Next decoded event of the current feed: the event itself, then, for a
 * TRANSACTION_PAYLOAD, each inner event.  Returns 1 with *ev set, 0 when
 * the feed is used up, or a negative SL_E* with err set. */
int decoder_next(struct decoder *dc, const struct event **ev,
                 struct sl_err *err);

/* Next row change of the current DEC_ROWS event: 1 with *row set, 0 at the
 * end, negative SL_E* with err set.  Cells point into the event bytes (or
 * the decoder's inflate buffer for compressed events). */
int decoder_row(struct decoder *dc, struct row_change *row, struct sl_err *err);

/* GTID of the current transaction as text ("uuid:gno", "d-s-n"), or ""
 * before the first GTID and for anonymous transactions. */
const char *decoder_gtid(const struct decoder *dc);

/* The current FORMAT_DESCRIPTION's server version, "" before one. */
const char *decoder_server_version(const struct decoder *dc);

const struct decoder_stats *decoder_stats(const struct decoder *dc);

#endif

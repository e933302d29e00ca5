/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/myproto.h: the MySQL/MariaDB client/server protocol as pure functions
 * over byte buffers (the sans-I/O core of sluice's replication client, in
 * the shape of trilogy's packet_parser.c + protocol.c).  No sockets, no
 * clocks, no threads: the connection layer feeds received bytes to a
 * struct myproto_reader, hands each whole packet to a parser, and sends
 * what the builders append to a struct sbuf.
 * In: bytes as they arrive (any split).  Out: packets as zero-copy slices
 * of the input when a packet lies wholly inside it, else slices of the
 * reader's own reassembly buffer; parsed fields are slices of the packet
 * (struct myproto_str), valid as long as the packet bytes are.
 * Errors: negative SL_E* with a one-line message in struct sl_err;
 * malformed bytes give SL_EPROTO "at offset N: <packet>: <field>: <what>",
 * a server ERR packet gives "server error 1045 (28000): <server text>".
 * One connection per reader; no shared state, any thread.
 */
#ifndef SL_IO_MYPROTO_H
#define SL_IO_MYPROTO_H

#include "core/err.h"
#include "core/sbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frame header: 3-byte little-endian payload length + sequence id.  A
 * frame of MYPROTO_MAX_FRAME payload bytes continues in the next one. */
#define MYPROTO_HDR_LEN   4
#define MYPROTO_MAX_FRAME 0xffffffu
/* Default bound on a reassembled payload: max_allowed_packet's ceiling
 * (1 GiB) plus room for a replication packet's own header. */
#define MYPROTO_DEFAULT_MAX_LEN (((size_t)1 << 30) + 4096)

/* Capability flags (MySQL names; bit 0 is CLIENT_MYSQL on MariaDB: a
 * MariaDB server clears it and then sends its extended capabilities). */
#define MYPROTO_CLIENT_LONG_PASSWORD         0x00000001u
#define MYPROTO_CLIENT_MYSQL                 0x00000001u
#define MYPROTO_CLIENT_FOUND_ROWS            0x00000002u
#define MYPROTO_CLIENT_LONG_FLAG             0x00000004u
#define MYPROTO_CLIENT_CONNECT_WITH_DB       0x00000008u
#define MYPROTO_CLIENT_COMPRESS              0x00000020u
#define MYPROTO_CLIENT_LOCAL_FILES           0x00000080u
#define MYPROTO_CLIENT_PROTOCOL_41           0x00000200u
#define MYPROTO_CLIENT_INTERACTIVE           0x00000400u
#define MYPROTO_CLIENT_SSL                   0x00000800u
#define MYPROTO_CLIENT_TRANSACTIONS          0x00002000u
#define MYPROTO_CLIENT_SECURE_CONNECTION     0x00008000u
#define MYPROTO_CLIENT_MULTI_STATEMENTS      0x00010000u
#define MYPROTO_CLIENT_MULTI_RESULTS         0x00020000u
#define MYPROTO_CLIENT_PS_MULTI_RESULTS      0x00040000u
#define MYPROTO_CLIENT_PLUGIN_AUTH           0x00080000u
#define MYPROTO_CLIENT_CONNECT_ATTRS         0x00100000u
#define MYPROTO_CLIENT_PLUGIN_AUTH_LENENC    0x00200000u
#define MYPROTO_CLIENT_SESSION_TRACK         0x00800000u
#define MYPROTO_CLIENT_DEPRECATE_EOF         0x01000000u
#define MYPROTO_CLIENT_OPTIONAL_RESULTSET_MD 0x02000000u
#define MYPROTO_CLIENT_QUERY_ATTRIBUTES      0x08000000u

/* MariaDB extended capabilities (the 4 bytes in the handshake filler). */
#define MYPROTO_MARIADB_PROGRESS          0x00000001u
#define MYPROTO_MARIADB_COM_MULTI         0x00000002u
#define MYPROTO_MARIADB_STMT_BULK         0x00000004u
#define MYPROTO_MARIADB_EXTENDED_METADATA 0x00000008u
#define MYPROTO_MARIADB_CACHE_METADATA    0x00000010u

/* Server status flags (OK / EOF packets). */
#define MYPROTO_STATUS_IN_TRANS              0x0001u
#define MYPROTO_STATUS_AUTOCOMMIT            0x0002u
#define MYPROTO_STATUS_MORE_RESULTS          0x0008u
#define MYPROTO_STATUS_SESSION_STATE_CHANGED 0x4000u

/* First payload byte of the generic responses. */
#define MYPROTO_OK           0x00
#define MYPROTO_AUTH_MORE    0x01
#define MYPROTO_LOCAL_INFILE 0xfb
#define MYPROTO_EOF          0xfe /* also AuthSwitchRequest in auth */
#define MYPROTO_ERR          0xff

/* Commands (first payload byte of a client packet). */
#define MYPROTO_COM_QUIT             0x01
#define MYPROTO_COM_QUERY            0x03
#define MYPROTO_COM_PING             0x0e
#define MYPROTO_COM_BINLOG_DUMP      0x12
#define MYPROTO_COM_REGISTER_SLAVE   0x15
#define MYPROTO_COM_BINLOG_DUMP_GTID 0x1e

/* COM_BINLOG_DUMP(_GTID) flags.  0x02 means ANNOTATE_ROWS to MariaDB's
 * COM_BINLOG_DUMP and THROUGH_POSITION to MySQL's COM_BINLOG_DUMP_GTID. */
#define MYPROTO_DUMP_NON_BLOCK        0x0001u
#define MYPROTO_DUMP_ANNOTATE_ROWS    0x0002u
#define MYPROTO_DUMP_THROUGH_POSITION 0x0002u
#define MYPROTO_DUMP_THROUGH_GTID     0x0004u

/* caching_sha2_password AuthMoreData results. */
#define MYPROTO_SHA2_FAST_AUTH_OK 0x03
#define MYPROTO_SHA2_FULL_AUTH    0x04
/* Semi-sync: the byte after 0x00 in event packets and before an ack. */
#define MYPROTO_SEMISYNC_MAGIC    0xef
#define MYPROTO_SEMISYNC_NEED_ACK 0x01

/* The common binlog event header every stream event starts with. */
#define MYPROTO_EVENT_HEADER_LEN 19
/* Longest auth-plugin-data (scramble) kept from the handshake. */
#define MYPROTO_SCRAMBLE_MAX 64

/* A byte slice of a packet; not NUL-terminated unless stated. */
struct myproto_str {
	const char *p;
	size_t len;
};

/* One whole packet payload (header(s) stripped).  copied: p points into
 * the reader's buffer (valid until its next call) rather than the input
 * (valid as long as the caller keeps the input). */
struct myproto_packet {
	const uint8_t *p;
	size_t len;
	bool copied;
};

/* Packet reader: embed it, myproto_reader_init, feed slices.  Fields are
 * private except check_seq (default true) and max_len. */
struct myproto_reader {
	struct sbuf buf;     /* split or multi-frame payload being assembled */
	size_t max_len;      /* largest payload accepted */
	uint32_t frame_len;  /* payload length of the current frame */
	uint32_t frame_left; /* bytes of it not yet copied */
	uint8_t hdr[MYPROTO_HDR_LEN];
	uint8_t hdr_len; /* header bytes held */
	uint8_t seq;     /* next expected sequence id */
	bool check_seq;  /* reject out-of-order sequence ids */
	bool partial;    /* a packet is being assembled in buf */
	bool in_payload; /* header complete, copying frame_left bytes */
	bool release;    /* buf holds the last delivered packet */
};

/* Initial Handshake v10.  Strings are slices of the packet. */
struct myproto_handshake {
	uint8_t protocol_version; /* 10 */
	struct myproto_str server_version;
	uint32_t conn_id;
	uint32_t caps;         /* lower and upper 16 bits joined */
	uint32_t mariadb_caps; /* MariaDB extended caps, when !(caps & MYSQL) */
	bool is_mariadb;       /* "MariaDB" in server_version */
	uint8_t charset;
	uint16_t status;
	uint8_t scramble[MYPROTO_SCRAMBLE_MAX]; /* parts 1 + 2, no NUL */
	size_t scramble_len;                    /* 20 on any modern server */
	struct myproto_str auth_plugin;         /* empty without PLUGIN_AUTH */
};

struct myproto_ok {
	uint64_t affected_rows;
	uint64_t last_insert_id;
	uint16_t status;
	uint16_t warnings;
	struct myproto_str info;
	struct myproto_str session_state; /* CLIENT_SESSION_TRACK only */
};

struct myproto_eof {
	uint16_t warnings;
	uint16_t status;
};

/* ERR packet.  sql_state is "" when the server sent no '#' marker (errors
 * sent before the capabilities are agreed). */
struct myproto_errpkt {
	uint16_t code;
	char sql_state[6];
	struct myproto_str msg;
};

struct myproto_auth_switch {
	struct myproto_str plugin;
	/* As sent: mysql_native_password and caching_sha2_password put the
	 * 20-byte scramble and a NUL here. */
	const uint8_t *data;
	size_t data_len;
};

struct myproto_auth_more {
	const uint8_t *data; /* 1 byte 3/4 for caching_sha2, or a PEM key */
	size_t len;
};

/* Protocol::ColumnDefinition41 (the catalog is always "def"). */
struct myproto_column {
	struct myproto_str schema;
	struct myproto_str table;
	struct myproto_str org_table;
	struct myproto_str name;
	struct myproto_str org_name;
	uint16_t charset;
	uint32_t length;
	uint8_t type;
	uint16_t flags;
	uint8_t decimals;
};

/* One text-protocol cell: a slice, or SQL NULL. */
struct myproto_cell {
	const uint8_t *p;
	size_t len;
	bool is_null;
};

/* Text resultset state machine: feed it each response packet of a
 * COM_QUERY.  Fields are private; rs->n_cols is valid after the first
 * MYPROTO_RS_COLUMN. */
struct myproto_rs {
	uint32_t caps;
	uint8_t state;
	uint64_t n_cols;
	uint64_t col;    /* column definitions seen */
	uint64_t n_rows; /* rows seen */
};

enum {
	MYPROTO_RS_MORE = 0, /* consumed; feed the next packet */
	MYPROTO_RS_OK,       /* no resultset: item->ok (e.g. after SET) */
	MYPROTO_RS_COLUMN,   /* item->col is column item->index */
	MYPROTO_RS_ROW,      /* item->row: parse with myproto_parse_row */
	MYPROTO_RS_DONE,     /* end of rows: item->ok status and warnings */
};

struct myproto_rs_item {
	uint64_t index;
	struct myproto_column col;
	const uint8_t *row;
	size_t row_len;
	struct myproto_ok ok;
	struct myproto_errpkt srv; /* when the server answered with ERR */
};

/* A packet of the binlog dump stream. */
enum {
	MYPROTO_BINLOG_EOF = 0,   /* end of a non-blocking dump */
	MYPROTO_BINLOG_EVENT = 1, /* ev/len hold one event */
};

struct myproto_binlog_packet {
	const uint8_t *ev; /* the event, common header first */
	size_t len;
	bool semi_sync; /* the packet carried the semi-sync header */
	/* The source waits for a semi-sync ack of this event.  It also
	 * restarts its sequence ids after such a packet (net_clear in its
	 * flush_net; the ack counts as 0), so the next packet carries 1:
	 * call myproto_reader_expect(r, 1) whether or not an ack is sent. */
	bool need_ack;
	struct myproto_errpkt srv; /* when the server sent ERR */
};

/* Connection attribute for CLIENT_CONNECT_ATTRS. */
struct myproto_attr {
	const char *key;
	const char *value;
};

/* Inputs of HandshakeResponse41 and SSLRequest. */
struct myproto_login {
	uint32_t caps;         /* from myproto_client_caps */
	uint32_t mariadb_caps; /* sent only when !(caps & CLIENT_MYSQL) */
	uint32_t max_packet;   /* 0: 1 GiB */
	uint8_t charset;       /* collation id; 0: 45 utf8mb4_general_ci */
	const char *user;
	const uint8_t *auth; /* auth response of `plugin`, may be empty */
	size_t auth_len;
	const char *db;     /* sent when caps has CONNECT_WITH_DB */
	const char *plugin; /* sent when caps has PLUGIN_AUTH */
	const struct myproto_attr *attrs; /* sent when caps has CONNECT_ATTRS */
	size_t n_attrs;
};

/* Options of myproto_client_caps. */
#define MYPROTO_WANT_SSL   0x1u /* required: fails if the server lacks it */
#define MYPROTO_WANT_DB    0x2u /* required */
#define MYPROTO_WANT_ATTRS 0x4u /* only if the server supports it */

/* Packet framing: reading */

/* max_len bounds a reassembled payload (0: MYPROTO_DEFAULT_MAX_LEN).
 * Expects sequence id 0 first (the server's greeting). */
void myproto_reader_init(struct myproto_reader *r, size_t max_len);
void myproto_reader_deinit(struct myproto_reader *r);
/* Drops any partial packet and expects seq next: call with 1 after
 * sending a command with sequence id 0. */
void myproto_reader_reset(struct myproto_reader *r, uint8_t seq);

/* Next whole packet from in[0..len).  Returns 1 with *pkt and *used (bytes
 * of `in` consumed, at most up to the packet's end): call again with the
 * rest.  Returns 0 when all of `in` was consumed without completing a
 * packet (the reader keeps the partial bytes).  Negative SL_E* on a bad
 * sequence id or an oversized packet (SL_EPROTO) or SL_ENOMEM; the
 * connection is then unusable. */
int myproto_reader_next(struct myproto_reader *r, const uint8_t *in, size_t len,
                        size_t *used, struct myproto_packet *pkt,
                        struct sl_err *err);

/* The sequence id the next packet must carry: also the one a client
 * reply within the same exchange (auth) uses. */
static inline uint8_t myproto_reader_seq(const struct myproto_reader *r)
{
	return r->seq;
}

/* Sets the id the next packet must carry, between packets (unlike
 * myproto_reader_reset nothing is dropped).  For semi-sync: see
 * struct myproto_binlog_packet.need_ack. */
static inline void myproto_reader_expect(struct myproto_reader *r, uint8_t seq)
{
	r->seq = seq;
}

/* Packet framing: writing */

/* Reserves a frame header in out and returns the payload start offset;
 * append the payload, then myproto_frame_end. */
size_t myproto_frame_begin(struct sbuf *out);
/* Fills the header(s) of the payload appended since `start`, splitting
 * payloads of 16 MiB - 1 or more into frames; advances *seq by the number
 * of frames.  SL_ENOMEM if out ran out of memory. */
int myproto_frame_end(struct sbuf *out, size_t start, uint8_t *seq,
                      struct sl_err *err);
/* Appends payload framed as one packet (several frames if large). */
int myproto_write_packet(struct sbuf *out, uint8_t *seq, const void *payload,
                         size_t len, struct sl_err *err);

/* Parsers of server packets (payload without the frame header) */

/* Initial Handshake v10.  A greeting that is an ERR packet (too many
 * connections, host blocked) returns that server error. */
int myproto_parse_handshake(const uint8_t *p, size_t len,
                            struct myproto_handshake *hs, struct sl_err *err);
/* OK packet, header 0x00 or 0xfe (the EOF replacement under
 * CLIENT_DEPRECATE_EOF).  caps: the negotiated capabilities. */
int myproto_parse_ok(const uint8_t *p, size_t len, uint32_t caps,
                     struct myproto_ok *ok, struct sl_err *err);
int myproto_parse_err(const uint8_t *p, size_t len, struct myproto_errpkt *e,
                      struct sl_err *err);
/* Classic EOF packet (0xfe, fewer than 9 bytes). */
int myproto_parse_eof(const uint8_t *p, size_t len, struct myproto_eof *eof,
                      struct sl_err *err);
/* AuthSwitchRequest (0xfe + plugin + data); a lone 0xfe is the pre-4.1
 * switch and reads as plugin "mysql_old_password". */
int myproto_parse_auth_switch(const uint8_t *p, size_t len,
                              struct myproto_auth_switch *as,
                              struct sl_err *err);
/* AuthMoreData (0x01 + data). */
int myproto_parse_auth_more(const uint8_t *p, size_t len,
                            struct myproto_auth_more *am, struct sl_err *err);
/* First packet of a text resultset: the column count (>= 1). */
int myproto_parse_column_count(const uint8_t *p, size_t len, uint64_t *n,
                               struct sl_err *err);
int myproto_parse_column(const uint8_t *p, size_t len,
                         struct myproto_column *col, struct sl_err *err);
/* A text row of exactly n_cols cells into cells[0..n_cols). */
int myproto_parse_row(const uint8_t *p, size_t len, size_t n_cols,
                      struct myproto_cell *cells, struct sl_err *err);
/* True if p is the end-of-rows marker (EOF, or OK under DEPRECATE_EOF) of
 * a resultset rather than a row. */
bool myproto_is_eof(const uint8_t *p, size_t len, uint32_t caps);

/* Records a server ERR as "server error CODE (STATE): text" and returns
 * SL_ENOTFOUND for 1236 (binlog not found / purged), else SL_EIO; the
 * server's code stays in e for finer classification. */
int myproto_server_error(const struct myproto_errpkt *e, struct sl_err *err);

/* Text resultsets */

void myproto_rs_init(struct myproto_rs *rs, uint32_t caps);
/* Feeds one response packet.  Returns MYPROTO_RS_* (>= 0) with *item
 * filled as described there, or a negative SL_E*: the server's ERR (see
 * myproto_server_error, details in item->srv), SL_EUNSUPPORTED for a
 * LOCAL INFILE request, SL_EPROTO for malformed or unexpected packets. */
int myproto_rs_feed(struct myproto_rs *rs, const uint8_t *p, size_t len,
                    struct myproto_rs_item *item, struct sl_err *err);

/* Binlog dump stream */

/* Classifies one packet after COM_BINLOG_DUMP(_GTID): MYPROTO_BINLOG_EVENT
 * with the event slice (semi_sync: the session set @rpl_semi_sync_slave,
 * so every event packet has the 0xef header), MYPROTO_BINLOG_EOF, or the
 * server's ERR (1236 → SL_ENOTFOUND) or SL_EPROTO. */
int myproto_parse_binlog_packet(const uint8_t *p, size_t len, bool semi_sync,
                                struct myproto_binlog_packet *bp,
                                struct sl_err *err);

/* Builders: each appends one payload to out (frame it with
 * myproto_frame_begin/end); 0, SL_EINVAL naming the bad argument, or
 * SL_ENOMEM if out ran out of memory (now or before). */

/* Capabilities to send, from the server's and the options (MYPROTO_WANT_*):
 * protocol 4.1, secure connection, plugin auth (lenenc data), transactions,
 * multi results, deprecate EOF, each when the server has it.
 * SL_EUNSUPPORTED if the server lacks 4.1 / secure connection or a
 * required option. */
int myproto_client_caps(const struct myproto_handshake *hs, unsigned want,
                        uint32_t *caps, struct sl_err *err);
int myproto_build_handshake_response(struct sbuf *out,
                                     const struct myproto_login *l,
                                     struct sl_err *err);
/* The 32-byte SSLRequest sent before the TLS handshake (same caps as the
 * HandshakeResponse41 that follows it, which must include CLIENT_SSL). */
int myproto_build_ssl_request(struct sbuf *out, const struct myproto_login *l,
                              struct sl_err *err);
int myproto_build_query(struct sbuf *out, const char *sql, size_t len,
                        struct sl_err *err);
int myproto_build_ping(struct sbuf *out, struct sl_err *err);
int myproto_build_quit(struct sbuf *out, struct sl_err *err);
/* host, user, password: at most 255 bytes each (NULL is ""). */
int myproto_build_register_slave(struct sbuf *out, uint32_t server_id,
                                 const char *host, const char *user,
                                 const char *password, uint16_t port,
                                 uint32_t rank, uint32_t master_id,
                                 struct sl_err *err);
int myproto_build_binlog_dump(struct sbuf *out, uint32_t pos, uint16_t flags,
                              uint32_t server_id, const char *file,
                              struct sl_err *err);
/* MySQL only.  file may be "" (with pos 4) to start from the GTID set;
 * gtid_set is the encoded set (as in PREVIOUS_GTIDS).  Its length and
 * bytes are always sent, as MySQL's own replica does. */
int myproto_build_binlog_dump_gtid(struct sbuf *out, uint16_t flags,
                                   uint32_t server_id, const char *file,
                                   uint64_t pos, const uint8_t *gtid_set,
                                   size_t gtid_set_len, struct sl_err *err);
/* Semi-sync ack: 0xef, the acknowledged event's end position (its
 * log_pos), its file.  Framed with sequence id 0; the reader is not reset
 * (see need_ack for the ids that follow). */
int myproto_build_semisync_ack(struct sbuf *out, uint64_t pos, const char *file,
                               struct sl_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/conn.h: one client connection to a MySQL or MariaDB server over
 * io/ring.c: connect, handshake, optional TLS upgrade, authentication
 * (io/auth.c, auth switches included), text queries, and packet-by-packet
 * reading for the binlog stream.  Packets are returned as slices of the
 * connection's receive buffer (or the reader's buffer when a packet spans
 * reads), valid until the next read.  One thread per connection.
 */
#ifndef SL_IO_CONN_H
#define SL_IO_CONN_H

#include "core/err.h"
#include "io/myproto.h"
#include "io/tls.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conn_opts {
	const char *host;
	unsigned port;
	const char *user;
	const char *password; /* never logged */
	struct tls_opts tls;
	const char *rsa_pem; /* server RSA key for caching_sha2 without TLS */
	bool get_server_key; /* may ask the server for it (MITM risk) */
	int connect_timeout_ms; /* 0: 10 s */
	int read_timeout_ms;    /* 0: 30 s */
};

struct conn;

/* A query result: rows of NUL-terminated strings (NULL cells are NULL). */
struct conn_result {
	size_t n_rows, n_cols;
	char **names;          /* n_cols column names */
	char **cells;          /* n_rows * n_cols, row-major */
	struct myproto_ok ok;  /* for statements without a resultset */
	uint16_t server_errno; /* set when the server answered ERR */
};

/* Connects and logs in.  Errors are one line naming host:port and the
 * cause (resolve, connect, TLS, "Access denied …" from the server). */
int conn_open(const struct conn_opts *o, struct conn **out, struct sl_err *err);
void conn_close(struct conn *c);

const struct myproto_handshake *conn_handshake(const struct conn *c);
bool conn_is_mariadb(const struct conn *c);
bool conn_tls_active(const struct conn *c);
/* The server version string (NUL-terminated copy). */
const char *conn_server_version(const struct conn *c);

/* Runs one statement.  res may be NULL when no rows are wanted.
 * A server ERR returns SL_EIO (SL_ENOTFOUND for 1236) with its text in
 * err and its code in res->server_errno. */
int conn_query(struct conn *c, const char *sql, struct conn_result *res,
               struct sl_err *err);
void conn_result_free(struct conn_result *res);
/* Cell (row, col) or NULL. */
const char *conn_result_get(const struct conn_result *res, size_t row,
                            size_t col);

/* Sends one command payload built by a myproto_build_* function (the
 * buffer holds the bare payload); the reader then expects sequence 1. */
int conn_send_command(struct conn *c, const uint8_t *payload, size_t len,
                      struct sl_err *err);
/* Next packet from the server: 1 with *pkt, SL_ETRUNC when timeout_ms
 * passed without a whole packet, SL_EIO when the connection ended. */
int conn_next_packet(struct conn *c, int timeout_ms, struct myproto_packet *pkt,
                     struct sl_err *err);
/* Reader access, for sequence ids of the dump stream (semi-sync). */
struct myproto_reader *conn_reader(struct conn *c);

/* Makes any blocking wait return at its next timeout check: for reconnect
 * tests (shuts the socket down). */
void conn_shutdown(struct conn *c);

#endif

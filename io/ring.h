/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/ring.h: the io_uring event loop for the replication stream socket:
 * the only code that touches a socket.  Each operation is submitted with
 * a linked timeout and waited for, so a dead peer can never hang the
 * reader; cqe->res errors become struct sl_err at once.  user_data packs
 * the op and a sequence number (see ring.c).  One ring per stream thread.
 */
#ifndef SL_IO_RING_H
#define SL_IO_RING_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct ring;

/* A ring with room for `entries` submissions; NULL on failure (err set). */
struct ring *ring_new(unsigned entries, struct sl_err *err);
void ring_free(struct ring *r);

/* Resolves host:port (IPv4/IPv6 names or literals) and connects a new
 * TCP socket (TCP_NODELAY, keepalive) within timeout_ms.  Returns the fd
 * (>= 0) or a negative SL_E* with err naming host and port. */
int ring_connect(struct ring *r, const char *host, unsigned port,
                 int timeout_ms, struct sl_err *err);

/* Sends all n bytes or fails (SL_EIO, or SL_ETRUNC on timeout). */
int ring_send_all(struct ring *r, int fd, const void *p, size_t n,
                  int timeout_ms, struct sl_err *err);

/* Receives up to cap bytes: returns the count (> 0), 0 when the peer
 * closed the connection, SL_ETRUNC when timeout_ms passed with no byte,
 * or another negative SL_E* with err set. */
ssize_t ring_recv(struct ring *r, int fd, void *p, size_t cap, int timeout_ms,
                  struct sl_err *err);

#endif

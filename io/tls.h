/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/tls.h: TLS for the replication stream, OpenSSL driven through memory
 * BIOs so that all socket I/O stays in io/ring.c.  The modes are the job
 * file's: disabled | preferred | required | verify-ca | verify-identity,
 * with the three certificate combinations users bring (CA only; client
 * certificate and key; CA, certificate and key).  One session per
 * connection, used by the stream thread only.
 */
#ifndef SL_IO_TLS_H
#define SL_IO_TLS_H

#include "core/err.h"
#include "io/ring.h"

#include <stddef.h>
#include <sys/types.h>

enum tls_mode {
	TLS_DISABLED,
	TLS_PREFERRED,
	TLS_REQUIRED,
	TLS_VERIFY_CA,
	TLS_VERIFY_IDENTITY,
};

struct tls_opts {
	enum tls_mode mode;
	const char *ca;   /* PEM file, or NULL */
	const char *cert; /* PEM file, or NULL (then key is NULL too) */
	const char *key;
};

struct tls;

/* Parses "disabled", "preferred", … into *mode; SL_EINVAL otherwise. */
int tls_mode_parse(const char *s, enum tls_mode *mode, struct sl_err *err);
const char *tls_mode_name(enum tls_mode mode);

/* Checks the files and builds the context (no I/O).  host is the name
 * verify-identity checks the server certificate against. */
struct tls *tls_new(const struct tls_opts *o, const char *host,
                    struct sl_err *err);
void tls_free(struct tls *t);

/* Runs the handshake over fd.  Errors name the cause, e.g. the
 * certificate verification failure as OpenSSL words it. */
int tls_handshake(struct tls *t, struct ring *r, int fd, int timeout_ms,
                  struct sl_err *err);

/* Decrypted bytes: count > 0, 0 on close, SL_ETRUNC on timeout, or
 * another negative SL_E*. */
ssize_t tls_read(struct tls *t, struct ring *r, int fd, void *p, size_t cap,
                 int timeout_ms, struct sl_err *err);

int tls_write_all(struct tls *t, struct ring *r, int fd, const void *p,
                  size_t n, int timeout_ms, struct sl_err *err);

/* The negotiated protocol version and cipher, for logs. */
const char *tls_describe(const struct tls *t, char *buf, size_t cap);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/tls.c: OpenSSL over memory BIOs (see tls.h).  OpenSSL reads
 * ciphertext from `in` and writes ciphertext to `out`; this file moves
 * bytes between those BIOs and the socket through io/ring.c whenever
 * OpenSSL asks (SSL_ERROR_WANT_READ) or leaves output pending.
 */
#include "tls.h"

#include "core/mem.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct tls {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *in;  /* ciphertext from the server, owned by ssl */
	BIO *out; /* ciphertext to the server, owned by ssl */
	enum tls_mode mode;
	char host[256];
};

static const char *const mode_names[] = {
    [TLS_DISABLED] = "disabled",
    [TLS_PREFERRED] = "preferred",
    [TLS_REQUIRED] = "required",
    [TLS_VERIFY_CA] = "verify-ca",
    [TLS_VERIFY_IDENTITY] = "verify-identity",
};

int tls_mode_parse(const char *s, enum tls_mode *mode, struct sl_err *err)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(s, mode_names[i]) == 0) {
			*mode = (enum tls_mode)i;
			return 0;
		}
	return sl_err_set(err, SL_EINVAL,
	                  "tls mode \"%s\": expected disabled, preferred, "
	                  "required, verify-ca or verify-identity",
	                  s);
}

const char *tls_mode_name(enum tls_mode mode)
{
	return mode <= TLS_VERIFY_IDENTITY ? mode_names[mode] : "?";
}

/* The first queued OpenSSL error as text (and clears the queue). */
static const char *ossl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, cap, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

static int readable(const char *path, const char *what, struct sl_err *err)
{
	if (access(path, R_OK) != 0)
		return sl_err_sys(err, errno, "tls %s file %s", what, path);
	return 0;
}

struct tls *tls_new(const struct tls_opts *o, const char *host,
                    struct sl_err *err)
{
	struct tls *t;
	char why[256];

	if ((o->cert == NULL) != (o->key == NULL)) {
		sl_err_set(err, SL_EINVAL,
		           "tls: a client certificate needs its key and a key "
		           "its certificate (cert %s, key %s)",
		           o->cert ? "given" : "missing",
		           o->key ? "given" : "missing");
		return NULL;
	}
	if (o->mode >= TLS_VERIFY_CA && o->ca == NULL) {
		sl_err_set(err, SL_EINVAL,
		           "tls mode %s needs a CA certificate (tls.ca)",
		           tls_mode_name(o->mode));
		return NULL;
	}
	if ((o->ca && readable(o->ca, "ca", err)) ||
	    (o->cert && readable(o->cert, "cert", err)) ||
	    (o->key && readable(o->key, "key", err)))
		return NULL;
	t = sl_calloc(1, sizeof(*t));
	if (t == NULL) {
		sl_err_set(err, SL_ENOMEM, "tls: out of memory");
		return NULL;
	}
	t->mode = o->mode;
	snprintf(t->host, sizeof(t->host), "%s", host);
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL)
		goto ossl_fail;
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	if (o->ca && SSL_CTX_load_verify_locations(t->ctx, o->ca, NULL) != 1) {
		sl_err_set(err, SL_EINVAL, "tls: cannot load CA file %s: %s",
		           o->ca, ossl_reason(why, sizeof(why)));
		goto fail;
	}
	if (o->cert) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, o->cert) != 1) {
			sl_err_set(err, SL_EINVAL,
			           "tls: cannot load certificate %s: %s",
			           o->cert, ossl_reason(why, sizeof(why)));
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(t->ctx, o->key,
		                                SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(t->ctx) != 1) {
			sl_err_set(err, SL_EINVAL,
			           "tls: key %s does not load or does not "
			           "match certificate %s: %s",
			           o->key, o->cert,
			           ossl_reason(why, sizeof(why)));
			goto fail;
		}
	}
	SSL_CTX_set_verify(
	    t->ctx,
	    o->mode >= TLS_VERIFY_CA ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	t->ssl = SSL_new(t->ctx);
	t->in = BIO_new(BIO_s_mem());
	t->out = BIO_new(BIO_s_mem());
	if (t->ssl == NULL || t->in == NULL || t->out == NULL)
		goto ossl_fail;
	SSL_set_bio(t->ssl, t->in, t->out); /* ssl owns both now */
	SSL_set_connect_state(t->ssl);
	if (o->mode == TLS_VERIFY_IDENTITY) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(t->ssl);

		X509_VERIFY_PARAM_set_hostflags(
		    vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		/* IP literals are matched against IP SANs, names as DNS. */
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1 &&
		    X509_VERIFY_PARAM_set1_host(vp, host, 0) != 1)
			goto ossl_fail;
		SSL_set_tlsext_host_name(t->ssl, host);
	}
	return t;
ossl_fail:
	sl_err_set(err, SL_EIO, "tls: %s", ossl_reason(why, sizeof(why)));
fail:
	if (t->ssl == NULL) {
		BIO_free(t->in);
		BIO_free(t->out);
	}
	tls_free(t);
	return NULL;
}

void tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl); /* frees the BIOs */
	SSL_CTX_free(t->ctx);
	sl_free(t);
}

/* Sends whatever OpenSSL queued in the out BIO. */
static int flush_out(struct tls *t, struct ring *r, int fd, int timeout_ms,
                     struct sl_err *err)
{
	char buf[16384];
	int n;

	while ((n = BIO_read(t->out, buf, sizeof(buf))) > 0) {
		int rc = ring_send_all(r, fd, buf, (size_t)n, timeout_ms, err);

		if (rc)
			return rc;
	}
	return 0;
}

/* Receives ciphertext into the in BIO. */
static int fill_in(struct tls *t, struct ring *r, int fd, int timeout_ms,
                   struct sl_err *err)
{
	char buf[65536];
	ssize_t n = ring_recv(r, fd, buf, sizeof(buf), timeout_ms, err);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return sl_err_set(err, SL_EIO,
		                  "tls: the server closed the connection");
	if (BIO_write(t->in, buf, (int)n) != (int)n)
		return sl_err_set(err, SL_ENOMEM, "tls: BIO_write failed");
	return 0;
}

static int verify_failure(struct tls *t, struct sl_err *err)
{
	long v = SSL_get_verify_result(t->ssl);

	if (v != X509_V_OK)
		return sl_err_set(err, SL_EIO,
		                  "tls: server certificate verification failed "
		                  "(%s, mode %s): %s",
		                  t->host, tls_mode_name(t->mode),
		                  X509_verify_cert_error_string(v));
	return 0;
}

int tls_handshake(struct tls *t, struct ring *r, int fd, int timeout_ms,
                  struct sl_err *err)
{
	char why[256];

	for (;;) {
		int rc = SSL_do_handshake(t->ssl);
		int e;

		if (flush_out(t, r, fd, timeout_ms, err) != 0)
			return err ? err->code : SL_EIO;
		if (rc == 1)
			return 0;
		e = SSL_get_error(t->ssl, rc);
		if (e == SSL_ERROR_WANT_READ) {
			rc = fill_in(t, r, fd, timeout_ms, err);
			if (rc)
				return rc;
			continue;
		}
		if (e == SSL_ERROR_WANT_WRITE)
			continue;
		if (verify_failure(t, err))
			return SL_EIO;
		return sl_err_set(err, SL_EIO,
		                  "tls: handshake with %s failed: %s", t->host,
		                  ossl_reason(why, sizeof(why)));
	}
}

ssize_t tls_read(struct tls *t, struct ring *r, int fd, void *p, size_t cap,
                 int timeout_ms, struct sl_err *err)
{
	char why[256];

	for (;;) {
		int n =
		    SSL_read(t->ssl, p, cap > INT32_MAX ? INT32_MAX : (int)cap);
		int e, rc;

		if (n > 0)
			return n;
		e = SSL_get_error(t->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN)
			return 0;
		if (e != SSL_ERROR_WANT_READ)
			return sl_err_set(err, SL_EIO, "tls: read: %s",
			                  ossl_reason(why, sizeof(why)));
		if (flush_out(t, r, fd, timeout_ms, err) != 0)
			return err ? err->code : SL_EIO;
		rc = fill_in(t, r, fd, timeout_ms, err);
		if (rc == SL_EIO && err && strstr(err->msg, "closed"))
			return 0;
		if (rc)
			return rc;
	}
}

int tls_write_all(struct tls *t, struct ring *r, int fd, const void *p,
                  size_t n, int timeout_ms, struct sl_err *err)
{
	const char *b = p;
	char why[256];

	while (n > 0) {
		int w =
		    SSL_write(t->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);

		if (w <= 0)
			return sl_err_set(err, SL_EIO, "tls: write: %s",
			                  ossl_reason(why, sizeof(why)));
		b += w;
		n -= (size_t)w;
		if (flush_out(t, r, fd, timeout_ms, err) != 0)
			return err ? err->code : SL_EIO;
	}
	return 0;
}

const char *tls_describe(const struct tls *t, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s", SSL_get_version(t->ssl),
	         SSL_get_cipher_name(t->ssl));
	return buf;
}

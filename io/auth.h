/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/auth.h: the client side of the MySQL/MariaDB authentication plugins,
 * as pure functions over bytes (no sockets, no state between calls).
 * In: the plugin name and its data from the server (Initial Handshake,
 * AuthSwitchRequest or AuthMoreData), the password and the transport's
 * properties.  Out: the bytes of the next client packet, appended to a
 * caller-owned sbuf.  Any thread; nothing is shared.
 *
 * Plugins: mysql_native_password, caching_sha2_password (MySQL 8),
 * sha256_password, client_ed25519 (MariaDB) and mysql_clear_password
 * (refused unless the transport is TLS).
 *
 * Secrets: error messages never hold the password or anything derived
 * from it; temporary buffers holding derived secrets are wiped before
 * returning.  The responses themselves are secrets (a clear password, or
 * a replayable hash for native with a known scramble): reserve room in
 * `out` up front (the functions do) so growth leaves no stale copy, and
 * release it with auth_wipe before sbuf_deinit.
 */
#ifndef SL_IO_AUTH_H
#define SL_IO_AUTH_H

#include "core/err.h"
#include "core/sbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_SCRAMBLE_LEN      20 /* nonce of native / sha2 / sha256 */
#define AUTH_NATIVE_LEN        20 /* SHA1-sized response */
#define AUTH_SHA2_LEN          32 /* caching_sha2 fast-path response */
#define AUTH_ED25519_NONCE_LEN 32 /* MariaDB's client_ed25519 nonce */
#define AUTH_ED25519_PK_LEN    32
#define AUTH_ED25519_SIG_LEN   64

/* caching_sha2_password bytes: AuthMoreData statuses from the server and
 * the client's request for the server's RSA public key. */
#define AUTH_SHA2_FAST_OK     0x03
#define AUTH_SHA2_FULL        0x04
#define AUTH_SHA2_KEY_REQUEST 0x02
/* sha256_password's request for the server's RSA public key. */
#define AUTH_SHA256_KEY_REQUEST 0x01

/* What the dispatcher needs to know besides the server's bytes.  Borrowed;
 * the caller keeps it alive for the duration of each call. */
struct auth_params {
	const char *password; /* bytes, no NUL inside; may be NULL if len 0 */
	size_t password_len;
	bool tls; /* the link is encrypted: clear passwords are allowed */
	/* The server's RSA public key (PEM, "PUBLIC KEY" or "RSA PUBLIC
	 * KEY") from configuration, or NULL. */
	const char *rsa_pem;
	size_t rsa_pem_len;
	/* Without TLS or rsa_pem, ask the server for its key (in clear, so
	 * open to a man in the middle: MySQL's --get-server-public-key). */
	bool get_server_key;
};

/* Primitives.  Each accepts any password bytes (length given, NUL allowed)
 * and applies no protocol rule such as "empty password, empty response";
 * the dispatcher below does.  scramble_len must be AUTH_SCRAMBLE_LEN
 * (SL_EPROTO otherwise).  0 or negative SL_E* with err set. */

/* mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
int auth_native_scramble(const char *pw, size_t pw_len, const uint8_t *scramble,
                         size_t scramble_len, uint8_t out[AUTH_NATIVE_LEN],
                         struct sl_err *err);

/* caching_sha2_password fast path:
 * SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble). */
int auth_sha2_scramble(const char *pw, size_t pw_len, const uint8_t *scramble,
                       size_t scramble_len, uint8_t out[AUTH_SHA2_LEN],
                       struct sl_err *err);

/* caching_sha2_password full authentication and sha256_password without
 * TLS: RSA-OAEP (SHA-1, MGF1-SHA-1, as MySQL's RSA_PKCS1_OAEP_PADDING)
 * encryption of (pw + NUL) XOR scramble (repeated cyclically) under the
 * server's public key `pem`.  Appends RSA-size bytes to out.  SL_EINVAL for
 * a PEM that is not an RSA public key, or a password too long for the key
 * (pw_len + 1 must be at most key bytes - 42); SL_ENOMEM. */
int auth_rsa_encrypt(const char *pw, size_t pw_len, const uint8_t *scramble,
                     size_t scramble_len, const char *pem, size_t pem_len,
                     struct sbuf *out, struct sl_err *err);

/* client_ed25519 as MariaDB does it: the password itself is hashed into
 * the expanded key, az = SHA512(pw); a = clamp(az[0..31]); A = aB.  With
 * a 32-byte password this equals standard Ed25519 with pw as the seed. */
int auth_ed25519_public_key(const char *pw, size_t pw_len,
                            uint8_t pk[AUTH_ED25519_PK_LEN],
                            struct sl_err *err);

/* Signs msg with that key: R = rB, r = SHA512(az[32..63] || msg) mod L;
 * S = r + SHA512(R || A || msg) * a mod L; sig = R || S.  Deterministic. */
int auth_ed25519_sign(const char *pw, size_t pw_len, const uint8_t *msg,
                      size_t msg_len, uint8_t sig[AUTH_ED25519_SIG_LEN],
                      struct sl_err *err);

/* The exchange.  `plugin` is the NUL-terminated name from the handshake
 * or an AuthSwitchRequest (a server without CLIENT_PLUGIN_AUTH means
 * "mysql_native_password").  `data` is that packet's plugin data as sent:
 * for native / caching_sha2 / sha256 the 20-byte scramble, optionally
 * followed by its NUL (21 bytes); for client_ed25519 exactly the 32-byte
 * nonce.  Only the bytes needed are read. */

/* Appends the first response for plugin to out:
 *   mysql_native_password  20-byte scramble; empty for an empty password;
 *   caching_sha2_password  32-byte scramble; one 0x00 for an empty one;
 *   sha256_password        0x00 if empty; else pw+NUL over TLS, RSA with
 *                          rsa_pem, else AUTH_SHA256_KEY_REQUEST if
 *                          get_server_key;
 *   client_ed25519         64-byte signature of the nonce;
 *   mysql_clear_password   pw+NUL, TLS only.
 * SL_EUNSUPPORTED for another plugin (the message names it); SL_EINVAL
 * for clear text without TLS, a password with a NUL byte, or sha256 with
 * no way to protect the password; SL_EPROTO for data of the wrong size. */
int auth_first_response(const char *plugin, const uint8_t *data,
                        size_t data_len, const struct auth_params *p,
                        struct sbuf *out, struct sl_err *err);

/* Handles an AuthMoreData packet.  `more` is its payload after the 0x01
 * marker; `scramble` is the data the plugin's first response was computed
 * from (same rules as `data` above).  On return *reply says whether a
 * packet must be sent (its bytes appended to out); false means "wait for
 * the next server packet" (caching_sha2 fast-auth success: OK follows).
 *   caching_sha2_password  AUTH_SHA2_FAST_OK: no reply.  AUTH_SHA2_FULL:
 *                          pw+NUL over TLS, RSA with rsa_pem, else
 *                          AUTH_SHA2_KEY_REQUEST if get_server_key, else
 *                          SL_EINVAL.  Anything longer: the server's PEM
 *                          key, answered with the RSA-encrypted password;
 *   sha256_password        the server's PEM key: RSA-encrypted password.
 * SL_EPROTO for other plugins, unknown statuses or a bad server key. */
int auth_more_data(const char *plugin, const uint8_t *scramble,
                   size_t scramble_len, const uint8_t *more, size_t more_len,
                   const struct auth_params *p, struct sbuf *out, bool *reply,
                   struct sl_err *err);

/* Zeroes the whole capacity of b and empties it (memory is kept).  Use on
 * every sbuf that held a response before reusing or freeing it. */
void auth_wipe(struct sbuf *b);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/auth.c: client side of the MySQL/MariaDB authentication plugins.
 * Hashes and RSA come from OpenSSL 3's libcrypto (EVP only), Ed25519
 * arithmetic from libsodium's low-level primitives, because MariaDB's
 * client_ed25519 uses SHA512(password) as the expanded secret key, which
 * no seed-based Ed25519 API can express.  Pure functions: no sockets, no
 * globals; any thread.  Every buffer that held the password or something
 * derived from it is wiped (OPENSSL_cleanse / sodium_memzero) on all
 * paths, and messages name plugins and lengths, never secrets.
 */
#include "auth.h"

#include "core/mem.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#define SHA1_LEN   20
#define SHA256_LEN 32

/* MySQL's bound for OAEP with SHA-1: plaintext + 41 < key bytes. */
#define RSA_OAEP_OVERHEAD 42
/* Larger keys than this are not plausible for a server; refuse early. */
#define RSA_MAX_BITS 16384

static const char P_NATIVE[] = "mysql_native_password";
static const char P_SHA2[] = "caching_sha2_password";
static const char P_SHA256[] = "sha256_password";
static const char P_ED25519[] = "client_ed25519";
static const char P_CLEAR[] = "mysql_clear_password";

/* Helpers */

/* Copies a server-supplied name into buf for messages: at most 64 bytes,
 * non-printable bytes shown as '?'. */
static const char *printable(const char *s, char *buf, size_t cap)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap && i < 64; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* The most recent OpenSSL reason, for messages; clears the queue so no
 * stale error leaks into unrelated OpenSSL users on this thread. */
static const char *ossl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(buf, cap, "no detail");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

static int digest(const EVP_MD *md, const void *a, size_t a_len, const void *b,
                  size_t b_len, uint8_t *out, struct sl_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char why[256];
	int ok;

	if (ctx == NULL)
		return sl_err_set(err, SL_ENOMEM,
		                  "auth: EVP_MD_CTX_new failed");
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
	     EVP_DigestUpdate(ctx, a, a_len) == 1 &&
	     (b_len == 0 || EVP_DigestUpdate(ctx, b, b_len) == 1) &&
	     EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx); /* cleanses its own state */
	if (!ok)
		return sl_err_set(err, SL_EUNSUPPORTED, "auth: %s digest: %s",
		                  EVP_MD_get0_name(md),
		                  ossl_reason(why, sizeof(why)));
	return 0;
}

static int check_scramble(size_t scramble_len, struct sl_err *err)
{
	if (scramble_len != AUTH_SCRAMBLE_LEN)
		return sl_err_set(err, SL_EPROTO,
		                  "auth: scramble of %zu bytes, expected %d",
		                  scramble_len, AUTH_SCRAMBLE_LEN);
	return 0;
}

/* Primitives */

/* The shape both scramble plugins share, with H = md (md_len bytes):
 * out = H(pw) XOR H(H(H(pw)) + scramble) when stage2_first, else
 * H(pw) XOR H(scramble + H(H(pw))). */
static int xor_scramble(const EVP_MD *md, size_t md_len, bool stage2_first,
                        const char *pw, size_t pw_len, const uint8_t *scramble,
                        size_t scramble_len, uint8_t *out, struct sl_err *err)
{
	/* Zeroed: the analyzer cannot see EVP_DigestFinal_ex fill them. */
	uint8_t stage1[SHA256_LEN] = {0}, stage2[SHA256_LEN] = {0};
	uint8_t mask[SHA256_LEN] = {0};
	int rc;

	if ((rc = check_scramble(scramble_len, err)) != 0)
		return rc;
	if ((rc = digest(md, pw, pw_len, NULL, 0, stage1, err)) != 0 ||
	    (rc = digest(md, stage1, md_len, NULL, 0, stage2, err)) != 0 ||
	    (rc = stage2_first ? digest(md, stage2, md_len, scramble,
	                                AUTH_SCRAMBLE_LEN, mask, err)
	                       : digest(md, scramble, AUTH_SCRAMBLE_LEN, stage2,
	                                md_len, mask, err)) != 0)
		goto out;
	for (size_t i = 0; i < md_len; i++)
		out[i] = stage1[i] ^ mask[i];
out:
	OPENSSL_cleanse(stage1, sizeof(stage1));
	OPENSSL_cleanse(stage2, sizeof(stage2));
	OPENSSL_cleanse(mask, sizeof(mask));
	return rc;
}

int auth_native_scramble(const char *pw, size_t pw_len, const uint8_t *scramble,
                         size_t scramble_len, uint8_t out[AUTH_NATIVE_LEN],
                         struct sl_err *err)
{
	return xor_scramble(EVP_sha1(), SHA1_LEN, false, pw, pw_len, scramble,
	                    scramble_len, out, err);
}

int auth_sha2_scramble(const char *pw, size_t pw_len, const uint8_t *scramble,
                       size_t scramble_len, uint8_t out[AUTH_SHA2_LEN],
                       struct sl_err *err)
{
	/* Digest stage 2 first, then the nonce: MySQL's order. */
	return xor_scramble(EVP_sha256(), SHA256_LEN, true, pw, pw_len,
	                    scramble, scramble_len, out, err);
}

/* Decodes an RSA public key from PEM, either SubjectPublicKeyInfo
 * ("PUBLIC KEY", what MySQL sends) or PKCS#1 ("RSA PUBLIC KEY"). */
static int load_rsa_pem(const char *pem, size_t pem_len, EVP_PKEY **out,
                        struct sl_err *err)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = (const unsigned char *)pem;
	size_t left = pem_len;
	char why[256];
	int bits;

	if (pem == NULL || pem_len == 0)
		return sl_err_set(err, SL_EINVAL, "RSA public key: empty PEM");
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", NULL, "RSA",
	                                     EVP_PKEY_PUBLIC_KEY, NULL, NULL);
	if (dctx == NULL)
		return sl_err_set(err, SL_ENOMEM,
		                  "RSA public key: no decoder: %s",
		                  ossl_reason(why, sizeof(why)));
	if (OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL) {
		OSSL_DECODER_CTX_free(dctx);
		EVP_PKEY_free(pkey);
		return sl_err_set(err, SL_EINVAL,
		                  "RSA public key: not a PEM RSA public key "
		                  "(%zu bytes): %s",
		                  pem_len, ossl_reason(why, sizeof(why)));
	}
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error(); /* decoders that were tried and failed */
	bits = EVP_PKEY_get_bits(pkey);
	if (!EVP_PKEY_is_a(pkey, "RSA") || bits <= 0 || bits > RSA_MAX_BITS) {
		EVP_PKEY_free(pkey);
		return sl_err_set(err, SL_EINVAL,
		                  "RSA public key: not an RSA key of at most "
		                  "%d bits",
		                  RSA_MAX_BITS);
	}
	*out = pkey;
	return 0;
}

/* Encrypts (pw + NUL) XOR scramble under pkey and appends it to out. */
static int rsa_encrypt_key(const char *pw, size_t pw_len,
                           const uint8_t *scramble, EVP_PKEY *pkey,
                           struct sbuf *out, struct sl_err *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = pw_len + 1, key_len, enc_len;
	char why[256];
	int rc = 0;

	key_len = (size_t)EVP_PKEY_get_size(pkey);
	if (key_len <= RSA_OAEP_OVERHEAD ||
	    plain_len > key_len - RSA_OAEP_OVERHEAD)
		return sl_err_set(err, SL_EINVAL,
		                  "RSA: password of %zu bytes is too long for "
		                  "the server's %d-bit key (at most %zu)",
		                  pw_len, EVP_PKEY_get_bits(pkey),
		                  key_len > RSA_OAEP_OVERHEAD
		                      ? key_len - RSA_OAEP_OVERHEAD - 1
		                      : 0);
	plain = sl_malloc(plain_len);
	if (plain == NULL)
		return sl_err_set(err, SL_ENOMEM, "RSA: out of memory");
	if (pw_len > 0)
		memcpy(plain, pw, pw_len);
	plain[pw_len] = '\0';
	for (size_t i = 0; i < plain_len; i++)
		plain[i] ^= scramble[i % AUTH_SCRAMBLE_LEN];

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_encrypt(ctx, NULL, &enc_len, plain, plain_len) != 1) {
		rc = sl_err_set(err, SL_EUNSUPPORTED, "RSA: OAEP setup: %s",
		                ossl_reason(why, sizeof(why)));
		goto out;
	}
	if (!sbuf_reserve(out, enc_len)) {
		rc = sl_err_set(err, SL_ENOMEM, "RSA: out of memory");
		goto out;
	}
	if (EVP_PKEY_encrypt(ctx, (unsigned char *)out->p + out->len, &enc_len,
	                     plain, plain_len) != 1) {
		rc = sl_err_set(err, SL_EUNSUPPORTED, "RSA: encryption: %s",
		                ossl_reason(why, sizeof(why)));
		goto out;
	}
	out->len += enc_len;
out:
	OPENSSL_cleanse(plain, plain_len);
	sl_free(plain);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int auth_rsa_encrypt(const char *pw, size_t pw_len, const uint8_t *scramble,
                     size_t scramble_len, const char *pem, size_t pem_len,
                     struct sbuf *out, struct sl_err *err)
{
	EVP_PKEY *pkey = NULL;
	int rc;

	if ((rc = check_scramble(scramble_len, err)) != 0 ||
	    (rc = load_rsa_pem(pem, pem_len, &pkey, err)) != 0)
		return rc;
	rc = rsa_encrypt_key(pw, pw_len, scramble, pkey, out, err);
	EVP_PKEY_free(pkey);
	return rc;
}

/* Ed25519 the MariaDB way (plugin/auth_ed25519/ref10/sign.c): the
 * expanded key is SHA512 of the password of any length.  a is reduced
 * mod L once, which changes neither aB (B has order L) nor S. */
struct ed_key {
	uint8_t a[32];      /* clamped secret scalar, reduced mod L */
	uint8_t prefix[32]; /* az[32..63], the nonce key */
	uint8_t pk[32];     /* A = aB */
};

static int ed_sodium_ready(struct sl_err *err)
{
	if (sodium_init() < 0)
		return sl_err_set(err, SL_EUNSUPPORTED,
		                  "client_ed25519: libsodium failed to start");
	return 0;
}

static int ed_expand(const char *pw, size_t pw_len, struct ed_key *k,
                     struct sl_err *err)
{
	uint8_t az[64], wide[64];
	int rc = 0;

	/* libsodium reads nothing through a NULL pointer of length 0, but
	 * give it a valid one anyway. */
	crypto_hash_sha512(az, (const unsigned char *)(pw ? pw : ""), pw_len);
	az[0] &= 248;
	az[31] &= 63;
	az[31] |= 64;
	memset(wide, 0, sizeof(wide));
	memcpy(wide, az, 32);
	crypto_core_ed25519_scalar_reduce(k->a, wide);
	memcpy(k->prefix, az + 32, 32);
	/* Fails only if a is a multiple of L: odds about 2^-250. */
	if (crypto_scalarmult_ed25519_base_noclamp(k->pk, k->a) != 0)
		rc = sl_err_set(err, SL_EINVAL,
		                "client_ed25519: degenerate key");
	sodium_memzero(az, sizeof(az));
	sodium_memzero(wide, sizeof(wide));
	return rc;
}

int auth_ed25519_public_key(const char *pw, size_t pw_len,
                            uint8_t pk[AUTH_ED25519_PK_LEN], struct sl_err *err)
{
	struct ed_key k;
	int rc;

	if ((rc = ed_sodium_ready(err)) != 0)
		return rc;
	if ((rc = ed_expand(pw, pw_len, &k, err)) == 0)
		memcpy(pk, k.pk, AUTH_ED25519_PK_LEN);
	sodium_memzero(&k, sizeof(k));
	return rc;
}

int auth_ed25519_sign(const char *pw, size_t pw_len, const uint8_t *msg,
                      size_t msg_len, uint8_t sig[AUTH_ED25519_SIG_LEN],
                      struct sl_err *err)
{
	crypto_hash_sha512_state st;
	struct ed_key k;
	uint8_t h[64], r[32], kh[32], ka[32];
	static const uint8_t empty[1] = {0};
	int rc;

	if ((rc = ed_sodium_ready(err)) != 0)
		return rc;
	if (msg == NULL)
		msg = empty; /* msg_len is then 0 */
	if ((rc = ed_expand(pw, pw_len, &k, err)) != 0)
		goto out;

	/* r = SHA512(prefix || msg) mod L; R = rB */
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, k.prefix, sizeof(k.prefix));
	crypto_hash_sha512_update(&st, msg, msg_len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(r, h);
	if (crypto_scalarmult_ed25519_base_noclamp(sig, r) != 0) {
		rc = sl_err_set(err, SL_EINVAL,
		                "client_ed25519: degenerate nonce");
		goto out;
	}

	/* k = SHA512(R || A || msg) mod L; S = r + k a mod L */
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, sig, 32);
	crypto_hash_sha512_update(&st, k.pk, sizeof(k.pk));
	crypto_hash_sha512_update(&st, msg, msg_len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(kh, h);
	crypto_core_ed25519_scalar_mul(ka, kh, k.a);
	crypto_core_ed25519_scalar_add(sig + 32, r, ka);
out:
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(h, sizeof(h));
	sodium_memzero(r, sizeof(r));
	sodium_memzero(kh, sizeof(kh));
	sodium_memzero(ka, sizeof(ka));
	return rc;
}

/* The exchange */

/* The 20-byte scramble inside a handshake / AuthSwitchRequest payload,
 * which may carry a trailing NUL. */
static int take_scramble(const char *plugin, const uint8_t *data,
                         size_t data_len, struct sl_err *err)
{
	if (data != NULL && (data_len == AUTH_SCRAMBLE_LEN ||
	                     (data_len == AUTH_SCRAMBLE_LEN + 1 &&
	                      data[AUTH_SCRAMBLE_LEN] == 0)))
		return 0;
	return sl_err_set(err, SL_EPROTO,
	                  "%s: scramble of %zu bytes, expected %d (+ NUL)",
	                  plugin, data_len, AUTH_SCRAMBLE_LEN);
}

static int check_params(const struct auth_params *p, struct sl_err *err)
{
	if (p == NULL || (p->password == NULL && p->password_len > 0))
		return sl_err_set(err, SL_EINVAL, "auth: no password given");
	/* The server reads clear and RSA passwords up to a NUL, and
	 * libmysqlclient hashes only up to one: refuse rather than log in
	 * with a different secret. */
	if (p->password_len > 0 &&
	    memchr(p->password, '\0', p->password_len) != NULL)
		return sl_err_set(err, SL_EINVAL,
		                  "auth: the password contains a NUL byte");
	return 0;
}

/* Appends password + NUL. */
static int put_clear(const struct auth_params *p, struct sbuf *out,
                     struct sl_err *err)
{
	if (!sbuf_reserve(out, p->password_len + 1))
		return sl_err_set(err, SL_ENOMEM, "auth: out of memory");
	if (p->password_len > 0)
		memcpy(out->p + out->len, p->password, p->password_len);
	out->p[out->len + p->password_len] = '\0';
	out->len += p->password_len + 1;
	return 0;
}

static int put_bytes(const void *b, size_t n, struct sbuf *out,
                     struct sl_err *err)
{
	if (!sbuf_reserve(out, n))
		return sl_err_set(err, SL_ENOMEM, "auth: out of memory");
	memcpy(out->p + out->len, b, n);
	out->len += n;
	return 0;
}

static int put_byte(uint8_t b, struct sbuf *out, struct sl_err *err)
{
	return put_bytes(&b, 1, out, err);
}

/* The password where the transport does not hide it: clear over TLS, RSA
 * with a configured key, or a request for the server's key.  Shared by
 * sha256_password's first response and caching_sha2's full auth. */
static int protected_password(const char *plugin, uint8_t key_request,
                              const uint8_t *scramble,
                              const struct auth_params *p, struct sbuf *out,
                              struct sl_err *err)
{
	int rc;

	if (p->tls)
		return put_clear(p, out, err);
	if (p->rsa_pem != NULL) {
		rc = auth_rsa_encrypt(p->password, p->password_len, scramble,
		                      AUTH_SCRAMBLE_LEN, p->rsa_pem,
		                      p->rsa_pem_len, out, err);
		if (rc != 0)
			sl_err_ctx(err, "%s: configured key", plugin);
		return rc;
	}
	if (p->get_server_key)
		return put_byte(key_request, out, err);
	return sl_err_set(err, SL_EINVAL,
	                  "%s: the server wants the password: use TLS, "
	                  "configure its RSA public key, or allow requesting "
	                  "the key from the server",
	                  plugin);
}

/* RSA with a key the server just sent: a key that does not parse is the
 * server's fault (SL_EPROTO), not the configuration's. */
static int rsa_with_server_key(const char *plugin, const uint8_t *scramble,
                               const uint8_t *pem, size_t pem_len,
                               const struct auth_params *p, struct sbuf *out,
                               struct sl_err *err)
{
	EVP_PKEY *pkey = NULL;
	int rc;

	rc = load_rsa_pem((const char *)pem, pem_len, &pkey, err);
	if (rc == SL_EINVAL) {
		rc = SL_EPROTO;
		if (err != NULL)
			err->code = rc;
	}
	if (rc == 0) {
		rc = rsa_encrypt_key(p->password, p->password_len, scramble,
		                     pkey, out, err);
		EVP_PKEY_free(pkey);
	}
	if (rc != 0)
		sl_err_ctx(err, "%s: server's key", plugin);
	return rc;
}

int auth_first_response(const char *plugin, const uint8_t *data,
                        size_t data_len, const struct auth_params *p,
                        struct sbuf *out, struct sl_err *err)
{
	uint8_t buf[AUTH_ED25519_SIG_LEN];
	char name[72];
	int rc;

	if (plugin == NULL)
		return sl_err_set(err, SL_EINVAL, "auth: no plugin name");
	if ((rc = check_params(p, err)) != 0)
		return rc;

	if (strcmp(plugin, P_NATIVE) == 0) {
		if ((rc = take_scramble(plugin, data, data_len, err)) != 0)
			return rc;
		if (p->password_len == 0)
			return 0;
		rc = auth_native_scramble(p->password, p->password_len, data,
		                          AUTH_SCRAMBLE_LEN, buf, err);
		if (rc == 0)
			rc = put_bytes(buf, AUTH_NATIVE_LEN, out, err);
	} else if (strcmp(plugin, P_SHA2) == 0) {
		if ((rc = take_scramble(plugin, data, data_len, err)) != 0)
			return rc;
		/* libmysqlclient sends one zero byte for no password. */
		if (p->password_len == 0)
			return put_byte(0, out, err);
		rc = auth_sha2_scramble(p->password, p->password_len, data,
		                        AUTH_SCRAMBLE_LEN, buf, err);
		if (rc == 0)
			rc = put_bytes(buf, AUTH_SHA2_LEN, out, err);
	} else if (strcmp(plugin, P_SHA256) == 0) {
		if ((rc = take_scramble(plugin, data, data_len, err)) != 0)
			return rc;
		if (p->password_len == 0)
			return put_byte(0, out, err);
		return protected_password(plugin, AUTH_SHA256_KEY_REQUEST, data,
		                          p, out, err);
	} else if (strcmp(plugin, P_ED25519) == 0) {
		if (data == NULL || data_len != AUTH_ED25519_NONCE_LEN)
			return sl_err_set(err, SL_EPROTO,
			                  "%s: nonce of %zu bytes, expected %d",
			                  plugin, data_len,
			                  AUTH_ED25519_NONCE_LEN);
		rc = auth_ed25519_sign(p->password, p->password_len, data,
		                       data_len, buf, err);
		if (rc == 0)
			rc = put_bytes(buf, AUTH_ED25519_SIG_LEN, out, err);
	} else if (strcmp(plugin, P_CLEAR) == 0) {
		if (!p->tls)
			return sl_err_set(err, SL_EINVAL,
			                  "%s: refusing to send the password "
			                  "in clear text without TLS",
			                  plugin);
		return put_clear(p, out, err);
	} else {
		return sl_err_set(err, SL_EUNSUPPORTED,
		                  "auth: unsupported authentication plugin "
		                  "'%s'",
		                  printable(plugin, name, sizeof(name)));
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int auth_more_data(const char *plugin, const uint8_t *scramble,
                   size_t scramble_len, const uint8_t *more, size_t more_len,
                   const struct auth_params *p, struct sbuf *out, bool *reply,
                   struct sl_err *err)
{
	char name[72];
	int rc;

	*reply = false;
	if (plugin == NULL)
		return sl_err_set(err, SL_EINVAL, "auth: no plugin name");
	if ((rc = check_params(p, err)) != 0)
		return rc;
	if (more == NULL || more_len == 0)
		return sl_err_set(err, SL_EPROTO, "%s: empty AuthMoreData",
		                  printable(plugin, name, sizeof(name)));

	if (strcmp(plugin, P_SHA2) == 0) {
		if ((rc = take_scramble(plugin, scramble, scramble_len, err)) !=
		    0)
			return rc;
		if (more_len == 1 && more[0] == AUTH_SHA2_FAST_OK)
			return 0;
		if (more_len == 1 && more[0] == AUTH_SHA2_FULL)
			rc = protected_password(plugin, AUTH_SHA2_KEY_REQUEST,
			                        scramble, p, out, err);
		else if (more_len == 1)
			return sl_err_set(err, SL_EPROTO,
			                  "%s: unknown AuthMoreData status "
			                  "0x%02x",
			                  plugin, more[0]);
		else
			rc = rsa_with_server_key(plugin, scramble, more,
			                         more_len, p, out, err);
	} else if (strcmp(plugin, P_SHA256) == 0) {
		if ((rc = take_scramble(plugin, scramble, scramble_len, err)) !=
		    0)
			return rc;
		rc = rsa_with_server_key(plugin, scramble, more, more_len, p,
		                         out, err);
	} else {
		return sl_err_set(err, SL_EPROTO,
		                  "auth: unexpected AuthMoreData (%zu bytes) "
		                  "for plugin '%s'",
		                  more_len,
		                  printable(plugin, name, sizeof(name)));
	}
	*reply = rc == 0;
	return rc;
}

void auth_wipe(struct sbuf *b)
{
	if (b->p != NULL)
		OPENSSL_cleanse(b->p, b->cap);
	b->len = 0;
}

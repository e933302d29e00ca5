/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/conn.c: client connections (see conn.h).
 * Receive path: ring_recv (or tls_read) fills rbuf; the packet reader
 * (io/myproto.c) frames packets out of it, zero-copy when a packet lies
 * wholly inside rbuf.  rbuf is refilled only when every byte has been
 * framed, so a returned slice stays valid until the next read.
 * Login: Initial Handshake → [SSLRequest + TLS] → HandshakeResponse41 →
 * OK | ERR | AuthSwitchRequest | AuthMoreData, looping until OK or ERR.
 */
#include "conn.h"

#include "core/mem.h"
#include "core/sbuf.h"
#include "io/auth.h"
#include "io/ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RBUF_CAP ((size_t)4 << 20)

struct conn {
	struct ring *ring;
	int fd;
	struct tls *tls; /* NULL without TLS */
	struct myproto_reader rd;
	struct myproto_handshake hs;
	uint8_t *hs_copy; /* the greeting, which hs slices */
	char version[64];
	uint32_t caps;
	int read_timeout_ms;
	char where[300]; /* "host:port" for messages */

	uint8_t *rbuf;
	size_t rlen, roff;

	struct sbuf out; /* framed outgoing packets */
};

const struct myproto_handshake *conn_handshake(const struct conn *c)
{
	return &c->hs;
}

bool conn_is_mariadb(const struct conn *c)
{
	return c->hs.is_mariadb;
}

bool conn_tls_active(const struct conn *c)
{
	return c->tls != NULL;
}

const char *conn_server_version(const struct conn *c)
{
	return c->version;
}

struct myproto_reader *conn_reader(struct conn *c)
{
	return &c->rd;
}

static int send_raw(struct conn *c, const void *p, size_t n, struct sl_err *err)
{
	if (c->tls)
		return tls_write_all(c->tls, c->ring, c->fd, p, n,
		                     c->read_timeout_ms, err);
	return ring_send_all(c->ring, c->fd, p, n, c->read_timeout_ms, err);
}

/* Frames payload with sequence id seq and sends it. */
static int send_packet(struct conn *c, uint8_t seq, const void *p, size_t n,
                       struct sl_err *err)
{
	int rc;

	sbuf_reset(&c->out);
	rc = myproto_write_packet(&c->out, &seq, p, n, err);
	if (rc == 0)
		rc = send_raw(c, c->out.p, c->out.len, err);
	auth_wipe(&c->out); /* may have held an auth response */
	myproto_reader_expect(&c->rd, seq);
	return rc;
}

int conn_next_packet(struct conn *c, int timeout_ms, struct myproto_packet *pkt,
                     struct sl_err *err)
{
	for (;;) {
		ssize_t n;

		if (c->roff < c->rlen) {
			size_t used = 0;
			int rc = myproto_reader_next(&c->rd, c->rbuf + c->roff,
			                             c->rlen - c->roff, &used,
			                             pkt, err);

			c->roff += used;
			if (rc != 0)
				return rc;
			continue; /* all consumed, packet incomplete */
		}
		c->roff = c->rlen = 0;
		if (c->tls)
			n = tls_read(c->tls, c->ring, c->fd, c->rbuf, RBUF_CAP,
			             timeout_ms, err);
		else
			n = ring_recv(c->ring, c->fd, c->rbuf, RBUF_CAP,
			              timeout_ms, err);
		if (n == 0)
			return sl_err_set(err, SL_EIO,
			                  "%s closed the connection", c->where);
		if (n < 0) {
			if (err && n != SL_ETRUNC)
				sl_err_ctx(err, "%s", c->where);
			return (int)n;
		}
		c->rlen = (size_t)n;
	}
}

int conn_send_command(struct conn *c, const uint8_t *payload, size_t len,
                      struct sl_err *err)
{
	myproto_reader_reset(&c->rd, 0);
	return send_packet(c, 0, payload, len, err);
}

static int server_err(struct conn *c, const uint8_t *p, size_t n,
                      uint16_t *code, struct sl_err *err)
{
	struct myproto_errpkt e;
	int rc = myproto_parse_err(p, n, &e, err);

	if (rc)
		return rc;
	if (code)
		*code = e.code;
	rc = myproto_server_error(&e, err);
	sl_err_ctx(err, "%s", c->where);
	return rc;
}

/* The auth exchange after the HandshakeResponse41 was sent. */
static int auth_loop(struct conn *c, const char *plugin0,
                     const struct auth_params *ap, struct sl_err *err)
{
	char plugin[64];
	uint8_t scramble[MYPROTO_SCRAMBLE_MAX];
	size_t scramble_len = c->hs.scramble_len;
	struct sbuf resp;
	int rc = 0;

	snprintf(plugin, sizeof(plugin), "%s", plugin0);
	memcpy(scramble, c->hs.scramble, scramble_len);
	sbuf_init(&resp);
	for (int round = 0; round < 8; round++) {
		struct myproto_packet pkt;

		rc = conn_next_packet(c, c->read_timeout_ms, &pkt, err);
		if (rc < 0)
			break;
		if (pkt.len == 0) {
			rc = sl_err_set(err, SL_EPROTO,
			                "%s: empty packet during login",
			                c->where);
			break;
		}
		if (pkt.p[0] == MYPROTO_OK) {
			rc = 0;
			break;
		}
		if (pkt.p[0] == MYPROTO_ERR) {
			rc = server_err(c, pkt.p, pkt.len, NULL, err);
			break;
		}
		sbuf_reset(&resp);
		if (pkt.p[0] == MYPROTO_EOF) {
			struct myproto_auth_switch as;

			rc =
			    myproto_parse_auth_switch(pkt.p, pkt.len, &as, err);
			if (rc)
				break;
			snprintf(plugin, sizeof(plugin), "%.*s",
			         (int)as.plugin.len, as.plugin.p);
			scramble_len = as.data_len < sizeof(scramble)
			                   ? as.data_len
			                   : sizeof(scramble);
			memcpy(scramble, as.data, scramble_len);
			rc = auth_first_response(plugin, scramble, scramble_len,
			                         ap, &resp, err);
			if (rc == 0)
				rc = send_packet(c, myproto_reader_seq(&c->rd),
				                 resp.p, resp.len, err);
		} else if (pkt.p[0] == MYPROTO_AUTH_MORE) {
			struct myproto_auth_more am;
			bool reply = false;

			rc = myproto_parse_auth_more(pkt.p, pkt.len, &am, err);
			if (rc == 0)
				rc = auth_more_data(
				    plugin, scramble, scramble_len, am.data,
				    am.len, ap, &resp, &reply, err);
			if (rc == 0 && reply)
				rc = send_packet(c, myproto_reader_seq(&c->rd),
				                 resp.p, resp.len, err);
		} else {
			rc = sl_err_set(err, SL_EPROTO,
			                "%s: unexpected packet 0x%02x during "
			                "login",
			                c->where, pkt.p[0]);
		}
		if (rc)
			break;
	}
	auth_wipe(&resp);
	sbuf_deinit(&resp);
	if (rc && err && !strstr(err->msg, c->where))
		sl_err_ctx(err, "%s: login", c->where);
	return rc;
}

int conn_open(const struct conn_opts *o, struct conn **out, struct sl_err *err)
{
	struct conn *c = sl_calloc(1, sizeof(*c));
	struct myproto_packet pkt;
	struct myproto_login login = {0};
	struct auth_params ap = {0};
	struct sbuf resp, payload;
	const char *plugin;
	unsigned want = 0;
	uint8_t seq;
	int rc;

	if (c == NULL)
		return sl_err_set(err, SL_ENOMEM, "out of memory");
	sbuf_init(&resp);
	sbuf_init(&payload);
	sbuf_init(&c->out);
	c->fd = -1;
	c->read_timeout_ms = o->read_timeout_ms ? o->read_timeout_ms : 30000;
	snprintf(c->where, sizeof(c->where), "%s:%u", o->host, o->port);
	myproto_reader_init(&c->rd, 0);
	c->rbuf = sl_malloc(RBUF_CAP);
	c->ring = ring_new(8, err);
	if (c->rbuf == NULL || c->ring == NULL) {
		rc = c->ring ? sl_err_set(err, SL_ENOMEM, "out of memory")
		             : (err ? err->code : SL_EIO);
		goto fail;
	}
	rc = ring_connect(c->ring, o->host, o->port,
	                  o->connect_timeout_ms ? o->connect_timeout_ms : 10000,
	                  err);
	if (rc < 0)
		goto fail;
	c->fd = rc;
	rc = conn_next_packet(c, c->read_timeout_ms, &pkt, err);
	if (rc < 0)
		goto fail;
	/* The greeting is sliced by hs: keep a copy past the next read. */
	c->hs_copy = sl_malloc(pkt.len ? pkt.len : 1);
	if (c->hs_copy == NULL) {
		rc = sl_err_set(err, SL_ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(c->hs_copy, pkt.p, pkt.len);
	rc = myproto_parse_handshake(c->hs_copy, pkt.len, &c->hs, err);
	if (rc) {
		sl_err_ctx(err, "%s", c->where);
		goto fail;
	}
	{
		/* MariaDB 10+ prefixes "5.5.5-" for old clients: drop it. */
		const char *v = c->hs.server_version.p;
		size_t vl = c->hs.server_version.len;

		if (c->hs.is_mariadb && vl > 6 && memcmp(v, "5.5.5-", 6) == 0) {
			v += 6;
			vl -= 6;
		}
		snprintf(c->version, sizeof(c->version), "%.*s", (int)vl, v);
	}

	if (o->tls.mode != TLS_DISABLED && (c->hs.caps & MYPROTO_CLIENT_SSL))
		want |= MYPROTO_WANT_SSL;
	else if (o->tls.mode >= TLS_REQUIRED) {
		rc = sl_err_set(err, SL_EUNSUPPORTED,
		                "%s: TLS is required (tls.mode %s) but the "
		                "server does not offer it",
		                c->where, tls_mode_name(o->tls.mode));
		goto fail;
	}
	rc = myproto_client_caps(&c->hs, want, &c->caps, err);
	if (rc)
		goto fail;
	login.caps = c->caps;
	login.user = o->user;
	seq = 1;
	if (want & MYPROTO_WANT_SSL) {
		rc = myproto_build_ssl_request(&payload, &login, err);
		if (rc == 0)
			rc = send_packet(c, seq, payload.p, payload.len, err);
		if (rc)
			goto fail;
		seq++;
		c->tls = tls_new(&o->tls, o->host, err);
		if (c->tls == NULL) {
			rc = err ? err->code : SL_EINVAL;
			goto fail;
		}
		rc = tls_handshake(c->tls, c->ring, c->fd, c->read_timeout_ms,
		                   err);
		if (rc)
			goto fail;
	}
	ap.password = o->password ? o->password : "";
	ap.password_len = o->password ? strlen(o->password) : 0;
	ap.tls = c->tls != NULL;
	ap.rsa_pem = o->rsa_pem;
	ap.rsa_pem_len = o->rsa_pem ? strlen(o->rsa_pem) : 0;
	ap.get_server_key = o->get_server_key;
	plugin = c->hs.auth_plugin.len ? NULL : "mysql_native_password";
	{
		char pl[64];

		if (plugin == NULL) {
			snprintf(pl, sizeof(pl), "%.*s",
			         (int)c->hs.auth_plugin.len,
			         c->hs.auth_plugin.p);
			plugin = pl;
		}
		rc = auth_first_response(plugin, c->hs.scramble,
		                         c->hs.scramble_len, &ap, &resp, err);
		if (rc == SL_EUNSUPPORTED || rc == SL_EPROTO) {
			/* Answer with native; the server switches us. */
			sbuf_reset(&resp);
			plugin = "mysql_native_password";
			rc = auth_first_response(plugin, c->hs.scramble,
			                         c->hs.scramble_len, &ap, &resp,
			                         err);
		}
		if (rc)
			goto fail;
		login.auth = (const uint8_t *)resp.p;
		login.auth_len = resp.len;
		login.plugin = plugin;
		sbuf_reset(&payload);
		rc = myproto_build_handshake_response(&payload, &login, err);
		auth_wipe(&resp);
		if (rc == 0)
			rc = send_packet(c, seq, payload.p, payload.len, err);
		auth_wipe(&payload);
		if (rc)
			goto fail;
		rc = auth_loop(c, plugin, &ap, err);
		if (rc == SL_EIO && c->tls == NULL &&
		    (c->hs.caps & MYPROTO_CLIENT_SSL) && err &&
		    strstr(err->msg, "error 1045")) {
			/* MariaDB answers 1045 to a plain login when it
			 * requires secure transport: say so. */
			size_t n = strlen(err->msg);

			snprintf(err->msg + n, sizeof(err->msg) - n,
			         "; the server offers TLS and tls.mode is %s: "
			         "if it requires secure transport, set "
			         "tls.mode to required or stricter",
			         tls_mode_name(o->tls.mode));
		}
		if (rc)
			goto fail;
	}
	sbuf_deinit(&resp);
	sbuf_deinit(&payload);
	*out = c;
	return 0;
fail:
	auth_wipe(&resp);
	auth_wipe(&payload);
	sbuf_deinit(&resp);
	sbuf_deinit(&payload);
	conn_close(c);
	return rc < 0 ? rc : SL_EIO;
}

void conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	tls_free(c->tls);
	ring_free(c->ring);
	myproto_reader_deinit(&c->rd);
	sbuf_deinit(&c->out);
	sl_free(c->rbuf);
	sl_free(c->hs_copy);
	sl_free(c);
}

void conn_shutdown(struct conn *c)
{
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

void conn_result_free(struct conn_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n_cols; i++)
		sl_free(res->names ? res->names[i] : NULL);
	for (size_t i = 0; res->cells && i < res->n_rows * res->n_cols; i++)
		sl_free(res->cells[i]);
	sl_free(res->names);
	sl_free(res->cells);
	memset(res, 0, sizeof(*res));
}

const char *conn_result_get(const struct conn_result *res, size_t row,
                            size_t col)
{
	if (row >= res->n_rows || col >= res->n_cols)
		return NULL;
	return res->cells[row * res->n_cols + col];
}

static char *dup_slice(const void *p, size_t n)
{
	return sl_strndup(p ? (const char *)p : "", n);
}

int conn_query(struct conn *c, const char *sql, struct conn_result *res,
               struct sl_err *err)
{
	struct sbuf q;
	struct myproto_rs rs;
	struct myproto_cell *cells = NULL;
	size_t cap_rows = 0;
	int rc;

	if (res)
		memset(res, 0, sizeof(*res));
	sbuf_init(&q);
	rc = myproto_build_query(&q, sql, strlen(sql), err);
	if (rc == 0)
		rc = conn_send_command(c, (const uint8_t *)q.p, q.len, err);
	sbuf_deinit(&q);
	if (rc)
		return rc;
	myproto_rs_init(&rs, c->caps);
	for (;;) {
		struct myproto_packet pkt = {0};
		struct myproto_rs_item item;

		memset(&item, 0, sizeof(item));
		rc = conn_next_packet(c, c->read_timeout_ms, &pkt, err);
		if (rc < 0)
			goto out;
		rc = myproto_rs_feed(&rs, pkt.p, pkt.len, &item, err);
		if (rc < 0) {
			if (res)
				res->server_errno = item.srv.code;
			sl_err_ctx(err, "%s: %s", c->where, sql);
			goto out;
		}
		if (rc == MYPROTO_RS_OK || rc == MYPROTO_RS_DONE) {
			if (res)
				res->ok = item.ok;
			if (item.ok.status & MYPROTO_STATUS_MORE_RESULTS)
				continue; /* drain further results */
			rc = 0;
			goto out;
		}
		if (res == NULL)
			continue;
		if (rc == MYPROTO_RS_COLUMN) {
			if (res->names == NULL) {
				res->n_cols = rs.n_cols;
				res->names = sl_calloc(
				    rs.n_cols ? rs.n_cols : 1, sizeof(char *));
				cells = sl_calloc(rs.n_cols ? rs.n_cols : 1,
				                  sizeof(*cells));
				if (res->names == NULL || cells == NULL) {
					rc = sl_err_set(err, SL_ENOMEM,
					                "out of memory");
					goto out;
				}
			}
			res->names[item.index] =
			    dup_slice(item.col.name.p, item.col.name.len);
		} else if (rc == MYPROTO_RS_ROW) {
			if (cells == NULL) {
				rc = sl_err_set(err, SL_EPROTO,
				                "%s: a row before its columns",
				                c->where);
				goto out;
			}
			rc = myproto_parse_row(item.row, item.row_len,
			                       res->n_cols, cells, err);
			if (rc)
				goto out;
			if (res->n_rows == cap_rows) {
				size_t nc = cap_rows ? cap_rows * 2 : 8;
				char **nb =
				    sl_realloc(res->cells, nc * res->n_cols *
				                               sizeof(char *));

				if (nb == NULL) {
					rc = sl_err_set(err, SL_ENOMEM,
					                "out of memory");
					goto out;
				}
				res->cells = nb;
				cap_rows = nc;
			}
			for (size_t i = 0; i < res->n_cols; i++)
				res->cells[res->n_rows * res->n_cols + i] =
				    cells[i].is_null
				        ? NULL
				        : dup_slice(cells[i].p, cells[i].len);
			res->n_rows++;
		}
	}
out:
	sl_free(cells);
	if (rc && res) {
		uint16_t e = res->server_errno;

		conn_result_free(res);
		res->server_errno = e;
	}
	return rc;
}

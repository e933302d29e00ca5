/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/myproto.c: MySQL/MariaDB client protocol framing, parsers and
 * builders over byte buffers (see myproto.h).  Every read of server bytes
 * goes through struct cur, which bounds-checks and names the field in the
 * error; nothing here allocates except the reader's reassembly buffer
 * (reused across packets) and the caller's output sbuf.
 */
#include "myproto.h"

#include "core/bytes.h"

#include <stdio.h>
#include <string.h>

/* Stands in for the payload of an empty packet, so that no caller ever
 * sees a NULL pointer (memcpy/memcmp on NULL is undefined even for 0). */
static const uint8_t empty_payload[1];

/* Packet framing: reading */

void myproto_reader_init(struct myproto_reader *r, size_t max_len)
{
	memset(r, 0, sizeof(*r));
	sbuf_init(&r->buf);
	r->max_len = max_len ? max_len : MYPROTO_DEFAULT_MAX_LEN;
	r->check_seq = true;
}

void myproto_reader_deinit(struct myproto_reader *r)
{
	sbuf_deinit(&r->buf);
}

void myproto_reader_reset(struct myproto_reader *r, uint8_t seq)
{
	sbuf_reset(&r->buf);
	r->frame_len = 0;
	r->frame_left = 0;
	r->hdr_len = 0;
	r->seq = seq;
	r->partial = false;
	r->in_payload = false;
	r->release = false;
}

/* Checks (or, unchecked, adopts) the sequence id of the next frame. */
static int take_seq(struct myproto_reader *r, uint8_t seq, struct sl_err *err)
{
	if (r->check_seq && seq != r->seq)
		return sl_err_set(err, SL_EPROTO,
		                  "packet sequence id %u, expected %u", seq,
		                  r->seq);
	r->seq = (uint8_t)(seq + 1);
	return 0;
}

static int too_long(const struct myproto_reader *r, uint64_t n,
                    struct sl_err *err)
{
	return sl_err_set(err, SL_EPROTO,
	                  "packet of at least %llu bytes exceeds the %zu-byte "
	                  "limit",
	                  (unsigned long long)n, r->max_len);
}

int myproto_reader_next(struct myproto_reader *r, const uint8_t *in, size_t len,
                        size_t *used, struct myproto_packet *pkt,
                        struct sl_err *err)
{
	size_t off = 0;
	int rc;

	*used = 0;
	if (r->release) {
		sbuf_reset(&r->buf);
		r->release = false;
	}
	if (len == 0)
		return 0; /* an empty slice must not end the zero-copy path */
	if (!r->partial) {
		/* The common case: a whole single-frame packet in the input
		 * is handed out in place. */
		if (len >= MYPROTO_HDR_LEN) {
			uint32_t flen = get_u24le(in);

			if (flen < MYPROTO_MAX_FRAME &&
			    len - MYPROTO_HDR_LEN >= flen) {
				if ((rc = take_seq(r, in[3], err)) != 0)
					return rc;
				if (flen > r->max_len)
					return too_long(r, flen, err);
				pkt->p = in + MYPROTO_HDR_LEN;
				pkt->len = flen;
				pkt->copied = false;
				*used = MYPROTO_HDR_LEN + (size_t)flen;
				return 1;
			}
		}
		r->partial = true;
		r->hdr_len = 0;
		r->in_payload = false;
	}
	while (off < len) {
		size_t n;

		if (!r->in_payload) {
			n = MYPROTO_HDR_LEN - r->hdr_len;
			if (n > len - off)
				n = len - off;
			memcpy(r->hdr + r->hdr_len, in + off, n);
			r->hdr_len = (uint8_t)(r->hdr_len + n);
			off += n;
			if (r->hdr_len < MYPROTO_HDR_LEN)
				break;
			if ((rc = take_seq(r, r->hdr[3], err)) != 0)
				return rc;
			r->frame_len = get_u24le(r->hdr);
			if ((uint64_t)r->buf.len + r->frame_len > r->max_len)
				return too_long(
				    r, (uint64_t)r->buf.len + r->frame_len,
				    err);
			r->frame_left = r->frame_len;
			r->in_payload = true;
			/* A zero-length frame completes right here. */
		}
		n = r->frame_left;
		if (n > len - off)
			n = len - off;
		if (n > 0) {
			sbuf_put(&r->buf, in + off, n);
			if (!sbuf_ok(&r->buf))
				return sl_err_set(
				    err, SL_ENOMEM,
				    "out of memory reassembling a "
				    "%zu-byte packet",
				    r->buf.len + n);
			off += n;
			r->frame_left -= (uint32_t)n;
		}
		if (r->frame_left > 0)
			break;
		r->in_payload = false;
		r->hdr_len = 0;
		if (r->frame_len == MYPROTO_MAX_FRAME)
			continue; /* the payload goes on in the next frame */
		pkt->p = r->buf.len ? (const uint8_t *)r->buf.p : empty_payload;
		pkt->len = r->buf.len;
		pkt->copied = true;
		r->partial = false;
		r->release = true;
		*used = off;
		return 1;
	}
	*used = len;
	return 0;
}

/* Packet framing: writing */

static void put_hdr(uint8_t *h, uint32_t len, uint8_t seq)
{
	h[0] = (uint8_t)len;
	h[1] = (uint8_t)(len >> 8);
	h[2] = (uint8_t)(len >> 16);
	h[3] = seq;
}

size_t myproto_frame_begin(struct sbuf *out)
{
	size_t start = out->len;

	if (sbuf_reserve(out, MYPROTO_HDR_LEN))
		out->len += MYPROTO_HDR_LEN;
	return start;
}

int myproto_frame_end(struct sbuf *out, size_t start, uint8_t *seq,
                      struct sl_err *err)
{
	size_t plen, n_frames, extra;
	uint8_t *base;

	if (!sbuf_ok(out))
		return sl_err_set(err, SL_ENOMEM,
		                  "out of memory framing a "
		                  "packet");
	if (start > out->len || out->len - start < MYPROTO_HDR_LEN)
		return sl_err_set(err, SL_EINVAL,
		                  "frame_end without frame_begin");
	plen = out->len - start - MYPROTO_HDR_LEN;
	/* A payload of exactly k * 0xffffff bytes ends with an empty frame,
	 * hence the + 1. */
	n_frames = plen / MYPROTO_MAX_FRAME + 1;
	extra = (n_frames - 1) * MYPROTO_HDR_LEN;
	if (extra > 0) {
		if (!sbuf_reserve(out, extra))
			return sl_err_set(err, SL_ENOMEM,
			                  "out of memory framing a %zu-byte "
			                  "packet",
			                  plen);
		out->len += extra;
	}
	base = (uint8_t *)out->p + start;
	/* Move the chunks into place last to first: each destination is at
	 * or after its source, so nothing is overwritten before it moved. */
	for (size_t i = n_frames; i-- > 0;) {
		size_t src = MYPROTO_HDR_LEN + i * MYPROTO_MAX_FRAME;
		size_t dst = i * (MYPROTO_MAX_FRAME + MYPROTO_HDR_LEN);
		size_t chunk = i + 1 < n_frames ? MYPROTO_MAX_FRAME
		                                : plen - i * MYPROTO_MAX_FRAME;

		if (dst + MYPROTO_HDR_LEN != src && chunk > 0)
			memmove(base + dst + MYPROTO_HDR_LEN, base + src,
			        chunk);
		put_hdr(base + dst, (uint32_t)chunk, (uint8_t)(*seq + i));
	}
	*seq = (uint8_t)(*seq + n_frames);
	return 0;
}

int myproto_write_packet(struct sbuf *out, uint8_t *seq, const void *payload,
                         size_t len, struct sl_err *err)
{
	size_t start = myproto_frame_begin(out);

	if (len > 0)
		sbuf_put(out, payload, len);
	return myproto_frame_end(out, start, seq, err);
}

/* Bounds-checked reading of server bytes */

struct cur {
	const uint8_t *p;
	size_t len;
	size_t off;
	const char *what; /* packet name for messages */
	struct sl_err *err;
};

static void cur_init(struct cur *c, const uint8_t *p, size_t len,
                     const char *what, struct sl_err *err)
{
	c->p = len ? p : empty_payload;
	c->len = len;
	c->off = 0;
	c->what = what;
	c->err = err;
}

static size_t left(const struct cur *c)
{
	return c->len - c->off;
}

static int need(struct cur *c, size_t n, const char *field)
{
	if (left(c) >= n)
		return 0;
	return sl_err_at(c->err, SL_EPROTO, c->off,
	                 "%s: %s needs %zu bytes, %zu left", c->what, field, n,
	                 left(c));
}

static int bad(struct cur *c, const char *field, const char *why)
{
	return sl_err_at(c->err, SL_EPROTO, c->off, "%s: %s: %s", c->what,
	                 field, why);
}

static int rd_u8(struct cur *c, uint8_t *v, const char *field)
{
	int rc = need(c, 1, field);

	if (rc == 0)
		*v = c->p[c->off++];
	return rc;
}

static int rd_u16(struct cur *c, uint16_t *v, const char *field)
{
	int rc = need(c, 2, field);

	if (rc == 0) {
		*v = get_u16le(c->p + c->off);
		c->off += 2;
	}
	return rc;
}

static int rd_u32(struct cur *c, uint32_t *v, const char *field)
{
	int rc = need(c, 4, field);

	if (rc == 0) {
		*v = get_u32le(c->p + c->off);
		c->off += 4;
	}
	return rc;
}

static int rd_skip(struct cur *c, size_t n, const char *field)
{
	int rc = need(c, n, field);

	if (rc == 0)
		c->off += n;
	return rc;
}

/* Length-encoded integer; 0xfb (NULL) and 0xff are errors here. */
static int rd_lenenc(struct cur *c, uint64_t *v, const char *field)
{
	uint8_t b;
	unsigned n;
	int rc;

	if ((rc = need(c, 1, field)) != 0)
		return rc;
	b = c->p[c->off];
	if (b < 0xfb) {
		*v = b;
		c->off++;
		return 0;
	}
	switch (b) {
	case 0xfc: n = 2; break;
	case 0xfd: n = 3; break;
	case 0xfe: n = 8; break;
	case 0xfb: return bad(c, field, "unexpected NULL marker 0xfb");
	default: return bad(c, field, "invalid length prefix 0xff");
	}
	if ((rc = need(c, 1 + (size_t)n, field)) != 0)
		return rc;
	*v = get_uintle(c->p + c->off + 1, n);
	c->off += 1 + (size_t)n;
	return 0;
}

static int rd_lenenc_str(struct cur *c, struct myproto_str *s,
                         const char *field)
{
	size_t at = c->off;
	uint64_t n = 0;
	int rc;

	if ((rc = rd_lenenc(c, &n, field)) != 0)
		return rc;
	if (n > left(c)) {
		size_t rem = left(c);

		c->off = at;
		return sl_err_at(c->err, SL_EPROTO, at,
		                 "%s: %s of %llu bytes runs past the end (%zu "
		                 "left)",
		                 c->what, field, (unsigned long long)n, rem);
	}
	s->p = (const char *)c->p + c->off;
	s->len = (size_t)n;
	c->off += (size_t)n;
	return 0;
}

/* NUL-terminated string; the slice excludes the NUL. */
static int rd_nulstr(struct cur *c, struct myproto_str *s, const char *field)
{
	const uint8_t *nul = memchr(c->p + c->off, 0, left(c));

	if (nul == NULL)
		return bad(c, field, "no terminating NUL");
	s->p = (const char *)c->p + c->off;
	s->len = (size_t)(nul - (c->p + c->off));
	c->off += s->len + 1;
	return 0;
}

static void rd_rest(struct cur *c, struct myproto_str *s)
{
	s->p = (const char *)c->p + c->off;
	s->len = left(c);
	c->off = c->len;
}

static int expect_end(struct cur *c)
{
	if (left(c) == 0)
		return 0;
	return sl_err_at(c->err, SL_EPROTO, c->off,
	                 "%s: %zu unexpected bytes at the end", c->what,
	                 left(c));
}

static int expect_header(struct cur *c, uint8_t want)
{
	if (c->len == 0)
		return sl_err_at(c->err, SL_EPROTO, 0, "%s: empty packet",
		                 c->what);
	if (c->p[0] != want)
		return sl_err_at(c->err, SL_EPROTO, 0,
		                 "%s: header byte 0x%02x, expected 0x%02x",
		                 c->what, c->p[0], want);
	c->off = 1;
	return 0;
}

static bool contains(const struct myproto_str *s, const char *needle)
{
	size_t n = strlen(needle);

	if (s->len < n)
		return false;
	for (size_t i = 0; i + n <= s->len; i++)
		if (memcmp(s->p + i, needle, n) == 0)
			return true;
	return false;
}

/* Parsers */

int myproto_parse_handshake(const uint8_t *p, size_t len,
                            struct myproto_handshake *hs, struct sl_err *err)
{
	struct cur c;
	uint16_t caps_lo, caps_hi;
	uint8_t data_len = 0;
	uint32_t ext;
	int rc;

	memset(hs, 0, sizeof(*hs));
	hs->auth_plugin.p = ""; /* stays empty without PLUGIN_AUTH */
	if (len > 0 && p[0] == MYPROTO_ERR) {
		struct myproto_errpkt e;

		if ((rc = myproto_parse_err(p, len, &e, err)) != 0)
			return rc;
		return myproto_server_error(&e, err);
	}
	cur_init(&c, p, len, "handshake", err);
	if ((rc = rd_u8(&c, &hs->protocol_version, "protocol version")) != 0)
		return rc;
	if (hs->protocol_version != 10)
		return sl_err_at(err, SL_EUNSUPPORTED, 0,
		                 "handshake: protocol version %u, only 10 is "
		                 "supported",
		                 hs->protocol_version);
	if ((rc = rd_nulstr(&c, &hs->server_version, "server version")) ||
	    (rc = rd_u32(&c, &hs->conn_id, "connection id")) ||
	    (rc = need(&c, 8, "auth-plugin-data part 1")))
		return rc;
	memcpy(hs->scramble, c.p + c.off, 8);
	hs->scramble_len = 8;
	c.off += 8;
	if ((rc = rd_skip(&c, 1, "filler")) ||
	    (rc = rd_u16(&c, &caps_lo, "capability flags")))
		return rc;
	hs->caps = caps_lo;
	hs->is_mariadb = contains(&hs->server_version, "MariaDB");
	if (left(&c) == 0)
		return 0; /* a pre-4.1 greeting ends here */
	if ((rc = rd_u8(&c, &hs->charset, "character set")) ||
	    (rc = rd_u16(&c, &hs->status, "status flags")) ||
	    (rc = rd_u16(&c, &caps_hi, "upper capability flags")) ||
	    (rc = rd_u8(&c, &data_len, "auth-plugin-data length")) ||
	    (rc = need(&c, 10, "reserved bytes")))
		return rc;
	hs->caps |= (uint32_t)caps_hi << 16;
	/* MariaDB (10.2+) puts its extended capabilities in the last four
	 * reserved bytes and says so by clearing CLIENT_MYSQL. */
	ext = get_u32le(c.p + c.off + 6);
	if (!(hs->caps & MYPROTO_CLIENT_MYSQL))
		hs->mariadb_caps = ext;
	c.off += 10;
	if (hs->caps & MYPROTO_CLIENT_SECURE_CONNECTION) {
		/* Part 2 is MAX(13, data_len - 8) bytes, the last one a NUL
		 * that is no part of the scramble. */
		size_t n2 = data_len > 8 + 13 ? (size_t)data_len - 8 : 13;
		size_t keep = n2;

		if ((rc = need(&c, n2, "auth-plugin-data part 2")) != 0)
			return rc;
		if (c.p[c.off + n2 - 1] == 0)
			keep--;
		if (8 + keep > MYPROTO_SCRAMBLE_MAX)
			return bad(&c, "auth-plugin-data part 2",
			           "longer than 64 bytes");
		memcpy(hs->scramble + 8, c.p + c.off, keep);
		hs->scramble_len = 8 + keep;
		c.off += n2;
	}
	if (hs->caps & MYPROTO_CLIENT_PLUGIN_AUTH) {
		/* MySQL 5.5.7-5.5.9 forgot the NUL: take the rest then. */
		if (memchr(c.p + c.off, 0, left(&c)) != NULL)
			return rd_nulstr(&c, &hs->auth_plugin,
			                 "auth plugin name");
		rd_rest(&c, &hs->auth_plugin);
	}
	return 0; /* later servers may append fields: ignore them */
}

int myproto_parse_ok(const uint8_t *p, size_t len, uint32_t caps,
                     struct myproto_ok *ok, struct sl_err *err)
{
	struct cur c;
	int rc;

	memset(ok, 0, sizeof(*ok));
	cur_init(&c, p, len, "OK packet", err);
	if (len > 0 && p[0] == MYPROTO_EOF)
		c.what = "OK packet (0xfe)";
	else if ((rc = expect_header(&c, MYPROTO_OK)) != 0)
		return rc;
	c.off = 1;
	if ((rc = rd_lenenc(&c, &ok->affected_rows, "affected rows")) ||
	    (rc = rd_lenenc(&c, &ok->last_insert_id, "last insert id")))
		return rc;
	if (caps & MYPROTO_CLIENT_PROTOCOL_41) {
		if ((rc = rd_u16(&c, &ok->status, "status flags")) ||
		    (rc = rd_u16(&c, &ok->warnings, "warnings")))
			return rc;
	} else if (caps & MYPROTO_CLIENT_TRANSACTIONS) {
		if ((rc = rd_u16(&c, &ok->status, "status flags")) != 0)
			return rc;
	}
	ok->info.p = (const char *)c.p + c.off;
	ok->session_state.p = ok->info.p;
	if (!(caps & MYPROTO_CLIENT_SESSION_TRACK)) {
		rd_rest(&c, &ok->info);
		return 0;
	}
	/* Servers omit an empty info string at the very end. */
	if (left(&c) == 0)
		return 0;
	if ((rc = rd_lenenc_str(&c, &ok->info, "info")) != 0)
		return rc;
	if ((ok->status & MYPROTO_STATUS_SESSION_STATE_CHANGED) &&
	    left(&c) > 0 &&
	    (rc = rd_lenenc_str(&c, &ok->session_state, "session state")) != 0)
		return rc;
	return expect_end(&c);
}

int myproto_parse_err(const uint8_t *p, size_t len, struct myproto_errpkt *e,
                      struct sl_err *err)
{
	struct cur c;
	int rc;

	memset(e, 0, sizeof(*e));
	cur_init(&c, p, len, "ERR packet", err);
	if ((rc = expect_header(&c, MYPROTO_ERR)) ||
	    (rc = rd_u16(&c, &e->code, "error code")))
		return rc;
	if (left(&c) > 0 && c.p[c.off] == '#') {
		if ((rc = need(&c, 6, "SQL state")) != 0)
			return rc;
		memcpy(e->sql_state, c.p + c.off + 1, 5);
		e->sql_state[5] = '\0';
		c.off += 6;
	}
	rd_rest(&c, &e->msg);
	return 0;
}

int myproto_parse_eof(const uint8_t *p, size_t len, struct myproto_eof *eof,
                      struct sl_err *err)
{
	struct cur c;
	int rc;

	memset(eof, 0, sizeof(*eof));
	cur_init(&c, p, len, "EOF packet", err);
	if ((rc = expect_header(&c, MYPROTO_EOF)) != 0)
		return rc;
	if (len >= 9)
		return sl_err_at(
		    err, SL_EPROTO, 0,
		    "EOF packet: %zu bytes, an EOF has fewer than 9", len);
	if (len == 1)
		return 0; /* pre-4.1 */
	if ((rc = rd_u16(&c, &eof->warnings, "warnings")) ||
	    (rc = rd_u16(&c, &eof->status, "status flags")))
		return rc;
	return expect_end(&c);
}

int myproto_parse_auth_switch(const uint8_t *p, size_t len,
                              struct myproto_auth_switch *as,
                              struct sl_err *err)
{
	struct cur c;
	struct myproto_str data;
	int rc;

	memset(as, 0, sizeof(*as));
	cur_init(&c, p, len, "AuthSwitchRequest", err);
	if ((rc = expect_header(&c, MYPROTO_EOF)) != 0)
		return rc;
	if (len == 1) {
		as->plugin.p = "mysql_old_password";
		as->plugin.len = strlen(as->plugin.p);
		as->data = empty_payload;
		return 0;
	}
	if ((rc = rd_nulstr(&c, &as->plugin, "plugin name")) != 0)
		return rc;
	if (as->plugin.len == 0)
		return sl_err_at(err, SL_EPROTO, 1,
		                 "AuthSwitchRequest: empty plugin name");
	rd_rest(&c, &data);
	as->data = (const uint8_t *)data.p;
	as->data_len = data.len;
	return 0;
}

int myproto_parse_auth_more(const uint8_t *p, size_t len,
                            struct myproto_auth_more *am, struct sl_err *err)
{
	struct cur c;
	int rc;

	memset(am, 0, sizeof(*am));
	cur_init(&c, p, len, "AuthMoreData", err);
	if ((rc = expect_header(&c, MYPROTO_AUTH_MORE)) != 0)
		return rc;
	am->data = c.p + 1;
	am->len = len - 1;
	return 0;
}

int myproto_parse_column_count(const uint8_t *p, size_t len, uint64_t *n,
                               struct sl_err *err)
{
	struct cur c;
	int rc;

	cur_init(&c, p, len, "column count", err);
	*n = 0;
	if ((rc = rd_lenenc(&c, n, "count")) != 0)
		return rc;
	if (*n == 0)
		return sl_err_at(err, SL_EPROTO, 0,
		                 "column count: zero columns");
	return expect_end(&c);
}

int myproto_parse_column(const uint8_t *p, size_t len,
                         struct myproto_column *col, struct sl_err *err)
{
	struct myproto_str catalog;
	struct cur c;
	uint64_t fixed = 0;
	size_t at;
	int rc;

	memset(col, 0, sizeof(*col));
	cur_init(&c, p, len, "column definition", err);
	if ((rc = rd_lenenc_str(&c, &catalog, "catalog")) ||
	    (rc = rd_lenenc_str(&c, &col->schema, "schema")) ||
	    (rc = rd_lenenc_str(&c, &col->table, "table")) ||
	    (rc = rd_lenenc_str(&c, &col->org_table, "org_table")) ||
	    (rc = rd_lenenc_str(&c, &col->name, "name")) ||
	    (rc = rd_lenenc_str(&c, &col->org_name, "org_name")))
		return rc;
	at = c.off;
	if ((rc = rd_lenenc(&c, &fixed, "fixed-fields length")) != 0)
		return rc;
	if (fixed < 12)
		return sl_err_at(err, SL_EPROTO, at,
		                 "column definition: fixed-fields length %llu, "
		                 "expected 12",
		                 (unsigned long long)fixed);
	if ((rc = need(&c, (size_t)fixed, "fixed fields")) != 0)
		return rc;
	at = c.off;
	if ((rc = rd_u16(&c, &col->charset, "character set")) ||
	    (rc = rd_u32(&c, &col->length, "column length")) ||
	    (rc = rd_u8(&c, &col->type, "type")) ||
	    (rc = rd_u16(&c, &col->flags, "flags")) ||
	    (rc = rd_u8(&c, &col->decimals, "decimals")))
		return rc;
	/* Skip the filler and anything a newer server added inside the
	 * fixed block; COM_FIELD_LIST defaults (never asked for) follow. */
	c.off = at + (size_t)fixed;
	return 0;
}

int myproto_parse_row(const uint8_t *p, size_t len, size_t n_cols,
                      struct myproto_cell *cells, struct sl_err *err)
{
	struct cur c;
	int rc;

	cur_init(&c, p, len, "row", err);
	for (size_t i = 0; i < n_cols; i++) {
		struct myproto_str s = {0};

		if (left(&c) > 0 && c.p[c.off] == 0xfb) {
			cells[i].p = c.p + c.off;
			cells[i].len = 0;
			cells[i].is_null = true;
			c.off++;
			continue;
		}
		if (left(&c) == 0)
			return sl_err_at(err, SL_EPROTO, c.off,
			                 "row: ends after %zu of %zu cells", i,
			                 n_cols);
		if ((rc = rd_lenenc_str(&c, &s, "cell")) != 0)
			return rc;
		cells[i].p = (const uint8_t *)s.p;
		cells[i].len = s.len;
		cells[i].is_null = false;
	}
	return expect_end(&c);
}

bool myproto_is_eof(const uint8_t *p, size_t len, uint32_t caps)
{
	if (len == 0 || p[0] != MYPROTO_EOF)
		return false;
	/* A row starting with an 8-byte length prefix is at least 9 bytes,
	 * and with DEPRECATE_EOF at least 2^24 + 9 (its string is that
	 * long), so the length tells them apart. */
	if (caps & MYPROTO_CLIENT_DEPRECATE_EOF)
		return len < MYPROTO_MAX_FRAME;
	return len < 9;
}

int myproto_server_error(const struct myproto_errpkt *e, struct sl_err *err)
{
	/* ER_MASTER_FATAL_ERROR_READING_BINLOG: unknown or purged binlog
	 * file, GTID not in the source's binlogs. */
	int code = e->code == 1236 ? SL_ENOTFOUND : SL_EIO;
	char msg[SL_ERR_MSG_CAP];
	size_t n = e->msg.len < sizeof(msg) - 1 ? e->msg.len : sizeof(msg) - 1;

	/* The server's text is untrusted: keep the message on one line. */
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)e->msg.p[i];

		msg[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	msg[n] = '\0';
	if (e->sql_state[0] != '\0')
		return sl_err_set(err, code, "server error %u (%s): %s",
		                  e->code, e->sql_state, msg);
	return sl_err_set(err, code, "server error %u: %s", e->code, msg);
}

/* Text resultsets */

enum {
	RS_START = 0,
	RS_COLUMNS,
	RS_COLUMNS_EOF,
	RS_ROWS,
	RS_DONE,
};

void myproto_rs_init(struct myproto_rs *rs, uint32_t caps)
{
	memset(rs, 0, sizeof(*rs));
	rs->caps = caps;
	rs->state = RS_START;
}

static int rs_server_error(struct myproto_rs *rs, const uint8_t *p, size_t len,
                           struct myproto_rs_item *item, struct sl_err *err)
{
	int rc;

	rs->state = RS_DONE;
	if ((rc = myproto_parse_err(p, len, &item->srv, err)) != 0)
		return rc;
	return myproto_server_error(&item->srv, err);
}

/* End of rows: an OK (0xfe) under DEPRECATE_EOF, else a classic EOF. */
static int rs_end(struct myproto_rs *rs, const uint8_t *p, size_t len,
                  struct myproto_rs_item *item, struct sl_err *err)
{
	struct myproto_eof eof;
	int rc;

	rs->state = RS_DONE;
	if (rs->caps & MYPROTO_CLIENT_DEPRECATE_EOF) {
		rc = myproto_parse_ok(p, len, rs->caps, &item->ok, err);
		return rc != 0 ? rc : MYPROTO_RS_DONE;
	}
	if ((rc = myproto_parse_eof(p, len, &eof, err)) != 0)
		return rc;
	item->ok.status = eof.status;
	item->ok.warnings = eof.warnings;
	return MYPROTO_RS_DONE;
}

int myproto_rs_feed(struct myproto_rs *rs, const uint8_t *p, size_t len,
                    struct myproto_rs_item *item, struct sl_err *err)
{
	int rc;

	memset(item, 0, sizeof(*item));
	if (len == 0)
		return sl_err_set(err, SL_EPROTO,
		                  "resultset: empty packet after %llu columns, "
		                  "%llu rows",
		                  (unsigned long long)rs->col,
		                  (unsigned long long)rs->n_rows);
	if (p[0] == MYPROTO_ERR && rs->state != RS_DONE)
		return rs_server_error(rs, p, len, item, err);
	switch (rs->state) {
	case RS_START:
		if (p[0] == MYPROTO_OK) {
			rs->state = RS_DONE;
			rc = myproto_parse_ok(p, len, rs->caps, &item->ok, err);
			return rc != 0 ? rc : MYPROTO_RS_OK;
		}
		if (p[0] == MYPROTO_LOCAL_INFILE)
			return sl_err_set(err, SL_EUNSUPPORTED,
			                  "server asked for LOCAL INFILE data");
		if ((rc = myproto_parse_column_count(p, len, &rs->n_cols,
		                                     err)) != 0)
			return rc;
		rs->state = RS_COLUMNS;
		return MYPROTO_RS_MORE;
	case RS_COLUMNS:
		if ((rc = myproto_parse_column(p, len, &item->col, err)) != 0) {
			sl_err_ctx(err, "column %llu",
			           (unsigned long long)rs->col);
			return rc;
		}
		item->index = rs->col++;
		if (rs->col == rs->n_cols)
			rs->state = rs->caps & MYPROTO_CLIENT_DEPRECATE_EOF
			                ? RS_ROWS
			                : RS_COLUMNS_EOF;
		return MYPROTO_RS_COLUMN;
	case RS_COLUMNS_EOF: {
		struct myproto_eof eof;

		if ((rc = myproto_parse_eof(p, len, &eof, err)) != 0)
			return rc;
		rs->state = RS_ROWS;
		return MYPROTO_RS_MORE;
	}
	case RS_ROWS:
		if (myproto_is_eof(p, len, rs->caps))
			return rs_end(rs, p, len, item, err);
		item->index = rs->n_rows++;
		item->row = p;
		item->row_len = len;
		return MYPROTO_RS_ROW;
	default:
		return sl_err_set(err, SL_EPROTO,
		                  "resultset: packet 0x%02x after its end",
		                  p[0]);
	}
}

/* Binlog dump stream */

int myproto_parse_binlog_packet(const uint8_t *p, size_t len, bool semi_sync,
                                struct myproto_binlog_packet *bp,
                                struct sl_err *err)
{
	size_t off = 1;
	int rc;

	memset(bp, 0, sizeof(*bp));
	if (len == 0)
		return sl_err_set(err, SL_EPROTO,
		                  "binlog stream: empty packet");
	switch (p[0]) {
	case MYPROTO_OK: break;
	case MYPROTO_EOF: return MYPROTO_BINLOG_EOF;
	case MYPROTO_ERR:
		if ((rc = myproto_parse_err(p, len, &bp->srv, err)) != 0)
			return rc;
		return myproto_server_error(&bp->srv, err);
	default:
		return sl_err_at(
		    err, SL_EPROTO, 0,
		    "binlog stream: packet header 0x%02x, expected "
		    "0x00, 0xfe or 0xff",
		    p[0]);
	}
	if (semi_sync) {
		if (len < 3)
			return sl_err_at(
			    err, SL_EPROTO, 1,
			    "binlog stream: semi-sync header needs 2 "
			    "bytes, %zu left",
			    len - 1);
		if (p[1] != MYPROTO_SEMISYNC_MAGIC)
			return sl_err_at(
			    err, SL_EPROTO, 1,
			    "binlog stream: semi-sync magic 0x%02x, "
			    "expected 0xef",
			    p[1]);
		bp->semi_sync = true;
		bp->need_ack = (p[2] & MYPROTO_SEMISYNC_NEED_ACK) != 0;
		off = 3;
	}
	if (len - off < MYPROTO_EVENT_HEADER_LEN)
		return sl_err_at(err, SL_EPROTO, off,
		                 "binlog stream: event of %zu bytes is shorter "
		                 "than its 19-byte header",
		                 len - off);
	bp->ev = p + off;
	bp->len = len - off;
	return MYPROTO_BINLOG_EVENT;
}

/* Builders */

static void put_u16(struct sbuf *b, uint16_t v)
{
	uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	sbuf_put(b, t, 2);
}

static void put_u32(struct sbuf *b, uint32_t v)
{
	uint8_t t[4];

	for (int i = 0; i < 4; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	sbuf_put(b, t, 4);
}

static void put_u64(struct sbuf *b, uint64_t v)
{
	uint8_t t[8];

	for (int i = 0; i < 8; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	sbuf_put(b, t, 8);
}

static void put_lenenc(struct sbuf *b, uint64_t v)
{
	uint8_t t[9];
	unsigned n;

	if (v < 0xfb) {
		sbuf_putc(b, (char)v);
		return;
	}
	if (v <= 0xffff) {
		t[0] = 0xfc;
		n = 2;
	} else if (v <= 0xffffff) {
		t[0] = 0xfd;
		n = 3;
	} else {
		t[0] = 0xfe;
		n = 8;
	}
	for (unsigned i = 0; i < n; i++)
		t[1 + i] = (uint8_t)(v >> (8 * i));
	sbuf_put(b, t, 1 + n);
}

static size_t lenenc_size(uint64_t v)
{
	return v < 0xfb ? 1 : v <= 0xffff ? 3 : v <= 0xffffff ? 4 : 9;
}

static void put_nulstr(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s) + 1);
}

/* A string with a one-byte length prefix (COM_REGISTER_SLAVE). */
static int put_str8(struct sbuf *b, const char *s, const char *what,
                    struct sl_err *err)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 255)
		return sl_err_set(
		    err, SL_EINVAL,
		    "COM_REGISTER_SLAVE: %s of %zu bytes, at most "
		    "255",
		    what, n);
	sbuf_putc(b, (char)n);
	if (n > 0)
		sbuf_put(b, s, n);
	return 0;
}

static int done(struct sbuf *out, const char *what, struct sl_err *err)
{
	if (sbuf_ok(out))
		return 0;
	return sl_err_set(err, SL_ENOMEM, "out of memory building %s", what);
}

int myproto_client_caps(const struct myproto_handshake *hs, unsigned want,
                        uint32_t *caps, struct sl_err *err)
{
	const uint32_t need41 =
	    MYPROTO_CLIENT_PROTOCOL_41 | MYPROTO_CLIENT_SECURE_CONNECTION;
	const uint32_t base =
	    MYPROTO_CLIENT_LONG_PASSWORD | MYPROTO_CLIENT_LONG_FLAG |
	    MYPROTO_CLIENT_PROTOCOL_41 | MYPROTO_CLIENT_TRANSACTIONS |
	    MYPROTO_CLIENT_SECURE_CONNECTION | MYPROTO_CLIENT_MULTI_RESULTS |
	    MYPROTO_CLIENT_PLUGIN_AUTH | MYPROTO_CLIENT_PLUGIN_AUTH_LENENC |
	    MYPROTO_CLIENT_DEPRECATE_EOF;
	uint32_t c;

	*caps = 0;
	if ((hs->caps & need41) != need41)
		return sl_err_set(
		    err, SL_EUNSUPPORTED,
		    "server %.*s lacks the 4.1 protocol "
		    "(capabilities 0x%08x)",
		    (int)(hs->server_version.len > 64 ? 64
		                                      : hs->server_version.len),
		    hs->server_version.p ? hs->server_version.p : "", hs->caps);
	c = base & hs->caps;
	if (want & MYPROTO_WANT_SSL) {
		if (!(hs->caps & MYPROTO_CLIENT_SSL))
			return sl_err_set(err, SL_EUNSUPPORTED,
			                  "server does not offer TLS "
			                  "(no CLIENT_SSL)");
		c |= MYPROTO_CLIENT_SSL;
	}
	if (want & MYPROTO_WANT_DB) {
		if (!(hs->caps & MYPROTO_CLIENT_CONNECT_WITH_DB))
			return sl_err_set(
			    err, SL_EUNSUPPORTED,
			    "server does not take a database at "
			    "connect (no CLIENT_CONNECT_WITH_DB)");
		c |= MYPROTO_CLIENT_CONNECT_WITH_DB;
	}
	if (want & MYPROTO_WANT_ATTRS)
		c |= hs->caps & MYPROTO_CLIENT_CONNECT_ATTRS;
	*caps = c;
	return 0;
}

/* The 32 bytes SSLRequest and HandshakeResponse41 share. */
static int put_login_prefix(struct sbuf *out, const struct myproto_login *l,
                            const char *what, struct sl_err *err)
{
	static const uint8_t zeros[19];

	if (!(l->caps & MYPROTO_CLIENT_PROTOCOL_41))
		return sl_err_set(err, SL_EINVAL,
		                  "%s: capabilities lack CLIENT_PROTOCOL_41",
		                  what);
	put_u32(out, l->caps);
	put_u32(out, l->max_packet ? l->max_packet : 1u << 30);
	sbuf_putc(out, (char)(l->charset ? l->charset : 45));
	sbuf_put(out, zeros, sizeof(zeros));
	put_u32(out, l->caps & MYPROTO_CLIENT_MYSQL ? 0 : l->mariadb_caps);
	return 0;
}

int myproto_build_ssl_request(struct sbuf *out, const struct myproto_login *l,
                              struct sl_err *err)
{
	int rc;

	if (!(l->caps & MYPROTO_CLIENT_SSL))
		return sl_err_set(err, SL_EINVAL,
		                  "SSLRequest: capabilities lack CLIENT_SSL");
	if ((rc = put_login_prefix(out, l, "SSLRequest", err)) != 0)
		return rc;
	return done(out, "SSLRequest", err);
}

int myproto_build_handshake_response(struct sbuf *out,
                                     const struct myproto_login *l,
                                     struct sl_err *err)
{
	static const char what[] = "HandshakeResponse41";
	int rc;

	if (l->user == NULL)
		return sl_err_set(err, SL_EINVAL, "%s: no user name", what);
	if (l->auth_len > 0 && l->auth == NULL)
		return sl_err_set(err, SL_EINVAL, "%s: no auth data", what);
	if (!(l->caps & MYPROTO_CLIENT_PLUGIN_AUTH_LENENC)) {
		if (!(l->caps & MYPROTO_CLIENT_SECURE_CONNECTION))
			return sl_err_set(err, SL_EINVAL,
			                  "%s: capabilities lack "
			                  "CLIENT_SECURE_CONNECTION",
			                  what);
		if (l->auth_len > 255)
			return sl_err_set(
			    err, SL_EINVAL,
			    "%s: auth response of %zu bytes needs "
			    "CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA",
			    what, l->auth_len);
	}
	if ((l->caps & MYPROTO_CLIENT_PLUGIN_AUTH) && l->plugin == NULL)
		return sl_err_set(err, SL_EINVAL, "%s: no auth plugin name",
		                  what);
	if ((rc = put_login_prefix(out, l, what, err)) != 0)
		return rc;
	put_nulstr(out, l->user);
	if (l->caps & MYPROTO_CLIENT_PLUGIN_AUTH_LENENC)
		put_lenenc(out, l->auth_len);
	else
		sbuf_putc(out, (char)l->auth_len);
	if (l->auth_len > 0)
		sbuf_put(out, l->auth, l->auth_len);
	if (l->caps & MYPROTO_CLIENT_CONNECT_WITH_DB)
		put_nulstr(out, l->db ? l->db : "");
	if (l->caps & MYPROTO_CLIENT_PLUGIN_AUTH)
		put_nulstr(out, l->plugin);
	if (l->caps & MYPROTO_CLIENT_CONNECT_ATTRS) {
		uint64_t total = 0;

		for (size_t i = 0; i < l->n_attrs; i++) {
			size_t k = strlen(l->attrs[i].key);
			size_t v = strlen(l->attrs[i].value);

			total += lenenc_size(k) + k + lenenc_size(v) + v;
		}
		put_lenenc(out, total);
		for (size_t i = 0; i < l->n_attrs; i++) {
			size_t k = strlen(l->attrs[i].key);
			size_t v = strlen(l->attrs[i].value);

			put_lenenc(out, k);
			sbuf_put(out, l->attrs[i].key, k);
			put_lenenc(out, v);
			sbuf_put(out, l->attrs[i].value, v);
		}
	}
	return done(out, what, err);
}

int myproto_build_query(struct sbuf *out, const char *sql, size_t len,
                        struct sl_err *err)
{
	if (len > 0 && sql == NULL)
		return sl_err_set(err, SL_EINVAL, "COM_QUERY: no SQL text");
	sbuf_putc(out, MYPROTO_COM_QUERY);
	if (len > 0)
		sbuf_put(out, sql, len);
	return done(out, "COM_QUERY", err);
}

int myproto_build_ping(struct sbuf *out, struct sl_err *err)
{
	sbuf_putc(out, MYPROTO_COM_PING);
	return done(out, "COM_PING", err);
}

int myproto_build_quit(struct sbuf *out, struct sl_err *err)
{
	sbuf_putc(out, MYPROTO_COM_QUIT);
	return done(out, "COM_QUIT", err);
}

int myproto_build_register_slave(struct sbuf *out, uint32_t server_id,
                                 const char *host, const char *user,
                                 const char *password, uint16_t port,
                                 uint32_t rank, uint32_t master_id,
                                 struct sl_err *err)
{
	size_t start = out->len;
	int rc;

	sbuf_putc(out, MYPROTO_COM_REGISTER_SLAVE);
	put_u32(out, server_id);
	if ((rc = put_str8(out, host, "host name", err)) ||
	    (rc = put_str8(out, user, "user", err)) ||
	    (rc = put_str8(out, password, "password", err))) {
		out->len = start; /* drop the half-built payload */
		return rc;
	}
	put_u16(out, port);
	put_u32(out, rank);
	put_u32(out, master_id);
	return done(out, "COM_REGISTER_SLAVE", err);
}

int myproto_build_binlog_dump(struct sbuf *out, uint32_t pos, uint16_t flags,
                              uint32_t server_id, const char *file,
                              struct sl_err *err)
{
	sbuf_putc(out, MYPROTO_COM_BINLOG_DUMP);
	put_u32(out, pos);
	put_u16(out, flags);
	put_u32(out, server_id);
	if (file != NULL)
		sbuf_puts(out, file);
	return done(out, "COM_BINLOG_DUMP", err);
}

int myproto_build_binlog_dump_gtid(struct sbuf *out, uint16_t flags,
                                   uint32_t server_id, const char *file,
                                   uint64_t pos, const uint8_t *gtid_set,
                                   size_t gtid_set_len, struct sl_err *err)
{
	size_t n = file ? strlen(file) : 0;

	if (gtid_set_len > UINT32_MAX || (gtid_set_len > 0 && !gtid_set))
		return sl_err_set(err, SL_EINVAL,
		                  "COM_BINLOG_DUMP_GTID: bad GTID set of %zu "
		                  "bytes",
		                  gtid_set_len);
	sbuf_putc(out, MYPROTO_COM_BINLOG_DUMP_GTID);
	put_u16(out, flags);
	put_u32(out, server_id);
	put_u32(out, (uint32_t)n);
	if (n > 0)
		sbuf_put(out, file, n);
	put_u64(out, pos);
	put_u32(out, (uint32_t)gtid_set_len);
	if (gtid_set_len > 0)
		sbuf_put(out, gtid_set, gtid_set_len);
	return done(out, "COM_BINLOG_DUMP_GTID", err);
}

int myproto_build_semisync_ack(struct sbuf *out, uint64_t pos, const char *file,
                               struct sl_err *err)
{
	if (file == NULL || file[0] == '\0')
		return sl_err_set(err, SL_EINVAL,
		                  "semi-sync ack: no file name");
	sbuf_putc(out, (char)MYPROTO_SEMISYNC_MAGIC);
	put_u64(out, pos);
	sbuf_puts(out, file);
	return done(out, "semi-sync ack", err);
}

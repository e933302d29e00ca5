/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/fuzz_proto.c: libFuzzer target for the MySQL protocol core
 * (io/myproto.c).  Input: one option byte (sequence checks, capability
 * variants, semi-sync, a small size limit), eight bytes seeding the split
 * points, then a byte stream that is fed through the packet reader in
 * pieces of pseudo-random sizes.  Each packet goes through every parser
 * and the text resultset state machine; parsed greetings drive the
 * handshake-response builder.  Invariants trap: the reader consumes
 * within bounds, zero-copy packets lie inside the piece given, and every
 * payload re-framed by the writer reads back identical.
 */
#include "core/err.h"
#include "core/sbuf.h"
#include "io/myproto.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OPT_CHECK_SEQ 0x01
#define OPT_DEOF      0x02
#define OPT_TRACK     0x04
#define OPT_SEMI      0x08
#define OPT_SMALL_MAX 0x10

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64: deterministic for a given input. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Frames the payload again and reads it back in one piece. */
static void reframe(const struct myproto_packet *pkt, struct sbuf *tmp)
{
	struct myproto_reader r;
	struct myproto_packet back;
	struct sl_err err;
	uint8_t seq = 0;
	size_t used;

	sbuf_reset(tmp);
	if (myproto_write_packet(tmp, &seq, pkt->p, pkt->len, &err) != 0)
		return; /* out of memory */
	myproto_reader_init(&r, 0);
	if (myproto_reader_next(&r, (const uint8_t *)tmp->p, tmp->len, &used,
	                        &back, &err) != 1 ||
	    used != tmp->len || back.len != pkt->len ||
	    memcmp(back.p, pkt->p, pkt->len) != 0)
		__builtin_trap();
	myproto_reader_deinit(&r);
}

static void client_reply(const struct myproto_handshake *hs, struct sbuf *tmp)
{
	static const struct myproto_attr attrs[] = {{"_client_name", "f"}};
	struct myproto_login l;
	struct sl_err err;
	uint8_t seq = 1;
	size_t at;

	memset(&l, 0, sizeof(l));
	if (myproto_client_caps(hs, MYPROTO_WANT_DB | MYPROTO_WANT_ATTRS,
	                        &l.caps, &err) != 0)
		return;
	l.mariadb_caps = hs->mariadb_caps;
	l.user = "u";
	l.auth = hs->scramble;
	l.auth_len = hs->scramble_len;
	l.db = "d";
	l.plugin = "mysql_native_password";
	l.attrs = attrs;
	l.n_attrs = 1;
	sbuf_reset(tmp);
	at = myproto_frame_begin(tmp);
	if (myproto_build_handshake_response(tmp, &l, &err) == 0)
		myproto_frame_end(tmp, at, &seq, &err);
}

static void parse_all(const uint8_t *p, size_t len, uint8_t opt,
                      struct myproto_rs *rs, struct sbuf *tmp)
{
	uint32_t caps =
	    MYPROTO_CLIENT_PROTOCOL_41 | MYPROTO_CLIENT_SECURE_CONNECTION;
	struct myproto_handshake hs;
	struct myproto_ok ok;
	struct myproto_errpkt e;
	struct myproto_eof eof;
	struct myproto_auth_switch as;
	struct myproto_auth_more am;
	struct myproto_column col;
	struct myproto_cell cells[16];
	struct myproto_binlog_packet bp;
	struct myproto_rs_item it;
	struct sl_err err;
	uint64_t n;
	int rc;

	if (opt & OPT_DEOF)
		caps |= MYPROTO_CLIENT_DEPRECATE_EOF;
	if (opt & OPT_TRACK)
		caps |= MYPROTO_CLIENT_SESSION_TRACK;
	if (myproto_parse_handshake(p, len, &hs, &err) == 0)
		client_reply(&hs, tmp);
	myproto_parse_ok(p, len, caps, &ok, &err);
	myproto_parse_ok(p, len, 0, &ok, &err);
	if (myproto_parse_err(p, len, &e, &err) == 0)
		myproto_server_error(&e, &err);
	myproto_parse_eof(p, len, &eof, &err);
	myproto_parse_auth_switch(p, len, &as, &err);
	myproto_parse_auth_more(p, len, &am, &err);
	myproto_parse_column_count(p, len, &n, &err);
	myproto_parse_column(p, len, &col, &err);
	myproto_parse_row(p, len, len > 0 ? 1 + p[0] % 16 : 1, cells, &err);
	myproto_is_eof(p, len, caps);
	myproto_parse_binlog_packet(p, len, false, &bp, &err);
	myproto_parse_binlog_packet(p, len, (opt & OPT_SEMI) != 0, &bp, &err);

	/* The resultset machine sees the packets in stream order; after its
	 * end or an error it starts over. */
	rc = myproto_rs_feed(rs, p, len, &it, &err);
	if (rc == MYPROTO_RS_ROW && rs->n_cols <= 16)
		myproto_parse_row(it.row, it.row_len, (size_t)rs->n_cols, cells,
		                  &err);
	if (rc < 0 || rc == MYPROTO_RS_OK || rc == MYPROTO_RS_DONE)
		myproto_rs_init(rs, caps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct myproto_reader r;
	struct myproto_rs rs;
	struct sbuf tmp;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint8_t opt = 0;
	size_t off = 0;

	if (size > 0)
		opt = data[off++];
	for (int i = 0; i < 8 && off < size; i++)
		seed ^= (uint64_t)data[off++] << (8 * i);
	if (seed == 0)
		seed = 1;
	myproto_reader_init(&r, opt & OPT_SMALL_MAX ? 64 : 1 << 20);
	r.check_seq = (opt & OPT_CHECK_SEQ) != 0;
	myproto_rs_init(&rs, 0);
	sbuf_init(&tmp);
	while (off < size) {
		uint64_t x = next_rand(&seed);
		size_t piece =
		    x % 8 == 0 ? size - off : 1 + (size_t)(x >> 8) % 64;
		const uint8_t *in = data + off;
		size_t pos = 0;

		if (piece > size - off)
			piece = size - off;
		off += piece;
		while (pos < piece) {
			struct myproto_packet pkt;
			struct sl_err err;
			size_t used = 0;
			int rc = myproto_reader_next(&r, in + pos, piece - pos,
			                             &used, &pkt, &err);

			if (rc < 0)
				goto out; /* the connection would be dropped */
			/* A packet always consumes its last byte at least. */
			if (used > piece - pos || (rc == 1 && used == 0))
				__builtin_trap();
			pos += used;
			if (rc == 0) {
				if (pos != piece)
					__builtin_trap();
				break;
			}
			if (!pkt.copied &&
			    (pkt.p < in || pkt.p + pkt.len > in + pos))
				__builtin_trap();
			parse_all(pkt.p, pkt.len, opt, &rs, &tmp);
			reframe(&pkt, &tmp);
		}
	}
out:
	sbuf_deinit(&tmp);
	myproto_reader_deinit(&r);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_myproto.c: the MySQL client protocol core (io/myproto.c).
 * Packets hand-built from the protocol documentation; builders checked
 * byte for byte and round-tripped through the parsers; the packet reader
 * fed a stream cut at every byte boundary (and every pair of boundaries),
 * multi-frame 16 MiB packets, bad sequence ids; every parser run over
 * every truncation of its valid inputs (exact-size heap copies, so ASan
 * sees any over-read).  The live group starts a real MariaDB through
 * tests/lib/mariadb.sh and speaks to it over a plain TCP socket: greeting,
 * failed and successful logins (with an auth switch), queries, ERR,
 * COM_REGISTER_SLAVE, COM_BINLOG_DUMP to EOF, error 1236, semi-sync.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live_mariadb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "io/myproto.h"

#define CAPS41    (MYPROTO_CLIENT_PROTOCOL_41 | MYPROTO_CLIENT_SECURE_CONNECTION)
#define CAPS_DEOF (CAPS41 | MYPROTO_CLIENT_DEPRECATE_EOF)

/* Helpers: building server packets by hand */

static void tb_u16(struct sbuf *b, uint16_t v)
{
	sbuf_putc(b, (char)(v & 0xff));
	sbuf_putc(b, (char)(v >> 8));
}

static void tb_u32(struct sbuf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		sbuf_putc(b, (char)(v >> (8 * i)));
}

static void tb_lenenc(struct sbuf *b, uint64_t v)
{
	int n;

	if (v < 251) {
		sbuf_putc(b, (char)v);
		return;
	}
	if (v < 0x10000) {
		sbuf_putc(b, (char)0xfc);
		n = 2;
	} else if (v < 0x1000000) {
		sbuf_putc(b, (char)0xfd);
		n = 3;
	} else {
		sbuf_putc(b, (char)0xfe);
		n = 8;
	}
	for (int i = 0; i < n; i++)
		sbuf_putc(b, (char)(v >> (8 * i)));
}

static void tb_lstr(struct sbuf *b, const char *s)
{
	tb_lenenc(b, strlen(s));
	sbuf_puts(b, s);
}

static void tb_column(struct sbuf *b, const char *table, const char *name,
                      uint8_t type)
{
	tb_lstr(b, "def");
	tb_lstr(b, "");
	tb_lstr(b, table);
	tb_lstr(b, table);
	tb_lstr(b, name);
	tb_lstr(b, name);
	sbuf_putc(b, 0x0c);
	tb_u16(b, 45);
	tb_u32(b, 1024);
	sbuf_putc(b, (char)type);
	tb_u16(b, 0x0001);
	sbuf_putc(b, 0x1f);
	tb_u16(b, 0);
}

static bool str_eq(struct myproto_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

#define assert_str(s, want)                                                    \
	do {                                                                   \
		if (!str_eq((s), (want)))                                      \
			fail_msg("got \"%.*s\", want \"%s\"", (int)(s).len,    \
			         (s).p ? (s).p : "", (want));                  \
	} while (0)

#define assert_contains(hay, needle)                                           \
	do {                                                                   \
		if (strstr((hay), (needle)) == NULL)                           \
			fail_msg("\"%s\" lacks \"%s\"", (hay), (needle));      \
	} while (0)

/* Runs one parser, chosen by kind, over p[0..len). */
enum kind {
	K_HANDSHAKE,
	K_OK,
	K_OK_TRACK,
	K_ERR,
	K_EOF,
	K_SWITCH,
	K_MORE,
	K_COLCOUNT,
	K_COLUMN,
	K_ROW3,
	K_BINLOG,
	K_BINLOG_SEMI,
};

static int run_parser(enum kind k, const uint8_t *p, size_t len,
                      struct sl_err *err)
{
	union {
		struct myproto_handshake hs;
		struct myproto_ok ok;
		struct myproto_errpkt e;
		struct myproto_eof eof;
		struct myproto_auth_switch as;
		struct myproto_auth_more am;
		struct myproto_column col;
		struct myproto_cell cells[3];
		struct myproto_binlog_packet bp;
		uint64_t n;
	} u;

	switch (k) {
	case K_HANDSHAKE: return myproto_parse_handshake(p, len, &u.hs, err);
	case K_OK: return myproto_parse_ok(p, len, CAPS41, &u.ok, err);
	case K_OK_TRACK:
		return myproto_parse_ok(
		    p, len, CAPS41 | MYPROTO_CLIENT_SESSION_TRACK, &u.ok, err);
	case K_ERR: return myproto_parse_err(p, len, &u.e, err);
	case K_EOF: return myproto_parse_eof(p, len, &u.eof, err);
	case K_SWITCH: return myproto_parse_auth_switch(p, len, &u.as, err);
	case K_MORE: return myproto_parse_auth_more(p, len, &u.am, err);
	case K_COLCOUNT: return myproto_parse_column_count(p, len, &u.n, err);
	case K_COLUMN: return myproto_parse_column(p, len, &u.col, err);
	case K_ROW3: return myproto_parse_row(p, len, 3, u.cells, err);
	case K_BINLOG:
		return myproto_parse_binlog_packet(p, len, false, &u.bp, err);
	case K_BINLOG_SEMI:
		return myproto_parse_binlog_packet(p, len, true, &u.bp, err);
	}
	return -100;
}

/* Every strict prefix of a valid packet (copied to an exact-size heap
 * block) must be refused with SL_EPROTO and an offset, or, for packets
 * whose tail is optional, accepted; never read out of bounds.
 * ok_from: prefixes at least this long may parse. */
static void truncations(enum kind k, const uint8_t *p, size_t len,
                        size_t ok_from)
{
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct sl_err err;
		int rc;

		assert_non_null(copy);
		memcpy(copy, p, n);
		sl_err_clear(&err);
		rc = run_parser(k, copy, n, &err);
		/* A lone 0xfe is the pre-4.1 auth switch. */
		if ((n >= ok_from || (k == K_SWITCH && n == 1)) && rc >= 0) {
			free(copy);
			continue;
		}
		if (rc != SL_EPROTO)
			fail_msg("kind %d, prefix %zu of %zu: rc %d (%s)", k, n,
			         len, rc, err.msg);
		assert_true(err.has_pos || strstr(err.msg, "binlog") != NULL);
		free(copy);
	}
}

/* Packet reader */

static void test_reader_single_zero_copy(void **state)
{
	static const uint8_t in[] = {3, 0, 0, 0,   'a', 'b', 'c', 1,
	                             0, 0, 1, 'z', 0,   0,   0,   2};
	struct myproto_reader r;
	struct myproto_packet pkt;
	struct sl_err err;
	size_t used;

	(void)state;
	myproto_reader_init(&r, 0);
	assert_int_equal(
	    myproto_reader_next(&r, in, sizeof(in), &used, &pkt, &err), 1);
	assert_int_equal(used, 7);
	assert_false(pkt.copied);
	assert_ptr_equal(pkt.p, in + 4);
	assert_int_equal(pkt.len, 3);
	assert_int_equal(myproto_reader_seq(&r), 1);
	assert_int_equal(
	    myproto_reader_next(&r, in + 7, sizeof(in) - 7, &used, &pkt, &err),
	    1);
	assert_int_equal(used, 5);
	assert_ptr_equal(pkt.p, in + 11);
	/* An empty packet, whole in the input. */
	assert_int_equal(myproto_reader_next(&r, in + 12, 4, &used, &pkt, &err),
	                 1);
	assert_int_equal(pkt.len, 0);
	assert_non_null(pkt.p);
	assert_int_equal(myproto_reader_seq(&r), 3);
	/* Nothing left: 0, and an empty slice does not disturb anything. */
	assert_int_equal(myproto_reader_next(&r, NULL, 0, &used, &pkt, &err),
	                 0);
	assert_int_equal(used, 0);
	assert_false(r.partial);
	myproto_reader_deinit(&r);
}

/* A stream of packets with awkward sizes and its expected payloads. */
struct stream {
	struct sbuf bytes;
	size_t n;
	size_t start[16], end[16]; /* frame start, payload end in bytes */
	size_t len[16];
};

static const size_t big_sizes[] = {0, 1, 3, 4, 5, 250, 251, 300, 0, 17};
static const size_t small_sizes[] = {0, 1, 3, 4, 5, 0, 9};

static void stream_make(struct stream *s, const size_t *sizes, size_t n)
{
	uint8_t seq = 0;
	struct sl_err err;

	sbuf_init(&s->bytes);
	s->n = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t payload[400];

		for (size_t j = 0; j < sizes[i]; j++)
			payload[j] = (uint8_t)(i * 31 + j * 7);
		s->start[s->n] = s->bytes.len;
		assert_int_equal(myproto_write_packet(&s->bytes, &seq, payload,
		                                      sizes[i], &err),
		                 0);
		s->end[s->n] = s->bytes.len;
		s->len[s->n] = sizes[i];
		s->n++;
	}
}

/* Feeds s->bytes to a fresh reader in pieces ending at cuts[0..n_cuts)
 * (ascending) and checks every packet: payload, and zero-copy whenever
 * the packet lay wholly inside one piece. */
static void feed_pieces(const struct stream *s, const size_t *cuts,
                        size_t n_cuts)
{
	const uint8_t *all = (const uint8_t *)s->bytes.p;
	struct myproto_reader r;
	size_t got = 0, from = 0;

	myproto_reader_init(&r, 0);
	for (size_t c = 0; c <= n_cuts; c++) {
		size_t to = c < n_cuts ? cuts[c] : s->bytes.len;
		size_t off = from;

		while (off < to) {
			struct myproto_packet pkt;
			struct sl_err err;
			size_t used;
			int rc = myproto_reader_next(&r, all + off, to - off,
			                             &used, &pkt, &err);

			assert_true(rc == 0 || rc == 1);
			assert_true(used > 0 && used <= to - off);
			off += used;
			if (rc == 0) {
				assert_int_equal(off, to);
				break;
			}
			assert_true(got < s->n);
			assert_int_equal(pkt.len, s->len[got]);
			for (size_t j = 0; j < pkt.len; j++)
				assert_int_equal(pkt.p[j],
				                 (uint8_t)(got * 31 + j * 7));
			assert_int_equal(off, s->end[got]);
			if (s->start[got] >= from && s->end[got] <= to) {
				assert_false(pkt.copied);
				assert_ptr_equal(pkt.p,
				                 all + s->start[got] + 4);
			} else {
				assert_true(pkt.copied);
			}
			got++;
		}
		from = to;
	}
	assert_int_equal(got, s->n);
	assert_false(r.partial);
	myproto_reader_deinit(&r);
}

static void test_reader_every_split(void **state)
{
	struct stream s;
	size_t cuts[2];

	(void)state;
	stream_make(&s, big_sizes, 10);
	feed_pieces(&s, NULL, 0);
	for (size_t i = 0; i <= s.bytes.len; i++) {
		cuts[0] = i;
		feed_pieces(&s, cuts, 1);
	}
	sbuf_deinit(&s.bytes);
	/* Every pair of cut points (smaller stream): packets split in
	 * three, headers torn into three pieces. */
	stream_make(&s, small_sizes, 7);
	for (size_t i = 0; i <= s.bytes.len; i++)
		for (size_t j = i; j <= s.bytes.len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			feed_pieces(&s, cuts, 2);
		}
	sbuf_deinit(&s.bytes);
}

static void test_reader_byte_at_a_time(void **state)
{
	struct stream s;
	size_t cuts[1024];

	(void)state;
	stream_make(&s, big_sizes, 10);
	assert_true(s.bytes.len < 1024);
	for (size_t i = 0; i < s.bytes.len; i++)
		cuts[i] = i + 1;
	feed_pieces(&s, cuts, s.bytes.len - 1);
	sbuf_deinit(&s.bytes);
}

static void test_reader_sequence(void **state)
{
	static const uint8_t bad[] = {1, 0, 0, 5, 'x'};
	static const uint8_t wrap[] = {1, 0, 0, 255, 'a', 1, 0, 0, 0, 'b'};
	struct myproto_reader r;
	struct myproto_packet pkt;
	struct sl_err err;
	size_t used;

	(void)state;
	myproto_reader_init(&r, 0);
	myproto_reader_reset(&r, 1);
	assert_int_equal(
	    myproto_reader_next(&r, bad, sizeof(bad), &used, &pkt, &err),
	    SL_EPROTO);
	assert_string_equal(err.msg, "packet sequence id 5, expected 1");
	/* Split header: the check happens when the header completes. */
	myproto_reader_reset(&r, 1);
	assert_int_equal(myproto_reader_next(&r, bad, 3, &used, &pkt, &err), 0);
	assert_int_equal(myproto_reader_next(&r, bad + 3, 2, &used, &pkt, &err),
	                 SL_EPROTO);
	/* Unchecked: adopts the stream's ids. */
	myproto_reader_reset(&r, 1);
	r.check_seq = false;
	assert_int_equal(
	    myproto_reader_next(&r, bad, sizeof(bad), &used, &pkt, &err), 1);
	assert_int_equal(myproto_reader_seq(&r), 6);
	/* 255 wraps to 0. */
	r.check_seq = true;
	myproto_reader_reset(&r, 255);
	assert_int_equal(
	    myproto_reader_next(&r, wrap, sizeof(wrap), &used, &pkt, &err), 1);
	assert_int_equal(myproto_reader_seq(&r), 0);
	assert_int_equal(
	    myproto_reader_next(&r, wrap + 5, 5, &used, &pkt, &err), 1);
	assert_int_equal(pkt.p[0], 'b');
	myproto_reader_deinit(&r);
}

static void test_reader_max_len(void **state)
{
	static const uint8_t in[] = {10,  0,   0,   0,   '0', '1', '2',
	                             '3', '4', '5', '6', '7', '8', '9'};
	struct myproto_reader r;
	struct myproto_packet pkt;
	struct sl_err err;
	size_t used;

	(void)state;
	myproto_reader_init(&r, 9);
	assert_int_equal(
	    myproto_reader_next(&r, in, sizeof(in), &used, &pkt, &err),
	    SL_EPROTO);
	assert_contains(err.msg, "9-byte limit");
	/* Partial path: refused at the header, before buffering. */
	myproto_reader_reset(&r, 0);
	assert_int_equal(myproto_reader_next(&r, in, 6, &used, &pkt, &err),
	                 SL_EPROTO);
	assert_int_equal(r.buf.len, 0);
	myproto_reader_deinit(&r);
}

static void test_reader_oom(void **state)
{
	static const uint8_t in[] = {5, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'};
	struct myproto_reader r;
	struct myproto_packet pkt;
	struct sl_err err;
	size_t used;
	int rc;

	(void)state;
	myproto_reader_init(&r, 0);
	sl_mem_fail_after(1);
	rc = myproto_reader_next(&r, in, 6, &used, &pkt, &err);
	sl_mem_fail_after(0);
	assert_int_equal(rc, SL_ENOMEM);
	myproto_reader_deinit(&r);
}

/* Writes a payload of n bytes (pattern by index) as one packet. */
static void big_payload(struct sbuf *out, size_t n, uint8_t *seq)
{
	struct sl_err err;
	size_t at = myproto_frame_begin(out);

	assert_true(sbuf_reserve(out, n));
	for (size_t i = 0; i < n; i++)
		out->p[out->len + i] = (char)(i % 251);
	out->len += n;
	assert_int_equal(myproto_frame_end(out, at, seq, &err), 0);
}

static void check_big(const struct myproto_packet *pkt, size_t n)
{
	assert_int_equal(pkt->len, n);
	for (size_t i = 0; i < n; i += 4093)
		assert_int_equal(pkt->p[i], (uint8_t)(i % 251));
	assert_int_equal(pkt->p[n - 1], (uint8_t)((n - 1) % 251));
}

static void test_multi_frame(void **state)
{
	const size_t max = MYPROTO_MAX_FRAME;
	const size_t sizes[] = {max - 1, max, 2 * max + 10};
	struct sbuf out, copy;
	struct sl_err err;
	uint8_t seq = 0, seq2 = 0;
	size_t off;

	(void)state;
	sbuf_init(&out);
	sbuf_init(&copy);
	for (size_t i = 0; i < 3; i++)
		big_payload(&out, sizes[i], &seq);
	/* Frames: 1, 2 (max + empty), 3 (max, max, 10). */
	assert_int_equal(seq, 6);
	assert_int_equal(out.len, sizes[0] + sizes[1] + sizes[2] + 6 * 4);
	off = 0;
	{
		const uint8_t *b = (const uint8_t *)out.p;
		const uint32_t want[6] = {max - 1, max, 0, max, max, 10};

		for (int f = 0; f < 6; f++) {
			assert_int_equal(get_u24le(b + off), want[f]);
			assert_int_equal(b[off + 3], f);
			off += 4 + want[f];
		}
	}
	/* write_packet (copying) frames identically to frame_begin/end. */
	for (size_t i = 0; i < 3; i++) {
		uint8_t *tmp = malloc(sizes[i]);

		assert_non_null(tmp);
		for (size_t j = 0; j < sizes[i]; j++)
			tmp[j] = (uint8_t)(j % 251);
		assert_int_equal(
		    myproto_write_packet(&copy, &seq2, tmp, sizes[i], &err), 0);
		free(tmp);
	}
	assert_int_equal(copy.len, out.len);
	assert_memory_equal(copy.p, out.p, out.len);

	/* Read back whole, and in pieces of assorted sizes. */
	for (int mode = 0; mode < 3; mode++) {
		const size_t piece[3] = {out.len, 65536, 1000003};
		struct myproto_reader r;
		const uint8_t *b = (const uint8_t *)out.p;
		size_t got = 0, pos = 0;

		myproto_reader_init(&r, 0);
		while (pos < out.len) {
			size_t end = pos + piece[mode] < out.len
			                 ? pos + piece[mode]
			                 : out.len;

			while (pos < end) {
				struct myproto_packet pkt;
				size_t used;
				int rc = myproto_reader_next(
				    &r, b + pos, end - pos, &used, &pkt, &err);

				assert_true(rc == 0 || rc == 1);
				pos += used;
				if (rc == 1) {
					assert_true(got < 3);
					assert_true(pkt.copied ||
					            sizes[got] < max);
					check_big(&pkt, sizes[got]);
					got++;
				}
			}
		}
		assert_int_equal(got, 3);
		assert_int_equal(myproto_reader_seq(&r), 6);
		myproto_reader_deinit(&r);
	}
	sbuf_deinit(&out);
	sbuf_deinit(&copy);
}

static void test_frame_small(void **state)
{
	struct sbuf out;
	struct sl_err err;
	uint8_t seq = 7;
	size_t at;

	(void)state;
	sbuf_init(&out);
	at = myproto_frame_begin(&out);
	assert_int_equal(myproto_build_ping(&out, &err), 0);
	assert_int_equal(myproto_frame_end(&out, at, &seq, &err), 0);
	assert_int_equal(seq, 8);
	assert_int_equal(out.len, 5);
	assert_memory_equal(out.p, "\x01\x00\x00\x07\x0e", 5);
	/* Empty payload. */
	assert_int_equal(myproto_write_packet(&out, &seq, NULL, 0, &err), 0);
	assert_memory_equal(out.p + 5, "\x00\x00\x00\x08", 4);
	/* Misuse. */
	assert_int_equal(myproto_frame_end(&out, out.len, &seq, &err),
	                 SL_EINVAL);
	sbuf_deinit(&out);
}

/* Initial handshake */

/* MySQL 8.0 style greeting, built from the Protocol::HandshakeV10 page. */
static const uint8_t hs_mysql8[] = {
    0x0a, '8',  '.',  '0',  '.', '3', '6', 0,           /* version */
    0x0b, 0x00, 0x00, 0x00,                             /* connection id 11 */
    'a',  'b',  'c',  'd',  'e', 'f', 'g', 'h',         /* scramble part 1 */
    0x00,                                               /* filler */
    0xff, 0xff,                                         /* caps lower */
    0xff,                                               /* charset 255 */
    0x02, 0x00,                                         /* status autocommit */
    0xff, 0xdf,                                         /* caps upper */
    21,                                                 /* auth data length */
    0,    0,    0,    0,    0,   0,   0,   0,   0,   0, /* reserved */
    'i',  'j',  'k',  'l',  'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
    0,    'c',  'a',  'c',  'h', 'i', 'n', 'g', '_', 's', 'h', 'a',
    '2',  '_',  'p',  'a',  's', 's', 'w', 'o', 'r', 'd', 0};

/* MariaDB 10.11: replication prefix "5.5.5-", CLIENT_MYSQL cleared and
 * extended capabilities 0x1d in the last reserved bytes. */
static const uint8_t hs_mariadb[] = {0x0a, '5',  '.',  '5', '.', '5', '-',
                                     '1',  '0',  '.',  '1', '1', '.', '6',
                                     '-',  'M',  'a',  'r', 'i', 'a', 'D',
                                     'B',  '-',  'l',  'o', 'g', 0,   0x2a,
                                     0x00, 0x00, 0x00, /* connection id 42 */
                                     '1',  '2',  '3',  '4', '5', '6', '7',
                                     '8',        /* scramble part 1 */
                                     0x00,       /* filler */
                                     0xfe, 0xf7, /* caps lower, bit 0 off */
                                     0x2d,       /* charset 45 */
                                     0x02, 0x00, /* status */
                                     0xff, 0x81, /* caps upper */
                                     21,         /* auth data length */
                                     0,    0,    0,    0,   0,   0,   0x1d,
                                     0,    0,    0, /* filler + ext caps */
                                     '9',  'A',  'B',  'C', 'D', 'E', 'F',
                                     'G',  'H',  'I',  'J', 'K', 0,   'm',
                                     'y',  's',  'q',  'l', '_', 'n', 'a',
                                     't',  'i',  'v',  'e', '_', 'p', 'a',
                                     's',  's',  'w',  'o', 'r', 'd', 0};

static void test_handshake_mysql8(void **state)
{
	struct myproto_handshake hs;
	struct sl_err err;

	(void)state;
	assert_int_equal(
	    myproto_parse_handshake(hs_mysql8, sizeof(hs_mysql8), &hs, &err),
	    0);
	assert_int_equal(hs.protocol_version, 10);
	assert_str(hs.server_version, "8.0.36");
	assert_int_equal(hs.conn_id, 11);
	assert_int_equal(hs.caps, 0xdfffffffu);
	assert_int_equal(hs.mariadb_caps, 0);
	assert_false(hs.is_mariadb);
	assert_int_equal(hs.charset, 255);
	assert_int_equal(hs.status, MYPROTO_STATUS_AUTOCOMMIT);
	assert_int_equal(hs.scramble_len, 20);
	assert_memory_equal(hs.scramble, "abcdefghijklmnopqrst", 20);
	assert_str(hs.auth_plugin, "caching_sha2_password");
	truncations(K_HANDSHAKE, hs_mysql8, sizeof(hs_mysql8),
	            /* a 4.0-style greeting stops after caps lower */ 0);
}

static void test_handshake_mariadb(void **state)
{
	struct myproto_handshake hs;
	struct sl_err err;
	uint32_t caps;

	(void)state;
	assert_int_equal(
	    myproto_parse_handshake(hs_mariadb, sizeof(hs_mariadb), &hs, &err),
	    0);
	assert_str(hs.server_version, "5.5.5-10.11.6-MariaDB-log");
	assert_true(hs.is_mariadb);
	assert_int_equal(hs.conn_id, 42);
	assert_int_equal(hs.caps, 0x81fff7feu);
	assert_int_equal(hs.mariadb_caps, 0x1d);
	assert_int_equal(hs.scramble_len, 20);
	assert_memory_equal(hs.scramble, "123456789ABCDEFGHIJK", 20);
	assert_str(hs.auth_plugin, "mysql_native_password");

	/* Negotiated caps: what both sides have, CLIENT_MYSQL left off. */
	assert_int_equal(myproto_client_caps(&hs, MYPROTO_WANT_DB, &caps, &err),
	                 0);
	assert_true(caps & MYPROTO_CLIENT_PROTOCOL_41);
	assert_true(caps & MYPROTO_CLIENT_PLUGIN_AUTH_LENENC);
	assert_true(caps & MYPROTO_CLIENT_DEPRECATE_EOF);
	assert_true(caps & MYPROTO_CLIENT_CONNECT_WITH_DB);
	assert_false(caps & MYPROTO_CLIENT_SSL);
	assert_false(caps & MYPROTO_CLIENT_MYSQL);
	/* This server offers no TLS: a required SSL is refused. */
	assert_int_equal(
	    myproto_client_caps(&hs, MYPROTO_WANT_SSL, &caps, &err),
	    SL_EUNSUPPORTED);
	assert_contains(err.msg, "TLS");
	hs.caps |= MYPROTO_CLIENT_SSL;
	assert_int_equal(
	    myproto_client_caps(&hs, MYPROTO_WANT_SSL, &caps, &err), 0);
	assert_true(caps & MYPROTO_CLIENT_SSL);
	hs.caps &= ~MYPROTO_CLIENT_PROTOCOL_41;
	assert_int_equal(myproto_client_caps(&hs, 0, &caps, &err),
	                 SL_EUNSUPPORTED);
	assert_contains(err.msg, "4.1");
	truncations(K_HANDSHAKE, hs_mariadb, sizeof(hs_mariadb), 0);
}

static void test_handshake_bad(void **state)
{
	uint8_t p[sizeof(hs_mysql8)];
	struct myproto_handshake hs;
	struct sl_err err;
	/* Greeting replaced by ERR (no SQL state yet): too many connections */
	static const uint8_t too_many[] = {0xff, 0x10, 0x04, 'T', 'o', 'o',
	                                   ' ',  'm',  'a',  'n', 'y'};

	(void)state;
	memcpy(p, hs_mysql8, sizeof(p));
	p[0] = 9;
	assert_int_equal(myproto_parse_handshake(p, sizeof(p), &hs, &err),
	                 SL_EUNSUPPORTED);
	assert_contains(err.msg, "protocol version 9");

	/* Version without its NUL. */
	assert_int_equal(myproto_parse_handshake(hs_mysql8, 6, &hs, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "at offset 1: handshake: server version: "
	                             "no terminating NUL");
	/* Part 2 cut short. */
	assert_int_equal(myproto_parse_handshake(hs_mysql8, 40, &hs, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg,
	                    "at offset 39: handshake: auth-plugin-data part "
	                    "2 needs 13 bytes, 1 left");
	/* An oversized auth-plugin-data length. */
	memcpy(p, hs_mysql8, sizeof(p));
	p[28] = 200; /* auth-plugin-data length */
	assert_int_equal(myproto_parse_handshake(p, sizeof(p), &hs, &err),
	                 SL_EPROTO);
	/* Present, but more scramble than we keep. */
	{
		uint8_t big[39 + 92 + 1];

		memcpy(big, hs_mysql8, 39);
		big[28] = 100;
		memset(big + 39, 'z', 92);
		big[39 + 91] = 0;
		big[39 + 92] = 0;
		assert_int_equal(
		    myproto_parse_handshake(big, sizeof(big), &hs, &err),
		    SL_EPROTO);
		assert_string_equal(err.msg, "at offset 39: handshake: "
		                             "auth-plugin-data part 2: longer "
		                             "than 64 bytes");
	}

	assert_int_equal(
	    myproto_parse_handshake(too_many, sizeof(too_many), &hs, &err),
	    SL_EIO);
	assert_string_equal(err.msg, "server error 1040: Too many");
	/* Plugin name without NUL (MySQL 5.5.7-5.5.9) is still read. */
	assert_int_equal(myproto_parse_handshake(
	                     hs_mysql8, sizeof(hs_mysql8) - 1, &hs, &err),
	                 0);
	assert_str(hs.auth_plugin, "caching_sha2_password");
}

/* OK / ERR / EOF */

static void test_ok(void **state)
{
	/* affected 1, insert id 0x1234 (0xfc form), status 0x0002, 1
	 * warning, info text to the end. */
	static const uint8_t ok1[] = {0x00, 0x01, 0xfc, 0x34, 0x12, 0x02, 0x00,
	                              0x01, 0x00, 'R',  'o',  'w',  's'};
	/* 0xfe form under DEPRECATE_EOF: end of a resultset. */
	static const uint8_t ok_fe[] = {0xfe, 0x00, 0x00, 0x22,
	                                0x00, 0x00, 0x00};
	/* Session tracking: lenenc info, then session state. */
	static const uint8_t ok_track[] = {0x00, 0x00, 0x00, 0x02, 0x40,
	                                   0x00, 0x00, 0x02, 'h',  'i',
	                                   0x03, 0x01, 0x01, 'x'};
	struct myproto_ok ok;
	struct sl_err err;
	uint32_t track = CAPS41 | MYPROTO_CLIENT_SESSION_TRACK;

	(void)state;
	assert_int_equal(myproto_parse_ok(ok1, sizeof(ok1), CAPS41, &ok, &err),
	                 0);
	assert_int_equal(ok.affected_rows, 1);
	assert_int_equal(ok.last_insert_id, 0x1234);
	assert_int_equal(ok.status, 2);
	assert_int_equal(ok.warnings, 1);
	assert_str(ok.info, "Rows");
	truncations(K_OK, ok1, sizeof(ok1), 9);

	assert_int_equal(
	    myproto_parse_ok(ok_fe, sizeof(ok_fe), CAPS_DEOF, &ok, &err), 0);
	assert_int_equal(ok.status, 0x22);
	assert_int_equal(ok.info.len, 0);
	assert_true(myproto_is_eof(ok_fe, sizeof(ok_fe), CAPS_DEOF));

	assert_int_equal(
	    myproto_parse_ok(ok_track, sizeof(ok_track), track, &ok, &err), 0);
	assert_str(ok.info, "hi");
	assert_int_equal(ok.session_state.len, 3);
	truncations(K_OK_TRACK, ok_track, sizeof(ok_track), 7);
	/* Trailing garbage after the session state. */
	{
		uint8_t p[sizeof(ok_track) + 1];

		memcpy(p, ok_track, sizeof(ok_track));
		p[sizeof(ok_track)] = 'z';
		assert_int_equal(
		    myproto_parse_ok(p, sizeof(p), track, &ok, &err),
		    SL_EPROTO);
		assert_contains(err.msg, "1 unexpected bytes at the end");
	}
	/* Wrong header, bad lenenc prefix. */
	assert_int_equal(myproto_parse_ok((const uint8_t *)"\x01\x00\x00", 3,
	                                  CAPS41, &ok, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "at offset 0: OK packet: header byte "
	                             "0x01, expected 0x00");
	assert_int_equal(myproto_parse_ok((const uint8_t *)"\x00\xff\x00\x00"
	                                                   "\x00\x00\x00",
	                                  7, CAPS41, &ok, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "at offset 1: OK packet: affected rows: "
	                             "invalid length prefix 0xff");
	assert_int_equal(myproto_parse_ok((const uint8_t *)"\x00\x00\xfb\x00"
	                                                   "\x00\x00\x00",
	                                  7, CAPS41, &ok, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "at offset 2: OK packet: last insert id: "
	                             "unexpected NULL marker 0xfb");
}

static void test_ok_lenenc_round_trip(void **state)
{
	static const uint64_t vals[] = {
	    0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000, UINT64_MAX};
	struct sbuf b;
	struct sl_err err;

	(void)state;
	sbuf_init(&b);
	for (size_t i = 0; i < 8; i++)
		for (size_t j = 0; j < 8; j++) {
			struct myproto_ok ok;

			sbuf_reset(&b);
			sbuf_putc(&b, 0);
			tb_lenenc(&b, vals[i]);
			tb_lenenc(&b, vals[j]);
			tb_u16(&b, (uint16_t)(i * 8 + j));
			tb_u16(&b, (uint16_t)j);
			assert_int_equal(myproto_parse_ok((uint8_t *)b.p, b.len,
			                                  CAPS41, &ok, &err),
			                 0);
			assert_true(ok.affected_rows == vals[i]);
			assert_true(ok.last_insert_id == vals[j]);
			assert_int_equal(ok.status, i * 8 + j);
			assert_int_equal(ok.warnings, j);
			truncations(K_OK, (uint8_t *)b.p, b.len, b.len);
		}
	sbuf_deinit(&b);
}

static void test_err(void **state)
{
	static const char msg[] =
	    "Access denied for user 'u'@'localhost' (using password: YES)";
	struct sbuf b;
	struct myproto_errpkt e;
	struct sl_err err;

	(void)state;
	sbuf_init(&b);
	sbuf_putc(&b, (char)0xff);
	tb_u16(&b, 1045);
	sbuf_puts(&b, "#28000");
	sbuf_puts(&b, msg);
	assert_int_equal(myproto_parse_err((uint8_t *)b.p, b.len, &e, &err), 0);
	assert_int_equal(e.code, 1045);
	assert_string_equal(e.sql_state, "28000");
	assert_str(e.msg, msg);
	assert_int_equal(myproto_server_error(&e, &err), SL_EIO);
	assert_string_equal(err.msg,
	                    "server error 1045 (28000): Access denied for user "
	                    "'u'@'localhost' (using password: YES)");
	/* 3 bytes: a pre-4.1 ERR without state or text. */
	truncations(K_ERR, (uint8_t *)b.p, b.len, 3);

	/* 1236 → not found; control bytes in the text stay on one line. */
	sbuf_reset(&b);
	sbuf_putc(&b, (char)0xff);
	tb_u16(&b, 1236);
	sbuf_puts(&b, "#HY000");
	sbuf_puts(&b, "Could not find first log file name in binary log "
	              "index file\n\tline two");
	assert_int_equal(myproto_parse_err((uint8_t *)b.p, b.len, &e, &err), 0);
	assert_int_equal(myproto_server_error(&e, &err), SL_ENOTFOUND);
	assert_string_equal(err.msg, "server error 1236 (HY000): Could not "
	                             "find first log file name in binary log "
	                             "index file  line two");
	/* Malformed. */
	assert_int_equal(
	    myproto_parse_err((const uint8_t *)"\xff\x01", 2, &e, &err),
	    SL_EPROTO);
	assert_string_equal(err.msg, "at offset 1: ERR packet: error code "
	                             "needs 2 bytes, 1 left");
	assert_int_equal(
	    myproto_parse_err((const uint8_t *)"\xff\x01\x02#HY", 6, &e, &err),
	    SL_EPROTO);
	assert_contains(err.msg, "SQL state");
	sbuf_deinit(&b);
}

static void test_eof(void **state)
{
	static const uint8_t eof5[] = {0xfe, 0x01, 0x00, 0x02, 0x00};
	struct myproto_eof eof;
	struct sl_err err;

	(void)state;
	assert_int_equal(myproto_parse_eof(eof5, 5, &eof, &err), 0);
	assert_int_equal(eof.warnings, 1);
	assert_int_equal(eof.status, 2);
	assert_int_equal(myproto_parse_eof(eof5, 1, &eof, &err), 0);
	assert_int_equal(myproto_parse_eof(eof5, 3, &eof, &err), SL_EPROTO);
	assert_true(myproto_is_eof(eof5, 5, CAPS41));
	assert_false(myproto_is_eof(eof5, 9, CAPS41));
	assert_true(myproto_is_eof(eof5, 9, CAPS_DEOF));
	assert_false(myproto_is_eof(eof5, MYPROTO_MAX_FRAME, CAPS_DEOF));
	assert_false(myproto_is_eof((const uint8_t *)"\x00", 1, CAPS41));
	{
		uint8_t p[9] = {0xfe};

		assert_int_equal(myproto_parse_eof(p, 9, &eof, &err),
		                 SL_EPROTO);
		assert_contains(err.msg, "fewer than 9");
	}
}

/* Authentication packets */

static void test_auth_switch_more(void **state)
{
	static const uint8_t sw[] = {
	    0xfe, 'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i',
	    'v',  'e', '_', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd',
	    0,    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	    'a',  'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 0};
	static const uint8_t fast_ok[] = {0x01, 0x03};
	static const char pem[] = "\x01-----BEGIN PUBLIC KEY-----\nMIIB\n"
	                          "-----END PUBLIC KEY-----\n";
	struct myproto_auth_switch as;
	struct myproto_auth_more am;
	struct sl_err err;

	(void)state;
	assert_int_equal(myproto_parse_auth_switch(sw, sizeof(sw), &as, &err),
	                 0);
	assert_str(as.plugin, "mysql_native_password");
	assert_int_equal(as.data_len, 21);
	assert_memory_equal(as.data, "0123456789abcdefghij", 20);
	assert_int_equal(as.data[20], 0);
	truncations(K_SWITCH, sw, sizeof(sw), 23);

	assert_int_equal(myproto_parse_auth_switch(sw, 1, &as, &err), 0);
	assert_str(as.plugin, "mysql_old_password");
	assert_int_equal(as.data_len, 0);
	assert_int_equal(
	    myproto_parse_auth_switch((const uint8_t *)"\xfe\0", 2, &as, &err),
	    SL_EPROTO);
	assert_contains(err.msg, "empty plugin name");
	assert_int_equal(myproto_parse_auth_switch(fast_ok, 2, &as, &err),
	                 SL_EPROTO);

	assert_int_equal(myproto_parse_auth_more(fast_ok, 2, &am, &err), 0);
	assert_int_equal(am.len, 1);
	assert_int_equal(am.data[0], MYPROTO_SHA2_FAST_AUTH_OK);
	assert_int_equal(myproto_parse_auth_more((const uint8_t *)pem,
	                                         sizeof(pem) - 1, &am, &err),
	                 0);
	assert_int_equal(am.len, sizeof(pem) - 2);
	assert_memory_equal(am.data, "-----BEGIN PUBLIC KEY-----", 26);
	assert_int_equal(myproto_parse_auth_more(NULL, 0, &am, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "at offset 0: AuthMoreData: empty packet");
}

/* Text resultsets */

/* The packets of `SELECT @@version, @@gtid_binlog_pos, NULL` as a server
 * sends them, with or without CLIENT_DEPRECATE_EOF. */
static size_t make_resultset(struct sbuf *pk, size_t *ends, bool deof)
{
	size_t n = 0;

#define END_PACKET() (ends[n++] = pk->len)
	tb_lenenc(pk, 3);
	END_PACKET();
	tb_column(pk, "", "@@version", 253);
	END_PACKET();
	tb_column(pk, "", "@@gtid_binlog_pos", 253);
	END_PACKET();
	tb_column(pk, "", "NULL", 6);
	END_PACKET();
	if (!deof) {
		sbuf_put(pk, "\xfe\x00\x00\x02\x00", 5);
		END_PACKET();
	}
	tb_lstr(pk, "10.11.6-MariaDB-log");
	tb_lstr(pk, "0-1-100,1-2-5");
	sbuf_putc(pk, (char)0xfb);
	END_PACKET();
	tb_lstr(pk, "");
	tb_lstr(pk, "");
	sbuf_putc(pk, (char)0xfb);
	END_PACKET();
	if (deof)
		sbuf_put(pk, "\xfe\x00\x00\x02\x00\x00\x00", 7);
	else
		sbuf_put(pk, "\xfe\x00\x00\x02\x00", 5);
	END_PACKET();
#undef END_PACKET
	return n;
}

static void test_resultset(void **state)
{
	(void)state;
	for (int deof = 0; deof < 2; deof++) {
		uint32_t caps = deof ? CAPS_DEOF : CAPS41;
		struct sbuf pk;
		size_t ends[16], n, from = 0, n_cols_seen = 0, n_rows = 0;
		struct myproto_rs rs;
		bool done = false;

		sbuf_init(&pk);
		n = make_resultset(&pk, ends, deof);
		myproto_rs_init(&rs, caps);
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = (const uint8_t *)pk.p + from;
			size_t len = ends[i] - from;
			struct myproto_rs_item it;
			struct myproto_cell cells[3];
			struct sl_err err;
			int rc = myproto_rs_feed(&rs, p, len, &it, &err);

			from = ends[i];
			assert_false(done);
			switch (rc) {
			case MYPROTO_RS_MORE: break;
			case MYPROTO_RS_COLUMN:
				assert_int_equal(it.index, n_cols_seen);
				n_cols_seen++;
				if (it.index == 0)
					assert_str(it.col.name, "@@version");
				if (it.index == 1)
					assert_str(it.col.name,
					           "@@gtid_binlog_pos");
				if (it.index == 2)
					assert_int_equal(it.col.type, 6);
				assert_int_equal(it.col.charset, 45);
				assert_int_equal(it.col.length, 1024);
				assert_int_equal(it.col.decimals, 0x1f);
				break;
			case MYPROTO_RS_ROW:
				assert_int_equal(
				    myproto_parse_row(it.row, it.row_len, 3,
				                      cells, &err),
				    0);
				if (n_rows == 0) {
					assert_int_equal(cells[0].len, 19);
					assert_memory_equal(
					    cells[1].p, "0-1-100,1-2-5", 13);
				} else {
					assert_int_equal(cells[0].len, 0);
					assert_false(cells[0].is_null);
				}
				assert_true(cells[2].is_null);
				/* Wrong column counts are refused. */
				assert_int_equal(
				    myproto_parse_row(it.row, it.row_len, 2,
				                      cells, &err),
				    SL_EPROTO);
				n_rows++;
				break;
			case MYPROTO_RS_DONE:
				assert_int_equal(it.ok.status, 2);
				done = true;
				break;
			default: fail_msg("rc %d: %s", rc, err.msg);
			}
		}
		assert_true(done);
		assert_int_equal(rs.n_cols, 3);
		assert_int_equal(n_cols_seen, 3);
		assert_int_equal(n_rows, 2);
		sbuf_deinit(&pk);
	}
}

static void test_resultset_other(void **state)
{
	static const uint8_t ok[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
	static const uint8_t infile[] = {0xfb, 'f', 'i', 'l', 'e'};
	struct myproto_rs rs;
	struct myproto_rs_item it;
	struct sl_err err;
	struct sbuf b;

	(void)state;
	/* A statement without a resultset. */
	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(myproto_rs_feed(&rs, ok, sizeof(ok), &it, &err),
	                 MYPROTO_RS_OK);
	assert_int_equal(it.ok.status, 2);
	assert_int_equal(myproto_rs_feed(&rs, ok, sizeof(ok), &it, &err),
	                 SL_EPROTO);
	assert_contains(err.msg, "after its end");

	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(
	    myproto_rs_feed(&rs, infile, sizeof(infile), &it, &err),
	    SL_EUNSUPPORTED);
	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(myproto_rs_feed(&rs, ok, 0, &it, &err), SL_EPROTO);
	assert_string_equal(err.msg, "resultset: empty packet after 0 columns, "
	                             "0 rows");

	/* ERR in the middle of the rows (e.g. a killed query). */
	sbuf_init(&b);
	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(
	    myproto_rs_feed(&rs, (const uint8_t *)"\x01", 1, &it, &err),
	    MYPROTO_RS_MORE);
	tb_column(&b, "t", "a", 3);
	assert_int_equal(myproto_rs_feed(&rs, (uint8_t *)b.p, b.len, &it, &err),
	                 MYPROTO_RS_COLUMN);
	assert_int_equal(myproto_rs_feed(&rs,
	                                 (const uint8_t *)"\x01"
	                                                  "1",
	                                 2, &it, &err),
	                 MYPROTO_RS_ROW);
	sbuf_reset(&b);
	sbuf_putc(&b, (char)0xff);
	tb_u16(&b, 1317);
	sbuf_puts(&b, "#70100Query execution was interrupted");
	assert_int_equal(myproto_rs_feed(&rs, (uint8_t *)b.p, b.len, &it, &err),
	                 SL_EIO);
	assert_int_equal(it.srv.code, 1317);
	assert_string_equal(err.msg, "server error 1317 (70100): Query "
	                             "execution was interrupted");

	/* Malformed column definition: the column number is named. */
	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(
	    myproto_rs_feed(&rs, (const uint8_t *)"\x02", 1, &it, &err),
	    MYPROTO_RS_MORE);
	assert_int_equal(myproto_rs_feed(&rs,
	                                 (const uint8_t *)"\x03"
	                                                  "de",
	                                 3, &it, &err),
	                 SL_EPROTO);
	assert_string_equal(err.msg, "column 0: at offset 0: column "
	                             "definition: catalog of 3 bytes runs "
	                             "past the end (2 left)");
	/* Column count zero / garbage. */
	myproto_rs_init(&rs, CAPS_DEOF);
	assert_int_equal(
	    myproto_rs_feed(&rs, (const uint8_t *)"\xfc\x00\x00", 3, &it, &err),
	    SL_EPROTO);
	assert_contains(err.msg, "zero columns");
	sbuf_deinit(&b);
}

static void test_column_and_row_truncations(void **state)
{
	struct sbuf b;
	struct myproto_column col;
	struct sl_err err;

	(void)state;
	sbuf_init(&b);
	tb_column(&b, "tbl", "Position", 8);
	assert_int_equal(
	    myproto_parse_column((uint8_t *)b.p, b.len, &col, &err), 0);
	assert_str(col.table, "tbl");
	assert_str(col.org_table, "tbl");
	assert_str(col.name, "Position");
	assert_int_equal(col.type, 8);
	assert_int_equal(col.flags, 1);
	truncations(K_COLUMN, (uint8_t *)b.p, b.len, b.len - 2);
	/* The fixed block must be 12 bytes or more. */
	b.p[b.len - 13] = 0x0b;
	assert_int_equal(
	    myproto_parse_column((uint8_t *)b.p, b.len, &col, &err), SL_EPROTO);
	assert_contains(err.msg, "fixed-fields length 11");

	sbuf_reset(&b);
	tb_lstr(&b, "binlog.000001");
	sbuf_putc(&b, (char)0xfb);
	tb_lenenc(&b, 300);
	for (int i = 0; i < 300; i++)
		sbuf_putc(&b, 'x');
	truncations(K_ROW3, (uint8_t *)b.p, b.len, b.len);
	truncations(K_COLCOUNT, (const uint8_t *)"\xfd\x01\x00\x01", 4, 4);
	sbuf_deinit(&b);
}

/* Binlog stream packets */

static void test_binlog_packets(void **state)
{
	uint8_t ev[1 + 2 + 19 + 4];
	struct myproto_binlog_packet bp;
	struct sl_err err;
	struct sbuf b;

	(void)state;
	memset(ev, 0, sizeof(ev));
	/* 0x00 + a 23-byte event (header with type 4 = ROTATE). */
	ev[1 + 4] = 4;
	assert_int_equal(myproto_parse_binlog_packet(ev, 24, false, &bp, &err),
	                 MYPROTO_BINLOG_EVENT);
	assert_ptr_equal(bp.ev, ev + 1);
	assert_int_equal(bp.len, 23);
	assert_false(bp.semi_sync);
	truncations(K_BINLOG, ev, 24, 20);

	/* Semi-sync: 0x00 0xef flag event. */
	ev[1] = 0xef;
	ev[2] = 0x01;
	assert_int_equal(
	    myproto_parse_binlog_packet(ev, sizeof(ev), true, &bp, &err),
	    MYPROTO_BINLOG_EVENT);
	assert_true(bp.semi_sync);
	assert_true(bp.need_ack);
	assert_ptr_equal(bp.ev, ev + 3);
	assert_int_equal(bp.len, 23);
	truncations(K_BINLOG_SEMI, ev, sizeof(ev), 22);
	ev[2] = 0x00;
	assert_int_equal(
	    myproto_parse_binlog_packet(ev, sizeof(ev), true, &bp, &err),
	    MYPROTO_BINLOG_EVENT);
	assert_false(bp.need_ack);
	ev[1] = 0x12;
	assert_int_equal(
	    myproto_parse_binlog_packet(ev, sizeof(ev), true, &bp, &err),
	    SL_EPROTO);
	assert_string_equal(err.msg, "at offset 1: binlog stream: semi-sync "
	                             "magic 0x12, expected 0xef");

	/* EOF: end of a non-blocking dump, classic or OK-style. */
	assert_int_equal(
	    myproto_parse_binlog_packet((const uint8_t *)"\xfe\x00\x00\x02\x00",
	                                5, false, &bp, &err),
	    MYPROTO_BINLOG_EOF);
	assert_int_equal(myproto_parse_binlog_packet(
	                     (const uint8_t *)"\xfe\x00\x00\x02\x00\x00\x00", 7,
	                     true, &bp, &err),
	                 MYPROTO_BINLOG_EOF);
	/* ERR 1236 → not found, with the server's words. */
	sbuf_init(&b);
	sbuf_putc(&b, (char)0xff);
	tb_u16(&b, 1236);
	sbuf_puts(&b, "#HY000The slave is connecting using CHANGE MASTER TO "
	              "MASTER_AUTO_POSITION = 1, but the master has purged "
	              "binary logs containing GTIDs that the slave requires.");
	assert_int_equal(myproto_parse_binlog_packet((uint8_t *)b.p, b.len,
	                                             false, &bp, &err),
	                 SL_ENOTFOUND);
	assert_int_equal(bp.srv.code, 1236);
	assert_contains(err.msg, "server error 1236 (HY000): The slave is "
	                         "connecting");
	assert_contains(err.msg, "purged binary logs");
	sbuf_deinit(&b);
	/* Anything else. */
	assert_int_equal(myproto_parse_binlog_packet((const uint8_t *)"\x05", 1,
	                                             false, &bp, &err),
	                 SL_EPROTO);
	assert_contains(err.msg, "packet header 0x05");
	assert_int_equal(myproto_parse_binlog_packet(NULL, 0, false, &bp, &err),
	                 SL_EPROTO);
}

/* Builders */

static void test_build_handshake_response(void **state)
{
	static const uint8_t auth[20] = {1,  2,  3,  4,  5,  6,  7,
	                                 8,  9,  10, 11, 12, 13, 14,
	                                 15, 16, 17, 18, 19, 20};
	static const struct myproto_attr attrs[] = {{"_client_name", "sluice"},
	                                            {"_pid", "42"}};
	struct myproto_login l = {0};
	struct sbuf b;
	struct sl_err err;
	const uint8_t *p;
	size_t off;

	(void)state;
	sbuf_init(&b);
	l.caps = CAPS41 | MYPROTO_CLIENT_PLUGIN_AUTH |
	         MYPROTO_CLIENT_PLUGIN_AUTH_LENENC |
	         MYPROTO_CLIENT_CONNECT_WITH_DB | MYPROTO_CLIENT_CONNECT_ATTRS |
	         MYPROTO_CLIENT_DEPRECATE_EOF | MYPROTO_CLIENT_LONG_PASSWORD;
	l.mariadb_caps = 0x1d; /* not sent: CLIENT_MYSQL is set */
	l.user = "repl";
	l.auth = auth;
	l.auth_len = sizeof(auth);
	l.db = "mysql";
	l.plugin = "mysql_native_password";
	l.attrs = attrs;
	l.n_attrs = 2;
	assert_int_equal(myproto_build_handshake_response(&b, &l, &err), 0);
	p = (const uint8_t *)b.p;
	assert_int_equal(get_u32le(p), l.caps);
	assert_int_equal(get_u32le(p + 4), 1u << 30);
	assert_int_equal(p[8], 45);
	for (int i = 9; i < 32; i++)
		assert_int_equal(p[i], 0);
	off = 32;
	assert_string_equal((const char *)p + off, "repl");
	off += 5;
	assert_int_equal(p[off], 20);
	assert_memory_equal(p + off + 1, auth, 20);
	off += 21;
	assert_string_equal((const char *)p + off, "mysql");
	off += 6;
	assert_string_equal((const char *)p + off, "mysql_native_password");
	off += 22;
	/* attrs: 1+12+1+6 + 1+4+1+2 = 28 bytes */
	assert_int_equal(p[off], 28);
	assert_memory_equal(p + off + 1,
	                    "\x0c_client_name\x06sluice\x04_pid\x02"
	                    "42",
	                    28);
	off += 29;
	assert_int_equal(off, b.len);

	/* MariaDB extended caps go into the filler when CLIENT_MYSQL is off;
	 * no db, no attrs; a long auth response needs LENENC. */
	sbuf_reset(&b);
	l.caps = CAPS41 | MYPROTO_CLIENT_PLUGIN_AUTH;
	assert_int_equal(myproto_build_handshake_response(&b, &l, &err), 0);
	p = (const uint8_t *)b.p;
	assert_int_equal(get_u32le(p + 28), 0x1d);
	assert_int_equal(b.len, 32 + 5 + 21 + 22);
	l.auth_len = 300;
	{
		uint8_t big[300] = {0};

		l.auth = big;
		assert_int_equal(myproto_build_handshake_response(&b, &l, &err),
		                 SL_EINVAL);
		assert_contains(err.msg, "LENENC");
		l.caps |= MYPROTO_CLIENT_PLUGIN_AUTH_LENENC;
		sbuf_reset(&b);
		assert_int_equal(myproto_build_handshake_response(&b, &l, &err),
		                 0);
		assert_memory_equal(b.p + 37, "\xfc\x2c\x01", 3);
	}
	{
		uint8_t *huge = calloc(1, 70000);

		assert_non_null(huge);
		l.auth = huge;
		l.auth_len = 70000;
		sbuf_reset(&b);
		assert_int_equal(myproto_build_handshake_response(&b, &l, &err),
		                 0);
		assert_memory_equal(b.p + 37, "\xfd\x70\x11\x01", 4);
		assert_int_equal(b.len, 32 + 5 + 4 + 70000 + 22);
		free(huge);
	}
	l.user = NULL;
	assert_int_equal(myproto_build_handshake_response(&b, &l, &err),
	                 SL_EINVAL);
	l.user = "u";
	l.caps &= ~MYPROTO_CLIENT_PROTOCOL_41;
	assert_int_equal(myproto_build_handshake_response(&b, &l, &err),
	                 SL_EINVAL);

	/* SSLRequest: the 32-byte prefix. */
	sbuf_reset(&b);
	l.caps = CAPS41 | MYPROTO_CLIENT_SSL | MYPROTO_CLIENT_PLUGIN_AUTH;
	l.charset = 33;
	l.max_packet = 0x01000000;
	assert_int_equal(myproto_build_ssl_request(&b, &l, &err), 0);
	assert_int_equal(b.len, 32);
	assert_int_equal(get_u32le((uint8_t *)b.p), l.caps);
	assert_int_equal(get_u32le((uint8_t *)b.p + 4), 0x01000000);
	assert_int_equal((uint8_t)b.p[8], 33);
	l.caps &= ~MYPROTO_CLIENT_SSL;
	assert_int_equal(myproto_build_ssl_request(&b, &l, &err), SL_EINVAL);
	sbuf_deinit(&b);
}

static void test_build_commands(void **state)
{
	static const uint8_t reg[] = {
	    0x15, 0x92, 0x10, 0x00, 0x00, /* server id 4242 */
	    0x04, 'h',  'o',  's',  't',  /* host */
	    0x04, 'r',  'e',  'p',  'l',  /* user */
	    0x00,                         /* password */
	    0xea, 0x0c,                   /* port 3306 */
	    0x00, 0x00, 0x00, 0x00,       /* rank */
	    0x01, 0x00, 0x00, 0x00};      /* master id */
	static const uint8_t dump[] = {0x12, 0x04, 0x00, 0x00, 0x00, /* pos 4 */
	                               0x03, 0x00, /* non-block | annotate */
	                               0x92, 0x10, 0x00, 0x00, /* server id */
	                               'b',  'i',  'n',  '.',  '0',
	                               '0',  '0',  '0',  '0',  '1'};
	static const uint8_t gtid_set[] = {1, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t dump_gtid[] = {
	    0x1e, 0x04, 0x00,                   /* flags THROUGH_GTID */
	    0x92, 0x10, 0x00, 0x00,             /* server id */
	    0x00, 0x00, 0x00, 0x00,             /* name length */
	    0x04, 0,    0,    0,    0, 0, 0, 0, /* pos 4 */
	    0x08, 0x00, 0x00, 0x00,             /* data length */
	    1,    0,    0,    0,    0, 0, 0, 0};
	static const uint8_t ack[] = {0xef, 0x78, 0x56, 0x34, 0x12, 0x01,
	                              0,    0,    0,    'b',  '.',  '1'};
	struct sbuf b;
	struct sl_err err;
	char long_host[300];

	(void)state;
	sbuf_init(&b);
	assert_int_equal(myproto_build_query(&b, "SELECT 1", 8, &err), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.p, "\x03SELECT 1", 9);
	sbuf_reset(&b);
	assert_int_equal(myproto_build_ping(&b, &err), 0);
	assert_int_equal(myproto_build_quit(&b, &err), 0);
	assert_memory_equal(b.p, "\x0e\x01", 2);

	sbuf_reset(&b);
	assert_int_equal(myproto_build_register_slave(&b, 4242, "host", "repl",
	                                              NULL, 3306, 0, 1, &err),
	                 0);
	assert_int_equal(b.len, sizeof(reg));
	assert_memory_equal(b.p, reg, sizeof(reg));
	memset(long_host, 'h', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	sbuf_reset(&b);
	assert_int_equal(myproto_build_register_slave(&b, 1, long_host, "u", "",
	                                              0, 0, 0, &err),
	                 SL_EINVAL);
	assert_contains(err.msg, "host name of 299 bytes");
	assert_int_equal(b.len, 0);

	sbuf_reset(&b);
	assert_int_equal(
	    myproto_build_binlog_dump(
	        &b, 4, MYPROTO_DUMP_NON_BLOCK | MYPROTO_DUMP_ANNOTATE_ROWS,
	        4242, "bin.000001", &err),
	    0);
	assert_int_equal(b.len, sizeof(dump));
	assert_memory_equal(b.p, dump, sizeof(dump));

	sbuf_reset(&b);
	assert_int_equal(myproto_build_binlog_dump_gtid(
	                     &b, MYPROTO_DUMP_THROUGH_GTID, 4242, "", 4,
	                     gtid_set, sizeof(gtid_set), &err),
	                 0);
	assert_int_equal(b.len, sizeof(dump_gtid));
	assert_memory_equal(b.p, dump_gtid, sizeof(dump_gtid));
	sbuf_reset(&b);
	assert_int_equal(myproto_build_binlog_dump_gtid(&b, 0, 7, "f.1",
	                                                0x1122334455667788ull,
	                                                NULL, 0, &err),
	                 0);
	assert_int_equal(b.len, 1 + 2 + 4 + 4 + 3 + 8 + 4);
	assert_memory_equal(b.p + 7,
	                    "\x03\x00\x00\x00"
	                    "f.1\x88\x77\x66\x55\x44\x33\x22\x11"
	                    "\x00\x00\x00\x00",
	                    19);
	assert_int_equal(
	    myproto_build_binlog_dump_gtid(&b, 0, 7, "f.1", 4, NULL, 3, &err),
	    SL_EINVAL);

	sbuf_reset(&b);
	assert_int_equal(
	    myproto_build_semisync_ack(&b, 0x112345678ull, "b.1", &err), 0);
	assert_int_equal(b.len, sizeof(ack));
	assert_memory_equal(b.p, ack, sizeof(ack));
	assert_int_equal(myproto_build_semisync_ack(&b, 4, "", &err),
	                 SL_EINVAL);
	sbuf_deinit(&b);
}

static void test_build_oom(void **state)
{
	struct sbuf b;
	struct sl_err err;
	int rc;

	(void)state;
	sbuf_init(&b);
	sl_mem_fail_after(1);
	rc = myproto_build_query(&b, "SELECT 1", 8, &err);
	sl_mem_fail_after(0);
	assert_int_equal(rc, SL_ENOMEM);
	assert_string_equal(err.msg, "out of memory building COM_QUERY");
	/* The sbuf stays failed: framing refuses too. */
	{
		uint8_t seq = 0;

		assert_int_equal(myproto_frame_end(&b, 0, &seq, &err),
		                 SL_ENOMEM);
	}
	sbuf_deinit(&b);
}

/* Round trip: client packets the builders make, framed, cut at every
 * byte, read back identical. */
static void test_builders_through_reader(void **state)
{
	struct sbuf out, payloads[4];
	struct sl_err err;
	uint8_t seq = 0;
	size_t at;

	(void)state;
	sbuf_init(&out);
	for (int i = 0; i < 4; i++)
		sbuf_init(&payloads[i]);
	assert_int_equal(
	    myproto_build_query(&payloads[0], "SHOW MASTER STATUS", 18, &err),
	    0);
	assert_int_equal(myproto_build_register_slave(&payloads[1], 9, "h", "u",
	                                              "p", 1, 2, 3, &err),
	                 0);
	assert_int_equal(myproto_build_binlog_dump(&payloads[2], 4, 1, 9,
	                                           "x-bin.000007", &err),
	                 0);
	assert_int_equal(myproto_build_semisync_ack(&payloads[3], 1234,
	                                            "x-bin.000007", &err),
	                 0);
	for (int i = 0; i < 4; i++) {
		at = myproto_frame_begin(&out);
		sbuf_put(&out, payloads[i].p, payloads[i].len);
		assert_int_equal(myproto_frame_end(&out, at, &seq, &err), 0);
	}
	for (size_t cut = 0; cut <= out.len; cut++) {
		struct myproto_reader r;
		const uint8_t *p = (const uint8_t *)out.p;
		size_t pos = 0, got = 0;

		myproto_reader_init(&r, 0);
		while (pos < out.len) {
			size_t end = pos < cut ? cut : out.len;
			struct myproto_packet pkt;
			size_t used;
			int rc = myproto_reader_next(&r, p + pos, end - pos,
			                             &used, &pkt, &err);

			assert_true(rc >= 0);
			pos += used;
			if (rc == 1) {
				assert_int_equal(pkt.len, payloads[got].len);
				assert_memory_equal(pkt.p, payloads[got].p,
				                    pkt.len);
				got++;
			}
		}
		assert_int_equal(got, 4);
		myproto_reader_deinit(&r);
	}
	for (int i = 0; i < 4; i++)
		sbuf_deinit(&payloads[i]);
	sbuf_deinit(&out);
}

/* Live MariaDB: a throwaway server (tests/unit/live_mariadb.h), reached
 * over a plain blocking TCP socket. */

static struct live_mariadb the_live = {.pid = -1, .ctl = -1};

static int live_setup(void **state)
{
	if (live_mariadb_start(
	        &the_live, "myproto",
	        "CREATE USER 'nopw'@'127.0.0.1';"
	        " GRANT ALL ON *.* TO 'nopw'@'127.0.0.1';"
	        " CREATE DATABASE d;"
	        " CREATE TABLE d.t (a INT PRIMARY KEY, b "
	        "VARCHAR(20));"
	        " INSERT INTO d.t VALUES (1, 'x'), (2, NULL);") != 0)
		return -1;
	*state = &the_live;
	return 0;
}

static int live_teardown(void **state)
{
	(void)state;
	return live_mariadb_stop(&the_live);
}

/* One client connection: socket, reader over a receive buffer of `cap`
 * bytes (small caps force split packets), output buffer. */
struct conn {
	int fd;
	struct myproto_reader r;
	uint8_t *buf;
	size_t cap, have, off;
	struct sbuf out;
	uint32_t caps;
	char version[128]; /* server version from the greeting */
	uint8_t scramble[MYPROTO_SCRAMBLE_MAX];
	size_t scramble_len;
};

static void conn_open(struct conn *c, int port, size_t cap)
{
	struct sockaddr_in sa;
	struct timeval tv = {.tv_sec = 15};
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		fail_msg("connect 127.0.0.1:%d: %s", port, strerror(errno));
	c->cap = cap;
	c->buf = malloc(cap);
	assert_non_null(c->buf);
	myproto_reader_init(&c->r, 0);
	sbuf_init(&c->out);
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	myproto_reader_deinit(&c->r);
	sbuf_deinit(&c->out);
}

/* Next packet, receiving as needed.  1 or a negative SL_E*. */
static int conn_read(struct conn *c, struct myproto_packet *pkt,
                     struct sl_err *err)
{
	for (;;) {
		if (c->off < c->have) {
			size_t used;
			int rc = myproto_reader_next(&c->r, c->buf + c->off,
			                             c->have - c->off, &used,
			                             pkt, err);

			c->off += used;
			if (rc != 0)
				return rc;
		}
		/* All consumed: the last packet handed out is dead now. */
		ssize_t n = recv(c->fd, c->buf, c->cap, 0);

		if (n <= 0)
			return sl_err_set(err, SL_EIO, "recv: %s",
			                  n == 0 ? "connection closed"
			                         : strerror(errno));
		c->have = (size_t)n;
		c->off = 0;
	}
}

static void conn_write_all(struct conn *c)
{
	size_t off = 0;

	while (off < c->out.len) {
		ssize_t n =
		    send(c->fd, c->out.p + off, c->out.len - off, MSG_NOSIGNAL);

		if (n <= 0)
			fail_msg("send: %s", strerror(errno));
		off += (size_t)n;
	}
	sbuf_reset(&c->out);
}

/* Frames out[at..] with sequence id seq, sends it; the reader then
 * expects the following id (a new exchange when seq is 0). */
static void conn_send(struct conn *c, size_t at, uint8_t seq)
{
	struct sl_err err;

	assert_int_equal(myproto_frame_end(&c->out, at, &seq, &err), 0);
	conn_write_all(c);
	myproto_reader_reset(&c->r, seq);
}

/* Reads and checks the greeting, sends HandshakeResponse41 for `user`
 * with `plugin` and `auth`, answers an AuthSwitchRequest with an empty
 * response (passwordless user).  0, or the server's error. */
static int live_login(struct conn *c, const char *user, const char *plugin,
                      const uint8_t *auth, size_t auth_len, bool deof,
                      bool *switched, struct sl_err *err)
{
	static const struct myproto_attr attrs[] = {
	    {"_client_name", "sluice-test_myproto"}};
	struct myproto_handshake hs;
	struct myproto_login l;
	struct myproto_packet pkt;
	size_t at;
	int rc;

	*switched = false;
	assert_int_equal(conn_read(c, &pkt, err), 1);
	rc = myproto_parse_handshake(pkt.p, pkt.len, &hs, err);
	if (rc != 0)
		fail_msg("greeting: %s", err->msg);
	assert_int_equal(hs.protocol_version, 10);
	assert_true(hs.is_mariadb);
	assert_false(hs.caps & MYPROTO_CLIENT_MYSQL);
	assert_true(hs.mariadb_caps != 0);
	assert_int_equal(hs.scramble_len, 20);
	assert_str(hs.auth_plugin, "mysql_native_password");
	assert_true(hs.server_version.len < sizeof(c->version));
	memcpy(c->version, hs.server_version.p, hs.server_version.len);
	c->version[hs.server_version.len] = '\0';
	memcpy(c->scramble, hs.scramble, hs.scramble_len);
	c->scramble_len = hs.scramble_len;

	assert_int_equal(
	    myproto_client_caps(&hs, MYPROTO_WANT_DB | MYPROTO_WANT_ATTRS,
	                        &c->caps, err),
	    0);
	assert_true(c->caps & MYPROTO_CLIENT_CONNECT_ATTRS);
	if (!deof)
		c->caps &= ~MYPROTO_CLIENT_DEPRECATE_EOF;
	memset(&l, 0, sizeof(l));
	l.caps = c->caps;
	l.user = user;
	l.auth = auth;
	l.auth_len = auth_len;
	l.db = "d";
	l.plugin = plugin;
	l.attrs = attrs;
	l.n_attrs = 1;
	at = myproto_frame_begin(&c->out);
	assert_int_equal(myproto_build_handshake_response(&c->out, &l, err), 0);
	conn_send(c, at, myproto_reader_seq(&c->r));
	for (;;) {
		struct myproto_auth_switch as;
		struct myproto_errpkt e;
		struct myproto_ok ok;

		assert_int_equal(conn_read(c, &pkt, err), 1);
		assert_true(pkt.len > 0);
		switch (pkt.p[0]) {
		case MYPROTO_OK:
			assert_int_equal(
			    myproto_parse_ok(pkt.p, pkt.len, c->caps, &ok, err),
			    0);
			assert_true(ok.status & MYPROTO_STATUS_AUTOCOMMIT);
			return 0;
		case MYPROTO_ERR:
			assert_int_equal(
			    myproto_parse_err(pkt.p, pkt.len, &e, err), 0);
			return myproto_server_error(&e, err);
		case MYPROTO_EOF:
			assert_false(*switched);
			assert_int_equal(
			    myproto_parse_auth_switch(pkt.p, pkt.len, &as, err),
			    0);
			assert_str(as.plugin, "mysql_native_password");
			assert_int_equal(as.data_len, 21);
			assert_int_equal(as.data[20], 0);
			*switched = true;
			at = myproto_frame_begin(&c->out);
			conn_send(c, at, myproto_reader_seq(&c->r));
			break;
		default: fail_msg("unexpected auth packet 0x%02x", pkt.p[0]);
		}
	}
}

static void login_nopw(struct conn *c, bool deof)
{
	struct sl_err err;
	bool switched;

	/* The user's plugin is native: asking for caching_sha2 makes the
	 * server send an AuthSwitchRequest. */
	if (live_login(c, "nopw", "caching_sha2_password", NULL, 0, deof,
	               &switched, &err) != 0)
		fail_msg("login: %s", err.msg);
	assert_true(switched);
}

/* One text-protocol result, kept as NUL-terminated copies. */
struct result {
	int kind; /* MYPROTO_RS_OK or MYPROTO_RS_DONE */
	size_t n_cols, n_rows;
	char names[8][64];
	char cells[16][8][128]; /* "\\N" for NULL */
	struct myproto_ok ok;
};

static void copy_str(char *dst, size_t cap, const void *p, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/* Runs sql; 0 with *res, or the server's error. */
static int live_query(struct conn *c, const char *sql, struct result *res,
                      struct sl_err *err)
{
	struct myproto_rs rs;
	size_t at;

	memset(res, 0, sizeof(*res));
	at = myproto_frame_begin(&c->out);
	assert_int_equal(myproto_build_query(&c->out, sql, strlen(sql), err),
	                 0);
	conn_send(c, at, 0);
	myproto_rs_init(&rs, c->caps);
	for (;;) {
		struct myproto_packet pkt;
		struct myproto_rs_item it;
		struct myproto_cell cells[8];
		int rc;

		assert_int_equal(conn_read(c, &pkt, err), 1);
		rc = myproto_rs_feed(&rs, pkt.p, pkt.len, &it, err);
		switch (rc) {
		case MYPROTO_RS_MORE: break;
		case MYPROTO_RS_COLUMN:
			assert_true(it.index < 8);
			copy_str(res->names[it.index], 64, it.col.name.p,
			         it.col.name.len);
			res->n_cols = rs.n_cols;
			break;
		case MYPROTO_RS_ROW:
			assert_true(rs.n_cols <= 8 && res->n_rows < 16);
			assert_int_equal(myproto_parse_row(it.row, it.row_len,
			                                   rs.n_cols, cells,
			                                   err),
			                 0);
			for (size_t i = 0; i < rs.n_cols; i++) {
				if (cells[i].is_null)
					copy_str(res->cells[res->n_rows][i],
					         128, "\\N", 2);
				else
					copy_str(res->cells[res->n_rows][i],
					         128, cells[i].p, cells[i].len);
			}
			res->n_rows++;
			break;
		case MYPROTO_RS_OK:
		case MYPROTO_RS_DONE:
			res->kind = rc;
			res->ok = it.ok;
			res->ok.info.p = NULL; /* dead with the packet */
			res->ok.session_state.p = NULL;
			return 0;
		default:
			if (rc < 0)
				return rc;
			fail_msg("rs_feed returned %d", rc);
		}
	}
}

static void query_ok(struct conn *c, const char *sql, struct result *res)
{
	struct sl_err err;

	if (live_query(c, sql, res, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
}

static void test_live_bad_login(void **state)
{
	struct live_mariadb *lv = *state;
	uint8_t junk[20];
	struct conn c;
	struct sl_err err;
	bool switched;

	memset(junk, 'x', sizeof(junk));
	conn_open(&c, lv->port, 65536);
	assert_int_equal(live_login(&c, "sluice", "mysql_native_password", junk,
	                            sizeof(junk), true, &switched, &err),
	                 SL_EIO);
	assert_false(switched);
	assert_string_equal(err.msg, "server error 1045 (28000): Access denied "
	                             "for user 'sluice'@'127.0.0.1' (using "
	                             "password: YES)");
	conn_close(&c);
}

static void run_queries(struct conn *c)
{
	struct result res;
	struct sl_err err;
	size_t at;

	query_ok(c, "SELECT @@version, @@gtid_binlog_pos, NULL AS n, 'a\nb'",
	         &res);
	assert_int_equal(res.kind, MYPROTO_RS_DONE);
	assert_int_equal(res.n_cols, 4);
	assert_int_equal(res.n_rows, 1);
	assert_string_equal(res.names[0], "@@version");
	assert_string_equal(res.names[1], "@@gtid_binlog_pos");
	assert_string_equal(res.names[2], "n");
	/* The greeting says "5.5.5-" + @@version. */
	assert_true(strlen(c->version) > strlen(res.cells[0][0]));
	assert_string_equal(c->version + strlen(c->version) -
	                        strlen(res.cells[0][0]),
	                    res.cells[0][0]);
	assert_true(strncmp(res.cells[0][1], "0-1-", 4) == 0);
	assert_string_equal(res.cells[0][2], "\\N");
	assert_string_equal(res.cells[0][3], "a\nb");

	query_ok(c, "SHOW MASTER STATUS", &res);
	assert_int_equal(res.n_cols, 4);
	assert_int_equal(res.n_rows, 1);
	assert_string_equal(res.names[0], "File");
	assert_string_equal(res.names[1], "Position");
	assert_string_equal(res.names[2], "Binlog_Do_DB");
	assert_string_equal(res.names[3], "Binlog_Ignore_DB");
	assert_string_equal(res.cells[0][0], "myproto-bin.000001");
	assert_true(atol(res.cells[0][1]) > 4);

	query_ok(c, "SELECT a, b FROM t ORDER BY a", &res);
	assert_int_equal(res.n_rows, 2);
	assert_string_equal(res.cells[0][0], "1");
	assert_string_equal(res.cells[0][1], "x");
	assert_string_equal(res.cells[1][1], "\\N");

	query_ok(c, "SET @master_binlog_checksum = @@global.binlog_checksum",
	         &res);
	assert_int_equal(res.kind, MYPROTO_RS_OK);

	assert_int_equal(live_query(c, "SELECT * FROM nosuch.t", &res, &err),
	                 SL_EIO);
	assert_string_equal(err.msg, "server error 1146 (42S02): Table "
	                             "'nosuch.t' doesn't exist");

	at = myproto_frame_begin(&c->out);
	assert_int_equal(myproto_build_ping(&c->out, &err), 0);
	conn_send(c, at, 0);
	{
		struct myproto_packet pkt;
		struct myproto_ok ok;

		assert_int_equal(conn_read(c, &pkt, &err), 1);
		assert_int_equal(
		    myproto_parse_ok(pkt.p, pkt.len, c->caps, &ok, &err), 0);
	}
}

static void test_live_queries(void **state)
{
	struct live_mariadb *lv = *state;
	struct conn c;

	/* DEPRECATE_EOF, large receive buffer: zero-copy packets. */
	conn_open(&c, lv->port, 65536);
	login_nopw(&c, true);
	assert_true(c.caps & MYPROTO_CLIENT_DEPRECATE_EOF);
	run_queries(&c);
	conn_close(&c);
	/* Classic EOF packets, 7-byte receives: every packet reassembled. */
	conn_open(&c, lv->port, 7);
	login_nopw(&c, false);
	run_queries(&c);
	conn_close(&c);
}

/* Sends COM_REGISTER_SLAVE and COM_BINLOG_DUMP after the session setup a
 * MariaDB replica does. */
static void start_dump(struct conn *c, const char *file, uint32_t pos,
                       uint16_t flags, bool semi_sync)
{
	struct result res;
	struct myproto_packet pkt;
	struct myproto_ok ok;
	struct sl_err err;
	size_t at;

	query_ok(c,
	         "SET @master_binlog_checksum = @@global.binlog_checksum, "
	         "@mariadb_slave_capability = 4",
	         &res);
	if (semi_sync)
		query_ok(c, "SET @rpl_semi_sync_slave = 1", &res);
	at = myproto_frame_begin(&c->out);
	assert_int_equal(myproto_build_register_slave(&c->out, 4242,
	                                              "sluice-test", "nopw", "",
	                                              0, 0, 0, &err),
	                 0);
	conn_send(c, at, 0);
	assert_int_equal(conn_read(c, &pkt, &err), 1);
	if (myproto_parse_ok(pkt.p, pkt.len, c->caps, &ok, &err) != 0)
		fail_msg("COM_REGISTER_SLAVE: %s", err.msg);
	at = myproto_frame_begin(&c->out);
	assert_int_equal(
	    myproto_build_binlog_dump(&c->out, pos, flags, 4242, file, &err),
	    0);
	conn_send(c, at, 0);
}

static void test_live_binlog_dump(void **state)
{
	struct live_mariadb *lv = *state;
	struct conn c;
	struct result res;
	char file[64];
	uint32_t end_pos, last_pos = 0;
	int n_events = 0;

	conn_open(&c, lv->port, 65536);
	login_nopw(&c, true);
	query_ok(&c, "SHOW MASTER STATUS", &res);
	copy_str(file, sizeof(file), res.cells[0][0], strlen(res.cells[0][0]));
	end_pos = (uint32_t)atol(res.cells[0][1]);
	start_dump(&c, file, 4, MYPROTO_DUMP_NON_BLOCK, false);
	for (;;) {
		struct myproto_packet pkt;
		struct myproto_binlog_packet bp;
		struct sl_err err;
		int rc;

		assert_int_equal(conn_read(&c, &pkt, &err), 1);
		rc = myproto_parse_binlog_packet(pkt.p, pkt.len, false, &bp,
		                                 &err);
		if (rc == MYPROTO_BINLOG_EOF)
			break;
		if (rc != MYPROTO_BINLOG_EVENT)
			fail_msg("dump: %s", err.msg);
		assert_false(pkt.copied);
		/* The common header's event size is the slice's length. */
		assert_int_equal(get_u32le(bp.ev + 9), bp.len);
		if (n_events == 0) {
			/* Artificial ROTATE (flag 0x20) naming the file. */
			assert_int_equal(bp.ev[4], 4);
			assert_true(get_u16le(bp.ev + 17) & 0x20);
			assert_memory_equal(bp.ev + 19 + 8, file, strlen(file));
		} else if (n_events == 1) {
			assert_int_equal(bp.ev[4], 15); /* FDE */
		}
		if (get_u32le(bp.ev + 13) != 0)
			last_pos = get_u32le(bp.ev + 13);
		n_events++;
	}
	assert_true(n_events > 4);
	/* The non-blocking dump ran to the end of the binlog. */
	assert_int_equal(last_pos, end_pos);
	conn_close(&c);

	/* A file that does not exist: 1236, not found. */
	conn_open(&c, lv->port, 65536);
	login_nopw(&c, true);
	start_dump(&c, "nosuch-bin.000001", 4, MYPROTO_DUMP_NON_BLOCK, false);
	{
		struct myproto_packet pkt;
		struct myproto_binlog_packet bp;
		struct sl_err err;

		assert_int_equal(conn_read(&c, &pkt, &err), 1);
		assert_int_equal(myproto_parse_binlog_packet(pkt.p, pkt.len,
		                                             false, &bp, &err),
		                 SL_ENOTFOUND);
		assert_int_equal(bp.srv.code, 1236);
		assert_contains(err.msg, "server error 1236 (HY000): ");
		assert_contains(err.msg, "Could not find first log file name "
		                         "in binary log index file");
	}
	conn_close(&c);
}

/* Reads dump packets on c until an event that wants a semi-sync ack;
 * returns its end position (header log_pos). */
static uint32_t read_until_ack(struct conn *c, int *n_events)
{
	for (;;) {
		struct myproto_packet pkt;
		struct myproto_binlog_packet bp;
		struct sl_err err;
		int rc;

		if (conn_read(c, &pkt, &err) != 1)
			fail_msg("semi-sync dump: %s", err.msg);
		rc = myproto_parse_binlog_packet(pkt.p, pkt.len, true, &bp,
		                                 &err);
		if (rc != MYPROTO_BINLOG_EVENT)
			fail_msg("semi-sync dump: rc %d: %s", rc, err.msg);
		assert_true(bp.semi_sync);
		(*n_events)++;
		if (bp.need_ack) {
			assert_int_equal(bp.ev[4], 16); /* XID ends the trx */
			/* The source restarts its ids after this packet. */
			myproto_reader_expect(&c->r, 1);
			return get_u32le(bp.ev + 13);
		}
	}
}

static void send_query_nowait(struct conn *c, const char *sql)
{
	struct sl_err err;
	size_t at = myproto_frame_begin(&c->out);

	assert_int_equal(myproto_build_query(&c->out, sql, strlen(sql), &err),
	                 0);
	conn_send(c, at, 0);
}

static void read_ok(struct conn *c)
{
	struct myproto_packet pkt;
	struct myproto_ok ok;
	struct sl_err err;

	assert_int_equal(conn_read(c, &pkt, &err), 1);
	if (myproto_parse_ok(pkt.p, pkt.len, c->caps, &ok, &err) != 0)
		fail_msg("expected OK: %s", err.msg);
	assert_int_equal(ok.affected_rows, 1);
}

static void send_ack(struct conn *c, uint32_t pos, const char *file)
{
	struct sl_err err;
	uint8_t seq = 0;
	size_t at = myproto_frame_begin(&c->out);

	assert_int_equal(myproto_build_semisync_ack(&c->out, pos, file, &err),
	                 0);
	assert_int_equal(myproto_frame_end(&c->out, at, &seq, &err), 0);
	conn_write_all(c);
}

static void test_live_semisync(void **state)
{
	struct live_mariadb *lv = *state;
	struct conn a, b;
	struct result res;
	char file[64];
	int n_events = 0;
	uint32_t pos;
	struct timeval t0, t1;

	conn_open(&b, lv->port, 65536);
	login_nopw(&b, true);
	/* Enabled here, not at server start: with no replica yet, every
	 * commit would wait out the timeout. */
	query_ok(&b,
	         "SET GLOBAL rpl_semi_sync_master_timeout = 5000, "
	         "GLOBAL rpl_semi_sync_master_enabled = 1",
	         &res);
	query_ok(&b, "SHOW MASTER STATUS", &res);
	copy_str(file, sizeof(file), res.cells[0][0], strlen(res.cells[0][0]));
	pos = (uint32_t)atol(res.cells[0][1]);

	conn_open(&a, lv->port, 65536);
	login_nopw(&a, true);
	start_dump(&a, file, pos, 0, true);

	for (int trx = 0; trx < 3; trx++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%d, 'y')",
		         10 + trx);
		send_query_nowait(&b, sql);
		pos = read_until_ack(&a, &n_events);
		gettimeofday(&t0, NULL);
		send_ack(&a, pos, file);
		read_ok(&b); /* the commit waited for our ack */
		gettimeofday(&t1, NULL);
		assert_true(t1.tv_sec - t0.tv_sec < 4);
	}
	query_ok(&b, "SHOW STATUS LIKE 'Rpl_semi_sync_master_yes_tx'", &res);
	assert_int_equal(res.n_rows, 1);
	assert_string_equal(res.cells[0][1], "3");
	query_ok(&b, "SET GLOBAL rpl_semi_sync_master_enabled = 0", &res);
	conn_close(&a);
	conn_close(&b);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
	    cmocka_unit_test(test_reader_single_zero_copy),
	    cmocka_unit_test(test_reader_every_split),
	    cmocka_unit_test(test_reader_byte_at_a_time),
	    cmocka_unit_test(test_reader_sequence),
	    cmocka_unit_test(test_reader_max_len),
	    cmocka_unit_test(test_reader_oom),
	    cmocka_unit_test(test_multi_frame),
	    cmocka_unit_test(test_frame_small),
	    cmocka_unit_test(test_handshake_mysql8),
	    cmocka_unit_test(test_handshake_mariadb),
	    cmocka_unit_test(test_handshake_bad),
	    cmocka_unit_test(test_ok),
	    cmocka_unit_test(test_ok_lenenc_round_trip),
	    cmocka_unit_test(test_err),
	    cmocka_unit_test(test_eof),
	    cmocka_unit_test(test_auth_switch_more),
	    cmocka_unit_test(test_resultset),
	    cmocka_unit_test(test_resultset_other),
	    cmocka_unit_test(test_column_and_row_truncations),
	    cmocka_unit_test(test_binlog_packets),
	    cmocka_unit_test(test_build_handshake_response),
	    cmocka_unit_test(test_build_commands),
	    cmocka_unit_test(test_build_oom),
	    cmocka_unit_test(test_builders_through_reader),
	};
	const struct CMUnitTest live[] = {
	    cmocka_unit_test(test_live_bad_login),
	    cmocka_unit_test(test_live_queries),
	    cmocka_unit_test(test_live_binlog_dump),
	    cmocka_unit_test(test_live_semisync),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	rc = cmocka_run_group_tests_name("myproto", offline, NULL, NULL);
	rc |= cmocka_run_group_tests_name("myproto_live", live, live_setup,
	                                  live_teardown);
	return rc;
}

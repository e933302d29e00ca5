/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_route.c: key hashes and worker choice (core/route.c).
 * Hand-built images: equal keys in different encodings hash equally
 * (BINARY padding, CHAR spaces, ASCII case, integer widths, -0.0), the
 * table identity and every key part count, prefixes, long keys (streaming
 * path = one-shot path), errors; route_row for each op, MINIMAL after
 * images, key changes; an even spread of sequential integer keys over
 * 16/64 workers (chi-square).  Real rows: the MariaDB fixtures (read in
 * place from $SL_FIXTURES) decoded through core/decode.h: every UPDATE
 * whose key bytes did not change hashes before == after, the ones that
 * changed differ, and every image whose key prints the same text hashes
 * the same in every event.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "core/route.h"
#include "core/sbuf.h"
#include "core/value.h"
#include "io/binlog_file.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define UTF8MB4 45 /* utf8mb4_general_ci */
#define LATIN1  8  /* latin1_swedish_ci */
#define UTF16   54 /* utf16_general_ci */

/* --- building images by hand ------------------------------------------ */

static struct table_map mk_tm(const char *db, const char *table,
                              struct column *cols, uint32_t n)
{
	struct table_map tm;

	memset(&tm, 0, sizeof(tm));
	tm.db.p = db;
	tm.db.len = (uint32_t)strlen(db);
	tm.table.p = table;
	tm.table.len = (uint32_t)strlen(table);
	tm.cols = cols;
	tm.n_cols = n;
	return tm;
}

static struct column col(uint8_t type, uint16_t meta, uint16_t charset,
                         int is_unsigned)
{
	struct column c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.meta = meta;
	c.charset = charset;
	c.is_unsigned = (uint8_t)is_unsigned;
	return c;
}

static struct cell val(const void *p, uint32_t len)
{
	return (struct cell){.p = p, .len = len, .state = CELL_VALUE};
}

/* A string cell with a 1-byte length prefix, written into buf. */
static struct cell str1(uint8_t *buf, const void *s, size_t n)
{
	buf[0] = (uint8_t)n;
	memcpy(buf + 1, s, n);
	return val(buf, (uint32_t)n + 1);
}

/* A string cell with a 2-byte length prefix (VARCHAR(>=256 bytes)). */
static struct cell str2(uint8_t *buf, const void *s, size_t n)
{
	buf[0] = (uint8_t)n;
	buf[1] = (uint8_t)(n >> 8);
	memcpy(buf + 2, s, n);
	return val(buf, (uint32_t)n + 2);
}

/* Hash of img with key columns cols[0..n) (no prefixes). */
static uint64_t hash_of(const struct table_map *tm, const uint32_t *cols,
                        uint32_t n, const struct cell *img)
{
	struct route_key k;
	struct sl_err err;
	uint64_t h;

	assert_int_equal(route_key_init(&k, tm, cols, NULL, n, &err), 0);
	if (route_hash(&k, tm, img, &h, &err) != 0)
		fail_msg("route_hash: %s", err.msg);
	return h;
}

static uint64_t hash_col0(const struct table_map *tm, const struct cell *img)
{
	static const uint32_t c0 = 0;

	return hash_of(tm, &c0, 1, img);
}

/* --- normalisation ----------------------------------------------------- */

/* BINARY(4) 'ab': the server strips the zero padding from the image; a
 * padded image of the same value hashes the same. */
static void test_binary_padding(void **state)
{
	struct column c = col(COL_STRING, 4, COL_CHARSET_BINARY, 0);
	struct table_map tm = mk_tm("db", "t", &c, 1);
	uint8_t b1[8], b2[8], b3[8], b4[8];
	struct cell stripped = str1(b1, "ab", 2);
	struct cell padded = str1(b2, "ab\0\0", 4);
	struct cell spaced = str1(b3, "ab ", 3);
	struct cell inner = str1(b4, "a\0b", 3);

	assert_true(hash_col0(&tm, &stripped) == hash_col0(&tm, &padded));
	/* binary strings keep spaces and inner zeros */
	assert_true(hash_col0(&tm, &stripped) != hash_col0(&tm, &spaced));
	assert_true(hash_col0(&tm, &stripped) != hash_col0(&tm, &inner));

	/* VARBINARY keeps trailing zeros: 'ab' and 'ab\0' are two keys */
	c = col(COL_VARCHAR, 10, COL_CHARSET_BINARY, 0);
	padded = str1(b2, "ab\0", 3);
	assert_true(hash_col0(&tm, &stripped) != hash_col0(&tm, &padded));
}

/* CHAR/VARCHAR/TEXT in a character set: trailing spaces (PAD SPACE) and
 * ASCII case do not make another key. */
static void test_text_padding_and_case(void **state)
{
	struct column c = col(COL_STRING, 40, UTF8MB4, 0);
	struct table_map tm = mk_tm("db", "t", &c, 1);
	uint8_t b1[64], b2[64], b3[64], blob[64];
	struct cell a = str1(b1, "Key-42", 6);
	struct cell b = str1(b2, "kEY-42   ", 9);
	struct cell d = str1(b3, "key-43", 6);
	uint64_t ha = hash_col0(&tm, &a);

	assert_true(ha == hash_col0(&tm, &b));
	assert_true(ha != hash_col0(&tm, &d));

	/* the same under VARCHAR with a 2-byte length prefix: the prefix
	 * width is not part of the value */
	c = col(COL_VARCHAR, 1000, UTF8MB4, 0);
	b = str2(b2, "KEY-42 ", 7);
	assert_true(ha == hash_col0(&tm, &b));

	/* TEXT: 2-byte length prefix (meta 2) */
	c = col(COL_BLOB, 2, LATIN1, 0);
	blob[0] = 6;
	blob[1] = 0;
	memcpy(blob + 2, "KEY-42", 6);
	b = val(blob, 8);
	assert_true(ha == hash_col0(&tm, &b));

	/* UTF-16: a space is 00 20, 'A' 00 41 */
	c = col(COL_STRING, 40, UTF16, 0);
	a = str1(b1, "\0a\0b", 4);
	b = str1(b2, "\0A\0b\0 \0 ", 8);
	assert_true(hash_col0(&tm, &a) == hash_col0(&tm, &b));

	/* non-ASCII bytes are not folded: 'é' (c3 a9) vs 'É' (c3 89) */
	c = col(COL_STRING, 40, UTF8MB4, 0);
	a = str1(b1, "\xc3\xa9", 2);
	b = str1(b2, "\xc3\x89", 2);
	assert_true(hash_col0(&tm, &a) != hash_col0(&tm, &b));
}

/* Integers hash by value: widths and stored bytes do not matter, the
 * column's signedness does. */
static void test_integers(void **state)
{
	struct column c;
	struct table_map tm = mk_tm("db", "t", &c, 1);
	static const uint8_t m1_8[8] = {0xff, 0xff, 0xff, 0xff,
	                                0xff, 0xff, 0xff, 0xff};
	static const uint8_t v255[4] = {0xff, 0, 0, 0};
	static const uint8_t v42be[2] = {0, 42}, v42le[8] = {42};
	uint64_t h;

	c = col(COL_TINY, 0, 0, 0);
	struct cell tiny = val(m1_8, 1);
	h = hash_col0(&tm, &tiny); /* -1 */
	c = col(COL_SHORT, 0, 0, 0);
	struct cell sh = val(m1_8, 2);
	assert_true(h == hash_col0(&tm, &sh));
	c = col(COL_INT24, 0, 0, 0);
	struct cell i24 = val(m1_8, 3);
	assert_true(h == hash_col0(&tm, &i24));
	c = col(COL_LONG, 0, 0, 0);
	struct cell lg = val(m1_8, 4);
	assert_true(h == hash_col0(&tm, &lg));
	c = col(COL_LONGLONG, 0, 0, 0);
	struct cell ll = val(m1_8, 8);
	assert_true(h == hash_col0(&tm, &ll));
	/* BIGINT UNSIGNED 2^64-1 has the same 64 bits: a harmless merge */
	c = col(COL_LONGLONG, 0, 0, 1);
	assert_true(h == hash_col0(&tm, &ll));

	/* TINYINT UNSIGNED 255 is not -1, but is INT 255 */
	c = col(COL_TINY, 0, 0, 1);
	h = hash_col0(&tm, &tiny);
	c = col(COL_TINY, 0, 0, 0);
	assert_true(h != hash_col0(&tm, &tiny));
	c = col(COL_LONG, 0, 0, 0);
	struct cell l255 = val(v255, 4);
	assert_true(h == hash_col0(&tm, &l255));

	/* BIT is big-endian, ENUM/SET little-endian, both by value */
	c = col(COL_BIT, (2 << 8) | 0, 0, 0);
	struct cell bit = val(v42be, 2);
	h = hash_col0(&tm, &bit);
	c = col(COL_ENUM, 1, 0, 0);
	struct cell en = val(v42le, 1);
	assert_true(h == hash_col0(&tm, &en));
	c = col(COL_SET, 8, 0, 0);
	struct cell set = val(v42le, 8);
	assert_true(h == hash_col0(&tm, &set));
}

static void test_floats(void **state)
{
	struct column c = col(COL_DOUBLE, 8, 0, 0);
	struct table_map tm = mk_tm("db", "t", &c, 1);
	double pz = 0.0, nz = -0.0, d15 = 1.5;
	float f15 = 1.5f;
	struct cell a = val(&pz, 8), b = val(&nz, 8), d = val(&d15, 8);
	uint64_t h15 = hash_col0(&tm, &d);

	assert_true(hash_col0(&tm, &a) == hash_col0(&tm, &b));
	assert_true(hash_col0(&tm, &a) != h15);
	c = col(COL_FLOAT, 4, 0, 0);
	d = val(&f15, 4);
	assert_true(h15 == hash_col0(&tm, &d));
}

/* DECIMAL and temporal values hash by their bytes. */
static void test_bytes_types(void **state)
{
	/* DECIMAL(5,2): 123.45 and 123.46 in packed form */
	static const uint8_t d1[3] = {0x80, 0x7b, 0x2d},
	                     d2[3] = {0x80, 0x7b, 0x2e};
	static const uint8_t dt1[5] = {0x99, 0xb1, 0x6e, 0x00, 0x00};
	struct column c = col(COL_NEWDECIMAL, (5 << 8) | 2, 0, 0);
	struct table_map tm = mk_tm("db", "t", &c, 1);
	struct cell a = val(d1, 3), b = val(d2, 3), a2 = val(d1, 3);

	assert_true(hash_col0(&tm, &a) == hash_col0(&tm, &a2));
	assert_true(hash_col0(&tm, &a) != hash_col0(&tm, &b));
	c = col(COL_DATETIME2, 0, 0, 0);
	a = val(dt1, 5);
	assert_true(hash_col0(&tm, &a) != 0);
}

/* The table's identity is in the hash: db and name, not table_id. */
static void test_table_identity(void **state)
{
	struct column c = col(COL_LONG, 0, 0, 0);
	static const uint8_t one[4] = {1};
	struct cell v = val(one, 4);
	struct table_map t1 = mk_tm("shop", "orders", &c, 1);
	struct table_map t2 = mk_tm("shop", "items", &c, 1);
	struct table_map t3 = mk_tm("crm", "orders", &c, 1);
	struct table_map t4 = mk_tm("shopo", "rders", &c, 1);
	struct table_map t1b = mk_tm("shop", "orders", &c, 1);
	uint64_t h1;

	t1.table_id = 70;
	t1b.table_id = 71; /* the same table after a re-map */
	h1 = hash_col0(&t1, &v);
	assert_true(h1 == hash_col0(&t1b, &v));
	assert_true(h1 != hash_col0(&t2, &v));
	assert_true(h1 != hash_col0(&t3, &v));
	assert_true(h1 != hash_col0(&t4, &v));
}

/* Composite keys: every part, its position and NULL count. */
static void test_composite_and_null(void **state)
{
	struct column cs[3] = {col(COL_LONG, 0, 0, 0),
	                       col(COL_VARCHAR, 20, UTF8MB4, 0),
	                       col(COL_LONG, 0, 0, 0)};
	struct table_map tm = mk_tm("db", "t", cs, 3);
	static const uint8_t one[4] = {1}, two[4] = {2};
	uint8_t sb[8], eb[8];
	struct cell img1[3] = {val(one, 4), str1(sb, "x", 1), val(two, 4)};
	struct cell img2[3] = {val(two, 4), str1(sb, "x", 1), val(one, 4)};
	struct cell img3[3] = {val(one, 4), str1(sb, "x", 1), val(one, 4)};
	static const uint32_t k02[2] = {0, 2}, k20[2] = {2, 0}, k1[1] = {1};
	struct cell nul = {.state = CELL_NULL}, empty = str1(eb, "", 0);

	assert_true(hash_of(&tm, k02, 2, img1) != hash_of(&tm, k02, 2, img2));
	assert_true(hash_of(&tm, k02, 2, img1) == hash_of(&tm, k20, 2, img2));
	assert_true(hash_of(&tm, k02, 2, img1) != hash_of(&tm, k02, 2, img3));
	/* a non-key column does not count */
	img3[1] = nul;
	img3[2] = val(two, 4);
	static const uint32_t k0[1] = {0};
	assert_true(hash_of(&tm, k0, 1, img1) == hash_of(&tm, k0, 1, img3));
	/* NULL is not the empty string */
	img1[1] = nul;
	img2[1] = empty;
	assert_true(hash_of(&tm, k1, 1, img1) != hash_of(&tm, k1, 1, img2));
}

/* PRIMARY KEY (t(10)): rows equal on the first 10 characters share a
 * worker whatever follows. */
static void test_prefix(void **state)
{
	struct column c = col(COL_BLOB, 2, UTF8MB4, 0);
	struct table_map tm = mk_tm("db", "t", &c, 1);
	uint8_t b1[32] = {13, 0}, b2[32] = {13, 0}, b3[32] = {13, 0};
	static const uint32_t k0 = 0, p10 = 10;
	struct route_key k;
	uint64_t h1, h2, h3;

	memcpy(b1 + 2, "0123456789abc", 13);
	memcpy(b2 + 2, "0123456789xyz", 13);
	memcpy(b3 + 2, "0123456788abc", 13);
	struct cell c1 = val(b1, 15), c2 = val(b2, 15), c3 = val(b3, 15);
	assert_int_equal(route_key_init(&k, &tm, &k0, &p10, 1, NULL), 0);
	assert_int_equal(route_hash(&k, &tm, &c1, &h1, NULL), 0);
	assert_int_equal(route_hash(&k, &tm, &c2, &h2, NULL), 0);
	assert_int_equal(route_hash(&k, &tm, &c3, &h3, NULL), 0);
	assert_true(h1 == h2);
	assert_true(h1 != h3);
	/* without the prefix they are different keys */
	assert_true(hash_col0(&tm, &c1) != hash_col0(&tm, &c2));
}

/* A key longer than the internal buffer is hashed through the streaming
 * state: same bytes, same hash as one call over the normalised form. */
static void test_long_key(void **state)
{
	enum { N = 3000 };
	struct column cs[2] = {col(COL_LONG, 0, 0, 0),
	                       col(COL_VARCHAR, 4000, UTF8MB4, 0)};
	struct table_map tm = mk_tm("db", "long", cs, 2);
	static const uint32_t k[2] = {0, 1};
	static const uint8_t seven[4] = {7};
	static uint8_t up[N + 2], low[N + 2], norm[N + 64];
	static char s[N];
	struct route_key rk;
	size_t n = 0;
	uint64_t h;

	for (int i = 0; i < N; i++)
		s[i] = (char)('A' + i % 26);
	struct cell img1[2] = {val(seven, 4), str2(up, s, N)};
	for (int i = 0; i < N; i++)
		s[i] = (char)('a' + i % 26);
	struct cell img2[2] = {val(seven, 4), str2(low, s, N)};
	h = hash_of(&tm, k, 2, img1);
	assert_true(h == hash_of(&tm, k, 2, img2));

	/* the documented normalised form, hashed in one call */
	norm[n++] = 1;
	memcpy(norm + n, "\x07\0\0\0\0\0\0\0", 8);
	n += 8;
	norm[n++] = 1;
	norm[n++] = (uint8_t)(N & 0xff);
	norm[n++] = (uint8_t)(N >> 8);
	norm[n++] = 0;
	norm[n++] = 0;
	memcpy(norm + n, s, N);
	n += N;
	assert_int_equal(route_key_init(&rk, &tm, k, NULL, 2, NULL), 0);
	assert_true(h == XXH3_64bits_withSeed(norm, n, rk.seed));
}

static void test_errors(void **state)
{
	struct column cs[2] = {col(COL_LONG, 0, 0, 0), col(COL_JSON, 4, 0, 0)};
	struct table_map tm = mk_tm("db", "t", cs, 2);
	struct table_map tm1 = mk_tm("db", "t", cs, 1);
	static const uint32_t k0 = 0, k1 = 1, k00[2] = {0, 0}, k5 = 5;
	static const uint32_t k33[33] = {0};
	static const uint8_t one[4] = {1};
	struct cell img[2] = {val(one, 4), {.state = CELL_ABSENT}};
	struct route_key k;
	struct sl_err err;
	uint64_t h;

	assert_int_equal(route_key_init(&k, &tm, &k0, NULL, 0, &err),
	                 SL_EINVAL);
	assert_int_equal(route_key_init(&k, &tm, k33, NULL, 33, &err),
	                 SL_EINVAL);
	assert_int_equal(route_key_init(&k, &tm, &k5, NULL, 1, &err),
	                 SL_EINVAL);
	assert_non_null(strstr(err.msg, "db.t: key column 5"));
	assert_int_equal(route_key_init(&k, &tm, k00, NULL, 2, &err),
	                 SL_EINVAL);

	assert_int_equal(route_key_init(&k, &tm, &k1, NULL, 1, &err), 0);
	assert_int_equal(route_hash(&k, &tm, img, &h, &err), SL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "absent"));
	img[1].state = CELL_JSON_DIFF;
	assert_int_equal(route_hash(&k, &tm, img, &h, &err), SL_EUNSUPPORTED);
	/* the key outlived its table version */
	assert_int_equal(route_hash(&k, &tm1, img, &h, &err), SL_EINVAL);
	/* an integer cell of the wrong size */
	assert_int_equal(route_key_init(&k, &tm, &k0, NULL, 1, &err), 0);
	img[0] = val(one, 0);
	assert_int_equal(route_hash(&k, &tm, img, &h, &err), SL_EPROTO);
	/* err may be NULL */
	assert_int_equal(route_hash(&k, &tm, img, &h, NULL), SL_EPROTO);
}

/* --- route_row ---------------------------------------------------------- */

static void test_route_row(void **state)
{
	struct column cs[2] = {col(COL_LONG, 0, 0, 0),
	                       col(COL_VARCHAR, 20, UTF8MB4, 0)};
	struct table_map tm = mk_tm("db", "t", cs, 2);
	static const uint32_t k0 = 0;
	static const uint8_t one[4] = {1}, two[4] = {2};
	uint8_t sb[8], sb2[8];
	struct cell before[2] = {val(one, 4), str1(sb, "old", 3)};
	struct cell after[2] = {val(one, 4), str1(sb2, "new", 3)};
	struct cell minimal[2] = {{.state = CELL_ABSENT}, str1(sb2, "new", 3)};
	struct row_change row = {.tm = &tm};
	struct route_hashes h;
	struct route_key k;
	struct sl_err err;
	uint64_t h1;

	assert_int_equal(route_key_init(&k, &tm, &k0, NULL, 1, &err), 0);
	assert_int_equal(route_hash(&k, &tm, before, &h1, &err), 0);

	row.op = ROW_INSERT;
	row.after = after;
	assert_int_equal(route_row(&k, &row, &h, &err), 0);
	assert_true(h.before == h1 && h.after == h1 && !h.key_changed);

	row.op = ROW_DELETE;
	row.after = NULL;
	row.before = before;
	assert_int_equal(route_row(&k, &row, &h, &err), 0);
	assert_true(h.before == h1 && h.after == h1 && !h.key_changed);

	/* a non-key column changed */
	row.op = ROW_UPDATE;
	row.after = after;
	assert_int_equal(route_row(&k, &row, &h, &err), 0);
	assert_true(h.before == h1 && h.after == h1 && !h.key_changed);

	/* MINIMAL after image: the key column is absent, so unchanged */
	row.after = minimal;
	assert_int_equal(route_row(&k, &row, &h, &err), 0);
	assert_true(h.before == h1 && h.after == h1 && !h.key_changed);

	/* the key changed: 1 -> 2 */
	after[0] = val(two, 4);
	row.after = after;
	assert_int_equal(route_row(&k, &row, &h, &err), 0);
	assert_true(h.before == h1 && h.after != h1 && h.key_changed);

	/* a MINIMAL before image lacking the key cannot be routed */
	row.before = minimal;
	assert_int_equal(route_row(&k, &row, &h, &err), SL_ENOTFOUND);

	/* missing images, unknown op */
	row.op = ROW_UPDATE;
	row.before = NULL;
	assert_int_equal(route_row(&k, &row, &h, &err), SL_EINVAL);
	row.op = 99;
	row.before = before;
	assert_int_equal(route_row(&k, &row, &h, &err), SL_EINVAL);
	row.tm = NULL;
	assert_int_equal(route_row(&k, &row, &h, &err), SL_EINVAL);
}

/* --- distribution -------------------------------------------------------- */

/* Chi-square of n sequential BIGINT keys over w workers. */
static double chi_square(const struct route_key *k, const struct table_map *tm,
                         uint32_t w, uint32_t n)
{
	uint64_t count[256] = {0};
	double chi = 0, exp = (double)n / w;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = i, h;
		struct cell c = val(&v, 8);
		uint32_t wk;

		assert_int_equal(route_hash(k, tm, &c, &h, NULL), 0);
		wk = route_worker(h, w);
		assert_true(wk < w);
		count[wk]++;
	}
	for (uint32_t i = 0; i < w; i++)
		chi +=
		    ((double)count[i] - exp) * ((double)count[i] - exp) / exp;
	return chi;
}

static void test_distribution(void **state)
{
	struct column c = col(COL_LONGLONG, 0, 0, 0);
	struct table_map tm = mk_tm("shop", "orders", &c, 1);
	static const uint32_t k0 = 0;
	static const uint32_t ws[] = {16, 64, 10, 7, 256};
	struct route_key k;

	assert_int_equal(route_key_init(&k, &tm, &k0, NULL, 1, NULL), 0);
	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
		uint32_t w = ws[i], df = w - 1;
		double chi = chi_square(&k, &tm, w, 200000);
		/* about 5 standard deviations (sd = sqrt(2 df)) over the
		 * mean: a uniform spread fails this less than once in 10^5 */
		double bound = df + 5.0 * sqrt(2.0 * df);

		print_message("%3u workers: chi-square %.1f (df %u, bound "
		              "%.1f)\n",
		              w, chi, df, bound);
		assert_true(chi < bound);
	}
	/* the range ends */
	assert_int_equal(route_worker(0, 16), 0);
	assert_int_equal(route_worker(UINT64_MAX, 16), 15);
	assert_int_equal(route_worker(UINT64_MAX, 1), 0);
	assert_int_equal(route_worker(UINT64_MAX, UINT32_MAX), UINT32_MAX - 1);
}

/* --- real rows ------------------------------------------------------------ */

static const char *fixtures(void)
{
	const char *d = getenv("SL_FIXTURES");

	return d ? d : "../shared/fixtures/binlog";
}

struct seen {
	char *text; /* "db.table\tkey text" */
	uint64_t hash;
};

struct fixture_stats {
	uint64_t rows, keyed, updates_same, updates_changed, skipped;
	struct seen *seen;
	size_t n_seen, cap_seen;
};

/* The key's text per value_format, to find equal keys across events. */
static void key_text(const struct route_key *k, const struct table_map *tm,
                     const struct cell *img, const struct cell *alt,
                     struct sbuf *o)
{
	sbuf_reset(o);
	sbuf_printf(o, "%s.%s\t", tm->db.p, tm->table.p);
	for (uint32_t i = 0; i < k->n_cols; i++) {
		const struct cell *c = &img[k->cols[i]];

		if (c->state == CELL_ABSENT && alt)
			c = &alt[k->cols[i]];
		if (c->state == CELL_NULL)
			sbuf_puts(o, "NULL");
		else
			assert_int_equal(value_format(&tm->cols[k->cols[i]],
			                              c->p, c->len, VALUE_SQL,
			                              o, NULL),
			                 0);
		sbuf_puts(o, "\x1f");
	}
}

static void remember(struct fixture_stats *st, struct sbuf *text, uint64_t h)
{
	if (st->n_seen == st->cap_seen) {
		st->cap_seen = st->cap_seen ? 2 * st->cap_seen : 1024;
		st->seen = realloc(st->seen, st->cap_seen * sizeof(*st->seen));
		assert_non_null(st->seen);
	}
	st->seen[st->n_seen].text = strdup(sbuf_cstr(text));
	assert_non_null(st->seen[st->n_seen].text);
	st->seen[st->n_seen++].hash = h;
}

/* Key bytes of a column unchanged between the images (absent = kept). */
static int same_cell(const struct cell *b, const struct cell *a)
{
	if (a->state == CELL_ABSENT)
		return 1;
	return a->state == b->state &&
	       (a->state != CELL_VALUE ||
	        (a->len == b->len && memcmp(a->p, b->p, a->len) == 0));
}

/* Primary keys of the run-B tables (binlog_row_metadata=MINIMAL writes
 * no key metadata), from its workload_compressed.sql; t_nopk has none. */
static const struct {
	const char *db, *table;
	uint32_t col;
} minimal_pks[] = {
    {"cz", "t1", 0},
    {"cz", "t_bulk", 0},
    {"cz", "t_par", 0},
};

/* The key columns of row's table: the table map's primary key when the
 * binlog has it (binlog_row_metadata=FULL), else the workload's; 0 for a
 * table without a primary key. */
static uint32_t key_cols(const struct row_change *row, uint32_t *cols)
{
	const struct table_map *tm = row->tm;

	if (tm->n_pk > 0 && tm->n_pk <= ROUTE_MAX_KEY_COLS) {
		memcpy(cols, tm->pk, tm->n_pk * sizeof(*cols));
		return tm->n_pk;
	}
	for (size_t i = 0; i < sizeof(minimal_pks) / sizeof(minimal_pks[0]);
	     i++)
		if (strcmp(tm->db.p, minimal_pks[i].db) == 0 &&
		    strcmp(tm->table.p, minimal_pks[i].table) == 0) {
			cols[0] = minimal_pks[i].col;
			return 1;
		}
	return 0;
}

static void check_row(const struct row_change *row, struct fixture_stats *st,
                      struct sbuf *o, const char *rel)
{
	uint32_t cols[ROUTE_MAX_KEY_COLS], n;
	struct route_hashes h;
	struct route_key k;
	struct sl_err err;
	int same = 1;

	st->rows++;
	n = key_cols(row, cols);
	if (n == 0) {
		st->skipped++;
		return;
	}
	if (route_key_init(&k, row->tm, cols, NULL, n, &err) != 0 ||
	    route_row(&k, row, &h, &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
	st->keyed++;
	if (row->op == ROW_UPDATE) {
		for (uint32_t i = 0; i < n; i++)
			same &= same_cell(&row->before[cols[i]],
			                  &row->after[cols[i]]);
		if (same && (h.before != h.after || h.key_changed))
			fail_msg("%s: %s.%s: UPDATE with an unchanged key "
			         "hashes differently",
			         rel, row->tm->db.p, row->tm->table.p);
		if (!same && !h.key_changed)
			fail_msg("%s: %s.%s: UPDATE that changed the key "
			         "hashes the same",
			         rel, row->tm->db.p, row->tm->table.p);
		if (!same)
			print_message("key changed: %s.%s\n", row->tm->db.p,
			              row->tm->table.p);
		st->updates_same += same;
		st->updates_changed += !same;
	}
	if (row->before) {
		key_text(&k, row->tm, row->before, NULL, o);
		remember(st, o, h.before);
	}
	if (row->after) {
		key_text(&k, row->tm, row->after, row->before, o);
		remember(st, o, h.after);
	}
}

static void decode_file(const char *rel, struct fixture_stats *st)
{
	char path[4096];
	struct binlog_file *f = NULL;
	struct decoder *dc = decoder_new();
	struct sl_err err;
	struct sbuf o;
	const uint8_t *buf;
	size_t len;
	uint64_t pos;
	int rc;

	assert_non_null(dc);
	sbuf_init(&o);
	snprintf(path, sizeof(path), "%s/%s", fixtures(), rel);
	if (binlog_file_open(path, &f, &err) != 0)
		fail_msg("%s", err.msg);
	while ((rc = binlog_file_next(f, &buf, &len, &pos, &err)) > 0) {
		const struct event *ev;
		struct row_change row;

		if (decoder_feed(dc, buf, len, pos, &err) != 0)
			fail_msg("%s: %s", rel, err.msg);
		while ((rc = decoder_next(dc, &ev, &err)) > 0) {
			if (ev->kind != DEC_ROWS)
				continue;
			while ((rc = decoder_row(dc, &row, &err)) > 0)
				check_row(&row, st, &o, rel);
			if (rc < 0)
				fail_msg("%s: %s", rel, err.msg);
		}
		if (rc < 0)
			fail_msg("%s: %s", rel, err.msg);
	}
	if (rc < 0)
		fail_msg("%s: %s", rel, err.msg);
	binlog_file_close(f);
	decoder_free(dc);
	sbuf_deinit(&o);
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->text,
	              ((const struct seen *)b)->text);
}

static void test_fixture_rows(void **state)
{
	static const char *const files[] = {
	    "mariadb-10.11-generated/row-full-crc32/mariadb-bin.000001",
	    "mariadb-10.11-generated/row-full-crc32/mariadb-bin.000002",
	    "mariadb-10.11-generated/row-minimal-compressed-nochecksum/"
	    "mariadb-bin.000001",
	    "mariadb-10.11-generated/row-minimal-compressed-nochecksum/"
	    "mariadb-bin.000002",
	};
	struct fixture_stats st;
	uint64_t groups = 0;

	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		decode_file(files[i], &st);

	/* every image of one key, in whatever event, hashed the same */
	qsort(st.seen, st.n_seen, sizeof(*st.seen), cmp_seen);
	for (size_t i = 1; i < st.n_seen; i++) {
		if (strcmp(st.seen[i].text, st.seen[i - 1].text) != 0)
			continue;
		groups++;
		if (st.seen[i].hash != st.seen[i - 1].hash)
			fail_msg("key %s hashed two ways", st.seen[i].text);
	}
	print_message("%llu rows, %llu keyed (%llu without a known key); "
	              "UPDATEs: %llu same key, %llu key changed; %zu key "
	              "images, %llu repeats hashed alike\n",
	              (unsigned long long)st.rows, (unsigned long long)st.keyed,
	              (unsigned long long)st.skipped,
	              (unsigned long long)st.updates_same,
	              (unsigned long long)st.updates_changed, st.n_seen,
	              (unsigned long long)groups);
	assert_true(st.updates_same >= 200);
	/* fx.t_part: id 1 -> 21; fx.t_versioned: the key is (id, row_end)
	 * and a DELETE is logged as an UPDATE of row_end */
	assert_true(st.updates_changed >= 2);
	assert_true(groups >= 200);
	for (size_t i = 0; i < st.n_seen; i++)
		free(st.seen[i].text);
	free(st.seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_binary_padding),
	    cmocka_unit_test(test_text_padding_and_case),
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_floats),
	    cmocka_unit_test(test_bytes_types),
	    cmocka_unit_test(test_table_identity),
	    cmocka_unit_test(test_composite_and_null),
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_long_key),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_route_row),
	    cmocka_unit_test(test_distribution),
	    cmocka_unit_test(test_fixture_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

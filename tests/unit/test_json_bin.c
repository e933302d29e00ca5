/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_json_bin.c: MySQL binary JSON and PARTIAL_UPDATE_ROWS
 * diffs to text (core/json_bin.c).
 * Documents come from the format description: hand-written byte arrays
 * (with their layout spelled out) and a small test-side encoder for large,
 * deep and generated shapes.  A few cells are read in place from the real
 * MySQL 8 binlogs in $SL_FIXTURES.  Every input is copied to an exact-size
 * heap block first, so ASAN flags any read past its end.  Malformed input
 * must give SL_EPROTO and leave the output buffer as it was.
 */
#include "core/json_bin.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- running the converter ---------------------------------------------- */

#define PRE "pre:" /* output must be appended after, and kept on error */

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

static void check_doc(const uint8_t *p, size_t n, const char *want)
{
	struct sl_err err = {0};
	struct sbuf b;
	uint8_t *q = dup_exact(p, n);
	int rc;

	sbuf_init(&b);
	sbuf_puts(&b, PRE);
	rc = json_bin_to_text(q, n, &b, &err);
	if (rc != 0)
		fail_msg("want %s, got rc %d: %s", want, rc, err.msg);
	assert_true(sbuf_ok(&b));
	assert_string_equal(sbuf_cstr(&b) + strlen(PRE), want);
	sbuf_deinit(&b);
	free(q);
}

/* Returns the error message (static) so callers can look into it. */
static const char *check_bad(const uint8_t *p, size_t n, const char *part)
{
	static struct sl_err err;
	struct sbuf b;
	uint8_t *q = dup_exact(p, n);
	int rc;

	memset(&err, 0, sizeof(err));
	sbuf_init(&b);
	sbuf_puts(&b, PRE);
	rc = json_bin_to_text(q, n, &b, &err);
	if (rc != SL_EPROTO)
		fail_msg("want SL_EPROTO (%s), got rc %d, text %s", part, rc,
		         sbuf_cstr(&b));
	assert_int_equal(err.code, SL_EPROTO);
	assert_string_equal(sbuf_cstr(&b), PRE);
	assert_non_null(strstr(err.msg, "json: "));
	assert_non_null(strstr(err.msg, "offset "));
	if (part != NULL && strstr(err.msg, part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
	sbuf_deinit(&b);
	free(q);
	return err.msg;
}

#define DOC(want, ...)                                                         \
	do {                                                                   \
		static const uint8_t d_[] = {__VA_ARGS__};                     \
		check_doc(d_, sizeof(d_), want);                               \
	} while (0)

#define BAD(part, ...)                                                         \
	do {                                                                   \
		static const uint8_t d_[] = {__VA_ARGS__};                     \
		check_bad(d_, sizeof(d_), part);                               \
	} while (0)

/* ---- a test-side encoder (json_binary::serialize, small and large) ----- */

/* A value: its type byte and its bytes after the type byte. */
struct jv {
	uint8_t type;
	const uint8_t *p;
	size_t len;
};

static uint8_t arena[1 << 20];
static size_t arena_used;

static uint8_t *take(size_t n)
{
	uint8_t *p;

	assert_true(arena_used + n <= sizeof(arena));
	p = arena + arena_used;
	arena_used += n;
	return p;
}

static int setup_arena(void **state)
{
	arena_used = 0;
	return 0;
}

static struct jv jv_raw(uint8_t type, const void *p, size_t len)
{
	uint8_t *q = take(len);

	memcpy(q, p, len);
	return (struct jv){type, q, len};
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct jv jv_int(uint8_t type, uint64_t v)
{
	static const uint8_t width[] = {
	    [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4,
	    [0x08] = 4, [0x09] = 8, [0x0a] = 8};
	uint8_t b[8];

	put_le(b, v, width[type]);
	return jv_raw(type, b, width[type]);
}

static struct jv jv_dbl(double d)
{
	return jv_raw(0x0b, &d, 8);
}

static size_t put_varlen(uint8_t *p, size_t v)
{
	size_t n = 0;

	do {
		p[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

static struct jv jv_strn(const char *s, size_t n)
{
	uint8_t *q = take(n + 5);
	size_t h = put_varlen(q, n);

	memcpy(q + h, s, n);
	return (struct jv){0x0c, q, h + n};
}

static struct jv jv_str(const char *s)
{
	return jv_strn(s, strlen(s));
}

static struct jv jv_opaque(uint8_t ft, const void *data, size_t n)
{
	uint8_t *q = take(n + 6);
	size_t h;

	q[0] = ft;
	h = 1 + put_varlen(q + 1, n);
	memcpy(q + h, data, n);
	return (struct jv){0x0f, q, h + n};
}

static bool inlined(uint8_t type, bool large)
{
	return type == 0x04 || type == 0x05 || type == 0x06 ||
	       (large && (type == 0x07 || type == 0x08));
}

/* keys == NULL makes an array. */
static struct jv jv_container(bool large, size_t n, const char *const *keys,
                              const struct jv *vals)
{
	size_t os = large ? 4 : 2, hdr, total, off, ve;
	uint8_t *p;

	hdr = 2 * os + (keys ? n * (os + 2) : 0) + n * (1 + os);
	total = hdr;
	for (size_t i = 0; i < n; i++) {
		if (keys)
			total += strlen(keys[i]);
		if (!inlined(vals[i].type, large))
			total += vals[i].len;
	}
	p = take(total);
	memset(p, 0, hdr);
	put_le(p, n, os);
	put_le(p + os, total, os);
	off = hdr;
	for (size_t i = 0; keys && i < n; i++) {
		size_t kl = strlen(keys[i]);

		put_le(p + 2 * os + i * (os + 2), off, os);
		put_le(p + 2 * os + i * (os + 2) + os, kl, 2);
		memcpy(p + off, keys[i], kl);
		off += kl;
	}
	ve = 2 * os + (keys ? n * (os + 2) : 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = p + ve + i * (1 + os);

		e[0] = vals[i].type;
		if (inlined(vals[i].type, large)) {
			memcpy(e + 1, vals[i].p, vals[i].len);
			continue;
		}
		put_le(e + 1, off, os);
		memcpy(p + off, vals[i].p, vals[i].len);
		off += vals[i].len;
	}
	assert_int_equal(off, total);
	return (struct jv){large ? (keys ? 0x01 : 0x03) : (keys ? 0x00 : 0x02),
	                   p, total};
}

static struct jv jv_arr(bool large, size_t n, const struct jv *vals)
{
	return jv_container(large, n, NULL, vals);
}

static struct jv jv_obj(bool large, size_t n, const char *const *keys,
                        const struct jv *vals)
{
	return jv_container(large, n, keys, vals);
}

/* The document: type byte, then the value. */
static const uint8_t *jv_doc(struct jv v, size_t *n)
{
	uint8_t *p = take(v.len + 1);

	p[0] = v.type;
	memcpy(p + 1, v.p, v.len);
	*n = v.len + 1;
	return p;
}

static void check_jv(struct jv v, const char *want)
{
	size_t n;
	const uint8_t *p = jv_doc(v, &n);

	check_doc(p, n, want);
}

/* ---- scalars ------------------------------------------------------------- */

static void test_literals_and_ints(void **state)
{
	DOC("null", 0x04, 0x00);
	DOC("true", 0x04, 0x01);
	DOC("false", 0x04, 0x02);
	DOC("-32768", 0x05, 0x00, 0x80);
	DOC("32767", 0x05, 0xff, 0x7f);
	DOC("65535", 0x06, 0xff, 0xff);
	DOC("-2147483648", 0x07, 0x00, 0x00, 0x00, 0x80);
	DOC("4294967295", 0x08, 0xff, 0xff, 0xff, 0xff);
	DOC("-9223372036854775808", 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80);
	DOC("9223372036854775807", 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0x7f);
	DOC("18446744073709551615", 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff);
	DOC("0", 0x0a, 0, 0, 0, 0, 0, 0, 0, 0);
	DOC("\"abc\"", 0x0c, 0x03, 'a', 'b', 'c');
	DOC("\"\"", 0x0c, 0x00);
	/* A scalar may be followed by unused bytes; MySQL ignores them. */
	DOC("7", 0x05, 0x07, 0x00, 0xee);
	/* No bytes at all: SQL NULL's JSON text. */
	check_doc((const uint8_t *)"", 0, "null");
}

static void test_doubles(void **state)
{
	/* Expected text from a model of my_gcvt(.., 34) over shortest
	 * round-trip digits, plus the ".0" Json_wrapper adds. */
	static const struct {
		double d;
		const char *want;
	} cases[] = {
	    {3.14, "3.14"},
	    {1e100, "1e100"},
	    {0.1, "0.1"},
	    {-0.0, "-0.0"},
	    {0.0, "0.0"},
	    {2.0, "2.0"},
	    {-1.5, "-1.5"},
	    {100.0, "100.0"},
	    {1e14, "100000000000000.0"},
	    {1e15, "1e15"},
	    {1e16, "1e16"},
	    {1e21, "1e21"},
	    {1e23, "1e23"},
	    {1e-5, "0.00001"},
	    {0.001, "0.001"},
	    {1e-15, "0.000000000000001"},
	    {1e-16, "1e-16"},
	    {5e-324, "5e-324"},
	    {DBL_MAX, "1.7976931348623157e308"},
	    {DBL_MIN, "2.2250738585072014e-308"},
	    {0.1 + 0.2, "0.30000000000000004"},
	    {1.0 / 3, "0.3333333333333333"},
	    {1.2345678901234567e-7, "0.00000012345678901234566"},
	    {9007199254740992.0, "9.007199254740992e15"},
	    {1234567890123456.8, "1234567890123456.8"},
	    {123456789012345.67, "123456789012345.67"},
	    {12345678.9, "12345678.9"},
	    {1.5e300, "1.5e300"},
	    {-2.5e-300, "-2.5e-300"},
	    /* Powers of two where the nearest 16-digit decimal does not
	     * read back but the one on the other side does. */
	    {0x1p-1017, "7.120236347223045e-307"},
	    {0x1p-808, "5.858190679279809e-244"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t doc[9] = {0x0b};

		memcpy(doc + 1, &cases[i].d, 8);
		check_doc(doc, sizeof(doc), cases[i].want);
	}
}

static void test_double_round_trip(void **state)
{
	/* Whatever the format, the text must read back as the same value;
	 * a fixed xorshift walk over random bit patterns. */
	uint64_t x = 88172645463325252ULL;

	for (int i = 0; i < 20000; i++) {
		uint8_t doc[9] = {0x0b};
		struct sbuf b;
		double d, back;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&d, &x, 8);
		if (d != d || d - d != 0) /* NaN, inf: tested as errors */
			continue;
		memcpy(doc + 1, &d, 8);
		sbuf_init(&b);
		assert_int_equal(json_bin_to_text(doc, 9, &b, NULL), 0);
		back = strtod(sbuf_cstr(&b), NULL);
		if (memcmp(&back, &d, 8) != 0)
			fail_msg("%a printed as %s", d, sbuf_cstr(&b));
		sbuf_deinit(&b);
	}
}

static void test_strings(void **state)
{
	/* MySQL's escapes; other control bytes as lowercase \u00xx; DEL and
	 * UTF-8 (2, 3 and 4 bytes) copied as they are. */
	DOC("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\\u0000\x7f "
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\"",
	    0x0c, 22, '"', '\\', '\b', '\f', '\n', '\r', '\t', 0x01, 0x1f, 0x00,
	    0x7f, ' ', 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80,
	    '/');

	/* 300 bytes: a two-byte length, 0xac 0x02. */
	char s[301];
	uint8_t doc[303] = {0x0c, 0xac, 0x02};
	char want[303];

	memset(s, 'x', 300);
	s[300] = '\0';
	memcpy(doc + 3, s, 300);
	snprintf(want, sizeof(want), "\"%s\"", s);
	check_doc(doc, sizeof(doc), want);

	/* A length spelled with a needless continuation byte still reads. */
	DOC("\"a\"", 0x0c, 0x81, 0x00, 'a');
}

/* ---- objects and arrays ------------------------------------------------- */

static void test_small_object_by_hand(void **state)
{
	/* {"a": 1, "b": [1, 2]}: count 2, size 30; key entries (18, 1),
	 * (19, 1); value entries int16 1 inlined, small array at 20; keys;
	 * the array: count 2, size 10, two inlined int16. */
	DOC("{\"a\": 1, \"b\": [1, 2]}", 0x00, 0x02, 0x00, 0x1e,
	    0x00,                              /* count, size */
	    0x12, 0x00, 0x01, 0x00,            /* key "a" */
	    0x13, 0x00, 0x01, 0x00,            /* key "b" */
	    0x05, 0x01, 0x00,                  /* int16 1 */
	    0x02, 0x14, 0x00,                  /* small array at 20 */
	    'a', 'b',                          /* keys */
	    0x02, 0x00, 0x0a, 0x00,            /* array: count, size */
	    0x05, 0x01, 0x00, 0x05, 0x02, 0x00 /* 1, 2 */
	);
	DOC("{}", 0x00, 0x00, 0x00, 0x04, 0x00);
	DOC("[]", 0x02, 0x00, 0x00, 0x04, 0x00);
	DOC("{}", 0x01, 0, 0, 0, 0, 0x08, 0, 0, 0);
	DOC("[]", 0x03, 0, 0, 0, 0, 0x08, 0, 0, 0);
	/* Inlined literals in an array; the second entry byte is unused. */
	DOC("[null, true, false]", 0x02, 0x03, 0x00, 0x0d, 0x00, 0x04, 0x00,
	    0x00, 0x04, 0x01, 0x00, 0x04, 0x02, 0x00);
}

static void test_inlining_rules(void **state)
{
	/* Large array: int32 and uint32 are inlined in the 4-byte field. */
	DOC("[-5, 4000000000]", 0x03, 0x02, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00,
	    0x00, 0x07, 0xfb, 0xff, 0xff, 0xff, 0x08, 0x00, 0x28, 0x6b, 0xee);
	/* Small array: int32 is stored at an offset (7). */
	DOC("[-5]", 0x02, 0x01, 0x00, 0x0b, 0x00, 0x07, 0x07, 0x00, 0xfb, 0xff,
	    0xff, 0xff);
	/* Large array: int16 inlined in the low two bytes of four. */
	DOC("[-2, 9]", 0x03, 0x02, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00,
	    0x05, 0xfe, 0xff, 0x00, 0x00, 0x06, 0x09, 0x00, 0x00, 0x00);
}

static void test_every_type_small_and_large(void **state)
{
	static const char *const keys[] = {"d",   "f",   "i16", "i32", "i64",
	                                   "n",   "s",   "t",   "u16", "u32",
	                                   "u64", "arr", "obj"};
	for (int large = 0; large <= 1; large++) {
		const struct jv inner[] = {
		    jv_str("x"),
		    jv_int(0x07, (uint32_t)-7),
		    jv_arr(!large, 0, NULL),
		};
		static const char *const ik[] = {"k"};
		const struct jv ivals[] = {jv_int(0x04, 0x01)};
		const struct jv vals[] = {
		    jv_dbl(2.5),
		    jv_int(0x04, 0x02),
		    jv_int(0x05, (uint16_t)-300),
		    jv_int(0x07, (uint32_t)-70000),
		    jv_int(0x09, (uint64_t)-5000000000LL),
		    jv_int(0x04, 0x00),
		    jv_str("h\xc3\xa9"),
		    jv_int(0x04, 0x01),
		    jv_int(0x06, 65000),
		    jv_int(0x08, 4000000000u),
		    jv_int(0x0a, 18000000000000000000ull),
		    jv_arr(large, 3, inner),
		    jv_obj(!large, 1, ik, ivals),
		};

		check_jv(jv_obj(large, 13, keys, vals),
		         "{\"d\": 2.5, \"f\": false, \"i16\": -300, "
		         "\"i32\": -70000, \"i64\": -5000000000, \"n\": null, "
		         "\"s\": \"h\xc3\xa9\", \"t\": true, \"u16\": 65000, "
		         "\"u32\": 4000000000, "
		         "\"u64\": 18000000000000000000, "
		         "\"arr\": [\"x\", -7, []], \"obj\": {\"k\": true}}");
	}
}

static void test_keys_escaped(void **state)
{
	static const char *const keys[] = {"", "a\"b", "\n", "\xe2\x82\xac"};
	const struct jv vals[] = {jv_int(0x05, 1), jv_int(0x05, 2),
	                          jv_int(0x05, 3), jv_int(0x05, 4)};

	check_jv(jv_obj(false, 4, keys, vals),
	         "{\"\": 1, \"a\\\"b\": 2, \"\\n\": 3, \"\xe2\x82\xac\": 4}");
}

static struct jv nest(int depth, bool large, bool obj)
{
	static const char *const k[] = {"a"};
	struct jv v = obj ? jv_obj(large, 0, k, NULL) : jv_arr(large, 0, NULL);

	for (int i = 1; i < depth; i++)
		v = obj ? jv_obj(large, 1, k, &v) : jv_arr(large, 1, &v);
	return v;
}

static void test_nesting_limit(void **state)
{
	char want[1024];
	size_t n;
	const uint8_t *p;

	/* 100 levels is MySQL's own maximum and must print. */
	memset(want, '[', 100);
	memset(want + 100, ']', 100);
	want[200] = '\0';
	check_jv(nest(100, false, false), want);
	check_jv(nest(100, true, false), want);

	/* One more is refused, for every container form. */
	for (int f = 0; f < 4; f++) {
		p = jv_doc(nest(101, f & 1, f & 2), &n);
		check_bad(p, n, "nested deeper than 100");
	}
}

/* ---- OPAQUE ---------------------------------------------------------------
 */

/* decimal2bin for a digit string (no sign, no point): precision, scale,
 * then groups, sign bit, inversion for negatives.  Test-side encoder. */
static size_t enc_decimal(uint8_t *out, unsigned prec, unsigned scale, bool neg,
                          const char *intpart, const char *fracpart)
{
	static const uint8_t d2b[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
	unsigned intg = prec - scale;
	char digits[80];
	size_t o = 2, il = strlen(intpart), fl = strlen(fracpart), pos = 0;

	out[0] = (uint8_t)prec;
	out[1] = (uint8_t)scale;
	/* Left-pad the integer part to intg digits, right-pad the fraction
	 * to scale digits. */
	memset(digits, '0', intg - il);
	memcpy(digits + intg - il, intpart, il);
	memcpy(digits + intg, fracpart, fl);
	memset(digits + intg + fl, '0', scale - fl);

	unsigned sizes[20], ng = 0;

	if (intg % 9)
		sizes[ng++] = intg % 9;
	for (unsigned i = 0; i < intg / 9 + scale / 9; i++)
		sizes[ng++] = 9;
	if (scale % 9)
		sizes[ng++] = scale % 9;
	for (unsigned g = 0; g < ng; g++) {
		uint32_t v = 0;
		unsigned nb = d2b[sizes[g]];

		for (unsigned i = 0; i < sizes[g]; i++)
			v = v * 10 + (uint32_t)(digits[pos++] - '0');
		for (unsigned i = 0; i < nb; i++)
			out[o + i] = (uint8_t)(v >> (8 * (nb - 1 - i)));
		o += nb;
	}
	if (neg)
		for (size_t i = 2; i < o; i++)
			out[i] = (uint8_t)~out[i];
	out[2] ^= 0x80;
	return o;
}

static void check_decimal(unsigned prec, unsigned scale, bool neg,
                          const char *ip, const char *fp, const char *want)
{
	uint8_t dec[40];
	size_t n = enc_decimal(dec, prec, scale, neg, ip, fp);

	check_jv(jv_opaque(246, dec, n), want);
}

static void test_opaque_decimal(void **state)
{
	/* By hand: DECIMAL(6,3) 123.456 = 0x807b, 0x01c8 (as in the
	 * json-opaque.binlog fixture), and its negative, all bits flipped
	 * except that the sign bit ends up clear. */
	DOC("123.456", 0x0f, 0xf6, 0x06, 0x06, 0x03, 0x80, 0x7b, 0x01, 0xc8);
	DOC("-123.456", 0x0f, 0xf6, 0x06, 0x06, 0x03, 0x7f, 0x84, 0xfe, 0x37);
	/* DECIMAL(11,2) 0.09: one full integer group of zeros. */
	DOC("0.09", 0x0f, 0xf6, 0x07, 0x0b, 0x02, 0x80, 0x00, 0x00, 0x00, 0x09);

	check_decimal(5, 2, false, "", "", "0.00");
	check_decimal(4, 4, false, "", "5", "0.5000");
	check_decimal(10, 0, true, "7", "", "-7");
	check_decimal(1, 0, false, "9", "", "9");
	check_decimal(18, 9, false, "123456789", "987654321",
	              "123456789.987654321");
	check_decimal(20, 10, true, "1234567890", "0000000001",
	              "-1234567890.0000000001");
	check_decimal(65, 0, false,
	              "12345678901234567890123456789012345678901234567890"
	              "123456789012345",
	              "",
	              "12345678901234567890123456789012345678901234567890"
	              "123456789012345");
	check_decimal(65, 30, true, "99999999999999999999999999999999999",
	              "999999999999999999999999999999",
	              "-99999999999999999999999999999999999."
	              "999999999999999999999999999999");
}

static void test_opaque_decimal_bad(void **state)
{
	/* Wrong size for DECIMAL(6,3) (needs 4 bytes). */
	BAD("needs 4 bytes", 0x0f, 0xf6, 0x05, 0x06, 0x03, 0x80, 0x7b, 0x01);
	BAD("needs 4 bytes", 0x0f, 0xf6, 0x07, 0x06, 0x03, 0x80, 0x7b, 0x01,
	    0xc8, 0x00);
	/* Precision 0, scale above precision, precision above 65. */
	BAD("out of range", 0x0f, 0xf6, 0x02, 0x00, 0x00);
	BAD("out of range", 0x0f, 0xf6, 0x03, 0x01, 0x02, 0x80);
	BAD("out of range", 0x0f, 0xf6, 0x03, 66, 0x00, 0x80);
	/* Fraction group of one digit holding 10. */
	BAD("digit group", 0x0f, 0xf6, 0x04, 0x02, 0x01, 0x81, 0x0a);
	/* Full group above 999999999. */
	BAD("digit group", 0x0f, 0xf6, 0x06, 0x09, 0x00, 0xbb, 0x9a, 0xca,
	    0x00);
	/* No precision/scale bytes. */
	BAD("decimal", 0x0f, 0xf6, 0x01, 0x06);
}

static uint64_t pack_dt(unsigned y, unsigned mo, unsigned d, unsigned h,
                        unsigned mi, unsigned s, unsigned us)
{
	uint64_t ymd = ((uint64_t)(y * 13 + mo) << 5) | d;
	uint64_t hms = ((uint64_t)h << 12) | (mi << 6) | s;

	return (((ymd << 17) | hms) << 24) + us;
}

static void check_temporal(uint8_t ft, uint64_t packed, const char *want)
{
	uint8_t b[8];

	put_le(b, packed, 8);
	check_jv(jv_opaque(ft, b, 8), want);
}

static void test_opaque_temporal(void **state)
{
	check_temporal(10, pack_dt(2015, 1, 15, 0, 0, 0, 0), "\"2015-01-15\"");
	check_temporal(10, 0, "\"0000-00-00\"");
	check_temporal(12, pack_dt(2015, 1, 15, 23, 24, 25, 0),
	               "\"2015-01-15 23:24:25.000000\"");
	check_temporal(12, pack_dt(9999, 12, 31, 23, 59, 59, 999999),
	               "\"9999-12-31 23:59:59.999999\"");
	check_temporal(7, pack_dt(1970, 1, 1, 0, 0, 1, 500),
	               "\"1970-01-01 00:00:01.000500\"");
	check_temporal(11, pack_dt(0, 0, 0, 23, 24, 25, 0),
	               "\"23:24:25.000000\"");
	check_temporal(
	    11, (uint64_t) - (int64_t)pack_dt(0, 0, 0, 838, 59, 59, 500000),
	    "\"-838:59:59.500000\"");
	check_temporal(11, pack_dt(0, 0, 0, 1, 2, 3, 4), "\"01:02:03.000004\"");

	/* The packed values in json-opaque.binlog (little-endian bytes). */
	DOC("\"2012-03-18\"", 0x0f, 0x0a, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0xe4, 0x8b, 0x19);
	DOC("\"2012-03-18 11:30:45.000000\"", 0x0f, 0x0c, 0x08, 0x00, 0x00,
	    0x00, 0xad, 0xb7, 0xe4, 0x8b, 0x19);
	DOC("\"87:31:46.654321\"", 0x0f, 0x0b, 0x08, 0xf1, 0xfb, 0x09, 0xee,
	    0x77, 0x05, 0x00, 0x00);
}

static void test_opaque_temporal_bad(void **state)
{
	uint8_t b[8];
	size_t n;
	const uint8_t *p;
	static const struct {
		uint8_t ft;
		uint64_t packed;
	} bad[] = {
	    {12, ((uint64_t)10000 * 13) << 46}, /* year 10000 */
	    {12, ((uint64_t)(2015 * 13 + 1) << 46) | (24ull << 36)},
	    {12, ((uint64_t)(2015 * 13 + 1) << 46) | 1000000},
	    {12, (uint64_t) - (int64_t)(((uint64_t)(2015 * 13 + 1)) << 46)},
	    {11, (60ull << 30)}, /* minute 60 */
	    {11, (61ull << 24)}, /* second 61 */
	    {10, 0xffffff},      /* 16777215 microseconds */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_le(b, bad[i].packed, 8);
		p = jv_doc(jv_opaque(bad[i].ft, b, 8), &n);
		check_bad(p, n, NULL);
	}
	/* Seven bytes instead of eight. */
	BAD("not 8", 0x0f, 0x0c, 0x07, 0, 0, 0, 0, 0, 0, 0);
}

static void test_opaque_other(void **state)
{
	uint8_t data[58];
	char want[200];

	/* From json-opaque.binlog: {"a": VARCHAR opaque "U"}. */
	DOC("{\"a\": \"base64:type15:VQ==\"}", 0x00, 0x01, 0x00, 0x0f, 0x00,
	    0x0b, 0x00, 0x01, 0x00, 0x0f, 0x0c, 0x00, 'a', 0x0f, 0x01, 0x55);
	check_jv(jv_opaque(252, "", 0), "\"base64:type252:\"");
	check_jv(jv_opaque(252, "a", 1), "\"base64:type252:YQ==\"");
	check_jv(jv_opaque(252, "ab", 2), "\"base64:type252:YWI=\"");
	check_jv(jv_opaque(16, "abc", 3), "\"base64:type16:YWJj\"");
	check_jv(jv_opaque(255, "\xff\xfe", 2), "\"base64:type255://4=\"");

	/* MySQL's base64 breaks lines after 76 characters (57 bytes); in a
	 * JSON string the newline is escaped. */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	check_jv(jv_opaque(252, data, 57),
	         "\"base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	         "gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\"");
	snprintf(want, sizeof(want), "%s",
	         "\"base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	         "gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\\nOQ==\"");
	check_jv(jv_opaque(252, data, 58), want);

	/* VAR_STRING (253) opaque values print as plain strings. */
	check_jv(jv_opaque(253, "hi\"", 3), "\"hi\\\"\"");

	/* Bad opaque framing. */
	BAD("opaque", 0x0f);
	BAD("bad length", 0x0f, 0xfc);
	BAD("runs past", 0x0f, 0xfc, 0x03, 'a', 'b');
}

/* ---- malformed documents ------------------------------------------------ */

static void test_bad_types_and_literals(void **state)
{
	static const uint8_t types[] = {0x0d, 0x0e, 0x10, 0x20, 0x7f, 0xff};

	for (size_t i = 0; i < sizeof(types); i++) {
		uint8_t top[3] = {types[i], 0, 0};
		uint8_t arr[8] = {0x02, 0x01,     0x00, 0x07,
		                  0x00, types[i], 0x00, 0x00};
		const char *msg;

		check_bad(top, sizeof(top), "unknown value type");
		/* In an entry: reported at the entry (document offset 5). */
		msg = check_bad(arr, sizeof(arr), "unknown value type");
		assert_non_null(strstr(msg, "document offset 5)"));
	}
	BAD("unknown literal", 0x04, 0x03);
	BAD("unknown literal", 0x02, 0x01, 0x00, 0x07, 0x00, 0x04, 0x03, 0x00);
}

static void test_bad_bounds(void **state)
{
	/* Scalars cut short. */
	BAD("needs 2 bytes", 0x05, 0x01);
	BAD("needs 8 bytes", 0x0b, 0, 0, 0, 0, 0, 0, 0);
	BAD("needs 1 bytes", 0x04);
	BAD("runs past", 0x0c, 0x05, 'a', 'b');
	/* String lengths: six bytes; beyond 32 bits; cut inside. */
	BAD("bad length", 0x0c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
	BAD("bad length", 0x0c, 0xff, 0xff, 0xff, 0xff, 0x7f);
	BAD("bad length", 0x0c, 0x80);
	/* Container header cut, size past the end, header past the size. */
	BAD("header truncated", 0x00, 0x01, 0x00, 0x04);
	BAD("header truncated", 0x01, 0x01, 0x00, 0x00, 0x00, 0x08, 0x00);
	BAD("runs past", 0x02, 0x00, 0x00, 0x05, 0x00);
	BAD("header bytes", 0x02, 0xff, 0xff, 0x08, 0x00, 0x05, 0x00, 0x00,
	    0x00);
	BAD("header bytes", 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00,
	    0x00);
	/* Value offset at or past the container's size. */
	BAD("outside its container", 0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x07,
	    0x00);
	/* A string whose length runs past its container, though not past
	 * the document (trailing bytes after the array). */
	BAD("runs past", 0x02, 0x01, 0x00, 0x09, 0x00, 0x0c, 0x07, 0x00, 0x05,
	    'a', 'b', 'c', 'd', 'e');
	/* Key offset + length past the object. */
	BAD("key at", 0x00, 0x01, 0x00, 0x0c, 0x00, 0x0b, 0x00, 0x02, 0x00,
	    0x05, 0x01, 0x00, 'a', 'b');
	/* A double that is not a number, and infinity. */
	BAD("not finite", 0x0b, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f);
	BAD("not finite", 0x0b, 0, 0, 0, 0, 0, 0, 0xf0, 0xff);
}

static void test_truncated_everywhere(void **state)
{
	/* Every strict prefix of a rich document must fail cleanly. */
	static const char *const keys[] = {"a", "bb", "c", "d", "e"};
	uint8_t b8[8];
	uint8_t dec[40];
	size_t dn = enc_decimal(dec, 10, 3, true, "42", "5");

	put_le(b8, pack_dt(2020, 2, 29, 12, 0, 0, 1), 8);
	const struct jv inner[] = {
	    jv_dbl(-0.25), jv_str("q"), jv_opaque(252, "zz", 2),
	    jv_opaque(246, dec, dn), jv_opaque(12, b8, 8)};
	const struct jv vals[] = {jv_int(0x09, 1), jv_arr(true, 5, inner),
	                          jv_str("long enough string"),
	                          jv_arr(false, 5, inner), jv_int(0x04, 1)};
	size_t n;
	const uint8_t *p = jv_doc(jv_obj(false, 5, keys, vals), &n);

	check_doc(p, n,
	          "{\"a\": 1, \"bb\": [-0.25, \"q\", \"base64:type252:eno=\", "
	          "-42.500, \"2020-02-29 12:00:00.000001\"], \"c\": \"long "
	          "enough string\", \"d\": [-0.25, \"q\", "
	          "\"base64:type252:eno=\", -42.500, \"2020-02-29 "
	          "12:00:00.000001\"], \"e\": true}");
	for (size_t k = 1; k < n; k++)
		check_bad(p, k, NULL);
}

static void test_shared_and_looping_offsets(void **state)
{
	/* 40 levels of [x, x] where both entries point at the same child:
	 * printed naively that is 2^40 leaves.  Each level: count 2, size,
	 * two entries (small array at offset 10), then the child. */
	enum { LEVELS = 40 };
	uint8_t doc[1 + LEVELS * 10 + 4];
	size_t o = 1;

	doc[0] = 0x02;
	for (int l = 0; l < LEVELS; l++) {
		size_t size = (size_t)(LEVELS - l) * 10 + 4;
		const uint8_t lvl[10] = {
		    0x02, 0x00, (uint8_t)size, (uint8_t)(size >> 8),
		    0x02, 0x0a, 0x00,          0x02,
		    0x0a, 0x00};

		memcpy(doc + o, lvl, 10);
		o += 10;
	}
	memcpy(doc + o, (const uint8_t[]){0x00, 0x00, 0x04, 0x00}, 4);
	check_bad(doc, sizeof(doc), "share or loop");

	/* An array whose only entry points back at the array itself. */
	BAD(NULL, 0x02, 0x01, 0x00, 0x07, 0x00, 0x02, 0x00, 0x00);
	/* A large object {"x": itself}: header 19 bytes, key at 19. */
	BAD(NULL, 0x01, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x13,
	    0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 'x');
}

static void test_mutation_fuzz(void **state)
{
	/* Random byte changes to a valid document: 0 or SL_EPROTO, never
	 * a crash or an over-read (ASAN), output bounded. */
	static const char *const keys[] = {"a", "b", "c"};
	uint8_t dec[40];
	size_t dn = enc_decimal(dec, 7, 2, false, "123", "45");
	const struct jv inner[] = {jv_dbl(1.5), jv_str("s\n"),
	                           jv_int(0x07, 123456), jv_int(0x04, 2),
	                           jv_opaque(246, dec, dn)};
	const struct jv vals[] = {jv_arr(false, 5, inner),
	                          jv_arr(true, 5, inner),
	                          jv_obj(false, 0, NULL, NULL)};
	size_t n;
	const uint8_t *src = jv_doc(jv_obj(false, 3, keys, vals), &n);
	uint8_t *q = malloc(n);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct sbuf b;

	assert_non_null(q);
	sbuf_init(&b);
	for (int it = 0; it < 30000; it++) {
		struct sl_err err = {0};
		size_t len = n;
		int rc;

		memcpy(q, src, n);
		for (int m = 0; m < 1 + it % 4; m++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			q[(x >> 8) % n] = (uint8_t)x;
		}
		if (it % 5 == 0)
			len = (size_t)(x >> 32) % (n + 1);
		sbuf_reset(&b);
		rc = json_bin_to_text(q, len, &b, &err);
		if (rc != 0 && rc != SL_EPROTO)
			fail_msg("rc %d", rc);
		assert_true(b.len <= 64 * n + 64);
		if (rc != 0)
			assert_int_equal(b.len, 0);
	}
	sbuf_deinit(&b);
	free(q);
}

/* ---- diffs ------------------------------------------------------------- */

static int run_diff(const uint8_t *p, size_t n, const char *col, struct sbuf *b,
                    struct sl_err *err)
{
	uint8_t *q = dup_exact(p, n);
	int rc;

	sbuf_init(b);
	sbuf_puts(b, PRE);
	rc = json_diff_to_text(q, n, col, b, err);
	free(q);
	return rc;
}

static void check_diff(const uint8_t *p, size_t n, const char *col,
                       const char *want)
{
	struct sl_err err = {0};
	struct sbuf b;
	int rc = run_diff(p, n, col, &b, &err);

	if (rc != 0)
		fail_msg("want %s, got rc %d: %s", want, rc, err.msg);
	assert_string_equal(sbuf_cstr(&b) + strlen(PRE), want);
	sbuf_deinit(&b);
}

static void check_diff_bad(const uint8_t *p, size_t n, const char *part)
{
	struct sl_err err = {0};
	struct sbuf b;
	int rc = run_diff(p, n, "@1", &b, &err);

	if (rc != SL_EPROTO)
		fail_msg("want SL_EPROTO (%s), got %d: %s", part, rc,
		         sbuf_cstr(&b));
	assert_string_equal(sbuf_cstr(&b), PRE);
	if (part != NULL && strstr(err.msg, part) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
	sbuf_deinit(&b);
}

#define DIFF(col, want, ...)                                                   \
	do {                                                                   \
		static const uint8_t d_[] = {__VA_ARGS__};                     \
		check_diff(d_, sizeof(d_), col, want);                         \
	} while (0)

#define DIFF_BAD(part, ...)                                                    \
	do {                                                                   \
		static const uint8_t d_[] = {__VA_ARGS__};                     \
		check_diff_bad(d_, sizeof(d_), part);                          \
	} while (0)

/* REPLACE $.a 1; INSERT $.b "x"; REMOVE $.c; INSERT $.arr[0] true;
 * REPLACE $.o {"k": [1]} */
static const uint8_t five_diffs[] = {
    0x00, 0x03, '$',  '.',  'a',  0x03, 0x05, 0x01, 0x00, 0x01, 0x03,
    '$',  '.',  'b',  0x03, 0x0c, 0x01, 'x',  0x02, 0x03, '$',  '.',
    'c',  0x01, 0x08, '$',  '.',  'a',  'r',  'r',  '[',  '0',  ']',
    0x02, 0x04, 0x01, 0x00, 0x03, '$',  '.',  'o',  0x14, 0x00, 0x01,
    0x00, 0x13, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x02, 0x0c, 0x00, 'k',
    0x01, 0x00, 0x07, 0x00, 0x05, 0x01, 0x00,
};

static void test_diff_render(void **state)
{
	/* The PARTIAL_UPDATE_ROWS cell of json.binlog.000001, after its u32
	 * length: REPLACE '$.age' with int16 26. */
	DIFF("@2", "JSON_REPLACE(@2, '$.age', 26)", 0x00, 0x05, '$', '.', 'a',
	     'g', 'e', 0x03, 0x05, 0x1a, 0x00);
	check_diff(five_diffs, sizeof(five_diffs), "@3",
	           "JSON_REPLACE(JSON_ARRAY_INSERT(JSON_REMOVE(JSON_INSERT("
	           "JSON_REPLACE(@3, '$.a', 1), '$.b', \"x\"), '$.c'), "
	           "'$.arr[0]', true), '$.o', {\"k\": [1]})");
	/* No diffs: the column unchanged. */
	check_diff((const uint8_t *)"", 0, "@4", "@4");
	/* Quotes and backslashes in a path are SQL-escaped. */
	DIFF("`j`", "JSON_REMOVE(`j`, '$.\"it\\'s \\\\\"q\\\\\"\"')", 0x02, 14,
	     '$', '.', '"', 'i', 't', '\'', 's', ' ', '\\', '"', 'q', '\\', '"',
	     '"');
}

static void test_diff_long_lengths(void **state)
{
	/* Path and value lengths above 250 use the 0xfc two-byte form. */
	static uint8_t d[700];
	char want[800];
	size_t o = 0;

	d[o++] = 0x01;
	d[o++] = 0xfc;
	d[o++] = 0x2c; /* 300 */
	d[o++] = 0x01;
	d[o++] = '$';
	d[o++] = '.';
	memset(d + o, 'k', 298);
	o += 298;
	d[o++] = 0xfc;
	d[o++] = 0x2f; /* 303: a string of 300 */
	d[o++] = 0x01;
	d[o++] = 0x0c;
	d[o++] = 0xac;
	d[o++] = 0x02;
	memset(d + o, 'v', 300);
	o += 300;
	snprintf(want, sizeof(want), "JSON_INSERT(@1, '$.%.*s', \"%.*s\")", 298,
	         (const char *)d + 6, 300, (const char *)d + 310);
	check_diff(d, o, "@1", want);
}

static void test_diff_bad(void **state)
{
	DIFF_BAD("unknown operation", 0x03, 0x01, '$');
	DIFF_BAD("bad path length", 0x00);
	DIFF_BAD("bad path length", 0x00, 0xfb);
	DIFF_BAD("bad path length", 0x00, 0xfc, 0x01);
	DIFF_BAD("bad path", 0x02, 0x00);
	DIFF_BAD("bad path", 0x02, 0x02, 'a', 'b');
	DIFF_BAD("bad path", 0x02, 0x05, '$', '.', 'a');
	DIFF_BAD("bad value length", 0x00, 0x01, '$');
	DIFF_BAD("bad value length", 0x00, 0x01, '$', 0xfb, 0x04, 0x00);
	DIFF_BAD("bad value", 0x00, 0x01, '$', 0x00);
	DIFF_BAD("bad value", 0x00, 0x01, '$', 0x03, 0x05, 0x01);
	/* A broken value document: the error names the diff and keeps the
	 * JSON error; the output is restored. */
	DIFF_BAD("json diff 2 at offset 6: json: unknown literal", 0x02, 0x01,
	         '$', 0x02, 0x01, '$', 0x00, 0x01, '$', 0x02, 0x04, 0x09);

	/* Every prefix: either a shorter valid list or SL_EPROTO. */
	for (size_t k = 0; k < sizeof(five_diffs); k++) {
		struct sl_err err = {0};
		struct sbuf b;
		int rc = run_diff(five_diffs, k, "@1", &b, &err);

		assert_true(rc == 0 || rc == SL_EPROTO);
		if (rc != 0)
			assert_string_equal(sbuf_cstr(&b), PRE);
		sbuf_deinit(&b);
	}
}

/* ---- real binlogs ---------------------------------------------------------
 */

static char *read_file(const char *dir, const char *name, size_t *n)
{
	char path[1024];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static const char *fixture_dir(void)
{
	static const char fallback[] = "../shared/fixtures/binlog";
	const char *dir = getenv("SL_FIXTURES");
	FILE *f;

	if (dir != NULL)
		return dir; /* under ctest: must be there */
	f = fopen("../shared/fixtures/binlog/MANIFEST.md", "r");
	if (f == NULL)
		return NULL;
	fclose(f);
	return fallback;
}

/* JSON cells at known file offsets (found by walking the rows events of
 * these exact files, whose sha256 MANIFEST.md pins).  Each cell is
 * preceded by its u32 length, which the test checks first. */
static const struct cell {
	const char *file;
	size_t off, len;
	bool diff;
	const char *want;
} cells[] = {
    {"rust_mysql_common/json.binlog.000001", 1099, 52, false,
     "{\"age\": 24, \"data\": \"xxxxxxxxxx\", \"name\": \"Joe\"}"},
    {"rust_mysql_common/json.binlog.000001", 1449, 52, false,
     "{\"age\": 32, \"data\": \"yyyyyyyyyy\", \"name\": \"Sue\"}"},
    {"rust_mysql_common/json.binlog.000001", 1799, 53, false,
     "{\"age\": 40, \"data\": \"zzzzzzzzzz\", \"name\": \"Pete\"}"},
    {"rust_mysql_common/json.binlog.000001", 2723, 52, false,
     "{\"age\": 25, \"data\": \"xxxxxxxxxx\", \"name\": \"Joe\"}"},
    {"rust_mysql_common/json.binlog.000001", 3794, 11, true,
     "JSON_REPLACE(@2, '$.age', 26)"},
    {"rust_mysql_common/json.binlog.000001", 3826, 11, true,
     "JSON_REPLACE(@2, '$.age', 34)"},
    {"rust_mysql_common/json.binlog.000001", 3858, 11, true,
     "JSON_REPLACE(@2, '$.age', 42)"},
    {"rust_mysql_common/json-opaque.binlog", 772, 16, false,
     "{\"a\": \"base64:type15:VQ==\"}"},
    {"rust_mysql_common/json-opaque.binlog", 882, 23, false,
     "{\"b\": \"2012-03-18\"}"},
    {"rust_mysql_common/json-opaque.binlog", 999, 23, false,
     "{\"c\": \"2012-03-18 11:30:45.000000\"}"},
    {"rust_mysql_common/json-opaque.binlog", 1116, 23, false,
     "{\"c\": \"87:31:46.654321\"}"},
    {"rust_mysql_common/json-opaque.binlog", 1233, 21, false,
     "{\"d\": 123.456}"},
    {"rust_mysql_common/json-opaque.binlog", 1348, 22, false, "{\"e\": 9.00}"},
    {"rust_mysql_common/json-opaque.binlog", 1464, 29, false,
     "{\"e\": [0, 1, true, false]}"},
    {"rust_mysql_common/json-opaque.binlog", 1587, 13, false, "{\"e\": null}"},
    {"MySqlCdc/mysql-bin.000001", 1702, 30, false,
     "{\"id\": 1, \"name\": \"John\"}"},
};

static void test_fixture_cells(void **state)
{
	const char *dir = fixture_dir();
	const char *loaded = NULL;
	char *file = NULL;
	size_t fn = 0;

	if (dir == NULL)
		skip();
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		const struct cell *c = &cells[i];
		const uint8_t *p;

		if (loaded == NULL || strcmp(loaded, c->file) != 0) {
			free(file);
			file = read_file(dir, c->file, &fn);
			loaded = c->file;
		}
		assert_true(c->off >= 4 && c->off + c->len <= fn);
		p = (const uint8_t *)file + c->off;
		assert_int_equal(p[-4] | p[-3] << 8 | p[-2] << 16 |
		                     (uint32_t)p[-1] << 24,
		                 c->len);
		if (c->diff)
			check_diff(p, c->len, "@2", c->want);
		else
			check_doc(p, c->len, c->want);
	}
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_literals_and_ints, setup_arena),
	    cmocka_unit_test_setup(test_doubles, setup_arena),
	    cmocka_unit_test_setup(test_double_round_trip, setup_arena),
	    cmocka_unit_test_setup(test_strings, setup_arena),
	    cmocka_unit_test_setup(test_small_object_by_hand, setup_arena),
	    cmocka_unit_test_setup(test_inlining_rules, setup_arena),
	    cmocka_unit_test_setup(test_every_type_small_and_large,
	                           setup_arena),
	    cmocka_unit_test_setup(test_keys_escaped, setup_arena),
	    cmocka_unit_test_setup(test_nesting_limit, setup_arena),
	    cmocka_unit_test_setup(test_opaque_decimal, setup_arena),
	    cmocka_unit_test_setup(test_opaque_decimal_bad, setup_arena),
	    cmocka_unit_test_setup(test_opaque_temporal, setup_arena),
	    cmocka_unit_test_setup(test_opaque_temporal_bad, setup_arena),
	    cmocka_unit_test_setup(test_opaque_other, setup_arena),
	    cmocka_unit_test_setup(test_bad_types_and_literals, setup_arena),
	    cmocka_unit_test_setup(test_bad_bounds, setup_arena),
	    cmocka_unit_test_setup(test_truncated_everywhere, setup_arena),
	    cmocka_unit_test_setup(test_shared_and_looping_offsets,
	                           setup_arena),
	    cmocka_unit_test_setup(test_mutation_fuzz, setup_arena),
	    cmocka_unit_test_setup(test_diff_render, setup_arena),
	    cmocka_unit_test_setup(test_diff_long_lengths, setup_arena),
	    cmocka_unit_test_setup(test_diff_bad, setup_arena),
	    cmocka_unit_test_setup(test_fixture_cells, setup_arena),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

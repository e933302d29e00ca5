/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/value.c: size and text of one non-NULL cell of a rows event.
 * In: the column descriptor from TABLE_MAP (type, normalised meta, charset,
 * ENUM/SET names) and the cell's raw bytes, a slice of the event buffer.
 * Out: the cell's byte length (value_cell_len, decoder hot path: one table
 * lookup for fixed-width types, no allocation) or its SQL / JSON text
 * (value_format, see value.h for the text contract).
 * The binary layouts follow MySQL's storage formats: packed decimals
 * (decimal2bin), the 5.6.4+ temporal types TIME2 / DATETIME2 / TIMESTAMP2
 * (big-endian, offset-biased, fractions by precision) and the older
 * little-endian ones.  Every cell is re-sized from its own bytes before it
 * is formatted, so a wrong len can never make a reader run past the cell.
 * Pure functions over untrusted bytes; any thread; no mutable state.
 */
#include "value.h"

#include "bytes.h"
#include "json_bin.h"
#include "mem.h"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define unlikely(x) __builtin_expect(!!(x), 0)

/* Byte size of the fixed-width types; 0 for the others (see the switch). */
/* clang-format off */
static const uint8_t fixed_len[256] = {
	[COL_TINY] = 1,      [COL_SHORT] = 2,     [COL_INT24] = 3,
	[COL_LONG] = 4,      [COL_LONGLONG] = 8,  [COL_FLOAT] = 4,
	[COL_DOUBLE] = 8,    [COL_YEAR] = 1,      [COL_DATE] = 3,
	[COL_NEWDATE] = 3,   [COL_TIME] = 3,      [COL_TIMESTAMP] = 4,
	[COL_DATETIME] = 8,
};

/* Bytes of a packed-decimal group of 0..9 digits (9 digits = 4 bytes). */
static const uint8_t dig2bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

static const uint32_t pow10_u32[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};
/* clang-format on */

#define DEC_MAX_PREC  65
#define DEC_MAX_SCALE 38 /* MariaDB allows 38, MySQL 30 */
#define DEC_MAX_BYTES 32 /* the largest DECIMAL(65, s) needs 30 */
#define MAX_FSP       6

/* Storage size of DECIMAL(prec, scale): integer and fraction digits are
 * packed separately, 9 digits per 4 bytes plus a shorter leftover group. */
static int decimal_size(unsigned prec, unsigned scale, uint32_t *n)
{
	unsigned intg = prec - scale;

	if (prec == 0 || prec > DEC_MAX_PREC || scale > DEC_MAX_SCALE ||
	    scale > prec)
		return SL_EPROTO;
	*n = (intg / 9) * 4 + dig2bytes[intg % 9] + (scale / 9) * 4 +
	     dig2bytes[scale % 9];
	return 0;
}

/* The types whose size depends on meta or on a length prefix. */
static int var_cell_len(const struct column *c, const uint8_t *p, size_t avail,
                        uint32_t *len)
{
	unsigned m = c->meta;
	uint64_t n = 0;
	uint32_t dn;

	switch (c->type) {
	case COL_TIME2:
	case COL_TIMESTAMP2:
	case COL_DATETIME2:
		/* 3, 4 or 5 bytes, then (fsp + 1) / 2 fraction bytes */
		if (unlikely(m > MAX_FSP))
			return SL_EPROTO;
		n = c->type == COL_TIME2        ? 3
		    : c->type == COL_TIMESTAMP2 ? 4
		                                : 5;
		n += (m + 1) / 2;
		break;
	case COL_NEWDECIMAL:
		if (unlikely(decimal_size(m >> 8, m & 0xff, &dn) != 0))
			return SL_EPROTO;
		n = dn;
		break;
	case COL_BIT:
		/* meta = whole bytes << 8 | leftover bits; BIT(1..64) */
		n = (m >> 8) * 8 + (m & 0xff);
		if (unlikely((m & 0xff) > 7 || n == 0 || n > 64))
			return SL_EPROTO;
		n = (n + 7) / 8;
		break;
	case COL_ENUM:
		if (unlikely(m - 1 > 1))
			return SL_EPROTO;
		n = m;
		break;
	case COL_SET:
		if (unlikely(m - 1 > 7))
			return SL_EPROTO;
		n = m;
		break;
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING:
		if (m < 256) {
			if (unlikely(avail < 1))
				return SL_ETRUNC;
			n = 1 + (uint64_t)p[0];
		} else {
			if (unlikely(avail < 2))
				return SL_ETRUNC;
			n = 2 + (uint64_t)get_u16le(p);
		}
		break;
	case COL_BLOB:
	case COL_JSON:
	case COL_GEOMETRY:
	case COL_VECTOR:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
		if (unlikely(m - 1 > 3))
			return SL_EPROTO;
		if (unlikely(avail < m))
			return SL_ETRUNC;
		n = m + get_uintle(p, m);
		break;
	case COL_NULL: break; /* no bytes: the cell is always NULL */
	default:
		/* DECIMAL (pre-5.0), TYPED_ARRAY, BOOL, INVALID, unknown */
		return SL_EPROTO;
	}
	/* n > UINT32_MAX (a 4-byte prefix near 4 GiB) never fits an event */
	if (unlikely(n > avail || n > UINT32_MAX))
		return SL_ETRUNC;
	*len = (uint32_t)n;
	return 0;
}

int value_cell_len(const struct column *c, const uint8_t *p, size_t avail,
                   uint32_t *len)
{
	uint32_t n = fixed_len[c->type];

	if (n == 0)
		return var_cell_len(c, p, avail, len);
	if (unlikely(n > avail))
		return SL_ETRUNC;
	*len = n;
	return 0;
}

/* --- errors --------------------------------------------------------- */

static int bad_value(const struct column *c, struct sl_err *err,
                     const char *what)
{
	return sl_err_set(err, SL_EPROTO, "%s column%s%.*s: %s",
	                  coltype_name(c->type), c->name.len ? " " : "",
	                  (int)c->name.len, c->name.len ? c->name.p : "", what);
}

/* --- escaping ------------------------------------------------------- */

static const char hex_digits[] = "0123456789abcdef";

/* Second character of the MySQL escape for each byte, 0 = as is
 * (the set mysql_real_escape_string uses). */
/* clang-format off */
static const char sql_esc[256] = {
	[0] = '0',     ['\n'] = 'n', ['\r'] = 'r',  [0x1a] = 'Z',
	['\''] = '\'', ['"'] = '"',  ['\\'] = '\\',
};

/* JSON escape per byte: 0 = as is, 'u' = \u00XX, else the short form. */
static const char json_esc[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['\\'] = '\\',
};
/* clang-format on */

/* Length of the leading run of bytes that neither SQL nor JSON escapes
 * and that are ASCII: 0x20..0x7f less the three quote/backslash bytes.
 * Sixteen bytes per step with SSE2 (baseline on x86-64): text columns are
 * mostly such runs, and this loop is most of the cost of printing them. */
size_t value_plain_run(const uint8_t *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i space = _mm_set1_epi8(0x20);
	const __m128i dq = _mm_set1_epi8('"');
	const __m128i sq = _mm_set1_epi8('\'');
	const __m128i bs = _mm_set1_epi8('\\');

	for (; n - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		/* signed compare: bytes >= 0x80 are negative, so < 0x20 */
		__m128i bad = _mm_or_si128(
		    _mm_or_si128(_mm_cmplt_epi8(v, space),
		                 _mm_cmpeq_epi8(v, dq)),
		    _mm_or_si128(_mm_cmpeq_epi8(v, sq), _mm_cmpeq_epi8(v, bs)));
		unsigned m = (unsigned)_mm_movemask_epi8(bad);

		if (m != 0)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' ||
		    s[i] == '\'' || s[i] == '\\')
			break;
	return i;
}

/* Output size of a string escaped with table esc (sql_esc or json_esc),
 * quotes excluded; a counting pass keeps a 1 GiB blob from reserving six
 * times its size.  Only json_esc has 'u' (\u00XX) entries. */
static size_t esc_len(const uint8_t *s, size_t n, const char *esc)
{
	size_t k = n;

	for (size_t i = 0; i < n; i++) {
		char e;

		i += value_plain_run(s + i, n - i);
		if (i == n)
			break;
		e = esc[s[i]];
		if (e != 0)
			k += e == 'u' ? 5 : 1;
	}
	return k;
}

/* Writes s escaped with table esc at o; returns the end. */
static char *esc_body(char *o, const uint8_t *s, size_t n, const char *esc)
{
	for (size_t i = 0; i < n; i++) {
		size_t r = value_plain_run(s + i, n - i);
		char e;

		memcpy(o, s + i, r);
		o += r;
		i += r;
		if (i == n)
			break;
		e = esc[s[i]];
		if (e == 0) {
			*o++ = (char)s[i];
		} else if (e == 'u') {
			memcpy(o, "\\u00", 4);
			o[4] = hex_digits[s[i] >> 4];
			o[5] = hex_digits[s[i] & 15];
			o += 6;
		} else {
			*o++ = '\\';
			*o++ = e;
		}
	}
	return o;
}

/* Strings up to this size reserve the worst case and escape in one pass;
 * longer ones count first so a huge blob does not reserve 6x its size. */
#define ONE_PASS_MAX 4096

void value_sql_string(struct sbuf *out, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	char *o;

	if (!sbuf_reserve(
	        out, (n <= ONE_PASS_MAX ? 2 * n : esc_len(u, n, sql_esc)) + 2))
		return;
	o = out->p + out->len;
	*o++ = '\'';
	o = esc_body(o, u, n, sql_esc);
	*o++ = '\'';
	out->len = (size_t)(o - out->p);
}

void value_json_string(struct sbuf *out, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	char *o;

	if (!sbuf_reserve(
	        out, (n <= ONE_PASS_MAX ? 6 * n : esc_len(u, n, json_esc)) + 2))
		return;
	o = out->p + out->len;
	*o++ = '"';
	o = esc_body(o, u, n, json_esc);
	*o++ = '"';
	out->len = (size_t)(o - out->p);
}

/* Rejects what RFC 3629 forbids: stray continuation bytes, overlong forms
 * (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF) and code points
 * above U+10FFFF (F4 90-BF, F5-FF), and sequences cut short. */
int value_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t b = s[i];
		uint8_t lo = 0x80, hi = 0xbf;
		unsigned k;

		if (b < 0x80) {
			uint64_t w;

			/* ASCII runs: sixteen, then eight bytes per step */
#ifdef __SSE2__
			while (n - i >= 16) {
				__m128i v = _mm_loadu_si128(
				    (const __m128i *)(const void *)(s + i));

				if (_mm_movemask_epi8(v) != 0)
					break;
				i += 16;
			}
#endif
			while (n - i >= 8) {
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		if (b < 0xc2)
			return 0;
		if (b < 0xe0) {
			k = 1;
		} else if (b < 0xf0) {
			k = 2;
			if (b == 0xe0)
				lo = 0xa0;
			else if (b == 0xed)
				hi = 0x9f;
		} else if (b < 0xf5) {
			k = 3;
			if (b == 0xf0)
				lo = 0x90;
			else if (b == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (unsigned j = 2; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* Strings and bytes: text when it may be (not binary, valid UTF-8),
 * otherwise hex (0x.. / X'' in SQL, {"hex":".."} in JSON). */
/* --- latin1 --------------------------------------------------------- */

int value_charset_is_latin1(uint16_t collation)
{
	switch (collation) {
	case 5:  /* latin1_german1_ci */
	case 8:  /* latin1_swedish_ci */
	case 15: /* latin1_danish_ci */
	case 31: /* latin1_german2_ci */
	case 47: /* latin1_bin */
	case 48: /* latin1_general_ci */
	case 49: /* latin1_general_cs */
	case 94: /* latin1_spanish_ci */ return 1;
	default: return 0;
	}
}

size_t value_latin1_to_utf8(const uint8_t *s, size_t n, char *out)
{
	/* MySQL's latin1 is cp1252: 0x80-0x9f are these code points (the
	 * five cp1252 holes map to the C1 controls, as MySQL does). */
	static const uint16_t c1[32] = {
	    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	    0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
	};
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned cp = s[i];

		if (cp >= 0x80 && cp < 0xa0)
			cp = c1[cp - 0x80];
		if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xc0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xe0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	return (size_t)(o - out);
}

/* A latin1 string as UTF-8 text (binary-safe: every byte maps). */
static void fmt_latin1(struct sbuf *out, const uint8_t *s, size_t n,
                       enum value_fmt fmt)
{
	char stack[768];
	char *u = n * 3 <= sizeof(stack) ? stack : sl_malloc(n * 3);
	size_t len;

	if (u == NULL) {
		out->oom = true;
		return;
	}
	len = value_latin1_to_utf8(s, n, u);
	if (fmt == VALUE_JSON)
		value_json_string(out, u, len);
	else
		value_sql_string(out, u, len);
	if (u != stack)
		sl_free(u);
}

/* Zero bytes that end a padded hex value. */
static void hex_zeros(struct sbuf *out, size_t pad)
{
	while (pad-- > 0)
		sbuf_put(out, "00", 2);
}

/* pad: trailing zero bytes to add back (BINARY(n): the server strips
 * them from the row image, the column holds them). */
static void fmt_bytes(struct sbuf *out, const uint8_t *s, size_t n, bool binary,
                      enum value_fmt fmt, size_t pad)
{
	if (!binary && value_utf8_valid(s, n)) {
		if (fmt == VALUE_JSON)
			value_json_string(out, (const char *)s, n);
		else
			value_sql_string(out, (const char *)s, n);
		return;
	}
	if (fmt == VALUE_JSON) {
		sbuf_puts(out, "{\"hex\":\"");
		sbuf_hex(out, s, n);
		hex_zeros(out, pad);
		sbuf_puts(out, "\"}");
	} else if (n + pad == 0) {
		sbuf_puts(out, "X''"); /* a bare 0x is not a literal */
	} else {
		sbuf_puts(out, "0x");
		sbuf_hex(out, s, n);
		hex_zeros(out, pad);
	}
}

/* --- numbers -------------------------------------------------------- */

/* Sign-extends the low `bits` bits of v. */
static int64_t sext(uint64_t v, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	return (int64_t)((v ^ sign) - sign);
}

static void fmt_int(struct sbuf *out, const struct column *c, const uint8_t *p,
                    unsigned n)
{
	uint64_t v = get_uintle(p, n);

	if (c->is_unsigned)
		sbuf_u64(out, v);
	else
		sbuf_i64(out, sext(v, 8 * n));
}

/* Shortest %g text (6..9 digits) that reads back to the same float. */
static void fmt_float(struct sbuf *out, float f)
{
	char buf[40];

	for (int prec = 6;; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, (double)f);
		if (prec == 9 || strtof(buf, NULL) == f)
			break;
	}
	sbuf_puts(out, buf);
}

/* Shortest %g text (15..17 digits) that reads back to the same double. */
static void fmt_double(struct sbuf *out, double d)
{
	char buf[40];

	for (int prec = 15;; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (prec == 17 || strtod(buf, NULL) == d)
			break;
	}
	sbuf_puts(out, buf);
}

/* Reads one big-endian digit group of ndig (1..9) digits at *q and
 * appends its ndig decimal digits to dig; -1 when it holds more. */
static int take_group(const uint8_t **q, unsigned ndig, char *dig)
{
	unsigned nb = dig2bytes[ndig];
	uint32_t v = (uint32_t)get_uintbe(*q, nb);

	*q += nb;
	if (v >= pow10_u32[ndig])
		return -1;
	for (unsigned i = ndig; i-- > 0;) {
		dig[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return 0;
}

/*
 * MySQL's packed DECIMAL(prec, scale): the integer digits, right-aligned
 * in groups of 9 (a short leading group first), then the fraction digits
 * in groups of 9 (a short trailing group last); each group a big-endian
 * integer of dig2bytes[digits] bytes.  Negative numbers have every byte
 * inverted; then the top bit of the first byte is flipped, so it reads 1
 * for positive numbers.  len was checked against decimal_size.
 */
static int fmt_decimal(const struct column *c, const uint8_t *p, uint32_t len,
                       enum value_fmt fmt, struct sbuf *out, struct sl_err *err)
{
	unsigned scale = c->meta & 0xff;
	unsigned intg = (c->meta >> 8) - scale;
	uint8_t mask = (p[0] & 0x80) ? 0 : 0xff;
	bool neg = mask != 0;
	/* Zeroed because the analyzer cannot tie len (== decimal_size) to
	 * the groups read below; every byte and digit used is written. */
	uint8_t b[DEC_MAX_BYTES] = {0};
	char dig[DEC_MAX_PREC] = {0};
	char txt[DEC_MAX_PREC + 4];
	const uint8_t *q = b;
	unsigned nd = 0, k, o = 0;
	int bad = 0;

	for (uint32_t i = 0; i < len; i++)
		b[i] = p[i] ^ mask;
	b[0] ^= 0x80;
	if (intg % 9) {
		bad |= take_group(&q, intg % 9, dig);
		nd = intg % 9;
	}
	for (; nd < intg; nd += 9)
		bad |= take_group(&q, 9, dig + nd);
	for (; nd + 9 <= intg + scale; nd += 9)
		bad |= take_group(&q, 9, dig + nd);
	if (scale % 9)
		bad |= take_group(&q, scale % 9, dig + nd);
	if (bad)
		return bad_value(c, err, "decimal digit group out of range");

	for (k = 0; k < intg && dig[k] == '0'; k++)
		;
	if (k == intg) {
		/* |x| < 1: minus only when a fraction digit is not zero */
		unsigned f = intg;

		while (f < intg + scale && dig[f] == '0')
			f++;
		if (f == intg + scale)
			neg = false;
	}
	if (fmt == VALUE_JSON)
		sbuf_putc(out, '"');
	if (neg)
		txt[o++] = '-';
	if (k == intg)
		txt[o++] = '0';
	memcpy(txt + o, dig + k, intg - k);
	o += intg - k;
	if (scale) {
		txt[o++] = '.';
		memcpy(txt + o, dig + intg, scale);
		o += scale;
	}
	sbuf_put(out, txt, o);
	if (fmt == VALUE_JSON)
		sbuf_putc(out, '"');
	return 0;
}

/* --- dates and times ------------------------------------------------ */

/* Writes v as at least `width` (<= 20) digits, zero-padded; returns the
 * number of characters written. */
static unsigned put_dec(char *o, uint64_t v, unsigned width)
{
	char tmp[20];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[n++] = '0';
	for (unsigned i = 0; i < n; i++)
		o[i] = tmp[n - 1 - i];
	return n;
}

/* "YYYY-MM-DD" */
static unsigned put_date(char *o, uint64_t y, unsigned m, unsigned d)
{
	unsigned k = put_dec(o, y, 4);

	o[k++] = '-';
	k += put_dec(o + k, m, 2);
	o[k++] = '-';
	k += put_dec(o + k, d, 2);
	return k;
}

/* "HH:MM:SS" plus ".f…" with fsp digits of usec (0..999999). */
static unsigned put_clock(char *o, uint64_t h, unsigned mi, unsigned s,
                          uint32_t usec, unsigned fsp)
{
	unsigned k = put_dec(o, h, 2);

	o[k++] = ':';
	k += put_dec(o + k, mi, 2);
	o[k++] = ':';
	k += put_dec(o + k, s, 2);
	if (fsp) {
		o[k++] = '.';
		k += put_dec(o + k, usec / pow10_u32[MAX_FSP - fsp], fsp);
	}
	return k;
}

/* Temporal text is quoted in both forms and never needs escapes. */
static void put_quoted(struct sbuf *out, enum value_fmt fmt, const char *s,
                       unsigned n)
{
	char q = fmt == VALUE_JSON ? '"' : '\'';

	if (!sbuf_reserve(out, (size_t)n + 2))
		return;
	out->p[out->len++] = q;
	memcpy(out->p + out->len, s, n);
	out->len += n;
	out->p[out->len++] = q;
}

static void put_datetime(struct sbuf *out, enum value_fmt fmt, uint64_t y,
                         unsigned mo, unsigned d, unsigned h, unsigned mi,
                         unsigned s, uint32_t usec, unsigned fsp)
{
	char buf[64];
	unsigned k = put_date(buf, y, mo, d);

	buf[k++] = ' ';
	k += put_clock(buf + k, h, mi, s, usec, fsp);
	put_quoted(out, fmt, buf, k);
}

/*
 * Days since 1970-01-01 to a proleptic Gregorian date.  Counting years
 * from March 1st puts the leap day at the end of each year, so a 400-year
 * era (146097 days) splits into years of 365 days plus one day every 4th
 * year, less every 100th, plus every 400th.
 */
static void civil_from_days(uint64_t days, uint64_t *y, unsigned *m,
                            unsigned *d)
{
	uint64_t z = days + 719468; /* days from 0000-03-01 to 1970-01-01 */
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153; /* 0 = March ... 11 = February */

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = era * 400 + yoe + (*m <= 2);
}

/* A TIMESTAMP as UTC text; 0 is MySQL's zero value. */
static void fmt_epoch(struct sbuf *out, enum value_fmt fmt, uint32_t secs,
                      uint32_t usec, unsigned fsp)
{
	uint64_t y = 0;
	unsigned mo = 0, d = 0, rem = secs % 86400;

	if (secs != 0)
		civil_from_days(secs / 86400, &y, &mo, &d);
	put_datetime(out, fmt, y, mo, d, rem / 3600, rem / 60 % 60, rem % 60,
	             usec, fsp);
}

/* Fraction bytes of DATETIME2 / TIMESTAMP2 / TIME2 (big-endian, fsp 1-2:
 * hundredths in 1 byte, 3-4: 1/10000 s in 2, 5-6: microseconds in 3),
 * signed as MySQL reads them, scaled to microseconds. */
static int64_t frac_usec(const uint8_t *f, unsigned fsp)
{
	switch (fsp) {
	case 0: return 0;
	case 1:
	case 2: return sext(f[0], 8) * 10000;
	case 3:
	case 4: return sext(get_uintbe(f, 2), 16) * 100;
	default: return sext(get_uintbe(f, 3), 24);
	}
}

/*
 * TIME2: 3 bytes big-endian, biased by 0x800000, holding the packed
 * 1-bit sign, 1 spare, 10-bit hour, 6-bit minute, 6-bit second; then the
 * fraction.  MySQL builds the packed time as (int part << 24) + fraction;
 * a negative time with a fraction was stored as int part - 1 and the
 * fraction's complement, so undo that first (my_time_packed_from_binary).
 * For fsp 5-6 the six bytes are one integer biased by 0x800000000000.
 */
static int fmt_time2(const struct column *c, const uint8_t *p,
                     enum value_fmt fmt, struct sbuf *out, struct sl_err *err)
{
	unsigned fsp = c->meta;
	int64_t ip = (int64_t)get_uintbe(p, 3) - 0x800000;
	int64_t frac = 0, packed;
	uint64_t a, hms;
	char buf[48];
	unsigned k = 0;

	switch (fsp) {
	case 0: break;
	case 1:
	case 2:
		frac = p[3];
		if (ip < 0 && frac) {
			ip++;
			frac -= 0x100;
		}
		frac *= 10000;
		break;
	case 3:
	case 4:
		frac = (int64_t)get_uintbe(p + 3, 2);
		if (ip < 0 && frac) {
			ip++;
			frac -= 0x10000;
		}
		frac *= 100;
		break;
	default: break;
	}
	if (fsp >= 5)
		packed = (int64_t)get_uintbe(p, 6) - 0x800000000000LL;
	else
		packed = ip * 16777216 + frac;
	a = packed < 0 ? (uint64_t)0 - (uint64_t)packed : (uint64_t)packed;
	hms = a >> 24;
	if ((a & 0xffffff) > 999999)
		return bad_value(c, err, "fraction out of range");
	if (packed < 0)
		buf[k++] = '-';
	k += put_clock(buf + k, (hms >> 12) & 1023, (hms >> 6) & 63, hms & 63,
	               (uint32_t)(a & 0xffffff), fsp);
	put_quoted(out, fmt, buf, k);
	return 0;
}

/*
 * DATETIME2: 5 bytes big-endian biased by 0x8000000000: 1-bit sign,
 * 17 bits year * 13 + month, 5 day, 5 hour, 6 minute, 6 second; then the
 * fraction.  A stored DATETIME is never negative.
 */
static int fmt_datetime2(const struct column *c, const uint8_t *p,
                         enum value_fmt fmt, struct sbuf *out,
                         struct sl_err *err)
{
	int64_t v = (int64_t)get_uintbe(p, 5) - 0x8000000000LL;
	int64_t usec = frac_usec(p + 5, c->meta);
	uint64_t ymd, hms, ym;

	if (v < 0 || usec < 0 || usec > 999999)
		return bad_value(c, err, "value out of range");
	ymd = (uint64_t)v >> 17;
	hms = (uint64_t)v & 0x1ffff;
	ym = ymd >> 5;
	put_datetime(out, fmt, ym / 13, (unsigned)(ym % 13),
	             (unsigned)(ymd & 31), (unsigned)(hms >> 12),
	             (unsigned)((hms >> 6) & 63), (unsigned)(hms & 63),
	             (uint32_t)usec, c->meta);
	return 0;
}

/* --- ENUM and SET --------------------------------------------------- */

static void fmt_enum(struct sbuf *out, const struct column *c, uint64_t idx,
                     enum value_fmt fmt)
{
	const struct col_str *s;

	if (idx == 0) { /* MySQL's "error value", the empty string */
		fmt_bytes(out, (const uint8_t *)"", 0, false, fmt, 0);
		return;
	}
	if (idx <= c->n_strs) {
		s = &c->strs[idx - 1];
		if (value_utf8_valid((const uint8_t *)s->p, s->len)) {
			fmt_bytes(out, (const uint8_t *)s->p, s->len, false,
			          fmt, 0);
			return;
		}
	}
	sbuf_u64(out, idx);
}

/* Members in bit order, "a,b"; the integer when a bit has no name. */
static void fmt_set(struct sbuf *out, const struct column *c, uint64_t mask,
                    enum value_fmt fmt)
{
	size_t need = 2;
	char *o;
	bool first = true;

	if (c->n_strs == 0 || (c->n_strs < 64 && (mask >> c->n_strs) != 0))
		goto integer;
	for (unsigned i = 0; i < 64 && i < c->n_strs; i++) {
		const struct col_str *s = &c->strs[i];
		const uint8_t *u = (const uint8_t *)s->p;

		if (!(mask >> i & 1))
			continue;
		if (!value_utf8_valid(u, s->len))
			goto integer;
		need += 1 + esc_len(u, s->len,
		                    fmt == VALUE_JSON ? json_esc : sql_esc);
	}
	if (!sbuf_reserve(out, need))
		return;
	o = out->p + out->len;
	*o++ = fmt == VALUE_JSON ? '"' : '\'';
	for (unsigned i = 0; i < 64 && i < c->n_strs; i++) {
		const struct col_str *s = &c->strs[i];
		const uint8_t *u = (const uint8_t *)s->p;

		if (!(mask >> i & 1))
			continue;
		if (!first)
			*o++ = ',';
		first = false;
		o = esc_body(o, u, s->len,
		             fmt == VALUE_JSON ? json_esc : sql_esc);
	}
	*o++ = fmt == VALUE_JSON ? '"' : '\'';
	out->len = (size_t)(o - out->p);
	return;
integer:
	sbuf_u64(out, mask);
}

/* --- JSON ----------------------------------------------------------- */

/* MySQL's binary JSON, printed as MySQL does, then quoted as a string. */
static int fmt_json(const struct column *c, const uint8_t *p, uint32_t n,
                    enum value_fmt fmt, struct sbuf *out, struct sl_err *err)
{
	struct sbuf tmp;
	int rc;

	sbuf_init(&tmp);
	rc = json_bin_to_text(p, n, &tmp, err);
	if (rc != 0)
		goto out;
	if (!sbuf_ok(&tmp)) {
		out->oom = true;
		goto out;
	}
	if (!value_utf8_valid((const uint8_t *)tmp.p, tmp.len)) {
		rc = bad_value(c, err, "JSON text is not valid UTF-8");
		goto out;
	}
	if (fmt == VALUE_JSON)
		value_json_string(out, tmp.len ? tmp.p : "", tmp.len);
	else
		value_sql_string(out, tmp.len ? tmp.p : "", tmp.len);
out:
	sbuf_deinit(&tmp);
	return rc;
}

/* --- the dispatcher ------------------------------------------------- */

int value_format(const struct column *c, const uint8_t *p, uint32_t len,
                 enum value_fmt fmt, struct sbuf *out, struct sl_err *err)
{
	unsigned m = c->meta;
	uint32_t want, pfx;
	bool bin;
	unsigned k;
	char buf[48];
	uint64_t v;
	int64_t sv;
	float f;
	double d;

	if (value_cell_len(c, p, len, &want) != 0 || want != len) {
		char what[80];

		snprintf(what, sizeof(what),
		         "cell of %u bytes does not fit the type (meta %u)",
		         len, m);
		return bad_value(c, err, what);
	}

	switch (c->type) {
	case COL_TINY:
	case COL_SHORT:
	case COL_INT24:
	case COL_LONG:
	case COL_LONGLONG: fmt_int(out, c, p, len); return 0;
	case COL_FLOAT:
		memcpy(&f, p, 4);
		if (!isfinite(f))
			return bad_value(c, err, "not a finite number");
		fmt_float(out, f);
		return 0;
	case COL_DOUBLE:
		memcpy(&d, p, 8);
		if (!isfinite(d))
			return bad_value(c, err, "not a finite number");
		fmt_double(out, d);
		return 0;
	case COL_NEWDECIMAL: return fmt_decimal(c, p, len, fmt, out, err);
	case COL_YEAR:
		sbuf_u64(out, p[0] ? 1900 + (unsigned)p[0] : 0);
		return 0;
	case COL_DATE:
	case COL_NEWDATE:
		/* day 5 bits, month 4 bits, year the rest (little-endian) */
		v = get_u24le(p);
		put_quoted(out, fmt, buf,
		           put_date(buf, v >> 9, (v >> 5) & 15, v & 31));
		return 0;
	case COL_TIME:
		/* signed HHMMSS as one decimal integer, 3 bytes LE */
		sv = sext(get_u24le(p), 24);
		v = sv < 0 ? (uint64_t)-sv : (uint64_t)sv;
		k = 0;
		if (sv < 0)
			buf[k++] = '-';
		k += put_clock(buf + k, v / 10000, (unsigned)(v / 100 % 100),
		               (unsigned)(v % 100), 0, 0);
		put_quoted(out, fmt, buf, k);
		return 0;
	case COL_TIME2: return fmt_time2(c, p, fmt, out, err);
	case COL_DATETIME:
		/* YYYYMMDDhhmmss as one decimal integer, 8 bytes LE */
		v = get_u64le(p);
		put_datetime(
		    out, fmt, v / 10000000000ULL,
		    (unsigned)(v / 100000000 % 100),
		    (unsigned)(v / 1000000 % 100), (unsigned)(v / 10000 % 100),
		    (unsigned)(v / 100 % 100), (unsigned)(v % 100), 0, 0);
		return 0;
	case COL_DATETIME2: return fmt_datetime2(c, p, fmt, out, err);
	case COL_TIMESTAMP: fmt_epoch(out, fmt, get_u32le(p), 0, 0); return 0;
	case COL_TIMESTAMP2:
		sv = frac_usec(p + 4, m);
		if (sv < 0 || sv > 999999)
			return bad_value(c, err, "fraction out of range");
		fmt_epoch(out, fmt, (uint32_t)get_uintbe(p, 4), (uint32_t)sv,
		          m);
		return 0;
	case COL_BIT: sbuf_u64(out, get_uintbe(p, len)); return 0;
	case COL_ENUM: fmt_enum(out, c, get_uintle(p, len), fmt); return 0;
	case COL_SET: fmt_set(out, c, get_uintle(p, len), fmt); return 0;
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING:
		pfx = m < 256 ? 1 : 2;
		if (value_charset_is_latin1(c->charset)) {
			fmt_latin1(out, p + pfx, len - pfx, fmt);
			return 0;
		}
		bin = c->charset == COL_CHARSET_BINARY;
		fmt_bytes(out, p + pfx, len - pfx, bin, fmt,
		          bin && c->type == COL_STRING && m > len - pfx
		              ? m - (len - pfx)
		              : 0);
		return 0;
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
		if (value_charset_is_latin1(c->charset)) {
			fmt_latin1(out, p + m, len - m, fmt);
			return 0;
		}
		fmt_bytes(out, p + m, len - m, c->charset == COL_CHARSET_BINARY,
		          fmt, 0);
		return 0;
	case COL_GEOMETRY:
	case COL_VECTOR: fmt_bytes(out, p + m, len - m, true, fmt, 0); return 0;
	case COL_JSON: return fmt_json(c, p + m, len - m, fmt, out, err);
	case COL_NULL:
		sbuf_puts(out, fmt == VALUE_JSON ? "null" : "NULL");
		return 0;
	default:
		/* value_cell_len refused every other type already */
		return bad_value(c, err, "type cannot be formatted");
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/json_bin.c: MySQL's binary JSON to the text MySQL prints, and the
 * JSON diffs of PARTIAL_UPDATE_ROWS to nested JSON_* calls.
 * In: untrusted bytes.  Out: text appended to an sbuf; on error the sbuf is
 * put back to its length on entry.  Pure functions, any thread.
 *
 * Layout (MySQL sql-common/json_binary.h): doc = type byte + value.
 * Object/array = element count, byte size (u16 "small" or u32 "large"),
 * object key entries (offset, u16 length), value entries (type byte + offset,
 * or the value itself for literals, int16, uint16 and, in the large form,
 * int32/uint32).  Offsets count from the container's first byte (the count),
 * i.e. the byte after its type byte.  Strings and opaque lengths use a
 * 7-bits-per-byte length; OPAQUE carries a MySQL field type (DECIMAL and the
 * temporal types print as numbers / quoted strings, the rest as base64).
 *
 * Text: as Json_wrapper::to_string (CAST(doc AS CHAR)): ", " and ": "
 * separators, MySQL's string escapes, doubles via my_gcvt's rules.
 *
 * Safety: reads are checked against the enclosing container's size, nesting
 * stops past 100 levels (MySQL's JSON_DOCUMENT_MAX_DEPTH), and the bytes
 * visited are budgeted: a crafted document whose entries all point at one
 * shared sub-tree would otherwise print 2^depth copies of it.
 * json_diff_to_text takes the diff list WITHOUT its u32 length (see below).
 */
#include "json_bin.h"

#include "coltype.h"
#include "value.h"

#include "bytes.h"
#include "coltype.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Value type bytes. */
enum {
	JB_SMALL_OBJECT = 0x00,
	JB_LARGE_OBJECT = 0x01,
	JB_SMALL_ARRAY = 0x02,
	JB_LARGE_ARRAY = 0x03,
	JB_LITERAL = 0x04,
	JB_INT16 = 0x05,
	JB_UINT16 = 0x06,
	JB_INT32 = 0x07,
	JB_UINT32 = 0x08,
	JB_INT64 = 0x09,
	JB_UINT64 = 0x0a,
	JB_DOUBLE = 0x0b,
	JB_STRING = 0x0c,
	JB_OPAQUE = 0x0f,
};

enum { LIT_NULL = 0x00, LIT_TRUE = 0x01, LIT_FALSE = 0x02 };

/* Diff operations (enum_json_diff_operation). */
enum { DIFF_REPLACE = 0, DIFF_INSERT = 1, DIFF_REMOVE = 2 };

#define JSON_MAX_DEPTH 100

struct jwalk {
	const uint8_t *base; /* document start: error offsets count from here */
	struct sbuf *out;
	struct sl_err *err;
	uint64_t budget; /* bytes the walk may still visit */
};

__attribute__((format(printf, 3, 4))) static int
bad(const struct jwalk *w, const uint8_t *at, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sl_err_set(w->err, SL_EPROTO, "json: %s (document offset %zu)",
	                  msg, (size_t)(at - w->base));
}

/* Each byte of a well-formed document is visited at most once; the budget
 * (twice the size, for slack) only trips on documents that reuse bytes. */
static int charge(struct jwalk *w, const uint8_t *at, uint64_t n)
{
	if (n > w->budget)
		return bad(w, at, "values share or loop over the same bytes");
	w->budget -= n;
	return 0;
}

static void put(struct sbuf *out, const void *s, size_t n)
{
	if (n != 0)
		sbuf_put(out, s, n);
}

/* MySQL's variable-length length: 7 bits per byte, low group first, high
 * bit set on all but the last byte; at most 5 bytes, value fits in u32.
 * Returns the bytes used, or 0 if malformed or truncated. */
static size_t read_varlen(const uint8_t *p, size_t n, uint32_t *len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 5 && i < n; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			if (v > UINT32_MAX)
				return 0;
			*len = (uint32_t)v;
			return i + 1;
		}
	}
	return 0;
}

/* MySQL double_quote(): escapes " \ \b \f \n \r \t, other bytes <= 0x1f as
 * \u00xx (lowercase hex); everything else, UTF-8 included, is copied. */
static void put_json_string(struct sbuf *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	sbuf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		const char *esc;
		char u[6];

		if (c > 0x1f && c != '"' && c != '\\')
			continue;
		put(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			put(out, u, sizeof(u));
			continue;
		}
		put(out, esc, 2);
	}
	put(out, s + run, n - run);
	sbuf_putc(out, '"');
}

/* ---- doubles ---------------------------------------------------------- */

/* Splits printf's "%.Ne" text into its digits and decimal exponent. */
static int split_sci(const char *s, char *dig, int *exp10)
{
	int nd = 0;

	for (; *s != 'e'; s++)
		if (*s != '.')
			dig[nd++] = *s;
	*exp10 = atoi(s + 1);
	return nd;
}

static double sci_value(const char *dig, int nd, int exp10)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%c.%.*se%d", dig[0], nd - 1, dig + 1,
	         exp10);
	return strtod(buf, NULL);
}

/*
 * The shortest digit string that reads back as a (finite, > 0), the
 * digits MySQL's dtoa() (mode 0 / mode 4 with room to spare) produces, with
 * a = 0.DIGITS * 10^decpt.  For each length k, printf gives the nearest
 * k-digit decimal; at a power of two the rounding interval is lopsided, so
 * when the nearest misses, the k-digit neighbour on the far side may still
 * read back as a and is then the answer.  17 digits always round-trip.
 */
static int shortest_digits(double a, char *dig, int *decpt)
{
	char buf[48], alt[24];
	int nd = 0, e10 = 0;

	for (int k = 1; k <= 17; k++) {
		double v;
		int ae, i;

		snprintf(buf, sizeof(buf), "%.*e", k - 1, a);
		nd = split_sci(buf, dig, &e10);
		v = strtod(buf, NULL);
		if (v == a || k == 17)
			break;
		memcpy(alt, dig, (size_t)nd);
		ae = e10;
		if (v < a) { /* next k-digit decimal up */
			for (i = nd - 1; i >= 0 && alt[i] == '9'; i--)
				alt[i] = '0';
			if (i < 0) {
				alt[0] = '1';
				ae++;
			} else {
				alt[i]++;
			}
		} else { /* next k-digit decimal down */
			for (i = nd - 1; alt[i] == '0'; i--)
				alt[i] = '9';
			alt[i]--;
			if (alt[0] == '0') { /* 1000 -> 9999 one decade lower */
				memset(alt, '9', (size_t)nd);
				ae--;
			}
		}
		if (sci_value(alt, nd, ae) == a) {
			memcpy(dig, alt, (size_t)nd);
			e10 = ae;
			break;
		}
	}
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	*decpt = e10 + 1;
	return nd;
}

/*
 * my_gcvt(d, MY_GCVT_ARG_DOUBLE, 34) as Json_wrapper uses it: with a
 * 34-character field every shortest form fits, so the choice reduces to
 * fixed notation when -14 <= decpt <= 15 (or the digits reach past the
 * point), else N.NNNe[-]X.  ".0" is added when neither '.' nor 'e' shows.
 */
static void put_double(struct sbuf *out, double d)
{
	char dig[24], buf[64];
	size_t o = 0;
	int nd, decpt;

	if (signbit(d))
		buf[o++] = '-';
	if (d == 0) {
		dig[0] = '0';
		nd = 1;
		decpt = 1;
	} else {
		nd = shortest_digits(fabs(d), dig, &decpt);
	}
	if (decpt >= -14 && (decpt <= 15 || nd > decpt)) {
		if (decpt <= 0) {
			buf[o++] = '0';
			buf[o++] = '.';
			for (int i = decpt; i < 0; i++)
				buf[o++] = '0';
			memcpy(buf + o, dig, (size_t)nd);
			o += (size_t)nd;
		} else {
			for (int i = 0; i < nd; i++) {
				buf[o++] = dig[i];
				if (i + 1 == decpt && i + 1 < nd)
					buf[o++] = '.';
			}
			for (int i = nd; i < decpt; i++)
				buf[o++] = '0';
		}
		if (memchr(buf, '.', o) == NULL) {
			buf[o++] = '.';
			buf[o++] = '0';
		}
	} else {
		buf[o++] = dig[0];
		if (nd > 1) {
			buf[o++] = '.';
			memcpy(buf + o, dig + 1, (size_t)nd - 1);
			o += (size_t)nd - 1;
		}
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "e%d",
		                      decpt - 1);
	}
	put(out, buf, o);
}

/* ---- OPAQUE payloads --------------------------------------------------- */

/* An opaque DECIMAL: precision and scale bytes, then the packed decimal
 * of a DECIMAL column, printed by the column formatter (value.c). */
static int print_decimal(struct jwalk *w, const uint8_t *at, const uint8_t *p,
                         size_t n)
{
	struct column c = {.type = COL_NEWDECIMAL};
	struct sl_err verr;
	uint32_t need;

	if (n < 2)
		return bad(w, at, "decimal of %zu bytes has no precision/scale",
		           n);
	c.meta = (uint16_t)(p[0] << 8 | p[1]);
	/* Sizing a DECIMAL reads no bytes, only precision and scale. */
	if (value_cell_len(&c, p + 2, 64, &need) != 0)
		return bad(w, at, "decimal(%u,%u) is out of range", p[0], p[1]);
	if (need != n - 2)
		return bad(w, at, "decimal(%u,%u) needs %u bytes, has %zu",
		           p[0], p[1], need, n - 2);
	if (value_format(&c, p + 2, need, VALUE_SQL, w->out, &verr) != 0)
		return bad(w, at, "%s", verr.msg);
	return 0;
}

/* Temporal values are the 8-byte "packed" longlong of TIME_to_longlong_
 * packed(): |v| = (ymd << 17 | hour << 12 | minute << 6 | second) << 24 |
 * microseconds, ymd = (year * 13 + month) << 5 | day; TIME keeps 10 bits of
 * hours and may be negative.  Printed quoted, with 6 fractional digits
 * (my_TIME_to_str(t, 6)); DATE without the time. */
static int print_temporal(struct jwalk *w, const uint8_t *at, unsigned ft,
                          const uint8_t *p, size_t n)
{
	int64_t v;
	uint64_t u, ip;
	unsigned frac, hour, min, sec;
	bool neg;

	if (n != 8)
		return bad(w, at,
		           "temporal value of type %u has %zu bytes, "
		           "not 8",
		           ft, n);
	v = (int64_t)get_u64le(p);
	neg = v < 0;
	u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	frac = (unsigned)(u & 0xffffff);
	ip = u >> 24;
	if (frac > 999999)
		return bad(w, at, "temporal value has %u microseconds", frac);
	min = (unsigned)(ip >> 6) & 63;
	sec = (unsigned)ip & 63;
	if (ft == COL_TIME) {
		hour = (unsigned)(ip >> 12) & 1023;
		if (min > 59 || sec > 59)
			return bad(w, at, "time has minute %u second %u", min,
			           sec);
		sbuf_printf(w->out, "\"%s%02u:%02u:%02u.%06u\"", neg ? "-" : "",
		            hour, min, sec, frac);
		return 0;
	}

	uint64_t ymd = ip >> 17, ym = ymd >> 5;
	unsigned day = (unsigned)(ymd & 31), month = (unsigned)(ym % 13);
	uint64_t year = ym / 13;

	hour = (unsigned)(ip >> 12) & 31;
	if (neg || year > 9999 || hour > 23 || min > 59 || sec > 59)
		return bad(w, at,
		           "datetime out of range (%s%llu-%u-%u "
		           "%u:%u:%u)",
		           neg ? "-" : "", (unsigned long long)year, month, day,
		           hour, min, sec);
	if (ft == COL_DATE)
		sbuf_printf(w->out, "\"%04u-%02u-%02u\"", (unsigned)year, month,
		            day);
	else
		sbuf_printf(w->out, "\"%04u-%02u-%02u %02u:%02u:%02u.%06u\"",
		            (unsigned)year, month, day, hour, min, sec, frac);
	return 0;
}

/* "base64:type<N>:<data>" in a JSON string; MySQL's base64_encode breaks
 * lines every 76 characters, and the newline is then escaped as \n. */
static void put_base64(struct sbuf *out, unsigned ft, const uint8_t *s,
                       size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t line = 0;

	sbuf_printf(out, "\"base64:type%u:", ft);
	for (size_t i = 0; i < n; i += 3, line += 4) {
		uint32_t c = (uint32_t)s[i] << 16;
		char q[4];

		if (line == 76) {
			put(out, "\\n", 2);
			line = 0;
		}
		if (i + 1 < n)
			c |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			c |= s[i + 2];
		q[0] = tab[(c >> 18) & 63];
		q[1] = tab[(c >> 12) & 63];
		q[2] = i + 1 < n ? tab[(c >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[c & 63] : '=';
		put(out, q, 4);
	}
	sbuf_putc(out, '"');
}

/* OPAQUE: field type byte, varlen length, data (p, n bounded by the
 * enclosing container). */
static int print_opaque(struct jwalk *w, const uint8_t *p, size_t n)
{
	uint32_t len;
	size_t used;
	unsigned ft;
	const uint8_t *data;
	int rc;

	if (n < 1)
		return bad(w, p, "opaque value is truncated");
	ft = p[0];
	used = read_varlen(p + 1, n - 1, &len);
	if (used == 0)
		return bad(w, p, "opaque value has a bad length");
	if (len > n - 1 - used)
		return bad(w, p,
		           "opaque value of %u bytes runs past the %zu "
		           "available",
		           len, n - 1 - used);
	if ((rc = charge(w, p, 1 + used + (uint64_t)len)) != 0)
		return rc;
	data = p + 1 + used;
	switch (ft) {
	case COL_NEWDECIMAL: return print_decimal(w, p, data, len);
	case COL_DATE:
	case COL_TIME:
	case COL_DATETIME:
	case COL_TIMESTAMP: return print_temporal(w, p, ft, data, len);
	case COL_VAR_STRING: /* MySQL prints these as plain strings */
		put_json_string(w->out, data, len);
		return 0;
	default: put_base64(w->out, ft, data, len); return 0;
	}
}

/* ---- values and containers -------------------------------------------- */

static int print_value(struct jwalk *w, uint8_t type, const uint8_t *p,
                       size_t n, int depth);

static int print_literal(struct jwalk *w, const uint8_t *p)
{
	switch (p[0]) {
	case LIT_NULL: sbuf_puts(w->out, "null"); return 0;
	case LIT_TRUE: sbuf_puts(w->out, "true"); return 0;
	case LIT_FALSE: sbuf_puts(w->out, "false"); return 0;
	default: return bad(w, p, "unknown literal 0x%02x", p[0]);
	}
}

static uint32_t read_off(const uint8_t *p, bool large)
{
	return large ? get_u32le(p) : get_u16le(p);
}

/* One value entry of a container (c, size bytes): an inlined scalar, or an
 * offset to the value inside the container. */
static int print_entry(struct jwalk *w, const uint8_t *e, bool large,
                       const uint8_t *c, size_t size, int depth)
{
	uint8_t type = e[0];
	const uint8_t *v = e + 1;
	uint32_t off;

	if (type > JB_STRING && type != JB_OPAQUE)
		return bad(w, e, "unknown value type 0x%02x", type);
	switch (type) {
	case JB_LITERAL: return print_literal(w, v);
	case JB_INT16: sbuf_i64(w->out, (int16_t)get_u16le(v)); return 0;
	case JB_UINT16: sbuf_u64(w->out, get_u16le(v)); return 0;
	case JB_INT32:
		if (large) {
			sbuf_i64(w->out, (int32_t)get_u32le(v));
			return 0;
		}
		break;
	case JB_UINT32:
		if (large) {
			sbuf_u64(w->out, get_u32le(v));
			return 0;
		}
		break;
	}
	off = read_off(v, large);
	if (off >= size)
		return bad(w, e,
		           "value offset %u is outside its container of "
		           "%zu bytes",
		           off, size);
	return print_value(w, type, c + off, size - off, depth);
}

/* Object or array at p (after its type byte), n bytes available. */
static int print_container(struct jwalk *w, uint8_t type, const uint8_t *p,
                           size_t n, int depth)
{
	bool large = type == JB_LARGE_OBJECT || type == JB_LARGE_ARRAY;
	bool obj = type == JB_SMALL_OBJECT || type == JB_LARGE_OBJECT;
	const char *what = obj ? "object" : "array";
	size_t os = large ? 4 : 2;
	uint64_t count, size, key_end, hdr;
	int rc;

	if (depth > JSON_MAX_DEPTH)
		return bad(w, p, "nested deeper than %d levels",
		           JSON_MAX_DEPTH);
	if (n < 2 * os)
		return bad(w, p, "%s header truncated (%zu bytes)", what, n);
	count = read_off(p, large);
	size = read_off(p + os, large);
	if (size > n)
		return bad(w, p,
		           "%s size %llu runs past the %zu bytes "
		           "available",
		           what, (unsigned long long)size, n);
	key_end = 2 * os + (obj ? count * (os + 2) : 0);
	hdr = key_end + count * (1 + os);
	if (hdr > size)
		return bad(w, p,
		           "%s of %llu elements needs %llu header bytes, "
		           "has %llu",
		           what, (unsigned long long)count,
		           (unsigned long long)hdr, (unsigned long long)size);
	if ((rc = charge(w, p, hdr)) != 0)
		return rc;

	sbuf_putc(w->out, obj ? '{' : '[');
	for (uint64_t i = 0; i < count; i++) {
		if (i > 0)
			put(w->out, ", ", 2);
		if (obj) {
			const uint8_t *k = p + 2 * os + i * (os + 2);
			uint32_t koff = read_off(k, large);
			unsigned klen = get_u16le(k + os);

			if ((uint64_t)koff + klen > size)
				return bad(w, k,
				           "key at %u+%u runs past its "
				           "object of %llu bytes",
				           koff, klen,
				           (unsigned long long)size);
			if ((rc = charge(w, p + koff, klen)) != 0)
				return rc;
			put_json_string(w->out, p + koff, klen);
			put(w->out, ": ", 2);
		}
		rc = print_entry(w, p + key_end + i * (1 + os), large, p,
		                 (size_t)size, depth);
		if (rc != 0)
			return rc;
	}
	sbuf_putc(w->out, obj ? '}' : ']');
	return 0;
}

/* A value of the given type at p (after the type byte), n bytes available
 * (it need not use them all).  depth counts the containers around it. */
static int print_value(struct jwalk *w, uint8_t type, const uint8_t *p,
                       size_t n, int depth)
{
	static const uint8_t width[] = {
	    [JB_LITERAL] = 1, [JB_INT16] = 2, [JB_UINT16] = 2, [JB_INT32] = 4,
	    [JB_UINT32] = 4,  [JB_INT64] = 8, [JB_UINT64] = 8, [JB_DOUBLE] = 8,
	};
	uint32_t len;
	size_t used;
	double d;
	int rc;

	switch (type) {
	case JB_SMALL_OBJECT:
	case JB_LARGE_OBJECT:
	case JB_SMALL_ARRAY:
	case JB_LARGE_ARRAY: return print_container(w, type, p, n, depth + 1);
	case JB_STRING:
		used = read_varlen(p, n, &len);
		if (used == 0)
			return bad(w, p, "string has a bad length");
		if (len > n - used)
			return bad(w, p,
			           "string of %u bytes runs past the %zu "
			           "available",
			           len, n - used);
		if ((rc = charge(w, p, used + (uint64_t)len)) != 0)
			return rc;
		put_json_string(w->out, p + used, len);
		return 0;
	case JB_OPAQUE: return print_opaque(w, p, n);
	case JB_LITERAL:
	case JB_INT16:
	case JB_UINT16:
	case JB_INT32:
	case JB_UINT32:
	case JB_INT64:
	case JB_UINT64:
	case JB_DOUBLE: break;
	default: return bad(w, p, "unknown value type 0x%02x", type);
	}

	if (n < width[type])
		return bad(w, p, "value of type 0x%02x needs %u bytes, has %zu",
		           type, width[type], n);
	if ((rc = charge(w, p, width[type])) != 0)
		return rc;
	switch (type) {
	case JB_LITERAL: return print_literal(w, p);
	case JB_INT16: sbuf_i64(w->out, (int16_t)get_u16le(p)); break;
	case JB_UINT16: sbuf_u64(w->out, get_u16le(p)); break;
	case JB_INT32: sbuf_i64(w->out, (int32_t)get_u32le(p)); break;
	case JB_UINT32: sbuf_u64(w->out, get_u32le(p)); break;
	case JB_INT64: sbuf_i64(w->out, (int64_t)get_u64le(p)); break;
	case JB_UINT64: sbuf_u64(w->out, get_u64le(p)); break;
	case JB_DOUBLE:
		memcpy(&d, p, sizeof(d));
		if (!isfinite(d))
			return bad(w, p, "double is not finite");
		put_double(w->out, d);
		break;
	}
	return 0;
}

/* Offsets in errors count from p; the budget allows twice the document's
 * size (see charge). */
static int doc_to_text(const uint8_t *p, size_t n, struct sbuf *out,
                       struct sl_err *err)
{
	struct jwalk w = {
	    .base = p,
	    .out = out,
	    .err = err,
	    .budget = 2 * (uint64_t)n + 64,
	};

	if (n == 0) {
		sbuf_puts(out, "null");
		return 0;
	}
	return print_value(&w, p[0], p + 1, n - 1, 0);
}

int json_bin_to_text(const uint8_t *p, size_t n, struct sbuf *out,
                     struct sl_err *err)
{
	size_t start = out->len;
	int rc = doc_to_text(p, n, out, err);

	if (rc != 0)
		out->len = start;
	return rc;
}

/* ---- partial-update diffs ---------------------------------------------- */

/*
 * Json_diff_vector::write_binary: a u32 byte length, then per diff an
 * operation byte (0 REPLACE, 1 INSERT, 2 REMOVE), a length-encoded path
 * length and the path text ("$.a[2]"), and unless REMOVE a length-encoded
 * value length and the value as a binary JSON document.  In the rows event
 * the u32 is also the cell's length prefix (JSON columns carry 4 length
 * bytes), so json_diff_to_text takes (p, n) = the diffs AFTER the u32,
 * the same slice a full JSON cell hands json_bin_to_text.
 */
struct diff {
	uint8_t op;
	const uint8_t *path;
	size_t path_len;
	const uint8_t *val; /* NULL for REMOVE */
	size_t val_len;
};

/* Always SL_EPROTO (sl_err_set returns its code; saying so here keeps a
 * failed next_diff visibly non-zero to callers and the analyzer). */
static int diff_bad(struct sl_err *err, const uint8_t *base, const uint8_t *at,
                    const char *what)
{
	(void)sl_err_set(err, SL_EPROTO, "json diff: %s (offset %zu)", what,
	                 (size_t)(at - base));
	return SL_EPROTO;
}

/* Parses the diff at *pp (bounded by end) and advances *pp. */
static int next_diff(const uint8_t **pp, const uint8_t *end,
                     const uint8_t *base, struct diff *d, struct sl_err *err)
{
	const uint8_t *p = *pp, *at;
	uint64_t len;

	d->op = *p++;
	if (d->op > DIFF_REMOVE)
		return diff_bad(err, base, p - 1, "unknown operation");
	at = p;
	if (p >= end || *p == 0xfb || lenenc_get(&p, end, &len) != 0)
		return diff_bad(err, base, at, "bad path length");
	if (len == 0 || len > (uint64_t)(end - p) || p[0] != '$')
		return diff_bad(err, base, at, "bad path");
	d->path = p;
	d->path_len = (size_t)len;
	p += len;
	d->val = NULL;
	d->val_len = 0;
	if (d->op != DIFF_REMOVE) {
		at = p;
		if (p >= end || *p == 0xfb || lenenc_get(&p, end, &len) != 0)
			return diff_bad(err, base, at, "bad value length");
		if (len == 0 || len > (uint64_t)(end - p))
			return diff_bad(err, base, at, "bad value");
		d->val = p;
		d->val_len = (size_t)len;
		p += len;
	}
	*pp = p;
	return 0;
}

/* The SQL function that performs a diff, as mysqlbinlog names it: an
 * INSERT at an array position ("...[3]") shifts the array. */
static const char *diff_func(const struct diff *d)
{
	switch (d->op) {
	case DIFF_REPLACE: return "JSON_REPLACE";
	case DIFF_INSERT:
		return d->path[d->path_len - 1] == ']' ? "JSON_ARRAY_INSERT"
		                                       : "JSON_INSERT";
	default: return "JSON_REMOVE";
	}
}

/* A single-quoted SQL string literal with MySQL's backslash escapes (the
 * path syntax itself uses backslashes inside quoted keys). */
static void put_sql_string(struct sbuf *out, const uint8_t *s, size_t n)
{
	sbuf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\0': put(out, "\\0", 2); break;
		case '\'': put(out, "\\'", 2); break;
		case '\\': put(out, "\\\\", 2); break;
		case '\n': put(out, "\\n", 2); break;
		case '\r': put(out, "\\r", 2); break;
		case 0x1a: put(out, "\\Z", 2); break;
		default: sbuf_putc(out, (char)s[i]); break;
		}
	}
	sbuf_putc(out, '\'');
}

/*
 * (p, n): the diff list after its u32 length (see above).  The first diff
 * is the innermost call: REPLACE $.a then INSERT $.b prints
 * JSON_INSERT(JSON_REPLACE(@3, '$.a', 1), '$.b', "x"); values are their
 * JSON text.  An empty list prints col_expr alone.
 */
int json_diff_to_text(const uint8_t *p, size_t n, const char *col_expr,
                      struct sbuf *out, struct sl_err *err)
{
	const uint8_t *q, *end = p + n;
	size_t start = out->len, prefix = 0, pos;
	struct diff d;
	uint64_t i;
	int rc;

	/* Pass 1: check the framing and size the "FUNC(" prefix. */
	for (q = p; q < end;) {
		if ((rc = next_diff(&q, end, p, &d, err)) != 0)
			return rc;
		prefix += strlen(diff_func(&d)) + 1;
	}

	/* Pass 2: the prefix, outermost (last diff) first, written back to
	 * front; then the column and each diff's arguments in order.  Pass 1
	 * accepted these bytes, so next_diff cannot fail below; its result
	 * is still checked so d is never used unfilled. */
	if (!sbuf_reserve(out, prefix))
		return 0; /* out->oom is set; the caller checks sbuf_ok */
	pos = start + prefix;
	for (q = p; q < end;) {
		const char *f;
		size_t fl;

		if ((rc = next_diff(&q, end, p, &d, err)) != 0)
			return rc;
		f = diff_func(&d);
		fl = strlen(f);
		pos -= fl + 1;
		memcpy(out->p + pos, f, fl);
		out->p[pos + fl] = '(';
	}
	out->len = start + prefix;
	sbuf_puts(out, col_expr);
	for (q = p, i = 0; q < end; i++) {
		const uint8_t *at = q;

		if ((rc = next_diff(&q, end, p, &d, err)) != 0) {
			out->len = start;
			return rc;
		}
		put(out, ", ", 2);
		put_sql_string(out, d.path, d.path_len);
		if (d.val != NULL) {
			put(out, ", ", 2);
			rc = doc_to_text(d.val, d.val_len, out, err);
			if (rc != 0) {
				sl_err_ctx(err, "json diff %llu at offset %zu",
				           (unsigned long long)i,
				           (size_t)(at - p));
				out->len = start;
				return rc;
			}
		}
		sbuf_putc(out, ')');
	}
	return 0;
}

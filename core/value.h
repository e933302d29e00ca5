/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/value.h: one column cell of a rows event, as raw bytes, to its
 * length and to text.  The decoder calls value_cell_len for every present,
 * non-NULL cell (hot path: no allocation, no copies); value_format runs
 * only when a human or the SQL builder needs text.
 * Pure functions; any thread.
 *
 * Text forms (the contract for `sluice binlog` and the SQL builder):
 *   integers        decimal, signed or unsigned per column.is_unsigned
 *   FLOAT/DOUBLE    shortest text that reads back to the same value
 *                   (FLOAT from its float, not the widened double);
 *                   NaN/Inf cannot occur in MySQL
 *   DECIMAL         exact text, scale digits after the point ("-0.50")
 *   YEAR            four digits; 0 stays 0
 *   DATE            'YYYY-MM-DD' (zero dates kept: '0000-00-00')
 *   TIME, TIME2     '[-]HH:MM:SS[.f…]' (hours up to 838), fsp digits
 *   DATETIME(2)     'YYYY-MM-DD HH:MM:SS[.f…]', fsp digits
 *   TIMESTAMP(2)    UTC 'YYYY-MM-DD HH:MM:SS[.f…]'; 0 -> '0000-00-00 00:00:00'
 *   strings         the bytes (latin1 columns converted to UTF-8);
 *                   SQL: '…' with \0 \' \" \\ \n \r \Z escaped;
 *                   binary (charset 63) or not valid UTF-8: SQL 0x… hex,
 *                   JSON {"hex":"…"}
 *   ENUM, SET       member names when the table map has them ('a,b' for
 *                   SET), else the index / bitmask as an integer
 *   BIT             integer value
 *   JSON (MySQL)    the text MySQL prints for the document (json_bin.c)
 *   GEOMETRY        SRID + WKB bytes, as binary (hex)
 *   VECTOR          binary (hex)
 */
#ifndef SL_CORE_VALUE_H
#define SL_CORE_VALUE_H

#include "coltype.h"
#include "err.h"
#include "sbuf.h"

#include <stddef.h>
#include <stdint.h>

enum value_fmt {
	VALUE_SQL,  /* a literal for a MySQL statement */
	VALUE_JSON, /* a JSON value (strings quoted and escaped) */
};

/* Byte length of the non-NULL cell of column c at p, with avail bytes
 * left in the row image.  Returns 0 and sets *len, SL_ETRUNC when the
 * cell runs past avail, SL_EPROTO for a type this decoder cannot size. */
int value_cell_len(const struct column *c, const uint8_t *p, size_t avail,
                   uint32_t *len);

/* Appends the text of the cell (p, len as sized by value_cell_len) to out
 * in the given form.  Returns 0, or SL_EPROTO with err set when the bytes
 * are not a valid value (bad JSON binary, decimal digits out of range). */
int value_format(const struct column *c, const uint8_t *p, uint32_t len,
                 enum value_fmt fmt, struct sbuf *out, struct sl_err *err);

/* Appends s as a JSON string literal (quotes included, escapes applied);
 * bytes must be valid UTF-8 (see value_utf8_valid). */
void value_json_string(struct sbuf *out, const char *s, size_t n);

/* Appends s as a single-quoted SQL string literal with MySQL escapes. */
void value_sql_string(struct sbuf *out, const char *s, size_t n);

/* True when the collation id is one of latin1's (MySQL latin1 = cp1252). */
int value_charset_is_latin1(uint16_t collation);

/* Writes the UTF-8 form of n latin1 bytes to out (room for 3n bytes);
 * returns its length.  Every byte maps, so nothing is lost. */
size_t value_latin1_to_utf8(const uint8_t *s, size_t n, char *out);

/* Length of the leading run of s that needs no escaping in SQL or JSON
 * strings: ASCII 0x20..0x7f other than ' " and backslash (SSE2). */
size_t value_plain_run(const uint8_t *s, size_t n);

/* True when s holds valid UTF-8 (up to 4-byte sequences). */
int value_utf8_valid(const uint8_t *s, size_t n);

#endif

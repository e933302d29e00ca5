/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/coltype.h: binlog column type codes and the column descriptor the
 * TABLE_MAP decoder fills in and the value formatter reads.
 * A struct column is owned by its table map entry (tablemap.c); its string
 * slices point into the entry's own copy of the TABLE_MAP event, so they
 * live exactly as long as the entry.  Read-only after TABLE_MAP decoding.
 */
#ifndef SL_CORE_COLTYPE_H
#define SL_CORE_COLTYPE_H

#include <stdint.h>

/* Type codes as written in TABLE_MAP (enum_field_types). */
enum col_type {
	COL_DECIMAL = 0,
	COL_TINY = 1,
	COL_SHORT = 2,
	COL_LONG = 3,
	COL_FLOAT = 4,
	COL_DOUBLE = 5,
	COL_NULL = 6,
	COL_TIMESTAMP = 7,
	COL_LONGLONG = 8,
	COL_INT24 = 9,
	COL_DATE = 10,
	COL_TIME = 11,
	COL_DATETIME = 12,
	COL_YEAR = 13,
	COL_NEWDATE = 14,
	COL_VARCHAR = 15,
	COL_BIT = 16,
	COL_TIMESTAMP2 = 17,
	COL_DATETIME2 = 18,
	COL_TIME2 = 19,
	COL_TYPED_ARRAY = 20,
	COL_VECTOR = 242,
	COL_INVALID = 243,
	COL_BOOL = 244,
	COL_JSON = 245,
	COL_NEWDECIMAL = 246,
	COL_ENUM = 247,
	COL_SET = 248,
	COL_TINY_BLOB = 249,
	COL_MEDIUM_BLOB = 250,
	COL_LONG_BLOB = 251,
	COL_BLOB = 252,
	COL_VAR_STRING = 253,
	COL_STRING = 254,
	COL_GEOMETRY = 255,
};

/* Collation id of the binary "charset"; strings with it are bytes. */
#define COL_CHARSET_BINARY 63

/* column.flags */
enum {
	COLF_SIGNEDNESS_KNOWN = 1 << 0, /* SIGNEDNESS metadata was present */
	COLF_CHARSET_KNOWN = 1 << 1,    /* charset came from metadata */
	COLF_PRIMARY_KEY = 1 << 2,      /* part of the binlog's primary key */
	COLF_INVISIBLE = 1 << 3,        /* COLUMN_VISIBILITY says hidden */
};

struct col_str {
	const char *p; /* not NUL-terminated */
	uint32_t len;
};

/*
 * One column of a table map.  `type` is the real type: a STRING (254)
 * column whose metadata says ENUM or SET has type COL_ENUM / COL_SET.
 * `meta` is normalised per type:
 *   NEWDECIMAL            (precision << 8) | scale
 *   BIT                   (whole bytes << 8) | extra bits; bits = bytes*8+extra
 *   STRING                maximum length in bytes (CHAR/BINARY)
 *   ENUM, SET             storage size in bytes (ENUM 1-2, SET 1-8)
 *   VARCHAR, VAR_STRING   maximum length in bytes (length prefix is 1 byte
 *                         when < 256, else 2)
 *   BLOB, GEOMETRY, JSON, VECTOR  size of the length prefix (1-4)
 *   FLOAT, DOUBLE         storage size (4 / 8)
 *   TIME2, DATETIME2, TIMESTAMP2  fractional-second digits (0-6)
 *   others                0
 */
struct column {
	uint8_t type;
	uint8_t is_unsigned; /* 1 when SIGNEDNESS says UNSIGNED */
	uint8_t nullable;    /* from TABLE_MAP's nullability bitmap */
	uint8_t flags;       /* COLF_* */
	uint16_t meta;
	uint16_t charset;    /* collation id; 0 when unknown */
	uint8_t geom_type;   /* GEOMETRY_TYPE metadata, 0 when unknown */
	struct col_str name; /* len 0 when the binlog has no names */
	uint32_t n_strs;     /* ENUM/SET member names, 0 when unknown */
	const struct col_str *strs;
	uint32_t vector_dim; /* VECTOR_DIMENSIONALITY, 0 when unknown */
};

/* Upper-case SQL-ish name of a type code ("VARCHAR", "NEWDECIMAL"). */
const char *coltype_name(uint8_t type);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/tablemap.h: TABLE_MAP events and the cache of them by table id.
 * In: the body of a TABLE_MAP event (borrowed).  Out: a struct table_map
 * whose columns carry the normalised type metadata (coltype.h) and the
 * optional metadata (names, signedness, charsets, ENUM/SET members, keys).
 * The cache owns a private copy of each event body, so entries outlive
 * the receive buffer they came from.  A TABLE_MAP whose bytes equal the
 * cached entry's (the common case: servers repeat the map in every
 * transaction) is recognised by memcmp and not parsed again.
 * Decoder thread only.
 */
#ifndef SL_CORE_TABLEMAP_H
#define SL_CORE_TABLEMAP_H

#include "coltype.h"
#include "err.h"

#include <stddef.h>
#include <stdint.h>

struct table_map {
	uint64_t table_id;
	uint16_t flags;
	struct col_str db;    /* NUL-terminated too */
	struct col_str table; /* NUL-terminated too */
	uint32_t n_cols;
	struct column *cols;
	uint32_t n_pk; /* primary key columns from metadata, 0 if none */
	uint32_t *pk;  /* column indexes, key order */
	int has_names; /* COLUMN_NAME metadata present */

	/* private */
	uint8_t *raw; /* copy of the event body (post-header on) */
	size_t raw_len;
	struct col_str *strs; /* ENUM/SET member storage */
	uint32_t n_strs_cap;
	uint32_t *strs_first;
	char *strs_text;
	/* UTF-8 copies of latin1 ENUM/SET members */ /* per column: its
	                                                 first member in
	                                                 strs */
};

struct tablemap_cache;

struct tablemap_cache *tablemap_cache_new(void);
void tablemap_cache_free(struct tablemap_cache *c);

/* Parses a TABLE_MAP body (everything after the common header, without
 * checksum) into the cache.  id_len is 6, or 4 for the oldest servers
 * (post-header length 6).  Returns 0 and the entry in *out, or a negative
 * SL_E* with err set (message names what is malformed; the caller adds the
 * offset). */
int tablemap_cache_put(struct tablemap_cache *c, const uint8_t *body,
                       size_t len, unsigned id_len,
                       const struct table_map **out, struct sl_err *err);

/* The entry for table_id, or NULL. */
const struct table_map *tablemap_cache_get(const struct tablemap_cache *c,
                                           uint64_t table_id);

/* Drops every entry (a ROTATE or a new FORMAT_DESCRIPTION starts anew). */
void tablemap_cache_clear(struct tablemap_cache *c);

#endif

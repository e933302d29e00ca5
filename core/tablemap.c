/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/tablemap.c: TABLE_MAP parsing and the table-id cache (see
 * tablemap.h).  Layout of the body, after the common header:
 *   table_id (6, or 4 on 5.0-era servers) | flags u16 |
 *   db_len u8, db, NUL | name_len u8, name, NUL | ncols lenenc |
 *   types[ncols] | meta_len lenenc, meta | null bitmap |
 *   optional metadata: (type u8, len lenenc, value)*.
 * Every read is bounds-checked: the bytes are untrusted.
 */
#include "tablemap.h"

#include "bytes.h"
#include "mem.h"
#include "value.h"

#include <string.h>

struct tablemap_cache {
	struct table_map **slots; /* open addressing, NULL = empty */
	size_t cap;               /* power of two */
	size_t n;
};

/* Optional metadata field types. */
enum {
	OM_SIGNEDNESS = 1,
	OM_DEFAULT_CHARSET = 2,
	OM_COLUMN_CHARSET = 3,
	OM_COLUMN_NAME = 4,
	OM_SET_STR_VALUE = 5,
	OM_ENUM_STR_VALUE = 6,
	OM_GEOMETRY_TYPE = 7,
	OM_SIMPLE_PRIMARY_KEY = 8,
	OM_PRIMARY_KEY_WITH_PREFIX = 9,
	OM_ENUM_AND_SET_DEFAULT_CHARSET = 10,
	OM_ENUM_AND_SET_COLUMN_CHARSET = 11,
	OM_COLUMN_VISIBILITY = 12,
	OM_VECTOR_DIMENSIONALITY = 13,
};

static size_t slot_of(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

struct tablemap_cache *tablemap_cache_new(void)
{
	struct tablemap_cache *c = sl_calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->cap = 64;
	c->slots = sl_calloc(c->cap, sizeof(struct table_map *));
	if (c->slots == NULL) {
		sl_free(c);
		return NULL;
	}
	return c;
}

static void entry_free(struct table_map *t)
{
	if (t == NULL)
		return;
	sl_free(t->cols);
	sl_free(t->pk);
	sl_free(t->raw);
	sl_free(t->strs);
	sl_free(t->strs_first);
	sl_free(t->strs_text);
	sl_free(t);
}

void tablemap_cache_clear(struct tablemap_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		entry_free(c->slots[i]);
		c->slots[i] = NULL;
	}
	c->n = 0;
}

void tablemap_cache_free(struct tablemap_cache *c)
{
	if (c == NULL)
		return;
	tablemap_cache_clear(c);
	sl_free(c->slots);
	sl_free(c);
}

static struct table_map **find_slot(struct table_map **slots, size_t cap,
                                    uint64_t id)
{
	size_t i = slot_of(id, cap);

	while (slots[i] != NULL && slots[i]->table_id != id)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

const struct table_map *tablemap_cache_get(const struct tablemap_cache *c,
                                           uint64_t table_id)
{
	return *find_slot(c->slots, c->cap, table_id);
}

static int grow(struct tablemap_cache *c)
{
	size_t ncap = c->cap * 2;
	struct table_map **ns = sl_calloc(ncap, sizeof(struct table_map *));

	if (ns == NULL)
		return SL_ENOMEM;
	for (size_t i = 0; i < c->cap; i++)
		if (c->slots[i] != NULL)
			*find_slot(ns, ncap, c->slots[i]->table_id) =
			    c->slots[i];
	sl_free(c->slots);
	c->slots = ns;
	c->cap = ncap;
	return 0;
}

/* Bytes of per-column metadata in the TABLE_MAP meta block. */
static unsigned meta_size(uint8_t type)
{
	switch (type) {
	case COL_FLOAT:
	case COL_DOUBLE:
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
	case COL_GEOMETRY:
	case COL_JSON:
	case COL_VECTOR:
	case COL_TIME2:
	case COL_DATETIME2:
	case COL_TIMESTAMP2: return 1;
	case COL_VARCHAR:
	case COL_VAR_STRING:
	case COL_BIT:
	case COL_NEWDECIMAL:
	case COL_STRING:
	case COL_ENUM:
	case COL_SET: return 2;
	default: return 0;
	}
}

/* Fills c->type/meta from the raw type code and its metadata bytes. */
static void set_meta(struct column *c, uint8_t type, const uint8_t *m)
{
	c->type = type;
	switch (type) {
	case COL_VARCHAR:
	case COL_VAR_STRING: c->meta = get_u16le(m); break;
	case COL_BIT: c->meta = (uint16_t)((m[1] << 8) | m[0]); break;
	case COL_NEWDECIMAL: c->meta = (uint16_t)((m[0] << 8) | m[1]); break;
	case COL_STRING:
	case COL_ENUM:
	case COL_SET: {
		uint8_t real = m[0];

		if (real != COL_ENUM && real != COL_SET &&
		    (real & 0x30) != 0x30) {
			/* Lengths over 255 borrow two bits of the type. */
			c->type = (uint8_t)(real | 0x30);
			c->meta =
			    (uint16_t)((((real & 0x30) ^ 0x30) << 4) | m[1]);
		} else {
			c->type = real;
			c->meta = m[1];
		}
		break;
	}
	default: c->meta = meta_size(type) == 1 ? m[0] : 0; break;
	}
}

static int is_numeric(uint8_t t)
{
	switch (t) {
	case COL_TINY:
	case COL_SHORT:
	case COL_INT24:
	case COL_LONG:
	case COL_LONGLONG:
	case COL_FLOAT:
	case COL_DOUBLE:
	case COL_NEWDECIMAL:
	case COL_DECIMAL: return 1;
	default: return 0;
	}
}

static int is_character(uint8_t t)
{
	switch (t) {
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING:
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
	case COL_VECTOR: /* MySQL 9 counts it too (see vector.binlog) */
		return 1;
	default: return 0;
	}
}

static int is_enum_set(uint8_t t)
{
	return t == COL_ENUM || t == COL_SET;
}

/* The n-th column (0-based) for which pred() holds, or NULL. */
static struct column *nth_col(struct table_map *t, int (*pred)(uint8_t),
                              uint64_t n)
{
	for (uint32_t i = 0; i < t->n_cols; i++)
		if (pred(t->cols[i].type) && n-- == 0)
			return &t->cols[i];
	return NULL;
}

#define NEED(cond, what)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			return sl_err_set(err, SL_EPROTO,                      \
			                  "TABLE_MAP: malformed %s", what);    \
	} while (0)

static int parse_charsets(struct table_map *t, const uint8_t *p,
                          const uint8_t *end, int (*pred)(uint8_t),
                          int with_default, struct sl_err *err)
{
	uint64_t v, idx;

	if (with_default) {
		NEED(lenenc_get(&p, end, &v) == 0, "default charset");
		for (uint32_t i = 0; i < t->n_cols; i++)
			if (pred(t->cols[i].type)) {
				t->cols[i].charset = (uint16_t)v;
				t->cols[i].flags |= COLF_CHARSET_KNOWN;
			}
		while (p < end) {
			struct column *c;

			NEED(lenenc_get(&p, end, &idx) == 0 &&
			         lenenc_get(&p, end, &v) == 0,
			     "charset pair");
			c = nth_col(t, pred, idx);
			if (c != NULL)
				c->charset = (uint16_t)v;
		}
		return 0;
	}
	for (uint64_t n = 0; p < end; n++) {
		struct column *c;

		NEED(lenenc_get(&p, end, &v) == 0, "column charset");
		c = nth_col(t, pred, n);
		if (c != NULL) {
			c->charset = (uint16_t)v;
			c->flags |= COLF_CHARSET_KNOWN;
		}
	}
	return 0;
}

static int is_set(uint8_t t)
{
	return t == COL_SET;
}

static int is_enum(uint8_t t)
{
	return t == COL_ENUM;
}

static int is_geometry(uint8_t t)
{
	return t == COL_GEOMETRY;
}

static int is_vector(uint8_t t)
{
	return t == COL_VECTOR;
}

static int parse_str_values(struct table_map *t, const uint8_t *p,
                            const uint8_t *end, int (*pred)(uint8_t),
                            struct sl_err *err)
{
	for (uint64_t n = 0; p < end; n++) {
		struct column *c = nth_col(t, pred, n);
		uint64_t count;

		NEED(lenenc_get(&p, end, &count) == 0 && count <= 65535,
		     "ENUM/SET member count");
		if (c != NULL && count > 0) {
			size_t need = (size_t)t->n_strs_cap + count;
			struct col_str *s;

			/* t->strs may move: pointers are set at the end */
			s = sl_realloc(t->strs, need * sizeof(*s));
			if (s == NULL)
				return sl_err_set(err, SL_ENOMEM,
				                  "TABLE_MAP: out of memory");
			t->strs = s;
			t->strs_first[c - t->cols] = t->n_strs_cap;
			c->n_strs = (uint32_t)count;
		}
		for (uint64_t i = 0; i < count; i++) {
			uint64_t len;

			NEED(lenenc_get(&p, end, &len) == 0 &&
			         len <= (uint64_t)(end - p),
			     "ENUM/SET member");
			if (c != NULL) {
				t->strs[t->n_strs_cap].p = (const char *)p;
				t->strs[t->n_strs_cap].len = (uint32_t)len;
				t->n_strs_cap++;
			}
			p += len;
		}
	}
	return 0;
}

static int parse_optional(struct table_map *t, const uint8_t *p,
                          const uint8_t *end, struct sl_err *err)
{
	int rc;

	while (p < end) {
		uint8_t type = *p++;
		uint64_t len;
		const uint8_t *v, *vend;

		NEED(lenenc_get(&p, end, &len) == 0 &&
		         len <= (uint64_t)(end - p),
		     "optional metadata length");
		v = p;
		vend = p + len;
		p = vend;
		switch (type) {
		case OM_SIGNEDNESS: {
			uint32_t bit = 0;

			for (uint32_t i = 0; i < t->n_cols; i++) {
				struct column *c = &t->cols[i];

				if (!is_numeric(c->type))
					continue;
				if (bit / 8 >= len)
					break;
				c->is_unsigned =
				    (v[bit / 8] >> (7 - bit % 8)) & 1;
				c->flags |= COLF_SIGNEDNESS_KNOWN;
				bit++;
			}
			break;
		}
		case OM_DEFAULT_CHARSET:
			rc = parse_charsets(t, v, vend, is_character, 1, err);
			if (rc)
				return rc;
			break;
		case OM_COLUMN_CHARSET:
			rc = parse_charsets(t, v, vend, is_character, 0, err);
			if (rc)
				return rc;
			break;
		case OM_ENUM_AND_SET_DEFAULT_CHARSET:
			rc = parse_charsets(t, v, vend, is_enum_set, 1, err);
			if (rc)
				return rc;
			break;
		case OM_ENUM_AND_SET_COLUMN_CHARSET:
			rc = parse_charsets(t, v, vend, is_enum_set, 0, err);
			if (rc)
				return rc;
			break;
		case OM_COLUMN_NAME:
			for (uint32_t i = 0; v < vend; i++) {
				uint64_t n;

				NEED(lenenc_get(&v, vend, &n) == 0 &&
				         n <= (uint64_t)(vend - v),
				     "column name");
				if (i < t->n_cols) {
					t->cols[i].name.p = (const char *)v;
					t->cols[i].name.len = (uint32_t)n;
				}
				v += n;
			}
			t->has_names = 1;
			break;
		case OM_SET_STR_VALUE:
			rc = parse_str_values(t, v, vend, is_set, err);
			if (rc)
				return rc;
			break;
		case OM_ENUM_STR_VALUE:
			rc = parse_str_values(t, v, vend, is_enum, err);
			if (rc)
				return rc;
			break;
		case OM_GEOMETRY_TYPE:
			for (uint64_t n = 0; v < vend; n++) {
				uint64_t g;
				struct column *c;

				NEED(lenenc_get(&v, vend, &g) == 0,
				     "geometry type");
				c = nth_col(t, is_geometry, n);
				if (c != NULL)
					c->geom_type = (uint8_t)g;
			}
			break;
		case OM_VECTOR_DIMENSIONALITY:
			for (uint64_t n = 0; v < vend; n++) {
				uint64_t d;
				struct column *c;

				NEED(lenenc_get(&v, vend, &d) == 0,
				     "vector dimensionality");
				c = nth_col(t, is_vector, n);
				if (c != NULL)
					c->vector_dim = (uint32_t)d;
			}
			break;
		case OM_SIMPLE_PRIMARY_KEY:
		case OM_PRIMARY_KEY_WITH_PREFIX:
			while (v < vend) {
				uint64_t idx, prefix;
				uint32_t *pk;

				NEED(lenenc_get(&v, vend, &idx) == 0 &&
				         idx < t->n_cols,
				     "primary key column");
				if (type == OM_PRIMARY_KEY_WITH_PREFIX)
					NEED(lenenc_get(&v, vend, &prefix) == 0,
					     "primary key prefix");
				pk = sl_realloc(t->pk,
				                (t->n_pk + 1) * sizeof(*pk));
				if (pk == NULL)
					return sl_err_set(err, SL_ENOMEM,
					                  "TABLE_MAP: out of "
					                  "memory");
				t->pk = pk;
				t->pk[t->n_pk++] = (uint32_t)idx;
				t->cols[idx].flags |= COLF_PRIMARY_KEY;
			}
			break;
		case OM_COLUMN_VISIBILITY:
			for (uint32_t i = 0; i < t->n_cols && i / 8 < len; i++)
				if (!((v[i / 8] >> (7 - i % 8)) & 1))
					t->cols[i].flags |= COLF_INVISIBLE;
			break;
		default: break; /* newer metadata: skip by length */
		}
	}
	return 0;
}

/* ENUM/SET member names come in the column's charset; latin1 ones are
 * converted to UTF-8 once here, so rows print names, not indexes. */
static int latin1_members(struct table_map *t, struct sl_err *err)
{
	size_t need = 0;
	char *o;

	for (uint32_t i = 0; i < t->n_cols; i++) {
		const struct column *c = &t->cols[i];

		if (c->n_strs && value_charset_is_latin1(c->charset))
			for (uint32_t k = 0; k < c->n_strs; k++)
				need += 3 * (size_t)c->strs[k].len;
	}
	if (need == 0)
		return 0;
	t->strs_text = sl_malloc(need);
	if (t->strs_text == NULL)
		return sl_err_set(err, SL_ENOMEM, "TABLE_MAP: out of memory");
	o = t->strs_text;
	for (uint32_t i = 0; i < t->n_cols; i++) {
		struct column *c = &t->cols[i];

		if (!c->n_strs || !value_charset_is_latin1(c->charset))
			continue;
		for (uint32_t k = 0; k < c->n_strs; k++) {
			struct col_str *m = &t->strs[t->strs_first[i] + k];
			size_t n = value_latin1_to_utf8((const uint8_t *)m->p,
			                                m->len, o);

			m->p = o;
			m->len = (uint32_t)n;
			o += n;
		}
	}
	return 0;
}

static int parse(struct table_map *t, unsigned id_len, struct sl_err *err)
{
	const uint8_t *p = t->raw, *end = t->raw + t->raw_len;
	const uint8_t *types, *meta, *meta_end;
	uint64_t ncols, meta_len;
	unsigned dlen, tlen;

	NEED(t->raw_len >= id_len + 2 + 4, "post-header");
	t->table_id = id_len == 6 ? get_u48le(p) : get_u32le(p);
	p += id_len;
	t->flags = get_u16le(p);
	p += 2;
	dlen = *p++;
	NEED((size_t)(end - p) > dlen, "database name");
	t->db.p = (const char *)p;
	t->db.len = dlen;
	p += dlen + 1;
	NEED(p < end, "table name");
	tlen = *p++;
	NEED((size_t)(end - p) > tlen, "table name");
	t->table.p = (const char *)p;
	t->table.len = tlen;
	p += tlen + 1;
	NEED(lenenc_get(&p, end, &ncols) == 0 && ncols > 0 && ncols <= 65536 &&
	         ncols <= (uint64_t)(end - p),
	     "column count");
	types = p;
	p += ncols;
	NEED(lenenc_get(&p, end, &meta_len) == 0 &&
	         meta_len <= (uint64_t)(end - p),
	     "metadata length");
	meta = p;
	meta_end = p + meta_len;
	p = meta_end;
	NEED((uint64_t)(end - p) >= (ncols + 7) / 8, "null bitmap");

	t->n_cols = (uint32_t)ncols;
	t->cols = sl_calloc(ncols, sizeof(*t->cols));
	t->strs_first = sl_calloc(ncols, sizeof(*t->strs_first));
	if (t->cols == NULL || t->strs_first == NULL)
		return sl_err_set(err, SL_ENOMEM, "TABLE_MAP: out of memory");
	for (uint32_t i = 0; i < ncols; i++) {
		unsigned ms = meta_size(types[i]);

		NEED((size_t)(meta_end - meta) >= ms, "column metadata");
		set_meta(&t->cols[i], types[i], meta);
		meta += ms;
		t->cols[i].nullable = (p[i / 8] >> (i % 8)) & 1;
	}
	p += (ncols + 7) / 8;
	if (p < end) {
		int rc = parse_optional(t, p, end, err);

		if (rc)
			return rc;
	}
	/* Turn the ENUM/SET member indexes into pointers now that t->strs
	 * no longer moves. */
	for (uint32_t i = 0; i < ncols; i++)
		if (t->cols[i].n_strs)
			t->cols[i].strs = t->strs + t->strs_first[i];
	return latin1_members(t, err);
}

int tablemap_cache_put(struct tablemap_cache *c, const uint8_t *body,
                       size_t len, unsigned id_len,
                       const struct table_map **out, struct sl_err *err)
{
	struct table_map **slot, *t;
	uint64_t id;
	int rc;

	if (len < id_len)
		return sl_err_set(err, SL_EPROTO, "TABLE_MAP: too short");
	id = id_len == 6 ? get_u48le(body) : get_u32le(body);
	slot = find_slot(c->slots, c->cap, id);
	if (*slot != NULL && (*slot)->raw_len == len &&
	    memcmp((*slot)->raw, body, len) == 0) {
		*out = *slot;
		return 0;
	}
	t = sl_calloc(1, sizeof(*t));
	if (t == NULL)
		return sl_err_set(err, SL_ENOMEM, "TABLE_MAP: out of memory");
	t->raw = sl_malloc(len ? len : 1);
	if (t->raw == NULL) {
		sl_free(t);
		return sl_err_set(err, SL_ENOMEM, "TABLE_MAP: out of memory");
	}
	memcpy(t->raw, body, len);
	t->raw_len = len;
	rc = parse(t, id_len, err);
	if (rc) {
		entry_free(t);
		return rc;
	}
	if (*slot != NULL) {
		entry_free(*slot);
		*slot = t;
	} else {
		*slot = t;
		if (++c->n * 2 > c->cap && grow(c) != 0) {
			/* Entry is stored; growth retried next time. */
		}
	}
	*out = t;
	return 0;
}

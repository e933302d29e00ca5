/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/route.c: key hashes for dispatch (core/route.h).
 * In: a row image (cells are slices of the event bytes, read in place) and
 * the key columns.  Out: XXH3_64bits_withSeed(normalised key, table seed).
 * Pure functions; any thread; no allocation.
 *
 * Normalised key: per key column one tag byte (0 NULL, 1 value), then
 *   TINY..LONGLONG   the value as 64 bits, sign-extended when signed
 *   YEAR ENUM SET BIT  the stored number as 64 bits
 *   FLOAT DOUBLE     the value as a double, -0 as +0
 *   text strings     (CHAR VARCHAR TEXT of any charset but binary, or of
 *                    unknown charset) u32 length + bytes: cut to the key
 *                    prefix, trailing 0x20 and 0x00 bytes dropped (the
 *                    server strips CHAR padding; PAD SPACE collations
 *                    ignore trailing spaces; in UCS-2/UTF-16/UTF-32 a space
 *                    is 0x00/0x20 bytes), ASCII A-Z folded to a-z
 *   BINARY(n)        u32 length + bytes, cut to the prefix, trailing 0x00
 *                    dropped (the server strips them from the image)
 *   everything else  u32 length + bytes after any length prefix: DECIMAL
 *                    (packed form, canonical per precision and scale),
 *                    temporal types, VARBINARY, BLOB (prefix-cut), JSON…
 * A prefix in characters is applied as that many bytes: never more than
 * the prefix, so rows equal on the prefix stay together.  Not folded:
 * non-ASCII case and accent equivalences of _ci/_ai collations.
 */
#include "route.h"

#include "bytes.h"

#include <endian.h>
#include <string.h>

/* header-only xxHash: no library to link, short keys hashed inline */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* --- the hash input, buffered ----------------------------------------- */

/* Keys are almost always short: they go into buf and are hashed in one
 * call.  A longer key (a long string prefix) spills into the streaming
 * state, which yields the same hash for the same bytes. */
struct hin {
	uint64_t seed;
	size_t n;
	int streaming;
	uint8_t buf[256];
	XXH3_state_t st;
};

static void hin_flush(struct hin *h)
{
	if (!h->streaming) {
		/* reset_withSeed reuses the secret when st->seed already
		 * equals the seed: without this it would read stack garbage */
		XXH3_INITSTATE(&h->st);
		XXH3_64bits_reset_withSeed(&h->st, h->seed);
		h->streaming = 1;
	}
	XXH3_64bits_update(&h->st, h->buf, h->n);
	h->n = 0;
}

static void hin_put(struct hin *h, const uint8_t *p, size_t n)
{
	if (n > sizeof(h->buf) - h->n) {
		hin_flush(h);
		if (n >= sizeof(h->buf)) {
			XXH3_64bits_update(&h->st, p, n);
			return;
		}
	}
	memcpy(h->buf + h->n, p, n);
	h->n += n;
}

/* x with its ASCII upper-case bytes made lower case, 8 bytes at once:
 * a byte's top bit ends up set when it is >= 'A', <= 'Z' and < 0x80,
 * and that bit shifted down two places is the 0x20 that folds it. */
static uint64_t fold8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, top = ones * 0x80;
	uint64_t low7 = x & ~top;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);

	return x | ((ge_a & ~gt_z & ~x & top) >> 2);
}

/* Appends p[0..n) with ASCII upper case folded to lower case. */
static void hin_put_folded(struct hin *h, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t room = sizeof(h->buf) - h->n, k, i = 0;
		uint8_t *o;

		if (room == 0) {
			hin_flush(h);
			room = sizeof(h->buf);
		}
		k = n < room ? n : room;
		o = h->buf + h->n;
		for (; k - i >= 8; i += 8) {
			uint64_t x;

			memcpy(&x, p + i, 8);
			x = fold8(x);
			memcpy(o + i, &x, 8);
		}
		for (; i < k; i++)
			o[i] =
			    (uint8_t)((unsigned)(p[i] - 'A') < 26u ? p[i] | 0x20
			                                           : p[i]);
		h->n += k;
		p += k;
		n -= k;
	}
}

static void hin_put_u8(struct hin *h, uint8_t v)
{
	hin_put(h, &v, 1);
}

/* Numbers go in little-endian, whatever the host. */
static void hin_put_u32(struct hin *h, uint32_t v)
{
	v = htole32(v);
	hin_put(h, (const uint8_t *)&v, sizeof(v));
}

static void hin_put_u64(struct hin *h, uint64_t v)
{
	v = htole64(v);
	hin_put(h, (const uint8_t *)&v, sizeof(v));
}

/* n-byte little-endian integer (1..8 bytes), word loads for the common
 * widths. */
static uint64_t load_le(const uint8_t *p, uint32_t n)
{
	return n == 8 ? get_u64le(p) : n == 4 ? get_u32le(p) : get_uintle(p, n);
}

static uint64_t hin_digest(struct hin *h)
{
	if (!h->streaming)
		return XXH3_64bits_withSeed(h->buf, h->n, h->seed);
	XXH3_64bits_update(&h->st, h->buf, h->n);
	return XXH3_64bits_digest(&h->st);
}

/* --- values ------------------------------------------------------------ */

static int is_text(const struct column *c)
{
	return c->charset != COL_CHARSET_BINARY;
}

/* Length of [p, p+n) cut to the key prefix, less trailing 0x00 bytes and,
 * when spaces is set, trailing 0x20 bytes. */
static size_t trim(const uint8_t *p, size_t n, uint32_t prefix, int spaces)
{
	if (prefix != 0 && n > prefix)
		n = prefix;
	while (n > 0 && (p[n - 1] == 0 || (spaces && p[n - 1] == ' ')))
		n--;
	return n;
}

static int key_err(const struct table_map *tm, uint32_t col, struct sl_err *err,
                   int code, const char *what)
{
	const struct col_str *name =
	    col < tm->n_cols ? &tm->cols[col].name : NULL;

	return sl_err_set(err, code, "%s.%s: key column %u%s%.*s%s: %s",
	                  tm->db.p ? tm->db.p : "",
	                  tm->table.p ? tm->table.p : "", col,
	                  name && name->len ? " (" : "",
	                  name && name->len ? (int)name->len : 0,
	                  name && name->len ? name->p : "",
	                  name && name->len ? ")" : "", what);
}

/* Appends the normalised form of one non-NULL key cell. */
static int put_value(struct hin *h, const struct table_map *tm, uint32_t col,
                     const struct cell *cell, uint32_t prefix,
                     struct sl_err *err)
{
	const struct column *c = &tm->cols[col];
	const uint8_t *p = cell->p;
	uint32_t len = cell->len, pfx;
	uint64_t v;
	double d;
	float f;

	switch (c->type) {
	case COL_TINY:
	case COL_SHORT:
	case COL_INT24:
	case COL_LONG:
	case COL_LONGLONG:
		if (len < 1 || len > 8)
			goto bad;
		v = load_le(p, len);
		if (!c->is_unsigned && len < 8 && (v >> (8 * len - 1)) != 0)
			v |= ~(uint64_t)0 << (8 * len); /* sign-extend */
		hin_put_u64(h, v);
		return 0;
	case COL_YEAR:
	case COL_ENUM:
	case COL_SET:
		if (len < 1 || len > 8)
			goto bad;
		hin_put_u64(h, load_le(p, len));
		return 0;
	case COL_BIT:
		if (len < 1 || len > 8)
			goto bad;
		hin_put_u64(h, get_uintbe(p, len));
		return 0;
	case COL_FLOAT:
	case COL_DOUBLE:
		if (len == 4) {
			memcpy(&f, p, 4); /* little-endian hosts only, */
			d = f;            /* as the rest of core/ */
		} else if (len == 8) {
			memcpy(&d, p, 8);
		} else {
			goto bad;
		}
		if (d == 0)
			d = 0; /* -0 == +0 */
		memcpy(&v, &d, 8);
		hin_put_u64(h, v);
		return 0;
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING: pfx = c->meta < 256 ? 1 : 2; break;
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
	case COL_JSON:
	case COL_GEOMETRY:
	case COL_VECTOR:
		pfx = c->meta >= 1 && c->meta <= 4 ? c->meta : 0;
		if (pfx == 0)
			goto bad;
		break;
	default: /* DECIMAL, temporal types: canonical bytes */
		hin_put_u32(h, len);
		hin_put(h, p, len);
		return 0;
	}
	if (len < pfx)
		goto bad;
	p += pfx;
	len -= pfx;
	switch (c->type) {
	case COL_JSON:
	case COL_GEOMETRY:
	case COL_VECTOR: break; /* whole value, bytes as they are */
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING:
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB:
		if (is_text(c)) {
			len = (uint32_t)trim(p, len, prefix, 1);
			hin_put_u32(h, len);
			hin_put_folded(h, p, len);
			return 0;
		}
		if (c->type == COL_STRING) /* BINARY(n): zeros stripped */
			len = (uint32_t)trim(p, len, prefix, 0);
		else if (prefix != 0 && len > prefix)
			len = prefix;
		break;
	default: break;
	}
	hin_put_u32(h, len);
	hin_put(h, p, len);
	return 0;
bad:
	return key_err(tm, col, err, SL_EPROTO, "malformed cell");
}

/* Hash of k's key in img; a key cell absent from img is taken from alt
 * when alt is not NULL (the before image of an UPDATE). */
static int hash_key(const struct route_key *k, const struct table_map *tm,
                    const struct cell *img, const struct cell *alt,
                    uint64_t *hash, struct sl_err *err)
{
	struct hin h;
	int rc;

	h.seed = k->seed;
	h.n = 0;
	h.streaming = 0;
	for (uint32_t i = 0; i < k->n_cols; i++) {
		uint32_t col = k->cols[i];
		const struct cell *cell;

		if (col >= tm->n_cols)
			return key_err(
			    tm, col, err, SL_EINVAL,
			    "not in the table map (schema changed?)");
		cell = &img[col];
		if (cell->state == CELL_ABSENT && alt != NULL)
			cell = &alt[col];
		switch (cell->state) {
		case CELL_NULL: hin_put_u8(&h, 0); break;
		case CELL_VALUE:
			hin_put_u8(&h, 1);
			rc = put_value(&h, tm, col, cell, k->prefix[i], err);
			if (rc != 0)
				return rc;
			break;
		case CELL_ABSENT:
			return key_err(tm, col, err, SL_ENOTFOUND,
			               "absent from the row image");
		default:
			return key_err(tm, col, err, SL_EUNSUPPORTED,
			               "holds a partial JSON update");
		}
	}
	*hash = hin_digest(&h);
	return 0;
}

/* --- exported ---------------------------------------------------------- */

int route_key_init(struct route_key *k, const struct table_map *tm,
                   const uint32_t *cols, const uint32_t *prefix, uint32_t n,
                   struct sl_err *err)
{
	struct hin h;

	memset(k, 0, sizeof(*k));
	if (n == 0 || n > ROUTE_MAX_KEY_COLS)
		return sl_err_set(err, SL_EINVAL, "%s.%s: %u key columns",
		                  tm->db.p ? tm->db.p : "",
		                  tm->table.p ? tm->table.p : "", n);
	for (uint32_t i = 0; i < n; i++) {
		if (cols[i] >= tm->n_cols)
			return key_err(tm, cols[i], err, SL_EINVAL,
			               "not in the table map");
		for (uint32_t j = 0; j < i; j++)
			if (cols[j] == cols[i])
				return key_err(tm, cols[i], err, SL_EINVAL,
				               "named twice");
		k->cols[i] = cols[i];
		k->prefix[i] = prefix ? prefix[i] : 0;
	}
	k->n_cols = n;
	/* the table's identity: length-prefixed db and table names */
	h.seed = 0;
	h.n = 0;
	h.streaming = 0;
	hin_put_u32(&h, tm->db.len);
	hin_put(&h, (const uint8_t *)tm->db.p, tm->db.len);
	hin_put_u32(&h, tm->table.len);
	hin_put(&h, (const uint8_t *)tm->table.p, tm->table.len);
	k->seed = hin_digest(&h);
	return 0;
}

int route_hash(const struct route_key *k, const struct table_map *tm,
               const struct cell *img, uint64_t *hash, struct sl_err *err)
{
	return hash_key(k, tm, img, NULL, hash, err);
}

int route_row(const struct route_key *k, const struct row_change *row,
              struct route_hashes *out, struct sl_err *err)
{
	int rc;

	if (row->tm == NULL)
		return sl_err_set(err, SL_EINVAL, "row change without table");
	switch (row->op) {
	case ROW_INSERT:
		if (row->after == NULL)
			break;
		rc = hash_key(k, row->tm, row->after, NULL, &out->after, err);
		out->before = out->after;
		out->key_changed = false;
		return rc;
	case ROW_DELETE:
		if (row->before == NULL)
			break;
		rc = hash_key(k, row->tm, row->before, NULL, &out->before, err);
		out->after = out->before;
		out->key_changed = false;
		return rc;
	case ROW_UPDATE:
		if (row->before == NULL || row->after == NULL)
			break;
		if ((rc = hash_key(k, row->tm, row->before, NULL, &out->before,
		                   err)) != 0 ||
		    (rc = hash_key(k, row->tm, row->after, row->before,
		                   &out->after, err)) != 0)
			return rc;
		out->key_changed = out->before != out->after;
		return 0;
	default: break;
	}
	return sl_err_set(err, SL_EINVAL,
	                  "%s.%s: row change (op %d) without its image",
	                  row->tm->db.p, row->tm->table.p, row->op);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apply/sqlgen.c: multi-row INSERT / REPLACE / upsert / DELETE text and
 * the per-key compaction of one table's changes in a batch (contracts and
 * the target session in sqlgen.h).
 * Statements are written straight into the caller's buffer; a row that
 * would break the size cap is written, measured and cut off again, so
 * nothing is rendered twice except that one row.  On any error the buffer
 * goes back to its length on entry.
 * Values are value_format's SQL literals with three exceptions, each about
 * reading the literal back exactly:
 *   FLOAT/DOUBLE  get "e0" when the text has no exponent, so the server
 *                 reads a double, not a DECIMAL or an integer (-0 stays -0);
 *   strings of a charset that is not UTF-8, ASCII, latin1 or binary
 *                 (utf16, ucs2, cp1251, latin1 nopad, …) are sent as 0x…
 *                 of their raw bytes: a hex literal is a binary string, which
 *                 the server copies into the column unconverted, whereas a
 *                 '…' literal would be converted from utf8mb4;
 *   ENUM/SET of such charsets are sent as their index / bitmask.
 * Compaction keeps an open-addressing table of entries in the builder,
 * reused from batch to batch.  Thread: the caller's (one per worker).
 */
#include "sqlgen.h"

#include "core/bytes.h"
#include "core/event.h"
#include "core/mem.h"
#include "core/value.h"

#include <string.h>

/* --- identifiers ---------------------------------------------------- */

void sqlgen_ident(struct sbuf *out, const char *name, size_t len)
{
	size_t i = 0;

	sbuf_putc(out, '`');
	while (i < len) {
		const char *bt = memchr(name + i, '`', len - i);
		size_t run = bt != NULL ? (size_t)(bt - (name + i)) : len - i;

		sbuf_put(out, name + i, run);
		i += run;
		if (i < len) {
			sbuf_put(out, "``", 2);
			i++;
		}
	}
	sbuf_putc(out, '`');
}

/* Bytes sqlgen_ident appends for name. */
static size_t ident_len(struct col_str s)
{
	size_t n = (size_t)s.len + 2;

	for (uint32_t i = 0; i < s.len; i++)
		n += s.p[i] == '`';
	return n;
}

static struct col_str col_name(const struct sqlgen_table *t, uint32_t i)
{
	return t->col_names != NULL ? t->col_names[i] : t->cols[i].name;
}

static bool omitted(const struct sqlgen_table *t, uint32_t i)
{
	return t->omit != NULL && t->omit[i] != 0;
}

static void put_name(struct sbuf *out, struct col_str s)
{
	sqlgen_ident(out, s.p, s.len);
}

/* `db`.`t` */
static void put_table(struct sbuf *out, const struct sqlgen_table *t)
{
	put_name(out, t->db);
	sbuf_putc(out, '.');
	put_name(out, t->name);
}

static int check_name(const struct sqlgen_table *t, uint32_t i,
                      struct sl_err *err)
{
	if (col_name(t, i).len == 0)
		return sl_err_set(err, SL_EINVAL,
		                  "%.*s.%.*s: column %u has no name",
		                  (int)t->db.len, t->db.p, (int)t->name.len,
		                  t->name.p, i + 1);
	return 0;
}

/* --- tables --------------------------------------------------------- */

int sqlgen_table_from_map(struct sqlgen_table *t, const struct table_map *tm,
                          struct sl_err *err)
{
	memset(t, 0, sizeof(*t));
	if (!tm->has_names)
		return sl_err_set(err, SL_EUNSUPPORTED,
		                  "%s.%s: the binlog has no column names "
		                  "(binlog_row_metadata=FULL on the source)",
		                  tm->db.p, tm->table.p);
	t->db = tm->db;
	t->name = tm->table;
	t->n_cols = tm->n_cols;
	t->cols = tm->cols;
	t->n_keys = tm->n_pk;
	t->keys = tm->pk;
	return 0;
}

/* --- values --------------------------------------------------------- */

/* Collations whose text value_format prints as a '…' literal the server
 * reads back unchanged over a utf8mb4 connection: UTF-8 (utf8mb3,
 * utf8mb4), ASCII, latin1 (converted to UTF-8 by value_format) and binary
 * (printed as hex there).  0 is "unknown" (no charset metadata): trusted
 * as text too, for want of anything better.  Ids are MySQL 8.0's and
 * MariaDB 10.11's (information_schema.COLLATIONS); they agree where both
 * have an id. */
static bool charset_text_safe(uint16_t id)
{
	if (id == 0 || id == COL_CHARSET_BINARY || value_charset_is_latin1(id))
		return true;
	if ((id >= 192 && id <= 215) || (id >= 224 && id <= 247))
		return true; /* utf8mb3_*, utf8mb4_* (unicode, language) */
	if (id >= 255 && id <= 323)
		return true; /* MySQL 8.0 utf8mb4_*_0900_* */
	switch (id) {
	case 11:  /* ascii_general_ci */
	case 65:  /* ascii_bin */
	case 33:  /* utf8mb3_general_ci */
	case 76:  /* utf8mb3_tolower_ci (MySQL) */
	case 83:  /* utf8mb3_bin */
	case 223: /* utf8mb3_general_mysql500_ci */
	case 45:  /* utf8mb4_general_ci */
	case 46:  /* utf8mb4_bin */
	case 576: /* MariaDB: utf8mb3_croatian_ci, _myanmar_ci, _thai_520_w2 */
	case 577:
	case 578:
	case 608: /* MariaDB: the utf8mb4 ones */
	case 609:
	case 610:
	case 1035: /* MariaDB nopad: ascii, utf8mb3, utf8mb4 */
	case 1089:
	case 1057:
	case 1107:
	case 1216:
	case 1238:
	case 1069:
	case 1070:
	case 1248:
	case 1270: return true;
	default: return false;
	}
}

/* Offset of a string cell's bytes after its length prefix, or 0 for a
 * type that is not a string. */
static unsigned string_prefix(const struct column *col)
{
	switch (col->type) {
	case COL_STRING:
	case COL_VARCHAR:
	case COL_VAR_STRING: return col->meta < 256 ? 1 : 2;
	case COL_BLOB:
	case COL_TINY_BLOB:
	case COL_MEDIUM_BLOB:
	case COL_LONG_BLOB: return col->meta;
	default: return 0;
	}
}

static int bad_cell(const struct column *col, struct sl_err *err, int code,
                    const char *what)
{
	return sl_err_set(err, code, "%s column%s%.*s: %s",
	                  coltype_name(col->type), col->name.len ? " " : "",
	                  (int)col->name.len, col->name.len ? col->name.p : "",
	                  what);
}

int sqlgen_value(struct sbuf *out, const struct column *col,
                 const struct cell *c, struct sl_err *err)
{
	size_t mark = out->len;
	uint32_t want;
	unsigned pfx;
	int rc;

	switch (c->state) {
	case CELL_NULL: sbuf_put(out, "NULL", 4); return 0;
	case CELL_VALUE: break;
	case CELL_JSON_DIFF:
		return bad_cell(col, err, SL_EUNSUPPORTED,
		                "a partial JSON update has no row image "
		                "(binlog_row_value_options must be empty)");
	default:
		return bad_cell(col, err, SL_EINVAL,
		                "value absent from the row image");
	}

	switch (col->type) {
	case COL_FLOAT:
	case COL_DOUBLE:
		rc = value_format(col, c->p, c->len, VALUE_SQL, out, err);
		if (rc != 0 || !sbuf_ok(out))
			return rc;
		if (memchr(out->p + mark, 'e', out->len - mark) == NULL)
			sbuf_put(out, "e0", 2);
		return 0;
	case COL_ENUM:
	case COL_SET:
		if (charset_text_safe(col->charset))
			break;
		if (value_cell_len(col, c->p, c->len, &want) != 0 ||
		    want != c->len)
			return bad_cell(col, err, SL_EPROTO,
			                "cell does not fit the type");
		sbuf_u64(out, get_uintle(c->p, c->len));
		return 0;
	default:
		pfx = string_prefix(col);
		if (pfx == 0 || charset_text_safe(col->charset))
			break;
		if (value_cell_len(col, c->p, c->len, &want) != 0 ||
		    want != c->len)
			return bad_cell(col, err, SL_EPROTO,
			                "cell does not fit the type");
		if (c->len == pfx) {
			sbuf_put(out, "''", 2);
		} else {
			sbuf_put(out, "0x", 2);
			sbuf_hex(out, c->p + pfx, c->len - pfx);
		}
		return 0;
	}
	return value_format(col, c->p, c->len, VALUE_SQL, out, err);
}

/* Appends the value with the column name as context on error. */
static int put_value(struct sbuf *out, const struct sqlgen_table *t, uint32_t i,
                     const struct cell *c, struct sl_err *err)
{
	int rc = sqlgen_value(out, &t->cols[i], c, err);

	if (rc != 0) {
		struct col_str n = col_name(t, i);

		sl_err_ctx(err, "%.*s.%.*s.%.*s", (int)t->db.len, t->db.p,
		           (int)t->name.len, t->name.p, (int)n.len, n.p);
	}
	return rc;
}

/* --- INSERT, REPLACE, upsert ---------------------------------------- */

static bool listed(const struct sqlgen_table *t, const struct cell *row,
                   uint32_t i)
{
	return !omitted(t, i) && row[i].state != CELL_ABSENT;
}

/* True when row lists the same columns as the first row. */
static bool same_columns(const struct sqlgen_table *t, const struct cell *first,
                         const struct cell *row)
{
	for (uint32_t i = 0; i < t->n_cols; i++)
		if (listed(t, first, i) != listed(t, row, i))
			return false;
	return true;
}

static bool is_key(const struct sqlgen_table *t, uint32_t col)
{
	for (uint32_t k = 0; k < t->n_keys; k++)
		if (t->keys[k] == col)
			return true;
	return false;
}

/* " ON DUPLICATE KEY UPDATE `b`=VALUES(`b`),…": the listed non-key
 * columns, or the first listed column when all are keys.  With out NULL,
 * only counts the bytes. */
static size_t upsert_tail(struct sbuf *out, const struct sqlgen_table *t,
                          const struct cell *first)
{
	static const char head[] = " ON DUPLICATE KEY UPDATE ";
	size_t n = sizeof(head) - 1;
	uint32_t n_set = 0, fallback = UINT32_MAX;

	if (out != NULL)
		sbuf_put(out, head, n);
	for (int pass = 0; pass < 2 && n_set == 0; pass++) {
		for (uint32_t i = 0; i < t->n_cols; i++) {
			struct col_str s;

			if (!listed(t, first, i))
				continue;
			if (fallback == UINT32_MAX)
				fallback = i;
			if (pass == 0 ? is_key(t, i) : i != fallback)
				continue;
			s = col_name(t, i);
			n += (n_set ? 1 : 0) + 2 * ident_len(s) + 9;
			if (out != NULL) {
				if (n_set)
					sbuf_putc(out, ',');
				put_name(out, s);
				sbuf_put(out, "=VALUES(", 8);
				put_name(out, s);
				sbuf_putc(out, ')');
			}
			n_set++;
		}
	}
	return n;
}

int sqlgen_insert(struct sbuf *out, const struct sqlgen_table *t,
                  enum sqlgen_verb verb, const struct cell *const *rows,
                  size_t n_rows, size_t max_bytes, size_t *n_done,
                  struct sl_err *err)
{
	size_t start = out->len, tail = 0, r;
	uint32_t n_listed = 0;
	int rc;

	*n_done = 0;
	if (n_rows == 0)
		return sl_err_set(
		    err, SL_EINVAL, "%.*s.%.*s: no rows to insert",
		    (int)t->db.len, t->db.p, (int)t->name.len, t->name.p);
	for (uint32_t i = 0; i < t->n_cols; i++) {
		if (!listed(t, rows[0], i))
			continue;
		if ((rc = check_name(t, i, err)) != 0)
			return rc;
		n_listed++;
	}
	if (n_listed == 0)
		return sl_err_set(
		    err, SL_EINVAL, "%.*s.%.*s: the row image has no columns",
		    (int)t->db.len, t->db.p, (int)t->name.len, t->name.p);
	if (verb == SQLGEN_UPSERT)
		tail = upsert_tail(NULL, t, rows[0]);

	sbuf_puts(out,
	          verb == SQLGEN_REPLACE ? "REPLACE INTO " : "INSERT INTO ");
	put_table(out, t);
	sbuf_put(out, " (", 2);
	for (uint32_t i = 0, k = 0; i < t->n_cols; i++) {
		if (!listed(t, rows[0], i))
			continue;
		if (k++)
			sbuf_putc(out, ',');
		put_name(out, col_name(t, i));
	}
	sbuf_put(out, ") VALUES ", 9);

	for (r = 0; r < n_rows; r++) {
		size_t mark = out->len;

		if (r > 0 && !same_columns(t, rows[0], rows[r]))
			break;
		sbuf_put(out, r ? ",(" : "(", r ? 2 : 1);
		for (uint32_t i = 0, k = 0; i < t->n_cols; i++) {
			if (!listed(t, rows[0], i))
				continue;
			if (k++)
				sbuf_putc(out, ',');
			if ((rc = put_value(out, t, i, &rows[r][i], err)) != 0)
				goto fail;
		}
		sbuf_putc(out, ')');
		if (r > 0 && max_bytes != 0 &&
		    out->len - start + tail > max_bytes) {
			out->len = mark;
			break;
		}
	}
	if (verb == SQLGEN_UPSERT)
		upsert_tail(out, t, rows[0]);
	if (!sbuf_ok(out)) {
		rc = sl_err_set(err, SL_ENOMEM, "out of memory building SQL");
		goto fail;
	}
	*n_done = r;
	return 0;
fail:
	out->len = start;
	return rc;
}

/* --- DELETE --------------------------------------------------------- */

static int key_cell_check(const struct sqlgen_table *t, uint32_t col,
                          const struct cell *c, struct sl_err *err)
{
	struct col_str n = col_name(t, col);

	if (c->state == CELL_VALUE)
		return 0;
	return sl_err_set(err, SL_EINVAL, "%.*s.%.*s: key column %.*s is %s",
	                  (int)t->db.len, t->db.p, (int)t->name.len, t->name.p,
	                  (int)n.len, n.p,
	                  c->state == CELL_NULL ? "NULL" : "absent");
}

/* Columns that cannot identify a row by equality with their literal. */
static bool matchable(const struct column *col)
{
	return col->type != COL_FLOAT && col->type != COL_JSON &&
	       col->type != COL_GEOMETRY;
}

/* DELETE FROM t WHERE `a`<=>1 AND … LIMIT 1 */
static int delete_keyless(struct sbuf *out, const struct sqlgen_table *t,
                          const struct cell *row, struct sl_err *err)
{
	uint32_t k = 0;
	int rc;

	sbuf_puts(out, "DELETE FROM ");
	put_table(out, t);
	sbuf_put(out, " WHERE ", 7);
	for (uint32_t i = 0; i < t->n_cols; i++) {
		if (!listed(t, row, i) || !matchable(&t->cols[i]))
			continue;
		if ((rc = check_name(t, i, err)) != 0)
			return rc;
		if (k++)
			sbuf_put(out, " AND ", 5);
		put_name(out, col_name(t, i));
		sbuf_put(out, "<=>", 3);
		if ((rc = put_value(out, t, i, &row[i], err)) != 0)
			return rc;
	}
	if (k == 0)
		return sl_err_set(err, SL_EINVAL,
		                  "%.*s.%.*s: no key and no column to match "
		                  "the row to delete",
		                  (int)t->db.len, t->db.p, (int)t->name.len,
		                  t->name.p);
	sbuf_put(out, " LIMIT 1", 8);
	return 0;
}

int sqlgen_delete(struct sbuf *out, const struct sqlgen_table *t,
                  const struct cell *const *rows, size_t n_rows,
                  size_t max_bytes, size_t *n_done, struct sl_err *err)
{
	size_t start = out->len, r;
	bool multi = t->n_keys > 1;
	int rc;

	*n_done = 0;
	if (n_rows == 0)
		return sl_err_set(
		    err, SL_EINVAL, "%.*s.%.*s: no rows to delete",
		    (int)t->db.len, t->db.p, (int)t->name.len, t->name.p);
	if (t->n_keys == 0) {
		if ((rc = delete_keyless(out, t, rows[0], err)) != 0)
			goto fail;
		r = 1;
		goto done;
	}
	for (uint32_t k = 0; k < t->n_keys; k++)
		if ((rc = check_name(t, t->keys[k], err)) != 0)
			return rc;

	sbuf_puts(out, "DELETE FROM ");
	put_table(out, t);
	sbuf_put(out, " WHERE ", 7);
	if (multi)
		sbuf_putc(out, '(');
	for (uint32_t k = 0; k < t->n_keys; k++) {
		if (k)
			sbuf_putc(out, ',');
		put_name(out, col_name(t, t->keys[k]));
	}
	sbuf_put(out, multi ? ") IN (" : " IN (", multi ? 6 : 5);
	for (r = 0; r < n_rows; r++) {
		size_t mark = out->len;

		if (r)
			sbuf_putc(out, ',');
		if (multi)
			sbuf_putc(out, '(');
		for (uint32_t k = 0; k < t->n_keys; k++) {
			uint32_t i = t->keys[k];
			const struct cell *c = &rows[r][i];

			if (k)
				sbuf_putc(out, ',');
			if ((rc = key_cell_check(t, i, c, err)) != 0 ||
			    (rc = put_value(out, t, i, c, err)) != 0)
				goto fail;
		}
		if (multi)
			sbuf_putc(out, ')');
		if (r > 0 && max_bytes != 0 &&
		    out->len - start + 1 > max_bytes) {
			out->len = mark;
			break;
		}
	}
	sbuf_putc(out, ')');
done:
	if (!sbuf_ok(out)) {
		rc = sl_err_set(err, SL_ENOMEM, "out of memory building SQL");
		goto fail;
	}
	*n_done = r;
	return 0;
fail:
	out->len = start;
	return rc;
}

/* --- keys ----------------------------------------------------------- */

static bool same_cell(const struct cell *a, const struct cell *b)
{
	return a->state == b->state &&
	       (a->state != CELL_VALUE ||
	        (a->len == b->len && memcmp(a->p, b->p, a->len) == 0));
}

bool sqlgen_key_changed(const struct sqlgen_table *t, const struct cell *before,
                        const struct cell *after)
{
	for (uint32_t k = 0; k < t->n_keys; k++) {
		uint32_t i = t->keys[k];

		if (!same_cell(&before[i], &after[i]))
			return true;
	}
	return false;
}

/* A 64-bit multiply-xorshift hash, eight bytes per step. */
uint64_t sqlgen_hash(const uint8_t *p, size_t n)
{
	const uint64_t m = 0xc6a4a7935bd1e995ULL;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)n * m);
	uint64_t k;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&k, p, 8);
		k *= m;
		k ^= k >> 47;
		k *= m;
		h ^= k;
		h *= m;
	}
	if (n > 0) {
		k = 0;
		memcpy(&k, p, n);
		h ^= k;
		h *= m;
	}
	h ^= h >> 47;
	h *= m;
	h ^= h >> 47;
	return h;
}

/* Checks the key cells of img and returns their total byte length. */
static int key_size(const struct sqlgen_table *t, const struct cell *img,
                    size_t idx, size_t *len, struct sl_err *err)
{
	size_t n = 0;
	int rc;

	*len = 0;
	if (img == NULL)
		return sl_err_set(
		    err, SL_EINVAL, "%.*s.%.*s: change %zu lacks its row image",
		    (int)t->db.len, t->db.p, (int)t->name.len, t->name.p, idx);
	for (uint32_t k = 0; k < t->n_keys; k++) {
		uint32_t i = t->keys[k];

		if ((rc = key_cell_check(t, i, &img[i], err)) != 0)
			return rc;
		n += img[i].len;
	}
	if (n > UINT32_MAX)
		return sl_err_set(err, SL_EINVAL, "key of %zu bytes", n);
	*len = n;
	return 0;
}

/* Fills *key from img: in place for one column, else copied to kb (which
 * has room: reserved by the caller). */
static void key_fill(const struct sqlgen_table *t, const struct cell *img,
                     size_t len, struct sbuf *kb, struct sqlgen_key *key)
{
	if (t->n_keys == 1) {
		const struct cell *c = &img[t->keys[0]];

		key->p = c->p;
		key->len = c->len;
	} else {
		key->p = (const uint8_t *)kb->p + kb->len;
		key->len = (uint32_t)len;
		for (uint32_t k = 0; k < t->n_keys; k++) {
			const struct cell *c = &img[t->keys[k]];

			memcpy(kb->p + kb->len, c->p, c->len);
			kb->len += c->len;
		}
	}
	key->hash = sqlgen_hash(key->p, key->len);
}

static bool has_before(int op)
{
	return op == ROW_UPDATE || op == ROW_DELETE;
}

static bool has_after(int op)
{
	return op == ROW_UPDATE || op == ROW_INSERT;
}

int sqlgen_keys(struct sqlgen_compactor *c, const struct sqlgen_table *t,
                struct sqlgen_change *ch, size_t n, struct sl_err *err)
{
	size_t total = 0, len;
	int rc;

	if (t->n_keys == 0)
		return sl_err_set(err, SL_EINVAL, "%.*s.%.*s: table has no key",
		                  (int)t->db.len, t->db.p, (int)t->name.len,
		                  t->name.p);
	/* Pass 1 checks and sizes, so the buffer never moves in pass 2. */
	for (size_t i = 0; i < n; i++) {
		if (has_before(ch[i].op)) {
			if ((rc = key_size(t, ch[i].before, i, &len, err)) != 0)
				return rc;
			total += len;
		}
		if (has_after(ch[i].op)) {
			if ((rc = key_size(t, ch[i].after, i, &len, err)) != 0)
				return rc;
			total += len;
		}
	}
	if (!sbuf_ok(&c->keybuf)) /* an earlier failure: start afresh */
		sbuf_deinit(&c->keybuf);
	sbuf_reset(&c->keybuf);
	if (t->n_keys > 1 && !sbuf_reserve(&c->keybuf, total + 1))
		return sl_err_set(err, SL_ENOMEM, "out of memory for keys");
	for (size_t i = 0; i < n; i++) {
		memset(&ch[i].old_key, 0, sizeof(ch[i].old_key));
		memset(&ch[i].new_key, 0, sizeof(ch[i].new_key));
		if (has_before(ch[i].op)) {
			key_size(t, ch[i].before, i, &len, NULL);
			key_fill(t, ch[i].before, len, &c->keybuf,
			         &ch[i].old_key);
		}
		if (has_after(ch[i].op)) {
			key_size(t, ch[i].after, i, &len, NULL);
			key_fill(t, ch[i].after, len, &c->keybuf,
			         &ch[i].new_key);
		}
	}
	return 0;
}

/* --- compaction ----------------------------------------------------- */

struct sqlgen_ent {
	struct sqlgen_key key;
	const struct cell *img; /* image of the last change */
	uint32_t src;           /* index of the last change */
	uint8_t first, last;    /* ROW_* */
};

void sqlgen_compactor_init(struct sqlgen_compactor *c)
{
	memset(c, 0, sizeof(*c));
	sbuf_init(&c->keybuf);
}

void sqlgen_compactor_deinit(struct sqlgen_compactor *c)
{
	sbuf_deinit(&c->keybuf);
	sl_free(c->slots);
	sl_free(c->ent);
	sl_free(c->del);
	sl_free(c->ins);
	sl_free(c->upd);
	sl_free(c->del_src);
	sl_free(c->ins_src);
	sl_free(c->upd_src);
	memset(c, 0, sizeof(*c));
}

/* sl_realloc that keeps the old block and clears *ok on failure. */
static void *regrow(void *p, size_t n, size_t size, bool *ok)
{
	void *q = *ok ? sl_realloc(p, n * size) : NULL;

	if (q == NULL) {
		*ok = false;
		return p;
	}
	return q;
}

/* Room for up to n_ent entries (each change gives at most two). */
static int reserve(struct sqlgen_compactor *c, size_t n_ent, struct sl_err *err)
{
	size_t slots = 16;
	bool ok = true;

	while (slots < 2 * n_ent)
		slots *= 2;
	if (slots > c->n_slots) {
		c->slots = regrow(c->slots, slots, sizeof(*c->slots), &ok);
		if (!ok)
			goto oom;
		c->n_slots = slots;
	}
	if (n_ent > c->ent_cap) {
		c->ent = regrow(c->ent, n_ent, sizeof(*c->ent), &ok);
		if (!ok)
			goto oom;
		c->ent_cap = n_ent;
	}
	if (n_ent > c->list_cap) {
		const size_t psz = sizeof(const struct cell *);

		/* list_cap grows only once all six have grown */
		c->del = regrow(c->del, n_ent, psz, &ok);
		c->ins = regrow(c->ins, n_ent, psz, &ok);
		c->upd = regrow(c->upd, n_ent, psz, &ok);
		c->del_src = regrow(c->del_src, n_ent, sizeof(uint32_t), &ok);
		c->ins_src = regrow(c->ins_src, n_ent, sizeof(uint32_t), &ok);
		c->upd_src = regrow(c->upd_src, n_ent, sizeof(uint32_t), &ok);
		if (!ok)
			goto oom;
		c->list_cap = n_ent;
	}
	memset(c->slots, 0, c->n_slots * sizeof(*c->slots));
	return 0;
oom:
	return sl_err_set(err, SL_ENOMEM, "out of memory compacting %zu keys",
	                  n_ent);
}

/* Records change src (op on key, image img) in its key's entry. */
static void touch(struct sqlgen_compactor *c, size_t *n_ent,
                  const struct sqlgen_key *key, int op, const struct cell *img,
                  uint32_t src)
{
	size_t mask = c->n_slots - 1;
	size_t s = (size_t)key->hash & mask;
	struct sqlgen_ent *e;

	for (;; s = (s + 1) & mask) {
		uint32_t v = c->slots[s];

		if (v == 0)
			break;
		e = &c->ent[v - 1];
		if (e->key.hash == key->hash && e->key.len == key->len &&
		    memcmp(e->key.p, key->p, key->len) == 0) {
			e->last = (uint8_t)op;
			e->img = img;
			e->src = src;
			return;
		}
	}
	e = &c->ent[*n_ent];
	e->key = *key;
	e->img = img;
	e->src = src;
	e->first = e->last = (uint8_t)op;
	c->slots[s] = (uint32_t)++ * n_ent;
}

static bool same_key(const struct sqlgen_key *a, const struct sqlgen_key *b)
{
	return a->hash == b->hash && a->len == b->len &&
	       memcmp(a->p, b->p, a->len) == 0;
}

int sqlgen_compact(struct sqlgen_compactor *c, const struct sqlgen_table *t,
                   const struct sqlgen_change *ch, size_t n, bool safe,
                   struct sl_err *err)
{
	size_t n_ent = 0;
	int rc;

	c->n_del = c->n_ins = c->n_upd = 0;
	if (t->n_keys == 0)
		return sl_err_set(
		    err, SL_EINVAL,
		    "%.*s.%.*s: no key: changes cannot be compacted",
		    (int)t->db.len, t->db.p, (int)t->name.len, t->name.p);
	if (n > UINT32_MAX / 2)
		return sl_err_set(err, SL_EINVAL, "batch of %zu changes", n);
	if ((rc = reserve(c, 2 * n, err)) != 0)
		return rc;

	for (size_t i = 0; i < n; i++) {
		const struct sqlgen_change *x = &ch[i];
		uint32_t src = (uint32_t)i;

		switch (x->op) {
		case ROW_INSERT:
			touch(c, &n_ent, &x->new_key, ROW_INSERT, x->after,
			      src);
			break;
		case ROW_DELETE:
			touch(c, &n_ent, &x->old_key, ROW_DELETE, x->before,
			      src);
			break;
		case ROW_UPDATE:
			if (same_key(&x->old_key, &x->new_key)) {
				touch(c, &n_ent, &x->new_key, ROW_UPDATE,
				      x->after, src);
				break;
			}
			touch(c, &n_ent, &x->old_key, ROW_DELETE, x->before,
			      src);
			touch(c, &n_ent, &x->new_key, ROW_INSERT, x->after,
			      src);
			break;
		default:
			return sl_err_set(err, SL_EINVAL,
			                  "change %zu: unknown operation %d", i,
			                  x->op);
		}
	}

	for (size_t i = 0; i < n_ent; i++) {
		const struct sqlgen_ent *e = &c->ent[i];
		bool existed = e->first != ROW_INSERT;
		bool exists = e->last != ROW_DELETE;

		if (exists && existed) {
			c->upd_src[c->n_upd] = e->src;
			c->upd[c->n_upd++] = e->img;
		} else if (exists) {
			c->ins_src[c->n_ins] = e->src;
			c->ins[c->n_ins++] = e->img;
		} else if (existed || safe) {
			c->del_src[c->n_del] = e->src;
			c->del[c->n_del++] = e->img;
		}
	}
	return 0;
}

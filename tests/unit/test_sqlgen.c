/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_sqlgen.c: the SQL builder and the batch compaction.
 * Unit tests (no arguments): exact statement text for every value type
 * (binary with zero bytes, 4-byte UTF-8, JSON, zero dates, negative
 * decimals, -0.0, NULL, utf16, latin1, ENUM), identifier quoting, the
 * size cap and the partial-image split, DELETE forms, error paths, and
 * the compaction rules, by example and against a model of the target
 * over random batches.  Cells are written here from MySQL's storage
 * formats, independently of value.c.
 *
 * Emit mode, for tests/integration/020_sqlgen.sh:
 *     test_sqlgen --emit [--batch N] [--max-bytes M] [--safe] FILE...
 * decodes the binlog files and prints to stdout the SQL a worker would
 * send: the session settings, then per batch (source transactions merged
 * until N changes, default 1 = one batch per transaction) BEGIN, per
 * table the compacted DELETEs, INSERTs (REPLACE with --safe) and upserts
 * in statements of at most M bytes (default 65536), COMMIT.  Tables
 * without a key get their changes one statement each, in order (skipped
 * with --safe: a replay cannot be idempotent without a key).  A summary
 * line goes to stderr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/sqlgen.h"
#include "core/decode.h"
#include "core/event.h"
#include "core/mem.h"
#include "core/sbuf.h"
#include "core/tablemap.h"
#include "io/binlog_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- cells ---------------------------------------------------------- */

#define ARENA_CAP (1 << 20)
static _Alignas(16) uint8_t arena[ARENA_CAP];
static size_t arena_len;

static uint8_t *take(size_t n)
{
	uint8_t *p;

	if (arena_len + n > ARENA_CAP)
		fail_msg("test arena full");
	p = arena + arena_len;
	arena_len += n;
	return p;
}

/* n cells, aligned */
static struct cell *take_cells(size_t n)
{
	arena_len = (arena_len + 15) & ~(size_t)15;
	return (struct cell *)take(n * sizeof(struct cell));
}

static int reset_arena(void **state)
{
	(void)state;
	arena_len = 0;
	return 0;
}

static struct cell c_bytes(const void *s, size_t n)
{
	struct cell c = {take(n), (uint32_t)n, CELL_VALUE};

	memcpy((uint8_t *)c.p, s, n);
	return c;
}

/* little-endian integer of n bytes (INT, DATE, ENUM) */
static struct cell c_le(uint64_t v, unsigned n)
{
	uint8_t *p = take(n);

	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return (struct cell){p, n, CELL_VALUE};
}

static struct cell c_int(int32_t v)
{
	return c_le((uint32_t)v, 4);
}

/* a string with an npfx-byte little-endian length prefix */
static struct cell c_pfx(const void *s, size_t n, unsigned npfx)
{
	uint8_t *p = take(npfx + n);

	for (unsigned i = 0; i < npfx; i++)
		p[i] = (uint8_t)(n >> (8 * i));
	memcpy(p + npfx, s, n);
	return (struct cell){p, (uint32_t)(npfx + n), CELL_VALUE};
}

static struct cell c_str(const char *s)
{
	return c_pfx(s, strlen(s), 1);
}

static struct cell c_null(void)
{
	return (struct cell){NULL, 0, CELL_NULL};
}

static struct cell c_absent(void)
{
	return (struct cell){NULL, 0, CELL_ABSENT};
}

static struct column mkcol(uint8_t type, uint16_t meta, uint16_t cs,
                           const char *name)
{
	struct column c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.meta = meta;
	c.charset = cs;
	c.name.p = name;
	c.name.len = (uint32_t)strlen(name);
	return c;
}

static struct col_str S(const char *s) {
	return (struct col_str){s, (uint32_t)strlen(s)};
}

/* A two-column table `d`.`t` (id INT key, v VARCHAR utf8mb4). */
static struct column kv_cols[2];
static const uint32_t key0[] = {0};

static struct sqlgen_table kv_table(void)
{
	struct sqlgen_table t;

	kv_cols[0] = mkcol(COL_LONG, 0, 0, "id");
	kv_cols[1] = mkcol(COL_VARCHAR, 80, 45, "v");
	memset(&t, 0, sizeof(t));
	t.db = S("d");
	t.name = S("t");
	t.n_cols = 2;
	t.cols = kv_cols;
	t.n_keys = 1;
	t.keys = key0;
	return t;
}

/* A row of kv_table; v NULL for a NULL cell. */
static struct cell *kv_row(int32_t id, const char *v)
{
	struct cell *r = take_cells(2);

	r[0] = c_int(id);
	r[1] = v != NULL ? c_str(v) : c_null();
	return r;
}

static const char *text(struct sbuf *b)
{
	return sbuf_cstr(b);
}

/* --- identifiers and values ----------------------------------------- */

static void check_ident(const char *name, const char *want)
{
	struct sbuf b;

	sbuf_init(&b);
	sqlgen_ident(&b, name, strlen(name));
	assert_string_equal(text(&b), want);
	sbuf_deinit(&b);
}

static void test_ident(void **state)
{
	(void)state;
	check_ident("plain", "`plain`");
	check_ident("a`b", "`a``b`");
	check_ident("``", "``````");
	check_ident("`", "````");
	check_ident("", "``");
	check_ident("naïve ü", "`naïve ü`");
	check_ident("x y.z'\\\"", "`x y.z'\\\"`");
}

/* One INSERT with a cell of every kind, checked byte for byte. */
static void test_insert_every_type(void **state)
{
	struct column cols[17];
	const struct col_str enum_strs[2] = {S("x"), S("y")};
	struct cell row[17];
	const struct cell *rows[1] = {row};
	struct sqlgen_table t;
	struct sbuf b;
	size_t done = 0;
	struct sl_err err;
	/* JSON binary: a string "a'b" (type 0x0c, length 3) */
	static const uint8_t jbin[] = {0x0c, 0x03, 'a', '\'', 'b'};
	/* DECIMAL(5,2) -1.50: int group 2 bytes 00 01, fraction 1 byte 50,
	 * sign bit set for positive, every byte inverted for negative */
	static const uint8_t dec[] = {0x7f, 0xfe, 0xcd};
	static const uint8_t bin[] = {0x00, 0xff, 0x00, 0x41};
	static const uint8_t dt0[] = {0x80, 0, 0, 0, 0}; /* DATETIME2 zero */
	static const uint8_t ts0[] = {0, 0, 0, 0};       /* TIMESTAMP2 zero */
	static const uint8_t u16[] = {0x00, 0x41, 0xd8, 0x3d, 0xde, 0x00};
	float negzero = -0.0f;
	double big = 1e300;
	const char *expect;

	(void)state;
	cols[0] = mkcol(COL_LONG, 0, 0, "id");
	cols[1] = mkcol(COL_VARCHAR, 160, 45, "na`me");
	cols[2] = mkcol(COL_BLOB, 2, 63, "bin");
	cols[3] = mkcol(COL_VARCHAR, 160, 224, "emoji");
	cols[4] = mkcol(COL_JSON, 4, 63, "js");
	cols[5] = mkcol(COL_DATE, 0, 0, "d");
	cols[6] = mkcol(COL_DATETIME2, 0, 0, "dt");
	cols[7] = mkcol(COL_TIMESTAMP2, 0, 0, "ts");
	cols[8] = mkcol(COL_NEWDECIMAL, 5 << 8 | 2, 0, "dec");
	cols[9] = mkcol(COL_FLOAT, 4, 0, "f");
	cols[10] = mkcol(COL_DOUBLE, 8, 0, "dbl");
	cols[11] = mkcol(COL_VARCHAR, 40, 54, "u16"); /* utf16_general_ci */
	cols[12] = mkcol(COL_VARCHAR, 40, 8, "lat");  /* latin1_swedish_ci */
	cols[13] = mkcol(COL_LONG, 0, 0, "n");
	cols[14] = mkcol(COL_ENUM, 1, 51, "e1251"); /* cp1251_general_ci */
	cols[14].n_strs = 2;
	cols[14].strs = enum_strs;
	cols[15] = mkcol(COL_ENUM, 1, 45, "e");
	cols[15].n_strs = 2;
	cols[15].strs = enum_strs;
	cols[16] = mkcol(COL_BLOB, 4, 46, "mjs"); /* MariaDB JSON: text */

	row[0] = c_int(1);
	row[1] = c_pfx("it's \"q\" \\ \n\r\x1a\0end", 18, 1);
	row[2] = c_pfx(bin, sizeof(bin), 2);
	row[3] = c_str("\xf0\x9f\x98\x80x");
	row[4] = c_pfx(jbin, sizeof(jbin), 4);
	row[5] = c_le(0, 3);
	row[6] = c_bytes(dt0, sizeof(dt0));
	row[7] = c_bytes(ts0, sizeof(ts0));
	row[8] = c_bytes(dec, sizeof(dec));
	row[9] = c_bytes(&negzero, 4);
	row[10] = c_bytes(&big, 8);
	row[11] = c_pfx(u16, sizeof(u16), 1);
	row[12] = c_str("caf\xe9");
	row[13] = c_null();
	row[14] = c_le(2, 1);
	row[15] = c_le(2, 1);
	row[16] = c_pfx("{\"k\": \"v'\"}", 11, 4);

	memset(&t, 0, sizeof(t));
	t.db = S("my`db");
	t.name = S("t`1");
	t.n_cols = 17;
	t.cols = cols;
	t.n_keys = 1;
	t.keys = key0;
	sbuf_init(&b);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err), 0);
	assert_int_equal(done, 1);
	expect = "INSERT INTO `my``db`.`t``1` "
	         "(`id`,`na``me`,`bin`,`emoji`,`js`,`d`,`dt`,`ts`,`dec`,`f`,"
	         "`dbl`,`u16`,`lat`,`n`,`e1251`,`e`,`mjs`) VALUES ("
	         "1,"
	         "'it\\'s \\\"q\\\" \\\\ \\n\\r\\Z\\0end',"
	         "0x00ff0041,"
	         "'\xf0\x9f\x98\x80x',"
	         "'\\\"a\\'b\\\"',"
	         "'0000-00-00',"
	         "'0000-00-00 00:00:00',"
	         "'0000-00-00 00:00:00',"
	         "-1.50,"
	         "-0e0,"
	         "1e+300,"
	         "0x0041d83dde00,"
	         "'caf\xc3\xa9',"
	         "NULL,"
	         "2,"
	         "'y',"
	         "'{\\\"k\\\": \\\"v\\'\\\"}')";
	assert_string_equal(text(&b), expect);
	sbuf_deinit(&b);
}

/* value rules one by one: doubles get an exponent, empty strings */
static void test_values(void **state)
{
	struct column dbl = mkcol(COL_DOUBLE, 8, 0, "x");
	struct column flt = mkcol(COL_FLOAT, 4, 0, "x");
	struct column vb = mkcol(COL_VARCHAR, 10, 63, "x");
	struct column u16 = mkcol(COL_VARCHAR, 40, 54, "x");
	struct column cp = mkcol(COL_BLOB, 2, 51, "x");   /* cp1251 TEXT */
	struct column bn = mkcol(COL_STRING, 4, 63, "x"); /* BINARY(4) */
	struct sbuf b;
	struct cell c;
	double dv;
	float fv;

	(void)state;
	sbuf_init(&b);
	dv = 1.5;
	c = c_bytes(&dv, 8);
	assert_int_equal(sqlgen_value(&b, &dbl, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	dv = -0.0;
	c = c_bytes(&dv, 8);
	assert_int_equal(sqlgen_value(&b, &dbl, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	dv = 2.5e-300;
	c = c_bytes(&dv, 8);
	assert_int_equal(sqlgen_value(&b, &dbl, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	dv = 100;
	c = c_bytes(&dv, 8);
	assert_int_equal(sqlgen_value(&b, &dbl, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	fv = 0.1f;
	c = c_bytes(&fv, 4);
	assert_int_equal(sqlgen_value(&b, &flt, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	c = c_pfx("", 0, 1);
	assert_int_equal(sqlgen_value(&b, &vb, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	assert_int_equal(sqlgen_value(&b, &u16, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	/* cp1251 bytes that happen to be valid UTF-8 stay bytes */
	c = c_pfx("\xd0\xb0", 2, 2);
	assert_int_equal(sqlgen_value(&b, &cp, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	/* BINARY(4) 'ab': the server strips the zero padding; put back */
	c = c_pfx("ab", 2, 1);
	assert_int_equal(sqlgen_value(&b, &bn, &c, NULL), 0);
	sbuf_putc(&b, ' ');
	c = c_null();
	assert_int_equal(sqlgen_value(&b, &u16, &c, NULL), 0);
	assert_string_equal(text(&b), "1.5e0 -0e0 2.5e-300 100e0 0.1e0 X'' "
	                              "'' 0xd0b0 0x61620000 NULL");
	sbuf_deinit(&b);
}

/* --- INSERT, REPLACE, upsert ---------------------------------------- */

static void test_insert_verbs(void **state)
{
	struct sqlgen_table t = kv_table();
	const struct cell *rows[3];
	struct sbuf b;
	size_t done;

	(void)state;
	rows[0] = kv_row(1, "a");
	rows[1] = kv_row(-2, "b");
	rows[2] = kv_row(3, NULL);
	sbuf_init(&b);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 3, 0, &done, NULL), 0);
	assert_int_equal(done, 3);
	assert_string_equal(text(&b), "INSERT INTO `d`.`t` (`id`,`v`) VALUES "
	                              "(1,'a'),(-2,'b'),(3,NULL)");
	sbuf_reset(&b);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_REPLACE, rows, 3, 0, &done, NULL), 0);
	assert_string_equal(text(&b), "REPLACE INTO `d`.`t` (`id`,`v`) VALUES "
	                              "(1,'a'),(-2,'b'),(3,NULL)");
	sbuf_reset(&b);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_UPSERT, rows, 2, 0, &done, NULL), 0);
	assert_string_equal(text(&b),
	                    "INSERT INTO `d`.`t` (`id`,`v`) VALUES "
	                    "(1,'a'),(-2,'b') ON DUPLICATE KEY UPDATE "
	                    "`v`=VALUES(`v`)");

	/* every column a key: the upsert sets the first key to itself */
	{
		const uint32_t both[] = {1, 0};

		t.n_keys = 2;
		t.keys = both;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_insert(&b, &t, SQLGEN_UPSERT, rows, 1,
		                               0, &done, NULL),
		                 0);
		assert_string_equal(text(&b),
		                    "INSERT INTO `d`.`t` (`id`,`v`) VALUES "
		                    "(1,'a') ON DUPLICATE KEY UPDATE "
		                    "`id`=VALUES(`id`)");
		t.n_keys = 1;
		t.keys = key0;
	}

	/* omitted (generated) columns are never written */
	{
		const uint8_t omit[2] = {0, 1};

		t.omit = omit;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_insert(&b, &t, SQLGEN_UPSERT, rows, 3,
		                               0, &done, NULL),
		                 0);
		assert_string_equal(text(&b),
		                    "INSERT INTO `d`.`t` (`id`) VALUES "
		                    "(1),(-2),(3) ON DUPLICATE KEY UPDATE "
		                    "`id`=VALUES(`id`)");
		t.omit = NULL;
	}

	/* names from col_names win over the table map's */
	{
		const struct col_str names[2] = {S("k"), S("val ue")};

		t.col_names = names;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1,
		                               0, &done, NULL),
		                 0);
		assert_string_equal(text(&b), "INSERT INTO `d`.`t` "
		                              "(`k`,`val ue`) VALUES (1,'a')");
		t.col_names = NULL;
	}
	sbuf_deinit(&b);
}

/* Rows whose images list other columns end the statement. */
static void test_insert_partial_images(void **state)
{
	struct sqlgen_table t = kv_table();
	struct cell *r1 = kv_row(1, "a"), *r2 = kv_row(2, "b"),
	            *r3 = kv_row(3, "c");
	const struct cell *rows[3] = {r1, r2, r3};
	struct sbuf b;
	size_t done, at = 0;

	(void)state;
	r2[1] = c_absent();
	r3[1] = c_absent();
	sbuf_init(&b);
	while (at < 3) {
		assert_int_equal(sqlgen_insert(&b, &t, SQLGEN_UPSERT, rows + at,
		                               3 - at, 0, &done, NULL),
		                 0);
		assert_true(done >= 1);
		at += done;
		sbuf_put(&b, ";", 1);
	}
	assert_string_equal(text(&b),
	                    "INSERT INTO `d`.`t` (`id`,`v`) VALUES (1,'a') "
	                    "ON DUPLICATE KEY UPDATE `v`=VALUES(`v`);"
	                    "INSERT INTO `d`.`t` (`id`) VALUES (2),(3) "
	                    "ON DUPLICATE KEY UPDATE `id`=VALUES(`id`);");
	sbuf_deinit(&b);
}

typedef int (*build_fn)(struct sbuf *out, const struct sqlgen_table *t,
                        const struct cell *const *rows, size_t n, size_t max,
                        size_t *done);

static int build_insert(struct sbuf *out, const struct sqlgen_table *t,
                        const struct cell *const *rows, size_t n, size_t max,
                        size_t *done)
{
	return sqlgen_insert(out, t, SQLGEN_INSERT, rows, n, max, done, NULL);
}

static int build_upsert(struct sbuf *out, const struct sqlgen_table *t,
                        const struct cell *const *rows, size_t n, size_t max,
                        size_t *done)
{
	return sqlgen_insert(out, t, SQLGEN_UPSERT, rows, n, max, done, NULL);
}

static int build_delete(struct sbuf *out, const struct sqlgen_table *t,
                        const struct cell *const *rows, size_t n, size_t max,
                        size_t *done)
{
	return sqlgen_delete(out, t, rows, n, max, done, NULL);
}

/* The cap: a statement of k rows has length L[k]; max_bytes = L[k]
 * gives k rows, L[k] - 1 gives k - 1, anything below L[1] still one. */
static void check_cap(build_fn fn)
{
	struct sqlgen_table t = kv_table();
	const struct cell *rows[4];
	size_t len[5] = {0}, done;
	char full[4][256];
	struct sbuf b;

	rows[0] = kv_row(1, "alpha");
	rows[1] = kv_row(22, "b");
	rows[2] = kv_row(333, "gamma ray");
	rows[3] = kv_row(4, "");
	sbuf_init(&b);
	for (size_t k = 1; k <= 4; k++) {
		sbuf_reset(&b);
		assert_int_equal(fn(&b, &t, rows, k, 0, &done), 0);
		assert_int_equal(done, k);
		len[k] = b.len;
		assert_true(b.len < sizeof(full[0]));
		memcpy(full[k - 1], b.p, b.len);
		full[k - 1][b.len] = 0;
	}
	for (size_t k = 1; k <= 4; k++) {
		size_t caps[2] = {len[k], len[k] - 1};

		for (int j = 0; j < 2; j++) {
			size_t want = j == 0 ? k : k - 1;

			if (want == 0)
				want = 1;
			/* the cap counts this statement only */
			sbuf_reset(&b);
			sbuf_puts(&b, "prefix;");
			assert_int_equal(fn(&b, &t, rows, 4, caps[j], &done),
			                 0);
			assert_int_equal(done, want);
			assert_string_equal(text(&b) + 7, full[want - 1]);
			assert_memory_equal(b.p, "prefix;", 7);
		}
	}
	sbuf_reset(&b);
	assert_int_equal(fn(&b, &t, rows, 4, 1, &done), 0);
	assert_int_equal(done, 1);
	assert_string_equal(text(&b), full[0]);
	sbuf_deinit(&b);
}

static void test_size_cap(void **state)
{
	(void)state;
	check_cap(build_insert);
	check_cap(build_upsert);
	check_cap(build_delete);
}

/* --- DELETE --------------------------------------------------------- */

static void test_delete_forms(void **state)
{
	struct sqlgen_table t = kv_table();
	const struct cell *rows[3];
	struct sbuf b;
	size_t done;
	struct sl_err err;

	(void)state;
	rows[0] = kv_row(1, "a");
	rows[1] = kv_row(2, "it's");
	rows[2] = kv_row(3, NULL);
	sbuf_init(&b);
	assert_int_equal(sqlgen_delete(&b, &t, rows, 3, 0, &done, NULL), 0);
	assert_int_equal(done, 3);
	assert_string_equal(text(&b),
	                    "DELETE FROM `d`.`t` WHERE `id` IN (1,2,3)");

	/* composite key, in key order (v first) */
	{
		const uint32_t vk[] = {1, 0};

		t.n_keys = 2;
		t.keys = vk;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_delete(&b, &t, rows, 2, 0, &done, NULL),
		                 0);
		assert_int_equal(done, 2);
		assert_string_equal(text(&b), "DELETE FROM `d`.`t` WHERE "
		                              "(`v`,`id`) IN "
		                              "(('a',1),('it\\'s',2))");
		/* a NULL key cell is refused, the buffer left as it was */
		sbuf_reset(&b);
		sbuf_puts(&b, "keep");
		assert_int_equal(sqlgen_delete(&b, &t, rows, 3, 0, &done, &err),
		                 SL_EINVAL);
		assert_string_equal(text(&b), "keep");
		assert_non_null(strstr(err.msg, "key column v is NULL"));
		t.n_keys = 1;
		t.keys = key0;
	}

	/* no key: one row per statement, matched on its columns */
	{
		struct column cols[3];
		struct cell r[3];
		const struct cell *one[2] = {r, r};
		float f = 1.5f;
		struct sqlgen_table k = t;

		cols[0] = kv_cols[0];
		cols[1] = kv_cols[1];
		cols[2] = mkcol(COL_FLOAT, 4, 0, "f");
		r[0] = c_int(7);
		r[1] = c_null();
		r[2] = c_bytes(&f, 4);
		k.cols = cols;
		k.n_cols = 3;
		k.n_keys = 0;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_delete(&b, &k, one, 2, 0, &done, NULL),
		                 0);
		assert_int_equal(done, 1);
		assert_string_equal(text(&b),
		                    "DELETE FROM `d`.`t` WHERE "
		                    "`id`<=>7 AND `v`<=>NULL LIMIT 1");
		/* only FLOAT columns: nothing to match on */
		k.cols = cols + 2;
		k.n_cols = 1;
		one[0] = r + 2;
		sbuf_reset(&b);
		assert_int_equal(sqlgen_delete(&b, &k, one, 1, 0, &done, &err),
		                 SL_EINVAL);
		assert_int_equal(b.len, 0);
	}
	sbuf_deinit(&b);
}

static void test_key_changed(void **state)
{
	struct sqlgen_table t = kv_table();
	struct cell *a = kv_row(1, "x"), *b = kv_row(1, "y"),
	            *c = kv_row(2, "x");

	(void)state;
	assert_false(sqlgen_key_changed(&t, a, b));
	assert_true(sqlgen_key_changed(&t, a, c));
	t.n_keys = 0;
	assert_false(sqlgen_key_changed(&t, a, c));
}

/* --- errors --------------------------------------------------------- */

static void test_errors(void **state)
{
	struct column cols[2];
	struct cell r[2];
	const struct cell *rows[1] = {r};
	struct sqlgen_table t = kv_table();
	struct sbuf b;
	size_t done = 99;
	struct sl_err err;
	static const uint8_t badjson[] = {0x0c, 0x09, 'a'}; /* length 9 */

	(void)state;
	cols[0] = kv_cols[0];
	cols[1] = mkcol(COL_JSON, 4, 63, "js");
	t.cols = cols;
	r[0] = c_int(1);
	r[1] = c_pfx(badjson, sizeof(badjson), 4);
	sbuf_init(&b);
	sbuf_puts(&b, "BEGIN;");

	sl_err_clear(&err);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err),
	    SL_EPROTO);
	assert_int_equal(done, 0);
	assert_string_equal(text(&b), "BEGIN;");
	assert_non_null(strstr(err.msg, "d.t.js: "));

	r[1] = (struct cell){r[1].p, r[1].len, CELL_JSON_DIFF};
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err),
	    SL_EUNSUPPORTED);
	assert_string_equal(text(&b), "BEGIN;");

	/* a cell whose bytes do not fit its type */
	cols[1] = mkcol(COL_VARCHAR, 40, 54, "u16");
	r[1] = c_bytes("\x05"
	               "ab",
	               3);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err),
	    SL_EPROTO);
	assert_string_equal(text(&b), "BEGIN;");

	/* no name */
	cols[1] = mkcol(COL_LONG, 0, 0, "");
	r[1] = c_int(5);
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err),
	    SL_EINVAL);
	assert_non_null(strstr(err.msg, "column 2 has no name"));
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 0, 0, &done, &err),
	    SL_EINVAL);
	assert_int_equal(sqlgen_delete(&b, &t, rows, 0, 0, &done, &err),
	                 SL_EINVAL);
	/* nothing listed */
	r[0] = c_absent();
	r[1] = c_absent();
	cols[1] = kv_cols[1];
	assert_int_equal(
	    sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 1, 0, &done, &err),
	    SL_EINVAL);
	assert_string_equal(text(&b), "BEGIN;");
	sbuf_deinit(&b);
}

static void test_table_from_map(void **state)
{
	struct table_map tm;
	struct column cols[2];
	uint32_t pk[1] = {1};
	struct sqlgen_table t;
	struct sl_err err;

	(void)state;
	memset(&tm, 0, sizeof(tm));
	cols[0] = mkcol(COL_LONG, 0, 0, "a");
	cols[1] = mkcol(COL_LONG, 0, 0, "b");
	tm.db = S("db");
	tm.table = S("tb");
	tm.n_cols = 2;
	tm.cols = cols;
	tm.n_pk = 1;
	tm.pk = pk;
	assert_int_equal(sqlgen_table_from_map(&t, &tm, &err), SL_EUNSUPPORTED);
	assert_non_null(strstr(err.msg, "binlog_row_metadata=FULL"));
	tm.has_names = 1;
	assert_int_equal(sqlgen_table_from_map(&t, &tm, &err), 0);
	assert_int_equal(t.n_cols, 2);
	assert_ptr_equal(t.cols, cols);
	assert_int_equal(t.n_keys, 1);
	assert_int_equal(t.keys[0], 1);
	assert_memory_equal(t.db.p, "db", 2);
	assert_memory_equal(t.name.p, "tb", 2);
	assert_null(t.col_names);
}

/* --- compaction ----------------------------------------------------- */

static struct sqlgen_change ins(struct cell *after)
{
	return (struct sqlgen_change){.op = ROW_INSERT, .after = after};
}

static struct sqlgen_change del(struct cell *before)
{
	return (struct sqlgen_change){.op = ROW_DELETE, .before = before};
}

static struct sqlgen_change upd(struct cell *before, struct cell *after)
{
	return (struct sqlgen_change){
	    .op = ROW_UPDATE, .before = before, .after = after};
}

/* "id:v" per image, space-separated */
static void list_text(char *o, size_t cap, const struct cell *const *imgs,
                      const uint32_t *src, size_t n)
{
	size_t k = 0;

	o[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cell *r = imgs[i];
		int32_t id;

		memcpy(&id, r[0].p, 4);
		k += (size_t)snprintf(
		    o + k, cap - k, "%s%d:%.*s@%u", i ? " " : "", id,
		    r[1].state == CELL_VALUE ? (int)r[1].len - 1 : 4,
		    r[1].state == CELL_VALUE ? (const char *)r[1].p + 1
		                             : "NULL",
		    src[i]);
	}
}

static void expect_lists(struct sqlgen_compactor *c, const char *d,
                         const char *i, const char *u)
{
	char buf[512];

	list_text(buf, sizeof(buf), c->del, c->del_src, c->n_del);
	assert_string_equal(buf, d);
	list_text(buf, sizeof(buf), c->ins, c->ins_src, c->n_ins);
	assert_string_equal(buf, i);
	list_text(buf, sizeof(buf), c->upd, c->upd_src, c->n_upd);
	assert_string_equal(buf, u);
}

static void test_compact_rules(void **state)
{
	struct sqlgen_table t = kv_table();
	struct sqlgen_compactor c;
	struct sqlgen_change ch[32];
	size_t n = 0;

	(void)state;
	/* 1: insert then update -> insert of the final image */
	ch[n++] = ins(kv_row(1, "a"));
	ch[n++] = upd(kv_row(1, "a"), kv_row(1, "b"));
	/* 2: insert then delete -> nothing (a delete in safe mode) */
	ch[n++] = ins(kv_row(2, "x"));
	ch[n++] = del(kv_row(2, "x"));
	/* 3: two updates -> one upsert of the last image */
	ch[n++] = upd(kv_row(3, "p"), kv_row(3, "q"));
	ch[n++] = upd(kv_row(3, "q"), kv_row(3, "r"));
	/* 4: a delete of a row from before the batch stays */
	ch[n++] = del(kv_row(4, "old"));
	/* 5: delete then re-insert -> upsert */
	ch[n++] = del(kv_row(5, "old"));
	ch[n++] = ins(kv_row(5, "new"));
	/* 6: key change 6 -> 7: delete 6, insert 7 */
	ch[n++] = upd(kv_row(6, "m"), kv_row(7, "m"));
	/* 8: insert, move to 9, move back: insert 8; 9 is born and dies */
	ch[n++] = ins(kv_row(8, "s"));
	ch[n++] = upd(kv_row(8, "s"), kv_row(9, "s"));
	ch[n++] = upd(kv_row(9, "s"), kv_row(8, "t"));
	/* 10: delete, insert, delete of an existing row -> delete */
	ch[n++] = del(kv_row(10, "e"));
	ch[n++] = ins(kv_row(10, "f"));
	ch[n++] = del(kv_row(10, "f"));
	/* 11/12 swap through 13 */
	ch[n++] = upd(kv_row(11, "eleven"), kv_row(13, "eleven"));
	ch[n++] = upd(kv_row(12, "twelve"), kv_row(11, "twelve"));
	ch[n++] = upd(kv_row(13, "eleven"), kv_row(12, "eleven"));

	sqlgen_compactor_init(&c);
	for (int round = 0; round < 2; round++) { /* reuse */
		assert_int_equal(sqlgen_keys(&c, &t, ch, n, NULL), 0);
		assert_int_equal(sqlgen_compact(&c, &t, ch, n, false, NULL), 0);
		expect_lists(&c, "4:old@6 6:m@9 10:f@15", "1:b@1 7:m@9 8:t@12",
		             "3:r@5 5:new@8 11:twelve@17 12:eleven@18");
		assert_int_equal(sqlgen_compact(&c, &t, ch, n, true, NULL), 0);
		expect_lists(&c,
		             "2:x@3 4:old@6 6:m@9 9:s@12 10:f@15 13:eleven@18",
		             "1:b@1 7:m@9 8:t@12",
		             "3:r@5 5:new@8 11:twelve@17 12:eleven@18");
	}
	/* empty batch */
	assert_int_equal(sqlgen_compact(&c, &t, ch, 0, false, NULL), 0);
	assert_int_equal(c.n_del + c.n_ins + c.n_upd, 0);
	sqlgen_compactor_deinit(&c);
}

/* Composite keys: concatenated cells never alias ('ab','c' vs 'a','bc');
 * forced hash collisions are resolved by the bytes. */
static void test_compact_keys(void **state)
{
	struct column cols[2];
	const uint32_t both[] = {0, 1};
	struct sqlgen_table t;
	struct sqlgen_compactor c;
	struct sqlgen_change ch[4];
	struct cell *r[4];
	struct sl_err err;

	(void)state;
	cols[0] = mkcol(COL_VARCHAR, 40, 45, "a");
	cols[1] = mkcol(COL_VARCHAR, 40, 45, "b");
	memset(&t, 0, sizeof(t));
	t.db = S("d");
	t.name = S("t");
	t.n_cols = 2;
	t.cols = cols;
	t.n_keys = 2;
	t.keys = both;
	for (int i = 0; i < 4; i++)
		r[i] = take_cells(2);
	r[0][0] = c_str("ab");
	r[0][1] = c_str("c");
	r[1][0] = c_str("a");
	r[1][1] = c_str("bc");
	r[2][0] = c_str("ab");
	r[2][1] = c_str("c");
	r[3][0] = c_str("a");
	r[3][1] = c_null();
	ch[0] = ins(r[0]);
	ch[1] = ins(r[1]);
	ch[2] = del(r[2]);
	sqlgen_compactor_init(&c);
	assert_int_equal(sqlgen_keys(&c, &t, ch, 3, NULL), 0);
	assert_int_equal(ch[0].new_key.len, 5);
	assert_int_equal(ch[0].new_key.hash, ch[2].old_key.hash);
	assert_int_equal(sqlgen_compact(&c, &t, ch, 3, false, NULL), 0);
	assert_int_equal(c.n_del, 0);
	assert_int_equal(c.n_ins, 1);
	assert_ptr_equal(c.ins[0], r[1]);
	/* every hash equal: still told apart by bytes */
	for (int i = 0; i < 3; i++)
		ch[i].new_key.hash = ch[i].old_key.hash = 42;
	assert_int_equal(sqlgen_compact(&c, &t, ch, 3, false, NULL), 0);
	assert_int_equal(c.n_ins, 1);
	assert_ptr_equal(c.ins[0], r[1]);
	/* a NULL key cell is refused */
	ch[3] = ins(r[3]);
	assert_int_equal(sqlgen_keys(&c, &t, ch, 4, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "key column b is NULL"));
	/* no key: nothing to compact on */
	t.n_keys = 0;
	assert_int_equal(sqlgen_keys(&c, &t, ch, 3, &err), SL_EINVAL);
	assert_int_equal(sqlgen_compact(&c, &t, ch, 3, false, &err), SL_EINVAL);
	sqlgen_compactor_deinit(&c);
}

/*
 * Model check: a target of up to NK keys, each absent or holding a value.
 * A random batch of valid source changes (inserts of absent keys, updates
 * with and without key changes, deletes) applied one by one gives the
 * expected state.  The compacted lists, applied as the worker would
 * (deletes, inserts that must not find a row, upserts), must give the
 * same state from the pre-batch state; in safe mode also from any state
 * in between (here: the expected final state itself, a replay).
 */
#define NK 24

struct model {
	int32_t v[NK]; /* -1: absent */
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static struct cell *int_row(int32_t id, int32_t v)
{
	struct cell *r = take_cells(2);

	r[0] = c_int(id);
	r[1] = c_int(v);
	return r;
}

static int32_t cell_i32(const struct cell *c)
{
	int32_t v;

	memcpy(&v, c->p, 4);
	return v;
}

/* Applies the compacted lists to m; fails on a strict-mode violation
 * (insert of an existing row, delete of a missing one) unless safe. */
static void apply_lists(const struct sqlgen_compactor *c, struct model *m,
                        bool safe)
{
	for (size_t i = 0; i < c->n_del; i++) {
		int32_t id = cell_i32(&c->del[i][0]);

		if (!safe && m->v[id] < 0)
			fail_msg("delete of missing row %d", id);
		m->v[id] = -1;
	}
	for (size_t i = 0; i < c->n_ins; i++) {
		int32_t id = cell_i32(&c->ins[i][0]);

		if (!safe && m->v[id] >= 0)
			fail_msg("insert of existing row %d", id);
		m->v[id] = cell_i32(&c->ins[i][1]);
	}
	for (size_t i = 0; i < c->n_upd; i++) {
		int32_t id = cell_i32(&c->upd[i][0]);

		m->v[id] = cell_i32(&c->upd[i][1]);
	}
}

static void test_compact_model(void **state)
{
	struct column cols[2];
	struct sqlgen_table t;
	struct sqlgen_compactor c;
	static struct sqlgen_change ch[400];
	size_t total_in = 0, total_out = 0;

	(void)state;
	cols[0] = mkcol(COL_LONG, 0, 0, "id");
	cols[1] = mkcol(COL_LONG, 0, 0, "v");
	memset(&t, 0, sizeof(t));
	t.db = S("d");
	t.name = S("t");
	t.n_cols = 2;
	t.cols = cols;
	t.n_keys = 1;
	t.keys = key0;
	sqlgen_compactor_init(&c);
	for (int iter = 0; iter < 2000; iter++) {
		struct model before, cur, got;
		size_t n = 1 + rnd(iter % 10 == 0 ? 400 : 30);
		int32_t next_v = 1;

		arena_len = 0;
		for (int k = 0; k < NK; k++)
			before.v[k] = rnd(2) ? (int32_t)rnd(1000) : -1;
		cur = before;
		for (size_t i = 0; i < n; i++) {
			int32_t k = (int32_t)rnd(NK), k2 = (int32_t)rnd(NK);
			int32_t v = next_v++;

			if (cur.v[k] < 0) {
				ch[i] = ins(int_row(k, v));
				cur.v[k] = v;
			} else if (rnd(3) == 0) {
				ch[i] = del(int_row(k, cur.v[k]));
				cur.v[k] = -1;
			} else if (cur.v[k2] < 0 && rnd(2)) {
				ch[i] =
				    upd(int_row(k, cur.v[k]), int_row(k2, v));
				cur.v[k] = -1;
				cur.v[k2] = v;
			} else {
				ch[i] =
				    upd(int_row(k, cur.v[k]), int_row(k, v));
				cur.v[k] = v;
			}
		}
		assert_int_equal(sqlgen_keys(&c, &t, ch, n, NULL), 0);
		assert_int_equal(sqlgen_compact(&c, &t, ch, n, false, NULL), 0);
		got = before;
		apply_lists(&c, &got, false);
		assert_memory_equal(&got, &cur, sizeof(got));
		/* at most one statement row per key */
		assert_true(c.n_del + c.n_ins + c.n_upd <= NK);
		total_in += n;
		total_out += c.n_del + c.n_ins + c.n_upd;

		assert_int_equal(sqlgen_compact(&c, &t, ch, n, true, NULL), 0);
		got = before;
		apply_lists(&c, &got, true);
		assert_memory_equal(&got, &cur, sizeof(got));
		got = cur; /* replay over the already-applied state */
		apply_lists(&c, &got, true);
		assert_memory_equal(&got, &cur, sizeof(got));
	}
	assert_true(total_out < total_in);
	sqlgen_compactor_deinit(&c);
}

/* Every allocation failing in turn: SL_ENOMEM (never a crash or a
 * partial statement), and the compactor works again afterwards. */
static void test_oom(void **state)
{
	struct sqlgen_table t = kv_table();
	const uint32_t both[] = {0, 1};
	struct sqlgen_change ch[3];
	const struct cell *rows[2];
	uint64_t k;
	int failures = 0;

	(void)state;
	t.n_keys = 2;
	t.keys = both;
	ch[0] = ins(kv_row(1, "a"));
	ch[1] = upd(kv_row(1, "a"), kv_row(1, "b"));
	ch[2] = del(kv_row(2, "c"));
	rows[0] = kv_row(1, "a");
	rows[1] = kv_row(2, "b");
	for (k = 1; k <= 16; k++) {
		struct sqlgen_compactor c;
		struct sbuf b;
		struct sl_err err;
		size_t done = 0;
		int rc;

		sqlgen_compactor_init(&c);
		sbuf_init(&b);
		sl_mem_fail_after(k);
		rc = sqlgen_keys(&c, &t, ch, 3, &err);
		if (rc == 0)
			rc = sqlgen_compact(&c, &t, ch, 3, false, &err);
		if (rc == 0)
			rc = sqlgen_insert(&b, &t, SQLGEN_INSERT, rows, 2, 0,
			                   &done, &err);
		sl_mem_fail_after(0);
		if (rc != 0) {
			assert_int_equal(rc, SL_ENOMEM);
			assert_int_equal(b.len, 0);
			failures++;
		}
		assert_int_equal(sqlgen_keys(&c, &t, ch, 3, NULL), 0);
		assert_int_equal(sqlgen_compact(&c, &t, ch, 3, false, NULL), 0);
		assert_int_equal(c.n_ins, 1);
		assert_int_equal(c.ins_src[0], 1);
		assert_int_equal(c.n_del, 1);
		sqlgen_compactor_deinit(&c);
		sbuf_deinit(&b);
	}
	assert_true(failures >= 3);
}

/* --- emit mode (integration) ---------------------------------------- */

/* One source table as seen in the binlog, with a private copy of its
 * TABLE_MAP (the decoder's entries may be freed under pending rows). */
struct etable {
	char name[400]; /* "db\0table" */
	struct tablemap_cache *cache;
	const struct table_map *tm;
	struct sqlgen_table t;
};

/* A pending row change; cells and their bytes in one block. */
struct epending {
	struct etable *et;
	int op;
	struct cell *before, *after;
};

struct emitter {
	size_t batch, max_bytes;
	bool safe;
	struct etable **tables;
	size_t n_tables;
	struct epending *pend;
	size_t n_pend, pend_cap;
	struct sbuf out;
	struct sqlgen_compactor comp;
	struct sqlgen_change *ch;
	size_t ch_cap;
	uint64_t changes_in, rows_out, statements, batches, skipped;
};

static void die(const char *what, const struct sl_err *err)
{
	fprintf(stderr, "test_sqlgen --emit: %s%s%s\n", what,
	        err != NULL ? ": " : "", err != NULL ? err->msg : "");
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL)
		die("out of memory", NULL);
	return q;
}

static void flush_out(struct emitter *e)
{
	size_t off = 0;

	if (!sbuf_ok(&e->out))
		die("out of memory", NULL);
	while (off < e->out.len) {
		ssize_t n =
		    write(STDOUT_FILENO, e->out.p + off, e->out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write to stdout failed", NULL);
		off += (size_t)n;
	}
	sbuf_reset(&e->out);
}

static void end_statement(struct emitter *e)
{
	sbuf_put(&e->out, ";\n", 2);
	e->statements++;
	if (e->out.len > (1 << 20))
		flush_out(e);
}

/* Writes imgs as statements of at most max_bytes (delete or insert). */
static void emit_rows(struct emitter *e, const struct sqlgen_table *t, int kind,
                      const struct cell *const *imgs, size_t n)
{
	struct sl_err err;
	size_t at = 0, done;
	int rc;

	while (at < n) {
		if (kind < 0)
			rc = sqlgen_delete(&e->out, t, imgs + at, n - at,
			                   e->max_bytes, &done, &err);
		else
			rc = sqlgen_insert(&e->out, t, (enum sqlgen_verb)kind,
			                   imgs + at, n - at, e->max_bytes,
			                   &done, &err);
		if (rc != 0)
			die("building SQL", &err);
		at += done;
		e->rows_out += done;
		end_statement(e);
	}
}

static void emit_table(struct emitter *e, struct etable *et)
{
	const struct sqlgen_table *t = &et->t;
	struct sl_err err;
	size_t n = 0;

	for (size_t i = 0; i < e->n_pend; i++) {
		const struct epending *p = &e->pend[i];

		if (p->et != et)
			continue;
		if (n == e->ch_cap) {
			e->ch_cap = e->ch_cap ? 2 * e->ch_cap : 256;
			e->ch = xrealloc(e->ch, e->ch_cap * sizeof(*e->ch));
		}
		memset(&e->ch[n], 0, sizeof(e->ch[n]));
		e->ch[n].op = p->op;
		e->ch[n].before = p->before;
		e->ch[n].after = p->after;
		n++;
	}
	if (n == 0)
		return;
	if (t->n_keys == 0 && e->safe) {
		/* a replay cannot be made idempotent without a key */
		e->skipped += n;
		return;
	}
	if (t->n_keys == 0) {
		/* in source order, one statement per change */
		for (size_t i = 0; i < n; i++) {
			const struct cell *b = e->ch[i].before,
			                  *a = e->ch[i].after;

			if (b != NULL)
				emit_rows(e, t, -1, &b, 1);
			if (a != NULL)
				emit_rows(e, t, SQLGEN_INSERT, &a, 1);
		}
		return;
	}
	if (sqlgen_keys(&e->comp, t, e->ch, n, &err) != 0 ||
	    sqlgen_compact(&e->comp, t, e->ch, n, e->safe, &err) != 0)
		die("compacting", &err);
	emit_rows(e, t, -1, e->comp.del, e->comp.n_del);
	emit_rows(e, t, e->safe ? SQLGEN_REPLACE : SQLGEN_INSERT, e->comp.ins,
	          e->comp.n_ins);
	emit_rows(e, t, SQLGEN_UPSERT, e->comp.upd, e->comp.n_upd);
}

static void flush_batch(struct emitter *e)
{
	if (e->n_pend == 0)
		return;
	sbuf_puts(&e->out, "BEGIN;\n");
	for (size_t i = 0; i < e->n_tables; i++)
		emit_table(e, e->tables[i]);
	sbuf_puts(&e->out, "COMMIT;\n");
	for (size_t i = 0; i < e->n_pend; i++)
		free(e->pend[i].before != NULL ? (void *)e->pend[i].before
		                               : (void *)e->pend[i].after);
	e->n_pend = 0;
	e->batches++;
	flush_out(e);
}

static struct etable *table_for(struct emitter *e, const struct table_map *tm)
{
	char name[400];
	struct etable *et;

	snprintf(name, sizeof(name), "%s.%s", tm->db.p, tm->table.p);
	for (size_t i = 0; i < e->n_tables; i++)
		if (strcmp(e->tables[i]->name, name) == 0)
			return e->tables[i];
	e->tables =
	    xrealloc(e->tables, (e->n_tables + 1) * sizeof(struct etable *));
	et = calloc(1, sizeof(*et));
	if (et == NULL || (et->cache = tablemap_cache_new()) == NULL)
		die("out of memory", NULL);
	memcpy(et->name, name, sizeof(name));
	e->tables[e->n_tables++] = et;
	return et;
}

/* A TABLE_MAP: keep a private copy; rows pending under an older map of
 * the table are flushed first. */
static void on_table_map(struct emitter *e, const struct event *ev)
{
	const struct table_map *tm = ev->u.table_map.tm;
	struct etable *et = table_for(e, tm);
	struct sl_err err;

	if (et->tm != NULL && et->tm->raw_len == tm->raw_len &&
	    memcmp(et->tm->raw, tm->raw, tm->raw_len) == 0)
		return;
	for (size_t i = 0; i < e->n_pend; i++)
		if (e->pend[i].et == et) {
			flush_batch(e);
			break;
		}
	tablemap_cache_clear(et->cache);
	if (tablemap_cache_put(et->cache, ev->body, ev->body_len, 6, &et->tm,
	                       &err) != 0)
		die("table map", &err);
	if (sqlgen_table_from_map(&et->t, et->tm, &err) != 0)
		die("table", &err);
}

/* Copies one or two images (a then b, each n cells) and their bytes into
 * one block; b's copy follows a's. */
static struct cell *copy_images(const struct cell *a, const struct cell *b,
                                uint32_t n)
{
	const struct cell *img[2] = {a, b};
	size_t bytes = 0, k = 0;
	struct cell *c;
	uint8_t *p;

	for (int j = 0; j < 2 && img[j] != NULL; j++)
		for (uint32_t i = 0; i < n; i++)
			bytes += img[j][i].len;
	c = malloc(2 * (size_t)n * sizeof(*c) + bytes + 1);
	if (c == NULL)
		die("out of memory", NULL);
	p = (uint8_t *)(c + 2 * (size_t)n);
	for (int j = 0; j < 2 && img[j] != NULL; j++)
		for (uint32_t i = 0; i < n; i++, k++) {
			c[k] = img[j][i];
			if (c[k].len) {
				memcpy(p, img[j][i].p, c[k].len);
				c[k].p = p;
				p += c[k].len;
			}
		}
	return c;
}

static void on_row(struct emitter *e, const struct row_change *row)
{
	struct etable *et = table_for(e, row->tm);
	struct epending *p;
	uint32_t n = row->tm->n_cols;

	if (et->tm == NULL || et->tm->n_cols != n)
		die("rows before their table map", NULL);
	if (e->n_pend == e->pend_cap) {
		e->pend_cap = e->pend_cap ? 2 * e->pend_cap : 256;
		e->pend = xrealloc(e->pend, e->pend_cap * sizeof(*e->pend));
	}
	p = &e->pend[e->n_pend++];
	p->et = et;
	p->op = row->op;
	p->before = NULL;
	p->after = NULL;
	/* one block: before and after share it (freed through before) */
	if (row->before != NULL && row->after != NULL) {
		p->before = copy_images(row->before, row->after, n);
		p->after = p->before + n;
	} else if (row->before != NULL) {
		p->before = copy_images(row->before, NULL, n);
	} else {
		p->after = copy_images(row->after, NULL, n);
	}
	e->changes_in++;
}

static bool is_commit(const struct event *ev)
{
	if (ev->kind == DEC_XID)
		return true;
	if (ev->kind != DEC_QUERY)
		return false;
	/* BEGIN opens a transaction; anything else (COMMIT, DDL) ends one */
	return !(ev->u.query.query.len == 5 &&
	         memcmp(ev->u.query.query.p, "BEGIN", 5) == 0);
}

static int emit_main(int argc, char **argv)
{
	struct emitter e;
	struct decoder *dc = decoder_new();
	struct sl_err err;
	int i = 2;

	memset(&e, 0, sizeof(e));
	e.batch = 1;
	e.max_bytes = 65536;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--safe") == 0)
			e.safe = true;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			e.batch = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max-bytes") == 0 && i + 1 < argc)
			e.max_bytes = strtoul(argv[++i], NULL, 10);
		else
			die("usage: --emit [--batch N] [--max-bytes M] "
			    "[--safe] FILE...",
			    NULL);
	}
	if (dc == NULL || i == argc)
		die("usage: --emit [--batch N] [--max-bytes M] [--safe] "
		    "FILE...",
		    NULL);
	sbuf_init(&e.out);
	sqlgen_compactor_init(&e.comp);
	sbuf_puts(&e.out, SQLGEN_SESSION_SQL ";\n");
	for (; i < argc; i++) {
		struct binlog_file *f;
		const uint8_t *buf;
		size_t len;
		uint64_t pos;
		int rc;

		if (binlog_file_open(argv[i], &f, &err) != 0)
			die(argv[i], &err);
		while ((rc = binlog_file_next(f, &buf, &len, &pos, &err)) > 0) {
			const struct event *ev;

			if (decoder_feed(dc, buf, len, pos, &err) != 0)
				die(argv[i], &err);
			while ((rc = decoder_next(dc, &ev, &err)) > 0) {
				struct row_change row;

				if (ev->kind == DEC_TABLE_MAP)
					on_table_map(&e, ev);
				if (ev->kind == DEC_ROWS)
					while ((rc = decoder_row(dc, &row,
					                         &err)) > 0)
						on_row(&e, &row);
				if (rc < 0)
					die(argv[i], &err);
				if (is_commit(ev) && e.n_pend >= e.batch)
					flush_batch(&e);
			}
			if (rc < 0)
				die(argv[i], &err);
		}
		if (rc < 0)
			die(argv[i], &err);
		binlog_file_close(f);
	}
	flush_batch(&e);
	flush_out(&e);
	fprintf(stderr,
	        "test_sqlgen --emit: %" PRIu64 " changes in, %" PRIu64
	        " rows out, %" PRIu64 " statements, %" PRIu64
	        " batches, %" PRIu64 " keyless changes skipped\n",
	        e.changes_in, e.rows_out, e.statements, e.batches, e.skipped);
	for (size_t k = 0; k < e.n_tables; k++) {
		tablemap_cache_free(e.tables[k]->cache);
		free(e.tables[k]);
	}
	free(e.tables);
	free(e.pend);
	free(e.ch);
	sqlgen_compactor_deinit(&e.comp);
	sbuf_deinit(&e.out);
	decoder_free(dc);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ident, reset_arena),
	    cmocka_unit_test_setup(test_insert_every_type, reset_arena),
	    cmocka_unit_test_setup(test_values, reset_arena),
	    cmocka_unit_test_setup(test_insert_verbs, reset_arena),
	    cmocka_unit_test_setup(test_insert_partial_images, reset_arena),
	    cmocka_unit_test_setup(test_size_cap, reset_arena),
	    cmocka_unit_test_setup(test_delete_forms, reset_arena),
	    cmocka_unit_test_setup(test_key_changed, reset_arena),
	    cmocka_unit_test_setup(test_errors, reset_arena),
	    cmocka_unit_test_setup(test_table_from_map, reset_arena),
	    cmocka_unit_test_setup(test_compact_rules, reset_arena),
	    cmocka_unit_test_setup(test_compact_keys, reset_arena),
	    cmocka_unit_test_setup(test_compact_model, reset_arena),
	    cmocka_unit_test_setup(test_oom, reset_arena),
	};

	if (argc > 1 && strcmp(argv[1], "--emit") == 0)
		return emit_main(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_schema.c: the schema tracker (apply/schema.c) against a
 * real MariaDB acting as both source and target: keys chosen as the
 * pipeline needs them, a missing table named with what to do, and the
 * TABLE_MAP of a real binlog checked against the target's definition.
 */
#include "apply/schema.h"
#include "core/decode.h"
#include "io/binlog_file.h"

#include "live_mariadb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct live_mariadb srv;
static struct target *tgt;
static struct schema *sch;

static const char setup_sql[] =
    "CREATE DATABASE d;"
    "CREATE TABLE d.pk (a INT, b VARCHAR(10), c INT NOT NULL, "
    " PRIMARY KEY (b, a), UNIQUE KEY uc (c));"
    "CREATE TABLE d.uk (x INT NULL, y INT NOT NULL, z INT NOT NULL,"
    " UNIQUE KEY ux (x), UNIQUE KEY uyz (y, z));"
    "CREATE TABLE d.nokey (v INT, w TEXT);"
    "CREATE TABLE d.gen (id INT PRIMARY KEY, v INT,"
    " g INT AS (v * 2) VIRTUAL);"
    "INSERT INTO d.pk VALUES (1, 'x', 7);"
    "INSERT INTO d.uk VALUES (NULL, 1, 2);";

static int setup(void **state)
{
	struct target_opts o = {.host = "127.0.0.1",
	                        .user = "sluice",
	                        .password = "sluice",
	                        .tls = TARGET_TLS_DISABLED};
	struct sl_err err;

	(void)state;
	if (live_mariadb_start(&srv, "schema", setup_sql) != 0)
		return -1;
	o.port = (unsigned)srv.port;
	if (target_open(&o, &tgt, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	sch = schema_new(tgt);
	return sch ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	schema_free(sch);
	target_close(tgt);
	return live_mariadb_stop(&srv);
}

static const struct schema_table *get(const char *db, const char *t)
{
	const struct schema_table *st = NULL;
	struct sl_err err;

	if (schema_get(sch, db, t, &st, &err) != 0)
		fail_msg("schema_get %s.%s: %s", db, t, err.msg);
	return st;
}

/* The primary key wins, in key order; other unique keys are kept for
 * the causality check. */
static void test_primary_key(void **state)
{
	const struct schema_table *st = get("d", "pk");

	(void)state;
	assert_int_equal(st->n_cols, 3);
	assert_true(st->key_is_primary);
	assert_int_equal(st->n_key, 2);
	assert_int_equal(st->key[0], 1); /* b */
	assert_int_equal(st->key[1], 0); /* a */
	assert_int_equal(st->n_uniq, 1);
	assert_int_equal(st->uniq_len[0], 1);
	assert_int_equal(st->uniq[0][0], 2);  /* c */
	assert_ptr_equal(get("d", "pk"), st); /* cached */
}

/* Without a primary key: the first unique key with only NOT NULL
 * columns; a nullable unique key is not a row address. */
static void test_unique_not_null(void **state)
{
	const struct schema_table *st = get("d", "uk");

	(void)state;
	assert_false(st->key_is_primary);
	assert_int_equal(st->n_key, 2);
	assert_int_equal(st->key[0], 1);
	assert_int_equal(st->key[1], 2);
	assert_int_equal(st->n_uniq, 1); /* ux, nullable */
	assert_int_equal(get("d", "nokey")->n_key, 0);
	assert_true(get("d", "gen")->cols[2].generated);
	assert_false(get("d", "gen")->cols[1].generated);
}

/* A missing table is named, with what to do. */
static void test_missing_table(void **state)
{
	const struct schema_table *st = NULL;
	struct sl_err err;

	(void)state;
	assert_int_equal(schema_get(sch, "d", "nosuch", &st, &err),
	                 SL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "`d`.`nosuch`"));
	assert_non_null(strstr(err.msg, "create it"));
}

/* Path of the server's current binlog file. */
static void current_binlog(char *path, size_t cap)
{
	struct target_rows r;
	struct sl_err err;

	assert_int_equal(target_query(tgt, "SELECT @@datadir", &r, &err), 0);
	snprintf(path, cap, "%s/", target_rows_get(&r, 0, 0));
	target_rows_free(&r);
	assert_int_equal(target_query(tgt, "SHOW MASTER STATUS", &r, &err), 0);
	strncat(path, target_rows_get(&r, 0, 0), cap - strlen(path) - 1);
	target_rows_free(&r);
}

/* Every TABLE_MAP of the server's binlog matches its target table. */
static void check_binlog_maps(void)
{
	struct sl_err err;
	char path[1024];
	struct binlog_file *f = NULL;
	struct decoder *dc = decoder_new();
	const uint8_t *buf;
	size_t len;
	uint64_t pos;
	int checked = 0;

	current_binlog(path, sizeof(path));
	assert_int_equal(binlog_file_open(path, &f, &err), 0);
	while (binlog_file_next(f, &buf, &len, &pos, &err) > 0) {
		const struct event *ev;

		assert_int_equal(decoder_feed(dc, buf, len, pos, &err), 0);
		while (decoder_next(dc, &ev, &err) > 0) {
			const struct table_map *tm;
			char tname[80];

			if (ev->kind != DEC_TABLE_MAP)
				continue;
			tm = ev->u.table_map.tm;
			snprintf(tname, sizeof(tname), "%.*s",
			         (int)tm->table.len, tm->table.p);
			if (schema_check(get("d", tname), tm, &err) != 0)
				fail_msg("%s: %s", tname, err.msg);
			checked++;
		}
	}
	assert_true(checked >= 2);
	binlog_file_close(f);
	decoder_free(dc);
}

/* Real TABLE_MAPs match their own tables; a changed target column type
 * is reported with table, column and both types. */
static void test_check_against_binlog(void **state)
{
	struct sl_err err;
	const char *alter = "ALTER TABLE d.pk MODIFY c DATE NOT NULL";

	(void)state;
	check_binlog_maps();
	assert_int_equal(target_exec(tgt, "DELETE FROM d.pk", 16, NULL, &err),
	                 0);
	assert_int_equal(target_exec(tgt, alter, strlen(alter), NULL, &err), 0);
	schema_forget(sch, "d", "pk");
	{
		/* Re-check the old TABLE_MAP (c written as LONG). */
		char path[1024];
		struct binlog_file *f = NULL;
		struct decoder *dc = decoder_new();
		const uint8_t *buf;
		size_t len;
		uint64_t pos;
		bool seen = false;

		current_binlog(path, sizeof(path));
		assert_int_equal(binlog_file_open(path, &f, &err), 0);
		while (!seen &&
		       binlog_file_next(f, &buf, &len, &pos, &err) > 0) {
			const struct event *ev;

			decoder_feed(dc, buf, len, pos, &err);
			while (decoder_next(dc, &ev, &err) > 0)
				if (ev->kind == DEC_TABLE_MAP &&
				    ev->u.table_map.tm->table.len == 2 &&
				    memcmp(ev->u.table_map.tm->table.p, "pk",
				           2) == 0) {
					assert_int_equal(
					    schema_check(get("d", "pk"),
					                 ev->u.table_map.tm,
					                 &err),
					    SL_EINVAL);
					assert_non_null(strstr(err.msg, "`c`"));
					assert_non_null(
					    strstr(err.msg, "LONG"));
					assert_non_null(
					    strstr(err.msg, "date"));
					seen = true;
				}
		}
		assert_true(seen);
		binlog_file_close(f);
		decoder_free(dc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_primary_key),
	    cmocka_unit_test(test_unique_not_null),
	    cmocka_unit_test(test_missing_table),
	    cmocka_unit_test(test_check_against_binlog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

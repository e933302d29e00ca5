/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_tidb.c: tidb_classify for every code the issue names
 * and every code in the table, checked against an expectation list
 * written here from the TiDB and MySQL error references (not copied from
 * tidb.c), plus the fallbacks (0, unknown codes), the table's shape, and
 * that docs/target-errors.md lists every code with the same class.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/tidb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct expect {
	unsigned code;
	int cls;
};

/* clang-format off */
static const struct expect expected[] = {
	/* retry: MySQL/MariaDB server */
	{1213, SL_ERETRY},    /* deadlock */
	{1205, SL_ERETRY},    /* lock wait timeout */
	{1040, SL_ERETRY},    /* too many connections */
	{1053, SL_ERETRY},    /* server shutdown in progress */
	{1317, SL_ERETRY},    /* query interrupted */
	{1927, SL_ERETRY},    /* MariaDB: connection killed */
	/* retry: client library */
	{2002, SL_ERETRY},
	{2003, SL_ERETRY},
	{2006, SL_ERETRY},    /* server has gone away */
	{2013, SL_ERETRY},    /* lost connection during query */
	{2055, SL_ERETRY},    /* lost connection, extended */
	/* retry: TiDB */
	{8005, SL_ERETRY},    /* write conflict, txnStartTS is stale */
	{8022, SL_ERETRY},    /* commit failed, rolled back, retryable */
	{8027, SL_ERETRY},    /* schema outdated */
	{8028, SL_ERETRY},    /* schema changed */
	{9001, SL_ERETRY},    /* PD timeout */
	{9002, SL_ERETRY},    /* TiKV timeout */
	{9003, SL_ERETRY},    /* TiKV busy */
	{9004, SL_ERETRY},    /* resolve lock timeout */
	{9005, SL_ERETRY},    /* region unavailable */
	{9007, SL_ERETRY},    /* write conflict */
	{9008, SL_ERETRY},    /* store limit */
	/* split: too large */
	{8004, SL_ESPLIT},
	{8025, SL_ESPLIT},
	{9500, SL_ESPLIT},
	{1153, SL_ESPLIT},    /* packet > max_allowed_packet */
	{1197, SL_ESPLIT},    /* max_binlog_cache_size */
	/* conflict: duplicate keys */
	{1062, SL_ECONFLICT},
	{1022, SL_ECONFLICT},
	{1586, SL_ECONFLICT},
	/* fatal, listed on purpose */
	{1216, SL_EFATAL},
	{1217, SL_EFATAL},
	{1451, SL_EFATAL},
	{1452, SL_EFATAL},
	{9006, SL_EFATAL},    /* GC life time too short */
};

/* Not in the table: all fatal. */
static const unsigned unlisted[] = {
	1, 1045, 1046, 1064, 1105, 1146, 1054, 1136, 1264, 1366, 1406, 2000,
	2014, 2026, 8001, 8002, 8003, 8024, 8026, 8029, 8229, 9009, 9010,
	9013, 9999, 65535, 0xffffffffu,
};
/* clang-format on */

static void test_expected_classes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		int got = tidb_classify(expected[i].code);

		if (got != expected[i].cls)
			fail_msg("code %u: got %s, want %s", expected[i].code,
			         tidb_class_name(got),
			         tidb_class_name(expected[i].cls));
		assert_non_null(tidb_errcode_find(expected[i].code));
	}
}

/* The table holds nothing beyond the expectations above. */
static void test_table_matches_expectations(void **state)
{
	size_t n;
	const struct tidb_errcode *t = tidb_errcodes(&n);

	(void)state;
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (expected[j].code == t[i].code)
				break;
		if (j == n)
			fail_msg("code %u is in the table but not expected",
			         t[i].code);
		assert_int_equal(t[i].cls, expected[j].cls);
	}
}

static void test_unlisted_are_fatal(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++) {
		assert_null(tidb_errcode_find(unlisted[i]));
		assert_int_equal(tidb_classify(unlisted[i]), SL_EFATAL);
	}
	assert_int_equal(tidb_classify(0), 0);
}

static void test_table_shape(void **state)
{
	size_t n;
	const struct tidb_errcode *t = tidb_errcodes(&n);

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && t[i - 1].code >= t[i].code)
			fail_msg("table not sorted at %u", t[i].code);
		assert_non_null(t[i].symbol);
		assert_non_null(t[i].meaning);
		assert_true(strlen(t[i].meaning) > 5);
		/* TiDB's own codes are exactly the 8000-9999 ones */
		assert_int_equal(t[i].origin == TIDB_ORIGIN_TIDB,
		                 t[i].code >= 8000 && t[i].code <= 9999);
		assert_int_equal(t[i].origin == TIDB_ORIGIN_CLIENT,
		                 t[i].code >= 2000 && t[i].code <= 2999);
		assert_ptr_equal(tidb_errcode_find(t[i].code), &t[i]);
		assert_int_equal(tidb_classify(t[i].code), t[i].cls);
		/* neighbours that are not listed are fatal */
		if (tidb_errcode_find(t[i].code + 1) == NULL)
			assert_int_equal(tidb_classify(t[i].code + 1),
			                 SL_EFATAL);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tidb_class_name(0), "ok");
	assert_string_equal(tidb_class_name(SL_ERETRY), "retry");
	assert_string_equal(tidb_class_name(SL_ESPLIT), "split");
	assert_string_equal(tidb_class_name(SL_ECONFLICT), "conflict");
	assert_string_equal(tidb_class_name(SL_EFATAL), "fatal");
	assert_string_equal(tidb_class_name(-1), "?");
	assert_string_equal(tidb_origin_name(TIDB_ORIGIN_TIDB), "TiDB");
	assert_string_equal(tidb_origin_name(TIDB_ORIGIN_CLIENT), "client");
	assert_string_equal(tidb_origin_name(TIDB_ORIGIN_SERVER), "MySQL");
	assert_string_equal(tidb_errcode_find(9007)->symbol,
	                    "ErrWriteConflict");
	assert_string_equal(tidb_errcode_find(1213)->symbol,
	                    "ER_LOCK_DEADLOCK");
	/* the classes stay clear of core/err.h's codes (-1 .. -8) */
	assert_true(SL_ERETRY < -16 && SL_ESPLIT < -16 && SL_ECONFLICT < -16 &&
	            SL_EFATAL < -16);
}

/* docs/target-errors.md, found from this file's path (__FILE__ is the
 * absolute source path in CMake builds). */
static char *read_doc(void)
{
	static const char self[] = "tests/unit/test_tidb.c";
	const char *f = __FILE__;
	size_t n = strlen(f), cap = 1 << 16, len = 0;
	char path[4096];
	char *buf = malloc(cap);
	FILE *fp;

	assert_non_null(buf);
	assert_true(n >= sizeof(self) - 1 && n < sizeof(path) - 32);
	assert_string_equal(f + n - (sizeof(self) - 1), self);
	snprintf(path, sizeof(path), "%.*sdocs/target-errors.md",
	         (int)(n - (sizeof(self) - 1)), f);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf + len, 1, cap - 1 - len, fp)) > 0)
		len += n;
	fclose(fp);
	buf[len] = 0;
	return buf;
}

static void test_doc_lists_every_code(void **state)
{
	size_t n;
	const struct tidb_errcode *t = tidb_errcodes(&n);
	char *doc = read_doc();

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char head[32], cls[32];
		const char *row = NULL, *p = doc;

		snprintf(head, sizeof(head), "\n| %u | ", t[i].code);
		snprintf(cls, sizeof(cls), " | %s | ",
		         tidb_class_name(t[i].cls));
		while ((p = strstr(p, head)) != NULL) {
			if (row != NULL)
				fail_msg("code %u listed twice", t[i].code);
			row = ++p;
		}
		if (row == NULL)
			fail_msg("docs/target-errors.md lacks code %u",
			         t[i].code);
		p = strchr(row, '\n');
		if (p == NULL)
			p = row + strlen(row);
		{
			char line[512];

			snprintf(line, sizeof(line), "%.*s", (int)(p - row),
			         row);
			if (strstr(line, cls) == NULL ||
			    strstr(line, tidb_origin_name(t[i].origin)) ==
			        NULL ||
			    strstr(line, t[i].symbol) == NULL)
				fail_msg(
				    "docs row disagrees with the table: %s",
				    line);
		}
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expected_classes),
	    cmocka_unit_test(test_table_matches_expectations),
	    cmocka_unit_test(test_unlisted_are_fatal),
	    cmocka_unit_test(test_table_shape),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_doc_lists_every_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

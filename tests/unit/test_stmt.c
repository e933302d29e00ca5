/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_stmt.c: statement classes (core/stmt.c), which both the
 * stream's resume points and the pipeline's commit markers follow.
 */
#include "core/stmt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_classes(void **state)
{
	static const struct {
		const char *q;
		enum stmt_class want;
	} cases[] = {
	    {"BEGIN", STMT_BEGIN},
	    {"begin", STMT_BEGIN},
	    {"COMMIT", STMT_END},
	    {"ROLLBACK", STMT_END},
	    {"ROLLBACK TO `sp1`", STMT_INSIDE},
	    {"SAVEPOINT `sp1`", STMT_INSIDE},
	    {"XA START X'31',X'',1", STMT_INSIDE},
	    {"XA COMMIT X'31',X'',1", STMT_INSIDE},
	    {"CREATE TABLE t (a INT)", STMT_DDL},
	    {"  ALTER TABLE t ADD b INT", STMT_DDL},
	    {"CREATE OR REPLACE TABLE t (a INT)", STMT_DDL},
	    {"DROP TABLE IF EXISTS t", STMT_DDL},
	    {"RENAME TABLE a TO b", STMT_DDL},
	    {"TRUNCATE t", STMT_DDL},
	    {"CREATE USER u", STMT_OTHER},
	    {"CREATE OR REPLACE USER u", STMT_OTHER},
	    {"DROP ROLE r", STMT_OTHER},
	    {"BEGINNING", STMT_OTHER},
	    {"COMMITTED", STMT_OTHER},
	    {"FLUSH PRIVILEGES", STMT_OTHER},
	    {"", STMT_OTHER},
	    {"/* app=x */ ALTER TABLE t ADD c INT", STMT_DDL},
	    {"-- note\nTRUNCATE TABLE t", STMT_DDL},
	    {"# note\n  DROP TABLE t", STMT_DDL},
	    {"/*!40000 ALTER TABLE `t` DISABLE KEYS */", STMT_DDL},
	    {"/*M!100100 CREATE OR REPLACE TABLE t (a INT) */", STMT_DDL},
	    {"/* BEGIN */ COMMIT", STMT_END},
	    {"CREATE DEFINER=`root`@`localhost` VIEW v AS SELECT 1", STMT_DDL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (stmt_classify(cases[i].q, strlen(cases[i].q)) !=
		    cases[i].want)
			fail_msg("\"%s\": class %d, want %d", cases[i].q,
			         stmt_classify(cases[i].q, strlen(cases[i].q)),
			         cases[i].want);
}

struct got {
	char s[512];
};

static void collect(void *ctx, const struct stmt_name *db,
                    const struct stmt_name *table)
{
	struct got *g = ctx;
	size_t n = strlen(g->s);

	snprintf(g->s + n, sizeof(g->s) - n, "%s%.*s%s%.*s", n ? "|" : "",
	         db ? (int)db->len : 1, db ? db->p : "-", ".",
	         table ? (int)table->len : 1, table ? table->p : "-");
}

static void test_objects(void **state)
{
	static const struct {
		const char *q;
		const char *want;
	} cases[] = {
	    {"CREATE TABLE t (a INT)", "-.t"},
	    {"CREATE TABLE IF NOT EXISTS `d`.`t``x` (a INT)", "d.t``x"},
	    {"create or replace temporary table d.t(a int)", "d.t"},
	    {"CREATE TABLE a LIKE d.b", "-.a|d.b"},
	    {"/* c */ ALTER TABLE d.t ADD COLUMN x INT, RENAME TO e.u",
	     "d.t|e.u"},
	    {"ALTER TABLE t RENAME COLUMN a TO b", "-.t"},
	    {"ALTER TABLE t ADD c VARCHAR(9) DEFAULT 'RENAME TO x'", "-.t"},
	    {"ALTER ONLINE IGNORE TABLE t ENGINE=InnoDB", "-.t"},
	    {"DROP TABLE IF EXISTS a, d.b, `c`", "-.a|d.b|-.c"},
	    {"RENAME TABLE a TO b, d.c TO e.f", "-.a|-.b|d.c|e.f"},
	    {"TRUNCATE t", "-.t"},
	    {"TRUNCATE TABLE d.t", "d.t"},
	    {"CREATE UNIQUE INDEX i ON d.t (a)", "d.t"},
	    {"DROP INDEX i ON t", "-.t"},
	    {"CREATE DATABASE IF NOT EXISTS x", "x.-"},
	    {"DROP SCHEMA y", "y.-"},
	    {"CREATE VIEW v AS SELECT 1", ""},
	    {"INSERT INTO t VALUES (1)", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct got g = {{0}};

		stmt_ddl_objects(cases[i].q, strlen(cases[i].q), collect, &g);
		if (strcmp(g.s, cases[i].want) != 0)
			fail_msg("\"%s\": objects \"%s\", want \"%s\"",
			         cases[i].q, g.s, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classes),
	    cmocka_unit_test(test_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

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
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (stmt_classify(cases[i].q, strlen(cases[i].q)) !=
		    cases[i].want)
			fail_msg("\"%s\": class %d, want %d", cases[i].q,
			         stmt_classify(cases[i].q, strlen(cases[i].q)),
			         cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_target.c: target connections (apply/target.c) against
 * a real MariaDB: session settings the SQL builder relies on, statements,
 * transactions (commit and rollback), error numbers for classification,
 * and one-line errors that never show the password.
 */
#include "apply/target.h"

#include "live_mariadb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct live_mariadb srv;

static int setup(void **state)
{
	(void)state;
	return live_mariadb_start(&srv, "target",
	                          "CREATE DATABASE d; CREATE TABLE d.t (id "
	                          "INT PRIMARY KEY, ts TIMESTAMP NULL, dt "
	                          "DATE NULL) ENGINE=InnoDB");
}

static int teardown(void **state)
{
	(void)state;
	return live_mariadb_stop(&srv);
}

static struct target *open_ok(void)
{
	struct target_opts o = {.host = "127.0.0.1",
	                        .port = (unsigned)srv.port,
	                        .user = "sluice",
	                        .password = "sluice",
	                        .tls = TARGET_TLS_PREFERRED};
	struct target *t = NULL;
	struct sl_err err;

	if (target_open(&o, &t, &err) != 0)
		fail_msg("target_open: %s", err.msg);
	return t;
}

/* The session is UTC, keeps zero dates, and is not TiDB. */
static void test_session(void **state)
{
	struct target *t = open_ok();
	struct sl_err err;
	uint64_t n = 0;

	(void)state;
	assert_false(target_is_tidb(t));
	assert_non_null(strstr(target_version(t), "MariaDB"));
	/* A zero date and a UTC timestamp are accepted as printed. */
	assert_int_equal(
	    target_exec(t,
	                "INSERT INTO d.t VALUES (1, '1970-01-01 00:00:01', "
	                "'0000-00-00')",
	                strlen("INSERT INTO d.t VALUES (1, '1970-01-01 "
	                       "00:00:01', '0000-00-00')"),
	                &n, &err),
	    0);
	assert_int_equal(n, 1);
	target_close(t);
}

/* Commit keeps, rollback drops; affected rows are counted (found rows:
 * an UPDATE to the same value still counts its match). */
static void test_transactions(void **state)
{
	struct target *t = open_ok();
	struct sl_err err;
	uint64_t n = 0;
	const char *ins = "INSERT INTO d.t (id) VALUES (10), (11)";
	const char *upd = "UPDATE d.t SET dt = NULL WHERE id IN (10, 11, 99)";
	const char *del = "DELETE FROM d.t WHERE id = 11";

	(void)state;
	assert_int_equal(target_begin(t, &err), 0);
	assert_int_equal(target_exec(t, ins, strlen(ins), &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(target_commit(t, &err), 0);
	assert_int_equal(target_exec(t, upd, strlen(upd), &n, &err), 0);
	assert_int_equal(n, 2); /* 99 is missing: 2 rows matched */
	assert_int_equal(target_begin(t, &err), 0);
	assert_int_equal(target_exec(t, del, strlen(del), &n, &err), 0);
	assert_int_equal(n, 1);
	target_rollback(t);
	assert_int_equal(target_exec(t, del, strlen(del), &n, &err), 0);
	assert_int_equal(n, 1); /* the rollback kept the row */
	target_close(t);
}

/* A duplicate key reports 1062 for tidb_classify; a missing table 1146. */
static void test_errors(void **state)
{
	struct target *t = open_ok();
	struct sl_err err;
	const char *dup = "INSERT INTO d.t (id) VALUES (1)";
	const char *missing = "INSERT INTO d.nosuch VALUES (1)";

	(void)state;
	assert_int_equal(target_exec(t, dup, strlen(dup), NULL, &err), SL_EIO);
	assert_int_equal(target_errno(t), 1062);
	assert_non_null(strstr(err.msg, "Duplicate entry"));
	assert_int_equal(target_exec(t, missing, strlen(missing), NULL, &err),
	                 SL_EIO);
	assert_int_equal(target_errno(t), 1146);
	assert_null(strchr(err.msg, '\n'));
	target_close(t);
}

/* A wrong password is one line naming host:port, without the password. */
static void test_bad_password(void **state)
{
	struct target_opts o = {.host = "127.0.0.1",
	                        .port = (unsigned)srv.port,
	                        .user = "sluice",
	                        .password = "Wr0ngSecret!",
	                        .tls = TARGET_TLS_DISABLED};
	struct target *t = NULL;
	struct sl_err err;
	char where[64];

	(void)state;
	snprintf(where, sizeof(where), "127.0.0.1:%d", srv.port);
	assert_int_equal(target_open(&o, &t, &err), SL_EIO);
	assert_null(t);
	assert_non_null(strstr(err.msg, where));
	assert_non_null(strstr(err.msg, "1045"));
	assert_null(strstr(err.msg, "Wr0ngSecret!"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_session),
	    cmocka_unit_test(test_transactions),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bad_password),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_precheck.c: the precheck items (apply/precheck.c) fed
 * canned server answers, for the paths the MariaDB-only test machines
 * cannot reach with real servers (tests/integration/040_check.sh covers
 * those): MySQL 8 with GTIDs and a TiDB target, an Aurora MySQL 5.7
 * source where everything is wrong, grant forms (database patterns,
 * table and column grants, roles), MariaDB positions and GTID lists, an
 * unreachable source.  Also: the printed line format, no password hash
 * from SHOW GRANTS in any item, and every docs pointer in precheck.c
 * names a heading of docs/user-guide.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "apply/precheck.h"
#include "core/config.h"
#include "core/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH "*D821809F681A40A6E379B50D0463EFAE20BDD122"

/* One canned answer: a query starting with `sql` gets `rows` (cells
 * split by '\t', rows by '|', "\\N" for NULL) or, when eno is set, that
 * server error. */
struct answer {
	const char *sql;
	const char *rows;
	unsigned eno;
};

struct fake {
	const struct answer *a;
	unsigned unexpected; /* queries nobody answered */
};

static int split_rows(const char *text, struct target_rows *out)
{
	size_t n_rows = 1, n_cols = 1, k = 0;

	memset(out, 0, sizeof(*out));
	if (text[0] == '\0')
		return 0;
	for (const char *p = text; *p && *p != '|'; p++)
		n_cols += *p == '\t';
	for (const char *p = text; *p; p++)
		n_rows += *p == '|';
	out->n_rows = n_rows;
	out->n_cols = n_cols;
	out->cells = sl_calloc(n_rows * n_cols + 1, sizeof(char *));
	assert_non_null(out->cells);
	for (const char *p = text;; p++) {
		const char *e = p + strcspn(p, "\t|");

		assert_true(k < n_rows * n_cols);
		if (!((size_t)(e - p) == 2 && strncmp(p, "\\N", 2) == 0))
			out->cells[k] = sl_strndup(p, (size_t)(e - p));
		k++;
		if (*e == '\0')
			break;
		p = e;
	}
	assert_int_equal(k, n_rows * n_cols);
	return 0;
}

static int fake_query(void *ctx, const char *sql, struct target_rows *out,
                      unsigned *server_errno, struct sl_err *err)
{
	struct fake *f = ctx;

	memset(out, 0, sizeof(*out));
	for (const struct answer *a = f->a; a->sql; a++) {
		if (strncmp(sql, a->sql, strlen(a->sql)) != 0)
			continue;
		if (a->eno) {
			*server_errno = a->eno;
			return sl_err_set(err, SL_EIO,
			                  "h:1: %s: server error %u: refused",
			                  sql, a->eno);
		}
		*server_errno = 0;
		return split_rows(a->rows, out);
	}
	*server_errno = strncmp(sql, "SELECT @@", 9) == 0 ? 1193 : 1064;
	if (*server_errno == 1064) {
		print_message("unanswered query: %s\n", sql);
		f->unexpected++;
	}
	return sl_err_set(err, SL_EIO, "server error %u", *server_errno);
}

static struct job_config *job(const char *yaml)
{
	struct job_config_errors errs;
	struct job_config *c = NULL;
	int rc;

	job_config_errors_init(&errs);
	rc = job_config_parse("job.yaml", yaml, strlen(yaml), &c, &errs);
	for (size_t i = 0; i < errs.n; i++)
		print_message("%s\n", errs.v[i].msg);
	job_config_errors_deinit(&errs);
	assert_int_equal(rc, 0);
	return c;
}

/* Runs the precheck with one source and one target (either may be
 * unreachable: answers NULL) and checks the invariants every report
 * keeps. */
static void run(const char *yaml, const struct answer *src,
                const struct answer *tgt, struct precheck_report *rep)
{
	struct job_config *cfg = job(yaml);
	struct fake fs = {src, 0}, ft = {tgt, 0};
	struct precheck_server t = {"t:4000", "root", NULL, fake_query, &ft};
	struct precheck_env env;
	struct sl_err err;
	size_t np = 0, nw = 0, nf = 0;

	memset(&env, 0, sizeof(env));
	env.source =
	    (struct precheck_server){"s:3306", "dm", NULL, fake_query, &fs};
	if (src == NULL)
		env.source.error = "Access denied for user 'dm'@'x'";
	if (tgt == NULL)
		t.error = "Can't connect";
	env.replica_server_id =
	    cfg->source.server_id ? cfg->source.server_id : 4242;
	env.n_targets = 1;
	env.targets = &t;
	precheck_report_init(rep);
	sl_err_clear(&err);
	assert_int_equal(precheck_run(cfg, &env, rep, &err), 0);
	assert_int_equal(fs.unexpected + ft.unexpected, 0);
	for (size_t i = 0; i < rep->n; i++) {
		const struct precheck_item *it = &rep->v[i];

		print_message("  [%s] %s: %s%s%s\n",
		              precheck_status_name(it->status), it->id,
		              it->text, it->fix ? " :: " : "",
		              it->fix ? it->fix : "");
		assert_null(strstr(it->text, HASH));
		assert_null(strchr(it->text, '\n'));
		if (it->status == PRECHECK_PASS) {
			np++;
			assert_null(it->fix);
		} else {
			if (it->fix == NULL)
				fail_msg("%s has no fix", it->id);
			else {
				assert_null(strstr(it->fix, HASH));
				assert_non_null(
				    strstr(it->fix, "docs/user-guide.md#"));
			}
			if (it->status == PRECHECK_WARNING)
				nw++;
			else
				nf++;
		}
	}
	assert_int_equal(np, rep->n_pass);
	assert_int_equal(nw, rep->n_warning);
	assert_int_equal(nf, rep->n_failed);
	job_config_free(cfg);
}

/* The items with this id and status, as a count; *text gets the first
 * one's text. */
static size_t find(const struct precheck_report *rep, const char *id,
                   enum precheck_status st, const char **text)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].id, id) == 0 && rep->v[i].status == st) {
			if (n++ == 0 && text)
				*text = rep->v[i].text;
		}
	return n;
}

static void expect(const struct precheck_report *rep, const char *id,
                   enum precheck_status st, const char *part)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->v[i].id, id) == 0 && rep->v[i].status == st &&
		    (part == NULL || strstr(rep->v[i].text, part) ||
		     (rep->v[i].fix && strstr(rep->v[i].fix, part))))
			return;
	fail_msg("no %s item %s holding \"%s\"", precheck_status_name(st), id,
	         part ? part : "");
}

#define GTID_UUID "3e11fa47-71ca-11e1-9e33-c80aa9429562"

#define MYSQL_JOB                                                              \
	"name: j\n"                                                            \
	"source: {host: s, user: dm, password: Src-pw-1}\n"                    \
	"target: {hosts: [\"t:4000\"], user: root, password: Tgt-pw-1}\n"

#define TIDB_COLS                                                              \
	"shop\torders\tid\tbigint\tbigint(20)\tNO|"                            \
	"shop\torders\tv\tvarchar\tvarchar(20)\tYES"

static const struct answer tidb_ok[] = {
    {"SELECT VERSION()", "8.0.11-TiDB-v7.5.0", 0},
    {"SELECT tidb_version()",
     "Release Version: v7.5.0\nEdition: Community\nGit Commit Hash: x", 0},
    {"SELECT CURRENT_USER()", "root@%", 0},
    {"SHOW GRANTS",
     "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT "
     "OPTION",
     0},
    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME", TIDB_COLS, 0},
    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
     "shop\torders\tPRIMARY\tid\t0\tBTREE", 0},
    {NULL, NULL, 0},
};

/* MySQL 8.0 with GTIDs, a TiDB target: everything passes. */
static void test_mysql8_tidb_ok(void **state)
{
	static const struct answer src[] = {
	    {"SELECT @@version", "8.0.35", 0},
	    {"SELECT @@basedir", "/usr/", 0},
	    {"SELECT @@log_bin", "1", 0},
	    {"SELECT @@global.binlog_format", "ROW", 0},
	    {"SELECT @@global.binlog_row_image", "FULL", 0},
	    {"SELECT @@global.gtid_mode", "ON", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE",
	     "shop\torders\tInnoDB|crm\tpeople\tInnoDB", 0},
	    {"SELECT CURRENT_USER()", "dm@%", 0},
	    {"SHOW GRANTS",
	     "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "
	     "`dm`@`%`|GRANT BACKUP_ADMIN,BINLOG_ADMIN ON *.* TO `dm`@`%`",
	     0},
	    {"SELECT @@server_id", "1", 0},
	    {"SHOW REPLICAS", "5\thost5\t3306\t1\tuuid|6\t\t3306\t1\tuuid2", 0},
	    {"SELECT @@global.gtid_executed", GTID_UUID ":1-100", 0},
	    {"SELECT @@global.gtid_purged", GTID_UUID ":1-10", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME",
	     "shop\torders\tid\tint\tint\tNO|"
	     "shop\torders\tv\tvarchar\tvarchar(20)\tYES",
	     0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
	     "shop\torders\tPRIMARY\tid\t0\tBTREE", 0},
	    {NULL, NULL, 0},
	};
	struct precheck_report rep;
	const char *text = NULL;

	(void)state;
	run(MYSQL_JOB "start: {mode: gtid, gtid: \"" GTID_UUID ":1-50\"}\n"
	              "objects: {include: [\"shop.*\"]}\n",
	    src, tidb_ok, &rep);
	assert_int_equal(rep.n_failed, 0);
	assert_int_equal(rep.n_warning, 0);
	expect(&rep, "source.version", PRECHECK_PASS, "MySQL 8.0.35");
	expect(&rep, "source.gtid_mode", PRECHECK_PASS, "gtid_mode is ON");
	expect(&rep, "source.replica_id", PRECHECK_PASS, "4242 is free");
	expect(&rep, "source.start", PRECHECK_PASS, NULL);
	expect(&rep, "source.privileges", PRECHECK_PASS,
	       "REPLICATION SLAVE, REPLICATION CLIENT");
	assert_int_equal(find(&rep, "target.flavour", PRECHECK_PASS, &text), 1);
	assert_string_equal(text, "target t:4000 is TiDB v7.5.0");
	expect(&rep, "objects.selection", PRECHECK_PASS, "1 table");
	/* int on the source, bigint on the target: wider is fine */
	expect(&rep, "table.exists", PRECHECK_PASS, "(1)");
	precheck_report_deinit(&rep);
}

/* Aurora MySQL 5.7 where everything is wrong; a TiDB target that lacks
 * a table and privileges. */
static void test_aurora_everything_wrong(void **state)
{
	static const struct answer src[] = {
	    {"SELECT @@version", "5.7.12-log", 0},
	    {"SELECT @@aurora_version", "2.11.2", 0},
	    {"SELECT @@log_bin", "1", 0},
	    {"SELECT @@global.binlog_format", "MIXED", 0},
	    {"SELECT @@global.binlog_row_image", "MINIMAL", 0},
	    {"SELECT @@global.gtid_mode", "OFF_PERMISSIVE", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE",
	     "shop\torders\tInnoDB|shop\tplaces\tInnoDB|shop\tlog\tMyISAM", 0},
	    {"SELECT CURRENT_USER()", "dm@10.0.0.%", 0},
	    {"SHOW GRANTS",
	     "GRANT USAGE ON *.* TO 'dm'@'10.0.0.%' IDENTIFIED BY PASSWORD "
	     "'" HASH "'|GRANT SELECT ON `shop`.* TO 'dm'@'10.0.0.%'",
	     0},
	    {"SELECT @@server_id", "4242", 0},
	    {"SELECT @@global.gtid_executed", GTID_UUID ":1-100", 0},
	    {"SELECT @@global.gtid_purged", GTID_UUID ":1-10", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME",
	     "shop\tlog\tmsg\ttext\ttext\tYES|"
	     "shop\torders\tid\tbigint\tbigint(20)\tNO|"
	     "shop\torders\tv\tvarchar\tvarchar(20)\tYES|"
	     "shop\tplaces\tid\tint\tint(11)\tNO|"
	     "shop\tplaces\tat\tpoint\tpoint\tNO",
	     0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
	     "shop\torders\tPRIMARY\tid\t0\tBTREE|"
	     "shop\tplaces\tPRIMARY\tid\t0\tBTREE|"
	     "shop\tplaces\tsp\tat\t1\tSPATIAL",
	     0},
	    {NULL, NULL, 0},
	};
	static const struct answer tgt[] = {
	    {"SELECT VERSION()", "8.0.11-TiDB-v7.5.0", 0},
	    {"SELECT tidb_version()", "Release Version: v7.5.0", 0},
	    {"SELECT CURRENT_USER()", "u@%", 0},
	    {"SHOW GRANTS", "GRANT SELECT ON *.* TO 'u'@'%'", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME",
	     "shop\tlog\tmsg\ttext\ttext\tYES|" TIDB_COLS, 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
	     "shop\torders\tPRIMARY\tid\t0\tBTREE", 0},
	    {NULL, NULL, 0},
	};
	static const char *const failed[] = {
	    "source.binlog_format", "source.binlog_row_image",
	    "source.gtid_mode",     "source.privileges",
	    "source.replica_id",    "source.start",
	    "target.privileges",    "target.meta",
	    "table.exists",         "table.tidb",
	};
	struct precheck_report rep;

	(void)state;
	run(MYSQL_JOB "start: {mode: gtid, gtid: \"" GTID_UUID ":1-5\"}\n", src,
	    tgt, &rep);
	for (size_t i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		if (find(&rep, failed[i], PRECHECK_FAILED, NULL) != 1)
			fail_msg("expected one Failed %s", failed[i]);
	assert_int_equal(rep.n_failed, sizeof(failed) / sizeof(failed[0]));
	expect(&rep, "source.version", PRECHECK_PASS,
	       "MySQL 5.7.12-log (Amazon Aurora MySQL 2.11.2)");
	expect(&rep, "source.binlog_format", PRECHECK_FAILED,
	       "binlog_format is MIXED");
	expect(&rep, "source.gtid_mode", PRECHECK_FAILED, "parameter group");
	expect(&rep, "source.gtid_mode", PRECHECK_FAILED,
	       "docs/user-guide.md#enabling-gtid");
	expect(&rep, "source.privileges", PRECHECK_FAILED,
	       "lacks REPLICATION SLAVE, REPLICATION CLIENT");
	expect(&rep, "source.privileges", PRECHECK_FAILED,
	       "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO "
	       "'dm'@'10.0.0.%'");
	expect(&rep, "source.replica_id", PRECHECK_FAILED,
	       "the source's own server_id");
	expect(&rep, "source.start", PRECHECK_FAILED, GTID_UUID ":6-10");
	expect(&rep, "target.privileges", PRECHECK_FAILED,
	       "lacks INSERT, UPDATE, DELETE on `shop`");
	expect(&rep, "target.privileges", PRECHECK_WARNING,
	       "CREATE, ALTER, DROP, INDEX");
	expect(&rep, "target.meta", PRECHECK_FAILED, "`sluice_meta`");
	expect(&rep, "table.exists", PRECHECK_FAILED, "`shop`.`places`");
	expect(&rep, "table.tidb", PRECHECK_FAILED,
	       "`shop`.`places` column `at` is point");
	expect(&rep, "table.tidb", PRECHECK_WARNING, "index `sp` is SPATIAL");
	expect(&rep, "table.key", PRECHECK_WARNING,
	       "`shop`.`log` has no primary key nor NOT NULL unique key on "
	       "the source and the target");
	expect(&rep, "table.engine", PRECHECK_WARNING, "MyISAM");
	/* orders: int on one side, bigint on the other is fine; places is
	 * missing, so no "every table" line */
	assert_int_equal(find(&rep, "table.exists", PRECHECK_PASS, NULL), 0);
	precheck_report_deinit(&rep);
}

/* MariaDB 10.4 (REPLICATION CLIENT, not BINLOG MONITOR), grants by
 * database pattern, table, column and role; a position start. */
static void test_mariadb_grants_and_position(void **state)
{
	static const struct answer src[] = {
	    {"SELECT @@version", "10.4.32-MariaDB-log", 0},
	    {"SELECT @@basedir", "/rdsdbbin/mysql", 0},
	    {"SELECT @@log_bin", "1", 0},
	    {"SELECT @@global.binlog_format", "ROW", 0},
	    {"SELECT @@global.binlog_row_image", "FULL", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE",
	     "shop\titems\tInnoDB|shop\torders\tInnoDB|x\ty\tInnoDB|"
	     "x\tz\tInnoDB",
	     0},
	    {"SELECT CURRENT_USER()", "dm@%", 0},
	    {"SHOW GRANTS",
	     "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `dm`@`%` "
	     "IDENTIFIED BY PASSWORD '" HASH "'|"
	     "GRANT SELECT ON `sh\\_p`.* TO `dm`@`%`|"
	     "GRANT SELECT ON `s%`.* TO `dm`@`%`",
	     0},
	    {"SELECT @@server_id", "1", 0},
	    {"SHOW SLAVE HOSTS", "77\treplica1\t3306\t1", 0},
	    {"SHOW BINARY LOGS", "mysql-bin.000007\t1000|mysql-bin.000008\t500",
	     0},
	    {"SHOW BINLOG EVENTS IN 'mysql-bin.000008' FROM 120", NULL, 1220},
	    {"SHOW BINLOG EVENTS IN 'mysql-bin.000008' FROM 256",
	     "mysql-bin.000008\t256\tGtid\t1\t298\tBEGIN GTID 0-1-5", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME",
	     "shop\titems\tid\tint\tint(11)\tNO|"
	     "shop\titems\tu\tuuid\tuuid\tNO|"
	     "shop\torders\tid\tint\tint(11)\tNO",
	     0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
	     "shop\titems\tu\tu\t0\tBTREE|shop\torders\tPRIMARY\tid\t0\tBTREE",
	     0},
	    {NULL, NULL, 0},
	};
	static const struct answer tgt[] = {
	    {"SELECT VERSION()", "10.11.6-MariaDB", 0},
	    {"SELECT tidb_version()", NULL, 1305},
	    {"SELECT CURRENT_USER()", "w@%", 0},
	    {"SHOW GRANTS",
	     "GRANT USAGE ON *.* TO `w`@`%`|"
	     "GRANT INSERT, UPDATE, DELETE ON `shop`.`orders` TO `w`@`%`|"
	     "GRANT INSERT (`id`), UPDATE, DELETE ON `shop`.`items` TO `w`@`%`|"
	     "GRANT ALL PRIVILEGES ON `sluice\\_meta`.* TO `w`@`%`|"
	     "GRANT CREATE, ALTER, DROP, INDEX ON `shop`.* TO `w`@`%`",
	     0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME",
	     "shop\titems\tid\tbigint\tbigint(20)\tNO|"
	     "shop\titems\tu\tchar\tchar(36)\tNO|"
	     "shop\torders\tid\tvarchar\tvarchar(10)\tNO",
	     0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME",
	     "shop\titems\tu\tu\t0\tBTREE|shop\torders\tPRIMARY\tid\t0\tBTREE",
	     0},
	    {NULL, NULL, 0},
	};
	struct precheck_report rep;
	const char *text = NULL;

	(void)state;
	run("name: j\n"
	    "source: {host: s, user: dm, server-id: 77}\n"
	    "target: {hosts: [t], user: w}\n"
	    "start: {file: mysql-bin.000008, position: 120}\n"
	    "objects: {include: [\"shop.*\"]}\n",
	    src, tgt, &rep);
	expect(&rep, "source.version", PRECHECK_PASS,
	       "MariaDB 10.4.32-MariaDB-log (Amazon RDS)");
	expect(&rep, "source.gtid_mode", PRECHECK_PASS, "MariaDB");
	/* `sh\_p` does not match shop, `s%` does */
	expect(&rep, "source.privileges", PRECHECK_PASS,
	       "REPLICATION SLAVE, REPLICATION CLIENT and SELECT");
	expect(&rep, "source.replica_id", PRECHECK_WARNING,
	       "source.server-id 77 is already used by a replica of the "
	       "source (host replica1;");
	expect(&rep, "source.start", PRECHECK_FAILED,
	       "start.position 120 is not the start of an event in "
	       "mysql-bin.000008");
	/* INSERT on items is a column grant only */
	expect(&rep, "target.privileges", PRECHECK_FAILED,
	       "lacks INSERT on `shop`");
	expect(&rep, "target.meta", PRECHECK_PASS, NULL);
	expect(&rep, "target.flavour", PRECHECK_PASS, "is MariaDB 10.11.6");
	/* varchar on the target for an int column */
	expect(&rep, "table.columns", PRECHECK_FAILED,
	       "table `shop`.`orders` column 1 `id` is int(11) on the source, "
	       "varchar(10) on the target");
	/* a unique key on NOT NULL columns is a key; not TiDB: no uuid
	 * warning */
	expect(&rep, "table.key", PRECHECK_PASS, "(2)");
	assert_int_equal(find(&rep, "table.tidb", PRECHECK_WARNING, NULL), 0);
	assert_int_equal(rep.n_failed, 3);
	assert_int_equal(rep.n_warning, 1); /* the replica id in use */
	precheck_report_deinit(&rep);

	/* the same at an event, past the end, and in a purged file */
	run("name: j\nsource: {host: s, user: dm}\ntarget: {hosts: [t], "
	    "user: w}\nstart: {file: mysql-bin.000008, position: 256}\n",
	    src, tgt, &rep);
	expect(&rep, "source.start", PRECHECK_PASS, "mysql-bin.000008:256");
	/* every table of x lacks SELECT: x is named once */
	assert_int_equal(
	    find(&rep, "source.privileges", PRECHECK_FAILED, &text), 1);
	assert_string_equal(text, "source user dm@% lacks SELECT on `x`");
	expect(&rep, "source.privileges", PRECHECK_FAILED,
	       "run GRANT SELECT ON `x`.* TO 'dm'@'%' on the source");
	precheck_report_deinit(&rep);
	run("name: j\nsource: {host: s, user: dm}\ntarget: {hosts: [t], "
	    "user: w}\nstart: {file: mysql-bin.000008, position: 501}\n",
	    src, tgt, &rep);
	expect(&rep, "source.start", PRECHECK_FAILED,
	       "start.position 501 is past the end of mysql-bin.000008 (500 "
	       "bytes)");
	precheck_report_deinit(&rep);
	run("name: j\nsource: {host: s, user: dm}\ntarget: {hosts: [t], "
	    "user: w}\nstart: {file: mysql-bin.000003, position: 4}\n",
	    src, tgt, &rep);
	expect(&rep, "source.start", PRECHECK_FAILED,
	       "start.file mysql-bin.000003 is not on the source (binlogs are "
	       "mysql-bin.000007 to mysql-bin.000008): it was purged");
	precheck_report_deinit(&rep);
}

/* MariaDB GTID starts against the oldest binlog's GTID list; roles. */
static void test_mariadb_gtid(void **state)
{
	static const struct answer src[] = {
	    {"SELECT @@version", "10.11.6-MariaDB", 0},
	    {"SELECT @@log_bin", "ON", 0},
	    {"SELECT @@global.binlog_format", "ROW", 0},
	    {"SELECT @@global.binlog_row_image", "FULL", 0},
	    {"SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE", "", 0},
	    {"SELECT CURRENT_USER()", "dm@%", 0},
	    {"SHOW GRANTS",
	     "GRANT `repl` TO `dm`@`%`|GRANT SELECT ON *.* TO `dm`@`%`", 0},
	    {"SELECT @@server_id", "1", 0},
	    {"SHOW SLAVE HOSTS", NULL, 1227},
	    {"SELECT @@global.gtid_binlog_state", "0-1-100,1-2-7,1-3-9", 0},
	    {"SHOW BINARY LOGS", "b.000002\t900|b.000003\t100", 0},
	    {"SHOW BINLOG EVENTS IN 'b.000002'",
	     "b.000002\t4\tFormat_desc\t1\t256\tServer ver|"
	     "b.000002\t256\tGtid_list\t1\t299\t[0-1-40,1-2-3]",
	     0},
	    {NULL, NULL, 0},
	};
	static const struct {
		const char *gtid;
		enum precheck_status st;
		const char *part;
	} cases[] = {
	    {"0-1-40,1-2-3", PRECHECK_PASS, "nothing after it is purged"},
	    {"0-1-99,1-3-9", PRECHECK_PASS, NULL},
	    {"0-1-39,1-2-3", PRECHECK_FAILED,
	     "the oldest binlog starts after 0-1-40"},
	    {"0-1-50", PRECHECK_FAILED, "starts after 1-2-3"},
	    {"0-1-101,1-2-5", PRECHECK_FAILED, "never wrote (0-1-101)"},
	    {"0-1-50,1-2-5,2-1-1", PRECHECK_FAILED, "never wrote (2-1-1)"},
	    {GTID_UUID ":1-5", PRECHECK_FAILED,
	     "start.gtid is a MySQL GTID set but the source is MariaDB"},
	};
	struct precheck_report rep;
	char yaml[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(yaml, sizeof(yaml),
		         "name: j\nsource: {host: s, user: dm}\n"
		         "target: {hosts: [t], user: w}\n"
		         "start: {mode: gtid, gtid: \"%s\"}\n",
		         cases[i].gtid);
		run(yaml, src, NULL, &rep);
		expect(&rep, "source.start", cases[i].st, cases[i].part);
		/* a role may hold what SHOW GRANTS does not show */
		expect(&rep, "source.privileges", PRECHECK_WARNING,
		       "lacks REPLICATION SLAVE, BINLOG MONITOR (unless a "
		       "role grants it)");
		expect(&rep, "source.replica_id", PRECHECK_WARNING,
		       "REPLICATION MASTER ADMIN");
		expect(&rep, "target.connect", PRECHECK_FAILED,
		       "target t:4000: cannot connect: Can't connect");
		expect(&rep, "objects.selection", PRECHECK_WARNING,
		       "selects no table");
		assert_int_equal(
		    find(&rep, "target.flavour", PRECHECK_PASS, NULL), 0);
		precheck_report_deinit(&rep);
	}
}

/* An unreachable source: only the connection items, then the target. */
static void test_unreachable_source(void **state)
{
	struct precheck_report rep;

	(void)state;
	run(MYSQL_JOB, NULL, tidb_ok, &rep);
	expect(&rep, "source.connect", PRECHECK_FAILED,
	       "source s:3306: cannot connect: Access denied");
	expect(&rep, "target.connect", PRECHECK_PASS,
	       "target t:4000: connected as root");
	expect(&rep, "target.flavour", PRECHECK_PASS, "TiDB");
	for (size_t i = 0; i < rep.n; i++)
		assert_true(strncmp(rep.v[i].id, "source.", 7) != 0 ||
		            strcmp(rep.v[i].id, "source.connect") == 0);
	assert_int_equal(rep.n_failed, 1);
	precheck_report_deinit(&rep);
}

/* The printed lines: tag padded to 10 columns, text, ": fix". */
static void test_print(void **state)
{
	struct precheck_report rep;
	char buf[4096];
	size_t n;
	FILE *f;

	(void)state;
	run(MYSQL_JOB, NULL, NULL, &rep);
	f = tmpfile();
	assert_non_null(f);
	precheck_report_print(&rep, f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(
	    buf,
	    "[Failed]  source s:3306: cannot connect: Access denied for "
	    "user 'dm'@'x': check source.host, port, user, password and "
	    "tls in the job file, and that the server accepts this client "
	    "(docs/user-guide.md#connecting-to-source-and-target)\n"
	    "[Failed]  target t:4000: cannot connect: Can't connect: check "
	    "target.hosts, user, password and tls in the job file "
	    "(docs/user-guide.md#connecting-to-source-and-target)\n"
	    "precheck: 0 passed, 0 warnings, 2 failed\n");
	precheck_report_deinit(&rep);
}

/* GitHub's anchor of a heading: lower case, punctuation dropped, spaces
 * to '-'. */
static void slug(const char *h, char *out, size_t len)
{
	size_t k = 0;

	for (; *h && *h != '\n' && k + 1 < len; h++) {
		unsigned char c = (unsigned char)*h;

		if (isalnum(c) || c == '_' || c == '-')
			out[k++] = (char)tolower(c);
		else if (c == ' ')
			out[k++] = '-';
	}
	out[k] = '\0';
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Every DOC("anchor") of apply/precheck.c is a heading of the guide. */
static void test_docs_anchors(void **state)
{
	char root[1024], path[1100], anchors[8192] = " ";
	char *src, *guide;
	const char *p;
	size_t n_doc = 0, k = 1;

	(void)state;
	snprintf(root, sizeof(root), "%s", __FILE__);
	*strstr(root, "tests/unit/test_precheck.c") = '\0';
	snprintf(path, sizeof(path), "%sdocs/user-guide.md", root);
	guide = slurp(path);
	for (p = guide; p; p = strchr(p, '\n')) {
		char a[200];

		p += *p == '\n';
		if (*p != '#')
			continue;
		while (*p == '#')
			p++;
		slug(p + 1, a, sizeof(a));
		k += (size_t)snprintf(anchors + k, sizeof(anchors) - k, "%s ",
		                      a);
		assert_true(k < sizeof(anchors));
	}
	snprintf(path, sizeof(path), "%sapply/precheck.c", root);
	src = slurp(path);
	for (p = strstr(src, "DOC("); p; p = strstr(p + 1, "DOC(")) {
		const char *q = strchr(p, '"');
		char want[200];

		if (strncmp(p, "DOC(anchor)", 11) == 0)
			continue; /* the macro itself */
		assert_non_null(q);
		snprintf(want, sizeof(want), " %.*s ",
		         (int)strcspn(q + 1, "\""), q + 1);
		if (strstr(anchors, want) == NULL)
			fail_msg("docs/user-guide.md has no heading for #%s",
			         want + 1);
		n_doc++;
	}
	assert_true(n_doc > 15);
	free(src);
	free(guide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mysql8_tidb_ok),
	    cmocka_unit_test(test_aurora_everything_wrong),
	    cmocka_unit_test(test_mariadb_grants_and_position),
	    cmocka_unit_test(test_mariadb_gtid),
	    cmocka_unit_test(test_unreachable_source),
	    cmocka_unit_test(test_print),
	    cmocka_unit_test(test_docs_anchors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_config.c: the job file parser (core/config.c).
 * Every rule of DESIGN.md section 5 and docs/configuration.md: defaults,
 * the full example, ${VAR} expansion, each kind of mistake with its exact
 * line:column, several mistakes at once in file order, YAML syntax errors,
 * the YAML written back (secrets masked, parses to the same config),
 * loading from files (relative TLS paths, unreadable files), allocation
 * failures.  The rule tests parse through one helper that checks that no
 * message and no formatted output holds any of the secrets used here, and
 * that the messages come sorted by place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/err.h"
#include "core/gtid.h"
#include "core/mem.h"
#include "core/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Distinctive secrets: none may show up in any message or output. */
#define SRC_PW "Src-Hunter2-pw"
#define TGT_PW "Tgt-Swordfish-pw"
#define TOKEN  "Http-T0ken-xyzzy"
#define ENV_PW "Env-Correct-Horse-pw"

static const char *const secrets[] = {
    SRC_PW, TGT_PW, TOKEN, ENV_PW, "Hunter2", "Swordfish", "T0ken", "Horse",
};

#define SOURCE_OK                                                              \
	"source:\n"                                                            \
	"  host: 10.0.0.5\n"                                                   \
	"  user: dm_user\n"                                                    \
	"  password: " SRC_PW "\n"
#define TARGET_OK                                                              \
	"target:\n"                                                            \
	"  hosts: [\"127.0.0.1:4000\"]\n"                                      \
	"  user: root\n"                                                       \
	"  password: " TGT_PW "\n"
/* Lines 1-9: a valid job; tests append their keys from line 10 on. */
#define BASE "name: orders\n" SOURCE_OK TARGET_OK

/* Helpers */

static void assert_no_secret(const char *text)
{
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(text, secrets[i]) != NULL)
			fail_msg("secret \"%s\" leaked in: %s", secrets[i],
			         text);
}

static void check_format(const struct job_config *c)
{
	struct sbuf b;

	sbuf_init(&b);
	job_config_format(c, &b);
	assert_true(sbuf_ok(&b));
	assert_no_secret(sbuf_cstr(&b));
	sbuf_deinit(&b);
}

/* Parses text as "job.yaml"; checks every message for secrets and that
 * the messages are sorted by place. */
static int parse(const char *text, struct job_config **out,
                 struct job_config_errors *errs)
{
	int rc;

	job_config_errors_init(errs);
	rc = job_config_parse("job.yaml", text, strlen(text), out, errs);
	assert_true(rc >= 0 || rc == SL_ENOMEM);
	if (rc > 0)
		assert_int_equal((size_t)rc, errs->n);
	if (rc != 0)
		assert_null(*out);
	for (size_t i = 0; i < errs->n; i++) {
		assert_no_secret(errs->v[i].msg);
		assert_null(strchr(errs->v[i].msg, '\n'));
		if (i > 0)
			assert_true(
			    errs->v[i - 1].line < errs->v[i].line ||
			    (errs->v[i - 1].line == errs->v[i].line &&
			     errs->v[i - 1].column <= errs->v[i].column));
	}
	if (*out != NULL)
		check_format(*out);
	return rc;
}

static void dump_errors(const struct job_config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		print_message("  %s\n", errs->v[i].msg);
}

static struct job_config *parse_ok(const char *text)
{
	struct job_config_errors errs;
	struct job_config *c;
	int rc = parse(text, &c, &errs);

	if (rc != 0) {
		dump_errors(&errs);
		fail_msg("expected a valid job, got %d mistakes", rc);
	}
	job_config_errors_deinit(&errs);
	return c;
}

/* Expects exactly one mistake, equal to want (the whole line). */
static void expect1(const char *text, const char *want)
{
	struct job_config_errors errs;
	struct job_config *c;
	int rc = parse(text, &c, &errs);

	if (rc != 1 || strcmp(errs.v[0].msg, want) != 0) {
		dump_errors(&errs);
		fail_msg("expected exactly: %s", want);
	}
	job_config_errors_deinit(&errs);
}

/* Expects a mistake at line:col holding `part` (among maybe others). */
static void expect_has(const char *text, unsigned line, unsigned col,
                       const char *part)
{
	struct job_config_errors errs;
	struct job_config *c;
	char prefix[64];
	int rc = parse(text, &c, &errs);

	snprintf(prefix, sizeof(prefix), "job.yaml:%u:%u: ", line, col);
	assert_true(rc > 0);
	for (size_t i = 0; i < errs.n; i++) {
		if (errs.v[i].line == line && errs.v[i].column == col &&
		    strncmp(errs.v[i].msg, prefix, strlen(prefix)) == 0 &&
		    strstr(errs.v[i].msg, part) != NULL) {
			job_config_errors_deinit(&errs);
			return;
		}
	}
	dump_errors(&errs);
	fail_msg("no mistake at %u:%u holding: %s", line, col, part);
}

static char *format(const struct job_config *c)
{
	struct sbuf b;
	char *s;

	sbuf_init(&b);
	job_config_format(c, &b);
	assert_true(sbuf_ok(&b));
	s = strdup(sbuf_cstr(&b));
	sbuf_deinit(&b);
	return s;
}

/* Defaults and the full example */

static void test_defaults(void **state)
{
	struct job_config *c = parse_ok("name: orders\n"
	                                "source:\n"
	                                "  host: db1\n"
	                                "  user: u\n"
	                                "target:\n"
	                                "  hosts: [tidb1, \"tidb2:4001\"]\n"
	                                "  user: root\n");

	assert_string_equal(c->file, "job.yaml");
	assert_string_equal(c->name, "orders");
	assert_string_equal(c->source.host, "db1");
	assert_int_equal(c->source.port, 3306);
	assert_string_equal(c->source.user, "u");
	assert_null(c->source.password);
	assert_int_equal(c->source.server_id, 0);
	assert_int_equal(c->source.tls.mode, CONFIG_TLS_PREFERRED);
	assert_null(c->source.tls.ca);
	assert_null(c->source.tls.cert);
	assert_null(c->source.tls.key);
	assert_int_equal(c->target.n_hosts, 2);
	assert_string_equal(c->target.hosts[0].host, "tidb1");
	assert_int_equal(c->target.hosts[0].port, 4000);
	assert_string_equal(c->target.hosts[1].host, "tidb2");
	assert_int_equal(c->target.hosts[1].port, 4001);
	assert_null(c->target.password);
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_PREFERRED);
	assert_int_equal(c->start.mode, CONFIG_START_NOW);
	assert_null(c->start.gtid);
	assert_null(c->start.gtid_set);
	assert_null(c->start.file);
	assert_int_equal(c->start.position, 0);
	assert_int_equal(c->objects.n_include, 0);
	assert_int_equal(c->objects.n_exclude, 0);
	assert_string_equal(c->spec.tier, "4rcu");
	assert_int_equal(c->spec.workers, 8);
	assert_int_equal(c->spec.batch, 256);
	assert_int_equal(c->on_conflict, CONFIG_CONFLICT_FAIL);
	assert_int_equal(c->on_missing_row, CONFIG_MISSING_FAIL);
	assert_string_equal(c->meta_database, "sluice_meta");
	assert_string_equal(c->http.addr.host, "127.0.0.1");
	assert_int_equal(c->http.addr.port, 8250);
	assert_null(c->http.token);
	job_config_free(c);
	job_config_free(NULL);
}

/* DESIGN.md section 5, with the commented start keys used. */
static const char design_example[] =
    "name: orders-incremental        # starts with a letter\n"
    "source:\n"
    "  host: 10.0.0.5\n"
    "  port: 3306\n"
    "  user: dm_user\n"
    "  password: ${SL_TEST_SOURCE_PASSWORD}\n"
    "  server-id: 4242\n"
    "  tls:\n"
    "    mode: verify-ca\n"
    "    ca: ca.pem\n"
    "    cert: client-cert.pem\n"
    "    key: client-key.pem\n"
    "target:\n"
    "  hosts: [\"127.0.0.1:4000\"]\n"
    "  user: root\n"
    "  password: ${SL_TEST_TARGET_PASSWORD}\n"
    "  tls: { mode: preferred }\n"
    "start:\n"
    "  mode: gtid\n"
    "  gtid: \"3E11FA47-71CA-11E1-9E33-C80AA9429562:1-23\"\n"
    "objects:\n"
    "  include: [\"shop.*\", \"crm.customers\"]\n"
    "  exclude: [\"shop.tmp_*\"]\n"
    "spec: 4rcu\n"
    "on-conflict: replace\n"
    "on-missing-row: warn\n"
    "meta-database: sluice_meta\n"
    "http:\n"
    "  addr: 0.0.0.0:9000\n"
    "  token: " TOKEN "\n";

static void set_env(void)
{
	setenv("SL_TEST_SOURCE_PASSWORD", ENV_PW, 1);
	setenv("SL_TEST_TARGET_PASSWORD", TGT_PW, 1);
}

static void test_design_example(void **state)
{
	struct job_config *c;

	set_env();
	c = parse_ok(design_example);
	assert_string_equal(c->name, "orders-incremental");
	assert_string_equal(c->source.host, "10.0.0.5");
	assert_int_equal(c->source.port, 3306);
	assert_string_equal(c->source.password, ENV_PW);
	assert_int_equal(c->source.server_id, 4242);
	assert_int_equal(c->source.tls.mode, CONFIG_TLS_VERIFY_CA);
	assert_string_equal(c->source.tls.ca, "ca.pem");
	assert_string_equal(c->source.tls.cert, "client-cert.pem");
	assert_string_equal(c->source.tls.key, "client-key.pem");
	assert_string_equal(c->target.password, TGT_PW);
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_PREFERRED);
	assert_int_equal(c->start.mode, CONFIG_START_GTID);
	assert_string_equal(c->start.gtid,
	                    "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-23");
	assert_non_null(c->start.gtid_set);
	assert_int_equal(gtid_set_flavour(c->start.gtid_set), GTID_MYSQL);
	assert_int_equal(c->objects.n_include, 2);
	assert_string_equal(c->objects.include[0], "shop.*");
	assert_string_equal(c->objects.include[1], "crm.customers");
	assert_int_equal(c->objects.n_exclude, 1);
	assert_string_equal(c->objects.exclude[0], "shop.tmp_*");
	assert_string_equal(c->spec.tier, "4rcu");
	assert_int_equal(c->on_conflict, CONFIG_CONFLICT_REPLACE);
	assert_int_equal(c->on_missing_row, CONFIG_MISSING_WARN);
	assert_string_equal(c->http.addr.host, "0.0.0.0");
	assert_int_equal(c->http.addr.port, 9000);
	assert_string_equal(c->http.token, TOKEN);
	job_config_free(c);
}

/* ${VAR} */

static void test_env_expansion(void **state)
{
	struct job_config *c;

	set_env();
	setenv("SL_TEST_HOST", "db.example.com", 1);
	setenv("SL_TEST_PORT", "3307", 1);
	setenv("SL_TEST_DB", "shop", 1);
	setenv("SL_TEST_EMPTY", "", 1);
	/* A variable's value is text, never YAML. */
	setenv("SL_TEST_YAMLISH", "a: b # [c]", 1);
	c = parse_ok("name: orders\n"
	             "source:\n"
	             "  host: ${SL_TEST_HOST}\n"
	             "  port: ${SL_TEST_PORT}\n"
	             "  user: \"${SL_TEST_YAMLISH}\"\n"
	             "  password: pre-${SL_TEST_SOURCE_PASSWORD}-$${NOT_A_VAR}"
	             "-$HOME-$$-${SL_TEST_EMPTY}-$\n" TARGET_OK "objects:\n"
	             "  include: [\"${SL_TEST_DB}.*\"]\n");
	assert_string_equal(c->source.host, "db.example.com");
	assert_int_equal(c->source.port, 3307);
	assert_string_equal(c->source.user, "a: b # [c]");
	assert_string_equal(c->source.password,
	                    "pre-" ENV_PW "-${NOT_A_VAR}-$HOME-$$--$");
	assert_string_equal(c->objects.include[0], "shop.*");
	job_config_free(c);

	/* Unset: the variable, the key and the place of "${". */
	unsetenv("SL_TEST_UNSET");
	expect1(BASE "meta-database: x_${SL_TEST_UNSET}\n",
	        "job.yaml:10:18: meta-database: environment variable "
	        "SL_TEST_UNSET is not set");
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  password: \"" SRC_PW "${SL_TEST_UNSET}\"\n" TARGET_OK,
	        "job.yaml:5:28: source.password: environment variable "
	        "SL_TEST_UNSET is not set");
	/* Escapes in the scalar: the place falls back to the scalar's. */
	expect1(BASE "meta-database: \"\\x41${SL_TEST_UNSET}\"\n",
	        "job.yaml:10:16: meta-database: environment variable "
	        "SL_TEST_UNSET is not set");
	expect_has(BASE "objects:\n  include: [\"${SL_TEST_UNSET}.t\"]\n", 11,
	           14,
	           "objects.include[0]: environment variable SL_TEST_UNSET "
	           "is not set");
	expect_has(BASE "meta-database: a${SL_TEST_DB\n", 10, 17,
	           "meta-database: \"${\" has no closing \"}\"");
	expect_has(BASE "meta-database: a${9x}\n", 10, 17,
	           "must hold an environment variable name");
	expect_has(BASE "meta-database: a${}\n", 10, 17,
	           "must hold an environment variable name");
}

/* Values */

static void test_name(void **state)
{
	char text[512];
	char name[80];

	expect1("name: 9orders\n" SOURCE_OK TARGET_OK,
	        "job.yaml:1:7: name \"9orders\" must start with a letter, be "
	        "under 60 characters and use only letters, digits, '_' and "
	        "'-'");
	expect_has("name: \"ord ers\"\n" SOURCE_OK TARGET_OK, 1, 7,
	           "name \"ord ers\" must start with a letter");
	expect_has("name: \"\"\n" SOURCE_OK TARGET_OK, 1, 7,
	           "name \"\" must start");
	expect_has("name: [a]\n" SOURCE_OK TARGET_OK, 1, 7,
	           "name must be a name, not a list");

	/* 59 characters pass, 60 do not. */
	memset(name, 'a', 59);
	name[59] = '\0';
	snprintf(text, sizeof(text), "name: %s\n" SOURCE_OK TARGET_OK, name);
	job_config_free(parse_ok(text));
	strcat(name, "b");
	snprintf(text, sizeof(text), "name: %s\n" SOURCE_OK TARGET_OK, name);
	expect_has(text, 1, 7, "be under 60 characters");

	{
		struct job_config *c =
		    parse_ok("name: A_b-9\n" SOURCE_OK TARGET_OK);

		assert_string_equal(c->name, "A_b-9");
		job_config_free(c);
	}
}

static void test_missing_keys(void **state)
{
	expect1("name: orders\n"
	        "source:\n"
	        "  user: u\n"
	        "  password: " SRC_PW "\n" TARGET_OK,
	        "job.yaml:3:3: source.host is missing");
	expect1("name: orders\n"
	        "source:\n"
	        "  host:\n"
	        "  user: u\n" TARGET_OK,
	        "job.yaml:3:3: source.host has no value");
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n" TARGET_OK,
	        "job.yaml:3:3: source.user is missing");
	expect1("name: orders\n" SOURCE_OK, "job.yaml:1:1: target is missing");
	expect1(SOURCE_OK TARGET_OK, "job.yaml:1:1: name is missing");
	expect1("name: orders\n" TARGET_OK, "job.yaml:1:1: source is missing");
	expect1("name: orders\n" SOURCE_OK "target:\n  user: root\n",
	        "job.yaml:7:3: target.hosts is missing");
	expect1("name: orders\n" SOURCE_OK "target:\n  hosts: []\n  user: r\n",
	        "job.yaml:7:10: target.hosts is an empty list");
	expect1("name: orders\nsource: ~\n" TARGET_OK,
	        "job.yaml:2:1: source has no value");
}

static void test_unknown_keys(void **state)
{
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  pasword: " SRC_PW "\n" TARGET_OK,
	        "job.yaml:5:3: unknown key \"pasword\" in source; did you "
	        "mean \"password\"?");
	expect1(BASE "nmae: x\n",
	        "job.yaml:10:1: unknown key \"nmae\"; did you mean \"name\"?");
	expect_has(
	    BASE "on_conflict: fail\n", 10, 1,
	    "unknown key \"on_conflict\"; did you mean \"on-conflict\"?");
	expect_has("name: orders\n" SOURCE_OK
	           "target:\n  host: tidb\n  hosts: [tidb]\n  user: r\n",
	           7, 3,
	           "unknown key \"host\" in target; did you mean \"hosts\"?");
	expect_has("name: orders\n"
	           "source:\n"
	           "  host: h\n"
	           "  user: u\n"
	           "  server_id: 7\n" TARGET_OK,
	           5, 3, "did you mean \"server-id\"?");
	expect1(BASE "colour: blue\n",
	        "job.yaml:10:1: unknown key \"colour\" (known keys: name, "
	        "source, target, start, objects, spec, workers, batch, "
	        "on-conflict, on-missing-row, meta-database, http)");
	expect_has(BASE "http: {adr: \"1.2.3.4:80\"}\n", 10, 8,
	           "unknown key \"adr\" in http; did you mean \"addr\"?");
	expect_has(BASE "start: {mode: gtid, gtdi: x}\n", 10, 21,
	           "unknown key \"gtdi\" in start; did you mean \"gtid\"?");
	expect_has(BASE "[a]: b\n", 10, 1, "keys must be names, not a list");
}

static void test_duplicates(void **state)
{
	expect1("name: orders\n" SOURCE_OK TARGET_OK "name: again\n",
	        "job.yaml:10:1: name is given twice (first at 1:1)");
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  password: " SRC_PW "\n"
	        "  password: " SRC_PW "x\n" TARGET_OK,
	        "job.yaml:6:3: source.password is given twice (first at 5:3)");
}

static void test_types(void **state)
{
	expect1("name: orders\n"
	        "source:\n"
	        "  host: [a, b]\n"
	        "  user: u\n" TARGET_OK,
	        "job.yaml:3:9: source.host must be a host name, not a list");
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  password: [" SRC_PW "]\n" TARGET_OK,
	        "job.yaml:5:13: source.password must be text, not a list");
	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  password: {" SRC_PW ": 1}\n" TARGET_OK,
	        "job.yaml:5:13: source.password must be text, not a mapping");
	expect1("name: orders\nsource: db1\n" TARGET_OK,
	        "job.yaml:2:9: source must be a mapping (keys host, port, "
	        "user, password, server-id, tls), not a single value");
	expect_has("name: orders\n" SOURCE_OK
	           "target:\n  hosts: tidb:4000\n  user: r\n",
	           7, 10,
	           "target.hosts must be a list of \"host:port\" addresses, "
	           "not a single value");
	expect_has(BASE "objects:\n  include: shop.*\n", 11, 12,
	           "objects.include must be a list of \"database.table\" "
	           "patterns, not a single value");
	expect_has(BASE "objects: [shop.*]\n", 10, 10,
	           "objects must be a mapping (keys include, exclude), not a "
	           "list");
	expect_has(BASE "on-conflict: [fail]\n", 10, 14,
	           "on-conflict must be one of fail, replace, not a list");
	expect_has(BASE "workers: {n: 1}\n", 10, 10,
	           "workers must be a number, not a mapping");
	expect1("- name: orders\n",
	        "job.yaml:1:1: the job file must be a mapping of keys (name, "
	        "source, target, ...), not a list");
	expect_has(BASE "http: [a]\n", 10, 7, "http must be a mapping");
	expect_has(BASE "start: now\n", 10, 8, "start must be a mapping");
}

static void test_ports_and_hosts(void **state)
{
	struct job_config *c;

	expect1("name: orders\n"
	        "source:\n"
	        "  host: h\n"
	        "  port: 65536\n"
	        "  user: u\n" TARGET_OK,
	        "job.yaml:4:9: source.port \"65536\" must be a whole number "
	        "from 1 to 65535");
	expect_has(
	    "name: o\nsource:\n  host: h\n  port: 0\n  user: u\n" TARGET_OK, 4,
	    9, "from 1 to 65535");
	expect_has(
	    "name: o\nsource:\n  host: h\n  port: -1\n  user: u\n" TARGET_OK, 4,
	    9, "source.port \"-1\" must be a whole number");
	expect_has(
	    "name: o\nsource:\n  host: h\n  port: 33o6\n  user: u\n" TARGET_OK,
	    4, 9, "source.port \"33o6\"");
	expect_has("name: o\nsource:\n  host: h\n  port: 3306.0\n  user: "
	           "u\n" TARGET_OK,
	           4, 9, "source.port \"3306.0\"");
	expect_has(
	    "name: o\nsource:\n  host: h\n  port: 99999999999999999999999\n"
	    "  user: u\n" TARGET_OK,
	    4, 9, "from 1 to 65535");
	expect_has(
	    "name: o\nsource:\n  host: \"h:3306\"\n  user: u\n" TARGET_OK, 3, 9,
	    "source.host \"h:3306\" must not hold the port (put it in "
	    "source.port)");
	expect_has("name: o\nsource:\n  host: \"a b\"\n  user: u\n" TARGET_OK,
	           3, 9, "has a space or control character");
	expect_has("name: o\nsource:\n  host: h\n  server-id: 4294967296\n"
	           "  user: u\n" TARGET_OK,
	           4, 14, "from 0 to 4294967295");
	expect_has("name: o\n" SOURCE_OK
	           "target:\n  hosts: [\"t:99999\", \"t:\", \"[::1\"]\n"
	           "  user: r\n",
	           7, 11,
	           "target.hosts[0] \"t:99999\" has a port that is not a "
	           "number from 1 to 65535");
	expect_has("name: o\n" SOURCE_OK
	           "target:\n  hosts: [\"t:99999\", \"t:\", \"[::1\"]\n"
	           "  user: r\n",
	           7, 22, "target.hosts[1] \"t:\" has a port");
	expect_has("name: o\n" SOURCE_OK
	           "target:\n  hosts: [\"t:99999\", \"t:\", \"[::1\"]\n"
	           "  user: r\n",
	           7, 28, "target.hosts[2] \"[::1\" has '[' without ']'");
	expect_has("name: o\n" SOURCE_OK
	           "target:\n  hosts: [a, \"a:4000\"]\n  user: r\n",
	           7, 14, "target.hosts[1] \"a:4000\" is listed twice");
	expect_has("name: o\n" SOURCE_OK
	           "target:\n  hosts: [a, ~]\n  user: r\n",
	           7, 14, "target.hosts[1] is empty");
	expect_has(BASE "http: {addr: \"127.0.0.1\"}\n", 10, 14,
	           "http.addr \"127.0.0.1\" has no port (write HOST:PORT)");

	/* IPv6, brackets, default ports. */
	c = parse_ok("name: o\n"
	             "source:\n  host: \"[fe80::1]\"\n  port: 3307\n  user: u\n"
	             "target:\n"
	             "  hosts: [\"[::1]:4001\", \"::1\", \"[2001:db8::2]\"]\n"
	             "  user: r\n"
	             "http: {addr: \"[::1]:8000\"}\n");
	assert_string_equal(c->source.host, "fe80::1");
	assert_int_equal(c->source.port, 3307);
	assert_int_equal(c->target.n_hosts, 3);
	assert_string_equal(c->target.hosts[0].host, "::1");
	assert_int_equal(c->target.hosts[0].port, 4001);
	assert_string_equal(c->target.hosts[1].host, "::1");
	assert_int_equal(c->target.hosts[1].port, 4000);
	assert_string_equal(c->target.hosts[2].host, "2001:db8::2");
	assert_int_equal(c->target.hosts[2].port, 4000);
	assert_string_equal(c->http.addr.host, "::1");
	assert_int_equal(c->http.addr.port, 8000);
	job_config_free(c);
}

static void test_start(void **state)
{
	struct job_config *c;
	struct sbuf b;

	expect1(BASE "start:\n  mode: gtid\n",
	        "job.yaml:11:9: start.mode gtid needs start.gtid (the GTID set "
	        "already applied to the target)");
	expect1(BASE "start:\n  mode: position\n",
	        "job.yaml:11:9: start.mode position needs start.file and "
	        "start.position (both are missing)");
	expect1(BASE "start:\n  mode: position\n  file: binlog.000001\n",
	        "job.yaml:11:9: start.mode position needs start.file and "
	        "start.position (start.position is missing)");
	expect1(BASE "start:\n  position: 1307\n",
	        "job.yaml:11:3: start.mode position needs start.file and "
	        "start.position (start.file is missing)");
	expect1(BASE "start:\n  mode: now\n  gtid: \"0-1-5\"\n",
	        "job.yaml:12:3: start.gtid is only read when start.mode is "
	        "gtid (it is now)");
	expect1(BASE "start:\n  mode: gtid\n  gtid: 0-1-5\n  position: 4\n",
	        "job.yaml:13:3: start.position is only read when start.mode "
	        "is position (it is gtid)");
	expect1(BASE "start:\n  gtid: 0-1-5\n  file: binlog.000001\n",
	        "job.yaml:11:3: start.gtid and start.file are both given; set "
	        "start.mode to gtid or position");
	expect1(BASE "start:\n  mode: later\n",
	        "job.yaml:11:9: start.mode \"later\" is not one of: now, gtid, "
	        "position");
	expect1(
	    BASE "start:\n  mode: position\n  file: binlog\n  position: 4\n",
	    "job.yaml:12:9: start.file \"binlog\" is not a binlog file name "
	    "(BASENAME.NNNNNN, like binlog.000001)");
	expect_has(BASE "start:\n  file: /var/lib/mysql/binlog.000001\n"
	                "  position: 4\n",
	           11, 9, "must be a binlog file name without a folder");
	expect1(BASE "start:\n  file: binlog.000001\n  position: 3\n",
	        "job.yaml:12:13: start.position \"3\" must be a whole number "
	        "of at least 4");
	/* A malformed set: gtid_set_parse's own message follows the key. */
	expect1(BASE "start:\n  mode: gtid\n  gtid: \"3E11FA47:1-x\"\n",
	        "job.yaml:12:9: start.gtid: gtid set \"3E11FA47:1-x\": at "
	        "character 8: malformed UUID");
	expect_has(BASE "start:\n  mode: gtid\n  gtid: \"0-1-5,abc\"\n", 12, 9,
	           "start.gtid: gtid set \"0-1-5,abc\": at character");
	expect1(BASE "start:\n  mode: gtid\n  gtid: \" \"\n",
	        "job.yaml:12:9: start.gtid is empty (give the GTID set already "
	        "applied to the target)");

	/* An empty key still says which mode is meant. */
	expect1(BASE "start:\n  file:\n",
	        "job.yaml:11:3: start.mode position needs start.file and "
	        "start.position (both are missing)");
	expect1(BASE "start:\n  gtid: ~\n",
	        "job.yaml:11:3: start.mode gtid needs start.gtid (the GTID set "
	        "already applied to the target)");

	/* Modes, including the inferred ones. */
	c = parse_ok(BASE "start:\n  file: mysql-bin-changelog.000123\n"
	                  "  position: 1307\n");
	assert_int_equal(c->start.mode, CONFIG_START_POSITION);
	assert_string_equal(c->start.file, "mysql-bin-changelog.000123");
	assert_int_equal(c->start.position, 1307);
	job_config_free(c);

	c = parse_ok(BASE "start:\n  gtid: \"0-1-100,1-2-5\"\n");
	assert_int_equal(c->start.mode, CONFIG_START_GTID);
	assert_int_equal(gtid_set_flavour(c->start.gtid_set), GTID_MARIADB);
	job_config_free(c);

	c = parse_ok(BASE "start:\n  mode: GTID\n  gtid: >-\n"
	                  "    3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n"
	                  "    3e11fa47-71ca-11e1-9e33-c80aa9429562:6-9\n");
	sbuf_init(&b);
	gtid_set_format(c->start.gtid_set, &b);
	assert_string_equal(sbuf_cstr(&b),
	                    "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9");
	sbuf_deinit(&b);
	job_config_free(c);

	c = parse_ok(BASE "start: {mode: now}\n");
	assert_int_equal(c->start.mode, CONFIG_START_NOW);
	job_config_free(c);
}

static void test_tls(void **state)
{
	struct job_config *c;

	expect1(BASE "  tls:\n    key: k.pem\n",
	        "job.yaml:11:5: target.tls.key is given without "
	        "target.tls.cert (a client key needs its certificate)");
	expect1(BASE "  tls:\n    cert: c.pem\n",
	        "job.yaml:11:5: target.tls.cert is given without "
	        "target.tls.key (a client certificate needs its key)");
	expect1(BASE "  tls: {mode: verify-identity}\n",
	        "job.yaml:10:15: target.tls.mode verify-identity needs "
	        "target.tls.ca (the CA certificate that signed the server's "
	        "certificate)");
	expect1("name: o\n"
	        "source:\n"
	        "  host: h\n"
	        "  user: u\n"
	        "  tls:\n"
	        "    mode: verify-ca\n"
	        "    cert: c.pem\n"
	        "    key: k.pem\n" TARGET_OK,
	        "job.yaml:6:11: source.tls.mode verify-ca needs source.tls.ca "
	        "(the CA certificate that signed the server's certificate)");
	expect1(BASE "  tls: {mode: disabled, ca: ca.pem}\n",
	        "job.yaml:10:25: target.tls.ca is given, but target.tls.mode "
	        "is disabled (no TLS)");
	expect1(BASE "  tls: {mode: strict}\n",
	        "job.yaml:10:15: target.tls.mode \"strict\" is not one of: "
	        "disabled, preferred, required, verify-ca, verify-identity");
	expect1(BASE "  tls: yes\n",
	        "job.yaml:10:8: target.tls must be a mapping (keys mode, ca, "
	        "cert, key), not a single value");
	expect1(BASE "  tls: {ca: \"\"}\n",
	        "job.yaml:10:13: target.tls.ca is empty");

	/* A CA alone means verify-ca; MySQL spellings are accepted. */
	c = parse_ok(BASE "  tls: {ca: ca.pem, cert: c.pem, key: k.pem}\n");
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_VERIFY_CA);
	job_config_free(c);
	c = parse_ok(BASE "  tls: {mode: VERIFY_IDENTITY, ca: ca.pem}\n");
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_VERIFY_IDENTITY);
	job_config_free(c);
	c = parse_ok(BASE "  tls: {mode: required}\n");
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_REQUIRED);
	assert_null(c->target.tls.ca);
	job_config_free(c);
	c = parse_ok(BASE "  tls: {mode: disabled}\n");
	assert_int_equal(c->target.tls.mode, CONFIG_TLS_DISABLED);
	job_config_free(c);
}

static void test_spec(void **state)
{
	static const struct {
		const char *name;
		unsigned workers, batch, linger_ms;
	} tiers[] = {
	    {"2rcu", 4, 256, 10},
	    {"4rcu", 8, 256, 20},
	    {"8rcu", 16, 512, 40},
	    {"16RCU", 32, 512, 50},
	};
	struct job_config *c;
	char text[1024];

	for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++) {
		snprintf(text, sizeof(text), BASE "spec: %s\n", tiers[i].name);
		c = parse_ok(text);
		assert_int_equal(strcasecmp(c->spec.tier, tiers[i].name), 0);
		assert_int_equal(c->spec.workers, tiers[i].workers);
		assert_int_equal(c->spec.batch, tiers[i].batch);
		assert_int_equal(c->spec.linger_ms, tiers[i].linger_ms);
		job_config_free(c);
	}
	expect1(BASE "spec: 3rcu\n",
	        "job.yaml:10:7: spec \"3rcu\" is not a tier (2rcu, 4rcu, 8rcu, "
	        "16rcu); or give spec: {workers: N, batch: M}");
	expect_has(
	    BASE "spec: [4rcu]\n", 10, 7,
	    "spec must be a tier (2rcu, 4rcu, 8rcu, 16rcu) or a mapping");
	expect1(
	    BASE "spec: {workers: 0}\n",
	    "job.yaml:10:17: spec.workers \"0\" must be a whole number from "
	    "1 to 512");
	expect1(BASE "spec: {batch: 10001}\n",
	        "job.yaml:10:15: spec.batch \"10001\" must be a whole number "
	        "from 1 to 10000");
	expect1(BASE "spec: {}\n",
	        "job.yaml:10:7: spec gives none of workers, batch, linger-ms");
	expect1(BASE "spec: {linger-ms: 1001}\n",
	        "job.yaml:10:19: spec.linger-ms \"1001\" must be a whole "
	        "number from 0 to 1000");
	expect_has(BASE "linger-ms: 5\n", 10, 1, "unknown key \"linger-ms\"");
	expect1(BASE "spec: {workers: 3}\nworkers: 5\n",
	        "job.yaml:11:1: workers is given both here and in spec (at "
	        "10:8); keep one");

	/* Explicit; partial (the rest from the default tier); overrides. */
	c = parse_ok(BASE "spec: {workers: 12, batch: 1000}\n");
	assert_null(c->spec.tier);
	assert_int_equal(c->spec.workers, 12);
	assert_int_equal(c->spec.batch, 1000);
	job_config_free(c);
	c = parse_ok(BASE "spec:\n  batch: 50\n");
	assert_null(c->spec.tier);
	assert_int_equal(c->spec.workers, 8);
	assert_int_equal(c->spec.batch, 50);
	job_config_free(c);
	c = parse_ok(BASE "spec: 8rcu\nworkers: 20\nbatch: 64\n");
	assert_string_equal(c->spec.tier, "8rcu");
	assert_int_equal(c->spec.workers, 20);
	assert_int_equal(c->spec.batch, 64);
	job_config_free(c);
	c = parse_ok(BASE "workers: 2\n");
	assert_string_equal(c->spec.tier, "4rcu");
	assert_int_equal(c->spec.workers, 2);
	assert_int_equal(c->spec.batch, 256);
	job_config_free(c);
	c = parse_ok(BASE "spec: {workers: 3}\nbatch: 7\n");
	assert_int_equal(c->spec.workers, 3);
	assert_int_equal(c->spec.batch, 7);
	job_config_free(c);

	/* Linger: 2.5 ms per worker within 5..50 unless given; 0 is off. */
	c = parse_ok(BASE "spec: {workers: 1}\n");
	assert_int_equal(c->spec.linger_ms, 5);
	job_config_free(c);
	c = parse_ok(BASE "spec: {workers: 100}\n");
	assert_int_equal(c->spec.linger_ms, 50);
	job_config_free(c);
	c = parse_ok(BASE "workers: 12\n");
	assert_int_equal(c->spec.linger_ms, 30);
	job_config_free(c);
	c = parse_ok(BASE "spec: {linger-ms: 0}\n");
	assert_int_equal(c->spec.workers, 8);
	assert_int_equal(c->spec.linger_ms, 0);
	job_config_free(c);
	c = parse_ok(BASE "spec: {workers: 16, linger-ms: 200}\n");
	assert_int_equal(c->spec.linger_ms, 200);
	job_config_free(c);
}

static void test_enums_and_meta(void **state)
{
	struct job_config *c;

	expect1(BASE "on-conflict: ignore\n",
	        "job.yaml:10:14: on-conflict \"ignore\" is not one of: fail, "
	        "replace");
	expect1(BASE "on-missing-row: skip\n",
	        "job.yaml:10:17: on-missing-row \"skip\" is not one of: fail, "
	        "warn");
	expect1(BASE "meta-database: \"my meta\"\n",
	        "job.yaml:10:16: meta-database \"my meta\" must be 1 to 64 "
	        "letters, digits, '_' or '$' (not digits alone)");
	expect_has(BASE "meta-database: 123\n", 10, 16, "(not digits alone)");
	expect_has(BASE "http: {token: \"\"}\n", 10, 15, "http.token is empty");
	c = parse_ok(BASE "on-conflict: Replace\non-missing-row: WARN\n"
	                  "meta-database: m$2\n");
	assert_int_equal(c->on_conflict, CONFIG_CONFLICT_REPLACE);
	assert_int_equal(c->on_missing_row, CONFIG_MISSING_WARN);
	assert_string_equal(c->meta_database, "m$2");
	assert_string_equal(config_on_conflict_name(c->on_conflict), "replace");
	assert_string_equal(config_on_missing_row_name(c->on_missing_row),
	                    "warn");
	assert_string_equal(config_tls_mode_name(CONFIG_TLS_VERIFY_CA),
	                    "verify-ca");
	assert_string_equal(config_start_mode_name(CONFIG_START_POSITION),
	                    "position");
	job_config_free(c);
}

static void test_objects(void **state)
{
	struct job_config *c;

	expect1(BASE "objects:\n  include: [shop]\n",
	        "job.yaml:11:13: objects.include[0] \"shop\" must be "
	        "\"database.table\" (\"db.*\" takes every table of db)");
	expect_has(BASE "objects:\n  include: [\"a.b.c\", \".t\", \"d.\"]\n",
	           11, 13,
	           "objects.include[0] \"a.b.c\" has more than one '.'");
	expect_has(BASE "objects:\n  include: [\"a.b.c\", \".t\", \"d.\"]\n",
	           11, 22, "objects.include[1] \".t\" has no database part");
	expect_has(BASE "objects:\n  include: [\"a.b.c\", \".t\", \"d.\"]\n",
	           11, 28, "objects.include[2] \"d.\" has no table part");
	expect1(BASE "objects:\n  include: []\n",
	        "job.yaml:11:12: objects.include is an empty list, which takes "
	        "nothing (leave it out to take every user database)");
	expect_has(BASE "objects:\n  exclude:\n    - a.b\n    - [x]\n", 13, 7,
	           "objects.exclude[1] must be a \"database.table\" pattern, "
	           "not a list");

	c = parse_ok(BASE "objects:\n  exclude: [\"*.tmp_?\"]\n");
	assert_int_equal(c->objects.n_include, 0);
	assert_int_equal(c->objects.n_exclude, 1);
	assert_string_equal(c->objects.exclude[0], "*.tmp_?");
	job_config_free(c);
	c = parse_ok(BASE "objects:\n  include:\n    - shop.*\n    - crm.c?\n"
	                  "  exclude: []\n");
	assert_int_equal(c->objects.n_include, 2);
	assert_string_equal(c->objects.include[1], "crm.c?");
	assert_int_equal(c->objects.n_exclude, 0);
	job_config_free(c);
	c = parse_ok(BASE "objects: {}\n");
	assert_int_equal(c->objects.n_include, 0);
	job_config_free(c);
}

/* Whole files */

static void test_empty_and_documents(void **state)
{
	expect1("", "job.yaml:1:1: the job file is empty");
	expect1("# just a comment\n\n", "job.yaml:1:1: the job file is empty");
	expect1("---\n", "job.yaml:1:1: the job file is empty");
	expect1(BASE "---\nname: other\n",
	        "job.yaml:10:1: a job file holds one YAML document; a second "
	        "one starts here");
}

static void test_syntax_errors(void **state)
{
	expect1("name: orders\nsource:\n  host: [a\n  user: u\n",
	        "job.yaml:4:7: YAML syntax error: did not find expected ',' or "
	        "']' (while parsing a flow sequence at 3:9)");
	expect1("name: orders\nsource:\n\thost: h\n",
	        "job.yaml:3:1: YAML syntax error: found character that cannot "
	        "start any token (while scanning for the next token at 3:1)");
	expect_has(BASE "meta-database: *nothing\n", 10, 16,
	           "YAML syntax error: found undefined alias");
	/* A password line broken by a stray ": " never shows the password. */
	expect_has("name: o\nsource:\n  host: h\n  password: " SRC_PW
	           ": " SRC_PW "\n",
	           4, 27, "YAML syntax error: mapping values are not allowed");
	{
		/* Bad UTF-8 inside a password. */
		static const char text[] =
		    "name: o\nsource:\n  password: \"" SRC_PW "\xff" SRC_PW
		    "\"\n";

		expect_has(text, 3, 28, "the text is not valid UTF-8");
	}
	/* Anchors and aliases work. */
	job_config_free(parse_ok("name: o\n"
	                         "source:\n  host: h\n  user: &u root\n"
	                         "target:\n  hosts: [t]\n  user: *u\n"));
}

static void test_many_mistakes(void **state)
{
	struct job_config_errors errs;
	struct job_config *c;
	static const char text[] = "name: 1x\n"                 /* 1 */
	                           "source:\n"                  /* 2 */
	                           "  port: 0\n"                /* 3 */
	                           "  user: u\n"                /* 4 */
	                           "  password: " SRC_PW "\n"   /* 5 */
	                           "  tls: {cert: c.pem}\n"     /* 6 */
	                           "target:\n"                  /* 7 */
	                           "  hosts: [\"t:0\"]\n"       /* 8 */
	                           "  user: r\n"                /* 9 */
	                           "  password: [" TGT_PW "]\n" /* 10 */
	                           "start: {mode: gtid}\n"      /* 11 */
	                           "spec: 5rcu\n"               /* 12 */
	                           "on-conflict: maybe\n"       /* 13 */
	                           "extra: 1\n";                /* 14 */
	static const unsigned lines[] = {1, 3, 3, 6, 8, 10, 11, 12, 13, 14};
	int rc = parse(text, &c, &errs);

	if (rc != (int)(sizeof(lines) / sizeof(lines[0]))) {
		dump_errors(&errs);
		fail_msg("expected %zu mistakes, got %d",
		         sizeof(lines) / sizeof(lines[0]), rc);
	}
	for (size_t i = 0; i < errs.n; i++)
		assert_int_equal(errs.v[i].line, lines[i]);
	assert_non_null(strstr(errs.v[1].msg, "source.host is missing"));
	assert_non_null(strstr(errs.v[2].msg, "source.port"));
	job_config_errors_deinit(&errs);
}

/* Secrets never show in messages, whatever the mistake around them. */
static void test_no_secret_in_messages(void **state)
{
	static const char *const texts[] = {
	    /* The password where a name or number is wanted. */
	    "name: o\nsource:\n  host: h\n  user: u\n  password: [" SRC_PW
	    "]\n" TARGET_OK,
	    /* Bad ${...} holding secret text. */
	    "name: o\nsource:\n  host: h\n  user: u\n  password: \"a${" SRC_PW
	    "}\"\n" TARGET_OK,
	    "name: o\nsource:\n  host: h\n  user: u\n  password: \"a${" SRC_PW
	    "\"\n" TARGET_OK,
	    "name: o\nsource:\n  host: h\n  user: u\n  password: \"" SRC_PW
	    "\\0x\"\n" TARGET_OK,
	    /* Duplicated, misspelt, mis-indented. */
	    "name: o\n" SOURCE_OK "  password: " SRC_PW "\n" TARGET_OK,
	    "name: o\n" SOURCE_OK "  passwd: " SRC_PW "\n" TARGET_OK,
	    "name: o\n" SOURCE_OK "password: " SRC_PW "\n" TARGET_OK,
	    "name: o\nsource:\n  host: h\n   password: " SRC_PW "\n",
	    "name: o\nsource:\n  host: h\n  password: '" SRC_PW "\n",
	    "name: o\nsource:\n  host: h\n  password: \"" SRC_PW "\\q\"\n",
	    "name: o\nsource:\n  host: h\n  password: " SRC_PW " # c\n"
	    "  password: |\n    " SRC_PW "\n  bad\n",
	    BASE "http:\n  token: [" TOKEN "]\n",
	    BASE "http:\n  token: " TOKEN "\n  token: " TOKEN "\n",
	    BASE "http:\n  tokn: " TOKEN "\n",
	    "name: o\nsource:\n  host: h\n  password: \"" SRC_PW "\t\x01\"\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct job_config_errors errs;
		struct job_config *c;
		int rc = parse(texts[i], &c, &errs);

		if (rc <= 0)
			fail_msg("text %zu: expected mistakes, got %d", i, rc);
		job_config_errors_deinit(&errs);
	}
	expect1("name: o\nsource:\n  host: h\n  user: u\n  password: \"" SRC_PW
	        "\\0x\"\n" TARGET_OK,
	        "job.yaml:5:13: source.password contains a NUL character");
}

/* Output */

static void test_format(void **state)
{
	struct job_config *c, *again;
	char *text, *text2;

	set_env();
	c = parse_ok(design_example);
	text = format(c);
	assert_non_null(strstr(text, "  password: \"***\"\n"));
	assert_non_null(strstr(text, "  token: \"***\"\n"));
	assert_non_null(strstr(text, "name: orders-incremental\n"));
	assert_non_null(strstr(text, "    mode: verify-ca\n    ca: ca.pem\n"));
	assert_non_null(strstr(
	    text, "  gtid: \"3e11fa47-71ca-11e1-9e33-c80aa9429562:1-23\"\n"));
	assert_non_null(strstr(text, "spec: 4rcu # workers 8, batch 256\n"));
	assert_non_null(strstr(text, "  hosts: [\"127.0.0.1:4000\"]\n"));
	assert_non_null(
	    strstr(text, "  include: [\"shop.*\", \"crm.customers\"]\n"));
	assert_non_null(strstr(text, "  addr: 0.0.0.0:9000\n"));

	/* What is written reads back to the same config. */
	again = parse_ok(text);
	text2 = format(again);
	assert_string_equal(text, text2);
	assert_string_equal(again->source.password, "***");
	assert_int_equal(again->source.server_id, 4242);
	job_config_free(again);
	free(text);
	free(text2);
	job_config_free(c);

	/* Awkward text, explicit spec, defaults, IPv6. */
	c = parse_ok("name: o\n"
	             "source:\n  host: \"::1\"\n  user: \"a $${b} \\\"c\\\" "
	             "#d\"\n"
	             "target:\n  hosts: [\"[::1]:4001\"]\n  user: 'null'\n"
	             "start: {file: mariadb-bin.000002, position: 4}\n"
	             "objects: {exclude: [\"*.x\"]}\n"
	             "spec: {workers: 3, batch: 9}\n"
	             "meta-database: meta\n");
	assert_string_equal(c->source.user, "a ${b} \"c\" #d");
	text = format(c);
	assert_non_null(strstr(text, "  user: \"a $${b} \\\"c\\\" #d\"\n"));
	assert_non_null(strstr(text, "  user: \"null\"\n"));
	assert_non_null(strstr(text, "  hosts: [\"[::1]:4001\"]\n"));
	assert_non_null(strstr(text, "  # server-id: chosen"));
	assert_null(strstr(text, "password"));
	again = parse_ok(text);
	text2 = format(again);
	assert_string_equal(text, text2);
	assert_string_equal(again->source.user, c->source.user);
	assert_string_equal(again->target.user, "null");
	job_config_free(again);
	free(text);
	free(text2);
	job_config_free(c);

	/* A tier with overrides writes the overrides. */
	c = parse_ok(BASE "spec: 2rcu\nbatch: 17\n");
	text = format(c);
	assert_non_null(
	    strstr(text, "spec: 2rcu # workers 4, batch 256\nbatch: 17\n"));
	again = parse_ok(text);
	assert_int_equal(again->spec.batch, 17);
	assert_int_equal(again->spec.workers, 4);
	job_config_free(again);
	free(text);
	job_config_free(c);
}

/* Files */

static char tmpdir[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	struct job_config_errors errs;
	struct job_config *c;
	char path[128], want[256];
	char *big;
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sl-test-config-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/job.yaml", tmpdir);
	write_file(path, BASE "  tls:\n    ca: certs/ca.pem\n"
	                      "    cert: /etc/c.pem\n    key: k.pem\n");
	job_config_errors_init(&errs);
	rc = job_config_load(path, &c, &errs);
	assert_int_equal(rc, 0);
	assert_string_equal(c->file, path);
	snprintf(want, sizeof(want), "%s/certs/ca.pem", tmpdir);
	assert_string_equal(c->target.tls.ca, want);
	assert_string_equal(c->target.tls.cert, "/etc/c.pem");
	snprintf(want, sizeof(want), "%s/k.pem", tmpdir);
	assert_string_equal(c->target.tls.key, want);
	job_config_free(c);

	/* Mistakes name the file as given. */
	write_file(path, "name: 9\n" SOURCE_OK TARGET_OK);
	rc = job_config_load(path, &c, &errs);
	assert_int_equal(rc, 1);
	assert_null(c);
	snprintf(want, sizeof(want), "%s:1:7: name \"9\" must start", path);
	assert_memory_equal(errs.v[0].msg, want, strlen(want));
	job_config_errors_deinit(&errs);

	/* Unreadable: missing, a folder, too large. */
	snprintf(path, sizeof(path), "%s/absent.yaml", tmpdir);
	rc = job_config_load(path, &c, &errs);
	assert_int_equal(rc, SL_EIO);
	assert_null(c);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].line, 0);
	snprintf(want, sizeof(want),
	         "%s: cannot read the job file: No such file or directory",
	         path);
	assert_string_equal(errs.v[0].msg, want);
	job_config_errors_deinit(&errs);

	rc = job_config_load(tmpdir, &c, &errs);
	assert_int_equal(rc, SL_EIO);
	assert_non_null(strstr(errs.v[0].msg, "Is a directory"));
	job_config_errors_deinit(&errs);

	snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
	big = malloc(CONFIG_FILE_MAX + 2);
	assert_non_null(big);
	memset(big, '#', CONFIG_FILE_MAX + 1);
	big[CONFIG_FILE_MAX + 1] = '\0';
	write_file(path, big);
	free(big);
	rc = job_config_load(path, &c, &errs);
	assert_int_equal(rc, SL_EIO);
	assert_non_null(strstr(errs.v[0].msg, "larger than 1 MiB"));
	job_config_errors_deinit(&errs);

	/* A pipe, as from <(...): read whole, tls paths kept as written. */
	{
		static const char text[] = BASE "  tls: {ca: ca.pem}\n";
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], text, strlen(text)),
		                 (ssize_t)strlen(text));
		close(fds[1]);
		snprintf(want, sizeof(want), "/dev/fd/%d", fds[0]);
		rc = job_config_load(want, &c, &errs);
		close(fds[0]);
		assert_int_equal(rc, 0);
		assert_string_equal(c->target.tls.ca, "ca.pem");
		job_config_free(c);
	}

	unlink(path);
	snprintf(path, sizeof(path), "%s/job.yaml", tmpdir);
	unlink(path);
	assert_int_equal(rmdir(tmpdir), 0);
}

/* Allocation failures: every one gives SL_ENOMEM cleanly (no leak under
 * ASan, no message left behind), or the parse succeeds. */
static void run_oom(const char *text, int want)
{
	bool failed_once = false;

	for (uint64_t n = 1;; n++) {
		struct job_config_errors errs;
		struct job_config *c = NULL;
		int rc;

		job_config_errors_init(&errs);
		sl_mem_fail_after(n);
		rc =
		    job_config_parse("job.yaml", text, strlen(text), &c, &errs);
		sl_mem_fail_after(0);
		if (rc == SL_ENOMEM) {
			failed_once = true;
			assert_null(c);
			assert_int_equal(errs.n, 0);
			job_config_errors_deinit(&errs);
			continue;
		}
		assert_int_equal(rc, want);
		if (rc == 0)
			check_format(c);
		job_config_free(c);
		job_config_errors_deinit(&errs);
		break;
	}
	assert_true(failed_once);
}

static void test_out_of_memory(void **state)
{
	set_env();
	run_oom(design_example, 0);
	run_oom(BASE "start: {mode: gtid, gtid: \"0-1-2\"}\n"
	             "objects: {include: [a.b, c.d], exclude: [e.*]}\n",
	        0);
	run_oom("name: 1\nsource: {port: 0}\ntarget: {hosts: [a, a]}\nx: 1\n",
	        7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_design_example),
	    cmocka_unit_test(test_env_expansion),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_missing_keys),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_ports_and_hosts),
	    cmocka_unit_test(test_start),
	    cmocka_unit_test(test_tls),
	    cmocka_unit_test(test_spec),
	    cmocka_unit_test(test_enums_and_meta),
	    cmocka_unit_test(test_objects),
	    cmocka_unit_test(test_empty_and_documents),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_many_mistakes),
	    cmocka_unit_test(test_no_secret_in_messages),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_gtid.c: GTID sets (core/gtid.c), table-driven.
 * Text round trips and canonical form, malformed text and its messages,
 * set algebra for both flavours, the binary forms (hand-built bytes and
 * the PREVIOUS_GTIDS / GTID_LIST events of real fixtures, read in place
 * from $SL_FIXTURES), large sets and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/gtid.h"
#include "core/mem.h"
#include "core/sbuf.h"

#define U1    "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define U1UP  "3E11FA47-71CA-11E1-9E33-C80AA9429562"
#define U1RAW "3E11FA4771CA11E19E33C80AA9429562"
#define U2    "5ade491e-e611-11e3-9f17-e66ccf50db66"

static const uint8_t u1_bytes[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca,
                                     0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a,
                                     0xa9, 0x42, 0x95, 0x62};
static const uint8_t u2_bytes[16] = {0x5a, 0xde, 0x49, 0x1e, 0xe6, 0x11,
                                     0x11, 0xe3, 0x9f, 0x17, 0xe6, 0x6c,
                                     0xcf, 0x50, 0xdb, 0x66};

/* Helpers */

static struct gtid_set *parse_ok(const char *text)
{
	struct gtid_set *s = gtid_set_new(GTID_ANY);
	struct sl_err err;
	int rc;

	assert_non_null(s);
	sl_err_clear(&err);
	rc = gtid_set_parse(s, text, strlen(text), &err);
	if (rc != 0)
		fail_msg("parse \"%s\": %s", text, err.msg);
	return s;
}

/* Formats s into a static buffer (valid until the next call). */
static const char *fmt(const struct gtid_set *s)
{
	static char out[8192];
	struct sbuf b;

	sbuf_init(&b);
	gtid_set_format(s, &b);
	assert_true(sbuf_ok(&b));
	assert_true(b.len < sizeof(out));
	memcpy(out, b.p ? b.p : "", b.len);
	out[b.len] = '\0';
	sbuf_deinit(&b);
	return out;
}

static struct gtid gtid_of(const char *text)
{
	struct gtid g;
	struct sl_err err;

	if (gtid_parse(&g, text, strlen(text), &err) != 0)
		fail_msg("gtid_parse \"%s\": %s", text, err.msg);
	return g;
}

static struct gtid mysql_gtid(const uint8_t *uuid, const char *tag,
                              uint64_t gno)
{
	struct gtid g;

	memset(&g, 0, sizeof(g));
	g.flavour = GTID_MYSQL;
	memcpy(g.mysql.uuid, uuid, 16);
	(void)snprintf(g.mysql.tag, sizeof(g.mysql.tag), "%s", tag);
	g.mysql.gno = gno;
	return g;
}

struct bytes {
	uint8_t b[1024];
	size_t n;
};

static void put_u8(struct bytes *o, uint8_t v)
{
	assert_true(o->n < sizeof(o->b));
	o->b[o->n++] = v;
}

static void put_u32(struct bytes *o, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put_u8(o, (uint8_t)(v >> (8 * i)));
}

static void put_u64(struct bytes *o, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		put_u8(o, (uint8_t)(v >> (8 * i)));
}

static void put_raw(struct bytes *o, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(o, ((const uint8_t *)p)[i]);
}

/* Parse and print */

static void test_round_trip(void **state)
{
	static const struct {
		const char *in, *out;
		enum gtid_flavour flavour;
	} cases[] = {
	    {"", "", GTID_ANY},
	    {" \n\t ", "", GTID_ANY},
	    {U1UP ":1-5:7", U1 ":1-5:7", GTID_MYSQL},
	    {U1 ":1-3:4-6", U1 ":1-6", GTID_MYSQL},
	    {U1 ":7:1-5", U1 ":1-5:7", GTID_MYSQL},
	    {U1 ":1-5:3-9:2", U1 ":1-9", GTID_MYSQL},
	    {U1 ":5:5", U1 ":5", GTID_MYSQL},
	    {U1 ":1:3:5", U1 ":1:3:5", GTID_MYSQL},
	    {U1 ":10-20:1-9:21", U1 ":1-21", GTID_MYSQL},
	    {U2 ":1-3,\n" U1 ":1-5", U1 ":1-5," U2 ":1-3", GTID_MYSQL},
	    {"  " U1 ":1 ,\r\n " U1 ":2 \n", U1 ":1-2", GTID_MYSQL},
	    {U1RAW ":1", U1 ":1", GTID_MYSQL},
	    {U1 ":1-3:Tag_B:1-2:tag_a:5:1-3", U1 ":1-3:tag_a:1-3:5:tag_b:1-2",
	     GTID_MYSQL},
	    {U1 ":x:1," U1 ":4", U1 ":4:x:1", GTID_MYSQL},
	    {U2 ":t:1," U1 ":t:2", U1 ":t:2," U2 ":t:1", GTID_MYSQL},
	    {U1 ":_t9:1", U1 ":_t9:1", GTID_MYSQL},
	    {U1 ":abcdefghijklmnopqrstuvwxyz012345:1",
	     U1 ":abcdefghijklmnopqrstuvwxyz012345:1", GTID_MYSQL},
	    {U1 ":1-9223372036854775806", U1 ":1-9223372036854775806",
	     GTID_MYSQL},
	    {"0-1-100,1-2-5", "0-1-100,1-2-5", GTID_MARIADB},
	    {"1-2-5,0-1-100", "0-1-100,1-2-5", GTID_MARIADB},
	    {"0-1-5,0-2-9", "0-2-9", GTID_MARIADB},
	    {"0-1-9,0-2-5", "0-1-9", GTID_MARIADB},
	    {" 0-1-1 ,\n 2-3-4 ", "0-1-1,2-3-4", GTID_MARIADB},
	    {"0-0-0", "0-0-0", GTID_MARIADB},
	    {"4294967295-4294967295-18446744073709551615",
	     "4294967295-4294967295-18446744073709551615", GTID_MARIADB},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gtid_set *s = parse_ok(cases[i].in), *again;

		if (strcmp(fmt(s), cases[i].out) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i,
			         cases[i].in, fmt(s), cases[i].out);
		assert_int_equal(gtid_set_flavour(s), cases[i].flavour);
		assert_int_equal(gtid_set_is_empty(s), cases[i].out[0] == '\0');
		/* The canonical text parses back to an equal set. */
		again = parse_ok(fmt(s));
		assert_true(gtid_set_equal(s, again));
		gtid_set_free(again);
		gtid_set_free(s);
	}
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *in;
		const char *want; /* "at character N: why" */
	} cases[] = {
	    {"abc:1-x", "at character 3: malformed UUID"},
	    {U1 ":1-x", "at character 39: expected a number"},
	    {U1 ":0", "at character 37: GTID numbers start at 1"},
	    {U1 ":3-0", "at character 39: GTID numbers start at 1"},
	    {U1 ":5-3", "at character 39: interval end 3 is below its "
	                "start 5"},
	    {U1 ":", "at character 37: expected a GTID number or a tag"},
	    {U1 ":-1", "at character 37: expected a GTID number or a tag"},
	    {U1 ":1:", "at character 39: expected a GTID number or a tag"},
	    {U1 ":1,", "at character 39: expected a UUID"},
	    {U1 ":1,,", "at character 39: expected a UUID"},
	    {U1 ":1 x", "at character 39: expected ',' or the end"},
	    {U1 ":99999999999999999999",
	     "at character 37: number above 9223372036854775806"},
	    {U1 ":9223372036854775807",
	     "at character 37: number above 9223372036854775806"},
	    {U1 ":abcdefghijklmnopqrstuvwxyz0123456:1",
	     "at character 37: tag longer than 32 characters"},
	    {U1 ":tag", "at character 40: expected ':' after the tag"},
	    {U1 ":tag:", "at character 41: expected a number"},
	    {U1 ":tag:x", "at character 41: expected a number"},
	    {U1 ":t-1:1", "at character 38: expected ':' after the tag"},
	    {U1, "at character 36: expected ':' after the UUID"},
	    {U1 " :1", "at character 36: expected ':' after the UUID"},
	    {"3e11fa47-71ca-11e1-9e33-c80aa942956:1",
	     "at character 35: malformed UUID: expected a hex digit"},
	    {"3e11fa47-71ca+11e1-9e33-c80aa9429562:1",
	     "at character 13: malformed UUID: expected '-'"},
	    {"3e11fa47x71ca:1", "at character 8: malformed UUID"},
	    {":1", "at character 0: expected a UUID"},
	    {"0-1", "at character 3: expected '-' after the server id"},
	    {"0 -1-1", "at character 1: expected '-' after the domain id"},
	    {"0-1-2-3", "at character 5: expected ',' or the end"},
	    {"0-1-x", "at character 4: expected a number"},
	    {"-1-1-1", "at character 0: expected a number"},
	    {"0-1-1,", "at character 6: expected a number"},
	    {"4294967296-1-1", "at character 0: number above 4294967295"},
	    {"0-4294967296-1", "at character 2: number above 4294967295"},
	    {"0-1-18446744073709551616",
	     "at character 4: number above 18446744073709551615"},
	    {"0-1-1," U1 ":1", "at character 1: malformed UUID"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gtid_set *s = gtid_set_new(GTID_ANY);
		struct sl_err err;
		int rc;

		sl_err_clear(&err);
		rc = gtid_set_parse(s, cases[i].in, strlen(cases[i].in), &err);
		if (rc != SL_EINVAL || strstr(err.msg, cases[i].want) == NULL ||
		    strncmp(err.msg, "gtid set \"", 10) != 0)
			fail_msg("case %zu \"%s\": rc %d, message \"%s\", "
			         "want \"%s\"",
			         i, cases[i].in, rc, err.msg, cases[i].want);
		assert_true(gtid_set_is_empty(s));
		assert_int_equal(gtid_set_flavour(s), GTID_ANY);
		gtid_set_free(s);
	}
}

static void test_parse_error_message(void **state)
{
	struct gtid_set *s = gtid_set_new(GTID_ANY);
	struct sl_err err;
	char text[2048] = "";

	/* The whole message, as a user sees it. */
	assert_int_equal(gtid_set_parse(s, "abc:1-x", 7, &err), SL_EINVAL);
	assert_string_equal(err.msg,
	                    "gtid set \"abc:1-x\": at character 3: malformed "
	                    "UUID");
	assert_int_equal(err.code, SL_EINVAL);

	/* A long text is cut to a window around the error, on one line. */
	for (int i = 0; i < 20; i++)
		strcat(text, U1 ":1-5,\n");
	strcat(text, U2 ":1-y");
	assert_int_equal(gtid_set_parse(s, text, strlen(text), &err),
	                 SL_EINVAL);
	assert_non_null(strstr(err.msg, "expected a number"));
	assert_non_null(strstr(err.msg, "\"..."));
	assert_non_null(strstr(err.msg, ":1-y\""));
	assert_null(strchr(err.msg, '\n'));
	assert_true(strlen(err.msg) < 160);

	/* Errors in the middle get "..." on both sides. */
	text[0] = '\0';
	for (int i = 0; i < 10; i++)
		strcat(text, U1 ":1-5,");
	strcat(text, "zz");
	for (int i = 0; i < 10; i++)
		strcat(text, "," U1 ":1-5");
	assert_int_equal(gtid_set_parse(s, text, strlen(text), &err),
	                 SL_EINVAL);
	assert_non_null(strstr(err.msg, "at character 410: expected a UUID"));
	assert_non_null(strstr(err.msg, "...\": at"));

	/* A NULL error record is fine. */
	assert_int_equal(gtid_set_parse(s, "0-1", 3, NULL), SL_EINVAL);
	assert_true(gtid_set_is_empty(s));
	gtid_set_free(s);
}

static void test_parse_flavour_and_atomicity(void **state)
{
	struct gtid_set *my = gtid_set_new(GTID_MYSQL);
	struct gtid_set *ma = gtid_set_new(GTID_MARIADB);
	struct sl_err err;

	assert_int_equal(gtid_set_parse(my, "0-1-1", 5, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "a MariaDB GTID set where a MySQL "
	                                "one is expected"));
	assert_int_equal(gtid_set_parse(ma, U1 ":1", 38, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "a MySQL GTID set where a MariaDB "
	                                "one is expected"));
	/* Blank text fits any flavour. */
	assert_int_equal(gtid_set_parse(my, " ", 1, &err), 0);
	assert_int_equal(gtid_set_flavour(my), GTID_MYSQL);

	/* Parse adds to what is there; a failure changes nothing. */
	assert_int_equal(gtid_set_parse(my, U1 ":1-5", 40, &err), 0);
	assert_int_equal(gtid_set_parse(my, U1 ":7," U1 ":x", 77, &err),
	                 SL_EINVAL);
	assert_string_equal(fmt(my), U1 ":1-5");
	assert_int_equal(gtid_set_parse(my, U1 ":6:9", 40, &err), 0);
	assert_string_equal(fmt(my), U1 ":1-6:9");
	assert_int_equal(gtid_set_parse(ma, "0-1-5", 5, &err), 0);
	assert_int_equal(gtid_set_parse(ma, "0-2-7,1-1-1", 11, &err), 0);
	assert_string_equal(fmt(ma), "0-2-7,1-1-1");
	/* Only len bytes are read. */
	assert_int_equal(gtid_set_parse(ma, "2-2-2,garbage", 5, &err), 0);
	assert_string_equal(fmt(ma), "0-2-7,1-1-1,2-2-2");
	gtid_set_free(my);
	gtid_set_free(ma);
}

static void test_single_gtid(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {U1UP ":23", U1 ":23"},
	    {" " U1 ":TaG:7 ", U1 ":tag:7"},
	    {U1RAW ":9223372036854775806", U1 ":9223372036854775806"},
	    {"0-1-100", "0-1-100"},
	    {"\n4294967295-0-18446744073709551615",
	     "4294967295-0-18446744073709551615"},
	};
	static const struct {
		const char *in, *want;
	} bad[] = {
	    {"", "gtid \"\": at character 0: expected a GTID"},
	    {U1 ":1-3", "at character 38: unexpected text after the GTID"},
	    {U1 ":0", "at character 37: GTID numbers start at 1"},
	    {U1 ":tag", "at character 40: expected ':' after the tag"},
	    {U1 ":t:u:1", "at character 39: expected a number"},
	    {"1-2", "at character 3: expected '-' after the server id"},
	    {"1-2-3,4-5-6", "at character 5: unexpected text after"},
	};
	struct sl_err err;
	struct gtid g;
	struct sbuf b;

	sbuf_init(&b);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		g = gtid_of(ok[i].in);
		sbuf_reset(&b);
		gtid_format(&g, &b);
		assert_string_equal(sbuf_cstr(&b), ok[i].out);
	}
	g = gtid_of(U1 ":Ab:5");
	assert_int_equal(g.flavour, GTID_MYSQL);
	assert_memory_equal(g.mysql.uuid, u1_bytes, 16);
	assert_string_equal(g.mysql.tag, "ab");
	assert_int_equal(g.mysql.gno, 5);
	g = gtid_of("3-4-5");
	assert_int_equal(g.flavour, GTID_MARIADB);
	assert_int_equal(g.mariadb.domain_id, 3);
	assert_int_equal(g.mariadb.server_id, 4);
	assert_int_equal(g.mariadb.seq_no, 5);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sl_err_clear(&err);
		if (gtid_parse(&g, bad[i].in, strlen(bad[i].in), &err) !=
		        SL_EINVAL ||
		    strstr(err.msg, bad[i].want) == NULL)
			fail_msg("bad case %zu \"%s\": message \"%s\"", i,
			         bad[i].in, err.msg);
	}
	sbuf_deinit(&b);
}

/* Set algebra */

struct algebra_case {
	const char *a, *b;
	const char *a_or_b, *a_minus_b, *b_minus_a;
	bool a_in_b, b_in_a;
};

static void check_algebra(const struct algebra_case *c, size_t i)
{
	struct gtid_set *a = parse_ok(c->a), *b = parse_ok(c->b);
	struct gtid_set *x;
	struct sl_err err;

#define EXPECT_TEXT(set, want)                                                 \
	do {                                                                   \
		if (strcmp(fmt(set), (want)) != 0)                             \
			fail_msg("case %zu (%s | %s): got \"%s\", want "       \
			         "\"%s\"",                                     \
			         i, c->a, c->b, fmt(set), (want));             \
	} while (0)

	assert_int_equal(gtid_set_is_subset(a, b), c->a_in_b);
	assert_int_equal(gtid_set_is_subset(b, a), c->b_in_a);
	assert_int_equal(gtid_set_equal(a, b), c->a_in_b && c->b_in_a);
	assert_true(gtid_set_is_subset(a, a));
	assert_true(gtid_set_equal(a, a));

	x = gtid_set_dup(a);
	assert_non_null(x);
	assert_true(gtid_set_equal(x, a));
	assert_int_equal(gtid_set_union(x, b, &err), 0);
	EXPECT_TEXT(x, c->a_or_b);
	assert_true(gtid_set_is_subset(a, x));
	assert_true(gtid_set_is_subset(b, x));
	gtid_set_free(x);

	/* Union commutes. */
	x = gtid_set_dup(b);
	assert_int_equal(gtid_set_union(x, a, &err), 0);
	EXPECT_TEXT(x, c->a_or_b);
	gtid_set_free(x);

	x = gtid_set_dup(a);
	assert_int_equal(gtid_set_subtract(x, b, &err), 0);
	EXPECT_TEXT(x, c->a_minus_b);
	assert_true(gtid_set_is_subset(x, a));
	gtid_set_free(x);

	x = gtid_set_dup(b);
	assert_int_equal(gtid_set_subtract(x, a, &err), 0);
	EXPECT_TEXT(x, c->b_minus_a);
	gtid_set_free(x);

	/* With itself: union is a no-op, subtraction empties. */
	x = gtid_set_dup(a);
	assert_int_equal(gtid_set_union(x, x, &err), 0);
	assert_true(gtid_set_equal(x, a));
	assert_int_equal(gtid_set_subtract(x, x, &err), 0);
	assert_true(gtid_set_is_empty(x));
	gtid_set_free(x);
#undef EXPECT_TEXT
	gtid_set_free(a);
	gtid_set_free(b);
}

static void test_algebra_mysql(void **state)
{
	static const struct algebra_case cases[] = {
	    {U1 ":1-10", U1 ":5-15", U1 ":1-15", U1 ":1-4", U1 ":11-15", false,
	     false},
	    {U1 ":1-10", U1 ":3-4:6:8-20", U1 ":1-20", U1 ":1-2:5:7",
	     U1 ":11-20", false, false},
	    {U1 ":1-3", U2 ":1-3", U1 ":1-3," U2 ":1-3", U1 ":1-3", U2 ":1-3",
	     false, false},
	    {U1 ":2-4", U1 ":1-5", U1 ":1-5", "", U1 ":1:5", true, false},
	    {"", U1 ":1", U1 ":1", "", U1 ":1", true, false},
	    {U1 ":1-5:t:1-5", U1 ":t:3", U1 ":1-5:t:1-5", U1 ":1-5:t:1-2:4-5",
	     "", false, true},
	    {U1 ":1-5", U1 ":1-5", U1 ":1-5", "", "", true, true},
	    {U1 ":1:3:5:7", U1 ":2:4:6", U1 ":1-7", U1 ":1:3:5:7", U1 ":2:4:6",
	     false, false},
	    {U1 ":10-20", U1 ":1-9:21-30", U1 ":1-30", U1 ":10-20",
	     U1 ":1-9:21-30", false, false},
	    {U1 ":1-10:20-30", U1 ":5-25", U1 ":1-30", U1 ":1-4:26-30",
	     U1 ":11-19", false, false},
	    {U1 ":1-100", U1 ":1-9:11-19:21-100", U1 ":1-100", U1 ":10:20", "",
	     false, true},
	    {U1 ":1-5," U2 ":1-5", U2 ":3:a:1", U1 ":1-5," U2 ":1-5:a:1",
	     U1 ":1-5," U2 ":1-2:4-5", U2 ":a:1", false, false},
	    {U1 ":a:1-5", U1 ":b:1-5", U1 ":a:1-5:b:1-5", U1 ":a:1-5",
	     U1 ":b:1-5", false, false},
	    {U1 ":1-9223372036854775806", U1 ":5", U1 ":1-9223372036854775806",
	     U1 ":1-4:6-9223372036854775806", "", false, true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_algebra(&cases[i], i);
}

static void test_algebra_mariadb(void **state)
{
	static const struct algebra_case cases[] = {
	    {"0-1-100,1-2-5", "0-1-90,2-3-7", "0-1-100,1-2-5,2-3-7",
	     "0-1-100,1-2-5", "2-3-7", false, false},
	    {"0-1-5", "0-2-9", "0-2-9", "", "0-2-9", true, false},
	    {"", "1-1-1", "1-1-1", "", "1-1-1", true, false},
	    {"0-1-1,1-1-1,2-1-1", "1-1-1", "0-1-1,1-1-1,2-1-1", "0-1-1,2-1-1",
	     "", false, true},
	    {"0-1-5,1-1-5", "0-1-5,1-1-5", "0-1-5,1-1-5", "", "", true, true},
	    {"5-1-10", "5-1-11", "5-1-11", "", "5-1-11", true, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_algebra(&cases[i], i);
}

static void test_mariadb_server_ids(void **state)
{
	struct gtid_set *a = parse_ok("0-1-5"), *b = parse_ok("0-2-5");
	struct sl_err err;

	/* Same position, different server: subsets both ways, yet not equal
	 * (equal compares what prints); union keeps a's entry on a tie. */
	assert_true(gtid_set_is_subset(a, b));
	assert_true(gtid_set_is_subset(b, a));
	assert_false(gtid_set_equal(a, b));
	assert_int_equal(gtid_set_union(a, b, &err), 0);
	assert_string_equal(fmt(a), "0-1-5");
	assert_int_equal(gtid_set_subtract(a, b, &err), 0);
	assert_string_equal(fmt(a), "");
	gtid_set_free(a);
	gtid_set_free(b);
}

static void test_flavour_clash(void **state)
{
	struct gtid_set *my = parse_ok(U1 ":1"), *ma = parse_ok("0-1-1");
	struct gtid_set *any = gtid_set_new(GTID_ANY);
	struct gtid_set *empty_ma = gtid_set_new(GTID_MARIADB);
	struct gtid g = gtid_of("0-1-1");
	struct sl_err err;

	assert_int_equal(gtid_set_union(my, ma, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "cannot combine a MySQL set with a "
	                                "MariaDB set"));
	assert_int_equal(gtid_set_subtract(my, ma, &err), SL_EINVAL);
	assert_int_equal(gtid_set_add(my, &g, &err), SL_EINVAL);
	assert_string_equal(fmt(my), U1 ":1");
	assert_false(gtid_set_is_subset(my, ma));
	assert_false(gtid_set_equal(my, ma));
	assert_false(gtid_set_contains(my, &g));
	/* Empty sets compare equal whatever their flavour. */
	assert_true(gtid_set_equal(any, empty_ma));
	assert_true(gtid_set_is_subset(empty_ma, my));
	/* A flavourless set adopts the first flavour it meets. */
	assert_int_equal(gtid_set_union(any, empty_ma, &err), 0);
	assert_int_equal(gtid_set_flavour(any), GTID_MARIADB);
	assert_int_equal(gtid_set_union(any, my, &err), SL_EINVAL);
	gtid_set_clear(any);
	assert_int_equal(gtid_set_flavour(any), GTID_MARIADB);
	g.flavour = GTID_ANY;
	assert_int_equal(gtid_set_add(any, &g, &err), SL_EINVAL);
	gtid_set_free(my);
	gtid_set_free(ma);
	gtid_set_free(any);
	gtid_set_free(empty_ma);
}

static void test_contains(void **state)
{
	static const struct {
		const char *gtid;
		bool in;
	} my_cases[] =
	    {
	        {U1 ":1", true},    {U1 ":5", true},    {U1 ":6", false},
	        {U1 ":9", false},   {U1 ":10", true},   {U1 ":15", true},
	        {U1 ":20", true},   {U1 ":21", false},  {U1 ":t:7", true},
	        {U1 ":T:7", true},  {U1 ":t:6", false}, {U1 ":7", false},
	        {U1 ":u:7", false}, {U2 ":1", false},   {U2 ":30", true},
	        {"0-1-1", false},
	    },
	  ma_cases[] = {
	      {"0-9-100", true}, {"0-1-101", false}, {"0-1-1", true},
	      {"5-2-7", true},   {"5-2-8", false},   {"1-1-1", false},
	      {U1 ":1", false},
	  };
	struct gtid_set *my = parse_ok(U1 ":1-5:10-20:t:7," U2 ":30");
	struct gtid_set *ma = parse_ok("0-1-100,5-2-7");
	struct gtid g;

	for (size_t i = 0; i < sizeof(my_cases) / sizeof(my_cases[0]); i++) {
		g = gtid_of(my_cases[i].gtid);
		if (gtid_set_contains(my, &g) != my_cases[i].in)
			fail_msg("MySQL case %zu: %s", i, my_cases[i].gtid);
	}
	for (size_t i = 0; i < sizeof(ma_cases) / sizeof(ma_cases[0]); i++) {
		g = gtid_of(ma_cases[i].gtid);
		if (gtid_set_contains(ma, &g) != ma_cases[i].in)
			fail_msg("MariaDB case %zu: %s", i, ma_cases[i].gtid);
	}
	/* Tags in a struct gtid match whatever their case; bad tags never. */
	g = mysql_gtid(u1_bytes, "T", 7);
	assert_true(gtid_set_contains(my, &g));
	g = mysql_gtid(u1_bytes, "t-", 7);
	assert_false(gtid_set_contains(my, &g));
	gtid_set_free(my);
	gtid_set_free(ma);
}

static void test_add(void **state)
{
	struct gtid_set *s = gtid_set_new(GTID_ANY);
	struct gtid g;
	struct sl_err err;

	/* Streaming: each next gno extends the last interval. */
	for (uint64_t n = 1; n <= 1000000; n++) {
		g = mysql_gtid(u1_bytes, "", n);
		assert_int_equal(gtid_set_add(s, &g, &err), 0);
	}
	assert_int_equal(gtid_set_flavour(s), GTID_MYSQL);
	assert_string_equal(fmt(s), U1 ":1-1000000");
	/* Interleaved tsids, duplicates, gaps, out of order. */
	static const struct {
		const uint8_t *uuid;
		const char *tag;
		uint64_t gno;
	} adds[] = {
	    {u2_bytes, "", 5},  {u1_bytes, "b", 1}, {u2_bytes, "", 6},
	    {u1_bytes, "B", 2}, {u2_bytes, "", 3},  {u2_bytes, "", 5},
	    {u1_bytes, "", 1},  {u2_bytes, "", 1},  {u2_bytes, "", 2},
	    {u1_bytes, "A", 9}, {u2_bytes, "", 4},
	};
	for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		g = mysql_gtid(adds[i].uuid, adds[i].tag, adds[i].gno);
		assert_int_equal(gtid_set_add(s, &g, &err), 0);
	}
	assert_string_equal(fmt(s), U1 ":1-1000000:a:9:b:1-2," U2 ":1-6");

	/* Invalid GTIDs. */
	g = mysql_gtid(u1_bytes, "", 0);
	assert_int_equal(gtid_set_add(s, &g, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "gno 0 out of range"));
	g = mysql_gtid(u1_bytes, "", GTID_MAX_GNO + 1);
	assert_int_equal(gtid_set_add(s, &g, &err), SL_EINVAL);
	g = mysql_gtid(u1_bytes, "", GTID_MAX_GNO);
	assert_int_equal(gtid_set_add(s, &g, &err), 0);
	g = mysql_gtid(u1_bytes, "bad-tag", 1);
	assert_int_equal(gtid_set_add(s, &g, &err), SL_EINVAL);
	assert_non_null(strstr(err.msg, "invalid tag \"bad-tag\""));
	g = mysql_gtid(u1_bytes, "9tag", 1);
	assert_int_equal(gtid_set_add(s, &g, &err), SL_EINVAL);
	memset(g.mysql.tag, 'a', sizeof(g.mysql.tag)); /* no NUL */
	assert_int_equal(gtid_set_add(s, &g, &err), SL_EINVAL);
	assert_string_equal(fmt(s), U1 ":1-1000000:9223372036854775806:a:9:"
	                               "b:1-2," U2 ":1-6");
	gtid_set_free(s);

	/* MariaDB: the position only moves forward. */
	s = gtid_set_new(GTID_MARIADB);
	static const struct {
		const char *gtid, *after;
	} steps[] = {
	    {"0-1-5", "0-1-5"},
	    {"0-2-3", "0-1-5"},
	    {"0-2-6", "0-2-6"},
	    {"3-1-1", "0-2-6,3-1-1"},
	    {"1-1-9", "0-2-6,1-1-9,3-1-1"},
	    {"0-1-6", "0-2-6,1-1-9,3-1-1"},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		g = gtid_of(steps[i].gtid);
		assert_int_equal(gtid_set_add(s, &g, &err), 0);
		assert_string_equal(fmt(s), steps[i].after);
	}
	gtid_set_free(s);
}

/* Binary forms */

static void build_untagged(struct bytes *o)
{
	/* Deliberately unsorted: U2 first, its intervals out of order. */
	o->n = 0;
	put_u64(o, 2);
	put_raw(o, u2_bytes, 16);
	put_u64(o, 2);
	put_u64(o, 5);
	put_u64(o, 6);
	put_u64(o, 1);
	put_u64(o, 4);
	put_raw(o, u1_bytes, 16);
	put_u64(o, 1);
	put_u64(o, 1);
	put_u64(o, 11);
}

/* In canonical order, so the encoder must reproduce it byte for byte. */
static void build_tagged(struct bytes *o)
{
	o->n = 0;
	put_u64(o, 1 | (2ull << 8) | (1ull << 56));
	put_raw(o, u1_bytes, 16);
	put_u8(o, 0); /* empty tag */
	put_u64(o, 1);
	put_u64(o, 1);
	put_u64(o, 14);
	put_raw(o, u1_bytes, 16);
	put_u8(o, 5 << 1);
	put_raw(o, "mytag", 5);
	put_u64(o, 1);
	put_u64(o, 1);
	put_u64(o, 3);
}

static void test_decode_mysql(void **state)
{
	struct gtid_set *s = gtid_set_new(GTID_ANY);
	struct bytes o;
	struct sl_err err;
	struct sbuf b;

	build_untagged(&o);
	assert_int_equal(gtid_set_decode_mysql(s, o.b, o.n, &err), 0);
	assert_string_equal(fmt(s), U1 ":1-10," U2 ":1-3:5");
	assert_int_equal(gtid_set_flavour(s), GTID_MYSQL);

	/* Decoding adds to what is there. */
	gtid_set_clear(s);
	assert_int_equal(gtid_set_parse(s, U1 ":20", 39, &err), 0);
	assert_int_equal(gtid_set_decode_mysql(s, o.b, o.n, &err), 0);
	assert_string_equal(fmt(s), U1 ":1-10:20," U2 ":1-3:5");

	/* Tagged (8.3+) form, and the encoder's output for it. */
	gtid_set_clear(s);
	build_tagged(&o);
	assert_int_equal(gtid_set_decode_mysql(s, o.b, o.n, &err), 0);
	assert_string_equal(fmt(s), U1 ":1-13:mytag:1-2");
	sbuf_init(&b);
	assert_int_equal(gtid_set_encode_mysql(s, &b, &err), 0);
	assert_int_equal(b.len, o.n);
	assert_memory_equal(b.p, o.b, o.n);

	/* The empty set: eight zero bytes both ways. */
	gtid_set_clear(s);
	sbuf_reset(&b);
	assert_int_equal(gtid_set_encode_mysql(s, &b, &err), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(
	    gtid_set_decode_mysql(s, (const uint8_t *)b.p, 8, &err), 0);
	assert_true(gtid_set_is_empty(s));
	sbuf_deinit(&b);
	gtid_set_free(s);
}

static void test_decode_mysql_truncated(void **state)
{
	void (*builders[])(struct bytes *) = {build_untagged, build_tagged};

	/* Every proper prefix is malformed; so is one extra byte. */
	for (size_t k = 0; k < 2; k++) {
		struct bytes o;

		builders[k](&o);
		for (size_t n = 0; n < o.n; n++) {
			struct gtid_set *s = parse_ok(U1 ":99");
			uint8_t *copy = malloc(n ? n : 1);
			struct sl_err err;

			/* An exact-size heap copy lets ASan catch overreads. */
			memcpy(copy, o.b, n);
			sl_err_clear(&err);
			if (gtid_set_decode_mysql(s, copy, n, &err) !=
			    SL_EPROTO)
				fail_msg("builder %zu prefix %zu decoded", k,
				         n);
			assert_non_null(strstr(err.msg, "binary GTID set: at "
			                                "byte "));
			assert_string_equal(fmt(s), U1 ":99");
			free(copy);
			gtid_set_free(s);
		}
		put_u8(&o, 0);
		{
			struct gtid_set *s = gtid_set_new(GTID_ANY);
			struct sl_err err;

			assert_int_equal(
			    gtid_set_decode_mysql(s, o.b, o.n, &err),
			    SL_EPROTO);
			assert_non_null(strstr(err.msg, "1 bytes after the "
			                                "set"));
			gtid_set_free(s);
		}
	}
}

static void test_decode_mysql_malformed(void **state)
{
	enum {
		START_ZERO,
		EMPTY_IV,
		BACKWARDS,
		END_TOO_BIG,
		MANY_SIDS,
		MANY_IVS,
		FORMAT,
		BAD_TAG,
		LONG_TAG,
		N_CASES
	};
	static const char *const want[N_CASES] = {
	    "bad interval [0, 5)",
	    "bad interval [5, 5)",
	    "bad interval [5, 4)",
	    "bad interval [1, 9223372036854775808)",
	    "SIDs cannot fit",
	    "intervals cannot fit",
	    "unknown GTID set format",
	    "invalid tag",
	    "invalid tag",
	};

	for (int c = 0; c < N_CASES; c++) {
		struct gtid_set *s = gtid_set_new(GTID_ANY);
		uint64_t start = 1, end = 5, n_iv = 1;
		struct bytes o = {.n = 0};
		struct sl_err err;
		bool tagged = c == BAD_TAG || c == LONG_TAG;

		switch (c) {
		case START_ZERO: start = 0; break;
		case EMPTY_IV: start = 5; break;
		case BACKWARDS:
			start = 5;
			end = 4;
			break;
		case END_TOO_BIG: end = (uint64_t)INT64_MAX + 1; break;
		case MANY_IVS: n_iv = UINT64_MAX; break;
		default: break;
		}
		if (c == MANY_SIDS)
			put_u64(&o, (1ull << 56) - 1);
		else if (c == FORMAT)
			put_u64(&o, 2 | (1ull << 8) | (2ull << 56));
		else if (tagged)
			put_u64(&o, 1 | (1ull << 8) | (1ull << 56));
		else
			put_u64(&o, 1);
		put_raw(&o, u1_bytes, 16);
		if (c == BAD_TAG) {
			put_u8(&o, 3 << 1);
			put_raw(&o, "a-b", 3);
		} else if (c == LONG_TAG) {
			put_u8(&o, 33 << 1);
			for (int i = 0; i < 33; i++)
				put_u8(&o, 'a');
		}
		put_u64(&o, n_iv);
		put_u64(&o, start);
		put_u64(&o, end);
		sl_err_clear(&err);
		if (gtid_set_decode_mysql(s, o.b, o.n, &err) != SL_EPROTO ||
		    strstr(err.msg, want[c]) == NULL)
			fail_msg("case %d: \"%s\", want \"%s\"", c, err.msg,
			         want[c]);
		assert_true(gtid_set_is_empty(s));
		gtid_set_free(s);
	}

	/* Wrong flavour. */
	{
		struct gtid_set *ma = gtid_set_new(GTID_MARIADB);
		struct bytes o;
		struct sbuf b;
		struct sl_err err;

		build_untagged(&o);
		assert_int_equal(gtid_set_decode_mysql(ma, o.b, o.n, &err),
		                 SL_EINVAL);
		sbuf_init(&b);
		assert_int_equal(gtid_set_encode_mysql(ma, &b, &err),
		                 SL_EINVAL);
		sbuf_deinit(&b);
		gtid_set_free(ma);
	}
}

static void test_encode_round_trip(void **state)
{
	static const char *const texts[] = {
	    "",
	    U1 ":1",
	    U1 ":1-5:7:9-9223372036854775806," U2 ":3",
	    U1 ":a:1," U2 ":1-2:b:3:z:4-5",
	};
	struct sbuf b;
	struct sl_err err;

	sbuf_init(&b);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct gtid_set *s = parse_ok(texts[i]);
		struct gtid_set *t = gtid_set_new(GTID_MYSQL);

		sbuf_reset(&b);
		assert_int_equal(gtid_set_encode_mysql(s, &b, &err), 0);
		assert_int_equal(
		    gtid_set_decode_mysql(t, (const uint8_t *)b.p, b.len, &err),
		    0);
		if (!gtid_set_equal(s, t))
			fail_msg("case %zu: \"%s\" came back as \"%s\"", i,
			         texts[i], fmt(t));
		gtid_set_free(s);
		gtid_set_free(t);
	}
	/* The untagged form, byte for byte. */
	{
		struct gtid_set *s = parse_ok(U1 ":1-10," U2 ":1-3:5");
		struct bytes o = {.n = 0};

		put_u64(&o, 2);
		put_raw(&o, u1_bytes, 16);
		put_u64(&o, 1);
		put_u64(&o, 1);
		put_u64(&o, 11);
		put_raw(&o, u2_bytes, 16);
		put_u64(&o, 2);
		put_u64(&o, 1);
		put_u64(&o, 4);
		put_u64(&o, 5);
		put_u64(&o, 6);
		sbuf_reset(&b);
		assert_int_equal(gtid_set_encode_mysql(s, &b, &err), 0);
		assert_int_equal(b.len, o.n);
		assert_memory_equal(b.p, o.b, o.n);
		gtid_set_free(s);
	}
	sbuf_deinit(&b);
}

static void test_decode_mariadb(void **state)
{
	struct gtid_set *s = gtid_set_new(GTID_ANY);
	struct bytes o = {.n = 0};
	struct sl_err err;

	/* A binlog state: two server_ids in domain 0, flags in the count. */
	put_u32(&o, 3 | (1u << 28));
	put_u32(&o, 7);
	put_u32(&o, 101);
	put_u64(&o, 5000);
	put_u32(&o, 0);
	put_u32(&o, 202);
	put_u64(&o, 67);
	put_u32(&o, 0);
	put_u32(&o, 101);
	put_u64(&o, 87);
	assert_int_equal(gtid_set_decode_mariadb(s, o.b, o.n, &err), 0);
	assert_string_equal(fmt(s), "0-101-87,7-101-5000");
	assert_int_equal(gtid_set_flavour(s), GTID_MARIADB);

	/* Every proper prefix is malformed (or, at 0, too short). */
	for (size_t n = 0; n < o.n; n++) {
		struct gtid_set *t = parse_ok("9-9-9");
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, o.b, n);
		sl_err_clear(&err);
		assert_int_equal(gtid_set_decode_mariadb(t, copy, n, &err),
		                 SL_EPROTO);
		assert_non_null(strstr(err.msg, "GTID_LIST: at byte "));
		assert_string_equal(fmt(t), "9-9-9");
		free(copy);
		gtid_set_free(t);
	}
	/* Trailing bytes are ignored, as by the server. */
	gtid_set_clear(s);
	put_u8(&o, 0xee);
	assert_int_equal(gtid_set_decode_mariadb(s, o.b, o.n, &err), 0);
	assert_string_equal(fmt(s), "0-101-87,7-101-5000");
	/* An empty list. */
	gtid_set_clear(s);
	assert_int_equal(
	    gtid_set_decode_mariadb(s, (const uint8_t *)"\0\0\0\0", 4, &err),
	    0);
	assert_true(gtid_set_is_empty(s));
	/* A huge count. */
	o.n = 0;
	put_u32(&o, 0x0fffffff);
	put_u64(&o, 0);
	assert_int_equal(gtid_set_decode_mariadb(s, o.b, o.n, &err), SL_EPROTO);
	assert_non_null(strstr(err.msg, "268435455 GTIDs cannot fit"));
	gtid_set_free(s);

	/* Wrong flavour. */
	s = gtid_set_new(GTID_MYSQL);
	assert_int_equal(
	    gtid_set_decode_mariadb(s, (const uint8_t *)"\0\0\0\0", 4, &err),
	    SL_EINVAL);
	gtid_set_free(s);
}

/* Real binlogs: the PREVIOUS_GTIDS (35) or GTID_LIST (163) event. */
static void test_fixtures(void **state)
{
	static const struct {
		const char *path;
		int type;
		const char *want;
	} cases[] = {
	    {"rust_mysql_common/binlog_transaction_with_GTID_TAG.000001", 35,
	     "55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2"},
	    {"rust_mysql_common/"
	     "binlog_transaction_previous_GTID_no_tag.000001",
	     35, "b9b88c66-0755-11f1-9899-4a9da94c4d71:1-2"},
	    {"rust_mysql_common/binlog_56_gtid_reserved_word.000001", 35, ""},
	    {"mysql_binlog_utils/mysql-bin56.000002", 35,
	     "7e23401a-c603-11e3-8e13-5e10e6a05cfb:1-5,"
	     "8186fc1e-c5ff-11e3-8df9-e66ccf50db66:1-11,"
	     "a6ce328c-c602-11e3-8e0d-e66ccf50db66:1-6,"
	     "b7009920-c601-11e3-8e07-5e10e6a05cfb:1-6"},
	    {"mysql_binlog_utils/only-header-mysql-bin", 35,
	     "5ade491e-e611-11e3-9f17-e66ccf50db66:1-186,"
	     "e57ada8e-e610-11e3-9f14-5e10e6a05cfb:6"},
	    {"mariadb-10.11-generated/row-full-crc32/mariadb-bin.000002", 163,
	     "0-101-87,7-101-5000"},
	    {"mariadb-poc/domain_id_0/mariadb-repl-bin.000004", 163,
	     "0-10-262175"},
	    {"rust_mysql_common/mariadb-bin.000001", 163, ""},
	};
	const char *dir = getenv("SL_FIXTURES");

	if (dir == NULL || dir[0] == '\0')
		skip(); /* ctest sets it; a bare run may not */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[1024];
		uint8_t *data;
		long size;
		size_t off = 4;
		FILE *f;
		bool seen = false;

		(void)snprintf(path, sizeof(path), "%s/%s", dir, cases[i].path);
		f = fopen(path, "rb");
		if (f == NULL)
			fail_msg("cannot open %s", path);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		size = ftell(f);
		assert_true(size > 4);
		rewind(f);
		data = malloc((size_t)size);
		assert_non_null(data);
		assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
		assert_int_equal(fclose(f), 0);
		while (off + 19 <= (size_t)size) {
			uint32_t len = (uint32_t)data[off + 9] |
			               (uint32_t)data[off + 10] << 8 |
			               (uint32_t)data[off + 11] << 16 |
			               (uint32_t)data[off + 12] << 24;
			struct gtid_set *s = gtid_set_new(GTID_ANY);
			struct sl_err err;
			const uint8_t *body = data + off + 19;
			size_t body_len = len - 19 - 4; /* all use CRC32 */
			struct sbuf b;
			int rc;

			assert_true(len >= 23 && off + len <= (size_t)size);
			if (data[off + 4] != cases[i].type) {
				gtid_set_free(s);
				off += len;
				continue;
			}
			rc =
			    cases[i].type == 35
			        ? gtid_set_decode_mysql(s, body, body_len, &err)
			        : gtid_set_decode_mariadb(s, body, body_len,
			                                  &err);
			if (rc != 0)
				fail_msg("%s: %s", cases[i].path, err.msg);
			assert_string_equal(fmt(s), cases[i].want);
			if (cases[i].type == 35) {
				/* Re-encoding gives the server's bytes. */
				sbuf_init(&b);
				assert_int_equal(
				    gtid_set_encode_mysql(s, &b, &err), 0);
				assert_int_equal(b.len, body_len);
				assert_memory_equal(b.p, body, body_len);
				sbuf_deinit(&b);
			}
			gtid_set_free(s);
			seen = true;
			break;
		}
		if (!seen)
			fail_msg("%s: no event of type %d", cases[i].path,
			         cases[i].type);
		free(data);
	}
}

/* Scale */

/* A permutation of 0..n-1 (n a power of two): odd multiplier, mod n. */
static uint64_t perm(uint64_t i, uint64_t n)
{
	return (i * 2654435761u + 12345) & (n - 1);
}

static void test_large_sets(void **state)
{
	enum { N = 1 << 14, BIG = 1 << 20 };
	struct gtid_set *odd = gtid_set_new(GTID_MYSQL);
	struct gtid_set *even = gtid_set_new(GTID_MYSQL);
	struct gtid_set *u, *t;
	struct sl_err err;
	struct gtid g;
	struct sbuf b;

	/* 2N single-gno intervals, added in scrambled order. */
	for (uint64_t i = 0; i < N; i++) {
		uint64_t k = perm(i, N);

		g = mysql_gtid(u1_bytes, "", 2 * k + 1);
		assert_int_equal(gtid_set_add(odd, &g, &err), 0);
		g = mysql_gtid(u1_bytes, "", 2 * k + 2);
		assert_int_equal(gtid_set_add(even, &g, &err), 0);
	}
	for (uint64_t n = 1; n <= 2 * N + 1; n++) {
		g = mysql_gtid(u1_bytes, "", n);
		assert_int_equal(gtid_set_contains(odd, &g),
		                 n % 2 == 1 && n <= 2 * N);
		assert_int_equal(gtid_set_contains(even, &g),
		                 n % 2 == 0 && n <= 2 * N);
	}
	assert_false(gtid_set_is_subset(odd, even));

	u = gtid_set_dup(odd);
	assert_int_equal(gtid_set_union(u, even, &err), 0);
	assert_string_equal(fmt(u), U1 ":1-32768");
	assert_int_equal(gtid_set_subtract(u, even, &err), 0);
	assert_true(gtid_set_equal(u, odd));

	/* Text and binary round trips of the big set. */
	sbuf_init(&b);
	gtid_set_format(odd, &b);
	assert_true(sbuf_ok(&b));
	t = gtid_set_new(GTID_ANY);
	assert_int_equal(gtid_set_parse(t, b.p, b.len, &err), 0);
	assert_true(gtid_set_equal(t, odd));
	sbuf_reset(&b);
	assert_int_equal(gtid_set_encode_mysql(odd, &b, &err), 0);
	assert_int_equal(b.len, 8 + 16 + 8 + (size_t)N * 16);
	gtid_set_clear(t);
	assert_int_equal(
	    gtid_set_decode_mysql(t, (const uint8_t *)b.p, b.len, &err), 0);
	assert_true(gtid_set_equal(t, odd));
	gtid_set_free(t);
	gtid_set_free(u);

	/* BIG intervals each, appended in order (O(1) per add); union and
	 * subtraction are linear merges. */
	t = gtid_set_new(GTID_ANY);
	u = gtid_set_new(GTID_ANY);
	for (uint64_t k = 0; k < BIG; k++) {
		g = mysql_gtid(u2_bytes, "", 2 * k + 1);
		assert_int_equal(gtid_set_add(t, &g, &err), 0);
		g = mysql_gtid(u2_bytes, "", 2 * k + 2);
		assert_int_equal(gtid_set_add(u, &g, &err), 0);
	}
	assert_int_equal(gtid_set_union(t, u, &err), 0);
	assert_string_equal(fmt(t), U2 ":1-2097152");
	assert_int_equal(gtid_set_subtract(t, u, &err), 0);
	assert_false(gtid_set_is_subset(u, t));
	assert_int_equal(gtid_set_union(u, t, &err), 0);
	assert_string_equal(fmt(u), U2 ":1-2097152");
	gtid_set_free(t);
	gtid_set_free(u);

	/* Many UUIDs, inserted in scrambled order. */
	u = gtid_set_new(GTID_ANY);
	for (uint64_t i = 0; i < 4096; i++) {
		uint8_t uuid[16] = {0};
		uint64_t k = perm(i, 4096);

		uuid[0] = (uint8_t)(k >> 8);
		uuid[15] = (uint8_t)k;
		g = mysql_gtid(uuid, "", k + 1);
		assert_int_equal(gtid_set_add(u, &g, &err), 0);
	}
	sbuf_reset(&b);
	gtid_set_format(u, &b);
	assert_int_equal(strncmp(sbuf_cstr(&b),
	                         "00000000-0000-0000-0000-000000000000:1,"
	                         "00000000-0000-0000-0000-000000000001:2,",
	                         78),
	                 0);
	t = gtid_set_new(GTID_ANY);
	assert_int_equal(gtid_set_parse(t, b.p, b.len, &err), 0);
	assert_true(gtid_set_equal(t, u));
	assert_true(gtid_set_is_subset(t, u));
	assert_int_equal(gtid_set_subtract(t, u, &err), 0);
	assert_true(gtid_set_is_empty(t));
	gtid_set_free(t);
	gtid_set_free(u);

	/* Many MariaDB domains. */
	u = gtid_set_new(GTID_ANY);
	for (uint32_t i = 0; i < 10000; i++) {
		g = gtid_of("0-1-1");
		g.mariadb.domain_id = (uint32_t)perm(i, 16384);
		g.mariadb.seq_no = i;
		assert_int_equal(gtid_set_add(u, &g, &err), 0);
	}
	sbuf_reset(&b);
	gtid_set_format(u, &b);
	t = parse_ok(sbuf_cstr(&b));
	assert_true(gtid_set_equal(t, u));
	gtid_set_free(t);
	gtid_set_free(u);

	sbuf_deinit(&b);
	gtid_set_free(odd);
	gtid_set_free(even);
}

/* Allocation failures: every call either succeeds or fails with
 * SL_ENOMEM and leaves a valid set (ASan/leak checks do the rest). */
static void test_out_of_memory(void **state)
{
	const char *ta = U1 ":1-3:5:7:9:a:1," U2 ":1:3";
	const char *tb = U1 ":4:6:8:b:2," U2 ":2:4:c:1:3:5";
	bool failed_once = false;

	for (uint64_t n = 1; n < 200; n++) {
		struct gtid_set *a = parse_ok(ta), *b = parse_ok(tb), *c;
		struct sl_err err;
		struct gtid g = mysql_gtid(u2_bytes, "d", 9);
		int rc;

		sl_mem_fail_after(n);
		rc = gtid_set_union(a, b, &err);
		if (rc == 0)
			rc = gtid_set_subtract(a, b, &err);
		if (rc == 0)
			rc = gtid_set_add(a, &g, &err);
		if (rc == 0)
			rc = gtid_set_parse(a, tb, strlen(tb), &err);
		c = gtid_set_dup(b);
		sl_mem_fail_after(0);
		assert_true(rc == 0 || rc == SL_ENOMEM);
		if (rc == SL_ENOMEM) {
			failed_once = true;
			assert_string_equal(err.msg, "gtid set: out of memory");
		}
		/* Whatever happened, a is a valid, canonical set. */
		{
			struct gtid_set *again = parse_ok(fmt(a));

			assert_true(gtid_set_equal(again, a));
			gtid_set_free(again);
		}
		gtid_set_free(c);
		gtid_set_free(a);
		gtid_set_free(b);
	}
	assert_true(failed_once);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_error_message),
	    cmocka_unit_test(test_parse_flavour_and_atomicity),
	    cmocka_unit_test(test_single_gtid),
	    cmocka_unit_test(test_algebra_mysql),
	    cmocka_unit_test(test_algebra_mariadb),
	    cmocka_unit_test(test_mariadb_server_ids),
	    cmocka_unit_test(test_flavour_clash),
	    cmocka_unit_test(test_contains),
	    cmocka_unit_test(test_add),
	    cmocka_unit_test(test_decode_mysql),
	    cmocka_unit_test(test_decode_mysql_truncated),
	    cmocka_unit_test(test_decode_mysql_malformed),
	    cmocka_unit_test(test_encode_round_trip),
	    cmocka_unit_test(test_decode_mariadb),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_large_sets),
	    cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

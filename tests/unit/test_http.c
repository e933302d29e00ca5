/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_http.c: the HTTP transport of the job's interface
 * (io/http.c).  Parser: a valid request cut at every byte offset and
 * every pair of offsets (each piece an exact-size heap copy, so ASan sees
 * any over-read), header names in any case, bad request lines and
 * headers, every size limit at and past its edge, bad Content-Length,
 * pipelined requests, the token check.  Response parser: tables.  Live,
 * on 127.0.0.1 with an ephemeral port: round trips through http_request,
 * 404/405 from the handler, 401 without or with a wrong token, the right
 * token in either header, malformed and oversized requests over a raw
 * socket, a request dribbled byte by byte, the idle timeout, the 503 when
 * every slot is taken, stop with a client still connected, client
 * errors (refused, timeout, bad arguments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/sbuf.h"
#include "core/value.h"
#include "io/http.h"

/* Parser helpers */

/* Feeds s[0..n) cut at the offsets in cuts[] (ascending), each piece an
 * exact-size heap copy.  Returns the last feed's result; *total: bytes
 * consumed overall. */
static int feed_cut(struct http_parser *p, const char *s, size_t n,
                    const size_t *cuts, size_t n_cuts, size_t *total,
                    struct sl_err *err)
{
	size_t from = 0;
	int rc = HTTP_PARSE_MORE;

	*total = 0;
	for (size_t k = 0; k <= n_cuts; k++) {
		size_t to = k < n_cuts ? cuts[k] : n;
		size_t used = 0;
		char *piece = malloc(to - from + 1);

		assert_non_null(piece);
		memcpy(piece, s + from, to - from);
		rc = http_parser_feed(p, piece, to - from, &used, err);
		free(piece);
		*total += used;
		if (rc != HTTP_PARSE_MORE)
			return rc;
		assert_int_equal(used, to - from);
		from = to;
	}
	return rc;
}

/* Parses s in one piece; returns the result (status in p->status). */
static int parse1(struct http_parser *p, const char *s)
{
	struct sl_err err;
	size_t used;

	http_parser_reset(p);
	return feed_cut(p, s, strlen(s), NULL, 0, &used, &err);
}

static void expect_status(const char *req, int status)
{
	struct http_parser p;
	int rc;

	http_parser_init(&p);
	rc = parse1(&p, req);
	if (rc >= 0 || p.status != status)
		fail_msg("request %.60s: rc %d status %d, expected %d", req, rc,
		         p.status, status);
	http_parser_deinit(&p);
}

static const char full_req[] = "\r\nPOST /pause?why=maint&x=1 HTTP/1.1\r\n"
                               "Host: 127.0.0.1:8250\r\n"
                               "Authorization: Bearer abc.DEF-123\r\n"
                               "X-Sluice-Token:   other-tok  \r\n"
                               "Connection: keep-alive, Close\r\n"
                               "Content-Type: application/json\r\n"
                               "Content-Length: 17\r\n"
                               "Expect: 100-continue\r\n"
                               "\r\n"
                               "{\"reason\":\"x\\ny\"}";

static void check_full(const struct http_parser *p)
{
	const struct http_req *r = &p->req;

	assert_string_equal(r->method, "POST");
	assert_string_equal(r->path, "/pause");
	assert_string_equal(r->query, "why=maint&x=1");
	assert_int_equal(r->body_len, 17);
	assert_int_equal(r->content_length, 17);
	assert_memory_equal(r->body, "{\"reason\":\"x\\ny\"}", 18);
	assert_int_equal(r->minor, 1);
	assert_true(r->close);
	assert_true(r->expect_continue);
	assert_int_equal(r->bearer.len, 11);
	assert_memory_equal(r->bearer.p, "abc.DEF-123", 11);
	assert_int_equal(r->x_token.len, 9);
	assert_memory_equal(r->x_token.p, "other-tok", 9);
}

/* Parser tests */

static void test_parse_simple(void **state)
{
	struct http_parser p;
	const char *s = "GET /status HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sl_err err;
	size_t used;

	(void)state;
	http_parser_init(&p);
	assert_int_equal(http_parser_feed(&p, s, strlen(s), &used, &err),
	                 HTTP_PARSE_DONE);
	assert_int_equal(used, strlen(s));
	assert_true(http_parser_head_done(&p));
	assert_string_equal(p.req.method, "GET");
	assert_string_equal(p.req.path, "/status");
	assert_string_equal(p.req.query, "");
	assert_int_equal(p.req.body_len, 0);
	assert_string_equal(p.req.body, "");
	assert_false(p.req.close);
	assert_int_equal(p.req.bearer.len, 0);
	assert_int_equal(p.req.x_token.len, 0);
	/* Done is sticky until reset. */
	assert_int_equal(http_parser_feed(&p, "x", 1, &used, &err),
	                 HTTP_PARSE_DONE);
	assert_int_equal(used, 0);
	/* The same parser serves the next request. */
	assert_int_equal(parse1(&p, "GET /metrics? HTTP/1.0\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.path, "/metrics");
	assert_string_equal(p.req.query, "");
	assert_true(p.req.close); /* HTTP/1.0 default */
	assert_int_equal(parse1(&p, "GET / HTTP/1.0\r\nConnection: "
	                            "Keep-Alive\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_false(p.req.close);
	/* LF alone ends lines too (RFC 9112 §2.2). */
	assert_int_equal(parse1(&p, "DELETE /x?a HTTP/1.1\nContent-Length: "
	                            "2\n\nab"),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.method, "DELETE");
	assert_string_equal(p.req.query, "a");
	assert_string_equal(p.req.body, "ab");
	http_parser_deinit(&p);
}

static void test_parse_split_everywhere(void **state)
{
	const size_t n = sizeof(full_req) - 1;
	struct http_parser p;
	struct sl_err err;
	size_t total, cuts[2];

	(void)state;
	http_parser_init(&p);
	for (size_t i = 0; i <= n; i++) {
		cuts[0] = i;
		http_parser_reset(&p);
		assert_int_equal(
		    feed_cut(&p, full_req, n, cuts, 1, &total, &err),
		    HTTP_PARSE_DONE);
		assert_int_equal(total, n);
		check_full(&p);
	}
	for (size_t i = 0; i <= n; i++)
		for (size_t j = i; j <= n; j++) {
			cuts[0] = i;
			cuts[1] = j;
			http_parser_reset(&p);
			assert_int_equal(
			    feed_cut(&p, full_req, n, cuts, 2, &total, &err),
			    HTTP_PARSE_DONE);
			assert_int_equal(total, n);
			check_full(&p);
		}
	/* Byte by byte. */
	http_parser_reset(&p);
	for (size_t i = 0; i < n; i++) {
		size_t used;
		int rc = http_parser_feed(&p, full_req + i, 1, &used, &err);

		assert_int_equal(used, 1);
		assert_int_equal(rc, i + 1 == n ? HTTP_PARSE_DONE
		                                : HTTP_PARSE_MORE);
		/* The head is done exactly after its empty line. */
		assert_int_equal(http_parser_head_done(&p), i + 1 >= n - 17);
	}
	check_full(&p);
	http_parser_deinit(&p);
}

static void test_parse_header_case(void **state)
{
	struct http_parser p;

	(void)state;
	http_parser_init(&p);
	assert_int_equal(parse1(&p, "GET /a HTTP/1.1\r\n"
	                            "content-LENGTH: 3\r\n"
	                            "AUTHORIZATION: bEaReR  tok1\r\n"
	                            "x-SLUICE-token: tok2\r\n"
	                            "CONNECTION: CLOSE\r\n"
	                            "eXpEcT: 100-CONTINUE\r\n\r\nxyz"),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.body, "xyz");
	assert_int_equal(p.req.bearer.len, 4);
	assert_memory_equal(p.req.bearer.p, "tok1", 4);
	assert_int_equal(p.req.x_token.len, 4);
	assert_memory_equal(p.req.x_token.p, "tok2", 4);
	assert_true(p.req.close);
	assert_true(p.req.expect_continue);
	/* Methods are case-sensitive and passed as sent. */
	assert_int_equal(parse1(&p, "get /a HTTP/1.1\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.method, "get");
	/* Other schemes carry no token. */
	assert_int_equal(parse1(&p, "GET / HTTP/1.1\r\nAuthorization: Basic "
	                            "dTpw\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_int_equal(p.req.bearer.len, 0);
	assert_int_equal(parse1(&p, "GET / HTTP/1.1\r\nAuthorization: "
	                            "Bearer\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_int_equal(p.req.bearer.len, 0);
	assert_int_equal(parse1(&p, "GET / HTTP/1.1\r\nAuthorization: "
	                            "Bearertok\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	assert_int_equal(p.req.bearer.len, 0);
	http_parser_deinit(&p);
}

static void test_parse_bad_request_line(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"GET\r\n\r\n", 400},
	    {"GET /\r\n\r\n", 400}, /* HTTP/0.9 */
	    {"GET  / HTTP/1.1\r\n\r\n", 400},
	    {"GET /  HTTP/1.1\r\n\r\n", 400},
	    {"GET / HTTP/1.1 \r\n\r\n", 400},
	    {" GET / HTTP/1.1\r\n\r\n", 400},
	    {"GET / HTTP/1.1 x\r\n\r\n", 400},
	    {"G(T / HTTP/1.1\r\n\r\n", 400},
	    {"GET http://h/ HTTP/1.1\r\n\r\n", 400},
	    {"GET * HTTP/1.1\r\n\r\n", 400},
	    {"OPTIONS * HTTP/1.1\r\n\r\n", 400},
	    {"GET /a\x01 HTTP/1.1\r\n\r\n", 400},
	    {"GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 400},
	    {"GET /\tx HTTP/1.1\r\n\r\n", 400},
	    {"GET / http/1.1\r\n\r\n", 400},
	    {"GET / HTTP/1.10\r\n\r\n", 400},
	    {"GET / HTTP/1\r\n\r\n", 400},
	    {"GET / HTTP/11.1\r\n\r\n", 400},
	    {"GET / HTTP/2.0\r\n\r\n", 505},
	    {"GET / HTTP/0.9\r\n\r\n", 505},
	    {"GET / HTTP/1.1\r\r\n\r\n", 400},
	    {"GET /\rx HTTP/1.1\r\n\r\n", 400},
	    {"\x16\x03\x01\x02\x01\x01\xfc\x03\x03\n", 400}, /* TLS-like */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_status(cases[i].req, cases[i].status);
}

static void test_parse_bad_headers(void **state)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\n: x\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\n\tA: b\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: b\r\n\r\r\n", 400},
	    {"GET / HTTP/1.1\r\nAuthorization: Bearer a\r\n"
	     "authorization: Bearer b\r\n\r\n",
	     400},
	    {"GET / HTTP/1.1\r\nX-Sluice-Token: a\r\nX-Sluice-Token: a\r\n\r\n",
	     400},
	    {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
	    {"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
	     "chunked\r\n\r\n",
	     501},
	};
	struct http_parser p;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_status(cases[i].req, cases[i].status);
	/* A NUL inside a value: fed with its length, not as a C string. */
	http_parser_init(&p);
	{
		static const char s[] = "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n";
		struct sl_err err;
		size_t used;

		assert_true(
		    http_parser_feed(&p, s, sizeof(s) - 1, &used, &err) < 0);
		assert_int_equal(p.status, 400);
		/* Failure is sticky. */
		assert_true(http_parser_feed(&p, "\r\n", 2, &used, &err) < 0);
		assert_int_equal(used, 0);
	}
	/* Obs-text in values is accepted (and ignored). */
	assert_int_equal(parse1(&p, "GET / HTTP/1.1\r\nUser-Agent: "
	                            "\xc3\xa9t\xc3\xa9\r\n\r\n"),
	                 HTTP_PARSE_DONE);
	http_parser_deinit(&p);
}

static void test_parse_bad_content_length(void **state)
{
	static const struct {
		const char *cl;
		int status;
	} cases[] = {
	    {"abc", 400},
	    {"-1", 400},
	    {"", 400},
	    {"1 2", 400},
	    {"+5", 400},
	    {"0x10", 400},
	    {"1,1", 400},
	    {"1.0", 400},
	    {"65537", 413},
	    {"99999999999999999999999999999", 413},
	    {"00000000000000000000000000000000000000001x", 400},
	};
	struct http_parser p;
	char req[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(req, sizeof(req),
		         "POST / HTTP/1.1\r\nContent-Length: %s\r\n\r\n",
		         cases[i].cl);
		expect_status(req, cases[i].status);
	}
	expect_status("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
	              "Content-Length: 1\r\n\r\nx",
	              400);
	/* Leading zeros and surrounding spaces are fine. */
	http_parser_init(&p);
	assert_int_equal(parse1(&p, "POST / HTTP/1.1\r\nContent-Length:  "
	                            "0002 \r\n\r\nab"),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.body, "ab");
	http_parser_deinit(&p);
}

static void test_parse_limits(void **state)
{
	struct http_parser p;
	struct sbuf b;
	struct sl_err err;
	size_t used;
	size_t fixed;

	(void)state;
	http_parser_init(&p);
	sbuf_init(&b);

	/* A request line past the head limit: 414. */
	sbuf_puts(&b, "GET /");
	while (b.len < HTTP_MAX_HEAD + 10)
		sbuf_putc(&b, 'a');
	assert_true(http_parser_feed(&p, b.p, b.len, &used, &err) < 0);
	assert_int_equal(p.status, 414);

	/* A head of exactly HTTP_MAX_HEAD bytes passes; one more is 431. */
	for (int extra = 0; extra <= 1; extra++) {
		sbuf_reset(&b);
		sbuf_puts(&b, "GET / HTTP/1.1\r\nX-Pad: ");
		/* 4: the closing "\r\n\r\n" */
		while (b.len < HTTP_MAX_HEAD - 4 + (size_t)extra)
			sbuf_putc(&b, 'p');
		sbuf_puts(&b, "\r\n\r\n");
		int rc = HTTP_PARSE_MORE;

		http_parser_reset(&p);
		for (size_t i = 0; i < b.len && rc == HTTP_PARSE_MORE;
		     i += 100) {
			size_t n = b.len - i < 100 ? b.len - i : 100;

			rc = http_parser_feed(&p, b.p + i, n, &used, &err);
			if (rc == HTTP_PARSE_DONE)
				assert_int_equal(i + used, b.len);
		}
		if (extra) {
			assert_true(rc < 0);
			assert_int_equal(p.status, 431);
		} else
			assert_int_equal(rc, HTTP_PARSE_DONE);
	}

	/* Many small headers: also 431. */
	sbuf_reset(&b);
	sbuf_puts(&b, "GET / HTTP/1.1\r\n");
	while (b.len < HTTP_MAX_HEAD + 100)
		sbuf_puts(&b, "A: b\r\n");
	sbuf_puts(&b, "\r\n");
	http_parser_reset(&p);
	assert_true(http_parser_feed(&p, b.p, b.len, &used, &err) < 0);
	assert_int_equal(p.status, 431);

	/* Endless empty lines before the request line: bounded too. */
	sbuf_reset(&b);
	while (b.len < HTTP_MAX_HEAD + 2)
		sbuf_puts(&b, "\r\n");
	http_parser_reset(&p);
	assert_true(http_parser_feed(&p, b.p, b.len, &used, &err) < 0);
	assert_int_equal(p.status, 414);

	/* The largest body passes, whole and split. */
	sbuf_reset(&b);
	sbuf_printf(&b, "POST /b HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
	            HTTP_MAX_BODY);
	fixed = b.len;
	for (int i = 0; i < HTTP_MAX_BODY; i++)
		sbuf_putc(&b, (char)('a' + i % 26));
	sbuf_puts(&b, "NEXT");
	http_parser_reset(&p);
	assert_int_equal(http_parser_feed(&p, b.p, b.len, &used, &err),
	                 HTTP_PARSE_DONE);
	assert_int_equal(used, b.len - 4);
	assert_int_equal(p.req.body_len, HTTP_MAX_BODY);
	assert_memory_equal(p.req.body, b.p + fixed, HTTP_MAX_BODY);
	assert_int_equal(p.req.body[HTTP_MAX_BODY], '\0');
	http_parser_reset(&p);
	for (size_t i = 0, n; i < b.len; i += n) {
		int rc;

		n = b.len - i < 1000 ? b.len - i : 1000;
		rc = http_parser_feed(&p, b.p + i, n, &used, &err);
		if (rc == HTTP_PARSE_DONE) {
			assert_int_equal(i + used, b.len - 4);
			break;
		}
		assert_int_equal(rc, HTTP_PARSE_MORE);
	}
	assert_memory_equal(p.req.body, b.p + fixed, HTTP_MAX_BODY);

	sbuf_deinit(&b);
	http_parser_deinit(&p);
}

static void test_parse_pipelined(void **state)
{
	static const char two[] = "GET /one HTTP/1.1\r\n\r\n"
	                          "POST /two HTTP/1.1\r\nContent-Length: 1\r\n"
	                          "\r\nZ";
	struct http_parser p;
	struct sl_err err;
	size_t used, first = strlen("GET /one HTTP/1.1\r\n\r\n");

	(void)state;
	http_parser_init(&p);
	assert_int_equal(
	    http_parser_feed(&p, two, sizeof(two) - 1, &used, &err),
	    HTTP_PARSE_DONE);
	assert_int_equal(used, first);
	assert_string_equal(p.req.path, "/one");
	http_parser_reset(&p);
	assert_int_equal(http_parser_feed(&p, two + first,
	                                  sizeof(two) - 1 - first, &used, &err),
	                 HTTP_PARSE_DONE);
	assert_string_equal(p.req.path, "/two");
	assert_string_equal(p.req.body, "Z");
	http_parser_deinit(&p);
}

static void test_token_ok(void **state)
{
	static const struct {
		const char *req;
		bool ok;
	} cases[] = {
	    {"GET / HTTP/1.1\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n\r\n", true},
	    {"GET / HTTP/1.1\r\nauthorization: bearer s3cret\r\n\r\n", true},
	    {"GET / HTTP/1.1\r\nX-Sluice-Token: s3cret\r\n\r\n", true},
	    {"GET / HTTP/1.1\r\nx-sluice-token:s3cret \r\n\r\n", true},
	    {"GET / HTTP/1.1\r\nAuthorization: Bearer s3cre\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nAuthorization: Bearer s3cret1\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nAuthorization: Bearer S3CRET\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nAuthorization: Basic s3cret\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nAuthorization: s3cret\r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nX-Sluice-Token: \r\n\r\n", false},
	    {"GET / HTTP/1.1\r\nX-Sluice-Token: wrong\r\n"
	     "Authorization: Bearer s3cret\r\n\r\n",
	     true},
	    {"GET / HTTP/1.1\r\nX-Sluice-Token: s3cret\r\n"
	     "Authorization: Bearer wrong\r\n\r\n",
	     true},
	    {"GET /?token=s3cret HTTP/1.1\r\n\r\n", false},
	};
	struct http_parser p;

	(void)state;
	http_parser_init(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse1(&p, cases[i].req), HTTP_PARSE_DONE);
		if (http_req_token_ok(&p.req, "s3cret") != cases[i].ok)
			fail_msg("case %zu: %s", i, cases[i].req);
		assert_false(http_req_token_ok(&p.req, ""));
	}
	http_parser_deinit(&p);
}

static void test_parse_response(void **state)
{
	static const struct {
		const char *resp;
		bool eof;
		int rc, status;
		const char *body;
	} cases[] = {
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false, 1, 200,
	     "hi"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi+more", false, 1,
	     200, "hi"},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nh", false, 0, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nh", true, SL_EPROTO,
	     0, ""},
	    {"HTTP/1.0 404 Not Found\r\n\r\nnone here", true, 1, 404,
	     "none here"},
	    {"HTTP/1.0 404 Not Found\r\n\r\nnone here", false, 0, 0, ""},
	    {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
	     "content-length: 0\r\n\r\n",
	     false, 1, 201, ""},
	    {"HTTP/1.1 204\r\n\r\n", false, 1, 204, ""},
	    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false,
	     SL_EUNSUPPORTED, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false, SL_EPROTO,
	     0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
	     "\r\n",
	     false, SL_EPROTO, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n", false,
	     SL_EPROTO, 0, ""},
	    {"HTTP/1.1 200 OK\r\nbogus\r\n\r\n", false, SL_EPROTO, 0, ""},
	    {"SSH-2.0-OpenSSH_9.2\r\n", false, SL_EPROTO, 0, ""},
	    {"HTTP/1.1 2000 OK\r\n\r\n", false, SL_EPROTO, 0, ""},
	    {"HTTP/1.1 600 OK\r\n\r\n", false, SL_EPROTO, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Le", false, 0, 0, ""},
	    {"HTTP/1.1 200 OK\r\nContent-Le", true, SL_EPROTO, 0, ""},
	    {"", true, SL_EPROTO, 0, ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *r = cases[i].resp;
		size_t len = strlen(r), off = 0, blen = 0;
		char *copy = malloc(len + 1);
		struct sl_err err;
		int status = 0, rc;

		memcpy(copy, r, len);
		rc = http_parse_response(copy, len, cases[i].eof, &status, &off,
		                         &blen, &err);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d", i, rc,
			         cases[i].rc);
		if (rc == 1) {
			assert_int_equal(status, cases[i].status);
			assert_int_equal(blen, strlen(cases[i].body));
			assert_memory_equal(copy + off, cases[i].body, blen);
		}
		free(copy);
	}
}

/* Live server helpers */

struct echo {
	int calls;
};

/* /echo answers {"method","path","query","body"}; GET /status is 200;
 * POST /status is 405; everything else 404. */
static void echo_handler(void *ctx, const struct http_req *req,
                         struct http_resp *resp)
{
	struct echo *e = ctx;

	e->calls++;
	if (!strcmp(req->path, "/echo")) {
		sbuf_puts(resp->body, "{\"method\":");
		value_json_string(resp->body, req->method, strlen(req->method));
		sbuf_puts(resp->body, ",\"path\":");
		value_json_string(resp->body, req->path, strlen(req->path));
		sbuf_puts(resp->body, ",\"query\":");
		value_json_string(resp->body, req->query, strlen(req->query));
		sbuf_puts(resp->body, ",\"body\":");
		value_json_string(resp->body, req->body, req->body_len);
		sbuf_puts(resp->body, "}");
		return;
	}
	if (!strcmp(req->path, "/status")) {
		if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
			http_resp_error(resp, 405, "use GET");
			resp->allow = "GET, HEAD";
			return;
		}
		resp->content_type = "text/plain; charset=utf-8";
		sbuf_puts(resp->body, "running\n");
		return;
	}
	http_resp_error(resp, 404, "no such path");
}

static struct http_server *start(const char *token, int idle_ms, int max_conns,
                                 struct echo *e)
{
	struct http_opts o;
	struct http_server *s = NULL;
	struct sl_err err;

	memset(&o, 0, sizeof(o));
	o.token = token;
	o.idle_ms = idle_ms;
	o.max_conns = max_conns;
	if (http_server_start(&o, echo_handler, e, &s, &err) != 0)
		fail_msg("start: %s", err.msg);
	assert_true(http_server_port(s) > 0);
	return s;
}

static int raw_connect(int port)
{
	struct sockaddr_in a;
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Reads until EOF (or the 5 s receive timeout) into out. */
static void raw_read_all(int fd, struct sbuf *out)
{
	char buf[4096];
	ssize_t n;

	sbuf_reset(out);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		sbuf_put(out, buf, (size_t)n);
	sbuf_cstr(out);
}

/* Sends s on a fresh connection, returns the whole answer in out. */
static void raw_exchange(int port, const char *s, size_t len, struct sbuf *out)
{
	int fd = raw_connect(port);

	assert_int_equal(send(fd, s, len, MSG_NOSIGNAL), (ssize_t)len);
	raw_read_all(fd, out);
	close(fd);
}

static int status_of(const struct sbuf *b)
{
	if (b->len < 12 || memcmp(b->p, "HTTP/1.1 ", 9) != 0)
		return -1;
	return atoi(b->p + 9);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
	                      .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Live tests */

static void test_live_roundtrip(void **state)
{
	struct echo e = {0};
	struct http_server *s;
	struct sbuf body;
	struct sl_err err;
	struct http_stats st;
	int status = 0, port;

	(void)state;
	sbuf_init(&body);
	s = start(NULL, 0, 0, &e);
	port = http_server_port(s);

	assert_int_equal(http_request("127.0.0.1", port, "GET", "/echo?q=1&r",
	                              NULL, NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 200);
	assert_string_equal(sbuf_cstr(&body), "{\"method\":\"GET\",\"path\":"
	                                      "\"/echo\",\"query\":\"q=1&r\","
	                                      "\"body\":\"\"}");
	assert_int_equal(http_request("localhost", port, "POST", "/echo", NULL,
	                              "{\"a\":[1,2]}", &body, &status, &err),
	                 0);
	assert_int_equal(status, 200);
	assert_string_equal(sbuf_cstr(&body),
	                    "{\"method\":\"POST\",\"path\":\"/echo\","
	                    "\"query\":\"\",\"body\":\"{\\\"a\\\":[1,2]}\"}");
	assert_int_equal(http_request("127.0.0.1", port, "GET", "/status", NULL,
	                              NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 200);
	assert_string_equal(sbuf_cstr(&body), "running\n");
	assert_int_equal(http_request("127.0.0.1", port, "GET", "/nope", NULL,
	                              NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 404);
	assert_string_equal(sbuf_cstr(&body), "{\"error\":\"no such path\"}\n");
	assert_int_equal(http_request("127.0.0.1", port, "POST", "/status",
	                              NULL, NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 405);

	/* The raw answers: headers as promised, HEAD without a body. */
	{
		static const char req[] = "POST /status HTTP/1.1\r\n\r\n";
		static const char head[] = "HEAD /status HTTP/1.1\r\n\r\n";

		raw_exchange(port, req, sizeof(req) - 1, &body);
		assert_int_equal(status_of(&body), 405);
		assert_non_null(strstr(body.p, "\r\nAllow: GET, HEAD\r\n"));
		assert_non_null(strstr(body.p, "\r\nConnection: close\r\n"));
		raw_exchange(port, head, sizeof(head) - 1, &body);
		assert_int_equal(status_of(&body), 200);
		assert_non_null(strstr(body.p, "\r\nContent-Length: 8\r\n"));
		assert_non_null(strstr(body.p, "\r\nContent-Type: text/plain; "
		                               "charset=utf-8\r\n"));
		assert_int_equal(body.len, strstr(body.p, "\r\n\r\n") + 4 -
		                               body.p); /* no body */
	}
	/* A bigger body, near the limit, and a request the server refuses. */
	{
		struct sbuf big;

		sbuf_init(&big);
		for (int i = 0; i < HTTP_MAX_BODY - 2; i++)
			sbuf_putc(&big, (char)('a' + i % 26));
		assert_int_equal(http_request("127.0.0.1", port, "PUT", "/echo",
		                              NULL, sbuf_cstr(&big), &body,
		                              &status, &err),
		                 0);
		assert_int_equal(status, 200);
		assert_int_equal(body.len,
		                 HTTP_MAX_BODY - 2 +
		                     strlen("{\"method\":\"PUT\",\"path\":"
		                            "\"/echo\",\"query\":\"\","
		                            "\"body\":\"\"}"));
		sbuf_putc(&big, 'x');
		sbuf_putc(&big, 'y');
		sbuf_putc(&big, 'z');
		assert_int_equal(http_request("127.0.0.1", port, "PUT", "/echo",
		                              NULL, sbuf_cstr(&big), &body,
		                              &status, &err),
		                 0);
		assert_int_equal(status, 413);
		assert_non_null(strstr(sbuf_cstr(&body), "\"error\""));
		sbuf_deinit(&big);
	}
	assert_int_equal(e.calls, 8);
	http_server_stats(s, &st);
	assert_int_equal(st.requests, 8);
	assert_int_equal(st.bad_requests, 1);
	http_server_stop(s);
	sbuf_deinit(&body);
}

static void test_live_token(void **state)
{
	static const char tok[] = "s3cret-T0k.en_~+/=";
	struct echo e = {0};
	struct http_server *s;
	struct sbuf body;
	struct sl_err err;
	struct http_stats st;
	int status = 0, port;
	char req[256];

	(void)state;
	sbuf_init(&body);
	s = start(tok, 0, 0, &e);
	port = http_server_port(s);

	assert_int_equal(http_request("127.0.0.1", port, "GET", "/status", NULL,
	                              NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 401);
	assert_string_equal(sbuf_cstr(&body),
	                    "{\"error\":\"missing or wrong token\"}\n");
	assert_int_equal(http_request("127.0.0.1", port, "GET", "/status",
	                              "s3cret-T0k.en_~+/", NULL, &body, &status,
	                              &err),
	                 0);
	assert_int_equal(status, 401);
	assert_null(strstr(sbuf_cstr(&body), "s3cret"));
	/* Unknown paths are not revealed without the token either. */
	assert_int_equal(http_request("127.0.0.1", port, "GET", "/nope", NULL,
	                              NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 401);
	assert_int_equal(e.calls, 0);

	assert_int_equal(http_request("127.0.0.1", port, "GET", "/status", tok,
	                              NULL, &body, &status, &err),
	                 0);
	assert_int_equal(status, 200);
	assert_int_equal(e.calls, 1);

	snprintf(req, sizeof(req),
	         "GET /status HTTP/1.1\r\nx-sluice-token: %s\r\n\r\n", tok);
	raw_exchange(port, req, strlen(req), &body);
	assert_int_equal(status_of(&body), 200);
	snprintf(req, sizeof(req),
	         "GET /status HTTP/1.1\r\nAuthorization: Basic %s\r\n\r\n",
	         tok);
	raw_exchange(port, req, strlen(req), &body);
	assert_int_equal(status_of(&body), 401);
	assert_non_null(strstr(body.p, "\r\nWWW-Authenticate: Bearer\r\n"));
	assert_null(strstr(body.p, tok));
	/* A 401 comes before the body is read: the client sending a body
	 * after the head still gets the answer. */
	snprintf(req, sizeof(req),
	         "POST /pause HTTP/1.1\r\nContent-Length: 60000\r\n\r\n");
	raw_exchange(port, req, strlen(req), &body);
	assert_int_equal(status_of(&body), 401);
	assert_int_equal(e.calls, 2);

	http_server_stats(s, &st);
	assert_int_equal(st.unauthorized, 5);
	assert_int_equal(st.requests, 2);
	http_server_stop(s);
	sbuf_deinit(&body);
}

static void test_live_bad_requests(void **state)
{
	struct echo e = {0};
	struct http_server *s;
	struct sbuf out, big;
	int port, fd;

	(void)state;
	sbuf_init(&out);
	sbuf_init(&big);
	s = start(NULL, 0, 0, &e);
	port = http_server_port(s);

	raw_exchange(port, "HELLO\r\n\r\n", 9, &out);
	assert_int_equal(status_of(&out), 400);
	assert_non_null(strstr(out.p, "{\"error\":\"bad request: "));
	assert_non_null(strstr(out.p, "\r\nContent-Type: application/json"));
	raw_exchange(port, "GET / HTTP/3.0\r\n\r\n", 18, &out);
	assert_int_equal(status_of(&out), 505);
	raw_exchange(port,
	             "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 46,
	             &out);
	assert_int_equal(status_of(&out), 501);

	/* Oversized head: 431, and the server goes on serving. */
	sbuf_puts(&big, "GET / HTTP/1.1\r\n");
	while (big.len < 3 * HTTP_MAX_HEAD)
		sbuf_puts(&big, "X-Filler: 0123456789abcdef\r\n");
	sbuf_puts(&big, "\r\n");
	raw_exchange(port, big.p, big.len, &out);
	assert_int_equal(status_of(&out), 431);
	/* Body over the limit, sent anyway: 413 arrives whole. */
	sbuf_reset(&big);
	sbuf_printf(&big, "POST /echo HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
	            4 * HTTP_MAX_BODY);
	for (int i = 0; i < 4 * HTTP_MAX_BODY; i++)
		sbuf_putc(&big, 'b');
	raw_exchange(port, big.p, big.len, &out);
	assert_int_equal(status_of(&out), 413);

	/* A request dribbled one byte at a time still works. */
	{
		static const char req[] = "POST /echo?d=1 HTTP/1.1\r\n"
		                          "Content-Length: 3\r\n\r\nabc";

		fd = raw_connect(port);
		for (size_t i = 0; i < sizeof(req) - 1; i++) {
			assert_int_equal(send(fd, req + i, 1, MSG_NOSIGNAL), 1);
			if (i % 8 == 0)
				sleep_ms(2);
		}
		raw_read_all(fd, &out);
		close(fd);
		assert_int_equal(status_of(&out), 200);
		assert_non_null(strstr(out.p, "\"body\":\"abc\""));
	}
	/* Expect: 100-continue gets its interim answer before the body. */
	{
		static const char head[] = "POST /echo HTTP/1.1\r\n"
		                           "Expect: 100-continue\r\n"
		                           "Content-Length: 2\r\n\r\n";
		char buf[64];
		ssize_t n;

		fd = raw_connect(port);
		assert_int_equal(send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL),
		                 sizeof(head) - 1);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_string_equal(buf, "HTTP/1.1 100 Continue\r\n\r\n");
		assert_int_equal(send(fd, "ok", 2, MSG_NOSIGNAL), 2);
		raw_read_all(fd, &out);
		close(fd);
		assert_int_equal(status_of(&out), 200);
		assert_non_null(strstr(out.p, "\"body\":\"ok\""));
	}
	/* A client that goes away mid-request costs nothing. */
	fd = raw_connect(port);
	assert_int_equal(send(fd, "GET /st", 7, MSG_NOSIGNAL), 7);
	close(fd);
	{
		struct sl_err err;
		int status;

		assert_int_equal(http_request("127.0.0.1", port, "GET",
		                              "/status", NULL, NULL, &out,
		                              &status, &err),
		                 0);
		assert_int_equal(status, 200);
	}
	http_server_stop(s);
	sbuf_deinit(&out);
	sbuf_deinit(&big);
}

static void test_live_idle_and_busy(void **state)
{
	struct echo e = {0};
	struct http_server *s;
	struct http_stats st;
	struct sbuf out;
	struct timespec t0, t1;
	int port, a, b;
	long ms;

	(void)state;
	sbuf_init(&out);
	s = start(NULL, 300, 1, &e);
	port = http_server_port(s);

	/* Silence: dropped after the idle time, without an answer. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = raw_connect(port);
	raw_read_all(a, &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(a);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_int_equal(out.len, 0);
	assert_true(ms >= 250 && ms < 3000);
	/* Half a request then silence: the same. */
	a = raw_connect(port);
	assert_int_equal(send(a, "GET / HTTP/1.1\r\n", 16, MSG_NOSIGNAL), 16);
	raw_read_all(a, &out);
	close(a);
	assert_int_equal(out.len, 0);

	/* One slot: a second client is turned away with a 503 while the
	 * first holds it. */
	a = raw_connect(port);
	assert_int_equal(send(a, "GET /", 5, MSG_NOSIGNAL), 5);
	sleep_ms(50);
	b = raw_connect(port);
	raw_read_all(b, &out);
	close(b);
	assert_int_equal(status_of(&out), 503);
	assert_non_null(strstr(out.p, "{\"error\":\"too many connections\"}"));
	assert_int_equal(send(a, "status HTTP/1.1\r\n\r\n", 19, MSG_NOSIGNAL),
	                 19);
	raw_read_all(a, &out);
	close(a);
	assert_int_equal(status_of(&out), 200);

	http_server_stats(s, &st);
	assert_int_equal(st.timeouts, 2);
	assert_int_equal(st.busy, 1);
	assert_int_equal(st.requests, 1);

	/* Stop with a client still connected: prompt, and it sees EOF.
	 * (Wait for the server to see the last client's close first, or
	 * this one could find the only slot still taken.) */
	sleep_ms(100);
	a = raw_connect(port);
	assert_int_equal(send(a, "GET /", 5, MSG_NOSIGNAL), 5);
	sleep_ms(50);
	http_server_stop(s);
	raw_read_all(a, &out);
	close(a);
	assert_int_equal(out.len, 0);
	sbuf_deinit(&out);
}

static void test_server_start_errors(void **state)
{
	struct echo e = {0};
	struct http_server *s, *s2 = NULL;
	struct http_opts o;
	struct sl_err err;
	char msg[64];

	(void)state;
	s = start(NULL, 0, 0, &e);
	memset(&o, 0, sizeof(o));
	o.port = http_server_port(s);
	assert_int_equal(http_server_start(&o, echo_handler, &e, &s2, &err),
	                 SL_EIO);
	assert_null(s2);
	snprintf(msg, sizeof(msg), "http: bind 127.0.0.1:%d: ", o.port);
	assert_non_null(strstr(err.msg, msg));
	http_server_stop(s);

	o.port = 70000;
	assert_int_equal(http_server_start(&o, echo_handler, &e, &s2, &err),
	                 SL_EINVAL);
	o.port = 0;
	o.token = "has space";
	assert_int_equal(http_server_start(&o, echo_handler, &e, &s2, &err),
	                 SL_EINVAL);
	assert_null(strstr(err.msg, "has space"));
	o.token = NULL;
	o.bind = "::1";
	if (http_server_start(&o, echo_handler, &e, &s2, &err) == 0) {
		struct sbuf body;
		int status;

		sbuf_init(&body);
		assert_int_equal(http_request("::1", http_server_port(s2),
		                              "GET", "/status", NULL, NULL,
		                              &body, &status, &err),
		                 0);
		assert_int_equal(status, 200);
		sbuf_deinit(&body);
		http_server_stop(s2);
	} /* else no IPv6 on this host */
	http_server_stop(NULL);
}

static void test_client_errors(void **state)
{
	struct sbuf body;
	struct sl_err err;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int status, lfd, port;
	struct timespec t0, t1;
	long ms;

	(void)state;
	sbuf_init(&body);
	/* A listener that never answers: the deadline holds. */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	port = ntohs(a.sin_port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(http_request_timeout("127.0.0.1", port, "GET",
	                                      "/status", "tok", NULL, 300,
	                                      &body, &status, &err),
	                 SL_EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 3000);
	assert_int_equal(err.sys_errno, ETIMEDOUT);
	assert_non_null(strstr(err.msg, "http://127.0.0.1:"));
	assert_null(strstr(err.msg, "tok"));
	/* Closed port: refused. */
	close(lfd);
	assert_int_equal(http_request("127.0.0.1", port, "GET", "/status", NULL,
	                              NULL, &body, &status, &err),
	                 SL_EIO);
	assert_int_equal(err.sys_errno, ECONNREFUSED);
	/* Bad arguments. */
	assert_int_equal(http_request("127.0.0.1", 0, "GET", "/", NULL, NULL,
	                              &body, &status, &err),
	                 SL_EINVAL);
	assert_int_equal(
	    http_request("", 80, "GET", "/", NULL, NULL, &body, &status, &err),
	    SL_EINVAL);
	assert_int_equal(http_request("127.0.0.1", 80, "G T", "/", NULL, NULL,
	                              &body, &status, &err),
	                 SL_EINVAL);
	assert_int_equal(http_request("127.0.0.1", 80, "GET", "status", NULL,
	                              NULL, &body, &status, &err),
	                 SL_EINVAL);
	assert_int_equal(http_request("127.0.0.1", 80, "GET", "/a\r\nX: y",
	                              NULL, NULL, &body, &status, &err),
	                 SL_EINVAL);
	assert_int_equal(http_request("127.0.0.1", 80, "GET", "/",
	                              "sec ret\r\n", NULL, &body, &status,
	                              &err),
	                 SL_EINVAL);
	assert_null(strstr(err.msg, "sec"));
	sbuf_deinit(&body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_simple),
	    cmocka_unit_test(test_parse_split_everywhere),
	    cmocka_unit_test(test_parse_header_case),
	    cmocka_unit_test(test_parse_bad_request_line),
	    cmocka_unit_test(test_parse_bad_headers),
	    cmocka_unit_test(test_parse_bad_content_length),
	    cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_parse_pipelined),
	    cmocka_unit_test(test_token_ok),
	    cmocka_unit_test(test_parse_response),
	    cmocka_unit_test(test_live_roundtrip),
	    cmocka_unit_test(test_live_token),
	    cmocka_unit_test(test_live_bad_requests),
	    cmocka_unit_test(test_live_idle_and_busy),
	    cmocka_unit_test(test_server_start_errors),
	    cmocka_unit_test(test_client_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

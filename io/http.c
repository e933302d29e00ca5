/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/http.c: HTTP/1.1 request parser, server thread and client (see
 * http.h).  The parser copies the request into one reused buffer: the
 * head line by line (each byte is looked at once, whatever the split),
 * then the body into room reserved when the head ends, so the pointers in
 * struct http_req never move.  The server is one thread around poll(2):
 * slot 0 is a wake-up pipe (http_server_stop), slot 1 the listening
 * socket, then a fixed array of connections, each READ -> WRITE -> DRAIN
 * (lingering close: after the answer, unread request bytes are discarded
 * for a moment so the client sees the answer rather than a reset).
 * Nothing is allocated per request once the buffers have grown.
 */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "http.h"

#include "core/mem.h"
#include "core/value.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Parser states (struct http_parser.state). */
enum { ST_REQLINE, ST_HEADERS, ST_BODY, ST_DONE, ST_FAILED };

#define NO_OFF ((size_t)-1)

/* Lingering close: how long unread request bytes are drained. */
#define DRAIN_MS 1000
/* Largest response head the client accepts. */
#define RESP_MAX_HEAD 65536

/* Request parsing */

/* RFC 9110 tchar: the characters of methods and header names. */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Visible ASCII, no space: request targets and tokens. */
static bool is_vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static bool name_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

void http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	sbuf_init(&p->buf);
	http_parser_reset(p);
}

void http_parser_deinit(struct http_parser *p)
{
	sbuf_deinit(&p->buf);
}

void http_parser_reset(struct http_parser *p)
{
	struct sbuf buf = p->buf;

	if (!sbuf_ok(&buf))
		sbuf_deinit(&buf); /* clears the sticky out-of-memory flag */
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	sbuf_reset(&p->buf);
	p->req.method = "";
	p->req.path = "";
	p->req.query = "";
	p->req.body = "";
	p->req.bearer.p = "";
	p->req.x_token.p = "";
	p->query_off = NO_OFF;
	p->bearer_off = NO_OFF;
	p->x_token_off = NO_OFF;
}

/* Marks the request failed with the status to answer; returns rc (the
 * sl_err_set call that produced it records the message). */
static int failed(struct http_parser *p, int status, int rc)
{
	p->state = ST_FAILED;
	p->status = status;
	p->rc = rc;
	return rc;
}

static int bad(struct http_parser *p, struct sl_err *err, const char *what)
{
	return failed(p, 400,
	              sl_err_set(err, SL_EPROTO, "bad request: %s", what));
}

/* "METHOD SP /target SP HTTP/1.x": s[0..n) without the line end. */
static int request_line(struct http_parser *p, char *s, size_t n,
                        struct sl_err *err)
{
	size_t i = 0, t, end;
	const char *v;
	char *q;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return bad(p, err, "malformed request line (method)");
	s[i] = '\0';
	t = ++i;
	if (t >= n || s[t] != '/')
		return bad(p, err,
		           "the request target must be an absolute path");
	while (i < n && is_vchar((unsigned char)s[i]))
		i++;
	if (i == n || s[i] != ' ')
		return bad(p, err, "malformed request line (target)");
	end = i;
	v = s + end + 1;
	if (n - end - 1 != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' ||
	    v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
		return bad(p, err, "malformed request line (version)");
	if (v[5] != '1')
		return failed(p, 505,
		              sl_err_set(err, SL_EPROTO,
		                         "HTTP version %.3s not supported",
		                         v + 5));
	p->req.minor = v[7] == '0' ? 0 : 1;
	s[end] = '\0';
	q = memchr(s + t, '?', end - t);
	if (q != NULL) {
		*q = '\0';
		p->query_off = (size_t)(q + 1 - p->buf.p);
	}
	p->method_off = (size_t)(s - p->buf.p);
	p->path_off = (size_t)(s + t - p->buf.p);
	p->state = ST_HEADERS;
	return 0;
}

static int content_length(struct http_parser *p, const char *v, size_t n,
                          struct sl_err *err)
{
	uint64_t x = 0;
	bool big = false;

	if (p->seen_cl)
		return bad(p, err, "more than one Content-Length");
	if (n == 0)
		return bad(p, err, "empty Content-Length");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return bad(p, err, "Content-Length is not a number");
		if (!big)
			x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > HTTP_MAX_BODY)
			big = true;
	}
	if (big)
		return failed(p, 413,
		              sl_err_set(err, SL_EPROTO,
		                         "request body over %d bytes",
		                         HTTP_MAX_BODY));
	p->seen_cl = true;
	p->req.content_length = (size_t)x;
	return 0;
}

/* Connection: a comma-separated list of options. */
static void connection(struct http_parser *p, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t a, b;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		a = i;
		while (i < n && v[i] != ',')
			i++;
		b = i;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (name_is(v + a, b - a, "close"))
			p->req.close = true;
		else if (name_is(v + a, b - a, "keep-alive"))
			p->keep_alive = true;
	}
}

/* Authorization: only "Bearer <token>" is ours; other schemes carry no
 * token (and earn a 401 when one is required). */
static int authorization(struct http_parser *p, const char *v, size_t n,
                         struct sl_err *err)
{
	size_t i = 0;

	if (p->seen_auth)
		return bad(p, err, "more than one Authorization");
	p->seen_auth = true;
	while (i < n && is_tchar((unsigned char)v[i]))
		i++;
	if (!name_is(v, i, "Bearer") || i == n || v[i] != ' ')
		return 0;
	while (i < n && v[i] == ' ')
		i++;
	p->bearer_off = (size_t)(v + i - p->buf.p);
	p->req.bearer.len = n - i;
	return 0;
}

/* "name: value": s[0..n) without the line end. */
static int header_line(struct http_parser *p, char *s, size_t n,
                       struct sl_err *err)
{
	size_t i = 0, a, b;
	const char *v;

	if (s[0] == ' ' || s[0] == '\t')
		return bad(p, err, "folded header line");
	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return bad(p, err, "malformed header line");
	a = i + 1;
	while (a < n && (s[a] == ' ' || s[a] == '\t'))
		a++;
	b = n;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	for (size_t k = a; k < b; k++) {
		unsigned char c = (unsigned char)s[k];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return failed(
			    p, 400,
			    sl_err_set(err, SL_EPROTO,
			               "bad request: control character in "
			               "header %.*s",
			               (int)(i < 64 ? i : 64), s));
	}
	v = s + a;
	if (name_is(s, i, "Content-Length"))
		return content_length(p, v, b - a, err);
	if (name_is(s, i, "Transfer-Encoding"))
		return failed(p, 501,
		              sl_err_set(err, SL_EUNSUPPORTED,
		                         "Transfer-Encoding is not supported "
		                         "(send Content-Length)"));
	if (name_is(s, i, "Connection"))
		connection(p, v, b - a);
	else if (name_is(s, i, "Authorization"))
		return authorization(p, v, b - a, err);
	else if (name_is(s, i, "X-Sluice-Token")) {
		if (p->seen_xtok)
			return bad(p, err, "more than one X-Sluice-Token");
		p->seen_xtok = true;
		p->x_token_off = (size_t)(v - p->buf.p);
		p->req.x_token.len = b - a;
	} else if (name_is(s, i, "Expect"))
		p->req.expect_continue = name_is(v, b - a, "100-continue");
	return 0;
}

static const char *at(const struct http_parser *p, size_t off)
{
	return off == NO_OFF ? "" : p->buf.p + off;
}

static void finish(struct http_parser *p)
{
	p->req.body = p->buf.p + p->head_len;
	p->req.body_len = p->req.content_length;
	p->buf.p[p->buf.len] = '\0'; /* room reserved by end_of_head */
	p->state = ST_DONE;
	p->rc = HTTP_PARSE_DONE;
}

/* The empty line: the head is complete.  Reserves the body's room now so
 * that the pointers handed out never move. */
static int end_of_head(struct http_parser *p, struct sl_err *err)
{
	p->head_len = p->buf.len;
	if (p->req.minor == 0 && !p->keep_alive)
		p->req.close = true;
	if (!sbuf_reserve(&p->buf, p->req.content_length + 1))
		return failed(p, 500,
		              sl_err_set(err, SL_ENOMEM,
		                         "out of memory for a %zu-byte body",
		                         p->req.content_length));
	p->req.method = at(p, p->method_off);
	p->req.path = at(p, p->path_off);
	p->req.query = at(p, p->query_off);
	p->req.bearer.p = at(p, p->bearer_off);
	p->req.x_token.p = at(p, p->x_token_off);
	p->head_done = true;
	p->state = ST_BODY;
	if (p->req.content_length == 0)
		finish(p);
	return 0;
}

/* One whole head line, LF included, at buf[line_start..len). */
static int take_line(struct http_parser *p, struct sl_err *err)
{
	char *s = p->buf.p + p->line_start;
	size_t n = p->buf.len - p->line_start - 1;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (memchr(s, '\r', n) != NULL)
		return bad(p, err, "CR inside a line");
	if (p->state == ST_REQLINE)
		/* RFC 9112 §2.2: empty lines before the request line are
		 * ignored (they still count against HTTP_MAX_HEAD). */
		return n == 0 ? 0 : request_line(p, s, n, err);
	if (n == 0)
		return end_of_head(p, err);
	return header_line(p, s, n, err);
}

int http_parser_feed(struct http_parser *p, const void *in_, size_t len,
                     size_t *used, struct sl_err *err)
{
	const char *in = in_;
	size_t off = 0;
	int rc;

	*used = 0;
	if (p->state == ST_DONE)
		return HTTP_PARSE_DONE;
	if (p->state == ST_FAILED)
		return sl_err_set(err, p->rc, "request already rejected (%d)",
		                  p->status);
	while (off < len && p->state < ST_BODY) {
		const char *nl = memchr(in + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (in + off)) + 1 : len - off;

		if (p->buf.len + n > HTTP_MAX_HEAD) {
			if (p->state == ST_REQLINE)
				return failed(
				    p, 414,
				    sl_err_set(err, SL_EPROTO,
				               "request line over %d bytes",
				               HTTP_MAX_HEAD));
			return failed(p, 431,
			              sl_err_set(err, SL_EPROTO,
			                         "request head over %d bytes",
			                         HTTP_MAX_HEAD));
		}
		sbuf_put(&p->buf, in + off, n);
		if (!sbuf_ok(&p->buf))
			return failed(p, 500,
			              sl_err_set(err, SL_ENOMEM,
			                         "out of memory reading a "
			                         "request"));
		off += n;
		if (nl == NULL)
			break;
		if ((rc = take_line(p, err)) != 0)
			return rc;
		p->line_start = p->buf.len;
	}
	if (p->state == ST_BODY && off < len) {
		size_t want =
		    p->req.content_length - (p->buf.len - p->head_len);
		size_t n = len - off < want ? len - off : want;

		memcpy(p->buf.p + p->buf.len, in + off, n);
		p->buf.len += n;
		off += n;
		if (n == want)
			finish(p);
	}
	*used = off;
	return p->state == ST_DONE ? HTTP_PARSE_DONE : HTTP_PARSE_MORE;
}

bool http_req_token_ok(const struct http_req *r, const char *token)
{
	unsigned char want[32], a[32], b[32];
	size_t n = strlen(token);
	int ok_a, ok_b;

	if (n == 0)
		return false;
	/* Hashing both sides first makes the comparison independent of the
	 * bytes and of the lengths sent. */
	crypto_generichash(want, sizeof(want), (const unsigned char *)token, n,
	                   NULL, 0);
	crypto_generichash(a, sizeof(a), (const unsigned char *)r->bearer.p,
	                   r->bearer.len, NULL, 0);
	crypto_generichash(b, sizeof(b), (const unsigned char *)r->x_token.p,
	                   r->x_token.len, NULL, 0);
	ok_a =
	    (sodium_memcmp(a, want, sizeof(want)) == 0) & (r->bearer.len > 0);
	ok_b =
	    (sodium_memcmp(b, want, sizeof(want)) == 0) & (r->x_token.len > 0);
	sodium_memzero(want, sizeof(want));
	return (ok_a | ok_b) != 0;
}

/* Responses */

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

static void json_error(struct sbuf *b, const char *msg)
{
	sbuf_reset(b);
	sbuf_puts(b, "{\"error\":");
	value_json_string(b, msg, strlen(msg));
	sbuf_puts(b, "}\n");
}

void http_resp_error(struct http_resp *resp, int status, const char *msg)
{
	resp->status = status;
	resp->content_type = "application/json";
	json_error(resp->body, msg);
}

/* A header value the handler set: one line, no controls. */
static bool header_safe(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return true;
}

/* Server */

enum { C_FREE, C_READ, C_WRITE, C_DRAIN };

struct http_conn {
	int fd;
	uint8_t state;
	bool checked;    /* token checked once the head was complete */
	bool continued;  /* 100 Continue sent */
	int64_t idle_at; /* dropped when silent (or draining) past this */
	int64_t dead_at; /* dropped at this age whatever it does */
	size_t out_off;  /* bytes of out already sent */
	struct sbuf out; /* the whole answer, head and body */
	struct http_parser parser;
};

struct http_server {
	int lfd;
	int wake[2]; /* pipe: stop writes a byte */
	int port;
	int idle_ms;
	int n_conns;
	char *token; /* copy; NULL when none; wiped on stop */
	http_handler_fn fn;
	void *ctx;
	pthread_t th;
	bool started;
	int64_t accept_pause; /* out of descriptors: retry accept then */
	struct sbuf body;     /* handler's response body */
	struct pollfd *pfd;   /* 2 + n_conns */
	struct http_conn *conns;
	_Atomic uint64_t n_requests, n_bad, n_unauth, n_timeouts, n_busy;
	char rbuf[4096];
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void conn_close(struct http_conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	http_parser_reset(&c->parser);
	if (!sbuf_ok(&c->out))
		sbuf_deinit(&c->out);
	sbuf_reset(&c->out);
}

static void conn_flush(struct http_server *s, struct http_conn *c, int64_t now)
{
	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->out_off,
		                 c->out.len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c);
			return; /* EAGAIN: poll for POLLOUT */
		}
		c->out_off += (size_t)n;
		c->idle_at = now + s->idle_ms;
	}
	/* All sent: half-close and drain what the client still sends. */
	shutdown(c->fd, SHUT_WR);
	c->state = C_DRAIN;
	c->idle_at = now + (s->idle_ms < DRAIN_MS ? s->idle_ms : DRAIN_MS);
}

/* Queues the answer and starts sending it. */
static void conn_respond(struct http_server *s, struct http_conn *c,
                         int64_t now, int status, const char *ctype,
                         const char *allow, const char *extra, bool head_only)
{
	struct sbuf *o = &c->out;
	bool no_body = status == 204 || status == 304;

	sbuf_reset(o);
	sbuf_printf(o, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	if (!no_body)
		sbuf_printf(o,
		            "Content-Type: %s\r\n"
		            "Content-Length: %zu\r\n",
		            ctype, s->body.len);
	if (allow != NULL)
		sbuf_printf(o, "Allow: %s\r\n", allow);
	sbuf_puts(o, extra);
	sbuf_puts(o, "Cache-Control: no-store\r\n"
	             "Connection: close\r\n\r\n");
	if (!head_only && !no_body)
		sbuf_put(o, s->body.p, s->body.len);
	if (!sbuf_ok(o)) {
		conn_close(c);
		return;
	}
	c->state = C_WRITE;
	c->out_off = 0;
	c->idle_at = now + s->idle_ms;
	conn_flush(s, c, now);
}

static void conn_error(struct http_server *s, struct http_conn *c, int64_t now,
                       int status, const char *msg, const char *extra)
{
	if (!sbuf_ok(&s->body))
		sbuf_deinit(&s->body);
	json_error(&s->body, msg);
	conn_respond(s, c, now, status, "application/json", NULL, extra, false);
}

static void conn_dispatch(struct http_server *s, struct http_conn *c,
                          int64_t now)
{
	const struct http_req *req = &c->parser.req;
	struct http_resp r;

	if (!sbuf_ok(&s->body))
		sbuf_deinit(&s->body);
	sbuf_reset(&s->body);
	r.status = 200;
	r.content_type = "application/json";
	r.allow = NULL;
	r.body = &s->body;
	count(&s->n_requests);
	s->fn(s->ctx, req, &r);
	if (!sbuf_ok(&s->body)) {
		conn_error(s, c, now, 500, "out of memory building the answer",
		           "");
		return;
	}
	if (r.status < 200 || r.status > 599) {
		conn_error(s, c, now, 500, "the handler set no valid status",
		           "");
		return;
	}
	if (r.content_type == NULL || !header_safe(r.content_type))
		r.content_type = "text/plain; charset=utf-8";
	if (r.allow != NULL && !header_safe(r.allow))
		r.allow = NULL;
	conn_respond(s, c, now, r.status, r.content_type, r.allow, "",
	             strcmp(req->method, "HEAD") == 0);
}

static void conn_read(struct http_server *s, struct http_conn *c, int64_t now)
{
	struct http_parser *p = &c->parser;
	struct sl_err err;
	size_t used;
	ssize_t n;
	int rc;

	n = recv(c->fd, s->rbuf, sizeof(s->rbuf), 0);
	if (n < 0 &&
	    (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		conn_close(c); /* the client went away */
		return;
	}
	c->idle_at = now + s->idle_ms;
	rc = http_parser_feed(p, s->rbuf, (size_t)n, &used, &err);
	if (rc < 0) {
		count(&s->n_bad);
		conn_error(s, c, now, p->status, err.msg, "");
		return;
	}
	if (http_parser_head_done(p) && !c->checked) {
		c->checked = true;
		if (s->token != NULL && !http_req_token_ok(&p->req, s->token)) {
			count(&s->n_unauth);
			conn_error(s, c, now, 401, "missing or wrong token",
			           "WWW-Authenticate: Bearer\r\n");
			return;
		}
		if (rc == HTTP_PARSE_MORE && p->req.expect_continue &&
		    !c->continued) {
			static const char cont[] =
			    "HTTP/1.1 100 Continue\r\n\r\n";

			/* Best effort: the socket buffer is empty now, and a
			 * client not told goes on after its own delay. */
			c->continued = true;
			(void)!send(c->fd, cont, sizeof(cont) - 1,
			            MSG_NOSIGNAL | MSG_DONTWAIT);
		}
	}
	if (rc == HTTP_PARSE_DONE)
		conn_dispatch(s, c, now);
}

static void conn_drain(struct http_server *s, struct http_conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, s->rbuf, sizeof(s->rbuf), 0);

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);
		return;
	}
}

/* Every slot taken: a quick 503, best effort, and close. */
static void refuse_busy(struct http_server *s, int fd)
{
	static const char body[] = "{\"error\":\"too many connections\"}\n";
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
	                 "HTTP/1.1 503 Service Unavailable\r\n"
	                 "Content-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Retry-After: 1\r\n"
	                 "Connection: close\r\n\r\n%s",
	                 sizeof(body) - 1, body);

	count(&s->n_busy);
	(void)!send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void accept_all(struct http_server *s, int64_t now)
{
	for (int k = 0; k < 64; k++) {
		struct http_conn *c = NULL;
		int fd =
		    accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				/* EMFILE, ENFILE, ENOBUFS: the client waits in
				 * the backlog; do not spin on it. */
				s->accept_pause = now + 100;
			return;
		}
		for (int i = 0; i < s->n_conns && c == NULL; i++)
			if (s->conns[i].state == C_FREE)
				c = &s->conns[i];
		if (c == NULL) {
			refuse_busy(s, fd);
			continue;
		}
		c->fd = fd;
		c->state = C_READ;
		c->checked = false;
		c->continued = false;
		c->idle_at = now + s->idle_ms;
		c->dead_at = now + HTTP_CONN_MAX_MS;
		c->out_off = 0;
	}
}

static void *server_main(void *arg)
{
	struct http_server *s = arg;
	struct pollfd *pfd = s->pfd;

	for (;;) {
		int64_t now = now_ms(), wake_at = INT64_MAX;
		int timeout = -1;

		pfd[0].fd = s->wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = s->accept_pause > now ? -1 : s->lfd;
		pfd[1].events = POLLIN;
		if (s->accept_pause > now)
			wake_at = s->accept_pause;
		for (int i = 0; i < s->n_conns; i++) {
			struct http_conn *c = &s->conns[i];

			pfd[2 + i].revents = 0;
			if (c->state == C_FREE) {
				pfd[2 + i].fd = -1;
				continue;
			}
			pfd[2 + i].fd = c->fd;
			pfd[2 + i].events =
			    c->state == C_WRITE ? POLLOUT : POLLIN;
			if (c->idle_at < wake_at)
				wake_at = c->idle_at;
			if (c->dead_at < wake_at)
				wake_at = c->dead_at;
		}
		if (wake_at != INT64_MAX)
			timeout = wake_at <= now ? 0 : (int)(wake_at - now);
		if (poll(pfd, (nfds_t)s->n_conns + 2, timeout) < 0) {
			if (errno != EINTR)
				poll(NULL, 0, 10); /* cannot happen; no spin */
			continue;
		}
		if (pfd[0].revents != 0)
			break;
		now = now_ms();
		if (pfd[1].fd >= 0 && (pfd[1].revents & POLLIN))
			accept_all(s, now);
		for (int i = 0; i < s->n_conns; i++) {
			struct http_conn *c = &s->conns[i];
			short ev = pfd[2 + i].revents;

			if (c->state == C_FREE || pfd[2 + i].fd != c->fd)
				continue; /* freed, or accepted just now */
			if (ev & POLLNVAL) {
				conn_close(c);
				continue;
			}
			if (ev != 0) {
				if (c->state == C_READ)
					conn_read(s, c, now);
				else if (c->state == C_WRITE)
					conn_flush(s, c, now);
				else
					conn_drain(s, c);
			}
			if (c->state != C_FREE &&
			    (now >= c->idle_at || now >= c->dead_at)) {
				if (c->state != C_DRAIN)
					count(&s->n_timeouts);
				conn_close(c);
			}
		}
	}
	for (int i = 0; i < s->n_conns; i++)
		if (s->conns[i].state != C_FREE)
			conn_close(&s->conns[i]);
	return NULL;
}

static void server_free(struct http_server *s)
{
	if (s->lfd >= 0)
		close(s->lfd);
	for (int i = 0; i < 2; i++)
		if (s->wake[i] >= 0)
			close(s->wake[i]);
	if (s->conns != NULL)
		for (int i = 0; i < s->n_conns; i++) {
			if (s->conns[i].fd >= 0)
				close(s->conns[i].fd);
			http_parser_deinit(&s->conns[i].parser);
			sbuf_deinit(&s->conns[i].out);
		}
	if (s->token != NULL) {
		sodium_memzero(s->token, strlen(s->token));
		sl_free(s->token);
	}
	sbuf_deinit(&s->body);
	sl_free(s->conns);
	sl_free(s->pfd);
	sl_free(s);
}

/* "host:port" or "[v6]:port" for messages. */
static void host_port(char *out, size_t cap, const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		snprintf(out, cap, "[%s]:%d", host, port);
	else
		snprintf(out, cap, "%s:%d", host, port);
}

static int server_listen(struct http_server *s, const char *bind_addr, int port,
                         struct sl_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char serv[16], where[300];
	int rc, saved = 0;

	host_port(where, sizeof(where), bind_addr, port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(bind_addr, serv, &hints, &res)) != 0)
		return sl_err_set(err, SL_EIO, "http: resolve %s: %s", where,
		                  gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int one = 1;
		int fd = socket(ai->ai_family,
		                ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		                ai->ai_protocol);

		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 16) == 0) {
			s->lfd = fd;
			break;
		}
		saved = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (s->lfd < 0)
		return sl_err_sys(err, saved ? saved : EADDRNOTAVAIL,
		                  "http: bind %s", where);
	return 0;
}

static int bound_port(int fd, int *port, struct sl_err *err)
{
	struct sockaddr_storage ss;
	socklen_t n = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &n) != 0)
		return sl_err_sys(err, errno, "http: getsockname");
	if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

static bool token_valid(const char *t)
{
	for (; *t; t++)
		if (!is_vchar((unsigned char)*t))
			return false;
	return true;
}

int http_server_start(const struct http_opts *o, http_handler_fn fn, void *ctx,
                      struct http_server **out, struct sl_err *err)
{
	const char *bind_addr =
	    o->bind && *o->bind ? o->bind : HTTP_DEFAULT_BIND;
	struct http_server *s;
	sigset_t all, old;
	int rc;

	*out = NULL;
	if (fn == NULL)
		return sl_err_set(err, SL_EINVAL, "http: no handler");
	if (o->port < 0 || o->port > 65535)
		return sl_err_set(err, SL_EINVAL, "http: port %d out of range",
		                  o->port);
	if (o->idle_ms < 0 || o->max_conns < 0 || o->max_conns > 1024)
		return sl_err_set(err, SL_EINVAL,
		                  "http: idle_ms and max_conns must be in "
		                  "range");
	if (o->token != NULL && *o->token &&
	    (!token_valid(o->token) || strlen(o->token) > 1024))
		/* the token itself is never part of a message */
		return sl_err_set(err, SL_EINVAL,
		                  "http: the token must be 1 to 1024 "
		                  "printable ASCII characters, no spaces");
	if (sodium_init() < 0)
		return sl_err_set(err, SL_EIO,
		                  "http: libsodium failed to "
		                  "start");
	if ((s = sl_calloc(1, sizeof(*s))) == NULL)
		return sl_err_set(err, SL_ENOMEM, "http: out of memory");
	s->lfd = -1;
	s->wake[0] = s->wake[1] = -1;
	s->fn = fn;
	s->ctx = ctx;
	s->idle_ms = o->idle_ms ? o->idle_ms : HTTP_DEFAULT_IDLE_MS;
	s->n_conns = o->max_conns ? o->max_conns : HTTP_DEFAULT_MAX_CONNS;
	sbuf_init(&s->body);
	s->conns = sl_calloc((size_t)s->n_conns, sizeof(*s->conns));
	s->pfd = sl_calloc((size_t)s->n_conns + 2, sizeof(*s->pfd));
	if (o->token != NULL && *o->token)
		s->token = sl_strndup(o->token, strlen(o->token));
	if (s->conns == NULL || s->pfd == NULL ||
	    (o->token != NULL && *o->token && s->token == NULL)) {
		sl_free(s->conns);
		s->conns = NULL;
		rc = sl_err_set(err, SL_ENOMEM, "http: out of memory");
		goto fail;
	}
	for (int i = 0; i < s->n_conns; i++) {
		s->conns[i].fd = -1;
		sbuf_init(&s->conns[i].out);
		http_parser_init(&s->conns[i].parser);
	}
	if ((rc = server_listen(s, bind_addr, o->port, err)) != 0 ||
	    (rc = bound_port(s->lfd, &s->port, err)) != 0)
		goto fail;
	if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		rc = sl_err_sys(err, errno, "http: pipe");
		goto fail;
	}
	/* The thread takes no signals: they belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->th, NULL, server_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		rc = sl_err_sys(err, rc, "http: thread");
		goto fail;
	}
	s->started = true;
	*out = s;
	return 0;
fail:
	server_free(s);
	return rc;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stats(const struct http_server *s, struct http_stats *st)
{
	st->requests =
	    atomic_load_explicit(&s->n_requests, memory_order_relaxed);
	st->bad_requests =
	    atomic_load_explicit(&s->n_bad, memory_order_relaxed);
	st->unauthorized =
	    atomic_load_explicit(&s->n_unauth, memory_order_relaxed);
	st->timeouts =
	    atomic_load_explicit(&s->n_timeouts, memory_order_relaxed);
	st->busy = atomic_load_explicit(&s->n_busy, memory_order_relaxed);
}

void http_server_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		while (write(s->wake[1], "x", 1) < 0 && errno == EINTR)
			;
		pthread_join(s->th, NULL);
	}
	server_free(s);
}

/* Response parsing (client side) */

/* Next line of p[*pos..len): its bounds without CR LF.  False when no LF
 * is there yet. */
static bool next_line(const char *p, size_t len, size_t *pos, size_t *a,
                      size_t *b)
{
	const char *nl = memchr(p + *pos, '\n', len - *pos);

	if (nl == NULL)
		return false;
	*a = *pos;
	*b = (size_t)(nl - p);
	*pos = *b + 1;
	if (*b > *a && p[*b - 1] == '\r')
		(*b)--;
	return true;
}

int http_parse_response(const char *p, size_t len, bool eof, int *status,
                        size_t *body_off, size_t *body_len, struct sl_err *err)
{
	size_t start = 0;

	for (;;) {
		size_t pos = start, a, b;
		uint64_t cl = 0;
		bool has_cl = false, chunked = false;
		int code;

		if (!next_line(p, len, &pos, &a, &b))
			goto more;
		if (b - a < 12 || memcmp(p + a, "HTTP/1.", 7) != 0 ||
		    p[a + 7] < '0' || p[a + 7] > '9' || p[a + 8] != ' ' ||
		    p[a + 9] < '1' || p[a + 9] > '5' || p[a + 10] < '0' ||
		    p[a + 10] > '9' || p[a + 11] < '0' || p[a + 11] > '9' ||
		    (b - a > 12 && p[a + 12] != ' '))
			return sl_err_set(err, SL_EPROTO,
			                  "not an HTTP/1.x response");
		code = (p[a + 9] - '0') * 100 + (p[a + 10] - '0') * 10 +
		       (p[a + 11] - '0');
		for (;;) {
			size_t c, v;

			if (!next_line(p, len, &pos, &a, &b))
				goto more;
			if (a == b)
				break;
			for (c = a; c < b && p[c] != ':'; c++)
				;
			if (c == b || c == a)
				return sl_err_set(err, SL_EPROTO,
				                  "malformed response header");
			v = c + 1;
			while (v < b && (p[v] == ' ' || p[v] == '\t'))
				v++;
			while (b > v && (p[b - 1] == ' ' || p[b - 1] == '\t'))
				b--;
			if (name_is(p + a, c - a, "Content-Length")) {
				uint64_t x = 0;

				if (v == b)
					return sl_err_set(
					    err, SL_EPROTO,
					    "empty Content-Length");
				for (; v < b; v++) {
					if (p[v] < '0' || p[v] > '9' ||
					    x > HTTP_CLIENT_MAX_RESP)
						return sl_err_set(
						    err, SL_EPROTO,
						    "bad Content-Length");
					x = x * 10 + (uint64_t)(p[v] - '0');
				}
				if (has_cl && x != cl)
					return sl_err_set(
					    err, SL_EPROTO,
					    "conflicting Content-Length");
				has_cl = true;
				cl = x;
			} else if (name_is(p + a, c - a, "Transfer-Encoding"))
				chunked = true;
		}
		if (cl > HTTP_CLIENT_MAX_RESP)
			return sl_err_set(err, SL_EPROTO,
			                  "response body over %zu bytes",
			                  HTTP_CLIENT_MAX_RESP);
		if (code < 200) {
			start = pos; /* interim (100 Continue): skip it */
			continue;
		}
		if (chunked)
			return sl_err_set(
			    err, SL_EUNSUPPORTED,
			    "chunked responses are not supported");
		*status = code;
		*body_off = pos;
		if (code == 204 || code == 304) {
			*body_len = 0;
			return 1;
		}
		if (has_cl) {
			if (len - pos >= cl) {
				*body_len = (size_t)cl;
				return 1;
			}
			if (eof)
				return sl_err_set(
				    err, SL_EPROTO,
				    "connection closed after %zu of "
				    "%llu body bytes",
				    len - pos, (unsigned long long)cl);
			return 0;
		}
		if (eof) {
			*body_len = len - pos;
			return 1;
		}
		return 0;
	more:
		if (len - start > RESP_MAX_HEAD)
			return sl_err_set(err, SL_EPROTO,
			                  "response head over %d bytes",
			                  RESP_MAX_HEAD);
		if (eof)
			return sl_err_set(
			    err, SL_EPROTO,
			    "connection closed inside the response "
			    "head");
		return 0;
	}
}

/* Client */

/* Waits for events on fd until the deadline: 0, or an errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd pf = {.fd = fd, .events = events};
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return ETIMEDOUT;
		n = poll(&pf, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return ETIMEDOUT;
		if (errno != EINTR)
			return errno;
	}
}

static int dial(const char *host, int port, int64_t deadline, const char *url,
                int *out, struct sl_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char serv[16];
	int rc, e = ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0)
		return sl_err_set(err, SL_EIO, "%s: resolve: %s", url,
		                  gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family,
		                ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		                ai->ai_protocol);
		socklen_t n = sizeof(e);

		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			*out = fd;
			freeaddrinfo(res);
			return 0;
		}
		e = errno;
		if (e == EINPROGRESS) {
			e = wait_fd(fd, POLLOUT, deadline);
			if (e == 0 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &n) != 0)
				e = errno;
			if (e == 0) {
				*out = fd;
				freeaddrinfo(res);
				return 0;
			}
		}
		close(fd);
		if (e == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	return sl_err_sys(err, e, "%s: connect", url);
}

static bool method_valid(const char *m)
{
	if (*m == '\0')
		return false;
	for (; *m; m++)
		if (!is_tchar((unsigned char)*m))
			return false;
	return true;
}

static int exchange(int fd, const struct sbuf *req, int64_t deadline,
                    const char *url, struct sbuf *in, int *status,
                    size_t *body_off, size_t *body_len, struct sl_err *err)
{
	size_t off = 0;
	bool eof = false;
	int rc, e;

	while (off < req->len) {
		ssize_t n =
		    send(fd, req->p + off, req->len - off, MSG_NOSIGNAL);

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return sl_err_sys(err, errno, "%s: send", url);
		if ((e = wait_fd(fd, POLLOUT, deadline)) != 0)
			return sl_err_sys(err, e, "%s: send", url);
	}
	for (;;) {
		ssize_t n;

		if (!sbuf_reserve(in, 16384))
			return sl_err_set(err, SL_ENOMEM,
			                  "%s: out of memory for the response",
			                  url);
		n = recv(fd, in->p + in->len, in->cap - in->len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return sl_err_sys(err, errno, "%s: receive",
				                  url);
			if ((e = wait_fd(fd, POLLIN, deadline)) != 0)
				return sl_err_sys(err, e, "%s: receive", url);
			continue;
		}
		if (n == 0)
			eof = true;
		in->len += (size_t)n;
		rc = http_parse_response(in->p, in->len, eof, status, body_off,
		                         body_len, err);
		if (rc < 0) {
			sl_err_ctx(err, "%s", url);
			return rc;
		}
		if (rc == 1)
			return 0;
		if (eof) /* cannot happen: at eof the parser decides */
			return sl_err_set(err, SL_EPROTO, "%s: truncated", url);
		if (in->len > HTTP_CLIENT_MAX_RESP)
			return sl_err_set(err, SL_EPROTO,
			                  "%s: response over %zu bytes", url,
			                  HTTP_CLIENT_MAX_RESP);
	}
}

int http_request_timeout(const char *host, int port, const char *method,
                         const char *path, const char *token, const char *body,
                         int timeout_ms, struct sbuf *resp_body, int *status,
                         struct sl_err *err)
{
	struct sbuf req, in;
	char hp[300], url[600];
	size_t body_off = 0, body_len = 0;
	int64_t deadline;
	int fd = -1, rc;

	if (host == NULL || *host == '\0' || port <= 0 || port > 65535)
		return sl_err_set(err, SL_EINVAL, "http: bad host or port");
	host_port(hp, sizeof(hp), host, port);
	if (path == NULL || path[0] != '/' || !token_valid(path))
		return sl_err_set(err, SL_EINVAL, "http://%s: bad path", hp);
	snprintf(url, sizeof(url), "http://%s%s", hp, path);
	if (method == NULL || !method_valid(method) ||
	    strcmp(method, "HEAD") == 0)
		return sl_err_set(err, SL_EINVAL, "%s: bad method", url);
	if (token != NULL && !token_valid(token))
		return sl_err_set(err, SL_EINVAL,
		                  "%s: the token must be printable ASCII "
		                  "characters, no spaces",
		                  url);
	if (timeout_ms <= 0)
		return sl_err_set(err, SL_EINVAL, "%s: bad timeout", url);
	deadline = now_ms() + timeout_ms;
	sbuf_init(&req);
	sbuf_init(&in);
	sbuf_printf(&req,
	            "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: sluice\r\n"
	            "Accept: */*\r\nConnection: close\r\n",
	            method, path, hp);
	if (token != NULL && *token)
		sbuf_printf(&req, "Authorization: Bearer %s\r\n", token);
	if (body != NULL)
		sbuf_printf(&req,
		            "Content-Type: application/json\r\n"
		            "Content-Length: %zu\r\n",
		            strlen(body));
	else if (strcmp(method, "GET") != 0)
		sbuf_puts(&req, "Content-Length: 0\r\n");
	sbuf_puts(&req, "\r\n");
	if (body != NULL)
		sbuf_puts(&req, body);
	if (!sbuf_ok(&req)) {
		rc = sl_err_set(err, SL_ENOMEM, "%s: out of memory", url);
		goto out;
	}
	if ((rc = dial(host, port, deadline, url, &fd, err)) != 0)
		goto out;
	if ((rc = exchange(fd, &req, deadline, url, &in, status, &body_off,
	                   &body_len, err)) != 0)
		goto out;
	sbuf_reset(resp_body);
	sbuf_put(resp_body, in.p + body_off, body_len);
	if (!sbuf_ok(resp_body))
		rc = sl_err_set(err, SL_ENOMEM, "%s: out of memory", url);
out:
	if (fd >= 0)
		close(fd);
	if (req.p != NULL)
		sodium_memzero(req.p, req.cap); /* it held the token */
	sbuf_deinit(&req);
	sbuf_deinit(&in);
	return rc;
}

int http_request(const char *host, int port, const char *method,
                 const char *path, const char *token, const char *body,
                 struct sbuf *resp_body, int *status, struct sl_err *err)
{
	return http_request_timeout(host, port, method, path, token, body,
	                            HTTP_CLIENT_TIMEOUT_MS, resp_body, status,
	                            err);
}

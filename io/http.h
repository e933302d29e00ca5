/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/http.h: the transport of the job's HTTP interface (DESIGN.md §6):
 * GET /status, GET /metrics, POST /pause|/resume|/delete, all answered by
 * a handler the job supplies.  Three parts, no third-party HTTP code:
 *  - a sans-I/O HTTP/1.1 request parser for untrusted bytes (any split),
 *    bounded (head <= 8 KiB, body <= 64 KiB) and strict: anything it
 *    does not understand is an error carrying the status to answer;
 *  - a small server on its own thread (poll(2), non-blocking sockets, a
 *    few connection slots, one request per connection, `Connection:
 *    close`) that checks the optional token in constant time and calls
 *    the handler;
 *  - a blocking client with a deadline for the CLI verbs (`sluice status`,
 *    `sluice pause`, ...), and the response parser it uses.
 * The token is never logged, never echoed and never put in an sl_err.
 * Parser and response parser: no shared state, any thread.  Server: the
 * handler runs on the server's thread, one request at a time.
 */
#ifndef SL_IO_HTTP_H
#define SL_IO_HTTP_H

#include "core/err.h"
#include "core/sbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEAD 8192  /* request line + headers, CRLFs included */
#define HTTP_MAX_BODY 65536 /* request body (Content-Length) */

#define HTTP_DEFAULT_BIND      "127.0.0.1"
#define HTTP_DEFAULT_IDLE_MS   5000  /* a silent client is dropped */
#define HTTP_DEFAULT_MAX_CONNS 8     /* further clients get a 503 */
#define HTTP_CONN_MAX_MS       30000 /* whole life of one connection */
#define HTTP_CLIENT_TIMEOUT_MS 10000 /* http_request's deadline */
#define HTTP_CLIENT_MAX_RESP   ((size_t)64 << 20)

/* A byte slice of the request; not NUL-terminated. */
struct http_slice {
	const char *p;
	size_t len;
};

/* One parsed request.  Strings point into the parser's buffer and stay
 * valid until http_parser_reset/deinit.  Filled once the head is complete
 * (http_parser_head_done); body only when the whole request is. */
struct http_req {
	const char *method; /* NUL-terminated token, case as sent ("GET") */
	const char *path;   /* NUL-terminated, starts with '/', not decoded */
	const char *query;  /* after '?', NUL-terminated; "" when none */
	const char *body;   /* NUL-terminated (the NUL is not counted) */
	size_t body_len;
	size_t content_length; /* 0 without the header */
	int minor;             /* HTTP/1.<minor>: 0 or 1 */
	bool close;            /* client asked for close (or 1.0 default) */
	bool expect_continue;  /* Expect: 100-continue */
	/* Token material: Authorization: Bearer <t> and X-Sluice-Token: <t>
	 * (len 0 when absent).  Compare only through http_req_token_ok. */
	struct http_slice bearer;
	struct http_slice x_token;
};

/* Request parser: embed it, http_parser_init, feed bytes.  Fields are
 * private except req (see above) and status (after an error). */
struct http_parser {
	struct sbuf buf; /* head, then body; NULs replace delimiters */
	struct http_req req;
	int status;    /* HTTP status to answer after an error */
	int rc;        /* sticky result once done or failed */
	uint8_t state; /* request line, headers, body, done */
	bool head_done;
	bool seen_cl;      /* Content-Length given */
	bool seen_auth;    /* Authorization given */
	bool seen_xtok;    /* X-Sluice-Token given */
	bool keep_alive;   /* Connection: keep-alive */
	size_t line_start; /* offset of the line being received */
	size_t head_len;   /* offset of the body */
	size_t method_off, path_off, query_off;
	size_t bearer_off, x_token_off;
};

/* Returns of http_parser_feed. */
enum {
	HTTP_PARSE_MORE = 0, /* all input consumed; feed more */
	HTTP_PARSE_DONE = 1, /* p->req is complete */
};

/* Request parsing (sans I/O) */

void http_parser_init(struct http_parser *p);
void http_parser_deinit(struct http_parser *p);
/* Forgets the request, keeps the memory: ready for the next one. */
void http_parser_reset(struct http_parser *p);

/* Feeds in[0..len), which may split the request anywhere.  Returns
 * HTTP_PARSE_MORE (all of it consumed), HTTP_PARSE_DONE with *used the
 * bytes of `in` that completed the request (what follows belongs to the
 * next one), or a negative SL_E* with p->status set to the answer:
 * 400 malformed, 413 body over HTTP_MAX_BODY, 414 request line or 431
 * head over HTTP_MAX_HEAD, 501 Transfer-Encoding, 505 not HTTP/1.x,
 * 500 out of memory (SL_ENOMEM).  Done and failed states are sticky
 * (*used = 0) until http_parser_reset.  The error message names what was
 * wrong, never the bytes of a header value. */
int http_parser_feed(struct http_parser *p, const void *in, size_t len,
                     size_t *used, struct sl_err *err);

/* True once the head (request line and headers) was accepted: p->req's
 * method, path, query and token fields are valid, the body may follow. */
static inline bool http_parser_head_done(const struct http_parser *p)
{
	return p->head_done;
}

/* True when the request carries `token` in Authorization: Bearer or in
 * X-Sluice-Token.  The comparison takes the same time whatever the bytes
 * and lengths sent (both sides are hashed first).  token must be
 * non-empty. */
bool http_req_token_ok(const struct http_req *r, const char *token);

/* Server */

struct http_opts {
	const char *bind;  /* address or host name; NULL: HTTP_DEFAULT_BIND */
	int port;          /* 0: ephemeral (see http_server_port) */
	const char *token; /* NULL or "": no check; borrowed, never logged */
	int idle_ms;       /* 0: HTTP_DEFAULT_IDLE_MS */
	int max_conns;     /* 0: HTTP_DEFAULT_MAX_CONNS */
};

/* What the handler answers.  Preset: 200, "application/json", no Allow,
 * empty body.  The strings must outlive the call (string literals). */
struct http_resp {
	int status;               /* 200..599; anything else becomes 500 */
	const char *content_type; /* NULL: text/plain; charset=utf-8 */
	const char *allow;        /* Allow header for a 405 ("GET, HEAD") */
	struct sbuf *body;        /* the server's buffer, reused */
};

/* Called on the server thread for every complete, authorised request;
 * unknown paths (404) and wrong methods (405) are its call.  A body left
 * out of memory becomes a 500.  For HEAD the server sends no body. */
typedef void (*http_handler_fn)(void *ctx, const struct http_req *req,
                                struct http_resp *resp);

/* Server counters; read any time from any thread. */
struct http_stats {
	uint64_t requests;     /* handed to the handler */
	uint64_t bad_requests; /* answered 4xx/5xx by the parser */
	uint64_t unauthorized; /* answered 401 */
	uint64_t timeouts;     /* dropped for silence or age */
	uint64_t busy;         /* answered 503: every slot taken */
};

struct http_server;

/* Binds, listens and starts the server thread.  o is read during the
 * call only (the token is copied).  fn(ctx, ...) runs on that thread
 * until http_server_stop returns.  Errors: SL_EINVAL (bad options),
 * SL_EIO "http: bind 127.0.0.1:8250: Address already in use", SL_ENOMEM. */
int http_server_start(const struct http_opts *o, http_handler_fn fn, void *ctx,
                      struct http_server **out, struct sl_err *err);
/* The bound TCP port (the chosen one when o->port was 0). */
int http_server_port(const struct http_server *s);
void http_server_stats(const struct http_server *s, struct http_stats *st);
/* Stops the thread (an answer being written is dropped), closes every
 * socket and frees s.  NULL is a no-op. */
void http_server_stop(struct http_server *s);

/* Sets resp to `status` with the JSON body {"error":"msg"} (msg UTF-8). */
void http_resp_error(struct http_resp *resp, int status, const char *msg);
/* "OK", "Not Found", ...; "Unknown" for codes outside the table. */
const char *http_reason(int status);

/* Client */

/* One request to http://host:port/path over a fresh connection, the
 * whole exchange within HTTP_CLIENT_TIMEOUT_MS.  token (NULL: none) is
 * sent as Authorization: Bearer; body (NULL: none) as application/json.
 * On 0, *status is the HTTP status, whatever it is, and resp_body (reset
 * first) holds the response body.  Errors: SL_EINVAL (bad argument),
 * SL_EIO (resolve, connect, send, receive, timeout: sys_errno ETIMEDOUT),
 * SL_EPROTO (not an HTTP response), SL_EUNSUPPORTED (chunked), SL_ENOMEM.
 * Messages name "http://host:port/path", never the token. */
int http_request(const char *host, int port, const char *method,
                 const char *path, const char *token, const char *body,
                 struct sbuf *resp_body, int *status, struct sl_err *err);
/* Same with an explicit deadline in milliseconds (> 0). */
int http_request_timeout(const char *host, int port, const char *method,
                         const char *path, const char *token, const char *body,
                         int timeout_ms, struct sbuf *resp_body, int *status,
                         struct sl_err *err);

/* Parses a response received so far, p[0..len); eof: the peer closed.
 * Returns 1 with *status and the body at p[*body_off .. + *body_len)
 * (1xx interim responses skipped), 0 when more bytes are needed, or
 * SL_EPROTO / SL_EUNSUPPORTED (chunked).  Without Content-Length the
 * body runs to eof. */
int http_parse_response(const char *p, size_t len, bool eof, int *status,
                        size_t *body_off, size_t *body_len, struct sl_err *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz/fuzz_http.c: libFuzzer target for the HTTP transport's parsers
 * (io/http.c).  The input is a byte stream as a client would send it
 * (the seeds in fuzz/corpus-http/ are plain requests; fuzz/http.dict
 * holds the tokens).  It is parsed twice, request after request
 * (pipelined), once in a single piece and once cut into pseudo-random
 * pieces (exact-size heap copies, so ASan sees any over-read); both
 * transcripts must match byte for byte, since a split must never change
 * what is parsed.  Each request must satisfy the parser's promises (path
 * starts with '/', NUL-terminated strings, body within the limit, every
 * DONE consumes input) and each error must carry a known status.  The
 * same bytes also go through the client's response parser, whole and as
 * a prefix, with and without end of stream.
 */
#include "core/err.h"
#include "core/sbuf.h"
#include "io/http.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64: deterministic for a given input. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Methods, paths and queries are visible ASCII only. */
static void check_str(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			__builtin_trap();
}

/* Checks one complete request and appends what was parsed. */
static void record_req(const struct http_req *r, size_t end, struct sbuf *t)
{
	if (r->method[0] == '\0' || r->path[0] != '/' ||
	    r->body_len != r->content_length || r->body_len > HTTP_MAX_BODY ||
	    r->body[r->body_len] != '\0' || (r->minor != 0 && r->minor != 1))
		__builtin_trap();
	check_str(r->method);
	check_str(r->path);
	check_str(r->query);
	sbuf_printf(t, "DONE@%zu %s %s ?%s close=%d cont=%d body=%zu:", end,
	            r->method, r->path, r->query, r->close, r->expect_continue,
	            r->body_len);
	sbuf_put(t, r->body, r->body_len);
	sbuf_printf(t, " bearer=%zu:", r->bearer.len);
	sbuf_put(t, r->bearer.p, r->bearer.len);
	sbuf_printf(t, " xtok=%zu:", r->x_token.len);
	sbuf_put(t, r->x_token.p, r->x_token.len);
	sbuf_printf(t, " ok=%d\n", http_req_token_ok(r, "fuzz-Token.1"));
}

/* Parses data as consecutive requests, cut at the piece ends chosen by
 * the seed (0: one piece), and writes the transcript to t. */
static void parse_stream(const uint8_t *data, size_t size, uint64_t seed,
                         struct http_parser *p, struct sbuf *t)
{
	size_t cur = 0;

	sbuf_reset(t);
	http_parser_reset(p);
	while (cur < size) {
		size_t piece = size - cur, pos = 0;
		uint8_t *copy;

		if (seed != 0) {
			uint64_t x = next_rand(&seed);

			piece = x % 8 == 0 ? size - cur
			                   : 1 + (size_t)(x >> 8) % 300;
			if (piece > size - cur)
				piece = size - cur;
		}
		copy = malloc(piece);
		if (copy == NULL)
			return;
		memcpy(copy, data + cur, piece);
		while (pos < piece) {
			struct sl_err err;
			size_t used = 0;
			int rc = http_parser_feed(p, copy + pos, piece - pos,
			                          &used, &err);

			if (used > piece - pos)
				__builtin_trap();
			pos += used;
			if (rc == HTTP_PARSE_MORE) {
				if (pos != piece)
					__builtin_trap();
				break;
			}
			if (rc < 0) {
				switch (p->status) {
				case 400:
				case 413:
				case 414:
				case 431:
				case 500:
				case 501:
				case 505: break;
				default: __builtin_trap();
				}
				sbuf_printf(t, "FAIL %d\n", p->status);
				free(copy);
				return;
			}
			if (used == 0 || !http_parser_head_done(p))
				__builtin_trap();
			record_req(&p->req, cur + pos, t);
			http_parser_reset(p);
		}
		free(copy);
		cur += piece;
	}
	sbuf_printf(t, "MORE head=%d\n", http_parser_head_done(p));
}

static void responses(const uint8_t *data, size_t size, size_t cut)
{
	const char *p = (const char *)data;
	struct sl_err err;
	size_t off, len;
	int status, rc;

	for (int eof = 0; eof <= 1; eof++) {
		rc = http_parse_response(p, size, eof, &status, &off, &len,
		                         &err);
		if (rc == 1 && (off > size || len > size - off ||
		                status < 200 || status > 599))
			__builtin_trap();
		if (rc == 0 && eof)
			__builtin_trap(); /* at eof the parser must decide */
		rc =
		    http_parse_response(p, cut, eof, &status, &off, &len, &err);
		if (rc == 1 && (off > cut || len > cut - off))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_parser p;
	static struct sbuf whole, split;
	static bool ready;
	uint64_t seed = 0xcbf29ce484222325ull;

	if (!ready) {
		http_parser_init(&p);
		sbuf_init(&whole);
		sbuf_init(&split);
		ready = true;
	}
	/* FNV-1a of the input seeds the cuts: plain-text seeds stay plain. */
	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001b3ull;
	if (seed == 0)
		seed = 1;
	parse_stream(data, size, 0, &p, &whole);
	parse_stream(data, size, seed, &p, &split);
	if (!sbuf_ok(&whole) || !sbuf_ok(&split))
		return 0;
	if (whole.len != split.len || memcmp(whole.p, split.p, whole.len) != 0)
		__builtin_trap();
	responses(data, size, size ? (size_t)(seed % size) : 0);
	return 0;
}

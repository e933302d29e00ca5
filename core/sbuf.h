/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/sbuf.h: a growable byte buffer for building text (event lines,
 * JSON, SQL).  Meant to be reused: sbuf_reset keeps the memory, so the
 * steady state allocates nothing.  On allocation failure the buffer sets
 * `oom` and further appends are dropped; check sbuf_ok() once at the end.
 * Single-threaded; one owner.
 */
#ifndef SL_CORE_SBUF_H
#define SL_CORE_SBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void sbuf_init(struct sbuf *b);
void sbuf_deinit(struct sbuf *b);
/* Makes room for n more bytes; false (and oom set) on failure. */
bool sbuf_grow(struct sbuf *b, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends n bytes as lowercase hex digits. */
void sbuf_hex(struct sbuf *b, const uint8_t *p, size_t n);
/* Appends an unsigned / signed decimal integer. */
void sbuf_u64(struct sbuf *b, uint64_t v);
void sbuf_i64(struct sbuf *b, int64_t v);

static inline void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
}

static inline bool sbuf_ok(const struct sbuf *b)
{
	return !b->oom;
}

static inline bool sbuf_reserve(struct sbuf *b, size_t n)
{
	if (__builtin_expect(b->cap - b->len >= n, 1))
		return true;
	return sbuf_grow(b, n);
}

static inline void sbuf_put(struct sbuf *b, const void *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void sbuf_putc(struct sbuf *b, char c)
{
	if (!sbuf_reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

static inline void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

/* NUL-terminates without counting the NUL in len. */
static inline const char *sbuf_cstr(struct sbuf *b)
{
	if (!sbuf_reserve(b, 1))
		return "";
	b->p[b->len] = '\0';
	return b->p;
}

#endif

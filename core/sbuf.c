/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/sbuf.c: slow paths of the text buffer (growth, printf, numbers).
 */
#include "sbuf.h"

#include "mem.h"

#include <stdarg.h>
#include <stdio.h>

void sbuf_init(struct sbuf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = false;
}

void sbuf_deinit(struct sbuf *b)
{
	sl_free(b->p);
	sbuf_init(b);
}

bool sbuf_grow(struct sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->oom)
		return false;
	while (cap - b->len < n)
		cap *= 2;
	p = sl_realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!sbuf_reserve(b, (size_t)n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void sbuf_hex(struct sbuf *b, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *o;

	if (!sbuf_reserve(b, n * 2))
		return;
	o = b->p + b->len;
	for (size_t i = 0; i < n; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 15];
	}
	b->len += n * 2;
}

static unsigned digits10(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

void sbuf_u64(struct sbuf *b, uint64_t v)
{
	/* Two digits per division, written in place from the end: numbers
	 * are most of a row's text. */
	static const char pairs[201] =
	    "000102030405060708091011121314151617181920212223242526272829303132"
	    "33"
	    "343536373839404142434445464748495051525354555657585960616263646566"
	    "67"
	    "6869707172737475767778798081828384858687888990919293949596979899";
	unsigned n = digits10(v);
	char *o;

	if (!sbuf_reserve(b, n))
		return;
	o = b->p + b->len + n;
	b->len += n;
	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		*--o = pairs[2 * r + 1];
		*--o = pairs[2 * r];
	}
	/* 32-bit divisions from here: most numbers never need 64. */
	for (uint32_t w = (uint32_t)v;; w /= 100) {
		if (w < 100) {
			v = w;
			break;
		}
		*--o = pairs[2 * (w % 100) + 1];
		*--o = pairs[2 * (w % 100)];
	}
	if (v >= 10) {
		*--o = pairs[2 * v + 1];
		*--o = pairs[2 * v];
	} else {
		*--o = (char)('0' + v);
	}
}

void sbuf_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sbuf_putc(b, '-');
		sbuf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sbuf_u64(b, (uint64_t)v);
	}
}

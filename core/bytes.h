/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/bytes.h: little- and big-endian integer loads and MySQL's
 * length-encoded integers over raw byte slices.  Callers check bounds
 * first (these read exactly the bytes they name); lenenc_get checks its own.
 * Header-only, used on the decoder's hot path.
 */
#ifndef SL_CORE_BYTES_H
#define SL_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get_u16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t get_u24le(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
}

static inline uint32_t get_u32le(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v; /* x86-64 and aarch64 Linux are little-endian */
}

static inline uint64_t get_u48le(const uint8_t *p)
{
	return (uint64_t)get_u32le(p) | ((uint64_t)get_u16le(p + 4) << 32);
}

static inline uint64_t get_u64le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Reads an n-byte (1..8) little-endian unsigned integer. */
static inline uint64_t get_uintle(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Reads an n-byte (1..8) big-endian unsigned integer. */
static inline uint64_t get_uintbe(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Length-encoded integer at *pp (bounded by end).  Advances *pp and
 * returns 0, or returns -1 if the bytes run out or the prefix is 0xff
 * (reserved); 0xfb (NULL marker) is returned as the value 0xfb is not,
 * so callers that accept NULL check the first byte themselves. */
static inline int lenenc_get(const uint8_t **pp, const uint8_t *end,
                             uint64_t *out)
{
	const uint8_t *p = *pp;
	unsigned n;

	if (p >= end)
		return -1;
	if (*p < 0xfb) {
		*out = *p;
		*pp = p + 1;
		return 0;
	}
	switch (*p) {
	case 0xfc: n = 2; break;
	case 0xfd: n = 3; break;
	case 0xfe: n = 8; break;
	default: return -1;
	}
	if ((size_t)(end - p) < 1 + (size_t)n)
		return -1;
	*out = get_uintle(p + 1, n);
	*pp = p + 1 + n;
	return 0;
}

#endif

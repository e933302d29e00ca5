/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/crc32.h: the CRC32 of binlog event checksums (the zlib/gzip
 * polynomial, reflected).  Backed by Intel ISA-L, which folds with
 * PCLMULQDQ/VPCLMULQDQ: about 4x zlib's table-driven crc32, and checksum
 * verification is the decoder's largest cost.
 * ISA-L 2.30's AVX-512 kernel returns without VZEROUPPER, which makes
 * every later SSE instruction pay the AVX transition penalty (measured:
 * decode-only 1.1 s -> 0.37 s per GiB once cleared), so we clear the
 * upper halves after each call on CPUs that have AVX.  Pure; any thread.
 */
#ifndef SL_CORE_CRC32_H
#define SL_CORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC32 of n bytes, continuing from crc (0 to start). */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);

#endif

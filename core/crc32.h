/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/crc32.h: the CRC32 of binlog event checksums (the zlib/gzip
 * polynomial, reflected).  Backed by Intel ISA-L, which folds with
 * PCLMULQDQ/VPCLMULQDQ: about 4x zlib's table-driven crc32 on the machines
 * we measure, and checksum verification is the decoder's largest cost.
 * Pure; any thread.
 */
#ifndef SL_CORE_CRC32_H
#define SL_CORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

#include <isa-l/crc.h>

/* CRC32 of n bytes, continuing from crc (0 to start). */
static inline uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	return crc32_gzip_refl(crc, p, n);
}

#endif

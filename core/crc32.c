/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/crc32.c: CRC32 through ISA-L, with the VZEROUPPER that its
 * AVX-512 kernel omits (see crc32.h).
 */
#include "crc32.h"

#include <isa-l/crc.h>

#if defined(__x86_64__) || defined(__i386__)
static int have_avx(void)
{
	static int cached = -1;

	if (cached < 0) {
		__builtin_cpu_init();
		cached = __builtin_cpu_supports("avx") ? 1 : 0;
	}
	return cached;
}
#endif

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t r = crc32_gzip_refl(crc, p, n);

#if defined(__x86_64__) || defined(__i386__)
	if (have_avx())
		__asm__ volatile("vzeroupper" ::: "memory");
#endif
	return r;
}

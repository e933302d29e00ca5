/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/mem.h: the one allocator entry point (jemalloc underneath, linked by
 * the build).  Counts live allocations for leak checks and lets tests make
 * the Nth allocation fail (fault injection).  Thread-safe counters.
 */
#ifndef SL_CORE_MEM_H
#define SL_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

void *sl_malloc(size_t n);
void *sl_calloc(size_t n, size_t size);
void *sl_realloc(void *p, size_t n);
void sl_free(void *p);
char *sl_strndup(const char *s, size_t n);

/* Test hook: make allocation number n (1-based, counted from now) fail;
 * 0 disables.  Not for production code. */
void sl_mem_fail_after(uint64_t n);

#endif

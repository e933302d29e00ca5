/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/mem.c: sl_malloc and friends.  The binary links jemalloc, which
 * replaces malloc itself, so these are thin wrappers that add the
 * fault-injection hook used by tests.
 */
#include "mem.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t fail_at;

static int should_fail(void)
{
	uint64_t v = atomic_load_explicit(&fail_at, memory_order_relaxed);

	if (v == 0)
		return 0;
	if (v == 1) {
		atomic_store(&fail_at, 0);
		return 1;
	}
	atomic_fetch_sub(&fail_at, 1);
	return 0;
}

void sl_mem_fail_after(uint64_t n)
{
	atomic_store(&fail_at, n);
}

void *sl_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

void *sl_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : calloc(n, size);
}

void *sl_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n);
}

void sl_free(void *p)
{
	free(p);
}

char *sl_strndup(const char *s, size_t n)
{
	char *d = sl_malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/*
 * pool: memory regions tied to a lifetime (process, request, job).
 *
 * Allocations come from large blocks and are freed all at once by souk_pool_free; there is no
 * per-object free. souk_pool_on_release ties other resources (statements, files) to the same
 * lifetime; release callbacks run in reverse order of registration. Allocation aborts on OOM
 * (see alloc.h), so callers never check for NULL. Depends on libc only.
 */
#ifndef SOUK_CORE_POOL_H
#define SOUK_CORE_POOL_H

#include <stddef.h>

#include "core/str.h"

struct souk_pool;

struct souk_pool *souk_pool_new(void);
void souk_pool_free(struct souk_pool *pool); /* runs release callbacks, then frees; NULL is ok */

void *souk_pool_alloc(struct souk_pool *pool, size_t size);  /* zeroed, 16-byte aligned */
char *souk_pool_strndup(struct souk_pool *pool, const char *s, size_t len);
char *souk_pool_strdup(struct souk_pool *pool, const char *s); /* NULL gives NULL */
char *souk_pool_str(struct souk_pool *pool, struct souk_str s);  /* NUL-terminated copy */
char *souk_pool_printf(struct souk_pool *pool, const char *fmt, ...) SOUK_PRINTF(2, 3);

void souk_pool_on_release(struct souk_pool *pool, void (*fn)(void *), void *arg);

/* Bytes handed out so far; for tests and metrics. */
size_t souk_pool_used(const struct souk_pool *pool);

#endif

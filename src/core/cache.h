/*
 * cache: a bounded, thread-safe map from a key to a versioned blob, evicting the least recently
 * used entries past a byte budget.
 *
 * It holds rendered representations (a product's JSON) keyed by what they were rendered from.
 * A blob is only returned for the exact version asked for, so callers that bump a version on
 * every change can never read a stale one: invalidation is the version. Keys and blobs are
 * copied in and out; the cache owns its memory. Depends on core/ only.
 */
#ifndef SOUK_CORE_CACHE_H
#define SOUK_CORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

struct souk_cache;

struct souk_cache_stats {
    uint64_t hits, misses, evictions;
    size_t entries, bytes;
};

/* A cache of at most max_bytes (keys, blobs and bookkeeping). 0 makes a cache that keeps
 * nothing, which is how a caller turns caching off. */
struct souk_cache *souk_cache_new(size_t max_bytes);
void souk_cache_free(struct souk_cache *cache); /* NULL is fine */

/* Appends the blob stored for key at exactly this version to out; false (out untouched) on a
 * miss, a different version, or when out cannot take it. */
bool souk_cache_get(struct souk_cache *cache, struct souk_str key, int64_t version,
                    struct souk_buf *out);

/* Stores a copy of blob for key at version, replacing any older one. Blobs bigger than an
 * eighth of the budget are not kept. */
void souk_cache_put(struct souk_cache *cache, struct souk_str key, int64_t version,
                    struct souk_str blob);

void souk_cache_get_stats(struct souk_cache *cache, struct souk_cache_stats *out);

#endif

/* cache: see cache.h. A chained hash table plus a doubly linked recency list, under one mutex
 * (lookups are a hash and a memcpy, far shorter than anything they save). */
#include "core/cache.h"

#include <pthread.h>
#include <string.h>

#include "core/alloc.h"

#define MIN_BUCKETS 1024

struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* recency list */
    uint64_t hash;
    int64_t version;
    size_t key_len, blob_len;
    char data[]; /* key, then blob */
};

struct souk_cache {
    pthread_mutex_t lock;
    struct entry **buckets;
    size_t nbuckets;
    struct entry *newest, *oldest;
    size_t max_bytes;
    struct souk_cache_stats stats;
};

static uint64_t hash_key(struct souk_str key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < key.len; i++)
        h = (h ^ (unsigned char)key.ptr[i]) * 1099511628211ULL;
    return h;
}

static size_t entry_bytes(const struct entry *e)
{
    return sizeof *e + e->key_len + e->blob_len;
}

struct souk_cache *souk_cache_new(size_t max_bytes)
{
    struct souk_cache *c = souk_calloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    /* About one bucket per 4 KiB of budget: chains stay short for typical product JSON. */
    c->nbuckets = max_bytes / 4096 > MIN_BUCKETS ? max_bytes / 4096 : MIN_BUCKETS;
    c->buckets = souk_calloc(c->nbuckets, sizeof *c->buckets);
    return c;
}

void souk_cache_free(struct souk_cache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->newest, *next; e; e = next) {
        next = e->older;
        souk_free(e);
    }
    souk_free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    souk_free(c);
}

static struct entry **find(struct souk_cache *c, struct souk_str key, uint64_t hash)
{
    struct entry **slot = &c->buckets[hash % c->nbuckets];
    while (*slot && !((*slot)->hash == hash && (*slot)->key_len == key.len &&
                      memcmp((*slot)->data, key.ptr, key.len) == 0))
        slot = &(*slot)->next_in_bucket;
    return slot;
}

static void unlink_recency(struct souk_cache *c, struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(struct souk_cache *c, struct entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* Unlinks the entry at *slot from both structures and frees it. */
static void drop(struct souk_cache *c, struct entry **slot)
{
    struct entry *e = *slot;
    *slot = e->next_in_bucket;
    unlink_recency(c, e);
    c->stats.bytes -= entry_bytes(e);
    c->stats.entries--;
    souk_free(e);
}

bool souk_cache_get(struct souk_cache *c, struct souk_str key, int64_t version,
                    struct souk_buf *out)
{
    uint64_t hash = hash_key(key);
    pthread_mutex_lock(&c->lock);
    struct entry *e = *find(c, key, hash);
    bool hit = e && e->version == version &&
               souk_buf_add(out, e->data + e->key_len, e->blob_len) == SOUK_OK;
    if (hit) {
        unlink_recency(c, e);
        push_newest(c, e);
        c->stats.hits++;
    } else {
        c->stats.misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

void souk_cache_put(struct souk_cache *c, struct souk_str key, int64_t version,
                    struct souk_str blob)
{
    size_t need = sizeof(struct entry) + key.len + blob.len;
    if (need > c->max_bytes / 8)
        return;
    struct entry *e = souk_malloc(need);
    memset(e, 0, sizeof *e);
    e->hash = hash_key(key);
    e->version = version;
    e->key_len = key.len;
    e->blob_len = blob.len;
    memcpy(e->data, key.ptr, key.len);
    memcpy(e->data + key.len, blob.ptr, blob.len);
    pthread_mutex_lock(&c->lock);
    struct entry **slot = find(c, key, e->hash);
    if (*slot)
        drop(c, slot);
    while (c->oldest && c->stats.bytes + need > c->max_bytes) {
        struct entry *victim = c->oldest;
        drop(c, find(c, (struct souk_str){victim->data, victim->key_len}, victim->hash));
        c->stats.evictions++;
    }
    e->next_in_bucket = c->buckets[e->hash % c->nbuckets];
    c->buckets[e->hash % c->nbuckets] = e;
    push_newest(c, e);
    c->stats.bytes += need;
    c->stats.entries++;
    pthread_mutex_unlock(&c->lock);
}

void souk_cache_get_stats(struct souk_cache *c, struct souk_cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}

/* pool: a bump allocator over a list of blocks, with release callbacks. */
#include "core/pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

enum { BLOCK_SIZE = 16 * 1024, ALIGN = 16 };

struct block {
    struct block *next;
    size_t used; /* bytes used in data */
    size_t size; /* bytes available in data */
    _Alignas(16) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct souk_pool {
    struct block *blocks;     /* newest first; the head is the one being filled */
    struct cleanup *cleanups; /* newest first, so they run in reverse order */
    size_t used;
};

struct souk_pool *souk_pool_new(void)
{
    return souk_calloc(1, sizeof(struct souk_pool));
}

void souk_pool_free(struct souk_pool *pool)
{
    if (!pool)
        return;
    for (struct cleanup *c = pool->cleanups; c; c = c->next)
        c->fn(c->arg);
    struct block *b = pool->blocks;
    while (b) {
        struct block *next = b->next;
        souk_free(b);
        b = next;
    }
    souk_free(pool);
}

static struct block *new_block(size_t size)
{
    struct block *b = souk_malloc(sizeof(*b) + size);
    b->next = NULL;
    b->used = 0;
    b->size = size;
    return b;
}

void *souk_pool_alloc(struct souk_pool *pool, size_t size)
{
    size_t rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct block *b = pool->blocks;
    if (rounded > BLOCK_SIZE / 4) {
        /* Large objects get a block of their own behind the current one, so the
         * partly filled head block keeps serving small allocations. */
        struct block *big = new_block(rounded);
        big->used = rounded;
        if (b) {
            big->next = b->next;
            b->next = big;
        } else {
            pool->blocks = big;
        }
        pool->used += rounded;
        memset(big->data, 0, rounded);
        return big->data;
    }
    if (!b || b->size - b->used < rounded) {
        b = new_block(BLOCK_SIZE);
        b->next = pool->blocks;
        pool->blocks = b;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    pool->used += rounded;
    memset(p, 0, rounded);
    return p;
}

char *souk_pool_strndup(struct souk_pool *pool, const char *s, size_t len)
{
    char *p = souk_pool_alloc(pool, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *souk_pool_strdup(struct souk_pool *pool, const char *s)
{
    return s ? souk_pool_strndup(pool, s, strlen(s)) : NULL;
}

char *souk_pool_str(struct souk_pool *pool, struct souk_str s)
{
    return souk_pool_strndup(pool, s.ptr ? s.ptr : "", s.len);
}

char *souk_pool_printf(struct souk_pool *pool, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = souk_pool_alloc(pool, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void souk_pool_on_release(struct souk_pool *pool, void (*fn)(void *), void *arg)
{
    struct cleanup *c = souk_pool_alloc(pool, sizeof(*c));
    c->fn = fn;
    c->arg = arg;
    c->next = pool->cleanups;
    pool->cleanups = c;
}

size_t souk_pool_used(const struct souk_pool *pool)
{
    return pool->used;
}

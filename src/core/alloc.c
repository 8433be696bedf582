/* alloc: abort-on-failure wrappers over libc's allocator. */
#include "core/alloc.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "souk: out of memory allocating %zu bytes\n", size);
    abort();
}

void *souk_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *souk_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *souk_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *souk_strndup(const char *s, size_t len)
{
    char *p = souk_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *souk_strdup(const char *s)
{
    return souk_strndup(s, strlen(s));
}

void souk_free(void *ptr)
{
    free(ptr);
}

void souk_alloc_tune_for_server(void)
{
    /* Measured on the order burst: the default trim threshold made every answer's buffer a
     * heap extension (sysmalloc, 1.3% of the process's CPU); with these it does not show. */
    mallopt(M_TOP_PAD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
}

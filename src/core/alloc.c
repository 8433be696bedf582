/* alloc: abort-on-failure wrappers over libc's allocator. */
#include "core/alloc.h"

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

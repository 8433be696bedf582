/*
 * alloc: the one door to the heap.
 *
 * Policy (see docs/internals/memory.md): small fixed-size allocations abort the process on
 * failure, so call sites never check; any size that comes from input is checked against a
 * configured ceiling before it gets here. Tests can install a failure hook to inject faults.
 * Depends on libc only.
 */
#ifndef SOUK_CORE_ALLOC_H
#define SOUK_CORE_ALLOC_H

#include <stddef.h>

void *souk_malloc(size_t size);
void *souk_calloc(size_t count, size_t size);
void *souk_realloc(void *ptr, size_t size);
char *souk_strdup(const char *s);
char *souk_strndup(const char *s, size_t len);
void souk_free(void *ptr);

#endif

/*
 * alloc: the one door to the heap.
 *
 * Policy (see docs/internals/memory.md): small fixed-size allocations abort the process on
 * failure, so call sites never check; any size that comes from input is checked against a
 * configured ceiling before it gets here. Tests can install a failure hook to inject faults.
 * Depends on libc only (glibc for the server tuning).
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

/*
 * Tunes the heap for a long-running server whose threads each allocate and free a few
 * kilobytes per request: keeps up to 4 MiB free at the top of each heap and grows it 1 MiB
 * at a time, instead of glibc's default of giving memory back past 128 KiB and taking it
 * again on the next request. Call once, before threads start.
 */
void souk_alloc_tune_for_server(void);

#endif

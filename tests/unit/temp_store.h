/*
 * temp_store.h: a throwaway SQLite store in a fresh directory under /tmp, for the unit tests
 * that need a real one. Header-only: unit tests link no helper library.
 */
#ifndef SOUK_TESTS_UNIT_TEMP_STORE_H
#define SOUK_TESTS_UNIT_TEMP_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct temp_store {
    char dir[64];
    char spec[128]; /* "sqlite:<dir>/t.db", for souk_db_open */
};

/* Makes the directory; the store file appears when it is first opened. */
static inline void temp_store_make(struct temp_store *t, const char *name)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/souk-%s-XXXXXX", name);
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->spec, sizeof t->spec, "sqlite:%s/t.db", t->dir);
}

/* Removes the store, its WAL and shared-memory files and the directory; the store is closed. */
static inline void temp_store_remove(const struct temp_store *t)
{
    char path[128];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/t.db%s", t->dir, suffixes[i]);
        unlink(path);
    }
    rmdir(t->dir);
}

#endif

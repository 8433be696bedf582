/*
 * migrate: the schema migrations embedded in the binary.
 *
 * Each file src/db/migrations/NNNN_name.sql becomes one entry, in version order, generated at
 * build time by scripts/embed-migrations.cmake. Migrations only ever get added: an applied one
 * is never edited, so a store's schema_migrations table says exactly what it holds.
 */
#ifndef SOUK_DB_MIGRATE_H
#define SOUK_DB_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

struct souk_migration {
    int64_t version;  /* the NNNN prefix; strictly increasing through the table */
    const char *name; /* file name without .sql */
    const char *sql;  /* the whole file */
};

extern const struct souk_migration souk_migrations[];
extern const size_t souk_migrations_count;

#endif

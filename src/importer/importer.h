/*
 * importer: bulk loads into the catalog from the formats merchants already have.
 *
 *   shopify  a Shopify product export CSV: one or more rows per handle (the first carries the
 *            product, later ones more variants and images), quoted fields with newlines.
 *   jsonl    souk's own JSON lines, as `souk export jsonl` writes them: one object per line,
 *            {"object":"warehouse",...} or {"object":"product",...}; read-only fields (ids,
 *            versions, timestamps) are ignored so an export loads into any store.
 *
 * Both stream: memory holds one product at a time, whatever the file size. Everything runs in
 * one write transaction on the caller's connection; the caller commits. Without
 * SOUK_IMPORT_SKIP_BAD_ROWS the first bad row fails the import (and the caller rolls back);
 * with it, the product a bad row belongs to is skipped (through a savepoint) and reported, and
 * the rest loads. Every report names the file's line number and the reason.
 * Depends on core/, db/ and catalog/.
 */
#ifndef SOUK_IMPORTER_IMPORTER_H
#define SOUK_IMPORTER_IMPORTER_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "db/db.h"

enum souk_import_flags {
    SOUK_IMPORT_SKIP_BAD_ROWS = 1 << 0,
};

struct souk_import_options {
    unsigned flags;            /* enum souk_import_flags */
    const char *currency;      /* Shopify: the store currency of Variant Price (ISO 4217) */
    const char *warehouse;     /* Shopify: warehouse code that Variant Inventory Qty goes to */
    const char *warehouse_country; /* Shopify: country if that warehouse must be created */
    /* Called for each skipped row (only with SOUK_IMPORT_SKIP_BAD_ROWS); may be NULL. */
    void (*on_skip)(uint64_t line, const struct souk_err *err, void *arg);
    void *arg;
};

struct souk_import_stats {
    uint64_t products, variants, warehouses, collections, skipped_products, lines;
};

/*
 * Imports from fd inside the caller's open write transaction. On failure err names the line
 * ("line 42: variants[1].gtin: ...") and the caller must roll back.
 */
int souk_import_shopify(struct souk_db_conn *conn, int fd, const struct souk_import_options *opts,
                        struct souk_import_stats *stats, struct souk_err *err) SOUK_MUST_CHECK;
int souk_import_jsonl(struct souk_db_conn *conn, int fd, const struct souk_import_options *opts,
                      struct souk_import_stats *stats, struct souk_err *err) SOUK_MUST_CHECK;

/* Writes every warehouse, then every product, then every collection (its members by product
 * handle), as JSON lines, each kind in id order. */
int souk_export_jsonl(struct souk_db_conn *conn, FILE *out, uint64_t *count,
                      struct souk_err *err) SOUK_MUST_CHECK;

#endif

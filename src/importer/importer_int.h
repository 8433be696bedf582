/* importer_int.h: the product accumulator shared by the shopify and jsonl readers. */
#ifndef SOUK_IMPORTER_IMPORTER_INT_H
#define SOUK_IMPORTER_IMPORTER_INT_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "core/id.h"
#include "importer/importer.h"

/* One product being gathered from one or more rows; everything in it lives in `pool`. */
struct souk_import__product {
    const struct souk_import_options *opts;
    struct souk_pool *pool;   /* renewed for each product, so memory stays flat */
    struct souk_product product;
    uint64_t line;            /* line of the product's first row */
    uint64_t *variant_lines;  /* line of each variant's row, parallel to product.variants */
    size_t cap_variants, cap_media, cap_tags;
    bool active;              /* a product is being gathered */
    bool failed;              /* one of its rows was bad and it is being skipped */
};

void souk_import__init(struct souk_import__product *cur, const struct souk_import_options *opts);
void souk_import__release(struct souk_import__product *cur);
/* Starts a new product whose first row is at line. */
void souk_import__begin(struct souk_import__product *cur, uint64_t line);

/* Appends a zeroed variant read from line. */
struct souk_variant *souk_import__new_variant(struct souk_import__product *cur, uint64_t line);
/* Appends an image unless its URL is already there; position 0 means "next". */
void souk_import__add_media(struct souk_import__product *cur, char *url, char *alt,
                            int64_t position);
/* Splits Shopify's comma-separated tags. */
void souk_import__split_tags(struct souk_import__product *cur, struct souk_pool *pool,
                             struct souk_str text);
struct souk_str souk_import__trim(struct souk_str s);

/*
 * Creates the gathered product (if any and not failed). A validation failure names the line of
 * the row it came from; with SOUK_IMPORT_SKIP_BAD_ROWS it is rolled back to a savepoint,
 * reported and counted, and the import goes on.
 */
int souk_import__flush(struct souk_import__product *cur, struct souk_db_conn *conn,
                       struct souk_import_stats *stats, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Handles a bad row at line whose reason is in err: prefixes the line number, then either
 * returns the error, or (skipping) reports it and returns SOUK_OK; whole_product marks the
 * product being gathered as skipped.
 */
int souk_import__row_failed(struct souk_import__product *cur, uint64_t line, bool whole_product,
                            struct souk_import_stats *stats, struct souk_err *err)
    SOUK_MUST_CHECK;

/* Makes sure opts->warehouse exists, creating it in opts->warehouse_country if needed, and
 * writes its id into id. */
int souk_import__ensure_warehouse(struct souk_db_conn *conn,
                                  const struct souk_import_options *opts,
                                  char id[SOUK_ID_MAX], struct souk_import_stats *stats,
                                  struct souk_err *err) SOUK_MUST_CHECK;

#endif

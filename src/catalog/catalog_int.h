/* catalog_int.h: limits and helpers shared by the catalog's own files; not for outsiders. */
#ifndef SOUK_CATALOG_CATALOG_INT_H
#define SOUK_CATALOG_CATALOG_INT_H

#include "catalog/catalog.h"
#include "core/id.h"

/* Limits, chosen to hold what the platforms accept (Shopify, Meta and Google Merchant). */
#define SOUK_CATALOG__TEXT_MAX 255          /* titles, names, option names and values, tags */
#define SOUK_CATALOG__DESCRIPTION_MAX 65536 /* bytes of (HTML) description */
#define SOUK_CATALOG__URL_MAX 2048
#define SOUK_CATALOG__ALT_MAX 512
#define SOUK_CATALOG__SKU_MAX 100
#define SOUK_CATALOG__MPN_MAX 70
#define SOUK_CATALOG__MAX_TAGS 250
#define SOUK_CATALOG__MAX_TRANSLATIONS 100
#define SOUK_CATALOG__MAX_MEDIA 250
#define SOUK_CATALOG__MAX_VARIANTS 2048
#define SOUK_CATALOG__MAX_PRICES 200
#define SOUK_CATALOG__MAX_STOCK 1000
#define SOUK_CATALOG__MAX_AMOUNT 1000000000000000LL /* minor units; keeps sums far from overflow */
#define SOUK_CATALOG__MAX_QUANTITY 1000000000LL
#define SOUK_CATALOG__MAX_MEASURE 100000000LL /* grams or millimetres */

#define SOUK_CATALOG__PARAM_MAX 96 /* sizeof(struct souk_err.param) */

/* Writes "<prefix>.<field>" (or just field when prefix is empty) into out and returns out. */
const char *souk_catalog__param(char out[SOUK_CATALOG__PARAM_MAX], const char *prefix,
                                const char *fmt, ...) SOUK_PRINTF(3, 4);

/* ---- validate.c: checks that need no store ---- */

enum souk_catalog__text_flags {
    SOUK_CATALOG__REQUIRED = 1 << 0,  /* NULL or blank is an error */
    SOUK_CATALOG__MULTILINE = 1 << 1, /* tabs and newlines allowed */
};

/* UTF-8, no control characters, at most max bytes. */
int souk_catalog__check_text(const char *value, const char *param, size_t max,
                             enum souk_catalog__text_flags flags, struct souk_err *err)
    SOUK_MUST_CHECK;

/* Checks the product's own fields and fills defaults (handle, status, condition, media order). */
int souk_catalog__check_product(struct souk_pool *pool, struct souk_product *p,
                                struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Checks a variant against its product: option values match the option names, image_url is one
 * of the product's media. param_prefix names the variant in errors ("variants[2]" or "").
 */
int souk_catalog__check_variant(const struct souk_product *p, struct souk_variant *v,
                                const char *param_prefix, struct souk_err *err) SOUK_MUST_CHECK;

/* Two variants of one product may not share SKU or option values. */
int souk_catalog__check_siblings(const struct souk_variant *a, const struct souk_variant *b,
                                 const char *param_prefix, struct souk_err *err)
    SOUK_MUST_CHECK;

int souk_catalog__check_warehouse(struct souk_warehouse *w, struct souk_err *err)
    SOUK_MUST_CHECK;

int souk_catalog__check_quantity(int64_t on_hand, const char *param, struct souk_err *err)
    SOUK_MUST_CHECK;

/* SOUK_EPRECOND unless expected is SOUK_CATALOG_NO_VERSION or equals stored. */
int souk_catalog__check_version(int64_t stored, int64_t expected, struct souk_err *err)
    SOUK_MUST_CHECK;

/* ---- store helpers shared by products.c, variants.c and stock.c ---- */

/* Bumps the version and updated_at of a product (whose representation includes variants). */
int souk_catalog__touch_product(struct souk_db_conn *conn, const char *product_id, int64_t now,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* The SKUs of a product's variants as a JSON array (pool text), for an outbox payload. */
int souk_catalog__skus_json(struct souk_db_conn *conn, struct souk_pool *pool,
                            const char *product_id, char **out, struct souk_err *err)
    SOUK_MUST_CHECK;

/* Records a stock change of a variant: bumps its version and updated_at and its product's, and
 * announces "stock.changed" in the outbox. */
int souk_catalog__touch_variant(struct souk_db_conn *conn, const char *variant_id, int64_t now,
                                struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Reads the product row alone (no variants, media, tags or translations); the media and option
 * names are what variant checks need, so they are loaded too. ENOTFOUND when missing.
 */
int souk_catalog__load_product_shell(struct souk_db_conn *conn, struct souk_pool *pool,
                                     const char *id, struct souk_product **out,
                                     struct souk_err *err) SOUK_MUST_CHECK;

/* Inserts v (already checked) with its prices and initial stock under p. */
int souk_catalog__insert_variant(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *product_id, struct souk_variant *v, int64_t now,
                                 const char *param_prefix, struct souk_err *err) SOUK_MUST_CHECK;

/* Fails with ECONFLICT when sku belongs to a variant other than except_id (may be NULL). */
int souk_catalog__sku_free(struct souk_db_conn *conn, const char *sku, const char *except_id,
                           const char *param, struct souk_err *err) SOUK_MUST_CHECK;

/* Loads the variants of a product, in position order, with prices and stock. */
int souk_catalog__load_variants(struct souk_db_conn *conn, struct souk_pool *pool,
                                const char *product_id, struct souk_variant **out, size_t *count,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* Resolves s->warehouse_id or s->warehouse_code to the stored warehouse, filling both. */
int souk_catalog__resolve_warehouse(struct souk_db_conn *conn, struct souk_pool *pool,
                                    struct souk_stock_level *s, const char *param,
                                    struct souk_err *err) SOUK_MUST_CHECK;

/*
 * SOUK_ECONFLICT when the units that sql (a SELECT of one sum, by one id parameter) counts as
 * reserved are above zero: deleting them would orphan open orders' reservations.
 */
int souk_catalog__refuse_reserved(struct souk_db_conn *conn, const char *sql, const char *id,
                                  struct souk_err *err) SOUK_MUST_CHECK;

/* Inserts a stock row with version 1. */
int souk_catalog__insert_stock(struct souk_db_conn *conn, const struct souk_stock_level *s,
                               int64_t now, struct souk_err *err) SOUK_MUST_CHECK;

/* Reads the stock rows of a variant, ordered by warehouse code. */
int souk_catalog__load_stock(struct souk_db_conn *conn, struct souk_pool *pool,
                             const char *variant_id, struct souk_stock_level **out,
                             size_t *count, struct souk_err *err) SOUK_MUST_CHECK;

/* Returns items, or a copy with twice the capacity when count has reached *cap. */
void *souk_catalog__grow(struct souk_pool *pool, void *items, size_t count, size_t *cap,
                         size_t item_size);

/*
 * Runs sql (which selects one id by one parameter) for value, and writes into owner the id it
 * finds unless that is except_id; owner is "" when value is free. For uniqueness checks that
 * name the holder in their message.
 */
int souk_catalog__owner(struct souk_db_conn *conn, const char *sql, const char *value,
                        const char *except_id, char owner[SOUK_ID_MAX], struct souk_err *err)
    SOUK_MUST_CHECK;

/* Copies a nullable text column into pool memory (NULL for SQL NULL). */
char *souk_catalog__col_str(struct souk_pool *pool, struct souk_db_stmt *st, int col);
/* A nullable integer column (SOUK_CATALOG_UNSET for SQL NULL). */
int64_t souk_catalog__col_opt_i64(struct souk_db_stmt *st, int col);

#endif

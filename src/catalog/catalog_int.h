/* catalog_int.h: limits and helpers shared by the catalog's own files; not for outsiders. */
#ifndef SOUK_CATALOG_CATALOG_INT_H
#define SOUK_CATALOG_CATALOG_INT_H

#include "catalog/catalog.h"
#include "core/id.h"

/* Limits, chosen to hold what the platforms accept (Shopify, Meta and Google Merchant). */
#define SOUK_CATALOG__TEXT_MAX 255          /* titles, names, option names and values, tags */
#define SOUK_CATALOG__HANDLE_MAX 255        /* product and collection handles */
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

/* Checks a collection's own fields (title, description, translations) and fills its handle. */
int souk_catalog__check_collection(struct souk_pool *pool, struct souk_collection *col,
                                   struct souk_err *err) SOUK_MUST_CHECK;

/* A member list's length and id shapes (repeats and unknown products are the store's to find). */
int souk_catalog__check_members(char *const *ids, size_t n, struct souk_err *err) SOUK_MUST_CHECK;

int souk_catalog__check_quantity(int64_t on_hand, const char *param, struct souk_err *err)
    SOUK_MUST_CHECK;

/* SOUK_EPRECOND unless expected is SOUK_CATALOG_NO_VERSION or equals stored. */
int souk_catalog__check_version(int64_t stored, int64_t expected, struct souk_err *err)
    SOUK_MUST_CHECK;

/* ---- reading a page at a time ---- */

/*
 * A list page (products, variants) holds at most this many items, and the child rows of a whole
 * page are read with one query per child table: "... WHERE product_id IN ($1, ..., $250)", the
 * ids bound to the first parameters and NULL (matching nothing) to the rest. The list is spelt
 * out because statements are cached by their text's address: SQL is never built at run time.
 */
#define SOUK_CATALOG__PAGE_MAX 250
/* clang-format off */
#define SOUK_CATALOG__PARAMS_TEN(tens)                                                             \
    "$" #tens "0, $" #tens "1, $" #tens "2, $" #tens "3, $" #tens "4, $" #tens "5, $" #tens        \
    "6, $" #tens "7, $" #tens "8, $" #tens "9"
#define SOUK_CATALOG__PAGE_IN                                                                      \
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, " SOUK_CATALOG__PARAMS_TEN(1) ", "                       \
    SOUK_CATALOG__PARAMS_TEN(2) ", " SOUK_CATALOG__PARAMS_TEN(3) ", "                              \
    SOUK_CATALOG__PARAMS_TEN(4) ", " SOUK_CATALOG__PARAMS_TEN(5) ", "                              \
    SOUK_CATALOG__PARAMS_TEN(6) ", " SOUK_CATALOG__PARAMS_TEN(7) ", "                              \
    SOUK_CATALOG__PARAMS_TEN(8) ", " SOUK_CATALOG__PARAMS_TEN(9) ", "                              \
    SOUK_CATALOG__PARAMS_TEN(10) ", " SOUK_CATALOG__PARAMS_TEN(11) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(12) ", " SOUK_CATALOG__PARAMS_TEN(13) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(14) ", " SOUK_CATALOG__PARAMS_TEN(15) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(16) ", " SOUK_CATALOG__PARAMS_TEN(17) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(18) ", " SOUK_CATALOG__PARAMS_TEN(19) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(20) ", " SOUK_CATALOG__PARAMS_TEN(21) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(22) ", " SOUK_CATALOG__PARAMS_TEN(23) ", "                            \
    SOUK_CATALOG__PARAMS_TEN(24) ", $250)"
/* clang-format on */
/* 9 parameters of 2 characters, 90 of 3 and 151 of 4, 249 ", " and the parentheses. */
_Static_assert(sizeof SOUK_CATALOG__PAGE_IN == 9 * 2 + 90 * 3 + 151 * 4 + 249 * 2 + 2 + 1,
               "SOUK_CATALOG__PAGE_IN must list $1 to $250");

/*
 * The two statements that read one child table for a set of keys: `one` for a single key
 * ("= $1", the plan a single read always had) and `page` for up to SOUK_CATALOG__PAGE_MAX.
 * Column 0 of both is the id of the row's owner; the order puts each owner's rows in the
 * order its array keeps them.
 */
struct souk_catalog__rows_sql {
    const char *one;
    const char *page;
};
/* clang-format off */
#define SOUK_CATALOG__ROWS_SQL(select, key, order)                                                 \
    {select " WHERE " key " = $1 " order,                                                          \
     select " WHERE " key " IN " SOUK_CATALOG__PAGE_IN " " order}
/* clang-format on */

/*
 * Appends the current row of st to owner i of ctx (an array the caller chose), growing that
 * owner's array with souk_catalog__grow and *cap, the owner's own capacity.
 */
typedef void souk_catalog__add_row_fn(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx,
                                      size_t i, size_t *cap);

/*
 * Runs sql for keys[0..nkeys) (1 <= nkeys <= SOUK_CATALOG__PAGE_MAX) and hands each row to add
 * with the index of its owner: the i for which owners[i] equals the row's column 0. Rows come
 * in owner order, so finding the owner costs one comparison a row; a row whose owner is not
 * among owners (changed since they were read) is skipped. Does nothing when nowners is 0.
 */
int souk_catalog__load_rows(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_catalog__rows_sql *sql, char *const *keys,
                            size_t nkeys, char *const *owners, size_t nowners,
                            souk_catalog__add_row_fn *add, void *ctx,
                            struct souk_err *err) SOUK_MUST_CHECK;

/* Which ids select the prices or stock of a set of variants. */
enum souk_catalog__by {
    SOUK_CATALOG__BY_VARIANT, /* the variants' own ids */
    SOUK_CATALOG__BY_PRODUCT, /* their products' ids: a page of products */
};

/* Variants gathered from one or more arrays, in the order their child rows are read. */
struct souk_catalog__variant_set {
    struct souk_variant **items;
    char **ids; /* ids[i] is items[i]->id */
    size_t n;
};

/* ---- store helpers shared by products.c, variants.c and stock.c ---- */

/* Bumps the version and updated_at of a product (whose representation includes variants). */
int souk_catalog__touch_product(struct souk_db_conn *conn, const char *product_id, int64_t now,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* The SKUs of a product's variants as a JSON array (pool text), for an outbox payload. */
int souk_catalog__skus_json(struct souk_db_conn *conn, struct souk_pool *pool,
                            const char *product_id, char **out, struct souk_err *err)
    SOUK_MUST_CHECK;

/*
 * Records a stock change of a variant: bumps its version and updated_at and its product's, and
 * announces "stock.changed" in the outbox. Every write of on_hand or reserved ends here, so it
 * also re-decides the variant's stock state from its total available units and, when that
 * changed, stores it and announces "stock.out", "stock.low" or "stock.back". In a grouped
 * write this happens once per variant when the batch commits (souk_db_defer): a live burst's
 * hot SKU is recorded once per batch of orders, and its state events say where the batch
 * left it.
 */
int souk_catalog__touch_variant(struct souk_db_conn *conn, const char *variant_id,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* Re-decides the stock state as souk_catalog__touch_variant does, without recording a stock
 * change: for a new low_stock_threshold. */
int souk_catalog__restate_variant(struct souk_db_conn *conn, const char *variant_id,
                                  struct souk_err *err) SOUK_MUST_CHECK;

/* A stored inventory_policy as the static string "deny", "backorder" or "preorder". */
const char *souk_catalog__policy_name(struct souk_str stored);

/* "out" when available <= 0, "low" when it is at or below threshold (SOUK_CATALOG_UNSET:
 * none), else "in". */
const char *souk_catalog__stock_state(int64_t available, int64_t threshold);

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

/*
 * Loads the variants of items[0..n), each product's in position order, with prices and stock,
 * into items[i].variants: three queries, however many products and variants. ids[i] is
 * items[i].id; 1 <= n <= SOUK_CATALOG__PAGE_MAX.
 */
int souk_catalog__load_variants(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *items, char *const *ids, size_t n,
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

/* Inserts a stock row with version 1; its on_hand is an "adjust" movement with reason. */
int souk_catalog__insert_stock(struct souk_db_conn *conn, const struct souk_stock_level *s,
                               const char *reason, int64_t now,
                               struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Reads the stock rows of each variant in set, ordered by warehouse code, into its stock array.
 * by says what keys[0..nkeys) are: the variants' own ids (set->ids) or their products' ids, in
 * the order of set.
 */
int souk_catalog__load_stock(struct souk_db_conn *conn, struct souk_pool *pool,
                             const struct souk_catalog__variant_set *set, enum souk_catalog__by by,
                             char *const *keys, size_t nkeys, struct souk_err *err) SOUK_MUST_CHECK;

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

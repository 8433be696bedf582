/*
 * catalog: products, variants, prices, media, translations, collections, warehouses and stock.
 *
 * The domain structs below are plain values allocated from a caller's pool: every string is
 * NUL-terminated pool memory, and NULL means "not set". The same structs serve the REST API,
 * the importers and the exporter, so a product means the same thing on every path.
 *
 * Every function works inside a transaction the caller opened on `conn` (write functions need a
 * SOUK_DB_WRITE transaction) and never commits: a request or an import is one transaction, so a
 * failure anywhere leaves the store unchanged once the caller rolls back.
 *
 * Validation happens here, not in handlers: each failure is SOUK_EINVAL (bad value) or
 * SOUK_EUNPROC (valid value that the store cannot accept, e.g. an unknown warehouse) with
 * err->param naming the field as a JSON path ("variants[2].gtin"), SOUK_ECONFLICT for a
 * duplicate handle, SKU or warehouse code, SOUK_ENOTFOUND for a missing id and SOUK_EPRECOND
 * when expected_version does not match. Depends on core/ and db/, and on jansson for the
 * JSON codec.
 */
#ifndef SOUK_CATALOG_CATALOG_H
#define SOUK_CATALOG_CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/pool.h"
#include "db/db.h"

#define SOUK_CATALOG_OPTIONS 3         /* option1..option3, as Shopify and most platforms */
#define SOUK_CATALOG_NO_VERSION (-1)   /* expected_version meaning "don't check" */
#define SOUK_CATALOG_UNSET INT64_MIN   /* an optional integer that is not set */
#define SOUK_CATALOG_DEFAULT_LOCALE "en"

struct souk_price {
    char currency[4];       /* ISO 4217, upper case */
    int64_t amount;         /* minor units, >= 0 */
    int64_t compare_at;     /* minor units >= amount, or SOUK_CATALOG_UNSET */
    int64_t sale_amount;    /* minor units < amount, or SOUK_CATALOG_UNSET */
    int64_t sale_starts_at; /* UTC us, or SOUK_CATALOG_UNSET (then sale_amount is unset too) */
    int64_t sale_ends_at;   /* UTC us > sale_starts_at, or SOUK_CATALOG_UNSET */
};

struct souk_stock_level {
    char *warehouse_id;   /* "wh_..."; on input either this or warehouse_code is set */
    char *warehouse_code; /* set on output too */
    char *variant_id;
    int64_t on_hand;      /* >= 0 */
    int64_t reserved;     /* output only until the orders issue */
    int64_t version;
    int64_t updated_at;
};

struct souk_variant {
    char *id;         /* "var_..."; assigned on create */
    char *product_id; /* "prod_..." */
    char *sku;        /* unique across the catalog; 1..100 printable bytes */
    char *gtin;       /* GTIN-8/12/13/14 with a valid check digit, or NULL */
    char *mpn;
    char *options[SOUK_CATALOG_OPTIONS]; /* values for the product's option names */
    int64_t position;                    /* 1-based order within the product */
    int64_t weight_grams, length_mm, width_mm, height_mm; /* >= 0 or SOUK_CATALOG_UNSET */
    char *image_url;  /* must be one of the product's media URLs, or NULL */
    /* Available units (over all warehouses) at or below which the variant is running low, >= 0;
     * SOUK_CATALOG_UNSET: it is never "low", only in or out of stock. */
    int64_t low_stock_threshold;
    char *stock_state; /* output only: "in", "low" or "out", the state last announced */
    struct souk_price *prices;
    size_t nprices;
    struct souk_stock_level *stock; /* on create: initial stock; on read: every warehouse */
    size_t nstock;
    int64_t version, created_at, updated_at;
};

struct souk_translation {
    char *locale; /* e.g. "pt-BR"; never the default locale */
    char *title;
    char *description;
};

struct souk_media {
    int64_t position; /* 1-based */
    char *url;        /* absolute http(s) URL */
    char *alt;
};

struct souk_product {
    char *id;     /* "prod_..." */
    char *handle; /* unique; lowercase letters, digits and '-' */
    char *status; /* "draft", "active" or "archived" */
    char *title;  /* in the default locale */
    char *description;
    char *brand, *vendor, *product_type, *google_product_category;
    char *condition; /* "new", "refurbished" or "used" */
    /* What an order does when stock cannot cover a SKU: "deny" (refused; the default),
     * "backorder" (sold past zero, taken from stock at fulfilment) or "preorder" (not yet
     * released: likewise, shipping from preorder_ships_at). */
    char *inventory_policy;
    int64_t preorder_ships_at; /* UTC us, set exactly when the policy is "preorder"; else 0 */
    char *option_names[SOUK_CATALOG_OPTIONS];
    char **tags;
    size_t ntags;
    struct souk_translation *translations;
    size_t ntranslations;
    struct souk_media *media;
    size_t nmedia;
    struct souk_variant *variants;
    size_t nvariants;
    char **collections; /* output only: handles of the collections holding it, sorted */
    size_t ncollections;
    int64_t version, created_at, updated_at;
    /* Set by reads with a locale: the locale the title/description were resolved from. */
    const char *resolved_locale;
};

/*
 * A manual collection: products the merchant lists, in the merchant's order. A product may be
 * in many collections; channels can carry products by collection (channels.h).
 */
struct souk_collection {
    char *id;     /* "col_..." */
    char *handle; /* unique; 1..255 of [a-z0-9_-]; made from the title when not given */
    char *title;  /* in the default locale */
    char *description;
    struct souk_translation *translations;
    size_t ntranslations;
    char **product_ids; /* members, first to last; at most SOUK_CATALOG_MAX_MEMBERS */
    size_t nproducts;
    int64_t version, created_at, updated_at;
};

#define SOUK_CATALOG_MAX_MEMBERS 4000 /* products in one collection */

struct souk_warehouse {
    char *id;   /* "wh_..." */
    char *code; /* unique; 1..64 of [a-z0-9_-] */
    char *name;
    char *country; /* ISO 3166-1 alpha-2 */
    int64_t version, created_at, updated_at;
};

/* ---- products ---- */

/* Validates p, assigns ids and timestamps, and inserts it with its variants, prices and stock. */
int souk_catalog_product_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *p, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Reads one product with its variants (prices, stock), media, tags and translations. With a
 * locale, title and description resolve through its fallback chain (pt-BR, pt, en).
 */
int souk_catalog_product_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                             const char *locale, struct souk_product **out, struct souk_err *err)
    SOUK_MUST_CHECK;

/*
 * Replaces the stored product's own fields, tags, translations and media with p's (variants are
 * changed through the variant functions). Bumps version. p->id names the product.
 */
int souk_catalog_product_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *p, int64_t expected_version,
                                struct souk_err *err) SOUK_MUST_CHECK;

/* The product's title in the default locale, for order lines. */
int souk_catalog_product_title(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                               char **title, struct souk_err *err) SOUK_MUST_CHECK;

/* What an order needs of a SKU, read in one query (the order intake's hot path). */
struct souk_catalog_offer {
    char *variant_id;
    char *title;                      /* the product's title, then " - " and option values */
    bool priced;                      /* false: no price in the currency asked */
    struct souk_price price;          /* in that currency (currency left empty) */
    int64_t available;                /* on hand less reserved, over every warehouse */
    const char *inventory_policy;     /* the product's: "deny", "backorder" or "preorder" */
};

/* 1 with *out filled for the variant whose SKU is sku, 0 when none has it. */
int souk_catalog_offer(struct souk_db_conn *conn, struct souk_pool *pool, const char *sku,
                       const char *currency, struct souk_catalog_offer *out,
                       struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Sets err (naming param) to SOUK_EOUTOFSTOCK with the ledger's words for quantity units asked
 * of a variant that has `available` left ("out of stock: 3 ordered, 1 available"); returns it.
 */
int souk_catalog_shortfall(int64_t quantity, int64_t available, const char *param,
                           struct souk_err *err);

/*
 * The inventory policy of the product a variant belongs to ("deny", "backorder" or
 * "preorder", a static string), read when an order finds the variant short.
 */
int souk_catalog_inventory_policy(struct souk_db_conn *conn, const char *variant_id,
                                  const char **policy, struct souk_err *err) SOUK_MUST_CHECK;

/* The id of the product whose handle is handle; SOUK_ENOTFOUND when there is none. */
int souk_catalog_product_id(struct souk_db_conn *conn, const char *handle, char id[SOUK_ID_MAX],
                            struct souk_err *err) SOUK_MUST_CHECK;

/* The product's current version (its ETag), without reading the rest of it. */
int souk_catalog_product_version(struct souk_db_conn *conn, const char *id, int64_t *version,
                                 struct souk_err *err) SOUK_MUST_CHECK;

int souk_catalog_product_delete(struct souk_db_conn *conn, const char *id,
                                int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

struct souk_product_filter {
    const char *status;    /* NULL for any */
    int64_t updated_since; /* SOUK_CATALOG_UNSET for any */
    const char *q;         /* case-insensitive substring of title, handle or a variant SKU */
    const char *tag;
    const char *collection; /* a collection's handle: only its members */
    const char *locale;
    const char *after; /* cursor: list ids strictly greater than this */
    int limit;         /* 1..250 */
};

/* Lists products in id order (creation order). *has_more says a next page exists. */
int souk_catalog_product_list(struct souk_db_conn *conn, struct souk_pool *pool,
                              const struct souk_product_filter *filter,
                              struct souk_product **out, size_t *count, bool *has_more,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* ---- collections ---- */

/*
 * Every change of membership is a change of each product that joins or leaves: its version
 * moves on (its JSON lists its collections) and "product.changed" goes to the outbox, so the
 * channels push it or take it down as their selection says, as they do for a tag change.
 */

/* Validates col, assigns id and timestamps and inserts it with its translations and members
 * (col->product_ids, each an existing product, SOUK_EUNPROC otherwise). */
int souk_catalog_collection_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                   struct souk_collection *col,
                                   struct souk_err *err) SOUK_MUST_CHECK;

/* Reads one collection with its translations and members. */
int souk_catalog_collection_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                                struct souk_collection **out, struct souk_err *err) SOUK_MUST_CHECK;

/* The id of the collection whose handle is handle; SOUK_ENOTFOUND when there is none. */
int souk_catalog_collection_id(struct souk_db_conn *conn, const char *handle, char id[SOUK_ID_MAX],
                               struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Replaces the stored collection's handle, title, description and translations with col's
 * (col->id names it; members are left alone). Bumps version. A new handle is a new JSON of
 * every member, whose versions move on too; channels select by id, so they are unaffected.
 */
int souk_catalog_collection_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                   struct souk_collection *col, int64_t expected_version,
                                   struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Deletes the collection; its members leave it (announced as above). A collection a channel
 * selects is refused by the database; souk_channels_collection_delete says which channel.
 */
int souk_catalog_collection_delete(struct souk_db_conn *conn, const char *id,
                                   int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

/* Collections in id order (creation order), with their members. */
int souk_catalog_collection_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *after, int limit, struct souk_collection **out,
                                 size_t *count, bool *has_more,
                                 struct souk_err *err) SOUK_MUST_CHECK;

/* The handles of the collection's members, first to last, in pool memory (for an export, whose
 * product ids a store importing it does not keep). */
int souk_catalog_collection_member_handles(struct souk_db_conn *conn, struct souk_pool *pool,
                                           const char *id, char ***out, size_t *count,
                                           struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Makes product_ids[0..n) the members, in that order; errors name "product_ids[i]".
 * SOUK_EINVAL for a repeated id or more than SOUK_CATALOG_MAX_MEMBERS,
 * SOUK_EUNPROC for an unknown product. Bumps version when the list changed.
 */
int souk_catalog_collection_set_products(struct souk_db_conn *conn, struct souk_pool *pool,
                                         const char *id, char *const *product_ids, size_t n,
                                         int64_t expected_version,
                                         struct souk_err *err) SOUK_MUST_CHECK;

/* Appends one member; a product already in the collection stays where it is (no change). */
int souk_catalog_collection_add_product(struct souk_db_conn *conn, struct souk_pool *pool,
                                        const char *id, const char *product_id,
                                        int64_t expected_version,
                                        struct souk_err *err) SOUK_MUST_CHECK;

/* Removes one member; SOUK_ENOTFOUND when the product is not in the collection. */
int souk_catalog_collection_remove_product(struct souk_db_conn *conn, struct souk_pool *pool,
                                           const char *id, const char *product_id,
                                           int64_t expected_version,
                                           struct souk_err *err) SOUK_MUST_CHECK;

/* ---- variants ---- */

/* Inserts v under v->product_id (which must exist) with its prices and initial stock. */
int souk_catalog_variant_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_variant *v, struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_variant_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                             struct souk_variant **out, struct souk_err *err) SOUK_MUST_CHECK;
/* Replaces the variant's fields and prices (stock is changed through the stock functions). */
int souk_catalog_variant_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_variant *v, int64_t expected_version,
                                struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_variant_delete(struct souk_db_conn *conn, const char *id,
                                int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

struct souk_variant_filter {
    const char *product_id; /* NULL for any */
    const char *sku;        /* exact */
    const char *after;
    int limit;
};
int souk_catalog_variant_list(struct souk_db_conn *conn, struct souk_pool *pool,
                              const struct souk_variant_filter *filter,
                              struct souk_variant **out, size_t *count, bool *has_more,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* ---- warehouses ---- */

/* Validates w and inserts it; w->id and the timestamps are allocated from pool. */
int souk_catalog_warehouse_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                  struct souk_warehouse *w, struct souk_err *err)
    SOUK_MUST_CHECK;
int souk_catalog_warehouse_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                               struct souk_warehouse **out, struct souk_err *err) SOUK_MUST_CHECK;
/* Looks a warehouse up by its code. */
int souk_catalog_warehouse_by_code(struct souk_db_conn *conn, struct souk_pool *pool,
                                   const char *code, struct souk_warehouse **out,
                                   struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_warehouse_update(struct souk_db_conn *conn, struct souk_warehouse *w,
                                  int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;
/* Refuses (SOUK_ECONFLICT) while any stock row still references the warehouse. */
int souk_catalog_warehouse_delete(struct souk_db_conn *conn, const char *id,
                                  int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_warehouse_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                const char *after, int limit, struct souk_warehouse **out,
                                size_t *count, bool *has_more, struct souk_err *err)
    SOUK_MUST_CHECK;

/* ---- stock ---- */

/* Sets on_hand for (variant, warehouse), creating the row if needed; s->warehouse_id or
 * s->warehouse_code names the warehouse. Fills the stored row back into s. The change is an
 * "adjust" movement with reason (NULL: "on hand set to N"). */
int souk_catalog_stock_set(struct souk_db_conn *conn, struct souk_pool *pool,
                           struct souk_stock_level *s, const char *reason,
                           int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_stock_get(struct souk_db_conn *conn, struct souk_pool *pool,
                           const char *variant_id, const char *warehouse_id,
                           struct souk_stock_level **out, struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_stock_delete(struct souk_db_conn *conn, const char *variant_id,
                              const char *warehouse_id, int64_t expected_version,
                              struct souk_err *err) SOUK_MUST_CHECK;

struct souk_stock_filter {
    const char *variant_id;
    const char *warehouse_id;
    const char *after; /* cursor "variant_id/warehouse_id" as returned by the list */
    int limit;
};
int souk_catalog_stock_list(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_stock_filter *filter,
                            struct souk_stock_level **out, size_t *count, bool *has_more,
                            struct souk_err *err) SOUK_MUST_CHECK;

/* ---- the ledger: every change of on_hand or reserved, with its reason ---- */

/*
 * kind and quantity: "reserve", "release" (reserved -= n), "consume" (on_hand and reserved -=
 * n, at fulfilment), "restock" (on_hand += n, a return received) take n > 0; "adjust" is a set
 * or initial on_hand and takes the signed change. So for every stock row, on_hand is the sum
 * of adjust + restock - consume and reserved that of reserve - release - consume.
 */
struct souk_stock_movement {
    char *id; /* "mov_...", sorting by time */
    char *variant_id, *warehouse_id;
    char *kind;
    int64_t quantity;
    char *order_id; /* NULL when no order caused it */
    char *reason;
    int64_t created_at;
};

struct souk_movement_filter {
    const char *variant_id, *warehouse_id, *order_id, *kind; /* NULL for any */
    const char *after;                                       /* a movement id */
    int limit;                                               /* 1..250 */
};

/* Movements oldest first, after filter->after; *has_more when another page follows. */
int souk_catalog_stock_movements(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const struct souk_movement_filter *filter,
                                 struct souk_stock_movement **out, size_t *count, bool *has_more,
                                 struct souk_err *err) SOUK_MUST_CHECK;
json_t *souk_catalog_movement_encode(const struct souk_stock_movement *m);

/* ---- change tracking ---- */

/*
 * The SKUs an outbox subject names: every variant of a product ("prod_...") or the one of a
 * variant ("var_..."); none when it no longer exists. Cheap: no prices, stock or media.
 */
int souk_catalog_skus_of(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                         char ***skus, size_t *count, struct souk_err *err) SOUK_MUST_CHECK;

/* Enough to tell whether anything a reader of the catalog sees has changed since. */
struct souk_catalog_fingerprint {
    int64_t products, variants, stock_rows; /* counts: a delete shows here */
    int64_t last_change; /* newest updated_at of products, variants and stock (UTC us) */
};

int souk_catalog_fingerprint(struct souk_db_conn *conn, struct souk_catalog_fingerprint *out,
                             struct souk_err *err) SOUK_MUST_CHECK;

/* Variants by the stock state last announced (stock.low, stock.out), for /metrics. */
struct souk_catalog_stock_states {
    int64_t low; /* available, but at or below the variant's low_stock_threshold */
    int64_t out; /* nothing available in any warehouse */
};

int souk_catalog_stock_states(struct souk_db_conn *conn, struct souk_catalog_stock_states *out,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* ---- reservations (the stock ledger) ---- */

/*
 * Reserves quantity units of a variant for an order (or, with order_id NULL, a channel's
 * allocation) in one warehouse that can cover them all, preferring one in ship_country (may be
 * NULL), and records the movement in the ledger with reason. The reservation is a conditional
 * update (available >= quantity), so the ledger stays exact even with several writers.
 * SOUK_EOUTOFSTOCK, saying how many are available, when no warehouse can; the chosen warehouse
 * id is written to warehouse_id. souk_catalog_stock_pick then souk_catalog_stock_reserve_in.
 */
int souk_catalog_stock_reserve(struct souk_db_conn *conn, const char *variant_id,
                               int64_t quantity, const char *ship_country, const char *order_id,
                               const char *reason, const char *param,
                               char warehouse_id[SOUK_ID_MAX], struct souk_err *err) SOUK_MUST_CHECK;

/*
 * The warehouse souk_catalog_stock_reserve would take quantity units from, written to
 * warehouse_id, or SOUK_EOUTOFSTOCK as it would say it; reads only, so a caller can check
 * every SKU of an order before it writes anything.
 */
int souk_catalog_stock_pick(struct souk_db_conn *conn, const char *variant_id, int64_t quantity,
                            const char *ship_country, const char *param,
                            char warehouse_id[SOUK_ID_MAX], struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Reserves quantity units in the warehouse picked (the conditional update and its ledger row);
 * SOUK_EOUTOFSTOCK, changing nothing, when another writer took them since the pick.
 */
int souk_catalog_stock_reserve_in(struct souk_db_conn *conn, const char *variant_id,
                                  const char *warehouse_id, int64_t quantity, const char *order_id,
                                  const char *reason, const char *param,
                                  struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Hands quantity reserved units from a channel's allocation to an order without touching
 * on_hand or reserved: the ledger gets a release (from_reason) and a reserve for the order
 * (to_reason), so its sums still match the stock row. Announced as a stock change: what the
 * allocating channel may still sell went down.
 */
int souk_catalog_stock_transfer(struct souk_db_conn *conn, const char *variant_id,
                                const char *warehouse_id, int64_t quantity,
                                const char *from_reason, const char *order_id,
                                const char *to_reason, struct souk_err *err) SOUK_MUST_CHECK;

enum souk_catalog_stock_outcome {
    SOUK_CATALOG_RELEASE, /* reserved units go back to available (a cancelled order) */
    SOUK_CATALOG_CONSUME, /* reserved units leave on_hand too (a shipped order) */
};

/*
 * Settles quantity units an order reserved in a warehouse, as released or consumed, with a
 * ledger row giving reason. SOUK_ECONFLICT if fewer units are reserved there (the ledger and the
 * order disagree, which never happens unless the store was edited by hand).
 */
int souk_catalog_stock_settle(struct souk_db_conn *conn, const char *variant_id,
                              const char *warehouse_id, int64_t quantity,
                              enum souk_catalog_stock_outcome outcome, const char *order_id,
                              const char *reason, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Puts quantity units an order shipped from a warehouse back on hand there (a received return),
 * with a restock ledger row giving reason. Announced as a stock change, so the channels sell
 * the units again.
 */
int souk_catalog_stock_restock(struct souk_db_conn *conn, const char *variant_id,
                               const char *warehouse_id, int64_t quantity, const char *order_id,
                               const char *reason, struct souk_err *err) SOUK_MUST_CHECK;

/* ---- JSON codec (the API's and the JSON-lines format's shape) ---- */

enum souk_catalog_decode_mode {
    SOUK_CATALOG_CREATE, /* required fields must be present; defaults filled in */
    SOUK_CATALOG_PATCH,  /* only present fields change the struct; null clears optional ones */
};

/*
 * Overlays the JSON object `in` onto *p (zeroed for CREATE, the stored product for PATCH).
 * Unknown fields, wrong types and read-only fields are SOUK_EINVAL naming the field. In PATCH
 * mode "variants" is refused: variants change through /v1/variants.
 */
int souk_catalog_product_decode(struct souk_pool *pool, json_t *in,
                                enum souk_catalog_decode_mode mode, struct souk_product *p,
                                struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_variant_decode(struct souk_pool *pool, json_t *in,
                                enum souk_catalog_decode_mode mode, struct souk_variant *v,
                                const char *param_prefix, struct souk_err *err) SOUK_MUST_CHECK;
int souk_catalog_warehouse_decode(struct souk_pool *pool, json_t *in,
                                  enum souk_catalog_decode_mode mode, struct souk_warehouse *w,
                                  struct souk_err *err) SOUK_MUST_CHECK;
/* In PATCH mode "product_ids" is refused: members change through /v1/collections/{id}/products. */
int souk_catalog_collection_decode(struct souk_pool *pool, json_t *in,
                                   enum souk_catalog_decode_mode mode, struct souk_collection *col,
                                   struct souk_err *err) SOUK_MUST_CHECK;
/*
 * Reads a JSON array of product ids (a PUT of a collection's members) into pool memory; param
 * names it in errors. SOUK_EINVAL for anything but an array of at most
 * SOUK_CATALOG_MAX_MEMBERS strings.
 */
int souk_catalog_product_ids_decode(struct souk_pool *pool, json_t *in, const char *param,
                                    char ***ids, size_t *n, struct souk_err *err) SOUK_MUST_CHECK;

/* Encoders return a new reference (json_decref it). */
json_t *souk_catalog_product_encode(const struct souk_product *p);
json_t *souk_catalog_variant_encode(const struct souk_variant *v);
json_t *souk_catalog_warehouse_encode(const struct souk_warehouse *w);
json_t *souk_catalog_collection_encode(const struct souk_collection *col);
json_t *souk_catalog_stock_encode(const struct souk_stock_level *s);

#endif

/*
 * orders: the order book. One order model for every source: the merchant's own checkout
 * (channel "direct", placed through POST /v1/orders) and the platforms' checkouts (channel =
 * the souk channel's id, taken in by souk_orders_ingest from what the channel's connector
 * fetched).
 *
 * Placing an order prices its lines from the catalog, reserves their stock through the ledger
 * (catalog.h, souk_catalog_stock_reserve) and writes the order, all inside the caller's write
 * transaction: either everything is committed or nothing is. Stock is checked per SKU on the sum
 * of the order's lines, so two lines of one SKU cannot pass where their total does not.
 *
 * A platform order has already been sold and paid on the platform: souk cannot refuse it. Its
 * prices are the platform's; what cannot be reserved (an unknown SKU, stock that ran out) is
 * flagged on the line and in stock_issue, never dropped and never silently accepted.
 *
 * A product whose inventory_policy is "backorder" or "preorder" sells past zero, on every
 * path: a SKU of it that stock cannot cover reserves nothing, its lines say "backorder" or
 * "preorder" in issue, and that is no stock_issue. Fulfilment takes those units from stock
 * then (souk_orders_transition refuses to fulfil while stock cannot cover them).
 * Structs follow catalog.h's conventions (pool strings, NULL for unset). Depends on core/, db/,
 * catalog/ and jansson.
 */
#ifndef SOUK_ORDERS_ORDERS_H
#define SOUK_ORDERS_ORDERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/jsonout.h"
#include "core/pool.h"
#include "db/db.h"

#define SOUK_ORDERS_MAX_LINES 100
#define SOUK_ORDERS_MAX_QUANTITY 10000

struct souk_order_line {
    int64_t line_no;    /* 1-based */
    char *sku;          /* as ordered */
    int64_t quantity;   /* 1..SOUK_ORDERS_MAX_QUANTITY */
    char *variant_id;   /* resolved from the SKU */
    char *title;        /* the product's title and the variant's option values */
    int64_t unit_price; /* minor units of the order's currency (the sale price while one runs) */
    char *warehouse_id; /* where the units are reserved; NULL when the line has an issue */
    /* NULL, or why the line holds no reservation: "unknown_sku" or "short" (a problem, in the
     * order's stock_issue too), "backorder" or "preorder" (expected: sold past zero, the units
     * are taken from stock at fulfilment, when warehouse_id is set) */
    char *issue;
    int64_t returned;   /* units received back, 0..quantity */
};

struct souk_order_refund {
    char *id;       /* "ref_..." */
    int64_t amount; /* minor units of the order's currency, > 0 */
    char *reason;   /* NULL when none was given */
    int64_t created_at;
};

struct souk_order {
    char *id;          /* "ord_..." */
    char *channel;     /* "direct" for POST /v1/orders */
    char *external_id; /* the merchant's or platform's reference; unique per channel */
    char *status;      /* "pending" at placement */
    char currency[4];
    int64_t subtotal, shipping, discount, tax, total; /* minor units */
    char *buyer_name, *buyer_email, *buyer_phone;
    char *ship_country; /* ISO 3166-1 alpha-2; picks the warehouse when it can */
    char *ship_address; /* the whole address as one text (the platform's "full address") */
    char *ship_name, *ship_line1, *ship_line2, *ship_city, *ship_region, *ship_postal_code;
    char *payment_method; /* as the platform reports it: "Visa", "Alipay", "UPI", "Boleto" */
    char *campaign, *creator, *live_stream; /* where the sale came from, when known */
    char *platform_status;       /* the platform's own word ("AWAITING_SHIPMENT") */
    int64_t platform_updated_at; /* the platform's update time (UTC us); 0 for direct orders */
    char *stock_issue;           /* why units are not reserved; NULL when all are */
    char *carrier, *tracking_number; /* set when fulfilled */
    char *cancel_reason;
    int64_t refunded; /* the sum of refunds, 0..total */
    struct souk_order_line *lines;
    size_t nlines;
    struct souk_order_refund *refunds; /* oldest first */
    size_t nrefunds;
    int64_t version, created_at, updated_at;
};

/*
 * Placing an order is two steps, so that the single writer does only what needs it:
 *
 * souk_orders_prepare validates o and prices its lines; it only reads, and may run in a read
 * transaction taken just before the write. It already refuses a SKU that the stock it reads
 * cannot cover (SOUK_EOUTOFSTOCK, as below): stock only falls between the two steps for the
 * orders placed in between, so such a refusal is one the write would make too. SOUK_EUNPROC
 * for an unknown SKU or a SKU without a price in the order's currency.
 *
 * souk_orders_place then reserves and inserts the prepared o in a write transaction; the
 * reservation, not the check above, is what guarantees the stock. SOUK_EOUTOFSTOCK names the
 * first line of the SKU that cannot be covered ("lines[2].quantity") and says how many are
 * left (unless its product sells on backorder or pre-order: see above); SOUK_ECONFLICT when the
 * channel already has an order with this external_id. Prices stay those prepare read.
 */
int souk_orders_prepare(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                        struct souk_err *err) SOUK_MUST_CHECK;
int souk_orders_place(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                      struct souk_err *err) SOUK_MUST_CHECK;

/* What a lifecycle step carries: fulfil needs carrier and tracking number, cancel a reason. */
struct souk_order_change {
    const char *carrier, *tracking_number, *reason;
};

/*
 * Moves an order along pending -> confirmed -> allocated -> fulfilled -> delivered, or cancels
 * it, settling its stock in the ledger: fulfil consumes the reserved units, cancel releases them.
 * Fulfil also takes the units of backorder and pre-order lines from stock, or is
 * SOUK_EOUTOFSTOCK naming the line's SKU and what is available while stock cannot cover them.
 * action is "confirm", "allocate", "fulfil", "deliver" or "cancel" (refunds and returns carry
 * more: souk_orders_refund, souk_orders_return). A step the order's state does not allow is
 * SOUK_ECONFLICT naming the state; SOUK_EPRECOND when expected_version (or -1) does not match.
 */
int souk_orders_transition(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                           const char *action, const struct souk_order_change *change,
                           int64_t expected_version, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Refunds r->amount (minor units, > 0) of a confirmed, allocated, fulfilled, delivered or
 * returned order, with an optional r->reason; fills in r->id and r->created_at. Refunds add up in
 * o->refunded; once they reach the total the order is refunded (an order that never shipped
 * releases its reserved units then: it never will ship). SOUK_EUNPROC naming "amount" when it is
 * more than is still refundable. Writes the outbox row "order.refunded" with the amount, whole or
 * partial.
 */
int souk_orders_refund(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                       struct souk_order_refund *r, int64_t expected_version,
                       struct souk_err *err) SOUK_MUST_CHECK;

/* One line of a return: the order's line_no, or (line_no 0) the SKU of exactly one line. */
struct souk_order_return_line {
    int64_t line_no;
    char *sku;
    int64_t quantity;
};

struct souk_order_return {
    struct souk_order_return_line *lines;
    size_t nlines;
    char *reason; /* NULL when none was given */
};

/*
 * Receives returned units of a fulfilled or delivered order: each goes back on hand in the
 * warehouse its line shipped from (a restock in the ledger) and adds to the line's returned.
 * A line takes back at most what it shipped, all told (SOUK_EUNPROC naming
 * "lines[i].quantity" with how many it can still take); a line that shipped nothing (an
 * unknown SKU, a shortfall) takes back none. Once every shipped unit is back the order is
 * returned. Writes the outbox row "order.returned" with the lines received.
 */
int souk_orders_return(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                       const struct souk_order_return *r, int64_t expected_version,
                       struct souk_err *err) SOUK_MUST_CHECK;

/* What souk_orders_ingest did with a platform's order. */
enum souk_orders_ingested {
    SOUK_ORDERS_CREATED,   /* a new order, its stock reserved (or flagged in stock_issue) */
    SOUK_ORDERS_ADVANCED,  /* a known order moved forward */
    SOUK_ORDERS_UNCHANGED, /* nothing new, or an update older than the one applied */
};

/*
 * Takes in an order as a platform reports it: o->channel (the channel id), external_id,
 * status (already mapped to souk's lifecycle), platform_status and platform_updated_at, the
 * platform's amounts and lines (sku, quantity, unit_price). The same platform order taken in
 * twice is one order. A known order only moves forward along the lifecycle (or to cancelled,
 * releasing its stock) and only for an update newer than the last one applied. A new order
 * reserves what it can; an unknown SKU or a shortfall is flagged, not refused. *what says
 * which; *out is the stored order.
 */
int souk_orders_ingest(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                       enum souk_orders_ingested *what, struct souk_order **out,
                       struct souk_err *err) SOUK_MUST_CHECK;

/* The stored order with this channel and external id: 1 with *out set, 0 when none. */
int souk_orders_find_external(struct souk_db_conn *conn, struct souk_pool *pool,
                              const char *channel, const char *external_id,
                              struct souk_order **out, struct souk_err *err) SOUK_MUST_CHECK;

int souk_orders_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                    struct souk_order **out, struct souk_err *err) SOUK_MUST_CHECK;

struct souk_order_filter {
    const char *status;  /* NULL for any */
    const char *channel; /* NULL for any */
    int64_t created_from, created_to; /* [from, to) in UTC us; 0 for no bound */
    const char *buyer_email;          /* NULL for any */
    bool stock_issue_only;            /* only orders with units not reserved */
    bool backorder_only; /* only open orders with backorder or pre-order lines still unfilled */
    const char *after;   /* cursor: ids strictly greater */
    int limit;           /* 1..250 */
};

int souk_orders_list(struct souk_db_conn *conn, struct souk_pool *pool,
                     const struct souk_order_filter *filter, struct souk_order **out, size_t *count,
                     bool *has_more, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Decodes a direct placement body: {"currency", "lines": [{"sku", "quantity"}], "shipping",
 * "external_id", "buyer": {"name", "email"}, "shipping_address": {"country", "text"}}.
 * Unknown fields and wrong types are SOUK_EINVAL naming the field.
 */
int souk_orders_decode(struct souk_pool *pool, json_t *in, struct souk_order *o,
                       struct souk_err *err) SOUK_MUST_CHECK;

/* {"amount", "reason"} for souk_orders_refund; SOUK_EINVAL naming a wrong or unknown field. */
int souk_orders_decode_refund(struct souk_pool *pool, json_t *in, struct souk_order_refund *r,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* {"lines": [{"line" or "sku", "quantity"}], "reason"} for souk_orders_return; likewise. */
int souk_orders_decode_return(struct souk_pool *pool, json_t *in, struct souk_order_return *r,
                              struct souk_err *err) SOUK_MUST_CHECK;

/* Writes o as the API's JSON object, as the member key (NULL: a value) of what w writes. */
void souk_orders_write_json(struct souk_jsonout *w, const char *key, const struct souk_order *o);

#endif

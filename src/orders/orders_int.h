/*
 * orders_int.h: what the orders module's files share (orders.c places, reads and moves
 * orders; ingest.c takes in the platforms' orders through the same writes; refunds.c refunds
 * them and takes returns back).
 */
#ifndef SOUK_ORDERS_ORDERS_INT_H
#define SOUK_ORDERS_ORDERS_INT_H

#include "catalog/catalog.h"
#include "orders/orders.h"

int souk_orders__check_text(const char *value, const char *param, size_t max,
                            struct souk_err *err) SOUK_MUST_CHECK;
/* Every text field of o against its length limit (and UTF-8). */
int souk_orders__check_texts(const struct souk_order *o, struct souk_err *err) SOUK_MUST_CHECK;
/* Currency, line count and quantities, ship-to country and every text field. */
int souk_orders__check_order(const struct souk_order *o, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Writes the outbox row "order.<status>" for order id: payload {"by": "merchant" | "platform",
 * "channel": ...}. The channel sync tells a platform what the merchant did to its orders (and
 * only that: the platform knows what it did itself).
 */
int souk_orders__announce(struct souk_db_conn *conn, const char *id, const char *channel,
                          const char *status, const char *by, struct souk_err *err) SOUK_MUST_CHECK;

/* The variant with this SKU: 1 with *out set, 0 when none. */
int souk_orders__find_variant(struct souk_db_conn *conn, struct souk_pool *pool, const char *sku,
                              struct souk_variant **out, struct souk_err *err) SOUK_MUST_CHECK;

/* Inserts the order row (first: the ledger rows point at it), then, once reserved, its lines. */
int souk_orders__insert(struct souk_db_conn *conn, const struct souk_order *o,
                        struct souk_err *err) SOUK_MUST_CHECK;
int souk_orders__insert_lines(struct souk_db_conn *conn, const struct souk_order *o,
                              struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Reserves a platform order's stock, each SKU once for the sum of its lines: from its
 * channel's allocation first, then from the shared stock. The order is already sold, so a SKU
 * that cannot be covered marks its lines (backorder or pre-order where its product sells so,
 * "short", named in o->stock_issue, otherwise) instead of failing it; lines whose SKU is
 * unknown (no variant_id) are skipped.
 */
int souk_orders__reserve(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                         struct souk_err *err) SOUK_MUST_CHECK;
/* Consumes or releases every reserved line, with reason in the ledger (lines with an issue
 * reserved nothing and are skipped; see souk_orders__fill_backorders). */
int souk_orders__settle(struct souk_db_conn *conn, const struct souk_order *o,
                        enum souk_catalog_stock_outcome outcome, const char *reason,
                        struct souk_err *err) SOUK_MUST_CHECK;

/*
 * At fulfilment: takes the units of lines sold on backorder or pre-order from stock now, per
 * SKU on the sum of its lines (a reserve and a consume with reason in the ledger), and gives
 * the lines their warehouse. With strict (the merchant fulfils in souk) a SKU that stock still
 * cannot cover is SOUK_EOUTOFSTOCK naming its line and what is available; without (the
 * platform reports the order shipped, which souk cannot refuse) it is left unfilled and named
 * in the order's stock_issue.
 */
int souk_orders__fill_backorders(struct souk_db_conn *conn, struct souk_pool *pool,
                                 struct souk_order *o, bool strict, const char *reason,
                                 struct souk_err *err) SOUK_MUST_CHECK;

/*
 * May action be done to o now? SOUK_EPRECOND when expected_version is not -1 and not o's
 * version; SOUK_ECONFLICT naming the state when o's status is not one of from (NULL-terminated).
 */
int souk_orders__check_state(const struct souk_order *o, const char *action,
                             const char *const *from, int64_t expected_version,
                             struct souk_err *err) SOUK_MUST_CHECK;

#endif

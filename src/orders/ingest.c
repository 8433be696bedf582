/* ingest: the platforms' orders into the order book; see souk_orders_ingest in orders.h. */
#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/time.h"
#include "orders/orders.h"
#include "orders/orders_int.h"

/*
 * Where a status sits on the lifecycle; cancelled is off it (-1), unknown is -2. Refunded and
 * returned are off it too (-3): they record what the merchant did in souk, no platform status
 * maps to them, and no platform update moves an order out of them.
 */
static int rank(const char *status)
{
    static const char *const order[] = {"pending", "confirmed", "allocated", "fulfilled",
                                        "delivered"};
    for (int i = 0; i < 5; i++)
        if (strcmp(order[i], status) == 0)
            return i;
    if (strcmp(status, "refunded") == 0 || strcmp(status, "returned") == 0)
        return -3;
    return strcmp(status, "cancelled") == 0 ? -1 : -2;
}

#define RANK_FULFILLED 3

static int check_platform_order(const struct souk_order *o, struct souk_err *err)
{
    if (!o->channel || !o->external_id || !*o->external_id)
        return souk_err_set(err, SOUK_EINVAL, "external_id",
                            "a platform order needs its channel and the platform's order id");
    if (!o->status || rank(o->status) < -1)
        return souk_err_set(err, SOUK_EINVAL, "status", "status %.32s is not an order status",
                            o->status ? o->status : "(none)");
    const int64_t *amounts[] = {&o->subtotal, &o->shipping, &o->discount, &o->tax, &o->total};
    static const char *const names[] = {"subtotal", "shipping", "discount", "tax", "total"};
    for (int i = 0; i < 5; i++)
        if (*amounts[i] < 0)
            return souk_err_set(err, SOUK_EINVAL, names[i], "%s must not be negative", names[i]);
    for (size_t i = 0; i < o->nlines; i++)
        if (o->lines[i].unit_price < 0)
            return souk_err_set(err, SOUK_EINVAL, "lines", "a unit price must not be negative");
    return souk_orders__check_order(o, err);
}

/* Resolves each line's SKU; an unknown one is flagged, and named in o->stock_issue. */
static int resolve_lines(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                         struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        struct souk_order_line *l = &o->lines[i];
        l->line_no = (int64_t)i + 1;
        struct souk_variant *v = NULL;
        int rc = souk_orders__find_variant(conn, pool, l->sku, &v, err);
        if (rc < 0)
            return rc;
        if (rc == 0) {
            l->issue = "unknown_sku";
            const char *what = souk_pool_printf(pool, "no variant has SKU %.100s", l->sku);
            o->stock_issue = o->stock_issue
                                 ? souk_pool_printf(pool, "%s; %s", o->stock_issue, what)
                                 : (char *)what;
            continue;
        }
        l->variant_id = v->id;
        if (!l->title) {
            rc = souk_catalog_product_title(conn, pool, v->product_id, &l->title, err);
            if (rc != SOUK_OK)
                return rc;
        }
    }
    return SOUK_OK;
}

/*
 * A new platform order: reserved where stock allows (a cancelled one reserves nothing; one
 * first seen already shipped reserves and consumes at once, so the ledger still shows the
 * units leaving).
 */
static int create(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                  struct souk_err *err)
{
    int rc = resolve_lines(conn, pool, o, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX];
    souk_id_new("ord", id);
    o->id = souk_pool_strdup(pool, id);
    o->version = 1;
    o->created_at = o->updated_at = souk_time_now_us();
    bool reserves = rank(o->status) >= 0;
    char *unknown_skus = o->stock_issue; /* reserve appends shortfalls to it */
    rc = souk_orders__insert(conn, o, err);
    if (rc == SOUK_OK && reserves)
        rc = souk_orders__reserve(conn, pool, o, err);
    if (rc == SOUK_OK && reserves && rank(o->status) >= RANK_FULFILLED)
        rc = souk_orders__settle(conn, o, SOUK_CATALOG_CONSUME, "order fulfilled", err);
    if (rc == SOUK_OK && reserves && rank(o->status) >= RANK_FULFILLED)
        rc = souk_orders__fill_backorders(conn, pool, o, false, "order fulfilled", err);
    if (rc == SOUK_OK)
        rc = souk_orders__insert_lines(conn, o, err);
    if (rc == SOUK_OK && o->stock_issue != unknown_skus) {
        int64_t changed =
            souk_db_run_sql(conn, err, "UPDATE orders SET stock_issue = $2 WHERE id = $1", "ss",
                            o->id, o->stock_issue);
        rc = changed < 0 ? (int)changed : SOUK_OK;
    }
    if (rc == SOUK_OK)
        rc = souk_orders__announce(conn, o->id, o->channel, "created", "platform", err);
    return rc;
}

/*
 * A known order: the platform's newer word moves it forward (consuming its stock when it
 * ships, and taking what its backorder lines need from stock then) or cancels it (releasing its
 * stock); an older or equal update changes nothing, and nothing moves an order backwards. A
 * cancellation after shipping is recorded as the platform's status only: the goods are out, the
 * return path handles them.
 */
static int advance(struct souk_db_conn *conn, struct souk_pool *pool, const struct souk_order *in,
                   struct souk_order *cur, enum souk_orders_ingested *what, struct souk_err *err)
{
    *what = SOUK_ORDERS_UNCHANGED;
    if (in->platform_updated_at <= cur->platform_updated_at)
        return SOUK_OK;
    int from = rank(cur->status), to = rank(in->status);
    const char *status = cur->status;
    int rc = SOUK_OK;
    if (to == -1 && from >= 0 && from < RANK_FULFILLED) {
        status = "cancelled";
        rc = souk_orders__settle(conn, cur, SOUK_CATALOG_RELEASE, "order cancelled", err);
    } else if (from >= 0 && to > from) {
        status = in->status;
        if (from < RANK_FULFILLED && to >= RANK_FULFILLED)
            rc = souk_orders__settle(conn, cur, SOUK_CATALOG_CONSUME, "order fulfilled", err);
        if (rc == SOUK_OK && from < RANK_FULFILLED && to >= RANK_FULFILLED)
            rc = souk_orders__fill_backorders(conn, pool, cur, false, "order fulfilled", err);
    }
    if (rc != SOUK_OK)
        return rc;
    int64_t changed = souk_db_run_sql(
        conn, err,
        "UPDATE orders SET status = $2, platform_status = $3, platform_updated_at = $4, "
        "carrier = COALESCE($5, carrier), tracking_number = COALESCE($6, tracking_number), "
        "cancel_reason = CASE WHEN $2 = 'cancelled' THEN COALESCE(cancel_reason, $7) "
        "ELSE cancel_reason END, version = version + 1, updated_at = $8 WHERE id = $1",
        "sssisssi", cur->id, status, in->platform_status, in->platform_updated_at, in->carrier,
        in->tracking_number, in->cancel_reason ? in->cancel_reason : "cancelled on the platform",
        souk_time_now_us());
    if (changed < 0)
        return (int)changed;
    *what = SOUK_ORDERS_ADVANCED;
    return strcmp(status, cur->status) == 0
               ? SOUK_OK
               : souk_orders__announce(conn, cur->id, cur->channel, status, "platform", err);
}

int souk_orders_ingest(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                       enum souk_orders_ingested *what, struct souk_order **out,
                       struct souk_err *err)
{
    int rc = check_platform_order(o, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_order *cur = NULL;
    rc = souk_orders_find_external(conn, pool, o->channel, o->external_id, &cur, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        rc = advance(conn, pool, o, cur, what, err);
    } else {
        rc = create(conn, pool, o, err);
        *what = SOUK_ORDERS_CREATED;
    }
    if (rc != SOUK_OK)
        return rc;
    return souk_orders_get(conn, pool, cur ? cur->id : o->id, out, err);
}

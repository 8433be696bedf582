/* refunds: money back and goods back after a sale; see souk_orders_refund and _return. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/id.h"
#include "core/time.h"
#include "orders/orders.h"
#include "orders/orders_int.h"
#include "outbox/outbox.h"

static const char *const refundable[] = {"confirmed", "allocated", "fulfilled",
                                         "delivered", "returned",  NULL};
/* A partly returned order keeps its state, so it can take the rest back later. */
static const char *const returnable[] = {"fulfilled", "delivered", NULL};
/* Money often goes back before the goods arrive: a refunded order that shipped (it has a
 * carrier or tracking number) still takes its units back, and stays refunded. */
static const char *const returnable_refunded[] = {"fulfilled", "delivered", "refunded", NULL};

/*
 * Writes the outbox row "order.<topic>" for o: {"by": "merchant", "channel"} like every order
 * event (souk_orders__announce), then the members of details (taken).
 */
static int announce(struct souk_db_conn *conn, const struct souk_order *o, const char *topic,
                    json_t *details, struct souk_err *err)
{
    char name[32];
    snprintf(name, sizeof name, "order.%s", topic);
    json_t *payload = json_pack("{s:s, s:s}", "by", "merchant", "channel", o->channel);
    json_object_update(payload, details);
    json_decref(details);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    int rc = souk_outbox_emit(conn, name, o->id, text, err);
    souk_free(text);
    return rc;
}

/* Sets the order's status and refunded total, and bumps its version. */
static int update_order(struct souk_db_conn *conn, const struct souk_order *o, const char *status,
                        int64_t refunded, int64_t now, struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE orders SET status = $2, refunded = $3, "
                                      "version = version + 1, updated_at = $4 WHERE id = $1",
                                      "ssii", o->id, status, refunded, now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_orders_refund(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                       struct souk_order_refund *r, int64_t expected_version, struct souk_err *err)
{
    struct souk_order *o = NULL;
    int rc = souk_orders_get(conn, pool, id, &o, err);
    if (rc == SOUK_OK)
        rc = souk_orders__check_state(o, "refund", refundable, expected_version, err);
    if (rc == SOUK_OK && r->amount < 1)
        rc = souk_err_set(err, SOUK_EINVAL, "amount",
                          "amount must be a positive number of minor units");
    if (rc == SOUK_OK)
        rc = souk_orders__check_text(r->reason, "reason", 512, err);
    if (rc != SOUK_OK)
        return rc;
    int64_t left = o->total - o->refunded;
    if (r->amount > left)
        return souk_err_set(err, SOUK_EUNPROC, "amount",
                            "amount %lld is more than the %lld still refundable (total %lld, "
                            "refunded %lld, in minor units of %s)",
                            (long long)r->amount, (long long)left, (long long)o->total,
                            (long long)o->refunded, o->currency);
    char ref[SOUK_ID_MAX];
    souk_id_new("ref", ref);
    r->id = souk_pool_strdup(pool, ref);
    r->created_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO order_refunds (id, order_id, amount, reason, "
                                      "created_at) VALUES ($1, $2, $3, $4, $5)",
                                      "ssisi", r->id, o->id, r->amount, r->reason, r->created_at);
    rc = changed < 0 ? (int)changed : SOUK_OK;
    bool whole = r->amount == left;
    /* Refunded in full before it shipped, the order never will: its units go back on sale. */
    if (rc == SOUK_OK && whole &&
        (strcmp(o->status, "confirmed") == 0 || strcmp(o->status, "allocated") == 0))
        rc = souk_orders__settle(conn, o, SOUK_CATALOG_RELEASE, "order refunded", err);
    if (rc == SOUK_OK)
        rc = update_order(conn, o, whole ? "refunded" : o->status, o->refunded + r->amount,
                          r->created_at, err);
    if (rc == SOUK_OK)
        rc = announce(conn, o, "refunded",
                      json_pack("{s:s, s:I, s:I, s:s}", "refund", r->id, "amount",
                                (json_int_t)r->amount, "refunded",
                                (json_int_t)(o->refunded + r->amount), "currency", o->currency),
                      err);
    return rc;
}

/* The index of the order line return line i names, by line number or by SKU. */
static int find_line(const struct souk_order *o, const struct souk_order_return_line *want,
                     size_t i, size_t *out, struct souk_err *err)
{
    char param[64];
    if (want->line_no && want->sku) {
        snprintf(param, sizeof param, "lines[%zu].sku", i);
        return souk_err_set(err, SOUK_EINVAL, param,
                            "lines[%zu] names its line by line or by sku, not both", i);
    }
    if (!want->line_no && !want->sku) {
        snprintf(param, sizeof param, "lines[%zu].line", i);
        return souk_err_set(err, SOUK_EINVAL, param,
                            "%s (the line's line_no) or lines[%zu].sku is required", param, i);
    }
    size_t found = 0;
    for (size_t k = 0; k < o->nlines; k++) {
        if (want->line_no ? o->lines[k].line_no == want->line_no
                          : strcmp(o->lines[k].sku, want->sku) == 0) {
            *out = k;
            found++;
        }
    }
    if (found == 1)
        return SOUK_OK;
    snprintf(param, sizeof param, "lines[%zu].%s", i, want->line_no ? "line" : "sku");
    if (want->line_no)
        return souk_err_set(err, SOUK_EUNPROC, param, "the order has no line %lld (it has %zu)",
                            (long long)want->line_no, o->nlines);
    if (found)
        return souk_err_set(err, SOUK_EUNPROC, param,
                            "SKU %.100s is on %zu lines of the order: name the line instead",
                            want->sku, found);
    return souk_err_set(err, SOUK_EUNPROC, param, "no line of the order has SKU %.100s", want->sku);
}

/*
 * Checks return line i against order line l, of which back units are already being taken back
 * by this return, and counts its quantity in.
 */
static int take_back(const struct souk_order_line *l, const struct souk_order_return_line *want,
                     size_t i, int64_t *back, struct souk_err *err)
{
    char param[64];
    snprintf(param, sizeof param, "lines[%zu].quantity", i);
    if (want->quantity < 1 || want->quantity > SOUK_ORDERS_MAX_QUANTITY)
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be between 1 and %d", param,
                            SOUK_ORDERS_MAX_QUANTITY);
    if (!l->variant_id || !l->warehouse_id)
        return souk_err_set(err, SOUK_EUNPROC, param,
                            "line %lld (SKU %.100s) shipped nothing from stock (%s): there is "
                            "nothing to take back",
                            (long long)l->line_no, l->sku,
                            l->issue ? l->issue : "its variant no longer exists");
    int64_t can = l->quantity - l->returned - *back;
    if (want->quantity > can)
        return souk_err_set(err, SOUK_EUNPROC, param,
                            "line %lld (SKU %.100s) can take back %lld more unit(s): %lld "
                            "shipped, %lld returned%s",
                            (long long)l->line_no, l->sku, (long long)can, (long long)l->quantity,
                            (long long)(l->returned + *back),
                            *back ? " counting this return's other lines" : "");
    *back += want->quantity;
    return SOUK_OK;
}

/* Puts n units of line l back on hand and counts them in the line; notes them in received. */
static int restock_line(struct souk_db_conn *conn, const struct souk_order *o,
                        const struct souk_order_line *l, int64_t n, const char *reason,
                        json_t *received, struct souk_err *err)
{
    int rc =
        souk_catalog_stock_restock(conn, l->variant_id, l->warehouse_id, n, o->id, reason, err);
    int64_t changed = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                      "UPDATE order_lines SET returned = "
                                                      "returned + $3 WHERE order_id = $1 AND "
                                                      "line_no = $2",
                                                      "sii", o->id, l->line_no, n)
                                    : rc;
    json_array_append_new(received, json_pack("{s:I, s:s, s:I}", "line", (json_int_t)l->line_no,
                                              "sku", l->sku, "quantity", (json_int_t)n));
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_orders_return(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                       const struct souk_order_return *r, int64_t expected_version,
                       struct souk_err *err)
{
    struct souk_order *o = NULL;
    int rc = souk_orders_get(conn, pool, id, &o, err);
    if (rc == SOUK_OK)
        rc = souk_orders__check_state(
            o, "return", o->carrier || o->tracking_number ? returnable_refunded : returnable,
            expected_version, err);
    if (rc == SOUK_OK && (r->nlines == 0 || r->nlines > SOUK_ORDERS_MAX_LINES))
        rc = souk_err_set(err, SOUK_EINVAL, "lines", "a return has 1 to %d lines",
                          SOUK_ORDERS_MAX_LINES);
    if (rc == SOUK_OK)
        rc = souk_orders__check_text(r->reason, "reason", 512, err);
    if (rc != SOUK_OK)
        return rc;
    int64_t *back = souk_pool_alloc(pool, o->nlines * sizeof *back); /* units, per order line */
    for (size_t i = 0; rc == SOUK_OK && i < r->nlines; i++) {
        size_t k = 0;
        rc = find_line(o, &r->lines[i], i, &k, err);
        if (rc == SOUK_OK)
            rc = take_back(&o->lines[k], &r->lines[i], i, &back[k], err);
    }
    if (rc != SOUK_OK)
        return rc;
    const char *reason =
        r->reason ? souk_pool_printf(pool, "order returned: %s", r->reason) : "order returned";
    json_t *received = json_array();
    bool whole = true; /* every unit that shipped is back */
    for (size_t k = 0; k < o->nlines; k++) {
        const struct souk_order_line *l = &o->lines[k];
        if (rc == SOUK_OK && back[k])
            rc = restock_line(conn, o, l, back[k], reason, received, err);
        if (l->variant_id && l->warehouse_id)
            whole = whole && l->returned + back[k] == l->quantity;
    }
    if (rc == SOUK_OK)
        rc = update_order(conn, o,
                          whole && strcmp(o->status, "refunded") != 0 ? "returned" : o->status,
                          o->refunded, souk_time_now_us(), err);
    json_t *payload = json_pack("{s:o, s:o}", "lines", received, "reason",
                                r->reason ? json_string(r->reason) : json_null());
    if (rc != SOUK_OK) {
        json_decref(payload);
        return rc;
    }
    return announce(conn, o, "returned", payload, err);
}

/* orders: placement, reads and lists; see orders.h. */
#include "orders/orders.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/id.h"
#include "core/locale.h"
#include "core/money.h"
#include "core/time.h"

#define ORDER_COLUMNS                                                                              \
    "id, channel, external_id, status, currency, subtotal, shipping, discount, tax, total, "       \
    "buyer_name, buyer_email, ship_country, ship_address, version, created_at, updated_at"
#define ORDER_EXTRA_COLUMNS ", carrier, tracking_number, cancel_reason"

static int check_text(const char *value, const char *param, size_t max, struct souk_err *err)
{
    if (!value)
        return SOUK_OK;
    size_t len = strlen(value);
    if (len > max || !souk_str_is_utf8((struct souk_str){value, len}))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be UTF-8 text of at most %zu bytes",
                            param, max);
    return SOUK_OK;
}

static int check_order(const struct souk_order *o, struct souk_err *err)
{
    if (!souk_money_currency((struct souk_str){o->currency, strnlen(o->currency, 4)}))
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "currency must be an ISO 4217 code such as EUR, USD or JPY");
    if (o->nlines == 0 || o->nlines > SOUK_ORDERS_MAX_LINES)
        return souk_err_set(err, SOUK_EINVAL, "lines", "an order has 1 to %d lines",
                            SOUK_ORDERS_MAX_LINES);
    if (o->shipping < 0 || o->shipping > 1000000000000LL)
        return souk_err_set(err, SOUK_EINVAL, "shipping", "shipping must be 0 or more minor units");
    if (o->ship_country && !souk_country_is_valid(souk_str_from(o->ship_country)))
        return souk_err_set(err, SOUK_EINVAL, "shipping_address.country",
                            "country must be an ISO 3166-1 alpha-2 code such as DE or US");
    int rc = check_text(o->external_id, "external_id", 128, err);
    if (rc == SOUK_OK)
        rc = check_text(o->buyer_name, "buyer.name", 255, err);
    if (rc == SOUK_OK)
        rc = check_text(o->buyer_email, "buyer.email", 320, err);
    if (rc == SOUK_OK)
        rc = check_text(o->ship_address, "shipping_address.text", 2048, err);
    char param[64];
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        if (!l->sku || !*l->sku) {
            snprintf(param, sizeof param, "lines[%zu].sku", i);
            rc = souk_err_set(err, SOUK_EINVAL, param, "%s is required", param);
        } else if (l->quantity < 1 || l->quantity > SOUK_ORDERS_MAX_QUANTITY) {
            snprintf(param, sizeof param, "lines[%zu].quantity", i);
            rc = souk_err_set(err, SOUK_EINVAL, param, "%s must be between 1 and %d", param,
                              SOUK_ORDERS_MAX_QUANTITY);
        }
    }
    return rc;
}

/* The amount a buyer pays now: the sale price inside its window, else the list price. */
static int64_t current_price(const struct souk_price *pr, int64_t now)
{
    bool on_sale = pr->sale_amount != SOUK_CATALOG_UNSET &&
                   (pr->sale_starts_at == SOUK_CATALOG_UNSET || pr->sale_starts_at <= now) &&
                   (pr->sale_ends_at == SOUK_CATALOG_UNSET || now < pr->sale_ends_at);
    return on_sale ? pr->sale_amount : pr->amount;
}

/* Resolves a line's SKU to its variant, title and price in the order's currency. */
static int price_line(struct souk_db_conn *conn, struct souk_pool *pool, const struct souk_order *o,
                      struct souk_order_line *l, size_t index, int64_t now, struct souk_err *err)
{
    char param[64];
    snprintf(param, sizeof param, "lines[%zu].sku", index);
    struct souk_variant_filter filter = {.sku = l->sku, .limit = 1};
    struct souk_variant *v = NULL;
    size_t count = 0;
    bool more;
    int rc = souk_catalog_variant_list(conn, pool, &filter, &v, &count, &more, err);
    if (rc != SOUK_OK)
        return rc;
    if (count == 0)
        return souk_err_set(err, SOUK_EUNPROC, param, "no variant has SKU %.100s", l->sku);
    const struct souk_price *price = NULL;
    for (size_t i = 0; i < v->nprices && !price; i++)
        if (strcmp(v->prices[i].currency, o->currency) == 0)
            price = &v->prices[i];
    if (!price)
        return souk_err_set(err, SOUK_EUNPROC, param, "SKU %.100s has no price in %s", l->sku,
                            o->currency);
    char *title;
    rc = souk_catalog_product_title(conn, pool, v->product_id, &title, err);
    if (rc != SOUK_OK)
        return rc;
    for (int i = 0; i < SOUK_CATALOG_OPTIONS && v->options[i]; i++)
        title = souk_pool_printf(pool, "%s%s%s", title, i ? " / " : " - ", v->options[i]);
    l->variant_id = v->id;
    l->title = title;
    l->unit_price = current_price(price, now);
    return SOUK_OK;
}

/* Reserves each SKU once, for the sum of its lines, and gives those lines the warehouse. */
static int reserve_lines(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                         struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        struct souk_order_line *l = &o->lines[i];
        bool first = true;
        int64_t total = 0;
        for (size_t j = 0; j < o->nlines; j++) {
            if (strcmp(o->lines[j].variant_id, l->variant_id) != 0)
                continue;
            first = first && j >= i;
            total += o->lines[j].quantity;
        }
        if (!first)
            continue; /* reserved with the SKU's first line */
        char param[64], warehouse[SOUK_ID_MAX];
        snprintf(param, sizeof param, "lines[%zu].quantity", i);
        int rc = souk_catalog_stock_reserve(conn, l->variant_id, total, o->ship_country, o->id,
                                            param, warehouse, err);
        if (rc == SOUK_EOUTOFSTOCK) { /* name the SKU: the buyer sees this message */
            char message[sizeof err->message];
            snprintf(message, sizeof message, "SKU %.100s is %.140s", l->sku, err->message);
            return souk_err_set(err, SOUK_EOUTOFSTOCK, param, "%s", message);
        }
        if (rc != SOUK_OK)
            return rc;
        for (size_t j = i; j < o->nlines; j++)
            if (strcmp(o->lines[j].variant_id, l->variant_id) == 0)
                o->lines[j].warehouse_id = souk_pool_strdup(pool, warehouse);
    }
    return SOUK_OK;
}

static int insert_order(struct souk_db_conn *conn, const struct souk_order *o, struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO orders (" ORDER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $13, $14, $15, $16, $17)",
        "sssssiiiiissssiii", o->id, o->channel, o->external_id, o->status, o->currency, o->subtotal,
        o->shipping, o->discount, o->tax, o->total, o->buyer_name, o->buyer_email, o->ship_country,
        o->ship_address, o->version, o->created_at, o->updated_at);
    if (changed == SOUK_ECONFLICT)
        return souk_err_set(err, SOUK_ECONFLICT, "external_id",
                            "channel %s already has an order %.128s", o->channel, o->external_id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

static int insert_lines(struct souk_db_conn *conn, const struct souk_order *o, struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        int64_t changed = souk_db_run_sql(
            conn, err,
            "INSERT INTO order_lines (order_id, line_no, variant_id, sku, title, quantity, "
            "unit_price, warehouse_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            "sisssiis", o->id, l->line_no, l->variant_id, l->sku, l->title, l->quantity,
            l->unit_price, l->warehouse_id);
        if (changed < 0)
            return (int)changed;
    }
    return SOUK_OK;
}

/* Totals in minor units; taxes and discounts arrive with the tax and promotion issues. */
static int total_up(struct souk_order *o, struct souk_err *err)
{
    o->subtotal = 0;
    for (size_t i = 0; i < o->nlines; i++) {
        int64_t line;
        if (__builtin_mul_overflow(o->lines[i].unit_price, o->lines[i].quantity, &line) ||
            __builtin_add_overflow(o->subtotal, line, &o->subtotal))
            return souk_err_set(err, SOUK_EINVAL, "lines", "the order total is too large");
    }
    o->discount = o->tax = 0;
    if (__builtin_add_overflow(o->subtotal, o->shipping, &o->total))
        return souk_err_set(err, SOUK_EINVAL, "shipping", "the order total is too large");
    return SOUK_OK;
}

int souk_orders_place(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                      struct souk_err *err)
{
    int rc = check_order(o, err);
    int64_t now = souk_time_now_us();
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++) {
        o->lines[i].line_no = (int64_t)i + 1;
        rc = price_line(conn, pool, o, &o->lines[i], i, now, err);
    }
    if (rc == SOUK_OK)
        rc = total_up(o, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX];
    souk_id_new("ord", id);
    o->id = souk_pool_strdup(pool, id);
    if (!o->channel)
        o->channel = "direct";
    o->status = "pending";
    o->version = 1;
    o->created_at = o->updated_at = now;
    rc = insert_order(conn, o, err); /* first: the ledger rows point at it */
    if (rc == SOUK_OK)
        rc = reserve_lines(conn, pool, o, err);
    if (rc == SOUK_OK)
        rc = insert_lines(conn, o, err);
    return rc;
}

static void read_order_row(struct souk_pool *pool, struct souk_db_stmt *st, struct souk_order *o)
{
    o->id = souk_pool_str(pool, souk_db_col_text(st, 0));
    o->channel = souk_pool_str(pool, souk_db_col_text(st, 1));
    o->external_id =
        souk_db_col_is_null(st, 2) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 2));
    o->status = souk_pool_str(pool, souk_db_col_text(st, 3));
    struct souk_str currency = souk_db_col_text(st, 4);
    snprintf(o->currency, sizeof o->currency, "%.*s", (int)currency.len, currency.ptr);
    int64_t *amounts[] = {&o->subtotal, &o->shipping, &o->discount, &o->tax, &o->total};
    for (int i = 0; i < 5; i++)
        *amounts[i] = souk_db_col_i64(st, 5 + i);
    char **texts[] = {&o->buyer_name, &o->buyer_email, &o->ship_country, &o->ship_address};
    for (int i = 0; i < 4; i++)
        *texts[i] = souk_db_col_is_null(st, 10 + i)
                        ? NULL
                        : souk_pool_str(pool, souk_db_col_text(st, 10 + i));
    o->version = souk_db_col_i64(st, 14);
    o->created_at = souk_db_col_i64(st, 15);
    o->updated_at = souk_db_col_i64(st, 16);
    char **extras[] = {&o->carrier, &o->tracking_number, &o->cancel_reason};
    for (int i = 0; i < 3; i++)
        *extras[i] = souk_db_col_is_null(st, 17 + i)
                         ? NULL
                         : souk_pool_str(pool, souk_db_col_text(st, 17 + i));
}

static int load_lines(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                      struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT line_no, variant_id, sku, title, quantity, unit_price, "
                             "warehouse_id FROM order_lines WHERE order_id = $1 ORDER BY line_no",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", o->id);
    o->lines = souk_pool_alloc(pool, SOUK_ORDERS_MAX_LINES * sizeof *o->lines);
    o->nlines = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1 &&
           o->nlines < SOUK_ORDERS_MAX_LINES) {
        struct souk_order_line *l = &o->lines[o->nlines++];
        l->line_no = souk_db_col_i64(st, 0);
        l->variant_id =
            souk_db_col_is_null(st, 1) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 1));
        l->sku = souk_pool_str(pool, souk_db_col_text(st, 2));
        l->title = souk_pool_str(pool, souk_db_col_text(st, 3));
        l->quantity = souk_db_col_i64(st, 4);
        l->unit_price = souk_db_col_i64(st, 5);
        l->warehouse_id =
            souk_db_col_is_null(st, 6) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 6));
        rc = SOUK_OK;
    }
    return rc < 0 ? rc : SOUK_OK;
}

int souk_orders_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                    struct souk_order **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT " ORDER_COLUMNS ORDER_EXTRA_COLUMNS " FROM orders WHERE id = $1",
                           "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no order %.64s", id);
    struct souk_order *o = souk_pool_alloc(pool, sizeof *o);
    read_order_row(pool, st, o);
    rc = load_lines(conn, pool, o, err);
    if (rc == SOUK_OK)
        *out = o;
    return rc;
}

int souk_orders_list(struct souk_db_conn *conn, struct souk_pool *pool,
                     const struct souk_order_filter *f, struct souk_order **out, size_t *count,
                     bool *has_more, struct souk_err *err)
{
    if (f->limit < 1 || f->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    struct souk_db_stmt *st;
    int rc =
        souk_db_prepare(conn,
                        "SELECT " ORDER_COLUMNS ORDER_EXTRA_COLUMNS " FROM orders WHERE id > $1 "
                        "AND (CAST($2 AS TEXT) IS NULL OR status = $2) "
                        "AND (CAST($3 AS TEXT) IS NULL OR channel = $3) "
                        "ORDER BY id LIMIT $4",
                        &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sssi", f->after ? f->after : "", f->status, f->channel,
                          (int64_t)f->limit + 1);
    struct souk_order *items = souk_pool_alloc(pool, ((size_t)f->limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        read_order_row(pool, st, &items[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)f->limit;
    *count = *has_more ? (size_t)f->limit : n;
    for (size_t i = 0; i < *count && rc == SOUK_OK; i++)
        rc = load_lines(conn, pool, &items[i], err);
    *out = items;
    return rc;
}

/* The lifecycle: which states each action leaves from, where it goes, what it does to stock. */
static const struct step {
    const char *action, *to;
    const char *from[3];
    bool settles;
    enum souk_catalog_stock_outcome outcome;
} steps[] = {
    {"confirm", "confirmed", {"pending"}, false, SOUK_CATALOG_RELEASE},
    {"allocate", "allocated", {"confirmed"}, false, SOUK_CATALOG_RELEASE},
    {"fulfil", "fulfilled", {"confirmed", "allocated"}, true, SOUK_CATALOG_CONSUME},
    {"deliver", "delivered", {"fulfilled"}, false, SOUK_CATALOG_RELEASE},
    {"cancel", "cancelled", {"pending", "confirmed", "allocated"}, true, SOUK_CATALOG_RELEASE},
};

static const struct step *find_step(const char *action)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(steps[i].action, action) == 0)
            return &steps[i];
    return NULL;
}

static bool allowed_from(const struct step *step, const char *status)
{
    for (size_t i = 0; i < 3 && step->from[i]; i++)
        if (strcmp(step->from[i], status) == 0)
            return true;
    return false;
}

static int check_change(const struct step *step, const struct souk_order_change *c,
                        struct souk_err *err)
{
    if (strcmp(step->action, "fulfil") == 0 && (!c->carrier || !c->tracking_number))
        return souk_err_set(err, SOUK_EINVAL, c->carrier ? "tracking_number" : "carrier",
                            "fulfilling an order needs a carrier and a tracking_number");
    int rc = check_text(c->carrier, "carrier", 64, err);
    if (rc == SOUK_OK)
        rc = check_text(c->tracking_number, "tracking_number", 128, err);
    if (rc == SOUK_OK)
        rc = check_text(c->reason, "reason", 512, err);
    return rc;
}

static int settle_lines(struct souk_db_conn *conn, const struct souk_order *o,
                        const struct step *step, struct souk_err *err)
{
    const char *reason =
        step->outcome == SOUK_CATALOG_CONSUME ? "order fulfilled" : "order cancelled";
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        if (!l->variant_id || !l->warehouse_id)
            continue; /* the variant was deleted after its reservation was settled */
        int rc = souk_catalog_stock_settle(conn, l->variant_id, l->warehouse_id, l->quantity,
                                           step->outcome, o->id, reason, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

int souk_orders_transition(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                           const char *action, const struct souk_order_change *change,
                           int64_t expected_version, struct souk_err *err)
{
    const struct step *step = find_step(action);
    if (!step)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL,
                            "no order action %.32s: use confirm, allocate, fulfil, deliver or "
                            "cancel",
                            action);
    struct souk_order *o = NULL;
    int rc = souk_orders_get(conn, pool, id, &o, err);
    if (rc != SOUK_OK)
        return rc;
    if (expected_version != -1 && expected_version != o->version)
        return souk_err_set(err, SOUK_EPRECOND, NULL,
                            "the order is at version %lld, not %lld: read it again and retry",
                            (long long)o->version, (long long)expected_version);
    if (!allowed_from(step, o->status))
        return souk_err_set(err, SOUK_ECONFLICT, "status",
                            "the order is %s; it can %s only when %s%s%s%s%s", o->status, action,
                            step->from[0], step->from[1] ? " or " : "",
                            step->from[1] ? step->from[1] : "", step->from[2] ? " or " : "",
                            step->from[2] ? step->from[2] : "");
    rc = check_change(step, change, err); /* after the state: a wrong state is the news */
    if (rc == SOUK_OK && step->settles)
        rc = settle_lines(conn, o, step, err);
    int64_t changed = rc;
    if (rc == SOUK_OK)
        changed = souk_db_run_sql(
            conn, err,
            "UPDATE orders SET status = $2, carrier = COALESCE($3, carrier), "
            "tracking_number = COALESCE($4, tracking_number), "
            "cancel_reason = COALESCE($5, cancel_reason), version = version + 1, "
            "updated_at = $6 WHERE id = $1",
            "sssssi", id, step->to, change->carrier, change->tracking_number,
            strcmp(step->action, "cancel") == 0 ? change->reason : NULL, souk_time_now_us());
    return changed < 0 ? (int)changed : SOUK_OK;
}

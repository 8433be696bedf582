/* orders: placement, reads and lists; see orders.h. */
#include "orders/orders.h"
#include "orders/orders_int.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/id.h"
#include "core/locale.h"
#include "core/money.h"
#include "core/time.h"
#include "inventory/inventory.h"
#include "outbox/outbox.h"

#define ORDER_COLUMNS                                                                              \
    "id, channel, external_id, status, currency, subtotal, shipping, discount, tax, total, "       \
    "buyer_name, buyer_email, ship_country, ship_address, version, created_at, updated_at, "       \
    "carrier, tracking_number, cancel_reason, platform_status, platform_updated_at, "              \
    "payment_method, buyer_phone, ship_name, ship_line1, ship_line2, ship_city, ship_region, "     \
    "ship_postal_code, source_campaign, source_creator, source_live_stream, stock_issue, "         \
    "refunded"

int souk_orders__check_text(const char *value, const char *param, size_t max, struct souk_err *err)
{
    if (!value)
        return SOUK_OK;
    size_t len = strlen(value);
    if (len > max || !souk_str_is_utf8((struct souk_str){value, len}))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be UTF-8 text of at most %zu bytes",
                            param, max);
    return SOUK_OK;
}

int souk_orders__check_texts(const struct souk_order *o, struct souk_err *err)
{
    const struct {
        const char *value, *param;
        size_t max;
    } texts[] = {
        {o->external_id, "external_id", 128},
        {o->buyer_name, "buyer.name", 255},
        {o->buyer_email, "buyer.email", 320},
        {o->buyer_phone, "buyer.phone", 64},
        {o->ship_address, "shipping_address.text", 2048},
        {o->ship_name, "shipping_address.name", 255},
        {o->ship_line1, "shipping_address.line1", 512},
        {o->ship_line2, "shipping_address.line2", 512},
        {o->ship_city, "shipping_address.city", 255},
        {o->ship_region, "shipping_address.region", 255},
        {o->ship_postal_code, "shipping_address.postal_code", 32},
        {o->payment_method, "payment_method", 64},
        {o->campaign, "source.campaign", 255},
        {o->creator, "source.creator", 255},
        {o->live_stream, "source.live_stream", 255},
        {o->platform_status, "platform_status", 64},
        {o->carrier, "carrier", 64},
        {o->tracking_number, "tracking_number", 128},
        {o->cancel_reason, "cancel_reason", 512},
    };
    int rc = SOUK_OK;
    for (size_t i = 0; rc == SOUK_OK && i < sizeof texts / sizeof texts[0]; i++)
        rc = souk_orders__check_text(texts[i].value, texts[i].param, texts[i].max, err);
    return rc;
}

int souk_orders__check_order(const struct souk_order *o, struct souk_err *err)
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
    int rc = souk_orders__check_texts(o, err);
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

int souk_orders__announce(struct souk_db_conn *conn, const char *id, const char *channel,
                          const char *status, const char *by, struct souk_err *err)
{
    char topic[32], payload[160];
    snprintf(topic, sizeof topic, "order.%s", status);
    snprintf(payload, sizeof payload, "{\"by\":\"%s\",\"channel\":\"%.100s\"}", by, channel);
    return souk_outbox_emit(conn, topic, id, payload, err);
}

int souk_orders__find_variant(struct souk_db_conn *conn, struct souk_pool *pool, const char *sku,
                              struct souk_variant **out, struct souk_err *err)
{
    struct souk_variant_filter filter = {.sku = sku, .limit = 1};
    size_t count = 0;
    bool more;
    int rc = souk_catalog_variant_list(conn, pool, &filter, out, &count, &more, err);
    return rc != SOUK_OK ? rc : count == 1;
}

/* Resolves a line's SKU to its variant, title and price in the order's currency, and says
 * what its stock held when read (*offer). */
static int price_line(struct souk_db_conn *conn, struct souk_pool *pool, const struct souk_order *o,
                      struct souk_order_line *l, size_t index, int64_t now,
                      struct souk_catalog_offer *offer, struct souk_err *err)
{
    char param[64];
    snprintf(param, sizeof param, "lines[%zu].sku", index);
    int rc = souk_catalog_offer(conn, pool, l->sku, o->currency, offer, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_EUNPROC, param, "no variant has SKU %.100s", l->sku);
    if (!offer->priced)
        return souk_err_set(err, SOUK_EUNPROC, param, "SKU %.100s has no price in %s", l->sku,
                            o->currency);
    l->variant_id = offer->variant_id;
    l->title = offer->title;
    l->unit_price = current_price(&offer->price, now);
    return SOUK_OK;
}

/* The buyer's (and merchant's) words for a shortfall the ledger reported in err. */
static int name_shortfall(const char *sku, const char *param, struct souk_err *err)
{
    char message[sizeof err->message];
    snprintf(message, sizeof message, "SKU %.100s is %.140s", sku, err->message);
    return souk_err_set(err, SOUK_EOUTOFSTOCK, param, "%s", message);
}

/* Whether line i is the first of its variant's lines; *total is what they order together. */
static bool first_of_sku(const struct souk_order *o, size_t i, int64_t *total)
{
    const char *variant = o->lines[i].variant_id;
    *total = 0;
    for (size_t j = 0; j < o->nlines; j++) {
        if (!o->lines[j].variant_id || strcmp(o->lines[j].variant_id, variant) != 0)
            continue;
        if (j < i)
            return false;
        *total += o->lines[j].quantity;
    }
    return true;
}

/* Gives every line of line i's variant the warehouse (when not NULL) or the issue. */
static void mark_sku(struct souk_pool *pool, struct souk_order *o, size_t i, const char *warehouse,
                     const char *issue)
{
    const char *variant = o->lines[i].variant_id;
    for (size_t j = i; j < o->nlines; j++) {
        struct souk_order_line *l = &o->lines[j];
        if (!l->variant_id || strcmp(l->variant_id, variant) != 0)
            continue;
        if (warehouse)
            l->warehouse_id = souk_pool_strdup(pool, warehouse);
        else
            l->issue = (char *)issue;
    }
}

/* Appends what to o->stock_issue ("; " between problems). */
static void add_stock_issue(struct souk_pool *pool, struct souk_order *o, const char *what)
{
    o->stock_issue = o->stock_issue ? souk_pool_printf(pool, "%s; %s", o->stock_issue, what)
                                    : souk_pool_strdup(pool, what);
}

/*
 * Decides, reading only, how line i's SKU is covered (total units over its lines): its lines
 * get the warehouse that holds them; or, when none does, they get their issue and reserve
 * nothing: backorder or pre-order when the product sells so (they take their units at
 * fulfilment), "short" with flag_shortfalls (a platform order, already sold: named in
 * o->stock_issue); otherwise the order fails with SOUK_EOUTOFSTOCK naming the SKU.
 */
static int plan_sku(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                    size_t i, int64_t total, bool flag_shortfalls, struct souk_err *err)
{
    const struct souk_order_line *l = &o->lines[i];
    char param[64], warehouse[SOUK_ID_MAX];
    snprintf(param, sizeof param, "lines[%zu].quantity", i);
    int rc =
        souk_catalog_stock_pick(conn, l->variant_id, total, o->ship_country, param, warehouse, err);
    if (rc == SOUK_OK)
        mark_sku(pool, o, i, warehouse, NULL);
    if (rc != SOUK_EOUTOFSTOCK)
        return rc;
    const char *policy = "deny";
    struct souk_err ignored = SOUK_ERR_INIT; /* err keeps the shortfall's message */
    rc = souk_catalog_inventory_policy(conn, l->variant_id, &policy, &ignored);
    if (rc != SOUK_OK) {
        *err = ignored;
        return rc;
    }
    if (strcmp(policy, "deny") != 0) {
        mark_sku(pool, o, i, NULL, policy); /* expected: not a stock issue */
        *err = (struct souk_err)SOUK_ERR_INIT;
        return SOUK_OK;
    }
    rc = name_shortfall(l->sku, param, err); /* the buyer or the merchant sees this */
    if (!flag_shortfalls)
        return rc;
    add_stock_issue(pool, o, err->message);
    mark_sku(pool, o, i, NULL, "short");
    *err = (struct souk_err)SOUK_ERR_INIT;
    return SOUK_OK;
}

/* Reserves line i's SKU (total units) in the warehouse plan_sku gave its lines. */
static int reserve_sku(struct souk_db_conn *conn, const struct souk_order *o, size_t i,
                       int64_t total, struct souk_err *err)
{
    const struct souk_order_line *l = &o->lines[i];
    char param[64];
    snprintf(param, sizeof param, "lines[%zu].quantity", i);
    int rc = souk_catalog_stock_reserve_in(conn, l->variant_id, l->warehouse_id, total, o->id,
                                           "order placed", param, err);
    return rc == SOUK_EOUTOFSTOCK ? name_shortfall(l->sku, param, err) : rc;
}

int souk_orders__reserve(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                         struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        int64_t total = 0;
        if (!o->lines[i].variant_id || !first_of_sku(o, i, &total))
            continue; /* unknown, or reserved with the SKU's first line */
        /* A platform order draws on its channel's allocation first: that is what it was
         * allowed to sell. */
        char warehouse[SOUK_ID_MAX];
        int rc = souk_inventory_take(conn, o->channel, o->lines[i].variant_id, total, o->id,
                                     warehouse, err);
        if (rc == 1) {
            mark_sku(pool, o, i, warehouse, NULL);
            continue;
        }
        if (rc == SOUK_OK)
            rc = plan_sku(conn, pool, o, i, total, true, err);
        if (rc == SOUK_OK && o->lines[i].warehouse_id)
            rc = reserve_sku(conn, o, i, total, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static bool waits_for_stock(const struct souk_order_line *l)
{
    return l->variant_id && !l->warehouse_id && l->issue &&
           (strcmp(l->issue, "backorder") == 0 || strcmp(l->issue, "preorder") == 0);
}

int souk_orders__fill_backorders(struct souk_db_conn *conn, struct souk_pool *pool,
                                 struct souk_order *o, bool strict, const char *reason,
                                 struct souk_err *err)
{
    bool unfilled = false;
    for (size_t i = 0; i < o->nlines; i++) {
        struct souk_order_line *l = &o->lines[i];
        int64_t total = 0;
        if (!waits_for_stock(l) || !first_of_sku(o, i, &total))
            continue;
        char param[64], warehouse[SOUK_ID_MAX];
        snprintf(param, sizeof param, "lines[%zu].quantity", i);
        const char *what = strcmp(l->issue, "preorder") == 0 ? "pre-order" : "backorder";
        char *why = souk_pool_printf(pool, "%s filled at fulfilment", what);
        int rc = souk_catalog_stock_reserve(conn, l->variant_id, total, o->ship_country, o->id, why,
                                            param, warehouse, err);
        if (rc == SOUK_EOUTOFSTOCK) {
            char message[sizeof err->message];
            snprintf(message, sizeof message, "SKU %.80s (sold on %s) is still %.110s", l->sku,
                     what, err->message);
            if (strict)
                return souk_err_set(err, SOUK_EOUTOFSTOCK, param, "%s", message);
            add_stock_issue(pool, o, message); /* shipped all the same: the ledger cannot say */
            unfilled = true;
            *err = (struct souk_err)SOUK_ERR_INIT;
            continue;
        }
        if (rc == SOUK_OK)
            rc = souk_catalog_stock_settle(conn, l->variant_id, warehouse, total,
                                           SOUK_CATALOG_CONSUME, o->id, reason, err);
        int64_t changed = rc;
        if (rc == SOUK_OK)
            changed = souk_db_run_sql(conn, err,
                                      "UPDATE order_lines SET warehouse_id = $3 WHERE "
                                      "order_id = $1 AND variant_id = $2",
                                      "sss", o->id, l->variant_id, warehouse);
        if (changed < 0)
            return (int)changed;
        mark_sku(pool, o, i, warehouse, NULL);
    }
    if (!unfilled)
        return SOUK_OK;
    int64_t changed = souk_db_run_sql(conn, err, "UPDATE orders SET stock_issue = $2 WHERE id = $1",
                                      "ss", o->id, o->stock_issue);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_orders__insert(struct souk_db_conn *conn, const struct souk_order *o,
                        struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO orders (" ORDER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
        "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, "
        "$28, $29, $30, $31, $32, $33, $34, $35)",
        "sssssiiiiissssiiissssnssssssssssssi", o->id, o->channel, o->external_id, o->status,
        o->currency, o->subtotal, o->shipping, o->discount, o->tax, o->total, o->buyer_name,
        o->buyer_email, o->ship_country, o->ship_address, o->version, o->created_at, o->updated_at,
        o->carrier, o->tracking_number, o->cancel_reason, o->platform_status,
        o->platform_updated_at ? o->platform_updated_at : INT64_MIN, o->payment_method,
        o->buyer_phone, o->ship_name, o->ship_line1, o->ship_line2, o->ship_city, o->ship_region,
        o->ship_postal_code, o->campaign, o->creator, o->live_stream, o->stock_issue, o->refunded);
    if (changed == SOUK_ECONFLICT)
        return souk_err_set(err, SOUK_ECONFLICT, "external_id",
                            "channel %s already has an order %.128s", o->channel, o->external_id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_orders__insert_lines(struct souk_db_conn *conn, const struct souk_order *o,
                              struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        int64_t changed = souk_db_run_sql(
            conn, err,
            "INSERT INTO order_lines (order_id, line_no, variant_id, sku, title, quantity, "
            "unit_price, warehouse_id, issue) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            "sisssiiss", o->id, l->line_no, l->variant_id, l->sku, l->title ? l->title : l->sku,
            l->quantity, l->unit_price, l->warehouse_id, l->issue);
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

/*
 * Refuses, as the reservation would, a SKU whose lines together ask for more than the read
 * stock holds, unless its product sells on backorder or pre-order.
 */
static int precheck_stock(const struct souk_order *o, const struct souk_catalog_offer *offers,
                          struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        int64_t total = 0;
        if (!first_of_sku(o, i, &total) || total <= offers[i].available ||
            strcmp(offers[i].inventory_policy, "deny") != 0)
            continue;
        char param[64];
        snprintf(param, sizeof param, "lines[%zu].quantity", i);
        souk_catalog_shortfall(total, offers[i].available, param, err);
        return name_shortfall(o->lines[i].sku, param, err);
    }
    return SOUK_OK;
}

int souk_orders_prepare(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                        struct souk_err *err)
{
    int rc = souk_orders__check_order(o, err);
    int64_t now = souk_time_now_us();
    struct souk_catalog_offer *offers =
        rc == SOUK_OK ? souk_pool_alloc(pool, o->nlines * sizeof *offers) : NULL;
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++) {
        o->lines[i].line_no = (int64_t)i + 1;
        rc = price_line(conn, pool, o, &o->lines[i], i, now, &offers[i], err);
    }
    if (rc == SOUK_OK)
        rc = total_up(o, err);
    return rc == SOUK_OK ? precheck_stock(o, offers, err) : rc;
}

int souk_orders_place(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                      struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    char id[SOUK_ID_MAX];
    souk_id_new("ord", id);
    o->id = souk_pool_strdup(pool, id);
    if (!o->channel)
        o->channel = "direct";
    o->status = "pending";
    o->version = 1;
    o->created_at = o->updated_at = now;
    /* Every SKU is checked before anything is written, so a refusal has nothing to undo: the
     * intake writer runs this without a savepoint of its own (the route is fails_clean). */
    int rc = SOUK_OK;
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++) {
        int64_t total;
        if (o->lines[i].variant_id && first_of_sku(o, i, &total))
            rc = plan_sku(conn, pool, o, i, total, false, err);
    }
    if (rc == SOUK_OK)
        rc = souk_orders__insert(conn, o, err); /* first: the ledger rows point at it */
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++) {
        int64_t total;
        if (o->lines[i].warehouse_id && first_of_sku(o, i, &total))
            rc = reserve_sku(conn, o, i, total, err);
    }
    if (rc == SOUK_OK)
        rc = souk_orders__insert_lines(conn, o, err);
    if (rc == SOUK_OK)
        rc = souk_orders__announce(conn, o->id, o->channel, "created", "merchant", err);
    return rc;
}

/* A nullable text column as a pool string, or NULL. */
static char *opt_text(struct souk_pool *pool, struct souk_db_stmt *st, int col)
{
    return souk_db_col_is_null(st, col) ? NULL : souk_pool_str(pool, souk_db_col_text(st, col));
}

/* Reads a row of ORDER_COLUMNS, in that order. */
static void read_order_row(struct souk_pool *pool, struct souk_db_stmt *st, struct souk_order *o)
{
    o->id = souk_pool_str(pool, souk_db_col_text(st, 0));
    o->channel = souk_pool_str(pool, souk_db_col_text(st, 1));
    o->external_id = opt_text(pool, st, 2);
    o->status = souk_pool_str(pool, souk_db_col_text(st, 3));
    struct souk_str currency = souk_db_col_text(st, 4);
    snprintf(o->currency, sizeof o->currency, "%.*s", (int)currency.len, currency.ptr);
    int64_t *amounts[] = {&o->subtotal, &o->shipping, &o->discount, &o->tax, &o->total};
    for (int i = 0; i < 5; i++)
        *amounts[i] = souk_db_col_i64(st, 5 + i);
    char **texts[] = {&o->buyer_name, &o->buyer_email, &o->ship_country, &o->ship_address};
    for (int i = 0; i < 4; i++)
        *texts[i] = opt_text(pool, st, 10 + i);
    o->version = souk_db_col_i64(st, 14);
    o->created_at = souk_db_col_i64(st, 15);
    o->updated_at = souk_db_col_i64(st, 16);
    char **more[] = {&o->carrier, &o->tracking_number, &o->cancel_reason, &o->platform_status};
    for (int i = 0; i < 4; i++)
        *more[i] = opt_text(pool, st, 17 + i);
    o->platform_updated_at = souk_db_col_is_null(st, 21) ? 0 : souk_db_col_i64(st, 21);
    char **rest[] = {&o->payment_method, &o->buyer_phone, &o->ship_name, &o->ship_line1,
                     &o->ship_line2, &o->ship_city, &o->ship_region, &o->ship_postal_code,
                     &o->campaign, &o->creator, &o->live_stream, &o->stock_issue};
    for (int i = 0; i < 12; i++)
        *rest[i] = opt_text(pool, st, 22 + i);
    o->refunded = souk_db_col_i64(st, 34);
}

static int load_lines(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                      struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT line_no, variant_id, sku, title, quantity, unit_price, "
                             "warehouse_id, issue, returned FROM order_lines WHERE order_id = $1 "
                             "ORDER BY line_no",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", o->id);
    o->lines = souk_pool_alloc(pool, SOUK_ORDERS_MAX_LINES * sizeof *o->lines);
    o->nlines = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1 &&
           o->nlines < SOUK_ORDERS_MAX_LINES) {
        struct souk_order_line *l = &o->lines[o->nlines++];
        l->line_no = souk_db_col_i64(st, 0);
        l->variant_id = opt_text(pool, st, 1);
        l->sku = souk_pool_str(pool, souk_db_col_text(st, 2));
        l->title = souk_pool_str(pool, souk_db_col_text(st, 3));
        l->quantity = souk_db_col_i64(st, 4);
        l->unit_price = souk_db_col_i64(st, 5);
        l->warehouse_id = opt_text(pool, st, 6);
        l->issue = opt_text(pool, st, 7);
        l->returned = souk_db_col_i64(st, 8);
        rc = SOUK_OK;
    }
    return rc < 0 ? rc : SOUK_OK;
}

static int load_refunds(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                        struct souk_err *err)
{
    o->refunds = NULL;
    o->nrefunds = 0;
    if (o->refunded == 0) /* every refund is more than 0: most orders need no query */
        return SOUK_OK;
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT id, amount, reason, created_at FROM order_refunds "
                             "WHERE order_id = $1 ORDER BY id",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", o->id);
    size_t cap = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        if (o->nrefunds == cap) { /* few: an order is refunded once or a handful of times */
            cap = cap ? cap * 2 : 4;
            struct souk_order_refund *grown = souk_pool_alloc(pool, cap * sizeof *grown);
            if (o->nrefunds)
                memcpy(grown, o->refunds, o->nrefunds * sizeof *grown);
            o->refunds = grown;
        }
        struct souk_order_refund *r = &o->refunds[o->nrefunds++];
        r->id = souk_pool_str(pool, souk_db_col_text(st, 0));
        r->amount = souk_db_col_i64(st, 1);
        r->reason = opt_text(pool, st, 2);
        r->created_at = souk_db_col_i64(st, 3);
        rc = SOUK_OK;
    }
    return rc < 0 ? rc : SOUK_OK;
}

/* What an order carries besides its row: its lines and its refunds. */
static int load_details(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_order *o,
                        struct souk_err *err)
{
    int rc = load_lines(conn, pool, o, err);
    return rc == SOUK_OK ? load_refunds(conn, pool, o, err) : rc;
}

/* The one order a query of ORDER_COLUMNS found (1), or 0; with its lines. */
static int read_one(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_db_stmt *st,
                    int found, struct souk_order **out, struct souk_err *err)
{
    if (found <= 0)
        return found;
    struct souk_order *o = souk_pool_alloc(pool, sizeof *o);
    read_order_row(pool, st, o);
    int rc = load_details(conn, pool, o, err);
    if (rc != SOUK_OK)
        return rc;
    *out = o;
    return 1;
}

int souk_orders_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                    struct souk_order **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1",
                           "s", id);
    rc = read_one(conn, pool, st, rc, out, err);
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no order %.64s", id);
    return rc < 0 ? rc : SOUK_OK;
}

int souk_orders_find_external(struct souk_db_conn *conn, struct souk_pool *pool,
                              const char *channel, const char *external_id,
                              struct souk_order **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT " ORDER_COLUMNS
                           " FROM orders WHERE channel = $1 AND external_id = $2",
                           "ss", channel, external_id);
    return read_one(conn, pool, st, rc, out, err);
}

int souk_orders_list(struct souk_db_conn *conn, struct souk_pool *pool,
                     const struct souk_order_filter *f, struct souk_order **out, size_t *count,
                     bool *has_more, struct souk_err *err)
{
    if (f->limit < 1 || f->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " ORDER_COLUMNS " FROM orders WHERE id > $1 "
                             "AND (CAST($2 AS TEXT) IS NULL OR status = $2) "
                             "AND (CAST($3 AS TEXT) IS NULL OR channel = $3) "
                             "AND (CAST($4 AS BIGINT) IS NULL OR created_at >= $4) "
                             "AND (CAST($5 AS BIGINT) IS NULL OR created_at < $5) "
                             "AND (CAST($6 AS TEXT) IS NULL OR buyer_email = $6) "
                             "AND ($7 = 0 OR stock_issue IS NOT NULL) "
                             "AND ($8 = 0 OR (status IN ('pending', 'confirmed', 'allocated') "
                             "AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = orders.id "
                             "AND l.issue IN ('backorder', 'preorder') "
                             "AND l.warehouse_id IS NULL AND l.variant_id IS NOT NULL))) "
                             "ORDER BY id LIMIT $9",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sssnnsiii", f->after ? f->after : "", f->status, f->channel,
                          f->created_from ? f->created_from : INT64_MIN,
                          f->created_to ? f->created_to : INT64_MIN, f->buyer_email,
                          (int64_t)f->stock_issue_only, (int64_t)f->backorder_only,
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
        rc = load_details(conn, pool, &items[i], err);
    *out = items;
    return rc;
}

/*
 * The lifecycle: which states each step leaves from (NULL-terminated), where it goes, and what
 * it does to the reserved stock, with the ledger's reason (none: stock is left alone). Refund
 * and return (refunds.c) are not steps: they carry an amount or lines, and reach their state
 * only once the whole order is refunded or returned.
 */
/* clang-format off */
static const struct step {
    const char *action, *to;
    const char *from[4];
    const char *settle_reason;
    enum souk_catalog_stock_outcome outcome;
} steps[] = {
    {"confirm", "confirmed", {"pending"}, NULL, SOUK_CATALOG_RELEASE},
    {"allocate", "allocated", {"confirmed"}, NULL, SOUK_CATALOG_RELEASE},
    {"fulfil", "fulfilled", {"confirmed", "allocated"}, "order fulfilled", SOUK_CATALOG_CONSUME},
    {"deliver", "delivered", {"fulfilled"}, NULL, SOUK_CATALOG_RELEASE},
    {"cancel", "cancelled", {"pending", "confirmed", "allocated"}, "order cancelled",
                                                                   SOUK_CATALOG_RELEASE},
};
/* clang-format on */

static const struct step *find_step(const char *action)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(steps[i].action, action) == 0)
            return &steps[i];
    return NULL;
}

int souk_orders__check_state(const struct souk_order *o, const char *action,
                             const char *const *from, int64_t expected_version,
                             struct souk_err *err)
{
    if (expected_version != -1 && expected_version != o->version)
        return souk_err_set(err, SOUK_EPRECOND, NULL,
                            "the order is at version %lld, not %lld: read it again and retry",
                            (long long)o->version, (long long)expected_version);
    char states[128] = "";
    size_t n = 0;
    for (size_t i = 0; from[i]; i++) {
        if (strcmp(from[i], o->status) == 0)
            return SOUK_OK;
        const char *separator = i == 0 ? "" : from[i + 1] ? ", " : " or ";
        n += (size_t)snprintf(states + n, sizeof states - n, "%s%s", separator, from[i]);
    }
    return souk_err_set(err, SOUK_ECONFLICT, "status", "the order is %s; it can %s only when %s",
                        o->status, action, states);
}

static int check_change(const struct step *step, const struct souk_order_change *c,
                        struct souk_err *err)
{
    if (strcmp(step->action, "fulfil") == 0 && (!c->carrier || !c->tracking_number))
        return souk_err_set(err, SOUK_EINVAL, c->carrier ? "tracking_number" : "carrier",
                            "fulfilling an order needs a carrier and a tracking_number");
    int rc = souk_orders__check_text(c->carrier, "carrier", 64, err);
    if (rc == SOUK_OK)
        rc = souk_orders__check_text(c->tracking_number, "tracking_number", 128, err);
    if (rc == SOUK_OK)
        rc = souk_orders__check_text(c->reason, "reason", 512, err);
    return rc;
}

int souk_orders__settle(struct souk_db_conn *conn, const struct souk_order *o,
                        enum souk_catalog_stock_outcome outcome, const char *reason,
                        struct souk_err *err)
{
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        /* A line with an issue reserved nothing; a deleted variant took its stock with it. */
        if (!l->variant_id || !l->warehouse_id)
            continue;
        int rc = souk_catalog_stock_settle(conn, l->variant_id, l->warehouse_id, l->quantity,
                                           outcome, o->id, reason, err);
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
                            "no order action %.32s: use confirm, allocate, fulfil, deliver, "
                            "cancel, refund or return",
                            action);
    struct souk_order *o = NULL;
    int rc = souk_orders_get(conn, pool, id, &o, err);
    if (rc == SOUK_OK)
        rc = souk_orders__check_state(o, action, step->from, expected_version, err);
    if (rc == SOUK_OK)
        rc = check_change(step, change, err); /* after the state: a wrong state is the news */
    if (rc == SOUK_OK && step->settle_reason)
        rc = souk_orders__settle(conn, o, step->outcome, step->settle_reason, err);
    if (rc == SOUK_OK && step->settle_reason && step->outcome == SOUK_CATALOG_CONSUME)
        rc = souk_orders__fill_backorders(conn, pool, o, true, step->settle_reason, err);
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
    if (changed < 0)
        return (int)changed;
    return souk_orders__announce(conn, id, o->channel, step->to, "merchant", err);
}

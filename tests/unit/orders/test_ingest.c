/*
 * Unit tests for orders/ingest.c: platform orders taken into the book on real SQLite. A
 * redelivered order is one order, an older update never moves an order back, cancelling
 * releases and shipping consumes exactly once, and what cannot be reserved is flagged on the
 * order, never refused and never silently accepted. Also what orders/refunds.c leaves behind
 * in the ledger and the outbox, and that the platform's later word does not undo it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "db/db.h"
#include "orders/orders.h"

struct fixture {
    char dir[64];
    struct souk_db *db;
    struct souk_db_conn *conn;
    struct souk_pool *pool;
    struct souk_err err;
    char variant_id[SOUK_ID_MAX], warehouse_id[SOUK_ID_MAX];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char spec[128];
    snprintf(f->dir, sizeof f->dir, "/tmp/souk-ingesttest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(spec, sizeof spec, "sqlite:%s/t.db", f->dir);
    struct souk_db_options opts = {.connections = 1};
    assert_int_equal(souk_db_open(spec, &opts, &f->db, &f->err), SOUK_OK);
    assert_int_equal(souk_db_migrate(f->db, &f->err), SOUK_OK);
    f->conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(f->conn, SOUK_DB_WRITE, &f->err), SOUK_OK);
    f->pool = souk_pool_new();
    struct souk_warehouse w = {.code = "newark", .name = "Newark", .country = "US"};
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w, &f->err), SOUK_OK);
    snprintf(f->warehouse_id, sizeof f->warehouse_id, "%s", w.id);
    json_error_t jerr;
    json_t *j = json_loads("{\"title\": \"Tee\", \"variants\": [{\"sku\": \"TEE-M\", \"prices\": "
                           "[{\"currency\": \"USD\", \"amount\": 1999}], \"stock\": "
                           "[{\"warehouse_code\": \"newark\", \"on_hand\": 5}]}]}",
                           0, &jerr);
    struct souk_product *p = souk_pool_alloc(f->pool, sizeof *p);
    assert_int_equal(souk_catalog_product_decode(f->pool, j, SOUK_CATALOG_CREATE, p, &f->err),
                     SOUK_OK);
    json_decref(j);
    assert_int_equal(souk_catalog_product_create(f->conn, f->pool, p, &f->err), SOUK_OK);
    snprintf(f->variant_id, sizeof f->variant_id, "%s", p->variants[0].id);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_db_release(f->conn); /* rolls back */
    souk_db_close(f->db);
    souk_pool_free(f->pool);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/t.db%s", f->dir, suffixes[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* A TikTok-like order of quantity units of sku, as a connector hands it over. */
static struct souk_order *platform_order(struct fixture *f, const char *external_id,
                                         const char *status, const char *platform_status,
                                         int64_t updated_s, const char *sku, int64_t quantity)
{
    struct souk_order *o = souk_pool_alloc(f->pool, sizeof *o);
    o->channel = "chn_tiktok";
    o->external_id = (char *)external_id;
    o->status = (char *)status;
    o->platform_status = (char *)platform_status;
    o->platform_updated_at = updated_s * 1000000;
    memcpy(o->currency, "USD", 4);
    o->subtotal = 1799 * quantity;
    o->shipping = 499;
    o->total = o->subtotal + o->shipping;
    o->ship_country = "US";
    o->payment_method = "Alipay";
    o->live_stream = "live-42";
    o->nlines = 1;
    o->lines = souk_pool_alloc(f->pool, sizeof *o->lines);
    o->lines[0] = (struct souk_order_line){.sku = (char *)sku, .quantity = quantity,
                                           .unit_price = 1799};
    return o;
}

static void stock_is(struct fixture *f, int64_t on_hand, int64_t reserved)
{
    struct souk_stock_level *s;
    assert_int_equal(souk_catalog_stock_get(f->conn, f->pool, f->variant_id, f->warehouse_id, &s,
                                            &f->err),
                     SOUK_OK);
    if (s->on_hand != on_hand || s->reserved != reserved)
        fail_msg("stock: on hand %lld reserved %lld, want %lld and %lld", (long long)s->on_hand,
                 (long long)s->reserved, (long long)on_hand, (long long)reserved);
}

static struct souk_order *ingest(struct fixture *f, struct souk_order *o,
                                 enum souk_orders_ingested want)
{
    enum souk_orders_ingested what;
    struct souk_order *out = NULL;
    souk_err_clear(&f->err);
    int rc = souk_orders_ingest(f->conn, f->pool, o, &what, &out, &f->err);
    if (rc != SOUK_OK)
        fail_msg("ingest: %d %s (%s)", rc, f->err.message, f->err.param);
    assert_int_equal(what, want);
    return out;
}

static void a_platform_order_keeps_its_prices_and_reserves_once(void **state)
{
    struct fixture *f = *state;
    struct souk_order *o = ingest(
        f, platform_order(f, "T1", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 2),
        SOUK_ORDERS_CREATED);
    assert_string_equal(o->status, "confirmed");
    assert_string_equal(o->platform_status, "AWAITING_SHIPMENT");
    assert_int_equal(o->lines[0].unit_price, 1799); /* the platform's price, not the catalog's */
    assert_string_equal(o->lines[0].variant_id, f->variant_id);
    assert_string_equal(o->payment_method, "Alipay");
    assert_string_equal(o->live_stream, "live-42");
    assert_null(o->stock_issue);
    stock_is(f, 5, 2);

    /* Delivered again (a webhook retry, a replay): one order, reserved once. */
    struct souk_order *again = ingest(
        f, platform_order(f, "T1", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 2),
        SOUK_ORDERS_UNCHANGED);
    assert_string_equal(again->id, o->id);
    assert_int_equal(again->version, 1);
    stock_is(f, 5, 2);
}

static void an_older_update_never_moves_an_order_back(void **state)
{
    struct fixture *f = *state;
    ingest(f, platform_order(f, "T2", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 1),
           SOUK_ORDERS_CREATED);
    struct souk_order *shipped = platform_order(f, "T2", "fulfilled", "IN_TRANSIT", 300, "TEE-M", 1);
    shipped->carrier = "UPS";
    shipped->tracking_number = "1Z999";
    struct souk_order *o = ingest(f, shipped, SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "fulfilled");
    assert_string_equal(o->tracking_number, "1Z999");
    stock_is(f, 4, 0); /* consumed */

    /* The stale notification arrives last: nothing changes, nothing is consumed twice. */
    o = ingest(f, platform_order(f, "T2", "confirmed", "AWAITING_SHIPMENT", 200, "TEE-M", 1),
               SOUK_ORDERS_UNCHANGED);
    assert_string_equal(o->status, "fulfilled");
    assert_string_equal(o->platform_status, "IN_TRANSIT");
    stock_is(f, 4, 0);

    /* A cancellation after shipping is the return path's: recorded, the stock stays out. */
    o = ingest(f, platform_order(f, "T2", "cancelled", "CANCELLED", 400, "TEE-M", 1),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "fulfilled");
    assert_string_equal(o->platform_status, "CANCELLED");
    stock_is(f, 4, 0);
}

static void a_cancellation_releases_the_units(void **state)
{
    struct fixture *f = *state;
    ingest(f, platform_order(f, "T3", "pending", "UNPAID", 100, "TEE-M", 3), SOUK_ORDERS_CREATED);
    stock_is(f, 5, 3);
    struct souk_order *o =
        ingest(f, platform_order(f, "T3", "cancelled", "CANCELLED", 101, "TEE-M", 3),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "cancelled");
    assert_string_equal(o->cancel_reason, "cancelled on the platform");
    stock_is(f, 5, 0);
    /* First seen already cancelled: recorded, nothing reserved. */
    o = ingest(f, platform_order(f, "T4", "cancelled", "CANCELLED", 100, "TEE-M", 2),
               SOUK_ORDERS_CREATED);
    assert_null(o->lines[0].warehouse_id);
    stock_is(f, 5, 0);
}

static void what_cannot_be_reserved_is_flagged_not_dropped(void **state)
{
    struct fixture *f = *state;
    struct souk_order *in = platform_order(f, "T5", "confirmed", "AWAITING_SHIPMENT", 100,
                                           "TEE-M", 4);
    in->nlines = 3;
    in->lines = souk_pool_alloc(f->pool, 3 * sizeof *in->lines);
    /* Two lines of one SKU: 4 + 2 > 5 on the aggregate, though each fits alone. */
    in->lines[0] = (struct souk_order_line){.sku = "TEE-M", .quantity = 4, .unit_price = 1799};
    in->lines[1] = (struct souk_order_line){.sku = "GHOST-1", .quantity = 1, .unit_price = 500};
    in->lines[2] = (struct souk_order_line){.sku = "TEE-M", .quantity = 2, .unit_price = 0};
    struct souk_order *o = ingest(f, in, SOUK_ORDERS_CREATED);
    assert_int_equal(o->nlines, 3);
    assert_string_equal(o->lines[0].issue, "short");
    assert_string_equal(o->lines[1].issue, "unknown_sku");
    assert_null(o->lines[1].variant_id);
    assert_string_equal(o->lines[2].issue, "short");
    assert_non_null(strstr(o->stock_issue, "no variant has SKU GHOST-1"));
    assert_non_null(strstr(o->stock_issue, "SKU TEE-M"));
    stock_is(f, 5, 0);

    /* Listed among the orders with stock issues. */
    struct souk_order_filter filter = {.stock_issue_only = true, .limit = 10};
    struct souk_order *items;
    size_t count;
    bool more;
    assert_int_equal(souk_orders_list(f->conn, f->pool, &filter, &items, &count, &more, &f->err),
                     SOUK_OK);
    assert_int_equal(count, 1);
    assert_string_equal(items[0].external_id, "T5");

    /* Cancelling it releases nothing it never held. */
    o = ingest(f, platform_order(f, "T5", "cancelled", "CANCELLED", 101, "TEE-M", 4),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "cancelled");
    stock_is(f, 5, 0);
}

/* TEE-M's product sells past zero from now on. */
static void allow_backorder(struct fixture *f)
{
    struct souk_variant *v = NULL;
    struct souk_product *p = NULL;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, f->variant_id, &v, &f->err),
                     SOUK_OK);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, v->product_id, NULL, &p, &f->err),
                     SOUK_OK);
    p->inventory_policy = "backorder";
    assert_int_equal(
        souk_catalog_product_update(f->conn, f->pool, p, SOUK_CATALOG_NO_VERSION, &f->err),
        SOUK_OK);
}

static void a_backorder_is_no_stock_issue_and_ships_from_what_is_there(void **state)
{
    struct fixture *f = *state;
    allow_backorder(f);
    struct souk_order *o =
        ingest(f, platform_order(f, "B1", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 6),
               SOUK_ORDERS_CREATED);
    assert_string_equal(o->lines[0].issue, "backorder");
    assert_null(o->lines[0].warehouse_id);
    assert_null(o->stock_issue);
    stock_is(f, 5, 0);

    /* Stock arrives and the platform says it shipped: the units leave stock now. */
    struct souk_stock_level level = {
        .variant_id = f->variant_id, .warehouse_id = f->warehouse_id, .on_hand = 8};
    assert_int_equal(souk_catalog_stock_set(f->conn, f->pool, &level, "delivery",
                                            SOUK_CATALOG_NO_VERSION, &f->err),
                     SOUK_OK);
    o = ingest(f, platform_order(f, "B1", "fulfilled", "IN_TRANSIT", 200, "TEE-M", 6),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->lines[0].warehouse_id, f->warehouse_id);
    assert_null(o->stock_issue);
    stock_is(f, 2, 0);

    /* Shipped while stock cannot cover it: souk cannot refuse, so it says what it could not do. */
    ingest(f, platform_order(f, "B2", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 3),
           SOUK_ORDERS_CREATED);
    o = ingest(f, platform_order(f, "B2", "fulfilled", "IN_TRANSIT", 200, "TEE-M", 3),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "fulfilled");
    assert_null(o->lines[0].warehouse_id);
    assert_non_null(o->stock_issue);
    assert_non_null(strstr(o->stock_issue, "TEE-M"));
    assert_non_null(strstr(o->stock_issue, "2 available"));
    stock_is(f, 2, 0);
}

static void bad_platform_orders_change_nothing(void **state)
{
    struct fixture *f = *state;
    struct souk_order *o = platform_order(f, "T6", "confirmed", "X", 100, "TEE-M", 1);
    o->total = -1;
    enum souk_orders_ingested what;
    struct souk_order *out;
    assert_int_equal(souk_orders_ingest(f->conn, f->pool, o, &what, &out, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "total");
    o = platform_order(f, "T6", "shipped", "X", 100, "TEE-M", 1);
    assert_int_equal(souk_orders_ingest(f->conn, f->pool, o, &what, &out, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "status");
    o = platform_order(f, "T6", "confirmed", "X", 100, "TEE-M", -3);
    o->subtotal = 0;
    o->total = o->shipping;
    assert_int_equal(souk_orders_ingest(f->conn, f->pool, o, &what, &out, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "lines[0].quantity");
    o = platform_order(f, NULL, "confirmed", "X", 100, "TEE-M", 1);
    assert_int_equal(souk_orders_ingest(f->conn, f->pool, o, &what, &out, &f->err), SOUK_EINVAL);
    assert_int_equal(souk_orders_find_external(f->conn, f->pool, "chn_tiktok", "T6", &out, &f->err),
                     0);
    stock_is(f, 5, 0);
}

/* The text of the first row of sql (one text parameter), "" when there is none. */
static const char *first_text(struct fixture *f, const char *sql, const char *param)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(f->conn, &f->err, &st, sql, "s", param);
    assert_true(rc >= 0);
    return rc == 1 ? souk_pool_str(f->pool, souk_db_col_text(st, 0)) : "";
}

/* How many outbox rows announce a stock change of the fixture's variant. */
static int64_t stock_changes(struct fixture *f)
{
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_query(f->conn, &f->err, &st,
                                   "SELECT count(*) FROM outbox WHERE topic = 'stock.changed' "
                                   "AND subject = $1",
                                   "s", f->variant_id),
                     1);
    return souk_db_col_i64(st, 0);
}

static void a_refunded_platform_order_stays_refunded(void **state)
{
    struct fixture *f = *state;
    struct souk_order *o =
        ingest(f, platform_order(f, "T7", "confirmed", "AWAITING_SHIPMENT", 100, "TEE-M", 2),
               SOUK_ORDERS_CREATED);
    stock_is(f, 5, 2);
    struct souk_order_refund part = {.amount = 1000, .reason = "late"};
    assert_int_equal(souk_orders_refund(f->conn, f->pool, o->id, &part, -1, &f->err), SOUK_OK);
    assert_non_null(strstr(first_text(f,
                                      "SELECT payload FROM outbox WHERE topic = 'order.refunded' "
                                      "AND subject = $1",
                                      o->id),
                           "\"amount\":1000"));
    stock_is(f, 5, 2); /* a partial refund is money only */
    struct souk_order_refund rest = {.amount = o->total - 1000};
    assert_int_equal(souk_orders_refund(f->conn, f->pool, o->id, &rest, -1, &f->err), SOUK_OK);
    /* Refunded in full before shipping: it will never ship, so its units are released. */
    stock_is(f, 5, 0);
    assert_string_equal(first_text(f,
                                   "SELECT reason FROM stock_movements WHERE kind = 'release' "
                                   "AND order_id = $1",
                                   o->id),
                        "order refunded");

    /* The platform ships it after all: recorded, but the order stays refunded, nothing moves. */
    o = ingest(f, platform_order(f, "T7", "fulfilled", "IN_TRANSIT", 200, "TEE-M", 2),
               SOUK_ORDERS_ADVANCED);
    assert_string_equal(o->status, "refunded");
    assert_string_equal(o->platform_status, "IN_TRANSIT");
    assert_int_equal(o->refunded, o->total);
    assert_int_equal(o->nrefunds, 2);
    stock_is(f, 5, 0);
    /* No platform word is "refunded" or "returned": those are the merchant's. */
    enum souk_orders_ingested what;
    assert_int_equal(souk_orders_ingest(f->conn, f->pool,
                                        platform_order(f, "T8", "refunded", "X", 100, "TEE-M", 1),
                                        &what, &o, &f->err),
                     SOUK_EINVAL);
}

static void a_return_is_a_restock_in_the_ledger_and_an_event(void **state)
{
    struct fixture *f = *state;
    struct souk_order *o =
        ingest(f, platform_order(f, "T9", "fulfilled", "IN_TRANSIT", 100, "TEE-M", 2),
               SOUK_ORDERS_CREATED);
    stock_is(f, 3, 0);
    int64_t changes = stock_changes(f);
    struct souk_order_return_line line = {.line_no = 1, .quantity = 1};
    struct souk_order_return r = {.lines = &line, .nlines = 1, .reason = "too small"};
    assert_int_equal(souk_orders_return(f->conn, f->pool, o->id, &r, -1, &f->err), SOUK_OK);
    stock_is(f, 4, 0);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_query(f->conn, &f->err, &st,
                                   "SELECT variant_id, warehouse_id, quantity, reason FROM "
                                   "stock_movements WHERE kind = 'restock' AND order_id = $1",
                                   "s", o->id),
                     1);
    assert_string_equal(souk_pool_str(f->pool, souk_db_col_text(st, 0)), f->variant_id);
    assert_string_equal(souk_pool_str(f->pool, souk_db_col_text(st, 1)), f->warehouse_id);
    assert_int_equal(souk_db_col_i64(st, 2), 1);
    assert_string_equal(souk_pool_str(f->pool, souk_db_col_text(st, 3)),
                        "order returned: too small");
    /* The channels hear of the unit back on sale, the merchant's systems of the return. */
    assert_int_equal(stock_changes(f), changes + 1);
    const char *event = first_text(
        f, "SELECT payload FROM outbox WHERE topic = 'order.returned' AND subject = $1", o->id);
    assert_non_null(strstr(event, "\"quantity\":1"));
    assert_non_null(strstr(event, "too small"));

    line.quantity = 2; /* one left to take back */
    assert_int_equal(souk_orders_return(f->conn, f->pool, o->id, &r, -1, &f->err), SOUK_EUNPROC);
    assert_string_equal(f->err.param, "lines[0].quantity");
    stock_is(f, 4, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_platform_order_keeps_its_prices_and_reserves_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_older_update_never_moves_an_order_back, setup, teardown),
        cmocka_unit_test_setup_teardown(a_cancellation_releases_the_units, setup, teardown),
        cmocka_unit_test_setup_teardown(what_cannot_be_reserved_is_flagged_not_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_backorder_is_no_stock_issue_and_ships_from_what_is_there,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_platform_orders_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_refunded_platform_order_stays_refunded, setup, teardown),
        cmocka_unit_test_setup_teardown(a_return_is_a_restock_in_the_ledger_and_an_event, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Integration tests of a product's inventory policy: a "deny" product refuses what stock
 * cannot cover, as always; a "backorder" or "preorder" product sells past zero, its lines
 * reserve nothing until fulfilment takes the units from stock (or refuses while stock is
 * short), and that is no stock issue, for direct orders and platform orders alike; the feeds
 * show the platform's backorder and pre-order words where the platform has them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Sends body with the admin key, asserts want and returns the parsed answer (decref it). */
static json_t *call(struct souk_h_server *s, const char *method, const char *path, const char *body,
                    long want)
{
    struct souk_h_resp r;
    souk_h_request(s, method, path, s->key, body, NULL, &r);
    if (r.status != want)
        fail_msg("%s %s: %ld, want %ld: %s", method, path, r.status, want, r.body.data);
    json_t *j = json_incref(r.json);
    souk_h_resp_release(&r);
    return j;
}

/* Asserts that method path with body fails with status, type and param; returns the message. */
static void refused(struct souk_h_server *s, const char *method, const char *path, const char *body,
                    long status, const char *type, const char *param, char message[256])
{
    struct souk_h_resp r;
    souk_h_request(s, method, path, s->key, body, NULL, &r);
    souk_h_assert_error(&r, status, type, param);
    if (message)
        snprintf(message, 256, "%s", souk_h_text(r.json, "error.message"));
    souk_h_resp_release(&r);
}

struct item {
    char product[SOUK_H_ID_MAX], variant[SOUK_H_ID_MAX];
};

/* A product with one SKU priced 10.00 EUR and on_hand units in the "berlin" warehouse; policy
 * is the product's extra fields ("" for none). */
static void product(struct souk_h_server *s, const char *sku, int on_hand, const char *policy,
                    struct item *out)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"title\": \"Item %s\", \"brand\": \"Acme\", \"media\": [{\"url\": "
             "\"https://cdn.example/%s.jpg\"}]%s, \"variants\": [{\"sku\": \"%s\", \"prices\": "
             "[{\"currency\": \"EUR\", \"amount\": 1000}, {\"currency\": \"USD\", \"amount\": "
             "1100}], \"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": %d}]}]}",
             sku, sku, policy, sku, on_hand);
    json_t *p = call(s, "POST", "/v1/products", body, 201);
    snprintf(out->product, sizeof out->product, "%s", souk_h_str(p, "id"));
    snprintf(out->variant, sizeof out->variant, "%s", souk_h_text(p, "variants[0].id"));
    json_decref(p);
}

static char warehouse[SOUK_H_ID_MAX];

static int setup(void **state)
{
    int rc = souk_h_setup(state);
    struct souk_h_server *s = *state;
    json_t *w = call(s, "POST", "/v1/warehouses",
                     "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}", 201);
    snprintf(warehouse, sizeof warehouse, "%s", souk_h_str(w, "id"));
    json_decref(w);
    return rc;
}

static int64_t stock_of(struct souk_h_server *s, const struct item *it, const char *field)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/stock/%s/%s", it->variant, warehouse);
    json_t *level = call(s, "GET", path, NULL, 200);
    int64_t n = souk_h_int(level, field);
    json_decref(level);
    return n;
}

static void a_deny_product_still_refuses_what_stock_cannot_cover(void **state)
{
    struct souk_h_server *s = *state;
    struct item mug;
    product(s, "MUG", 1, "", &mug);
    char path[128], message[256];
    snprintf(path, sizeof path, "/v1/products/%s", mug.product);
    json_t *p = call(s, "GET", path, NULL, 200);
    assert_string_equal(souk_h_str(p, "inventory_policy"), "deny"); /* the default */
    assert_true(json_is_null(souk_h_at(p, "preorder_ships_at")));
    json_decref(p);
    refused(s, "POST", "/v1/orders",
            "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG\", \"quantity\": 3}]}", 409,
            "out_of_stock", "lines[0].quantity", message);
    assert_non_null(strstr(message, "MUG"));
    assert_non_null(strstr(message, "1 available"));
    assert_int_equal(stock_of(s, &mug, "reserved"), 0);
    assert_int_equal(souk_h_count(s, "/v1/orders"), 0);
}

static void a_backorder_is_sold_now_and_taken_from_stock_at_fulfilment(void **state)
{
    struct souk_h_server *s = *state;
    struct item boot, sock;
    product(s, "BOOT", 1, ", \"inventory_policy\": \"backorder\"", &boot);
    product(s, "SOCK", 4, "", &sock);
    /* 1 + 2 of BOOT: checked on the sum, which 1 unit cannot cover; SOCK is covered. */
    json_t *o = call(s, "POST", "/v1/orders",
                     "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"BOOT\", \"quantity\": 1}, "
                     "{\"sku\": \"SOCK\", \"quantity\": 2}, {\"sku\": \"BOOT\", \"quantity\": 2}]}",
                     201);
    char id[SOUK_H_ID_MAX], path[256], message[256];
    snprintf(id, sizeof id, "%s", souk_h_str(o, "id"));
    assert_string_equal(souk_h_text(o, "lines[0].issue"), "backorder");
    assert_string_equal(souk_h_text(o, "lines[2].issue"), "backorder");
    assert_true(json_is_null(souk_h_at(o, "lines[0].warehouse_id")));
    assert_true(json_is_null(souk_h_at(o, "lines[1].issue")));
    assert_string_equal(souk_h_text(o, "lines[1].warehouse_id"), warehouse);
    assert_true(json_is_null(souk_h_at(o, "stock_issue")));
    assert_int_equal(souk_h_int(o, "total"), 5000);
    json_decref(o);
    assert_int_equal(stock_of(s, &boot, "reserved"), 0); /* nothing reserved for BOOT */
    assert_int_equal(stock_of(s, &sock, "reserved"), 2);
    assert_int_equal(souk_h_count(s, "/v1/orders?backorder=true"), 1);
    assert_int_equal(souk_h_count(s, "/v1/orders?stock_issue=true"), 0);

    /* Fulfilment needs the 3 units: 409 naming the SKU and what there is, and nothing moves. */
    snprintf(path, sizeof path, "/v1/orders/%s/confirm", id);
    json_decref(call(s, "POST", path, "{}", 200));
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", id);
    const char *shipment = "{\"carrier\": \"dhl\", \"tracking_number\": \"JD0001\"}";
    refused(s, "POST", path, shipment, 409, "out_of_stock", "lines[0].quantity", message);
    assert_non_null(strstr(message, "BOOT"));
    assert_non_null(strstr(message, "1 available"));
    assert_int_equal(stock_of(s, &sock, "reserved"), 2); /* the refusal rolled SOCK back too */
    assert_int_equal(stock_of(s, &sock, "on_hand"), 4);

    /* Stock arrives; now fulfilment takes BOOT's units through the ledger. */
    snprintf(path, sizeof path, "/v1/stock/%s/%s", boot.variant, warehouse);
    json_decref(call(s, "PUT", path, "{\"on_hand\": 5, \"reason\": \"delivery\"}", 200));
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", id);
    o = call(s, "POST", path, shipment, 200);
    assert_string_equal(souk_h_str(o, "status"), "fulfilled");
    assert_string_equal(souk_h_text(o, "lines[0].warehouse_id"), warehouse);
    assert_string_equal(souk_h_text(o, "lines[2].warehouse_id"), warehouse);
    json_decref(o);
    assert_int_equal(stock_of(s, &boot, "on_hand"), 2);
    assert_int_equal(stock_of(s, &boot, "reserved"), 0);
    assert_int_equal(stock_of(s, &sock, "on_hand"), 2);
    assert_int_equal(souk_h_count(s, "/v1/orders?backorder=true"), 0);

    snprintf(path, sizeof path, "/v1/stock/movements?order_id=%s&variant_id=%s", id, boot.variant);
    json_t *moves = call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(souk_h_at(moves, "data")), 2);
    assert_string_equal(souk_h_text(moves, "data[0].kind"), "reserve");
    assert_int_equal(souk_h_int(moves, "data[0].quantity"), 3);
    assert_string_equal(souk_h_text(moves, "data[0].reason"), "backorder filled at fulfilment");
    assert_string_equal(souk_h_text(moves, "data[1].kind"), "consume");
    assert_int_equal(souk_h_int(moves, "data[1].quantity"), 3);
    json_decref(moves);

    /* Returned: back on hand where it shipped from, like any line. */
    snprintf(path, sizeof path, "/v1/orders/%s/return", id);
    json_decref(call(s, "POST", path, "{\"lines\": [{\"line\": 3, \"quantity\": 2}]}", 200));
    assert_int_equal(stock_of(s, &boot, "on_hand"), 4);
}

static void cancelling_a_backorder_releases_only_what_was_reserved(void **state)
{
    struct souk_h_server *s = *state;
    struct item boot, sock;
    product(s, "BOOT", 0, ", \"inventory_policy\": \"backorder\"", &boot);
    product(s, "SOCK", 4, "", &sock);
    json_t *o = call(s, "POST", "/v1/orders",
                     "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"BOOT\", \"quantity\": 2}, "
                     "{\"sku\": \"SOCK\", \"quantity\": 1}]}",
                     201);
    char path[256];
    snprintf(path, sizeof path, "/v1/orders/%s/cancel", souk_h_str(o, "id"));
    json_decref(o);
    /* Stock for BOOT arrives meanwhile: the cancel must not "release" units it never held. */
    char stock_path[160];
    snprintf(stock_path, sizeof stock_path, "/v1/stock/%s/%s", boot.variant, warehouse);
    json_decref(call(s, "PUT", stock_path, "{\"on_hand\": 3}", 200));
    o = call(s, "POST", path, "{\"reason\": \"changed mind\"}", 200);
    assert_string_equal(souk_h_str(o, "status"), "cancelled");
    json_decref(o);
    assert_int_equal(stock_of(s, &boot, "reserved"), 0);
    assert_int_equal(stock_of(s, &boot, "on_hand"), 3);
    assert_int_equal(stock_of(s, &sock, "reserved"), 0);
    assert_int_equal(souk_h_count(s, "/v1/orders?backorder=true"), 0); /* not waiting any more */
}

static void a_preorder_needs_its_ship_date(void **state)
{
    struct souk_h_server *s = *state;
    refused(s, "POST", "/v1/products", "{\"title\": \"Game\", \"inventory_policy\": \"preorder\"}",
            400, "invalid_request", "preorder_ships_at", NULL);
    refused(s, "POST", "/v1/products",
            "{\"title\": \"Game\", \"preorder_ships_at\": \"2027-03-01T00:00:00Z\"}", 400,
            "invalid_request", "preorder_ships_at", NULL);
    refused(s, "POST", "/v1/products", "{\"title\": \"Game\", \"inventory_policy\": \"sometimes\"}",
            400, "invalid_request", "inventory_policy", NULL);
    refused(s, "POST", "/v1/products",
            "{\"title\": \"Game\", \"inventory_policy\": \"preorder\", \"preorder_ships_at\": "
            "\"next spring\"}",
            400, "invalid_request", "preorder_ships_at", NULL);
    assert_int_equal(souk_h_count(s, "/v1/products"), 0);

    struct item game;
    product(s, "GAME", 0,
            ", \"inventory_policy\": \"preorder\", \"preorder_ships_at\": "
            "\"2027-03-01T00:00:00Z\"",
            &game);
    char path[128];
    snprintf(path, sizeof path, "/v1/products/%s", game.product);
    json_t *p = call(s, "GET", path, NULL, 200);
    assert_string_equal(souk_h_str(p, "inventory_policy"), "preorder");
    assert_string_equal(souk_h_str(p, "preorder_ships_at"), "2027-03-01T00:00:00.000000Z");
    json_decref(p);
    json_t *o =
        call(s, "POST", "/v1/orders",
             "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"GAME\", \"quantity\": 1}]}", 201);
    assert_string_equal(souk_h_text(o, "lines[0].issue"), "preorder");
    assert_true(json_is_null(souk_h_at(o, "stock_issue")));
    json_decref(o);

    /* The export carries the policy, so an import elsewhere keeps it. */
    struct souk_buf out;
    souk_h_export(s, &out);
    assert_non_null(strstr(out.data, "\"inventory_policy\":\"preorder\""));
    assert_non_null(strstr(out.data, "\"preorder_ships_at\":\"2027-03-01T00:00:00.000000Z\""));
    souk_buf_release(&out);

    /* Released: the date must go with the policy. */
    refused(s, "PATCH", path, "{\"inventory_policy\": \"deny\"}", 400, "invalid_request",
            "preorder_ships_at", NULL);
    p = call(s, "PATCH", path, "{\"inventory_policy\": \"deny\", \"preorder_ships_at\": null}",
             200);
    assert_string_equal(souk_h_str(p, "inventory_policy"), "deny");
    assert_true(json_is_null(souk_h_at(p, "preorder_ships_at")));
    json_decref(p);
    refused(s, "POST", "/v1/orders",
            "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"GAME\", \"quantity\": 1}]}", 409,
            "out_of_stock", "lines[0].quantity", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_deny_product_still_refuses_what_stock_cannot_cover, setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_backorder_is_sold_now_and_taken_from_stock_at_fulfilment,
                                        setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(cancelling_a_backorder_releases_only_what_was_reserved,
                                        setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_preorder_needs_its_ship_date, setup, souk_h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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
             "{\"title\": \"Item %s\", \"description\": \"Made well.\", \"brand\": \"Acme\", "
             "\"media\": [{\"url\": "
             "\"https://cdn.example/%s.jpg\"}]%s, \"variants\": [{\"sku\": \"%s\", \"prices\": "
             "[{\"currency\": \"EUR\", \"amount\": 1000}, {\"currency\": \"USD\", \"amount\": "
             "1100}], \"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": %d}]}]}",
             sku, sku, policy, sku, on_hand);
    json_t *p = souk_h_call(s, "POST", "/v1/products", body, 201);
    snprintf(out->product, sizeof out->product, "%s", souk_h_str(p, "id"));
    snprintf(out->variant, sizeof out->variant, "%s", souk_h_text(p, "variants[0].id"));
    json_decref(p);
}

static char warehouse[SOUK_H_ID_MAX];

static int setup(void **state)
{
    int rc = souk_h_setup(state);
    struct souk_h_server *s = *state;
    json_t *w = souk_h_call(s, "POST", "/v1/warehouses",
                     "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}", 201);
    snprintf(warehouse, sizeof warehouse, "%s", souk_h_str(w, "id"));
    json_decref(w);
    return rc;
}

static int64_t stock_of(struct souk_h_server *s, const struct item *it, const char *field)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/stock/%s/%s", it->variant, warehouse);
    json_t *level = souk_h_call(s, "GET", path, NULL, 200);
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
    json_t *p = souk_h_call(s, "GET", path, NULL, 200);
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
    json_t *o = souk_h_call(s, "POST", "/v1/orders",
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
    json_decref(souk_h_call(s, "POST", path, "{}", 200));
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", id);
    const char *shipment = "{\"carrier\": \"dhl\", \"tracking_number\": \"JD0001\"}";
    refused(s, "POST", path, shipment, 409, "out_of_stock", "lines[0].quantity", message);
    assert_non_null(strstr(message, "BOOT"));
    assert_non_null(strstr(message, "1 available"));
    assert_int_equal(stock_of(s, &sock, "reserved"), 2); /* the refusal rolled SOCK back too */
    assert_int_equal(stock_of(s, &sock, "on_hand"), 4);

    /* Stock arrives; now fulfilment takes BOOT's units through the ledger. */
    snprintf(path, sizeof path, "/v1/stock/%s/%s", boot.variant, warehouse);
    json_decref(souk_h_call(s, "PUT", path, "{\"on_hand\": 5, \"reason\": \"delivery\"}", 200));
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", id);
    o = souk_h_call(s, "POST", path, shipment, 200);
    assert_string_equal(souk_h_str(o, "status"), "fulfilled");
    assert_string_equal(souk_h_text(o, "lines[0].warehouse_id"), warehouse);
    assert_string_equal(souk_h_text(o, "lines[2].warehouse_id"), warehouse);
    json_decref(o);
    assert_int_equal(stock_of(s, &boot, "on_hand"), 2);
    assert_int_equal(stock_of(s, &boot, "reserved"), 0);
    assert_int_equal(stock_of(s, &sock, "on_hand"), 2);
    assert_int_equal(souk_h_count(s, "/v1/orders?backorder=true"), 0);

    snprintf(path, sizeof path, "/v1/stock/movements?order_id=%s&variant_id=%s", id, boot.variant);
    json_t *moves = souk_h_call(s, "GET", path, NULL, 200);
    assert_int_equal(json_array_size(souk_h_at(moves, "data")), 2);
    assert_string_equal(souk_h_text(moves, "data[0].kind"), "reserve");
    assert_int_equal(souk_h_int(moves, "data[0].quantity"), 3);
    assert_string_equal(souk_h_text(moves, "data[0].reason"), "backorder filled at fulfilment");
    assert_string_equal(souk_h_text(moves, "data[1].kind"), "consume");
    assert_int_equal(souk_h_int(moves, "data[1].quantity"), 3);
    json_decref(moves);

    /* Returned: back on hand where it shipped from, like any line. */
    snprintf(path, sizeof path, "/v1/orders/%s/return", id);
    json_decref(souk_h_call(s, "POST", path, "{\"lines\": [{\"line\": 3, \"quantity\": 2}]}", 200));
    assert_int_equal(stock_of(s, &boot, "on_hand"), 4);
}

static void cancelling_a_backorder_releases_only_what_was_reserved(void **state)
{
    struct souk_h_server *s = *state;
    struct item boot, sock;
    product(s, "BOOT", 0, ", \"inventory_policy\": \"backorder\"", &boot);
    product(s, "SOCK", 4, "", &sock);
    json_t *o = souk_h_call(s, "POST", "/v1/orders",
                     "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"BOOT\", \"quantity\": 2}, "
                     "{\"sku\": \"SOCK\", \"quantity\": 1}]}",
                     201);
    char path[256];
    snprintf(path, sizeof path, "/v1/orders/%s/cancel", souk_h_str(o, "id"));
    json_decref(o);
    /* Stock for BOOT arrives meanwhile: the cancel must not "release" units it never held. */
    char stock_path[160];
    snprintf(stock_path, sizeof stock_path, "/v1/stock/%s/%s", boot.variant, warehouse);
    json_decref(souk_h_call(s, "PUT", stock_path, "{\"on_hand\": 3}", 200));
    o = souk_h_call(s, "POST", path, "{\"reason\": \"changed mind\"}", 200);
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
    json_t *p = souk_h_call(s, "GET", path, NULL, 200);
    assert_string_equal(souk_h_str(p, "inventory_policy"), "preorder");
    assert_string_equal(souk_h_str(p, "preorder_ships_at"), "2027-03-01T00:00:00.000000Z");
    json_decref(p);
    json_t *o =
        souk_h_call(s, "POST", "/v1/orders",
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
    p = souk_h_call(s, "PATCH", path,
                    "{\"inventory_policy\": \"deny\", \"preorder_ships_at\": null}", 200);
    assert_string_equal(souk_h_str(p, "inventory_policy"), "deny");
    assert_true(json_is_null(souk_h_at(p, "preorder_ships_at")));
    json_decref(p);
    refused(s, "POST", "/v1/orders",
            "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"GAME\", \"quantity\": 1}]}", 409,
            "out_of_stock", "lines[0].quantity", NULL);
}

static void shopify_continue_imports_as_backorder(void **state)
{
    struct souk_h_server *s = *state;
    char csv[128];
    snprintf(csv, sizeof csv, "%s/products.csv", s->dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("Handle,Title,Variant SKU,Variant Inventory Qty,Variant Inventory Policy,"
          "Variant Price,Status\n"
          "boot,Boot,BOOT-1,0,continue,49.00,active\n"
          "mug,Mug,MUG-1,3,deny,9.00,active\n",
          f);
    assert_int_equal(fclose(f), 0);
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    if (souk_h_run(NULL, NULL, &errout, "import", "shopify", csv, "--currency", "EUR", "--db",
                   s->db, NULL) != 0)
        fail_msg("import failed: %s", errout.data);
    souk_buf_release(&errout);
    json_t *p = souk_h_call(s, "GET", "/v1/products?q=boot", NULL, 200);
    assert_string_equal(souk_h_text(p, "data[0].inventory_policy"), "backorder");
    json_decref(p);
    p = souk_h_call(s, "GET", "/v1/products?q=mug", NULL, 200);
    assert_string_equal(souk_h_text(p, "data[0].inventory_policy"), "deny");
    json_decref(p);
}

/* The feed of a new channel (body) in format, fetched as the platform does, into out. */
static void channel_feed(struct souk_h_server *s, const char *body, const char *format,
                         struct souk_h_resp *out)
{
    json_t *c = souk_h_call(s, "POST", "/v1/channels", body, 201);
    char feeds[32], path[256];
    snprintf(feeds, sizeof feeds, "feeds.%s", format);
    snprintf(path, sizeof path, "%s?token=%s", souk_h_text(c, feeds), souk_h_str(c, "feed_token"));
    json_decref(c);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, out);
    assert_int_equal(out->status, 200);
}

/* The feed row of sku (from the newline before it to the end of its line) into row. */
static const char *row_of(const char *feed, const char *sku, char row[1024])
{
    char start[64];
    snprintf(start, sizeof start, "\n%s%c", sku, strstr(feed, "\t") ? '\t' : ',');
    const char *at = strstr(feed, start);
    if (!at)
        fail_msg("the feed has no row for %s:\n%s", sku, feed);
    size_t len = strcspn(at + 1, "\n");
    snprintf(row, 1024, "%.*s", (int)(len < 1023 ? len : 1023), at + 1);
    return row;
}

static void feeds_show_backorders_and_preorders_in_the_platforms_words(void **state)
{
    struct souk_h_server *s = *state;
    struct item it;
    product(s, "BOOT", 0, ", \"inventory_policy\": \"backorder\"", &it);
    product(s, "GAME", 0,
            ", \"inventory_policy\": \"preorder\", \"preorder_ships_at\": "
            "\"2027-03-01T09:30:00Z\"",
            &it);
    product(s, "MUG", 0, "", &it);
    product(s, "CAP", 2, ", \"inventory_policy\": \"backorder\"", &it); /* has stock */
    char row[1024];

    struct souk_h_resp r;
    channel_feed(s,
                 "{\"platform\": \"meta\", \"name\": \"Instagram\", \"country\": \"DE\", "
                 "\"locale\": \"en\", \"currency\": \"EUR\", \"link_template\": "
                 "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": "
                 "\"EAAB\", \"catalog_id\": \"1234\"}}",
                 "csv", &r);
    assert_non_null(strstr(row_of(r.body.data, "BOOT", row), ",Made well.,available for order,"));
    assert_non_null(strstr(row_of(r.body.data, "GAME", row), ",Made well.,preorder,"));
    assert_non_null(strstr(row_of(r.body.data, "MUG", row), ",Made well.,out of stock,"));
    assert_non_null(strstr(row_of(r.body.data, "CAP", row), ",Made well.,in stock,"));
    souk_h_resp_release(&r);

    /* Google: a pre-order with its availability_date; a backorder needs a date souk does not
     * have, so it stays out of stock rather than be disapproved. */
    channel_feed(s,
                 "{\"platform\": \"google\", \"name\": \"Google\", \"country\": \"DE\", "
                 "\"locale\": \"en\", \"currency\": \"EUR\", \"link_template\": "
                 "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": "
                 "\"ya29\", \"merchant_id\": \"123456789\", \"data_source_id\": \"5\"}}",
                 "tsv", &r);
    assert_non_null(strstr(r.body.data, "\tavailability\tavailability_date\t"));
    assert_non_null(strstr(row_of(r.body.data, "GAME", row), "\tpreorder\t2027-03-01T09:30Z\t"));
    assert_non_null(strstr(row_of(r.body.data, "BOOT", row), "\tout_of_stock\t\t"));
    assert_non_null(strstr(row_of(r.body.data, "CAP", row), "\tin_stock\t\t"));
    souk_h_resp_release(&r);
}

/* ---- a platform order: a real souk with the demo catalog and a sim delivering TikTok's
 * signed order webhooks ---- */

#define SKU "DEMO-01-1" /* 5 units in the newark warehouse in the demo catalog */

struct world {
    struct souk_h_server souk, sim;
    char tiktok[SOUK_H_ID_MAX];
};

static int platform_setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    souk_h_images_on_sim(&w.souk, &w.sim); /* TikTok takes image files, from the sim */
    char body[1536];
    snprintf(body, sizeof body,
             "{\"platform\": \"tiktok\", \"name\": \"TikTok US\", \"country\": \"US\", "
             "\"locale\": \"en\", \"currency\": \"USD\", \"base_url\": "
             "\"http://127.0.0.1:%u\", \"link_template\": \"https://shop.example/p/{handle}\", "
             "\"credentials\": {\"app_key\": \"sim-tiktok-app-key\", \"app_secret\": "
             "\"sim-tiktok-app-secret\", \"access_token\": \"sim-tiktok-access-token\", "
             "\"shop_cipher\": \"sim-tiktok-shop-cipher\", \"warehouse_id\": "
             "\"7068517275539719942\", \"category_id\": \"601226\"}, \"orders\": "
             "{\"on_shortfall\": \"cancel\"}}",
             w.sim.port);
    souk_h_create(&w.souk, "/v1/channels", body, w.tiktok);
    souk_h_sim_deliver_to(&w.sim, &w.souk, "tiktok", w.tiktok);
    json_decref(souk_h_wait_settled(&w.souk, w.tiktok));
    *state = &w;
    return 0;
}

static int platform_teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    souk_h_cleanup(&w->sim);
    return 0;
}

/* Places an order of quantity units of sku on TikTok in the sim; writes the platform's id. */
static void place(struct world *w, int quantity, char id[SOUK_H_ID_MAX])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"platform\": \"tiktok\", \"currency\": \"USD\", \"lines\": [{\"sku\": "
             "\"" SKU "\", \"quantity\": %d, \"unit_price\": \"17.99\"}], "
             "\"buyer\": {\"name\": \"Ana Live\", \"email\": \"ana@example.com\"}}",
             quantity);
    struct souk_h_resp resp;
    souk_h_request(&w->sim, "POST", "/_sim/orders", NULL, body, NULL, &resp);
    assert_int_equal(resp.status, 201);
    snprintf(id, SOUK_H_ID_MAX, "%s", souk_h_str(resp.json, "id"));
    souk_h_resp_release(&resp);
}

/* Waits (10 s) until souk holds the TikTok order external_id; returns it (json_decref). */
static json_t *wait_order(struct world *w, const char *external_id)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250", w->tiktok);
    for (int i = 0; i < 1000; i++) {
        json_t *page = souk_h_get(&w->souk, path);
        size_t k;
        json_t *o;
        json_array_foreach(souk_h_at(page, "data"), k, o)
        {
            if (strcmp(souk_h_str(o, "external_id"), external_id) == 0) {
                json_incref(o);
                json_decref(page);
                return o;
            }
        }
        json_decref(page);
        souk_h_sleep_ms(10);
    }
    fail_msg("souk never took in TikTok order %s", external_id);
    return NULL;
}

static void a_platform_backorder_is_not_cancelled_as_a_shortfall(void **state)
{
    struct world *w = *state;
    souk_h_set_stock(&w->souk, SKU, "newark", 1);
    json_t *v = souk_h_get(&w->souk, "/v1/variants?sku=" SKU);
    char path[160];
    snprintf(path, sizeof path, "/v1/products/%s", souk_h_text(v, "data[0].product_id"));
    json_decref(v);
    json_decref(souk_h_call(&w->souk, "PATCH", path, "{\"inventory_policy\": \"backorder\"}", 200));

    char id[SOUK_H_ID_MAX];
    place(w, 3, id);
    json_t *o = wait_order(w, id);
    /* Taken in and kept: the channel cancels shortfalls, and a backorder is none. */
    assert_string_equal(souk_h_str(o, "status"), "confirmed");
    assert_string_equal(souk_h_text(o, "lines[0].issue"), "backorder");
    assert_true(json_is_null(souk_h_at(o, "stock_issue")));
    assert_true(json_is_null(souk_h_at(o, "cancel_reason")));
    json_decref(o);
    snprintf(path, sizeof path, "/_sim/orders/%s", id);
    struct souk_h_resp resp;
    souk_h_request(&w->sim, "GET", path, NULL, NULL, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_not_equal(souk_h_str(resp.json, "status"), "CANCELLED");
    assert_int_equal(json_array_size(souk_h_at(resp.json, "cancellations")), 0);
    souk_h_resp_release(&resp);
    snprintf(path, sizeof path, "/v1/orders?channel=%s&backorder=true", w->tiktok);
    assert_int_equal(souk_h_count(&w->souk, path), 1);
    json_t *sync = souk_h_sync_status(&w->souk, w->tiktok);
    assert_int_equal(souk_h_int(sync, "orders.stock_issues"), 0);
    json_decref(sync);
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
        cmocka_unit_test_setup_teardown(shopify_continue_imports_as_backorder, setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(feeds_show_backorders_and_preorders_in_the_platforms_words,
                                        setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_platform_backorder_is_not_cancelled_as_a_shortfall,
                                        platform_setup, platform_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

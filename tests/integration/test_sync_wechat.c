/*
 * Integration tests of the WeChat Channels shop push: a real souk and a real `souk sim` playing
 * WeChat. A wechat channel with the catalog credentials adds each souk product as one WeChat
 * product (one SKU per variant, prices in fen, its category path and freight template) and
 * lists it; a stock change reaches WeChat through stock/update and a price change through
 * product/update, both on the same product and SKUs; a 5xx or an expired token delays a
 * change, never loses it. WeChat shows only images uploaded to it: each of the merchant's
 * images (served by the sim, as a CDN would) is uploaded once per channel and head_imgs holds
 * WeChat's links. A channel without the catalog credentials says which one it needs, and
 * /diagnostics names what WeChat would refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define CATEGORY_IDS "10000212,10000213,547805"
#define TEMPLATE_ID "5189"
#define UPLOAD_PATH "/channels/ec/basics/img/upload"
#define WECHAT_IMAGES "https://mmecimage.cn/p/wxsim0000000001/"

/* The tea set's image i (1, 2, 3, ...) on the merchant's CDN, which the sim plays. */
#define IMG "http://127.0.0.1:%u/_sim/images/800x800.png?tea=%d"

/* A product the channel's selection (tag "wechat") carries: two sizes, three images, CNY.
 * A format: the sim's port for each of its three images. */
#define TEA_SET                                                                                \
    "{\"title\": \"青瓷茶具套装 Celadon tea set\", \"handle\": \"celadon-tea-set\", "          \
    "\"description\": \"<p>手工青瓷</p>\", \"tags\": [\"wechat\"], \"options\": [\"Size\"], "  \
    "\"media\": [{\"url\": \"" IMG "\"}, {\"url\": \"" IMG "\"}, {\"url\": \"" IMG             \
    "\"}], \"variants\": [{\"sku\": \"TEA-S\", \"option_values\": [\"S\"], \"prices\": "  \
    "[{\"currency\": \"CNY\", \"amount\": 12800}], \"stock\": [{\"warehouse_code\": "          \
    "\"berlin\", \"on_hand\": 7}]}, {\"sku\": \"TEA-L\", \"option_values\": [\"L\"], "         \
    "\"prices\": [{\"currency\": \"CNY\", \"amount\": 25800}], \"stock\": "                   \
    "[{\"warehouse_code\": \"berlin\", \"on_hand\": 3}]}]}"

struct world {
    struct souk_h_server souk, sim;
    char channel[SOUK_H_ID_MAX];
    char product[SOUK_H_ID_MAX];
};

/* A wechat channel selecting the tag "wechat"; catalog adds the category and freight. */
static void create_channel(struct world *w, bool catalog)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"wechat\", \"name\": \"WeChat Shop\", \"country\": \"CN\", "
             "\"locale\": \"zh\", \"currency\": \"CNY\", \"base_url\": \"http://127.0.0.1:%u\", "
             "\"link_template\": \"https://shop.example/p/{handle}\", \"selection\": {\"tags\": "
             "[\"wechat\"]}, \"credentials\": {\"appid\": \"wxsim0000000001\", \"secret\": "
             "\"sim-wechat-secret\", \"token\": \"sim-wechat-token\"%s}}",
             w->sim.port,
             catalog ? ", \"category_ids\": \"" CATEGORY_IDS "\", \"freight_template_id\": "
                       "\"" TEMPLATE_ID "\""
                     : "");
    souk_h_create(&w->souk, "/v1/channels", body, w->channel);
}

static int start(void **state, bool catalog)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    char tea_set[2048];
    snprintf(tea_set, sizeof tea_set, TEA_SET, w.sim.port, 1, w.sim.port, 2, w.sim.port, 3);
    souk_h_create(&w.souk, "/v1/products", tea_set, w.product);
    create_channel(&w, catalog);
    *state = &w;
    return 0;
}

static int setup(void **state)
{
    return start(state, true);
}

static int setup_orders_only(void **state)
{
    return start(state, false);
}

static int teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    souk_h_cleanup(&w->sim);
    return 0;
}

/* Asserts WeChat's SKU of sku: its price in fen, stock, and that it is listed. */
static void assert_sku(struct world *w, const char *sku, int64_t sale_price, int64_t stock)
{
    json_t *item = souk_h_sim_item(&w->sim, "wechat", sku);
    if (!item)
        fail_msg("WeChat has no SKU %s", sku);
    assert_string_equal(souk_h_text(item, "fields.out_sku_id"), sku);
    assert_int_equal(souk_h_int(item, "fields.sale_price"), sale_price);
    assert_null(souk_h_at(item, "fields.market_price"));
    assert_int_equal(souk_h_int(item, "fields.stock_num"), stock);
    assert_int_equal(souk_h_int(item, "fields.status"), 5);
    json_decref(item);
}

/* WeChat's product and SKU ids of sku, into product and sku_id. */
static void ids_of(struct world *w, const char *sku, char product[SOUK_H_ID_MAX],
                   char sku_id[SOUK_H_ID_MAX])
{
    json_t *item = souk_h_sim_item(&w->sim, "wechat", sku);
    if (!item)
        fail_msg("WeChat has no SKU %s", sku);
    snprintf(product, SOUK_H_ID_MAX, "%s", souk_h_text(item, "fields.product_id"));
    snprintf(sku_id, SOUK_H_ID_MAX, "%s", souk_h_text(item, "id"));
    assert_true(strlen(product) > 0 && strlen(sku_id) > 0);
    json_decref(item);
}

/* How many requests to path WeChat answered with this HTTP status. */
static size_t sim_requests(struct world *w, const char *path, long status)
{
    struct souk_h_resp r;
    souk_h_request(&w->sim, "GET", "/_sim/requests?platform=wechat", NULL, NULL, NULL, &r);
    size_t i, n = 0;
    json_t *req;
    json_array_foreach(souk_h_at(r.json, "requests"), i, req)
    {
        n += strcmp(souk_h_str(req, "path"), path) == 0 &&
             json_integer_value(json_object_get(req, "status")) == status;
    }
    souk_h_resp_release(&r);
    return n;
}

static void a_product_is_added_as_one_listed_wechat_product(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    json_t *st = souk_h_wait_synced(&w->souk, w->channel, 2);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);
    assert_sku(w, "TEA-S", 12800, 7);
    assert_sku(w, "TEA-L", 25800, 3);

    /* Field by field, what WeChat received for the product. */
    json_t *item = souk_h_sim_item(&w->sim, "wechat", "TEA-S");
    assert_string_equal(souk_h_text(item, "fields.title"), "青瓷茶具套装 Celadon tea set");
    assert_string_equal(souk_h_text(item, "fields.out_product_id"), w->product);
    /* Each image uploaded once, shown by WeChat's link (the sim refuses any other). */
    assert_int_equal(sim_requests(w, UPLOAD_PATH, 200), 3);
    assert_int_equal(json_array_size(souk_h_at(item, "fields.head_imgs")), 3);
    for (int i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "fields.head_imgs[%d]", i);
        assert_non_null(strstr(souk_h_text(item, path), WECHAT_IMAGES));
    }
    assert_string_not_equal(souk_h_text(item, "fields.head_imgs[0]"),
                            souk_h_text(item, "fields.head_imgs[1]"));
    assert_string_not_equal(souk_h_text(item, "fields.head_imgs[1]"),
                            souk_h_text(item, "fields.head_imgs[2]"));
    assert_string_equal(souk_h_text(item, "fields.desc_info.desc"), "手工青瓷");
    assert_int_equal(json_array_size(souk_h_at(item, "fields.cats_v2")), 3);
    assert_string_equal(souk_h_text(item, "fields.cats_v2[0].cat_id"), "10000212");
    assert_string_equal(souk_h_text(item, "fields.cats_v2[2].cat_id"), "547805");
    assert_int_equal(souk_h_int(item, "fields.deliver_method"), 0);
    assert_string_equal(souk_h_text(item, "fields.express_info.template_id"), TEMPLATE_ID);
    assert_string_equal(souk_h_text(item, "fields.sku_attrs[0].attr_key"), "尺码");
    assert_string_equal(souk_h_text(item, "fields.sku_attrs[0].attr_value"), "S");
    assert_int_equal(souk_h_int(item, "price.amount_minor"), 12800);
    assert_string_equal(souk_h_text(item, "price.currency"), "CNY");
    json_decref(item);

    /* Both SKUs are one WeChat product: one add, one listing. */
    char product_s[SOUK_H_ID_MAX], product_l[SOUK_H_ID_MAX], sku_s[SOUK_H_ID_MAX],
        sku_l[SOUK_H_ID_MAX];
    ids_of(w, "TEA-S", product_s, sku_s);
    ids_of(w, "TEA-L", product_l, sku_l);
    assert_string_equal(product_s, product_l);
    assert_string_not_equal(sku_s, sku_l);
    assert_int_equal(sim_requests(w, "/channels/ec/product/add", 200), 1);
    assert_int_equal(sim_requests(w, "/channels/ec/product/listing", 200), 1);
}

static void a_stock_change_reaches_the_same_sku_through_stock_update(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    char product[SOUK_H_ID_MAX], sku[SOUK_H_ID_MAX], after[SOUK_H_ID_MAX], sku_after[SOUK_H_ID_MAX];
    ids_of(w, "TEA-S", product, sku);

    souk_h_set_stock(&w->souk, "TEA-S", "berlin", 0);
    souk_h_sim_wait_quantity(&w->sim, "wechat", "TEA-S", 0);
    assert_sku(w, "TEA-S", 12800, 0);
    assert_sku(w, "TEA-L", 25800, 3);
    ids_of(w, "TEA-S", after, sku_after);
    assert_string_equal(after, product);
    assert_string_equal(sku_after, sku);
    assert_true(sim_requests(w, "/channels/ec/product/stock/update", 200) >= 1);
    /* Stock alone costs no review quota: no update, no new listing, no second product. */
    assert_int_equal(sim_requests(w, "/channels/ec/product/update", 200), 0);
    assert_int_equal(sim_requests(w, "/channels/ec/product/add", 200), 1);
    assert_int_equal(souk_h_sim_count(&w->sim, "wechat"), 2);
}

/* Waits until WeChat shows sku at sale_price fen. */
static void wait_price(struct world *w, const char *sku, int64_t sale_price)
{
    for (int i = 0; i < 500; i++) {
        json_t *item = souk_h_sim_item(&w->sim, "wechat", sku);
        int64_t seen = souk_h_int(item, "fields.sale_price");
        json_decref(item);
        if (seen == sale_price)
            return;
        souk_h_sleep_ms(20);
    }
    fail_msg("WeChat never showed %s at %lld fen", sku, (long long)sale_price);
}

static void a_price_change_updates_the_product_in_place(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    char product[SOUK_H_ID_MAX], sku[SOUK_H_ID_MAX], after[SOUK_H_ID_MAX], sku_after[SOUK_H_ID_MAX];
    ids_of(w, "TEA-L", product, sku);

    json_t *p = souk_h_get(&w->souk, "/v1/products?q=TEA-L");
    char path[128];
    snprintf(path, sizeof path, "/v1/variants/%s", souk_h_text(p, "data[0].variants[1].id"));
    assert_string_equal(souk_h_text(p, "data[0].variants[1].sku"), "TEA-L");
    json_decref(p);
    json_decref(souk_h_call(&w->souk, "PATCH", path,
                            "{\"prices\": [{\"currency\": \"CNY\", \"amount\": 19900}]}", 200));
    wait_price(w, "TEA-L", 19900);
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);
    assert_sku(w, "TEA-L", 19900, 3);
    assert_sku(w, "TEA-S", 12800, 7); /* the update kept the SKU souk did not change */
    ids_of(w, "TEA-L", after, sku_after);
    assert_string_equal(after, product);
    assert_string_equal(sku_after, sku);
    assert_int_equal(sim_requests(w, "/channels/ec/product/update", 200), 1);
    assert_int_equal(sim_requests(w, "/channels/ec/product/listing", 200), 2);
    assert_int_equal(sim_requests(w, "/channels/ec/product/add", 200), 1);
    /* The update showed the images WeChat holds: none was uploaded again. */
    assert_int_equal(sim_requests(w, UPLOAD_PATH, 200), 3);
}

/* Waits until WeChat shows sku with n head_imgs; returns the SKU (json_decref it). */
static json_t *wait_images(struct world *w, const char *sku, size_t n)
{
    json_t *item = NULL;
    for (int i = 0; i < 500 && json_array_size(souk_h_at(item, "fields.head_imgs")) != n; i++) {
        json_decref(item);
        souk_h_sleep_ms(i ? 20 : 0);
        item = souk_h_sim_item(&w->sim, "wechat", sku);
    }
    if (json_array_size(souk_h_at(item, "fields.head_imgs")) != n)
        fail_msg("WeChat never showed %zu images for %s", n, sku);
    return item;
}

static void a_new_image_is_uploaded_alone_and_updates_the_product(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    json_t *before = souk_h_sim_item(&w->sim, "wechat", "TEA-S");

    char path[128], body[1024];
    snprintf(path, sizeof path, "/v1/products/%s", w->product);
    snprintf(body, sizeof body,
             "{\"media\": [{\"url\": \"" IMG "\"}, {\"url\": \"" IMG "\"}, {\"url\": \"" IMG
             "\"}, {\"url\": \"" IMG "\"}]}",
             w->sim.port, 1, w->sim.port, 2, w->sim.port, 3, w->sim.port, 4);
    json_decref(souk_h_call(&w->souk, "PATCH", path, body, 200));
    json_t *after = wait_images(w, "TEA-S", 4);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    assert_int_equal(sim_requests(w, UPLOAD_PATH, 200), 4);
    for (int i = 0; i < 3; i++) {
        char at[32];
        snprintf(at, sizeof at, "fields.head_imgs[%d]", i);
        assert_string_equal(souk_h_text(after, at), souk_h_text(before, at));
    }
    assert_non_null(strstr(souk_h_text(after, "fields.head_imgs[3]"), WECHAT_IMAGES));
    assert_int_equal(sim_requests(w, "/channels/ec/product/update", 200), 1);
    assert_int_equal(sim_requests(w, "/channels/ec/product/add", 200), 1);
    json_decref(before);
    json_decref(after);
}

static void a_5xx_or_an_expired_token_delays_a_change_never_loses_it(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));

    souk_h_sim_fault(&w->sim,
                     "{\"platform\": \"wechat\", \"kind\": \"status\", \"status\": 503, \"count\": 2}");
    souk_h_set_stock(&w->souk, "TEA-S", "berlin", 4);
    souk_h_sim_wait_quantity(&w->sim, "wechat", "TEA-S", 4);
    assert_int_equal(sim_requests(w, "/channels/ec/product/stock/update", 503), 2);
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_non_null(strstr(souk_h_text(st, "last_error"), "HTTP 503"));
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);

    /* WeChat stops taking the token (errcode 40001): souk fetches a new one and goes on. */
    size_t tokens = sim_requests(w, "/cgi-bin/token", 200);
    souk_h_sim_fault(&w->sim,
                     "{\"platform\": \"wechat\", \"kind\": \"status\", \"status\": 401, \"count\": 1}");
    souk_h_set_stock(&w->souk, "TEA-S", "berlin", 9);
    souk_h_sim_wait_quantity(&w->sim, "wechat", "TEA-S", 9);
    assert_int_equal(sim_requests(w, "/cgi-bin/token", 200), tokens + 1);
    assert_sku(w, "TEA-S", 12800, 9);
    assert_int_equal(souk_h_sim_count(&w->sim, "wechat"), 2);
}

static void without_catalog_credentials_the_sync_names_the_missing_one(void **state)
{
    struct world *w = *state;
    json_t *st = souk_h_wait_sync_error(&w->souk, w->channel, "\"category_ids\"");
    assert_non_null(strstr(souk_h_text(st, "last_error"), "orders flow without it"));
    assert_int_equal(souk_h_int(st, "pending"), 2); /* kept, for when the credentials come */
    json_decref(st);
    assert_int_equal(souk_h_sim_count(&w->sim, "wechat"), 0);

    /* Adding them (which asks for a resync) lets the catalog through. */
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s", w->channel);
    json_decref(souk_h_call(&w->souk, "PATCH", path,
                            "{\"credentials\": {\"appid\": \"wxsim0000000001\", \"secret\": "
                            "\"sim-wechat-secret\", \"token\": \"sim-wechat-token\", "
                            "\"category_ids\": \"" CATEGORY_IDS "\", \"freight_template_id\": "
                            "\"" TEMPLATE_ID "\"}}",
                            200));
    souk_h_sim_wait_count(&w->sim, "wechat", 2);
    assert_sku(w, "TEA-S", 12800, 7);
}

static void diagnostics_name_what_wechat_would_refuse(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX];
    souk_h_create(&w->souk, "/v1/products",
                  "{\"title\": \"Plain mug\", \"tags\": [\"wechat\"], \"media\": [{\"url\": "
                  "\"https://cdn.example.com/mug.jpg\"}], \"variants\": [{\"sku\": \"MUG-1\", "
                  "\"prices\": [{\"currency\": \"CNY\", \"amount\": 3900}], \"stock\": "
                  "[{\"warehouse_code\": \"berlin\", \"on_hand\": 2}]}]}",
                  id);
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s/diagnostics", w->channel);
    json_t *d = souk_h_get(&w->souk, path);
    assert_int_equal(souk_h_int(d, "items"), 3);
    assert_int_equal(souk_h_int(d, "items_rejected"), 1);
    assert_int_equal(json_array_size(souk_h_at(d, "issues")), 2);
    assert_string_equal(souk_h_text(d, "issues[0].item_id"), "MUG-1");
    assert_string_equal(souk_h_text(d, "issues[0].field"), "head_imgs");
    assert_string_equal(souk_h_text(d, "issues[0].severity"), "error");
    assert_string_equal(souk_h_text(d, "issues[0].reason"),
                        "WeChat needs 3 different images (head_imgs) and the product has 1");
    assert_string_equal(souk_h_text(d, "issues[1].field"), "title");
    assert_string_equal(souk_h_text(d, "issues[1].severity"), "error");
    assert_non_null(strstr(souk_h_text(d, "issues[1].reason"), "only of digits and Latin"));
    json_decref(d);

    /* The push leaves it unsent for the diagnostics' reason (no image of it is fetched or
     * uploaded); the good product is unaffected. */
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_int_equal(souk_h_int(st, "rejected"), 1);
    assert_int_equal(souk_h_int(st, "synced"), 2);
    assert_string_equal(souk_h_text(st, "last_error"),
                        "head_imgs: WeChat needs 3 different images (head_imgs) and the product "
                        "has 1");
    json_decref(st);
    assert_null(souk_h_sim_item(&w->sim, "wechat", "MUG-1"));
    assert_int_equal(sim_requests(w, UPLOAD_PATH, 200), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_product_is_added_as_one_listed_wechat_product, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_stock_change_reaches_the_same_sku_through_stock_update,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_price_change_updates_the_product_in_place, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_new_image_is_uploaded_alone_and_updates_the_product,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_5xx_or_an_expired_token_delays_a_change_never_loses_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(without_catalog_credentials_the_sync_names_the_missing_one,
                                        setup_orders_only, teardown),
        cmocka_unit_test_setup_teardown(diagnostics_name_what_wechat_would_refuse, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

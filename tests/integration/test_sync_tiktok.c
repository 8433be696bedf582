/*
 * Integration tests of the TikTok Shop push: a real souk (demo catalog) and a real `souk sim`.
 * A tiktok channel pointed at the sim creates one TikTok product per souk product, one SKU per
 * variant, then keeps each SKU's stock and price up to date through the update endpoints; a
 * product TikTok has lost is created again; platform failures delay changes, never lose them;
 * an auth failure shows TikTok's words in the channel's sync status, and never the secret.
 * Creates carry what TikTok requires: images uploaded once each and listed by TikTok's uri,
 * the package's weight and size, sales attributes; an item the catalog lacks them for is shown
 * in the diagnostics and never sent. The demo's images point at the sim, which serves PNGs, as
 * a merchant's CDN would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define DEMO_VARIANTS 58
#define UPLOAD_PATH "/product/202309/images/upload"
#define WAREHOUSE "7068517275539719942"
#define WRONG_SECRET "not-the-sim-tiktok-app-secret"

struct world {
    struct souk_h_server souk, sim;
    char channel[SOUK_H_ID_MAX];
    char base[64];
};

/* A tiktok channel with the sim's default credentials, or app_secret in their place. */
static void create_tiktok_channel(struct world *w, const char *name, const char *app_secret,
                                  char id[SOUK_H_ID_MAX])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"tiktok\", \"name\": \"%s\", \"country\": \"US\", \"locale\": "
             "\"en\", \"currency\": \"USD\", \"base_url\": \"%s\", \"link_template\": "
             "\"https://shop.example/p/{handle}\", \"credentials\": {\"app_key\": "
             "\"sim-tiktok-app-key\", \"app_secret\": \"%s\", \"access_token\": "
             "\"sim-tiktok-access-token\", \"shop_cipher\": \"sim-tiktok-shop-cipher\", "
             "\"warehouse_id\": \"" WAREHOUSE "\", \"category_id\": \"601226\"}}",
             name, w->base, app_secret);
    souk_h_create(&w->souk, "/v1/channels", body, id);
}

/* Points the demo's images at the sim, with a second picture for the linen shirt; returns how
 * many distinct images the active products show. */
static size_t images_on_the_sim(struct world *w)
{
    size_t active = souk_h_images_on_sim(&w->souk, &w->sim);
    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-1");
    char path[128], body[512];
    snprintf(path, sizeof path, "/v1/products/%s", souk_h_text(p, "data[0].id"));
    json_decref(p);
    snprintf(body, sizeof body,
             "{\"media\": [{\"url\": \"%s/_sim/images/800x800.png?p=linen-shirt\"}, {\"url\": "
             "\"%s/_sim/images/1200x900.png?p=linen-shirt\"}]}",
             w->base, w->base);
    json_decref(souk_h_call(&w->souk, "PATCH", path, body, 200));
    return active + 1;
}

static size_t active_images;

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    snprintf(w.base, sizeof w.base, "http://127.0.0.1:%u", w.sim.port);
    active_images = images_on_the_sim(&w);
    create_tiktok_channel(&w, "TikTok Shop US", "sim-tiktok-app-secret", w.channel);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    souk_h_cleanup(&w->sim);
    return 0;
}

/* Asserts TikTok's SKU of sku exactly: its stock in the account's warehouse and its price. */
static void assert_sku(struct world *w, const char *sku, int64_t quantity, const char *amount,
                       int64_t amount_minor)
{
    json_t *item = souk_h_sim_item(&w->sim, "tiktok", sku);
    if (!item)
        fail_msg("TikTok has no SKU %s", sku);
    assert_string_equal(souk_h_text(item, "fields.seller_sku"), sku);
    assert_int_equal(souk_h_int(item, "quantity"), quantity);
    assert_int_equal(json_array_size(souk_h_at(item, "fields.inventory")), 1);
    assert_string_equal(souk_h_text(item, "fields.inventory[0].warehouse_id"), WAREHOUSE);
    assert_int_equal(souk_h_int(item, "fields.inventory[0].quantity"), quantity);
    assert_string_equal(souk_h_text(item, "fields.price.amount"), amount);
    assert_string_equal(souk_h_text(item, "fields.price.currency"), "USD");
    assert_int_equal(souk_h_int(item, "price.amount_minor"), amount_minor);
    assert_string_equal(souk_h_text(item, "price.currency"), "USD");
    json_decref(item);
}

/* The TikTok product id of sku's SKU, into out. */
static void product_of(struct world *w, const char *sku, char out[SOUK_H_ID_MAX])
{
    json_t *item = souk_h_sim_item(&w->sim, "tiktok", sku);
    if (!item)
        fail_msg("TikTok has no SKU %s", sku);
    snprintf(out, SOUK_H_ID_MAX, "%s", souk_h_text(item, "fields.product_id"));
    assert_true(strlen(out) > 0);
    json_decref(item);
}

/* The souk id of the variant with this SKU, into out. */
static void variant_id(struct world *w, const char *sku, char out[SOUK_H_ID_MAX])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/products?q=%s", sku);
    json_t *p = souk_h_get(&w->souk, path);
    size_t i;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(souk_h_at(p, "data[0].variants"), i, v)
    {
        if (strcmp(souk_h_str(v, "sku"), sku) == 0)
            snprintf(out, SOUK_H_ID_MAX, "%s", souk_h_str(v, "id"));
    }
    json_decref(p);
    assert_true(strlen(out) > 0);
}

/* How many requests TikTok answered with this status (to path only, unless NULL). */
static size_t sim_requests_to(struct world *w, const char *path, long status)
{
    struct souk_h_resp r;
    souk_h_request(&w->sim, "GET", "/_sim/requests?platform=tiktok", NULL, NULL, NULL, &r);
    size_t i, n = 0;
    json_t *req;
    json_array_foreach(souk_h_at(r.json, "requests"), i, req)
    {
        n += json_integer_value(json_object_get(req, "status")) == status &&
             (!path || strcmp(souk_h_str(req, "path"), path) == 0);
    }
    souk_h_resp_release(&r);
    return n;
}

static size_t sim_requests(struct world *w, long status)
{
    return sim_requests_to(w, NULL, status);
}

static void a_new_channel_gets_the_catalog_as_products_with_skus(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    /* Demo prices: USD is EUR + 8%, ending in .99; stock is berlin + newark. */
    assert_sku(w, "DEMO-01-1", 5, "63.99", 6399);
    assert_sku(w, "DEMO-01-2", 31, "63.99", 6399);
    assert_sku(w, "DEMO-05-1", 61, "20.99", 2099);
    assert_sku(w, "DEMO-10-2", 37, "19.99", 1999);
    json_t *item = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-1");
    assert_string_equal(souk_h_text(item, "fields.title"), "Linen shirt");
    json_decref(item);

    /* One TikTok product per souk product: SKUs of one product share its id, and only they. */
    json_t *items = souk_h_sim_items(&w->sim, "tiktok");
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(items, i, a)
    {
        json_array_foreach(items, j, b)
        {
            bool same_souk = strncmp(souk_h_text(a, "fields.seller_sku"),
                                     souk_h_text(b, "fields.seller_sku"), 7) == 0;
            bool same_tiktok = strcmp(souk_h_text(a, "fields.product_id"),
                                      souk_h_text(b, "fields.product_id")) == 0;
            if (same_souk != same_tiktok)
                fail_msg("%s and %s: same souk product %d, same TikTok product %d",
                         souk_h_text(a, "fields.seller_sku"), souk_h_text(b, "fields.seller_sku"),
                         same_souk, same_tiktok);
        }
    }
    json_decref(items);

    json_t *st = souk_h_wait_synced(&w->souk, w->channel, DEMO_VARIANTS);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    assert_true(json_is_string(souk_h_at(st, "last_success_at")));
    json_decref(st);
}

/*
 * What Create Product received, field by field: main_images are uris TikTok minted for the
 * uploads (each image uploaded once, however many SKUs and products show it), the package is
 * the variant's weight and size in kilograms and whole centimetres, and the SKUs of a product
 * with options carry them as sales attributes.
 */
static void creates_carry_uploaded_images_the_package_and_sales_attributes(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    assert_int_equal(sim_requests_to(w, UPLOAD_PATH, 200), active_images);
    assert_int_equal(sim_requests_to(w, UPLOAD_PATH, 400), 0);

    /* The linen shirt (demo item 1): 150 g, 250 x 180 x 30 mm, sizes S to XL, two images. */
    json_t *s = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-1");
    json_t *m = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-2");
    assert_int_equal(json_array_size(souk_h_at(s, "fields.main_images")), 2);
    const char *uri = souk_h_text(s, "fields.main_images[0].uri");
    assert_true(strncmp(uri, "tos-maliva-i-o3syd03w52-us/", 27) == 0);
    assert_string_not_equal(uri, souk_h_text(s, "fields.main_images[1].uri"));
    assert_string_equal(souk_h_text(m, "fields.main_images[0].uri"), uri);
    assert_string_equal(souk_h_text(s, "fields.package_weight.value"), "0.15");
    assert_string_equal(souk_h_text(s, "fields.package_weight.unit"), "KILOGRAM");
    assert_string_equal(souk_h_text(s, "fields.package_dimensions.length"), "25");
    assert_string_equal(souk_h_text(s, "fields.package_dimensions.width"), "18");
    assert_string_equal(souk_h_text(s, "fields.package_dimensions.height"), "3");
    assert_string_equal(souk_h_text(s, "fields.package_dimensions.unit"), "CENTIMETER");
    assert_int_equal(json_array_size(souk_h_at(s, "fields.sales_attributes")), 1);
    assert_string_equal(souk_h_text(s, "fields.sales_attributes[0].name"), "Size");
    assert_string_equal(souk_h_text(s, "fields.sales_attributes[0].value_name"), "S");
    assert_string_equal(souk_h_text(m, "fields.sales_attributes[0].value_name"), "M");
    json_decref(s);
    json_decref(m);
    /* A product without options (the tote bag) has one SKU and no sales attributes. */
    json_t *tote = souk_h_sim_item(&w->sim, "tiktok", "DEMO-05-1");
    assert_null(souk_h_at(tote, "fields.sales_attributes"));
    assert_int_equal(json_array_size(souk_h_at(tote, "fields.main_images")), 1);
    json_decref(tote);
}

/*
 * A variant without a weight is what TikTok would refuse: the diagnostics name it with the
 * field and the reason, and the push never sends it (nor uploads its image); once the merchant
 * gives the weight, it goes.
 */
static void an_item_without_a_weight_is_diagnosed_and_not_sent(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    char body[1024], id[SOUK_H_ID_MAX], path[128];
    snprintf(body, sizeof body,
             "{\"title\": \"Unweighed tee\", \"description\": \"A tee\", \"brand\": \"Acme\", "
             "\"media\": [{\"url\": \"%s/_sim/images/800x800.png?p=unweighed\"}], \"variants\": "
             "[{\"sku\": \"UNWEIGHED-1\", \"dimensions_mm\": {\"length\": 300, \"width\": 200, "
             "\"height\": 20}, \"prices\": [{\"currency\": \"USD\", \"amount\": 1500}]}]}",
             w->base);
    souk_h_create(&w->souk, "/v1/products", body, id);
    json_t *st = souk_h_wait_sync_error(&w->souk, w->channel, "package_weight");
    json_decref(st);
    assert_null(souk_h_sim_item(&w->sim, "tiktok", "UNWEIGHED-1"));
    assert_int_equal(sim_requests_to(w, UPLOAD_PATH, 200), active_images);

    snprintf(path, sizeof path, "/v1/channels/%s/diagnostics", w->channel);
    json_t *d = souk_h_get(&w->souk, path);
    size_t i, found = 0;
    json_t *issue;
    json_array_foreach(souk_h_at(d, "issues"), i, issue)
    {
        if (strcmp(souk_h_str(issue, "item_id"), "UNWEIGHED-1") != 0)
            continue;
        assert_string_equal(souk_h_str(issue, "field"), "package_weight");
        assert_string_equal(souk_h_str(issue, "severity"), "error");
        assert_non_null(strstr(souk_h_str(issue, "reason"), "weight_grams"));
        found++;
    }
    assert_int_equal(found, 1);
    assert_int_equal(souk_h_int(d, "items_rejected"), 1);
    json_decref(d);

    json_t *p = souk_h_get(&w->souk, "/v1/products?q=UNWEIGHED-1");
    snprintf(path, sizeof path, "/v1/variants/%s", souk_h_text(p, "data[0].variants[0].id"));
    json_decref(p);
    json_decref(souk_h_call(&w->souk, "PATCH", path, "{\"weight_grams\": 1205}", 200));
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS + 1);
    json_t *item = souk_h_sim_item(&w->sim, "tiktok", "UNWEIGHED-1");
    assert_string_equal(souk_h_text(item, "fields.package_weight.value"), "1.205");
    json_decref(item);
    assert_int_equal(sim_requests_to(w, UPLOAD_PATH, 200), active_images + 1);
}

static void stock_and_price_changes_update_the_same_skus(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    char before[SOUK_H_ID_MAX], after[SOUK_H_ID_MAX];
    product_of(w, "DEMO-01-1", before);

    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    souk_h_sim_wait_quantity(&w->sim, "tiktok", "DEMO-01-1", 0);
    assert_sku(w, "DEMO-01-1", 0, "63.99", 6399);

    char variant[SOUK_H_ID_MAX], path[128];
    variant_id(w, "DEMO-01-2", variant);
    snprintf(path, sizeof path, "/v1/variants/%s", variant);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "PATCH", path, w->souk.key,
                   "{\"prices\": [{\"currency\": \"USD\", \"amount\": 4999}]}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    json_t *item = NULL;
    for (int i = 0; i < 500; i++) {
        json_decref(item);
        item = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-2");
        if (souk_h_int(item, "price.amount_minor") == 4999)
            break;
        souk_h_sleep_ms(20);
    }
    json_decref(item);
    assert_sku(w, "DEMO-01-2", 31, "49.99", 4999);

    /* Updates, not new products: the SKUs keep their TikTok product. */
    product_of(w, "DEMO-01-1", after);
    assert_string_equal(after, before);
    product_of(w, "DEMO-01-2", after);
    assert_string_equal(after, before);
    assert_int_equal(souk_h_sim_count(&w->sim, "tiktok"), DEMO_VARIANTS);
}

/* TikTok deletes and deactivates whole products only: a deleted variant's SKU is set to 0. */
static void a_deleted_variant_can_no_longer_be_sold(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    char variant[SOUK_H_ID_MAX], path[128];
    variant_id(w, "DEMO-01-2", variant);
    snprintf(path, sizeof path, "/v1/variants/%s", variant);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "DELETE", path, w->souk.key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_sim_wait_quantity(&w->sim, "tiktok", "DEMO-01-2", 0);
    assert_int_equal(souk_h_sim_count(&w->sim, "tiktok"), DEMO_VARIANTS);
}

static void a_503_is_retried_until_the_change_lands(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    souk_h_sim_fault(
        &w->sim, "{\"platform\": \"tiktok\", \"kind\": \"status\", \"status\": 503, \"count\": 2}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 2);
    souk_h_sim_wait_quantity(&w->sim, "tiktok", "DEMO-01-1", 2);
    assert_int_equal(sim_requests(w, 503), 2);
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_non_null(strstr(souk_h_text(st, "last_error"), "HTTP 503"));
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);
    assert_int_equal(souk_h_sim_count(&w->sim, "tiktok"), DEMO_VARIANTS);
}

/*
 * The sim forgets its catalog as a seller deleting the products would: the next change of a
 * product's variants finds TikTok does not know them (12052048), asks SKU by SKU, and creates
 * the product again, with the new title, under new ids that later updates use.
 */
static void a_product_tiktok_lost_is_created_again(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));
    char before[SOUK_H_ID_MAX], after[SOUK_H_ID_MAX];
    product_of(w, "DEMO-01-1", before);
    struct souk_h_resp r;
    souk_h_request(&w->sim, "POST", "/_sim/reset", NULL, "{}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);

    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-1");
    char path[128];
    snprintf(path, sizeof path, "/v1/products/%s", souk_h_text(p, "data[0].id"));
    json_decref(p);
    souk_h_request(&w->souk, "PATCH", path, w->souk.key, "{\"title\": \"Relaxed linen shirt\"}",
                   NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_sim_wait_count(&w->sim, "tiktok", 4);
    json_decref(souk_h_wait_settled(&w->souk, w->channel));

    assert_sku(w, "DEMO-01-1", 5, "63.99", 6399);
    assert_sku(w, "DEMO-01-4", 43, "63.99", 6399);
    product_of(w, "DEMO-01-1", after);
    assert_string_not_equal(after, before);
    const char *const skus[] = {"DEMO-01-2", "DEMO-01-3", "DEMO-01-4"};
    for (size_t i = 0; i < 3; i++) {
        char other[SOUK_H_ID_MAX];
        product_of(w, skus[i], other);
        assert_string_equal(other, after);
    }
    json_t *item = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-1");
    assert_string_equal(souk_h_text(item, "fields.title"), "Relaxed linen shirt");
    json_decref(item);
    /* One 404 for the product's update, then one for each SKU asked about on its own. */
    assert_int_equal(sim_requests(w, 404), 5);
    /* TikTok keeps a seller's uploads: the new product shows the images uploaded before the
     * reset (which also emptied the request log), and none is uploaded again. */
    assert_int_equal(sim_requests_to(w, UPLOAD_PATH, 200), 0);
    item = souk_h_sim_item(&w->sim, "tiktok", "DEMO-01-1");
    assert_int_equal(json_array_size(souk_h_at(item, "fields.main_images")), 2);
    json_decref(item);

    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 9);
    souk_h_sim_wait_quantity(&w->sim, "tiktok", "DEMO-01-1", 9);
    product_of(w, "DEMO-01-1", before);
    assert_string_equal(before, after);
    assert_int_equal(souk_h_sim_count(&w->sim, "tiktok"), 4);
}

static void a_wrong_app_secret_shows_tiktoks_auth_error_and_never_the_secret(void **state)
{
    struct world *w = *state;
    char broken[SOUK_H_ID_MAX];
    create_tiktok_channel(w, "TikTok wrong secret", WRONG_SECRET, broken);
    json_t *st = souk_h_wait_sync_error(&w->souk, broken, "");
    const char *error = souk_h_text(st, "last_error");
    assert_non_null(strstr(error, "HTTP 401"));
    assert_non_null(strstr(error, "106001"));
    assert_non_null(strstr(error, "'sign' query parameter is invalid"));
    assert_null(strstr(error, WRONG_SECRET));
    assert_true(souk_h_int(st, "pending") > 0);
    assert_int_equal(souk_h_int(st, "synced"), 0);
    json_decref(st);
    /* The good channel is not held up by the broken one. */
    souk_h_sim_wait_count(&w->sim, "tiktok", DEMO_VARIANTS);
    assert_false(souk_h_log_contains(&w->souk, WRONG_SECRET));
    assert_false(souk_h_log_contains(&w->souk, "sim-tiktok-app-secret"));
    assert_false(souk_h_log_contains(&w->souk, "sim-tiktok-access-token"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_channel_gets_the_catalog_as_products_with_skus, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            creates_carry_uploaded_images_the_package_and_sales_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(an_item_without_a_weight_is_diagnosed_and_not_sent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stock_and_price_changes_update_the_same_skus, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_deleted_variant_can_no_longer_be_sold, setup, teardown),
        cmocka_unit_test_setup_teardown(a_503_is_retried_until_the_change_lands, setup, teardown),
        cmocka_unit_test_setup_teardown(a_product_tiktok_lost_is_created_again, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_wrong_app_secret_shows_tiktoks_auth_error_and_never_the_secret, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the TikTok Shop push (channels/tiktok.c, included for its statics): how
 * answers are judged, per-SKU errors inside a taken answer (which the real API sends and the
 * sim does not), and whole pushes against an in-process sim: one refused product does not
 * hold up the others, a batch failure keeps what TikTok already took, images are uploaded
 * once and an image or package TikTok cannot take settles its items without a create.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "channels/tiktok.c"
#include "push_fixture.h"

static int setup(void **state)
{
    static const struct souk_channel_credential creds[] = {
        {"app_key", "sim-tiktok-app-key"},
        {"app_secret", "sim-tiktok-app-secret"},
        {"access_token", "sim-tiktok-access-token"},
        {"shop_cipher", "sim-tiktok-shop-cipher"},
        {"warehouse_id", "W1"},
        {"category_id", "601226"},
    };
    const struct souk_channel channel = {.id = "chn_test", .country = "US", .currency = "USD"};
    return push_fixture_setup(state, &souk_channels__tiktok, &channel, creds, 6);
}

/* A variant of souk product product_id as the item builder makes it (350 g, 30 x 20 x 2 cm, no
 * options); description may be NULL. */
static struct souk_channels__item *item(struct push_fixture *f, const char *product_id,
                                        const char *description, const char *price)
{
    struct souk_channels__item *it = souk_pool_alloc(f->pool, sizeof *it);
    it->product_id = product_id;
    it->values[SOUK_CHANNELS__TITLE] = "Linen shirt";
    it->values[SOUK_CHANNELS__DESCRIPTION] = description;
    it->values[SOUK_CHANNELS__PRICE] = price;
    it->values[SOUK_CHANNELS__QUANTITY] = "5";
    it->price_problem = price ? NULL : "no USD price and no FX rate from EUR to USD";
    it->weight_grams = 350;
    it->length_mm = 300;
    it->width_mm = 200;
    it->height_mm = 20;
    it->variants = 1;
    return it;
}

/* Gives each of the n items the one image the sim serves at name ("800x800.png"), in an array
 * of its own, as the push path gives items of different products. */
static void show_image(struct push_fixture *f, struct souk_channels__push *items, size_t n,
                       const char *name)
{
    for (size_t i = 0; i < n; i++) {
        items[i].images = souk_pool_alloc(f->pool, sizeof *items[i].images);
        items[i].images[0].url = souk_pool_printf(f->pool, "%s/_sim/images/%s", f->base_url, name);
        items[i].nimages = 1;
    }
}

/* How many requests the sim logged for TikTok at path. */
static size_t requests_to(struct push_fixture *f, const char *path)
{
    return push_fixture_requests(f, "tiktok", path);
}

static void answers_are_judged_by_who_is_at_fault(void **state)
{
    static const struct {
        int call_rc;
        long status;
        const char *body;
        enum verdict want;
    } cases[] = {
        {SOUK_OK, 200, "{\"code\": 0, \"message\": \"Success\", \"data\": {}}", TOOK},
        {SOUK_OK, 400, "{\"code\": 36009004, \"message\": \"title is required\"}", REFUSED},
        {SOUK_OK, 404, "{\"code\": 12052048, \"message\": \"no such SKU\"}", LOST},
        {SOUK_OK, 401, "{\"code\": 106001, \"message\": \"Invalid sign\"}", FAILED},
        {SOUK_OK, 403, "{\"code\": 105005, \"message\": \"no permission\"}", FAILED},
        {SOUK_OK, 429, "{\"code\": 36009003, \"message\": \"rate limited\"}", FAILED},
        {SOUK_OK, 503, "{\"code\": 36009001, \"message\": \"unavailable\"}", FAILED},
        {SOUK_OK, 200, "{\"code\": 36009004, \"message\": \"odd\"}", FAILED},
        {SOUK_OK, 500, "{\"code\": 0, \"message\": \"Success\"}", FAILED},
        {SOUK_OK, 200, "\xff\xfe{\"code\": 0", FAILED},
        {SOUK_OK, 502, "<html>Bad Gateway</html>", FAILED},
        {SOUK_EIO, 0, "", FAILED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_channels__response resp = {.status = cases[i].status,
                                               .body = SOUK_BUF_INIT(1 << 10)};
        assert_int_equal(souk_buf_addstr(&resp.body, cases[i].body), SOUK_OK);
        json_error_t jerr;
        json_t *answer = cases[i].call_rc == SOUK_OK
                             ? json_loadb(resp.body.data, resp.body.len, 0, &jerr)
                             : NULL;
        enum verdict got = judge(&resp, answer);
        if (got != cases[i].want)
            fail_msg("case %zu (HTTP %ld %s): verdict %d, want %d", i, cases[i].status,
                     cases[i].body, got, cases[i].want);
        json_decref(answer);
        souk_buf_release(&resp.body);
    }
}

/* Update Inventory's data.errors: one SKU refused, one lost, the third taken. */
static void a_taken_update_can_still_refuse_or_lose_skus(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[3] = {
        {.sku = "A", .op = SOUK_CHANNELS__STOCK, .platform_id = "P", .platform_sku_id = "S1"},
        {.sku = "B", .op = SOUK_CHANNELS__UPSERT, .platform_id = "P", .platform_sku_id = "S2"},
        {.sku = "C", .op = SOUK_CHANNELS__UPSERT, .platform_id = "P", .platform_sku_id = "S3"},
    };
    struct item_state states[3] = {
        {STAGE_INVENTORY, false}, {STAGE_INVENTORY, false}, {STAGE_INVENTORY, true}};
    struct push t = {.pool = f->pool, .items = items, .state = states, .n = 3};
    json_error_t jerr;
    json_t *data = json_loads(
        "{\"errors\": [{\"code\": 12019024, \"message\": \"Stock count invalid\", \"detail\": "
        "{\"sku_id\": \"S2\"}}, {\"code\": 12052048, \"message\": \"Product not listed\", "
        "\"detail\": {\"sku_id\": \"S3\"}}]}",
        0, &jerr);
    const size_t idx[] = {0, 1, 2};
    updated(&t, STAGE_INVENTORY, data, idx, 3);
    json_decref(data);
    assert_int_equal(states[0].stage, STAGE_DONE);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(states[1].stage, STAGE_DONE);
    assert_int_equal(items[1].result, SOUK_CHANNELS__REJECTED);
    assert_string_equal(items[1].error, "Stock count invalid (TikTok code 12019024)");
    assert_int_equal(states[2].stage, STAGE_CREATE);
    assert_false(states[2].alone);
}

static void one_refused_product_does_not_hold_up_the_others(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        {.sku = "SHIRT-S",
         .op = SOUK_CHANNELS__UPSERT,
         .item = item(f, "prod_shirt", NULL, "49.90 USD")},
        {.sku = "MUG",
         .op = SOUK_CHANNELS__STOCK,
         .item = item(f, "prod_mug", "A mug & a <saucer>", "12.00 USD")},
        {.sku = "SHIRT-M",
         .op = SOUK_CHANNELS__UPSERT,
         .item = item(f, "prod_shirt", NULL, "49.90 USD")},
        {.sku = "HAT", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "prod_hat", "A hat", NULL)},
        {.sku = "GONE", .op = SOUK_CHANNELS__DELETE},
    };
    show_image(f, items, 4, "800x800.png");
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 5, &out);
    assert_string_equal(out.error, "");
    for (size_t i = 0; i < 3; i += 2) {
        assert_int_equal(items[i].result, SOUK_CHANNELS__REJECTED);
        assert_string_equal(items[i].error, "description is required (TikTok code 36009004)");
        assert_null(items[i].new_platform_id);
    }
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(strlen(items[1].new_platform_id), 16);
    assert_int_equal(strlen(items[1].new_platform_sku_id), 16);
    assert_int_equal(items[3].result, SOUK_CHANNELS__REJECTED);
    assert_string_equal(items[3].error, "no USD price and no FX rate from EUR to USD");
    assert_int_equal(items[4].result, SOUK_CHANNELS__PUSHED);
}

/* The second of two creates fails: the first product's ids are kept, or it would be made twice. */
static void a_batch_failure_keeps_what_tiktok_took(void **state)
{
    struct push_fixture *f = *state;
    /* The image's upload and the shirt's create go; the mug's create (its image is the same
     * one, uploaded already) meets the 503. */
    push_fixture_fault(
        f, "{\"platform\": \"tiktok\", \"kind\": \"slow\", \"delay_ms\": 0, \"count\": 2}");
    push_fixture_fault(f, "{\"platform\": \"tiktok\", \"kind\": \"status\", \"status\": 503, "
                          "\"retry_after\": 7}");
    struct souk_channels__push items[] = {
        {.sku = "SHIRT-S",
         .op = SOUK_CHANNELS__UPSERT,
         .item = item(f, "prod_shirt", "Linen", "49.90 USD")},
        {.sku = "MUG",
         .op = SOUK_CHANNELS__UPSERT,
         .item = item(f, "prod_mug", "A mug", "12.00 USD")},
    };
    show_image(f, items, 2, "800x800.png");
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(requests_to(f, IMAGES_PATH), 1);
    /* One upload, kept once: the mug reuses the shirt's uri. */
    assert_true(items[0].images[0].fresh && !items[1].images[0].fresh);
    assert_string_equal(items[1].images[0].ref, items[0].images[0].ref);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_non_null(items[0].new_platform_id);
    assert_int_equal(items[1].result, SOUK_CHANNELS__RETRY);
    assert_null(items[1].error);
    assert_non_null(strstr(out.error, "HTTP 503"));
    assert_int_equal(out.retry_after_s, 7);
}

/*
 * An image the merchant's server refuses, one TikTok refuses (too small to list) and a variant
 * without a weight each settle their items with the reason and make no create; an image TikTok
 * holds already (its ref known) is not uploaded again; a server that does not answer is tried
 * again later.
 */
static void images_and_packages_tiktok_cannot_take_are_not_created(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        {.sku = "MISSING", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "p1", "x", "1.00 USD")},
        {.sku = "TINY", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "p2", "x", "1.00 USD")},
        {.sku = "LIGHT", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "p3", "x", "1.00 USD")},
        {.sku = "KNOWN", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "p4", "x", "1.00 USD")},
        {.sku = "DOWN", .op = SOUK_CHANNELS__UPSERT, .item = item(f, "p5", "x", "1.00 USD")},
    };
    show_image(f, items, 1, "no-such-image.png");
    show_image(f, items + 1, 1, "50x50.png");
    show_image(f, items + 2, 2, "800x800.png");
    show_image(f, items + 4, 1, "800x800.png");
    items[4].images[0].url = "http://127.0.0.1:1/image.png";
    ((struct souk_channels__item *)items[2].item)->weight_grams = SOUK_CATALOG_UNSET;
    /* KNOWN's image was uploaded by an earlier push: its uri is all the create needs. */
    json_t *up = push_fixture_sim(f, "/_sim/images/800x800.png", NULL);
    assert_null(up); /* a PNG, not JSON */
    struct souk_channels__push first = {.sku = "FIRST", .op = SOUK_CHANNELS__UPSERT,
                                        .item = item(f, "p0", "x", "1.00 USD")};
    show_image(f, &first, 1, "800x800.png");
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, &first, 1, &out);
    assert_int_equal(first.result, SOUK_CHANNELS__PUSHED);
    items[3].images[0].ref = first.images[0].ref;

    push_fixture_run(f, items, 5, &out);
    assert_string_equal(out.error, "");
    assert_int_equal(items[0].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[0].error, "answered HTTP 404"));
    assert_int_equal(items[1].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[1].error, "TikTok refused the image"));
    assert_non_null(strstr(items[1].error, "100 to 20000"));
    assert_int_equal(items[2].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[2].error, "package_weight"));
    assert_null(items[2].images[0].ref);
    assert_int_equal(items[3].result, SOUK_CHANNELS__PUSHED);
    assert_false(items[3].images[0].fresh);
    assert_int_equal(items[4].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(items[4].error, "could not be fetched"));
    /* FIRST's upload, then TINY's (refused); nothing else reached TikTok's upload. */
    assert_int_equal(requests_to(f, IMAGES_PATH), 2);
    assert_int_equal(requests_to(f, PRODUCTS_PATH), 2);
}

static void count_report(void *arg, const char *field, bool rejects, const char *reason)
{
    (void)field;
    (void)reason;
    *(size_t *)arg += rejects;
}

/* What Create Product needs depends on the market: the package's size in the US, UK, MY and
 * SG; a title of 25 characters elsewhere. Options must tell several variants apart. */
static void shop_rules_follow_the_market(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__item *it = item(f, "p", "x", "1.00 USD");
    struct souk_channel us = {.country = "US"}, gb = {.country = "GB"}, id = {.country = "ID"};
    it->values[SOUK_CHANNELS__ID] = "SHIRT-S";
    size_t n = 0;
    assert_int_equal(shop_rules(&us, it, count_report, &n), 0);
    assert_int_equal(shop_rules(&id, it, count_report, &n), 1); /* "Linen shirt": 11 */
    it->length_mm = SOUK_CATALOG_UNSET;
    assert_int_equal(shop_rules(&gb, it, count_report, &n), 1);
    it->values[SOUK_CHANNELS__TITLE] = "Linen shirt, relaxed fit, stone washed";
    assert_int_equal(shop_rules(&id, it, count_report, &n), 0);
    it->weight_grams = 0;
    assert_int_equal(shop_rules(&id, it, count_report, &n), 1);
    it->weight_grams = 350;
    it->variants = 2;
    assert_int_equal(shop_rules(&id, it, count_report, &n), 1);
    it->option_names[0] = "Size of the shirt, as sold";
    it->option_values[0] = "S";
    assert_int_equal(shop_rules(&id, it, count_report, &n), 1);
    it->option_names[0] = "Size";
    assert_int_equal(shop_rules(&id, it, count_report, &n), 0);
    assert_int_equal(n, 5); /* every rejection was reported */
    it->weight_grams = SOUK_CATALOG_UNSET;
    assert_int_equal(shop_rules(&us, it, count_report, &n), 2);
    assert_string_equal(souk_channels__unsendable(f->pool, shop_rules, &us, it),
                        "package_weight: TikTok Shop needs the package weight: "
                        "give the variant a weight_grams above 0");
}

static void a_channel_without_its_account_parameters_waits(void **state)
{
    struct push_fixture *f = *state;
    f->channel.ncredentials = 4; /* made before warehouse_id and category_id were needed */
    struct souk_channels__push items[] = {
        {.sku = "MUG",
         .op = SOUK_CHANNELS__UPSERT,
         .item = item(f, "prod_mug", "A mug", "12.00 USD")},
    };
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_string_equal(out.error,
                        "a tiktok channel needs the credential \"warehouse_id\" to push");
}

static void descriptions_are_escaped_html_within_the_limit(void **state)
{
    struct push_fixture *f = *state;
    assert_string_equal(description_html(f->pool, "A mug & a <saucer>"),
                        "<p>A mug &amp; a &lt;saucer&gt;</p>");
    assert_null(description_html(f->pool, NULL));
    char *plain = souk_pool_alloc(f->pool, 9001);
    memset(plain, '&', 9000);
    const char *html = description_html(f->pool, plain);
    assert_true(strlen(html) <= MAX_DESCRIPTION_CHARS);
    assert_true(strncmp(html, "<p>&amp;&amp;", 13) == 0);
}

static void query_values_are_percent_encoded(void **state)
{
    struct push_fixture *f = *state;
    assert_string_equal(query_escape(f->pool, "ROW_a-b.c~9"), "ROW_a-b.c~9");
    assert_string_equal(query_escape(f->pool, "a+b/c= d"), "a%2Bb%2Fc%3D%20d");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_are_judged_by_who_is_at_fault),
        cmocka_unit_test_setup_teardown(a_taken_update_can_still_refuse_or_lose_skus, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(one_refused_product_does_not_hold_up_the_others, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_batch_failure_keeps_what_tiktok_took, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(images_and_packages_tiktok_cannot_take_are_not_created,
                                        setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(shop_rules_follow_the_market, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_channel_without_its_account_parameters_waits, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(descriptions_are_escaped_html_within_the_limit, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(query_values_are_percent_encoded, setup,
                                        push_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the TikTok Shop push (channels/tiktok.c, included for its statics): how
 * answers are judged, per-SKU errors inside a taken answer (which the real API sends and the
 * sim does not), and whole pushes against an in-process sim: one refused product does not
 * hold up the others, a batch failure keeps what TikTok already took.
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
    const struct souk_channel channel = {.id = "chn_test", .currency = "USD"};
    return push_fixture_setup(state, &souk_channels__tiktok, &channel, creds, 6);
}

/* A variant of souk product product_id as the item builder makes it; description may be NULL. */
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
    return it;
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
    push_fixture_fault(
        f, "{\"platform\": \"tiktok\", \"kind\": \"slow\", \"delay_ms\": 0, \"count\": 1}");
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
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_non_null(items[0].new_platform_id);
    assert_int_equal(items[1].result, SOUK_CHANNELS__RETRY);
    assert_null(items[1].error);
    assert_non_null(strstr(out.error, "HTTP 503"));
    assert_int_equal(out.retry_after_s, 7);
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
        cmocka_unit_test_setup_teardown(a_channel_without_its_account_parameters_waits, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(descriptions_are_escaped_html_within_the_limit, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(query_values_are_percent_encoded, setup,
                                        push_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

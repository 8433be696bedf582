/*
 * Unit tests for TikTok Shop orders (channels/tiktok_orders.c, included for its statics): the
 * webhook signature as TikTok computes it, the notification shapes souk acts on, and an order
 * of Get Order Detail read into souk's model (units counted into lines, amounts in minor units,
 * statuses mapped, and the shapes that are refused with a reason).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "channels/tiktok_orders.c"

static const struct souk_channel_credential creds[] = {{"app_key", "app-key-1"},
                                                       {"app_secret", "app-secret-1"}};
static const struct souk_channel channel = {
    .id = "chn_t", .credentials = (struct souk_channel_credential *)creds, .ncredentials = 2};

struct headers {
    const char *authorization;
};

static const char *lookup(void *ctx, const char *name)
{
    struct headers *h = ctx;
    return strcasecmp(name, "Authorization") == 0 ? h->authorization : NULL;
}

static int verify(const char *body, const char *authorization, struct souk_err *err)
{
    struct headers h = {authorization};
    struct souk_channels_webhook w = {.body = souk_str_from(body), .header = lookup, .ctx = &h};
    return souk_channels__tiktok_verify(&channel, &w, err);
}

static void the_signature_is_checked_over_app_key_and_the_exact_body(void **state)
{
    (void)state;
    const char *body = "{\"type\":1,\"tts_notification_id\":\"N1\",\"data\":{}}";
    char good[SOUK_SIG_HEX_MAX];
    struct souk_pool *pool = souk_pool_new();
    souk_sig_hmac_sha256_hex(souk_str_from("app-secret-1"),
                             souk_str_from(souk_pool_printf(pool, "app-key-1%s", body)), good);
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(verify(body, good, &err), SOUK_OK);
    /* One byte more in the body, a signature of the body alone, none at all: all refused. */
    assert_int_equal(verify("{\"type\":1,\"tts_notification_id\":\"N1\",\"data\":{} }", good,
                            &err),
                     SOUK_EUNAUTH);
    char body_only[SOUK_SIG_HEX_MAX];
    souk_sig_hmac_sha256_hex(souk_str_from("app-secret-1"), souk_str_from(body), body_only);
    assert_int_equal(verify(body, body_only, &err), SOUK_EUNAUTH);
    assert_int_equal(verify(body, NULL, &err), SOUK_EUNAUTH);
    assert_string_equal(err.param, "Authorization");
    assert_int_equal(verify(body, souk_pool_printf(pool, "Bearer %s", good), &err), SOUK_EUNAUTH);
    souk_pool_free(pool);
}

static void order_notifications_name_the_order_and_others_are_ignored(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_channels__notice *notices = NULL;
    size_t n = 9;
    assert_int_equal(
        souk_channels__tiktok_parse(
            pool,
            souk_str_from("{\"type\":1,\"tts_notification_id\":\"73010\",\"shop_id\":\"7494\","
                          "\"timestamp\":1764000000,\"data\":{\"order_id\":\"5760\","
                          "\"order_status\":\"AWAITING_SHIPMENT\",\"update_time\":1764000000}}"),
            &notices, &n, &err),
        SOUK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(notices[0].event_id, "73010");
    assert_string_equal(notices[0].order_id, "5760");
    assert_string_equal(notices[0].status, "AWAITING_SHIPMENT");
    /* A product status change (type 5) is acknowledged and not acted on. */
    assert_int_equal(souk_channels__tiktok_parse(
                         pool,
                         souk_str_from("{\"type\":5,\"tts_notification_id\":\"73011\","
                                       "\"data\":{\"product_id\":\"1\"}}"),
                         &notices, &n, &err),
                     SOUK_OK);
    assert_int_equal(n, 0);
    static const char *const bad[] = {
        "", "[]", "{\"type\":\"1\",\"tts_notification_id\":\"1\",\"data\":{}}",
        "{\"type\":1,\"data\":{\"order_id\":\"5\"}}",
        "{\"type\":1,\"tts_notification_id\":\"1\",\"data\":{\"order_id\":5}}",
        "{\"type\":1,\"tts_notification_id\":\"1\",\"data\":{\"order_id\":\"5\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (souk_channels__tiktok_parse(pool, souk_str_from(bad[i]), &notices, &n, &err) !=
            SOUK_EINVAL)
            fail_msg("case %zu (%s) was read", i, bad[i]);
    souk_pool_free(pool);
}

static json_t *order_json(const char *status, const char *items)
{
    char *text = NULL;
    json_error_t jerr;
    const char *fmt =
        "{\"id\":\"5760\",\"status\":\"%s\",\"create_time\":1764000000,\"update_time\":"
        "1764000100,\"buyer_email\":\"b@example.com\",\"payment_method_name\":\"PayPal\","
        "\"payment\":{\"currency\":\"USD\",\"sub_total\":\"39.98\",\"shipping_fee\":\"4.99\","
        "\"seller_discount\":\"1.00\",\"platform_discount\":\"0.50\",\"tax\":\"0\","
        "\"total_amount\":\"43.47\"},\"recipient_address\":{\"name\":\"Ada\",\"phone_number\":"
        "\"+1 555\",\"full_address\":\"1 Main St, Austin, TX 78701\",\"address_line1\":\"1 Main "
        "St\",\"postal_code\":\"78701\",\"region_code\":\"US\",\"district_info\":[{"
        "\"address_level_name\":\"State\",\"address_name\":\"TX\"},{\"address_level_name\":"
        "\"City\",\"address_name\":\"Austin\"}]},\"line_items\":%s}";
    size_t len = (size_t)snprintf(NULL, 0, fmt, status, items) + 1;
    text = souk_malloc(len);
    snprintf(text, len, fmt, status, items);
    json_t *j = json_loads(text, 0, &jerr);
    souk_free(text);
    if (!j)
        fail_msg("bad test JSON: %s", jerr.text);
    return j;
}

static void units_are_counted_into_lines_and_amounts_kept_exact(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    json_t *in = order_json(
        "AWAITING_SHIPMENT",
        "[{\"seller_sku\":\"TEE-M\",\"sale_price\":\"19.99\",\"product_name\":\"Tee\","
        "\"sku_name\":\"M\"},{\"seller_sku\":\"CAP\",\"sale_price\":\"5.00\"},"
        "{\"seller_sku\":\"TEE-M\",\"sale_price\":\"19.99\"}]");
    struct souk_order o = {0};
    assert_null(read_order(pool, in, &o));
    assert_string_equal(o.external_id, "5760");
    assert_string_equal(o.status, "confirmed");
    assert_string_equal(o.platform_status, "AWAITING_SHIPMENT");
    assert_int_equal(o.platform_updated_at, 1764000100LL * 1000000);
    assert_int_equal(o.subtotal, 3998);
    assert_int_equal(o.shipping, 499);
    assert_int_equal(o.discount, 150);
    assert_int_equal(o.total, 4347);
    assert_int_equal(o.nlines, 2);
    assert_string_equal(o.lines[0].sku, "TEE-M");
    assert_int_equal(o.lines[0].quantity, 2);
    assert_int_equal(o.lines[0].unit_price, 1999);
    assert_string_equal(o.lines[0].title, "Tee - M");
    assert_int_equal(o.lines[1].quantity, 1);
    assert_string_equal(o.ship_city, "Austin");
    assert_string_equal(o.ship_region, "TX");
    assert_string_equal(o.ship_country, "US");
    assert_string_equal(o.payment_method, "PayPal");
    assert_string_equal(o.buyer_phone, "+1 555");
    json_decref(in);

    static const struct {
        const char *tiktok, *souk;
    } map[] = {{"UNPAID", "pending"},       {"ON_HOLD", "pending"},
               {"IN_TRANSIT", "fulfilled"}, {"COMPLETED", "delivered"},
               {"CANCELLED", "cancelled"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        in = order_json(map[i].tiktok, "[{\"seller_sku\":\"A\",\"sale_price\":\"1\"}]");
        struct souk_order m = {0};
        assert_null(read_order(pool, in, &m));
        assert_string_equal(m.status, map[i].souk);
        json_decref(in);
    }
    souk_pool_free(pool);
}

static void orders_souk_cannot_read_say_why(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    static const struct {
        const char *status, *items, *reason;
    } cases[] = {
        {"SHIPPED_BY_PIGEON", "[{\"seller_sku\":\"A\",\"sale_price\":\"1\"}]", "not one souk"},
        {"UNPAID", "[]", "no line_items"},
        {"UNPAID", "[{\"sale_price\":\"1\"}]", "no seller_sku"},
        {"UNPAID", "[{\"seller_sku\":\"A\",\"sale_price\":\"1.999\"}]", "not an amount"},
        {"UNPAID", "[{\"seller_sku\":\"A\",\"sale_price\":\"-1\"}]", "not an amount"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *in = order_json(cases[i].status, cases[i].items);
        struct souk_order o = {0};
        const char *why = read_order(pool, in, &o);
        if (!why || !strstr(why, cases[i].reason))
            fail_msg("case %zu: %s, want \"%s\"", i, why ? why : "(read)", cases[i].reason);
        assert_null(o.external_id);
        json_decref(in);
    }
    souk_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_signature_is_checked_over_app_key_and_the_exact_body),
        cmocka_unit_test(order_notifications_name_the_order_and_others_are_ignored),
        cmocka_unit_test(units_are_counted_into_lines_and_amounts_kept_exact),
        cmocka_unit_test(orders_souk_cannot_read_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

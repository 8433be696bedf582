/*
 * Unit tests for WeChat Channels shop orders (channels/wechat.c, included for its statics): the
 * push signature against a vector computed by hand (printf '%s' 123451764064800sim-wechat-token
 * | sha1sum), the replay window, the events souk acts on, an order/get detail read into souk's
 * model, and the client's access-token cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "channels/wechat.c"

static const struct souk_channel_credential creds[] = {
    {"appid", "wx1"}, {"secret", "s1"}, {"token", "sim-wechat-token"}};
static const struct souk_channel channel = {
    .id = "chn_w", .credentials = (struct souk_channel_credential *)creds, .ncredentials = 3};

struct query {
    const char *signature, *timestamp, *nonce, *echostr;
};

static const char *lookup(void *ctx, const char *name)
{
    struct query *q = ctx;
    return strcmp(name, "signature") == 0   ? q->signature
           : strcmp(name, "timestamp") == 0 ? q->timestamp
           : strcmp(name, "nonce") == 0     ? q->nonce
           : strcmp(name, "echostr") == 0   ? q->echostr
                                            : NULL;
}

static int verify(struct query *q, struct souk_err *err)
{
    struct souk_channels_webhook w = {.body = souk_str_from("{}"), .query = lookup, .ctx = q};
    return souk_channels__wechat_verify(&channel, &w, err);
}

static void the_signature_matches_a_vector_computed_by_hand(void **state)
{
    (void)state;
    char hex[SOUK_SIG_HEX_MAX];
    souk_sig_wechat("sim-wechat-token", "1764064800", "12345", hex);
    assert_string_equal(hex, "fee980018b4aeccf125e5d64ab04600ff7d26d99");
    /* The order of the arguments does not matter: they are sorted. */
    souk_sig_wechat("12345", "sim-wechat-token", "1764064800", hex);
    assert_string_equal(hex, "fee980018b4aeccf125e5d64ab04600ff7d26d99");
}

static void a_push_is_checked_in_its_window_and_the_check_echoes(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    struct souk_err err = SOUK_ERR_INIT;
    const char *now = souk_pool_printf(pool, "%lld", (long long)(souk_time_now_us() / 1000000));
    char good[SOUK_SIG_HEX_MAX];
    souk_sig_wechat("sim-wechat-token", now, "n1", good);
    struct query q = {good, now, "n1", "echo-me"};
    assert_int_equal(verify(&q, &err), SOUK_OK);
    const char *echo = NULL;
    struct souk_channels_webhook w = {.query = lookup, .ctx = &q};
    assert_int_equal(souk_channels__wechat_challenge(&channel, &w, pool, &echo, &err), SOUK_OK);
    assert_string_equal(echo, "echo-me");
    /* Another nonce under the same signature, no signature, an old timestamp: refused. */
    struct query other = {good, now, "n2", NULL};
    assert_int_equal(verify(&other, &err), SOUK_EUNAUTH);
    struct query none = {NULL, now, "n1", NULL};
    assert_int_equal(verify(&none, &err), SOUK_EUNAUTH);
    assert_string_equal(err.param, "signature");
    const char *old =
        souk_pool_printf(pool, "%lld", (long long)(souk_time_now_us() / 1000000 - MAX_SKEW_S - 5));
    char old_sig[SOUK_SIG_HEX_MAX];
    souk_sig_wechat("sim-wechat-token", old, "n1", old_sig);
    struct query stale = {old_sig, old, "n1", NULL};
    assert_int_equal(verify(&stale, &err), SOUK_EUNAUTH);
    assert_string_equal(err.param, "timestamp");
    souk_pool_free(pool);
}

static void order_events_name_the_order_and_others_are_ignored(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_channels__notice *notices = NULL;
    size_t n = 9;
    assert_int_equal(souk_channels__wechat_parse(
                         pool,
                         souk_str_from("{\"ToUserName\":\"gh_1\",\"FromUserName\":\"o\","
                                       "\"CreateTime\":1662480000,\"MsgType\":\"event\",\"Event\":"
                                       "\"channels_ec_order_new\",\"order_info\":{\"order_id\":"
                                       "3705115058471208928}}"),
                         &notices, &n, &err),
                     SOUK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(notices[0].order_id, "3705115058471208928");
    assert_string_equal(notices[0].event_id,
                        "channels_ec_order_new:3705115058471208928:1662480000");
    n = 9;
    assert_int_equal(souk_channels__wechat_parse(
                         pool,
                         souk_str_from("{\"CreateTime\":1662480000,\"MsgType\":\"event\","
                                       "\"Event\":\"channels_ec_order_settle\",\"order_info\":"
                                       "{\"order_id\":1}}"),
                         &notices, &n, &err),
                     SOUK_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
        souk_channels__wechat_parse(pool, souk_str_from("<xml></xml>"), &notices, &n, &err),
        SOUK_EINVAL);
    assert_int_equal(souk_channels__wechat_parse(
                         pool,
                         souk_str_from("{\"CreateTime\":1,\"Event\":\"channels_ec_order_pay\","
                                       "\"order_info\":{}}"),
                         &notices, &n, &err),
                     SOUK_EINVAL);
    souk_pool_free(pool);
}

/* An order/get answer's order, as WeChat documents it (amounts in fen). */
static const char fixture[] =
    "{\"order_id\":\"3732676853715311104\",\"create_time\":1764642390,\"update_time\":1764642403,"
    "\"status\":20,\"order_detail\":{\"product_infos\":[{\"product_id\":\"10000154828123\","
    "\"sku_id\":\"3616331648\",\"sku_code\":\"MIC4007\",\"sku_cnt\":2,\"sale_price\":39800,"
    "\"title\":\"Wireless controller\"},{\"sku_code\":\"MIC4007\",\"sku_cnt\":1,\"sale_price\":"
    "39800},{\"sku_code\":\"CASE-1\",\"sku_cnt\":1,\"sale_price\":1500}],\"price_info\":"
    "{\"product_price\":120900,\"order_price\":120400,\"freight\":500,\"discounted_price\":1000},"
    "\"pay_info\":{\"pay_method\":\"WeChat Pay\"},\"delivery_info\":{\"address_info\":"
    "{\"user_name\":\"Li Lei\",\"tel_number\":\"13800000000\",\"province_name\":\"Guangdong\","
    "\"city_name\":\"Shenzhen\",\"county_name\":\"Nanshan\",\"detail_info\":\"1 Keyuan Road\","
    "\"postal_code\":\"518000\"}}}}";

static void an_order_detail_maps_to_souk_s_order(void **state)
{
    (void)state;
    struct souk_pool *pool = souk_pool_new();
    json_error_t jerr;
    json_t *in = json_loads(fixture, 0, &jerr);
    assert_non_null(in);
    struct souk_order o = {0};
    assert_null(read_order(pool, in, &o));
    assert_string_equal(o.external_id, "3732676853715311104");
    assert_string_equal(o.status, "confirmed");
    assert_string_equal(o.platform_status, "20");
    assert_int_equal(o.platform_updated_at, 1764642403LL * 1000000);
    assert_string_equal(o.currency, "CNY");
    assert_int_equal(o.subtotal, 120900);
    assert_int_equal(o.shipping, 500);
    assert_int_equal(o.discount, 1000);
    assert_int_equal(o.total, 120400);
    assert_int_equal(o.nlines, 2); /* two entries of one SKU at one price are one line */
    assert_string_equal(o.lines[0].sku, "MIC4007");
    assert_int_equal(o.lines[0].quantity, 3);
    assert_int_equal(o.lines[0].unit_price, 39800);
    assert_string_equal(o.lines[0].title, "Wireless controller");
    assert_string_equal(o.lines[1].sku, "CASE-1");
    assert_string_equal(o.buyer_name, "Li Lei");
    assert_string_equal(o.buyer_phone, "13800000000");
    assert_string_equal(o.ship_region, "Guangdong");
    assert_string_equal(o.ship_city, "Shenzhen");
    assert_string_equal(o.ship_line1, "1 Keyuan Road");
    assert_string_equal(o.ship_postal_code, "518000");
    assert_string_equal(o.ship_country, "CN");
    assert_string_equal(o.ship_address, "Guangdong Shenzhen Nanshan 1 Keyuan Road");
    assert_string_equal(o.payment_method, "WeChat Pay");
    /* Statuses on souk's lifecycle; an unknown one and a line without sku_code say why. */
    static const struct {
        int wechat;
        const char *souk;
    } map[] = {{10, "pending"},    {21, "allocated"},  {30, "fulfilled"},
               {100, "delivered"}, {200, "cancelled"}, {250, "cancelled"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        json_object_set_new(in, "status", json_integer(map[i].wechat));
        struct souk_order m = {0};
        assert_null(read_order(pool, in, &m));
        assert_string_equal(m.status, map[i].souk);
    }
    json_object_set_new(in, "status", json_integer(40));
    struct souk_order bad = {0};
    assert_non_null(strstr(read_order(pool, in, &bad), "40"));
    json_object_set_new(in, "status", json_integer(20));
    json_object_del(
        json_array_get(json_object_get(json_object_get(in, "order_detail"), "product_infos"), 2),
        "sku_code");
    struct souk_order nosku = {0};
    assert_non_null(strstr(read_order(pool, in, &nosku), "sku_code"));
    assert_null(nosku.external_id);
    json_decref(in);
    souk_pool_free(pool);
}

static void the_client_keeps_a_token_until_it_expires(void **state)
{
    (void)state;
    struct souk_channels__client *client = souk_channels__client_new();
    char token[SOUK_CHANNELS__TOKEN_MAX];
    assert_false(souk_channels__client_token_get(client, "chn_w:wx1", 1000, token));
    souk_channels__client_token_put(client, "chn_w:wx1", "tok-1", 5000);
    assert_true(souk_channels__client_token_get(client, "chn_w:wx1", 4999, token));
    assert_string_equal(token, "tok-1");
    assert_false(souk_channels__client_token_get(client, "chn_w:wx1", 5000, token));
    assert_false(souk_channels__client_token_get(client, "chn_w:wx2", 1000, token));
    souk_channels__client_token_put(client, "chn_w:wx1", "tok-2", 9000); /* replaces */
    assert_true(souk_channels__client_token_get(client, "chn_w:wx1", 1000, token));
    assert_string_equal(token, "tok-2");
    souk_channels__client_token_forget(client, "chn_w:wx1");
    assert_false(souk_channels__client_token_get(client, "chn_w:wx1", 1000, token));
    souk_channels__client_free(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_signature_matches_a_vector_computed_by_hand),
        cmocka_unit_test(a_push_is_checked_in_its_window_and_the_check_echoes),
        cmocka_unit_test(order_events_name_the_order_and_others_are_ignored),
        cmocka_unit_test(an_order_detail_maps_to_souk_s_order),
        cmocka_unit_test(the_client_keeps_a_token_until_it_expires),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

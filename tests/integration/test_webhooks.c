/*
 * Integration tests of /webhooks/{channel_id}, where platforms deliver order notifications:
 * only the platform's own signature over the exact body gets in, a 200 means the notification
 * is stored (a restart keeps it), a redelivery is recorded once, and everything else is a
 * clear 4xx that records nothing. The worker is off here, so what is recorded stays visible
 * in the channel's sync status; test_platform_orders.c follows notifications to orders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "sig/sig.h"

#define APP_KEY "sim-tiktok-app-key"
#define APP_SECRET "sim-tiktok-app-secret"

struct world {
    struct souk_h_server souk;
    char tiktok[SOUK_H_ID_MAX], meta[SOUK_H_ID_MAX];
};

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_start(&w.souk, "--sync=off");
    souk_h_create(&w.souk, "/v1/channels",
                  "{\"platform\": \"tiktok\", \"name\": \"TikTok US\", \"country\": \"US\", "
                  "\"locale\": \"en\", \"currency\": \"USD\", \"link_template\": "
                  "\"https://shop.example/p/{handle}\", \"credentials\": {\"app_key\": "
                  "\"" APP_KEY "\", \"app_secret\": \"" APP_SECRET "\", \"access_token\": \"t\", "
                  "\"shop_cipher\": \"c\", \"warehouse_id\": \"w\", \"category_id\": \"1\"}}",
                  w.tiktok);
    souk_h_create(&w.souk, "/v1/channels",
                  "{\"platform\": \"meta\", \"name\": \"Instagram US\", \"country\": \"US\", "
                  "\"locale\": \"en\", \"currency\": \"USD\", \"link_template\": "
                  "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": "
                  "\"t\", \"catalog_id\": \"1\", \"cms_id\": \"2\"}}",
                  w.meta);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    return 0;
}

/* POSTs body to the channel's webhook with this Authorization (NULL: none). */
static void deliver(struct world *w, const char *channel, const char *body,
                    const char *authorization, struct souk_h_resp *resp)
{
    char path[128], header[160];
    snprintf(path, sizeof path, "/webhooks/%s", channel);
    snprintf(header, sizeof header, "Authorization: %s", authorization ? authorization : "");
    const char *headers[] = {authorization ? header : NULL, NULL};
    souk_h_request(&w->souk, "POST", path, NULL, body, headers, resp);
}

/* TikTok's signature of body: hex HMAC-SHA256 of app_key + body, keyed with the app secret. */
static void tiktok_sign(const char *body, const char *secret, char out[SOUK_SIG_HEX_MAX])
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", APP_KEY, body);
    souk_sig_hmac_sha256_hex(souk_str_from(secret), souk_str_from(text), out);
}

static int64_t pending(struct world *w, const char *channel)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s/sync", channel);
    json_t *sync = souk_h_get(&w->souk, path);
    int64_t n = souk_h_int(sync, "orders.notifications_pending");
    json_decref(sync);
    return n;
}

static const char order_event[] =
    "{\"type\":1,\"tts_notification_id\":\"7301000000000042\",\"shop_id\":\"7494000000000001\","
    "\"timestamp\":1764064800,\"data\":{\"order_id\":\"5760000000000001\",\"order_status\":"
    "\"AWAITING_SHIPMENT\",\"update_time\":1764064800}}";

static void a_signed_notification_is_stored_once(void **state)
{
    struct world *w = *state;
    char sign[SOUK_SIG_HEX_MAX];
    tiktok_sign(order_event, APP_SECRET, sign);
    struct souk_h_resp resp;
    deliver(w, w->tiktok, order_event, sign, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(souk_h_int(resp.json, "recorded"), 1);
    souk_h_resp_release(&resp);
    /* TikTok retries what it thinks failed: the same event is stored once. */
    deliver(w, w->tiktok, order_event, sign, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(souk_h_int(resp.json, "recorded"), 0);
    souk_h_resp_release(&resp);
    assert_int_equal(pending(w, w->tiktok), 1);

    /* A 200 meant committed: it is still there after a restart. */
    assert_int_equal(souk_h_stop(&w->souk), 0);
    souk_h_restart(&w->souk);
    assert_int_equal(pending(w, w->tiktok), 1);

    /* Events that are not about orders are acknowledged and not kept. */
    const char *product_event = "{\"type\":5,\"tts_notification_id\":\"7301000000000043\","
                                "\"data\":{\"product_id\":\"1\",\"status\":\"ACTIVATE\"}}";
    tiktok_sign(product_event, APP_SECRET, sign);
    deliver(w, w->tiktok, product_event, sign, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(souk_h_int(resp.json, "recorded"), 0);
    souk_h_resp_release(&resp);
    assert_int_equal(pending(w, w->tiktok), 1);
}

static void anything_but_the_platforms_signature_is_401(void **state)
{
    struct world *w = *state;
    char good[SOUK_SIG_HEX_MAX], wrong_secret[SOUK_SIG_HEX_MAX], body_only[SOUK_SIG_HEX_MAX];
    tiktok_sign(order_event, APP_SECRET, good);
    tiktok_sign(order_event, "a-guessed-secret", wrong_secret);
    souk_sig_hmac_sha256_hex(souk_str_from(APP_SECRET), souk_str_from(order_event), body_only);
    char tampered[sizeof order_event];
    snprintf(tampered, sizeof tampered, "%s", order_event);
    tampered[strlen(tampered) - 3] = '9'; /* the update_time, one digit changed */
    struct {
        const char *body, *authorization;
    } cases[] = {
        {order_event, NULL},         {order_event, wrong_secret}, {order_event, body_only},
        {tampered, good},            {order_event, "sha256=0"},   {order_event, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_h_resp resp;
        deliver(w, w->tiktok, cases[i].body, cases[i].authorization, &resp);
        if (resp.status != 401)
            fail_msg("case %zu: HTTP %ld, want 401", i, resp.status);
        souk_h_assert_error(&resp, 401, "authentication_required", "Authorization");
        /* The answer never shows what the signature should have been. */
        assert_null(strstr(resp.body.data, good));
        souk_h_resp_release(&resp);
    }
    assert_int_equal(pending(w, w->tiktok), 0);
}

static void bad_deliveries_are_clear_4xx_and_record_nothing(void **state)
{
    struct world *w = *state;
    char sign[SOUK_SIG_HEX_MAX];
    struct souk_h_resp resp;

    /* Signed, but not TikTok's shape. */
    static const char *const shapes[] = {
        "not json", "[1,2]", "{\"type\":1,\"data\":{\"order_id\":\"1\"}}",
        "{\"type\":1,\"tts_notification_id\":\"1\",\"data\":{\"order_id\":12}}",
        "{\"type\":1,\"tts_notification_id\":\"1\",\"data\":{\"order_status\":\"UNPAID\"}}"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        tiktok_sign(shapes[i], APP_SECRET, sign);
        deliver(w, w->tiktok, shapes[i], sign, &resp);
        if (resp.status != 400 || strcmp(souk_h_text(resp.json, "error.type"), "invalid_request"))
            fail_msg("shape %zu: HTTP %ld %s, want 400 invalid_request", i, resp.status,
                     resp.body.data);
        souk_h_resp_release(&resp);
    }

    /* No such channel; a channel whose platform sends no webhooks (Meta is polled). */
    tiktok_sign(order_event, APP_SECRET, sign);
    deliver(w, "chn_01JDQ3ZK8X4M2V7N9B5C6T0RYW", order_event, sign, &resp);
    souk_h_assert_error(&resp, 404, "not_found", NULL);
    souk_h_resp_release(&resp);
    deliver(w, w->meta, order_event, sign, &resp);
    souk_h_assert_error(&resp, 404, "not_found", NULL);
    assert_non_null(strstr(souk_h_text(resp.json, "error.message"), "polls"));
    souk_h_resp_release(&resp);

    /* Over the 1 MiB limit. */
    static char big[(1 << 20) + 64];
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    deliver(w, w->tiktok, big, "x", &resp);
    souk_h_assert_error(&resp, 413, "payload_too_large", NULL);
    souk_h_resp_release(&resp);
    assert_int_equal(pending(w, w->tiktok), 0);

    /* Webhook routes take no API key and ignore one. */
    char path[128];
    snprintf(path, sizeof path, "/webhooks/%s", w->tiktok);
    souk_h_request(&w->souk, "POST", path, w->souk.key, order_event, NULL, &resp);
    souk_h_assert_error(&resp, 401, "authentication_required", "Authorization");
    souk_h_resp_release(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_signed_notification_is_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(anything_but_the_platforms_signature_is_401, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_deliveries_are_clear_4xx_and_record_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

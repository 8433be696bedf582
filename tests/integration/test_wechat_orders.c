/*
 * Integration tests of orders from a WeChat Channels shop: a real souk (demo catalog) and a real
 * `souk sim` playing WeChat. WeChat checks the push URL with a signed GET that souk must echo;
 * its order pushes are signed in the URL's query; souk fetches each order's detail with an
 * access token it asked WeChat for, and the order lands once, in fen, with the buyer's address.
 * A stale or badly signed push is 401 and changes nothing; the merchant's fulfilment reaches
 * WeChat's delivery API with the tracking number; an unknown SKU is flagged, not dropped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sig/sig.h"

#define SKU "DEMO-01-1" /* 5 units in the demo catalog */
#define TOKEN "sim-wechat-token"

struct world {
    struct souk_h_server souk, sim;
    char channel[SOUK_H_ID_MAX];
};

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"wechat\", \"name\": \"WeChat Shop\", \"country\": \"CN\", "
             "\"locale\": \"zh\", \"currency\": \"CNY\", \"base_url\": \"http://127.0.0.1:%u\", "
             "\"link_template\": \"https://shop.example/p/{handle}\", \"credentials\": "
             "{\"appid\": \"wxsim0000000001\", \"secret\": \"sim-wechat-secret\", \"token\": "
             "\"" TOKEN "\"}}",
             w.sim.port);
    souk_h_create(&w.souk, "/v1/channels", body, w.channel);
    souk_h_sim_deliver_to(&w.sim, &w.souk, "wechat", w.channel);
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

/* The webhook path with WeChat's query: signed with token at timestamp now + skew seconds. */
static void signed_path(struct world *w, const char *token, long skew, const char *extra, char *out,
                        size_t outsz)
{
    char ts[24], sig[SOUK_SIG_HEX_MAX];
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL) + skew);
    souk_sig_wechat(token, ts, "nonce-1", sig);
    snprintf(out, outsz, "/webhooks/%s?signature=%s&timestamp=%s&nonce=nonce-1%s", w->channel, sig,
             ts, extra ? extra : "");
}

/* Places a CNY order of quantity units of sku on WeChat in the sim; writes WeChat's id. */
static void place(struct world *w, const char *sku, int quantity, const char *deliver,
                  char id[SOUK_H_ID_MAX])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"wechat\", \"currency\": \"CNY\", \"lines\": [{\"sku\": \"%s\", "
             "\"quantity\": %d, \"unit_price\": \"128.00\"}], \"shipping_fee\": \"10.00\", "
             "\"discount\": \"5.00\", \"buyer\": {\"name\": \"Li Lei\", \"email\": "
             "\"li@example.com\"}, \"address\": {\"name\": \"Li Lei\", \"line1\": \"88 Nanjing "
             "Road\", \"line2\": \"Huangpu\", \"city\": \"Shanghai\", \"state\": \"Shanghai\", "
             "\"postal_code\": \"200001\", \"country\": \"CN\", \"phone\": \"13800000000\"}, "
             "\"payment_method\": \"WeChat Pay\", \"deliver\": \"%s\"}",
             sku, quantity, deliver);
    struct souk_h_resp resp;
    souk_h_request(&w->sim, "POST", "/_sim/orders", NULL, body, NULL, &resp);
    assert_int_equal(resp.status, 201);
    snprintf(id, SOUK_H_ID_MAX, "%s", souk_h_str(resp.json, "id"));
    for (size_t i = 0; i < json_array_size(souk_h_at(resp.json, "deliveries")); i++)
        assert_int_equal(
            souk_h_int(json_array_get(souk_h_at(resp.json, "deliveries"), i), "status"), 200);
    souk_h_resp_release(&resp);
}

/* Waits (10 s) for souk's order of the channel with WeChat's id; returns it. */
static json_t *wait_wechat_order(struct world *w, const char *external_id)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250", w->channel);
    for (int i = 0; i < 1000; i++) {
        json_t *page = souk_h_get(&w->souk, path), *found = NULL;
        size_t k;
        json_t *o;
        json_array_foreach(souk_h_at(page, "data"), k, o)
        {
            if (strcmp(souk_h_str(o, "external_id"), external_id) == 0)
                found = json_incref(o);
        }
        json_decref(page);
        if (found)
            return found;
        souk_h_sleep_ms(10);
    }
    json_t *sync = souk_h_sync_status(&w->souk, w->channel);
    fail_msg("souk never took in WeChat order %s (last error: %s)", external_id,
             souk_h_text(sync, "orders.last_error"));
    return NULL;
}

static void the_url_check_echoes_echostr_only_when_signed(void **state)
{
    struct world *w = *state;
    char path[512];
    struct souk_h_resp resp;
    signed_path(w, TOKEN, 0, "&echostr=7261956377", path, sizeof path);
    souk_h_request(&w->souk, "GET", path, NULL, NULL, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body.data, "7261956377");
    souk_h_resp_release(&resp);
    /* Signed with another token: 401, and nothing echoed. */
    signed_path(w, "not-the-token", 0, "&echostr=7261956377", path, sizeof path);
    souk_h_request(&w->souk, "GET", path, NULL, NULL, NULL, &resp);
    assert_int_equal(resp.status, 401);
    assert_null(strstr(resp.body.data, "7261956377"));
    souk_h_resp_release(&resp);
}

static void a_placed_order_lands_once_in_fen_with_its_address(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX];
    place(w, SKU, 2, "twice", id); /* the same push twice, as WeChat's retry */
    json_t *o = wait_wechat_order(w, id);
    assert_string_equal(souk_h_text(o, "status"), "confirmed");
    assert_string_equal(souk_h_text(o, "platform.status"), "20");
    assert_string_equal(souk_h_text(o, "currency"), "CNY");
    assert_int_equal(souk_h_int(o, "subtotal"), 25600);
    assert_int_equal(souk_h_int(o, "shipping"), 1000);
    assert_int_equal(souk_h_int(o, "discount"), 500);
    assert_int_equal(souk_h_int(o, "total"), 26100);
    assert_string_equal(souk_h_text(o, "lines[0].sku"), SKU);
    assert_int_equal(souk_h_int(o, "lines[0].quantity"), 2);
    assert_int_equal(souk_h_int(o, "lines[0].unit_price"), 12800);
    assert_string_equal(souk_h_text(o, "buyer.name"), "Li Lei");
    assert_string_equal(souk_h_text(o, "buyer.phone"), "13800000000");
    assert_string_equal(souk_h_text(o, "shipping_address.city"), "Shanghai");
    assert_string_equal(souk_h_text(o, "shipping_address.postal_code"), "200001");
    assert_string_equal(souk_h_text(o, "shipping_address.country"), "CN");
    assert_string_equal(souk_h_text(o, "payment_method"), "WeChat Pay");
    assert_true(json_is_null(souk_h_at(o, "stock_issue")));
    char order_id[SOUK_H_ID_MAX], path[256];
    snprintf(order_id, sizeof order_id, "%s", souk_h_str(o, "id"));
    json_decref(o);
    snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250", w->channel);
    souk_h_sleep_ms(300); /* time for a second, wrong take-in to show */
    assert_int_equal(souk_h_count(&w->souk, path), 1);

    /* The merchant ships it in souk: WeChat's delivery API gets the waybill. */
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", order_id);
    struct souk_h_resp resp;
    souk_h_request(&w->souk, "POST", path, w->souk.key,
                   "{\"carrier\": \"SF\", \"tracking_number\": \"SF1234567890\"}", NULL, &resp);
    assert_int_equal(resp.status, 200);
    souk_h_resp_release(&resp);
    snprintf(path, sizeof path, "/_sim/orders/%s", id);
    json_t *sim_order = NULL;
    for (int i = 0; i < 1000; i++) {
        json_t *got = souk_h_get(&w->sim, path);
        if (strcmp(souk_h_text(got, "status"), "30") == 0) {
            sim_order = got;
            break;
        }
        json_decref(got);
        souk_h_sleep_ms(10);
    }
    assert_non_null(sim_order);
    assert_string_equal(souk_h_text(sim_order, "shipments[0].tracking_number"), "SF1234567890");
    assert_string_equal(souk_h_text(sim_order, "shipments[0].carrier"), "SF");
    json_decref(sim_order);
}

static void a_stale_or_unsigned_push_is_refused(void **state)
{
    struct world *w = *state;
    const char *body = "{\"ToUserName\":\"gh_sim_shop\",\"FromUserName\":\"o\",\"CreateTime\":"
                       "1764064800,\"MsgType\":\"event\",\"Event\":\"channels_ec_order_new\","
                       "\"order_info\":{\"order_id\":7301000000000999}}";
    char path[512];
    struct souk_h_resp resp;
    signed_path(w, TOKEN, -1000, NULL, path, sizeof path); /* signed, but 1000 s old */
    souk_h_request(&w->souk, "POST", path, NULL, body, NULL, &resp);
    assert_int_equal(resp.status, 401);
    souk_h_resp_release(&resp);
    char unsigned_path[128];
    snprintf(unsigned_path, sizeof unsigned_path, "/webhooks/%s", w->channel);
    souk_h_request(&w->souk, "POST", unsigned_path, NULL, body, NULL, &resp);
    assert_int_equal(resp.status, 401);
    souk_h_resp_release(&resp);
    /* The same push signed now is taken, and answered as WeChat expects. */
    signed_path(w, TOKEN, 0, NULL, path, sizeof path);
    souk_h_request(&w->souk, "POST", path, NULL, body, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body.data, "success");
    souk_h_resp_release(&resp);
    /* Without the catalog credentials orders still flow; the sync status names what is missing. */
    json_decref(souk_h_wait_sync_error(&w->souk, w->channel, "\"category_ids\""));
}

static void an_unknown_sku_is_flagged_not_dropped(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX];
    place(w, "NOT-IN-SOUK", 1, "once", id);
    json_t *o = wait_wechat_order(w, id);
    assert_string_equal(souk_h_text(o, "lines[0].sku"), "NOT-IN-SOUK");
    assert_string_equal(souk_h_text(o, "lines[0].issue"), "unknown_sku");
    assert_non_null(strstr(souk_h_text(o, "stock_issue"), "NOT-IN-SOUK"));
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_url_check_echoes_echostr_only_when_signed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_placed_order_lands_once_in_fen_with_its_address, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_stale_or_unsigned_push_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(an_unknown_sku_is_flagged_not_dropped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

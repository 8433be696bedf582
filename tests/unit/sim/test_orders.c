/*
 * Unit tests for the sim's orders: reading an order from the control body, amounts per currency
 * exponent, status changes and their times, TikTok's ship and cancel rules, Meta's
 * acknowledgement idempotency and shipments, and the signature of a TikTok notification,
 * recomputed here with sig/. The order code is called directly where it has a C interface;
 * the platform endpoints are spoken to over HTTP on an in-process sim with no webhook
 * registered (deliveries are the integration tests' business).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/money.h"
#include "sig/sig.h"
#include "sim/sim.h"
#include "sim/sim_int.h"

#define META_AUTH "Authorization: Bearer sim-meta-access-token"
#define TT_SECRET "sim-tiktok-app-secret"

/* ---- HTTP to the sim ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    return souk_buf_add(arg, data, size * n) == SOUK_OK ? size * n : 0;
}

/* Sends method path (body may be NULL) with the NULL-terminated headers; asserts the status and
 * returns the parsed body (json_decref it). */
static json_t *expect(struct souk_sim *sim, const char *method, const char *path, const char *body,
                      const char *const *headers, long status)
{
    char url[2048];
    struct souk_buf text = SOUK_BUF_INIT(16 << 20);
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    CURL *curl = curl_easy_init();
    long got = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", souk_sim_port(sim), path);
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (body)
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &text);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &got);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || got != status)
        fail_msg("%s %s: %s, status %ld, want %ld: %s", method, path, curl_easy_strerror(rc), got,
                 status, text.data);
    json_t *json = json_loadb(text.data, text.len, 0, NULL);
    souk_buf_release(&text);
    return json;
}

/* The value at a dotted path ("error.code", "data.orders.0.status"); NULL when absent. */
static json_t *at(json_t *root, const char *path)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    json_t *v = root;
    for (char *save = NULL, *key = strtok_r(copy, ".", &save); key && v;
         key = strtok_r(NULL, ".", &save)) {
        int64_t index;
        v = json_is_array(v) && souk_str_to_i64(souk_str_from(key), 0, 1 << 20, &index) == SOUK_OK
                ? json_array_get(v, (size_t)index)
                : json_object_get(v, key);
    }
    return v;
}

static const char *text_at(json_t *root, const char *path)
{
    const char *text = json_string_value(at(root, path));
    if (!text)
        fail_msg("no string at %s", path);
    return text;
}

static json_int_t int_at(json_t *root, const char *path)
{
    json_t *v = at(root, path);
    if (!json_is_integer(v))
        fail_msg("no integer at %s", path);
    return json_integer_value(v);
}

/* Places an order (POST /_sim/orders) and writes its id. */
static void place(struct souk_sim *sim, const char *spec, char id[SOUK_SIM_ID_MAX])
{
    json_t *answer = expect(sim, "POST", "/_sim/orders", spec, NULL, 201);
    snprintf(id, SOUK_SIM_ID_MAX, "%s", text_at(answer, "id"));
    json_decref(answer);
}

/* A signed TikTok call: query app_key, timestamp, shop_cipher, sign plus extra (already
 * URL-safe "k=v&" pairs, sorted into the signature by sig/), the token header. */
static json_t *tiktok(struct souk_sim *sim, const char *method, const char *path, const char *ids,
                      const char *body, long status)
{
    char ts[24], sign[SOUK_SIG_HEX_MAX], url[1024];
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    struct souk_sig_param params[] = {{"app_key", "sim-tiktok-app-key"},
                                      {"shop_cipher", "sim-tiktok-shop-cipher"},
                                      {"timestamp", ts},
                                      {"ids", ids ? ids : ""}};
    assert_int_equal(souk_sig_tiktok(TT_SECRET, path, params, ids ? 4 : 3,
                                     souk_str_from(body ? body : ""), sign),
                     SOUK_OK);
    snprintf(url, sizeof url,
             "%s?app_key=sim-tiktok-app-key&shop_cipher=sim-tiktok-shop-cipher"
             "&timestamp=%s&sign=%s%s%s",
             path, ts, sign, ids ? "&ids=" : "", ids ? ids : "");
    const char *headers[] = {"x-tts-access-token: sim-tiktok-access-token",
                             "Content-Type: application/json", NULL};
    return expect(sim, method, url, body, headers, status);
}

static int start(void **state)
{
    struct souk_sim_config config = {.listen = "127.0.0.1:0"};
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim *sim = NULL;
    if (souk_sim_start(&config, &sim, &err) != SOUK_OK)
        fail_msg("souk_sim_start: %s", err.message);
    *state = sim;
    return 0;
}

static int stop(void **state)
{
    souk_sim_stop(*state);
    return 0;
}

/* ---- amounts and order validation, called directly ---- */

static void amounts_follow_the_currency_exponent(void **state)
{
    const struct souk_currency *usd = souk_money_currency(SOUK_STR("USD"));
    const struct souk_currency *jpy = souk_money_currency(SOUK_STR("JPY"));
    const struct souk_currency *kwd = souk_money_currency(SOUK_STR("KWD"));
    char text[SOUK_SIM_AMOUNT_MAX];
    int64_t minor = -1;
    souk_sim__amount_text(1999, usd, text);
    assert_string_equal(text, "19.99");
    souk_sim__amount_text(0, usd, text);
    assert_string_equal(text, "0.00");
    souk_sim__amount_text(1500, jpy, text);
    assert_string_equal(text, "1500");
    souk_sim__amount_text(1500, kwd, text);
    assert_string_equal(text, "1.500");

    struct {
        const char *text;
        const struct souk_currency *cur;
        int64_t minor; /* -1: refused */
    } cases[] = {
        {"19.99", usd, 1999},        {"19.9", usd, 1990},
        {"19", usd, 1900},           {"19.999", usd, -1},
        {"-1.00", usd, -1},          {"1,5", usd, -1},
        {"1500", jpy, 1500},         {"1500.5", jpy, -1},
        {"0.125", kwd, 125},         {"10000000000.00", usd, 1000000000000},
        {"10000000000.01", usd, -1}, /* the cap */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *value = json_string(cases[i].text);
        bool ok = souk_sim__amount_parse(value, cases[i].cur, &minor);
        json_decref(value);
        if (ok != (cases[i].minor >= 0) || (ok && minor != cases[i].minor))
            fail_msg("%s %s: %s %lld", cases[i].text, cases[i].cur->code, ok ? "took" : "refused",
                     (long long)minor);
    }
    json_t *number = json_real(19.99);
    assert_false(souk_sim__amount_parse(number, usd, &minor)); /* strings only */
    json_decref(number);
}

static const char *const tiktok_values[] = {"key",    "secret",           "token",
                                            "cipher", "7494000000000001", NULL};

static struct souk_sim__bound tiktok_bound(void)
{
    return (struct souk_sim__bound){1, &souk_sim__tiktok, tiktok_values};
}

/* Parses spec as a tiktok order; NULL with err set when it is refused. */
static struct souk_sim__order *parse(struct souk_sim__state *st, const char *spec,
                                     struct souk_err *err)
{
    json_t *json = json_loads(spec, 0, NULL);
    assert_non_null(json);
    struct souk_sim__bound b = tiktok_bound();
    souk_err_clear(err);
    struct souk_sim__order *order = souk_sim__order_parse(json, &b, st, err);
    json_decref(json);
    return order;
}

#define LINE "{\"sku\": \"SKU-1\", \"quantity\": 2, \"unit_price\": \"19.99\"}"

static void orders_are_validated_field_by_field(void **state)
{
    struct souk_sim__state *st = souk_sim__state_new(4);
    struct souk_err err = SOUK_ERR_INIT;
    struct {
        const char *spec, *param;
    } bad[] = {
        {"{\"lines\": [" LINE "]}", "currency"},
        {"{\"currency\": \"XYZ\", \"lines\": [" LINE "]}", "currency"},
        {"{\"currency\": \"USD\", \"lines\": []}", "lines"},
        {"{\"currency\": \"USD\", \"lines\": [{\"sku\": \"\", \"quantity\": 1, "
         "\"unit_price\": \"1\"}]}",
         "lines[0].sku"},
        {"{\"currency\": \"USD\", \"lines\": [{\"sku\": \"A\", \"quantity\": 0, "
         "\"unit_price\": \"1\"}]}",
         "lines[0].quantity"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE ", {\"sku\": \"A\", \"quantity\": 10001, "
         "\"unit_price\": \"1\"}]}",
         "lines[1].quantity"},
        {"{\"currency\": \"JPY\", \"lines\": [{\"sku\": \"A\", \"quantity\": 1, "
         "\"unit_price\": \"1500.5\"}]}",
         "lines[0].unit_price"},
        {"{\"currency\": \"USD\", \"lines\": [{\"sku\": \"A\", \"quantity\": 1, "
         "\"unit_price\": 1}]}",
         "lines[0].unit_price"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"shipping_fee\": \"4.999\"}",
         "shipping_fee"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"discount\": \"45\"}", "discount"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"address\": {\"country\": \"USA\"}}",
         "address.country"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"status\": \"SHIPPED\"}", "status"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"channel\": \"instagram\"}", "channel"},
        {"{\"currency\": \"USD\", \"lines\": [" LINE "], \"colour\": \"red\"}", "colour"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct souk_sim__order *order = parse(st, bad[i].spec, &err);
        if (order || strcmp(err.param, bad[i].param) != 0)
            fail_msg("case %zu: %s, param \"%s\" (%s), want %s", i, order ? "took" : "refused",
                     err.param, err.message, bad[i].param);
    }
    /* 100 lines of 100 units is the most an order holds; one more unit is refused. */
    struct souk_buf spec = SOUK_BUF_INIT(1 << 20);
    assert_int_equal(souk_buf_addstr(&spec, "{\"currency\": \"USD\", \"lines\": ["), SOUK_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(souk_buf_addf(&spec,
                                       "%s{\"sku\": \"S%d\", \"quantity\": %d, "
                                       "\"unit_price\": \"1\"}",
                                       i ? ", " : "", i, i == 99 ? 101 : 100),
                         SOUK_OK);
    assert_int_equal(souk_buf_addstr(&spec, "]}"), SOUK_OK);
    assert_null(parse(st, spec.data, &err));
    assert_string_equal(err.param, "lines");
    souk_buf_release(&spec);

    struct souk_sim__order *order =
        parse(st,
              "{\"currency\": \"USD\", \"lines\": [" LINE "], \"shipping_fee\": \"4.99\", "
              "\"tax\": \"1\", \"discount\": \"2.50\", \"live_stream_id\": \"LIVE-9\"}",
              &err);
    assert_non_null(order);
    assert_string_equal(order->status, "AWAITING_SHIPMENT");
    assert_int_equal(order->nunits, 2);
    assert_int_equal(souk_sim__order_subtotal(order), 3998);
    assert_int_equal(souk_sim__order_total(order), 3998 + 499 + 100 - 250);
    assert_string_equal(order->address.country, "US"); /* the sim's buyer, by default */
    assert_string_equal(order->live_stream_id, "LIVE-9");
    assert_null(order->creator);
    assert_true(order->paid_time > 0);
    souk_sim__order_free(order);
    souk_sim__state_free(st);
}

static void status_changes_move_update_time_forward(void **state)
{
    struct souk_sim__state *st = souk_sim__state_new(4);
    struct souk_err err = SOUK_ERR_INIT;
    const struct souk_sim__order_rules *tiktok = souk_sim__tiktok.orders;
    const struct souk_sim__order_rules *meta = souk_sim__meta.orders;
    struct souk_sim__order *order =
        parse(st, "{\"currency\": \"USD\", \"lines\": [" LINE "], \"status\": \"UNPAID\"}", &err);
    assert_non_null(order);
    assert_int_equal(order->paid_time, 0);
    int64_t created = order->update_time;
    /* Three changes within a second still order by update_time. */
    souk_sim__order_set_status(order, tiktok, "AWAITING_SHIPMENT");
    assert_true(order->update_time > created);
    assert_int_equal(order->paid_time, order->update_time);
    int64_t paid = order->update_time;
    souk_sim__order_set_status(order, tiktok, "ON_HOLD");
    assert_true(order->update_time > paid);
    souk_sim__order_set_status(order, tiktok, "CANCELLED");
    assert_string_equal(order->status, "CANCELLED");
    assert_int_equal(souk_sim__order_units(order, SOUK_SIM__UNIT_CANCELLED), 2);
    assert_int_equal(order->paid_time, paid);

    /* Meta has no CANCELLED state: a buyer's cancellation completes the order, flagged. */
    assert_true(souk_sim__order_status_ok(meta, "CANCELLED"));
    assert_false(souk_sim__order_status_ok(meta, "AWAITING_SHIPMENT"));
    order->cancelled = false;
    snprintf(order->status, sizeof order->status, "CREATED");
    memset(order->units, SOUK_SIM__UNIT_OPEN, order->nunits);
    souk_sim__order_set_status(order, meta, "CANCELLED");
    assert_string_equal(order->status, "COMPLETED");
    assert_true(order->cancelled);
    souk_sim__order_free(order);
    souk_sim__state_free(st);
}

/* ---- the notification signature ---- */

static void tiktok_notifications_are_signed_over_app_key_and_body(void **state)
{
    struct souk_sim__bound b = tiktok_bound();
    struct souk_sim__notice notice = {"7301000000000042", "7301000000000001", "IN_TRANSIT",
                                      1764064800};
    struct souk_sim__delivery d = {.body = SOUK_BUF_INIT(1 << 20)};
    b.def->orders->notification(&b, &notice, &d);

    json_t *body = json_loadb(d.body.data, d.body.len, 0, NULL);
    assert_int_equal(int_at(body, "type"), 1);
    assert_string_equal(text_at(body, "tts_notification_id"), "7301000000000042");
    assert_string_equal(text_at(body, "shop_id"), "7494000000000001");
    assert_true(llabs(int_at(body, "timestamp") - (json_int_t)time(NULL)) < 5);
    assert_string_equal(text_at(body, "data.order_id"), "7301000000000001");
    assert_string_equal(text_at(body, "data.order_status"), "IN_TRANSIT");
    assert_int_equal(int_at(body, "data.update_time"), 1764064800);
    json_decref(body);

    /* Authorization: hex HMAC-SHA256 keyed with the app secret over app key + raw body. */
    struct souk_buf msg = SOUK_BUF_INIT(1 << 20);
    assert_int_equal(souk_buf_addstr(&msg, "key"), SOUK_OK);
    assert_int_equal(souk_buf_add(&msg, d.body.data, d.body.len), SOUK_OK);
    char want[SOUK_SIG_HEX_MAX], header[SOUK_SIM_HEADER_MAX];
    souk_sig_hmac_sha256_hex(SOUK_STR("secret"), (struct souk_str){msg.data, msg.len}, want);
    snprintf(header, sizeof header, "Authorization: %s", want);
    assert_string_equal(d.headers[0], header);
    assert_string_equal(d.headers[1], "");
    souk_buf_release(&msg);
    souk_buf_release(&d.body);
}

/* ---- the platforms' order endpoints ---- */

#define TT_ORDER                                                                                   \
    "{\"platform\": \"tiktok\", \"currency\": \"USD\", \"lines\": [" LINE "], "                    \
    "\"shipping_fee\": \"4.99\", \"creator\": \"@maker\"}"

static void tiktok_ship_and_cancel_follow_the_status(void **state)
{
    struct souk_sim *sim = *state;
    char id[SOUK_SIM_ID_MAX], path[128], body[256];
    json_t *answer = expect(sim, "POST", "/_sim/orders", TT_ORDER, NULL, 201);
    /* No URL registered: nothing was delivered, and the answer says so. */
    assert_int_equal(json_array_size(at(answer, "deliveries")), 0);
    assert_true(json_is_true(at(answer, "undelivered")));
    snprintf(id, sizeof id, "%s", text_at(answer, "id"));
    json_decref(answer);

    answer = tiktok(sim, "GET", "/order/202309/orders", id, NULL, 200);
    json_t *order = at(answer, "data.orders.0");
    assert_string_equal(text_at(order, "status"), "AWAITING_SHIPMENT");
    assert_string_equal(text_at(order, "payment.total_amount"), "44.97");
    assert_string_equal(text_at(order, "payment.sub_total"), "39.98");
    assert_int_equal(json_array_size(at(order, "line_items")), 2); /* one per unit */
    assert_string_equal(text_at(order, "line_items.1.seller_sku"), "SKU-1");
    assert_string_equal(text_at(order, "creator"), "@maker");
    assert_null(at(order, "live_stream_id"));
    assert_null(at(order, "tracking_number"));
    char unit[SOUK_SIM_ID_MAX];
    snprintf(unit, sizeof unit, "%s", text_at(order, "line_items.0.id"));
    json_decref(answer);

    /* Ship one unit: partly shipping. Then the other: in transit, and no more shipping. */
    snprintf(path, sizeof path, "/fulfillment/202309/orders/%s/packages", id);
    snprintf(body, sizeof body,
             "{\"tracking_number\": \"1Z1\", \"shipping_provider_id\": "
             "\"ups\", \"order_line_item_ids\": [\"%s\"]}",
             unit);
    json_decref(tiktok(sim, "POST", path, NULL, body, 200));
    answer = tiktok(sim, "POST", path, NULL, body, 400); /* that unit is shipped already */
    assert_int_equal(int_at(answer, "code"), 36009004);
    json_decref(answer);
    const char *rest = "{\"tracking_number\": \"1Z2\", \"shipping_provider_id\": \"ups\"}";
    answer = tiktok(sim, "POST", path, NULL, rest, 200);
    assert_non_null(at(answer, "data.package_id"));
    json_decref(answer);
    answer = tiktok(sim, "POST", path, NULL, rest, 400);
    assert_int_equal(int_at(answer, "code"), 21011001);
    assert_string_equal(text_at(answer, "message"), "order status IN_TRANSIT cannot be shipped");
    json_decref(answer);

    /* In transit is too late to cancel. */
    snprintf(body, sizeof body, "{\"order_id\": \"%s\", \"cancel_reason\": \"out_of_stock\"}", id);
    answer = tiktok(sim, "POST", "/return_refund/202309/cancellations", NULL, body, 400);
    assert_int_equal(int_at(answer, "code"), 25001001);
    json_decref(answer);

    /* An unpaid order can be cancelled; it then shows why. */
    place(sim,
          "{\"platform\": \"tiktok\", \"currency\": \"USD\", \"lines\": [" LINE "], "
          "\"status\": \"UNPAID\", \"deliver\": \"none\"}",
          id);
    snprintf(body, sizeof body, "{\"order_id\": \"%s\", \"cancel_reason\": \"out_of_stock\"}", id);
    answer = tiktok(sim, "POST", "/return_refund/202309/cancellations", NULL, body, 200);
    assert_string_equal(text_at(answer, "data.cancel_status"), "CANCELLATION_REQUEST_COMPLETE");
    json_decref(answer);
    answer = tiktok(sim, "GET", "/order/202309/orders", id, NULL, 200);
    assert_string_equal(text_at(answer, "data.orders.0.status"), "CANCELLED");
    assert_string_equal(text_at(answer, "data.orders.0.cancel_reason"), "out_of_stock");
    assert_null(at(answer, "data.orders.0.paid_time"));
    assert_string_equal(text_at(answer, "data.orders.0.line_items.0.display_status"), "CANCELLED");
    json_decref(answer);

    /* Unknown orders: 404 to act on, left out of a read; 51 ids are too many. */
    answer = tiktok(sim, "POST", "/fulfillment/202309/orders/42/packages", NULL, rest, 404);
    assert_int_equal(int_at(answer, "code"), 21001001);
    json_decref(answer);
    answer = tiktok(sim, "GET", "/order/202309/orders", "42", NULL, 200);
    assert_int_equal(json_array_size(at(answer, "data.orders")), 0);
    json_decref(answer);
    struct souk_buf many = SOUK_BUF_INIT(1024);
    for (int i = 0; i < 51; i++)
        assert_int_equal(souk_buf_addstr(&many, i ? ",42" : "42"), SOUK_OK);
    answer = tiktok(sim, "GET", "/order/202309/orders", many.data, NULL, 400);
    assert_int_equal(int_at(answer, "code"), 36009004);
    json_decref(answer);
    souk_buf_release(&many);
}

#define META_ORDER                                                                                 \
    "{\"platform\": \"meta\", \"currency\": \"USD\", \"lines\": [" LINE ", {\"sku\": \"SKU-2\", "  \
    "\"quantity\": 1, \"unit_price\": \"5\"}], \"tax\": \"1.50\", \"channel\": \"facebook\"}"

static void meta_acknowledgements_are_idempotent(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {META_AUTH, NULL};
    const char *const json_auth[] = {META_AUTH, "Content-Type: application/json", NULL};
    char id[SOUK_SIM_ID_MAX], path[128];
    place(sim, META_ORDER, id);

    snprintf(path, sizeof path, "/v21.0/%s", id);
    json_t *order = expect(sim, "GET", path, NULL, auth, 200);
    assert_string_equal(text_at(order, "order_status.state"), "CREATED");
    assert_string_equal(text_at(order, "channel"), "facebook");
    assert_string_equal(text_at(order, "estimated_payment_details.subtotal.items.amount"), "44.98");
    assert_string_equal(text_at(order, "estimated_payment_details.total_amount.amount"), "46.48");
    assert_string_equal(text_at(order, "items.data.1.retailer_id"), "SKU-2");
    assert_null(at(order, "merchant_order_id"));
    json_decref(order);

    /* Shipping before the acknowledgement is refused. */
    snprintf(path, sizeof path, "/v21.0/%s/shipments", id);
    const char *ship_all = "{\"idempotency_key\": \"s1\", \"items\": [{\"retailer_id\": "
                           "\"SKU-1\", \"quantity\": 2}, {\"retailer_id\": \"SKU-2\", "
                           "\"quantity\": 1}], \"tracking_info\": {\"tracking_number\": \"T1\", "
                           "\"carrier\": \"FEDEX\"}}";
    json_decref(expect(sim, "POST", path, ship_all, json_auth, 400));

    snprintf(path, sizeof path, "/v21.0/%s/acknowledge_order", id);
    const char *const form[] = {META_AUTH, "Content-Type: application/x-www-form-urlencoded", NULL};
    json_t *first =
        expect(sim, "POST", path, "idempotency_key=k1&merchant_order_reference=ord_1", form, 200);
    assert_string_equal(text_at(first, "state"), "IN_PROGRESS");
    json_t *again =
        expect(sim, "POST", path, "idempotency_key=k1&merchant_order_reference=ord_1", form, 200);
    assert_true(json_equal(first, again));
    json_decref(first);
    json_decref(again);
    json_t *error = expect(sim, "POST", path, "idempotency_key=k2", form, 400);
    assert_int_equal(int_at(error, "error.code"), 100);
    json_decref(error);
    json_decref(expect(sim, "POST", path, "merchant_order_reference=x", form, 400)); /* no key */

    /* Part of it, then the rest: COMPLETED once every unit is shipped; a replay does nothing. */
    snprintf(path, sizeof path, "/v21.0/%s/shipments", id);
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"s0\", \"items\": [{\"retailer_id\": \"SKU-1\", "
                       "\"quantity\": 3}], \"tracking_info\": {\"tracking_number\": \"T0\", "
                       "\"carrier\": \"FEDEX\"}}",
                       json_auth, 400)); /* only two of SKU-1 */
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"s0\", \"items\": [{\"retailer_id\": \"SKU-2\", "
                       "\"quantity\": 1}], \"tracking_info\": {\"tracking_number\": \"T0\", "
                       "\"carrier\": \"FEDEX\"}}",
                       json_auth, 200));
    json_decref(expect(sim, "POST", path, ship_all, json_auth, 400)); /* SKU-2 is shipped */
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"s1\", \"items\": [{\"retailer_id\": \"SKU-1\", "
                       "\"quantity\": 2}], \"tracking_info\": {\"tracking_number\": \"T1\", "
                       "\"carrier\": \"FEDEX\"}}",
                       json_auth, 200));
    json_decref(expect(sim, "POST", path, ship_all, json_auth, 200)); /* s1 again: replayed */

    snprintf(path, sizeof path, "/v21.0/%s", id);
    order = expect(sim, "GET", path, NULL, auth, 200);
    assert_string_equal(text_at(order, "order_status.state"), "COMPLETED");
    assert_string_equal(text_at(order, "merchant_order_id"), "ord_1");
    assert_null(at(order, "cancelled"));
    json_decref(order);
    snprintf(path, sizeof path, "/_sim/orders/%s", id);
    order = expect(sim, "GET", path, NULL, NULL, 200);
    assert_int_equal(json_array_size(at(order, "acks")), 1);
    assert_int_equal(json_array_size(at(order, "shipments")), 2);
    assert_string_equal(text_at(order, "shipments.1.tracking_number"), "T1");
    json_decref(order);
}

static void meta_cancellations_complete_the_order(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {META_AUTH, NULL};
    const char *const json_auth[] = {META_AUTH, "Content-Type: application/json", NULL};
    char id[SOUK_SIM_ID_MAX], path[128];
    place(sim, META_ORDER, id);
    snprintf(path, sizeof path, "/v21.0/%s/cancellations", id);
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"c1\", \"cancel_reason\": {\"reason_code\": "
                       "\"NO_REASON\"}}",
                       json_auth, 400));
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"c1\", \"cancel_reason\": {\"reason_code\": "
                       "\"OUT_OF_STOCK\", \"reason_description\": \"sold out live\"}, "
                       "\"restock_items\": true}",
                       json_auth, 200));
    json_decref(expect(sim, "POST", path,
                       "{\"idempotency_key\": \"c1\", \"cancel_reason\": {\"reason_code\": "
                       "\"OUT_OF_STOCK\"}}",
                       json_auth, 200)); /* replayed */
    snprintf(path, sizeof path, "/v21.0/%s", id);
    json_t *order = expect(sim, "GET", path, NULL, auth, 200);
    assert_string_equal(text_at(order, "order_status.state"), "COMPLETED");
    assert_true(json_is_true(at(order, "cancelled")));
    json_decref(order);
    snprintf(path, sizeof path, "/_sim/orders/%s", id);
    order = expect(sim, "GET", path, NULL, NULL, 200);
    assert_int_equal(json_array_size(at(order, "cancellations")), 1);
    assert_string_equal(text_at(order, "cancellations.0.reason_description"), "sold out live");
    json_decref(order);

    /* A buyer cancels through the control endpoint: COMPLETED, flagged, nothing recorded. */
    place(sim, META_ORDER, id);
    snprintf(path, sizeof path, "/_sim/orders/%s/status", id);
    json_t *answer = expect(sim, "POST", path, "{\"status\": \"CANCELLED\"}", NULL, 200);
    assert_string_equal(text_at(answer, "status"), "COMPLETED");
    assert_true(json_is_true(at(answer, "cancelled")));
    json_decref(answer);
    json_decref(expect(sim, "POST", path, "{\"status\": \"SHIPPED\"}", NULL, 400));
    /* Meta sends no notifications, stale or not. */
    snprintf(path, sizeof path, "/_sim/orders/%s/notify", id);
    json_t *error = expect(sim, "POST", path, "{\"status\": \"CREATED\"}", NULL, 400);
    assert_null(at(error, "error.param"));
    json_decref(error);
}

static void meta_lists_orders_a_page_at_a_time(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {META_AUTH, NULL};
    char ids[3][SOUK_SIM_ID_MAX], path[512];
    for (int i = 0; i < 3; i++)
        place(sim, META_ORDER, ids[i]);
    place(sim, TT_ORDER, path); /* another platform's: never listed */
    json_t *page = expect(sim, "GET", "/v21.0/2345678901/commerce_orders?limit=2", NULL, auth, 200);
    assert_int_equal(json_array_size(at(page, "data")), 2);
    assert_string_equal(text_at(page, "data.0.id"), ids[0]);
    assert_string_equal(text_at(page, "data.1.id"), ids[1]);
    assert_string_equal(text_at(page, "data.0.order_status.state"), "CREATED");
    /* next is the whole URL; the sim is the host asked. */
    const char *next = text_at(page, "paging.next");
    const char *rest = strstr(next, "/v21.0/");
    assert_non_null(rest);
    snprintf(path, sizeof path, "%s", rest);
    json_decref(page);
    page = expect(sim, "GET", path, NULL, auth, 200);
    assert_int_equal(json_array_size(at(page, "data")), 1);
    assert_string_equal(text_at(page, "data.0.id"), ids[2]);
    assert_null(at(page, "paging.next"));
    json_decref(page);

    /* Only the states asked for; the window excludes updated_before. */
    page = expect(sim, "GET", "/v21.0/2345678901/commerce_orders?state=IN_PROGRESS,COMPLETED", NULL,
                  auth, 200);
    assert_int_equal(json_array_size(at(page, "data")), 0);
    json_decref(page);
    snprintf(path, sizeof path, "/v21.0/2345678901/commerce_orders?updated_before=%lld",
             (long long)time(NULL) - 3600);
    page = expect(sim, "GET", path, NULL, auth, 200);
    assert_int_equal(json_array_size(at(page, "data")), 0);
    json_decref(page);

    json_t *error = expect(sim, "GET", "/v21.0/999/commerce_orders", NULL, auth, 400);
    assert_int_equal(int_at(error, "error.code"), 100);
    assert_int_equal(int_at(error, "error.error_subcode"), 33);
    json_decref(error);
    json_decref(expect(sim, "GET", "/v21.0/2345678901/commerce_orders?limit=101", NULL, auth, 400));
    json_decref(
        expect(sim, "GET", "/v21.0/2345678901/commerce_orders?state=SHIPPED", NULL, auth, 400));
    error = expect(sim, "GET", "/v21.0/42", NULL, auth, 400);
    assert_int_equal(int_at(error, "error.code"), 100);
    json_decref(error);
}

/* ---- the control endpoints and routing ---- */

static void control_calls_name_what_is_wrong(void **state)
{
    struct souk_sim *sim = *state;
    struct {
        const char *path, *body, *param;
        long status;
    } cases[] = {
        {"/_sim/webhooks", "{\"platform\": \"meta\", \"url\": \"http://127.0.0.1:9/\"}", "platform",
         400},
        {"/_sim/webhooks", "{\"platform\": \"tiktok\", \"url\": \"ftp://x/\"}", "url", 400},
        {"/_sim/webhooks", "{\"platform\": \"myspace\", \"url\": \"http://x/\"}", "platform", 400},
        {"/_sim/orders", "{\"platform\": \"pinterest\", \"currency\": \"USD\"}", "platform", 400},
        {"/_sim/orders", "{\"platform\": \"tiktok\", \"deliver\": \"thrice\"}", "deliver", 400},
        {"/_sim/orders",
         "{\"platform\": \"meta\", \"currency\": \"USD\", \"lines\": [" LINE "], "
         "\"channel\": \"tiktok\"}",
         "channel", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *error = expect(sim, "POST", cases[i].path, cases[i].body, NULL, cases[i].status);
        assert_string_equal(text_at(error, "error.param"), cases[i].param);
        json_decref(error);
    }
    json_decref(expect(sim, "GET", "/_sim/orders/7301999999999999", NULL, NULL, 404));
    json_decref(expect(sim, "POST", "/_sim/orders/7301999999999999/status",
                       "{\"status\": \"DELIVERED\"}", NULL, 404));
    json_t *answer =
        expect(sim, "POST", "/_sim/webhooks",
               "{\"platform\": \"tiktok\", \"url\": \"http://127.0.0.1:9/hook\"}", NULL, 200);
    assert_string_equal(text_at(answer, "url"), "http://127.0.0.1:9/hook");
    json_decref(answer);

    /* A stale notice needs a status TikTok has and a time in seconds. */
    char id[SOUK_SIM_ID_MAX], path[128];
    place(sim, TT_ORDER, id);
    snprintf(path, sizeof path, "/_sim/orders/%s/notify", id);
    answer = expect(sim, "POST", path, "{\"status\": \"LOST\"}", NULL, 400);
    assert_string_equal(text_at(answer, "error.param"), "status");
    json_decref(answer);
    answer =
        expect(sim, "POST", path, "{\"status\": \"UNPAID\", \"update_time\": \"x\"}", NULL, 400);
    assert_string_equal(text_at(answer, "error.param"), "update_time");
    json_decref(answer);
    answer = expect(sim, "POST", path, "{\"status\": \"UNPAID\", \"update_time\": 5}", NULL, 200);
    assert_string_equal(text_at(answer, "status"), "AWAITING_SHIPMENT"); /* unchanged */
    assert_int_equal(int_at(answer, "notified.update_time"), 5);
    json_decref(answer);

    /* Nothing listens there: the delivery fails with status 0 and says why. */
    answer = expect(sim, "POST", "/_sim/orders", TT_ORDER, NULL, 201);
    assert_int_equal(int_at(answer, "deliveries.0.status"), 0);
    assert_true(strlen(text_at(answer, "deliveries.0.error")) > 0);
    assert_null(at(answer, "undelivered"));
    json_decref(answer);

    /* A reset forgets orders and URLs. */
    json_decref(expect(sim, "POST", "/_sim/reset", "", NULL, 200));
    answer = expect(sim, "GET", "/_sim/orders", NULL, NULL, 200);
    assert_int_equal(json_array_size(at(answer, "orders")), 0);
    json_decref(answer);
    answer = expect(sim, "POST", "/_sim/orders", TT_ORDER, NULL, 201);
    assert_true(json_is_true(at(answer, "undelivered")));
    json_decref(answer);
}

/* A platform's fixed path wins over another's captures; {order_id:digits} takes digits only. */
static void routes_with_more_literal_segments_win(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {META_AUTH, NULL};
    /* TikTok's cancellations, though Meta's /{version}/{order_id}/cancellations fits too. */
    json_t *answer = expect(sim, "POST", "/return_refund/202309/cancellations", "{}", auth, 401);
    assert_int_equal(int_at(answer, "code"), 106011);
    json_decref(answer);
    /* Not an order id: no route at all, rather than Meta's error. */
    answer = expect(sim, "GET", "/v21.0/catalogs", NULL, auth, 404);
    assert_non_null(strstr(text_at(answer, "error.message"), "serves no GET"));
    json_decref(answer);
}

/* ---- live bursts ---- */

static void live_bursts_check_their_input(void **state)
{
    struct souk_sim *sim = *state;
    struct {
        const char *body, *param;
    } bad[] = {
        {"{\"skus\": [\"A\"], \"orders\": 1, \"rate\": 1}", "platforms"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [], \"orders\": 1, \"rate\": 1}", "skus"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"rate\": 1}", "orders"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"orders\": 200001, \"rate\": 1}",
         "orders"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 100001}",
         "rate"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 1, "
         "\"concurrency\": 257}",
         "concurrency"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 1, "
         "\"currency\": \"JPY\", \"unit_price\": \"9.99\"}",
         "unit_price"},
        {"{\"platforms\": [\"google\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 1}",
         "platforms"},
        {"{\"platforms\": [\"myspace\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 1}",
         "platforms"},
        {"{\"platforms\": [\"tiktok\"], \"skus\": [\"A\"], \"orders\": 1, \"rate\": 1, "
         "\"speed\": 2}",
         "speed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *error = expect(sim, "POST", "/_sim/live", bad[i].body, NULL, 400);
        if (strcmp(text_at(error, "error.param"), bad[i].param) != 0)
            fail_msg("case %zu: param %s, want %s", i, text_at(error, "error.param"), bad[i].param);
        json_decref(error);
    }
    json_t *orders = expect(sim, "GET", "/_sim/orders", NULL, NULL, 200);
    assert_int_equal(json_array_size(at(orders, "orders")), 0); /* nothing placed */
    json_decref(orders);

    /* No URL registered: TikTok's orders are placed but undelivered; Meta's are polled. */
    json_t *run = expect(sim, "POST", "/_sim/live",
                         "{\"platforms\": [\"meta\", \"tiktok\", \"tiktok\"], \"skus\": "
                         "[\"A\"], \"orders\": 30, \"rate\": 3000, \"quantity\": 3, "
                         "\"currency\": \"JPY\", \"unit_price\": \"1500\"}",
                         NULL, 200);
    assert_int_equal(int_at(run, "orders"), 30);
    assert_int_equal(int_at(run, "platforms.meta"), 10);
    assert_int_equal(int_at(run, "platforms.tiktok"), 20);
    assert_int_equal(int_at(run, "delivered") + int_at(run, "failed"), 0);
    assert_int_equal(int_at(run, "undelivered"), 20);
    assert_true(json_is_null(at(run, "delivery_latency_ms.p50")));
    const char *stream = text_at(run, "live_stream_id"); /* minted for the burst */
    orders = expect(sim, "GET", "/_sim/orders?platform=meta", NULL, NULL, 200);
    assert_string_equal(text_at(orders, "orders.9.live_stream_id"), stream);
    assert_string_equal(text_at(orders, "orders.9.total"), "4500");
    assert_string_equal(text_at(orders, "orders.0.buyer.email"), "live-buyer-1@sim.test");
    assert_string_equal(text_at(orders, "orders.1.buyer.email"), "live-buyer-4@sim.test");
    json_decref(orders);
    json_decref(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amounts_follow_the_currency_exponent),
        cmocka_unit_test(orders_are_validated_field_by_field),
        cmocka_unit_test(status_changes_move_update_time_forward),
        cmocka_unit_test(tiktok_notifications_are_signed_over_app_key_and_body),
        cmocka_unit_test_setup_teardown(tiktok_ship_and_cancel_follow_the_status, start, stop),
        cmocka_unit_test_setup_teardown(meta_acknowledgements_are_idempotent, start, stop),
        cmocka_unit_test_setup_teardown(meta_cancellations_complete_the_order, start, stop),
        cmocka_unit_test_setup_teardown(meta_lists_orders_a_page_at_a_time, start, stop),
        cmocka_unit_test_setup_teardown(control_calls_name_what_is_wrong, start, stop),
        cmocka_unit_test_setup_teardown(routes_with_more_literal_segments_win, start, stop),
        cmocka_unit_test_setup_teardown(live_bursts_check_their_input, start, stop),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

/*
 * Integration tests of orders from the platforms' checkouts: a real souk (demo catalog, sync
 * worker on, Meta polled every 100 ms) and a real `souk sim` that places orders on TikTok Shop
 * (signed webhooks, delivered twice) and on Meta (polled). Each order lands in the book once,
 * with the platform's prices and status; the platform's later changes move it forward and a
 * stale notification does not move it back; what the merchant does in souk (fulfil, cancel)
 * reaches the platform; a shortfall is flagged or cancelled back by the channel's policy; and
 * a channel allocation is what that platform is told it may sell, returning to the pool when
 * the live session ends.
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

#define SKU "DEMO-01-1"  /* 5 units in the newark warehouse in the demo catalog */
#define SKU2 "DEMO-02-1" /* another variant, for the allocation's neighbour */
#define WAREHOUSE "7068517275539719942"

struct world {
    struct souk_h_server souk, sim;
    char tiktok[SOUK_H_ID_MAX], meta[SOUK_H_ID_MAX];
    char base[64];
};

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    setenv("SOUK_ORDER_POLL_MS", "100", 1); /* Meta is polled; the test should not wait 5 s */
    souk_h_start(&w.souk, "--seed-demo");
    souk_h_images_on_sim(&w.souk, &w.sim); /* TikTok takes image files, from the sim */
    snprintf(w.base, sizeof w.base, "http://127.0.0.1:%u", w.sim.port);
    char body[1536];
    snprintf(body, sizeof body,
             "{\"platform\": \"tiktok\", \"name\": \"TikTok US\", \"country\": \"US\", \"locale\": "
             "\"en\", \"currency\": \"USD\", \"base_url\": \"%s\", \"link_template\": "
             "\"https://shop.example/p/{handle}\", \"credentials\": {\"app_key\": "
             "\"sim-tiktok-app-key\", \"app_secret\": \"sim-tiktok-app-secret\", "
             "\"access_token\": \"sim-tiktok-access-token\", \"shop_cipher\": "
             "\"sim-tiktok-shop-cipher\", \"warehouse_id\": \"" WAREHOUSE "\", "
             "\"category_id\": \"601226\"}}",
             w.base);
    souk_h_create(&w.souk, "/v1/channels", body, w.tiktok);
    snprintf(body, sizeof body,
             "{\"platform\": \"meta\", \"name\": \"Instagram US\", \"country\": \"US\", "
             "\"locale\": \"en\", \"currency\": \"USD\", \"base_url\": \"%s\", "
             "\"link_template\": \"https://shop.example/p/{handle}\", \"credentials\": "
             "{\"access_token\": \"sim-meta-access-token\", \"catalog_id\": \"1234567890\", "
             "\"cms_id\": \"2345678901\"}}",
             w.base);
    souk_h_create(&w.souk, "/v1/channels", body, w.meta);
    /* Where TikTok delivers the shop's order notifications: souk's webhook for the channel. */
    souk_h_sim_deliver_to(&w.sim, &w.souk, "tiktok", w.tiktok);
    /* Both platforms hold the catalog before orders arrive. */
    json_decref(souk_h_wait_settled(&w.souk, w.tiktok));
    json_decref(souk_h_wait_settled(&w.souk, w.meta));
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

/* Sends a control request to the sim, asserts the status and returns the parsed answer. */
static json_t *sim_call(struct world *w, const char *method, const char *path, const char *body,
                        long want)
{
    struct souk_h_resp resp;
    souk_h_request(&w->sim, method, path, NULL, body, NULL, &resp);
    if (resp.status != want)
        fail_msg("sim %s %s: HTTP %ld, want %ld: %s", method, path, resp.status, want,
                 resp.body.data);
    json_t *out = json_incref(resp.json);
    souk_h_resp_release(&resp);
    return out;
}

/* Places an order of quantity units of sku on platform in the sim; writes the platform's id. */
static void place(struct world *w, const char *platform, const char *sku, int quantity,
                  const char *extra, char id[SOUK_H_ID_MAX])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"%s\", \"currency\": \"USD\", \"lines\": [{\"sku\": \"%s\", "
             "\"quantity\": %d, \"unit_price\": \"17.99\"}], \"shipping_fee\": \"4.99\", "
             "\"buyer\": {\"name\": \"Ana Live\", \"email\": \"ana@example.com\"}, "
             "\"payment_method\": \"Alipay\", \"live_stream_id\": \"LIVE-1\"%s}",
             platform, sku, quantity, extra ? extra : "");
    json_t *answer = sim_call(w, "POST", "/_sim/orders", body, 201);
    snprintf(id, SOUK_H_ID_MAX, "%s", souk_h_str(answer, "id"));
    if (strcmp(platform, "tiktok") == 0) /* every delivery was answered 200 */
        for (size_t i = 0; i < json_array_size(souk_h_at(answer, "deliveries")); i++)
            assert_int_equal(souk_h_int(json_array_get(souk_h_at(answer, "deliveries"), i),
                                        "status"),
                             200);
    json_decref(answer);
}

/* Waits (10 s) until souk has the channel's order external_id with this status; returns it. */
static json_t *wait_order(struct world *w, const char *channel, const char *external_id,
                          const char *status)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250", channel);
    json_t *found = NULL;
    for (int i = 0; i < 1000 && !found; i++) {
        json_t *page = souk_h_get(&w->souk, path);
        size_t k;
        json_t *o;
        json_array_foreach(souk_h_at(page, "data"), k, o)
        {
            if (strcmp(souk_h_str(o, "external_id"), external_id) == 0 &&
                strcmp(souk_h_str(o, "status"), status) == 0)
                found = json_incref(o);
        }
        json_decref(page);
        if (!found)
            souk_h_sleep_ms(10);
    }
    if (!found) {
        json_t *sync = souk_h_sync_status(&w->souk, channel);
        char *text = json_dumps(souk_h_at(sync, "orders"), 0), intake[1024];
        snprintf(intake, sizeof intake, "%s", text ? text : "?");
        free(text);
        json_decref(sync);
        fail_msg("souk has no %s order %s of channel %s; intake: %s", status, external_id,
                 channel, intake);
    }
    return found;
}

static size_t count_orders(struct world *w, const char *channel)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250", channel);
    return souk_h_count(&w->souk, path);
}

/* The variant's reserved units, over every warehouse. */
static int64_t reserved(struct world *w, const char *sku)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/variants?sku=%s", sku);
    json_t *v = souk_h_get(&w->souk, path);
    int64_t n = 0;
    size_t i;
    json_t *level;
    json_array_foreach(souk_h_at(v, "data[0].stock"), i, level)
        n += souk_h_int(level, "reserved");
    json_decref(v);
    return n;
}

/* Waits (10 s) until the sim's view of the order satisfies path == want (a string). */
static json_t *wait_sim_order(struct world *w, const char *id, const char *path, const char *want)
{
    char url[128];
    snprintf(url, sizeof url, "/_sim/orders/%s", id);
    for (int i = 0; i < 1000; i++) {
        json_t *o = sim_call(w, "GET", url, NULL, 200);
        if (strcmp(souk_h_text(o, path), want) == 0)
            return o;
        json_decref(o);
        souk_h_sleep_ms(10);
    }
    fail_msg("the sim's order %s never had %s = %s", id, path, want);
    return NULL;
}

static void a_tiktok_order_lands_once_and_its_fulfilment_reaches_tiktok(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX];
    place(w, "tiktok", SKU, 2, ", \"deliver\": \"twice\"", id);
    json_t *o = wait_order(w, w->tiktok, id, "confirmed");
    assert_string_equal(souk_h_text(o, "platform.status"), "AWAITING_SHIPMENT");
    assert_string_equal(souk_h_text(o, "currency"), "USD");
    assert_int_equal(souk_h_int(o, "subtotal"), 3598);
    assert_int_equal(souk_h_int(o, "shipping"), 499);
    assert_int_equal(souk_h_int(o, "total"), 4097);
    assert_string_equal(souk_h_text(o, "lines[0].sku"), SKU);
    assert_int_equal(souk_h_int(o, "lines[0].quantity"), 2); /* two units, one line */
    assert_int_equal(souk_h_int(o, "lines[0].unit_price"), 1799);
    assert_string_equal(souk_h_text(o, "payment_method"), "Alipay");
    assert_string_equal(souk_h_text(o, "source.live_stream"), "LIVE-1");
    assert_string_equal(souk_h_text(o, "buyer.email"), "ana@example.com");
    assert_string_equal(souk_h_text(o, "shipping_address.country"), "US");
    assert_true(json_is_null(souk_h_at(o, "stock_issue")));
    char order_id[SOUK_H_ID_MAX];
    snprintf(order_id, sizeof order_id, "%s", souk_h_str(o, "id"));
    json_decref(o);
    assert_int_equal(count_orders(w, w->tiktok), 1); /* delivered twice, taken in once */
    assert_int_equal(reserved(w, SKU), 2);
    /* Every platform now shows two fewer: the reservation is a stock change like any other. */
    souk_h_sim_wait_quantity(&w->sim, "tiktok", SKU, 3);
    souk_h_sim_wait_quantity(&w->sim, "meta", SKU, 3);

    /* The merchant ships it in souk: TikTok gets the package and its tracking number. */
    char path[128];
    snprintf(path, sizeof path, "/v1/orders/%s/fulfil", order_id);
    struct souk_h_resp resp;
    souk_h_request(&w->souk, "POST", path, w->souk.key,
                   "{\"carrier\": \"ups\", \"tracking_number\": \"1Z999AA10123456784\"}", NULL,
                   &resp);
    assert_int_equal(resp.status, 200);
    souk_h_resp_release(&resp);
    json_t *sim_order = wait_sim_order(w, id, "status", "IN_TRANSIT");
    assert_string_equal(souk_h_text(sim_order, "shipments[0].tracking_number"),
                        "1Z999AA10123456784");
    assert_string_equal(souk_h_text(sim_order, "shipments[0].carrier"), "ups");
    json_decref(sim_order);
    assert_int_equal(reserved(w, SKU), 0); /* consumed: on hand went down instead */

    /* TikTok's notification of its own IN_TRANSIT arrives, then a stale AWAITING_SHIPMENT:
     * neither moves the order (it is fulfilled), and the carrier is kept. */
    snprintf(path, sizeof path, "/_sim/orders/%s/notify", id);
    json_decref(sim_call(w, "POST", path, "{\"status\": \"AWAITING_SHIPMENT\"}", 200));
    souk_h_sleep_ms(300);
    o = wait_order(w, w->tiktok, id, "fulfilled");
    assert_string_equal(souk_h_text(o, "fulfilment.tracking_number"), "1Z999AA10123456784");
    json_decref(o);
    json_t *sync = souk_h_sync_status(&w->souk, w->tiktok);
    assert_int_equal(souk_h_int(sync, "orders.updates_pending"), 0);
    assert_int_equal(souk_h_int(sync, "orders.notifications_failed"), 0);
    json_decref(sync);
}

static void a_buyer_cancelling_on_tiktok_releases_the_stock(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX], path[128];
    place(w, "tiktok", SKU, 3, NULL, id);
    json_decref(wait_order(w, w->tiktok, id, "confirmed"));
    assert_int_equal(reserved(w, SKU), 3);
    snprintf(path, sizeof path, "/_sim/orders/%s/status", id);
    json_decref(sim_call(w, "POST", path, "{\"status\": \"CANCELLED\"}", 200));
    json_t *o = wait_order(w, w->tiktok, id, "cancelled");
    assert_string_equal(souk_h_text(o, "platform.status"), "CANCELLED");
    json_decref(o);
    assert_int_equal(reserved(w, SKU), 0);
    souk_h_sim_wait_quantity(&w->sim, "tiktok", SKU, 5);
}

static void a_meta_order_is_polled_acknowledged_and_its_cancellation_told(void **state)
{
    struct world *w = *state;
    char id[SOUK_H_ID_MAX], path[128];
    place(w, "meta", SKU, 1, NULL, id);
    json_t *o = wait_order(w, w->meta, id, "confirmed");
    assert_string_equal(souk_h_text(o, "source.campaign"), "instagram");
    assert_int_equal(souk_h_int(o, "total"), 1799 + 499);
    char order_id[SOUK_H_ID_MAX];
    snprintf(order_id, sizeof order_id, "%s", souk_h_str(o, "id"));
    json_decref(o);
    /* Acknowledged: Meta moves it to IN_PROGRESS and knows souk's order id. */
    json_t *sim_order = wait_sim_order(w, id, "status", "IN_PROGRESS");
    assert_string_equal(souk_h_text(sim_order, "acks[0].merchant_order_reference"), order_id);
    json_decref(sim_order);
    souk_h_sleep_ms(300); /* more polls: the acknowledged order is not taken in again */
    assert_int_equal(count_orders(w, w->meta), 1);

    snprintf(path, sizeof path, "/v1/orders/%s/cancel", order_id);
    struct souk_h_resp resp;
    souk_h_request(&w->souk, "POST", path, w->souk.key, "{\"reason\": \"out of stock\"}", NULL,
                   &resp);
    assert_int_equal(resp.status, 200);
    souk_h_resp_release(&resp);
    sim_order = wait_sim_order(w, id, "cancellations[0].reason_code", "OUT_OF_STOCK");
    assert_true(json_is_true(souk_h_at(sim_order, "cancelled")));
    json_decref(sim_order);
    assert_int_equal(reserved(w, SKU), 0);
}

static void a_shortfall_is_flagged_or_cancelled_back_by_policy(void **state)
{
    struct world *w = *state;
    souk_h_set_stock(&w->souk, SKU, "newark", 1);
    char held[SOUK_H_ID_MAX], cancelled[SOUK_H_ID_MAX], path[128];
    place(w, "tiktok", SKU, 3, NULL, held);
    json_t *o = wait_order(w, w->tiktok, held, "confirmed");
    assert_non_null(strstr(souk_h_text(o, "stock_issue"), SKU));
    assert_string_equal(souk_h_text(o, "lines[0].issue"), "short");
    json_decref(o);
    assert_int_equal(reserved(w, SKU), 0); /* nothing half-reserved */

    /* The same shortfall with the channel set to cancel: TikTok is told, as out of stock. */
    snprintf(path, sizeof path, "/v1/channels/%s", w->tiktok);
    struct souk_h_resp resp;
    souk_h_request(&w->souk, "PATCH", path, w->souk.key, "{\"orders\": {\"on_shortfall\": "
                                                       "\"cancel\"}}",
                   NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(souk_h_text(resp.json, "orders.on_shortfall"), "cancel");
    souk_h_resp_release(&resp);
    place(w, "tiktok", SKU, 2, NULL, cancelled);
    o = wait_order(w, w->tiktok, cancelled, "cancelled");
    assert_non_null(strstr(souk_h_text(o, "cancel_reason"), "out of stock"));
    json_decref(o);
    json_t *sim_order = wait_sim_order(w, cancelled, "status", "CANCELLED");
    assert_string_equal(souk_h_text(sim_order, "cancellations[0].reason_code"),
                        "seller_cancel_reason_out_of_stock");
    json_decref(sim_order);
    snprintf(path, sizeof path, "/v1/orders?channel=%s&stock_issue=true", w->tiktok);
    assert_int_equal(souk_h_count(&w->souk, path), 2);
    json_t *sync = souk_h_sync_status(&w->souk, w->tiktok);
    assert_int_equal(souk_h_int(sync, "orders.stock_issues"), 2);
    json_decref(sync);

    snprintf(path, sizeof path, "/v1/channels/%s", w->tiktok);
    souk_h_request(&w->souk, "PATCH", path, w->souk.key, "{\"orders\": {\"on_shortfall\": "
                                                       "\"sometimes\"}}",
                   NULL, &resp);
    souk_h_assert_error(&resp, 400, "invalid_request", "orders.on_shortfall");
    souk_h_resp_release(&resp);
}

static void an_allocation_is_what_its_platform_may_sell(void **state)
{
    struct world *w = *state;
    char path[160], alloc[SOUK_H_ID_MAX];
    snprintf(path, sizeof path, "/v1/channels/%s/allocations", w->tiktok);
    souk_h_create(&w->souk, path, "{\"sku\": \"" SKU "\", \"quantity\": 3, \"live_session\": "
                                  "\"drop-1\"}",
                  alloc);
    /* TikTok may sell the 3 held for it; everyone else the other 2. */
    souk_h_sim_wait_quantity(&w->sim, "tiktok", SKU, 3);
    souk_h_sim_wait_quantity(&w->sim, "meta", SKU, 2);
    assert_int_equal(reserved(w, SKU), 3);

    /* More than is left to hold is refused, and so is a second allocation of the SKU. */
    struct souk_h_resp resp;
    souk_h_request(&w->souk, "POST", path, w->souk.key, "{\"sku\": \"" SKU2 "\", \"quantity\": "
                                                       "1000}",
                   NULL, &resp);
    souk_h_assert_error(&resp, 409, "out_of_stock", "quantity");
    souk_h_resp_release(&resp);
    souk_h_request(&w->souk, "POST", path, w->souk.key, "{\"sku\": \"" SKU "\", \"quantity\": 1}",
                   NULL, &resp);
    souk_h_assert_error(&resp, 409, "conflict", "sku");
    souk_h_resp_release(&resp);

    /* A TikTok order draws on the allocation: TikTok may now sell 1, the others still 2. */
    char id[SOUK_H_ID_MAX];
    place(w, "tiktok", SKU, 2, NULL, id);
    json_decref(wait_order(w, w->tiktok, id, "confirmed"));
    souk_h_sim_wait_quantity(&w->sim, "tiktok", SKU, 1);
    assert_int_equal(reserved(w, SKU), 3);
    char get[256];
    snprintf(get, sizeof get, "%s/%s", path, alloc);
    json_t *a = souk_h_get(&w->souk, get);
    assert_int_equal(souk_h_int(a, "sold"), 2);
    assert_int_equal(souk_h_int(a, "left"), 1);
    json_decref(a);

    /* The live session ends: the unsold unit goes back to the pool for every channel. */
    snprintf(get, sizeof get, "/v1/channels/%s/live_sessions/drop-1/end", w->tiktok);
    souk_h_request(&w->souk, "POST", get, w->souk.key, NULL, NULL, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(souk_h_int(resp.json, "ended"), 1);
    souk_h_resp_release(&resp);
    assert_int_equal(reserved(w, SKU), 2); /* the order's two */
    souk_h_sim_wait_quantity(&w->sim, "tiktok", SKU, 3);
    souk_h_sim_wait_quantity(&w->sim, "meta", SKU, 3);
}

/* Waits (30 s) until souk holds n orders of the channel; returns the list's total. */
static size_t wait_order_count(struct world *w, const char *channel, size_t n)
{
    size_t have = 0;
    for (int i = 0; i < 3000 && have < n; i++) {
        have = 0;
        char path[256] = "";
        const char *after = "";
        for (bool more = true; more;) {
            snprintf(path, sizeof path, "/v1/orders?channel=%s&limit=250%s%s", channel,
                     *after ? "&after=" : "", after);
            json_t *page = souk_h_get(&w->souk, path);
            have += json_array_size(souk_h_at(page, "data"));
            more = json_is_true(souk_h_at(page, "has_more"));
            static char cursor[SOUK_H_ID_MAX];
            snprintf(cursor, sizeof cursor, "%s", souk_h_text(page, "next_cursor"));
            after = cursor;
            json_decref(page);
        }
        if (have < n)
            souk_h_sleep_ms(10);
    }
    return have;
}

/*
 * A live drop: 200 buyers in a burst, half through TikTok's signed webhooks, half through
 * Meta's polled list, all for one SKU with 50 units of which 20 are held for TikTok. Every
 * platform order is in the book exactly once, exactly 50 units are reserved (TikTok's 20 from
 * its allocation), and the other 150 orders are flagged, not dropped.
 */
static void a_live_burst_sells_exactly_the_stock_there_is(void **state)
{
    struct world *w = *state;
    souk_h_set_stock(&w->souk, SKU, "newark", 50);
    char path[160], alloc[SOUK_H_ID_MAX];
    snprintf(path, sizeof path, "/v1/channels/%s/allocations", w->tiktok);
    souk_h_create(&w->souk, path, "{\"sku\": \"" SKU "\", \"quantity\": 20, \"live_session\": "
                                  "\"drop-1\"}",
                  alloc);
    json_t *burst = sim_call(w, "POST", "/_sim/live",
                             "{\"platforms\": [\"tiktok\", \"meta\"], \"skus\": [\"" SKU "\"], "
                             "\"orders\": 200, \"rate\": 2000, \"concurrency\": 32, "
                             "\"unit_price\": \"17.99\", \"live_stream_id\": \"drop-1\"}",
                             200);
    assert_int_equal(souk_h_int(burst, "delivered"), 100); /* TikTok's, each answered 2xx */
    json_decref(burst);
    assert_int_equal(wait_order_count(w, w->tiktok, 100), 100);
    assert_int_equal(wait_order_count(w, w->meta, 100), 100);

    /* Every order the platforms hold is in the book once: no loss, no duplicate. */
    json_t *placed = sim_call(w, "GET", "/_sim/orders", NULL, 200);
    size_t i;
    json_t *order;
    json_array_foreach(souk_h_at(placed, "orders"), i, order)
    {
        const char *channel =
            strcmp(souk_h_str(order, "platform"), "tiktok") == 0 ? w->tiktok : w->meta;
        char q[256];
        snprintf(q, sizeof q, "/v1/orders?channel=%s&limit=250", channel);
        json_t *page = souk_h_get(&w->souk, q);
        int seen = 0;
        size_t k;
        json_t *o;
        for (bool more = true; more;) {
            json_array_foreach(souk_h_at(page, "data"), k, o)
            seen += strcmp(souk_h_str(o, "external_id"), souk_h_str(order, "id")) == 0;
            more = json_is_true(souk_h_at(page, "has_more"));
            if (more) {
                snprintf(q, sizeof q, "/v1/orders?channel=%s&limit=250&after=%s", channel,
                         souk_h_text(page, "next_cursor"));
                json_decref(page);
                page = souk_h_get(&w->souk, q);
            }
        }
        json_decref(page);
        if (seen != 1)
            fail_msg("platform order %s is in the book %d times", souk_h_str(order, "id"), seen);
    }
    json_decref(placed);

    /* Exactly the stock there is was sold: 20 from TikTok's quota, 30 from the pool. */
    assert_int_equal(reserved(w, SKU), 50);
    snprintf(path, sizeof path, "/v1/channels/%s/allocations/%s", w->tiktok, alloc);
    json_t *a = souk_h_get(&w->souk, path);
    assert_int_equal(souk_h_int(a, "sold"), 20);
    json_decref(a);
    json_t *t = souk_h_sync_status(&w->souk, w->tiktok), *m = souk_h_sync_status(&w->souk, w->meta);
    assert_int_equal(souk_h_int(t, "orders.stock_issues") + souk_h_int(m, "orders.stock_issues"),
                     150);
    assert_int_equal(souk_h_int(t, "orders.notifications_failed"), 0);
    assert_int_equal(souk_h_int(m, "orders.notifications_failed"), 0);
    json_decref(t);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_tiktok_order_lands_once_and_its_fulfilment_reaches_tiktok, setup, teardown),
        cmocka_unit_test_setup_teardown(a_buyer_cancelling_on_tiktok_releases_the_stock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_meta_order_is_polled_acknowledged_and_its_cancellation_told, setup, teardown),
        cmocka_unit_test_setup_teardown(a_shortfall_is_flagged_or_cancelled_back_by_policy,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_allocation_is_what_its_platform_may_sell, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_live_burst_sells_exactly_the_stock_there_is, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

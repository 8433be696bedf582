/*
 * Integration tests of the sim's orders with `souk sim` run as a process: orders placed through
 * the control endpoints reach a webhook receiver on loopback signed as TikTok signs them, once
 * or twice, in order or stale; souk's side of the platform APIs (TikTok's signed order reads,
 * packages and cancellations; Meta's order list, acknowledgements and shipments) changes them;
 * and GET /_sim/orders shows what came back. The receiver is a libmicrohttpd server in this
 * process that keeps every request it gets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sig/sig.h"

#define MAX_RECEIVED 4096
#define META_AUTH "Authorization: Bearer sim-meta-access-token"

/* ---- the webhook receiver ---- */

struct received {
    char authorization[128];
    char *body; /* owned, NUL-terminated */
};

struct receiver {
    struct MHD_Daemon *daemon;
    uint16_t port;
    int status; /* what it answers */
    int shed;   /* answers this many requests first with 503, as a receiver under load does */
    pthread_mutex_t lock;
    struct received got[MAX_RECEIVED];
    size_t n;
};

struct upload {
    struct souk_buf body;
};

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    struct receiver *r = cls;
    struct upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        u->body = (struct souk_buf)SOUK_BUF_INIT(1 << 20);
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        if (souk_buf_add(&u->body, data, *size) != SOUK_OK)
            return MHD_NO;
        *size = 0;
        return MHD_YES;
    }
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    pthread_mutex_lock(&r->lock);
    if (r->n < MAX_RECEIVED) {
        struct received *got = &r->got[r->n++];
        snprintf(got->authorization, sizeof got->authorization, "%s", auth ? auth : "");
        got->body = strdup(u->body.data);
    }
    int status = r->shed > 0 ? 503 : r->status;
    if (r->shed > 0)
        r->shed--;
    pthread_mutex_unlock(&r->lock);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void on_hook_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct upload *u = *con_cls;
    if (u) {
        souk_buf_release(&u->body);
        free(u);
    }
    *con_cls = NULL;
}

static void receiver_start(struct receiver *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    pthread_mutex_init(&r->lock, NULL);
    r->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                         NULL, on_hook, r, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&(struct sockaddr_in){
                             .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
                         MHD_OPTION_NOTIFY_COMPLETED, on_hook_done, NULL,
                         MHD_OPTION_CONNECTION_LIMIT, 512u, MHD_OPTION_END);
    assert_non_null(r->daemon);
    r->port = MHD_get_daemon_info(r->daemon, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void receiver_stop(struct receiver *r)
{
    MHD_stop_daemon(r->daemon);
    for (size_t i = 0; i < r->n; i++)
        free(r->got[i].body);
    pthread_mutex_destroy(&r->lock);
}

static size_t receiver_count(struct receiver *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* Waits (up to 10 s) until the receiver holds n requests. */
static void receiver_wait(struct receiver *r, size_t n)
{
    for (int i = 0; i < 1000 && receiver_count(r) < n; i++)
        souk_h_sleep_ms(10);
    if (receiver_count(r) != n)
        fail_msg("the receiver got %zu notifications, want %zu", receiver_count(r), n);
}

/* Request i, parsed (json_decref it); fails the test unless its Authorization is TikTok's
 * signature of it with these credentials. */
static json_t *received_signed(struct receiver *r, size_t i, const char *app_key,
                               const char *app_secret)
{
    char want[SOUK_SIG_HEX_MAX];
    struct souk_buf msg = SOUK_BUF_INIT(1 << 20);
    pthread_mutex_lock(&r->lock);
    struct received got = r->got[i];
    pthread_mutex_unlock(&r->lock);
    assert_int_equal(souk_buf_addstr(&msg, app_key), SOUK_OK);
    assert_int_equal(souk_buf_addstr(&msg, got.body), SOUK_OK);
    souk_sig_hmac_sha256_hex(souk_str_from(app_secret), (struct souk_str){msg.data, msg.len}, want);
    souk_buf_release(&msg);
    if (strcmp(got.authorization, want) != 0)
        fail_msg("notification %zu: Authorization \"%s\", want \"%s\"", i, got.authorization, want);
    json_t *body = json_loads(got.body, 0, NULL);
    assert_non_null(body);
    return body;
}

static const char *received_body(struct receiver *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    const char *body = r->got[i].body;
    pthread_mutex_unlock(&r->lock);
    return body;
}

/* ---- fixtures ---- */

struct fixture {
    struct souk_h_server sim;
    struct receiver hooks;
};

static int setup(void **state)
{
    static struct fixture f; /* cmocka runs one test at a time */
    souk_h_sim_start(&f.sim, NULL);
    receiver_start(&f.hooks);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_h_cleanup(&f->sim);
    receiver_stop(&f->hooks);
    return 0;
}

/* POSTs a control body and asserts the status; returns the parsed answer (json_decref it). */
static json_t *control(struct fixture *f, const char *path, const char *body, long status)
{
    struct souk_h_resp r;
    souk_h_request(&f->sim, "POST", path, NULL, body, NULL, &r);
    if (r.status != status)
        fail_msg("POST %s: %ld %s, want %ld", path, r.status, r.body.data, status);
    json_t *json = json_incref(r.json);
    souk_h_resp_release(&r);
    return json;
}

static void register_hook(struct fixture *f)
{
    char body[128];
    snprintf(body, sizeof body, "{\"platform\": \"tiktok\", \"url\": \"http://127.0.0.1:%u/tts\"}",
             f->hooks.port);
    json_decref(control(f, "/_sim/webhooks", body, 200));
}

/* A signed TikTok Shop call with the default credentials; ids (may be NULL) joins the query. */
static json_t *tiktok(struct fixture *f, const char *method, const char *path, const char *ids,
                      const char *body, long status)
{
    char ts[24], sign[SOUK_SIG_HEX_MAX], url[1024];
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    struct souk_sig_param params[] = {{"app_key", "sim-tiktok-app-key"},
                                      {"shop_cipher", "sim-tiktok-shop-cipher"},
                                      {"timestamp", ts},
                                      {"ids", ids ? ids : ""}};
    assert_int_equal(souk_sig_tiktok("sim-tiktok-app-secret", path, params, ids ? 4 : 3,
                                     souk_str_from(body ? body : ""), sign),
                     SOUK_OK);
    snprintf(url, sizeof url,
             "%s?app_key=sim-tiktok-app-key&shop_cipher=sim-tiktok-shop-cipher"
             "&timestamp=%s&sign=%s%s%s",
             path, ts, sign, ids ? "&ids=" : "", ids ? ids : "");
    const char *headers[] = {"x-tts-access-token: sim-tiktok-access-token", NULL};
    struct souk_h_resp r;
    souk_h_request(&f->sim, method, url, NULL, body, headers, &r);
    if (r.status != status)
        fail_msg("%s %s: %ld %s, want %ld", method, path, r.status, r.body.data, status);
    json_t *json = json_incref(r.json);
    souk_h_resp_release(&r);
    return json;
}

static json_t *sim_order(struct fixture *f, const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/_sim/orders/%s", id);
    return souk_h_get(&f->sim, path);
}

#define TT_ORDER                                                                                   \
    "{\"platform\": \"tiktok\", \"currency\": \"USD\", \"lines\": [{\"sku\": \"SKU-1\", "          \
    "\"quantity\": 2, \"unit_price\": \"19.99\"}], \"shipping_fee\": \"4.99\", "                   \
    "\"buyer\": {\"name\": \"Ana Live\", \"email\": \"ana@example.com\"}, "                        \
    "\"payment_method\": \"PayPal\", \"live_stream_id\": \"LIVE-1\""

/* ---- TikTok ---- */

static void tiktok_orders_reach_the_webhook_signed(void **state)
{
    struct fixture *f = *state;
    register_hook(f);
    json_t *placed = control(f, "/_sim/orders", TT_ORDER ", \"deliver\": \"twice\"}", 201);
    char id[SOUK_H_ID_MAX];
    snprintf(id, sizeof id, "%s", souk_h_str(placed, "id"));
    assert_string_equal(souk_h_str(placed, "status"), "AWAITING_SHIPMENT");
    assert_int_equal(souk_h_int(placed, "deliveries[0].status"), 200);
    assert_int_equal(souk_h_int(placed, "deliveries[1].status"), 200);
    assert_string_equal(souk_h_text(placed, "deliveries[0].notification_id"),
                        souk_h_text(placed, "deliveries[1].notification_id"));

    /* Delivered before the answer: twice, byte for byte the same, signed. */
    assert_int_equal(receiver_count(&f->hooks), 2);
    assert_string_equal(received_body(&f->hooks, 0), received_body(&f->hooks, 1));
    json_t *note = received_signed(&f->hooks, 0, "sim-tiktok-app-key", "sim-tiktok-app-secret");
    assert_int_equal(souk_h_int(note, "type"), 1);
    assert_string_equal(souk_h_text(note, "tts_notification_id"),
                        souk_h_text(placed, "deliveries[0].notification_id"));
    assert_string_equal(souk_h_text(note, "shop_id"), "7494000000000001");
    assert_string_equal(souk_h_text(note, "data.order_id"), id);
    assert_string_equal(souk_h_text(note, "data.order_status"), "AWAITING_SHIPMENT");
    int64_t created = souk_h_int(note, "data.update_time");
    json_decref(note);
    json_decref(placed);

    /* souk reads it the way TikTok serves it. */
    json_t *read = tiktok(f, "GET", "/order/202309/orders", id, NULL, 200);
    assert_int_equal(souk_h_int(read, "code"), 0);
    json_t *order = souk_h_at(read, "data.orders[0]");
    assert_string_equal(souk_h_str(order, "buyer_email"), "ana@example.com");
    assert_string_equal(souk_h_str(order, "payment_method_name"), "PayPal");
    assert_string_equal(souk_h_str(order, "live_stream_id"), "LIVE-1");
    assert_string_equal(souk_h_text(order, "payment.total_amount"), "44.97");
    assert_string_equal(souk_h_text(order, "recipient_address.region_code"), "US");
    assert_int_equal(souk_h_int(order, "update_time"), created);
    assert_int_equal(json_array_size(souk_h_at(order, "line_items")), 2);
    json_decref(read);

    /* Shipping answers first, then TikTok tells of the change it made. */
    char path[128];
    snprintf(path, sizeof path, "/fulfillment/202309/orders/%s/packages", id);
    json_decref(tiktok(f, "POST", path, NULL,
                       "{\"tracking_number\": \"1Z999\", \"shipping_provider_id\": \"ups\"}", 200));
    receiver_wait(&f->hooks, 3);
    note = received_signed(&f->hooks, 2, "sim-tiktok-app-key", "sim-tiktok-app-secret");
    assert_string_equal(souk_h_text(note, "data.order_status"), "IN_TRANSIT");
    int64_t shipped = souk_h_int(note, "data.update_time");
    assert_true(shipped > created);
    json_decref(note);

    /* The carrier delivers; then a stale notification arrives out of order. */
    snprintf(path, sizeof path, "/_sim/orders/%s/status", id);
    json_t *changed = control(f, path, "{\"status\": \"DELIVERED\"}", 200);
    assert_int_equal(souk_h_int(changed, "deliveries[0].status"), 200);
    json_decref(changed);
    snprintf(path, sizeof path, "/_sim/orders/%s/notify", id);
    json_t *stale = control(f, path, "{\"status\": \"AWAITING_SHIPMENT\"}", 200);
    assert_string_equal(souk_h_str(stale, "status"), "DELIVERED");
    json_decref(stale);
    receiver_wait(&f->hooks, 5);
    note = received_signed(&f->hooks, 3, "sim-tiktok-app-key", "sim-tiktok-app-secret");
    assert_string_equal(souk_h_text(note, "data.order_status"), "DELIVERED");
    int64_t delivered = souk_h_int(note, "data.update_time");
    json_decref(note);
    note = received_signed(&f->hooks, 4, "sim-tiktok-app-key", "sim-tiktok-app-secret");
    assert_string_equal(souk_h_text(note, "data.order_status"), "AWAITING_SHIPMENT");
    assert_true(souk_h_int(note, "data.update_time") < delivered);
    json_decref(note);

    /* The sim's record: status, the shipment souk sent, every notification and its answers. */
    order = sim_order(f, id);
    assert_string_equal(souk_h_str(order, "status"), "DELIVERED");
    assert_string_equal(souk_h_text(order, "shipments[0].tracking_number"), "1Z999");
    assert_string_equal(souk_h_text(order, "shipments[0].carrier"), "ups");
    assert_int_equal(json_array_size(souk_h_at(order, "notifications")), 4);
    assert_int_equal(json_array_size(souk_h_at(order, "notifications[0].deliveries")), 2);
    assert_string_equal(souk_h_text(order, "notifications[1].order_status"), "IN_TRANSIT");
    assert_int_equal(souk_h_int(order, "notifications[1].deliveries[0].status"), 200);
    json_decref(order);
}

static void tiktok_cancellations_are_notified(void **state)
{
    struct fixture *f = *state;
    register_hook(f);
    json_t *placed = control(f, "/_sim/orders", TT_ORDER ", \"deliver\": \"none\"}", 201);
    assert_int_equal(json_array_size(souk_h_at(placed, "deliveries")), 0);
    char id[SOUK_H_ID_MAX], body[256];
    snprintf(id, sizeof id, "%s", souk_h_str(placed, "id"));
    json_decref(placed);
    assert_int_equal(receiver_count(&f->hooks), 0);

    snprintf(body, sizeof body,
             "{\"order_id\": \"%s\", \"cancel_reason\": "
             "\"seller_cancel_reason_out_of_stock\"}",
             id);
    json_decref(tiktok(f, "POST", "/return_refund/202309/cancellations", NULL, body, 200));
    receiver_wait(&f->hooks, 1);
    json_t *note = received_signed(&f->hooks, 0, "sim-tiktok-app-key", "sim-tiktok-app-secret");
    assert_string_equal(souk_h_text(note, "data.order_status"), "CANCELLED");
    json_decref(note);
    json_t *read = tiktok(f, "GET", "/order/202309/orders", id, NULL, 200);
    assert_string_equal(souk_h_text(read, "data.orders[0].cancel_reason"),
                        "seller_cancel_reason_out_of_stock");
    json_decref(read);
    json_t *order = sim_order(f, id);
    assert_true(json_is_true(souk_h_at(order, "cancelled")));
    assert_string_equal(souk_h_text(order, "cancellations[0].reason_code"),
                        "seller_cancel_reason_out_of_stock");
    json_decref(order);

    /* A receiver that fails is recorded as it answered; nothing is retried. */
    pthread_mutex_lock(&f->hooks.lock);
    f->hooks.status = 503;
    pthread_mutex_unlock(&f->hooks.lock);
    placed = control(f, "/_sim/orders", TT_ORDER "}", 201);
    assert_int_equal(souk_h_int(placed, "deliveries[0].status"), 503);
    json_decref(placed);
    assert_int_equal(receiver_count(&f->hooks), 2);
}

static void tiktok_credentials_come_from_the_config(void **state)
{
    char dir[] = "/tmp/souk-sim-orders-XXXXXX", path[64], body[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sim.json", dir);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("{\"tiktok\": {\"app_key\": \"k-9\", \"app_secret\": \"s-9\", \"shop_id\": \"42\"}}",
          file);
    fclose(file);
    struct fixture f;
    souk_h_sim_start(&f.sim, path);
    receiver_start(&f.hooks);
    snprintf(body, sizeof body, "{\"platform\": \"tiktok\", \"url\": \"http://127.0.0.1:%u/\"}",
             f.hooks.port);
    json_decref(control(&f, "/_sim/webhooks", body, 200));
    json_decref(control(&f, "/_sim/orders", TT_ORDER "}", 201));
    json_t *note = received_signed(&f.hooks, 0, "k-9", "s-9");
    assert_string_equal(souk_h_str(note, "shop_id"), "42");
    json_decref(note);
    souk_h_cleanup(&f.sim);
    receiver_stop(&f.hooks);
    unlink(path);
    rmdir(dir);
}

/* ---- Meta ---- */

static void meta_orders_are_polled_acknowledged_and_shipped(void **state)
{
    struct fixture *f = *state;
    const char *auth[] = {META_AUTH, NULL};
    const char *form[] = {META_AUTH, "Content-Type: application/x-www-form-urlencoded", NULL};
    char body[128];
    snprintf(body, sizeof body, "{\"platform\": \"meta\", \"url\": \"http://127.0.0.1:%u/\"}",
             f->hooks.port);
    json_decref(control(f, "/_sim/webhooks", body, 400)); /* Meta has sellers poll */
    json_t *placed =
        control(f, "/_sim/orders",
                "{\"platform\": \"meta\", \"currency\": \"EUR\", \"lines\": [{\"sku\": "
                "\"SKU-1\", \"quantity\": 2, \"unit_price\": \"49.90\"}], "
                "\"shipping_fee\": \"3.50\", \"creator\": \"@ana\"}",
                201);
    char id[SOUK_H_ID_MAX], path[256];
    snprintf(id, sizeof id, "%s", souk_h_str(placed, "id"));
    assert_string_equal(souk_h_str(placed, "status"), "CREATED");
    assert_int_equal(json_array_size(souk_h_at(placed, "deliveries")), 0);
    assert_null(souk_h_at(placed, "undelivered"));
    json_decref(placed);

    struct souk_h_resp r;
    souk_h_request(&f->sim, "GET", "/v21.0/2345678901/commerce_orders?state=CREATED&limit=10", NULL,
                   NULL, auth, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_text(r.json, "data[0].id"), id);
    assert_string_equal(souk_h_text(r.json, "data[0].order_status.state"), "CREATED");
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v21.0/%s?access_token=sim-meta-access-token", id);
    souk_h_request(&f->sim, "GET", path, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_text(r.json, "channel"), "instagram");
    assert_string_equal(souk_h_text(r.json, "creator"), "@ana");
    assert_string_equal(souk_h_text(r.json, "estimated_payment_details.total_amount.amount"),
                        "103.30");
    assert_string_equal(souk_h_text(r.json, "items.data[0].price_per_unit.currency"), "EUR");
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v21.0/%s/acknowledge_order", id);
    for (int i = 0; i < 2; i++) {
        souk_h_request(&f->sim, "POST", path, NULL,
                       "idempotency_key=ack-1&merchant_order_reference=ord_01", form, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(souk_h_text(r.json, "state"), "IN_PROGRESS");
        souk_h_resp_release(&r);
    }
    souk_h_request(&f->sim, "POST", path, NULL, "idempotency_key=ack-2", form, &r);
    assert_int_equal(r.status, 400);
    assert_int_equal(souk_h_int(r.json, "error.code"), 100);
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v21.0/%s/shipments", id);
    souk_h_request(&f->sim, "POST", path, NULL,
                   "idempotency_key=ship-1&items=%5B%7B%22retailer_id%22%3A%22SKU-1%22%2C%22"
                   "quantity%22%3A2%7D%5D&tracking_info=%7B%22tracking_number%22%3A%22DHL1%22%2C"
                   "%22carrier%22%3A%22DHL%22%7D",
                   form, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(souk_h_at(r.json, "success")));
    souk_h_resp_release(&r);

    souk_h_request(&f->sim, "GET", "/v21.0/2345678901/commerce_orders?state=COMPLETED", NULL, NULL,
                   auth, &r);
    assert_string_equal(souk_h_text(r.json, "data[0].id"), id);
    souk_h_resp_release(&r);
    json_t *order = sim_order(f, id);
    assert_string_equal(souk_h_str(order, "status"), "COMPLETED");
    assert_string_equal(souk_h_text(order, "acks[0].merchant_order_reference"), "ord_01");
    assert_string_equal(souk_h_text(order, "shipments[0].tracking_number"), "DHL1");
    assert_int_equal(souk_h_int(order, "lines[0].shipped"), 2);
    assert_int_equal(json_array_size(souk_h_at(order, "notifications")), 0);
    json_decref(order);
    assert_int_equal(receiver_count(&f->hooks), 0);
}

/* ---- live-shopping bursts ---- */

/* How many TikTok orders the first n notifications received announce, each checked signed. */
static size_t distinct_tiktok_orders(struct receiver *hooks, size_t n)
{
    json_t *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *note = received_signed(hooks, i, "sim-tiktok-app-key", "sim-tiktok-app-secret");
        json_object_set_new(seen, souk_h_text(note, "data.order_id"), json_true());
        json_decref(note);
    }
    size_t distinct = json_object_size(seen);
    json_decref(seen);
    return distinct;
}

static void live_bursts_deliver_every_tiktok_order(void **state)
{
    struct fixture *f = *state;
    register_hook(f);
    json_t *run = control(f, "/_sim/live",
                          "{\"platforms\": [\"tiktok\", \"meta\"], \"skus\": [\"SKU-1\", "
                          "\"SKU-2\"], \"orders\": 200, \"rate\": 1000, \"concurrency\": 8, "
                          "\"live_stream_id\": \"LIVE-7\"}",
                          200);
    assert_int_equal(souk_h_int(run, "orders"), 200);
    assert_int_equal(souk_h_int(run, "platforms.tiktok"), 100);
    assert_int_equal(souk_h_int(run, "platforms.meta"), 100);
    assert_int_equal(souk_h_int(run, "delivered"), 100);
    assert_int_equal(souk_h_int(run, "failed"), 0);
    assert_int_equal(souk_h_int(run, "undelivered"), 0);
    assert_true(json_is_number(souk_h_at(run, "delivery_latency_ms.p99")));
    assert_true(json_number_value(souk_h_at(run, "rate_achieved")) > 0);
    json_decref(run);

    /* Every TikTok order was announced once, signed, under an id of its own. */
    assert_int_equal(receiver_count(&f->hooks), 100);
    assert_int_equal(distinct_tiktok_orders(&f->hooks, 100), 100);

    json_t *orders = souk_h_get(&f->sim, "/_sim/orders?platform=tiktok");
    json_t *list = souk_h_at(orders, "orders");
    assert_int_equal(json_array_size(list), 100);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *order = json_array_get(list, i);
        assert_string_equal(souk_h_str(order, "live_stream_id"), "LIVE-7");
        assert_int_equal(souk_h_int(order, "notifications[0].deliveries[0].status"), 200);
    }
    /* Round-robin: the SKUs alternate within a platform. */
    assert_string_equal(souk_h_text(list, "[0].lines[0].sku"), "SKU-1");
    assert_string_equal(souk_h_text(list, "[1].lines[0].sku"), "SKU-2");
    json_decref(orders);
    assert_int_equal(souk_h_count(&f->sim, "/v21.0/2345678901/commerce_orders?limit=100&"
                                           "access_token=sim-meta-access-token"),
                     100);
}

/* A notification answered 503 is sent again, as the platform retries: no order goes unheard. */
static void a_live_burst_retries_what_the_receiver_shed(void **state)
{
    struct fixture *f = *state;
    register_hook(f);
    pthread_mutex_lock(&f->hooks.lock);
    f->hooks.shed = 15;
    pthread_mutex_unlock(&f->hooks.lock);
    json_t *run = control(f, "/_sim/live",
                          "{\"platforms\": [\"tiktok\"], \"skus\": [\"SKU-1\"], \"orders\": 40, "
                          "\"rate\": 1000, \"concurrency\": 8}",
                          200);
    assert_int_equal(souk_h_int(run, "delivered"), 40);
    assert_int_equal(souk_h_int(run, "failed"), 0);
    assert_int_equal(souk_h_int(run, "retried"), 15);
    json_decref(run);
    assert_int_equal(receiver_count(&f->hooks), 55);
    /* the retries repeat orders, none is new */
    assert_int_equal(distinct_tiktok_orders(&f->hooks, 55), 40);

    /* A receiver that never answers 2xx: each order is tried five times, then counted failed. */
    pthread_mutex_lock(&f->hooks.lock);
    f->hooks.status = 500;
    pthread_mutex_unlock(&f->hooks.lock);
    run = control(f, "/_sim/live",
                  "{\"platforms\": [\"tiktok\"], \"skus\": [\"SKU-1\"], \"orders\": 2, "
                  "\"rate\": 1000, \"concurrency\": 8}",
                  200);
    assert_int_equal(souk_h_int(run, "delivered"), 0);
    assert_int_equal(souk_h_int(run, "failed"), 2);
    assert_int_equal(souk_h_int(run, "retried"), 8);
    json_decref(run);
    assert_int_equal(receiver_count(&f->hooks), 65);
}

static void souk_sim_live_prints_the_summary(void **state)
{
    struct fixture *f = *state;
    char url[64];
    register_hook(f);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", f->sim.port);
    struct souk_buf out = SOUK_BUF_INIT(8192), err = SOUK_BUF_INIT(8192);
    assert_int_equal(souk_h_run(NULL, &out, &err, "sim", "live", "--sim", url, "--platforms",
                                "tiktok", "--skus", "SKU-1,SKU-2", "--orders", "50", "--rate",
                                "500", "--concurrency", "4", "--live-stream", "LS-CLI", NULL),
                     0);
    assert_non_null(strstr(out.data, "50 orders (tiktok 50)"));
    assert_non_null(strstr(out.data, "50 delivered, 0 failed"));
    assert_non_null(strstr(out.data, "live stream LS-CLI"));
    assert_int_equal(receiver_count(&f->hooks), 50);

    /* The sim refuses: exit 1 with its message. */
    souk_buf_reset(&err);
    assert_int_equal(souk_h_run(NULL, NULL, &err, "sim", "live", "--sim", url, "--platforms",
                                "pinterest", "--skus", "SKU-1", "--orders", "5", "--rate", "5",
                                NULL),
                     1);
    assert_non_null(strstr(err.data, "pinterest takes no orders"));

    /* Nothing listens: exit 1 saying so. */
    souk_buf_reset(&err);
    assert_int_equal(souk_h_run(NULL, NULL, &err, "sim", "live", "--sim", "http://127.0.0.1:1",
                                "--skus", "SKU-1", "--orders", "5", "--rate", "5", NULL),
                     1);
    assert_non_null(strstr(err.data, "cannot reach the sim"));
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "sim", "live", "--skus", "SKU-1", NULL), 2);
    souk_buf_release(&out);
    souk_buf_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tiktok_orders_reach_the_webhook_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(tiktok_cancellations_are_notified, setup, teardown),
        cmocka_unit_test(tiktok_credentials_come_from_the_config),
        cmocka_unit_test_setup_teardown(meta_orders_are_polled_acknowledged_and_shipped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(live_bursts_deliver_every_tiktok_order, setup, teardown),
        cmocka_unit_test_setup_teardown(a_live_burst_retries_what_the_receiver_shed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(souk_sim_live_prints_the_summary, setup, teardown),
    };
    curl_global_init(CURL_GLOBAL_ALL); /* once, before any thread uses curl */
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

/*
 * wechat: a WeChat Channels shop (微信小店): the access token, order detail and shipping, and
 * the order event pushes WeChat sends to the merchant's message-push URL.
 *
 * Follows WeChat's public documentation (developers.weixin.qq.com; see
 * docs/internals/wechat.md for what was checked):
 * - GET /cgi-bin/token?grant_type=client_credential&appid=&secret= answers {"access_token",
 *   "expires_in": 7200}; a wrong appid is errcode 40013, a wrong secret 40125 (WeChat's own).
 * - Every other call carries ?access_token=; a wrong one is errcode 40001 (WeChat's own).
 * - POST /channels/ec/order/get {"order_id"} and POST /channels/ec/order/delivery/send
 *   {"order_id", "delivery_list": [{"delivery_id", "waybill_id"}]}.
 * - WeChat answers errors with HTTP 200 and {"errcode", "errmsg"}; errcode 0 is success.
 * - Pushes (plaintext mode, JSON): POST <url>?signature=&timestamp=&nonce= where signature is
 *   the hex SHA-1 of token, timestamp and nonce sorted and joined, with the body {"ToUserName",
 *   "FromUserName", "CreateTime", "MsgType": "event", "Event", "order_info": {"order_id"}}.
 * Status words are WeChat's numbers as text: "10" awaiting payment, "20" paid (awaiting
 * shipment), "21" partly shipped, "30" shipped, "100" completed, "200" and "250" cancelled.
 * Codes other than the ones named above are the sim's (docs/internals/sim.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_BODY (1 << 20)
#define TOKEN_LIFE_S 7200

#define CODE_INVALID_TOKEN 40001
#define CODE_INVALID_APPID 40013
#define CODE_INVALID_SECRET 40125
#define CODE_INVALID 47001      /* data format error */
#define CODE_BUSY (-1)          /* system error */
#define CODE_QUOTA 45009        /* over the API's quota */
#define CODE_NOT_FOUND 100002   /* the sim's: no such order */
#define CODE_SHIP_FAILED 109000 /* from the mini shop's delivery API: cannot ship */
#define CODE_SHIPPED 109001     /* likewise: already shipped */

static const char *const credentials[] = {"appid", "secret", "token", "access_token", NULL};
static const char *const defaults[] = {"wxsim0000000001", "sim-wechat-secret", "sim-wechat-token",
                                       "sim-wechat-access-token", NULL};

static void answer(struct souk_sim__req *req, int status, int code, const char *message)
{
    souk_sim__reply(req, status, json_pack("{s:i, s:s}", "errcode", code, "errmsg", message));
}

/* WeChat answers its errors with HTTP 200; an injected 5xx stands for its gateway failing, and
 * an injected 401 or 403 for a token WeChat no longer takes (sim). */
static void wechat_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                         const char *message)
{
    switch (kind) {
    case SOUK_SIM__INVALID:
        answer(req, 200, CODE_INVALID, message);
        return;
    case SOUK_SIM__NOT_FOUND:
        answer(req, 200, CODE_NOT_FOUND, message);
        return;
    case SOUK_SIM__TOO_BIG:
        answer(req, 413, CODE_INVALID, message);
        return;
    case SOUK_SIM__RATE_LIMITED:
        answer(req, 200, CODE_QUOTA, "reach max api daily quota limit");
        return;
    case SOUK_SIM__UNAVAILABLE:
        if (status == 401 || status == 403)
            answer(req, 200, CODE_INVALID_TOKEN,
                   "invalid credential, access_token is invalid or not latest");
        else
            answer(req, status, CODE_BUSY, "system error");
        return;
    }
}

static bool wechat_authenticate(struct souk_sim__req *req)
{
    if (strcmp(req->path, "/cgi-bin/token") == 0) {
        const char *grant = souk_sim__query(req, "grant_type");
        if (!grant || strcmp(grant, "client_credential") != 0)
            answer(req, 200, CODE_INVALID, "invalid grant_type");
        else if (!souk_sig_equal(souk_sim__query(req, "appid"), souk_sim__credential(req, "appid")))
            answer(req, 200, CODE_INVALID_APPID, "invalid appid");
        else if (!souk_sig_equal(souk_sim__query(req, "secret"),
                                 souk_sim__credential(req, "secret")))
            answer(req, 200, CODE_INVALID_SECRET, "invalid appsecret");
        else
            return true;
        return false;
    }
    if (souk_sig_equal(souk_sim__query(req, "access_token"),
                       souk_sim__credential(req, "access_token")))
        return true;
    answer(req, 200, CODE_INVALID_TOKEN,
           "invalid credential, access_token is invalid or not latest");
    return false;
}

/* GET /cgi-bin/token: the configured token (authenticate checked the appid and secret). */
static void get_token(struct souk_sim__req *req)
{
    souk_sim__reply(req, 200,
                    json_pack("{s:s, s:i}", "access_token",
                              souk_sim__credential(req, "access_token"), "expires_in",
                              TOKEN_LIFE_S));
}

/* ---- orders ---- */

static const char *const order_statuses[] = {"10", "20", "21", "30", "100", "200", "250", NULL};
static const char *const shippable[] = {"20", "21", NULL};

static json_int_t number(const char *text)
{
    int64_t n = 0;
    return souk_str_to_i64(souk_str_from(text), 0, INT64_MAX, &n) == SOUK_OK ? (json_int_t)n : 0;
}

/* The event WeChat pushes when an order reaches status. */
static const char *event_of(const char *status)
{
    static const struct {
        const char *status, *event;
    } events[] = {
        {"10", "channels_ec_order_new"},      {"20", "channels_ec_order_pay"},
        {"21", "channels_ec_order_deliver"},  {"30", "channels_ec_order_deliver"},
        {"100", "channels_ec_order_confirm"}, {"200", "channels_ec_order_cancel"},
        {"250", "channels_ec_order_cancel"},
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(events[i].status, status) == 0)
            return events[i].event;
    return "channels_ec_order_ext_info_update";
}

static int append_json(const char *buffer, size_t size, void *data)
{
    return souk_buf_add(data, buffer, size) == SOUK_OK ? 0 : -1;
}

/*
 * A push as WeChat sends one in plaintext mode: the event in JSON, CreateTime the order's
 * update time (so a retry is the same bytes), signed in the URL's query with the token, now as
 * the timestamp and the notification id as the nonce.
 */
static void order_notification(const struct souk_sim__bound *b,
                               const struct souk_sim__notice *notice,
                               struct souk_sim__delivery *out)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:{s:I}}", "ToUserName", "gh_sim_shop", "FromUserName",
        "o-sim-buyer", "CreateTime", (json_int_t)notice->update_time, "MsgType", "event", "Event",
        event_of(notice->status), "order_info", "order_id", number(notice->order_id));
    if (json_dump_callback(body, append_json, &out->body, JSON_COMPACT) != 0)
        abort(); /* a push is a few hundred bytes; the buffer's cap is far above */
    json_decref(body);
    char timestamp[24], signature[SOUK_SIG_HEX_MAX];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)(souk_time_now_us() / 1000000));
    souk_sig_wechat(souk_sim__bound_credential(b, "token"), timestamp, notice->notification_id,
                    signature);
    size_t len = strlen(out->url);
    snprintf(out->url + len, sizeof out->url - len, "%ssignature=%s&timestamp=%s&nonce=%s",
             strchr(out->url, '?') ? "&" : "?", signature, timestamp, notice->notification_id);
}

static const struct souk_sim__order_rules order_rules = {
    .initial_status = "20",
    .statuses = order_statuses,
    .unpaid_status = "10",
    .cancelled_status = "250",
    .notification = order_notification,
};

static json_t *order_view(const struct souk_sim__order *o)
{
    const struct souk_sim__address *a = &o->address;
    json_t *products = json_array();
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_sim__line *l = &o->lines[i];
        json_array_append_new(products,
                              json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "product_id",
                                        l->product_id, "sku_id", l->sku_id, "sku_code", l->sku,
                                        "sku_cnt", (json_int_t)l->quantity, "sale_price",
                                        (json_int_t)l->unit_price, "title", l->product_name));
    }
    json_t *delivery =
        json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "address_info", "user_name", a->name,
                  "tel_number", a->phone, "province_name", a->state, "city_name", a->city,
                  "county_name", a->line2, "detail_info", a->line1, "postal_code", a->postal_code);
    json_t *shipment = json_array_get(o->shipments, json_array_size(o->shipments) - 1);
    if (shipment) /* copies: the view is rendered after the lock is released */
        json_object_set_new(delivery, "delivery_product_info",
                            json_pack("[{s:s, s:s}]", "waybill_id",
                                      souk_sim__str(shipment, "tracking_number"), "delivery_id",
                                      souk_sim__str(shipment, "carrier")));
    int64_t subtotal = souk_sim__order_subtotal(o);
    json_t *detail = json_pack(
        "{s:o, s:{s:I, s:I, s:I, s:I}, s:{s:s}, s:o}", "product_infos", products, "price_info",
        "product_price", (json_int_t)subtotal, "order_price", (json_int_t)souk_sim__order_total(o),
        "freight", (json_int_t)o->shipping_fee, "discounted_price", (json_int_t)o->discount,
        "pay_info", "pay_method", o->payment_method, "delivery_info", delivery);
    return json_pack("{s:s, s:I, s:I, s:I, s:s, s:o}", "order_id", o->id, "status",
                     number(o->status), "create_time", (json_int_t)o->create_time, "update_time",
                     (json_int_t)o->update_time, "openid", o->user_id, "order_detail", detail);
}

/* The order id of a request body: a string or a JSON number, as WeChat's examples differ. */
static const char *body_order_id(struct souk_sim__req *req, json_t *body)
{
    json_t *id = json_object_get(body, "order_id");
    if (json_is_integer(id))
        return souk_pool_printf(req->pool, "%lld", (long long)json_integer_value(id));
    return json_string_value(id);
}

/* This shop's order with the id, under the orders lock; NULL once it has answered and released
 * the lock. */
static struct souk_sim__order *order_locked(struct souk_sim__req *req, const char *id)
{
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *o = id ? souk_sim__order_find(req->orders, id) : NULL;
    if (o && o->platform == req->platform)
        return o;
    souk_sim__orders_unlock(req->orders);
    answer(req, 200, CODE_NOT_FOUND, "order not exist");
    return NULL;
}

/* POST /channels/ec/order/get {"order_id"}. */
static void get_order(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req);
    if (!body)
        return;
    const char *id = body_order_id(req, body);
    struct souk_sim__order *o;
    if (!id) {
        answer(req, 200, CODE_INVALID, "order_id is required");
    } else if ((o = order_locked(req, id))) {
        json_t *view = order_view(o);
        souk_sim__orders_unlock(req->orders);
        souk_sim__reply(req, 200,
                        json_pack("{s:i, s:s, s:o}", "errcode", 0, "errmsg", "ok", "order", view));
    }
    json_decref(body);
}

/* POST /channels/ec/order/delivery/send: the seller ships every open unit. */
static void send_delivery(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req);
    if (!body)
        return;
    const char *id = body_order_id(req, body);
    json_t *first = json_array_get(json_object_get(body, "delivery_list"), 0);
    static const char *const required[] = {"delivery_id", "waybill_id", NULL};
    struct souk_sim__order *o;
    struct souk_sim__notice notice;
    if (!id || !first || souk_sim__missing(first, required)) {
        answer(req, 200, CODE_INVALID,
               "order_id and delivery_list [{delivery_id, waybill_id}] are required");
    } else if ((o = order_locked(req, id))) {
        if (!souk_sim__one_of(o->status, shippable)) {
            bool shipped = strcmp(o->status, "30") == 0 || strcmp(o->status, "100") == 0;
            answer(req, 200, shipped ? CODE_SHIPPED : CODE_SHIP_FAILED,
                   shipped ? "order already delivered" : "order status does not allow delivery");
        } else {
            for (size_t u = 0; u < o->nunits; u++)
                if (o->units[u] == SOUK_SIM__UNIT_OPEN)
                    o->units[u] = SOUK_SIM__UNIT_SHIPPED;
            souk_sim__order_touch(o);
            snprintf(o->status, sizeof o->status, "30");
            souk_sim__order_record(&o->shipments,
                                   json_pack("{s:O, s:O, s:O}", "tracking_number",
                                             json_object_get(first, "waybill_id"), "carrier",
                                             json_object_get(first, "delivery_id"), "delivery_list",
                                             json_object_get(body, "delivery_list")));
            souk_sim__notice_of(req, o, &notice);
            souk_sim__notify_after(req, &notice);
            answer(req, 200, 0, "ok");
        }
        souk_sim__orders_unlock(req->orders);
    }
    json_decref(body);
}

static const struct souk_sim__route routes[] = {
    {"GET", "/cgi-bin/token", get_token, 0},
    {"POST", "/channels/ec/order/get", get_order, MAX_BODY},
    {"POST", "/channels/ec/order/delivery/send", send_delivery, MAX_BODY},
};

const struct souk_sim__platform souk_sim__wechat = {
    .name = "wechat",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .orders = &order_rules,
    .authenticate = wechat_authenticate,
    .error = wechat_error,
};

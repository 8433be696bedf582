/*
 * wechat: orders from a WeChat Channels shop (微信小店 / 视频号小店, the mini-program shop).
 *
 * Follows WeChat's public documentation (developers.weixin.qq.com, read 2026-12; what was
 * checked and what was not is in docs/internals/wechat.md):
 * - Message push (消息推送), plaintext mode: WeChat checks the push URL with a GET carrying
 *   signature, timestamp, nonce and echostr, where signature is the hex SHA-1 of token,
 *   timestamp and nonce sorted and joined (shared/platform-facts.md §2.11); the URL echoes
 *   echostr. Every push is then a POST to the same URL with the same query signature and a
 *   JSON body (the console's data format must be JSON). The signature covers no body bytes,
 *   so souk also refuses a timestamp more than 300 s from its clock (a replay), and each event
 *   only names an order whose detail is fetched fresh: a replayed push cannot carry data.
 * - Order events (doc/store/shop/notify/order_callback): {"ToUserName", "FromUserName",
 *   "CreateTime", "MsgType": "event", "Event": "channels_ec_order_new" | _pay | _cancel |
 *   _wait_shipping | _deliver | _confirm | ..., "order_info": {"order_id": <number>}}, answered
 *   with the text "success". WeChat retries an unanswered push up to 10 times in about 3.6 h,
 *   with the same body: Event, order id and CreateTime dedupe it.
 * - getAccessToken: GET /cgi-bin/token?grant_type=client_credential&appid=&secret= answers
 *   {"access_token", "expires_in": 7200}; it is cached per channel in the worker's client (in
 *   memory) until 5 minutes before it expires. Errors come as HTTP 200 with {"errcode",
 *   "errmsg"}; 40001, 40014 and 42001 say the token is invalid or expired: souk fetches a new
 *   one and retries once.
 * - Get order detail: POST /channels/ec/order/get?access_token= {"order_id"} answers
 *   {"errcode": 0, "order": {"order_id", "status", "create_time", "update_time",
 *   "order_detail": {"product_infos": [{"sku_code", "sku_cnt", "sale_price", "title"}],
 *   "price_info": {"product_price", "order_price", "freight", "discounted_price"}, "pay_info":
 *   {"pay_method"}, "delivery_info": {"address_info": {"user_name", "tel_number",
 *   "province_name", "city_name", "county_name", "detail_info", "postal_code"}}}}}; amounts
 *   are integers in fen (CNY minor units). sku_code is the merchant's SKU code: a line without
 *   one cannot be matched and the order is refused with that reason.
 * - Statuses: 10 awaiting payment, 20 paid and awaiting shipment, 21 partly shipped, 30 shipped,
 *   100 completed, 200 cancelled by after-sales, 250 cancelled: mapped as the table below says.
 * - Shipping: POST /channels/ec/order/delivery/send?access_token= {"order_id", "delivery_list":
 *   [{"delivery_id": carrier code, "waybill_id": tracking number, "deliver_type": 1}]}.
 * - WeChat has no API for a seller to cancel an order (a paid order ends through after-sales,
 *   which the buyer starts): a cancellation in souk is recorded as refused by the platform,
 *   saying so, and the merchant refunds in the WeChat shop console.
 * The catalog push (images, products, prices, stock) is wechat_catalog.c's; souk serves WeChat
 * no feed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/time.h"

#define TOKEN_PATH "/cgi-bin/token"
#define ORDER_PATH "/channels/ec/order/get"
#define DELIVERY_PATH "/channels/ec/order/delivery/send"
#define MAX_SKEW_S 300     /* how far a push's timestamp may be from souk's clock */
#define TOKEN_MARGIN_S 300 /* a token is fetched again this long before it expires */
#define MAX_ECHO 512       /* bytes of an echostr souk sends back */

static const struct {
    int wechat;
    const char *souk;
} statuses[] = {
    {10, "pending"},    {20, "confirmed"},  {21, "allocated"},  {30, "fulfilled"},
    {100, "delivered"}, {200, "cancelled"}, {250, "cancelled"},
};

static const char *souk_status(json_t *status)
{
    for (size_t i = 0; json_is_integer(status) && i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].wechat == json_integer_value(status))
            return statuses[i].souk;
    return NULL;
}

/* The events that name an order whose status may have changed. */
static const char *const order_events[] = {
    "channels_ec_order_new",
    "channels_ec_order_pay",
    "channels_ec_order_cancel",
    "channels_ec_order_wait_shipping",
    "channels_ec_order_deliver",
    "channels_ec_order_confirm",
    NULL,
};

static bool is_order_event(const char *event)
{
    for (const char *const *e = order_events; *e; e++)
        if (strcmp(*e, event) == 0)
            return true;
    return false;
}

/* ---- the push URL: its GET check and every push's signature ---- */

int souk_channels__wechat_verify(const struct souk_channel *c,
                                 const struct souk_channels_webhook *w, struct souk_err *err)
{
    const char *token = souk_channels__credential(c, "token");
    const char *signature = w->query ? w->query(w->ctx, "signature") : NULL;
    const char *timestamp = w->query ? w->query(w->ctx, "timestamp") : NULL;
    const char *nonce = w->query ? w->query(w->ctx, "nonce") : NULL;
    int64_t ts = 0, now = souk_time_now_us() / 1000000;
    if (!signature || !timestamp || !nonce)
        return souk_err_set(err, SOUK_EUNAUTH, "signature",
                            "WeChat's signature is missing: the URL needs signature, timestamp "
                            "and nonce query parameters");
    if (!token)
        return souk_err_set(err, SOUK_EUNAUTH, NULL,
                            "the channel has no token to check WeChat's signature with");
    if (souk_str_to_i64(souk_str_from(timestamp), 0, INT64_MAX / 2, &ts) != SOUK_OK ||
        llabs(ts - now) > MAX_SKEW_S)
        return souk_err_set(err, SOUK_EUNAUTH, "timestamp",
                            "the timestamp is not unix seconds within %d s of souk's clock: a "
                            "stale or replayed push",
                            MAX_SKEW_S);
    char expected[SOUK_SIG_HEX_MAX];
    souk_sig_wechat(token, timestamp, nonce, expected);
    if (!souk_sig_equal(signature, expected))
        return souk_err_set(err, SOUK_EUNAUTH, "signature",
                            "the signature is not WeChat's over this timestamp and nonce with "
                            "the channel's token");
    return SOUK_OK;
}

int souk_channels__wechat_challenge(const struct souk_channel *c,
                                    const struct souk_channels_webhook *w, struct souk_pool *pool,
                                    const char **echo, struct souk_err *err)
{
    int rc = souk_channels__wechat_verify(c, w, err);
    if (rc != SOUK_OK)
        return rc;
    const char *echostr = w->query(w->ctx, "echostr");
    if (!echostr || !*echostr || strlen(echostr) > MAX_ECHO)
        return souk_err_set(err, SOUK_EINVAL, "echostr",
                            "WeChat's URL check needs echostr (1 to %d bytes)", MAX_ECHO);
    *echo = souk_pool_strdup(pool, echostr);
    return SOUK_OK;
}

/* The order id of an event: WeChat writes it as a JSON number; a string is taken too. */
static const char *order_id_text(struct souk_pool *pool, json_t *id)
{
    if (json_is_integer(id) && json_integer_value(id) > 0)
        return souk_pool_printf(pool, "%lld", (long long)json_integer_value(id));
    const char *s = json_string_value(id);
    return s && *s ? souk_pool_strdup(pool, s) : NULL;
}

int souk_channels__wechat_parse(struct souk_pool *pool, struct souk_str body,
                                struct souk_channels__notice **out, size_t *n, struct souk_err *err)
{
    *n = 0;
    if (body.len > 0 && body.ptr[0] == '<')
        return souk_err_set(err, SOUK_EINVAL, NULL,
                            "souk reads WeChat's pushes as JSON: set the message push data "
                            "format to JSON in the WeChat console");
    json_error_t jerr;
    json_t *root = json_loadb(body.ptr, body.len, JSON_REJECT_DUPLICATES, &jerr);
    const char *event = json_string_value(json_object_get(root, "Event"));
    json_t *created = json_object_get(root, "CreateTime");
    int rc = SOUK_OK;
    if (!json_is_object(root) || !event || !json_is_integer(created)) {
        rc = souk_err_set(err, SOUK_EINVAL, NULL,
                          "not a WeChat event push: it needs Event and CreateTime");
    } else if (is_order_event(event)) {
        const char *order =
            order_id_text(pool, json_object_get(json_object_get(root, "order_info"), "order_id"));
        if (!order) {
            rc = souk_err_set(err, SOUK_EINVAL, "order_info.order_id",
                              "an order event needs order_info.order_id");
        } else {
            struct souk_channels__notice *notice = souk_pool_alloc(pool, sizeof *notice);
            notice->order_id = order;
            notice->event_id = souk_pool_printf(pool, "%s:%s:%lld", event, order,
                                                (long long)json_integer_value(created));
            notice->status = souk_pool_strdup(pool, event);
            *out = notice;
            *n = 1;
        }
    }
    /* Other events (settlement, after-sales, products, messages) are acknowledged, unused. */
    json_decref(root);
    return rc;
}

/* ---- calls: the access token, and the API behind it ---- */

/* True when s is made of the characters WeChat's appids and secrets are, so it needs no
 * escaping in a query. */
static bool plain(const char *s)
{
    for (; s && *s; s++)
        if (!(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
            *s != '_' && *s != '-')
            return false;
    return s != NULL;
}

int64_t souk_channels__wechat_errcode(json_t *answer)
{
    json_t *code = json_object_get(answer, "errcode");
    return json_is_integer(code) ? json_integer_value(code) : 0;
}

static bool token_refused(int64_t code)
{
    return code == 40001 || code == 40014 || code == 42001;
}

bool souk_channels__wechat_transient(int64_t code)
{
    /* busy and quota codes, and a token still refused after a fresh one */
    return code == -1 || code == 45009 || code == 45011 || token_refused(code);
}

void souk_channels__wechat_failed(struct souk_channels__batch_outcome *out, const char *what,
                                  json_t *answer)
{
    const char *message = json_string_value(json_object_get(answer, "errmsg"));
    snprintf(out->error, sizeof out->error, "%s: WeChat errcode %lld (%.160s)", what,
             (long long)souk_channels__wechat_errcode(answer), message ? message : "no errmsg");
}

/* The channel's access token into out: the cached one unless fresh is set. A failure fills
 * fail and returns false. */
static bool access_token(const struct souk_channel *c, struct souk_channels__client *client,
                         struct souk_pool *pool, bool fresh, char out[SOUK_CHANNELS__TOKEN_MAX],
                         struct souk_channels__batch_outcome *fail)
{
    const char *appid = souk_channels__credential(c, "appid");
    const char *secret = souk_channels__credential(c, "secret");
    const char *key = souk_pool_printf(pool, "%s:%s", c->id, appid ? appid : "");
    int64_t now = souk_time_now_us();
    if (!plain(appid) || !plain(secret)) {
        snprintf(fail->error, sizeof fail->error,
                 "the channel's appid or secret is missing or holds characters WeChat's never "
                 "do (letters, digits, _ and -)");
        return false;
    }
    if (fresh)
        souk_channels__client_token_forget(client, key);
    else if (souk_channels__client_token_get(client, key, now, out))
        return true;
    const char *url =
        souk_pool_printf(pool, "%s" TOKEN_PATH "?grant_type=client_credential&appid=%s&secret=%s",
                         c->base_url, appid, secret);
    struct souk_channels__response resp;
    int call_rc;
    json_t *answer = souk_channels__exchange(client, url, NULL, NULL, &resp, &call_rc);
    const char *token = json_string_value(json_object_get(answer, "access_token"));
    json_t *expires = json_object_get(answer, "expires_in");
    bool ok = token && *token && strlen(token) < SOUK_CHANNELS__TOKEN_MAX &&
              json_is_integer(expires) && json_integer_value(expires) > 0;
    if (ok) {
        int64_t life = json_integer_value(expires);
        life -= life > 2 * TOKEN_MARGIN_S ? TOKEN_MARGIN_S : life / 2;
        snprintf(out, SOUK_CHANNELS__TOKEN_MAX, "%s", token);
        souk_channels__client_token_put(client, key, token, now + life * 1000000);
    } else if (answer) {
        souk_channels__wechat_failed(
            fail, "WeChat gave no access token for the channel's appid and secret", answer);
    } else {
        souk_channels__batch_failed(&resp, call_rc, NULL, 0, fail);
    }
    json_decref(answer);
    souk_channels__response_release(&resp);
    return ok;
}

json_t *souk_channels__wechat_post(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, const char *query, const char *content_type,
                                   struct souk_str body, struct souk_channels__batch_outcome *fail)
{
    json_t *answer = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        char token[SOUK_CHANNELS__TOKEN_MAX];
        json_decref(answer);
        answer = NULL;
        if (!access_token(c, client, pool, attempt > 0, token, fail))
            break;
        struct souk_channels__request req = {
            .url = souk_pool_printf(pool, "%s%s?access_token=%s%s", c->base_url, path, token,
                                    query ? query : ""),
            .content_type = content_type,
            .body = body.ptr,
            .body_len = body.len,
        };
        struct souk_channels__response resp;
        int call_rc = souk_channels__client_call(client, &req, &resp);
        json_error_t jerr;
        if (call_rc == SOUK_OK && resp.status == 200)
            answer = json_loadb(resp.body.data, resp.body.len, 0, &jerr);
        if (!json_is_object(answer)) {
            json_decref(answer);
            answer = NULL;
            souk_channels__batch_failed(&resp, call_rc, NULL, 0, fail);
        }
        souk_channels__response_release(&resp);
        if (!answer || !token_refused(souk_channels__wechat_errcode(answer)))
            break;
    }
    return answer;
}

json_t *souk_channels__wechat_call(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, json_t *body,
                                   struct souk_channels__batch_outcome *fail)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    json_t *answer = souk_channels__wechat_post(c, client, pool, path, NULL, NULL,
                                                souk_str_from(text), fail);
    souk_free(text);
    return answer;
}

/* ---- get order detail ---- */

/* A non-negative integer amount in fen; absent counts as 0. */
static bool fen(json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = v ? json_integer_value(v) : 0;
    return !v || (json_is_integer(v) && *out >= 0);
}

/* One line per sku_code and price. */
static const char *read_lines(struct souk_pool *pool, json_t *products, struct souk_order *o)
{
    size_t n = json_array_size(products);
    if (n == 0)
        return "the order has no order_detail.product_infos";
    o->lines = souk_pool_alloc(pool, n * sizeof *o->lines);
    o->nlines = 0;
    size_t i;
    json_t *p;
    json_array_foreach(products, i, p)
    {
        const char *sku = souk_channels__json_text(pool, p, "sku_code");
        json_t *count = json_object_get(p, "sku_cnt");
        int64_t price;
        if (!sku)
            return souk_pool_printf(pool,
                                    "product_infos[%zu] has no sku_code: give the SKU its "
                                    "merchant code in the WeChat shop so souk can match it",
                                    i);
        if (!json_is_integer(count) || json_integer_value(count) < 1 ||
            json_integer_value(count) > SOUK_ORDERS_MAX_QUANTITY)
            return souk_pool_printf(pool, "product_infos[%zu].sku_cnt is not a count of units", i);
        if (!json_object_get(p, "sale_price") || !fen(p, "sale_price", &price))
            return souk_pool_printf(pool, "product_infos[%zu].sale_price is not an amount in fen",
                                    i);
        struct souk_order_line *line = NULL;
        for (size_t j = 0; j < o->nlines && !line; j++)
            if (strcmp(o->lines[j].sku, sku) == 0 && o->lines[j].unit_price == price)
                line = &o->lines[j];
        if (!line) {
            line = &o->lines[o->nlines++];
            *line = (struct souk_order_line){
                .sku = (char *)sku,
                .unit_price = price,
                .title = (char *)souk_channels__json_text(pool, p, "title")};
        }
        line->quantity += json_integer_value(count);
        if (line->quantity > SOUK_ORDERS_MAX_QUANTITY)
            return souk_pool_printf(pool, "the order has more than %d units of %s",
                                    SOUK_ORDERS_MAX_QUANTITY, sku);
    }
    return n > SOUK_ORDERS_MAX_LINES
               ? souk_pool_printf(pool, "the order has more than %d lines", SOUK_ORDERS_MAX_LINES)
               : NULL;
}

/* The address as one text: province, city, county and street, as Chinese addresses read. */
static char *full_address(struct souk_pool *pool, const struct souk_order *o)
{
    const char *parts[] = {o->ship_region, o->ship_city, o->ship_line2, o->ship_line1};
    const char *text = "";
    for (size_t i = 0; i < 4; i++)
        if (parts[i])
            text = souk_pool_printf(pool, "%s%s%s", text, *text ? " " : "", parts[i]);
    return *text ? (char *)text : NULL;
}

/* Reads the order of an order/get answer into o; returns what is wrong with it, or NULL. */
static const char *read_order(struct souk_pool *pool, json_t *in, struct souk_order *o)
{
    json_t *detail = json_object_get(in, "order_detail");
    json_t *price = json_object_get(detail, "price_info");
    json_t *address = json_object_get(json_object_get(detail, "delivery_info"), "address_info");
    json_t *status = json_object_get(in, "status");
    json_t *updated = json_object_get(in, "update_time");
    if (!souk_status(status))
        return souk_pool_printf(pool, "WeChat status %lld is not one souk knows",
                                json_is_integer(status) ? (long long)json_integer_value(status)
                                                        : -1LL);
    if (!json_is_integer(updated) || json_integer_value(updated) <= 0)
        return "the order has no update_time";
    memcpy(o->currency, "CNY", 4);
    o->status = (char *)souk_status(status);
    o->platform_status = souk_pool_printf(pool, "%lld", (long long)json_integer_value(status));
    o->platform_updated_at = json_integer_value(updated) * 1000000;
    if (!fen(price, "product_price", &o->subtotal) || !fen(price, "freight", &o->shipping) ||
        !fen(price, "discounted_price", &o->discount) || !fen(price, "order_price", &o->total))
        return "the order's price_info amounts are not amounts in fen";
    o->buyer_name = (char *)souk_channels__json_text(pool, address, "user_name");
    o->buyer_phone = (char *)souk_channels__json_text(pool, address, "tel_number");
    o->ship_name = o->buyer_name;
    o->ship_region = (char *)souk_channels__json_text(pool, address, "province_name");
    o->ship_city = (char *)souk_channels__json_text(pool, address, "city_name");
    o->ship_line2 = (char *)souk_channels__json_text(pool, address, "county_name");
    o->ship_line1 = (char *)souk_channels__json_text(pool, address, "detail_info");
    o->ship_postal_code = (char *)souk_channels__json_text(pool, address, "postal_code");
    o->ship_country = address ? "CN" : NULL; /* WeChat shops deliver within China */
    o->ship_address = full_address(pool, o);
    o->payment_method =
        (char *)souk_channels__json_text(pool, json_object_get(detail, "pay_info"), "pay_method");
    json_t *shipped = json_array_get(
        json_object_get(json_object_get(detail, "delivery_info"), "delivery_product_info"), 0);
    o->carrier = (char *)souk_channels__json_text(pool, shipped, "delivery_id");
    o->tracking_number = (char *)souk_channels__json_text(pool, shipped, "waybill_id");
    const char *problem = read_lines(pool, json_object_get(detail, "product_infos"), o);
    if (!problem)
        o->external_id = (char *)order_id_text(pool, json_object_get(in, "order_id"));
    return problem ? problem : o->external_id ? NULL : "the order has no order_id";
}

int souk_channels__wechat_fetch(const struct souk_channel *c, struct souk_channels__client *client,
                                struct souk_pool *pool, const char *const *ids, size_t n,
                                struct souk_order *orders, const char **problems,
                                struct souk_channels__batch_outcome *out)
{
    /* One order per call: a failure of one stops the batch, and all of it is tried again. */
    for (size_t i = 0; i < n && !out->error[0]; i++) {
        json_t *answer = souk_channels__wechat_call(c, client, pool, ORDER_PATH,
                                                    json_pack("{s:s}", "order_id", ids[i]), out);
        json_t *order = json_object_get(answer, "order");
        if (answer && souk_channels__wechat_errcode(answer) == 0 && json_is_object(order)) {
            problems[i] = read_order(pool, order, &orders[i]);
            if (problems[i])
                orders[i].external_id = NULL;
        } else if (answer) {
            souk_channels__wechat_failed(
                out, souk_pool_printf(pool, "order/get of %.40s", ids[i]), answer);
        }
        json_decref(answer);
    }
    if (out->error[0])
        for (size_t i = 0; i < n; i++) {
            memset(&orders[i], 0, sizeof orders[i]);
            problems[i] = NULL;
        }
    return SOUK_OK;
}

/* ---- telling WeChat what the seller did ---- */

enum souk_channels__result
souk_channels__wechat_update(const struct souk_channel *c, struct souk_channels__client *client,
                             struct souk_pool *pool, const struct souk_order *o, const char *action,
                             const char **error, struct souk_channels__batch_outcome *out)
{
    if (strcmp(action, "ship") != 0) {
        *error = "WeChat has no API for a seller to cancel an order: refund it through "
                 "after-sales in the WeChat shop console";
        return SOUK_CHANNELS__REJECTED;
    }
    json_t *body =
        json_pack("{s:s, s:[{s:s, s:s, s:i}]}", "order_id", o->external_id, "delivery_list",
                  "delivery_id", o->carrier ? o->carrier : "", "waybill_id",
                  o->tracking_number ? o->tracking_number : "", "deliver_type", 1);
    json_t *answer = souk_channels__wechat_call(c, client, pool, DELIVERY_PATH, body, out);
    int64_t code = souk_channels__wechat_errcode(answer);
    enum souk_channels__result r = SOUK_CHANNELS__RETRY;
    if (answer && code == 0) {
        r = SOUK_CHANNELS__PUSHED;
    } else if (answer && souk_channels__wechat_transient(code)) {
        souk_channels__wechat_failed(out, "delivery/send", answer);
    } else if (answer) {
        const char *message = json_string_value(json_object_get(answer, "errmsg"));
        *error = souk_pool_printf(pool, "%s (WeChat errcode %lld)", message ? message : "refused",
                                  (long long)code);
        r = SOUK_CHANNELS__REJECTED;
    }
    json_decref(answer);
    return r;
}

static const char *const credentials[] = {"appid", "secret", "token", NULL};
/* For the catalog push only (wechat_catalog.c says why they are credentials). */
static const char *const optional_credentials[] = {"category_ids", "freight_template_id", NULL};

/* What /diagnostics checks (souk serves WeChat no feed): the add API's required members and
 * limits; souk_channels__wechat_rules adds the rules a column cannot say. */
static const struct souk_channels__column columns[] = {
    {"out_sku_id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 0},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 60},
    {"head_imgs", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"sale_price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
};

const struct souk_channels__connector souk_channels__wechat = {
    .platform = "wechat",
    .doc = "WeChat Channels shop: message push, order callbacks, order/get, delivery/send, "
           "basics/img/upload, product add/get/update/listing, stock/update "
           "(developers.weixin.qq.com, read 2026-12)",
    .default_base_url = "https://api.weixin.qq.com",
    .credentials = credentials,
    .optional_credentials = optional_credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "",
    .push = souk_channels__wechat_push,
    .batch_max = 50, /* one call per stock change: a batch stays short */
    .upload_images = 9, /* head_imgs holds 3 to 9 of WeChat's own (wechat_catalog.c) */
    .rules = souk_channels__wechat_rules,
    .webhook_verify = souk_channels__wechat_verify,
    .webhook_parse = souk_channels__wechat_parse,
    .webhook_challenge = souk_channels__wechat_challenge,
    .webhook_ack = "success",
    .orders_fetch = souk_channels__wechat_fetch,
    .orders_fetch_max = 20,
    .order_update = souk_channels__wechat_update,
};

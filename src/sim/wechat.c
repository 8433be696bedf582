/*
 * wechat: a WeChat Channels shop (微信小店): the access token, order detail and shipping, the
 * order event pushes WeChat sends to the merchant's message-push URL, and the product API
 * (img/upload, add, get, update, listing, stock/update) souk's catalog push calls.
 *
 * Follows WeChat's public documentation (developers.weixin.qq.com; see
 * docs/internals/wechat.md for what was checked):
 * - GET /cgi-bin/token?grant_type=client_credential&appid=&secret= answers {"access_token",
 *   "expires_in": 7200}; a wrong appid is errcode 40013, a wrong secret 40125 (WeChat's own).
 * - Every other call carries ?access_token=; a wrong one is errcode 40001 (WeChat's own).
 * - POST /channels/ec/order/get {"order_id"} and POST /channels/ec/order/delivery/send
 *   {"order_id", "delivery_list": [{"delivery_id", "waybill_id"}]}.
 * - POST /channels/ec/product/add, get, update, listing and stock/update: bodies, answers and
 *   the 100200xx errcodes as the product API documents them (docs/internals/wechat.md); limits
 *   the documents do not give, and the validation order, are the sim's. Images must be links
 *   the shop's img/upload answered (10020035 otherwise), as WeChat takes only its own.
 * - WeChat answers errors with HTTP 200 and {"errcode", "errmsg"}; errcode 0 is success.
 * - Pushes (plaintext mode, JSON): POST <url>?signature=&timestamp=&nonce= where signature is
 *   the hex SHA-1 of token, timestamp and nonce sorted and joined, with the body {"ToUserName",
 *   "FromUserName", "CreateTime", "MsgType": "event", "Event", "order_info": {"order_id"}}.
 * Status words are WeChat's numbers as text: "10" awaiting payment, "20" paid (awaiting
 * shipment), "21" partly shipped, "30" shipped, "100" completed, "200" and "250" cancelled.
 * Codes other than the ones named above are the sim's (docs/internals/sim.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/image.h"
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

/* ---- images: basics/img/upload ---- */

/*
 * POST /channels/ec/basics/img/upload?access_token=&upload_type=&resp_type=[&height=&width=]:
 * upload_type 0 takes the file as multipart/form-data in part "media", with its height and
 * width in pixels in the query; resp_type 1 answers {"pic_file": {"img_url":
 * "https://mmecimage.cn/p/{appid}/{key}"}} (files of at most 10 MB), 0 {"pic_file":
 * {"media_id", "pay_media_id"}} (2 MB). Each link is kept with the shop's files, which outlive
 * a reset (WeChat's links never expire), and product/add and update take no other image URL.
 * The sim's own: JPEG and PNG only, a height and width that must be the file's, errcode 47001
 * for a bad request, and upload_type 1 (WeChat fetches img_url itself) is not simulated: the
 * sim reaches no other host.
 */
#define MAX_LINKED_IMAGE (10 << 20) /* bytes, with resp_type 1 */
#define MAX_MEDIA_IMAGE (2 << 20)   /* with resp_type 0 */
#define MAX_UPLOAD_BODY ((10 << 20) + 4096)
#define IMAGE_HOST "https://mmecimage.cn/p/"

/* A query parameter that must be one of 0 .. max; -1 when it is absent or not. */
static int64_t query_number(struct souk_sim__req *req, const char *name, int64_t max)
{
    int64_t n;
    const char *text = souk_sim__query(req, name);
    return text && souk_str_to_i64(souk_str_from(text), 0, max, &n) == SOUK_OK ? n : -1;
}

/* Why an upload is refused (into buf; "" when it is taken), with the file's size and pixels. */
static void check_upload(struct souk_sim__req *req, int64_t upload_type, int64_t resp_type,
                         struct souk_str *file, uint32_t *width, uint32_t *height, char *buf,
                         size_t bufsz)
{
    char boundary[72];
    const char *format;
    int64_t max = resp_type == 1 ? MAX_LINKED_IMAGE : MAX_MEDIA_IMAGE;
    if (upload_type < 0 || resp_type < 0)
        snprintf(buf, bufsz, "upload_type (0 or 1) and resp_type (0 or 1) are required");
    else if (upload_type == 1)
        snprintf(buf, bufsz, "upload_type 1 (by img_url) is not simulated: send the file");
    else if (!souk_sim__form_boundary(souk_sim__header(req, "Content-Type"), boundary,
                                      sizeof boundary) ||
             !souk_sim__form_part(req->body, boundary, "media", file) || file->len == 0)
        snprintf(buf, bufsz, "media is required: the image file, as multipart/form-data");
    else if (file->len > (size_t)max)
        snprintf(buf, bufsz, "media must be at most %lld MB with resp_type %lld",
                 (long long)(max >> 20), (long long)resp_type);
    else if (!souk_image_size(*file, &format, width, height))
        snprintf(buf, bufsz, "media must be a JPEG or PNG image");
    else if (query_number(req, "height", UINT32_MAX) != *height ||
             query_number(req, "width", UINT32_MAX) != *width)
        snprintf(buf, bufsz, "height and width must be the image's: %u and %u pixels",
                 (unsigned)*height, (unsigned)*width);
    else
        buf[0] = '\0';
}

static void upload_image(struct souk_sim__req *req)
{
    int64_t upload_type = query_number(req, "upload_type", 1);
    int64_t resp_type = query_number(req, "resp_type", 1);
    struct souk_str file;
    uint32_t width = 0, height = 0;
    char buf[160], key[SOUK_SIM_ID_MAX];
    check_upload(req, upload_type, resp_type, &file, &width, &height, buf, sizeof buf);
    if (buf[0]) {
        answer(req, 200, CODE_INVALID, buf);
        return;
    }
    souk_sim__new_id(req->state, key);
    if (resp_type == 0) {
        souk_sim__reply(req, 200,
                        json_pack("{s:i, s:s, s:{s:s, s:s}}", "errcode", 0, "errmsg", "ok",
                                  "pic_file", "media_id", souk_pool_printf(req->pool, "sim-%s", key),
                                  "pay_media_id", souk_pool_printf(req->pool, "sim-pay-%s", key)));
        return;
    }
    const char *link = souk_pool_printf(req->pool, IMAGE_HOST "%s/%s",
                                        souk_sim__credential(req, "appid"), key);
    souk_sim__lock(req->state);
    souk_sim__file_put(req->state, req->platform, link,
                       json_pack("{s:s, s:i, s:i}", "img_url", link, "width", (int)width, "height",
                                 (int)height));
    souk_sim__unlock(req->state);
    souk_sim__reply(req, 200, json_pack("{s:i, s:s, s:{s:s}}", "errcode", 0, "errmsg", "ok",
                                        "pic_file", "img_url", link));
}

/* ---- products: add, get, update, listing and the stock ---- */

/*
 * Items are SKUs keyed by the sku_id the sim mints; GET /_sim/items/wechat/{out_sku_id} finds
 * them by the merchant's SKU too. Each SKU's fields hold its product's members (product_id,
 * title, head_imgs, desc_info, cats_v2, deliver_method, express_info, status) beside its own
 * (sku_id, out_sku_id, sale_price, market_price, stock_num, sku_attrs). Review passes at once
 * (sim): a listed product's draft and online data are one copy.
 */

/* The errcodes of WeChat's product API (listed with the listing and stock/update docs). */
#define CODE_SKU_COUNT 10020013
#define CODE_CATEGORY 10020017
#define CODE_FREIGHT 10020019
#define CODE_TITLE_EMPTY 10020020
#define CODE_TITLE_LONG 10020021
#define CODE_IMGS_EMPTY 10020022
#define CODE_IMGS_MANY 10020023
#define CODE_PRICE_HIGH 10020028
#define CODE_IMG_URL 10020035
#define CODE_OUT_PRODUCT_ID 10020036
#define CODE_OUT_SKU_ID 10020037
#define CODE_PRICE_ZERO 10020039
#define CODE_ABOVE_MARKET 10020040
#define CODE_TITLE_SHORT 10020042
#define CODE_TITLE_LATIN 10020045
#define CODE_PARAM 10020051
#define CODE_NO_PRODUCT 10020052
#define CODE_ZERO_DIFF 10020218
#define CODE_SHORT_STOCK 10020219
#define CODE_NEVER_LISTED 10020289

#define LISTED 5 /* product status: on sale */
#define MIN_TITLE 5
#define MAX_TITLE 60
#define MIN_IMGS 3 /* 4 for food and fresh produce: the sim has no categories to know */
#define MAX_IMGS 9
#define MAX_SKUS 500
#define MAX_PRICE 1000000000 /* fen (sim: the mini shop's documented ceiling) */
#define MAX_OUT_ID 128       /* out_product_id; out_sku_id likewise (sim) */
#define MAX_STOCK 100000000  /* (sim) */

/* Members of a product that every SKU item carries. */
static const char *const product_members[] = {
    "product_id", "out_product_id", "title",        "head_imgs", "desc_info",
    "cats_v2",    "deliver_method", "express_info", "status",    NULL,
};
/* Members of a SKU. */
static const char *const sku_members[] = {
    "sku_id", "out_sku_id", "sale_price", "market_price", "stock_num", "sku_attrs", NULL,
};

/* An id member as text (WeChat's ids are uint64 written as strings; a number is taken too). */
static const char *id_member(struct souk_sim__req *req, const json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    if (json_is_integer(v) && json_integer_value(v) > 0)
        return souk_pool_printf(req->pool, "%lld", (long long)json_integer_value(v));
    const char *s = json_string_value(v);
    return s && *s ? s : NULL;
}

static bool is_id(const json_t *v)
{
    int64_t n;
    return (json_is_integer(v) && json_integer_value(v) > 0) ||
           (json_is_string(v) &&
            souk_str_to_i64(souk_str_from(json_string_value(v)), 1, INT64_MAX, &n) == SOUK_OK);
}

static bool only_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* Writes why into buf and returns code. */
static int refuse(char *buf, size_t bufsz, int code, const char *fmt, ...) SOUK_PRINTF(4, 5);
static int refuse(char *buf, size_t bufsz, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, bufsz, fmt, ap);
    va_end(ap);
    return code;
}

/* Checks the product members of an add or update; 0, or an errcode with why in buf. */
static int check_product_members(const json_t *body, char *buf, size_t bufsz)
{
    const char *title = souk_sim__str(body, "title");
    json_t *imgs = json_object_get(body, "head_imgs"), *img,
           *cats = json_object_get(body, "cats_v2");
    json_t *cat, *method = json_object_get(body, "deliver_method");
    const char *out_id = souk_sim__str(body, "out_product_id");
    size_t i, j;
    if (!title || !*title)
        return refuse(buf, bufsz, CODE_TITLE_EMPTY, "title is required");
    if (souk_sim__chars(title) < MIN_TITLE)
        return refuse(buf, bufsz, CODE_TITLE_SHORT, "title must have at least %d characters",
                      MIN_TITLE);
    if (souk_sim__chars(title) > MAX_TITLE)
        return refuse(buf, bufsz, CODE_TITLE_LONG, "title must have at most %d characters",
                      MAX_TITLE);
    if (only_ascii(title))
        return refuse(buf, bufsz, CODE_TITLE_LATIN,
                      "title must not be only digits and Latin letters");
    if (!json_is_array(imgs) || json_array_size(imgs) < MIN_IMGS)
        return refuse(buf, bufsz, CODE_IMGS_EMPTY, "head_imgs must hold at least %d images",
                      MIN_IMGS);
    if (json_array_size(imgs) > MAX_IMGS)
        return refuse(buf, bufsz, CODE_IMGS_MANY, "head_imgs must hold at most %d images",
                      MAX_IMGS);
    json_array_foreach(imgs, i, img)
    {
        if (!souk_sim__is_url(json_string_value(img)))
            return refuse(buf, bufsz, CODE_IMG_URL, "head_imgs[%zu] is not an image URL", i);
        /* whether it is one of the shop's uploads is checked under the lock */
        for (j = 0; j < i; j++)
            if (json_equal(img, json_array_get(imgs, j)))
                return refuse(buf, bufsz, CODE_PARAM, "head_imgs[%zu] repeats head_imgs[%zu]", i,
                              j);
    }
    if (!json_is_array(cats) || json_array_size(cats) == 0)
        return refuse(buf, bufsz, CODE_CATEGORY, "cats_v2 must list the category path to a leaf");
    json_array_foreach(cats, i, cat)
    {
        if (!is_id(json_object_get(cat, "cat_id")))
            return refuse(buf, bufsz, CODE_CATEGORY, "cats_v2[%zu].cat_id is not a category id", i);
    }
    if (!json_is_integer(method) ||
        (json_integer_value(method) != 0 && json_integer_value(method) != 1 &&
         json_integer_value(method) != 3))
        return refuse(buf, bufsz, CODE_PARAM, "deliver_method must be 0, 1 or 3");
    if (json_integer_value(method) == 0 &&
        !is_id(json_object_get(json_object_get(body, "express_info"), "template_id")))
        return refuse(buf, bufsz, CODE_FREIGHT,
                      "express_info.template_id is required to ship by express");
    if (out_id && souk_sim__chars(out_id) > MAX_OUT_ID)
        return refuse(buf, bufsz, CODE_OUT_PRODUCT_ID,
                      "out_product_id must be at most %d characters", MAX_OUT_ID);
    return 0;
}

/* Checks one SKU of an add or update; 0, or an errcode with why in buf. */
static int check_sku(const json_t *sku, size_t i, char *buf, size_t bufsz)
{
    json_t *sale = json_object_get(sku, "sale_price"),
           *market = json_object_get(sku, "market_price");
    json_t *attrs = json_object_get(sku, "sku_attrs"), *attr;
    const char *out_sku = souk_sim__str(sku, "out_sku_id");
    int64_t stock;
    size_t a;
    static const char *const attr_members[] = {"attr_key", "attr_value", NULL};
    if (!json_is_object(sku))
        return refuse(buf, bufsz, CODE_PARAM, "skus[%zu] must be an object", i);
    if (!json_is_integer(sale) || json_integer_value(sale) < 0)
        return refuse(buf, bufsz, CODE_PARAM, "skus[%zu].sale_price must be an amount in fen", i);
    if (json_integer_value(sale) == 0)
        return refuse(buf, bufsz, CODE_PRICE_ZERO, "skus[%zu].sale_price is 0", i);
    if (json_integer_value(sale) > MAX_PRICE)
        return refuse(buf, bufsz, CODE_PRICE_HIGH, "skus[%zu].sale_price is above %d fen", i,
                      MAX_PRICE);
    if (market &&
        (!json_is_integer(market) || json_integer_value(market) <= json_integer_value(sale)))
        return refuse(buf, bufsz, CODE_ABOVE_MARKET,
                      "skus[%zu].market_price must be above sale_price", i);
    if (!json_is_integer(json_object_get(sku, "stock_num")) ||
        !souk_sim__count(json_object_get(sku, "stock_num"), MAX_STOCK, &stock))
        return refuse(buf, bufsz, CODE_PARAM, "skus[%zu].stock_num must be a count", i);
    if (out_sku && souk_sim__chars(out_sku) > MAX_OUT_ID)
        return refuse(buf, bufsz, CODE_OUT_SKU_ID,
                      "skus[%zu].out_sku_id must be at most %d characters", i, MAX_OUT_ID);
    if (!json_is_array(attrs))
        return refuse(buf, bufsz, CODE_PARAM, "skus[%zu].sku_attrs must be an array", i);
    json_array_foreach(attrs, a, attr)
    {
        if (souk_sim__missing(attr, attr_members))
            return refuse(buf, bufsz, CODE_PARAM,
                          "skus[%zu].sku_attrs[%zu] needs attr_key and attr_value", i, a);
    }
    return 0;
}

/* Checks an add or update body: its product members, then each SKU; 0 or an errcode. */
static int check_product_body(const json_t *body, char *buf, size_t bufsz)
{
    json_t *skus = json_object_get(body, "skus"), *sku;
    size_t i;
    int code = check_product_members(body, buf, bufsz);
    if (code)
        return code;
    if (!json_is_array(skus) || json_array_size(skus) == 0 || json_array_size(skus) > MAX_SKUS) {
        snprintf(buf, bufsz, "skus must hold 1 to %d SKUs", MAX_SKUS);
        return CODE_SKU_COUNT;
    }
    json_array_foreach(skus, i, sku)
    {
        if ((code = check_sku(sku, i, buf, bufsz)))
            return code;
    }
    return 0;
}

/* Each image of an add or update (head_imgs, desc_info.imgs) must be a link the shop's
 * img/upload answered; 0 or CODE_IMG_URL with why in buf. Under the state lock. */
static int check_uploaded(struct souk_sim__req *req, const json_t *body, char *buf, size_t bufsz)
{
    static const char *const lists[] = {"head_imgs", "desc_info.imgs", NULL};
    json_t *arrays[] = {json_object_get(body, "head_imgs"),
                        json_object_get(json_object_get(body, "desc_info"), "imgs")};
    for (size_t l = 0; lists[l]; l++) {
        size_t i;
        json_t *img;
        json_array_foreach(arrays[l], i, img)
        {
            const char *url = json_string_value(img);
            if (!url || !souk_sim__file(req->state, req->platform, url))
                return refuse(buf, bufsz, CODE_IMG_URL,
                              "%s[%zu] is not an image this shop uploaded (img/upload with "
                              "resp_type 1 gives mmecimage.cn/p/ links)",
                              lists[l], i);
        }
    }
    return 0;
}

/* Sets the derived members of a SKU item from its fields. */
static void derive(json_t *item)
{
    json_t *fields = json_object_get(item, "fields");
    json_object_set(item, "quantity", json_object_get(fields, "stock_num"));
    json_object_set_new(item, "price",
                        json_pack("{s:O, s:s}", "amount_minor",
                                  json_object_get(fields, "sale_price"), "currency", "CNY"));
}

/* Replaces the SKU item sku_id with the product members of body and the SKU's own. Under the
 * state lock; false when the sim holds too many items. */
static bool put_sku(struct souk_sim__req *req, const char *product_id, const char *sku_id,
                    const json_t *body, const json_t *sku, json_int_t status)
{
    json_t *fields =
        json_pack("{s:s, s:s, s:I}", "product_id", product_id, "sku_id", sku_id, "status", status);
    for (const char *const *m = product_members; *m; m++)
        if (!json_object_get(fields, *m) && json_object_get(body, *m))
            json_object_set(fields, *m, json_object_get(body, *m));
    for (const char *const *m = sku_members; *m; m++)
        if (!json_object_get(fields, *m) && json_object_get(sku, *m))
            json_object_set(fields, *m, json_object_get(sku, *m));
    json_t *item = souk_sim__item(req->state, req->platform, sku_id);
    if (item)
        json_object_clear(json_object_get(item, "fields"));
    item = souk_sim__item_merge(req->state, req->platform, sku_id, fields);
    json_decref(fields);
    if (item)
        derive(item);
    return item != NULL;
}

/* The SKU items of a product (borrowed, under the state lock), in a new array. */
static json_t *product_skus(struct souk_sim__req *req, const char *product_id)
{
    json_t *list = json_array(), *item;
    const char *id;
    json_object_foreach(souk_sim__items(req->state, req->platform), id, item)
    {
        const char *owner = souk_sim__str(json_object_get(item, "fields"), "product_id");
        if (owner && strcmp(owner, product_id) == 0)
            json_array_append(list, item);
    }
    return list;
}

static const char *now_text(struct souk_sim__req *req)
{
    time_t now = (time_t)(souk_time_now_us() / 1000000);
    struct tm tm;
    char text[24];
    gmtime_r(&now, &tm);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    return souk_pool_strdup(req->pool, text);
}

/* Answers an add or update: refused with code (why says it), the sim's item limit reached
 * (full), or done, naming the product and the time as time_key. */
static void product_answer(struct souk_sim__req *req, int code, const char *why, bool full,
                           const char *product_id, const char *time_key)
{
    if (code)
        answer(req, 200, code, why);
    else if (full)
        answer(req, 200, CODE_PARAM, "the shop holds too many SKUs (sim limit)");
    else
        souk_sim__reply(req, 200,
                        json_pack("{s:i, s:s, s:{s:s, s:s}}", "errcode", 0, "errmsg", "ok", "data",
                                  "product_id", product_id, time_key, now_text(req)));
}

/* POST /channels/ec/product/add: a new product with its SKUs, not yet listed. */
static void add_product(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *sku;
    char buf[256] = "", product_id[SOUK_SIM_ID_MAX] = "";
    size_t i;
    if (!body)
        return;
    int code = check_product_body(body, buf, sizeof buf);
    bool full = false;
    souk_sim__lock(req->state);
    if (!code)
        code = check_uploaded(req, body, buf, sizeof buf);
    if (!code) {
        souk_sim__new_id(req->state, product_id);
        json_array_foreach(json_object_get(body, "skus"), i, sku)
        {
            char sku_id[SOUK_SIM_ID_MAX];
            souk_sim__new_id(req->state, sku_id);
            full = full || !put_sku(req, product_id, sku_id, body, sku, 0);
        }
    }
    souk_sim__unlock(req->state);
    product_answer(req, code, buf, full, product_id, "create_time");
    json_decref(body);
}

/* The product of its SKU items, as product/get shows it. */
static json_t *product_view(const json_t *skus)
{
    json_t *first = json_object_get(json_array_get(skus, 0), "fields");
    json_t *view = json_object(), *list = json_array(), *item;
    size_t i;
    for (const char *const *m = product_members; *m; m++)
        if (json_object_get(first, *m))
            json_object_set(view, *m, json_object_get(first, *m));
    json_array_foreach(skus, i, item)
    {
        json_t *fields = json_object_get(item, "fields"), *sku = json_object();
        for (const char *const *m = sku_members; *m; m++)
            if (json_object_get(fields, *m))
                json_object_set(sku, *m, json_object_get(fields, *m));
        json_array_append_new(list, sku);
    }
    json_object_set_new(view, "skus", list);
    return view;
}

/* POST /channels/ec/product/get {"product_id", "data_type"}: 1 the online data (a product
 * listed before), 2 the draft, 3 both. */
static void get_product(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req);
    if (!body)
        return;
    const char *id = id_member(req, body, "product_id");
    json_t *type = json_object_get(body, "data_type");
    json_int_t data_type = type ? json_integer_value(type) : 1;
    if (!id || (type && (!json_is_integer(type) || data_type < 1 || data_type > 3))) {
        answer(req, 200, CODE_PARAM, "product_id is required; data_type is 1, 2 or 3");
        json_decref(body);
        return;
    }
    souk_sim__lock(req->state);
    json_t *skus = product_skus(req, id);
    json_t *view = json_array_size(skus) ? product_view(skus) : NULL;
    souk_sim__unlock(req->state); /* the view holds its own references */
    json_decref(skus);
    if (!view) {
        answer(req, 200, CODE_NO_PRODUCT, "product not exist");
    } else {
        bool listed = json_integer_value(json_object_get(view, "status")) == LISTED;
        json_t *out = json_pack("{s:i, s:s}", "errcode", 0, "errmsg", "ok");
        if (data_type != 2 && listed)
            json_object_set_new(out, "product", json_deep_copy(view));
        if (data_type != 1)
            json_object_set(out, "edit_product", view);
        souk_sim__reply(req, 200, out);
        json_decref(view);
    }
    json_decref(body);
}

/* POST /channels/ec/product/update: the whole product; a SKU with a sku_id of the product is
 * replaced, one without is added, and the product's SKUs left out are removed. */
static void update_product(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *sku, *have;
    char buf[256];
    size_t i, j;
    if (!body)
        return;
    const char *id = id_member(req, body, "product_id");
    int code = id ? check_product_body(body, buf, sizeof buf) : CODE_PARAM;
    if (!id)
        snprintf(buf, sizeof buf, "product_id is required");
    souk_sim__lock(req->state);
    if (!code)
        code = check_uploaded(req, body, buf, sizeof buf);
    json_t *skus = code ? NULL : product_skus(req, id);
    if (!code && json_array_size(skus) == 0) {
        code = CODE_NO_PRODUCT;
        snprintf(buf, sizeof buf, "product not exist");
    }
    json_array_foreach(code ? NULL : json_object_get(body, "skus"), i, sku)
    {
        const char *sku_id = id_member(req, sku, "sku_id");
        bool found = !sku_id;
        json_array_foreach(skus, j, have)
        {
            found = found || strcmp(souk_sim__str(have, "id"), sku_id) == 0;
        }
        if (!found) {
            code = CODE_PARAM;
            snprintf(buf, sizeof buf, "skus[%zu].sku_id is not a SKU of product %s", i, id);
            break;
        }
    }
    bool full = false;
    if (!code) {
        json_int_t status = json_integer_value(
            json_object_get(json_object_get(json_array_get(skus, 0), "fields"), "status"));
        json_t *kept = json_array();
        json_array_foreach(json_object_get(body, "skus"), i, sku)
        {
            char minted[SOUK_SIM_ID_MAX];
            const char *sku_id = id_member(req, sku, "sku_id");
            if (!sku_id) {
                souk_sim__new_id(req->state, minted);
                sku_id = minted;
            }
            json_array_append_new(kept, json_string(sku_id));
            full = full || !put_sku(req, id, sku_id, body, sku, status);
        }
        json_array_foreach(skus, j, have)
        {
            bool stays = false;
            json_array_foreach(kept, i, sku)
            {
                stays = stays || strcmp(json_string_value(sku), souk_sim__str(have, "id")) == 0;
            }
            if (!stays)
                souk_sim__item_delete(req->state, req->platform, souk_sim__str(have, "id"));
        }
        json_decref(kept);
    }
    souk_sim__unlock(req->state);
    json_decref(skus);
    product_answer(req, code, buf, full, id, "update_time");
    json_decref(body);
}

/* POST /channels/ec/product/listing {"product_id"}: review passes at once (sim). */
static void list_product(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *item;
    size_t i;
    if (!body)
        return;
    const char *id = id_member(req, body, "product_id");
    souk_sim__lock(req->state);
    json_t *skus = id ? product_skus(req, id) : NULL;
    json_array_foreach(skus, i, item)
    {
        json_object_set_new(json_object_get(item, "fields"), "status", json_integer(LISTED));
    }
    souk_sim__unlock(req->state);
    if (!id)
        answer(req, 200, CODE_PARAM, "product_id is required");
    else if (json_array_size(skus) == 0)
        answer(req, 200, CODE_NO_PRODUCT, "product not exist");
    else
        answer(req, 200, 0, "ok");
    json_decref(skus);
    json_decref(body);
}

/* POST /channels/ec/product/stock/update {"product_id", "sku_id", "diff_type", "num"}. */
static void update_stock(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req);
    if (!body)
        return;
    const char *product_id = id_member(req, body, "product_id");
    const char *sku_id = id_member(req, body, "sku_id");
    json_t *type = json_object_get(body, "diff_type");
    int64_t num = 0, diff = json_is_integer(type) ? json_integer_value(type) : 0;
    int code = 0;
    const char *message = "ok";
    if (!product_id || !sku_id || diff < 1 || diff > 3 ||
        !json_is_integer(json_object_get(body, "num")) ||
        !souk_sim__count(json_object_get(body, "num"), MAX_STOCK, &num)) {
        code = CODE_PARAM;
        message = "product_id, sku_id, diff_type (1, 2 or 3) and num (a count) are required";
    } else if (diff != 3 && num == 0) {
        code = CODE_ZERO_DIFF;
        message = "num to add or subtract is 0";
    }
    souk_sim__lock(req->state);
    json_t *item = code ? NULL : souk_sim__item(req->state, req->platform, sku_id);
    json_t *fields = json_object_get(item, "fields");
    const char *owner = souk_sim__str(fields, "product_id");
    int64_t stock = json_integer_value(json_object_get(fields, "stock_num"));
    if (!code && (!owner || strcmp(owner, product_id) != 0)) {
        code = CODE_NO_PRODUCT;
        message = "product not exist";
    } else if (!code && json_integer_value(json_object_get(fields, "status")) != LISTED) {
        code = CODE_NEVER_LISTED;
        message = "the product was never listed: its stock cannot be updated directly";
    } else if (!code && diff == 2 && num > stock) {
        code = CODE_SHORT_STOCK;
        message = "not enough stock to subtract";
    } else if (!code) {
        stock = diff == 1 ? stock + num : diff == 2 ? stock - num : num;
        json_object_set_new(fields, "stock_num", json_integer(stock));
        json_object_set_new(item, "updated_us", json_integer(souk_time_now_us()));
        derive(item);
    }
    souk_sim__unlock(req->state);
    answer(req, 200, code, message);
    json_decref(body);
}

static const struct souk_sim__route routes[] = {
    {"GET", "/cgi-bin/token", get_token, 0},
    {"POST", "/channels/ec/order/get", get_order, MAX_BODY},
    {"POST", "/channels/ec/order/delivery/send", send_delivery, MAX_BODY},
    {"POST", "/channels/ec/basics/img/upload", upload_image, MAX_UPLOAD_BODY},
    {"POST", "/channels/ec/product/add", add_product, MAX_BODY},
    {"POST", "/channels/ec/product/get", get_product, MAX_BODY},
    {"POST", "/channels/ec/product/update", update_product, MAX_BODY},
    {"POST", "/channels/ec/product/listing", list_product, MAX_BODY},
    {"POST", "/channels/ec/product/stock/update", update_stock, MAX_BODY},
};

const struct souk_sim__platform souk_sim__wechat = {
    .name = "wechat",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = "out_sku_id",
    .orders = &order_rules,
    .authenticate = wechat_authenticate,
    .error = wechat_error,
};

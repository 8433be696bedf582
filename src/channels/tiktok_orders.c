/*
 * tiktok_orders: orders from TikTok Shop's own checkout.
 *
 * Follows the flow TikTok Shop documents for sellers' systems (shared/platform-facts.md §2.7,
 * and the simulator's contract in docs/internals/sim.md):
 * - TikTok POSTs a webhook {"type", "tts_notification_id", "shop_id", "timestamp", "data"}
 *   signed in the Authorization header as lower-case hex HMAC-SHA256 keyed with the app secret
 *   over app_key + the raw body (hookdeck's "tiktok-shop-webhooks" notes). No timestamp is
 *   signed, so a replay cannot be told from a retry by the signature: tts_notification_id
 *   dedupes both, and the order's detail is always fetched fresh, so a replayed notification
 *   can never carry stale data into the book.
 * - Type 1 (ORDER_STATUS_CHANGE, data {order_id, order_status, update_time}) and type 2
 *   (a cancellation or return changed) name an order; souk fetches it with "Get Order Detail",
 *   GET /order/202309/orders?ids=... (at most 50 ids), signed like every Partner API call.
 * - Get Order Detail lists one line item per unit (there is no quantity): souk counts the
 *   units of each seller_sku at each price into one line.
 * TikTok's statuses map onto souk's lifecycle as the table below says.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channels/channels_int.h"
#include "core/alloc.h"

#define ORDERS_PATH "/order/202309/orders"

static const struct {
    const char *tiktok, *souk;
} statuses[] = {
    {"UNPAID", "pending"},
    {"ON_HOLD", "pending"}, /* paid, in the buyer's cancellation window: not to ship yet */
    {"AWAITING_SHIPMENT", "confirmed"},
    {"PARTIALLY_SHIPPING", "allocated"},
    {"AWAITING_COLLECTION", "allocated"},
    {"IN_TRANSIT", "fulfilled"},
    {"DELIVERED", "delivered"},
    {"COMPLETED", "delivered"},
    {"CANCELLED", "cancelled"},
};

static const char *souk_status(const char *tiktok)
{
    for (size_t i = 0; tiktok && i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(statuses[i].tiktok, tiktok) == 0)
            return statuses[i].souk;
    return NULL;
}

/* ---- the webhook ---- */

int souk_channels__tiktok_verify(const struct souk_channel *c,
                                 const struct souk_channels_webhook *w, struct souk_err *err)
{
    const char *app_key = souk_channels__credential(c, "app_key");
    const char *app_secret = souk_channels__credential(c, "app_secret");
    const char *presented = w->header(w->ctx, "Authorization");
    if (!presented)
        return souk_err_set(err, SOUK_EUNAUTH, "Authorization",
                            "TikTok's signature is missing: the Authorization header is empty");
    if (!app_key || !app_secret)
        return souk_err_set(err, SOUK_EUNAUTH, NULL,
                            "the channel has no app_key and app_secret to check TikTok's "
                            "signature with");
    size_t key_len = strlen(app_key);
    char *signed_text = souk_malloc(key_len + w->body.len + 1);
    memcpy(signed_text, app_key, key_len);
    memcpy(signed_text + key_len, w->body.ptr, w->body.len);
    char expected[SOUK_SIG_HEX_MAX];
    souk_sig_hmac_sha256_hex(souk_str_from(app_secret),
                             (struct souk_str){signed_text, key_len + w->body.len}, expected);
    souk_free(signed_text);
    if (!souk_sig_equal(presented, expected))
        return souk_err_set(err, SOUK_EUNAUTH, "Authorization",
                            "the Authorization header is not TikTok's signature of this body "
                            "with the channel's app secret");
    return SOUK_OK;
}

int souk_channels__tiktok_parse(struct souk_pool *pool, struct souk_str body,
                                struct souk_channels__notice **out, size_t *n,
                                struct souk_err *err)
{
    *n = 0;
    json_error_t jerr;
    json_t *root = json_loadb(body.ptr, body.len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *type = json_object_get(root, "type");
    json_t *event = json_object_get(root, "tts_notification_id");
    json_t *data = json_object_get(root, "data");
    int rc = SOUK_OK;
    if (!json_is_integer(type) || !json_is_string(event) || !json_is_object(data)) {
        rc = souk_err_set(err, SOUK_EINVAL, NULL,
                          "not a TikTok Shop notification: it needs an integer type, a "
                          "tts_notification_id and a data object");
    } else if (json_integer_value(type) == 1 || json_integer_value(type) == 2) {
        json_t *order = json_object_get(data, "order_id");
        if (!json_is_string(order)) {
            rc = souk_err_set(err, SOUK_EINVAL, "data.order_id",
                              "an order notification needs data.order_id as a string");
        } else {
            struct souk_channels__notice *notice = souk_pool_alloc(pool, sizeof *notice);
            notice->event_id = souk_pool_strdup(pool, json_string_value(event));
            notice->order_id = souk_pool_strdup(pool, json_string_value(order));
            const char *status = json_string_value(json_object_get(data, "order_status"));
            notice->status = status ? souk_pool_strdup(pool, status) : NULL;
            *out = notice;
            *n = 1;
        }
    }
    /* Other types (products, authorization, messages) are not orders: acknowledged, unused. */
    json_decref(root);
    return rc;
}

/* ---- Get Order Detail ---- */

static const char *text(struct souk_pool *pool, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? souk_pool_strdup(pool, s) : NULL;
}

/* An amount field of payment in minor units; absent counts as 0. */
static bool amount(json_t *payment, const char *key, const char *currency, int64_t *out)
{
    json_t *v = json_object_get(payment, key);
    if (!v) {
        *out = 0;
        return true;
    }
    return souk_channels__parse_amount(json_string_value(v), currency, out) == SOUK_OK;
}

/* City and state from recipient_address.district_info: [{address_level_name, address_name}]. */
static void districts(struct souk_pool *pool, json_t *address, struct souk_order *o)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(address, "district_info"), i, d)
    {
        const char *level = json_string_value(json_object_get(d, "address_level_name"));
        if (level && strcasecmp(level, "city") == 0)
            o->ship_city = (char *)text(pool, d, "address_name");
        else if (level && strcasecmp(level, "state") == 0)
            o->ship_region = (char *)text(pool, d, "address_name");
    }
}

/* One line per seller_sku and price: TikTok lists every unit as its own line item. */
static const char *count_units(struct souk_pool *pool, json_t *items, const char *currency,
                               struct souk_order *o)
{
    size_t n = json_array_size(items);
    if (n == 0)
        return "the order has no line_items";
    o->lines = souk_pool_alloc(pool, n * sizeof *o->lines);
    o->nlines = 0;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *sku = json_string_value(json_object_get(item, "seller_sku"));
        int64_t price;
        if (!sku || !*sku)
            return souk_pool_printf(pool, "line_items[%zu] has no seller_sku", i);
        if (!amount(item, "sale_price", currency, &price) || price < 0)
            return souk_pool_printf(pool, "line_items[%zu].sale_price is not an amount in %s", i,
                                    currency);
        struct souk_order_line *line = NULL;
        for (size_t j = 0; j < o->nlines && !line; j++)
            if (strcmp(o->lines[j].sku, sku) == 0 && o->lines[j].unit_price == price)
                line = &o->lines[j];
        if (!line) {
            if (o->nlines == SOUK_ORDERS_MAX_LINES)
                return souk_pool_printf(pool, "the order has more than %d distinct lines",
                                        SOUK_ORDERS_MAX_LINES);
            line = &o->lines[o->nlines++];
            *line = (struct souk_order_line){.sku = souk_pool_strdup(pool, sku),
                                             .unit_price = price};
            const char *product = json_string_value(json_object_get(item, "product_name"));
            const char *variant = json_string_value(json_object_get(item, "sku_name"));
            if (product)
                line->title = variant && *variant
                                  ? souk_pool_printf(pool, "%s - %s", product, variant)
                                  : souk_pool_strdup(pool, product);
        }
        line->quantity++;
    }
    return NULL;
}

/* Reads one order of Get Order Detail into o; returns what is wrong with it, or NULL. */
static const char *read_order(struct souk_pool *pool, json_t *in, struct souk_order *o)
{
    json_t *payment = json_object_get(in, "payment");
    const char *currency = json_string_value(json_object_get(payment, "currency"));
    const char *status = json_string_value(json_object_get(in, "status"));
    json_t *updated = json_object_get(in, "update_time");
    if (!souk_status(status))
        return souk_pool_printf(pool, "TikTok status %.40s is not one souk knows",
                                status ? status : "(none)");
    if (!currency || strlen(currency) != 3)
        return "the order has no payment.currency";
    if (!json_is_integer(updated))
        return "the order has no update_time";
    memcpy(o->currency, currency, 4);
    o->status = (char *)souk_status(status);
    o->platform_status = souk_pool_strdup(pool, status);
    o->platform_updated_at = json_integer_value(updated) * 1000000;
    int64_t seller_discount, platform_discount;
    if (!amount(payment, "sub_total", currency, &o->subtotal) ||
        !amount(payment, "shipping_fee", currency, &o->shipping) ||
        !amount(payment, "tax", currency, &o->tax) ||
        !amount(payment, "total_amount", currency, &o->total) ||
        !amount(payment, "seller_discount", currency, &seller_discount) ||
        !amount(payment, "platform_discount", currency, &platform_discount) ||
        __builtin_add_overflow(seller_discount, platform_discount, &o->discount))
        return souk_pool_printf(pool, "the order's payment amounts are not amounts in %s",
                                currency);
    json_t *address = json_object_get(in, "recipient_address");
    o->buyer_email = (char *)text(pool, in, "buyer_email");
    o->buyer_name = (char *)text(pool, address, "name");
    o->buyer_phone = (char *)text(pool, address, "phone_number");
    o->ship_name = o->buyer_name;
    o->ship_address = (char *)text(pool, address, "full_address");
    o->ship_line1 = (char *)text(pool, address, "address_line1");
    o->ship_line2 = (char *)text(pool, address, "address_line2");
    o->ship_postal_code = (char *)text(pool, address, "postal_code");
    o->ship_country = (char *)text(pool, address, "region_code");
    districts(pool, address, o);
    o->payment_method = (char *)text(pool, in, "payment_method_name");
    o->live_stream = (char *)text(pool, in, "live_stream_id");
    o->creator = (char *)text(pool, in, "creator");
    o->carrier = (char *)text(pool, in, "shipping_provider");
    o->tracking_number = (char *)text(pool, in, "tracking_number");
    o->cancel_reason = (char *)text(pool, in, "cancel_reason");
    const char *problem = count_units(pool, json_object_get(in, "line_items"), currency, o);
    if (!problem)
        o->external_id = (char *)text(pool, in, "id");
    return problem;
}

int souk_channels__tiktok_fetch(const struct souk_channel *c,
                                struct souk_channels__client *client, struct souk_pool *pool,
                                const char *const *ids, size_t n, struct souk_order *orders,
                                const char **problems, struct souk_channels__batch_outcome *out)
{
    const char *list = "";
    for (size_t i = 0; i < n; i++)
        list = souk_pool_printf(pool, "%s%s%s", list, i ? "," : "", ids[i]);
    const struct souk_sig_param extra[] = {{"ids", list}};
    struct souk_channels__response resp;
    int call_rc;
    json_t *answer =
        souk_channels__tiktok_call(c, client, pool, ORDERS_PATH, extra, 1, NULL, &resp, &call_rc);
    json_t *found = json_object_get(json_object_get(answer, "data"), "orders");
    bool ok = resp.status == 200 && json_integer_value(json_object_get(answer, "code")) == 0 &&
              json_is_integer(json_object_get(answer, "code")) && json_is_array(found);
    if (!ok)
        souk_channels__batch_failed(&resp, call_rc, NULL, 0, out);
    souk_channels__response_release(&resp);
    size_t k;
    json_t *order;
    json_array_foreach(ok ? found : NULL, k, order)
    {
        const char *id = json_string_value(json_object_get(order, "id"));
        for (size_t i = 0; id && i < n; i++) {
            if (strcmp(ids[i], id) != 0 || orders[i].external_id || problems[i])
                continue;
            problems[i] = read_order(pool, order, &orders[i]);
            if (problems[i])
                orders[i].external_id = NULL;
        }
    }
    json_decref(answer);
    return SOUK_OK;
}

/* ---- telling TikTok what the seller did ---- */

/*
 * "ship": Mark Package As Shipped, POST /fulfillment/202309/orders/{order_id}/packages with the
 * tracking number and the shipping provider (TikTok's provider id: a merchant shipping TikTok
 * orders gives TikTok's id as the carrier). "cancel": the seller cancellation, POST
 * /return_refund/202309/cancellations, with out-of-stock as the reason when the order was
 * cancelled for stock (the reason codes are TikTok's; only these two are used).
 */
enum souk_channels__result souk_channels__tiktok_update(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out)
{
    bool ship = strcmp(action, "ship") == 0;
    bool for_stock = o->cancel_reason && strstr(o->cancel_reason, "stock");
    const char *path = ship ? souk_pool_printf(pool, "/fulfillment/202309/orders/%s/packages",
                                               o->external_id)
                            : "/return_refund/202309/cancellations";
    json_t *body = ship ? json_pack("{s:s, s:s}", "tracking_number",
                                    o->tracking_number ? o->tracking_number : "",
                                    "shipping_provider_id", o->carrier ? o->carrier : "")
                        : json_pack("{s:s, s:s}", "order_id", o->external_id, "cancel_reason",
                                    for_stock ? "seller_cancel_reason_out_of_stock"
                                              : "seller_cancel_reason_other");
    struct souk_channels__response resp;
    int call_rc;
    json_t *answer =
        souk_channels__tiktok_call(c, client, pool, path, NULL, 0, body, &resp, &call_rc);
    json_t *code = json_object_get(answer, "code");
    enum souk_channels__result r = SOUK_CHANNELS__RETRY;
    if (json_is_integer(code) && json_integer_value(code) == 0 && resp.status == 200) {
        r = SOUK_CHANNELS__PUSHED;
    } else if (json_is_integer(code) && souk_channels__refused(resp.status)) {
        r = SOUK_CHANNELS__REJECTED;
        const char *message = json_string_value(json_object_get(answer, "message"));
        *error = souk_pool_printf(pool, "%s (TikTok code %lld)", message ? message : "refused",
                                  (long long)json_integer_value(code));
    } else {
        souk_channels__batch_failed(&resp, call_rc, NULL, 0, out);
    }
    json_decref(answer);
    souk_channels__response_release(&resp);
    return r;
}

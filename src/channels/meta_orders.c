/*
 * meta_orders: orders from Facebook and Instagram Shops' checkout (Meta Commerce Platform).
 *
 * Meta sends no order webhooks: the seller's system polls. Follows the Order Management API
 * (developers.facebook.com/documentation/ads-commerce/commerce-platform/order-management,
 * "Acknowledgement API Reference", updated 2026-02) and the simulator's contract in
 * docs/internals/sim.md:
 * - GET /{cms_id}/commerce_orders?state=CREATED lists the orders waiting for the seller (the
 *   shop must be associated with the app, or Meta moves orders to IN_PROGRESS itself); each is
 *   noted with its last_updated, so an order seen again unchanged is not taken in twice.
 * - GET /{order_id} reads one order: items{retailer_id, quantity, price_per_unit}, buyer,
 *   shipping address and estimated_payment_details, amounts as decimal strings.
 * - POST /{order_id}/acknowledge_order with an idempotency_key moves it to IN_PROGRESS once
 *   souk has it; the key is derived from the order id, so a repeat after a crash is harmless.
 * The channel needs the optional credential cms_id (commerce seller settings id) to poll.
 * States map: FB_PROCESSING (Meta's own checks) pending; CREATED and IN_PROGRESS confirmed;
 * COMPLETED fulfilled; an order Meta reports cancelled is cancelled.
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/time.h"

#define GRAPH_VERSION "v21.0"
#define POLL_PAGES 10 /* pages of 100 orders one poll reads at most */
#define ORDER_FIELDS                                                                               \
    "id,order_status,created,last_updated,channel,buyer_details,shipping_address,"               \
    "estimated_payment_details,items{retailer_id,product_name,quantity,price_per_unit}"

static const char *auth_header(struct souk_pool *pool, const struct souk_channel *c)
{
    return souk_pool_printf(pool, "Authorization: Bearer %s",
                            souk_channels__credential(c, "access_token"));
}

static const char *text(struct souk_pool *pool, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? souk_pool_strdup(pool, s) : NULL;
}

/* ---- polling ---- */

int souk_channels__meta_poll(const struct souk_channel *c, struct souk_channels__client *client,
                             struct souk_pool *pool, struct souk_channels__notice **out,
                             size_t *n, struct souk_channels__batch_outcome *fail)
{
    *n = 0;
    const char *cms = souk_channels__credential(c, "cms_id");
    if (!cms)
        return SOUK_OK; /* orders are not managed through souk for this shop */
    size_t cap = 100 * POLL_PAGES;
    struct souk_channels__notice *notices = souk_pool_alloc(pool, cap * sizeof *notices);
    const char *url = souk_pool_printf(pool,
                                       "%s/" GRAPH_VERSION "/%s/commerce_orders?state=CREATED&"
                                       "limit=100&fields=id,order_status,last_updated",
                                       c->base_url, cms);
    for (int page = 0; url && page < POLL_PAGES; page++) {
        struct souk_channels__response resp;
        int rc;
        json_t *answer =
            souk_channels__exchange(client, url, auth_header(pool, c), NULL, &resp, &rc);
        json_t *data = json_object_get(answer, "data");
        if (!json_is_array(data))
            souk_channels__batch_failed(&resp, rc, NULL, 0, fail);
        souk_channels__response_release(&resp);
        size_t i;
        json_t *order;
        json_array_foreach(data, i, order)
        {
            const char *id = text(pool, order, "id");
            const char *updated = text(pool, order, "last_updated");
            if (!id || !updated || *n == cap)
                continue;
            notices[*n] = (struct souk_channels__notice){
                .event_id = souk_pool_printf(pool, "%s@%s", id, updated),
                .order_id = id,
                .status = text(pool, json_object_get(order, "order_status"), "state"),
            };
            (*n)++;
        }
        const char *next =
            json_string_value(json_object_get(json_object_get(answer, "paging"), "next"));
        url = next ? souk_pool_strdup(pool, next) : NULL;
        json_decref(answer);
    }
    *out = notices;
    return SOUK_OK;
}

/* ---- reading an order ---- */

static const char *souk_status(const char *state, bool cancelled)
{
    static const struct {
        const char *meta, *souk;
    } map[] = {{"FB_PROCESSING", "pending"},
               {"CREATED", "confirmed"},
               {"IN_PROGRESS", "confirmed"},
               {"COMPLETED", "fulfilled"}};
    for (size_t i = 0; state && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].meta, state) == 0)
            return cancelled ? "cancelled" : map[i].souk;
    return NULL;
}

/* A money object {"amount": "19.99", "currency": "USD"} in minor units of currency. */
static bool money(json_t *obj, const char *currency, int64_t *out)
{
    if (!obj) {
        *out = 0;
        return true;
    }
    const char *cur = json_string_value(json_object_get(obj, "currency"));
    return cur && strcmp(cur, currency) == 0 &&
           souk_channels__parse_amount(json_string_value(json_object_get(obj, "amount")),
                                       currency, out) == SOUK_OK &&
           *out >= 0;
}

static const char *read_lines(struct souk_pool *pool, json_t *items, const char *currency,
                              struct souk_order *o)
{
    size_t n = json_array_size(items);
    if (n == 0 || n > SOUK_ORDERS_MAX_LINES)
        return souk_pool_printf(pool, "the order has %zu items (1 to %d)", n,
                                SOUK_ORDERS_MAX_LINES);
    o->lines = souk_pool_alloc(pool, n * sizeof *o->lines);
    o->nlines = n;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        struct souk_order_line *l = &o->lines[i];
        l->sku = (char *)text(pool, item, "retailer_id");
        l->title = (char *)text(pool, item, "product_name");
        json_t *quantity = json_object_get(item, "quantity");
        if (!l->sku || !json_is_integer(quantity))
            return souk_pool_printf(pool, "items[%zu] has no retailer_id or quantity", i);
        l->quantity = json_integer_value(quantity);
        if (!money(json_object_get(item, "price_per_unit"), currency, &l->unit_price))
            return souk_pool_printf(pool, "items[%zu].price_per_unit is not an amount in %s", i,
                                    currency);
    }
    return NULL;
}

static const char *read_order(struct souk_pool *pool, json_t *in, struct souk_order *o)
{
    const char *state = json_string_value(json_object_get(json_object_get(in, "order_status"),
                                                          "state"));
    bool cancelled = json_is_true(json_object_get(in, "cancelled"));
    const char *status = souk_status(state, cancelled);
    if (!status)
        return souk_pool_printf(pool, "Meta order state %.40s is not one souk knows",
                                state ? state : "(none)");
    const char *updated = json_string_value(json_object_get(in, "last_updated"));
    if (!updated || souk_time_parse(souk_str_from(updated), &o->platform_updated_at) != SOUK_OK)
        return "the order has no last_updated time";
    json_t *pay = json_object_get(in, "estimated_payment_details");
    json_t *total = json_object_get(pay, "total_amount");
    const char *currency = json_string_value(json_object_get(total, "currency"));
    if (!currency || strlen(currency) != 3)
        return "the order has no estimated_payment_details.total_amount.currency";
    memcpy(o->currency, currency, 4);
    json_t *subtotal = json_object_get(pay, "subtotal");
    if (!money(json_object_get(subtotal, "items"), currency, &o->subtotal) ||
        !money(json_object_get(subtotal, "shipping"), currency, &o->shipping) ||
        !money(json_object_get(pay, "tax"), currency, &o->tax) ||
        !money(json_object_get(pay, "discount"), currency, &o->discount) ||
        !money(total, currency, &o->total))
        return souk_pool_printf(pool, "the order's payment details are not amounts in %s",
                                currency);
    o->status = (char *)status;
    o->platform_status = souk_pool_printf(pool, "%s%s", state, cancelled ? " (cancelled)" : "");
    json_t *buyer = json_object_get(in, "buyer_details");
    o->buyer_name = (char *)text(pool, buyer, "name");
    o->buyer_email = (char *)text(pool, buyer, "email");
    json_t *address = json_object_get(in, "shipping_address");
    o->ship_name = (char *)text(pool, address, "name");
    o->ship_line1 = (char *)text(pool, address, "street1");
    o->ship_line2 = (char *)text(pool, address, "street2");
    o->ship_city = (char *)text(pool, address, "city");
    o->ship_region = (char *)text(pool, address, "state");
    o->ship_postal_code = (char *)text(pool, address, "postal_code");
    o->ship_country = (char *)text(pool, address, "country");
    o->payment_method = (char *)text(pool, in, "payment_method");
    o->campaign = (char *)text(pool, in, "channel"); /* "instagram" or "facebook" */
    o->live_stream = (char *)text(pool, in, "live_stream_id");
    o->creator = (char *)text(pool, in, "creator");
    const char *problem =
        read_lines(pool, json_object_get(json_object_get(in, "items"), "data"), currency, o);
    if (!problem)
        o->external_id = (char *)text(pool, in, "id");
    return problem;
}

int souk_channels__meta_fetch(const struct souk_channel *c, struct souk_channels__client *client,
                              struct souk_pool *pool, const char *const *ids, size_t n,
                              struct souk_order *orders, const char **problems,
                              struct souk_channels__batch_outcome *out)
{
    for (size_t i = 0; i < n && !out->error[0]; i++) {
        struct souk_channels__response resp;
        int rc;
        json_t *answer = souk_channels__exchange(
            client,
            souk_pool_printf(pool, "%s/" GRAPH_VERSION "/%s?fields=" ORDER_FIELDS, c->base_url,
                             ids[i]),
            auth_header(pool, c), NULL, &resp, &rc);
        if (answer) {
            problems[i] = read_order(pool, answer, &orders[i]);
            if (problems[i])
                orders[i].external_id = NULL;
        } else if (!(rc == SOUK_OK && resp.status == 400)) {
            souk_channels__batch_failed(&resp, rc, NULL, 0, out);
        } /* 400: Graph's "no such object": the order stays unset and is asked for again */
        json_decref(answer);
        souk_channels__response_release(&resp);
    }
    return SOUK_OK;
}

/* ---- acknowledging ---- */

int souk_channels__meta_ack(const struct souk_channel *c, struct souk_channels__client *client,
                            struct souk_pool *pool, const struct souk_order *o,
                            struct souk_channels__batch_outcome *out)
{
    if (!o->platform_status || strcmp(o->platform_status, "CREATED") != 0)
        return SOUK_OK; /* only a CREATED order waits for the seller */
    struct souk_channels__response resp;
    int rc;
    json_t *answer = souk_channels__exchange(
        client,
        souk_pool_printf(pool, "%s/" GRAPH_VERSION "/%s/acknowledge_order", c->base_url,
                         o->external_id),
        auth_header(pool, c),
        json_pack("{s:s, s:s}", "idempotency_key",
                  souk_pool_printf(pool, "souk-ack-%s", o->external_id),
                  "merchant_order_reference", o->id),
        &resp, &rc);
    if (!answer)
        souk_channels__batch_failed(&resp, rc, NULL, 0, out);
    json_decref(answer);
    souk_channels__response_release(&resp);
    return SOUK_OK;
}

/* ---- telling Meta what the seller did ---- */

/* Graph's error message of a refused call, or NULL. */
static const char *graph_error(struct souk_pool *pool, const struct souk_channels__response *resp)
{
    json_error_t jerr;
    json_t *answer = json_loadb(resp->body.data, resp->body.len, 0, &jerr);
    const char *message =
        json_string_value(json_object_get(json_object_get(answer, "error"), "message"));
    const char *out = message ? souk_pool_strdup(pool, message) : NULL;
    json_decref(answer);
    return out;
}

/*
 * "ship": POST /{order_id}/shipments with every item and the tracking info (Meta takes its own
 * carrier codes, such as UPS, FEDEX, USPS or DHL); "cancel": POST /{order_id}/cancellations
 * with reason OUT_OF_STOCK when the order was cancelled for stock, else CANCEL_REASON_OTHER.
 * Both carry an idempotency key made from souk's order id and the action, so a retry after a
 * lost answer does not ship or cancel twice.
 */
enum souk_channels__result souk_channels__meta_update(
    const struct souk_channel *c, struct souk_channels__client *client, struct souk_pool *pool,
    const struct souk_order *o, const char *action, const char **error,
    struct souk_channels__batch_outcome *out)
{
    bool ship = strcmp(action, "ship") == 0;
    const char *key = souk_pool_printf(pool, "souk-%s-%s", action, o->id);
    json_t *body;
    if (ship) {
        json_t *items = json_array();
        for (size_t i = 0; i < o->nlines; i++)
            json_array_append_new(items, json_pack("{s:s, s:I}", "retailer_id", o->lines[i].sku,
                                                   "quantity", (json_int_t)o->lines[i].quantity));
        body = json_pack("{s:o, s:{s:s, s:s}, s:s}", "items", items, "tracking_info",
                         "tracking_number", o->tracking_number ? o->tracking_number : "",
                         "carrier", o->carrier ? o->carrier : "", "idempotency_key", key);
    } else {
        bool for_stock = o->cancel_reason && strstr(o->cancel_reason, "stock");
        body = json_pack("{s:{s:s, s:s}, s:b, s:s}", "cancel_reason", "reason_code",
                         for_stock ? "OUT_OF_STOCK" : "CANCEL_REASON_OTHER",
                         "reason_description", o->cancel_reason ? o->cancel_reason : "",
                         "restock_items", 0, "idempotency_key", key);
    }
    struct souk_channels__response resp;
    int rc;
    json_t *answer = souk_channels__exchange(
        client,
        souk_pool_printf(pool, "%s/" GRAPH_VERSION "/%s/%s", c->base_url, o->external_id,
                         ship ? "shipments" : "cancellations"),
        auth_header(pool, c), body, &resp, &rc);
    enum souk_channels__result r = SOUK_CHANNELS__PUSHED;
    if (!answer && rc == SOUK_OK && souk_channels__refused(resp.status)) {
        r = SOUK_CHANNELS__REJECTED;
        *error = graph_error(pool, &resp);
        if (!*error)
            *error = souk_pool_printf(pool, "Meta answered HTTP %ld", resp.status);
    } else if (!answer) {
        r = SOUK_CHANNELS__RETRY;
        souk_channels__batch_failed(&resp, rc, NULL, 0, out);
    }
    json_decref(answer);
    souk_channels__response_release(&resp);
    return r;
}

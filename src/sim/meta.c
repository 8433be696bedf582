/*
 * meta: the Meta (Facebook and Instagram Shops) Catalog Batch API, as Graph API v21 and later
 * serve it: POST /{version}/{catalog_id}/items_batch and
 * GET /{version}/{catalog_id}/check_batch_request_status; and the Commerce Platform's orders.
 *
 * Follows the Graph API product-catalog reference pages for items_batch (updated 2026-04) and
 * check_batch_request_status, and the catalog fields and feed specification pages named in
 * shared/platform-facts.md §2.1-2.2. Parameters come as a form-encoded or JSON body, or in the
 * query; the access token as access_token or "Authorization: Bearer". A batch is validated
 * item by item, as Meta does: the valid items are applied at once, the invalid ones are
 * reported under the batch's handle, and the call itself answers {"handles": [...]}.
 *
 * Orders follow the Commerce Platform's Order Management API (acknowledgement, shipment and
 * cancellation pages): GET /{version}/{cms_id}/commerce_orders lists them a page at a time,
 * GET /{version}/{order_id} reads one, and souk acknowledges, ships and cancels with POSTs
 * keyed by idempotency_key. Meta sends no order webhook: sellers poll the list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "core/alloc.h"
#include "core/gtin.h"
#include "core/money.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_REQUESTS 5000
#define MAX_BODY 28000000 /* Meta documents a 28 MB payload limit */
#define MAX_FORM_PARAMS 64
#define MAX_ID_CHARS 100
#define MAX_TITLE_CHARS 200
#define MAX_DESCRIPTION_CHARS 9999
#define MAX_QUANTITY 1000000000

#define MAX_ORDER_BODY (1 << 20)

static const char *const credentials[] = {"access_token", "catalog_id", "cms_id", NULL};
static const char *const defaults[] = {"sim-meta-access-token", "1234567890", "2345678901", NULL};

static const char *const availabilities[] = {"in stock", "out of stock", "preorder",
                                             "available for order", NULL};
static const char *const conditions[] = {"new", "refurbished", "used", NULL};
static const char *const create_required[] = {"title", "description", "availability",
                                              "condition", "price", "link", "image_link", NULL};

/* The request's parameters: from the body (form or JSON) first, then the query. */
struct params {
    json_t *json; /* a JSON body, or NULL */
    struct souk_sim__kv form[MAX_FORM_PARAMS];
    size_t nform;
};

/* ---- errors ---- */

/* Replies {"error": {"message", "type", "code", "error_subcode"?, "is_transient"?,
 * "fbtrace_id"}}, the Graph API's one error shape. */
static void graph_error(struct souk_sim__req *req, int status, int code, int subcode,
                        bool transient, const char *message)
{
    char trace[SOUK_SIM_ID_MAX], text[512];
    souk_sim__new_id(req->state, trace);
    snprintf(text, sizeof text, "(#%d) %s", code, message);
    json_t *error = json_pack("{s:s, s:s, s:i, s:s}", "message", text, "type", "OAuthException",
                              "code", code, "fbtrace_id", trace);
    if (subcode)
        json_object_set_new(error, "error_subcode", json_integer(subcode));
    if (transient)
        json_object_set_new(error, "is_transient", json_true());
    souk_sim__reply(req, status, json_pack("{s:o}", "error", error));
}

static void meta_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                       const char *message)
{
    switch (kind) {
    case SOUK_SIM__INVALID:
    case SOUK_SIM__NOT_FOUND:
        graph_error(req, status, 100, 0, false, message);
        break;
    case SOUK_SIM__TOO_BIG:
        graph_error(req, status, 1, 0, false,
                    "Please reduce the amount of data you're asking for, then retry your request");
        break;
    case SOUK_SIM__RATE_LIMITED:
        graph_error(req, status, 80014, 2446079, true,
                    "There have been too many calls for this product catalog. Wait a bit and "
                    "try again.");
        break;
    case SOUK_SIM__UNAVAILABLE:
        graph_error(req, status, 2, 0, true,
                    "An unexpected error has occurred. Please retry your request later.");
        break;
    }
}

/* ---- parameters ---- */

static void release_json(void *json)
{
    json_decref(json);
}

/* Splits a form body into decoded key/value pairs; false past MAX_FORM_PARAMS. */
static bool parse_form(struct souk_sim__req *req, struct params *p)
{
    char *text = souk_pool_strndup(req->pool, req->body.ptr, req->body.len);
    for (char *pair = text; pair && *pair;) {
        char *amp = strchr(pair, '&');
        if (amp)
            *amp = '\0';
        if (p->nform == MAX_FORM_PARAMS)
            return false;
        for (char *c = pair; *c; c++)
            if (*c == '+')
                *c = ' ';
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        MHD_http_unescape(pair);
        if (eq)
            MHD_http_unescape(eq + 1);
        p->form[p->nform++] = (struct souk_sim__kv){pair, eq ? eq + 1 : ""};
        pair = amp ? amp + 1 : NULL;
    }
    return true;
}

/* Reads the body by its Content-Type; false once it has replied with the error. */
static bool parse_params(struct souk_sim__req *req, struct params *p)
{
    const char *type = souk_sim__header(req, "Content-Type");
    if (req->body.len == 0)
        return true;
    if (type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        if (parse_form(req, p))
            return true;
        meta_error(req, SOUK_SIM__INVALID, 400, "Too many parameters");
        return false;
    }
    if (type && strncasecmp(type, "application/json", 16) == 0) {
        p->json = souk_sim__body_json(req);
        if (p->json)
            souk_pool_on_release(req->pool, release_json, p->json);
        return p->json != NULL;
    }
    meta_error(req, SOUK_SIM__INVALID, 400,
               "The body must be application/x-www-form-urlencoded or application/json");
    return false;
}

/* A parameter as JSON (new reference): a JSON body's member as sent; a form or query value
 * as a string. NULL when absent. */
static json_t *param(struct souk_sim__req *req, const char *name)
{
    const struct params *p = req->data;
    json_t *member = json_object_get(p->json, name);
    if (member)
        return json_incref(member);
    for (size_t i = 0; i < p->nform; i++)
        if (strcmp(p->form[i].key, name) == 0)
            return json_string(p->form[i].value);
    const char *query = souk_sim__query(req, name);
    return query ? json_string(query) : NULL;
}

/* A parameter that holds JSON: a JSON value as sent, or a string holding JSON text. */
static json_t *json_param(struct souk_sim__req *req, const char *name)
{
    json_t *value = param(req, name);
    if (!json_is_string(value))
        return value;
    json_t *parsed = json_loads(json_string_value(value), JSON_REJECT_DUPLICATES, NULL);
    json_decref(value);
    return parsed;
}

/* True for "v21.0": a 'v', digits, a dot, digits. */
static bool is_version(const char *v)
{
    if (v[0] != 'v')
        return false;
    size_t digits = strspn(v + 1, "0123456789");
    return digits > 0 && v[1 + digits] == '.' && v[2 + digits] != '\0' &&
           strspn(v + 2 + digits, "0123456789") == strlen(v + 2 + digits);
}

/* Graph's answer for an id that names nothing this token may see. */
static void unknown_object(struct souk_sim__req *req, const char *id)
{
    char message[256];
    snprintf(message, sizeof message,
             "Unsupported %s request. Object with ID '%.100s' does not "
             "exist, cannot be loaded due to missing permissions, or does not support this "
             "operation",
             strcmp(req->method, "GET") == 0 ? "get" : "post", id);
    graph_error(req, 400, 100, 33, false, message);
}

/* True unless the route has a {name} segment for this credential and the path names another
 * object there. */
static bool owner_is_configured(struct souk_sim__req *req, const char *name)
{
    const char *id = souk_sim__param(req, name);
    return !id || strcmp(id, souk_sim__credential(req, name)) == 0;
}

static bool meta_authenticate(struct souk_sim__req *req)
{
    struct params *p = souk_pool_alloc(req->pool, sizeof *p);
    req->data = p;
    if (!parse_params(req, p))
        return false;
    json_t *token = param(req, "access_token");
    const char *header = souk_sim__header(req, "Authorization");
    bool present = json_is_string(token) || header;
    bool valid = json_is_string(token)
                     ? souk_sig_equal(json_string_value(token),
                                           souk_sim__credential(req, "access_token"))
                     : souk_sim__bearer_is(req, souk_sim__credential(req, "access_token"));
    json_decref(token);
    if (!present) {
        graph_error(req, 400, 104, 0, false,
                    "An access token is required to request this resource.");
    } else if (!valid) {
        souk_sim__add_header(req, "WWW-Authenticate",
                             "OAuth \"Facebook Platform\" \"invalid_token\" \"Invalid OAuth "
                             "access token.\"");
        graph_error(req, 400, 190, 0, false, "Invalid OAuth access token.");
    } else if (!is_version(req->params[0])) {
        graph_error(req, 400, 2500, 0, false, "Unknown path components: the version must look "
                    "like v21.0");
    } else if (!owner_is_configured(req, "catalog_id")) {
        unknown_object(req, souk_sim__param(req, "catalog_id"));
    } else if (!owner_is_configured(req, "cms_id")) {
        unknown_object(req, souk_sim__param(req, "cms_id"));
    } else {
        return true;
    }
    return false;
}

/* ---- items_batch ---- */

/* Why a present field is malformed, or NULL. */
static const char *check_fields(const json_t *data)
{
    const json_t *qty = json_object_get(data, "quantity_to_sell_on_facebook");
    const char *gtin = souk_sim__str(data, "gtin");
    int64_t count;
    if (json_object_get(data, "price") && !souk_sim__is_price_text(souk_sim__str(data, "price")))
        return "price must be an amount and an ISO 4217 currency, like \"9.99 USD\"";
    if (json_object_get(data, "sale_price") &&
        !souk_sim__is_price_text(souk_sim__str(data, "sale_price")))
        return "sale_price must be an amount and an ISO 4217 currency, like \"7.99 USD\"";
    if (json_object_get(data, "availability") &&
        !souk_sim__one_of(souk_sim__str(data, "availability"), availabilities))
        return "availability must be one of: in stock, out of stock, preorder, available for "
               "order";
    if (json_object_get(data, "condition") &&
        !souk_sim__one_of(souk_sim__str(data, "condition"), conditions))
        return "condition must be one of: new, refurbished, used";
    if (qty && !souk_sim__count(qty, MAX_QUANTITY, &count))
        return "quantity_to_sell_on_facebook must be a whole number from 0";
    if (souk_sim__chars(souk_sim__str(data, "title")) > MAX_TITLE_CHARS)
        return "title must be at most 200 characters";
    if (souk_sim__chars(souk_sim__str(data, "description")) > MAX_DESCRIPTION_CHARS)
        return "description must be at most 9999 characters";
    if (json_object_get(data, "link") && !souk_sim__is_url(souk_sim__str(data, "link")))
        return "link must be an http or https URL";
    if (json_object_get(data, "image_link") &&
        !souk_sim__is_url(souk_sim__str(data, "image_link")))
        return "image_link must be an http or https URL";
    if (gtin && !souk_gtin_is_valid(souk_str_from(gtin)))
        return "gtin must be 8, 12, 13 or 14 digits with a correct check digit";
    return NULL;
}

/* The error for one element of requests[], or NULL once it has been applied. Runs under
 * the state lock. */
static const char *apply_request(struct souk_sim__req *req, const json_t *request,
                                 bool allow_upsert, char *buf, size_t bufsz)
{
    const char *method = souk_sim__str(request, "method");
    json_t *data = json_object_get(request, "data");
    const char *id = souk_sim__str(data, "id");
    if (!souk_sim__one_of(method, (const char *const[]){"CREATE", "UPDATE", "DELETE", NULL}))
        return "method must be CREATE, UPDATE or DELETE";
    if (!json_is_object(data))
        return "data must be an object of item fields";
    if (!id || !*id || souk_sim__chars(id) > MAX_ID_CHARS)
        return "data.id (the retailer id) is required, at most 100 characters";
    bool exists = souk_sim__item(req->state, req->platform, id) != NULL;
    if (strcmp(method, "DELETE") == 0) {
        souk_sim__item_delete(req->state, req->platform, id);
        return NULL;
    }
    if (strcmp(method, "CREATE") == 0 && exists)
        return "an item with this retailer id already exists; use UPDATE";
    if (!exists && !allow_upsert)
        return "no item has this retailer id, and allow_upsert is false";
    const char *missing = exists ? NULL : souk_sim__missing(data, create_required);
    if (missing) {
        snprintf(buf, bufsz, "the required field %s is missing", missing);
        return buf;
    }
    if (!exists && !souk_sim__str(data, "brand") && !souk_sim__str(data, "mpn") &&
        !souk_sim__str(data, "gtin"))
        return "one of brand, mpn or gtin is required";
    const char *bad = check_fields(data);
    if (bad)
        return bad;
    json_t *item = souk_sim__item_merge(req->state, req->platform, id, data);
    if (!item)
        return "the catalog is full";
    json_t *fields = json_object_get(item, "fields");
    int64_t quantity;
    if (souk_sim__count(json_object_get(fields, "quantity_to_sell_on_facebook"), MAX_QUANTITY,
                        &quantity))
        json_object_set_new(item, "quantity", json_integer(quantity));
    json_object_set_new(item, "price", souk_sim__price_text(souk_sim__str(fields, "price")));
    json_object_set(item, "availability", json_object_get(fields, "availability"));
    return NULL;
}

static void items_batch(struct souk_sim__req *req)
{
    json_t *item_type = param(req, "item_type"), *requests = json_param(req, "requests");
    json_t *upsert = param(req, "allow_upsert");
    const char *upsert_text = json_string_value(upsert);
    bool allow_upsert = !json_is_false(upsert) && !(upsert_text && strcmp(upsert_text, "false") == 0);
    if (!json_is_string(item_type) || strcmp(json_string_value(item_type), "PRODUCT_ITEM") != 0) {
        meta_error(req, SOUK_SIM__INVALID, 400,
                   "The parameter item_type is required and must be PRODUCT_ITEM");
    } else if (!json_is_array(requests) || json_array_size(requests) == 0 ||
               json_array_size(requests) > MAX_REQUESTS) {
        meta_error(req, SOUK_SIM__INVALID, 400,
                   "Param requests must be a JSON array of 1 to 5000 requests");
    } else {
        char handle[SOUK_SIM_ID_MAX], buf[128];
        json_t *errors = json_array(), *invalid = json_array(), *request;
        size_t i;
        souk_sim__new_id(req->state, handle);
        souk_sim__lock(req->state);
        json_array_foreach(requests, i, request) {
            const char *error = apply_request(req, request, allow_upsert, buf, sizeof buf);
            const char *id = souk_sim__str(json_object_get(request, "data"), "id");
            if (!error)
                continue;
            json_array_append_new(errors, json_pack("{s:I, s:s*, s:s}", "line", (json_int_t)i,
                                                    "id", id, "message", error));
            if (id)
                json_array_append_new(invalid, json_string(id));
        }
        json_t *status = json_pack("{s:s, s:s, s:I, s:o, s:I, s:[], s:o}", "handle", handle,
                                   "status", "finished", "errors_total_count",
                                   (json_int_t)json_array_size(errors), "errors", errors,
                                   "warnings_total_count", (json_int_t)0, "warnings",
                                   "ids_of_invalid_requests", invalid);
        souk_sim__batch_put(req->state, req->platform, handle, status);
        souk_sim__unlock(req->state);
        souk_sim__reply(req, 200, json_pack("{s:[s]}", "handles", handle));
    }
    json_decref(item_type);
    json_decref(requests);
    json_decref(upsert);
}

static void check_batch_request_status(struct souk_sim__req *req)
{
    json_t *handle = param(req, "handle");
    json_t *status = NULL;
    if (json_is_string(handle)) {
        souk_sim__lock(req->state);
        status = json_deep_copy(souk_sim__batch(req->state, req->platform,
                                                json_string_value(handle)));
        souk_sim__unlock(req->state);
    }
    if (status)
        souk_sim__reply(req, 200, json_pack("{s:[o]}", "data", status));
    else
        meta_error(req, SOUK_SIM__NOT_FOUND, 400,
                   json_is_string(handle) ? "Invalid handle: no batch request has this handle"
                                          : "The parameter handle is required");
    json_decref(handle);
}

/* ---- orders: the Commerce Platform's Order Management API ---- */

static const char *const order_states[] = {"FB_PROCESSING", "CREATED", "IN_PROGRESS", "COMPLETED",
                                           NULL};
static const char *const cancel_reasons[] = {"OUT_OF_STOCK",        "CUSTOMER_REQUESTED",
                                             "INVALID_ADDRESS",     "SUSPICIOUS_ORDER",
                                             "CANCEL_REASON_OTHER", NULL};

/* Meta has no order webhook: sellers poll commerce_orders, so no notification hook. */
static const struct souk_sim__order_rules order_rules = {
    .initial_status = "CREATED",
    .statuses = order_states,
    .unpaid_status = NULL,
    .cancelled_status = "COMPLETED",
    .notification = NULL,
};

/* Unix seconds as Graph writes times: "2026-11-25T10:00:00+00:00". */
static json_t *graph_time(int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    char text[40];
    if (!gmtime_r(&t, &tm) || !strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S+00:00", &tm))
        snprintf(text, sizeof text, "1970-01-01T00:00:00+00:00");
    return json_string(text);
}

static json_t *money(int64_t minor, const struct souk_sim__order *o)
{
    char text[SOUK_SIM_AMOUNT_MAX];
    souk_sim__amount_text(minor, o->currency, text);
    return json_pack("{s:s, s:s}", "amount", text, "currency", o->currency->code);
}

/* What the list shows of an order, and what every view starts with. */
static json_t *order_summary(const struct souk_sim__order *o)
{
    return json_pack("{s:s, s:{s:s}, s:o, s:o}", "id", o->id, "order_status", "state", o->status,
                     "created", graph_time(o->create_time), "last_updated",
                     graph_time(o->update_time));
}

static json_t *order_view(const struct souk_sim__order *o)
{
    const struct souk_sim__address *a = &o->address;
    json_t *view = order_summary(o), *items = json_array();
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_sim__line *l = &o->lines[i];
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "id", l->sku_id,
                                               "retailer_id", l->sku, "product_id", l->product_id,
                                               "product_name", l->product_name, "quantity",
                                               (json_int_t)l->quantity, "price_per_unit",
                                               money(l->unit_price, o)));
    }
    json_t *payment = json_pack("{s:{s:o, s:o}, s:o, s:o, s:b}", "subtotal", "items",
                                money(souk_sim__order_subtotal(o), o), "shipping",
                                money(o->shipping_fee, o), "tax", money(o->tax, o), "total_amount",
                                money(souk_sim__order_total(o), o), "tax_remitted", 0);
    if (o->discount)
        json_object_set_new(payment, "discount", money(o->discount, o));
    json_t *rest = json_pack(
        "{s:s, s:s*, s:{s:s, s:s, s:b}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:s, "
        "s:{s:o}, s:s*, s:s*}",
        "channel", o->channel ? o->channel : "instagram", "merchant_order_id", o->merchant_order_id,
        "buyer_details", "name", o->buyer_name, "email", o->buyer_email, "email_remarketing_option",
        0, "shipping_address", "name", a->name, "street1", a->line1, "street2", a->line2, "city",
        a->city, "state", a->state, "postal_code", a->postal_code, "country", a->country,
        "estimated_payment_details", payment, "payment_method", o->payment_method, "items", "data",
        items, "live_stream_id", o->live_stream_id, "creator", o->creator);
    json_object_update(view, rest);
    json_decref(rest);
    if (o->cancelled)
        json_object_set_new(view, "cancelled", json_true());
    return view;
}

/* ---- GET commerce_orders ---- */

struct listed {
    int64_t updated;
    uint64_t id;
    const struct souk_sim__order *order;
};

static int by_update(const void *a, const void *b)
{
    const struct listed *x = a, *y = b;
    if (x->updated != y->updated)
        return x->updated < y->updated ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Where a page ends: opaque to clients (hex of "<last_updated>:<id>"), so they pass it back
 * as it is. */
static void cursor_of(const struct listed *l, char out[80])
{
    char text[40];
    int n =
        snprintf(text, sizeof text, "%lld:%llu", (long long)l->updated, (unsigned long long)l->id);
    souk_hex_encode(text, (size_t)n, out);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool cursor_parse(const char *cursor, struct listed *out)
{
    char text[40];
    size_t len = strlen(cursor), n = len / 2;
    if (len % 2 || n == 0 || n >= sizeof text)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(cursor[2 * i]), lo = hex_digit(cursor[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        text[i] = (char)(hi << 4 | lo);
    }
    text[n] = '\0';
    char *colon = memchr(text, ':', n);
    int64_t updated, id;
    if (!colon ||
        souk_str_to_i64((struct souk_str){text, (size_t)(colon - text)}, 0, INT64_MAX, &updated) !=
            SOUK_OK ||
        souk_str_to_i64(souk_str_from(colon + 1), 0, INT64_MAX, &id) != SOUK_OK)
        return false;
    *out = (struct listed){updated, (uint64_t)id, NULL};
    return true;
}

/* Appends s percent-encoded, all but the unreserved characters of RFC 3986. */
static int add_encoded(struct souk_buf *b, const char *s)
{
    int rc = SOUK_OK;
    for (; *s && rc == SOUK_OK; s++)
        rc =
            strchr("-._~", *s) || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z')
                ? souk_buf_addch(b, *s)
                : souk_buf_addf(b, "%%%02X", (unsigned char)*s);
    return rc;
}

/* The full URL of the page after this one: this request's, with "after" replaced. */
static json_t *next_url(struct souk_sim__req *req, const char *after)
{
    const char *host = souk_sim__header(req, "Host");
    struct souk_sim__kv *kv;
    size_t n = souk_sim__query_all(req, &kv);
    struct souk_buf url = SOUK_BUF_INIT(16 << 10);
    int rc = souk_buf_addf(&url, "http://%s%s?", host ? host : "127.0.0.1", req->path);
    for (size_t i = 0; i < n && rc == SOUK_OK; i++)
        if (strcmp(kv[i].key, "after") != 0)
            rc = add_encoded(&url, kv[i].key) || souk_buf_addch(&url, '=') ||
                 add_encoded(&url, kv[i].value) || souk_buf_addch(&url, '&');
    rc = rc || souk_buf_addstr(&url, "after=") || add_encoded(&url, after);
    json_t *text = rc == SOUK_OK ? json_string(url.data) : NULL;
    souk_buf_release(&url);
    return text;
}

/* Reads state, updated_after, updated_before, limit and after; false once it has replied. */
static bool list_params(struct souk_sim__req *req, bool states[4], int64_t *after_s,
                        int64_t *before_s, int64_t *limit, struct listed *from)
{
    const char *state = souk_sim__query(req, "state");
    const char *after = souk_sim__query(req, "updated_after");
    const char *before = souk_sim__query(req, "updated_before");
    const char *count = souk_sim__query(req, "limit");
    const char *cursor = souk_sim__query(req, "after");
    char *copy = souk_pool_strdup(req->pool, state ? state : "CREATED");
    bool ok = *copy != '\0';
    for (char *word = copy; ok && word;) {
        char *comma = strchr(word, ',');
        if (comma)
            *comma = '\0';
        size_t i = 0;
        while (order_states[i] && strcmp(order_states[i], word) != 0)
            i++;
        ok = order_states[i] != NULL;
        if (ok)
            states[i] = true;
        word = comma ? comma + 1 : NULL;
    }
    const char *bad = !ok ? "Param state must be a comma-separated list of FB_PROCESSING, "
                            "CREATED, IN_PROGRESS and COMPLETED"
                          : NULL;
    if (!bad && after && souk_str_to_i64(souk_str_from(after), 0, INT64_MAX, after_s) != SOUK_OK)
        bad = "Param updated_after must be a unix time in seconds";
    if (!bad && before && souk_str_to_i64(souk_str_from(before), 0, INT64_MAX, before_s) != SOUK_OK)
        bad = "Param updated_before must be a unix time in seconds";
    if (!bad && count && souk_str_to_i64(souk_str_from(count), 1, 100, limit) != SOUK_OK)
        bad = "Param limit must be a whole number from 1 to 100";
    if (!bad && cursor && !cursor_parse(cursor, from))
        bad = "Param after is not a cursor this edge returned";
    if (bad)
        meta_error(req, SOUK_SIM__INVALID, 400, bad);
    return !bad;
}

static void list_orders(struct souk_sim__req *req)
{
    bool states[4] = {false};
    int64_t after_s = 0, before_s = INT64_MAX, limit = 25;
    struct listed from = {INT64_MIN, 0, NULL};
    size_t n, matched = 0;
    if (!list_params(req, states, &after_s, &before_s, &limit, &from))
        return;
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *const *all = souk_sim__orders_all(req->orders, &n);
    struct listed *list = souk_malloc((n ? n : 1) * sizeof *list);
    for (size_t i = 0; i < n; i++) {
        const struct souk_sim__order *o = all[i];
        size_t s = 0;
        while (order_states[s] && strcmp(order_states[s], o->status) != 0)
            s++;
        /* updated_after is inclusive and updated_before exclusive: windows that meet neither
         * overlap nor leave a second out. */
        if (o->platform != req->platform || !order_states[s] || !states[s] ||
            o->update_time < after_s || o->update_time >= before_s)
            continue;
        int64_t id = 0;
        struct listed l = {o->update_time, 0, o};
        if (souk_str_to_i64(souk_str_from(o->id), 0, INT64_MAX, &id) == SOUK_OK &&
            (l.id = (uint64_t)id, by_update(&l, &from) > 0))
            list[matched++] = l;
    }
    qsort(list, matched, sizeof *list, by_update);
    size_t shown = matched < (size_t)limit ? matched : (size_t)limit;
    json_t *data = json_array();
    for (size_t i = 0; i < shown; i++)
        json_array_append_new(data, order_summary(list[i].order));
    souk_sim__orders_unlock(req->orders);
    json_t *answer = json_pack("{s:o}", "data", data);
    if (shown) {
        char first[80], last[80];
        cursor_of(&list[0], first);
        cursor_of(&list[shown - 1], last);
        json_t *paging = json_pack("{s:{s:s, s:s}}", "cursors", "before", first, "after", last);
        if (shown < matched)
            json_object_set_new(paging, "next", next_url(req, last));
        json_object_set_new(answer, "paging", paging);
    }
    souk_free(list);
    souk_sim__reply(req, 200, answer);
}

/* ---- one order, and what the seller does with it ---- */

/* This platform's order named by the path, under the orders lock; NULL once it has replied
 * with Graph's unknown-object error and released the lock. */
static struct souk_sim__order *order_locked(struct souk_sim__req *req)
{
    const char *id = souk_sim__param(req, "order_id");
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *o = souk_sim__order_find(req->orders, id);
    if (o && o->platform == req->platform)
        return o;
    souk_sim__orders_unlock(req->orders);
    unknown_object(req, id);
    return NULL;
}

static void get_order(struct souk_sim__req *req)
{
    struct souk_sim__order *o = order_locked(req);
    if (!o)
        return;
    json_t *view = order_view(o);
    souk_sim__orders_unlock(req->orders);
    souk_sim__reply(req, 200, view);
}

/* A string parameter (pool copy), or NULL when absent or not a string. */
static const char *text_param(struct souk_sim__req *req, const char *name)
{
    json_t *value = param(req, name);
    const char *text = souk_pool_strdup(req->pool, json_string_value(value));
    json_decref(value);
    return text;
}

/* The record of an earlier call with this idempotency key, or NULL. */
static json_t *replayed(const json_t *history, const char *key)
{
    size_t i;
    json_t *record;
    json_array_foreach(history, i, record) {
        const char *used = souk_sim__str(record, "idempotency_key");
        if (used && strcmp(used, key) == 0)
            return record;
    }
    return NULL;
}

/* The idempotency_key parameter; NULL once it has replied 400. */
static const char *idempotency_key(struct souk_sim__req *req)
{
    const char *key = text_param(req, "idempotency_key");
    if (!key || !*key)
        meta_error(req, SOUK_SIM__INVALID, 400, "The parameter idempotency_key is required");
    return key && *key ? key : NULL;
}

static void acknowledge(struct souk_sim__req *req)
{
    const char *key = idempotency_key(req);
    const char *reference = key ? text_param(req, "merchant_order_reference") : NULL;
    struct souk_sim__order *o = key ? order_locked(req) : NULL;
    if (!o)
        return;
    json_t *earlier = replayed(o->acks, key);
    if (earlier) {
        souk_sim__reply(
            req, 200,
            json_pack("{s:s, s:O}", "id", o->id, "state", json_object_get(earlier, "state")));
    } else if (strcmp(o->status, "CREATED") != 0) {
        meta_error(req, SOUK_SIM__INVALID, 400, "The order is not in CREATED state");
    } else {
        souk_sim__order_touch(o);
        snprintf(o->status, sizeof o->status, "IN_PROGRESS");
        if (reference && *reference && !o->merchant_order_id)
            o->merchant_order_id = souk_strdup(reference);
        souk_sim__order_record(&o->acks, json_pack("{s:s, s:s?, s:s}", "idempotency_key", key,
                                                   "merchant_order_reference", reference, "state",
                                                   "IN_PROGRESS"));
        souk_sim__reply(req, 200, json_pack("{s:s, s:s}", "id", o->id, "state", "IN_PROGRESS"));
    }
    souk_sim__orders_unlock(req->orders);
}

/*
 * Moves quantity open units of each item's retailer_id (items: [{"retailer_id", "quantity"}])
 * to state; false with why in buf, changing nothing, when an item is malformed or asks for more
 * units than the order has open.
 */
static bool mark_items(struct souk_sim__order *o, const json_t *items, enum souk_sim__unit state,
                       char *buf, size_t bufsz)
{
    uint8_t *units = souk_malloc(o->nunits ? o->nunits : 1);
    json_t *item;
    size_t i;
    bool ok = json_is_array(items) && json_array_size(items) > 0;
    memcpy(units, o->units, o->nunits);
    if (!ok)
        snprintf(buf, bufsz, "Param items must be a non-empty array of {retailer_id, quantity}");
    json_array_foreach(ok ? items : NULL, i, item) {
        const char *sku = souk_sim__str(item, "retailer_id");
        int64_t want = 0;
        ok = sku && souk_sim__count(json_object_get(item, "quantity"), SOUK_SIM_MAX_UNITS, &want) &&
             want > 0;
        for (size_t l = 0; ok && want && l < o->nlines; l++) {
            const struct souk_sim__line *line = &o->lines[l];
            for (size_t u = line->first_unit; want && strcmp(line->sku, sku) == 0 &&
                                              u < line->first_unit + (size_t)line->quantity;
                 u++)
                if (units[u] == SOUK_SIM__UNIT_OPEN) {
                    units[u] = (uint8_t)state;
                    want--;
                }
        }
        if (!ok || want) {
            snprintf(buf, bufsz,
                     "items[%zu] must name a retailer_id of the order and a quantity "
                     "from 1 to its units not yet shipped or cancelled",
                     i);
            ok = false;
            break;
        }
    }
    if (ok)
        memcpy(o->units, units, o->nunits);
    souk_free(units);
    return ok;
}

/* When nothing is left to ship the order is COMPLETED; wholly cancelled if nothing shipped. */
static void settle(struct souk_sim__order *o)
{
    if (souk_sim__order_units(o, SOUK_SIM__UNIT_OPEN))
        return;
    snprintf(o->status, sizeof o->status, "COMPLETED");
    o->cancelled = souk_sim__order_units(o, SOUK_SIM__UNIT_SHIPPED) == 0;
}

static void ship(struct souk_sim__req *req)
{
    char buf[200];
    const char *key = idempotency_key(req);
    json_t *items = key ? json_param(req, "items") : NULL;
    json_t *tracking = key ? json_param(req, "tracking_info") : NULL;
    static const char *const tracking_required[] = {"tracking_number", "carrier", NULL};
    struct souk_sim__order *o = NULL;
    if (!key) {
        /* replied */
    } else if (!json_is_object(tracking) || souk_sim__missing(tracking, tracking_required)) {
        meta_error(req, SOUK_SIM__INVALID, 400,
                   "Param tracking_info must be {tracking_number, carrier, shipping_method_name}");
    } else if ((o = order_locked(req))) {
        if (replayed(o->shipments, key)) {
            souk_sim__reply(req, 200, json_pack("{s:b}", "success", 1));
        } else if (strcmp(o->status, "IN_PROGRESS") != 0) {
            meta_error(req, SOUK_SIM__INVALID, 400, "The order is not in IN_PROGRESS state");
        } else if (!mark_items(o, items, SOUK_SIM__UNIT_SHIPPED, buf, sizeof buf)) {
            meta_error(req, SOUK_SIM__INVALID, 400, buf);
        } else {
            souk_sim__order_touch(o);
            settle(o);
            souk_sim__order_record(
                &o->shipments,
                json_pack("{s:s, s:s, s:s, s:s*, s:o}", "idempotency_key", key, "tracking_number",
                          souk_sim__str(tracking, "tracking_number"), "carrier",
                          souk_sim__str(tracking, "carrier"), "shipping_method_name",
                          souk_sim__str(tracking, "shipping_method_name"), "items",
                          json_deep_copy(items)));
            souk_sim__reply(req, 200, json_pack("{s:b}", "success", 1));
        }
        souk_sim__orders_unlock(req->orders);
    }
    json_decref(items);
    json_decref(tracking);
}

static void cancel(struct souk_sim__req *req)
{
    char buf[200];
    const char *key = idempotency_key(req);
    json_t *reason = key ? json_param(req, "cancel_reason") : NULL;
    json_t *items = key ? json_param(req, "items") : NULL;
    json_t *restock = key ? json_param(req, "restock_items") : NULL;
    const char *description = souk_sim__str(reason, "reason_description");
    struct souk_sim__order *o = NULL;
    if (!key) {
        /* replied */
    } else if (!souk_sim__one_of(souk_sim__str(reason, "reason_code"), cancel_reasons) ||
               (json_object_get(reason, "reason_description") && !description)) {
        meta_error(req, SOUK_SIM__INVALID, 400,
                   "Param cancel_reason must be {reason_code: OUT_OF_STOCK, CUSTOMER_REQUESTED, "
                   "INVALID_ADDRESS, SUSPICIOUS_ORDER or CANCEL_REASON_OTHER, "
                   "reason_description}");
    } else if (restock && !json_is_boolean(restock)) {
        meta_error(req, SOUK_SIM__INVALID, 400, "Param restock_items must be a boolean");
    } else if ((o = order_locked(req))) {
        if (replayed(o->cancellations, key)) {
            souk_sim__reply(req, 200, json_pack("{s:b}", "success", 1));
        } else if (strcmp(o->status, "CREATED") != 0 && strcmp(o->status, "IN_PROGRESS") != 0) {
            meta_error(req, SOUK_SIM__INVALID, 400,
                       "The order is not in CREATED or IN_PROGRESS state");
        } else if (items && !mark_items(o, items, SOUK_SIM__UNIT_CANCELLED, buf, sizeof buf)) {
            meta_error(req, SOUK_SIM__INVALID, 400, buf);
        } else {
            for (size_t u = 0; !items && u < o->nunits; u++)
                if (o->units[u] == SOUK_SIM__UNIT_OPEN)
                    o->units[u] = SOUK_SIM__UNIT_CANCELLED;
            souk_sim__order_touch(o);
            settle(o);
            souk_sim__order_record(&o->cancellations,
                                   json_pack("{s:s, s:s, s:s, s:b, s:o}", "idempotency_key", key,
                                             "reason_code", souk_sim__str(reason, "reason_code"),
                                             "reason_description", description ? description : "",
                                             "restock_items", json_is_true(restock), "items",
                                             items ? json_deep_copy(items) : json_null()));
            souk_sim__reply(req, 200, json_pack("{s:b}", "success", 1));
        }
        souk_sim__orders_unlock(req->orders);
    }
    json_decref(reason);
    json_decref(items);
    json_decref(restock);
}

static const struct souk_sim__route routes[] = {
    {"POST", "/{version}/{catalog_id}/items_batch", items_batch, MAX_BODY},
    {"GET", "/{version}/{catalog_id}/check_batch_request_status", check_batch_request_status, 0},
    {"GET", "/{version}/{cms_id}/commerce_orders", list_orders, 0},
    {"GET", "/{version}/{order_id:digits}", get_order, 0},
    {"POST", "/{version}/{order_id:digits}/acknowledge_order", acknowledge, MAX_ORDER_BODY},
    {"POST", "/{version}/{order_id:digits}/shipments", ship, MAX_ORDER_BODY},
    {"POST", "/{version}/{order_id:digits}/cancellations", cancel, MAX_ORDER_BODY},
};

const struct souk_sim__platform souk_sim__meta = {
    .name = "meta",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = NULL,
    .orders = &order_rules,
    .authenticate = meta_authenticate,
    .error = meta_error,
};

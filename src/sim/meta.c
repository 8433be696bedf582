/*
 * meta: the Meta (Facebook and Instagram Shops) Catalog Batch API, as Graph API v21 and later
 * serve it: POST /{version}/{catalog_id}/items_batch and
 * GET /{version}/{catalog_id}/check_batch_request_status.
 *
 * Follows the Graph API product-catalog reference pages for items_batch (updated 2026-04) and
 * check_batch_request_status, and the catalog fields and feed specification pages named in
 * shared/platform-facts.md §2.1-2.2. Parameters come as a form-encoded or JSON body, or in the
 * query; the access token as access_token or "Authorization: Bearer". A batch is validated
 * item by item, as Meta does: the valid items are applied at once, the invalid ones are
 * reported under the batch's handle, and the call itself answers {"handles": [...]}.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/gtin.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_REQUESTS 5000
#define MAX_BODY 28000000 /* Meta documents a 28 MB payload limit */
#define MAX_FORM_PARAMS 64
#define MAX_ID_CHARS 100
#define MAX_TITLE_CHARS 200
#define MAX_DESCRIPTION_CHARS 9999
#define MAX_QUANTITY 1000000000

static const char *const credentials[] = {"access_token", "catalog_id", NULL};
static const char *const defaults[] = {"sim-meta-access-token", "1234567890", NULL};

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

static const struct souk_sim__route routes[] = {
    {"POST", "/{version}/{catalog_id}/items_batch", items_batch, MAX_BODY},
    {"GET", "/{version}/{catalog_id}/check_batch_request_status", check_batch_request_status, 0},
};

const struct souk_sim__platform souk_sim__meta = {
    .name = "meta",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = NULL,
    .authenticate = meta_authenticate,
    .error = meta_error,
};

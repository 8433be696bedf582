/*
 * google: the Google Content API for Shopping v2.1 products: POST /content/v2.1/products/batch
 * (custombatch: insert, get and delete entries) and POST /content/v2.1/{merchantId}/products
 * (insert one).
 *
 * Follows the Content API v2.1 reference as mirrored by the google-apis-content_v2_1 client
 * (Product, ProductsCustomBatchRequestEntry, ProductsCustomBatchResponseEntry, Errors) and the
 * Merchant Center product data specification (shared/platform-facts.md §2.9). Auth is
 * "Authorization: Bearer <token>"; the merchant must be the configured one. Errors use
 * Google's shape {"error": {"code", "message", "errors": [{"domain", "reason", "message"}],
 * "status"}}; a failed custombatch entry carries the same object (without "status") as its
 * "errors". Items are keyed by the REST product id "channel:contentLanguage:targetCountry:
 * offerId"; GET /_sim/items/google/{offerId} finds them by offer id too.
 */
#include <stdio.h>
#include <string.h>

#include "core/locale.h"
#include "sim/sim_int.h"

#define MAX_BODY (10 << 20)
#define MAX_ENTRIES 10000
#define MAX_OFFER_ID_CHARS 50
#define MAX_TITLE_CHARS 150
#define MAX_DESCRIPTION_CHARS 5000
#define MAX_QUANTITY 1000000000

static const char *const credentials[] = {"access_token", "merchant_id", NULL};
static const char *const defaults[] = {"sim-google-access-token", "123456789", NULL};

static const char *const required[] = {"offerId", "title", "contentLanguage", "channel", "link",
                                       "imageLink", "availability", NULL};
static const char *const channels[] = {"online", "local", NULL};
static const char *const availabilities[] = {"in stock", "out of stock", "preorder", "backorder",
                                             NULL};

/* The Errors object: {"errors": [{"domain", "reason", "message"}], "code", "message"}. */
static json_t *errors_object(int code, const char *domain, const char *reason,
                             const char *message)
{
    return json_pack("{s:[{s:s, s:s, s:s}], s:i, s:s}", "errors", "domain", domain, "reason",
                     reason, "message", message, "code", code, "message", message);
}

static void reply_error(struct souk_sim__req *req, int status, const char *domain,
                        const char *reason, const char *grpc_status, const char *message)
{
    json_t *error = errors_object(status, domain, reason, message);
    json_object_set_new(error, "status", json_string(grpc_status));
    souk_sim__reply(req, status, json_pack("{s:o}", "error", error));
}

static void google_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                         const char *message)
{
    switch (kind) {
    case SOUK_SIM__INVALID:
    case SOUK_SIM__TOO_BIG:
        reply_error(req, status, "global", "invalid", "INVALID_ARGUMENT", message);
        break;
    case SOUK_SIM__NOT_FOUND:
        reply_error(req, status, "global", "notFound", "NOT_FOUND", message);
        break;
    case SOUK_SIM__RATE_LIMITED:
        reply_error(req, status, "usageLimits", "rateLimitExceeded", "RESOURCE_EXHAUSTED",
                    "Quota exceeded for quota metric 'Queries' of service "
                    "'shoppingcontent.googleapis.com'.");
        break;
    case SOUK_SIM__UNAVAILABLE:
        reply_error(req, status, "global", "backendError", "UNAVAILABLE",
                    "The service is currently unavailable.");
        break;
    }
}

static bool google_authenticate(struct souk_sim__req *req)
{
    if (souk_sim__bearer_is(req, souk_sim__credential(req, "access_token")))
        return true;
    souk_sim__add_header(req, "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", "
                                                  "error=\"invalid_token\"");
    reply_error(req, 401, "global", "authError", "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.");
    return false;
}

/* True when a merchantId (a JSON string or number) names the configured merchant. */
static bool is_merchant(struct souk_sim__req *req, const json_t *id)
{
    char text[32];
    if (json_is_integer(id))
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
    else
        snprintf(text, sizeof text, "%s", json_is_string(id) ? json_string_value(id) : "");
    return strcmp(text, souk_sim__credential(req, "merchant_id")) == 0;
}

/* Why a product cannot be inserted, or NULL. */
static const char *check_product(const json_t *p, char *buf, size_t bufsz)
{
    const char *missing = souk_sim__missing(p, required);
    const char *country = souk_sim__str(p, "targetCountry");
    const json_t *price = json_object_get(p, "price"), *sale = json_object_get(p, "salePrice");
    json_t *parsed = NULL;
    int64_t quantity;
    if (!json_is_object(p))
        return "product must be an object";
    if (missing) {
        snprintf(buf, bufsz, "[%s] Required parameter: %s", missing, missing);
        return buf;
    }
    if (!country && !souk_sim__str(p, "feedLabel"))
        return "[targetCountry] Required parameter: targetCountry or feedLabel";
    if (country && !souk_country_is_valid(souk_str_from(country)))
        return "[targetCountry] targetCountry must be an ISO 3166-1 alpha-2 code such as US";
    if (strlen(souk_sim__str(p, "contentLanguage")) != 2)
        return "[contentLanguage] contentLanguage must be an ISO 639-1 code such as en";
    if (!souk_sim__one_of(souk_sim__str(p, "channel"), channels))
        return "[channel] channel must be online or local";
    if (!souk_sim__one_of(souk_sim__str(p, "availability"), availabilities))
        return "[availability] availability must be in stock, out of stock, preorder or "
               "backorder";
    parsed = souk_sim__price_parts(souk_sim__str(price, "value"), souk_sim__str(price, "currency"));
    json_decref(parsed);
    if (!parsed)
        return "[price] price must be {\"value\": a decimal string, \"currency\": an ISO 4217 "
               "code}";
    parsed = sale ? souk_sim__price_parts(souk_sim__str(sale, "value"),
                                          souk_sim__str(sale, "currency"))
                  : NULL;
    json_decref(parsed);
    if (sale && !parsed)
        return "[salePrice] salePrice must be {\"value\", \"currency\"}";
    if (souk_sim__chars(souk_sim__str(p, "offerId")) > MAX_OFFER_ID_CHARS)
        return "[offerId] offerId must be at most 50 characters";
    if (souk_sim__chars(souk_sim__str(p, "title")) > MAX_TITLE_CHARS)
        return "[title] title must be at most 150 characters";
    if (souk_sim__chars(souk_sim__str(p, "description")) > MAX_DESCRIPTION_CHARS)
        return "[description] description must be at most 5000 characters";
    if (!souk_sim__is_url(souk_sim__str(p, "link")) ||
        !souk_sim__is_url(souk_sim__str(p, "imageLink")))
        return "[link] link and imageLink must be http or https URLs";
    if (json_object_get(p, "sellOnGoogleQuantity") &&
        !souk_sim__count(json_object_get(p, "sellOnGoogleQuantity"), MAX_QUANTITY, &quantity))
        return "[sellOnGoogleQuantity] sellOnGoogleQuantity must be a whole number from 0";
    return NULL;
}

/* Stores a checked product under the state lock, replacing one with its id; returns the product as Google answers it
 * (a new reference), or NULL when the catalog is full. */
static json_t *insert(struct souk_sim__req *req, const json_t *product)
{
    const char *country = souk_sim__str(product, "targetCountry");
    char id[512];
    snprintf(id, sizeof id, "%s:%s:%s:%s", souk_sim__str(product, "channel"),
             souk_sim__str(product, "contentLanguage"),
             country ? country : souk_sim__str(product, "feedLabel"),
             souk_sim__str(product, "offerId"));
    json_t *answer = json_deep_copy(product);
    json_object_set_new(answer, "kind", json_string("content#product"));
    json_object_set_new(answer, "id", json_string(id));
    /* An insert replaces the whole product, unlike a merge of some fields. */
    souk_sim__item_delete(req->state, req->platform, id);
    json_t *item = souk_sim__item_merge(req->state, req->platform, id, answer);
    if (!item) {
        json_decref(answer);
        return NULL;
    }
    json_t *fields = json_object_get(item, "fields"), *price = json_object_get(fields, "price");
    int64_t quantity;
    if (souk_sim__count(json_object_get(fields, "sellOnGoogleQuantity"), MAX_QUANTITY, &quantity))
        json_object_set_new(item, "quantity", json_integer(quantity));
    json_object_set_new(item, "price", souk_sim__price_parts(souk_sim__str(price, "value"),
                                                             souk_sim__str(price, "currency")));
    json_object_set(item, "availability", json_object_get(fields, "availability"));
    return answer;
}

/* ---- custombatch ---- */

/* Serves one entry under the state lock; fills in the response entry. */
static void batch_entry(struct souk_sim__req *req, const json_t *entry, json_t *out)
{
    const char *method = souk_sim__str(entry, "method");
    const char *product_id = souk_sim__str(entry, "productId");
    json_t *product = json_object_get(entry, "product"), *found;
    char buf[160];
    const char *bad;
    if (!is_merchant(req, json_object_get(entry, "merchantId"))) {
        json_object_set_new(out, "errors", errors_object(403, "global", "forbidden",
                                                         "User cannot access this account"));
    } else if (method && strcmp(method, "insert") == 0) {
        bad = check_product(product, buf, sizeof buf);
        json_t *stored = bad ? NULL : insert(req, product);
        if (stored)
            json_object_set_new(out, "product", stored);
        else
            json_object_set_new(out, "errors", errors_object(400, "global", "invalid",
                                                             bad ? bad : "the catalog is full"));
    } else if (method && (strcmp(method, "get") == 0 || strcmp(method, "delete") == 0)) {
        found = product_id ? souk_sim__item(req->state, req->platform, product_id) : NULL;
        if (!found)
            json_object_set_new(out, "errors", errors_object(404, "global", "notFound",
                                                             "item not found"));
        else if (method[0] == 'g')
            json_object_set(out, "product", json_object_get(found, "fields"));
        else
            souk_sim__item_delete(req->state, req->platform, product_id);
    } else {
        json_object_set_new(out, "errors", errors_object(400, "global", "invalid",
                                                         "method must be insert, get or delete"));
    }
}

static void custombatch(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *entry;
    json_t *entries = json_object_get(body, "entries");
    size_t i;
    if (!body)
        return;
    if (!json_is_array(entries) || json_array_size(entries) == 0 ||
        json_array_size(entries) > MAX_ENTRIES) {
        google_error(req, SOUK_SIM__INVALID, 400, "entries must be an array of 1 to 10000 "
                     "entries");
        json_decref(body);
        return;
    }
    json_t *answers = json_array();
    souk_sim__lock(req->state);
    json_array_foreach(entries, i, entry) {
        json_t *out = json_pack("{s:s, s:O*}", "kind", "content#productsCustomBatchResponseEntry",
                                "batchId", json_object_get(entry, "batchId"));
        batch_entry(req, entry, out);
        json_array_append_new(answers, out);
    }
    souk_sim__unlock(req->state);
    souk_sim__reply(req, 200, json_pack("{s:s, s:o}", "kind", "content#productsCustomBatchResponse",
                                        "entries", answers));
    json_decref(body);
}

static void insert_one(struct souk_sim__req *req)
{
    json_t *merchant = json_string(req->params[0]);
    bool allowed = is_merchant(req, merchant);
    json_decref(merchant);
    if (!allowed) {
        reply_error(req, 403, "global", "forbidden", "PERMISSION_DENIED",
                    "User cannot access this account");
        return;
    }
    json_t *body = souk_sim__body_json(req);
    char buf[160];
    if (!body)
        return;
    const char *bad = check_product(body, buf, sizeof buf);
    json_t *stored = NULL;
    if (!bad) {
        souk_sim__lock(req->state);
        stored = insert(req, body);
        souk_sim__unlock(req->state);
    }
    if (stored)
        souk_sim__reply(req, 200, stored);
    else
        google_error(req, SOUK_SIM__INVALID, 400, bad ? bad : "the catalog is full");
    json_decref(body);
}

static const struct souk_sim__route routes[] = {
    {"POST", "/content/v2.1/products/batch", custombatch, MAX_BODY},
    {"POST", "/content/v2.1/{merchantId}/products", insert_one, MAX_BODY},
};

const struct souk_sim__platform souk_sim__google = {
    .name = "google",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = "offerId",
    .authenticate = google_authenticate,
    .error = google_error,
};

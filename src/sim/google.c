/*
 * google: the Google Merchant API, Products sub-API v1: product inputs.
 *   POST   /products/v1/accounts/{account}/productInputs:insert?dataSource=...
 *   DELETE /products/v1/accounts/{account}/productInputs/{name}?dataSource=...
 *
 * Follows the v1 reference (developers.google.com/merchant/api/reference/rest/products_v1/
 * accounts.productInputs and the googleapis protos it is generated from, retrieved 2026-11)
 * and the Merchant Center product data specification (shared/platform-facts.md §2.9). Auth is
 * "Authorization: Bearer <token>"; the account must be the configured merchant and the data
 * source its configured API data source. Errors are google.rpc.Status as JSON: {"error":
 * {"code", "message", "status", "details": [{"@type": "...google.rpc.ErrorInfo", "reason",
 * "domain", "metadata": {"REASON": ...}}]}}; a body that does not parse as a ProductInput
 * (unknown field, wrong type, enum value) gets Google's "Invalid value at '...'" or "Unknown
 * name" message, the rest "[field] ..." as the Merchant API writes them.
 *
 * An item is keyed by its product input name "{contentLanguage}~{feedLabel}~{offerId}"
 * (v1 has no channel part); a delete names it plain or unpadded-base64url encoded, as the API
 * takes both. GET /_sim/items/google/{offerId} finds it by offer id too.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/money.h"
#include "core/time.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_BODY (2 << 20) /* (sim) */
#define MAX_OFFER_ID_CHARS 50
#define MAX_FEED_LABEL_CHARS 20
#define MAX_TITLE_CHARS 150
#define MAX_DESCRIPTION_CHARS 5000
#define MAX_LIST 10 /* gtins and additional images */
#define MAX_NAME 512
#define MICROS_EXPONENT 6
#define DOMAIN "merchantapi.googleapis.com"

static const char *const credentials[] = {"access_token", "merchant_id", "data_source_id", NULL};
static const char *const defaults[] = {"sim-google-access-token", "123456789", "100200300", NULL};

static const char *const availabilities[] = {"IN_STOCK",  "OUT_OF_STOCK",         "PREORDER",
                                             "BACKORDER", "LIMITED_AVAILABILITY", NULL};
static const char *const conditions[] = {"NEW", "USED", "REFURBISHED", NULL};

/* ---- errors ---- */

static void reply_error(struct souk_sim__req *req, int code, const char *status, const char *reason,
                        const char *message)
{
    souk_sim__reply(req, code,
                    json_pack("{s:{s:i, s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}}", "error", "code",
                              code, "message", message, "status", status, "details", "@type",
                              "type.googleapis.com/google.rpc.ErrorInfo", "reason", reason,
                              "domain", DOMAIN, "metadata", "REASON", reason));
}

static void google_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                         const char *message)
{
    switch (kind) {
    case SOUK_SIM__INVALID:
    case SOUK_SIM__TOO_BIG:
        reply_error(req, status, "INVALID_ARGUMENT", "INVALID_ARGUMENT", message);
        break;
    case SOUK_SIM__NOT_FOUND:
        reply_error(req, status, "NOT_FOUND", "NOT_FOUND", message);
        break;
    case SOUK_SIM__RATE_LIMITED:
        reply_error(req, status, "RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED",
                    "Quota exceeded for quota metric 'Requests' of service '" DOMAIN "'.");
        break;
    case SOUK_SIM__UNAVAILABLE:
        /* An injected status: the google.rpc.Code its HTTP status stands for. */
        if (status == 429)
            google_error(req, SOUK_SIM__RATE_LIMITED, status, message);
        else
            reply_error(req, status,
                        status == 500   ? "INTERNAL"
                        : status == 504 ? "DEADLINE_EXCEEDED"
                                        : "UNAVAILABLE",
                        "BACKEND_ERROR", "The service is currently unavailable.");
        break;
    }
}

static bool google_authenticate(struct souk_sim__req *req)
{
    if (souk_sim__bearer_is(req, souk_sim__credential(req, "access_token")))
        return true;
    souk_sim__add_header(req, "WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", "
                                                  "error=\"invalid_token\"");
    reply_error(req, 401, "UNAUTHENTICATED", "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.");
    return false;
}

/* ---- the ProductInput, as the API parses it ---- */

enum kind {
    STRING,    /* a JSON string */
    STRINGS,   /* an array of at most MAX_LIST strings */
    ENUM,      /* one of the field's words */
    INT64,     /* a non-negative int64: a JSON integer or a string of digits */
    PRICE,     /* {"amountMicros": INT64, "currencyCode": ISO 4217} */
    TIMESTAMP, /* RFC 3339 with seconds */
    INTERVAL,  /* {"startTime": TIMESTAMP, "endTime": TIMESTAMP} */
    WEIGHT,    /* {"value": number, "unit": string} */
    BOOL,
};

/* The attributes the sim knows, by their JSON names; any other is an unknown name. The enum
 * type names are the API's, for its messages. */
static const struct {
    const char *name;
    enum kind kind;
    const char *const *words; /* ENUM */
    const char *type;         /* ENUM */
} attributes[] = {
    {"title", STRING, NULL, NULL},
    {"description", STRING, NULL, NULL},
    {"link", STRING, NULL, NULL},
    {"mobileLink", STRING, NULL, NULL},
    {"imageLink", STRING, NULL, NULL},
    {"additionalImageLinks", STRINGS, NULL, NULL},
    {"availability", ENUM, availabilities, "Availability"},
    {"availabilityDate", TIMESTAMP, NULL, NULL},
    {"expirationDate", TIMESTAMP, NULL, NULL},
    {"price", PRICE, NULL, NULL},
    {"salePrice", PRICE, NULL, NULL},
    {"salePriceEffectiveDate", INTERVAL, NULL, NULL},
    {"sellOnGoogleQuantity", INT64, NULL, NULL},
    {"brand", STRING, NULL, NULL},
    {"gtins", STRINGS, NULL, NULL},
    {"mpn", STRING, NULL, NULL},
    {"identifierExists", BOOL, NULL, NULL},
    {"condition", ENUM, conditions, "Condition"},
    {"itemGroupId", STRING, NULL, NULL},
    {"googleProductCategory", STRING, NULL, NULL},
    {"productTypes", STRINGS, NULL, NULL},
    {"color", STRING, NULL, NULL},
    {"size", STRING, NULL, NULL},
    {"material", STRING, NULL, NULL},
    {"pattern", STRING, NULL, NULL},
    {"shippingWeight", WEIGHT, NULL, NULL},
    {"adult", BOOL, NULL, NULL},
};
#define NATTRIBUTES (sizeof attributes / sizeof attributes[0])

static const char *const input_fields[] = {
    "name",      "product",       "legacyLocal",       "offerId",          "contentLanguage",
    "feedLabel", "versionNumber", "productAttributes", "customAttributes", NULL};

/* The API names fields in snake_case in its messages: "salePrice" is "sale_price". */
static void snake(const char *camel, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; camel[i] && o + 2 < outsz; i++) {
        if (camel[i] >= 'A' && camel[i] <= 'Z') {
            out[o++] = '_';
            out[o++] = (char)(camel[i] - 'A' + 'a');
        } else {
            out[o++] = camel[i];
        }
    }
    out[o] = '\0';
}

static bool is_int64(const json_t *v, int64_t *out)
{
    return souk_sim__count(v, INT64_MAX, out);
}

static bool is_timestamp(const json_t *v)
{
    const char *text = json_string_value(v);
    int64_t us;
    return text && souk_time_parse(souk_str_from(text), &us) == SOUK_OK;
}

static bool is_price(const json_t *v)
{
    int64_t micros;
    const json_t *amount = json_object_get(v, "amountMicros");
    const char *currency = souk_sim__str(v, "currencyCode");
    return json_is_object(v) && (!amount || is_int64(amount, &micros)) &&
           (!currency || souk_money_currency(souk_str_from(currency)));
}

/* Where a value fails its kind: the member path below the attribute ("" for the attribute
 * itself), or NULL when it is well-formed. */
static const char *misfit(const json_t *v, enum kind kind, const char *const *words)
{
    size_t i;
    json_t *e;
    int64_t n;
    switch (kind) {
    case STRING:
        return json_is_string(v) ? NULL : "";
    case STRINGS:
        if (!json_is_array(v) || json_array_size(v) > MAX_LIST)
            return "";
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e))
                return "";
        }
        return NULL;
    case ENUM:
        return souk_sim__one_of(json_string_value(v), words) ? NULL : "";
    case INT64:
        return is_int64(v, &n) ? NULL : "";
    case PRICE:
        if (!json_is_object(v))
            return "";
        if (json_object_get(v, "amountMicros") && !is_int64(json_object_get(v, "amountMicros"), &n))
            return ".amount_micros";
        return is_price(v) ? NULL : ".currency_code";
    case TIMESTAMP:
        return is_timestamp(v) ? NULL : "";
    case INTERVAL:
        if (!json_is_object(v))
            return "";
        if (json_object_get(v, "startTime") && !is_timestamp(json_object_get(v, "startTime")))
            return ".start_time";
        if (json_object_get(v, "endTime") && !is_timestamp(json_object_get(v, "endTime")))
            return ".end_time";
        return NULL;
    case WEIGHT:
        return json_is_object(v) && json_is_number(json_object_get(v, "value")) &&
                       json_is_string(json_object_get(v, "unit"))
                   ? NULL
                   : "";
    case BOOL:
        return json_is_boolean(v) ? NULL : "";
    }
    return "";
}

/* The JSON parse of the body: unknown names and ill-typed values. Writes Google's message. */
static bool parses(const json_t *input, char *buf, size_t bufsz)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)input, key, value)
    {
        if (souk_sim__one_of(key, input_fields))
            continue;
        snprintf(buf, bufsz,
                 "Invalid JSON payload received. Unknown name \"%s\" at "
                 "'product_input': Cannot find field.",
                 key);
        return false;
    }
    const json_t *attrs = json_object_get(input, "productAttributes");
    if (attrs && !json_is_object(attrs)) {
        snprintf(buf, bufsz, "Invalid value at 'product_input.product_attributes', %s",
                 "expected an object");
        return false;
    }
    json_object_foreach((json_t *)attrs, key, value)
    {
        size_t i = 0;
        while (i < NATTRIBUTES && strcmp(attributes[i].name, key) != 0)
            i++;
        if (i == NATTRIBUTES) {
            snprintf(buf, bufsz,
                     "Invalid JSON payload received. Unknown name \"%s\" at "
                     "'product_input.product_attributes': Cannot find field.",
                     key);
            return false;
        }
        const char *where = misfit(value, attributes[i].kind, attributes[i].words);
        if (!where)
            continue;
        char field[64], *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        snake(key, field, sizeof field);
        snprintf(buf, bufsz, "Invalid value at 'product_input.product_attributes.%s%s' (%s%s), %s",
                 field, where,
                 attributes[i].type ? "type.googleapis.com/google.shopping.merchant.products.v1."
                                    : "",
                 attributes[i].type ? attributes[i].type : "a well-formed value", text ? text : "");
        souk_free(text);
        return false;
    }
    return true;
}

/* Why a parsed product input is refused, or NULL: the required fields and the product data
 * specification's required attributes and limits (the latter checked at once is the sim's
 * choice: the real API may take such an input and disapprove the product later). */
static const char *refusal(const json_t *input, char *buf, size_t bufsz)
{
    static const char *const required[] = {"offerId", "contentLanguage", "feedLabel", NULL};
    static const char *const needed[] = {"title", "link", "imageLink", NULL};
    const json_t *attrs = json_object_get(input, "productAttributes");
    const char *missing = souk_sim__missing(input, required);
    const char *language = souk_sim__str(input, "contentLanguage");
    const char *label = souk_sim__str(input, "feedLabel");
    char field[64];
    if (missing) {
        snake(missing, field, sizeof field);
        snprintf(buf, bufsz, "[%s] Required parameter: %s", field, field);
        return buf;
    }
    if (strlen(language) != 2 || strspn(language, "abcdefghijklmnopqrstuvwxyz") != 2)
        return "[content_language] The content language must be a two-letter ISO 639-1 code.";
    if (strlen(label) > MAX_FEED_LABEL_CHARS ||
        strspn(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != strlen(label))
        return "[feed_label] The feed label must be at most 20 of A-Z, 0-9, hyphen and "
               "underscore.";
    if (souk_sim__chars(souk_sim__str(input, "offerId")) > MAX_OFFER_ID_CHARS)
        return "[offer_id] The offer id must be at most 50 characters.";
    if ((missing = souk_sim__missing(attrs, needed)) ||
        (missing = !json_object_get(attrs, "availability") ? "availability" : NULL) ||
        (missing =
             !json_object_get(json_object_get(attrs, "price"), "amountMicros") ? "price" : NULL)) {
        snake(missing, field, sizeof field);
        snprintf(buf, bufsz, "[product_attributes.%s] The attribute %s is required.", field, field);
        return buf;
    }
    if (souk_sim__chars(souk_sim__str(attrs, "title")) > MAX_TITLE_CHARS)
        return "[product_attributes.title] The title must be at most 150 characters.";
    if (souk_sim__chars(souk_sim__str(attrs, "description")) > MAX_DESCRIPTION_CHARS)
        return "[product_attributes.description] The description must be at most 5000 "
               "characters.";
    if (!souk_sim__is_url(souk_sim__str(attrs, "link")) ||
        !souk_sim__is_url(souk_sim__str(attrs, "imageLink")))
        return "[product_attributes.link] link and image_link must be http or https URLs.";
    return NULL;
}

/* ---- the account, data source and name in the request ---- */

/* True when the path's account and the dataSource parameter are the configured ones; false
 * once it has replied with Google's error. */
static bool account_and_source(struct souk_sim__req *req)
{
    const char *account = souk_sim__param(req, "account");
    const char *merchant = souk_sim__credential(req, "merchant_id");
    const char *source = souk_sim__query(req, "dataSource");
    char message[256], want[128];
    if (strspn(account, "0123456789") != strlen(account)) {
        snprintf(message, sizeof message,
                 "[parent] The part `account` of the resource name in "
                 "field `parent` must be a number, but has value: `%.64s`.",
                 account);
        reply_error(req, 400, "INVALID_ARGUMENT", "INVALID_NAME_PART_NOT_NUMBER", message);
        return false;
    }
    if (strcmp(account, merchant) != 0) {
        snprintf(message, sizeof message,
                 "The caller does not have access to the accounts: "
                 "[%.64s]",
                 account);
        reply_error(req, 403, "PERMISSION_DENIED", "PERMISSION_DENIED_ACCOUNTS", message);
        return false;
    }
    if (!source || !*source) {
        reply_error(req, 400, "INVALID_ARGUMENT", "REQUIRED_FIELD_MISSING",
                    "[data_source] Required parameter: data_source");
        return false;
    }
    snprintf(want, sizeof want, "accounts/%s/dataSources/%s", merchant,
             souk_sim__credential(req, "data_source_id"));
    if (strcmp(source, want) != 0) {
        snprintf(message, sizeof message, "[data_source] Data source %.100s not found.", source);
        reply_error(req, 404, "NOT_FOUND", "DATA_SOURCE_NOT_FOUND", message);
        return false;
    }
    return true;
}

/* ---- the handlers ---- */

/* Stores a checked input under the state lock, replacing one with its name; returns the input
 * as Google answers it (a new reference), or NULL when the catalog is full. */
static json_t *insert(struct souk_sim__req *req, const json_t *input)
{
    char id[MAX_NAME];
    snprintf(id, sizeof id, "%s~%s~%s", souk_sim__str(input, "contentLanguage"),
             souk_sim__str(input, "feedLabel"), souk_sim__str(input, "offerId"));
    const char *account = souk_sim__param(req, "account");
    json_t *answer = json_deep_copy(input);
    json_object_set_new(answer, "name", json_sprintf("accounts/%s/productInputs/%s", account, id));
    json_object_set_new(answer, "product", json_sprintf("accounts/%s/products/%s", account, id));
    /* An insert replaces the whole input, unlike an update of some attributes. */
    souk_sim__item_delete(req->state, req->platform, id);
    json_t *item = souk_sim__item_merge(req->state, req->platform, id, answer);
    if (!item) {
        json_decref(answer);
        return NULL;
    }
    json_t *attrs = json_object_get(json_object_get(item, "fields"), "productAttributes");
    json_t *price = json_object_get(attrs, "price");
    const struct souk_currency *cur =
        souk_money_currency(souk_str_from(souk_sim__str(price, "currencyCode")));
    int64_t quantity, micros, factor = 1;
    if (souk_sim__count(json_object_get(attrs, "sellOnGoogleQuantity"), INT64_MAX, &quantity))
        json_object_set_new(item, "quantity", json_integer(quantity));
    for (int e = cur ? cur->exponent : MICROS_EXPONENT; e < MICROS_EXPONENT; e++)
        factor *= 10;
    /* The item view's price is in minor units; micros finer than those have none. */
    if (cur && is_int64(json_object_get(price, "amountMicros"), &micros) && micros % factor == 0)
        json_object_set_new(item, "price",
                            json_pack("{s:I, s:s}", "amount_minor", (json_int_t)(micros / factor),
                                      "currency", cur->code));
    json_object_set(item, "availability", json_object_get(attrs, "availability"));
    json_object_set_new(item, "data_source", json_string(souk_sim__query(req, "dataSource")));
    return answer;
}

static void insert_input(struct souk_sim__req *req)
{
    if (!account_and_source(req))
        return;
    json_t *body = souk_sim__body_json(req);
    char buf[320];
    if (!body)
        return;
    const char *bad = parses(body, buf, sizeof buf) ? refusal(body, buf, sizeof buf) : buf;
    json_t *stored = NULL;
    if (!bad) {
        souk_sim__lock(req->state);
        stored = insert(req, body);
        souk_sim__unlock(req->state);
    }
    if (stored)
        souk_sim__reply(req, 200, stored);
    else if (bad)
        google_error(req, SOUK_SIM__INVALID, 400, bad);
    else
        reply_error(req, 429, "RESOURCE_EXHAUSTED", "TOO_MANY_ITEMS", "Merchant quota exceeded");
    json_decref(body);
}

static void delete_input(struct souk_sim__req *req)
{
    if (!account_and_source(req))
        return;
    const char *name = souk_sim__param(req, "name");
    char id[MAX_NAME], message[MAX_NAME + 64];
    bool plain = strchr(name, '~') != NULL;
    if (plain)
        snprintf(id, sizeof id, "%s", name);
    if ((!plain && !souk_sig_base64url_decode(name, id, sizeof id)) || !strchr(id, '~')) {
        snprintf(message, sizeof message,
                 "[name] The product input name `%.200s` is not "
                 "content_language~feed_label~offer_id, plain or base64url-encoded.",
                 name);
        reply_error(req, 400, "INVALID_ARGUMENT", "INVALID_NAME", message);
        return;
    }
    souk_sim__lock(req->state);
    bool deleted = souk_sim__item_delete(req->state, req->platform, id);
    souk_sim__unlock(req->state);
    if (deleted) {
        souk_sim__reply(req, 200, json_object());
        return;
    }
    snprintf(message, sizeof message, "[name] Product input %.300s not found.", id);
    reply_error(req, 404, "NOT_FOUND", "PRODUCT_INPUT_NOT_FOUND", message);
}

static const struct souk_sim__route routes[] = {
    {"POST", "/products/v1/accounts/{account}/productInputs:insert", insert_input, MAX_BODY},
    {"DELETE", "/products/v1/accounts/{account}/productInputs/{name}", delete_input, 0},
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

/*
 * pinterest: the Pinterest API v5 catalog item batches: POST /v5/catalogs/items/batch and
 * GET /v5/catalogs/items/batch/{batch_id}.
 *
 * Follows developers.pinterest.com "Modify catalog items in batch" and the models of
 * pinterest/pinterest-python-generated-api-client (CatalogsItemsBatch, ItemProcessingRecord,
 * ItemValidationEvent). Auth is "Authorization: Bearer <token>"; a wrong one gets
 * {"code": 2, "message": "Authentication failed."} with 401. The POST answers PROCESSING, as
 * Pinterest does; the items are applied at once and the batch reads COMPLETED, with a
 * SUCCESS or FAILURE record (and its errors) per item.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/locale.h"
#include "core/time.h"
#include "sim/sim_int.h"

#define MAX_BODY (10 << 20)
#define MAX_ITEMS 1000
#define MAX_ITEM_ID_CHARS 127
#define MAX_TITLE_CHARS 500
#define MAX_DESCRIPTION_CHARS 10000

/* Pinterest's code for a bad token is its own; the others are the sim's choice. */
#define CODE_INVALID 1
#define CODE_AUTH 2
#define CODE_NOT_FOUND 4
#define CODE_UNAVAILABLE 8
#define CODE_RATE_LIMITED 29

static const char *const credentials[] = {"access_token", NULL};
static const char *const defaults[] = {"sim-pinterest-access-token", NULL};

static const char *const operations[] = {"CREATE", "UPDATE", "UPSERT", "DELETE", NULL};
static const char *const availabilities[] = {"in stock", "out of stock", "preorder", NULL};
static const char *const conditions[] = {"new", "refurbished", "used", NULL};
static const char *const create_required[] = {"title", "description", "link", "price",
                                              "availability", NULL};

static void pinterest_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                            const char *message)
{
    static const int codes[] = {
        [SOUK_SIM__INVALID] = CODE_INVALID,
        [SOUK_SIM__NOT_FOUND] = CODE_NOT_FOUND,
        [SOUK_SIM__TOO_BIG] = CODE_INVALID,
        [SOUK_SIM__RATE_LIMITED] = CODE_RATE_LIMITED,
        [SOUK_SIM__UNAVAILABLE] = CODE_UNAVAILABLE,
    };
    souk_sim__reply(req, status, json_pack("{s:i, s:s}", "code", codes[kind], "message", message));
}

static bool pinterest_authenticate(struct souk_sim__req *req)
{
    if (souk_sim__bearer_is(req, souk_sim__credential(req, "access_token")))
        return true;
    souk_sim__reply(req, 401,
                    json_pack("{s:i, s:s}", "code", CODE_AUTH, "message", "Authentication failed."));
    return false;
}

/* True for a string URL or a non-empty array of them (image_link is an array in v5). */
static bool is_image_links(const json_t *value)
{
    size_t i;
    json_t *link;
    if (json_is_string(value))
        return souk_sim__is_url(json_string_value(value));
    if (!json_is_array(value) || json_array_size(value) == 0)
        return false;
    json_array_foreach(value, i, link)
        if (!souk_sim__is_url(json_string_value(link)))
            return false;
    return true;
}

/* Appends {"attribute", "message"} to errors when bad. */
static void check_attribute(json_t *errors, bool bad, const char *attribute, const char *message)
{
    if (bad)
        json_array_append_new(errors, json_pack("{s:s, s:s}", "attribute", attribute,
                                                "message", message));
}

/* Appends the validation errors of one item's attributes to errors. */
static void check_attributes(json_t *errors, const json_t *attrs, bool creating)
{
    const char *missing = creating ? souk_sim__missing(attrs, create_required) : NULL;
    const json_t *image = json_object_get(attrs, "image_link");
    check_attribute(errors, missing != NULL, missing ? missing : "", "a required attribute is "
                    "missing");
    check_attribute(errors, (creating || image) && !is_image_links(image), "image_link",
                    "image_link must be an http(s) URL or an array of them");
    check_attribute(errors, json_object_get(attrs, "price") &&
                                !souk_sim__is_price_text(souk_sim__str(attrs, "price")),
                    "price", "price must be an amount and an ISO 4217 currency, like \"24.99 USD\"");
    check_attribute(errors, json_object_get(attrs, "sale_price") &&
                                !souk_sim__is_price_text(souk_sim__str(attrs, "sale_price")),
                    "sale_price", "sale_price must be like \"19.99 USD\"");
    check_attribute(errors, json_object_get(attrs, "availability") &&
                                !souk_sim__one_of(souk_sim__str(attrs, "availability"),
                                                  availabilities),
                    "availability", "availability must be in stock, out of stock or preorder");
    check_attribute(errors, json_object_get(attrs, "condition") &&
                                !souk_sim__one_of(souk_sim__str(attrs, "condition"), conditions),
                    "condition", "condition must be new, refurbished or used");
    check_attribute(errors, json_object_get(attrs, "link") &&
                                !souk_sim__is_url(souk_sim__str(attrs, "link")),
                    "link", "link must be an http or https URL");
    check_attribute(errors, souk_sim__chars(souk_sim__str(attrs, "title")) > MAX_TITLE_CHARS,
                    "title", "title must be at most 500 characters");
    check_attribute(errors, souk_sim__chars(souk_sim__str(attrs, "description")) >
                                MAX_DESCRIPTION_CHARS,
                    "description", "description must be at most 10000 characters");
}

/* Applies one element of items[] under the state lock; returns its processing record. */
static json_t *apply_item(struct souk_sim__req *req, const char *operation, const json_t *entry)
{
    const char *id = souk_sim__str(entry, "item_id");
    json_t *attrs = json_object_get(entry, "attributes");
    json_t *errors = json_array();
    bool exists = id && souk_sim__item(req->state, req->platform, id);
    bool deleting = strcmp(operation, "DELETE") == 0;
    bool creating = !exists && strcmp(operation, "UPDATE") != 0;
    if (!id || !*id || souk_sim__chars(id) > MAX_ITEM_ID_CHARS)
        check_attribute(errors, true, "item_id", "item_id is required, at most 127 characters");
    else if (strcmp(operation, "CREATE") == 0 && exists)
        check_attribute(errors, true, "item_id", "an item with this item_id already exists");
    else if (!exists && (deleting || strcmp(operation, "UPDATE") == 0))
        check_attribute(errors, true, "item_id", "no item has this item_id");
    else if (!deleting && !json_is_object(attrs))
        check_attribute(errors, true, "attributes", "attributes must be an object");
    else if (!deleting)
        check_attributes(errors, attrs, creating);
    if (json_array_size(errors) == 0 && deleting) {
        souk_sim__item_delete(req->state, req->platform, id);
    } else if (json_array_size(errors) == 0) {
        json_t *item = souk_sim__item_merge(req->state, req->platform, id, attrs);
        check_attribute(errors, !item, "item_id", "the catalog is full");
        json_t *fields = json_object_get(item, "fields");
        if (item) {
            json_object_set_new(item, "price", souk_sim__price_text(souk_sim__str(fields, "price")));
            json_object_set(item, "availability", json_object_get(fields, "availability"));
        }
    }
    return json_pack("{s:s?, s:s, s:o, s:[]}", "item_id", id, "status",
                     json_array_size(errors) ? "FAILURE" : "SUCCESS", "errors", errors,
                     "warnings");
}

/* Why the request as a whole is malformed, or NULL. */
static const char *check_batch(const json_t *body)
{
    const char *country = souk_sim__str(body, "country");
    const char *language = souk_sim__str(body, "language");
    const json_t *items = json_object_get(body, "items");
    const char *catalog_type = souk_sim__str(body, "catalog_type");
    if (!souk_sim__one_of(souk_sim__str(body, "operation"), operations))
        return "operation must be CREATE, UPDATE, UPSERT or DELETE";
    if (!country || !souk_country_is_valid(souk_str_from(country)))
        return "country must be an ISO 3166-1 alpha-2 code such as US";
    if (!language || strlen(language) != 2 || !isalpha((unsigned char)language[0]) ||
        !isalpha((unsigned char)language[1]))
        return "language must be an ISO 639-1 code such as EN";
    if (catalog_type && strcmp(catalog_type, "RETAIL") != 0)
        return "catalog_type must be RETAIL";
    if (!json_is_array(items) || json_array_size(items) == 0 ||
        json_array_size(items) > MAX_ITEMS)
        return "items must be an array of 1 to 1000 items";
    return NULL;
}

static void batch_post(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *entry;
    size_t i;
    if (!body)
        return;
    const char *bad = check_batch(body);
    if (bad) {
        pinterest_error(req, SOUK_SIM__INVALID, 400, bad);
        json_decref(body);
        return;
    }
    char batch_id[SOUK_SIM_ID_MAX], now[SOUK_TIME_RFC3339_MAX];
    const char *operation = souk_sim__str(body, "operation");
    json_t *records = json_array();
    souk_sim__new_id(req->state, batch_id);
    souk_time_format(souk_time_now_us(), now);
    souk_sim__lock(req->state);
    json_array_foreach(json_object_get(body, "items"), i, entry)
        json_array_append_new(records, apply_item(req, operation, entry));
    souk_sim__batch_put(req->state, req->platform, batch_id,
                        json_pack("{s:s, s:s, s:s, s:s, s:o}", "batch_id", batch_id, "status",
                                  "COMPLETED", "created_time", now, "completed_time", now,
                                  "items", records));
    souk_sim__unlock(req->state);
    souk_sim__reply(req, 200, json_pack("{s:s, s:s, s:s, s:n}", "batch_id", batch_id, "status",
                                        "PROCESSING", "created_time", now, "completed_time"));
    json_decref(body);
}

static void batch_get(struct souk_sim__req *req)
{
    souk_sim__lock(req->state);
    json_t *batch = json_deep_copy(souk_sim__batch(req->state, req->platform, req->params[0]));
    souk_sim__unlock(req->state);
    if (batch)
        souk_sim__reply(req, 200, batch);
    else
        pinterest_error(req, SOUK_SIM__NOT_FOUND, 404, "Catalogs items batch not found.");
}

static const struct souk_sim__route routes[] = {
    {"POST", "/v5/catalogs/items/batch", batch_post, MAX_BODY},
    {"GET", "/v5/catalogs/items/batch/{batch_id}", batch_get, 0},
};

const struct souk_sim__platform souk_sim__pinterest = {
    .name = "pinterest",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = NULL,
    .authenticate = pinterest_authenticate,
    .error = pinterest_error,
};

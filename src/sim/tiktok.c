/*
 * tiktok: the TikTok Shop Partner API (version 202309): create a product, update its SKUs'
 * inventory per warehouse and their prices; read orders, ship them (packages) and cancel them;
 * and the ORDER_STATUS_CHANGE webhook TikTok sends the seller whenever an order changes.
 *
 * Every call is signed (shared/platform-facts.md §2.7, after the npm package tiktok-shop and
 * the Partner Center "Sign your API request" steps as quoted by developers): the query holds
 * app_key, timestamp (unix seconds), shop_cipher and sign; the header x-tts-access-token holds
 * the shop's token; sign is the lower-case hex HMAC-SHA256, keyed with the app secret, of
 *   secret + path + (each query key and value except sign and access_token, sorted by key)
 *          + body + secret
 * where the body is left out for multipart uploads. The sim checks it in constant time and
 * refuses a timestamp more than 5 minutes from its clock.
 *
 * Answers use TikTok's envelope {"code", "message", "request_id", "data"}. Code 106001 (bad
 * sign, HTTP 401) is TikTok's own; 105002 (bad access token) comes from third-party mocks; the
 * rest are the sim's choice, listed in docs/internals/sim.md. Items are SKUs, keyed by the SKU
 * id the sim mints; GET /_sim/items/tiktok/{seller_sku} finds them by seller SKU too.
 *
 * Create Product is checked as the Partner Center's "Create Product" page states it (as
 * transcribed in the lywzx/tiktok-partner-api type definitions): main_images 1 to 9 uris that
 * "Upload Product Image" answered, for images of 300 to 4000 pixels a side; package_weight
 * {value: a positive decimal string, unit KILOGRAM or POUND}; package_dimensions {length, width,
 * height: whole numbers as strings, unit CENTIMETER or INCH}, which a US shop must give and
 * whose unit must pair with the weight's (CENTIMETER with KILOGRAM, INCH with POUND); a
 * description of at most 10,000 characters; seller_sku at most 50; sales_attributes of 1 to 3
 * {name (1..20) or id, value_name (..50) or value_id}. That several SKUs of one product need
 * sales attributes, the same names on each and no two SKUs alike, is the sim's reading of "the
 * sales attribute information of SKU can not be duplicated" (sim). The sim is a US shop:
 * title 1 to 255 characters (elsewhere TikTok wants 25 to 255).
 *
 * Upload Product Image takes multipart/form-data: the file in part "data" (JPG, JPEG or PNG, at
 * most 5 MB, 100 to 20,000 pixels a side) and an optional "use_case" (MAIN_IMAGE by default,
 * the sim's choice); it answers {uri, url, width, height, use_case}. The sim reads the size from
 * the file's header and neither crops nor scales.
 *
 * Orders are orders.c's; this file renders them as GET /order/202309/orders does (one line
 * item per unit) and applies souk's packages and cancellations. Webhooks follow
 * shared/platform-facts.md §2.7 too: the Authorization header (no "Bearer") holds the hex
 * HMAC-SHA256, keyed with the app secret, of the app key followed by the raw body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/image.h"
#include "core/money.h"
#include "core/time.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_BODY (10 << 20)
#define MAX_SKUS 100
#define MAX_WAREHOUSES 100
#define MAX_QUANTITY 99999
#define MAX_TITLE_CHARS 255
#define MAX_DESCRIPTION_CHARS 10000
#define MAX_SELLER_SKU_CHARS 50
#define MAX_MAIN_IMAGES 9
#define MAIN_IMAGE_MIN_SIDE 300
#define MAIN_IMAGE_MAX_SIDE 4000
#define MAX_SALES_ATTRIBUTES 3
#define MAX_ATTRIBUTE_NAME_CHARS 20
#define MAX_ATTRIBUTE_VALUE_CHARS 50
#define MAX_IMAGE_BYTES (5 << 20)
#define UPLOAD_MIN_SIDE 100
#define UPLOAD_MAX_SIDE 20000
#define MAX_SKEW_S 300 /* how far the timestamp may be from the sim's clock */

/* TikTok's codes (see the header comment for which are TikTok's own). */
#define CODE_SIGN 106001
#define CODE_TOKEN 105002
#define CODE_APP_KEY 106011
#define CODE_TIMESTAMP 106014
#define CODE_INVALID 36009004
#define CODE_NOT_FOUND 12052048
#define CODE_RATE_LIMITED 36009003
#define CODE_UNAVAILABLE 36009001

/* Order API codes: the sim's choice (docs/internals/sim.md). */
#define CODE_ORDER_NOT_FOUND 21001001
#define CODE_CANNOT_SHIP 21011001
#define CODE_CANNOT_CANCEL 25001001
#define MAX_ORDER_IDS 50

static const char *const credentials[] = {"app_key",     "app_secret", "access_token",
                                          "shop_cipher", "shop_id",    NULL};
static const char *const defaults[] = {"sim-tiktok-app-key",      "sim-tiktok-app-secret",
                                       "sim-tiktok-access-token", "sim-tiktok-shop-cipher",
                                       "7494000000000001",        NULL};

/* ---- the envelope ---- */

static void envelope(struct souk_sim__req *req, int status, int code, const char *message,
                     json_t *data)
{
    char request_id[SOUK_SIM_ID_MAX];
    souk_sim__new_id(req->state, request_id);
    souk_sim__reply(req, status, json_pack("{s:i, s:s, s:s, s:o}", "code", code, "message",
                                           message, "request_id", request_id, "data",
                                           data ? data : json_null()));
}

static void tiktok_error(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                         const char *message)
{
    static const int codes[] = {
        [SOUK_SIM__INVALID] = CODE_INVALID,
        [SOUK_SIM__NOT_FOUND] = CODE_NOT_FOUND,
        [SOUK_SIM__TOO_BIG] = CODE_INVALID,
        [SOUK_SIM__RATE_LIMITED] = CODE_RATE_LIMITED,
        [SOUK_SIM__UNAVAILABLE] = CODE_UNAVAILABLE,
    };
    envelope(req, status, codes[kind], message, NULL);
}

/* ---- the signature ---- */

/* Writes the expected sign for this request (sig.h has the scheme); false when it has more
 * query parameters than any real call. */
static bool expected_sign(struct souk_sim__req *req, char hex[SOUK_SIG_HEX_MAX])
{
    const char *type = souk_sim__header(req, "Content-Type");
    bool multipart = type && strncasecmp(type, "multipart/form-data", 19) == 0;
    struct souk_sim__kv *kv;
    size_t n = souk_sim__query_all(req, &kv);
    struct souk_sig_param params[SOUK_SIG_MAX_PARAMS];
    if (n > SOUK_SIG_MAX_PARAMS)
        return false;
    for (size_t i = 0; i < n; i++)
        params[i] = (struct souk_sig_param){kv[i].key, kv[i].value};
    return souk_sig_tiktok(souk_sim__credential(req, "app_secret"), req->path, params, n,
                           multipart ? souk_str_from("") : req->body, hex) == SOUK_OK;
}

static bool tiktok_authenticate(struct souk_sim__req *req)
{
    const char *app_key = souk_sim__query(req, "app_key");
    const char *timestamp = souk_sim__query(req, "timestamp");
    const char *sign = souk_sim__query(req, "sign");
    const char *shop_cipher = souk_sim__query(req, "shop_cipher");
    int64_t ts = 0, now = souk_time_now_us() / 1000000;
    char expected[SOUK_SIG_HEX_MAX];
    if (!app_key || strcmp(app_key, souk_sim__credential(req, "app_key")) != 0) {
        envelope(req, 401, CODE_APP_KEY,
                 "Invalid credentials. The 'app_key' query parameter is invalid.", NULL);
    } else if (!timestamp ||
               souk_str_to_i64(souk_str_from(timestamp), 0, INT64_MAX / 2, &ts) != SOUK_OK ||
               llabs(ts - now) > MAX_SKEW_S) {
        envelope(req, 401, CODE_TIMESTAMP,
                 "Invalid timestamp. The 'timestamp' query parameter must be unix seconds within "
                 "5 minutes of the server time.", NULL);
    } else if (!sign || !expected_sign(req, expected) || !souk_sig_equal(sign, expected)) {
        envelope(req, 401, CODE_SIGN,
                 "Invalid credentials. The 'sign' query parameter is invalid.", NULL);
    } else if (!souk_sig_equal(souk_sim__header(req, "x-tts-access-token"),
                                    souk_sim__credential(req, "access_token"))) {
        envelope(req, 401, CODE_TOKEN,
                 "Invalid credentials. The 'x-tts-access-token' header is invalid or expired.",
                 NULL);
    } else if (!shop_cipher || strcmp(shop_cipher, souk_sim__credential(req, "shop_cipher"))) {
        envelope(req, 400, CODE_INVALID,
                 "Invalid shop_cipher. The shop is not authorized for this app.", NULL);
    } else {
        return true;
    }
    return false;
}

/* ---- checks ---- */

/* Checks a {"amount": "9.99", "currency": "USD"}; writes why not into buf. */
static bool check_price(const json_t *price, const char *at, char *buf, size_t bufsz)
{
    json_t *parsed = souk_sim__price_parts(souk_sim__str(price, "amount"),
                                           souk_sim__str(price, "currency"));
    json_decref(parsed);
    if (!parsed)
        snprintf(buf, bufsz, "%s.price must be {\"amount\": a decimal string, \"currency\": an "
                 "ISO 4217 code}", at);
    return parsed != NULL;
}

/* Checks an inventory list [{"warehouse_id", "quantity"}]; writes why not into buf. */
static bool check_inventory(const json_t *inventory, const char *at, char *buf, size_t bufsz)
{
    size_t i;
    json_t *entry;
    int64_t quantity;
    if (!json_is_array(inventory) || json_array_size(inventory) == 0 ||
        json_array_size(inventory) > MAX_WAREHOUSES) {
        snprintf(buf, bufsz, "%s.inventory must be an array of 1 to %d warehouses", at,
                 MAX_WAREHOUSES);
        return false;
    }
    json_array_foreach(inventory, i, entry) {
        const char *warehouse = souk_sim__str(entry, "warehouse_id");
        if (!warehouse || !*warehouse ||
            !souk_sim__count(json_object_get(entry, "quantity"), MAX_QUANTITY, &quantity)) {
            snprintf(buf, bufsz, "%s.inventory[%zu] needs a warehouse_id and a quantity from 0 "
                     "to %d", at, i, MAX_QUANTITY);
            return false;
        }
    }
    return true;
}

/* Sets the derived members of a SKU item from its fields. */
static void derive(json_t *item)
{
    json_t *fields = json_object_get(item, "fields"), *entry;
    json_int_t total = 0;
    size_t i;
    json_array_foreach(json_object_get(fields, "inventory"), i, entry)
        total += json_integer_value(json_object_get(entry, "quantity"));
    json_t *price = json_object_get(fields, "price");
    json_object_set_new(item, "quantity", json_integer(total));
    json_object_set_new(item, "price", souk_sim__price_parts(souk_sim__str(price, "amount"),
                                                             souk_sim__str(price, "currency")));
}

/* ---- POST /product/202309/images/upload ---- */

static void upload_image(struct souk_sim__req *req)
{
    static const char *const use_cases[] = {"MAIN_IMAGE",          "ATTRIBUTE_IMAGE",
                                            "DESCRIPTION_IMAGE",   "CERTIFICATION_IMAGE",
                                            "SIZE_CHART_IMAGE",    NULL};
    char boundary[72], buf[256], id[SOUK_SIM_ID_MAX];
    struct souk_str data, use_case_part;
    const char *format = NULL, *use_case = "MAIN_IMAGE";
    uint32_t width = 0, height = 0;
    if (!souk_sim__form_boundary(souk_sim__header(req, "Content-Type"), boundary, sizeof boundary)) {
        snprintf(buf, sizeof buf, "the body must be multipart/form-data with a boundary");
    } else if (!souk_sim__form_part(req->body, boundary, "data", &data) || data.len == 0) {
        snprintf(buf, sizeof buf, "data is required: the image file");
    } else if (data.len > MAX_IMAGE_BYTES) {
        snprintf(buf, sizeof buf, "data must be at most 5 MB");
    } else if (!souk_image_size(data, &format, &width, &height)) {
        snprintf(buf, sizeof buf, "data must be a JPG, JPEG or PNG image");
    } else if (width < UPLOAD_MIN_SIDE || height < UPLOAD_MIN_SIDE || width > UPLOAD_MAX_SIDE ||
               height > UPLOAD_MAX_SIDE) {
        snprintf(buf, sizeof buf, "the image is %ux%u pixels: it must be %d to %d a side",
                 (unsigned)width, (unsigned)height, UPLOAD_MIN_SIDE, UPLOAD_MAX_SIDE);
    } else if (souk_sim__form_part(req->body, boundary, "use_case", &use_case_part) &&
               !souk_sim__one_of(use_case = souk_pool_strndup(req->pool, use_case_part.ptr,
                                                               use_case_part.len),
                                 use_cases)) {
        snprintf(buf, sizeof buf, "use_case must be MAIN_IMAGE, ATTRIBUTE_IMAGE, "
                 "DESCRIPTION_IMAGE, CERTIFICATION_IMAGE or SIZE_CHART_IMAGE");
    } else {
        buf[0] = '\0';
    }
    if (buf[0]) {
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        return;
    }
    souk_sim__new_id(req->state, id);
    const char *uri = souk_pool_printf(req->pool, "tos-maliva-i-o3syd03w52-us/%s", id);
    json_t *file = json_pack("{s:s, s:s, s:i, s:i, s:s}", "uri", uri, "url",
                             souk_pool_printf(req->pool, "https://p16-oec-va.ibyteimg.com/%s", uri),
                             "width", (int)width, "height", (int)height, "use_case", use_case);
    json_t *answer = json_deep_copy(file);
    souk_sim__lock(req->state);
    souk_sim__file_put(req->state, req->platform, uri, file);
    souk_sim__unlock(req->state);
    envelope(req, 200, 0, "Success", answer);
}

/* ---- POST /product/202309/products ---- */

/* A positive decimal number as a string ("0.35", "2"). */
static bool positive_decimal(const char *s)
{
    bool digit = false, nonzero = false, point = false;
    size_t n = 0;
    for (; s && *s && n < 20; s++, n++) {
        if (*s == '.' && !point && digit) {
            point = true;
        } else if (*s >= '0' && *s <= '9') {
            digit = true;
            nonzero = nonzero || *s != '0';
        } else {
            return false;
        }
    }
    return s && !*s && digit && nonzero && s[-1] != '.';
}

/* A whole number as a string ("12"). */
static bool whole_number(const char *s)
{
    int64_t n;
    return s && *s && souk_str_to_i64(souk_str_from(s), 0, 1000000, &n) == SOUK_OK;
}

/* Checks package_weight and package_dimensions (a US shop must give both). */
static bool check_package(const json_t *body, char *buf, size_t bufsz)
{
    static const char *const weight_units[] = {"KILOGRAM", "POUND", NULL};
    static const char *const length_units[] = {"CENTIMETER", "INCH", NULL};
    const json_t *weight = json_object_get(body, "package_weight");
    const json_t *dims = json_object_get(body, "package_dimensions");
    const char *wunit = souk_sim__str(weight, "unit"), *dunit = souk_sim__str(dims, "unit");
    if (!json_is_object(weight)) {
        snprintf(buf, bufsz, "package_weight is required");
    } else if (!positive_decimal(souk_sim__str(weight, "value")) ||
               !souk_sim__one_of(wunit, weight_units)) {
        snprintf(buf, bufsz, "package_weight must be {\"value\": a positive decimal string, "
                 "\"unit\": \"KILOGRAM\" or \"POUND\"}");
    } else if (!json_is_object(dims)) {
        snprintf(buf, bufsz, "package_dimensions is required for shops in the US");
    } else if (!whole_number(souk_sim__str(dims, "length")) ||
               !whole_number(souk_sim__str(dims, "width")) ||
               !whole_number(souk_sim__str(dims, "height")) ||
               !souk_sim__one_of(dunit, length_units)) {
        snprintf(buf, bufsz, "package_dimensions must be {\"length\", \"width\", \"height\": "
                 "whole numbers as strings, \"unit\": \"CENTIMETER\" or \"INCH\"}");
    } else if ((strcmp(wunit, "KILOGRAM") == 0) != (strcmp(dunit, "CENTIMETER") == 0)) {
        snprintf(buf, bufsz, "package_dimensions.unit and package_weight.unit must be "
                 "CENTIMETER with KILOGRAM or INCH with POUND");
    } else {
        return true;
    }
    return false;
}

/* One SKU's sales_attributes; *key gets "name=value|..." to compare SKUs by. */
static bool check_attributes(struct souk_pool *pool, const json_t *attrs, const char *at,
                             const char **names, const char **key, char *buf, size_t bufsz)
{
    size_t i;
    json_t *a;
    *names = *key = "";
    if (!attrs)
        return true;
    if (!json_is_array(attrs) || json_array_size(attrs) > MAX_SALES_ATTRIBUTES) {
        snprintf(buf, bufsz, "%s.sales_attributes must be an array of at most %d", at,
                 MAX_SALES_ATTRIBUTES);
        return false;
    }
    json_array_foreach(attrs, i, a) {
        const char *name = souk_sim__str(a, "name"), *id = souk_sim__str(a, "id");
        const char *value = souk_sim__str(a, "value_name"), *value_id = souk_sim__str(a, "value_id");
        if (!(id && *id) && !(name && *name && souk_sim__chars(name) <= MAX_ATTRIBUTE_NAME_CHARS)) {
            snprintf(buf, bufsz, "%s.sales_attributes[%zu] needs an id or a name of 1 to %d "
                     "characters", at, i, MAX_ATTRIBUTE_NAME_CHARS);
            return false;
        }
        if (!(value_id && *value_id) &&
            !(value && *value && souk_sim__chars(value) <= MAX_ATTRIBUTE_VALUE_CHARS)) {
            snprintf(buf, bufsz, "%s.sales_attributes[%zu] needs a value_id or a value_name of 1 "
                     "to %d characters", at, i, MAX_ATTRIBUTE_VALUE_CHARS);
            return false;
        }
        const char *attr = id && *id ? id : name;
        *names = souk_pool_printf(pool, "%s%s|", *names, attr);
        *key = souk_pool_printf(pool, "%s%s=%s|", *key, attr,
                                value_id && *value_id ? value_id : value);
    }
    return true;
}

/* The SKUs: price, inventory, seller_sku and, with more than one, sales attributes that tell
 * them apart under the same names. */
static bool check_skus(struct souk_pool *pool, const json_t *skus, char *buf, size_t bufsz)
{
    size_t i, j, n = json_array_size(skus);
    json_t *sku;
    if (!json_is_array(skus) || n == 0 || n > MAX_SKUS) {
        snprintf(buf, bufsz, "skus must be an array of 1 to %d SKUs", MAX_SKUS);
        return false;
    }
    const char **names = souk_pool_alloc(pool, n * sizeof *names);
    const char **keys = souk_pool_alloc(pool, n * sizeof *keys);
    json_array_foreach(skus, i, sku) {
        char at[32];
        snprintf(at, sizeof at, "skus[%zu]", i);
        const json_t *seller_sku = json_object_get(sku, "seller_sku");
        if (!json_is_object(sku) || !check_price(json_object_get(sku, "price"), at, buf, bufsz) ||
            !check_inventory(json_object_get(sku, "inventory"), at, buf, bufsz) ||
            !check_attributes(pool, json_object_get(sku, "sales_attributes"), at, &names[i],
                              &keys[i], buf, bufsz))
            return false;
        if (seller_sku && (!json_is_string(seller_sku) ||
                           souk_sim__chars(json_string_value(seller_sku)) > MAX_SELLER_SKU_CHARS)) {
            snprintf(buf, bufsz, "%s.seller_sku must be a string of at most %d characters", at,
                     MAX_SELLER_SKU_CHARS);
            return false;
        }
        if (n > 1 && !keys[i][0]) {
            snprintf(buf, bufsz, "%s.sales_attributes is required: the product has %zu SKUs", at,
                     n);
            return false;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) != 0) {
                snprintf(buf, bufsz, "skus[%zu] and skus[%zu] must have the same sales attributes",
                         j, i);
                return false;
            }
            if (strcmp(keys[i], keys[j]) == 0) {
                snprintf(buf, bufsz, "skus[%zu] and skus[%zu] have the same sales attribute values",
                         j, i);
                return false;
            }
        }
    }
    return true;
}

/* Everything that needs no state; main_images' uris are checked under the lock. */
static bool check_product(struct souk_pool *pool, const json_t *body, char *buf, size_t bufsz)
{
    static const char *const required[] = {"title", "description", "category_id", NULL};
    const char *missing = souk_sim__missing(body, required);
    const json_t *images = json_object_get(body, "main_images");
    if (missing) {
        snprintf(buf, bufsz, "%s is required", missing);
        return false;
    }
    if (souk_sim__chars(souk_sim__str(body, "title")) > MAX_TITLE_CHARS) {
        snprintf(buf, bufsz, "title must be at most %d characters", MAX_TITLE_CHARS);
        return false;
    }
    if (souk_sim__chars(souk_sim__str(body, "description")) > MAX_DESCRIPTION_CHARS) {
        snprintf(buf, bufsz, "description must be at most %d characters", MAX_DESCRIPTION_CHARS);
        return false;
    }
    if (!json_is_array(images) || json_array_size(images) == 0 ||
        json_array_size(images) > MAX_MAIN_IMAGES) {
        snprintf(buf, bufsz, "main_images must be an array of 1 to %d {\"uri\"} from Upload "
                 "Product Image", MAX_MAIN_IMAGES);
        return false;
    }
    return check_package(body, buf, bufsz) &&
           check_skus(pool, json_object_get(body, "skus"), buf, bufsz);
}

/* Each main image is one this shop uploaded, of a size TikTok lists. Under the state lock. */
static bool check_main_images(struct souk_sim__req *req, const json_t *images, char *buf,
                              size_t bufsz)
{
    size_t i;
    json_t *image;
    json_array_foreach(images, i, image) {
        const char *uri = souk_sim__str(image, "uri");
        json_t *file = uri ? souk_sim__file(req->state, req->platform, uri) : NULL;
        json_int_t w = json_integer_value(json_object_get(file, "width"));
        json_int_t h = json_integer_value(json_object_get(file, "height"));
        if (!file) {
            snprintf(buf, bufsz, "main_images[%zu].uri is not an image uploaded to this shop", i);
            return false;
        }
        if (w < MAIN_IMAGE_MIN_SIDE || h < MAIN_IMAGE_MIN_SIDE || w > MAIN_IMAGE_MAX_SIDE ||
            h > MAIN_IMAGE_MAX_SIDE) {
            snprintf(buf, bufsz, "main_images[%zu] is %lldx%lld pixels: it must be %d to %d a "
                     "side", i, (long long)w, (long long)h, MAIN_IMAGE_MIN_SIDE,
                     MAIN_IMAGE_MAX_SIDE);
            return false;
        }
    }
    return true;
}

static void create_product(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *sku;
    char buf[256], product_id[SOUK_SIM_ID_MAX];
    size_t i;
    if (!body)
        return;
    if (!check_product(req->pool, body, buf, sizeof buf)) {
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        json_decref(body);
        return;
    }
    souk_sim__new_id(req->state, product_id);
    souk_sim__lock(req->state);
    if (!check_main_images(req, json_object_get(body, "main_images"), buf, sizeof buf)) {
        souk_sim__unlock(req->state);
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        json_decref(body);
        return;
    }
    json_t *out = json_array();
    bool full = false;
    json_array_foreach(json_object_get(body, "skus"), i, sku) {
        char sku_id[SOUK_SIM_ID_MAX];
        souk_sim__new_id(req->state, sku_id);
        json_t *fields = json_deep_copy(sku);
        json_object_set_new(fields, "product_id", json_string(product_id));
        static const char *const product_fields[] = {"title", "main_images", "package_weight",
                                                     "package_dimensions", NULL};
        for (const char *const *f = product_fields; *f; f++)
            if (json_object_get(body, *f))
                json_object_set(fields, *f, json_object_get(body, *f));
        json_t *item = souk_sim__item_merge(req->state, req->platform, sku_id, fields);
        json_decref(fields);
        full = full || !item;
        if (item)
            derive(item);
        json_t *attrs = json_object_get(sku, "sales_attributes");
        json_array_append_new(out, json_pack("{s:s, s:O*, s:o}", "id", sku_id, "seller_sku",
                                             json_object_get(sku, "seller_sku"),
                                             "sales_attributes",
                                             attrs ? json_deep_copy(attrs) : json_array()));
    }
    souk_sim__unlock(req->state);
    if (full)
        tiktok_error(req, SOUK_SIM__INVALID, 400, "the shop holds too many SKUs (sim limit)");
    else
        envelope(req, 200, 0, "Success",
                 json_pack("{s:s, s:o, s:[]}", "product_id", product_id, "skus", out,
                           "warnings"));
    if (full)
        json_decref(out);
    json_decref(body);
}

/* ---- SKU updates: inventory and prices ---- */

/* Checks one element of skus[] of an update against the product; writes why not into buf.
 * Runs under the state lock. */
typedef bool (*check_update_fn)(const json_t *sku, const char *at, char *buf, size_t bufsz);
/* Merges one checked element into its item. Runs under the state lock. */
typedef void (*apply_update_fn)(json_t *item, const json_t *sku);

static bool check_inventory_update(const json_t *sku, const char *at, char *buf, size_t bufsz)
{
    return check_inventory(json_object_get(sku, "inventory"), at, buf, bufsz);
}

static bool check_price_update(const json_t *sku, const char *at, char *buf, size_t bufsz)
{
    return check_price(json_object_get(sku, "price"), at, buf, bufsz);
}

/* Replaces the quantity of each warehouse named, keeping the other warehouses. */
static void apply_inventory(json_t *item, const json_t *sku)
{
    json_t *fields = json_object_get(item, "fields");
    json_t *inventory = json_deep_copy(json_object_get(fields, "inventory"));
    json_t *update, *have;
    size_t i, j;
    if (!json_is_array(inventory)) {
        json_decref(inventory);
        inventory = json_array();
    }
    json_array_foreach(json_object_get(sku, "inventory"), i, update) {
        const char *warehouse = souk_sim__str(update, "warehouse_id");
        bool replaced = false;
        json_array_foreach(inventory, j, have)
            if (!replaced && strcmp(souk_sim__str(have, "warehouse_id"), warehouse) == 0) {
                json_array_set(inventory, j, update);
                replaced = true;
            }
        if (!replaced)
            json_array_append(inventory, update);
    }
    json_object_set_new(fields, "inventory", inventory);
}

static void apply_price(json_t *item, const json_t *sku)
{
    json_object_set(json_object_get(item, "fields"), "price", json_object_get(sku, "price"));
}

/* Checks every SKU of the update first, so a bad one changes nothing, then applies all. */
static void update_skus(struct souk_sim__req *req, check_update_fn check, apply_update_fn apply)
{
    json_t *body = souk_sim__body_json(req), *sku;
    json_t *skus = json_object_get(body, "skus");
    const char *product_id = req->params[0];
    char buf[256] = "";
    size_t i;
    if (!body)
        return;
    enum souk_sim__error failure = SOUK_SIM__INVALID;
    bool ok = json_is_array(skus) && json_array_size(skus) > 0 &&
              json_array_size(skus) <= MAX_SKUS;
    if (!ok)
        snprintf(buf, sizeof buf, "skus must be an array of 1 to %d SKUs", MAX_SKUS);
    souk_sim__lock(req->state);
    json_array_foreach(skus, i, sku) {
        char at[32];
        snprintf(at, sizeof at, "skus[%zu]", i);
        const char *id = souk_sim__str(sku, "id");
        json_t *item = id ? souk_sim__item(req->state, req->platform, id) : NULL;
        const char *owner = souk_sim__str(json_object_get(item, "fields"), "product_id");
        if (!ok)
            break;
        if (!owner || strcmp(owner, product_id) != 0) {
            snprintf(buf, sizeof buf, "%s: product %s has no SKU \"%s\"", at, product_id,
                     id ? id : "");
            failure = SOUK_SIM__NOT_FOUND;
            ok = false;
        } else {
            ok = check(sku, at, buf, sizeof buf);
        }
    }
    json_array_foreach(skus, i, sku) {
        json_t *item = ok ? souk_sim__item(req->state, req->platform, souk_sim__str(sku, "id"))
                          : NULL;
        if (item) {
            apply(item, sku);
            json_object_set_new(item, "updated_us", json_integer(souk_time_now_us()));
            derive(item);
        }
    }
    souk_sim__unlock(req->state);
    if (ok)
        envelope(req, 200, 0, "Success", json_object());
    else
        tiktok_error(req, failure, failure == SOUK_SIM__NOT_FOUND ? 404 : 400, buf);
    json_decref(body);
}

static void update_inventory(struct souk_sim__req *req)
{
    update_skus(req, check_inventory_update, apply_inventory);
}

static void update_prices(struct souk_sim__req *req)
{
    update_skus(req, check_price_update, apply_price);
}

/* ---- orders: the Order API 202309, fulfillment, cancellations and webhooks ---- */

static const char *const order_statuses[] = {
    "UNPAID",     "ON_HOLD",   "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
    "IN_TRANSIT", "DELIVERED", "COMPLETED",         "CANCELLED",          NULL};
static const char *const shippable[] = {"AWAITING_SHIPMENT", "AWAITING_COLLECTION",
                                        "PARTIALLY_SHIPPING", NULL};
static const char *const past_shipping[] = {"IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED",
                                            NULL};

static int append_json(const char *buffer, size_t size, void *data)
{
    return souk_buf_add(data, buffer, size) == SOUK_OK ? 0 : -1;
}

/*
 * A webhook as TikTok Shop sends one (shared/platform-facts.md §2.7): type 1,
 * ORDER_STATUS_CHANGE, signed in the Authorization header, without "Bearer", with the lower-case
 * hex HMAC-SHA256 keyed with the app secret over the app key followed by the raw body.
 */
static void order_notification(const struct souk_sim__bound *b,
                               const struct souk_sim__notice *notice,
                               struct souk_sim__delivery *out)
{
    const char *app_key = souk_sim__bound_credential(b, "app_key");
    json_t *body = json_pack(
        "{s:i, s:s, s:s, s:I, s:{s:s, s:s, s:I}}", "type", 1, "tts_notification_id",
        notice->notification_id, "shop_id", souk_sim__bound_credential(b, "shop_id"), "timestamp",
        (json_int_t)(souk_time_now_us() / 1000000), "data", "order_id", notice->order_id,
        "order_status", notice->status, "update_time", (json_int_t)notice->update_time);
    struct souk_buf signed_text = SOUK_BUF_INIT(2 << 20);
    char sign[SOUK_SIG_HEX_MAX];
    /* Both fit: a notification is a few hundred bytes and the buffers' caps are far above. */
    if (json_dump_callback(body, append_json, &out->body, JSON_COMPACT) != 0 ||
        souk_buf_addstr(&signed_text, app_key) != SOUK_OK ||
        souk_buf_add(&signed_text, out->body.data, out->body.len) != SOUK_OK)
        abort();
    json_decref(body);
    souk_sig_hmac_sha256_hex(souk_str_from(souk_sim__bound_credential(b, "app_secret")),
                             (struct souk_str){signed_text.data, signed_text.len}, sign);
    souk_buf_release(&signed_text);
    snprintf(out->headers[0], sizeof out->headers[0], "Authorization: %s", sign);
}

static const struct souk_sim__order_rules order_rules = {
    .initial_status = "AWAITING_SHIPMENT",
    .statuses = order_statuses,
    .unpaid_status = "UNPAID",
    .cancelled_status = "CANCELLED",
    .notification = order_notification,
};

static json_t *amount(int64_t minor, const struct souk_sim__order *o)
{
    char text[SOUK_SIM_AMOUNT_MAX];
    souk_sim__amount_text(minor, o->currency, text);
    return json_string(text);
}

/* "1 Market Street, Suite 2, San Francisco, CA, 94105, US": the parts there are. */
static json_t *full_address(const struct souk_sim__address *a)
{
    const char *parts[] = {a->line1, a->line2, a->city, a->state, a->postal_code, a->country};
    struct souk_buf text = SOUK_BUF_INIT(8 * SOUK_SIM_MAX_TEXT);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (*parts[i] && ((text.len && souk_buf_addstr(&text, ", ") != SOUK_OK) ||
                          souk_buf_addstr(&text, parts[i]) != SOUK_OK))
            break;
    json_t *full = json_string(text.data);
    souk_buf_release(&text);
    return full;
}

/* A unit's display_status: cancelled and shipped units say so; the rest follow the order. */
static const char *unit_status(const struct souk_sim__order *o, size_t unit)
{
    bool moving = souk_sim__one_of(o->status, past_shipping);
    switch ((enum souk_sim__unit)o->units[unit]) {
    case SOUK_SIM__UNIT_CANCELLED:
        return "CANCELLED";
    case SOUK_SIM__UNIT_SHIPPED:
        return moving ? o->status : "IN_TRANSIT";
    case SOUK_SIM__UNIT_OPEN:
        break;
    }
    return strcmp(o->status, "PARTIALLY_SHIPPING") == 0 ? "AWAITING_SHIPMENT" : o->status;
}

/* One element per unit, as TikTok lists line items. */
static json_t *line_items(const struct souk_sim__order *o)
{
    json_t *items = json_array();
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_sim__line *l = &o->lines[i];
        for (size_t u = l->first_unit; u < l->first_unit + (size_t)l->quantity; u++) {
            char id[SOUK_SIM_ID_MAX];
            snprintf(id, sizeof id, "%llu", (unsigned long long)(o->first_unit_id + u));
            json_array_append_new(
                items,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id", id, "seller_sku",
                          l->sku, "sku_id", l->sku_id, "product_id", l->product_id, "product_name",
                          l->product_name, "sale_price", amount(l->unit_price, o), "original_price",
                          amount(l->unit_price, o), "currency", o->currency->code, "display_status",
                          unit_status(o, u)));
        }
    }
    return items;
}

static json_t *order_view(const struct souk_sim__order *o)
{
    const struct souk_sim__address *a = &o->address;
    json_t *view =
        json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", o->id, "status",
                  o->status, "create_time", (json_int_t)o->create_time, "update_time",
                  (json_int_t)o->update_time, "user_id", o->user_id, "buyer_email", o->buyer_email,
                  "payment_method_name", o->payment_method, "shipping_type", "SELLER",
                  "warehouse_id", "sim", "is_on_hold_order", strcmp(o->status, "ON_HOLD") == 0);
    if (o->paid_time)
        json_object_set_new(view, "paid_time", json_integer(o->paid_time));
    json_object_set_new(
        view, "payment",
        json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "currency", o->currency->code, "sub_total",
                  amount(souk_sim__order_subtotal(o), o), "shipping_fee",
                  amount(o->shipping_fee, o), "seller_discount", amount(o->discount, o),
                  "platform_discount", amount(0, o), "tax", amount(o->tax, o), "total_amount",
                  amount(souk_sim__order_total(o), o)));
    json_object_set_new(view, "recipient_address",
                        json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}",
                                  "name", a->name, "phone_number", a->phone, "full_address",
                                  full_address(a), "address_line1", a->line1, "address_line2",
                                  a->line2, "postal_code", a->postal_code, "region_code",
                                  a->country, "district_info", "address_level_name", "state",
                                  "address_name", a->state, "address_level_name", "city",
                                  "address_name", a->city));
    json_object_set_new(view, "line_items", line_items(o));
    json_t *shipment = json_array_get(o->shipments, json_array_size(o->shipments) - 1);
    if (shipment) {
        /* Copies: the view is rendered after the lock is released. */
        const char *carrier = souk_sim__str(shipment, "carrier");
        json_object_set_new(view, "tracking_number",
                            json_string(souk_sim__str(shipment, "tracking_number")));
        json_object_set_new(view, "shipping_provider", json_string(carrier));
        json_object_set_new(view, "shipping_provider_id", json_string(carrier));
    }
    if (strcmp(o->status, "CANCELLED") == 0 && o->cancel_reason)
        json_object_set_new(view, "cancel_reason", json_string(o->cancel_reason));
    if (o->live_stream_id)
        json_object_set_new(view, "live_stream_id", json_string(o->live_stream_id));
    if (o->creator)
        json_object_set_new(view, "creator", json_string(o->creator));
    return view;
}

/* GET /order/202309/orders?ids=ID1,ID2: the orders found, in the order asked. */
static void get_orders(struct souk_sim__req *req)
{
    const char *ids = souk_sim__query(req, "ids");
    const char *at[MAX_ORDER_IDS];
    size_t n = 0;
    char *copy = souk_pool_strdup(req->pool, ids ? ids : "");
    bool ok = *copy != '\0';
    for (char *id = copy; ok && id;) {
        char *comma = strchr(id, ',');
        if (comma)
            *comma = '\0';
        ok = *id && n < MAX_ORDER_IDS;
        if (ok)
            at[n++] = id;
        id = comma ? comma + 1 : NULL;
    }
    if (!ok) {
        tiktok_error(req, SOUK_SIM__INVALID, 400,
                     "ids must list 1 to 50 order ids, separated by commas");
        return;
    }
    json_t *orders = json_array();
    souk_sim__orders_lock(req->orders);
    for (size_t i = 0; i < n; i++) {
        const struct souk_sim__order *o = souk_sim__order_find(req->orders, at[i]);
        if (o && o->platform == req->platform)
            json_array_append_new(orders, order_view(o));
    }
    souk_sim__orders_unlock(req->orders);
    envelope(req, 200, 0, "Success", json_pack("{s:o}", "orders", orders));
}

/* This platform's order with the id, under the orders lock; NULL once it has replied 404 and
 * released the lock. */
static struct souk_sim__order *order_locked(struct souk_sim__req *req, const char *id)
{
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *o = id ? souk_sim__order_find(req->orders, id) : NULL;
    if (o && o->platform == req->platform)
        return o;
    souk_sim__orders_unlock(req->orders);
    char message[128];
    snprintf(message, sizeof message, "order %.30s does not exist in this shop", id ? id : "");
    envelope(req, 404, CODE_ORDER_NOT_FOUND, message, NULL);
    return NULL;
}

/*
 * Marks the units named by ids (a JSON array of line item ids; all open units when NULL) with
 * state into picked (the ids, a new array); false with why in buf when one is not an open line
 * item of the order, or none is left to mark. Changes nothing unless it succeeds.
 */
static bool pick_units(struct souk_sim__order *o, const json_t *ids, enum souk_sim__unit state,
                       json_t **picked, char *buf, size_t bufsz)
{
    json_t *id;
    size_t i;
    uint8_t *marks = souk_calloc(o->nunits ? o->nunits : 1, 1);
    bool ok = !ids || (json_is_array(ids) && json_array_size(ids) > 0);
    if (!ok)
        snprintf(buf, bufsz, "order_line_item_ids must be a non-empty array of line item ids");
    json_array_foreach(ok ? ids : NULL, i, id) {
        int64_t n = 0;
        const char *text = json_string_value(id);
        bool parsed = text && souk_str_to_i64(souk_str_from(text), 0, INT64_MAX, &n) == SOUK_OK;
        uint64_t unit = (uint64_t)n - o->first_unit_id;
        if (!parsed || (uint64_t)n < o->first_unit_id || unit >= o->nunits ||
            o->units[unit] != SOUK_SIM__UNIT_OPEN) {
            snprintf(buf, bufsz, "order_line_item_ids[%zu] is not an open line item of order %s", i,
                     o->id);
            ok = false;
            break;
        }
        marks[unit] = 1;
    }
    size_t marked = 0;
    for (size_t u = 0; ok && u < o->nunits; u++)
        marked += marks[u] || (!ids && o->units[u] == SOUK_SIM__UNIT_OPEN);
    if (ok && marked == 0) {
        snprintf(buf, bufsz, "order %s has no open line items", o->id);
        ok = false;
    }
    *picked = ok ? json_array() : NULL;
    for (size_t u = 0; ok && u < o->nunits; u++) {
        if (!(marks[u] || (!ids && o->units[u] == SOUK_SIM__UNIT_OPEN)))
            continue;
        char text[SOUK_SIM_ID_MAX];
        snprintf(text, sizeof text, "%llu", (unsigned long long)(o->first_unit_id + u));
        json_array_append_new(*picked, json_string(text));
        o->units[u] = (uint8_t)state;
    }
    souk_free(marks);
    return ok;
}

/* POST /fulfillment/202309/orders/{order_id}/packages: the seller ships. */
static void ship(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *items = NULL;
    static const char *const required[] = {"tracking_number", "shipping_provider_id", NULL};
    const char *missing = body ? souk_sim__missing(body, required) : NULL;
    char buf[256], package_id[SOUK_SIM_ID_MAX], message[128];
    struct souk_sim__notice notice;
    struct souk_sim__order *o = NULL;
    if (!body)
        return;
    if (missing) {
        snprintf(buf, sizeof buf, "%s is required", missing);
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
    } else if ((o = order_locked(req, souk_sim__param(req, "order_id")))) {
        if (!souk_sim__one_of(o->status, shippable)) {
            snprintf(message, sizeof message, "order status %s cannot be shipped", o->status);
            envelope(req, 400, CODE_CANNOT_SHIP, message, NULL);
        } else if (!pick_units(o, json_object_get(body, "order_line_item_ids"),
                               SOUK_SIM__UNIT_SHIPPED, &items, buf, sizeof buf)) {
            tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        } else {
            souk_sim__new_id(req->state, package_id);
            souk_sim__order_touch(o);
            snprintf(o->status, sizeof o->status, "%s",
                     souk_sim__order_units(o, SOUK_SIM__UNIT_OPEN) ? "PARTIALLY_SHIPPING"
                                                                   : "IN_TRANSIT");
            souk_sim__order_record(
                &o->shipments,
                json_pack("{s:s, s:O, s:O, s:o}", "package_id", package_id, "tracking_number",
                          json_object_get(body, "tracking_number"), "carrier",
                          json_object_get(body, "shipping_provider_id"), "items", items));
            souk_sim__notice_of(req, o, &notice);
            souk_sim__notify_after(req, &notice);
            envelope(req, 200, 0, "Success", json_pack("{s:s}", "package_id", package_id));
        }
        souk_sim__orders_unlock(req->orders);
    }
    json_decref(body);
}

/* POST /return_refund/202309/cancellations: the seller cancels, wholly or some line items. */
static void cancel(struct souk_sim__req *req)
{
    json_t *body = souk_sim__body_json(req), *items = NULL;
    static const char *const required[] = {"order_id", "cancel_reason", NULL};
    const char *missing = body ? souk_sim__missing(body, required) : NULL;
    char buf[256], cancel_id[SOUK_SIM_ID_MAX], message[128];
    struct souk_sim__notice notice;
    struct souk_sim__order *o = NULL;
    if (!body)
        return;
    if (missing) {
        snprintf(buf, sizeof buf, "%s is required", missing);
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
    } else if ((o = order_locked(req, souk_sim__str(body, "order_id")))) {
        const char *reason = souk_sim__str(body, "cancel_reason");
        if (souk_sim__one_of(o->status, past_shipping)) {
            snprintf(message, sizeof message, "order status %s cannot be cancelled", o->status);
            envelope(req, 400, CODE_CANNOT_CANCEL, message, NULL);
        } else if (!pick_units(o, json_object_get(body, "order_line_item_ids"),
                               SOUK_SIM__UNIT_CANCELLED, &items, buf, sizeof buf)) {
            tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        } else {
            souk_sim__new_id(req->state, cancel_id);
            souk_sim__order_touch(o);
            /* Nothing left to send: cancelled, or on its way if some units already are. */
            if (!souk_sim__order_units(o, SOUK_SIM__UNIT_OPEN)) {
                bool shipped = souk_sim__order_units(o, SOUK_SIM__UNIT_SHIPPED) > 0;
                snprintf(o->status, sizeof o->status, "%s", shipped ? "IN_TRANSIT" : "CANCELLED");
                o->cancelled = !shipped;
                souk_free(o->cancel_reason);
                o->cancel_reason = souk_strdup(reason);
            }
            souk_sim__order_record(&o->cancellations,
                                   json_pack("{s:s, s:s, s:s, s:o}", "cancel_id", cancel_id,
                                             "reason_code", reason, "reason_description", "",
                                             "items", items));
            souk_sim__notice_of(req, o, &notice);
            souk_sim__notify_after(req, &notice);
            envelope(req, 200, 0, "Success",
                     json_pack("{s:s, s:s}", "cancel_id", cancel_id, "cancel_status",
                               "CANCELLATION_REQUEST_COMPLETE"));
        }
        souk_sim__orders_unlock(req->orders);
    }
    json_decref(body);
}

static const struct souk_sim__route routes[] = {
    {"POST", "/product/202309/images/upload", upload_image, MAX_BODY},
    {"POST", "/product/202309/products", create_product, MAX_BODY},
    {"POST", "/product/202309/products/{product_id}/inventory/update", update_inventory, MAX_BODY},
    {"POST", "/product/202309/products/{product_id}/prices/update", update_prices, MAX_BODY},
    {"GET", "/order/202309/orders", get_orders, 0},
    {"POST", "/fulfillment/202309/orders/{order_id}/packages", ship, MAX_BODY},
    {"POST", "/return_refund/202309/cancellations", cancel, MAX_BODY},
};

const struct souk_sim__platform souk_sim__tiktok = {
    .name = "tiktok",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = "seller_sku",
    .orders = &order_rules,
    .authenticate = tiktok_authenticate,
    .error = tiktok_error,
};

/*
 * tiktok: the TikTok Shop Partner API (product API version 202309): create a product, update
 * its SKUs' inventory per warehouse, update their prices.
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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/time.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define MAX_BODY (10 << 20)
#define MAX_SKUS 100
#define MAX_WAREHOUSES 100
#define MAX_QUANTITY 99999
#define MAX_TITLE_CHARS 255
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

static const char *const credentials[] = {"app_key", "app_secret", "access_token", "shop_cipher",
                                          NULL};
static const char *const defaults[] = {"sim-tiktok-app-key", "sim-tiktok-app-secret",
                                       "sim-tiktok-access-token", "sim-tiktok-shop-cipher", NULL};

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

/* ---- POST /product/202309/products ---- */

static bool check_product(const json_t *body, char *buf, size_t bufsz)
{
    static const char *const required[] = {"title", "description", "category_id", NULL};
    const char *missing = souk_sim__missing(body, required);
    json_t *skus = json_object_get(body, "skus"), *sku;
    size_t i;
    if (missing) {
        snprintf(buf, bufsz, "%s is required", missing);
        return false;
    }
    if (souk_sim__chars(souk_sim__str(body, "title")) > MAX_TITLE_CHARS) {
        snprintf(buf, bufsz, "title must be at most %d characters", MAX_TITLE_CHARS);
        return false;
    }
    if (!json_is_array(skus) || json_array_size(skus) == 0 || json_array_size(skus) > MAX_SKUS) {
        snprintf(buf, bufsz, "skus must be an array of 1 to %d SKUs", MAX_SKUS);
        return false;
    }
    json_array_foreach(skus, i, sku) {
        char at[32];
        snprintf(at, sizeof at, "skus[%zu]", i);
        if (!json_is_object(sku) || !check_price(json_object_get(sku, "price"), at, buf, bufsz) ||
            !check_inventory(json_object_get(sku, "inventory"), at, buf, bufsz))
            return false;
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
    if (!check_product(body, buf, sizeof buf)) {
        tiktok_error(req, SOUK_SIM__INVALID, 400, buf);
        json_decref(body);
        return;
    }
    json_t *out = json_array();
    bool full = false;
    souk_sim__new_id(req->state, product_id);
    souk_sim__lock(req->state);
    json_array_foreach(json_object_get(body, "skus"), i, sku) {
        char sku_id[SOUK_SIM_ID_MAX];
        souk_sim__new_id(req->state, sku_id);
        json_t *fields = json_deep_copy(sku);
        json_object_set_new(fields, "product_id", json_string(product_id));
        json_object_set(fields, "title", json_object_get(body, "title"));
        json_t *item = souk_sim__item_merge(req->state, req->platform, sku_id, fields);
        json_decref(fields);
        full = full || !item;
        if (item)
            derive(item);
        json_array_append_new(out, json_pack("{s:s, s:O*, s:[]}", "id", sku_id, "seller_sku",
                                             json_object_get(sku, "seller_sku"),
                                             "sales_attributes"));
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

static const struct souk_sim__route routes[] = {
    {"POST", "/product/202309/products", create_product, MAX_BODY},
    {"POST", "/product/202309/products/{product_id}/inventory/update", update_inventory,
     MAX_BODY},
    {"POST", "/product/202309/products/{product_id}/prices/update", update_prices, MAX_BODY},
};

const struct souk_sim__platform souk_sim__tiktok = {
    .name = "tiktok",
    .credentials = credentials,
    .defaults = defaults,
    .routes = routes,
    .nroutes = sizeof routes / sizeof routes[0],
    .alias_field = "seller_sku",
    .authenticate = tiktok_authenticate,
    .error = tiktok_error,
};

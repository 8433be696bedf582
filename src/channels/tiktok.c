/*
 * tiktok: TikTok Shop and TikTok catalog ads.
 *
 * The feed follows TikTok's "Catalog Product Parameters" (ads.tiktok.com/help/article/
 * catalog-product-parameters, updated 2025-02): nine required fields (sku_id, title,
 * description, availability, condition, price, link, image_link, brand); availability
 * "in stock" / "out of stock"; price "9.99 USD".
 *
 * The push follows the TikTok Shop Partner API, product API version 202309: "Create Product",
 * "Update Inventory" and "Update Price" as the Partner Center documents them (request and
 * answer shapes as transcribed in the lywzx/tiktok-partner-api type definitions; the Partner
 * Center pages themselves were not retrieved), the signing steps of shared/platform-facts.md
 * §2.7, and the simulator's contract in docs/internals/sim.md.
 * - Every call is signed (sig.h): app_key, timestamp and shop_cipher in the query with the
 *   sign over them, the path and the exact body; the shop's token in x-tts-access-token.
 *   Answers are the envelope {code, message, request_id, data}; code 0 is success.
 * - TikTok lists products that hold SKUs. A variant TikTok does not know yet is created with
 *   the batch's other new variants of its souk product as one TikTok product, one SKU each
 *   (seller_sku is our SKU), and the product and SKU ids TikTok mints are kept per item
 *   (channel_items) for every later call. A known variant gets its stock, and on a whole-item
 *   change its price, through the update endpoints: one call per TikTok product.
 * - warehouse_id and category_id are among the credentials although they are no secret: they
 *   are parameters of the seller's TikTok account that souk has no data for (TikTok's own
 *   warehouse ids and leaf-category tree, from its "Get Warehouse List" and "Get Categories"),
 *   and credentials are where a channel keeps per-account values. All stock goes to that one
 *   warehouse and every product souk creates is listed in that one category (which TikTok
 *   requires to be a leaf). brand_id is optional and not sent: souk's brand is a name, TikTok's
 *   an id from "Get Brands".
 *
 * Create Product and Upload Product Image, as the Partner Center pages state them (read in the
 * lywzx/tiktok-partner-api transcription of those pages, CreateProduct.ts and
 * UploadProductImage.ts, and in a seller tool's integration notes, help.useresponse.com "TikTok
 * Create Products", which also uploads first; the pages themselves were not retrieved):
 * - main_images: 1 to 9 {"uri"}, and "you can only use the response parameters of the Upload
 *   Image API", 300 to 4000 pixels a side. Upload Product Image is POST
 *   /product/202309/images/upload, multipart/form-data with the file in "data" (JPG, JPEG or PNG,
 *   at most 5 MB, 100 to 20,000 pixels) and an optional use_case (MAIN_IMAGE ...); it answers
 *   uri, url, width, height and use_case. No form that takes a URL was found, so souk fetches
 *   each image from the merchant's URL and uploads the bytes, once per channel: the uri is kept
 *   in channel_images and every later create reuses it. The multipart body is left out of the
 *   sign (platform-facts §2.7).
 * - package_weight {value: a positive decimal string, unit KILOGRAM or POUND} is required;
 *   package_dimensions {length, width, height: whole numbers as strings, unit CENTIMETER or
 *   INCH} is required for local shops in MY, SG, UK and US (and cross-border ones), its unit
 *   paired with the weight's. souk sends its variants' weight_grams and dimensions_mm in
 *   KILOGRAM and CENTIMETER (taken in every market), centimetres rounded up; TikTok has one
 *   package per product, so a product declares its largest variant's. A variant without them
 *   is never given invented values: shop_rules reports it in the diagnostics and the push
 *   leaves it unsent.
 * - title 1 to 255 characters in the US and UK, 25 to 255 elsewhere; description HTML of at
 *   most 10,000 characters from a short list of tags (<p> is one); seller_sku at most 50.
 * - skus[].sales_attributes {name (1..20) or id, value_name (..50) or value_id}, at most 3
 *   levels, "the sales attribute information of SKU can not be duplicated": souk sends the
 *   product's options. That a product of several SKUs must have them is a reading of that
 *   rule, not a sentence of the documentation (unverified).
 * - skus[].price {amount: a decimal string, currency}, skus[].inventory [{warehouse_id,
 *   quantity}]: quantity up to 999,999 at create, below 99,999 in Update Inventory (souk sends
 *   at most 99,999 to both).
 * Unverified: which error codes TikTok gives for each refusal (souk keys on the HTTP status and
 * the envelope's code 0, never on messages); whether an uploaded uri expires; the 25-character
 * minimum's list of markets beyond "other than US and UK".
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/textout.h"
#include "core/time.h"
#include "sig/sig.h"

static const struct souk_channels__column columns[] = {
    {"sku_id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 255},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 10000},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"condition", SOUK_CHANNELS__CONDITION, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__REQUIRED, 100},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 100},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 14},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
};

static const char *const credentials[] = {
    "app_key", "app_secret", "access_token", "shop_cipher", "warehouse_id", "category_id", NULL};
static const char *const formats[] = {"csv", NULL};

#define MAX_SKUS 100 /* SKUs in one product, and in one update call (US and UK shops) */

#define MAX_MAIN_IMAGES 9 /* main_images of one product */

static int tiktok_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out);
static size_t shop_rules(const struct souk_channel *c, const struct souk_channels__item *item,
                         souk_channels__report_fn report, void *arg);

const struct souk_channels__connector souk_channels__tiktok = {
    .platform = "tiktok",
    .doc = "TikTok Catalog Product Parameters (2025-02); TikTok Shop Partner API 202309",
    .default_base_url = "https://open-api.tiktokglobalshop.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "",
    .push = tiktok_push,
    .batch_max = MAX_SKUS, /* so a call per product never holds more SKUs than TikTok takes */
    .upload_images = MAX_MAIN_IMAGES,
    .rules = shop_rules,
    .webhook_verify = souk_channels__tiktok_verify,
    .webhook_parse = souk_channels__tiktok_parse,
    .orders_fetch = souk_channels__tiktok_fetch,
    .orders_fetch_max = 50, /* ids one Get Order Detail call takes */
    .order_update = souk_channels__tiktok_update,
};

/* ---- push: the product API ---- */

#define PRODUCTS_PATH "/product/202309/products"
#define MAX_QUANTITY 99999  /* Update Inventory takes 0 to 99,999 per warehouse */
#define MAX_TITLE_CHARS 255 /* Create Product, US and UK shops */
#define MAX_DESCRIPTION_CHARS 10000
/* Cut to this, a description fits however much escaping lengthens it (&quot; is 6 for 1). */
#define SAFE_DESCRIPTION_CHARS ((MAX_DESCRIPTION_CHARS - 7) / 6)
#define CODE_NOT_IN_SHOP 12052048 /* the product (or SKU) is not one of the shop's */
#define IMAGES_PATH "/product/202309/images/upload"
#define MAX_IMAGE_BYTES (5u << 20) /* Upload Product Image takes files of at most 5 MB */
#define MAX_SELLER_SKU_CHARS 50
#define MIN_TITLE_CHARS 25 /* outside the US and the UK */
#define MAX_ATTRIBUTE_NAME_CHARS 20
#define MAX_ATTRIBUTE_VALUE_CHARS 50

/* The calls an item still needs, in the order they are made. */
enum stage { STAGE_INVENTORY, STAGE_PRICE, STAGE_CREATE, STAGE_DONE };

struct item_state {
    enum stage stage;
    bool alone; /* its product's update answered "not in the shop": ask about it on its own */
};

/* One push: the account, and where each of its items is. */
struct push {
    const struct souk_channel *c;
    struct souk_channels__client *client;
    struct souk_pool *pool;
    const char *warehouse_id, *category_id;
    struct souk_channels__push *items;
    struct item_state *state;
    size_t n;
    struct souk_channels__uploader uploader; /* its images, sent by send_image */
};

/* What an answer means for the items of its call. */
enum verdict {
    TOOK,    /* code 0 */
    REFUSED, /* a 4xx naming what is wrong with the request: sent again, it fails again */
    LOST,    /* code 12052048: TikTok has no such product or SKU (any more) */
    FAILED,  /* auth, rate limit, 5xx, no answer or not TikTok's: the whole batch waits */
};

/* s percent-encoded for a query value: RFC 3986 unreserved bytes stay. */
static const char *query_escape(struct souk_pool *pool, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = souk_pool_alloc(pool, 3 * strlen(s) + 1), *o = out;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        bool unreserved = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                          (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
                          ch == '~';
        if (unreserved) {
            *o++ = (char)ch;
        } else {
            *o++ = '%';
            *o++ = hex[ch >> 4];
            *o++ = hex[ch & 15];
        }
    }
    return out;
}

/*
 * Signs and sends one call: text (len bytes; NULL for a GET) as content_type (JSON when NULL).
 * A multipart body is left out of the sign, as TikTok's scheme says. Returns the parsed answer
 * whatever its status (NULL when it is not JSON).
 */
static json_t *signed_call(const struct souk_channel *c, struct souk_channels__client *client,
                           struct souk_pool *pool, const char *path,
                           const struct souk_sig_param *extra, size_t nextra, const char *text,
                           size_t len, const char *content_type,
                           struct souk_channels__response *resp, int *call_rc)
{
    char timestamp[24], sign[SOUK_SIG_HEX_MAX];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)(souk_time_now_us() / 1000000));
    struct souk_sig_param params[SOUK_SIG_MAX_PARAMS] = {
        {"app_key", souk_channels__credential(c, "app_key")},
        {"shop_cipher", souk_channels__credential(c, "shop_cipher")},
        {"timestamp", timestamp}};
    size_t n = 3;
    const char *query = "";
    for (size_t i = 0; i < nextra && n < SOUK_SIG_MAX_PARAMS; i++) {
        params[n++] = extra[i];
        query = souk_pool_printf(pool, "%s&%s=%s", query, extra[i].key,
                                 query_escape(pool, extra[i].value));
    }
    bool multipart = content_type && strncmp(content_type, "multipart/", 10) == 0;
    struct souk_str signed_body =
        text && !multipart ? (struct souk_str){text, len} : (struct souk_str){"", 0};
    if (!params[0].value || !params[1].value ||
        souk_sig_tiktok(souk_channels__credential(c, "app_secret"), path, params, n,
                        signed_body, sign) != SOUK_OK) {
        *resp = (struct souk_channels__response){.retry_after_s = -1};
        snprintf(resp->transport_error, sizeof resp->transport_error,
                 "the request to TikTok could not be signed: check the channel's credentials");
        *call_rc = SOUK_EINVAL;
        return NULL;
    }
    struct souk_channels__request req = {
        .url = souk_pool_printf(pool, "%s%s?app_key=%s&shop_cipher=%s&timestamp=%s%s&sign=%s",
                                c->base_url, path, query_escape(pool, params[0].value),
                                query_escape(pool, params[1].value), timestamp, query, sign),
        /* never logged: client.c logs no header */
        .headers = {souk_pool_printf(pool, "x-tts-access-token: %s",
                                     souk_channels__credential(c, "access_token"))},
        .content_type = content_type,
        .body = text,
        .body_len = text ? len : 0,
    };
    *call_rc = souk_channels__client_call(client, &req, resp);
    json_error_t jerr;
    return *call_rc == SOUK_OK ? json_loadb(resp->body.data, resp->body.len, 0, &jerr) : NULL;
}

json_t *souk_channels__tiktok_call(const struct souk_channel *c,
                                   struct souk_channels__client *client, struct souk_pool *pool,
                                   const char *path, const struct souk_sig_param *extra,
                                   size_t nextra, json_t *body,
                                   struct souk_channels__response *resp, int *call_rc)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    json_t *answer = signed_call(c, client, pool, path, extra, nextra, text,
                                 text ? strlen(text) : 0, NULL, resp, call_rc);
    souk_free(text);
    return answer;
}

/* "message (TikTok code N)" from an envelope or an entry of data.errors. */
static const char *reason_text(struct souk_pool *pool, json_t *obj)
{
    const char *message = json_string_value(json_object_get(obj, "message"));
    return souk_pool_printf(pool, "%s (TikTok code %lld)", message ? message : "no message",
                            (long long)json_integer_value(json_object_get(obj, "code")));
}

static enum verdict judge(const struct souk_channels__response *resp, json_t *answer)
{
    json_t *code = json_object_get(answer, "code");
    if (!json_is_integer(code))
        return FAILED;
    if (json_integer_value(code) == 0)
        return resp->status >= 200 && resp->status < 300 ? TOOK : FAILED;
    if (json_integer_value(code) == CODE_NOT_IN_SHOP)
        return LOST;
    return souk_channels__refused(resp->status) ? REFUSED : FAILED;
}

/*
 * Sends body (consumed; or else the len bytes of text as content_type) to path, signed, and
 * judges the answer. *answer is the parsed answer or NULL (json_decref it); FAILED has filled
 * out.
 */
static enum verdict call(struct push *t, const char *path, json_t *body, const char *text,
                         size_t len, const char *content_type, json_t **answer,
                         struct souk_channels__batch_outcome *out)
{
    struct souk_channels__response resp;
    int rc;
    *answer = body ? souk_channels__tiktok_call(t->c, t->client, t->pool, path, NULL, 0, body,
                                                &resp, &rc)
                   : signed_call(t->c, t->client, t->pool, path, NULL, 0, text, len,
                                 content_type, &resp, &rc);
    enum verdict v = judge(&resp, *answer);
    if (v == FAILED)
        souk_channels__batch_failed(&resp, rc, NULL, 0, out); /* the items: see tiktok_push */
    souk_channels__response_release(&resp);
    return v;
}

/* ---- what TikTok Shop needs beyond the feed ---- */

/* Local shops in these markets must give the package's length, width and height. */
static const char *const dimension_markets[] = {"US", "GB", "MY", "SG", NULL};

static bool in_list(const char *value, const char *const *list)
{
    for (; value && *list; list++)
        if (strcmp(value, *list) == 0)
            return true;
    return false;
}

static bool measured(int64_t v)
{
    return v != SOUK_CATALOG_UNSET && v > 0;
}

/*
 * What Create Product needs that the catalog may not have: never invented, each missing piece
 * is reported (and the item left unsent) so the merchant fills it in. The package is the
 * variant's weight_grams and dimensions_mm; sales attributes are the product's options.
 */
static size_t shop_rules(const struct souk_channel *c, const struct souk_channels__item *item,
                         souk_channels__report_fn report, void *arg)
{
    char reason[200];
    size_t problems = 0;
    const char *title = item->values[SOUK_CHANNELS__TITLE];
    const char *sku = item->values[SOUK_CHANNELS__ID];
    if (!measured(item->weight_grams)) {
        report(arg, "package_weight", true,
               "TikTok Shop needs the package weight: give the variant a weight_grams above 0");
        problems++;
    }
    if (in_list(c->country, dimension_markets) &&
        !(measured(item->length_mm) && measured(item->width_mm) && measured(item->height_mm))) {
        snprintf(reason, sizeof reason,
                 "TikTok Shop in %s needs the package's size: give the variant "
                 "dimensions_mm (length, width and height)",
                 c->country);
        report(arg, "package_dimensions", true, reason);
        problems++;
    }
    if (title && !in_list(c->country, (const char *const[]){"US", "GB", NULL}) &&
        souk_str_utf8_chars(souk_str_from(title)) < MIN_TITLE_CHARS) {
        snprintf(reason, sizeof reason,
                 "TikTok Shop in %s needs a title of at least %d characters", c->country,
                 MIN_TITLE_CHARS);
        report(arg, "title", true, reason);
        problems++;
    }
    if (sku && souk_str_utf8_chars(souk_str_from(sku)) > MAX_SELLER_SKU_CHARS) {
        snprintf(reason, sizeof reason, "TikTok Shop takes a seller_sku of at most %d characters",
                 MAX_SELLER_SKU_CHARS);
        report(arg, "seller_sku", true, reason);
        problems++;
    }
    if (item->variants > 1 && !item->option_names[0]) {
        snprintf(reason, sizeof reason,
                 "the product has %zu variants and no options: TikTok Shop tells SKUs apart by "
                 "sales attributes, which are the product's options",
                 item->variants);
        report(arg, "sales_attributes", true, reason);
        problems++;
    }
    for (size_t i = 0; i < SOUK_CATALOG_OPTIONS && item->option_names[i]; i++) {
        const char *value = item->option_values[i];
        if (souk_str_utf8_chars(souk_str_from(item->option_names[i])) >
            MAX_ATTRIBUTE_NAME_CHARS) {
            snprintf(reason, sizeof reason,
                     "the option name \"%.40s\" is longer than TikTok Shop's %d characters",
                     item->option_names[i], MAX_ATTRIBUTE_NAME_CHARS);
            report(arg, "sales_attributes", true, reason);
            problems++;
        }
        if (!value || !*value ||
            souk_str_utf8_chars(souk_str_from(value)) > MAX_ATTRIBUTE_VALUE_CHARS) {
            snprintf(reason, sizeof reason,
                     "the variant's %.40s must be 1 to %d characters for TikTok Shop",
                     item->option_names[i], MAX_ATTRIBUTE_VALUE_CHARS);
            report(arg, "sales_attributes", true, reason);
            problems++;
        }
    }
    return problems;
}

/* ---- what is sent ---- */

static bool has_price(const struct souk_channels__item *item)
{
    return item->values[SOUK_CHANNELS__PRICE] && strchr(item->values[SOUK_CHANNELS__PRICE], ' ');
}

/* TikTok's {amount, currency} from the item's "63.99 USD" (has_price must hold). */
static json_t *price_object(const struct souk_channels__item *item)
{
    const char *text = item->values[SOUK_CHANNELS__PRICE], *space = strchr(text, ' ');
    return json_pack("{s:s%, s:s}", "amount", text, (size_t)(space - text), "currency", space + 1);
}

/* The item's stock in the account's warehouse. A deleted variant is set to 0: TikTok deletes
 * and deactivates whole products only, and the sim has neither, so a SKU leaves sale this way
 * and keeps its place in its product, ready to sell again if the variant comes back. */
static json_t *inventory(const struct push *t, const struct souk_channels__push *p)
{
    int64_t quantity;
    if (p->op == SOUK_CHANNELS__DELETE ||
        souk_str_to_i64(souk_str_from(p->item->values[SOUK_CHANNELS__QUANTITY]), 0, INT64_MAX,
                        &quantity) != SOUK_OK)
        quantity = 0;
    /* More than TikTok takes is as good as its maximum: the shop cannot sell that many at once. */
    if (quantity > MAX_QUANTITY)
        quantity = MAX_QUANTITY;
    return json_pack("[{s:s, s:I}]", "warehouse_id", t->warehouse_id, "quantity",
                     (json_int_t)quantity);
}

/* TikTok takes the description as HTML: the item's plain text, escaped, as one paragraph. */
static const char *description_html(struct souk_pool *pool, const char *plain)
{
    if (!plain)
        return NULL;
    struct souk_str text = souk_str_from(plain);
    struct souk_buf html = SOUK_BUF_INIT(8u << 20);
    int rc = souk_textout_xml_text(&html, text);
    struct souk_str escaped = {html.data, html.len};
    if (rc == SOUK_OK &&
        souk_textout_truncate_utf8(escaped, SIZE_MAX, MAX_DESCRIPTION_CHARS - 7).len < html.len) {
        souk_buf_reset(&html);
        rc = souk_textout_xml_text(
            &html, souk_textout_truncate_utf8(text, SIZE_MAX, SAFE_DESCRIPTION_CHARS));
    }
    const char *out = rc == SOUK_OK ? souk_pool_printf(pool, "<p>%s</p>", html.data) : NULL;
    souk_buf_release(&html);
    return out;
}

/* grams as TikTok's kilograms: "0.35", "2", "1.205". */
static json_t *kilograms(int64_t grams)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%lld.%03lld", (long long)(grams / 1000),
                       (long long)(grams % 1000));
    while (len > 0 && text[len - 1] == '0')
        text[--len] = '\0';
    if (len > 0 && text[len - 1] == '.')
        text[--len] = '\0';
    return json_string(text);
}

/* millimetres as whole centimetres, rounded up so a package is never declared smaller. */
static json_t *centimetres(int64_t mm)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)((mm + 9) / 10));
    return json_string(text);
}

/*
 * The package of one TikTok product: TikTok takes one weight and one size per product, souk
 * has them per variant, so the product declares its largest variant's (a buyer of any SKU is
 * then never charged for less than it weighs). Kilograms and centimetres, which every market
 * takes. Dimensions go out when the variants have them; shop_rules made sure of them where
 * TikTok requires them.
 */
static void set_package(json_t *body, const struct push *t, const size_t *idx, size_t count)
{
    int64_t grams = 0, length = 0, width = 0, height = 0;
    for (size_t k = 0; k < count; k++) {
        const struct souk_channels__item *it = t->items[idx[k]].item;
        if (it->weight_grams > grams)
            grams = it->weight_grams;
        if (measured(it->length_mm) && measured(it->width_mm) && measured(it->height_mm)) {
            length = it->length_mm > length ? it->length_mm : length;
            width = it->width_mm > width ? it->width_mm : width;
            height = it->height_mm > height ? it->height_mm : height;
        }
    }
    json_object_set_new(body, "package_weight",
                        json_pack("{s:o, s:s}", "value", kilograms(grams), "unit", "KILOGRAM"));
    if (length)
        json_object_set_new(body, "package_dimensions",
                            json_pack("{s:o, s:o, s:o, s:s}", "length", centimetres(length),
                                      "width", centimetres(width), "height", centimetres(height),
                                      "unit", "CENTIMETER"));
}

/* The variant's options as sales attributes: [{"name": "Size", "value_name": "M"}]. */
static json_t *sales_attributes(const struct souk_channels__item *item)
{
    json_t *attrs = json_array();
    for (size_t i = 0; i < SOUK_CATALOG_OPTIONS && item->option_names[i]; i++)
        json_array_append_new(attrs, json_pack("{s:s, s:s}", "name", item->option_names[i],
                                               "value_name", item->option_values[i]));
    return attrs;
}

/* Create Product: the items (new variants of one souk product) as the SKUs of one product,
 * shown with the first item's uploaded images. */
static json_t *product_body(const struct push *t, const size_t *idx, size_t count)
{
    const struct souk_channels__push *lead = &t->items[idx[0]];
    const struct souk_channels__item *first = lead->item;
    json_t *skus = json_array();
    for (size_t k = 0; k < count; k++) {
        const struct souk_channels__push *p = &t->items[idx[k]];
        json_t *sku = json_pack("{s:s, s:o, s:o}", "seller_sku", p->sku, "price",
                                price_object(p->item), "inventory", inventory(t, p));
        if (p->item->option_names[0])
            json_object_set_new(sku, "sales_attributes", sales_attributes(p->item));
        json_array_append_new(skus, sku);
    }
    json_t *images = json_array();
    for (size_t i = 0; i < lead->nimages; i++)
        json_array_append_new(images, json_pack("{s:s}", "uri", lead->images[i].ref));
    struct souk_str title = souk_textout_truncate_utf8(
        souk_str_from(first->values[SOUK_CHANNELS__TITLE]), SIZE_MAX, MAX_TITLE_CHARS);
    json_t *body = json_pack("{s:s%, s:s?, s:s, s:o, s:o}", "title", title.ptr, title.len,
                             "description",
                             description_html(t->pool, first->values[SOUK_CHANNELS__DESCRIPTION]),
                             "category_id", t->category_id, "main_images", images, "skus", skus);
    set_package(body, t, idx, count);
    return body;
}

/* Update Inventory or Update Price: {"skus": [{"id", "inventory" | "price"}]}. */
static json_t *update_body(const struct push *t, enum stage s, const size_t *idx, size_t count)
{
    json_t *skus = json_array();
    for (size_t k = 0; k < count; k++) {
        const struct souk_channels__push *p = &t->items[idx[k]];
        json_array_append_new(
            skus, json_pack("{s:s, s:o}", "id", p->platform_sku_id,
                            s == STAGE_PRICE ? "price" : "inventory",
                            s == STAGE_PRICE ? price_object(p->item) : inventory(t, p)));
    }
    return json_pack("{s:o}", "skus", skus);
}

/* ---- what becomes of the items ---- */

static void finish(struct push *t, size_t i, enum souk_channels__result result, const char *error)
{
    t->state[i].stage = STAGE_DONE;
    t->items[i].result = result;
    t->items[i].error = error;
}

/* TikTok no longer has the item: a variant still sold is created again (its new ids replace the
 * stale ones when the result is recorded); a deleted one is gone already. */
static void lose(struct push *t, size_t i)
{
    t->state[i].alone = false;
    if (t->items[i].op == SOUK_CHANNELS__DELETE)
        finish(t, i, SOUK_CHANNELS__PUSHED, NULL);
    else
        t->state[i].stage = STAGE_CREATE;
}

/* Create Product answers data.product_id and data.skus [{id, seller_sku}]: the ids every later
 * update names. Without a product id the answer is not one to act on. */
static enum verdict created(struct push *t, json_t *data, const size_t *idx, size_t count,
                            struct souk_channels__batch_outcome *out)
{
    const char *product_id = json_string_value(json_object_get(data, "product_id"));
    if (!product_id) {
        snprintf(out->error, sizeof out->error, "TikTok created a product but named no id");
        return FAILED;
    }
    for (size_t k = 0; k < count; k++) {
        struct souk_channels__push *p = &t->items[idx[k]];
        const char *sku_id = NULL;
        size_t i;
        json_t *sku;
        json_array_foreach(json_object_get(data, "skus"), i, sku)
        {
            const char *seller_sku = json_string_value(json_object_get(sku, "seller_sku"));
            if (!sku_id && seller_sku && strcmp(seller_sku, p->sku) == 0)
                sku_id = json_string_value(json_object_get(sku, "id"));
        }
        if (!sku_id) {
            finish(t, idx[k], SOUK_CHANNELS__REJECTED,
                   souk_pool_printf(t->pool, "TikTok created product %s without this SKU",
                                    product_id));
            continue;
        }
        p->new_platform_id = souk_pool_strdup(t->pool, product_id);
        p->new_platform_sku_id = souk_pool_strdup(t->pool, sku_id);
        finish(t, idx[k], SOUK_CHANNELS__PUSHED, NULL);
    }
    return TOOK;
}

/* An update was taken: stock is followed by the price on a whole-item change. Update
 * Inventory may still refuse SKUs of a taken call in data.errors, each naming its SKU in
 * detail.sku_id, or the whole product when it names none. */
static void updated(struct push *t, enum stage s, json_t *data, const size_t *idx, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        t->state[idx[k]].alone = false;
        if (s == STAGE_INVENTORY && t->items[idx[k]].op == SOUK_CHANNELS__UPSERT)
            t->state[idx[k]].stage = STAGE_PRICE;
        else
            finish(t, idx[k], SOUK_CHANNELS__PUSHED, NULL);
    }
    size_t e;
    json_t *error;
    json_array_foreach(json_object_get(data, "errors"), e, error)
    {
        const char *sku_id =
            json_string_value(json_object_get(json_object_get(error, "detail"), "sku_id"));
        bool lost = json_integer_value(json_object_get(error, "code")) == CODE_NOT_IN_SHOP;
        const char *reason = reason_text(t->pool, error);
        for (size_t k = 0; k < count; k++) {
            if (sku_id && strcmp(sku_id, t->items[idx[k]].platform_sku_id) != 0)
                continue;
            if (lost)
                lose(t, idx[k]);
            else
                finish(t, idx[k], SOUK_CHANNELS__REJECTED, reason);
        }
    }
}

/* ---- images: Upload Product Image ---- */

/* Uploads one image (images.c fetched and checked it; the file is in part "data", as a main
 * image): TikTok answers its uri. */
static bool send_image(void *arg, struct souk_str form, uint32_t width, uint32_t height,
                       const char **ref, const char **refusal,
                       struct souk_channels__batch_outcome *out)
{
    struct push *t = arg;
    json_t *answer;
    (void)width; /* TikTok reads the size from the file */
    (void)height;
    enum verdict v =
        call(t, IMAGES_PATH, NULL, form.ptr, form.len,
             "multipart/form-data; boundary=" SOUK_CHANNELS__FORM_BOUNDARY, &answer, out);
    if (v == TOOK)
        *ref = souk_channels__json_text(t->pool, json_object_get(answer, "data"), "uri");
    else if (v != FAILED)
        *refusal = reason_text(t->pool, answer);
    json_decref(answer);
    return v != FAILED;
}

/*
 * Makes sure TikTok holds every image of the items idx[0..count) about to be created. An item
 * whose image cannot be had is settled with the reason: rejected when the image itself is at
 * fault, retried later when the merchant's server did not answer. False when TikTok failed
 * the whole batch.
 */
static bool upload_images(struct push *t, const size_t *idx, size_t count,
                          struct souk_channels__batch_outcome *out)
{
    for (size_t k = 0; k < count; k++) {
        struct souk_channels__push *p = &t->items[idx[k]];
        if (t->state[idx[k]].stage != STAGE_CREATE)
            continue;
        const char *reason = "image_link: TikTok Shop needs at least one image";
        enum souk_channels__upload result =
            p->nimages ? souk_channels__upload_images(&t->uploader, p, &reason, out)
                       : SOUK_CHANNELS__UNUSABLE;
        if (result == SOUK_CHANNELS__UPLOAD_FAILED)
            return false;
        if (result != SOUK_CHANNELS__UPLOADED)
            finish(t, idx[k],
                   result == SOUK_CHANNELS__UNREACHABLE ? SOUK_CHANNELS__RETRY
                                                        : SOUK_CHANNELS__REJECTED,
                   reason);
    }
    return true;
}

/*
 * Collects into idx the items at stage s that go in one call with the first of them: those of
 * the same souk product (to create) or TikTok product (to update), up to MAX_SKUS. Items
 * without a price are refused here when the call would need it.
 */
static size_t next_call(struct push *t, enum stage s, size_t *idx)
{
    size_t count = 0;
    for (size_t i = 0; i < t->n && count < MAX_SKUS; i++) {
        const struct souk_channels__push *p = &t->items[i];
        if (t->state[i].stage != s)
            continue;
        if (s != STAGE_INVENTORY && !has_price(p->item)) {
            finish(t, i, SOUK_CHANNELS__REJECTED,
                   p->item->price_problem ? p->item->price_problem : "the variant has no price");
            continue;
        }
        const char *unsendable =
            s == STAGE_CREATE ? souk_channels__unsendable(t->pool, shop_rules, t->c, p->item)
                              : NULL;
        if (unsendable) {
            finish(t, i, SOUK_CHANNELS__REJECTED, unsendable);
            continue;
        }
        if (count == 0) {
            idx[count++] = i;
            continue;
        }
        const struct souk_channels__push *first = &t->items[idx[0]];
        bool same = s == STAGE_CREATE ? strcmp(p->item->product_id, first->item->product_id) == 0
                                      : strcmp(p->platform_id, first->platform_id) == 0;
        if (same && !t->state[i].alone && !t->state[idx[0]].alone)
            idx[count++] = i;
    }
    return count;
}

/* Makes the call for the items idx[0..count) at stage s and settles them by the answer; false
 * when the whole batch must wait (out says why). */
static bool make_call(struct push *t, enum stage s, const size_t *idx, size_t count,
                      struct souk_channels__batch_outcome *out)
{
    if (s == STAGE_CREATE) {
        /* The product's images first; an item they settled leaves the call. */
        if (!upload_images(t, idx, count, out))
            return false;
        size_t *still = souk_pool_alloc(t->pool, count * sizeof *still), kept = 0;
        for (size_t k = 0; k < count; k++)
            if (t->state[idx[k]].stage == STAGE_CREATE)
                still[kept++] = idx[k];
        if (kept == 0)
            return true;
        idx = still;
        count = kept;
    }
    const char *path =
        s == STAGE_CREATE
            ? PRODUCTS_PATH
            : souk_pool_printf(t->pool, PRODUCTS_PATH "/%s/%s", t->items[idx[0]].platform_id,
                               s == STAGE_PRICE ? "prices/update" : "inventory/update");
    json_t *body = s == STAGE_CREATE ? product_body(t, idx, count) : update_body(t, s, idx, count);
    json_t *answer;
    enum verdict v = call(t, path, body, NULL, 0, NULL, &answer, out);
    json_t *data = json_object_get(answer, "data");
    /* A create is never "not in the shop"; if TikTok says so anyway, trying again cannot help. */
    if (v == LOST && s == STAGE_CREATE)
        v = REFUSED;
    switch (v) {
    case TOOK:
        if (s == STAGE_CREATE)
            v = created(t, data, idx, count, out);
        else
            updated(t, s, data, idx, count);
        break;
    case REFUSED: {
        const char *reason = reason_text(t->pool, answer);
        for (size_t k = 0; k < count; k++)
            finish(t, idx[k], SOUK_CHANNELS__REJECTED, reason);
        break;
    }
    case LOST:
        if (count == 1) {
            lose(t, idx[0]);
            break;
        }
        /* Which SKUs of the product are unknown? Asked one by one, each answers for itself. */
        for (size_t k = 0; k < count; k++)
            t->state[idx[k]].alone = true;
        break;
    case FAILED:
        break;
    }
    json_decref(answer);
    return v != FAILED;
}

/*
 * Updates of known items go first, so a variant TikTok turns out to have lost joins the
 * creates of its product. A batch-wide failure stops the push: what TikTok took before it
 * stays taken (a created product's ids must be kept, or it would be created twice), the rest
 * is RETRY. souk_channels__batch_failed is called with no items for that reason.
 */
static int tiktok_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out)
{
    /* Channels made before the push existed may lack the account parameters. */
    for (const char *const *name = credentials; *name; name++) {
        if (souk_channels__credential(c, *name))
            continue;
        for (size_t i = 0; i < n; i++)
            items[i].result = SOUK_CHANNELS__RETRY;
        snprintf(out->error, sizeof out->error,
                 "a tiktok channel needs the credential \"%s\" to push", *name);
        return SOUK_OK;
    }
    struct push t = {
        .c = c,
        .client = client,
        .pool = pool,
        .warehouse_id = souk_channels__credential(c, "warehouse_id"),
        .category_id = souk_channels__credential(c, "category_id"),
        .items = items,
        .state = souk_pool_alloc(pool, n * sizeof *t.state),
        .n = n,
        .uploader = {.client = client,
                     .pool = pool,
                     .platform = "TikTok",
                     .max_bytes = MAX_IMAGE_BYTES,
                     .part = "data",
                     .fields = (const char *const[]){"use_case", "MAIN_IMAGE", NULL},
                     .send = send_image,
                     .items = items,
                     .n = n},
    };
    t.uploader.arg = &t;
    for (size_t i = 0; i < n; i++) {
        bool known = items[i].platform_id && items[i].platform_sku_id;
        t.state[i].stage = known ? STAGE_INVENTORY : STAGE_CREATE;
        if (!known && items[i].op == SOUK_CHANNELS__DELETE)
            finish(&t, i, SOUK_CHANNELS__PUSHED, NULL); /* TikTok never had it */
    }
    size_t *idx = souk_pool_alloc(pool, n * sizeof *idx);
    bool failed = false;
    for (enum stage s = STAGE_INVENTORY; s < STAGE_DONE && !failed; s++)
        for (size_t count; !failed && (count = next_call(&t, s, idx)) > 0;)
            failed = !make_call(&t, s, idx, count, out);
    for (size_t i = 0; failed && i < n; i++)
        if (t.state[i].stage != STAGE_DONE)
            items[i].result = SOUK_CHANNELS__RETRY;
    return SOUK_OK;
}

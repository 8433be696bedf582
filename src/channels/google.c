/*
 * google: Google Merchant Center (Shopping ads and free listings).
 *
 * Follows the Merchant Center product data specification (support.google.com/merchants/answer/
 * 7052112, retrieved 2026-11): id at most 50 characters, title 150, description 5000;
 * availability in_stock, out_of_stock, backorder or preorder, the last two only with an
 * availability_date (answer/6324470: ISO 8601, at most 25 characters; souk knows one only for
 * a pre-order, so a backorder shows out_of_stock); price "15.00 USD"; sale_price_effective_date
 * an ISO 8601 interval. Feeds are RSS 2.0 with the g: namespace, or tab-separated text.
 *
 * The push follows the Content API for Shopping v2.1 reference (developers.google.com/
 * shopping-content/reference/rest/v2.1/products: custombatch and the Product resource, and the
 * guide "Make requests", retrieved 2026-11): one POST /content/v2.1/products/batch of insert
 * and delete entries; insert replaces the whole product, which is keyed by "channel:
 * contentLanguage:targetCountry:offerId"; the API spells availability "in stock" and takes
 * prices as {"value": "15.00", "currency": "USD"} and int64 values as strings. Google sunset the
 * Content API on 2026-08-18 in favour of the Merchant API and fails a growing share of calls
 * with 410 until it is turned off in early 2027 (shopping-content/guides/sunset): a 410 is a
 * failed batch here, retried like any other.
 */
#include <stdint.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/money.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 50},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 150},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 5000},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"availability_date", SOUK_CHANNELS__AVAILABILITY_DATE, 0, 25},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"sale_price_effective_date", SOUK_CHANNELS__SALE_DATES, 0, 51},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__REQUIRED, 70},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 50},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"condition", SOUK_CHANNELS__CONDITION, 0, 0},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 50},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 750},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
    {"shipping_weight", SOUK_CHANNELS__SHIPPING_WEIGHT, 0, 0},
};

static const char *const credentials[] = {"access_token", "merchant_id", NULL};
static const char *const formats[] = {"xml", "tsv", NULL};

static int google_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out);

const struct souk_channels__connector souk_channels__google = {
    .platform = "google",
    .doc = "Google Merchant Center product data specification, 2026-11",
    .default_base_url = "https://shoppingcontent.googleapis.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in_stock",
    .out_of_stock = "out_of_stock",
    .backorder = "backorder",
    .preorder = "preorder",
    .dated_availability = true,
    .xml_prefix = "g:",
    .push = google_push,
    .batch_max = 1000, /* custombatch takes 10,000 entries; fewer keep a failed call small */
};

/* ---- push: Content API v2.1 products custombatch ---- */

/* How a feed value becomes a Product field. */
enum shape {
    TEXT,   /* as it is */
    LIST,   /* a one-element array (productTypes, sizes) */
    LINKS,  /* the feed's comma-separated URLs as an array */
    PRICE,  /* "9.99 USD" as {"value": "9.99", "currency": "USD"} */
    WEIGHT, /* "350 g" as {"value": 350, "unit": "g"} */
};

/* The Product fields that carry a feed column, by the column's name (so its limit applies). */
static const struct {
    const char *column, *field;
    enum shape shape;
} product_fields[] = {
    {"title", "title", TEXT},
    {"description", "description", TEXT},
    {"link", "link", TEXT},
    {"image_link", "imageLink", TEXT},
    {"additional_image_link", "additionalImageLinks", LINKS},
    {"sale_price", "salePrice", PRICE},
    {"sale_price_effective_date", "salePriceEffectiveDate", TEXT},
    {"availability_date", "availabilityDate", TEXT},
    {"brand", "brand", TEXT},
    {"gtin", "gtin", TEXT},
    {"mpn", "mpn", TEXT},
    {"condition", "condition", TEXT},
    {"item_group_id", "itemGroupId", TEXT},
    {"google_product_category", "googleProductCategory", TEXT},
    {"product_type", "productTypes", LIST},
    {"color", "color", TEXT},
    {"size", "sizes", LIST},
    {"shipping_weight", "shippingWeight", WEIGHT},
};

/* A feed value of an amount and its unit ("9.99 USD", "350 g") as {"value", unit_key}; the
 * value is text for a price, a number for a weight. NULL when text is not of that shape. */
static json_t *amount(const char *text, const char *unit_key, bool numeric)
{
    const char *space = strrchr(text, ' ');
    if (!space)
        return NULL;
    struct souk_str value = {text, (size_t)(space - text)};
    int64_t number;
    if (!numeric)
        return json_pack("{s:s%, s:s}", "value", value.ptr, value.len, unit_key, space + 1);
    if (souk_str_to_i64(value, 0, INT64_MAX, &number) != SOUK_OK)
        return NULL;
    return json_pack("{s:I, s:s}", "value", (json_int_t)number, unit_key, space + 1);
}

static json_t *shaped(const char *value, enum shape shape)
{
    switch (shape) {
    case LIST:
        return json_pack("[s]", value);
    case LINKS:
        return souk_channels__list_array(value);
    case PRICE:
        return amount(value, "currency", false);
    case WEIGHT:
        return amount(value, "unit", true);
    case TEXT:
        break;
    }
    return json_string(value);
}

/* The channel's price as a Content API Price (its currency was checked at channel creation). */
static json_t *price(int64_t minor, const char *currency)
{
    const struct souk_currency *cur = souk_money_currency(souk_str_from(currency));
    struct souk_buf value = SOUK_BUF_INIT(32);
    json_t *out = souk_money_format(&value, minor, cur->exponent) == SOUK_OK
                      ? json_pack("{s:s, s:s}", "value", value.data, "currency", currency)
                      : NULL;
    souk_buf_release(&value);
    return out;
}

/* The Content API's spelling of a feed's availability ("in_stock" is "in stock"). */
static const char *api_availability(const char *feed)
{
    static const struct {
        const char *feed, *api;
    } words[] = {{"in_stock", "in stock"}, {"backorder", "backorder"}, {"preorder", "preorder"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(feed, words[i].feed) == 0)
            return words[i].api;
    return "out of stock";
}

/*
 * The whole product as an insert sends it: insert replaces what Google holds, so a stock change
 * carries every field too. offerId is the SKU as it is, like the productId of a delete.
 */
static json_t *product(const struct souk_channel *c, const char *language,
                       const struct souk_channels__push *p)
{
    const struct souk_channels__item *item = p->item;
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "offerId", p->sku,
                            "contentLanguage", language, "targetCountry", c->country, "feedLabel",
                            c->country, "channel", "online", "availability",
                            api_availability(item->values[SOUK_CHANNELS__AVAILABILITY]),
                            "sellOnGoogleQuantity", item->values[SOUK_CHANNELS__QUANTITY]);
    if (item->price_minor != SOUK_CATALOG_UNSET)
        json_object_set_new(out, "price", price(item->price_minor, c->currency));
    json_t *feed = souk_channels__item_object(&souk_channels__google, item, false);
    for (size_t i = 0; i < sizeof product_fields / sizeof product_fields[0]; i++) {
        const char *value = json_string_value(json_object_get(feed, product_fields[i].column));
        json_t *field = value ? shaped(value, product_fields[i].shape) : NULL;
        if (field)
            json_object_set_new(out, product_fields[i].field, field);
    }
    json_decref(feed);
    return out;
}

static json_t *batch_entry(const struct souk_channel *c, const char *merchant, const char *language,
                           size_t index, const struct souk_channels__push *p)
{
    json_t *entry = json_pack("{s:I, s:s}", "batchId", (json_int_t)index, "merchantId", merchant);
    if (p->op == SOUK_CHANNELS__DELETE) {
        json_object_set_new(entry, "method", json_string("delete"));
        json_object_set_new(entry, "productId",
                            json_sprintf("online:%s:%s:%s", language, c->country, p->sku));
    } else {
        json_object_set_new(entry, "method", json_string("insert"));
        json_object_set_new(entry, "product", product(c, language, p));
    }
    return entry;
}

/* Sets each item's result from its response entry, matched by batchId. */
static void apply_entries(json_t *entries, struct souk_pool *pool,
                          struct souk_channels__push *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        items[i].result = SOUK_CHANNELS__RETRY;
        items[i].error = "Google's answer has no entry for this item";
    }
    size_t j;
    json_t *e;
    json_array_foreach(entries, j, e)
    {
        json_t *batch_id = json_object_get(e, "batchId");
        json_int_t i = json_integer_value(batch_id);
        if (!json_is_integer(batch_id) || i < 0 || (size_t)i >= n)
            continue;
        struct souk_channels__push *p = &items[i];
        json_t *errors = json_object_get(e, "errors");
        json_int_t code = json_integer_value(json_object_get(errors, "code"));
        /* A delete of a product Google does not hold has nothing left to do. */
        if (!errors || (code == 404 && p->op == SOUK_CHANNELS__DELETE)) {
            p->result = SOUK_CHANNELS__PUSHED;
            p->error = NULL;
            continue;
        }
        /* An entry can fail for quota or a backend error like a whole call: that passes. */
        p->result = code == 429 || code >= 500 ? SOUK_CHANNELS__RETRY : SOUK_CHANNELS__REJECTED;
        const char *message = json_string_value(json_object_get(errors, "message"));
        p->error = souk_pool_strdup(pool, message ? message : "Google refused the product");
    }
}

static int google_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out)
{
    const char *merchant = souk_channels__credential(c, "merchant_id");
    /* contentLanguage: the channel locale's language, its two-letter ISO 639-1 code. */
    char language[3] = {c->locale[0], c->locale[1], '\0'};
    json_t *entries = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(entries, batch_entry(c, merchant, language, i, &items[i]));
    struct souk_channels__response resp;
    int rc;
    json_t *answer = souk_channels__exchange(
        client, souk_pool_printf(pool, "%s/content/v2.1/products/batch", c->base_url),
        souk_pool_printf(pool, "Authorization: Bearer %s",
                         souk_channels__credential(c, "access_token")),
        json_pack("{s:o}", "entries", entries), &resp, &rc);
    json_t *results = json_object_get(answer, "entries");
    if (json_is_array(results))
        apply_entries(results, pool, items, n);
    else
        souk_channels__batch_failed(&resp, rc, items, n, out);
    json_decref(answer);
    souk_channels__response_release(&resp);
    return SOUK_OK;
}

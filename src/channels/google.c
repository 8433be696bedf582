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
 * The push follows the Merchant API, Products sub-API v1: Google sunset the Content API for
 * Shopping v2.1 on 2026-08-18 and fails a growing share of its calls until it is turned off in
 * early 2027 (shopping-content/guides/sunset). Sources, retrieved 2026-11:
 *   - developers.google.com/merchant/api/reference/rest/products_v1/accounts.productInputs
 *     (insert, delete) and the protos it is generated from, googleapis/googleapis
 *     google/shopping/merchant/products/v1/{productinputs,products_common}.proto and
 *     google/shopping/type/types.proto;
 *   - developers.google.com/merchant/api/guides/products/add-manage (data sources, insert);
 *   - developers.google.com/merchant/api/guides/error-handling (google.rpc.Status errors);
 *   - developers.google.com/merchant/api/guides/quotas-limits (HTTP batching saves no quota;
 *     "Update policy": a product is updated "up to twice per day", hence twice_a_day).
 * What souk relies on:
 *   - POST /products/v1/accounts/{merchant}/productInputs:insert?dataSource=accounts/{merchant}
 *     /dataSources/{id} with a ProductInput body; it replaces the input with the same offerId,
 *     contentLanguage and feedLabel, so a stock change sends the whole product too.
 *   - DELETE /products/v1/accounts/{merchant}/productInputs/{name}?dataSource=... where name is
 *     "{contentLanguage}~{feedLabel}~{offerId}" (v1 has no "online~" channel prefix; v1beta
 *     had one), sent unpadded base64url-encoded, the form Google recommends and the only one
 *     that carries an offerId holding '/', '%' or '~'.
 *   - ProductInput: offerId, contentLanguage (ISO 639-1), feedLabel (at most 20 of A-Z, 0-9, -
 *     and _: souk uses the channel's country) and productAttributes in camelCase; enums in
 *     upper case (IN_STOCK, NEW); prices {"amountMicros", "currencyCode"}; int64 values as
 *     JSON strings (the proto3 JSON mapping); times RFC 3339 with seconds; size one string
 *     and gtins a list.
 *   - Auth "Authorization: Bearer <OAuth token>" with the content scope; errors
 *     {"error": {"code", "message", "status", "details"}}.
 *   - No custombatch: one call per product input. (HTTP batch requests exist but are counted
 *     per inner call and need multipart bodies; not used.)
 * Unverified: whether Google sends Retry-After with its 429 (souk honours it when present and
 * waits 60 s otherwise); how Google answers an insert naming a data source it does not know
 * (souk takes a 404 there for the channel's fault, not the item's); whether an insert missing
 * a required attribute such as image_link fails at once or is accepted and disapproved later
 * (the sim refuses it at once).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
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

static const char *const credentials[] = {"access_token", "merchant_id", "data_source_id", NULL};
static const char *const formats[] = {"xml", "tsv", NULL};

static int google_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out);

const struct souk_channels__connector souk_channels__google = {
    .platform = "google",
    .doc = "Google Merchant Center product data specification and Merchant API products v1, "
           "2026-11",
    .default_base_url = "https://merchantapi.googleapis.com",
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
    /* One HTTP call per change: a small batch keeps one channel from holding the sync worker. */
    .batch_max = 50,
    .twice_a_day = true,
};

/* ---- push: Merchant API productInputs ---- */

#define CONTENT_API_URL "https://shoppingcontent.googleapis.com"
#define MICROS_EXPONENT 6 /* amountMicros: a millionth of the currency's unit */

/* How a feed value becomes a ProductAttributes field. */
enum shape {
    TEXT,     /* as it is */
    WORD,     /* an enum value: the feed's word in upper case ("in_stock" is IN_STOCK) */
    LIST,     /* a one-element array (gtins, productTypes) */
    LINKS,    /* the feed's comma-separated URLs as an array */
    PRICE,    /* "9.99 USD" as {"amountMicros": "9990000", "currencyCode": "USD"} */
    WEIGHT,   /* "350 g" as {"value": 350, "unit": "g"} */
    TIME,     /* "2027-03-01T09:30Z" as a Timestamp, "2027-03-01T09:30:00Z" */
    INTERVAL, /* "start/end" as {"startTime", "endTime"} */
};

/* The attributes that carry a feed column, by the column's name (so its limit applies). */
static const struct {
    const char *column, *field;
    enum shape shape;
} attribute_fields[] = {
    {"title", "title", TEXT},
    {"description", "description", TEXT},
    {"link", "link", TEXT},
    {"image_link", "imageLink", TEXT},
    {"additional_image_link", "additionalImageLinks", LINKS},
    {"availability", "availability", WORD},
    {"availability_date", "availabilityDate", TIME},
    {"sale_price", "salePrice", PRICE},
    {"sale_price_effective_date", "salePriceEffectiveDate", INTERVAL},
    {"brand", "brand", TEXT},
    {"gtin", "gtins", LIST},
    {"mpn", "mpn", TEXT},
    {"condition", "condition", WORD},
    {"item_group_id", "itemGroupId", TEXT},
    {"google_product_category", "googleProductCategory", TEXT},
    {"product_type", "productTypes", LIST},
    {"color", "color", TEXT},
    {"size", "size", TEXT},
    {"shipping_weight", "shippingWeight", WEIGHT},
};

/* Minor units of currency as a Price with amountMicros an int64 string (the proto3 JSON form);
 * NULL when the amount does not fit an int64 of micros. */
static json_t *price(int64_t minor, const char *currency)
{
    const struct souk_currency *cur = souk_money_currency(souk_str_from(currency));
    int64_t factor = 1;
    if (!cur || minor < 0)
        return NULL;
    for (int e = cur->exponent; e < MICROS_EXPONENT; e++)
        factor *= 10;
    if (minor > INT64_MAX / factor)
        return NULL;
    return json_pack("{s:o, s:s}", "amountMicros", json_sprintf("%" PRId64, minor * factor),
                     "currencyCode", cur->code);
}

/* A feed price, "9.99 USD", as a Price; NULL when text is not of that shape. */
static json_t *price_text(const char *text)
{
    const char *space = strrchr(text, ' ');
    char amount[64];
    int64_t minor;
    if (!space || (size_t)(space - text) >= sizeof amount)
        return NULL;
    memcpy(amount, text, (size_t)(space - text));
    amount[space - text] = '\0';
    if (souk_channels__parse_amount(amount, space + 1, &minor) != SOUK_OK)
        return NULL;
    return price(minor, space + 1);
}

/* "350 g" as a ShippingWeight; NULL when text is not a whole number and a unit. */
static json_t *weight(const char *text)
{
    const char *space = strrchr(text, ' ');
    int64_t value;
    if (!space || souk_str_to_i64((struct souk_str){text, (size_t)(space - text)}, 0, INT64_MAX,
                                  &value) != SOUK_OK)
        return NULL;
    return json_pack("{s:I, s:s}", "value", (json_int_t)value, "unit", space + 1);
}

/* The feed's times are to the minute ("2027-03-01T09:30Z"); a Timestamp needs the seconds.
 * len is the length of text to read (an interval passes each half). */
static json_t *timestamp(const char *text, size_t len)
{
    static const size_t minute_form = sizeof "2027-03-01T09:30Z" - 1;
    if (len == minute_form && text[len - 1] == 'Z')
        return json_sprintf("%.*s:00Z", (int)(len - 1), text);
    return json_stringn(text, len);
}

/* "start/end" (end may be empty: a sale with no end) as an Interval. */
static json_t *interval(const char *text)
{
    const char *slash = strchr(text, '/');
    if (!slash)
        return NULL;
    json_t *out = json_pack("{s:o}", "startTime", timestamp(text, (size_t)(slash - text)));
    if (slash[1])
        json_object_set_new(out, "endTime", timestamp(slash + 1, strlen(slash + 1)));
    return out;
}

static json_t *upper_word(const char *text)
{
    char word[32];
    size_t i = 0;
    for (; text[i] && i + 1 < sizeof word; i++)
        word[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 'a' + 'A') : text[i];
    word[i] = '\0';
    return json_string(word);
}

static json_t *shaped(const char *value, enum shape shape)
{
    switch (shape) {
    case WORD:
        return upper_word(value);
    case LIST:
        return json_pack("[s]", value);
    case LINKS:
        return souk_channels__list_array(value);
    case PRICE:
        return price_text(value);
    case WEIGHT:
        return weight(value);
    case TIME:
        return timestamp(value, strlen(value));
    case INTERVAL:
        return interval(value);
    case TEXT:
        break;
    }
    return json_string(value);
}

/*
 * The whole product input, as an insert replaces what Google holds: a stock change carries
 * every attribute too. NULL when the price cannot be written as micros (set *why).
 */
static json_t *product_input(const struct souk_channel *c, const char *language,
                             const struct souk_channels__push *p, const char **why)
{
    const struct souk_channels__item *item = p->item;
    json_t *attrs = json_pack(
        "{s:s}", "sellOnGoogleQuantity",
        item->values[SOUK_CHANNELS__QUANTITY] ? item->values[SOUK_CHANNELS__QUANTITY] : "0");
    if (item->price_minor != SOUK_CATALOG_UNSET) {
        json_t *amount = price(item->price_minor, c->currency);
        if (!amount) {
            json_decref(attrs);
            *why = "the price is too large for Google's amountMicros";
            return NULL;
        }
        json_object_set_new(attrs, "price", amount);
    }
    json_t *feed = souk_channels__item_object(&souk_channels__google, item, false);
    for (size_t i = 0; i < sizeof attribute_fields / sizeof attribute_fields[0]; i++) {
        const char *value = json_string_value(json_object_get(feed, attribute_fields[i].column));
        json_t *field = value ? shaped(value, attribute_fields[i].shape) : NULL;
        if (field)
            json_object_set_new(attrs, attribute_fields[i].field, field);
    }
    json_decref(feed);
    return json_pack("{s:s, s:s, s:s, s:o}", "offerId", p->sku, "contentLanguage", language,
                     "feedLabel", c->country, "productAttributes", attrs);
}

/* Unpadded base64url (RFC 4648 section 5) of text, in pool memory. */
static const char *base64url(struct souk_pool *pool, const char *text)
{
    struct souk_str data = souk_str_from(text);
    char *out = souk_pool_alloc(pool, SOUK_SIG_BASE64URL_SIZE(data.len));
    souk_sig_base64url_encode(data, out);
    return out;
}

/* What one call's answer means for its item and the rest of the batch. */
enum verdict {
    TAKEN,   /* Google holds the change */
    REFUSED, /* Google refused this item: its message is the item's error */
    STOP,    /* the call failed for the channel (auth, quota, outage): the rest waits */
};

static enum verdict judge(const struct souk_channels__response *resp, int call_rc,
                          enum souk_channels__op op, json_t *answer)
{
    if (call_rc != SOUK_OK)
        return STOP;
    if (resp->status == 200)
        return json_is_object(answer) ? TAKEN : STOP;
    /* A delete of a product input Google does not hold has nothing left to do. */
    if (resp->status == 404 && op == SOUK_CHANNELS__DELETE)
        return TAKEN;
    /* An insert's 404 names the account or data source, not the product. */
    if (resp->status == 404 || !souk_channels__refused(resp->status))
        return STOP;
    return REFUSED;
}

/* Why the channel cannot push at all, or NULL. */
static const char *unusable(const struct souk_channel *c, struct souk_pool *pool)
{
    for (const char *const *name = credentials; *name; name++)
        if (!souk_channels__credential(c, *name))
            return souk_pool_printf(
                pool,
                "a google channel needs the credential \"%s\" to push through the Merchant API%s",
                *name,
                strcmp(*name, "data_source_id") == 0
                    ? ": the numeric id of an API data source of the Merchant Center account "
                      "(created in Merchant Center or with the Data Sources sub-API)"
                    : "");
    const char *ids[] = {"merchant_id", "data_source_id"};
    for (size_t i = 0; i < 2; i++) {
        const char *value = souk_channels__credential(c, ids[i]);
        if (strspn(value, "0123456789") != strlen(value))
            return souk_pool_printf(pool, "the google credential %s must be Google's numeric id",
                                    ids[i]);
    }
    return NULL;
}

/*
 * Where the channel's calls go. A channel made before the move to the Merchant API holds the
 * Content API's URL (then souk's default, written in at creation). That host serves none of
 * the Merchant API's paths and is being turned off, while the Merchant API serves the same
 * Merchant Center accounts, so such a channel goes there.
 */
static const char *api_base(const struct souk_channel *c)
{
    size_t len = strlen(CONTENT_API_URL);
    bool content_api = strncmp(c->base_url, CONTENT_API_URL, len) == 0 &&
                       (c->base_url[len] == '\0' || strcmp(c->base_url + len, "/") == 0);
    return content_api ? souk_channels__google.default_base_url : c->base_url;
}

/*
 * One call per change, in order. A refused item does not stop the others; a call that fails
 * for the channel (transport, 401/403, 404 on an insert, 429, 5xx, an answer that is not
 * JSON) stops the batch there: what Google took stays taken, the rest is RETRY, and out says
 * why (with 429's Retry-After).
 */
static int google_push(const struct souk_channel *c, struct souk_channels__client *client,
                       struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                       struct souk_channels__batch_outcome *out)
{
    const char *why = unusable(c, pool);
    if (why) {
        for (size_t i = 0; i < n; i++)
            items[i].result = SOUK_CHANNELS__RETRY;
        snprintf(out->error, sizeof out->error, "%s", why);
        return SOUK_OK;
    }
    const char *merchant = souk_channels__credential(c, "merchant_id");
    const char *accounts =
        souk_pool_printf(pool, "%s/products/v1/accounts/%s/productInputs", api_base(c), merchant);
    const char *source = souk_pool_printf(pool, "dataSource=accounts/%s/dataSources/%s", merchant,
                                          souk_channels__credential(c, "data_source_id"));
    /* contentLanguage: the channel locale's language, its two-letter ISO 639-1 code. */
    char language[3] = {c->locale[0], c->locale[1], '\0'};
    struct souk_channels__request req = {
        .headers = {souk_pool_printf(pool, "Authorization: Bearer %s",
                                     souk_channels__credential(c, "access_token"))},
    };
    for (size_t i = 0; i < n; i++) {
        struct souk_channels__push *p = &items[i];
        char *body = NULL;
        if (p->op == SOUK_CHANNELS__DELETE) {
            const char *name = souk_pool_printf(pool, "%s~%s~%s", language, c->country, p->sku);
            req.method = "DELETE";
            req.url = souk_pool_printf(pool, "%s/%s?%s", accounts, base64url(pool, name), source);
        } else {
            json_t *input = product_input(c, language, p, &p->error);
            if (!input) {
                p->result = SOUK_CHANNELS__REJECTED;
                continue;
            }
            body = json_dumps(input, JSON_COMPACT);
            json_decref(input);
            req.method = NULL;
            req.url = souk_pool_printf(pool, "%s:insert?%s", accounts, source);
        }
        req.body = body;
        req.body_len = body ? strlen(body) : 0;
        struct souk_channels__response resp;
        int rc = souk_channels__client_call(client, &req, &resp);
        souk_free(body);
        json_error_t jerr;
        json_t *answer = rc == SOUK_OK ? json_loadb(resp.body.data, resp.body.len, 0, &jerr) : NULL;
        enum verdict v = judge(&resp, rc, p->op, answer);
        if (v == STOP)
            souk_channels__batch_failed(&resp, rc, items + i, n - i, out);
        p->result = v == TAKEN     ? SOUK_CHANNELS__PUSHED
                    : v == REFUSED ? SOUK_CHANNELS__REJECTED
                                   : SOUK_CHANNELS__RETRY;
        if (v == REFUSED) {
            const char *message =
                json_string_value(json_object_get(json_object_get(answer, "error"), "message"));
            p->error = message ? souk_pool_strdup(pool, message)
                               : souk_pool_printf(pool, "Google refused the product (HTTP %ld)",
                                                  resp.status);
        }
        json_decref(answer);
        souk_channels__response_release(&resp);
        if (v == STOP)
            break;
    }
    return SOUK_OK;
}

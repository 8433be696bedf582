/*
 * pinterest: Pinterest catalogs (product pins and shopping ads).
 *
 * Follows "Manage your catalog with a data source" and the catalog feed field list
 * (developers.pinterest.com/docs/work-with-catalogs, help.pinterest.com "Before you get
 * started with catalogs", retrieved 2026-11): id at most 127 characters, title 500,
 * description 10000, link 511; availability "in stock" / "out of stock" / "preorder" (no word
 * for a backorder, which shows out of stock); price "24.99 GBP".
 *
 * The push follows the API v5 reference "Operate on item batch" and "Get catalogs items batch"
 * (POST /v5/catalogs/items/batch, GET /v5/catalogs/items/batch/{batch_id}), the ItemAttributes
 * model, and the guide "Modify catalog items in batch" (developers.pinterest.com/docs/
 * api-features/modify-items-in-batch, retrieved 2026-11): one operation per batch; UPSERT
 * replaces all of an item's attributes, UPDATE only those sent; the POST answers a batch id and
 * the batch is PROCESSING until its record says COMPLETED (or FAILED), with a SUCCESS or
 * FAILURE per item. Pinterest takes availability, never a count.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 127},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 500},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 10000},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 511},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 127},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"brand", SOUK_CHANNELS__BRAND, 0, 100},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 14},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"condition", SOUK_CHANNELS__CONDITION, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
};

static const char *const credentials[] = {"access_token", NULL};
static const char *const formats[] = {"csv", "tsv", "xml", NULL};

static int pinterest_push(const struct souk_channel *c, struct souk_channels__client *client,
                          struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                          struct souk_channels__batch_outcome *out);

const struct souk_channels__connector souk_channels__pinterest = {
    .platform = "pinterest",
    .doc = "Pinterest catalogs data source specification, 2026-11",
    .default_base_url = "https://api.pinterest.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .preorder = "preorder",
    .xml_prefix = "g:",
    .push = pinterest_push,
    .batch_max = 1000, /* items per batch request: Pinterest's limit */
};

/* ---- push: catalog item batches (API v5) ---- */


/* Pinterest takes one operation per batch, so a mixed push is up to three, sent in this order. */
static const struct {
    enum souk_channels__op op;
    const char *operation;
} operations[] = {
    {SOUK_CHANNELS__UPSERT, "UPSERT"}, /* replaces the item's attributes, creating it if new */
    {SOUK_CHANNELS__STOCK, "UPDATE"},  /* changes the attributes sent, keeps the others */
    {SOUK_CHANNELS__DELETE, "DELETE"},
};
#define NOPERATIONS (sizeof operations / sizeof operations[0])

/* What one push call works with, so the steps below take one argument. */
struct push_call {
    const struct souk_channel *channel;
    struct souk_channels__client *client;
    struct souk_pool *pool;
    struct souk_channels__push *items;
    size_t n;
    struct souk_channels__batch_outcome *out;
    const char *auth; /* the Authorization header: never logged, never in an error */
};

/*
 * An item's attributes in the API's types, from the feed row: item_id carries the id; image
 * links are arrays; gtin is an integer (ItemAttributes in the v5 reference), which the catalog's
 * all-digit GTINs always fit.
 */
static json_t *attributes(const struct souk_channels__push *p)
{
    json_t *attrs = souk_channels__item_object(&souk_channels__pinterest, p->item,
                                               p->op == SOUK_CHANNELS__STOCK);
    json_object_del(attrs, "id");
    json_t *image = json_object_get(attrs, "image_link");
    if (image)
        json_object_set_new(attrs, "image_link", json_pack("[O]", image));
    const char *more = json_string_value(json_object_get(attrs, "additional_image_link"));
    if (more)
        json_object_set_new(attrs, "additional_image_link", souk_channels__list_array(more));
    int64_t gtin;
    if (souk_str_to_i64(souk_str_from(json_string_value(json_object_get(attrs, "gtin"))), 0,
                        INT64_MAX, &gtin) == SOUK_OK)
        json_object_set_new(attrs, "gtin", json_integer(gtin));
    return attrs;
}

static json_t *batch_item(const struct souk_channels__push *p)
{
    if (p->op == SOUK_CHANNELS__DELETE)
        return json_pack("{s:s}", "item_id", p->sku);
    return json_pack("{s:s, s:o}", "item_id", p->sku, "attributes", attributes(p));
}

/* Leaves operation k's items for a later push. */
static void operation_retry(struct push_call *call, size_t k)
{
    for (size_t i = 0; i < call->n; i++)
        if (call->items[i].op == operations[k].op)
            call->items[i].result = SOUK_CHANNELS__RETRY;
}

/* A failed call for operation k: out says why (batch_failed is given no items because it marks
 * a contiguous run, and an operation's items are spread over the push), its items RETRY. */
static void operation_failed(struct push_call *call, size_t k,
                             const struct souk_channels__response *resp, int rc)
{
    souk_channels__batch_failed(resp, rc, call->items, 0, call->out);
    operation_retry(call, k);
}

/* POSTs the batch of operation k; returns the batch id Pinterest answered with, or NULL when
 * there was nothing to send or the items are marked RETRY. */
static const char *send_batch(struct push_call *call, size_t k)
{
    json_t *records = json_array();
    for (size_t i = 0; i < call->n; i++)
        if (call->items[i].op == operations[k].op)
            json_array_append_new(records, batch_item(&call->items[i]));
    if (json_array_size(records) == 0) {
        json_decref(records);
        return NULL;
    }
    if (call->out->retry_after_s >= 0) {
        /* An earlier batch was told to wait: more calls now would be refused as well. */
        json_decref(records);
        operation_retry(call, k);
        return NULL;
    }
    /* The language of the channel's locale, which starts with its two-letter ISO 639-1 code. */
    char language[3] = {(char)toupper((unsigned char)call->channel->locale[0]),
                        (char)toupper((unsigned char)call->channel->locale[1]), '\0'};
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:o}", "operation", operations[k].operation,
                             "country", call->channel->country, "language", language,
                             "catalog_type", "RETAIL", "items", records);
    const char *url =
        souk_pool_printf(call->pool, "%s/v5/catalogs/items/batch", call->channel->base_url);
    struct souk_channels__response resp;
    int rc;
    json_t *answer =
        souk_channels__exchange(call->client, url, call->auth, body, &resp, &rc);
    const char *batch_id =
        souk_pool_strdup(call->pool, json_string_value(json_object_get(answer, "batch_id")));
    if (!batch_id)
        operation_failed(call, k, &resp, rc);
    json_decref(answer);
    souk_channels__response_release(&resp);
    return batch_id;
}

/* True once a batch record is final: COMPLETED, or FAILED as a whole. */
static bool processed(json_t *record)
{
    const char *status = json_string_value(json_object_get(record, "status"));
    return status && strcmp(status, "PROCESSING") != 0;
}

/* The item of operation op whose SKU is id, or NULL. */
static struct souk_channels__push *find_item(struct push_call *call, enum souk_channels__op op,
                                             const char *id)
{
    for (size_t i = 0; id && i < call->n; i++)
        if (call->items[i].op == op && strcmp(call->items[i].sku, id) == 0)
            return &call->items[i];
    return NULL;
}

/* Sets the result of each item of operation k from its processing record. */
static void apply_record(struct push_call *call, size_t k, json_t *record)
{
    for (size_t i = 0; i < call->n; i++)
        if (call->items[i].op == operations[k].op) {
            call->items[i].result = SOUK_CHANNELS__RETRY;
            call->items[i].error = "the batch record does not mention this item";
        }
    size_t j;
    json_t *r;
    json_array_foreach(json_object_get(record, "items"), j, r)
    {
        struct souk_channels__push *p =
            find_item(call, operations[k].op, json_string_value(json_object_get(r, "item_id")));
        const char *status = json_string_value(json_object_get(r, "status"));
        json_t *first = json_array_get(json_object_get(r, "errors"), 0);
        const char *attribute = json_string_value(json_object_get(first, "attribute"));
        if (!p || !status || strcmp(status, "PROCESSING") == 0)
            continue;
        /* A DELETE refused for its item_id is of an item Pinterest does not hold: gone already. */
        bool gone =
            p->op == SOUK_CHANNELS__DELETE && attribute && strcmp(attribute, "item_id") == 0;
        if (strcmp(status, "SUCCESS") == 0 || gone) {
            p->result = SOUK_CHANNELS__PUSHED;
            p->error = NULL;
            continue;
        }
        const char *message = json_string_value(json_object_get(first, "message"));
        p->result = SOUK_CHANNELS__REJECTED;
        p->error = souk_pool_printf(call->pool, "%s%s%s", attribute ? attribute : "",
                                    attribute ? ": " : "",
                                    message ? message : "Pinterest refused the item");
    }
}

/* Polls the batch of operation k until Pinterest has processed it, then applies its record. */
static void collect(struct push_call *call, size_t k, const char *batch_id)
{
    const char *url = souk_pool_printf(call->pool, "%s/v5/catalogs/items/batch/%s",
                                       call->channel->base_url, batch_id);
    struct souk_channels__response resp;
    int rc;
    json_t *record =
        souk_channels__poll(call->client, url, call->auth, processed, &resp, &rc);
    const char *status = json_string_value(json_object_get(record, "status"));
    if (status && strcmp(status, "COMPLETED") == 0)
        apply_record(call, k, record);
    else
        operation_failed(call, k, &resp, rc);
    json_decref(record);
    souk_channels__response_release(&resp);
}

static int pinterest_push(const struct souk_channel *c, struct souk_channels__client *client,
                          struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                          struct souk_channels__batch_outcome *out)
{
    struct push_call call = {
        .channel = c,
        .client = client,
        .pool = pool,
        .items = items,
        .n = n,
        .out = out,
        .auth = souk_pool_printf(pool, "Authorization: Bearer %s",
                                 souk_channels__credential(c, "access_token")),
    };
    const char *batch_ids[NOPERATIONS];
    /* Every batch goes out before any is polled, so Pinterest processes them meanwhile. */
    for (size_t k = 0; k < NOPERATIONS; k++)
        batch_ids[k] = send_batch(&call, k);
    for (size_t k = 0; k < NOPERATIONS; k++)
        if (batch_ids[k])
            collect(&call, k, batch_ids[k]);
    return SOUK_OK;
}

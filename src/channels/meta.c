/*
 * meta: Facebook Shops and Instagram Shopping, through a Meta commerce catalog.
 *
 * Follows the catalog feed reference and "Data Feed Specifications for Catalogs"
 * (developers.facebook.com/docs/marketing-api/catalog/reference, retrieved 2026-11):
 * id, title, description, availability, condition, price, link and image_link are required,
 * plus one of brand, gtin or mpn; prices are "9.99 USD"; availability is "in stock", "out of
 * stock", "available for order" (souk's backorder) or "preorder";
 * quantity_to_sell_on_facebook is what the shop may sell (onsite checkout).
 */
#include <string.h>

#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 200},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 9999},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"condition", SOUK_CHANNELS__CONDITION, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 100},
    {"gtin", SOUK_CHANNELS__GTIN, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 70},
    {"mpn", SOUK_CHANNELS__MPN, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 100},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 100},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"sale_price_effective_date", SOUK_CHANNELS__SALE_DATES, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 200},
    {"size", SOUK_CHANNELS__SIZE, 0, 200},
    {"shipping_weight", SOUK_CHANNELS__SHIPPING_WEIGHT, 0, 0},
    {"quantity_to_sell_on_facebook", SOUK_CHANNELS__QUANTITY, 0, 0},
};

static const char *const credentials[] = {"access_token", "catalog_id", NULL};
/* The commerce seller settings id: with it, souk polls the shop's checkout orders. */
static const char *const optional_credentials[] = {"cms_id", NULL};
static const char *const formats[] = {"csv", "tsv", "xml", NULL};

static int meta_push(const struct souk_channel *c, struct souk_channels__client *client,
                     struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                     struct souk_channels__batch_outcome *out);

const struct souk_channels__connector souk_channels__meta = {
    .platform = "meta",
    .doc = "Meta catalog feed reference and Data Feed Specifications for Catalogs, 2026-11",
    .default_base_url = "https://graph.facebook.com",
    .credentials = credentials,
    .optional_credentials = optional_credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .backorder = "available for order",
    .preorder = "preorder",
    .xml_prefix = "g:",
    .overrides = true,
    .push = meta_push,
    .batch_max = 3000, /* items_batch takes 5,000; Meta recommends under 3,000 */
    .orders_poll = souk_channels__meta_poll,
    .orders_fetch = souk_channels__meta_fetch,
    .orders_fetch_max = 25, /* read one by one: a chunk bounds one write transaction */
    .order_ack = souk_channels__meta_ack,
    .order_update = souk_channels__meta_update,
};

/* ---- push: the Catalog Batch API ---- */

#define GRAPH_VERSION "v21.0"

/* items_batch takes a request per item: UPDATE upserts (allow_upsert is on by default). */
static json_t *batch_request(const struct souk_channels__push *p)
{
    json_t *data = p->op == SOUK_CHANNELS__DELETE
                       ? json_pack("{s:s}", "id", p->sku)
                       : souk_channels__item_object(&souk_channels__meta, p->item,
                                                    p->op == SOUK_CHANNELS__STOCK);
    return json_pack("{s:s, s:o}", "method", p->op == SOUK_CHANNELS__DELETE ? "DELETE" : "UPDATE",
                     "data", data);
}

/* Applies check_batch_request_status's per-item errors; the rest were taken. */
static void apply_status(json_t *status, struct souk_pool *pool,
                         struct souk_channels__push *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        items[i].result = SOUK_CHANNELS__PUSHED;
    json_t *errors = json_object_get(json_array_get(json_object_get(status, "data"), 0), "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        json_int_t line = json_integer_value(json_object_get(e, "line"));
        if (line < 0 || (size_t)line >= n)
            continue;
        items[line].result = SOUK_CHANNELS__REJECTED;
        items[line].error = souk_pool_strdup(pool, json_string_value(json_object_get(e, "message")));
    }
}

static bool finished(json_t *status)
{
    const char *s = json_string_value(
        json_object_get(json_array_get(json_object_get(status, "data"), 0), "status"));
    return s && strcmp(s, "finished") == 0;
}

static int meta_push(const struct souk_channel *c, struct souk_channels__client *client,
                     struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                     struct souk_channels__batch_outcome *out)
{
    const char *catalog = souk_channels__credential(c, "catalog_id");
    const char *auth = souk_pool_printf(pool, "Authorization: Bearer %s",
                                        souk_channels__credential(c, "access_token"));
    json_t *requests = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(requests, batch_request(&items[i]));
    struct souk_channels__response resp;
    int rc;
    json_t *answer = souk_channels__exchange(
        client, souk_pool_printf(pool, "%s/" GRAPH_VERSION "/%s/items_batch", c->base_url, catalog),
        auth, json_pack("{s:s, s:o}", "item_type", "PRODUCT_ITEM", "requests", requests), &resp,
        &rc);
    const char *handle = json_string_value(json_array_get(json_object_get(answer, "handles"), 0));
    if (!handle) {
        souk_channels__batch_failed(&resp, rc, items, n, out);
        json_decref(answer);
        souk_channels__response_release(&resp);
        return SOUK_OK;
    }
    /* The batch runs on Meta's side: ask how it went until it has finished. */
    const char *status_url =
        souk_pool_printf(pool, "%s/" GRAPH_VERSION "/%s/check_batch_request_status?handle=%s",
                         c->base_url, catalog, handle);
    json_decref(answer);
    souk_channels__response_release(&resp);
    json_t *status = souk_channels__poll(client, status_url, auth, finished, &resp, &rc);
    if (status)
        apply_status(status, pool, items, n);
    else
        souk_channels__batch_failed(&resp, rc, items, n, out);
    json_decref(status);
    souk_channels__response_release(&resp);
    return SOUK_OK;
}

/*
 * collections: /v1/collections, manual collections of products. Members are set on create
 * (product_ids), replaced with PUT .../products, or added and removed one at a time with POST
 * .../products and DELETE .../products/{product_id}; every answer is the collection itself.
 */
#include "api/api_int.h"
#include "catalog/catalog.h"
#include "channels/channels.h"

static int reply_collection(struct souk_req *req, int status, const char *id)
{
    struct souk_collection *col = NULL;
    int rc = souk_catalog_collection_get(req->db, req->pool, id, &col, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, col->version);
    souk_req_reply(req, status, souk_catalog_collection_encode(col));
    return SOUK_OK;
}

int souk_api_collections_create(struct souk_req *req)
{
    struct souk_collection *col = souk_pool_alloc(req->pool, sizeof *col);
    int rc =
        souk_catalog_collection_decode(req->pool, req->body, SOUK_CATALOG_CREATE, col, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_create(req->db, req->pool, col, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/collections/%s", col->id));
    return reply_collection(req, 201, col->id);
}

int souk_api_collections_get(struct souk_req *req)
{
    return reply_collection(req, 200, req->params[0]);
}

int souk_api_collections_update(struct souk_req *req)
{
    int64_t expected;
    struct souk_collection *col = NULL;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_get(req->db, req->pool, req->params[0], &col, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_decode(req->pool, req->body, SOUK_CATALOG_PATCH, col,
                                            &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_update(req->db, req->pool, col, expected, &req->err);
    return rc == SOUK_OK ? reply_collection(req, 200, req->params[0]) : rc;
}

/* Through channels: a collection that a channel selects is refused, naming the channel. */
int souk_api_collections_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_channels_collection_delete(req->db, req->params[0], expected, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

int souk_api_collections_list(struct souk_req *req)
{
    int limit;
    const char *after;
    struct souk_collection *items = NULL;
    size_t count;
    bool has_more;
    int rc = souk_api__page(req, &limit, &after);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_list(req->db, req->pool, after, limit, &items, &count,
                                          &has_more, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_collection_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

/* PUT /v1/collections/{id}/products {"product_ids": [...]}: the members, in order. */
int souk_api_collections_products_put(struct souk_req *req)
{
    int64_t expected;
    char **ids = NULL;
    size_t n = 0;
    json_t *list = json_object_get(req->body, "product_ids");
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK && (!list || json_object_size(req->body) != 1))
        rc = souk_err_set(&req->err, SOUK_EINVAL, "product_ids",
                          "send {\"product_ids\": [\"prod_...\", ...]}: the members in order");
    if (rc == SOUK_OK)
        rc = souk_catalog_product_ids_decode(req->pool, list, "product_ids", &ids, &n, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_set_products(req->db, req->pool, req->params[0], ids, n,
                                                  expected, &req->err);
    return rc == SOUK_OK ? reply_collection(req, 200, req->params[0]) : rc;
}

/* POST /v1/collections/{id}/products {"product_id": "prod_..."}: appends one member. */
int souk_api_collections_products_add(struct souk_req *req)
{
    int64_t expected;
    json_t *id = json_object_get(req->body, "product_id");
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK && (!json_is_string(id) || json_object_size(req->body) != 1))
        rc = souk_err_set(&req->err, SOUK_EINVAL, "product_id",
                          "send {\"product_id\": \"prod_...\"}: the product to append");
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_add_product(req->db, req->pool, req->params[0],
                                                 json_string_value(id), expected, &req->err);
    return rc == SOUK_OK ? reply_collection(req, 200, req->params[0]) : rc;
}

/* DELETE /v1/collections/{id}/products/{product_id}: removes one member. */
int souk_api_collections_products_remove(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_remove_product(req->db, req->pool, req->params[0],
                                                    req->params[1], expected, &req->err);
    return rc == SOUK_OK ? reply_collection(req, 200, req->params[0]) : rc;
}

/* variants: /v1/variants, the sellable units of a product. */
#include "api/api_int.h"
#include "catalog/catalog.h"

static int reply_variant(struct souk_req *req, int status, const char *id)
{
    struct souk_variant *v = NULL;
    int rc = souk_catalog_variant_get(req->db, req->pool, id, &v, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, v->version);
    souk_req_reply(req, status, souk_catalog_variant_encode(v));
    return SOUK_OK;
}

int souk_api_variants_create(struct souk_req *req)
{
    struct souk_variant *v = souk_pool_alloc(req->pool, sizeof *v);
    int rc = souk_catalog_variant_decode(req->pool, req->body, SOUK_CATALOG_CREATE, v, "",
                                         &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_create(req->db, req->pool, v, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/variants/%s", v->id));
    return reply_variant(req, 201, v->id);
}

int souk_api_variants_get(struct souk_req *req)
{
    return reply_variant(req, 200, req->params[0]);
}

int souk_api_variants_update(struct souk_req *req)
{
    int64_t expected;
    struct souk_variant *v = NULL;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_get(req->db, req->pool, req->params[0], &v, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_decode(req->pool, req->body, SOUK_CATALOG_PATCH, v, "",
                                         &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_update(req->db, req->pool, v, expected, &req->err);
    return rc == SOUK_OK ? reply_variant(req, 200, req->params[0]) : rc;
}

int souk_api_variants_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_delete(req->db, req->params[0], expected, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

int souk_api_variants_list(struct souk_req *req)
{
    struct souk_variant_filter filter = {0};
    struct souk_variant *items = NULL;
    size_t count;
    bool has_more;
    int rc = souk_api__page(req, &filter.limit, &filter.after);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "product_id", 64, &filter.product_id);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "sku", 100, &filter.sku);
    if (rc == SOUK_OK)
        rc = souk_catalog_variant_list(req->db, req->pool, &filter, &items, &count, &has_more,
                                       &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_variant_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

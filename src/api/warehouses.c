/* warehouses: /v1/warehouses, the places stock is held. */
#include "api/api_int.h"
#include "catalog/catalog.h"

static int reply_warehouse(struct souk_req *req, int status, const char *id)
{
    struct souk_warehouse *w = NULL;
    int rc = souk_catalog_warehouse_get(req->db, req->pool, id, &w, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, w->version);
    souk_req_reply(req, status, souk_catalog_warehouse_encode(w));
    return SOUK_OK;
}

int souk_api_warehouses_create(struct souk_req *req)
{
    struct souk_warehouse *w = souk_pool_alloc(req->pool, sizeof *w);
    int rc = souk_catalog_warehouse_decode(req->pool, req->body, SOUK_CATALOG_CREATE, w,
                                           &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_create(req->db, req->pool, w, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/warehouses/%s", w->id));
    return reply_warehouse(req, 201, w->id);
}

int souk_api_warehouses_get(struct souk_req *req)
{
    return reply_warehouse(req, 200, req->params[0]);
}

int souk_api_warehouses_update(struct souk_req *req)
{
    int64_t expected;
    struct souk_warehouse *w = NULL;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_get(req->db, req->pool, req->params[0], &w, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_decode(req->pool, req->body, SOUK_CATALOG_PATCH, w,
                                           &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_update(req->db, w, expected, &req->err);
    return rc == SOUK_OK ? reply_warehouse(req, 200, req->params[0]) : rc;
}

int souk_api_warehouses_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_delete(req->db, req->params[0], expected, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

int souk_api_warehouses_list(struct souk_req *req)
{
    int limit;
    const char *after;
    struct souk_warehouse *items = NULL;
    size_t count;
    bool has_more;
    int rc = souk_api__page(req, &limit, &after);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_list(req->db, req->pool, after, limit, &items, &count,
                                         &has_more, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_warehouse_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

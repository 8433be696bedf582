/* stock: /v1/stock, on-hand quantities per variant and warehouse. */
#include <string.h>

#include "api/api_int.h"
#include "catalog/catalog.h"

static int reply_stock(struct souk_req *req, int status)
{
    struct souk_stock_level *s;
    int rc = souk_catalog_stock_get(req->db, req->pool, req->params[0], req->params[1], &s,
                                    &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, s->version);
    souk_req_reply(req, status, souk_catalog_stock_encode(s));
    return SOUK_OK;
}

int souk_api_stock_get(struct souk_req *req)
{
    return reply_stock(req, 200);
}

/* PUT {"on_hand": N, "reason": "..."}: sets the quantity, creating the row on first use; the
 * ledger records the change with the reason (a cycle count, a damaged box). */
int souk_api_stock_put(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc != SOUK_OK)
        return rc;
    const char *key;
    json_t *value;
    json_object_foreach(req->body, key, value)
    {
        if (strcmp(key, "on_hand") != 0 && strcmp(key, "reason") != 0)
            return souk_err_set(&req->err, SOUK_EINVAL, key,
                                "unknown field %.64s: a stock level takes on_hand and reason",
                                key);
    }
    json_t *on_hand = json_object_get(req->body, "on_hand");
    if (!json_is_integer(on_hand))
        return souk_err_set(&req->err, SOUK_EINVAL, "on_hand", "on_hand must be an integer");
    json_t *reason = json_object_get(req->body, "reason");
    if (reason && (!json_is_string(reason) || json_string_length(reason) < 1 ||
                   json_string_length(reason) > 512))
        return souk_err_set(&req->err, SOUK_EINVAL, "reason",
                            "reason must be text of 1 to 512 characters");
    struct souk_stock_level s = {.variant_id = (char *)req->params[0],
                                 .warehouse_id = (char *)req->params[1],
                                 .on_hand = json_integer_value(on_hand)};
    rc = souk_catalog_stock_set(req->db, req->pool, &s, json_string_value(reason), expected,
                                &req->err);
    return rc == SOUK_OK ? reply_stock(req, 200) : rc;
}

int souk_api_stock_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_stock_delete(req->db, req->params[0], req->params[1], expected,
                                       &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200,
                   json_pack("{s:s, s:s, s:b}", "variant_id", req->params[0], "warehouse_id",
                             req->params[1], "deleted", 1));
    return SOUK_OK;
}

int souk_api_stock_list(struct souk_req *req)
{
    struct souk_stock_filter filter = {0};
    struct souk_stock_level *items = NULL;
    size_t count;
    bool has_more;
    int rc = souk_api__page(req, &filter.limit, &filter.after);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "variant_id", 64, &filter.variant_id);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "warehouse_id", 64, &filter.warehouse_id);
    if (rc == SOUK_OK)
        rc = souk_catalog_stock_list(req->db, req->pool, &filter, &items, &count, &has_more,
                                     &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_stock_encode(&items[i]));
    const char *cursor = count ? souk_pool_printf(req->pool, "%s/%s", items[count - 1].variant_id,
                                                  items[count - 1].warehouse_id)
                               : NULL;
    souk_req_reply_list(req, data, has_more, cursor);
    return SOUK_OK;
}

int souk_api_stock_movements(struct souk_req *req)
{
    struct souk_movement_filter filter = {0};
    struct souk_stock_movement *items = NULL;
    size_t count;
    bool has_more;
    int rc = souk_api__page(req, &filter.limit, &filter.after);
    const char *const names[] = {"variant_id", "warehouse_id", "order_id", "kind"};
    const char **fields[] = {&filter.variant_id, &filter.warehouse_id, &filter.order_id,
                             &filter.kind};
    for (size_t i = 0; i < 4 && rc == SOUK_OK; i++)
        rc = souk_api__query_text(req, names[i], 64, fields[i]);
    if (rc == SOUK_OK)
        rc = souk_catalog_stock_movements(req->db, req->pool, &filter, &items, &count, &has_more,
                                          &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_movement_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

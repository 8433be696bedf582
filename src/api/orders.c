/* orders: /v1/orders, the merchant's own order placement and the order book's reads. */
#include <string.h>

#include "api/api_int.h"
#include "core/time.h"
#include "orders/orders.h"

static void write_order(struct souk_jsonout *w, const void *order)
{
    souk_orders_write_json(w, NULL, order);
}

static int reply_order(struct souk_req *req, int status, const char *id)
{
    struct souk_order *o = NULL;
    int rc = souk_orders_get(req->db, req->pool, id, &o, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, o->version);
    souk_req_reply_later(req, status, write_order, o);
    return SOUK_OK;
}

/* A page of GET /v1/orders, as souk_req_reply_list shapes a list. */
struct order_page {
    const struct souk_order *items;
    size_t count;
    bool has_more;
};

static void write_page(struct souk_jsonout *w, const void *arg)
{
    const struct order_page *page = arg;
    souk_jsonout_object(w, NULL);
    souk_jsonout_array(w, "data");
    for (size_t i = 0; i < page->count; i++)
        souk_orders_write_json(w, NULL, &page->items[i]);
    souk_jsonout_close(w);
    souk_jsonout_bool(w, "has_more", page->has_more);
    souk_jsonout_string(w, "next_cursor",
                        page->has_more ? page->items[page->count - 1].id : NULL);
    souk_jsonout_close(w);
}

/* Before the writer: the order decoded, checked and priced, or refused (400, 409, 422). */
int souk_api_orders_prepare(struct souk_req *req)
{
    struct souk_order *o = souk_pool_alloc(req->pool, sizeof *o);
    int rc = souk_orders_decode(req->pool, req->body, o, &req->err);
    if (rc == SOUK_OK)
        rc = souk_orders_prepare(req->db, req->pool, o, &req->err);
    req->prepared = o;
    return rc;
}

/* Places the prepared order: stock reserved, or 409 out_of_stock. */
int souk_api_orders_create(struct souk_req *req)
{
    struct souk_order *o = req->prepared;
    int rc = souk_orders_place(req->db, req->pool, o, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/orders/%s", o->id));
    /* Answered from the order as written, encoded after the commit: reading it back or
     * encoding it here would only cost the writer time. */
    souk_req_set_etag(req, o->version);
    souk_req_reply_later(req, 201, write_order, o);
    return SOUK_OK;
}

int souk_api_orders_get(struct souk_req *req)
{
    return reply_order(req, 200, req->params[0]);
}

/* An optional RFC 3339 query parameter as UTC microseconds (0 when absent). */
static int query_time(struct souk_req *req, const char *name, int64_t *out)
{
    const char *text = NULL;
    int rc = souk_api__query_text(req, name, 64, &text);
    if (rc != SOUK_OK || !text)
        return rc;
    if (souk_time_parse(souk_str_from(text), out) != SOUK_OK)
        return souk_err_set(&req->err, SOUK_EINVAL, name,
                            "%s must be an RFC 3339 time such as 2026-11-25T10:00:00Z", name);
    return SOUK_OK;
}

/* An optional true/false query parameter (false when absent). */
static int query_flag(struct souk_req *req, const char *name, bool *out)
{
    const char *text = NULL;
    int rc = souk_api__query_text(req, name, 8, &text);
    if (rc == SOUK_OK && text && strcmp(text, "true") != 0 && strcmp(text, "false") != 0)
        rc = souk_err_set(&req->err, SOUK_EINVAL, name, "%s is true or false", name);
    *out = text && strcmp(text, "true") == 0;
    return rc;
}

int souk_api_orders_list(struct souk_req *req)
{
    struct souk_order_filter filter = {0};
    struct souk_order *items = NULL;
    size_t count = 0;
    bool has_more = false;
    int rc = souk_api__page(req, &filter.limit, &filter.after);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "status", 16, &filter.status);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "channel", 32, &filter.channel);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "buyer_email", 320, &filter.buyer_email);
    if (rc == SOUK_OK)
        rc = query_time(req, "created_from", &filter.created_from);
    if (rc == SOUK_OK)
        rc = query_time(req, "created_to", &filter.created_to);
    if (rc == SOUK_OK)
        rc = query_flag(req, "stock_issue", &filter.stock_issue_only);
    if (rc == SOUK_OK)
        rc = query_flag(req, "backorder", &filter.backorder_only);
    if (rc == SOUK_OK)
        rc = souk_orders_list(req->db, req->pool, &filter, &items, &count, &has_more, &req->err);
    if (rc != SOUK_OK)
        return rc;
    struct order_page *page = souk_pool_alloc(req->pool, sizeof *page);
    *page = (struct order_page){items, count, has_more};
    souk_req_reply_later(req, 200, write_page, page);
    return SOUK_OK;
}

/* POST /v1/orders/{id}/{action} {"carrier", "tracking_number", "reason"}: one lifecycle step. */
int souk_api_orders_transition(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc != SOUK_OK)
        return rc;
    struct souk_order_change change = {0};
    const char *key;
    json_t *value;
    json_object_foreach(req->body, key, value)
    {
        const char **field = strcmp(key, "carrier") == 0           ? &change.carrier
                             : strcmp(key, "tracking_number") == 0 ? &change.tracking_number
                             : strcmp(key, "reason") == 0          ? &change.reason
                                                                   : NULL;
        if (!field)
            return souk_err_set(&req->err, SOUK_EINVAL, key,
                                "unknown field %.64s: an order step takes carrier, "
                                "tracking_number and reason",
                                key);
        if (!json_is_string(value))
            return souk_err_set(&req->err, SOUK_EINVAL, key, "%.64s must be a string", key);
        *field = json_string_value(value);
    }
    rc = souk_orders_transition(req->db, req->pool, req->params[0], req->params[1], &change,
                                expected, &req->err);
    return rc == SOUK_OK ? reply_order(req, 200, req->params[0]) : rc;
}

/* POST /v1/orders/{id}/refund {"amount", "reason"}: money back, all of it or part. */
int souk_api_orders_refund(struct souk_req *req)
{
    int64_t expected;
    struct souk_order_refund r;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_orders_decode_refund(req->pool, req->body, &r, &req->err);
    if (rc == SOUK_OK)
        rc = souk_orders_refund(req->db, req->pool, req->params[0], &r, expected, &req->err);
    return rc == SOUK_OK ? reply_order(req, 200, req->params[0]) : rc;
}

/* POST /v1/orders/{id}/return {"lines": [{"line" or "sku", "quantity"}], "reason"}: goods back. */
int souk_api_orders_return(struct souk_req *req)
{
    int64_t expected;
    struct souk_order_return r;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_orders_decode_return(req->pool, req->body, &r, &req->err);
    if (rc == SOUK_OK)
        rc = souk_orders_return(req->db, req->pool, req->params[0], &r, expected, &req->err);
    return rc == SOUK_OK ? reply_order(req, 200, req->params[0]) : rc;
}

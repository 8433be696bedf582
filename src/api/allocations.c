/*
 * allocations: /v1/channels/{id}/allocations, stock held for one channel or one live-shopping
 * session on it, and the end of a live session (its unsold units go back to the pool).
 */
#include <string.h>

#include "api/api_int.h"
#include "channels/channels.h"
#include "inventory/inventory.h"

/* The allocation id in the path, checked to belong to the channel in the path. */
static int load(struct souk_req *req, struct souk_allocation **a)
{
    int rc = souk_inventory_allocation_get(req->db, req->pool, req->params[1], a, &req->err);
    if (rc == SOUK_OK && strcmp((*a)->channel_id, req->params[0]) != 0)
        rc = souk_err_set(&req->err, SOUK_ENOTFOUND, NULL, "channel %.64s has no allocation %.64s",
                          req->params[0], req->params[1]);
    return rc;
}

int souk_api_allocations_create(struct souk_req *req)
{
    struct souk_allocation *a = souk_pool_alloc(req->pool, sizeof *a);
    int rc = souk_inventory_allocation_decode(req->pool, req->body, a, &req->err);
    a->channel_id = (char *)req->params[0];
    if (rc == SOUK_OK)
        rc = souk_inventory_allocate(req->db, req->pool, a, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/channels/%s/allocations/%s",
                                                a->channel_id, a->id));
    souk_req_reply(req, 201, souk_inventory_allocation_encode(a));
    return SOUK_OK;
}

int souk_api_allocations_list(struct souk_req *req)
{
    struct souk_channel *c;
    struct souk_allocation_filter filter = {.channel_id = req->params[0]};
    int rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_api__page(req, &filter.limit, &filter.after);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "state", 8, &filter.state);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "live_session", 128, &filter.live_session);
    struct souk_allocation *items = NULL;
    size_t count = 0;
    bool has_more = false;
    if (rc == SOUK_OK)
        rc = souk_inventory_allocation_list(req->db, req->pool, &filter, &items, &count,
                                            &has_more, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_inventory_allocation_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

int souk_api_allocations_get(struct souk_req *req)
{
    struct souk_allocation *a;
    int rc = load(req, &a);
    if (rc == SOUK_OK)
        souk_req_reply(req, 200, souk_inventory_allocation_encode(a));
    return rc;
}

/* POST .../allocations/{id}/end: the unsold units go back to the shared pool. */
int souk_api_allocations_end(struct souk_req *req)
{
    struct souk_allocation *a;
    int rc = load(req, &a);
    if (rc == SOUK_OK)
        rc = souk_inventory_allocation_end(req->db, a->id, &req->err);
    if (rc == SOUK_OK)
        rc = souk_inventory_allocation_get(req->db, req->pool, a->id, &a, &req->err);
    if (rc == SOUK_OK)
        souk_req_reply(req, 200, souk_inventory_allocation_encode(a));
    return rc;
}

/* POST /v1/channels/{id}/live_sessions/{name}/end: ends every allocation of the session. */
int souk_api_live_sessions_end(struct souk_req *req)
{
    struct souk_channel *c;
    int64_t ended = 0;
    int rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_inventory_end_session(req->db, req->params[0], req->params[1], &ended,
                                        &req->err);
    if (rc == SOUK_OK)
        souk_req_reply(req, 200,
                       json_pack("{s:s, s:s, s:I}", "channel_id", req->params[0], "live_session",
                                 req->params[1], "ended", (json_int_t)ended));
    return rc;
}

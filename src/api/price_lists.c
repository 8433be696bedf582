/* price_lists: /v1/price_lists, fixed prices a channel sells at instead of the catalog's. */
#include <string.h>

#include "api/api_int.h"
#include "channels/channels.h"
#include "core/time.h"

static json_t *encode_list(const struct souk_price_list *pl)
{
    char created[SOUK_TIME_RFC3339_MAX], updated[SOUK_TIME_RFC3339_MAX];
    souk_time_format(pl->created_at, created);
    souk_time_format(pl->updated_at, updated);
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "id", pl->id, "name", pl->name,
                     "currency", pl->currency, "prices", (json_int_t)pl->prices, "version",
                     (json_int_t)pl->version, "created_at", created, "updated_at", updated);
}

static int reply_list(struct souk_req *req, int status, const char *id)
{
    struct souk_price_list *pl;
    int rc = souk_channels_price_list_get(req->db, req->pool, id, &pl, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, pl->version);
    souk_req_reply(req, status, encode_list(pl));
    return SOUK_OK;
}

/* POST /v1/price_lists {"name": "TikTok JP", "currency": "JPY"} */
int souk_api_price_lists_create(struct souk_req *req)
{
    struct souk_price_list pl = {0};
    const char *key;
    json_t *value;
    json_object_foreach(req->body, key, value)
    {
        if (strcmp(key, "name") == 0 && json_is_string(value))
            pl.name = souk_pool_strdup(req->pool, json_string_value(value));
        else if (strcmp(key, "currency") == 0 && json_is_string(value) &&
                 json_string_length(value) == 3)
            memcpy(pl.currency, json_string_value(value), 4);
        else
            return souk_err_set(&req->err, SOUK_EINVAL, key,
                                "a price list takes name and currency (strings), not %.64s", key);
    }
    int rc = souk_channels_price_list_create(req->db, req->pool, &pl, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/price_lists/%s", pl.id));
    return reply_list(req, 201, pl.id);
}

int souk_api_price_lists_get(struct souk_req *req)
{
    return reply_list(req, 200, req->params[0]);
}

int souk_api_price_lists_list(struct souk_req *req)
{
    struct souk_price_list *lists;
    size_t count;
    int rc = souk_channels_price_list_all(req->db, req->pool, &lists, &count, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, encode_list(&lists[i]));
    souk_req_reply_list(req, data, false, NULL);
    return SOUK_OK;
}

int souk_api_price_lists_delete(struct souk_req *req)
{
    int rc = souk_channels_price_list_delete(req->db, req->params[0], &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

static json_t *encode_price(const struct souk_price_list_price *p)
{
    char updated[SOUK_TIME_RFC3339_MAX];
    souk_time_format(p->updated_at, updated);
    return json_pack("{s:s, s:I, s:s}", "variant_id", p->variant_id, "amount",
                     (json_int_t)p->amount, "updated_at", updated);
}

int souk_api_price_lists_prices(struct souk_req *req)
{
    int limit;
    const char *after;
    struct souk_price_list_price *items;
    size_t count = 0;
    bool has_more = false;
    int rc = souk_api__page(req, &limit, &after);
    if (rc == SOUK_OK)
        rc = souk_channels_price_page(req->db, req->pool, req->params[0], after, limit, &items,
                                      &count, &has_more, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, encode_price(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].variant_id : NULL);
    return SOUK_OK;
}

/* PUT /v1/price_lists/{id}/prices/{variant_id} {"amount": 1290}: minor units of the list's. */
int souk_api_price_lists_price_put(struct souk_req *req)
{
    json_t *amount = json_object_get(req->body, "amount");
    if (json_object_size(req->body) != 1 || !json_is_integer(amount))
        return souk_err_set(&req->err, SOUK_EINVAL, "amount",
                            "send {\"amount\": 1290}: the price in minor units of the list's "
                            "currency");
    struct souk_price_list_price price = {.variant_id = (char *)req->params[1],
                                          .amount = json_integer_value(amount)};
    int rc = souk_channels_price_set(req->db, req->params[0], &price, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, encode_price(&price));
    return SOUK_OK;
}

int souk_api_price_lists_price_delete(struct souk_req *req)
{
    int rc = souk_channels_price_delete(req->db, req->params[0], req->params[1], &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "variant_id", req->params[1], "deleted", 1));
    return SOUK_OK;
}

/* codec: the JSON of allocations. */
#include <string.h>

#include "core/time.h"
#include "inventory/inventory.h"

int souk_inventory_allocation_decode(struct souk_pool *pool, json_t *in,
                                     struct souk_allocation *a, struct souk_err *err)
{
    memset(a, 0, sizeof *a);
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, NULL, "the body must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        char **text = strcmp(key, "sku") == 0            ? &a->sku
                      : strcmp(key, "variant_id") == 0   ? &a->variant_id
                      : strcmp(key, "live_session") == 0 ? &a->live_session
                                                         : NULL;
        if (text && (json_is_string(value) || json_is_null(value))) {
            *text = json_is_null(value) ? NULL : souk_pool_strdup(pool, json_string_value(value));
        } else if (text) {
            return souk_err_set(err, SOUK_EINVAL, key, "%s must be a string", key);
        } else if (strcmp(key, "quantity") == 0) {
            if (!json_is_integer(value))
                return souk_err_set(err, SOUK_EINVAL, key, "quantity must be a whole number");
            a->quantity = json_integer_value(value);
        } else {
            return souk_err_set(err, SOUK_EINVAL, key,
                                "unknown field %.64s: an allocation takes sku (or variant_id), "
                                "quantity and live_session",
                                key);
        }
    }
    if (a->quantity == 0 && !json_object_get(in, "quantity"))
        return souk_err_set(err, SOUK_EINVAL, "quantity", "quantity is required");
    return SOUK_OK;
}

json_t *souk_inventory_allocation_encode(const struct souk_allocation *a)
{
    char created[SOUK_TIME_RFC3339_MAX], ended[SOUK_TIME_RFC3339_MAX];
    souk_time_format(a->created_at, created);
    if (a->ended_at)
        souk_time_format(a->ended_at, ended);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:s, s:s?}", "id", a->id,
                     "channel_id", a->channel_id, "variant_id", a->variant_id, "sku", a->sku,
                     "warehouse_id", a->warehouse_id, "live_session", a->live_session, "state",
                     a->state, "quantity", (json_int_t)a->quantity, "sold", (json_int_t)a->sold,
                     "left",
                     (json_int_t)(strcmp(a->state, "active") == 0 ? a->quantity - a->sold : 0),
                     "created_at", created, "ended_at", a->ended_at ? ended : NULL);
}

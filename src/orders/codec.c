/* codec: the JSON of orders (the direct placement body in, the order out). */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/time.h"
#include "orders/orders.h"

static int text_field(struct souk_pool *pool, json_t *value, const char *param, char **out,
                      struct souk_err *err)
{
    if (json_is_null(value))
        return SOUK_OK;
    if (!json_is_string(value) || strlen(json_string_value(value)) != json_string_length(value))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be a string", param);
    *out = souk_pool_strdup(pool, json_string_value(value));
    return SOUK_OK;
}

/* An object of text fields: {"name": ..., "email": ...}; names[i] goes to outs[i]. */
static int text_object(struct souk_pool *pool, json_t *in, const char *param,
                       const char *const names[], char **outs[], struct souk_err *err)
{
    char field[64];
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be an object", param);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        snprintf(field, sizeof field, "%s.%.32s", param, key);
        size_t i = 0;
        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        int rc = names[i] ? text_field(pool, value, field, outs[i], err)
                          : souk_err_set(err, SOUK_EINVAL, field, "unknown field %s", field);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int decode_line(struct souk_pool *pool, json_t *in, struct souk_order_line *l, size_t index,
                       struct souk_err *err)
{
    char param[64];
    snprintf(param, sizeof param, "lines[%zu]", index);
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be an object", param);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        snprintf(param, sizeof param, "lines[%zu].%.32s", index, key);
        int rc = SOUK_OK;
        if (strcmp(key, "sku") == 0)
            rc = text_field(pool, value, param, &l->sku, err);
        else if (strcmp(key, "quantity") != 0)
            rc = souk_err_set(err, SOUK_EINVAL, param, "unknown field %s", param);
        else if (!json_is_integer(value))
            rc = souk_err_set(err, SOUK_EINVAL, param, "%s must be an integer", param);
        else
            l->quantity = json_integer_value(value);
        if (rc != SOUK_OK)
            return rc;
    }
    if (!l->sku || l->quantity == 0) {
        snprintf(param, sizeof param, "lines[%zu].%s", index, l->sku ? "quantity" : "sku");
        return souk_err_set(err, SOUK_EINVAL, param, "%s is required", param);
    }
    return SOUK_OK;
}

/* The size of "lines" (an order's or a return's), which must be an array of 1 to 100. */
static int count_lines(json_t *in, size_t *n, struct souk_err *err)
{
    *n = json_is_array(in) ? json_array_size(in) : 0;
    if (*n == 0 || *n > SOUK_ORDERS_MAX_LINES)
        return souk_err_set(err, SOUK_EINVAL, "lines", "lines must be an array of 1 to %d lines",
                            SOUK_ORDERS_MAX_LINES);
    return SOUK_OK;
}

static int decode_lines(struct souk_pool *pool, json_t *in, struct souk_order *o,
                        struct souk_err *err)
{
    int rc = count_lines(in, &o->nlines, err);
    if (rc != SOUK_OK)
        return rc;
    o->lines = souk_pool_alloc(pool, o->nlines * sizeof *o->lines);
    for (size_t i = 0; rc == SOUK_OK && i < o->nlines; i++)
        rc = decode_line(pool, json_array_get(in, i), &o->lines[i], i, err);
    return rc;
}

/* Decodes one member of a body object into out (what it is depends on the body). */
typedef int (*field_decoder)(struct souk_pool *pool, const char *key, json_t *value, void *out,
                             struct souk_err *err);

/* Runs decode on every member of the body in, which must be an object. */
static int decode_body(struct souk_pool *pool, json_t *in, field_decoder decode, void *out,
                       struct souk_err *err)
{
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, NULL, "the body must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        int rc = decode(pool, key, value, out, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int decode_field(struct souk_pool *pool, const char *key, json_t *value, void *out,
                        struct souk_err *err)
{
    struct souk_order *o = out;
    static const char *const buyer[] = {"name", "email", "phone", NULL};
    static const char *const address[] = {"country", "text",   "name",        "line1",
                                           "line2",   "city",   "region",      "postal_code",
                                           NULL};
    if (strcmp(key, "currency") == 0) {
        if (!json_is_string(value) || json_string_length(value) != 3)
            return souk_err_set(err, SOUK_EINVAL, "currency",
                                "currency must be a three-letter ISO 4217 code such as EUR");
        memcpy(o->currency, json_string_value(value), 4);
        return SOUK_OK;
    }
    if (strcmp(key, "lines") == 0)
        return decode_lines(pool, value, o, err);
    if (strcmp(key, "shipping") == 0) {
        if (!json_is_integer(value))
            return souk_err_set(err, SOUK_EINVAL, "shipping",
                                "shipping must be an integer amount in minor units");
        o->shipping = json_integer_value(value);
        return SOUK_OK;
    }
    if (strcmp(key, "external_id") == 0)
        return text_field(pool, value, "external_id", &o->external_id, err);
    if (strcmp(key, "buyer") == 0)
        return text_object(pool, value, "buyer", buyer,
                           (char **[]){&o->buyer_name, &o->buyer_email, &o->buyer_phone}, err);
    if (strcmp(key, "shipping_address") == 0)
        return text_object(pool, value, "shipping_address", address,
                           (char **[]){&o->ship_country, &o->ship_address, &o->ship_name,
                                       &o->ship_line1, &o->ship_line2, &o->ship_city,
                                       &o->ship_region, &o->ship_postal_code},
                           err);
    if (strcmp(key, "payment_method") == 0)
        return text_field(pool, value, "payment_method", &o->payment_method, err);
    return souk_err_set(err, SOUK_EINVAL, key, "unknown field %.64s", key);
}

int souk_orders_decode(struct souk_pool *pool, json_t *in, struct souk_order *o,
                       struct souk_err *err)
{
    memset(o, 0, sizeof *o);
    int rc = decode_body(pool, in, decode_field, o, err);
    if (rc != SOUK_OK)
        return rc;
    if (!o->currency[0])
        return souk_err_set(err, SOUK_EINVAL, "currency", "currency is required");
    if (!o->nlines)
        return souk_err_set(err, SOUK_EINVAL, "lines", "lines is required");
    return SOUK_OK;
}

/* An integer field; param names it in the error. */
static int int_field(json_t *value, const char *param, int64_t *out, struct souk_err *err)
{
    if (!json_is_integer(value))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be an integer", param);
    *out = json_integer_value(value);
    return SOUK_OK;
}

static int decode_refund_field(struct souk_pool *pool, const char *key, json_t *value, void *out,
                               struct souk_err *err)
{
    struct souk_order_refund *r = out;
    if (strcmp(key, "amount") == 0)
        return int_field(value, "amount", &r->amount, err);
    if (strcmp(key, "reason") == 0)
        return text_field(pool, value, "reason", &r->reason, err);
    return souk_err_set(err, SOUK_EINVAL, key,
                        "unknown field %.64s: a refund takes amount and reason", key);
}

int souk_orders_decode_refund(struct souk_pool *pool, json_t *in, struct souk_order_refund *r,
                              struct souk_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = decode_body(pool, in, decode_refund_field, r, err);
    if (rc == SOUK_OK && !json_object_get(in, "amount"))
        rc = souk_err_set(err, SOUK_EINVAL, "amount",
                          "amount (in minor units of the order's currency) is required");
    return rc;
}

static int decode_return_line(struct souk_pool *pool, json_t *in, struct souk_order_return_line *l,
                              size_t index, struct souk_err *err)
{
    char param[64];
    snprintf(param, sizeof param, "lines[%zu]", index);
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be an object", param);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        snprintf(param, sizeof param, "lines[%zu].%.32s", index, key);
        int rc = strcmp(key, "line") == 0       ? int_field(value, param, &l->line_no, err)
                 : strcmp(key, "quantity") == 0 ? int_field(value, param, &l->quantity, err)
                 : strcmp(key, "sku") == 0
                     ? text_field(pool, value, param, &l->sku, err)
                     : souk_err_set(err, SOUK_EINVAL, param, "unknown field %s", param);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int decode_return_field(struct souk_pool *pool, const char *key, json_t *value, void *out,
                               struct souk_err *err)
{
    struct souk_order_return *r = out;
    if (strcmp(key, "reason") == 0)
        return text_field(pool, value, "reason", &r->reason, err);
    if (strcmp(key, "lines") != 0)
        return souk_err_set(err, SOUK_EINVAL, key,
                            "unknown field %.64s: a return takes lines and reason", key);
    int rc = count_lines(value, &r->nlines, err);
    if (rc != SOUK_OK)
        return rc;
    r->lines = souk_pool_alloc(pool, r->nlines * sizeof *r->lines);
    for (size_t i = 0; rc == SOUK_OK && i < r->nlines; i++)
        rc = decode_return_line(pool, json_array_get(value, i), &r->lines[i], i, err);
    return rc;
}

int souk_orders_decode_return(struct souk_pool *pool, json_t *in, struct souk_order_return *r,
                              struct souk_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = decode_body(pool, in, decode_return_field, r, err);
    if (rc == SOUK_OK && !r->nlines)
        rc = souk_err_set(err, SOUK_EINVAL, "lines", "lines is required");
    return rc;
}

void souk_orders_write_json(struct souk_jsonout *w, const char *key, const struct souk_order *o)
{
    char created[SOUK_TIME_RFC3339_MAX], updated[SOUK_TIME_RFC3339_MAX];
    souk_time_format(o->created_at, created);
    souk_time_format(o->updated_at, updated);
    souk_jsonout_object(w, key);
    souk_jsonout_string(w, "id", o->id);
    souk_jsonout_string(w, "channel", o->channel);
    souk_jsonout_string(w, "external_id", o->external_id);
    souk_jsonout_string(w, "status", o->status);
    souk_jsonout_string(w, "currency", o->currency);
    souk_jsonout_int(w, "subtotal", o->subtotal);
    souk_jsonout_int(w, "shipping", o->shipping);
    souk_jsonout_int(w, "discount", o->discount);
    souk_jsonout_int(w, "tax", o->tax);
    souk_jsonout_int(w, "total", o->total);
    souk_jsonout_object(w, "buyer");
    souk_jsonout_string(w, "name", o->buyer_name);
    souk_jsonout_string(w, "email", o->buyer_email);
    souk_jsonout_string(w, "phone", o->buyer_phone);
    souk_jsonout_close(w);
    souk_jsonout_array(w, "lines");
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_order_line *l = &o->lines[i];
        souk_jsonout_object(w, NULL);
        souk_jsonout_int(w, "line_no", l->line_no);
        souk_jsonout_string(w, "sku", l->sku);
        souk_jsonout_string(w, "variant_id", l->variant_id);
        souk_jsonout_string(w, "title", l->title);
        souk_jsonout_int(w, "quantity", l->quantity);
        souk_jsonout_int(w, "unit_price", l->unit_price);
        souk_jsonout_string(w, "warehouse_id", l->warehouse_id);
        souk_jsonout_string(w, "issue", l->issue);
        souk_jsonout_int(w, "returned", l->returned);
        souk_jsonout_close(w);
    }
    souk_jsonout_close(w);
    souk_jsonout_int(w, "version", o->version);
    souk_jsonout_string(w, "created_at", created);
    souk_jsonout_string(w, "updated_at", updated);
    souk_jsonout_object(w, "shipping_address");
    souk_jsonout_string(w, "name", o->ship_name);
    souk_jsonout_string(w, "line1", o->ship_line1);
    souk_jsonout_string(w, "line2", o->ship_line2);
    souk_jsonout_string(w, "city", o->ship_city);
    souk_jsonout_string(w, "region", o->ship_region);
    souk_jsonout_string(w, "postal_code", o->ship_postal_code);
    souk_jsonout_string(w, "country", o->ship_country);
    souk_jsonout_string(w, "text", o->ship_address);
    souk_jsonout_close(w);
    souk_jsonout_string(w, "payment_method", o->payment_method);
    souk_jsonout_object(w, "source");
    souk_jsonout_string(w, "campaign", o->campaign);
    souk_jsonout_string(w, "creator", o->creator);
    souk_jsonout_string(w, "live_stream", o->live_stream);
    souk_jsonout_close(w);
    if (o->platform_status) {
        char at[SOUK_TIME_RFC3339_MAX];
        souk_time_format(o->platform_updated_at, at);
        souk_jsonout_object(w, "platform");
        souk_jsonout_string(w, "status", o->platform_status);
        souk_jsonout_string(w, "updated_at", at);
        souk_jsonout_close(w);
    } else {
        souk_jsonout_null(w, "platform");
    }
    souk_jsonout_string(w, "stock_issue", o->stock_issue);
    souk_jsonout_object(w, "fulfilment");
    souk_jsonout_string(w, "carrier", o->carrier);
    souk_jsonout_string(w, "tracking_number", o->tracking_number);
    souk_jsonout_close(w);
    souk_jsonout_string(w, "cancel_reason", o->cancel_reason);
    souk_jsonout_int(w, "refunded", o->refunded);
    souk_jsonout_array(w, "refunds");
    for (size_t i = 0; i < o->nrefunds; i++) {
        const struct souk_order_refund *r = &o->refunds[i];
        char at[SOUK_TIME_RFC3339_MAX];
        souk_time_format(r->created_at, at);
        souk_jsonout_object(w, NULL);
        souk_jsonout_string(w, "id", r->id);
        souk_jsonout_int(w, "amount", r->amount);
        souk_jsonout_string(w, "reason", r->reason);
        souk_jsonout_string(w, "created_at", at);
        souk_jsonout_close(w);
    }
    souk_jsonout_close(w);
    souk_jsonout_close(w);
}

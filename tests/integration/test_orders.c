/* Integration tests of direct orders: pricing, reservations, out of stock, no oversell, the
 * lifecycle, refunds and returns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/time.h"
#include "harness.h"

static const char *const no_headers[] = {NULL};

/* POSTs body with the admin key, asserts want and returns the parsed answer (decref it). */
static json_t *post(struct souk_h_server *s, const char *path, const char *body, long want)
{
    struct souk_h_resp r;
    souk_h_request(s, "POST", path, s->key, body, no_headers, &r);
    if (r.status != want)
        fail_msg("POST %s: %ld, want %ld: %s", path, r.status, want, r.body.data);
    json_t *j = json_incref(r.json);
    souk_h_resp_release(&r);
    return j;
}

static json_t *get(struct souk_h_server *s, const char *path)
{
    struct souk_h_resp r;
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body.data);
    json_t *j = json_incref(r.json);
    souk_h_resp_release(&r);
    return j;
}

/* Two warehouses and a mug: 5 in Berlin, 3 in Newark, 12.50 EUR (9.90 on sale now). */
static void seed(struct souk_h_server *s, char variant_id[64])
{
    json_decref(post(s, "/v1/warehouses",
                     "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}", 201));
    json_decref(post(s, "/v1/warehouses",
                     "{\"code\": \"newark\", \"name\": \"Newark\", \"country\": \"US\"}", 201));
    json_t *p = post(s, "/v1/products",
                     "{\"title\": \"Mug\", \"options\": [\"Color\"], \"variants\": [{\"sku\": "
                     "\"MUG-BLUE\", \"option_values\": [\"Blue\"], \"prices\": [{\"currency\": "
                     "\"EUR\", \"amount\": 1250, \"sale\": {\"amount\": 990, \"starts_at\": "
                     "\"2020-01-01T00:00:00Z\"}}], \"stock\": [{\"warehouse_code\": \"berlin\", "
                     "\"on_hand\": 5}, {\"warehouse_code\": \"newark\", \"on_hand\": 3}]}]}",
                     201);
    json_t *v = json_array_get(json_object_get(p, "variants"), 0);
    snprintf(variant_id, 64, "%s", souk_h_str(v, "id"));
    json_decref(p);
}

static int64_t stock_field(struct souk_h_server *s, const char *variant_id, const char *code,
                           const char *field)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/stock?variant_id=%s", variant_id);
    json_t *list = get(s, path);
    int64_t value = -1;
    size_t i;
    json_t *level;
    json_array_foreach(json_object_get(list, "data"), i, level)
    {
        if (strcmp(souk_h_str(level, "warehouse_code"), code) == 0)
            value = json_integer_value(json_object_get(level, field));
    }
    json_decref(list);
    return value;
}

static int64_t reserved_in(struct souk_h_server *s, const char *variant_id, const char *code)
{
    return stock_field(s, variant_id, code, "reserved");
}

static void an_order_is_priced_reserved_and_readable(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], path[128];
    seed(s, variant);
    json_t *o = post(s, "/v1/orders",
                     "{\"currency\": \"EUR\", \"external_id\": \"web-1\", \"lines\": [{\"sku\": "
                     "\"MUG-BLUE\", \"quantity\": 2}], \"shipping\": 490, \"buyer\": {\"name\": "
                     "\"Ana\", \"email\": \"ana@example.com\"}, \"shipping_address\": "
                     "{\"country\": \"US\", \"text\": \"1 Main St\"}}",
                     201);
    assert_string_equal(souk_h_str(o, "status"), "pending");
    assert_string_equal(souk_h_str(o, "channel"), "direct");
    assert_int_equal(json_integer_value(json_object_get(o, "subtotal")), 1980); /* sale price */
    assert_int_equal(json_integer_value(json_object_get(o, "total")), 2470);
    json_t *line = json_array_get(json_object_get(o, "lines"), 0);
    assert_string_equal(souk_h_str(line, "title"), "Mug - Blue");
    snprintf(path, sizeof path, "/v1/orders/%s", souk_h_str(o, "id"));
    json_decref(o);
    assert_int_equal(reserved_in(s, variant, "newark"), 2); /* ships to the US: from Newark */
    assert_int_equal(reserved_in(s, variant, "berlin"), 0);

    o = get(s, path);
    assert_string_equal(souk_h_str(json_object_get(o, "buyer"), "email"), "ana@example.com");
    json_decref(o);
    o = get(s, "/v1/orders?channel=direct");
    assert_int_equal(json_array_size(json_object_get(o, "data")), 1);
    json_decref(o);

    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/orders", s->key,
                   "{\"currency\": \"EUR\", \"external_id\": \"web-1\", \"lines\": [{\"sku\": "
                   "\"MUG-BLUE\", \"quantity\": 1}]}",
                   no_headers, &r);
    souk_h_assert_error(&r, 409, "conflict", "external_id");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/variants/%s", variant);
    souk_h_request(s, "DELETE", path, s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 409, "conflict", NULL); /* its units are reserved */
    souk_h_resp_release(&r);
}

static void refusals_name_the_line_and_reserve_nothing(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64];
    seed(s, variant);
    struct {
        const char *body;
        long status;
        const char *type, *param, *message_part;
    } cases[] = {
        /* 3 + 3 of one SKU: each line alone fits a warehouse, their sum does not */
        {"{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 3}, "
         "{\"sku\": \"MUG-BLUE\", \"quantity\": 3}]}",
         409, "out_of_stock", "lines[0].quantity", "8 available"},
        {"{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 9}]}", 409,
         "out_of_stock", "lines[0].quantity", "MUG-BLUE"},
        {"{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-RED\", \"quantity\": 1}]}", 422,
         "unprocessable", "lines[0].sku", "MUG-RED"},
        {"{\"currency\": \"USD\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 1}]}", 422,
         "unprocessable", "lines[0].sku", "no price in USD"},
        {"{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 0}]}", 400,
         "invalid_request", "lines[0].quantity", NULL},
        {"{\"currency\": \"EURO\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 1}]}", 400,
         "invalid_request", "currency", NULL},
        {"{\"currency\": \"EUR\", \"lines\": []}", 400, "invalid_request", "lines", NULL},
        {"{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 1}], "
         "\"coupon\": \"X\"}",
         400, "invalid_request", "coupon", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_h_resp r;
        souk_h_request(s, "POST", "/v1/orders", s->key, cases[i].body, no_headers, &r);
        souk_h_assert_error(&r, cases[i].status, cases[i].type, cases[i].param);
        const char *message = souk_h_str(json_object_get(r.json, "error"), "message");
        if (cases[i].message_part && !strstr(message, cases[i].message_part))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, message, cases[i].message_part);
        souk_h_resp_release(&r);
    }
    assert_int_equal(reserved_in(s, variant, "berlin"), 0);
    assert_int_equal(reserved_in(s, variant, "newark"), 0);
    json_t *list = get(s, "/v1/orders");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 0);
    json_decref(list);

    char reader[160], reader_id[64];
    souk_h_mint(s, "catalog:read,catalog:write", reader, reader_id);
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/orders", reader, cases[1].body, no_headers, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);
}

/* An order retried with its Idempotency-Key after the stock ran out still gets its own 201
 * back: a stored answer wins over the stock check made before the writer. */
static void a_retried_order_replays_after_the_stock_ran_out(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64];
    seed(s, variant);
    const char *body = "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", "
                       "\"quantity\": 5}], \"shipping_address\": {\"country\": \"DE\"}}";
    const char *keyed[] = {"Idempotency-Key: buyer-1-cart-7", NULL};
    struct souk_h_resp first, again, other;
    souk_h_request(s, "POST", "/v1/orders", s->key, body, keyed, &first);
    assert_int_equal(first.status, 201);
    json_decref(post(s, "/v1/orders",
                     "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", "
                     "\"quantity\": 3}]}",
                     201)); /* the last 3 */
    souk_h_request(s, "POST", "/v1/orders", s->key, body, keyed, &again);
    assert_int_equal(again.status, 201);
    assert_string_equal(souk_h_str(again.json, "id"), souk_h_str(first.json, "id"));
    souk_h_request(s, "POST", "/v1/orders", s->key, body, no_headers, &other);
    souk_h_assert_error(&other, 409, "out_of_stock", "lines[0].quantity");
    assert_non_null(strstr(souk_h_str(json_object_get(other.json, "error"), "message"),
                           "SKU MUG-BLUE is out of stock: 5 ordered, 0 available"));
    souk_h_resp_release(&first);
    souk_h_resp_release(&again);
    souk_h_resp_release(&other);
    assert_int_equal(reserved_in(s, variant, "berlin") + reserved_in(s, variant, "newark"), 8);
}

/* POSTs an order step and returns the answer's status, leaving the body in *out if wanted. */
static long step(struct souk_h_server *s, const char *order, const char *action, const char *body,
                 const char *if_match, struct souk_h_resp *out)
{
    char path[160], header[64];
    snprintf(path, sizeof path, "/v1/orders/%s/%s", order, action);
    snprintf(header, sizeof header, "If-Match: \"%s\"", if_match ? if_match : "");
    const char *headers[] = {header, NULL};
    struct souk_h_resp r;
    souk_h_request(s, "POST", path, s->key, body, if_match ? headers : no_headers, &r);
    long status = r.status;
    if (out)
        *out = r;
    else
        souk_h_resp_release(&r);
    return status;
}

static void the_lifecycle_settles_stock_in_the_ledger(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], first[64], second[64];
    seed(s, variant);
    const char *order = "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", "
                        "\"quantity\": 2}], \"shipping_address\": {\"country\": \"DE\"}}";
    json_t *o = post(s, "/v1/orders", order, 201);
    snprintf(first, sizeof first, "%s", souk_h_str(o, "id"));
    json_decref(o);
    o = post(s, "/v1/orders", order, 201);
    snprintf(second, sizeof second, "%s", souk_h_str(o, "id"));
    json_decref(o);
    assert_int_equal(stock_field(s, variant, "berlin", "reserved"), 4);

    struct souk_h_resp r;
    assert_int_equal(step(s, first, "fulfil", "{}", NULL, &r), 409); /* still pending */
    souk_h_assert_error(&r, 409, "conflict", "status");
    assert_non_null(strstr(souk_h_str(json_object_get(r.json, "error"), "message"), "pending"));
    souk_h_resp_release(&r);
    assert_int_equal(step(s, first, "confirm", "{}", "7", NULL), 412);
    assert_int_equal(step(s, first, "confirm", "{}", "1", NULL), 200);
    assert_int_equal(step(s, first, "fulfil", "{\"carrier\": \"DHL\"}", NULL, &r), 400);
    souk_h_assert_error(&r, 400, "invalid_request", "tracking_number");
    souk_h_resp_release(&r);
    assert_int_equal(step(s, first, "fulfil",
                          "{\"carrier\": \"DHL\", \"tracking_number\": \"JD0142\"}", NULL, &r),
                     200);
    assert_string_equal(souk_h_str(r.json, "status"), "fulfilled");
    assert_string_equal(souk_h_str(json_object_get(r.json, "fulfilment"), "tracking_number"),
                        "JD0142");
    souk_h_resp_release(&r);
    /* Shipping consumed the units: 5 on hand became 3, and 2 are still held by the second. */
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 3);
    assert_int_equal(stock_field(s, variant, "berlin", "reserved"), 2);
    assert_int_equal(step(s, first, "cancel", "{}", NULL, NULL), 409);
    assert_int_equal(step(s, first, "deliver", "{}", NULL, NULL), 200);

    assert_int_equal(step(s, second, "cancel", "{\"reason\": \"buyer asked\"}", NULL, &r), 200);
    assert_string_equal(souk_h_str(r.json, "cancel_reason"), "buyer asked");
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "reserved"), 0);
    assert_int_equal(stock_field(s, variant, "berlin", "available"), 3);
    assert_int_equal(step(s, second, "confirm", "{}", NULL, NULL), 409);
    assert_int_equal(step(s, second, "teleport", "{}", NULL, NULL), 404);
}

/* Asserts a refused step: its status, error param and a part of its message. */
static void refused(struct souk_h_server *s, const char *order, const char *action,
                    const char *body, long status, const char *param, const char *message_part)
{
    struct souk_h_resp r;
    step(s, order, action, body, NULL, &r);
    souk_h_assert_error(&r, status,
                        status == 409   ? "conflict"
                        : status == 422 ? "unprocessable"
                                        : "invalid_request",
                        param);
    const char *message = souk_h_str(json_object_get(r.json, "error"), "message");
    if (message_part && !strstr(message, message_part))
        fail_msg("%s: \"%s\" lacks \"%s\"", action, message, message_part);
    souk_h_resp_release(&r);
}

/* Places 2 mugs for Germany (2 x 9.90 + 4.90 = 24.70 EUR, from Berlin) and returns the id. */
static void place_two(struct souk_h_server *s, char order[64])
{
    json_t *o =
        post(s, "/v1/orders",
             "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 2}], "
             "\"shipping\": 490, \"shipping_address\": {\"country\": \"DE\"}}",
             201);
    snprintf(order, 64, "%s", souk_h_str(o, "id"));
    json_decref(o);
}

static void refunds_add_up_to_the_total(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], order[64], path[128];
    seed(s, variant);
    place_two(s, order);
    snprintf(path, sizeof path, "/v1/orders/%s", order);
    refused(s, order, "refund", "{\"amount\": 100}", 409, "status", "pending");
    assert_int_equal(step(s, order, "confirm", "{}", NULL, NULL), 200);

    struct souk_h_resp r;
    assert_int_equal(step(s, order, "refund", "{\"amount\": 1000, \"reason\": \"late\"}", "2", &r),
                     200);
    assert_string_equal(souk_h_str(r.json, "status"), "confirmed"); /* partial: state kept */
    assert_int_equal(souk_h_int(r.json, "refunded"), 1000);
    assert_int_equal(souk_h_int(r.json, "refunds[0].amount"), 1000);
    assert_string_equal(souk_h_text(r.json, "refunds[0].reason"), "late");
    assert_non_null(strstr(souk_h_text(r.json, "refunds[0].id"), "ref_"));
    assert_int_equal(souk_h_int(r.json, "version"), 3);
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "reserved"), 2); /* money only */

    /* 1470 is left of 2470: 1471 is refused, says so and changes nothing. */
    refused(s, order, "refund", "{\"amount\": 1471}", 422, "amount", "1470");
    refused(s, order, "refund", "{\"amount\": 0}", 400, "amount", NULL);
    refused(s, order, "refund", "{\"amount\": \"10\"}", 400, "amount", NULL);
    refused(s, order, "refund", "{}", 400, "amount", NULL);
    refused(s, order, "refund", "{\"amount\": 5, \"note\": \"x\"}", 400, "note", NULL);
    assert_int_equal(step(s, order, "refund", "{\"amount\": 5}", "2", NULL), 412);
    json_t *o = get(s, path);
    assert_int_equal(souk_h_int(o, "refunded"), 1000);
    assert_int_equal(json_array_size(json_object_get(o, "refunds")), 1);
    assert_int_equal(souk_h_int(o, "version"), 3);
    json_decref(o);

    assert_int_equal(step(s, order, "refund", "{\"amount\": 1470}", NULL, &r), 200);
    assert_string_equal(souk_h_str(r.json, "status"), "refunded");
    assert_int_equal(souk_h_int(r.json, "refunded"), 2470);
    assert_int_equal(souk_h_int(r.json, "refunds[1].amount"), 1470);
    assert_true(json_is_null(souk_h_at(r.json, "refunds[1].reason")));
    souk_h_resp_release(&r);
    /* Refunded in full before it shipped, it never will: its units are back on sale. */
    assert_int_equal(stock_field(s, variant, "berlin", "reserved"), 0);
    refused(s, order, "refund", "{\"amount\": 1}", 409, "status", "refunded");
    /* It never shipped: there is nothing to take back. */
    refused(s, order, "return", "{\"lines\": [{\"line\": 1, \"quantity\": 1}]}", 409, "status",
            "refunded");
    refused(s, order, "fulfil", "{\"carrier\": \"DHL\", \"tracking_number\": \"1\"}", 409, "status",
            "refunded");
    o = get(s, "/v1/orders?status=refunded");
    assert_int_equal(json_array_size(json_object_get(o, "data")), 1);
    json_decref(o);
}

static void returns_go_back_on_hand_where_they_shipped_from(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], order[64], path[128];
    seed(s, variant);
    place_two(s, order);
    const char *one = "{\"lines\": [{\"line\": 1, \"quantity\": 1}], \"reason\": \"chipped\"}";
    refused(s, order, "return", one, 409, "status", "fulfilled or delivered");
    assert_int_equal(step(s, order, "confirm", "{}", NULL, NULL), 200);
    refused(s, order, "return", one, 409, "status", "confirmed");
    assert_int_equal(step(s, order, "fulfil",
                          "{\"carrier\": \"DHL\", \"tracking_number\": \"JD0142\"}", NULL, NULL),
                     200);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 3);
    snprintf(path, sizeof path, "/v1/variants/%s", variant);
    json_t *v = get(s, path);
    int64_t variant_version = souk_h_int(v, "version");
    json_decref(v);

    struct souk_h_resp r;
    assert_int_equal(step(s, order, "return", one, NULL, &r), 200);
    assert_string_equal(souk_h_str(r.json, "status"), "fulfilled"); /* 1 of 2 back */
    assert_int_equal(souk_h_int(r.json, "lines[0].returned"), 1);
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 4);
    assert_int_equal(stock_field(s, variant, "newark", "on_hand"), 3); /* not where it shipped */
    v = get(s, path); /* the variant moved on, so the channels are told */
    assert_true(souk_h_int(v, "version") > variant_version);
    json_decref(v);

    /* One is left to take back: two are refused, by number or by SKU, and nothing moves. */
    refused(s, order, "return", "{\"lines\": [{\"line\": 1, \"quantity\": 2}]}", 422,
            "lines[0].quantity", "1 more");
    refused(s, order, "return",
            "{\"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 1}, {\"line\": 1, \"quantity\": "
            "1}]}",
            422, "lines[1].quantity", "0 more");
    refused(s, order, "return", "{\"lines\": [{\"line\": 7, \"quantity\": 1}]}", 422,
            "lines[0].line", "no line 7");
    refused(s, order, "return", "{\"lines\": [{\"sku\": \"MUG-RED\", \"quantity\": 1}]}", 422,
            "lines[0].sku", "MUG-RED");
    refused(s, order, "return", "{\"lines\": [{\"line\": 1, \"quantity\": 0}]}", 400,
            "lines[0].quantity", NULL);
    refused(s, order, "return", "{\"lines\": []}", 400, "lines", NULL);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 4);

    assert_int_equal(step(s, order, "deliver", "{}", NULL, NULL), 200);
    assert_int_equal(step(s, order, "return",
                          "{\"lines\": [{\"sku\": \"MUG-BLUE\", \"quantity\": 1}]}", NULL, &r),
                     200);
    assert_string_equal(souk_h_str(r.json, "status"), "returned");
    assert_int_equal(souk_h_int(r.json, "lines[0].returned"), 2);
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 5);
    assert_int_equal(stock_field(s, variant, "berlin", "available"), 5);
    refused(s, order, "return", one, 409, "status", "returned");
    /* The money goes back after the goods: a returned order can be refunded. */
    assert_int_equal(step(s, order, "refund", "{\"amount\": 2470}", NULL, &r), 200);
    assert_string_equal(souk_h_str(r.json, "status"), "refunded");
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 5);
}

/* The money often goes back before the goods arrive: a shipped, refunded order still takes its
 * units back on hand, and stays refunded. */
static void a_refunded_shipment_still_comes_back(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], order[64];
    seed(s, variant);
    place_two(s, order);
    assert_int_equal(step(s, order, "confirm", "{}", NULL, NULL), 200);
    assert_int_equal(step(s, order, "fulfil",
                          "{\"carrier\": \"DHL\", \"tracking_number\": \"JD0143\"}", NULL, NULL),
                     200);
    assert_int_equal(step(s, order, "refund", "{\"amount\": 2470}", NULL, NULL), 200);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 3);
    struct souk_h_resp r;
    assert_int_equal(
        step(s, order, "return", "{\"lines\": [{\"line\": 1, \"quantity\": 2}]}", NULL, &r), 200);
    assert_string_equal(souk_h_str(r.json, "status"), "refunded");
    assert_int_equal(souk_h_int(r.json, "lines[0].returned"), 2);
    souk_h_resp_release(&r);
    assert_int_equal(stock_field(s, variant, "berlin", "on_hand"), 5);
    refused(s, order, "return", "{\"lines\": [{\"line\": 1, \"quantity\": 1}]}", 422,
            "lines[0].quantity", "0 more");
}

#define BUYERS 40
#define UNITS 25

struct buyer {
    struct souk_h_server *server;
    bool bundle; /* a gift with the drop, the gift's line first */
    long status;
    char type[32];
};

static void *buy_one(void *arg)
{
    struct buyer *b = arg;
    struct souk_h_resp r;
    souk_h_request(b->server, "POST", "/v1/orders", b->server->key,
                   b->bundle ? "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"GIFT-1\", "
                               "\"quantity\": 1}, {\"sku\": \"DROP-1\", \"quantity\": 1}]}"
                             : "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"DROP-1\", "
                               "\"quantity\": 1}]}",
                   no_headers, &r);
    b->status = r.status;
    snprintf(b->type, sizeof b->type, "%s", souk_h_str(json_object_get(r.json, "error"), "type"));
    souk_h_resp_release(&r);
    return NULL;
}

/*
 * Half the buyers also take a gift, on the line before the drop's: a bundle refused for the
 * drop reserves no gift either, though its gift line could be covered.
 */
static void concurrent_buyers_never_oversell(void **state)
{
    struct souk_h_server *s = *state;
    json_decref(post(s, "/v1/warehouses",
                     "{\"code\": \"live\", \"name\": \"Live\", \"country\": \"DE\"}", 201));
    char body[768];
    snprintf(body, sizeof body,
             "{\"title\": \"Drop\", \"options\": [\"Kind\"], \"variants\": [{\"sku\": "
             "\"DROP-1\", \"option_values\": [\"Drop\"], \"prices\": [{\"currency\": \"EUR\", "
             "\"amount\": 5000}], \"stock\": [{\"warehouse_code\": \"live\", \"on_hand\": %d}]}, "
             "{\"sku\": \"GIFT-1\", \"option_values\": [\"Gift\"], \"prices\": [{\"currency\": "
             "\"EUR\", \"amount\": 0}], \"stock\": [{\"warehouse_code\": \"live\", \"on_hand\": "
             "%d}]}]}",
             UNITS, BUYERS);
    json_t *p = post(s, "/v1/products", body, 201);
    char variant[64], gift[64];
    snprintf(variant, sizeof variant, "%s",
             souk_h_str(json_array_get(json_object_get(p, "variants"), 0), "id"));
    snprintf(gift, sizeof gift, "%s",
             souk_h_str(json_array_get(json_object_get(p, "variants"), 1), "id"));
    json_decref(p);

    struct buyer buyers[BUYERS];
    pthread_t threads[BUYERS];
    for (int i = 0; i < BUYERS; i++) {
        buyers[i] = (struct buyer){.server = s, .bundle = i % 2 == 1};
        assert_int_equal(pthread_create(&threads[i], NULL, buy_one, &buyers[i]), 0);
    }
    int sold = 0, refused = 0, gifts = 0;
    for (int i = 0; i < BUYERS; i++) {
        pthread_join(threads[i], NULL);
        gifts += buyers[i].status == 201 && buyers[i].bundle;
        if (buyers[i].status == 201)
            sold++;
        else if (buyers[i].status == 409 && strcmp(buyers[i].type, "out_of_stock") == 0)
            refused++;
        else
            fail_msg("buyer %d got %ld %s", i, buyers[i].status, buyers[i].type);
    }
    assert_int_equal(sold, UNITS);
    assert_int_equal(refused, BUYERS - UNITS);
    assert_int_equal(reserved_in(s, variant, "live"), UNITS);
    assert_int_equal(reserved_in(s, gift, "live"), gifts);
    json_t *list = get(s, "/v1/orders?limit=250");
    assert_int_equal(json_array_size(json_object_get(list, "data")), UNITS);
    json_decref(list);
}

/* The value of an unlabelled metric, from GET /metrics. */
static int64_t metric(struct souk_h_server *s, const char *name)
{
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/metrics", s->key, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "\n%s ", name);
    const char *at = strstr(r.body.data, prefix);
    if (!at)
        fail_msg("no metric %s", name);
    at += strlen(prefix);
    int64_t value = -1;
    assert_int_equal(
        souk_str_to_i64((struct souk_str){at, strcspn(at, "\n")}, 0, INT64_MAX, &value), SOUK_OK);
    souk_h_resp_release(&r);
    return value;
}

/*
 * With no channel to tell, the channel sync worker reads the orders' outbox rows and writes
 * nothing for them but its cursor, at most every 100 ms: not a transaction of its own beside
 * the intake writer's on every 10 ms poll.
 */
static void orders_with_no_channel_cost_the_sync_worker_no_writes(void **state)
{
    struct souk_h_server *s = *state;
    json_decref(post(s, "/v1/warehouses",
                     "{\"code\": \"main\", \"name\": \"Main\", \"country\": \"DE\"}", 201));
    json_decref(post(s, "/v1/products",
                     "{\"title\": \"Flow\", \"variants\": [{\"sku\": \"FLOW-1\", \"prices\": "
                     "[{\"currency\": \"EUR\", \"amount\": 100}], \"stock\": [{\"warehouse_code\": "
                     "\"main\", \"on_hand\": 1000000}]}]}",
                     201));
    souk_h_wait_metric(s, "souk_outbox_backlog 0");
    int64_t transactions = metric(s, "souk_db_write_transactions_total");
    int64_t batches = metric(s, "souk_http_write_batches_total");
    int64_t started = souk_time_monotonic_us();
    while (souk_time_monotonic_us() - started < 1000000)
        json_decref(post(s, "/v1/orders",
                         "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"FLOW-1\", "
                         "\"quantity\": 1}]}",
                         201));
    souk_h_wait_metric(s, "souk_outbox_backlog 0");
    int64_t elapsed_ms = (souk_time_monotonic_us() - started) / 1000;
    int64_t others = (metric(s, "souk_db_write_transactions_total") - transactions) -
                     (metric(s, "souk_http_write_batches_total") - batches);
    if (others > elapsed_ms / 50 + 2)
        fail_msg("%lld write transactions beside the intake writer's in %lld ms", (long long)others,
                 (long long)elapsed_ms);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL); /* once, before any thread uses curl */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_order_is_priced_reserved_and_readable, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(refusals_name_the_line_and_reserve_nothing, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_retried_order_replays_after_the_stock_ran_out,
                                        souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(the_lifecycle_settles_stock_in_the_ledger, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(refunds_add_up_to_the_total, souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_refunded_shipment_still_comes_back, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(returns_go_back_on_hand_where_they_shipped_from,
                                        souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(concurrent_buyers_never_oversell, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(orders_with_no_channel_cost_the_sync_worker_no_writes,
                                        souk_h_setup, souk_h_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

/* Integration tests: every kind of bad input gets its own clear error and changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct souk_h_server server;
static char variant_id[64], warehouse_id[64];

static const char *const no_headers[] = {NULL};

/* One server for the group: a warehouse and a product to conflict with. */
static int setup(void **state)
{
    souk_h_start(&server, NULL);
    struct souk_h_resp r;
    souk_h_request(&server, "POST", "/v1/warehouses", server.key,
                   "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}", no_headers,
                   &r);
    snprintf(warehouse_id, sizeof warehouse_id, "%s", souk_h_str(r.json, "id"));
    souk_h_resp_release(&r);
    souk_h_request(&server, "POST", "/v1/products", server.key,
                   "{\"title\": \"Mug\", \"variants\": [{\"sku\": \"MUG-1\", \"stock\": "
                   "[{\"warehouse_code\": \"berlin\", \"on_hand\": 3}]}]}",
                   no_headers, &r);
    json_t *v = json_array_get(json_object_get(r.json, "variants"), 0);
    snprintf(variant_id, sizeof variant_id, "%s", souk_h_str(v, "id"));
    souk_h_resp_release(&r);
    return 0;
}

static int teardown(void **state)
{
    souk_h_cleanup(&server);
    return 0;
}

struct bad_case {
    const char *name, *method, *path, *body, *content_type;
    long status;
    const char *type, *param, *message_part;
};

static void check_unchanged(const struct bad_case *c)
{
    struct souk_buf before, after;
    souk_h_export(&server, &before);
    const char *headers[] = {c->content_type, NULL};
    struct souk_h_resp r;
    souk_h_request(&server, c->method, c->path, server.key, c->body,
                   c->content_type ? headers : no_headers, &r);
    souk_h_assert_error(&r, c->status, c->type, c->param);
    if (c->message_part &&
        !strstr(souk_h_str(json_object_get(r.json, "error"), "message"), c->message_part))
        fail_msg("%s: message lacks \"%s\": %s", c->name, c->message_part, r.body.data);
    souk_h_resp_release(&r);
    souk_h_export(&server, &after);
    if (before.len != after.len || memcmp(before.data, after.data, before.len) != 0)
        fail_msg("%s changed the store", c->name);
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void each_bad_request_is_refused_and_changes_nothing(void **state)
{
    char stock_path[160];
    snprintf(stock_path, sizeof stock_path, "/v1/stock/%s/%s", variant_id, warehouse_id);
    const struct bad_case cases[] = {
        {"malformed JSON", "POST", "/v1/products", "{\"title\": \"A\",\n \"tags\": [}", NULL, 400,
         "invalid_request", NULL, "line 2"},
        {"not an object", "POST", "/v1/products", "[1, 2]", NULL, 400, "invalid_request", NULL,
         NULL},
        {"wrong content type", "POST", "/v1/products", "title=A",
         "Content-Type: application/x-www-form-urlencoded", 415, "unsupported_media_type", NULL,
         NULL},
        {"unknown field", "POST", "/v1/products", "{\"title\": \"A\", \"colour\": \"red\"}", NULL,
         400, "invalid_request", "colour", NULL},
        {"wrong type", "POST", "/v1/products",
         "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", \"prices\": [{\"currency\": "
         "\"EUR\", \"amount\": \"12.00\"}]}]}",
         NULL, 400, "invalid_request", "variants[0].prices[0].amount", "integer"},
        {"unknown currency", "POST", "/v1/products",
         "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", \"prices\": [{\"currency\": "
         "\"XYZ\", \"amount\": 100}]}]}",
         NULL, 400, "invalid_request", "variants[0].prices[0].currency", "ISO 4217"},
        {"unknown locale", "POST", "/v1/products",
         "{\"title\": \"A\", \"translations\": {\"xx-QQ\": {\"title\": \"B\"}}}", NULL, 400,
         "invalid_request", "translations.xx-QQ", "BCP 47"},
        {"negative stock on create", "POST", "/v1/products",
         "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", \"stock\": [{\"warehouse_code\": "
         "\"berlin\", \"on_hand\": -2}]}]}",
         NULL, 400, "invalid_request", "variants[0].stock[0].on_hand", "negative"},
        {"negative stock on PUT", "PUT", stock_path, "{\"on_hand\": -1}", NULL, 400,
         "invalid_request", "on_hand", "negative"},
        {"duplicate SKU", "POST", "/v1/products",
         "{\"title\": \"Cup\", \"variants\": [{\"sku\": \"MUG-1\"}]}", NULL, 409, "conflict",
         "variants[0].sku", "MUG-1"},
        {"bad GTIN checksum", "POST", "/v1/products",
         "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", \"gtin\": \"4006381333932\"}]}",
         NULL, 400, "invalid_request", "variants[0].gtin", "expected 1"},
        {"unknown warehouse", "POST", "/v1/products",
         "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", \"stock\": [{\"warehouse_code\": "
         "\"mars\", \"on_hand\": 1}]}]}",
         NULL, 422, "unprocessable", "variants[0].stock[0]", "mars"},
        {"third variant bad", "POST", "/v1/products",
         "{\"title\": \"Tee\", \"options\": [\"Size\"], \"variants\": [{\"sku\": \"T-S\", "
         "\"option_values\": [\"S\"]}, {\"sku\": \"T-M\", \"option_values\": [\"M\"]}, "
         "{\"sku\": \"T-L\", \"option_values\": [\"L\"], \"gtin\": \"123\"}]}",
         NULL, 400, "invalid_request", "variants[2].gtin", NULL},
        {"read-only field", "POST", "/v1/products", "{\"title\": \"A\", \"id\": \"prod_x\"}", NULL,
         400, "invalid_request", "id", "read-only"},
        {"variant without its product", "POST", "/v1/variants", "{\"sku\": \"Z-1\"}", NULL, 400,
         "invalid_request", "product_id", NULL},
        {"unknown product", "GET", "/v1/products/prod_nope", NULL, NULL, 404, "not_found", NULL,
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_unchanged(&cases[i]);
}

static void oversize_bodies_are_413(void **state)
{
    size_t size = 20 << 10; /* POST /v1/warehouses takes 16 KiB */
    char *body = calloc(1, size + 64);
    int n = snprintf(body, size + 64, "{\"code\": \"x\", \"name\": \"");
    memset(body + n, 'a', size);
    memcpy(body + n + size, "\", \"country\": \"DE\"}", 20);
    const struct bad_case c = {"oversize body",
                               "POST",
                               "/v1/warehouses",
                               body,
                               NULL,
                               413,
                               "payload_too_large",
                               NULL,
                               NULL};
    check_unchanged(&c);
    free(body);
}

static void a_valid_gtin_is_accepted(void **state)
{
    struct souk_h_resp r;
    souk_h_request(&server, "POST", "/v1/products", server.key,
                   "{\"title\": \"Pen\", \"variants\": [{\"sku\": \"PEN-1\", \"gtin\": "
                   "\"4006381333931\"}]}",
                   no_headers, &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_bad_request_is_refused_and_changes_nothing),
        cmocka_unit_test(oversize_bodies_are_413),
        cmocka_unit_test(a_valid_gtin_is_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

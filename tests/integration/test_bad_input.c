/* Integration tests: every kind of bad input gets its own clear error and changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "harness.h"

static struct souk_h_server server;
static char variant_id[SOUK_H_ID_MAX], warehouse_id[SOUK_H_ID_MAX], product_path[256];

/* One server for the group: a warehouse and a product to conflict with. */
static int setup(void **state)
{
    souk_h_start(&server, NULL);
    souk_h_create(&server, "/v1/warehouses",
                  "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}",
                  warehouse_id);
    struct souk_h_resp r;
    souk_h_request(&server, "POST", "/v1/products", server.key,
                   "{\"title\": \"Mug\", \"variants\": [{\"sku\": \"MUG-1\", \"stock\": "
                   "[{\"warehouse_code\": \"berlin\", \"on_hand\": 3}]}]}",
                   NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(variant_id, sizeof variant_id, "%s", souk_h_text(r.json, "variants[0].id"));
    snprintf(product_path, sizeof product_path, "%s", r.location);
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

/* Sends the case's request and checks its error. */
static void check_refused(const struct bad_case *c)
{
    const char *headers[] = {c->content_type, NULL};
    struct souk_h_resp r;
    souk_h_request(&server, c->method, c->path, server.key, c->body,
                   c->content_type ? headers : NULL, &r);
    if (r.status != c->status)
        fail_msg("%s: status %ld, want %ld: %s", c->name, r.status, c->status, r.body.data);
    souk_h_assert_error(&r, c->status, c->type, c->param);
    if (c->message_part && !strstr(souk_h_text(r.json, "error.message"), c->message_part))
        fail_msg("%s: message lacks \"%s\": %s", c->name, c->message_part, r.body.data);
    souk_h_resp_release(&r);
}

/* Runs each case and checks after each that the full export is what it was before the first
 * (so one export per case, not two). */
static void run_cases(const struct bad_case *cases, size_t n)
{
    struct souk_buf before, after;
    souk_h_export(&server, &before);
    for (size_t i = 0; i < n; i++) {
        check_refused(&cases[i]);
        souk_h_export(&server, &after);
        souk_h_assert_same_export(&before, &after, cases[i].name);
        souk_buf_release(&after);
    }
    souk_buf_release(&before);
}

#define P "/v1/products"
#define V0(fields) "{\"title\": \"A\", \"variants\": [{\"sku\": \"A-1\", " fields "}]}"

static void malformed_bodies_are_400_or_415_and_change_nothing(void **state)
{
    const struct bad_case cases[] = {
        {"malformed JSON", "POST", P, "{\"title\": \"A\",\n  \"tags\": [}", NULL, 400,
         "invalid_request", NULL, "line 2, column"},
        {"truncated JSON", "POST", P, "{\"title\": \"A\"", NULL, 400, "invalid_request", NULL,
         "line 1, column"},
        {"empty body", "POST", P, "", NULL, 400, "invalid_request", NULL, NULL},
        {"an array body", "POST", P, "[{\"title\": \"A\"}]", NULL, 400, "invalid_request", NULL,
         "JSON object"},
        {"a string body", "POST", P, "\"A\"", NULL, 400, "invalid_request", NULL, NULL},
        {"duplicate keys", "POST", P, "{\"title\": \"A\", \"title\": \"B\"}", NULL, 400,
         "invalid_request", NULL, NULL},
        {"form content type", "POST", P, "title=A",
         "Content-Type: application/x-www-form-urlencoded", 415, "unsupported_media_type", NULL,
         "application/json"},
        {"text content type", "POST", P, "{\"title\": \"A\"}", "Content-Type: text/plain", 415,
         "unsupported_media_type", NULL, NULL},
        {"json-ish content type", "POST", P, "{\"title\": \"A\"}",
         "Content-Type: application/jsonx", 415, "unsupported_media_type", NULL, NULL},
        {"bad JSON in PATCH", "PATCH", product_path, "{\"title\": ", NULL, 400, "invalid_request",
         NULL, "line 1"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void fields_of_the_wrong_name_or_type_are_400_naming_the_field(void **state)
{
    char variant_path[128];
    snprintf(variant_path, sizeof variant_path, "/v1/variants/%s", variant_id);
    const struct bad_case cases[] = {
        {"unknown field", "POST", P, "{\"title\": \"A\", \"colour\": \"red\"}", NULL, 400,
         "invalid_request", "colour", "unknown field"},
        {"unknown nested field", "POST", P, V0("\"colour\": \"red\""), NULL, 400, "invalid_request",
         "variants[0].colour", NULL},
        {"missing title", "POST", P, "{\"status\": \"active\"}", NULL, 400, "invalid_request",
         "title", "required"},
        {"title of the wrong type", "POST", P, "{\"title\": 7}", NULL, 400, "invalid_request",
         "title", "string"},
        {"amount as a string", "POST", P,
         V0("\"prices\": [{\"currency\": \"EUR\", \"amount\": \"12.00\"}]"), NULL, 400,
         "invalid_request", "variants[0].prices[0].amount", "integer"},
        {"amount as a fraction", "POST", P,
         V0("\"prices\": [{\"currency\": \"EUR\", \"amount\": 12.5}]"), NULL, 400,
         "invalid_request", "variants[0].prices[0].amount", NULL},
        {"negative amount", "POST", P, V0("\"prices\": [{\"currency\": \"EUR\", \"amount\": -1}]"),
         NULL, 400, "invalid_request", "variants[0].prices[0].amount", NULL},
        {"compare_at below amount", "POST", P,
         V0("\"prices\": [{\"currency\": \"EUR\", \"amount\": 500, \"compare_at\": 400}]"), NULL,
         400, "invalid_request", "variants[0].prices[0].compare_at", NULL},
        {"unknown currency", "POST", P,
         V0("\"prices\": [{\"currency\": \"XYZ\", \"amount\": 100}]"), NULL, 400, "invalid_request",
         "variants[0].prices[0].currency", "ISO 4217"},
        {"unknown locale", "POST", P,
         "{\"title\": \"A\", \"translations\": {\"xx-QQ\": {\"title\": \"B\"}}}", NULL, 400,
         "invalid_request", "translations.xx-QQ", "BCP 47"},
        {"unknown status", "POST", P, "{\"title\": \"A\", \"status\": \"deleted\"}", NULL, 400,
         "invalid_request", "status", NULL},
        {"read-only field", "POST", P, "{\"title\": \"A\", \"id\": \"prod_x\"}", NULL, 400,
         "invalid_request", "id", "read-only"},
        {"variants in a PATCH", "PATCH", product_path, "{\"variants\": []}", NULL, 400,
         "invalid_request", "variants", NULL},
        {"unknown field in a PATCH", "PATCH", product_path, "{\"colour\": \"red\"}", NULL, 400,
         "invalid_request", "colour", NULL},
        {"variant without its product", "POST", "/v1/variants", "{\"sku\": \"Z-1\"}", NULL, 400,
         "invalid_request", "product_id", NULL},
        {"bad GTIN checksum", "POST", P, V0("\"gtin\": \"4006381333932\""), NULL, 400,
         "invalid_request", "variants[0].gtin", "expected 1"},
        {"negative low-stock threshold", "POST", P, V0("\"low_stock_threshold\": -1"), NULL, 400,
         "invalid_request", "variants[0].low_stock_threshold", "negative"},
        {"fractional low-stock threshold", "POST", P, V0("\"low_stock_threshold\": 2.5"), NULL, 400,
         "invalid_request", "variants[0].low_stock_threshold", "integer"},
        {"low-stock threshold in a variant PATCH", "PATCH", variant_path,
         "{\"low_stock_threshold\": \"3\"}", NULL, 400, "invalid_request", "low_stock_threshold",
         "integer"},
        {"negative low-stock threshold in a variant PATCH", "PATCH", variant_path,
         "{\"low_stock_threshold\": -5}", NULL, 400, "invalid_request", "low_stock_threshold",
         "negative"},
        {"stock state set by hand", "PATCH", variant_path, "{\"stock_state\": \"out\"}", NULL, 400,
         "invalid_request", "stock_state", "read-only"},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void stock_and_uniqueness_violations_are_refused_and_change_nothing(void **state)
{
    char stock_path[192], variant_body[256];
    snprintf(stock_path, sizeof stock_path, "/v1/stock/%s/%s", variant_id, warehouse_id);
    snprintf(variant_body, sizeof variant_body, "{\"product_id\": \"%.64s\", \"sku\": \"MUG-1\"}",
             product_path + strlen("/v1/products/"));
    const struct bad_case cases[] = {
        {"negative stock on create", "POST", P,
         V0("\"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": -2}]"), NULL, 400,
         "invalid_request", "variants[0].stock[0].on_hand", "negative"},
        {"negative stock on PUT", "PUT", stock_path, "{\"on_hand\": -1}", NULL, 400,
         "invalid_request", "on_hand", "negative"},
        {"unknown warehouse", "POST", P,
         V0("\"stock\": [{\"warehouse_code\": \"mars\", \"on_hand\": 1}]"), NULL, 422,
         "unprocessable", "variants[0].stock[0]", "mars"},
        {"duplicate SKU against the store", "POST", P,
         "{\"title\": \"Cup\", \"variants\": [{\"sku\": \"MUG-1\"}]}", NULL, 409, "conflict",
         "variants[0].sku", "MUG-1"},
        {"duplicate handle", "POST", P, "{\"title\": \"Mug\"}", NULL, 409, "conflict", "handle",
         NULL},
        {"duplicate SKU by variant POST", "POST", "/v1/variants", variant_body, NULL, 409,
         "conflict", "sku", NULL},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

#define TEE_HEAD                                                                                   \
    "{\"title\": \"Tee\", \"options\": [\"Size\"], \"variants\": [{\"sku\": \"T-S\", "             \
    "\"option_values\": [\"S\"]}, {\"sku\": \"T-M\", \"option_values\": [\"M\"]}, "

static void a_bad_third_variant_leaves_nothing_of_the_first_two(void **state)
{
    const struct bad_case cases[] = {
        {"third variant fails validation", "POST", P,
         TEE_HEAD "{\"sku\": \"T-L\", \"option_values\": [\"L\"], \"gtin\": \"123\"}]}", NULL, 400,
         "invalid_request", "variants[2].gtin", NULL},
        /* These fail in the store, after the first two variants were written. */
        {"third variant's SKU is taken", "POST", P,
         TEE_HEAD "{\"sku\": \"MUG-1\", \"option_values\": [\"L\"]}]}", NULL, 409, "conflict",
         "variants[2].sku", NULL},
        {"third variant's SKU repeats the first", "POST", P,
         TEE_HEAD "{\"sku\": \"T-S\", \"option_values\": [\"L\"]}]}", NULL, 409, "conflict",
         "variants[2].sku", NULL},
        {"third variant's warehouse is unknown", "POST", P,
         TEE_HEAD "{\"sku\": \"T-L\", \"option_values\": [\"L\"], \"stock\": [{\"warehouse_code\": "
                  "\"mars\", \"on_hand\": 1}]}]}",
         NULL, 422, "unprocessable", "variants[2].stock[0]", NULL},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    assert_int_equal(souk_h_count(&server, "/v1/variants?sku=T-S"), 0);
}

/* A warehouse body of exactly size bytes whose name fills the room. */
static char *warehouse_body(size_t size)
{
    static const char head[] = "{\"code\": \"x\", \"country\": \"DE\", \"name\": \"",
                      tail[] = "\"}";
    char *body = souk_malloc(size + 1);
    size_t fill = size - (sizeof head - 1) - (sizeof tail - 1);
    memcpy(body, head, sizeof head - 1);
    memset(body + sizeof head - 1, 'a', fill);
    memcpy(body + sizeof head - 1 + fill, tail, sizeof tail);
    return body;
}

static void bodies_over_the_route_limit_are_413(void **state)
{
    char *at_limit = warehouse_body(16 << 10), *over = warehouse_body((16 << 10) + 1);
    char *far_over = warehouse_body(1 << 20);
    char stock_path[192];
    snprintf(stock_path, sizeof stock_path, "/v1/stock/%s/%s", variant_id, warehouse_id);
    const struct bad_case cases[] = {
        /* 16 KiB is allowed in, and then refused for its 16 KB name. */
        {"body at the limit", "POST", "/v1/warehouses", at_limit, NULL, 400, "invalid_request",
         "name", NULL},
        {"body one byte over", "POST", "/v1/warehouses", over, NULL, 413, "payload_too_large", NULL,
         "16384"},
        {"body far over", "POST", "/v1/warehouses", far_over, NULL, 413, "payload_too_large", NULL,
         NULL},
        {"stock body over", "PUT", stock_path, far_over, NULL, 413, "payload_too_large", NULL,
         NULL},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
    souk_free(at_limit);
    souk_free(over);
    souk_free(far_over);
}

/* POSTs a warehouse with an X-Note header that makes the header line `length` bytes long. */
static long post_with_header(const char *code, size_t length)
{
    char *header = souk_malloc(length + 1), body[128];
    int n = snprintf(header, length + 1, "X-Note: ");
    memset(header + n, 'x', length - (size_t)n);
    header[length] = '\0';
    snprintf(body, sizeof body, "{\"code\": \"%s\", \"name\": \"Noted\", \"country\": \"DE\"}",
             code);
    const char *headers[] = {header, NULL};
    struct souk_h_resp r;
    souk_h_request(&server, "POST", "/v1/warehouses", server.key, body, headers, &r);
    long status = r.status;
    souk_h_resp_release(&r);
    souk_free(header);
    return status;
}

/* A header of 8 KiB is served; 32 KiB of headers are 431 before any handler runs. */
static void headers_over_the_limit_are_431(void **state)
{
    assert_int_equal(post_with_header("noted", 8 << 10), 201);
    struct souk_buf before, after;
    souk_h_export(&server, &before);
    assert_int_equal(post_with_header("too-noted", 32 << 10), 431);
    souk_h_export(&server, &after);
    souk_h_assert_same_export(&before, &after, "headers over the limit");
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void valid_variants_of_the_same_inputs_are_accepted(void **state)
{
    const char *json_utf8[] = {"Content-Type: application/json; charset=utf-8", NULL};
    struct souk_h_resp r;
    souk_h_request(&server, "POST", P, server.key, V0("\"gtin\": \"4006381333931\""), json_utf8,
                   &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(souk_h_text(r.json, "variants[0].gtin"), "4006381333931");
    souk_h_resp_release(&r);
    souk_h_request(&server, "POST", P, server.key,
                   "{\"title\": \"B\", \"translations\": {\"pt_br\": {\"title\": \"Bê\"}}, "
                   "\"variants\": [{\"sku\": \"B-1\", \"stock\": [{\"warehouse_code\": "
                   "\"berlin\", \"on_hand\": 0}]}]}",
                   NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(souk_h_text(r.json, "translations.pt-BR.title"), "Bê");
    assert_int_equal(souk_h_int(r.json, "variants[0].stock[0].on_hand"), 0);
    souk_h_resp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_bodies_are_400_or_415_and_change_nothing),
        cmocka_unit_test(fields_of_the_wrong_name_or_type_are_400_naming_the_field),
        cmocka_unit_test(stock_and_uniqueness_violations_are_refused_and_change_nothing),
        cmocka_unit_test(a_bad_third_variant_leaves_nothing_of_the_first_two),
        cmocka_unit_test(bodies_over_the_route_limit_are_413),
        cmocka_unit_test(headers_over_the_limit_are_431),
        cmocka_unit_test(valid_variants_of_the_same_inputs_are_accepted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

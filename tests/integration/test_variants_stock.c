/* Integration tests of /v1/variants, /v1/stock and /v1/warehouses, and how they touch products. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define BERLIN "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}"
#define LISBON "{\"code\": \"lisbon\", \"name\": \"Lisbon\", \"country\": \"PT\"}"
#define SHIRT                                                                                      \
    "{\"title\": \"Linen Shirt\", \"options\": [\"Size\"], \"variants\": ["                        \
    "{\"sku\": \"SHIRT-S\", \"option_values\": [\"S\"], \"prices\": [{\"currency\": \"EUR\", "     \
    "\"amount\": 4900}]}, {\"sku\": \"SHIRT-M\", \"option_values\": [\"M\"]}]}"

/* A product (version 1) and a third variant added to it (product now at version 2). */
struct fixture {
    char product[SOUK_H_ID_MAX], variant[SOUK_H_ID_MAX], warehouse[SOUK_H_ID_MAX];
    char product_path[128], variant_path[128], stock_path[192];
};

static void make_fixture(struct souk_h_server *s, struct fixture *f)
{
    char body[512];
    souk_h_create(s, "/v1/warehouses", BERLIN, f->warehouse);
    souk_h_create(s, "/v1/products", SHIRT, f->product);
    snprintf(body, sizeof body,
             "{\"product_id\": \"%s\", \"sku\": \"SHIRT-L\", \"option_values\": [\"L\"], "
             "\"prices\": [{\"currency\": \"USD\", \"amount\": 5400}]}",
             f->product);
    souk_h_create(s, "/v1/variants", body, f->variant);
    snprintf(f->product_path, sizeof f->product_path, "/v1/products/%s", f->product);
    snprintf(f->variant_path, sizeof f->variant_path, "/v1/variants/%s", f->variant);
    snprintf(f->stock_path, sizeof f->stock_path, "/v1/stock/%s/%s", f->variant, f->warehouse);
}

static void request(struct souk_h_server *s, const char *method, const char *path, const char *body,
                    const char *if_match, struct souk_h_resp *r)
{
    char header[64];
    snprintf(header, sizeof header, "If-Match: \"%s\"", if_match ? if_match : "");
    const char *headers[] = {header, NULL};
    souk_h_request(s, method, path, s->key, body, if_match ? headers : NULL, r);
}

static void a_new_variant_joins_its_product_and_bumps_the_product_version(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    json_t *v = souk_h_get(s, f.variant_path);
    assert_string_equal(souk_h_str(v, "product_id"), f.product);
    assert_int_equal(souk_h_int(v, "position"), 3);
    assert_int_equal(souk_h_int(v, "version"), 1);
    assert_string_equal(souk_h_text(v, "option_values[0]"), "L");
    json_decref(v);
    struct souk_h_resp r;
    souk_h_request(s, "GET", f.product_path, s->key, NULL, NULL, &r);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(souk_h_text(r.json, "variants[2].id"), f.variant);
    souk_h_resp_release(&r);
    char path[192];
    snprintf(path, sizeof path, "/v1/variants?product_id=%s", f.product);
    assert_int_equal(souk_h_count(s, path), 3);
    assert_int_equal(souk_h_count(s, "/v1/variants?sku=SHIRT-L"), 1);
    assert_int_equal(souk_h_count(s, "/v1/variants?sku=shirt-l"), 0); /* SKUs are exact */

    souk_h_request(s, "POST", "/v1/variants", s->key,
                   "{\"product_id\": \"prod_01HZZZZZZZZZZZZZZZZZZZZZZZ\", \"sku\": \"X-1\"}", NULL,
                   &r);
    souk_h_assert_error(&r, 422, "unprocessable", "product_id");
    souk_h_resp_release(&r);
}

static void patching_a_variant_price_needs_its_etag_and_bumps_the_product(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    json_decref(souk_h_get(s, f.product_path)); /* cache version 2 */
    const char *price =
        "{\"prices\": [{\"currency\": \"USD\", \"amount\": 4900, \"compare_at\": 5400}]}";
    struct souk_h_resp r;
    request(s, "PATCH", f.variant_path, price, "1", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_int_equal(souk_h_int(r.json, "prices[0].amount"), 4900);
    assert_int_equal(souk_h_int(r.json, "prices[0].compare_at"), 5400);
    assert_string_equal(souk_h_str(r.json, "sku"), "SHIRT-L"); /* untouched fields stay */
    souk_h_resp_release(&r);
    request(s, "PATCH", f.variant_path, "{\"sku\": \"LOST\"}", "1", &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);

    souk_h_request(s, "GET", f.product_path, s->key, NULL, NULL, &r);
    assert_string_equal(r.etag, "\"3\"");
    assert_int_equal(souk_h_int(r.json, "variants[2].prices[0].amount"), 4900);
    assert_string_equal(souk_h_text(r.json, "variants[2].sku"), "SHIRT-L");
    souk_h_resp_release(&r);
}

static void deleting_a_variant_removes_it_from_its_product(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    json_decref(souk_h_get(s, f.product_path));
    struct souk_h_resp r;
    request(s, "DELETE", f.variant_path, NULL, "2", &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);
    request(s, "DELETE", f.variant_path, NULL, "1", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "deleted")));
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", f.variant_path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", f.product_path, s->key, NULL, NULL, &r);
    assert_string_equal(r.etag, "\"3\"");
    assert_int_equal(json_array_size(json_object_get(r.json, "variants")), 2);
    souk_h_resp_release(&r);
}

static void putting_stock_sets_on_hand_and_shows_everywhere(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    json_decref(souk_h_get(s, f.product_path));
    struct souk_h_resp r;
    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": 7}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"1\"");
    assert_int_equal(souk_h_int(r.json, "on_hand"), 7);
    assert_int_equal(souk_h_int(r.json, "reserved"), 0);
    assert_int_equal(souk_h_int(r.json, "available"), 7);
    assert_string_equal(souk_h_str(r.json, "variant_id"), f.variant);
    assert_string_equal(souk_h_str(r.json, "warehouse_id"), f.warehouse);
    assert_string_equal(souk_h_str(r.json, "warehouse_code"), "berlin");
    souk_h_resp_release(&r);
    request(s, "PUT", f.stock_path, "{\"on_hand\": 9}", "1", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    souk_h_resp_release(&r);
    request(s, "PUT", f.stock_path, "{\"on_hand\": 1}", "1", &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);

    json_t *level = souk_h_get(s, f.stock_path);
    assert_int_equal(souk_h_int(level, "available"), 9);
    json_decref(level);
    char path[192];
    snprintf(path, sizeof path, "/v1/stock?variant_id=%s", f.variant);
    json_t *list = souk_h_get(s, path);
    assert_int_equal(json_array_size(json_object_get(list, "data")), 1);
    assert_int_equal(souk_h_int(list, "data[0].on_hand"), 9);
    json_decref(list);
    snprintf(path, sizeof path, "/v1/stock?warehouse_id=%s", f.warehouse);
    assert_int_equal(souk_h_count(s, path), 1);
    json_t *p = souk_h_get(s, f.product_path); /* not the cached version 2 */
    assert_int_equal(souk_h_int(p, "version"), 4);
    assert_int_equal(souk_h_int(p, "variants[2].stock[0].available"), 9);
    json_decref(p);
}

/* A threshold set by PATCH shows in the variant's stock_state and in /metrics as stock moves. */
static void a_low_stock_threshold_shows_in_the_variant_and_the_metrics(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f); /* three variants, none stocked */
    souk_h_wait_metric(s, "souk_variants_out_of_stock 3");
    souk_h_wait_metric(s, "souk_variants_low_stock 0");
    struct souk_h_resp r;
    souk_h_request(s, "PATCH", f.variant_path, s->key, "{\"low_stock_threshold\": 3}", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(souk_h_int(r.json, "low_stock_threshold"), 3);
    assert_string_equal(souk_h_str(r.json, "stock_state"), "out");
    souk_h_resp_release(&r);

    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": 2}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    json_t *v = souk_h_get(s, f.variant_path);
    assert_string_equal(souk_h_str(v, "stock_state"), "low");
    json_decref(v);
    souk_h_wait_metric(s, "souk_variants_out_of_stock 2");
    souk_h_wait_metric(s, "souk_variants_low_stock 1");

    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": 10}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    json_t *p = souk_h_get(s, f.product_path);
    assert_string_equal(souk_h_text(p, "variants[2].stock_state"), "in");
    assert_int_equal(souk_h_int(p, "variants[2].low_stock_threshold"), 3);
    assert_true(json_is_null(
        json_object_get(json_array_get(json_object_get(p, "variants"), 0), "low_stock_threshold")));
    json_decref(p);
    souk_h_wait_metric(s, "souk_variants_low_stock 0");
}

static void stock_paths_must_name_an_existing_variant_and_warehouse(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    char lisbon[SOUK_H_ID_MAX], path[192];
    souk_h_create(s, "/v1/warehouses", LISBON, lisbon);
    struct souk_buf before, after;
    souk_h_export(s, &before);
    struct souk_h_resp r;
    snprintf(path, sizeof path, "/v1/stock/var_01HZZZZZZZZZZZZZZZZZZZZZZZ/%s", f.warehouse);
    souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 7}", NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/stock/%s/wh_01HZZZZZZZZZZZZZZZZZZZZZZZ", f.variant);
    souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 7}", NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/stock/%s/%s", f.variant, lisbon);
    souk_h_request(s, "GET", path, s->key, NULL, NULL, &r); /* both exist, no level yet */
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": 7, \"reserved\": 1}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "reserved");
    souk_h_resp_release(&r);
    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": \"7\"}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "on_hand");
    souk_h_resp_release(&r);
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "a refused stock change");
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void stock_lists_page_by_variant_and_warehouse(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    char lisbon[SOUK_H_ID_MAX], path[256];
    souk_h_create(s, "/v1/warehouses", LISBON, lisbon);
    json_t *p = souk_h_get(s, f.product_path);
    for (int i = 0; i < 2; i++) { /* variants 0 and 1 in both warehouses: 4 levels */
        const char *variant = souk_h_text(p, i ? "variants[1].id" : "variants[0].id");
        const char *warehouses[] = {f.warehouse, lisbon};
        for (int w = 0; w < 2; w++) {
            struct souk_h_resp r;
            snprintf(path, sizeof path, "/v1/stock/%s/%s", variant, warehouses[w]);
            souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 3}", NULL, &r);
            assert_int_equal(r.status, 200);
            souk_h_resp_release(&r);
        }
    }
    json_decref(p);
    size_t total = 0;
    snprintf(path, sizeof path, "/v1/stock?limit=3");
    for (int page = 0; page < 2; page++) {
        json_t *j = souk_h_get(s, path);
        total += json_array_size(json_object_get(j, "data"));
        assert_int_equal(json_is_true(json_object_get(j, "has_more")), page == 0);
        snprintf(path, sizeof path, "/v1/stock?limit=3&after=%s", souk_h_str(j, "next_cursor"));
        json_decref(j);
    }
    assert_int_equal(total, 4);
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/stock?after=nonsense", s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "after");
    souk_h_resp_release(&r);
}

static void a_stocked_warehouse_cannot_be_deleted_until_its_stock_is(void **state)
{
    struct souk_h_server *s = *state;
    struct fixture f;
    make_fixture(s, &f);
    struct souk_h_resp r;
    souk_h_request(s, "PUT", f.stock_path, s->key, "{\"on_hand\": 7}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    json_decref(souk_h_get(s, f.product_path)); /* cache it with the stock level */
    char path[128];
    snprintf(path, sizeof path, "/v1/warehouses/%s", f.warehouse);
    souk_h_request(s, "DELETE", path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 409, "conflict", NULL);
    souk_h_resp_release(&r);

    souk_h_request(s, "DELETE", f.stock_path, s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "deleted")));
    souk_h_resp_release(&r);
    json_t *p = souk_h_get(s, f.product_path);
    assert_int_equal(json_array_size(souk_h_at(p, "variants[2].stock")), 0);
    json_decref(p);
    souk_h_request(s, "DELETE", path, s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
}

static void warehouses_are_created_read_renamed_and_deleted(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/warehouses", s->key, BERLIN, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.etag, "\"1\"");
    char id[SOUK_H_ID_MAX], path[128];
    snprintf(id, sizeof id, "%s", souk_h_str(r.json, "id"));
    snprintf(path, sizeof path, "/v1/warehouses/%s", id);
    assert_int_equal(strncmp(id, "wh_", 3), 0);
    assert_string_equal(r.location, path);
    assert_string_equal(souk_h_str(r.json, "country"), "DE");
    souk_h_resp_release(&r);
    json_t *w = souk_h_get(s, path);
    assert_string_equal(souk_h_str(w, "name"), "Berlin");
    json_decref(w);

    request(s, "PATCH", path, "{\"name\": \"Berlin Mitte\"}", "1", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(souk_h_str(r.json, "name"), "Berlin Mitte");
    assert_string_equal(souk_h_str(r.json, "code"), "berlin");
    souk_h_resp_release(&r);
    request(s, "PATCH", path, "{\"name\": \"Lost\"}", "1", &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);

    souk_h_request(s, "POST", "/v1/warehouses", s->key, BERLIN, NULL, &r);
    souk_h_assert_error(&r, 409, "conflict", "code");
    souk_h_resp_release(&r);
    souk_h_request(s, "POST", "/v1/warehouses", s->key,
                   "{\"code\": \"nowhere\", \"name\": \"N\", \"country\": \"XX\"}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "country");
    souk_h_resp_release(&r);
    souk_h_request(s, "POST", "/v1/warehouses", s->key,
                   "{\"code\": \"Not A Code\", \"name\": \"N\", \"country\": \"DE\"}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "code");
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_count(s, "/v1/warehouses"), 1);

    request(s, "DELETE", path, NULL, "2", &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_count(s, "/v1/warehouses"), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, souk_h_setup, souk_h_teardown)
    const struct CMUnitTest tests[] = {
        T(a_new_variant_joins_its_product_and_bumps_the_product_version),
        T(patching_a_variant_price_needs_its_etag_and_bumps_the_product),
        T(deleting_a_variant_removes_it_from_its_product),
        T(putting_stock_sets_on_hand_and_shows_everywhere),
        T(a_low_stock_threshold_shows_in_the_variant_and_the_metrics),
        T(stock_paths_must_name_an_existing_variant_and_warehouse),
        T(stock_lists_page_by_variant_and_warehouse),
        T(a_stocked_warehouse_cannot_be_deleted_until_its_stock_is),
        T(warehouses_are_created_read_renamed_and_deleted),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

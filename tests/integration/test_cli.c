/* Integration tests of the souk command line: help, import (Shopify, JSON lines), export. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define SHOPIFY_CSV SOUK_SOURCE_DIR "/tests/data/shopify-small.csv"

static const char *const no_headers[] = {NULL};

static void every_command_has_help(void **state)
{
    const char *commands[] = {"serve", "migrate", "apikey", "import", "export"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct souk_buf out = SOUK_BUF_INIT(1 << 16);
        assert_int_equal(souk_h_run(NULL, &out, NULL, commands[i], "--help", NULL), 0);
        if (!strstr(out.data, "usage: souk"))
            fail_msg("souk %s --help printed: %s", commands[i], out.data);
        souk_buf_release(&out);
    }
    struct souk_buf out = SOUK_BUF_INIT(1 << 16), errout = SOUK_BUF_INIT(1 << 16);
    assert_int_equal(souk_h_run(NULL, &out, NULL, "version", NULL), 0);
    assert_non_null(strstr(out.data, "souk "));
    assert_int_equal(souk_h_run(NULL, NULL, &errout, "frobnicate", NULL), 2);
    assert_true(errout.len > 0);
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "serve", "--threads", "0", NULL), 2);
    souk_buf_release(&out);
    souk_buf_release(&errout);
}

/* Writes text to a file in the server's temp dir and returns its path in path. */
static void write_file(struct souk_h_server *s, const char *name, const char *text, char path[256])
{
    snprintf(path, 256, "%s/%s", s->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static json_t *get_json(struct souk_h_server *s, const char *path)
{
    struct souk_h_resp r;
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    souk_h_resp_release(&r);
    return j;
}

static void shopify_export_imports_with_prices_stock_and_images(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    int status =
        souk_h_run(NULL, NULL, &errout, "import", "shopify", SHOPIFY_CSV, "--currency", "EUR",
                   "--warehouse", "lisbon", "--warehouse-country", "PT", "--db", s->db, NULL);
    if (status != 0)
        fail_msg("import failed: %s", errout.data);
    assert_non_null(strstr(errout.data, "2 products, 4 variants"));
    souk_buf_release(&errout);

    json_t *list = get_json(s, "/v1/products?q=linen-shirt");
    json_t *shirt = json_array_get(json_object_get(list, "data"), 0);
    assert_string_equal(souk_h_str(shirt, "title"), "Linen Shirt");
    assert_non_null(strstr(souk_h_str(shirt, "description"), "cut loose.</p>\n<ul>"));
    assert_string_equal(souk_h_str(shirt, "brand"), "Acme");
    assert_int_equal(json_array_size(json_object_get(shirt, "tags")), 2);
    json_t *media = json_object_get(shirt, "media");
    assert_int_equal(json_array_size(media), 3);
    assert_string_equal(souk_h_str(json_array_get(media, 2), "alt"), "Detail, collar");
    json_t *variants = json_object_get(shirt, "variants");
    assert_int_equal(json_array_size(variants), 3);
    json_t *first = json_array_get(variants, 0);
    assert_string_equal(souk_h_str(first, "gtin"), "4006381333931");
    json_t *price = json_array_get(json_object_get(first, "prices"), 0);
    assert_string_equal(souk_h_str(price, "currency"), "EUR");
    assert_int_equal(json_integer_value(json_object_get(price, "amount")), 4900);
    assert_int_equal(json_integer_value(json_object_get(price, "compare_at")), 5900);
    json_t *stock = json_array_get(json_object_get(first, "stock"), 0);
    assert_string_equal(souk_h_str(stock, "warehouse_code"), "lisbon");
    assert_int_equal(json_integer_value(json_object_get(stock, "on_hand")), 12);
    json_t *third = json_array_get(variants, 2);
    price = json_array_get(json_object_get(third, "prices"), 0);
    assert_int_equal(json_integer_value(json_object_get(price, "amount")), 5250);
    json_decref(list);

    list = get_json(s, "/v1/products?status=draft");
    json_t *mug = json_array_get(json_object_get(list, "data"), 0);
    assert_string_equal(souk_h_str(mug, "handle"), "mug");
    assert_int_equal(json_array_size(json_object_get(mug, "options")), 0); /* Default Title */
    price = json_array_get(
        json_object_get(json_array_get(json_object_get(mug, "variants"), 0), "prices"), 0);
    assert_true(json_is_null(json_object_get(price, "compare_at"))); /* 0 means none */
    json_decref(list);
}

#define BAD_CSV                                                                                    \
    "Handle,Title,Body (HTML),Variant SKU,Variant Price,Variant Inventory Qty\n"                   \
    "cap,Cap,,CAP-1,10.00,4\n"                                                                     \
    "scarf,Scarf,\"<p>Wool,\nhand knit</p>\",SCARF-1,20.00,2\n"                                    \
    "sock,Sock,,SOCK-1,5.00,-3\n"                                                                  \
    "belt,Belt,,BELT-1,25.00,1\n"

static void a_bad_row_names_its_line_and_imports_nothing(void **state)
{
    struct souk_h_server *s = *state;
    char path[256];
    write_file(s, "bad.csv", BAD_CSV, path);
    struct souk_buf before, after, errout = SOUK_BUF_INIT(1 << 16);
    souk_h_export(s, &before);
    assert_int_not_equal(
        souk_h_run(NULL, NULL, &errout, "import", "shopify", path, "--db", s->db, NULL), 0);
    if (!strstr(errout.data, "line 5:") || !strstr(errout.data, "negative"))
        fail_msg("the error does not name line 5: %s", errout.data);
    souk_h_export(s, &after);
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);
    souk_buf_release(&before);
    souk_buf_release(&after);
    souk_buf_reset(&errout);

    assert_int_equal(souk_h_run(NULL, NULL, &errout, "import", "shopify", path, "--skip-bad-rows",
                                "--db", s->db, NULL),
                     0);
    assert_non_null(strstr(errout.data, "line 5:"));
    assert_non_null(strstr(errout.data, "3 products"));
    souk_buf_release(&errout);
    json_t *list = get_json(s, "/v1/products");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 3);
    json_decref(list);
    list = get_json(s, "/v1/variants?sku=SOCK-1");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 0);
    json_decref(list);
}

/* Blanks what a store assigns ("id", "*_id", times, versions) so two stores' exports compare. */
static void normalise(json_t *j)
{
    const char *key;
    json_t *value;
    size_t i;
    if (json_is_array(j))
        json_array_foreach(j, i, value) normalise(value);
    if (!json_is_object(j))
        return;
    json_object_foreach(j, key, value)
    {
        size_t len = strlen(key);
        if (strcmp(key, "id") == 0 || (len > 3 && strcmp(key + len - 3, "_id") == 0) ||
            strcmp(key, "created_at") == 0 || strcmp(key, "updated_at") == 0 ||
            strcmp(key, "version") == 0)
            json_object_set_new(j, key, json_null());
        else
            normalise(value);
    }
}

static json_t *normalised_export(struct souk_h_server *s)
{
    struct souk_buf out;
    souk_h_export(s, &out);
    json_t *lines = json_array();
    for (char *line = out.data, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        json_t *j = json_loadb(line, (size_t)(end - line), 0, NULL);
        assert_non_null(j);
        normalise(j);
        json_array_append_new(lines, j);
    }
    souk_buf_release(&out);
    return lines;
}

static void export_then_import_round_trips(void **state)
{
    struct souk_h_server *s = *state;
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "import", "shopify", SHOPIFY_CSV, "--db", s->db, NULL), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/catalog.jsonl", s->dir);
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "export", "jsonl", "--output", path, "--db", s->db, NULL), 0);
    struct souk_h_server copy;
    souk_h_start(&copy, NULL);
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    int status = souk_h_run(NULL, NULL, &errout, "import", "jsonl", path, "--db", copy.db, NULL);
    if (status != 0)
        fail_msg("jsonl import failed: %s", errout.data);
    souk_buf_release(&errout);
    json_t *a = normalised_export(s), *b = normalised_export(&copy);
    if (!json_equal(a, b)) {
        char *ta = json_dumps(a, 0), *tb = json_dumps(b, 0);
        fail_msg("round trip differs:\n%s\n%s", ta, tb);
    }
    assert_true(json_array_size(a) >= 3); /* a warehouse and two products */
    json_decref(a);
    json_decref(b);
    souk_h_cleanup(&copy);
}

static void demo_seed_serves_36_products(void **state)
{
    struct souk_h_server *s = *state;
    assert_int_equal(souk_h_stop(s), 0);
    souk_h_cleanup(s);
    souk_h_start(s, "--seed-demo");
    json_t *list = get_json(s, "/v1/products?limit=250");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 36);
    json_decref(list);
    list = get_json(s, "/v1/warehouses");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 2);
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_has_help),
        cmocka_unit_test_setup_teardown(shopify_export_imports_with_prices_stock_and_images,
                                        souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_bad_row_names_its_line_and_imports_nothing, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(export_then_import_round_trips, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(demo_seed_serves_36_products, souk_h_setup,
                                        souk_h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

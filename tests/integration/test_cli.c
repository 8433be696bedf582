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

static void every_command_has_help_and_usage_errors_exit_2(void **state)
{
    const char *commands[] = {"serve", "migrate", "apikey", "import", "export"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        struct souk_buf out = SOUK_BUF_INIT(1 << 16), errout = SOUK_BUF_INIT(1 << 16);
        char usage[64];
        snprintf(usage, sizeof usage, "usage: souk %s", commands[i]);
        assert_int_equal(souk_h_run(NULL, &out, NULL, commands[i], "--help", NULL), 0);
        if (!strstr(out.data, usage))
            fail_msg("souk %s --help printed: %s", commands[i], out.data);
        assert_int_equal(souk_h_run(NULL, NULL, &errout, commands[i], "--no-such-flag", NULL), 2);
        if (!strstr(errout.data, usage))
            fail_msg("souk %s --no-such-flag printed: %s", commands[i], errout.data);
        souk_buf_release(&out);
        souk_buf_release(&errout);
    }
    struct souk_buf out = SOUK_BUF_INIT(1 << 16), errout = SOUK_BUF_INIT(1 << 16);
    assert_int_equal(souk_h_run(NULL, &out, NULL, "--help", NULL), 0);
    assert_non_null(strstr(out.data, "usage: souk COMMAND"));
    assert_non_null(strstr(out.data, "  import "));
    souk_buf_reset(&out);
    assert_int_equal(souk_h_run(NULL, NULL, &errout, NULL), 2); /* no command at all */
    assert_non_null(strstr(errout.data, "usage: souk COMMAND"));
    souk_buf_reset(&errout);
    assert_int_equal(souk_h_run(NULL, &out, NULL, "version", NULL), 0);
    assert_int_equal(strncmp(out.data, "souk ", 5), 0);
    assert_true(out.data[5] >= '0' && out.data[5] <= '9');
    assert_int_equal(souk_h_run(NULL, NULL, &errout, "frobnicate", NULL), 2);
    assert_non_null(strstr(errout.data, "unknown command \"frobnicate\""));
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "serve", "--threads", "0", NULL), 2);
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "import", "csv", "x.csv", NULL), 2);
    souk_buf_release(&out);
    souk_buf_release(&errout);
}

static void apikey_list_shows_ids_and_never_secrets(void **state)
{
    struct souk_h_server *s = *state;
    char reader[SOUK_H_KEY_MAX], reader_id[SOUK_H_ID_MAX];
    souk_h_mint(s, "catalog:read", reader, reader_id);
    souk_h_revoke(s, reader_id);
    struct souk_buf out = SOUK_BUF_INIT(1 << 16);
    assert_int_equal(souk_h_run(NULL, &out, NULL, "apikey", "list", "--db", s->db, NULL), 0);
    assert_non_null(strstr(out.data, s->key_id));
    assert_non_null(strstr(out.data, "\tadmin\t"));
    const char *line = strstr(out.data, reader_id);
    assert_non_null(line);
    assert_non_null(strstr(line, "\tcatalog:read\t"));
    assert_null(strstr(line, "\t-\n")); /* it shows when it was revoked */
    assert_null(strstr(out.data, strrchr(s->key, '_') + 1));
    assert_null(strstr(out.data, strrchr(reader, '_') + 1));
    souk_buf_release(&out);
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "apikey", "revoke", "key_nope", "--db", s->db, NULL), 1);
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "apikey", "create", "--scope", "root", "--db", s->db, NULL),
        1);
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

    json_t *list = souk_h_get(s, "/v1/products?q=linen-shirt");
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

    list = souk_h_get(s, "/v1/products?status=draft");
    json_t *mug = json_array_get(json_object_get(list, "data"), 0);
    assert_string_equal(souk_h_str(mug, "handle"), "mug");
    assert_int_equal(json_array_size(json_object_get(mug, "options")), 0); /* Default Title */
    price = json_array_get(
        json_object_get(json_array_get(json_object_get(mug, "variants"), 0), "prices"), 0);
    assert_true(json_is_null(json_object_get(price, "compare_at"))); /* 0 means none */
    json_decref(list);
}

#define BAD_ROW_CSV SOUK_SOURCE_DIR "/tests/data/shopify-bad-row.csv"

/* shopify-bad-row.csv: cap (lines 2-3), scarf (4-6, its second variant on line 6 has stock -3
 * and its first row's Body spans lines 4-5), belt (7). */
static void a_bad_row_names_its_line_and_imports_nothing(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_buf before, after, errout = SOUK_BUF_INIT(1 << 16);
    souk_h_export(s, &before);
    assert_int_equal(
        souk_h_run(NULL, NULL, &errout, "import", "shopify", BAD_ROW_CSV, "--db", s->db, NULL), 1);
    if (!strstr(errout.data, "line 6:") || !strstr(errout.data, "negative") ||
        !strstr(errout.data, "nothing was imported"))
        fail_msg("the error does not name line 6: %s", errout.data);
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "a failed import"); /* not even its warehouse */
    souk_buf_release(&before);
    souk_buf_release(&after);
    souk_buf_reset(&errout);

    assert_int_equal(souk_h_run(NULL, NULL, &errout, "import", "shopify", BAD_ROW_CSV,
                                "--skip-bad-rows", "--db", s->db, NULL),
                     0);
    assert_non_null(strstr(errout.data, "skipped: line 6:"));
    assert_non_null(strstr(errout.data, "2 products, 2 variants"));
    assert_non_null(strstr(errout.data, "1 products skipped"));
    souk_buf_release(&errout);
    assert_int_equal(souk_h_count(s, "/v1/products"), 2);
    assert_int_equal(souk_h_count(s, "/v1/variants?sku=SCARF-RED"), 0); /* the whole product */
    json_t *cap = souk_h_get(s, "/v1/products?q=wool%20cap");
    assert_int_equal(json_array_size(souk_h_at(cap, "data[0].media")), 2);
    assert_string_equal(souk_h_text(cap, "data[0].media[1].alt"), "Side, left");
    assert_int_equal(souk_h_int(cap, "data[0].variants[0].stock[0].on_hand"), 4);
    json_decref(cap);
}

static void a_row_the_catalog_refuses_is_reported_at_its_own_line(void **state)
{
    struct souk_h_server *s = *state;
    char path[256];
    write_file(s, "gtin.csv",
               "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Barcode\n"
               "tee,Tee,Size,S,TEE-S,10.00,4006381333931\n"
               "tee,,,M,TEE-M,10.00,4006381333932\n"
               "hat,Hat,,,HAT-1,5.00,\n",
               path);
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    assert_int_equal(
        souk_h_run(NULL, NULL, &errout, "import", "shopify", path, "--db", s->db, NULL), 1);
    if (!strstr(errout.data, "line 3:") || !strstr(errout.data, "variants[1].gtin"))
        fail_msg("the error does not name line 3 and the GTIN: %s", errout.data);
    souk_buf_release(&errout);
    assert_int_equal(souk_h_count(s, "/v1/products"), 0);

    /* Importing a file twice refuses the second copy at its first line. */
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "import", "shopify", SHOPIFY_CSV, "--db", s->db, NULL), 0);
    errout = (struct souk_buf)SOUK_BUF_INIT(1 << 16);
    assert_int_equal(
        souk_h_run(SHOPIFY_CSV, NULL, &errout, "import", "shopify", "-", "--db", s->db, NULL), 1);
    if (!strstr(errout.data, "line 2:") || !strstr(errout.data, "linen-shirt"))
        fail_msg("a second import does not name line 2: %s", errout.data);
    souk_buf_release(&errout);
    assert_int_equal(souk_h_count(s, "/v1/products"), 2);
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "import", "shopify", "/nonexistent.csv", "--db", s->db, NULL),
        1);
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

/* What identifies an exported line across stores: its handle (products, collections) or code. */
static const char *identity(json_t *line)
{
    const char *handle = souk_h_str(line, "handle");
    return handle[0] ? handle : souk_h_str(line, "code");
}

/* Orders lines by kind, then identity: the round trip is about content, and export order is
 * tested on its own (an_import_keeps_the_file_order). */
static void sort_lines(json_t *lines)
{
    for (size_t i = 1; i < json_array_size(lines); i++)
        for (size_t j = i; j > 0; j--) {
            json_t *a = json_array_get(lines, j - 1), *b = json_array_get(lines, j);
            int c = strcmp(souk_h_str(a, "object"), souk_h_str(b, "object"));
            if (c < 0 || (c == 0 && strcmp(identity(a), identity(b)) <= 0))
                break;
            json_incref(a);
            json_array_set(lines, j - 1, b);
            json_array_set_new(lines, j, a);
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
    sort_lines(lines);
    return lines;
}

/* Fails unless the two stores hold the same catalog up to what a store assigns; cleans up
 * copy either way. */
static void assert_same_catalog(struct souk_h_server *s, struct souk_h_server *copy)
{
    json_t *a = normalised_export(s), *b = normalised_export(copy);
    bool same = json_equal(a, b);
    size_t lines = json_array_size(a);
    if (!same) {
        fputs("original:\n", stderr);
        json_dumpf(a, stderr, JSON_SORT_KEYS | JSON_INDENT(1));
        fputs("\nafter the round trip:\n", stderr);
        json_dumpf(b, stderr, JSON_SORT_KEYS | JSON_INDENT(1));
    }
    json_decref(a);
    json_decref(b);
    souk_h_cleanup(copy);
    if (!same)
        fail_msg("the round trip changed the catalog (both printed above)");
    assert_true(lines >= 3); /* at least a warehouse and two products */
}

/*
 * Starts an empty store in copy and imports the jsonl export at path into it (stdin when
 * from_stdin), failing with souk's stderr if the import does; returns that stderr.
 */
static void import_into_fresh_store(struct souk_h_server *copy, const char *path, bool from_stdin,
                                    struct souk_buf *errout)
{
    souk_h_start(copy, NULL);
    int status = from_stdin
                     ? souk_h_run(path, NULL, errout, "import", "jsonl", "-", "--db", copy->db, NULL)
                     : souk_h_run(NULL, NULL, errout, "import", "jsonl", path, "--db", copy->db, NULL);
    if (status != 0) {
        souk_h_cleanup(copy);
        fail_msg("jsonl import failed: %s", errout->data);
    }
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
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    import_into_fresh_store(&copy, path, false, &errout);
    souk_buf_release(&errout);
    assert_same_catalog(s, &copy);
}

/* Every field the API takes survives export and import into an empty store. */
static void export_then_import_keeps_every_field(void **state)
{
    struct souk_h_server *s = *state;
    char id[SOUK_H_ID_MAX], path[256];
    souk_h_create(s, "/v1/warehouses",
                  "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}", id);
    souk_h_create(s, "/v1/warehouses",
                  "{\"code\": \"lisbon\", \"name\": \"Lisbon\", \"country\": \"PT\"}", id);
    struct souk_buf jacket = SOUK_BUF_INIT(1 << 20);
    souk_h_read_file(SOUK_SOURCE_DIR "/tests/data/product-every-field.json", &jacket);
    souk_h_create(s, "/v1/products", jacket.data, id);
    souk_buf_release(&jacket);
    char jacket_id[SOUK_H_ID_MAX], body[512];
    snprintf(jacket_id, sizeof jacket_id, "%s", id);
    souk_h_create(s, "/v1/products", "{\"title\": \"Gift Card\", \"status\": \"archived\"}", id);
    /* Collections come back with their translations and members in the merchant's order. */
    snprintf(body, sizeof body,
             "{\"title\": \"Winter\", \"handle\": \"winter\", \"description\": \"Warm things\", "
             "\"translations\": {\"de\": {\"title\": \"Winter (de)\"}}, "
             "\"product_ids\": [\"%s\", \"%s\"]}",
             id, jacket_id);
    souk_h_create(s, "/v1/collections", body, id);
    souk_h_create(s, "/v1/collections", "{\"title\": \"Empty\"}", id);
    snprintf(path, sizeof path, "%s/catalog.jsonl", s->dir);
    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "export", "jsonl", "--output", path, "--db", s->db, NULL), 0);

    struct souk_h_server copy;
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    import_into_fresh_store(&copy, path, true, &errout);
    assert_non_null(strstr(errout.data, "2 products, 2 variants, 2 warehouses, 2 collections"));
    souk_buf_release(&errout);
    json_t *winter = souk_h_get(&copy, "/v1/products?collection=winter");
    assert_int_equal(json_array_size(souk_h_at(winter, "data")), 2);
    json_decref(winter);
    assert_same_catalog(s, &copy);
    json_t *p = souk_h_get(s, "/v1/products?q=trail");
    assert_int_equal(souk_h_int(p, "data[0].variants[0].prices[0].sale.amount"), 9900);
    assert_string_equal(souk_h_text(p, "data[0].translations.pt-BR.title"), "Jaqueta de trilha");
    json_decref(p);
}

/*
 * Products list and export in id order, which catalog.h calls creation order; an import
 * creates many products per millisecond, so this checks the ids keep the file's order.
 */
static void an_import_keeps_the_file_order(void **state)
{
    struct souk_h_server *s = *state;
    enum { N = 200 };
    char path[256];
    snprintf(path, sizeof path, "%s/many.csv", s->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("Handle,Title,Variant SKU,Variant Price\n", f);
    for (int i = 0; i < N; i++)
        fprintf(f, "item-%03d,Item %03d,ITEM-%03d,1.00\n", i, i, i);
    fclose(f);
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "import", "shopify", path, "--db", s->db, NULL),
                     0);
    json_t *lines = normalised_export(s); /* sorted by handle: the file's order */
    struct souk_buf out;
    souk_h_export(s, &out);
    const char *at = out.data;
    size_t misplaced = 0, first = N;
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const char *handle = souk_h_str(json_array_get(lines, i), "handle");
        char needle[64];
        snprintf(needle, sizeof needle, "\"handle\":\"%s\"", handle);
        const char *hit = handle[0] ? strstr(at, needle) : at;
        if (!hit) {
            misplaced++;
            first = first < i ? first : i;
        } else {
            at = hit;
        }
    }
    json_decref(lines);
    souk_buf_release(&out);
    if (misplaced)
        fail_msg("%zu of %d imported products export out of file order (first: item-%03zu)",
                 misplaced, N, first);
}

static void serve_stops_gracefully_on_sigterm(void **state)
{
    struct souk_h_server *s = *state;
    assert_int_equal(souk_h_count(s, "/v1/products"), 0);
    assert_int_equal(souk_h_stop(s), 0);
    souk_h_wait_log(s, NULL, 0, "msg=\"shutting down\"", "signal=SIGTERM", NULL);
    souk_h_wait_log(s, NULL, 0, "msg=stopped", NULL);
}

static void serve_refuses_a_bad_listen_address(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_buf errout = SOUK_BUF_INIT(1 << 16);
    assert_int_equal(
        souk_h_run(NULL, NULL, &errout, "serve", "--listen", "nohost", "--db", s->db, NULL), 1);
    assert_non_null(strstr(errout.data, "HOST:PORT"));
    souk_buf_reset(&errout);
    assert_int_equal(souk_h_run(NULL, NULL, &errout, "serve", "--listen", "127.0.0.1:99999", "--db",
                                s->db, NULL),
                     1);
    assert_non_null(strstr(errout.data, "99999"));
    souk_buf_release(&errout);
}

static void demo_seed_serves_36_products(void **state)
{
    struct souk_h_server *s = *state;
    assert_int_equal(souk_h_stop(s), 0);
    souk_h_cleanup(s);
    souk_h_start(s, "--seed-demo");
    json_t *list = souk_h_get(s, "/v1/products?limit=250");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 36);
    json_decref(list);
    list = souk_h_get(s, "/v1/warehouses");
    assert_int_equal(json_array_size(json_object_get(list, "data")), 2);
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_has_help_and_usage_errors_exit_2),
        cmocka_unit_test_setup_teardown(apikey_list_shows_ids_and_never_secrets, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(shopify_export_imports_with_prices_stock_and_images,
                                        souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_bad_row_names_its_line_and_imports_nothing, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(a_row_the_catalog_refuses_is_reported_at_its_own_line,
                                        souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(export_then_import_round_trips, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(export_then_import_keeps_every_field, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(an_import_keeps_the_file_order, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(serve_stops_gracefully_on_sigterm, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(serve_refuses_a_bad_listen_address, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(demo_seed_serves_36_products, souk_h_setup,
                                        souk_h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for catalog/: the JSON codec, the catalog's rules and its store, on real SQLite;
 * and the stock state events: a SKU running low, selling out and coming back is announced once
 * per transition in the outbox, whichever path moved the units (orders, cancellations,
 * PUT /v1/stock, a new threshold); and collections, whose members are announced as they join
 * and leave.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "db/db.h"
#include "orders/orders.h"

struct fixture {
    char dir[64];
    struct souk_db *db;
    struct souk_db_conn *conn;
    struct souk_pool *pool;
    struct souk_err err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char spec[128];
    snprintf(f->dir, sizeof f->dir, "/tmp/souk-catalogtest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(spec, sizeof spec, "sqlite:%s/t.db", f->dir);
    struct souk_db_options opts = {.connections = 1};
    assert_int_equal(souk_db_open(spec, &opts, &f->db, &f->err), SOUK_OK);
    assert_int_equal(souk_db_migrate(f->db, &f->err), SOUK_OK);
    f->conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(f->conn, SOUK_DB_WRITE, &f->err), SOUK_OK);
    f->pool = souk_pool_new();
    struct souk_warehouse w[] = {{.code = "berlin", .name = "Berlin", .country = "DE"},
                                 {.code = "newark", .name = "Newark", .country = "US"}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w[i], &f->err), SOUK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_db_release(f->conn); /* rolls back */
    souk_db_close(f->db);
    souk_pool_free(f->pool);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/t.db%s", f->dir, suffixes[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("bad test JSON at %d: %s", jerr.column, jerr.text);
    return j;
}

/* Decodes and creates a product; returns the status and leaves the error in f->err. */
static int create(struct fixture *f, const char *text, struct souk_product **out)
{
    json_t *j = parse(text);
    struct souk_product *p = souk_pool_alloc(f->pool, sizeof *p);
    souk_err_clear(&f->err);
    int rc = souk_catalog_product_decode(f->pool, j, SOUK_CATALOG_CREATE, p, &f->err);
    json_decref(j);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_create(f->conn, f->pool, p, &f->err);
    if (out)
        *out = p;
    return rc;
}

#define SHIRT                                                                                      \
    "{\"title\": \"Linen Shirt (Blue)\", \"options\": [\"Size\"], \"tags\": [\"summer\", "         \
    "\"linen\"], \"media\": [{\"url\": \"https://cdn.example/b.jpg\", \"position\": 2}, "          \
    "{\"url\": \"https://cdn.example/a.jpg\", \"alt\": \"front\", \"position\": 1}], "             \
    "\"translations\": {\"pt\": {\"title\": \"Camisa de linho\", \"description\": \"PT\"}, "       \
    "\"pt-br\": {\"title\": \"Camisa de linho (BR)\"}}, \"description\": \"EN\", "                 \
    "\"variants\": [{\"sku\": \"SHIRT-S\", \"option_values\": [\"S\"], \"gtin\": "                 \
    "\"4006381333931\", \"image_url\": \"https://cdn.example/a.jpg\", \"prices\": "                \
    "[{\"currency\": \"EUR\", \"amount\": 4900, \"compare_at\": 5900}, {\"currency\": \"JPY\", "   \
    "\"amount\": 7900}], \"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": 5}]}, "         \
    "{\"sku\": \"SHIRT-M\", \"option_values\": [\"M\"], \"prices\": [{\"currency\": \"EUR\", "     \
    "\"amount\": 4900, \"sale\": {\"amount\": 3900, \"starts_at\": \"2026-12-01T00:00:00Z\", "     \
    "\"ends_at\": \"2026-12-24T00:00:00Z\"}}]}]}"

static void create_fills_defaults_and_reads_back(void **state)
{
    struct fixture *f = *state;
    struct souk_product *created, *p;
    assert_int_equal(create(f, SHIRT, &created), SOUK_OK);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, created->id, NULL, &p, &f->err),
                     SOUK_OK);
    assert_string_equal(p->handle, "linen-shirt-blue");
    assert_string_equal(p->status, "active");
    assert_string_equal(p->condition, "new");
    assert_int_equal(p->version, 1);
    assert_int_equal(p->ntags, 2);
    assert_string_equal(p->tags[0], "linen"); /* tags read back sorted */
    assert_int_equal(p->nmedia, 2);
    assert_string_equal(p->media[0].url, "https://cdn.example/a.jpg"); /* sorted by position */
    assert_int_equal(p->media[1].position, 2);
    assert_int_equal(p->ntranslations, 2);
    assert_string_equal(p->translations[1].locale, "pt-BR"); /* canonicalised */
    assert_int_equal(p->nvariants, 2);
    struct souk_variant *v = &p->variants[0];
    assert_string_equal(v->sku, "SHIRT-S");
    assert_int_equal(v->position, 1);
    assert_int_equal(v->nprices, 2);
    assert_string_equal(v->prices[0].currency, "EUR");
    assert_int_equal(v->prices[0].compare_at, 5900);
    assert_int_equal(v->prices[1].amount, 7900);
    assert_int_equal(v->nstock, 1);
    assert_string_equal(v->stock[0].warehouse_code, "berlin");
    assert_int_equal(v->stock[0].on_hand, 5);
    assert_int_equal(p->variants[1].prices[0].sale_amount, 3900);
    assert_int_equal(p->variants[1].weight_grams, SOUK_CATALOG_UNSET);

    json_t *j = souk_catalog_product_encode(p);
    json_t *sale = json_object_get(
        json_array_get(json_object_get(json_array_get(json_object_get(j, "variants"), 1), "prices"),
                       0),
        "sale");
    assert_string_equal(json_string_value(json_object_get(sale, "starts_at")),
                        "2026-12-01T00:00:00.000000Z");
    json_decref(j);
}

static void locale_falls_back_through_the_chain(void **state)
{
    struct fixture *f = *state;
    struct souk_product *created, *p;
    assert_int_equal(create(f, SHIRT, &created), SOUK_OK);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, created->id, "pt-BR", &p, &f->err),
                     SOUK_OK);
    assert_string_equal(p->title, "Camisa de linho (BR)");
    assert_string_equal(p->description, "PT"); /* pt-BR has none: pt's */
    assert_string_equal(p->resolved_locale, "pt-BR");
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, created->id, "pt-PT", &p, &f->err),
                     SOUK_OK);
    assert_string_equal(p->title, "Camisa de linho");
    assert_string_equal(p->resolved_locale, "pt");
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, created->id, "fr", &p, &f->err),
                     SOUK_OK);
    assert_string_equal(p->title, "Linen Shirt (Blue)");
    assert_string_equal(p->resolved_locale, "en");
}

static void bad_input_names_the_field(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *body;
        int code;
        const char *param;
    } cases[] = {
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"gtin\": \"4006381333932\"}]}",
         SOUK_EINVAL, "variants[0].gtin"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"prices\": [{\"currency\": "
         "\"XYZ\", \"amount\": 1}]}]}",
         SOUK_EINVAL, "variants[0].prices[0].currency"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"prices\": [{\"currency\": "
         "\"EUR\", \"amount\": \"12.00\"}]}]}",
         SOUK_EINVAL, "variants[0].prices[0].amount"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"stock\": [{\"warehouse_code\": "
         "\"berlin\", \"on_hand\": -1}]}]}",
         SOUK_EINVAL, "variants[0].stock[0].on_hand"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"stock\": [{\"warehouse_code\": "
         "\"paris\", \"on_hand\": 1}]}]}",
         SOUK_EUNPROC, "variants[0].stock[0]"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\"}, {\"sku\": \"A1\"}]}", SOUK_ECONFLICT,
         "variants[1].sku"},
        {"{\"title\": \"A\", \"options\": [\"Size\"], \"variants\": [{\"sku\": \"A1\"}]}",
         SOUK_EINVAL, "variants[0].option_values[0]"},
        {"{\"title\": \"A\", \"variants\": [{\"sku\": \"A1\", \"image_url\": "
         "\"https://x.example/1.jpg\"}]}",
         SOUK_EUNPROC, "variants[0].image_url"},
        {"{\"title\": \"A\", \"translations\": {\"xx-QQ\": {\"title\": \"?\"}}}", SOUK_EINVAL,
         "translations.xx-QQ"},
        {"{\"title\": \"A\", \"translations\": {\"en\": {\"title\": \"?\"}}}", SOUK_EINVAL,
         "translations.en"},
        {"{\"title\": \"A\", \"status\": \"live\"}", SOUK_EINVAL, "status"},
        {"{\"title\": \"A\", \"colour\": \"red\"}", SOUK_EINVAL, "colour"},
        {"{\"title\": \"A\", \"id\": \"prod_x\"}", SOUK_EINVAL, "id"},
        {"{\"title\": 7}", SOUK_EINVAL, "title"},
        {"{\"title\": \"  \"}", SOUK_EINVAL, "title"},
        {"{\"description\": \"no title\"}", SOUK_EINVAL, "title"},
        {"{\"title\": \"A\", \"handle\": \"Not A Slug\"}", SOUK_EINVAL, "handle"},
        {"{\"title\": \"A\", \"media\": [{\"url\": \"ftp://x/1.jpg\"}]}", SOUK_EINVAL,
         "media[0].url"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = create(f, cases[i].body, NULL);
        if (rc != cases[i].code || strcmp(f->err.param, cases[i].param) != 0)
            fail_msg("case %zu: got %d param '%s' (%s), want %d '%s'", i, rc, f->err.param,
                     f->err.message, cases[i].code, cases[i].param);
        assert_true(f->err.message[0] != '\0');
    }
    /* Nothing of the failed attempts is visible (the caller rolls back; here none was
     * inserted because every check runs before the first write or fails the product). */
}

static void sku_and_handle_are_unique_across_products(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create(f, SHIRT, NULL), SOUK_OK);
    assert_int_equal(
        create(f, "{\"title\": \"Other\", \"variants\": [{\"sku\": \"SHIRT-M\"}]}", NULL),
        SOUK_ECONFLICT);
    assert_string_equal(f->err.param, "variants[0].sku");
    assert_non_null(strstr(f->err.message, "SHIRT-M"));
    assert_int_equal(create(f, "{\"title\": \"Linen shirt, blue!\"}", NULL), SOUK_ECONFLICT);
    assert_string_equal(f->err.param, "handle");
}

static void update_checks_version_and_variants(void **state)
{
    struct fixture *f = *state;
    struct souk_product *p;
    assert_int_equal(create(f, SHIRT, &p), SOUK_OK);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, p->id, NULL, &p, &f->err), SOUK_OK);
    json_t *patch = parse("{\"title\": \"Linen Shirt\", \"brand\": \"Acme\"}");
    assert_int_equal(souk_catalog_product_decode(f->pool, patch, SOUK_CATALOG_PATCH, p, &f->err),
                     SOUK_OK);
    json_decref(patch);
    assert_int_equal(souk_catalog_product_update(f->conn, f->pool, p, 9, &f->err), SOUK_EPRECOND);
    assert_int_equal(souk_catalog_product_update(f->conn, f->pool, p, 1, &f->err), SOUK_OK);
    struct souk_product *again;
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, p->id, NULL, &again, &f->err),
                     SOUK_OK);
    assert_int_equal(again->version, 2);
    assert_string_equal(again->brand, "Acme");
    assert_string_equal(again->handle, "linen-shirt-blue"); /* handles do not follow titles */

    /* Dropping the media a variant shows, or the option its values fill, is refused. */
    patch = parse("{\"media\": []}");
    assert_int_equal(
        souk_catalog_product_decode(f->pool, patch, SOUK_CATALOG_PATCH, again, &f->err), SOUK_OK);
    json_decref(patch);
    assert_int_equal(souk_catalog_product_update(f->conn, f->pool, again, 2, &f->err),
                     SOUK_EUNPROC);
    patch = parse("{\"variants\": []}");
    assert_int_equal(souk_catalog_product_decode(f->pool, patch, SOUK_CATALOG_PATCH, p, &f->err),
                     SOUK_EINVAL);
    json_decref(patch);
}

static void variant_changes_bump_the_product(void **state)
{
    struct fixture *f = *state;
    struct souk_product *p;
    assert_int_equal(create(f, SHIRT, &p), SOUK_OK);
    char body[256];
    snprintf(body, sizeof body,
             "{\"product_id\": \"%s\", \"sku\": \"SHIRT-L\", \"option_values\": [\"L\"]}", p->id);
    json_t *j = parse(body);
    struct souk_variant v;
    assert_int_equal(souk_catalog_variant_decode(f->pool, j, SOUK_CATALOG_CREATE, &v, "", &f->err),
                     SOUK_OK);
    json_decref(j);
    assert_int_equal(souk_catalog_variant_create(f->conn, f->pool, &v, &f->err), SOUK_OK);
    assert_int_equal(v.position, 3);
    struct souk_product *after;
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, p->id, NULL, &after, &f->err),
                     SOUK_OK);
    assert_int_equal(after->version, 2);
    assert_int_equal(after->nvariants, 3);

    /* Same option values as a sibling: refused. */
    struct souk_variant *stored;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, v.id, &stored, &f->err), SOUK_OK);
    j = parse("{\"option_values\": [\"M\"]}");
    assert_int_equal(
        souk_catalog_variant_decode(f->pool, j, SOUK_CATALOG_PATCH, stored, "", &f->err), SOUK_OK);
    json_decref(j);
    assert_int_equal(souk_catalog_variant_update(f->conn, f->pool, stored, 1, &f->err),
                     SOUK_EINVAL);

    assert_int_equal(souk_catalog_variant_delete(f->conn, v.id, 1, &f->err), SOUK_OK);
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, v.id, &stored, &f->err),
                     SOUK_ENOTFOUND);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, p->id, NULL, &after, &f->err),
                     SOUK_OK);
    assert_int_equal(after->version, 3);
}

static void stock_is_set_per_warehouse_and_blocks_warehouse_delete(void **state)
{
    struct fixture *f = *state;
    struct souk_product *p;
    assert_int_equal(create(f, SHIRT, &p), SOUK_OK);
    struct souk_warehouse *newark;
    assert_int_equal(souk_catalog_warehouse_by_code(f->conn, f->pool, "newark", &newark, &f->err),
                     SOUK_OK);
    struct souk_stock_level s = {
        .variant_id = p->variants[0].id, .warehouse_id = newark->id, .on_hand = 12};
    assert_int_equal(souk_catalog_stock_set(f->conn, f->pool, &s, NULL, 3, &f->err), SOUK_EPRECOND);
    assert_int_equal(
        souk_catalog_stock_set(f->conn, f->pool, &s, NULL, SOUK_CATALOG_NO_VERSION, &f->err),
        SOUK_OK);
    assert_int_equal(s.version, 1);
    assert_string_equal(s.warehouse_code, "newark");
    s.on_hand = -3;
    assert_int_equal(souk_catalog_stock_set(f->conn, f->pool, &s, NULL, 1, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "on_hand");
    s.on_hand = 20;
    assert_int_equal(souk_catalog_stock_set(f->conn, f->pool, &s, NULL, 1, &f->err), SOUK_OK);
    assert_int_equal(s.version, 2);
    assert_int_equal(s.on_hand, 20);
    struct souk_stock_level ghost = {.variant_id = "var_missing", .warehouse_id = newark->id};
    assert_int_equal(souk_catalog_stock_set(f->conn, f->pool, &ghost, NULL, -1, &f->err),
                     SOUK_ENOTFOUND);

    assert_int_equal(souk_catalog_warehouse_delete(f->conn, newark->id, -1, &f->err),
                     SOUK_ECONFLICT);
    assert_int_equal(souk_catalog_stock_delete(f->conn, s.variant_id, newark->id, 2, &f->err),
                     SOUK_OK);
    assert_int_equal(souk_catalog_warehouse_delete(f->conn, newark->id, 1, &f->err), SOUK_OK);

    struct souk_stock_level *items;
    size_t count;
    bool more;
    struct souk_stock_filter filter = {.limit = 10};
    assert_int_equal(
        souk_catalog_stock_list(f->conn, f->pool, &filter, &items, &count, &more, &f->err),
        SOUK_OK);
    assert_int_equal(count, 1); /* SHIRT-S in berlin */
    assert_false(more);
}

/* Sets on_hand of the shirt's first variant in the warehouse with this code. */
static const char *stock_in(struct fixture *f, const struct souk_product *p, const char *code,
                            int64_t on_hand)
{
    struct souk_warehouse *w;
    assert_int_equal(souk_catalog_warehouse_by_code(f->conn, f->pool, code, &w, &f->err), SOUK_OK);
    struct souk_stock_level s = {
        .variant_id = p->variants[0].id, .warehouse_id = w->id, .on_hand = on_hand};
    assert_int_equal(
        souk_catalog_stock_set(f->conn, f->pool, &s, NULL, SOUK_CATALOG_NO_VERSION, &f->err),
        SOUK_OK);
    return w->id;
}

static void a_reservation_ships_from_the_buyers_country_then_from_the_fullest_warehouse(
    void **state)
{
    struct fixture *f = *state;
    struct souk_product *p;
    assert_int_equal(create(f, SHIRT, &p), SOUK_OK);
    struct souk_warehouse austin = {.code = "austin", .name = "Austin", .country = "US"};
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &austin, &f->err), SOUK_OK);
    const char *berlin = stock_in(f, p, "berlin", 2);
    const char *newark = stock_in(f, p, "newark", 10);
    const char *texas = stock_in(f, p, "austin", 10);
    const char *variant = p->variants[0].id;
    char chosen[SOUK_ID_MAX];

    assert_int_equal(souk_catalog_stock_reserve(f->conn, variant, 1, "DE", NULL, "test", "q",
                                                chosen, &f->err),
                     SOUK_OK);
    assert_string_equal(chosen, berlin); /* the buyer's country, though it holds the fewest */
    /* Berlin has 1 left: 3 units come from the fullest, the lower id between equals. */
    assert_int_equal(souk_catalog_stock_reserve(f->conn, variant, 3, "DE", NULL, "test", "q",
                                                chosen, &f->err),
                     SOUK_OK);
    const char *first = strcmp(newark, texas) < 0 ? newark : texas;
    assert_string_equal(chosen, first);
    /* In the US, the US warehouse with most left: the one not drawn on just now. */
    assert_int_equal(souk_catalog_stock_reserve(f->conn, variant, 1, "US", NULL, "test", "q",
                                                chosen, &f->err),
                     SOUK_OK);
    assert_string_equal(chosen, first == newark ? texas : newark);
    /* No ship-to country: the fullest. 1 + 7 + 9 left; no single warehouse has 10. */
    assert_int_equal(souk_catalog_stock_reserve(f->conn, variant, 2, NULL, NULL, "test", "q",
                                                chosen, &f->err),
                     SOUK_OK);
    assert_string_equal(chosen, first == newark ? texas : newark);
    assert_int_equal(souk_catalog_stock_reserve(f->conn, variant, 10, "US", NULL, "test", "q",
                                                chosen, &f->err),
                     SOUK_EOUTOFSTOCK);
    assert_string_equal(f->err.param, "q");
}

static void list_pages_and_filters(void **state)
{
    struct fixture *f = *state;
    char body[256];
    for (int i = 0; i < 7; i++) {
        snprintf(body, sizeof body,
                 "{\"title\": \"Mug %d\", \"status\": \"%s\", \"tags\": [\"%s\"], "
                 "\"variants\": [{\"sku\": \"MUG-%03d\"}]}",
                 i, i % 3 == 0 ? "draft" : "active", i % 2 ? "odd" : "even", i);
        assert_int_equal(create(f, body, NULL), SOUK_OK);
    }
    struct souk_product_filter filter = {.limit = 3, .updated_since = SOUK_CATALOG_UNSET};
    struct souk_product *items;
    size_t count, total = 0;
    bool more = true;
    while (more) {
        assert_int_equal(
            souk_catalog_product_list(f->conn, f->pool, &filter, &items, &count, &more, &f->err),
            SOUK_OK);
        total += count;
        if (count)
            filter.after = items[count - 1].id;
    }
    assert_int_equal(total, 7);

    struct souk_product_filter drafts = {
        .limit = 50, .status = "draft", .updated_since = SOUK_CATALOG_UNSET};
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &drafts, &items, &count, &more, &f->err),
        SOUK_OK);
    assert_int_equal(count, 3);
    struct souk_product_filter odd = {
        .limit = 50, .tag = "odd", .updated_since = SOUK_CATALOG_UNSET};
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &odd, &items, &count, &more, &f->err), SOUK_OK);
    assert_int_equal(count, 3);
    struct souk_product_filter q = {
        .limit = 50, .q = "mug-00", .updated_since = SOUK_CATALOG_UNSET};
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &q, &items, &count, &more, &f->err), SOUK_OK);
    assert_int_equal(count, 7); /* by SKU, case-insensitive */
    q.q = "MUG 4";
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &q, &items, &count, &more, &f->err), SOUK_OK);
    assert_int_equal(count, 1);
    q.q = "100%";
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &q, &items, &count, &more, &f->err), SOUK_OK);
    assert_int_equal(count, 0); /* '%' is literal */
    struct souk_product_filter future = {.limit = 50, .updated_since = INT64_MAX / 2};
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &future, &items, &count, &more, &f->err),
        SOUK_OK);
    assert_int_equal(count, 0);
}

/* ---- a listed page is what getting each of its products gives ---- */

#define PAGE_MAX 250 /* the largest limit souk_catalog_product_list takes */

/* The fields of each catalog struct, for X-macros: TEXT for strings, NUMBER for integers. */
/* clang-format off */
#define PRODUCT_FIELDS(TEXT, NUMBER)                                                               \
    TEXT(id) TEXT(handle) TEXT(status) TEXT(title) TEXT(description) TEXT(brand) TEXT(vendor)      \
    TEXT(product_type) TEXT(google_product_category) TEXT(condition) TEXT(option_names[0])        \
    TEXT(option_names[1]) TEXT(option_names[2]) TEXT(resolved_locale) NUMBER(version)              \
    NUMBER(created_at) NUMBER(updated_at) NUMBER(ntags) NUMBER(ntranslations) NUMBER(nmedia)       \
    NUMBER(nvariants)
#define VARIANT_FIELDS(TEXT, NUMBER)                                                               \
    TEXT(id) TEXT(product_id) TEXT(sku) TEXT(gtin) TEXT(mpn) TEXT(options[0]) TEXT(options[1])     \
    TEXT(options[2]) TEXT(image_url) NUMBER(position) NUMBER(weight_grams) NUMBER(length_mm)       \
    NUMBER(width_mm) NUMBER(height_mm) NUMBER(version) NUMBER(created_at) NUMBER(updated_at)       \
    NUMBER(nprices) NUMBER(nstock)
#define PRICE_FIELDS(TEXT, NUMBER)                                                                 \
    TEXT(currency) NUMBER(amount) NUMBER(compare_at) NUMBER(sale_amount) NUMBER(sale_starts_at)    \
    NUMBER(sale_ends_at)
#define STOCK_FIELDS(TEXT, NUMBER)                                                                 \
    TEXT(warehouse_id) TEXT(warehouse_code) TEXT(variant_id) NUMBER(on_hand) NUMBER(reserved)      \
    NUMBER(version) NUMBER(updated_at)
#define TRANSLATION_FIELDS(TEXT, NUMBER) TEXT(locale) TEXT(title) TEXT(description)
#define MEDIA_FIELDS(TEXT, NUMBER) NUMBER(position) TEXT(url) TEXT(alt)
/* clang-format on */

static void same_text(const char *where, const char *field, const char *list, const char *get)
{
    if ((list == NULL) != (get == NULL) || (list && strcmp(list, get) != 0))
        fail_msg("%s %s: list has \"%s\", get has \"%s\"", where, field, list ? list : "(null)",
                 get ? get : "(null)");
}

static void same_number(const char *where, const char *field, int64_t list, int64_t get)
{
    if (list != get)
        fail_msg("%s %s: list has %lld, get has %lld", where, field, (long long)list,
                 (long long)get);
}

/* For the *_FIELDS lists in the same_* functions below, whose structs are `list` and `get`. */
#define SAME_TEXT(field) same_text(where, #field, list->field, get->field);
#define SAME_NUMBER(field) same_number(where, #field, (int64_t)list->field, (int64_t)get->field);

/* Compares two structs of one type; where names them in failure messages. */
typedef void same_fn(const char *where, const void *list, const void *get);

/* Compares n items of size bytes each, named "<where> <name>[k]" in failures. The counts are
 * compared (with the *_FIELDS) before, so both arrays hold n. */
static void same_items(const char *where, const char *name, const void *list, const void *get,
                       size_t n, size_t size, same_fn *same)
{
    for (size_t k = 0; k < n; k++) {
        char at[192];
        assert_true(snprintf(at, sizeof at, "%s %s[%zu]", where, name, k) < (int)sizeof at);
        same(at, (const char *)list + k * size, (const char *)get + k * size);
    }
}

static void same_tag(const char *where, const void *list, const void *get)
{
    same_text(where, "", *(char *const *)list, *(char *const *)get);
}

/* Defines same_<name>, a same_fn for the struct whose fields FIELDS lists. */
#define SAME_STRUCT(name, type, FIELDS)                                                            \
    static void same_##name(const char *where, const void *l, const void *g)                       \
    {                                                                                              \
        const type *list = l, *get = g;                                                            \
        FIELDS(SAME_TEXT, SAME_NUMBER)                                                             \
    }

SAME_STRUCT(translation, struct souk_translation, TRANSLATION_FIELDS)
SAME_STRUCT(media, struct souk_media, MEDIA_FIELDS)
SAME_STRUCT(price, struct souk_price, PRICE_FIELDS)
SAME_STRUCT(stock, struct souk_stock_level, STOCK_FIELDS)

static void same_variant(const char *where, const void *l, const void *g)
{
    const struct souk_variant *list = l, *get = g;
    VARIANT_FIELDS(SAME_TEXT, SAME_NUMBER)
    same_items(where, "prices", list->prices, get->prices, get->nprices, sizeof *get->prices,
               same_price);
    same_items(where, "stock", list->stock, get->stock, get->nstock, sizeof *get->stock,
               same_stock);
}

static void same_product(const struct souk_product *list, const struct souk_product *get)
{
    const char *where = get->id;
    PRODUCT_FIELDS(SAME_TEXT, SAME_NUMBER)
    same_items(where, "tags", list->tags, get->tags, get->ntags, sizeof *get->tags, same_tag);
    same_items(where, "translations", list->translations, get->translations, get->ntranslations,
               sizeof *get->translations, same_translation);
    same_items(where, "media", list->media, get->media, get->nmedia, sizeof *get->media,
               same_media);
    same_items(where, "variants", list->variants, get->variants, get->nvariants,
               sizeof *get->variants, same_variant);
}

/* What a listed page held, to show the comparison was not of empty products. */
struct page_totals {
    size_t products, variants, prices, stock, media, tags, translations;
};

/* Pages through the filter's products, comparing each with souk_catalog_product_get. */
static void list_equals_get(struct fixture *f, struct souk_product_filter filter,
                            struct page_totals *totals)
{
    bool more = true;
    *totals = (struct page_totals){0};
    while (more) {
        struct souk_product *items;
        size_t count;
        assert_int_equal(
            souk_catalog_product_list(f->conn, f->pool, &filter, &items, &count, &more, &f->err),
            SOUK_OK);
        for (size_t i = 0; i < count; i++) {
            struct souk_product *got;
            assert_int_equal(souk_catalog_product_get(f->conn, f->pool, items[i].id, filter.locale,
                                                      &got, &f->err),
                             SOUK_OK);
            same_product(&items[i], got);
            totals->products++;
            totals->variants += got->nvariants;
            for (size_t k = 0; k < got->nvariants; k++) {
                totals->prices += got->variants[k].nprices;
                totals->stock += got->variants[k].nstock;
            }
            totals->media += got->nmedia;
            totals->tags += got->ntags;
            totals->translations += got->ntranslations;
        }
        if (count)
            filter.after = items[count - 1].id;
    }
}

/*
 * Product i of the page test: (i % 4) variants whose positions run against their order of
 * creation, 1-3 prices listed out of currency order, stock in newark then berlin (read back by
 * code), (i % 3) media listed out of position order, (i % 5) tags, and translations.
 */
static void page_product(int i, char *body, size_t size)
{
    static const char *const translations[] = {
        "{}",
        "{\"pt\": {\"title\": \"Produto\", \"description\": \"PT\"}}",
        ("{\"pt\": {\"title\": \"Produto\"}, \"pt-br\": {\"title\": \"Produto BR\"}, "
         "\"de\": {\"description\": \"DE\"}}"),
    };
    static const char *const sizes[] = {"S", "M", "L"};
    int n = snprintf(body, size,
                     "{\"title\": \"Page product %03d\", \"brand\": \"Brand %d\", "
                     "\"options\": [\"Size\"], \"translations\": %s, \"tags\": [",
                     i, i % 7, translations[i % 3]);
    for (int t = 0; t < i % 5; t++)
        n += snprintf(body + n, size - (size_t)n, "%s\"tag-%d\"", t ? ", " : "", 4 - t);
    n += snprintf(body + n, size - (size_t)n, "], \"media\": [");
    for (int m = i % 3; m > 0; m--)
        n += snprintf(body + n, size - (size_t)n,
                      "%s{\"url\": \"https://cdn.example/%d-%d.jpg\", \"position\": %d%s}",
                      m < i % 3 ? ", " : "", i, m, m, m == 1 ? ", \"alt\": \"front\"" : "");
    n += snprintf(body + n, size - (size_t)n, "], \"variants\": [");
    for (int v = 0; v < i % 4; v++) {
        n += snprintf(body + n, size - (size_t)n,
                      "%s{\"sku\": \"PAGE-%03d-%d\", \"option_values\": [\"%s\"], "
                      "\"position\": %d, \"weight_grams\": %d, \"prices\": [",
                      v ? ", " : "", i, v, sizes[v], i % 4 - v, 100 * v);
        static const char *const prices[] = {
            "{\"currency\": \"USD\", \"amount\": 1999}",
            "{\"currency\": \"EUR\", \"amount\": 1799, \"compare_at\": 2499}",
            ("{\"currency\": \"JPY\", \"amount\": 2900, \"sale\": {\"amount\": 2500, "
             "\"starts_at\": \"2026-12-01T00:00:00Z\"}}"),
        };
        for (int k = 0; k <= (i + v) % 3; k++)
            n += snprintf(body + n, size - (size_t)n, "%s%s", k ? ", " : "", prices[k]);
        n += snprintf(body + n, size - (size_t)n, "], \"stock\": [%s]}",
                      (i + v) % 2 ? "{\"warehouse_code\": \"newark\", \"on_hand\": 3}, "
                                    "{\"warehouse_code\": \"berlin\", \"on_hand\": 4}"
                                  : "");
    }
    n += snprintf(body + n, size - (size_t)n, "]}");
    assert_true(n > 0 && (size_t)n < size);
}

static void list_loads_pages_as_get_loads_products(void **state)
{
    struct fixture *f = *state;
    /* A full page of the largest size and one more: every parameter of the page queries is
     * bound, and the second page has one product. */
    int nproducts = PAGE_MAX + 1;
    char body[4096];
    for (int i = 0; i < nproducts; i++) {
        page_product(i, body, sizeof body);
        if (create(f, body, NULL) != SOUK_OK)
            fail_msg("product %d: %s (%s)", i, f->err.message, f->err.param);
    }
    struct page_totals totals;
    struct souk_product_filter all = {.limit = PAGE_MAX, .updated_since = SOUK_CATALOG_UNSET};
    list_equals_get(f, all, &totals);
    assert_int_equal(totals.products, nproducts);
    assert_true(totals.variants > 300 && totals.prices > totals.variants && totals.stock > 200 &&
                totals.media > 200 && totals.tags > 400 && totals.translations > 200);

    /* Short pages (unused parameters bound to NULL), a locale, and a filter. */
    all.limit = 7;
    all.locale = "pt-BR";
    list_equals_get(f, all, &totals);
    assert_int_equal(totals.products, nproducts);
    struct souk_product_filter tagged = {
        .limit = 9, .tag = "tag-2", .locale = "de", .updated_since = SOUK_CATALOG_UNSET};
    list_equals_get(f, tagged, &totals);
    assert_int_equal(totals.products, 100); /* i % 5 is 3 or 4 */

    /* And the page is in the order the catalog keeps: product 7 has 3 variants. */
    struct souk_product *items;
    size_t count;
    bool more;
    all = (struct souk_product_filter){.limit = 10, .updated_since = SOUK_CATALOG_UNSET};
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &all, &items, &count, &more, &f->err), SOUK_OK);
    const struct souk_product *p = &items[7];
    assert_string_equal(p->title, "Page product 007");
    assert_int_equal(p->nvariants, 3);
    assert_string_equal(p->variants[0].sku, "PAGE-007-2"); /* by position, not creation */
    assert_int_equal(p->variants[0].position, 1);
    assert_int_equal(p->variants[1].nprices, 3);
    assert_string_equal(p->variants[1].prices[0].currency, "EUR");
    assert_string_equal(p->variants[1].prices[2].currency, "USD");
    assert_int_equal(p->variants[0].nstock, 2);
    assert_string_equal(p->variants[0].stock[0].warehouse_code, "berlin");
    assert_int_equal(p->ntags, 2);
    assert_string_equal(p->tags[0], "tag-3");
    assert_int_equal(p->nmedia, 1);
    assert_int_equal(p->ntranslations, 1);
    assert_int_equal(items[2].nmedia, 2);
    assert_int_equal(items[2].media[0].position, 1);
    assert_string_equal(items[2].translations[0].locale, "de");
}

static void file_text_must_be_utf8(void **state)
{
    struct fixture *f = *state;
    struct souk_product p = {.title = "Caf\xe9"}; /* Latin-1, as a CSV may carry */
    assert_int_equal(souk_catalog_product_create(f->conn, f->pool, &p, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "title");
}

static void warehouse_rules(void **state)
{
    struct fixture *f = *state;
    struct souk_warehouse w = {.code = "berlin", .name = "Again", .country = "DE"};
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w, &f->err), SOUK_ECONFLICT);
    w = (struct souk_warehouse){.code = "tokyo", .name = "Tokyo", .country = "XX"};
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w, &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "country");
    w.country = "JP";
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w, &f->err), SOUK_OK);
    w.name = "Tokyo West";
    assert_int_equal(souk_catalog_warehouse_update(f->conn, &w, 1, &f->err), SOUK_OK);
    assert_int_equal(w.version, 2);
    assert_int_equal(souk_catalog_warehouse_update(f->conn, &w, 1, &f->err), SOUK_EPRECOND);
}

/*
 * Stock state events (store.c, souk_catalog__touch_variant). TEE-M has 5 on hand in newark and
 * a low_stock_threshold of 3; TEE-L has 2 and no threshold.
 */
struct tee {
    char product_id[SOUK_ID_MAX], tee_m[SOUK_ID_MAX], tee_l[SOUK_ID_MAX];
};

static struct tee make_tee(struct fixture *f)
{
    struct tee t;
    struct souk_product *p;
    assert_int_equal(
        create(
            f,
            "{\"title\": \"Tee\", \"options\": [\"Size\"], \"variants\": [{\"sku\": \"TEE-M\", "
            "\"option_values\": [\"M\"], \"low_stock_threshold\": 3, \"prices\": [{\"currency\": "
            "\"USD\", \"amount\": 1999}], \"stock\": [{\"warehouse_code\": \"newark\", "
            "\"on_hand\": 5}]}, {\"sku\": \"TEE-L\", \"option_values\": [\"L\"], \"prices\": "
            "[{\"currency\": \"USD\", \"amount\": 1999}], \"stock\": [{\"warehouse_code\": "
            "\"newark\", \"on_hand\": 2}]}]}",
            &p),
        SOUK_OK);
    snprintf(t.product_id, sizeof t.product_id, "%s", p->id);
    snprintf(t.tee_m, sizeof t.tee_m, "%s", p->variants[0].id);
    snprintf(t.tee_l, sizeof t.tee_l, "%s", p->variants[1].id);
    return t;
}

/* The state events of a variant so far, oldest first: "stock.low stock.out stock.back". */
static const char *events(struct fixture *f, const char *variant_id)
{
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_prepare(f->conn,
                                     "SELECT topic FROM outbox WHERE subject = $1 AND topic IN "
                                     "('stock.low', 'stock.out', 'stock.back') ORDER BY seq",
                                     &st, &f->err),
                     SOUK_OK);
    assert_int_equal(souk_db_bind(st, "s", variant_id), SOUK_OK);
    char *out = "";
    int rc;
    while ((rc = souk_db_step(st, &f->err)) == 1) {
        struct souk_str topic = souk_db_col_text(st, 0);
        out =
            souk_pool_printf(f->pool, "%s%s%.*s", out, *out ? " " : "", (int)topic.len, topic.ptr);
    }
    assert_int_equal(rc, 0);
    return out;
}

/* The payload of the newest state event of a variant, parsed (the caller decrefs it). */
static json_t *last_payload(struct fixture *f, const char *variant_id)
{
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_query(f->conn, &f->err, &st,
                                   "SELECT payload FROM outbox WHERE subject = $1 AND topic IN "
                                   "('stock.low', 'stock.out', 'stock.back') ORDER BY seq DESC",
                                   "s", variant_id),
                     1);
    return parse(souk_pool_str(f->pool, souk_db_col_text(st, 0)));
}

static void payload_is(struct fixture *f, const struct tee *t, const char *variant_id,
                       const char *sku, const char *state, int64_t available, int64_t threshold)
{
    json_t *p = last_payload(f, variant_id);
    assert_string_equal(json_string_value(json_object_get(p, "sku")), sku);
    assert_string_equal(json_string_value(json_object_get(p, "variant_id")), variant_id);
    assert_string_equal(json_string_value(json_object_get(p, "product_id")), t->product_id);
    assert_string_equal(json_string_value(json_object_get(p, "state")), state);
    assert_int_equal(json_integer_value(json_object_get(p, "available")), available);
    if (threshold == SOUK_CATALOG_UNSET)
        assert_true(json_is_null(json_object_get(p, "threshold")));
    else
        assert_int_equal(json_integer_value(json_object_get(p, "threshold")), threshold);
    json_decref(p);
}

static const char *stored_state(struct fixture *f, const char *variant_id)
{
    struct souk_variant *v;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, variant_id, &v, &f->err), SOUK_OK);
    return v->stock_state;
}

/* Places a direct order for quantity units of sku; returns its id, or NULL with the status in
 * *rc when it is refused (rolled back to a savepoint, as the request would be). */
static const char *order(struct fixture *f, const char *sku, int64_t quantity, int *rc)
{
    char body[160];
    snprintf(body, sizeof body,
             "{\"currency\": \"USD\", \"lines\": [{\"sku\": \"%s\", \"quantity\": %lld}]}", sku,
             (long long)quantity);
    json_t *j = parse(body);
    struct souk_order *o = souk_pool_alloc(f->pool, sizeof *o);
    assert_int_equal(souk_orders_decode(f->pool, j, o, &f->err), SOUK_OK);
    json_decref(j);
    assert_int_equal(souk_db_savepoint(f->conn, &f->err), SOUK_OK);
    *rc = souk_orders_prepare(f->conn, f->pool, o, &f->err);
    if (*rc == SOUK_OK)
        *rc = souk_orders_place(f->conn, f->pool, o, &f->err);
    if (*rc != SOUK_OK) {
        assert_int_equal(souk_db_savepoint_rollback(f->conn, &f->err), SOUK_OK);
        souk_err_clear(&f->err);
        return NULL;
    }
    assert_int_equal(souk_db_savepoint_release(f->conn, &f->err), SOUK_OK);
    return o->id;
}

static const char *order_ok(struct fixture *f, const char *sku, int64_t quantity)
{
    int rc;
    const char *id = order(f, sku, quantity, &rc);
    if (rc != SOUK_OK)
        fail_msg("order of %lld %s refused: %s", (long long)quantity, sku, f->err.message);
    return id;
}

static void cancel(struct fixture *f, const char *order_id)
{
    struct souk_order_change change = {.reason = "buyer changed their mind"};
    assert_int_equal(
        souk_orders_transition(f->conn, f->pool, order_id, "cancel", &change, -1, &f->err),
        SOUK_OK);
}

static void set_on_hand(struct fixture *f, const char *variant_id, int64_t on_hand)
{
    struct souk_stock_level s = {
        .variant_id = (char *)variant_id, .warehouse_code = "newark", .on_hand = on_hand};
    assert_int_equal(
        souk_catalog_stock_set(f->conn, f->pool, &s, NULL, SOUK_CATALOG_NO_VERSION, &f->err),
        SOUK_OK);
}

static void each_transition_is_announced_once(void **state)
{
    struct fixture *f = *state;
    struct tee t = make_tee(f);
    assert_string_equal(stored_state(f, t.tee_m), "in");
    order_ok(f, "TEE-M", 1); /* 4 left: above the threshold */
    assert_string_equal(events(f, t.tee_m), "");
    const char *second = order_ok(f, "TEE-M", 1); /* 3 left: at the threshold */
    assert_string_equal(events(f, t.tee_m), "stock.low");
    payload_is(f, &t, t.tee_m, "TEE-M", "low", 3, 3);
    assert_string_equal(stored_state(f, t.tee_m), "low");
    order_ok(f, "TEE-M", 1); /* 2 left: still low, nothing new */
    assert_string_equal(events(f, t.tee_m), "stock.low");
    const char *last = order_ok(f, "TEE-M", 2); /* sold out */
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out");
    payload_is(f, &t, t.tee_m, "TEE-M", "out", 0, 3);

    int rc;
    assert_null(order(f, "TEE-M", 1, &rc)); /* refused orders announce nothing */
    assert_int_equal(rc, SOUK_EOUTOFSTOCK);
    assert_null(order(f, "TEE-M", 1, &rc));
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out");

    cancel(f, last); /* 2 back: available again, though still low */
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out stock.back");
    payload_is(f, &t, t.tee_m, "TEE-M", "low", 2, 3);
    cancel(f, second); /* 3: low, as announced */
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out stock.back");

    /* PUT /v1/stock: above the threshold is stored quietly, then running low is news again. */
    set_on_hand(f, t.tee_m, 10); /* 2 reserved, 8 available */
    assert_string_equal(stored_state(f, t.tee_m), "in");
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out stock.back");
    set_on_hand(f, t.tee_m, 4); /* 2 available */
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out stock.back stock.low");
    set_on_hand(f, t.tee_m, 2); /* all reserved */
    assert_string_equal(events(f, t.tee_m), "stock.low stock.out stock.back stock.low stock.out");
    set_on_hand(f, t.tee_m, 20);
    assert_string_equal(events(f, t.tee_m),
                        "stock.low stock.out stock.back stock.low stock.out stock.back");
    payload_is(f, &t, t.tee_m, "TEE-M", "in", 18, 3);
    /* The other variant of the product was never touched. */
    assert_string_equal(events(f, t.tee_l), "");
}

static void without_a_threshold_only_out_and_back(void **state)
{
    struct fixture *f = *state;
    struct tee t = make_tee(f);
    order_ok(f, "TEE-L", 1); /* 1 left */
    assert_string_equal(events(f, t.tee_l), "");
    const char *id = order_ok(f, "TEE-L", 1);
    assert_string_equal(events(f, t.tee_l), "stock.out");
    payload_is(f, &t, t.tee_l, "TEE-L", "out", 0, SOUK_CATALOG_UNSET);
    cancel(f, id);
    assert_string_equal(events(f, t.tee_l), "stock.out stock.back");
    payload_is(f, &t, t.tee_l, "TEE-L", "in", 1, SOUK_CATALOG_UNSET);
}

/* Applies a PATCH body to a variant as the API does. */
static int patch(struct fixture *f, const char *variant_id, const char *body)
{
    struct souk_variant *v;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, variant_id, &v, &f->err), SOUK_OK);
    json_t *j = parse(body);
    int rc = souk_catalog_variant_decode(f->pool, j, SOUK_CATALOG_PATCH, v, "", &f->err);
    json_decref(j);
    return rc == SOUK_OK ? souk_catalog_variant_update(f->conn, f->pool, v, -1, &f->err) : rc;
}

static void a_new_threshold_is_a_transition_too(void **state)
{
    struct fixture *f = *state;
    struct tee t = make_tee(f);
    /* TEE-L has 2 available: a threshold of 2 makes it low at once. */
    assert_int_equal(patch(f, t.tee_l, "{\"low_stock_threshold\": 2}"), SOUK_OK);
    assert_string_equal(events(f, t.tee_l), "stock.low");
    payload_is(f, &t, t.tee_l, "TEE-L", "low", 2, 2);
    struct souk_variant *v;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, t.tee_l, &v, &f->err), SOUK_OK);
    assert_int_equal(v->low_stock_threshold, 2);
    assert_string_equal(v->stock_state, "low");
    json_t *j = souk_catalog_variant_encode(v);
    assert_int_equal(json_integer_value(json_object_get(j, "low_stock_threshold")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "stock_state")), "low");
    json_decref(j);
    /* Other fields leave the threshold and the state alone. */
    assert_int_equal(patch(f, t.tee_l, "{\"mpn\": \"T-100\"}"), SOUK_OK);
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, t.tee_l, &v, &f->err), SOUK_OK);
    assert_int_equal(v->low_stock_threshold, 2);
    assert_string_equal(v->stock_state, "low");
    /* Cleared: no longer low, stored without an event. */
    assert_int_equal(patch(f, t.tee_l, "{\"low_stock_threshold\": null}"), SOUK_OK);
    assert_string_equal(stored_state(f, t.tee_l), "in");
    assert_string_equal(events(f, t.tee_l), "stock.low");
}

static void a_threshold_must_be_a_count_of_units(void **state)
{
    struct fixture *f = *state;
    struct tee t = make_tee(f);
    static const char *const bodies[] = {
        "{\"low_stock_threshold\": -1}",
        "{\"low_stock_threshold\": 2.5}",
        "{\"low_stock_threshold\": \"3\"}",
        "{\"low_stock_threshold\": 1000000001}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        souk_err_clear(&f->err);
        if (patch(f, t.tee_m, bodies[i]) != SOUK_EINVAL)
            fail_msg("%s was accepted", bodies[i]);
        assert_string_equal(f->err.param, "low_stock_threshold");
    }
    souk_err_clear(&f->err);
    assert_int_equal(patch(f, t.tee_m, "{\"stock_state\": \"out\"}"), SOUK_EINVAL);
    assert_string_equal(f->err.param, "stock_state");
    struct souk_variant *v;
    assert_int_equal(souk_catalog_variant_get(f->conn, f->pool, t.tee_m, &v, &f->err), SOUK_OK);
    assert_int_equal(v->low_stock_threshold, 3);
    assert_int_equal(v->version, 1);
}

/* ---- collections ---- */

/* Decodes and creates a collection; returns the status and leaves the error in f->err. */
static int create_collection(struct fixture *f, const char *text, struct souk_collection **out)
{
    json_t *j = parse(text);
    struct souk_collection *col = souk_pool_alloc(f->pool, sizeof *col);
    souk_err_clear(&f->err);
    int rc = souk_catalog_collection_decode(f->pool, j, SOUK_CATALOG_CREATE, col, &f->err);
    json_decref(j);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_create(f->conn, f->pool, col, &f->err);
    if (out)
        *out = col;
    return rc;
}

static void collection_fails(struct fixture *f, const char *text, int code, const char *param)
{
    assert_int_equal(create_collection(f, text, NULL), code);
    assert_string_equal(f->err.param, param);
}

static void collection_rules(void **state)
{
    struct fixture *f = *state;
    struct souk_collection *col, *got;
    assert_int_equal(create_collection(f,
                                       "{\"title\": \"Summer Drop!\", \"description\": \"Hot\", "
                                       "\"translations\": {\"DE\": {\"title\": \"Sommer\"}}}",
                                       &col),
                     SOUK_OK);
    assert_int_equal(souk_catalog_collection_get(f->conn, f->pool, col->id, &got, &f->err),
                     SOUK_OK);
    assert_string_equal(got->handle, "summer-drop"); /* made from the title */
    assert_int_equal(strncmp(got->id, "col_", 4), 0);
    assert_int_equal(got->ntranslations, 1);
    assert_string_equal(got->translations[0].locale, "de");
    assert_int_equal(got->nproducts, 0);
    char id[SOUK_ID_MAX];
    assert_int_equal(souk_catalog_collection_id(f->conn, "summer-drop", id, &f->err), SOUK_OK);
    assert_string_equal(id, col->id);
    assert_int_equal(souk_catalog_collection_id(f->conn, "winter", id, &f->err), SOUK_ENOTFOUND);

    collection_fails(f, "{\"handle\": \"x\"}", SOUK_EINVAL, "title");
    collection_fails(f, "{\"title\": \"X\", \"handle\": \"Summer Drop\"}", SOUK_EINVAL, "handle");
    collection_fails(f, "{\"title\": \"X\", \"handle\": \"\"}", SOUK_EINVAL, "handle");
    collection_fails(f, "{\"title\": \"X\", \"handle\": \"summer-drop\"}", SOUK_ECONFLICT,
                     "handle");
    collection_fails(f, "{\"title\": \"X\", \"translations\": {\"en\": {\"title\": \"Y\"}}}",
                     SOUK_EINVAL, "translations.en");
    collection_fails(f, "{\"title\": \"X\", \"product_ids\": [\"prod_nope\"]}", SOUK_EUNPROC,
                     "product_ids[0]");
    collection_fails(f, "{\"title\": \"X\", \"product_ids\": [7]}", SOUK_EINVAL, "product_ids[0]");
    collection_fails(f, "{\"title\": \"X\", \"id\": \"col_1\"}", SOUK_EINVAL, "id");

    /* Members change through their own functions, not a PATCH. */
    json_t *j = parse("{\"product_ids\": []}");
    assert_int_equal(souk_catalog_collection_decode(f->pool, j, SOUK_CATALOG_PATCH, got, &f->err),
                     SOUK_EINVAL);
    json_decref(j);
    assert_string_equal(f->err.param, "product_ids");
    got->title = "Summer";
    assert_int_equal(souk_catalog_collection_update(f->conn, f->pool, got, 7, &f->err),
                     SOUK_EPRECOND);
    assert_int_equal(souk_catalog_collection_update(f->conn, f->pool, got, 1, &f->err), SOUK_OK);
    assert_int_equal(got->version, 2);
}

/* product.changed rows the outbox holds for a product. */
static int64_t announced(struct fixture *f, const char *product_id)
{
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_query(f->conn, &f->err, &st,
                                   "SELECT count(*) FROM outbox WHERE topic = 'product.changed' "
                                   "AND subject = $1",
                                   "s", product_id),
                     1);
    return souk_db_col_i64(st, 0);
}

static struct souk_product *product_named(struct fixture *f, const char *title)
{
    char body[128];
    struct souk_product *p;
    snprintf(body, sizeof body, "{\"title\": \"%s\"}", title);
    assert_int_equal(create(f, body, &p), SOUK_OK);
    return p;
}

static void membership_moves_products_and_is_announced(void **state)
{
    struct fixture *f = *state;
    struct souk_product *a = product_named(f, "A"), *b = product_named(f, "B"),
                        *c = product_named(f, "C"), *got;
    char body[256];
    snprintf(body, sizeof body, "{\"title\": \"Drop\", \"product_ids\": [\"%s\", \"%s\"]}", a->id,
             b->id);
    struct souk_collection *col, *stored;
    assert_int_equal(create_collection(f, body, &col), SOUK_OK);
    assert_int_equal(announced(f, a->id), 2); /* its creation, then joining */
    assert_int_equal(announced(f, c->id), 1);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, a->id, NULL, &got, &f->err),
                     SOUK_OK);
    assert_int_equal(got->ncollections, 1);
    assert_string_equal(got->collections[0], "drop");
    assert_int_equal(got->version, 2);

    /* c joins and b leaves; a only moves, which is the collection's change alone. */
    char *next[] = {c->id, a->id};
    assert_int_equal(
        souk_catalog_collection_set_products(f->conn, f->pool, col->id, next, 2, 1, &f->err),
        SOUK_OK);
    assert_int_equal(announced(f, a->id), 2);
    assert_int_equal(announced(f, b->id), 3);
    assert_int_equal(announced(f, c->id), 2);
    assert_int_equal(souk_catalog_collection_get(f->conn, f->pool, col->id, &stored, &f->err),
                     SOUK_OK);
    assert_int_equal(stored->version, 2);
    assert_int_equal(stored->nproducts, 2);
    assert_string_equal(stored->product_ids[0], c->id);
    assert_string_equal(stored->product_ids[1], a->id);

    char *twice[] = {a->id, b->id, a->id};
    assert_int_equal(
        souk_catalog_collection_set_products(f->conn, f->pool, col->id, twice, 3, -1, &f->err),
        SOUK_EINVAL);
    assert_string_equal(f->err.param, "product_ids[2]");
    assert_int_equal(
        souk_catalog_collection_set_products(f->conn, f->pool, col->id, next, 2, 1, &f->err),
        SOUK_EPRECOND);

    /* Adding a member is a no-op; adding another appends it; removing a stranger is 404. */
    assert_int_equal(
        souk_catalog_collection_add_product(f->conn, f->pool, col->id, a->id, -1, &f->err),
        SOUK_OK);
    assert_int_equal(
        souk_catalog_collection_add_product(f->conn, f->pool, col->id, "prod_x", -1, &f->err),
        SOUK_EUNPROC);
    assert_string_equal(f->err.param, "product_id");
    assert_int_equal(
        souk_catalog_collection_add_product(f->conn, f->pool, col->id, b->id, 2, &f->err), SOUK_OK);
    assert_int_equal(announced(f, b->id), 4);
    assert_int_equal(
        souk_catalog_collection_remove_product(f->conn, f->pool, col->id, c->id, 3, &f->err),
        SOUK_OK);
    assert_int_equal(announced(f, c->id), 3);
    assert_int_equal(
        souk_catalog_collection_remove_product(f->conn, f->pool, col->id, c->id, -1, &f->err),
        SOUK_ENOTFOUND);

    /* The product filter finds the members. */
    struct souk_product_filter filter = {
        .updated_since = SOUK_CATALOG_UNSET, .collection = "drop", .limit = 10};
    struct souk_product *items;
    size_t n;
    bool more;
    assert_int_equal(
        souk_catalog_product_list(f->conn, f->pool, &filter, &items, &n, &more, &f->err), SOUK_OK);
    assert_int_equal(n, 2);

    /* A deleted product leaves its collections, whose version moves on. */
    assert_int_equal(souk_catalog_product_delete(f->conn, a->id, -1, &f->err), SOUK_OK);
    assert_int_equal(souk_catalog_collection_get(f->conn, f->pool, col->id, &stored, &f->err),
                     SOUK_OK);
    assert_int_equal(stored->nproducts, 1);
    assert_string_equal(stored->product_ids[0], b->id);
    assert_int_equal(stored->version, 5);

    /* A renamed collection renames itself in its members' JSON, whose versions move on. */
    int64_t before = 0;
    assert_int_equal(souk_catalog_product_version(f->conn, b->id, &before, &f->err), SOUK_OK);
    stored->handle = "drop-2";
    assert_int_equal(souk_catalog_collection_update(f->conn, f->pool, stored, -1, &f->err),
                     SOUK_OK);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, b->id, NULL, &got, &f->err),
                     SOUK_OK);
    assert_string_equal(got->collections[0], "drop-2");
    assert_int_equal(got->version, before + 1);

    /* Deleting the collection announces that its members left it. */
    assert_int_equal(souk_catalog_collection_delete(f->conn, col->id, -1, &f->err), SOUK_OK);
    assert_int_equal(announced(f, b->id), 5);
    assert_int_equal(souk_catalog_product_get(f->conn, f->pool, b->id, NULL, &got, &f->err),
                     SOUK_OK);
    assert_int_equal(got->ncollections, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_fills_defaults_and_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(locale_falls_back_through_the_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input_names_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(sku_and_handle_are_unique_across_products, setup, teardown),
        cmocka_unit_test_setup_teardown(update_checks_version_and_variants, setup, teardown),
        cmocka_unit_test_setup_teardown(variant_changes_bump_the_product, setup, teardown),
        cmocka_unit_test_setup_teardown(stock_is_set_per_warehouse_and_blocks_warehouse_delete,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(list_pages_and_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(list_loads_pages_as_get_loads_products, setup, teardown),
        cmocka_unit_test_setup_teardown(file_text_must_be_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(warehouse_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(each_transition_is_announced_once, setup, teardown),
        cmocka_unit_test_setup_teardown(without_a_threshold_only_out_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_threshold_is_a_transition_too, setup, teardown),
        cmocka_unit_test_setup_teardown(a_threshold_must_be_a_count_of_units, setup, teardown),
        cmocka_unit_test_setup_teardown(collection_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_reservation_ships_from_the_buyers_country_then_from_the_fullest_warehouse, setup,
            teardown),
        cmocka_unit_test_setup_teardown(membership_moves_products_and_is_announced, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

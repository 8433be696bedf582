/* Integration tests of /v1/products: CRUD with ETags, pagination, filters, locales, routing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define SHIRT                                                                                      \
    "{\"title\": \"Linen Shirt\", \"options\": [\"Size\"], \"tags\": [\"summer\"], "               \
    "\"translations\": {\"pt\": {\"title\": \"Camisa de linho\", \"description\": \"Fresca.\"}, "  \
    "\"pt-BR\": {\"description\": \"Fresquinha.\"}}, "                                             \
    "\"description\": \"Cool.\", \"variants\": ["                                                  \
    "{\"sku\": \"SHIRT-S\", \"option_values\": [\"S\"], \"prices\": [{\"currency\": \"EUR\", "     \
    "\"amount\": 4900}]}, {\"sku\": \"SHIRT-M\", \"option_values\": [\"M\"]}]}"

static void product_path(const char *id, char path[128])
{
    snprintf(path, 128, "/v1/products/%s", id);
}

static void create_answers_201_with_location_and_etag_and_reads_back_the_same(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp created, got;
    souk_h_request(s, "POST", "/v1/products", s->key, SHIRT, NULL, &created);
    assert_int_equal(created.status, 201);
    assert_string_equal(created.etag, "\"1\"");
    const char *id = souk_h_str(created.json, "id");
    assert_int_equal(strncmp(id, "prod_", 5), 0);
    char path[128];
    product_path(id, path);
    assert_string_equal(created.location, path);
    assert_string_equal(souk_h_str(created.json, "handle"), "linen-shirt");
    assert_string_equal(souk_h_str(created.json, "status"), "active");
    assert_int_equal(souk_h_int(created.json, "version"), 1);
    assert_string_equal(souk_h_text(created.json, "variants[1].sku"), "SHIRT-M");
    assert_int_equal(souk_h_int(created.json, "variants[0].prices[0].amount"), 4900);
    assert_string_equal(souk_h_text(created.json, "variants[0].prices[0].currency"), "EUR");

    souk_h_request(s, "GET", path, s->key, NULL, NULL, &got);
    assert_int_equal(got.status, 200);
    assert_string_equal(got.etag, "\"1\"");
    assert_string_equal(got.content_type, "application/json");
    assert_string_equal(got.body.data, created.body.data); /* the create answers what GET reads */
    souk_h_resp_release(&got);
    souk_h_request(s, "GET", path, s->key, NULL, NULL, &got); /* and so does a cached read */
    assert_string_equal(got.body.data, created.body.data);
    souk_h_resp_release(&got);
    souk_h_resp_release(&created);

    souk_h_request(s, "GET", "/v1/products/prod_01HZZZZZZZZZZZZZZZZZZZZZZZ", s->key, NULL, NULL,
                   &got);
    souk_h_assert_error(&got, 404, "not_found", NULL);
    souk_h_resp_release(&got);
}

static void patch_needs_the_current_etag_and_bumps_it(void **state)
{
    struct souk_h_server *s = *state;
    char id[SOUK_H_ID_MAX], path[128];
    souk_h_create(s, "/v1/products", SHIRT, id);
    product_path(id, path);
    json_decref(souk_h_get(s, path)); /* cache the version-1 rendering */

    const char *v1[] = {"If-Match: \"1\"", NULL};
    struct souk_h_resp r;
    souk_h_request(s, "PATCH", path, s->key, "{\"title\": \"Linen Shirt II\"}", v1, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(souk_h_str(r.json, "title"), "Linen Shirt II");
    assert_int_equal(json_array_size(json_object_get(r.json, "variants")), 2); /* kept */
    souk_h_resp_release(&r);
    json_t *p = souk_h_get(s, path); /* never the stale cached copy */
    assert_string_equal(souk_h_str(p, "title"), "Linen Shirt II");
    assert_int_equal(souk_h_int(p, "version"), 2);
    json_decref(p);

    struct souk_buf before, after;
    souk_h_export(s, &before);
    souk_h_request(s, "PATCH", path, s->key, "{\"title\": \"Lost update\"}", v1, &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);
    const char *unquoted[] = {"If-Match: 2", NULL};
    souk_h_request(s, "PATCH", path, s->key, "{\"title\": \"Lost update\"}", unquoted, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "If-Match");
    souk_h_resp_release(&r);
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "a stale PATCH");
    souk_buf_release(&before);
    souk_buf_release(&after);

    const char *any[] = {"If-Match: *", NULL};
    souk_h_request(s, "PATCH", path, s->key, "{\"status\": \"archived\"}", any, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"3\"");
    souk_h_resp_release(&r);
    souk_h_request(s, "PATCH", path, s->key, "{\"status\": \"draft\"}", NULL, &r);
    assert_int_equal(r.status, 200); /* If-Match is optional */
    assert_string_equal(r.etag, "\"4\"");
    souk_h_resp_release(&r);
}

static void delete_removes_the_product_and_its_variants(void **state)
{
    struct souk_h_server *s = *state;
    char id[SOUK_H_ID_MAX], path[128], variant_path[128];
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/products", s->key, SHIRT, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, sizeof id, "%s", souk_h_str(r.json, "id"));
    snprintf(variant_path, sizeof variant_path, "/v1/variants/%s",
             souk_h_text(r.json, "variants[0].id"));
    souk_h_resp_release(&r);
    product_path(id, path);

    const char *stale[] = {"If-Match: \"9\"", NULL};
    souk_h_request(s, "DELETE", path, s->key, NULL, stale, &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "DELETE", path, s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_str(r.json, "id"), id);
    assert_true(json_is_true(json_object_get(r.json, "deleted")));
    souk_h_resp_release(&r);

    souk_h_request(s, "GET", path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", variant_path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "DELETE", path, s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_count(s, "/v1/products"), 0);
    souk_h_create(s, "/v1/products", SHIRT, id); /* its handle and SKUs are free again */
}

/* Seven products: Mug 0..6, SKU MUG-00i, draft when i % 3 == 0, tagged odd or even. */
static void create_mugs(struct souk_h_server *s, char ids[7][SOUK_H_ID_MAX])
{
    for (int i = 0; i < 7; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"title\": \"Mug %d\", \"status\": \"%s\", \"tags\": [\"%s\"], "
                 "\"variants\": [{\"sku\": \"MUG-%03d\"}]}",
                 i, i % 3 ? "active" : "draft", i % 2 ? "odd" : "even", i);
        souk_h_create(s, "/v1/products", body, ids[i]);
    }
}

static void lists_page_through_every_product_exactly_once(void **state)
{
    struct souk_h_server *s = *state;
    char ids[7][SOUK_H_ID_MAX], path[256] = "/v1/products?limit=3", last[SOUK_H_ID_MAX] = "";
    create_mugs(s, ids);
    const size_t want_sizes[] = {3, 3, 1};
    size_t seen = 0;
    bool found[7] = {false};
    for (int page = 0; page < 3; page++) {
        json_t *j = souk_h_get(s, path);
        json_t *data = json_object_get(j, "data");
        assert_int_equal(json_array_size(data), want_sizes[page]);
        for (size_t i = 0; i < json_array_size(data); i++) {
            const char *id = souk_h_str(json_array_get(data, i), "id");
            assert_true(strcmp(id, last) > 0); /* id order, no repeats */
            snprintf(last, sizeof last, "%s", id);
            for (int k = 0; k < 7; k++)
                found[k] = found[k] || strcmp(ids[k], id) == 0;
            seen++;
        }
        bool more = json_is_true(json_object_get(j, "has_more"));
        assert_int_equal(more, page < 2);
        if (more)
            assert_string_equal(souk_h_str(j, "next_cursor"), last);
        else
            assert_true(json_is_null(json_object_get(j, "next_cursor")));
        snprintf(path, sizeof path, "/v1/products?limit=3&after=%s", last);
        json_decref(j);
    }
    assert_int_equal(seen, 7);
    for (int k = 0; k < 7; k++)
        assert_true(found[k]);
    assert_int_equal(souk_h_count(s, "/v1/products"), 7); /* default limit is above 7 */

    const char *bad[] = {"/v1/products?limit=0", "/v1/products?limit=251",
                         "/v1/products?limit=ten"};
    for (size_t i = 0; i < 3; i++) {
        struct souk_h_resp r;
        souk_h_request(s, "GET", bad[i], s->key, NULL, NULL, &r);
        souk_h_assert_error(&r, 400, "invalid_request", "limit");
        souk_h_resp_release(&r);
    }
}

static void lists_filter_by_status_tag_and_text(void **state)
{
    struct souk_h_server *s = *state;
    char ids[7][SOUK_H_ID_MAX];
    create_mugs(s, ids);
    assert_int_equal(souk_h_count(s, "/v1/products?status=draft"), 3); /* 0, 3, 6 */
    assert_int_equal(souk_h_count(s, "/v1/products?status=archived"), 0);
    assert_int_equal(souk_h_count(s, "/v1/products?tag=odd"), 3);
    assert_int_equal(souk_h_count(s, "/v1/products?tag=odd&status=draft"), 1); /* 3 */
    assert_int_equal(souk_h_count(s, "/v1/products?tag=od"), 0);               /* tags are exact */
    assert_int_equal(souk_h_count(s, "/v1/products?q=mug-00"), 7);             /* SKU, any case */
    assert_int_equal(souk_h_count(s, "/v1/products?q=MuG-005"), 1);
    assert_int_equal(souk_h_count(s, "/v1/products?q=MUG%204"), 1); /* title, any case */
    assert_int_equal(souk_h_count(s, "/v1/products?q=%25"), 0);     /* LIKE wildcards are text */
    assert_int_equal(souk_h_count(s, "/v1/products?q=_"), 0);
    json_t *j = souk_h_get(s, "/v1/products?q=mug%205");
    assert_string_equal(souk_h_text(j, "data[0].id"), ids[5]);
    json_decref(j);

    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products?status=deleted", s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "status");
    souk_h_resp_release(&r);
}

static void lists_filter_by_updated_since(void **state)
{
    struct souk_h_server *s = *state;
    char old_id[SOUK_H_ID_MAX], new_id[SOUK_H_ID_MAX], path[256];
    souk_h_create(s, "/v1/products", "{\"title\": \"Old\"}", old_id);
    souk_h_sleep_ms(5); /* timestamps are microseconds: make "later" unambiguous */
    souk_h_create(s, "/v1/products", "{\"title\": \"New\"}", new_id);
    product_path(new_id, path);
    json_t *p = souk_h_get(s, path);
    char since[64];
    snprintf(since, sizeof since, "%s", souk_h_str(p, "updated_at"));
    json_decref(p);

    snprintf(path, sizeof path, "/v1/products?updated_since=%s", since);
    json_t *j = souk_h_get(s, path);
    assert_int_equal(json_array_size(json_object_get(j, "data")), 1); /* at or after */
    assert_string_equal(souk_h_text(j, "data[0].id"), new_id);
    json_decref(j);
    product_path(old_id, path);
    struct souk_h_resp r;
    souk_h_request(s, "PATCH", path, s->key, "{\"title\": \"Old, renamed\"}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/products?updated_since=%s", since);
    assert_int_equal(souk_h_count(s, path), 2); /* a change counts as an update */

    assert_int_equal(souk_h_count(s, "/v1/products?updated_since=2000-01-01T00:00:00Z"), 2);
    assert_int_equal(souk_h_count(s, "/v1/products?updated_since=2999-01-01T00:00:00.5Z"), 0);
    assert_int_equal(souk_h_count(s, "/v1/products?updated_since=2000-01-01T02:00:00%2B02:00"), 2);
    const char *bad[] = {"yesterday", "2026-02-30T00:00:00Z", "2026-01-01", "1767225600"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "/v1/products?updated_since=%s", bad[i]);
        souk_h_request(s, "GET", path, s->key, NULL, NULL, &r);
        souk_h_assert_error(&r, 400, "invalid_request", "updated_since");
        assert_non_null(strstr(souk_h_text(r.json, "error.message"), "RFC 3339"));
        souk_h_resp_release(&r);
    }
}

/* GETs the shirt in a locale and checks title, description and the resolved locale. */
static void expect_locale(struct souk_h_server *s, const char *path, const char *locale,
                          const char *title, const char *description, const char *resolved)
{
    char url[256];
    snprintf(url, sizeof url, "%s?locale=%s", path, locale);
    json_t *p = souk_h_get(s, url);
    if (strcmp(souk_h_str(p, "title"), title) != 0 ||
        strcmp(souk_h_str(p, "description"), description) != 0 ||
        strcmp(souk_h_str(p, "locale"), resolved) != 0)
        fail_msg("locale %s: title \"%s\", description \"%s\", locale \"%s\"", locale,
                 souk_h_str(p, "title"), souk_h_str(p, "description"), souk_h_str(p, "locale"));
    json_decref(p);
}

static void locales_fall_back_from_region_to_language_to_english(void **state)
{
    struct souk_h_server *s = *state;
    char id[SOUK_H_ID_MAX], path[128];
    souk_h_create(s, "/v1/products", SHIRT, id);
    product_path(id, path);
    expect_locale(s, path, "pt-BR", "Camisa de linho", "Fresquinha.", "pt");
    expect_locale(s, path, "pt", "Camisa de linho", "Fresca.", "pt");
    expect_locale(s, path, "de-AT", "Linen Shirt", "Cool.", "en");
    expect_locale(s, path, "pt-BR", "Camisa de linho", "Fresquinha.", "pt"); /* cache per locale */
    expect_locale(s, path, "pt_br", "Camisa de linho", "Fresquinha.", "pt");
    json_t *p = souk_h_get(s, path);
    assert_string_equal(souk_h_str(p, "title"), "Linen Shirt");
    assert_null(json_object_get(p, "locale")); /* no locale asked, none resolved */
    assert_string_equal(souk_h_text(p, "translations.pt.title"), "Camisa de linho");
    json_decref(p);
    json_t *list = souk_h_get(s, "/v1/products?locale=pt-BR");
    assert_string_equal(souk_h_text(list, "data[0].title"), "Camisa de linho");
    assert_string_equal(souk_h_text(list, "data[0].locale"), "pt");
    json_decref(list);

    char url[256];
    snprintf(url, sizeof url, "%s?locale=klingon", path);
    const char *bad[] = {url, "/v1/products?locale=xx-QQ", "/v1/products?locale="};
    for (size_t i = 0; i < 3; i++) {
        struct souk_h_resp r;
        souk_h_request(s, "GET", bad[i], s->key, NULL, NULL, &r);
        souk_h_assert_error(&r, 400, "invalid_request", "locale");
        souk_h_resp_release(&r);
    }
}

static void concurrent_creates_all_commit(void **state)
{
    struct souk_h_server *s = *state;
    enum { N = 12 };
    char bodies[N][128];
    struct souk_h_call calls[N];
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof bodies[i],
                 "{\"title\": \"Plate %d\", \"variants\": [{\"sku\": \"PLATE-%d\"}]}", i, i);
        calls[i] =
            (struct souk_h_call){.method = "POST", .path = "/v1/products", .body = bodies[i]};
    }
    souk_h_parallel(s, s->key, calls, N);
    for (int i = 0; i < N; i++) {
        if (calls[i].resp.status != 201)
            fail_msg("create %d: %ld %s", i, calls[i].resp.status, calls[i].resp.body.data);
        char title[32];
        snprintf(title, sizeof title, "Plate %d", i);
        assert_string_equal(souk_h_str(calls[i].resp.json, "title"), title);
        souk_h_resp_release(&calls[i].resp);
    }
    assert_int_equal(souk_h_count(s, "/v1/products"), N);
    assert_int_equal(souk_h_count(s, "/v1/variants"), N);
}

static void concurrent_updates_with_one_etag_let_exactly_one_win(void **state)
{
    struct souk_h_server *s = *state;
    enum { N = 8 };
    char id[SOUK_H_ID_MAX], path[128], bodies[N][64];
    souk_h_create(s, "/v1/products", SHIRT, id);
    product_path(id, path);
    const char *v1[] = {"If-Match: \"1\"", NULL};
    struct souk_h_call calls[N];
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof bodies[i], "{\"title\": \"Shirt %d\"}", i);
        calls[i] =
            (struct souk_h_call){.method = "PATCH", .path = path, .body = bodies[i], .headers = v1};
    }
    souk_h_parallel(s, s->key, calls, N);
    int winner = -1;
    for (int i = 0; i < N; i++) {
        if (calls[i].resp.status == 200) {
            if (winner >= 0)
                fail_msg("updates %d and %d both won with If-Match \"1\"", winner, i);
            winner = i;
            assert_string_equal(calls[i].resp.etag, "\"2\"");
        } else {
            souk_h_assert_error(&calls[i].resp, 412, "precondition_failed", NULL);
        }
        souk_h_resp_release(&calls[i].resp);
    }
    assert_true(winner >= 0);
    json_t *p = souk_h_get(s, path);
    assert_int_equal(souk_h_int(p, "version"), 2);
    char title[32];
    snprintf(title, sizeof title, "Shirt %d", winner);
    assert_string_equal(souk_h_str(p, "title"), title);
    json_decref(p);
}

static void unsupported_methods_are_405_with_allow_and_unknown_routes_404(void **state)
{
    struct souk_h_server *s = *state;
    const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"PUT", "/v1/products", "GET, POST"},
        {"DELETE", "/v1/products", "GET, POST"},
        {"POST", "/v1/products/prod_x", "GET, PATCH, DELETE"},
        {"POST", "/v1/stock", "GET"},
        {"PATCH", "/v1/stock/var_x/wh_y", "GET, PUT, DELETE"},
    };
    struct souk_h_resp r;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        souk_h_request(s, cases[i].method, cases[i].path, s->key, "{}", NULL, &r);
        souk_h_assert_error(&r, 405, "method_not_allowed", NULL);
        assert_string_equal(r.allow, cases[i].allow);
        souk_h_resp_release(&r);
    }
    const char *unknown[] = {"/v1/nothing", "/v1/products/a/b", "/v2/products", "/"};
    for (size_t i = 0; i < 4; i++) {
        souk_h_request(s, "GET", unknown[i], s->key, NULL, NULL, &r);
        souk_h_assert_error(&r, 404, "not_found", NULL);
        assert_string_equal(r.allow, "");
        souk_h_resp_release(&r);
    }
}

/* OPTIONS (a method souk routes nowhere) on an existing path is still "not allowed here". */
static void methods_souk_does_not_route_are_405_on_existing_paths(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "OPTIONS", "/v1/products", s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 405, "method_not_allowed", NULL);
    assert_string_equal(r.allow, "GET, POST");
    souk_h_resp_release(&r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, souk_h_setup, souk_h_teardown)
    const struct CMUnitTest tests[] = {
        T(create_answers_201_with_location_and_etag_and_reads_back_the_same),
        T(patch_needs_the_current_etag_and_bumps_it),
        T(delete_removes_the_product_and_its_variants),
        T(lists_page_through_every_product_exactly_once),
        T(lists_filter_by_status_tag_and_text),
        T(lists_filter_by_updated_since),
        T(locales_fall_back_from_region_to_language_to_english),
        T(concurrent_creates_all_commit),
        T(concurrent_updates_with_one_etag_let_exactly_one_win),
        T(unsupported_methods_are_405_with_allow_and_unknown_routes_404),
        T(methods_souk_does_not_route_are_405_on_existing_paths),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

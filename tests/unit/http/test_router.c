/* Unit tests for http/router: pattern matching, captures, 404 versus 405. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/http_int.h"

static int handler(struct souk_req *req)
{
    return SOUK_OK;
}

static const struct souk_http_route routes[] = {
    {SOUK_HTTP_GET, "/v1/products", handler, 0, 0, false, NULL, false},
    {SOUK_HTTP_POST, "/v1/products", handler, 1024, 0, false, NULL, false},
    {SOUK_HTTP_GET, "/v1/products/{id}", handler, 0, 0, false, NULL, false},
    {SOUK_HTTP_DELETE, "/v1/products/{id}", handler, 0, 0, false, NULL, false},
    {SOUK_HTTP_PUT, "/v1/stock/{variant}/{warehouse}", handler, 16, 0, false, NULL, false},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static void matches_exact_and_captures(void **state)
{
    struct souk_pool *pool = souk_pool_new();
    const char *params[SOUK_HTTP_MAX_PARAMS] = {0};
    unsigned allowed;
    assert_int_equal(souk_http__route_match(routes, NROUTES, SOUK_HTTP_POST, "/v1/products",
                                            pool, params, &allowed),
                     1);
    assert_int_equal(souk_http__route_match(routes, NROUTES, SOUK_HTTP_DELETE,
                                            "/v1/products/prod_1", pool, params, &allowed),
                     3);
    assert_string_equal(params[0], "prod_1");
    assert_int_equal(souk_http__route_match(routes, NROUTES, SOUK_HTTP_PUT,
                                            "/v1/stock/var_1/wh_2", pool, params, &allowed),
                     4);
    assert_string_equal(params[0], "var_1");
    assert_string_equal(params[1], "wh_2");
    souk_pool_free(pool);
}

static void wrong_method_reports_allowed_methods(void **state)
{
    unsigned allowed = 0;
    const char *params[SOUK_HTTP_MAX_PARAMS] = {0};
    assert_int_equal(souk_http__route_match(routes, NROUTES, SOUK_HTTP_PATCH, "/v1/products",
                                            NULL, params, &allowed),
                     -1);
    assert_int_equal(allowed, SOUK_HTTP_GET | SOUK_HTTP_POST);
}

static void unknown_paths_and_near_misses_are_404(void **state)
{
    const char *paths[] = {"/v1/product", "/v1/products/", "/v1/products/a/b", "/v1//products",
                           "/v1/stock/var_1", "/", "", "/v1/products/x/"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        unsigned allowed = 99;
        const char *params[SOUK_HTTP_MAX_PARAMS] = {0};
        assert_int_equal(souk_http__route_match(routes, NROUTES, SOUK_HTTP_GET, paths[i], NULL,
                                                params, &allowed),
                         -1);
        assert_int_equal(allowed, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_exact_and_captures),
        cmocka_unit_test(wrong_method_reports_allowed_methods),
        cmocka_unit_test(unknown_paths_and_near_misses_are_404),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

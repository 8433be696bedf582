/* Integration tests of authentication, scopes, public health routes, metrics and access logs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define PRODUCT "{\"title\": \"Mug\", \"variants\": [{\"sku\": \"MUG-1\"}]}"

/* The 401 message of a request sent with these headers and no key. */
static void assert_401(struct souk_h_server *s, const char *const *headers, char message[256])
{
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products", NULL, NULL, headers, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    if (strncmp(r.www_authenticate, "Bearer", 6) != 0)
        fail_msg("401 without a Bearer challenge: WWW-Authenticate \"%s\"", r.www_authenticate);
    snprintf(message, 256, "%s", souk_h_text(r.json, "error.message"));
    souk_h_resp_release(&r);
}

static void a_request_without_a_key_is_401_with_a_bearer_challenge(void **state)
{
    struct souk_h_server *s = *state;
    char message[256];
    assert_401(s, NULL, message);
    assert_non_null(strstr(message, "Bearer"));
    /* Writes are refused before their body is looked at. */
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/products", NULL, "{not json", NULL, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    souk_h_resp_release(&r);
}

static void malformed_unknown_and_wrong_keys_are_401_with_one_message(void **state)
{
    struct souk_h_server *s = *state;
    char wrong_secret[300], unknown_id[300], expected[256], got[256];
    /* Same shape as the admin key, last secret digit changed. */
    snprintf(wrong_secret, sizeof wrong_secret, "Authorization: Bearer %s", s->key);
    char *last = wrong_secret + strlen(wrong_secret) - 1;
    *last = *last == '0' ? '1' : '0';
    /* Same shape, an id no key has. */
    snprintf(unknown_id, sizeof unknown_id, "Authorization: Bearer sk_%s",
             "00000000000000000000000000");
    snprintf(unknown_id + strlen(unknown_id), sizeof unknown_id - strlen(unknown_id), "%s",
             s->key + 3 + 26);
    const char *bearer_junk[] = {"Authorization: Bearer sk_not_a_key", NULL};
    const char *headers[][2] = {{wrong_secret, NULL}, {unknown_id, NULL}};
    assert_401(s, bearer_junk, expected);
    for (size_t i = 0; i < 2; i++) {
        assert_401(s, headers[i], got);
        assert_string_equal(got, expected); /* probing learns nothing */
    }
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    const char *empty[] = {"Authorization: Bearer ", NULL};
    const char *no_scheme[] = {NULL, NULL};
    char bare[300];
    snprintf(bare, sizeof bare, "Authorization: %s", s->key);
    no_scheme[0] = bare;
    assert_401(s, basic, got);
    assert_401(s, empty, got);
    assert_401(s, no_scheme, got);
}

static void the_bearer_scheme_is_case_insensitive(void **state)
{
    struct souk_h_server *s = *state;
    char auth[300];
    snprintf(auth, sizeof auth, "authorization: bearer %s", s->key);
    const char *headers[] = {auth, NULL};
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products", NULL, NULL, headers, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
}

static void a_read_only_key_reads_but_cannot_write(void **state)
{
    struct souk_h_server *s = *state;
    char product[SOUK_H_ID_MAX], path[128], reader[SOUK_H_KEY_MAX], reader_id[SOUK_H_ID_MAX];
    souk_h_create(s, "/v1/products", PRODUCT, product);
    snprintf(path, sizeof path, "/v1/products/%s", product);
    souk_h_mint(s, "catalog:read", reader, reader_id);
    struct souk_buf before, after;
    souk_h_export(s, &before);

    struct souk_h_resp r;
    souk_h_request(s, "GET", path, reader, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    const struct {
        const char *method, *path, *body;
    } writes[] = {
        {"POST", "/v1/products", PRODUCT},
        {"PATCH", path, "{\"title\": \"Cup\"}"},
        {"DELETE", path, NULL},
        {"POST", "/v1/warehouses", "{\"code\": \"b\", \"name\": \"B\", \"country\": \"DE\"}"},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        souk_h_request(s, writes[i].method, writes[i].path, reader, writes[i].body, NULL, &r);
        souk_h_assert_error(&r, 403, "forbidden", NULL);
        assert_non_null(strstr(souk_h_text(r.json, "error.message"), "catalog:write"));
        souk_h_resp_release(&r);
    }
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "a forbidden write");
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void a_write_only_key_cannot_read(void **state)
{
    struct souk_h_server *s = *state;
    char writer[SOUK_H_KEY_MAX], writer_id[SOUK_H_ID_MAX];
    souk_h_mint(s, "catalog:write", writer, writer_id);
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/products", writer, PRODUCT, NULL, &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products", writer, NULL, NULL, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    assert_non_null(strstr(souk_h_text(r.json, "error.message"), "catalog:read"));
    souk_h_resp_release(&r);
}

static void a_revoked_key_is_refused_on_its_next_request(void **state)
{
    struct souk_h_server *s = *state;
    char reader[SOUK_H_KEY_MAX], reader_id[SOUK_H_ID_MAX], message[256];
    souk_h_mint(s, "catalog:read", reader, reader_id);
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products", reader, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_revoke(s, reader_id);
    char auth[300];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", reader);
    const char *headers[] = {auth, NULL};
    assert_401(s, headers, message);
    souk_h_request(s, "GET", "/v1/products", s->key, NULL, NULL, &r); /* others still work */
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
}

static void health_and_readiness_are_public(void **state)
{
    struct souk_h_server *s = *state;
    const char *bogus[] = {"Authorization: Bearer sk_bogus", NULL};
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/healthz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_str(r.json, "status"), "ok");
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/healthz", NULL, NULL, bogus, &r); /* a bad key is not looked at */
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/readyz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_str(r.json, "status"), "ready");
    souk_h_resp_release(&r);
}

static void metrics_need_the_metrics_scope_and_count_requests(void **state)
{
    struct souk_h_server *s = *state;
    char reader[SOUK_H_KEY_MAX], reader_id[SOUK_H_ID_MAX];
    char metrics[SOUK_H_KEY_MAX], metrics_id[SOUK_H_ID_MAX];
    souk_h_mint(s, "catalog:read", reader, reader_id);
    souk_h_mint(s, "metrics:read", metrics, metrics_id);
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/metrics", NULL, NULL, NULL, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/metrics", reader, NULL, NULL, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products", metrics, NULL, NULL, &r); /* and nothing more */
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);

    for (int i = 0; i < 3; i++) {
        souk_h_request(s, "GET", "/readyz", NULL, NULL, NULL, &r);
        souk_h_resp_release(&r);
    }
    souk_h_request(s, "GET", "/no/such/route", NULL, NULL, NULL, &r);
    souk_h_resp_release(&r);
    /* Counters are recorded once a response is sent, so poll rather than race it. */
    souk_h_wait_metric(
        s, "souk_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"2xx\"} 3");
    souk_h_wait_metric(
        s, "souk_http_requests_total{method=\"ANY\",route=\"unmatched\",status=\"4xx\"} 1");
    souk_h_wait_metric(
        s, "souk_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"4xx\"} 2");

    souk_h_request(s, "GET", "/metrics", metrics, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/plain; version=0.0.4");
    assert_non_null(strstr(r.body.data, "# TYPE souk_http_requests_total counter\n"));
    assert_non_null(strstr(r.body.data, "# TYPE souk_http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(r.body.data, "souk_http_request_duration_seconds_bucket{method=\"GET\","
                                        "route=\"/readyz\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(r.body.data, "souk_http_request_duration_seconds_count{method=\"GET\","
                                        "route=\"/readyz\"} 3\n"));
    assert_non_null(strstr(r.body.data, "# TYPE souk_http_requests_in_flight gauge\n"));
    souk_h_resp_release(&r);
}

static void every_request_is_logged_with_its_request_id_and_never_the_key(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products?limit=5", s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(strncmp(r.request_id, "req_", 4), 0);
    char rid[96], key[96], line[2048];
    snprintf(rid, sizeof rid, "req_id=%s", r.request_id);
    snprintf(key, sizeof key, "key=%s", s->key_id);
    souk_h_resp_release(&r);
    souk_h_wait_log(s, line, sizeof line, "msg=request", rid, "status=200", "method=GET",
                    "path=/v1/products", key, "dur_us=", "ts=", NULL);

    /* A client's own valid X-Request-Id is kept end to end, errors included. */
    const char *traced[] = {"X-Request-Id: trace-7f3a_01", NULL};
    souk_h_request(s, "GET", "/v1/products/prod_missing", s->key, NULL, traced, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    assert_string_equal(r.request_id, "trace-7f3a_01");
    souk_h_resp_release(&r);
    souk_h_wait_log(s, line, sizeof line, "req_id=trace-7f3a_01", "status=404", "error=not_found",
                    NULL);
    /* One that could forge log fields is replaced. */
    const char *forged[] = {"X-Request-Id: x status=200", NULL};
    souk_h_request(s, "GET", "/healthz", NULL, NULL, forged, &r);
    assert_int_equal(strncmp(r.request_id, "req_", 4), 0);
    souk_h_resp_release(&r);

    assert_int_equal(souk_h_stop(s), 0); /* every line is written by now */
    const char *secret = strrchr(s->key, '_') + 1;
    assert_false(souk_h_log_contains(s, secret));
}

static void a_path_cannot_forge_log_lines(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/x%0Ats=0%20level=error%20msg=forged", s->key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    char rid[96];
    snprintf(rid, sizeof rid, "req_id=%s", r.request_id);
    souk_h_resp_release(&r);
    souk_h_wait_log(s, NULL, 0, rid, "path=\"/v1/x\\nts=0 level=error msg=forged\"", NULL);
    assert_false(souk_h_log_contains(s, "\nts=0 "));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, souk_h_setup, souk_h_teardown)
    const struct CMUnitTest tests[] = {
        T(a_request_without_a_key_is_401_with_a_bearer_challenge),
        T(malformed_unknown_and_wrong_keys_are_401_with_one_message),
        T(the_bearer_scheme_is_case_insensitive),
        T(a_read_only_key_reads_but_cannot_write),
        T(a_write_only_key_cannot_read),
        T(a_revoked_key_is_refused_on_its_next_request),
        T(health_and_readiness_are_public),
        T(metrics_need_the_metrics_scope_and_count_requests),
        T(every_request_is_logged_with_its_request_id_and_never_the_key),
        T(a_path_cannot_forge_log_lines),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

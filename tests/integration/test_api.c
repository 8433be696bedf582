/* Integration tests of the REST API against a running `souk serve`: auth, CRUD, lists, stock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static const char *const no_headers[] = {NULL};

/* POSTs body to path with the admin key, asserts 201 and returns the created id. */
static void create(struct souk_h_server *s, const char *path, const char *body, char id[64])
{
    struct souk_h_resp r;
    souk_h_request(s, "POST", path, s->key, body, no_headers, &r);
    if (r.status != 201)
        fail_msg("POST %s: %ld %s", path, r.status, r.body.data);
    snprintf(id, 64, "%s", souk_h_str(r.json, "id"));
    souk_h_resp_release(&r);
}

#define WAREHOUSE "{\"code\": \"berlin\", \"name\": \"Berlin\", \"country\": \"DE\"}"
#define SHIRT                                                                                      \
    "{\"title\": \"Linen Shirt\", \"options\": [\"Size\"], \"tags\": [\"summer\"], "               \
    "\"translations\": {\"pt\": {\"title\": \"Camisa de linho\"}}, \"variants\": ["                \
    "{\"sku\": \"SHIRT-S\", \"option_values\": [\"S\"], \"prices\": [{\"currency\": \"EUR\", "     \
    "\"amount\": 4900}], \"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": 5}]}, "         \
    "{\"sku\": \"SHIRT-M\", \"option_values\": [\"M\"]}]}"

static void keys_are_required_scoped_and_revocable(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products", NULL, NULL, no_headers, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    assert_non_null(strstr(r.www_authenticate, "Bearer"));
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products", "sk_not_a_key", NULL, no_headers, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    souk_h_resp_release(&r);

    char reader[160], reader_id[64];
    souk_h_mint(s, "catalog:read", reader, reader_id);
    souk_h_request(s, "GET", "/v1/products", reader, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "POST", "/v1/products", reader, "{\"title\": \"X\"}", no_headers, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/metrics", reader, NULL, no_headers, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);

    assert_int_equal(
        souk_h_run(NULL, NULL, NULL, "apikey", "revoke", reader_id, "--db", s->db, NULL), 0);
    souk_h_request(s, "GET", "/v1/products", reader, NULL, no_headers, &r);
    souk_h_assert_error(&r, 401, "authentication_required", NULL);
    souk_h_resp_release(&r);
}

static void health_readiness_and_metrics(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/healthz", NULL, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/readyz", NULL, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    /* Counters are recorded as a request completes, after its answer: poll for it. */
    souk_h_wait_metric(s, "souk_http_requests_total{method=\"GET\",route=\"/readyz\","
                          "status=\"2xx\"} 1");
    souk_h_request(s, "GET", "/metrics", s->key, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/plain"));
    assert_non_null(strstr(r.body.data, "souk_http_request_duration_seconds_bucket"));
    /* The intake writer's gauges and counters: nothing queued, nothing shed. */
    assert_non_null(strstr(r.body.data, "\nsouk_http_write_queue 0\n"));
    assert_non_null(strstr(r.body.data, "\nsouk_http_writes_shed_total 0\n"));
    assert_non_null(strstr(r.body.data, "\nsouk_http_write_batches_total "));
    souk_h_resp_release(&r);
}

static void products_crud_with_etags(void **state)
{
    struct souk_h_server *s = *state;
    char wh[64], id[64], path[128];
    create(s, "/v1/warehouses", WAREHOUSE, wh);
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/products", s->key, SHIRT, no_headers, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.etag, "\"1\"");
    snprintf(id, sizeof id, "%s", souk_h_str(r.json, "id"));
    snprintf(path, sizeof path, "/v1/products/%s", id);
    assert_string_equal(r.location, path);
    json_t *v0 = json_array_get(json_object_get(r.json, "variants"), 0);
    json_t *st = json_array_get(json_object_get(v0, "stock"), 0);
    assert_int_equal(json_integer_value(json_object_get(st, "available")), 5);
    souk_h_resp_release(&r);

    const char *stale[] = {"If-Match: \"7\"", NULL}, *current[] = {"If-Match: \"1\"", NULL};
    souk_h_request(s, "PATCH", path, s->key, "{\"status\": \"archived\"}", stale, &r);
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "PATCH", path, s->key, "{\"status\": \"archived\"}", current, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.etag, "\"2\"");
    assert_string_equal(souk_h_str(r.json, "status"), "archived");
    souk_h_resp_release(&r);

    souk_h_request(s, "PUT", "/v1/products", s->key, "{}", no_headers, &r);
    souk_h_assert_error(&r, 405, "method_not_allowed", NULL);
    assert_string_equal(r.allow, "GET, POST");
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/nothing", s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);

    souk_h_request(s, "DELETE", path, s->key, NULL, current, &r); /* now at version 2 */
    souk_h_assert_error(&r, 412, "precondition_failed", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "DELETE", path, s->key, NULL, no_headers, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
}

static size_t list_count(struct souk_h_server *s, const char *path)
{
    struct souk_h_resp r;
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body.data);
    size_t n = json_array_size(json_object_get(r.json, "data"));
    souk_h_resp_release(&r);
    return n;
}

static void lists_page_filter_and_translate(void **state)
{
    struct souk_h_server *s = *state;
    char id[64], body[256];
    for (int i = 0; i < 7; i++) {
        snprintf(body, sizeof body,
                 "{\"title\": \"Mug %d\", \"status\": \"%s\", \"tags\": [\"%s\"], "
                 "\"translations\": {\"pt\": {\"title\": \"Caneca %d\"}}, "
                 "\"variants\": [{\"sku\": \"MUG-%03d\"}]}",
                 i, i % 3 ? "active" : "draft", i % 2 ? "odd" : "even", i, i);
        create(s, "/v1/products", body, id);
    }
    size_t total = 0;
    char path[256] = "/v1/products?limit=3";
    for (int page = 0; page < 5; page++) {
        struct souk_h_resp r;
        souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
        total += json_array_size(json_object_get(r.json, "data"));
        bool more = json_is_true(json_object_get(r.json, "has_more"));
        snprintf(path, sizeof path, "/v1/products?limit=3&after=%s",
                 souk_h_str(r.json, "next_cursor"));
        souk_h_resp_release(&r);
        if (!more)
            break;
    }
    assert_int_equal(total, 7);
    assert_int_equal(list_count(s, "/v1/products?status=draft"), 3);
    assert_int_equal(list_count(s, "/v1/products?tag=odd"), 3);
    assert_int_equal(list_count(s, "/v1/products?q=mug-00"), 7);
    assert_int_equal(list_count(s, "/v1/products?q=MUG%204"), 1);
    assert_int_equal(list_count(s, "/v1/products?updated_since=2999-01-01T00:00:00Z"), 0);

    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products?updated_since=yesterday", s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "updated_since");
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products?limit=0", s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "limit");
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products?locale=klingon", s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "locale");
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", "/v1/products?locale=pt-BR&limit=1", s->key, NULL, no_headers, &r);
    json_t *first = json_array_get(json_object_get(r.json, "data"), 0);
    assert_string_equal(souk_h_str(first, "title"), "Caneca 0");
    assert_string_equal(souk_h_str(first, "locale"), "pt");
    souk_h_resp_release(&r);
}

static void variants_and_stock(void **state)
{
    struct souk_h_server *s = *state;
    char wh[64], product[64], variant[64], body[512], path[256];
    create(s, "/v1/warehouses", WAREHOUSE, wh);
    create(s, "/v1/products", SHIRT, product);
    snprintf(body, sizeof body,
             "{\"product_id\": \"%s\", \"sku\": \"SHIRT-L\", \"option_values\": [\"L\"], "
             "\"prices\": [{\"currency\": \"USD\", \"amount\": 5400}]}",
             product);
    create(s, "/v1/variants", body, variant);

    struct souk_h_resp r;
    snprintf(path, sizeof path, "/v1/products/%s", product);
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    assert_string_equal(r.etag, "\"2\""); /* a new variant changes its product */
    assert_int_equal(json_array_size(json_object_get(r.json, "variants")), 3);
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v1/variants/%s", variant);
    const char *v1[] = {"If-Match: \"1\"", NULL};
    souk_h_request(
        s, "PATCH", path, s->key,
        "{\"prices\": [{\"currency\": \"USD\", \"amount\": 4900, \"compare_at\": 5400}]}", v1, &r);
    assert_int_equal(r.status, 200);
    json_t *price = json_array_get(json_object_get(r.json, "prices"), 0);
    assert_int_equal(json_integer_value(json_object_get(price, "compare_at")), 5400);
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v1/stock/%s/%s", variant, wh);
    souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 7}", no_headers, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "available")), 7);
    assert_string_equal(souk_h_str(r.json, "warehouse_code"), "berlin");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/stock?variant_id=%s", variant);
    assert_int_equal(list_count(s, path), 1);
    assert_int_equal(list_count(s, "/v1/stock"), 2);
    snprintf(path, sizeof path, "/v1/stock/var_nope/%s", wh);
    souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 7}", no_headers, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);

    /* The product read earlier (and cached) shows the new stock at a new version. */
    snprintf(path, sizeof path, "/v1/products/%s", product);
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    assert_string_equal(r.etag, "\"4\"");
    json_t *third = json_array_get(json_object_get(r.json, "variants"), 2);
    json_t *level = json_array_get(json_object_get(third, "stock"), 0);
    assert_int_equal(json_integer_value(json_object_get(level, "on_hand")), 7);
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v1/warehouses/%s", wh);
    souk_h_request(s, "DELETE", path, s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 409, "conflict", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "PATCH", path, s->key, "{\"code\": \"berlin-mitte\"}", no_headers, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_str(r.json, "code"), "berlin-mitte");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/products/%s", product);
    souk_h_request(s, "GET", path, s->key, NULL, no_headers, &r);
    assert_string_equal(r.etag, "\"5\""); /* a renamed warehouse is a new representation */
    third = json_array_get(json_object_get(r.json, "variants"), 2);
    level = json_array_get(json_object_get(third, "stock"), 0);
    assert_string_equal(souk_h_str(level, "warehouse_code"), "berlin-mitte");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/variants?product_id=%s", product);
    assert_int_equal(list_count(s, path), 3);
    assert_int_equal(list_count(s, "/v1/variants?sku=SHIRT-L"), 1);
}

static void idempotent_creates_replay_and_refuse_reuse(void **state)
{
    struct souk_h_server *s = *state;
    const char *key[] = {"Idempotency-Key: order-42", NULL};
    struct souk_h_resp first, again;
    souk_h_request(s, "POST", "/v1/warehouses", s->key, WAREHOUSE, key, &first);
    assert_int_equal(first.status, 201);
    souk_h_request(s, "POST", "/v1/warehouses", s->key, WAREHOUSE, key, &again);
    assert_int_equal(again.status, 201);
    assert_string_equal(again.body.data, first.body.data);
    assert_string_equal(again.location, first.location);
    assert_string_equal(again.etag, "\"1\""); /* the replay is the whole first answer */
    souk_h_resp_release(&again);
    souk_h_resp_release(&first);
    assert_int_equal(list_count(s, "/v1/warehouses"), 1);
    souk_h_request(s, "POST", "/v1/warehouses", s->key,
                   "{\"code\": \"paris\", \"name\": \"Paris\", \"country\": \"FR\"}", key, &again);
    souk_h_assert_error(&again, 422, "idempotency_mismatch", "Idempotency-Key");
    souk_h_resp_release(&again);
}

/* Sends the headers and half the body of a keyed POST over a raw socket and leaves it open. */
static int start_slow_post(struct souk_h_server *s, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "POST /v1/warehouses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                     "%s\r\nContent-Type: application/json\r\nIdempotency-Key: slow-1\r\n"
                     "Content-Length: %zu\r\n\r\n%.10s",
                     s->key, strlen(body), body);
    assert_int_equal(write(fd, head, (size_t)n), n);
    return fd;
}

static void sigterm_lets_in_flight_requests_finish(void **state)
{
    struct souk_h_server *s = *state;
    int fd = start_slow_post(s, WAREHOUSE);
    souk_h_wait_in_flight(s, 1);
    kill(s->pid, SIGTERM); /* the server stops accepting, but owes this request its answer */
    souk_h_wait_log(s, NULL, 0, "msg=\"shutting down\"", NULL);
    const char *rest = &WAREHOUSE[10];
    souk_h_raw_send(fd, rest, strlen(rest));
    struct souk_buf reply = SOUK_BUF_INIT(1 << 20);
    assert_int_equal(souk_h_raw_response(fd, &reply, NULL), 201);
    souk_buf_release(&reply);
    close(fd);
    assert_int_equal(souk_h_stop(s), 0);
    struct souk_buf out;
    souk_h_export(s, &out); /* the answer was committed */
    assert_non_null(strstr(out.data, "\"code\":\"berlin\""));
    souk_buf_release(&out);
}

static void sigterm_stops_gracefully_and_requests_were_logged(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/products", s->key, NULL, no_headers, &r);
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_stop(s), 0);
    FILE *f = fopen(s->log_path, "r");
    char line[2048];
    bool logged = false;
    while (fgets(line, sizeof line, f))
        logged = logged || (strstr(line, "msg=request") && strstr(line, "method=GET") &&
                            strstr(line, "path=/v1/products") && strstr(line, "req_id=req_") &&
                            !strstr(line, s->key));
    fclose(f);
    assert_true(logged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keys_are_required_scoped_and_revocable, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(health_readiness_and_metrics, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(products_crud_with_etags, souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(lists_page_filter_and_translate, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(variants_and_stock, souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(idempotent_creates_replay_and_refuse_reuse, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(sigterm_lets_in_flight_requests_finish, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(sigterm_stops_gracefully_and_requests_were_logged,
                                        souk_h_setup, souk_h_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

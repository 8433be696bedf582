/* Integration tests of Idempotency-Key on POST: replay, mismatch, in-flight duplicates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MUG "{\"title\": \"Mug\", \"variants\": [{\"sku\": \"MUG-1\"}]}"
#define CUP "{\"title\": \"Cup\", \"variants\": [{\"sku\": \"CUP-1\"}]}"

static void post(struct souk_h_server *s, const char *key, const char *path, const char *body,
                 const char *idem_key, struct souk_h_resp *r)
{
    char header[512];
    snprintf(header, sizeof header, "Idempotency-Key: %s", idem_key);
    const char *headers[] = {header, NULL};
    souk_h_request(s, "POST", path, key, body, headers, r);
}

static void a_replay_returns_the_first_answer_byte_for_byte(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp first, again;
    post(s, s->key, "/v1/products", MUG, "order-1", &first);
    assert_int_equal(first.status, 201);
    post(s, s->key, "/v1/products", MUG, "order-1", &again);
    assert_int_equal(again.status, 201);
    assert_int_equal(again.body.len, first.body.len);
    assert_memory_equal(again.body.data, first.body.data, first.body.len);
    assert_string_equal(again.location, first.location);
    assert_string_equal(again.etag, first.etag);
    assert_string_not_equal(again.request_id, first.request_id); /* a request of its own */
    assert_int_equal(souk_h_count(s, "/v1/products"), 1);

    /* The replay is the first answer, not the product's state now. */
    struct souk_h_resp r;
    souk_h_request(s, "PATCH", first.location, s->key, "{\"title\": \"Big Mug\"}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_resp_release(&again);
    post(s, s->key, "/v1/products", MUG, "order-1", &again);
    assert_int_equal(again.status, 201);
    assert_string_equal(again.body.data, first.body.data);
    assert_string_equal(again.etag, "\"1\"");
    souk_h_resp_release(&again);
    souk_h_resp_release(&first);
}

static void the_same_key_for_another_request_is_422_and_changes_nothing(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    post(s, s->key, "/v1/products", MUG, "order-2", &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    struct souk_buf before, after;
    souk_h_export(s, &before);
    post(s, s->key, "/v1/products", CUP, "order-2", &r); /* another body */
    souk_h_assert_error(&r, 422, "idempotency_mismatch", "Idempotency-Key");
    souk_h_resp_release(&r);
    post(s, s->key, "/v1/warehouses", MUG, "order-2", &r); /* another route */
    souk_h_assert_error(&r, 422, "idempotency_mismatch", "Idempotency-Key");
    souk_h_resp_release(&r);
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "a reused Idempotency-Key");
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void a_refused_request_does_not_use_up_its_key(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    post(s, s->key, "/v1/products", "{\"title\": \"Mug\", \"colour\": \"red\"}", "order-3", &r);
    souk_h_assert_error(&r, 400, "invalid_request", "colour");
    souk_h_resp_release(&r);
    post(s, s->key, "/v1/products", MUG, "order-3", &r); /* the corrected retry */
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
}

static void keys_are_scoped_to_their_api_key(void **state)
{
    struct souk_h_server *s = *state;
    char other[SOUK_H_KEY_MAX], other_id[SOUK_H_ID_MAX];
    souk_h_mint(s, "catalog:read,catalog:write", other, other_id);
    struct souk_h_resp r;
    post(s, s->key, "/v1/products", MUG, "order-4", &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    post(s, other, "/v1/products", CUP, "order-4", &r); /* not a mismatch: another client */
    assert_int_equal(r.status, 201);
    assert_string_equal(souk_h_str(r.json, "title"), "Cup");
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_count(s, "/v1/products"), 2);
}

static void keys_longer_than_255_characters_are_refused(void **state)
{
    struct souk_h_server *s = *state;
    char key[300];
    memset(key, 'k', 256);
    key[256] = '\0';
    struct souk_h_resp r;
    post(s, s->key, "/v1/products", MUG, key, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "Idempotency-Key");
    souk_h_resp_release(&r);
    key[255] = '\0';
    post(s, s->key, "/v1/products", MUG, key, &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
}

/* Sends the headers and the first `sent` bytes of a keyed POST of body; returns the socket. */
/* Sends a keyed POST's headers and the first `sent` bytes of its body in one write, and leaves
 * the rest unsent: the server holds the request, and its key, until the body completes. */
static int start_slow_post(struct souk_h_server *s, const char *idem_key, const char *body,
                           size_t sent)
{
    int fd = souk_h_raw_connect(s);
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "POST /v1/products HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Idempotency-Key: %s\r\nContent-Length: %zu\r\n\r\n%.*s",
                     s->key, idem_key, strlen(body), (int)sent, body);
    assert_true(n > 0 && (size_t)n < sizeof head);
    souk_h_raw_send(fd, head, (size_t)n);
    return fd;
}

static void a_duplicate_while_the_first_is_in_flight_is_409_until_it_completes(void **state)
{
    struct souk_h_server *s = *state;
    souk_h_wait_in_flight(s, 0);
    int fd = start_slow_post(s, "order-5", MUG, 10);
    souk_h_wait_in_flight(s, 1); /* the server has the first one's headers */

    struct souk_h_resp r;
    post(s, s->key, "/v1/products", MUG, "order-5", &r);
    souk_h_assert_error(&r, 409, "idempotency_in_flight", "Idempotency-Key");
    souk_h_resp_release(&r);
    post(s, s->key, "/v1/products", CUP, "order-6", &r); /* other keys are not held up */
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    assert_int_equal(souk_h_count(s, "/v1/products?q=mug"), 0);

    souk_h_raw_send(fd, &MUG[10], strlen(MUG) - 10);
    struct souk_buf raw = SOUK_BUF_INIT(1 << 20);
    size_t body_at = 0;
    assert_int_equal(souk_h_raw_response(fd, &raw, &body_at), 201);
    close(fd);
    post(s, s->key, "/v1/products", MUG, "order-5", &r); /* now a replay of that answer */
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body.data, raw.data + body_at);
    souk_h_resp_release(&r);
    souk_buf_release(&raw);
    assert_int_equal(souk_h_count(s, "/v1/products?q=mug"), 1);
}

static void a_burst_of_one_keyed_request_creates_one_product(void **state)
{
    struct souk_h_server *s = *state;
    enum { N = 10 };
    const char *key[] = {"Idempotency-Key: burst-1", NULL};
    struct souk_h_call calls[N];
    for (int i = 0; i < N; i++)
        calls[i] = (struct souk_h_call){
            .method = "POST", .path = "/v1/products", .body = MUG, .headers = key};
    souk_h_parallel(s, s->key, calls, N);
    const char *created = NULL;
    for (int i = 0; i < N; i++) {
        struct souk_h_resp *r = &calls[i].resp;
        if (r->status == 409) {
            souk_h_assert_error(r, 409, "idempotency_in_flight", "Idempotency-Key");
            continue;
        }
        if (r->status != 201)
            fail_msg("request %d: %ld %s", i, r->status, r->body.data);
        if (created && strcmp(created, r->body.data) != 0) /* each 201 is the same answer */
            fail_msg("two different answers:\n%s\n%s", created, r->body.data);
        created = r->body.data;
    }
    assert_non_null(created);
    for (int i = 0; i < N; i++)
        souk_h_resp_release(&calls[i].resp);
    assert_int_equal(souk_h_count(s, "/v1/products"), 1);
}

static void an_abandoned_request_releases_its_key(void **state)
{
    struct souk_h_server *s = *state;
    souk_h_wait_in_flight(s, 0);
    int fd = start_slow_post(s, "order-7", MUG, 10);
    souk_h_wait_in_flight(s, 1);
    close(fd); /* the client gives up mid-body */
    /* The key is free once the server has seen the connection go: until then a retry is told
     * the first is in flight (the 30 s connection timeout is the backstop). */
    struct souk_h_resp r;
    for (int waited_ms = 0;; waited_ms += 50) {
        post(s, s->key, "/v1/products", MUG, "order-7", &r);
        if (r.status != 409 || waited_ms >= 40000)
            break;
        souk_h_assert_error(&r, 409, "idempotency_in_flight", "Idempotency-Key");
        souk_h_resp_release(&r);
        souk_h_sleep_ms(50);
    }
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    souk_h_wait_in_flight(s, 0);
    assert_int_equal(souk_h_count(s, "/v1/products"), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, souk_h_setup, souk_h_teardown)
    const struct CMUnitTest tests[] = {
        T(a_replay_returns_the_first_answer_byte_for_byte),
        T(the_same_key_for_another_request_is_422_and_changes_nothing),
        T(a_refused_request_does_not_use_up_its_key),
        T(keys_are_scoped_to_their_api_key),
        T(keys_longer_than_255_characters_are_refused),
        T(a_duplicate_while_the_first_is_in_flight_is_409_until_it_completes),
        T(a_burst_of_one_keyed_request_creates_one_product),
        T(an_abandoned_request_releases_its_key),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

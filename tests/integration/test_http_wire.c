/*
 * Integration tests: the HTTP/1.1 server on the wire, over raw sockets. Pipelined requests
 * (one of them parked at the intake writer) answer in order; heads and bodies may arrive a
 * byte at a time; chunked bodies, Expect: 100-continue, HEAD and HTTP/1.0 behave as RFC 9112
 * says; what cannot be framed is refused with its status in the one error shape, and closes
 * the connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/alloc.h"
#include "harness.h"

static struct souk_h_server server;

#define ORDER_BODY                                                                                 \
    "{\"currency\":\"EUR\",\"lines\":[{\"sku\":\"HOT-1\",\"quantity\":1}],"                        \
    "\"shipping_address\":{\"country\":\"DE\"}}"
#define WAREHOUSE_BODY "{\"code\":\"w%d\",\"name\":\"W\",\"country\":\"DE\"}"

static int setup(void **state)
{
    souk_h_start(&server, NULL);
    char id[SOUK_H_ID_MAX];
    souk_h_create(&server, "/v1/warehouses",
                  "{\"code\": \"live\", \"name\": \"Live\", \"country\": \"DE\"}", id);
    souk_h_create(&server, "/v1/products",
                  "{\"title\": \"Hot\", \"variants\": [{\"sku\": \"HOT-1\", \"prices\": "
                  "[{\"currency\": \"EUR\", \"amount\": 1999}], \"stock\": [{\"warehouse_code\": "
                  "\"live\", \"on_hand\": 1000}]}]}",
                  id);
    return 0;
}

static int teardown(void **state)
{
    souk_h_cleanup(&server);
    return 0;
}

static void send_text(int fd, const char *text)
{
    souk_h_raw_send(fd, text, strlen(text));
}

/* Reads the next response of fd into out (dropping the one before it) and returns its status. */
static long next_response(int fd, struct souk_buf *out, size_t *consumed)
{
    if (*consumed) {
        memmove(out->data, out->data + *consumed, out->len - *consumed + 1);
        out->len -= *consumed;
    }
    size_t body_at = 0;
    long status = souk_h_raw_response(fd, out, &body_at);
    const char *length = strstr(out->data, "Content-Length: ");
    assert_non_null(length);
    int64_t n = 0;
    const char *end = strstr(length, "\r\n");
    assert_int_equal(souk_str_to_i64((struct souk_str){length + 16, (size_t)(end - length - 16)}, 0,
                                     1 << 20, &n),
                     SOUK_OK);
    *consumed = body_at + (size_t)n;
    return status;
}

/* True when the server closes fd within 5 s (after whatever it still sends). */
static bool closed_by_server(int fd)
{
    char drop[4096];
    for (int i = 0; i < 50; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = recv(fd, drop, sizeof drop, 0);
            if (n <= 0)
                return true;
        }
    }
    return false;
}

/* An order's whole request, into text. */
static const char *order_request(char text[2048], const char *extra)
{
    snprintf(text, 2048,
             "POST /v1/orders HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
             server.key, extra, strlen(ORDER_BODY), ORDER_BODY);
    return text;
}

static void pipelined_requests_answer_in_order_around_a_parked_write(void **state)
{
    int fd = souk_h_raw_connect(&server);
    char text[8192], first[2048], second[2048];
    snprintf(text, sizeof text,
             "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n%s%s"
             "GET /v1/orders?limit=1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n",
             order_request(first, ""), order_request(second, "X-Request-Id: second-order\r\n"),
             server.key);
    send_text(fd, text); /* all four in one segment */
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    assert_int_equal(next_response(fd, &out, &consumed), 201);
    assert_int_equal(next_response(fd, &out, &consumed), 201);
    assert_non_null(strstr(out.data, "X-Request-Id: second-order"));
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    assert_non_null(strstr(out.data, "\"data\":[{\"id\":\"ord_"));
    souk_buf_release(&out);
    close(fd);
}

static void a_request_sent_a_byte_at_a_time_is_served(void **state)
{
    int fd = souk_h_raw_connect(&server);
    char request[2048];
    const char *text = order_request(request, "");
    for (size_t i = 0; text[i]; i++) {
        souk_h_raw_send(fd, text + i, 1);
        if (i % 16 == 0)
            souk_h_sleep_ms(1); /* separate segments, not one coalesced write */
    }
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 201);
    souk_buf_release(&out);
    close(fd);
}

static void chunked_bodies_are_decoded_and_bad_framing_is_400(void **state)
{
    int fd = souk_h_raw_connect(&server);
    char head[1024];
    snprintf(head, sizeof head,
             "POST /v1/warehouses HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
             server.key);
    send_text(fd, head);
    /* {"code":"chunked","name":"C","country":"FR"} in three chunks, split across sends */
    send_text(fd, "a;note=ext\r\n{\"code\":\"c\r\n");
    souk_h_sleep_ms(5);
    send_text(fd, "1a\r\nhunked\",\"name\":\"C\",\"countr\r\n6\r\ny\":\"FR\r\n");
    send_text(fd, "2\r\n\"}\r\n0\r\nX-Trailer: ignored\r\n\r\n");
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 201);
    assert_non_null(strstr(out.data, "\"code\":\"chunked\""));
    /* The same connection goes on; a chunk size that is not hex refuses and closes it. */
    send_text(fd, head);
    send_text(fd, "zz\r\n{}\r\n0\r\n\r\n");
    assert_int_equal(next_response(fd, &out, &consumed), 400);
    assert_non_null(strstr(out.data, "\"type\":\"invalid_request\""));
    assert_non_null(strstr(out.data, "Connection: close"));
    assert_true(closed_by_server(fd));
    souk_buf_release(&out);
    close(fd);
}

static void expect_100_continue_is_answered_before_the_body(void **state)
{
    int fd = souk_h_raw_connect(&server);
    char text[1024];
    char body[128];
    snprintf(body, sizeof body, WAREHOUSE_BODY, 100);
    snprintf(
        text, sizeof text,
        "POST /v1/warehouses HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
        "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
        server.key, strlen(body));
    send_text(fd, text);
    char go_on[64] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    assert_true(recv(fd, go_on, sizeof go_on - 1, 0) > 0);
    assert_string_equal(go_on, "HTTP/1.1 100 Continue\r\n\r\n");
    send_text(fd, body);
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 201);
    close(fd);

    /* A body over the route's limit gets no 100: its 413 comes at once, the body unsent. */
    fd = souk_h_raw_connect(&server);
    snprintf(text, sizeof text,
             "POST /v1/warehouses HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
             "Content-Length: 900000000\r\n\r\n",
             server.key);
    send_text(fd, text);
    souk_buf_reset(&out);
    consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 413);
    assert_true(closed_by_server(fd));
    souk_buf_release(&out);
    close(fd);
}

static void a_refused_body_still_lets_the_client_read_its_answer(void **state)
{
    int fd = souk_h_raw_connect(&server);
    char text[1024];
    snprintf(text, sizeof text,
             "POST /v1/warehouses HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n",
             server.key);
    send_text(fd, text);
    static char junk[256 * 1024];
    memset(junk, 'x', sizeof junk);
    souk_h_raw_send(fd, junk, sizeof junk); /* the server drops it rather than reset */
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 413);
    assert_non_null(strstr(out.data, "\"type\":\"payload_too_large\""));
    souk_buf_release(&out);
    close(fd);
}

/*
 * Sends text on a fresh connection and checks the status and error type; a request that could
 * not be framed closes its connection, one that could goes on to serve the next.
 */
static void assert_answer(const char *text, long status, const char *type, bool closes)
{
    int fd = souk_h_raw_connect(&server);
    souk_h_raw_send(fd, text, strlen(text));
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    long got = next_response(fd, &out, &consumed);
    if (got != status || !strstr(out.data, type))
        fail_msg("%.60s: expected %ld %s, got %.400s", text, status, type, out.data);
    if (closes) {
        assert_true(closed_by_server(fd));
    } else {
        send_text(fd, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_int_equal(next_response(fd, &out, &consumed), 200);
    }
    souk_buf_release(&out);
    close(fd);
}

static void assert_refused(const char *text, long status, const char *type)
{
    assert_answer(text, status, type, true);
}

static void what_cannot_be_framed_is_refused_with_its_status(void **state)
{
    assert_refused("GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n", 505, "http_version_not_supported");
    assert_refused("GET  /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "invalid_request");
    assert_refused("GET healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "invalid_request");
    assert_refused("GET /healthz HTTP/1.1\r\n\r\n", 400, "invalid_request"); /* no Host */
    assert_refused("GET /healthz HTTP/1.1\r\nHost : t\r\n\r\n", 400, "invalid_request");
    assert_refused("GET /healthz HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n", 400, "invalid_request");
    assert_answer("GET /he%00lthz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "invalid_request", false);
    assert_answer("GET /v1/orders?limit=%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "invalid_request",
                  false);
    assert_refused("POST /v1/orders HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
                   "not_implemented");
    assert_refused("POST /v1/orders HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n",
                   400, "invalid_request");
    assert_refused("POST /v1/orders HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                   "Content-Length: 4\r\n\r\n",
                   400, "invalid_request");
    assert_refused("GET /healthz HTTP/1.1\r\nHost: t\r\nExpect: 200-ok\r\n\r\n", 417,
                   "expectation_failed");

    static char line[14 * 1024];
    int n = snprintf(line, sizeof line, "GET /");
    memset(line + n, 'a', sizeof line - (size_t)n - 1);
    assert_refused(line, 414, "uri_too_long");
    static char fields[8192];
    n = snprintf(fields, sizeof fields, "GET /healthz HTTP/1.1\r\nHost: t\r\n");
    for (int i = 0; i < 70; i++)
        n += snprintf(fields + n, sizeof fields - (size_t)n, "X-F%d: v\r\n", i);
    snprintf(fields + n, sizeof fields - (size_t)n, "\r\n");
    assert_refused(fields, 431, "request_header_fields_too_large");

    /* None of it took the server down. */
    struct souk_h_resp r;
    souk_h_request(&server, "GET", "/healthz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
}

static void http_1_0_closes_unless_asked_to_keep_alive(void **state)
{
    int fd = souk_h_raw_connect(&server);
    send_text(fd, "GET /healthz HTTP/1.0\r\n\r\n");
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    assert_non_null(strstr(out.data, "Connection: close"));
    assert_true(closed_by_server(fd));
    close(fd);

    fd = souk_h_raw_connect(&server);
    send_text(fd, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    souk_buf_reset(&out);
    consumed = 0;
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    assert_non_null(strstr(out.data, "Connection: keep-alive"));
    send_text(fd, "GET /readyz HTTP/1.0\r\n\r\n");
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    souk_buf_release(&out);
    close(fd);
}

static void head_answers_the_fields_of_get_without_its_body(void **state)
{
    int fd = souk_h_raw_connect(&server);
    /* Pipelined: were HEAD's body sent, it would sit where the next status line must be. */
    send_text(fd,
              "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    size_t body_at = 0;
    assert_int_equal(souk_h_raw_response(fd, &out, &body_at), 200);
    assert_non_null(strstr(out.data, "Content-Length: 15\r\n"));
    size_t consumed = body_at; /* HEAD: nothing after the fields */
    assert_int_equal(next_response(fd, &out, &consumed), 200);
    assert_memory_equal(out.data + out.len - 15, "{\"status\":\"ok\"}", 15);
    souk_buf_release(&out);
    close(fd);
}

static void a_client_gone_while_its_write_is_parked_leaves_the_server_serving(void **state)
{
    for (int i = 0; i < 20; i++) {
        int fd = souk_h_raw_connect(&server);
        char request[2048];
        send_text(fd, order_request(request, ""));
        close(fd); /* before the commit answers */
    }
    struct souk_h_resp r;
    souk_h_request(&server, "POST", "/v1/orders", server.key, ORDER_BODY, NULL, &r);
    assert_int_equal(r.status, 201);
    souk_h_resp_release(&r);
    souk_h_wait_metric(&server, "souk_http_requests_in_flight 1"); /* only the metrics call */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipelined_requests_answer_in_order_around_a_parked_write),
        cmocka_unit_test(a_request_sent_a_byte_at_a_time_is_served),
        cmocka_unit_test(chunked_bodies_are_decoded_and_bad_framing_is_400),
        cmocka_unit_test(expect_100_continue_is_answered_before_the_body),
        cmocka_unit_test(a_refused_body_still_lets_the_client_read_its_answer),
        cmocka_unit_test(what_cannot_be_framed_is_refused_with_its_status),
        cmocka_unit_test(http_1_0_closes_unless_asked_to_keep_alive),
        cmocka_unit_test(head_answers_the_fields_of_get_without_its_body),
        cmocka_unit_test(a_client_gone_while_its_write_is_parked_leaves_the_server_serving),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * Integration tests of `souk sim` run as a process: it announces its address on stdout, serves
 * the platform paths and the control endpoints, reads its config file, and stops cleanly on
 * SIGTERM. Requests go through the harness's libcurl client and raw sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static const char *const no_headers[] = {NULL};

static int setup(void **state)
{
    static struct souk_h_server sim; /* cmocka runs one test at a time */
    souk_h_sim_start(&sim, NULL);
    *state = &sim;
    return 0;
}

static int teardown(void **state)
{
    souk_h_cleanup(*state);
    return 0;
}

static void pushes_show_up_in_the_items(void **state)
{
    struct souk_h_server *s = *state;
    const char *meta[] = {"Authorization: Bearer sim-meta-access-token", NULL};
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v21.0/1234567890/items_batch", NULL,
                   "{\"item_type\": \"PRODUCT_ITEM\", \"requests\": [{\"method\": \"CREATE\", "
                   "\"data\": {\"id\": \"SHIRT-S\", \"title\": \"Linen Shirt\", \"description\": "
                   "\"Light\", \"availability\": \"in stock\", \"condition\": \"new\", \"price\": "
                   "\"49.90 EUR\", \"link\": \"https://shop.test/s\", \"image_link\": "
                   "\"https://shop.test/s.jpg\", \"brand\": \"Souk\", "
                   "\"quantity_to_sell_on_facebook\": 0}}]}",
                   meta, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_array(souk_h_at(r.json, "handles")));
    souk_h_resp_release(&r);

    json_t *item = souk_h_get(s, "/_sim/items/meta/SHIRT-S");
    assert_int_equal(souk_h_int(item, "quantity"), 0);
    assert_int_equal(souk_h_int(item, "price.amount_minor"), 4990);
    assert_string_equal(souk_h_text(item, "fields.title"), "Linen Shirt");
    json_decref(item);
    json_t *log = souk_h_get(s, "/_sim/requests?platform=meta");
    assert_string_equal(souk_h_text(log, "requests[0].path"), "/v21.0/1234567890/items_batch");
    assert_int_equal(souk_h_int(log, "requests[0].status"), 200);
    json_decref(log);
}

static void rate_limited_requests_carry_retry_after(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/_sim/rate_limit", NULL,
                   "{\"platform\": \"pinterest\", \"per_second\": 0.02, \"burst\": 1}", no_headers,
                   &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    const char request[] = "GET /v5/catalogs/items/batch/1 HTTP/1.1\r\nHost: sim\r\n"
                           "Authorization: Bearer sim-pinterest-access-token\r\n"
                           "Connection: close\r\n\r\n";
    struct souk_buf raw = SOUK_BUF_INIT(1 << 20);
    for (int i = 0; i < 2; i++) {
        int fd = souk_h_raw_connect(s);
        souk_h_raw_send(fd, request, sizeof request - 1);
        souk_buf_reset(&raw);
        long status = souk_h_raw_response(fd, &raw, NULL);
        close(fd);
        assert_int_equal(status, i == 0 ? 404 : 429);
    }
    assert_non_null(strstr(raw.data, "\r\nRetry-After: 50\r\n"));
    assert_non_null(strstr(raw.data, "\"code\":29"));
    souk_buf_release(&raw);
}

static void stops_on_sigterm(void **state)
{
    struct souk_h_server *s = *state;
    assert_int_equal(souk_h_stop(s), 0);
}

static void reads_its_config_and_refuses_a_bad_one(void **state)
{
    char dir[] = "/tmp/souk-sim-cfg-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sim.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"google\": {\"access_token\": \"g-token\", \"merchant_id\": \"42\", "
          "\"data_source_id\": \"7\"}}",
          f);
    fclose(f);
    struct souk_h_server s;
    souk_h_sim_start(&s, path);
    struct souk_h_resp r;
    const char *product = "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"feedLabel\": "
                          "\"US\", \"productAttributes\": {\"title\": \"Mug\", \"link\": "
                          "\"https://shop.test/g\", \"imageLink\": \"https://shop.test/g.jpg\", "
                          "\"availability\": \"IN_STOCK\", \"price\": {\"amountMicros\": "
                          "\"3000000\", \"currencyCode\": \"USD\"}}}";
    const char *insert =
        "/products/v1/accounts/42/productInputs:insert?dataSource=accounts/42/dataSources/7";
    souk_h_request(&s, "POST", insert, "sim-google-access-token", product, no_headers, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(souk_h_text(r.json, "error.status"), "UNAUTHENTICATED");
    souk_h_resp_release(&r);
    souk_h_request(&s, "POST", insert, "g-token", product, no_headers, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(souk_h_str(r.json, "name"), "accounts/42/productInputs/en~US~G-1");
    souk_h_resp_release(&r);
    souk_h_cleanup(&s);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"myspace\": {}}", f);
    fclose(f);
    struct souk_buf errout = SOUK_BUF_INIT(4096);
    assert_int_equal(souk_h_run(NULL, NULL, &errout, "sim", "--listen", "127.0.0.1:0",
                                "--config", path, NULL),
                     1);
    assert_non_null(strstr(errout.data, "myspace"));
    souk_buf_release(&errout);
    unlink(path);
    rmdir(dir);
}

static void help_and_usage_errors(void **state)
{
    struct souk_buf out = SOUK_BUF_INIT(8192);
    assert_int_equal(souk_h_run(NULL, &out, NULL, "sim", "--help", NULL), 0);
    assert_non_null(strstr(out.data, "--config FILE"));
    souk_buf_release(&out);
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "sim", "--nope", NULL), 2);
    assert_int_equal(souk_h_run(NULL, NULL, NULL, "sim", "--listen", "nowhere", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pushes_show_up_in_the_items, setup, teardown),
        cmocka_unit_test_setup_teardown(rate_limited_requests_carry_retry_after, setup, teardown),
        cmocka_unit_test_setup_teardown(stops_on_sigterm, setup, teardown),
        cmocka_unit_test(reads_its_config_and_refuses_a_bad_one),
        cmocka_unit_test(help_and_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Integration tests of the stock ledger: every change of on_hand or reserved is a movement with
 * its reason, the movements add up to the stock rows, and a server killed in the middle of a
 * burst of orders keeps every order it acknowledged and a ledger that still adds up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

static const char *const no_headers[] = {NULL};

/* A warehouse "main" and one product with sku, on_hand units there, 20.00 EUR; fills the ids. */
static void seed(struct souk_h_server *s, const char *sku, int on_hand, char variant[64],
                 char warehouse[64])
{
    json_decref(souk_h_call(s, "POST", "/v1/warehouses",
                            "{\"code\": \"main\", \"name\": \"Main\", \"country\": \"DE\"}", 201));
    char body[512];
    snprintf(body, sizeof body,
             "{\"title\": \"Ledger test\", \"variants\": [{\"sku\": \"%s\", \"prices\": "
             "[{\"currency\": \"EUR\", \"amount\": 2000}], \"stock\": [{\"warehouse_code\": "
             "\"main\", \"on_hand\": %d}]}]}",
             sku, on_hand);
    json_t *p = souk_h_call(s, "POST", "/v1/products", body, 201);
    json_t *v = json_array_get(json_object_get(p, "variants"), 0);
    snprintf(variant, 64, "%s", souk_h_str(v, "id"));
    snprintf(warehouse, 64, "%s", souk_h_text(v, "stock[0].warehouse_id"));
    json_decref(p);
}

static void place(struct souk_h_server *s, const char *sku, int quantity, char id[64])
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"%s\", \"quantity\": %d}]}", sku,
             quantity);
    json_t *o = souk_h_call(s, "POST", "/v1/orders", body, 201);
    snprintf(id, 64, "%s", souk_h_str(o, "id"));
    json_decref(o);
}

static int64_t stock_of(struct souk_h_server *s, const char *variant, const char *warehouse,
                        const char *field)
{
    char path[192];
    snprintf(path, sizeof path, "/v1/stock/%s/%s", variant, warehouse);
    json_t *level = souk_h_call(s, "GET", path, NULL, 200);
    int64_t value = json_integer_value(json_object_get(level, field));
    json_decref(level);
    return value;
}

/* Every item of the list at base?query, all pages, in order (decref the array). */
static json_t *list_all(struct souk_h_server *s, const char *base, const char *query)
{
    json_t *all = json_array();
    char cursor[64] = "";
    for (;;) {
        char path[320];
        snprintf(path, sizeof path, "%s?%s&limit=250%s%s", base, query, cursor[0] ? "&after=" : "",
                 cursor);
        json_t *page = souk_h_call(s, "GET", path, NULL, 200);
        json_array_extend(all, json_object_get(page, "data"));
        bool more = json_is_true(json_object_get(page, "has_more"));
        if (more)
            snprintf(cursor, sizeof cursor, "%s", souk_h_str(page, "next_cursor"));
        json_decref(page);
        if (!more)
            return all;
    }
}

/* on_hand and reserved as the ledger adds them up (see catalog.h). */
static void ledger_sums(json_t *list, int64_t *on_hand, int64_t *reserved)
{
    *on_hand = *reserved = 0;
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        const char *kind = souk_h_str(m, "kind");
        int64_t n = json_integer_value(json_object_get(m, "quantity"));
        if (strcmp(kind, "adjust") == 0 || strcmp(kind, "restock") == 0)
            *on_hand += n;
        else if (strcmp(kind, "reserve") == 0)
            *reserved += n;
        else if (strcmp(kind, "release") == 0)
            *reserved -= n;
        else if (strcmp(kind, "consume") == 0) {
            *on_hand -= n;
            *reserved -= n;
        }
    }
}

static void the_ledger_explains_every_stock_change(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], warehouse[64], kept[64], dropped[64], path[192];
    seed(s, "LEDGER-1", 10, variant, warehouse);
    snprintf(path, sizeof path, "/v1/stock/%s/%s", variant, warehouse);
    json_decref(souk_h_call(s, "PUT", path, "{\"on_hand\": 12, \"reason\": \"cycle count\"}", 200));
    place(s, "LEDGER-1", 3, kept);
    place(s, "LEDGER-1", 2, dropped);
    char action[128];
    snprintf(action, sizeof action, "/v1/orders/%s/cancel", dropped);
    json_decref(souk_h_call(s, "POST", action, "{}", 200));
    snprintf(action, sizeof action, "/v1/orders/%s/confirm", kept);
    json_decref(souk_h_call(s, "POST", action, "{}", 200));
    snprintf(action, sizeof action, "/v1/orders/%s/fulfil", kept);
    json_decref(
        souk_h_call(s, "POST", action, "{\"carrier\": \"DHL\", \"tracking_number\": \"T1\"}", 200));
    snprintf(action, sizeof action, "/v1/orders/%s/return", kept);
    json_decref(
        souk_h_call(s, "POST", action, "{\"lines\": [{\"line\": 1, \"quantity\": 1}]}", 200));

    char query[128];
    snprintf(query, sizeof query, "variant_id=%s", variant);
    json_t *list = list_all(s, "/v1/stock/movements", query);
    struct {
        const char *kind;
        int64_t quantity;
        const char *order, *reason;
    } want[] = {
        {"adjust", 10, NULL, "initial stock"},
        {"adjust", 2, NULL, "cycle count"},
        {"reserve", 3, kept, NULL},
        {"reserve", 2, dropped, NULL},
        {"release", 2, dropped, "order cancelled"},
        {"consume", 3, kept, "order fulfilled"},
        {"restock", 1, kept, "order returned"},
    };
    assert_int_equal(json_array_size(list), sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *m = json_array_get(list, i);
        assert_string_equal(souk_h_str(m, "kind"), want[i].kind);
        assert_int_equal(json_integer_value(json_object_get(m, "quantity")), want[i].quantity);
        assert_string_equal(souk_h_str(m, "warehouse_id"), warehouse);
        if (want[i].order)
            assert_string_equal(souk_h_str(m, "order_id"), want[i].order);
        else
            assert_true(json_is_null(json_object_get(m, "order_id")));
        if (want[i].reason)
            assert_string_equal(souk_h_str(m, "reason"), want[i].reason);
        assert_non_null(souk_h_str(m, "created_at"));
    }
    int64_t on_hand, reserved;
    ledger_sums(list, &on_hand, &reserved);
    json_decref(list);
    assert_int_equal(on_hand, 10);
    assert_int_equal(on_hand, stock_of(s, variant, warehouse, "on_hand"));
    assert_int_equal(reserved, stock_of(s, variant, warehouse, "reserved"));

    /* Filters and pages */
    snprintf(query, sizeof query, "/v1/stock/movements?order_id=%s", dropped);
    list = souk_h_call(s, "GET", query, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(list, "data")), 2);
    json_decref(list);
    snprintf(query, sizeof query, "/v1/stock/movements?variant_id=%s&kind=adjust&limit=1", variant);
    list = souk_h_call(s, "GET", query, NULL, 200);
    assert_true(json_is_true(json_object_get(list, "has_more")));
    assert_string_equal(souk_h_text(list, "data[0].reason"), "initial stock");
    json_decref(list);

    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/stock/movements?kind=theft", s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "kind");
    souk_h_resp_release(&r);
    souk_h_request(s, "PUT", path, s->key, "{\"on_hand\": 1, \"reason\": \"\"}", no_headers, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "reason");
    souk_h_resp_release(&r);
    assert_int_equal(stock_of(s, variant, warehouse, "on_hand"), 10);

    /* A warehouse that served orders keeps its history: it cannot be deleted. */
    json_decref(souk_h_call(s, "DELETE", path, NULL, 200));
    snprintf(path, sizeof path, "/v1/warehouses/%s", warehouse);
    souk_h_request(s, "DELETE", path, s->key, NULL, no_headers, &r);
    souk_h_assert_error(&r, 409, "conflict", NULL);
    souk_h_resp_release(&r);
}

/* ---- crash: kill -9 in the middle of a burst ---- */

#define CRASH_BUYERS 12
#define CRASH_UNITS 2000
#define CRASH_AFTER 80 /* acknowledged orders before the kill */
#define CRASH_MAX_ACKED 4000

struct burst {
    const struct souk_h_server *server;
    pthread_mutex_t lock;
    char (*acked)[64]; /* ids of orders answered 201 */
    int nacked;
    int other; /* answers that were neither 201 nor a transport failure */
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    return souk_buf_add(arg, data, size * n) == SOUK_OK ? size * n : 0;
}

/* Orders one unit at a time until the server goes away; records each acknowledged id. */
static void *buyer(void *arg)
{
    struct burst *b = arg;
    CURL *curl = curl_easy_init();
    char url[96], auth[SOUK_H_KEY_MAX + 32];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1/orders", b->server->port);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", b->server->key);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(
        curl, CURLOPT_POSTFIELDS,
        "{\"currency\": \"EUR\", \"lines\": [{\"sku\": \"CRASH-1\", \"quantity\": 1}]}");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    for (;;) {
        struct souk_buf body = SOUK_BUF_INIT(1 << 16);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
        long status = 0;
        CURLcode rc = curl_easy_perform(curl);
        if (rc == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        json_t *answer = status == 201 ? json_loadb(body.data, body.len, 0, NULL) : NULL;
        souk_buf_release(&body);
        pthread_mutex_lock(&b->lock);
        bool stop = rc != CURLE_OK || b->nacked >= CRASH_MAX_ACKED;
        if (answer && b->nacked < CRASH_MAX_ACKED)
            snprintf(b->acked[b->nacked++], 64, "%s", souk_h_str(answer, "id"));
        else if (rc == CURLE_OK)
            b->other++;
        pthread_mutex_unlock(&b->lock);
        json_decref(answer);
        if (stop)
            break;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return NULL;
}

static void every_acknowledged_order_survives_kill_9(void **state)
{
    struct souk_h_server *s = *state;
    char variant[64], warehouse[64];
    seed(s, "CRASH-1", CRASH_UNITS, variant, warehouse);
    struct burst b = {.server = s, .acked = calloc(CRASH_MAX_ACKED, 64)};
    pthread_mutex_init(&b.lock, NULL);
    pthread_t threads[CRASH_BUYERS];
    for (int i = 0; i < CRASH_BUYERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, buyer, &b), 0);
    for (;;) {
        pthread_mutex_lock(&b.lock);
        int n = b.nacked;
        pthread_mutex_unlock(&b.lock);
        if (n >= CRASH_AFTER)
            break;
        souk_h_sleep_ms(2);
    }
    kill(s->pid, SIGKILL); /* while the buyers are still sending */
    int status;
    assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
    assert_true(WIFSIGNALED(status));
    s->pid = 0;
    for (int i = 0; i < CRASH_BUYERS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(b.other, 0);
    assert_true(b.nacked < CRASH_UNITS); /* the kill came mid-burst, not after it */

    souk_h_restart(s);
    for (int i = 0; i < b.nacked; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/orders/%s", b.acked[i]);
        json_t *o = souk_h_call(s, "GET", path, NULL, 200);
        assert_string_equal(souk_h_str(o, "status"), "pending");
        assert_int_equal(souk_h_int(o, "lines[0].quantity"), 1);
        json_decref(o);
    }
    /* Orders the server committed but could not answer may be there too; nothing else is. */
    char query[128];
    snprintf(query, sizeof query, "variant_id=%s", variant);
    json_t *list = list_all(s, "/v1/stock/movements", query);
    int64_t on_hand, reserved;
    ledger_sums(list, &on_hand, &reserved);
    size_t orders = json_array_size(list) - 1; /* one reserve each, after the initial stock */
    json_decref(list);
    assert_true(orders >= (size_t)b.nacked);
    print_message("killed after %d acknowledged orders; %zu committed, every acknowledged one "
                  "present\n",
                  b.nacked, orders);
    assert_int_equal(on_hand, CRASH_UNITS);
    assert_int_equal(stock_of(s, variant, warehouse, "on_hand"), CRASH_UNITS);
    assert_int_equal(reserved, (int64_t)orders);
    assert_int_equal(stock_of(s, variant, warehouse, "reserved"), (int64_t)orders);
    list = list_all(s, "/v1/orders", "channel=direct");
    assert_int_equal(json_array_size(list), orders);
    json_decref(list);

    /* and it takes orders again */
    char id[64];
    place(s, "CRASH-1", 1, id);
    assert_int_equal(stock_of(s, variant, warehouse, "reserved"), (int64_t)orders + 1);
    pthread_mutex_destroy(&b.lock);
    free(b.acked);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL); /* once, before any thread uses curl */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_ledger_explains_every_stock_change, souk_h_setup,
                                        souk_h_teardown),
        cmocka_unit_test_setup_teardown(every_acknowledged_order_survives_kill_9, souk_h_setup,
                                        souk_h_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

/*
 * Integration tests of the push path: a real souk (demo catalog) and a real `souk sim`. A
 * channel pointed at the sim gets the catalog, then every stock and price change, through the
 * platform's batch API; faults and rate limits delay changes but never lose them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define DEMO_VARIANTS 58

struct world {
    struct souk_h_server souk, sim;
    char channel[SOUK_H_ID_MAX];
};

static void create_meta_channel(struct world *w, const char *name, const char *base_url,
                                char id[SOUK_H_ID_MAX])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"platform\": \"meta\", \"name\": \"%s\", \"country\": \"US\", \"locale\": \"en\", "
             "\"currency\": \"USD\", \"base_url\": \"%s\", \"link_template\": "
             "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": "
             "\"sim-meta-access-token\", \"catalog_id\": \"1234567890\"}}",
             name, base_url);
    souk_h_create(&w->souk, "/v1/channels", body, id);
}

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    /* The seed's own changes are fanned out first: still pending when the channel appears,
     * they would mark its items again after its first push, and the push counts below would
     * depend on that race. */
    souk_h_wait_metric(&w.souk, "souk_outbox_backlog 0");
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", w.sim.port);
    create_meta_channel(&w, "Instagram US", base, w.channel);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    souk_h_cleanup(&w->sim);
    return 0;
}

static void a_new_channel_gets_the_whole_catalog(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    json_t *item = souk_h_sim_item(&w->sim, "meta", "DEMO-01-1");
    assert_non_null(item);
    assert_string_equal(souk_h_text(item, "fields.title"), "Linen shirt");
    assert_string_equal(souk_h_text(item, "fields.price"), "63.99 USD");
    assert_string_equal(souk_h_text(item, "fields.link"), "https://shop.example/p/linen-shirt");
    assert_string_equal(souk_h_text(item, "availability"), "in stock");
    assert_int_equal(souk_h_int(item, "quantity"), 5);
    json_decref(item);
    json_t *st = souk_h_wait_synced(&w->souk, w->channel, DEMO_VARIANTS);
    assert_true(json_is_string(souk_h_at(st, "last_success_at")));
    json_decref(st);
    /* The same state, for a monitoring system. */
    char sample[256];
    snprintf(sample, sizeof sample,
             "souk_channel_pushed_items_total{channel=\"%s\",platform=\"meta\"} %d", w->channel,
             DEMO_VARIANTS);
    souk_h_wait_metric(&w->souk, sample);
    snprintf(sample, sizeof sample,
             "souk_channel_pending_items{channel=\"%s\",platform=\"meta\"} 0", w->channel);
    souk_h_wait_metric(&w->souk, sample);
    souk_h_wait_metric(&w->souk, "souk_outbox_backlog 0");
}

static void stock_and_price_changes_reach_the_platform(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    souk_h_sim_wait_quantity(&w->sim, "meta", "DEMO-01-1", 0);
    json_t *item = souk_h_sim_item(&w->sim, "meta", "DEMO-01-1");
    assert_string_equal(souk_h_text(item, "availability"), "out of stock");
    json_decref(item);

    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-2");
    char path[128];
    snprintf(path, sizeof path, "/v1/variants/%s", souk_h_text(p, "data[0].variants[1].id"));
    json_decref(p);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "PATCH", path, w->souk.key,
                   "{\"prices\": [{\"currency\": \"USD\", \"amount\": 4999}]}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    for (int i = 0; i < 500; i++) {
        item = souk_h_sim_item(&w->sim, "meta", "DEMO-01-2");
        bool done = strcmp(souk_h_text(item, "fields.price"), "49.99 USD") == 0;
        json_decref(item);
        if (done)
            return;
        souk_h_sleep_ms(20);
    }
    fail_msg("the new price never reached the platform");
}

static void a_deleted_variant_leaves_the_platform(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-2");
    char path[128];
    snprintf(path, sizeof path, "/v1/variants/%s", souk_h_text(p, "data[0].variants[1].id"));
    char sku[64];
    snprintf(sku, sizeof sku, "%s", souk_h_text(p, "data[0].variants[1].sku"));
    json_decref(p);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "DELETE", path, w->souk.key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_sim_wait_quantity(&w->sim, "meta", sku, -1);
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS - 1);
}

/* Narrowing the selection removes from the platform what the channel no longer carries, and
 * widening it brings it back: the worker's resync, a page at a time. */
static void a_selection_change_is_resynced(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    json_t *shirts = souk_h_get(&w->souk, "/v1/products?tag=shirts&limit=250");
    size_t carried = 0, i;
    json_t *product;
    json_array_foreach(souk_h_at(shirts, "data"), i, product)
        carried += json_array_size(json_object_get(product, "variants"));
    json_decref(shirts);
    assert_true(carried > 0 && carried < DEMO_VARIANTS);
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s", w->channel);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "PATCH", path, w->souk.key,
                   "{\"selection\": {\"tags\": [\"shirts\"]}}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_sim_wait_count(&w->sim, "meta", carried);
    souk_h_request(&w->souk, "PATCH", path, w->souk.key, "{\"selection\": {\"tags\": []}}", NULL,
                   &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_false(json_is_true(souk_h_at(st, "resyncing")));
    json_decref(st);
}

/* Selling at a price list: setting the channel to it, and changing a price in it, re-push. */
static void price_list_prices_reach_the_platform(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    char list[SOUK_H_ID_MAX], path[256], body[128];
    souk_h_create(&w->souk, "/v1/price_lists", "{\"name\": \"Instagram\", \"currency\": \"USD\"}",
                  list);
    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-1");
    snprintf(path, sizeof path, "/v1/price_lists/%s/prices/%s", list,
             souk_h_text(p, "data[0].variants[0].id"));
    json_decref(p);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "PUT", path, w->souk.key, "{\"amount\": 5500}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    snprintf(body, sizeof body, "{\"pricing\": {\"price_list\": \"%s\"}}", list);
    char channel[128];
    snprintf(channel, sizeof channel, "/v1/channels/%s", w->channel);
    souk_h_request(&w->souk, "PATCH", channel, w->souk.key, body, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    const char *want[] = {"55.00 USD", "51.50 USD"};
    for (int step = 0; step < 2; step++) {
        if (step == 1) {
            souk_h_request(&w->souk, "PUT", path, w->souk.key, "{\"amount\": 5150}", NULL, &r);
            assert_int_equal(r.status, 200);
            souk_h_resp_release(&r);
        }
        bool seen = false;
        for (int i = 0; i < 500 && !seen; i++) {
            json_t *item = souk_h_sim_item(&w->sim, "meta", "DEMO-01-1");
            seen = strcmp(souk_h_text(item, "fields.price"), want[step]) == 0;
            json_decref(item);
            if (!seen)
                souk_h_sleep_ms(20);
        }
        if (!seen)
            fail_msg("the platform never showed %s", want[step]);
    }
}

/* 503s, a dropped connection, garbage and an HTML page: each delays the change, none loses it. */
static void platform_failures_are_retried_until_the_change_lands(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    souk_h_sim_fault(
        &w->sim, "{\"platform\": \"meta\", \"kind\": \"status\", \"status\": 503, \"count\": 2}");
    souk_h_sim_fault(&w->sim, "{\"platform\": \"meta\", \"kind\": \"drop\"}");
    souk_h_sim_fault(&w->sim, "{\"platform\": \"meta\", \"kind\": \"garbage\"}");
    souk_h_sim_fault(&w->sim, "{\"platform\": \"meta\", \"kind\": \"html\"}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 2);
    souk_h_sim_wait_quantity(&w->sim, "meta", "DEMO-01-1", 2);
    /* souk records the result just after the platform has it. */
    json_t *st = souk_h_wait_settled(&w->souk, w->channel);
    assert_true(strlen(souk_h_text(st, "last_error")) > 0);
    json_decref(st);
    assert_false(souk_h_log_contains(&w->souk, "sim-meta-access-token"));
}

static void a_rate_limit_pauses_the_channel_for_retry_after(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    souk_h_sim_fault(
        &w->sim,
        "{\"platform\": \"meta\", \"kind\": \"status\", \"status\": 429, \"retry_after\": 1}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 3);
    /* The pause shows on the status while it lasts... */
    bool paused = false;
    for (int i = 0; i < 100 && !paused; i++) {
        json_t *st = souk_h_sync_status(&w->souk, w->channel);
        paused = json_is_string(souk_h_at(st, "paused_until"));
        json_decref(st);
        if (!paused)
            souk_h_sleep_ms(10);
    }
    assert_true(paused);
    /* ...and the change lands once it is over. */
    souk_h_sim_wait_quantity(&w->sim, "meta", "DEMO-01-1", 3);
}

/* A channel whose platform cannot be reached does not hold up another one. */
static void an_unreachable_platform_does_not_stop_the_others(void **state)
{
    struct world *w = *state;
    char broken[SOUK_H_ID_MAX];
    create_meta_channel(w, "Broken", "http://127.0.0.1:9", broken);
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 4);
    souk_h_sim_wait_quantity(&w->sim, "meta", "DEMO-01-1", 4);
    json_t *st = souk_h_wait_sync_error(&w->souk, broken, "could not be reached");
    assert_true(souk_h_int(st, "pending") > 0);
    json_decref(st);
}

/* Changes marked while souk is down the platform are pushed after a restart. */
static void pending_changes_survive_a_restart(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "meta", DEMO_VARIANTS);
    /* Pushes fail for a while (four attempts: 250 ms, 500 ms, 1 s and 2 s of backoff), so the
     * change is still pending when souk stops, and the next push succeeds. */
    souk_h_sim_fault(
        &w->sim, "{\"platform\": \"meta\", \"kind\": \"status\", \"status\": 500, \"count\": 4}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 7);
    json_t *st = NULL;
    for (int i = 0; i < 200; i++) {
        json_decref(st);
        st = souk_h_sync_status(&w->souk, w->channel);
        if (souk_h_int(st, "pending") > 0 && strlen(souk_h_text(st, "last_error")) > 0)
            break;
        souk_h_sleep_ms(10);
    }
    assert_true(souk_h_int(st, "pending") > 0);
    json_decref(st);
    assert_int_equal(souk_h_stop(&w->souk), 0);
    json_t *item = souk_h_sim_item(&w->sim, "meta", "DEMO-01-1");
    assert_int_equal(souk_h_int(item, "quantity"), 5);
    json_decref(item);
    souk_h_restart(&w->souk);
    souk_h_sim_wait_quantity(&w->sim, "meta", "DEMO-01-1", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_channel_gets_the_whole_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(stock_and_price_changes_reach_the_platform, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_deleted_variant_leaves_the_platform, setup, teardown),
        cmocka_unit_test_setup_teardown(a_selection_change_is_resynced, setup, teardown),
        cmocka_unit_test_setup_teardown(price_list_prices_reach_the_platform, setup, teardown),
        cmocka_unit_test_setup_teardown(platform_failures_are_retried_until_the_change_lands,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_rate_limit_pauses_the_channel_for_retry_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_unreachable_platform_does_not_stop_the_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pending_changes_survive_a_restart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

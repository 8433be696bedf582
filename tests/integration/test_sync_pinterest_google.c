/*
 * Integration tests of the push path to Pinterest and Google: a real souk (demo catalog) and a
 * real `souk sim`, with one channel for each platform. Both get the catalog in their own API's
 * shape (Google's Merchant API product inputs), then every stock change and deletion; a
 * platform that fails delays its own channel's changes, never loses them, and never holds up
 * the other channel; what Google refuses shows on the channel's sync status in its words.
 * Google takes an item's updates at most twice a day: a third change within the day waits,
 * and its newest state goes when the day is up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "harness.h"

#define DEMO_VARIANTS 58
#define DAY_US (86400 * 1000000LL)

struct world {
    struct souk_h_server souk, sim;
    char google[SOUK_H_ID_MAX], pinterest[SOUK_H_ID_MAX]; /* channel ids */
    int64_t created_us; /* just before the channels were made: their first pushes are later */
};

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    w.created_us = souk_time_now_us();
    char body[1024];
    /* The sim's default credentials (docs/internals/sim.md). */
    snprintf(body, sizeof body,
             "{\"platform\": \"google\", \"name\": \"Google US\", \"country\": \"US\", "
             "\"locale\": \"en\", \"currency\": \"USD\", \"base_url\": \"http://127.0.0.1:%u\", "
             "\"link_template\": \"https://shop.example/p/{handle}\", \"credentials\": "
             "{\"access_token\": \"sim-google-access-token\", \"merchant_id\": \"123456789\", "
             "\"data_source_id\": \"100200300\"}}",
             w.sim.port);
    souk_h_create(&w.souk, "/v1/channels", body, w.google);
    snprintf(body, sizeof body,
             "{\"platform\": \"pinterest\", \"name\": \"Pinterest US\", \"country\": \"US\", "
             "\"locale\": \"en-US\", \"currency\": \"USD\", \"base_url\": "
             "\"http://127.0.0.1:%u\", \"link_template\": \"https://shop.example/p/{handle}\", "
             "\"credentials\": {\"access_token\": \"sim-pinterest-access-token\"}}",
             w.sim.port);
    souk_h_create(&w.souk, "/v1/channels", body, w.pinterest);
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

/* Waits (up to 10 s) until the platform shows sku with this availability (NULL: absent). */
static void wait_availability(struct world *w, const char *platform, const char *sku,
                              const char *availability)
{
    char seen[32] = "";
    for (int i = 0; i < 1000; i++) {
        json_t *item = souk_h_sim_item(&w->sim, platform, sku);
        snprintf(seen, sizeof seen, "%s", item ? souk_h_text(item, "availability") : "(absent)");
        json_decref(item);
        if (strcmp(seen, availability ? availability : "(absent)") == 0)
            return;
        souk_h_sleep_ms(10);
    }
    fail_msg("%s shows %s as \"%s\", not \"%s\"", platform, sku, seen,
             availability ? availability : "(absent)");
}

/* Each API's word for sold out: the Merchant API's enum, Pinterest's feed words. */
static const char *sold_out(const char *platform)
{
    return strcmp(platform, "google") == 0 ? "OUT_OF_STOCK" : "out of stock";
}

static void both_channels_get_the_whole_catalog(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    souk_h_sim_wait_count(&w->sim, "pinterest", DEMO_VARIANTS);

    json_t *g = souk_h_sim_item(&w->sim, "google", "DEMO-01-1");
    assert_non_null(g);
    assert_string_equal(souk_h_str(g, "id"), "en~US~DEMO-01-1");
    assert_string_equal(souk_h_str(g, "data_source"), "accounts/123456789/dataSources/100200300");
    assert_string_equal(souk_h_text(g, "fields.offerId"), "DEMO-01-1");
    assert_string_equal(souk_h_text(g, "fields.contentLanguage"), "en");
    assert_string_equal(souk_h_text(g, "fields.feedLabel"), "US");
    json_t *a = souk_h_at(g, "fields.productAttributes");
    assert_string_equal(souk_h_text(a, "title"), "Linen shirt");
    assert_string_equal(souk_h_text(a, "description"), "Linen shirt from the souk demo store.");
    assert_string_equal(souk_h_text(a, "link"), "https://shop.example/p/linen-shirt");
    assert_string_equal(souk_h_text(a, "imageLink"),
                        "https://demo.souk.example/images/linen-shirt.jpg");
    assert_string_equal(souk_h_text(a, "price.amountMicros"), "63990000");
    assert_string_equal(souk_h_text(a, "price.currencyCode"), "USD");
    assert_string_equal(souk_h_text(a, "availability"), "IN_STOCK");
    assert_string_equal(souk_h_text(a, "sellOnGoogleQuantity"), "5");
    assert_string_equal(souk_h_text(a, "brand"), "Souk Demo");
    assert_string_equal(souk_h_text(a, "condition"), "NEW");
    assert_string_equal(souk_h_text(a, "itemGroupId"), "linen-shirt");
    assert_string_equal(souk_h_text(a, "googleProductCategory"), "212");
    assert_string_equal(souk_h_text(a, "productTypes[0]"), "Shirts");
    assert_string_equal(souk_h_text(a, "size"), "S");
    assert_int_equal(strlen(souk_h_text(a, "gtins[0]")), 13);
    assert_int_equal(souk_h_int(a, "shippingWeight.value"), 150);
    assert_string_equal(souk_h_text(a, "shippingWeight.unit"), "g");
    assert_int_equal(souk_h_int(g, "quantity"), 5);
    assert_int_equal(souk_h_int(g, "price.amount_minor"), 6399);
    json_decref(g);

    json_t *p = souk_h_sim_item(&w->sim, "pinterest", "DEMO-01-1");
    assert_non_null(p);
    assert_string_equal(souk_h_text(p, "fields.title"), "Linen shirt");
    assert_string_equal(souk_h_text(p, "fields.price"), "63.99 USD");
    assert_string_equal(souk_h_text(p, "fields.availability"), "in stock");
    assert_string_equal(souk_h_text(p, "availability"), "in stock");
    assert_string_equal(souk_h_text(p, "fields.image_link[0]"),
                        "https://demo.souk.example/images/linen-shirt.jpg");
    assert_string_equal(souk_h_text(p, "fields.item_group_id"), "linen-shirt");
    assert_true(json_is_integer(souk_h_at(p, "fields.gtin")));
    assert_null(souk_h_at(p, "fields.id")); /* item_id carries it */
    assert_true(json_is_null(souk_h_at(p, "quantity")));
    json_decref(p);

    const char *channels[] = {w->google, w->pinterest};
    for (int i = 0; i < 2; i++) {
        json_t *st = souk_h_wait_settled(&w->souk, channels[i]);
        assert_int_equal(souk_h_int(st, "synced"), DEMO_VARIANTS);
        assert_int_equal(souk_h_int(st, "rejected"), 0);
        json_decref(st);
    }
}

static void a_stock_change_to_zero_shows_out_of_stock_on_both(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    souk_h_sim_wait_count(&w->sim, "pinterest", DEMO_VARIANTS);
    /* The demo keeps no DEMO-01-1 in berlin: its newark row is its whole stock. */
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "google", "DEMO-01-1", "OUT_OF_STOCK");
    wait_availability(w, "pinterest", "DEMO-01-1", "out of stock");
    json_t *g = souk_h_sim_item(&w->sim, "google", "DEMO-01-1");
    assert_string_equal(souk_h_text(g, "fields.productAttributes.sellOnGoogleQuantity"), "0");
    assert_int_equal(souk_h_int(g, "quantity"), 0);
    /* Google's insert replaces the product input: the stock push must have carried all of it. */
    assert_string_equal(souk_h_text(g, "fields.productAttributes.title"), "Linen shirt");
    assert_string_equal(souk_h_text(g, "fields.productAttributes.price.amountMicros"), "63990000");
    json_decref(g);
    /* Back in stock: on Pinterest at once. On Google it would be the item's third update of
     * the day (the create, out of stock, back), which waits for the limit (see
     * a_third_google_update_within_a_day_waits_its_turn). */
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 2);
    wait_availability(w, "pinterest", "DEMO-01-1", "in stock");
    json_t *p = souk_h_sim_item(&w->sim, "pinterest", "DEMO-01-1");
    assert_string_equal(souk_h_text(p, "fields.title"), "Linen shirt");
    json_decref(p);
    json_decref(souk_h_wait_held(&w->souk, w->google, 1));
    g = souk_h_sim_item(&w->sim, "google", "DEMO-01-1");
    assert_string_equal(souk_h_text(g, "availability"), "OUT_OF_STOCK");
    json_decref(g);
}

/* How many product inputs Google has been sent (inserts in the sim's request log). */
static size_t google_inserts(struct world *w)
{
    struct souk_h_resp r;
    souk_h_request(&w->sim, "GET", "/_sim/requests?platform=google", NULL, NULL, NULL, &r);
    json_t *entry;
    size_t i, n = 0;
    json_array_foreach(souk_h_at(r.json, "requests"), i, entry)
    {
        if (strcmp(souk_h_str(entry, "method"), "POST") == 0 &&
            strstr(souk_h_str(entry, "path"), "/productInputs:insert"))
            n++;
    }
    souk_h_resp_release(&r);
    return n;
}

/* The time at path in a sync status, in UTC microseconds; fails the test when there is none. */
static int64_t status_time(json_t *st, const char *path)
{
    int64_t us;
    if (souk_time_parse(souk_str_from(souk_h_text(st, path)), &us) != SOUK_OK)
        fail_msg("%s is \"%s\", not a time", path, souk_h_text(st, path));
    return us;
}

/*
 * Google's update policy: "You can only update your products up to twice per day". The create
 * and the first change go at once; a third change within the day is held, later ones join it,
 * a resync does not jump the queue, and when the first push is a day old Google gets the
 * newest state in one push. Pinterest, which has no such limit, shows every change at once.
 * A day passes in the store: souk is stopped and the item's times moved back 24 h.
 */
static void a_third_google_update_within_a_day_waits_its_turn(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    json_decref(souk_h_wait_settled(&w->souk, w->pinterest));
    int64_t second_us = souk_time_now_us();
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "google", "DEMO-01-1", "OUT_OF_STOCK");
    wait_availability(w, "pinterest", "DEMO-01-1", "out of stock");
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    size_t inserts = google_inserts(w);

    /* The third change: held, counted as pending, and no error. */
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 2);
    wait_availability(w, "pinterest", "DEMO-01-1", "in stock");
    json_t *st = souk_h_wait_held(&w->souk, w->google, 1);
    assert_int_equal(souk_h_int(st, "pending"), 1);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    assert_true(json_is_null(souk_h_at(st, "last_error")));
    /* It goes 24 h after the item's first push (the create), not after its second. */
    int64_t held_until = status_time(st, "held_until");
    assert_true(held_until >= w->created_us + DAY_US);
    assert_true(held_until < second_us + DAY_US);
    char until[SOUK_TIME_RFC3339_MAX];
    snprintf(until, sizeof until, "%s", souk_h_text(st, "held_until"));
    json_decref(st);
    char sample[256]; /* so an alert on pending can leave out what merely waits its turn */
    snprintf(sample, sizeof sample, "souk_channel_held_items{channel=\"%s\",platform=\"google\"} 1",
             w->google);
    souk_h_wait_metric(&w->souk, sample);
    st = souk_h_wait_settled(&w->souk, w->pinterest);
    assert_int_equal(souk_h_int(st, "held"), 0);
    assert_true(json_is_null(souk_h_at(st, "held_until")));
    json_decref(st);

    /* More changes join the held one; Pinterest follows each. */
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "pinterest", "DEMO-01-1", "out of stock");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 3);
    wait_availability(w, "pinterest", "DEMO-01-1", "in stock");

    /* A resync pushes every other item again and holds this one still. */
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s/resync", w->google);
    json_decref(souk_h_call(&w->souk, "POST", path, NULL, 202));
    st = souk_h_wait_held(&w->souk, w->google, 1);
    assert_string_equal(souk_h_text(st, "held_until"), until);
    json_decref(st);
    assert_int_equal(google_inserts(w), inserts + DEMO_VARIANTS - 1);
    json_t *g = souk_h_sim_item(&w->sim, "google", "DEMO-01-1");
    assert_string_equal(souk_h_text(g, "availability"), "OUT_OF_STOCK");
    assert_int_equal(souk_h_int(g, "quantity"), 0);
    json_decref(g);

    /* A day later the newest state goes, once. */
    inserts = google_inserts(w);
    assert_int_equal(souk_h_stop(&w->souk), 0);
    souk_h_sql(&w->souk, "UPDATE channel_items SET pushed_at = pushed_at - 86400000000, "
                         "prior_pushed_at = prior_pushed_at - 86400000000, "
                         "next_attempt_at = held_until - 86400000000, "
                         "held_until = held_until - 86400000000 WHERE held_until IS NOT NULL");
    souk_h_restart(&w->souk);
    souk_h_sim_wait_quantity(&w->sim, "google", "DEMO-01-1", 3);
    wait_availability(w, "google", "DEMO-01-1", "IN_STOCK");
    st = souk_h_wait_settled(&w->souk, w->google);
    assert_int_equal(souk_h_int(st, "held"), 0);
    assert_true(json_is_null(souk_h_at(st, "held_until")));
    json_decref(st);
    assert_int_equal(google_inserts(w), inserts + 1);
}

/*
 * A change that leaves an item as Google shows it spends none of its two updates: renaming
 * the channel resyncs it, and Google is sent nothing; a stock change after that still goes
 * (it would be held had the resync used the item's second update).
 */
static void a_resync_of_what_google_shows_spends_no_update(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    size_t inserts = google_inserts(w);
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s", w->google);
    json_decref(souk_h_call(&w->souk, "PATCH", path, "{\"name\": \"Google US (renamed)\"}", 200));
    json_t *st = souk_h_wait_settled(&w->souk, w->google);
    assert_int_equal(souk_h_int(st, "pending"), 0);
    json_decref(st);
    assert_int_equal(google_inserts(w), inserts);

    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "google", "DEMO-01-1", "OUT_OF_STOCK");
    assert_int_equal(google_inserts(w), inserts + 1);
}

/* The limit holds updates, not deletes: a held item that is deleted leaves Google at once. */
static void a_held_item_that_is_deleted_leaves_google_at_once(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "google", "DEMO-01-1", "OUT_OF_STOCK");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 2);
    json_decref(souk_h_wait_held(&w->souk, w->google, 1));
    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-1");
    char path[128] = "";
    size_t i;
    json_t *v;
    json_array_foreach(souk_h_at(p, "data[0].variants"), i, v)
    {
        if (strcmp(souk_h_str(v, "sku"), "DEMO-01-1") == 0)
            snprintf(path, sizeof path, "/v1/variants/%s", souk_h_str(v, "id"));
    }
    json_decref(p);
    json_decref(souk_h_call(&w->souk, "DELETE", path, NULL, 200));
    wait_availability(w, "google", "DEMO-01-1", NULL);
    json_t *st = souk_h_wait_settled(&w->souk, w->google);
    assert_int_equal(souk_h_int(st, "held"), 0);
    json_decref(st);
}

static void a_deleted_variant_leaves_both(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    souk_h_sim_wait_count(&w->sim, "pinterest", DEMO_VARIANTS);
    json_t *p = souk_h_get(&w->souk, "/v1/products?q=DEMO-01-2");
    char path[128], sku[64];
    snprintf(path, sizeof path, "/v1/variants/%s", souk_h_text(p, "data[0].variants[1].id"));
    snprintf(sku, sizeof sku, "%s", souk_h_text(p, "data[0].variants[1].sku"));
    json_decref(p);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "DELETE", path, w->souk.key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    wait_availability(w, "google", sku, NULL);
    wait_availability(w, "pinterest", sku, NULL);
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS - 1);
    souk_h_sim_wait_count(&w->sim, "pinterest", DEMO_VARIANTS - 1);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    json_decref(souk_h_wait_settled(&w->souk, w->pinterest));
    /* Google heard one DELETE of the product input, named in base64url (no '~' left). */
    souk_h_request(&w->sim, "GET", "/_sim/requests?platform=google", NULL, NULL, NULL, &r);
    json_t *log = souk_h_at(r.json, "requests"), *entry;
    size_t i, deletes = 0;
    json_array_foreach(log, i, entry)
    {
        if (strcmp(souk_h_str(entry, "method"), "DELETE") != 0)
            continue;
        deletes++;
        assert_int_equal(souk_h_int(entry, "status"), 200);
        assert_non_null(
            strstr(souk_h_str(entry, "path"), "/products/v1/accounts/123456789/productInputs/"));
        assert_null(strchr(souk_h_str(entry, "path"), '~'));
    }
    assert_int_equal(deletes, 1);
    souk_h_resp_release(&r);
}

/*
 * Four 503s for the failing platform: its channel backs off (250 ms, 500 ms, 1 s, 2 s) while
 * the healthy one takes the change at once; then the change lands on the failing one too.
 */
static void check_failure_delays_only_its_channel(struct world *w, const char *failing,
                                                  const char *failing_channel, const char *healthy)
{
    /* Settled first: a fault must meet the change's push, not the catalog's last status poll. */
    souk_h_sim_wait_count(&w->sim, failing, DEMO_VARIANTS);
    souk_h_sim_wait_count(&w->sim, healthy, DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    json_decref(souk_h_wait_settled(&w->souk, w->pinterest));
    char fault[128];
    snprintf(fault, sizeof fault,
             "{\"platform\": \"%s\", \"kind\": \"status\", \"status\": 503, \"count\": 4}",
             failing);
    souk_h_sim_fault(&w->sim, fault);
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, healthy, "DEMO-01-1", sold_out(healthy));
    json_t *st = souk_h_wait_sync_error(&w->souk, failing_channel, "HTTP 503");
    assert_true(souk_h_int(st, "pending") > 0);
    json_decref(st);
    json_t *item = souk_h_sim_item(&w->sim, failing, "DEMO-01-1");
    assert_string_not_equal(souk_h_text(item, "availability"), sold_out(failing));
    json_decref(item);
    wait_availability(w, failing, "DEMO-01-1", sold_out(failing));
    json_decref(souk_h_wait_settled(&w->souk, failing_channel));
    assert_false(souk_h_log_contains(&w->souk, "sim-google-access-token"));
    assert_false(souk_h_log_contains(&w->souk, "sim-pinterest-access-token"));
}

static void a_pinterest_outage_delays_pinterest_and_not_google(void **state)
{
    struct world *w = *state;
    check_failure_delays_only_its_channel(w, "pinterest", w->pinterest, "google");
}

static void a_google_outage_delays_google_and_not_pinterest(void **state)
{
    struct world *w = *state;
    check_failure_delays_only_its_channel(w, "google", w->google, "pinterest");
}

/* Google's quota: a 429 with Retry-After pauses the channel, then the change lands. */
static void a_google_quota_error_pauses_google_then_it_catches_up(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    souk_h_sim_fault(&w->sim, "{\"platform\": \"google\", \"kind\": \"status\", \"status\": 429, "
                              "\"retry_after\": 1}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    json_t *st = souk_h_wait_sync_error(&w->souk, w->google, "HTTP 429");
    assert_non_null(strstr(souk_h_text(st, "last_error"), "RESOURCE_EXHAUSTED"));
    json_decref(st);
    wait_availability(w, "google", "DEMO-01-1", "OUT_OF_STOCK");
    st = souk_h_wait_settled(&w->souk, w->google);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);
}

/* A product Google refuses (no image) is recorded with Google's own message; the rest of the
 * catalog is unaffected. */
static void a_product_google_refuses_shows_on_the_sync_status(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "google", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->google));
    char id[SOUK_H_ID_MAX];
    souk_h_create(&w->souk, "/v1/products",
                  "{\"handle\": \"gift-card\", \"title\": \"Gift card\", \"status\": "
                  "\"active\", \"description\": \"A card.\", \"variants\": [{\"sku\": "
                  "\"GIFT-1\", \"prices\": [{\"currency\": \"USD\", \"amount\": 2500}]}]}",
                  id);
    json_t *st = souk_h_wait_sync_error(&w->souk, w->google, "image_link");
    assert_string_equal(souk_h_text(st, "last_error"),
                        "[product_attributes.image_link] The attribute image_link is required.");
    assert_int_equal(souk_h_int(st, "rejected"), 1);
    json_decref(st);
    st = souk_h_wait_settled(&w->souk, w->google);
    assert_int_equal(souk_h_int(st, "synced"), DEMO_VARIANTS);
    assert_int_equal(souk_h_int(st, "rejected"), 1);
    json_decref(st);
    json_t *gift = souk_h_sim_item(&w->sim, "google", "GIFT-1");
    assert_null(gift);
}

/* Pinterest took the batch but its record could not be read at first: souk asks again. */
static void a_failed_batch_status_read_is_polled_again(void **state)
{
    struct world *w = *state;
    souk_h_sim_wait_count(&w->sim, "pinterest", DEMO_VARIANTS);
    json_decref(souk_h_wait_settled(&w->souk, w->pinterest));
    /* A slow fault of 0 ms serves the POST as usual; the first GET of its record fails. */
    souk_h_sim_fault(&w->sim, "{\"platform\": \"pinterest\", \"kind\": \"slow\", \"delay_ms\": 0}");
    souk_h_sim_fault(&w->sim,
                     "{\"platform\": \"pinterest\", \"kind\": \"status\", \"status\": 503}");
    souk_h_set_stock(&w->souk, "DEMO-01-1", "newark", 0);
    wait_availability(w, "pinterest", "DEMO-01-1", "out of stock");
    json_t *st = souk_h_wait_settled(&w->souk, w->pinterest);
    assert_int_equal(souk_h_int(st, "rejected"), 0);
    json_decref(st);
    struct souk_h_resp r;
    souk_h_request(&w->sim, "GET", "/_sim/requests?platform=pinterest", NULL, NULL, NULL, &r);
    json_t *log = souk_h_at(r.json, "requests");
    size_t n = json_array_size(log);
    assert_true(n >= 3);
    /* The push of the change: one POST, the failed GET of its record, and the one that worked. */
    const char *methods[] = {"POST", "GET", "GET"};
    const long statuses[] = {200, 503, 200};
    for (size_t i = 0; i < 3; i++) {
        json_t *entry = json_array_get(log, n - 3 + i);
        assert_string_equal(souk_h_str(entry, "method"), methods[i]);
        assert_int_equal(souk_h_int(entry, "status"), statuses[i]);
    }
    souk_h_resp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(both_channels_get_the_whole_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(a_stock_change_to_zero_shows_out_of_stock_on_both, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_third_google_update_within_a_day_waits_its_turn, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_resync_of_what_google_shows_spends_no_update, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_held_item_that_is_deleted_leaves_google_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_deleted_variant_leaves_both, setup, teardown),
        cmocka_unit_test_setup_teardown(a_pinterest_outage_delays_pinterest_and_not_google, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_google_outage_delays_google_and_not_pinterest, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_failed_batch_status_read_is_polled_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_google_quota_error_pauses_google_then_it_catches_up,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_product_google_refuses_shows_on_the_sync_status, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

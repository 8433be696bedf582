/*
 * Unit tests for pinterest_push: the connector's push against a simulator started in-process,
 * with hand-made items, so the request shapes, the split of a mixed push into one batch per
 * operation and the per-operation failures can be checked one by one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "push_fixture.h"

static int setup(void **state)
{
    static const struct souk_channel_credential token = {"access_token",
                                                         "sim-pinterest-access-token"};
    const struct souk_channel channel = {
        .id = "chn_pin", .country = "GB", .locale = "en-GB", .currency = "GBP"};
    return push_fixture_setup(state, &souk_channels__pinterest, &channel, &token, 1);
}

/* A whole item as the item builder makes it for a GBP channel. */
static struct souk_channels__item *item(struct push_fixture *f, const char *sku)
{
    struct souk_channels__item *it = souk_pool_alloc(f->pool, sizeof *it);
    const char **v = it->values;
    v[SOUK_CHANNELS__ID] = sku;
    v[SOUK_CHANNELS__TITLE] = "Linen shirt";
    v[SOUK_CHANNELS__DESCRIPTION] = "Washed linen.";
    v[SOUK_CHANNELS__LINK] = "https://shop.example/p/linen-shirt";
    v[SOUK_CHANNELS__IMAGE_LINK] = "https://img.example/a.jpg";
    /* The item builder escapes a comma inside a URL: the list splits on the others only. */
    v[SOUK_CHANNELS__ADDITIONAL_IMAGES] = "https://img.example/b.jpg,https://img.example/c%2Cd.jpg";
    v[SOUK_CHANNELS__AVAILABILITY] = souk_channels__pinterest.in_stock;
    v[SOUK_CHANNELS__QUANTITY] = "3";
    v[SOUK_CHANNELS__PRICE] = "24.99 GBP";
    v[SOUK_CHANNELS__GTIN] = "4006381333931";
    v[SOUK_CHANNELS__CONDITION] = "new";
    it->price_minor = 2499;
    return it;
}

static struct souk_channels__push push_of(const char *sku, enum souk_channels__op op,
                                          const struct souk_channels__item *it)
{
    return (struct souk_channels__push){.sku = sku, .op = op, .item = it};
}

/* The sim's request log for Pinterest as "METHOD path status" lines, one string. */
static char *request_log(struct push_fixture *f)
{
    json_t *log = push_fixture_sim(f, "/_sim/requests?platform=pinterest", NULL);
    struct souk_buf text = SOUK_BUF_INIT(1 << 16);
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(log, "requests"), i, r)
    {
        const char *path = json_string_value(json_object_get(r, "path"));
        /* Batch ids differ from run to run: keep the path up to "batch". */
        int keep = (int)(strstr(path, "/batch") - path) + 6;
        assert_int_equal(souk_buf_addf(&text, "%s %.*s %lld\n",
                                       json_string_value(json_object_get(r, "method")), keep, path,
                                       (long long)json_integer_value(json_object_get(r, "status"))),
                         SOUK_OK);
    }
    json_decref(log);
    char *out = souk_pool_strdup(f->pool, text.data);
    souk_buf_release(&text);
    return out;
}

static void an_upsert_sends_the_attributes_in_the_api_types(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_string_equal(out.error, "");
    json_t *stored = push_fixture_sim(f, "/_sim/items/pinterest/SKU-1", NULL);
    json_t *attrs = json_object_get(stored, "fields");
    assert_null(json_object_get(attrs, "id"));
    assert_string_equal(json_string_value(json_object_get(attrs, "title")), "Linen shirt");
    assert_string_equal(json_string_value(json_object_get(attrs, "price")), "24.99 GBP");
    assert_string_equal(json_string_value(json_object_get(attrs, "availability")), "in stock");
    json_t *image = json_object_get(attrs, "image_link");
    assert_int_equal(json_array_size(image), 1);
    assert_string_equal(json_string_value(json_array_get(image, 0)), "https://img.example/a.jpg");
    json_t *more = json_object_get(attrs, "additional_image_link");
    assert_int_equal(json_array_size(more), 2);
    assert_string_equal(json_string_value(json_array_get(more, 1)),
                        "https://img.example/c%2Cd.jpg");
    assert_int_equal(json_integer_value(json_object_get(attrs, "gtin")), 4006381333931LL);
    assert_null(json_object_get(attrs, "quantity")); /* Pinterest takes no counts */
    json_decref(stored);
    assert_string_equal(request_log(f), "POST /v5/catalogs/items/batch 200\n"
                                        "GET /v5/catalogs/items/batch 200\n");
}

static void a_mixed_push_sends_one_batch_per_operation(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push first[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
        push_of("SKU-2", SOUK_CHANNELS__UPSERT, item(f, "SKU-2"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, first, 2, &out);

    struct souk_channels__item *sold_out = item(f, "SKU-1");
    sold_out->values[SOUK_CHANNELS__AVAILABILITY] = souk_channels__pinterest.out_of_stock;
    struct souk_channels__item *bad = item(f, "SKU-4");
    bad->values[SOUK_CHANNELS__PRICE] = "24,99 GBP";
    struct souk_channels__push items[] = {
        push_of("SKU-2", SOUK_CHANNELS__DELETE, NULL),
        push_of("SKU-1", SOUK_CHANNELS__STOCK, sold_out),
        push_of("SKU-3", SOUK_CHANNELS__UPSERT, item(f, "SKU-3")),
        push_of("SKU-4", SOUK_CHANNELS__UPSERT, bad),
        push_of("SKU-9", SOUK_CHANNELS__DELETE, NULL), /* never pushed, or gone already */
    };
    push_fixture_run(f, items, 5, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[2].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[3].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[3].error, "price: "));
    assert_int_equal(items[4].result, SOUK_CHANNELS__PUSHED);
    assert_string_equal(out.error, "");

    /* All three batches go out before their records are read. */
    const char *tail = strstr(request_log(f), "POST /v5/catalogs/items/batch 200\n"
                                              "POST /v5/catalogs/items/batch 200\n"
                                              "POST /v5/catalogs/items/batch 200\n"
                                              "GET /v5/catalogs/items/batch 200\n"
                                              "GET /v5/catalogs/items/batch 200\n"
                                              "GET /v5/catalogs/items/batch 200\n");
    assert_non_null(tail);
    json_t *stored = push_fixture_sim(f, "/_sim/items/pinterest/SKU-1", NULL);
    assert_string_equal(json_string_value(json_object_get(stored, "availability")), "out of stock");
    /* UPDATE changed availability and kept the rest. */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(stored, "fields"), "title")),
        "Linen shirt");
    json_decref(stored);
    assert_null(push_fixture_sim(f, "/_sim/items/pinterest/SKU-2", NULL));
    json_decref(push_fixture_sim(f, "/_sim/items/pinterest/SKU-3", NULL));
    assert_null(push_fixture_sim(f, "/_sim/items/pinterest/SKU-4", NULL));
}

/* A failed POST fails its own operation's items; the other batches still go. */
static void a_failed_batch_fails_only_its_operation(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push first[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, first, 1, &out);
    json_decref(
        push_fixture_sim(f, "/_sim/faults", "{\"platform\": \"pinterest\", \"kind\": \"status\"}"));
    struct souk_channels__push items[] = {
        push_of("SKU-2", SOUK_CHANNELS__UPSERT, item(f, "SKU-2")),
        push_of("SKU-1", SOUK_CHANNELS__DELETE, NULL),
    };
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_non_null(strstr(out.error, "HTTP 503"));
    assert_int_equal(out.retry_after_s, -1);
    assert_null(push_fixture_sim(f, "/_sim/items/pinterest/SKU-1", NULL));
}

/* Told to wait, the push sends nothing more: every item not yet sent is for later. */
static void a_rate_limit_stops_the_push(void **state)
{
    struct push_fixture *f = *state;
    json_decref(push_fixture_sim(f, "/_sim/faults",
                                 "{\"platform\": \"pinterest\", \"kind\": \"status\", "
                                 "\"status\": 429, \"retry_after\": 7}"));
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
        push_of("SKU-2", SOUK_CHANNELS__DELETE, NULL),
    };
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(items[1].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(out.retry_after_s, 7);
    assert_string_equal(request_log(f), "POST /v5/catalogs/items/batch 429\n");
}

/* An answer that is not a batch fails the batch; the credential stays out of the error. */
static void a_garbage_answer_is_a_failed_batch(void **state)
{
    struct push_fixture *f = *state;
    json_decref(push_fixture_sim(f, "/_sim/faults",
                                 "{\"platform\": \"pinterest\", \"kind\": \"garbage\"}"));
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "HTTP 200"));
    assert_null(strstr(out.error, "sim-pinterest-access-token"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_upsert_sends_the_attributes_in_the_api_types, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_mixed_push_sends_one_batch_per_operation, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_failed_batch_fails_only_its_operation, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_rate_limit_stops_the_push, setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_garbage_answer_is_a_failed_batch, setup,
                                        push_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

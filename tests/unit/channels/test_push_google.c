/*
 * Unit tests for google_push: the Product it builds from a feed item, checked through a
 * simulator started in-process, and how each custombatch answer entry becomes a result,
 * including the entry errors the simulator never gives (quota, backend). Includes google.c for
 * its statics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "channels/google.c"
#include "push_fixture.h"

static int setup(void **state)
{
    static const struct souk_channel_credential creds[] = {
        {"access_token", "sim-google-access-token"}, {"merchant_id", "123456789"}};
    const struct souk_channel channel = {
        .id = "chn_google", .country = "DE", .locale = "de-AT", .currency = "EUR"};
    return push_fixture_setup(state, &souk_channels__google, &channel, creds, 2);
}

/* The Product fields the sim holds for an offer id (NULL when it has none), to json_decref. */
static json_t *stored(struct push_fixture *f, const char *offer_id)
{
    json_t *item =
        push_fixture_sim(f, souk_pool_printf(f->pool, "/_sim/items/google/%s", offer_id), NULL);
    json_t *fields = json_incref(json_object_get(item, "fields"));
    json_decref(item);
    return fields;
}

/* A whole item as the item builder makes it for a EUR channel, on sale. */
static struct souk_channels__item *item(struct push_fixture *f, const char *sku)
{
    struct souk_channels__item *it = souk_pool_alloc(f->pool, sizeof *it);
    const char **v = it->values;
    v[SOUK_CHANNELS__ID] = sku;
    v[SOUK_CHANNELS__GROUP_ID] = "linen-shirt";
    v[SOUK_CHANNELS__TITLE] = "Leinenhemd";
    v[SOUK_CHANNELS__DESCRIPTION] = "Gewaschenes Leinen.";
    v[SOUK_CHANNELS__LINK] = "https://shop.example/p/linen-shirt";
    v[SOUK_CHANNELS__IMAGE_LINK] = "https://img.example/a.jpg";
    v[SOUK_CHANNELS__ADDITIONAL_IMAGES] = "https://img.example/b.jpg,https://img.example/c%2Cd.jpg";
    v[SOUK_CHANNELS__AVAILABILITY] = souk_channels__google.in_stock;
    v[SOUK_CHANNELS__QUANTITY] = "3";
    v[SOUK_CHANNELS__CONDITION] = "new";
    v[SOUK_CHANNELS__PRICE] = "1234.50 EUR";
    v[SOUK_CHANNELS__SALE_PRICE] = "999.00 EUR";
    v[SOUK_CHANNELS__SALE_DATES] = "2026-11-01T00:00Z/2026-11-30T23:59Z";
    v[SOUK_CHANNELS__BRAND] = "Souk Demo";
    v[SOUK_CHANNELS__GTIN] = "4006381333931";
    v[SOUK_CHANNELS__GOOGLE_CATEGORY] = "212";
    v[SOUK_CHANNELS__PRODUCT_TYPE] = "Shirts";
    v[SOUK_CHANNELS__COLOR] = "Sand";
    v[SOUK_CHANNELS__SIZE] = "M";
    v[SOUK_CHANNELS__SHIPPING_WEIGHT] = "350 g";
    it->price_minor = 123450;
    return it;
}

static struct souk_channels__push push_of(const char *sku, enum souk_channels__op op,
                                          const struct souk_channels__item *it)
{
    return (struct souk_channels__push){.sku = sku, .op = op, .item = it};
}

static const char *text_at(json_t *obj, const char *key, const char *member)
{
    json_t *v = json_object_get(obj, key);
    return json_string_value(member ? json_object_get(v, member) : v);
}

static void an_insert_sends_the_whole_product_in_content_api_shape(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    json_t *p = stored(f, "SKU-1");
    assert_non_null(p);
    assert_string_equal(text_at(p, "id", NULL), "online:de:DE:SKU-1");
    assert_string_equal(text_at(p, "offerId", NULL), "SKU-1");
    assert_string_equal(text_at(p, "contentLanguage", NULL), "de");
    assert_string_equal(text_at(p, "targetCountry", NULL), "DE");
    assert_string_equal(text_at(p, "feedLabel", NULL), "DE");
    assert_string_equal(text_at(p, "channel", NULL), "online");
    assert_string_equal(text_at(p, "availability", NULL), "in stock");
    assert_string_equal(text_at(p, "sellOnGoogleQuantity", NULL), "3");
    assert_string_equal(text_at(p, "price", "value"), "1234.50");
    assert_string_equal(text_at(p, "price", "currency"), "EUR");
    assert_string_equal(text_at(p, "salePrice", "value"), "999.00");
    assert_string_equal(text_at(p, "salePrice", "currency"), "EUR");
    assert_string_equal(text_at(p, "salePriceEffectiveDate", NULL),
                        "2026-11-01T00:00Z/2026-11-30T23:59Z");
    assert_string_equal(text_at(p, "imageLink", NULL), "https://img.example/a.jpg");
    json_t *more = json_object_get(p, "additionalImageLinks");
    assert_int_equal(json_array_size(more), 2);
    assert_string_equal(json_string_value(json_array_get(more, 1)),
                        "https://img.example/c%2Cd.jpg");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "sizes"), 0)), "M");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "productTypes"), 0)),
                        "Shirts");
    assert_string_equal(text_at(p, "itemGroupId", NULL), "linen-shirt");
    assert_string_equal(text_at(p, "googleProductCategory", NULL), "212");
    assert_string_equal(text_at(p, "gtin", NULL), "4006381333931");
    assert_string_equal(text_at(p, "color", NULL), "Sand");
    json_t *weight = json_object_get(p, "shippingWeight");
    assert_int_equal(json_integer_value(json_object_get(weight, "value")), 350);
    assert_string_equal(text_at(weight, "unit", NULL), "g");
    assert_null(json_object_get(p, "size")); /* feed names stay out of the Product */
    json_decref(p);
}

static void stock_replaces_the_product_and_deletes_name_its_rest_id(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push first[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
        push_of("SKU-2", SOUK_CHANNELS__UPSERT, item(f, "SKU-2"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, first, 2, &out);
    struct souk_channels__item *sold_out = item(f, "SKU-1");
    sold_out->values[SOUK_CHANNELS__AVAILABILITY] = souk_channels__google.out_of_stock;
    sold_out->values[SOUK_CHANNELS__QUANTITY] = "0";
    struct souk_channels__item *untitled = item(f, "SKU-3");
    untitled->values[SOUK_CHANNELS__TITLE] = NULL;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__STOCK, sold_out),
        push_of("SKU-2", SOUK_CHANNELS__DELETE, NULL),
        push_of("SKU-3", SOUK_CHANNELS__UPSERT, untitled),
        push_of("SKU-9", SOUK_CHANNELS__DELETE, NULL), /* Google answers 404: gone already */
    };
    push_fixture_run(f, items, 4, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[2].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[2].error, "[title]"));
    assert_int_equal(items[3].result, SOUK_CHANNELS__PUSHED);
    assert_null(items[3].error);
    assert_string_equal(out.error, "");
    json_t *p = stored(f, "SKU-1");
    assert_string_equal(text_at(p, "availability", NULL), "out of stock");
    assert_string_equal(text_at(p, "sellOnGoogleQuantity", NULL), "0");
    assert_string_equal(text_at(p, "title", NULL), "Leinenhemd");
    json_decref(p);
    assert_null(stored(f, "SKU-2"));
    assert_null(stored(f, "SKU-3"));
}

static void a_preorder_is_sent_with_its_availability_date(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__item *it = item(f, "SKU-1");
    it->values[SOUK_CHANNELS__AVAILABILITY] = souk_channels__google.preorder;
    it->values[SOUK_CHANNELS__AVAILABILITY_DATE] = "2027-03-01T09:30Z";
    it->values[SOUK_CHANNELS__QUANTITY] = "0";
    struct souk_channels__push items[] = {push_of("SKU-1", SOUK_CHANNELS__UPSERT, it)};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    json_t *p = stored(f, "SKU-1");
    assert_string_equal(text_at(p, "availability", NULL), "preorder");
    assert_string_equal(text_at(p, "availabilityDate", NULL), "2027-03-01T09:30Z");
    json_decref(p);
}

static void a_failed_call_is_retried_as_a_whole(void **state)
{
    struct push_fixture *f = *state;
    push_fixture_fault(f, "{\"platform\": \"google\", \"kind\": \"status\", \"status\": 429, "
                          "\"retry_after\": 30}");
    struct souk_channels__push items[] = {push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
                                          push_of("SKU-2", SOUK_CHANNELS__DELETE, NULL)};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(items[1].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(out.retry_after_s, 30);
    assert_non_null(strstr(out.error, "HTTP 429"));
    f->channel.base_url = "http://127.0.0.1:9"; /* nothing listens on discard */
    push_fixture_run(f, items, 2, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "could not be reached"));
    assert_null(strstr(out.error, "sim-google-access-token"));
}

/* Entry errors the sim does not make: quota and backend errors pass; entries are matched by
 * batchId, and one the answer leaves out is retried. */
static void each_answer_entry_decides_its_item(void **state)
{
    struct push_fixture *f = *state;
    json_error_t jerr;
    json_t *entries = json_loads(
        "[{\"batchId\": 3, \"errors\": {\"code\": 503, \"message\": \"backendError\"}},"
        " {\"batchId\": 0},"
        " {\"batchId\": 2, \"errors\": {\"code\": 429, \"message\": \"quota\"}},"
        " {\"batchId\": 1, \"errors\": {\"code\": 404, \"message\": \"item not found\"}},"
        " {\"batchId\": 9}, {\"batchId\": \"4\"}]",
        0, &jerr);
    assert_non_null(entries);
    struct souk_channels__push items[] = {
        push_of("SKU-0", SOUK_CHANNELS__UPSERT, NULL),
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, NULL),
        push_of("SKU-2", SOUK_CHANNELS__UPSERT, NULL),
        push_of("SKU-3", SOUK_CHANNELS__UPSERT, NULL),
        push_of("SKU-4", SOUK_CHANNELS__UPSERT, NULL),
    };
    apply_entries(entries, f->pool, items, 5);
    json_decref(entries);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__REJECTED); /* 404 on an insert */
    assert_string_equal(items[1].error, "item not found");
    assert_int_equal(items[2].result, SOUK_CHANNELS__RETRY);
    assert_string_equal(items[2].error, "quota");
    assert_int_equal(items[3].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(items[4].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(items[4].error, "no entry"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_insert_sends_the_whole_product_in_content_api_shape,
                                        setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(stock_replaces_the_product_and_deletes_name_its_rest_id,
                                        setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_preorder_is_sent_with_its_availability_date, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_failed_call_is_retried_as_a_whole, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(each_answer_entry_decides_its_item, setup,
                                        push_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

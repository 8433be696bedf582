/*
 * Unit tests for google_push: the ProductInput it builds from a feed item, checked through a
 * simulator started in-process (Merchant API products v1), one call per change; how each
 * answer becomes a result, including answers the simulator never gives; and the JSON pieces
 * (micros, names) on their own. Includes google.c for its statics.
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
        {"access_token", "sim-google-access-token"},
        {"merchant_id", "123456789"},
        {"data_source_id", "100200300"}};
    const struct souk_channel channel = {
        .id = "chn_google", .country = "DE", .locale = "de-AT", .currency = "EUR"};
    return push_fixture_setup(state, &souk_channels__google, &channel, creds, 3);
}

/* The sim's item for an offer id (NULL when it has none), to json_decref. */
static json_t *stored_item(struct push_fixture *f, const char *offer_id)
{
    return push_fixture_sim(f, souk_pool_printf(f->pool, "/_sim/items/google/%s", offer_id), NULL);
}

/* The ProductInput the sim holds for an offer id (NULL when it has none), to json_decref. */
static json_t *stored(struct push_fixture *f, const char *offer_id)
{
    json_t *item = stored_item(f, offer_id);
    json_t *fields = json_incref(json_object_get(item, "fields"));
    json_decref(item);
    return fields;
}

/* The sim's log of Google requests. */
static json_t *requests(struct push_fixture *f)
{
    json_t *answer = push_fixture_sim(f, "/_sim/requests?platform=google", NULL);
    json_t *log = json_incref(json_object_get(answer, "requests"));
    json_decref(answer);
    return log;
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

static void an_insert_sends_the_whole_product_input_in_merchant_api_shape(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    json_t *it = stored_item(f, "SKU-1");
    assert_string_equal(text_at(it, "id", NULL), "de~DE~SKU-1");
    assert_string_equal(text_at(it, "data_source", NULL),
                        "accounts/123456789/dataSources/100200300");
    json_decref(it);
    json_t *in = stored(f, "SKU-1");
    assert_non_null(in);
    assert_string_equal(text_at(in, "offerId", NULL), "SKU-1");
    assert_string_equal(text_at(in, "contentLanguage", NULL), "de");
    assert_string_equal(text_at(in, "feedLabel", NULL), "DE");
    assert_string_equal(text_at(in, "name", NULL), "accounts/123456789/productInputs/de~DE~SKU-1");
    /* v1 has no channel, targetCountry or flat attributes: those were v1beta and v2.1. */
    assert_null(json_object_get(in, "channel"));
    assert_null(json_object_get(in, "targetCountry"));
    assert_null(json_object_get(in, "attributes"));
    json_t *p = json_object_get(in, "productAttributes");
    assert_string_equal(text_at(p, "title", NULL), "Leinenhemd");
    assert_string_equal(text_at(p, "description", NULL), "Gewaschenes Leinen.");
    assert_string_equal(text_at(p, "link", NULL), "https://shop.example/p/linen-shirt");
    assert_string_equal(text_at(p, "availability", NULL), "IN_STOCK");
    assert_string_equal(text_at(p, "condition", NULL), "NEW");
    assert_string_equal(text_at(p, "sellOnGoogleQuantity", NULL), "3");
    assert_string_equal(text_at(p, "price", "amountMicros"), "1234500000");
    assert_string_equal(text_at(p, "price", "currencyCode"), "EUR");
    assert_string_equal(text_at(p, "salePrice", "amountMicros"), "999000000");
    assert_string_equal(text_at(p, "salePrice", "currencyCode"), "EUR");
    assert_string_equal(text_at(p, "salePriceEffectiveDate", "startTime"), "2026-11-01T00:00:00Z");
    assert_string_equal(text_at(p, "salePriceEffectiveDate", "endTime"), "2026-11-30T23:59:00Z");
    assert_string_equal(text_at(p, "imageLink", NULL), "https://img.example/a.jpg");
    json_t *more = json_object_get(p, "additionalImageLinks");
    assert_int_equal(json_array_size(more), 2);
    assert_string_equal(json_string_value(json_array_get(more, 1)),
                        "https://img.example/c%2Cd.jpg");
    assert_string_equal(text_at(p, "size", NULL), "M");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "productTypes"), 0)),
                        "Shirts");
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "gtins"), 0)),
                        "4006381333931");
    assert_string_equal(text_at(p, "itemGroupId", NULL), "linen-shirt");
    assert_string_equal(text_at(p, "googleProductCategory", NULL), "212");
    assert_string_equal(text_at(p, "brand", NULL), "Souk Demo");
    assert_string_equal(text_at(p, "color", NULL), "Sand");
    json_t *weight = json_object_get(p, "shippingWeight");
    assert_int_equal(json_integer_value(json_object_get(weight, "value")), 350);
    assert_string_equal(text_at(weight, "unit", NULL), "g");
    json_decref(in);
    json_t *log = requests(f);
    assert_int_equal(json_array_size(log), 1);
    assert_string_equal(text_at(json_array_get(log, 0), "method", NULL), "POST");
    assert_string_equal(text_at(json_array_get(log, 0), "path", NULL),
                        "/products/v1/accounts/123456789/productInputs:insert");
    json_decref(log);
}

static void stock_replaces_the_input_and_deletes_name_it_encoded(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push first[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
        push_of("SKU-2", SOUK_CHANNELS__UPSERT, item(f, "SKU-2")),
        push_of("SKU/7", SOUK_CHANNELS__UPSERT, item(f, "SKU/7"))};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, first, 3, &out);
    assert_int_equal(first[2].result, SOUK_CHANNELS__PUSHED);
    struct souk_channels__item *sold_out = item(f, "SKU-1");
    sold_out->values[SOUK_CHANNELS__AVAILABILITY] = souk_channels__google.out_of_stock;
    sold_out->values[SOUK_CHANNELS__QUANTITY] = "0";
    struct souk_channels__item *untitled = item(f, "SKU-3");
    untitled->values[SOUK_CHANNELS__TITLE] = NULL;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__STOCK, sold_out),
        push_of("SKU-2", SOUK_CHANNELS__DELETE, NULL),
        push_of("SKU-3", SOUK_CHANNELS__UPSERT, untitled), /* refused: the next still goes */
        push_of("SKU/7", SOUK_CHANNELS__DELETE, NULL),     /* a name only base64url carries */
        push_of("SKU-9", SOUK_CHANNELS__DELETE, NULL),     /* Google answers 404: gone already */
    };
    push_fixture_run(f, items, 5, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[2].result, SOUK_CHANNELS__REJECTED);
    assert_string_equal(items[2].error,
                        "[product_attributes.title] The attribute title is required.");
    assert_int_equal(items[3].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[4].result, SOUK_CHANNELS__PUSHED);
    assert_null(items[4].error);
    assert_string_equal(out.error, "");
    json_t *p = stored(f, "SKU-1");
    assert_string_equal(text_at(json_object_get(p, "productAttributes"), "availability", NULL),
                        "OUT_OF_STOCK");
    assert_string_equal(
        text_at(json_object_get(p, "productAttributes"), "sellOnGoogleQuantity", NULL), "0");
    assert_string_equal(text_at(json_object_get(p, "productAttributes"), "title", NULL),
                        "Leinenhemd");
    json_decref(p);
    assert_null(stored(f, "SKU-2"));
    assert_null(stored(f, "SKU-3"));
    assert_null(stored(f, "SKU/7"));
    json_t *log = requests(f);
    assert_string_equal(text_at(json_array_get(log, 6), "path", NULL),
                        "/products/v1/accounts/123456789/productInputs/ZGV-REV-U0tVLzc");
    assert_string_equal(text_at(json_array_get(log, 6), "method", NULL), "DELETE");
    json_decref(log);
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
    json_t *attrs = json_object_get(p, "productAttributes");
    assert_string_equal(text_at(attrs, "availability", NULL), "PREORDER");
    assert_string_equal(text_at(attrs, "availabilityDate", NULL), "2027-03-01T09:30:00Z");
    json_decref(p);
}

/* A failure of the channel's (quota, outage, token) stops the batch where it happened: what
 * Google took stays taken, the rest waits, and a 429's Retry-After pauses the channel. */
static void a_failed_call_stops_the_batch_there(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1")),
                                          push_of("SKU-2", SOUK_CHANNELS__UPSERT, item(f, "SKU-2")),
                                          push_of("SKU-3", SOUK_CHANNELS__DELETE, NULL)};
    struct souk_channels__batch_outcome out;
    /* A slow fault of 0 ms serves the first call as usual; the second meets the 429. */
    push_fixture_fault(f, "{\"platform\": \"google\", \"kind\": \"slow\", \"delay_ms\": 0}");
    push_fixture_fault(f, "{\"platform\": \"google\", \"kind\": \"status\", \"status\": 429, "
                          "\"retry_after\": 30}");
    push_fixture_run(f, items, 3, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(items[2].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(out.retry_after_s, 30);
    assert_non_null(strstr(out.error, "HTTP 429"));
    assert_non_null(strstr(out.error, "RESOURCE_EXHAUSTED"));
    json_t *log = requests(f);
    assert_int_equal(json_array_size(log), 2); /* nothing after the 429 */
    json_decref(log);

    push_fixture_fault(f, "{\"platform\": \"google\", \"kind\": \"status\", \"status\": 503}");
    push_fixture_run(f, items, 3, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_int_equal(out.retry_after_s, -1);
    assert_non_null(strstr(out.error, "HTTP 503"));

    f->credentials[0].value = "expired-token";
    push_fixture_run(f, items, 3, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY); /* the token's fault, not the item's */
    assert_non_null(strstr(out.error, "HTTP 401"));

    f->credentials[0].value = "sim-google-access-token";
    f->channel.base_url = "http://127.0.0.1:9"; /* nothing listens on discard */
    push_fixture_run(f, items, 3, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "could not be reached"));
    assert_null(strstr(out.error, "sim-google-access-token"));
}

/* A channel made before the Merchant API has no data source: it waits, saying what to add. */
static void a_channel_without_a_data_source_waits_with_a_clear_error(void **state)
{
    struct push_fixture *f = *state;
    struct souk_channels__push items[] = {
        push_of("SKU-1", SOUK_CHANNELS__UPSERT, item(f, "SKU-1"))};
    struct souk_channels__batch_outcome out;
    f->channel.ncredentials = 2;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "needs the credential \"data_source_id\""));
    f->channel.ncredentials = 3;
    f->credentials[2].value = "not-a-number";
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "data_source_id must be Google's numeric id"));
    json_t *log = requests(f);
    assert_int_equal(json_array_size(log), 0);
    json_decref(log);
    /* Another data source than the account's: Google's 404 is the channel's, not the item's. */
    f->credentials[2].value = "55";
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(out.error, "HTTP 404"));
}

static void a_channel_on_the_content_api_host_is_sent_to_the_merchant_api(void **state)
{
    struct push_fixture *f = *state;
    f->channel.base_url = "https://shoppingcontent.googleapis.com";
    assert_string_equal(api_base(&f->channel), "https://merchantapi.googleapis.com");
    f->channel.base_url = "https://shoppingcontent.googleapis.com/";
    assert_string_equal(api_base(&f->channel), "https://merchantapi.googleapis.com");
    assert_string_equal(api_base(&(struct souk_channel){.base_url = f->base_url}), f->base_url);
}

/* How an answer decides its item, including answers the sim does not give. */
static void each_answer_decides_its_item(void **state)
{
    (void)state;
    struct souk_channels__response resp = {.status = 200};
    json_t *object = json_object(), *garbage = NULL;
    assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__UPSERT, object), TAKEN);
    assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__UPSERT, garbage), STOP);
    resp.status = 404;
    assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__DELETE, object), TAKEN);
    assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__UPSERT, object), STOP);
    const long refused[] = {400, 409, 412, 422};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        resp.status = refused[i];
        assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__UPSERT, object), REFUSED);
    }
    const long stopped[] = {401, 403, 408, 429, 500, 502, 503};
    for (size_t i = 0; i < sizeof stopped / sizeof stopped[0]; i++) {
        resp.status = stopped[i];
        assert_int_equal(judge(&resp, SOUK_OK, SOUK_CHANNELS__UPSERT, object), STOP);
    }
    assert_int_equal(judge(&resp, SOUK_EIO, SOUK_CHANNELS__DELETE, NULL), STOP);
    json_decref(object);
}

/* Prices in micros whatever the currency's exponent, and names in unpadded base64url. */
static void the_json_pieces(void **state)
{
    struct push_fixture *f = *state;
    const struct {
        int64_t minor;
        const char *currency, *micros;
    } prices[] = {{6399, "USD", "63990000"},
                  {1500, "JPY", "1500000000"},
                  {1500, "KWD", "1500000"},
                  {0, "EUR", "0"}};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        json_t *p = price(prices[i].minor, prices[i].currency);
        assert_string_equal(text_at(p, "amountMicros", NULL), prices[i].micros);
        assert_string_equal(text_at(p, "currencyCode", NULL), prices[i].currency);
        json_decref(p);
    }
    assert_null(price(INT64_MAX / 100, "JPY")); /* more micros than an int64 holds */
    json_t *p = price_text("999.00 EUR");
    assert_string_equal(text_at(p, "amountMicros", NULL), "999000000");
    json_decref(p);
    assert_null(price_text("9,99 EUR"));
    json_t *t = interval("2026-11-01T00:00Z/");
    assert_string_equal(text_at(t, "startTime", NULL), "2026-11-01T00:00:00Z");
    assert_null(json_object_get(t, "endTime")); /* a sale with no end */
    json_decref(t);
    assert_string_equal(base64url(f->pool, "en~US~sku/123"), "ZW5-VVN-c2t1LzEyMw");
    assert_string_equal(base64url(f->pool, "de~DE~SKU-1"), "ZGV-REV-U0tVLTE");
    assert_string_equal(base64url(f->pool, "a"), "YQ");
    assert_string_equal(base64url(f->pool, "ab"), "YWI");
    /* A price souk cannot write as micros is refused before any call. */
    struct souk_channels__item *it = item(f, "SKU-1");
    it->price_minor = INT64_MAX / 10;
    struct souk_channels__push items[] = {push_of("SKU-1", SOUK_CHANNELS__UPSERT, it)};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 1, &out);
    assert_int_equal(items[0].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[0].error, "amountMicros"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            an_insert_sends_the_whole_product_input_in_merchant_api_shape, setup,
            push_fixture_teardown),
        cmocka_unit_test_setup_teardown(stock_replaces_the_input_and_deletes_name_it_encoded, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_preorder_is_sent_with_its_availability_date, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_failed_call_stops_the_batch_there, setup,
                                        push_fixture_teardown),
        cmocka_unit_test_setup_teardown(a_channel_without_a_data_source_waits_with_a_clear_error,
                                        setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            a_channel_on_the_content_api_host_is_sent_to_the_merchant_api, setup,
            push_fixture_teardown),
        cmocka_unit_test_setup_teardown(each_answer_decides_its_item, setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(the_json_pieces, setup, push_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

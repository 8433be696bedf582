/* Integration tests: channels over HTTP, and the feeds platforms fetch from a running souk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "harness.h"

#define META_CHANNEL                                                                               \
    "{\"platform\": \"meta\", \"name\": \"Instagram US\", \"country\": \"US\", \"locale\": "       \
    "\"en\", \"currency\": \"USD\", \"link_template\": \"https://shop.example/p/{handle}\", "     \
    "\"credentials\": {\"access_token\": \"EAAB-very-secret\", \"catalog_id\": \"1234\"}, "        \
    "\"pricing\": {\"markup_percent\": \"5\", \"rounding\": \"charm_99\"}}"

struct created {
    char id[SOUK_H_ID_MAX];
    char token[80];
    char feed[256]; /* "/feeds/<id>/csv?token=..." */
};

static void create_channel(struct souk_h_server *s, const char *body, struct created *out)
{
    struct souk_h_resp r;
    souk_h_request(s, "POST", "/v1/channels", s->key, body, NULL, &r);
    if (r.status != 201)
        fail_msg("POST /v1/channels: %ld %s", r.status, r.body.data);
    snprintf(out->id, sizeof out->id, "%s", souk_h_str(r.json, "id"));
    snprintf(out->token, sizeof out->token, "%s", souk_h_str(r.json, "feed_token"));
    snprintf(out->feed, sizeof out->feed, "%s?token=%s", souk_h_text(r.json, "feeds.csv"),
             out->token);
    souk_h_resp_release(&r);
}

/* Sets the demo's DEMO-01-1 to 0 in the one warehouse that holds it (Berlin holds none). */
static void sell_out_linen_shirt(struct souk_h_server *s)
{
    json_t *p = souk_h_get(s, "/v1/products?q=DEMO-01-1");
    char path[256];
    snprintf(path, sizeof path, "/v1/stock/%s/%s", souk_h_text(p, "data[0].variants[0].id"),
             souk_h_text(p, "data[0].variants[0].stock[1].warehouse_id"));
    json_decref(p);
    json_decref(souk_h_call(s, "PUT", path, "{\"on_hand\": 0}", 200));
}

static void a_channel_serves_its_feed_with_the_demo_catalog(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    create_channel(s, META_CHANNEL, &c);
    struct souk_h_resp r;
    souk_h_request(s, "GET", c.feed, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_true(strncmp(r.body.data, "id,title,description,availability,condition,price,link,", 55) ==
                0);
    /* The demo's linen shirt: USD 63.99 + 5% = 67.19 -> charm_99 -> 67.99. */
    assert_non_null(strstr(r.body.data, "\nDEMO-01-1,Linen shirt,Linen shirt from the souk demo "
                                        "store.,in stock,new,67.99 USD,"
                                        "https://shop.example/p/linen-shirt,"));
    assert_true(r.etag[0] == 'W');
    char etag[80];
    snprintf(etag, sizeof etag, "If-None-Match: %s", r.etag);
    souk_h_resp_release(&r);

    /* Unchanged: 304, no body. */
    const char *conditional[] = {etag, NULL};
    souk_h_request(s, "GET", c.feed, NULL, NULL, conditional, &r);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body.len, 0);
    souk_h_resp_release(&r);

    /* A sale of the last units changes the feed and its ETag. */
    sell_out_linen_shirt(s);
    souk_h_request(s, "GET", c.feed, NULL, NULL, conditional, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\nDEMO-01-1,Linen shirt,Linen shirt from the souk demo "
                                        "store.,out of stock,"));
    souk_h_resp_release(&r);
}

static void a_feed_needs_its_token(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    create_channel(s, META_CHANNEL, &c);
    char path[256];
    struct souk_h_resp r;
    snprintf(path, sizeof path, "/feeds/%s/csv", c.id);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, &r);
    souk_h_assert_error(&r, 401, "authentication_required", "token");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/feeds/%s/csv?token=ft_%064d", c.id, 0);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, &r);
    souk_h_assert_error(&r, 401, "authentication_required", "token");
    souk_h_resp_release(&r);
    /* An unknown channel looks the same, so feed URLs cannot be probed. */
    snprintf(path, sizeof path, "/feeds/chn_01M88ZQ2DMMHPNA6AHNJWVND1B/csv?token=%s", c.token);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, &r);
    souk_h_assert_error(&r, 401, "authentication_required", "token");
    souk_h_resp_release(&r);
    /* A format the platform does not have. */
    snprintf(path, sizeof path, "/feeds/%s/json?token=%s", c.id, c.token);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", "format");
    souk_h_resp_release(&r);
    /* Rotation retires the old token. */
    snprintf(path, sizeof path, "/v1/channels/%s/feed_token", c.id);
    souk_h_request(s, "POST", path, s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_not_equal(souk_h_str(r.json, "feed_token"), c.token);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", c.feed, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    souk_h_resp_release(&r);
}

/* Inflates a gzip body; fails the test unless it is one whole gzip stream. */
static void gunzip(const struct souk_buf *in, struct souk_buf *out)
{
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
    z.next_in = (unsigned char *)in->data;
    z.avail_in = (unsigned)in->len;
    char chunk[16384];
    int rc;
    do {
        z.next_out = (unsigned char *)chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        assert_true(rc == Z_OK || rc == Z_STREAM_END);
        assert_int_equal(souk_buf_add(out, chunk, sizeof chunk - z.avail_out), SOUK_OK);
    } while (rc != Z_STREAM_END);
    inflateEnd(&z);
}

static void a_feed_comes_gzipped_when_asked(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    create_channel(s, META_CHANNEL, &c);
    struct souk_h_resp plain, zipped;
    const char *gzip[] = {"Accept-Encoding: gzip", NULL};
    souk_h_request(s, "GET", c.feed, NULL, NULL, NULL, &plain);
    souk_h_request(s, "GET", c.feed, NULL, NULL, gzip, &zipped);
    assert_int_equal(zipped.status, 200);
    assert_true(zipped.body.len > 2 && (unsigned char)zipped.body.data[0] == 0x1f &&
                (unsigned char)zipped.body.data[1] == 0x8b);
    assert_true(zipped.body.len < plain.body.len);
    struct souk_buf inflated = SOUK_BUF_INIT(1 << 24);
    gunzip(&zipped.body, &inflated);
    assert_int_equal(inflated.len, plain.body.len);
    assert_memory_equal(inflated.data, plain.body.data, plain.body.len);
    souk_buf_release(&inflated);
    souk_h_resp_release(&plain);
    souk_h_resp_release(&zipped);
}

static void credentials_stay_secret(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    create_channel(s, META_CHANNEL, &c);
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s", c.id);
    struct souk_h_resp r;
    souk_h_request(s, "GET", path, s->key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body.data, "EAAB-very-secret"));
    assert_null(strstr(r.body.data, c.token));
    assert_string_equal(souk_h_text(r.json, "credentials_set[0]"), "access_token");
    souk_h_resp_release(&r);
    /* Replacing one credential keeps the other. */
    souk_h_request(s, "PATCH", path, s->key, "{\"credentials\": {\"access_token\": \"EAAB-new\"}}",
                   NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(souk_h_at(r.json, "credentials_set")), 2);
    souk_h_resp_release(&r);
    souk_h_request(s, "GET", c.feed, NULL, NULL, NULL, &r);
    souk_h_resp_release(&r);
    assert_false(souk_h_log_contains(s, "EAAB-"));
    assert_false(souk_h_log_contains(s, c.token));
}

/* The token is shown once: a replay of the creating request answers without it. */
static void an_idempotent_replay_never_repeats_the_token(void **state)
{
    struct souk_h_server *s = *state;
    const char *headers[] = {"Idempotency-Key: create-ig-1", NULL};
    struct souk_h_resp first, replay;
    souk_h_request(s, "POST", "/v1/channels", s->key, META_CHANNEL, headers, &first);
    souk_h_request(s, "POST", "/v1/channels", s->key, META_CHANNEL, headers, &replay);
    assert_int_equal(first.status, 201);
    assert_int_equal(replay.status, 201);
    assert_string_equal(souk_h_str(replay.json, "id"), souk_h_str(first.json, "id"));
    assert_true(strlen(souk_h_str(first.json, "feed_token")) == 67);
    assert_null(json_object_get(replay.json, "feed_token"));
    assert_int_equal(souk_h_count(s, "/v1/channels"), 1);
    souk_h_resp_release(&first);
    souk_h_resp_release(&replay);
}

static void bad_channels_are_refused_and_change_nothing(void **state)
{
    struct souk_h_server *s = *state;
    struct souk_buf before, after;
    souk_h_export(s, &before);
    static const struct {
        const char *body;
        long status;
        const char *type, *param;
    } cases[] = {
        {"{\"platform\": \"friendster\", \"name\": \"x\", \"country\": \"US\", \"locale\": \"en\", "
         "\"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\"}",
         400, "invalid_request", "platform"},
        {"{\"platform\": \"meta\", \"name\": \"x\", \"country\": \"US\", \"locale\": \"en\", "
         "\"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\"}",
         422, "unprocessable", "credentials"},
        {"{\"platform\": \"pinterest\", \"name\": \"x\", \"country\": \"USA\", \"locale\": "
         "\"en\", \"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\", "
         "\"credentials\": {\"access_token\": \"t\"}}",
         400, "invalid_request", "country"},
        {"{\"platform\": \"pinterest\", \"name\": \"x\", \"country\": \"US\", \"locale\": \"en\", "
         "\"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\", "
         "\"credentials\": {\"access_token\": \"t\"}, \"pricing\": {\"markup_percent\": 1.5}}",
         400, "invalid_request", "pricing.markup_percent"},
        {"{\"platform\": \"pinterest\", \"name\": \"x\", \"country\": \"US\", \"locale\": \"en\", "
         "\"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\", "
         "\"credentials\": {\"access_token\": \"t\"}, \"base_url\": \"ftp://api\"}",
         400, "invalid_request", "base_url"},
        {"{\"platform\": \"meta\"}", 400, "invalid_request", "name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_h_resp r;
        souk_h_request(s, "POST", "/v1/channels", s->key, cases[i].body, NULL, &r);
        souk_h_assert_error(&r, cases[i].status, cases[i].type, cases[i].param);
        souk_h_resp_release(&r);
    }
    assert_int_equal(souk_h_count(s, "/v1/channels"), 0);
    souk_h_export(s, &after);
    souk_h_assert_same_export(&before, &after, "after refused channels");
    souk_buf_release(&before);
    souk_buf_release(&after);
}

static void channels_need_their_scopes(void **state)
{
    struct souk_h_server *s = *state;
    char key[SOUK_H_KEY_MAX], id[SOUK_H_ID_MAX];
    souk_h_mint(s, "catalog:read,channels:read", key, id);
    struct souk_h_resp r;
    souk_h_request(s, "GET", "/v1/channels", key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    souk_h_request(s, "POST", "/v1/channels", key, META_CHANNEL, NULL, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);
    souk_h_request(s, "PUT", "/v1/fx_rates/EUR/USD", key, "{\"rate\": \"1.08\"}", NULL, &r);
    souk_h_assert_error(&r, 403, "forbidden", NULL);
    souk_h_resp_release(&r);
}

static void fx_rates_price_a_channel_in_another_currency(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    create_channel(s,
                   "{\"platform\": \"google\", \"name\": \"GMC GB\", \"country\": \"GB\", "
                   "\"locale\": \"en-GB\", \"currency\": \"GBP\", \"link_template\": "
                   "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": "
                   "\"t\", \"merchant_id\": \"1\", \"data_source_id\": \"2\"}, \"pricing\": "
                   "{\"rounding\": \"whole\"}}",
                   &c);
    char diag[256];
    snprintf(diag, sizeof diag, "/v1/channels/%s/diagnostics", c.id);
    json_t *d = souk_h_get(s, diag);
    /* No GBP prices in the demo and no rate yet: every item is rejected for its price. */
    assert_true(souk_h_int(d, "items") > 0);
    assert_int_equal(souk_h_int(d, "items_rejected"), souk_h_int(d, "items"));
    assert_string_equal(souk_h_text(d, "issues[0].field"), "price");
    json_decref(d);

    struct souk_h_resp r;
    souk_h_request(s, "PUT", "/v1/fx_rates/EUR/GBP", s->key, "{\"rate\": 0.85}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "rate");
    souk_h_resp_release(&r);
    souk_h_request(s, "PUT", "/v1/fx_rates/EUR/GBP", s->key, "{\"rate\": \"0.8517\"}", NULL, &r);
    assert_int_equal(r.status, 200);
    souk_h_resp_release(&r);
    d = souk_h_get(s, diag);
    assert_int_equal(souk_h_int(d, "items_rejected"), 0);
    json_decref(d);
    /* EUR 59.00 * 0.8517 = 50.2503 -> whole -> 51.00 GBP. */
    snprintf(diag, sizeof diag, "/feeds/%s/xml?token=%s", c.id, c.token);
    souk_h_request(s, "GET", diag, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "<g:id>DEMO-01-1</g:id>"));
    assert_non_null(strstr(strstr(r.body.data, "<g:id>DEMO-01-1</g:id>"),
                           "<g:price>51.00 GBP</g:price>"));
    souk_h_resp_release(&r);
}

/* A product the demo lacks: no description and no image, priced in yen only. */
#define GIFT_CARD                                                                                  \
    "{\"handle\": \"gift-card\", \"title\": \"Gift card\", \"status\": \"active\", "               \
    "\"variants\": [{\"sku\": \"GIFT-1\", \"prices\": [{\"currency\": \"JPY\", \"amount\": "       \
    "3000}]}]}"

/* Fetches the channel's feed in format with its token, as a platform does, and asserts the
 * status and, when given, the content type; r is the caller's to release. */
static void fetch_feed(struct souk_h_server *s, const struct created *c, const char *format,
                       long status, const char *content_type, struct souk_h_resp *r)
{
    char path[256];
    snprintf(path, sizeof path, "/feeds/%s/%s?token=%s", c->id, format, c->token);
    souk_h_request(s, "GET", path, NULL, NULL, NULL, r);
    assert_int_equal(r->status, status);
    if (content_type)
        assert_string_equal(r->content_type, content_type);
}

/* Asserts issue i of the diagnostics d: its item, field, severity and reason. */
static void assert_issue(json_t *d, size_t i, const char *item, const char *field,
                         const char *severity, const char *reason)
{
    static const char *const keys[] = {"item_id", "field", "severity", "reason"};
    const char *want[] = {item, field, severity, reason};
    for (size_t k = 0; k < 4; k++) {
        char path[64];
        snprintf(path, sizeof path, "issues[%zu].%s", i, keys[k]);
        assert_string_equal(souk_h_text(d, path), want[k]);
    }
}

static void line_japan_gets_its_feed_in_whole_yen(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    char gift[SOUK_H_ID_MAX];
    souk_h_create(s, "/v1/products", GIFT_CARD, gift);
    /* LINE fetches the feed with its token: the channel needs no credentials. */
    create_channel(s,
                   "{\"platform\": \"line\", \"name\": \"LINE Japan\", \"country\": \"JP\", "
                   "\"locale\": \"ja\", \"currency\": \"JPY\", \"link_template\": "
                   "\"https://shop.example/p/{handle}?sku={sku}\", \"pricing\": "
                   "{\"markup_percent\": \"5\", \"rounding\": \"nearest_10\"}}",
                   &c);
    struct souk_h_resp r;
    fetch_feed(s, &c, "csv", 200, "text/csv; charset=utf-8", &r);
    const char *header = "id,title,description,availability,condition,price,link,image_link,"
                         "brand,item_group_id,additional_image_link,sale_price,"
                         "sale_price_effective_date,google_product_category,product_type\n";
    assert_true(strncmp(r.body.data, header, strlen(header)) == 0);
    /* The demo's linen shirt is JPY 9550 in the catalog: +5% = 10027.5 -> nearest_10 -> 10030,
     * whole yen with no decimals. Its link and image are absolute. */
    assert_non_null(strstr(r.body.data, "\nDEMO-01-1,Linen shirt,Linen shirt from the souk demo "
                                        "store.,in stock,new,10030 JPY,"
                                        "https://shop.example/p/linen-shirt?sku=DEMO-01-1,"
                                        "https://demo.souk.example/images/linen-shirt.jpg,"
                                        "Souk Demo,linen-shirt,,,,212,Shirts\n"));
    souk_h_resp_release(&r);

    /* Availability follows the stock. */
    sell_out_linen_shirt(s);
    fetch_feed(s, &c, "tsv", 200, "text/tab-separated-values; charset=utf-8", &r);
    assert_non_null(strstr(r.body.data, "\nDEMO-01-1\tLinen shirt\tLinen shirt from the souk "
                                        "demo store.\tout of stock\tnew\t10030 JPY\t"));
    souk_h_resp_release(&r);

    /* The gift card has neither of two columns LINE requires: rejected, field by field. */
    char diag[128];
    snprintf(diag, sizeof diag, "/v1/channels/%s/diagnostics", c.id);
    json_t *d = souk_h_get(s, diag);
    assert_true(souk_h_int(d, "items") > 1);
    assert_int_equal(souk_h_int(d, "items_rejected"), 1);
    assert_int_equal(json_array_size(souk_h_at(d, "issues")), 2);
    assert_issue(d, 0, "GIFT-1", "description", "error", "description is required and missing");
    assert_issue(d, 1, "GIFT-1", "image_link", "error", "image_link is required and missing");
    json_decref(d);
}

static void kakao_korea_gets_an_xml_feed_in_won(void **state)
{
    struct souk_h_server *s = *state;
    struct created c;
    char gift[SOUK_H_ID_MAX];
    souk_h_create(s, "/v1/products", GIFT_CARD, gift);
    json_decref(souk_h_call(s, "PUT", "/v1/fx_rates/EUR/KRW", "{\"rate\": \"1450.25\"}", 200));
    create_channel(s,
                   "{\"platform\": \"kakao\", \"name\": \"KakaoTalk Korea\", \"country\": \"KR\", "
                   "\"locale\": \"ko\", \"currency\": \"KRW\", \"link_template\": "
                   "\"https://shop.example/p/{handle}\", \"pricing\": {\"rounding\": "
                   "\"nearest_100\"}}",
                   &c);
    char path[128];
    snprintf(path, sizeof path, "/v1/channels/%s", c.id);
    json_t *channel = souk_h_get(s, path);
    assert_null(souk_h_at(channel, "feeds.csv"));
    assert_non_null(strstr(souk_h_text(channel, "feeds.xml"), "/xml"));
    assert_int_equal(json_array_size(souk_h_at(channel, "credentials_set")), 0);
    json_decref(channel);

    struct souk_h_resp r;
    fetch_feed(s, &c, "xml", 200, "application/xml; charset=utf-8", &r);
    const char *head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
                       "xmlns:g=\"http://base.google.com/ns/1.0\">\n<channel>\n"
                       "<title>KakaoTalk Korea</title>\n<link>https://shop.example</link>\n"
                       "<description>kakao catalog for KakaoTalk Korea (KR, KRW)</description>\n";
    assert_true(strncmp(r.body.data, head, strlen(head)) == 0);
    /* No KRW prices in the demo: EUR 59.00 * 1450.25 = 85564.75 -> nearest_100 -> 85600. */
    assert_non_null(strstr(r.body.data,
                           "<item>\n<g:id>DEMO-01-1</g:id>\n<g:title>Linen shirt</g:title>\n"
                           "<g:description>Linen shirt from the souk demo store.</g:description>\n"
                           "<g:availability>in stock</g:availability>\n"
                           "<g:condition>new</g:condition>\n<g:price>85600 KRW</g:price>\n"
                           "<g:link>https://shop.example/p/linen-shirt</g:link>\n"
                           "<g:image_link>https://demo.souk.example/images/linen-shirt.jpg"
                           "</g:image_link>\n<g:brand>Souk Demo</g:brand>\n"
                           "<g:item_group_id>linen-shirt</g:item_group_id>\n"
                           "<g:google_product_category>212</g:google_product_category>\n"
                           "</item>\n"));
    assert_true(strcmp(r.body.data + r.body.len - 18, "</channel>\n</rss>\n") == 0);
    souk_h_resp_release(&r);

    /* Kakao takes no CSV. */
    fetch_feed(s, &c, "csv", 404, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", "format");
    souk_h_resp_release(&r);

    /* Kakao needs no description or price (the gift card has no KRW one and there is no JPY
     * rate), but an image: one issue. */
    snprintf(path, sizeof path, "/v1/channels/%s/diagnostics", c.id);
    json_t *d = souk_h_get(s, path);
    assert_int_equal(souk_h_int(d, "items_rejected"), 1);
    assert_int_equal(json_array_size(souk_h_at(d, "issues")), 1);
    assert_issue(d, 0, "GIFT-1", "image_link", "error", "image_link is required and missing");
    json_decref(d);
}

static int setup_demo(void **state)
{
    static struct souk_h_server server;
    souk_h_start(&server, "--seed-demo");
    *state = &server;
    return 0;
}

static int teardown_demo(void **state)
{
    souk_h_cleanup(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_channel_serves_its_feed_with_the_demo_catalog, setup_demo,
                                        teardown_demo),
        cmocka_unit_test_setup_teardown(a_feed_needs_its_token, setup_demo, teardown_demo),
        cmocka_unit_test_setup_teardown(a_feed_comes_gzipped_when_asked, setup_demo, teardown_demo),
        cmocka_unit_test_setup_teardown(credentials_stay_secret, setup_demo, teardown_demo),
        cmocka_unit_test_setup_teardown(an_idempotent_replay_never_repeats_the_token, setup_demo,
                                        teardown_demo),
        cmocka_unit_test_setup_teardown(bad_channels_are_refused_and_change_nothing, setup_demo,
                                        teardown_demo),
        cmocka_unit_test_setup_teardown(channels_need_their_scopes, souk_h_setup, souk_h_teardown),
        cmocka_unit_test_setup_teardown(fx_rates_price_a_channel_in_another_currency, setup_demo,
                                        teardown_demo),
        cmocka_unit_test_setup_teardown(line_japan_gets_its_feed_in_whole_yen, setup_demo,
                                        teardown_demo),
        cmocka_unit_test_setup_teardown(kakao_korea_gets_an_xml_feed_in_won, setup_demo,
                                        teardown_demo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for channels/: validation, secrets, prices, feeds and diagnostics, on real SQLite. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "channels/channels.h"
#include "db/db.h"

struct fixture {
    char dir[64];
    struct souk_db *db;
    struct souk_db_conn *conn;
    struct souk_pool *pool;
    struct souk_err err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char spec[128];
    snprintf(f->dir, sizeof f->dir, "/tmp/souk-channelstest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(spec, sizeof spec, "sqlite:%s/t.db", f->dir);
    struct souk_db_options opts = {.connections = 1};
    assert_int_equal(souk_db_open(spec, &opts, &f->db, &f->err), SOUK_OK);
    assert_int_equal(souk_db_migrate(f->db, &f->err), SOUK_OK);
    f->conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(f->conn, SOUK_DB_WRITE, &f->err), SOUK_OK);
    f->pool = souk_pool_new();
    struct souk_warehouse w = {.code = "berlin", .name = "Berlin", .country = "DE"};
    assert_int_equal(souk_catalog_warehouse_create(f->conn, f->pool, &w, &f->err), SOUK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_db_release(f->conn); /* rolls back */
    souk_db_close(f->db);
    souk_pool_free(f->pool);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/t.db%s", f->dir, suffixes[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("bad test JSON at %d: %s", jerr.column, jerr.text);
    return j;
}

static void add_product(struct fixture *f, const char *text)
{
    json_t *j = parse(text);
    struct souk_product *p = souk_pool_alloc(f->pool, sizeof *p);
    int rc = souk_catalog_product_decode(f->pool, j, SOUK_CATALOG_CREATE, p, &f->err);
    json_decref(j);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_create(f->conn, f->pool, p, &f->err);
    if (rc != SOUK_OK)
        fail_msg("product: %s (%s)", f->err.message, f->err.param);
}

/* Decodes and creates a channel; returns the status, leaving the error in f->err. */
static int create_channel(struct fixture *f, const char *text, struct souk_channel **out,
                          char token[SOUK_CHANNELS_FEED_TOKEN_MAX])
{
    char scratch[SOUK_CHANNELS_FEED_TOKEN_MAX];
    json_t *j = parse(text);
    struct souk_channel *c = souk_pool_alloc(f->pool, sizeof *c);
    souk_err_clear(&f->err);
    int rc = souk_channels_decode(f->pool, j, SOUK_CHANNELS_CREATE, c, &f->err);
    json_decref(j);
    if (rc == SOUK_OK)
        rc = souk_channels_create(f->conn, f->pool, c, token ? token : scratch, &f->err);
    if (out)
        *out = c;
    return rc;
}

static struct souk_channel *channel(struct fixture *f, const char *text)
{
    struct souk_channel *c;
    if (create_channel(f, text, &c, NULL) != SOUK_OK)
        fail_msg("channel: %s (%s)", f->err.message, f->err.param);
    return c;
}

/* The whole feed of c in format (override NULL for the main one), as one string to free. */
static char *override_feed(struct fixture *f, struct souk_channel *c, const char *format,
                           const char *override)
{
    struct souk_feed *fd;
    assert_int_equal(souk_channels_feed_open(c, format, override, &fd, &f->err), SOUK_OK);
    struct souk_buf out = SOUK_BUF_INIT(1 << 24);
    bool done = false;
    for (int i = 0; !done && i < 100; i++)
        assert_int_equal(souk_channels_feed_next(fd, f->conn, &out, &done, &f->err), SOUK_OK);
    assert_true(done);
    souk_channels_feed_free(fd);
    return souk_buf_detach(&out, NULL);
}

static char *feed(struct fixture *f, struct souk_channel *c, const char *format)
{
    return override_feed(f, c, format, NULL);
}

#define META_US                                                                                    \
    "\"platform\": \"meta\", \"country\": \"US\", \"locale\": \"en\", \"currency\": \"USD\", "    \
    "\"link_template\": \"https://shop.example/p/{handle}?v={sku}\", "                           \
    "\"credentials\": {\"access_token\": \"EAAB-secret-token\", \"catalog_id\": \"42\"}"

#define SHIRT                                                                                      \
    "{\"handle\": \"linen-shirt\", \"title\": \"Shirt, linen\", \"status\": \"active\", "         \
    "\"brand\": \"Acme\", \"tags\": [\"summer\"], \"options\": [\"Size\", \"Colour\"], "          \
    "\"description\": \"<p>Soft &amp; cool</p><ul><li>Linen</li></ul>\", "                         \
    "\"media\": [{\"url\": \"https://cdn.example/a.jpg\"}, {\"url\": \"https://cdn.example/b,c.jpg\"}], " \
    "\"variants\": [{\"sku\": \"SH-S\", \"option_values\": [\"S\", \"Blue\"], \"gtin\": \"4006381333931\", " \
    "\"prices\": [{\"currency\": \"USD\", \"amount\": 2000}, {\"currency\": \"EUR\", \"amount\": 1850}], " \
    "\"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": 3}]}, " \
    "{\"sku\": \"SH M\", \"option_values\": [\"M\", \"Blue\"], " \
    "\"prices\": [{\"currency\": \"EUR\", \"amount\": 1850}], " \
    "\"stock\": [{\"warehouse_code\": \"berlin\", \"on_hand\": 0}]}]}"

static void a_channel_needs_a_known_platform_and_its_credentials(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_channel(f,
                                    "{\"platform\": \"myspace\", \"name\": \"x\", \"country\": "
                                    "\"US\", \"locale\": \"en\", \"currency\": \"USD\", "
                                    "\"link_template\": \"https://s.example/{handle}\"}",
                                    NULL, NULL),
                     SOUK_EINVAL);
    assert_string_equal(f->err.param, "platform");
    assert_non_null(strstr(f->err.message, "meta, google, pinterest, tiktok, snapchat, wechat, "
                                           "line, kakao"));

    assert_int_equal(create_channel(f,
                                    "{\"platform\": \"tiktok\", \"name\": \"TT\", \"country\": "
                                    "\"JP\", \"locale\": \"ja\", \"currency\": \"JPY\", "
                                    "\"link_template\": \"https://s.example/{handle}\", "
                                    "\"credentials\": {\"app_key\": \"k\"}}",
                                    NULL, NULL),
                     SOUK_EUNPROC);
    assert_non_null(strstr(f->err.message, "app_secret"));

    assert_int_equal(create_channel(f, "{\"name\": \"x\", " META_US ", \"currency\": \"XYZ\"}",
                                    NULL, NULL),
                     SOUK_EINVAL);
    assert_string_equal(f->err.param, "currency");
    assert_int_equal(create_channel(f,
                                    "{\"name\": \"x\", " META_US
                                    ", \"link_template\": \"/p/{handle}\"}",
                                    NULL, NULL),
                     SOUK_EINVAL);
    assert_string_equal(f->err.param, "link_template");
    assert_int_equal(create_channel(f,
                                    "{\"name\": \"x\", " META_US
                                    ", \"pricing\": {\"rounding\": \"banker\"}}",
                                    NULL, NULL),
                     SOUK_EINVAL);
    assert_string_equal(f->err.param, "pricing.rounding");
}

static void credentials_are_never_encoded(void **state)
{
    struct fixture *f = *state;
    struct souk_channel *c = channel(f, "{\"name\": \"IG\", " META_US "}");
    struct souk_channel *stored;
    assert_int_equal(souk_channels_get(f->conn, f->pool, c->id, &stored, &f->err), SOUK_OK);
    json_t *j = souk_channels_encode(stored, NULL);
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, "EAAB-secret-token"));
    assert_non_null(strstr(text, "\"credentials_set\": [\"access_token\", \"catalog_id\"]"));
    assert_null(strstr(text, "feed_token"));
    free(text);
    json_decref(j);
    /* ...but kept for the sync worker. */
    assert_string_equal(stored->credentials[0].value, "EAAB-secret-token");
}

static void the_feed_token_is_checked_and_rotated(void **state)
{
    struct fixture *f = *state;
    char token[SOUK_CHANNELS_FEED_TOKEN_MAX], rotated[SOUK_CHANNELS_FEED_TOKEN_MAX];
    struct souk_channel *c;
    assert_int_equal(create_channel(f, "{\"name\": \"IG\", " META_US "}", &c, token), SOUK_OK);
    assert_int_equal(strlen(token), 67);
    assert_int_equal(souk_channels_check_feed_token(f->conn, c->id, souk_str_from(token), &f->err),
                     SOUK_OK);
    token[10] ^= 1;
    assert_int_equal(souk_channels_check_feed_token(f->conn, c->id, souk_str_from(token), &f->err),
                     SOUK_EUNAUTH);
    assert_int_equal(souk_channels_check_feed_token(f->conn, "chn_nope", souk_str_from(token),
                                                    &f->err),
                     SOUK_EUNAUTH);
    token[10] ^= 1;
    assert_int_equal(souk_channels_rotate_feed_token(f->conn, c->id, rotated, &f->err), SOUK_OK);
    assert_int_equal(souk_channels_check_feed_token(f->conn, c->id, souk_str_from(token), &f->err),
                     SOUK_EUNAUTH);
    assert_int_equal(
        souk_channels_check_feed_token(f->conn, c->id, souk_str_from(rotated), &f->err), SOUK_OK);
}

/* USD is used as the catalog holds it; EUR converts through the FX table with the channel's
 * rule; the markup applies to both. */
static void prices_come_from_the_catalog_or_the_fx_table(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "USD", "1.0842", &f->err), SOUK_OK);
    struct souk_channel *c =
        channel(f, "{\"name\": \"IG\", " META_US ", \"pricing\": {\"rounding\": \"charm_99\"}}");
    char *csv = feed(f, c, "csv");
    /* SH-S: USD 20.00 as set. SH M: EUR 18.50 * 1.0842 = 20.0577 -> charm_99 -> 20.99. */
    assert_non_null(strstr(csv, "\nSH-S,\"Shirt, linen\",\"Soft & cool\nLinen\",in stock,new,20.00 USD,"
                                "https://shop.example/p/linen-shirt?v=SH-S,"));
    assert_non_null(strstr(csv, "\nSH M,\"Shirt, linen\",\"Soft & cool\nLinen\",out of stock,new,"
                                "20.99 USD,https://shop.example/p/linen-shirt?v=SH%20M,"));
    free(csv);

    struct souk_channel *marked = channel(
        f, "{\"name\": \"IG+10\", " META_US
           ", \"pricing\": {\"markup_percent\": \"10\", \"rounding\": \"half_even\"}}");
    csv = feed(f, marked, "csv");
    /* 20.00 * 1.1 = 22.00; 20.0577 rounds to 20.06 first, then * 1.1 = 22.066 -> 22.07. */
    assert_non_null(strstr(csv, ",22.00 USD,"));
    assert_non_null(strstr(csv, ",22.07 USD,"));
    free(csv);
}

/* Asserts issue i of d: its item, field and severity, and a reason containing reason. */
static void assert_issue(const struct souk_channel_diagnosis *d, size_t i, const char *item,
                         const char *field, const char *severity, const char *reason)
{
    assert_true(i < d->nissues);
    assert_string_equal(d->issues[i].item_id, item);
    assert_string_equal(d->issues[i].field, field);
    assert_string_equal(d->issues[i].severity, severity);
    if (!strstr(d->issues[i].reason, reason))
        fail_msg("issue %zu: \"%s\" does not say \"%s\"", i, d->issues[i].reason, reason);
}

/* Diagnoses c into d, asserting how many items it read, rejected and raised issues for. */
static void diagnose(struct fixture *f, struct souk_channel *c, struct souk_channel_diagnosis *d,
                     size_t items, size_t rejected, size_t issues)
{
    assert_int_equal(souk_channels_diagnose(f->conn, f->pool, c, 10, d, &f->err), SOUK_OK);
    assert_int_equal(d->items, items);
    assert_int_equal(d->items_rejected, rejected);
    assert_int_equal(d->nissues, issues);
}

static void a_missing_rate_is_a_diagnosed_error(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    struct souk_channel *c = channel(f, "{\"name\": \"IG\", " META_US "}");
    struct souk_channel_diagnosis d;
    diagnose(f, c, &d, 2, 1, 1);
    assert_int_equal(d.products, 1);
    assert_issue(&d, 0, "SH M", "price", "error", "PUT /v1/fx_rates/EUR/USD");
}

static void each_platform_gets_its_own_format(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    struct souk_channel *g = channel(
        f, "{\"name\": \"GMC\", \"platform\": \"google\", \"country\": \"US\", \"locale\": \"en\", "
           "\"currency\": \"USD\", \"link_template\": \"https://shop.example/p/{handle}\", "
           "\"credentials\": {\"access_token\": \"t\", \"merchant_id\": \"9\", \"data_source_id\": "
           "\"8\"}}");
    char *xml = feed(f, g, "xml");
    assert_non_null(strstr(xml, "<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">"));
    assert_non_null(strstr(xml, "<link>https://shop.example</link>"));
    assert_non_null(strstr(xml, "<g:id>SH-S</g:id>\n<g:title>Shirt, linen</g:title>\n"
                                "<g:description>Soft &amp; cool\nLinen</g:description>"));
    assert_non_null(strstr(xml, "<g:availability>in_stock</g:availability>"));
    /* One element per additional image, its comma kept escaped. */
    assert_non_null(strstr(xml, "<g:additional_image_link>https://cdn.example/b%2Cc.jpg"
                                "</g:additional_image_link>"));
    assert_non_null(strstr(xml, "<g:color>Blue</g:color>\n<g:size>S</g:size>"));
    assert_non_null(strstr(xml, "</item>\n</channel>\n</rss>\n"));
    /* SH M has no USD price and there is no rate: no <g:price> for it. */
    assert_null(strstr(strstr(xml, "<g:id>SH M</g:id>"), "<g:price>"));
    free(xml);

    char *tsv = feed(f, g, "tsv");
    assert_true(strncmp(tsv, "id\ttitle\tdescription\tlink\t", 25) == 0);
    assert_non_null(strstr(tsv, "\nSH-S\tShirt, linen\tSoft & cool Linen\t"));
    free(tsv);

    struct souk_feed *fd;
    assert_int_equal(souk_channels_feed_open(g, "csv", NULL, &fd, &f->err), SOUK_ENOTFOUND);
    assert_non_null(strstr(f->err.message, "google feeds come as xml, tsv"));

    struct souk_channel *t = channel(
        f, "{\"name\": \"TT\", \"platform\": \"tiktok\", \"country\": \"US\", \"locale\": \"en\", "
           "\"currency\": \"USD\", \"link_template\": \"https://shop.example/p/{handle}\", "
           "\"credentials\": {\"app_key\": \"k\", \"app_secret\": \"s\", \"access_token\": \"t\", "
           "\"shop_cipher\": \"c\", \"warehouse_id\": \"w\", \"category_id\": \"601226\"}}");
    char *csv = feed(f, t, "csv");
    assert_true(strncmp(csv, "sku_id,title,description,availability,condition,price,link,", 59) ==
                0);
    free(csv);
}

static void the_selection_picks_products_by_status_and_tag(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    add_product(f, "{\"handle\": \"hat\", \"title\": \"Hat\", \"status\": \"draft\", "
                   "\"variants\": [{\"sku\": \"HAT\", \"prices\": [{\"currency\": \"USD\", "
                   "\"amount\": 900}]}]}");
    struct souk_channel *all = channel(f, "{\"name\": \"all\", " META_US
                                          ", \"selection\": {\"statuses\": [\"active\", "
                                          "\"draft\"]}}");
    struct souk_channel *winter = channel(f, "{\"name\": \"winter\", " META_US
                                             ", \"selection\": {\"tags\": [\"winter\"]}}");
    struct souk_channel *active = channel(f, "{\"name\": \"active\", " META_US "}");
    char *a = feed(f, all, "csv"), *w = feed(f, winter, "csv"), *d = feed(f, active, "csv");
    assert_non_null(strstr(a, "\nHAT,"));
    assert_non_null(strstr(a, "\nSH-S,"));
    assert_int_equal(strlen(strchr(w, '\n') + 1), 0); /* the header row only */
    assert_null(strstr(d, "\nHAT,"));
    assert_non_null(strstr(d, "\nSH-S,"));
    free(a);
    free(w);
    free(d);
}

static void an_over_long_title_is_cut_and_warned_about(void **state)
{
    struct fixture *f = *state;
    char product[1024], title[240];
    memset(title, 'x', 210);
    title[210] = '\0';
    snprintf(product, sizeof product,
             "{\"handle\": \"long\", \"title\": \"%s\", \"status\": \"active\", \"brand\": \"A\", "
             "\"description\": \"Long.\", "
             "\"variants\": [{\"sku\": \"L1\", \"prices\": [{\"currency\": \"USD\", \"amount\": "
             "100}]}]}",
             title);
    add_product(f, product);
    struct souk_channel *c = channel(f, "{\"name\": \"IG\", " META_US "}");
    char *csv = feed(f, c, "csv");
    title[200] = '\0';
    char expected[256];
    snprintf(expected, sizeof expected, "\nL1,%s,", title);
    assert_non_null(strstr(csv, expected));
    free(csv);
    struct souk_channel_diagnosis d;
    assert_int_equal(souk_channels_diagnose(f->conn, f->pool, c, 10, &d, &f->err), SOUK_OK);
    /* No image: rejected. The title: a warning only. */
    assert_int_equal(d.items_rejected, 1);
    assert_int_equal(d.nissues, 2);
    assert_string_equal(d.issues[0].field, "title");
    assert_string_equal(d.issues[0].severity, "warning");
    assert_string_equal(d.issues[1].field, "image_link");
    assert_string_equal(d.issues[1].severity, "error");
}

static void the_fingerprint_moves_with_stock(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    struct souk_channel *c = channel(f, "{\"name\": \"IG\", " META_US "}");
    char before[SOUK_CHANNELS_ETAG_MAX], again[SOUK_CHANNELS_ETAG_MAX],
        after[SOUK_CHANNELS_ETAG_MAX];
    int64_t modified;
    assert_int_equal(souk_channels_feed_fingerprint(f->conn, c, before, &modified, &f->err),
                     SOUK_OK);
    assert_int_equal(souk_channels_feed_fingerprint(f->conn, c, again, &modified, &f->err),
                     SOUK_OK);
    assert_string_equal(before, again);
    usleep(2000);
    struct souk_product_filter pf = {.updated_since = SOUK_CATALOG_UNSET, .limit = 1};
    struct souk_product *p;
    size_t n;
    bool more;
    assert_int_equal(souk_catalog_product_list(f->conn, f->pool, &pf, &p, &n, &more, &f->err),
                     SOUK_OK);
    struct souk_stock_level s = {
        .variant_id = p[0].variants[0].id, .warehouse_code = "berlin", .on_hand = 0};
    assert_int_equal(
        souk_catalog_stock_set(f->conn, f->pool, &s, NULL, SOUK_CATALOG_NO_VERSION, &f->err),
        SOUK_OK);
    assert_int_equal(souk_channels_feed_fingerprint(f->conn, c, after, &modified, &f->err),
                     SOUK_OK);
    assert_string_not_equal(before, after);
}

/* Meta's localized catalogs: translations per language, prices per country. */
static void meta_override_feeds_carry_languages_and_countries(void **state)
{
    struct fixture *f = *state;
    add_product(f, "{\"handle\": \"cap\", \"title\": \"Cap\", \"status\": \"active\", "
                   "\"translations\": {\"pt-BR\": {\"title\": \"Bon\u00e9\", \"description\": "
                   "\"<b>Leve</b>\"}, \"fr\": {\"title\": \"Casquette\"}}, "
                   "\"variants\": [{\"sku\": \"CAP-1\", \"prices\": [{\"currency\": \"USD\", "
                   "\"amount\": 1500}, {\"currency\": \"EUR\", \"amount\": 1400}]}]}");
    assert_int_equal(souk_channels_fx_set(f->conn, "USD", "GBP", "0.79", &f->err), SOUK_OK);
    struct souk_channel *c = channel(
        f, "{\"name\": \"IG\", " META_US
           ", \"pricing\": {\"rounding\": \"charm_99\", \"country_overrides\": "
           "[{\"country\": \"DE\", \"currency\": \"EUR\"}, {\"country\": \"GB\", "
           "\"currency\": \"GBP\"}, {\"country\": \"JP\", \"currency\": \"JPY\"}]}}");
    char *lang = override_feed(f, c, "csv", "language");
    assert_string_equal(lang, "id,override,title,description\n"
                              "CAP-1,fr_XX,Casquette,\n"
                              "CAP-1,pt_BR,Bon\u00e9,Leve\n");
    free(lang);
    char *country = override_feed(f, c, "tsv", "country");
    /* EUR as the catalog has it; GBP through the rate (15.00 * 0.79 = 11.85 -> 11.99); no JPY
     * price and no rate: no JP row, so Meta keeps the main price there. */
    assert_string_equal(country, "id\toverride\tprice\tsale_price\tavailability\n"
                                 "CAP-1\tDE\t14.00 EUR\t\tout of stock\n"
                                 "CAP-1\tGB\t11.99 GBP\t\tout of stock\n");
    free(country);
    struct souk_feed *fd;
    assert_int_equal(souk_channels_feed_open(c, "xml", "language", &fd, &f->err), SOUK_ENOTFOUND);
    assert_int_equal(souk_channels_feed_open(c, "csv", "region", &fd, &f->err), SOUK_ENOTFOUND);
    assert_string_equal(f->err.param, "override");
    struct souk_channel *g = channel(
        f, "{\"name\": \"GMC\", \"platform\": \"google\", \"country\": \"US\", \"locale\": "
           "\"en\", \"currency\": \"USD\", \"link_template\": \"https://s.example/{handle}\", "
           "\"credentials\": {\"access_token\": \"t\", \"merchant_id\": \"9\", \"data_source_id\": "
           "\"8\"}}");
    assert_int_equal(souk_channels_feed_open(g, "tsv", "language", &fd, &f->err), SOUK_ENOTFOUND);
    /* The channel's own country cannot be an override. */
    assert_int_equal(create_channel(f,
                                    "{\"name\": \"x\", " META_US
                                    ", \"pricing\": {\"country_overrides\": [{\"country\": "
                                    "\"US\", \"currency\": \"USD\"}]}}",
                                    NULL, NULL),
                     SOUK_EINVAL);
    assert_string_equal(f->err.param, "pricing.country_overrides");
}

/* The variant's id from its SKU. */
static const char *variant_id(struct fixture *f, const char *sku)
{
    struct souk_variant_filter vf = {.sku = sku, .limit = 1};
    struct souk_variant *v;
    size_t n;
    bool more;
    assert_int_equal(souk_catalog_variant_list(f->conn, f->pool, &vf, &v, &n, &more, &f->err),
                     SOUK_OK);
    assert_int_equal(n, 1);
    return v[0].id;
}

/* A price list's fixed prices win, untouched by markup and rounding; others fall back. */
static void a_price_list_fixes_prices(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "USD", "1.0842", &f->err), SOUK_OK);
    struct souk_price_list tiktok = {.name = "TikTok US", .currency = "USD"}, yen = {
        .name = "Japan", .currency = "JPY"};
    assert_int_equal(souk_channels_price_list_create(f->conn, f->pool, &tiktok, &f->err), SOUK_OK);
    assert_int_equal(souk_channels_price_list_create(f->conn, f->pool, &yen, &f->err), SOUK_OK);
    struct souk_price_list_price fixed = {.variant_id = (char *)variant_id(f, "SH-S"),
                                          .amount = 1799};
    assert_int_equal(souk_channels_price_set(f->conn, tiktok.id, &fixed, &f->err), SOUK_OK);
    struct souk_price_list_price nobody = {.variant_id = "var_nope", .amount = 1};
    assert_int_equal(souk_channels_price_set(f->conn, tiktok.id, &nobody, &f->err),
                     SOUK_ENOTFOUND);

    char body[512];
    snprintf(body, sizeof body,
             "{\"name\": \"IG\", " META_US ", \"pricing\": {\"price_list\": \"%s\", "
             "\"markup_percent\": 10, \"rounding\": \"charm_99\"}}",
             tiktok.id);
    struct souk_channel *c = channel(f, body);
    char *csv = feed(f, c, "csv");
    assert_non_null(strstr(csv, "\nSH-S,\"Shirt, linen\",\"Soft & cool\nLinen\",in stock,new,"
                                "17.99 USD,"));
    /* SH M has no fixed price: EUR 18.50 -> 20.06 -> +10% 22.07 -> charm_99 22.99. */
    assert_non_null(strstr(csv, ",22.99 USD,"));
    free(csv);

    /* A list in another currency, or none at all, is refused. */
    snprintf(body, sizeof body, "{\"name\": \"x\", " META_US ", \"pricing\": {\"price_list\": "
             "\"%s\"}}", yen.id);
    assert_int_equal(create_channel(f, body, NULL, NULL), SOUK_EUNPROC);
    assert_string_equal(f->err.param, "pricing.price_list");
    assert_int_equal(create_channel(f,
                                    "{\"name\": \"y\", " META_US
                                    ", \"pricing\": {\"price_list\": \"pl_nope\"}}",
                                    NULL, NULL),
                     SOUK_EUNPROC);
    /* In use: cannot be deleted; unused: can. */
    assert_int_equal(souk_channels_price_list_delete(f->conn, tiktok.id, &f->err), SOUK_ECONFLICT);
    assert_int_equal(souk_channels_price_list_delete(f->conn, yen.id, &f->err), SOUK_OK);
}

static void fx_rates_are_decimal_text_between_two_currencies(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "USD", "1.0842", &f->err), SOUK_OK);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "USD", "1.09", &f->err), SOUK_OK);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "EUR", "1", &f->err), SOUK_EINVAL);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "XXY", "1", &f->err), SOUK_EINVAL);
    assert_int_equal(souk_channels_fx_set(f->conn, "EUR", "JPY", "1e5", &f->err), SOUK_EINVAL);
    assert_string_equal(f->err.param, "rate");
    struct souk_fx_entry *rates;
    size_t n;
    assert_int_equal(souk_channels_fx_list(f->conn, f->pool, &rates, &n, &f->err), SOUK_OK);
    assert_int_equal(n, 1);
    assert_string_equal(rates[0].rate, "1.09");
    assert_int_equal(souk_channels_fx_delete(f->conn, "EUR", "USD", &f->err), SOUK_OK);
    assert_int_equal(souk_channels_fx_delete(f->conn, "EUR", "USD", &f->err), SOUK_ENOTFOUND);
}

#define LINE_JP                                                                                    \
    "\"platform\": \"line\", \"country\": \"JP\", \"locale\": \"ja\", \"currency\": \"JPY\", "     \
    "\"link_template\": \"https://shop.example/p/{handle}?v={sku}\""

#define KAKAO_KR                                                                                   \
    "\"platform\": \"kakao\", \"country\": \"KR\", \"locale\": \"ko\", \"currency\": \"KRW\", "    \
    "\"link_template\": \"https://shop.example/p/{handle}\""

/* LINE takes Meta's columns and rules; yen have no decimals, and nearest_10 rounds to tens. */
static void line_feeds_are_in_whole_yen_with_required_prices(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    assert_int_equal(souk_channels_fx_set(f->conn, "USD", "JPY", "149.87", &f->err), SOUK_OK);
    /* No credentials: LINE fetches the feed with its token. */
    struct souk_channel *c = channel(f, "{\"name\": \"LINE JP\", " LINE_JP
                                        ", \"pricing\": {\"rounding\": \"nearest_10\"}}");
    char *csv = feed(f, c, "csv");
    assert_true(strncmp(csv,
                        "id,title,description,availability,condition,price,link,image_link,brand,"
                        "item_group_id,additional_image_link,sale_price,sale_price_effective_date,"
                        "google_product_category,product_type\n",
                        182) == 0);
    /* USD 20.00 * 149.87 = 2997.4 yen -> nearest_10 -> 3000. */
    assert_non_null(strstr(csv, "\nSH-S,\"Shirt, linen\",\"Soft & cool\nLinen\",in stock,new,"
                                "3000 JPY,https://shop.example/p/linen-shirt?v=SH-S,"
                                "https://cdn.example/a.jpg,Acme,linen-shirt,"
                                "https://cdn.example/b%2Cc.jpg,,,,\n"));
    /* SH M: EUR only and no EUR rate: no price, which LINE requires. */
    assert_non_null(
        strstr(csv, "\nSH M,\"Shirt, linen\",\"Soft & cool\nLinen\",out of stock,new,,"));
    free(csv);
    char *xml = feed(f, c, "xml");
    assert_non_null(strstr(xml, "<g:price>3000 JPY</g:price>"));
    free(xml);

    struct souk_channel_diagnosis d;
    diagnose(f, c, &d, 2, 1, 1);
    assert_issue(&d, 0, "SH M", "price", "error", "PUT /v1/fx_rates/EUR/JPY");
}

/* Kakao: XML only, won without decimals, Kakao's own limits, and price optional. */
static void kakao_feeds_are_xml_in_won_with_kakaos_limits(void **state)
{
    struct fixture *f = *state;
    add_product(f, SHIRT);
    char product[2048], text[640];
    memset(text, 'y', 600);
    text[600] = '\0';
    snprintf(product, sizeof product,
             "{\"handle\": \"note\", \"title\": \"Note\", \"status\": \"active\", "
             "\"description\": \"%s\", \"variants\": [{\"sku\": \"N1\", \"prices\": "
             "[{\"currency\": \"KRW\", \"amount\": 12000}]}]}",
             text);
    add_product(f, product);
    assert_int_equal(souk_channels_fx_set(f->conn, "USD", "KRW", "1385.5", &f->err), SOUK_OK);
    struct souk_channel *c = channel(f, "{\"name\": \"Kakao KR\", " KAKAO_KR
                                        ", \"pricing\": {\"rounding\": \"nearest_100\"}}");
    char *xml = feed(f, c, "xml");
    assert_non_null(strstr(xml, "<description>kakao catalog for Kakao KR (KR, KRW)</description>"));
    /* USD 20.00 * 1385.5 = 27710 won -> nearest_100 -> 27700. */
    assert_non_null(strstr(xml, "<item>\n<g:id>SH-S</g:id>\n<g:title>Shirt, linen</g:title>\n"
                                "<g:description>Soft &amp; cool\nLinen</g:description>\n"
                                "<g:availability>in stock</g:availability>\n"
                                "<g:condition>new</g:condition>\n"
                                "<g:price>27700 KRW</g:price>\n"
                                "<g:link>https://shop.example/p/linen-shirt</g:link>\n"
                                "<g:image_link>https://cdn.example/a.jpg</g:image_link>\n"
                                "<g:additional_image_link>https://cdn.example/b%2Cc.jpg"
                                "</g:additional_image_link>\n<g:brand>Acme</g:brand>\n"
                                "<g:item_group_id>linen-shirt</g:item_group_id>\n</item>\n"));
    /* The description is cut at Kakao's 500 characters. */
    text[500] = '\0';
    char expected[680];
    snprintf(expected, sizeof expected, "<g:description>%s</g:description>", text);
    assert_non_null(strstr(xml, expected));
    assert_non_null(strstr(xml, "<g:price>12000 KRW</g:price>"));
    free(xml);
    struct souk_feed *fd;
    assert_int_equal(souk_channels_feed_open(c, "csv", NULL, &fd, &f->err), SOUK_ENOTFOUND);
    assert_non_null(strstr(f->err.message, "kakao feeds come as xml"));

    /* SH M has no price, which Kakao does not require; N1 has no image, which it does. */
    struct souk_channel_diagnosis d;
    diagnose(f, c, &d, 3, 1, 2);
    assert_issue(&d, 0, "N1", "description", "warning", "kakao's limit of 500 characters");
    assert_issue(&d, 1, "N1", "image_link", "error", "image_link is required and missing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_channel_needs_a_known_platform_and_its_credentials, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(credentials_are_never_encoded, setup, teardown),
        cmocka_unit_test_setup_teardown(the_feed_token_is_checked_and_rotated, setup, teardown),
        cmocka_unit_test_setup_teardown(prices_come_from_the_catalog_or_the_fx_table, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_missing_rate_is_a_diagnosed_error, setup, teardown),
        cmocka_unit_test_setup_teardown(each_platform_gets_its_own_format, setup, teardown),
        cmocka_unit_test_setup_teardown(the_selection_picks_products_by_status_and_tag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_over_long_title_is_cut_and_warned_about, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_fingerprint_moves_with_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(meta_override_feeds_carry_languages_and_countries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_price_list_fixes_prices, setup, teardown),
        cmocka_unit_test_setup_teardown(fx_rates_are_decimal_text_between_two_currencies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(line_feeds_are_in_whole_yen_with_required_prices, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(kakao_feeds_are_xml_in_won_with_kakaos_limits, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

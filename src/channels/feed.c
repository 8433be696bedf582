/*
 * feed: a channel's catalog written in its platform's feed format, a page of products at a
 * time (see channels.h). CSV and TSV write one header row of the connector's column names;
 * XML is RSS 2.0 with the connector's namespace prefix (Google's g:, which Meta and Pinterest
 * also read), one <item> per variant.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/textout.h"

#define PAGE_PRODUCTS 250 /* the catalog loads a page with one query per table */
#define GOOGLE_NS "http://base.google.com/ns/1.0"

enum format { FORMAT_CSV, FORMAT_TSV, FORMAT_XML };
enum stage { STAGE_HEADER, STAGE_ITEMS, STAGE_FOOTER, STAGE_DONE };
enum mode { MODE_MAIN, MODE_LANGUAGE, MODE_COUNTRY };

/*
 * Meta's override feeds (localized catalogs): only the id, the override key and the fields
 * that differ. Prices and availability may only be overridden per country, titles and
 * descriptions only per language.
 */
static const struct souk_channels__column language_columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"override", SOUK_CHANNELS__OVERRIDE, SOUK_CHANNELS__REQUIRED, 0},
    {"title", SOUK_CHANNELS__TITLE, 0, 200},
    {"description", SOUK_CHANNELS__DESCRIPTION, 0, 9999},
};
static const struct souk_channels__column country_columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"override", SOUK_CHANNELS__OVERRIDE, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"availability", SOUK_CHANNELS__AVAILABILITY, 0, 0},
};

struct souk_feed {
    struct souk_pool *pool; /* the feed's lifetime: channel, contexts, cursor */
    char channel_id[SOUK_ID_MAX];
    enum format format;
    enum stage stage;
    enum mode mode;
    struct souk_channels__connector layout; /* the platform's, or an override feed's columns */
    struct souk_channel *channel; /* loaded by the first page, in its transaction */
    struct souk_channels__context ctx;
    struct souk_channels__context *countries; /* MODE_COUNTRY: one per override country */
    char *cursor;
};

static const struct {
    const char *name;
    enum format format;
    const char *content_type;
} formats[] = {
    {"csv", FORMAT_CSV, "text/csv; charset=utf-8"},
    {"tsv", FORMAT_TSV, "text/tab-separated-values; charset=utf-8"},
    {"xml", FORMAT_XML, "application/xml; charset=utf-8"},
};

static int pick_mode(const struct souk_channels__connector *conn, const char *override,
                     const char *format, enum mode *mode, struct souk_err *err)
{
    *mode = MODE_MAIN;
    if (!override)
        return SOUK_OK;
    if (!conn->overrides)
        return souk_err_set(err, SOUK_ENOTFOUND, "override",
                            "%s has no override feeds (Meta's localized catalogs have)",
                            conn->platform);
    if (strcmp(format, "xml") == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, "format",
                            "override feeds come as csv or tsv");
    if (strcmp(override, "language") == 0)
        *mode = MODE_LANGUAGE;
    else if (strcmp(override, "country") == 0)
        *mode = MODE_COUNTRY;
    else
        return souk_err_set(err, SOUK_ENOTFOUND, "override",
                            "override is language or country, not \"%.16s\"", override);
    return SOUK_OK;
}

int souk_channels_feed_open(const struct souk_channel *c, const char *format,
                            const char *override, struct souk_feed **out, struct souk_err *err)
{
    const struct souk_channels__connector *conn = souk_channels__connector(c->platform);
    *out = NULL;
    for (const char *const *f = conn ? conn->formats : NULL; f && *f; f++) {
        if (strcmp(*f, format) != 0)
            continue;
        enum mode mode;
        int rc = pick_mode(conn, override, format, &mode, err);
        if (rc != SOUK_OK)
            return rc;
        struct souk_feed *feed = souk_calloc(1, sizeof *feed);
        feed->pool = souk_pool_new();
        snprintf(feed->channel_id, sizeof feed->channel_id, "%s", c->id);
        feed->mode = mode;
        feed->layout = *conn;
        if (mode != MODE_MAIN) {
            feed->layout.columns = mode == MODE_LANGUAGE ? language_columns : country_columns;
            feed->layout.ncolumns = mode == MODE_LANGUAGE
                                        ? sizeof language_columns / sizeof language_columns[0]
                                        : sizeof country_columns / sizeof country_columns[0];
        }
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
            if (strcmp(formats[i].name, format) == 0)
                feed->format = formats[i].format;
        *out = feed;
        return SOUK_OK;
    }
    char names[64] = "";
    size_t used = 0;
    for (const char *const *f = conn ? conn->formats : NULL; f && *f; f++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", *f);
    return souk_err_set(err, SOUK_ENOTFOUND, "format",
                        "%s feeds come as %s, not \"%.16s\"", c->platform, names, format);
}

void souk_channels_feed_free(struct souk_feed *feed)
{
    if (!feed)
        return;
    souk_pool_free(feed->pool);
    souk_free(feed);
}

const char *souk_channels_feed_content_type(const struct souk_feed *feed)
{
    return formats[feed->format].content_type;
}

/* ---- writers ---- */

static int write_delimited_row(struct souk_buf *out, const struct souk_channels__connector *conn,
                               enum format format, const struct souk_channels__item *item)
{
    int rc = SOUK_OK;
    for (size_t i = 0; i < conn->ncolumns && rc == SOUK_OK; i++) {
        const struct souk_channels__column *col = &conn->columns[i];
        struct souk_str value = item ? souk_str_from(item->values[col->field])
                                     : souk_str_from(col->name);
        if (item && col->max_chars)
            value = souk_textout_truncate_utf8(value, SIZE_MAX, col->max_chars);
        if (i > 0)
            rc = souk_buf_addch(out, format == FORMAT_TSV ? '\t' : ',');
        if (rc == SOUK_OK)
            rc = format == FORMAT_TSV ? souk_textout_tsv_field(out, value)
                                      : souk_textout_csv_field(out, value, ',');
    }
    return rc == SOUK_OK ? souk_buf_addch(out, '\n') : rc;
}

/* <prefix:name>value</prefix:name>, written piece by piece: this runs 20 times per item, and
 * a printf-style format here was the feed's largest cost. */
static int xml_element(struct souk_buf *out, const char *prefix, const char *name,
                       struct souk_str value)
{
    int rc = souk_buf_addch(out, '<');
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, prefix);
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, name);
    if (rc == SOUK_OK)
        rc = souk_buf_addch(out, '>');
    if (rc == SOUK_OK)
        rc = souk_textout_xml_text(out, value);
    if (rc == SOUK_OK)
        rc = souk_buf_add(out, "</", 2);
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, prefix);
    if (rc == SOUK_OK)
        rc = souk_buf_addstr(out, name);
    return rc == SOUK_OK ? souk_buf_add(out, ">\n", 2) : rc;
}

static int write_xml_item(struct souk_buf *out, const struct souk_channels__connector *conn,
                          const struct souk_channels__item *item)
{
    int rc = souk_buf_addstr(out, "<item>\n");
    for (size_t i = 0; i < conn->ncolumns && rc == SOUK_OK; i++) {
        const struct souk_channels__column *col = &conn->columns[i];
        const char *value = item->values[col->field];
        if (!value)
            continue;
        if (col->field != SOUK_CHANNELS__ADDITIONAL_IMAGES) {
            struct souk_str v = souk_str_from(value);
            if (col->max_chars)
                v = souk_textout_truncate_utf8(v, SIZE_MAX, col->max_chars);
            rc = xml_element(out, conn->xml_prefix, col->name, v);
            continue;
        }
        /* In XML each additional image is an element of its own. */
        for (const char *s = value; rc == SOUK_OK && *s;) {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            rc = xml_element(out, conn->xml_prefix, col->name, (struct souk_str){s, len});
            s += len + (comma != NULL);
        }
    }
    return rc == SOUK_OK ? souk_buf_addstr(out, "</item>\n") : rc;
}

static int write_header(struct souk_feed *feed, struct souk_buf *out)
{
    if (feed->format != FORMAT_XML)
        return write_delimited_row(out, &feed->layout, feed->format, NULL);
    int rc = souk_buf_addf(out,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<rss version=\"2.0\" xmlns:g=\"%s\">\n<channel>\n",
                           GOOGLE_NS);
    if (rc == SOUK_OK)
        rc = xml_element(out, "", "title", souk_str_from(feed->channel->name));
    /* The shop's origin: the link template up to its path. */
    const char *tmpl = feed->channel->link_template, *host = strstr(tmpl, "://");
    const char *path = host ? strchr(host + 3, '/') : NULL;
    if (rc == SOUK_OK)
        rc = xml_element(out, "", "link",
                         (struct souk_str){tmpl, path ? (size_t)(path - tmpl) : strlen(tmpl)});
    if (rc == SOUK_OK)
        rc = xml_element(out, "", "description",
                         souk_str_from(souk_pool_printf(feed->pool, "%s catalog for %s (%s, %s)",
                                                        feed->layout.platform, feed->channel->name,
                                                        feed->channel->country,
                                                        feed->channel->currency)));
    return rc;
}

static int write_item(struct souk_feed *feed, struct souk_pool *pool, struct souk_buf *out,
                      const struct souk_product *p, const struct souk_variant *v)
{
    struct souk_channels__item item;
    souk_channels__item_build(&feed->ctx, pool, p, v, &item);
    return feed->format == FORMAT_XML ? write_xml_item(out, &feed->layout, &item)
                                      : write_delimited_row(out, &feed->layout, feed->format, &item);
}

/* Meta spells a locale with an underscore, and a language alone as "xx_XX". */
static const char *meta_locale(struct souk_pool *pool, const char *locale)
{
    const char *dash = strchr(locale, '-');
    if (!dash)
        return souk_pool_printf(pool, "%s_XX", locale);
    return souk_pool_printf(pool, "%.*s_%s", (int)(dash - locale), locale, dash + 1);
}

/* One row per translation other than the channel's own locale. */
static int write_language_rows(struct souk_feed *feed, struct souk_pool *pool,
                               struct souk_buf *out, const struct souk_product *p,
                               const struct souk_variant *v)
{
    int rc = SOUK_OK;
    for (size_t t = 0; rc == SOUK_OK && t < p->ntranslations; t++) {
        const struct souk_translation *tr = &p->translations[t];
        if (strcmp(tr->locale, feed->channel->locale) == 0 || (!tr->title && !tr->description))
            continue;
        struct souk_channels__item item = {.product_id = p->id};
        item.values[SOUK_CHANNELS__ID] = v->sku;
        item.values[SOUK_CHANNELS__OVERRIDE] = meta_locale(pool, tr->locale);
        item.values[SOUK_CHANNELS__TITLE] = tr->title;
        item.values[SOUK_CHANNELS__DESCRIPTION] = souk_channels__plain_text(pool, tr->description);
        rc = write_delimited_row(out, &feed->layout, feed->format, &item);
    }
    return rc;
}

/* One row per override country whose currency the variant can be priced in. */
static int write_country_rows(struct souk_feed *feed, struct souk_pool *pool,
                              struct souk_buf *out, const struct souk_product *p,
                              const struct souk_variant *v)
{
    int rc = SOUK_OK;
    for (size_t k = 0; rc == SOUK_OK && k < feed->channel->ncountries; k++) {
        struct souk_channels__item item;
        souk_channels__item_build(&feed->countries[k], pool, p, v, &item);
        if (!item.values[SOUK_CHANNELS__PRICE])
            continue; /* no price there: the platform keeps the main feed's */
        item.values[SOUK_CHANNELS__OVERRIDE] = feed->channel->countries[k].country;
        rc = write_delimited_row(out, &feed->layout, feed->format, &item);
    }
    return rc;
}

/* A context per override country: the channel as if it sold there in that currency. */
static void load_country_contexts(struct souk_feed *feed)
{
    size_t n = feed->channel->ncountries;
    feed->countries = souk_pool_alloc(feed->pool, (n ? n : 1) * sizeof *feed->countries);
    for (size_t k = 0; k < n; k++) {
        struct souk_channel *local = souk_pool_alloc(feed->pool, sizeof *local);
        *local = *feed->channel;
        memcpy(local->currency, feed->channel->countries[k].currency, sizeof local->currency);
        local->country = feed->channel->countries[k].country;
        feed->countries[k] = feed->ctx;
        feed->countries[k].channel = local;
    }
}

static int write_page(struct souk_feed *feed, struct souk_db_conn *conn, struct souk_buf *out,
                      struct souk_err *err)
{
    struct souk_pool *scratch = souk_pool_new();
    struct souk_product *products;
    size_t count;
    int rc = souk_channels__next_products(conn, scratch, feed->channel, &feed->cursor, &products,
                                          &count, err);
    if (rc == SOUK_OK && feed->cursor)
        feed->cursor = souk_pool_strdup(feed->pool, feed->cursor);
    for (size_t i = 0; rc == SOUK_OK && i < count; i++) {
        if (!souk_channels__selects(feed->channel, &products[i]))
            continue;
        for (size_t j = 0; rc == SOUK_OK && j < products[i].nvariants; j++)
            rc = feed->mode == MODE_LANGUAGE  ? write_language_rows(feed, scratch, out, &products[i],
                                                                   &products[i].variants[j])
                 : feed->mode == MODE_COUNTRY ? write_country_rows(feed, scratch, out, &products[i],
                                                                  &products[i].variants[j])
                                              : write_item(feed, scratch, out, &products[i],
                                                           &products[i].variants[j]);
    }
    if (rc == SOUK_ETOOBIG)
        souk_err_set(err, rc, NULL, "a page of the feed is too large");
    if (rc == SOUK_OK && count == 0)
        feed->stage = STAGE_FOOTER;
    souk_pool_free(scratch);
    return rc;
}

int souk_channels_feed_next(struct souk_feed *feed, struct souk_db_conn *conn,
                            struct souk_buf *out, bool *done, struct souk_err *err)
{
    int rc = SOUK_OK;
    switch (feed->stage) {
    case STAGE_HEADER:
        rc = souk_channels_get(conn, feed->pool, feed->channel_id, &feed->channel, err);
        if (rc == SOUK_OK)
            rc = souk_channels__context_load(conn, feed->pool, feed->channel, &feed->ctx, err);
        if (rc == SOUK_OK && feed->mode == MODE_COUNTRY)
            load_country_contexts(feed);
        if (rc == SOUK_OK)
            rc = write_header(feed, out);
        feed->stage = STAGE_ITEMS;
        break;
    case STAGE_ITEMS:
        /* The stream's connection is the same every chunk, but say so rather than assume. */
        feed->ctx.conn = conn;
        for (size_t k = 0; feed->countries && k < feed->channel->ncountries; k++)
            feed->countries[k].conn = conn;
        rc = write_page(feed, conn, out, err);
        break;
    case STAGE_FOOTER:
        if (feed->format == FORMAT_XML)
            rc = souk_buf_addstr(out, "</channel>\n</rss>\n");
        feed->stage = STAGE_DONE;
        break;
    case STAGE_DONE:
        break;
    }
    *done = feed->stage == STAGE_DONE;
    return rc;
}

int souk_channels__next_products(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const struct souk_channel *c, char **cursor,
                                 struct souk_product **out, size_t *count, struct souk_err *err)
{
    /* One status, tag or collection narrows the query; souk_channels__selects checks the
     * rest. */
    struct souk_product_filter filter = {
        .status = c->nstatuses == 1   ? c->statuses[0]
                  : c->nstatuses == 0 ? "active"
                                      : NULL,
        .updated_since = SOUK_CATALOG_UNSET,
        .tag = c->ntags == 1 ? c->tags[0] : NULL,
        .collection = c->ncollections == 1 ? c->collections[0] : NULL,
        .locale = c->locale,
        .after = *cursor,
        .limit = PAGE_PRODUCTS,
    };
    bool has_more;
    int rc = souk_catalog_product_list(conn, pool, &filter, out, count, &has_more, err);
    if (rc == SOUK_OK && *count)
        *cursor = (*out)[*count - 1].id;
    return rc;
}

int souk_channels_feed_fingerprint(struct souk_db_conn *conn, const struct souk_channel *c,
                                   char etag[SOUK_CHANNELS_ETAG_MAX], int64_t *last_modified,
                                   struct souk_err *err)
{
    struct souk_catalog_fingerprint fp;
    int rc = souk_catalog_fingerprint(conn, &fp, err);
    struct souk_db_stmt *st;
    if (rc == SOUK_OK)
        rc = souk_db_query(conn, err, &st,
                           "SELECT count(*), coalesce(max(updated_at), 0) FROM fx_rates", "");
    if (rc < 0)
        return rc;
    int64_t rates = souk_db_col_i64(st, 0), newest = fp.last_change;
    if (souk_db_col_i64(st, 1) > newest)
        newest = souk_db_col_i64(st, 1);
    if (c->updated_at > newest)
        newest = c->updated_at;
    /* Weak: the same catalog gives the same rows, though gzip may change the bytes. */
    snprintf(etag, SOUK_CHANNELS_ETAG_MAX, "W/\"%llx-%llx-%llx-%llx-%llx-%llx\"",
             (unsigned long long)newest, (unsigned long long)fp.products,
             (unsigned long long)fp.variants, (unsigned long long)fp.stock_rows,
             (unsigned long long)rates, (unsigned long long)c->version);
    *last_modified = newest;
    return SOUK_OK;
}

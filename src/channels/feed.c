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

#define PAGE_PRODUCTS 50
#define GOOGLE_NS "http://base.google.com/ns/1.0"

enum format { FORMAT_CSV, FORMAT_TSV, FORMAT_XML };
enum stage { STAGE_HEADER, STAGE_ITEMS, STAGE_FOOTER, STAGE_DONE };

struct souk_feed {
    struct souk_pool *pool; /* the feed's lifetime: channel, context, cursor */
    char channel_id[SOUK_ID_MAX];
    enum format format;
    enum stage stage;
    const struct souk_channels__connector *conn;
    struct souk_channel *channel; /* loaded by the first page, in its transaction */
    struct souk_channels__context ctx;
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

int souk_channels_feed_open(const struct souk_channel *c, const char *format,
                            struct souk_feed **out, struct souk_err *err)
{
    const struct souk_channels__connector *conn = souk_channels__connector(c->platform);
    *out = NULL;
    for (const char *const *f = conn ? conn->formats : NULL; f && *f; f++) {
        if (strcmp(*f, format) != 0)
            continue;
        struct souk_feed *feed = souk_calloc(1, sizeof *feed);
        feed->pool = souk_pool_new();
        snprintf(feed->channel_id, sizeof feed->channel_id, "%s", c->id);
        feed->conn = conn;
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

static int xml_element(struct souk_buf *out, const char *prefix, const char *name,
                       struct souk_str value)
{
    int rc = souk_buf_addf(out, "<%s%s>", prefix, name);
    if (rc == SOUK_OK)
        rc = souk_textout_xml_text(out, value);
    return rc == SOUK_OK ? souk_buf_addf(out, "</%s%s>\n", prefix, name) : rc;
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
        return write_delimited_row(out, feed->conn, feed->format, NULL);
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
                                                        feed->conn->platform, feed->channel->name,
                                                        feed->channel->country,
                                                        feed->channel->currency)));
    return rc;
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
        for (size_t j = 0; rc == SOUK_OK && j < products[i].nvariants; j++) {
            struct souk_channels__item item;
            souk_channels__item_build(&feed->ctx, scratch, &products[i], &products[i].variants[j],
                                      &item);
            rc = feed->format == FORMAT_XML
                     ? write_xml_item(out, feed->conn, &item)
                     : write_delimited_row(out, feed->conn, feed->format, &item);
        }
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
        if (rc == SOUK_OK)
            rc = write_header(feed, out);
        feed->stage = STAGE_ITEMS;
        break;
    case STAGE_ITEMS:
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
    /* One status or one tag narrows the query; souk_channels__selects checks the rest. */
    struct souk_product_filter filter = {
        .status = c->nstatuses == 1 ? c->statuses[0] : c->nstatuses == 0 ? "active" : NULL,
        .updated_since = SOUK_CATALOG_UNSET,
        .tag = c->ntags == 1 ? c->tags[0] : NULL,
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

/*
 * check: an item against its platform's ingestion rules, and the diagnostics built on it
 * (see channels.h). The rules come from the connector's column table, so each platform's
 * checks are the same data its feed is written from.
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/gtin.h"

#define DIAGNOSE_PAGE_LIMIT 1000000 /* pages of products: a bound, never reached in practice */

size_t souk_channels__item_check(const struct souk_channels__connector *conn,
                                 const struct souk_channel *c,
                                 const struct souk_channels__item *item,
                                 souk_channels__report_fn report, void *arg)
{
    size_t problems = 0;
    bool identifier_needed = false, identifier_present = false;
    const char *identifier_names[3] = {NULL, NULL, NULL};
    size_t nidentifiers = 0;
    char reason[160];
    for (size_t i = 0; i < conn->ncolumns; i++) {
        const struct souk_channels__column *col = &conn->columns[i];
        const char *value = item->values[col->field];
        if (col->flags & SOUK_CHANNELS__ONE_OF_IDENTIFIERS) {
            identifier_needed = true;
            identifier_present |= value != NULL;
            if (nidentifiers < 3)
                identifier_names[nidentifiers++] = col->name;
        }
        if (!value) {
            if (col->flags & SOUK_CHANNELS__REQUIRED) {
                snprintf(reason, sizeof reason, "%s is required and missing", col->name);
                bool priceless = col->field == SOUK_CHANNELS__PRICE && item->price_problem;
                report(arg, col->name, true, priceless ? item->price_problem : reason);
                problems++;
            }
            continue;
        }
        if (col->max_chars && souk_str_utf8_chars(souk_str_from(value)) > col->max_chars) {
            snprintf(reason, sizeof reason,
                     "%s is longer than %s's limit of %zu characters: the feed cuts it there",
                     col->name, conn->platform, col->max_chars);
            report(arg, col->name, false, reason);
        }
        if ((col->field == SOUK_CHANNELS__LINK || col->field == SOUK_CHANNELS__IMAGE_LINK) &&
            !souk_str_is_http_url(souk_str_from(value))) {
            snprintf(reason, sizeof reason, "%s must be an absolute http(s) URL", col->name);
            report(arg, col->name, true, reason);
            problems++;
        }
        if (col->field == SOUK_CHANNELS__GTIN && !souk_gtin_is_valid(souk_str_from(value))) {
            report(arg, col->name, true, "the GTIN's check digit is wrong");
            problems++;
        }
    }
    if (item->values[SOUK_CHANNELS__PRICE] && item->price_minor <= 0) {
        report(arg, "price", true, "the price must be greater than zero");
        problems++;
    }
    if (identifier_needed && !identifier_present) {
        snprintf(reason, sizeof reason, "%s needs one of %s, %s or %s", conn->platform,
                 identifier_names[0], identifier_names[1],
                 identifier_names[2] ? identifier_names[2] : "");
        report(arg, identifier_names[0], true, reason);
        problems++;
    }
    return problems + (conn->rules ? conn->rules(c, item, report, arg) : 0);
}

/* The first problem a rules function reports that rejects, as "field: reason" in pool. */
struct first_problem {
    struct souk_pool *pool;
    const char *reason;
};

static void keep_first(void *arg, const char *field, bool rejects, const char *reason)
{
    struct first_problem *f = arg;
    if (rejects && !f->reason)
        f->reason = souk_pool_printf(f->pool, "%s: %s", field, reason);
}

const char *souk_channels__unsendable(struct souk_pool *pool, souk_channels__rules_fn rules,
                                      const struct souk_channel *c,
                                      const struct souk_channels__item *item)
{
    struct first_problem first = {pool, NULL};
    return rules(c, item, keep_first, &first) > 0 ? first.reason : NULL;
}

/* ---- diagnostics ---- */

struct collector {
    struct souk_pool *pool;
    struct souk_channel_diagnosis *d;
    size_t max;
    const struct souk_channels__item *item;
};

static void collect(void *arg, const char *field, bool rejects, const char *reason)
{
    struct collector *c = arg;
    if (c->d->nissues == c->max) {
        c->d->issues_truncated = true;
        return;
    }
    struct souk_channel_issue *issue = &c->d->issues[c->d->nissues++];
    issue->item_id = souk_pool_strdup(c->pool, c->item->values[SOUK_CHANNELS__ID]);
    issue->product_id = souk_pool_strdup(c->pool, c->item->product_id);
    issue->field = souk_pool_strdup(c->pool, field);
    issue->severity = rejects ? "error" : "warning";
    issue->reason = souk_pool_strdup(c->pool, reason);
}

int souk_channels_diagnose(struct souk_db_conn *conn, struct souk_pool *pool,
                           const struct souk_channel *c, size_t max_issues,
                           struct souk_channel_diagnosis *out, struct souk_err *err)
{
    memset(out, 0, sizeof *out);
    out->issues = souk_pool_alloc(pool, (max_issues ? max_issues : 1) * sizeof *out->issues);
    struct souk_channels__context ctx;
    int rc = souk_channels__context_load(conn, pool, c, &ctx, err);
    char *cursor = NULL;
    for (int page = 0; rc == SOUK_OK && page < DIAGNOSE_PAGE_LIMIT; page++) {
        /* Each page's products go in a pool of their own, so memory stays one page deep. */
        struct souk_pool *scratch = souk_pool_new();
        struct souk_product *products;
        size_t count;
        rc = souk_channels__next_products(conn, scratch, c, &cursor, &products, &count, err);
        if (rc == SOUK_OK && cursor)
            cursor = souk_pool_strdup(pool, cursor);
        for (size_t i = 0; rc == SOUK_OK && i < count; i++) {
            if (!souk_channels__selects(c, &products[i]))
                continue;
            out->products++;
            for (size_t j = 0; j < products[i].nvariants; j++) {
                struct souk_channels__item item;
                souk_channels__item_build(&ctx, scratch, &products[i], &products[i].variants[j],
                                          &item);
                struct collector col = {pool, out, max_issues, &item};
                out->items++;
                out->items_rejected += souk_channels__item_check(ctx.connector, c, &item, collect,
                                                                 &col) > 0;
            }
        }
        souk_pool_free(scratch);
        if (rc != SOUK_OK || count == 0)
            break;
    }
    return rc;
}

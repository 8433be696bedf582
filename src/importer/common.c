/* common: the product accumulator shared by the import formats; see importer_int.h. */
#include <stdio.h>
#include <string.h>

#include "importer/importer_int.h"

void souk_import__init(struct souk_import__product *cur, const struct souk_import_options *opts)
{
    memset(cur, 0, sizeof *cur);
    cur->opts = opts;
}

void souk_import__release(struct souk_import__product *cur)
{
    souk_pool_free(cur->pool);
    cur->pool = NULL;
}

void souk_import__begin(struct souk_import__product *cur, uint64_t line)
{
    souk_pool_free(cur->pool);
    cur->pool = souk_pool_new();
    memset(&cur->product, 0, sizeof cur->product);
    cur->variant_lines = NULL;
    cur->cap_variants = cur->cap_media = cur->cap_tags = 0;
    cur->line = line;
    cur->active = true;
    cur->failed = false;
}

/* Grows a pool array to hold one more element; arrays only double, so waste stays bounded. */
static void *grow(struct souk_pool *pool, void *items, size_t len, size_t *cap, size_t size)
{
    if (len < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *bigger = souk_pool_alloc(pool, ncap * size);
    if (len)
        memcpy(bigger, items, len * size);
    *cap = ncap;
    return bigger;
}

struct souk_variant *souk_import__new_variant(struct souk_import__product *cur, uint64_t line)
{
    struct souk_product *p = &cur->product;
    size_t cap = cur->cap_variants;
    p->variants = grow(cur->pool, p->variants, p->nvariants, &cur->cap_variants, sizeof *p->variants);
    cur->variant_lines = grow(cur->pool, cur->variant_lines, p->nvariants, &cap,
                              sizeof *cur->variant_lines);
    cur->variant_lines[p->nvariants] = line;
    struct souk_variant *v = &p->variants[p->nvariants++];
    memset(v, 0, sizeof *v);
    return v;
}

void souk_import__add_media(struct souk_import__product *cur, char *url, char *alt,
                            int64_t position)
{
    struct souk_product *p = &cur->product;
    int64_t last = 0;
    for (size_t i = 0; i < p->nmedia; i++) {
        if (strcmp(p->media[i].url, url) == 0)
            return;
        if (p->media[i].position > last)
            last = p->media[i].position;
    }
    p->media = grow(cur->pool, p->media, p->nmedia, &cur->cap_media, sizeof *p->media);
    p->media[p->nmedia++] = (struct souk_media){position ? position : last + 1, url, alt};
}

struct souk_str souk_import__trim(struct souk_str s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

void souk_import__split_tags(struct souk_import__product *cur, struct souk_pool *pool,
                             struct souk_str text)
{
    struct souk_product *p = &cur->product;
    while (text.len) {
        const char *comma = memchr(text.ptr, ',', text.len);
        size_t len = comma ? (size_t)(comma - text.ptr) : text.len;
        struct souk_str tag = souk_import__trim((struct souk_str){text.ptr, len});
        if (tag.len) {
            p->tags = grow(pool, p->tags, p->ntags, &cur->cap_tags, sizeof *p->tags);
            p->tags[p->ntags++] = souk_pool_str(pool, tag);
        }
        text.ptr += comma ? len + 1 : len;
        text.len -= comma ? len + 1 : len;
    }
}

/* Rewrites err's message as "line N: message". */
static void prefix_line(struct souk_err *err, uint64_t line)
{
    char message[sizeof err->message];
    snprintf(message, sizeof message, "line %llu: %.220s", (unsigned long long)line, err->message);
    memcpy(err->message, message, sizeof message);
}

static uint64_t line_of_param(const struct souk_import__product *cur, const char *param)
{
    int64_t index;
    if (strncmp(param, "variants[", 9) == 0) {
        const char *close = strchr(param + 9, ']');
        if (close &&
            souk_str_to_i64((struct souk_str){param + 9, (size_t)(close - param - 9)}, 0,
                            (int64_t)cur->product.nvariants - 1, &index) == SOUK_OK)
            return cur->variant_lines[index];
    }
    return cur->line;
}

int souk_import__row_failed(struct souk_import__product *cur, uint64_t line, bool whole_product,
                            struct souk_import_stats *stats, struct souk_err *err)
{
    prefix_line(err, line);
    if (!(cur->opts->flags & SOUK_IMPORT_SKIP_BAD_ROWS))
        return err->code;
    if (cur->opts->on_skip)
        cur->opts->on_skip(line, err, cur->opts->arg);
    if (whole_product && cur->active && !cur->failed) {
        cur->failed = true;
        stats->skipped_products++;
    }
    souk_err_clear(err);
    return SOUK_OK;
}

/* Gives every variant image a place among the product's media, as Shopify implies it. */
static void adopt_variant_images(struct souk_import__product *cur)
{
    for (size_t i = 0; i < cur->product.nvariants; i++)
        if (cur->product.variants[i].image_url)
            souk_import__add_media(cur, cur->product.variants[i].image_url, NULL, 0);
}

int souk_import__flush(struct souk_import__product *cur, struct souk_db_conn *conn,
                       struct souk_import_stats *stats, struct souk_err *err)
{
    if (!cur->active || cur->failed) {
        cur->active = false;
        return SOUK_OK;
    }
    cur->active = false;
    adopt_variant_images(cur);
    bool skipping = cur->opts->flags & SOUK_IMPORT_SKIP_BAD_ROWS;
    int rc = skipping ? souk_db_savepoint(conn, err) : SOUK_OK;
    if (rc != SOUK_OK)
        return rc;
    rc = souk_catalog_product_create(conn, cur->pool, &cur->product, err);
    if (rc == SOUK_OK) {
        stats->products++;
        stats->variants += cur->product.nvariants;
        return skipping ? souk_db_savepoint_release(conn, err) : SOUK_OK;
    }
    if (rc != SOUK_EINVAL && rc != SOUK_EUNPROC && rc != SOUK_ECONFLICT)
        return rc; /* the store failed: no row to blame */
    uint64_t line = line_of_param(cur, err->param);
    if (skipping) {
        struct souk_err ignored = SOUK_ERR_INIT;
        rc = souk_db_savepoint_rollback(conn, &ignored);
        if (rc != SOUK_OK)
            return souk_err_set(err, rc, NULL, "%s", ignored.message);
    }
    cur->active = true; /* so row_failed counts the product as skipped */
    rc = souk_import__row_failed(cur, line, true, stats, err);
    cur->active = false;
    return rc;
}

int souk_import__ensure_warehouse(struct souk_db_conn *conn,
                                  const struct souk_import_options *opts,
                                  char id[SOUK_ID_MAX], struct souk_import_stats *stats,
                                  struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_warehouse *found = NULL;
    struct souk_warehouse created = {.code = (char *)opts->warehouse,
                                     .name = (char *)opts->warehouse,
                                     .country = (char *)opts->warehouse_country};
    int rc = souk_catalog_warehouse_by_code(conn, pool, opts->warehouse, &found, err);
    if (rc == SOUK_ENOTFOUND) {
        souk_err_clear(err);
        rc = souk_catalog_warehouse_create(conn, pool, &created, err);
        if (rc == SOUK_OK)
            stats->warehouses++;
        found = &created;
    }
    if (rc == SOUK_OK)
        snprintf(id, SOUK_ID_MAX, "%s", found->id);
    souk_pool_free(pool);
    return rc;
}

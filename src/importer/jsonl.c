/*
 * jsonl: souk's JSON-lines import and export (see importer.h). One object per line with an
 * "object" member naming its kind. Import ignores what the store assigns (ids, versions,
 * timestamps, derived stock figures) and nulls, so an export loads into any store. A collection
 * names its members by product handle ("products"), since the importing store assigns new
 * product ids; it comes after the products, so they exist when it is read.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "importer/importer_int.h"

#define MAX_LINE (8u << 20) /* a product with 1,000 variants fits comfortably */
#define CHUNK (64u << 10)
#define EXPORT_PAGE 250

/* Reads fd line by line without holding more than one line (plus one chunk). */
struct line_reader {
    int fd;
    char *chunk;
    size_t pos, len;
    bool eof;
    struct souk_buf line;
    uint64_t number;
};

/* 1 with a line in r->line, 0 at the end, < 0 on error. */
static int next_line(struct line_reader *r, struct souk_err *err)
{
    souk_buf_reset(&r->line);
    for (;;) {
        if (r->pos == r->len) {
            if (r->eof)
                return r->line.len ? (r->number++, 1) : 0;
            ssize_t n = read(r->fd, r->chunk, CHUNK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return souk_err_set(err, SOUK_EIO, NULL, "read failed: %s", strerror(errno));
            r->pos = 0;
            r->len = (size_t)n;
            r->eof = n == 0;
            continue;
        }
        const char *start = r->chunk + r->pos;
        const char *nl = memchr(start, '\n', r->len - r->pos);
        size_t take = nl ? (size_t)(nl - start) : r->len - r->pos;
        if (souk_buf_add(&r->line, start, take) != SOUK_OK)
            return souk_err_set(err, SOUK_ETOOBIG, NULL, "line %llu: longer than %u bytes",
                                (unsigned long long)r->number + 1, MAX_LINE);
        r->pos += take + (nl ? 1 : 0);
        if (nl) {
            r->number++;
            return 1;
        }
    }
}

static void drop_keys(json_t *obj, const char *const *keys)
{
    for (; *keys; keys++)
        json_object_del(obj, *keys);
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(obj, tmp, key, value)
    {
        if (json_is_null(value))
            json_object_del(obj, key);
        else if (json_is_object(value))
            drop_keys(value, (const char *const[]){NULL});
    }
}

static void drop_in_array(json_t *obj, const char *array, const char *const *keys)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(obj, array), i, item)
    {
        if (json_is_object(item))
            drop_keys(item, keys);
    }
}

/* Removes what a store assigns, so the line reads like an API create body. */
static void strip_product(json_t *p)
{
    /* A product's collections are the collections' to say: the export does not carry them. */
    static const char *const product_keys[] = {"object",     "id",     "version",     "created_at",
                                               "updated_at", "locale", "collections", NULL};
    static const char *const variant_keys[] = {"id",         "product_id",  "version", "created_at",
                                               "updated_at", "stock_state", NULL};
    static const char *const stock_keys[] = {"warehouse_id", "variant_id", "reserved",
                                             "available", "version", "updated_at", NULL};
    static const char *const price_keys[] = {NULL};
    drop_keys(p, product_keys);
    drop_in_array(p, "media", price_keys);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(p, "variants"), i, v)
    {
        if (!json_is_object(v))
            continue;
        drop_keys(v, variant_keys);
        drop_in_array(v, "stock", stock_keys);
        drop_in_array(v, "prices", price_keys);
    }
}

static int import_warehouse(struct souk_db_conn *conn, struct souk_import__product *cur,
                            json_t *obj, struct souk_import_stats *stats, struct souk_err *err)
{
    static const char *const keys[] = {"object", "id", "version", "created_at", "updated_at",
                                       NULL};
    drop_keys(obj, keys);
    struct souk_warehouse *w = souk_pool_alloc(cur->pool, sizeof *w);
    int rc = souk_catalog_warehouse_decode(cur->pool, obj, SOUK_CATALOG_CREATE, w, err);
    if (rc == SOUK_OK)
        rc = souk_catalog_warehouse_create(conn, cur->pool, w, err);
    if (rc == SOUK_OK)
        stats->warehouses++;
    return rc;
}

/* A collection line: its members' handles become the ids this store gave those products. */
static int import_collection(struct souk_db_conn *conn, struct souk_import__product *cur,
                             json_t *obj, struct souk_import_stats *stats, struct souk_err *err)
{
    static const char *const keys[] = {"object", "id", "version", "created_at", "updated_at",
                                       "product_ids", NULL};
    json_t *handles = json_incref(json_object_get(obj, "products"));
    json_object_del(obj, "products");
    drop_keys(obj, keys);
    json_t *ids = json_array();
    int rc = handles && !json_is_array(handles)
                 ? souk_err_set(err, SOUK_EINVAL, "products",
                                "products must be an array of product handles")
                 : SOUK_OK;
    size_t i;
    json_t *handle;
    json_array_foreach(rc == SOUK_OK ? handles : NULL, i, handle)
    {
        char id[SOUK_ID_MAX];
        const char *text = json_string_value(handle);
        if (!text)
            rc = souk_err_set(err, SOUK_EINVAL, "products",
                              "products[%zu] must be a product handle", i);
        else if ((rc = souk_catalog_product_id(conn, text, id, err)) == SOUK_ENOTFOUND)
            rc = souk_err_set(err, SOUK_EINVAL, "products",
                              "products[%zu]: no product has the handle %.64s", i, text);
        if (rc != SOUK_OK)
            break;
        json_array_append_new(ids, json_string(id));
    }
    json_decref(handles);
    json_object_set_new(obj, "product_ids", ids);
    struct souk_collection *col = souk_pool_alloc(cur->pool, sizeof *col);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_decode(cur->pool, obj, SOUK_CATALOG_CREATE, col, err);
    if (rc == SOUK_OK)
        rc = souk_catalog_collection_create(conn, cur->pool, col, err);
    if (rc == SOUK_OK)
        stats->collections++;
    return rc;
}

static int import_line(struct souk_db_conn *conn, struct souk_import__product *cur,
                       struct line_reader *r, struct souk_import_stats *stats,
                       struct souk_err *err)
{
    json_error_t jerr;
    json_t *obj = json_loadb(r->line.data, r->line.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) {
        souk_err_set(err, SOUK_EINVAL, NULL, "malformed JSON at column %d: %s", jerr.column,
                     jerr.text);
        return souk_import__row_failed(cur, r->number, false, stats, err);
    }
    const char *kind = json_string_value(json_object_get(obj, "object"));
    int rc;
    souk_import__begin(cur, r->number);
    if (kind && strcmp(kind, "warehouse") == 0) {
        cur->active = false;
        rc = import_warehouse(conn, cur, obj, stats, err);
        if (rc == SOUK_EINVAL || rc == SOUK_ECONFLICT)
            rc = souk_import__row_failed(cur, r->number, false, stats, err);
    } else if (kind && strcmp(kind, "collection") == 0) {
        cur->active = false;
        rc = import_collection(conn, cur, obj, stats, err);
        if (rc == SOUK_EINVAL || rc == SOUK_ECONFLICT || rc == SOUK_EUNPROC)
            rc = souk_import__row_failed(cur, r->number, false, stats, err);
    } else if (kind && strcmp(kind, "product") == 0) {
        strip_product(obj);
        rc = souk_catalog_product_decode(cur->pool, obj, SOUK_CATALOG_CREATE, &cur->product, err);
        cur->variant_lines = souk_pool_alloc(cur->pool, (cur->product.nvariants + 1) *
                                                            sizeof *cur->variant_lines);
        for (size_t i = 0; i < cur->product.nvariants; i++)
            cur->variant_lines[i] = r->number;
        rc = rc == SOUK_OK ? souk_import__flush(cur, conn, stats, err)
                           : souk_import__row_failed(cur, r->number, true, stats, err);
    } else {
        cur->active = false;
        souk_err_set(err, SOUK_EINVAL, "object",
                     "each line needs \"object\": \"product\", \"warehouse\" or \"collection\"");
        rc = souk_import__row_failed(cur, r->number, false, stats, err);
    }
    json_decref(obj);
    return rc;
}

int souk_import_jsonl(struct souk_db_conn *conn, int fd, const struct souk_import_options *opts,
                      struct souk_import_stats *stats, struct souk_err *err)
{
    struct line_reader r = {.fd = fd, .chunk = souk_malloc(CHUNK)};
    souk_buf_init(&r.line, MAX_LINE);
    struct souk_import__product cur;
    souk_import__init(&cur, opts);
    int rc;
    while ((rc = next_line(&r, err)) == 1) {
        if (souk_import__trim((struct souk_str){r.line.data, r.line.len}).len == 0)
            continue;
        rc = import_line(conn, &cur, &r, stats, err);
        if (rc != SOUK_OK)
            break;
    }
    stats->lines = r.number;
    souk_import__release(&cur);
    souk_buf_release(&r.line);
    souk_free(r.chunk);
    return rc < 0 ? rc : SOUK_OK;
}

static int write_line(FILE *out, const char *kind, json_t *obj, struct souk_err *err)
{
    json_t *line = json_pack("{s:s}", "object", kind);
    json_object_update(line, obj);
    json_decref(obj);
    int bad = json_dumpf(line, out, JSON_COMPACT) != 0 || fputc('\n', out) == EOF;
    json_decref(line);
    return bad ? souk_err_set(err, SOUK_EIO, NULL, "cannot write the export: %s",
                              strerror(errno))
               : SOUK_OK;
}

/* A collection's line: its members by handle in place of their ids. */
static int write_collection(struct souk_db_conn *conn, struct souk_pool *pool, FILE *out,
                            const struct souk_collection *col, struct souk_err *err)
{
    char **handles;
    size_t n;
    int rc = souk_catalog_collection_member_handles(conn, pool, col->id, &handles, &n, err);
    if (rc != SOUK_OK)
        return rc;
    json_t *obj = souk_catalog_collection_encode(col), *members = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(members, json_string(handles[i]));
    json_object_del(obj, "product_ids");
    json_object_set_new(obj, "products", members);
    return write_line(out, "collection", obj, err);
}

int souk_export_jsonl(struct souk_db_conn *conn, FILE *out, uint64_t *count,
                      struct souk_err *err)
{
    int rc = SOUK_OK;
    bool more = true;
    char *after = NULL;
    *count = 0;
    while (rc == SOUK_OK && more) {
        struct souk_pool *pool = souk_pool_new();
        struct souk_warehouse *items;
        size_t n = 0;
        rc = souk_catalog_warehouse_list(conn, pool, after, EXPORT_PAGE, &items, &n, &more, err);
        for (size_t i = 0; i < n && rc == SOUK_OK; i++, (*count)++)
            rc = write_line(out, "warehouse", souk_catalog_warehouse_encode(&items[i]), err);
        souk_free(after);
        after = n ? souk_strdup(items[n - 1].id) : NULL;
        souk_pool_free(pool);
    }
    souk_free(after);
    after = NULL;
    more = true;
    while (rc == SOUK_OK && more) {
        struct souk_pool *pool = souk_pool_new();
        struct souk_product_filter filter = {.updated_since = SOUK_CATALOG_UNSET,
                                             .after = after, .limit = EXPORT_PAGE};
        struct souk_product *items;
        size_t n = 0;
        rc = souk_catalog_product_list(conn, pool, &filter, &items, &n, &more, err);
        for (size_t i = 0; i < n && rc == SOUK_OK; i++, (*count)++)
            rc = write_line(out, "product", souk_catalog_product_encode(&items[i]), err);
        souk_free(after);
        after = n ? souk_strdup(items[n - 1].id) : NULL;
        souk_pool_free(pool);
    }
    souk_free(after);
    after = NULL;
    more = true;
    while (rc == SOUK_OK && more) {
        struct souk_pool *pool = souk_pool_new();
        struct souk_collection *items;
        size_t n = 0;
        rc = souk_catalog_collection_list(conn, pool, after, EXPORT_PAGE, &items, &n, &more, err);
        for (size_t i = 0; i < n && rc == SOUK_OK; i++, (*count)++)
            rc = write_collection(conn, pool, out, &items[i], err);
        souk_free(after);
        after = n ? souk_strdup(items[n - 1].id) : NULL;
        souk_pool_free(pool);
    }
    souk_free(after);
    return rc;
}

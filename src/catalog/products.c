/* products: the product rows and what hangs off them (tags, translations, media). */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/id.h"
#include "core/locale.h"
#include "core/time.h"
#include "outbox/outbox.h"

#define PRODUCT_COLUMNS                                                                            \
    "id, handle, status, title, description, brand, vendor, product_type, "                        \
    "google_product_category, item_condition, option1_name, option2_name, option3_name, "          \
    "version, created_at, updated_at, inventory_policy, preorder_ships_at"

static void read_product_row(struct souk_pool *pool, struct souk_db_stmt *st,
                             struct souk_product *p)
{
    char **texts[] = {&p->id,
                      &p->handle,
                      &p->status,
                      &p->title,
                      &p->description,
                      &p->brand,
                      &p->vendor,
                      &p->product_type,
                      &p->google_product_category,
                      &p->condition,
                      &p->option_names[0],
                      &p->option_names[1],
                      &p->option_names[2]};
    int col = 0;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        *texts[i] = souk_catalog__col_str(pool, st, col++);
    p->version = souk_db_col_i64(st, col++);
    p->created_at = souk_db_col_i64(st, col++);
    p->updated_at = souk_db_col_i64(st, col++);
    p->inventory_policy = souk_catalog__col_str(pool, st, col++);
    p->preorder_ships_at = souk_db_col_is_null(st, col) ? 0 : souk_db_col_i64(st, col);
}

static void add_tag(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                    size_t *cap)
{
    struct souk_product *p = (struct souk_product *)ctx + i;
    p->tags = souk_catalog__grow(pool, p->tags, p->ntags, cap, sizeof *p->tags);
    p->tags[p->ntags++] = souk_catalog__col_str(pool, st, 1);
}

static void add_translation(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                            size_t *cap)
{
    struct souk_product *p = (struct souk_product *)ctx + i;
    p->translations =
        souk_catalog__grow(pool, p->translations, p->ntranslations, cap, sizeof *p->translations);
    struct souk_translation *t = &p->translations[p->ntranslations++];
    t->locale = souk_catalog__col_str(pool, st, 1);
    t->title = souk_catalog__col_str(pool, st, 2);
    t->description = souk_catalog__col_str(pool, st, 3);
}

static void add_media(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                      size_t *cap)
{
    struct souk_product *p = (struct souk_product *)ctx + i;
    p->media = souk_catalog__grow(pool, p->media, p->nmedia, cap, sizeof *p->media);
    struct souk_media *m = &p->media[p->nmedia++];
    m->position = souk_db_col_i64(st, 1);
    m->url = souk_catalog__col_str(pool, st, 2);
    m->alt = souk_catalog__col_str(pool, st, 3);
}

static void add_collection(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                           size_t *cap)
{
    struct souk_product *p = (struct souk_product *)ctx + i;
    p->collections =
        souk_catalog__grow(pool, p->collections, p->ncollections, cap, sizeof *p->collections);
    p->collections[p->ncollections++] = souk_catalog__col_str(pool, st, 1);
}

enum children_flags {
    CHILD_MEDIA = 1 << 0,
    CHILD_TAGS = 1 << 1,
    CHILD_TRANSLATIONS = 1 << 2,
    CHILD_COLLECTIONS = 1 << 3,
    CHILD_VARIANTS = 1 << 4,
    CHILD_ALL = (1 << 5) - 1,
};

/* The tables that hang off a product, each read by product id. */
static const struct {
    enum children_flags which;
    struct souk_catalog__rows_sql sql;
    souk_catalog__add_row_fn *add;
} child_tables[] = {
    {CHILD_MEDIA,
     SOUK_CATALOG__ROWS_SQL("SELECT product_id, position, url, alt FROM product_media",
                            "product_id", "ORDER BY product_id, position"),
     add_media},
    {CHILD_TAGS,
     SOUK_CATALOG__ROWS_SQL("SELECT product_id, tag FROM product_tags", "product_id",
                            "ORDER BY product_id, tag"),
     add_tag},
    {CHILD_TRANSLATIONS,
     SOUK_CATALOG__ROWS_SQL("SELECT product_id, locale, title, description FROM "
                            "product_translations",
                            "product_id", "ORDER BY product_id, locale"),
     add_translation},
    {CHILD_COLLECTIONS,
     SOUK_CATALOG__ROWS_SQL("SELECT m.product_id, c.handle FROM collection_products m "
                            "JOIN collections c ON c.id = m.collection_id",
                            "m.product_id", "ORDER BY m.product_id, c.handle"),
     add_collection},
};

/*
 * Loads the children named by which into items[0..n), whose ids are ids[0..n): one query per
 * table for all of them (1 <= n <= SOUK_CATALOG__PAGE_MAX).
 */
static int load_children(struct souk_db_conn *conn, struct souk_pool *pool,
                         struct souk_product *items, char *const *ids, size_t n,
                         enum children_flags which, struct souk_err *err)
{
    int rc = SOUK_OK;
    for (size_t t = 0; rc == SOUK_OK && t < sizeof child_tables / sizeof child_tables[0]; t++)
        if (which & child_tables[t].which)
            rc = souk_catalog__load_rows(conn, pool, &child_tables[t].sql, ids, n, ids, n,
                                         child_tables[t].add, items, err);
    if (rc == SOUK_OK && (which & CHILD_VARIANTS))
        rc = souk_catalog__load_variants(conn, pool, items, ids, n, err);
    return rc;
}

/* Reads the product row alone. ENOTFOUND when missing. */
static int read_product(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                        struct souk_product **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1",
                           "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no product %.64s", id);
    struct souk_product *p = souk_pool_alloc(pool, sizeof *p);
    read_product_row(pool, st, p);
    *out = p;
    return SOUK_OK;
}

int souk_catalog__load_product_shell(struct souk_db_conn *conn, struct souk_pool *pool,
                                     const char *id, struct souk_product **out,
                                     struct souk_err *err)
{
    struct souk_product *p = NULL;
    int rc = read_product(conn, pool, id, &p, err);
    if (rc == SOUK_OK)
        rc = load_children(conn, pool, p, &p->id, 1, CHILD_MEDIA, err);
    if (rc == SOUK_OK)
        *out = p;
    return rc;
}

/* Picks title and description through the locale's fallback chain (pt-BR, pt, en). */
static void resolve_locale(struct souk_product *p, const char *locale)
{
    char chain[4][SOUK_LOCALE_MAX];
    size_t n =
        souk_locale_fallback_chain(souk_str_from(locale), SOUK_CATALOG_DEFAULT_LOCALE, chain, 4);
    const char *title_from = NULL, *description_from = NULL;
    for (size_t c = 0; c < n; c++) {
        for (size_t i = 0; i < p->ntranslations; i++) {
            const struct souk_translation *t = &p->translations[i];
            if (strcmp(t->locale, chain[c]) != 0)
                continue;
            if (!title_from && t->title) {
                p->title = t->title;
                title_from = t->locale;
            }
            if (!description_from && t->description) {
                p->description = t->description;
                description_from = t->locale;
            }
        }
    }
    p->resolved_locale = title_from ? title_from : SOUK_CATALOG_DEFAULT_LOCALE;
}

int souk_catalog_product_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                             const char *locale, struct souk_product **out, struct souk_err *err)
{
    struct souk_product *p = NULL;
    int rc = read_product(conn, pool, id, &p, err);
    if (rc == SOUK_OK)
        rc = load_children(conn, pool, p, &p->id, 1, CHILD_ALL, err);
    if (rc != SOUK_OK)
        return rc;
    if (locale)
        resolve_locale(p, locale);
    *out = p;
    return SOUK_OK;
}

static int handle_free(struct souk_db_conn *conn, const char *handle, const char *except_id,
                       struct souk_err *err)
{
    char owner[SOUK_ID_MAX];
    int rc = souk_catalog__owner(conn, "SELECT id FROM products WHERE handle = $1", handle,
                                 except_id, owner, err);
    if (rc == SOUK_OK && owner[0])
        rc = souk_err_set(err, SOUK_ECONFLICT, "handle",
                          "handle %.64s is already used by product %s", handle, owner);
    return rc;
}

static int insert_children(struct souk_db_conn *conn, const struct souk_product *p,
                           struct souk_err *err)
{
    int64_t rc = SOUK_OK;
    for (size_t i = 0; i < p->ntags && rc >= 0; i++)
        rc =
            souk_db_run_sql(conn, err, "INSERT INTO product_tags (product_id, tag) VALUES ($1, $2)",
                            "ss", p->id, p->tags[i]);
    for (size_t i = 0; i < p->ntranslations && rc >= 0; i++)
        rc = souk_db_run_sql(conn, err,
                             "INSERT INTO product_translations (product_id, locale, title, "
                             "description) VALUES ($1, $2, $3, $4)",
                             "ssss", p->id, p->translations[i].locale, p->translations[i].title,
                             p->translations[i].description);
    for (size_t i = 0; i < p->nmedia && rc >= 0; i++)
        rc = souk_db_run_sql(conn, err,
                             "INSERT INTO product_media (product_id, position, url, alt) "
                             "VALUES ($1, $2, $3, $4)",
                             "siss", p->id, p->media[i].position, p->media[i].url, p->media[i].alt);
    return rc < 0 ? (int)rc : SOUK_OK;
}

static int delete_children(struct souk_db_conn *conn, const char *id, struct souk_err *err)
{
    static const char *const sql[] = {
        "DELETE FROM product_tags WHERE product_id = $1",
        "DELETE FROM product_translations WHERE product_id = $1",
        "DELETE FROM product_media WHERE product_id = $1",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        int64_t changed = souk_db_run_sql(conn, err, sql[i], "s", id);
        if (changed < 0)
            return (int)changed;
    }
    return SOUK_OK;
}

/* Checks the variants of a new product against it and against each other. */
static int check_new_variants(struct souk_product *p, struct souk_err *err)
{
    char prefix[SOUK_CATALOG__PARAM_MAX];
    if (p->nvariants > SOUK_CATALOG__MAX_VARIANTS)
        return souk_err_set(err, SOUK_EINVAL, "variants", "a product has at most %d variants",
                            SOUK_CATALOG__MAX_VARIANTS);
    for (size_t i = 0; i < p->nvariants; i++) {
        struct souk_variant *v = &p->variants[i];
        souk_catalog__param(prefix, "", "variants[%zu]", i);
        if (v->position == 0)
            v->position = (int64_t)i + 1;
        int rc = souk_catalog__check_variant(p, v, prefix, err);
        for (size_t j = 0; rc == SOUK_OK && j < i; j++)
            rc = souk_catalog__check_siblings(v, &p->variants[j], prefix, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int write_product_row(struct souk_db_conn *conn, const struct souk_product *p, bool insert,
                             struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        insert ? "INSERT INTO products (id, handle, status, title, description, brand, vendor, "
                 "product_type, google_product_category, item_condition, option1_name, "
                 "option2_name, option3_name, version, created_at, updated_at, "
                 "inventory_policy, preorder_ships_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                 "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
               : "UPDATE products SET handle = $2, status = $3, title = $4, description = $5, "
                 "brand = $6, vendor = $7, product_type = $8, google_product_category = $9, "
                 "item_condition = $10, option1_name = $11, option2_name = $12, "
                 "option3_name = $13, version = $14, created_at = $15, updated_at = $16, "
                 "inventory_policy = $17, preorder_ships_at = $18 WHERE id = $1",
        "sssssssssssssiiisn", p->id, p->handle, p->status, p->title, p->description, p->brand,
        p->vendor, p->product_type, p->google_product_category, p->condition, p->option_names[0],
        p->option_names[1], p->option_names[2], p->version, p->created_at, p->updated_at,
        p->inventory_policy, p->preorder_ships_at ? p->preorder_ships_at : INT64_MIN);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_catalog_product_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *p, struct souk_err *err)
{
    int rc = souk_catalog__check_product(pool, p, err);
    if (rc == SOUK_OK)
        rc = check_new_variants(p, err);
    if (rc == SOUK_OK)
        rc = handle_free(conn, p->handle, NULL, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX];
    souk_id_new("prod", id);
    p->id = souk_pool_strdup(pool, id);
    p->version = 1;
    p->created_at = p->updated_at = souk_time_now_us();
    rc = write_product_row(conn, p, true, err);
    if (rc == SOUK_OK)
        rc = insert_children(conn, p, err);
    char prefix[SOUK_CATALOG__PARAM_MAX];
    for (size_t i = 0; rc == SOUK_OK && i < p->nvariants; i++)
        rc = souk_catalog__insert_variant(conn, pool, p->id, &p->variants[i], p->created_at,
                                          souk_catalog__param(prefix, "", "variants[%zu]", i), err);
    return rc == SOUK_OK ? souk_outbox_emit(conn, "product.changed", p->id, NULL, err) : rc;
}

/* After an update, every existing variant must still fit the product's options and media. */
static int check_existing_variants(struct souk_db_conn *conn, struct souk_pool *pool,
                                   const struct souk_product *p, struct souk_err *err)
{
    struct souk_product stored = {.id = p->id}; /* p's own variants are not necessarily these */
    int rc = souk_catalog__load_variants(conn, pool, &stored, &stored.id, 1, err);
    char prefix[SOUK_CATALOG__PARAM_MAX];
    for (size_t i = 0; rc == SOUK_OK && i < stored.nvariants; i++) {
        souk_catalog__param(prefix, "", "variants[%zu]", i);
        rc = souk_catalog__check_variant(p, &stored.variants[i], prefix, err);
        if (rc != SOUK_OK) {
            char message[sizeof err->message];
            snprintf(message, sizeof message, "variant %.40s no longer fits: %.180s",
                     stored.variants[i].id, err->message);
            return souk_err_set(err, SOUK_EUNPROC, err->param, "%s", message);
        }
    }
    return rc;
}

int souk_catalog_product_title(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                               char **title, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT title FROM products WHERE id = $1", "s", id);
    if (rc == 1)
        *title = souk_catalog__col_str(pool, st, 0);
    return rc == 1  ? SOUK_OK
           : rc < 0 ? rc
                    : souk_err_set(err, SOUK_ENOTFOUND, NULL, "no product %.64s", id);
}

const char *souk_catalog__policy_name(struct souk_str stored)
{
    static const char *const policies[] = {"backorder", "preorder"};
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (souk_str_eq_cstr(stored, policies[i]))
            return policies[i];
    return "deny";
}

int souk_catalog_inventory_policy(struct souk_db_conn *conn, const char *variant_id,
                                  const char **policy, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT p.inventory_policy FROM variants v "
                           "JOIN products p ON p.id = v.product_id WHERE v.id = $1",
                           "s", variant_id);
    if (rc < 0)
        return rc;
    *policy = rc == 1 ? souk_catalog__policy_name(souk_db_col_text(st, 0)) : "deny";
    return SOUK_OK;
}

int souk_catalog_product_id(struct souk_db_conn *conn, const char *handle, char id[SOUK_ID_MAX],
                            struct souk_err *err)
{
    int rc = souk_catalog__owner(conn, "SELECT id FROM products WHERE handle = $1", handle, NULL,
                                 id, err);
    if (rc == SOUK_OK && !id[0])
        rc = souk_err_set(err, SOUK_ENOTFOUND, NULL, "no product has the handle %.64s", handle);
    return rc;
}

int souk_catalog_product_version(struct souk_db_conn *conn, const char *id, int64_t *version,
                                 struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT version FROM products WHERE id = $1", "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no product %.64s", id);
    *version = souk_db_col_i64(st, 0);
    return SOUK_OK;
}

int souk_catalog_product_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *p, int64_t expected_version,
                                struct souk_err *err)
{
    int64_t version = 0;
    struct souk_product *stored = NULL;
    int rc = souk_catalog_product_version(conn, p->id, &version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__load_product_shell(conn, pool, p->id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_product(pool, p, err);
    if (rc == SOUK_OK)
        rc = handle_free(conn, p->handle, p->id, err);
    if (rc != SOUK_OK)
        return rc;
    p->version = version + 1;
    p->created_at = stored->created_at;
    p->updated_at = souk_time_now_us();
    rc = write_product_row(conn, p, false, err);
    if (rc == SOUK_OK)
        rc = delete_children(conn, p->id, err);
    if (rc == SOUK_OK)
        rc = insert_children(conn, p, err);
    if (rc == SOUK_OK)
        rc = check_existing_variants(conn, pool, p, err);
    return rc == SOUK_OK ? souk_outbox_emit(conn, "product.changed", p->id, NULL, err) : rc;
}

int souk_catalog_product_delete(struct souk_db_conn *conn, const char *id, int64_t expected_version,
                                struct souk_err *err)
{
    int64_t version = 0;
    int rc = souk_catalog_product_version(conn, id, &version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__refuse_reserved(conn,
                                           "SELECT COALESCE(SUM(s.reserved), 0) FROM stock s "
                                           "JOIN variants v ON v.id = s.variant_id "
                                           "WHERE v.product_id = $1",
                                           id, err);
    /* Its collections lose a member (the rows go by cascade): their JSON changes. */
    int64_t touched = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                      "UPDATE collections SET version = "
                                                      "version + 1, updated_at = $2 WHERE id IN "
                                                      "(SELECT collection_id FROM "
                                                      "collection_products WHERE product_id = $1)",
                                                      "si", id, souk_time_now_us())
                                    : rc;
    rc = touched < 0 ? (int)touched : SOUK_OK;
    /* The SKUs go with the announcement: once deleted, nobody can look them up. */
    struct souk_pool *pool = souk_pool_new();
    char *skus = NULL;
    if (rc == SOUK_OK)
        rc = souk_catalog__skus_json(conn, pool, id, &skus, err);
    int64_t changed =
        rc == SOUK_OK ? souk_db_run_sql(conn, err, "DELETE FROM products WHERE id = $1", "s", id)
                      : rc;
    rc = changed < 0 ? (int)changed : souk_outbox_emit(conn, "product.deleted", id, skus, err);
    souk_pool_free(pool);
    return rc;
}

/* "%<q lower-cased, with LIKE's wildcards escaped>%" for a case-insensitive substring match. */
static char *like_pattern(struct souk_pool *pool, const char *q)
{
    size_t len = strlen(q), n = 0;
    char *out = souk_pool_alloc(pool, 2 * len + 3);
    out[n++] = '%';
    for (size_t i = 0; i < len; i++) {
        char c = q[i];
        if (c == '%' || c == '_' || c == '!')
            out[n++] = '!';
        out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n++] = '%';
    out[n] = '\0';
    return out;
}

/*
 * Reads the product rows the filter selects, at most f->limit of them, into items;
 * *has_more says another one follows. (The LIKE patterns are CAST because SQLite re-plans a
 * statement whose LIKE pattern is a bare parameter every time that parameter is bound.)
 */
static int list_rows(struct souk_db_conn *conn, struct souk_pool *pool,
                     const struct souk_product_filter *f, struct souk_product *items, size_t *count,
                     bool *has_more, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(
        conn,
        "SELECT " PRODUCT_COLUMNS " FROM products p WHERE p.id > $1 "
        "AND (CAST($2 AS TEXT) IS NULL OR p.status = $2) "
        "AND (CAST($3 AS BIGINT) IS NULL OR p.updated_at >= $3) "
        "AND (CAST($4 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM product_tags t "
        "WHERE t.product_id = p.id AND t.tag = $4)) "
        "AND (CAST($7 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM collection_products m "
        "JOIN collections c ON c.id = m.collection_id WHERE m.product_id = p.id "
        "AND c.handle = $7)) "
        "AND (CAST($5 AS TEXT) IS NULL OR lower(p.title) LIKE CAST($5 AS TEXT) ESCAPE '!' "
        "OR p.handle LIKE CAST($5 AS TEXT) ESCAPE '!' "
        "OR EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id "
        "AND lower(v.sku) LIKE CAST($5 AS TEXT) ESCAPE '!') "
        "OR EXISTS (SELECT 1 FROM product_translations tr WHERE tr.product_id = p.id "
        "AND lower(tr.title) LIKE CAST($5 AS TEXT) ESCAPE '!')) "
        "ORDER BY p.id LIMIT $6",
        &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ssnssis", f->after ? f->after : "", f->status, f->updated_since,
                          f->tag, f->q ? like_pattern(pool, f->q) : NULL, (int64_t)f->limit + 1,
                          f->collection);
    *count = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1 && *count < (size_t)f->limit) {
        read_product_row(pool, st, &items[(*count)++]);
        rc = SOUK_OK;
    }
    *has_more = rc == 1;
    return rc < 0 ? rc : SOUK_OK;
}

int souk_catalog_product_list(struct souk_db_conn *conn, struct souk_pool *pool,
                              const struct souk_product_filter *filter, struct souk_product **out,
                              size_t *count, bool *has_more, struct souk_err *err)
{
    if (filter->limit < 1 || filter->limit > SOUK_CATALOG__PAGE_MAX)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and %d",
                            SOUK_CATALOG__PAGE_MAX);
    struct souk_product *items = souk_pool_alloc(pool, (size_t)filter->limit * sizeof *items);
    size_t n;
    int rc = list_rows(conn, pool, filter, items, &n, has_more, err);
    if (rc != SOUK_OK)
        return rc;
    if (n) { /* the whole page's children in one query per table */
        char **ids = souk_pool_alloc(pool, n * sizeof *ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = items[i].id;
        rc = load_children(conn, pool, items, ids, n, CHILD_ALL, err);
    }
    if (rc != SOUK_OK)
        return rc;
    for (size_t i = 0; filter->locale && i < n; i++)
        resolve_locale(&items[i], filter->locale);
    *out = items;
    *count = n;
    return SOUK_OK;
}

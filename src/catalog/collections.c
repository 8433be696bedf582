/*
 * collections: manual collections, an ordered list of products under a handle (see catalog.h).
 *
 * Membership is the products': a product's JSON lists its collections and a channel carries it
 * by them, so every product that joins or leaves is touched and announced like any change of
 * it. A reorder changes only the collection.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/id.h"
#include "core/time.h"
#include "outbox/outbox.h"

#define COLLECTION_COLUMNS "id, handle, title, description, version, created_at, updated_at"

static void read_collection_row(struct souk_pool *pool, struct souk_db_stmt *st,
                                struct souk_collection *col)
{
    col->id = souk_catalog__col_str(pool, st, 0);
    col->handle = souk_catalog__col_str(pool, st, 1);
    col->title = souk_catalog__col_str(pool, st, 2);
    col->description = souk_catalog__col_str(pool, st, 3);
    col->version = souk_db_col_i64(st, 4);
    col->created_at = souk_db_col_i64(st, 5);
    col->updated_at = souk_db_col_i64(st, 6);
}

static void add_translation(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                            size_t *cap)
{
    struct souk_collection *col = (struct souk_collection *)ctx + i;
    col->translations = souk_catalog__grow(pool, col->translations, col->ntranslations, cap,
                                           sizeof *col->translations);
    struct souk_translation *t = &col->translations[col->ntranslations++];
    t->locale = souk_catalog__col_str(pool, st, 1);
    t->title = souk_catalog__col_str(pool, st, 2);
    t->description = souk_catalog__col_str(pool, st, 3);
}

static void add_member(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                       size_t *cap)
{
    struct souk_collection *col = (struct souk_collection *)ctx + i;
    col->product_ids =
        souk_catalog__grow(pool, col->product_ids, col->nproducts, cap, sizeof *col->product_ids);
    col->product_ids[col->nproducts++] = souk_catalog__col_str(pool, st, 1);
}

static const struct souk_catalog__rows_sql translations_sql =
    SOUK_CATALOG__ROWS_SQL("SELECT collection_id, locale, title, description FROM "
                           "collection_translations",
                           "collection_id", "ORDER BY collection_id, locale");
static const struct souk_catalog__rows_sql members_sql =
    SOUK_CATALOG__ROWS_SQL("SELECT collection_id, product_id FROM collection_products",
                           "collection_id", "ORDER BY collection_id, position");

/* Translations and members of items[0..n), ids[i] being items[i].id: two queries in all. */
static int load_children(struct souk_db_conn *conn, struct souk_pool *pool,
                         struct souk_collection *items, char *const *ids, size_t n,
                         struct souk_err *err)
{
    int rc = souk_catalog__load_rows(conn, pool, &translations_sql, ids, n, ids, n, add_translation,
                                     items, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__load_rows(conn, pool, &members_sql, ids, n, ids, n, add_member, items,
                                     err);
    return rc;
}

int souk_catalog_collection_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                                struct souk_collection **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT " COLLECTION_COLUMNS " FROM collections WHERE id = $1", "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no collection %.64s", id);
    struct souk_collection *col = souk_pool_alloc(pool, sizeof *col);
    read_collection_row(pool, st, col);
    rc = load_children(conn, pool, col, &col->id, 1, err);
    if (rc == SOUK_OK)
        *out = col;
    return rc;
}

int souk_catalog_collection_id(struct souk_db_conn *conn, const char *handle, char id[SOUK_ID_MAX],
                               struct souk_err *err)
{
    int rc = souk_catalog__owner(conn, "SELECT id FROM collections WHERE handle = $1", handle, NULL,
                                 id, err);
    if (rc == SOUK_OK && !id[0])
        rc = souk_err_set(err, SOUK_ENOTFOUND, NULL, "no collection has the handle %.64s", handle);
    return rc;
}

int souk_catalog_collection_member_handles(struct souk_db_conn *conn, struct souk_pool *pool,
                                           const char *id, char ***out, size_t *count,
                                           struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT p.handle FROM collection_products m JOIN products p ON "
                             "p.id = m.product_id WHERE m.collection_id = $1 ORDER BY m.position",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", id);
    char **handles = NULL;
    size_t n = 0, cap = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        handles = souk_catalog__grow(pool, handles, n, &cap, sizeof *handles);
        handles[n++] = souk_catalog__col_str(pool, st, 0);
        rc = SOUK_OK;
    }
    *out = handles;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

static int handle_free(struct souk_db_conn *conn, const char *handle, const char *except_id,
                       struct souk_err *err)
{
    char owner[SOUK_ID_MAX];
    int rc = souk_catalog__owner(conn, "SELECT id FROM collections WHERE handle = $1", handle,
                                 except_id, owner, err);
    if (rc == SOUK_OK && owner[0])
        rc = souk_err_set(err, SOUK_ECONFLICT, "handle",
                          "handle %.64s is already used by collection %s", handle, owner);
    return rc;
}

static int write_translations(struct souk_db_conn *conn, const struct souk_collection *col,
                              struct souk_err *err)
{
    int64_t rc = souk_db_run_sql(
        conn, err, "DELETE FROM collection_translations WHERE collection_id = $1", "s", col->id);
    for (size_t i = 0; i < col->ntranslations && rc >= 0; i++)
        rc = souk_db_run_sql(conn, err,
                             "INSERT INTO collection_translations (collection_id, locale, title, "
                             "description) VALUES ($1, $2, $3, $4)",
                             "ssss", col->id, col->translations[i].locale,
                             col->translations[i].title, col->translations[i].description);
    return rc < 0 ? (int)rc : SOUK_OK;
}

/* ---- members ---- */

struct member {
    const char *id;
    size_t index; /* in the list as given, for error messages */
};

static int by_id(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

static struct member *sorted(struct souk_pool *pool, char *const *ids, size_t n)
{
    struct member *out = souk_pool_alloc(pool, (n ? n : 1) * sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = (struct member){ids[i], i};
    if (n > 1)
        qsort(out, n, sizeof *out, by_id);
    return out;
}

/* A product joined or left: its JSON lists its collections, and channels may carry it by them. */
static int member_changed(struct souk_db_conn *conn, const char *product_id, int64_t now,
                          struct souk_err *err)
{
    int rc = souk_catalog__touch_product(conn, product_id, now, err);
    return rc == SOUK_OK ? souk_outbox_emit(conn, "product.changed", product_id, NULL, err) : rc;
}

/* Repeats and unknown products in a new member list, named by their place in it. */
static int check_new_members(struct souk_db_conn *conn, char *const *ids, size_t n,
                             const struct member *by, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    int rc = souk_catalog__check_members(ids, n, err);
    for (size_t i = 1; rc == SOUK_OK && i < n; i++)
        if (strcmp(by[i - 1].id, by[i].id) == 0)
            rc = souk_err_set(
                err, SOUK_EINVAL, souk_catalog__param(param, "", "product_ids[%zu]", by[i].index),
                "product %.64s is listed twice (also product_ids[%zu])", by[i].id, by[i - 1].index);
    struct souk_db_stmt *st;
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        rc = souk_db_query(conn, err, &st, "SELECT 1 FROM products WHERE id = $1", "s", ids[i]);
        if (rc == 0)
            rc = souk_err_set(err, SOUK_EUNPROC,
                              souk_catalog__param(param, "", "product_ids[%zu]", i),
                              "no product %.64s", ids[i]);
        else if (rc == 1)
            rc = SOUK_OK;
    }
    return rc;
}

/*
 * Makes ids[0..n) the members of col (whose product_ids are the stored ones) and announces
 * every product that joined or left. *changed is false when the list is the same.
 */
static int set_members(struct souk_db_conn *conn, struct souk_pool *pool,
                       const struct souk_collection *col, char *const *ids, size_t n, int64_t now,
                       bool *changed, struct souk_err *err)
{
    struct member *next = sorted(pool, ids, n);
    int rc = check_new_members(conn, ids, n, next, err);
    if (rc != SOUK_OK)
        return rc;
    *changed = n != col->nproducts;
    for (size_t i = 0; !*changed && i < n; i++)
        *changed = strcmp(ids[i], col->product_ids[i]) != 0;
    if (!*changed)
        return SOUK_OK;
    /* The two lists in id order, walked side by side: whoever is in one only joined or left. */
    struct member *prev = sorted(pool, col->product_ids, col->nproducts);
    size_t a = 0, b = 0;
    while (rc == SOUK_OK && (a < col->nproducts || b < n)) {
        int c = a == col->nproducts ? 1 : b == n ? -1 : strcmp(prev[a].id, next[b].id);
        if (c == 0) {
            a++;
            b++;
            continue;
        }
        rc = member_changed(conn, c < 0 ? prev[a++].id : next[b++].id, now, err);
    }
    int64_t done = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                   "DELETE FROM collection_products WHERE "
                                                   "collection_id = $1",
                                                   "s", col->id)
                                 : rc;
    for (size_t i = 0; i < n && done >= 0; i++)
        done = souk_db_run_sql(conn, err,
                               "INSERT INTO collection_products (collection_id, product_id, "
                               "position) VALUES ($1, $2, $3)",
                               "ssi", col->id, ids[i], (int64_t)i + 1);
    return done < 0 ? (int)done : SOUK_OK;
}

static int bump(struct souk_db_conn *conn, const char *id, int64_t now, struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE collections SET version = version + 1, "
                                      "updated_at = $2 WHERE id = $1",
                                      "si", id, now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/* ---- collections ---- */

int souk_catalog_collection_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                   struct souk_collection *col, struct souk_err *err)
{
    int rc = souk_catalog__check_collection(pool, col, err);
    if (rc == SOUK_OK)
        rc = handle_free(conn, col->handle, NULL, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX];
    souk_id_new("col", id);
    col->id = souk_pool_strdup(pool, id);
    col->version = 1;
    col->created_at = col->updated_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO collections (" COLLECTION_COLUMNS
                                      ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                      "ssssiii", col->id, col->handle, col->title, col->description,
                                      col->version, col->created_at, col->updated_at);
    rc = changed < 0 ? (int)changed : write_translations(conn, col, err);
    /* Members are set against an empty stored list, so each one is announced. */
    struct souk_collection empty = {.id = col->id};
    bool members_changed;
    return rc == SOUK_OK ? set_members(conn, pool, &empty, col->product_ids, col->nproducts,
                                       col->created_at, &members_changed, err)
                         : rc;
}

int souk_catalog_collection_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                   struct souk_collection *col, int64_t expected_version,
                                   struct souk_err *err)
{
    struct souk_collection *stored = NULL;
    int rc = souk_catalog_collection_get(conn, pool, col->id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_collection(pool, col, err);
    if (rc == SOUK_OK)
        rc = handle_free(conn, col->handle, col->id, err);
    if (rc != SOUK_OK)
        return rc;
    col->version = stored->version + 1;
    col->created_at = stored->created_at;
    col->updated_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE collections SET handle = $2, title = $3, "
                                      "description = $4, version = $5, updated_at = $6 "
                                      "WHERE id = $1",
                                      "ssssii", col->id, col->handle, col->title, col->description,
                                      col->version, col->updated_at);
    rc = changed < 0 ? (int)changed : write_translations(conn, col, err);
    /* The members' JSON shows the handle, so their versions (ETags, the render cache) move on.
     * Nothing is announced: channels select by id and carry exactly what they carried. */
    bool renamed = strcmp(stored->handle, col->handle) != 0;
    for (size_t i = 0; rc == SOUK_OK && renamed && i < stored->nproducts; i++)
        rc = souk_catalog__touch_product(conn, stored->product_ids[i], col->updated_at, err);
    return rc;
}

int souk_catalog_collection_delete(struct souk_db_conn *conn, const char *id,
                                   int64_t expected_version, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_collection *stored = NULL;
    int64_t now = souk_time_now_us();
    int rc = souk_catalog_collection_get(conn, pool, id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    for (size_t i = 0; rc == SOUK_OK && i < stored->nproducts; i++)
        rc = member_changed(conn, stored->product_ids[i], now, err);
    int64_t changed =
        rc == SOUK_OK ? souk_db_run_sql(conn, err, "DELETE FROM collections WHERE id = $1", "s", id)
                      : rc;
    souk_pool_free(pool);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_catalog_collection_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *after, int limit, struct souk_collection **out,
                                 size_t *count, bool *has_more, struct souk_err *err)
{
    if (limit < 1 || limit > SOUK_CATALOG__PAGE_MAX)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and %d",
                            SOUK_CATALOG__PAGE_MAX);
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " COLLECTION_COLUMNS " FROM collections WHERE id > $1 "
                             "ORDER BY id LIMIT $2",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "si", after ? after : "", (int64_t)limit + 1);
    struct souk_collection *items = souk_pool_alloc(pool, ((size_t)limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        read_collection_row(pool, st, &items[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)limit;
    *count = *has_more ? (size_t)limit : n;
    if (*count) { /* the whole page's children in one query per table */
        char **ids = souk_pool_alloc(pool, *count * sizeof *ids);
        for (size_t i = 0; i < *count; i++)
            ids[i] = items[i].id;
        rc = load_children(conn, pool, items, ids, *count, err);
    }
    *out = items;
    return rc;
}

/* Makes ids the members of stored, moving its version on when that changed anything. */
static int replace_members(struct souk_db_conn *conn, struct souk_pool *pool,
                           const struct souk_collection *stored, char *const *ids, size_t n,
                           struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    bool changed = false;
    int rc = set_members(conn, pool, stored, ids, n, now, &changed, err);
    return rc == SOUK_OK && changed ? bump(conn, stored->id, now, err) : rc;
}

/* The index of product_id among col's members, or col->nproducts when it is not one. */
static size_t find_member(const struct souk_collection *col, const char *product_id)
{
    size_t i = 0;
    while (i < col->nproducts && strcmp(col->product_ids[i], product_id) != 0)
        i++;
    return i;
}

static int load_checked(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                        int64_t expected_version, struct souk_collection **out,
                        struct souk_err *err)
{
    int rc = souk_catalog_collection_get(conn, pool, id, out, err);
    return rc == SOUK_OK ? souk_catalog__check_version((*out)->version, expected_version, err) : rc;
}

int souk_catalog_collection_set_products(struct souk_db_conn *conn, struct souk_pool *pool,
                                         const char *id, char *const *product_ids, size_t n,
                                         int64_t expected_version, struct souk_err *err)
{
    struct souk_collection *stored = NULL;
    int rc = load_checked(conn, pool, id, expected_version, &stored, err);
    return rc == SOUK_OK ? replace_members(conn, pool, stored, product_ids, n, err) : rc;
}

int souk_catalog_collection_add_product(struct souk_db_conn *conn, struct souk_pool *pool,
                                        const char *id, const char *product_id,
                                        int64_t expected_version, struct souk_err *err)
{
    struct souk_collection *stored = NULL;
    int rc = load_checked(conn, pool, id, expected_version, &stored, err);
    if (rc != SOUK_OK || find_member(stored, product_id) < stored->nproducts)
        return rc;
    /* Checked here so the errors name the field the caller sent, not a place in the list. */
    if (stored->nproducts >= SOUK_CATALOG_MAX_MEMBERS)
        return souk_err_set(err, SOUK_EUNPROC, "product_id",
                            "collection %.64s already holds %d products, the most it can",
                            stored->id, SOUK_CATALOG_MAX_MEMBERS);
    struct souk_db_stmt *st;
    rc = souk_db_query(conn, err, &st, "SELECT 1 FROM products WHERE id = $1", "s", product_id);
    if (rc <= 0)
        return rc < 0
                   ? rc
                   : souk_err_set(err, SOUK_EUNPROC, "product_id", "no product %.64s", product_id);
    char **ids = souk_pool_alloc(pool, (stored->nproducts + 1) * sizeof *ids);
    if (stored->nproducts)
        memcpy(ids, stored->product_ids, stored->nproducts * sizeof *ids);
    ids[stored->nproducts] = (char *)product_id;
    return replace_members(conn, pool, stored, ids, stored->nproducts + 1, err);
}

int souk_catalog_collection_remove_product(struct souk_db_conn *conn, struct souk_pool *pool,
                                           const char *id, const char *product_id,
                                           int64_t expected_version, struct souk_err *err)
{
    struct souk_collection *stored = NULL;
    int rc = load_checked(conn, pool, id, expected_version, &stored, err);
    size_t at = rc == SOUK_OK ? find_member(stored, product_id) : 0;
    if (rc != SOUK_OK)
        return rc;
    if (at == stored->nproducts)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "product %.64s is not in collection %.64s",
                            product_id, id);
    /* A copy without it: set_members compares against the stored list. */
    char **ids = souk_pool_alloc(pool, stored->nproducts * sizeof *ids);
    memcpy(ids, stored->product_ids, at * sizeof *ids);
    memcpy(ids + at, stored->product_ids + at + 1, (stored->nproducts - at - 1) * sizeof *ids);
    return replace_members(conn, pool, stored, ids, stored->nproducts - 1, err);
}

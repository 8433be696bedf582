/* stock: on-hand quantities per variant and warehouse. */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/id.h"
#include "core/time.h"

#define STOCK_SELECT                                                                               \
    "SELECT s.variant_id, s.warehouse_id, w.code, s.on_hand, s.reserved, s.version, "              \
    "s.updated_at FROM stock s JOIN warehouses w ON w.id = s.warehouse_id "

static void read_stock_row(struct souk_pool *pool, struct souk_db_stmt *st,
                           struct souk_stock_level *s)
{
    s->variant_id = souk_catalog__col_str(pool, st, 0);
    s->warehouse_id = souk_catalog__col_str(pool, st, 1);
    s->warehouse_code = souk_catalog__col_str(pool, st, 2);
    s->on_hand = souk_db_col_i64(st, 3);
    s->reserved = souk_db_col_i64(st, 4);
    s->version = souk_db_col_i64(st, 5);
    s->updated_at = souk_db_col_i64(st, 6);
}

static const struct souk_catalog__rows_sql stock_sql[] = {
    [SOUK_CATALOG__BY_VARIANT] =
        SOUK_CATALOG__ROWS_SQL(STOCK_SELECT, "s.variant_id", "ORDER BY s.variant_id, w.code"),
    [SOUK_CATALOG__BY_PRODUCT] =
        SOUK_CATALOG__ROWS_SQL(STOCK_SELECT "JOIN variants v ON v.id = s.variant_id",
                               "v.product_id", "ORDER BY v.product_id, v.position, v.id, w.code"),
};

/* Adds a row of STOCK_SELECT to variant i of ctx (a struct souk_variant * array). */
static void add_stock(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                      size_t *cap)
{
    struct souk_variant *v = ((struct souk_variant **)ctx)[i];
    v->stock = souk_catalog__grow(pool, v->stock, v->nstock, cap, sizeof *v->stock);
    read_stock_row(pool, st, &v->stock[v->nstock++]);
}

int souk_catalog__load_stock(struct souk_db_conn *conn, struct souk_pool *pool,
                             const struct souk_catalog__variant_set *set, enum souk_catalog__by by,
                             char *const *keys, size_t nkeys, struct souk_err *err)
{
    return souk_catalog__load_rows(conn, pool, &stock_sql[by], keys, nkeys, set->ids, set->n,
                                   add_stock, set->items, err);
}

/* Steps st into a pool array of at most max rows (max + 1 are fetched for has_more). */
static int collect_stock(struct souk_pool *pool, struct souk_db_stmt *st,
                         struct souk_stock_level **out, size_t *count, struct souk_err *err)
{
    size_t n = 0, cap = 0;
    struct souk_stock_level *items = NULL;
    int rc;
    while ((rc = souk_db_step(st, err)) == 1) {
        items = souk_catalog__grow(pool, items, n, &cap, sizeof *items);
        read_stock_row(pool, st, &items[n++]);
    }
    if (rc < 0)
        return rc;
    *out = items;
    *count = n;
    return SOUK_OK;
}

int souk_catalog__resolve_warehouse(struct souk_db_conn *conn, struct souk_pool *pool,
                                    struct souk_stock_level *s, const char *param,
                                    struct souk_err *err)
{
    struct souk_warehouse *w = NULL;
    int rc;
    if (s->warehouse_id)
        rc = souk_catalog_warehouse_get(conn, pool, s->warehouse_id, &w, err);
    else if (s->warehouse_code)
        rc = souk_catalog_warehouse_by_code(conn, pool, s->warehouse_code, &w, err);
    else
        return souk_err_set(err, SOUK_EINVAL, param,
                            "a stock level needs warehouse_code or warehouse_id");
    if (rc == SOUK_ENOTFOUND)
        return souk_err_set(err, SOUK_EUNPROC, param,
                            "no warehouse %.64s: create it first (POST /v1/warehouses)",
                            s->warehouse_id ? s->warehouse_id : s->warehouse_code);
    if (rc != SOUK_OK)
        return rc;
    s->warehouse_id = w->id;
    s->warehouse_code = w->code;
    return SOUK_OK;
}

int souk_catalog__refuse_reserved(struct souk_db_conn *conn, const char *sql, const char *id,
                                  struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, sql, "s", id);
    if (rc < 0)
        return rc;
    int64_t reserved = rc == 1 ? souk_db_col_i64(st, 0) : 0;
    return reserved > 0 ? souk_err_set(err, SOUK_ECONFLICT, NULL,
                                       "%lld unit(s) are reserved for open orders: fulfil or "
                                       "cancel them first",
                                       (long long)reserved)
                        : SOUK_OK;
}

static int record_movement(struct souk_db_conn *conn, const char *variant_id,
                           const char *warehouse_id, const char *kind, int64_t quantity,
                           const char *order_id, const char *reason, int64_t now,
                           struct souk_err *err)
{
    char id[SOUK_ID_MAX];
    souk_id_new("mov", id);
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO stock_movements (id, variant_id, warehouse_id, "
                                      "kind, quantity, order_id, reason, created_at) VALUES ($1, "
                                      "$2, $3, $4, $5, $6, $7, $8)",
                                      "ssssissi", id, variant_id, warehouse_id, kind, quantity,
                                      order_id, reason, now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_catalog__insert_stock(struct souk_db_conn *conn, const struct souk_stock_level *s,
                               const char *reason, int64_t now, struct souk_err *err)
{
    int64_t changed =
        souk_db_run_sql(conn, err,
                        "INSERT INTO stock (variant_id, warehouse_id, on_hand, "
                        "reserved, version, updated_at) VALUES ($1, $2, $3, 0, 1, $4)",
                        "ssii", s->variant_id, s->warehouse_id, s->on_hand, now);
    if (changed < 0)
        return (int)changed;
    return s->on_hand ? record_movement(conn, s->variant_id, s->warehouse_id, "adjust",
                                        s->on_hand, NULL, reason, now, err)
                      : SOUK_OK;
}

int souk_catalog_stock_get(struct souk_db_conn *conn, struct souk_pool *pool,
                           const char *variant_id, const char *warehouse_id,
                           struct souk_stock_level **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, STOCK_SELECT "WHERE s.variant_id = $1 AND s.warehouse_id = $2",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ss", variant_id, warehouse_id);
    size_t count = 0;
    if (rc == SOUK_OK)
        rc = collect_stock(pool, st, out, &count, err);
    if (rc == SOUK_OK && count == 0)
        rc = souk_err_set(err, SOUK_ENOTFOUND, NULL,
                          "variant %.48s has no stock level in warehouse %.48s", variant_id,
                          warehouse_id);
    return rc;
}

/* The variant and warehouse named by a stock path must both exist (404 otherwise). */
static int check_pair(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_stock_level *s,
                      struct souk_err *err)
{
    struct souk_variant *v = NULL;
    int rc = souk_catalog_variant_get(conn, pool, s->variant_id, &v, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__resolve_warehouse(conn, pool, s, "warehouse_id", err);
    if (rc == SOUK_EUNPROC) /* the warehouse is in the path, so it is the resource missing */
        rc = souk_err_set(err, SOUK_ENOTFOUND, NULL, "no warehouse %.64s",
                          s->warehouse_id ? s->warehouse_id : s->warehouse_code);
    return rc;
}

int souk_catalog_stock_set(struct souk_db_conn *conn, struct souk_pool *pool,
                           struct souk_stock_level *s, const char *reason,
                           int64_t expected_version, struct souk_err *err)
{
    int rc = souk_catalog__check_quantity(s->on_hand, "on_hand", err);
    if (rc == SOUK_OK)
        rc = check_pair(conn, pool, s, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_stock_level *stored = NULL;
    int64_t now = souk_time_now_us();
    if (!reason)
        reason = souk_pool_printf(pool, "on hand set to %lld", (long long)s->on_hand);
    rc = souk_catalog_stock_get(conn, pool, s->variant_id, s->warehouse_id, &stored, err);
    if (rc == SOUK_ENOTFOUND) {
        souk_err_clear(err);
        if (expected_version != SOUK_CATALOG_NO_VERSION) /* If-Match on nothing fails */
            return souk_catalog__check_version(0, expected_version, err);
        rc = souk_catalog__insert_stock(conn, s, reason, now, err);
    } else if (rc == SOUK_OK) {
        rc = souk_catalog__check_version(stored->version, expected_version, err);
        int64_t changed =
            rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                            "UPDATE stock SET on_hand = $3, version = version + 1, "
                                            "updated_at = $4 WHERE variant_id = $1 AND "
                                            "warehouse_id = $2",
                                            "ssii", s->variant_id, s->warehouse_id, s->on_hand, now)
                          : rc;
        rc = changed < 0 ? (int)changed : SOUK_OK;
        if (rc == SOUK_OK && s->on_hand != stored->on_hand)
            rc = record_movement(conn, s->variant_id, s->warehouse_id, "adjust",
                                 s->on_hand - stored->on_hand, NULL, reason, now, err);
    }
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_variant(conn, s->variant_id, err);
    if (rc == SOUK_OK) {
        struct souk_stock_level *fresh;
        rc = souk_catalog_stock_get(conn, pool, s->variant_id, s->warehouse_id, &fresh, err);
        if (rc == SOUK_OK)
            *s = *fresh;
    }
    return rc;
}

int souk_catalog_stock_delete(struct souk_db_conn *conn, const char *variant_id,
                              const char *warehouse_id, int64_t expected_version,
                              struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_stock_level *stored = NULL;
    int rc = souk_catalog_stock_get(conn, pool, variant_id, warehouse_id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc == SOUK_OK && stored->reserved > 0)
        rc = souk_err_set(err, SOUK_ECONFLICT, NULL,
                          "%lld unit(s) are reserved for orders in this warehouse",
                          (long long)stored->reserved);
    int64_t changed = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                      "DELETE FROM stock WHERE variant_id = $1 "
                                                      "AND warehouse_id = $2",
                                                      "ss", variant_id, warehouse_id)
                                    : rc;
    rc = changed < 0 ? (int)changed : SOUK_OK;
    int64_t now = souk_time_now_us();
    if (rc == SOUK_OK && stored->on_hand)
        rc = record_movement(conn, variant_id, warehouse_id, "adjust", -stored->on_hand, NULL,
                             "stock level deleted", now, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_variant(conn, variant_id, err);
    souk_pool_free(pool);
    return rc;
}

int souk_catalog_stock_list(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_stock_filter *filter, struct souk_stock_level **out,
                            size_t *count, bool *has_more, struct souk_err *err)
{
    if (filter->limit < 1 || filter->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    const char *after_variant = "", *after_warehouse = "";
    if (filter->after) {
        const char *slash = strchr(filter->after, '/');
        if (!slash)
            return souk_err_set(err, SOUK_EINVAL, "after",
                                "after must be a next_cursor from a previous page");
        after_variant = souk_pool_strndup(pool, filter->after, (size_t)(slash - filter->after));
        after_warehouse = slash + 1;
    }
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             STOCK_SELECT "WHERE (s.variant_id > $1 OR (s.variant_id = $1 AND "
                                          "s.warehouse_id > $2)) "
                                          "AND (CAST($3 AS TEXT) IS NULL OR s.variant_id = $3) "
                                          "AND (CAST($4 AS TEXT) IS NULL OR s.warehouse_id = $4) "
                                          "ORDER BY s.variant_id, s.warehouse_id LIMIT $5",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ssssi", after_variant, after_warehouse, filter->variant_id,
                          filter->warehouse_id, (int64_t)filter->limit + 1);
    if (rc == SOUK_OK)
        rc = collect_stock(pool, st, out, count, err);
    if (rc != SOUK_OK)
        return rc;
    *has_more = *count > (size_t)filter->limit;
    if (*has_more)
        *count = (size_t)filter->limit;
    return SOUK_OK;
}

int souk_catalog_shortfall(int64_t quantity, int64_t available, const char *param,
                           struct souk_err *err)
{
    return souk_err_set(err, SOUK_EOUTOFSTOCK, param, "out of stock: %lld ordered, %lld available%s",
                        (long long)quantity, (long long)available,
                        available >= quantity ? " (and no single warehouse holds them all)" : "");
}

static int64_t total_available(struct souk_db_conn *conn, const char *variant_id,
                               struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT COALESCE(SUM(on_hand - reserved), 0) FROM stock "
                           "WHERE variant_id = $1",
                           "s", variant_id);
    return rc == 1 ? souk_db_col_i64(st, 0) : (rc < 0 ? rc : 0);
}

/* SOUK_EOUTOFSTOCK for quantity units of the variant, saying how many all warehouses have. */
static int shortfall(struct souk_db_conn *conn, const char *variant_id, int64_t quantity,
                     const char *param, struct souk_err *err)
{
    int64_t left = total_available(conn, variant_id, err);
    return left < 0 ? (int)left : souk_catalog_shortfall(quantity, left, param, err);
}

/*
 * The warehouse that can cover quantity: in ship_country first, then the one with most left,
 * then the lowest id. Chosen here, not by ORDER BY: a variant has a few stock rows, and an
 * ORDER BY makes SQLite build a temporary sorter on every reservation.
 */
static int pick_warehouse(struct souk_db_conn *conn, const char *variant_id, int64_t quantity,
                          const char *ship_country, char warehouse_id[SOUK_ID_MAX],
                          struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT s.warehouse_id, w.country = $3, s.on_hand - s.reserved "
                           "FROM stock s JOIN warehouses w ON w.id = s.warehouse_id "
                           "WHERE s.variant_id = $1 AND s.on_hand - s.reserved >= $2",
                           "sis", variant_id, quantity, ship_country);
    bool found = false, best_local = false;
    int64_t best_left = 0;
    for (; rc == 1; rc = souk_db_step(st, err)) {
        struct souk_str id = souk_db_col_text(st, 0);
        bool local = souk_db_col_i64(st, 1) == 1;
        int64_t left = souk_db_col_i64(st, 2);
        bool better = !found || (local != best_local ? local
                                 : left != best_left ? left > best_left
                                                     : strcmp(id.ptr, warehouse_id) < 0);
        if (better && id.len < SOUK_ID_MAX) {
            memcpy(warehouse_id, id.ptr, id.len);
            warehouse_id[id.len] = '\0';
            found = true;
            best_local = local;
            best_left = left;
        }
    }
    return rc < 0 ? rc : found;
}

int souk_catalog_stock_pick(struct souk_db_conn *conn, const char *variant_id, int64_t quantity,
                            const char *ship_country, const char *param,
                            char warehouse_id[SOUK_ID_MAX], struct souk_err *err)
{
    int found = pick_warehouse(conn, variant_id, quantity, ship_country, warehouse_id, err);
    if (found != 0)
        return found < 0 ? found : SOUK_OK;
    return shortfall(conn, variant_id, quantity, param, err);
}

int souk_catalog_stock_reserve_in(struct souk_db_conn *conn, const char *variant_id,
                                  const char *warehouse_id, int64_t quantity, const char *order_id,
                                  const char *reason, const char *param, struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    /* conditional, so a concurrent writer on another node cannot oversell */
    int64_t changed =
        souk_db_run_sql(conn, err,
                        "UPDATE stock SET reserved = reserved + $3, "
                        "version = version + 1, updated_at = $4 WHERE variant_id = $1 "
                        "AND warehouse_id = $2 AND on_hand - reserved >= $3",
                        "ssii", variant_id, warehouse_id, quantity, now);
    if (changed < 0)
        return (int)changed;
    if (changed == 0)
        return shortfall(conn, variant_id, quantity, param, err);
    int rc = record_movement(conn, variant_id, warehouse_id, "reserve", quantity, order_id, reason,
                             now, err);
    return rc == SOUK_OK ? souk_catalog__touch_variant(conn, variant_id, err) : rc;
}

int souk_catalog_stock_reserve(struct souk_db_conn *conn, const char *variant_id, int64_t quantity,
                               const char *ship_country, const char *order_id, const char *reason,
                               const char *param, char warehouse_id[SOUK_ID_MAX],
                               struct souk_err *err)
{
    int rc =
        souk_catalog_stock_pick(conn, variant_id, quantity, ship_country, param, warehouse_id, err);
    return rc == SOUK_OK ? souk_catalog_stock_reserve_in(conn, variant_id, warehouse_id, quantity,
                                                         order_id, reason, param, err)
                         : rc;
}

int souk_catalog_stock_transfer(struct souk_db_conn *conn, const char *variant_id,
                                const char *warehouse_id, int64_t quantity,
                                const char *from_reason, const char *order_id,
                                const char *to_reason, struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    int rc = record_movement(conn, variant_id, warehouse_id, "release", quantity, NULL,
                             from_reason, now, err);
    if (rc == SOUK_OK)
        rc = record_movement(conn, variant_id, warehouse_id, "reserve", quantity, order_id,
                             to_reason, now, err);
    /* What the allocating channel may still sell changed: it is told like any stock change. */
    return rc == SOUK_OK ? souk_catalog__touch_variant(conn, variant_id, err) : rc;
}

int souk_catalog_stock_settle(struct souk_db_conn *conn, const char *variant_id,
                              const char *warehouse_id, int64_t quantity,
                              enum souk_catalog_stock_outcome outcome, const char *order_id,
                              const char *reason, struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    bool consume = outcome == SOUK_CATALOG_CONSUME;
    int64_t changed = souk_db_run_sql(conn, err,
                                      consume ? "UPDATE stock SET reserved = reserved - $3, "
                                                "on_hand = on_hand - $3, version = version + 1, "
                                                "updated_at = $4 WHERE variant_id = $1 AND "
                                                "warehouse_id = $2 AND reserved >= $3"
                                              : "UPDATE stock SET reserved = reserved - $3, "
                                                "version = version + 1, updated_at = $4 WHERE "
                                                "variant_id = $1 AND warehouse_id = $2 AND "
                                                "reserved >= $3",
                                      "ssii", variant_id, warehouse_id, quantity, now);
    if (changed < 0)
        return (int)changed;
    if (changed == 0)
        return souk_err_set(err, SOUK_ECONFLICT, NULL,
                            "fewer than %lld units of variant %.48s are reserved in warehouse "
                            "%.48s",
                            (long long)quantity, variant_id, warehouse_id);
    int rc = record_movement(conn, variant_id, warehouse_id, consume ? "consume" : "release",
                             quantity, order_id, reason, now, err);
    return rc == SOUK_OK ? souk_catalog__touch_variant(conn, variant_id, err) : rc;
}

int souk_catalog_stock_movements(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const struct souk_movement_filter *f,
                                 struct souk_stock_movement **out, size_t *count, bool *has_more,
                                 struct souk_err *err)
{
    if (f->limit < 1 || f->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    static const char *const kinds[] = {"reserve", "release", "consume", "restock", "adjust"};
    bool known = !f->kind;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && !known; i++)
        known = strcmp(f->kind, kinds[i]) == 0;
    if (!known)
        return souk_err_set(err, SOUK_EINVAL, "kind",
                            "kind must be reserve, release, consume, restock or adjust");
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT id, variant_id, warehouse_id, kind, quantity, order_id, "
                             "reason, created_at FROM stock_movements WHERE id > $1 "
                             "AND (CAST($2 AS TEXT) IS NULL OR variant_id = $2) "
                             "AND (CAST($3 AS TEXT) IS NULL OR warehouse_id = $3) "
                             "AND (CAST($4 AS TEXT) IS NULL OR order_id = $4) "
                             "AND (CAST($5 AS TEXT) IS NULL OR kind = $5) ORDER BY id LIMIT $6",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sssssi", f->after ? f->after : "", f->variant_id, f->warehouse_id,
                          f->order_id, f->kind, (int64_t)f->limit + 1);
    struct souk_stock_movement *items =
        souk_pool_alloc(pool, ((size_t)f->limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        struct souk_stock_movement *m = &items[n++];
        m->id = souk_pool_str(pool, souk_db_col_text(st, 0));
        m->variant_id = souk_pool_str(pool, souk_db_col_text(st, 1));
        m->warehouse_id = souk_pool_str(pool, souk_db_col_text(st, 2));
        m->kind = souk_pool_str(pool, souk_db_col_text(st, 3));
        m->quantity = souk_db_col_i64(st, 4);
        m->order_id =
            souk_db_col_is_null(st, 5) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 5));
        m->reason = souk_pool_str(pool, souk_db_col_text(st, 6));
        m->created_at = souk_db_col_i64(st, 7);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)f->limit;
    *count = *has_more ? (size_t)f->limit : n;
    *out = items;
    return SOUK_OK;
}

int souk_catalog_stock_restock(struct souk_db_conn *conn, const char *variant_id,
                               const char *warehouse_id, int64_t quantity, const char *order_id,
                               const char *reason, struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    /* The stock row may have been deleted since the units left (nothing was reserved): the
     * returned units then start it again. */
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO stock (variant_id, warehouse_id, on_hand, "
                                      "reserved, version, updated_at) VALUES ($1, $2, $3, 0, 1, "
                                      "$4) ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET "
                                      "on_hand = stock.on_hand + $3, version = stock.version + 1, "
                                      "updated_at = $4",
                                      "ssii", variant_id, warehouse_id, quantity, now);
    int rc = changed < 0 ? (int)changed
                         : record_movement(conn, variant_id, warehouse_id, "restock", quantity,
                                           order_id, reason, now, err);
    return rc == SOUK_OK ? souk_catalog__touch_variant(conn, variant_id, err) : rc;
}

/* warehouses: the places stock is held. */
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/id.h"
#include "core/time.h"

#define WAREHOUSE_COLUMNS "id, code, name, country, version, created_at, updated_at"

static void read_warehouse_row(struct souk_pool *pool, struct souk_db_stmt *st,
                               struct souk_warehouse *w)
{
    w->id = souk_catalog__col_str(pool, st, 0);
    w->code = souk_catalog__col_str(pool, st, 1);
    w->name = souk_catalog__col_str(pool, st, 2);
    w->country = souk_catalog__col_str(pool, st, 3);
    w->version = souk_db_col_i64(st, 4);
    w->created_at = souk_db_col_i64(st, 5);
    w->updated_at = souk_db_col_i64(st, 6);
}

/* Reads the one warehouse whose `column` (id or code) is value. */
static int get_by(struct souk_db_conn *conn, struct souk_pool *pool, const char *sql,
                  const char *value, struct souk_warehouse **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, sql, &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", value);
    if (rc == SOUK_OK)
        rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no warehouse %.64s", value);
    struct souk_warehouse *w = souk_pool_alloc(pool, sizeof *w);
    read_warehouse_row(pool, st, w);
    *out = w;
    return SOUK_OK;
}

int souk_catalog_warehouse_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                               struct souk_warehouse **out, struct souk_err *err)
{
    return get_by(conn, pool, "SELECT " WAREHOUSE_COLUMNS " FROM warehouses WHERE id = $1", id,
                  out, err);
}

int souk_catalog_warehouse_by_code(struct souk_db_conn *conn, struct souk_pool *pool,
                                   const char *code, struct souk_warehouse **out,
                                   struct souk_err *err)
{
    return get_by(conn, pool, "SELECT " WAREHOUSE_COLUMNS " FROM warehouses WHERE code = $1",
                  code, out, err);
}

static int code_free(struct souk_db_conn *conn, const char *code, const char *except_id,
                     struct souk_err *err)
{
    char owner[SOUK_ID_MAX];
    int rc = souk_catalog__owner(conn, "SELECT id FROM warehouses WHERE code = $1", code,
                                 except_id, owner, err);
    if (rc == SOUK_OK && owner[0])
        rc = souk_err_set(err, SOUK_ECONFLICT, "code", "warehouse code %.64s is already used by %s",
                          code, owner);
    return rc;
}

int souk_catalog_warehouse_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                  struct souk_warehouse *w, struct souk_err *err)
{
    int rc = souk_catalog__check_warehouse(w, err);
    if (rc == SOUK_OK)
        rc = code_free(conn, w->code, NULL, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX];
    souk_id_new("wh", id);
    w->id = souk_pool_strdup(pool, id);
    w->version = 1;
    w->created_at = w->updated_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO warehouses (id, code, name, country, version, "
                                      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                      "ssssiii", w->id, w->code, w->name, w->country, w->version,
                                      w->created_at, w->updated_at);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/*
 * Stock levels, variants and products show their warehouse's code, so a new code is a new
 * representation of each of them: their versions (ETags, and the API's render cache) move on.
 */
static int64_t touch_stocked(struct souk_db_conn *conn, const char *warehouse_id, int64_t now,
                             struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        "UPDATE products SET version = version + 1, updated_at = $2 WHERE id IN (SELECT "
        "v.product_id FROM variants v JOIN stock s ON s.variant_id = v.id WHERE "
        "s.warehouse_id = $1)",
        "si", warehouse_id, now);
    if (changed >= 0)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE variants SET version = version + 1, updated_at = $2 "
                                  "WHERE id IN (SELECT variant_id FROM stock WHERE "
                                  "warehouse_id = $1)",
                                  "si", warehouse_id, now);
    if (changed >= 0)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE stock SET version = version + 1, updated_at = $2 "
                                  "WHERE warehouse_id = $1",
                                  "si", warehouse_id, now);
    return changed;
}

int souk_catalog_warehouse_update(struct souk_db_conn *conn, struct souk_warehouse *w,
                                  int64_t expected_version, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_warehouse *stored = NULL;
    int rc = souk_catalog_warehouse_get(conn, pool, w->id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_warehouse(w, err);
    if (rc == SOUK_OK)
        rc = code_free(conn, w->code, w->id, err);
    int64_t changed = rc;
    if (rc == SOUK_OK) {
        w->version = stored->version + 1;
        w->created_at = stored->created_at;
        w->updated_at = souk_time_now_us();
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE warehouses SET code = $2, name = $3, country = $4, "
                                  "version = $5, updated_at = $6 WHERE id = $1",
                                  "ssssii", w->id, w->code, w->name, w->country, w->version,
                                  w->updated_at);
    }
    if (changed >= 0 && rc == SOUK_OK && strcmp(stored->code, w->code) != 0)
        changed = touch_stocked(conn, w->id, w->updated_at, err);
    souk_pool_free(pool);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_catalog_warehouse_delete(struct souk_db_conn *conn, const char *id,
                                  int64_t expected_version, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_warehouse *stored = NULL;
    struct souk_db_stmt *st;
    int rc = souk_catalog_warehouse_get(conn, pool, id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn, "SELECT COUNT(*) FROM stock WHERE warehouse_id = $1", &st,
                             err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", id);
    if (rc == SOUK_OK)
        rc = souk_db_step(st, err);
    if (rc == 1) {
        int64_t rows = souk_db_col_i64(st, 0);
        rc = rows == 0 ? SOUK_OK
                       : souk_err_set(err, SOUK_ECONFLICT, NULL,
                                      "warehouse %.64s still holds stock of %lld variant(s): "
                                      "delete those stock levels first",
                                      stored->code, (long long)rows);
    }
    /* Its ledger goes with it unless orders were served from it: that history must stay. */
    if (rc == SOUK_OK)
        rc = souk_db_query(conn, err, &st,
                           "SELECT COUNT(*) FROM stock_movements WHERE warehouse_id = $1 AND "
                           "order_id IS NOT NULL",
                           "s", id);
    if (rc == 1)
        rc = souk_db_col_i64(st, 0) == 0
                 ? SOUK_OK
                 : souk_err_set(err, SOUK_ECONFLICT, NULL,
                                "warehouse %.64s has served orders and its stock ledger keeps "
                                "their history: it cannot be deleted",
                                stored->code);
    int64_t changed = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                      "DELETE FROM stock_movements WHERE "
                                                      "warehouse_id = $1",
                                                      "s", id)
                                    : rc;
    if (changed >= 0)
        changed = souk_db_run_sql(conn, err, "DELETE FROM warehouses WHERE id = $1", "s", id);
    souk_pool_free(pool);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_catalog_warehouse_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                const char *after, int limit, struct souk_warehouse **out,
                                size_t *count, bool *has_more, struct souk_err *err)
{
    if (limit < 1 || limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " WAREHOUSE_COLUMNS " FROM warehouses WHERE id > $1 "
                             "ORDER BY id LIMIT $2",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "si", after ? after : "", (int64_t)limit + 1);
    struct souk_warehouse *items = souk_pool_alloc(pool, ((size_t)limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        read_warehouse_row(pool, st, &items[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)limit;
    *count = *has_more ? (size_t)limit : n;
    *out = items;
    return SOUK_OK;
}

/* store: small helpers the catalog's store code shares. */
#include <string.h>

#include "catalog/catalog_int.h"

char *souk_catalog__col_str(struct souk_pool *pool, struct souk_db_stmt *st, int col)
{
    struct souk_str s = souk_db_col_text(st, col);
    return s.ptr ? souk_pool_str(pool, s) : NULL;
}

int64_t souk_catalog__col_opt_i64(struct souk_db_stmt *st, int col)
{
    return souk_db_col_is_null(st, col) ? SOUK_CATALOG_UNSET : souk_db_col_i64(st, col);
}

void *souk_catalog__grow(struct souk_pool *pool, void *items, size_t count, size_t *cap,
                         size_t item_size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 4;
    void *grown = souk_pool_alloc(pool, *cap * item_size);
    if (count)
        memcpy(grown, items, count * item_size);
    return grown;
}

int souk_catalog__owner(struct souk_db_conn *conn, const char *sql, const char *value,
                        const char *except_id, char owner[SOUK_ID_MAX], struct souk_err *err)
{
    struct souk_db_stmt *st;
    owner[0] = '\0';
    int rc = souk_db_prepare(conn, sql, &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", value);
    if (rc == SOUK_OK)
        rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    struct souk_str id = rc == 1 ? souk_db_col_text(st, 0) : SOUK_STR_NULL;
    if (id.ptr && id.len < SOUK_ID_MAX && !(except_id && souk_str_eq_cstr(id, except_id))) {
        memcpy(owner, id.ptr, id.len);
        owner[id.len] = '\0';
    }
    return SOUK_OK;
}

int souk_catalog__touch_product(struct souk_db_conn *conn, const char *product_id, int64_t now,
                                struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE products SET version = version + 1, updated_at = $2 "
                                      "WHERE id = $1",
                                      "si", product_id, now);
    if (changed < 0)
        return (int)changed;
    return changed == 1 ? SOUK_OK
                        : souk_err_set(err, SOUK_ENOTFOUND, NULL, "no product %.64s", product_id);
}

int souk_catalog__touch_variant(struct souk_db_conn *conn, const char *variant_id, int64_t now,
                                struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE variants SET version = version + 1, updated_at = $2 "
                                      "WHERE id = $1",
                                      "si", variant_id, now);
    if (changed < 0)
        return (int)changed;
    if (changed != 1)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no variant %.64s", variant_id);
    changed = souk_db_run_sql(conn, err,
                              "UPDATE products SET version = version + 1, updated_at = $2 "
                              "WHERE id = (SELECT product_id FROM variants WHERE id = $1)",
                              "si", variant_id, now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

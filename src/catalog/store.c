/* store: small helpers the catalog's store code shares. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/alloc.h"
#include "core/time.h"
#include "outbox/outbox.h"

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

/* The index of the owner named id, looking from *cursor on (rows come in owner order), or n. */
static size_t find_owner(char *const *owners, size_t n, size_t *cursor, struct souk_str id)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = (*cursor + k) % n;
        if (souk_str_eq_cstr(id, owners[i])) {
            *cursor = i;
            return i;
        }
    }
    return n;
}

int souk_catalog__load_rows(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_catalog__rows_sql *sql, char *const *keys,
                            size_t nkeys, char *const *owners, size_t nowners,
                            souk_catalog__add_row_fn *add, void *ctx, struct souk_err *err)
{
    if (nowners == 0)
        return SOUK_OK;
    assert(nkeys >= 1 && nkeys <= SOUK_CATALOG__PAGE_MAX);
    struct souk_db_stmt *st;
    /* Preparing clears every parameter, so the page's unused ones are already NULL. */
    int rc = souk_db_prepare(conn, nkeys == 1 ? sql->one : sql->page, &st, err);
    for (size_t i = 0; rc == SOUK_OK && i < nkeys; i++)
        if (souk_db_bind_text(st, (int)i + 1, souk_str_from(keys[i])) != SOUK_OK)
            rc = souk_err_set(err, SOUK_EINTERNAL, NULL, "binding a statement failed");
    size_t *caps = souk_pool_alloc(pool, nowners * sizeof *caps), cursor = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        size_t i = find_owner(owners, nowners, &cursor, souk_db_col_text(st, 0));
        if (i < nowners)
            add(pool, st, ctx, i, &caps[i]);
        rc = SOUK_OK;
    }
    return rc < 0 ? rc : SOUK_OK;
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

const char *souk_catalog__stock_state(int64_t available, int64_t threshold)
{
    if (available <= 0)
        return "out";
    return threshold != SOUK_CATALOG_UNSET && available <= threshold ? "low" : "in";
}

/*
 * What deciding a variant's stock state needs, in one row: the variant's own columns and the
 * units available over all its warehouses (one aggregate over the stock rows of one variant,
 * which the stock table's primary key finds). $1 is the variant id.
 */
#define STATE_COLUMNS                                                                              \
    "product_id, sku, low_stock_threshold, stock_state, (SELECT COALESCE(SUM(s.on_hand - "         \
    "s.reserved), 0) FROM stock s WHERE s.variant_id = $1)"

struct stock_state_row {
    char product_id[SOUK_ID_MAX];
    char sku[SOUK_CATALOG__SKU_MAX + 1];
    int64_t threshold, available;
    char stored[4]; /* "in", "low" or "out" */
};

/*
 * Takes the STATE_COLUMNS row a query of variant_id found (found is souk_db_query's answer):
 * copies it out of st, then steps st to its end. ENOTFOUND when there was no row.
 */
static int take_state_row(int found, struct souk_db_stmt *st, const char *variant_id,
                          struct stock_state_row *row, struct souk_err *err)
{
    if (found <= 0)
        return found < 0 ? found
                         : souk_err_set(err, SOUK_ENOTFOUND, NULL, "no variant %.64s", variant_id);
    struct souk_str product_id = souk_db_col_text(st, 0), sku = souk_db_col_text(st, 1),
                    stored = souk_db_col_text(st, 3);
    snprintf(row->product_id, sizeof row->product_id, "%.*s", (int)product_id.len, product_id.ptr);
    snprintf(row->sku, sizeof row->sku, "%.*s", (int)sku.len, sku.ptr);
    snprintf(row->stored, sizeof row->stored, "%.*s", (int)stored.len, stored.ptr);
    row->threshold = souk_catalog__col_opt_i64(st, 2);
    row->available = souk_db_col_i64(st, 4);
    int rc = souk_db_step(st, err);
    return rc < 0 ? rc : SOUK_OK;
}

/*
 * Stores the state that row's available units put the variant in, when it is not the stored
 * one, and announces the change: stock.out when none are left, stock.back when units are
 * available again after that, stock.low when they fall to the threshold. Rising from low above
 * the threshold is stored but not announced: the merchant is told of trouble and of its end.
 */
static int announce_state(struct souk_db_conn *conn, const char *variant_id,
                          const struct stock_state_row *row, struct souk_err *err)
{
    const char *state = souk_catalog__stock_state(row->available, row->threshold);
    if (strcmp(state, row->stored) == 0)
        return SOUK_OK;
    int64_t changed = souk_db_run_sql(
        conn, err, "UPDATE variants SET stock_state = $2 WHERE id = $1", "ss", variant_id, state);
    if (changed < 0)
        return (int)changed;
    const char *topic = strcmp(row->stored, "out") == 0 ? "stock.back"
                        : strcmp(state, "out") == 0     ? "stock.out"
                        : strcmp(state, "low") == 0     ? "stock.low"
                                                        : NULL;
    if (!topic)
        return SOUK_OK;
    json_t *payload = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:o}", "sku", row->sku, "variant_id", variant_id, "product_id",
        row->product_id, "state", state, "available", (json_int_t)row->available, "threshold",
        row->threshold == SOUK_CATALOG_UNSET ? json_null() : json_integer(row->threshold));
    char *text = json_dumps(payload, JSON_COMPACT);
    int rc = souk_outbox_emit(conn, topic, variant_id, text, err);
    souk_free(text);
    json_decref(payload);
    return rc;
}

/* souk_catalog__touch_variant's work; a variant deleted since is left alone. */
static int record_stock_change(struct souk_db_conn *conn, const char *variant_id,
                               struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    struct souk_db_stmt *st = NULL;
    struct stock_state_row row;
    /* An UPDATE, then a SELECT of the state: UPDATE ... RETURNING would make SQLite stage
     * the returned row in a temporary table on every reservation. */
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE variants SET version = version + 1, updated_at = $2 "
                                      "WHERE id = $1",
                                      "si", variant_id, now);
    if (changed == 0)
        return SOUK_OK;
    int found = changed < 0 ? (int)changed
                            : souk_db_query(conn, err, &st,
                                            "SELECT " STATE_COLUMNS " FROM variants WHERE id = $1",
                                            "s", variant_id);
    int rc = take_state_row(found, st, variant_id, &row, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_product(conn, row.product_id, now, err);
    /* Only stock changes touch a variant this way; the channels must hear of them. */
    if (rc == SOUK_OK)
        rc = souk_outbox_emit(conn, "stock.changed", variant_id, NULL, err);
    return rc == SOUK_OK ? announce_state(conn, variant_id, &row, err) : rc;
}

int souk_catalog__touch_variant(struct souk_db_conn *conn, const char *variant_id,
                                struct souk_err *err)
{
    return souk_db_defer(conn, record_stock_change, variant_id, err);
}

int souk_catalog__restate_variant(struct souk_db_conn *conn, const char *variant_id,
                                  struct souk_err *err)
{
    struct souk_db_stmt *st;
    struct stock_state_row row;
    int found = souk_db_query(
        conn, err, &st, "SELECT " STATE_COLUMNS " FROM variants WHERE id = $1", "s", variant_id);
    int rc = take_state_row(found, st, variant_id, &row, err);
    return rc == SOUK_OK ? announce_state(conn, variant_id, &row, err) : rc;
}

int souk_catalog_fingerprint(struct souk_db_conn *conn, struct souk_catalog_fingerprint *out,
                             struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(
        conn, err, &st,
        "SELECT (SELECT count(*) FROM products), (SELECT count(*) FROM variants), "
        "(SELECT count(*) FROM stock), (SELECT coalesce(max(updated_at), 0) FROM products), "
        "(SELECT coalesce(max(updated_at), 0) FROM variants), "
        "(SELECT coalesce(max(updated_at), 0) FROM stock)",
        "");
    if (rc < 0)
        return rc;
    out->products = souk_db_col_i64(st, 0);
    out->variants = souk_db_col_i64(st, 1);
    out->stock_rows = souk_db_col_i64(st, 2);
    out->last_change = souk_db_col_i64(st, 3);
    for (int col = 4; col <= 5; col++)
        if (souk_db_col_i64(st, col) > out->last_change)
            out->last_change = souk_db_col_i64(st, col);
    return SOUK_OK;
}

int souk_catalog_stock_states(struct souk_db_conn *conn, struct souk_catalog_stock_states *out,
                              struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT (SELECT count(*) FROM variants WHERE stock_state = 'low'), "
                           "(SELECT count(*) FROM variants WHERE stock_state = 'out')",
                           "");
    if (rc < 0)
        return rc;
    out->low = souk_db_col_i64(st, 0);
    out->out = souk_db_col_i64(st, 1);
    return SOUK_OK;
}

int souk_catalog__skus_json(struct souk_db_conn *conn, struct souk_pool *pool,
                            const char *product_id, char **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, "SELECT sku FROM variants WHERE product_id = $1 ORDER BY sku",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", product_id);
    json_t *skus = json_array();
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        struct souk_str sku = souk_db_col_text(st, 0);
        json_array_append_new(skus, json_stringn(sku.ptr, sku.len));
        rc = SOUK_OK;
    }
    if (rc == SOUK_OK) {
        char *text = json_dumps(skus, JSON_COMPACT);
        *out = souk_pool_strdup(pool, text);
        souk_free(text);
    }
    json_decref(skus);
    return rc < 0 ? rc : SOUK_OK;
}

int souk_catalog_skus_of(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                         char ***skus, size_t *count, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             strncmp(id, "prod_", 5) == 0
                                 ? "SELECT sku FROM variants WHERE product_id = $1 ORDER BY id"
                                 : "SELECT sku FROM variants WHERE id = $1",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", id);
    size_t n = 0, cap = 8;
    char **out = souk_pool_alloc(pool, cap * sizeof *out);
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        out = souk_catalog__grow(pool, out, n, &cap, sizeof *out);
        out[n++] = souk_catalog__col_str(pool, st, 0);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *skus = out;
    *count = n;
    return SOUK_OK;
}

/* allocations: stock held per channel or live session; see inventory.h. */
#include "inventory/inventory.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/time.h"

#define COLUMNS                                                                                    \
    "a.id, a.channel_id, a.variant_id, v.sku, a.warehouse_id, a.live_session, a.state, "          \
    "a.quantity, a.sold, a.created_at, a.ended_at"
#define FROM " FROM allocations a JOIN variants v ON v.id = a.variant_id "

static char *opt_text(struct souk_pool *pool, struct souk_db_stmt *st, int col)
{
    return souk_db_col_is_null(st, col) ? NULL : souk_pool_str(pool, souk_db_col_text(st, col));
}

static void read_row(struct souk_pool *pool, struct souk_db_stmt *st, struct souk_allocation *a)
{
    char **texts[] = {&a->id,           &a->channel_id,   &a->variant_id, &a->sku,
                      &a->warehouse_id, &a->live_session, &a->state};
    for (int i = 0; i < 7; i++)
        *texts[i] = opt_text(pool, st, i);
    a->quantity = souk_db_col_i64(st, 7);
    a->sold = souk_db_col_i64(st, 8);
    a->created_at = souk_db_col_i64(st, 9);
    a->ended_at = souk_db_col_is_null(st, 10) ? 0 : souk_db_col_i64(st, 10);
}

static int check(const struct souk_allocation *a, struct souk_err *err)
{
    if (a->quantity < 1 || a->quantity > SOUK_INVENTORY_MAX_QUANTITY)
        return souk_err_set(err, SOUK_EINVAL, "quantity",
                            "quantity must be a whole number from 1 to %lld",
                            SOUK_INVENTORY_MAX_QUANTITY);
    if (!a->sku && !a->variant_id)
        return souk_err_set(err, SOUK_EINVAL, "sku", "name the variant by sku or variant_id");
    if (a->live_session &&
        (!*a->live_session || strlen(a->live_session) > 128 ||
         !souk_str_is_utf8(souk_str_from(a->live_session))))
        return souk_err_set(err, SOUK_EINVAL, "live_session",
                            "live_session must be 1 to 128 bytes of UTF-8");
    return SOUK_OK;
}

/* The variant the allocation names, by id or SKU. */
static int resolve_variant(struct souk_db_conn *conn, struct souk_pool *pool,
                           struct souk_allocation *a, struct souk_err *err)
{
    struct souk_variant_filter filter = {.sku = a->sku, .limit = 1};
    struct souk_variant *v = NULL;
    size_t count = 0;
    bool more;
    int rc = a->variant_id ? souk_catalog_variant_get(conn, pool, a->variant_id, &v, err)
                           : souk_catalog_variant_list(conn, pool, &filter, &v, &count, &more, err);
    if (rc == SOUK_ENOTFOUND || (rc == SOUK_OK && !a->variant_id && count == 0))
        return souk_err_set(err, SOUK_EUNPROC, a->variant_id ? "variant_id" : "sku",
                            "no variant %.100s", a->variant_id ? a->variant_id : a->sku);
    if (rc != SOUK_OK)
        return rc;
    a->variant_id = v->id;
    a->sku = v->sku;
    return SOUK_OK;
}

int souk_inventory_allocate(struct souk_db_conn *conn, struct souk_pool *pool,
                            struct souk_allocation *a, struct souk_err *err)
{
    int rc = check(a, err);
    if (rc == SOUK_OK)
        rc = resolve_variant(conn, pool, a, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_db_stmt *st;
    int found = souk_db_query(conn, err, &st,
                              "SELECT id FROM allocations WHERE channel_id = $1 AND variant_id = "
                              "$2 AND state = 'active'",
                              "ss", a->channel_id, a->variant_id);
    if (found < 0)
        return found;
    if (found == 1)
        return souk_err_set(err, SOUK_ECONFLICT, "sku",
                            "the channel already holds allocation %.40s of SKU %.100s: end it "
                            "first",
                            souk_db_col_text(st, 0).ptr, a->sku);
    char id[SOUK_ID_MAX], warehouse[SOUK_ID_MAX];
    souk_id_new("alc", id);
    a->id = souk_pool_strdup(pool, id);
    a->sold = 0;
    a->state = "active";
    a->created_at = souk_time_now_us();
    a->ended_at = 0;
    const char *reason = souk_pool_printf(pool, "held for channel %s (allocation %s%s%.128s)",
                                          a->channel_id, a->id, a->live_session ? ", " : "",
                                          a->live_session ? a->live_session : "");
    found = souk_db_query(conn, err, &st, "SELECT 1 FROM channels WHERE id = $1", "s",
                          a->channel_id);
    if (found < 0)
        return found;
    if (found == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no channel %.64s", a->channel_id);
    rc = souk_catalog_stock_reserve(conn, a->variant_id, a->quantity, NULL, NULL, reason,
                                    "quantity", warehouse, err);
    if (rc == SOUK_EOUTOFSTOCK) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "SKU %.100s is %.140s", a->sku, err->message);
        return souk_err_set(err, SOUK_EOUTOFSTOCK, "quantity", "%s", message);
    }
    if (rc != SOUK_OK)
        return rc;
    a->warehouse_id = souk_pool_strdup(pool, warehouse);
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO allocations (id, channel_id, variant_id, warehouse_id, live_session, "
        "quantity, sold, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, 'active', $7)",
        "sssssii", a->id, a->channel_id, a->variant_id, a->warehouse_id, a->live_session,
        a->quantity, a->created_at);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_inventory_allocation_get(struct souk_db_conn *conn, struct souk_pool *pool,
                                  const char *id, struct souk_allocation **out,
                                  struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT " COLUMNS FROM "WHERE a.id = $1", "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no allocation %.64s", id);
    *out = souk_pool_alloc(pool, sizeof **out);
    read_row(pool, st, *out);
    return SOUK_OK;
}

int souk_inventory_allocation_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                   const struct souk_allocation_filter *f,
                                   struct souk_allocation **out, size_t *count, bool *has_more,
                                   struct souk_err *err)
{
    if (f->limit < 1 || f->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " COLUMNS FROM "WHERE a.channel_id = $1 AND a.id > $2 AND "
                             "(CAST($3 AS TEXT) IS NULL OR a.state = $3) AND (CAST($4 AS TEXT) "
                             "IS NULL OR a.live_session = $4) ORDER BY a.id LIMIT $5",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ssssi", f->channel_id, f->after ? f->after : "", f->state,
                          f->live_session, (int64_t)f->limit + 1);
    struct souk_allocation *items = souk_pool_alloc(pool, ((size_t)f->limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        read_row(pool, st, &items[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)f->limit;
    *count = *has_more ? (size_t)f->limit : n;
    *out = items;
    return SOUK_OK;
}

/* Releases what is left of an active allocation and marks it ended. */
static int end_one(struct souk_db_conn *conn, const struct souk_allocation *a,
                   struct souk_err *err)
{
    int64_t left = a->quantity - a->sold;
    char reason[128];
    snprintf(reason, sizeof reason, "allocation %.40s ended", a->id);
    int rc = left > 0 ? souk_catalog_stock_settle(conn, a->variant_id, a->warehouse_id, left,
                                                  SOUK_CATALOG_RELEASE, NULL, reason, err)
                      : SOUK_OK;
    int64_t changed = rc;
    if (rc == SOUK_OK)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE allocations SET state = 'ended', ended_at = $2 WHERE "
                                  "id = $1 AND state = 'active'",
                                  "si", a->id, souk_time_now_us());
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_inventory_allocation_end(struct souk_db_conn *conn, const char *id,
                                  struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_allocation *a = NULL;
    int rc = souk_inventory_allocation_get(conn, pool, id, &a, err);
    if (rc == SOUK_OK && strcmp(a->state, "active") == 0)
        rc = end_one(conn, a, err);
    souk_pool_free(pool);
    return rc;
}

int souk_inventory_end_session(struct souk_db_conn *conn, const char *channel_id,
                               const char *live_session, int64_t *ended, struct souk_err *err)
{
    *ended = 0;
    struct souk_pool *pool = souk_pool_new();
    struct souk_allocation_filter f = {
        .channel_id = channel_id, .state = "active", .live_session = live_session, .limit = 250};
    int rc;
    /* A page at a time: each page ended is no longer active, so the next read starts over. */
    for (;;) {
        struct souk_allocation *items;
        size_t n = 0;
        bool more = false;
        rc = souk_inventory_allocation_list(conn, pool, &f, &items, &n, &more, err);
        for (size_t i = 0; rc == SOUK_OK && i < n; i++)
            rc = end_one(conn, &items[i], err);
        *ended += (int64_t)n;
        if (rc != SOUK_OK || !more)
            break;
    }
    souk_pool_free(pool);
    return rc;
}

int souk_inventory_take(struct souk_db_conn *conn, const char *channel_id, const char *variant_id,
                        int64_t quantity, const char *order_id, char warehouse_id[SOUK_ID_MAX],
                        struct souk_err *err)
{
    struct souk_db_stmt *st;
    int found = souk_db_query(conn, err, &st,
                              "UPDATE allocations SET sold = sold + $3 WHERE channel_id = $1 AND "
                              "variant_id = $2 AND state = 'active' AND quantity - sold >= $3 "
                              "RETURNING id, warehouse_id",
                              "ssi", channel_id, variant_id, quantity);
    if (found <= 0)
        return found;
    char from[96], to[96];
    snprintf(from, sizeof from, "allocation %.40s: sold", souk_db_col_text(st, 0).ptr);
    snprintf(to, sizeof to, "order placed (allocation %.40s)", souk_db_col_text(st, 0).ptr);
    snprintf(warehouse_id, SOUK_ID_MAX, "%s", souk_db_col_text(st, 1).ptr);
    /* Stepped to its end: a statement left mid-way would hold the savepoint open. */
    int done = souk_db_step(st, err);
    if (done < 0)
        return done;
    int rc = souk_catalog_stock_transfer(conn, variant_id, warehouse_id, quantity, from,
                                         order_id, to, err);
    return rc == SOUK_OK ? 1 : rc;
}

int souk_inventory_channel_left(struct souk_db_conn *conn, struct souk_pool *pool,
                                const char *channel_id, struct souk_allocation_left **out,
                                size_t *count, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT variant_id, quantity - sold FROM allocations WHERE "
                             "channel_id = $1 AND state = 'active' ORDER BY variant_id",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", channel_id);
    size_t cap = 16, n = 0;
    struct souk_allocation_left *list = souk_pool_alloc(pool, cap * sizeof *list);
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        if (n == cap) {
            struct souk_allocation_left *bigger = souk_pool_alloc(pool, 2 * cap * sizeof *list);
            memcpy(bigger, list, cap * sizeof *list);
            list = bigger;
            cap *= 2;
        }
        list[n].variant_id = souk_pool_str(pool, souk_db_col_text(st, 0));
        list[n].left = souk_db_col_i64(st, 1);
        n++;
        rc = SOUK_OK;
    }
    *out = list;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

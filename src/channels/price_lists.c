/* price_lists: fixed prices a channel sells at instead of the catalog's (see channels.h). */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/id.h"
#include "core/money.h"
#include "core/time.h"
#include "outbox/outbox.h"

#define MAX_NAME 100
#define LIST_COLUMNS                                                                               \
    "l.id, l.name, l.currency, l.version, l.created_at, l.updated_at, "                          \
    "(SELECT count(*) FROM price_list_prices p WHERE p.price_list_id = l.id)"

static void read_list(struct souk_pool *pool, struct souk_db_stmt *st, struct souk_price_list *pl)
{
    pl->id = souk_pool_str(pool, souk_db_col_text(st, 0));
    pl->name = souk_pool_str(pool, souk_db_col_text(st, 1));
    struct souk_str currency = souk_db_col_text(st, 2);
    snprintf(pl->currency, sizeof pl->currency, "%.*s", (int)currency.len, currency.ptr);
    pl->version = souk_db_col_i64(st, 3);
    pl->created_at = souk_db_col_i64(st, 4);
    pl->updated_at = souk_db_col_i64(st, 5);
    pl->prices = souk_db_col_i64(st, 6);
}

int souk_channels_price_list_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                    struct souk_price_list *pl, struct souk_err *err)
{
    if (!pl->name || !*pl->name || strlen(pl->name) > MAX_NAME ||
        !souk_str_is_utf8(souk_str_from(pl->name)))
        return souk_err_set(err, SOUK_EINVAL, "name", "name must be 1 to %d bytes of UTF-8",
                            MAX_NAME);
    if (!souk_money_currency(souk_str_from(pl->currency)))
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "currency must be an ISO 4217 code such as JPY");
    char id[SOUK_ID_MAX];
    souk_id_new("pl", id);
    pl->id = souk_pool_strdup(pool, id);
    pl->version = 1;
    pl->created_at = pl->updated_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO price_lists (id, name, currency, version, "
                                      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                                      "sssiii", pl->id, pl->name, pl->currency, pl->version,
                                      pl->created_at, pl->updated_at);
    if (changed == SOUK_ECONFLICT)
        return souk_err_set(err, SOUK_ECONFLICT, "name", "a price list named %.100s exists",
                            pl->name);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_price_list_get(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *id, struct souk_price_list **out,
                                 struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT " LIST_COLUMNS " FROM price_lists l WHERE l.id = $1", "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no price list %.64s", id);
    *out = souk_pool_alloc(pool, sizeof **out);
    read_list(pool, st, *out);
    return SOUK_OK;
}

int souk_channels_price_list_all(struct souk_db_conn *conn, struct souk_pool *pool,
                                 struct souk_price_list **out, size_t *count,
                                 struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT count(*) FROM price_lists", "");
    if (rc < 0)
        return rc;
    size_t cap = (size_t)souk_db_col_i64(st, 0), n = 0;
    struct souk_price_list *lists = souk_pool_alloc(pool, (cap ? cap : 1) * sizeof *lists);
    rc = souk_db_prepare(conn, "SELECT " LIST_COLUMNS " FROM price_lists l ORDER BY l.id", &st,
                         err);
    while (rc == SOUK_OK && n < cap && (rc = souk_db_step(st, err)) == 1) {
        read_list(pool, st, &lists[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *out = lists;
    *count = n;
    return SOUK_OK;
}

int souk_channels_price_list_delete(struct souk_db_conn *conn, const char *id,
                                    struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_channel_filter all = {.limit = 250};
    struct souk_channel *channels;
    size_t n = 0;
    bool more = true;
    int rc = SOUK_OK;
    /* Few channels exist; reading them beats a second copy of the pricing JSON in SQL. */
    while (rc == SOUK_OK && more) {
        rc = souk_channels_list(conn, pool, &all, &channels, &n, &more, err);
        for (size_t i = 0; rc == SOUK_OK && i < n; i++)
            if (channels[i].price_list && strcmp(channels[i].price_list, id) == 0)
                rc = souk_err_set(err, SOUK_ECONFLICT, NULL,
                                  "channel %s sells at price list %.64s: change its pricing "
                                  "first",
                                  channels[i].id, id);
        if (n)
            all.after = channels[n - 1].id;
    }
    souk_pool_free(pool);
    int64_t changed =
        rc == SOUK_OK ? souk_db_run_sql(conn, err, "DELETE FROM price_lists WHERE id = $1", "s", id)
                      : rc;
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no price list %.64s", id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

static int touch_list(struct souk_db_conn *conn, const char *list_id, int64_t now,
                      struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE price_lists SET version = version + 1, "
                                      "updated_at = $2 WHERE id = $1",
                                      "si", list_id, now);
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no price list %.64s", list_id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_price_set(struct souk_db_conn *conn, const char *list_id,
                            struct souk_price_list_price *price, struct souk_err *err)
{
    if (price->amount < 0)
        return souk_err_set(err, SOUK_EINVAL, "amount",
                            "amount must be a whole number of minor units, 0 or more");
    price->updated_at = souk_time_now_us();
    int rc = touch_list(conn, list_id, price->updated_at, err);
    if (rc != SOUK_OK)
        return rc;
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO price_list_prices (price_list_id, variant_id, amount, updated_at) "
        "SELECT $1, id, $3, $4 FROM variants WHERE id = $2 "
        "ON CONFLICT (price_list_id, variant_id) DO UPDATE SET amount = excluded.amount, "
        "updated_at = excluded.updated_at",
        "ssii", list_id, price->variant_id, price->amount, price->updated_at);
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no variant %.64s", price->variant_id);
    /* The channels selling at this list hear of it as a change of the variant. */
    return changed < 0 ? (int)changed
                       : souk_outbox_emit(conn, "variant.changed", price->variant_id, NULL, err);
}

int souk_channels_price_delete(struct souk_db_conn *conn, const char *list_id,
                               const char *variant_id, struct souk_err *err)
{
    int rc = touch_list(conn, list_id, souk_time_now_us(), err);
    int64_t changed = rc == SOUK_OK ? souk_db_run_sql(conn, err,
                                                      "DELETE FROM price_list_prices WHERE "
                                                      "price_list_id = $1 AND variant_id = $2",
                                                      "ss", list_id, variant_id)
                                    : rc;
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "price list %.64s has no price for %.64s",
                            list_id, variant_id);
    return changed < 0 ? (int)changed
                       : souk_outbox_emit(conn, "variant.changed", variant_id, NULL, err);
}

static void read_price(struct souk_pool *pool, struct souk_db_stmt *st,
                       struct souk_price_list_price *p)
{
    p->variant_id = souk_pool_str(pool, souk_db_col_text(st, 0));
    p->amount = souk_db_col_i64(st, 1);
    p->updated_at = souk_db_col_i64(st, 2);
}

int souk_channels_price_page(struct souk_db_conn *conn, struct souk_pool *pool,
                             const char *list_id, const char *after, int limit,
                             struct souk_price_list_price **out, size_t *count, bool *has_more,
                             struct souk_err *err)
{
    struct souk_price_list *pl;
    int rc = souk_channels_price_list_get(conn, pool, list_id, &pl, err);
    struct souk_db_stmt *st;
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "SELECT variant_id, amount, updated_at FROM "
                             "price_list_prices WHERE price_list_id = $1 AND variant_id > $2 "
                             "ORDER BY variant_id LIMIT $3",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ssi", list_id, after ? after : "", (int64_t)limit + 1);
    struct souk_price_list_price *items = souk_pool_alloc(pool, ((size_t)limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && n <= (size_t)limit && (rc = souk_db_step(st, err)) == 1) {
        read_price(pool, st, &items[n++]);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)limit;
    *count = *has_more ? (size_t)limit : n;
    *out = items;
    return SOUK_OK;
}

int souk_channels__list_price(struct souk_db_conn *conn, const char *list_id,
                              const char *variant_id, int64_t *amount, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT amount FROM price_list_prices WHERE price_list_id = $1 AND "
                           "variant_id = $2",
                           "ss", list_id, variant_id);
    if (rc == 1)
        *amount = souk_db_col_i64(st, 0);
    return rc;
}

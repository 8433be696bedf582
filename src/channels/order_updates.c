/*
 * order_updates: telling a platform what the merchant did to one of its orders. The order's
 * outbox row ("order.fulfilled" or "order.cancelled", by the merchant) becomes an
 * order_updates row when the sync worker fans the outbox out; the worker then pushes each due
 * update through the channel's connector, retrying with backoff until the platform takes it,
 * or recording the platform's refusal.
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/id.h"
#include "core/log.h"
#include "core/time.h"

#define UPDATES_PER_PASS 100
#define MAX_ATTEMPTS 12

const char *souk_channels__order_update_action(const char *topic)
{
    return strcmp(topic, "order.fulfilled") == 0   ? "ship"
           : strcmp(topic, "order.cancelled") == 0 ? "cancel"
                                                   : NULL;
}

int souk_channels__queue_order_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                      const struct souk_outbox_row *row, int64_t now,
                                      struct souk_err *err)
{
    const char *action = souk_channels__order_update_action(row->topic);
    json_error_t jerr;
    json_t *payload = action && row->payload ? json_loads(row->payload, 0, &jerr) : NULL;
    const char *by = json_string_value(json_object_get(payload, "by"));
    const char *channel = json_string_value(json_object_get(payload, "channel"));
    int rc = SOUK_OK;
    if (by && channel && strcmp(by, "merchant") == 0) {
        struct souk_db_stmt *st;
        int found = souk_db_query(conn, err, &st, "SELECT platform FROM channels WHERE id = $1",
                                  "s", channel);
        const struct souk_channels__connector *k =
            found == 1 ? souk_channels__connector(
                             souk_pool_str(pool, souk_db_col_text(st, 0)))
                       : NULL;
        rc = found < 0 ? found : SOUK_OK;
        if (k && k->order_update) {
            char id[SOUK_ID_MAX];
            souk_id_new("oup", id);
            int64_t changed = souk_db_run_sql(
                conn, err,
                "INSERT INTO order_updates (id, channel_id, order_id, action, state, attempts, "
                "next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) "
                "ON CONFLICT (order_id, action) DO NOTHING",
                "ssssi", id, channel, row->subject, action, now);
            rc = changed < 0 ? (int)changed : SOUK_OK;
        }
    }
    json_decref(payload);
    return rc;
}

struct due_update {
    char *id, *channel_id, *order_id, *action;
    int64_t attempts;
};

static int load_due_updates(struct souk_db *db, struct souk_pool *pool, struct due_update **out,
                            size_t *count, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "SELECT id, channel_id, order_id, action, attempts FROM "
                             "order_updates WHERE state = 'pending' AND next_attempt_at <= $1 "
                             "ORDER BY next_attempt_at, id LIMIT $2",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ii", souk_time_now_us(), (int64_t)UPDATES_PER_PASS);
    struct due_update *list = souk_pool_alloc(pool, UPDATES_PER_PASS * sizeof *list);
    size_t n = 0;
    while (rc == SOUK_OK && n < UPDATES_PER_PASS && (rc = souk_db_step(st, err)) == 1) {
        char **texts[] = {&list[n].id, &list[n].channel_id, &list[n].order_id, &list[n].action};
        for (int i = 0; i < 4; i++)
            *texts[i] = souk_pool_str(pool, souk_db_col_text(st, i));
        list[n].attempts = souk_db_col_i64(st, 4);
        n++;
        rc = SOUK_OK;
    }
    souk_db_release(conn);
    *out = list;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

static int record(struct souk_db *db, const struct due_update *u, enum souk_channels__result r,
                  const char *error, struct souk_err *err)
{
    int64_t now = souk_time_now_us(), attempts = u->attempts + (r != SOUK_CHANNELS__PUSHED);
    const char *state = r == SOUK_CHANNELS__PUSHED                                ? "done"
                        : r == SOUK_CHANNELS__REJECTED || attempts >= MAX_ATTEMPTS ? "failed"
                                                                                   : "pending";
    if (strcmp(state, "failed") == 0)
        souk_log(SOUK_LOG_WARN, "order update not taken by the platform", "channel",
                 u->channel_id, "order", u->order_id, "action", u->action, "error", error, NULL);
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    int64_t changed = rc;
    if (rc == SOUK_OK)
        changed = souk_db_run_sql(
            conn, err,
            "UPDATE order_updates SET state = $2, attempts = $3, next_attempt_at = $4, "
            "last_error = $5, done_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6 END "
            "WHERE id = $1",
            "ssiisi", u->id, state, attempts, now + souk_channels__backoff_us(attempts), error,
            now);
    rc = changed < 0 ? (int)changed : souk_db_commit(conn, err);
    souk_db_release(conn);
    return rc;
}

/* Reads what one update needs (the channel, its connector, the order) in a read transaction. */
static int load_update(struct souk_db *db, struct souk_pool *pool, const struct due_update *u,
                       struct souk_channel **c, struct souk_order **o, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_channels_get(conn, pool, u->channel_id, c, err);
    if (rc == SOUK_OK)
        rc = souk_orders_get(conn, pool, u->order_id, o, err);
    souk_db_release(conn);
    return rc;
}

int souk_channels__order_updates_pass(struct souk_db *db, struct souk_channels__client *client,
                                      int64_t *pushed, struct souk_err *err)
{
    *pushed = 0;
    struct souk_pool *pool = souk_pool_new();
    struct due_update *due;
    size_t n = 0;
    int rc = load_due_updates(db, pool, &due, &n, err);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        struct souk_channel *c = NULL;
        struct souk_order *o = NULL;
        rc = load_update(db, pool, &due[i], &c, &o, err);
        if (rc != SOUK_OK)
            break;
        const struct souk_channels__connector *k = souk_channels__connector(c->platform);
        const char *error = NULL;
        struct souk_channels__batch_outcome out = {.retry_after_s = -1};
        enum souk_channels__result r =
            k && k->order_update ? k->order_update(c, client, pool, o, due[i].action, &error, &out)
                                 : SOUK_CHANNELS__REJECTED;
        if (r == SOUK_CHANNELS__RETRY)
            error = souk_pool_strdup(pool, out.error);
        *pushed += r == SOUK_CHANNELS__PUSHED;
        rc = record(db, &due[i], r, error, err);
    }
    souk_pool_free(pool);
    return rc;
}

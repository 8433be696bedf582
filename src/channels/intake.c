/*
 * intake: the platforms' orders into the order book (see "orders from the platforms" in
 * channels.h). Notifications are recorded when they arrive; the worker takes them in batches
 * per channel: one fetch call for up to the connector's orders_fetch_max orders, then one
 * write transaction in which each order is taken in under a savepoint of its own (a bad order
 * fails alone) and its notifications are marked done.
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/id.h"
#include "core/log.h"
#include "core/money.h"
#include "core/time.h"

#define DUE_MAX 500        /* notifications one pass takes */
#define MAX_ATTEMPTS 12    /* then a notification is given up on, with its reason */
#define MAX_NOTICES 100    /* events one webhook may carry */
#define POLL_CHANNELS 64   /* polling channels whose last poll the worker remembers */

int souk_channels__parse_amount(const char *text, const char *currency, int64_t *out)
{
    const struct souk_currency *cur = souk_money_currency(souk_str_from(currency ? currency : ""));
    if (!text || !cur)
        return SOUK_EINVAL;
    return souk_money_parse_decimal(souk_str_from(text), cur->exponent, out, NULL);
}

const char *souk_channels__json_text(struct souk_pool *pool, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? souk_pool_strdup(pool, s) : NULL;
}

/* ---- receiving ---- */

static int record_notice(struct souk_db_conn *conn, const char *channel_id,
                         const struct souk_channels__notice *n, bool *is_new,
                         struct souk_err *err)
{
    char id[SOUK_ID_MAX];
    souk_id_new("ntf", id);
    int64_t now = souk_time_now_us();
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO order_notifications (id, channel_id, event_id, external_order_id, "
        "platform_status, received_at, state, attempts, next_attempt_at) VALUES ($1, $2, $3, "
        "$4, $5, $6, 'pending', 0, $6) ON CONFLICT (channel_id, event_id) DO NOTHING",
        "sssssi", id, channel_id, n->event_id, n->order_id, n->status, now);
    if (changed < 0)
        return (int)changed;
    *is_new = changed == 1;
    return SOUK_OK;
}

static int check_notice(const struct souk_channels__notice *n, struct souk_err *err)
{
    bool fits = n->event_id && n->order_id && *n->event_id && *n->order_id &&
                strlen(n->event_id) <= 200 && strlen(n->order_id) <= 128 &&
                (!n->status || strlen(n->status) <= 64);
    return fits ? SOUK_OK
                : souk_err_set(err, SOUK_EINVAL, NULL,
                               "the notification's event id, order id or status is missing or "
                               "too long");
}

/* The channel and its connector, when the connector takes webhooks. */
static int webhook_channel(struct souk_db_conn *conn, struct souk_pool *pool,
                           const char *channel_id, struct souk_channel **c,
                           const struct souk_channels__connector **k, struct souk_err *err)
{
    int rc = souk_channels_get(conn, pool, channel_id, c, err);
    if (rc != SOUK_OK)
        return rc;
    *k = souk_channels__connector((*c)->platform);
    if (!*k || !(*k)->webhook_verify || !(*k)->webhook_parse)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL,
                            "%s channels receive no order webhooks%s", (*c)->platform,
                            *k && (*k)->orders_poll ? ": souk polls the platform for orders"
                                                    : "");
    return SOUK_OK;
}

int souk_channels_webhook_challenge(struct souk_db_conn *conn, struct souk_pool *pool,
                                    const char *channel_id, const struct souk_channels_webhook *w,
                                    const char **echo, struct souk_err *err)
{
    *echo = NULL;
    struct souk_channel *c = NULL;
    const struct souk_channels__connector *k = NULL;
    int rc = webhook_channel(conn, pool, channel_id, &c, &k, err);
    if (rc == SOUK_OK && !k->webhook_challenge)
        rc = souk_err_set(err, SOUK_ENOTFOUND, NULL,
                          "%s makes no GET check of its webhook URL: it POSTs its webhooks",
                          c->platform);
    return rc == SOUK_OK ? k->webhook_challenge(c, w, pool, echo, err) : rc;
}

int souk_channels_webhook_receive(struct souk_db_conn *conn, struct souk_pool *pool,
                                  const char *channel_id, const struct souk_channels_webhook *w,
                                  size_t *recorded, const char **ack, struct souk_err *err)
{
    *recorded = 0;
    *ack = NULL;
    struct souk_channel *c = NULL;
    const struct souk_channels__connector *k = NULL;
    int rc = webhook_channel(conn, pool, channel_id, &c, &k, err);
    if (rc != SOUK_OK)
        return rc;
    *ack = k->webhook_ack;
    rc = k->webhook_verify(c, w, err);
    struct souk_channels__notice *notices = NULL;
    size_t n = 0;
    if (rc == SOUK_OK)
        rc = k->webhook_parse(pool, w->body, &notices, &n, err);
    if (rc == SOUK_OK && n > MAX_NOTICES)
        rc = souk_err_set(err, SOUK_EINVAL, NULL, "a webhook carries at most %d events",
                          MAX_NOTICES);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++)
        rc = check_notice(&notices[i], err);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        bool is_new = false;
        rc = record_notice(conn, c->id, &notices[i], &is_new, err);
        *recorded += is_new;
    }
    return rc;
}

/* ---- the worker's pass ---- */

struct due {
    char *id, *order_id;
    int64_t attempts;
};

/* The channel's notifications that are due, oldest first (at most DUE_MAX). */
static int load_due(struct souk_db *db, struct souk_pool *pool, const char *channel_id,
                    struct due **out, size_t *count, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "SELECT id, external_order_id, attempts FROM order_notifications "
                             "WHERE channel_id = $1 AND state = 'pending' AND next_attempt_at "
                             "<= $2 ORDER BY next_attempt_at, id LIMIT $3",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sii", channel_id, souk_time_now_us(), (int64_t)DUE_MAX);
    struct due *list = souk_pool_alloc(pool, DUE_MAX * sizeof *list);
    size_t n = 0;
    while (rc == SOUK_OK && n < DUE_MAX && (rc = souk_db_step(st, err)) == 1) {
        list[n].id = souk_pool_str(pool, souk_db_col_text(st, 0));
        list[n].order_id = souk_pool_str(pool, souk_db_col_text(st, 1));
        list[n].attempts = souk_db_col_i64(st, 2);
        n++;
        rc = SOUK_OK;
    }
    souk_db_release(conn);
    *out = list;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

/* How a notification ends this pass. */
enum fate { DONE, RETRY, GIVE_UP };

static int settle_notice(struct souk_db_conn *conn, const struct due *d, enum fate fate,
                         const char *error, struct souk_err *err)
{
    int64_t now = souk_time_now_us();
    int64_t attempts = d->attempts + (fate != DONE);
    if (fate == RETRY && attempts >= MAX_ATTEMPTS)
        fate = GIVE_UP;
    static const char *const states[] = {"done", "pending", "failed"};
    int64_t changed = souk_db_run_sql(
        conn, err,
        "UPDATE order_notifications SET state = $2, attempts = $3, next_attempt_at = $4, "
        "last_error = $5, done_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6 END "
        "WHERE id = $1 AND state = 'pending'",
        "ssiisi", d->id, states[fate], attempts, now + souk_channels__backoff_us(attempts),
        error, now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/* Settles every notification in due[0..n) about order_id the same way. */
static int settle_order_notices(struct souk_db_conn *conn, const struct due *due, size_t n,
                                const char *order_id, enum fate fate, const char *error,
                                struct souk_err *err)
{
    int rc = SOUK_OK;
    for (size_t i = 0; rc == SOUK_OK && i < n; i++)
        if (strcmp(due[i].order_id, order_id) == 0)
            rc = settle_notice(conn, &due[i], fate, error, err);
    return rc;
}

/* An order still open on the platform side: one souk may cancel. */
static bool rank_cancellable(const char *status)
{
    return strcmp(status, "pending") == 0 || strcmp(status, "confirmed") == 0 ||
           strcmp(status, "allocated") == 0;
}

/*
 * A new order souk could not reserve, on a channel whose policy is to cancel such orders: it
 * is cancelled as the merchant would, which queues the cancellation for the platform.
 */
static int cancel_shortfall(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_order *stored, struct souk_err *err)
{
    struct souk_order_change change = {
        .reason = souk_pool_printf(pool, "out of stock: %.400s", stored->stock_issue)};
    return souk_orders_transition(conn, pool, stored->id, "cancel", &change, -1, err);
}

/* Takes one fetched order in under a savepoint: its failure is its own. */
static int take_in(struct souk_db_conn *conn, struct souk_pool *pool,
                   const struct souk_channel *c, struct souk_order *o, bool *ok, const char **why,
                   int64_t *ingested, struct souk_err *err)
{
    int rc = souk_db_savepoint(conn, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_err order_err = SOUK_ERR_INIT;
    enum souk_orders_ingested what;
    struct souk_order *stored = NULL;
    int irc = souk_orders_ingest(conn, pool, o, &what, &stored, &order_err);
    bool shortfall = irc == SOUK_OK && stored->stock_issue && what == SOUK_ORDERS_CREATED;
    if (shortfall && strcmp(c->on_shortfall, "cancel") == 0 && rank_cancellable(stored->status))
        irc = cancel_shortfall(conn, pool, stored, &order_err);
    *ok = irc == SOUK_OK;
    if (!*ok) {
        *why = souk_pool_printf(pool, "the order could not be taken in: %s%s%s",
                                order_err.message, order_err.param[0] ? " at " : "",
                                order_err.param);
        return souk_db_savepoint_rollback(conn, err);
    }
    *ingested += what != SOUK_ORDERS_UNCHANGED;
    if (shortfall)
        souk_log(SOUK_LOG_WARN, "platform order not fully reserved", "channel", o->channel,
                 "order", stored->id, "external_id", o->external_id, "issue",
                 stored->stock_issue, "policy", c->on_shortfall, NULL);
    o->id = stored->id;
    return souk_db_savepoint_release(conn, err);
}

/*
 * One fetch call's worth: fetch the orders, take each in with its notifications marked, then
 * acknowledge to the platform the ones that need it. A platform that asks for acknowledgement
 * has its notifications marked done only once the acknowledgement went through: a crash in
 * between fetches again, finds the order unchanged and acknowledges under the same key.
 */
static int intake_chunk(struct souk_db *db, struct souk_channels__client *client,
                        struct souk_pool *pool, const struct souk_channel *c,
                        const struct souk_channels__connector *k, const struct due *due,
                        size_t ndue, const char *const *ids, size_t nids, int64_t *ingested,
                        struct souk_err *err)
{
    struct souk_order *orders = souk_pool_alloc(pool, nids * sizeof *orders);
    const char **problems = souk_pool_alloc(pool, nids * sizeof *problems);
    struct souk_channels__batch_outcome outcome = {.retry_after_s = -1};
    int rc = k->orders_fetch(c, client, pool, ids, nids, orders, problems, &outcome);
    if (rc != SOUK_OK)
        return rc;
    bool *taken = souk_pool_alloc(pool, nids * sizeof *taken);
    struct souk_db_conn *conn = souk_db_acquire(db);
    rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    for (size_t i = 0; rc == SOUK_OK && i < nids; i++) {
        const char *why = NULL;
        enum fate fate = DONE;
        if (outcome.error[0]) {
            fate = RETRY;
            why = souk_pool_strdup(pool, outcome.error);
        } else if (problems[i]) {
            fate = GIVE_UP;
            why = problems[i];
        } else if (!orders[i].external_id) {
            fate = RETRY; /* a platform may notify before its order API has the order */
            why = souk_pool_printf(pool, "the platform returned no order %s", ids[i]);
        } else {
            orders[i].channel = c->id;
            bool ok = false;
            rc = take_in(conn, pool, c, &orders[i], &ok, &why, ingested, err);
            fate = ok ? DONE : GIVE_UP;
            taken[i] = ok;
            if (ok && k->order_ack)
                continue; /* done once acknowledged, below */
        }
        if (rc == SOUK_OK)
            rc = settle_order_notices(conn, due, ndue, ids[i], fate, why, err);
    }
    if (rc == SOUK_OK)
        rc = souk_db_commit(conn, err);
    souk_db_release(conn);
    if (rc != SOUK_OK || !k->order_ack)
        return rc;
    for (size_t i = 0; rc == SOUK_OK && i < nids; i++) {
        if (!taken[i])
            continue;
        struct souk_channels__batch_outcome ack = {.retry_after_s = -1};
        rc = k->order_ack(c, client, pool, &orders[i], &ack);
        if (rc != SOUK_OK)
            break;
        conn = souk_db_acquire(db);
        rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
        if (rc == SOUK_OK)
            rc = settle_order_notices(conn, due, ndue, ids[i], ack.error[0] ? RETRY : DONE,
                                      ack.error[0] ? ack.error : NULL, err);
        if (rc == SOUK_OK)
            rc = souk_db_commit(conn, err);
        souk_db_release(conn);
    }
    return rc;
}

/* The channel and its connector, read in a transaction of their own. */
static int load_channel(struct souk_db *db, struct souk_pool *pool, const char *channel_id,
                        struct souk_channel **c, const struct souk_channels__connector **k,
                        struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_channels_get(conn, pool, channel_id, c, err);
    souk_db_release(conn);
    *k = rc == SOUK_OK ? souk_channels__connector((*c)->platform) : NULL;
    return rc;
}

/* Takes in the channel's due notifications, a fetch call's worth of distinct orders at a time. */
static int intake_channel(struct souk_db *db, struct souk_channels__client *client,
                          const char *channel_id, int64_t *ingested, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_channel *c = NULL;
    const struct souk_channels__connector *k = NULL;
    struct due *due = NULL;
    size_t ndue = 0;
    int rc = load_channel(db, pool, channel_id, &c, &k, err);
    if (rc == SOUK_OK && k && k->orders_fetch)
        rc = load_due(db, pool, channel_id, &due, &ndue, err);
    size_t max = k && k->orders_fetch_max ? k->orders_fetch_max : 1;
    const char **ids = souk_pool_alloc(pool, (ndue ? ndue : 1) * sizeof *ids);
    size_t nids = 0;
    for (size_t i = 0; i < ndue; i++) {
        bool seen = false;
        for (size_t j = 0; j < nids && !seen; j++)
            seen = strcmp(ids[j], due[i].order_id) == 0;
        if (!seen)
            ids[nids++] = due[i].order_id;
    }
    for (size_t start = 0; rc == SOUK_OK && start < nids; start += max) {
        size_t count = nids - start < max ? nids - start : max;
        rc = intake_chunk(db, client, pool, c, k, due, ndue, ids + start, count, ingested, err);
    }
    souk_pool_free(pool);
    return rc;
}

/* ---- polling (platforms without order webhooks) ---- */

struct souk_channels__intake {
    int64_t poll_every_us;
    struct {
        char id[SOUK_ID_MAX];
        int64_t at;
    } polled[POLL_CHANNELS];
};

struct souk_channels__intake *souk_channels__intake_new(int64_t poll_every_us)
{
    struct souk_channels__intake *in = souk_calloc(1, sizeof *in);
    in->poll_every_us = poll_every_us;
    return in;
}

void souk_channels__intake_free(struct souk_channels__intake *in)
{
    souk_free(in);
}

/* True when the channel is due a poll (always without a clock), and notes the poll. */
static bool poll_due(struct souk_channels__intake *in, const char *channel_id, int64_t now)
{
    if (!in)
        return true;
    size_t free_slot = POLL_CHANNELS;
    for (size_t i = 0; i < POLL_CHANNELS; i++) {
        if (strcmp(in->polled[i].id, channel_id) == 0) {
            if (now - in->polled[i].at < in->poll_every_us)
                return false;
            in->polled[i].at = now;
            return true;
        }
        if (!in->polled[i].id[0] && free_slot == POLL_CHANNELS)
            free_slot = i;
    }
    if (free_slot == POLL_CHANNELS)
        free_slot = (size_t)(now % POLL_CHANNELS); /* more channels than slots: share */
    snprintf(in->polled[free_slot].id, SOUK_ID_MAX, "%s", channel_id);
    in->polled[free_slot].at = now;
    return true;
}

static int poll_channel(struct souk_db *db, struct souk_channels__client *client,
                        const char *channel_id, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_channel *c = NULL;
    const struct souk_channels__connector *k = NULL;
    int rc = load_channel(db, pool, channel_id, &c, &k, err);
    struct souk_channels__notice *notices = NULL;
    size_t n = 0;
    struct souk_channels__batch_outcome outcome = {.retry_after_s = -1};
    if (rc == SOUK_OK && k && k->orders_poll)
        rc = k->orders_poll(c, client, pool, &notices, &n, &outcome);
    if (rc == SOUK_OK && outcome.error[0])
        souk_log(SOUK_LOG_WARN, "order poll failed", "channel", channel_id, "error",
                 outcome.error, NULL);
    if (rc == SOUK_OK && n > 0) {
        struct souk_db_conn *conn = souk_db_acquire(db);
        rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
        for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
            bool is_new;
            rc = check_notice(&notices[i], err);
            if (rc == SOUK_OK)
                rc = record_notice(conn, channel_id, &notices[i], &is_new, err);
        }
        if (rc == SOUK_OK)
            rc = souk_db_commit(conn, err);
        souk_db_release(conn);
    }
    souk_pool_free(pool);
    return rc;
}

int souk_channels__intake_pass(struct souk_channels__intake *in, struct souk_db *db,
                               struct souk_channels__client *client, int64_t *ingested,
                               struct souk_err *err)
{
    *ingested = 0;
    struct souk_pool *pool = souk_pool_new();
    int64_t now = souk_time_now_us();
    char **ids;
    size_t n = 0;
    int rc = SOUK_OK;
    /* The platforms that are polled, not notified: one query each (there are one or two). */
    for (const char *const *p = souk_channels_platforms(); rc == SOUK_OK && *p; p++) {
        if (!souk_channels__connector(*p)->orders_poll)
            continue;
        rc = souk_channels__channel_ids(db, pool, &ids, &n, err,
                                        "SELECT id FROM channels WHERE platform = $1 ORDER BY "
                                        "id LIMIT $2",
                                        "si", *p, (int64_t)SOUK_CHANNELS__MAX_CHANNELS);
        /* One channel's failure is its own; the pass goes on with the others. */
        for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
            struct souk_err channel_err = SOUK_ERR_INIT;
            if (poll_due(in, ids[i], now) &&
                poll_channel(db, client, ids[i], &channel_err) != SOUK_OK)
                souk_log(SOUK_LOG_ERROR, "order poll failed", "channel", ids[i], "error",
                         channel_err.message, "detail", channel_err.detail, NULL);
        }
    }
    if (rc == SOUK_OK)
        rc = souk_channels__channel_ids(
            db, pool, &ids, &n, err,
            "SELECT DISTINCT channel_id FROM order_notifications WHERE state = 'pending' AND "
            "next_attempt_at <= $1 ORDER BY channel_id LIMIT $2",
            "ii", now, (int64_t)SOUK_CHANNELS__MAX_CHANNELS);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        struct souk_err channel_err = SOUK_ERR_INIT;
        if (intake_channel(db, client, ids[i], ingested, &channel_err) != SOUK_OK)
            souk_log(SOUK_LOG_ERROR, "order intake failed", "channel", ids[i], "error",
                     channel_err.message, "detail", channel_err.detail, NULL);
    }
    souk_pool_free(pool);
    int64_t updated = 0;
    if (rc == SOUK_OK)
        rc = souk_channels__order_updates_pass(db, client, &updated, err);
    *ingested += updated;
    return rc;
}

int souk_channels_intake_once(struct souk_db *db, int64_t *ingested, struct souk_err *err)
{
    struct souk_channels__client *client = souk_channels__client_new();
    int rc = souk_channels__intake_pass(NULL, db, client, ingested, err);
    souk_channels__client_free(client);
    return rc;
}

/* ---- status ---- */

int souk_channels_intake_status(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                                struct souk_channel_intake_status *out, struct souk_err *err)
{
    memset(out, 0, sizeof *out);
    struct souk_db_stmt *st;
    int rc = souk_db_query(
        conn, err, &st,
        "SELECT (SELECT COUNT(*) FROM order_notifications WHERE channel_id = $1 AND state = "
        "'pending'), (SELECT COUNT(*) FROM order_notifications WHERE channel_id = $1 AND state "
        "= 'failed'), (SELECT COUNT(*) FROM orders WHERE channel = $1), (SELECT COUNT(*) FROM "
        "orders WHERE channel = $1 AND stock_issue IS NOT NULL), (SELECT MAX(received_at) FROM "
        "order_notifications WHERE channel_id = $1), (SELECT last_error FROM "
        "order_notifications WHERE channel_id = $1 AND state = 'failed' ORDER BY done_at DESC "
        "LIMIT 1), (SELECT COUNT(*) FROM order_updates WHERE channel_id = $1 AND state = "
        "'pending'), (SELECT COUNT(*) FROM order_updates WHERE channel_id = $1 AND state = "
        "'failed'), (SELECT last_error FROM order_updates WHERE channel_id = $1 AND last_error "
        "IS NOT NULL ORDER BY done_at DESC LIMIT 1)",
        "s", id);
    if (rc < 0)
        return rc;
    out->pending = souk_db_col_i64(st, 0);
    out->failed = souk_db_col_i64(st, 1);
    out->orders = souk_db_col_i64(st, 2);
    out->stock_issues = souk_db_col_i64(st, 3);
    out->last_received_at = souk_db_col_is_null(st, 4) ? 0 : souk_db_col_i64(st, 4);
    out->last_error =
        souk_db_col_is_null(st, 5) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 5));
    out->updates_pending = souk_db_col_i64(st, 6);
    out->updates_failed = souk_db_col_i64(st, 7);
    out->last_update_error =
        souk_db_col_is_null(st, 8) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 8));
    return SOUK_OK;
}

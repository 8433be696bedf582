/* outbox: see outbox.h. */
#include "outbox/outbox.h"

#include "core/time.h"

int souk_outbox_emit(struct souk_db_conn *conn, const char *topic, const char *subject,
                     const char *payload, struct souk_err *err)
{
    /* The next seq is taken inside this write transaction, so seq order is commit order. A
     * scalar subquery, not INSERT ... SELECT FROM outbox: reading the table being written
     * makes SQLite copy the row through a temporary table first. */
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO outbox (seq, topic, subject, payload, created_at) VALUES "
        "((SELECT coalesce(max(seq), 0) + 1 FROM outbox), $1, $2, $3, $4)",
        "sssi", topic, subject, payload, souk_time_now_us());
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_outbox_read(struct souk_db_conn *conn, struct souk_pool *pool, const char *consumer,
                     int64_t after, size_t limit, struct souk_outbox_row **out, size_t *count,
                     struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT o.seq, o.topic, o.subject, o.payload, o.created_at "
                             "FROM outbox o JOIN outbox_cursors c ON c.consumer = $1 "
                             "WHERE o.seq > c.seq AND o.seq > $3 ORDER BY o.seq LIMIT $2",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sii", consumer, (int64_t)limit, after);
    struct souk_outbox_row *rows = souk_pool_alloc(pool, (limit ? limit : 1) * sizeof *rows);
    size_t n = 0;
    while (rc == SOUK_OK && n < limit && (rc = souk_db_step(st, err)) == 1) {
        struct souk_outbox_row *r = &rows[n++];
        r->seq = souk_db_col_i64(st, 0);
        r->topic = souk_pool_str(pool, souk_db_col_text(st, 1));
        r->subject = souk_pool_str(pool, souk_db_col_text(st, 2));
        r->payload = souk_db_col_is_null(st, 3) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 3));
        r->created_at = souk_db_col_i64(st, 4);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *out = rows;
    *count = n;
    return SOUK_OK;
}

int souk_outbox_ack(struct souk_db_conn *conn, const char *consumer, int64_t seq,
                    struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "UPDATE outbox_cursors SET seq = $2 WHERE consumer = $1 "
                                      "AND seq < $2",
                                      "si", consumer, seq);
    /* The newest row stays even when every consumer has passed it: emit takes the next seq
     * from it, so seq never runs backwards behind a cursor. */
    if (changed >= 0)
        changed = souk_db_run_sql(conn, err,
                                  "DELETE FROM outbox WHERE seq < "
                                  "(SELECT min(seq) FROM outbox_cursors)",
                                  "");
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_outbox_backlog(struct souk_db_conn *conn, const char *consumer, int64_t *count,
                        struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT count(*) FROM outbox o JOIN outbox_cursors c ON "
                           "c.consumer = $1 WHERE o.seq > c.seq",
                           "s", consumer);
    if (rc < 0)
        return rc;
    *count = rc == 1 ? souk_db_col_i64(st, 0) : 0;
    return SOUK_OK;
}

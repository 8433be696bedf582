/*
 * outbox: changes announced to the rest of souk, written in the transaction that makes them.
 *
 * A domain module calls souk_outbox_emit inside its write transaction ("stock.changed" for a
 * variant, "product.deleted" with the SKUs it had, ...). Consumers (the channel sync worker now,
 * the merchant's event stream later) read the rows after their cursor, act, and advance the
 * cursor in the same transaction as their own effect: a row is handled once, and a crash in
 * between replays it rather than losing it. Rows that every consumer has passed are deleted.
 * Depends on core/ and db/.
 */
#ifndef SOUK_OUTBOX_OUTBOX_H
#define SOUK_OUTBOX_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"
#include "db/db.h"

#define SOUK_OUTBOX_MAX_PAYLOAD (1 << 20)

struct souk_outbox_row {
    int64_t seq;     /* increasing in commit order */
    char *topic;     /* "product.changed", "product.deleted", "variant.changed",
                        "variant.deleted", "stock.changed"; "stock.low", "stock.out",
                        "stock.back" (a variant's stock state changed); "order.<status>" */
    char *subject;   /* the id the topic is about: "prod_...", "var_..." */
    char *payload;   /* JSON text or NULL: what a reader can no longer look up (deleted SKUs) */
    int64_t created_at;
};

/* Appends a row in conn's write transaction. payload may be NULL. */
int souk_outbox_emit(struct souk_db_conn *conn, const char *topic, const char *subject,
                     const char *payload, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Up to limit rows after consumer's cursor and after seq `after` (a consumer that handled rows
 * it has not acknowledged yet; 0 for none), oldest first; *count 0 when it is up to date.
 */
int souk_outbox_read(struct souk_db_conn *conn, struct souk_pool *pool, const char *consumer,
                     int64_t after, size_t limit, struct souk_outbox_row **out, size_t *count,
                     struct souk_err *err) SOUK_MUST_CHECK;

/* Moves consumer's cursor to seq (rows up to it are handled) and prunes what all have passed. */
int souk_outbox_ack(struct souk_db_conn *conn, const char *consumer, int64_t seq,
                    struct souk_err *err) SOUK_MUST_CHECK;

/* Rows consumer has not read yet, for status pages and metrics. */
int souk_outbox_backlog(struct souk_db_conn *conn, const char *consumer, int64_t *count,
                        struct souk_err *err) SOUK_MUST_CHECK;

#endif

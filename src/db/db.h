/*
 * db: the portable storage layer. Domain modules talk to the store only through this header.
 *
 * A `struct souk_db` is an open store: a fixed set of connections handed out by
 * souk_db_acquire. SQL is written in the subset SQLite and PostgreSQL share, with numbered
 * parameters ($1, $2, ...). Statements are prepared once per connection and cached by their
 * text, so callers just call souk_db_prepare every time. A statement belongs to its connection
 * and stays usable until the connection's transaction ends (commit or rollback resets every
 * statement) or souk_db_prepare hands it out again.
 *
 * Write transactions are serialized inside the layer (SQLite allows one writer), so callers
 * never see "database is locked"; reads run concurrently on their own snapshot.
 *
 * Engine errors are mapped once, here: a unique-constraint violation is SOUK_ECONFLICT, a
 * check or foreign-key violation SOUK_EUNPROC, a busy store SOUK_EAGAIN, anything else SOUK_EIO
 * with the engine's message as log-only detail. Depends on core/ only; sqlite.c is the only
 * file that includes sqlite3.h.
 */
#ifndef SOUK_DB_DB_H
#define SOUK_DB_DB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct souk_db;
struct souk_db_conn;
struct souk_db_stmt;

struct souk_db_options {
    int connections; /* size of the connection set; >= 1 */
    /*
     * Group commit: write transactions run as savepoints inside one shared transaction on a
     * dedicated writer connection, and whoever finishes last while nobody else is waiting
     * commits them all with one fsync. souk_db_commit still returns only once the work is on
     * disk, so callers see no difference except throughput under concurrency.
     */
    bool group_commit;
    /*
     * Admission control: a write transaction that cannot start within this many milliseconds
     * (every writer ahead of it is slow, or too many are queued) is refused with SOUK_EAGAIN,
     * so a spike is shed instead of queueing without bound. 0 waits forever.
     */
    int write_wait_ms;
};

struct souk_db_stats {
    uint64_t write_transactions; /* committed write transactions (logical) */
    uint64_t commits;            /* physical commits: fewer than the above when grouped */
    uint64_t refused;            /* write transactions refused by write_wait_ms */
};

void souk_db_get_stats(struct souk_db *db, struct souk_db_stats *out);

/*
 * Opens the store named by spec: "sqlite:PATH" (the file is created if missing). SQLite runs in
 * WAL mode with synchronous=FULL and foreign keys on. Does not migrate: see souk_db_migrate.
 */
int souk_db_open(const char *spec, const struct souk_db_options *opts, struct souk_db **out,
                 struct souk_err *err) SOUK_MUST_CHECK;
void souk_db_close(struct souk_db *db); /* all connections must have been released; NULL ok */

/* Applies the embedded migrations that are not yet recorded, each in its own transaction. */
int souk_db_migrate(struct souk_db *db, struct souk_err *err) SOUK_MUST_CHECK;

/* The highest applied migration version, or 0 for a fresh store. */
int souk_db_schema_version(struct souk_db *db, int64_t *out, struct souk_err *err) SOUK_MUST_CHECK;

/* Borrows a connection, waiting until one is free. Give it back with souk_db_release. */
struct souk_db_conn *souk_db_acquire(struct souk_db *db);
void souk_db_release(struct souk_db_conn *conn); /* rolls back an open transaction */

/*
 * SOUK_DB_WRITE_BATCH is a write transaction whose caller puts each piece of its work in a
 * savepoint of its own and never rolls back to its start (the HTTP intake writer). Grouped, it
 * joins the shared transaction without the member savepoint a plain write gets: one more level
 * of savepoint would make SQLite copy every page a piece touches into its sub-journal twice
 * and walk that journal on every release. Rolling it back therefore rolls back the whole group,
 * whose other members then fail as on a failed commit. Without group commit it is SOUK_DB_WRITE.
 */
enum souk_db_txn { SOUK_DB_READ, SOUK_DB_WRITE, SOUK_DB_WRITE_BATCH };

int souk_db_begin(struct souk_db_conn *conn, enum souk_db_txn kind,
                  struct souk_err *err) SOUK_MUST_CHECK;
int souk_db_commit(struct souk_db_conn *conn, struct souk_err *err) SOUK_MUST_CHECK;
void souk_db_rollback(struct souk_db_conn *conn); /* no-op outside a transaction */
bool souk_db_in_txn(const struct souk_db_conn *conn);

/*
 * Work to run once per key before a write transaction commits, inside it. In a grouped write
 * (group commit) fn runs when the batch commits, once however many of its transactions asked
 * for the same fn and key: the catalog marks a hot SKU's stock changed once per batch of
 * orders, not once per order. Otherwise fn runs now. fn may also run for work that a
 * savepoint then undid, so it must be right to run at any time (it recomputes from what is
 * stored; it applies no delta). A failing fn fails the commit of the whole batch.
 */
typedef int (*souk_db_deferred_fn)(struct souk_db_conn *conn, const char *key,
                                   struct souk_err *err);
int souk_db_defer(struct souk_db_conn *conn, souk_db_deferred_fn fn, const char *key,
                  struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Rows changed so far by the statements run on conn's connection (in a grouped write, the
 * shared writer's): the same count before and after some work means it changed nothing.
 */
int64_t souk_db_total_changes(struct souk_db_conn *conn);

/*
 * Savepoints inside a write transaction, for "skip this row and carry on" imports: a failed
 * row is rolled back to the savepoint without losing the rows before it.
 */
int souk_db_savepoint(struct souk_db_conn *conn, struct souk_err *err) SOUK_MUST_CHECK;
int souk_db_savepoint_release(struct souk_db_conn *conn, struct souk_err *err) SOUK_MUST_CHECK;
int souk_db_savepoint_rollback(struct souk_db_conn *conn, struct souk_err *err) SOUK_MUST_CHECK;

/* Runs SQL that returns no rows and takes no parameters (may hold several statements). */
int souk_db_exec(struct souk_db_conn *conn, const char *sql, struct souk_err *err) SOUK_MUST_CHECK;

/* Returns the cached statement for sql, reset and with its parameters cleared. */
int souk_db_prepare(struct souk_db_conn *conn, const char *sql, struct souk_db_stmt **out,
                    struct souk_err *err) SOUK_MUST_CHECK;

/* Parameters are numbered from 1, as in the SQL. Text is copied. */
int souk_db_bind_i64(struct souk_db_stmt *st, int index, int64_t value) SOUK_MUST_CHECK;
int souk_db_bind_text(struct souk_db_stmt *st, int index, struct souk_str value) SOUK_MUST_CHECK;
int souk_db_bind_null(struct souk_db_stmt *st, int index) SOUK_MUST_CHECK;
/* Binds NULL when value.ptr is NULL, text otherwise. */
int souk_db_bind_opt_text(struct souk_db_stmt *st, int index,
                          struct souk_str value) SOUK_MUST_CHECK;

/*
 * Binds parameters 1..n in one call, one spec character per parameter:
 *   's'  const char * (NULL binds NULL)     'i'  int64_t
 *   'n'  int64_t, where INT64_MIN binds NULL (an unset optional number)
 * so `souk_db_bind(st, "sin", id, version, weight)` binds $1, $2 and $3. A spec whose length
 * is not the statement's parameter count is SOUK_EINTERNAL (a typo, caught by the first test).
 */
int souk_db_bind(struct souk_db_stmt *st, const char *spec, ...) SOUK_MUST_CHECK;
int souk_db_vbind(struct souk_db_stmt *st, const char *spec, va_list ap) SOUK_MUST_CHECK;

/*
 * Prepares sql, binds parameters as souk_db_bind does, and runs it: returns the number of rows
 * changed, or a negative status. For INSERT, UPDATE and DELETE statements.
 */
int64_t souk_db_run_sql(struct souk_db_conn *conn, struct souk_err *err, const char *sql,
                        const char *spec, ...) SOUK_MUST_CHECK;

/*
 * Prepares sql, binds parameters as souk_db_bind does and steps once: 1 with the first row in
 * *out, 0 when there is none, or a negative status. For lookups of one row (or the first).
 */
int souk_db_query(struct souk_db_conn *conn, struct souk_err *err, struct souk_db_stmt **out,
                  const char *sql, const char *spec, ...) SOUK_MUST_CHECK;

/* Advances: 1 when a row is available, 0 when done, a negative status on failure. */
int souk_db_step(struct souk_db_stmt *st, struct souk_err *err) SOUK_MUST_CHECK;

/* Steps a statement that returns no rows; returns the number of rows it changed, or < 0. */
int64_t souk_db_run(struct souk_db_stmt *st, struct souk_err *err) SOUK_MUST_CHECK;

/* Columns of the current row, numbered from 0. Text views live until the next step/reset. */
int64_t souk_db_col_i64(struct souk_db_stmt *st, int col);
struct souk_str souk_db_col_text(struct souk_db_stmt *st, int col); /* NULL gives ptr NULL */
bool souk_db_col_is_null(struct souk_db_stmt *st, int col);

#endif

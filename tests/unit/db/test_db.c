/* Unit tests for db/: migrations, transactions, statements, error mapping, savepoints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/migrate.h"
#include "../temp_store.h"

struct fixture {
    struct temp_store store;
    struct souk_db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    temp_store_make(&f->store, "dbtest");
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_options opts = {.connections = 2};
    assert_int_equal(souk_db_open(f->store.spec, &opts, &f->db, &err), SOUK_OK);
    assert_int_equal(souk_db_migrate(f->db, &err), SOUK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_db_close(f->db);
    temp_store_remove(&f->store);
    free(f);
    return 0;
}

static void migrations_are_recorded_once(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    int64_t version = 0;
    assert_int_equal(souk_db_migrate(f->db, &err), SOUK_OK); /* second run is a no-op */
    assert_int_equal(souk_db_schema_version(f->db, &version, &err), SOUK_OK);
    assert_true(souk_migrations_count >= 1);
    assert_int_equal(version, souk_migrations[souk_migrations_count - 1].version);
}

static int64_t count_rows(struct souk_db_conn *conn, const char *sql)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_query(conn, &err, &st, sql, ""), 1);
    return souk_db_col_i64(st, 0);
}

/*
 * Migration 0019 replaces three enum columns (their CHECK lists become OR chains): rows
 * written before it keep their values, and the rules still refuse what they refused.
 */
static void enum_columns_keep_their_rows_and_rules_through_0019(void **state)
{
    (void)state;
    struct temp_store store;
    temp_store_make(&store, "db0019");
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db *db;
    int64_t version = 0;
    assert_int_equal(souk_db_open(store.spec, NULL, &db, &err), SOUK_OK);
    assert_int_equal(souk_db_schema_version(db, &version, &err), SOUK_OK);
    struct souk_db_conn *conn = souk_db_acquire(db);
    /* The store as a release before 0019 left it, with an order in it. */
    for (size_t i = 0; i < souk_migrations_count && souk_migrations[i].version < 19; i++) {
        assert_int_equal(souk_db_exec(conn, souk_migrations[i].sql, &err), SOUK_OK);
        assert_int_equal(souk_db_run_sql(conn, &err,
                                         "INSERT INTO schema_migrations (version, name, "
                                         "applied_at) VALUES ($1, $2, 0)",
                                         "is", souk_migrations[i].version,
                                         souk_migrations[i].name),
                         1);
    }
    assert_int_equal(
        souk_db_exec(conn,
                     "INSERT INTO warehouses (id, code, name, country, version, created_at, "
                     "updated_at) VALUES ('wh_1', 'main', 'Main', 'DE', 1, 0, 0);"
                     "INSERT INTO products (id, handle, status, title, item_condition, version, "
                     "created_at, updated_at) VALUES ('prd_1', 'mug', 'active', 'Mug', 'new', 1, "
                     "0, 0);"
                     "INSERT INTO variants (id, product_id, sku, position, version, created_at, "
                     "updated_at) VALUES ('var_1', 'prd_1', 'MUG-1', 1, 1, 0, 0);"
                     "INSERT INTO orders (id, channel, currency, subtotal, shipping, discount, "
                     "tax, total, version, created_at, updated_at, status) VALUES ('ord_1', "
                     "'direct', 'EUR', 900, 0, 0, 0, 900, 1, 0, 0, 'fulfilled');"
                     "INSERT INTO order_lines (order_id, line_no, variant_id, sku, title, "
                     "quantity, unit_price, issue) VALUES ('ord_1', 1, 'var_1', 'MUG-1', 'Mug', "
                     "1, 900, 'backorder'), ('ord_1', 2, NULL, 'GONE-1', 'Gone', 1, 0, NULL);"
                     "INSERT INTO stock_movements (id, variant_id, warehouse_id, kind, quantity, "
                     "order_id, reason, created_at) VALUES ('mov_1', 'var_1', 'wh_1', 'consume', "
                     "-1, 'ord_1', 'order ord_1 fulfilled', 0);",
                     &err),
        SOUK_OK);
    souk_db_release(conn);

    assert_int_equal(souk_db_migrate(db, &err), SOUK_OK);
    conn = souk_db_acquire(db);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM orders WHERE id = 'ord_1' AND "
                                      "status = 'fulfilled'"),
                     1);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM order_lines WHERE "
                                      "(line_no = 1 AND issue = 'backorder') OR (line_no = 2 "
                                      "AND issue IS NULL)"),
                     2);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM stock_movements WHERE id = 'mov_1' "
                                      "AND kind = 'consume' AND order_id = 'ord_1'"),
                     1);
    assert_int_equal(count_rows(conn, "SELECT count(*) FROM orders INDEXED BY orders_status "
                                      "WHERE status = 'fulfilled'"),
                     1);
    assert_int_equal(souk_db_run_sql(conn, &err, "UPDATE orders SET status = 'lost'", ""),
                     SOUK_EUNPROC);
    assert_int_equal(souk_db_run_sql(conn, &err, "UPDATE order_lines SET issue = 'lost'", ""),
                     SOUK_EUNPROC);
    assert_int_equal(souk_db_run_sql(conn, &err, "UPDATE stock_movements SET kind = 'lost'", ""),
                     SOUK_EUNPROC);
    souk_db_release(conn);
    souk_db_close(db);
    temp_store_remove(&store);
}

static void insert_warehouse(struct souk_db_conn *conn, const char *id, const char *code,
                             int expect)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_prepare(conn,
                                     "INSERT INTO warehouses (id, code, name, country, version,"
                                     " created_at, updated_at) VALUES ($1, $2, $2, 'DE', 1, 0, 0)",
                                     &st, &err),
                     SOUK_OK);
    assert_int_equal(souk_db_bind_text(st, 1, souk_str_from(id)), SOUK_OK);
    assert_int_equal(souk_db_bind_text(st, 2, souk_str_from(code)), SOUK_OK);
    int64_t changed = souk_db_run(st, &err);
    assert_int_equal(changed, expect == SOUK_OK ? 1 : expect);
}

static int64_t count_warehouses(struct souk_db *db)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, &err), SOUK_OK);
    assert_int_equal(souk_db_prepare(conn, "SELECT COUNT(*) FROM warehouses", &st, &err), SOUK_OK);
    assert_int_equal(souk_db_step(st, &err), 1);
    int64_t n = souk_db_col_i64(st, 0);
    souk_db_release(conn);
    return n;
}

static void commit_persists_and_rollback_discards(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    insert_warehouse(conn, "wh_1", "berlin", SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    insert_warehouse(conn, "wh_2", "paris", SOUK_OK);
    souk_db_rollback(conn);
    souk_db_release(conn);
    assert_int_equal(count_warehouses(f->db), 1);
}

static void unique_violation_is_conflict(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    insert_warehouse(conn, "wh_1", "berlin", SOUK_OK);
    insert_warehouse(conn, "wh_2", "berlin", SOUK_ECONFLICT);
    souk_db_release(conn); /* releasing rolls back */
    assert_int_equal(count_warehouses(f->db), 0);
}

static void savepoint_rollback_keeps_earlier_rows(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    insert_warehouse(conn, "wh_1", "berlin", SOUK_OK);
    assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
    insert_warehouse(conn, "wh_2", "paris", SOUK_OK);
    assert_int_equal(souk_db_savepoint_rollback(conn, &err), SOUK_OK);
    assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
    insert_warehouse(conn, "wh_3", "rome", SOUK_OK);
    assert_int_equal(souk_db_savepoint_release(conn, &err), SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    souk_db_release(conn);
    assert_int_equal(count_warehouses(f->db), 2);
}

static void parameters_bind_by_number(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, &err), SOUK_OK);
    /* $2 appears before $1: binding must follow the numbers, not the order of appearance. */
    assert_int_equal(souk_db_prepare(conn, "SELECT $2 || '-$1-' || $1", &st, &err), SOUK_OK);
    assert_int_equal(souk_db_bind_text(st, 1, SOUK_STR("one")), SOUK_OK);
    assert_int_equal(souk_db_bind_text(st, 2, SOUK_STR("two")), SOUK_OK);
    assert_int_equal(souk_db_step(st, &err), 1);
    struct souk_str got = souk_db_col_text(st, 0);
    assert_true(souk_str_eq_cstr(got, "two-$1-one"));
    souk_db_release(conn);
}

static void spec_binding_nulls_and_counts(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, &err), SOUK_OK);
    assert_int_equal(souk_db_prepare(conn, "SELECT $1, $2, $3 IS NULL, $4 IS NULL", &st, &err),
                     SOUK_OK);
    assert_int_equal(souk_db_bind(st, "sinn", "a", (int64_t)7, INT64_MIN, (int64_t)0), SOUK_OK);
    assert_int_equal(souk_db_step(st, &err), 1);
    assert_true(souk_str_eq_cstr(souk_db_col_text(st, 0), "a"));
    assert_int_equal(souk_db_col_i64(st, 1), 7);
    assert_int_equal(souk_db_col_i64(st, 2), 1); /* INT64_MIN under 'n' is NULL */
    assert_int_equal(souk_db_col_i64(st, 3), 0); /* 0 is a number, not NULL */
    assert_int_equal(souk_db_prepare(conn, "SELECT $1, $2", &st, &err), SOUK_OK);
    assert_int_equal(souk_db_bind(st, "s", "only one"), SOUK_EINTERNAL);
    souk_db_release(conn);
}

#define WRITERS 12
#define WRITES_EACH 25

struct writer_arg {
    struct souk_db *db;
    int index, committed;
};

/* Inserts WRITES_EACH rows, one transaction each; every fifth one is rolled back instead. */
static void *write_rows(void *p)
{
    struct writer_arg *a = p;
    for (int i = 0; i < WRITES_EACH; i++) {
        struct souk_err err = SOUK_ERR_INIT;
        struct souk_db_conn *conn = souk_db_acquire(a->db);
        if (souk_db_begin(conn, SOUK_DB_WRITE, &err) != SOUK_OK ||
            souk_db_run_sql(conn, &err, "INSERT INTO grouped (writer, n) VALUES ($1, $2)", "ii",
                            (int64_t)a->index, (int64_t)i) != 1)
            fail_msg("write failed: %s", err.message);
        if (i % 5 == 4) {
            souk_db_rollback(conn);
        } else if (souk_db_commit(conn, &err) == SOUK_OK) {
            a->committed++;
        } else {
            fail_msg("commit failed: %s", err.message);
        }
        souk_db_release(conn);
    }
    return NULL;
}

/* Concurrent writers under group commit: every committed row is there, no rolled-back one is,
 * and commits were shared. */
static void group_commit_keeps_every_commit_and_shares_fsyncs(void **state)
{
    struct fixture *f = *state;
    struct souk_db *db;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_options opts = {.connections = 4, .group_commit = true};
    assert_int_equal(souk_db_open(f->store.spec, &opts, &db, &err), SOUK_OK);
    struct souk_db_conn *conn = souk_db_acquire(db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    assert_int_equal(souk_db_exec(conn, "CREATE TABLE grouped (writer INTEGER, n INTEGER)", &err),
                     SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    souk_db_release(conn);

    pthread_t threads[WRITERS];
    struct writer_arg args[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        args[i] = (struct writer_arg){db, i, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, write_rows, &args[i]), 0);
    }
    int committed = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        committed += args[i].committed;
    }
    assert_int_equal(committed, WRITERS * WRITES_EACH * 4 / 5);

    conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, &err), SOUK_OK);
    assert_int_equal(souk_db_query(conn, &err, &st,
                                   "SELECT COUNT(*), SUM(CASE WHEN n % 5 = 4 THEN 1 ELSE 0 END) "
                                   "FROM grouped",
                                   ""),
                     1);
    assert_int_equal(souk_db_col_i64(st, 0), committed);
    assert_int_equal(souk_db_col_i64(st, 1), 0);
    souk_db_release(conn);
    struct souk_db_stats stats;
    souk_db_get_stats(db, &stats);
    assert_int_equal(stats.write_transactions, committed + 1); /* and the CREATE TABLE */
    assert_true(stats.commits <= stats.write_transactions);
    souk_db_close(db);
}

struct refused_arg {
    struct souk_db *db;
    int rc;
    char message[sizeof(struct souk_err){0}.message];
};

static void *begin_second_write(void *p)
{
    struct refused_arg *a = p;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(a->db);
    a->rc = souk_db_begin(conn, SOUK_DB_WRITE, &err);
    snprintf(a->message, sizeof a->message, "%s", err.message);
    souk_db_release(conn);
    return NULL;
}

/* Admission control: while one write holds the store, another that waits past write_wait_ms is
 * refused as busy (the API's 503) and counted, grouped or not; once the first ends, writes go. */
static void a_write_waiting_too_long_is_refused(void **state)
{
    struct fixture *f = *state;
    for (int grouped = 0; grouped < 2; grouped++) {
        struct souk_db *db;
        struct souk_err err = SOUK_ERR_INIT;
        struct souk_db_options opts = {.connections = 3, .group_commit = grouped,
                                       .write_wait_ms = 50};
        assert_int_equal(souk_db_open(f->store.spec, &opts, &db, &err), SOUK_OK);
        struct souk_db_conn *holder = souk_db_acquire(db);
        assert_int_equal(souk_db_begin(holder, SOUK_DB_WRITE, &err), SOUK_OK);

        struct refused_arg arg = {.db = db};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, begin_second_write, &arg), 0);
        pthread_join(t, NULL);
        assert_int_equal(arg.rc, SOUK_EAGAIN);
        assert_non_null(strstr(arg.message, "busy"));
        struct souk_db_stats stats;
        souk_db_get_stats(db, &stats);
        assert_int_equal(stats.refused, 1);

        assert_int_equal(souk_db_commit(holder, &err), SOUK_OK);
        assert_int_equal(pthread_create(&t, NULL, begin_second_write, &arg), 0);
        pthread_join(t, NULL);
        assert_int_equal(arg.rc, SOUK_OK);
        souk_db_release(holder);
        souk_db_close(db);
    }
}

struct member_arg {
    struct souk_db *db;
    int rc;
};

/* A plain grouped write that commits while a batch member waits its turn (so it joins the
 * same physical transaction and waits for that one's commit). */
static void *commit_plain_member(void *p)
{
    struct member_arg *a = p;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(a->db);
    a->rc = souk_db_begin(conn, SOUK_DB_WRITE, &err);
    if (a->rc == SOUK_OK) {
        insert_warehouse(conn, "wh_plain", "plain", SOUK_OK);
        usleep(100000); /* the batch member below is waiting for the writer by now */
        a->rc = souk_db_commit(conn, &err);
    }
    souk_db_release(conn);
    return NULL;
}

/*
 * SOUK_DB_WRITE_BATCH, grouped: the caller's savepoints decide what stays, and the commit is
 * the group's. Rolling the batch member back takes the group's other members with it, and they
 * hear it as a failed commit; the store then takes writes again.
 */
static void a_batch_member_keeps_its_savepoints_and_its_rollback_fails_the_group(void **state)
{
    struct fixture *f = *state;
    struct souk_db *db;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_options opts = {.connections = 3, .group_commit = true};
    assert_int_equal(souk_db_open(f->store.spec, &opts, &db, &err), SOUK_OK);
    struct souk_db_conn *conn = souk_db_acquire(db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE_BATCH, &err), SOUK_OK);
    assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
    insert_warehouse(conn, "wh_1", "berlin", SOUK_OK);
    assert_int_equal(souk_db_savepoint_release(conn, &err), SOUK_OK);
    assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
    insert_warehouse(conn, "wh_2", "paris", SOUK_OK);
    assert_int_equal(souk_db_savepoint_rollback(conn, &err), SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    assert_int_equal(count_warehouses(db), 1);

    struct member_arg plain = {.db = db};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, commit_plain_member, &plain), 0);
    usleep(30000); /* the plain member holds the writer */
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE_BATCH, &err), SOUK_OK);
    assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
    insert_warehouse(conn, "wh_3", "rome", SOUK_OK);
    assert_int_equal(souk_db_savepoint_release(conn, &err), SOUK_OK);
    souk_db_rollback(conn);
    pthread_join(t, NULL);
    assert_int_equal(plain.rc, SOUK_EIO);
    assert_int_equal(count_warehouses(db), 1);

    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    insert_warehouse(conn, "wh_4", "lisbon", SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    souk_db_release(conn);
    assert_int_equal(count_warehouses(db), 2);
    souk_db_close(db);
}

static int deferred_runs; /* how often record_key ran */

/* Deferred work that can run once per key: a second run for the same key is a conflict. */
static int record_key(struct souk_db_conn *conn, const char *key, struct souk_err *err)
{
    deferred_runs++;
    char id[32];
    snprintf(id, sizeof id, "wh_%s", key);
    int64_t changed = souk_db_run_sql(conn, err,
                                      "INSERT INTO warehouses (id, code, name, country, version,"
                                      " created_at, updated_at) VALUES ($1, $2, $2, 'DE', 1, 0, 0)",
                                      "ss", id, key);
    return changed < 0 ? (int)changed : SOUK_OK;
}

static int refuse(struct souk_db_conn *conn, const char *key, struct souk_err *err)
{
    (void)conn;
    return souk_err_set(err, SOUK_EUNPROC, NULL, "refused %s", key);
}

/*
 * souk_db_defer: in a grouped write the work runs once per key when the batch commits, in its
 * transaction, even for a key whose savepoint was rolled back; a failing one fails the commit;
 * outside a batch it runs at once.
 */
static void deferred_work_runs_once_per_key_when_the_batch_commits(void **state)
{
    struct fixture *f = *state;
    struct souk_db *db;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_options opts = {.connections = 2, .group_commit = true};
    assert_int_equal(souk_db_open(f->store.spec, &opts, &db, &err), SOUK_OK);
    struct souk_db_conn *conn = souk_db_acquire(db);
    deferred_runs = 0;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE_BATCH, &err), SOUK_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(souk_db_savepoint(conn, &err), SOUK_OK);
        assert_int_equal(souk_db_defer(conn, record_key, "oslo", &err), SOUK_OK);
        assert_int_equal(souk_db_defer(conn, record_key, i == 2 ? "riga" : "oslo", &err),
                         SOUK_OK);
        assert_int_equal(i == 2 ? souk_db_savepoint_rollback(conn, &err)
                                : souk_db_savepoint_release(conn, &err),
                         SOUK_OK);
    }
    assert_int_equal(deferred_runs, 0);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    assert_int_equal(deferred_runs, 2);
    assert_int_equal(count_warehouses(db), 2);

    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE_BATCH, &err), SOUK_OK);
    insert_warehouse(conn, "wh_x", "lost", SOUK_OK);
    assert_int_equal(souk_db_defer(conn, refuse, "x", &err), SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_EUNPROC);
    assert_int_equal(count_warehouses(db), 2); /* nothing of the batch was kept */
    souk_db_release(conn);
    souk_db_close(db);

    conn = souk_db_acquire(f->db); /* no group commit: the work runs at once */
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    assert_int_equal(souk_db_defer(conn, record_key, "kyiv", &err), SOUK_OK);
    assert_int_equal(deferred_runs, 3);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    souk_db_release(conn);
    assert_int_equal(count_warehouses(f->db), 3);
}

static void bad_sql_is_an_error_with_detail(void **state)
{
    struct fixture *f = *state;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_prepare(conn, "SELEC nonsense", &st, &err), SOUK_EIO);
    assert_non_null(strstr(err.detail, "syntax"));
    souk_db_release(conn);
}

static void unknown_engine_is_rejected(void **state)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db *db = NULL;
    assert_int_equal(souk_db_open("mysql://x", NULL, &db, &err), SOUK_EINVAL);
    assert_null(db);
    assert_string_equal(err.param, "db");
    assert_int_equal(souk_db_open("postgres://localhost/souk", NULL, &db, &err), SOUK_EINVAL);
    assert_non_null(strstr(err.message, "PostgreSQL"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_are_recorded_once, setup, teardown),
        cmocka_unit_test_setup_teardown(commit_persists_and_rollback_discards, setup, teardown),
        cmocka_unit_test_setup_teardown(unique_violation_is_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(savepoint_rollback_keeps_earlier_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(parameters_bind_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(spec_binding_nulls_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(group_commit_keeps_every_commit_and_shares_fsyncs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_write_waiting_too_long_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_batch_member_keeps_its_savepoints_and_its_rollback_fails_the_group, setup, teardown),
        cmocka_unit_test_setup_teardown(deferred_work_runs_once_per_key_when_the_batch_commits,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_sql_is_an_error_with_detail, setup, teardown),
        cmocka_unit_test(unknown_engine_is_rejected),
        cmocka_unit_test(enum_columns_keep_their_rows_and_rules_through_0019),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

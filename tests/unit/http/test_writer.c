/* Unit tests for http/writer: the intake writer's batches, failures, shedding and shutdown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http_int.h"
#include "../temp_store.h"

#define NWRITES 50

struct fixture {
    struct temp_store store;
    struct souk_db *db;
};

/* One queued write: inserts row n; a "bad" one inserts and then fails; one that "refuses"
 * fails before it writes. */
struct test_write {
    struct souk_http__write w;
    struct souk_db *db;
    int n;
    bool bad;
    bool refuses;
    int sleep_ms;         /* how long run takes */
    bool *started;        /* set when run begins */
    int rc;               /* as done saw it */
    char why[256];
    bool visible_at_done; /* row n readable from another connection when done ran */
    int *answered;        /* atomic */
};

static void open_store(struct fixture *f, bool group, int wait_ms)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_options opts = {.connections = 3, .group_commit = group,
                                   .write_wait_ms = wait_ms};
    assert_int_equal(souk_db_open(f->store.spec, &opts, &f->db, &err), SOUK_OK);
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_WRITE, &err), SOUK_OK);
    assert_int_equal(souk_db_exec(conn, "CREATE TABLE IF NOT EXISTS rows (n INTEGER)", &err),
                     SOUK_OK);
    assert_int_equal(souk_db_exec(conn, "DELETE FROM rows", &err), SOUK_OK);
    assert_int_equal(souk_db_commit(conn, &err), SOUK_OK);
    souk_db_release(conn);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    temp_store_make(&f->store, "writertest");
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

static int64_t count_rows(struct souk_db *db, const char *where)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM rows WHERE %s", where);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, &err), SOUK_OK);
    assert_int_equal(souk_db_query(conn, &err, &st, sql, ""), 1);
    int64_t n = souk_db_col_i64(st, 0);
    souk_db_release(conn);
    return n;
}

static int run_write(struct souk_http__write *w, struct souk_db_conn *conn)
{
    struct test_write *t = (struct test_write *)w;
    if (t->started)
        __atomic_store_n(t->started, true, __ATOMIC_SEQ_CST);
    if (t->sleep_ms)
        usleep((useconds_t)t->sleep_ms * 1000);
    if (t->refuses)
        return SOUK_EUNPROC;
    struct souk_err err = SOUK_ERR_INIT;
    int64_t changed = souk_db_run_sql(conn, &err, "INSERT INTO rows (n) VALUES ($1)", "i",
                                      (int64_t)t->n);
    assert_int_equal(changed, 1);
    return t->bad ? SOUK_EUNPROC : SOUK_OK;
}

static void write_done(struct souk_http__write *w)
{
    struct test_write *t = (struct test_write *)w;
    t->rc = w->rc;
    snprintf(t->why, sizeof t->why, "%s", w->why ? w->why->message : "");
    char where[32];
    snprintf(where, sizeof where, "n = %d", t->n);
    t->visible_at_done = count_rows(t->db, where) == 1;
    __atomic_add_fetch(t->answered, 1, __ATOMIC_SEQ_CST);
}

static void init_write(struct test_write *t, struct souk_db *db, int n, int *answered)
{
    memset(t, 0, sizeof *t);
    t->w.run = run_write;
    t->w.done = write_done;
    t->db = db;
    t->n = n;
    t->answered = answered;
}

static void wait_answered(int *answered, int n)
{
    for (int i = 0; i < 1000 && __atomic_load_n(answered, __ATOMIC_SEQ_CST) < n; i++)
        usleep(10000);
    assert_int_equal(__atomic_load_n(answered, __ATOMIC_SEQ_CST), n);
}

/* Each write answers only once its row is committed; a failing write takes back only its own
 * row; with group commit, writes queued together share a transaction. */
static void writes_answer_after_commit_and_fail_alone(void **state)
{
    struct fixture *f = *state;
    for (int group = 1; group >= 0; group--) {
        open_store(f, group, 0);
        struct souk_http__writer *wr = NULL;
        struct souk_err err = SOUK_ERR_INIT;
        assert_int_equal(souk_http__writer_start(f->db, group, 0, &wr, &err), SOUK_OK);
        static struct test_write writes[NWRITES];
        int answered = 0;
        for (int i = 0; i < NWRITES; i++) {
            init_write(&writes[i], f->db, i, &answered);
            writes[i].bad = i % 5 == 4;
            assert_true(souk_http__writer_submit(wr, &writes[i].w));
        }
        wait_answered(&answered, NWRITES);
        for (int i = 0; i < NWRITES; i++) {
            assert_int_equal(writes[i].rc, writes[i].bad ? SOUK_EUNPROC : SOUK_OK);
            assert_string_equal(writes[i].why, ""); /* the write's own result stands */
            assert_int_equal(writes[i].visible_at_done, !writes[i].bad);
        }
        assert_int_equal(count_rows(f->db, "1"), NWRITES * 4 / 5);
        assert_int_equal(count_rows(f->db, "n % 5 = 4"), 0);
        struct souk_http__writer_stats stats;
        souk_http__writer_get_stats(wr, &stats);
        assert_int_equal(stats.writes, NWRITES);
        assert_int_equal(stats.queued, 0);
        if (group)
            assert_true(stats.batches < NWRITES); /* queued faster than one commit each */
        else
            assert_int_equal(stats.batches, NWRITES);
        souk_http__writer_free(wr);
        souk_db_close(f->db);
        f->db = NULL;
    }
}

/* Queues writes[1..n-1] behind writes[0], which takes sleep_ms to run, so that they share the
 * next batch. */
static void submit_behind_a_slow_write(struct souk_http__writer *wr, struct test_write *writes,
                                       int n, int sleep_ms)
{
    bool started = false;
    writes[0].sleep_ms = sleep_ms;
    writes[0].started = &started;
    assert_true(souk_http__writer_submit(wr, &writes[0].w));
    while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
        usleep(1000);
    for (int i = 1; i < n; i++)
        assert_true(souk_http__writer_submit(wr, &writes[i].w));
}

/* A write that waited in the queue longer than wait_ms is refused as busy before it runs. */
static void a_write_queued_too_long_is_shed(void **state)
{
    struct fixture *f = *state;
    open_store(f, true, 0);
    struct souk_http__writer *wr = NULL;
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_http__writer_start(f->db, true, 20, &wr, &err), SOUK_OK);
    static struct test_write writes[4];
    int answered = 0;
    for (int i = 0; i < 4; i++)
        init_write(&writes[i], f->db, i, &answered);
    submit_behind_a_slow_write(wr, writes, 4, 150);
    wait_answered(&answered, 4);
    assert_int_equal(writes[0].rc, SOUK_OK);
    for (int i = 1; i < 4; i++) {
        assert_int_equal(writes[i].rc, SOUK_EAGAIN);
        assert_non_null(strstr(writes[i].why, "busy"));
        assert_false(writes[i].visible_at_done);
    }
    assert_int_equal(count_rows(f->db, "1"), 1);
    struct souk_http__writer_stats stats;
    souk_http__writer_get_stats(wr, &stats);
    assert_int_equal(stats.shed, 3);
    souk_http__writer_free(wr);
}

/*
 * A write that fails clean runs without a savepoint: refusing before it writes leaves the
 * others in its batch committed; failing after it wrote takes the whole batch back, and the
 * others are told to retry while it keeps its own error.
 */
static void a_write_that_fails_clean_runs_bare(void **state)
{
    struct fixture *f = *state;
    open_store(f, true, 0);
    struct souk_http__writer *wr = NULL;
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_http__writer_start(f->db, true, 0, &wr, &err), SOUK_OK);
    static struct test_write writes[8];
    int answered = 0;
    for (int i = 0; i < 8; i++) {
        init_write(&writes[i], f->db, i, &answered);
        writes[i].w.fails_clean = i % 4 == 1 || i % 4 == 2;
    }
    writes[2].refuses = true; /* the first batch: 1, 2 and 3 behind 0 */
    writes[6].bad = true;     /* the second: 5, 6 and 7 behind 4 */
    submit_behind_a_slow_write(wr, writes, 4, 100);
    wait_answered(&answered, 4);
    submit_behind_a_slow_write(wr, writes + 4, 4, 100);
    wait_answered(&answered, 8);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(writes[i].rc, i == 2 ? SOUK_EUNPROC : SOUK_OK);
        assert_string_equal(writes[i].why, "");
        assert_int_equal(writes[i].visible_at_done, i != 2);
    }
    assert_int_equal(writes[6].rc, SOUK_EUNPROC);
    assert_string_equal(writes[6].why, "");
    for (int i = 5; i < 8; i += 2) {
        assert_int_equal(writes[i].rc, SOUK_EAGAIN);
        assert_non_null(strstr(writes[i].why, "retry"));
    }
    assert_int_equal(count_rows(f->db, "1"), 4);
    assert_int_equal(count_rows(f->db, "n >= 5"), 0);
    souk_http__writer_free(wr);
}

/* Stopping answers every write already queued, then refuses new ones. */
static void stop_answers_what_is_queued_then_refuses(void **state)
{
    struct fixture *f = *state;
    open_store(f, true, 0);
    struct souk_http__writer *wr = NULL;
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_http__writer_start(f->db, true, 0, &wr, &err), SOUK_OK);
    static struct test_write writes[NWRITES + 1];
    int answered = 0;
    for (int i = 0; i < NWRITES; i++) {
        init_write(&writes[i], f->db, i, &answered);
        assert_true(souk_http__writer_submit(wr, &writes[i].w));
    }
    souk_http__writer_stop(wr);
    assert_int_equal(__atomic_load_n(&answered, __ATOMIC_SEQ_CST), NWRITES);
    assert_int_equal(count_rows(f->db, "1"), NWRITES);
    init_write(&writes[NWRITES], f->db, NWRITES, &answered);
    assert_false(souk_http__writer_submit(wr, &writes[NWRITES].w));
    souk_http__writer_free(wr);
    assert_int_equal(answered, NWRITES); /* the refused one was never called back */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_answer_after_commit_and_fail_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_queued_too_long_is_shed, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_that_fails_clean_runs_bare, setup, teardown),
        cmocka_unit_test_setup_teardown(stop_answers_what_is_queued_then_refuses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * writer: the intake writer (see http_int.h). One thread owns the write path of the HTTP
 * server: request threads queue their writes and go back to their sockets; the writer takes
 * everything queued, runs each write in a savepoint of one transaction (a write that fails
 * clean runs without one), commits once, and only then lets the requests answer. A batch
 * grows with the load (whatever queued during the last commit's fsync), not with the number of
 * HTTP threads, and no request thread ever blocks on the store's writer lock.
 */
#include <pthread.h>
#include <stdio.h>

#include "core/alloc.h"
#include "core/time.h"
#include "http/http_int.h"

/* A batch never holds more writes than this, so the first of them waits a bounded time. */
#define MAX_BATCH 1024

struct souk_http__writer {
    struct souk_db *db;
    bool group;
    int wait_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct souk_http__write *head, **tail; /* guarded by lock */
    bool stopping;                         /* guarded by lock */
    struct souk_http__writer_stats stats;  /* atomics */
};

/* Takes up to `max` writes off the queue, oldest first; NULL when it is empty. */
static struct souk_http__write *take(struct souk_http__writer *wr, size_t max)
{
    struct souk_http__write *first = wr->head, *last = NULL;
    size_t n = 0;
    for (struct souk_http__write *w = first; w && n < max; w = w->next, n++)
        last = w;
    if (!last)
        return NULL;
    wr->head = last->next;
    if (!wr->head)
        wr->tail = &wr->head;
    last->next = NULL;
    __atomic_sub_fetch(&wr->stats.queued, n, __ATOMIC_RELAXED);
    return first;
}

/*
 * Runs a write that fails clean without a savepoint. Should it fail having changed rows after
 * all, nothing can undo just its work: *broken then says the whole batch must go, and err
 * tells the others in it why.
 */
static int run_bare(struct souk_http__write *w, struct souk_db_conn *conn, bool *broken,
                    struct souk_err *err)
{
    int64_t before = souk_db_total_changes(conn);
    int ran = w->run(w, conn);
    if (ran != SOUK_OK && souk_db_total_changes(conn) != before) {
        *broken = true;
        souk_err_set(err, SOUK_EAGAIN, NULL,
                     "another write committed with this one failed: nothing was saved, retry");
    }
    return ran;
}

/*
 * Runs one write in its own savepoint: SOUK_OK keeps its work; its failure rolls back only its
 * own statements. A savepoint that cannot be set or undone leaves the transaction in doubt:
 * *broken then says the whole batch must go.
 */
static int run_one(struct souk_http__write *w, struct souk_db_conn *conn, bool *broken,
                   struct souk_err *err)
{
    if (w->fails_clean)
        return run_bare(w, conn, broken, err);
    int rc = souk_db_savepoint(conn, err);
    if (rc != SOUK_OK) {
        *broken = true;
        return rc;
    }
    int ran = w->run(w, conn);
    rc = ran == SOUK_OK ? souk_db_savepoint_release(conn, err)
                        : souk_db_savepoint_rollback(conn, err);
    if (rc != SOUK_OK)
        *broken = true;
    return rc != SOUK_OK ? rc : ran;
}

static void run_batch(struct souk_http__writer *wr, struct souk_http__write *batch)
{
    struct souk_err err = SOUK_ERR_INIT, shed = SOUK_ERR_INIT;
    struct souk_db_conn *conn = souk_db_acquire(wr->db);
    int begun = souk_db_begin(conn, SOUK_DB_WRITE_BATCH, &err);
    int64_t oldest_allowed = souk_time_monotonic_us() - (int64_t)wr->wait_ms * 1000;
    bool broken = false;
    size_t n = 0;
    for (struct souk_http__write *w = batch; w; w = w->next, n++) {
        w->why = NULL;
        if (begun != SOUK_OK || broken) {
            w->rc = begun != SOUK_OK ? begun : err.code;
            w->why = &err;
        } else if (wr->wait_ms > 0 && w->queued_us < oldest_allowed) {
            /* Queued longer than --write-wait-ms: shed before it writes anything. */
            souk_err_set(&shed, SOUK_EAGAIN, NULL,
                         "the store is busy (this write waited over %d ms): retry shortly",
                         wr->wait_ms);
            w->rc = SOUK_EAGAIN;
            w->why = &shed;
            __atomic_add_fetch(&wr->stats.shed, 1, __ATOMIC_RELAXED);
        } else {
            w->rc = run_one(w, conn, &broken, &err);
            if (broken && !w->fails_clean) /* one that fails clean keeps its own error */
                w->why = &err;
        }
    }
    /* Committed even when every write failed: rolling a batch transaction back would take the
     * group's other members with it. Nothing changed then, so there is nothing to fsync. */
    int committed = begun == SOUK_OK && !broken ? souk_db_commit(conn, &err) : SOUK_OK;
    souk_db_rollback(conn); /* no-op after the commit; undoes everything when broken */
    souk_db_release(conn);
    if (committed != SOUK_OK || broken) {
        int rc = committed != SOUK_OK ? committed : err.code ? err.code : SOUK_EIO;
        if (!err.message[0])
            souk_err_set(&err, rc, NULL, "the store could not commit this write; nothing was saved");
        for (struct souk_http__write *w = batch; w; w = w->next)
            if (w->rc == SOUK_OK) { /* its work went with the batch */
                w->rc = rc;
                w->why = &err;
            }
    }
    __atomic_add_fetch(&wr->stats.batches, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&wr->stats.writes, n, __ATOMIC_RELAXED);
    for (struct souk_http__write *w = batch, *next; w; w = next) {
        next = w->next; /* done may free w */
        w->done(w);
    }
}

static void *writer_main(void *arg)
{
    struct souk_http__writer *wr = arg;
    pthread_setname_np(pthread_self(), "souk-writer"); /* for top -H and perf */
    for (;;) {
        pthread_mutex_lock(&wr->lock);
        while (!wr->head && !wr->stopping)
            pthread_cond_wait(&wr->wake, &wr->lock);
        /* Without group commit every write is its own transaction and its own fsync. */
        struct souk_http__write *batch = take(wr, wr->group ? MAX_BATCH : 1);
        pthread_mutex_unlock(&wr->lock);
        if (!batch)
            return NULL; /* stopping, and everything queued has been answered */
        run_batch(wr, batch);
    }
}

int souk_http__writer_start(struct souk_db *db, bool group, int wait_ms,
                            struct souk_http__writer **out, struct souk_err *err)
{
    struct souk_http__writer *wr = souk_calloc(1, sizeof *wr);
    wr->db = db;
    wr->group = group;
    wr->wait_ms = wait_ms;
    wr->tail = &wr->head;
    pthread_mutex_init(&wr->lock, NULL);
    pthread_cond_init(&wr->wake, NULL);
    if (pthread_create(&wr->thread, NULL, writer_main, wr) != 0) {
        pthread_cond_destroy(&wr->wake);
        pthread_mutex_destroy(&wr->lock);
        souk_free(wr);
        return souk_err_set(err, SOUK_EIO, NULL, "cannot start the intake writer thread");
    }
    *out = wr;
    return SOUK_OK;
}

bool souk_http__writer_submit(struct souk_http__writer *wr, struct souk_http__write *w)
{
    w->next = NULL;
    w->queued_us = souk_time_monotonic_us();
    pthread_mutex_lock(&wr->lock);
    bool open = !wr->stopping;
    if (open) {
        *wr->tail = w;
        wr->tail = &w->next;
        __atomic_add_fetch(&wr->stats.queued, 1, __ATOMIC_RELAXED);
        pthread_cond_signal(&wr->wake);
    }
    pthread_mutex_unlock(&wr->lock);
    return open;
}

void souk_http__writer_stop(struct souk_http__writer *wr)
{
    pthread_mutex_lock(&wr->lock);
    bool running = !wr->stopping;
    wr->stopping = true;
    pthread_cond_signal(&wr->wake);
    pthread_mutex_unlock(&wr->lock);
    if (running)
        pthread_join(wr->thread, NULL);
}

void souk_http__writer_free(struct souk_http__writer *wr)
{
    if (!wr)
        return;
    souk_http__writer_stop(wr);
    pthread_cond_destroy(&wr->wake);
    pthread_mutex_destroy(&wr->lock);
    souk_free(wr);
}

void souk_http__writer_get_stats(struct souk_http__writer *wr,
                                 struct souk_http__writer_stats *out)
{
    out->queued = __atomic_load_n(&wr->stats.queued, __ATOMIC_RELAXED);
    out->batches = __atomic_load_n(&wr->stats.batches, __ATOMIC_RELAXED);
    out->writes = __atomic_load_n(&wr->stats.writes, __ATOMIC_RELAXED);
    out->shed = __atomic_load_n(&wr->stats.shed, __ATOMIC_RELAXED);
}

/* db: see db.h. The engine-neutral half: connection set, statement cache, transactions,
 * migrations. */
#include "db/db.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "core/alloc.h"
#include "core/time.h"
#include "db/db_int.h"
#include "db/migrate.h"

#define STMT_BUCKETS 64
#define MAX_BATCH 512 /* a group commit never waits for more transactions than this */
#define RECENT_SLOTS 128 /* direct-mapped by the address of the SQL text */

struct souk_db_stmt {
    void *impl;
    struct souk_db_conn *conn;
    char *sql; /* owned copy: the cache key */
    uint64_t hash;
    struct souk_db_stmt *next;      /* bucket chain */
    struct souk_db_stmt *next_used; /* handed out in the current transaction */
    bool used;
};

struct souk_db_conn {
    struct souk_db *db;
    void *impl;
    bool in_txn;
    bool holds_writer; /* this connection holds db->writer */
    int savepoints;    /* depth of open savepoints */
    bool in_use;
    /* In a grouped write transaction: the writer connection that does this one's work. */
    struct souk_db_conn *writer;
    bool bare; /* joined the group without a savepoint of its own (SOUK_DB_WRITE_BATCH) */
    struct souk_db_stmt *buckets[STMT_BUCKETS];
    struct souk_db_stmt *used; /* statements to reset when the transaction ends */
    /* souk_db_defer's work for the batch this writer connection holds, one per fn and key. */
    struct deferred {
        souk_db_deferred_fn fn;
        uint64_t hash; /* of key */
        char *key;
    } *deferred;
    size_t ndeferred, deferred_cap;
    size_t *deferred_slots; /* open addressing over deferred: index + 1, 0 is free */
    size_t nslots;          /* a power of two, at least twice deferred_cap */
    /* Callers pass SQL literals, so the text's address finds its statement without hashing
     * the text; a full comparison still confirms the hit. */
    struct {
        const char *sql;
        struct souk_db_stmt *st;
    } recent[RECENT_SLOTS];
};

struct souk_db {
    const struct souk_db__engine *engine;
    pthread_mutex_t lock; /* guards in_use flags of conns */
    pthread_cond_t freed;
    pthread_mutex_t writer; /* one write transaction at a time */
    int nconns;
    struct souk_db_conn *conns;
    struct souk_db_stats stats; /* atomic counters */

    /* Group commit (see db.h); everything below is guarded by `writer`. */
    bool group_commit;
    struct souk_db_conn *wconn;  /* the writer connection */
    pthread_cond_t batch_done;   /* signalled after each physical commit */
    int lock_waiters;            /* threads waiting for `writer` (atomic) */
    int write_wait_ms;           /* see souk_db_options */
    bool batch_open;             /* wconn has an open transaction */
    int batch_members;           /* write transactions released into it */
    uint64_t batch_seq;          /* the batch being filled */
    uint64_t committed_seq;      /* the last batch that finished committing */
    uint64_t failed_seq;         /* the last batch whose commit failed, and why */
    int failed_rc;
};

/* Runs a transaction-control statement (BEGIN, COMMIT, SAVEPOINT, ...) on conn's engine
 * connection from the statement cache. */
static int control(struct souk_db_conn *conn, const char *sql, struct souk_err *err);

/* Where a connection's statements run: the writer while it is in a grouped write. */
static struct souk_db_conn *run_on(struct souk_db_conn *conn)
{
    return conn->writer ? conn->writer : conn;
}

static uint64_t hash_text(const char *sql)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 1099511628211ULL;
    return h;
}

int souk_db_open(const char *spec, const struct souk_db_options *opts, struct souk_db **out,
                 struct souk_err *err)
{
    const struct souk_db__engine *engine;
    const char *target;
    if (strncmp(spec, "sqlite:", 7) == 0 && spec[7] != '\0') {
        engine = &souk_db__sqlite;
        target = spec + 7;
    } else if (strncmp(spec, "postgres://", 11) == 0 || strncmp(spec, "postgresql://", 13) == 0) {
        return souk_err_set(err, SOUK_EINVAL, "db",
                            "PostgreSQL is not supported by this build yet; use sqlite:PATH");
    } else {
        return souk_err_set(err, SOUK_EINVAL, "db", "unknown database \"%s\": expected sqlite:PATH",
                            spec);
    }
    int n = opts && opts->connections > 0 ? opts->connections : 1;
    struct souk_db *db = souk_calloc(1, sizeof *db);
    db->engine = engine;
    db->conns = souk_calloc((size_t)n, sizeof *db->conns);
    pthread_mutex_init(&db->lock, NULL);
    pthread_cond_init(&db->freed, NULL);
    pthread_mutex_init(&db->writer, NULL);
    pthread_cond_init(&db->batch_done, NULL);
    db->group_commit = opts && opts->group_commit;
    db->write_wait_ms = opts && opts->write_wait_ms > 0 ? opts->write_wait_ms : 0;
    db->batch_seq = 1;
    if (db->group_commit) { /* one more connection, kept out of the shared set */
        db->wconn = souk_calloc(1, sizeof *db->wconn);
        db->wconn->db = db;
        int rc = engine->open(target, &db->wconn->impl, err);
        if (rc != SOUK_OK) {
            souk_free(db->wconn);
            db->wconn = NULL;
            souk_db_close(db);
            return rc;
        }
    }
    for (int i = 0; i < n; i++) {
        db->conns[i].db = db;
        int rc = engine->open(target, &db->conns[i].impl, err);
        if (rc != SOUK_OK) {
            souk_db_close(db);
            return rc;
        }
        db->nconns = i + 1;
    }
    *out = db;
    return SOUK_OK;
}

static void drop_statements(struct souk_db_conn *conn)
{
    for (int b = 0; b < STMT_BUCKETS; b++) {
        struct souk_db_stmt *st = conn->buckets[b];
        while (st) {
            struct souk_db_stmt *next = st->next;
            conn->db->engine->finalize(st->impl);
            souk_free(st->sql);
            souk_free(st);
            st = next;
        }
        conn->buckets[b] = NULL;
    }
    memset(conn->recent, 0, sizeof conn->recent);
    conn->used = NULL;
}

static void drop_deferred(struct souk_db_conn *conn)
{
    for (size_t i = 0; i < conn->ndeferred; i++)
        souk_free(conn->deferred[i].key);
    conn->ndeferred = 0;
    if (conn->nslots)
        memset(conn->deferred_slots, 0, conn->nslots * sizeof *conn->deferred_slots);
}

void souk_db_close(struct souk_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->nconns; i++) {
        drop_statements(&db->conns[i]);
        db->engine->close(db->conns[i].impl);
    }
    if (db->wconn) {
        drop_deferred(db->wconn);
        souk_free(db->wconn->deferred);
        souk_free(db->wconn->deferred_slots);
        drop_statements(db->wconn);
        db->engine->close(db->wconn->impl);
        souk_free(db->wconn);
    }
    pthread_cond_destroy(&db->batch_done);
    pthread_mutex_destroy(&db->writer);
    pthread_cond_destroy(&db->freed);
    pthread_mutex_destroy(&db->lock);
    souk_free(db->conns);
    souk_free(db);
}

struct souk_db_conn *souk_db_acquire(struct souk_db *db)
{
    pthread_mutex_lock(&db->lock);
    for (;;) {
        for (int i = 0; i < db->nconns; i++) {
            if (!db->conns[i].in_use) {
                db->conns[i].in_use = true;
                pthread_mutex_unlock(&db->lock);
                return &db->conns[i];
            }
        }
        pthread_cond_wait(&db->freed, &db->lock);
    }
}

void souk_db_release(struct souk_db_conn *conn)
{
    if (!conn)
        return;
    souk_db_rollback(conn);
    struct souk_db *db = conn->db;
    pthread_mutex_lock(&db->lock);
    conn->in_use = false;
    pthread_cond_signal(&db->freed);
    pthread_mutex_unlock(&db->lock);
}

/* Resets what this transaction used (not every cached statement: commits stay O(work)). */
static void reset_statements(struct souk_db_conn *conn)
{
    for (struct souk_db_stmt *st = conn->used, *next; st; st = next) {
        next = st->next_used;
        conn->db->engine->reset(st->impl);
        st->used = false;
        st->next_used = NULL;
    }
    conn->used = NULL;
}

static void end_txn(struct souk_db_conn *conn)
{
    conn->in_txn = false;
    conn->savepoints = 0;
    conn->writer = NULL;
    conn->bare = false;
    if (conn->holds_writer) {
        conn->holds_writer = false;
        pthread_mutex_unlock(&conn->db->writer);
    }
}

/* ---- group commit (db.h): all of it runs with db->writer held ---- */

/* Takes the writer, waiting at most write_wait_ms; SOUK_EAGAIN when that passes first. */
static int lock_writer(struct souk_db *db, struct souk_err *err)
{
    __atomic_add_fetch(&db->lock_waiters, 1, __ATOMIC_SEQ_CST);
    int rc = 0;
    if (db->write_wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += db->write_wait_ms / 1000;
        until.tv_nsec += (long)(db->write_wait_ms % 1000) * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        rc = pthread_mutex_timedlock(&db->writer, &until);
    } else {
        rc = pthread_mutex_lock(&db->writer);
    }
    int waiting = __atomic_sub_fetch(&db->lock_waiters, 1, __ATOMIC_SEQ_CST);
    if (rc == 0)
        return SOUK_OK;
    __atomic_add_fetch(&db->stats.refused, 1, __ATOMIC_RELAXED);
    return souk_err_set(err, SOUK_EAGAIN, NULL,
                        "the store is busy (%d writes queued for over %d ms): retry shortly",
                        waiting + 1, db->write_wait_ms);
}

/* Runs the batch's deferred work on the writer connection, in its transaction. */
static int run_deferred(struct souk_db *db, struct souk_err *err)
{
    struct souk_db_conn *w = db->wconn;
    int rc = SOUK_OK;
    for (size_t i = 0; i < w->ndeferred && rc == SOUK_OK; i++)
        rc = w->deferred[i].fn(w, w->deferred[i].key, err);
    reset_statements(w);
    return rc;
}

/* Closes the batch being filled and wakes whoever waits for it. */
static void end_batch(struct souk_db *db)
{
    drop_deferred(db->wconn);
    db->committed_seq = db->batch_seq;
    db->batch_seq++;
    db->batch_open = false;
    db->batch_members = 0;
    pthread_cond_broadcast(&db->batch_done);
}

/* Rolls the whole open batch back: its members learn it as a failed commit. */
static void abandon_batch(struct souk_db *db, int rc)
{
    (void)control(db->wconn, "ROLLBACK", NULL);
    db->failed_seq = db->batch_seq;
    db->failed_rc = rc;
    end_batch(db);
}

/* Commits the open batch (one fsync for all its members) and wakes whoever waits for it. */
static void commit_batch(struct souk_db *db)
{
    struct souk_err err = SOUK_ERR_INIT;
    int rc = db->batch_members > 0 ? run_deferred(db, &err) : SOUK_OK;
    if (rc == SOUK_OK)
        rc = db->batch_members > 0 ? control(db->wconn, "COMMIT", &err)
                                   : control(db->wconn, "ROLLBACK", &err);
    if (rc != SOUK_OK) {
        abandon_batch(db, rc);
        return;
    }
    if (db->batch_members > 0) {
        __atomic_add_fetch(&db->stats.commits, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&db->stats.write_transactions, (uint64_t)db->batch_members,
                           __ATOMIC_RELAXED);
    }
    end_batch(db);
}

/*
 * Ends a turn at the writer. The batch is committed by the last member in line: when nobody
 * waits for the writer (or the batch is full) this thread commits it; otherwise the next one
 * will. Then, for a member (mine != 0), waits until its batch is on disk.
 */
static int finish_turn(struct souk_db *db, uint64_t mine, struct souk_err *err)
{
    int waiting = __atomic_load_n(&db->lock_waiters, __ATOMIC_SEQ_CST);
    if (db->batch_open && (waiting == 0 || db->batch_members >= MAX_BATCH))
        commit_batch(db);
    while (mine && db->committed_seq < mine)
        pthread_cond_wait(&db->batch_done, &db->writer);
    if (mine && db->failed_seq == mine)
        return souk_err_set(err, db->failed_rc, NULL,
                            "the store could not commit this write; nothing was saved");
    return SOUK_OK;
}

static int begin_grouped(struct souk_db_conn *conn, bool bare, struct souk_err *err)
{
    struct souk_db *db = conn->db;
    int locked = lock_writer(db, err);
    if (locked != SOUK_OK)
        return locked;
    conn->holds_writer = true;
    int rc = SOUK_OK;
    if (!db->batch_open) {
        rc = control(db->wconn, db->engine->begin_write_sql, err);
        db->batch_open = rc == SOUK_OK;
    }
    if (rc == SOUK_OK && !bare)
        rc = control(db->wconn, "SAVEPOINT souk_txn", err);
    if (rc != SOUK_OK) {
        (void)finish_turn(db, 0, NULL);
        end_txn(conn);
        return rc;
    }
    conn->writer = db->wconn;
    conn->bare = bare;
    conn->in_txn = true;
    return SOUK_OK;
}

static int commit_grouped(struct souk_db_conn *conn, struct souk_err *err)
{
    struct souk_db *db = conn->db;
    reset_statements(db->wconn);
    int rc = conn->bare ? SOUK_OK : control(db->wconn, "RELEASE souk_txn", err);
    uint64_t mine = 0;
    if (rc == SOUK_OK) {
        db->batch_members++;
        mine = db->batch_seq;
    } else {
        (void)control(db->wconn, "ROLLBACK TO souk_txn", NULL);
        (void)control(db->wconn, "RELEASE souk_txn", NULL);
    }
    int turn = finish_turn(db, mine, err);
    end_txn(conn);
    return rc != SOUK_OK ? rc : turn;
}

static void rollback_grouped(struct souk_db_conn *conn)
{
    struct souk_db *db = conn->db;
    reset_statements(db->wconn);
    if (conn->bare) { /* nothing marks where its work began: the whole batch goes */
        abandon_batch(db, SOUK_EIO);
        end_txn(conn);
        return;
    }
    (void)control(db->wconn, "ROLLBACK TO souk_txn", NULL);
    (void)control(db->wconn, "RELEASE souk_txn", NULL);
    (void)finish_turn(db, 0, NULL);
    end_txn(conn);
}

void souk_db_get_stats(struct souk_db *db, struct souk_db_stats *out)
{
    /* Atomics, not the writer lock: /metrics must answer while a burst holds the writer. */
    out->commits = __atomic_load_n(&db->stats.commits, __ATOMIC_RELAXED);
    out->write_transactions = __atomic_load_n(&db->stats.write_transactions, __ATOMIC_RELAXED);
    out->refused = __atomic_load_n(&db->stats.refused, __ATOMIC_RELAXED);
}

int souk_db_begin(struct souk_db_conn *conn, enum souk_db_txn kind, struct souk_err *err)
{
    if (conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "transaction already open");
    if (kind != SOUK_DB_READ && conn->db->group_commit)
        return begin_grouped(conn, kind == SOUK_DB_WRITE_BATCH, err);
    const char *sql = conn->db->engine->begin_read_sql;
    if (kind != SOUK_DB_READ) {
        int locked = lock_writer(conn->db, err);
        if (locked != SOUK_OK)
            return locked;
        conn->holds_writer = true;
        sql = conn->db->engine->begin_write_sql;
    }
    int rc = control(conn, sql, err);
    if (rc != SOUK_OK) {
        end_txn(conn);
        return rc;
    }
    conn->in_txn = true;
    return SOUK_OK;
}
int souk_db_commit(struct souk_db_conn *conn, struct souk_err *err)
{
    if (!conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "no transaction to commit");
    if (conn->writer)
        return commit_grouped(conn, err);
    reset_statements(conn);
    int rc = control(conn, "COMMIT", err);
    if (rc != SOUK_OK)
        (void)control(conn, "ROLLBACK", NULL);
    else if (conn->holds_writer) {
        __atomic_add_fetch(&conn->db->stats.commits, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&conn->db->stats.write_transactions, 1, __ATOMIC_RELAXED);
    }
    end_txn(conn);
    return rc;
}
void souk_db_rollback(struct souk_db_conn *conn)
{
    if (!conn->in_txn)
        return;
    if (conn->writer) {
        rollback_grouped(conn);
        return;
    }
    reset_statements(conn);
    (void)control(conn, "ROLLBACK", NULL);
    end_txn(conn);
}
bool souk_db_in_txn(const struct souk_db_conn *conn)
{
    return conn->in_txn;
}

/* The first free slot on h's probe sequence (there is always one: slots outnumber work). */
static size_t *free_slot(struct souk_db_conn *w, uint64_t h)
{
    size_t i = h & (w->nslots - 1);
    while (w->deferred_slots[i])
        i = (i + 1) & (w->nslots - 1);
    return &w->deferred_slots[i];
}

int souk_db_defer(struct souk_db_conn *conn, souk_db_deferred_fn fn, const char *key,
                  struct souk_err *err)
{
    if (!conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "deferred work outside a transaction");
    if (!conn->writer)
        return fn(conn, key, err);
    struct souk_db_conn *w = conn->writer;
    if (w->ndeferred == w->deferred_cap) {
        w->deferred_cap = w->deferred_cap ? 2 * w->deferred_cap : 16;
        w->deferred = souk_realloc(w->deferred, w->deferred_cap * sizeof *w->deferred);
        w->nslots = 2 * w->deferred_cap;
        souk_free(w->deferred_slots);
        w->deferred_slots = souk_calloc(w->nslots, sizeof *w->deferred_slots);
        for (size_t i = 0; i < w->ndeferred; i++)
            *free_slot(w, w->deferred[i].hash) = i + 1;
    }
    uint64_t h = hash_text(key) ^ (uint64_t)(uintptr_t)fn;
    size_t i = h & (w->nslots - 1);
    for (; w->deferred_slots[i]; i = (i + 1) & (w->nslots - 1)) {
        const struct deferred *d = &w->deferred[w->deferred_slots[i] - 1];
        if (d->fn == fn && d->hash == h && strcmp(d->key, key) == 0)
            return SOUK_OK; /* already due in this batch */
    }
    w->deferred[w->ndeferred] = (struct deferred){fn, h, souk_strdup(key)};
    w->deferred_slots[i] = ++w->ndeferred;
    return SOUK_OK;
}

int64_t souk_db_total_changes(struct souk_db_conn *conn)
{
    return conn->db->engine->total_changes(run_on(conn)->impl);
}

int souk_db_savepoint(struct souk_db_conn *conn, struct souk_err *err)
{
    if (!conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "savepoint outside a transaction");
    int rc = control(run_on(conn), "SAVEPOINT souk_sp", err);
    if (rc == SOUK_OK)
        conn->savepoints++;
    return rc;
}

int souk_db_savepoint_release(struct souk_db_conn *conn, struct souk_err *err)
{
    if (conn->savepoints == 0)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "no savepoint to release");
    conn->savepoints--;
    return control(run_on(conn), "RELEASE SAVEPOINT souk_sp", err);
}

int souk_db_savepoint_rollback(struct souk_db_conn *conn, struct souk_err *err)
{
    if (conn->savepoints == 0)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "no savepoint to roll back to");
    reset_statements(run_on(conn));
    int rc = control(run_on(conn), "ROLLBACK TO SAVEPOINT souk_sp", err);
    if (rc == SOUK_OK)
        rc = souk_db_savepoint_release(conn, err);
    return rc;
}

int souk_db_exec(struct souk_db_conn *conn, const char *sql, struct souk_err *err)
{
    return conn->db->engine->exec(run_on(conn)->impl, sql, err);
}
static int lookup_or_prepare(struct souk_db_conn *conn, const char *sql, struct souk_db_stmt **out,
                             struct souk_err *err)
{
    uint64_t h = hash_text(sql);
    struct souk_db_stmt **bucket = &conn->buckets[h % STMT_BUCKETS];
    for (struct souk_db_stmt *st = *bucket; st; st = st->next) {
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            conn->db->engine->reset(st->impl);
            *out = st;
            return SOUK_OK;
        }
    }
    void *impl = NULL;
    int rc = conn->db->engine->prepare(conn->impl, sql, &impl, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_db_stmt *st = souk_calloc(1, sizeof *st);
    st->impl = impl;
    st->conn = conn;
    st->sql = souk_strdup(sql);
    st->hash = h;
    st->next = *bucket;
    *bucket = st;
    *out = st;
    return SOUK_OK;
}

static size_t recent_slot(const char *sql)
{
    return ((uintptr_t)sql >> 3) % RECENT_SLOTS;
}

static void mark_used(struct souk_db_conn *conn, struct souk_db_stmt *st)
{
    if (st->used)
        return;
    st->used = true;
    st->next_used = conn->used;
    conn->used = st;
}

/*
 * Prepared once per connection, not parsed on every call as an exec would be: the intake
 * writer opens and releases a savepoint per request, and SQLite's parser allocates a large
 * state for each parse. The statement is reset at once, so it never holds a read open.
 */
static int control(struct souk_db_conn *conn, const char *sql, struct souk_err *err)
{
    size_t slot = recent_slot(sql);
    struct souk_db_stmt *st = conn->recent[slot].st;
    int rc = SOUK_OK;
    if (conn->recent[slot].sql != sql || strcmp(st->sql, sql) != 0) {
        rc = lookup_or_prepare(conn, sql, &st, err);
        if (rc == SOUK_OK) {
            conn->recent[slot].sql = sql;
            conn->recent[slot].st = st;
        }
    }
    if (rc == SOUK_OK) {
        rc = conn->db->engine->step(st->impl, err);
        conn->db->engine->reset(st->impl);
    }
    return rc < 0 ? rc : SOUK_OK;
}

int souk_db_prepare(struct souk_db_conn *conn, const char *sql, struct souk_db_stmt **out,
                    struct souk_err *err)
{
    conn = run_on(conn);
    size_t slot = recent_slot(sql);
    if (conn->recent[slot].sql == sql && strcmp(conn->recent[slot].st->sql, sql) == 0) {
        conn->db->engine->reset(conn->recent[slot].st->impl);
        *out = conn->recent[slot].st;
        mark_used(conn, *out);
        return SOUK_OK;
    }
    int rc = lookup_or_prepare(conn, sql, out, err);
    if (rc == SOUK_OK) {
        conn->recent[slot].sql = sql;
        conn->recent[slot].st = *out;
        mark_used(conn, *out);
    }
    return rc;
}

int souk_db_bind_i64(struct souk_db_stmt *st, int index, int64_t value)
{
    return st->conn->db->engine->bind_i64(st->impl, index, value);
}

int souk_db_bind_text(struct souk_db_stmt *st, int index, struct souk_str value)
{
    return st->conn->db->engine->bind_text(st->impl, index, value.ptr, value.len);
}

int souk_db_bind_null(struct souk_db_stmt *st, int index)
{
    return st->conn->db->engine->bind_null(st->impl, index);
}

int souk_db_bind_opt_text(struct souk_db_stmt *st, int index, struct souk_str value)
{
    return value.ptr ? souk_db_bind_text(st, index, value) : souk_db_bind_null(st, index);
}

int souk_db_vbind(struct souk_db_stmt *st, const char *spec, va_list ap)
{
    /* A spec that does not cover every parameter is a caller's typo: fail it loudly. */
    if ((int)strlen(spec) != st->conn->db->engine->param_count(st->impl))
        return SOUK_EINTERNAL;
    int rc = SOUK_OK;
    for (int i = 0; spec[i] && rc == SOUK_OK; i++) {
        int64_t n;
        switch (spec[i]) {
        case 's':
            rc = souk_db_bind_opt_text(st, i + 1, souk_str_from_opt(va_arg(ap, const char *)));
            break;
        case 'i':
            rc = souk_db_bind_i64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 'n':
            n = va_arg(ap, int64_t);
            rc = n == INT64_MIN ? souk_db_bind_null(st, i + 1) : souk_db_bind_i64(st, i + 1, n);
            break;
        default:
            rc = SOUK_EINTERNAL; /* a typo in a spec: caught by the first test that runs it */
        }
    }
    return rc;
}

int souk_db_bind(struct souk_db_stmt *st, const char *spec, ...)
{
    va_list ap;
    va_start(ap, spec);
    int rc = souk_db_vbind(st, spec, ap);
    va_end(ap);
    return rc;
}

int souk_db_query(struct souk_db_conn *conn, struct souk_err *err, struct souk_db_stmt **out,
                  const char *sql, const char *spec, ...)
{
    int rc = souk_db_prepare(conn, sql, out, err);
    if (rc != SOUK_OK)
        return rc;
    va_list ap;
    va_start(ap, spec);
    rc = souk_db_vbind(*out, spec, ap);
    va_end(ap);
    if (rc != SOUK_OK)
        return souk_err_set(err, rc, NULL, "binding a statement failed");
    return souk_db_step(*out, err);
}

int64_t souk_db_run_sql(struct souk_db_conn *conn, struct souk_err *err, const char *sql,
                        const char *spec, ...)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, sql, &st, err);
    if (rc != SOUK_OK)
        return rc;
    va_list ap;
    va_start(ap, spec);
    rc = souk_db_vbind(st, spec, ap);
    va_end(ap);
    if (rc != SOUK_OK)
        return souk_err_set(err, rc, NULL, "binding a statement failed");
    return souk_db_run(st, err);
}

int souk_db_step(struct souk_db_stmt *st, struct souk_err *err)
{
    return st->conn->db->engine->step(st->impl, err);
}

int64_t souk_db_run(struct souk_db_stmt *st, struct souk_err *err)
{
    int rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    int64_t changed = st->conn->db->engine->changes(st->conn->impl);
    st->conn->db->engine->reset(st->impl);
    return changed;
}

int64_t souk_db_col_i64(struct souk_db_stmt *st, int col)
{
    return st->conn->db->engine->col_i64(st->impl, col);
}

struct souk_str souk_db_col_text(struct souk_db_stmt *st, int col)
{
    return st->conn->db->engine->col_text(st->impl, col);
}

bool souk_db_col_is_null(struct souk_db_stmt *st, int col)
{
    return st->conn->db->engine->col_is_null(st->impl, col);
}

/* ---- migrations ---- */

static const char create_migrations_table[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

static int applied_version(struct souk_db_conn *conn, int64_t *out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc =
        souk_db_prepare(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st, err);
    if (rc != SOUK_OK)
        return rc;
    rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    *out = souk_db_col_i64(st, 0);
    /* Step past the one row: SQLite refuses a DROP in a migration while a read is unfinished. */
    rc = souk_db_step(st, err);
    return rc < 0 ? rc : SOUK_OK;
}

int souk_db_schema_version(struct souk_db *db, int64_t *out, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_exec(conn, create_migrations_table, err);
    if (rc == SOUK_OK)
        rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = applied_version(conn, out, err);
    souk_db_release(conn);
    return rc;
}

static int apply_one(struct souk_db_conn *conn, const struct souk_migration *m,
                     struct souk_err *err)
{
    int64_t current = 0;
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    if (rc != SOUK_OK)
        return rc;
    /* Re-read inside the write transaction: another process may have migrated meanwhile. */
    rc = applied_version(conn, &current, err);
    if (rc != SOUK_OK || current >= m->version)
        goto out_rollback;
    rc = souk_db_exec(conn, m->sql, err);
    if (rc != SOUK_OK) {
        souk_err_detail(err, "migration %s failed", m->name);
        goto out_rollback;
    }
    struct souk_db_stmt *st;
    rc = souk_db_prepare(conn,
                         "INSERT INTO schema_migrations (version, name, applied_at)"
                         " VALUES ($1, $2, $3)",
                         &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind_i64(st, 1, m->version);
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 2, souk_str_from(m->name));
    if (rc == SOUK_OK)
        rc = souk_db_bind_i64(st, 3, souk_time_now_us());
    if (rc == SOUK_OK) {
        int64_t changed = souk_db_run(st, err);
        rc = changed < 0 ? (int)changed : SOUK_OK;
    }
    if (rc != SOUK_OK)
        goto out_rollback;
    return souk_db_commit(conn, err);

out_rollback:
    souk_db_rollback(conn);
    return rc;
}

int souk_db_migrate(struct souk_db *db, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_exec(conn, create_migrations_table, err);
    for (size_t i = 0; i < souk_migrations_count && rc == SOUK_OK; i++)
        rc = apply_one(conn, &souk_migrations[i], err);
    souk_db_release(conn);
    return rc;
}

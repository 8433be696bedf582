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
    struct souk_db_stmt *buckets[STMT_BUCKETS];
    struct souk_db_stmt *used; /* statements to reset when the transaction ends */
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
};

static uint64_t hash_sql(const char *sql)
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

void souk_db_close(struct souk_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->nconns; i++) {
        drop_statements(&db->conns[i]);
        db->engine->close(db->conns[i].impl);
    }
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
    if (conn->holds_writer) {
        conn->holds_writer = false;
        pthread_mutex_unlock(&conn->db->writer);
    }
}

int souk_db_begin(struct souk_db_conn *conn, enum souk_db_txn kind, struct souk_err *err)
{
    if (conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "transaction already open");
    const char *sql = conn->db->engine->begin_read_sql;
    if (kind == SOUK_DB_WRITE) {
        pthread_mutex_lock(&conn->db->writer);
        conn->holds_writer = true;
        sql = conn->db->engine->begin_write_sql;
    }
    int rc = conn->db->engine->exec(conn->impl, sql, err);
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
    reset_statements(conn);
    int rc = conn->db->engine->exec(conn->impl, "COMMIT", err);
    if (rc != SOUK_OK)
        (void)conn->db->engine->exec(conn->impl, "ROLLBACK", NULL);
    end_txn(conn);
    return rc;
}

void souk_db_rollback(struct souk_db_conn *conn)
{
    if (!conn->in_txn)
        return;
    reset_statements(conn);
    (void)conn->db->engine->exec(conn->impl, "ROLLBACK", NULL);
    end_txn(conn);
}

bool souk_db_in_txn(const struct souk_db_conn *conn)
{
    return conn->in_txn;
}

int souk_db_savepoint(struct souk_db_conn *conn, struct souk_err *err)
{
    if (!conn->in_txn)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "savepoint outside a transaction");
    int rc = conn->db->engine->exec(conn->impl, "SAVEPOINT souk_sp", err);
    if (rc == SOUK_OK)
        conn->savepoints++;
    return rc;
}

int souk_db_savepoint_release(struct souk_db_conn *conn, struct souk_err *err)
{
    if (conn->savepoints == 0)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "no savepoint to release");
    conn->savepoints--;
    return conn->db->engine->exec(conn->impl, "RELEASE SAVEPOINT souk_sp", err);
}

int souk_db_savepoint_rollback(struct souk_db_conn *conn, struct souk_err *err)
{
    if (conn->savepoints == 0)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "no savepoint to roll back to");
    reset_statements(conn);
    int rc = conn->db->engine->exec(conn->impl, "ROLLBACK TO SAVEPOINT souk_sp", err);
    if (rc == SOUK_OK)
        rc = souk_db_savepoint_release(conn, err);
    return rc;
}

int souk_db_exec(struct souk_db_conn *conn, const char *sql, struct souk_err *err)
{
    return conn->db->engine->exec(conn->impl, sql, err);
}

static int lookup_or_prepare(struct souk_db_conn *conn, const char *sql, struct souk_db_stmt **out,
                             struct souk_err *err)
{
    uint64_t h = hash_sql(sql);
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

int souk_db_prepare(struct souk_db_conn *conn, const char *sql, struct souk_db_stmt **out,
                    struct souk_err *err)
{
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
    return SOUK_OK;
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

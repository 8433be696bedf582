/*
 * sqlite: the SQLite backend of db/. The only file that includes sqlite3.h.
 *
 * Connections are opened without SQLite's own mutexes (each is used by one thread at a time,
 * which db.c guarantees) and configured for durability: WAL journal, synchronous=FULL (every
 * commit is fsynced before it is acknowledged), foreign keys enforced.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "core/alloc.h"
#include "db/db_int.h"

static int map_error(sqlite3 *handle, int rc, struct souk_err *err)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        code = rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                   ? SOUK_ECONFLICT
                   : SOUK_EUNPROC;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = SOUK_EAGAIN;
        break;
    case SQLITE_TOOBIG:
        code = SOUK_ETOOBIG;
        break;
    default:
        code = SOUK_EIO;
    }
    souk_err_set(err, code, NULL, NULL);
    souk_err_detail(err, "sqlite: %s (%d)", handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc),
                    rc);
    return code;
}

/*
 * Process-wide settings, before SQLite initializes: no memory statistics, which take a global
 * mutex on every allocation of every connection. A process that initialized SQLite before
 * keeps its own settings; nothing depends on them but speed.
 */
static void configure_sqlite(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_open(const char *target, void **conn, struct souk_err *err)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
    sqlite3 *handle = NULL;
    int rc = sqlite3_open_v2(target, &handle,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        souk_err_set(err, SOUK_EIO, NULL, "cannot open SQLite database %s: %s", target,
                     handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
        sqlite3_close(handle);
        return SOUK_EIO;
    }
    sqlite3_extended_result_codes(handle, 1);
    /* The writer lock in db.c serializes writers; the timeout only covers other processes
     * (souk migrate or import running beside a server). */
    sqlite3_busy_timeout(handle, 10000);
    static const char setup[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    rc = sqlite3_exec(handle, setup, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        souk_err_set(err, SOUK_EIO, NULL, "cannot configure SQLite database %s: %s", target,
                     msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(handle);
        return SOUK_EIO;
    }
    *conn = handle;
    return SOUK_OK;
}

static void sq_close(void *conn)
{
    sqlite3_close(conn);
}

static int sq_exec(void *conn, const char *sql, struct souk_err *err)
{
    int rc = sqlite3_exec(conn, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SOUK_OK : map_error(conn, rc, err);
}

/*
 * SQLite reads "$1" as a named parameter whose index is its order of first appearance, so
 * "$2 ... $1" would bind backwards. "?NNN" is numbered, so translate outside string literals.
 */
static char *numbered_params(const char *sql)
{
    size_t len = strlen(sql);
    char *out = souk_malloc(len + 1);
    char quote = 0;
    for (size_t i = 0; i <= len; i++) {
        char c = sql[i];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '?';
        }
        out[i] = c;
    }
    return out;
}

static int sq_prepare(void *conn, const char *sql, void **stmt, struct souk_err *err)
{
    char *translated = numbered_params(sql);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(conn, translated, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    souk_free(translated);
    if (rc != SQLITE_OK) {
        rc = map_error(conn, rc, err);
        souk_err_detail(err, "sqlite prepare: %s in: %s", sqlite3_errmsg(conn), sql);
        return rc;
    }
    *stmt = st;
    return SOUK_OK;
}

static void sq_finalize(void *stmt)
{
    sqlite3_finalize(stmt);
}

static void sq_reset(void *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

static int bind_result(void *stmt, int rc)
{
    if (rc == SQLITE_OK)
        return SOUK_OK;
    return rc == SQLITE_RANGE ? SOUK_EINTERNAL : map_error(sqlite3_db_handle(stmt), rc, NULL);
}

static int sq_bind_i64(void *stmt, int index, int64_t value)
{
    return bind_result(stmt, sqlite3_bind_int64(stmt, index, value));
}

static int sq_bind_text(void *stmt, int index, const char *ptr, size_t len)
{
    return bind_result(stmt, sqlite3_bind_text64(stmt, index, ptr ? ptr : "", len,
                                                 SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_null(void *stmt, int index)
{
    return bind_result(stmt, sqlite3_bind_null(stmt, index));
}

static int sq_step(void *stmt, struct souk_err *err)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return map_error(sqlite3_db_handle(stmt), sqlite3_extended_errcode(sqlite3_db_handle(stmt)),
                     err);
}

static int64_t sq_changes(void *conn)
{
    return sqlite3_changes64(conn);
}

static int64_t sq_total_changes(void *conn)
{
    return sqlite3_total_changes64(conn);
}

static int64_t sq_col_i64(void *stmt, int col)
{
    return sqlite3_column_int64(stmt, col);
}

static struct souk_str sq_col_text(void *stmt, int col)
{
    const char *p = (const char *)sqlite3_column_text(stmt, col);
    return (struct souk_str){p, p ? (size_t)sqlite3_column_bytes(stmt, col) : 0};
}

static int sq_param_count(void *stmt)
{
    return sqlite3_bind_parameter_count(stmt);
}

static bool sq_col_is_null(void *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

const struct souk_db__engine souk_db__sqlite = {
    .name = "sqlite",
    .begin_read_sql = "BEGIN DEFERRED",
    .begin_write_sql = "BEGIN IMMEDIATE",
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .changes = sq_changes,
    .total_changes = sq_total_changes,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_is_null = sq_col_is_null,
    .param_count = sq_param_count,
};

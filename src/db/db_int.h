/*
 * db_int.h: what db.c needs from an engine backend (sqlite.c now, pg.c with the PostgreSQL
 * issue). Only db/ includes this file. Handles are the engine's own objects, passed as void *.
 */
#ifndef SOUK_DB_DB_INT_H
#define SOUK_DB_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct souk_db__engine {
    const char *name;
    const char *begin_read_sql;
    const char *begin_write_sql;
    int (*open)(const char *target, void **conn, struct souk_err *err);
    void (*close)(void *conn);
    int (*exec)(void *conn, const char *sql, struct souk_err *err);
    int (*prepare)(void *conn, const char *sql, void **stmt, struct souk_err *err);
    void (*finalize)(void *stmt);
    void (*reset)(void *stmt); /* also clears bindings */
    int (*bind_i64)(void *stmt, int index, int64_t value);
    int (*bind_text)(void *stmt, int index, const char *ptr, size_t len);
    int (*bind_null)(void *stmt, int index);
    int (*step)(void *stmt, struct souk_err *err); /* 1 row, 0 done, < 0 error */
    int64_t (*changes)(void *conn);                /* rows the last statement changed */
    int64_t (*total_changes)(void *conn); /* rows every statement completed so far changed */
    int64_t (*col_i64)(void *stmt, int col);
    struct souk_str (*col_text)(void *stmt, int col);
    bool (*col_is_null)(void *stmt, int col);
    int (*param_count)(void *stmt); /* the highest parameter number in the statement */
};

extern const struct souk_db__engine souk_db__sqlite;

#endif

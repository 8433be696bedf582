/* err: the status table and souk_err helpers. */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

struct err_entry {
    const char *type;
    int http;
    const char *message;
};

static const struct err_entry entries[] = {
#define SOUK__ERR_ENTRY(name, type, http, msg) {type, http, msg},
    SOUK_ERR_MAP(SOUK__ERR_ENTRY)
#undef SOUK__ERR_ENTRY
};

static const struct err_entry *lookup(int code)
{
    if (code <= SOUK__ERR_BASE || code >= SOUK__ERR_END)
        return &entries[SOUK_EINTERNAL - SOUK__ERR_BASE - 1];
    return &entries[code - SOUK__ERR_BASE - 1];
}

const char *souk_err_type(int code)
{
    return lookup(code)->type;
}

const char *souk_err_default_message(int code)
{
    return lookup(code)->message;
}

int souk_err_http_status(int code)
{
    return code == SOUK_OK ? 200 : lookup(code)->http;
}

int souk_err_set(struct souk_err *err, int code, const char *param, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->param, sizeof(err->param), "%s", param ? param : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    } else {
        snprintf(err->message, sizeof(err->message), "%s", souk_err_default_message(code));
    }
    err->detail[0] = '\0';
    return code;
}

void souk_err_detail(struct souk_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

void souk_err_clear(struct souk_err *err)
{
    if (err)
        *err = (struct souk_err)SOUK_ERR_INIT;
}

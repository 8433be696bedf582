/*
 * err: souk's one status type.
 *
 * Every fallible function returns int: SOUK_OK (0) or a negative code from SOUK_ERR_MAP.
 * Rich detail travels in an optional struct souk_err out-param: a client-safe message, the
 * offending parameter, and a log-only detail. The table carries each code's API error type and
 * default HTTP status so the HTTP layer maps codes in one place; domain code never picks a status.
 * Depends on libc only.
 */
#ifndef SOUK_CORE_ERR_H
#define SOUK_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define SOUK_MUST_CHECK __attribute__((warn_unused_result))
#define SOUK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

/* XX(name, api error type, default HTTP status, message) */
#define SOUK_ERR_MAP(XX)                                                                           \
    XX(EINVAL, "invalid_request", 400, "the request is invalid")                                  \
    XX(EUNAUTH, "authentication_required", 401, "a valid API key is required")                    \
    XX(EFORBIDDEN, "forbidden", 403, "the API key lacks the scope for this route")                \
    XX(ENOTFOUND, "not_found", 404, "no such resource")                                           \
    XX(EMETHOD, "method_not_allowed", 405, "method not allowed on this resource")                 \
    XX(ECONFLICT, "conflict", 409, "the request conflicts with the current state")                \
    XX(EINFLIGHT, "idempotency_in_flight", 409, "a request with this Idempotency-Key is in flight")\
    XX(EOUTOFSTOCK, "out_of_stock", 409, "there is not enough stock")                             \
    XX(EPRECOND, "precondition_failed", 412, "the resource changed since it was read")            \
    XX(ETOOBIG, "payload_too_large", 413, "the request body is too large")                        \
    XX(EURI, "uri_too_long", 414, "the request line is too long")                                 \
    XX(EMEDIA, "unsupported_media_type", 415, "the body must be application/json")                \
    XX(EEXPECT, "expectation_failed", 417, "the expectation cannot be met")                       \
    XX(EUNPROC, "unprocessable", 422, "the request cannot be processed")                          \
    XX(EIDEMPOTENCY, "idempotency_mismatch", 422,                                                  \
       "this Idempotency-Key was used with a different request")                                   \
    XX(EHEADERS, "request_header_fields_too_large", 431, "the request head is too large")         \
    XX(EAGAIN, "unavailable", 503, "try again later")                                             \
    XX(EDECLINED, "declined", 404, "declined")                                                    \
    XX(EIO, "internal_error", 500, "an input/output error occurred")                              \
    XX(ENOTIMPL, "not_implemented", 501, "not implemented")                                       \
    XX(EVERSION, "http_version_not_supported", 505, "the HTTP version is not supported")          \
    XX(EINTERNAL, "internal_error", 500, "an internal error occurred")

enum souk_status {
    SOUK_OK = 0,
    SOUK__ERR_BASE = -1000,
#define SOUK__ERR_ENUM(name, type, http, msg) SOUK_##name,
    SOUK_ERR_MAP(SOUK__ERR_ENUM)
#undef SOUK__ERR_ENUM
        SOUK__ERR_END
};

/* A rich error. Fields are fixed-size so that reporting an error never allocates. */
struct souk_err {
    int code;          /* SOUK_OK when unset */
    char message[256]; /* client-safe, actionable */
    char param[96];    /* offending field, e.g. "variants[2].gtin"; "" when none */
    char detail[256];  /* log-only: never sent to a client */
};

#define SOUK_ERR_INIT {0, {0}, {0}, {0}}

/* The short API type ("not_found"), the default message and default HTTP status of a code. */
const char *souk_err_type(int code);
const char *souk_err_default_message(int code);
int souk_err_http_status(int code);

/*
 * Records code, param and a formatted message into err (which may be NULL) and returns code, so
 * that report-and-fail is one statement: `return souk_err_set(err, SOUK_EINVAL, "sku", "...")`.
 * A NULL fmt uses the code's default message.
 */
int souk_err_set(struct souk_err *err, int code, const char *param, const char *fmt, ...)
    SOUK_PRINTF(4, 5);

/* Adds a log-only detail to an already set error. */
void souk_err_detail(struct souk_err *err, const char *fmt, ...) SOUK_PRINTF(2, 3);

void souk_err_clear(struct souk_err *err);

#endif

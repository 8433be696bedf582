/* api_int.h: handler prototypes (from routes.def) and helpers shared by the api/ files. */
#ifndef SOUK_API_API_INT_H
#define SOUK_API_API_INT_H

#include "api/api.h"
#include "apikeys/apikeys.h"

#define SOUK_ROUTE(method, pattern, handler, limit, scope, no_txn)                                \
    int handler(struct souk_req *req);
#define SOUK_PREPARED_ROUTE(method, pattern, prepare, handler, limit, scope, fails_clean)          \
    int prepare(struct souk_req *req);                                                             \
    int handler(struct souk_req *req);
#include "api/routes.def"
#undef SOUK_PREPARED_ROUTE
#undef SOUK_ROUTE

#define SOUK_API_DEFAULT_LIMIT 50
#define SOUK_API_MAX_LIMIT 250
#define SOUK_API_MAX_RESPONSE (64 << 20) /* a product with 2048 variants fits many times */

/* Reads `limit` (1..250, default 50) and `after` (a cursor, at most 200 bytes). */
int souk_api__page(struct souk_req *req, int *limit, const char **after) SOUK_MUST_CHECK;

/* Reads an optional query parameter that must be at most max bytes. */
int souk_api__query_text(struct souk_req *req, const char *name, size_t max, const char **out)
    SOUK_MUST_CHECK;

#endif

/* routes: the route table, generated from routes.def. */
#include <string.h>

#include "api/api_int.h"

const struct souk_http_route souk_api_routes[] = {
#define SOUK_ROUTE(method, pattern, handler, limit, scope, no_txn)                                 \
    {SOUK_HTTP_##method, pattern, handler, limit, scope, no_txn, NULL, false},
#define SOUK_PREPARED_ROUTE(method, pattern, prepare, handler, limit, scope, fails_clean)          \
    {SOUK_HTTP_##method, pattern, handler, limit, scope, false, prepare, fails_clean},
#include "api/routes.def"
#undef SOUK_PREPARED_ROUTE
#undef SOUK_ROUTE
};

const size_t souk_api_nroutes = sizeof souk_api_routes / sizeof souk_api_routes[0];

int souk_api__query_text(struct souk_req *req, const char *name, size_t max, const char **out)
{
    *out = souk_req_query(req, name);
    if (*out && strlen(*out) > max)
        return souk_err_set(&req->err, SOUK_EINVAL, name, "%s must be at most %zu bytes", name,
                            max);
    return SOUK_OK;
}

int souk_api__page(struct souk_req *req, int *limit, const char **after)
{
    int64_t n;
    int rc = souk_req_query_int(req, "limit", 1, SOUK_API_MAX_LIMIT, SOUK_API_DEFAULT_LIMIT, &n);
    if (rc != SOUK_OK)
        return rc;
    *limit = (int)n;
    return souk_api__query_text(req, "after", 200, after);
}

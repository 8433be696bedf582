/* router: matches a request path against the route table's patterns. */
#include <string.h>

#include "http/http_int.h"

/* Compares one pattern with a path segment by segment, capturing {name} segments. */
static bool pattern_matches(const char *pattern, const char *path, struct souk_pool *pool,
                            const char **params)
{
    int nparams = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        const char *pend = strchr(pattern, '/'), *send = strchr(path, '/');
        size_t plen = pend ? (size_t)(pend - pattern) : strlen(pattern);
        size_t slen = send ? (size_t)(send - path) : strlen(path);
        if (plen > 2 && pattern[0] == '{') {
            if (slen == 0 || nparams == SOUK_HTTP_MAX_PARAMS)
                return false;
            if (pool)
                params[nparams] = souk_pool_strndup(pool, path, slen);
            nparams++;
        } else if (plen != slen || memcmp(pattern, path, plen) != 0) {
            return false;
        }
        pattern += plen;
        path += slen;
    }
    return *pattern == '\0' && *path == '\0';
}

int souk_http__route_match(const struct souk_http_route *routes, size_t nroutes,
                           enum souk_http_method method, const char *path,
                           struct souk_pool *pool, const char **params, unsigned *allowed)
{
    *allowed = 0;
    for (size_t i = 0; i < nroutes; i++) {
        if (!pattern_matches(routes[i].pattern, path, NULL, NULL))
            continue;
        if (routes[i].method == method) {
            pattern_matches(routes[i].pattern, path, pool, params);
            return (int)i;
        }
        *allowed |= routes[i].method;
    }
    return -1;
}

const char *souk_http__method_name(enum souk_http_method m)
{
    switch (m) {
    case SOUK_HTTP_GET: return "GET";
    case SOUK_HTTP_POST: return "POST";
    case SOUK_HTTP_PUT: return "PUT";
    case SOUK_HTTP_PATCH: return "PATCH";
    case SOUK_HTTP_DELETE: return "DELETE";
    }
    return "OTHER";
}

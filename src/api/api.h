/*
 * api: the REST resources, one file each, as thin handlers (parse -> one domain call ->
 * render). The route table they form is handed to the HTTP server by `souk serve`.
 */
#ifndef SOUK_API_API_H
#define SOUK_API_API_H

#include <stddef.h>

#include "core/cache.h"
#include "http/http.h"

/* What the handlers share, passed to the server as its context (souk serve owns it). */
struct souk_api_context {
    /* Rendered product JSON by (id, locale), checked against the product's version. */
    struct souk_cache *products;
};

extern const struct souk_http_route souk_api_routes[];
extern const size_t souk_api_nroutes;

#endif

/*
 * sim_int.h: what the simulator's files share.
 *
 * A platform is one file (meta.c, tiktok.c, ...) that defines one struct souk_sim__platform:
 * its name, the credentials it reads from the config, its routes (method, path pattern,
 * handler, body limit), how it checks credentials and how it renders an error. server.c holds
 * the table of platforms and runs the same path for every request:
 *   route -> injected fault -> rate limit -> body size -> credentials -> handler -> log.
 * Adding a platform is one file and one line in that table; adding a capability to a platform
 * is one more route in its file.
 *
 * Handlers see a struct souk_sim__req: the request (path captures, query, headers, raw body)
 * and a response they set with souk_sim__reply. What a platform accepted goes into the shared
 * state (state.c), which one mutex guards: handlers take it with souk_sim__lock for the whole
 * of a batch, so a batch is applied at once, as the platforms do.
 */
#ifndef SOUK_SIM_SIM_INT_H
#define SOUK_SIM_SIM_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"
#include "core/str.h"

#define SOUK_SIM_MAX_PARAMS 4       /* {name} captures in one route pattern */
#define SOUK_SIM_MAX_HEADERS 4      /* extra response headers one reply sets */
#define SOUK_SIM_ID_MAX 24          /* ids the sim mints: handles, batch ids, product ids */
#define SOUK_SIM_MAX_ITEMS 200000   /* items one platform holds; more are refused per item */
#define SOUK_SIM_MAX_BATCHES 10000  /* batch results kept per platform, oldest dropped */
#define SOUK_SIM_MAX_LOG 10000      /* logged requests kept per platform, oldest dropped */
#define SOUK_SIM_MAX_DELAY_MS 60000 /* the longest "slow" fault */
#define SOUK_SIM_MAX_FAULTS 1024    /* fault entries queued per platform */

/* The errors every platform renders in its own shape; see each platform's error hook. */
enum souk_sim__error {
    SOUK_SIM__INVALID,      /* a malformed request or parameter (400) */
    SOUK_SIM__NOT_FOUND,    /* no such object (404) */
    SOUK_SIM__TOO_BIG,      /* the body is over the route's limit (413) */
    SOUK_SIM__RATE_LIMITED, /* over the platform's token bucket (429, with Retry-After) */
    SOUK_SIM__UNAVAILABLE,  /* an injected status fault, with the status it names */
};

struct souk_sim__req;

struct souk_sim__route {
    const char *method;  /* "GET" or "POST" */
    /* "/v5/catalogs/items/batch/{batch_id}": {name} matches one non-empty segment, and
     * {name:digits} one made of digits only. A path that fits several routes goes to the one
     * with the most literal segments. */
    const char *pattern;
    void (*handle)(struct souk_sim__req *req); /* always sets a response */
    size_t body_limit;   /* bytes; 0 for a route that takes no body */
};

struct souk_sim__platform {
    const char *name;                /* "meta": config key, ?platform= value, log label */
    const char *const *credentials;  /* config keys this platform reads, NULL-terminated */
    const char *const *defaults;     /* the value of each when the config gives none */
    const struct souk_sim__route *routes;
    size_t nroutes;
    const char *alias_field; /* an item field that also finds an item in /_sim/items, or NULL */
    /* Checks the request's credentials; false once it has replied with the auth error. */
    bool (*authenticate)(struct souk_sim__req *req);
    /* Replies with an error of this kind, HTTP status and message in the platform's shape. */
    void (*error)(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                  const char *message);
};

/* The platforms, one file each. The table that serves them is in server.c. */
extern const struct souk_sim__platform souk_sim__meta;
extern const struct souk_sim__platform souk_sim__tiktok;
extern const struct souk_sim__platform souk_sim__pinterest;
extern const struct souk_sim__platform souk_sim__google;

struct souk_sim__state;

/* What a handler sees. Everything it allocates comes from pool, freed with the request. */
struct souk_sim__req {
    struct souk_pool *pool;
    struct souk_sim__state *state;
    size_t platform; /* index of the platform in the table, for the state calls */
    const struct souk_sim__platform *def;
    const char *const *credential_values; /* parallel to def->credentials */
    const char *method;
    const char *path;
    const struct souk_sim__route *route;     /* the route matched; NULL for /_sim/ */
    const char *params[SOUK_SIM_MAX_PARAMS]; /* path captures, in pattern order */
    struct souk_str body;                    /* the raw bytes, as signed by the client */
    void *data; /* the platform's own: what authenticate parsed, for the handler; pool memory */
    void *_conn;                             /* the MHD connection */

    /* The response, set through souk_sim__reply and souk_sim__add_header. */
    int status;
    json_t *_json; /* owned */
    const char *_header_names[SOUK_SIM_MAX_HEADERS];
    const char *_header_values[SOUK_SIM_MAX_HEADERS];
    size_t _nheaders;
};

/* ---- the request (server.c) ---- */

/* A query parameter (URL-decoded; "" for a bare key) or header; NULL when absent. */
const char *souk_sim__query(struct souk_sim__req *req, const char *name);
const char *souk_sim__header(struct souk_sim__req *req, const char *name);

struct souk_sim__kv {
    const char *key, *value;
};
/* Every query parameter in the order sent, in an array from the pool; returns the count. */
size_t souk_sim__query_all(struct souk_sim__req *req, struct souk_sim__kv **out);

/* The path segment captured by {name} in the route's pattern; NULL when it has none. */
const char *souk_sim__param(struct souk_sim__req *req, const char *name);

/* The configured value of one of the platform's credentials ("" if it is not one). */
const char *souk_sim__credential(struct souk_sim__req *req, const char *name);

/* True when the Authorization header is "Bearer <token>" for exactly this token; the
 * comparison takes the same time wherever the bytes differ. */
bool souk_sim__bearer_is(struct souk_sim__req *req, const char *token);

/* The body as a JSON object; NULL once it has replied with the platform's INVALID error. The
 * caller owns the result. */
json_t *souk_sim__body_json(struct souk_sim__req *req);

/* Sets the response; takes the reference to body. A later call replaces an earlier one. */
void souk_sim__reply(struct souk_sim__req *req, int status, json_t *body);
/* Adds a response header (both strings copied). Past SOUK_SIM_MAX_HEADERS it is dropped. */
void souk_sim__add_header(struct souk_sim__req *req, const char *name, const char *value);

/* ---- what was received (state.c) ---- */

struct souk_sim__state *souk_sim__state_new(size_t nplatforms);
void souk_sim__state_free(struct souk_sim__state *st); /* NULL is fine */
/* Forgets every item, batch and logged request. */
void souk_sim__state_reset(struct souk_sim__state *st);

/* Mints a unique decimal id ("7301000000000001"), as the platforms' numeric ids look. */
void souk_sim__new_id(struct souk_sim__state *st, char out[SOUK_SIM_ID_MAX]);

/* Records one platform request for GET /_sim/requests. Takes the lock itself. */
void souk_sim__log_request(struct souk_sim__state *st, size_t platform, const char *method,
                           const char *path, int status, int64_t duration_us, size_t body_bytes);

/*
 * A handler applies a batch between souk_sim__lock and souk_sim__unlock; the JSON the calls
 * below return is borrowed from the state and valid until the unlock.
 *
 * An item is {"id", "fields": {every field as received, later ones merged over earlier},
 * "quantity", "price", "availability", "created_us", "updated_us"}; the platform fills the
 * three derived members from its own field names after each merge.
 */
void souk_sim__lock(struct souk_sim__state *st);
void souk_sim__unlock(struct souk_sim__state *st);
json_t *souk_sim__item(struct souk_sim__state *st, size_t platform, const char *id);
/* Merges fields (borrowed) into the item with this id, creating it if needed; NULL when the
 * platform already holds SOUK_SIM_MAX_ITEMS other items. */
json_t *souk_sim__item_merge(struct souk_sim__state *st, size_t platform, const char *id,
                             json_t *fields);
bool souk_sim__item_delete(struct souk_sim__state *st, size_t platform, const char *id);
/* Keeps a batch's result under its id (takes the reference), dropping the oldest past
 * SOUK_SIM_MAX_BATCHES. */
void souk_sim__batch_put(struct souk_sim__state *st, size_t platform, const char *id,
                         json_t *result);
json_t *souk_sim__batch(struct souk_sim__state *st, size_t platform, const char *id);

/* For the control endpoints: new references, built under the lock. SIZE_MAX as platform
 * lists the requests of every platform; names gives each platform's name by index. */
json_t *souk_sim__items_json(struct souk_sim__state *st, size_t platform);
json_t *souk_sim__item_json(struct souk_sim__state *st, size_t platform, const char *id,
                            const char *alias_field);
json_t *souk_sim__requests_json(struct souk_sim__state *st, size_t platform,
                                const char *const *names);

/* ---- field checks shared by the platforms (state.c) ---- */

/* A string member, or NULL when absent or not a string. */
const char *souk_sim__str(const json_t *obj, const char *name);
/* The first of the NULL-terminated names that obj lacks as a non-empty string, or NULL. */
const char *souk_sim__missing(const json_t *obj, const char *const *names);
/* True when value is one of the NULL-terminated allowed strings. */
bool souk_sim__one_of(const char *value, const char *const *allowed);
/* The number of UTF-8 characters in s (bytes that do not continue a sequence); 0 for NULL. */
size_t souk_sim__chars(const char *s);
/* True for an absolute http(s) URL a platform would take (core/str.h); false for NULL. */
bool souk_sim__is_url(const char *value);

/*
 * Money as the platforms write it: "9.99 USD" (Meta, Pinterest) or a decimal string and a
 * currency (Google, TikTok). The result is {"amount_minor": 999, "currency": "USD"} (a new
 * reference), or NULL when the amount is not a decimal with at most the currency's minor
 * digits or the currency is not ISO 4217.
 */
json_t *souk_sim__price_text(const char *text);
bool souk_sim__is_price_text(const char *text);
json_t *souk_sim__price_parts(const char *amount, const char *currency);

/* A count from JSON: a non-negative integer, or a string of digits (form fields and Google's
 * int64-as-string). False for anything else or above max. */
bool souk_sim__count(const json_t *value, int64_t max, int64_t *out);

/* ---- faults and rate limits (faults.c) ---- */

enum souk_sim__fault_kind {
    SOUK_SIM__FAULT_STATUS,  /* reply with this status in the platform's error shape */
    SOUK_SIM__FAULT_SLOW,    /* wait delay_ms, then serve the request as usual */
    SOUK_SIM__FAULT_DROP,    /* close the connection without a response */
    SOUK_SIM__FAULT_GARBAGE, /* 200 with a body that is not JSON */
    SOUK_SIM__FAULT_HTML,    /* an HTML error page, as a proxy in front would send */
};

struct souk_sim__fault {
    enum souk_sim__fault_kind kind;
    int status;      /* STATUS and HTML */
    int delay_ms;    /* SLOW */
    int retry_after; /* seconds for a Retry-After header; -1 for none */
};

struct souk_sim__rate {
    double per_second; /* tokens added per second; 0 turns the limit off */
    double burst;      /* bucket size */
};

struct souk_sim__faults;

struct souk_sim__faults *souk_sim__faults_new(size_t nplatforms);
void souk_sim__faults_free(struct souk_sim__faults *f); /* NULL is fine */
/* Drops queued faults and puts every rate limit back to its configured value, bucket full. */
void souk_sim__faults_reset(struct souk_sim__faults *f);

/* Reads a POST /_sim/faults body (without "platform") into fault and count; SOUK_EINVAL with
 * err naming the member otherwise. */
int souk_sim__fault_parse(const json_t *spec, struct souk_sim__fault *fault, int64_t *count,
                          struct souk_err *err) SOUK_MUST_CHECK;
/* Queues fault for the next count requests to the platform, after those already queued;
 * SOUK_ETOOBIG when SOUK_SIM_MAX_FAULTS are already queued for it. */
int souk_sim__faults_push(struct souk_sim__faults *f, size_t platform,
                          const struct souk_sim__fault *fault, int64_t count) SOUK_MUST_CHECK;
/* Takes the platform's next queued fault into out; false when none is queued. */
bool souk_sim__faults_take(struct souk_sim__faults *f, size_t platform,
                           struct souk_sim__fault *out);

/* Reads {"per_second": N, "burst": N}; SOUK_EINVAL with err naming the member otherwise. */
int souk_sim__rate_parse(const json_t *spec, struct souk_sim__rate *out, struct souk_err *err)
    SOUK_MUST_CHECK;
/* Sets the platform's limit with a full bucket; configured limits are what a reset restores. */
void souk_sim__rate_set(struct souk_sim__faults *f, size_t platform,
                        const struct souk_sim__rate *rate, bool configured);
/* Takes a token; false when the bucket is empty, with the whole seconds until one is back. */
bool souk_sim__rate_take(struct souk_sim__faults *f, size_t platform, int *retry_after);

#endif

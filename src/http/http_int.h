/* http_int.h: shared between the files of http/ only. */
#ifndef SOUK_HTTP_HTTP_INT_H
#define SOUK_HTTP_HTTP_INT_H

#include <pthread.h>
#include <stdint.h>

#include "http/http.h"

#define SOUK_HTTP__BUCKETS 12

/* Per-route counters; updated with atomic adds from any worker thread. */
struct souk_http__route_stats {
    uint64_t by_class[6];   /* index = status / 100 */
    uint64_t latency[SOUK_HTTP__BUCKETS]; /* cumulative count is computed when rendering */
    uint64_t latency_sum_us;
};

/* The set of Idempotency-Keys whose first request is still being processed. */
struct souk_http__inflight {
    pthread_mutex_t lock;
    unsigned char (*keys)[32];
    size_t len, cap;
};

void souk_http__inflight_init(struct souk_http__inflight *set);
void souk_http__inflight_release(struct souk_http__inflight *set);
/* Adds key; false when it is already present (a duplicate in flight). */
bool souk_http__inflight_add(struct souk_http__inflight *set, const unsigned char key[32]);
void souk_http__inflight_remove(struct souk_http__inflight *set, const unsigned char key[32]);

/*
 * Idempotency records, read and written in the request's own transaction. lookup returns
 * SOUK_OK with *found false when the key is new; with *found true it fills the stored answer
 * (allocated from the request pool) or returns SOUK_EIDEMPOTENCY when the body differs.
 */
struct souk_http__idem_answer {
    int status;
    const char *body;
    const char *location; /* NULL when none */
    const char *etag;     /* NULL when none */
};
int souk_http__idem_lookup(struct souk_req *req, const char *key, const char *request_hash,
                           bool *found, struct souk_http__idem_answer *answer) SOUK_MUST_CHECK;
/* Stores the answer (location and etag may be NULL) and drops records past their 24 hours. */
int souk_http__idem_store(struct souk_req *req, const char *key, const char *request_hash,
                          int status, const char *body, const char *location, const char *etag)
    SOUK_MUST_CHECK;

/* Matches method and path against the table. Returns the route index, or -1 with *allowed set
 * to the methods the path supports (0 when no pattern matches: a 404). */
int souk_http__route_match(const struct souk_http_route *routes, size_t nroutes,
                           enum souk_http_method method, const char *path,
                           struct souk_pool *pool, const char **params, unsigned *allowed);

/* Serializes compactly into memory owned by the caller (souk_free); len may be NULL. */
/* "GET", "POST", ...; "OTHER" for 0 (a method souk does not route). */
const char *souk_http__method_name(enum souk_http_method m);

char *souk_http__json_dump(const json_t *json, size_t *len);

void souk_http__stats_record(struct souk_http__route_stats *stats, int status, int64_t dur_us);
int souk_http__stats_render(const struct souk_http_route *routes, size_t nroutes,
                            const struct souk_http__route_stats *stats, struct souk_buf *out)
    SOUK_MUST_CHECK;

#endif

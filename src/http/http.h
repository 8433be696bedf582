/*
 * http: the HTTP server, its router and the request/response helpers handlers use.
 *
 * The server is souk's own HTTP/1.1 event loop on a few epoll threads (loop.c; why in the
 * README's design notes). Routes are data (a table of
 * struct souk_http_route, see src/api/routes.def) and the server runs the shared checks once,
 * before any handler: route and method (404/405), API key and scope (401/403), content type
 * (415), body size (413) and JSON syntax (400, with line and column).
 *
 * A GET runs in a read transaction on a connection of its own. Any other request is checked
 * (key, scope, body) in a read transaction, then queued for the server's single intake writer
 * thread, which runs its handler in a savepoint of the write transaction it shares with the
 * other writes queued with it (without one for a route that fails_clean), commits them
 * together, and only then lets them answer: a 2xx means committed and a 4xx changes nothing.
 * Handlers never commit themselves.
 * POSTs carrying an Idempotency-Key follow the IETF draft: the first answer is stored in the
 * same transaction as its effect and replayed for the same key and body; the same key with
 * another body is 422; a duplicate arriving while the first is still in flight is 409.
 *
 * Handlers are `int fn(struct souk_req *req)`: they read the request through the helpers
 * below, call one domain function, and either set the response (souk_req_reply*) and return
 * SOUK_OK, or return a negative status with req->err filled (the server renders it in the one
 * error shape, {"error":{"type","message","param"}}, with the status from core/err.h).
 * Depends on core/, db/, apikeys/ and jansson; never on a domain module.
 */
#ifndef SOUK_HTTP_HTTP_H
#define SOUK_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/jsonout.h"
#include "core/pool.h"
#include "core/str.h"
#include "db/db.h"

enum souk_http_method {
    SOUK_HTTP_GET = 1 << 0,
    SOUK_HTTP_POST = 1 << 1,
    SOUK_HTTP_PUT = 1 << 2,
    SOUK_HTTP_PATCH = 1 << 3,
    SOUK_HTTP_DELETE = 1 << 4,
};

#define SOUK_HTTP_MAX_PARAMS 4
#define SOUK_HTTP_PUBLIC 0u /* scope of a route that needs no API key */
/*
 * Scope of a route the platforms call (order webhooks): no API key; the body is kept as it
 * came, in any content type, in req->raw_body, for the handler to check the platform's
 * signature over those exact bytes before it believes a word of it.
 */
#define SOUK_HTTP_SIGNED (1u << 31)

#define SOUK_HTTP_ETAG_MAX 120
#define SOUK_HTTP_MAX_HEADERS 4

struct souk_req;
struct souk_http__head;

/*
 * A response body produced after the handler returns, one chunk at a time, so a body of any
 * size costs the memory of one chunk (feeds of a million items). The server calls next on one
 * of its threads with a store connection of the stream's own, inside a fresh read transaction
 * for each call: next appends the next chunk to out and sets *done after the last. An error
 * from next cuts the response short (the client sees an incomplete chunked body). release
 * frees ctx when the response ends, sent in full or not. With gzip set, the server compresses
 * the body when the client accepts it.
 */
struct souk_http_stream {
    int (*next)(void *ctx, struct souk_db_conn *db, struct souk_buf *out, bool *done,
                struct souk_err *err);
    void (*release)(void *ctx);
    void *ctx;
    bool gzip;
};

struct souk_http_route {
    enum souk_http_method method;
    const char *pattern; /* "/v1/products/{id}": a {name} segment captures one path segment */
    int (*handler)(struct souk_req *req);
    size_t body_limit; /* bytes; 0 when the route takes no body */
    unsigned scope; /* enum souk_scope bits the key needs, SOUK_HTTP_PUBLIC or SOUK_HTTP_SIGNED */
    bool no_txn;       /* true for routes that must not touch the store (liveness) */
    /*
     * Optional, for a route that writes: runs on the request's own thread in its read
     * transaction, after the checks and before the request queues for the intake writer, to
     * decode, validate and read what the write needs (left in req->prepared for the handler).
     * An error answers at once, so what a read can refuse never costs the single writer. What
     * it read may be a moment older than the write: fine for a price, never for stock.
     */
    int (*prepare)(struct souk_req *req);
    /*
     * For a write whose handler checks everything before it writes anything, so that a refusal
     * leaves nothing to undo: the intake writer runs it without the savepoint every other write
     * gets (a savepoint makes SQLite copy each page the write touches). Should it ever fail
     * after writing, its whole batch is rolled back and the others in it are answered 503.
     */
    bool fails_clean;
};

struct souk_http_server;

struct souk_http_config {
    const char *listen; /* "127.0.0.1:8080" or "[::1]:8080"; port 0 picks a free one */
    int threads;        /* worker threads, >= 1 */
    const struct souk_http_route *routes;
    size_t nroutes;
    struct souk_db *db; /* borrowed; must outlive the server */
    void *context;      /* handed to every handler as req->context; borrowed */
    /* The intake writer: commit every write queued together at once (group commit), or one
     * transaction per write; shed a write queued longer than write_wait_ms (0: never). */
    bool group_writes;
    int write_wait_ms;
};

/* Binds and starts serving. Reports a bad address or a port in use through err. */
int souk_http_server_start(const struct souk_http_config *config, struct souk_http_server **out,
                           struct souk_err *err) SOUK_MUST_CHECK;

/* The bound port (useful with port 0). */
uint16_t souk_http_server_port(const struct souk_http_server *srv);

/*
 * Stops accepting connections, lets in-flight requests finish (up to timeout_ms), then stops
 * the workers and frees the server. NULL is fine.
 */
void souk_http_server_stop(struct souk_http_server *srv, int timeout_ms);

/* Writes the Prometheus text exposition of the server's metrics into out. */
int souk_http_metrics_render(struct souk_http_server *srv, struct souk_buf *out) SOUK_MUST_CHECK;

/* ---- what a handler sees ---- */

struct souk_req {
    struct souk_pool *pool;        /* request lifetime */
    struct souk_db_conn *db;       /* in the request's transaction; NULL for no_txn routes */
    struct souk_http_server *server;
    void *context; /* souk_http_config.context: the application's shared state */
    enum souk_http_method method;
    const char *path;
    const char *params[SOUK_HTTP_MAX_PARAMS]; /* path captures, in pattern order */
    json_t *body;                  /* parsed JSON for routes with a body; borrowed */
    void *prepared;                /* what the route's prepare left for its handler (pool) */
    struct souk_str raw_body;      /* the body's bytes (SOUK_HTTP_SIGNED routes only) */
    char api_key_id[SOUK_ID_MAX];  /* "" on public routes */
    char request_id[SOUK_ID_MAX];
    struct souk_err err;           /* filled by a handler that returns an error */

    /* The response, set through souk_req_reply*. */
    int status;
    json_t *_json;                 /* owned */
    void (*_write)(struct souk_jsonout *w, const void *arg); /* souk_req_reply_later's */
    const void *_write_arg;
    struct souk_buf _text;         /* non-JSON bodies (metrics) */
    const char *_content_type;
    char _etag[SOUK_HTTP_ETAG_MAX];
    const char *_location;
    const char *_headers[SOUK_HTTP_MAX_HEADERS][2]; /* extra response headers, pool strings */
    size_t _nheaders;
    struct souk_http_stream *_stream; /* a streamed body, or NULL */
    const char *_secret_field;        /* left out of the stored idempotent answer */
    const struct souk_http__head *_head; /* the request's head, for its fields; NULL when the
                                            request was refused before it was one */
    const char *(*_args)[2];             /* query parameters (decoded), in the order sent */
    size_t _nargs;
};

/* Query parameter (URL-decoded) or request header; NULL when absent. Valid for the request. */
const char *souk_req_query(struct souk_req *req, const char *name);
const char *souk_req_header(struct souk_req *req, const char *name);

/*
 * Reads an integer query parameter in [min, max]; absent gives fallback. SOUK_EINVAL (with
 * req->err naming the parameter) when it is not a whole number in range.
 */
int souk_req_query_int(struct souk_req *req, const char *name, int64_t min, int64_t max,
                       int64_t fallback, int64_t *out) SOUK_MUST_CHECK;

/*
 * The version an If-Match header asks for: absent or "*" gives -1 (no check); "\"7\"" gives 7.
 * Anything else is SOUK_EINVAL.
 */
int souk_req_if_match(struct souk_req *req, int64_t *expected) SOUK_MUST_CHECK;

/* Sets a JSON response; takes the reference to body. */
void souk_req_reply(struct souk_req *req, int status, json_t *body);
/*
 * A JSON response that write(w, arg) writes as text later, on the request's own thread, and
 * only when it is sent or stored: a write's answer is not built by the intake writer, whose
 * time every queued write shares. arg must live as long as the request (in its pool).
 */
void souk_req_reply_later(struct souk_req *req, int status,
                          void (*write)(struct souk_jsonout *w, const void *arg), const void *arg);
/* A list page: {"data": items, "has_more": .., "next_cursor": cursor or null}; takes items. */
void souk_req_reply_list(struct souk_req *req, json_t *items, bool has_more, const char *cursor);
/* A text response (copied). */
int souk_req_reply_text(struct souk_req *req, int status, const char *content_type,
                        struct souk_str text) SOUK_MUST_CHECK;
void souk_req_set_etag(struct souk_req *req, int64_t version);
/* An ETag that is not a version (a feed's fingerprint); copied, quoted by the caller. */
void souk_req_set_etag_text(struct souk_req *req, const char *etag);
/*
 * Names a top-level member of the JSON answer that is a secret shown once (a feed token): an
 * Idempotency-Key replay answers without it, so the secret is never stored in clear.
 */
void souk_req_mark_secret(struct souk_req *req, const char *field);
/* Adds a response header (copied); at most SOUK_HTTP_MAX_HEADERS, later ones are dropped. */
void souk_req_add_header(struct souk_req *req, const char *name, const char *value);
/* Streams the body (see struct souk_http_stream); stream is copied, its ctx is owned from now
 * on, even when the request then fails. */
void souk_req_reply_stream(struct souk_req *req, int status, const char *content_type,
                           const struct souk_http_stream *stream);

/* Appends json to out exactly as a JSON response body is written (compact). */
int souk_http_json_render(const json_t *json, struct souk_buf *out) SOUK_MUST_CHECK;
void souk_req_set_location(struct souk_req *req, const char *location); /* copied */

#endif

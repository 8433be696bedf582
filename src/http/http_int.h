/* http_int.h: shared between the files of http/ only. */
#ifndef SOUK_HTTP_HTTP_INT_H
#define SOUK_HTTP_HTTP_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "http/http.h"
#include "http/wire.h"

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

/* "GET", "POST", ...; "OTHER" for 0 (a method souk does not route). */
const char *souk_http__method_name(enum souk_http_method m);

/* Serializes compactly into memory owned by the caller (souk_free); len may be NULL. */
char *souk_http__json_dump(const json_t *json, size_t *len);

/* Writes a souk_req_reply_later answer into req->_text (nothing when there is none); fails
 * (req->err set) only when it outgrows the response cap. */
int souk_http__settle_reply(struct souk_req *req) SOUK_MUST_CHECK;

void souk_http__stats_record(struct souk_http__route_stats *stats, int status, int64_t dur_us);
int souk_http__stats_render(const struct souk_http_route *routes, size_t nroutes,
                            const struct souk_http__route_stats *stats, struct souk_buf *out)
    SOUK_MUST_CHECK;

/*
 * The intake writer (writer.c): one thread that runs every write request of the server.
 * A request thread checks what it can without writing (route, key, body), then submits; the
 * writer takes everything queued, runs each write's `run` in a savepoint of one write
 * transaction on its own store connection, commits once, then calls each `done`: so a write
 * answers only after its work is on disk (or failed), and batches grow with the load. Writes
 * queued longer than wait_ms (when > 0) are shed with SOUK_EAGAIN before they run. Without
 * `group` each write is its own transaction (to measure what grouping buys).
 */
struct souk_http__write {
    struct souk_http__write *next; /* the writer's */
    int64_t queued_us;             /* the writer's */
    /* Does the work in conn's transaction; SOUK_OK keeps it, an error rolls back only it. */
    int (*run)(struct souk_http__write *w, struct souk_db_conn *conn);
    bool fails_clean; /* run without a savepoint (see souk_http_route.fails_clean) */
    /* Called once, after the commit: rc is run's result, or the writer's own failure (shed,
     * store busy, commit failed) with its reason in *why (why is NULL when run's result
     * stands). May free w. */
    void (*done)(struct souk_http__write *w);
    int rc;
    const struct souk_err *why;
};

struct souk_http__writer_stats {
    uint64_t queued;  /* gauge: writes waiting for the writer */
    uint64_t batches; /* transactions the writer ran */
    uint64_t writes;  /* writes it answered (writes / batches is the mean batch) */
    uint64_t shed;    /* writes refused for waiting longer than wait_ms */
};

struct souk_http__writer;
int souk_http__writer_start(struct souk_db *db, bool group, int wait_ms,
                            struct souk_http__writer **out, struct souk_err *err) SOUK_MUST_CHECK;
/* Queues w; false once the writer is stopping (w is then untouched). */
bool souk_http__writer_submit(struct souk_http__writer *wr, struct souk_http__write *w);
/*
 * Refuses new writes, answers everything still queued, and stops the thread. The writer stays
 * valid (submit just refuses) until souk_http__writer_free, which stops it first if need be.
 */
void souk_http__writer_stop(struct souk_http__writer *wr);
void souk_http__writer_free(struct souk_http__writer *wr); /* NULL is ok */
void souk_http__writer_get_stats(struct souk_http__writer *wr,
                                 struct souk_http__writer_stats *out);

/*
 * The connections (loop.c): threads that each run an epoll loop over their own listening
 * socket (SO_REUSEPORT spreads new connections across them) and their connections, read and
 * frame requests (wire.h), and write answers. A request waiting for the intake writer parks
 * its connection: the loop reads nothing more from it, and the writer's wake-up is one
 * eventfd write per loop per batch, not one per request.
 *
 * The server's side of it: every call is made on the connection's own loop thread.
 */
struct souk_http__conn;
struct souk_http__loop;

struct souk_http__handler {
    void *ctx;
    /*
     * A request begins: head is its parsed head, or NULL when the loop refuses it before it
     * is one (refusal is then the HTTP status: 400, 414, 417, 431, 501 or 505). Returns
     * the request's state and sets *body_limit: the most body bytes it takes (0: it takes
     * none, and a body sent anyway is read and dropped).
     */
    void *(*start)(void *ctx, struct souk_http__conn *conn, const struct souk_http__head *head,
                   int refusal, size_t *body_limit);
    /*
     * The body is read, or refused: body_refusal is 413 when it outgrew the limit (and was
     * not read to its end), 400 when its chunked framing is malformed, else 0. The server
     * answers now with souk_http__conn_reply*, or later, from souk_http__conn_wake's resume.
     * body stays the loop's, unchanged until finish.
     */
    void (*run)(void *req, const struct souk_buf *body, int body_refusal);
    void (*resume)(void *req); /* after souk_http__conn_wake: answer now */
    /* The request is over: its answer was sent in full (answered) or the connection failed. */
    void (*finish)(void *req, bool answered);
};

struct souk_http__header {
    const char *name, *value;
};

/* A body produced while it is sent: next sets the next piece (valid until the next call;
 * it may be empty) and *done after the last; an error cuts the response short. */
struct souk_http__source {
    int (*next)(void *ctx, struct souk_str *piece, bool *done);
    void (*release)(void *ctx);
    void *ctx;
};

/* Binds addr and starts threads loops; *port is the bound port. */
int souk_http__loop_start(const struct sockaddr *addr, socklen_t addr_len, int threads,
                          const struct souk_http__handler *handler, struct souk_http__loop **out,
                          uint16_t *port, struct souk_err *err) SOUK_MUST_CHECK;
/* Stops accepting connections (the listening sockets close); the open ones go on. */
void souk_http__loop_quiesce(struct souk_http__loop *loop);
/* Stops the threads, closes every connection (finishing the requests still on them) and
 * frees the loop. NULL is fine. */
void souk_http__loop_free(struct souk_http__loop *loop);
/* Open connections, for /metrics. */
uint64_t souk_http__loop_connections(struct souk_http__loop *loop);

/*
 * Answers the connection's request: the status line, the loop's own fields (Date,
 * Content-Length, Connection), then headers (copied), then body (taken: souk_free'd once sent;
 * never sent to a HEAD request).
 */
void souk_http__conn_reply(struct souk_http__conn *conn, int status,
                           const struct souk_http__header *headers, size_t nheaders, char *body,
                           size_t body_len);
/* The same with a body of unknown length, sent chunked (or up to the close in HTTP/1.0); the
 * source is taken and freed when the response ends. */
void souk_http__conn_reply_stream(struct souk_http__conn *conn, int status,
                                  const struct souk_http__header *headers, size_t nheaders,
                                  const struct souk_http__source *source);
/* From any thread: has the connection's loop call the handler's resume for its request. */
void souk_http__conn_wake(struct souk_http__conn *conn);

#endif

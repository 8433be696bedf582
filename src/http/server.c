/*
 * server: the fixed request path
 *   route -> auth -> content checks -> JSON -> idempotency -> handler -> commit -> render.
 *
 * The connections are loop.c's: it calls start when a request's head has arrived (the route
 * is matched there), run once its body is read, on the connection's own thread. A request
 * that only reads is answered in run. A route that writes does only its checks there (in a
 * read transaction), then queues the rest for the intake writer (writer.c) and leaves its
 * connection parked; the writer wakes the connection once the write is committed, and resume
 * answers it.
 */
#include <netdb.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "apikeys/apikeys.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/textout.h"
#include "core/time.h"
#include "http/http_int.h"

#define MAX_IDEM_KEY 255
#define ERROR_MAX_BYTES (64 * 1024) /* an error answer holds two bounded texts and ids */

struct souk_http_server {
    struct souk_http__loop *loop;
    struct souk_db *db;
    void *context;
    const struct souk_http_route *routes;
    size_t nroutes;
    struct souk_http__route_stats *stats; /* nroutes + 1 */
    struct souk_http__inflight inflight;
    struct souk_http__writer *writer;
    uint16_t port;
    int active; /* requests between first call and completion; atomic */
};

/* Everything one request owns, from its first callback to its completion. */
struct req_state {
    struct souk_req req;
    struct souk_http_server *srv;
    struct souk_http__conn *conn;
    int route;        /* index, or -1 */
    unsigned allowed; /* methods the path supports, for 405 */
    const struct souk_buf *body; /* the loop's, read in full unless body_too_big */
    bool body_too_big;
    bool answered; /* the answer is set before the body is read (a refusal) */
    int64_t started_us;
    const char *idem_key;
    bool in_inflight;
    unsigned char inflight_key[32];
    char hash[65];                 /* of path and body, once an Idempotency-Key needs it */
    struct souk_http__write write; /* a writing route's turn at the intake writer */
};

static enum souk_http_method parse_method(const char *m)
{
    static const struct {
        const char *name;
        enum souk_http_method method;
    } methods[] = {{"GET", SOUK_HTTP_GET},     {"POST", SOUK_HTTP_POST},
                   {"PUT", SOUK_HTTP_PUT},     {"PATCH", SOUK_HTTP_PATCH},
                   {"DELETE", SOUK_HTTP_DELETE}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i].name) == 0)
            return methods[i].method;
    /* HEAD is GET without a body (libmicrohttpd drops it), as load-balancer checks expect. */
    return strcmp(m, "HEAD") == 0 ? SOUK_HTTP_GET : 0;
}

static bool valid_request_id(const char *id)
{
    size_t len = id ? strlen(id) : 0;
    if (len == 0 || len >= SOUK_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(id[i] == '-' || id[i] == '_' || (id[i] >= '0' && id[i] <= '9') ||
              (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')))
            return false;
    return true;
}

/*
 * Splits the target into the decoded path and query parameters (in the request pool); false
 * when an escape in it is invalid or decodes to NUL.
 */
static bool decode_target(struct souk_req *req, const char *target)
{
    const char *question = strchr(target, '?');
    size_t path_len = question ? (size_t)(question - target) : strlen(target);
    char *path = souk_pool_alloc(req->pool, path_len + 1);
    memcpy(path, target, path_len);
    path[path_len] = '\0';
    req->path = path;
    if (!souk_http__url_decode(path, false))
        return false;
    if (!question || !question[1])
        return true;
    char *query = souk_pool_strdup(req->pool, question + 1);
    size_t max = 1;
    for (const char *p = query; *p; p++)
        max += *p == '&';
    req->_args = souk_pool_alloc(req->pool, max * sizeof *req->_args);
    for (char *pair = query, *next; pair; pair = next) {
        next = strchr(pair, '&');
        if (next)
            *next++ = '\0';
        if (!*pair)
            continue;
        char *equals = strchr(pair, '=');
        if (equals)
            *equals++ = '\0';
        if (!souk_http__url_decode(pair, true) || (equals && !souk_http__url_decode(equals, true)))
            return false;
        req->_args[req->_nargs][0] = pair;
        req->_args[req->_nargs][1] = equals ? equals : "";
        req->_nargs++;
    }
    return true;
}

/* A request's state; head is NULL for a request the loop refuses before it is one. */
static struct req_state *state_new(struct souk_http_server *srv, struct souk_http__conn *conn,
                                   const struct souk_http__head *head, bool *bad_target)
{
    struct souk_pool *pool = souk_pool_new();
    struct req_state *s = souk_pool_alloc(pool, sizeof *s);
    s->srv = srv;
    s->conn = conn;
    s->route = -1;
    s->req.pool = pool;
    s->req.server = srv;
    s->req.context = srv->context;
    s->req.path = "";
    s->req._head = head;
    s->req._text = (struct souk_buf)SOUK_BUF_INIT(0);
    s->started_us = souk_time_monotonic_us();
    const char *rid = souk_req_header(&s->req, "X-Request-Id");
    if (valid_request_id(rid))
        snprintf(s->req.request_id, sizeof s->req.request_id, "%s", rid);
    else
        souk_id_new("req", s->req.request_id);
    if (!head)
        return s;
    enum souk_http_method method = parse_method(head->method);
    s->req.method = method;
    *bad_target = !decode_target(&s->req, head->target);
    if (*bad_target)
        return s;
    const char *url = s->req.path;
    s->route = method ? souk_http__route_match(srv->routes, srv->nroutes, method, url, pool,
                                               s->req.params, &s->allowed)
                      : -1;
    if (!method) /* a method souk never routes: match none, so every route of the path counts */
        souk_http__route_match(srv->routes, srv->nroutes, (enum souk_http_method)0, url, NULL,
                               NULL, &s->allowed);
    return s;
}

static void drop_stream(struct souk_req *req)
{
    if (req->_stream && req->_stream->release)
        req->_stream->release(req->_stream->ctx);
    req->_stream = NULL;
}

static void state_free(struct req_state *s)
{
    drop_stream(&s->req);
    if (s->req.db)
        souk_db_release(s->req.db);
    if (s->in_inflight)
        souk_http__inflight_remove(&s->srv->inflight, s->inflight_key);
    json_decref(s->req.body);
    json_decref(s->req._json);
    souk_buf_release(&s->req._text);
    souk_pool_free(s->req.pool);
}

/* ---- rendering ---- */

/* The Allow field of a 405, in the request pool. */
static const char *allow_value(struct souk_pool *pool, unsigned allowed)
{
    char allow[64] = "";
    size_t used = 0;
    for (unsigned bit = SOUK_HTTP_GET; bit <= SOUK_HTTP_DELETE; bit <<= 1)
        if (allowed & bit)
            used += (size_t)snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "",
                                     souk_http__method_name((enum souk_http_method)bit));
    return souk_pool_strdup(pool, allow);
}

static void set_error(struct req_state *s, int code)
{
    struct souk_req *req = &s->req;
    if (req->err.code != code)
        souk_err_set(&req->err, code, req->err.param[0] ? req->err.param : NULL,
                     "%s", req->err.message[0] ? req->err.message : souk_err_default_message(code));
    /* Written as text at once (a 409 after a sell-out is most of a live burst's answers). */
    json_decref(req->_json);
    req->_json = NULL;
    req->_write = NULL;
    souk_buf_release(&req->_text);
    souk_buf_init(&req->_text, ERROR_MAX_BYTES);
    struct souk_jsonout w = souk_jsonout_begin(&req->_text);
    souk_jsonout_object(&w, NULL);
    souk_jsonout_object(&w, "error");
    souk_jsonout_string(&w, "type", souk_err_type(code));
    souk_jsonout_string(&w, "message", req->err.message[0] ? req->err.message
                                                           : souk_err_default_message(code));
    souk_jsonout_string(&w, "param", req->err.param[0] ? req->err.param : NULL);
    souk_jsonout_string(&w, "request_id", req->request_id);
    souk_jsonout_close(&w);
    souk_jsonout_close(&w);
    if (souk_jsonout_end(&w) != SOUK_OK) /* the message and param are bounded far below */
        abort();
    req->_content_type = "application/json";
    req->status = souk_err_http_status(code);
    req->_etag[0] = '\0';
    req->_location = NULL;
    req->_nheaders = 0;
    drop_stream(req);
}

/* ---- streamed bodies ---- */

#define STREAM_MAX_CHUNK (256u << 20) /* one page of a feed is far smaller */

/* A streamed body on its way out: the loop's source from send_response on. */
struct stream_state {
    struct souk_http_stream stream;
    struct souk_db_conn *db; /* the stream's own: the request's is released at completion */
    struct souk_buf chunk;   /* the piece on the wire */
    bool done;
    struct souk_gzip *gzip;  /* compresses plain into chunk when the client accepts gzip */
    struct souk_buf plain;
    char request_id[SOUK_ID_MAX];
};

static int gzip_sink(void *arg, const void *data, size_t len)
{
    return souk_buf_add(arg, data, len);
}

/* Produces the next piece of the body into st->chunk (possibly nothing, while deflate holds
 * its input back). */
static int stream_fill(struct stream_state *st, struct souk_err *err)
{
    struct souk_buf *into = st->gzip ? &st->plain : &st->chunk;
    souk_buf_reset(into);
    int rc = souk_db_begin(st->db, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = st->stream.next(st->stream.ctx, st->db, into, &st->done, err);
    souk_db_rollback(st->db);
    if (rc == SOUK_OK && st->gzip)
        rc = souk_gzip_write(st->gzip, st->plain.data, st->plain.len);
    if (rc == SOUK_OK && st->gzip && st->done)
        rc = souk_gzip_finish(st->gzip);
    return rc;
}

/* The loop's source: the next piece, once the last one is on the wire. */
static int stream_next(void *ctx, struct souk_str *piece, bool *done)
{
    struct stream_state *st = ctx;
    souk_buf_reset(&st->chunk);
    struct souk_err err = SOUK_ERR_INIT;
    int rc = stream_fill(st, &err);
    if (rc != SOUK_OK) {
        souk_log(SOUK_LOG_ERROR, "streamed response cut short", "req_id", st->request_id, "error",
                 err.message, "detail", err.detail, NULL);
        return rc;
    }
    *piece = (struct souk_str){st->chunk.data, st->chunk.len};
    *done = st->done;
    return SOUK_OK;
}

static void stream_free(void *ctx)
{
    struct stream_state *st = ctx;
    if (st->stream.release)
        st->stream.release(st->stream.ctx);
    souk_db_release(st->db);
    souk_gzip_free(st->gzip);
    souk_buf_release(&st->plain);
    souk_buf_release(&st->chunk);
    souk_free(st);
}

/* True when Accept-Encoding lists gzip without refusing it (";q=0"). */
static bool accepts_gzip(const char *header)
{
    const char *p = header ? strstr(header, "gzip") : NULL;
    if (!p)
        return false;
    p += 4;
    while (*p == ' ')
        p++;
    if (strncmp(p, ";q=0", 4) != 0)
        return true;
    p += 4; /* q=0.5 accepts; q=0, q=0.0 and q=0.000 refuse */
    if (*p == '.')
        p++;
    while (*p == '0')
        p++;
    return *p >= '1' && *p <= '9';
}

#define MAX_ANSWER_HEADERS (SOUK_HTTP_MAX_HEADERS + 8)

/* Adds a header field to the answer's list. */
static void add_header(struct souk_http__header *list, size_t *n, const char *name,
                       const char *value)
{
    list[(*n)++] = (struct souk_http__header){name, value};
}

/* Hands the answer to the connection: a streamed body, a JSON body or a text body. */
static void send_response(struct req_state *s)
{
    struct souk_req *req = &s->req;
    if (souk_http__settle_reply(req) != SOUK_OK)
        set_error(s, SOUK_EINTERNAL);
    struct souk_http__header headers[MAX_ANSWER_HEADERS];
    size_t n = 0;
    if (req->_stream || !req->_json) {
        if (req->_content_type)
            add_header(headers, &n, "Content-Type", req->_content_type);
    } else {
        add_header(headers, &n, "Content-Type", "application/json");
    }
    add_header(headers, &n, "X-Request-Id", req->request_id);
    if (req->_etag[0])
        add_header(headers, &n, "ETag", req->_etag);
    if (req->_location)
        add_header(headers, &n, "Location", req->_location);
    for (size_t i = 0; i < req->_nheaders; i++)
        add_header(headers, &n, req->_headers[i][0], req->_headers[i][1]);
    if (req->status == 405)
        add_header(headers, &n, "Allow", allow_value(req->pool, s->allowed));
    if (req->status == 401)
        add_header(headers, &n, "WWW-Authenticate", "Bearer realm=\"souk\"");
    if (req->status == 503)
        add_header(headers, &n, "Retry-After", "1");
    if (req->_stream) {
        struct stream_state *st = souk_calloc(1, sizeof *st);
        st->stream = *req->_stream;
        req->_stream = NULL; /* the connection owns it now */
        st->db = souk_db_acquire(s->srv->db);
        st->chunk = (struct souk_buf)SOUK_BUF_INIT(STREAM_MAX_CHUNK);
        st->plain = (struct souk_buf)SOUK_BUF_INIT(STREAM_MAX_CHUNK);
        snprintf(st->request_id, sizeof st->request_id, "%s", req->request_id);
        if (st->stream.gzip)
            add_header(headers, &n, "Vary", "Accept-Encoding");
        if (st->stream.gzip && accepts_gzip(souk_req_header(req, "Accept-Encoding"))) {
            st->gzip = souk_gzip_new(6, gzip_sink, &st->chunk);
            add_header(headers, &n, "Content-Encoding", "gzip");
        }
        struct souk_http__source source = {stream_next, stream_free, st};
        souk_http__conn_reply_stream(s->conn, req->status, headers, n, &source);
        return;
    }
    size_t len = 0;
    char *text =
        req->_json ? souk_http__json_dump(req->_json, &len) : souk_buf_detach(&req->_text, &len);
    souk_http__conn_reply(s->conn, req->status, headers, n, text, len);
}

/* ---- the shared checks ---- */

static int authenticate(struct req_state *s, const struct souk_http_route *route)
{
    struct souk_req *req = &s->req;
    const char *auth = souk_req_header(req, "Authorization");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return souk_err_set(&req->err, SOUK_EUNAUTH, NULL,
                            "send an API key as \"Authorization: Bearer sk_...\"");
    unsigned scopes = 0;
    int rc = souk_apikeys_authenticate(req->db, souk_str_from(auth + 7), req->api_key_id,
                                       &scopes, &req->err);
    if (rc != SOUK_OK)
        return rc;
    if (!souk_apikeys_allows(scopes, route->scope)) {
        char needed[SOUK_APIKEY_SCOPES_MAX];
        souk_apikeys_format_scopes(route->scope, needed);
        return souk_err_set(&req->err, SOUK_EFORBIDDEN, NULL,
                            "this API key lacks the %s scope this route needs", needed);
    }
    return SOUK_OK;
}

static bool is_json_content_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

static int check_body(struct req_state *s, const struct souk_http_route *route)
{
    struct souk_req *req = &s->req;
    if (route->body_limit == 0)
        return SOUK_OK;
    if (route->scope == SOUK_HTTP_SIGNED) {
        if (s->body_too_big)
            return souk_err_set(&req->err, SOUK_ETOOBIG, NULL,
                                "the body is larger than this route's limit of %zu bytes",
                                route->body_limit);
        req->raw_body = (struct souk_str){s->body->data, s->body->len};
        return SOUK_OK;
    }
    const char *ct = souk_req_header(req, "Content-Type");
    if (!is_json_content_type(ct))
        return souk_err_set(&req->err, SOUK_EMEDIA, NULL,
                            "send the body as JSON with \"Content-Type: application/json\"");
    if (s->body_too_big)
        return souk_err_set(&req->err, SOUK_ETOOBIG, NULL,
                            "the body is larger than this route's limit of %zu bytes",
                            route->body_limit);
    json_error_t jerr;
    req->body = json_loadb(s->body->data, s->body->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req->body)
        return souk_err_set(&req->err, SOUK_EINVAL, NULL,
                            "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
                            jerr.text);
    if (!json_is_object(req->body))
        return souk_err_set(&req->err, SOUK_EINVAL, NULL, "the body must be a JSON object");
    return SOUK_OK;
}

/* SHA-256 of a and b joined by a newline. */
static void sha256_pair(const char *a, size_t alen, const char *b, size_t blen,
                        unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned len = 32;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) || !EVP_DigestUpdate(ctx, a, alen) ||
        !EVP_DigestUpdate(ctx, "\n", 1) || !EVP_DigestUpdate(ctx, b, blen) ||
        !EVP_DigestFinal_ex(ctx, out, &len))
        abort(); /* only fails on OOM or a broken libcrypto */
    EVP_MD_CTX_free(ctx);
}

static void request_hash(struct req_state *s, char out[65])
{
    unsigned char digest[32];
    sha256_pair(s->req.path, strlen(s->req.path), s->body->data, s->body->len, digest);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

/* Whether the route's work goes through the intake writer: every route that can write. */
static bool route_writes(const struct souk_http_route *route)
{
    return !route->no_txn && route->method != SOUK_HTTP_GET;
}

/*
 * The checks that write nothing: API key and scope, content type and JSON, a duplicate
 * Idempotency-Key in flight. Opens req->db in a read transaction (unless the route is no_txn).
 */
static int check_request(struct req_state *s, const struct souk_http_route *route)
{
    struct souk_req *req = &s->req;
    int rc = SOUK_OK;
    if (!route->no_txn) {
        req->db = souk_db_acquire(s->srv->db);
        rc = souk_db_begin(req->db, SOUK_DB_READ, &req->err);
        if (rc != SOUK_OK)
            return rc;
    }
    if (route->scope != SOUK_HTTP_PUBLIC && route->scope != SOUK_HTTP_SIGNED &&
        (rc = authenticate(s, route)) != SOUK_OK)
        return rc;
    if ((rc = check_body(s, route)) != SOUK_OK)
        return rc;
    if (s->idem_key && !s->in_inflight)
        return souk_err_set(&req->err, SOUK_EINFLIGHT, "Idempotency-Key",
                            "a request with this Idempotency-Key is still being processed; "
                            "retry after it completes");
    return SOUK_OK;
}

/* Sets the stored answer of an Idempotency-Key seen before as the response (*found). */
static int replay_stored(struct req_state *s, bool *found)
{
    struct souk_req *req = &s->req;
    *found = false;
    if (!s->idem_key)
        return SOUK_OK;
    if (!s->hash[0])
        request_hash(s, s->hash);
    struct souk_http__idem_answer answer;
    int rc = souk_http__idem_lookup(req, s->idem_key, s->hash, found, &answer);
    if (rc != SOUK_OK || !*found)
        return rc;
    json_error_t jerr;
    req->status = answer.status;
    req->_json = json_loads(answer.body, 0, &jerr);
    req->_location = answer.location;
    if (answer.etag)
        snprintf(req->_etag, sizeof req->_etag, "%s", answer.etag);
    return req->_json ? SOUK_OK : souk_err_set(&req->err, SOUK_EINTERNAL, NULL, NULL);
}

/*
 * The route's work in req->db's transaction: replays the stored answer of an Idempotency-Key
 * seen before (writing nothing), or runs the handler and stores its answer with its effect.
 */
static int run_handler(struct req_state *s, const struct souk_http_route *route)
{
    struct souk_req *req = &s->req;
    bool replayed = false;
    int rc = replay_stored(s, &replayed);
    if (rc != SOUK_OK || replayed)
        return rc;
    rc = route->handler(req);
    if (rc != SOUK_OK)
        return rc;
    if (!s->idem_key || req->status >= 300)
        return SOUK_OK;
    rc = souk_http__settle_reply(req); /* the stored answer commits with the write */
    if (rc != SOUK_OK)
        return rc;
    char *body = NULL;
    if (req->_json) {
        json_t *stored = json_copy(req->_json); /* shallow: only the top level changes */
        if (req->_secret_field)
            json_object_del(stored, req->_secret_field);
        body = souk_http__json_dump(stored, NULL);
        json_decref(stored);
    }
    rc = souk_http__idem_store(req, s->idem_key, s->hash, req->status,
                               body ? body : req->_text.data, req->_location,
                               req->_etag[0] ? req->_etag : NULL);
    souk_free(body);
    return rc;
}

/* The intake writer's side of a request (see struct souk_http__write). */
static int write_run(struct souk_http__write *w, struct souk_db_conn *conn)
{
    struct req_state *s = (struct req_state *)((char *)w - offsetof(struct req_state, write));
    s->req.db = conn;
    int rc = run_handler(s, &s->srv->routes[s->route]);
    s->req.db = NULL;
    return rc;
}

static void write_done(struct souk_http__write *w)
{
    struct req_state *s = (struct req_state *)((char *)w - offsetof(struct req_state, write));
    if (w->why)
        s->req.err = *w->why;
    souk_http__conn_wake(s->conn); /* its loop calls on_resume to answer */
}

/*
 * Hands the checked request to the intake writer; its connection stays parked until the write
 * is committed. A server that is stopping refuses it with 503 through the same wake-up.
 */
static void queue_write(struct req_state *s)
{
    struct souk_req *req = &s->req;
    souk_db_rollback(req->db); /* no connection or snapshot is held while waiting */
    souk_db_release(req->db);
    req->db = NULL;
    s->write.run = write_run;
    s->write.done = write_done;
    s->write.fails_clean = s->srv->routes[s->route].fails_clean;
    if (souk_http__writer_submit(s->srv->writer, &s->write))
        return;
    s->write.rc = souk_err_set(&req->err, SOUK_EAGAIN, NULL,
                               "the server is shutting down: retry shortly");
    s->write.why = NULL;
    write_done(&s->write);
}

static void fail(struct req_state *s, int rc)
{
    struct souk_req *req = &s->req;
    if (souk_err_http_status(rc) >= 500)
        souk_log(SOUK_LOG_ERROR, "request failed", "req_id", req->request_id, "path", req->path,
                 "error", req->err.message, "detail", req->err.detail, NULL);
    set_error(s, rc);
}

/* Answers the request here, or queues it for the intake writer (then returns true). */
static bool process(struct req_state *s)
{
    struct souk_req *req = &s->req;
    int rc;
    if (s->route < 0) {
        rc = s->allowed ? souk_err_set(&req->err, SOUK_EMETHOD, NULL,
                                       "this resource does not support this method")
                        : souk_err_set(&req->err, SOUK_ENOTFOUND, NULL, "no route for %.200s",
                                       req->path);
    } else {
        const struct souk_http_route *route = &s->srv->routes[s->route];
        rc = check_request(s, route);
        if (rc == SOUK_OK && route_writes(route)) {
            /* A stored answer, and whatever prepare refuses, need no turn at the writer. */
            bool replayed = false;
            rc = replay_stored(s, &replayed);
            if (rc == SOUK_OK && !replayed && route->prepare)
                rc = route->prepare(req);
            if (rc == SOUK_OK && !replayed) {
                queue_write(s);
                return true;
            }
        } else if (rc == SOUK_OK) {
            rc = run_handler(s, route);
        }
    }
    if (req->db)
        souk_db_rollback(req->db); /* reads only: nothing to commit */
    if (rc != SOUK_OK)
        fail(s, rc);
    return false;
}

/* ---- the loop's handler ---- */

/* The HTTP status a loop refusal answers with, as a souk error. */
static int refusal_code(int status, struct souk_err *err)
{
    switch (status) {
    case 414:
        return souk_err_set(err, SOUK_EURI, NULL, "the request line is longer than %d bytes",
                            SOUK_HTTP__MAX_HEAD);
    case 417:
        return souk_err_set(err, SOUK_EEXPECT, "Expect",
                            "the only expectation served is "
                            "100-continue");
    case 431:
        return souk_err_set(err, SOUK_EHEADERS, NULL,
                            "the request head is larger than %d bytes or has more than %d "
                            "fields",
                            SOUK_HTTP__MAX_HEAD, SOUK_HTTP__MAX_FIELDS);
    case 501:
        return souk_err_set(err, SOUK_ENOTIMPL, "Transfer-Encoding",
                            "the only transfer coding served is chunked");
    case 505:
        return souk_err_set(err, SOUK_EVERSION, NULL, "send HTTP/1.1 (or HTTP/1.0)");
    default:
        return souk_err_set(err, SOUK_EINVAL, NULL, "the request is not well-formed HTTP/1.1");
    }
}

static void *on_start(void *ctx, struct souk_http__conn *conn, const struct souk_http__head *head,
                      int refusal, size_t *body_limit)
{
    struct souk_http_server *srv = ctx;
    __atomic_fetch_add(&srv->active, 1, __ATOMIC_SEQ_CST);
    bool bad_target = false;
    struct req_state *s = state_new(srv, conn, head, &bad_target);
    *body_limit = 0;
    if (refusal || bad_target) {
        set_error(s, refusal ? refusal_code(refusal, &s->req.err)
                             : souk_err_set(&s->req.err, SOUK_EINVAL, NULL,
                                            "the request target has an invalid %%-escape"));
        s->answered = true;
        return s;
    }
    if (s->route < 0)
        return s;
    const struct souk_http_route *route = &srv->routes[s->route];
    *body_limit = route->body_limit;
    const char *idem = souk_req_header(&s->req, "Idempotency-Key");
    /* The platforms dedupe by their own event ids, not by our header. */
    if (idem && route->method == SOUK_HTTP_POST && route->scope != SOUK_HTTP_SIGNED) {
        const char *auth = souk_req_header(&s->req, "Authorization");
        sha256_pair(auth ? auth : "", auth ? strlen(auth) : 0, idem, strlen(idem), s->inflight_key);
        s->idem_key = souk_pool_strdup(s->req.pool, idem);
        s->in_inflight = souk_http__inflight_add(&srv->inflight, s->inflight_key);
    }
    return s;
}

/* The answer is committed (and stored for replay) before the client can read it, so the key
 * stops being in flight now: a retry sent the moment the answer arrives must replay, not race
 * the connection's teardown into a 409. */
static void answer(struct req_state *s)
{
    if (s->in_inflight) {
        souk_http__inflight_remove(&s->srv->inflight, s->inflight_key);
        s->in_inflight = false;
    }
    send_response(s);
}

static void on_run(void *req, const struct souk_buf *body, int body_refusal)
{
    struct req_state *s = req;
    s->body = body;
    if (s->answered) {
        answer(s);
        return;
    }
    if (body_refusal == 413) {
        s->body_too_big = true; /* answered after the key check, as check_body does */
    } else if (body_refusal) {
        set_error(
            s, souk_err_set(&s->req.err, SOUK_EINVAL, NULL, "the chunked body is not well-formed"));
        answer(s);
        return;
    }
    if (s->idem_key && (strlen(s->idem_key) > MAX_IDEM_KEY || s->idem_key[0] == '\0')) {
        souk_err_set(&s->req.err, SOUK_EINVAL, "Idempotency-Key",
                     "Idempotency-Key must be 1 to %d characters", MAX_IDEM_KEY);
        set_error(s, SOUK_EINVAL);
    } else if (process(s)) {
        return; /* parked until the writer answers */
    }
    answer(s);
}

static void on_resume(void *req)
{
    struct req_state *s = req;
    if (s->write.rc != SOUK_OK)
        fail(s, s->write.rc);
    answer(s);
}

static void on_finish(void *req, bool answered)
{
    struct req_state *s = req;
    struct souk_http_server *srv = s->srv;
    int64_t dur_us = souk_time_monotonic_us() - s->started_us;
    int status = answered ? s->req.status : 499; /* the client went away before the answer */
    souk_http__stats_record(&srv->stats[s->route >= 0 ? (size_t)s->route : srv->nroutes],
                            status, dur_us);
    if (souk_log_enabled(SOUK_LOG_INFO)) {
        struct souk_buf line = SOUK_BUF_INIT(4096);
        char ts[SOUK_TIME_RFC3339_MAX];
        souk_time_format(souk_time_now_us(), ts);
        int rc = souk_buf_addf(&line, "ts=%s level=info msg=request status=%d dur_us=%lld", ts,
                               status, (long long)dur_us);
        if (rc == SOUK_OK)
            rc = souk_log_kv(&line, "req_id", souk_str_from(s->req.request_id));
        if (rc == SOUK_OK)
            rc = souk_log_kv(&line, "method", souk_str_from(souk_http__method_name(s->req.method)));
        if (rc == SOUK_OK)
            rc = souk_log_kv(&line, "path", souk_str_from(s->req.path));
        if (rc == SOUK_OK && s->req.api_key_id[0])
            rc = souk_log_kv(&line, "key", souk_str_from(s->req.api_key_id));
        if (rc == SOUK_OK && s->req.err.code)
            rc = souk_log_kv(&line, "error", souk_str_from(souk_err_type(s->req.err.code)));
        (void)rc; /* a line cut at its cap is still worth writing */
        souk_log_write_line(&line);
        souk_buf_release(&line);
    }
    state_free(s);
    __atomic_fetch_sub(&srv->active, 1, __ATOMIC_SEQ_CST);
}

/* ---- lifecycle ---- */

static int resolve_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *addr_len,
                          struct souk_err *err)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen)
        return souk_err_set(err, SOUK_EINVAL, "listen",
                            "listen address \"%s\" must be HOST:PORT, e.g. 127.0.0.1:8080",
                            listen);
    char host[256];
    const char *h = listen;
    size_t hlen = (size_t)(colon - listen);
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof host)
        return souk_err_set(err, SOUK_EINVAL, "listen", "listen host is too long");
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    int64_t port;
    if (souk_str_to_i64(souk_str_from(colon + 1), 0, 65535, &port) != SOUK_OK)
        return souk_err_set(err, SOUK_EINVAL, "listen", "listen port \"%s\" is not 0..65535",
                            colon + 1);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV}, *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%d", (int)port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0)
        return souk_err_set(err, SOUK_EINVAL, "listen", "cannot resolve listen host \"%s\": %s",
                            host, gai_strerror(gai));
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return SOUK_OK;
}

int souk_http_server_start(const struct souk_http_config *config, struct souk_http_server **out,
                           struct souk_err *err)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    int rc = resolve_listen(config->listen, &addr, &addr_len, err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_http_server *srv = souk_calloc(1, sizeof *srv);
    srv->db = config->db;
    srv->context = config->context;
    srv->routes = config->routes;
    srv->nroutes = config->nroutes;
    srv->stats = souk_calloc(config->nroutes + 1, sizeof *srv->stats);
    souk_http__inflight_init(&srv->inflight);
    rc = souk_http__writer_start(config->db, config->group_writes, config->write_wait_ms,
                                 &srv->writer, err);
    if (rc != SOUK_OK) {
        souk_http__inflight_release(&srv->inflight);
        souk_free(srv->stats);
        souk_free(srv);
        return rc;
    }
    const struct souk_http__handler handler = {srv, on_start, on_run, on_resume, on_finish};
    rc = souk_http__loop_start((struct sockaddr *)&addr, addr_len, config->threads, &handler,
                               &srv->loop, &srv->port, err);
    if (rc != SOUK_OK) {
        char why[sizeof err->message];
        snprintf(why, sizeof why, "%s", err->message);
        souk_http__writer_free(srv->writer);
        souk_http__inflight_release(&srv->inflight);
        souk_free(srv->stats);
        souk_free(srv);
        return souk_err_set(err, rc, "listen", "cannot listen on %s: %s", config->listen, why);
    }
    *out = srv;
    return SOUK_OK;
}

uint16_t souk_http_server_port(const struct souk_http_server *srv)
{
    return srv->port;
}

void souk_http_server_stop(struct souk_http_server *srv, int timeout_ms)
{
    if (!srv)
        return;
    souk_http__loop_quiesce(srv->loop);
    int64_t deadline = souk_time_monotonic_us() + (int64_t)timeout_ms * 1000;
    while (__atomic_load_n(&srv->active, __ATOMIC_SEQ_CST) > 0 &&
           souk_time_monotonic_us() < deadline)
        usleep(10000);
    /* The writer answers every write it holds, and refuses any that comes, before the loop
     * stops: no request is left parked on a connection that is about to close. */
    souk_http__writer_stop(srv->writer);
    souk_http__loop_free(srv->loop);
    souk_http__writer_free(srv->writer);
    souk_http__inflight_release(&srv->inflight);
    souk_free(srv->stats);
    souk_free(srv);
}

/* One Prometheus sample with its HELP and TYPE lines. */
struct metric {
    const char *name, *type, *help;
    unsigned long long value;
};

int souk_http_metrics_render(struct souk_http_server *srv, struct souk_buf *out)
{
    int rc = souk_http__stats_render(srv->routes, srv->nroutes, srv->stats, out);
    struct souk_http__writer_stats writer;
    souk_http__writer_get_stats(srv->writer, &writer);
    struct souk_db_stats db;
    souk_db_get_stats(srv->db, &db);
    const struct metric metrics[] = {
        {"souk_http_connections", "gauge", "Open client connections.",
         (unsigned long long)souk_http__loop_connections(srv->loop)},
        {"souk_http_requests_in_flight", "gauge", "Requests being processed.",
         (unsigned long long)__atomic_load_n(&srv->active, __ATOMIC_SEQ_CST)},
        {"souk_http_write_queue", "gauge", "Write requests waiting for the intake writer.",
         writer.queued},
        {"souk_http_write_batches_total", "counter",
         "Transactions the intake writer ran; writes / batches is the mean batch.", writer.batches},
        {"souk_http_writes_total", "counter", "Write requests the intake writer answered.",
         writer.writes},
        {"souk_http_writes_shed_total", "counter",
         "Write requests shed with 503: queued longer than --write-wait-ms.", writer.shed},
        {"souk_db_write_transactions_total", "counter", "Write transactions committed.",
         db.write_transactions},
        {"souk_db_commits_total", "counter", "Physical commits (fsyncs); fewer when grouped.",
         db.commits},
        {"souk_db_writes_refused_total", "counter",
         "Writes shed with 503: the store was busy for longer than --write-wait-ms.", db.refused},
    };
    for (size_t i = 0; rc == SOUK_OK && i < sizeof metrics / sizeof metrics[0]; i++)
        rc = souk_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", metrics[i].name,
                           metrics[i].help, metrics[i].name, metrics[i].type, metrics[i].name,
                           metrics[i].value);
    return rc;
}

/*
 * server: libmicrohttpd wiring and the fixed request path
 *   route -> auth -> content checks -> JSON -> idempotency -> handler -> commit -> render.
 *
 * libmicrohttpd calls the access handler several times per request: once with the headers,
 * once per body chunk, and a last time with no data. The first call matches the route and
 * refuses oversize bodies early; the last call does the work on a worker thread. A route that
 * writes does only its checks there (in a read transaction), then suspends its connection
 * and queues the rest for the intake writer (writer.c); the writer resumes the connection
 * once the write is committed, and libmicrohttpd calls the handler once more to answer.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
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
/*
 * Each connection's libmicrohttpd memory pool: the request line and headers (larger ones get
 * 431) and the answer's headers; bodies do not live in it. libmicrohttpd zeroes the whole pool
 * between two requests on a connection, so its default of 32 KiB cost an HTTP thread 7% of
 * its time under the order burst.
 */
#define CONNECTION_MEMORY (16 * 1024)

struct souk_http_server {
    struct MHD_Daemon *daemon;
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
    int route;        /* index, or -1 */
    unsigned allowed; /* methods the path supports, for 405 */
    struct souk_buf body;
    bool body_too_big;
    int64_t started_us;
    const char *idem_key;
    bool in_inflight;
    unsigned char inflight_key[32];
    char hash[65];                 /* of path and body, once an Idempotency-Key needs it */
    struct souk_http__write write; /* a writing route's turn at the intake writer */
    bool written;                  /* the writer has answered: the next call responds */
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

static struct req_state *state_new(struct souk_http_server *srv, struct MHD_Connection *conn,
                                   const char *url, enum souk_http_method method)
{
    struct souk_pool *pool = souk_pool_new();
    struct req_state *s = souk_pool_alloc(pool, sizeof *s);
    s->srv = srv;
    s->req.pool = pool;
    s->req.server = srv;
    s->req.context = srv->context;
    s->req.method = method;
    s->req.path = souk_pool_strdup(pool, url);
    s->req._conn = conn;
    s->req._text = (struct souk_buf)SOUK_BUF_INIT(0);
    s->started_us = souk_time_monotonic_us();
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (valid_request_id(rid))
        snprintf(s->req.request_id, sizeof s->req.request_id, "%s", rid);
    else
        souk_id_new("req", s->req.request_id);
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
    souk_buf_release(&s->body);
    souk_pool_free(s->req.pool);
}

/* ---- rendering ---- */

static void add_allow_header(struct MHD_Response *resp, unsigned allowed)
{
    char allow[64] = "";
    size_t used = 0;
    for (unsigned bit = SOUK_HTTP_GET; bit <= SOUK_HTTP_DELETE; bit <<= 1)
        if (allowed & bit)
            used += (size_t)snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "",
                                     souk_http__method_name((enum souk_http_method)bit));
    MHD_add_response_header(resp, "Allow", allow);
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

#define STREAM_BLOCK (64 * 1024)
#define STREAM_MAX_CHUNK (256u << 20) /* one page of a feed is far smaller */

/* A streamed body on its way out: owned by the MHD response from send_response on. */
struct stream_state {
    struct souk_http_stream stream;
    struct souk_db_conn *db; /* the stream's own: the request's is released at completion */
    struct souk_buf chunk;   /* what goes on the wire next */
    size_t sent;             /* bytes of chunk handed to MHD */
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

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream_state *st = cls;
    (void)pos;
    while (st->sent == st->chunk.len) {
        if (st->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        souk_buf_reset(&st->chunk);
        st->sent = 0;
        struct souk_err err = SOUK_ERR_INIT;
        int rc = stream_fill(st, &err);
        if (rc != SOUK_OK) {
            souk_log(SOUK_LOG_ERROR, "streamed response cut short", "req_id", st->request_id,
                     "error", err.message, "detail", err.detail, NULL);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    size_t n = st->chunk.len - st->sent < max ? st->chunk.len - st->sent : max;
    memcpy(buf, st->chunk.data + st->sent, n);
    st->sent += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream_state *st = cls;
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

static struct MHD_Response *stream_response(struct req_state *s)
{
    struct souk_req *req = &s->req;
    struct stream_state *st = souk_calloc(1, sizeof *st);
    st->stream = *req->_stream;
    req->_stream = NULL; /* the response owns it now */
    st->db = souk_db_acquire(s->srv->db);
    st->chunk = (struct souk_buf)SOUK_BUF_INIT(STREAM_MAX_CHUNK);
    st->plain = (struct souk_buf)SOUK_BUF_INIT(STREAM_MAX_CHUNK);
    snprintf(st->request_id, sizeof st->request_id, "%s", req->request_id);
    if (st->stream.gzip &&
        accepts_gzip(MHD_lookup_connection_value(req->_conn, MHD_HEADER_KIND, "Accept-Encoding")))
        st->gzip = souk_gzip_new(6, gzip_sink, &st->chunk);
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, st, stream_free);
    if (st->stream.gzip)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (st->gzip)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    return resp;
}

static enum MHD_Result send_response(struct req_state *s)
{
    struct souk_req *req = &s->req;
    struct MHD_Response *resp;
    if (souk_http__settle_reply(req) != SOUK_OK)
        set_error(s, SOUK_EINTERNAL);
    if (req->_stream) {
        resp = stream_response(s);
        if (req->_content_type)
            MHD_add_response_header(resp, "Content-Type", req->_content_type);
    } else if (req->_json) {
        size_t len = 0;
        char *text = souk_http__json_dump(req->_json, &len);
        resp = MHD_create_response_from_buffer_with_free_callback(len, text, souk_free);
        MHD_add_response_header(resp, "Content-Type", "application/json");
    } else {
        size_t len = 0;
        char *text = souk_buf_detach(&req->_text, &len);
        resp = MHD_create_response_from_buffer_with_free_callback(len, text, souk_free);
        if (req->_content_type)
            MHD_add_response_header(resp, "Content-Type", req->_content_type);
    }
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    if (req->_etag[0])
        MHD_add_response_header(resp, "ETag", req->_etag);
    if (req->_location)
        MHD_add_response_header(resp, "Location", req->_location);
    for (size_t i = 0; i < req->_nheaders; i++)
        MHD_add_response_header(resp, req->_headers[i][0], req->_headers[i][1]);
    if (req->status == 405)
        add_allow_header(resp, s->allowed);
    if (req->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"souk\"");
    if (req->status == 503)
        MHD_add_response_header(resp, "Retry-After", "1");
    enum MHD_Result ok = MHD_queue_response(req->_conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* ---- the shared checks ---- */

static int authenticate(struct req_state *s, const struct souk_http_route *route)
{
    struct souk_req *req = &s->req;
    const char *auth = MHD_lookup_connection_value(req->_conn, MHD_HEADER_KIND, "Authorization");
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
        req->raw_body = (struct souk_str){s->body.data ? s->body.data : "", s->body.len};
        return SOUK_OK;
    }
    const char *ct = MHD_lookup_connection_value(req->_conn, MHD_HEADER_KIND, "Content-Type");
    if (!is_json_content_type(ct))
        return souk_err_set(&req->err, SOUK_EMEDIA, NULL,
                            "send the body as JSON with \"Content-Type: application/json\"");
    if (s->body_too_big)
        return souk_err_set(&req->err, SOUK_ETOOBIG, NULL,
                            "the body is larger than this route's limit of %zu bytes",
                            route->body_limit);
    json_error_t jerr;
    req->body = json_loadb(s->body.data, s->body.len, JSON_REJECT_DUPLICATES, &jerr);
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
    sha256_pair(s->req.path, strlen(s->req.path), s->body.data, s->body.len, digest);
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
    s->written = true;
    MHD_resume_connection(s->req._conn); /* libmicrohttpd calls on_request again to answer */
}

/*
 * Hands the checked request to the intake writer; its connection sleeps until the write is
 * committed. A server that is stopping refuses it with 503 through the same wake-up.
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
    /* Suspended first: the writer may answer before this call returns. */
    MHD_suspend_connection(req->_conn);
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

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct souk_http_server *srv = cls;
    struct req_state *s = *con_cls;
    if (!s) {
        __atomic_fetch_add(&srv->active, 1, __ATOMIC_SEQ_CST);
        s = state_new(srv, conn, url, parse_method(method));
        *con_cls = s;
        if (s->route >= 0) {
            const struct souk_http_route *route = &srv->routes[s->route];
            s->body = (struct souk_buf)SOUK_BUF_INIT(route->body_limit);
            const char *idem = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                           "Idempotency-Key");
            /* The platforms dedupe by their own event ids, not by our header. */
            if (idem && route->method == SOUK_HTTP_POST && route->scope != SOUK_HTTP_SIGNED) {
                const char *auth =
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
                sha256_pair(auth ? auth : "", auth ? strlen(auth) : 0, idem, strlen(idem),
                            s->inflight_key);
                s->idem_key = souk_pool_strdup(s->req.pool, idem);
                s->in_inflight = souk_http__inflight_add(&srv->inflight, s->inflight_key);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!s->body_too_big && s->route >= 0 &&
            souk_buf_add(&s->body, upload_data, *upload_data_size) != SOUK_OK) {
            s->body_too_big = true;
            souk_buf_release(&s->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (s->written) { /* resumed by the intake writer */
        if (s->write.rc != SOUK_OK)
            fail(s, s->write.rc);
    } else if (s->idem_key && (strlen(s->idem_key) > MAX_IDEM_KEY || s->idem_key[0] == '\0')) {
        souk_err_set(&s->req.err, SOUK_EINVAL, "Idempotency-Key",
                     "Idempotency-Key must be 1 to %d characters", MAX_IDEM_KEY);
        set_error(s, SOUK_EINVAL);
    } else if (process(s)) {
        return MHD_YES; /* suspended until the writer answers */
    }
    /* The answer is committed (and stored for replay) before the client can read it, so the
     * key stops being in flight now: a retry sent the moment the answer arrives must replay,
     * not race the connection's teardown into a 409. */
    if (s->in_inflight) {
        souk_http__inflight_remove(&s->srv->inflight, s->inflight_key);
        s->in_inflight = false;
    }
    return send_response(s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct souk_http_server *srv = cls;
    struct req_state *s = *con_cls;
    if (!s)
        return;
    int64_t dur_us = souk_time_monotonic_us() - s->started_us;
    int status = s->req.status ? s->req.status : 499; /* client went away before a response */
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
    *con_cls = NULL;
    __atomic_fetch_sub(&srv->active, 1, __ATOMIC_SEQ_CST);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t len = strlen(text);
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        text[--len] = '\0';
    souk_log(SOUK_LOG_WARN, "libmicrohttpd", "detail", text, NULL);
}

/* ---- lifecycle ---- */

static int resolve_listen(const char *listen, struct sockaddr_storage *addr, bool *ipv6,
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
    *ipv6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return SOUK_OK;
}

int souk_http_server_start(const struct souk_http_config *config, struct souk_http_server **out,
                           struct souk_err *err)
{
    struct sockaddr_storage addr;
    bool ipv6 = false;
    int rc = resolve_listen(config->listen, &addr, &ipv6, err);
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
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(config->threads > 0 ? config->threads : 1), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONNECTION_MEMORY, MHD_OPTION_END);
    if (!srv->daemon) {
        souk_http__writer_free(srv->writer);
        souk_http__inflight_release(&srv->inflight);
        souk_free(srv->stats);
        souk_free(srv);
        return souk_err_set(err, SOUK_EIO, "listen",
                            "cannot listen on %s (address in use or not available)",
                            config->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
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
    MHD_socket listener = MHD_quiesce_daemon(srv->daemon);
    int64_t deadline = souk_time_monotonic_us() + (int64_t)timeout_ms * 1000;
    while (__atomic_load_n(&srv->active, __ATOMIC_SEQ_CST) > 0 &&
           souk_time_monotonic_us() < deadline)
        usleep(10000);
    /* libmicrohttpd must not stop with a connection suspended: the writer answers (and so
     * resumes) every write it holds first, and refuses, through a resume, any that comes. */
    souk_http__writer_stop(srv->writer);
    MHD_stop_daemon(srv->daemon);
    souk_http__writer_free(srv->writer);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
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
        {"souk_http_requests_in_flight", "gauge", "Requests being processed.",
         (unsigned long long)__atomic_load_n(&srv->active, __ATOMIC_SEQ_CST)},
        {"souk_http_write_queue", "gauge", "Write requests waiting for the intake writer.",
         writer.queued},
        {"souk_http_write_batches_total", "counter",
         "Transactions the intake writer ran; writes / batches is the mean batch.",
         writer.batches},
        {"souk_http_writes_total", "counter", "Write requests the intake writer answered.",
         writer.writes},
        {"souk_http_writes_shed_total", "counter",
         "Write requests shed with 503: queued longer than --write-wait-ms.", writer.shed},
        {"souk_db_write_transactions_total", "counter", "Write transactions committed.",
         db.write_transactions},
        {"souk_db_commits_total", "counter", "Physical commits (fsyncs); fewer when grouped.",
         db.commits},
        {"souk_db_writes_refused_total", "counter",
         "Writes shed with 503: the store was busy for longer than --write-wait-ms.",
         db.refused},
    };
    for (size_t i = 0; rc == SOUK_OK && i < sizeof metrics / sizeof metrics[0]; i++)
        rc = souk_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", metrics[i].name,
                           metrics[i].help, metrics[i].name, metrics[i].type, metrics[i].name,
                           metrics[i].value);
    return rc;
}

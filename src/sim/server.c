/*
 * server: the simulator's HTTP side, on libmicrohttpd directly (a TikTok signature covers the
 * raw body, so handlers must see the bytes as sent).
 *
 * One thread per connection: a "slow" fault sleeps in its own thread without holding up the
 * others, and a simulator needs no more throughput than that. libmicrohttpd calls on_request
 * once with the headers (the route, hence the body limit, is chosen then), once per body
 * chunk, and a last time with no data, when the request is served. Every platform request
 * goes the same way:
 *   route -> injected fault -> rate limit -> body size -> credentials -> handler -> log.
 * Paths under /_sim/ are the control endpoints; they are neither faulted, limited nor logged.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/alloc.h"
#include "core/time.h"
#include "sim/sim.h"
#include "sig/sig.h"
#include "sim/sim_int.h"

#define CONTROL_PREFIX "/_sim"
#define CONTROL_BODY_LIMIT (64 << 10)
#define CONFIG_MAX (1 << 20)
#define RESPONSE_MAX ((size_t)512 << 20)
#define MAX_SEGMENTS 16
#define MAX_CONNECTIONS 256u
#define CONNECTION_TIMEOUT_S 30u

/* The platforms the sim serves: adding one is its file and one line here. */
static const struct souk_sim__platform *const platforms[] = {
    &souk_sim__meta,
    &souk_sim__tiktok,
    &souk_sim__pinterest,
    &souk_sim__google,
    &souk_sim__wechat,
};
#define NPLATFORMS (sizeof platforms / sizeof platforms[0])

/* Bytes a "garbage" fault sends with status 200 and a JSON content type: a truncated object
 * after bytes that are not UTF-8, so a client that trusts the header fails to parse it. */
static const char garbage_body[] = "\xff\xfe\x00{\"data\": [tru";
static const char html_body[] =
    "<!DOCTYPE html>\n<html><head><title>Error</title></head><body><h1>Server Error</h1>"
    "<p>The server encountered a temporary error and could not complete your request. "
    "Please try again later.</p></body></html>\n";

struct souk_sim {
    struct MHD_Daemon *daemon;
    struct souk_sim__state *state;
    struct souk_sim__faults *faults;
    struct souk_sim__orders *orders;
    char **credentials[NPLATFORMS]; /* values parallel to each platform's names; owned */
    const char *names[NPLATFORMS];  /* each platform's name, by index */
    uint16_t port;
};

/* Everything one request owns, from its first callback to its completion. */
struct conn_state {
    struct souk_sim__req req;
    struct souk_sim *sim;
    const struct souk_sim__route *route; /* the platform route, or NULL */
    bool control;
    struct souk_buf body;
    bool too_big;
    const char *raw, *raw_type; /* a non-JSON response (garbage and html faults) */
    size_t raw_len;
    int64_t started_us;
};

static size_t platform_index(const char *name)
{
    for (size_t i = 0; name && i < NPLATFORMS; i++)
        if (strcmp(platforms[i]->name, name) == 0)
            return i;
    return SIZE_MAX;
}

/* ---- what handlers call ---- */

struct query_search {
    const char *name, *value;
    bool found;
};

static enum MHD_Result find_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct query_search *q = cls;
    if (strcmp(key, q->name) != 0)
        return MHD_YES;
    q->value = value ? value : "";
    q->found = true;
    return MHD_NO;
}

const char *souk_sim__query(struct souk_sim__req *req, const char *name)
{
    struct query_search q = {.name = name};
    MHD_get_connection_values(req->_conn, MHD_GET_ARGUMENT_KIND, find_query, &q);
    return q.found ? q.value : NULL;
}

const char *souk_sim__header(struct souk_sim__req *req, const char *name)
{
    return MHD_lookup_connection_value(req->_conn, MHD_HEADER_KIND, name);
}

struct query_copy {
    struct souk_sim__req *req;
    struct souk_sim__kv *out; /* NULL while counting */
    size_t n;
};

static enum MHD_Result copy_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct query_copy *c = cls;
    if (c->out)
        c->out[c->n] = (struct souk_sim__kv){souk_pool_strdup(c->req->pool, key),
                                             souk_pool_strdup(c->req->pool, value ? value : "")};
    c->n++;
    return MHD_YES;
}

size_t souk_sim__query_all(struct souk_sim__req *req, struct souk_sim__kv **out)
{
    struct query_copy c = {.req = req};
    MHD_get_connection_values(req->_conn, MHD_GET_ARGUMENT_KIND, copy_query, &c);
    c.out = souk_pool_alloc(req->pool, (c.n ? c.n : 1) * sizeof *c.out);
    c.n = 0;
    MHD_get_connection_values(req->_conn, MHD_GET_ARGUMENT_KIND, copy_query, &c);
    *out = c.out;
    return c.n;
}

const char *souk_sim__credential(struct souk_sim__req *req, const char *name)
{
    struct souk_sim__bound b = souk_sim__req_bound(req);
    return souk_sim__bound_credential(&b, name);
}

const char *souk_sim__bound_credential(const struct souk_sim__bound *b, const char *name)
{
    for (size_t i = 0; b->def->credentials[i]; i++)
        if (strcmp(b->def->credentials[i], name) == 0)
            return b->credentials[i];
    return "";
}

struct souk_sim__bound souk_sim__req_bound(const struct souk_sim__req *req)
{
    return (struct souk_sim__bound){req->platform, req->def, req->credential_values};
}

bool souk_sim__bearer_is(struct souk_sim__req *req, const char *token)
{
    const char *auth = souk_sim__header(req, "Authorization");
    return auth && strncasecmp(auth, "Bearer ", 7) == 0 && souk_sig_equal(auth + 7, token);
}

json_t *souk_sim__body_json(struct souk_sim__req *req)
{
    json_error_t jerr;
    json_t *body = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (body && json_is_object(body))
        return body;
    json_decref(body);
    char message[300];
    if (body)
        snprintf(message, sizeof message, "the request body must be a JSON object");
    else
        snprintf(message, sizeof message, "the request body is not valid JSON (line %d, column "
                 "%d: %s)", jerr.line, jerr.column, jerr.text);
    req->def->error(req, SOUK_SIM__INVALID, 400, message);
    return NULL;
}

void souk_sim__reply(struct souk_sim__req *req, int status, json_t *body)
{
    json_decref(req->_json);
    req->_json = body;
    req->status = status;
}

void souk_sim__add_header(struct souk_sim__req *req, const char *name, const char *value)
{
    if (req->_nheaders == SOUK_SIM_MAX_HEADERS)
        return;
    req->_header_names[req->_nheaders] = souk_pool_strdup(req->pool, name);
    req->_header_values[req->_nheaders] = souk_pool_strdup(req->pool, value);
    req->_nheaders++;
}

/* ---- routing ---- */

/* Splits "/a/b" into the views "a" and "b"; false for a path that does not start with '/' or
 * has more than max segments. */
static bool split_path(const char *path, struct souk_str *segs, size_t max, size_t *n)
{
    *n = 0;
    if (path[0] != '/')
        return false;
    for (const char *seg = path + 1;; ) {
        const char *slash = strchr(seg, '/');
        if (*n == max)
            return false;
        segs[(*n)++] = souk_str_from(seg);
        if (!slash)
            return true;
        segs[*n - 1].len = (size_t)(slash - seg);
        seg = slash + 1;
    }
}

/* The name of a pattern segment that is a capture ("{order_id:digits}" gives "order_id" and
 * digits true), or a view with a NULL ptr for a literal segment. */
static struct souk_str capture_name(struct souk_str seg, bool *digits)
{
    *digits = false;
    if (seg.len < 3 || seg.ptr[0] != '{' || seg.ptr[seg.len - 1] != '}')
        return SOUK_STR_NULL;
    struct souk_str name = {seg.ptr + 1, seg.len - 2};
    const char *colon = memchr(name.ptr, ':', name.len);
    if (colon) {
        struct souk_str kind = {colon + 1, (size_t)(name.ptr + name.len - colon - 1)};
        *digits = souk_str_eq_cstr(kind, "digits");
        name.len = (size_t)(colon - name.ptr);
    }
    return name;
}

/* How many literal segments the pattern matched, or -1 when the path does not fit it. A
 * {name} segment matches any non-empty segment; {name:digits} only a run of digits. */
static int route_fits(const char *pattern, const struct souk_str *segs, size_t nsegs)
{
    struct souk_str want[MAX_SEGMENTS];
    size_t nwant;
    int literals = 0;
    if (!split_path(pattern, want, MAX_SEGMENTS, &nwant) || nwant != nsegs)
        return -1;
    for (size_t i = 0; i < nwant; i++) {
        bool digits;
        if (!capture_name(want[i], &digits).ptr) {
            if (!souk_str_eq(want[i], segs[i]))
                return -1;
            literals++;
        } else if (segs[i].len == 0 ||
                   (digits && strspn(segs[i].ptr, "0123456789") < segs[i].len)) {
            return -1;
        }
    }
    return literals;
}

static void capture_params(struct souk_sim__req *req, const char *pattern,
                           const struct souk_str *segs)
{
    struct souk_str want[MAX_SEGMENTS];
    size_t nwant, captured = 0;
    bool digits;
    if (!split_path(pattern, want, MAX_SEGMENTS, &nwant))
        return;
    for (size_t i = 0; i < nwant; i++)
        if (capture_name(want[i], &digits).ptr && captured < SOUK_SIM_MAX_PARAMS)
            req->params[captured++] = souk_pool_str(req->pool, segs[i]);
}

/* The route the path fits with the most literal segments, so that a platform's fixed path
 * ("/return_refund/202309/cancellations") wins over another's pattern of captures
 * ("/{version}/{order_id}/cancellations"); among equals, the first in the table. */
static const struct souk_sim__route *find_route(struct conn_state *s, const char *method)
{
    struct souk_str segs[MAX_SEGMENTS];
    size_t nsegs, best_platform = 0;
    const struct souk_sim__route *best = NULL;
    int best_literals = -1;
    if (!split_path(s->req.path, segs, MAX_SEGMENTS, &nsegs))
        return NULL;
    for (size_t p = 0; p < NPLATFORMS; p++)
        for (size_t r = 0; r < platforms[p]->nroutes; r++) {
            const struct souk_sim__route *route = &platforms[p]->routes[r];
            int literals =
                strcmp(route->method, method) == 0 ? route_fits(route->pattern, segs, nsegs) : -1;
            if (literals > best_literals) {
                best = route;
                best_platform = p;
                best_literals = literals;
            }
        }
    if (!best)
        return NULL;
    capture_params(&s->req, best->pattern, segs);
    s->req.route = best;
    s->req.platform = best_platform;
    s->req.def = platforms[best_platform];
    s->req.credential_values = (const char *const *)s->sim->credentials[best_platform];
    return best;
}

const char *souk_sim__param(struct souk_sim__req *req, const char *name)
{
    struct souk_str want[MAX_SEGMENTS];
    size_t nwant, captured = 0;
    bool digits;
    if (!req->route || !split_path(req->route->pattern, want, MAX_SEGMENTS, &nwant))
        return NULL;
    for (size_t i = 0; i < nwant && captured < SOUK_SIM_MAX_PARAMS; i++) {
        struct souk_str capture = capture_name(want[i], &digits);
        if (!capture.ptr)
            continue;
        if (souk_str_eq_cstr(capture, name))
            return req->params[captured];
        captured++;
    }
    return NULL;
}

/* ---- the platform path ---- */

static void sleep_ms(int ms)
{
    struct timespec pause = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
        ;
}

static void add_retry_after(struct souk_sim__req *req, int seconds)
{
    char value[16];
    snprintf(value, sizeof value, "%d", seconds);
    souk_sim__add_header(req, "Retry-After", value);
}

/* Applies a queued fault; true when it answered the request (or, for drop, when the
 * connection is to be closed, which *drop says). */
static bool apply_fault(struct conn_state *s, const struct souk_sim__fault *fault, bool *drop)
{
    struct souk_sim__req *req = &s->req;
    switch (fault->kind) {
    case SOUK_SIM__FAULT_DROP:
        *drop = true;
        return true;
    case SOUK_SIM__FAULT_SLOW:
        sleep_ms(fault->delay_ms);
        return false;
    case SOUK_SIM__FAULT_STATUS:
        req->def->error(req, SOUK_SIM__UNAVAILABLE, fault->status,
                        "the service is temporarily unavailable (simulated)");
        break;
    case SOUK_SIM__FAULT_GARBAGE:
        s->raw = garbage_body;
        s->raw_len = sizeof garbage_body - 1;
        s->raw_type = "application/json; charset=utf-8";
        req->status = 200;
        break;
    case SOUK_SIM__FAULT_HTML:
        s->raw = html_body;
        s->raw_len = sizeof html_body - 1;
        s->raw_type = "text/html; charset=utf-8";
        req->status = fault->status;
        break;
    }
    if (fault->retry_after >= 0)
        add_retry_after(req, fault->retry_after);
    return true;
}

/* Serves one platform request; false when the connection is to be dropped instead. */
static bool serve_platform(struct conn_state *s)
{
    struct souk_sim__req *req = &s->req;
    struct souk_sim__fault fault;
    bool drop = false;
    int retry_after = 0;
    if (souk_sim__faults_take(s->sim->faults, req->platform, &fault) &&
        apply_fault(s, &fault, &drop))
        return !drop;
    if (!souk_sim__rate_take(s->sim->faults, req->platform, &retry_after)) {
        req->def->error(req, SOUK_SIM__RATE_LIMITED, 429,
                        "too many requests: the rate limit is exceeded, retry later");
        add_retry_after(req, retry_after);
        return true;
    }
    if (s->too_big) {
        char message[128];
        snprintf(message, sizeof message, "the request body is larger than %zu bytes",
                 s->route->body_limit);
        req->def->error(req, SOUK_SIM__TOO_BIG, 413, message);
        return true;
    }
    if (req->def->authenticate(req))
        s->route->handle(req);
    return true;
}

/* ---- the control endpoints ---- */

void souk_sim__control_error(struct souk_sim__req *req, int status, const char *param,
                             const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    souk_sim__reply(req, status,
                    json_pack("{s:{s:s, s:s*}}", "error", "message", message, "param", param));
}

/* The platform named by the "platform" query parameter or body member; SIZE_MAX (having
 * replied 400) when it names none. */
static size_t control_platform(struct souk_sim__req *req, const char *name)
{
    size_t p = platform_index(name);
    char known[128] = "";
    for (size_t i = 0, used = 0; p == SIZE_MAX && i < NPLATFORMS && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 platforms[i]->name);
    if (p == SIZE_MAX)
        souk_sim__control_error(req, 400, "platform", "platform must be one of %s; not \"%s\"",
                                known, name ? name : "");
    return p;
}

bool souk_sim__control_platform(struct souk_sim__req *req, const char *name,
                                struct souk_sim__bound *out)
{
    size_t p = control_platform(req, name);
    if (p != SIZE_MAX)
        *out = souk_sim__platform_at(req, p);
    return p != SIZE_MAX;
}

bool souk_sim__platform_find(const struct souk_sim__req *req, const char *name,
                             struct souk_sim__bound *out)
{
    size_t p = platform_index(name);
    if (p != SIZE_MAX)
        *out = souk_sim__platform_at(req, p);
    return p != SIZE_MAX;
}

struct souk_sim__bound souk_sim__platform_at(const struct souk_sim__req *req, size_t index)
{
    return (struct souk_sim__bound){index, platforms[index],
                                    (const char *const *)req->sim->credentials[index]};
}

static void control_items(struct conn_state *s, const char *rest)
{
    struct souk_sim__req *req = &s->req;
    if (*rest == '\0') {
        const char *name = souk_sim__query(req, "platform");
        size_t p = control_platform(req, name);
        if (p != SIZE_MAX)
            souk_sim__reply(req, 200, json_pack("{s:s, s:o}", "platform", name, "items",
                                                souk_sim__items_json(s->sim->state, p)));
        return;
    }
    /* "/{platform}/{id}": the id is the rest of the path, slashes and all. */
    const char *slash = strchr(rest + 1, '/');
    char name[32];
    snprintf(name, sizeof name, "%.*s", slash ? (int)(slash - rest - 1) : 0, rest + 1);
    size_t p = control_platform(req, name);
    if (p == SIZE_MAX)
        return;
    json_t *item = slash && slash[1]
                       ? souk_sim__item_json(s->sim->state, p, slash + 1,
                                             platforms[p]->alias_field)
                       : NULL;
    if (item)
        souk_sim__reply(req, 200, item);
    else
        souk_sim__control_error(req, 404, NULL, "%s holds no item \"%s\"", name,
                                slash ? slash + 1 : "");
}

/* The control body as a JSON object; NULL once it has replied with the error. */
static json_t *control_body(struct conn_state *s)
{
    if (s->too_big) {
        souk_sim__control_error(&s->req, 413, NULL, "control bodies are at most %d bytes",
                                CONTROL_BODY_LIMIT);
        return NULL;
    }
    json_t *body = json_loadb(s->req.body.ptr, s->req.body.len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        souk_sim__control_error(&s->req, 400, NULL, "the body must be a JSON object");
        return NULL;
    }
    return body;
}

static void control_faults(struct conn_state *s, json_t *body)
{
    struct souk_sim__req *req = &s->req;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim__fault fault;
    int64_t count;
    const char *name = souk_sim__str(body, "platform");
    size_t p = control_platform(req, name);
    if (p == SIZE_MAX)
        return;
    if (souk_sim__fault_parse(body, &fault, &count, &err) != SOUK_OK) {
        souk_sim__control_error(req, 400, err.param[0] ? err.param : NULL, "%s", err.message);
        return;
    }
    if (souk_sim__faults_push(s->sim->faults, p, &fault, count) != SOUK_OK) {
        souk_sim__control_error(req, 409, NULL, "%s already has %d faults queued", name,
                                SOUK_SIM_MAX_FAULTS);
        return;
    }
    souk_sim__reply(req, 200, json_pack("{s:s, s:O, s:I}", "platform", name, "kind",
                                        json_object_get(body, "kind"), "count",
                                        (json_int_t)count));
}

static void control_rate_limit(struct conn_state *s, json_t *body)
{
    struct souk_sim__req *req = &s->req;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim__rate rate;
    const char *name = souk_sim__str(body, "platform");
    size_t p = control_platform(req, name);
    if (p == SIZE_MAX)
        return;
    if (souk_sim__rate_parse(body, &rate, &err) != SOUK_OK) {
        souk_sim__control_error(req, 400, err.param[0] ? err.param : NULL, "%s", err.message);
        return;
    }
    souk_sim__rate_set(s->sim->faults, p, &rate, false);
    souk_sim__reply(req, 200, json_pack("{s:s, s:f, s:f}", "platform", name, "per_second",
                                        rate.per_second, "burst", rate.burst));
}

static void control(struct conn_state *s, const char *method)
{
    struct souk_sim__req *req = &s->req;
    const char *what = req->path + strlen(CONTROL_PREFIX);
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (get && (strcmp(what, "/items") == 0 || strncmp(what, "/items/", 7) == 0)) {
        control_items(s, what + 6);
    } else if (get && strcmp(what, "/requests") == 0) {
        const char *name = souk_sim__query(req, "platform");
        size_t p = name ? control_platform(req, name) : SIZE_MAX;
        if (!name || p != SIZE_MAX)
            souk_sim__reply(req, 200,
                            json_pack("{s:o}", "requests",
                                      souk_sim__requests_json(s->sim->state, p, s->sim->names)));
    } else if (get && strncmp(what, "/images/", 8) == 0) {
        const unsigned char *png;
        if (souk_sim__image_serve(req, what + 8, &png, &s->raw_len)) {
            s->raw = (const char *)png;
            s->raw_type = "image/png";
            req->status = 200;
        }
    } else if (post && strcmp(what, "/reset") == 0) {
        souk_sim__state_reset(s->sim->state);
        souk_sim__faults_reset(s->sim->faults);
        souk_sim__orders_reset(s->sim->orders);
        souk_sim__reply(req, 200, json_pack("{s:b}", "reset", 1));
    } else if (post && (strcmp(what, "/faults") == 0 || strcmp(what, "/rate_limit") == 0)) {
        json_t *body = control_body(s);
        if (body && what[1] == 'f')
            control_faults(s, body);
        else if (body)
            control_rate_limit(s, body);
        json_decref(body);
    } else if ((get || post) &&
               (strcmp(what, "/orders") == 0 || strncmp(what, "/orders/", 8) == 0)) {
        json_t *body = post ? control_body(s) : NULL;
        if (get || body)
            souk_sim__control_orders(req, what + 7, body);
        json_decref(body);
    } else if (post && (strcmp(what, "/webhooks") == 0 || strcmp(what, "/live") == 0)) {
        json_t *body = control_body(s);
        if (body && what[1] == 'w')
            souk_sim__control_webhooks(req, body);
        else if (body)
            souk_sim__control_live(req, body);
        json_decref(body);
    } else {
        souk_sim__control_error(req, 404, NULL, "no control endpoint %s %s", method, req->path);
    }
}

/* ---- libmicrohttpd callbacks ---- */

static int append_json(const char *buffer, size_t size, void *data)
{
    return souk_buf_add(data, buffer, size) == SOUK_OK ? 0 : -1;
}

static enum MHD_Result send_response(struct conn_state *s)
{
    struct souk_sim__req *req = &s->req;
    struct MHD_Response *resp;
    if (s->raw) {
        resp = MHD_create_response_from_buffer(s->raw_len, (void *)s->raw,
                                               MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Content-Type", s->raw_type);
    } else {
        assert(req->_json); /* every handler replies */
        struct souk_buf text = SOUK_BUF_INIT(RESPONSE_MAX);
        /* 15 digits: latencies and rates read 0.727, not 0.72699999999999998. */
        if (json_dump_callback(req->_json, append_json, &text,
                               JSON_COMPACT | JSON_REAL_PRECISION(15)) != 0) {
            souk_buf_reset(&text);
            req->status = 500;
            if (souk_buf_addstr(&text, "{\"error\":{\"message\":\"the response is too large\"}}") !=
                SOUK_OK)
                souk_buf_reset(&text);
        }
        size_t len = 0;
        char *data = souk_buf_detach(&text, &len);
        resp = MHD_create_response_from_buffer_with_free_callback(len, data, souk_free);
        MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    }
    for (size_t i = 0; i < req->_nheaders; i++)
        MHD_add_response_header(resp, req->_header_names[i], req->_header_values[i]);
    enum MHD_Result ok = MHD_queue_response(req->_conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static struct conn_state *conn_state_new(struct souk_sim *sim, struct MHD_Connection *conn,
                                         const char *url, const char *method)
{
    struct souk_pool *pool = souk_pool_new();
    struct conn_state *s = souk_pool_alloc(pool, sizeof *s);
    s->sim = sim;
    s->started_us = souk_time_monotonic_us();
    s->req.pool = pool;
    s->req.sim = sim;
    s->req.state = sim->state;
    s->req.orders = sim->orders;
    s->req._conn = conn;
    s->req.method = souk_pool_strdup(pool, method);
    s->req.path = souk_pool_strdup(pool, url);
    size_t limit = 0;
    struct souk_str path = souk_str_from(url);
    if (souk_str_eq_cstr(path, CONTROL_PREFIX) || souk_str_has_prefix(path, CONTROL_PREFIX "/")) {
        s->control = true;
        limit = CONTROL_BODY_LIMIT;
    } else if ((s->route = find_route(s, method))) {
        limit = s->route->body_limit;
    }
    s->body = (struct souk_buf)SOUK_BUF_INIT(limit);
    return s;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct conn_state *s = *con_cls;
    if (!s) {
        *con_cls = conn_state_new(cls, conn, url, method);
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* An oversize body is read to its end but not kept, so the client gets its 413. */
        if (!s->too_big && souk_buf_add(&s->body, upload_data, *upload_data_size) != SOUK_OK) {
            s->too_big = true;
            souk_buf_release(&s->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct souk_sim__req *req = &s->req;
    req->body = (struct souk_str){s->body.data, s->body.len};
    if (s->control) {
        control(s, method);
    } else if (!s->route) {
        souk_sim__control_error(req, 404, NULL, "souk sim serves no %s %s", method, req->path);
    } else {
        bool answered = serve_platform(s);
        int64_t took = souk_time_monotonic_us() - s->started_us;
        souk_sim__log_request(s->sim->state, req->platform, method, req->path,
                              answered ? req->status : 0, took, s->body.len);
        if (!answered)
            return MHD_NO; /* libmicrohttpd closes the connection without a response */
    }
    return send_response(s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *s = *con_cls;
    if (!s)
        return;
    /* The answer is out (or the client is gone): now the platform tells of the change. */
    souk_sim__notify_pending(&s->req);
    json_decref(s->req._json);
    souk_buf_release(&s->body);
    souk_pool_free(s->req.pool);
    *con_cls = NULL;
}

/* ---- configuration ---- */

static void free_credentials(struct souk_sim *sim)
{
    for (size_t p = 0; p < NPLATFORMS; p++) {
        for (size_t i = 0; sim->credentials[p] && platforms[p]->credentials[i]; i++)
            souk_free(sim->credentials[p][i]);
        souk_free(sim->credentials[p]);
    }
}

static void default_credentials(struct souk_sim *sim)
{
    for (size_t p = 0; p < NPLATFORMS; p++) {
        size_t n = 0;
        while (platforms[p]->credentials[n])
            n++;
        sim->credentials[p] = souk_calloc(n + 1, sizeof *sim->credentials[p]);
        for (size_t i = 0; i < n; i++)
            sim->credentials[p][i] = souk_strdup(platforms[p]->defaults[i]);
    }
}

static int apply_credentials(struct souk_sim *sim, size_t p, const json_t *section,
                             struct souk_err *err)
{
    const char *key;
    json_t *value;
    if (!json_is_object(section))
        return souk_err_set(err, SOUK_EINVAL, platforms[p]->name,
                            "\"%s\" must be an object of credentials", platforms[p]->name);
    json_object_foreach((json_t *)section, key, value) {
        size_t i = 0;
        while (platforms[p]->credentials[i] && strcmp(platforms[p]->credentials[i], key) != 0)
            i++;
        char param[96];
        snprintf(param, sizeof param, "%s.%s", platforms[p]->name, key);
        if (!platforms[p]->credentials[i])
            return souk_err_set(err, SOUK_EINVAL, param, "%s is not a %s credential", key,
                                platforms[p]->name);
        if (!json_string_value(value) || !*json_string_value(value))
            return souk_err_set(err, SOUK_EINVAL, param, "%s must be a non-empty string", param);
        souk_free(sim->credentials[p][i]);
        sim->credentials[p][i] = souk_strdup(json_string_value(value));
    }
    return SOUK_OK;
}

static int apply_rate_limits(struct souk_sim *sim, const json_t *limits, struct souk_err *err)
{
    const char *key;
    json_t *value;
    struct souk_sim__rate rate;
    if (!json_is_object(limits))
        return souk_err_set(err, SOUK_EINVAL, "rate_limit",
                            "rate_limit must be an object keyed by platform");
    json_object_foreach((json_t *)limits, key, value) {
        size_t p = platform_index(key);
        if (p == SIZE_MAX)
            return souk_err_set(err, SOUK_EINVAL, "rate_limit", "rate_limit.%s: no such platform",
                                key);
        if (souk_sim__rate_parse(value, &rate, err) != SOUK_OK) {
            char param[sizeof err->param];
            snprintf(param, sizeof param, "rate_limit.%.20s.%.60s", key, err->param);
            memcpy(err->param, param, sizeof param);
            return err->code;
        }
        souk_sim__rate_set(sim->faults, p, &rate, true);
    }
    return SOUK_OK;
}

static int load_config(struct souk_sim *sim, const char *path, struct souk_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return souk_err_set(err, SOUK_EIO, "config", "cannot read %s: %s", path, strerror(errno));
    if (st.st_size > CONFIG_MAX)
        return souk_err_set(err, SOUK_EINVAL, "config", "%s is larger than %d bytes", path,
                            CONFIG_MAX);
    json_error_t jerr;
    json_t *config = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(config)) {
        json_decref(config);
        return souk_err_set(err, SOUK_EINVAL, "config", "%s: %s (line %d)", path,
                            config ? "the config must be a JSON object" : jerr.text, jerr.line);
    }
    const char *key;
    json_t *value;
    int rc = SOUK_OK;
    json_object_foreach(config, key, value) {
        size_t p = platform_index(key);
        if (strcmp(key, "rate_limit") == 0)
            rc = apply_rate_limits(sim, value, err);
        else if (p != SIZE_MAX)
            rc = apply_credentials(sim, p, value, err);
        else
            rc = souk_err_set(err, SOUK_EINVAL, key, "unknown key \"%s\" (expected a platform "
                              "name or rate_limit)", key);
        if (rc != SOUK_OK)
            break;
    }
    json_decref(config);
    return rc;
}

/* Reads "IP:PORT" ("[::1]:PORT" for IPv6; "localhost" means 127.0.0.1) into addr. */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, bool *ipv6,
                        struct souk_err *err)
{
    const char *colon = strrchr(listen, ':');
    int64_t port = 0;
    char host[INET6_ADDRSTRLEN + 2] = "";
    if (colon && (size_t)(colon - listen) < sizeof host)
        snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (!colon || souk_str_to_i64(souk_str_from(colon + 1), 0, 65535, &port) != SOUK_OK)
        return souk_err_set(err, SOUK_EINVAL, "listen",
                            "listen address \"%s\" must be IP:PORT, e.g. 127.0.0.1:0", listen);
    bool bracketed = host[0] == '[' && host[strlen(host) - 1] == ']';
    if (bracketed)
        host[strlen(host) - 1] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *ipv6 = false;
    } else if (inet_pton(AF_INET6, host + bracketed, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *ipv6 = true;
    } else {
        return souk_err_set(err, SOUK_EINVAL, "listen",
                            "listen host \"%s\" must be an IP address or localhost", host);
    }
    return SOUK_OK;
}

/* ---- lifecycle ---- */

static void sim_free(struct souk_sim *sim)
{
    free_credentials(sim);
    souk_sim__state_free(sim->state);
    souk_sim__faults_free(sim->faults);
    souk_sim__orders_free(sim->orders);
    souk_free(sim);
    curl_global_cleanup();
}

int souk_sim_start(const struct souk_sim_config *config, struct souk_sim **out,
                   struct souk_err *err)
{
    struct sockaddr_storage addr;
    bool ipv6 = false;
    int rc = parse_listen(config->listen, &addr, &ipv6, err);
    if (rc != SOUK_OK)
        return rc;
    /* Before any thread of the sim's can deliver a notification; paired in sim_free. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct souk_sim *sim = souk_calloc(1, sizeof *sim);
    sim->state = souk_sim__state_new(NPLATFORMS);
    sim->faults = souk_sim__faults_new(NPLATFORMS);
    sim->orders = souk_sim__orders_new(NPLATFORMS);
    for (size_t p = 0; p < NPLATFORMS; p++)
        sim->names[p] = platforms[p]->name;
    default_credentials(sim);
    if (config->config_path && (rc = load_config(sim, config->config_path, err)) != SOUK_OK) {
        sim_free(sim);
        return rc;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    sim->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, sim,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, sim,
                                   MHD_OPTION_CONNECTION_LIMIT, MAX_CONNECTIONS,
                                   MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
                                   MHD_OPTION_END);
    if (!sim->daemon) {
        sim_free(sim);
        return souk_err_set(err, SOUK_EIO, "listen",
                            "cannot listen on %s (address in use or not available)",
                            config->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(sim->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    sim->port = info ? info->port : 0;
    *out = sim;
    return SOUK_OK;
}

uint16_t souk_sim_port(const struct souk_sim *sim)
{
    return sim->port;
}

void souk_sim_stop(struct souk_sim *sim)
{
    if (!sim)
        return;
    MHD_stop_daemon(sim->daemon);
    sim_free(sim);
}

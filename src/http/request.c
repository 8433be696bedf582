/* request: the helpers handlers use to read a request and set its response; see http.h. */
#include <stdio.h>
#include <string.h>

#include "http/http_int.h"

#define MAX_RESPONSE_BYTES (64u << 20) /* a list page is bounded far below this */
#define ANSWER_START_BYTES 4096

const char *souk_req_query(struct souk_req *req, const char *name)
{
    for (size_t i = 0; i < req->_nargs; i++)
        if (strcmp(req->_args[i][0], name) == 0)
            return req->_args[i][1];
    return NULL;
}

const char *souk_req_header(struct souk_req *req, const char *name)
{
    return req->_head ? souk_http__head_field(req->_head, name) : NULL;
}

int souk_req_query_int(struct souk_req *req, const char *name, int64_t min, int64_t max,
                       int64_t fallback, int64_t *out)
{
    const char *text = souk_req_query(req, name);
    if (!text) {
        *out = fallback;
        return SOUK_OK;
    }
    if (souk_str_to_i64(souk_str_from(text), min, max, out) != SOUK_OK)
        return souk_err_set(&req->err, SOUK_EINVAL, name,
                            "%s must be a whole number from %lld to %lld", name, (long long)min,
                            (long long)max);
    return SOUK_OK;
}

int souk_req_if_match(struct souk_req *req, int64_t *expected)
{
    const char *text = souk_req_header(req, "If-Match");
    *expected = -1;
    if (!text || strcmp(text, "*") == 0)
        return SOUK_OK;
    size_t len = strlen(text);
    if (len < 3 || text[0] != '"' || text[len - 1] != '"' ||
        souk_str_to_i64((struct souk_str){text + 1, len - 2}, 1, INT64_MAX, expected) != SOUK_OK)
        return souk_err_set(&req->err, SOUK_EINVAL, "If-Match",
                            "If-Match must be an ETag returned by this API, such as \"3\"");
    return SOUK_OK;
}

/* Drops whatever JSON answer was set, built or not. */
static void drop_json(struct souk_req *req)
{
    json_decref(req->_json);
    req->_json = NULL;
    req->_write = NULL;
}

void souk_req_reply(struct souk_req *req, int status, json_t *body)
{
    drop_json(req);
    req->status = status;
    req->_json = body;
}

void souk_req_reply_later(struct souk_req *req, int status,
                          void (*write)(struct souk_jsonout *w, const void *arg), const void *arg)
{
    drop_json(req);
    req->status = status;
    req->_write = write;
    req->_write_arg = arg;
}

int souk_http__settle_reply(struct souk_req *req)
{
    if (!req->_write)
        return SOUK_OK;
    souk_buf_release(&req->_text);
    souk_buf_init(&req->_text, MAX_RESPONSE_BYTES);
    /* An order's answer is 1 to 2 KiB: room for it at once, not six doublings from 64. */
    int rc = souk_buf_reserve(&req->_text, ANSWER_START_BYTES);
    struct souk_jsonout w = souk_jsonout_begin(&req->_text);
    req->_write(&w, req->_write_arg);
    req->_write = NULL;
    req->_content_type = "application/json";
    if (rc == SOUK_OK)
        rc = souk_jsonout_end(&w);
    if (rc != SOUK_OK)
        souk_err_set(&req->err, rc, NULL, "the answer could not be written");
    return rc;
}

void souk_req_reply_list(struct souk_req *req, json_t *items, bool has_more, const char *cursor)
{
    souk_req_reply(req, 200,
                   json_pack("{s:o, s:b, s:s?}", "data", items, "has_more", has_more,
                             "next_cursor", has_more ? cursor : NULL));
}

int souk_req_reply_text(struct souk_req *req, int status, const char *content_type,
                        struct souk_str text)
{
    souk_buf_release(&req->_text);
    souk_buf_init(&req->_text, MAX_RESPONSE_BYTES);
    int rc = souk_buf_add(&req->_text, text.ptr, text.len);
    if (rc != SOUK_OK)
        return souk_err_set(&req->err, rc, NULL, NULL);
    drop_json(req);
    req->status = status;
    req->_content_type = content_type;
    return SOUK_OK;
}

void souk_req_set_etag(struct souk_req *req, int64_t version)
{
    snprintf(req->_etag, sizeof req->_etag, "\"%lld\"", (long long)version);
}

void souk_req_set_etag_text(struct souk_req *req, const char *etag)
{
    snprintf(req->_etag, sizeof req->_etag, "%s", etag);
}

void souk_req_mark_secret(struct souk_req *req, const char *field)
{
    req->_secret_field = souk_pool_strdup(req->pool, field);
}

void souk_req_add_header(struct souk_req *req, const char *name, const char *value)
{
    if (req->_nheaders == SOUK_HTTP_MAX_HEADERS)
        return;
    req->_headers[req->_nheaders][0] = souk_pool_strdup(req->pool, name);
    req->_headers[req->_nheaders][1] = souk_pool_strdup(req->pool, value);
    req->_nheaders++;
}

void souk_req_reply_stream(struct souk_req *req, int status, const char *content_type,
                           const struct souk_http_stream *stream)
{
    if (req->_stream && req->_stream->release)
        req->_stream->release(req->_stream->ctx);
    req->_stream = souk_pool_alloc(req->pool, sizeof *req->_stream);
    *req->_stream = *stream;
    drop_json(req);
    req->status = status;
    req->_content_type = content_type;
}

void souk_req_set_location(struct souk_req *req, const char *location)
{
    req->_location = souk_pool_strdup(req->pool, location);
}

static int dump_chunk(const char *buffer, size_t size, void *data)
{
    return souk_buf_add(data, buffer, size) == SOUK_OK ? 0 : -1;
}

int souk_http_json_render(const json_t *json, struct souk_buf *out)
{
    return json_dump_callback(json, dump_chunk, out, JSON_COMPACT) == 0 ? SOUK_OK : SOUK_ETOOBIG;
}

char *souk_http__json_dump(const json_t *json, size_t *len)
{
    struct souk_buf out = SOUK_BUF_INIT(MAX_RESPONSE_BYTES);
    if (souk_http_json_render(json, &out) != SOUK_OK)
        souk_buf_reset(&out);
    return souk_buf_detach(&out, len);
}

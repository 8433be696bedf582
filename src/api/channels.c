/* channels: /v1/channels, /v1/fx_rates and the feeds platforms fetch from /feeds. */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/channels.h"
#include "core/time.h"

#define FEED_MAX_ISSUES 1000

static int reply_channel(struct souk_req *req, int status, const char *id, const char *token)
{
    struct souk_channel *c = NULL;
    int rc = souk_channels_get(req->db, req->pool, id, &c, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, c->version);
    souk_req_reply(req, status, souk_channels_encode(c, token));
    if (token)
        souk_req_mark_secret(req, "feed_token");
    return SOUK_OK;
}

/* Creates a channel; the answer carries its feed token, which is never shown again. */
int souk_api_channels_create(struct souk_req *req)
{
    struct souk_channel *c = souk_pool_alloc(req->pool, sizeof *c);
    char token[SOUK_CHANNELS_FEED_TOKEN_MAX];
    int rc = souk_channels_decode(req->pool, req->body, SOUK_CHANNELS_CREATE, c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_create(req->db, req->pool, c, token, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/channels/%s", c->id));
    return reply_channel(req, 201, c->id, token);
}

int souk_api_channels_get(struct souk_req *req)
{
    return reply_channel(req, 200, req->params[0], NULL);
}

int souk_api_channels_update(struct souk_req *req)
{
    int64_t expected;
    struct souk_channel *c = NULL;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_decode(req->pool, req->body, SOUK_CHANNELS_PATCH, c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_update(req->db, req->pool, c, expected, &req->err);
    return rc == SOUK_OK ? reply_channel(req, 200, req->params[0], NULL) : rc;
}

int souk_api_channels_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_channels_delete(req->db, req->params[0], expected, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

int souk_api_channels_list(struct souk_req *req)
{
    struct souk_channel_filter filter = {0};
    struct souk_channel *items = NULL;
    size_t count = 0;
    bool has_more = false;
    int rc = souk_api__page(req, &filter.limit, &filter.after);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "platform", 32, &filter.platform);
    if (rc == SOUK_OK)
        rc = souk_channels_list(req->db, req->pool, &filter, &items, &count, &has_more,
                                &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_channels_encode(&items[i], NULL));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

int souk_api_channels_rotate_token(struct souk_req *req)
{
    char token[SOUK_CHANNELS_FEED_TOKEN_MAX];
    int rc = souk_channels_rotate_feed_token(req->db, req->params[0], token, &req->err);
    return rc == SOUK_OK ? reply_channel(req, 200, req->params[0], token) : rc;
}

/* GET /v1/channels/{id}/diagnostics?max_issues=N: what the platform would reject, and why. */
int souk_api_channels_diagnostics(struct souk_req *req)
{
    struct souk_channel *c = NULL;
    struct souk_channel_diagnosis d = {0};
    int64_t max_issues;
    int rc = souk_req_query_int(req, "max_issues", 0, FEED_MAX_ISSUES, 100, &max_issues);
    if (rc == SOUK_OK)
        rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_diagnose(req->db, req->pool, c, (size_t)max_issues, &d, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *issues = json_array();
    for (size_t i = 0; i < d.nissues; i++)
        json_array_append_new(issues, json_pack("{s:s, s:s, s:s, s:s, s:s}", "item_id",
                                                d.issues[i].item_id, "product_id",
                                                d.issues[i].product_id, "field",
                                                d.issues[i].field, "severity",
                                                d.issues[i].severity, "reason",
                                                d.issues[i].reason));
    souk_req_reply(req, 200,
                   json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:b}", "channel_id", c->id,
                             "platform", c->platform, "products", (json_int_t)d.products,
                             "items", (json_int_t)d.items, "items_rejected",
                             (json_int_t)d.items_rejected, "issues", issues, "issues_truncated",
                             d.issues_truncated));
    return SOUK_OK;
}

static json_t *time_or_null(int64_t us)
{
    char text[SOUK_TIME_RFC3339_MAX];
    if (!us)
        return json_null();
    souk_time_format(us, text);
    return json_string(text);
}

/* GET /v1/channels/{id}/sync: what the platform still has to hear, and how the last pushes went. */
int souk_api_channels_sync(struct souk_req *req)
{
    struct souk_channel_sync_status st;
    int rc = souk_channels_sync_status(req->db, req->pool, req->params[0], &st, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *body = json_pack(
        "{s:s, s:I, s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:s?, s:o, s:o, s:I}",
        "channel_id", req->params[0], "pending", (json_int_t)st.pending, "oldest_pending_at",
        time_or_null(st.oldest_pending_at), "held", (json_int_t)st.held, "held_until",
        time_or_null(st.held_until), "synced", (json_int_t)st.synced, "rejected",
        (json_int_t)st.rejected, "pushed_total", (json_int_t)st.pushed_total, "rejected_total",
        (json_int_t)st.rejected_total, "last_success_at", time_or_null(st.last_success_at),
        "last_error_at", time_or_null(st.last_error_at), "last_error", st.last_error,
        "paused_until", time_or_null(st.paused_until), "last_latency_ms",
        st.last_latency_us ? json_real((double)st.last_latency_us / 1000.0) : json_null(),
        "outbox_backlog", (json_int_t)st.outbox_backlog);
    json_object_set_new(body, "resyncing", json_boolean(st.resyncing));
    struct souk_channel_intake_status in;
    rc = souk_channels_intake_status(req->db, req->pool, req->params[0], &in, &req->err);
    if (rc != SOUK_OK) {
        json_decref(body);
        return rc;
    }
    json_object_set_new(body, "orders",
                        json_pack("{s:I, s:I, s:I, s:I, s:o, s:s?, s:I, s:I, s:s?}",
                                  "notifications_pending", (json_int_t)in.pending,
                                  "notifications_failed", (json_int_t)in.failed, "orders",
                                  (json_int_t)in.orders, "stock_issues",
                                  (json_int_t)in.stock_issues, "last_received_at",
                                  time_or_null(in.last_received_at), "last_error", in.last_error,
                                  "updates_pending", (json_int_t)in.updates_pending,
                                  "updates_failed", (json_int_t)in.updates_failed,
                                  "last_update_error", in.last_update_error));
    souk_req_reply(req, 200, body);
    return SOUK_OK;
}

/* POST /v1/channels/{id}/resync: every item the channel carries is pushed again. */
int souk_api_channels_resync(struct souk_req *req)
{
    struct souk_channel *c;
    int rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_resync(req->db, req->params[0], true, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 202, json_pack("{s:s, s:b}", "channel_id", req->params[0], "resyncing", 1));
    return SOUK_OK;
}

/* ---- FX rates ---- */

int souk_api_fx_list(struct souk_req *req)
{
    struct souk_fx_entry *rates = NULL;
    size_t count = 0;
    int rc = souk_channels_fx_list(req->db, req->pool, &rates, &count, &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++) {
        char at[SOUK_TIME_RFC3339_MAX];
        souk_time_format(rates[i].updated_at, at);
        json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:s}", "base", rates[i].base,
                                              "quote", rates[i].quote, "rate", rates[i].rate,
                                              "updated_at", at));
    }
    souk_req_reply_list(req, data, false, NULL);
    return SOUK_OK;
}

/* PUT /v1/fx_rates/{base}/{quote} {"rate": "1.0842"}: a decimal string, never a float. */
int souk_api_fx_put(struct souk_req *req)
{
    json_t *rate = json_object_get(req->body, "rate");
    if (json_object_size(req->body) != 1 || !json_is_string(rate))
        return souk_err_set(&req->err, SOUK_EINVAL, "rate",
                            "send {\"rate\": \"1.0842\"}: the rate as a decimal string, so no "
                            "precision is lost to binary floating point");
    int rc = souk_channels_fx_set(req->db, req->params[0], req->params[1],
                                  json_string_value(rate), &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:s, s:s}", "base", req->params[0], "quote",
                                       req->params[1], "rate", json_string_value(rate)));
    return SOUK_OK;
}

int souk_api_fx_delete(struct souk_req *req)
{
    int rc = souk_channels_fx_delete(req->db, req->params[0], req->params[1], &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:s, s:b}", "base", req->params[0], "quote",
                                       req->params[1], "deleted", 1));
    return SOUK_OK;
}

/* ---- feeds ---- */

static int feed_next(void *ctx, struct souk_db_conn *db, struct souk_buf *out, bool *done,
                     struct souk_err *err)
{
    return souk_channels_feed_next(ctx, db, out, done, err);
}

static void feed_release(void *ctx)
{
    souk_channels_feed_free(ctx);
}

/* True when an If-None-Match header lists etag (or is "*"). */
static bool none_match(const char *header, const char *etag)
{
    if (!header)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(header, etag); p; p = strstr(p + 1, etag))
        if ((p == header || p[-1] == ' ' || p[-1] == ',') &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
    return false;
}

/*
 * GET /feeds/{id}/{format}?token=...: the channel's catalog in its platform's format,
 * streamed, with an ETag so a platform's scheduled fetch of an unchanged catalog costs one
 * fingerprint query and a 304.
 */
int souk_api_feed(struct souk_req *req)
{
    const char *token = souk_req_query(req, "token");
    int rc = souk_channels_check_feed_token(req->db, req->params[0], souk_str_from(token),
                                            &req->err);
    struct souk_channel *c = NULL;
    if (rc == SOUK_OK)
        rc = souk_channels_get(req->db, req->pool, req->params[0], &c, &req->err);
    if (rc != SOUK_OK)
        return rc;
    if (strcmp(c->status, "active") != 0)
        return souk_err_set(&req->err, SOUK_ENOTFOUND, NULL,
                            "channel %.64s is paused: its feed is empty until it is active",
                            c->id);
    struct souk_feed *feed = NULL;
    char etag[SOUK_CHANNELS_ETAG_MAX];
    int64_t last_modified;
    rc = souk_channels_feed_open(c, req->params[1], souk_req_query(req, "override"), &feed,
                                 &req->err);
    if (rc == SOUK_OK)
        rc = souk_channels_feed_fingerprint(req->db, c, etag, &last_modified, &req->err);
    if (rc != SOUK_OK) {
        souk_channels_feed_free(feed);
        return rc;
    }
    souk_req_set_etag_text(req, etag);
    char http_date[SOUK_TIME_RFC3339_MAX];
    souk_time_format_http(last_modified, http_date);
    souk_req_add_header(req, "Last-Modified", http_date);
    souk_req_add_header(req, "Cache-Control", "private, no-cache");
    /* If-Modified-Since is not honoured: deleting an FX rate changes a feed without a newer
     * change time, so only the ETag can tell. */
    if (none_match(souk_req_header(req, "If-None-Match"), etag)) {
        souk_channels_feed_free(feed);
        return souk_req_reply_text(req, 304, NULL, souk_str_from(""));
    }
    struct souk_http_stream stream = {feed_next, feed_release, feed, true};
    souk_req_reply_stream(req, 200, souk_channels_feed_content_type(feed), &stream);
    return SOUK_OK;
}

/*
 * webhooks: /webhooks/{channel_id}, where the platforms deliver their order notifications.
 * No API key: the channel's connector checks the platform's signature over the exact body.
 * The answer is 200 only once the notification is committed (the route's transaction), so a
 * platform that hears 200 can forget it; anything else makes the platform deliver it again.
 */
#include "api/api_int.h"
#include "channels/channels.h"

static const char *request_header(void *ctx, const char *name)
{
    return souk_req_header(ctx, name);
}

static const char *request_query(void *ctx, const char *name)
{
    return souk_req_query(ctx, name);
}

int souk_api_webhooks_receive(struct souk_req *req)
{
    struct souk_channels_webhook w = {
        .body = req->raw_body, .header = request_header, .query = request_query, .ctx = req};
    size_t recorded = 0;
    const char *ack = NULL;
    int rc = souk_channels_webhook_receive(req->db, req->pool, req->params[0], &w, &recorded,
                                           &ack, &req->err);
    if (rc != SOUK_OK)
        return rc;
    if (ack)
        return souk_req_reply_text(req, 200, "text/plain", souk_str_from(ack));
    souk_req_reply(req, 200, json_pack("{s:I}", "recorded", (json_int_t)recorded));
    return SOUK_OK;
}

/* GET /webhooks/{channel_id}: a platform checking the URL (WeChat's server check). The answer
 * is the platform's challenge, verbatim, once its signature holds. */
int souk_api_webhooks_verify(struct souk_req *req)
{
    struct souk_channels_webhook w = {
        .body = req->raw_body, .header = request_header, .query = request_query, .ctx = req};
    const char *echo = NULL;
    int rc = souk_channels_webhook_challenge(req->db, req->pool, req->params[0], &w, &echo,
                                             &req->err);
    if (rc != SOUK_OK)
        return rc;
    return souk_req_reply_text(req, 200, "text/plain", souk_str_from(echo));
}

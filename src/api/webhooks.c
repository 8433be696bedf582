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

int souk_api_webhooks_receive(struct souk_req *req)
{
    struct souk_channels_webhook w = {.body = req->raw_body, .header = request_header, .ctx = req};
    size_t recorded = 0;
    int rc = souk_channels_webhook_receive(req->db, req->pool, req->params[0], &w, &recorded,
                                           &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:I}", "recorded", (json_int_t)recorded));
    return SOUK_OK;
}

/* health: liveness, readiness and metrics. */
#include "api/api_int.h"
#include "catalog/catalog.h"
#include "channels/channels.h"

int souk_api_healthz(struct souk_req *req)
{
    souk_req_reply(req, 200, json_pack("{s:s}", "status", "ok"));
    return SOUK_OK;
}

/* Ready means the store answers: the request's read transaction already opened, so one
 * trivial query proves the connection works. */
int souk_api_readyz(struct souk_req *req)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(req->db, "SELECT 1", &st, &req->err);
    if (rc == SOUK_OK)
        rc = souk_db_step(st, &req->err);
    if (rc < 0)
        return souk_err_set(&req->err, SOUK_EAGAIN, NULL, "the store is not answering");
    souk_req_reply(req, 200, json_pack("{s:s}", "status", "ready"));
    return SOUK_OK;
}

int souk_api_metrics(struct souk_req *req)
{
    struct souk_buf text = SOUK_BUF_INIT(16u << 20);
    int rc = souk_http_metrics_render(req->server, &text);
    if (rc == SOUK_OK)
        rc = souk_channels_metrics_render(req->db, &text, &req->err);
    struct souk_catalog_stock_states states;
    if (rc == SOUK_OK)
        rc = souk_catalog_stock_states(req->db, &states, &req->err);
    if (rc == SOUK_OK)
        rc = souk_buf_addf(&text,
                           "# HELP souk_variants_low_stock Variants at or below their "
                           "low_stock_threshold.\n# TYPE souk_variants_low_stock gauge\n"
                           "souk_variants_low_stock %lld\n"
                           "# HELP souk_variants_out_of_stock Variants with nothing available.\n"
                           "# TYPE souk_variants_out_of_stock gauge\nsouk_variants_out_of_stock "
                           "%lld\n",
                           (long long)states.low, (long long)states.out);
    if (rc == SOUK_OK)
        rc = souk_req_reply_text(req, 200, "text/plain; version=0.0.4",
                                 (struct souk_str){text.data, text.len});
    souk_buf_release(&text);
    return rc == SOUK_OK || req->err.code ? rc : souk_err_set(&req->err, rc, NULL, NULL);
}

/* products: /v1/products. Variants are created inline on POST and changed via /v1/variants. */
#include <string.h>

#include "api/api_int.h"
#include "catalog/catalog.h"
#include "core/locale.h"
#include "core/time.h"

static int read_locale(struct souk_req *req, const char **locale)
{
    *locale = souk_req_query(req, "locale");
    if (!*locale)
        return SOUK_OK;
    return souk_locale_check(souk_str_from(*locale), "locale", &req->err);
}

/* Replies with the stored product (re-read so the answer is exactly what a GET returns). */
static int reply_product(struct souk_req *req, int status, const char *id, const char *locale)
{
    struct souk_product *p = NULL;
    int rc = souk_catalog_product_get(req->db, req->pool, id, locale, &p, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_etag(req, p->version);
    souk_req_reply(req, status, souk_catalog_product_encode(p));
    return SOUK_OK;
}

int souk_api_products_create(struct souk_req *req)
{
    struct souk_product *p = souk_pool_alloc(req->pool, sizeof *p);
    int rc = souk_catalog_product_decode(req->pool, req->body, SOUK_CATALOG_CREATE, p, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_create(req->db, req->pool, p, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_set_location(req, souk_pool_printf(req->pool, "/v1/products/%s", p->id));
    return reply_product(req, 201, p->id, NULL);
}

/*
 * Reads are served from the rendered-JSON cache when the product's version still matches (one
 * indexed lookup instead of a dozen queries and a JSON rendering). Every change to what a
 * product renders bumps its version, so a hit is never stale.
 */
int souk_api_products_get(struct souk_req *req)
{
    const struct souk_api_context *ctx = req->context;
    const char *id = req->params[0], *locale;
    int64_t version;
    int rc = read_locale(req, &locale);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_version(req->db, id, &version, &req->err);
    if (rc != SOUK_OK)
        return rc;
    struct souk_str key = souk_str_from(souk_pool_printf(req->pool, "%s|%s", id,
                                                         locale ? locale : ""));
    struct souk_buf body = SOUK_BUF_INIT(SOUK_API_MAX_RESPONSE);
    if (!souk_cache_get(ctx->products, key, version, &body)) {
        struct souk_product *p = NULL;
        rc = souk_catalog_product_get(req->db, req->pool, id, locale, &p, &req->err);
        json_t *json = rc == SOUK_OK ? souk_catalog_product_encode(p) : NULL;
        if (json && (rc = souk_http_json_render(json, &body)) != SOUK_OK)
            souk_err_set(&req->err, rc, NULL, "the product is too large to render");
        json_decref(json);
        if (rc == SOUK_OK)
            souk_cache_put(ctx->products, key, version, (struct souk_str){body.data, body.len});
    }
    if (rc == SOUK_OK) {
        souk_req_set_etag(req, version);
        rc = souk_req_reply_text(req, 200, "application/json",
                                 (struct souk_str){body.data, body.len});
    }
    souk_buf_release(&body);
    return rc;
}

int souk_api_products_update(struct souk_req *req)
{
    int64_t expected;
    struct souk_product *p = NULL;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_get(req->db, req->pool, req->params[0], NULL, &p, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_decode(req->pool, req->body, SOUK_CATALOG_PATCH, p, &req->err);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_update(req->db, req->pool, p, expected, &req->err);
    return rc == SOUK_OK ? reply_product(req, 200, req->params[0], NULL) : rc;
}

int souk_api_products_delete(struct souk_req *req)
{
    int64_t expected;
    int rc = souk_req_if_match(req, &expected);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_delete(req->db, req->params[0], expected, &req->err);
    if (rc != SOUK_OK)
        return rc;
    souk_req_reply(req, 200, json_pack("{s:s, s:b}", "id", req->params[0], "deleted", 1));
    return SOUK_OK;
}

static int read_filter(struct souk_req *req, struct souk_product_filter *f)
{
    const char *since;
    int rc = souk_api__page(req, &f->limit, &f->after);
    if (rc == SOUK_OK)
        rc = read_locale(req, &f->locale);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "q", 200, &f->q);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "tag", 255, &f->tag);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "collection", 255, &f->collection);
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "status", 16, &f->status);
    if (rc == SOUK_OK && f->status && strcmp(f->status, "draft") != 0 &&
        strcmp(f->status, "active") != 0 && strcmp(f->status, "archived") != 0)
        rc = souk_err_set(&req->err, SOUK_EINVAL, "status",
                          "status must be draft, active or archived");
    if (rc == SOUK_OK)
        rc = souk_api__query_text(req, "updated_since", 64, &since);
    f->updated_since = SOUK_CATALOG_UNSET;
    if (rc == SOUK_OK && since && souk_time_parse(souk_str_from(since), &f->updated_since))
        rc = souk_err_set(&req->err, SOUK_EINVAL, "updated_since",
                          "updated_since must be an RFC 3339 time such as "
                          "2026-01-31T12:00:00Z");
    return rc;
}

int souk_api_products_list(struct souk_req *req)
{
    struct souk_product_filter filter = {0};
    struct souk_product *items = NULL;
    size_t count;
    bool has_more;
    int rc = read_filter(req, &filter);
    if (rc == SOUK_OK)
        rc = souk_catalog_product_list(req->db, req->pool, &filter, &items, &count, &has_more,
                                       &req->err);
    if (rc != SOUK_OK)
        return rc;
    json_t *data = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(data, souk_catalog_product_encode(&items[i]));
    souk_req_reply_list(req, data, has_more, count ? items[count - 1].id : NULL);
    return SOUK_OK;
}

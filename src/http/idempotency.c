/*
 * idempotency: the in-flight set and the stored first answers behind Idempotency-Key.
 *
 * The stored answer is written in the same transaction as the request's effect, so a replay
 * can never describe something that did not commit. Records are kept for at least 24 hours
 * (SOUK_HTTP_IDEM_TTL_US); older ones no longer match and are overwritten by a new request.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/time.h"
#include "http/http_int.h"

#define IDEM_TTL_US (24LL * 3600 * 1000000)

void souk_http__inflight_init(struct souk_http__inflight *set)
{
    pthread_mutex_init(&set->lock, NULL);
    set->keys = NULL;
    set->len = set->cap = 0;
}

void souk_http__inflight_release(struct souk_http__inflight *set)
{
    pthread_mutex_destroy(&set->lock);
    souk_free(set->keys);
}

bool souk_http__inflight_add(struct souk_http__inflight *set, const unsigned char key[32])
{
    bool added = true;
    pthread_mutex_lock(&set->lock);
    /* The set holds at most one entry per concurrent request, so a scan is cheap. */
    for (size_t i = 0; i < set->len && added; i++)
        added = memcmp(set->keys[i], key, 32) != 0;
    if (added) {
        if (set->len == set->cap) {
            set->cap = set->cap ? set->cap * 2 : 16;
            set->keys = souk_realloc(set->keys, set->cap * 32);
        }
        memcpy(set->keys[set->len++], key, 32);
    }
    pthread_mutex_unlock(&set->lock);
    return added;
}

void souk_http__inflight_remove(struct souk_http__inflight *set, const unsigned char key[32])
{
    pthread_mutex_lock(&set->lock);
    for (size_t i = 0; i < set->len; i++) {
        if (memcmp(set->keys[i], key, 32) == 0) {
            memcpy(set->keys[i], set->keys[--set->len], 32);
            break;
        }
    }
    pthread_mutex_unlock(&set->lock);
}

int souk_http__idem_lookup(struct souk_req *req, const char *key, const char *request_hash,
                           bool *found, struct souk_http__idem_answer *answer)
{
    struct souk_db_stmt *st;
    *found = false;
    int rc = souk_db_prepare(req->db,
                             "SELECT request_hash, status, response_body, location, created_at,"
                             " etag FROM idempotency_keys WHERE api_key_id = $1 AND idem_key = $2",
                             &st, &req->err);
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 1, souk_str_from(req->api_key_id));
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 2, souk_str_from(key));
    if (rc == SOUK_OK)
        rc = souk_db_step(st, &req->err);
    if (rc <= 0)
        return rc;
    if (souk_db_col_i64(st, 4) < souk_time_now_us() - IDEM_TTL_US)
        return SOUK_OK; /* expired: treated as new */
    if (!souk_str_eq_cstr(souk_db_col_text(st, 0), request_hash))
        return souk_err_set(&req->err, SOUK_EIDEMPOTENCY, "Idempotency-Key",
                            "this Idempotency-Key was already used with a different request; "
                            "use a new key for a new request");
    *found = true;
    answer->status = (int)souk_db_col_i64(st, 1);
    answer->body = souk_pool_str(req->pool, souk_db_col_text(st, 2));
    answer->location =
        souk_db_col_is_null(st, 3) ? NULL : souk_pool_str(req->pool, souk_db_col_text(st, 3));
    answer->etag =
        souk_db_col_is_null(st, 5) ? NULL : souk_pool_str(req->pool, souk_db_col_text(st, 5));
    return SOUK_OK;
}

int souk_http__idem_store(struct souk_req *req, const char *key, const char *request_hash,
                          int status, const char *body, const char *location, const char *etag)
{
    int64_t now = souk_time_now_us();
    int64_t changed = souk_db_run_sql(
        req->db, &req->err,
        "INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash, status,"
        " response_body, location, etag, created_at) VALUES ($1, $2, 'POST', $3, $4, $5, $6, $7,"
        " $8, $9) ON CONFLICT (api_key_id, idem_key) DO UPDATE SET path = $3, request_hash = $4,"
        " status = $5, response_body = $6, location = $7, etag = $8, created_at = $9",
        "ssssisssi", req->api_key_id, key, req->path, request_hash, (int64_t)status, body,
        location, etag, now);
    /* Expired records would otherwise stay until their key is reused; the created_at index
     * makes this an empty range scan on most requests. */
    if (changed >= 0)
        changed = souk_db_run_sql(req->db, &req->err,
                                  "DELETE FROM idempotency_keys WHERE created_at < $1", "i",
                                  now - IDEM_TTL_US);
    return changed < 0 ? (int)changed : SOUK_OK;
}

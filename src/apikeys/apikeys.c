/* apikeys: see apikeys.h. */
#include "apikeys/apikeys.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "core/time.h"
#include "sig/sig.h"

#define SECRET_BYTES 32
#define HASH_HEX (SHA256_DIGEST_LENGTH * 2)

static const struct {
    const char *name;
    unsigned bit;
} scope_names[] = {
    {"catalog:read", SOUK_SCOPE_CATALOG_READ},
    {"catalog:write", SOUK_SCOPE_CATALOG_WRITE},
    {"orders:read", SOUK_SCOPE_ORDERS_READ},
    {"orders:write", SOUK_SCOPE_ORDERS_WRITE},
    {"channels:read", SOUK_SCOPE_CHANNELS_READ},
    {"channels:write", SOUK_SCOPE_CHANNELS_WRITE},
    {"metrics:read", SOUK_SCOPE_METRICS_READ},
    {"admin", SOUK_SCOPE_ADMIN},
};
#define NSCOPES (sizeof scope_names / sizeof scope_names[0])

int souk_apikeys_parse_scopes(const char *list, unsigned *out, struct souk_err *err)
{
    unsigned bits = 0;
    const char *cur = list;
    for (;;) {
        const char *comma = strchr(cur, ',');
        size_t len = comma ? (size_t)(comma - cur) : strlen(cur);
        struct souk_str name = {cur, len};
        unsigned bit = 0;
        for (size_t i = 0; i < NSCOPES && !bit; i++)
            if (souk_str_eq_cstr(name, scope_names[i].name))
                bit = scope_names[i].bit;
        if (!bit)
            return souk_err_set(err, SOUK_EINVAL, "scope",
                                "unknown scope \"%.*s\": expected catalog:read, catalog:write, "
                                "orders:read, orders:write, metrics:read or admin",
                                (int)(len > 64 ? 64 : len), cur);
        bits |= bit;
        if (!comma)
            break;
        cur = comma + 1;
    }
    *out = bits;
    return SOUK_OK;
}

void souk_apikeys_format_scopes(unsigned scopes, char out[SOUK_APIKEY_SCOPES_MAX])
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NSCOPES; i++) {
        if (scopes & scope_names[i].bit) {
            int n = snprintf(out + used, SOUK_APIKEY_SCOPES_MAX - used, "%s%s", used ? "," : "",
                             scope_names[i].name);
            used += (size_t)n;
        }
    }
}

bool souk_apikeys_allows(unsigned held, unsigned needed)
{
    return (held & SOUK_SCOPE_ADMIN) || (held & needed) == needed;
}

static void hash_secret(const char *secret, size_t len, char out[HASH_HEX + 1])
{
    souk_sig_sha256_hex((struct souk_str){secret, len}, out);
}

int souk_apikeys_create(struct souk_db *db, const char *name, unsigned scopes,
                        char id_out[SOUK_ID_MAX], char key_out[SOUK_APIKEY_MAX],
                        struct souk_err *err)
{
    if (!name || !*name || strlen(name) > 100)
        return souk_err_set(err, SOUK_EINVAL, "name", "a key needs a name of 1 to 100 bytes");
    if (!scopes)
        return souk_err_set(err, SOUK_EINVAL, "scope", "a key needs at least one scope");
    unsigned char raw[SECRET_BYTES];
    char secret[SECRET_BYTES * 2 + 1], hash[HASH_HEX + 1], scope_text[SOUK_APIKEY_SCOPES_MAX];
    souk_id_random(raw, sizeof raw);
    souk_hex_encode(raw, sizeof raw, secret);
    hash_secret(secret, strlen(secret), hash);
    souk_apikeys_format_scopes(scopes, scope_text);
    souk_id_new("key", id_out);
    snprintf(key_out, SOUK_APIKEY_MAX, "sk_%s_%s", id_out + 4, secret);

    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "INSERT INTO api_keys (id, name, secret_hash, scopes, created_at)"
                             " VALUES ($1, $2, $3, $4, $5)",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 1, souk_str_from(id_out));
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 2, souk_str_from(name));
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 3, souk_str_from(hash));
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 4, souk_str_from(scope_text));
    if (rc == SOUK_OK)
        rc = souk_db_bind_i64(st, 5, souk_time_now_us());
    if (rc == SOUK_OK) {
        int64_t changed = souk_db_run(st, err);
        rc = changed < 0 ? (int)changed : SOUK_OK;
    }
    if (rc == SOUK_OK)
        rc = souk_db_commit(conn, err);
    souk_db_release(conn);
    return rc;
}

int souk_apikeys_revoke(struct souk_db *db, const char *id, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int64_t changed = 0;
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2)"
                             " WHERE id = $1",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 1, souk_str_from(id));
    if (rc == SOUK_OK)
        rc = souk_db_bind_i64(st, 2, souk_time_now_us());
    if (rc == SOUK_OK) {
        changed = souk_db_run(st, err);
        rc = changed < 0 ? (int)changed : SOUK_OK;
    }
    if (rc == SOUK_OK && changed == 0)
        rc = souk_err_set(err, SOUK_ENOTFOUND, "id", "no API key with id %s", id);
    if (rc == SOUK_OK)
        rc = souk_db_commit(conn, err);
    souk_db_release(conn);
    return rc;
}

int souk_apikeys_list(struct souk_db *db, void (*fn)(const struct souk_apikey_info *, void *),
                      void *arg, struct souk_err *err)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn,
                             "SELECT id, name, scopes, created_at, revoked_at FROM api_keys"
                             " ORDER BY id",
                             &st, err);
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        struct souk_apikey_info info = {0};
        struct souk_str id = souk_db_col_text(st, 0), name = souk_db_col_text(st, 1);
        snprintf(info.id, sizeof info.id, "%.*s", (int)id.len, id.ptr);
        snprintf(info.name, sizeof info.name, "%.*s", (int)name.len, name.ptr);
        struct souk_str scopes = souk_db_col_text(st, 2);
        char scope_text[SOUK_APIKEY_SCOPES_MAX];
        snprintf(scope_text, sizeof scope_text, "%.*s", (int)scopes.len, scopes.ptr);
        if (souk_apikeys_parse_scopes(scope_text, &info.scopes, NULL) != SOUK_OK)
            info.scopes = SOUK_SCOPE_NONE;
        info.created_at = souk_db_col_i64(st, 3);
        info.revoked_at = souk_db_col_is_null(st, 4) ? 0 : souk_db_col_i64(st, 4);
        fn(&info, arg);
        rc = SOUK_OK;
    }
    souk_db_release(conn);
    return rc < 0 ? rc : SOUK_OK;
}

int souk_apikeys_authenticate(struct souk_db_conn *conn, struct souk_str presented,
                              char id_out[SOUK_ID_MAX], unsigned *scopes_out,
                              struct souk_err *err)
{
    /* "sk_" + 26-char id body + "_" + 64 hex */
    const size_t expected_len = 3 + SOUK_ID_BODY_LEN + 1 + SECRET_BYTES * 2;
    if (presented.len != expected_len || !souk_str_has_prefix(presented, "sk_") ||
        presented.ptr[3 + SOUK_ID_BODY_LEN] != '_')
        return souk_err_set(err, SOUK_EUNAUTH, NULL, "the API key is invalid or revoked");
    char id[SOUK_ID_MAX];
    snprintf(id, sizeof id, "key_%.*s", SOUK_ID_BODY_LEN, presented.ptr + 3);
    const char *secret = presented.ptr + 3 + SOUK_ID_BODY_LEN + 1;
    char hash[HASH_HEX + 1];
    hash_secret(secret, SECRET_BYTES * 2, hash);

    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT secret_hash, scopes, revoked_at FROM api_keys WHERE id = $1",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind_text(st, 1, souk_str_from(id));
    if (rc == SOUK_OK)
        rc = souk_db_step(st, err);
    if (rc < 0)
        return rc;
    bool ok = false;
    if (rc == 1) {
        struct souk_str stored = souk_db_col_text(st, 0);
        ok = stored.len == HASH_HEX && CRYPTO_memcmp(stored.ptr, hash, HASH_HEX) == 0 &&
             souk_db_col_is_null(st, 2);
        if (ok) {
            struct souk_str scopes = souk_db_col_text(st, 1);
            char scope_text[SOUK_APIKEY_SCOPES_MAX];
            snprintf(scope_text, sizeof scope_text, "%.*s", (int)scopes.len, scopes.ptr);
            ok = souk_apikeys_parse_scopes(scope_text, scopes_out, NULL) == SOUK_OK;
        }
    }
    if (!ok)
        return souk_err_set(err, SOUK_EUNAUTH, NULL, "the API key is invalid or revoked");
    memcpy(id_out, id, sizeof id);
    return SOUK_OK;
}

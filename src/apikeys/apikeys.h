/*
 * apikeys: API keys, their scopes, and authentication of a presented key.
 *
 * A key looks like "sk_<26-char id>_<64 hex secret>". Only the SHA-256 of the secret is
 * stored; the full key is shown once, when created. Authentication finds the key by its id and
 * compares hashes in constant time. Revoked keys stay in the table (for audit) and never
 * authenticate again. Depends on core/, db/ and sig/.
 */
#ifndef SOUK_APIKEYS_APIKEYS_H
#define SOUK_APIKEYS_APIKEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/str.h"
#include "db/db.h"

/* Scopes are bits; "admin" holds every scope. */
enum souk_scope {
    SOUK_SCOPE_CATALOG_READ = 1 << 0,
    SOUK_SCOPE_CATALOG_WRITE = 1 << 1,
    SOUK_SCOPE_METRICS_READ = 1 << 2,
    SOUK_SCOPE_ORDERS_READ = 1 << 3,
    SOUK_SCOPE_ORDERS_WRITE = 1 << 4,
    SOUK_SCOPE_CHANNELS_READ = 1 << 5,
    SOUK_SCOPE_CHANNELS_WRITE = 1 << 6,
    SOUK_SCOPE_ADMIN = 1 << 30,
};
#define SOUK_SCOPE_NONE 0

#define SOUK_APIKEY_MAX 128 /* buffer size for a full key */
#define SOUK_APIKEY_SCOPES_MAX 256

/* Parses "catalog:read,catalog:write,orders:read,orders:write,metrics:read,admin" into bits. Unknown or empty names are SOUK_EINVAL. */
int souk_apikeys_parse_scopes(const char *list, unsigned *out, struct souk_err *err)
    SOUK_MUST_CHECK;
/* Writes the canonical comma-separated form of scope bits. */
void souk_apikeys_format_scopes(unsigned scopes, char out[SOUK_APIKEY_SCOPES_MAX]);
/* True when the held scopes include every bit of needed (admin includes all). */
bool souk_apikeys_allows(unsigned held, unsigned needed);

/* Creates a key. Writes its id ("key_...") and the full secret key, which is never stored. */
int souk_apikeys_create(struct souk_db *db, const char *name, unsigned scopes,
                        char id_out[SOUK_ID_MAX], char key_out[SOUK_APIKEY_MAX],
                        struct souk_err *err) SOUK_MUST_CHECK;

/* Revokes by id. SOUK_ENOTFOUND if no such key; revoking twice is fine. */
int souk_apikeys_revoke(struct souk_db *db, const char *id, struct souk_err *err)
    SOUK_MUST_CHECK;

struct souk_apikey_info {
    char id[SOUK_ID_MAX];
    char name[128];
    unsigned scopes;
    int64_t created_at;
    int64_t revoked_at; /* 0 when active */
};

/* Calls fn for every key, oldest first. */
int souk_apikeys_list(struct souk_db *db, void (*fn)(const struct souk_apikey_info *, void *),
                      void *arg, struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Authenticates a presented key on an open connection (inside the request's transaction).
 * Returns SOUK_OK with the key's id and scopes, or SOUK_EUNAUTH for a malformed, unknown or
 * revoked key (one message for all, so probing learns nothing).
 */
int souk_apikeys_authenticate(struct souk_db_conn *conn, struct souk_str presented,
                              char id_out[SOUK_ID_MAX], unsigned *scopes_out,
                              struct souk_err *err) SOUK_MUST_CHECK;

#endif

/* Unit tests for apikeys: scopes, creation, authentication, revocation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apikeys/apikeys.h"
#include "../temp_store.h"

struct fixture {
    struct temp_store store;
    struct souk_db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    temp_store_make(&f->store, "keytest");
    assert_int_equal(souk_db_open(f->store.spec, NULL, &f->db, NULL), SOUK_OK);
    assert_int_equal(souk_db_migrate(f->db, NULL), SOUK_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    souk_db_close(f->db);
    temp_store_remove(&f->store);
    free(f);
    return 0;
}

static void scopes_parse_and_format(void **state)
{
    unsigned bits = 0;
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_apikeys_parse_scopes("catalog:write,catalog:read", &bits, &err),
                     SOUK_OK);
    assert_int_equal(bits, SOUK_SCOPE_CATALOG_READ | SOUK_SCOPE_CATALOG_WRITE);
    char text[SOUK_APIKEY_SCOPES_MAX];
    souk_apikeys_format_scopes(bits, text);
    assert_string_equal(text, "catalog:read,catalog:write");
    assert_int_equal(souk_apikeys_parse_scopes("catalog:read,", &bits, &err), SOUK_EINVAL);
    assert_int_equal(souk_apikeys_parse_scopes("catalog:delete", &bits, &err), SOUK_EINVAL);
    assert_non_null(strstr(err.message, "catalog:delete"));
    assert_true(souk_apikeys_allows(SOUK_SCOPE_ADMIN, SOUK_SCOPE_CATALOG_WRITE));
    assert_false(souk_apikeys_allows(SOUK_SCOPE_CATALOG_READ, SOUK_SCOPE_CATALOG_WRITE));
}

static int auth(struct souk_db *db, const char *key, unsigned *scopes)
{
    char id[SOUK_ID_MAX];
    struct souk_db_conn *conn = souk_db_acquire(db);
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, NULL), SOUK_OK);
    int rc = souk_apikeys_authenticate(conn, souk_str_from(key), id, scopes, NULL);
    souk_db_release(conn);
    return rc;
}

static void created_key_authenticates_until_revoked(void **state)
{
    struct fixture *f = *state;
    char id[SOUK_ID_MAX], key[SOUK_APIKEY_MAX];
    unsigned scopes = 0;
    assert_int_equal(souk_apikeys_create(f->db, "ci", SOUK_SCOPE_CATALOG_READ, id, key, NULL),
                     SOUK_OK);
    assert_int_equal(auth(f->db, key, &scopes), SOUK_OK);
    assert_int_equal(scopes, SOUK_SCOPE_CATALOG_READ);

    /* A wrong secret with the right id, a truncated key and garbage all fail alike. */
    char tampered[SOUK_APIKEY_MAX];
    memcpy(tampered, key, sizeof tampered);
    size_t len = strlen(tampered);
    tampered[len - 1] = tampered[len - 1] == 'a' ? 'b' : 'a';
    assert_int_equal(auth(f->db, tampered, &scopes), SOUK_EUNAUTH);
    tampered[len - 1] = '\0';
    assert_int_equal(auth(f->db, tampered, &scopes), SOUK_EUNAUTH);
    assert_int_equal(auth(f->db, "sk_nonsense", &scopes), SOUK_EUNAUTH);

    assert_int_equal(souk_apikeys_revoke(f->db, id, NULL), SOUK_OK);
    assert_int_equal(auth(f->db, key, &scopes), SOUK_EUNAUTH);
    assert_int_equal(souk_apikeys_revoke(f->db, "key_missing", NULL), SOUK_ENOTFOUND);
}

static void the_secret_is_not_stored(void **state)
{
    struct fixture *f = *state;
    char id[SOUK_ID_MAX], key[SOUK_APIKEY_MAX];
    assert_int_equal(souk_apikeys_create(f->db, "ci", SOUK_SCOPE_ADMIN, id, key, NULL), SOUK_OK);
    const char *secret = strrchr(key, '_') + 1;
    struct souk_db_conn *conn = souk_db_acquire(f->db);
    struct souk_db_stmt *st;
    assert_int_equal(souk_db_begin(conn, SOUK_DB_READ, NULL), SOUK_OK);
    assert_int_equal(souk_db_prepare(conn, "SELECT id || name || secret_hash || scopes FROM "
                                           "api_keys", &st, NULL),
                     SOUK_OK);
    assert_int_equal(souk_db_step(st, NULL), 1);
    struct souk_str row = souk_db_col_text(st, 0);
    assert_null(memmem(row.ptr, row.len, secret, strlen(secret)));
    souk_db_release(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scopes_parse_and_format),
        cmocka_unit_test_setup_teardown(created_key_authenticates_until_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(the_secret_is_not_stored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for sig/: each scheme against a value computed independently (Python's hmac). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sig/sig.h"

/* RFC 4231-style check of the primitive with a well-known pair. */
/* FIPS 180-2's example: SHA-256 of "abc". */
static void sha256_hex_matches_the_known_value(void **state)
{
    (void)state;
    char out[SOUK_SIG_HEX_MAX];
    souk_sig_sha256_hex(souk_str_from("abc"), out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void hmac_sha256_hex_matches_the_known_value(void **state)
{
    (void)state;
    char out[SOUK_SIG_HEX_MAX];
    souk_sig_hmac_sha256_hex(souk_str_from("key"),
                             souk_str_from("The quick brown fox jumps over the lazy dog"), out);
    assert_string_equal(out, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

/* Parameters in any order; sign and access_token never signed. */
static void tiktok_signs_sorted_params_path_and_body(void **state)
{
    (void)state;
    const struct souk_sig_param params[] = {
        {"timestamp", "1700000000"}, {"sign", "ignored"},      {"app_key", "k"},
        {"access_token", "ignored"}, {"shop_cipher", "c"},
    };
    char out[SOUK_SIG_HEX_MAX];
    assert_int_equal(souk_sig_tiktok("s3cret", "/product/202309/products/1/inventory/update",
                                     params, 5, souk_str_from("{\"a\":1}"), out),
                     SOUK_OK);
    assert_string_equal(out, "1dcc40865690a907d0e56eaa4edd7d2808425d493ccfd8d2741e60033ee19d9f");
    /* Any change to what is signed changes the signature. */
    char other[SOUK_SIG_HEX_MAX];
    assert_int_equal(souk_sig_tiktok("s3cret", "/product/202309/products/1/inventory/update",
                                     params, 5, souk_str_from("{\"a\":2}"), other),
                     SOUK_OK);
    assert_string_not_equal(out, other);
}

static void tiktok_refuses_too_many_params(void **state)
{
    (void)state;
    struct souk_sig_param params[SOUK_SIG_MAX_PARAMS + 1];
    for (size_t i = 0; i <= SOUK_SIG_MAX_PARAMS; i++)
        params[i] = (struct souk_sig_param){"k", "v"};
    char out[SOUK_SIG_HEX_MAX];
    assert_int_equal(
        souk_sig_tiktok("s", "/p", params, SOUK_SIG_MAX_PARAMS + 1, souk_str_from(""), out),
        SOUK_EINVAL);
}

/* Unpadded base64url both ways, and what decoding refuses. */
static void base64url_round_trips_and_refuses_the_rest(void **state)
{
    (void)state;
    const struct {
        const char *plain, *encoded;
    } cases[] = {{"en~US~sku/123", "ZW5-VVN-c2t1LzEyMw"}, {"a", "YQ"}, {"ab", "YWI"},
                 {"abc", "YWJj"}, {"", ""}, {"\xfb\xff", "-_8"}};
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        souk_sig_base64url_encode(souk_str_from(cases[i].plain), out);
        assert_string_equal(out, cases[i].encoded);
        assert_true(souk_sig_base64url_decode(cases[i].encoded, out, sizeof out));
        assert_string_equal(out, cases[i].plain);
    }
    const char *refused[] = {"YQ==", "Y+I", "Y/I", "Y", "YW J", "AA"}; /* "AA" is a NUL */
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_false(souk_sig_base64url_decode(refused[i], out, sizeof out));
    assert_false(souk_sig_base64url_decode("YWJj", out, 3)); /* "abc" and its NUL need 4 */
}

static void equal_compares_whole_strings(void **state)
{
    (void)state;
    assert_true(souk_sig_equal("abc", "abc"));
    assert_false(souk_sig_equal("abc", "abd"));
    assert_false(souk_sig_equal("abc", "abcd"));
    assert_false(souk_sig_equal("", "a"));
    assert_true(souk_sig_equal("", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_hex_matches_the_known_value),
        cmocka_unit_test(hmac_sha256_hex_matches_the_known_value),
        cmocka_unit_test(tiktok_signs_sorted_params_path_and_body),
        cmocka_unit_test(tiktok_refuses_too_many_params),
        cmocka_unit_test(base64url_round_trips_and_refuses_the_rest),
        cmocka_unit_test(equal_compares_whole_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

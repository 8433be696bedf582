/* Unit tests for core/gtin, core/money and core/locale: barcodes, currencies, amounts, locales. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/gtin.h"
#include "core/locale.h"
#include "core/money.h"

static void gtin_accepts_real_barcodes_only(void **state)
{
    const char *good[] = {"4006381333931", "036000291452", "96385074", "10614141000415",
                          "0012345678905"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(souk_gtin_is_valid(souk_str_from(good[i])));
    assert_false(souk_gtin_is_valid(SOUK_STR("4006381333932"))); /* check digit off by one */
    assert_false(souk_gtin_is_valid(SOUK_STR("400638133393")));  /* 12 digits, wrong check */
    assert_false(souk_gtin_is_valid(SOUK_STR("40063813339A1")));
    assert_false(souk_gtin_is_valid(SOUK_STR("1234567")));
    assert_false(souk_gtin_is_valid(SOUK_STR("")));
}

static void gtin_errors_say_what_is_wrong(void **state)
{
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_gtin_check(SOUK_STR("4006381333932"), "gtin", &err), SOUK_EINVAL);
    assert_string_equal(err.param, "gtin");
    assert_non_null(strstr(err.message, "expected 1"));
    assert_int_equal(souk_gtin_check(SOUK_STR("12345"), "gtin", &err), SOUK_EINVAL);
    assert_non_null(strstr(err.message, "8, 12, 13 or 14"));
    assert_int_equal(souk_gtin_check(SOUK_STR("4006-81333931"), "gtin", &err), SOUK_EINVAL);
    assert_non_null(strstr(err.message, "digits only"));
    assert_int_equal(souk_gtin_check_digit(SOUK_STR("400638133393")), 1);
    assert_int_equal(souk_gtin_check_digit(SOUK_STR("9638507")), 4);
    assert_int_equal(souk_gtin_check_digit(SOUK_STR("03600029145")), 2); /* a UPC-A body */
    assert_int_equal(souk_gtin_check_digit(SOUK_STR("12345")), -1);
}

static void currencies_carry_their_minor_units(void **state)
{
    assert_int_equal(souk_money_currency(SOUK_STR("USD"))->exponent, 2);
    assert_int_equal(souk_money_currency(SOUK_STR("EUR"))->exponent, 2);
    assert_int_equal(souk_money_currency(SOUK_STR("JPY"))->exponent, 0);
    assert_int_equal(souk_money_currency(SOUK_STR("KRW"))->exponent, 0);
    assert_int_equal(souk_money_currency(SOUK_STR("KWD"))->exponent, 3);
    assert_int_equal(souk_money_currency(SOUK_STR("AED"))->exponent, 2); /* first in the table */
    assert_int_equal(souk_money_currency(SOUK_STR("ZWG"))->exponent, 2); /* last */
    assert_null(souk_money_currency(SOUK_STR("XYZ")));
    assert_null(souk_money_currency(SOUK_STR("usd")));
    assert_null(souk_money_currency(SOUK_STR("US")));
    assert_null(souk_money_currency(SOUK_STR("USDX")));
}

static void decimal_amounts_convert_exactly(void **state)
{
    int64_t v = 0;
    struct {
        const char *text;
        int exponent;
        int64_t want;
    } ok[] = {{"12", 2, 1200},    {"12.5", 2, 1250},  {"12.50", 2, 1250},
              {"-3.20", 2, -320}, {"0.99", 2, 99},    {"12.500", 2, 1250},
              {"7900", 0, 7900},  {"1.234", 3, 1234}, {"92233720368547758.07", 2, INT64_MAX}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(
            souk_money_parse_decimal(souk_str_from(ok[i].text), ok[i].exponent, &v, NULL), SOUK_OK);
        assert_int_equal(v, ok[i].want);
    }
    const char *bad[] = {"",   ".",  "1.",  ".5",    "1.234", "1,000.00",
                         " 1", "+1", "1e3", "1.2.3", "abc",   "92233720368547758.08"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 42;
        struct souk_err err = SOUK_ERR_INIT;
        if (souk_money_parse_decimal(souk_str_from(bad[i]), 2, &v, &err) != SOUK_EINVAL)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(v, 42); /* untouched on failure */
        assert_true(err.message[0] != '\0');
    }
    assert_int_equal(souk_money_parse_decimal(SOUK_STR("5.5"), 0, &v, NULL), SOUK_EINVAL);
}

static void locales_canonicalise(void **state)
{
    char out[SOUK_LOCALE_MAX];
    struct {
        const char *in, *want;
    } ok[] = {{"en", "en"},          {"pt-BR", "pt-BR"},
              {"pt_br", "pt-BR"},    {"ZH-hant-tw", "zh-Hant-TW"},
              {"es-419", "es-419"},  {"fil", "fil"},
              {"sr-Latn", "sr-Latn"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(souk_locale_canonicalize(souk_str_from(ok[i].in), out), SOUK_OK);
        assert_string_equal(out, ok[i].want);
    }
    const char *bad[] = {"xx", "en-ZZ", "english", "en-",    "pt-BR-x",
                         "",   "e",     "-BR",     "en--US", "en-US-POSIX-extra-long"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (souk_locale_is_valid(souk_str_from(bad[i])))
            fail_msg("\"%s\" was accepted", bad[i]);
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_locale_check(SOUK_STR("xx-QQ"), "locale", &err), SOUK_EINVAL);
    assert_string_equal(err.param, "locale");
    assert_non_null(strstr(err.message, "xx-QQ"));
}

static void fallback_chains_end_at_the_default(void **state)
{
    char chain[6][SOUK_LOCALE_MAX];
    assert_int_equal(souk_locale_fallback_chain(SOUK_STR("zh-hant-TW"), "en", chain, 6), 4);
    assert_string_equal(chain[0], "zh-Hant-TW");
    assert_string_equal(chain[1], "zh-Hant");
    assert_string_equal(chain[2], "zh");
    assert_string_equal(chain[3], "en");
    assert_int_equal(souk_locale_fallback_chain(SOUK_STR("en-GB"), "en", chain, 6), 2);
    assert_string_equal(chain[1], "en");
    assert_int_equal(souk_locale_fallback_chain(SOUK_STR("pt-BR"), "en", chain, 2), 2);
    assert_string_equal(chain[1], "pt");
    assert_int_equal(souk_locale_fallback_chain(SOUK_STR("nope!"), "en", chain, 6), 0);
}

static void countries_are_iso_3166_codes(void **state)
{
    const char *good[] = {"AD", "DE", "US", "JP", "BR", "ZW", "GB"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(souk_country_is_valid(souk_str_from(good[i])));
    const char *bad[] = {"XX", "de", "UK", "EU", "D", "DEU", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (souk_country_is_valid(souk_str_from(bad[i])))
            fail_msg("\"%s\" was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gtin_accepts_real_barcodes_only),
        cmocka_unit_test(gtin_errors_say_what_is_wrong),
        cmocka_unit_test(currencies_carry_their_minor_units),
        cmocka_unit_test(decimal_amounts_convert_exactly),
        cmocka_unit_test(locales_canonicalise),
        cmocka_unit_test(fallback_chains_end_at_the_default),
        cmocka_unit_test(countries_are_iso_3166_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

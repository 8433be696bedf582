/* Unit tests for core/fx (rates, conversion, the named rounding rules) and souk_money_format. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/fx.h"
#include "core/money.h"

static struct souk_fx_rate rate_of(const char *text)
{
    struct souk_fx_rate rate = {0};
    if (souk_fx_rate_parse(souk_str_from(text), &rate, NULL) != SOUK_OK)
        fail_msg("rate \"%s\" was refused", text);
    return rate;
}

static void rates_parse_to_exact_fixed_point(void **state)
{
    struct {
        const char *text;
        uint64_t scaled;
    } ok[] = {
        {"1.0842", 1084200000000u},
        {"1", 1000000000000u},
        {"150.5", 150500000000000u},
        {"0.000000000001", 1u},
        {"0.006667", 6667000000u},
        {"489.123456789012", 489123456789012u},
        {"9999999.999999999999", 9999999999999999999u},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(rate_of(ok[i].text).scaled, ok[i].scaled);
}

static void bad_rates_are_refused_with_a_reason(void **state)
{
    struct {
        const char *text;
        const char *reason;
    } bad[] = {
        {"", "expected digits"},
        {"-1", "digits and at most one '.'"},
        {"+1", "digits and at most one '.'"},
        {"1e5", "digits and at most one '.'"},
        {"abc", "digits and at most one '.'"},
        {"1.2.3", "digits and at most one '.'"},
        {" 1", "digits and at most one '.'"},
        {"1,5", "digits and at most one '.'"},
        {".5", "expected digits"},
        {"1.", "expected digits"},
        {"0", "greater than zero"},
        {"0.000000000000", "greater than zero"},
        {"1.0000000000001", "at most 12 digits after the '.'"},
        {"10000000", "below 10000000"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct souk_fx_rate rate = {42};
        struct souk_err err = SOUK_ERR_INIT;
        assert_int_equal(souk_fx_rate_parse(souk_str_from(bad[i].text), &rate, &err), SOUK_EINVAL);
        assert_int_equal(rate.scaled, 42); /* untouched on failure */
        if (!strstr(err.message, bad[i].reason))
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err.message,
                     bad[i].reason);
    }
}

static void rounding_rules_parse_by_name(void **state)
{
    const char *names[] = {"half_even", "half_up", "up",         "down",       "charm_99",
                           "charm_95",  "whole",   "nearest_10", "nearest_100"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum souk_fx_rounding r = SOUK_FX_NEAREST_100;
        assert_int_equal(souk_fx_rounding_parse(names[i], &r), SOUK_OK);
        assert_int_equal(r, (enum souk_fx_rounding)i);
        assert_string_equal(souk_fx_rounding_name(r), names[i]);
    }
    assert_int_equal(SOUK_FX_HALF_EVEN, 0); /* the default is the zero value */
    const char *bad[] = {"", "HALF_EVEN", "charm99", "charm_99 ", "nearest"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum souk_fx_rounding r = SOUK_FX_WHOLE;
        assert_int_equal(souk_fx_rounding_parse(bad[i], &r), SOUK_EINVAL);
        assert_int_equal(r, SOUK_FX_WHOLE);
    }
    enum souk_fx_rounding r = SOUK_FX_WHOLE;
    assert_int_equal(souk_fx_rounding_parse(NULL, &r), SOUK_EINVAL);
    assert_null(souk_fx_rounding_name((enum souk_fx_rounding)9));
    assert_null(souk_fx_rounding_name((enum souk_fx_rounding) - 1));
}

struct conversion {
    int64_t amount;
    const char *from, *to, *rate;
    enum souk_fx_rounding rule;
    int64_t want;
};

static void check_conversions(const struct conversion *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int64_t got = -7;
        struct souk_err err = SOUK_ERR_INIT;
        int rc = souk_fx_convert(c[i].amount, souk_str_from(c[i].from), souk_str_from(c[i].to),
                                 rate_of(c[i].rate), c[i].rule, &got, &err);
        if (rc != SOUK_OK || got != c[i].want)
            fail_msg("%lld %s -> %s at %s by %s: want %lld, got %lld (rc %d: %s)",
                     (long long)c[i].amount, c[i].from, c[i].to, c[i].rate,
                     souk_fx_rounding_name(c[i].rule), (long long)c[i].want, (long long)got, rc,
                     err.message);
    }
}

/*
 * KWD (3 decimals) to USD (2) at rate 1 makes exact values with a third decimal, so
 * KWD 1.125 is USD 112.5 cents before rounding; KWD to JPY and UYW (4 decimals) to KWD do the
 * same for the other two targets.
 */
static void minor_unit_rules_round_the_exact_value(void **state)
{
    const struct conversion c[] = {
        /* USD 1.125, a tie */
        {1125, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, 112},
        {1125, "KWD", "USD", "1", SOUK_FX_HALF_UP, 113},
        {1125, "KWD", "USD", "1", SOUK_FX_UP, 113},
        {1125, "KWD", "USD", "1", SOUK_FX_DOWN, 112},
        /* USD 1.135, a tie to the other side */
        {1135, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, 114},
        {1135, "KWD", "USD", "1", SOUK_FX_HALF_UP, 114},
        {1135, "KWD", "USD", "1", SOUK_FX_DOWN, 113},
        /* USD 1.121 and 1.129 */
        {1121, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, 112},
        {1121, "KWD", "USD", "1", SOUK_FX_HALF_UP, 112},
        {1121, "KWD", "USD", "1", SOUK_FX_UP, 113},
        {1129, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, 113},
        {1129, "KWD", "USD", "1", SOUK_FX_DOWN, 112},
        /* negative: half rules mirror, up is the ceiling and down the floor */
        {-1125, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, -112},
        {-1135, "KWD", "USD", "1", SOUK_FX_HALF_EVEN, -114},
        {-1125, "KWD", "USD", "1", SOUK_FX_HALF_UP, -113},
        {-1121, "KWD", "USD", "1", SOUK_FX_UP, -112},
        {-1129, "KWD", "USD", "1", SOUK_FX_UP, -112},
        {-1121, "KWD", "USD", "1", SOUK_FX_DOWN, -113},
        /* exact values stay; zero stays */
        {1120, "KWD", "USD", "1", SOUK_FX_UP, 112},
        {1120, "KWD", "USD", "1", SOUK_FX_DOWN, 112},
        {-1120, "KWD", "USD", "1", SOUK_FX_UP, -112},
        {0, "KWD", "USD", "1", SOUK_FX_UP, 0},
        {0, "KWD", "USD", "1", SOUK_FX_DOWN, 0},
        /* JPY 1233.2, 2.5, 3.5, -2.5 */
        {1233200, "KWD", "JPY", "1", SOUK_FX_HALF_EVEN, 1233},
        {1233200, "KWD", "JPY", "1", SOUK_FX_UP, 1234},
        {1233200, "KWD", "JPY", "1", SOUK_FX_DOWN, 1233},
        {2500, "KWD", "JPY", "1", SOUK_FX_HALF_EVEN, 2},
        {2500, "KWD", "JPY", "1", SOUK_FX_HALF_UP, 3},
        {3500, "KWD", "JPY", "1", SOUK_FX_HALF_EVEN, 4},
        {-2500, "KWD", "JPY", "1", SOUK_FX_HALF_EVEN, -2},
        {-2500, "KWD", "JPY", "1", SOUK_FX_HALF_UP, -3},
        {-2500, "KWD", "JPY", "1", SOUK_FX_UP, -2},
        {-2500, "KWD", "JPY", "1", SOUK_FX_DOWN, -3},
        /* KWD 12.0011, 0.0005, 0.0015, -0.0005 */
        {120011, "UYW", "KWD", "1", SOUK_FX_HALF_EVEN, 12001},
        {120011, "UYW", "KWD", "1", SOUK_FX_UP, 12002},
        {5, "UYW", "KWD", "1", SOUK_FX_HALF_EVEN, 0},
        {5, "UYW", "KWD", "1", SOUK_FX_HALF_UP, 1},
        {5, "UYW", "KWD", "1", SOUK_FX_UP, 1},
        {5, "UYW", "KWD", "1", SOUK_FX_DOWN, 0},
        {15, "UYW", "KWD", "1", SOUK_FX_HALF_EVEN, 2},
        {-5, "UYW", "KWD", "1", SOUK_FX_HALF_EVEN, 0},
        {-5, "UYW", "KWD", "1", SOUK_FX_HALF_UP, -1},
        {-5, "UYW", "KWD", "1", SOUK_FX_DOWN, -1},
    };
    check_conversions(c, sizeof c / sizeof c[0]);
}

static void real_rates_convert_between_exponents(void **state)
{
    const struct conversion c[] = {
        /* USD 12.34 at 150.5 is JPY 1857.17 */
        {1234, "USD", "JPY", "150.5", SOUK_FX_HALF_EVEN, 1857},
        {1234, "USD", "JPY", "150.5", SOUK_FX_HALF_UP, 1857},
        {1234, "USD", "JPY", "150.5", SOUK_FX_UP, 1858},
        {1234, "USD", "JPY", "150.5", SOUK_FX_DOWN, 1857},
        {1234, "USD", "JPY", "150.5", SOUK_FX_CHARM_99, 1899},
        {1234, "USD", "JPY", "150.5", SOUK_FX_CHARM_95, 1895},
        {1234, "USD", "JPY", "150.5", SOUK_FX_WHOLE, 1858},
        {1234, "USD", "JPY", "150.5", SOUK_FX_NEAREST_10, 1860},
        {1234, "USD", "JPY", "150.5", SOUK_FX_NEAREST_100, 1900},
        {-1234, "USD", "JPY", "150.5", SOUK_FX_HALF_EVEN, -1857},
        /* EUR 9.99 at 1.0842 is USD 10.831158 */
        {999, "EUR", "USD", "1.0842", SOUK_FX_HALF_EVEN, 1083},
        {999, "EUR", "USD", "1.0842", SOUK_FX_UP, 1084},
        {999, "EUR", "USD", "1.0842", SOUK_FX_CHARM_99, 1099},
        {999, "EUR", "USD", "1.0842", SOUK_FX_WHOLE, 1100},
        {999, "EUR", "USD", "1.0842", SOUK_FX_NEAREST_10, 1000},
        /* JPY 1000 at 0.006667 is USD 6.667 */
        {1000, "JPY", "USD", "0.006667", SOUK_FX_HALF_EVEN, 667},
        {1000, "JPY", "USD", "0.006667", SOUK_FX_CHARM_99, 699},
        /* USD 100.00 at 0.307 is KWD 30.700 */
        {10000, "USD", "KWD", "0.307", SOUK_FX_HALF_EVEN, 30700},
        {10000, "USD", "KWD", "0.307", SOUK_FX_CHARM_99, 30990},
        /* KWD 1.000 at a rate with all 12 decimals */
        {1000, "KWD", "JPY", "489.123456789012", SOUK_FX_HALF_EVEN, 489},
        {1000, "KWD", "JPY", "489.123456789012", SOUK_FX_UP, 490},
        {1, "KWD", "USD", "0.000000000001", SOUK_FX_UP, 1},
        {1, "KWD", "USD", "0.000000000001", SOUK_FX_HALF_UP, 0},
        /* the smallest and largest rates */
        {1000000, "USD", "USD", "9999999.999999999999", SOUK_FX_DOWN, 9999999999999},
        {1000000, "USD", "USD", "9999999.999999999999", SOUK_FX_UP, 10000000000000},
    };
    check_conversions(c, sizeof c / sizeof c[0]);
}

static void charm_rules_end_in_99_or_95(void **state)
{
    const struct conversion c[] = {
        {1231, "USD", "USD", "1", SOUK_FX_CHARM_99, 1299},
        {1299, "USD", "USD", "1", SOUK_FX_CHARM_99, 1299},
        {1300, "USD", "USD", "1", SOUK_FX_CHARM_99, 1399},
        {1200, "USD", "USD", "1", SOUK_FX_CHARM_99, 1299},
        {1, "USD", "USD", "1", SOUK_FX_CHARM_99, 99},
        {100, "USD", "USD", "1", SOUK_FX_CHARM_99, 199},
        {0, "USD", "USD", "1", SOUK_FX_CHARM_99, 0},
        {-1231, "USD", "USD", "1", SOUK_FX_CHARM_99, -1299},
        {-1299, "USD", "USD", "1", SOUK_FX_CHARM_99, -1299},
        {12990, "KWD", "USD", "1", SOUK_FX_CHARM_99, 1299}, /* exactly 12.99 */
        {12991, "KWD", "USD", "1", SOUK_FX_CHARM_99, 1399}, /* 12.991 is past it */
        {1231, "USD", "USD", "1", SOUK_FX_CHARM_95, 1295},
        {1295, "USD", "USD", "1", SOUK_FX_CHARM_95, 1295},
        {1296, "USD", "USD", "1", SOUK_FX_CHARM_95, 1395},
        {-1296, "USD", "USD", "1", SOUK_FX_CHARM_95, -1395},
        {0, "USD", "USD", "1", SOUK_FX_CHARM_95, 0},
        /* no decimals: the last two digits */
        {1234, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 1299},
        {1299, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 1299},
        {1300, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 1399},
        {50, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 99},
        {100, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 199},
        {-1234, "JPY", "JPY", "1", SOUK_FX_CHARM_99, -1299},
        {0, "JPY", "JPY", "1", SOUK_FX_CHARM_99, 0},
        {1234, "JPY", "JPY", "1", SOUK_FX_CHARM_95, 1295},
        {1296, "JPY", "JPY", "1", SOUK_FX_CHARM_95, 1395},
        {1299100, "KWD", "JPY", "1", SOUK_FX_CHARM_99, 1399}, /* 1299.1 */
        /* three decimals: .990 and .950 of the dinar */
        {12310, "KWD", "KWD", "1", SOUK_FX_CHARM_99, 12990},
        {12990, "KWD", "KWD", "1", SOUK_FX_CHARM_99, 12990},
        {12991, "KWD", "KWD", "1", SOUK_FX_CHARM_99, 13990},
        {1, "KWD", "KWD", "1", SOUK_FX_CHARM_99, 990},
        {-12310, "KWD", "KWD", "1", SOUK_FX_CHARM_99, -12990},
        {0, "KWD", "KWD", "1", SOUK_FX_CHARM_99, 0},
        {12310, "KWD", "KWD", "1", SOUK_FX_CHARM_95, 12950},
        {12951, "KWD", "KWD", "1", SOUK_FX_CHARM_95, 13950},
    };
    check_conversions(c, sizeof c / sizeof c[0]);
}

static void whole_and_nearest_rules_round_major_units(void **state)
{
    const struct conversion c[] = {
        {1231, "USD", "USD", "1", SOUK_FX_WHOLE, 1300},
        {1200, "USD", "USD", "1", SOUK_FX_WHOLE, 1200},
        {1201, "USD", "USD", "1", SOUK_FX_WHOLE, 1300},
        {1, "USD", "USD", "1", SOUK_FX_WHOLE, 100},
        {-1231, "USD", "USD", "1", SOUK_FX_WHOLE, -1300},
        {0, "USD", "USD", "1", SOUK_FX_WHOLE, 0},
        {12001, "KWD", "USD", "1", SOUK_FX_WHOLE, 1300}, /* 12.001 */
        {1234, "JPY", "JPY", "1", SOUK_FX_WHOLE, 1234},
        {1233200, "KWD", "JPY", "1", SOUK_FX_WHOLE, 1234},
        {1233000, "KWD", "JPY", "1", SOUK_FX_WHOLE, 1233},
        {12001, "KWD", "KWD", "1", SOUK_FX_WHOLE, 13000},
        {12000, "KWD", "KWD", "1", SOUK_FX_WHOLE, 12000},
        {-12001, "KWD", "KWD", "1", SOUK_FX_WHOLE, -13000},

        {1499, "USD", "USD", "1", SOUK_FX_NEAREST_10, 1000},
        {1500, "USD", "USD", "1", SOUK_FX_NEAREST_10, 2000},
        {12345, "USD", "USD", "1", SOUK_FX_NEAREST_10, 12000},
        {12500, "USD", "USD", "1", SOUK_FX_NEAREST_10, 13000},
        {100, "USD", "USD", "1", SOUK_FX_NEAREST_10, 1000}, /* never zero */
        {-1500, "USD", "USD", "1", SOUK_FX_NEAREST_10, -2000},
        {0, "USD", "USD", "1", SOUK_FX_NEAREST_10, 0},
        {14999, "USD", "USD", "1", SOUK_FX_NEAREST_100, 10000},
        {15000, "USD", "USD", "1", SOUK_FX_NEAREST_100, 20000},
        {4999, "USD", "USD", "1", SOUK_FX_NEAREST_100, 10000}, /* never zero */
        {1234, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, 1230},
        {1235, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, 1240},
        {4, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, 10},
        {-1235, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, -1240},
        {-4, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, -10},
        {0, "JPY", "JPY", "1", SOUK_FX_NEAREST_10, 0},
        {1234, "JPY", "JPY", "1", SOUK_FX_NEAREST_100, 1200},
        {1249, "JPY", "JPY", "1", SOUK_FX_NEAREST_100, 1200},
        {1250, "JPY", "JPY", "1", SOUK_FX_NEAREST_100, 1300},
        {40, "JPY", "JPY", "1", SOUK_FX_NEAREST_100, 100},
        {15490, "KRW", "KRW", "1", SOUK_FX_NEAREST_100, 15500},
        /* one rounding of the exact value: 1234.999 and 1249.999 are not rounded to the yen
         * first, which would give 1240 and 1300 */
        {1234999, "KWD", "JPY", "1", SOUK_FX_NEAREST_10, 1230},
        {1249999, "KWD", "JPY", "1", SOUK_FX_NEAREST_100, 1200},
        {15000, "KWD", "KWD", "1", SOUK_FX_NEAREST_10, 20000},
        {14999, "KWD", "KWD", "1", SOUK_FX_NEAREST_10, 10000},
        {1, "KWD", "KWD", "1", SOUK_FX_NEAREST_10, 10000},
        {149999, "KWD", "KWD", "1", SOUK_FX_NEAREST_100, 100000},
        {150000, "KWD", "KWD", "1", SOUK_FX_NEAREST_100, 200000},
    };
    check_conversions(c, sizeof c / sizeof c[0]);
}

static void extremes_convert_or_fail_cleanly(void **state)
{
    const struct conversion ok[] = {
        {INT64_MAX, "USD", "USD", "1", SOUK_FX_HALF_EVEN, INT64_MAX},
        {INT64_MIN, "USD", "USD", "1", SOUK_FX_DOWN, INT64_MIN},
        {INT64_MIN, "USD", "USD", "1", SOUK_FX_HALF_UP, INT64_MIN},
        {INT64_MAX, "KWD", "USD", "1", SOUK_FX_DOWN, INT64_MAX / 10},
        {INT64_MIN, "KWD", "USD", "1", SOUK_FX_UP, INT64_MIN / 10},
        {INT64_MIN, "KWD", "USD", "1", SOUK_FX_DOWN, INT64_MIN / 10 - 1},
        {9223372036854775000, "USD", "USD", "1", SOUK_FX_WHOLE, 9223372036854775000},
    };
    check_conversions(ok, sizeof ok / sizeof ok[0]);

    const struct conversion overflow[] = {
        {INT64_MAX, "JPY", "KWD", "1", SOUK_FX_HALF_EVEN, 0},
        {INT64_MIN, "JPY", "KWD", "1", SOUK_FX_HALF_EVEN, 0},
        {INT64_MAX, "USD", "USD", "1.000000000001", SOUK_FX_DOWN, 0},
        {INT64_MAX, "USD", "USD", "9999999.999999999999", SOUK_FX_HALF_EVEN, 0},
        {INT64_MIN, "USD", "USD", "9999999.999999999999", SOUK_FX_HALF_EVEN, 0},
        {INT64_MAX, "USD", "USD", "1", SOUK_FX_CHARM_99, 0}, /* ...807 would need ...899 */
        {INT64_MAX, "USD", "USD", "1", SOUK_FX_WHOLE, 0},
        {INT64_MIN, "USD", "USD", "1", SOUK_FX_CHARM_95, 0},
        {INT64_MAX, "USD", "USD", "1", SOUK_FX_NEAREST_100, 0},
        {922337203685477581, "KWD", "KWD", "10", SOUK_FX_HALF_EVEN, 0},
    };
    for (size_t i = 0; i < sizeof overflow / sizeof overflow[0]; i++) {
        const struct conversion *c = &overflow[i];
        int64_t got = 42;
        struct souk_err err = SOUK_ERR_INIT;
        if (souk_fx_convert(c->amount, souk_str_from(c->from), souk_str_from(c->to),
                            rate_of(c->rate), c->rule, &got, &err) != SOUK_EINVAL)
            fail_msg("case %zu did not overflow: %lld", i, (long long)got);
        assert_int_equal(got, 42);
        assert_non_null(strstr(err.message, "too many to convert"));
    }
}

static void bad_arguments_are_errors(void **state)
{
    int64_t got = 42;
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_fx_rate one = rate_of("1");

    assert_int_equal(
        souk_fx_convert(100, SOUK_STR("XYZ"), SOUK_STR("USD"), one, SOUK_FX_HALF_EVEN, &got, &err),
        SOUK_EINVAL);
    assert_string_equal(err.message, "unknown currency \"XYZ\"");
    assert_int_equal(
        souk_fx_convert(100, SOUK_STR("USD"), SOUK_STR("usd"), one, SOUK_FX_HALF_EVEN, &got, &err),
        SOUK_EINVAL);
    assert_string_equal(err.message, "unknown currency \"usd\"");
    assert_int_equal(souk_fx_convert(100, SOUK_STR("USD"), SOUK_STR("EUR"),
                                     (struct souk_fx_rate){0}, SOUK_FX_HALF_EVEN, &got, &err),
                     SOUK_EINVAL);
    assert_int_equal(souk_fx_convert(100, SOUK_STR("USD"), SOUK_STR("EUR"),
                                     (struct souk_fx_rate){UINT64_MAX}, SOUK_FX_HALF_EVEN, &got,
                                     &err),
                     SOUK_EINVAL);
    assert_int_equal(souk_fx_convert(100, SOUK_STR("USD"), SOUK_STR("EUR"), one,
                                     (enum souk_fx_rounding)9, &got, &err),
                     SOUK_EINVAL);
    assert_int_equal(got, 42);
    /* err may be NULL */
    assert_int_equal(
        souk_fx_convert(100, SOUK_STR("USD"), SOUK_STR("XYZ"), one, SOUK_FX_HALF_EVEN, &got, NULL),
        SOUK_EINVAL);
}

static void money_formats_as_plain_decimals(void **state)
{
    struct {
        int64_t amount;
        int exponent;
        const char *want;
    } c[] = {
        {999, 2, "9.99"},
        {1234, 0, "1234"},
        {1500, 3, "1.500"},
        {-50, 2, "-0.50"},
        {0, 2, "0.00"},
        {0, 0, "0"},
        {5, 3, "0.005"},
        {-1, 0, "-1"},
        {120011, 4, "12.0011"},
        {INT64_MAX, 2, "92233720368547758.07"},
        {INT64_MIN, 2, "-92233720368547758.08"},
        {INT64_MIN, 18, "-9.223372036854775808"},
        {1, 18, "0.000000000000000001"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct souk_buf buf = SOUK_BUF_INIT(64);
        assert_int_equal(souk_money_format(&buf, c[i].amount, c[i].exponent), SOUK_OK);
        assert_string_equal(buf.data, c[i].want);
        /* and back, where the parser reaches (table exponents; it stops at -INT64_MAX) */
        if (c[i].exponent <= 4 && c[i].amount != INT64_MIN) {
            int64_t back = 0;
            assert_int_equal(souk_money_parse_decimal((struct souk_str){buf.data, buf.len},
                                                      c[i].exponent, &back, NULL),
                             SOUK_OK);
            assert_int_equal(back, c[i].amount);
        }
        souk_buf_release(&buf);
    }
}

static void money_format_appends_or_leaves_the_buffer_alone(void **state)
{
    struct souk_buf buf = SOUK_BUF_INIT(8);
    assert_int_equal(souk_buf_addstr(&buf, "$"), SOUK_OK);
    assert_int_equal(souk_money_format(&buf, 999, 2), SOUK_OK);
    assert_int_equal(souk_buf_addstr(&buf, " US"), SOUK_OK);
    assert_string_equal(buf.data, "$9.99 US");
    souk_buf_reset(&buf);
    assert_int_equal(souk_buf_addstr(&buf, "ab"), SOUK_OK);
    assert_int_equal(souk_money_format(&buf, 1234567, 2), SOUK_ETOOBIG); /* "12345.67" */
    assert_string_equal(buf.data, "ab");
    assert_int_equal(souk_money_format(&buf, 1, -1), SOUK_EINVAL);
    assert_int_equal(souk_money_format(&buf, 1, 19), SOUK_EINVAL);
    assert_string_equal(buf.data, "ab");
    souk_buf_release(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rates_parse_to_exact_fixed_point),
        cmocka_unit_test(bad_rates_are_refused_with_a_reason),
        cmocka_unit_test(rounding_rules_parse_by_name),
        cmocka_unit_test(minor_unit_rules_round_the_exact_value),
        cmocka_unit_test(real_rates_convert_between_exponents),
        cmocka_unit_test(charm_rules_end_in_99_or_95),
        cmocka_unit_test(whole_and_nearest_rules_round_major_units),
        cmocka_unit_test(extremes_convert_or_fail_cleanly),
        cmocka_unit_test(bad_arguments_are_errors),
        cmocka_unit_test(money_formats_as_plain_decimals),
        cmocka_unit_test(money_format_appends_or_leaves_the_buffer_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

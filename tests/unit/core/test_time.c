/* Unit tests for core/time: RFC 3339 formatting and strict parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/time.h"

static int64_t parse_ok(const char *text)
{
    int64_t us = 0;
    assert_int_equal(souk_time_parse(souk_str_from(text), &us), SOUK_OK);
    return us;
}

static void formats_epoch_and_known_instants(void **state)
{
    char out[SOUK_TIME_RFC3339_MAX];
    souk_time_format(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
    souk_time_format(1782000000123456LL, out);
    assert_string_equal(out, "2026-06-21T00:00:00.123456Z");
    souk_time_format(-1, out); /* one microsecond before the epoch */
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    souk_time_format(253402300799999999LL, out); /* the last instant with a 4-digit year */
    assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
    souk_time_format(253402300800000000LL, out);
    assert_string_equal(out, "10000-01-01T00:00:00.000000Z");
    souk_time_format(-62167219200000000LL, out); /* 1 BC, as year 0 */
    assert_string_equal(out, "0000-01-01T00:00:00.000000Z");
}

/* RFC 9110's own example, the epoch, and an instant before it (floored, not truncated). */
static void formats_http_dates(void **state)
{
    (void)state;
    char out[SOUK_TIME_RFC3339_MAX];
    souk_time_format_http(784111777000000LL, out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    souk_time_format_http(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    souk_time_format_http(-1, out);
    assert_string_equal(out, "Wed, 31 Dec 1969 23:59:59 GMT");
    souk_time_format_http(1795579529999999LL, out);
    assert_string_equal(out, "Wed, 25 Nov 2026 04:05:29 GMT");
}

static void parses_zulu_fractions_and_offsets(void **state)
{
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2026-06-21T00:00:00.123456Z"), 1782000000123456LL);
    assert_int_equal(parse_ok("2026-06-21T00:00:00.1Z"), 1782000000100000LL);
    assert_int_equal(parse_ok("2026-06-21T02:00:00+02:00"), 1782000000000000LL);
    assert_int_equal(parse_ok("2026-06-20T19:30:00-04:30"), 1782000000000000LL);
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), 1709164800000000LL);
}

static void round_trips(void **state)
{
    char out[SOUK_TIME_RFC3339_MAX];
    int64_t samples[] = {0, 1, 999999, 1782000000123456LL, 4102444799999999LL};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        souk_time_format(samples[i], out);
        assert_int_equal(parse_ok(out), samples[i]);
    }
}

static void rejects_malformed_and_impossible_dates(void **state)
{
    const char *bad[] = {"",
                         "2026-06-21",
                         "2026-06-21 00:00:00Z",
                         "2026-06-21T00:00:00",
                         "2026-13-01T00:00:00Z",
                         "2026-02-30T00:00:00Z",
                         "2025-02-29T00:00:00Z",
                         "2026-06-21T24:00:00Z",
                         "2026-06-21T00:00:00.Z",
                         "2026-06-21T00:00:00Zjunk",
                         "2026-06-21T00:00:00+0200",
                         "26-06-21T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = 42;
        assert_int_equal(souk_time_parse(souk_str_from(bad[i]), &us), SOUK_EINVAL);
        assert_int_equal(us, 42); /* untouched on failure */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_epoch_and_known_instants),
        cmocka_unit_test(formats_http_dates),
        cmocka_unit_test(parses_zulu_fractions_and_offsets),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(rejects_malformed_and_impossible_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

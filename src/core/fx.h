/*
 * fx: currency conversion with exact fixed-point rates and named rounding rules.
 *
 * A rate is decimal text ("1.0842": one unit of the source currency buys 1.0842 of the target)
 * held exactly as an integer count of 10^-12. A conversion multiplies the amount in the source's
 * minor units by the rate in 128-bit integers, so the converted value is an exact fraction, and
 * rounds that fraction once, by a rule named in config and in the API. No floating point is ever
 * involved, and a result outside int64 is an error, never a wrapped value.
 *
 * Everything here is a plain value: nothing is allocated and nothing is owned. Depends on
 * core/money, core/str and core/err only.
 */
#ifndef SOUK_CORE_FX_H
#define SOUK_CORE_FX_H

#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

#define SOUK_FX_RATE_FRACTION_DIGITS 12 /* a rate's precision: 10^-12 */
#define SOUK_FX_RATE_INTEGER_DIGITS 7   /* rates stay below 10,000,000, so they fit in uint64 */

struct souk_fx_rate {
    uint64_t scaled; /* the rate times 10^12: "1.0842" is 1084200000000; never 0 */
};

/*
 * Parses a rate: 1 to 7 integer digits, optionally '.' and 1 to 12 fraction digits, greater
 * than zero. No sign, exponent, spaces or separators ("", "-1", "+1", "1e5", "abc", ".5", "1.",
 * "0", "0.000" and "1.0000000000001" are refused). *out is set only on success; err may be NULL.
 */
int souk_fx_rate_parse(struct souk_str text, struct souk_fx_rate *out,
                       struct souk_err *err) SOUK_MUST_CHECK;

/*
 * The rounding rules, by the names config and the API use. Every rule rounds the exact
 * converted value once; "unit" below means the target currency's minor unit, and examples are
 * the exact value before rounding.
 *
 * Rules that round to the minor unit (follow the value's sign):
 *   half_even   nearest, ties to even (banker's). The default.   USD 1.125 -> 1.12, 1.135 -> 1.14
 *   half_up     nearest, ties away from zero.                    USD 1.125 -> 1.13, -1.125 -> -1.13
 *   up          ceiling, toward +infinity.                       USD 1.121 -> 1.13, -1.129 -> -1.12
 *   down        floor, toward -infinity.                         USD 1.129 -> 1.12, -1.121 -> -1.13
 *
 * Price-ending rules, for prices shown to shoppers. They work on the magnitude and keep the sign,
 * so a refund converts to exactly minus its price, and zero stays zero (a free item stays free):
 *   charm_99    up to the next amount whose last two decimals of the major unit are 99. USD 12.31
 *               -> 12.99, 12.99 stays, 13.00 -> 13.99; KWD 12.31 -> 12.990. A currency with
 *               no decimals ends in 99 units: JPY 1234 -> 1299, 1299 stays, 1300 -> 1399.
 *   charm_95    the same with 95: USD 12.31 -> 12.95, 12.96 -> 13.95; JPY 1234 -> 1295.
 *   whole       up to a whole major unit: USD 12.31 -> 13.00, 12.00 stays; KWD 12.001 -> 13.000;
 *               JPY 1233.2 -> 1234.
 *   nearest_10  to the nearest 10 major units, ties away from zero: JPY 1234 -> 1230, 1235 ->
 *               1240; USD 14.99 -> 10.00. A non-zero value never rounds to zero: it becomes 10
 *               (JPY 4 -> 10), since a converted price must not turn an item free.
 *   nearest_100 the same with 100: JPY 1234 -> 1200, 1250 -> 1300, 40 -> 100; KRW 15490 -> 15500.
 */
#define SOUK_FX_ROUNDING_MAP(XX)                                                                   \
    XX(HALF_EVEN, "half_even")                                                                     \
    XX(HALF_UP, "half_up")                                                                         \
    XX(UP, "up")                                                                                   \
    XX(DOWN, "down")                                                                               \
    XX(CHARM_99, "charm_99")                                                                       \
    XX(CHARM_95, "charm_95")                                                                       \
    XX(WHOLE, "whole")                                                                             \
    XX(NEAREST_10, "nearest_10")                                                                   \
    XX(NEAREST_100, "nearest_100")

enum souk_fx_rounding {
#define SOUK__FX_ROUNDING_ENUM(name, text) SOUK_FX_##name,
    SOUK_FX_ROUNDING_MAP(SOUK__FX_ROUNDING_ENUM)
#undef SOUK__FX_ROUNDING_ENUM
};

/* The rule named name ("charm_99", exact case); SOUK_EINVAL when there is none or name is NULL. */
int souk_fx_rounding_parse(const char *name, enum souk_fx_rounding *out) SOUK_MUST_CHECK;

/* The name of a rule ("half_even"), or NULL for a value outside the enum. */
const char *souk_fx_rounding_name(enum souk_fx_rounding rounding);

/*
 * Converts amount, in minor units of the currency coded from, to minor units of the currency
 * coded to, as amount * rate, rounded by rounding. The exponents come from core/money's table,
 * so USD 12.34 at 150.5 is JPY 1857.17 before rounding. SOUK_EINVAL, with a message in err (which
 * may be NULL), for an unknown currency, a rate or rule that did not come from the parsers, or a
 * result outside int64. *out is set only on success.
 */
int souk_fx_convert(int64_t amount, struct souk_str from, struct souk_str to,
                    struct souk_fx_rate rate, enum souk_fx_rounding rounding, int64_t *out,
                    struct souk_err *err) SOUK_MUST_CHECK;

#endif

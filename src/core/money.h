/*
 * money: ISO 4217 currencies and decimal amounts as int64 minor units.
 *
 * Money never touches floating point in souk: an amount is an int64 count of the currency's
 * minor unit (cents for USD, yen for JPY, fils for KWD) beside its code. Decimal text from files
 * ("49.90") is converted exactly, refusing anything that would need rounding. Depends on
 * core/str and core/err only.
 */
#ifndef SOUK_CORE_MONEY_H
#define SOUK_CORE_MONEY_H

#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

struct souk_currency {
    char code[4]; /* "EUR" */
    int exponent; /* digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD */
};

/* The active ISO 4217 currency with this code (three upper-case letters), or NULL. */
const struct souk_currency *souk_money_currency(struct souk_str code);

/*
 * Converts decimal text ("12", "12.5", "-3.20") to minor units of a currency with the given
 * exponent. More fraction digits than the exponent are refused unless they are zeros; no
 * spaces, '+', exponents or thousands separators. *out is set only on success; err may be NULL.
 */
int souk_money_parse_decimal(struct souk_str text, int exponent, int64_t *out,
                             struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Appends amount, in minor units of a currency with the given exponent (0..18), as the decimal
 * text feeds and platforms expect: "9.99", "-0.50", "1234" (JPY), "1.500" (KWD); no separators
 * and no code, so "9.99 USD" is this then " USD". The inverse of souk_money_parse_decimal.
 * SOUK_EINVAL for an exponent out of range, SOUK_ETOOBIG at buf's cap; buf is unchanged then.
 */
int souk_money_format(struct souk_buf *buf, int64_t amount, int exponent) SOUK_MUST_CHECK;

#endif

/* fx: see fx.h. */
#include "core/fx.h"

#include <string.h>

#include "core/money.h"

/* The largest scaled rate: 9,999,999.999999999999, so 7 integer and 12 fraction digits. */
#define RATE_SCALED_MAX 9999999999999999999u

static const char *const rounding_names[] = {
#define ROUNDING_NAME(name, text) text,
    SOUK_FX_ROUNDING_MAP(ROUNDING_NAME)
#undef ROUNDING_NAME
};

#define ROUNDING_COUNT (sizeof rounding_names / sizeof rounding_names[0])

static int bad_rate(struct souk_str text, struct souk_err *err, const char *why)
{
    return souk_err_set(err, SOUK_EINVAL, NULL, "\"%.*s\" is not an FX rate: %s",
                        (int)(text.len > 40 ? 40 : text.len), text.ptr, why);
}

int souk_fx_rate_parse(struct souk_str text, struct souk_fx_rate *out, struct souk_err *err)
{
    uint64_t scaled = 0;
    size_t int_digits = 0, frac_digits = 0;
    bool dot = false;

    for (size_t i = 0; i < text.len; i++) {
        char c = text.ptr[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            return bad_rate(text, err, "use digits and at most one '.', such as 1.0842");
        if (dot ? ++frac_digits > SOUK_FX_RATE_FRACTION_DIGITS
                : ++int_digits > SOUK_FX_RATE_INTEGER_DIGITS)
            return bad_rate(text, err,
                            dot ? "at most 12 digits after the '.'" : "must be below 10000000");
        /* At most 19 digits in all, so this stays below RATE_SCALED_MAX. */
        scaled = scaled * 10 + (uint64_t)(c - '0');
    }
    if (int_digits == 0 || (dot && frac_digits == 0))
        return bad_rate(text, err, "expected digits such as 1.0842");
    for (; frac_digits < SOUK_FX_RATE_FRACTION_DIGITS; frac_digits++)
        scaled *= 10;
    if (scaled == 0)
        return bad_rate(text, err, "a rate must be greater than zero");
    out->scaled = scaled;
    return SOUK_OK;
}

int souk_fx_rounding_parse(const char *name, enum souk_fx_rounding *out)
{
    for (size_t i = 0; name && i < ROUNDING_COUNT; i++) {
        if (strcmp(name, rounding_names[i]) == 0) {
            *out = (enum souk_fx_rounding)i;
            return SOUK_OK;
        }
    }
    return SOUK_EINVAL;
}

const char *souk_fx_rounding_name(enum souk_fx_rounding rounding)
{
    return (size_t)rounding < ROUNDING_COUNT ? rounding_names[rounding] : NULL;
}

static __int128 pow10_i128(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/*
 * n / d with d > 0, rounded by one of the four minor-unit rules. C division truncates toward
 * zero and the remainder takes n's sign; the rules differ only in when to step away from that.
 */
static __int128 div_round(__int128 n, __int128 d, enum souk_fx_rounding rule)
{
    __int128 q = n / d, r = n % d;
    __int128 away = n < 0 ? -1 : 1;
    __int128 twice = 2 * (r < 0 ? -r : r);

    if (r == 0)
        return q;
    switch (rule) {
    case SOUK_FX_UP:
        return r > 0 ? q + 1 : q;
    case SOUK_FX_DOWN:
        return r < 0 ? q - 1 : q;
    case SOUK_FX_HALF_UP:
        return twice >= d ? q + away : q;
    default: /* SOUK_FX_HALF_EVEN */
        return twice > d || (twice == d && q % 2 != 0) ? q + away : q;
    }
}

/*
 * A price-ending rule on the magnitude n / d (n > 0): the value o + k * step for the k the rule
 * picks, where 0 <= o < step. charm and whole take the smallest such value not below n / d;
 * nearest takes the nearest, ties up, and never zero.
 */
static __int128 round_price(__int128 n, __int128 d, __int128 step, __int128 o, bool nearest)
{
    __int128 k = div_round(n - o * d, step * d, nearest ? SOUK_FX_HALF_UP : SOUK_FX_UP);
    return k == 0 && nearest ? step : o + k * step;
}

/* The exact value n / d (d > 0) in minor units of a currency with this exponent, rounded. */
static __int128 round_exact(__int128 n, __int128 d, int exponent, enum souk_fx_rounding rule)
{
    __int128 major = pow10_i128(exponent);
    /* Charm endings sit in the hundredths of the major unit, or in the last two digits of a
     * currency with fewer decimals: step 1.00 with ending 0.99, or 100 with ending 99. */
    __int128 charm_step = exponent >= 2 ? major : 100;
    __int128 hundredth = charm_step / 100;
    __int128 mag = n < 0 ? -n : n;
    __int128 v;

    if (n == 0)
        return 0;
    switch (rule) {
    case SOUK_FX_CHARM_99:
        v = round_price(mag, d, charm_step, charm_step - hundredth, false);
        break;
    case SOUK_FX_CHARM_95:
        v = round_price(mag, d, charm_step, charm_step - 5 * hundredth, false);
        break;
    case SOUK_FX_WHOLE:
        v = round_price(mag, d, major, 0, false);
        break;
    case SOUK_FX_NEAREST_10:
        v = round_price(mag, d, 10 * major, 0, true);
        break;
    case SOUK_FX_NEAREST_100:
        v = round_price(mag, d, 100 * major, 0, true);
        break;
    default: /* the four rules to the minor unit follow the sign themselves */
        return div_round(n, d, rule);
    }
    return n < 0 ? -v : v;
}

int souk_fx_convert(int64_t amount, struct souk_str from, struct souk_str to,
                    struct souk_fx_rate rate, enum souk_fx_rounding rounding, int64_t *out,
                    struct souk_err *err)
{
    const struct souk_currency *cf = souk_money_currency(from);
    const struct souk_currency *ct = souk_money_currency(to);
    struct souk_str unknown = cf ? to : from;

    if (!cf || !ct)
        return souk_err_set(err, SOUK_EINVAL, NULL, "unknown currency \"%.*s\"",
                            (int)(unknown.len > 8 ? 8 : unknown.len), unknown.ptr);
    if (rate.scaled == 0 || rate.scaled > RATE_SCALED_MAX)
        return souk_err_set(err, SOUK_EINVAL, NULL, "the FX rate is out of range");
    if ((size_t)rounding >= ROUNDING_COUNT)
        return souk_err_set(err, SOUK_EINVAL, NULL, "unknown rounding rule %d", (int)rounding);

    /*
     * The exact value is n / d minor units of the target: amount / 10^ef major units, times
     * scaled / 10^12, times 10^et. Folding 10^et into d keeps n = amount * scaled below 9.3e37,
     * inside __int128's 1.7e38; table exponents are 0..4, so d is 10^8..10^16.
     */
    __int128 n = (__int128)amount * (__int128)rate.scaled;
    __int128 d = pow10_i128(SOUK_FX_RATE_FRACTION_DIGITS + cf->exponent - ct->exponent);
    __int128 v = round_exact(n, d, ct->exponent, rounding);

    if (v > INT64_MAX || v < INT64_MIN)
        return souk_err_set(err, SOUK_EINVAL, NULL,
                            "%lld minor units of %s are too many to convert to %s",
                            (long long)amount, cf->code, ct->code);
    *out = (int64_t)v;
    return SOUK_OK;
}

/* money: see money.h. */
#include "core/money.h"

#include <stdlib.h>
#include <string.h>

/* Active ISO 4217 codes (list one, 2025) with their minor units, sorted for bsearch. */
static const struct souk_currency currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2},
    {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2},
    {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2},
    {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2},
    {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0},
    {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2},
    {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2},
    {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2},
    {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2},
    {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2},
    {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3},
    {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0},
    {"USD", 2}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0},
    {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static int compare_code(const void *key, const void *item)
{
    return memcmp(key, ((const struct souk_currency *)item)->code, 3);
}

const struct souk_currency *souk_money_currency(struct souk_str code)
{
    if (code.len != 3)
        return NULL;
    for (size_t i = 0; i < 3; i++)
        if (code.ptr[i] < 'A' || code.ptr[i] > 'Z')
            return NULL;
    return bsearch(code.ptr, currencies, sizeof currencies / sizeof currencies[0],
                   sizeof currencies[0], compare_code);
}

static int bad_amount(struct souk_str text, struct souk_err *err, const char *why)
{
    return souk_err_set(err, SOUK_EINVAL, NULL, "\"%.*s\" is not an amount: %s",
                        (int)(text.len > 40 ? 40 : text.len), text.ptr, why);
}

int souk_money_parse_decimal(struct souk_str text, int exponent, int64_t *out,
                             struct souk_err *err)
{
    size_t i = 0;
    bool negative = text.len > 0 && text.ptr[0] == '-';
    if (negative)
        i = 1;
    uint64_t value = 0;
    size_t int_digits = 0, frac_digits = 0;
    bool dot = false;
    for (; i < text.len; i++) {
        char c = text.ptr[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            return bad_amount(text, err, "use digits and at most one '.'");
        if (dot && (int)frac_digits >= exponent) {
            if (c != '0')
                return bad_amount(text, err, "more decimals than the currency has");
            frac_digits++;
            continue;
        }
        if (value > (UINT64_MAX - 9) / 10)
            return bad_amount(text, err, "too large");
        value = value * 10 + (uint64_t)(c - '0');
        *(dot ? &frac_digits : &int_digits) += 1;
    }
    if (int_digits == 0 || (dot && frac_digits == 0))
        return bad_amount(text, err, "expected digits such as 12 or 12.50");
    for (size_t scaled = frac_digits < (size_t)exponent ? frac_digits : (size_t)exponent;
         scaled < (size_t)exponent; scaled++) {
        if (value > UINT64_MAX / 10)
            return bad_amount(text, err, "too large");
        value *= 10;
    }
    if (value > (uint64_t)INT64_MAX)
        return bad_amount(text, err, "too large");
    *out = negative ? -(int64_t)value : (int64_t)value;
    return SOUK_OK;
}

int souk_money_format(struct souk_buf *buf, int64_t amount, int exponent)
{
    /* int64 has at most 19 digits, so "-0." and 18 fraction digits is the longest text. */
    char text[24];
    char digits[20];
    size_t ndigits = 0, n = 0;
    uint64_t magnitude = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;

    if (exponent < 0 || exponent > 18)
        return SOUK_EINVAL;
    do {
        digits[ndigits++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    /* Pad with zeros so there is at least one digit before the '.'. */
    while (ndigits <= (size_t)exponent)
        digits[ndigits++] = '0';
    if (amount < 0)
        text[n++] = '-';
    while (ndigits > 0) {
        if (ndigits == (size_t)exponent)
            text[n++] = '.';
        text[n++] = digits[--ndigits];
    }
    return souk_buf_add(buf, text, n);
}

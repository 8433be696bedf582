/* gtin: see gtin.h. */
#include "core/gtin.h"

static bool all_digits(struct souk_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

/* Weights alternate 3,1,3,... starting from the digit next to the check digit. */
static int compute(struct souk_str body)
{
    int sum = 0;
    for (size_t i = 0; i < body.len; i++) {
        int digit = body.ptr[body.len - 1 - i] - '0';
        sum += (i % 2 == 0) ? 3 * digit : digit;
    }
    return (10 - sum % 10) % 10;
}

int souk_gtin_check_digit(struct souk_str digits)
{
    if ((digits.len != 7 && digits.len != 11 && digits.len != 12 && digits.len != 13) ||
        !all_digits(digits))
        return -1;
    return compute(digits);
}

static bool valid_length(size_t len)
{
    return len == 8 || len == 12 || len == 13 || len == 14;
}

bool souk_gtin_is_valid(struct souk_str s)
{
    return valid_length(s.len) && all_digits(s) &&
           compute((struct souk_str){s.ptr, s.len - 1}) == s.ptr[s.len - 1] - '0';
}

int souk_gtin_check(struct souk_str s, const char *param, struct souk_err *err)
{
    if (!all_digits(s))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must contain digits only", param);
    if (!valid_length(s.len))
        return souk_err_set(err, SOUK_EINVAL, param,
                            "%s must be 8, 12, 13 or 14 digits (GTIN-8/12/13/14), not %zu", param,
                            s.len);
    int expected = compute((struct souk_str){s.ptr, s.len - 1});
    if (expected != s.ptr[s.len - 1] - '0')
        return souk_err_set(err, SOUK_EINVAL, param,
                            "%s has check digit %c, expected %d: the barcode is mistyped", param,
                            s.ptr[s.len - 1], expected);
    return SOUK_OK;
}

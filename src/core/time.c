/* time: see time.h. Calendar arithmetic is done by hand so parsing never depends on TZ. */
#include "core/time.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

int64_t souk_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t souk_time_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Splits us into days since the epoch, seconds into the day and microseconds, all floored. */
static void split_time(int64_t us, int64_t *days, int64_t *rem, int64_t *frac)
{
    int64_t secs = us / 1000000;
    *frac = us % 1000000;
    if (*frac < 0) {
        *frac += 1000000;
        secs -= 1;
    }
    *days = secs / 86400;
    *rem = secs % 86400;
    if (*rem < 0) {
        *rem += 86400;
        *days -= 1;
    }
}

/* Writes value (0 or more) as exactly width digits, zero-padded; returns the end. */
static char *put_digits(char *out, int64_t value, int width)
{
    for (int i = width - 1; i >= 0; i--, value /= 10)
        out[i] = (char)('0' + value % 10);
    return out + width;
}

void souk_time_format(int64_t us, char out[SOUK_TIME_RFC3339_MAX])
{
    int64_t days, rem, frac, y;
    int m, d;
    split_time(us, &days, &rem, &frac);
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        /* int holds every year an int64 of microseconds can reach (about +-292,000). */
        snprintf(out, SOUK_TIME_RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", (int)y, m, d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (int)frac);
        return;
    }
    /* By hand, not snprintf: every order answer formats its times (2% of an HTTP thread). */
    char *p = put_digits(out, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, rem / 3600, 2);
    *p++ = ':';
    p = put_digits(p, rem / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, rem % 60, 2);
    *p++ = '.';
    p = put_digits(p, frac, 6);
    *p++ = 'Z';
    *p = '\0';
}

void souk_time_format_http(int64_t us, char out[SOUK_TIME_RFC3339_MAX])
{
    static const char weekdays[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days, rem, frac, y;
    int m, d;
    split_time(us, &days, &rem, &frac);
    civil_from_days(days, &y, &m, &d);
    int weekday = (int)(((days % 7) + 7) % 7); /* 1970-01-01 was a Thursday */
    snprintf(out, SOUK_TIME_RFC3339_MAX, "%s, %02d %s %04d %02d:%02d:%02d GMT", weekdays[weekday],
             d, months[m - 1], (int)y, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

static bool take_digits(const char **cur, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*cur >= end || **cur < '0' || **cur > '9')
            return false;
        v = v * 10 + (**cur - '0');
        (*cur)++;
    }
    *out = v;
    return true;
}

static bool take_char(const char **cur, const char *end, char c)
{
    if (*cur >= end || (**cur != c && !(c == 'T' && **cur == 't')))
        return false;
    (*cur)++;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int souk_time_parse(struct souk_str text, int64_t *out)
{
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *cur = text.ptr, *end = text.ptr + text.len;
    int y, mo, d, h, mi, s;
    if (!text.ptr || !take_digits(&cur, end, 4, &y) || !take_char(&cur, end, '-') ||
        !take_digits(&cur, end, 2, &mo) || !take_char(&cur, end, '-') ||
        !take_digits(&cur, end, 2, &d) || !take_char(&cur, end, 'T') ||
        !take_digits(&cur, end, 2, &h) || !take_char(&cur, end, ':') ||
        !take_digits(&cur, end, 2, &mi) || !take_char(&cur, end, ':') ||
        !take_digits(&cur, end, 2, &s))
        return SOUK_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60)
        return SOUK_EINVAL;
    if (d > month_days[mo - 1] + (mo == 2 && is_leap(y)))
        return SOUK_EINVAL;
    if (s == 60) /* a leap second is folded into the next second */
        s = 59;
    int64_t frac_us = 0;
    if (cur < end && *cur == '.') {
        cur++;
        int digits = 0;
        while (cur < end && *cur >= '0' && *cur <= '9') {
            if (digits < 6)
                frac_us = frac_us * 10 + (*cur - '0');
            digits++;
            cur++;
        }
        if (digits == 0 || digits > 9)
            return SOUK_EINVAL;
        for (int i = digits; i < 6; i++)
            frac_us *= 10;
    }
    int64_t offset_s = 0;
    if (cur < end && (*cur == 'Z' || *cur == 'z')) {
        cur++;
    } else if (cur < end && (*cur == '+' || *cur == '-')) {
        int sign = *cur == '-' ? -1 : 1, oh, om;
        cur++;
        if (!take_digits(&cur, end, 2, &oh) || !take_char(&cur, end, ':') ||
            !take_digits(&cur, end, 2, &om) || oh > 23 || om > 59)
            return SOUK_EINVAL;
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        return SOUK_EINVAL;
    }
    if (cur != end)
        return SOUK_EINVAL;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
    *out = secs * 1000000 + frac_us;
    return SOUK_OK;
}

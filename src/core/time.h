/*
 * time: UTC timestamps. Inside souk a time is int64 microseconds since the Unix epoch; the API
 * speaks RFC 3339 ("2026-11-25T04:05:29.123456Z"). Depends on libc only.
 */
#ifndef SOUK_CORE_TIME_H
#define SOUK_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/str.h"

#define SOUK_TIME_RFC3339_MAX 96 /* fits souk_time_format's output with room GCC can prove */

int64_t souk_time_now_us(void);      /* wall clock, UTC */
int64_t souk_time_monotonic_us(void); /* for durations only */

/* Writes `us` as RFC 3339 UTC with microseconds, e.g. "2026-11-25T04:05:29.000123Z". */
void souk_time_format(int64_t us, char out[SOUK_TIME_RFC3339_MAX]);

/* Writes `us` (to the second) as an HTTP date (RFC 9110 IMF-fixdate), e.g.
 * "Wed, 25 Nov 2026 04:05:29 GMT", for Last-Modified and If-Modified-Since. */
void souk_time_format_http(int64_t us, char out[SOUK_TIME_RFC3339_MAX]);

/*
 * Parses an RFC 3339 date-time ("2026-11-25T04:05:29Z", optional fraction of up to 9 digits,
 * "Z" or a +hh:mm / -hh:mm offset) into UTC microseconds. Dates are checked for real days
 * (no 30 February). Returns SOUK_OK or SOUK_EINVAL; *out is set only on success.
 */
int souk_time_parse(struct souk_str text, int64_t *out) SOUK_MUST_CHECK;

#endif

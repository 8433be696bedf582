/*
 * log: logfmt lines on stderr, e.g.
 *   ts=2026-11-25T04:05:29.000123Z level=info msg="request" req_id=... status=200
 *
 * One line is written with one write(2), so lines from several threads never interleave. Values
 * are quoted and escaped when needed. The level threshold is process configuration set once at
 * start-up (before threads exist). Never log secrets: callers pass only what may be read.
 * Depends on libc only.
 */
#ifndef SOUK_CORE_LOG_H
#define SOUK_CORE_LOG_H

#include <stdbool.h>

#include "core/err.h"
#include "core/str.h"

enum souk_log_level { SOUK_LOG_DEBUG, SOUK_LOG_INFO, SOUK_LOG_WARN, SOUK_LOG_ERROR };

/* Parses "debug", "info", "warn" or "error". Returns SOUK_OK or SOUK_EINVAL. */
int souk_log_level_parse(const char *name, enum souk_log_level *out) SOUK_MUST_CHECK;
void souk_log_set_level(enum souk_log_level level);
bool souk_log_enabled(enum souk_log_level level);

/*
 * Writes one line: ts, level and msg, then the key/value pairs given as alternating
 * `const char *` arguments and terminated by NULL:
 *   souk_log(SOUK_LOG_INFO, "listening", "addr", "127.0.0.1:8080", NULL);
 */
void souk_log(enum souk_log_level level, const char *msg, ...);

/* Appends ` key=value` to buf, quoting the value when it has spaces, quotes or '='. */
int souk_log_kv(struct souk_buf *buf, const char *key, struct souk_str value) SOUK_MUST_CHECK;

/* Writes a finished line (buf without its newline) to stderr in one write. */
void souk_log_write_line(struct souk_buf *buf);

#endif

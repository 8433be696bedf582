/*
 * str: the two string types.
 *
 * struct souk_str is a non-owning view (pointer + length, not necessarily NUL-terminated) into
 * a request buffer or a pool. struct souk_buf is a growable, owning builder with a hard cap:
 * `data` is never NULL and always NUL-terminated; `_cap` and `_max` are private. An append that
 * would exceed the cap fails with SOUK_ETOOBIG and leaves the buffer unchanged.
 * Depends on libc only.
 */
#ifndef SOUK_CORE_STR_H
#define SOUK_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct souk_str {
    const char *ptr;
    size_t len;
};

#define SOUK_STR(literal) ((struct souk_str){(literal), sizeof(literal) - 1})
#define SOUK_STR_NULL ((struct souk_str){NULL, 0})

struct souk_str souk_str_from(const char *cstr); /* NULL gives the empty view */
struct souk_str souk_str_from_opt(const char *cstr); /* NULL gives SOUK_STR_NULL */
bool souk_str_eq(struct souk_str a, struct souk_str b);
bool souk_str_eq_cstr(struct souk_str a, const char *cstr);
bool souk_str_has_prefix(struct souk_str s, const char *prefix);

/*
 * True when s is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). Text from files (CSV imports) is checked with this before it reaches the store,
 * because every stored string must encode as JSON.
 */
bool souk_str_is_utf8(struct souk_str s);

/* Code points in s, counting every byte but UTF-8 continuation bytes: what platforms mean by
 * "characters" in their length limits. */
size_t souk_str_utf8_chars(struct souk_str s);

/*
 * True for an absolute http:// or https:// URL with a host and no whitespace, control byte,
 * '"', '<' or '>': a link a feed or a platform can carry. Stricter callers refuse more.
 */
bool souk_str_is_http_url(struct souk_str s);

/* Writes n bytes as 2n lower-case hex digits and a NUL into out (2n + 1 bytes). */
void souk_hex_encode(const void *bytes, size_t n, char *out);

/*
 * Parses a whole view as a decimal int64 in [min, max]: no sign other than a leading '-',
 * no spaces, no trailing bytes. Returns SOUK_OK or SOUK_EINVAL; *out is set only on success.
 */
int souk_str_to_i64(struct souk_str s, int64_t min, int64_t max, int64_t *out) SOUK_MUST_CHECK;

struct souk_buf {
    char *data;   /* never NULL, always NUL-terminated */
    size_t len;   /* bytes used, excluding the NUL */
    size_t _cap;  /* bytes allocated; 0 while data points at the shared empty string */
    size_t _max;  /* hard ceiling on len */
};

extern char souk_buf__empty[1];
#define SOUK_BUF_INIT(max) {souk_buf__empty, 0, 0, (max)}

void souk_buf_init(struct souk_buf *buf, size_t max);
void souk_buf_release(struct souk_buf *buf);
void souk_buf_reset(struct souk_buf *buf); /* len = 0, keeps the allocation */

/* Makes room for extra more bytes at once, so a builder of known size does not regrow. */
int souk_buf_reserve(struct souk_buf *buf, size_t extra) SOUK_MUST_CHECK;
int souk_buf_add(struct souk_buf *buf, const void *data, size_t len) SOUK_MUST_CHECK;
int souk_buf_addstr(struct souk_buf *buf, const char *cstr) SOUK_MUST_CHECK;
int souk_buf_addch(struct souk_buf *buf, char c) SOUK_MUST_CHECK;
int souk_buf_addf(struct souk_buf *buf, const char *fmt, ...) SOUK_PRINTF(2, 3) SOUK_MUST_CHECK;

/* Hands the storage to the caller (free with souk_free) and leaves buf empty. */
char *souk_buf_detach(struct souk_buf *buf, size_t *len);

#endif

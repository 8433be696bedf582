/* str: views and bounded builders. */
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

char souk_buf__empty[1];

struct souk_str souk_str_from(const char *cstr)
{
    return cstr ? (struct souk_str){cstr, strlen(cstr)} : (struct souk_str){"", 0};
}

struct souk_str souk_str_from_opt(const char *cstr)
{
    return cstr ? (struct souk_str){cstr, strlen(cstr)} : SOUK_STR_NULL;
}

bool souk_str_eq(struct souk_str a, struct souk_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool souk_str_eq_cstr(struct souk_str a, const char *cstr)
{
    return souk_str_eq(a, souk_str_from(cstr));
}

bool souk_str_has_prefix(struct souk_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

/* The length of the UTF-8 sequence starting at s[0], or 0 when it is malformed. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

size_t souk_str_utf8_chars(struct souk_str s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += ((unsigned char)s.ptr[i] & 0xC0) != 0x80;
    return n;
}

bool souk_str_is_http_url(struct souk_str s)
{
    size_t start = souk_str_has_prefix(s, "https://")  ? 8
                   : souk_str_has_prefix(s, "http://") ? 7
                                                       : 0;
    if (!start || start == s.len || s.ptr[start] == '/')
        return false;
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>')
            return false;
    }
    return true;
}

void souk_hex_encode(const void *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

bool souk_str_is_utf8(struct souk_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0;
    while (i < s.len) {
        size_t n = utf8_sequence(p + i, s.len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

int souk_str_to_i64(struct souk_str s, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool negative = false;
    if (s.len > 0 && s.ptr[0] == '-') {
        negative = true;
        i = 1;
    }
    if (i == s.len || s.len - i > 19)
        return SOUK_EINVAL;
    uint64_t value = 0;
    for (; i < s.len; i++) {
        char c = s.ptr[i];
        if (c < '0' || c > '9')
            return SOUK_EINVAL;
        value = value * 10 + (uint64_t)(c - '0');
    }
    /* 19 digits fit in uint64; INT64_MIN's magnitude is INT64_MAX + 1. */
    if (negative ? value > (uint64_t)INT64_MAX + 1 : value > (uint64_t)INT64_MAX)
        return SOUK_EINVAL;
    int64_t v = negative ? (int64_t)(0 - value) : (int64_t)value;
    if (v < min || v > max)
        return SOUK_EINVAL;
    *out = v;
    return SOUK_OK;
}

void souk_buf_init(struct souk_buf *buf, size_t max)
{
    *buf = (struct souk_buf)SOUK_BUF_INIT(max);
}

void souk_buf_release(struct souk_buf *buf)
{
    if (buf->_cap)
        souk_free(buf->data);
    souk_buf_init(buf, buf->_max);
}

void souk_buf_reset(struct souk_buf *buf)
{
    buf->len = 0;
    buf->data[0] = '\0';
}

static int grow(struct souk_buf *buf, size_t extra)
{
    /* The last byte is the NUL, so len may reach _max only when _max + 1 is representable. */
    if (extra > buf->_max || buf->len > buf->_max - extra || buf->len + extra == SIZE_MAX)
        return SOUK_ETOOBIG;
    size_t need = buf->len + extra + 1;
    if (need <= buf->_cap)
        return SOUK_OK;
    size_t cap = buf->_cap ? buf->_cap : 64;
    while (cap < need)
        cap = cap * 2;
    if (cap > buf->_max && cap - 1 > buf->_max) /* _max + 1 would overflow at SIZE_MAX */
        cap = buf->_max + 1;
    if (buf->_cap) {
        buf->data = souk_realloc(buf->data, cap);
    } else {
        buf->data = souk_malloc(cap);
        buf->data[0] = '\0';
    }
    buf->_cap = cap;
    return SOUK_OK;
}

int souk_buf_reserve(struct souk_buf *buf, size_t extra)
{
    return grow(buf, extra);
}

int souk_buf_add(struct souk_buf *buf, const void *data, size_t len)
{
    int rc = grow(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return SOUK_OK;
}

int souk_buf_addstr(struct souk_buf *buf, const char *cstr)
{
    return souk_buf_add(buf, cstr, strlen(cstr));
}

int souk_buf_addch(struct souk_buf *buf, char c)
{
    return souk_buf_add(buf, &c, 1);
}

int souk_buf_addf(struct souk_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SOUK_EINVAL;
    int rc = grow(buf, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return SOUK_OK;
}

char *souk_buf_detach(struct souk_buf *buf, size_t *len)
{
    char *data = buf->_cap ? buf->data : souk_strdup("");
    if (len)
        *len = buf->len;
    souk_buf_init(buf, buf->_max);
    return data;
}

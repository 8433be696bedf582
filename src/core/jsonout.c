/* jsonout: see jsonout.h. */
#include "core/jsonout.h"

#include <string.h>

/* The length of the well-formed UTF-8 sequence at p (avail bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    size_t len = p[0] < 0xC2 ? 0 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : p[0] < 0xF5 ? 4 : 0;
    if (len == 0 || avail < len)
        return 0;
    return souk_str_is_utf8((struct souk_str){(const char *)p, len}) ? len : 0;
}

/* Whether len bytes at p need no escaping: printable ASCII other than '"' and '\\', which is
 * what nearly every key and value is. */
static bool is_plain(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\')
            return false;
    return true;
}

/* Appends `"text":` (colon when member) after sep ('\0' for none) with one reservation, for
 * plain text; the fast path of every member an answer writes. */
static int add_plain(struct souk_buf *buf, char sep, const char *text, size_t len, bool member)
{
    int rc = souk_buf_reserve(buf, len + 4);
    if (rc != SOUK_OK)
        return rc;
    char *out = buf->data + buf->len;
    if (sep)
        *out++ = sep;
    *out++ = '"';
    memcpy(out, text, len);
    out += len;
    *out++ = '"';
    if (member)
        *out++ = ':';
    *out = '\0';
    buf->len = (size_t)(out - buf->data);
    return SOUK_OK;
}

int souk_jsonout_quoted(struct souk_buf *buf, struct souk_str s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.ptr;
    if (is_plain(p, s.len))
        return add_plain(buf, '\0', s.ptr, s.len, false);
    size_t start = buf->len, run = 0;
    int rc = souk_buf_addch(buf, '"');
    for (size_t i = 0; i < s.len && rc == SOUK_OK;) {
        char esc[8];
        size_t esc_len = 0, n = 1;
        if (p[i] == '"' || p[i] == '\\') {
            esc[0] = '\\';
            esc[1] = (char)p[i];
            esc_len = 2;
        } else if (p[i] < 0x20) {
            const char *named = p[i] == '\n'   ? "\\n"
                                : p[i] == '\r' ? "\\r"
                                : p[i] == '\t' ? "\\t"
                                : p[i] == '\b' ? "\\b"
                                : p[i] == '\f' ? "\\f"
                                               : NULL;
            if (named) {
                memcpy(esc, named, 2);
                esc_len = 2;
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[p[i] >> 4];
                esc[5] = hex[p[i] & 15];
                esc_len = 6;
            }
        } else if (p[i] >= 0x80) {
            n = utf8_len(p + i, s.len - i);
            if (n == 0) {
                memcpy(esc, "\xEF\xBF\xBD", 3); /* U+FFFD for a malformed byte */
                esc_len = 3;
                n = 1;
            }
        }
        if (esc_len) {
            rc = souk_buf_add(buf, s.ptr + run, i - run);
            if (rc == SOUK_OK)
                rc = souk_buf_add(buf, esc, esc_len);
            run = i + n;
        }
        i += n;
    }
    if (rc == SOUK_OK)
        rc = souk_buf_add(buf, s.ptr + run, s.len - run);
    if (rc == SOUK_OK)
        rc = souk_buf_addch(buf, '"');
    if (rc != SOUK_OK) { /* all or nothing */
        buf->len = start;
        buf->data[start] = '\0';
    }
    return rc;
}

struct souk_jsonout souk_jsonout_begin(struct souk_buf *buf)
{
    return (struct souk_jsonout){.buf = buf, .rc = SOUK_OK};
}

int souk_jsonout_end(struct souk_jsonout *w)
{
    if (w->rc == SOUK_OK && w->depth != 0)
        w->rc = SOUK_EINTERNAL; /* a container left open: the caller's bug */
    return w->rc;
}

/* The separator and the member's name before a value. */
static void lead(struct souk_jsonout *w, const char *key)
{
    if (w->rc != SOUK_OK)
        return;
    uint32_t bit = 1u << w->depth;
    bool comma = w->started & bit;
    w->started |= bit;
    size_t len = key ? strlen(key) : 0;
    if (key && is_plain((const unsigned char *)key, len)) {
        w->rc = add_plain(w->buf, comma ? ',' : '\0', key, len, true);
        return;
    }
    if (comma)
        w->rc = souk_buf_addch(w->buf, ',');
    if (key && w->rc == SOUK_OK)
        w->rc = souk_jsonout_quoted(w->buf, souk_str_from(key));
    if (key && w->rc == SOUK_OK)
        w->rc = souk_buf_addch(w->buf, ':');
}

static void put(struct souk_jsonout *w, const char *text)
{
    if (w->rc == SOUK_OK)
        w->rc = souk_buf_addstr(w->buf, text);
}

static void open_container(struct souk_jsonout *w, const char *key, bool array)
{
    lead(w, key);
    if (w->rc == SOUK_OK && w->depth + 1 >= SOUK_JSONOUT_MAX_DEPTH)
        w->rc = SOUK_EINTERNAL;
    put(w, array ? "[" : "{");
    if (w->rc != SOUK_OK)
        return;
    w->depth++;
    uint32_t bit = 1u << w->depth;
    w->started &= ~bit;
    w->arrays = array ? w->arrays | bit : w->arrays & ~bit;
}

void souk_jsonout_object(struct souk_jsonout *w, const char *key)
{
    open_container(w, key, false);
}

void souk_jsonout_array(struct souk_jsonout *w, const char *key)
{
    open_container(w, key, true);
}

void souk_jsonout_close(struct souk_jsonout *w)
{
    if (w->rc != SOUK_OK)
        return;
    if (w->depth == 0) {
        w->rc = SOUK_EINTERNAL;
        return;
    }
    put(w, (w->arrays >> w->depth) & 1 ? "]" : "}");
    w->depth--;
}

void souk_jsonout_string(struct souk_jsonout *w, const char *key, const char *value)
{
    lead(w, key);
    if (!value)
        put(w, "null");
    else if (w->rc == SOUK_OK)
        w->rc = souk_jsonout_quoted(w->buf, souk_str_from(value));
}

void souk_jsonout_int(struct souk_jsonout *w, const char *key, int64_t value)
{
    /* By hand, not snprintf: an order answer writes a dozen numbers. From the end of text,
     * on the magnitude as unsigned so INT64_MIN has one too. */
    char text[24], *p = text + sizeof text;
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    *--p = '\0';
    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0)
        *--p = '-';
    lead(w, key);
    put(w, p);
}

void souk_jsonout_bool(struct souk_jsonout *w, const char *key, bool value)
{
    lead(w, key);
    put(w, value ? "true" : "false");
}

void souk_jsonout_null(struct souk_jsonout *w, const char *key)
{
    lead(w, key);
    put(w, "null");
}

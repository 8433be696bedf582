/* textout: see textout.h. */
#include "core/textout.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/alloc.h"

/* ---- appending all-or-nothing ---- */

/* An append in progress: the first failure sticks, and out_end undoes everything on failure. */
struct out {
    struct souk_buf *buf;
    size_t start; /* buf->len before the call */
    int rc;
};

static struct out out_begin(struct souk_buf *buf)
{
    return (struct out){buf, buf->len, SOUK_OK};
}

static void put(struct out *o, const void *data, size_t len)
{
    if (o->rc == SOUK_OK)
        o->rc = souk_buf_add(o->buf, data, len);
}

static int out_end(struct out *o)
{
    if (o->rc != SOUK_OK && o->buf->len != o->start) {
        o->buf->len = o->start;
        o->buf->data[o->start] = '\0';
    }
    return o->rc;
}

/* ---- UTF-8 ---- */

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* The length of the well-formed UTF-8 sequence at p, or 0 when it is malformed. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    size_t len = p[0] < 0x80   ? 1
                 : p[0] < 0xC2 ? 0
                 : p[0] < 0xE0 ? 2
                 : p[0] < 0xF0 ? 3
                 : p[0] < 0xF5 ? 4
                               : 0;

    if (len <= 1)
        return len;
    return avail >= len && souk_str_is_utf8((struct souk_str){(const char *)p, len}) ? len : 0;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

struct souk_str souk_textout_truncate_utf8(struct souk_str s, size_t max_bytes, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0;

    for (size_t chars = 0; i < s.len && chars < max_chars; chars++) {
        size_t n = utf8_len(p + i, s.len - i);
        n = n ? n : 1;
        if (n > max_bytes - i)
            break;
        i += n;
    }
    return (struct souk_str){s.ptr, i < s.len ? i : s.len};
}

/* ---- CSV, TSV, XML ---- */

int souk_textout_csv_field(struct souk_buf *buf, struct souk_str s, char delimiter)
{
    struct out o = out_begin(buf);
    bool quote = s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[s.len - 1] == ' ' ||
                               s.ptr[s.len - 1] == '\t');

    for (size_t i = 0; i < s.len && !quote; i++)
        quote = s.ptr[i] == delimiter || s.ptr[i] == '"' || s.ptr[i] == '\r' || s.ptr[i] == '\n';
    if (!quote) {
        put(&o, s.ptr, s.len);
        return out_end(&o);
    }
    put(&o, "\"", 1);
    for (size_t i = 0; i < s.len;) {
        const char *q = memchr(s.ptr + i, '"', s.len - i);
        size_t end = q ? (size_t)(q - s.ptr) + 1 : s.len; /* through the quote, then again */
        put(&o, s.ptr + i, end - i);
        if (q)
            put(&o, "\"", 1);
        i = end;
    }
    put(&o, "\"", 1);
    return out_end(&o);
}

int souk_textout_tsv_field(struct souk_buf *buf, struct souk_str s)
{
    struct out o = out_begin(buf);
    size_t run = 0;

    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '\t' || s.ptr[i] == '\r' || s.ptr[i] == '\n') {
            put(&o, s.ptr + run, i - run);
            put(&o, " ", 1);
            run = i + 1;
        }
    }
    put(&o, s.ptr + run, s.len - run);
    return out_end(&o);
}

int souk_textout_xml_text(struct souk_buf *buf, struct souk_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    struct out o = out_begin(buf);
    size_t run = 0; /* start of the bytes copied as they are */

    for (size_t i = 0; i < s.len;) {
        const char *entity = NULL;
        size_t n = 1;
        bool drop = false;

        switch (p[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&apos;";
            break;
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            if (p[i] < 0x20) {
                drop = true;
            } else if (p[i] >= 0x80) {
                n = utf8_len(p + i, s.len - i);
                if (n == 0) {
                    entity = replacement;
                    n = 1;
                } else {
                    /* U+FFFE and U+FFFF are not XML characters. */
                    drop = n == 3 && p[i] == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE;
                }
            }
        }
        if (entity || drop) {
            put(&o, s.ptr + run, i - run);
            if (entity)
                put(&o, entity, strlen(entity));
            run = i + n;
        }
        i += n;
    }
    put(&o, s.ptr + run, s.len - run);
    return out_end(&o);
}

/* ---- HTML to plain text ---- */

enum gap { GAP_NONE, GAP_SPACE, GAP_LINE };

/* Plain text being written: whitespace is held back as a gap until more text follows. */
struct plain {
    struct out o;
    enum gap gap;
    bool started; /* anything written yet: a gap before the first text is dropped */
};

static void plain_gap(struct plain *t, enum gap gap)
{
    if (gap > t->gap)
        t->gap = gap;
}

static void plain_text(struct plain *t, const char *text, size_t len)
{
    if (t->started && t->gap != GAP_NONE)
        put(&t->o, t->gap == GAP_LINE ? "\n" : " ", 1);
    t->gap = GAP_NONE;
    t->started = true;
    put(&t->o, text, len);
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Elements that begin or end a line of text where they open or close. */
static const char *const line_tags[] = {"blockquote", "br", "div", "h1", "h2", "h3",    "h4", "h5",
                                        "h6",         "hr", "li",  "ol", "p",  "table", "tr", "ul"};

static bool name_is(struct souk_str name, const char *tag)
{
    return name.len == strlen(tag) && strncasecmp(name.ptr, tag, name.len) == 0;
}

static enum gap tag_gap(struct souk_str name)
{
    for (size_t i = 0; i < sizeof line_tags / sizeof line_tags[0]; i++)
        if (name_is(name, line_tags[i]))
            return GAP_LINE;
    return name_is(name, "td") || name_is(name, "th") ? GAP_SPACE : GAP_NONE;
}

/* The index of the first "</name" (any case, not followed by a name character) at or after
 * from, or len. */
static size_t find_end_tag(struct souk_str s, size_t from, struct souk_str name)
{
    for (size_t i = from; i + 2 + name.len <= s.len; i++) {
        if (s.ptr[i] == '<' && s.ptr[i + 1] == '/' &&
            strncasecmp(s.ptr + i + 2, name.ptr, name.len) == 0 &&
            (i + 2 + name.len == s.len || !is_alnum((unsigned char)s.ptr[i + 2 + name.len])))
            return i;
    }
    return s.len;
}

/*
 * Skips the markup that starts at s[i] == '<' and returns the index after it (s.len when it is
 * unclosed), noting the gap it leaves. A '>' inside a quoted attribute value does not end a tag.
 */
static size_t skip_markup(struct souk_str s, size_t i, struct plain *t)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t j = i + 1;
    bool closing = false, after_eq = false;
    unsigned char quote = 0;

    if (s.len - i >= 4 && memcmp(s.ptr + i, "<!--", 4) == 0) {
        const char *end = memmem(s.ptr + i + 4, s.len - i - 4, "-->", 3);
        return end ? (size_t)(end - s.ptr) + 3 : s.len;
    }
    if (j < s.len && p[j] == '/') {
        closing = true;
        j++;
    }
    size_t name_start = j;
    while (j < s.len && is_alnum(p[j]))
        j++;
    struct souk_str name = {s.ptr + name_start, j - name_start};
    for (; j < s.len; j++) {
        if (quote) {
            if (p[j] == quote)
                quote = 0;
        } else if (p[j] == '>') {
            break;
        } else if (after_eq && (p[j] == '"' || p[j] == '\'')) {
            quote = p[j];
        } else if (p[j] == '=') {
            after_eq = true;
        } else if (!is_space(p[j])) {
            after_eq = false;
        }
    }
    if (j == s.len)
        return s.len;
    plain_gap(t, tag_gap(name));
    /* What is inside script and style is code, not text. */
    if (!closing && (name_is(name, "script") || name_is(name, "style")))
        return find_end_tag(s, j + 1, name);
    return j + 1;
}

static const struct {
    const char *name;
    const char *text; /* UTF-8; NULL for a space */
} entities[] = {
    {"amp", "&"},        {"lt", "<"},         {"gt", ">"},          {"quot", "\""},
    {"apos", "'"},       {"nbsp", NULL},      {"hellip", "\u2026"}, {"mdash", "\u2014"},
    {"ndash", "\u2013"}, {"lsquo", "\u2018"}, {"rsquo", "\u2019"},  {"ldquo", "\u201C"},
    {"rdquo", "\u201D"}, {"bull", "\u2022"},  {"middot", "\u00B7"}, {"deg", "\u00B0"},
    {"times", "\u00D7"}, {"copy", "\u00A9"},  {"reg", "\u00AE"},    {"trade", "\u2122"},
    {"euro", "\u20AC"},
};

/* The value of c as a decimal or hex digit, or -1. */
static int digit_value(unsigned char c, bool hex)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/*
 * Decodes the character reference at s[i] == '&' into t and returns its length, or 0 when
 * there is none there (the '&' is then text). Digits are read only as far as they go, so a
 * rejected reference costs one more look at them, never more.
 */
static size_t decode_reference(struct souk_str s, size_t i, struct plain *t)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t j = i + 1;

    if (j < s.len && p[j] == '#') {
        bool hex = j + 1 < s.len && (p[j + 1] | 0x20) == 'x';
        uint32_t cp = 0;
        size_t digits = 0;
        for (j += hex ? 2 : 1; j < s.len && digit_value(p[j], hex) >= 0; j++, digits++) {
            /* Saturate past U+10FFFF so that a long run of digits cannot overflow. */
            if (cp <= 0x10FFFF)
                cp = cp * (hex ? 16 : 10) + (uint32_t)digit_value(p[j], hex);
        }
        if (digits == 0 || j == s.len || p[j] != ';')
            return 0;
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        if (cp < 0x80 && is_space((unsigned char)cp)) {
            plain_gap(t, GAP_SPACE);
        } else if (cp == 0xA0) {
            plain_gap(t, GAP_SPACE); /* no-break space, as &nbsp; */
        } else {
            char enc[4];
            plain_text(t, enc, utf8_encode(cp, enc));
        }
        return j + 1 - i;
    }
    while (j < s.len && j - i <= 8 && is_alnum(p[j]))
        j++;
    if (j == s.len || p[j] != ';')
        return 0;
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++) {
        if (strlen(entities[k].name) == j - i - 1 &&
            memcmp(entities[k].name, s.ptr + i + 1, j - i - 1) == 0) {
            if (!entities[k].text)
                plain_gap(t, GAP_SPACE); /* &nbsp; collapses like any space */
            else
                plain_text(t, entities[k].text, strlen(entities[k].text));
            return j + 1 - i;
        }
    }
    return 0;
}

int souk_textout_strip_html(struct souk_buf *buf, struct souk_str html)
{
    const unsigned char *p = (const unsigned char *)html.ptr;
    struct plain t = {out_begin(buf), GAP_NONE, false};

    for (size_t i = 0, n; i < html.len;) {
        unsigned char c = p[i];
        if (c == '<' && i + 1 < html.len &&
            (is_alpha(p[i + 1]) || p[i + 1] == '/' || p[i + 1] == '!' || p[i + 1] == '?')) {
            i = skip_markup(html, i, &t);
        } else if (c == '&' && (n = decode_reference(html, i, &t)) > 0) {
            i += n;
        } else if (is_space(c)) {
            plain_gap(&t, GAP_SPACE);
            i++;
        } else if (c == 0xC2 && i + 1 < html.len && p[i + 1] == 0xA0) {
            plain_gap(&t, GAP_SPACE); /* a raw no-break space */
            i += 2;
        } else {
            /* Ordinary text runs to the next byte that may start something else. */
            size_t j = i + 1;
            while (j < html.len && p[j] != '<' && p[j] != '&' && p[j] != 0xC2 && !is_space(p[j]))
                j++;
            plain_text(&t, html.ptr + i, j - i);
            i = j;
        }
    }
    return out_end(&t.o);
}

/* ---- gzip ---- */

struct souk_gzip {
    z_stream zs;
    souk_gzip_sink_fn sink;
    void *arg;
    int status; /* the first sink failure, which ends the stream */
    bool finished;
    unsigned char chunk[16384];
};

/* zlib allocates through souk's allocator, so its memory follows the same out-of-memory policy. */
static voidpf gzip_alloc(voidpf opaque, uInt items, uInt size)
{
    return souk_calloc(items, size);
}

static void gzip_free_mem(voidpf opaque, voidpf ptr)
{
    souk_free(ptr);
}

struct souk_gzip *souk_gzip_new(int level, souk_gzip_sink_fn sink, void *arg)
{
    struct souk_gzip *gz;

    if (level < Z_DEFAULT_COMPRESSION || level > Z_BEST_COMPRESSION)
        return NULL;
    gz = souk_calloc(1, sizeof *gz);
    gz->zs.zalloc = gzip_alloc;
    gz->zs.zfree = gzip_free_mem;
    /* windowBits 15 + 16 asks zlib for a gzip header and trailer instead of zlib's own. */
    if (deflateInit2(&gz->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        souk_free(gz);
        return NULL;
    }
    gz->sink = sink;
    gz->arg = arg;
    gz->zs.next_out = gz->chunk;
    gz->zs.avail_out = sizeof gz->chunk;
    return gz;
}

/* Hands what the chunk holds to the sink and empties it. */
static int drain(struct souk_gzip *gz)
{
    size_t n = sizeof gz->chunk - gz->zs.avail_out;
    int rc = n ? gz->sink(gz->arg, gz->chunk, n) : SOUK_OK;

    gz->zs.next_out = gz->chunk;
    gz->zs.avail_out = sizeof gz->chunk;
    if (rc != SOUK_OK)
        gz->status = rc;
    return rc;
}

int souk_gzip_write(struct souk_gzip *gz, const void *data, size_t len)
{
    const unsigned char *p = data;

    if (gz->status != SOUK_OK)
        return gz->status;
    if (gz->finished)
        return SOUK_EINVAL;
    while (len > 0) {
        /* avail_in is a uInt, so a larger write goes in pieces. */
        uInt piece = len > UINT_MAX ? UINT_MAX : (uInt)len;
        gz->zs.next_in = (Bytef *)p;
        gz->zs.avail_in = piece;
        /* With input and output room, deflate returns only when one of them runs out. */
        while (gz->zs.avail_in > 0) {
            if (deflate(&gz->zs, Z_NO_FLUSH) == Z_STREAM_ERROR)
                return gz->status = SOUK_EINTERNAL; /* only a corrupted stream state */
            if (gz->zs.avail_out == 0 && drain(gz) != SOUK_OK)
                return gz->status;
        }
        p += piece;
        len -= piece;
    }
    return SOUK_OK;
}

int souk_gzip_finish(struct souk_gzip *gz)
{
    int zrc;

    if (gz->status != SOUK_OK)
        return gz->status;
    if (gz->finished)
        return SOUK_EINVAL;
    /* Z_OK means the chunk filled up and there is more to come. */
    do {
        zrc = deflate(&gz->zs, Z_FINISH);
        if (drain(gz) != SOUK_OK)
            return gz->status;
    } while (zrc == Z_OK);
    if (zrc != Z_STREAM_END)
        return gz->status = SOUK_EINTERNAL; /* only a corrupted stream state */
    gz->finished = true;
    return SOUK_OK;
}

void souk_gzip_free(struct souk_gzip *gz)
{
    if (!gz)
        return;
    deflateEnd(&gz->zs);
    souk_free(gz);
}

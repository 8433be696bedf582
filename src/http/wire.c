/*
 * wire: request heads and chunked bodies as RFC 9112 frames them (see wire.h).
 *
 * A head is handled in two passes: the first only looks for the blank line that ends it, within
 * SOUK_HTTP__MAX_HEAD bytes, so a partial head is never written to and a slow client costs a
 * bounded rescan; the second splits the complete head in place. Both read origin-form
 * requests strictly and refuse rather than repair, because a lenient reading that differs from
 * a proxy's in front of us is how requests get smuggled. The chunked decoder keeps all of its
 * position in struct souk_http__chunked, since a body may arrive split at any byte.
 */
#include <string.h>

#include "http/wire.h"

#define MAX_LENGTH ((uint64_t)1 << 62) /* no real body comes near; keeps sums from overflowing */
#define CHUNK_MAX_DIGITS 15            /* 2^60 - 1 at most, so the size cannot overflow */
#define CHUNK_MAX_LINE 4096
#define CHUNK_MAX_TRAILERS 64

static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* VCHAR, SP, HTAB and obs-text: everything but the control characters. */
static bool is_text(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

/* ASCII-only, so the locale cannot change what a header means. */
static bool ieq_n(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i] != '\0' && lower(s[i]) == lower(lit[i]); i++)
        ;
    return i == n && lit[i] == '\0';
}

static bool ieq(const char *s, const char *lit)
{
    return ieq_n(s, strlen(s), lit);
}

/*
 * Finds the blank line that ends the head. Empty lines before the request line count against
 * the limit like any other byte, so a stream of them cannot keep the connection busy forever.
 */
static int head_end(const char *buf, size_t len, size_t *start)
{
    size_t lim = len < SOUK_HTTP__MAX_HEAD ? len : SOUK_HTTP__MAX_HEAD;
    size_t line = 0;
    bool in_head = false; /* the request line has ended */
    const char *lf;
    while ((lf = memchr(buf + line, '\n', lim - line)) != NULL) {
        size_t eol = (size_t)(lf - buf);
        bool empty = eol == line || (eol == line + 1 && buf[line] == '\r');
        if (empty && in_head)
            return (int)eol + 1;
        if (!empty && !in_head) {
            in_head = true;
            *start = line;
        }
        line = eol + 1;
    }
    if (len < SOUK_HTTP__MAX_HEAD)
        return 0;
    return in_head ? -431 : -414;
}

/* The end of the line's content (before CRLF or LF); *next is the start of the next line. */
static char *line_end(char *p, char *end, char **next)
{
    char *lf = memchr(p, '\n', (size_t)(end - p));
    *next = lf + 1;
    return lf > p && lf[-1] == '\r' ? lf - 1 : lf;
}

static int parse_request_line(char *p, char *e, struct souk_http__head *head)
{
    char *method = p;
    while (p < e && is_tchar(*p))
        p++;
    if (p == method || p == e || *p != ' ')
        return -400;
    *p++ = '\0';
    char *target = p;
    while (p < e && *p >= 0x21 && *p <= 0x7e)
        p++;
    if (*target != '/' || p == e || *p != ' ')
        return -400;
    *p++ = '\0';
    if (e - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
        p[7] < '0' || p[7] > '9')
        return -400;
    if (p[5] != '1' || p[7] > '1')
        return -505;
    head->method = method;
    head->target = target;
    head->minor = p[7] - '0';
    return 0;
}

/* A field line. A leading blank (obs-fold) fails the name like any other non-token byte. */
static int parse_field(char *p, char *e, struct souk_http__field *field)
{
    char *name = p;
    while (p < e && is_tchar(*p))
        p++;
    if (p == name || p == e || *p != ':')
        return -400;
    *p++ = '\0';
    while (p < e && is_blank(*p))
        p++;
    char *value = p;
    for (; p < e; p++) {
        if (!is_text(*p))
            return -400;
    }
    while (p > value && is_blank(p[-1]))
        p--;
    *p = '\0';
    field->name = name;
    field->value = value;
    return 0;
}

int souk_http__head_parse(char *buf, size_t len, struct souk_http__head *head)
{
    size_t start = 0;
    int end = head_end(buf, len, &start);
    if (end <= 0)
        return end;
    char *stop = buf + end, *next;
    char *e = line_end(buf + start, stop, &next);
    int rc = parse_request_line(buf + start, e, head);
    if (rc != 0)
        return rc;
    head->nfields = 0;
    for (char *p = next; (e = line_end(p, stop, &next)) != p; p = next) {
        if (head->nfields == SOUK_HTTP__MAX_FIELDS)
            return -431;
        rc = parse_field(p, e, &head->fields[head->nfields++]);
        if (rc != 0)
            return rc;
    }
    return end;
}

const char *souk_http__head_field(const struct souk_http__head *head, const char *name)
{
    for (size_t i = 0; i < head->nfields; i++) {
        if (ieq(head->fields[i].name, name))
            return head->fields[i].value;
    }
    return NULL;
}

/* The next element of a comma-separated field value, without its surrounding blanks. */
static bool list_next(const char **cur, const char **elem, size_t *n)
{
    const char *p = *cur;
    if (p == NULL)
        return false;
    while (is_blank(*p))
        p++;
    const char *s = p;
    while (*p != '\0' && *p != ',')
        p++;
    const char *e = p;
    while (e > s && is_blank(e[-1]))
        e--;
    *elem = s;
    *n = (size_t)(e - s);
    *cur = *p == ',' ? p + 1 : NULL;
    return true;
}

static int parse_length(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0)
        return -400;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > MAX_LENGTH / 10)
            return -400;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > MAX_LENGTH)
        return -400;
    *out = v;
    return 0;
}

int souk_http__head_framing(const struct souk_http__head *head, struct souk_http__framing *out)
{
    bool has_length = false, has_te = false, close = false, keep = false, bad_expect = false;
    size_t hosts = 0;
    uint64_t length = 0;
    size_t nchunked = 0, nother = 0;
    *out = (struct souk_http__framing){0};
    for (size_t i = 0; i < head->nfields; i++) {
        const struct souk_http__field *f = &head->fields[i];
        const char *cur = f->value, *el;
        size_t n;
        if (ieq(f->name, "Content-Length")) {
            while (list_next(&cur, &el, &n)) {
                uint64_t v;
                if (parse_length(el, n, &v) != 0 || (has_length && v != length))
                    return -400;
                has_length = true;
                length = v;
            }
        } else if (ieq(f->name, "Transfer-Encoding")) {
            has_te = true;
            while (list_next(&cur, &el, &n)) {
                if (ieq_n(el, n, "chunked"))
                    nchunked++;
                else
                    nother++;
            }
        } else if (ieq(f->name, "Connection")) {
            while (list_next(&cur, &el, &n)) {
                close = close || ieq_n(el, n, "close");
                keep = keep || ieq_n(el, n, "keep-alive");
            }
        } else if (ieq(f->name, "Host")) {
            hosts++;
        } else if (ieq(f->name, "Expect")) {
            /* RFC 9110 section 10.1.1: a 1.0 client cannot be waiting for the 100. */
            if (ieq(f->value, "100-continue"))
                out->expect_continue = head->minor == 1;
            else
                bad_expect = true;
        }
    }
    /* RFC 9112 section 3.2: one Host in HTTP/1.1, at most one in HTTP/1.0. */
    if (hosts > 1 || (hosts == 0 && head->minor == 1))
        return -400;
    /* RFC 9112 section 6.1: either could be what a proxy in front of us believed. */
    if (has_te && (has_length || head->minor == 0))
        return -400;
    if (has_te && (nchunked != 1 || nother != 0))
        return -501;
    if (bad_expect)
        return -417;
    out->chunked = has_te;
    out->content_length = has_te ? 0 : length;
    out->keep_alive = !close && (head->minor == 1 || keep);
    return 0;
}

enum chunked_state {
    SIZE,     /* hex digits; _line counts them */
    EXT,      /* after ';' to the end of the size line; _line counts the whole line */
    DATA,     /* _left bytes of data still to come */
    DATA_END, /* the line end after the data */
    TRAILER,  /* a trailer line or the final empty line; _left counts the trailer lines */
};
#define AFTER_CR 0x10 /* or'ed into _state: the next byte must be LF, then ends the line */

static void size_line_end(struct souk_http__chunked *c)
{
    c->_state = c->_left == 0 ? TRAILER : DATA;
    c->_line = 0;
}

static void trailer_line_end(struct souk_http__chunked *c)
{
    c->done = c->_line == 0;
    c->_line = 0;
}

int64_t souk_http__chunked_decode(struct souk_http__chunked *c, const char *in, size_t len,
                                  struct souk_buf *body)
{
    size_t i = 0;
    while (i < len && !c->done) {
        unsigned char ch = (unsigned char)in[i];
        /* Unlike a head's, a body's lines end with CRLF only (RFC 9112 section 7.1): a bare LF
         * is where a proxy's reading of the chunks and ours could part. */
        bool crlf = c->_state & AFTER_CR;
        if (crlf) {
            if (ch != '\n')
                return -400;
            c->_state &= ~AFTER_CR;
        }
        switch (c->_state) {
        case SIZE: {
            int d = hex_value(ch);
            if (d >= 0 && c->_line < CHUNK_MAX_DIGITS) {
                c->_left = c->_left << 4 | (uint64_t)d;
                c->_line++;
            } else if (d >= 0 || c->_line == 0) {
                return -400;
            } else if (ch == ';') {
                c->_state = EXT;
                c->_line++;
            } else if (ch == '\r') {
                c->_state |= AFTER_CR;
            } else if (ch == '\n' && crlf) {
                size_line_end(c);
            } else {
                return -400;
            }
            break;
        }
        case EXT:
            if (ch == '\r')
                c->_state |= AFTER_CR;
            else if (ch == '\n' && crlf)
                size_line_end(c);
            else if (!is_text(ch) || ++c->_line > CHUNK_MAX_LINE)
                return -400;
            break;
        case DATA: {
            size_t n = len - i < c->_left ? len - i : (size_t)c->_left;
            if (souk_buf_add(body, in + i, n) != SOUK_OK)
                return -413;
            c->_left -= n;
            if (c->_left == 0)
                c->_state = DATA_END;
            i += n;
            continue;
        }
        case DATA_END:
            if (ch == '\r')
                c->_state |= AFTER_CR;
            else if (ch == '\n' && crlf)
                c->_state = SIZE;
            else
                return -400;
            break;
        case TRAILER:
            if (ch == '\r')
                c->_state |= AFTER_CR;
            else if (ch == '\n' && crlf)
                trailer_line_end(c);
            else if (!is_text(ch) || (c->_line == 0 && ++c->_left > CHUNK_MAX_TRAILERS) ||
                     ++c->_line > CHUNK_MAX_LINE)
                return -400;
            break;
        }
        i++;
    }
    return (int64_t)i;
}

bool souk_http__url_decode(char *s, bool plus_is_space)
{
    char *w = s;
    for (const char *r = s; *r != '\0'; r++) {
        if (*r == '%') {
            int hi = hex_value((unsigned char)r[1]);
            int lo = hi < 0 ? -1 : hex_value((unsigned char)r[2]);
            if (lo < 0 || (hi | lo) == 0)
                return false;
            *w++ = (char)(hi << 4 | lo);
            r += 2;
        } else {
            *w++ = plus_is_space && *r == '+' ? ' ' : *r;
        }
    }
    *w = '\0';
    return true;
}

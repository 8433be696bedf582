/*
 * wire: HTTP/1.1 request framing as RFC 9112 describes it, for the server's event loop
 * (loop.c); shared between the files of http/ only.
 *
 * Everything here reads bytes a client sent, so every function is bounded, never reads past
 * the length it is given, and refuses what it cannot frame exactly with the HTTP status to
 * answer (a smuggling-prone request, such as Content-Length beside Transfer-Encoding, is
 * refused rather than guessed at). Nothing allocates except souk_http__chunked_decode, which
 * appends to a capped souk_buf. Depends on core/ only.
 */
#ifndef SOUK_HTTP_WIRE_H
#define SOUK_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/str.h"

#define SOUK_HTTP__MAX_HEAD (12 * 1024) /* request line and header fields, blank line included */
#define SOUK_HTTP__MAX_FIELDS 64

struct souk_http__field {
    const char *name;  /* NUL-terminated in place, as sent (compare without case) */
    const char *value; /* NUL-terminated in place, without leading or trailing blanks */
};

/* A parsed request head: every pointer points into the buffer that was parsed. */
struct souk_http__head {
    const char *method; /* "GET", as sent */
    const char *target; /* "/v1/orders?limit=2", as sent (not decoded) */
    int minor;          /* 1 for HTTP/1.1, 0 for HTTP/1.0 */
    struct souk_http__field fields[SOUK_HTTP__MAX_FIELDS];
    size_t nfields;
};

/*
 * Parses the request head at the start of buf[0..len). Returns the head's length (request
 * line, fields and the blank line) when it is complete, 0 when more bytes are needed, or a
 * negative HTTP status when it is not a request souk will frame:
 *   -400 malformed (bad method token, target not starting with '/', a control character, a
 *        field without a colon, blanks before the colon, an obs-fold continuation line, a bare
 *        CR), -414 the request line alone is longer than SOUK_HTTP__MAX_HEAD,
 *   -431 the head is longer than SOUK_HTTP__MAX_HEAD or has more than SOUK_HTTP__MAX_FIELDS
 *        fields, -505 a version other than HTTP/1.0 or HTTP/1.1.
 * Lines end with CRLF or a bare LF. Empty lines before the request line are skipped (RFC 9112
 * section 2.2) and count in the returned length. Only once the head is complete is it parsed,
 * and then in place: the terminators of the method, target, names and values are overwritten
 * with NUL, so buf must be writable and a complete head must not be parsed twice.
 */
int souk_http__head_parse(char *buf, size_t len, struct souk_http__head *head);

/* The value of the first field named name (compared without case), or NULL. */
const char *souk_http__head_field(const struct souk_http__head *head, const char *name);

/* How the body of a request is framed, and what the head asks of the connection. */
struct souk_http__framing {
    bool chunked;            /* Transfer-Encoding: chunked */
    uint64_t content_length; /* 0 when there is no body or it is chunked */
    bool keep_alive;         /* HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
                                "Connection: keep-alive" */
    bool expect_continue;    /* "Expect: 100-continue" */
};

/*
 * Reads the framing from a parsed head. Returns 0, or a negative HTTP status:
 *   -400 Content-Length that is not a plain decimal number, several Content-Length values that
 *        differ, Content-Length beside Transfer-Encoding, Transfer-Encoding in HTTP/1.0, no Host
 *        in HTTP/1.1 or more than one Host;
 *   -501 a transfer coding other than exactly "chunked";
 *   -417 an Expect other than 100-continue.
 * Connection, Transfer-Encoding and Expect tokens compare without case.
 */
int souk_http__head_framing(const struct souk_http__head *head, struct souk_http__framing *out);

/* A chunked body being decoded; zero it (SOUK_HTTP__CHUNKED_INIT) before the first call. */
struct souk_http__chunked {
    int _state;
    uint64_t _left; /* data bytes left in the current chunk; trailer lines in the trailer */
    size_t _line;   /* bytes of the current size or trailer line seen so far */
    bool done;      /* the last chunk and the trailer section have been read */
};
#define SOUK_HTTP__CHUNKED_INIT                                                                    \
    {                                                                                              \
        0, 0, 0, false                                                                             \
    }

/*
 * Decodes in[0..len) of a chunked body, appending the data to body. Returns how many bytes of
 * in it consumed (all of them unless the body ended inside in: the rest belongs to the next
 * request), or a negative HTTP status: -400 malformed (a size that is not hex or overflows, a
 * chunk not followed by CRLF, a line of the body ending in a bare LF, a size or trailer line
 * longer than 4 KiB, more than 64 trailer fields), -413 the data outgrew body's cap. Chunk
 * extensions and trailer fields are read and ignored. Once c->done is true it consumes nothing
 * more.
 */
int64_t souk_http__chunked_decode(struct souk_http__chunked *c, const char *in, size_t len,
                                  struct souk_buf *body);

/*
 * Percent-decodes s in place ("%2F" -> "/"; with plus_is_space, "+" -> " ", as a query string
 * is written) and returns false when it holds an invalid escape ("%G1", a "%" at the end) or
 * an escape that decodes to NUL: a request souk refuses with 400.
 */
bool souk_http__url_decode(char *s, bool plus_is_space);

#endif

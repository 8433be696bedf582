/* Unit tests for http/wire: request heads, framing, chunked bodies and percent-decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/wire.h"

#define BIG (SOUK_HTTP__MAX_HEAD + 256)
#define MAX_TRAILERS 64 /* wire.h: "more than 64 trailer fields" */

/* A request given with its length, so it may hold NUL bytes. */
struct req {
    const char *bytes;
    size_t len;
    int status;
};
/* clang-format off */
#define REQ(s, status) {(s), sizeof(s) - 1, (status)}
/* clang-format on */

/* Parses a copy of req[0..len) in buf, which the head's pointers then point into. */
static int parse_in(char *buf, const char *req, size_t len, struct souk_http__head *head)
{
    memcpy(buf, req, len);
    return souk_http__head_parse(buf, len, head);
}

static int status_of(const char *req, size_t len)
{
    char buf[BIG];
    struct souk_http__head head;
    assert_true(len <= sizeof buf);
    return parse_in(buf, req, len, &head);
}

/* Reads the framing of a head that must parse whole. */
static int framing_of(const char *req, struct souk_http__framing *out)
{
    char buf[1024];
    struct souk_http__head head;
    int rc = parse_in(buf, req, strlen(req), &head);
    assert_int_equal(rc, (int)strlen(req));
    return souk_http__head_framing(&head, out);
}

static void parses_get_head(void **state)
{
    const char req[] = "GET /v1/orders?limit=2 HTTP/1.1\r\n"
                       "Host: shop.example\r\n"
                       "Accept: \t */* \t\r\n"
                       "X-Empty:\r\n"
                       "\r\n";
    char buf[sizeof req];
    struct souk_http__head head;
    assert_int_equal(parse_in(buf, req, sizeof req - 1, &head), sizeof req - 1);
    assert_string_equal(head.method, "GET");
    assert_string_equal(head.target, "/v1/orders?limit=2");
    assert_int_equal(head.minor, 1);
    assert_int_equal(head.nfields, 3);
    assert_string_equal(head.fields[0].name, "Host");
    assert_string_equal(souk_http__head_field(&head, "HOST"), "shop.example");
    assert_string_equal(souk_http__head_field(&head, "accept"), "*/*");
    assert_string_equal(souk_http__head_field(&head, "x-empty"), "");
    assert_null(souk_http__head_field(&head, "Hos"));
    assert_null(souk_http__head_field(&head, "Hostx"));
}

static void parses_post_head_with_bare_lf_and_obs_text(void **state)
{
    const char req[] = "\r\n\nPOST /v1/products HTTP/1.0\n"
                       "Content-Type: application/json\n"
                       "X-Name:  caf\xc3\xa9 au lait\n"
                       "content-type: text/plain\r\n"
                       "\n"
                       "{\"a\":1}";
    char buf[sizeof req];
    struct souk_http__head head;
    assert_int_equal(parse_in(buf, req, sizeof req - 1, &head), sizeof req - 1 - 7);
    assert_string_equal(head.method, "POST");
    assert_string_equal(head.target, "/v1/products");
    assert_int_equal(head.minor, 0);
    assert_int_equal(head.nfields, 3);
    assert_string_equal(souk_http__head_field(&head, "x-name"), "caf\xc3\xa9 au lait");
    assert_string_equal(souk_http__head_field(&head, "CONTENT-TYPE"), "application/json");
}

static void incomplete_heads_need_more_at_every_length(void **state)
{
    const char req[] = "\r\nPUT /v1/stock/a/b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
    for (size_t n = 0; n < sizeof req - 1; n++)
        assert_int_equal(status_of(req, n), 0);
    assert_int_equal(status_of(req, sizeof req - 1), sizeof req - 1);
}

static void pipelined_heads_parse_one_at_a_time(void **state)
{
    const char first[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    const char req[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n";
    char buf[sizeof req];
    struct souk_http__head head;
    int n = parse_in(buf, req, sizeof req - 1, &head);
    assert_int_equal(n, sizeof first - 1);
    assert_string_equal(head.target, "/a");
    assert_int_equal(souk_http__head_parse(buf + n, sizeof req - 1 - n, &head), n);
    assert_string_equal(head.target, "/b");
    assert_string_equal(souk_http__head_field(&head, "host"), "y");
}

static void malformed_heads_are_refused(void **state)
{
    static const struct req cases[] = {
        REQ("GET  / HTTP/1.1\r\n\r\n", -400),
        REQ(" GET / HTTP/1.1\r\n\r\n", -400),
        REQ("G@T / HTTP/1.1\r\n\r\n", -400),
        REQ("GET\t/ HTTP/1.1\r\n\r\n", -400),
        REQ("GET a HTTP/1.1\r\n\r\n", -400),
        REQ("GET http://x/ HTTP/1.1\r\n\r\n", -400),
        REQ("OPTIONS * HTTP/1.1\r\n\r\n", -400),
        REQ("GET /a\x01 HTTP/1.1\r\n\r\n", -400),
        REQ("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", -400),
        REQ("GET /\r\n\r\n", -400),
        REQ("GET / \r\n\r\n", -400),
        REQ("GET / HTTP/1.1 \r\n\r\n", -400),
        REQ("GET / http/1.1\r\n\r\n", -400),
        REQ("GET / HTTP/1.10\r\n\r\n", -400),
        REQ("GET / HTTP/1\r\n\r\n", -400),
        REQ("GET / HTTPx1.1\r\n\r\n", -400),
        REQ("GET / HTTP/1,1\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nHost example\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\n: x\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX(y): x\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\n Host: x\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\r\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\nX: \x1b[0m\r\n\r\n", -400),
        REQ("GET / HTTP/1.1\r\n\r\r\n\r\n", -400),
        REQ("\r\r\nGET / HTTP/1.1\r\n\r\n", -400),
        REQ("GET / HTTP/2.0\r\n\r\n", -505),
        REQ("GET / HTTP/1.2\r\n\r\n", -505),
        REQ("GET / HTTP/0.9\r\n\r\n", -505),
        REQ("GET / HTTP/3.1\r\nHost: x\r\n\r\n", -505),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu\n", i);
        assert_int_equal(status_of(cases[i].bytes, cases[i].len), cases[i].status);
    }
}

/* The prefix padded with 'a' to a line of n bytes, then "\r\n" when ended. */
static size_t padded(char *buf, const char *prefix, size_t n, bool ended)
{
    size_t len = strlen(prefix);
    memcpy(buf, prefix, len);
    memset(buf + len, 'a', n - len);
    if (ended)
        memcpy(buf + n, "\r\n", 2);
    return n + (ended ? 2 : 0);
}

static void oversized_heads_are_refused(void **state)
{
    char buf[BIG];
    /* A request line with no end in sight. */
    size_t n = padded(buf, "GET /", SOUK_HTTP__MAX_HEAD, false);
    assert_int_equal(status_of(buf, n), -414);
    assert_int_equal(status_of(buf, n - 1), 0);
    /* Empty lines before it count too. */
    memset(buf, '\n', SOUK_HTTP__MAX_HEAD);
    assert_int_equal(status_of(buf, SOUK_HTTP__MAX_HEAD), -414);

    /* A head of exactly the limit passes, one byte more does not. */
    const char line[] = "GET / HTTP/1.1\r\n";
    memcpy(buf, line, sizeof line - 1);
    n = sizeof line - 1;
    n += padded(buf + n, "X: ", SOUK_HTTP__MAX_HEAD - n - 4, true);
    memcpy(buf + n, "\r\n", 2);
    assert_int_equal(n + 2, SOUK_HTTP__MAX_HEAD);
    assert_int_equal(status_of(buf, n + 2), SOUK_HTTP__MAX_HEAD);
    n = sizeof line - 1;
    n += padded(buf + n, "X: ", SOUK_HTTP__MAX_HEAD - n - 3, true);
    memcpy(buf + n, "\r\n", 2);
    assert_int_equal(status_of(buf, n + 2), -431);
    assert_int_equal(status_of(buf, SOUK_HTTP__MAX_HEAD - 1), 0);
}

static void too_many_fields_are_refused(void **state)
{
    char req[2048];
    size_t n = 0;
    memcpy(req, "GET / HTTP/1.1\r\n", 16);
    n = 16;
    for (int i = 0; i < SOUK_HTTP__MAX_FIELDS; i++) {
        memcpy(req + n, "X: 1\r\n", 6);
        n += 6;
    }
    memcpy(req + n, "\r\n", 2);
    assert_int_equal(status_of(req, n + 2), (int)n + 2);
    memcpy(req + n, "Y: 2\r\n\r\n", 8);
    assert_int_equal(status_of(req, n + 8), -431);
}

static void reads_framing(void **state)
{
    struct souk_http__framing f;
    assert_int_equal(framing_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &f), 0);
    assert_false(f.chunked);
    assert_int_equal(f.content_length, 0);
    assert_true(f.keep_alive);
    assert_false(f.expect_continue);

    assert_int_equal(framing_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42\r\n"
                                "Expect: 100-Continue\r\nConnection: Keep-Alive, CLOSE\r\n\r\n",
                                &f),
                     0);
    assert_int_equal(f.content_length, 42);
    assert_true(f.expect_continue);
    assert_false(f.keep_alive);

    assert_int_equal(framing_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n"
                                "content-length: 5\r\n\r\n",
                                &f),
                     0);
    assert_int_equal(f.content_length, 5);
    assert_int_equal(
        framing_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4611686018427387904\r\n\r\n", &f),
        0);
    assert_int_equal(f.content_length, (uint64_t)1 << 62);

    assert_int_equal(
        framing_of("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", &f), 0);
    assert_true(f.chunked);
    assert_int_equal(f.content_length, 0);

    assert_int_equal(framing_of("GET / HTTP/1.0\r\n\r\n", &f), 0);
    assert_false(f.keep_alive);
    assert_int_equal(framing_of("GET / HTTP/1.0\r\nConnection: upgrade, keep-alive\r\n"
                                "Expect: 100-continue\r\n\r\n",
                                &f),
                     0);
    assert_true(f.keep_alive);
    assert_false(f.expect_continue); /* a 1.0 client is not waiting for it */
    assert_int_equal(framing_of("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", &f), 0);
    assert_true(f.keep_alive);
}

static void refuses_ambiguous_framing(void **state)
{
    static const struct req cases[] = {
        REQ("Content-Length: -1\r\n", -400),
        REQ("Content-Length: +5\r\n", -400),
        REQ("Content-Length: 5 5\r\n", -400),
        REQ("Content-Length: 0x5\r\n", -400),
        REQ("Content-Length: 5.0\r\n", -400),
        REQ("Content-Length:\r\n", -400),
        REQ("Content-Length: 5,\r\n", -400),
        REQ("Content-Length: 5, 6\r\n", -400),
        REQ("Content-Length: 5\r\nContent-Length: 6\r\n", -400),
        REQ("Content-Length: 4611686018427387905\r\n", -400),
        REQ("Content-Length: 99999999999999999999999999\r\n", -400),
        REQ("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", -400),
        REQ("Content-Length: 5\r\nTransfer-Encoding: gzip\r\n", -400),
        REQ("Transfer-Encoding: gzip, chunked\r\n", -501),
        REQ("Transfer-Encoding: chunked, chunked\r\n", -501),
        REQ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", -501),
        REQ("Transfer-Encoding: identity\r\n", -501),
        REQ("Transfer-Encoding: chunked;q=1\r\n", -501),
        REQ("Transfer-Encoding: \"chunked\"\r\n", -501),
        REQ("Transfer-Encoding:\r\n", -501),
        REQ("Expect: 200-ok\r\n", -417),
        REQ("Expect: 100-continue, x\r\n", -417),
        REQ("Host: y\r\n", -400),
        REQ("host: x\r\n", -400),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char req[256] = "POST / HTTP/1.1\r\nHost: x\r\n";
        size_t n = strlen(req);
        memcpy(req + n, cases[i].bytes, cases[i].len);
        memcpy(req + n + cases[i].len, "\r\n", 3);
        struct souk_http__framing f;
        print_message("case %zu\n", i);
        assert_int_equal(framing_of(req, &f), cases[i].status);
    }
    struct souk_http__framing f;
    assert_int_equal(framing_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &f), -400);
    /* HTTP/1.1 needs its Host; HTTP/1.0 may leave it out. */
    assert_int_equal(framing_of("GET / HTTP/1.1\r\n\r\n", &f), -400);
    assert_int_equal(framing_of("GET / HTTP/1.0\r\n\r\n", &f), 0);
    assert_int_equal(framing_of("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", &f), -400);
}

static const char chunked[] = "4;name=value;x\r\nWiki\r\n"
                              "5\r\npedia\r\n"
                              "00E\r\n in\r\n\r\nchunks.\r\n"
                              "0;last\r\n"
                              "Expires: never\r\n"
                              "X-Trailer: y\r\n"
                              "\r\n";
static const char decoded[] = "Wikipedia in\r\n\r\nchunks.";
static const char next_request[] = "GET / HTTP/1.1\r\n\r\n";

static void decodes_chunked_body_whole(void **state)
{
    char in[sizeof chunked + sizeof next_request];
    memcpy(in, chunked, sizeof chunked - 1);
    memcpy(in + sizeof chunked - 1, next_request, sizeof next_request);
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    struct souk_buf body = SOUK_BUF_INIT(1024);
    assert_int_equal(souk_http__chunked_decode(&c, in, sizeof in - 1, &body), sizeof chunked - 1);
    assert_true(c.done);
    assert_string_equal(body.data, decoded);
    assert_int_equal(body.len, sizeof decoded - 1);
    assert_int_equal(souk_http__chunked_decode(&c, next_request, 4, &body), 0);
    souk_buf_release(&body);
}

static void decodes_chunked_body_byte_by_byte(void **state)
{
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    struct souk_buf body = SOUK_BUF_INIT(1024);
    for (size_t i = 0; i < sizeof chunked - 1; i++) {
        assert_false(c.done);
        assert_int_equal(souk_http__chunked_decode(&c, chunked + i, 1, &body), 1);
    }
    assert_true(c.done);
    assert_string_equal(body.data, decoded);
    assert_int_equal(souk_http__chunked_decode(&c, "G", 1, &body), 0);
    souk_buf_release(&body);
}

static void chunked_lines_end_with_crlf_only(void **state)
{
    const char *cases[] = {"4\nWiki\r\n0\r\n\r\n",   "4\r\nWiki\n0\r\n\r\n",
                           "4;x\nWiki\r\n0\r\n\r\n", "4\r\nWiki\r\n0\r\nT: 1\n\r\n",
                           "4\r\nWiki\r\n0\r\n\n",   "4\r\nWiki\r\r\n0\r\n\r\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
        struct souk_buf body = SOUK_BUF_INIT(1024);
        print_message("case %zu\n", i);
        assert_int_equal(souk_http__chunked_decode(&c, cases[i], strlen(cases[i]), &body), -400);
        souk_buf_release(&body);
    }
}

static void chunked_body_over_the_cap_is_413(void **state)
{
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    struct souk_buf body = SOUK_BUF_INIT(8);
    const char in[] = "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n";
    assert_int_equal(souk_http__chunked_decode(&c, in, sizeof in - 1, &body), -413);
    assert_string_equal(body.data, "abcde");
    souk_buf_release(&body);

    /* Split inside the chunk that crosses the cap, the fitting part goes in first. */
    struct souk_http__chunked c2 = SOUK_HTTP__CHUNKED_INIT;
    struct souk_buf body2 = SOUK_BUF_INIT(8);
    assert_int_equal(souk_http__chunked_decode(&c2, in, 15, &body2), 15);
    assert_int_equal(souk_http__chunked_decode(&c2, in + 15, sizeof in - 16, &body2), -413);
    assert_string_equal(body2.data, "abcdefg");
    souk_buf_release(&body2);
}

/* Trailer lines: n of them, each "X: " and a value of width bytes. */
static size_t with_trailers(char *buf, int n, size_t width)
{
    size_t len = 0;
    memcpy(buf, "0\r\n", 3);
    len = 3;
    for (int i = 0; i < n; i++)
        len += padded(buf + len, "X: ", width, true);
    memcpy(buf + len, "\r\n", 2);
    return len + 2;
}

static int64_t decode_all(const char *in, size_t len, struct souk_http__chunked *c)
{
    struct souk_buf body = SOUK_BUF_INIT(64);
    int64_t rc = souk_http__chunked_decode(c, in, len, &body);
    souk_buf_release(&body);
    return rc;
}

static void malformed_chunked_bodies_are_refused(void **state)
{
    static const struct req cases[] = {
        REQ("\r\n", -400),
        REQ(";x\r\n", -400),
        REQ("g\r\n", -400),
        REQ("-1\r\n", -400),
        REQ("0x4\r\n", -400),
        REQ("4 \r\nWiki\r\n", -400),
        REQ("4\r\rWiki\r\n", -400),
        REQ("1000000000000000\r\n", -400),
        REQ("0000000000000001\r\n", -400),
        REQ("4;a\x01\r\nWiki\r\n", -400),
        REQ("4\r\nWikiX", -400),
        REQ("4\r\nWiki\rX", -400),
        REQ("4\r\nWiki\r\r\n", -400),
        REQ("0\r\nX: a\x7f\r\n\r\n", -400),
        REQ("0\r\nX: a\rb\r\n\r\n", -400),
        REQ("0\r\n\r\r\n", -400),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
        print_message("case %zu\n", i);
        assert_int_equal(decode_all(cases[i].bytes, cases[i].len, &c), cases[i].status);
    }

    /* The largest size takes 15 digits and waits for its data. */
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    assert_int_equal(decode_all("fffffffffffffff\r\n", 17, &c), 17);
    assert_false(c.done);
}

static void chunked_lines_are_bounded(void **state)
{
    static char in[(MAX_TRAILERS + 1) * 4100];
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;

    /* A size line of 4096 bytes passes, 4097 does not. */
    size_t n = padded(in, "1;", 4096, true);
    memcpy(in + n, "x\r\n0\r\n\r\n", 8);
    assert_int_equal(decode_all(in, n + 8, &c), n + 8);
    assert_true(c.done);
    n = padded(in, "1;", 4097, true);
    c = (struct souk_http__chunked)SOUK_HTTP__CHUNKED_INIT;
    assert_int_equal(decode_all(in, n, &c), -400);

    /* So do 64 trailer lines of 4096 bytes, but not 65 lines or one of 4097 bytes. */
    n = with_trailers(in, MAX_TRAILERS, 4096);
    c = (struct souk_http__chunked)SOUK_HTTP__CHUNKED_INIT;
    assert_int_equal(decode_all(in, n, &c), n);
    assert_true(c.done);
    n = with_trailers(in, MAX_TRAILERS + 1, 8);
    c = (struct souk_http__chunked)SOUK_HTTP__CHUNKED_INIT;
    assert_int_equal(decode_all(in, n, &c), -400);
    n = with_trailers(in, 1, 4097);
    c = (struct souk_http__chunked)SOUK_HTTP__CHUNKED_INIT;
    assert_int_equal(decode_all(in, n, &c), -400);
}

static void url_decodes(void **state)
{
    static const struct {
        const char *in;
        bool plus_is_space;
        const char *out; /* NULL when refused */
    } cases[] = {
        {"", false, ""},
        {"/a%2Fb%2fc", false, "/a/b/c"},
        {"%7e%7E%41", false, "~~A"},
        {"%e2%82%ac", false, "\xe2\x82\xac"},
        {"a+b%2B", true, "a b+"},
        {"a+b", false, "a+b"},
        {"%25%30%30", false, "%00"},
        {"%G1", false, NULL},
        {"%1G", false, NULL},
        {"%", false, NULL},
        {"a%4", false, NULL},
        {"100%", true, NULL},
        {"a%00b", false, NULL},
        {"%+1", true, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[32];
        memcpy(s, cases[i].in, strlen(cases[i].in) + 1);
        print_message("case %zu\n", i);
        bool ok = souk_http__url_decode(s, cases[i].plus_is_space);
        assert_int_equal(ok, cases[i].out != NULL);
        if (ok)
            assert_string_equal(s, cases[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_get_head),
        cmocka_unit_test(parses_post_head_with_bare_lf_and_obs_text),
        cmocka_unit_test(incomplete_heads_need_more_at_every_length),
        cmocka_unit_test(pipelined_heads_parse_one_at_a_time),
        cmocka_unit_test(malformed_heads_are_refused),
        cmocka_unit_test(oversized_heads_are_refused),
        cmocka_unit_test(too_many_fields_are_refused),
        cmocka_unit_test(reads_framing),
        cmocka_unit_test(refuses_ambiguous_framing),
        cmocka_unit_test(decodes_chunked_body_whole),
        cmocka_unit_test(decodes_chunked_body_byte_by_byte),
        cmocka_unit_test(chunked_lines_end_with_crlf_only),
        cmocka_unit_test(chunked_body_over_the_cap_is_413),
        cmocka_unit_test(malformed_chunked_bodies_are_refused),
        cmocka_unit_test(chunked_lines_are_bounded),
        cmocka_unit_test(url_decodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

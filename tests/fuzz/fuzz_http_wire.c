/*
 * libFuzzer harness for http/wire: any bytes must frame or fail cleanly, within the limits; a
 * chunked body must decode the same whether it arrives whole or split.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/wire.h"

#define BODY_CAP 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static void check_head(const struct souk_http__head *head)
{
    if (head->method[0] == '\0' || head->target[0] != '/' || head->minor < 0 || head->minor > 1 ||
        head->nfields > SOUK_HTTP__MAX_FIELDS)
        __builtin_trap();
    for (size_t i = 0; i < head->nfields; i++) {
        const char *name = head->fields[i].name, *value = head->fields[i].value;
        size_t n = strlen(value);
        if (name[0] == '\0' || (n > 0 && (blank(value[0]) || blank(value[n - 1]))))
            __builtin_trap();
        if (souk_http__head_field(head, name) == NULL)
            __builtin_trap();
    }
    (void)souk_http__head_field(head, "host");
    (void)souk_http__head_field(head, "X-Missing");

    struct souk_http__framing f;
    int rc = souk_http__head_framing(head, &f);
    if (rc != 0 && rc != -400 && rc != -417 && rc != -501)
        __builtin_trap();
    if (rc == 0 && f.chunked && (f.content_length != 0 || head->minor == 0))
        __builtin_trap();
    if (rc == 0 && f.content_length > (uint64_t)1 << 62)
        __builtin_trap();
}

/* Decodes in[0..len) split at cut; the status or bytes consumed, and the body in body. */
static int64_t decode_split(const char *in, size_t len, size_t cut, struct souk_buf *body)
{
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    int64_t a = souk_http__chunked_decode(&c, in, cut, body);
    if (a < 0)
        return a;
    if (a > (int64_t)cut || (a < (int64_t)cut && !c.done))
        __builtin_trap();
    int64_t b = souk_http__chunked_decode(&c, in + cut, len - cut, body);
    if (b < 0)
        return b;
    if (b > (int64_t)(len - cut) || (c.done && a < (int64_t)cut && b != 0))
        __builtin_trap();
    return a + b;
}

static void check_chunked(const char *in, size_t len, size_t cut)
{
    struct souk_buf whole = SOUK_BUF_INIT(BODY_CAP), split = SOUK_BUF_INIT(BODY_CAP);
    struct souk_http__chunked c = SOUK_HTTP__CHUNKED_INIT;
    int64_t r1 = souk_http__chunked_decode(&c, in, len, &whole);
    int64_t r2 = decode_split(in, len, cut, &split);
    if (r1 > (int64_t)len || r1 != r2 || whole.len > BODY_CAP || whole.len > len)
        __builtin_trap();
    if (r1 >= 0 && (whole.len != split.len || memcmp(whole.data, split.data, whole.len) != 0))
        __builtin_trap();
    if (r1 >= 0 && r1 < (int64_t)len && !c.done)
        __builtin_trap();
    souk_buf_release(&whole);
    souk_buf_release(&split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[64 * 1024 + 1];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);

    struct souk_http__head head;
    int n = souk_http__head_parse(buf, size, &head);
    if (n > (int)size || n > SOUK_HTTP__MAX_HEAD)
        __builtin_trap();
    if (n > 0) {
        check_head(&head);
        /* One byte short, the same head is not complete yet. */
        memcpy(buf, data, size);
        if (souk_http__head_parse(buf, (size_t)n - 1, &head) != 0)
            __builtin_trap();
    } else if (n != 0 && n != -400 && n != -414 && n != -431 && n != -505) {
        __builtin_trap();
    }

    size_t off = n > 0 ? (size_t)n : 0, rest = size - off;
    check_chunked((const char *)data + off, rest, rest > 0 ? data[size - 1] % (rest + 1) : 0);

    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t before = strlen(buf);
    if (souk_http__url_decode(buf, size > 0 && (data[0] & 1)) && strlen(buf) > before)
        __builtin_trap();
    return 0;
}

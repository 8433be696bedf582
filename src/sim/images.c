/*
 * images: the pictures the sim serves and the ones it is sent.
 *
 * GET /_sim/images/{width}x{height}.png answers a real PNG of that size (one grey, 8-bit
 * greyscale, zlib-compressed), so tests can give products image URLs that a connector can
 * download, as it downloads a merchant's images from their CDN, and upload to a platform that
 * takes only the bytes (TikTok Shop, WeChat). core/image.h reads the format and pixel size of
 * uploaded bytes from their header, as the platforms report them back.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/alloc.h"
#include "sim/sim_int.h"

#define MAX_SIDE 4000 /* pixels: the largest main image TikTok Shop takes */

static void put_u32(unsigned char *at, uint32_t v)
{
    at[0] = (unsigned char)(v >> 24);
    at[1] = (unsigned char)(v >> 16);
    at[2] = (unsigned char)(v >> 8);
    at[3] = (unsigned char)v;
}

/* Writes one chunk (length, type, data, CRC over type and data) at out; returns its size. */
static size_t chunk(unsigned char *out, const char type[4], const unsigned char *data, size_t len)
{
    put_u32(out, (uint32_t)len);
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    uLong crc = crc32(0L, out + 4, (uInt)(len + 4));
    put_u32(out + 8 + len, (uint32_t)crc);
    return len + 12;
}

/* A width x height grey PNG in pool memory; false when zlib fails. */
static bool render_png(struct souk_pool *pool, uint32_t width, uint32_t height,
                       const unsigned char **out, size_t *len)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t row = (size_t)width + 1, raw_len = row * height; /* a filter byte starts each row */
    unsigned char *raw = souk_malloc(raw_len);
    for (size_t y = 0; y < height; y++) {
        raw[y * row] = 0; /* filter: none */
        memset(raw + y * row + 1, 0xc0, width);
    }
    uLongf packed_len = compressBound((uLong)raw_len);
    unsigned char *packed = souk_malloc(packed_len);
    bool ok = compress2(packed, &packed_len, raw, (uLong)raw_len, Z_BEST_SPEED) == Z_OK;
    souk_free(raw);
    if (ok) {
        unsigned char header[13] = {0};
        put_u32(header, width);
        put_u32(header + 4, height);
        header[8] = 8; /* bit depth; colour type 0 (greyscale), no interlace */
        unsigned char *png = souk_pool_alloc(pool, 8 + 25 + packed_len + 12 + 12);
        size_t at = 8;
        memcpy(png, signature, 8);
        at += chunk(png + at, "IHDR", header, sizeof header);
        at += chunk(png + at, "IDAT", packed, packed_len);
        at += chunk(png + at, "IEND", NULL, 0);
        *out = png;
        *len = at;
    }
    souk_free(packed);
    return ok;
}

bool souk_sim__image_serve(struct souk_sim__req *req, const char *name, const unsigned char **out,
                           size_t *len)
{
    /* "800x600.png" and nothing else. */
    struct souk_str text = souk_str_from(name);
    const char *x = strchr(name, 'x');
    int64_t width = 0, height = 0;
    bool ok = x && text.len > 4 && strcmp(name + text.len - 4, ".png") == 0 &&
              souk_str_to_i64((struct souk_str){name, (size_t)(x - name)}, 1, MAX_SIDE, &width) ==
                  SOUK_OK &&
              souk_str_to_i64((struct souk_str){x + 1, (size_t)(name + text.len - 4 - (x + 1))}, 1,
                              MAX_SIDE, &height) == SOUK_OK;
    if (!ok) {
        souk_sim__control_error(req, 404, NULL,
                                "images are /_sim/images/{width}x{height}.png, 1 to %d pixels a "
                                "side; not \"%.64s\"",
                                MAX_SIDE, name);
        return false;
    }
    if (!render_png(req->pool, (uint32_t)width, (uint32_t)height, out, len)) {
        souk_sim__control_error(req, 500, NULL, "the image could not be made");
        return false;
    }
    return true;
}

/* ---- what the sim is sent: multipart/form-data ---- */

bool souk_sim__form_boundary(const char *type, char *out, size_t outsz)
{
    const char *at = type ? strcasestr(type, "boundary=") : NULL;
    if (!type || strncasecmp(type, "multipart/form-data", 19) != 0 || !at)
        return false;
    at += 9;
    bool quoted = *at == '"';
    at += quoted;
    size_t len = strcspn(at, quoted ? "\"" : "; \t");
    if (len == 0 || len + 1 > outsz)
        return false;
    memcpy(out, at, len);
    out[len] = '\0';
    return true;
}

bool souk_sim__form_part(struct souk_str body, const char *boundary, const char *name,
                      struct souk_str *out)
{
    char delim[96], wanted[96];
    size_t dlen = (size_t)snprintf(delim, sizeof delim, "--%s", boundary);
    int wlen = snprintf(wanted, sizeof wanted, "name=\"%s\"", name);
    const char *end = body.ptr + body.len;
    const char *at = memmem(body.ptr, body.len, delim, dlen);
    while (at) {
        const char *start = at + dlen;
        if (end - start >= 2 && start[0] == '-' && start[1] == '-')
            return false; /* the closing delimiter */
        const char *next = memmem(start, (size_t)(end - start), delim, dlen);
        const char *headers_end = memmem(start, (size_t)(end - start), "\r\n\r\n", 4);
        if (!next || !headers_end || headers_end > next || next - body.ptr < 2)
            return false;
        const char *match = memmem(start, (size_t)(headers_end - start), wanted, (size_t)wlen);
        if (match && (match[-1] == ' ' || match[-1] == ';')) {
            *out = (struct souk_str){headers_end + 4, (size_t)(next - 2 - (headers_end + 4))};
            return next - 2 >= headers_end + 4;
        }
        at = next;
    }
    return false;
}

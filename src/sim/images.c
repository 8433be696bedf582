/*
 * images: the pictures the sim serves and the ones it is sent.
 *
 * GET /_sim/images/{width}x{height}.png answers a real PNG of that size (one grey, 8-bit
 * greyscale, zlib-compressed), so tests can give products image URLs that a connector can
 * download, as it downloads a merchant's images from their CDN, and upload to a platform that
 * takes only the bytes (TikTok Shop). souk_sim__image_size reads the format and pixel size of
 * uploaded bytes from their header, as the platform reports them back.
 */
#include <string.h>
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

static uint32_t get_u32(const unsigned char *at)
{
    return (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
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

bool souk_sim__image_size(struct souk_str data, const char **format, uint32_t *width,
                          uint32_t *height)
{
    const unsigned char *b = (const unsigned char *)data.ptr;
    size_t n = data.len;
    if (n >= 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
        *format = "PNG";
        *width = get_u32(b + 16);
        *height = get_u32(b + 20);
        return true;
    }
    if (n < 4 || b[0] != 0xff || b[1] != 0xd8)
        return false;
    /* JPEG: walk the marker segments to the frame header (SOF0..SOF15 but DHT, JPG, DAC). */
    for (size_t at = 2; at + 9 <= n;) {
        if (b[at] != 0xff)
            return false;
        unsigned marker = b[at + 1];
        size_t seg = (size_t)b[at + 2] << 8 | b[at + 3];
        if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
            marker != 0xcc) {
            *format = "JPEG";
            *height = (uint32_t)b[at + 5] << 8 | b[at + 6];
            *width = (uint32_t)b[at + 7] << 8 | b[at + 8];
            return true;
        }
        if (seg < 2)
            return false;
        at += 2 + seg;
    }
    return false;
}

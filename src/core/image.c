/*
 * image: the format and pixel size of PNG and JPEG files, from their headers (see image.h).
 */
#include <string.h>

#include "core/image.h"

static uint32_t get_u32(const unsigned char *at)
{
    return (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
}

static bool is_png(struct souk_str data)
{
    return data.len >= 8 && memcmp(data.ptr, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static bool is_jpeg(struct souk_str data)
{
    const unsigned char *b = (const unsigned char *)data.ptr;
    return data.len >= 3 && b[0] == 0xff && b[1] == 0xd8;
}

bool souk_image_size(struct souk_str data, const char **format, uint32_t *width,
                     uint32_t *height)
{
    const unsigned char *b = (const unsigned char *)data.ptr;
    size_t n = data.len;
    if (is_png(data) && n >= 24 && memcmp(b + 12, "IHDR", 4) == 0) {
        *format = "PNG";
        *width = get_u32(b + 16);
        *height = get_u32(b + 20);
        return true;
    }
    if (n < 4 || !is_jpeg(data))
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

const char *souk_image_media_type(struct souk_str data)
{
    return is_png(data) ? "image/png" : is_jpeg(data) ? "image/jpeg" : "application/octet-stream";
}

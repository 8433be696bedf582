/*
 * image: what an image file says about itself in its first bytes.
 *
 * Platforms that take image files (TikTok Shop, WeChat) want the format and the pixel size:
 * WeChat asks for the width and height beside the upload, and the sim checks what it is sent
 * as the platforms do. Reads PNG (the IHDR chunk) and JPEG (the first frame header); decodes
 * nothing. Depends on core/str only.
 */
#ifndef SOUK_CORE_IMAGE_H
#define SOUK_CORE_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/str.h"

/* The format ("PNG" or "JPEG", static strings) and pixel size of the image in data, from its
 * header; false for bytes that are neither, or a header cut short. */
bool souk_image_size(struct souk_str data, const char **format, uint32_t *width,
                     uint32_t *height);

/* The media type of image bytes for a form's Content-Type: image/png, image/jpeg, or
 * application/octet-stream for anything else. */
const char *souk_image_media_type(struct souk_str data);

#endif

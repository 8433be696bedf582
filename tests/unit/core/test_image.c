/* Unit tests for core/image: format and pixel size from PNG and JPEG headers, and the media type
 * a form names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/image.h"

static void png_and_jpeg_headers_give_format_and_size(void **state)
{
    (void)state;
    /* A PNG signature and the IHDR chunk of a 1200 x 900 image. */
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x04\xb0\0\0\x03\x84\x08\0";
    /* SOI, an APP0 segment of 4 bytes, then SOF0 of a 640 x 480 image. */
    static const char jpeg[] = "\xff\xd8\xff\xe0\0\x04\0\0\xff\xc0\0\x11\x08\x01\xe0\x02\x80";
    const char *format = NULL;
    uint32_t width = 0, height = 0;
    assert_true(souk_image_size((struct souk_str){png, sizeof png - 1}, &format, &width, &height));
    assert_string_equal(format, "PNG");
    assert_int_equal(width, 1200);
    assert_int_equal(height, 900);
    assert_true(
        souk_image_size((struct souk_str){jpeg, sizeof jpeg - 1}, &format, &width, &height));
    assert_string_equal(format, "JPEG");
    assert_int_equal(width, 640);
    assert_int_equal(height, 480);
    assert_string_equal(souk_image_media_type((struct souk_str){png, sizeof png - 1}),
                        "image/png");
    assert_string_equal(souk_image_media_type((struct souk_str){jpeg, sizeof jpeg - 1}),
                        "image/jpeg");
}

static void other_or_cut_bytes_are_no_image(void **state)
{
    (void)state;
    const char *format;
    uint32_t width, height;
    assert_false(souk_image_size(SOUK_STR("GIF89a and more bytes than a header"), &format, &width,
                                 &height));
    /* A PNG cut inside its IHDR; a JPEG whose segments run off the end. */
    assert_false(souk_image_size((struct souk_str){"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16}, &format,
                                 &width, &height));
    assert_false(souk_image_size((struct souk_str){"\xff\xd8\xff\xe0\x00\x40\0\0\0\0", 10},
                                 &format, &width, &height));
    assert_string_equal(souk_image_media_type(SOUK_STR("GIF89a")), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_and_jpeg_headers_give_format_and_size),
        cmocka_unit_test(other_or_cut_bytes_are_no_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

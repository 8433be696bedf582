/*
 * Unit tests for core/jsonout: nesting and separators, escaping as RFC 8259 requires, malformed
 * UTF-8 repaired, the buffer's cap and misuse reported; and every output parses as JSON
 * (jansson) to the values written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/jsonout.h"

#define S(literal) SOUK_STR(literal)

static void check_quoted(struct souk_str in, const char *want)
{
    struct souk_buf buf = SOUK_BUF_INIT(1024);
    assert_int_equal(souk_jsonout_quoted(&buf, in), SOUK_OK);
    assert_string_equal(buf.data, want);
    json_error_t jerr;
    json_t *parsed = json_loads(buf.data, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!parsed)
        fail_msg("%s does not parse: %s", buf.data, jerr.text);
    json_decref(parsed);
    souk_buf_release(&buf);
}

static void strings_are_escaped_as_json_requires(void **state)
{
    (void)state;
    check_quoted(S("plain"), "\"plain\"");
    check_quoted(S(""), "\"\"");
    check_quoted(S("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
    check_quoted(S("a\nb\rc\td\be\ff"), "\"a\\nb\\rc\\td\\be\\ff\"");
    check_quoted(S("\x01\x1f"), "\"\\u0001\\u001f\"");
    check_quoted(S("a/b"), "\"a/b\""); /* as jansson writes it */
    check_quoted(S("Müller 東京 \xF0\x9F\x9B\x8D"), "\"Müller 東京 \xF0\x9F\x9B\x8D\"");
    /* A stray continuation byte, a truncated sequence, an overlong one: each U+FFFD. */
    check_quoted(S("a\x80" "b"), "\"a\xEF\xBF\xBD" "b\"");
    check_quoted(S("c\xE6\x9D"), "\"c\xEF\xBF\xBD\xEF\xBF\xBD\"");
    check_quoted(S("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
    check_quoted((struct souk_str){"n\0ul", 4}, "\"n\\u0000ul\"");
}

static void nested_values_get_their_separators(void **state)
{
    (void)state;
    struct souk_buf buf = SOUK_BUF_INIT(4096);
    struct souk_jsonout w = souk_jsonout_begin(&buf);
    souk_jsonout_object(&w, NULL);
    souk_jsonout_string(&w, "id", "ord_1");
    souk_jsonout_string(&w, "none", NULL);
    souk_jsonout_int(&w, "min", INT64_MIN);
    souk_jsonout_int(&w, "max", INT64_MAX);
    souk_jsonout_bool(&w, "yes", true);
    souk_jsonout_null(&w, "nothing");
    souk_jsonout_array(&w, "empty");
    souk_jsonout_close(&w);
    souk_jsonout_array(&w, "lines");
    for (int i = 1; i <= 2; i++) {
        souk_jsonout_object(&w, NULL);
        souk_jsonout_int(&w, "n", i);
        souk_jsonout_array(&w, "tags");
        souk_jsonout_string(&w, NULL, "a");
        souk_jsonout_int(&w, NULL, i);
        souk_jsonout_close(&w);
        souk_jsonout_close(&w);
    }
    souk_jsonout_close(&w);
    souk_jsonout_object(&w, "quo\"te");
    souk_jsonout_close(&w);
    souk_jsonout_close(&w);
    assert_int_equal(souk_jsonout_end(&w), SOUK_OK);
    assert_string_equal(buf.data,
                        "{\"id\":\"ord_1\",\"none\":null,\"min\":-9223372036854775808,"
                        "\"max\":9223372036854775807,\"yes\":true,\"nothing\":null,\"empty\":[],"
                        "\"lines\":[{\"n\":1,\"tags\":[\"a\",1]},{\"n\":2,\"tags\":[\"a\",2]}],"
                        "\"quo\\\"te\":{}}");
    json_error_t jerr;
    json_t *parsed = json_loads(buf.data, 0, &jerr);
    assert_non_null(parsed);
    assert_int_equal(json_integer_value(json_object_get(parsed, "min")), INT64_MIN);
    assert_int_equal(json_array_size(json_object_get(parsed, "lines")), 2);
    json_decref(parsed);
    souk_buf_release(&buf);
}

static void the_cap_and_misuse_are_errors_that_stick(void **state)
{
    (void)state;
    struct souk_buf buf = SOUK_BUF_INIT(16);
    struct souk_jsonout w = souk_jsonout_begin(&buf);
    souk_jsonout_object(&w, NULL);
    souk_jsonout_string(&w, "name", "far more than sixteen bytes");
    souk_jsonout_int(&w, "n", 1); /* after the failure: nothing */
    souk_jsonout_close(&w);
    assert_int_equal(souk_jsonout_end(&w), SOUK_ETOOBIG);
    souk_buf_release(&buf);

    /* quoted is all or nothing */
    buf = (struct souk_buf)SOUK_BUF_INIT(8);
    assert_int_equal(souk_buf_addstr(&buf, "ab"), SOUK_OK);
    assert_int_equal(souk_jsonout_quoted(&buf, S("too long for it")), SOUK_ETOOBIG);
    assert_string_equal(buf.data, "ab");
    souk_buf_release(&buf);

    buf = (struct souk_buf)SOUK_BUF_INIT(1024);
    w = souk_jsonout_begin(&buf);
    souk_jsonout_array(&w, NULL);
    assert_int_equal(souk_jsonout_end(&w), SOUK_EINTERNAL); /* left open */
    souk_buf_reset(&buf);
    w = souk_jsonout_begin(&buf);
    souk_jsonout_close(&w);
    assert_int_equal(souk_jsonout_end(&w), SOUK_EINTERNAL); /* nothing to close */
    souk_buf_reset(&buf);
    w = souk_jsonout_begin(&buf);
    for (int i = 0; i < SOUK_JSONOUT_MAX_DEPTH + 1; i++)
        souk_jsonout_array(&w, NULL);
    assert_int_equal(souk_jsonout_end(&w), SOUK_EINTERNAL); /* too deep */
    souk_buf_release(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_are_escaped_as_json_requires),
        cmocka_unit_test(nested_values_get_their_separators),
        cmocka_unit_test(the_cap_and_misuse_are_errors_that_stick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

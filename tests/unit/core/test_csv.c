/* Unit tests for core/csv: RFC 4180 quoting, line numbers, limits and buffer boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"

/* Writes text to an unlinked temporary file and returns its descriptor, rewound. */
static int file_with(const char *text, size_t len)
{
    char path[] = "/tmp/souk-csvtest-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void assert_field(struct souk_csv *csv, size_t i, const char *want)
{
    struct souk_str f = souk_csv_field(csv, i);
    if (f.len != strlen(want) || memcmp(f.ptr, want, f.len) != 0)
        fail_msg("field %zu is \"%.*s\", want \"%s\"", i, (int)f.len, f.ptr, want);
}

static void quoted_fields_keep_commas_newlines_and_quotes(void **state)
{
    const char text[] = "Handle,Body (HTML),Title\r\n"
                        "tee,\"<p>Soft, \"\"heavy\"\"\r\ncotton.</p>\",Tee\r\n"
                        "mug,,\"Mug\"\n";
    int fd = file_with(text, sizeof text - 1);
    struct souk_csv *csv = souk_csv_open_fd(fd, 1024, 4096);
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_csv_next(csv, &err), 1);
    assert_int_equal(souk_csv_header_index(csv, "Title"), 2);
    assert_int_equal(souk_csv_header_index(csv, "Vendor"), -1);
    assert_int_equal(souk_csv_next(csv, &err), 1);
    assert_int_equal(souk_csv_record_line(csv), 2);
    assert_int_equal(souk_csv_field_count(csv), 3);
    assert_field(csv, 1, "<p>Soft, \"heavy\"\r\ncotton.</p>");
    assert_field(csv, 2, "Tee");
    assert_int_equal(souk_csv_next(csv, &err), 1);
    assert_int_equal(souk_csv_record_line(csv), 4); /* the record above spanned two lines */
    assert_field(csv, 1, "");
    assert_field(csv, 2, "Mug");
    assert_field(csv, 7, ""); /* out of range reads as empty */
    assert_int_equal(souk_csv_next(csv, &err), 0);
    assert_int_equal(souk_csv_record_line(csv), 4);
    souk_csv_close(csv);
    close(fd);
}

static void bom_and_blank_lines_are_not_data(void **state)
{
    const char text[] = "\xEF\xBB\xBF Handle ,Title\n\n\r\nx,X\n\n\"\",last";
    int fd = file_with(text, sizeof text - 1);
    struct souk_csv *csv = souk_csv_open_fd(fd, 1024, 4096);
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_csv_next(csv, &err), 1);
    assert_int_equal(souk_csv_header_index(csv, "Handle"), 0);
    assert_int_equal(souk_csv_next(csv, &err), 1);
    assert_int_equal(souk_csv_record_line(csv), 4);
    assert_field(csv, 0, "x");
    assert_int_equal(souk_csv_next(csv, &err), 1); /* a quoted empty field is a record */
    assert_int_equal(souk_csv_record_line(csv), 6);
    assert_field(csv, 1, "last"); /* no newline at the end */
    assert_int_equal(souk_csv_next(csv, &err), 0);
    souk_csv_close(csv);
    close(fd);
}

static void bad_quoting_names_the_line(void **state)
{
    struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"a,b\nc,\"d\"x\n", "line 2: unexpected character after a closing quote"},
        {"a,b\nc,d\n\"open,\nstill open\n", "line 3: unterminated quoted field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = file_with(cases[i].text, strlen(cases[i].text));
        struct souk_csv *csv = souk_csv_open_fd(fd, 1024, 4096);
        struct souk_err err = SOUK_ERR_INIT;
        int rc;
        while ((rc = souk_csv_next(csv, &err)) == 1)
            ;
        assert_int_equal(rc, SOUK_EINVAL);
        assert_string_equal(err.message, cases[i].message);
        souk_csv_close(csv);
        close(fd);
    }
}

static void oversize_fields_and_records_are_refused(void **state)
{
    char text[200];
    memset(text, 'x', sizeof text);
    text[sizeof text - 1] = '\n';
    int fd = file_with(text, sizeof text);
    struct souk_csv *csv = souk_csv_open_fd(fd, 100, 1000);
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_csv_next(csv, &err), SOUK_ETOOBIG);
    assert_non_null(strstr(err.message, "line 1: a field is longer than 100 bytes"));
    souk_csv_close(csv);
    close(fd);
    for (size_t i = 0; i < sizeof text - 1; i += 10)
        text[i] = ',';
    fd = file_with(text, sizeof text);
    csv = souk_csv_open_fd(fd, 100, 150);
    assert_int_equal(souk_csv_next(csv, &err), SOUK_ETOOBIG);
    assert_non_null(strstr(err.message, "record is longer than 150"));
    souk_csv_close(csv);
    close(fd);
}

/* Many rows, with quoted fields that straddle the reader's 64 KiB refills. */
static void large_files_stream_across_buffer_boundaries(void **state)
{
    size_t rows = 100000, cap = rows * 64, len = 0;
    char *text = malloc(cap);
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "row-%zu,\"a,b\"\"\nc%zu\",%zu\r\n", i, i,
                                i * 7);
    int fd = file_with(text, len);
    free(text);
    struct souk_csv *csv = souk_csv_open_fd(fd, 1024, 4096);
    struct souk_err err = SOUK_ERR_INIT;
    char want[64];
    for (size_t i = 0; i < rows; i++) {
        assert_int_equal(souk_csv_next(csv, &err), 1);
        assert_int_equal(souk_csv_record_line(csv), 2 * i + 1);
        snprintf(want, sizeof want, "a,b\"\nc%zu", i);
        assert_field(csv, 1, want);
        snprintf(want, sizeof want, "%zu", i * 7);
        assert_field(csv, 2, want);
    }
    assert_int_equal(souk_csv_next(csv, &err), 0);
    assert_int_equal(souk_csv_record_line(csv), 2 * rows);
    souk_csv_close(csv);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoted_fields_keep_commas_newlines_and_quotes),
        cmocka_unit_test(bom_and_blank_lines_are_not_data),
        cmocka_unit_test(bad_quoting_names_the_line),
        cmocka_unit_test(oversize_fields_and_records_are_refused),
        cmocka_unit_test(large_files_stream_across_buffer_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

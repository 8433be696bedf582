/* Unit tests for core/textout: CSV, TSV and XML escaping, HTML to text, truncation, gzip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "core/alloc.h"
#include "core/csv.h"
#include "core/textout.h"

#define S(literal) SOUK_STR(literal)

typedef int (*text_fn)(struct souk_buf *buf, struct souk_str s);

/* Runs fn on in and checks the whole output, which may hold NULs, against want. */
static void check_text(text_fn fn, struct souk_str in, struct souk_str want)
{
    struct souk_buf buf = SOUK_BUF_INIT(1 << 20);
    assert_int_equal(fn(&buf, in), SOUK_OK);
    if (buf.len != want.len || memcmp(buf.data, want.ptr, want.len) != 0)
        fail_msg("for \"%.*s\" want \"%.*s\", got \"%s\"", (int)in.len, in.ptr, (int)want.len,
                 want.ptr, buf.data);
    souk_buf_release(&buf);
}

static void check_csv(struct souk_str in, char delimiter, const char *want)
{
    struct souk_buf buf = SOUK_BUF_INIT(1024);
    assert_int_equal(souk_textout_csv_field(&buf, in, delimiter), SOUK_OK);
    assert_string_equal(buf.data, want);
    souk_buf_release(&buf);
}

static void csv_fields_are_quoted_only_when_needed(void **state)
{
    check_csv(S("plain"), ',', "plain");
    check_csv(S(""), ',', "");
    check_csv(S("mid space"), ',', "mid space");
    check_csv(S("a,b"), ',', "\"a,b\"");
    check_csv(S("a;b"), ',', "a;b");
    check_csv(S("a;b"), ';', "\"a;b\"");
    check_csv(S("a\tb"), '\t', "\"a\tb\"");
    check_csv(S("say \"hi\""), ',', "\"say \"\"hi\"\"\"");
    check_csv(S("\""), ',', "\"\"\"\"");
    check_csv(S("line\nbreak"), ',', "\"line\nbreak\"");
    check_csv(S("cr\r"), ',', "\"cr\r\"");
    check_csv(S(" lead"), ',', "\" lead\"");
    check_csv(S("trail "), ',', "\"trail \"");
    check_csv(S("\ttab"), ',', "\"\ttab\"");
    check_csv(S("=SUM(A1)"), ',', "=SUM(A1)");
    check_csv(S("Caf\xc3\xa9"), ',', "Caf\xc3\xa9");
}

/* A row written with the escaper reads back field for field through core/csv. */
static void csv_rows_read_back_through_the_csv_reader(void **state)
{
    const char *fields[] = {
        "id-1", "He said \"no\", twice", " padded ", "two\nlines", "", "\"\"", "a\r\nb", "last"};
    size_t n = sizeof fields / sizeof fields[0];
    struct souk_buf row = SOUK_BUF_INIT(4096);
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_int_equal(souk_buf_addch(&row, ','), SOUK_OK);
        assert_int_equal(souk_textout_csv_field(&row, souk_str_from(fields[i]), ','), SOUK_OK);
    }
    assert_int_equal(souk_buf_addstr(&row, "\r\n"), SOUK_OK);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(row.data, 1, row.len, f), row.len);
    assert_int_equal(fflush(f), 0);
    rewind(f);
    struct souk_csv *csv = souk_csv_open_fd(fileno(f), 1024, 4096);
    assert_int_equal(souk_csv_next(csv, NULL), 1);
    assert_int_equal(souk_csv_field_count(csv), n);
    for (size_t i = 0; i < n; i++)
        assert_true(souk_str_eq_cstr(souk_csv_field(csv, i), fields[i]));
    assert_int_equal(souk_csv_next(csv, NULL), 0);
    souk_csv_close(csv);
    fclose(f);
    souk_buf_release(&row);
}

static void tsv_fields_turn_tabs_and_breaks_into_spaces(void **state)
{
    check_text(souk_textout_tsv_field, S("a\tb\r\nc"), S("a b  c"));
    check_text(souk_textout_tsv_field, S("plain \"quoted\", text"), S("plain \"quoted\", text"));
    check_text(souk_textout_tsv_field, S("\t"), S(" "));
    check_text(souk_textout_tsv_field, S(""), S(""));
}

static void xml_text_escapes_markup_and_drops_what_xml_forbids(void **state)
{
    check_text(souk_textout_xml_text, S("a & b <c> \"d\" 'e'"),
               S("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"));
    check_text(souk_textout_xml_text,
               S("a\x01"
                 "b\x1f"
                 "c\td\ne\rf\x7f"),
               S("abc\td\ne\rf\x7f"));
    check_text(souk_textout_xml_text, S("a\0b"), S("ab"));
    check_text(souk_textout_xml_text, S("Caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x9b\x8d"),
               S("Caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x9b\x8d"));
    /* U+FFFE and U+FFFF go; U+FFFD and U+FFFC stay */
    check_text(souk_textout_xml_text, S("x\xef\xbf\xbey\xef\xbf\xbfz\xef\xbf\xbd\xef\xbf\xbc"),
               S("xyz\xef\xbf\xbd\xef\xbf\xbc"));
    check_text(souk_textout_xml_text, S(""), S(""));
}

static void xml_text_repairs_malformed_utf8(void **state)
{
    const char fffd[] = "\xef\xbf\xbd";
    struct {
        struct souk_str in;
        size_t replaced;  /* U+FFFDs expected, one per bad byte */
        const char *rest; /* what is left around them, in order */
    } c[] = {
        {S("Caf\xe9!"), 1, "Caf!"},     /* Latin-1 */
        {S("\xc0\xaf"), 2, ""},         /* overlong '/' */
        {S("\xed\xa0\x80"), 3, ""},     /* a surrogate */
        {S("\xf4\x90\x80\x80"), 4, ""}, /* above U+10FFFF */
        {S("ab\xe6\x97"), 2, "ab"},     /* cut short at the end */
        {S("\xe6\x97<"), 2, "&lt;"},    /* cut short before markup */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct souk_buf buf = SOUK_BUF_INIT(256);
        assert_int_equal(souk_textout_xml_text(&buf, c[i].in), SOUK_OK);
        assert_true(souk_str_is_utf8((struct souk_str){buf.data, buf.len}));
        size_t replaced = 0;
        struct souk_buf rest = SOUK_BUF_INIT(256);
        for (size_t j = 0; j < buf.len;) {
            if (buf.len - j >= 3 && memcmp(buf.data + j, fffd, 3) == 0) {
                replaced++;
                j += 3;
            } else {
                assert_int_equal(souk_buf_addch(&rest, buf.data[j++]), SOUK_OK);
            }
        }
        assert_int_equal(replaced, c[i].replaced);
        assert_string_equal(rest.data, c[i].rest);
        souk_buf_release(&rest);
        souk_buf_release(&buf);
    }
}

static void strip(const char *html, const char *want)
{
    check_text(souk_textout_strip_html, souk_str_from(html), souk_str_from(want));
}

static void strip_html_keeps_text_and_line_structure(void **state)
{
    strip("<p>Soft</p><ul><li>Cotton</li><li>Blue</li></ul>", "Soft\nCotton\nBlue");
    strip("Line one<br>Line two<br/>Line three<BR />end", "Line one\nLine two\nLine three\nend");
    strip("<p>One</p>\n\n<p>Two</p>", "One\nTwo");
    strip("<h1>Title</h1>text<hr>more", "Title\ntext\nmore");
    strip("<P>A</P><DIV>B</DIV>", "A\nB");
    strip("<table><tr><td>Size</td><td>M</td></tr><tr><th>Color</th><td>Blue</td></tr></table>",
          "Size M\nColor Blue");
    strip("Cot<b>ton</b> <span style=\"color:red\">shirt</span>", "Cotton shirt");
    strip("<p>  Hello   <b>big</b>\n\n world  </p>", "Hello big world");
    strip("\n\n  <p> x </p>\n", "x");
    strip("", "");
    strip("<p></p><br><div> </div>", "");
    strip("plain text", "plain text");
}

static void strip_html_decodes_entities(void **state)
{
    strip("Fish &amp; Chips &lt;3 &gt; &quot;q&quot; &#39;s&#39; &apos;",
          "Fish & Chips <3 > \"q\" 's' '");
    strip("A&nbsp;&nbsp;B&#160;C\xc2\xa0"
          "D &nbsp; E",
          "A B C D E");
    strip("&#233;&#xE9;&#XE9; &#x1F6CD;", "\xc3\xa9\xc3\xa9\xc3\xa9 \xf0\x9f\x9b\x8d");
    strip("a&#10;b&#x9;c", "a b c");
    strip("&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&euro;&trade;",
          "\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xe2\x80\x98\xe2\x80\x99\xe2\x80\x9c\xe2\x80\x9d"
          "\xe2\x82\xac\xe2\x84\xa2");
    strip("&#0;|&#xD800;|&#x110000;|&#99999999999999999999;",
          "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd");
    /* not references: kept as text */
    strip("&foo; & &amp &#; &#x; &#12 AT&T &AMP; &verylongname;",
          "&foo; & &amp &#; &#x; &#12 AT&T &AMP; &verylongname;");
    strip("&lt;b&gt;not a tag&lt;/b&gt;", "<b>not a tag</b>");
}

static void strip_html_drops_code_comments_and_broken_tags(void **state)
{
    strip("<style>.a{color:red}</style><p>Hi</p><script>if (a < b) x();</script>", "Hi");
    strip("<SCRIPT type=\"x\">var s = '</scripts>';</SCRIPT >after", "after");
    strip("before<script>never closed", "before");
    strip("a<!-- <p>hidden</p> -->b", "ab");
    strip("a<!-- never closed", "a");
    strip("<a href=\"x>y\" title='p>q'>link</a>", "link");
    strip("<img alt=Don't>x", "x");
    strip("a < b and 2<3, <> too", "a < b and 2<3, <> too");
    strip("text <b", "text");
    strip("<!DOCTYPE html><?xml version=\"1.0\"?>ok", "ok");
}

/* Inputs that would take quadratic time if a scan started over at each '<' or '&'. */
static void strip_html_is_linear_on_hostile_input(void **state)
{
    const char *units[] = {"<a", "<!--", "&#1234567", "&amp", "<script>", "</scrip"};
    const char *prefix[] = {"", "", "", "", "", "<script>"};
    const char *want[] = {"", "", NULL, NULL, "", ""};
    size_t count = 200000;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        struct souk_buf in = SOUK_BUF_INIT(8 << 20);
        assert_int_equal(souk_buf_addstr(&in, prefix[u]), SOUK_OK);
        for (size_t i = 0; i < count; i++)
            assert_int_equal(souk_buf_addstr(&in, units[u]), SOUK_OK);
        struct souk_buf out = SOUK_BUF_INIT(8 << 20);
        assert_int_equal(souk_textout_strip_html(&out, (struct souk_str){in.data, in.len}),
                         SOUK_OK);
        /* references that never close are text, kept whole */
        assert_string_equal(out.data, want[u] ? want[u] : in.data);
        souk_buf_release(&out);
        souk_buf_release(&in);
    }
}

static void text_functions_leave_the_buffer_alone_when_full(void **state)
{
    struct souk_buf buf = SOUK_BUF_INIT(12);
    assert_int_equal(souk_buf_addstr(&buf, "row:"), SOUK_OK);
    assert_int_equal(souk_textout_csv_field(&buf, S("a \"quoted\" value"), ','), SOUK_ETOOBIG);
    assert_string_equal(buf.data, "row:");
    assert_int_equal(souk_textout_tsv_field(&buf, S("a\tlong\tvalue")), SOUK_ETOOBIG);
    assert_string_equal(buf.data, "row:");
    assert_int_equal(souk_textout_xml_text(&buf, S("a&b&c&d")), SOUK_ETOOBIG);
    assert_string_equal(buf.data, "row:");
    assert_int_equal(souk_textout_strip_html(&buf, S("<p>one</p><p>two three</p>")), SOUK_ETOOBIG);
    assert_string_equal(buf.data, "row:");
    assert_int_equal(buf.len, 4);
    assert_int_equal(souk_textout_xml_text(&buf, S("a&bc")), SOUK_OK); /* exactly fits */
    assert_string_equal(buf.data, "row:a&amp;bc");
    souk_buf_release(&buf);
}

static void check_cut(struct souk_str s, size_t max_bytes, size_t max_chars, const char *want)
{
    struct souk_str cut = souk_textout_truncate_utf8(s, max_bytes, max_chars);
    assert_ptr_equal(cut.ptr, s.ptr);
    if (!souk_str_eq_cstr(cut, want))
        fail_msg("cut %zu/%zu: want \"%s\", got \"%.*s\"", max_bytes, max_chars, want, (int)cut.len,
                 cut.ptr);
}

static void truncation_cuts_at_code_point_boundaries(void **state)
{
    struct souk_str hello = S("h\xc3\xa9llo"); /* "héllo", é is two bytes */
    check_cut(hello, 2, SIZE_MAX, "h");
    check_cut(hello, 3, SIZE_MAX, "h\xc3\xa9");
    check_cut(hello, SIZE_MAX, 2, "h\xc3\xa9");
    check_cut(hello, SIZE_MAX, SIZE_MAX, "h\xc3\xa9llo");
    check_cut(hello, 6, 5, "h\xc3\xa9llo");
    check_cut(hello, 5, 5, "h\xc3\xa9ll");
    check_cut(hello, 0, SIZE_MAX, "");
    check_cut(hello, SIZE_MAX, 0, "");
    check_cut(S("\xf0\x9f\x9b\x8d\xf0\x9f\x9b\x8d"), 7, SIZE_MAX, "\xf0\x9f\x9b\x8d");
    check_cut(S("\xe9"
                "abc"),
              SIZE_MAX, 2,
              "\xe9"
              "a"); /* a bad byte is one character */
    check_cut(S("ab\xe6\x97"), SIZE_MAX, 3, "ab\xe6");
    check_cut(S(""), 10, 10, "");

    /* 200 CJK characters cut to a 150-character title */
    struct souk_buf title = SOUK_BUF_INIT(1024);
    for (int i = 0; i < 200; i++)
        assert_int_equal(souk_buf_addstr(&title, "\xe6\x97\xa5"), SOUK_OK);
    struct souk_str t = {title.data, title.len};
    assert_int_equal(souk_textout_truncate_utf8(t, SIZE_MAX, 150).len, 450);
    assert_int_equal(souk_textout_truncate_utf8(t, 100, 150).len, 99);
    souk_buf_release(&title);

    /* every byte limit gives the longest valid prefix that fits */
    struct souk_str mixed = S("a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x9b\x8d"
                              "b");
    size_t bounds[] = {0, 1, 3, 6, 10, 11};
    for (size_t max = 0; max <= mixed.len + 1; max++) {
        size_t want = 0;
        for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
            if (bounds[b] <= max)
                want = bounds[b];
        struct souk_str cut = souk_textout_truncate_utf8(mixed, max, SIZE_MAX);
        assert_int_equal(cut.len, want);
        assert_true(souk_str_is_utf8(cut));
    }
}

/* ---- gzip ---- */

struct sink {
    struct souk_buf out;
    size_t calls;
    size_t fail_after; /* calls that succeed before the sink fails; SIZE_MAX for never */
};

static int collect(void *arg, const void *data, size_t len)
{
    struct sink *s = arg;
    assert_true(len > 0);
    if (s->calls++ >= s->fail_after)
        return SOUK_EIO;
    return souk_buf_add(&s->out, data, len);
}

static void gunzip(struct souk_str gz, struct souk_buf *plain)
{
    z_stream zs = {0};
    unsigned char chunk[4096];
    int zrc;

    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)gz.ptr;
    zs.avail_in = (uInt)gz.len;
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        zrc = inflate(&zs, Z_NO_FLUSH);
        assert_true(zrc == Z_OK || zrc == Z_STREAM_END);
        assert_int_equal(souk_buf_add(plain, chunk, sizeof chunk - zs.avail_out), SOUK_OK);
    } while (zrc != Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0); /* nothing after the trailer */
    inflateEnd(&zs);
}

/* A feed-like input: rows of text with a pseudo-random part, so it is not trivially small. */
static void make_feed(struct souk_buf *feed, size_t rows)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < rows; i++) {
        x = x * 1103515245u + 12345u;
        assert_int_equal(
            souk_buf_addf(feed, "sku-%zu\tShirt %u\t%u.99 USD\tin stock\n", i, x >> 16, x % 1000),
            SOUK_OK);
    }
}

static void gzip_round_trips_through_inflate(void **state)
{
    struct souk_buf feed = SOUK_BUF_INIT(16 << 20);
    make_feed(&feed, 100000);
    int levels[] = {-1, 0, 1, 9};
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        struct sink sink = {SOUK_BUF_INIT(16 << 20), 0, SIZE_MAX};
        struct souk_gzip *gz = souk_gzip_new(levels[l], collect, &sink);
        assert_non_null(gz);
        /* in uneven pieces, as a feed writer produces them */
        for (size_t off = 0, piece = 1; off < feed.len; off += piece, piece = piece * 3 + 1) {
            size_t n = piece < feed.len - off ? piece : feed.len - off;
            assert_int_equal(souk_gzip_write(gz, feed.data + off, n), SOUK_OK);
        }
        assert_true(sink.calls > 0); /* output streamed before the end */
        assert_int_equal(souk_gzip_finish(gz), SOUK_OK);
        souk_gzip_free(gz);

        const unsigned char *h = (const unsigned char *)sink.out.data;
        assert_true(sink.out.len > 18);
        assert_int_equal(h[0], 0x1f); /* gzip magic, deflate, no flags, time 0 */
        assert_int_equal(h[1], 0x8b);
        assert_int_equal(h[2], 8);
        assert_int_equal(h[3], 0);
        assert_int_equal(h[4] | h[5] | h[6] | h[7], 0);
        if (levels[l] != 0)
            assert_true(sink.out.len < feed.len / 2);
        struct souk_buf plain = SOUK_BUF_INIT(16 << 20);
        gunzip((struct souk_str){sink.out.data, sink.out.len}, &plain);
        assert_int_equal(plain.len, feed.len);
        assert_memory_equal(plain.data, feed.data, feed.len);
        souk_buf_release(&plain);
        souk_buf_release(&sink.out);
    }
    souk_buf_release(&feed);
}

static void gzip_of_nothing_is_a_valid_empty_stream(void **state)
{
    struct sink a = {SOUK_BUF_INIT(1024), 0, SIZE_MAX};
    struct sink b = {SOUK_BUF_INIT(1024), 0, SIZE_MAX};
    struct souk_gzip *gz = souk_gzip_new(6, collect, &a);
    assert_int_equal(souk_gzip_write(gz, "", 0), SOUK_OK);
    assert_int_equal(souk_gzip_finish(gz), SOUK_OK);
    souk_gzip_free(gz);
    struct souk_buf plain = SOUK_BUF_INIT(16);
    gunzip((struct souk_str){a.out.data, a.out.len}, &plain);
    assert_int_equal(plain.len, 0);

    /* the same input gives the same bytes */
    gz = souk_gzip_new(6, collect, &b);
    assert_int_equal(souk_gzip_finish(gz), SOUK_OK);
    souk_gzip_free(gz);
    assert_int_equal(a.out.len, b.out.len);
    assert_memory_equal(a.out.data, b.out.data, a.out.len);
    souk_buf_release(&plain);
    souk_buf_release(&a.out);
    souk_buf_release(&b.out);
}

static void gzip_stops_at_the_first_sink_failure(void **state)
{
    struct souk_buf feed = SOUK_BUF_INIT(16 << 20);
    make_feed(&feed, 50000);
    struct sink sink = {SOUK_BUF_INIT(16 << 20), 0, 1};
    struct souk_gzip *gz = souk_gzip_new(0, collect, &sink); /* stored: output as big as input */
    assert_int_equal(souk_gzip_write(gz, feed.data, feed.len), SOUK_EIO);
    assert_int_equal(sink.calls, 2);
    assert_int_equal(souk_gzip_write(gz, "x", 1), SOUK_EIO);
    assert_int_equal(souk_gzip_finish(gz), SOUK_EIO);
    assert_int_equal(sink.calls, 2); /* the sink is not called again */
    souk_gzip_free(gz);

    /* a failure while finishing */
    sink.calls = 0;
    souk_buf_reset(&sink.out);
    sink.fail_after = 0;
    gz = souk_gzip_new(6, collect, &sink);
    assert_int_equal(souk_gzip_write(gz, "small", 5), SOUK_OK);
    assert_int_equal(souk_gzip_finish(gz), SOUK_EIO);
    assert_int_equal(souk_gzip_finish(gz), SOUK_EIO);
    souk_gzip_free(gz);
    souk_buf_release(&sink.out);
    souk_buf_release(&feed);
}

static void gzip_refuses_misuse(void **state)
{
    struct sink sink = {SOUK_BUF_INIT(1024), 0, SIZE_MAX};
    assert_null(souk_gzip_new(10, collect, &sink));
    assert_null(souk_gzip_new(-2, collect, &sink));
    struct souk_gzip *gz = souk_gzip_new(9, collect, &sink);
    assert_int_equal(souk_gzip_finish(gz), SOUK_OK);
    assert_int_equal(souk_gzip_write(gz, "late", 4), SOUK_EINVAL);
    assert_int_equal(souk_gzip_finish(gz), SOUK_EINVAL);
    souk_gzip_free(gz);
    souk_gzip_free(NULL);
    /* freeing an unfinished writer releases everything (ASan checks) */
    gz = souk_gzip_new(-1, collect, &sink);
    assert_int_equal(souk_gzip_write(gz, "abandoned", 9), SOUK_OK);
    souk_gzip_free(gz);
    souk_buf_release(&sink.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_fields_are_quoted_only_when_needed),
        cmocka_unit_test(csv_rows_read_back_through_the_csv_reader),
        cmocka_unit_test(tsv_fields_turn_tabs_and_breaks_into_spaces),
        cmocka_unit_test(xml_text_escapes_markup_and_drops_what_xml_forbids),
        cmocka_unit_test(xml_text_repairs_malformed_utf8),
        cmocka_unit_test(strip_html_keeps_text_and_line_structure),
        cmocka_unit_test(strip_html_decodes_entities),
        cmocka_unit_test(strip_html_drops_code_comments_and_broken_tags),
        cmocka_unit_test(strip_html_is_linear_on_hostile_input),
        cmocka_unit_test(text_functions_leave_the_buffer_alone_when_full),
        cmocka_unit_test(truncation_cuts_at_code_point_boundaries),
        cmocka_unit_test(gzip_round_trips_through_inflate),
        cmocka_unit_test(gzip_of_nothing_is_a_valid_empty_stream),
        cmocka_unit_test(gzip_stops_at_the_first_sink_failure),
        cmocka_unit_test(gzip_refuses_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

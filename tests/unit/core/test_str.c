/* Unit tests for core/str and core/pool: views, the bounded builder, integer parsing, pools. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/alloc.h"
#include "core/pool.h"
#include "core/str.h"

static void buf_is_bounded_and_unchanged_on_overflow(void **state)
{
    struct souk_buf b = SOUK_BUF_INIT(8);
    assert_string_equal(b.data, "");
    assert_int_equal(souk_buf_addstr(&b, "abcdef"), SOUK_OK);
    assert_int_equal(souk_buf_addstr(&b, "xyz"), SOUK_ETOOBIG);
    assert_string_equal(b.data, "abcdef");
    assert_int_equal(souk_buf_addf(&b, "%d", 12), SOUK_OK);
    assert_string_equal(b.data, "abcdef12");
    assert_int_equal(souk_buf_addch(&b, '!'), SOUK_ETOOBIG);
    size_t len = 0;
    char *owned = souk_buf_detach(&b, &len);
    assert_int_equal(len, 8);
    assert_string_equal(owned, "abcdef12");
    assert_string_equal(b.data, "");
    souk_free(owned);
    souk_buf_release(&b);
}

/* Reserving makes room without writing, within the cap. */
static void a_reserve_is_room_not_content(void **state)
{
    (void)state;
    struct souk_buf b = SOUK_BUF_INIT(100);
    assert_int_equal(souk_buf_reserve(&b, 101), SOUK_ETOOBIG);
    assert_int_equal(souk_buf_reserve(&b, 80), SOUK_OK);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(souk_buf_addstr(&b, "abc"), SOUK_OK);
    assert_int_equal(souk_buf_reserve(&b, 98), SOUK_ETOOBIG); /* 3 used of 100 */
    assert_int_equal(souk_buf_reserve(&b, 97), SOUK_OK);
    assert_string_equal(b.data, "abc");
    souk_buf_release(&b);
}

/* A buffer with no practical cap (SIZE_MAX) grows like any other: its cap + 1 must not wrap. */
static void an_uncapped_buffer_grows(void **state)
{
    (void)state;
    struct souk_buf b = SOUK_BUF_INIT(SIZE_MAX);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(souk_buf_addstr(&b, "0123456789"), SOUK_OK);
    assert_int_equal(b.len, 10000);
    assert_int_equal(b.data[9999], '9');
    assert_int_equal(b.data[10000], '\0');
    souk_buf_release(&b);
}

static void utf8_check_rejects_malformed_sequences(void **state)
{
    assert_true(souk_str_is_utf8(SOUK_STR("plain ascii")));
    assert_true(souk_str_is_utf8(SOUK_STR("Caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9b\x8d")));
    assert_false(souk_str_is_utf8(SOUK_STR("Caf\xe9")));          /* Latin-1 */
    assert_false(souk_str_is_utf8(SOUK_STR("\xc0\xaf")));          /* overlong '/' */
    assert_false(souk_str_is_utf8(SOUK_STR("\xed\xa0\x80")));      /* surrogate */
    assert_false(souk_str_is_utf8(SOUK_STR("\xf4\x90\x80\x80")));  /* above U+10FFFF */
    assert_false(souk_str_is_utf8(SOUK_STR("\xe6\x97")));          /* truncated */
}

static void to_i64_is_strict(void **state)
{
    int64_t v = 7;
    assert_int_equal(souk_str_to_i64(SOUK_STR("42"), 0, 100, &v), SOUK_OK);
    assert_int_equal(v, 42);
    assert_int_equal(souk_str_to_i64(SOUK_STR("-5"), -10, 10, &v), SOUK_OK);
    assert_int_equal(v, -5);
    assert_int_equal(souk_str_to_i64(SOUK_STR("9223372036854775807"), 0, INT64_MAX, &v),
                     SOUK_OK);
    assert_int_equal(v, INT64_MAX);
    const char *bad[] = {"", "-", "+1", " 1", "1 ", "1x", "101", "9223372036854775808", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        assert_int_equal(souk_str_to_i64(souk_str_from(bad[i]), -100, 100, &v), SOUK_EINVAL);
        assert_int_equal(v, 7);
    }
}

static void views_compare_by_content(void **state)
{
    assert_true(souk_str_eq(SOUK_STR("abc"), souk_str_from("abc")));
    assert_false(souk_str_eq_cstr(SOUK_STR("abc"), "abcd"));
    assert_true(souk_str_has_prefix(SOUK_STR("sk_123"), "sk_"));
    assert_false(souk_str_has_prefix(SOUK_STR("sk"), "sk_"));
    assert_null(souk_str_from_opt(NULL).ptr);
}

static int released;
static void count_release(void *arg)
{
    released = released * 10 + *(int *)arg;
}

static void pool_allocates_aligned_and_releases_in_reverse(void **state)
{
    struct souk_pool *pool = souk_pool_new();
    for (int i = 0; i < 1000; i++) {
        char *p = souk_pool_alloc(pool, (size_t)i % 37 + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal(p[0], 0);
    }
    char *big = souk_pool_alloc(pool, 1 << 20); /* larger than a block */
    memset(big, 1, 1 << 20);
    assert_string_equal(souk_pool_printf(pool, "%s-%d", "sku", 7), "sku-7");
    static int one = 1, two = 2;
    released = 0;
    souk_pool_on_release(pool, count_release, &one);
    souk_pool_on_release(pool, count_release, &two);
    souk_pool_free(pool);
    assert_int_equal(released, 21);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_is_bounded_and_unchanged_on_overflow),
        cmocka_unit_test(an_uncapped_buffer_grows),
        cmocka_unit_test(a_reserve_is_room_not_content),
        cmocka_unit_test(utf8_check_rejects_malformed_sequences),
        cmocka_unit_test(to_i64_is_strict),
        cmocka_unit_test(views_compare_by_content),
        cmocka_unit_test(pool_allocates_aligned_and_releases_in_reverse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

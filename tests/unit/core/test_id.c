/* Unit tests for core/id: shape, uniqueness and time order of ids. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "core/id.h"

static void ids_have_prefix_and_valid_body(void **state)
{
    char id[SOUK_ID_MAX];
    souk_id_new("prod", id);
    assert_int_equal(strlen(id), 5 + SOUK_ID_BODY_LEN);
    assert_memory_equal(id, "prod_", 5);
    assert_true(souk_id_is_valid(souk_str_from(id), "prod"));
    assert_false(souk_id_is_valid(souk_str_from(id), "var"));
}

static void validation_rejects_bad_bodies(void **state)
{
    assert_false(souk_id_is_valid(SOUK_STR("prod_"), "prod"));
    assert_false(souk_id_is_valid(SOUK_STR("prod_01JDQ3ZK8X4M2V7N9B5C6T0RY"), "prod")); /* 25 */
    assert_false(souk_id_is_valid(SOUK_STR("prod_01JDQ3ZK8X4M2V7N9B5C6T0RYU"), "prod")); /* U */
    assert_false(souk_id_is_valid(SOUK_STR("prod_81JDQ3ZK8X4M2V7N9B5C6T0RYW"), "prod")); /* >128 bits */
    assert_true(souk_id_is_valid(SOUK_STR("prod_01JDQ3ZK8X4M2V7N9B5C6T0RYW"), "prod"));
}

static void ids_are_unique_and_sort_by_creation_time(void **state)
{
    enum { N = 2000 };
    static char ids[N][SOUK_ID_MAX];
    for (int i = 0; i < N; i++) {
        souk_id_new("ord", ids[i]);
        if (i % 500 == 499)
            usleep(2000); /* cross millisecond boundaries */
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            assert_string_not_equal(ids[i], ids[j]);
    /* Every id sorts after the one made before it, within a millisecond too. */
    for (int i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) >= 0)
            fail_msg("%s was made before %s but does not sort before it", ids[i - 1], ids[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_have_prefix_and_valid_body),
        cmocka_unit_test(validation_rejects_bad_bodies),
        cmocka_unit_test(ids_are_unique_and_sort_by_creation_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

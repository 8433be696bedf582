/* Unit tests for core/cache: versioned hits, replacement, byte budget and LRU eviction. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/cache.h"

static bool holds(struct souk_cache *c, const char *key, int64_t version, const char *want)
{
    struct souk_buf out = SOUK_BUF_INIT(1 << 20);
    bool hit = souk_cache_get(c, souk_str_from(key), version, &out);
    if (hit && want)
        assert_string_equal(out.data, want);
    souk_buf_release(&out);
    return hit;
}

static void hits_only_at_the_stored_version(void **state)
{
    struct souk_cache *c = souk_cache_new(1 << 20);
    souk_cache_put(c, SOUK_STR("prod_1|"), 3, SOUK_STR("{\"v\":3}"));
    assert_true(holds(c, "prod_1|", 3, "{\"v\":3}"));
    assert_false(holds(c, "prod_1|", 4, NULL));
    assert_false(holds(c, "prod_1|de", 3, NULL));
    souk_cache_put(c, SOUK_STR("prod_1|"), 4, SOUK_STR("{\"v\":4}"));
    assert_false(holds(c, "prod_1|", 3, NULL));
    assert_true(holds(c, "prod_1|", 4, "{\"v\":4}"));
    struct souk_cache_stats stats;
    souk_cache_get_stats(c, &stats);
    assert_int_equal(stats.entries, 1);
    assert_int_equal(stats.hits, 2);
    assert_int_equal(stats.misses, 3);
    souk_cache_free(c);
}

static void the_least_recently_used_goes_first(void **state)
{
    struct souk_cache *c = souk_cache_new(64 << 10);
    char blob[1000], key[32];
    memset(blob, 'x', sizeof blob - 1);
    blob[sizeof blob - 1] = '\0';
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        souk_cache_put(c, souk_str_from(key), 1, souk_str_from(blob));
        assert_true(holds(c, "k0", 1, NULL)); /* k0 stays in use, so it stays */
    }
    struct souk_cache_stats stats;
    souk_cache_get_stats(c, &stats);
    assert_true(stats.bytes <= 64 << 10);
    assert_true(stats.evictions > 100);
    assert_false(holds(c, "k1", 1, NULL));
    assert_true(holds(c, "k199", 1, NULL));
    souk_cache_free(c);
}

static void a_zero_budget_keeps_nothing(void **state)
{
    struct souk_cache *c = souk_cache_new(0);
    souk_cache_put(c, SOUK_STR("k"), 1, SOUK_STR("v"));
    assert_false(holds(c, "k", 1, NULL));
    souk_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hits_only_at_the_stored_version),
        cmocka_unit_test(the_least_recently_used_goes_first),
        cmocka_unit_test(a_zero_budget_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

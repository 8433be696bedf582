/*
 * Unit tests for the WeChat catalog rules (channels/wechat_catalog.c, included for its
 * statics): prices in fen with the regular price as market_price while a lower sale price
 * runs, the images WeChat is sent (distinct, main first, at most 9), and the rules
 * /diagnostics adds (3 images, CNY, a title of 5 characters that is not only Latin).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "channels/wechat_catalog.c"

struct report {
    size_t n;
    const char *field[4];
    bool rejects[4];
};

static void collect(void *arg, const char *field, bool rejects, const char *reason)
{
    struct report *r = arg;
    (void)reason;
    if (r->n < 4) {
        r->field[r->n] = field;
        r->rejects[r->n] = rejects;
    }
    r->n++;
}

static struct souk_channels__item item_of(const char *title, const char *price, int64_t minor,
                                          const char *image, const char *more)
{
    struct souk_channels__item it = {.product_id = "prod_1", .price_minor = minor};
    it.values[SOUK_CHANNELS__TITLE] = title;
    it.values[SOUK_CHANNELS__PRICE] = price;
    it.values[SOUK_CHANNELS__IMAGE_LINK] = image;
    it.values[SOUK_CHANNELS__ADDITIONAL_IMAGES] = more;
    return it;
}

static void prices_are_fen_and_a_running_sale_shows_the_regular_price_as_market(void **state)
{
    (void)state;
    struct souk_channels__item it = item_of("青瓷茶具套装", "128.00 CNY", 12800, NULL, NULL);
    int64_t sale = -1, market = -1;
    assert_null(fen_prices(&it, &sale, &market));
    assert_int_equal(sale, 12800);
    assert_int_equal(market, 0);
    it.values[SOUK_CHANNELS__SALE_PRICE] = "99.50 CNY";
    assert_null(fen_prices(&it, &sale, &market));
    assert_int_equal(sale, 9950);
    assert_int_equal(market, 12800);
    /* A "sale" at or above the price is no sale. */
    it.values[SOUK_CHANNELS__SALE_PRICE] = "128.00 CNY";
    assert_null(fen_prices(&it, &sale, &market));
    assert_int_equal(sale, 12800);
    assert_int_equal(market, 0);
    /* WeChat sells in CNY only; no price at all says why. */
    it = item_of("青瓷茶具套装", "18.00 USD", 1800, NULL, NULL);
    assert_string_equal(fen_prices(&it, &sale, &market),
                        "WeChat sells in CNY: the channel's currency must be CNY");
    it = item_of("青瓷茶具套装", NULL, SOUK_CATALOG_UNSET, NULL, NULL);
    it.price_problem = "no CNY price and no FX rate";
    assert_string_equal(fen_prices(&it, &sale, &market), "no CNY price and no FX rate");
}

static void images_are_distinct_main_first_and_at_most_nine(void **state)
{
    (void)state;
    struct souk_channels__item it = item_of("青瓷茶具套装", "1.00 CNY", 100, "https://x/a",
                                            "https://x/b,https://x/a,https://x/c");
    json_t *imgs = images(&it);
    assert_int_equal(json_array_size(imgs), 3);
    assert_string_equal(json_string_value(json_array_get(imgs, 0)), "https://x/a");
    assert_string_equal(json_string_value(json_array_get(imgs, 2)), "https://x/c");
    assert_int_equal(image_count(&it), 3);
    json_decref(imgs);
    it.values[SOUK_CHANNELS__ADDITIONAL_IMAGES] =
        "https://x/1,https://x/2,https://x/3,https://x/4,https://x/5,https://x/6,https://x/7,"
        "https://x/8,https://x/9";
    imgs = images(&it);
    assert_int_equal(json_array_size(imgs), 9);
    assert_int_equal(image_count(&it), 10);
    json_decref(imgs);
}

static void diagnostics_add_wechat_rules(void **state)
{
    (void)state;
    struct souk_channels__item good =
        item_of("青瓷茶具套装", "1.00 CNY", 100, "https://x/a", "https://x/b,https://x/c");
    struct report r = {0};
    assert_int_equal(souk_channels__wechat_rules(NULL, &good, collect, &r), 0);
    assert_int_equal(r.n, 0);

    /* Too few images, a Latin-only title: two rejections. */
    struct souk_channels__item latin =
        item_of("Classic Whole Wheat", "1.00 CNY", 100, "https://x/a", "https://x/a");
    r = (struct report){0};
    assert_int_equal(souk_channels__wechat_rules(NULL, &latin, collect, &r), 2);
    assert_string_equal(r.field[0], "head_imgs");
    assert_string_equal(r.field[1], "title");
    /* Four characters are too few, even in Chinese; a USD price is refused. */
    struct souk_channels__item shorty =
        item_of("青瓷茶具", "1.00 USD", 100, "https://x/a", "https://x/b,https://x/c");
    r = (struct report){0};
    assert_int_equal(souk_channels__wechat_rules(NULL, &shorty, collect, &r), 2);
    assert_string_equal(r.field[0], "sale_price");
    assert_string_equal(r.field[1], "title");
    /* Ten images: a warning, not a rejection. */
    struct souk_channels__item many = item_of(
        "青瓷茶具套装", "1.00 CNY", 100, "https://x/0",
        "https://x/1,https://x/2,https://x/3,https://x/4,https://x/5,https://x/6,https://x/7,"
        "https://x/8,https://x/9");
    r = (struct report){0};
    assert_int_equal(souk_channels__wechat_rules(NULL, &many, collect, &r), 0);
    assert_int_equal(r.n, 1);
    assert_false(r.rejects[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prices_are_fen_and_a_running_sale_shows_the_regular_price_as_market),
        cmocka_unit_test(images_are_distinct_main_first_and_at_most_nine),
        cmocka_unit_test(diagnostics_add_wechat_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

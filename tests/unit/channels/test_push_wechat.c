/*
 * Unit tests for the WeChat catalog push (channels/wechat_catalog.c, included for its
 * statics): prices in fen with the regular price as market_price while a lower sale price
 * runs, the rules /diagnostics adds (3 images, CNY, a title of 5 characters that is not only
 * Latin), and, against an in-process sim, the images: each uploaded once as a file and shown
 * by WeChat's own link, one already on WeChat's host sent as it is, and an image WeChat cannot
 * have settling its product without an add.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "channels/wechat_catalog.c"
#include "push_fixture.h"

static int setup(void **state)
{
    static const struct souk_channel_credential creds[] = {
        {"appid", "wxsim0000000001"},         {"secret", "sim-wechat-secret"},
        {"token", "sim-wechat-token"},        {"category_ids", "10000212,547805"},
        {"freight_template_id", "5189"},
    };
    const struct souk_channel channel = {.id = "chn_test", .country = "CN", .currency = "CNY"};
    return push_fixture_setup(state, &souk_channels__wechat, &channel, creds, 5);
}

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

/* A new variant of souk product product_id with the images at paths of the sim (one array, as
 * the push path gives the variants of one product). */
static struct souk_channels__push new_variant(struct push_fixture *f, const char *sku,
                                              const char *product_id, const char *const *paths)
{
    struct souk_channels__item *it = souk_pool_alloc(f->pool, sizeof *it);
    *it = (struct souk_channels__item){.product_id = product_id, .price_minor = 12800};
    it->values[SOUK_CHANNELS__TITLE] = "青瓷茶具套装";
    it->values[SOUK_CHANNELS__PRICE] = "128.00 CNY";
    it->values[SOUK_CHANNELS__QUANTITY] = "5";
    struct souk_channels__push p = {.sku = sku, .op = SOUK_CHANNELS__UPSERT, .item = it};
    for (; paths[p.nimages]; p.nimages++)
        ;
    p.images = souk_pool_alloc(f->pool, p.nimages * sizeof *p.images);
    for (size_t i = 0; i < p.nimages; i++) {
        const char *path = paths[i];
        p.images[i].url =
            strncmp(path, "http", 4) == 0 ? path : souk_pool_printf(f->pool, "%s%s", f->base_url, path);
    }
    /* what the rules count, as the item builder would set it */
    it->values[SOUK_CHANNELS__IMAGE_LINK] = p.nimages ? p.images[0].url : NULL;
    for (size_t i = 1; i < p.nimages; i++)
        it->values[SOUK_CHANNELS__ADDITIONAL_IMAGES] = souk_pool_printf(
            f->pool, "%s%s%s", i > 1 ? it->values[SOUK_CHANNELS__ADDITIONAL_IMAGES] : "",
            i > 1 ? "," : "", p.images[i].url);
    return p;
}

static void images_are_uploaded_once_and_shown_by_wechats_links(void **state)
{
    struct push_fixture *f = *state;
    static const char *const tea[] = {"/_sim/images/800x800.png?i=1", "/_sim/images/800x800.png?i=2",
                                      "/_sim/images/640x480.png?i=3", NULL};
    struct souk_channels__push items[2] = {new_variant(f, "TEA-S", "prod_tea", tea)};
    items[1] = items[0];
    items[1].sku = "TEA-L";
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 2, &out);
    assert_string_equal(out.error, "");
    assert_int_equal(items[0].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(items[1].result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(push_fixture_requests(f, "wechat", IMAGE_PATH), 3);
    json_t *sku = push_fixture_sim(f, "/_sim/items/wechat/TEA-L", NULL);
    for (size_t i = 0; i < 3; i++) {
        assert_true(items[0].images[i].fresh);
        assert_non_null(strstr(items[0].images[i].ref, "https://mmecimage.cn/p/wxsim0000000001/"));
        assert_string_equal(json_string_value(json_array_get(
                                json_object_get(json_object_get(sku, "fields"), "head_imgs"), i)),
                            items[0].images[i].ref);
    }
    json_decref(sku);

    /* Another product: one image the channel holds already (its link loaded from
     * channel_images), one that is WeChat's own link, one new: only the new one is uploaded. */
    const char *const cup[] = {tea[1], items[0].images[2].ref, "/_sim/images/800x800.png?i=4",
                               NULL};
    struct souk_channels__push more = new_variant(f, "CUP", "prod_cup", cup);
    more.images[0].ref = items[0].images[1].ref;
    push_fixture_run(f, &more, 1, &out);
    assert_int_equal(more.result, SOUK_CHANNELS__PUSHED);
    assert_int_equal(push_fixture_requests(f, "wechat", IMAGE_PATH), 4);
    assert_false(more.images[0].fresh || more.images[1].fresh);
    assert_string_equal(more.images[1].ref, more.images[1].url);
    assert_true(more.images[2].fresh);
}

/*
 * An image whose URL answers 404, or that is no image, rejects its product with the reason; a
 * server that does not answer makes it wait; too few images reject it before any fetch. None
 * of them reaches product/add.
 */
static void an_image_wechat_cannot_have_settles_its_product_without_an_add(void **state)
{
    struct push_fixture *f = *state;
    static const char *const missing[] = {"/_sim/images/no-such-image.png",
                                          "/_sim/images/800x800.png?i=1",
                                          "/_sim/images/800x800.png?i=2", NULL};
    static const char *const not_image[] = {"/_sim/items?platform=wechat",
                                            "/_sim/images/800x800.png?i=1",
                                            "/_sim/images/800x800.png?i=2", NULL};
    static const char *const down[] = {"http://127.0.0.1:1/a.png", "http://127.0.0.1:1/b.png",
                                       "http://127.0.0.1:1/c.png", NULL};
    static const char *const one[] = {"/_sim/images/800x800.png?i=1", NULL};
    struct souk_channels__push items[] = {
        new_variant(f, "A", "prod_a", missing), new_variant(f, "B", "prod_b", not_image),
        new_variant(f, "C", "prod_c", down),    new_variant(f, "D", "prod_d", one)};
    struct souk_channels__batch_outcome out;
    push_fixture_run(f, items, 4, &out);
    assert_string_equal(out.error, "");
    assert_int_equal(items[0].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[0].error, "answered HTTP 404"));
    assert_int_equal(items[1].result, SOUK_CHANNELS__REJECTED);
    assert_non_null(strstr(items[1].error, "is not a JPEG or PNG file"));
    assert_int_equal(items[2].result, SOUK_CHANNELS__RETRY);
    assert_non_null(strstr(items[2].error, "could not be fetched"));
    assert_int_equal(items[3].result, SOUK_CHANNELS__REJECTED);
    assert_string_equal(items[3].error,
                        "head_imgs: WeChat needs 3 different images (head_imgs) and the product "
                        "has 1");
    assert_null(items[3].images[0].ref);
    assert_int_equal(push_fixture_requests(f, "wechat", IMAGE_PATH), 0);
    assert_int_equal(push_fixture_requests(f, "wechat", ADD_PATH), 0);
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
    assert_int_equal(image_count(&many), 10);
    /* A repeated image counts once. */
    struct souk_channels__item twice =
        item_of("青瓷茶具套装", "1.00 CNY", 100, "https://x/a", "https://x/b,https://x/a");
    assert_int_equal(image_count(&twice), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prices_are_fen_and_a_running_sale_shows_the_regular_price_as_market),
        cmocka_unit_test_setup_teardown(images_are_uploaded_once_and_shown_by_wechats_links,
                                        setup, push_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            an_image_wechat_cannot_have_settles_its_product_without_an_add, setup,
            push_fixture_teardown),
        cmocka_unit_test(diagnostics_add_wechat_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * line: LINE Dynamic Ads (LINE広告 ダイナミック広告), the product ads shown in the LINE app, fed
 * from a product feed that LINE's ad manager fetches. Feed only: no catalog push API was found.
 *
 * Sources, read 2026-12 (what each one settles is in docs/internals/channels.md):
 * - LINE for Business manual "LINE Dynamic Adsを利用する" (linebiz.com/jp/manual/line-ads/ad_020,
 *   official): Dynamic Ads show products from the advertiser's product feed (商品フィード), each
 *   with its own landing link, and need at least 10 products.
 * - anagrams.jp "LINE Dynamic Adsと他媒体との違い" (third party, one source: unverified): LINE's
 *   e-commerce feed template exists beside travel, real-estate and jobs ones, and a feed made for
 *   Google, Meta or Criteo can be uploaded as it is, though LINE reads some columns differently.
 * LINE's own column list was not found, so the columns, limits, price and availability words
 * below are those of Meta's catalog feed (see meta.c), which that import reads, cut to the
 * core set: brand is optional, and Meta's gtin, mpn, color, size, shipping_weight and
 * quantity_to_sell_on_facebook are left out [all unverified against LINE's template]. Prices are
 * "<amount> <ISO 4217>" in the channel's currency: whole yen for JPY ("9550 JPY").
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 200},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 9999},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"condition", SOUK_CHANNELS__CONDITION, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"brand", SOUK_CHANNELS__BRAND, 0, 100},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 100},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"sale_price_effective_date", SOUK_CHANNELS__SALE_DATES, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
};

/* LINE fetches the feed URL, whose token is the only secret: nothing to sign or send. */
static const char *const credentials[] = {NULL};
static const char *const formats[] = {"csv", "tsv", "xml", NULL};

const struct souk_channels__connector souk_channels__line = {
    .platform = "line",
    .doc = "LINE Dynamic Ads product feed (Meta-compatible import), 2026-12",
    .default_base_url = "https://ads.line.me",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "g:",
};

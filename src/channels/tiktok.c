/*
 * tiktok: TikTok Shop and TikTok catalog ads.
 *
 * The feed follows TikTok's "Catalog Product Parameters" (ads.tiktok.com/help/article/
 * catalog-product-parameters, updated 2025-02): nine required fields (sku_id, title,
 * description, availability, condition, price, link, image_link, brand); availability
 * "in stock" / "out of stock"; price "9.99 USD". The Partner API (stock push) follows the
 * TikTok Shop Partner Center 202309 product API.
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"sku_id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 255},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 10000},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"condition", SOUK_CHANNELS__CONDITION, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__REQUIRED, 100},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 100},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 14},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
};

static const char *const credentials[] = {"app_key", "app_secret", "access_token",
                                          "shop_cipher", NULL};
static const char *const formats[] = {"csv", NULL};

const struct souk_channels__connector souk_channels__tiktok = {
    .platform = "tiktok",
    .doc = "TikTok Catalog Product Parameters (2025-02); TikTok Shop Partner API 202309",
    .default_base_url = "https://open-api.tiktokglobalshop.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "",
};

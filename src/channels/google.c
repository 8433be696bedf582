/*
 * google: Google Merchant Center (Shopping ads and free listings).
 *
 * Follows the Merchant Center product data specification (support.google.com/merchants/answer/
 * 7052112, retrieved 2026-11): id at most 50 characters, title 150, description 5000;
 * availability in_stock or out_of_stock; price "15.00 USD"; sale_price_effective_date an ISO
 * 8601 interval. Feeds are RSS 2.0 with the g: namespace, or tab-separated text.
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 50},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 150},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 5000},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"sale_price_effective_date", SOUK_CHANNELS__SALE_DATES, 0, 51},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__REQUIRED, 70},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 50},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"condition", SOUK_CHANNELS__CONDITION, 0, 0},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 50},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 750},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
    {"shipping_weight", SOUK_CHANNELS__SHIPPING_WEIGHT, 0, 0},
};

static const char *const credentials[] = {"access_token", "merchant_id", NULL};
static const char *const formats[] = {"xml", "tsv", NULL};

const struct souk_channels__connector souk_channels__google = {
    .platform = "google",
    .doc = "Google Merchant Center product data specification, 2026-11",
    .default_base_url = "https://shoppingcontent.googleapis.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in_stock",
    .out_of_stock = "out_of_stock",
    .xml_prefix = "g:",
};

/*
 * pinterest: Pinterest catalogs (product pins and shopping ads).
 *
 * Follows "Manage your catalog with a data source" and the catalog feed field list
 * (developers.pinterest.com/docs/work-with-catalogs, help.pinterest.com "Before you get
 * started with catalogs", retrieved 2026-11): id at most 127 characters, title 500,
 * description 10000, link 511; availability "in stock" / "out of stock"; price "24.99 GBP".
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 127},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 500},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 10000},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 511},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 127},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"brand", SOUK_CHANNELS__BRAND, 0, 100},
    {"gtin", SOUK_CHANNELS__GTIN, 0, 14},
    {"mpn", SOUK_CHANNELS__MPN, 0, 70},
    {"condition", SOUK_CHANNELS__CONDITION, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
};

static const char *const credentials[] = {"access_token", NULL};
static const char *const formats[] = {"csv", "tsv", "xml", NULL};

const struct souk_channels__connector souk_channels__pinterest = {
    .platform = "pinterest",
    .doc = "Pinterest catalogs data source specification, 2026-11",
    .default_base_url = "https://api.pinterest.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "g:",
};

/*
 * snapchat: Snapchat product catalogs (Dynamic Product Ads, catalog shopping).
 *
 * Follows Snapchat's "Product Catalog Specifications" (businesshelp.snapchat.com, as mirrored
 * by feed tools, retrieved 2026-11): id at most 50 characters, title 150, description 5000;
 * availability "in stock" / "out of stock"; price "199 USD"; condition required; one of brand
 * (70), gtin (70) or mpn (50) required.
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 50},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 150},
    {"description", SOUK_CHANNELS__DESCRIPTION, SOUK_CHANNELS__REQUIRED, 5000},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 2000},
    {"availability", SOUK_CHANNELS__AVAILABILITY, SOUK_CHANNELS__REQUIRED, 0},
    {"price", SOUK_CHANNELS__PRICE, SOUK_CHANNELS__REQUIRED, 0},
    {"condition", SOUK_CHANNELS__CONDITION, SOUK_CHANNELS__REQUIRED, 0},
    {"brand", SOUK_CHANNELS__BRAND, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 70},
    {"gtin", SOUK_CHANNELS__GTIN, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 70},
    {"mpn", SOUK_CHANNELS__MPN, SOUK_CHANNELS__ONE_OF_IDENTIFIERS, 50},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 100},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 250},
    {"product_type", SOUK_CHANNELS__PRODUCT_TYPE, 0, 750},
    {"color", SOUK_CHANNELS__COLOR, 0, 100},
    {"size", SOUK_CHANNELS__SIZE, 0, 100},
};

static const char *const credentials[] = {"access_token", "catalog_id", NULL};
static const char *const formats[] = {"csv", "tsv", NULL};

const struct souk_channels__connector souk_channels__snapchat = {
    .platform = "snapchat",
    .doc = "Snapchat Product Catalog Specifications, 2026-11",
    .default_base_url = "https://adsapi.snapchat.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "",
};

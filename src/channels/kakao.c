/*
 * kakao: Kakao Moment product catalog ads (카카오모먼트 상품 카탈로그), shown in KakaoTalk, fed
 * from an XML product feed that Kakao's business tools (비즈도구 > 카탈로그) fetch. Feed only: no
 * catalog API was found in Kakao Moment's developer documentation.
 *
 * Follows Kakao's own catalog feed guide "XML 파일로 연동하기" (kakaoad.github.io/kakao-pixel/
 * catalog-datafeed-sample.html, read 2026-12), with "카탈로그" in the Kakao Business guide
 * (kakaobusiness.gitbook.io/sandbox/tool) for how a catalog is made:
 * - an RSS-style XML file, one item per product; the copy read lost the element names, which
 *   are taken from the order of its attribute table and sample values, the same names Meta's
 *   feed uses [names and the g: namespace unverified];
 * - id required, at most 100 characters, and equal to the content id the Kakao pixel or SDK
 *   sends; title required, 225; description optional, 500; link required, 1000; image_link
 *   required (its limit was cut off in the copy read);
 * - availability optional ("in stock" in the sample; the list of words was lost: the rest are
 *   unverified, so a backorder or pre-order shows out of stock); condition optional;
 * - price optional, "<amount> <ISO 4217>" with "." for decimals and at most two of them: KRW,
 *   with none, is written "85600 KRW";
 * - the sample also carries item_group_id, google_product_category, additional_image_link,
 *   brand and sale_price (no limits given).
 */
#include "channels/channels_int.h"

static const struct souk_channels__column columns[] = {
    {"id", SOUK_CHANNELS__ID, SOUK_CHANNELS__REQUIRED, 100},
    {"title", SOUK_CHANNELS__TITLE, SOUK_CHANNELS__REQUIRED, 225},
    {"description", SOUK_CHANNELS__DESCRIPTION, 0, 500},
    {"availability", SOUK_CHANNELS__AVAILABILITY, 0, 0},
    {"condition", SOUK_CHANNELS__CONDITION, 0, 0},
    {"price", SOUK_CHANNELS__PRICE, 0, 0},
    {"link", SOUK_CHANNELS__LINK, SOUK_CHANNELS__REQUIRED, 1000},
    {"image_link", SOUK_CHANNELS__IMAGE_LINK, SOUK_CHANNELS__REQUIRED, 0},
    {"additional_image_link", SOUK_CHANNELS__ADDITIONAL_IMAGES, 0, 0},
    {"brand", SOUK_CHANNELS__BRAND, 0, 0},
    {"item_group_id", SOUK_CHANNELS__GROUP_ID, 0, 0},
    {"google_product_category", SOUK_CHANNELS__GOOGLE_CATEGORY, 0, 0},
    {"sale_price", SOUK_CHANNELS__SALE_PRICE, 0, 0},
};

/* Kakao fetches the feed URL, whose token is the only secret: nothing to sign or send. */
static const char *const credentials[] = {NULL};
static const char *const formats[] = {"xml", NULL};

const struct souk_channels__connector souk_channels__kakao = {
    .platform = "kakao",
    .doc = "Kakao catalog feed guide (XML 파일로 연동하기), 2026-12",
    .default_base_url = "https://apis.moment.kakao.com",
    .credentials = credentials,
    .columns = columns,
    .ncolumns = sizeof columns / sizeof columns[0],
    .formats = formats,
    .in_stock = "in stock",
    .out_of_stock = "out of stock",
    .xml_prefix = "g:",
};

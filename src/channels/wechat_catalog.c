/*
 * wechat_catalog: the catalog push to a WeChat Channels shop (微信小店 / 视频号小店).
 *
 * Follows WeChat's product API as developers.weixin.qq.com documents it (doc/store/shop/API/
 * channels-shop-product and doc/store/API/product, read 2026-12; docs/internals/wechat.md
 * says which details were checked and which were not):
 * - POST /channels/ec/product/add?access_token= creates a product in the shop: title (at least
 *   5 characters, at most 60, not only digits and Latin letters), head_imgs (3 to 9, no repeats),
 *   desc_info, cats_v2, deliver_method (0: by express) with express_info.template_id, and skus
 *   [{out_sku_id, sale_price and market_price in fen, stock_num, sku_attrs}]; out_product_id
 *   is the souk product's id. WeChat answers {"errcode": 0, "data": {"product_id", ...}}
 *   without the SKUs' ids, so souk reads them back with POST /channels/ec/product/get
 *   {"product_id", "data_type": 2} (the draft, edit_product.skus[] {sku_id, out_sku_id}).
 * - Adding and updating change the draft only: POST /channels/ec/product/listing
 *   {"product_id"} puts it up for review and sale. Adds and updates count against a quota per
 *   shop (200 an hour, 1000 a day), so souk updates a product only when the draft differs
 *   from what souk would send.
 * - POST /channels/ec/product/update takes the whole product, SKUs included: souk reads the
 *   draft, sets the title, images, description and the prices and stock of the SKUs it pushes,
 *   and sends it back with the other SKUs as they were.
 * - POST /channels/ec/product/stock/update {"product_id", "sku_id", "diff_type", "num"} takes
 *   effect at once and costs no quota, for a product listed before and not under review
 *   (10020217 under review, 10020289 never listed: such an item waits and is tried again).
 *   diff_type 1 adds, 2 subtracts, 3 sets. WeChat advises 1 or 2 because it moves stock itself
 *   as its orders come and go; souk's number already counts WeChat's orders (its ledger takes
 *   them in), so souk sets the number it computed (3).
 * - Errors come as HTTP 200 with {"errcode", "errmsg"}. 10020052 says the product does not
 *   exist: a variant still sold is created again, a deleted one is gone already.
 * - A deleted or unselected variant is set to stock 0 rather than removed: its WeChat product
 *   may hold SKUs that still sell, and the SKU keeps its ids if the variant comes back.
 * The category path and the freight template are parameters of the seller's WeChat account
 * that souk has no data for (WeChat's category tree and the shop's freight templates, from
 * its category and freight APIs): like TikTok's warehouse_id and category_id they are
 * credentials of the channel, category_ids (cat_ids from the first level to the leaf,
 * comma-separated, sent as cats_v2) and freight_template_id. A channel without them still
 * takes orders; its sync status names the missing credential and changes wait for it.
 * Images: head_imgs (and any image of a product) must be WeChat's own URLs, which its image
 * upload answers; any other is refused (errcode 10020035), and a URL already on mmecimage.cn/p/
 * may be sent as it is (the product/add page, as transcribed by SDKs). POST
 * /channels/ec/basics/img/upload?access_token=&upload_type=&resp_type= takes upload_type 0, the
 * file as multipart/form-data in part "media" with its height and width in pixels in the query,
 * or 1, a JSON {"img_url"} that WeChat fetches itself; resp_type 1 answers {"pic_file":
 * {"img_url": "https://mmecimage.cn/p/{appid}/{key}"}}, a link that never expires, so "the same
 * image need not be uploaded again" (resp_type 0 answers media_ids, for other uses). Files of
 * at most 10 MB with resp_type 1. souk uploads the file (upload_type 0): it fetches each image
 * from the merchant's URL itself (channels/images.c, as for TikTok), so WeChat never has to
 * reach the merchant's host, and keeps WeChat's URL per channel and source URL
 * (channel_images). Sources: the mini shop's product/img/upload page (developers.weixin.qq.com
 * ministore .../API/register/uploadimg.html: the same parameters, limits and link rules) and
 * SDKs' transcriptions of doc/channels/API/basics/img_upload.html; the Channels page itself was
 * not read. Unverified: the formats it takes (souk sends JPEG and PNG as fetched, never
 * converted), its errcodes for a refused image (any errcode but the transient ones rejects the
 * item with WeChat's errmsg), and whether answers still name the link temp_img_url as the mini
 * shop's did (souk reads img_url, which every Channels client read agrees on).
 */
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/textout.h"

#define ADD_PATH "/channels/ec/product/add"
#define GET_PATH "/channels/ec/product/get"
#define UPDATE_PATH "/channels/ec/product/update"
#define LISTING_PATH "/channels/ec/product/listing"
#define STOCK_PATH "/channels/ec/product/stock/update"
#define IMAGE_PATH "/channels/ec/basics/img/upload"
#define IMAGE_HOST "https://mmecimage.cn/p/" /* WeChat's own images: sent as they are */
#define MAX_IMAGE_BYTES (10u << 20)          /* a file img/upload takes with resp_type 1 */

#define MIN_TITLE_CHARS 5
#define MAX_TITLE_CHARS 60
#define MIN_IMAGES 3
#define MAX_IMAGES 9
#define DRAFT 2      /* product/get's data_type for the draft */
#define DIFF_SET 3   /* stock/update's diff_type that sets the number */
#define BY_EXPRESS 0 /* deliver_method */

#define CODE_NO_PRODUCT 10020052
#define CODE_IN_REVIEW 10020217
#define CODE_NEVER_LISTED 10020289

/* ---- the item as WeChat takes it ---- */

/* How many distinct images the item has, uncapped. */
static size_t image_count(const struct souk_channels__item *item)
{
    json_t *more = souk_channels__list_array(item->values[SOUK_CHANNELS__ADDITIONAL_IMAGES]);
    size_t n = item->values[SOUK_CHANNELS__IMAGE_LINK] != NULL, i;
    json_t *url;
    json_array_foreach(more, i, url)
    {
        const char *s = json_string_value(url);
        bool seen = item->values[SOUK_CHANNELS__IMAGE_LINK] &&
                    strcmp(s, item->values[SOUK_CHANNELS__IMAGE_LINK]) == 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(s, json_string_value(json_array_get(more, j))) == 0;
        n += !seen;
    }
    json_decref(more);
    return n;
}

/* True when text holds a character beyond ASCII: WeChat refuses titles made only of digits
 * and Latin letters (souk's reading of "不得仅为数字或英文"). */
static bool beyond_ascii(const char *text)
{
    for (; text && *text; text++)
        if ((unsigned char)*text >= 0x80)
            return true;
    return false;
}

/* The item's price in fen as WeChat's sale_price, and the regular price as market_price while
 * a lower sale price runs (0 otherwise); the reason when there is none in CNY. */
static const char *fen_prices(const struct souk_channels__item *item, int64_t *sale,
                              int64_t *market)
{
    const char *price = item->values[SOUK_CHANNELS__PRICE];
    const char *space = price ? strchr(price, ' ') : NULL;
    if (!price || !space)
        return item->price_problem ? item->price_problem : "the variant has no price";
    if (strcmp(space + 1, "CNY") != 0)
        return "WeChat sells in CNY: the channel's currency must be CNY";
    if (item->price_minor <= 0)
        return "the price must be greater than zero";
    *sale = item->price_minor;
    *market = 0;
    const char *offer = item->values[SOUK_CHANNELS__SALE_PRICE];
    const char *offer_space = offer ? strchr(offer, ' ') : NULL;
    int64_t reduced;
    char amount[32];
    if (offer_space && strcmp(offer_space + 1, "CNY") == 0 &&
        (size_t)snprintf(amount, sizeof amount, "%.*s", (int)(offer_space - offer), offer) <
            sizeof amount &&
        souk_channels__parse_amount(amount, "CNY", &reduced) == SOUK_OK && reduced > 0 &&
        reduced < item->price_minor) {
        *market = item->price_minor;
        *sale = reduced;
    }
    return NULL;
}

size_t souk_channels__wechat_rules(const struct souk_channel *c,
                                   const struct souk_channels__item *item,
                                   souk_channels__report_fn report, void *arg)
{
    (void)c;
    size_t problems = 0, nimages = image_count(item);
    const char *title = item->values[SOUK_CHANNELS__TITLE];
    const char *price = item->values[SOUK_CHANNELS__PRICE];
    const char *space = price ? strchr(price, ' ') : NULL;
    char reason[200];
    if (space && strcmp(space + 1, "CNY") != 0) {
        report(arg, "sale_price", true, "WeChat sells in CNY: the channel's currency must be CNY");
        problems++;
    }
    if (nimages < MIN_IMAGES) {
        snprintf(reason, sizeof reason,
                 "WeChat needs %d different images (head_imgs) and the product has %zu", MIN_IMAGES,
                 nimages);
        report(arg, "head_imgs", true, reason);
        problems++;
    } else if (nimages > MAX_IMAGES) {
        snprintf(reason, sizeof reason,
                 "WeChat shows at most %d images: the first %d of the product's %zu are sent",
                 MAX_IMAGES, MAX_IMAGES, nimages);
        report(arg, "head_imgs", false, reason);
    }
    if (title && souk_str_utf8_chars(souk_str_from(title)) < MIN_TITLE_CHARS) {
        snprintf(reason, sizeof reason, "WeChat needs a title of at least %d characters",
                 MIN_TITLE_CHARS);
        report(arg, "title", true, reason);
        problems++;
    } else if (title && !beyond_ascii(title)) {
        report(arg, "title", true,
               "WeChat refuses a title made only of digits and Latin letters: give the product "
               "a Chinese title (a translation in the channel's locale)");
        problems++;
    }
    return problems;
}

/* ---- the push ---- */

/* The calls an item still needs, in the order they are made. */
enum stage { STAGE_UPDATE, STAGE_STOCK, STAGE_CREATE, STAGE_DONE };

/* What an answer means for the items of its call. */
enum verdict {
    TOOK,    /* errcode 0 */
    REFUSED, /* WeChat refused the request: sent again, it fails again */
    LOST,    /* 10020052: no such product (any more) */
    WAIT,    /* under review, or never listed: the item is tried again later */
    FAILED,  /* no answer, 5xx, busy, quota, token: the whole batch waits (out says why) */
};

struct push {
    const struct souk_channel *c;
    struct souk_channels__client *client;
    struct souk_pool *pool;
    struct souk_channels__batch_outcome *out;
    json_t *cats;            /* cats_v2, from the category_ids credential */
    const char *template_id; /* the freight template */
    struct souk_channels__push *items;
    enum stage *stage;
    size_t n;
    struct souk_channels__uploader uploader; /* the items' images, sent by send_image */
};

/* An id WeChat may write as a string or a number, as text in pool; NULL without one. */
static const char *id_text(struct souk_pool *pool, json_t *id)
{
    if (json_is_integer(id) && json_integer_value(id) > 0)
        return souk_pool_printf(pool, "%lld", (long long)json_integer_value(id));
    const char *s = json_string_value(id);
    return s && *s && strcmp(s, "0") != 0 ? souk_pool_strdup(pool, s) : NULL;
}

static const char *reason_text(struct souk_pool *pool, json_t *answer)
{
    const char *message = json_string_value(json_object_get(answer, "errmsg"));
    return souk_pool_printf(pool, "%s (WeChat errcode %lld)", message ? message : "refused",
                            (long long)souk_channels__wechat_errcode(answer));
}

/* What WeChat's answer (NULL: none, and t->out says why) to a call to path means. */
static enum verdict judge(struct push *t, const char *path, json_t *answer)
{
    if (!answer)
        return FAILED;
    int64_t code = souk_channels__wechat_errcode(answer);
    if (code == 0)
        return TOOK;
    if (souk_channels__wechat_transient(code)) {
        souk_channels__wechat_failed(t->out, path + strlen("/channels/ec/"), answer);
        return FAILED;
    }
    if (code == CODE_NO_PRODUCT)
        return LOST;
    return code == CODE_IN_REVIEW || code == CODE_NEVER_LISTED ? WAIT : REFUSED;
}

/* Sends body (consumed) to path and judges the answer; *answer is it or NULL (decref it). */
static enum verdict ask(struct push *t, const char *path, json_t *body, json_t **answer)
{
    *answer = souk_channels__wechat_call(t->c, t->client, t->pool, path, body, t->out);
    return judge(t, path, *answer);
}

static void finish(struct push *t, size_t i, enum souk_channels__result result, const char *error)
{
    t->stage[i] = STAGE_DONE;
    t->items[i].result = result;
    t->items[i].error = error;
}

/* WeChat no longer has the item's product: a variant still sold is created again (its new
 * ids replace the stale ones when the result is recorded); a deleted one is gone already. */
static void lose(struct push *t, size_t i)
{
    if (t->items[i].op == SOUK_CHANNELS__DELETE)
        finish(t, i, SOUK_CHANNELS__PUSHED, NULL);
    else
        t->stage[i] = STAGE_CREATE;
}

/* Settles the items idx[0..count) by a verdict other than TOOK and FAILED. */
static void settle(struct push *t, enum verdict v, json_t *answer, const size_t *idx, size_t count)
{
    const char *reason = reason_text(t->pool, answer);
    for (size_t k = 0; k < count; k++) {
        if (v == LOST)
            lose(t, idx[k]);
        else
            finish(t, idx[k], v == WAIT ? SOUK_CHANNELS__RETRY : SOUK_CHANNELS__REJECTED, reason);
    }
}

/* Ends a call WeChat did not take: settles the items by v (FAILED leaves them to the batch),
 * releases answer, and says whether the batch may go on. */
static bool not_taken(struct push *t, enum verdict v, json_t *answer, const size_t *idx,
                      size_t count)
{
    if (v != FAILED)
        settle(t, v, answer, idx, count);
    json_decref(answer);
    return v != FAILED;
}

static int64_t stock_of(const struct souk_channels__push *p)
{
    int64_t quantity;
    if (p->op == SOUK_CHANNELS__DELETE ||
        souk_str_to_i64(souk_str_from(p->item->values[SOUK_CHANNELS__QUANTITY]), 0, INT64_MAX,
                        &quantity) != SOUK_OK)
        return 0;
    return quantity;
}

/* The SKU's sale attributes: its colour and size, or its code when it has neither. */
static json_t *sku_attrs(const struct souk_channels__push *p)
{
    json_t *attrs = json_array();
    const char *color = p->item->values[SOUK_CHANNELS__COLOR];
    const char *size = p->item->values[SOUK_CHANNELS__SIZE];
    if (color)
        json_array_append_new(attrs,
                              json_pack("{s:s, s:s}", "attr_key", "颜色", "attr_value", color));
    if (size)
        json_array_append_new(attrs,
                              json_pack("{s:s, s:s}", "attr_key", "尺码", "attr_value", size));
    if (!color && !size)
        json_array_append_new(attrs,
                              json_pack("{s:s, s:s}", "attr_key", "规格", "attr_value", p->sku));
    return attrs;
}

/* Sets a SKU object's sale_price, market_price (dropped when 0) and stock_num. */
static void set_sku(json_t *sku, const struct souk_channels__push *p)
{
    int64_t sale = 0, market = 0;
    fen_prices(p->item, &sale, &market); /* next_call refused items without a price */
    json_object_set_new(sku, "sale_price", json_integer(sale));
    if (market)
        json_object_set_new(sku, "market_price", json_integer(market));
    else
        json_object_del(sku, "market_price");
    json_object_set_new(sku, "stock_num", json_integer(stock_of(p)));
}

/* head_imgs: WeChat's URLs of the item's images, main first (a new array). */
static json_t *head_imgs(const struct souk_channels__push *p)
{
    json_t *out = json_array();
    for (size_t i = 0; i < p->nimages; i++)
        json_array_append_new(out, json_string(p->images[i].ref));
    return out;
}

/* Sets the product members souk owns from the first item's product, whose images WeChat
 * holds. */
static void set_product(json_t *product, const struct souk_channels__push *lead)
{
    const struct souk_channels__item *first = lead->item;
    struct souk_str title = souk_textout_truncate_utf8(
        souk_str_from(first->values[SOUK_CHANNELS__TITLE] ? first->values[SOUK_CHANNELS__TITLE]
                                                          : ""),
        SIZE_MAX, MAX_TITLE_CHARS);
    const char *desc = first->values[SOUK_CHANNELS__DESCRIPTION];
    json_object_set_new(product, "title", json_stringn(title.ptr, title.len));
    json_object_set_new(product, "head_imgs", head_imgs(lead));
    json_t *info = json_object_get(product, "desc_info");
    if (!json_is_object(info)) {
        info = json_object();
        json_object_set_new(product, "desc_info", info);
    }
    json_object_set_new(info, "desc", json_string(desc ? desc : ""));
}

/* The members of a draft that product/update takes back (the rest are WeChat's own). */
static const char *const update_members[] = {
    "out_product_id",  "title",          "short_title",    "head_imgs",
    "desc_info",       "cats",           "cats_v2",        "attrs",
    "spu_code",        "brand_id",       "deliver_method", "deliver_acct_type",
    "express_info",    "aftersale_desc", "limited_info",   "extra_service",
    "after_sale_info", "size_chart",     "skus",           NULL,
};

/* The SKU of a draft's skus with this id, or NULL. */
static json_t *draft_sku(struct push *t, json_t *skus, const char *sku_id)
{
    size_t i;
    json_t *sku;
    json_array_foreach(skus, i, sku)
    {
        const char *id = id_text(t->pool, json_object_get(sku, "sku_id"));
        if (id && strcmp(id, sku_id) == 0)
            return sku;
    }
    return NULL;
}

/* ---- images: img/upload ---- */

/* Uploads one image (images.c fetched and checked it; the file is in part "media") for a link
 * (resp_type 1): WeChat answers pic_file.img_url. */
static bool send_image(void *arg, struct souk_str form, uint32_t width, uint32_t height,
                       const char **ref, const char **refusal,
                       struct souk_channels__batch_outcome *out)
{
    struct push *t = arg;
    const char *query = souk_pool_printf(t->pool, "&upload_type=0&resp_type=1&height=%u&width=%u",
                                         (unsigned)height, (unsigned)width);
    json_t *answer = souk_channels__wechat_post(
        t->c, t->client, t->pool, IMAGE_PATH, query,
        "multipart/form-data; boundary=" SOUK_CHANNELS__FORM_BOUNDARY, form, out);
    enum verdict v = judge(t, IMAGE_PATH, answer);
    if (v == TOOK)
        *ref = souk_channels__json_text(t->pool, json_object_get(answer, "pic_file"), "img_url");
    else if (v != FAILED)
        *refusal = reason_text(t->pool, answer);
    json_decref(answer);
    return v != FAILED;
}

/*
 * Makes sure WeChat holds the images of the first of the items idx[0..count) (one product,
 * whose head_imgs they are): an image already on WeChat's host is its own copy, the others are
 * uploaded unless the channel holds them. When one cannot be had, every item of the call is
 * settled with the reason (rejected, or retried when the merchant's server did not answer) and
 * *ready is false. False when WeChat failed the whole batch.
 */
static bool upload_images(struct push *t, const size_t *idx, size_t count, bool *ready)
{
    struct souk_channels__push *lead = &t->items[idx[0]];
    for (size_t i = 0; i < lead->nimages; i++)
        if (!lead->images[i].ref &&
            strncmp(lead->images[i].url, IMAGE_HOST, strlen(IMAGE_HOST)) == 0)
            lead->images[i].ref = lead->images[i].url;
    const char *reason = NULL;
    enum souk_channels__upload result =
        souk_channels__upload_images(&t->uploader, lead, &reason, t->out);
    *ready = result == SOUK_CHANNELS__UPLOADED;
    for (size_t k = 0; k < count && !*ready && result != SOUK_CHANNELS__UPLOAD_FAILED; k++)
        finish(t, idx[k],
               result == SOUK_CHANNELS__UNREACHABLE ? SOUK_CHANNELS__RETRY
                                                    : SOUK_CHANNELS__REJECTED,
               reason);
    return result != SOUK_CHANNELS__UPLOAD_FAILED;
}

/*
 * Known items of one WeChat product with a whole-item change: reads the draft, and when souk's
 * title, images, description or prices differ, sends the product back changed and lists it.
 * Then each item's stock is set. False when the whole batch must wait.
 */
static bool update_product(struct push *t, const size_t *idx, size_t count)
{
    const char *product_id = t->items[idx[0]].platform_id;
    json_t *answer, *update_answer = NULL;
    bool ready;
    if (!upload_images(t, idx, count, &ready))
        return false;
    if (!ready)
        return true;
    enum verdict v =
        ask(t, GET_PATH, json_pack("{s:s, s:i}", "product_id", product_id, "data_type", DRAFT),
            &answer);
    json_t *draft = json_object_get(answer, "edit_product");
    if (v == TOOK && !json_is_object(draft)) {
        snprintf(t->out->error, sizeof t->out->error,
                 "WeChat's product/get of %.40s has no edit_product", product_id);
        v = FAILED;
    }
    if (v != TOOK)
        return not_taken(t, v, answer, idx, count);
    json_t *body = json_pack("{s:s}", "product_id", product_id);
    for (const char *const *m = update_members; *m; m++)
        if (json_object_get(draft, *m))
            json_object_set_new(body, *m, json_deep_copy(json_object_get(draft, *m)));
    set_product(body, &t->items[idx[0]]);
    bool changed = false;
    static const char *const compared[] = {"title", "head_imgs", "desc_info", NULL};
    for (const char *const *m = compared; *m; m++)
        changed = changed || !json_equal(json_object_get(body, *m), json_object_get(draft, *m));
    json_t *skus = json_object_get(body, "skus");
    for (size_t k = 0; k < count; k++) {
        struct souk_channels__push *p = &t->items[idx[k]];
        json_t *sku = draft_sku(t, skus, p->platform_sku_id);
        if (!sku) {
            lose(t, idx[k]); /* the SKU left its product: it becomes a product of its own */
            continue;
        }
        json_t *was = json_deep_copy(sku);
        set_sku(sku, p);
        /* Stock alone goes through stock/update, which costs no review quota. */
        json_object_set(was, "stock_num", json_object_get(sku, "stock_num"));
        changed = changed || !json_equal(was, sku);
        json_decref(was);
        t->stage[idx[k]] = STAGE_STOCK;
    }
    json_decref(answer);
    v = TOOK;
    if (changed)
        v = ask(t, UPDATE_PATH, body, &update_answer);
    else
        json_decref(body);
    if (changed && v == TOOK) {
        json_decref(update_answer);
        v = ask(t, LISTING_PATH, json_pack("{s:s}", "product_id", product_id), &update_answer);
    }
    if (v != TOOK && v != FAILED) {
        /* Only the items still bound for their stock call are this product's. */
        for (size_t k = 0; k < count; k++)
            if (t->stage[idx[k]] == STAGE_STOCK)
                settle(t, v, update_answer, &idx[k], 1);
    }
    json_decref(update_answer);
    return v != FAILED;
}

/* Sets one known item's stock. False when the whole batch must wait. */
static bool set_stock(struct push *t, size_t i)
{
    const struct souk_channels__push *p = &t->items[i];
    json_t *answer;
    enum verdict v =
        ask(t, STOCK_PATH,
            json_pack("{s:s, s:s, s:i, s:I}", "product_id", p->platform_id, "sku_id",
                      p->platform_sku_id, "diff_type", DIFF_SET, "num", (json_int_t)stock_of(p)),
            &answer);
    if (v != TOOK)
        return not_taken(t, v, answer, &i, 1);
    finish(t, i, SOUK_CHANNELS__PUSHED, NULL);
    json_decref(answer);
    return true;
}

/*
 * New variants of one souk product as one WeChat product: add, read the SKU ids back from the
 * draft, list. The ids are kept even when the listing is refused, so the next change updates
 * the product instead of adding it again. False when the whole batch must wait.
 */
static bool create_product(struct push *t, const size_t *idx, size_t count)
{
    const struct souk_channels__item *first = t->items[idx[0]].item;
    bool ready;
    if (!upload_images(t, idx, count, &ready))
        return false;
    if (!ready)
        return true;
    json_t *skus = json_array();
    for (size_t k = 0; k < count; k++) {
        const struct souk_channels__push *p = &t->items[idx[k]];
        json_t *sku = json_pack("{s:s, s:o}", "out_sku_id", p->sku, "sku_attrs", sku_attrs(p));
        set_sku(sku, p);
        json_array_append_new(skus, sku);
    }
    json_t *body = json_pack("{s:s, s:O, s:i, s:{s:s}, s:o}", "out_product_id", first->product_id,
                             "cats_v2", t->cats, "deliver_method", BY_EXPRESS, "express_info",
                             "template_id", t->template_id, "skus", skus);
    set_product(body, &t->items[idx[0]]);
    json_t *answer;
    enum verdict v = ask(t, ADD_PATH, body, &answer);
    const char *product_id =
        id_text(t->pool, json_object_get(json_object_get(answer, "data"), "product_id"));
    if (v == LOST) /* an add is never "no such product"; if WeChat says so, retrying won't help */
        v = REFUSED;
    if (v == TOOK && !product_id) {
        snprintf(t->out->error, sizeof t->out->error, "WeChat added a product but named no id");
        v = FAILED;
    }
    if (v != TOOK)
        return not_taken(t, v, answer, idx, count);
    json_decref(answer);
    v = ask(t, GET_PATH, json_pack("{s:s, s:i}", "product_id", product_id, "data_type", DRAFT),
            &answer);
    json_t *draft_skus = json_object_get(json_object_get(answer, "edit_product"), "skus");
    for (size_t k = 0; v == TOOK && k < count; k++) {
        struct souk_channels__push *p = &t->items[idx[k]];
        const char *sku_id = NULL;
        size_t i;
        json_t *sku;
        json_array_foreach(draft_skus, i, sku)
        {
            const char *out_sku = json_string_value(json_object_get(sku, "out_sku_id"));
            if (!sku_id && out_sku && strcmp(out_sku, p->sku) == 0)
                sku_id = id_text(t->pool, json_object_get(sku, "sku_id"));
        }
        p->new_platform_id = product_id;
        p->new_platform_sku_id = sku_id;
        if (sku_id)
            finish(t, idx[k], SOUK_CHANNELS__PUSHED, NULL);
        else
            finish(
                t, idx[k], SOUK_CHANNELS__REJECTED,
                souk_pool_printf(t->pool, "WeChat added product %s without this SKU", product_id));
    }
    json_decref(answer);
    if (v == TOOK)
        v = ask(t, LISTING_PATH, json_pack("{s:s}", "product_id", product_id), &answer);
    else
        answer = NULL;
    if (v == REFUSED || v == WAIT) {
        const char *reason = reason_text(t->pool, answer);
        for (size_t k = 0; k < count; k++)
            if (t->items[idx[k]].result == SOUK_CHANNELS__PUSHED) {
                t->items[idx[k]].result = SOUK_CHANNELS__REJECTED;
                t->items[idx[k]].error = reason;
            }
    }
    json_decref(answer);
    return v != FAILED;
}

/*
 * Collects into idx the items at stage s that go in one call with the first of them: those of
 * the same souk product (to create) or WeChat product (to update); one item to set stock.
 * Items without a CNY price are refused here when the call needs it.
 */
static size_t next_call(struct push *t, enum stage s, size_t *idx)
{
    size_t count = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct souk_channels__push *p = &t->items[i];
        int64_t sale, market;
        const char *problem;
        if (t->stage[i] != s || (s == STAGE_STOCK && count == 1))
            continue;
        if (s != STAGE_STOCK &&
            ((problem = fen_prices(p->item, &sale, &market)) ||
             (problem = souk_channels__unsendable(t->pool, souk_channels__wechat_rules, t->c,
                                                  p->item)))) {
            finish(t, i, SOUK_CHANNELS__REJECTED, problem);
            continue;
        }
        const struct souk_channels__push *first = count ? &t->items[idx[0]] : NULL;
        if (!first || (s == STAGE_CREATE ? strcmp(p->item->product_id, first->item->product_id) == 0
                                         : strcmp(p->platform_id, first->platform_id) == 0))
            idx[count++] = i;
    }
    return count;
}

/* Reads category_ids ("10000212,10000213,547805") as cats_v2 [{"cat_id"}]; NULL unless each
 * is a run of digits. */
static json_t *categories(const char *text)
{
    json_t *list = souk_channels__list_array(text), *cats = json_array(), *id;
    size_t i;
    json_array_foreach(list, i, id)
    {
        int64_t n;
        if (souk_str_to_i64(souk_str_from(json_string_value(id)), 1, INT64_MAX, &n) != SOUK_OK)
            break;
        json_array_append_new(cats, json_pack("{s:O}", "cat_id", id));
    }
    if (i < json_array_size(list) || json_array_size(cats) == 0) {
        json_decref(cats);
        cats = NULL;
    }
    json_decref(list);
    return cats;
}

static const char *const catalog_credentials[] = {"category_ids", "freight_template_id", NULL};

/*
 * Known items first (whole-item changes by WeChat product, then each stock), so a variant
 * whose product WeChat lost joins the adds of its souk product. A batch-wide failure stops
 * the push: what WeChat took stays taken, the rest is RETRY.
 */
int souk_channels__wechat_push(const struct souk_channel *c, struct souk_channels__client *client,
                               struct souk_pool *pool, struct souk_channels__push *items, size_t n,
                               struct souk_channels__batch_outcome *out)
{
    for (size_t i = 0; i < n; i++)
        items[i].result = SOUK_CHANNELS__RETRY;
    for (const char *const *name = catalog_credentials; *name; name++)
        if (!souk_channels__credential(c, *name)) {
            snprintf(out->error, sizeof out->error,
                     "a wechat channel needs the credential \"%s\" to push products (orders "
                     "flow without it)",
                     *name);
            return SOUK_OK;
        }
    struct push t = {
        .c = c,
        .client = client,
        .pool = pool,
        .out = out,
        .cats = categories(souk_channels__credential(c, "category_ids")),
        .template_id = souk_channels__credential(c, "freight_template_id"),
        .items = items,
        .stage = souk_pool_alloc(pool, n * sizeof *t.stage),
        .n = n,
        .uploader = {.client = client,
                     .pool = pool,
                     .platform = "WeChat",
                     .max_bytes = MAX_IMAGE_BYTES,
                     .part = "media",
                     .send = send_image,
                     .items = items,
                     .n = n},
    };
    t.uploader.arg = &t;
    if (!t.cats) {
        snprintf(out->error, sizeof out->error,
                 "the credential \"category_ids\" must be WeChat cat_ids from the first level to "
                 "the leaf, separated by commas");
        return SOUK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        bool known = items[i].platform_id && items[i].platform_sku_id;
        t.stage[i] = !known                                 ? STAGE_CREATE
                     : items[i].op == SOUK_CHANNELS__UPSERT ? STAGE_UPDATE
                                                            : STAGE_STOCK;
        if (!known && items[i].op == SOUK_CHANNELS__DELETE)
            finish(&t, i, SOUK_CHANNELS__PUSHED, NULL); /* WeChat never had it */
    }
    size_t *idx = souk_pool_alloc(pool, n * sizeof *idx);
    bool ok = true;
    for (enum stage s = STAGE_UPDATE; s < STAGE_DONE && ok; s++)
        for (size_t count; ok && (count = next_call(&t, s, idx)) > 0;)
            ok = s == STAGE_UPDATE  ? update_product(&t, idx, count)
                 : s == STAGE_STOCK ? set_stock(&t, idx[0])
                                    : create_product(&t, idx, count);
    for (size_t i = 0; i < n; i++)
        if (t.stage[i] != STAGE_DONE)
            items[i].result = SOUK_CHANNELS__RETRY;
    json_decref(t.cats);
    return SOUK_OK;
}

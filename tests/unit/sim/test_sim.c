/*
 * Unit tests for sim/: a simulator started in-process on a free loopback port, spoken to over
 * HTTP with libcurl. Each test gets a fresh simulator. TikTok signatures are computed here from
 * the documented recipe, independently of the simulator's code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/str.h"
#include "sim/sim.h"

#define TIKTOK_SECRET "sim-tiktok-app-secret"
#define META_AUTH "Authorization: Bearer sim-meta-access-token"
#define PIN_AUTH "Authorization: Bearer sim-pinterest-access-token"
#define GOOGLE_AUTH "Authorization: Bearer sim-google-access-token"

struct resp {
    long status;
    struct souk_buf body;
    json_t *json; /* NULL when the body is not JSON */
    char retry_after[16];
    CURLcode rc;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    return souk_buf_add(arg, data, size * n) == SOUK_OK ? size * n : 0;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    struct resp *r = arg;
    if (strncasecmp(line, "Retry-After: ", 13) == 0)
        snprintf(r->retry_after, sizeof r->retry_after, "%.*s",
                 (int)strcspn(line + 13, "\r\n"), line + 13);
    return size * n;
}

/* Sends method path with the NULL-terminated headers and the len bytes of body (may be NULL). */
static void call_bytes(struct souk_sim *sim, const char *method, const char *path,
                       const char *body, size_t len, const char *const *headers, struct resp *r)
{
    char url[4096];
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    CURL *curl = curl_easy_init();
    memset(r, 0, sizeof *r);
    souk_buf_init(&r->body, 64 << 20);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", souk_sim_port(sim), path);
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    r->rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
}

/* Sends method path with the NULL-terminated headers and body (text; may be NULL). */
static void call(struct souk_sim *sim, const char *method, const char *path, const char *body,
                 const char *const *headers, struct resp *r)
{
    call_bytes(sim, method, path, body, body ? strlen(body) : 0, headers, r);
}

static void release(struct resp *r)
{
    json_decref(r->json);
    souk_buf_release(&r->body);
}

/* The integer at a dotted path such as "error.code" (fails the test when absent). */
static json_int_t int_at(json_t *root, const char *path)
{
    char copy[128];
    snprintf(copy, sizeof copy, "%s", path);
    json_t *v = root;
    for (char *save = NULL, *key = strtok_r(copy, ".", &save); key; key = strtok_r(NULL, ".", &save))
        v = json_object_get(v, key);
    if (!json_is_integer(v))
        fail_msg("no integer at %s", path);
    return json_integer_value(v);
}

/* Sends method path and asserts the status; returns the parsed body (caller decrefs). */
static json_t *expect(struct souk_sim *sim, const char *method, const char *path,
                      const char *body, const char *const *headers, long status)
{
    struct resp r;
    call(sim, method, path, body, headers, &r);
    if (r.status != status)
        fail_msg("%s %s: status %ld, want %ld: %s", method, path, r.status, status, r.body.data);
    json_t *json = json_incref(r.json);
    release(&r);
    return json;
}

/* An item as GET /_sim/items/{platform}/{id} shows it, or NULL when the sim holds none. */
static json_t *sim_item(struct souk_sim *sim, const char *platform, const char *id)
{
    char path[256];
    struct resp r;
    snprintf(path, sizeof path, "/_sim/items/%s/%s", platform, id);
    call(sim, "GET", path, NULL, NULL, &r);
    json_t *item = r.status == 200 ? json_incref(r.json) : NULL;
    release(&r);
    return item;
}

static int start(void **state)
{
    struct souk_sim_config config = {.listen = "127.0.0.1:0"};
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim *sim = NULL;
    if (souk_sim_start(&config, &sim, &err) != SOUK_OK)
        fail_msg("souk_sim_start: %s", err.message);
    *state = sim;
    return 0;
}

static int stop(void **state)
{
    souk_sim_stop(*state);
    return 0;
}

/* ---- TikTok ---- */

/* The TikTok sign of path + query + body: HMAC-SHA256(secret, secret + path + sorted k+v +
 * body + secret) in lower-case hex. The query pairs are given already sorted by key. */
static void tiktok_sign(const char *path, const char *const *sorted_pairs, const char *body,
                        char hex[65])
{
    char msg[8192];
    size_t used = (size_t)snprintf(msg, sizeof msg, "%s%s", TIKTOK_SECRET, path);
    for (size_t i = 0; sorted_pairs[i]; i += 2)
        used += (size_t)snprintf(msg + used, sizeof msg - used, "%s%s", sorted_pairs[i],
                                 sorted_pairs[i + 1]);
    used += (size_t)snprintf(msg + used, sizeof msg - used, "%s%s", body, TIKTOK_SECRET);
    unsigned char mac[32];
    unsigned len = sizeof mac;
    assert_non_null(HMAC(EVP_sha256(), TIKTOK_SECRET, (int)strlen(TIKTOK_SECRET),
                         (const unsigned char *)msg, used, mac, &len));
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

/* Sends a signed TikTok POST of the len bytes of body as content_type, whose timestamp is now
 * + skew_s; sign_body is what the sign covers (normally body; "" for multipart). The query is
 * sent out of order: the sim must sort it. */
static void tiktok_send(struct souk_sim *sim, const char *path, const char *body, size_t len,
                        const char *content_type, const char *sign_body, long skew_s,
                        const char *token, struct resp *r)
{
    char ts[32], sign[65], url[1024], auth[128], type[128];
    snprintf(ts, sizeof ts, "%ld", (long)time(NULL) + skew_s);
    const char *pairs[] = {"app_key", "sim-tiktok-app-key", "shop_cipher",
                           "sim-tiktok-shop-cipher", "timestamp", ts, NULL};
    tiktok_sign(path, pairs, sign_body, sign);
    snprintf(url, sizeof url, "%s?timestamp=%s&sign=%s&shop_cipher=sim-tiktok-shop-cipher"
             "&app_key=sim-tiktok-app-key&access_token=ignored", path, ts, sign);
    snprintf(auth, sizeof auth, "x-tts-access-token: %s", token);
    snprintf(type, sizeof type, "Content-Type: %s", content_type);
    const char *headers[] = {type, auth, NULL};
    call_bytes(sim, "POST", url, body, len, headers, r);
}

static void tiktok_call(struct souk_sim *sim, const char *path, const char *body,
                        const char *sign_body, long skew_s, const char *token, struct resp *r)
{
    tiktok_send(sim, path, body, strlen(body), "application/json", sign_body, skew_s, token, r);
}

#define TT_TOKEN "sim-tiktok-access-token"
#define TT_BOUNDARY "b0undary-7f"
#define TT_PACKAGE                                                                                 \
    "\"package_weight\": {\"value\": \"0.35\", \"unit\": \"KILOGRAM\"}, "                         \
    "\"package_dimensions\": {\"length\": \"30\", \"width\": \"20\", \"height\": \"2\", "         \
    "\"unit\": \"CENTIMETER\"}"
/* The shirt, shown with the image at uri (one printf argument). */
#define TT_PRODUCT                                                                                 \
    "{\"title\": \"Linen Shirt\", \"description\": \"Light\", \"category_id\": \"601226\", "      \
    "\"main_images\": [{\"uri\": \"%s\"}], " TT_PACKAGE ", "                                      \
    "\"skus\": [{\"seller_sku\": \"SHIRT-S\", \"price\": {\"amount\": \"49.90\", "                \
    "\"currency\": \"EUR\"}, \"inventory\": [{\"warehouse_id\": \"w1\", \"quantity\": 5}]}]}"

/* Writes into form (boundary TT_BOUNDARY) the image the sim serves at name ("800x800.png"),
 * or text instead when not NULL, in the form part called part. */
static void image_form(struct souk_sim *sim, const char *part, const char *name,
                       const char *text, struct souk_buf *form)
{
    struct resp image = {0};
    char path[64];
    if (!text) {
        snprintf(path, sizeof path, "/_sim/images/%s", name);
        call(sim, "GET", path, NULL, NULL, &image);
        assert_int_equal(image.status, 200);
    }
    assert_int_equal(souk_buf_addf(form,
                                   "--" TT_BOUNDARY "\r\nContent-Disposition: form-data; "
                                   "name=\"%s\"; filename=\"a.png\"\r\n\r\n",
                                   part),
                     SOUK_OK);
    assert_int_equal(text ? souk_buf_addstr(form, text)
                          : souk_buf_add(form, image.body.data, image.body.len),
                     SOUK_OK);
    assert_int_equal(souk_buf_addstr(form, "\r\n--" TT_BOUNDARY "--\r\n"), SOUK_OK);
    if (!text)
        release(&image);
}

/* Uploads the image the sim serves at name, or text instead when not NULL, as Upload Product
 * Image takes it; r holds the answer. */
static void tiktok_upload(struct souk_sim *sim, const char *name, const char *text,
                          struct resp *r)
{
    struct souk_buf form = SOUK_BUF_INIT(8 << 20);
    image_form(sim, "data", name, text, &form);
    tiktok_send(sim, "/product/202309/images/upload", form.data, form.len,
                "multipart/form-data; boundary=" TT_BOUNDARY, "", 0, TT_TOKEN, r);
    souk_buf_release(&form);
}

/* Uploads the image at name and writes the uri TikTok answered. */
static void tiktok_image(struct souk_sim *sim, const char *name, char uri[96])
{
    struct resp r;
    tiktok_upload(sim, name, NULL, &r);
    if (r.status != 200 || int_at(r.json, "code") != 0)
        fail_msg("upload: %ld %s", r.status, r.body.data);
    snprintf(uri, 96, "%s", json_string_value(json_object_get(json_object_get(r.json, "data"),
                                                              "uri")));
    release(&r);
}

/* Creates the shirt; writes its one SKU id and the path of its SKUs' update of this kind
 * ("inventory" or "prices"). */
static void tiktok_create(struct souk_sim *sim, const char *update, char path[128],
                          char sku_id[32])
{
    struct resp r;
    char uri[96], body[1024];
    tiktok_image(sim, "800x800.png", uri);
    snprintf(body, sizeof body, TT_PRODUCT, uri);
    tiktok_call(sim, "/product/202309/products", body, body, 0, TT_TOKEN, &r);
    if (r.status != 200 || int_at(r.json, "code") != 0)
        fail_msg("create: %ld %s", r.status, r.body.data);
    json_t *data = json_object_get(r.json, "data");
    snprintf(path, 128, "/product/202309/products/%s/%s/update",
             json_string_value(json_object_get(data, "product_id")), update);
    snprintf(sku_id, 32, "%s", json_string_value(json_object_get(
                                   json_array_get(json_object_get(data, "skus"), 0), "id")));
    release(&r);
}

/* Sends a TikTok update signed over sign_body and asserts the HTTP status and TikTok code. */
static void tiktok_expect(struct souk_sim *sim, const char *path, const char *body,
                          const char *sign_body, long skew_s, const char *token, long status,
                          json_int_t code)
{
    struct resp r;
    tiktok_call(sim, path, body, sign_body, skew_s, token, &r);
    if (r.status != status || int_at(r.json, "code") != code)
        fail_msg("%s: %ld %s, want %ld and code %lld", path, r.status, r.body.data, status,
                 (long long)code);
    assert_non_null(json_object_get(r.json, "request_id"));
    release(&r);
}

/* The integer at path in the item GET /_sim/items/{platform}/{id} shows. */
static json_int_t item_int(struct souk_sim *sim, const char *platform, const char *id,
                           const char *path)
{
    json_t *item = sim_item(sim, platform, id);
    if (!item)
        fail_msg("%s holds no item %s", platform, id);
    json_int_t value = int_at(item, path);
    json_decref(item);
    return value;
}

static void tiktok_signature_is_checked(void **state)
{
    struct souk_sim *sim = *state;
    char path[128], sku_id[32], body[256];
    tiktok_create(sim, "inventory", path, sku_id);
    snprintf(body, sizeof body, "{\"skus\": [{\"id\": \"%s\", \"inventory\": "
             "[{\"warehouse_id\": \"w1\", \"quantity\": 0}]}]}", sku_id);

    /* A sign over another body, an old timestamp, a wrong token: refused, nothing changes. */
    tiktok_expect(sim, path, body, "{}", 0, TT_TOKEN, 401, 106001);
    tiktok_expect(sim, path, body, body, -600, TT_TOKEN, 401, 106014);
    tiktok_expect(sim, path, body, body, 0, "not-the-token", 401, 105002);
    assert_int_equal(item_int(sim, "tiktok", "SHIRT-S", "quantity"), 5);

    /* Signed right, within the window: TikTok now shows SHIRT-S with quantity 0. */
    tiktok_expect(sim, path, body, body, 100, TT_TOKEN, 200, 0);
    assert_int_equal(item_int(sim, "tiktok", "SHIRT-S", "quantity"), 0);
    assert_int_equal(item_int(sim, "tiktok", sku_id, "quantity"), 0);
}

static void tiktok_updates_are_checked_whole(void **state)
{
    struct souk_sim *sim = *state;
    char path[128], sku_id[32], body[512];
    tiktok_create(sim, "prices", path, sku_id);
    /* One good SKU and one unknown: nothing is applied. */
    snprintf(body, sizeof body, "{\"skus\": [{\"id\": \"%s\", \"price\": {\"amount\": \"39.90\", "
             "\"currency\": \"EUR\"}}, {\"id\": \"999\", \"price\": {\"amount\": \"1\", "
             "\"currency\": \"EUR\"}}]}", sku_id);
    tiktok_expect(sim, path, body, body, 0, TT_TOKEN, 404, 12052048);
    snprintf(body, sizeof body, "{\"skus\": [{\"id\": \"%s\", \"price\": {\"amount\": "
             "\"39.999\", \"currency\": \"EUR\"}}]}", sku_id);
    tiktok_expect(sim, path, body, body, 0, TT_TOKEN, 400, 36009004);
    assert_int_equal(item_int(sim, "tiktok", sku_id, "price.amount_minor"), 4990);
    snprintf(body, sizeof body, "{\"skus\": [{\"id\": \"%s\", \"price\": {\"amount\": "
             "\"39.90\", \"currency\": \"EUR\"}}]}", sku_id);
    tiktok_expect(sim, path, body, body, 0, TT_TOKEN, 200, 0);
    assert_int_equal(item_int(sim, "tiktok", sku_id, "price.amount_minor"), 3990);
}

/* Asserts a 400 in TikTok's envelope whose message holds needle. */
static void tiktok_refused(struct resp *r, const char *needle)
{
    if (r->status != 400 || int_at(r->json, "code") != 36009004 ||
        !json_is_string(json_object_get(r->json, "request_id")) ||
        !json_is_null(json_object_get(r->json, "data")) ||
        !strstr(json_string_value(json_object_get(r->json, "message")), needle))
        fail_msg("want 400, code 36009004 and \"%s\": %ld %s", needle, r->status, r->body.data);
    release(r);
}

static void tiktok_images_are_uploaded_as_files(void **state)
{
    struct souk_sim *sim = *state;
    struct resp r;
    tiktok_upload(sim, "1200x900.png", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    assert_true(strncmp(json_string_value(json_object_get(data, "uri")),
                        "tos-maliva-i-o3syd03w52-us/", 27) == 0);
    assert_int_equal(int_at(data, "width"), 1200);
    assert_int_equal(int_at(data, "height"), 900);
    assert_string_equal(json_string_value(json_object_get(data, "use_case")), "MAIN_IMAGE");
    assert_non_null(json_string_value(json_object_get(data, "url")));
    release(&r);
    tiktok_upload(sim, "50x50.png", NULL, &r);
    tiktok_refused(&r, "100 to 20000");
    tiktok_upload(sim, NULL, "GIF89a, not a picture TikTok takes", &r);
    tiktok_refused(&r, "JPG, JPEG or PNG");
    /* Not a form: the file is what TikTok takes, never a link to it. */
    tiktok_call(sim, "/product/202309/images/upload", "{\"url\": \"https://x.test/a.png\"}",
                "{\"url\": \"https://x.test/a.png\"}", 0, TT_TOKEN, &r);
    tiktok_refused(&r, "multipart/form-data");
}

/* ---- WeChat: img/upload, and product/add taking only its links ---- */

#define WX_TOKEN "access_token=sim-wechat-access-token"

/* Uploads the image the sim serves at name, or text instead when not NULL, in part "media" to
 * img/upload with query (after the path's "?"); r holds the answer. */
static void wechat_upload(struct souk_sim *sim, const char *name, const char *text,
                          const char *query, struct resp *r)
{
    char path[256];
    struct souk_buf form = SOUK_BUF_INIT(8 << 20);
    image_form(sim, "media", name, text, &form);
    snprintf(path, sizeof path, "/channels/ec/basics/img/upload?%s", query);
    call_bytes(sim, "POST", path, form.data, form.len,
               (const char *const[]){"Content-Type: multipart/form-data; boundary=" TT_BOUNDARY,
                                     NULL},
               r);
    souk_buf_release(&form);
}

/* Asserts an answer is HTTP 200 with errcode code and errmsg holding needle; releases it. */
static void wechat_answered(struct resp *r, json_int_t code, const char *needle)
{
    if (r->status != 200 || int_at(r->json, "errcode") != code ||
        !strstr(json_string_value(json_object_get(r->json, "errmsg")), needle))
        fail_msg("want errcode %lld and \"%s\": %ld %s", (long long)code, needle, r->status,
                 r->body.data);
    release(r);
}

static void wechat_takes_only_images_uploaded_to_it(void **state)
{
    struct souk_sim *sim = *state;
    struct resp r;
    char links[3][128];
    for (int i = 0; i < 3; i++) {
        wechat_upload(sim, "1200x900.png", NULL,
                      WX_TOKEN "&upload_type=0&resp_type=1&height=900&width=1200", &r);
        const char *link = json_string_value(
            json_object_get(json_object_get(r.json, "pic_file"), "img_url"));
        if (r.status != 200 || int_at(r.json, "errcode") != 0 || !link)
            fail_msg("upload: %ld %s", r.status, r.body.data);
        assert_true(strncmp(link, "https://mmecimage.cn/p/wxsim0000000001/", 39) == 0);
        snprintf(links[i], sizeof links[i], "%s", link);
        release(&r);
    }
    assert_string_not_equal(links[0], links[1]);
    wechat_upload(sim, "1200x900.png", NULL,
                  WX_TOKEN "&upload_type=0&resp_type=1&height=100&width=100", &r);
    wechat_answered(&r, 47001, "height and width must be the image's: 900 and 1200");
    wechat_upload(sim, NULL, "GIF89a, no picture WeChat takes",
                  WX_TOKEN "&upload_type=0&resp_type=1&height=1&width=1", &r);
    wechat_answered(&r, 47001, "JPEG or PNG");
    wechat_upload(sim, "1200x900.png", NULL, WX_TOKEN "&height=900&width=1200", &r);
    wechat_answered(&r, 47001, "upload_type");
    wechat_upload(sim, "1200x900.png", NULL,
                  "access_token=wrong&upload_type=0&resp_type=1&height=900&width=1200", &r);
    wechat_answered(&r, 40001, "invalid credential");

    /* product/add: the merchant's own URL is refused (10020035), the uploaded links taken. */
    static const char add[] =
        "{\"out_product_id\": \"p1\", \"title\": \"青瓷茶具套装\", \"head_imgs\": "
        "[\"%s\", \"%s\", \"%s\"], \"cats_v2\": [{\"cat_id\": \"1\"}], \"deliver_method\": 0, "
        "\"express_info\": {\"template_id\": \"5\"}, \"skus\": [{\"out_sku_id\": \"S\", "
        "\"sale_price\": 100, \"stock_num\": 1, \"sku_attrs\": []}]}";
    char body[1024];
    snprintf(body, sizeof body, add, links[0], "https://cdn.example.com/b.jpg", links[2]);
    call(sim, "POST", "/channels/ec/product/add?" WX_TOKEN, body, NULL, &r);
    wechat_answered(&r, 10020035, "head_imgs[1] is not an image this shop uploaded");
    snprintf(body, sizeof body, add, links[0], links[1], links[2]);
    call(sim, "POST", "/channels/ec/product/add?" WX_TOKEN, body, NULL, &r);
    wechat_answered(&r, 0, "ok");
}

/* Create Product is refused for what TikTok requires and the body lacks; nothing is created. */
static void tiktok_create_needs_images_package_and_sales_attributes(void **state)
{
    struct souk_sim *sim = *state;
    char uri[96], small[96], body[2048];
    tiktok_image(sim, "800x800.png", uri);
    tiktok_image(sim, "200x200.png", small);
#define SKU(sku, attrs)                                                                            \
    "{\"seller_sku\": \"" sku "\", " attrs "\"price\": {\"amount\": \"9.90\", \"currency\": "       \
    "\"USD\"}, \"inventory\": [{\"warehouse_id\": \"w1\", \"quantity\": 1}]}"
#define SIZE(v) "\"sales_attributes\": [{\"name\": \"Size\", \"value_name\": \"" v "\"}], "
    static const struct {
        const char *images, *package, *skus, *want;
    } cases[] = {
        {"", TT_PACKAGE ", ", SKU("A", ""), "main_images must be an array"},
        {"[{\"uri\": \"tos-maliva-i-o3syd03w52-us/1\"}]", TT_PACKAGE ", ", SKU("A", ""),
         "not an image uploaded"},
        {"[{\"uri\": \"%2$s\"}]", TT_PACKAGE ", ", SKU("A", ""), "300 to 4000"},
        {"[{\"uri\": \"%1$s\"}]", "", SKU("A", ""), "package_weight is required"},
        {"[{\"uri\": \"%1$s\"}]", "\"package_weight\": {\"value\": \"350\", \"unit\": \"GRAM\"}, ",
         SKU("A", ""), "KILOGRAM"},
        {"[{\"uri\": \"%1$s\"}]", "\"package_weight\": {\"value\": \"0\", \"unit\": "
         "\"KILOGRAM\"}, ", SKU("A", ""), "positive"},
        {"[{\"uri\": \"%1$s\"}]", "\"package_weight\": {\"value\": \"1\", \"unit\": "
         "\"KILOGRAM\"}, ", SKU("A", ""), "package_dimensions is required"},
        {"[{\"uri\": \"%1$s\"}]", "\"package_weight\": {\"value\": \"1\", \"unit\": "
         "\"KILOGRAM\"}, \"package_dimensions\": {\"length\": \"1\", \"width\": \"1\", "
         "\"height\": \"1\", \"unit\": \"INCH\"}, ", SKU("A", ""), "INCH with POUND"},
        {"[{\"uri\": \"%1$s\"}]", TT_PACKAGE ", ", SKU("A", "") ", " SKU("B", ""),
         "sales_attributes is required"},
        {"[{\"uri\": \"%1$s\"}]", TT_PACKAGE ", ", SKU("A", SIZE("M")) ", " SKU("B", SIZE("M")),
         "same sales attribute values"},
        {"[{\"uri\": \"%1$s\"}]", TT_PACKAGE ", ",
         SKU("A", "\"sales_attributes\": [{\"name\": \"A name of twenty-one!\", \"value_name\": "
                  "\"M\"}], "),
         "name of 1 to 20"},
        {"[{\"uri\": \"%1$s\"}]", TT_PACKAGE ", ",
         SKU("A-SELLER-SKU-OF-FIFTY-ONE-CHARACTERS-IS-QUITE-LONG1", ""), "seller_sku"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char images[256];
        /* %1$s is the uploaded 800x800 image, %2$s the 200x200 one. */
        snprintf(images, sizeof images, cases[i].images, uri, small);
        snprintf(body, sizeof body,
                 "{\"title\": \"Tee\", \"description\": \"A tee\", \"category_id\": \"1\", "
                 "%s%s%s%s\"skus\": [%s]}",
                 images[0] ? "\"main_images\": " : "", images, images[0] ? ", " : "",
                 cases[i].package, cases[i].skus);
        struct resp r;
        tiktok_call(sim, "/product/202309/products", body, body, 0, TT_TOKEN, &r);
        if (r.status != 400 || !strstr(r.body.data, cases[i].want))
            fail_msg("case %zu: want 400 \"%s\": %ld %s", i, cases[i].want, r.status,
                     r.body.data);
        tiktok_refused(&r, cases[i].want);
    }
    assert_null(sim_item(sim, "tiktok", "A"));

    /* Two sizes, told apart: created, with the product's images and package on each SKU. */
    snprintf(body, sizeof body,
             "{\"title\": \"Tee\", \"description\": \"A tee\", \"category_id\": \"1\", "
             "\"main_images\": [{\"uri\": \"%s\"}], " TT_PACKAGE ", \"skus\": [" SKU("A", SIZE("S"))
             ", " SKU("B", SIZE("M")) "]}",
             uri);
    struct resp r;
    tiktok_call(sim, "/product/202309/products", body, body, 0, TT_TOKEN, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(
                                               json_array_get(json_object_get(
                                                                  json_object_get(r.json, "data"),
                                                                  "skus"),
                                                              1),
                                               "sales_attributes"),
                                           0),
                            "value_name")),
                        "M");
    release(&r);
    json_t *item = sim_item(sim, "tiktok", "B");
    json_t *fields = json_object_get(item, "fields");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(fields, "main_images"), 0), "uri")),
                        uri);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(fields, "package_weight"), "value")),
        "0.35");
    json_decref(item);
#undef SKU
#undef SIZE
}

/* ---- Meta ---- */

#define META_BATCH "/v21.0/1234567890/items_batch"
#define META_GOOD                                                                                  \
    "{\"method\": \"CREATE\", \"data\": {\"id\": \"SKU-1\", \"title\": \"Shirt\", "                \
    "\"description\": \"Linen\", \"availability\": \"in stock\", \"condition\": \"new\", "        \
    "\"price\": \"9.99 USD\", \"link\": \"https://shop.test/p/1\", \"image_link\": "              \
    "\"https://shop.test/i/1.jpg\", \"brand\": \"Souk\", \"quantity_to_sell_on_facebook\": 3}}"

static void meta_validates_each_item(void **state)
{
    struct souk_sim *sim = *state;
    const char *const json_auth[] = {"Content-Type: application/json", META_AUTH, NULL};
    json_t *answer = expect(
        sim, "POST", META_BATCH,
        "{\"item_type\": \"PRODUCT_ITEM\", \"requests\": [" META_GOOD ", "
        "{\"method\": \"UPDATE\", \"data\": {\"id\": \"SKU-2\", \"title\": \"No price\"}}, "
        "{\"method\": \"UPDATE\", \"data\": {\"id\": \"SKU-1\", \"price\": \"9,99 USD\"}}, "
        "{\"method\": \"UPDATE\", \"data\": {\"id\": \"SKU-1\", \"availability\": \"maybe\"}}, "
        "{\"method\": \"PATCH\", \"data\": {\"id\": \"SKU-3\"}}]}",
        json_auth, 200);
    const char *handle = json_string_value(json_array_get(json_object_get(answer, "handles"), 0));
    assert_non_null(handle);
    char path[256];
    snprintf(path, sizeof path, "/v21.0/1234567890/check_batch_request_status?handle=%s", handle);
    json_decref(answer);
    const char *const auth[] = {META_AUTH, NULL};
    json_t *status = expect(sim, "GET", path, NULL, auth, 200);
    json_t *batch = json_array_get(json_object_get(status, "data"), 0);
    assert_string_equal(json_string_value(json_object_get(batch, "status")), "finished");
    assert_int_equal(int_at(batch, "errors_total_count"), 4);
    json_t *errors = json_object_get(batch, "errors");
    assert_int_equal(int_at(json_array_get(errors, 0), "line"), 1);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0),
                                                             "message")), "required field"));
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 1),
                                                             "message")), "price"));
    json_decref(status);

    /* The valid item was applied; the invalid updates of it were not. */
    assert_int_equal(item_int(sim, "meta", "SKU-1", "quantity"), 3);
    assert_int_equal(item_int(sim, "meta", "SKU-1", "price.amount_minor"), 999);
    json_t *item = sim_item(sim, "meta", "SKU-1");
    assert_string_equal(json_string_value(json_object_get(item, "availability")), "in stock");
    json_decref(item);
    assert_null(sim_item(sim, "meta", "SKU-2"));
}

static void meta_takes_form_bodies_and_checks_the_token(void **state)
{
    struct souk_sim *sim = *state;
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    /* requests=[{"method":"UPDATE","data":{"id":"SKU-1","quantity_to_sell_on_facebook":0}}],
     * URL-encoded, after a CREATE in JSON. */
    json_decref(expect(sim, "POST", META_BATCH "?access_token=sim-meta-access-token",
                       "{\"item_type\": \"PRODUCT_ITEM\", \"requests\": [" META_GOOD "]}",
                       (const char *const[]){"Content-Type: application/json", NULL}, 200));
    json_decref(expect(sim, "POST", META_BATCH,
                       "access_token=sim-meta-access-token&item_type=PRODUCT_ITEM&requests="
                       "%5B%7B%22method%22%3A%22UPDATE%22%2C%22data%22%3A%7B%22id%22%3A%22SKU-1"
                       "%22%2C%22quantity_to_sell_on_facebook%22%3A0%7D%7D%5D",
                       form, 200));
    assert_int_equal(item_int(sim, "meta", "SKU-1", "quantity"), 0);

    json_t *error = expect(sim, "POST", META_BATCH, "access_token=wrong&item_type=PRODUCT_ITEM",
                           form, 400);
    assert_int_equal(int_at(error, "error.code"), 190);
    assert_string_equal(json_string_value(json_object_get(json_object_get(error, "error"),
                                                          "type")), "OAuthException");
    json_decref(error);
    error = expect(sim, "POST", META_BATCH, "access_token=sim-meta-access-token&requests=%5B%5D",
                   form, 400);
    assert_int_equal(int_at(error, "error.code"), 100);
    json_decref(error);
    error = expect(sim, "POST", "/v21.0/999/items_batch",
                   "access_token=sim-meta-access-token&item_type=PRODUCT_ITEM", form, 400);
    assert_int_equal(int_at(error, "error.error_subcode"), 33);
    json_decref(error);
}

/* ---- Pinterest and Google ---- */

static void pinterest_batches_report_per_item(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {PIN_AUTH, NULL};
    const char *const bad[] = {"Authorization: Bearer nope", NULL};
    const char *body =
        "{\"operation\": \"UPSERT\", \"country\": \"US\", \"language\": \"EN\", \"items\": ["
        "{\"item_id\": \"P1\", \"attributes\": {\"title\": \"Mug\", \"description\": \"Blue\", "
        "\"link\": \"https://shop.test/m\", \"image_link\": [\"https://shop.test/m.jpg\"], "
        "\"price\": \"24.99 USD\", \"availability\": \"out of stock\"}}, "
        "{\"item_id\": \"P2\", \"attributes\": {\"title\": \"Cup\"}}]}";
    json_t *error = expect(sim, "POST", "/v5/catalogs/items/batch", body, bad, 401);
    assert_int_equal(int_at(error, "code"), 2);
    json_decref(error);
    json_t *posted = expect(sim, "POST", "/v5/catalogs/items/batch", body, auth, 200);
    assert_string_equal(json_string_value(json_object_get(posted, "status")), "PROCESSING");
    char path[128];
    snprintf(path, sizeof path, "/v5/catalogs/items/batch/%s",
             json_string_value(json_object_get(posted, "batch_id")));
    json_decref(posted);
    json_t *batch = expect(sim, "GET", path, NULL, auth, 200);
    json_t *items = json_object_get(batch, "items");
    assert_string_equal(json_string_value(json_object_get(batch, "status")), "COMPLETED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "status")),
                        "SUCCESS");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "status")),
                        "FAILURE");
    json_decref(batch);
    json_t *item = sim_item(sim, "pinterest", "P1");
    assert_string_equal(json_string_value(json_object_get(item, "availability")), "out of stock");
    json_decref(item);
    assert_null(sim_item(sim, "pinterest", "P2"));
    json_decref(expect(sim, "GET", "/v5/catalogs/items/batch/404", NULL, auth, 404));
}

#define GOOGLE_INSERT                                                                              \
    "/products/v1/accounts/123456789/productInputs:insert?dataSource=accounts/123456789/"          \
    "dataSources/100200300"
#define GOOGLE_INPUT(attrs)                                                                        \
    "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "                  \
    "\"productAttributes\": {\"title\": \"Mug\", \"link\": \"https://shop.test/g\", "              \
    "\"imageLink\": \"https://shop.test/g.jpg\", \"availability\": \"IN_STOCK\", "                 \
    "\"price\": {\"amountMicros\": \"12500000\", \"currencyCode\": \"USD\"}, "                     \
    "\"sellOnGoogleQuantity\": \"4\"" attrs "}}"
#define GOOGLE_PRODUCT GOOGLE_INPUT("")

/* POSTs an input that Google refuses with 400, and asserts the start of its message. */
static void google_refuses(struct souk_sim *sim, const char *input, const char *message)
{
    const char *const auth[] = {GOOGLE_AUTH, NULL};
    json_t *error = expect(sim, "POST", GOOGLE_INSERT, input, auth, 400);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(error, "error"), "status")),
        "INVALID_ARGUMENT");
    const char *got =
        json_string_value(json_object_get(json_object_get(error, "error"), "message"));
    if (strncmp(got, message, strlen(message)) != 0)
        fail_msg("Google said \"%s\", not \"%s...\"", got, message);
    json_decref(error);
}

static void google_inserts_and_deletes_product_inputs(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {GOOGLE_AUTH, NULL};
    json_t *input = expect(sim, "POST", GOOGLE_INSERT, GOOGLE_PRODUCT, auth, 200);
    assert_string_equal(json_string_value(json_object_get(input, "name")),
                        "accounts/123456789/productInputs/en~US~G-1");
    json_decref(input);
    json_t *item = sim_item(sim, "google", "G-1");
    assert_int_equal(int_at(item, "quantity"), 4);
    assert_int_equal(int_at(item, "price.amount_minor"), 1250);
    assert_string_equal(json_string_value(json_object_get(item, "availability")), "IN_STOCK");
    json_decref(item);
    /* int64 as a JSON number is as good as a string. */
    json_decref(expect(sim, "POST", GOOGLE_INSERT,
                       "{\"offerId\": \"G-2\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "
                       "\"productAttributes\": {\"title\": \"Cup\", \"link\": "
                       "\"https://shop.test/c\", \"imageLink\": \"https://shop.test/c.jpg\", "
                       "\"availability\": \"OUT_OF_STOCK\", \"price\": {\"amountMicros\": "
                       "3000000, \"currencyCode\": \"USD\"}}}",
                       auth, 200));

    /* The account, the data source, the token. */
    json_t *error = expect(sim, "POST",
                           "/products/v1/accounts/42/productInputs:insert?dataSource=accounts/"
                           "42/dataSources/100200300",
                           GOOGLE_PRODUCT, auth, 403);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(error, "error"), "status")),
        "PERMISSION_DENIED");
    json_decref(error);
    error = expect(sim, "POST",
                   "/products/v1/accounts/123456789/productInputs:insert?dataSource=accounts/"
                   "123456789/dataSources/7",
                   GOOGLE_PRODUCT, auth, 404);
    json_decref(error);
    json_decref(expect(sim, "POST", "/products/v1/accounts/123456789/productInputs:insert",
                       GOOGLE_PRODUCT, auth, 400));
    error = expect(sim, "POST", GOOGLE_INSERT, GOOGLE_PRODUCT,
                   (const char *const[]){"Authorization: Bearer nope", NULL}, 401);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(json_object_get(error, "error"), "details"), 0),
            "@type")),
        "type.googleapis.com/google.rpc.ErrorInfo");
    json_decref(error);

    /* Google parses the body as a v1 ProductInput: older shapes and spellings are refused. */
    google_refuses(sim,
                   "{\"offerId\": \"G-3\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "
                   "\"channel\": \"ONLINE\"}",
                   "Invalid JSON payload received. Unknown name \"channel\" at 'product_input'");
    google_refuses(sim, GOOGLE_INPUT(", \"sizes\": [\"M\"]"),
                   "Invalid JSON payload received. Unknown name \"sizes\"");
    google_refuses(sim,
                   "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "
                   "\"productAttributes\": {\"availability\": \"in stock\"}}",
                   "Invalid value at 'product_input.product_attributes.availability' "
                   "(type.googleapis.com/google.shopping.merchant.products.v1.Availability), "
                   "\"in stock\"");
    google_refuses(sim,
                   "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "
                   "\"productAttributes\": {\"price\": {\"amountMicros\": \"12.50\"}}}",
                   "Invalid value at 'product_input.product_attributes.price.amount_micros'");
    google_refuses(sim, GOOGLE_INPUT(", \"availabilityDate\": \"2027-03-01T09:30Z\""),
                   "Invalid value at 'product_input.product_attributes.availability_date'");
    google_refuses(sim,
                   "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"productAttributes\": {}}",
                   "[feed_label] Required parameter: feed_label");
    google_refuses(sim,
                   "{\"offerId\": \"G-1\", \"contentLanguage\": \"english\", \"feedLabel\": "
                   "\"US\"}",
                   "[content_language]");
    google_refuses(sim,
                   "{\"offerId\": \"G-1\", \"contentLanguage\": \"en\", \"feedLabel\": \"US\", "
                   "\"productAttributes\": {\"title\": \"Mug\", \"link\": \"https://shop.test/g\", "
                   "\"availability\": \"IN_STOCK\"}}",
                   "[product_attributes.image_link] The attribute image_link is required.");
    google_refuses(sim,
                   "{\"offerId\": \"012345678901234567890123456789012345678901234567890\", "
                   "\"contentLanguage\": \"en\", \"feedLabel\": \"US\"}",
                   "[offer_id] The offer id must be at most 50 characters.");

    /* A delete names the input plain or base64url-encoded ("en~US~G-1"); a second is 404. */
    const char *del = "/products/v1/accounts/123456789/productInputs/%s?dataSource=accounts/"
                      "123456789/dataSources/100200300";
    char path[256];
    snprintf(path, sizeof path, del, "ZW5-VVN-Ry0x");
    json_decref(expect(sim, "DELETE", path, NULL, auth, 200));
    assert_null(sim_item(sim, "google", "G-1"));
    error = expect(sim, "DELETE", path, NULL, auth, 404);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(error, "error"), "status")), "NOT_FOUND");
    json_decref(error);
    snprintf(path, sizeof path, del, "en~US~G-2");
    json_decref(expect(sim, "DELETE", path, NULL, auth, 200));
    snprintf(path, sizeof path, del, "not*base64");
    json_decref(expect(sim, "DELETE", path, NULL, auth, 400));
}

/* ---- faults and rate limits ---- */

static void faults_are_served_in_order(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {PIN_AUTH, NULL};
    const char *path = "/v5/catalogs/items/batch/1";
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"pinterest\", \"kind\": \"status\", \"status\": 503, "
                       "\"count\": 2, \"retry_after\": 7}", NULL, 200));
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"pinterest\", \"kind\": \"garbage\"}", NULL, 200));
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"pinterest\", \"kind\": \"drop\"}", NULL, 200));
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"pinterest\", \"kind\": \"html\", \"status\": 502}",
                       NULL, 200));
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"pinterest\", \"kind\": \"slow\", \"delay_ms\": 200}",
                       NULL, 200));
    struct resp r;
    for (int i = 0; i < 2; i++) {
        call(sim, "GET", path, NULL, auth, &r);
        assert_int_equal(r.status, 503);
        assert_string_equal(r.retry_after, "7");
        assert_int_equal(int_at(r.json, "code"), 8); /* Pinterest's shape */
        release(&r);
    }
    call(sim, "GET", path, NULL, auth, &r);
    assert_int_equal(r.status, 200);
    assert_null(r.json);
    release(&r);
    call(sim, "GET", path, NULL, auth, &r);
    assert_int_equal(r.rc, CURLE_GOT_NOTHING);
    release(&r);
    call(sim, "GET", path, NULL, auth, &r);
    assert_int_equal(r.status, 502);
    assert_non_null(strstr(r.body.data, "<html>"));
    release(&r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    call(sim, "GET", path, NULL, auth, &r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(r.status, 404); /* served as usual, after the delay */
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 200);
    release(&r);
    /* The queue is empty now; the log shows every request, the dropped one as status 0. */
    json_decref(expect(sim, "GET", path, NULL, auth, 404));
    json_t *log = expect(sim, "GET", "/_sim/requests?platform=pinterest", NULL, NULL, 200);
    json_t *requests = json_object_get(log, "requests");
    assert_int_equal(json_array_size(requests), 7);
    assert_int_equal(int_at(json_array_get(requests, 3), "status"), 0);
    assert_int_equal(int_at(json_array_get(requests, 6), "status"), 404);
    json_decref(log);
}

static void rate_limits_answer_429_with_retry_after(void **state)
{
    struct souk_sim *sim = *state;
    const char *const auth[] = {GOOGLE_AUTH, NULL};
    const char *path = GOOGLE_INSERT;
    json_decref(expect(sim, "POST", "/_sim/rate_limit",
                       "{\"platform\": \"google\", \"per_second\": 0.01, \"burst\": 2}", NULL,
                       200));
    json_decref(expect(sim, "POST", path, GOOGLE_PRODUCT, auth, 200));
    json_decref(expect(sim, "POST", path, GOOGLE_PRODUCT, auth, 200));
    struct resp r;
    call(sim, "POST", path, GOOGLE_PRODUCT, auth, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(r.retry_after, "100"); /* one token at 0.01 per second */
    json_t *status = json_object_get(json_object_get(r.json, "error"), "status");
    assert_string_equal(json_string_value(status), "RESOURCE_EXHAUSTED");
    release(&r);
    /* Other platforms have buckets of their own. */
    json_decref(expect(sim, "GET", "/v5/catalogs/items/batch/1", NULL,
                       (const char *const[]){PIN_AUTH, NULL}, 404));
    /* A reset restores the configured limit (none) and forgets what was received. */
    json_decref(expect(sim, "POST", "/_sim/reset", "", NULL, 200));
    assert_null(sim_item(sim, "google", "G-1"));
    json_decref(expect(sim, "POST", path, GOOGLE_PRODUCT, auth, 200));
}

/* ---- configuration and control ---- */

static void config_sets_credentials_and_limits(void **state)
{
    char path[] = "/tmp/souk-sim-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *config = "{\"meta\": {\"access_token\": \"tok-1\", \"catalog_id\": \"77\"}, "
                         "\"rate_limit\": {\"meta\": {\"per_second\": 0.5, \"burst\": 1}}}";
    assert_int_equal(write(fd, config, strlen(config)), (ssize_t)strlen(config));
    close(fd);
    struct souk_sim_config cfg = {.listen = "127.0.0.1:0", .config_path = path};
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim *sim = NULL;
    assert_int_equal(souk_sim_start(&cfg, &sim, &err), SOUK_OK);
    const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    json_t *error = expect(sim, "POST", "/v21.0/77/items_batch",
                           "access_token=sim-meta-access-token", form, 400);
    assert_int_equal(int_at(error, "error.code"), 190);
    json_decref(error);
    struct resp r;
    call(sim, "POST", "/v21.0/77/items_batch", "access_token=tok-1", form, &r);
    assert_int_equal(r.status, 429);
    assert_string_equal(r.retry_after, "2");
    assert_int_equal(int_at(r.json, "error.code"), 80014);
    release(&r);
    souk_sim_stop(sim);

    const char *bad = "{\"meta\": {\"acces_token\": \"typo\"}}";
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    sim = NULL;
    assert_int_equal(souk_sim_start(&cfg, &sim, &err), SOUK_EINVAL);
    assert_string_equal(err.param, "meta.acces_token");
    assert_null(sim);
    unlink(path);
}

static void control_endpoints_check_their_input(void **state)
{
    struct souk_sim *sim = *state;
    json_decref(expect(sim, "GET", "/_sim/items?platform=myspace", NULL, NULL, 400));
    json_decref(expect(sim, "GET", "/_sim/items/meta/none", NULL, NULL, 404));
    json_decref(expect(sim, "POST", "/_sim/faults", "{\"platform\": \"meta\", \"kind\": \"fire\"}",
                       NULL, 400));
    json_decref(expect(sim, "POST", "/_sim/faults",
                       "{\"platform\": \"meta\", \"kind\": \"status\", \"count\": 0}", NULL, 400));
    json_decref(expect(sim, "POST", "/_sim/rate_limit", "{\"platform\": \"meta\"}", NULL, 400));
    json_decref(expect(sim, "GET", "/not/a/platform/path", NULL, NULL, 404));
    json_t *items = expect(sim, "GET", "/_sim/items?platform=tiktok", NULL, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(items, "items")), 0);
    json_decref(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tiktok_signature_is_checked, start, stop),
        cmocka_unit_test_setup_teardown(tiktok_updates_are_checked_whole, start, stop),
        cmocka_unit_test_setup_teardown(tiktok_images_are_uploaded_as_files, start, stop),
        cmocka_unit_test_setup_teardown(tiktok_create_needs_images_package_and_sales_attributes,
                                        start, stop),
        cmocka_unit_test_setup_teardown(wechat_takes_only_images_uploaded_to_it, start, stop),
        cmocka_unit_test_setup_teardown(meta_validates_each_item, start, stop),
        cmocka_unit_test_setup_teardown(meta_takes_form_bodies_and_checks_the_token, start, stop),
        cmocka_unit_test_setup_teardown(pinterest_batches_report_per_item, start, stop),
        cmocka_unit_test_setup_teardown(google_inserts_and_deletes_product_inputs, start, stop),
        cmocka_unit_test_setup_teardown(faults_are_served_in_order, start, stop),
        cmocka_unit_test_setup_teardown(rate_limits_answer_429_with_retry_after, start, stop),
        cmocka_unit_test(config_sets_credentials_and_limits),
        cmocka_unit_test_setup_teardown(control_endpoints_check_their_input, start, stop),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

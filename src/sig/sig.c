/* sig: see sig.h. */
#include "sig/sig.h"

#include "core/alloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static EVP_MD *sha256;

/* Fetched once: EVP_sha256() has OpenSSL look the algorithm up in its provider store on every
 * digest, and every authenticated request hashes its key. */
static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void souk_sig_sha256_hex(struct souk_str data, char out[SOUK_SIG_HEX_MAX])
{
    static pthread_once_t fetched = PTHREAD_ONCE_INIT;
    pthread_once(&fetched, fetch_sha256);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    /* Fails only without memory or without OpenSSL's default provider: like an allocation
     * failure, nothing sensible can follow. */
    if (!sha256 || !EVP_Digest(data.ptr ? data.ptr : "", data.len, digest, &len, sha256, NULL))
        abort();
    souk_hex_encode(digest, len, out);
}

void souk_sig_hmac_sha256_hex(struct souk_str key, struct souk_str data,
                              char out[SOUK_SIG_HEX_MAX])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    HMAC(EVP_sha256(), key.ptr ? key.ptr : "", (int)key.len,
         (const unsigned char *)(data.ptr ? data.ptr : ""), data.len, mac, &len);
    souk_hex_encode(mac, len, out);
}

/* OpenSSL writes standard, padded base64; base64url swaps two letters and drops the padding. */
void souk_sig_base64url_encode(struct souk_str data, char *out)
{
    int len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data.ptr,
                              (int)data.len);
    while (len > 0 && out[len - 1] == '=')
        len--;
    out[len] = '\0';
    for (char *c = out; *c; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
}

bool souk_sig_base64url_decode(const char *text, char *out, size_t outsz)
{
    size_t len = strlen(text);
    size_t padding = (4 - len % 4) % 4;
    if (padding == 3 || (len + padding) / 4 * 3 >= outsz)
        return false; /* a lone sixth of a byte, or too long for out */
    char *standard = souk_malloc(len + padding + 1);
    bool ok = true;
    for (size_t i = 0; i < len && ok; i++) {
        char c = text[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_';
        standard[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    memset(standard + len, '=', padding);
    int n = ok ? EVP_DecodeBlock((unsigned char *)out, (unsigned char *)standard,
                                 (int)(len + padding))
               : -1;
    souk_free(standard);
    if (n < 0)
        return false;
    n -= (int)padding; /* EVP_DecodeBlock counts the padding as zero bytes */
    out[n] = '\0';
    return strlen(out) == (size_t)n;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct souk_sig_param *)a)->key,
                  ((const struct souk_sig_param *)b)->key);
}

int souk_sig_tiktok(const char *app_secret, const char *path, const struct souk_sig_param *params,
                    size_t n, struct souk_str body, char out[SOUK_SIG_HEX_MAX])
{
    if (n > SOUK_SIG_MAX_PARAMS)
        return SOUK_EINVAL;
    struct souk_sig_param sorted[SOUK_SIG_MAX_PARAMS];
    memcpy(sorted, params, n * sizeof *params);
    qsort(sorted, n, sizeof *sorted, by_key);
    /* The signed text is streamed into the MAC: a 10 MiB body is never copied. */
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM digest[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
                           OSSL_PARAM_construct_end()};
    int ok = ctx && EVP_MAC_init(ctx, (const unsigned char *)app_secret, strlen(app_secret), digest);
    ok = ok && EVP_MAC_update(ctx, (const unsigned char *)app_secret, strlen(app_secret)) &&
         EVP_MAC_update(ctx, (const unsigned char *)path, strlen(path));
    for (size_t i = 0; ok && i < n; i++) {
        if (strcmp(sorted[i].key, "sign") == 0 || strcmp(sorted[i].key, "access_token") == 0)
            continue;
        ok = EVP_MAC_update(ctx, (const unsigned char *)sorted[i].key, strlen(sorted[i].key)) &&
             EVP_MAC_update(ctx, (const unsigned char *)sorted[i].value, strlen(sorted[i].value));
    }
    ok = ok && (body.len == 0 || EVP_MAC_update(ctx, (const unsigned char *)body.ptr, body.len)) &&
         EVP_MAC_update(ctx, (const unsigned char *)app_secret, strlen(app_secret));
    unsigned char result[EVP_MAX_MD_SIZE];
    size_t len = 0;
    ok = ok && EVP_MAC_final(ctx, result, &len, sizeof result);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    if (!ok || len != 32)
        return SOUK_EINTERNAL;
    souk_hex_encode(result, len, out);
    return SOUK_OK;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void souk_sig_wechat(const char *token, const char *timestamp, const char *nonce,
                     char out[SOUK_SIG_HEX_MAX])
{
    const char *parts[] = {token ? token : "", timestamp ? timestamp : "", nonce ? nonce : ""};
    qsort(parts, 3, sizeof parts[0], by_bytes);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL))
        abort(); /* only without memory: the alloc.h policy */
    for (int i = 0; i < 3; i++)
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
    EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    souk_hex_encode(digest, len, out);
}

bool souk_sig_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t alen = strlen(a), blen = strlen(b);
    return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

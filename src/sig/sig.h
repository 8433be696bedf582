/*
 * sig: request signatures as the platforms compute them, for every side that needs one: souk
 * signing its calls to a platform (TikTok Shop's API), souk verifying a platform's webhooks,
 * and the simulator verifying souk. One implementation per scheme, so the sides cannot drift.
 * See ../shared/platform-facts.md §2.14 for the schemes. Depends on core/ and OpenSSL.
 */
#ifndef SOUK_SIG_SIG_H
#define SOUK_SIG_SIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/str.h"

#define SOUK_SIG_HEX_MAX 65 /* a SHA-256 digest as lower-case hex, and its NUL */
#define SOUK_SIG_MAX_PARAMS 64

struct souk_sig_param {
    const char *key, *value; /* URL-decoded */
};

/* SHA-256 of data, as 64 lower-case hex digits. */
void souk_sig_sha256_hex(struct souk_str data, char out[SOUK_SIG_HEX_MAX]);

/* HMAC-SHA256 of data keyed with key, as 64 lower-case hex digits. */
void souk_sig_hmac_sha256_hex(struct souk_str key, struct souk_str data,
                              char out[SOUK_SIG_HEX_MAX]);

/*
 * TikTok Shop Partner API request signature: lower-case hex HMAC-SHA256 keyed with the app
 * secret over app_secret + path + each query parameter except sign and access_token as
 * key + value, sorted by key + body + app_secret (pass an empty body for multipart uploads).
 * SOUK_EINVAL for more than SOUK_SIG_MAX_PARAMS parameters.
 */
int souk_sig_tiktok(const char *app_secret, const char *path, const struct souk_sig_param *params,
                    size_t n, struct souk_str body, char out[SOUK_SIG_HEX_MAX]) SOUK_MUST_CHECK;

/*
 * WeChat's message-push signature (the server check GET and every plaintext-mode push): the
 * token, timestamp and nonce sorted as byte strings, concatenated, SHA-1, as 40 lower-case hex
 * digits. NULL arguments count as "".
 */
void souk_sig_wechat(const char *token, const char *timestamp, const char *nonce,
                     char out[SOUK_SIG_HEX_MAX]);

/*
 * Unpadded base64url (RFC 4648 section 5), the encoding Google's Merchant API wants for names:
 * one implementation for the connector and the simulator. encode writes the text and a NUL
 * into out, which holds SOUK_SIG_BASE64URL_SIZE(data.len) bytes. decode writes the bytes and a
 * NUL into out (outsz bytes); false when text is not unpadded base64url, the result does not
 * fit, or it holds a NUL.
 */
#define SOUK_SIG_BASE64URL_SIZE(len) (((len) + 2) / 3 * 4 + 1)
void souk_sig_base64url_encode(struct souk_str data, char *out);
bool souk_sig_base64url_decode(const char *text, char *out, size_t outsz);

/* Equality of two strings in time that depends only on their lengths; NULL equals nothing. */
bool souk_sig_equal(const char *a, const char *b);

#endif

/*
 * client: the HTTP calls connectors make to platform APIs, over libcurl (see channels_int.h).
 *
 * One client per sync worker keeps its connections alive between batches. Every call is
 * bounded: a connect and a total timeout, and a response body cap, so a platform that hangs
 * or answers a gigabyte costs a failed attempt, never a stuck worker. Nothing here logs a
 * header or a body: they carry credentials.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "channels/channels_int.h"
#include "core/alloc.h"

#define MAX_RESPONSE (16u << 20)
#define MAX_RETRY_AFTER_S 3600

#define TOKENS 32 /* channels whose access tokens one client remembers */
#define TOKEN_KEY_MAX 160

struct souk_channels__client {
    CURL *curl;
    struct {
        char key[TOKEN_KEY_MAX];
        char token[SOUK_CHANNELS__TOKEN_MAX];
        int64_t expires_at_us;
    } tokens[TOKENS];
    size_t next_token; /* the slot a new key takes when none is free: round robin */
};

struct souk_channels__client *souk_channels__client_new(void)
{
    struct souk_channels__client *c = souk_calloc(1, sizeof *c);
    c->curl = curl_easy_init();
    if (!c->curl)
        abort(); /* curl_easy_init fails only without memory: the alloc.h policy */
    return c;
}

void souk_channels__client_free(struct souk_channels__client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    souk_free(c);
}

static size_t token_slot(struct souk_channels__client *c, const char *key)
{
    for (size_t i = 0; i < TOKENS; i++)
        if (strcmp(c->tokens[i].key, key) == 0)
            return i;
    return TOKENS;
}

bool souk_channels__client_token_get(struct souk_channels__client *c, const char *key,
                                     int64_t now_us, char out[SOUK_CHANNELS__TOKEN_MAX])
{
    size_t i = token_slot(c, key);
    if (i == TOKENS || c->tokens[i].expires_at_us <= now_us)
        return false;
    memcpy(out, c->tokens[i].token, SOUK_CHANNELS__TOKEN_MAX);
    return true;
}

void souk_channels__client_token_put(struct souk_channels__client *c, const char *key,
                                     const char *token, int64_t expires_at_us)
{
    size_t i = token_slot(c, key);
    if (strlen(key) >= TOKEN_KEY_MAX || strlen(token) >= SOUK_CHANNELS__TOKEN_MAX)
        return; /* not cached: the next call fetches again */
    if (i == TOKENS)
        i = c->next_token++ % TOKENS;
    snprintf(c->tokens[i].key, TOKEN_KEY_MAX, "%s", key);
    snprintf(c->tokens[i].token, SOUK_CHANNELS__TOKEN_MAX, "%s", token);
    c->tokens[i].expires_at_us = expires_at_us;
}

void souk_channels__client_token_forget(struct souk_channels__client *c, const char *key)
{
    size_t i = token_slot(c, key);
    if (i < TOKENS)
        memset(&c->tokens[i], 0, sizeof c->tokens[i]);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct souk_buf *body = arg;
    return souk_buf_add(body, data, size * n) == SOUK_OK ? size * n : 0;
}

/* Retry-After in seconds (RFC 9110 also allows a date; platforms send seconds). */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct souk_channels__response *r = arg;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name && strncasecmp(data, name, sizeof name - 1) == 0) {
        size_t i = sizeof name - 1;
        while (i < len && data[i] == ' ')
            i++;
        long seconds = 0;
        for (; i < len && data[i] >= '0' && data[i] <= '9'; i++)
            if ((seconds = seconds * 10 + (data[i] - '0')) > MAX_RETRY_AFTER_S)
                seconds = MAX_RETRY_AFTER_S;
        r->retry_after_s = (int)seconds;
    }
    return len;
}

int souk_channels__client_call(struct souk_channels__client *c,
                               const struct souk_channels__request *req,
                               struct souk_channels__response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->body = (struct souk_buf)SOUK_BUF_INIT(MAX_RESPONSE);
    resp->retry_after_s = -1;
    CURL *curl = c->curl;
    curl_easy_reset(curl);
    struct curl_slist *headers = NULL;
    char content_type[128];
    snprintf(content_type, sizeof content_type, "Content-Type: %s",
             req->content_type ? req->content_type : "application/json");
    if (req->body)
        headers = curl_slist_append(headers, content_type);
    headers = curl_slist_append(headers, "Accept: application/json");
    for (size_t i = 0; i < SOUK_CHANNELS__MAX_HEADERS && req->headers[i]; i++)
        headers = curl_slist_append(headers, req->headers[i]);
    curl_easy_setopt(curl, CURLOPT_URL, req->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(req->timeout_ms ? req->timeout_ms : 30000));
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "souk/" SOUK_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp->body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, resp);
    if (req->body) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (req->method)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        snprintf(resp->transport_error, sizeof resp->transport_error, "%s",
                 rc == CURLE_WRITE_ERROR ? "the answer is larger than 16 MiB"
                                         : curl_easy_strerror(rc));
        return SOUK_EIO;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    resp->status = status;
    return SOUK_OK;
}

void souk_channels__response_release(struct souk_channels__response *resp)
{
    souk_buf_release(&resp->body);
}

void souk_channels__batch_failed(const struct souk_channels__response *resp, int call_rc,
                                 struct souk_channels__push *items, size_t n,
                                 struct souk_channels__batch_outcome *out)
{
    for (size_t i = 0; i < n; i++)
        items[i].result = SOUK_CHANNELS__RETRY;
    if (call_rc != SOUK_OK) {
        snprintf(out->error, sizeof out->error, "the platform could not be reached: %s",
                 resp->transport_error);
        return;
    }
    /* A platform answers 429 with Retry-After; some send Retry-After with a 503 too. */
    if (resp->retry_after_s >= 0)
        out->retry_after_s = resp->retry_after_s;
    else if (resp->status == 429)
        out->retry_after_s = 60;
    /* Show the start of the answer, printable bytes only: HTML from a proxy, or garbage. */
    char excerpt[160];
    size_t len = 0;
    for (size_t i = 0; i < resp->body.len && len + 1 < sizeof excerpt; i++) {
        unsigned char ch = (unsigned char)resp->body.data[i];
        excerpt[len++] = ch >= 0x20 && ch < 0x7f ? (char)ch : ch == '\n' ? ' ' : '?';
    }
    excerpt[len] = '\0';
    snprintf(out->error, sizeof out->error, "HTTP %ld: %s", resp->status,
             len ? excerpt : "(empty answer)");
}

bool souk_channels__refused(long status)
{
    /* Credentials, permissions, timeouts and rate limits are the account's, not the request's. */
    return status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
           status != 429;
}

const char *souk_channels__credential(const struct souk_channel *c, const char *name)
{
    for (size_t i = 0; i < c->ncredentials; i++)
        if (strcmp(c->credentials[i].name, name) == 0)
            return c->credentials[i].value;
    return NULL;
}

json_t *souk_channels__exchange(struct souk_channels__client *client, const char *url,
                                const char *header, json_t *body,
                                struct souk_channels__response *resp, int *call_rc)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct souk_channels__request req = {
        .url = url,
        .headers = {header},
        .body = text,
        .body_len = text ? strlen(text) : 0,
    };
    *call_rc = souk_channels__client_call(client, &req, resp);
    souk_free(text);
    json_error_t jerr;
    return *call_rc == SOUK_OK && resp->status == 200
               ? json_loadb(resp->body.data, resp->body.len, 0, &jerr)
               : NULL;
}

#define POLLS 8
#define POLL_STEP_US 250000u

json_t *souk_channels__poll(struct souk_channels__client *client, const char *url,
                            const char *header, bool (*done)(json_t *answer),
                            struct souk_channels__response *resp, int *call_rc)
{
    for (unsigned attempt = 1;; attempt++) {
        json_t *answer = souk_channels__exchange(client, url, header, NULL, resp, call_rc);
        if (answer && done(answer))
            return answer;
        json_decref(answer);
        if (attempt == POLLS)
            return NULL;
        souk_channels__response_release(resp);
        usleep(POLL_STEP_US * attempt);
    }
}

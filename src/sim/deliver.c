/*
 * deliver: the sim's outbound HTTP, posting notifications to the URLs tests register.
 *
 * A sender runs up to a fixed number of POSTs at once on libcurl's multi interface, from the
 * calling thread: a live-shopping burst keeps 32 or 256 deliveries under way without a thread
 * each, and a single delivery is a sender of one. Each slot keeps its easy handle, so
 * connections to the receiver are reused from one delivery to the next. Every delivery is
 * bounded by SOUK_SIM_DELIVERY_TIMEOUT_MS; the answer's body is read and dropped. Nothing is
 * retried here: a platform's retry is a test's choice (deliver "twice", /notify).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/time.h"
#include "sim/sim_int.h"

#define MAX_BODY (1 << 20) /* a notification is a few hundred bytes */

struct slot {
    CURL *easy;
    struct curl_slist *headers;
    struct souk_buf body; /* the copy being sent */
    void *tag;
    int64_t started_us;
    bool busy;
    char error[CURL_ERROR_SIZE];
};

struct souk_sim__sender {
    CURLM *multi;
    struct slot *slots;
    size_t concurrency, active;
};

struct souk_sim__sender *souk_sim__sender_new(size_t concurrency)
{
    struct souk_sim__sender *s = souk_calloc(1, sizeof *s);
    s->multi = curl_multi_init();
    s->concurrency = concurrency ? concurrency : 1;
    s->slots = souk_calloc(s->concurrency, sizeof *s->slots);
    /* curl_*_init fail only without memory: the alloc.h policy. */
    if (!s->multi)
        abort();
    curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->concurrency);
    for (size_t i = 0; i < s->concurrency; i++) {
        s->slots[i].body = (struct souk_buf)SOUK_BUF_INIT(MAX_BODY);
        if (!(s->slots[i].easy = curl_easy_init()))
            abort();
    }
    return s;
}

static void slot_clear(struct souk_sim__sender *s, struct slot *slot)
{
    curl_multi_remove_handle(s->multi, slot->easy);
    curl_slist_free_all(slot->headers);
    slot->headers = NULL;
    souk_buf_reset(&slot->body);
    slot->busy = false;
    s->active--;
}

void souk_sim__sender_free(struct souk_sim__sender *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->concurrency; i++) {
        if (s->slots[i].busy)
            slot_clear(s, &s->slots[i]);
        curl_easy_cleanup(s->slots[i].easy);
        souk_buf_release(&s->slots[i].body);
    }
    curl_multi_cleanup(s->multi);
    souk_free(s->slots);
    souk_free(s);
}

size_t souk_sim__sender_active(const struct souk_sim__sender *s)
{
    return s->active;
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    return size * n;
}

bool souk_sim__sender_start(struct souk_sim__sender *s, const struct souk_sim__delivery *d,
                            void *tag)
{
    struct slot *slot = NULL;
    for (size_t i = 0; !slot && i < s->concurrency; i++)
        if (!s->slots[i].busy)
            slot = &s->slots[i];
    if (!slot)
        return false;
    /* A body over the cap is sent empty; the receiver's 4xx then tells the test. */
    if (souk_buf_add(&slot->body, d->body.data, d->body.len) != SOUK_OK)
        souk_buf_reset(&slot->body);
    slot->headers = curl_slist_append(NULL, "Content-Type: application/json");
    slot->headers = curl_slist_append(slot->headers, "Expect:");
    for (size_t i = 0; i < SOUK_SIM_DELIVERY_HEADERS; i++)
        if (d->headers[i][0])
            slot->headers = curl_slist_append(slot->headers, d->headers[i]);
    CURL *easy = slot->easy;
    curl_easy_reset(easy);
    slot->error[0] = '\0';
    curl_easy_setopt(easy, CURLOPT_URL, d->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, slot->headers);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, slot->body.data);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)slot->body.len);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)SOUK_SIM_DELIVERY_TIMEOUT_MS);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "souk-sim/" SOUK_VERSION);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, slot->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, slot);
    slot->tag = tag;
    slot->started_us = souk_time_monotonic_us();
    slot->busy = true;
    s->active++;
    curl_multi_add_handle(s->multi, easy);
    return true;
}

/* Hands each finished delivery to done and frees its slot. */
static void reap(struct souk_sim__sender *s, souk_sim__delivered_fn done, void *arg)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(s->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct slot *slot = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&slot);
        struct souk_sim__delivery_result result = {0};
        long status = 0;
        if (msg->data.result == CURLE_OK) {
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            result.status = (int)status;
        } else {
            snprintf(result.error, sizeof result.error, "%.150s",
                     slot->error[0] ? slot->error : curl_easy_strerror(msg->data.result));
        }
        result.took_us = souk_time_monotonic_us() - slot->started_us;
        void *tag = slot->tag;
        slot_clear(s, slot);
        done(arg, tag, &result);
    }
}

void souk_sim__sender_poll(struct souk_sim__sender *s, int timeout_ms, souk_sim__delivered_fn done,
                           void *arg)
{
    int running = 0;
    curl_multi_perform(s->multi, &running);
    reap(s, done, arg);
    /* With nothing under way curl_multi_poll still waits, which is the pacing callers want. */
    curl_multi_poll(s->multi, NULL, 0, timeout_ms > 0 ? timeout_ms : 0, NULL);
    curl_multi_perform(s->multi, &running);
    reap(s, done, arg);
}

static void keep_result(void *arg, void *tag, const struct souk_sim__delivery_result *result)
{
    *(struct souk_sim__delivery_result *)arg = *result;
}

void souk_sim__deliver(const struct souk_sim__delivery *d, struct souk_sim__delivery_result *result)
{
    struct souk_sim__sender *s = souk_sim__sender_new(1);
    memset(result, 0, sizeof *result);
    if (souk_sim__sender_start(s, d, NULL))
        while (souk_sim__sender_active(s))
            souk_sim__sender_poll(s, 100, keep_result, result);
    souk_sim__sender_free(s);
}

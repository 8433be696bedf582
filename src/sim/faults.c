/*
 * faults: injected failures and rate limits, per platform.
 *
 * Faults wait in a FIFO per platform; each entry serves its count of requests before the next
 * entry starts, so a test that queues "503 twice, then drop once" sees exactly that order.
 * Rate limits are token buckets refilled from the monotonic clock. One mutex guards both.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/alloc.h"
#include "core/time.h"
#include "sim/sim_int.h"

#define MAX_COUNT 1000000
#define MAX_RETRY_AFTER 86400
#define MAX_RATE 1000000.0

struct queued {
    struct souk_sim__fault fault;
    int64_t left; /* requests this entry still serves */
};

struct bucket {
    struct souk_sim__rate rate, configured;
    double tokens;
    int64_t refilled_us;
};

struct platform_faults {
    struct queued queue[SOUK_SIM_MAX_FAULTS]; /* queue[head .. head + len) in ring order */
    size_t head, len;
    struct bucket bucket;
};

struct souk_sim__faults {
    pthread_mutex_t lock;
    size_t nplatforms;
    struct platform_faults *platforms;
};

struct souk_sim__faults *souk_sim__faults_new(size_t nplatforms)
{
    struct souk_sim__faults *f = souk_calloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    f->nplatforms = nplatforms;
    f->platforms = souk_calloc(nplatforms, sizeof *f->platforms);
    return f;
}

void souk_sim__faults_free(struct souk_sim__faults *f)
{
    if (!f)
        return;
    pthread_mutex_destroy(&f->lock);
    souk_free(f->platforms);
    souk_free(f);
}

static void fill_bucket(struct bucket *b, const struct souk_sim__rate *rate)
{
    b->rate = *rate;
    b->tokens = rate->burst;
    b->refilled_us = souk_time_monotonic_us();
}

void souk_sim__faults_reset(struct souk_sim__faults *f)
{
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->nplatforms; i++) {
        struct platform_faults *p = &f->platforms[i];
        p->head = p->len = 0;
        fill_bucket(&p->bucket, &p->bucket.configured);
    }
    pthread_mutex_unlock(&f->lock);
}

/* ---- parsing the control bodies ---- */

/* Reads an optional number member in [min, max], a whole one when whole is set; absent
 * leaves *out as it is. */
static int number_member(const json_t *spec, const char *name, double min, double max,
                         bool whole, double *out, struct souk_err *err)
{
    const json_t *v = json_object_get(spec, name);
    if (!v)
        return SOUK_OK;
    if (!(whole ? json_is_integer(v) : json_is_number(v)) || json_number_value(v) < min ||
        json_number_value(v) > max)
        return souk_err_set(err, SOUK_EINVAL, name, "%s must be a %s from %g to %g", name,
                            whole ? "whole number" : "number", min, max);
    *out = json_number_value(v);
    return SOUK_OK;
}

/* SOUK_EINVAL naming the first member of spec that is not in the NULL-terminated known. */
static int only_known_members(const json_t *spec, const char *const *known, struct souk_err *err)
{
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)spec, name, value) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], name) != 0)
            i++;
        if (!known[i])
            return souk_err_set(err, SOUK_EINVAL, name, "unknown member \"%s\"", name);
    }
    return SOUK_OK;
}

int souk_sim__fault_parse(const json_t *spec, struct souk_sim__fault *fault, int64_t *count,
                          struct souk_err *err)
{
    static const char *const known[] = {"platform", "kind", "status", "count", "delay_ms",
                                        "retry_after", NULL};
    static const struct {
        const char *name;
        enum souk_sim__fault_kind kind;
        int status; /* default */
    } kinds[] = {{"status", SOUK_SIM__FAULT_STATUS, 503},
                 {"slow", SOUK_SIM__FAULT_SLOW, 200},
                 {"drop", SOUK_SIM__FAULT_DROP, 0},
                 {"garbage", SOUK_SIM__FAULT_GARBAGE, 200},
                 {"html", SOUK_SIM__FAULT_HTML, 502}};
    if (!json_is_object(spec))
        return souk_err_set(err, SOUK_EINVAL, NULL, "the body must be a JSON object");
    int rc = only_known_members(spec, known, err);
    if (rc != SOUK_OK)
        return rc;
    const char *kind = souk_sim__str(spec, "kind");
    size_t k = 0;
    while (kind && k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].name, kind) != 0)
        k++;
    if (!kind || k == sizeof kinds / sizeof kinds[0])
        return souk_err_set(err, SOUK_EINVAL, "kind",
                            "kind must be status, slow, drop, garbage or html");
    double status = kinds[k].status, times = 1, delay_ms = 1000, retry_after = -1;
    if ((rc = number_member(spec, "status", 100, 599, true, &status, err)) != SOUK_OK ||
        (rc = number_member(spec, "count", 1, MAX_COUNT, true, &times, err)) != SOUK_OK ||
        (rc = number_member(spec, "delay_ms", 0, SOUK_SIM_MAX_DELAY_MS, true, &delay_ms, err)) !=
            SOUK_OK ||
        (rc = number_member(spec, "retry_after", 0, MAX_RETRY_AFTER, true, &retry_after, err)) !=
            SOUK_OK)
        return rc;
    *count = (int64_t)times;
    *fault = (struct souk_sim__fault){.kind = kinds[k].kind,
                                      .status = (int)status,
                                      .delay_ms = (int)delay_ms,
                                      .retry_after = (int)retry_after};
    return SOUK_OK;
}

int souk_sim__rate_parse(const json_t *spec, struct souk_sim__rate *out, struct souk_err *err)
{
    static const char *const known[] = {"platform", "per_second", "burst", NULL};
    if (!json_is_object(spec))
        return souk_err_set(err, SOUK_EINVAL, NULL, "a rate limit must be a JSON object");
    int rc = only_known_members(spec, known, err);
    if (rc != SOUK_OK)
        return rc;
    if (!json_object_get(spec, "per_second"))
        return souk_err_set(err, SOUK_EINVAL, "per_second",
                            "per_second is required (0 turns the limit off)");
    double per_second = 0, burst = -1;
    if ((rc = number_member(spec, "per_second", 0, MAX_RATE, false, &per_second, err)) !=
            SOUK_OK ||
        (rc = number_member(spec, "burst", 1, MAX_RATE, false, &burst, err)) != SOUK_OK)
        return rc;
    /* Without a burst the bucket holds one second of requests, and at least one. */
    out->per_second = per_second;
    out->burst = burst > 0 ? burst : fmax(1.0, ceil(per_second));
    return SOUK_OK;
}

/* ---- faults ---- */

int souk_sim__faults_push(struct souk_sim__faults *f, size_t platform,
                          const struct souk_sim__fault *fault, int64_t count)
{
    int rc = SOUK_OK;
    pthread_mutex_lock(&f->lock);
    struct platform_faults *p = &f->platforms[platform];
    if (p->len == SOUK_SIM_MAX_FAULTS) {
        rc = SOUK_ETOOBIG;
    } else {
        p->queue[(p->head + p->len) % SOUK_SIM_MAX_FAULTS] =
            (struct queued){.fault = *fault, .left = count};
        p->len++;
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

bool souk_sim__faults_take(struct souk_sim__faults *f, size_t platform,
                           struct souk_sim__fault *out)
{
    bool found = false;
    pthread_mutex_lock(&f->lock);
    struct platform_faults *p = &f->platforms[platform];
    if (p->len > 0) {
        struct queued *q = &p->queue[p->head];
        *out = q->fault;
        found = true;
        if (--q->left == 0) {
            p->head = (p->head + 1) % SOUK_SIM_MAX_FAULTS;
            p->len--;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return found;
}

/* ---- rate limits ---- */

void souk_sim__rate_set(struct souk_sim__faults *f, size_t platform,
                        const struct souk_sim__rate *rate, bool configured)
{
    pthread_mutex_lock(&f->lock);
    struct bucket *b = &f->platforms[platform].bucket;
    if (configured)
        b->configured = *rate;
    fill_bucket(b, rate);
    pthread_mutex_unlock(&f->lock);
}

bool souk_sim__rate_take(struct souk_sim__faults *f, size_t platform, int *retry_after)
{
    bool allowed = true;
    pthread_mutex_lock(&f->lock);
    struct bucket *b = &f->platforms[platform].bucket;
    if (b->rate.per_second > 0) {
        int64_t now = souk_time_monotonic_us();
        b->tokens = fmin(b->rate.burst,
                         b->tokens + (double)(now - b->refilled_us) / 1e6 * b->rate.per_second);
        b->refilled_us = now;
        if (b->tokens >= 1.0) {
            b->tokens -= 1.0;
        } else {
            allowed = false;
            double wait = ceil((1.0 - b->tokens) / b->rate.per_second);
            *retry_after = (int)fmin(MAX_RETRY_AFTER, fmax(1.0, wait));
        }
    }
    pthread_mutex_unlock(&f->lock);
    return allowed;
}

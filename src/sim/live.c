/*
 * live: POST /_sim/live, a live-shopping burst. N orders arrive at a fixed rate, round-robin
 * over the platforms and SKUs named, and each order of a platform that notifies (TikTok) is
 * announced to its registered webhook URL as it is placed; the call answers once every order
 * is placed and every notification has its answer, with the counts and delivery latencies.
 *
 * One thread does it all: it places the orders that are due, starts deliveries while fewer
 * than `concurrency` are under way (deliver.c's sender, on libcurl's multi interface), and
 * waits on the sender until the next order is due. Notifications waiting for a free sender
 * queue in an array of N entries, each used once, and the latencies are an array of N: memory
 * is bounded by the run's size. A notification that is not answered 2xx is sent again, as the
 * platform's own retry would (TikTok retries; its schedule is not documented where we could
 * read it): up to MAX_ATTEMPTS in all, after 250 ms, then twice as long each time. A receiver
 * that sheds load with a 503 therefore loses no order, and the summary counts the retries.
 * Each order is a copy of a template built (and looked up in the catalog) once per platform
 * and SKU, so placing one costs a copy, not a parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/money.h"
#include "core/time.h"
#include "sim/sim_int.h"

#define MAX_RATE 100000
#define MAX_CONCURRENCY 256
#define MAX_PLATFORMS 8
#define MAX_SKUS 1000
#define MAX_WAIT_MS 50 /* the longest wait on the sender, so a stuck one is noticed */
#define MAX_ATTEMPTS 5
#define FIRST_RETRY_US 250000

static const char *const members[] = {"platforms",      "skus",     "orders",   "rate",
                                      "concurrency",    "quantity", "currency", "unit_price",
                                      "live_stream_id", NULL};

struct live_spec {
    struct souk_sim__bound platforms[MAX_PLATFORMS];
    size_t nplatforms;
    const char *skus[MAX_SKUS]; /* borrowed from the body */
    size_t nskus;
    int64_t orders, rate, concurrency, quantity;
    const char *currency, *unit_price; /* borrowed from the body, or literals */
    char live_stream_id[SOUK_SIM_MAX_TEXT + 1];
};

/* A notification on its way: queued until a sender is free, then the sender's tag. */
struct queued {
    struct souk_sim__notice notice;
    size_t platform; /* index into the spec's platforms */
    int64_t placed_us;
    int attempt;          /* 1 for the first send */
    int64_t due_us;       /* a retry is not sent before this */
    struct queued *next;  /* in the retry list; a retry is its own allocation */
};

struct live_run {
    struct souk_sim__req *req;
    const struct live_spec *spec;
    struct souk_sim__order **templates; /* [platform * nskus + sku] */
    char (*urls)[SOUK_SIM_URL_MAX];     /* per platform; "" when it does not notify or has no URL */
    struct queued *queue;               /* spec->orders entries; [sent, queued) wait */
    size_t sent, queued;
    int64_t *latencies_us; /* one per answered delivery */
    size_t nlatencies;
    int64_t delivered, failed, undelivered, retried;
    struct queued *retries; /* sends that failed and wait to be tried again, unordered */
    int64_t *per_platform; /* orders placed on each */
};

/* ---- the request ---- */

/* A JSON integer member in [min, max], def when absent (def < min: required). */
static int int_member(const json_t *body, const char *name, int64_t min, int64_t max, int64_t def,
                      int64_t *out, struct souk_err *err)
{
    const json_t *value = json_object_get(body, name);
    *out = value ? json_integer_value(value) : def;
    if (!value && def >= min)
        return SOUK_OK;
    if (!json_is_integer(value) || *out < min || *out > max)
        return souk_err_set(err, SOUK_EINVAL, name, "%s must be a whole number from %lld to %lld",
                            name, (long long)min, (long long)max);
    return SOUK_OK;
}

/* An array member of 1 to max non-empty strings, borrowed into out. */
static int strings_member(const json_t *body, const char *name, size_t max, const char **out,
                          size_t *n, struct souk_err *err)
{
    const json_t *list = json_object_get(body, name), *value;
    size_t i;
    bool ok = json_is_array(list) && json_array_size(list) > 0 && json_array_size(list) <= max;
    json_array_foreach(ok ? list : NULL, i, value) {
        out[i] = json_string_value(value);
        if (!out[i] || !*out[i] || strlen(out[i]) > SOUK_SIM_MAX_TEXT)
            ok = false;
    }
    *n = ok ? json_array_size(list) : 0;
    return ok ? SOUK_OK
              : souk_err_set(err, SOUK_EINVAL, name,
                             "%s must be an array of 1 to %zu non-empty strings", name, max);
}

static int parse_numbers(const json_t *body, struct live_spec *spec, struct souk_err *err)
{
    int rc;
    if ((rc = int_member(body, "orders", 1, SOUK_SIM_MAX_ORDERS, 0, &spec->orders, err)) ||
        (rc = int_member(body, "rate", 1, MAX_RATE, 0, &spec->rate, err)) ||
        (rc = int_member(body, "concurrency", 1, MAX_CONCURRENCY, 32, &spec->concurrency, err)) ||
        (rc = int_member(body, "quantity", 1, SOUK_SIM_MAX_LINE_QUANTITY, 1, &spec->quantity, err)))
        return rc;
    const json_t *currency = json_object_get(body, "currency");
    const json_t *price = json_object_get(body, "unit_price");
    const json_t *stream = json_object_get(body, "live_stream_id");
    spec->currency = currency ? json_string_value(currency) : "USD";
    spec->unit_price = price ? json_string_value(price) : "9.99";
    const struct souk_currency *cur = souk_money_currency(souk_str_from(spec->currency));
    json_t *amount = json_string(spec->unit_price ? spec->unit_price : "");
    int64_t minor;
    bool price_ok = cur && souk_sim__amount_parse(amount, cur, &minor);
    json_decref(amount);
    if (!cur)
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "currency must be an ISO 4217 code such as USD");
    if (!price_ok)
        return souk_err_set(err, SOUK_EINVAL, "unit_price",
                            "unit_price must be a decimal string with at most %d fraction digits "
                            "(%s)",
                            cur->exponent, cur->code);
    const char *text = json_string_value(stream);
    if (stream && (!text || !*text || strlen(text) > SOUK_SIM_MAX_TEXT))
        return souk_err_set(err, SOUK_EINVAL, "live_stream_id",
                            "live_stream_id must be a non-empty string of at most %d bytes",
                            SOUK_SIM_MAX_TEXT);
    if (text)
        snprintf(spec->live_stream_id, sizeof spec->live_stream_id, "%s", text);
    return SOUK_OK;
}

/* Reads the body into spec; false once it has replied 400. */
static bool parse_spec(struct souk_sim__req *req, const json_t *body, struct live_spec *spec)
{
    struct souk_err err = SOUK_ERR_INIT;
    const char *names[MAX_PLATFORMS], *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value) {
        if (!souk_sim__one_of(key, members)) {
            souk_sim__control_error(req, 400, key, "unknown member \"%s\"", key);
            return false;
        }
    }
    if (strings_member(body, "platforms", MAX_PLATFORMS, names, &spec->nplatforms, &err) ||
        strings_member(body, "skus", MAX_SKUS, spec->skus, &spec->nskus, &err) ||
        parse_numbers(body, spec, &err)) {
        souk_sim__control_error(req, 400, err.param, "%s", err.message);
        return false;
    }
    for (size_t i = 0; i < spec->nplatforms; i++) {
        struct souk_sim__bound *b = &spec->platforms[i];
        if (!souk_sim__platform_find(req, names[i], b) || !b->def->orders) {
            souk_sim__control_error(req, 400, "platforms", "%s takes no orders in the sim",
                                    names[i]);
            return false;
        }
    }
    /* Without one, the burst still gets a stream of its own to be told apart by. */
    if (!spec->live_stream_id[0])
        souk_sim__new_id(req->state, spec->live_stream_id);
    return true;
}

/* ---- the run ---- */

/* One order per platform and SKU to copy from; NULL (having replied 500) if one fails, which
 * the checks of parse_spec rule out. */
static bool build_templates(struct live_run *run)
{
    const struct live_spec *spec = run->spec;
    for (size_t p = 0; p < spec->nplatforms; p++)
        for (size_t s = 0; s < spec->nskus; s++) {
            struct souk_err err = SOUK_ERR_INIT;
            json_t *order =
                json_pack("{s:s, s:[{s:s, s:I, s:s}], s:s}", "currency", spec->currency, "lines",
                          "sku", spec->skus[s], "quantity", (json_int_t)spec->quantity,
                          "unit_price", spec->unit_price, "live_stream_id", spec->live_stream_id);
            struct souk_sim__order *t =
                souk_sim__order_parse(order, &spec->platforms[p], run->req->state, &err);
            json_decref(order);
            if (!t) {
                souk_sim__control_error(run->req, 500, err.param, "%s", err.message);
                return false;
            }
            souk_sim__order_from_catalog(t, &spec->platforms[p], run->req->state);
            run->templates[p * spec->nskus + s] = t;
        }
    return true;
}

/* Places order i: platforms round-robin, and within each platform the SKUs in turn. */
static void place(struct live_run *run, int64_t i)
{
    const struct live_spec *spec = run->spec;
    size_t p = (size_t)i % spec->nplatforms;
    size_t s = ((size_t)i / spec->nplatforms) % spec->nskus;
    struct souk_sim__order *o =
        souk_sim__order_copy(run->templates[p * spec->nskus + s], run->req->state);
    char name[64], email[64];
    /* Every order of a burst has a buyer of its own, as in a live audience. */
    snprintf(name, sizeof name, "Live Buyer %lld", (long long)i + 1);
    snprintf(email, sizeof email, "live-buyer-%lld@sim.test", (long long)i + 1);
    souk_free(o->buyer_name);
    souk_free(o->buyer_email);
    souk_free(o->address.name);
    o->buyer_name = souk_strdup(name);
    o->buyer_email = souk_strdup(email);
    o->address.name = souk_strdup(name);
    struct queued *q = &run->queue[run->queued];
    souk_sim__notice_of(run->req, o, &q->notice);
    q->platform = p;
    q->placed_us = souk_time_monotonic_us();
    q->attempt = 1;
    /* parse_spec made sure there is room, unless other calls filled it meanwhile. */
    if (souk_sim__orders_add(run->req->orders, run->req->state, o) != SOUK_OK)
        return;
    run->per_platform[p]++;
    if (run->urls[p][0])
        run->queued++;
    else if (spec->platforms[p].def->orders->notification)
        run->undelivered++;
}

/* Sends q's notification (q is the delivery's tag); false when the sender cannot start it. */
static bool send_notice(struct live_run *run, struct souk_sim__sender *sender, struct queued *q)
{
    const struct souk_sim__bound *b = &run->spec->platforms[q->platform];
    struct souk_sim__delivery d = {.body = SOUK_BUF_INIT(1 << 20)};
    snprintf(d.url, sizeof d.url, "%s", run->urls[q->platform]);
    b->def->orders->notification(b, &q->notice, &d);
    bool started = souk_sim__sender_start(sender, &d, q);
    souk_buf_release(&d.body);
    return started;
}

static void delivered(void *arg, void *tag, const struct souk_sim__delivery_result *result)
{
    struct live_run *run = arg;
    struct queued *q = tag;
    bool ok = result->status >= 200 && result->status < 300;
    int64_t now = souk_time_monotonic_us();
    if (!ok && q->attempt < MAX_ATTEMPTS) {
        struct queued *again = souk_malloc(sizeof *again);
        *again = *q;
        again->attempt = q->attempt + 1;
        again->due_us = now + ((int64_t)FIRST_RETRY_US << (q->attempt - 1));
        again->next = run->retries;
        run->retries = again;
        run->retried++;
    } else {
        if (ok)
            run->delivered++;
        else
            run->failed++;
        run->latencies_us[run->nlatencies++] = now - q->placed_us;
    }
    souk_sim__orders_lock(run->req->orders);
    struct souk_sim__order *o = souk_sim__order_find(run->req->orders, q->notice.order_id);
    if (o)
        souk_sim__order_sent(o, &q->notice, &result->status, 1,
                             result->status ? NULL : result->error);
    souk_sim__orders_unlock(run->req->orders);
    if (q->attempt > 1)
        souk_free(q);
}

/* Starts the retries that are due, while the sender has room; *next_due_us is the earliest
 * still waiting (INT64_MAX when none). */
static void start_retries(struct live_run *run, struct souk_sim__sender *sender,
                          int64_t *next_due_us)
{
    int64_t now = souk_time_monotonic_us();
    *next_due_us = INT64_MAX;
    for (struct queued **at = &run->retries; *at;) {
        struct queued *q = *at;
        if (q->due_us > now) {
            if (q->due_us < *next_due_us)
                *next_due_us = q->due_us;
            at = &q->next;
            continue;
        }
        /* Due but no room: a finishing delivery wakes the sender's poll anyway. */
        if (souk_sim__sender_active(sender) >= (size_t)run->spec->concurrency)
            return;
        *at = q->next;
        if (!send_notice(run, sender, q)) { /* the sender refused it: back in line */
            q->next = *at;
            *at = q;
            return;
        }
    }
}

/* Starts queued notifications while the sender has room. */
static void start_deliveries(struct live_run *run, struct souk_sim__sender *sender)
{
    while (run->sent < run->queued &&
           souk_sim__sender_active(sender) < (size_t)run->spec->concurrency) {
        if (!send_notice(run, sender, &run->queue[run->sent]))
            break;
        run->sent++;
    }
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of the sorted latencies, in milliseconds; null when none. */
static json_t *percentile_ms(const struct live_run *run, int percent)
{
    if (!run->nlatencies)
        return json_null();
    size_t rank = (run->nlatencies * (size_t)percent + 99) / 100;
    return json_real((double)run->latencies_us[rank ? rank - 1 : 0] / 1000.0);
}

static json_t *summary(struct live_run *run, int64_t elapsed_us, int64_t placing_us)
{
    const struct live_spec *spec = run->spec;
    json_t *per_platform = json_object();
    for (size_t p = 0; p < spec->nplatforms; p++) {
        json_t *was = json_object_get(per_platform, spec->platforms[p].def->name);
        json_object_set_new(per_platform, spec->platforms[p].def->name,
                            json_integer(json_integer_value(was) + run->per_platform[p]));
    }
    int64_t placed = 0;
    for (size_t p = 0; p < spec->nplatforms; p++)
        placed += run->per_platform[p];
    qsort(run->latencies_us, run->nlatencies, sizeof *run->latencies_us, by_value);
    /* The span of placing N orders at exactly the rate is N intervals: the last order is due
     * one interval before the end of the N-th. */
    double span_s = (double)placing_us / 1e6 + 1.0 / (double)spec->rate;
    return json_pack(
        "{s:I, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:f, s:{s:o, s:o}}", "orders",
        (json_int_t)placed, "platforms", per_platform, "live_stream_id", spec->live_stream_id,
        "delivered", (json_int_t)run->delivered, "failed", (json_int_t)run->failed, "retried",
        (json_int_t)run->retried, "undelivered", (json_int_t)run->undelivered, "elapsed_ms",
        (json_int_t)(elapsed_us / 1000),
        "rate_achieved", (double)(int64_t)((double)placed / span_s * 10.0) / 10.0,
        "delivery_latency_ms", "p50", percentile_ms(run, 50), "p99", percentile_ms(run, 99));
}

static void run_burst(struct live_run *run)
{
    const struct live_spec *spec = run->spec;
    struct souk_sim__sender *sender = souk_sim__sender_new((size_t)spec->concurrency);
    int64_t start = souk_time_monotonic_us(), placed = 0, last_placed = start;
    while (placed < spec->orders || run->sent < run->queued || run->retries ||
           souk_sim__sender_active(sender)) {
        int64_t now = souk_time_monotonic_us();
        /* Order i is due i / rate seconds after the start. */
        while (placed < spec->orders && start + placed * 1000000 / spec->rate <= now) {
            place(run, placed++);
            last_placed = now;
        }
        int64_t next_retry_us;
        start_retries(run, sender, &next_retry_us);
        start_deliveries(run, sender);
        int64_t wait_us = MAX_WAIT_MS * 1000, next_order_us = start + placed * 1000000 / spec->rate;
        if (placed < spec->orders && next_order_us - now < wait_us)
            wait_us = next_order_us - now;
        if (next_retry_us - now < wait_us)
            wait_us = next_retry_us - now;
        souk_sim__sender_poll(sender, wait_us > 0 ? (int)(wait_us / 1000) : 0, delivered, run);
    }
    souk_sim__sender_free(sender);
    souk_sim__reply(run->req, 200,
                    summary(run, souk_time_monotonic_us() - start, last_placed - start));
}

void souk_sim__control_live(struct souk_sim__req *req, json_t *body)
{
    struct live_spec *spec = souk_pool_alloc(req->pool, sizeof *spec);
    if (!parse_spec(req, body, spec))
        return;
    if (souk_sim__orders_room(req->orders) < (size_t)spec->orders) {
        souk_sim__control_error(req, 507, "orders",
                                "the sim has room for %zu more orders; POST "
                                "/_sim/reset to start again",
                                souk_sim__orders_room(req->orders));
        return;
    }
    size_t ntemplates = spec->nplatforms * spec->nskus;
    struct live_run run = {
        .req = req,
        .spec = spec,
        .templates = souk_calloc(ntemplates, sizeof *run.templates),
        .urls = souk_calloc(spec->nplatforms, sizeof *run.urls),
        .queue = souk_calloc((size_t)spec->orders, sizeof *run.queue),
        .latencies_us = souk_calloc((size_t)spec->orders, sizeof *run.latencies_us),
        .per_platform = souk_calloc(spec->nplatforms, sizeof *run.per_platform),
    };
    for (size_t p = 0; p < spec->nplatforms; p++)
        if (!spec->platforms[p].def->orders->notification ||
            !souk_sim__webhook_get(req->orders, spec->platforms[p].index, run.urls[p]))
            run.urls[p][0] = '\0';
    if (build_templates(&run))
        run_burst(&run);
    for (size_t i = 0; i < ntemplates; i++)
        souk_sim__order_free(run.templates[i]);
    souk_free(run.templates);
    souk_free(run.urls);
    souk_free(run.queue);
    souk_free(run.latencies_us);
    souk_free(run.per_platform);
}

/*
 * state: what the simulated platforms received, for tests to read back.
 *
 * Per platform: the items it holds (a JSON object keyed by retailer id, SKU id or offer id),
 * the results of its batches (keyed by handle or batch id, in arrival order so the oldest can
 * be dropped), the files uploaded to it (TikTok's product images) and a log of its requests.
 * A reset forgets all but the files: a seller's uploads outlive the products that showed
 * them, and a connector that keeps their ids must find them after one. One mutex guards all of it; MHD runs handlers on one
 * thread per connection. JSON is jansson's, so what the control endpoints return is a deep
 * copy made under the lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/money.h"
#include "core/time.h"
#include "sim/sim_int.h"

struct platform_state {
    json_t *items;    /* id -> item */
    json_t *batches;  /* id -> result, oldest first */
    json_t *requests; /* array of log entries, oldest first */
    json_t *files;    /* id -> uploaded file, oldest first; survives a reset */
};

struct souk_sim__state {
    pthread_mutex_t lock;
    size_t nplatforms;
    uint64_t next_id;
    struct platform_state *platforms;
};

/* Ids start high so they look like the platforms' 16-digit numeric ids. */
#define FIRST_ID 7301000000000001ULL

static void platform_init(struct platform_state *p)
{
    p->items = json_object();
    p->batches = json_object();
    p->requests = json_array();
}

static void platform_release(struct platform_state *p)
{
    json_decref(p->items);
    json_decref(p->batches);
    json_decref(p->requests);
}

struct souk_sim__state *souk_sim__state_new(size_t nplatforms)
{
    struct souk_sim__state *st = souk_calloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->nplatforms = nplatforms;
    st->next_id = FIRST_ID;
    st->platforms = souk_calloc(nplatforms, sizeof *st->platforms);
    for (size_t i = 0; i < nplatforms; i++) {
        platform_init(&st->platforms[i]);
        st->platforms[i].files = json_object();
    }
    return st;
}

void souk_sim__state_free(struct souk_sim__state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nplatforms; i++) {
        platform_release(&st->platforms[i]);
        json_decref(st->platforms[i].files);
    }
    souk_free(st->platforms);
    pthread_mutex_destroy(&st->lock);
    souk_free(st);
}

void souk_sim__state_reset(struct souk_sim__state *st)
{
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->nplatforms; i++) {
        platform_release(&st->platforms[i]);
        platform_init(&st->platforms[i]);
    }
    pthread_mutex_unlock(&st->lock);
}

void souk_sim__lock(struct souk_sim__state *st)
{
    pthread_mutex_lock(&st->lock);
}

void souk_sim__unlock(struct souk_sim__state *st)
{
    pthread_mutex_unlock(&st->lock);
}

void souk_sim__new_id(struct souk_sim__state *st, char out[SOUK_SIM_ID_MAX])
{
    uint64_t id = souk_sim__new_ids(st, 1);
    snprintf(out, SOUK_SIM_ID_MAX, "%llu", (unsigned long long)id);
}

uint64_t souk_sim__new_ids(struct souk_sim__state *st, uint64_t n)
{
    return __atomic_fetch_add(&st->next_id, n, __ATOMIC_RELAXED);
}

/* Drops the first members of an array or object until it holds fewer than max. */
static void trim_oldest(json_t *container, size_t max)
{
    if (json_is_array(container)) {
        while (json_array_size(container) >= max)
            json_array_remove(container, 0);
        return;
    }
    while (json_object_size(container) >= max) {
        const char *oldest = json_object_iter_key(json_object_iter(container));
        json_object_del(container, oldest);
    }
}

void souk_sim__log_request(struct souk_sim__state *st, size_t platform, const char *method,
                           const char *path, int status, int64_t duration_us, size_t body_bytes)
{
    json_t *entry = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I}", "method", method, "path", path,
                              "status", status, "duration_us", (json_int_t)duration_us,
                              "body_bytes", (json_int_t)body_bytes, "at_us",
                              (json_int_t)souk_time_now_us());
    pthread_mutex_lock(&st->lock);
    json_t *log = st->platforms[platform].requests;
    trim_oldest(log, SOUK_SIM_MAX_LOG);
    json_array_append_new(log, entry);
    pthread_mutex_unlock(&st->lock);
}

json_t *souk_sim__item(struct souk_sim__state *st, size_t platform, const char *id)
{
    return json_object_get(st->platforms[platform].items, id);
}

json_t *souk_sim__items(struct souk_sim__state *st, size_t platform)
{
    return st->platforms[platform].items;
}

json_t *souk_sim__item_merge(struct souk_sim__state *st, size_t platform, const char *id,
                             json_t *fields)
{
    json_t *items = st->platforms[platform].items;
    json_t *item = json_object_get(items, id);
    int64_t now = souk_time_now_us();
    if (!item) {
        if (json_object_size(items) >= SOUK_SIM_MAX_ITEMS)
            return NULL;
        item = json_pack("{s:s, s:{}, s:n, s:n, s:n, s:I}", "id", id, "fields", "quantity",
                         "price", "availability", "created_us", (json_int_t)now);
        json_object_set_new(items, id, item);
    }
    json_object_update(json_object_get(item, "fields"), fields);
    json_object_set_new(item, "updated_us", json_integer(now));
    return item;
}

bool souk_sim__item_delete(struct souk_sim__state *st, size_t platform, const char *id)
{
    return json_object_del(st->platforms[platform].items, id) == 0;
}

void souk_sim__batch_put(struct souk_sim__state *st, size_t platform, const char *id,
                         json_t *result)
{
    json_t *batches = st->platforms[platform].batches;
    trim_oldest(batches, SOUK_SIM_MAX_BATCHES);
    json_object_set_new(batches, id, result);
}

json_t *souk_sim__batch(struct souk_sim__state *st, size_t platform, const char *id)
{
    return json_object_get(st->platforms[platform].batches, id);
}

void souk_sim__file_put(struct souk_sim__state *st, size_t platform, const char *id, json_t *file)
{
    json_t *files = st->platforms[platform].files;
    trim_oldest(files, SOUK_SIM_MAX_FILES);
    json_object_set_new(files, id, file);
}

json_t *souk_sim__file(struct souk_sim__state *st, size_t platform, const char *id)
{
    return json_object_get(st->platforms[platform].files, id);
}

/* ---- control endpoint views ---- */

json_t *souk_sim__items_json(struct souk_sim__state *st, size_t platform)
{
    json_t *list = json_array();
    const char *id;
    json_t *item;
    pthread_mutex_lock(&st->lock);
    json_object_foreach(st->platforms[platform].items, id, item)
        json_array_append_new(list, json_deep_copy(item));
    pthread_mutex_unlock(&st->lock);
    return list;
}

json_t *souk_sim__item_json(struct souk_sim__state *st, size_t platform, const char *id,
                            const char *alias_field)
{
    json_t *found = NULL, *item;
    const char *key;
    pthread_mutex_lock(&st->lock);
    json_t *items = st->platforms[platform].items;
    found = json_object_get(items, id);
    if (!found && alias_field)
        json_object_foreach(items, key, item) {
            const char *alias = souk_sim__str(json_object_get(item, "fields"), alias_field);
            if (alias && strcmp(alias, id) == 0) {
                found = item;
                break;
            }
        }
    found = found ? json_deep_copy(found) : NULL;
    pthread_mutex_unlock(&st->lock);
    return found;
}

json_t *souk_sim__requests_json(struct souk_sim__state *st, size_t platform,
                                const char *const *names)
{
    json_t *list = json_array();
    pthread_mutex_lock(&st->lock);
    for (size_t p = 0; p < st->nplatforms; p++) {
        if (platform != SIZE_MAX && p != platform)
            continue;
        size_t i;
        json_t *entry;
        json_array_foreach(st->platforms[p].requests, i, entry) {
            json_t *copy = json_copy(entry);
            json_object_set_new(copy, "platform", json_string(names[p]));
            json_array_append_new(list, copy);
        }
    }
    pthread_mutex_unlock(&st->lock);
    return list;
}

/* ---- field checks ---- */

const char *souk_sim__str(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

const char *souk_sim__missing(const json_t *obj, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        const char *value = souk_sim__str(obj, names[i]);
        if (!value || !*value)
            return names[i];
    }
    return NULL;
}

bool souk_sim__one_of(const char *value, const char *const *allowed)
{
    for (size_t i = 0; value && allowed[i]; i++)
        if (strcmp(value, allowed[i]) == 0)
            return true;
    return false;
}

size_t souk_sim__chars(const char *s)
{
    return souk_str_utf8_chars(souk_str_from(s));
}

bool souk_sim__is_url(const char *value)
{
    return souk_str_is_http_url(souk_str_from(value));
}

json_t *souk_sim__price_parts(const char *amount, const char *currency)
{
    const struct souk_currency *cur = souk_money_currency(souk_str_from(currency));
    int64_t minor;
    if (!amount || !cur ||
        souk_money_parse_decimal(souk_str_from(amount), cur->exponent, &minor, NULL) != SOUK_OK ||
        minor < 0)
        return NULL;
    return json_pack("{s:I, s:s}", "amount_minor", (json_int_t)minor, "currency", cur->code);
}

json_t *souk_sim__price_text(const char *text)
{
    const char *space = text ? strchr(text, ' ') : NULL;
    if (!space || space == text)
        return NULL;
    char amount[64];
    size_t len = (size_t)(space - text);
    if (len >= sizeof amount)
        return NULL;
    memcpy(amount, text, len);
    amount[len] = '\0';
    return souk_sim__price_parts(amount, space + 1);
}

bool souk_sim__is_price_text(const char *text)
{
    json_t *price = souk_sim__price_text(text);
    json_decref(price);
    return price != NULL;
}

bool souk_sim__count(const json_t *value, int64_t max, int64_t *out)
{
    if (json_is_integer(value)) {
        json_int_t n = json_integer_value(value);
        if (n < 0 || n > max)
            return false;
        *out = n;
        return true;
    }
    const char *text = json_string_value(value);
    return text && text[0] != '-' &&
           souk_str_to_i64(souk_str_from(text), 0, max, out) == SOUK_OK;
}

/*
 * orders: the orders placed on the simulated platforms, and what souk sent back about them.
 *
 * Tests place orders through POST /_sim/orders (control.c); each platform file serves them in
 * its own shapes (tiktok.c: GET /order/202309/orders, packages and cancellations; meta.c: the
 * commerce_orders list, one order, acknowledgements, shipments and cancellations). This file
 * holds what they share: the order record, reading one from the control body, status changes,
 * amounts as decimal text, the sim's own JSON view, and the store.
 *
 * The store is an array in the order the orders were added (the control listing, Meta's list
 * sorts its own copy) and an open-addressing table from numeric id to order, so a lookup does
 * not walk 200,000 orders. One mutex guards every order and the webhook URLs; it is separate
 * from the catalog state's lock, and code that needs both takes the state lock first and
 * releases it before taking this one. Amounts are int64 minor units of the order's currency,
 * never floating point.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/locale.h"
#include "core/money.h"
#include "core/time.h"
#include "sim/sim_int.h"

struct slot {
    uint64_t id; /* the order's id as a number; 0 for an empty slot (ids are never 0) */
    size_t at;   /* its position in all[] */
};

struct souk_sim__orders {
    pthread_mutex_t lock;
    size_t nplatforms;
    struct souk_sim__order **all; /* in the order they were added */
    size_t n, cap;
    struct slot *index; /* open addressing over the numeric ids */
    size_t index_cap;   /* a power of two, at least twice n */
    json_t *user_ids; /* buyer email -> minted user id */
    char **webhooks;  /* per platform: the URL notifications go to, or NULL */
};

static const char *const spec_members[] = {
    "platform", "deliver", "currency", "lines",          "shipping_fee",   "tax",
    "discount", "buyer",   "address",  "payment_method", "live_stream_id", "creator",
    "status",   "channel", NULL};
static const char *const line_members[] = {"sku", "quantity", "unit_price", NULL};
static const char *const buyer_members[] = {"name", "email", NULL};
static const char *const address_members[] = {"name",        "line1",   "line2", "city", "state",
                                              "postal_code", "country", "phone", NULL};
static const char *const channels[] = {"instagram", "facebook", NULL};

/* ---- the store ---- */

struct souk_sim__orders *souk_sim__orders_new(size_t nplatforms)
{
    struct souk_sim__orders *orders = souk_calloc(1, sizeof *orders);
    pthread_mutex_init(&orders->lock, NULL);
    orders->nplatforms = nplatforms;
    orders->user_ids = json_object();
    orders->webhooks = souk_calloc(nplatforms, sizeof *orders->webhooks);
    return orders;
}

/* Drops every order, URL and buyer id; the caller holds the lock or is the only user. */
static void clear(struct souk_sim__orders *orders)
{
    for (size_t i = 0; i < orders->n; i++)
        souk_sim__order_free(orders->all[i]);
    souk_free(orders->all);
    souk_free(orders->index);
    orders->all = NULL;
    orders->index = NULL;
    orders->n = orders->cap = orders->index_cap = 0;
    json_object_clear(orders->user_ids);
    for (size_t p = 0; p < orders->nplatforms; p++) {
        souk_free(orders->webhooks[p]);
        orders->webhooks[p] = NULL;
    }
}

void souk_sim__orders_free(struct souk_sim__orders *orders)
{
    if (!orders)
        return;
    clear(orders);
    json_decref(orders->user_ids);
    souk_free(orders->webhooks);
    pthread_mutex_destroy(&orders->lock);
    souk_free(orders);
}

void souk_sim__orders_reset(struct souk_sim__orders *orders)
{
    pthread_mutex_lock(&orders->lock);
    clear(orders);
    pthread_mutex_unlock(&orders->lock);
}

void souk_sim__orders_lock(struct souk_sim__orders *orders)
{
    pthread_mutex_lock(&orders->lock);
}

void souk_sim__orders_unlock(struct souk_sim__orders *orders)
{
    pthread_mutex_unlock(&orders->lock);
}

/* The numeric value of an id the sim minted; 0 (never minted) for anything else. */
static uint64_t id_number(const char *id)
{
    int64_t n = 0;
    if (!id || souk_str_to_i64(souk_str_from(id), 1, INT64_MAX, &n) != SOUK_OK)
        return 0;
    return (uint64_t)n;
}

/* The slot of id in the index: where it is, or the empty slot where it would go. */
static struct slot *slot_of(const struct souk_sim__orders *orders, uint64_t id)
{
    size_t mask = orders->index_cap - 1;
    /* Minted ids are consecutive; a multiplicative hash spreads them over the table. */
    size_t i = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & mask;
    while (orders->index[i].id && orders->index[i].id != id)
        i = (i + 1) & mask;
    return &orders->index[i];
}

static void index_put(struct souk_sim__orders *orders, size_t at)
{
    uint64_t id = id_number(orders->all[at]->id);
    *slot_of(orders, id) = (struct slot){id, at};
}

static void index_grow(struct souk_sim__orders *orders)
{
    size_t cap = orders->index_cap ? orders->index_cap * 2 : 1024;
    souk_free(orders->index);
    orders->index = souk_calloc(cap, sizeof *orders->index);
    orders->index_cap = cap;
    for (size_t i = 0; i < orders->n; i++)
        index_put(orders, i);
}

struct souk_sim__order *souk_sim__order_find(struct souk_sim__orders *orders, const char *id)
{
    uint64_t key = id_number(id);
    if (!key || !orders->index_cap)
        return NULL;
    const struct slot *slot = slot_of(orders, key);
    return slot->id ? orders->all[slot->at] : NULL;
}

struct souk_sim__order *const *souk_sim__orders_all(struct souk_sim__orders *orders, size_t *n)
{
    *n = orders->n;
    return orders->all;
}

size_t souk_sim__orders_room(struct souk_sim__orders *orders)
{
    pthread_mutex_lock(&orders->lock);
    size_t room = SOUK_SIM_MAX_ORDERS - orders->n;
    pthread_mutex_unlock(&orders->lock);
    return room;
}

int souk_sim__orders_add(struct souk_sim__orders *orders, struct souk_sim__state *st,
                         struct souk_sim__order *order)
{
    pthread_mutex_lock(&orders->lock);
    if (orders->n == SOUK_SIM_MAX_ORDERS) {
        pthread_mutex_unlock(&orders->lock);
        souk_sim__order_free(order);
        return SOUK_ETOOBIG;
    }
    const char *user_id = json_string_value(json_object_get(orders->user_ids, order->buyer_email));
    if (user_id) {
        snprintf(order->user_id, sizeof order->user_id, "%s", user_id);
    } else {
        souk_sim__new_id(st, order->user_id);
        json_object_set_new(orders->user_ids, order->buyer_email, json_string(order->user_id));
    }
    if (orders->n == orders->cap) {
        orders->cap = orders->cap ? orders->cap * 2 : 256;
        orders->all = souk_realloc(orders->all, orders->cap * sizeof *orders->all);
    }
    orders->all[orders->n++] = order;
    if (orders->n * 2 > orders->index_cap)
        index_grow(orders);
    else
        index_put(orders, orders->n - 1);
    pthread_mutex_unlock(&orders->lock);
    return SOUK_OK;
}

void souk_sim__webhook_set(struct souk_sim__orders *orders, size_t platform, const char *url)
{
    pthread_mutex_lock(&orders->lock);
    souk_free(orders->webhooks[platform]);
    orders->webhooks[platform] = url ? souk_strdup(url) : NULL;
    pthread_mutex_unlock(&orders->lock);
}

bool souk_sim__webhook_get(struct souk_sim__orders *orders, size_t platform,
                           char out[SOUK_SIM_URL_MAX])
{
    pthread_mutex_lock(&orders->lock);
    const char *url = orders->webhooks[platform];
    if (url)
        snprintf(out, SOUK_SIM_URL_MAX, "%s", url);
    pthread_mutex_unlock(&orders->lock);
    return url != NULL;
}

/* ---- amounts ---- */

void souk_sim__amount_text(int64_t minor, const struct souk_currency *currency,
                           char out[SOUK_SIM_AMOUNT_MAX])
{
    struct souk_buf text = SOUK_BUF_INIT(SOUK_SIM_AMOUNT_MAX - 1);
    /* Orders hold at most 10,000 units of amounts below SOUK_SIM_MAX_AMOUNT, so the text
     * always fits; "0" stands in for what cannot happen rather than a partial number. */
    if (souk_money_format(&text, minor, currency->exponent) == SOUK_OK)
        snprintf(out, SOUK_SIM_AMOUNT_MAX, "%s", text.data);
    else
        snprintf(out, SOUK_SIM_AMOUNT_MAX, "0");
    souk_buf_release(&text);
}

bool souk_sim__amount_parse(const json_t *value, const struct souk_currency *currency, int64_t *out)
{
    const char *text = json_string_value(value);
    int64_t minor;
    if (!text || text[0] == '-' ||
        souk_money_parse_decimal(souk_str_from(text), currency->exponent, &minor, NULL) !=
            SOUK_OK ||
        minor > SOUK_SIM_MAX_AMOUNT)
        return false;
    *out = minor;
    return true;
}

static void apply_status(struct souk_sim__order *o, const struct souk_sim__order_rules *rules,
                         const char *status);

/* ---- reading an order ---- */

/* The first member of obj that is not one of the allowed names, or NULL. */
static const char *unknown_member(const json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        if (!souk_sim__one_of(key, allowed))
            return key;
    }
    return NULL;
}

/* A copy of an optional text member: fallback when absent; NULL (err set) when it is not a
 * string of at most SOUK_SIM_MAX_TEXT bytes, or is empty while required_nonempty. */
static char *text_member(const json_t *obj, const char *name, const char *param,
                         const char *fallback, bool required_nonempty, struct souk_err *err)
{
    const json_t *value = json_object_get(obj, name);
    const char *text = value ? json_string_value(value) : fallback;
    if (!text || strlen(text) > SOUK_SIM_MAX_TEXT || (required_nonempty && !*text)) {
        souk_err_set(err, SOUK_EINVAL, param, "%s must be a%s string of at most %d bytes", param,
                     required_nonempty ? " non-empty" : "", SOUK_SIM_MAX_TEXT);
        return NULL;
    }
    return souk_strdup(text);
}

static int bad_amount(const char *param, const struct souk_currency *cur, struct souk_err *err)
{
    return souk_err_set(err, SOUK_EINVAL, param,
                        "%s must be a decimal string with at most %d fraction digits (%s), like "
                        "\"%s\"",
                        param, cur->exponent, cur->code,
                        cur->exponent == 0   ? "1500"
                        : cur->exponent == 2 ? "19.99"
                                             : "1.500");
}

static int parse_amount(const json_t *spec, const char *name, const struct souk_currency *cur,
                        int64_t *out, struct souk_err *err)
{
    const json_t *value = json_object_get(spec, name);
    *out = 0;
    if (!value || souk_sim__amount_parse(value, cur, out))
        return SOUK_OK;
    return bad_amount(name, cur, err);
}

static int parse_lines(const json_t *spec, const struct souk_currency *cur,
                       struct souk_sim__order *o, struct souk_sim__state *st, struct souk_err *err)
{
    const json_t *lines = json_object_get(spec, "lines"), *line;
    size_t i;
    if (!json_is_array(lines) || json_array_size(lines) == 0 ||
        json_array_size(lines) > SOUK_SIM_MAX_LINES)
        return souk_err_set(err, SOUK_EINVAL, "lines", "lines must be an array of 1 to %d lines",
                            SOUK_SIM_MAX_LINES);
    o->lines = souk_calloc(json_array_size(lines), sizeof *o->lines);
    json_array_foreach(lines, i, line) {
        struct souk_sim__line *l = &o->lines[i];
        char param[64];
        const char *extra = json_is_object(line) ? unknown_member(line, line_members) : NULL;
        json_t *quantity = json_object_get(line, "quantity");
        o->nlines = i + 1;
        snprintf(param, sizeof param, "lines[%zu]", i);
        if (!json_is_object(line))
            return souk_err_set(err, SOUK_EINVAL, param,
                                "%s must be {\"sku\", \"quantity\", \"unit_price\"}", param);
        if (extra)
            return souk_err_set(err, SOUK_EINVAL, param, "%s has no member \"%s\"", param, extra);
        snprintf(param, sizeof param, "lines[%zu].sku", i);
        if (!(l->sku = text_member(line, "sku", param, NULL, true, err)))
            return err->code;
        snprintf(param, sizeof param, "lines[%zu].quantity", i);
        if (!json_is_integer(quantity) || json_integer_value(quantity) < 1 ||
            json_integer_value(quantity) > SOUK_SIM_MAX_LINE_QUANTITY)
            return souk_err_set(err, SOUK_EINVAL, param, "%s must be a whole number from 1 to %d",
                                param, SOUK_SIM_MAX_LINE_QUANTITY);
        l->quantity = json_integer_value(quantity);
        snprintf(param, sizeof param, "lines[%zu].unit_price", i);
        if (!souk_sim__amount_parse(json_object_get(line, "unit_price"), cur, &l->unit_price))
            return bad_amount(param, cur, err);
        l->first_unit = o->nunits;
        o->nunits += (size_t)l->quantity;
        if (o->nunits > SOUK_SIM_MAX_UNITS)
            return souk_err_set(err, SOUK_EINVAL, "lines",
                                "an order holds at most %d units in all", SOUK_SIM_MAX_UNITS);
        /* Until the catalog says otherwise (control.c looks the SKU up), the sim's own. */
        l->product_name = souk_strdup(l->sku);
        souk_sim__new_id(st, l->product_id);
        souk_sim__new_id(st, l->sku_id);
    }
    o->units = souk_calloc(o->nunits, 1);
    return SOUK_OK;
}

static int parse_people(const json_t *spec, struct souk_sim__order *o, struct souk_err *err)
{
    const json_t *buyer = json_object_get(spec, "buyer");
    const json_t *address = json_object_get(spec, "address");
    const char *extra = NULL;
    if (buyer && (!json_is_object(buyer) || (extra = unknown_member(buyer, buyer_members))))
        return souk_err_set(err, SOUK_EINVAL, "buyer", "buyer must be {\"name\", \"email\"}%s%s",
                            extra ? "; not " : "", extra ? extra : "");
    if (!(o->buyer_name = text_member(buyer, "name", "buyer.name", "Sim Buyer", false, err)) ||
        !(o->buyer_email =
              text_member(buyer, "email", "buyer.email", "buyer@sim.test", false, err)))
        return err->code;
    if (address && (!json_is_object(address) || (extra = unknown_member(address, address_members))))
        return souk_err_set(err, SOUK_EINVAL, "address", "address must be an object of %s%s%s",
                            "name, line1, line2, city, state, postal_code, country, phone",
                            extra ? "; not " : "", extra ? extra : "");
    /* Without an address the buyer lives at the sim's; with one, what is not given is "". */
    bool given = address != NULL;
    struct souk_sim__address *a = &o->address;
    if (!(a->name = text_member(address, "name", "address.name", o->buyer_name, false, err)) ||
        !(a->line1 = text_member(address, "line1", "address.line1", given ? "" : "1 Market Street",
                                 false, err)) ||
        !(a->line2 = text_member(address, "line2", "address.line2", "", false, err)) ||
        !(a->city = text_member(address, "city", "address.city", given ? "" : "San Francisco",
                                false, err)) ||
        !(a->state =
              text_member(address, "state", "address.state", given ? "" : "CA", false, err)) ||
        !(a->postal_code = text_member(address, "postal_code", "address.postal_code",
                                       given ? "" : "94105", false, err)) ||
        !(a->country =
              text_member(address, "country", "address.country", given ? "" : "US", false, err)) ||
        !(a->phone = text_member(address, "phone", "address.phone", given ? "" : "+14155550100",
                                 false, err)))
        return err->code;
    if (!souk_country_is_valid(souk_str_from(a->country)))
        return souk_err_set(err, SOUK_EINVAL, "address.country",
                            "address.country must be an ISO 3166-1 alpha-2 code such as US");
    return SOUK_OK;
}

static int parse_extras(const json_t *spec, const struct souk_sim__bound *b,
                        struct souk_sim__order *o, struct souk_err *err)
{
    bool meta = strcmp(b->def->name, "meta") == 0;
    if (!(o->payment_method =
              text_member(spec, "payment_method", "payment_method", "Visa", false, err)))
        return err->code;
    if (json_object_get(spec, "live_stream_id") &&
        !(o->live_stream_id =
              text_member(spec, "live_stream_id", "live_stream_id", NULL, true, err)))
        return err->code;
    if (json_object_get(spec, "creator") &&
        !(o->creator = text_member(spec, "creator", "creator", NULL, true, err)))
        return err->code;
    const json_t *channel = json_object_get(spec, "channel");
    if (channel && !meta)
        return souk_err_set(err, SOUK_EINVAL, "channel", "channel is for meta orders only");
    if (meta && channel && !souk_sim__one_of(json_string_value(channel), channels))
        return souk_err_set(err, SOUK_EINVAL, "channel", "channel must be instagram or facebook");
    if (meta)
        o->channel = souk_strdup(channel ? json_string_value(channel) : "instagram");
    return SOUK_OK;
}

/* Everything but the lines and the people; the order's own id is minted last. */
static int parse_order(const json_t *spec, const struct souk_sim__bound *b,
                       struct souk_sim__order *o, struct souk_sim__state *st, struct souk_err *err)
{
    const struct souk_sim__order_rules *rules = b->def->orders;
    const char *extra = unknown_member(spec, spec_members);
    const char *code = souk_sim__str(spec, "currency");
    const json_t *status = json_object_get(spec, "status");
    int rc;
    if (extra)
        return souk_err_set(err, SOUK_EINVAL, extra, "an order has no member \"%s\"", extra);
    if (!(o->currency = souk_money_currency(souk_str_from(code))))
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "currency must be an ISO 4217 code such as USD");
    if ((rc = parse_lines(spec, o->currency, o, st, err)) != SOUK_OK ||
        (rc = parse_amount(spec, "shipping_fee", o->currency, &o->shipping_fee, err)) != SOUK_OK ||
        (rc = parse_amount(spec, "tax", o->currency, &o->tax, err)) != SOUK_OK ||
        (rc = parse_amount(spec, "discount", o->currency, &o->discount, err)) != SOUK_OK ||
        (rc = parse_people(spec, o, err)) != SOUK_OK ||
        (rc = parse_extras(spec, b, o, err)) != SOUK_OK)
        return rc;
    if (o->discount > souk_sim__order_subtotal(o) + o->shipping_fee + o->tax)
        return souk_err_set(err, SOUK_EINVAL, "discount",
                            "discount must not be more than the lines, shipping and tax");
    if (status && !souk_sim__order_status_ok(rules, json_string_value(status)))
        return souk_err_set(err, SOUK_EINVAL, "status", "status must be one of %s's statuses",
                            b->def->name);
    o->create_time = o->update_time = souk_time_now_us() / 1000000;
    apply_status(o, rules, status ? json_string_value(status) : rules->initial_status);
    souk_sim__new_id(st, o->id);
    o->first_unit_id = souk_sim__new_ids(st, o->nunits);
    return SOUK_OK;
}

struct souk_sim__order *souk_sim__order_parse(const json_t *spec, const struct souk_sim__bound *b,
                                              struct souk_sim__state *st, struct souk_err *err)
{
    struct souk_sim__order *o = souk_calloc(1, sizeof *o);
    o->platform = b->index;
    if (parse_order(spec, b, o, st, err) != SOUK_OK) {
        souk_sim__order_free(o);
        return NULL;
    }
    return o;
}

void souk_sim__order_from_catalog(struct souk_sim__order *o, const struct souk_sim__bound *b,
                                  struct souk_sim__state *st)
{
    for (size_t i = 0; i < o->nlines; i++) {
        struct souk_sim__line *l = &o->lines[i];
        json_t *item = souk_sim__item_json(st, b->index, l->sku, b->def->alias_field);
        json_t *fields = json_object_get(item, "fields");
        const char *title = souk_sim__str(fields, "title");
        const char *product_id = souk_sim__str(fields, "product_id");
        const char *id = souk_sim__str(item, "id");
        if (title && *title) {
            souk_free(l->product_name);
            l->product_name = souk_strdup(title);
        }
        /* A platform that finds items by an alias (TikTok's seller_sku) keys them by its own
         * SKU id, under a product id. */
        if (b->def->alias_field && id && product_id && strcmp(id, l->sku) != 0) {
            snprintf(l->sku_id, sizeof l->sku_id, "%s", id);
            snprintf(l->product_id, sizeof l->product_id, "%s", product_id);
            l->catalog_ids = true;
        }
        json_decref(item);
    }
}

static char *copy_text(const char *text)
{
    return text ? souk_strdup(text) : NULL;
}

struct souk_sim__order *souk_sim__order_copy(const struct souk_sim__order *t,
                                             struct souk_sim__state *st)
{
    struct souk_sim__order *o = souk_calloc(1, sizeof *o);
    *o = *t;
    o->lines = souk_calloc(t->nlines, sizeof *o->lines);
    for (size_t i = 0; i < t->nlines; i++) {
        o->lines[i] = t->lines[i];
        o->lines[i].sku = souk_strdup(t->lines[i].sku);
        o->lines[i].product_name = souk_strdup(t->lines[i].product_name);
        if (!o->lines[i].catalog_ids) {
            souk_sim__new_id(st, o->lines[i].product_id);
            souk_sim__new_id(st, o->lines[i].sku_id);
        }
    }
    o->units = souk_calloc(t->nunits ? t->nunits : 1, 1);
    memcpy(o->units, t->units, t->nunits);
    char **texts[] = {
        &o->buyer_name,      &o->buyer_email,   &o->address.name,      &o->address.line1,
        &o->address.line2,   &o->address.city,  &o->address.state,     &o->address.postal_code,
        &o->address.country, &o->address.phone, &o->payment_method,    &o->channel,
        &o->live_stream_id,  &o->creator,       &o->merchant_order_id, &o->cancel_reason};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        *texts[i] = copy_text(*texts[i]);
    o->acks = o->shipments = o->cancellations = NULL;
    o->sent = NULL;
    o->nsent = 0;
    o->user_id[0] = '\0';
    o->create_time = o->update_time = souk_time_now_us() / 1000000;
    if (o->paid_time)
        o->paid_time = o->create_time;
    souk_sim__new_id(st, o->id);
    o->first_unit_id = souk_sim__new_ids(st, o->nunits);
    return o;
}

void souk_sim__order_free(struct souk_sim__order *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->nlines; i++) {
        souk_free(o->lines[i].sku);
        souk_free(o->lines[i].product_name);
    }
    souk_free(o->lines);
    souk_free(o->units);
    char **texts[] = {
        &o->buyer_name,      &o->buyer_email,   &o->address.name,      &o->address.line1,
        &o->address.line2,   &o->address.city,  &o->address.state,     &o->address.postal_code,
        &o->address.country, &o->address.phone, &o->payment_method,    &o->channel,
        &o->live_stream_id,  &o->creator,       &o->merchant_order_id, &o->cancel_reason};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        souk_free(*texts[i]);
    json_decref(o->acks);
    json_decref(o->shipments);
    json_decref(o->cancellations);
    for (size_t i = 0; i < o->nsent; i++)
        souk_free(o->sent[i].error);
    souk_free(o->sent);
    souk_free(o);
}

/* ---- changes ---- */

bool souk_sim__order_status_ok(const struct souk_sim__order_rules *rules, const char *status)
{
    return status &&
           (strcmp(status, "CANCELLED") == 0 || souk_sim__one_of(status, rules->statuses));
}

void souk_sim__order_touch(struct souk_sim__order *o)
{
    int64_t now = souk_time_now_us() / 1000000;
    /* Two changes within one second still tell apart by update_time, as pollers need. */
    o->update_time = now > o->update_time ? now : o->update_time + 1;
}

/* Sets the status as of the order's update_time (see souk_sim__order_set_status). */
static void apply_status(struct souk_sim__order *o, const struct souk_sim__order_rules *rules,
                         const char *status)
{
    if (strcmp(status, "CANCELLED") == 0) {
        for (size_t i = 0; i < o->nunits; i++)
            if (o->units[i] == SOUK_SIM__UNIT_OPEN)
                o->units[i] = SOUK_SIM__UNIT_CANCELLED;
        o->cancelled = true;
        if (!o->cancel_reason)
            o->cancel_reason = souk_strdup("Cancelled by the buyer");
        status = rules->cancelled_status;
    }
    if (!o->paid_time && (!rules->unpaid_status || strcmp(status, rules->unpaid_status) != 0))
        o->paid_time = o->update_time;
    snprintf(o->status, sizeof o->status, "%s", status);
}

void souk_sim__order_set_status(struct souk_sim__order *o,
                                const struct souk_sim__order_rules *rules, const char *status)
{
    souk_sim__order_touch(o);
    apply_status(o, rules, status);
}

void souk_sim__order_record(json_t **history, json_t *record)
{
    if (!*history)
        *history = json_array();
    json_array_append_new(*history, record);
}

size_t souk_sim__order_units(const struct souk_sim__order *o, enum souk_sim__unit state)
{
    size_t n = 0;
    for (size_t i = 0; i < o->nunits; i++)
        n += o->units[i] == state;
    return n;
}

int64_t souk_sim__order_subtotal(const struct souk_sim__order *o)
{
    int64_t sum = 0;
    for (size_t i = 0; i < o->nlines; i++)
        sum += o->lines[i].unit_price * o->lines[i].quantity;
    return sum;
}

int64_t souk_sim__order_total(const struct souk_sim__order *o)
{
    return souk_sim__order_subtotal(o) + o->shipping_fee + o->tax - o->discount;
}

void souk_sim__order_sent(struct souk_sim__order *o, const struct souk_sim__notice *notice,
                          const int *results, unsigned n, const char *error)
{
    o->sent = souk_realloc(o->sent, (o->nsent + 1) * sizeof *o->sent);
    struct souk_sim__sent *s = &o->sent[o->nsent++];
    memset(s, 0, sizeof *s);
    snprintf(s->notification_id, sizeof s->notification_id, "%s", notice->notification_id);
    snprintf(s->status, sizeof s->status, "%s", notice->status);
    s->update_time = notice->update_time;
    s->ndeliveries = n < 2 ? n : 2;
    memcpy(s->results, results, s->ndeliveries * sizeof *results);
    s->error = error ? souk_strdup(error) : NULL;
}

/* ---- the sim's view ---- */

static json_t *amount_json(int64_t minor, const struct souk_currency *cur)
{
    char text[SOUK_SIM_AMOUNT_MAX];
    souk_sim__amount_text(minor, cur, text);
    return json_string(text);
}

static json_t *lines_json(const struct souk_sim__order *o)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < o->nlines; i++) {
        const struct souk_sim__line *l = &o->lines[i];
        size_t shipped = 0, cancelled = 0;
        for (size_t u = l->first_unit; u < l->first_unit + (size_t)l->quantity; u++) {
            shipped += o->units[u] == SOUK_SIM__UNIT_SHIPPED;
            cancelled += o->units[u] == SOUK_SIM__UNIT_CANCELLED;
        }
        json_array_append_new(
            lines, json_pack("{s:s, s:s, s:I, s:o, s:I, s:I}", "sku", l->sku, "product_name",
                             l->product_name, "quantity", (json_int_t)l->quantity, "unit_price",
                             amount_json(l->unit_price, o->currency), "shipped",
                             (json_int_t)shipped, "cancelled", (json_int_t)cancelled));
    }
    return lines;
}

static json_t *sent_json(const struct souk_sim__order *o)
{
    json_t *list = json_array();
    for (size_t i = 0; i < o->nsent; i++) {
        const struct souk_sim__sent *s = &o->sent[i];
        json_t *deliveries = json_array();
        for (unsigned d = 0; d < s->ndeliveries; d++)
            json_array_append_new(deliveries, json_pack("{s:i}", "status", s->results[d]));
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:o, s:s*}", "notification_id",
                                              s->notification_id, "order_status", s->status,
                                              "update_time", (json_int_t)s->update_time,
                                              "deliveries", deliveries, "error", s->error));
    }
    return list;
}

static json_t *history_json(const json_t *history)
{
    return history ? json_deep_copy(history) : json_array();
}

json_t *souk_sim__order_json(const struct souk_sim__order *o, const char *platform_name)
{
    const struct souk_sim__address *a = &o->address;
    json_t *view =
        json_pack("{s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:o, s:o}", "id", o->id, "platform",
                  platform_name, "status", o->status, "cancelled", o->cancelled, "currency",
                  o->currency->code, "create_time", (json_int_t)o->create_time, "update_time",
                  (json_int_t)o->update_time, "paid_time",
                  o->paid_time ? json_integer(o->paid_time) : json_null(), "lines", lines_json(o));
    json_object_set_new(view, "sub_total", amount_json(souk_sim__order_subtotal(o), o->currency));
    json_object_set_new(view, "shipping_fee", amount_json(o->shipping_fee, o->currency));
    json_object_set_new(view, "tax", amount_json(o->tax, o->currency));
    json_object_set_new(view, "discount", amount_json(o->discount, o->currency));
    json_object_set_new(view, "total", amount_json(souk_sim__order_total(o), o->currency));
    json_object_set_new(view, "buyer",
                        json_pack("{s:s, s:s, s:s}", "name", o->buyer_name, "email", o->buyer_email,
                                  "user_id", o->user_id));
    json_object_set_new(view, "address",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", a->name,
                                  "line1", a->line1, "line2", a->line2, "city", a->city, "state",
                                  a->state, "postal_code", a->postal_code, "country", a->country,
                                  "phone", a->phone));
    json_t *rest =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o}", "payment_method",
                  o->payment_method, "channel", o->channel, "live_stream_id", o->live_stream_id,
                  "creator", o->creator, "merchant_order_id", o->merchant_order_id, "acks",
                  history_json(o->acks), "shipments", history_json(o->shipments), "cancellations",
                  history_json(o->cancellations), "notifications", sent_json(o));
    json_object_update(view, rest);
    json_decref(rest);
    return view;
}

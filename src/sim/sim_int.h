/*
 * sim_int.h: what the simulator's files share.
 *
 * A platform is one file (meta.c, tiktok.c, ...) that defines one struct souk_sim__platform:
 * its name, the credentials it reads from the config, its routes (method, path pattern,
 * handler, body limit), how it checks credentials and how it renders an error. server.c holds
 * the table of platforms and runs the same path for every request:
 *   route -> injected fault -> rate limit -> body size -> credentials -> handler -> log.
 * Adding a platform is one file and one line in that table; adding a capability to a platform
 * is one more route in its file.
 *
 * Handlers see a struct souk_sim__req: the request (path captures, query, headers, raw body)
 * and a response they set with souk_sim__reply. What a platform accepted goes into the shared
 * state (state.c), which one mutex guards: handlers take it with souk_sim__lock for the whole
 * of a batch, so a batch is applied at once, as the platforms do.
 *
 * Orders (orders.c) have a store and a mutex of their own; a platform says how its orders
 * behave with a struct souk_sim__order_rules (statuses, and how it notifies sellers), and
 * serves them on routes of its own. control.c holds the /_sim/ order endpoints, notify.c
 * sends notifications and deliver.c is the outbound HTTP.
 */
#ifndef SOUK_SIM_SIM_INT_H
#define SOUK_SIM_SIM_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/pool.h"
#include "core/str.h"

#define SOUK_SIM_MAX_PARAMS 4       /* {name} captures in one route pattern */
#define SOUK_SIM_MAX_HEADERS 4      /* extra response headers one reply sets */
#define SOUK_SIM_ID_MAX 24          /* ids the sim mints: handles, batch ids, product ids */
#define SOUK_SIM_MAX_ITEMS 200000   /* items one platform holds; more are refused per item */
#define SOUK_SIM_MAX_BATCHES 10000  /* batch results kept per platform, oldest dropped */
#define SOUK_SIM_MAX_FILES 10000    /* uploaded files kept per platform, oldest dropped */
#define SOUK_SIM_MAX_LOG 10000      /* logged requests kept per platform, oldest dropped */
#define SOUK_SIM_MAX_DELAY_MS 60000 /* the longest "slow" fault */
#define SOUK_SIM_MAX_FAULTS 1024    /* fault entries queued per platform */

/* The errors every platform renders in its own shape; see each platform's error hook. */
enum souk_sim__error {
    SOUK_SIM__INVALID,      /* a malformed request or parameter (400) */
    SOUK_SIM__NOT_FOUND,    /* no such object (404) */
    SOUK_SIM__TOO_BIG,      /* the body is over the route's limit (413) */
    SOUK_SIM__RATE_LIMITED, /* over the platform's token bucket (429, with Retry-After) */
    SOUK_SIM__UNAVAILABLE,  /* an injected status fault, with the status it names */
};

struct souk_currency;
struct souk_sim__req;
struct souk_sim__order_rules;

struct souk_sim__route {
    const char *method;  /* "GET" or "POST" */
    /* "/v5/catalogs/items/batch/{batch_id}": {name} matches one non-empty segment, and
     * {name:digits} one made of digits only. A path that fits several routes goes to the one
     * with the most literal segments. */
    const char *pattern;
    void (*handle)(struct souk_sim__req *req); /* always sets a response */
    size_t body_limit;   /* bytes; 0 for a route that takes no body */
};

struct souk_sim__platform {
    const char *name;                /* "meta": config key, ?platform= value, log label */
    const char *const *credentials;  /* config keys this platform reads, NULL-terminated */
    const char *const *defaults;     /* the value of each when the config gives none */
    const struct souk_sim__route *routes;
    size_t nroutes;
    const char *alias_field; /* an item field that also finds an item in /_sim/items, or NULL */
    const struct souk_sim__order_rules *orders; /* NULL: the platform takes no orders */
    /* Checks the request's credentials; false once it has replied with the auth error. */
    bool (*authenticate)(struct souk_sim__req *req);
    /* Replies with an error of this kind, HTTP status and message in the platform's shape. */
    void (*error)(struct souk_sim__req *req, enum souk_sim__error kind, int status,
                  const char *message);
};

/* The platforms, one file each. The table that serves them is in server.c. */
extern const struct souk_sim__platform souk_sim__meta;
extern const struct souk_sim__platform souk_sim__tiktok;
extern const struct souk_sim__platform souk_sim__pinterest;
extern const struct souk_sim__platform souk_sim__google;
extern const struct souk_sim__platform souk_sim__wechat;

struct souk_sim;
struct souk_sim__state;
struct souk_sim__orders;
struct souk_sim__pending;

/* What a handler sees. Everything it allocates comes from pool, freed with the request. */
struct souk_sim__req {
    struct souk_pool *pool;
    struct souk_sim *sim;
    struct souk_sim__state *state;
    struct souk_sim__orders *orders;
    size_t platform; /* index of the platform in the table, for the state calls */
    const struct souk_sim__platform *def;
    const char *const *credential_values; /* parallel to def->credentials */
    const char *method;
    const char *path;
    const struct souk_sim__route *route;     /* the route matched; NULL for /_sim/ */
    const char *params[SOUK_SIM_MAX_PARAMS]; /* path captures, in pattern order */
    struct souk_str body;                    /* the raw bytes, as signed by the client */
    void *data; /* the platform's own: what authenticate parsed, for the handler; pool memory */
    void *_conn;                             /* the MHD connection */

    /* The response, set through souk_sim__reply and souk_sim__add_header. */
    int status;
    json_t *_json; /* owned */
    const char *_header_names[SOUK_SIM_MAX_HEADERS];
    const char *_header_values[SOUK_SIM_MAX_HEADERS];
    size_t _nheaders;
    struct souk_sim__pending *_pending; /* notifications to send once answered; pool memory */
};

/* A platform as this sim is configured: its definition, index and credentials. */
struct souk_sim__bound {
    size_t index;
    const struct souk_sim__platform *def;
    const char *const *credentials; /* values parallel to def->credentials */
};

/* ---- the request (server.c) ---- */

/* A query parameter (URL-decoded; "" for a bare key) or header; NULL when absent. */
const char *souk_sim__query(struct souk_sim__req *req, const char *name);
const char *souk_sim__header(struct souk_sim__req *req, const char *name);

struct souk_sim__kv {
    const char *key, *value;
};
/* Every query parameter in the order sent, in an array from the pool; returns the count. */
size_t souk_sim__query_all(struct souk_sim__req *req, struct souk_sim__kv **out);

/* The path segment captured by {name} in the route's pattern; NULL when it has none. */
const char *souk_sim__param(struct souk_sim__req *req, const char *name);

/* The configured value of one of the platform's credentials ("" if it is not one). */
const char *souk_sim__credential(struct souk_sim__req *req, const char *name);

/* The configured value of one of a bound platform's credentials ("" if it is not one). */
const char *souk_sim__bound_credential(const struct souk_sim__bound *b, const char *name);
/* The platform the request was routed to. */
struct souk_sim__bound souk_sim__req_bound(const struct souk_sim__req *req);

/* True when the Authorization header is "Bearer <token>" for exactly this token; the
 * comparison takes the same time wherever the bytes differ. */
bool souk_sim__bearer_is(struct souk_sim__req *req, const char *token);

/* The body as a JSON object; NULL once it has replied with the platform's INVALID error. The
 * caller owns the result. */
json_t *souk_sim__body_json(struct souk_sim__req *req);

/* Sets the response; takes the reference to body. A later call replaces an earlier one. */
void souk_sim__reply(struct souk_sim__req *req, int status, json_t *body);
/* Adds a response header (both strings copied). Past SOUK_SIM_MAX_HEADERS it is dropped. */
void souk_sim__add_header(struct souk_sim__req *req, const char *name, const char *value);

/* ---- the control endpoints (server.c, control.c, live.c) ---- */

/* Replies with the control endpoints' error {"error": {"message", "param"}}; param may be
 * NULL. */
void souk_sim__control_error(struct souk_sim__req *req, int status, const char *param,
                             const char *fmt, ...) SOUK_PRINTF(4, 5);
/* The platform called name; false once it has replied 400 naming the platforms there are. */
bool souk_sim__control_platform(struct souk_sim__req *req, const char *name,
                                struct souk_sim__bound *out);
/* The platform called name; false when the sim serves none by that name. */
bool souk_sim__platform_find(const struct souk_sim__req *req, const char *name,
                             struct souk_sim__bound *out);
/* The platform at this index of the table. */
struct souk_sim__bound souk_sim__platform_at(const struct souk_sim__req *req, size_t index);

/* /_sim/orders[...] (rest is what follows "/orders"; body is NULL for a GET), POST
 * /_sim/webhooks and POST /_sim/live (live.c); each sets the response. */
void souk_sim__control_orders(struct souk_sim__req *req, const char *rest, json_t *body);
void souk_sim__control_webhooks(struct souk_sim__req *req, json_t *body);
void souk_sim__control_live(struct souk_sim__req *req, json_t *body);

/* ---- what was received (state.c) ---- */

struct souk_sim__state *souk_sim__state_new(size_t nplatforms);
void souk_sim__state_free(struct souk_sim__state *st); /* NULL is fine */
/* Forgets every item, batch and logged request. */
void souk_sim__state_reset(struct souk_sim__state *st);

/* Mints a unique decimal id ("7301000000000001"), as the platforms' numeric ids look. */
void souk_sim__new_id(struct souk_sim__state *st, char out[SOUK_SIM_ID_MAX]);
/* Mints n consecutive ids at once and returns the first (TikTok's line items, one per unit). */
uint64_t souk_sim__new_ids(struct souk_sim__state *st, uint64_t n);

/* Records one platform request for GET /_sim/requests. Takes the lock itself. */
void souk_sim__log_request(struct souk_sim__state *st, size_t platform, const char *method,
                           const char *path, int status, int64_t duration_us, size_t body_bytes);

/*
 * A handler applies a batch between souk_sim__lock and souk_sim__unlock; the JSON the calls
 * below return is borrowed from the state and valid until the unlock.
 *
 * An item is {"id", "fields": {every field as received, later ones merged over earlier},
 * "quantity", "price", "availability", "created_us", "updated_us"}; the platform fills the
 * three derived members from its own field names after each merge.
 */
void souk_sim__lock(struct souk_sim__state *st);
void souk_sim__unlock(struct souk_sim__state *st);
json_t *souk_sim__item(struct souk_sim__state *st, size_t platform, const char *id);
/* Every item of the platform, keyed by id (WeChat finds a product's SKUs by walking them). */
json_t *souk_sim__items(struct souk_sim__state *st, size_t platform);
/* Merges fields (borrowed) into the item with this id, creating it if needed; NULL when the
 * platform already holds SOUK_SIM_MAX_ITEMS other items. */
json_t *souk_sim__item_merge(struct souk_sim__state *st, size_t platform, const char *id,
                             json_t *fields);
bool souk_sim__item_delete(struct souk_sim__state *st, size_t platform, const char *id);
/* Keeps a batch's result under its id (takes the reference), dropping the oldest past
 * SOUK_SIM_MAX_BATCHES. */
void souk_sim__batch_put(struct souk_sim__state *st, size_t platform, const char *id,
                         json_t *result);
json_t *souk_sim__batch(struct souk_sim__state *st, size_t platform, const char *id);
/* ---- images (images.c) ---- */

/* The PNG GET /_sim/images/{name} serves (name "800x600.png"), in the request's pool; false
 * once it has replied 404 for a name of another shape. */
bool souk_sim__image_serve(struct souk_sim__req *req, const char *name, const unsigned char **out,
                           size_t *len);

/* The boundary of a multipart/form-data Content-Type, into out; false for any other type. */
bool souk_sim__form_boundary(const char *type, char *out, size_t outsz);
/* The content of the form-data part called name in body, or false when it has none. */
bool souk_sim__form_part(struct souk_str body, const char *boundary, const char *name,
                         struct souk_str *out);

/* Keeps an uploaded file's description under its id (takes the reference), dropping the oldest
 * past SOUK_SIM_MAX_FILES; files outlive a reset. */
void souk_sim__file_put(struct souk_sim__state *st, size_t platform, const char *id, json_t *file);
json_t *souk_sim__file(struct souk_sim__state *st, size_t platform, const char *id);

/* For the control endpoints: new references, built under the lock. SIZE_MAX as platform
 * lists the requests of every platform; names gives each platform's name by index. */
json_t *souk_sim__items_json(struct souk_sim__state *st, size_t platform);
json_t *souk_sim__item_json(struct souk_sim__state *st, size_t platform, const char *id,
                            const char *alias_field);
json_t *souk_sim__requests_json(struct souk_sim__state *st, size_t platform,
                                const char *const *names);

/* ---- field checks shared by the platforms (state.c) ---- */

/* A string member, or NULL when absent or not a string. */
const char *souk_sim__str(const json_t *obj, const char *name);
/* The first of the NULL-terminated names that obj lacks as a non-empty string, or NULL. */
const char *souk_sim__missing(const json_t *obj, const char *const *names);
/* True when value is one of the NULL-terminated allowed strings. */
bool souk_sim__one_of(const char *value, const char *const *allowed);
/* The number of UTF-8 characters in s (bytes that do not continue a sequence); 0 for NULL. */
size_t souk_sim__chars(const char *s);
/* True for an absolute http(s) URL a platform would take (core/str.h); false for NULL. */
bool souk_sim__is_url(const char *value);

/*
 * Money as the platforms write it: "9.99 USD" (Meta, Pinterest) or a decimal string and a
 * currency (Google, TikTok). The result is {"amount_minor": 999, "currency": "USD"} (a new
 * reference), or NULL when the amount is not a decimal with at most the currency's minor
 * digits or the currency is not ISO 4217.
 */
json_t *souk_sim__price_text(const char *text);
bool souk_sim__is_price_text(const char *text);
json_t *souk_sim__price_parts(const char *amount, const char *currency);

/* A count from JSON: a non-negative integer, or a string of digits (form fields and Google's
 * int64-as-string). False for anything else or above max. */
bool souk_sim__count(const json_t *value, int64_t max, int64_t *out);

/* ---- orders (orders.c), notifications (notify.c) and their delivery (deliver.c) ---- */

#define SOUK_SIM_MAX_ORDERS 200000       /* orders the sim holds; more are refused (507) */
#define SOUK_SIM_MAX_LINES 100           /* lines in one order */
#define SOUK_SIM_MAX_LINE_QUANTITY 10000 /* units on one line */
#define SOUK_SIM_MAX_UNITS 10000         /* units in one order: TikTok lists each as a line item */
#define SOUK_SIM_MAX_AMOUNT 1000000000000LL /* minor units in one amount, so sums fit in int64 */
#define SOUK_SIM_MAX_TEXT 500               /* bytes in one free-text field of an order */
#define SOUK_SIM_STATUS_MAX 24              /* the longest status word and its NUL */
#define SOUK_SIM_URL_MAX 2048               /* a webhook URL */
#define SOUK_SIM_AMOUNT_MAX 32              /* an amount as decimal text and its NUL */

#define SOUK_SIM_HEADER_MAX 160     /* one "Name: value" header line of a delivery */
#define SOUK_SIM_DELIVERY_HEADERS 2 /* header lines a platform adds to a delivery */
#define SOUK_SIM_DELIVERY_TIMEOUT_MS 5000

/* One notification of an order's status, as a platform's webhook tells it. */
struct souk_sim__notice {
    char notification_id[SOUK_SIM_ID_MAX];
    char order_id[SOUK_SIM_ID_MAX];
    char status[SOUK_SIM_STATUS_MAX];
    int64_t update_time; /* unix seconds */
};

/* One POST to a webhook URL. */
struct souk_sim__delivery {
    char url[SOUK_SIM_URL_MAX];
    struct souk_buf body;
    char headers[SOUK_SIM_DELIVERY_HEADERS][SOUK_SIM_HEADER_MAX]; /* "" when unused */
};

struct souk_sim__delivery_result {
    int status;      /* the receiver's HTTP status; 0 when no answer came */
    char error[160]; /* why, when status is 0 */
    int64_t took_us;
};

/* What became of one unit of an order line. */
enum souk_sim__unit {
    SOUK_SIM__UNIT_OPEN,
    SOUK_SIM__UNIT_SHIPPED,
    SOUK_SIM__UNIT_CANCELLED,
};

struct souk_sim__line {
    char *sku;          /* the seller's SKU: TikTok's seller_sku, Meta's retailer_id */
    char *product_name; /* the catalog's title for the SKU when the platform holds it, else sku */
    char
        product_id[SOUK_SIM_ID_MAX]; /* the platform's product id, minted when not in its catalog */
    char sku_id[SOUK_SIM_ID_MAX];    /* TikTok's SKU id (likewise); Meta's order item id */
    int64_t quantity;                /* 1..SOUK_SIM_MAX_LINE_QUANTITY */
    int64_t unit_price;              /* minor units of the order's currency */
    size_t first_unit;               /* index of the line's first unit in the order's units[] */
    bool catalog_ids; /* product_id and sku_id are the catalog's, not minted for the order */
};

struct souk_sim__address {
    char *name, *line1, *line2, *city, *state, *postal_code, *country, *phone; /* never NULL */
};

/* A notification the sim sent for an order, and how each delivery of it went. */
struct souk_sim__sent {
    char notification_id[SOUK_SIM_ID_MAX];
    char status[SOUK_SIM_STATUS_MAX]; /* the status the notification carried */
    int64_t update_time;
    int results[2];       /* each delivery's HTTP status; 0 when it failed to get an answer */
    unsigned ndeliveries; /* 1 or 2 */
    char *error;          /* the last delivery's transport failure, or NULL */
};

/*
 * One order placed on a platform. Owned by the store once added; read and changed only under
 * souk_sim__orders_lock. Times are unix seconds; update_time grows strictly with every change.
 */
struct souk_sim__order {
    size_t platform;
    char id[SOUK_SIM_ID_MAX];
    char status[SOUK_SIM_STATUS_MAX]; /* the platform's word: "AWAITING_SHIPMENT", "CREATED" */
    bool cancelled;                   /* by the buyer or the seller, wholly */
    int64_t create_time, update_time;
    int64_t paid_time; /* 0 while unpaid */
    const struct souk_currency *currency;
    struct souk_sim__line *lines;
    size_t nlines;
    uint8_t *units; /* enum souk_sim__unit per unit, lines' units in line order */
    size_t nunits;
    uint64_t first_unit_id;              /* TikTok's line item id of units[0]; the rest follow on */
    int64_t shipping_fee, tax, discount; /* minor units; discount is the seller's */
    char *buyer_name, *buyer_email;
    char user_id[SOUK_SIM_ID_MAX]; /* minted once per buyer email, when the order is added */
    struct souk_sim__address address;
    char *payment_method;
    char *channel;                  /* Meta's "instagram" or "facebook"; NULL elsewhere */
    char *live_stream_id, *creator; /* NULL when not set */
    char *merchant_order_id;        /* Meta: from the first acknowledgement that gave one */
    char *cancel_reason;            /* TikTok: why it was cancelled */
    json_t *acks, *shipments, *cancellations; /* what souk sent back, oldest first; NULL: none */
    struct souk_sim__sent *sent;              /* notifications, oldest first */
    size_t nsent;
};

/* How a platform's orders behave, for the shared code. */
struct souk_sim__order_rules {
    const char *initial_status;   /* a new order's status unless the control call names one */
    const char *const *statuses;  /* every status word of the platform, NULL-terminated */
    const char *unpaid_status;    /* the status before payment (no paid_time), or NULL */
    const char *cancelled_status; /* the status "CANCELLED" from a control call leads to */
    /* Writes the platform's signed webhook for a notice into out (body and headers, not the
     * URL); NULL for a platform that has sellers poll instead. */
    void (*notification)(const struct souk_sim__bound *platform,
                         const struct souk_sim__notice *notice, struct souk_sim__delivery *out);
};

struct souk_sim__orders *souk_sim__orders_new(size_t nplatforms);
void souk_sim__orders_free(struct souk_sim__orders *orders); /* NULL is fine */
/* Forgets every order, webhook URL and buyer id. Takes the lock itself. */
void souk_sim__orders_reset(struct souk_sim__orders *orders);

void souk_sim__orders_lock(struct souk_sim__orders *orders);
void souk_sim__orders_unlock(struct souk_sim__orders *orders);
/* The order with this id, or NULL; under the lock. */
struct souk_sim__order *souk_sim__order_find(struct souk_sim__orders *orders, const char *id);
/* Every order in the order they were added; under the lock. */
struct souk_sim__order *const *souk_sim__orders_all(struct souk_sim__orders *orders, size_t *n);
/* How many more orders the store takes. Takes the lock itself. */
size_t souk_sim__orders_room(struct souk_sim__orders *orders);
/* Adds order, minting its user_id from its buyer's email; takes order in every case (it is
 * freed when the store is full: SOUK_ETOOBIG). Takes the lock itself. */
int souk_sim__orders_add(struct souk_sim__orders *orders, struct souk_sim__state *st,
                         struct souk_sim__order *order) SOUK_MUST_CHECK;

/* Where a platform delivers its notifications: the URL is copied; NULL forgets it. */
void souk_sim__webhook_set(struct souk_sim__orders *orders, size_t platform, const char *url);
/* Copies the platform's URL into out; false when none is registered. Takes the lock itself. */
bool souk_sim__webhook_get(struct souk_sim__orders *orders, size_t platform,
                           char out[SOUK_SIM_URL_MAX]);

/*
 * Reads a POST /_sim/orders body into a new order of platform (the members of the contract in
 * docs/internals/sim.md; "platform" and "deliver" are the caller's). Mints its ids from st.
 * NULL with err naming the member when the body is not a valid order.
 */
struct souk_sim__order *souk_sim__order_parse(const json_t *spec, const struct souk_sim__bound *b,
                                              struct souk_sim__state *st, struct souk_err *err);
void souk_sim__order_free(struct souk_sim__order *order); /* NULL is fine */
/* Takes each line's product name, and on a platform that finds items by an alias its SKU and
 * product ids, from the platform's catalog in st when it holds the SKU. Takes the state lock. */
void souk_sim__order_from_catalog(struct souk_sim__order *order, const struct souk_sim__bound *b,
                                  struct souk_sim__state *st);
/* A new order like template (not added to a store): fresh ids but the catalog's, placed now,
 * with no history. */
struct souk_sim__order *souk_sim__order_copy(const struct souk_sim__order *tmpl,
                                             struct souk_sim__state *st);

/* True when status is one of the rules' words, or "CANCELLED". */
bool souk_sim__order_status_ok(const struct souk_sim__order_rules *rules, const char *status);
/* The platform changes the order to status (souk_sim__order_status_ok): "CANCELLED" cancels
 * every open unit and leads to rules->cancelled_status; leaving the unpaid status sets
 * paid_time. Bumps update_time. */
void souk_sim__order_set_status(struct souk_sim__order *order,
                                const struct souk_sim__order_rules *rules, const char *status);
/* Sets update_time to now, or to one second after its last value if that is later. */
void souk_sim__order_touch(struct souk_sim__order *order);
/* Appends a record (taken) to one of the order's histories (&order->acks, ...). */
void souk_sim__order_record(json_t **history, json_t *record);
/* How many of the order's units are in this state. */
size_t souk_sim__order_units(const struct souk_sim__order *order, enum souk_sim__unit state);
/* The sum of the lines: unit price times quantity. */
int64_t souk_sim__order_subtotal(const struct souk_sim__order *order);
/* subtotal + shipping_fee + tax - discount. */
int64_t souk_sim__order_total(const struct souk_sim__order *order);
/* Records a notification and how its deliveries went (the error is copied). */
void souk_sim__order_sent(struct souk_sim__order *order, const struct souk_sim__notice *notice,
                          const int *results, unsigned n, const char *error);
/* The sim's own view of the order, for GET /_sim/orders (a new reference). */
json_t *souk_sim__order_json(const struct souk_sim__order *order, const char *platform_name);

/* Writes minor units of currency as the platforms write amounts: "19.99", "1500" (JPY). */
void souk_sim__amount_text(int64_t minor, const struct souk_currency *currency,
                           char out[SOUK_SIM_AMOUNT_MAX]);
/* Reads a decimal string with at most the currency's minor digits, 0..SOUK_SIM_MAX_AMOUNT
 * minor units; false for anything else (a JSON number too). */
bool souk_sim__amount_parse(const json_t *value, const struct souk_currency *currency,
                            int64_t *out);

/* ---- notifications (notify.c) and delivering them (deliver.c) ---- */

/* Sends up to a fixed number of deliveries at once over libcurl's multi interface. */
struct souk_sim__sender;

typedef void (*souk_sim__delivered_fn)(void *arg, void *tag,
                                       const struct souk_sim__delivery_result *result);

struct souk_sim__sender *souk_sim__sender_new(size_t concurrency);
/* Abandons deliveries still under way (their callbacks never run) and frees. NULL is fine. */
void souk_sim__sender_free(struct souk_sim__sender *sender);
/* How many deliveries are under way. */
size_t souk_sim__sender_active(const struct souk_sim__sender *sender);
/* Starts a delivery (d is copied) unless concurrency are already under way: false then. */
bool souk_sim__sender_start(struct souk_sim__sender *sender, const struct souk_sim__delivery *d,
                            void *tag);
/* Waits at most timeout_ms for deliveries to progress, calling done for each that finished. */
void souk_sim__sender_poll(struct souk_sim__sender *sender, int timeout_ms,
                           souk_sim__delivered_fn done, void *arg);
/* Sends one delivery and waits for its answer (at most SOUK_SIM_DELIVERY_TIMEOUT_MS). */
void souk_sim__deliver(const struct souk_sim__delivery *d,
                       struct souk_sim__delivery_result *result);

/*
 * Notifies the platform's webhook URL of an order's status, times times in a row (a platform
 * retry resends the same notification), and records it in the order. Returns the deliveries
 * as the control endpoints show them ([{"status", "notification_id", "error"?}], a new
 * reference), or NULL when the platform has no URL registered or does not notify. Must be
 * called without the orders lock.
 */
json_t *souk_sim__notify(struct souk_sim__req *req, const struct souk_sim__bound *b,
                         const struct souk_sim__notice *notice, int times);
/* Fills a notice of the order's current status and update time with a fresh id. */
void souk_sim__notice_of(struct souk_sim__req *req, const struct souk_sim__order *order,
                         struct souk_sim__notice *out);
/* Queues a notice to be sent once the request has been answered (platforms tell the seller of
 * changes the seller made too, after the call returns). */
void souk_sim__notify_after(struct souk_sim__req *req, const struct souk_sim__notice *notice);
/* Sends what souk_sim__notify_after queued; server.c calls it when the answer is out. */
void souk_sim__notify_pending(struct souk_sim__req *req);

/* ---- faults and rate limits (faults.c) ---- */

enum souk_sim__fault_kind {
    SOUK_SIM__FAULT_STATUS,  /* reply with this status in the platform's error shape */
    SOUK_SIM__FAULT_SLOW,    /* wait delay_ms, then serve the request as usual */
    SOUK_SIM__FAULT_DROP,    /* close the connection without a response */
    SOUK_SIM__FAULT_GARBAGE, /* 200 with a body that is not JSON */
    SOUK_SIM__FAULT_HTML,    /* an HTML error page, as a proxy in front would send */
};

struct souk_sim__fault {
    enum souk_sim__fault_kind kind;
    int status;      /* STATUS and HTML */
    int delay_ms;    /* SLOW */
    int retry_after; /* seconds for a Retry-After header; -1 for none */
};

struct souk_sim__rate {
    double per_second; /* tokens added per second; 0 turns the limit off */
    double burst;      /* bucket size */
};

struct souk_sim__faults;

struct souk_sim__faults *souk_sim__faults_new(size_t nplatforms);
void souk_sim__faults_free(struct souk_sim__faults *f); /* NULL is fine */
/* Drops queued faults and puts every rate limit back to its configured value, bucket full. */
void souk_sim__faults_reset(struct souk_sim__faults *f);

/* Reads a POST /_sim/faults body (without "platform") into fault and count; SOUK_EINVAL with
 * err naming the member otherwise. */
int souk_sim__fault_parse(const json_t *spec, struct souk_sim__fault *fault, int64_t *count,
                          struct souk_err *err) SOUK_MUST_CHECK;
/* Queues fault for the next count requests to the platform, after those already queued;
 * SOUK_ETOOBIG when SOUK_SIM_MAX_FAULTS are already queued for it. */
int souk_sim__faults_push(struct souk_sim__faults *f, size_t platform,
                          const struct souk_sim__fault *fault, int64_t count) SOUK_MUST_CHECK;
/* Takes the platform's next queued fault into out; false when none is queued. */
bool souk_sim__faults_take(struct souk_sim__faults *f, size_t platform,
                           struct souk_sim__fault *out);

/* Reads {"per_second": N, "burst": N}; SOUK_EINVAL with err naming the member otherwise. */
int souk_sim__rate_parse(const json_t *spec, struct souk_sim__rate *out, struct souk_err *err)
    SOUK_MUST_CHECK;
/* Sets the platform's limit with a full bucket; configured limits are what a reset restores. */
void souk_sim__rate_set(struct souk_sim__faults *f, size_t platform,
                        const struct souk_sim__rate *rate, bool configured);
/* Takes a token; false when the bucket is empty, with the whole seconds until one is back. */
bool souk_sim__rate_take(struct souk_sim__faults *f, size_t platform, int *retry_after);

#endif

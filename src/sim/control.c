/*
 * control: the order control endpoints, through which tests and demos act as the platforms'
 * buyers and carriers: place an order, change it, re-send a notification out of order, read
 * back what souk did about it, and say where notifications go.
 *
 *   POST /_sim/webhooks              {"platform", "url"}
 *   POST /_sim/orders                an order (orders.c reads it), "deliver"
 *   POST /_sim/orders/{id}/status    {"status", "deliver"}
 *   POST /_sim/orders/{id}/notify    {"status", "update_time", "deliver"}
 *   GET  /_sim/orders[?platform=P]   and GET /_sim/orders/{id}
 *
 * Notifications are delivered before the answer, which carries each delivery's outcome.
 * Errors are the control endpoints' own shape (souk_sim__control_error), never a platform's.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sim/sim_int.h"

static const char *const deliver_words[] = {"none", "once", "twice", NULL};

/* How many times "deliver" asks for (default once); -1 once it has replied 400. */
static int deliver_times(struct souk_sim__req *req, const json_t *body)
{
    const json_t *deliver = json_object_get(body, "deliver");
    const char *word = deliver ? json_string_value(deliver) : "once";
    for (int i = 0; word && deliver_words[i]; i++)
        if (strcmp(word, deliver_words[i]) == 0)
            return i;
    souk_sim__control_error(req, 400, "deliver", "deliver must be once, twice or none");
    return -1;
}

/* True when body has no member outside allowed; replies 400 naming it otherwise. */
static bool only_members(struct souk_sim__req *req, const json_t *body, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value) {
        if (!souk_sim__one_of(key, allowed)) {
            souk_sim__control_error(req, 400, key, "unknown member \"%s\"", key);
            return false;
        }
    }
    return true;
}

static bool notifies(const struct souk_sim__bound *b)
{
    return b->def->orders && b->def->orders->notification;
}

/* Replies 400 for a platform that sends no order notifications, saying what it does instead. */
static void no_notifications(struct souk_sim__req *req, const struct souk_sim__bound *b)
{
    if (b->def->orders)
        souk_sim__control_error(req, 400, "platform",
                                "%s sends no order notifications: sellers poll its order API",
                                b->def->name);
    else
        souk_sim__control_error(req, 400, "platform", "%s takes no orders in the sim",
                                b->def->name);
}

void souk_sim__control_webhooks(struct souk_sim__req *req, json_t *body)
{
    static const char *const members[] = {"platform", "url", NULL};
    struct souk_sim__bound b;
    const char *url = souk_sim__str(body, "url");
    if (!only_members(req, body, members) ||
        !souk_sim__control_platform(req, souk_sim__str(body, "platform"), &b))
        return;
    if (!notifies(&b)) {
        no_notifications(req, &b);
    } else if (!souk_sim__is_url(url) || strlen(url) >= SOUK_SIM_URL_MAX) {
        souk_sim__control_error(req, 400, "url",
                                "url must be an http or https URL of at most %d bytes",
                                SOUK_SIM_URL_MAX - 1);
    } else {
        souk_sim__webhook_set(req->orders, b.index, url);
        souk_sim__reply(req, 200, json_pack("{s:s, s:s}", "platform", b.def->name, "url", url));
    }
}

/* Builds the answer of a call that may have notified: deliveries, or "undelivered" when the
 * platform notifies but no URL is registered. */
static void set_deliveries(json_t *answer, const struct souk_sim__bound *b, int times,
                           json_t *deliveries)
{
    json_object_set_new(answer, "deliveries", deliveries ? deliveries : json_array());
    if (!deliveries && times > 0 && notifies(b))
        json_object_set_new(answer, "undelivered", json_true());
}

static void place(struct souk_sim__req *req, json_t *body)
{
    struct souk_sim__bound b;
    struct souk_err err = SOUK_ERR_INIT;
    if (!souk_sim__control_platform(req, souk_sim__str(body, "platform"), &b))
        return;
    int times = deliver_times(req, body);
    if (times < 0)
        return;
    if (!b.def->orders) {
        no_notifications(req, &b);
        return;
    }
    struct souk_sim__order *order = souk_sim__order_parse(body, &b, req->state, &err);
    if (!order) {
        souk_sim__control_error(req, 400, err.param[0] ? err.param : NULL, "%s", err.message);
        return;
    }
    souk_sim__order_from_catalog(order, &b, req->state);
    struct souk_sim__notice notice;
    souk_sim__notice_of(req, order, &notice);
    if (souk_sim__orders_add(req->orders, req->state, order) != SOUK_OK) {
        souk_sim__control_error(req, 507, NULL,
                                "the sim holds %d orders already; POST /_sim/reset to start again",
                                SOUK_SIM_MAX_ORDERS);
        return;
    }
    json_t *deliveries = times ? souk_sim__notify(req, &b, &notice, times) : NULL;
    json_t *answer = json_pack("{s:s, s:s, s:s}", "id", notice.order_id, "platform", b.def->name,
                               "status", notice.status);
    set_deliveries(answer, &b, times, deliveries);
    souk_sim__reply(req, 201, answer);
}

/* The order named by the path under the lock, with its platform; NULL once it has replied 404
 * (and released the lock). */
static struct souk_sim__order *find_locked(struct souk_sim__req *req, const char *id,
                                           struct souk_sim__bound *b)
{
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *order = souk_sim__order_find(req->orders, id);
    if (!order) {
        souk_sim__orders_unlock(req->orders);
        souk_sim__control_error(req, 404, NULL, "the sim holds no order \"%s\"", id);
        return NULL;
    }
    *b = souk_sim__platform_at(req, order->platform);
    return order;
}

static void change_status(struct souk_sim__req *req, const char *id, json_t *body)
{
    static const char *const members[] = {"status", "deliver", NULL};
    const char *status = souk_sim__str(body, "status");
    struct souk_sim__bound b;
    struct souk_sim__notice notice;
    int times = only_members(req, body, members) ? deliver_times(req, body) : -1;
    struct souk_sim__order *order = times >= 0 ? find_locked(req, id, &b) : NULL;
    if (!order)
        return;
    if (!souk_sim__order_status_ok(b.def->orders, status)) {
        souk_sim__orders_unlock(req->orders);
        souk_sim__control_error(req, 400, "status",
                                "status must be one of %s's order statuses, or CANCELLED",
                                b.def->name);
        return;
    }
    souk_sim__order_set_status(order, b.def->orders, status);
    souk_sim__notice_of(req, order, &notice);
    bool cancelled = order->cancelled;
    souk_sim__orders_unlock(req->orders);
    json_t *deliveries = times ? souk_sim__notify(req, &b, &notice, times) : NULL;
    json_t *answer = json_pack("{s:s, s:s, s:s, s:b, s:I}", "id", notice.order_id, "platform",
                               b.def->name, "status", notice.status, "cancelled", cancelled,
                               "update_time", (json_int_t)notice.update_time);
    set_deliveries(answer, &b, times, deliveries);
    souk_sim__reply(req, 200, answer);
}

static void notify_stale(struct souk_sim__req *req, const char *id, json_t *body)
{
    static const char *const members[] = {"status", "update_time", "deliver", NULL};
    const char *status = souk_sim__str(body, "status");
    const json_t *update_time = json_object_get(body, "update_time");
    struct souk_sim__bound b;
    struct souk_sim__notice notice;
    int times = only_members(req, body, members) ? deliver_times(req, body) : -1;
    struct souk_sim__order *order = times >= 0 ? find_locked(req, id, &b) : NULL;
    if (!order)
        return;
    const char *problem = NULL, *param = NULL;
    if (!notifies(&b)) {
        problem = "sends no order notifications";
    } else if (!souk_sim__one_of(status, b.def->orders->statuses)) {
        problem = "has no such order status";
        param = "status";
    } else if (update_time &&
               (!json_is_integer(update_time) || json_integer_value(update_time) < 0)) {
        problem = "needs update_time in unix seconds";
        param = "update_time";
    }
    if (problem) {
        souk_sim__orders_unlock(req->orders);
        souk_sim__control_error(req, 400, param, "%s %s", b.def->name, problem);
        return;
    }
    souk_sim__notice_of(req, order, &notice);
    /* A notification that was overtaken: what the order was, a second before its last change,
     * unless the test says when. */
    snprintf(notice.status, sizeof notice.status, "%s", status);
    notice.update_time = update_time ? json_integer_value(update_time) : order->update_time - 1;
    json_t *answer = json_pack("{s:s, s:s, s:s, s:{s:s, s:I}}", "id", order->id, "platform",
                               b.def->name, "status", order->status, "notified", "order_status",
                               notice.status, "update_time", (json_int_t)notice.update_time);
    souk_sim__orders_unlock(req->orders);
    set_deliveries(answer, &b, times, times ? souk_sim__notify(req, &b, &notice, times) : NULL);
    souk_sim__reply(req, 200, answer);
}

static void list(struct souk_sim__req *req)
{
    const char *name = souk_sim__query(req, "platform");
    struct souk_sim__bound only = {.index = SIZE_MAX};
    size_t n;
    if (name && !souk_sim__control_platform(req, name, &only))
        return;
    json_t *views = json_array();
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *const *all = souk_sim__orders_all(req->orders, &n);
    for (size_t i = 0; i < n; i++)
        if (only.index == SIZE_MAX || all[i]->platform == only.index)
            json_array_append_new(
                views, souk_sim__order_json(
                           all[i], souk_sim__platform_at(req, all[i]->platform).def->name));
    souk_sim__orders_unlock(req->orders);
    souk_sim__reply(req, 200, json_pack("{s:o}", "orders", views));
}

void souk_sim__control_orders(struct souk_sim__req *req, const char *rest, json_t *body)
{
    char id[SOUK_SIM_ID_MAX + 1] = "";
    const char *action = "";
    struct souk_sim__bound b;
    if (rest[0] == '/') {
        /* "/{id}" or "/{id}/{action}" */
        size_t len = strcspn(rest + 1, "/");
        if (len < sizeof id)
            snprintf(id, sizeof id, "%.*s", (int)len, rest + 1);
        action = rest + 1 + len;
    }
    bool get = body == NULL;
    if (get && !rest[0]) {
        list(req);
    } else if (!get && !rest[0]) {
        place(req, body);
    } else if (get && id[0] && !action[0]) {
        struct souk_sim__order *order = find_locked(req, id, &b);
        if (!order)
            return;
        json_t *view = souk_sim__order_json(order, b.def->name);
        souk_sim__orders_unlock(req->orders);
        souk_sim__reply(req, 200, view);
    } else if (!get && id[0] && strcmp(action, "/status") == 0) {
        change_status(req, id, body);
    } else if (!get && id[0] && strcmp(action, "/notify") == 0) {
        notify_stale(req, id, body);
    } else {
        souk_sim__control_error(req, 404, NULL, "no control endpoint %s /_sim/orders%s",
                                get ? "GET" : "POST", rest);
    }
}

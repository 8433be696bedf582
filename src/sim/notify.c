/*
 * notify: a platform telling the seller that an order changed, the way its webhooks do.
 *
 * The platform's rules build the signed body and headers (tiktok.c); this file sends it to the
 * URL registered with POST /_sim/webhooks, as many times as the test asked, and records the
 * notification and each delivery's answer in the order, where GET /_sim/orders shows them.
 * Control calls deliver before they answer, so a test sees the outcome in the reply. A change
 * souk itself makes through the platform API (shipping, cancelling) is notified once the
 * API call has been answered, as the platforms do: the handler queues the notice with
 * souk_sim__notify_after and server.c sends it when the response is out.
 */
#include <stdio.h>
#include <string.h>

#include "sim/sim_int.h"

struct souk_sim__pending {
    struct souk_sim__notice notice;
    struct souk_sim__pending *next;
};

void souk_sim__notice_of(struct souk_sim__req *req, const struct souk_sim__order *order,
                         struct souk_sim__notice *out)
{
    memset(out, 0, sizeof *out);
    souk_sim__new_id(req->state, out->notification_id);
    snprintf(out->order_id, sizeof out->order_id, "%s", order->id);
    snprintf(out->status, sizeof out->status, "%s", order->status);
    out->update_time = order->update_time;
}

json_t *souk_sim__notify(struct souk_sim__req *req, const struct souk_sim__bound *b,
                         const struct souk_sim__notice *notice, int times)
{
    const struct souk_sim__order_rules *rules = b->def->orders;
    struct souk_sim__delivery d = {.body = SOUK_BUF_INIT(1 << 20)};
    if (!rules || !rules->notification || !souk_sim__webhook_get(req->orders, b->index, d.url))
        return NULL;
    rules->notification(b, notice, &d);
    json_t *deliveries = json_array();
    int results[2] = {0, 0};
    struct souk_sim__delivery_result last = {0};
    times = times < 1 ? 1 : times > 2 ? 2 : times;
    for (int i = 0; i < times; i++) {
        souk_sim__deliver(&d, &last);
        results[i] = last.status;
        json_array_append_new(deliveries, json_pack("{s:i, s:s, s:s*}", "status", last.status,
                                                    "notification_id", notice->notification_id,
                                                    "error", last.status ? NULL : last.error));
    }
    souk_buf_release(&d.body);
    souk_sim__orders_lock(req->orders);
    struct souk_sim__order *order = souk_sim__order_find(req->orders, notice->order_id);
    if (order)
        souk_sim__order_sent(order, notice, results, (unsigned)times,
                             last.status ? NULL : last.error);
    souk_sim__orders_unlock(req->orders);
    return deliveries;
}

void souk_sim__notify_after(struct souk_sim__req *req, const struct souk_sim__notice *notice)
{
    struct souk_sim__pending *p = souk_pool_alloc(req->pool, sizeof *p), **tail = &req->_pending;
    p->notice = *notice;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
}

void souk_sim__notify_pending(struct souk_sim__req *req)
{
    struct souk_sim__bound b = souk_sim__req_bound(req);
    for (struct souk_sim__pending *p = req->_pending; p; p = p->next)
        json_decref(souk_sim__notify(req, &b, &p->notice, 1));
    req->_pending = NULL;
}

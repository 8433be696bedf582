/*
 * inventory: stock held for one sales channel. An allocation reserves a quota of a variant's
 * units in the stock ledger for one channel, or one live-shopping session on it, so no other
 * channel can sell them; that channel is told it may sell what is left of the quota
 * (quantity - sold) instead of the shared available stock. A platform order on the channel
 * takes its units from the allocation (a ledger transfer: on hand and reserved do not move);
 * ending the allocation, or the whole live session, releases the unsold units to the shared
 * pool. At most one allocation is active per channel and variant.
 *
 * Functions work inside the caller's transaction, like catalog.h; structs are pool values.
 * Depends on core/, db/ and catalog/ (the ledger).
 */
#ifndef SOUK_INVENTORY_INVENTORY_H
#define SOUK_INVENTORY_INVENTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/id.h"
#include "core/pool.h"
#include "db/db.h"

#define SOUK_INVENTORY_MAX_QUANTITY 1000000000LL

struct souk_allocation {
    char *id;           /* "alc_..." */
    char *channel_id;
    char *variant_id;   /* on create: this or sku */
    char *sku;
    char *warehouse_id; /* where the units are held: one that had them all available */
    char *live_session; /* the live-shopping session it is for, or NULL for a standing quota */
    char *state;        /* "active" or "ended" */
    int64_t quantity;   /* units held, 1..SOUK_INVENTORY_MAX_QUANTITY */
    int64_t sold;       /* of them, taken by the channel's orders */
    int64_t created_at, ended_at; /* ended_at 0 while active */
};

/*
 * Holds a->quantity units of the variant for the channel (must exist): SOUK_EOUTOFSTOCK when
 * no warehouse has them available, SOUK_ECONFLICT when the channel already holds an active
 * allocation of the variant, SOUK_EUNPROC for an unknown SKU or channel.
 */
int souk_inventory_allocate(struct souk_db_conn *conn, struct souk_pool *pool,
                            struct souk_allocation *a, struct souk_err *err) SOUK_MUST_CHECK;

int souk_inventory_allocation_get(struct souk_db_conn *conn, struct souk_pool *pool,
                                  const char *id, struct souk_allocation **out,
                                  struct souk_err *err) SOUK_MUST_CHECK;

struct souk_allocation_filter {
    const char *channel_id;   /* required */
    const char *state;        /* NULL for any */
    const char *live_session; /* NULL for any */
    const char *after;        /* cursor: ids strictly greater */
    int limit;                /* 1..250 */
};

int souk_inventory_allocation_list(struct souk_db_conn *conn, struct souk_pool *pool,
                                   const struct souk_allocation_filter *filter,
                                   struct souk_allocation **out, size_t *count, bool *has_more,
                                   struct souk_err *err) SOUK_MUST_CHECK;

/* Ends an active allocation, releasing its unsold units; ending an ended one is a no-op. */
int souk_inventory_allocation_end(struct souk_db_conn *conn, const char *id,
                                  struct souk_err *err) SOUK_MUST_CHECK;

/* Ends every active allocation of the channel in this live session (NULL: every active
 * allocation of the channel, as when it is deleted); *ended counts them. */
int souk_inventory_end_session(struct souk_db_conn *conn, const char *channel_id,
                               const char *live_session, int64_t *ended,
                               struct souk_err *err) SOUK_MUST_CHECK;

/*
 * Gives quantity units of the channel's active allocation of the variant to order_id: 1 with
 * the allocation's warehouse in warehouse_id, 0 (nothing changed) when the channel holds no
 * allocation of it or fewer units than quantity are left in it.
 */
int souk_inventory_take(struct souk_db_conn *conn, const char *channel_id, const char *variant_id,
                        int64_t quantity, const char *order_id, char warehouse_id[SOUK_ID_MAX],
                        struct souk_err *err) SOUK_MUST_CHECK;

/* What the channel may still sell of each variant it holds an allocation of. */
struct souk_allocation_left {
    char *variant_id;
    int64_t left; /* quantity - sold */
};

int souk_inventory_channel_left(struct souk_db_conn *conn, struct souk_pool *pool,
                                const char *channel_id, struct souk_allocation_left **out,
                                size_t *count, struct souk_err *err) SOUK_MUST_CHECK;

/* Decodes {"sku" | "variant_id", "quantity", "live_session"} onto *a (zeroed first). */
int souk_inventory_allocation_decode(struct souk_pool *pool, json_t *in,
                                     struct souk_allocation *a,
                                     struct souk_err *err) SOUK_MUST_CHECK;

json_t *souk_inventory_allocation_encode(const struct souk_allocation *a); /* a new reference */

#endif

/*
 * sync: the push path (see channels.h). Two steps, each its own transaction:
 *
 *   fan-out  outbox rows -> channel_items.pending, for every channel with a push connector,
 *            and the outbox cursor moves in the same transaction (nothing lost, and a row
 *            replayed after a crash changes nothing twice); rows that ask nothing of the
 *            channels move it at most every 100 ms (struct fan_cursor);
 *   push     per channel, a batch of due items is read, sent to the platform with no
 *            transaction open (a slow platform never holds the store), then each result is
 *            written back. A result clears an item's pending change only if no newer change
 *            arrived while the batch was in flight (the generation check).
 *
 * Failures back off per item (250 ms doubling to 5 min) and a 429 or Retry-After pauses the
 * whole channel; other channels keep syncing either way. A platform that takes an item's
 * updates only twice a day (twice_a_day) has a third change within 24 h held, neither failed
 * nor sent, until the older push is a day old.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "outbox/outbox.h"
#include "sig/sig.h"

#define CONSUMER "channels"
#define OUTBOX_BATCH 500
#define MAX_CHANNELS SOUK_CHANNELS__MAX_CHANNELS
#define BACKOFF_BASE_US 250000
#define BACKOFF_MAX_US (300 * 1000000LL)
#define DAY_US (86400 * 1000000LL)

/* ---- fan-out ---- */

struct push_channel {
    char *id;
    const struct souk_channels__connector *conn;
};

/* Active channels whose platform takes pushes. */
static int load_push_channels(struct souk_db_conn *conn, struct souk_pool *pool,
                              struct push_channel **out, size_t *count, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT id, platform FROM channels WHERE status = 'active' "
                             "ORDER BY id LIMIT $1",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "i", (int64_t)MAX_CHANNELS);
    struct push_channel *list = souk_pool_alloc(pool, MAX_CHANNELS * sizeof *list);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        char *platform = souk_pool_str(pool, souk_db_col_text(st, 1));
        const struct souk_channels__connector *c = souk_channels__connector(platform);
        if (c && c->push)
            list[n++] = (struct push_channel){souk_pool_str(pool, souk_db_col_text(st, 0)), c};
        rc = SOUK_OK;
    }
    *out = list;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

static const char *op_name(enum souk_channels__op op)
{
    return op == SOUK_CHANNELS__UPSERT ? "upsert" : op == SOUK_CHANNELS__STOCK ? "stock" : "delete";
}

/*
 * Records a change to push; a whole-item change is not narrowed by a later stock change. A
 * change held by the platform's update limit is made due again, so the push looks at it at
 * once: a delete, or the product leaving the selection, is not held (prepare holds it again
 * otherwise).
 */
static int mark(struct souk_db_conn *conn, const char *channel_id, const char *sku,
                enum souk_channels__op op, int64_t now, struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO channel_items (channel_id, sku, pending, generation, marked_at, attempts, "
        "next_attempt_at) VALUES ($1, $2, $3, 1, $4, 0, 0) "
        "ON CONFLICT (channel_id, sku) DO UPDATE SET "
        "pending = CASE WHEN channel_items.pending = 'upsert' AND excluded.pending = 'stock' "
        "THEN 'upsert' ELSE excluded.pending END, "
        "generation = channel_items.generation + 1, "
        "marked_at = CASE WHEN channel_items.pending IS NULL THEN excluded.marked_at "
        "ELSE channel_items.marked_at END, "
        "attempts = CASE WHEN channel_items.pending IS NULL THEN 0 ELSE channel_items.attempts END, "
        "next_attempt_at = CASE WHEN channel_items.pending IS NULL OR "
        "channel_items.held_until IS NOT NULL THEN 0 ELSE channel_items.next_attempt_at END",
        "sssi", channel_id, sku, op_name(op), now);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/* The SKUs an outbox row is about, and what their channels must be told. */
static int resolve(struct souk_db_conn *conn, struct souk_pool *pool,
                   const struct souk_outbox_row *row, char ***skus, size_t *n,
                   enum souk_channels__op *op, struct souk_err *err)
{
    *op = strcmp(row->topic, "stock.changed") == 0 ? SOUK_CHANNELS__STOCK : SOUK_CHANNELS__UPSERT;
    if (strstr(row->topic, ".deleted") == NULL)
        return souk_catalog_skus_of(conn, pool, row->subject, skus, n, err);
    *op = SOUK_CHANNELS__DELETE;
    json_error_t jerr;
    json_t *list = row->payload ? json_loads(row->payload, 0, &jerr) : NULL;
    *n = json_array_size(list);
    *skus = souk_pool_alloc(pool, (*n ? *n : 1) * sizeof **skus);
    for (size_t i = 0; i < *n; i++)
        (*skus)[i] = souk_pool_strdup(pool, json_string_value(json_array_get(list, i)));
    json_decref(list);
    return SOUK_OK;
}

/*
 * How far the fan-out has read the outbox, ahead of the cursor it stores. Under an order burst
 * most rows need nothing from the channels (a direct order's order.created; any change while
 * no channel pushes): a pass that finds only such rows writes nothing, and the stored cursor
 * catches up within STORE_EVERY_US, or with the next pass that writes anyway. Storing it on
 * every pass made the worker commit beside the intake writer about a hundred times a second,
 * each time making the next batch of orders wait. A crash replays what was read since the
 * last store, which is harmless: mark sets a pending change and an order update is unique per
 * order and action.
 */
struct fan_cursor {
    int64_t read_to;      /* the last seq handled; 0 before the first pass */
    int64_t stored;       /* the last seq stored in outbox_cursors */
    int64_t stored_at_us; /* monotonic */
};
#define STORE_EVERY_US 100000

/*
 * stock.out, stock.low and stock.back are for the merchant, not the platforms: the
 * stock.changed written beside each already moves the quantity, and resolve() would take them
 * for catalog changes and push whole items at every sell-out.
 */
static bool for_merchant_only(const char *topic)
{
    return strncmp(topic, "stock.", 6) == 0 && strcmp(topic, "stock.changed") != 0;
}

/* Whether handling rows writes anything: an update to queue for a platform's order, or a
 * catalog change while some channel pushes. */
static bool needs_writes(const struct souk_outbox_row *rows, size_t n, size_t nchannels)
{
    for (size_t i = 0; i < n; i++) {
        const char *topic = rows[i].topic;
        if (strncmp(topic, "order.", 6) == 0 ? souk_channels__order_update_action(topic) != NULL
                                             : nchannels && !for_merchant_only(topic))
            return true;
    }
    return false;
}

/* Writes what rows ask of the channels, in conn's write transaction. The channels are read
 * again here, not taken from the look: one may have been created or deleted since. */
static int fan_out_rows(struct souk_db_conn *conn, struct souk_pool *pool,
                        const struct souk_outbox_row *rows, size_t nrows, int64_t now,
                        struct souk_err *err)
{
    struct push_channel *channels = NULL;
    size_t nchannels = 0;
    int rc = load_push_channels(conn, pool, &channels, &nchannels, err);
    for (size_t i = 0; rc == SOUK_OK && i < nrows; i++) {
        if (strncmp(rows[i].topic, "order.", 6) == 0) {
            rc = souk_channels__queue_order_update(conn, pool, &rows[i], now, err);
            continue;
        }
        if (for_merchant_only(rows[i].topic))
            continue;
        char **skus = NULL;
        size_t nskus = 0;
        enum souk_channels__op op = SOUK_CHANNELS__UPSERT;
        if (nchannels)
            rc = resolve(conn, pool, &rows[i], &skus, &nskus, &op, err);
        for (size_t s = 0; rc == SOUK_OK && s < nskus; s++)
            for (size_t c = 0; rc == SOUK_OK && c < nchannels; c++)
                if (skus[s])
                    rc = mark(conn, channels[c].id, skus[s], op, now, err);
    }
    return rc;
}

/* One pass over the outbox rows after cur (see struct fan_cursor); store_now stores the
 * cursor whatever the rows were (a one-off sync that ends after this pass). */
static int fan_out(struct souk_db *db, struct fan_cursor *cur, bool store_now, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_outbox_row *rows;
    struct push_channel *channels = NULL;
    size_t nrows = 0, nchannels = 0;
    /* A look first, read-only: an idle worker must not queue behind writers every poll. */
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_outbox_read(conn, pool, CONSUMER, cur->read_to, OUTBOX_BATCH, &rows, &nrows, err);
    if (rc == SOUK_OK && nrows)
        rc = load_push_channels(conn, pool, &channels, &nchannels, err);
    souk_db_rollback(conn);
    bool writes = rc == SOUK_OK && needs_writes(rows, nrows, nchannels);
    int64_t last = nrows ? rows[nrows - 1].seq : cur->read_to, now = souk_time_monotonic_us();
    bool store =
        last > cur->stored && (writes || store_now || now - cur->stored_at_us >= STORE_EVERY_US);
    if (rc == SOUK_OK && (writes || store)) {
        rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
        if (rc == SOUK_OK && writes)
            rc = fan_out_rows(conn, pool, rows, nrows, souk_time_now_us(), err);
        if (rc == SOUK_OK)
            rc = souk_outbox_ack(conn, CONSUMER, last, err);
        if (rc == SOUK_OK)
            rc = souk_db_commit(conn, err);
        if (rc == SOUK_OK) {
            cur->stored = last;
            cur->stored_at_us = now;
        }
    }
    if (rc == SOUK_OK)
        cur->read_to = last;
    souk_db_release(conn);
    souk_pool_free(pool);
    return rc;
}

/* ---- push ---- */

struct pending {
    struct souk_channels__push push;
    int64_t generation, marked_at, attempts;
    bool pushed_before;
    int64_t prior_pushed_at; /* the successful push before the last one; 0 when none */
    bool skip; /* nothing to tell the platform: clear it without a call */
    /* Not sent, held by the platform's update limit (twice_a_day) until then; 0 otherwise. */
    int64_t held_until;
    /* For a platform with an update limit: what the item tells it (item_digest), what it was
     * told at the last push ("" when unknown), and whether they are the same, so the change
     * is cleared without spending an update. */
    char digest[SOUK_SIG_HEX_MAX], pushed_digest[SOUK_SIG_HEX_MAX];
    bool unchanged;
    struct souk_channels__item item;
};

/*
 * What the item tells the platform (every feed value and the price) as a digest. A change
 * can leave it as it was: the same catalog event fanned out twice, a resync of an item
 * already up to date. A platform that counts updates (twice_a_day) is not sent those.
 */
static void item_digest(const struct souk_channels__item *item, char out[SOUK_SIG_HEX_MAX])
{
    struct souk_buf text = SOUK_BUF_INIT(1u << 20);
    int rc = SOUK_OK;
    for (size_t i = 0; i < SOUK_CHANNELS__FIELD_COUNT && rc == SOUK_OK; i++) {
        const char *value = item->values[i];
        /* NUL ends each value (kept by the + 1); \x01 alone stands for a missing one. */
        rc = value ? souk_buf_add(&text, value, strlen(value) + 1) : souk_buf_add(&text, "\x01", 2);
    }
    if (rc == SOUK_OK)
        rc = souk_buf_addf(&text, "%lld", (long long)item->price_minor);
    if (rc == SOUK_OK)
        souk_sig_sha256_hex((struct souk_str){text.data, text.len}, out);
    else
        out[0] = '\0'; /* too large to compare: always sent */
    souk_buf_release(&text);
}

/* Whether the item goes to the platform in this push. */
static bool sends(const struct pending *p)
{
    return !p->skip && !p->held_until;
}

/*
 * Finds the variant of a SKU with its product, or leaves *product NULL when it is gone. A
 * batch holds a product's variants side by side (a resync marks them together), so the
 * product loaded for the previous SKU (*last, updated) is reused when it is the same one.
 */
static int load_sku(struct souk_db_conn *conn, struct souk_pool *pool, const struct souk_channel *c,
                    const char *sku, struct souk_product **last, struct souk_product **product,
                    struct souk_variant **variant, struct souk_err *err)
{
    struct souk_variant_filter vf = {.sku = sku, .limit = 1};
    struct souk_variant *found;
    size_t n;
    bool more;
    *product = NULL;
    int rc = souk_catalog_variant_list(conn, pool, &vf, &found, &n, &more, err);
    if (rc != SOUK_OK || n == 0)
        return rc;
    if (*last && strcmp((*last)->id, found[0].product_id) == 0)
        *product = *last;
    else
        rc = souk_catalog_product_get(conn, pool, found[0].product_id, c->locale, product, err);
    if (rc == SOUK_OK)
        *last = *product;
    for (size_t i = 0; rc == SOUK_OK && i < (*product)->nvariants; i++)
        if (strcmp((*product)->variants[i].sku, sku) == 0)
            *variant = &(*product)->variants[i];
    return rc;
}

/* Whether two items show the same images in the same order. */
static bool same_images(const struct souk_channels__image *a, size_t na,
                        const struct souk_channels__image *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i].url, b[i].url) != 0)
            return false;
    return true;
}

/* Adds url to the n images unless one of them shows it already. */
static void add_image(struct souk_channels__image *images, size_t *n, const char *url)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(images[i].url, url) == 0)
            return;
    images[(*n)++] = (struct souk_channels__image){.url = url};
}

/*
 * The item's distinct images for a connector that uploads them (main image, then the
 * additional ones, at most max) with the copy the channel's platform already holds of each.
 * An item showing the same images as the one before it (a product's variants, side by side in
 * a batch) shares that one's array, so the push uploads an image once for all of them.
 */
static int load_images(struct souk_db_conn *conn, struct souk_pool *pool, const char *channel_id,
                       size_t max, struct pending *p, const struct pending *prev,
                       struct souk_err *err)
{
    const char *main = p->item.values[SOUK_CHANNELS__IMAGE_LINK];
    const char *more = p->item.values[SOUK_CHANNELS__ADDITIONAL_IMAGES];
    struct souk_channels__image *images = souk_pool_alloc(pool, max * sizeof *images);
    size_t n = 0;
    if (main && max)
        add_image(images, &n, main);
    for (size_t len; more && *more && n < max; more += len + (more[len] == ',')) {
        len = strcspn(more, ",");
        add_image(images, &n, souk_pool_strndup(pool, more, len));
    }
    if (prev && prev->push.images && same_images(images, n, prev->push.images, prev->push.nimages)) {
        p->push.images = prev->push.images;
        p->push.nimages = n;
        return SOUK_OK;
    }
    int rc = SOUK_OK;
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        struct souk_db_stmt *st;
        rc = souk_db_query(conn, err, &st,
                           "SELECT platform_ref FROM channel_images WHERE channel_id = $1 AND "
                           "url = $2",
                           "ss", channel_id, images[i].url);
        if (rc == 1)
            images[i].ref = souk_pool_str(pool, souk_db_col_text(st, 0));
        rc = rc < 0 ? rc : SOUK_OK;
    }
    p->push.images = images;
    p->push.nimages = n;
    return rc;
}

/* Reads the channel's due items and builds what each one should look like on the platform. */
static int prepare(struct souk_db_conn *conn, struct souk_pool *pool, const char *channel_id,
                   struct souk_channels__context *ctx, struct pending **out, size_t *count,
                   struct souk_err *err)
{
    struct souk_channel *c;
    int rc = souk_channels_get(conn, pool, channel_id, &c, err);
    if (rc == SOUK_OK)
        rc = souk_channels__context_load(conn, pool, c, ctx, err);
    if (rc != SOUK_OK)
        return rc;
    size_t limit = ctx->connector->batch_max;
    struct pending *list = souk_pool_alloc(pool, limit * sizeof *list);
    struct souk_db_stmt *st;
    rc = souk_db_prepare(conn,
                         "SELECT sku, pending, generation, marked_at, attempts, platform_id, "
                         "platform_sku_id, pushed_at, prior_pushed_at, pushed_digest FROM "
                         "channel_items WHERE "
                         "channel_id = $1 AND pending IS NOT NULL AND next_attempt_at <= $2 "
                         "ORDER BY marked_at, sku LIMIT $3",
                         &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sii", channel_id, ctx->now_us, (int64_t)limit);
    size_t n = 0;
    while (rc == SOUK_OK && n < limit && (rc = souk_db_step(st, err)) == 1) {
        struct pending *p = &list[n++];
        struct souk_str op = souk_db_col_text(st, 1);
        p->push.sku = souk_pool_str(pool, souk_db_col_text(st, 0));
        p->push.op = souk_str_eq_cstr(op, "upsert")  ? SOUK_CHANNELS__UPSERT
                     : souk_str_eq_cstr(op, "stock") ? SOUK_CHANNELS__STOCK
                                                     : SOUK_CHANNELS__DELETE;
        p->generation = souk_db_col_i64(st, 2);
        p->marked_at = souk_db_col_i64(st, 3);
        p->attempts = souk_db_col_i64(st, 4);
        p->push.platform_id =
            souk_db_col_is_null(st, 5) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 5));
        p->push.platform_sku_id =
            souk_db_col_is_null(st, 6) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 6));
        p->pushed_before = !souk_db_col_is_null(st, 7);
        p->prior_pushed_at = souk_db_col_is_null(st, 8) ? 0 : souk_db_col_i64(st, 8);
        struct souk_str pushed_digest = souk_db_col_text(st, 9);
        snprintf(p->pushed_digest, sizeof p->pushed_digest, "%.*s", (int)pushed_digest.len,
                 pushed_digest.ptr ? pushed_digest.ptr : "");
        rc = SOUK_OK;
    }
    struct souk_product *last = NULL;
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        struct pending *p = &list[i];
        struct souk_product *product = NULL;
        struct souk_variant *variant = NULL;
        if (p->push.op != SOUK_CHANNELS__DELETE)
            rc = load_sku(conn, pool, c, p->push.sku, &last, &product, &variant, err);
        if (rc != SOUK_OK)
            break;
        if (!product || !variant || !souk_channels__selects(c, product)) {
            /* Gone, or no longer carried: the platform drops it if it ever had it. */
            p->push.op = SOUK_CHANNELS__DELETE;
            p->skip = !p->pushed_before;
            continue;
        }
        if (p->push.op == SOUK_CHANNELS__STOCK && !p->pushed_before)
            p->push.op = SOUK_CHANNELS__UPSERT; /* a platform cannot take stock of an unknown item */
        souk_channels__item_build(ctx, pool, product, variant, &p->item);
        p->push.item = &p->item;
        if (ctx->connector->twice_a_day) {
            item_digest(&p->item, p->digest);
            if (p->pushed_before && p->digest[0] && strcmp(p->digest, p->pushed_digest) == 0) {
                p->skip = p->unchanged = true; /* the platform shows this already */
                continue;
            }
            if (p->pushed_before && p->prior_pushed_at &&
                ctx->now_us - DAY_US < p->prior_pushed_at) {
                /* The platform took two pushes of it in the last 24 h: this change waits
                 * until the older one is a day old, and later changes join it. The item is
                 * built again when it goes, so the platform gets the catalog's latest state. */
                p->held_until = p->prior_pushed_at + DAY_US;
                continue;
            }
        }
        if (ctx->connector->upload_images)
            rc = load_images(conn, pool, channel_id, ctx->connector->upload_images, p,
                             i ? &list[i - 1] : NULL, err);
    }
    *out = list;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

int64_t souk_channels__backoff_us(int64_t attempts)
{
    int64_t delay = BACKOFF_BASE_US;
    for (int64_t i = 0; i < attempts && delay < BACKOFF_MAX_US; i++)
        delay *= 2;
    return delay < BACKOFF_MAX_US ? delay : BACKOFF_MAX_US;
}

static int record_item(struct souk_db_conn *conn, const char *channel_id, const struct pending *p,
                       const struct souk_channels__batch_outcome *outcome, int64_t now,
                       struct souk_err *err)
{
    const struct souk_channels__push *push = &p->push;
    int64_t changed;
    if (p->held_until) {
        /* Waits with its change, attempts and no error: it is not failing. Unless a newer
         * change came meanwhile: mark left that one due, for the next push to look at. */
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE channel_items SET next_attempt_at = $3, held_until = $3 "
                                  "WHERE channel_id = $1 AND sku = $2 AND generation = $4",
                                  "ssii", channel_id, push->sku, p->held_until, p->generation);
        return changed < 0 ? (int)changed : SOUK_OK;
    }
    if (!p->skip && push->result == SOUK_CHANNELS__RETRY) {
        int64_t wait = outcome->retry_after_s >= 0 ? outcome->retry_after_s * 1000000LL
                                                   : souk_channels__backoff_us(p->attempts);
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE channel_items SET attempts = attempts + 1, "
                                  "next_attempt_at = $3, last_error = $4, held_until = NULL "
                                  "WHERE channel_id = $1 AND sku = $2",
                                  "ssis", channel_id, push->sku, now + wait,
                                  push->error ? push->error : outcome->error);
        return changed < 0 ? (int)changed : SOUK_OK;
    }
    bool pushed = !p->skip && push->result == SOUK_CHANNELS__PUSHED;
    bool took = p->skip || pushed;
    bool deleted = push->op == SOUK_CHANNELS__DELETE;
    /* A push the platform took moves pushed_at into prior_pushed_at: a platform with an
     * update limit counts the last two, and keeps the digest of what it was told. A delete
     * forgets them: the item is new if it comes back. An unchanged item was not sent, so its
     * times stay. */
    changed = souk_db_run_sql(
        conn, err,
        "UPDATE channel_items SET attempts = 0, next_attempt_at = 0, last_error = $3, "
        "held_until = NULL, "
        "prior_pushed_at = CASE WHEN $4 = 1 THEN NULL WHEN $10 = 1 THEN pushed_at "
        "ELSE prior_pushed_at END, "
        "pushed_digest = CASE WHEN $4 = 1 THEN NULL WHEN $10 = 1 THEN $11 ELSE pushed_digest "
        "END, "
        "pushed_at = CASE WHEN $4 = 1 THEN NULL WHEN $5 = 1 THEN $6 ELSE pushed_at END, "
        "platform_id = coalesce($7, platform_id), platform_sku_id = coalesce($8, platform_sku_id), "
        "pending = CASE WHEN generation = $9 THEN NULL ELSE pending END "
        "WHERE channel_id = $1 AND sku = $2",
        "sssiiissiis", channel_id, push->sku, took ? NULL : push->error,
        (int64_t)(took && deleted), (int64_t)(took && !p->unchanged), now, push->new_platform_id,
        push->new_platform_sku_id, p->generation, (int64_t)pushed, p->digest[0] ? p->digest : NULL);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/* Keeps the platform's copies of the images uploaded in this push (whatever became of the
 * items: the copies are the platform's now). A shared array is kept once. */
static int record_images(struct souk_db_conn *conn, const char *channel_id,
                         const struct pending *p, int64_t now, struct souk_err *err)
{
    for (size_t i = 0; i < p->push.nimages; i++) {
        struct souk_channels__image *image = &p->push.images[i];
        if (!image->fresh || !image->ref)
            continue;
        int64_t changed = souk_db_run_sql(
            conn, err,
            "INSERT INTO channel_images (channel_id, url, platform_ref, uploaded_at) VALUES ($1, "
            "$2, $3, $4) ON CONFLICT (channel_id, url) DO UPDATE SET platform_ref = "
            "excluded.platform_ref, uploaded_at = excluded.uploaded_at",
            "sssi", channel_id, image->url, image->ref, now);
        if (changed < 0)
            return (int)changed;
        image->fresh = false;
    }
    return SOUK_OK;
}

static int record_batch(struct souk_db *db, const char *channel_id, struct pending *items,
                        size_t n, const struct souk_channels__batch_outcome *outcome,
                        int64_t *pushed, struct souk_err *err)
{
    int64_t now = souk_time_now_us(), took = 0, refused = 0, oldest = 0;
    const char *first_error = outcome->error[0] ? outcome->error : NULL;
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++)
        rc = record_images(conn, channel_id, &items[i], now, err);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        rc = record_item(conn, channel_id, &items[i], outcome, now, err);
        if (!sends(&items[i]))
            continue;
        if (items[i].push.result == SOUK_CHANNELS__PUSHED) {
            took++;
            if (!oldest || items[i].marked_at < oldest)
                oldest = items[i].marked_at;
        } else if (items[i].push.result == SOUK_CHANNELS__REJECTED) {
            refused++;
            if (!first_error)
                first_error = items[i].push.error;
        }
    }
    if (rc == SOUK_OK) {
        int64_t paused = outcome->retry_after_s >= 0 ? now + outcome->retry_after_s * 1000000LL : 0;
        int64_t changed = souk_db_run_sql(
            conn, err,
            "INSERT INTO channel_sync (channel_id, paused_until, last_success_at, last_error, "
            "last_error_at, pushed, rejected, last_latency_us) VALUES ($1, $2, $3, $4, $5, $6, "
            "$7, $8) ON CONFLICT (channel_id) DO UPDATE SET paused_until = excluded.paused_until, "
            "last_success_at = coalesce(excluded.last_success_at, channel_sync.last_success_at), "
            "last_error = coalesce(excluded.last_error, channel_sync.last_error), "
            "last_error_at = coalesce(excluded.last_error_at, channel_sync.last_error_at), "
            "pushed = channel_sync.pushed + excluded.pushed, "
            "rejected = channel_sync.rejected + excluded.rejected, "
            "last_latency_us = coalesce(excluded.last_latency_us, channel_sync.last_latency_us)",
            "sinsniin", channel_id, paused, took ? now : SOUK_CATALOG_UNSET, first_error,
            first_error ? now : SOUK_CATALOG_UNSET, took, refused,
            oldest ? now - oldest : SOUK_CATALOG_UNSET);
        rc = changed < 0 ? (int)changed : SOUK_OK;
    }
    if (rc == SOUK_OK)
        rc = souk_db_commit(conn, err);
    souk_db_release(conn);
    if (rc == SOUK_OK)
        *pushed += took;
    return rc;
}

static int push_channel(struct souk_db *db, struct souk_channels__client *client,
                        const char *channel_id, int64_t *pushed, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_channels__context ctx;
    struct pending *items = NULL;
    size_t n = 0;
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = prepare(conn, pool, channel_id, &ctx, &items, &n, err);
    souk_db_release(conn); /* no transaction stays open while the platform answers */
    struct souk_channels__batch_outcome outcome = {.retry_after_s = -1};
    if (rc == SOUK_OK && n) {
        struct souk_channels__push *batch = souk_pool_alloc(pool, n * sizeof *batch);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (sends(&items[i]))
                batch[m++] = items[i].push;
        if (m)
            rc = ctx.connector->push(ctx.channel, client, pool, batch, m, &outcome);
        for (size_t i = 0, j = 0; rc == SOUK_OK && i < n; i++)
            if (sends(&items[i]))
                items[i].push = batch[j++];
    }
    if (rc == SOUK_OK && n)
        rc = record_batch(db, channel_id, items, n, &outcome, pushed, err);
    souk_pool_free(pool);
    return rc;
}

int souk_channels__channel_ids(struct souk_db *db, struct souk_pool *pool, char ***out,
                               size_t *count, struct souk_err *err, const char *sql,
                               const char *spec, ...)
{
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    int rc = souk_db_begin(conn, SOUK_DB_READ, err);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(conn, sql, &st, err);
    if (rc == SOUK_OK) {
        va_list ap;
        va_start(ap, spec);
        rc = souk_db_vbind(st, spec, ap);
        va_end(ap);
    }
    char **ids = souk_pool_alloc(pool, MAX_CHANNELS * sizeof *ids);
    size_t n = 0;
    while (rc == SOUK_OK && n < MAX_CHANNELS && (rc = souk_db_step(st, err)) == 1) {
        ids[n++] = souk_pool_str(pool, souk_db_col_text(st, 0));
        rc = SOUK_OK;
    }
    souk_db_release(conn);
    *out = ids;
    *count = n;
    return rc < 0 ? rc : SOUK_OK;
}

/* Channels with changes due and no Retry-After pause in force. */
static int due_channels(struct souk_db *db, struct souk_pool *pool, char ***out, size_t *count,
                        struct souk_err *err)
{
    return souk_channels__channel_ids(
        db, pool, out, count, err,
        "SELECT c.id FROM channels c WHERE c.status = 'active' AND EXISTS (SELECT 1 FROM "
        "channel_items i WHERE i.channel_id = c.id AND i.pending IS NOT NULL AND "
        "i.next_attempt_at <= $1) AND NOT EXISTS (SELECT 1 FROM channel_sync s WHERE "
        "s.channel_id = c.id AND s.paused_until > $1) ORDER BY c.id LIMIT $2",
        "ii", souk_time_now_us(), (int64_t)MAX_CHANNELS);
}

/* ---- resync: a full push, marked a page at a time ---- */

int souk_channels_resync(struct souk_db_conn *conn, const char *id, bool resend,
                         struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO channel_sync (channel_id, paused_until, pushed, rejected, resync_after, "
        "resync_started_at) VALUES ($1, 0, 0, 0, '', $2) ON CONFLICT (channel_id) DO UPDATE "
        "SET resync_after = '', resync_started_at = excluded.resync_started_at",
        "si", id, souk_time_now_us());
    if (changed >= 0 && resend)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE channel_items SET pushed_digest = NULL WHERE "
                                  "channel_id = $1 AND pushed_digest IS NOT NULL",
                                  "s", id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/*
 * One page of a channel's resync: marks the SKUs of the next products it carries and moves
 * the cursor, in one write transaction. After the last page, what the platform holds but the
 * pass did not touch (items deleted or no longer selected) is marked too: the push turns
 * those into deletes.
 */
static int resync_page(struct souk_db *db, const char *channel_id, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_db_conn *conn = souk_db_acquire(db);
    struct souk_db_stmt *st;
    struct souk_channel *c;
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, err);
    if (rc == SOUK_OK)
        rc = souk_db_query(conn, err, &st,
                           "SELECT resync_after, resync_started_at FROM channel_sync WHERE "
                           "channel_id = $1 AND resync_after IS NOT NULL",
                           "s", channel_id);
    char *cursor = NULL;
    int64_t started = 0, now = souk_time_now_us();
    if (rc == 1) {
        cursor = souk_pool_str(pool, souk_db_col_text(st, 0));
        started = souk_db_col_i64(st, 1);
        rc = souk_channels_get(conn, pool, channel_id, &c, err);
    }
    struct souk_product *products;
    size_t count = 0;
    char *after = cursor && cursor[0] ? cursor : NULL;
    if (rc == SOUK_OK && cursor)
        rc = souk_channels__next_products(conn, pool, c, &after, &products, &count, err);
    for (size_t i = 0; rc == SOUK_OK && i < count; i++) {
        if (!souk_channels__selects(c, &products[i]))
            continue;
        for (size_t j = 0; rc == SOUK_OK && j < products[i].nvariants; j++)
            rc = mark(conn, channel_id, products[i].variants[j].sku, SOUK_CHANNELS__UPSERT, now,
                      err);
    }
    int64_t changed = 0;
    if (rc == SOUK_OK && cursor && count)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE channel_sync SET resync_after = $2 WHERE channel_id = $1",
                                  "ss", channel_id, products[count - 1].id);
    else if (rc == SOUK_OK && cursor) /* the last page was the one before */
        changed = souk_db_run_sql(
            conn, err,
            "UPDATE channel_items SET pending = 'upsert', generation = generation + 1, "
            "marked_at = $2, attempts = 0, next_attempt_at = 0 WHERE channel_id = $1 AND "
            "pushed_at IS NOT NULL AND (marked_at IS NULL OR marked_at < $3)",
            "sii", channel_id, now, started);
    if (changed >= 0 && rc == SOUK_OK && cursor && !count)
        changed = souk_db_run_sql(conn, err,
                                  "UPDATE channel_sync SET resync_after = NULL WHERE "
                                  "channel_id = $1",
                                  "s", channel_id);
    if (rc == SOUK_OK && changed < 0)
        rc = (int)changed;
    if (rc == SOUK_OK && cursor)
        rc = souk_db_commit(conn, err);
    souk_db_release(conn);
    souk_pool_free(pool);
    return rc < 0 ? rc : SOUK_OK;
}

/* Channels with a resync under way. */
static int resyncing_channels(struct souk_db *db, struct souk_pool *pool, char ***out,
                              size_t *count, struct souk_err *err)
{
    return souk_channels__channel_ids(db, pool, out, count, err,
                       "SELECT s.channel_id FROM channel_sync s JOIN channels c ON c.id = "
                       "s.channel_id WHERE s.resync_after IS NOT NULL AND c.status = 'active' "
                       "ORDER BY s.channel_id LIMIT $1",
                       "i", (int64_t)MAX_CHANNELS);
}

/* One pass: fan out (from cur, storing it with store_now), a page of every resync under way,
 * a batch for every due channel. *busy says more work is waiting (the worker then goes again
 * without sleeping). */
static int run_once(struct souk_db *db, struct souk_channels__client *client,
                    struct fan_cursor *cur, bool store_now, int64_t *pushed, bool *busy,
                    struct souk_err *err)
{
    *pushed = 0;
    int rc = fan_out(db, cur, store_now, err);
    struct souk_pool *pool = souk_pool_new();
    char **ids;
    size_t n = 0;
    if (rc == SOUK_OK)
        rc = resyncing_channels(db, pool, &ids, &n, err);
    for (size_t i = 0; rc == SOUK_OK && i < n; i++)
        rc = resync_page(db, ids[i], err);
    *busy = n > 0;
    if (rc == SOUK_OK)
        rc = due_channels(db, pool, &ids, &n, err);
    /* One channel's failure is its own: the others still get their batch. */
    int first_failure = SOUK_OK;
    for (size_t i = 0; rc == SOUK_OK && i < n; i++) {
        struct souk_err channel_err = SOUK_ERR_INIT;
        int crc = push_channel(db, client, ids[i], pushed, &channel_err);
        if (crc != SOUK_OK) {
            souk_log(SOUK_LOG_ERROR, "channel sync failed", "channel", ids[i], "error",
                     channel_err.message, "detail", channel_err.detail, NULL);
            if (first_failure == SOUK_OK) {
                first_failure = crc;
                *err = channel_err;
            }
        }
    }
    souk_pool_free(pool);
    *busy = *busy || *pushed > 0;
    return rc != SOUK_OK ? rc : first_failure;
}

int souk_channels_sync_once(struct souk_db *db, int64_t *pushed, struct souk_err *err)
{
    struct souk_channels__client *client = souk_channels__client_new();
    struct fan_cursor cur = {0};
    bool busy;
    int rc = run_once(db, client, &cur, true, pushed, &busy, err);
    souk_channels__client_free(client);
    return rc;
}

/* ---- the worker ---- */

struct souk_channels_sync {
    struct souk_db *db;
    int poll_ms;
    struct souk_channels__intake *intake;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct fan_cursor fan; /* the worker's */
};

static void *worker(void *arg)
{
    struct souk_channels_sync *s = arg;
    struct souk_channels__client *client = souk_channels__client_new();
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->lock);
        int64_t pushed;
        bool busy = false;
        struct souk_err err = SOUK_ERR_INIT;
        if (run_once(s->db, client, &s->fan, false, &pushed, &busy, &err) != SOUK_OK &&
            err.code != SOUK_EAGAIN)
            souk_log(SOUK_LOG_WARN, "channel sync pass failed", "error", err.message, "detail",
                     err.detail, NULL);
        int64_t ingested = 0;
        err = (struct souk_err)SOUK_ERR_INIT;
        if (souk_channels__intake_pass(s->intake, s->db, client, &ingested, &err) != SOUK_OK &&
            err.code != SOUK_EAGAIN)
            souk_log(SOUK_LOG_WARN, "order intake pass failed", "error", err.message, "detail",
                     err.detail, NULL);
        busy = busy || ingested > 0;
        pthread_mutex_lock(&s->lock);
        if (s->stopping || busy)
            continue; /* more may be due at once */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)s->poll_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    /* What was read since the cursor was last stored is stored, so a restart does not read
     * it again. */
    struct souk_err err = SOUK_ERR_INIT;
    if (s->fan.read_to > s->fan.stored && fan_out(s->db, &s->fan, true, &err) != SOUK_OK)
        souk_log(SOUK_LOG_WARN, "channel sync could not store its outbox cursor", "error",
                 err.message, "detail", err.detail, NULL);
    souk_channels__client_free(client);
    return NULL;
}

int souk_channels_sync_start(struct souk_db *db, const struct souk_channels_sync_options *opts,
                             struct souk_channels_sync **out, struct souk_err *err)
{
    struct souk_channels_sync *s = souk_calloc(1, sizeof *s);
    s->db = db;
    s->poll_ms = opts && opts->poll_ms > 0 ? opts->poll_ms : 10;
    s->intake = souk_channels__intake_new(
        (int64_t)(opts && opts->order_poll_ms > 0 ? opts->order_poll_ms : 5000) * 1000);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, worker, s) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        souk_channels__intake_free(s->intake);
        souk_free(s);
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "cannot start the channel sync thread");
    }
    *out = s;
    return SOUK_OK;
}

void souk_channels_sync_stop(struct souk_channels_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    souk_channels__intake_free(s->intake);
    souk_free(s);
}

/* ---- status and resync ---- */

int souk_channels_sync_status(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                              struct souk_channel_sync_status *out, struct souk_err *err)
{
    memset(out, 0, sizeof *out);
    struct souk_db_stmt *st;
    int rc = souk_db_query(
        conn, err, &st,
        "SELECT (SELECT count(*) FROM channels WHERE id = $1), "
        "(SELECT count(*) FROM channel_items WHERE channel_id = $1 AND pending IS NOT NULL), "
        "(SELECT coalesce(min(marked_at), 0) FROM channel_items WHERE channel_id = $1 AND "
        "pending IS NOT NULL), "
        "(SELECT count(*) FROM channel_items WHERE channel_id = $1 AND pending IS NULL AND "
        "last_error IS NULL AND pushed_at IS NOT NULL), "
        "(SELECT count(*) FROM channel_items WHERE channel_id = $1 AND pending IS NULL AND "
        "last_error IS NOT NULL), "
        "(SELECT count(*) FROM channel_items WHERE channel_id = $1 AND pending IS NOT NULL AND "
        "held_until IS NOT NULL), "
        "(SELECT coalesce(min(held_until), 0) FROM channel_items WHERE channel_id = $1 AND "
        "pending IS NOT NULL AND held_until IS NOT NULL)",
        "s", id);
    if (rc < 0)
        return rc;
    if (souk_db_col_i64(st, 0) == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no channel %.64s", id);
    out->pending = souk_db_col_i64(st, 1);
    out->oldest_pending_at = souk_db_col_i64(st, 2);
    out->synced = souk_db_col_i64(st, 3);
    out->rejected = souk_db_col_i64(st, 4);
    out->held = souk_db_col_i64(st, 5);
    out->held_until = souk_db_col_i64(st, 6);
    rc = souk_db_query(conn, err, &st,
                       "SELECT paused_until, last_success_at, last_error, last_error_at, pushed, "
                       "rejected, last_latency_us, resync_after FROM channel_sync WHERE "
                       "channel_id = $1",
                       "s", id);
    if (rc == 1) {
        out->paused_until = souk_db_col_i64(st, 0);
        out->last_success_at = souk_db_col_i64(st, 1);
        out->last_error =
            souk_db_col_is_null(st, 2) ? NULL : souk_pool_str(pool, souk_db_col_text(st, 2));
        out->last_error_at = souk_db_col_i64(st, 3);
        out->pushed_total = souk_db_col_i64(st, 4);
        out->rejected_total = souk_db_col_i64(st, 5);
        out->last_latency_us = souk_db_col_i64(st, 6);
        out->resyncing = !souk_db_col_is_null(st, 7);
    }
    if (rc < 0)
        return rc;
    return souk_outbox_backlog(conn, CONSUMER, &out->outbox_backlog, err);
}

/* ---- metrics ---- */

static const struct {
    const char *name, *type, *help;
} metrics[] = {
    {"souk_channel_pending_items", "gauge",
     "Items with a change the channel's platform has not taken yet."},
    {"souk_channel_held_items", "gauge",
     "Of the pending items, those held back by the platform's update limit (Google: twice a "
     "day per item): waiting their turn, not failing."},
    {"souk_channel_rejected_items", "gauge", "Items the platform refused at their last push."},
    {"souk_channel_pushed_items_total", "counter", "Item changes the platform took."},
    {"souk_channel_rejected_items_total", "counter", "Item changes the platform refused."},
    {"souk_channel_paused", "gauge", "1 while a 429 or Retry-After holds the channel back."},
    {"souk_channel_last_latency_seconds", "gauge",
     "From a change to the platform's acknowledgement, for the last batch's oldest change."},
    {"souk_channel_order_stock_issues", "gauge",
     "The channel's orders with units that hold no reservation (unknown SKU or shortfall)."},
    {"souk_channel_order_notifications_pending", "gauge",
     "Order notifications recorded and not yet taken into the order book."},
    {"souk_channel_order_notifications_failed", "gauge",
     "Order notifications given up on (see the channel's /sync)."},
    {"souk_channel_order_updates_pending", "gauge",
     "Fulfilments and cancellations the platform has not taken yet."},
    {"souk_channel_order_updates_failed", "gauge", "Fulfilments and cancellations the platform refused."},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

int souk_channels_metrics_render(struct souk_db_conn *conn, struct souk_buf *out,
                                 struct souk_err *err)
{
    struct souk_db_stmt *st;
    int64_t backlog, now = souk_time_now_us();
    int rc = souk_outbox_backlog(conn, CONSUMER, &backlog, err);
    if (rc == SOUK_OK)
        rc = souk_buf_addf(out,
                           "# HELP souk_outbox_backlog Changes not yet fanned out to channels.\n"
                           "# TYPE souk_outbox_backlog gauge\nsouk_outbox_backlog %lld\n",
                           (long long)backlog);
    /* One row per channel; the metrics are written metric by metric, as the format wants. */
    struct souk_buf lines[NMETRICS];
    for (size_t m = 0; m < NMETRICS; m++)
        lines[m] = (struct souk_buf)SOUK_BUF_INIT(4u << 20);
    if (rc == SOUK_OK)
        rc = souk_db_prepare(
            conn,
            "SELECT c.id, c.platform, (SELECT count(*) FROM channel_items i WHERE "
            "i.channel_id = c.id AND i.pending IS NOT NULL), (SELECT count(*) FROM "
            "channel_items i WHERE i.channel_id = c.id AND i.pending IS NOT NULL AND "
            "i.held_until IS NOT NULL), (SELECT count(*) FROM "
            "channel_items i WHERE i.channel_id = c.id AND i.pending IS NULL AND i.last_error "
            "IS NOT NULL), coalesce(s.pushed, 0), coalesce(s.rejected, 0), "
            "coalesce(s.paused_until, 0), coalesce(s.last_latency_us, 0), (SELECT count(*) FROM "
            "orders o WHERE o.stock_issue IS NOT NULL AND o.channel = c.id), (SELECT count(*) "
            "FROM order_notifications n WHERE n.channel_id = c.id AND n.state = 'pending'), "
            "(SELECT count(*) FROM order_notifications n WHERE n.channel_id = c.id AND n.state = "
            "'failed'), (SELECT count(*) FROM order_updates u WHERE u.channel_id = c.id AND "
            "u.state = 'pending'), (SELECT count(*) FROM order_updates u WHERE u.channel_id = "
            "c.id AND u.state = 'failed') FROM channels c LEFT JOIN channel_sync s ON "
            "s.channel_id = c.id ORDER BY c.id LIMIT $1",
            &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "i", (int64_t)MAX_CHANNELS);
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        struct souk_str id = souk_db_col_text(st, 0), platform = souk_db_col_text(st, 1);
        double values[NMETRICS] = {
            (double)souk_db_col_i64(st, 2), (double)souk_db_col_i64(st, 3),
            (double)souk_db_col_i64(st, 4), (double)souk_db_col_i64(st, 5),
            (double)souk_db_col_i64(st, 6), souk_db_col_i64(st, 7) > now ? 1.0 : 0.0,
            (double)souk_db_col_i64(st, 8) / 1e6, (double)souk_db_col_i64(st, 9),
            (double)souk_db_col_i64(st, 10), (double)souk_db_col_i64(st, 11),
            (double)souk_db_col_i64(st, 12), (double)souk_db_col_i64(st, 13),
        };
        rc = SOUK_OK;
        for (size_t m = 0; rc == SOUK_OK && m < NMETRICS; m++)
            rc = souk_buf_addf(&lines[m], "%s{channel=\"%.*s\",platform=\"%.*s\"} %.6g\n",
                               metrics[m].name, (int)id.len, id.ptr, (int)platform.len,
                               platform.ptr, values[m]);
    }
    for (size_t m = 0; m < NMETRICS; m++) {
        if (rc == SOUK_OK)
            rc = souk_buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n%s", metrics[m].name,
                               metrics[m].help, metrics[m].name, metrics[m].type,
                               lines[m].data);
        souk_buf_release(&lines[m]);
    }
    if (rc == SOUK_ETOOBIG)
        return souk_err_set(err, rc, NULL, "the metrics are too large");
    return rc < 0 ? rc : SOUK_OK;
}

/* variants: the sellable units of a product, with their prices per currency. */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/alloc.h"
#include "core/id.h"
#include "core/time.h"
#include "outbox/outbox.h"

/* product_id first: column 0 names the owner when a page of products reads its variants. */
#define VARIANT_COLUMNS                                                                            \
    "product_id, id, sku, position, gtin, mpn, option1, option2, option3, weight_grams, "          \
    "length_mm, width_mm, height_mm, image_url, version, created_at, updated_at, "                 \
    "low_stock_threshold, stock_state"

static void read_variant_row(struct souk_pool *pool, struct souk_db_stmt *st,
                             struct souk_variant *v)
{
    v->product_id = souk_catalog__col_str(pool, st, 0);
    v->id = souk_catalog__col_str(pool, st, 1);
    v->sku = souk_catalog__col_str(pool, st, 2);
    v->position = souk_db_col_i64(st, 3);
    v->gtin = souk_catalog__col_str(pool, st, 4);
    v->mpn = souk_catalog__col_str(pool, st, 5);
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++)
        v->options[i] = souk_catalog__col_str(pool, st, 6 + i);
    v->weight_grams = souk_catalog__col_opt_i64(st, 9);
    v->length_mm = souk_catalog__col_opt_i64(st, 10);
    v->width_mm = souk_catalog__col_opt_i64(st, 11);
    v->height_mm = souk_catalog__col_opt_i64(st, 12);
    v->image_url = souk_catalog__col_str(pool, st, 13);
    v->version = souk_db_col_i64(st, 14);
    v->created_at = souk_db_col_i64(st, 15);
    v->updated_at = souk_db_col_i64(st, 16);
    v->low_stock_threshold = souk_catalog__col_opt_i64(st, 17);
    v->stock_state = souk_catalog__col_str(pool, st, 18);
}

/* Adds a row of VARIANT_COLUMNS to product i of ctx (a struct souk_product array). */
static void add_variant(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                        size_t *cap)
{
    struct souk_product *p = (struct souk_product *)ctx + i;
    p->variants = souk_catalog__grow(pool, p->variants, p->nvariants, cap, sizeof *p->variants);
    read_variant_row(pool, st, &p->variants[p->nvariants++]);
}

#define PRICE_SELECT                                                                               \
    "SELECT pr.variant_id, pr.currency, pr.amount, pr.compare_at, pr.sale_amount, "                \
    "pr.sale_starts_at, pr.sale_ends_at FROM variant_prices pr"

static const struct souk_catalog__rows_sql prices_sql[] = {
    [SOUK_CATALOG__BY_VARIANT] = SOUK_CATALOG__ROWS_SQL(PRICE_SELECT, "pr.variant_id",
                                                        "ORDER BY pr.variant_id, pr.currency"),
    [SOUK_CATALOG__BY_PRODUCT] = SOUK_CATALOG__ROWS_SQL(
        PRICE_SELECT " JOIN variants v ON v.id = pr.variant_id", "v.product_id",
        "ORDER BY v.product_id, v.position, v.id, pr.currency"),
};

/* Adds a row of PRICE_SELECT to variant i of ctx (a struct souk_variant * array). */
static void add_price(struct souk_pool *pool, struct souk_db_stmt *st, void *ctx, size_t i,
                      size_t *cap)
{
    struct souk_variant *v = ((struct souk_variant **)ctx)[i];
    v->prices = souk_catalog__grow(pool, v->prices, v->nprices, cap, sizeof *v->prices);
    struct souk_price *pr = &v->prices[v->nprices++];
    struct souk_str currency = souk_db_col_text(st, 1);
    memcpy(pr->currency, currency.ptr, currency.len < 3 ? currency.len : 3);
    pr->amount = souk_db_col_i64(st, 2);
    pr->compare_at = souk_catalog__col_opt_i64(st, 3);
    pr->sale_amount = souk_catalog__col_opt_i64(st, 4);
    pr->sale_starts_at = souk_catalog__col_opt_i64(st, 5);
    pr->sale_ends_at = souk_catalog__col_opt_i64(st, 6);
}

static int insert_prices(struct souk_db_conn *conn, const struct souk_variant *v,
                         struct souk_err *err)
{
    for (size_t i = 0; i < v->nprices; i++) {
        const struct souk_price *pr = &v->prices[i];
        int64_t changed = souk_db_run_sql(
            conn, err,
            "INSERT INTO variant_prices (variant_id, currency, amount, compare_at, sale_amount, "
            "sale_starts_at, sale_ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            "ssinnnn", v->id, pr->currency, pr->amount, pr->compare_at, pr->sale_amount,
            pr->sale_starts_at, pr->sale_ends_at);
        if (changed < 0)
            return (int)changed;
    }
    return SOUK_OK;
}

static int replace_prices(struct souk_db_conn *conn, const struct souk_variant *v,
                          struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err, "DELETE FROM variant_prices WHERE variant_id = $1",
                                      "s", v->id);
    return changed < 0 ? (int)changed : insert_prices(conn, v, err);
}

/* Loads the prices and stock of set, selected by keys as souk_catalog__load_stock says. */
static int load_extras(struct souk_db_conn *conn, struct souk_pool *pool,
                       const struct souk_catalog__variant_set *set, enum souk_catalog__by by,
                       char *const *keys, size_t nkeys, struct souk_err *err)
{
    int rc = souk_catalog__load_rows(conn, pool, &prices_sql[by], keys, nkeys, set->ids, set->n,
                                     add_price, set->items, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__load_stock(conn, pool, set, by, keys, nkeys, err);
    return rc;
}

/* The variants of items[0..n), product after product, each product's in its array's order. */
static struct souk_catalog__variant_set variants_of(struct souk_pool *pool,
                                                    const struct souk_product *items, size_t n)
{
    struct souk_catalog__variant_set set = {0};
    for (size_t i = 0; i < n; i++)
        set.n += items[i].nvariants;
    set.items = souk_pool_alloc(pool, (set.n ? set.n : 1) * sizeof *set.items);
    set.ids = souk_pool_alloc(pool, (set.n ? set.n : 1) * sizeof *set.ids);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < items[i].nvariants; j++, k++) {
            set.items[k] = &items[i].variants[j];
            set.ids[k] = set.items[k]->id;
        }
    return set;
}

static const struct souk_catalog__rows_sql variants_sql = SOUK_CATALOG__ROWS_SQL(
    "SELECT " VARIANT_COLUMNS " FROM variants", "product_id", "ORDER BY product_id, position, id");

int souk_catalog__load_variants(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_product *items, char *const *ids, size_t n,
                                struct souk_err *err)
{
    int rc =
        souk_catalog__load_rows(conn, pool, &variants_sql, ids, n, ids, n, add_variant, items, err);
    if (rc != SOUK_OK)
        return rc;
    /* Only now: the variant arrays have stopped moving. */
    struct souk_catalog__variant_set set = variants_of(pool, items, n);
    return load_extras(conn, pool, &set, SOUK_CATALOG__BY_PRODUCT, ids, n, err);
}

/*
 * Steps a SELECT of VARIANT_COLUMNS into a pool array of at most max variants
 * (<= SOUK_CATALOG__PAGE_MAX), with their prices and stock; *has_more says another row followed.
 */
static int collect_variants(struct souk_db_conn *conn, struct souk_pool *pool,
                            struct souk_db_stmt *st, size_t max, struct souk_variant **out,
                            size_t *count, bool *has_more, struct souk_err *err)
{
    struct souk_product holder = {0}; /* lends variants_of an array to walk */
    size_t cap = 0;
    int rc;
    while ((rc = souk_db_step(st, err)) == 1 && holder.nvariants < max) {
        holder.variants = souk_catalog__grow(pool, holder.variants, holder.nvariants, &cap,
                                             sizeof *holder.variants);
        read_variant_row(pool, st, &holder.variants[holder.nvariants++]);
    }
    if (rc < 0)
        return rc;
    *has_more = rc == 1;
    struct souk_catalog__variant_set set = variants_of(pool, &holder, 1);
    rc = load_extras(conn, pool, &set, SOUK_CATALOG__BY_VARIANT, set.ids, set.n, err);
    if (rc != SOUK_OK)
        return rc;
    *out = holder.variants;
    *count = holder.nvariants;
    return SOUK_OK;
}

int souk_catalog__sku_free(struct souk_db_conn *conn, const char *sku, const char *except_id,
                           const char *param, struct souk_err *err)
{
    char owner[SOUK_ID_MAX];
    int rc = souk_catalog__owner(conn, "SELECT id FROM variants WHERE sku = $1", sku, except_id,
                                 owner, err);
    if (rc == SOUK_OK && owner[0])
        rc = souk_err_set(err, SOUK_ECONFLICT, param, "SKU %.100s is already used by variant %s",
                          sku, owner);
    return rc;
}

/* An insert also writes v->stock_state; an update leaves the stored one (the state last
 * announced) alone, so its spec stops one parameter short. */
static int write_variant_row(struct souk_db_conn *conn, const struct souk_variant *v, bool insert,
                             struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err,
        insert ? "INSERT INTO variants (id, product_id, sku, position, gtin, mpn, option1, "
                 "option2, option3, weight_grams, length_mm, width_mm, height_mm, image_url, "
                 "version, created_at, updated_at, low_stock_threshold, stock_state) VALUES ($1, "
                 "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
               : "UPDATE variants SET product_id = $2, sku = $3, position = $4, gtin = $5, "
                 "mpn = $6, option1 = $7, option2 = $8, option3 = $9, weight_grams = $10, "
                 "length_mm = $11, width_mm = $12, height_mm = $13, image_url = $14, "
                 "version = $15, created_at = $16, updated_at = $17, low_stock_threshold = $18 "
                 "WHERE id = $1",
        insert ? "sssisssssnnnnsiiins" : "sssisssssnnnnsiiin", v->id, v->product_id, v->sku,
        v->position, v->gtin, v->mpn, v->options[0], v->options[1], v->options[2], v->weight_grams,
        v->length_mm, v->width_mm, v->height_mm, v->image_url, v->version, v->created_at,
        v->updated_at, v->low_stock_threshold, v->stock_state);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/*
 * Initial stock may name warehouses by code (looked up) or by id (trusted to the foreign key,
 * which saves a lookup per variant in bulk imports; a missing one fails the insert).
 */
static int insert_initial_stock(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_variant *v, int64_t now, const char *prefix,
                                struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    for (size_t i = 0; i < v->nstock; i++) {
        struct souk_stock_level *s = &v->stock[i];
        souk_catalog__param(param, prefix, "stock[%zu]", i);
        int rc = s->warehouse_id ? SOUK_OK
                                 : souk_catalog__resolve_warehouse(conn, pool, s, param, err);
        if (rc != SOUK_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(v->stock[j].warehouse_id, s->warehouse_id) == 0)
                return souk_err_set(err, SOUK_EINVAL, param, "warehouse %.64s is listed twice",
                                    s->warehouse_code ? s->warehouse_code : s->warehouse_id);
        s->variant_id = v->id;
        rc = souk_catalog__insert_stock(conn, s, "initial stock", now, err);
        if (rc == SOUK_EUNPROC) /* the foreign key: no such warehouse */
            return souk_err_set(err, SOUK_EUNPROC, param,
                                "no warehouse %.64s: create it first (POST /v1/warehouses)",
                                s->warehouse_id);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

int souk_catalog__insert_variant(struct souk_db_conn *conn, struct souk_pool *pool,
                                 const char *product_id, struct souk_variant *v, int64_t now,
                                 const char *prefix, struct souk_err *err)
{
    char id[SOUK_ID_MAX];
    souk_id_new("var", id);
    v->id = souk_pool_strdup(pool, id);
    v->product_id = (char *)product_id;
    v->version = 1;
    v->created_at = v->updated_at = now;
    /* A new variant starts in the state its initial stock puts it in, unannounced: it has not
     * changed, and an import of a thousand unstocked variants is not a thousand sell-outs. */
    int64_t available = 0;
    for (size_t i = 0; i < v->nstock; i++)
        available += v->stock[i].on_hand;
    v->stock_state = (char *)souk_catalog__stock_state(available, v->low_stock_threshold);
    /* The UNIQUE index on sku is the check; only a conflict pays for the lookup that names the
     * holder. (SQLite keeps the transaction after a failed statement; PostgreSQL will need a
     * savepoint around the insert.) */
    int rc = write_variant_row(conn, v, true, err);
    if (rc == SOUK_ECONFLICT) {
        char param[SOUK_CATALOG__PARAM_MAX];
        souk_err_clear(err);
        rc = souk_catalog__sku_free(conn, v->sku, NULL, souk_catalog__param(param, prefix, "sku"),
                                    err);
        if (rc == SOUK_OK) /* the conflict was not the SKU: report the engine's */
            rc = souk_err_set(err, SOUK_ECONFLICT, NULL, "the variant conflicts with another");
    }
    if (rc == SOUK_OK)
        rc = insert_prices(conn, v, err);
    if (rc == SOUK_OK)
        rc = insert_initial_stock(conn, pool, v, now, prefix, err);
    return rc;
}

int souk_catalog_variant_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                             struct souk_variant **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn, "SELECT " VARIANT_COLUMNS " FROM variants WHERE id = $1", &st,
                             err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", id);
    struct souk_variant *items = NULL;
    size_t count = 0;
    bool more;
    if (rc == SOUK_OK)
        rc = collect_variants(conn, pool, st, 1, &items, &count, &more, err);
    if (rc != SOUK_OK)
        return rc;
    if (count == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no variant %.64s", id);
    *out = items;
    return SOUK_OK;
}

/* Checks v against its product and its siblings (all but itself). */
static int check_in_product(struct souk_db_conn *conn, struct souk_pool *pool,
                            struct souk_variant *v, struct souk_err *err)
{
    struct souk_product *p = NULL;
    int rc = souk_catalog__load_product_shell(conn, pool, v->product_id, &p, err);
    if (rc == SOUK_ENOTFOUND)
        return souk_err_set(err, SOUK_EUNPROC, "product_id", "no product %.64s", v->product_id);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_variant(p, v, "", err);
    if (rc == SOUK_OK)
        rc = souk_catalog__load_variants(conn, pool, p, &p->id, 1, err);
    int64_t last_position = 0;
    for (size_t i = 0; rc == SOUK_OK && i < p->nvariants; i++) {
        const struct souk_variant *sibling = &p->variants[i];
        if (v->id && strcmp(sibling->id, v->id) == 0)
            continue;
        if (sibling->position > last_position)
            last_position = sibling->position;
        rc = souk_catalog__check_siblings(v, sibling, "", err);
    }
    if (rc == SOUK_OK && v->position == 0)
        v->position = last_position + 1;
    return rc;
}

int souk_catalog_variant_create(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_variant *v, struct souk_err *err)
{
    if (!v->product_id)
        return souk_err_set(err, SOUK_EINVAL, "product_id", "product_id is required");
    v->id = NULL;
    int rc = check_in_product(conn, pool, v, err);
    int64_t now = souk_time_now_us();
    if (rc == SOUK_OK)
        rc = souk_catalog__insert_variant(conn, pool, v->product_id, v, now, "", err);
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_product(conn, v->product_id, now, err);
    return rc == SOUK_OK ? souk_outbox_emit(conn, "variant.changed", v->id, NULL, err) : rc;
}

int souk_catalog_variant_update(struct souk_db_conn *conn, struct souk_pool *pool,
                                struct souk_variant *v, int64_t expected_version,
                                struct souk_err *err)
{
    struct souk_variant *stored = NULL;
    int rc = souk_catalog_variant_get(conn, pool, v->id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc != SOUK_OK)
        return rc;
    v->product_id = stored->product_id; /* a variant never moves between products */
    rc = check_in_product(conn, pool, v, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__sku_free(conn, v->sku, v->id, "sku", err);
    if (rc != SOUK_OK)
        return rc;
    v->version = stored->version + 1;
    v->created_at = stored->created_at;
    v->updated_at = souk_time_now_us();
    rc = write_variant_row(conn, v, false, err);
    if (rc == SOUK_OK)
        rc = replace_prices(conn, v, err);
    if (rc == SOUK_OK && v->low_stock_threshold != stored->low_stock_threshold)
        rc = souk_catalog__restate_variant(conn, v->id, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_product(conn, v->product_id, v->updated_at, err);
    return rc == SOUK_OK ? souk_outbox_emit(conn, "variant.changed", v->id, NULL, err) : rc;
}

int souk_catalog_variant_delete(struct souk_db_conn *conn, const char *id,
                                int64_t expected_version, struct souk_err *err)
{
    struct souk_pool *pool = souk_pool_new();
    struct souk_variant *stored = NULL;
    int rc = souk_catalog_variant_get(conn, pool, id, &stored, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_version(stored->version, expected_version, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__refuse_reserved(
            conn, "SELECT COALESCE(SUM(reserved), 0) FROM stock WHERE variant_id = $1", id, err);
    int64_t changed =
        rc == SOUK_OK ? souk_db_run_sql(conn, err, "DELETE FROM variants WHERE id = $1", "s", id)
                      : rc;
    rc = changed < 0 ? (int)changed : SOUK_OK;
    if (rc == SOUK_OK)
        rc = souk_catalog__touch_product(conn, stored->product_id, souk_time_now_us(), err);
    if (rc == SOUK_OK) {
        json_t *skus = json_pack("[s]", stored->sku);
        char *payload = json_dumps(skus, JSON_COMPACT);
        rc = souk_outbox_emit(conn, "variant.deleted", id, payload, err);
        souk_free(payload);
        json_decref(skus);
    }
    souk_pool_free(pool);
    return rc;
}

int souk_catalog_variant_list(struct souk_db_conn *conn, struct souk_pool *pool,
                              const struct souk_variant_filter *filter,
                              struct souk_variant **out, size_t *count, bool *has_more,
                              struct souk_err *err)
{
    if (filter->limit < 1 || filter->limit > SOUK_CATALOG__PAGE_MAX)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and %d",
                            SOUK_CATALOG__PAGE_MAX);
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " VARIANT_COLUMNS " FROM variants WHERE id > $1 "
                             "AND (CAST($2 AS TEXT) IS NULL OR product_id = $2) "
                             "AND (CAST($3 AS TEXT) IS NULL OR sku = $3) ORDER BY id LIMIT $4",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "sssi", filter->after ? filter->after : "", filter->product_id,
                          filter->sku, (int64_t)filter->limit + 1);
    return rc == SOUK_OK
               ? collect_variants(conn, pool, st, (size_t)filter->limit, out, count, has_more, err)
               : rc;
}

int souk_catalog_offer(struct souk_db_conn *conn, struct souk_pool *pool, const char *sku,
                       const char *currency, struct souk_catalog_offer *out,
                       struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st,
                           "SELECT v.id, p.title, v.option1, v.option2, v.option3, pr.amount, "
                           "pr.sale_amount, pr.sale_starts_at, pr.sale_ends_at, "
                           "p.inventory_policy, (SELECT COALESCE(SUM(s.on_hand - s.reserved), 0) "
                           "FROM stock s WHERE s.variant_id = v.id) FROM variants v "
                           "JOIN products p ON p.id = v.product_id LEFT JOIN variant_prices pr "
                           "ON pr.variant_id = v.id AND pr.currency = $2 WHERE v.sku = $1",
                           "ss", sku, currency);
    if (rc <= 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->variant_id = souk_pool_str(pool, souk_db_col_text(st, 0));
    char *title = souk_pool_str(pool, souk_db_col_text(st, 1));
    for (int i = 0, n = 0; i < SOUK_CATALOG_OPTIONS; i++)
        if (!souk_db_col_is_null(st, 2 + i)) {
            struct souk_str value = souk_db_col_text(st, 2 + i);
            title = souk_pool_printf(pool, "%s%s%.*s", title, n++ ? " / " : " - ",
                                     (int)value.len, value.ptr);
        }
    out->title = title;
    out->inventory_policy = souk_catalog__policy_name(souk_db_col_text(st, 9));
    out->available = souk_db_col_i64(st, 10);
    out->priced = !souk_db_col_is_null(st, 5);
    if (out->priced) {
        out->price.amount = souk_db_col_i64(st, 5);
        int64_t *sale[] = {&out->price.sale_amount, &out->price.sale_starts_at,
                           &out->price.sale_ends_at};
        for (int i = 0; i < 3; i++)
            *sale[i] = souk_db_col_is_null(st, 6 + i) ? SOUK_CATALOG_UNSET
                                                      : souk_db_col_i64(st, 6 + i);
    }
    return 1;
}

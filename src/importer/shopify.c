/*
 * shopify: imports a Shopify product export CSV (see importer.h).
 *
 * The file holds one or more rows per handle, contiguous. The first row of a handle carries the
 * product's fields; any row with variant data (SKU, option value or price) adds a variant; any
 * row with an Image Src adds an image. A product is complete when the handle changes, and is
 * then created through the catalog like any API request, so it passes the same validation.
 *
 * Shopify-specific readings: "Title"/"Default Title" as the only option means "no options";
 * Status wins over Published; Vendor is both vendor and brand; a variant without a SKU gets
 * "<handle>-<position>" (souk needs a SKU to sync to channels); a Variant Image that is not
 * among the Image Src rows is added to the product's media; Variant Inventory Policy
 * "continue" (sell when out of stock) on any variant makes the product's inventory_policy
 * backorder, souk's policy being per product.
 */
#include <string.h>

#include "catalog/catalog.h"
#include "core/alloc.h"
#include "core/csv.h"
#include "core/money.h"
#include "importer/importer_int.h"

#define MAX_FIELD (1u << 20)  /* Body (HTML) can be long; 1 MiB is far past any real one */
#define MAX_RECORD (4u << 20)

enum column {
    COL_HANDLE, COL_TITLE, COL_BODY, COL_VENDOR, COL_TYPE, COL_TAGS, COL_PUBLISHED, COL_STATUS,
    COL_OPT1_NAME, COL_OPT1_VALUE, COL_OPT2_NAME, COL_OPT2_VALUE, COL_OPT3_NAME, COL_OPT3_VALUE,
    COL_SKU, COL_GRAMS, COL_QTY, COL_PRICE, COL_COMPARE_AT, COL_BARCODE, COL_IMAGE_SRC,
    COL_IMAGE_POSITION, COL_IMAGE_ALT, COL_VARIANT_IMAGE, COL_GOOGLE_CATEGORY, COL_MPN,
    COL_CONDITION, COL_INVENTORY_POLICY, COL__COUNT
};

static const char *const column_names[COL__COUNT] = {
    "Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published", "Status",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name",
    "Option3 Value", "Variant SKU", "Variant Grams", "Variant Inventory Qty", "Variant Price",
    "Variant Compare At Price", "Variant Barcode", "Image Src", "Image Position",
    "Image Alt Text", "Variant Image", "Google Shopping / Google Product Category",
    "Google Shopping / MPN", "Google Shopping / Condition", "Variant Inventory Policy"};

struct shopify {
    struct souk_csv *csv;
    int col[COL__COUNT]; /* index in the record, or -1 when the file lacks the column */
    const struct souk_import_options *opts;
    const struct souk_currency *currency;
    char warehouse_id[SOUK_ID_MAX]; /* where Variant Inventory Qty goes */
    struct souk_import__product cur; /* the product being gathered */
};

static struct souk_str field(const struct shopify *s, enum column c)
{
    return s->col[c] < 0 ? SOUK_STR("") : souk_csv_field(s->csv, (size_t)s->col[c]);
}

static char *opt_field(struct shopify *s, enum column c)
{
    struct souk_str v = souk_import__trim(field(s, c));
    return v.len ? souk_pool_str(s->cur.pool, v) : NULL;
}

static int row_error(struct shopify *s, const char *column, struct souk_err *err,
                     const char *fmt, const char *value)
{
    return souk_err_set(err, SOUK_EINVAL, column, fmt, value);
}

static int parse_amount(struct shopify *s, enum column c, int64_t *out, struct souk_err *err)
{
    struct souk_str v = souk_import__trim(field(s, c));
    if (souk_money_parse_decimal(v, s->currency->exponent, out, NULL) != SOUK_OK || *out < 0)
        return souk_err_set(err, SOUK_EINVAL, column_names[c],
                            "%s \"%.*s\" is not an amount in %s", column_names[c],
                            (int)(v.len > 40 ? 40 : v.len), v.ptr, s->currency->code);
    return SOUK_OK;
}

static void start_product(struct shopify *s)
{
    struct souk_product *p = &s->cur.product;
    struct souk_pool *pool = s->cur.pool;
    p->handle = opt_field(s, COL_HANDLE);
    p->title = opt_field(s, COL_TITLE);
    p->description = opt_field(s, COL_BODY);
    p->vendor = opt_field(s, COL_VENDOR);
    p->brand = p->vendor;
    p->product_type = opt_field(s, COL_TYPE);
    p->google_product_category = opt_field(s, COL_GOOGLE_CATEGORY);
    char *condition = opt_field(s, COL_CONDITION);
    for (char *c = condition; c && *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    p->condition = condition ? condition : "new";
    char *status = opt_field(s, COL_STATUS);
    struct souk_str published = souk_import__trim(field(s, COL_PUBLISHED));
    if (status)
        p->status = status;
    else if (published.len)
        p->status = souk_str_eq_cstr(published, "TRUE") || souk_str_eq_cstr(published, "true")
                        ? "active"
                        : "draft";
    else
        p->status = "active";
    static const enum column names[] = {COL_OPT1_NAME, COL_OPT2_NAME, COL_OPT3_NAME};
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++)
        p->option_names[i] = opt_field(s, names[i]);
    /* Shopify writes a lone "Title" option with value "Default Title" for simple products. */
    if (p->option_names[0] && strcmp(p->option_names[0], "Title") == 0 && !p->option_names[1] &&
        souk_str_eq_cstr(souk_import__trim(field(s, COL_OPT1_VALUE)), "Default Title"))
        p->option_names[0] = NULL;
    struct souk_str tags = field(s, COL_TAGS);
    souk_import__split_tags(&s->cur, pool, tags);
}

static int add_variant(struct shopify *s, uint64_t line, struct souk_err *err)
{
    struct souk_variant *v = souk_import__new_variant(&s->cur, line);
    struct souk_product *p = &s->cur.product;
    static const enum column values[] = {COL_OPT1_VALUE, COL_OPT2_VALUE, COL_OPT3_VALUE};
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++)
        v->options[i] = p->option_names[i] ? opt_field(s, values[i]) : NULL;
    v->sku = opt_field(s, COL_SKU);
    if (!v->sku)
        v->sku = souk_pool_printf(s->cur.pool, "%s-%zu", p->handle, p->nvariants);
    v->gtin = opt_field(s, COL_BARCODE);
    v->mpn = opt_field(s, COL_MPN);
    v->image_url = opt_field(s, COL_VARIANT_IMAGE);
    v->weight_grams = v->length_mm = v->width_mm = v->height_mm = SOUK_CATALOG_UNSET;
    v->low_stock_threshold = SOUK_CATALOG_UNSET;
    struct souk_str policy = souk_import__trim(field(s, COL_INVENTORY_POLICY));
    if (souk_str_eq_cstr(policy, "continue"))
        p->inventory_policy = "backorder";
    else if (policy.len && !souk_str_eq_cstr(policy, "deny"))
        return row_error(s, column_names[COL_INVENTORY_POLICY], err,
                         "Variant Inventory Policy \"%s\" is neither deny nor continue",
                         souk_pool_str(s->cur.pool, policy));
    struct souk_str grams = souk_import__trim(field(s, COL_GRAMS));
    if (grams.len && (souk_money_parse_decimal(grams, 0, &v->weight_grams, NULL) != SOUK_OK ||
                      v->weight_grams < 0))
        return row_error(s, column_names[COL_GRAMS], err,
                         "Variant Grams \"%s\" is not a whole number of grams >= 0",
                         souk_pool_str(s->cur.pool, grams));
    struct souk_str price = souk_import__trim(field(s, COL_PRICE));
    if (price.len) {
        struct souk_price *pr = souk_pool_alloc(s->cur.pool, sizeof *pr);
        memcpy(pr->currency, s->currency->code, 4);
        pr->compare_at = pr->sale_amount = pr->sale_starts_at = pr->sale_ends_at =
            SOUK_CATALOG_UNSET;
        int rc = parse_amount(s, COL_PRICE, &pr->amount, err);
        if (rc == SOUK_OK && souk_import__trim(field(s, COL_COMPARE_AT)).len)
            rc = parse_amount(s, COL_COMPARE_AT, &pr->compare_at, err);
        if (rc != SOUK_OK)
            return rc;
        if (pr->compare_at == 0) /* Shopify writes 0 or empty for "no compare-at price" */
            pr->compare_at = SOUK_CATALOG_UNSET;
        v->prices = pr;
        v->nprices = 1;
    }
    struct souk_str qty = souk_import__trim(field(s, COL_QTY));
    if (qty.len) {
        struct souk_stock_level *st = souk_pool_alloc(s->cur.pool, sizeof *st);
        st->warehouse_id = s->warehouse_id;
        if (souk_str_to_i64(qty, INT64_MIN / 2, INT64_MAX / 2, &st->on_hand) != SOUK_OK)
            return row_error(s, column_names[COL_QTY], err,
                             "Variant Inventory Qty \"%s\" is not a whole number",
                             souk_pool_str(s->cur.pool, qty));
        if (st->on_hand < 0)
            return row_error(s, column_names[COL_QTY], err,
                             "Variant Inventory Qty is %s: stock cannot be negative (set it to "
                             "0 in Shopify or in the file)",
                             souk_pool_str(s->cur.pool, qty));
        v->stock = st;
        v->nstock = 1;
    }
    return SOUK_OK;
}

static int add_image(struct shopify *s, struct souk_err *err)
{
    struct souk_str pos = souk_import__trim(field(s, COL_IMAGE_POSITION));
    int64_t position = 0;
    if (pos.len && souk_str_to_i64(pos, 1, 1000, &position) != SOUK_OK)
        return row_error(s, column_names[COL_IMAGE_POSITION], err,
                         "Image Position \"%s\" is not a number from 1 to 1000",
                         souk_pool_str(s->cur.pool, pos));
    souk_import__add_media(&s->cur, opt_field(s, COL_IMAGE_SRC), opt_field(s, COL_IMAGE_ALT),
                           position);
    return SOUK_OK;
}

static bool is_variant_row(const struct shopify *s)
{
    return souk_import__trim(field(s, COL_SKU)).len || souk_import__trim(field(s, COL_PRICE)).len ||
           souk_import__trim(field(s, COL_OPT1_VALUE)).len;
}

static int read_header(struct shopify *s, struct souk_err *err)
{
    int rc = souk_csv_next(s->csv, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_EINVAL, NULL, "line 1: the file is empty");
    for (int c = 0; c < COL__COUNT; c++)
        s->col[c] = souk_csv_header_index(s->csv, column_names[c]);
    if (s->col[COL_HANDLE] < 0 || s->col[COL_TITLE] < 0)
        return souk_err_set(err, SOUK_EINVAL, NULL,
                            "line 1: not a Shopify product CSV: the Handle and Title columns "
                            "are missing");
    return SOUK_OK;
}

static int handle_row(struct shopify *s, struct souk_db_conn *conn,
                      struct souk_import_stats *stats, struct souk_err *err)
{
    uint64_t line = souk_csv_record_line(s->csv);
    struct souk_str handle = souk_import__trim(field(s, COL_HANDLE));
    if (handle.len == 0) {
        souk_err_set(err, SOUK_EINVAL, "Handle", "Handle is empty");
        return souk_import__row_failed(&s->cur, line, false, stats, err);
    }
    if (!s->cur.active || !souk_str_eq_cstr(handle, s->cur.product.handle)) {
        int rc = souk_import__flush(&s->cur, conn, stats, err);
        if (rc != SOUK_OK)
            return rc;
        souk_import__begin(&s->cur, line);
        start_product(s);
    }
    if (s->cur.failed) /* skipping the rest of a bad product */
        return SOUK_OK;
    int rc = SOUK_OK;
    if (is_variant_row(s)) {
        rc = add_variant(s, line, err);
    }
    if (rc == SOUK_OK && souk_import__trim(field(s, COL_IMAGE_SRC)).len)
        rc = add_image(s, err);
    return rc == SOUK_OK ? SOUK_OK : souk_import__row_failed(&s->cur, line, true, stats, err);
}

int souk_import_shopify(struct souk_db_conn *conn, int fd, const struct souk_import_options *opts,
                        struct souk_import_stats *stats, struct souk_err *err)
{
    struct shopify s = {.opts = opts};
    s.currency = souk_money_currency(souk_str_from(opts->currency ? opts->currency : "USD"));
    if (!s.currency)
        return souk_err_set(err, SOUK_EINVAL, "currency", "unknown currency code %s (ISO 4217)",
                            opts->currency);
    int rc = souk_import__ensure_warehouse(conn, opts, s.warehouse_id, stats, err);
    if (rc != SOUK_OK)
        return rc;
    s.csv = souk_csv_open_fd(fd, MAX_FIELD, MAX_RECORD);
    souk_import__init(&s.cur, opts);
    rc = read_header(&s, err);
    while (rc == SOUK_OK) {
        rc = souk_csv_next(s.csv, err);
        if (rc <= 0)
            break;
        rc = handle_row(&s, conn, stats, err);
    }
    if (rc == SOUK_OK)
        rc = souk_import__flush(&s.cur, conn, stats, err);
    stats->lines = souk_csv_record_line(s.csv);
    souk_import__release(&s.cur);
    souk_csv_close(s.csv);
    return rc;
}

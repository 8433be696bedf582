/*
 * decode: JSON objects (API bodies, JSON-lines records) onto catalog structs. Only shapes and
 * types are checked here; the catalog's rules (limits, codes, checksums) run in validate.c on
 * every path, so a CSV import and an API call are held to the same rules.
 */
#include <stddef.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/time.h"

#define MAX_ARRAY 4096 /* no catalog array may be longer; the exact limits follow in validate.c */

enum field_kind {
    TEXT,          /* string, or null to clear */
    TEXT_NOT_NULL, /* string */
    READ_ONLY,     /* assigned by the store */
    SPECIAL,       /* decoded by its own function */
};

struct field {
    const char *name;
    enum field_kind kind;
    size_t offset; /* of the char * member, for TEXT kinds */
};

static int type_error(const char *param, const char *what, struct souk_err *err)
{
    return souk_err_set(err, SOUK_EINVAL, param, "%s must be %s", param, what);
}

/* Copies a JSON string into pool memory; strings with NUL bytes are refused. */
static int take_text(struct souk_pool *pool, json_t *value, const char *param, bool nullable,
                     char **out, struct souk_err *err)
{
    if (json_is_null(value)) {
        if (!nullable)
            return souk_err_set(err, SOUK_EINVAL, param, "%s cannot be null", param);
        *out = NULL;
        return SOUK_OK;
    }
    if (!json_is_string(value))
        return type_error(param, "a string", err);
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);
    if (strlen(s) != len)
        return souk_err_set(err, SOUK_EINVAL, param, "%s contains a NUL character", param);
    *out = souk_pool_strndup(pool, s, len);
    return SOUK_OK;
}

/* An integer, or SOUK_CATALOG_UNSET for null when nullable. */
static int take_int(json_t *value, const char *param, bool nullable, int64_t *out,
                    struct souk_err *err)
{
    if (json_is_null(value) && nullable) {
        *out = SOUK_CATALOG_UNSET;
        return SOUK_OK;
    }
    if (!json_is_integer(value))
        return type_error(param, nullable ? "an integer or null" : "an integer", err);
    *out = (int64_t)json_integer_value(value);
    if (*out == SOUK_CATALOG_UNSET) /* the sentinel itself is never a valid quantity */
        return souk_err_set(err, SOUK_EINVAL, param, "%s is out of range", param);
    return SOUK_OK;
}

static int take_time(json_t *value, const char *param, int64_t *out, struct souk_err *err)
{
    if (json_is_null(value)) {
        *out = SOUK_CATALOG_UNSET;
        return SOUK_OK;
    }
    if (!json_is_string(value) ||
        souk_time_parse(souk_str_from(json_string_value(value)), out) != SOUK_OK)
        return souk_err_set(err, SOUK_EINVAL, param,
                            "%s must be an RFC 3339 time such as 2026-12-01T00:00:00Z or null",
                            param);
    return SOUK_OK;
}

/* An array (or null, meaning empty) of at most MAX_ARRAY items. */
static int take_array(json_t *value, const char *param, size_t *count, struct souk_err *err)
{
    if (json_is_null(value)) {
        *count = 0;
        return SOUK_OK;
    }
    if (!json_is_array(value))
        return type_error(param, "an array", err);
    *count = json_array_size(value);
    if (*count > MAX_ARRAY)
        return souk_err_set(err, SOUK_EINVAL, param, "%s has more than %d items", param,
                            MAX_ARRAY);
    return SOUK_OK;
}

/* Decodes one array item into item (pool memory of the array's item size). */
typedef int (*item_fn)(struct souk_pool *pool, json_t *in, void *item, const char *param,
                       struct souk_err *err);

/* Decodes a JSON array (null meaning empty) into a pool array of *count items. */
static int decode_array(struct souk_pool *pool, json_t *in, const char *param, size_t item_size,
                        item_fn decode_item, void **items, size_t *count, struct souk_err *err)
{
    char item[SOUK_CATALOG__PARAM_MAX];
    size_t n = 0;
    int rc = take_array(in, param, &n, err);
    if (rc != SOUK_OK)
        return rc;
    char *base = souk_pool_alloc(pool, (n ? n : 1) * item_size);
    for (size_t i = 0; i < n && rc == SOUK_OK; i++)
        rc = decode_item(pool, json_array_get(in, i), base + i * item_size,
                         souk_catalog__param(item, "", "%s[%zu]", param, i), err);
    *items = base;
    *count = n;
    return rc;
}

static const struct field *find_field(const struct field *fields, const char *key)
{
    for (; fields->name; fields++)
        if (strcmp(fields->name, key) == 0)
            return fields;
    return NULL;
}

typedef int (*special_fn)(struct souk_pool *pool, const char *key, json_t *value, void *ctx,
                          const char *param, struct souk_err *err);

/*
 * Applies the generic kinds and reports unknown and read-only keys; SPECIAL keys are handed to
 * special(ctx). text_base is the struct the TEXT offsets point into.
 */
static int decode_object(struct souk_pool *pool, json_t *in, const struct field *fields,
                         void *text_base, const char *prefix, special_fn special, void *ctx,
                         struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, prefix && *prefix ? prefix : NULL,
                            "%s must be a JSON object", prefix && *prefix ? prefix : "the body");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        souk_catalog__param(param, prefix, "%.64s", key);
        const struct field *f = find_field(fields, key);
        int rc = SOUK_OK;
        if (!f)
            rc = souk_err_set(err, SOUK_EINVAL, param, "unknown field %s", param);
        else if (f->kind == READ_ONLY)
            rc = souk_err_set(err, SOUK_EINVAL, param, "%s is read-only", param);
        else if (f->kind == SPECIAL)
            rc = special(pool, key, value, ctx, param, err);
        else
            rc = take_text(pool, value, param, f->kind == TEXT,
                           (char **)((char *)text_base + f->offset), err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int require(json_t *in, const char *const *names, const char *prefix,
                   struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    for (; *names; names++)
        if (!json_object_get(in, *names)) {
            souk_catalog__param(param, prefix, "%s", *names);
            return souk_err_set(err, SOUK_EINVAL, param, "%s is required", param);
        }
    return SOUK_OK;
}

/* ---- prices and stock ---- */

static int decode_sale(json_t *in, struct souk_price *pr, const char *param, struct souk_err *err)
{
    char field[SOUK_CATALOG__PARAM_MAX];
    pr->sale_amount = pr->sale_starts_at = pr->sale_ends_at = SOUK_CATALOG_UNSET;
    if (json_is_null(in))
        return SOUK_OK;
    if (!json_is_object(in))
        return type_error(param, "an object or null", err);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        souk_catalog__param(field, param, "%.32s", key);
        int rc;
        if (strcmp(key, "amount") == 0)
            rc = take_int(value, field, false, &pr->sale_amount, err);
        else if (strcmp(key, "starts_at") == 0)
            rc = take_time(value, field, &pr->sale_starts_at, err);
        else if (strcmp(key, "ends_at") == 0)
            rc = take_time(value, field, &pr->sale_ends_at, err);
        else
            rc = souk_err_set(err, SOUK_EINVAL, field, "unknown field %s", field);
        if (rc != SOUK_OK)
            return rc;
    }
    return require(in, (const char *[]){"amount", NULL}, param, err);
}

static int decode_price(struct souk_pool *pool, json_t *in, void *item, const char *param,
                        struct souk_err *err)
{
    struct souk_price *pr = item;
    char field[SOUK_CATALOG__PARAM_MAX];
    if (!json_is_object(in))
        return type_error(param, "an object", err);
    int rc = require(in, (const char *[]){"currency", "amount", NULL}, param, err);
    pr->compare_at = pr->sale_amount = pr->sale_starts_at = pr->sale_ends_at = SOUK_CATALOG_UNSET;
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        if (rc != SOUK_OK)
            break;
        souk_catalog__param(field, param, "%.32s", key);
        if (strcmp(key, "currency") == 0) {
            if (!json_is_string(value) || json_string_length(value) != 3)
                rc = souk_err_set(err, SOUK_EINVAL, field,
                                  "%s must be a three-letter ISO 4217 code such as EUR", field);
            else
                memcpy(pr->currency, json_string_value(value), 4);
        } else if (strcmp(key, "amount") == 0) {
            rc = take_int(value, field, false, &pr->amount, err);
        } else if (strcmp(key, "compare_at") == 0) {
            rc = take_int(value, field, true, &pr->compare_at, err);
        } else if (strcmp(key, "sale") == 0) {
            rc = decode_sale(value, pr, field, err);
        } else {
            rc = souk_err_set(err, SOUK_EINVAL, field, "unknown field %s", field);
        }
    }
    return rc;
}

static int decode_stock_item(struct souk_pool *pool, json_t *in, void *item, const char *param,
                             struct souk_err *err)
{
    struct souk_stock_level *s = item;
    char field[SOUK_CATALOG__PARAM_MAX];
    if (!json_is_object(in))
        return type_error(param, "an object", err);
    int rc = require(in, (const char *[]){"on_hand", NULL}, param, err);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        if (rc != SOUK_OK)
            break;
        souk_catalog__param(field, param, "%.32s", key);
        if (strcmp(key, "warehouse_code") == 0)
            rc = take_text(pool, value, field, false, &s->warehouse_code, err);
        else if (strcmp(key, "warehouse_id") == 0)
            rc = take_text(pool, value, field, false, &s->warehouse_id, err);
        else if (strcmp(key, "on_hand") == 0)
            rc = take_int(value, field, false, &s->on_hand, err);
        else
            rc = souk_err_set(err, SOUK_EINVAL, field, "unknown field %s", field);
    }
    return rc;
}

/* ---- variants ---- */

struct variant_ctx {
    struct souk_variant *v;
    enum souk_catalog_decode_mode mode;
};

static int decode_dimensions(json_t *in, struct souk_variant *v, const char *param,
                             struct souk_err *err)
{
    char field[SOUK_CATALOG__PARAM_MAX];
    v->length_mm = v->width_mm = v->height_mm = SOUK_CATALOG_UNSET;
    if (json_is_null(in))
        return SOUK_OK;
    if (!json_is_object(in))
        return type_error(param, "an object or null", err);
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        souk_catalog__param(field, param, "%.32s", key);
        int64_t *target = strcmp(key, "length") == 0  ? &v->length_mm
                          : strcmp(key, "width") == 0 ? &v->width_mm
                          : strcmp(key, "height") == 0 ? &v->height_mm
                                                       : NULL;
        int rc = target ? take_int(value, field, true, target, err)
                        : souk_err_set(err, SOUK_EINVAL, field, "unknown field %s", field);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int decode_option_values(struct souk_pool *pool, json_t *in, char **options,
                                const char *param, struct souk_err *err)
{
    char item[SOUK_CATALOG__PARAM_MAX];
    size_t n = 0;
    int rc = take_array(in, param, &n, err);
    if (rc == SOUK_OK && n > SOUK_CATALOG_OPTIONS)
        rc = souk_err_set(err, SOUK_EINVAL, param, "%s has at most %d values", param,
                          SOUK_CATALOG_OPTIONS);
    for (size_t i = 0; i < SOUK_CATALOG_OPTIONS && rc == SOUK_OK; i++) {
        options[i] = NULL;
        if (i < n)
            rc = take_text(pool, json_array_get(in, i),
                           souk_catalog__param(item, "", "%s[%zu]", param, i), false,
                           &options[i], err);
    }
    return rc;
}

static int variant_special(struct souk_pool *pool, const char *key, json_t *value, void *base,
                           const char *param, struct souk_err *err)
{
    const struct variant_ctx *ctx = base;
    struct souk_variant *v = ctx->v;
    if (strcmp(key, "option_values") == 0)
        return decode_option_values(pool, value, v->options, param, err);
    if (strcmp(key, "position") == 0)
        return take_int(value, param, false, &v->position, err);
    if (strcmp(key, "weight_grams") == 0)
        return take_int(value, param, true, &v->weight_grams, err);
    if (strcmp(key, "low_stock_threshold") == 0)
        return take_int(value, param, true, &v->low_stock_threshold, err);
    if (strcmp(key, "dimensions_mm") == 0)
        return decode_dimensions(value, v, param, err);
    void *items = NULL;
    int rc;
    if (strcmp(key, "prices") == 0) {
        rc = decode_array(pool, value, param, sizeof *v->prices, decode_price, &items,
                          &v->nprices, err);
        v->prices = items;
        return rc;
    }
    /* stock */
    if (ctx->mode == SOUK_CATALOG_PATCH)
        return souk_err_set(err, SOUK_EINVAL, param,
                            "stock changes through PUT /v1/stock/{variant_id}/{warehouse_id}");
    rc = decode_array(pool, value, param, sizeof *v->stock, decode_stock_item, &items, &v->nstock,
                      err);
    v->stock = items;
    return rc;
}

#define VARIANT_TEXT(name, member) {name, TEXT, offsetof(struct souk_variant, member)}

int souk_catalog_variant_decode(struct souk_pool *pool, json_t *in,
                                enum souk_catalog_decode_mode mode, struct souk_variant *v,
                                const char *prefix, struct souk_err *err)
{
    /* A standalone create (POST /v1/variants) names its product; nested ones do not. */
    bool standalone_create = mode == SOUK_CATALOG_CREATE && (!prefix || !*prefix);
    const struct field fields[] = {
        {"product_id", standalone_create ? TEXT_NOT_NULL : READ_ONLY,
         offsetof(struct souk_variant, product_id)},
        {"sku", TEXT_NOT_NULL, offsetof(struct souk_variant, sku)},
        VARIANT_TEXT("gtin", gtin),
        VARIANT_TEXT("mpn", mpn),
        VARIANT_TEXT("image_url", image_url),
        {"option_values", SPECIAL, 0},
        {"position", SPECIAL, 0},
        {"weight_grams", SPECIAL, 0},
        {"low_stock_threshold", SPECIAL, 0},
        {"dimensions_mm", SPECIAL, 0},
        {"prices", SPECIAL, 0},
        {"stock", SPECIAL, 0},
        {"id", READ_ONLY, 0},
        {"version", READ_ONLY, 0},
        {"created_at", READ_ONLY, 0},
        {"updated_at", READ_ONLY, 0},
        {"stock_state", READ_ONLY, 0},
        {NULL, READ_ONLY, 0},
    };
    if (mode == SOUK_CATALOG_CREATE) {
        memset(v, 0, sizeof *v);
        v->weight_grams = v->length_mm = v->width_mm = v->height_mm = SOUK_CATALOG_UNSET;
        v->low_stock_threshold = SOUK_CATALOG_UNSET;
    }
    struct variant_ctx ctx = {v, mode};
    int rc = decode_object(pool, in, fields, v, prefix, variant_special, &ctx, err);
    if (rc == SOUK_OK && mode == SOUK_CATALOG_CREATE)
        rc = require(in,
                     standalone_create ? (const char *[]){"product_id", "sku", NULL}
                                       : (const char *[]){"sku", NULL},
                     prefix, err);
    return rc;
}

/* ---- products ---- */

static int decode_tag(struct souk_pool *pool, json_t *in, void *item, const char *param,
                      struct souk_err *err)
{
    return take_text(pool, in, param, false, item, err);
}

static int decode_translation(struct souk_pool *pool, json_t *in, struct souk_translation *t,
                              const char *param, struct souk_err *err)
{
    static const struct field fields[] = {
        {"title", TEXT, offsetof(struct souk_translation, title)},
        {"description", TEXT, offsetof(struct souk_translation, description)},
        {NULL, READ_ONLY, 0},
    };
    return decode_object(pool, in, fields, t, param, NULL, NULL, err);
}

/* {"de": {"title": ...}, ...} onto *out (pool memory); null means none. */
static int decode_translations(struct souk_pool *pool, json_t *in, struct souk_translation **out,
                               size_t *count, const char *param, struct souk_err *err)
{
    char item[SOUK_CATALOG__PARAM_MAX];
    *count = 0;
    if (json_is_null(in))
        return SOUK_OK;
    if (!json_is_object(in))
        return type_error(param, "an object keyed by locale, such as {\"de\": {\"title\": ...}}",
                          err);
    size_t n = json_object_size(in);
    if (n > MAX_ARRAY)
        return souk_err_set(err, SOUK_EINVAL, param, "%s has too many locales", param);
    *out = souk_pool_alloc(pool, (n ? n : 1) * sizeof **out);
    const char *locale;
    json_t *value;
    json_object_foreach(in, locale, value)
    {
        struct souk_translation *t = &(*out)[(*count)++];
        t->locale = souk_pool_strdup(pool, locale);
        int rc = decode_translation(pool, value, t,
                                    souk_catalog__param(item, "", "%s.%.40s", param, locale), err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int media_special(struct souk_pool *pool, const char *key, json_t *value, void *ctx,
                         const char *param, struct souk_err *err)
{
    struct souk_media *m = ctx;
    return take_int(value, param, true, &m->position, err);
}

static int decode_media_item(struct souk_pool *pool, json_t *in, void *item, const char *param,
                             struct souk_err *err)
{
    static const struct field fields[] = {
        {"url", TEXT_NOT_NULL, offsetof(struct souk_media, url)},
        {"alt", TEXT, offsetof(struct souk_media, alt)},
        {"position", SPECIAL, 0},
        {NULL, READ_ONLY, 0},
    };
    struct souk_media *m = item;
    int rc = decode_object(pool, in, fields, m, param, media_special, m, err);
    if (rc == SOUK_OK)
        rc = require(in, (const char *[]){"url", NULL}, param, err);
    if (m->position == SOUK_CATALOG_UNSET)
        m->position = 0;
    return rc;
}

static int decode_variant_item(struct souk_pool *pool, json_t *in, void *item,
                               const char *param, struct souk_err *err)
{
    return souk_catalog_variant_decode(pool, in, SOUK_CATALOG_CREATE, item, param, err);
}

struct product_ctx {
    struct souk_product *p;
    enum souk_catalog_decode_mode mode;
};

static int product_special(struct souk_pool *pool, const char *key, json_t *value, void *base,
                           const char *param, struct souk_err *err)
{
    struct product_ctx *ctx = base;
    struct souk_product *p = ctx->p;
    if (strcmp(key, "options") == 0)
        return decode_option_values(pool, value, p->option_names, param, err);
    if (strcmp(key, "translations") == 0)
        return decode_translations(pool, value, &p->translations, &p->ntranslations, param, err);
    void *items = NULL;
    int rc;
    if (strcmp(key, "preorder_ships_at") == 0) {
        int64_t at = 0;
        rc = take_time(value, param, &at, err);
        p->preorder_ships_at = at == SOUK_CATALOG_UNSET ? 0 : at; /* null: not a pre-order */
        return rc;
    }
    if (strcmp(key, "tags") == 0) {
        rc = decode_array(pool, value, param, sizeof *p->tags, decode_tag, &items, &p->ntags, err);
        p->tags = items;
        return rc;
    }
    if (strcmp(key, "media") == 0) {
        rc = decode_array(pool, value, param, sizeof *p->media, decode_media_item, &items,
                          &p->nmedia, err);
        p->media = items;
        return rc;
    }
    /* variants */
    if (ctx->mode == SOUK_CATALOG_PATCH)
        return souk_err_set(err, SOUK_EINVAL, param,
                            "variants change through /v1/variants, not the product");
    rc = decode_array(pool, value, param, sizeof *p->variants, decode_variant_item, &items,
                      &p->nvariants, err);
    p->variants = items;
    return rc;
}

#define PRODUCT_TEXT(name, member) {name, TEXT, offsetof(struct souk_product, member)}
#define PRODUCT_REQUIRED(name, member) {name, TEXT_NOT_NULL, offsetof(struct souk_product, member)}

int souk_catalog_product_decode(struct souk_pool *pool, json_t *in,
                                enum souk_catalog_decode_mode mode, struct souk_product *p,
                                struct souk_err *err)
{
    static const struct field fields[] = {
        PRODUCT_REQUIRED("handle", handle),
        PRODUCT_REQUIRED("status", status),
        PRODUCT_REQUIRED("title", title),
        PRODUCT_TEXT("description", description),
        PRODUCT_TEXT("brand", brand),
        PRODUCT_TEXT("vendor", vendor),
        PRODUCT_TEXT("product_type", product_type),
        PRODUCT_TEXT("google_product_category", google_product_category),
        PRODUCT_REQUIRED("condition", condition),
        PRODUCT_REQUIRED("inventory_policy", inventory_policy),
        {"preorder_ships_at", SPECIAL, 0},
        {"options", SPECIAL, 0},
        {"tags", SPECIAL, 0},
        {"translations", SPECIAL, 0},
        {"media", SPECIAL, 0},
        {"variants", SPECIAL, 0},
        {"id", READ_ONLY, 0},
        {"version", READ_ONLY, 0},
        {"created_at", READ_ONLY, 0},
        {"updated_at", READ_ONLY, 0},
        {"locale", READ_ONLY, 0},
        {"collections", READ_ONLY, 0},
        {NULL, READ_ONLY, 0},
    };
    if (mode == SOUK_CATALOG_CREATE)
        memset(p, 0, sizeof *p);
    struct product_ctx ctx = {p, mode};
    int rc = decode_object(pool, in, fields, p, "", product_special, &ctx, err);
    if (rc == SOUK_OK && mode == SOUK_CATALOG_CREATE)
        rc = require(in, (const char *[]){"title", NULL}, "", err);
    return rc;
}

/* ---- warehouses ---- */

int souk_catalog_warehouse_decode(struct souk_pool *pool, json_t *in,
                                  enum souk_catalog_decode_mode mode, struct souk_warehouse *w,
                                  struct souk_err *err)
{
    static const struct field fields[] = {
        {"code", TEXT_NOT_NULL, offsetof(struct souk_warehouse, code)},
        {"name", TEXT_NOT_NULL, offsetof(struct souk_warehouse, name)},
        {"country", TEXT_NOT_NULL, offsetof(struct souk_warehouse, country)},
        {"id", READ_ONLY, 0},
        {"version", READ_ONLY, 0},
        {"created_at", READ_ONLY, 0},
        {"updated_at", READ_ONLY, 0},
        {NULL, READ_ONLY, 0},
    };
    if (mode == SOUK_CATALOG_CREATE)
        memset(w, 0, sizeof *w);
    int rc = decode_object(pool, in, fields, w, "", NULL, NULL, err);
    if (rc == SOUK_OK && mode == SOUK_CATALOG_CREATE)
        rc = require(in, (const char *[]){"code", "name", "country", NULL}, "", err);
    return rc;
}

/* ---- collections ---- */

static int decode_product_id(struct souk_pool *pool, json_t *in, void *item, const char *param,
                             struct souk_err *err)
{
    return take_text(pool, in, param, false, item, err);
}

int souk_catalog_product_ids_decode(struct souk_pool *pool, json_t *in, const char *param,
                                    char ***ids, size_t *n, struct souk_err *err)
{
    if (!json_is_array(in))
        return type_error(param, "an array of product ids", err);
    if (json_array_size(in) > SOUK_CATALOG_MAX_MEMBERS)
        return souk_err_set(err, SOUK_EINVAL, param, "a collection holds at most %d products",
                            SOUK_CATALOG_MAX_MEMBERS);
    void *items = NULL;
    int rc = decode_array(pool, in, param, sizeof **ids, decode_product_id, &items, n, err);
    *ids = items;
    return rc;
}

struct collection_ctx {
    struct souk_collection *col;
    enum souk_catalog_decode_mode mode;
};

static int collection_special(struct souk_pool *pool, const char *key, json_t *value, void *base,
                              const char *param, struct souk_err *err)
{
    struct collection_ctx *ctx = base;
    if (strcmp(key, "translations") == 0)
        return decode_translations(pool, value, &ctx->col->translations, &ctx->col->ntranslations,
                                   param, err);
    /* product_ids */
    if (ctx->mode == SOUK_CATALOG_PATCH)
        return souk_err_set(err, SOUK_EINVAL, param,
                            "members change through PUT, POST or DELETE on "
                            "/v1/collections/{id}/products");
    return souk_catalog_product_ids_decode(pool, value, param, &ctx->col->product_ids,
                                           &ctx->col->nproducts, err);
}

int souk_catalog_collection_decode(struct souk_pool *pool, json_t *in,
                                   enum souk_catalog_decode_mode mode, struct souk_collection *col,
                                   struct souk_err *err)
{
    static const struct field fields[] = {
        {"handle", TEXT_NOT_NULL, offsetof(struct souk_collection, handle)},
        {"title", TEXT_NOT_NULL, offsetof(struct souk_collection, title)},
        {"description", TEXT, offsetof(struct souk_collection, description)},
        {"translations", SPECIAL, 0},
        {"product_ids", SPECIAL, 0},
        {"id", READ_ONLY, 0},
        {"version", READ_ONLY, 0},
        {"created_at", READ_ONLY, 0},
        {"updated_at", READ_ONLY, 0},
        {NULL, READ_ONLY, 0},
    };
    if (mode == SOUK_CATALOG_CREATE)
        memset(col, 0, sizeof *col);
    struct collection_ctx ctx = {col, mode};
    int rc = decode_object(pool, in, fields, col, "", collection_special, &ctx, err);
    if (rc == SOUK_OK && mode == SOUK_CATALOG_CREATE)
        rc = require(in, (const char *[]){"title", NULL}, "", err);
    return rc;
}

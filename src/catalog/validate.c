/* validate: the catalog's rules that need no store, applied on every path (API and imports). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "core/gtin.h"
#include "core/id.h"
#include "core/locale.h"
#include "core/money.h"

const char *souk_catalog__param(char out[SOUK_CATALOG__PARAM_MAX], const char *prefix,
                                const char *fmt, ...)
{
    int n = prefix && *prefix ? snprintf(out, SOUK_CATALOG__PARAM_MAX, "%s.", prefix) : 0;
    if (n < 0 || n >= SOUK_CATALOG__PARAM_MAX)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, SOUK_CATALOG__PARAM_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return out;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

int souk_catalog__check_text(const char *value, const char *param, size_t max,
                             enum souk_catalog__text_flags flags, struct souk_err *err)
{
    if (!value || is_blank(value))
        return (flags & SOUK_CATALOG__REQUIRED)
                   ? souk_err_set(err, SOUK_EINVAL, param, "%s is required and cannot be blank",
                                  param)
                   : SOUK_OK;
    size_t len = strlen(value);
    if (len > max)
        return souk_err_set(err, SOUK_EINVAL, param, "%s is %zu bytes long; the limit is %zu",
                            param, len, max);
    if (!souk_str_is_utf8((struct souk_str){value, len}))
        return souk_err_set(err, SOUK_EINVAL, param, "%s is not valid UTF-8", param);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        bool allowed = (flags & SOUK_CATALOG__MULTILINE) && (c == '\t' || c == '\n' || c == '\r');
        if ((c < 0x20 || c == 0x7f) && !allowed)
            return souk_err_set(err, SOUK_EINVAL, param,
                                "%s contains a control character (byte %zu)", param, i);
    }
    return SOUK_OK;
}

static bool is_slug_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* "Linen Shirt (Blue)" -> "linen-shirt-blue"; falls back to "<kind>-<id tail>". */
static char *slug_from_title(struct souk_pool *pool, const char *title, const char *kind)
{
    size_t len = strlen(title), n = 0;
    if (len > SOUK_CATALOG__TEXT_MAX)
        len = SOUK_CATALOG__TEXT_MAX;
    char *out = souk_pool_alloc(pool, len + 1);
    for (size_t i = 0; i < len; i++) {
        char c = title[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
        else if (n > 0 && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n > 0)
        return out;
    char id[SOUK_ID_MAX];
    souk_id_new(kind, id);
    for (char *c = id; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return souk_pool_strdup(pool, id);
}

/* A handle becomes part of URLs (the shop's, the platforms'): a slug, made from the title
 * (title must be checked already) when none is given. kind names the owner in messages. */
static int check_handle(struct souk_pool *pool, char **handle, const char *title, const char *kind,
                        struct souk_err *err)
{
    if (!*handle) {
        *handle = slug_from_title(pool, title, kind);
        return SOUK_OK;
    }
    size_t len = strlen(*handle);
    if (len == 0 || len > SOUK_CATALOG__HANDLE_MAX)
        return souk_err_set(err, SOUK_EINVAL, "handle", "handle must be 1 to %d characters",
                            SOUK_CATALOG__HANDLE_MAX);
    for (size_t i = 0; i < len; i++)
        if (!is_slug_char((*handle)[i]))
            return souk_err_set(err, SOUK_EINVAL, "handle",
                                "handle may hold only lowercase letters, digits, '-' and '_' "
                                "(it becomes part of %s URLs)",
                                kind);
    return SOUK_OK;
}

static int check_one_of(const char **value, const char *fallback, const char *const *allowed,
                        const char *param, const char *list, struct souk_err *err)
{
    if (!*value) {
        *value = fallback;
        return SOUK_OK;
    }
    for (; *allowed; allowed++)
        if (strcmp(*value, *allowed) == 0)
            return SOUK_OK;
    return souk_err_set(err, SOUK_EINVAL, param, "%s must be one of %s", param, list);
}

static int check_product_texts(struct souk_product *p, struct souk_err *err)
{
    struct {
        const char *value, *param;
        size_t max;
        enum souk_catalog__text_flags flags;
    } texts[] = {
        {p->title, "title", SOUK_CATALOG__TEXT_MAX, SOUK_CATALOG__REQUIRED},
        {p->description, "description", SOUK_CATALOG__DESCRIPTION_MAX, SOUK_CATALOG__MULTILINE},
        {p->brand, "brand", SOUK_CATALOG__TEXT_MAX, 0},
        {p->vendor, "vendor", SOUK_CATALOG__TEXT_MAX, 0},
        {p->product_type, "product_type", SOUK_CATALOG__TEXT_MAX, 0},
        {p->google_product_category, "google_product_category", SOUK_CATALOG__TEXT_MAX, 0},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int rc = souk_catalog__check_text(texts[i].value, texts[i].param, texts[i].max,
                                          texts[i].flags, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int check_options(struct souk_product *p, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++) {
        const char *name = p->option_names[i];
        souk_catalog__param(param, "", "options[%d]", i);
        if (!name)
            continue;
        if (i > 0 && !p->option_names[i - 1])
            return souk_err_set(err, SOUK_EINVAL, param, "options must be filled in order");
        int rc = souk_catalog__check_text(name, param, SOUK_CATALOG__TEXT_MAX,
                                          SOUK_CATALOG__REQUIRED, err);
        if (rc != SOUK_OK)
            return rc;
        for (int j = 0; j < i; j++)
            if (strcmp(p->option_names[j], name) == 0)
                return souk_err_set(err, SOUK_EINVAL, param, "option \"%.64s\" is listed twice",
                                    name);
    }
    return SOUK_OK;
}

static int check_tags(struct souk_product *p, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (p->ntags > SOUK_CATALOG__MAX_TAGS)
        return souk_err_set(err, SOUK_EINVAL, "tags", "a product has at most %d tags",
                            SOUK_CATALOG__MAX_TAGS);
    size_t kept = 0;
    for (size_t i = 0; i < p->ntags; i++) {
        souk_catalog__param(param, "", "tags[%zu]", i);
        int rc = souk_catalog__check_text(p->tags[i], param, SOUK_CATALOG__TEXT_MAX,
                                          SOUK_CATALOG__REQUIRED, err);
        if (rc != SOUK_OK)
            return rc;
        bool seen = false; /* a repeated tag means the same thing: keep one */
        for (size_t j = 0; j < kept && !seen; j++)
            seen = strcmp(p->tags[j], p->tags[i]) == 0;
        if (!seen)
            p->tags[kept++] = p->tags[i];
    }
    p->ntags = kept;
    return SOUK_OK;
}

/* Translations of a product's or a collection's (kind) title and description. */
static int check_translations(struct souk_pool *pool, struct souk_translation *translations,
                              size_t n, const char *kind, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (n > SOUK_CATALOG__MAX_TRANSLATIONS)
        return souk_err_set(err, SOUK_EINVAL, "translations", "a %s has at most %d translations",
                            kind, SOUK_CATALOG__MAX_TRANSLATIONS);
    for (size_t i = 0; i < n; i++) {
        struct souk_translation *t = &translations[i];
        souk_catalog__param(param, "", "translations.%.40s", t->locale ? t->locale : "");
        char canonical[SOUK_LOCALE_MAX];
        if (!t->locale || souk_locale_canonicalize(souk_str_from(t->locale), canonical))
            return souk_locale_check(souk_str_from(t->locale), param, err);
        if (strcmp(canonical, SOUK_CATALOG_DEFAULT_LOCALE) == 0)
            return souk_err_set(err, SOUK_EINVAL, param,
                                "the default locale (%s) is the %s's own title and "
                                "description, not a translation",
                                SOUK_CATALOG_DEFAULT_LOCALE, kind);
        if (strcmp(t->locale, canonical) != 0)
            t->locale = souk_pool_strdup(pool, canonical);
        for (size_t j = 0; j < i; j++)
            if (strcmp(translations[j].locale, t->locale) == 0)
                return souk_err_set(err, SOUK_EINVAL, param, "locale %s is translated twice",
                                    t->locale);
        if (!t->title && !t->description)
            return souk_err_set(err, SOUK_EINVAL, param,
                                "a translation needs a title, a description or both");
        char field[SOUK_CATALOG__PARAM_MAX];
        int rc = souk_catalog__check_text(t->title, souk_catalog__param(field, param, "title"),
                                          SOUK_CATALOG__TEXT_MAX, 0, err);
        if (rc == SOUK_OK)
            rc = souk_catalog__check_text(t->description,
                                          souk_catalog__param(field, param, "description"),
                                          SOUK_CATALOG__DESCRIPTION_MAX, SOUK_CATALOG__MULTILINE,
                                          err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int check_url(const char *url, const char *param, struct souk_err *err)
{
    int rc = souk_catalog__check_text(url, param, SOUK_CATALOG__URL_MAX, SOUK_CATALOG__REQUIRED,
                                      err);
    if (rc != SOUK_OK)
        return rc;
    if (!souk_str_is_http_url(souk_str_from(url)) || strpbrk(url, "\\^`{|}"))
        return souk_err_set(err, SOUK_EINVAL, param,
                            "%s must be an absolute http(s) URL without spaces", param);
    return SOUK_OK;
}

static int by_position(const void *a, const void *b)
{
    const struct souk_media *x = a, *y = b;
    /* Unpositioned media (0) go last; equal positions keep their order via the index tie. */
    int64_t px = x->position > 0 ? x->position : INT64_MAX;
    int64_t py = y->position > 0 ? y->position : INT64_MAX;
    return px < py ? -1 : px > py ? 1 : 0;
}

static int check_media(struct souk_product *p, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX], field[SOUK_CATALOG__PARAM_MAX];
    if (p->nmedia > SOUK_CATALOG__MAX_MEDIA)
        return souk_err_set(err, SOUK_EINVAL, "media", "a product has at most %d media",
                            SOUK_CATALOG__MAX_MEDIA);
    for (size_t i = 0; i < p->nmedia; i++) {
        struct souk_media *m = &p->media[i];
        souk_catalog__param(param, "", "media[%zu]", i);
        if (m->position < 0 || m->position > SOUK_CATALOG__MAX_MEDIA)
            return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "position"),
                                "position must be between 1 and %d", SOUK_CATALOG__MAX_MEDIA);
        int rc = check_url(m->url, souk_catalog__param(field, param, "url"), err);
        if (rc == SOUK_OK)
            rc = souk_catalog__check_text(m->alt, souk_catalog__param(field, param, "alt"),
                                          SOUK_CATALOG__ALT_MAX, 0, err);
        if (rc != SOUK_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->media[j].url, m->url) == 0)
                return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "url"),
                                    "this URL is already media[%zu]", j);
    }
    /* qsort is not stable: fold the original index into the key so equal positions keep
     * their order. */
    for (size_t i = 0; i < p->nmedia; i++)
        if (p->media[i].position > 0)
            p->media[i].position = p->media[i].position * (SOUK_CATALOG__MAX_MEDIA + 1) +
                                   (int64_t)i;
    if (p->nmedia > 1)
        qsort(p->media, p->nmedia, sizeof *p->media, by_position);
    for (size_t i = 0; i < p->nmedia; i++)
        p->media[i].position = (int64_t)i + 1;
    return SOUK_OK;
}

/* A pre-order ships on a date, and only a pre-order has one. */
static int check_inventory_policy(struct souk_product *p, struct souk_err *err)
{
    static const char *const policies[] = {"deny", "backorder", "preorder", NULL};
    int rc = check_one_of((const char **)&p->inventory_policy, "deny", policies, "inventory_policy",
                          "deny, backorder or preorder", err);
    bool preorder = rc == SOUK_OK && strcmp(p->inventory_policy, "preorder") == 0;
    if (preorder && p->preorder_ships_at == 0)
        return souk_err_set(err, SOUK_EINVAL, "preorder_ships_at",
                            "preorder_ships_at is required when inventory_policy is preorder: "
                            "when the product ships, such as 2026-12-01T00:00:00Z");
    if (rc == SOUK_OK && !preorder && p->preorder_ships_at != 0)
        return souk_err_set(err, SOUK_EINVAL, "preorder_ships_at",
                            "preorder_ships_at is only for inventory_policy preorder (this "
                            "product's is %s): set it to null",
                            p->inventory_policy);
    return rc;
}

int souk_catalog__check_product(struct souk_pool *pool, struct souk_product *p,
                                struct souk_err *err)
{
    static const char *const statuses[] = {"draft", "active", "archived", NULL};
    static const char *const conditions[] = {"new", "refurbished", "used", NULL};
    int rc = check_product_texts(p, err);
    if (rc == SOUK_OK)
        rc = check_handle(pool, &p->handle, p->title, "product", err);
    if (rc == SOUK_OK)
        rc = check_one_of((const char **)&p->status, "active", statuses, "status",
                          "draft, active or archived", err);
    if (rc == SOUK_OK)
        rc = check_one_of((const char **)&p->condition, "new", conditions, "condition",
                          "new, refurbished or used", err);
    if (rc == SOUK_OK)
        rc = check_inventory_policy(p, err);
    if (rc == SOUK_OK)
        rc = check_options(p, err);
    if (rc == SOUK_OK)
        rc = check_tags(p, err);
    if (rc == SOUK_OK)
        rc = check_translations(pool, p->translations, p->ntranslations, "product", err);
    if (rc == SOUK_OK)
        rc = check_media(p, err);
    return rc;
}

int souk_catalog__check_collection(struct souk_pool *pool, struct souk_collection *col,
                                   struct souk_err *err)
{
    int rc = souk_catalog__check_text(col->title, "title", SOUK_CATALOG__TEXT_MAX,
                                      SOUK_CATALOG__REQUIRED, err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_text(col->description, "description",
                                      SOUK_CATALOG__DESCRIPTION_MAX, SOUK_CATALOG__MULTILINE, err);
    if (rc == SOUK_OK)
        rc = check_handle(pool, &col->handle, col->title, "collection", err);
    if (rc == SOUK_OK)
        rc = check_translations(pool, col->translations, col->ntranslations, "collection", err);
    return rc;
}

int souk_catalog__check_members(char *const *ids, size_t n, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (n > SOUK_CATALOG_MAX_MEMBERS)
        return souk_err_set(err, SOUK_EINVAL, "product_ids",
                            "a collection holds at most %d products", SOUK_CATALOG_MAX_MEMBERS);
    for (size_t i = 0; i < n; i++) {
        souk_catalog__param(param, "", "product_ids[%zu]", i);
        if (!ids[i] || !*ids[i] || strlen(ids[i]) >= SOUK_ID_MAX)
            return souk_err_set(err, SOUK_EINVAL, param, "%s must be a product id such as prod_...",
                                param);
    }
    return SOUK_OK;
}

static int check_measure(int64_t value, const char *prefix, const char *field,
                         struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (value == SOUK_CATALOG_UNSET || (value >= 0 && value <= SOUK_CATALOG__MAX_MEASURE))
        return SOUK_OK;
    souk_catalog__param(param, prefix, "%s", field);
    return souk_err_set(err, SOUK_EINVAL, param, "%s must be between 0 and %lld", param,
                        (long long)SOUK_CATALOG__MAX_MEASURE);
}

static int check_price(struct souk_price *pr, const char *param, struct souk_err *err)
{
    char field[SOUK_CATALOG__PARAM_MAX];
    if (!souk_money_currency((struct souk_str){pr->currency, strnlen(pr->currency, 4)}))
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "currency"),
                            "unknown currency \"%.3s\": use an ISO 4217 code such as EUR, USD "
                            "or JPY",
                            pr->currency);
    if (pr->amount < 0 || pr->amount > SOUK_CATALOG__MAX_AMOUNT)
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "amount"),
                            "amount must be between 0 and %lld minor units",
                            (long long)SOUK_CATALOG__MAX_AMOUNT);
    if (pr->compare_at != SOUK_CATALOG_UNSET &&
        (pr->compare_at < pr->amount || pr->compare_at > SOUK_CATALOG__MAX_AMOUNT))
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "compare_at"),
                            "compare_at must be at least the amount (%lld)",
                            (long long)pr->amount);
    if (pr->sale_amount == SOUK_CATALOG_UNSET) {
        if (pr->sale_starts_at != SOUK_CATALOG_UNSET || pr->sale_ends_at != SOUK_CATALOG_UNSET)
            return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "sale"),
                                "a sale window needs a sale amount");
        return SOUK_OK;
    }
    if (pr->sale_amount < 0 || pr->sale_amount >= pr->amount)
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "sale.amount"),
                            "the sale amount must be below the amount (%lld)",
                            (long long)pr->amount);
    if (pr->sale_starts_at != SOUK_CATALOG_UNSET && pr->sale_ends_at != SOUK_CATALOG_UNSET &&
        pr->sale_ends_at <= pr->sale_starts_at)
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(field, param, "sale.ends_at"),
                            "the sale must end after it starts");
    return SOUK_OK;
}

static int check_prices(struct souk_variant *v, const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (v->nprices > SOUK_CATALOG__MAX_PRICES)
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(param, prefix, "prices"),
                            "a variant has at most %d prices", SOUK_CATALOG__MAX_PRICES);
    for (size_t i = 0; i < v->nprices; i++) {
        souk_catalog__param(param, prefix, "prices[%zu]", i);
        int rc = check_price(&v->prices[i], param, err);
        if (rc != SOUK_OK)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(v->prices[j].currency, v->prices[i].currency) == 0)
                return souk_err_set(err, SOUK_EINVAL, param, "%s is priced twice",
                                    v->prices[i].currency);
    }
    return SOUK_OK;
}

static int check_variant_options(const struct souk_product *p, struct souk_variant *v,
                                 const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++) {
        souk_catalog__param(param, prefix, "option_values[%d]", i);
        if (!p->option_names[i] && v->options[i])
            return souk_err_set(err, SOUK_EINVAL, param,
                                "the product has %d option(s), so this value has no option", i);
        if (!p->option_names[i])
            continue;
        if (!v->options[i])
            return souk_err_set(err, SOUK_EINVAL, param, "a value for option \"%.64s\" is required",
                                p->option_names[i]);
        int rc = souk_catalog__check_text(v->options[i], param, SOUK_CATALOG__TEXT_MAX,
                                          SOUK_CATALOG__REQUIRED, err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int check_variant_image(const struct souk_product *p, struct souk_variant *v,
                               const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (!v->image_url)
        return SOUK_OK;
    souk_catalog__param(param, prefix, "image_url");
    int rc = check_url(v->image_url, param, err);
    if (rc != SOUK_OK)
        return rc;
    for (size_t i = 0; i < p->nmedia; i++)
        if (strcmp(p->media[i].url, v->image_url) == 0)
            return SOUK_OK;
    return souk_err_set(err, SOUK_EUNPROC, param,
                        "image_url must be one of the product's media URLs: add it to the "
                        "product's media first");
}

static int check_variant_texts(struct souk_variant *v, const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    int rc = souk_catalog__check_text(v->sku, souk_catalog__param(param, prefix, "sku"),
                                      SOUK_CATALOG__SKU_MAX, SOUK_CATALOG__REQUIRED, err);
    if (rc == SOUK_OK && v->gtin)
        rc = souk_gtin_check(souk_str_from(v->gtin), souk_catalog__param(param, prefix, "gtin"),
                             err);
    if (rc == SOUK_OK)
        rc = souk_catalog__check_text(v->mpn, souk_catalog__param(param, prefix, "mpn"),
                                      SOUK_CATALOG__MPN_MAX, 0, err);
    return rc;
}

int souk_catalog__check_variant(const struct souk_product *p, struct souk_variant *v,
                                const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    int rc = check_variant_texts(v, prefix, err);
    if (rc == SOUK_OK)
        rc = check_variant_options(p, v, prefix, err);
    if (rc == SOUK_OK && (v->position < 0 || v->position > SOUK_CATALOG__MAX_VARIANTS))
        rc = souk_err_set(err, SOUK_EINVAL, souk_catalog__param(param, prefix, "position"),
                          "position must be between 1 and %d", SOUK_CATALOG__MAX_VARIANTS);
    if (rc == SOUK_OK)
        rc = check_measure(v->weight_grams, prefix, "weight_grams", err);
    if (rc == SOUK_OK)
        rc = check_measure(v->length_mm, prefix, "dimensions_mm.length", err);
    if (rc == SOUK_OK)
        rc = check_measure(v->width_mm, prefix, "dimensions_mm.width", err);
    if (rc == SOUK_OK)
        rc = check_measure(v->height_mm, prefix, "dimensions_mm.height", err);
    if (rc == SOUK_OK && v->low_stock_threshold != SOUK_CATALOG_UNSET)
        rc = souk_catalog__check_quantity(
            v->low_stock_threshold, souk_catalog__param(param, prefix, "low_stock_threshold"), err);
    if (rc == SOUK_OK)
        rc = check_variant_image(p, v, prefix, err);
    if (rc == SOUK_OK)
        rc = check_prices(v, prefix, err);
    if (rc == SOUK_OK && v->nstock > SOUK_CATALOG__MAX_STOCK)
        rc = souk_err_set(err, SOUK_EINVAL, souk_catalog__param(param, prefix, "stock"),
                          "a variant is stocked in at most %d warehouses",
                          SOUK_CATALOG__MAX_STOCK);
    for (size_t i = 0; rc == SOUK_OK && i < v->nstock; i++)
        rc = souk_catalog__check_quantity(v->stock[i].on_hand,
                                          souk_catalog__param(param, prefix,
                                                              "stock[%zu].on_hand", i),
                                          err);
    return rc;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

int souk_catalog__check_siblings(const struct souk_variant *a, const struct souk_variant *b,
                                 const char *prefix, struct souk_err *err)
{
    char param[SOUK_CATALOG__PARAM_MAX];
    if (strcmp(a->sku, b->sku) == 0)
        return souk_err_set(err, SOUK_ECONFLICT, souk_catalog__param(param, prefix, "sku"),
                            "SKU %.100s is used twice in this product", a->sku);
    bool same = true;
    for (int i = 0; i < SOUK_CATALOG_OPTIONS && same; i++)
        same = same_text(a->options[i], b->options[i]);
    if (same)
        return souk_err_set(err, SOUK_EINVAL, souk_catalog__param(param, prefix, "option_values"),
                            "another variant of this product has the same option values");
    return SOUK_OK;
}

int souk_catalog__check_warehouse(struct souk_warehouse *w, struct souk_err *err)
{
    size_t len = w->code ? strlen(w->code) : 0;
    if (len == 0 || len > 64)
        return souk_err_set(err, SOUK_EINVAL, "code", "code must be 1 to 64 characters");
    for (size_t i = 0; i < len; i++)
        if (!is_slug_char(w->code[i]))
            return souk_err_set(err, SOUK_EINVAL, "code",
                                "code may hold only lowercase letters, digits, '-' and '_'");
    int rc = souk_catalog__check_text(w->name, "name", SOUK_CATALOG__TEXT_MAX,
                                      SOUK_CATALOG__REQUIRED, err);
    if (rc != SOUK_OK)
        return rc;
    if (!w->country || !souk_country_is_valid(souk_str_from(w->country)))
        return souk_err_set(err, SOUK_EINVAL, "country",
                            "country must be an ISO 3166-1 alpha-2 code such as DE or US");
    return SOUK_OK;
}

int souk_catalog__check_quantity(int64_t on_hand, const char *param, struct souk_err *err)
{
    if (on_hand < 0)
        return souk_err_set(err, SOUK_EINVAL, param, "%s cannot be negative (got %lld)", param,
                            (long long)on_hand);
    if (on_hand > SOUK_CATALOG__MAX_QUANTITY)
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be at most %lld", param,
                            (long long)SOUK_CATALOG__MAX_QUANTITY);
    return SOUK_OK;
}

int souk_catalog__check_version(int64_t stored, int64_t expected, struct souk_err *err)
{
    if (expected == SOUK_CATALOG_NO_VERSION || expected == stored)
        return SOUK_OK;
    return souk_err_set(err, SOUK_EPRECOND, NULL,
                        "the resource is at version %lld, not %lld: read it again and retry",
                        (long long)stored, (long long)expected);
}

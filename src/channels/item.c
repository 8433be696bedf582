/*
 * item: a variant as one channel shows it: prices in the channel's currency, availability
 * from live stock, absolute links, plain-text description (see channels_int.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channels/channels_int.h"
#include "core/fx.h"
#include "core/money.h"
#include "core/textout.h"
#include "core/time.h"

#define MAX_ADDITIONAL_IMAGES 10 /* Meta and Google take at most 10 */
#define BASIS_POINTS 10000

int souk_channels__context_load(struct souk_db_conn *conn, struct souk_pool *pool,
                                const struct souk_channel *c, struct souk_channels__context *ctx,
                                struct souk_err *err)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->conn = conn;
    ctx->channel = c;
    ctx->connector = souk_channels__connector(c->platform);
    ctx->now_us = souk_time_now_us();
    if (!ctx->connector)
        return souk_err_set(err, SOUK_EINTERNAL, NULL, "channel %s has no connector", c->id);
    int rc = souk_channels_fx_list(conn, pool, &ctx->rates, &ctx->nrates, err);
    if (rc == SOUK_OK)
        rc = souk_inventory_channel_left(conn, pool, c->id, &ctx->allocations,
                                         &ctx->nallocations, err);
    return rc;
}

/* What the channel may sell of v: its allocation's rest if it holds one, else the shared
 * available stock. */
static int64_t sellable(const struct souk_channels__context *ctx, const struct souk_variant *v)
{
    for (size_t i = 0; i < ctx->nallocations; i++)
        if (strcmp(ctx->allocations[i].variant_id, v->id) == 0)
            return ctx->allocations[i].left;
    int64_t available = 0;
    for (size_t i = 0; i < v->nstock; i++)
        if (v->stock[i].on_hand > v->stock[i].reserved)
            available += v->stock[i].on_hand - v->stock[i].reserved;
    return available;
}

/* A selection key: true when it names nothing, or when have holds one of the names it names. */
static bool key_matches(char *const *wanted, size_t nwanted, char *const *have, size_t nhave)
{
    for (size_t i = 0; i < nwanted; i++)
        for (size_t j = 0; j < nhave; j++)
            if (strcmp(wanted[i], have[j]) == 0)
                return true;
    return nwanted == 0;
}

/* Within a key any value matches; across keys every key must (see channels.h). */
bool souk_channels__selects(const struct souk_channel *c, const struct souk_product *p)
{
    static char *const active[] = {"active"};
    char *const status[] = {p->status};
    return key_matches(c->nstatuses ? c->statuses : active, c->nstatuses ? c->nstatuses : 1, status,
                       1) &&
           key_matches(c->tags, c->ntags, p->tags, p->ntags) &&
           key_matches(c->collections, c->ncollections, p->collections, p->ncollections);
}

/* ---- prices ---- */

static const struct souk_fx_entry *find_rate(const struct souk_channels__context *ctx,
                                             const char *from)
{
    for (size_t i = 0; i < ctx->nrates; i++)
        if (strcmp(ctx->rates[i].base, from) == 0 &&
            strcmp(ctx->rates[i].quote, ctx->channel->currency) == 0)
            return &ctx->rates[i];
    return NULL;
}

/*
 * One amount in the channel's currency. A price the catalog holds in that currency is used as
 * it is (the merchant set it); otherwise the first price with a rate to that currency is
 * converted, rounded by the channel's rule. A markup then applies to either, and the rule
 * rounds the result, so "+10%, charm_99" always ends in .99.
 */
static int channel_amount(const struct souk_channels__context *ctx, const char *currency,
                          int64_t amount, int64_t *out)
{
    const struct souk_channel *c = ctx->channel;
    struct souk_str to = souk_str_from(c->currency);
    enum souk_fx_rounding rule = SOUK_FX_HALF_EVEN;
    if (souk_fx_rounding_parse(c->rounding, &rule) != SOUK_OK)
        return SOUK_EINVAL;
    if (strcmp(currency, c->currency) != 0) {
        const struct souk_fx_entry *e = find_rate(ctx, currency);
        struct souk_fx_rate rate;
        if (!e || souk_fx_rate_parse(souk_str_from(e->rate), &rate, NULL) != SOUK_OK)
            return SOUK_ENOTFOUND;
        int rc = souk_fx_convert(amount, souk_str_from(currency), to, rate,
                                 c->markup_bp ? SOUK_FX_HALF_EVEN : rule, &amount, NULL);
        if (rc != SOUK_OK)
            return rc;
    }
    if (c->markup_bp) {
        /* 10^12 * (1 + bp / 10^4) is exact in the rate's fixed point. */
        struct souk_fx_rate markup = {(uint64_t)(BASIS_POINTS + c->markup_bp) * 100000000u};
        int rc = souk_fx_convert(amount, to, to, markup, rule, &amount, NULL);
        if (rc != SOUK_OK)
            return rc;
    }
    *out = amount;
    return SOUK_OK;
}

/* The variant's price to convert when none is in the channel's currency: the first with a rate. */
static const struct souk_price *pick_price(const struct souk_channels__context *ctx,
                                          const struct souk_variant *v)
{
    for (size_t i = 0; i < v->nprices; i++)
        if (strcmp(v->prices[i].currency, ctx->channel->currency) == 0)
            return &v->prices[i];
    for (size_t i = 0; i < v->nprices; i++)
        if (find_rate(ctx, v->prices[i].currency))
            return &v->prices[i];
    return NULL;
}

static const char *money_text(struct souk_pool *pool, int64_t amount, const char *currency)
{
    const struct souk_currency *cur = souk_money_currency(souk_str_from(currency));
    struct souk_buf text = SOUK_BUF_INIT(64);
    int rc = souk_money_format(&text, amount, cur ? cur->exponent : 2);
    if (rc == SOUK_OK)
        rc = souk_buf_addf(&text, " %s", currency);
    char *out = rc == SOUK_OK ? souk_pool_strdup(pool, text.data) : NULL;
    souk_buf_release(&text);
    return out;
}

/* An ISO 8601 interval "start/end" as Meta and Google take sale_price_effective_date. */
/* An ISO 8601 time to the minute ("2027-03-01T09:30Z"): Google caps its date attributes
 * (sale_price_effective_date at 51 characters, availability_date at 25), and minutes are
 * precise enough for a sale or a ship date. */
static const char *to_the_minute(struct souk_pool *pool, int64_t us)
{
    char text[SOUK_TIME_RFC3339_MAX];
    souk_time_format(us, text);
    text[16] = '\0';
    return souk_pool_printf(pool, "%sZ", text);
}

static const char *sale_dates(struct souk_pool *pool, const struct souk_price *pr)
{
    if (pr->sale_starts_at == SOUK_CATALOG_UNSET)
        return NULL;
    return souk_pool_printf(
        pool, "%s/%s", to_the_minute(pool, pr->sale_starts_at),
        pr->sale_ends_at == SOUK_CATALOG_UNSET ? "" : to_the_minute(pool, pr->sale_ends_at));
}

static void set_prices(const struct souk_channels__context *ctx, struct souk_pool *pool,
                       const struct souk_variant *v, struct souk_channels__item *it)
{
    const char *currency = ctx->channel->currency;
    it->price_minor = SOUK_CATALOG_UNSET;
    if (ctx->channel->price_list) {
        /* A fixed price is the price: no conversion, markup or rounding. */
        struct souk_err err = SOUK_ERR_INIT;
        int64_t fixed;
        int rc = souk_channels__list_price(ctx->conn, ctx->channel->price_list, v->id, &fixed,
                                           &err);
        if (rc < 0) {
            it->price_problem = "the price list could not be read";
            return;
        }
        if (rc == 1) {
            it->price_minor = fixed;
            it->values[SOUK_CHANNELS__PRICE] = money_text(pool, fixed, currency);
            return;
        }
    }
    const struct souk_price *pr = pick_price(ctx, v);
    if (!pr) {
        it->price_problem = v->nprices
                                ? souk_pool_printf(pool,
                                                   "no %s price and no FX rate from %s to %s: "
                                                   "add one with PUT /v1/fx_rates/%s/%s",
                                                   currency, v->prices[0].currency, currency,
                                                   v->prices[0].currency, currency)
                                : "the variant has no price";
        return;
    }
    int64_t amount;
    if (channel_amount(ctx, pr->currency, pr->amount, &amount) != SOUK_OK) {
        it->price_problem = souk_pool_printf(pool, "the %s price cannot be converted to %s",
                                             pr->currency, currency);
        return;
    }
    it->price_minor = amount;
    it->values[SOUK_CHANNELS__PRICE] = money_text(pool, amount, currency);
    bool sale_over = pr->sale_ends_at != SOUK_CATALOG_UNSET && pr->sale_ends_at <= ctx->now_us;
    int64_t sale;
    if (pr->sale_amount != SOUK_CATALOG_UNSET && !sale_over &&
        channel_amount(ctx, pr->currency, pr->sale_amount, &sale) == SOUK_OK && sale < amount) {
        it->values[SOUK_CHANNELS__SALE_PRICE] = money_text(pool, sale, currency);
        it->values[SOUK_CHANNELS__SALE_DATES] = sale_dates(pool, pr);
    }
}

/* ---- links, images, text ---- */

/* Appends s percent-encoded for a URL path or query (RFC 3986 unreserved bytes stay). */
static void add_url_encoded(struct souk_buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int rc = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                         ch == '-' || ch == '.' || ch == '_' || ch == '~'
                     ? souk_buf_addch(out, (char)ch)
                     : souk_buf_addf(out, "%%%02X", ch);
        (void)rc; /* the link is checked against its cap by the validator */
    }
}

/* Expands {handle}, {sku} and {product_id} in the channel's link template. */
static const char *product_link(struct souk_pool *pool, const char *tmpl,
                                const struct souk_product *p, const struct souk_variant *v)
{
    struct souk_buf out = SOUK_BUF_INIT(4096);
    for (const char *s = tmpl; *s; s++) {
        const char *value = NULL;
        size_t skip = 0;
        if (strncmp(s, "{handle}", 8) == 0)
            value = p->handle, skip = 8;
        else if (strncmp(s, "{sku}", 5) == 0)
            value = v->sku, skip = 5;
        else if (strncmp(s, "{product_id}", 12) == 0)
            value = p->id, skip = 12;
        if (value) {
            add_url_encoded(&out, value);
            s += skip - 1;
        } else if (souk_buf_addch(&out, *s) != SOUK_OK) {
            break;
        }
    }
    char *link = souk_pool_strdup(pool, out.data);
    souk_buf_release(&out);
    return link;
}

static void set_images(struct souk_pool *pool, const struct souk_product *p,
                       const struct souk_variant *v, struct souk_channels__item *it)
{
    const char *main = v->image_url;
    for (size_t i = 0; !main && i < p->nmedia; i++)
        main = p->media[i].url;
    it->values[SOUK_CHANNELS__IMAGE_LINK] = main;
    struct souk_buf more = SOUK_BUF_INIT(64 << 10);
    size_t n = 0;
    for (size_t i = 0; i < p->nmedia && n < MAX_ADDITIONAL_IMAGES; i++) {
        if (main && strcmp(p->media[i].url, main) == 0)
            continue;
        /* A comma separates the list, so one inside a URL is escaped. */
        for (const char *s = p->media[i].url; *s; s++)
            if ((*s == ',' ? souk_buf_addstr(&more, "%2C") : souk_buf_addch(&more, *s)) != SOUK_OK)
                break;
        n++;
        if (n < MAX_ADDITIONAL_IMAGES && i + 1 < p->nmedia && souk_buf_addch(&more, ',') != SOUK_OK)
            break;
    }
    if (more.len && more.data[more.len - 1] == ',')
        more.data[--more.len] = '\0';
    it->values[SOUK_CHANNELS__ADDITIONAL_IMAGES] =
        more.len ? souk_pool_strdup(pool, more.data) : NULL;
    souk_buf_release(&more);
}

const char *souk_channels__plain_text(struct souk_pool *pool, const char *html)
{
    if (!html)
        return NULL;
    struct souk_buf text = SOUK_BUF_INIT(1 << 20);
    int rc = souk_textout_strip_html(&text, souk_str_from(html));
    char *out = rc == SOUK_OK && text.len ? souk_pool_strdup(pool, text.data) : NULL;
    souk_buf_release(&text);
    return out;
}

/* The value of the option whose name is one of names (case-insensitive), or NULL. */
static const char *option_value(const struct souk_product *p, const struct souk_variant *v,
                                const char *const *names)
{
    for (int i = 0; i < SOUK_CATALOG_OPTIONS; i++)
        for (const char *const *n = names; p->option_names[i] && *n; n++)
            if (strcasecmp(p->option_names[i], *n) == 0)
                return v->options[i];
    return NULL;
}

/*
 * In stock or out of it; at 0, a product that sells on backorder or pre-order shows the
 * platform's word for that where it has one (with the ship date, where the platform needs one
 * and souk knows it: only a pre-order has a date).
 */
static const char *availability(const struct souk_channels__connector *conn,
                                const struct souk_product *p, int64_t available,
                                struct souk_pool *pool, const char **date)
{
    *date = NULL;
    if (available > 0)
        return conn->in_stock;
    const char *policy = p->inventory_policy ? p->inventory_policy : "deny";
    const char *word = strcmp(policy, "backorder") == 0  ? conn->backorder
                       : strcmp(policy, "preorder") == 0 ? conn->preorder
                                                         : NULL;
    if (word && p->preorder_ships_at)
        *date = to_the_minute(pool, p->preorder_ships_at);
    if (!word || (conn->dated_availability && !*date))
        return conn->out_of_stock;
    return word;
}

void souk_channels__item_build(const struct souk_channels__context *ctx, struct souk_pool *pool,
                               const struct souk_product *p, const struct souk_variant *v,
                               struct souk_channels__item *it)
{
    static const char *const colors[] = {"color", "colour", NULL};
    static const char *const sizes[] = {"size", NULL};
    memset(it, 0, sizeof *it);
    it->product_id = p->id;
    const char **val = it->values;
    val[SOUK_CHANNELS__ID] = v->sku;
    val[SOUK_CHANNELS__GROUP_ID] = p->nvariants > 1 ? p->handle : NULL;
    val[SOUK_CHANNELS__TITLE] = p->title;
    val[SOUK_CHANNELS__DESCRIPTION] = souk_channels__plain_text(pool, p->description);
    val[SOUK_CHANNELS__LINK] = product_link(pool, ctx->channel->link_template, p, v);
    set_images(pool, p, v, it);
    int64_t available = sellable(ctx, v);
    val[SOUK_CHANNELS__AVAILABILITY] =
        availability(ctx->connector, p, available, pool, &val[SOUK_CHANNELS__AVAILABILITY_DATE]);
    val[SOUK_CHANNELS__QUANTITY] = souk_pool_printf(pool, "%lld", (long long)available);
    val[SOUK_CHANNELS__CONDITION] = p->condition; /* the catalog defaults it to "new" */
    set_prices(ctx, pool, v, it);
    val[SOUK_CHANNELS__BRAND] = p->brand ? p->brand : p->vendor;
    val[SOUK_CHANNELS__GTIN] = v->gtin;
    val[SOUK_CHANNELS__MPN] = v->mpn;
    val[SOUK_CHANNELS__GOOGLE_CATEGORY] = p->google_product_category;
    val[SOUK_CHANNELS__PRODUCT_TYPE] = p->product_type;
    val[SOUK_CHANNELS__COLOR] = option_value(p, v, colors);
    val[SOUK_CHANNELS__SIZE] = option_value(p, v, sizes);
    if (v->weight_grams != SOUK_CATALOG_UNSET)
        val[SOUK_CHANNELS__SHIPPING_WEIGHT] =
            souk_pool_printf(pool, "%lld g", (long long)v->weight_grams);
    it->weight_grams = v->weight_grams;
    it->length_mm = v->length_mm;
    it->width_mm = v->width_mm;
    it->height_mm = v->height_mm;
    for (size_t i = 0, n = 0; i < SOUK_CATALOG_OPTIONS; i++) {
        if (!p->option_names[i])
            continue;
        it->option_names[n] = p->option_names[i];
        it->option_values[n++] = v->options[i];
    }
    it->variants = p->nvariants;
}

json_t *souk_channels__item_object(const struct souk_channels__connector *conn,
                                   const struct souk_channels__item *item, bool stock_only)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < conn->ncolumns; i++) {
        const struct souk_channels__column *col = &conn->columns[i];
        const char *value = item->values[col->field];
        bool stock_column = col->field == SOUK_CHANNELS__ID ||
                            col->field == SOUK_CHANNELS__AVAILABILITY ||
                            col->field == SOUK_CHANNELS__QUANTITY;
        if (!value || (stock_only && !stock_column))
            continue;
        int64_t quantity;
        if (col->field == SOUK_CHANNELS__QUANTITY &&
            souk_str_to_i64(souk_str_from(value), 0, INT64_MAX, &quantity) == SOUK_OK) {
            json_object_set_new(obj, col->name, json_integer(quantity));
            continue;
        }
        struct souk_str v = souk_str_from(value);
        if (col->max_chars)
            v = souk_textout_truncate_utf8(v, SIZE_MAX, col->max_chars);
        json_object_set_new(obj, col->name, json_stringn(v.ptr, v.len));
    }
    return obj;
}

json_t *souk_channels__list_array(const char *text)
{
    json_t *list = json_array();
    for (size_t len; text && *text; text += len + (text[len] == ',')) {
        len = strcspn(text, ",");
        json_array_append_new(list, json_stringn(text, len));
    }
    return list;
}

/* encode: catalog structs to the JSON the API returns and the JSON-lines export writes. */
#include "catalog/catalog_int.h"
#include "core/time.h"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *int_or_null(int64_t v)
{
    return v == SOUK_CATALOG_UNSET ? json_null() : json_integer(v);
}

static json_t *time_or_null(int64_t us)
{
    if (us == SOUK_CATALOG_UNSET)
        return json_null();
    char text[SOUK_TIME_RFC3339_MAX];
    souk_time_format(us, text);
    return json_string(text);
}

static void set_times(json_t *obj, int64_t version, int64_t created_at, int64_t updated_at)
{
    json_object_set_new(obj, "version", json_integer(version));
    if (created_at != SOUK_CATALOG_UNSET)
        json_object_set_new(obj, "created_at", time_or_null(created_at));
    json_object_set_new(obj, "updated_at", time_or_null(updated_at));
}

static json_t *encode_price(const struct souk_price *pr)
{
    json_t *sale = json_null();
    if (pr->sale_amount != SOUK_CATALOG_UNSET)
        sale = json_pack("{s:I, s:o, s:o}", "amount", (json_int_t)pr->sale_amount, "starts_at",
                         time_or_null(pr->sale_starts_at), "ends_at",
                         time_or_null(pr->sale_ends_at));
    return json_pack("{s:s, s:I, s:o, s:o}", "currency", pr->currency, "amount",
                     (json_int_t)pr->amount, "compare_at", int_or_null(pr->compare_at), "sale",
                     sale);
}

json_t *souk_catalog_stock_encode(const struct souk_stock_level *s)
{
    json_t *obj = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I}", "variant_id",
                            text_or_null(s->variant_id), "warehouse_id",
                            text_or_null(s->warehouse_id), "warehouse_code",
                            text_or_null(s->warehouse_code), "on_hand", (json_int_t)s->on_hand,
                            "reserved", (json_int_t)s->reserved, "available",
                            (json_int_t)(s->on_hand - s->reserved));
    set_times(obj, s->version, SOUK_CATALOG_UNSET, s->updated_at);
    return obj;
}

json_t *souk_catalog_movement_encode(const struct souk_stock_movement *m)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:o}", "id", m->id, "variant_id",
                     m->variant_id, "warehouse_id", m->warehouse_id, "kind", m->kind, "quantity",
                     (json_int_t)m->quantity, "order_id", text_or_null(m->order_id), "reason",
                     m->reason, "created_at", time_or_null(m->created_at));
}

json_t *souk_catalog_variant_encode(const struct souk_variant *v)
{
    json_t *options = json_array();
    for (int i = 0; i < SOUK_CATALOG_OPTIONS && v->options[i]; i++)
        json_array_append_new(options, json_string(v->options[i]));
    json_t *dimensions = json_null();
    if (v->length_mm != SOUK_CATALOG_UNSET || v->width_mm != SOUK_CATALOG_UNSET ||
        v->height_mm != SOUK_CATALOG_UNSET)
        dimensions = json_pack("{s:o, s:o, s:o}", "length", int_or_null(v->length_mm), "width",
                               int_or_null(v->width_mm), "height", int_or_null(v->height_mm));
    json_t *prices = json_array();
    for (size_t i = 0; i < v->nprices; i++)
        json_array_append_new(prices, encode_price(&v->prices[i]));
    json_t *stock = json_array();
    for (size_t i = 0; i < v->nstock; i++)
        json_array_append_new(stock, souk_catalog_stock_encode(&v->stock[i]));
    json_t *obj = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "id", text_or_null(v->id),
        "product_id", text_or_null(v->product_id), "sku", text_or_null(v->sku), "gtin",
        text_or_null(v->gtin), "mpn", text_or_null(v->mpn), "option_values", options, "position",
        (json_int_t)v->position, "weight_grams", int_or_null(v->weight_grams), "dimensions_mm",
        dimensions, "image_url", text_or_null(v->image_url), "prices", prices, "stock", stock);
    json_object_set_new(obj, "low_stock_threshold", int_or_null(v->low_stock_threshold));
    json_object_set_new(obj, "stock_state", text_or_null(v->stock_state));
    set_times(obj, v->version, v->created_at, v->updated_at);
    return obj;
}

static json_t *encode_translations(const struct souk_translation *translations, size_t n)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < n; i++) {
        const struct souk_translation *t = &translations[i];
        json_object_set_new(obj, t->locale,
                            json_pack("{s:o, s:o}", "title", text_or_null(t->title),
                                      "description", text_or_null(t->description)));
    }
    return obj;
}

static json_t *encode_lists(const struct souk_product *p, json_t **tags, json_t **media,
                            json_t **variants)
{
    json_t *options = json_array();
    for (int i = 0; i < SOUK_CATALOG_OPTIONS && p->option_names[i]; i++)
        json_array_append_new(options, json_string(p->option_names[i]));
    *tags = json_array();
    for (size_t i = 0; i < p->ntags; i++)
        json_array_append_new(*tags, json_string(p->tags[i]));
    *media = json_array();
    for (size_t i = 0; i < p->nmedia; i++)
        json_array_append_new(*media,
                              json_pack("{s:s, s:o, s:I}", "url", p->media[i].url, "alt",
                                        text_or_null(p->media[i].alt), "position",
                                        (json_int_t)p->media[i].position));
    *variants = json_array();
    for (size_t i = 0; i < p->nvariants; i++)
        json_array_append_new(*variants, souk_catalog_variant_encode(&p->variants[i]));
    return options;
}

json_t *souk_catalog_product_encode(const struct souk_product *p)
{
    json_t *tags, *media, *variants;
    json_t *options = encode_lists(p, &tags, &media, &variants);
    json_t *obj =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                  "id", text_or_null(p->id), "handle", text_or_null(p->handle), "status",
                  text_or_null(p->status), "title", text_or_null(p->title), "description",
                  text_or_null(p->description), "brand", text_or_null(p->brand), "vendor",
                  text_or_null(p->vendor), "product_type", text_or_null(p->product_type),
                  "google_product_category", text_or_null(p->google_product_category), "condition",
                  text_or_null(p->condition), "options", options, "tags", tags, "translations",
                  encode_translations(p->translations, p->ntranslations), "media", media,
                  "variants", variants);
    json_object_set_new(obj, "inventory_policy",
                        json_string(p->inventory_policy ? p->inventory_policy : "deny"));
    json_object_set_new(
        obj, "preorder_ships_at",
        time_or_null(p->preorder_ships_at ? p->preorder_ships_at : SOUK_CATALOG_UNSET));
    json_t *collections = json_array();
    for (size_t i = 0; i < p->ncollections; i++)
        json_array_append_new(collections, json_string(p->collections[i]));
    json_object_set_new(obj, "collections", collections);
    if (p->resolved_locale)
        json_object_set_new(obj, "locale", json_string(p->resolved_locale));
    set_times(obj, p->version, p->created_at, p->updated_at);
    return obj;
}

json_t *souk_catalog_warehouse_encode(const struct souk_warehouse *w)
{
    json_t *obj = json_pack("{s:o, s:o, s:o, s:o}", "id", text_or_null(w->id), "code",
                            text_or_null(w->code), "name", text_or_null(w->name), "country",
                            text_or_null(w->country));
    set_times(obj, w->version, w->created_at, w->updated_at);
    return obj;
}

json_t *souk_catalog_collection_encode(const struct souk_collection *col)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < col->nproducts; i++)
        json_array_append_new(ids, json_string(col->product_ids[i]));
    json_t *obj =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id", text_or_null(col->id), "handle",
                  text_or_null(col->handle), "title", text_or_null(col->title), "description",
                  text_or_null(col->description), "translations",
                  encode_translations(col->translations, col->ntranslations), "product_ids", ids);
    set_times(obj, col->version, col->created_at, col->updated_at);
    return obj;
}

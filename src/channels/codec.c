/* codec: a channel as the API reads and writes it (see channels.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/money.h"
#include "core/time.h"

#define MAX_TEXT 2000

/* The plain string fields, by offset, so decoding them is one loop. */
static const struct {
    const char *name;
    size_t offset;
} text_fields[] = {
    {"platform", offsetof(struct souk_channel, platform)},
    {"name", offsetof(struct souk_channel, name)},
    {"status", offsetof(struct souk_channel, status)},
    {"country", offsetof(struct souk_channel, country)},
    {"locale", offsetof(struct souk_channel, locale)},
    {"base_url", offsetof(struct souk_channel, base_url)},
    {"link_template", offsetof(struct souk_channel, link_template)},
};

static int take_text(struct souk_pool *pool, json_t *value, const char *param, char **out,
                     struct souk_err *err)
{
    if (!json_is_string(value))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be a string", param);
    if (json_string_length(value) > MAX_TEXT)
        return souk_err_set(err, SOUK_EINVAL, param, "%s is longer than %d bytes", param,
                            MAX_TEXT);
    *out = souk_pool_strdup(pool, json_string_value(value));
    return SOUK_OK;
}

static int take_strings(struct souk_pool *pool, json_t *value, const char *param, char ***out,
                        size_t *n, struct souk_err *err)
{
    if (!json_is_array(value) || json_array_size(value) > SOUK_CHANNELS_MAX_SELECTION)
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be an array of at most %d strings",
                            param, SOUK_CHANNELS_MAX_SELECTION);
    *n = json_array_size(value);
    *out = souk_pool_alloc(pool, (*n ? *n : 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        int rc = take_text(pool, json_array_get(value, i), param, &(*out)[i], err);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

/* In PATCH mode credentials merge: a string sets one, null removes it. */
static int decode_credentials(struct souk_pool *pool, json_t *in,
                              enum souk_channels_decode_mode mode, struct souk_channel *c,
                              struct souk_err *err)
{
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, "credentials",
                            "credentials must be an object of name: secret");
    size_t cap = c->ncredentials + json_object_size(in);
    if (cap > SOUK_CHANNELS_MAX_CREDENTIALS * 2)
        return souk_err_set(err, SOUK_EINVAL, "credentials", "too many credentials");
    struct souk_channel_credential *out = souk_pool_alloc(pool, (cap ? cap : 1) * sizeof *out);
    size_t n = 0;
    for (size_t i = 0; mode == SOUK_CHANNELS_PATCH && i < c->ncredentials; i++)
        if (!json_object_get(in, c->credentials[i].name))
            out[n++] = c->credentials[i];
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        if (json_is_null(value) && mode == SOUK_CHANNELS_PATCH)
            continue;
        if (!json_is_string(value))
            return souk_err_set(err, SOUK_EINVAL, "credentials",
                                "credential %.64s must be a string", key);
        out[n].name = souk_pool_strdup(pool, key);
        out[n].value = souk_pool_strdup(pool, json_string_value(value));
        n++;
    }
    if (n > SOUK_CHANNELS_MAX_CREDENTIALS)
        return souk_err_set(err, SOUK_EINVAL, "credentials", "at most %d credentials",
                            SOUK_CHANNELS_MAX_CREDENTIALS);
    c->credentials = out;
    c->ncredentials = n;
    return SOUK_OK;
}

static int decode_selection(struct souk_pool *pool, json_t *in, struct souk_channel *c,
                            struct souk_err *err)
{
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, "selection",
                            "selection must be an object with statuses, tags and collections");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        int rc = strcmp(key, "statuses") == 0 ? take_strings(pool, value, "selection.statuses",
                                                             &c->statuses, &c->nstatuses, err)
                 : strcmp(key, "tags") == 0
                     ? take_strings(pool, value, "selection.tags", &c->tags, &c->ntags, err)
                 : strcmp(key, "collections") == 0
                     ? take_strings(pool, value, "selection.collections", &c->collections,
                                    &c->ncollections, err)
                     : souk_err_set(err, SOUK_EINVAL, "selection",
                                    "unknown field selection.%.64s: it takes statuses, tags and "
                                    "collections",
                                    key);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

/* markup_percent is an integer or a decimal string with at most two places: basis points. */
static int decode_markup(json_t *value, struct souk_channel *c, struct souk_err *err)
{
    const char *param = "pricing.markup_percent";
    if (json_is_integer(value) && json_integer_value(value) >= 0 &&
        json_integer_value(value) <= 1000) {
        c->markup_bp = json_integer_value(value) * 100;
        return SOUK_OK;
    }
    if (json_is_string(value) &&
        souk_money_parse_decimal(souk_str_from(json_string_value(value)), 2, &c->markup_bp,
                                 NULL) == SOUK_OK)
        return SOUK_OK;
    return souk_err_set(err, SOUK_EINVAL, param,
                        "markup_percent must be an integer or a decimal string with at most two "
                        "places, such as \"12.5\"");
}

/* [{"country": "GB", "currency": "GBP"}, ...]: codes are checked with the channel. */
static int decode_countries(struct souk_pool *pool, json_t *in, struct souk_channel *c,
                            struct souk_err *err)
{
    const char *param = "pricing.country_overrides";
    if (!json_is_array(in) || json_array_size(in) > SOUK_CHANNELS_MAX_COUNTRIES)
        return souk_err_set(err, SOUK_EINVAL, param,
                            "country_overrides must be an array of at most %d "
                            "{\"country\", \"currency\"} objects",
                            SOUK_CHANNELS_MAX_COUNTRIES);
    c->ncountries = json_array_size(in);
    c->countries = souk_pool_alloc(pool, (c->ncountries ? c->ncountries : 1) * sizeof *c->countries);
    size_t i;
    json_t *item;
    json_array_foreach(in, i, item)
    {
        const char *country = json_string_value(json_object_get(item, "country"));
        const char *currency = json_string_value(json_object_get(item, "currency"));
        if (!json_is_object(item) || json_object_size(item) != 2 || !country || !currency ||
            strlen(country) != 2 || strlen(currency) != 3)
            return souk_err_set(err, SOUK_EINVAL, param,
                                "country_overrides[%zu] must be {\"country\": \"GB\", "
                                "\"currency\": \"GBP\"}",
                                i);
        memcpy(c->countries[i].country, country, 3);
        memcpy(c->countries[i].currency, currency, 4);
    }
    return SOUK_OK;
}

static int decode_pricing(struct souk_pool *pool, json_t *in, struct souk_channel *c,
                          struct souk_err *err)
{
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, "pricing",
                            "pricing must be an object with markup_percent and rounding");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        int rc = strcmp(key, "markup_percent") == 0 ? decode_markup(value, c, err)
                 : strcmp(key, "rounding") == 0
                     ? take_text(pool, value, "pricing.rounding", &c->rounding, err)
                 : strcmp(key, "country_overrides") == 0
                     ? decode_countries(pool, value, c, err)
                 : strcmp(key, "price_list") == 0
                     ? (json_is_null(value) ? (c->price_list = NULL, SOUK_OK)
                                            : take_text(pool, value, "pricing.price_list",
                                                        &c->price_list, err))
                     : souk_err_set(err, SOUK_EINVAL, "pricing",
                                    "unknown field pricing.%.64s: it takes markup_percent, "
                                    "rounding, price_list and country_overrides",
                                    key);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

static int decode_field(struct souk_pool *pool, const char *key, json_t *value,
                        enum souk_channels_decode_mode mode, struct souk_channel *c,
                        struct souk_err *err)
{
    if (strcmp(key, "base_url") == 0 && json_is_null(value)) {
        c->base_url = NULL; /* back to the platform's own */
        return SOUK_OK;
    }
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++)
        if (strcmp(key, text_fields[i].name) == 0) {
            if (mode == SOUK_CHANNELS_PATCH && strcmp(key, "platform") == 0)
                return souk_err_set(err, SOUK_EINVAL, key,
                                    "a channel's platform cannot change: create another channel");
            return take_text(pool, value, key, (char **)((char *)c + text_fields[i].offset), err);
        }
    if (strcmp(key, "currency") == 0) {
        if (!json_is_string(value) || json_string_length(value) != 3)
            return souk_err_set(err, SOUK_EINVAL, key,
                                "currency must be an ISO 4217 code such as USD");
        memcpy(c->currency, json_string_value(value), 4);
        return SOUK_OK;
    }
    if (strcmp(key, "credentials") == 0)
        return decode_credentials(pool, value, mode, c, err);
    if (strcmp(key, "selection") == 0)
        return decode_selection(pool, value, c, err);
    if (strcmp(key, "pricing") == 0)
        return decode_pricing(pool, value, c, err);
    if (strcmp(key, "orders") == 0) {
        const char *k;
        json_t *v;
        if (!json_is_object(value))
            return souk_err_set(err, SOUK_EINVAL, "orders",
                                "orders must be an object: {\"on_shortfall\": \"hold\"}");
        json_object_foreach(value, k, v)
        {
            int rc = strcmp(k, "on_shortfall") == 0
                         ? take_text(pool, v, "orders.on_shortfall", &c->on_shortfall, err)
                         : souk_err_set(err, SOUK_EINVAL, "orders",
                                        "unknown field orders.%.64s: it takes on_shortfall", k);
            if (rc != SOUK_OK)
                return rc;
        }
        return SOUK_OK;
    }
    return souk_err_set(err, SOUK_EINVAL, key,
                        "unknown field %.64s: a channel has platform, name, status, country, "
                        "locale, currency, base_url, link_template, credentials, selection, "
                        "pricing and orders",
                        key);
}

int souk_channels_decode(struct souk_pool *pool, json_t *in, enum souk_channels_decode_mode mode,
                         struct souk_channel *c, struct souk_err *err)
{
    if (!json_is_object(in))
        return souk_err_set(err, SOUK_EINVAL, NULL, "the body must be a JSON object");
    const char *key;
    json_t *value;
    json_object_foreach(in, key, value)
    {
        int rc = decode_field(pool, key, value, mode, c, err);
        if (rc != SOUK_OK)
            return rc;
    }
    if (mode == SOUK_CHANNELS_CREATE) {
        static const char *const required[] = {"platform", "name", "country", "locale",
                                               "currency", "link_template"};
        for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
            if (!json_object_get(in, required[i]))
                return souk_err_set(err, SOUK_EINVAL, required[i], "%s is required",
                                    required[i]);
    }
    return SOUK_OK;
}

static json_t *time_json(int64_t us)
{
    char text[SOUK_TIME_RFC3339_MAX];
    souk_time_format(us, text);
    return json_string(text);
}

json_t *souk_channels_encode(const struct souk_channel *c, const char *feed_token)
{
    json_t *creds = json_array(), *statuses = json_array(), *tags = json_array(),
           *collections = json_array(), *feeds = json_object();
    for (size_t i = 0; i < c->ncredentials; i++)
        json_array_append_new(creds, json_string(c->credentials[i].name));
    for (size_t i = 0; i < c->nstatuses; i++)
        json_array_append_new(statuses, json_string(c->statuses[i]));
    for (size_t i = 0; i < c->ntags; i++)
        json_array_append_new(tags, json_string(c->tags[i]));
    for (size_t i = 0; i < c->ncollections; i++)
        json_array_append_new(collections, json_string(c->collections[i]));
    const struct souk_channels__connector *conn = souk_channels__connector(c->platform);
    for (const char *const *f = conn ? conn->formats : NULL; f && *f; f++) {
        char path[128];
        snprintf(path, sizeof path, "/feeds/%s/%s", c->id, *f);
        json_object_set_new(feeds, *f, json_string(path));
    }
    char markup[32];
    snprintf(markup, sizeof markup, "%lld.%02lld", (long long)(c->markup_bp / 100),
             (long long)(c->markup_bp % 100));
    json_t *countries = json_array();
    for (size_t i = 0; i < c->ncountries; i++)
        json_array_append_new(countries, json_pack("{s:s, s:s}", "country", c->countries[i].country,
                                                   "currency", c->countries[i].currency));
    json_t *out = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o, s:o, s:o}, s:{s:s, s:s, "
        "s:s?, s:o}, s:o, s:I, s:o, s:o}",
        "id", c->id, "platform", c->platform, "name", c->name, "status", c->status, "country",
        c->country, "locale", c->locale, "currency", c->currency, "base_url", c->base_url,
        "link_template", c->link_template, "credentials_set", creds, "selection", "statuses",
        statuses, "tags", tags, "collections", collections, "pricing", "markup_percent", markup,
        "rounding", c->rounding, "price_list", c->price_list, "country_overrides", countries,
        "feeds", feeds, "version", (json_int_t)c->version, "created_at", time_json(c->created_at),
        "updated_at", time_json(c->updated_at));
    json_object_set_new(out, "orders", json_pack("{s:s}", "on_shortfall",
                                                  c->on_shortfall ? c->on_shortfall : "hold"));
    if (feed_token)
        json_object_set_new(out, "feed_token", json_string(feed_token));
    return out;
}

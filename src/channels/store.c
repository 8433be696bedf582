/* store: channels and FX rates in the database (see channels.h). */
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/fx.h"
#include "core/id.h"
#include "core/locale.h"
#include "core/money.h"
#include "core/time.h"

#define TOKEN_BYTES 32
#define TOKEN_HASH_HEX (SHA256_DIGEST_LENGTH * 2)
#define MAX_NAME 100
#define MAX_URL 2000
#define MAX_CREDENTIAL 4096
#define MAX_MARKUP_BP 100000 /* +1000% */

#define CHANNEL_COLUMNS                                                                            \
    "id, platform, name, status, country, locale, currency, base_url, link_template, "            \
    "credentials, selection, pricing, version, created_at, updated_at, on_shortfall"

/* ---- validation ---- */

static bool is_http_url(const char *s)
{
    return s && strlen(s) <= MAX_URL && souk_str_is_http_url(souk_str_from(s));
}

static int check_text(const char *value, const char *param, size_t max, struct souk_err *err)
{
    if (!value || !*value)
        return souk_err_set(err, SOUK_EINVAL, param, "%s is required", param);
    if (strlen(value) > max || !souk_str_is_utf8(souk_str_from(value)))
        return souk_err_set(err, SOUK_EINVAL, param, "%s must be 1 to %zu bytes of UTF-8", param,
                            max);
    return SOUK_OK;
}

static int check_credentials(const struct souk_channels__connector *conn,
                             const struct souk_channel *c, struct souk_err *err)
{
    for (size_t i = 0; i < c->ncredentials; i++) {
        bool known = false;
        for (const char *const *name = conn->credentials; *name && !known; name++)
            known = strcmp(*name, c->credentials[i].name) == 0;
        for (const char *const *name = conn->optional_credentials; name && *name && !known;
             name++)
            known = strcmp(*name, c->credentials[i].name) == 0;
        if (!known)
            return souk_err_set(err, SOUK_EINVAL, "credentials",
                                "%s takes no credential \"%.64s\"", conn->platform,
                                c->credentials[i].name);
        if (!c->credentials[i].value[0] || strlen(c->credentials[i].value) > MAX_CREDENTIAL)
            return souk_err_set(err, SOUK_EINVAL, "credentials",
                                "credential %.64s must be 1 to %d bytes", c->credentials[i].name,
                                MAX_CREDENTIAL);
    }
    for (const char *const *name = conn->credentials; *name; name++) {
        bool present = false;
        for (size_t i = 0; i < c->ncredentials && !present; i++)
            present = strcmp(*name, c->credentials[i].name) == 0;
        if (!present)
            return souk_err_set(err, SOUK_EUNPROC, "credentials",
                                "a %s channel needs the credential \"%s\"", conn->platform, *name);
    }
    return SOUK_OK;
}

static int check_selection(const struct souk_channel *c, struct souk_err *err)
{
    for (size_t i = 0; i < c->nstatuses; i++)
        if (strcmp(c->statuses[i], "draft") != 0 && strcmp(c->statuses[i], "active") != 0 &&
            strcmp(c->statuses[i], "archived") != 0)
            return souk_err_set(err, SOUK_EINVAL, "selection.statuses",
                                "a product status is draft, active or archived, not \"%.32s\"",
                                c->statuses[i]);
    for (size_t i = 0; i < c->ntags; i++) {
        int rc = check_text(c->tags[i], "selection.tags", 255, err);
        if (rc != SOUK_OK)
            return rc;
    }
    for (size_t i = 0; i < c->ncollections; i++) {
        int rc = check_text(c->collections[i], "selection.collections", 255, err);
        for (size_t j = 0; rc == SOUK_OK && j < i; j++)
            if (strcmp(c->collections[i], c->collections[j]) == 0)
                rc = souk_err_set(err, SOUK_EINVAL, "selection.collections",
                                  "collection %.64s is listed twice", c->collections[i]);
        if (rc != SOUK_OK)
            return rc;
    }
    return SOUK_OK;
}

/*
 * The ids of the collections the selection names by handle (pool memory, in its order). An
 * unknown handle is bad input, named, rather than a channel that silently carries nothing.
 */
static int resolve_collections(struct souk_db_conn *conn, struct souk_pool *pool,
                               const struct souk_channel *c, char ***ids, struct souk_err *err)
{
    *ids = souk_pool_alloc(pool, (c->ncollections ? c->ncollections : 1) * sizeof **ids);
    for (size_t i = 0; i < c->ncollections; i++) {
        char id[SOUK_ID_MAX];
        int rc = souk_catalog_collection_id(conn, c->collections[i], id, err);
        if (rc == SOUK_ENOTFOUND)
            return souk_err_set(err, SOUK_EINVAL, "selection.collections",
                                "no collection has the handle %.64s: create it with POST "
                                "/v1/collections or name another",
                                c->collections[i]);
        if (rc != SOUK_OK)
            return rc;
        (*ids)[i] = souk_pool_strdup(pool, id);
    }
    return SOUK_OK;
}

/* Stores the selection's collections (ids, resolved by resolve_collections) for channel c. */
static int write_collections(struct souk_db_conn *conn, const struct souk_channel *c,
                             char *const *ids, struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(
        conn, err, "DELETE FROM channel_collections WHERE channel_id = $1", "s", c->id);
    for (size_t i = 0; i < c->ncollections && changed >= 0; i++)
        changed = souk_db_run_sql(conn, err,
                                  "INSERT INTO channel_collections (channel_id, collection_id, "
                                  "position) VALUES ($1, $2, $3)",
                                  "ssi", c->id, ids[i], (int64_t)i + 1);
    return changed < 0 ? (int)changed : SOUK_OK;
}

/* Reads the handles of the channel's selected collections, as they are now. */
static int load_collections(struct souk_db_conn *conn, struct souk_pool *pool,
                            struct souk_channel *c, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT k.handle FROM channel_collections s JOIN collections k ON "
                             "k.id = s.collection_id WHERE s.channel_id = $1 ORDER BY s.position",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", c->id);
    c->collections = souk_pool_alloc(pool, SOUK_CHANNELS_MAX_SELECTION * sizeof *c->collections);
    c->ncollections = 0;
    while (rc == SOUK_OK && c->ncollections < SOUK_CHANNELS_MAX_SELECTION &&
           (rc = souk_db_step(st, err)) == 1) {
        c->collections[c->ncollections++] = souk_pool_str(pool, souk_db_col_text(st, 0));
        rc = SOUK_OK;
    }
    return rc < 0 ? rc : SOUK_OK;
}

/* A channel sells at a price list in its own currency only: fixed prices are not converted. */
static int check_price_list(struct souk_db_conn *conn, struct souk_pool *pool,
                            const struct souk_channel *c, struct souk_err *err)
{
    struct souk_price_list *pl;
    if (!c->price_list)
        return SOUK_OK;
    int rc = souk_channels_price_list_get(conn, pool, c->price_list, &pl, err);
    if (rc == SOUK_ENOTFOUND)
        return souk_err_set(err, SOUK_EUNPROC, "pricing.price_list", "no price list %.64s",
                            c->price_list);
    if (rc == SOUK_OK && strcmp(pl->currency, c->currency) != 0)
        return souk_err_set(err, SOUK_EUNPROC, "pricing.price_list",
                            "price list %.64s is in %s, the channel sells in %s", pl->id,
                            pl->currency, c->currency);
    return rc;
}

/* Fills defaults (base URL, statuses, rounding) and checks every field. */
static int validate(struct souk_pool *pool, struct souk_channel *c, struct souk_err *err)
{
    const struct souk_channels__connector *conn =
        c->platform ? souk_channels__connector(c->platform) : NULL;
    if (!conn) {
        char names[128] = "";
        size_t used = 0;
        for (const char *const *p = souk_channels_platforms(); *p; p++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                                     *p);
        return souk_err_set(err, SOUK_EINVAL, "platform",
                            "platform must be one of %s%s%.32s%s", names,
                            c->platform ? " (not \"" : "", c->platform ? c->platform : "",
                            c->platform ? "\")" : "");
    }
    int rc = check_text(c->name, "name", MAX_NAME, err);
    if (rc != SOUK_OK)
        return rc;
    if (!c->status)
        c->status = "active";
    if (strcmp(c->status, "active") != 0 && strcmp(c->status, "paused") != 0)
        return souk_err_set(err, SOUK_EINVAL, "status", "status must be active or paused");
    if (!c->country || !souk_country_is_valid(souk_str_from(c->country)))
        return souk_err_set(err, SOUK_EINVAL, "country",
                            "country must be an ISO 3166-1 alpha-2 code such as US");
    char locale[SOUK_LOCALE_MAX];
    if (!c->locale || souk_locale_canonicalize(souk_str_from(c->locale), locale) != SOUK_OK)
        return souk_err_set(err, SOUK_EINVAL, "locale",
                            "locale must be a language tag such as en or pt-BR");
    c->locale = souk_pool_strdup(pool, locale);
    if (!souk_money_currency(souk_str_from(c->currency)))
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "currency must be an ISO 4217 code such as USD");
    if (!c->base_url)
        c->base_url = (char *)conn->default_base_url;
    if (!is_http_url(c->base_url))
        return souk_err_set(err, SOUK_EINVAL, "base_url", "base_url must be an http(s) URL");
    if (!is_http_url(c->link_template) || !strchr(c->link_template, '{'))
        return souk_err_set(err, SOUK_EINVAL, "link_template",
                            "link_template must be an absolute http(s) URL naming {handle}, "
                            "{sku} or {product_id}, e.g. https://shop.example/p/{handle}");
    if (!c->on_shortfall)
        c->on_shortfall = "hold";
    if (strcmp(c->on_shortfall, "hold") != 0 && strcmp(c->on_shortfall, "cancel") != 0)
        return souk_err_set(err, SOUK_EINVAL, "orders.on_shortfall",
                            "on_shortfall is hold (keep the order, flagged) or cancel (cancel it "
                            "back to the platform as out of stock)");
    if (c->nstatuses == 0) {
        static char *const active[] = {"active"};
        c->statuses = (char **)active;
        c->nstatuses = 1;
    }
    if ((rc = check_credentials(conn, c, err)) != SOUK_OK ||
        (rc = check_selection(c, err)) != SOUK_OK)
        return rc;
    if (c->markup_bp < 0 || c->markup_bp > MAX_MARKUP_BP)
        return souk_err_set(err, SOUK_EINVAL, "pricing.markup_percent",
                            "markup_percent must be between 0 and 1000");
    for (size_t i = 0; i < c->ncountries; i++) {
        const struct souk_channel_country *o = &c->countries[i];
        if (!souk_country_is_valid(souk_str_from(o->country)) ||
            !souk_money_currency(souk_str_from(o->currency)) || strcmp(o->country, c->country) == 0)
            return souk_err_set(err, SOUK_EINVAL, "pricing.country_overrides",
                                "country_overrides[%zu] needs an ISO 3166 country other than the "
                                "channel's own and an ISO 4217 currency",
                                i);
    }
    if (!c->rounding)
        c->rounding = (char *)souk_fx_rounding_name(SOUK_FX_HALF_EVEN);
    enum souk_fx_rounding rounding;
    if (souk_fx_rounding_parse(c->rounding, &rounding) != SOUK_OK)
        return souk_err_set(err, SOUK_EINVAL, "pricing.rounding",
                            "unknown rounding rule \"%.32s\"", c->rounding);
    return SOUK_OK;
}

/* ---- the JSON columns ---- */

static char *dump_owned(struct souk_pool *pool, json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(json);
    char *copy = souk_pool_strdup(pool, text);
    souk_free(text);
    return copy;
}

static char *credentials_text(struct souk_pool *pool, const struct souk_channel *c)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < c->ncredentials; i++)
        json_object_set_new(obj, c->credentials[i].name, json_string(c->credentials[i].value));
    return dump_owned(pool, obj);
}

static json_t *string_array(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static char *selection_text(struct souk_pool *pool, const struct souk_channel *c)
{
    return dump_owned(pool, json_pack("{s:o, s:o}", "statuses", string_array(c->statuses,
                                                                               c->nstatuses),
                                      "tags", string_array(c->tags, c->ntags)));
}

static char *pricing_text(struct souk_pool *pool, const struct souk_channel *c)
{
    json_t *countries = json_array();
    for (size_t i = 0; i < c->ncountries; i++)
        json_array_append_new(countries, json_pack("[s, s]", c->countries[i].country,
                                                   c->countries[i].currency));
    return dump_owned(pool, json_pack("{s:I, s:s, s:o, s:s?}", "markup_bp",
                                      (json_int_t)c->markup_bp, "rounding", c->rounding,
                                      "countries", countries, "price_list", c->price_list));
}

static void read_countries(struct souk_pool *pool, json_t *array, struct souk_channel *c)
{
    c->ncountries = json_array_size(array);
    c->countries = souk_pool_alloc(pool, (c->ncountries ? c->ncountries : 1) * sizeof *c->countries);
    for (size_t i = 0; i < c->ncountries; i++) {
        json_t *pair = json_array_get(array, i);
        snprintf(c->countries[i].country, sizeof c->countries[i].country, "%s",
                 json_string_value(json_array_get(pair, 0)));
        snprintf(c->countries[i].currency, sizeof c->countries[i].currency, "%s",
                 json_string_value(json_array_get(pair, 1)));
    }
}

static char **read_strings(struct souk_pool *pool, json_t *array, size_t *n)
{
    *n = json_array_size(array);
    char **items = souk_pool_alloc(pool, (*n ? *n : 1) * sizeof *items);
    for (size_t i = 0; i < *n; i++)
        items[i] = souk_pool_strdup(pool, json_string_value(json_array_get(array, i)));
    return items;
}

/* The JSON columns were written by this file, so a parse failure means a hand-edited row. */
static json_t *load_column(struct souk_db_stmt *st, int col, struct souk_err *err)
{
    struct souk_str text = souk_db_col_text(st, col);
    json_error_t jerr;
    json_t *json = json_loadb(text.ptr ? text.ptr : "", text.len, 0, &jerr);
    if (!json || !json_is_object(json)) {
        json_decref(json);
        souk_err_set(err, SOUK_EINTERNAL, NULL, NULL);
        snprintf(err->detail, sizeof err->detail, "channels column %d is not a JSON object", col);
    }
    return json;
}

static int read_channel_row(struct souk_pool *pool, struct souk_db_stmt *st, struct souk_channel *c,
                            struct souk_err *err)
{
    char **texts[] = {&c->id,     &c->platform, &c->name,     &c->status,
                      &c->country, &c->locale,  NULL,         &c->base_url, &c->link_template};
    for (int i = 0; i < 9; i++)
        if (texts[i])
            *texts[i] = souk_pool_str(pool, souk_db_col_text(st, i));
    struct souk_str currency = souk_db_col_text(st, 6);
    snprintf(c->currency, sizeof c->currency, "%.*s", (int)currency.len, currency.ptr);
    c->version = souk_db_col_i64(st, 12);
    c->created_at = souk_db_col_i64(st, 13);
    c->updated_at = souk_db_col_i64(st, 14);
    c->on_shortfall = souk_pool_str(pool, souk_db_col_text(st, 15));

    json_t *creds = load_column(st, 9, err), *selection = load_column(st, 10, err),
           *pricing = load_column(st, 11, err);
    int rc = creds && selection && pricing ? SOUK_OK : SOUK_EINTERNAL;
    if (rc == SOUK_OK) {
        c->ncredentials = json_object_size(creds);
        c->credentials =
            souk_pool_alloc(pool, (c->ncredentials ? c->ncredentials : 1) * sizeof *c->credentials);
        const char *key;
        json_t *value;
        size_t i = 0;
        json_object_foreach(creds, key, value)
        {
            c->credentials[i].name = souk_pool_strdup(pool, key);
            c->credentials[i].value = souk_pool_strdup(pool, json_string_value(value));
            i++;
        }
        c->statuses = read_strings(pool, json_object_get(selection, "statuses"), &c->nstatuses);
        c->tags = read_strings(pool, json_object_get(selection, "tags"), &c->ntags);
        c->markup_bp = json_integer_value(json_object_get(pricing, "markup_bp"));
        c->rounding = souk_pool_strdup(pool, json_string_value(json_object_get(pricing,
                                                                               "rounding")));
        read_countries(pool, json_object_get(pricing, "countries"), c);
        c->price_list =
            souk_pool_strdup(pool, json_string_value(json_object_get(pricing, "price_list")));
    }
    json_decref(creds);
    json_decref(selection);
    json_decref(pricing);
    return rc;
}

/* ---- feed tokens ---- */

static void new_token(char token_out[SOUK_CHANNELS_FEED_TOKEN_MAX],
                      char hash_out[TOKEN_HASH_HEX + 1])
{
    unsigned char raw[TOKEN_BYTES], digest[SHA256_DIGEST_LENGTH];
    memcpy(token_out, "ft_", 3);
    souk_id_random(raw, sizeof raw);
    souk_hex_encode(raw, sizeof raw, token_out + 3);
    SHA256((const unsigned char *)token_out, strlen(token_out), digest);
    souk_hex_encode(digest, sizeof digest, hash_out);
}

/* ---- channels ---- */

/* A new or changed channel gets the whole selection pushed (prices or selection may differ). */
static int push_everything(struct souk_db_conn *conn, const struct souk_channel *c,
                           struct souk_err *err)
{
    const struct souk_channels__connector *conn_table = souk_channels__connector(c->platform);
    return conn_table && conn_table->push && strcmp(c->status, "active") == 0
               ? souk_channels_resync(conn, c->id, false, err)
               : SOUK_OK;
}

int souk_channels_create(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_channel *c,
                         char token_out[SOUK_CHANNELS_FEED_TOKEN_MAX], struct souk_err *err)
{
    char **collection_ids = NULL;
    int rc = validate(pool, c, err);
    if (rc == SOUK_OK)
        rc = check_price_list(conn, pool, c, err);
    if (rc == SOUK_OK)
        rc = resolve_collections(conn, pool, c, &collection_ids, err);
    if (rc != SOUK_OK)
        return rc;
    char id[SOUK_ID_MAX], hash[TOKEN_HASH_HEX + 1];
    souk_id_new("chn", id);
    c->id = souk_pool_strdup(pool, id);
    c->version = 1;
    c->created_at = c->updated_at = souk_time_now_us();
    new_token(token_out, hash);
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO channels (" CHANNEL_COLUMNS ", feed_token_hash) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        "ssssssssssssiiiss", c->id, c->platform, c->name, c->status, c->country, c->locale,
        c->currency, c->base_url, c->link_template, credentials_text(pool, c),
        selection_text(pool, c), pricing_text(pool, c), c->version, c->created_at, c->updated_at,
        c->on_shortfall, hash);
    if (changed == SOUK_ECONFLICT)
        return souk_err_set(err, SOUK_ECONFLICT, "name", "a channel named %.100s exists",
                            c->name);
    rc = changed < 0 ? (int)changed : write_collections(conn, c, collection_ids, err);
    return rc == SOUK_OK ? push_everything(conn, c, err) : rc;
}

int souk_channels_get(struct souk_db_conn *conn, struct souk_pool *pool, const char *id,
                      struct souk_channel **out, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT " CHANNEL_COLUMNS " FROM channels WHERE id = $1",
                           "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no channel %.64s", id);
    struct souk_channel *c = souk_pool_alloc(pool, sizeof *c);
    rc = read_channel_row(pool, st, c, err);
    if (rc == SOUK_OK)
        rc = load_collections(conn, pool, c, err);
    if (rc == SOUK_OK)
        *out = c;
    return rc;
}

static int check_version(struct souk_db_conn *conn, const char *id, int64_t expected,
                         struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT version FROM channels WHERE id = $1", "s", id);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no channel %.64s", id);
    if (expected >= 0 && souk_db_col_i64(st, 0) != expected)
        return souk_err_set(err, SOUK_EPRECOND, NULL,
                            "channel %.64s is at version %lld, not %lld", id,
                            (long long)souk_db_col_i64(st, 0), (long long)expected);
    return SOUK_OK;
}

int souk_channels_update(struct souk_db_conn *conn, struct souk_pool *pool, struct souk_channel *c,
                         int64_t expected_version, struct souk_err *err)
{
    char **collection_ids = NULL;
    int rc = check_version(conn, c->id, expected_version, err);
    if (rc == SOUK_OK)
        rc = validate(pool, c, err);
    if (rc == SOUK_OK)
        rc = check_price_list(conn, pool, c, err);
    if (rc == SOUK_OK)
        rc = resolve_collections(conn, pool, c, &collection_ids, err);
    if (rc != SOUK_OK)
        return rc;
    c->version++;
    c->updated_at = souk_time_now_us();
    int64_t changed = souk_db_run_sql(
        conn, err,
        "UPDATE channels SET platform = $2, name = $3, status = $4, country = $5, locale = $6, "
        "currency = $7, base_url = $8, link_template = $9, credentials = $10, selection = $11, "
        "pricing = $12, version = version + 1, updated_at = $13, on_shortfall = $14 WHERE id = $1",
        "ssssssssssssis", c->id, c->platform, c->name, c->status, c->country, c->locale,
        c->currency, c->base_url, c->link_template, credentials_text(pool, c),
        selection_text(pool, c), pricing_text(pool, c), c->updated_at, c->on_shortfall);
    if (changed == SOUK_ECONFLICT)
        return souk_err_set(err, SOUK_ECONFLICT, "name", "a channel named %.100s exists",
                            c->name);
    rc = changed < 0 ? (int)changed : write_collections(conn, c, collection_ids, err);
    return rc == SOUK_OK ? push_everything(conn, c, err) : rc;
}

int souk_channels_collection_delete(struct souk_db_conn *conn, const char *id,
                                    int64_t expected_version, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT c.id, c.name FROM channel_collections s JOIN channels c ON "
                             "c.id = s.channel_id WHERE s.collection_id = $1 ORDER BY c.id",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "s", id);
    char names[160] = ""; /* the message holds 255 bytes */
    size_t used = 0, n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        struct souk_str cid = souk_db_col_text(st, 0), name = souk_db_col_text(st, 1);
        if (used < sizeof names - 1) /* the first few name the problem; the count says the rest */
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%.*s (%.*s)",
                                     n ? ", " : "", (int)cid.len, cid.ptr,
                                     (int)(name.len > 40 ? 40 : name.len), name.ptr);
        if (used >= sizeof names)
            used = sizeof names - 1;
        n++;
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    if (n)
        return souk_err_set(err, SOUK_ECONFLICT, NULL,
                            "collection %.64s is in the selection of %zu channel(s): %s; take it "
                            "out of their selection.collections first",
                            id, n, names);
    return souk_catalog_collection_delete(conn, id, expected_version, err);
}

int souk_channels_delete(struct souk_db_conn *conn, const char *id, int64_t expected_version,
                         struct souk_err *err)
{
    int rc = check_version(conn, id, expected_version, err);
    int64_t ended = 0;
    if (rc == SOUK_OK) /* what it held goes back to the shared pool before its rows go */
        rc = souk_inventory_end_session(conn, id, NULL, &ended, err);
    if (rc != SOUK_OK)
        return rc;
    int64_t changed = souk_db_run_sql(conn, err, "DELETE FROM channels WHERE id = $1", "s", id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_list(struct souk_db_conn *conn, struct souk_pool *pool,
                       const struct souk_channel_filter *f, struct souk_channel **out,
                       size_t *count, bool *has_more, struct souk_err *err)
{
    if (f->limit < 1 || f->limit > 250)
        return souk_err_set(err, SOUK_EINVAL, "limit", "limit must be between 1 and 250");
    struct souk_db_stmt *st;
    int rc = souk_db_prepare(conn,
                             "SELECT " CHANNEL_COLUMNS " FROM channels WHERE (CAST($1 AS TEXT) IS NULL OR "
                             "platform = $1) AND id > $2 ORDER BY id LIMIT $3",
                             &st, err);
    if (rc == SOUK_OK)
        rc = souk_db_bind(st, "ssi", f->platform, f->after ? f->after : "", (int64_t)f->limit + 1);
    struct souk_channel *items = souk_pool_alloc(pool, ((size_t)f->limit + 1) * sizeof *items);
    size_t n = 0;
    while (rc == SOUK_OK && (rc = souk_db_step(st, err)) == 1) {
        rc = read_channel_row(pool, st, &items[n++], err);
    }
    if (rc < 0)
        return rc;
    *has_more = n > (size_t)f->limit;
    *count = *has_more ? (size_t)f->limit : n;
    for (size_t i = 0; rc == SOUK_OK && i < *count; i++)
        rc = load_collections(conn, pool, &items[i], err);
    if (rc != SOUK_OK)
        return rc;
    *out = items;
    return SOUK_OK;
}

int souk_channels_rotate_feed_token(struct souk_db_conn *conn, const char *id,
                                    char token_out[SOUK_CHANNELS_FEED_TOKEN_MAX],
                                    struct souk_err *err)
{
    char hash[TOKEN_HASH_HEX + 1];
    new_token(token_out, hash);
    int64_t changed =
        souk_db_run_sql(conn, err,
                        "UPDATE channels SET feed_token_hash = $2, version = version + 1, "
                        "updated_at = $3 WHERE id = $1",
                        "ssi", id, hash, souk_time_now_us());
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no channel %.64s", id);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_check_feed_token(struct souk_db_conn *conn, const char *id,
                                   struct souk_str token, struct souk_err *err)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char hash[TOKEN_HASH_HEX + 1];
    SHA256((const unsigned char *)(token.ptr ? token.ptr : ""), token.len, digest);
    souk_hex_encode(digest, sizeof digest, hash);
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT feed_token_hash FROM channels WHERE id = $1",
                           "s", id);
    if (rc < 0)
        return rc;
    bool ok = false;
    if (rc == 1) {
        struct souk_str stored = souk_db_col_text(st, 0);
        ok = stored.len == TOKEN_HASH_HEX && CRYPTO_memcmp(stored.ptr, hash, TOKEN_HASH_HEX) == 0;
    }
    return ok ? SOUK_OK
              : souk_err_set(err, SOUK_EUNAUTH, "token",
                             "the feed token is missing or wrong: add ?token= with the feed_token "
                             "the channel was created with, or rotate it");
}

/* ---- FX rates ---- */

int souk_channels_fx_set(struct souk_db_conn *conn, const char *base, const char *quote,
                         const char *rate, struct souk_err *err)
{
    if (!souk_money_currency(souk_str_from(base)) || !souk_money_currency(souk_str_from(quote)))
        return souk_err_set(err, SOUK_EINVAL, "currency",
                            "FX rates are between two ISO 4217 codes, e.g. /v1/fx_rates/EUR/USD");
    if (strcmp(base, quote) == 0)
        return souk_err_set(err, SOUK_EINVAL, "currency", "a rate needs two different currencies");
    struct souk_fx_rate parsed;
    int rc = souk_fx_rate_parse(souk_str_from(rate), &parsed, err);
    if (rc != SOUK_OK) {
        snprintf(err->param, sizeof err->param, "rate");
        return rc;
    }
    int64_t changed = souk_db_run_sql(
        conn, err,
        "INSERT INTO fx_rates (base, quote, rate, updated_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (base, quote) DO UPDATE SET rate = $3, updated_at = $4",
        "sssi", base, quote, rate, souk_time_now_us());
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_fx_delete(struct souk_db_conn *conn, const char *base, const char *quote,
                            struct souk_err *err)
{
    int64_t changed = souk_db_run_sql(conn, err,
                                      "DELETE FROM fx_rates WHERE base = $1 AND quote = $2", "ss",
                                      base, quote);
    if (changed == 0)
        return souk_err_set(err, SOUK_ENOTFOUND, NULL, "no rate from %.3s to %.3s", base, quote);
    return changed < 0 ? (int)changed : SOUK_OK;
}

int souk_channels_fx_list(struct souk_db_conn *conn, struct souk_pool *pool,
                          struct souk_fx_entry **out, size_t *count, struct souk_err *err)
{
    struct souk_db_stmt *st;
    int rc = souk_db_query(conn, err, &st, "SELECT count(*) FROM fx_rates", "");
    if (rc < 0)
        return rc;
    size_t cap = (size_t)souk_db_col_i64(st, 0);
    struct souk_fx_entry *items = souk_pool_alloc(pool, (cap ? cap : 1) * sizeof *items);
    rc = souk_db_prepare(conn,
                         "SELECT base, quote, rate, updated_at FROM fx_rates ORDER BY base, quote",
                         &st, err);
    size_t n = 0;
    while (rc == SOUK_OK && n < cap && (rc = souk_db_step(st, err)) == 1) {
        struct souk_fx_entry *e = &items[n++];
        struct souk_str base = souk_db_col_text(st, 0), quote = souk_db_col_text(st, 1);
        snprintf(e->base, sizeof e->base, "%.*s", (int)base.len, base.ptr);
        snprintf(e->quote, sizeof e->quote, "%.*s", (int)quote.len, quote.ptr);
        e->rate = souk_pool_str(pool, souk_db_col_text(st, 2));
        e->updated_at = souk_db_col_i64(st, 3);
        rc = SOUK_OK;
    }
    if (rc < 0)
        return rc;
    *out = items;
    *count = n;
    return SOUK_OK;
}

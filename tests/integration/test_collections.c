/*
 * Integration tests of collections: the REST resource against a real souk (demo catalog), and
 * a channel that carries products by collection against a real `souk sim`: its feed holds
 * exactly the members, and adding or removing a member reaches the platform.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness.h"

struct world {
    struct souk_h_server souk, sim;
    char products[3][SOUK_H_ID_MAX]; /* three demo products */
    char skus[3][64];                /* the first SKU of each */
    size_t variants[3];              /* how many variants each has */
};

static int setup(void **state)
{
    static struct world w;
    memset(&w, 0, sizeof w);
    souk_h_sim_start(&w.sim, NULL);
    souk_h_start(&w.souk, "--seed-demo");
    /* The seed's own changes are fanned out before any channel appears (see test_sync.c). */
    souk_h_wait_metric(&w.souk, "souk_outbox_backlog 0");
    json_t *page = souk_h_get(&w.souk, "/v1/products?limit=3");
    for (int i = 0; i < 3; i++) {
        json_t *p = json_array_get(souk_h_at(page, "data"), (size_t)i);
        snprintf(w.products[i], sizeof w.products[i], "%s", souk_h_str(p, "id"));
        snprintf(w.skus[i], sizeof w.skus[i], "%s", souk_h_text(p, "variants[0].sku"));
        w.variants[i] = json_array_size(json_object_get(p, "variants"));
    }
    json_decref(page);
    *state = &w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    souk_h_cleanup(&w->souk);
    souk_h_cleanup(&w->sim);
    return 0;
}

/* Sends method path with an If-Match of version (0: none) and body; returns the status. */
static long send_if_match(struct world *w, const char *method, const char *path, int version,
                          const char *body, struct souk_h_resp *r)
{
    char if_match[32];
    snprintf(if_match, sizeof if_match, "If-Match: \"%d\"", version);
    const char *headers[] = {if_match, NULL};
    souk_h_request(&w->souk, method, path, w->souk.key, body, version ? headers : NULL, r);
    return r->status;
}

static void crud_with_etags_and_bad_input(void **state)
{
    struct world *w = *state;
    char body[512], path[256], id[SOUK_H_ID_MAX];
    snprintf(body, sizeof body,
             "{\"title\": \"Summer Drop\", \"description\": \"Hot\", \"translations\": {\"de\": "
             "{\"title\": \"Sommer\"}}, \"product_ids\": [\"%s\", \"%s\"]}",
             w->products[0], w->products[1]);
    struct souk_h_resp r;
    souk_h_request(&w->souk, "POST", "/v1/collections", w->souk.key, body, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.etag, "\"1\"");
    assert_string_equal(souk_h_str(r.json, "handle"), "summer-drop");
    snprintf(id, sizeof id, "%s", souk_h_str(r.json, "id"));
    assert_int_equal(strncmp(id, "col_", 4), 0);
    souk_h_resp_release(&r);

    snprintf(path, sizeof path, "/v1/products/%s", w->products[0]);
    json_t *p = souk_h_get(&w->souk, path);
    assert_string_equal(souk_h_text(p, "collections[0]"), "summer-drop");
    json_decref(p);
    assert_int_equal(souk_h_count(&w->souk, "/v1/products?collection=summer-drop"), 2);

    /* Bad input: each a 4xx naming the field, and nothing changes. */
    souk_h_request(&w->souk, "POST", "/v1/collections", w->souk.key,
                   "{\"title\": \"Again\", \"handle\": \"summer-drop\"}", NULL, &r);
    souk_h_assert_error(&r, 409, "conflict", "handle");
    souk_h_resp_release(&r);
    souk_h_request(&w->souk, "POST", "/v1/collections", w->souk.key,
                   "{\"title\": \"Bad\", \"handle\": \"Summer Drop\"}", NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "handle");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/collections/%s/products", id);
    souk_h_request(&w->souk, "PUT", path, w->souk.key, "{\"product_ids\": [\"prod_nope\"]}", NULL,
                   &r);
    souk_h_assert_error(&r, 422, "unprocessable", "product_ids[0]");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/collections/%s", id);
    assert_int_equal(send_if_match(w, "PATCH", path, 9, "{\"title\": \"Late\"}", &r), 412);
    souk_h_resp_release(&r);
    assert_int_equal(send_if_match(w, "PATCH", path, 1, "{\"handle\": \"summer-26\"}", &r), 200);
    assert_string_equal(r.etag, "\"2\"");
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/products/%s", w->products[0]);
    p = souk_h_get(&w->souk, path);
    assert_string_equal(souk_h_text(p, "collections[0]"), "summer-26");
    json_decref(p);

    /* Members one at a time, with the collection's ETag. */
    snprintf(path, sizeof path, "/v1/collections/%s/products", id);
    snprintf(body, sizeof body, "{\"product_id\": \"%s\"}", w->products[2]);
    assert_int_equal(send_if_match(w, "POST", path, 1, body, &r), 412);
    souk_h_resp_release(&r);
    assert_int_equal(send_if_match(w, "POST", path, 2, body, &r), 200);
    assert_int_equal(json_array_size(souk_h_at(r.json, "product_ids")), 3);
    assert_string_equal(souk_h_text(r.json, "product_ids[2]"), w->products[2]);
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/collections/%s/products/%s", id, w->products[0]);
    json_t *c = souk_h_call(&w->souk, "DELETE", path, NULL, 200);
    assert_string_equal(souk_h_text(c, "product_ids[0]"), w->products[1]);
    json_decref(c);
    souk_h_request(&w->souk, "DELETE", path, w->souk.key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);

    /* Pages by cursor. */
    souk_h_create(&w->souk, "/v1/collections", "{\"title\": \"Winter\"}", id);
    json_t *page = souk_h_get(&w->souk, "/v1/collections?limit=1");
    assert_true(json_is_true(souk_h_at(page, "has_more")));
    snprintf(path, sizeof path, "/v1/collections?limit=1&after=%s",
             souk_h_text(page, "next_cursor"));
    json_decref(page);
    page = souk_h_get(&w->souk, path);
    assert_string_equal(souk_h_text(page, "data[0].id"), id);
    assert_false(json_is_true(souk_h_at(page, "has_more")));
    json_decref(page);

    snprintf(path, sizeof path, "/v1/collections/%s", id);
    json_decref(souk_h_call(&w->souk, "DELETE", path, NULL, 200));
    souk_h_request(&w->souk, "GET", path, w->souk.key, NULL, NULL, &r);
    souk_h_assert_error(&r, 404, "not_found", NULL);
    souk_h_resp_release(&r);
}

/* True when the feed's text holds the SKU as a row's first field. */
static bool feed_has(const struct souk_buf *feed, const char *sku)
{
    char row[96];
    snprintf(row, sizeof row, "\n%s,", sku);
    return strstr(feed->data, row) != NULL;
}

static void a_channel_carries_its_collections_members(void **state)
{
    struct world *w = *state;
    char body[1024], path[256], col[SOUK_H_ID_MAX];
    snprintf(body, sizeof body, "{\"title\": \"Drop\", \"product_ids\": [\"%s\", \"%s\"]}",
             w->products[0], w->products[1]);
    souk_h_create(&w->souk, "/v1/collections", body, col);
    const char *channel_body =
        "{\"platform\": \"meta\", \"name\": \"Drop shop\", \"country\": \"US\", \"locale\": "
        "\"en\", \"currency\": \"USD\", \"base_url\": \"http://127.0.0.1:%u\", "
        "\"link_template\": \"https://shop.example/p/{handle}\", \"credentials\": "
        "{\"access_token\": \"sim-meta-access-token\", \"catalog_id\": \"1234567890\"}, "
        "\"selection\": {\"collections\": [\"%s\"]}}";
    struct souk_h_resp r;
    /* An unknown handle is named, and no channel is made. */
    snprintf(body, sizeof body, channel_body, w->sim.port, "no-such-drop");
    souk_h_request(&w->souk, "POST", "/v1/channels", w->souk.key, body, NULL, &r);
    souk_h_assert_error(&r, 400, "invalid_request", "selection.collections");
    assert_non_null(strstr(souk_h_text(r.json, "error.message"), "no-such-drop"));
    souk_h_resp_release(&r);

    snprintf(body, sizeof body, channel_body, w->sim.port, "drop");
    souk_h_request(&w->souk, "POST", "/v1/channels", w->souk.key, body, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(souk_h_text(r.json, "selection.collections[0]"), "drop");
    char channel[SOUK_H_ID_MAX], token[128];
    snprintf(channel, sizeof channel, "%s", souk_h_str(r.json, "id"));
    snprintf(token, sizeof token, "%s", souk_h_str(r.json, "feed_token"));
    souk_h_resp_release(&r);

    /* The platform gets the members' variants and nothing else; the feed says the same. */
    souk_h_sim_wait_count(&w->sim, "meta", w->variants[0] + w->variants[1]);
    json_t *item = souk_h_sim_item(&w->sim, "meta", w->skus[2]);
    assert_null(item);
    snprintf(path, sizeof path, "/feeds/%s/csv?token=%s", channel, token);
    souk_h_request(&w->souk, "GET", path, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(feed_has(&r.body, w->skus[0]) && feed_has(&r.body, w->skus[1]));
    assert_false(feed_has(&r.body, w->skus[2]));
    size_t rows = 0;
    for (const char *c = r.body.data; *c; c++)
        rows += *c == '\n';
    assert_int_equal(rows, 1 + w->variants[0] + w->variants[1]); /* the header, then items */
    souk_h_resp_release(&r);
    snprintf(path, sizeof path, "/v1/channels/%s/diagnostics", channel);
    json_t *d = souk_h_get(&w->souk, path);
    assert_int_equal(souk_h_int(d, "products"), 2);
    json_decref(d);

    /* A new member reaches the platform; a removed one leaves it. */
    snprintf(path, sizeof path, "/v1/collections/%s/products", col);
    snprintf(body, sizeof body, "{\"product_id\": \"%s\"}", w->products[2]);
    json_decref(souk_h_call(&w->souk, "POST", path, body, 200));
    souk_h_sim_wait_count(&w->sim, "meta", w->variants[0] + w->variants[1] + w->variants[2]);
    item = souk_h_sim_item(&w->sim, "meta", w->skus[2]);
    assert_non_null(item);
    json_decref(item);
    snprintf(path, sizeof path, "/v1/collections/%s/products/%s", col, w->products[0]);
    json_decref(souk_h_call(&w->souk, "DELETE", path, NULL, 200));
    souk_h_sim_wait_quantity(&w->sim, "meta", w->skus[0], -1);
    souk_h_sim_wait_count(&w->sim, "meta", w->variants[1] + w->variants[2]);

    /* Renaming keeps the channel on the same collection; deleting it is refused, naming the
     * channel, while the channel selects it. */
    snprintf(path, sizeof path, "/v1/collections/%s", col);
    json_decref(souk_h_call(&w->souk, "PATCH", path, "{\"handle\": \"drop-26\"}", 200));
    snprintf(path, sizeof path, "/v1/channels/%s", channel);
    json_t *c = souk_h_get(&w->souk, path);
    assert_string_equal(souk_h_text(c, "selection.collections[0]"), "drop-26");
    json_decref(c);
    snprintf(path, sizeof path, "/v1/collections/%s", col);
    souk_h_request(&w->souk, "DELETE", path, w->souk.key, NULL, NULL, &r);
    souk_h_assert_error(&r, 409, "conflict", NULL);
    assert_non_null(strstr(souk_h_text(r.json, "error.message"), channel));
    souk_h_resp_release(&r);

    /* Out of the selection, the collection can go; the channel then carries everything. */
    snprintf(path, sizeof path, "/v1/channels/%s", channel);
    json_decref(
        souk_h_call(&w->souk, "PATCH", path, "{\"selection\": {\"collections\": []}}", 200));
    snprintf(path, sizeof path, "/v1/collections/%s", col);
    json_decref(souk_h_call(&w->souk, "DELETE", path, NULL, 200));
    item = NULL;
    for (int i = 0; i < 500 && !item; i++) {
        item = souk_h_sim_item(&w->sim, "meta", w->skus[0]);
        if (!item)
            souk_h_sleep_ms(20);
    }
    assert_non_null(item);
    json_decref(item);
}

/* GETs the feed at path with If-None-Match: etag (none when NULL); copies its ETag into etag. */
static long fetch_feed(struct world *w, const char *path, char etag[96], struct souk_h_resp *r)
{
    char header[128];
    snprintf(header, sizeof header, "If-None-Match: %s", etag);
    const char *headers[] = {header, NULL};
    souk_h_request(&w->souk, "GET", path, NULL, NULL, etag[0] ? headers : NULL, r);
    if (r->status == 200)
        snprintf(etag, 96, "%s", r->etag);
    return r->status;
}

/*
 * A feed client holding the ETag of a channel that selects by collection sees every change of
 * the members (200 with the new rows), and keeps its copy (304) when only the collection's
 * title changes: the feed shows no collection, so nothing it shows moved.
 */
static void a_feed_by_collection_changes_with_its_members(void **state)
{
    struct world *w = *state;
    char body[1024], path[256], col[SOUK_H_ID_MAX], etag[96] = "";
    snprintf(body, sizeof body, "{\"title\": \"Drop\", \"product_ids\": [\"%s\"]}",
             w->products[0]);
    souk_h_create(&w->souk, "/v1/collections", body, col);
    snprintf(body, sizeof body,
             "{\"platform\": \"snapchat\", \"name\": \"Drop feed\", \"country\": \"US\", "
             "\"locale\": \"en\", \"currency\": \"USD\", \"link_template\": "
             "\"https://shop.example/p/{handle}\", \"credentials\": {\"access_token\": \"t\", "
             "\"catalog_id\": \"1\"}, \"selection\": {\"collections\": [\"drop\"]}}");
    struct souk_h_resp r;
    souk_h_request(&w->souk, "POST", "/v1/channels", w->souk.key, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(path, sizeof path, "/feeds/%s/csv?token=%s", souk_h_str(r.json, "id"),
             souk_h_str(r.json, "feed_token"));
    souk_h_resp_release(&r);
    assert_int_equal(fetch_feed(w, path, etag, &r), 200);
    assert_true(feed_has(&r.body, w->skus[0]) && !feed_has(&r.body, w->skus[1]));
    souk_h_resp_release(&r);

    char col_path[128];
    snprintf(col_path, sizeof col_path, "/v1/collections/%s", col);
    json_decref(souk_h_call(&w->souk, "PATCH", col_path, "{\"title\": \"Drop 26\"}", 200));
    assert_int_equal(fetch_feed(w, path, etag, &r), 304);
    souk_h_resp_release(&r);

    char members[192];
    snprintf(members, sizeof members, "/v1/collections/%s/products", col);
    snprintf(body, sizeof body, "{\"product_id\": \"%s\"}", w->products[1]);
    json_decref(souk_h_call(&w->souk, "POST", members, body, 200));
    assert_int_equal(fetch_feed(w, path, etag, &r), 200);
    assert_true(feed_has(&r.body, w->skus[0]) && feed_has(&r.body, w->skus[1]));
    souk_h_resp_release(&r);

    snprintf(members, sizeof members, "/v1/collections/%s/products/%s", col, w->products[0]);
    json_decref(souk_h_call(&w->souk, "DELETE", members, NULL, 200));
    assert_int_equal(fetch_feed(w, path, etag, &r), 200);
    assert_true(!feed_has(&r.body, w->skus[0]) && feed_has(&r.body, w->skus[1]));
    souk_h_resp_release(&r);

    /* A whole new member list (PUT) is a change too. */
    snprintf(members, sizeof members, "/v1/collections/%s/products", col);
    snprintf(body, sizeof body, "{\"product_ids\": [\"%s\"]}", w->products[2]);
    json_decref(souk_h_call(&w->souk, "PUT", members, body, 200));
    assert_int_equal(fetch_feed(w, path, etag, &r), 200);
    assert_true(!feed_has(&r.body, w->skus[1]) && feed_has(&r.body, w->skus[2]));
    souk_h_resp_release(&r);
    assert_int_equal(fetch_feed(w, path, etag, &r), 304);
    souk_h_resp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(crud_with_etags_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(a_channel_carries_its_collections_members, setup, teardown),
        cmocka_unit_test_setup_teardown(a_feed_by_collection_changes_with_its_members, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

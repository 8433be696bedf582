/*
 * push_fixture: what the connector push tests (test_push_*.c beside it) share. Each test gets
 * `souk sim` started in-process on a free loopback port, a platform HTTP client, a pool, and a
 * channel of one platform pointed at the sim with the credentials the test gives, so the
 * connector's push runs over real HTTP; two helpers send the sim its control requests.
 *
 * Why a header of static functions rather than a .c: CMake builds every tests/unit/ test_*.c
 * as an executable of its own, linked with souk_lib and cmocka only, so a shared .c would be
 * linked into none of them (and the build has no place for unit-test support code); the tests
 * also #include a connector's .c for its statics, and this header sits beside them in the same
 * translation unit. The functions are `static inline` only so that a test which does not use
 * one of them gets no -Wunused-function error.
 *
 * Include it after cmocka.h. Ownership: the fixture owns the sim, client and pool, and
 * push_fixture_teardown frees them; JSON the helpers return is the caller's to json_decref.
 * Depends on channels_int.h, sim/sim.h, core/ and cmocka; never on the store.
 */
#ifndef SOUK_TESTS_UNIT_CHANNELS_PUSH_FIXTURE_H
#define SOUK_TESTS_UNIT_CHANNELS_PUSH_FIXTURE_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "channels/channels_int.h"
#include "core/alloc.h"
#include "core/err.h"
#include "core/pool.h"
#include "sim/sim.h"

#define PUSH_FIXTURE_CREDENTIALS_MAX 8

struct push_fixture {
    struct souk_sim *sim;
    struct souk_channels__client *client;
    struct souk_pool *pool;                           /* lives for one test */
    const struct souk_channels__connector *connector; /* whose push push_fixture_run calls */
    struct souk_channel_credential credentials[PUSH_FIXTURE_CREDENTIALS_MAX];
    struct souk_channel channel; /* base_url and credentials point into this fixture */
    char base_url[64];           /* the sim's: "http://127.0.0.1:<port>" */
};

/*
 * A cmocka setup's body: starts the sim and puts a fixture in *state whose channel is a copy of
 * *channel for connector's platform, with the n credentials creds (copied; at most
 * PUSH_FIXTURE_CREDENTIALS_MAX) and the sim as its base URL. Returns 0; fails the test when the
 * sim does not start.
 */
static inline int push_fixture_setup(void **state, const struct souk_channels__connector *connector,
                                     const struct souk_channel *channel,
                                     const struct souk_channel_credential *creds, size_t n)
{
    assert_true(n <= PUSH_FIXTURE_CREDENTIALS_MAX);
    struct push_fixture *f = souk_calloc(1, sizeof *f);
    struct souk_sim_config config = {.listen = "127.0.0.1:0"};
    struct souk_err err = SOUK_ERR_INIT;
    assert_int_equal(souk_sim_start(&config, &f->sim, &err), SOUK_OK);
    snprintf(f->base_url, sizeof f->base_url, "http://127.0.0.1:%u", souk_sim_port(f->sim));
    f->client = souk_channels__client_new();
    f->pool = souk_pool_new();
    f->connector = connector;
    memcpy(f->credentials, creds, n * sizeof *creds);
    f->channel = *channel;
    f->channel.platform = (char *)connector->platform;
    f->channel.base_url = f->base_url;
    f->channel.credentials = f->credentials;
    f->channel.ncredentials = n;
    *state = f;
    return 0;
}

/* A cmocka teardown: stops the sim and frees what push_fixture_setup made. */
static inline int push_fixture_teardown(void **state)
{
    struct push_fixture *f = *state;
    souk_pool_free(f->pool);
    souk_channels__client_free(f->client);
    souk_sim_stop(f->sim);
    souk_free(f);
    return 0;
}

/* Runs the connector's push of the n items with a fresh out, and asserts it returns SOUK_OK. */
static inline void push_fixture_run(struct push_fixture *f, struct souk_channels__push *items,
                                    size_t n, struct souk_channels__batch_outcome *out)
{
    *out = (struct souk_channels__batch_outcome){.retry_after_s = -1};
    assert_int_equal(f->connector->push(&f->channel, f->client, f->pool, items, n, out), SOUK_OK);
}

/*
 * A control request to the sim: GET path, or POST body (JSON) to it when body is not NULL.
 * Returns the parsed answer when the sim said 200, else NULL; json_decref it.
 */
static inline json_t *push_fixture_sim(struct push_fixture *f, const char *path, const char *body)
{
    struct souk_channels__request req = {
        .url = souk_pool_printf(f->pool, "%s%s", f->base_url, path),
        .body = body,
        .body_len = body ? strlen(body) : 0,
    };
    struct souk_channels__response resp;
    assert_int_equal(souk_channels__client_call(f->client, &req, &resp), SOUK_OK);
    json_error_t jerr;
    json_t *answer =
        resp.status == 200 ? json_loadb(resp.body.data, resp.body.len, 0, &jerr) : NULL;
    souk_channels__response_release(&resp);
    return answer;
}

/* How many requests the sim logged for platform at path. */
static inline size_t push_fixture_requests(struct push_fixture *f, const char *platform,
                                           const char *path)
{
    json_t *log = push_fixture_sim(
        f, souk_pool_printf(f->pool, "/_sim/requests?platform=%s", platform), NULL);
    size_t i, n = 0;
    json_t *req;
    json_array_foreach(json_object_get(log, "requests"), i, req)
    {
        n += strcmp(json_string_value(json_object_get(req, "path")), path) == 0;
    }
    json_decref(log);
    return n;
}

/* Queues a fault (POST /_sim/faults, docs/internals/sim.md) and asserts the sim took it. */
static inline void push_fixture_fault(struct push_fixture *f, const char *fault)
{
    struct souk_channels__request req = {
        .url = souk_pool_printf(f->pool, "%s/_sim/faults", f->base_url),
        .body = fault,
        .body_len = strlen(fault),
    };
    struct souk_channels__response resp;
    assert_int_equal(souk_channels__client_call(f->client, &req, &resp), SOUK_OK);
    assert_int_equal(resp.status, 200);
    souk_channels__response_release(&resp);
}

#endif

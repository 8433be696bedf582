/*
 * harness: what integration tests stand on. It runs the real `souk` binary (SOUK_BIN) as a
 * child process: `souk serve` on a free 127.0.0.1 port with a fresh SQLite store in a temp
 * directory, and the CLI subcommands against the same store. Requests go over real HTTP with
 * libcurl, or over a raw socket when a test must hold a request half-sent. Every helper fails
 * the current cmocka test on a harness error, so tests read as the behaviour they check.
 *
 * Ownership: buffers and JSON handed out are the caller's (souk_buf_release, json_decref,
 * souk_h_resp_release); JSON returned by souk_h_at and souk_h_text is borrowed from its root.
 * Depends on souk's core/str (buffers), jansson, libcurl and cmocka; on no other part of souk.
 * souk_h_sql runs the sqlite3 command-line shell (Debian's sqlite3, in scripts/packages.txt).
 */
#ifndef SOUK_TESTS_HARNESS_H
#define SOUK_TESTS_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/str.h"

#define SOUK_H_KEY_MAX 160
#define SOUK_H_ID_MAX 64

struct souk_h_server {
    char dir[64];               /* temp directory holding the store and the server log */
    char db[128];               /* "--db" value: "sqlite:<dir>/souk.db" */
    char log_path[128];         /* the server's stderr (logfmt access log and sanitizer reports) */
    char key[SOUK_H_KEY_MAX];   /* an admin API key */
    char key_id[SOUK_H_ID_MAX]; /* its id, "key_..." */
    pid_t pid;                  /* 0 when not running */
    uint16_t port;
};

/* ---- the server ---- */

/*
 * Makes the temp dir, migrates, mints an admin key and starts `souk serve [extra_flag]`
 * (extra_flag may be NULL, or e.g. "--seed-demo"); returns once the server logged its port.
 */
void souk_h_start(struct souk_h_server *s, const char *extra_flag);
/* Starts `souk serve` again on the store of a stopped s (a new port, a fresh log). */
void souk_h_restart(struct souk_h_server *s);
/* SIGTERM, then waits: returns the exit status (0 for a graceful stop), -1 if it was killed. */
int souk_h_stop(struct souk_h_server *s);
/* Stops the server if it runs and removes the temp dir. */
void souk_h_cleanup(struct souk_h_server *s);

/* cmocka fixtures: a fresh server per test in *state, cleaned up afterwards. */
int souk_h_setup(void **state);
int souk_h_teardown(void **state);

/*
 * Starts `souk sim --listen 127.0.0.1:0 [--config config]` with stderr in a temp log, waits for
 * its one stdout line and fills s (pid, port, dir, log_path), so the HTTP helpers talk to it
 * and souk_h_cleanup stops it. s->key stays empty: the sim takes platform credentials.
 */
void souk_h_sim_start(struct souk_h_server *s, const char *config);

/* ---- the command line ---- */

/*
 * Runs SOUK_BIN with the NULL-terminated arguments; stdin from stdin_path (or /dev/null),
 * stdout and stderr captured into out and errout (either may be NULL). Returns the exit status
 * (-1 when the child died of a signal).
 */
int souk_h_run(const char *stdin_path, struct souk_buf *out, struct souk_buf *errout,
               const char *arg, ...);

/*
 * Runs sql (one or more statements) with the sqlite3 CLI on the store of s, which must be
 * stopped (souk_h_stop): for a test that moves the store's timestamps, as if a day had passed,
 * rather than the server growing a flag for it. Fails the test when sqlite3 fails.
 */
void souk_h_sql(const struct souk_h_server *s, const char *sql);

/* Appends the contents of the file at path to out; fails the test when it cannot be read. */
void souk_h_read_file(const char *path, struct souk_buf *out);

/* Mints a key with the given comma-separated scopes against s's store; writes it and its id. */
void souk_h_mint(struct souk_h_server *s, const char *scopes, char key[SOUK_H_KEY_MAX],
                 char key_id[SOUK_H_ID_MAX]);
/* Revokes the key with this id (`souk apikey revoke`); fails the test if the CLI refuses. */
void souk_h_revoke(struct souk_h_server *s, const char *key_id);

/* The store's full JSON-lines export (for "the store is unchanged" checks); initialises out. */
void souk_h_export(struct souk_h_server *s, struct souk_buf *out);
/* Fails the test, naming what and the first differing line, unless a and b are byte-equal. */
void souk_h_assert_same_export(const struct souk_buf *a, const struct souk_buf *b,
                               const char *what);

/* ---- HTTP ---- */

struct souk_h_resp {
    long status;
    struct souk_buf body;
    json_t *json; /* parsed body when it is JSON, else NULL */
    char etag[64];
    char location[256];
    char content_type[128];
    char allow[64];
    char www_authenticate[128];
    char request_id[64]; /* X-Request-Id */
};

/*
 * Sends method path (relative to the server) with `Authorization: Bearer key` unless key is
 * NULL, body (if any) as application/json unless headers set another Content-Type, and the
 * NULL-terminated extra headers (NULL for none). Fills *resp; release it with
 * souk_h_resp_release. A transport failure fails the test and shows the server log's tail.
 */
void souk_h_request(const struct souk_h_server *s, const char *method, const char *path,
                    const char *key, const char *body, const char *const *headers,
                    struct souk_h_resp *resp);
void souk_h_resp_release(struct souk_h_resp *resp);

#define SOUK_H_PARALLEL_MAX 32

/* One request of a souk_h_parallel batch; resp is filled like souk_h_request's. */
struct souk_h_call {
    const char *method, *path, *body;
    const char *const *headers; /* NULL-terminated, or NULL */
    struct souk_h_resp resp;
};

/*
 * Sends the n calls (at most SOUK_H_PARALLEL_MAX) at once, each on its own connection, all with
 * key, and returns when every one has its answer. Release each calls[i].resp afterwards.
 */
void souk_h_parallel(const struct souk_h_server *s, const char *key, struct souk_h_call *calls,
                     size_t n);

/*
 * Asserts status and the one error shape {"error":{"type","message","param","request_id"}}
 * with this type and param (NULL for a null param), a non-empty message and a request_id that
 * matches the X-Request-Id header.
 */
void souk_h_assert_error(const struct souk_h_resp *resp, long status, const char *type,
                         const char *param);

/* POSTs body to path with the admin key, asserts 201 and writes the new object's "id". */
void souk_h_create(const struct souk_h_server *s, const char *path, const char *body,
                   char id[SOUK_H_ID_MAX]);
/*
 * Sends method path with the admin key and body (NULL for none), asserts the status want and
 * returns the parsed answer (json_decref it; NULL when the answer is not JSON).
 */
json_t *souk_h_call(const struct souk_h_server *s, const char *method, const char *path,
                    const char *body, long want);
/* GETs path with the admin key, asserts 200 and returns the parsed body (json_decref it). */
json_t *souk_h_get(const struct souk_h_server *s, const char *path);
/* The length of the "data" array of the list page at path (GET with the admin key). */
size_t souk_h_count(const struct souk_h_server *s, const char *path);

/* ---- JSON ---- */

/* A string member of a JSON object ("" when absent), for brevity in tests. */
const char *souk_h_str(json_t *obj, const char *name);
/* The value at a path such as "variants[0].prices[1].amount" under root; NULL when absent. */
json_t *souk_h_at(json_t *root, const char *path);
/* The string at path ("" when absent or not a string). */
const char *souk_h_text(json_t *root, const char *path);
/* The integer at path; fails the test when there is none. */
int64_t souk_h_int(json_t *root, const char *path);

/* ---- the server's log and state ---- */

/*
 * Waits (up to 10 s) for a line of the server log that contains every one of the
 * NULL-terminated needles, and copies it into line (linesz bytes; line may be NULL).
 */
void souk_h_wait_log(const struct souk_h_server *s, char *line, size_t linesz, const char *needle,
                     ...);
/* True when the server log contains text anywhere. */
bool souk_h_log_contains(const struct souk_h_server *s, const char *text);

/*
 * Waits (up to 10 s) until exactly n requests other than the polling one are between their
 * first byte and their completion, as /metrics reports souk_http_requests_in_flight.
 */
void souk_h_wait_in_flight(const struct souk_h_server *s, int n);

/* Polls GET /metrics until it shows `sample` (a whole metric line, e.g. `name{..} 1`). */
void souk_h_wait_metric(const struct souk_h_server *s, const char *sample);

/* ---- the platform simulator and channel sync ---- */

/*
 * The sim's view of one item of platform (GET /_sim/items/{platform}/{id}; id is what that
 * platform finds it by, the SKU for all of them): the parsed body, or NULL when the platform does
 * not have it (404). Any other answer fails the test. json_decref the result.
 */
json_t *souk_h_sim_item(const struct souk_h_server *sim, const char *platform, const char *id);
/* Every item the sim holds for platform (GET /_sim/items?platform=P): an array to json_decref. */
json_t *souk_h_sim_items(const struct souk_h_server *sim, const char *platform);
/*
 * Points every product's image at a PNG the sim serves (GET /_sim/images/800x800.png?p=HANDLE,
 * one URL per product), as a merchant's CDN serves them: a platform that takes only image
 * files (TikTok Shop) gets them from there. Returns how many active products there are.
 */
size_t souk_h_images_on_sim(const struct souk_h_server *s, const struct souk_h_server *sim);
/* How many items the sim holds for platform. */
size_t souk_h_sim_count(const struct souk_h_server *sim, const char *platform);
/* Waits (up to 10 s) until the sim holds exactly n items for platform. */
void souk_h_sim_wait_count(const struct souk_h_server *sim, const char *platform, size_t n);
/* Waits (up to 10 s) until platform shows the item id with this quantity (-1: absent). */
void souk_h_sim_wait_quantity(const struct souk_h_server *sim, const char *platform, const char *id,
                              int64_t quantity);
/* Queues a fault (POST /_sim/faults, fault a JSON object as docs/internals/sim.md describes);
 * fails the test unless the sim takes it. */
void souk_h_sim_fault(const struct souk_h_server *sim, const char *fault);
/* Has the sim deliver platform's order notifications to souk's webhook for channel. */
void souk_h_sim_deliver_to(const struct souk_h_server *sim, const struct souk_h_server *souk,
                           const char *platform, const char *channel);

/*
 * Sets on_hand of the variant whose SKU is sku in the warehouse with this code (PUT
 * /v1/stock/{variant}/{warehouse}, both ids found through GET /v1/products?q=sku) with s's admin
 * key; fails the test when there is no such variant or stock row, or souk refuses the change.
 */
void souk_h_set_stock(const struct souk_h_server *s, const char *sku, const char *warehouse_code,
                      int on_hand);

/* The sync status of channel (GET /v1/channels/{id}/sync with the admin key); json_decref it. */
json_t *souk_h_sync_status(const struct souk_h_server *s, const char *channel);
/* Waits (up to 10 s) until channel has nothing pending and no resync under way; returns its
 * sync status (json_decref). */
json_t *souk_h_wait_settled(const struct souk_h_server *s, const char *channel);
/* Waits (up to 10 s) until channel has nothing pending and n items synced; returns its status. */
json_t *souk_h_wait_synced(const struct souk_h_server *s, const char *channel, int64_t n);
/* Waits (up to 10 s) until channel's pending changes are n, every one held by the platform's
 * update limit, with no resync under way; returns its sync status (json_decref). */
json_t *souk_h_wait_held(const struct souk_h_server *s, const char *channel, int64_t n);
/* Waits (up to 10 s) until channel's last_error contains needle ("": any error); returns its
 * sync status (json_decref it). */
json_t *souk_h_wait_sync_error(const struct souk_h_server *s, const char *channel,
                               const char *needle);

/* ---- raw HTTP, for requests a client holds half-sent ---- */

/* A TCP connection to the server. */
int souk_h_raw_connect(const struct souk_h_server *s);
void souk_h_raw_send(int fd, const char *data, size_t len);
/* Reads one whole response (headers and Content-Length body) into out within 10 s; returns
 * the status code. out receives the raw bytes; *body_at (may be NULL) the body's offset. */
long souk_h_raw_response(int fd, struct souk_buf *out, size_t *body_at);

void souk_h_sleep_ms(int ms);

#endif

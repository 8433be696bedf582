/*
 * harness: what integration tests stand on. It runs the real `souk` binary (SOUK_BIN) as a
 * child process: `souk serve` on a free 127.0.0.1 port with a fresh SQLite store in a temp
 * directory, and the CLI subcommands against the same store. Requests go over real HTTP with
 * libcurl. Every helper fails the current cmocka test on a harness error, so tests read as the
 * behaviour they check.
 */
#ifndef SOUK_TESTS_HARNESS_H
#define SOUK_TESTS_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/str.h"

struct souk_h_server {
    char dir[64];       /* temp directory holding the store and the server log */
    char db[128];       /* "--db" value: "sqlite:<dir>/souk.db" */
    char log_path[128]; /* the server's stderr (logfmt) */
    char key[160];      /* an admin API key */
    char key_id[64];
    pid_t pid;          /* 0 when not running */
    uint16_t port;
};

/* Makes the temp dir, migrates, mints an admin key and starts `souk serve [extra_flag]`. */
void souk_h_start(struct souk_h_server *s, const char *extra_flag);
/* SIGTERM, then waits: returns the exit status (0 for a graceful stop), -1 if it was killed. */
int souk_h_stop(struct souk_h_server *s);
/* Stops the server if it runs and removes the temp dir. */
void souk_h_cleanup(struct souk_h_server *s);

/* cmocka fixtures: a fresh server per test in *state, cleaned up afterwards. */
int souk_h_setup(void **state);
int souk_h_teardown(void **state);

/*
 * Runs SOUK_BIN with the NULL-terminated arguments; stdin from stdin_path (or /dev/null),
 * stdout and stderr captured into out and errout (either may be NULL). Returns the exit status.
 */
int souk_h_run(const char *stdin_path, struct souk_buf *out, struct souk_buf *errout,
               const char *arg, ...);

/* Mints a key with the given scopes against s's store; writes it and its id. */
void souk_h_mint(struct souk_h_server *s, const char *scopes, char key[160], char key_id[64]);

/* The store's full JSON-lines export (for "the store is unchanged" checks). */
void souk_h_export(struct souk_h_server *s, struct souk_buf *out);

struct souk_h_resp {
    long status;
    struct souk_buf body;
    json_t *json; /* parsed body when it is JSON, else NULL */
    char etag[64];
    char location[256];
    char content_type[128];
    char allow[64];
    char www_authenticate[128];
};

/*
 * Sends method path (relative to the server) with `Authorization: Bearer key` unless key is
 * NULL, body (if any) as application/json unless headers set another Content-Type, and the
 * NULL-terminated extra headers. Fills *resp; release it with souk_h_resp_release.
 */
void souk_h_request(const struct souk_h_server *s, const char *method, const char *path,
                    const char *key, const char *body, const char *const *headers,
                    struct souk_h_resp *resp);
void souk_h_resp_release(struct souk_h_resp *resp);

/* Asserts status and the one error shape, with this type and param (NULL for no param). */
void souk_h_assert_error(const struct souk_h_resp *resp, long status, const char *type,
                         const char *param);

/* A string member of a JSON object ("" when absent), for brevity in tests. */
const char *souk_h_str(json_t *obj, const char *name);

#endif

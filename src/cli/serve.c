/* serve: `souk serve`, the HTTP API server. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "channels/channels.h"
#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/alloc.h"
#include "core/log.h"
#include "demo/demo.h"
#include "http/http.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_THREADS "4"
#define DEFAULT_CACHE_MB "64"
#define DEFAULT_WRITE_WAIT_MS "2000"
#define SHUTDOWN_GRACE_MS 10000

static const char usage[] =
    "usage: souk serve [--listen HOST:PORT] [--db SPEC] [--threads N] [--log-level LEVEL]\n"
    "                  [--cache-mb N] [--group-commit on|off] [--sync on|off]\n"
    "                  [--order-poll-ms N] [--write-wait-ms N] [--seed-demo]\n"
    "\n"
    "Runs the HTTP API in the foreground until SIGTERM or SIGINT, then stops accepting,\n"
    "finishes in-flight requests (up to 10 s) and closes the store. Applies pending schema\n"
    "migrations on start.\n"
    "\n"
    "  --listen HOST:PORT  address to listen on (env SOUK_LISTEN; default " DEFAULT_LISTEN ")\n"
    "  --db SPEC           the store (env SOUK_DB; default " SOUK_CLI_DEFAULT_DB ")\n"
    "  --threads N         worker threads, 1..256 (env SOUK_THREADS; default " DEFAULT_THREADS
    ")\n"
    "  --log-level LEVEL   debug, info, warn or error (env SOUK_LOG_LEVEL; default info)\n"
    "  --cache-mb N        memory for rendered product JSON, 0..65536; 0 turns it off\n"
    "                      (env SOUK_CACHE_MB; default " DEFAULT_CACHE_MB ")\n"
    "  --group-commit on|off  commit concurrent writes together, one fsync per batch\n"
    "                      (env SOUK_GROUP_COMMIT; default on)\n"
    "  --sync on|off       push catalog and stock changes to the channels' platforms\n"
    "                      (env SOUK_SYNC; default on); the same worker takes in the\n"
    "                      platforms' orders\n"
    "  --order-poll-ms N   how often to ask platforms without order webhooks (Meta) for\n"
    "                      new orders, 100..3600000 (env SOUK_ORDER_POLL_MS; default 5000)\n"
    "  --write-wait-ms N   shed a write that cannot start within N ms with 503 and\n"
    "                      Retry-After, 0..60000; 0 waits forever\n"
    "                      (env SOUK_WRITE_WAIT_MS; default " DEFAULT_WRITE_WAIT_MS ")\n"
    "  --seed-demo         fill an empty store with the demo catalog first\n";

int souk_cli_serve(int argc, char **argv)
{
    static const struct option options[] = {{"listen", required_argument, NULL, 'l'},
                                            {"db", required_argument, NULL, 'd'},
                                            {"threads", required_argument, NULL, 't'},
                                            {"log-level", required_argument, NULL, 'g'},
                                            {"cache-mb", required_argument, NULL, 'c'},
                                            {"group-commit", required_argument, NULL, 'G'},
                                            {"seed-demo", no_argument, NULL, 's'},
                                            {"sync", required_argument, NULL, 'S'},
                                            {"order-poll-ms", required_argument, NULL, 'P'},
                                            {"write-wait-ms", required_argument, NULL, 'W'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
    const char *listen_flag = NULL, *db_flag = NULL, *threads_flag = NULL, *level_flag = NULL;
    const char *cache_flag = NULL, *group_flag = NULL, *sync_flag = NULL, *poll_flag = NULL;
    const char *wait_flag = NULL;
    bool seed_demo = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'l': listen_flag = optarg; break;
        case 'd': db_flag = optarg; break;
        case 't': threads_flag = optarg; break;
        case 'g': level_flag = optarg; break;
        case 'c': cache_flag = optarg; break;
        case 'G': group_flag = optarg; break;
        case 's': seed_demo = true; break;
        case 'S': sync_flag = optarg; break;
        case 'P': poll_flag = optarg; break;
        case 'W': wait_flag = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "souk serve: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return 2;
    }
    const char *listen = souk_cli__setting(listen_flag, "SOUK_LISTEN", DEFAULT_LISTEN);
    const char *threads_text = souk_cli__setting(threads_flag, "SOUK_THREADS", DEFAULT_THREADS);
    const char *level_text = souk_cli__setting(level_flag, "SOUK_LOG_LEVEL", "info");
    const char *cache_text = souk_cli__setting(cache_flag, "SOUK_CACHE_MB", DEFAULT_CACHE_MB);
    int64_t threads, cache_mb;
    enum souk_log_level level;
    if (souk_str_to_i64(souk_str_from(threads_text), 1, 256, &threads) != SOUK_OK) {
        fprintf(stderr, "souk serve: --threads must be a number from 1 to 256, not \"%s\"\n",
                threads_text);
        return 2;
    }
    const char *sync_text = souk_cli__setting(sync_flag, "SOUK_SYNC", "on");
    if (strcmp(sync_text, "on") != 0 && strcmp(sync_text, "off") != 0) {
        fprintf(stderr, "souk serve: --sync must be on or off, not \"%s\"\n", sync_text);
        return 2;
    }
    const char *poll_text = souk_cli__setting(poll_flag, "SOUK_ORDER_POLL_MS", "5000");
    int64_t order_poll_ms;
    if (souk_str_to_i64(souk_str_from(poll_text), 100, 3600000, &order_poll_ms) != SOUK_OK) {
        fprintf(stderr,
                "souk serve: --order-poll-ms must be a number from 100 to 3600000, not \"%s\"\n",
                poll_text);
        return 2;
    }
    const char *wait_text = souk_cli__setting(wait_flag, "SOUK_WRITE_WAIT_MS", DEFAULT_WRITE_WAIT_MS);
    int64_t write_wait_ms;
    if (souk_str_to_i64(souk_str_from(wait_text), 0, 60000, &write_wait_ms) != SOUK_OK) {
        fprintf(stderr, "souk serve: --write-wait-ms must be a number from 0 to 60000, not \"%s\"\n",
                wait_text);
        return 2;
    }
    const char *group_text = souk_cli__setting(group_flag, "SOUK_GROUP_COMMIT", "on");
    if (strcmp(group_text, "on") != 0 && strcmp(group_text, "off") != 0) {
        fprintf(stderr, "souk serve: --group-commit must be on or off, not \"%s\"\n", group_text);
        return 2;
    }
    if (souk_str_to_i64(souk_str_from(cache_text), 0, 65536, &cache_mb) != SOUK_OK) {
        fprintf(stderr, "souk serve: --cache-mb must be a number from 0 to 65536, not \"%s\"\n",
                cache_text);
        return 2;
    }
    if (souk_log_level_parse(level_text, &level) != SOUK_OK) {
        fprintf(stderr, "souk serve: --log-level must be debug, info, warn or error\n");
        return 2;
    }
    souk_log_set_level(level);

    souk_alloc_tune_for_server();
    /* Before any thread starts, so only the wait below receives the signals. */
    sigset_t stop_signals;
    souk_cli__block_stop_signals(&stop_signals);

    const char *spec = souk_cli__setting(db_flag, "SOUK_DB", SOUK_CLI_DEFAULT_DB);
    /* One connection per HTTP thread, one for the intake writer, one for the sync worker and
     * one spare. */
    struct souk_db_options db_options = {.connections = (int)threads + 3,
                                         .group_commit = strcmp(group_text, "on") == 0,
                                         .write_wait_ms = (int)write_wait_ms};
    struct souk_db *db = souk_cli__open_store("serve", spec, &db_options);
    if (!db)
        return 1;
    struct souk_err err = SOUK_ERR_INIT;
    int status = 0;
    if (seed_demo && souk_demo_seed(db, &err) != SOUK_OK) {
        status = souk_cli__fail("serve", &err);
        goto out_close_db;
    }
    struct souk_api_context context = {.products = souk_cache_new((size_t)cache_mb << 20)};
    struct souk_http_config config = {.listen = listen,
                                      .threads = (int)threads,
                                      .routes = souk_api_routes,
                                      .nroutes = souk_api_nroutes,
                                      .db = db,
                                      .context = &context,
                                      .group_writes = db_options.group_commit,
                                      .write_wait_ms = (int)write_wait_ms};
    struct souk_http_server *server = NULL;
    if (souk_http_server_start(&config, &server, &err) != SOUK_OK) {
        status = souk_cli__fail("serve", &err);
        goto out_free_cache;
    }
    struct souk_channels_sync *sync = NULL;
    struct souk_channels_sync_options sync_options = {.order_poll_ms = (int)order_poll_ms};
    if (strcmp(sync_text, "on") == 0 &&
        souk_channels_sync_start(db, &sync_options, &sync, &err) != SOUK_OK) {
        souk_http_server_stop(server, 0);
        status = souk_cli__fail("serve", &err);
        goto out_free_cache;
    }
    char port[8];
    snprintf(port, sizeof port, "%u", souk_http_server_port(server));
    souk_log(SOUK_LOG_INFO, "listening", "listen", listen, "port", port, "db", spec, NULL);

    const char *signal_name = souk_cli__wait_stop_signal(&stop_signals);
    souk_log(SOUK_LOG_INFO, "shutting down", "signal", signal_name, NULL);
    souk_http_server_stop(server, SHUTDOWN_GRACE_MS);
    souk_channels_sync_stop(sync);
    souk_log(SOUK_LOG_INFO, "stopped", NULL);
out_free_cache:
    souk_cache_free(context.products);
out_close_db:
    souk_db_close(db);
    return status;
}

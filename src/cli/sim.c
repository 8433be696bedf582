/*
 * sim: `souk sim`, the platform simulator (see src/sim/sim.h and docs/internals/sim.md), and
 * `souk sim live`, which asks a running sim for a live-shopping burst over HTTP.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/str.h"
#include "sim/sim.h"

#define DEFAULT_LISTEN "127.0.0.1:8090"

static const char usage[] =
    "usage: souk sim [--listen HOST:PORT] [--config FILE]\n"
    "       souk sim live --skus SKU[,SKU...] --orders N --rate R [...]  (souk sim live --help)\n"
    "\n"
    "Serves the platforms' catalog, stock and order APIs (Meta, TikTok Shop, Pinterest, Google)\n"
    "on their real paths, with their auth checks, error shapes, rate limits and injectable\n"
    "faults, and sends their signed order webhooks, until SIGTERM or SIGINT. Point a\n"
    "connector's base URL at the printed address. Control endpoints live under /_sim/;\n"
    "docs/internals/sim.md is the contract. `souk sim live` asks a running sim for a\n"
    "live-shopping burst of orders.\n"
    "\n"
    "  --listen HOST:PORT  IP address and port; port 0 picks a free one\n"
    "                      (env SOUK_SIM_LISTEN; default " DEFAULT_LISTEN ")\n"
    "  --config FILE       JSON credentials and rate limits per platform\n"
    "                      (env SOUK_SIM_CONFIG; default: the documented defaults)\n"
    "\n"
    "Once listening it prints one line to stdout:\n"
    "  souk sim: listening on http://127.0.0.1:PORT\n";

/* ---- souk sim live ---- */

#define DEFAULT_SIM_URL "http://127.0.0.1:8090"
#define ANSWER_MAX (1 << 20)

static const char live_usage[] =
    "usage: souk sim live --skus SKU[,SKU...] --orders N --rate R [--sim URL]\n"
    "                     [--platforms tiktok,meta] [--concurrency C] [--quantity Q]\n"
    "                     [--currency CODE] [--unit-price AMOUNT] [--live-stream ID]\n"
    "\n"
    "Asks a running `souk sim` for a live-shopping burst (POST /_sim/live): N orders placed at R\n"
    "a second, round-robin over the platforms and SKUs, each TikTok order announced to the URL\n"
    "registered with POST /_sim/webhooks by up to C senders at once. Prints the summary once\n"
    "every order is placed and every notification answered.\n"
    "\n"
    "  --sim URL             the sim (env SOUK_SIM_URL; default " DEFAULT_SIM_URL ")\n"
    "  --platforms LIST      comma-separated: tiktok, meta (default tiktok,meta)\n"
    "  --skus LIST           comma-separated seller SKUs the orders buy\n"
    "  --orders N            how many orders (1..200000)\n"
    "  --rate R              orders a second (1..100000)\n"
    "  --concurrency C       notifications under way at once (1..256; default 32)\n"
    "  --quantity Q          units per order (default 1)\n"
    "  --currency CODE       ISO 4217 (default USD)\n"
    "  --unit-price AMOUNT   a decimal string (default 9.99)\n"
    "  --live-stream ID      the live_stream_id of every order (default: one the sim mints)\n"
    "\n"
    "Exit status 1 when the sim cannot be reached or refuses the burst, 2 for a usage error.\n";

/* "a,b" as the JSON array ["a", "b"]. */
static json_t *comma_list(const char *text)
{
    json_t *list = json_array();
    for (const char *at = text;;) {
        size_t len = strcspn(at, ",");
        json_array_append_new(list, json_stringn(at, len));
        if (!at[len])
            return list;
        at += len + 1;
    }
}

/* Adds the whole number text as name; false (having said why) when it is not one. */
static bool add_number(json_t *body, const char *name, const char *flag, const char *text)
{
    int64_t n;
    if (souk_str_to_i64(souk_str_from(text), INT32_MIN, INT32_MAX, &n) != SOUK_OK) {
        fprintf(stderr, "souk sim live: %s must be a whole number, not \"%s\"\n", flag, text);
        return false;
    }
    json_object_set_new(body, name, json_integer(n));
    return true;
}

static int add_text(const char *buffer, size_t size, void *data)
{
    return souk_buf_add(data, buffer, size) == SOUK_OK ? 0 : -1;
}

static size_t keep_answer(char *data, size_t size, size_t n, void *arg)
{
    return souk_buf_add(arg, data, size * n) == SOUK_OK ? size * n : 0;
}

/* POSTs body to url; the HTTP status, or 0 having said why the sim could not be reached. */
static long post_json(const char *url, const json_t *body, long timeout_s, struct souk_buf *answer)
{
    struct souk_buf text = SOUK_BUF_INIT(ANSWER_MAX);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *curl = curl_easy_init();
    long status = 0;
    if (json_dump_callback(body, add_text, &text, JSON_COMPACT) != 0 || !curl) {
        fprintf(stderr, "souk sim live: out of memory\n");
    } else {
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text.data);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_answer);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
        CURLcode rc = curl_easy_perform(curl);
        if (rc == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        else
            fprintf(stderr, "souk sim live: cannot reach the sim at %s: %s\n", url,
                    curl_easy_strerror(rc));
    }
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    souk_buf_release(&text);
    return status;
}

/* Prints the sim's summary of a burst. */
static void print_summary(const json_t *s)
{
    const json_t *latency = json_object_get(s, "delivery_latency_ms");
    const char *name;
    json_t *count;
    printf("souk sim live: %lld orders (",
           (long long)json_integer_value(json_object_get(s, "orders")));
    const char *sep = "";
    json_object_foreach((json_t *)json_object_get(s, "platforms"), name, count) {
        printf("%s%s %lld", sep, name, (long long)json_integer_value(count));
        sep = ", ";
    }
    printf(") in %lld ms, %.1f orders/s, live stream %s\n",
           (long long)json_integer_value(json_object_get(s, "elapsed_ms")),
           json_number_value(json_object_get(s, "rate_achieved")),
           json_string_value(json_object_get(s, "live_stream_id")));
    printf("webhooks: %lld delivered, %lld failed, %lld retried, %lld undelivered",
           (long long)json_integer_value(json_object_get(s, "delivered")),
           (long long)json_integer_value(json_object_get(s, "failed")),
           (long long)json_integer_value(json_object_get(s, "retried")),
           (long long)json_integer_value(json_object_get(s, "undelivered")));
    if (json_is_number(json_object_get(latency, "p50")))
        printf("; latency p50 %.3f ms, p99 %.3f ms",
               json_number_value(json_object_get(latency, "p50")),
               json_number_value(json_object_get(latency, "p99")));
    printf("\n");
}

static int live(int argc, char **argv)
{
    static const struct option options[] = {{"sim", required_argument, NULL, 's'},
                                            {"platforms", required_argument, NULL, 'p'},
                                            {"skus", required_argument, NULL, 'k'},
                                            {"orders", required_argument, NULL, 'o'},
                                            {"rate", required_argument, NULL, 'r'},
                                            {"concurrency", required_argument, NULL, 'c'},
                                            {"quantity", required_argument, NULL, 'q'},
                                            {"currency", required_argument, NULL, 'C'},
                                            {"unit-price", required_argument, NULL, 'u'},
                                            {"live-stream", required_argument, NULL, 'l'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
    const char *sim_flag = NULL, *platforms = "tiktok,meta";
    json_t *body = json_object();
    bool ok = true, orders = false, rate = false, skus = false;
    int c, rc = 2;
    while (ok && (c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 's': sim_flag = optarg; break;
        case 'p': platforms = optarg; break;
        case 'k': json_object_set_new(body, "skus", comma_list(optarg)); skus = true; break;
        case 'o': ok = orders = add_number(body, "orders", "--orders", optarg); break;
        case 'r': ok = rate = add_number(body, "rate", "--rate", optarg); break;
        case 'c': ok = add_number(body, "concurrency", "--concurrency", optarg); break;
        case 'q': ok = add_number(body, "quantity", "--quantity", optarg); break;
        case 'C': json_object_set_new(body, "currency", json_string(optarg)); break;
        case 'u': json_object_set_new(body, "unit_price", json_string(optarg)); break;
        case 'l': json_object_set_new(body, "live_stream_id", json_string(optarg)); break;
        case 'h': fputs(live_usage, stdout); rc = 0; ok = false; break;
        default: fputs(live_usage, stderr); ok = false; break;
        }
    }
    if (ok && (optind != argc || !skus || !orders || !rate)) {
        fprintf(stderr, "souk sim live: --skus, --orders and --rate are required\n%s", live_usage);
        ok = false;
    }
    if (!ok) {
        json_decref(body);
        return rc;
    }
    json_object_set_new(body, "platforms", comma_list(platforms));
    char url[2048];
    const char *base = souk_cli__setting(sim_flag, "SOUK_SIM_URL", DEFAULT_SIM_URL);
    size_t len = strlen(base);
    while (len && base[len - 1] == '/')
        len--;
    snprintf(url, sizeof url, "%.*s/_sim/live", (int)len, base);
    /* Placing takes orders / rate seconds; delivering the last notifications, a little more. */
    json_int_t n = json_integer_value(json_object_get(body, "orders"));
    json_int_t r = json_integer_value(json_object_get(body, "rate"));
    long timeout_s = (long)(r > 0 && n > 0 ? n / r : 0) + 300;
    struct souk_buf answer = SOUK_BUF_INIT(ANSWER_MAX);
    long status = post_json(url, body, timeout_s, &answer);
    json_decref(body);
    json_t *json = status ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
    rc = 1;
    if (status == 200 && json_is_object(json)) {
        print_summary(json);
        rc = 0;
    } else if (status) {
        const char *message =
            json_string_value(json_object_get(json_object_get(json, "error"), "message"));
        const char *param =
            json_string_value(json_object_get(json_object_get(json, "error"), "param"));
        fprintf(stderr, "souk sim live: the sim at %s refused the burst (HTTP %ld): %s%s%s%s\n",
                base, status, message ? message : answer.data, param ? " (field " : "",
                param ? param : "", param ? ")" : "");
    }
    json_decref(json);
    souk_buf_release(&answer);
    return rc;
}

int souk_cli_sim(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "live") == 0)
        return live(argc - 1, argv + 1);
    static const struct option options[] = {{"listen", required_argument, NULL, 'l'},
                                            {"config", required_argument, NULL, 'c'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
    const char *listen_flag = NULL, *config_flag = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'l': listen_flag = optarg; break;
        case 'c': config_flag = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "souk sim: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return 2;
    }
    struct souk_sim_config config = {
        .listen = souk_cli__setting(listen_flag, "SOUK_SIM_LISTEN", DEFAULT_LISTEN),
        .config_path = souk_cli__setting(config_flag, "SOUK_SIM_CONFIG", NULL),
    };

    /* Before the server's threads start, so only the wait below receives the signals. */
    sigset_t stop_signals;
    souk_cli__block_stop_signals(&stop_signals);

    struct souk_err err = SOUK_ERR_INIT;
    struct souk_sim *sim = NULL;
    if (souk_sim_start(&config, &sim, &err) != SOUK_OK)
        return souk_cli__fail("sim", &err);
    /* The one line a script or test waits for; the host is what was asked for, the port what
     * was bound. */
    const char *colon = strrchr(config.listen, ':');
    printf("souk sim: listening on http://%.*s:%u\n", (int)(colon - config.listen),
           config.listen, souk_sim_port(sim));
    fflush(stdout);

    souk_cli__wait_stop_signal(&stop_signals);
    souk_sim_stop(sim);
    return 0;
}

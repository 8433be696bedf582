/* sim: `souk sim`, the platform simulator (see src/sim/sim.h and docs/internals/sim.md). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "sim/sim.h"

#define DEFAULT_LISTEN "127.0.0.1:8090"

static const char usage[] =
    "usage: souk sim [--listen HOST:PORT] [--config FILE]\n"
    "\n"
    "Serves the platforms' catalog and stock APIs (Meta, TikTok Shop, Pinterest, Google) on\n"
    "their real paths, with their auth checks, error shapes, rate limits and injectable\n"
    "faults, until SIGTERM or SIGINT. Point a connector's base URL at the printed address.\n"
    "Control endpoints live under /_sim/; docs/internals/sim.md is the contract.\n"
    "\n"
    "  --listen HOST:PORT  IP address and port; port 0 picks a free one\n"
    "                      (env SOUK_SIM_LISTEN; default " DEFAULT_LISTEN ")\n"
    "  --config FILE       JSON credentials and rate limits per platform\n"
    "                      (env SOUK_SIM_CONFIG; default: the documented defaults)\n"
    "\n"
    "Once listening it prints one line to stdout:\n"
    "  souk sim: listening on http://127.0.0.1:PORT\n";

int souk_cli_sim(int argc, char **argv)
{
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

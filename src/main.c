/* souk: the entry point. Picks the subcommand; everything else lives in cli/ and below. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: souk COMMAND [OPTIONS]\n"
    "\n"
    "souk is a self-hosted social commerce hub: one catalog, order book and stock ledger for\n"
    "every social storefront.\n"
    "\n"
    "commands:\n"
    "  serve     run the HTTP API server\n"
    "  migrate   apply schema migrations to a store\n"
    "  apikey    create, list and revoke API keys\n"
    "  import    import a Shopify product CSV or souk JSON lines into the catalog\n"
    "  export    export the catalog as JSON lines\n"
    "  sim       run the platform simulator (catalog, stock and order APIs) for tests and demos\n"
    "  version   print the version\n"
    "\n"
    "Run `souk COMMAND --help` for a command's options.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"serve", souk_cli_serve},
    {"migrate", souk_cli_migrate},
    {"apikey", souk_cli_apikey},
    {"import", souk_cli_import},
    {"export", souk_cli_export},
    {"sim", souk_cli_sim},
};

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("souk %s\n", SOUK_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "souk: unknown command \"%s\"\n\n%s", argv[1], usage);
    return 2;
}

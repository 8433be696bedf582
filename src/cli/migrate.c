/* migrate: `souk migrate`, applies the embedded schema migrations to a store. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_int.h"

static const char usage[] =
    "usage: souk migrate [--db SPEC]\n"
    "\n"
    "Applies the schema migrations this binary carries that the store lacks, each in its own\n"
    "transaction, and prints the resulting schema version. Safe to run repeatedly and beside a\n"
    "running server. `souk serve` migrates on start, so this is for deploy pipelines.\n"
    "\n"
    "  --db SPEC   the store (env SOUK_DB; default " SOUK_CLI_DEFAULT_DB ")\n";

int souk_cli_migrate(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *db_flag = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'd') {
            db_flag = optarg;
        } else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "souk migrate: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return 2;
    }
    struct souk_db *db = souk_cli__open_store(
        "migrate", souk_cli__setting(db_flag, "SOUK_DB", SOUK_CLI_DEFAULT_DB), NULL);
    if (!db)
        return 1;
    struct souk_err err = SOUK_ERR_INIT;
    int64_t version = 0;
    int status = 0;
    if (souk_db_schema_version(db, &version, &err) != SOUK_OK)
        status = souk_cli__fail("migrate", &err);
    else
        printf("schema version %lld\n", (long long)version);
    souk_db_close(db);
    return status;
}

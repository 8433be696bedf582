/* export: `souk export jsonl`, the whole catalog as JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "importer/importer.h"

static const char usage[] =
    "usage: souk export jsonl [--output FILE] [--db SPEC]\n"
    "\n"
    "Writes every warehouse, then every product (with variants, prices, stock, media and\n"
    "translations), then every collection (its members by product handle), as one JSON object\n"
    "per line, from one consistent snapshot of the store.\n"
    "`souk import jsonl` loads the result into any store.\n"
    "\n"
    "  --output FILE   write to FILE instead of standard output\n"
    "  --db SPEC       the store (env SOUK_DB; default " SOUK_CLI_DEFAULT_DB ")\n";

int souk_cli_export(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
    const char *db_flag = NULL, *output = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
        switch (c) {
        case 'd': db_flag = optarg; break;
        case 'o': output = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (argc - optind != 1 || strcmp(argv[optind], "jsonl") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    FILE *out = output ? fopen(output, "we") : stdout;
    if (!out) {
        fprintf(stderr, "souk export: cannot create %s: %s\n", output, strerror(errno));
        return 1;
    }
    struct souk_db *db = souk_cli__open_store(
        "export", souk_cli__setting(db_flag, "SOUK_DB", SOUK_CLI_DEFAULT_DB), NULL);
    int status = 1;
    if (db) {
        struct souk_err err = SOUK_ERR_INIT;
        struct souk_db_conn *conn = souk_db_acquire(db);
        uint64_t count = 0;
        int rc = souk_db_begin(conn, SOUK_DB_READ, &err);
        if (rc == SOUK_OK)
            rc = souk_export_jsonl(conn, out, &count, &err);
        souk_db_release(conn);
        souk_db_close(db);
        if (rc == SOUK_OK && fflush(out) != 0)
            rc = souk_err_set(&err, SOUK_EIO, NULL, "cannot write the export: %s",
                              strerror(errno));
        status = rc == SOUK_OK ? 0 : souk_cli__fail("export", &err);
        if (rc == SOUK_OK)
            fprintf(stderr, "souk export: %llu objects\n", (unsigned long long)count);
    }
    if (output && fclose(out) != 0 && status == 0) {
        fprintf(stderr, "souk export: cannot write %s: %s\n", output, strerror(errno));
        status = 1;
    }
    return status;
}

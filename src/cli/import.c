/* import: `souk import shopify|jsonl FILE`, bulk loads into the catalog. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/time.h"
#include "importer/importer.h"

static const char usage[] =
    "usage: souk import shopify FILE.csv [--currency CODE] [--warehouse CODE]\n"
    "                   [--warehouse-country CC] [--skip-bad-rows] [--db SPEC]\n"
    "       souk import jsonl FILE.jsonl [--skip-bad-rows] [--db SPEC]\n"
    "\n"
    "Loads a Shopify product export CSV, or souk JSON lines as `souk export jsonl` writes\n"
    "them, in one transaction: by default the first bad row aborts the import and the store is\n"
    "unchanged; with --skip-bad-rows each product with a bad row is reported and skipped and\n"
    "the rest is loaded. FILE may be - for standard input. Memory stays flat at any file size.\n"
    "\n"
    "  --currency CODE          currency of the CSV's prices (default USD)\n"
    "  --warehouse CODE         warehouse that Variant Inventory Qty goes to, created if\n"
    "                           missing (default default)\n"
    "  --warehouse-country CC   its ISO 3166 country when it is created (default US)\n"
    "  --skip-bad-rows          skip and report bad products instead of aborting\n"
    "  --db SPEC                the store (env SOUK_DB; default " SOUK_CLI_DEFAULT_DB ")\n";

static void report_skip(uint64_t line, const struct souk_err *err, void *arg)
{
    if (err->param[0])
        fprintf(stderr, "souk import: skipped: %s (field %s)\n", err->message, err->param);
    else
        fprintf(stderr, "souk import: skipped: %s\n", err->message);
}

int souk_cli_import(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"currency", required_argument, NULL, 'c'},
                                            {"warehouse", required_argument, NULL, 'w'},
                                            {"warehouse-country", required_argument, NULL, 'C'},
                                            {"skip-bad-rows", no_argument, NULL, 's'},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
    const char *db_flag = NULL;
    struct souk_import_options opts = {
        .currency = "USD", .warehouse = "default", .warehouse_country = "US",
        .on_skip = report_skip};
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'd': db_flag = optarg; break;
        case 'c': opts.currency = optarg; break;
        case 'w': opts.warehouse = optarg; break;
        case 'C': opts.warehouse_country = optarg; break;
        case 's': opts.flags |= SOUK_IMPORT_SKIP_BAD_ROWS; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (argc - optind != 2 ||
        (strcmp(argv[optind], "shopify") != 0 && strcmp(argv[optind], "jsonl") != 0)) {
        fputs(usage, stderr);
        return 2;
    }
    bool shopify = strcmp(argv[optind], "shopify") == 0;
    const char *path = argv[optind + 1];
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "souk import: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct souk_db *db = souk_cli__open_store(
        "import", souk_cli__setting(db_flag, "SOUK_DB", SOUK_CLI_DEFAULT_DB), NULL);
    if (!db) {
        close(fd);
        return 1;
    }
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_import_stats stats = {0};
    int64_t started = souk_time_monotonic_us();
    struct souk_db_conn *conn = souk_db_acquire(db);
    int rc = souk_db_begin(conn, SOUK_DB_WRITE, &err);
    if (rc == SOUK_OK)
        rc = shopify ? souk_import_shopify(conn, fd, &opts, &stats, &err)
                     : souk_import_jsonl(conn, fd, &opts, &stats, &err);
    if (rc == SOUK_OK)
        rc = souk_db_commit(conn, &err);
    souk_db_release(conn); /* rolls back a failed import */
    souk_db_close(db);
    if (fd != STDIN_FILENO)
        close(fd);
    if (rc != SOUK_OK) {
        souk_cli__fail("import", &err);
        fprintf(stderr, "souk import: nothing was imported\n");
        return 1;
    }
    fprintf(stderr,
            "souk import: %llu products, %llu variants, %llu warehouses, %llu collections created "
            "from %llu lines"
            " in %.2f s; %llu products skipped\n",
            (unsigned long long)stats.products, (unsigned long long)stats.variants,
            (unsigned long long)stats.warehouses, (unsigned long long)stats.collections,
            (unsigned long long)stats.lines,
            (double)(souk_time_monotonic_us() - started) / 1e6,
            (unsigned long long)stats.skipped_products);
    return 0;
}

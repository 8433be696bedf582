/* apikey: `souk apikey create|list|revoke`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "apikeys/apikeys.h"
#include "cli/cli.h"
#include "cli/cli_int.h"
#include "core/time.h"

static const char usage[] =
    "usage: souk apikey create --scope SCOPES [--name NAME] [--db SPEC]\n"
    "       souk apikey list [--db SPEC]\n"
    "       souk apikey revoke KEY_ID [--db SPEC]\n"
    "\n"
    "create  mints a key and prints it once on stdout; only its hash is stored.\n"
    "        SCOPES is a comma-separated list of catalog:read, catalog:write,\n"
    "        orders:read, orders:write, metrics:read, admin (every scope).\n"
    "list    prints id, name, scopes, created and revoked times (never secrets).\n"
    "revoke  stops a key from authenticating, effective on the next request.\n"
    "\n"
    "  --db SPEC   the store (env SOUK_DB; default " SOUK_CLI_DEFAULT_DB ")\n";

static void print_key(const struct souk_apikey_info *info, void *arg)
{
    char scopes[SOUK_APIKEY_SCOPES_MAX], created[SOUK_TIME_RFC3339_MAX];
    char revoked[SOUK_TIME_RFC3339_MAX] = "-";
    souk_apikeys_format_scopes(info->scopes, scopes);
    souk_time_format(info->created_at, created);
    if (info->revoked_at)
        souk_time_format(info->revoked_at, revoked);
    printf("%s\t%s\t%s\t%s\t%s\n", info->id, info->name, scopes, created, revoked);
}

int souk_cli_apikey(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                             {"scope", required_argument, NULL, 's'},
                                             {"name", required_argument, NULL, 'n'},
                                             {"help", no_argument, NULL, 'h'},
                                             {0}};
    const char *db_flag = NULL, *scope_list = NULL, *name = "unnamed";
    int c;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'd': db_flag = optarg; break;
        case 's': scope_list = optarg; break;
        case 'n': name = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    const char *action = optind < argc ? argv[optind] : NULL;
    int extra = argc - optind - 1;
    bool is_create = action && strcmp(action, "create") == 0 && extra == 0;
    bool is_list = action && strcmp(action, "list") == 0 && extra == 0;
    bool is_revoke = action && strcmp(action, "revoke") == 0 && extra == 1;
    if (!is_create && !is_list && !is_revoke) {
        fputs(usage, stderr);
        return 2;
    }
    struct souk_err err = SOUK_ERR_INIT;
    unsigned scopes = 0;
    if (is_create) {
        if (!scope_list) {
            fprintf(stderr, "souk apikey: create needs --scope\n%s", usage);
            return 2;
        }
        if (souk_apikeys_parse_scopes(scope_list, &scopes, &err) != SOUK_OK)
            return souk_cli__fail("apikey", &err);
    }
    struct souk_db *db = souk_cli__open_store(
        "apikey", souk_cli__setting(db_flag, "SOUK_DB", SOUK_CLI_DEFAULT_DB), NULL);
    if (!db)
        return 1;
    int rc;
    if (is_create) {
        char id[SOUK_ID_MAX], key[SOUK_APIKEY_MAX];
        rc = souk_apikeys_create(db, name, scopes, id, key, &err);
        if (rc == SOUK_OK) {
            printf("%s\n", key);
            fprintf(stderr, "souk apikey: created %s; store the key now, it is not shown again\n",
                    id);
        }
    } else if (is_list) {
        rc = souk_apikeys_list(db, print_key, NULL, &err);
    } else {
        rc = souk_apikeys_revoke(db, argv[optind + 1], &err);
        if (rc == SOUK_OK)
            fprintf(stderr, "souk apikey: revoked %s\n", argv[optind + 1]);
    }
    souk_db_close(db);
    return rc == SOUK_OK ? 0 : souk_cli__fail("apikey", &err);
}

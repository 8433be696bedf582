/* cli_int.h: helpers shared by the subcommand files. */
#ifndef SOUK_CLI_CLI_INT_H
#define SOUK_CLI_CLI_INT_H

#include "core/err.h"
#include "db/db.h"

#define SOUK_CLI_DEFAULT_DB "sqlite:data/souk.db"

/* The value of flag, else of the environment variable env, else fallback. */
const char *souk_cli__setting(const char *flag, const char *env, const char *fallback);

/* Prints "souk <command>: <message>" (and the log-only detail when verbose) to stderr; returns 1. */
int souk_cli__fail(const char *command, const struct souk_err *err);

/* Opens the store named by spec (opts NULL: one connection) and applies pending migrations.
 * Reports failures itself. */
struct souk_db *souk_cli__open_store(const char *command, const char *spec,
                                     const struct souk_db_options *opts);

#endif

/* cli_int.h: helpers shared by the subcommand files. */
#ifndef SOUK_CLI_CLI_INT_H
#define SOUK_CLI_CLI_INT_H

#include <signal.h>

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

/*
 * Blocks SIGINT and SIGTERM in the calling thread (and so in every thread it starts later, which
 * must come after), ignores SIGPIPE, and fills set for souk_cli__wait_stop_signal.
 */
void souk_cli__block_stop_signals(sigset_t *set);
/* Waits for SIGINT or SIGTERM; returns its name. */
const char *souk_cli__wait_stop_signal(const sigset_t *set);

#endif

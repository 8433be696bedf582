/* common: helpers shared by the subcommands; see cli_int.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_int.h"

const char *souk_cli__setting(const char *flag, const char *env, const char *fallback)
{
    if (flag)
        return flag;
    const char *value = getenv(env);
    return value && *value ? value : fallback;
}

int souk_cli__fail(const char *command, const struct souk_err *err)
{
    const char *message = err->message[0] ? err->message : souk_err_default_message(err->code);
    if (err->param[0])
        fprintf(stderr, "souk %s: %s (field %s)\n", command, message, err->param);
    else
        fprintf(stderr, "souk %s: %s\n", command, message);
    if (err->detail[0])
        fprintf(stderr, "souk %s: detail: %s\n", command, err->detail);
    return 1;
}

struct souk_db *souk_cli__open_store(const char *command, const char *spec,
                                     const struct souk_db_options *opts)
{
    struct souk_err err = SOUK_ERR_INIT;
    struct souk_db *db = NULL;
    if (souk_db_open(spec, opts, &db, &err) != SOUK_OK) {
        souk_cli__fail(command, &err);
        return NULL;
    }
    if (souk_db_migrate(db, &err) != SOUK_OK) {
        souk_cli__fail(command, &err);
        souk_db_close(db);
        return NULL;
    }
    return db;
}

void souk_cli__block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

const char *souk_cli__wait_stop_signal(const sigset_t *set)
{
    int sig = 0;
    sigwait(set, &sig);
    return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

/*
 * cli: the souk subcommands. Each takes the arguments after its name (argv[0] is the command
 * name) and returns the process exit status: 0 on success, 1 on a failure it reported on stderr,
 * 2 on a usage error. Options come from flags, then SOUK_* environment variables, then defaults.
 */
#ifndef SOUK_CLI_CLI_H
#define SOUK_CLI_CLI_H

int souk_cli_serve(int argc, char **argv);
int souk_cli_migrate(int argc, char **argv);
int souk_cli_apikey(int argc, char **argv);
int souk_cli_import(int argc, char **argv);
int souk_cli_export(int argc, char **argv);
int souk_cli_sim(int argc, char **argv);

#endif

/*
 * cmd: the subcommands of the vigil program. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status. Commands are the only
 * code that prints to standard output or exits.
 */
#ifndef VIGIL_CMD_H
#define VIGIL_CMD_H

#include "util-buf.h"

/* vigil alerts: list the alerts stored by the daemon (cmd-alerts.c). */
int vg_cmd_alerts(int argc, char **argv);
/* vigil config: check and show the daemon's configuration, make ingest tokens (cmd-config.c). */
int vg_cmd_config(int argc, char **argv);

/* vigil decode: print each input record as one normalized JSON event per line. */
int vg_cmd_decode(int argc, char **argv);

/* vigil formats: list the input formats and their detection rules. */
int vg_cmd_formats(int argc, char **argv);

/* vigil intel: compile feeds into an indicator snapshot, look values up, count (cmd-intel.c). */
int vg_cmd_intel(int argc, char **argv);

/* vigil rules: load and validate Sigma rule files (cmd-rules.c). */
int vg_cmd_rules(int argc, char **argv);

/* vigil serve: the daemon (cmd-serve.c). */
int vg_cmd_serve(int argc, char **argv);

/* vigil status: the counters of a running daemon (cmd-serve.c). */
int vg_cmd_status(int argc, char **argv);

/* vigil scan: detect threats in log files, one alert per line (cmd-scan.c). */
int vg_cmd_scan(int argc, char **argv);

/* Writes b to standard output and empties it; -1 if the write failed. */
int vg_cmd_flush(vg_buf *b);

/* Prints a command's manual page (its --help text) to standard output. */
void vg_cmd_print_help(const char *text);

#endif

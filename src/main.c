/*
 * main: the `vigil` program. Parses the global options and hands the rest of the command line
 * to the chosen subcommand (see cmd.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "version.h"

static const char usage_text[] =
"NAME\n"
"    vigil - security operations platform: log decoding, detection, intelligence\n"
"\n"
"SYNOPSIS\n"
"    vigil [--version] [--help] COMMAND [OPTIONS] [ARGS]\n"
"\n"
"COMMANDS\n"
"    alerts     list the alerts stored by the daemon (vigil serve), newest first\n"
"    config     the daemon's configuration: check it, show it, make ingest tokens\n"
"    decode     decode log files into normalized JSON events (Elastic Common Schema)\n"
"    formats    list the input formats vigil understands\n"
"    intel      threat intelligence store: compile feeds, look values up, count\n"
"    rules      Sigma rules: load and validate rule files (vigil rules check DIR)\n"
"    scan       detect threats in log files (indicator matching), one alert per line\n"
"    serve      the daemon: receive logs (syslog, HTTP), detect, store alerts\n"
"    status     the counters of a running daemon\n"
"    help       show the manual page of a command: vigil help decode\n"
"\n"
"    Every command takes --help.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 some input was rejected, 2 usage or I/O error.\n"
"\n"
"SEE ALSO\n"
"    README.md, docs/ARCHITECTURE.md, docs/ROADMAP.md\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    { "alerts", vg_cmd_alerts },
    { "config", vg_cmd_config },
    { "decode", vg_cmd_decode },
    { "formats", vg_cmd_formats },
    { "intel", vg_cmd_intel },
    { "rules", vg_cmd_rules },
    { "scan", vg_cmd_scan },
    { "serve", vg_cmd_serve },
    { "status", vg_cmd_status },
    { NULL, NULL }
};

static const command *find_command(const char *name)
{
    for (const command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        vg_cmd_print_help(usage_text);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("vigil %s\n", VIGIL_VERSION);
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            vg_cmd_print_help(usage_text);
            return 0;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "vigil: no such command: %s (see vigil --help)\n", argv[2]);
            return 2;
        }
        char *args[] = { argv[2], (char *)"--help", NULL };
        return c->run(2, args);
    }
    const command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "vigil: no such command: %s (see vigil --help)\n", name);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}

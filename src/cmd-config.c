/*
 * cmd-config: `vigil config`, the daemon's configuration from the command line: check a file
 * (every error with its line, then what only the system can tell), show the effective
 * configuration with every default filled in, and make an HTTP ingest token.
 */
#include "cmd.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "serve-config.h"

static const char config_help[] =
"NAME\n"
"    vigil config - check, show and complete the configuration of vigil serve\n"
"\n"
"SYNOPSIS\n"
"    vigil config check [-c FILE]\n"
"    vigil config show [-c FILE]\n"
"    vigil config token [--name NAME] [--unit UNIT]\n"
"\n"
"DESCRIPTION\n"
"    The daemon reads one YAML file (vigil serve -c FILE); etc/vigil.yml documents every\n"
"    option with its default. Without -c, the defaults alone are used: listeners on\n"
"    loopback and the data under the default data directory.\n"
"\n"
"    check reads the file and reports each error as FILE:LINE: reason (unknown options, wrong\n"
"    types, values out of range, listeners without what their type needs, units that are not\n"
"    declared); then what only this system can tell: files that cannot be read (rules,\n"
"    snapshot, certificates), listeners that would share a port, a data directory that is\n"
"    not writable, a user that does not exist. Findings that would keep the daemon from\n"
"    starting or working are errors; others (an HTTP listener without tokens, a privileged\n"
"    port without root) are warnings.\n"
"\n"
"    show prints the effective configuration: every option, with the defaults filled in.\n"
"\n"
"    token prints a new random HTTP ingest token (256 bits, hex) and the tokens entry to put\n"
"    under an http listener: the configuration keeps only the token's SHA-256, so the file\n"
"    holds no secret. Give the token to the source, which sends it as\n"
"    Authorization: Bearer TOKEN.\n"
"\n"
"OPTIONS\n"
"    -c, --config FILE\n"
"        The configuration file.\n"
"    --name NAME, --unit UNIT\n"
"        The source name and unit of the token entry (default: source, default).\n"
"    -h, --help\n"
"        Show this page.\n"
"\n"
"EXIT STATUS\n"
"    0 the configuration is valid (warnings may have been printed); 1 it has errors;\n"
"    2 usage error, or the file cannot be read.\n"
"\n"
"EXAMPLES\n"
"    vigil config check -c /etc/vigil/vigil.yml\n"
"    vigil config show\n"
"    vigil config token --name web-portal --unit hq\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil config: %s%s%s (see vigil config --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static void on_problem(void *ctx, int fatal, const char *msg)
{
    const char *file = ctx;
    fprintf(stderr, "%s: %s: %s\n", file ? file : "(defaults)", fatal ? "error" : "warning", msg);
}

static int config_check(const char *path)
{
    vg_config *c = NULL;
    vg_error err;
    vg_error_clear(&err);
    vg_rc rc = vg_config_load(&c, path, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == VG_ERR_IO ? 2 : 1;
    }
    size_t fatal = vg_config_check(c, on_problem, (void *)(uintptr_t)path);
    if (!fatal)
        printf("%s: ok: %zu units, %zu listeners, %zu files, %zu rule paths; data in %s\n", path ? path : "(defaults)",
               c->nunits, c->nlisteners, c->nfiles, c->nrules, c->data_dir);
    vg_config_free(c);
    return fatal ? 1 : 0;
}

static void show_opt(const char *key, const char *value, const char *unset)
{
    if (value)
        printf("  %s: %s\n", key, value);
    else
        printf("  #%s: (%s)\n", key, unset);
}

static void show_listener(const vg_config *c, const vg_conf_listener *l)
{
    printf("  - name: %s\n    type: %s\n    listen: \"%s\"\n    unit: %s\n", l->name, vg_listen_kind_name(l->kind),
           l->addr.text, c->units[l->unit].name);
    printf("    format: %s\n    framing: %s\n    max_record: %u\n    max_connections: %u\n    idle_timeout: %u\n",
           l->format ? l->format : "auto", vg_frame_mode_name(l->framing), l->max_record, l->max_connections,
           l->idle_timeout_s);
    if (l->kind == VG_LISTEN_HTTP)
        printf("    backlog_wait_ms: %u\n", l->backlog_wait_ms);
    if (l->cert)
        printf("    cert: %s\n    key: %s\n", l->cert, l->key);
    if (l->client_ca)
        printf("    client_ca: %s\n", l->client_ca);
    if (l->ntokens)
        printf("    tokens:\n");
    for (size_t t = 0; t < l->ntokens; t++) {
        printf("      - name: %s\n        unit: %s\n        token_sha256: ", l->tokens[t].name,
               c->units[l->tokens[t].unit].name);
        for (int i = 0; i < 32; i++)
            printf("%02x", l->tokens[t].sha256[i]);
        printf("\n");
    }
}

static void show_units(const vg_config *c)
{
    printf("units:\n");
    for (size_t u = 0; u < c->nunits; u++) {
        printf("  - name: %s\n    networks: [", c->units[u].name);
        int first = 1;
        for (size_t i = 0; i < c->nnets; i++) {
            if (c->nets[i].unit != u)
                continue;
            char text[INET6_ADDRSTRLEN];
            inet_ntop(c->nets[i].len == 4 ? AF_INET : AF_INET6, c->nets[i].key, text, sizeof(text));
            printf("%s\"%s/%u\"", first ? "" : ", ", text, c->nets[i].prefix);
            first = 0;
        }
        printf("]\n");
        if (c->units[u].ncertificates) {
            printf("    certificates: [");
            for (size_t k = 0; k < c->units[u].ncertificates; k++)
                printf("%s\"%s\"", k ? ", " : "", c->units[u].certificates[k]);
            printf("]\n");
        }
    }
}

static int config_show(const char *path)
{
    vg_config *c = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_config_load(&c, path, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    static const char *levels[] = { "debug", "info", "warn", "error" };
    static const char *syncs[] = { "always", "interval", "never" };
    printf("# effective configuration of %s\ndata_dir: %s\n", path ? path : "the defaults", c->data_dir);
    if (c->user)
        printf("user: %s\n", c->user);
    printf("log:\n  level: %s\n  format: %s\n", levels[c->log_level], c->log_json ? "json" : "text");
    printf("spool:\n  sync: %s\n  sync_interval_ms: %u\n  segment_mb: %u\n  max_backlog: %u\n", syncs[c->spool_sync],
           c->spool_sync_interval_ms, c->spool_segment_mb, c->spool_max_backlog);
    printf("store:\n  path: %s\n  retention_days: %u\n  max_size_mb: %u\n  archive: %s\n  archive_days: %u\n",
           c->store_path, c->retention_days, c->store_max_mb, c->archive ? "true" : "false", c->archive_days);
    printf("detection:\n  workers: %u\n  batch: %u\n  rules: [", c->workers, c->batch);
    for (size_t i = 0; i < c->nrules; i++)
        printf("%s%s", i ? ", " : "", c->rules[i]);
    printf("]\n");
    show_opt("mapping", c->mapping, "built in");
    show_opt("placeholders", c->placeholders, "none");
    show_opt("intel", c->intel, "none");
    printf("api:\n  enabled: %s\n  listen: \"%s\"\n", c->api_enabled ? "true" : "false",
           c->api.text);
    show_units(c);
    printf("listeners:%s\n", c->nlisteners ? "" : " []");
    for (size_t i = 0; i < c->nlisteners; i++)
        show_listener(c, &c->listeners[i]);
    printf("files:%s\n", c->nfiles ? "" : " []");
    for (size_t i = 0; i < c->nfiles; i++)
        printf("  - path: %s\n    unit: %s\n    format: %s\n", c->files[i].path, c->units[c->files[i].unit].name,
               c->files[i].format ? c->files[i].format : "auto");
    vg_config_free(c);
    return 0;
}

static int config_token(const char *name, const char *unit)
{
    unsigned char raw[32], digest[32];
    char hex[65];
    unsigned dlen = 0;
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        fprintf(stderr, "vigil config: no random bytes from the system\n");
        return 2;
    }
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    if (EVP_Digest(hex, 64, digest, &dlen, EVP_sha256(), NULL) != 1 || dlen != 32)
        return 2;
    printf("token (give it to the source; it is not stored anywhere):\n  %s\n\n", hex);
    printf("entry for the tokens list of an http listener:\n");
    printf("      - name: %s\n        unit: %s\n        token_sha256: ", name, unit);
    for (int i = 0; i < 32; i++)
        printf("%02x", digest[i]);
    printf("\n");
    return 0;
}

int vg_cmd_config(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "name", required_argument, NULL, 'n' },
        { "unit", required_argument, NULL, 'u' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *path = NULL, *name = "source", *unit = "default";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'n': name = optarg; break;
        case 'u': unit = optarg; break;
        case 'h': vg_cmd_print_help(config_help); return 0;
        default: return usage_error("invalid option", NULL);
        }
    }
    if (optind + 1 != argc)
        return usage_error(optind >= argc ? "missing action (check, show or token)" : "too many arguments", NULL);
    const char *action = argv[optind];
    if (strcmp(action, "check") == 0)
        return config_check(path);
    if (strcmp(action, "show") == 0)
        return config_show(path);
    if (strcmp(action, "token") == 0)
        return config_token(name, unit);
    return usage_error("unknown action", action);
}

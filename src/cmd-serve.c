/*
 * cmd-serve: `vigil serve` (the daemon: serve.c) and `vigil status` (its counters, read from
 * the API's /metrics over a plain HTTP request to the configured address).
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "serve.h"
#include "util-log.h"

#define STATUS_MAX_BYTES (4u << 20)     /* limit: the /metrics answer vigil status reads */

static const char serve_help[] =
"NAME\n"
"    vigil serve - the daemon: receive logs, detect, store alerts\n"
"\n"
"SYNOPSIS\n"
"    vigil serve [-c FILE]\n"
"\n"
"DESCRIPTION\n"
"    Receives log records from the listeners of the configuration (syslog over UDP and TCP,\n"
"    HTTP POST of NDJSON with a bearer token), writes each to the spool (an append-only\n"
"    write-ahead log with checksums) before acknowledging or processing it, decodes it, runs\n"
"    the indicator snapshot and the Sigma rules on it, and stores every alert in the SQLite\n"
"    store, where vigil alerts finds them. Each record is processed exactly once: after a\n"
"    crash, the records the store has no results for are read again from the spool.\n"
"\n"
"    Without -c the defaults run: syslog on 127.0.0.1:5514 (UDP and TCP), HTTP ingest on\n"
"    127.0.0.1:8514, the API (/metrics, /healthz) on 127.0.0.1:8515, data under the default\n"
"    data directory (see vigil config show). etc/vigil.yml documents every option.\n"
"\n"
"    SIGTERM and SIGINT stop the daemon cleanly: listeners stop, every record received is\n"
"    processed and stored, then it exits. SIGHUP reads the configuration again and replaces\n"
"    the Sigma rules, the indicator snapshot and the log level while records keep flowing\n"
"    (listeners and units change only with a restart); a reload that fails leaves the old\n"
"    ones in use. Messages go to standard error (log.format: json for one JSON object per\n"
"    line). docs/serve.md describes the design.\n"
"\n"
"OPTIONS\n"
"    -c, --config FILE\n"
"        The configuration file (vigil config check validates it).\n"
"    -h, --help\n"
"        Show this page.\n"
"\n"
"EXIT STATUS\n"
"    0 stopped cleanly; 1 the configuration has errors; 2 the daemon could not start.\n"
"\n"
"EXAMPLES\n"
"    vigil serve -c /etc/vigil/vigil.yml\n"
"    logger --server 127.0.0.1 --port 5514 --tcp 'test message'\n"
"    curl -H 'Authorization: Bearer TOKEN' --data-binary @events.ndjson http://127.0.0.1:8514/ingest\n";

static const char status_help[] =
"NAME\n"
"    vigil status - the counters of a running vigil serve\n"
"\n"
"SYNOPSIS\n"
"    vigil status [-c FILE] [--raw]\n"
"\n"
"DESCRIPTION\n"
"    Reads /metrics from the API address of the configuration (api.listen) and prints the\n"
"    daemon's counters: records received, dropped and refused per listener, events decoded and\n"
"    rejected, alerts, the backlog, the spool, the latency from receipt to storage.\n"
"\n"
"OPTIONS\n"
"    -c, --config FILE\n"
"        The daemon's configuration file (for the API address).\n"
"    --raw\n"
"        Print the Prometheus text as the daemon serves it.\n"
"    -h, --help\n"
"        Show this page.\n"
"\n"
"EXIT STATUS\n"
"    0 the daemon answered; 2 it did not (not running, or another address).\n";

static vg_config *load_config(const char *cmd, const char *path)
{
    vg_config *c = NULL;
    vg_error err;
    vg_error_clear(&err);
    if (vg_config_load(&c, path, &err) != VG_OK) {
        fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
        return NULL;
    }
    return c;
}

int vg_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'h': vg_cmd_print_help(serve_help); return 0;
        default: fprintf(stderr, "vigil serve: invalid option (see vigil serve --help)\n"); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "vigil serve: unexpected argument: %s (see vigil serve --help)\n", argv[optind]);
        return 2;
    }
    vg_config *conf = load_config("serve", path);
    if (!conf)
        return 1;
    vg_log_set_level(conf->log_level);
    vg_log_set_json(conf->log_json);
    vg_error err;
    vg_error_clear(&err);
    vg_log(VG_LOG_INFO, "starting: configuration %s", path ? path : "(defaults)");
    vg_rc rc = vg_serve_run(conf, path, &err);
    if (rc)
        vg_log(VG_LOG_ERROR, "cannot start: %s", err.msg);
    vg_config_free(conf);
    return rc ? 2 : 0;
}

/* GET /metrics from the API; the body in b. */
static int fetch_metrics(const vg_conf_addr *a, vg_buf *b)
{
    int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = { 5, 0 };
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    static const char req[] = "GET /metrics HTTP/1.0\r\nHost: vigil\r\n\r\n";
    if (connect(fd, (const struct sockaddr *)&a->sa, a->salen) != 0 || write(fd, req, sizeof(req) - 1) < 0) {
        close(fd);
        return -1;
    }
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
        if (vg_buf_append(b, chunk, (size_t)n) != VG_OK)
            break;
    close(fd);
    return b->len && strncmp(b->data, "HTTP/1.", 7) == 0 && strstr(b->data, " 200 ") ? 0 : -1;
}

int vg_cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "raw", no_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *path = NULL;
    int c, raw = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': path = optarg; break;
        case 'r': raw = 1; break;
        case 'h': vg_cmd_print_help(status_help); return 0;
        default: fprintf(stderr, "vigil status: invalid option (see vigil status --help)\n"); return 2;
        }
    }
    vg_config *conf = load_config("status", path);
    if (!conf)
        return 2;
    vg_buf b;
    vg_buf_init(&b, STATUS_MAX_BYTES);
    int bad = fetch_metrics(&conf->api, &b);
    if (bad) {
        fprintf(stderr, "vigil status: no answer from the daemon's API at %s: %s\n", conf->api.text,
                errno ? strerror(errno) : "not an HTTP 200 answer");
    } else {
        const char *body = strstr(b.data, "\r\n\r\n");
        body = body ? body + 4 : b.data;
        for (const char *p = body; *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            if (raw || (len && p[0] != '#'))
                printf("%.*s\n", (int)len, p);
            p += len + (nl != NULL);
        }
    }
    vg_buf_free(&b);
    vg_config_free(conf);
    return bad ? 2 : 0;
}

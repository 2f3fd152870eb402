/*
 * cmd-alerts: `vigil alerts`, the alerts the daemon stored, read from its SQLite store
 * (store.h) through a read-only handle, so it runs while vigil serve writes. Filters become a
 * vg_store_query; rows come newest first and are printed as the stored JSON, one alert per
 * line, or as an aligned table (the rows are kept until the column widths are known).
 */
#include "cmd.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "util-buf.h"
#include "util-mem.h"
#include "util-time.h"

#define OUT_FLUSH (64u << 10)
#define PATH_MAX_LEN 4096
#define NCOLS 7

static const char alerts_help[] =
"NAME\n"
"    vigil alerts - list the alerts stored by the daemon, newest first\n"
"\n"
"SYNOPSIS\n"
"    vigil alerts [--store PATH] [--since TIME] [--until TIME] [--unit UNIT] [--rule RULE]\n"
"                 [--host HOST] [--indicator VALUE] [--kind intel|sigma] [--limit N]\n"
"                 [-o json|table] [--now TIME]\n"
"\n"
"DESCRIPTION\n"
"    Reads the alerts that vigil serve stored in its SQLite store (docs/store.md) and prints\n"
"    those matching every filter given, newest event first. The store is opened read-only:\n"
"    this runs while the daemon writes, and sees every batch it has committed.\n"
"\n"
"    -o json (the default) prints each alert exactly as it was stored: one JSON object per\n"
"    line, in the format of vigil scan (docs/alerts.md). -o table prints aligned columns:\n"
"    TIME (the event's, UTC), UNIT, KIND, LEVEL, RULE (the Sigma title or the threat family;\n"
"    the rule id or feed when there is none), HOST and INDICATOR; control characters in the\n"
"    stored values are shown as '?', an absent value as '-'.\n"
"\n"
"OPTIONS\n"
"    --store PATH\n"
"        The store to read. Default: vigil.db in the daemon's data directory: $VIGIL_DATA_DIR\n"
"        if set, else /var/lib/vigil when run as root, else $XDG_DATA_HOME/vigil, else\n"
"        ~/.local/share/vigil.\n"
"    --since TIME, --until TIME\n"
"        Only alerts whose event time is at or after --since and before --until. TIME is\n"
"        RFC 3339 (2026-03-03T10:00:00Z, 2026-03-03T17:00:00+07:00; no zone: UTC) or a time\n"
"        back from now: a number and s, m, h, d or w (90s, 15m, 24h, 7d, 2w).\n"
"    --unit UNIT\n"
"        Only alerts of the unit named UNIT.\n"
"    --rule RULE\n"
"        Only alerts of the rule whose id or name (Sigma title; for intel alerts the feed or\n"
"        the threat family) is RULE, exactly.\n"
"    --host HOST\n"
"        Only alerts about events of HOST (host.name, or host.ip), exactly.\n"
"    --indicator VALUE\n"
"        Only intel alerts on the indicator VALUE (its canonical form, as in the alert's\n"
"        threat.indicator.value).\n"
"    --kind intel|sigma\n"
"        Only alerts of one detector.\n"
"    --limit N\n"
"        Print at most N alerts (default 1000).\n"
"    -o, --output json|table\n"
"        The output format (default json).\n"
"    --now TIME\n"
"        The time relative TIMEs count back from (RFC 3339). Default: now.\n"
"    -h, --help\n"
"        Show this page.\n"
"\n"
"ENVIRONMENT\n"
"    VIGIL_DATA_DIR, XDG_DATA_HOME, HOME\n"
"        Where the default store is (see --store).\n"
"\n"
"EXIT STATUS\n"
"    0 the query ran (whether or not any alert matched); 2 usage error, or a store that is\n"
"    missing, unreadable, not a Vigil store or of a newer schema.\n"
"\n"
"EXAMPLES\n"
"    vigil alerts --since 24h -o table\n"
"    vigil alerts --unit hanoi --kind intel --since 7d | jq -r .threat.indicator.value\n"
"    vigil alerts --host web01 --since 2026-03-01T00:00:00+07:00 --until 2026-03-02T00:00:00+07:00\n"
"    vigil alerts --store /srv/vigil/vigil.db --rule 'Whoami Execution' --limit 20\n";

typedef struct alerts_opts {
    const char *store, *since, *until, *now;
    int table;
    vg_store_query q;
} alerts_opts;

/* One table row: its cells, owned. */
typedef struct table_row {
    char *cell[NCOLS];
} table_row;

typedef struct alerts_run {
    vg_buf out;
    int table;
    int failed;                 /* 1: out of memory, 2: standard output failed */
    table_row *rows;
    size_t nrows, cap;
} alerts_run;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil alerts: %s%s%s (see vigil alerts --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* RFC 3339, or a duration back from now_ms; ms since the epoch in *ms. */
static int parse_time(const char *s, int64_t now_ms, int64_t *ms)
{
    int64_t d;
    vg_time t;
    if (vg_time_parse_duration(s, strlen(s), &d) == 0) {
        *ms = now_ms - d;
        return 0;
    }
    if (vg_time_parse_iso(s, strlen(s), 0, &t) != 0)
        return -1;
    *ms = t.sec * 1000 + t.nsec / 1000000;
    return 0;
}

static int parse_limit(const char *s, uint32_t *limit)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || v > UINT32_MAX)
        return -1;
    *limit = (uint32_t)v;
    return 0;
}

static int parse_args(int argc, char **argv, alerts_opts *o)
{
    static const struct option longopts[] = {
        { "store", required_argument, NULL, 'S' },
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "unit", required_argument, NULL, 'U' },
        { "rule", required_argument, NULL, 'r' },
        { "host", required_argument, NULL, 'H' },
        { "indicator", required_argument, NULL, 'I' },
        { "kind", required_argument, NULL, 'k' },
        { "limit", required_argument, NULL, 'n' },
        { "output", required_argument, NULL, 'o' },
        { "now", required_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': o->store = optarg; break;
        case 's': o->since = optarg; break;
        case 'u': o->until = optarg; break;
        case 'U': o->q.unit = optarg; break;
        case 'r': o->q.rule = optarg; break;
        case 'H': o->q.host = optarg; break;
        case 'I': o->q.indicator = optarg; break;
        case 'N': o->now = optarg; break;
        case 'k':
            if (strcmp(optarg, "intel") != 0 && strcmp(optarg, "sigma") != 0)
                return usage_error("--kind takes intel or sigma", optarg);
            o->q.kind = optarg;
            break;
        case 'n':
            if (parse_limit(optarg, &o->q.limit) != 0)
                return usage_error("--limit takes a number from 1 to 4294967295", optarg);
            break;
        case 'o':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
                return usage_error("--output takes json or table", optarg);
            o->table = strcmp(optarg, "table") == 0;
            break;
        case 'h':
            vg_cmd_print_help(alerts_help);
            return -1;
        default:
            return usage_error("invalid option", NULL);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    return 0;
}

/* Turns --now, --since and --until into the query's time range. */
static int resolve_times(alerts_opts *o)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    vg_time t;
    if (o->now) {
        if (vg_time_parse_iso(o->now, strlen(o->now), 0, &t) != 0)
            return usage_error("--now takes an RFC 3339 time", o->now);
        now = t.sec * 1000 + t.nsec / 1000000;
    }
    if (o->since && parse_time(o->since, now, &o->q.since_ms) != 0)
        return usage_error("--since takes an RFC 3339 time or a duration (24h, 7d)", o->since);
    if (o->until && parse_time(o->until, now, &o->q.until_ms) != 0)
        return usage_error("--until takes an RFC 3339 time or a duration (24h, 7d)", o->until);
    if (o->since && o->until && o->q.until_ms <= o->q.since_ms)
        return usage_error("--until must be later than --since", o->until);
    /* 0 means "no bound" to the store: a bound exactly at the epoch moves by 1 ms */
    if (o->since && o->q.since_ms == 0)
        o->q.since_ms = 1;
    if (o->until && o->q.until_ms == 0)
        o->q.until_ms = -1;
    return 0;
}

/* A copy of s with control characters as '?' ("-" for an absent value). */
static char *cell(const char *s)
{
    if (!s || !s[0])
        s = "-";
    char *c = vg_strndup(s, strlen(s));
    for (char *p = c; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

static int add_table_row(alerts_run *run, const vg_store_row *r)
{
    if (run->nrows == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 64;
        table_row *rows = vg_realloc(run->rows, cap * sizeof *rows);
        if (!rows)
            return -1;
        run->rows = rows;
        run->cap = cap;
    }
    char when[VG_RFC3339_MAX];
    vg_time t = { r->event_time_ms >= 0 ? r->event_time_ms / 1000 : -((-r->event_time_ms + 999) / 1000), 0, 0 };
    if (r->event_time_ms != 0)
        vg_time_format(&t, when);
    const char *rule = r->rule_name && r->rule_name[0] ? r->rule_name : r->rule_id;
    const char *v[NCOLS] = { r->event_time_ms ? when : NULL, r->unit, r->kind, r->level, rule, r->host, r->indicator };
    table_row *row = &run->rows[run->nrows++];
    int ok = 1;
    for (int i = 0; i < NCOLS; i++)
        ok &= (row->cell[i] = cell(v[i])) != NULL;
    return ok ? 0 : -1;
}

static int on_row(void *ctx, const vg_store_row *r)
{
    alerts_run *run = ctx;
    if (run->table) {
        if (add_table_row(run, r) != 0)
            run->failed = 1;
        return run->failed;
    }
    if (vg_buf_append(&run->out, r->json, r->json_len) || vg_buf_putc(&run->out, '\n'))
        run->failed = 1;
    else if (run->out.len >= OUT_FLUSH && vg_cmd_flush(&run->out) != 0)
        run->failed = 2;
    return run->failed;
}

/* Display width: UTF-8 code points. */
static size_t width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int print_table(alerts_run *run)
{
    static const char *const head[NCOLS] = { "TIME", "UNIT", "KIND", "LEVEL", "RULE", "HOST", "INDICATOR" };
    size_t w[NCOLS];
    for (int i = 0; i < NCOLS; i++) {
        w[i] = strlen(head[i]);
        for (size_t r = 0; r < run->nrows; r++)
            if (width(run->rows[r].cell[i]) > w[i])
                w[i] = width(run->rows[r].cell[i]);
    }
    for (size_t r = 0; r <= run->nrows; r++) {
        const char *const *cells = r == 0 ? head : (const char *const *)run->rows[r - 1].cell;
        vg_rc rc = VG_OK;
        for (int i = 0; i < NCOLS && !rc; i++) {
            rc = vg_buf_puts(&run->out, cells[i]);
            for (size_t pad = width(cells[i]); i < NCOLS - 1 && pad < w[i] + 2 && !rc; pad++)
                rc = vg_buf_putc(&run->out, ' ');
        }
        if (rc || vg_buf_putc(&run->out, '\n') || (run->out.len >= OUT_FLUSH && vg_cmd_flush(&run->out) != 0))
            return -1;
    }
    return 0;
}

static void run_free(alerts_run *run)
{
    for (size_t r = 0; r < run->nrows; r++)
        for (int i = 0; i < NCOLS; i++)
            vg_free(run->rows[r].cell[i]);
    vg_free(run->rows);
    vg_buf_free(&run->out);
}

/* Opens the store named by --store or the default path; prints why not. */
static vg_store *open_store(const char *given)
{
    char path[PATH_MAX_LEN];
    vg_error err;
    if (!given) {
        if (vg_store_default_path(path, sizeof path, &err) != VG_OK) {
            fprintf(stderr, "vigil alerts: %s\n", err.msg);
            return NULL;
        }
        given = path;
    }
    vg_store *st = NULL;
    vg_rc rc = vg_store_open_readonly(&st, given, &err);
    if (rc == VG_ERR_NOTFOUND)
        fprintf(stderr, "vigil alerts: no store at %s (vigil serve creates it; or give --store PATH)\n", given);
    else if (rc)
        fprintf(stderr, "vigil alerts: cannot read the store: %s\n", err.msg);
    return st;
}

int vg_cmd_alerts(int argc, char **argv)
{
    alerts_opts o;
    memset(&o, 0, sizeof o);
    int r = parse_args(argc, argv, &o);
    if (r)
        return r < 0 ? 0 : r;
    if ((r = resolve_times(&o)) != 0)
        return r;
    vg_store *st = open_store(o.store);
    if (!st)
        return 2;
    alerts_run run;
    memset(&run, 0, sizeof run);
    vg_buf_init(&run.out, 0);
    run.table = o.table;
    vg_error err;
    int status = 0;
    if (vg_store_query_alerts(st, &o.q, on_row, &run, &err) != VG_OK) {
        fprintf(stderr, "vigil alerts: %s\n", err.msg);
        status = 2;
    } else if (run.failed == 1 || (!run.failed && run.table && print_table(&run) != 0)) {
        fprintf(stderr, "vigil alerts: out of memory\n");
        status = 2;
    }
    if (run.failed == 2 || vg_cmd_flush(&run.out) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "vigil alerts: cannot write to standard output\n");
        status = 2;
    }
    run_free(&run);
    vg_store_close(st);
    return status;
}

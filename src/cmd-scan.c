/*
 * cmd-scan: `vigil scan`, detection in batch over log files. Each input is decoded as
 * `vigil decode` does (cmd-input); every event is matched against an indicator snapshot
 * (detect-intel) and against Sigma rules (sigma-set, sigma-engine), and each hit is printed as
 * one alert per line (detect-alert). Progress goes to standard error on long scans, and a
 * summary ends the run: counts of events, lookups, hits, alerts, suppressed and expired hits,
 * the alerts per feed and per rule.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd-input.h"
#include "detect.h"
#include "intel-snapshot.h"
#include "json-write.h"
#include "sigma-set.h"
#include "util-buf.h"
#include "util-hscache.h"
#include "util-time.h"

#define OUT_FLUSH (64u << 10)
#define SCAN_MAX_EXTRA 64       /* limit: --field options */
#define SCAN_MAX_RULE_PATHS 256 /* limit: --rules options */

static const char scan_help[] =
"NAME\n"
"    vigil scan - detect threats in log files: indicator matching, one alert per line\n"
"\n"
"SYNOPSIS\n"
"    vigil scan --intel SNAPSHOT [OPTIONS] [FILE...]\n"
"    vigil scan --rules DIR|FILE [--rules ...] [--intel SNAPSHOT] [OPTIONS] [FILE...]\n"
"\n"
"DESCRIPTION\n"
"    Reads each FILE (standard input when there is none, or for '-'), decodes its records as\n"
"    vigil decode does, and looks the observables of every event up in the indicator\n"
"    snapshot made by vigil intel compile. Each hit is printed on standard output as one JSON\n"
"    alert: the event's time, where the event came from (input, record, line), the indicator\n"
"    and how it matched (exact, network, parent domain), the field and value it was found in,\n"
"    every threat source's provenance (feed, family, references, count, first and last seen,\n"
"    expiry) and the event itself. The format is described in docs/alerts.md.\n"
"\n"
"    Fields read by default (ECS): source.ip, destination.ip, client.ip, server.ip (each also\n"
"    with its .port, for IP:port indicators), host.ip, dns.resolved_ip; source.domain,\n"
"    destination.domain, client.domain, server.domain, url.domain, dns.question.name,\n"
"    tls.client.server_name; url.full (else url.original); file.hash.*, process.hash.*,\n"
"    dll.hash.* (md5, sha1, sha256); email.{from,sender,reply_to,to,cc,bcc}.address,\n"
"    user.email; user.name, user.target.name, user.effective.name, source.user.name,\n"
"    destination.user.name. A field may hold one value or an array of values.\n"
"\n"
"    A value named by a known-good list (a feed with role allow, such as the MISP\n"
"    warninglists) raises no alert: its hits are counted as suppressed. Sources whose expiry\n"
"    has passed are left out; a hit with no source left is counted as expired.\n"
"\n"
"    With --rules, every event is also run through the Sigma rules found in the files and\n"
"    directories given (see vigil rules): each rule that fires is one alert with the rule's\n"
"    id, title, level, status, tags and references, the kind of event it was matched as, and\n"
"    the fields and values that made it fire. Rules whose logsource or fields are not mapped to\n"
"    Vigil's events, or that cannot be compiled, are counted at the start (vigil rules check\n"
"    lists them with their reasons).\n"
"\n"
"    Records that cannot be decoded are reported on standard error as FILE:LINE: reason and\n"
"    the scan goes on. A summary ends the run on standard error.\n"
"\n"
"OPTIONS\n"
"    -i, --intel SNAPSHOT\n"
"        The indicator snapshot to match against.\n"
"    -r, --rules DIR|FILE\n"
"        Sigma rules to run (files, or directories searched for .yml and .yaml files); may be\n"
"        repeated. At least one of --intel and --rules is needed.\n"
"    --mapping FILE, --placeholders FILE\n"
"        The logsource mapping instead of the built-in one, and the values of placeholders\n"
"        (see vigil rules --help).\n"
"    --field PATH=KIND\n"
"        Also read the field PATH (a dotted path of the event) as KIND: ip, domain, url,\n"
"        hash, email, account, or auto (the value's shape decides). PATH=ip:PORTPATH also\n"
"        looks the address up with the port read from PORTPATH. May be repeated.\n"
"    --no-default-fields\n"
"        Read only the fields given with --field.\n"
"    -o, --output json|none\n"
"        json (default) prints alerts; none only counts them.\n"
"    --now TIME\n"
"        The time that decides expiry and stamps alerts (RFC 3339 or seconds since the\n"
"        epoch). Default: now.\n"
"    --verify\n"
"        Check the snapshot's checksum and every offset before scanning.\n"
"    --progress, --no-progress\n"
"        Print progress on standard error every second. Default: when it is a terminal.\n"
"    --corr-max-groups N\n"
"        The memory bound of Sigma correlation rules: groups (distinct group-by values) kept\n"
"        per correlation; when full, the least recently hit group is evicted and counted in\n"
"        the summary. Default: 1000000.\n"
"    --reference\n"
"        Try every rule of an event's kinds with the reference value matcher, without the\n"
"        literal prefilter (slow; the alerts are the same: for checking the fast path).\n"
VG_CMD_INPUT_HELP
"    -h, --help\n"
"        Show this page.\n"
"\n"
"ENVIRONMENT\n"
"    VIGIL_CACHE_DIR\n"
"        Where compiled rule databases are kept, so a restart with unchanged rules does not\n"
"        compile them again (files named by the SHA-256 of their patterns, checked when read).\n"
"        Default: $XDG_CACHE_HOME/vigil/sigma or ~/.cache/vigil/sigma; empty: no cache.\n"
"\n"
"EXIT STATUS\n"
"    0 every record was read and matched (whether or not alerts were raised); 1 some\n"
"    records or inputs were rejected; 2 usage or I/O error, or a snapshot that cannot be used.\n"
"\n"
"EXAMPLES\n"
"    vigil intel compile -c feeds.yml -o intel.vgi\n"
"    vigil scan --intel intel.vgi /var/log/auth.log /var/log/nginx/access.log.gz\n"
"    vigil scan -i intel.vgi --field winlog.event_data.QueryName=domain sysmon.json\n"
"    vigil scan -i intel.vgi -o none eve.json     # only the summary\n"
"    vigil scan --rules sigma/rules --intel intel.vgi sysmon.json\n";

typedef struct feed_count {
    const char *name;
    uint64_t alerts;
} feed_count;

typedef struct scan_run {
    vg_cmd_input in;
    vg_snap *snap;
    vg_intel_matcher *matcher;
    vg_detect_shared shared;
    vg_detector *det;
    int shared_init;
    int print, progress;
    int64_t now;
    time_t last_progress;
    vg_buf out;
    size_t nfeeds;
    feed_count *feeds;
    vg_sigma_set *rules;
    int reference;              /* --reference: no prefilter */
    uint64_t *rule_alerts;      /* per engine entry */
    vg_sigma_corr_limits corr_limits;   /* --corr-max-groups */
} scan_run;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil scan: %s%s%s (see vigil scan --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* Counts an alert for each feed among its sources. */
static void count_feeds(scan_run *run, const vg_intel_alert *a)
{
    size_t n = vg_snap_source_count(run->snap, a->hit->ref);
    for (size_t i = 0; i < n; i++) {
        vg_intel_source src;
        if (vg_snap_source(run->snap, a->hit->ref, i, &src) != 0 || src.role == VG_INTEL_ALLOW ||
            (src.expires && src.expires <= run->now))
            continue;
        for (size_t f = 0; f < run->nfeeds; f++)
            if (strcmp(run->feeds[f].name, src.feed) == 0) {
                run->feeds[f].alerts++;
                break;
            }
    }
}

static void show_progress(scan_run *run, int last)
{
    uint64_t alerts = vg_detector_intel_stats(run->det)->alerts + vg_detector_sigma_stats(run->det)->hits;
    fprintf(stderr, "\rvigil scan: %s: %llu records, %llu events, %llu alerts%s", run->in.path ? run->in.path : "",
            (unsigned long long)run->in.stats.records, (unsigned long long)run->in.stats.events,
            (unsigned long long)alerts, last ? "\n" : "   ");
}

/* Each alert: counted per feed or rule, printed as one line. */
static vg_rc on_alert(void *ctx, const vg_detect_alert *a)
{
    scan_run *run = ctx;
    if (a->intel)
        count_feeds(run, a->intel);
    else
        run->rule_alerts[a->sigma->entry->index]++;
    if (!run->print)
        return VG_OK;
    vg_rc rc = vg_buf_append(&run->out, a->json, a->len);
    if (!rc)
        rc = vg_buf_putc(&run->out, '\n');
    if (!rc && run->out.len >= OUT_FLUSH && vg_cmd_flush(&run->out) != 0)
        rc = VG_ERR_IO;
    return rc;
}

static vg_rc on_event(void *ctx, const vg_event *ev)
{
    scan_run *run = ctx;
    vg_alert_origin o = { run->in.path, run->in.record, ev->line, ev->repeat, NULL, 0 };
    vg_rc rc = vg_detect_event(run->det, run->snap, ev, &o, run->now, on_alert, run);
    if (!rc && run->snap) {
        const char *next;
        size_t n = run->in.reader ? vg_reader_ahead(run->in.reader, &next) : 0;
        const char *nl = n ? memchr(next, '\n', n < VG_INTEL_AHEAD ? n : VG_INTEL_AHEAD) : NULL;
        if (n)      /* the next record's addresses start loading while it is decoded */
            vg_intel_prefetch_text(run->snap, next, nl ? (size_t)(nl - next) : n);
    }
    if (run->progress && (run->in.stats.records & 4095) == 0) {
        time_t t = time(NULL);
        if (t != run->last_progress) {
            run->last_progress = t;
            show_progress(run, 0);
        }
    }
    return rc;
}

static int parse_now(const char *s, int64_t *out)
{
    vg_time t;
    if (vg_time_parse_epoch(s, strlen(s), &t) != 0 && vg_time_parse_iso(s, strlen(s), 0, &t) != 0)
        return -1;
    *out = t.sec;
    return 0;
}

typedef struct rule_count {
    const vg_sigma_entry *entry;
    uint64_t alerts;
} rule_count;

static int cmp_rule_count(const void *a, const void *b)
{
    const rule_count *x = a, *y = b;
    if (x->alerts != y->alerts)
        return y->alerts > x->alerts ? 1 : -1;
    return strcmp(x->entry->rule->meta.title, y->entry->rule->meta.title);
}

/* The Sigma part of the summary: counts, then the alerts of each rule that fired. */
static void rules_summary(const scan_run *run)
{
    const vg_sigma_engine *e = vg_sigma_set_engine(run->rules);
    const vg_sigma_stats *s = vg_detector_sigma_stats(run->det);
    size_t n = vg_sigma_engine_count(e), fired = 0;
    fprintf(stderr, "vigil scan: rules: %llu events matched against rules (%llu of no mapped kind), %llu rule "
            "evaluations, %llu alerts, %llu conditions undecided (a limit stopped them)\n",
            (unsigned long long)s->events, (unsigned long long)s->unmapped, (unsigned long long)s->evaluated,
            (unsigned long long)s->hits, (unsigned long long)s->undecided);
    fprintf(stderr, "vigil scan: rules: %llu places scanned by the prefilter (%llu more answered from its cache), "
            "%llu field conditions read from it, %llu run by the reference matcher\n", (unsigned long long)s->scanned,
            (unsigned long long)s->cached, (unsigned long long)s->fast_fields, (unsigned long long)s->ref_fields);
    rule_count *rc = calloc(n ? n : 1, sizeof *rc);
    if (!rc)
        return;
    for (size_t i = 0; i < n; i++)
        if (run->rule_alerts[i])
            rc[fired++] = (rule_count){ vg_sigma_engine_entry(e, i), run->rule_alerts[i] };
    qsort(rc, fired, sizeof *rc, cmp_rule_count);
    for (size_t i = 0; i < fired; i++)
        fprintf(stderr, "vigil scan: rule %s (%s, %s): %llu alerts\n", rc[i].entry->rule->meta.title,
                rc[i].entry->rule->meta.id ? rc[i].entry->rule->meta.id : "no id",
                rc[i].entry->rule->meta.level ? rc[i].entry->rule->meta.level : "no level",
                (unsigned long long)rc[i].alerts);
    free(rc);
    const vg_sigma_corr *c = vg_sigma_set_corr(run->rules);
    const vg_sigma_corr_totals *t = vg_sigma_corr_totals_of(c);
    if (vg_sigma_corr_count(c) || vg_sigma_corr_filter_count(c))
        fprintf(stderr, "vigil scan: rules: %llu hits dropped by filters, %llu hits not printed (their rules feed "
                "correlations with generate: false), %llu events without a readable @timestamp\n",
                (unsigned long long)t->filtered, (unsigned long long)t->unprinted, (unsigned long long)t->untimed);
    for (size_t i = 0; i < vg_sigma_corr_count(c); i++) {
        const vg_sigma_corr_stats *cs = vg_sigma_corr_stats_of(c, i);
        const vg_sigma_rule *r = vg_sigma_corr_entry(c, i)->rule;
        fprintf(stderr, "vigil scan: correlation %s (%s, %s): %llu hits fed, %llu alerts, %llu groups alive, "
                "%llu late hits ignored, %llu hits without a value, %llu hits with too long group-by values\n",
                r->meta.title, r->meta.id ? r->meta.id : "no id", vg_sigma_corr_type_name(r->correlation.type),
                (unsigned long long)cs->hits, (unsigned long long)cs->alerts, (unsigned long long)cs->groups,
                (unsigned long long)cs->late, (unsigned long long)cs->no_value, (unsigned long long)cs->long_keys);
        if (cs->evicted_groups || cs->evicted_hits)
            fprintf(stderr, "vigil scan: correlation %s: evicted %llu groups and %llu window hits: memory bound\n",
                    r->meta.title, (unsigned long long)cs->evicted_groups, (unsigned long long)cs->evicted_hits);
    }
    for (size_t i = 0; i < vg_sigma_corr_filter_count(c); i++) {
        uint64_t dropped;
        const vg_sigma_entry *fe = vg_sigma_corr_filter_entry(c, i, &dropped);
        if (fe->status == VG_SIGMA_ACTIVE)
            fprintf(stderr, "vigil scan: filter %s: %llu hits dropped\n", fe->rule->meta.title,
                    (unsigned long long)dropped);
    }
}

static void summary(scan_run *run)
{
    const vg_intel_stats *st = vg_detector_intel_stats(run->det);
    const vg_cmd_input *in = &run->in;
    vg_auditjoin_stats js = vg_detect_join_stats(&run->shared);
    fprintf(stderr, "vigil scan: %llu events from %llu records (%llu rejected), %u of %u inputs read\n",
            (unsigned long long)in->stats.events, (unsigned long long)in->stats.records,
            (unsigned long long)in->stats.rejected, in->inputs - in->inputs_failed, in->inputs);
    if (js.joined || js.dropped || js.pending)
        fprintf(stderr, "vigil scan: auditd: %llu process starts joined from the records of their exec; %llu execs "
                "without all their records (%llu dropped when more than %d were pending, %llu at the end)\n",
                (unsigned long long)js.joined, (unsigned long long)(js.dropped + js.pending),
                (unsigned long long)js.dropped, VG_AUDITJOIN_PENDING, (unsigned long long)js.pending);
    if (run->rules)
        rules_summary(run);
    if (!run->snap)
        return;
    fprintf(stderr, "vigil scan: intel: %llu values read (%llu not of their field's kind), %llu lookups, "
            "%llu hits: %llu alerts, %llu suppressed by known-good lists, %llu on known-good lists only, "
            "%llu expired\n", (unsigned long long)st->values, (unsigned long long)st->invalid,
            (unsigned long long)st->lookups, (unsigned long long)st->hits, (unsigned long long)st->alerts,
            (unsigned long long)st->suppressed, (unsigned long long)st->allowed, (unsigned long long)st->expired);
    for (size_t f = 0; f < run->nfeeds; f++)
        if (run->feeds[f].alerts)
            fprintf(stderr, "vigil scan: feed %s: %llu alerts\n", run->feeds[f].name,
                    (unsigned long long)run->feeds[f].alerts);
}

/* Opens the snapshot and the per-feed counters; 0 or an exit status. */
static int open_intel(scan_run *run, const char *path, int verify, const vg_intel_field *extra, size_t nextra,
                      int defaults)
{
    vg_error err;
    vg_error_clear(&err);
    if (vg_snap_open(&run->snap, path, verify ? VG_SNAP_VERIFY : 0, &err) != VG_OK) {
        fprintf(stderr, "vigil scan: %s\n", err.msg);
        return 2;
    }
    if (vg_intel_matcher_new(&run->matcher, defaults, extra, nextra, &err) != VG_OK) {
        fprintf(stderr, "vigil scan: %s\n", err.msg);
        return 2;
    }
    run->nfeeds = vg_snap_feed_count(run->snap);
    run->feeds = calloc(run->nfeeds ? run->nfeeds : 1, sizeof *run->feeds);
    if (!run->feeds) {
        fprintf(stderr, "vigil scan: out of memory\n");
        return 2;
    }
    for (size_t f = 0; f < run->nfeeds; f++) {
        vg_intel_feed_info info;
        run->feeds[f].name = vg_snap_feed(run->snap, f, &info) == 0 ? info.name : "?";
    }
    return 0;
}

static void on_rules_error(void *ctx, const char *msg)
{
    int *bad = ctx;
    fprintf(stderr, "vigil scan: %s\n", msg);
    *bad = 1;
}

/* Loads the rule set and says what became of the rules; 0 or an exit status. */
static int open_rules(scan_run *run, char **paths, size_t n, const char *mapping, const char *placeholders)
{
    vg_error err;
    vg_error_clear(&err);
    char cache[4096];
    vg_detect_rules_opts o = {
        .paths = paths, .npaths = n, .mapping = mapping, .placeholders = placeholders,
        .cache_dir = run->reference ? NULL : vg_hscache_default_dir(cache, sizeof cache),
        .reference = run->reference, .corr = run->corr_limits, .max_value = run->in.max_record, .now = run->now,
    };
    vg_detect_rules_info info;
    int bad = 0;
    vg_rc rc = vg_detect_load_rules(&run->rules, &o, on_rules_error, &bad, &info, &err);
    if (rc == VG_OK || rc == VG_ERR_NOTFOUND)
        fprintf(stderr, "vigil scan: rules: %zu active, %zu not applicable, %zu rejected, %zu not run "
                "from %zu files (vigil rules check says why)\n", info.status[VG_SIGMA_ACTIVE],
                info.status[VG_SIGMA_NOT_APPLICABLE], info.status[VG_SIGMA_REJECTED] + info.rejected_docs,
                info.status[VG_SIGMA_NOT_RUN], info.files);
    if (rc) {
        if (!bad)
            fprintf(stderr, "vigil scan: %s\n", err.msg);
        return 2;
    }
    const vg_sigma_build_info *bi = info.build;
    if (bi) {
        fprintf(stderr, "vigil scan: rules: prefilter: %u rules with triggers, %u always evaluated, "
                "%u of %u field conditions by literals, %u gated by them (%u databases, %u patterns, %u refused)\n",
                bi->trigger_rules, bi->always_rules, bi->fast, bi->conditions, bi->gated, bi->databases,
                bi->patterns, bi->refused);
        if (bi->refused)
            fprintf(stderr, "vigil scan: rules: Hyperscan refused a pattern (its conditions use the reference "
                    "matcher): %s\n", bi->first_refusal);
    }
    run->rule_alerts = calloc(vg_sigma_engine_count(vg_sigma_set_engine(run->rules)), sizeof *run->rule_alerts);
    if (!run->rule_alerts) {
        fprintf(stderr, "vigil scan: out of memory\n");
        return 2;
    }
    return 0;
}

/* The detector of the scan, over the snapshot's matcher and the rules. */
static int open_detector(scan_run *run)
{
    vg_error err;
    vg_error_clear(&err);
    if (vg_detect_shared_init(&run->shared, run->rules, run->matcher, run->in.max_record, run->print) != VG_OK) {
        fprintf(stderr, "vigil scan: out of memory\n");
        return 2;
    }
    run->shared_init = 1;
    if (vg_detector_new(&run->det, &run->shared, &err) != VG_OK) {
        fprintf(stderr, "vigil scan: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static void scan_free(scan_run *run)
{
    vg_detector_free(run->det);
    if (run->shared_init)
        vg_detect_shared_free(&run->shared);
    vg_sigma_set_free(run->rules);
    free(run->rule_alerts);
    vg_intel_matcher_free(run->matcher);
    if (run->snap)
        vg_snap_close(run->snap);
    free(run->feeds);
    vg_buf_free(&run->out);
    vg_cmd_input_free(&run->in);
}

int vg_cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        VG_CMD_INPUT_LONGOPTS,
        { "intel", required_argument, NULL, 'i' },
        { "rules", required_argument, NULL, 'r' },
        { "mapping", required_argument, NULL, 'M' },
        { "placeholders", required_argument, NULL, 'H' },
        { "field", required_argument, NULL, 'F' },
        { "no-default-fields", no_argument, NULL, 'D' },
        { "output", required_argument, NULL, 'o' },
        { "now", required_argument, NULL, 'N' },
        { "verify", no_argument, NULL, 'V' },
        { "progress", no_argument, NULL, 'P' },
        { "no-progress", no_argument, NULL, 'p' },
        { "reference", no_argument, NULL, 'R' },
        { "corr-max-groups", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static scan_run run;
    memset(&run, 0, sizeof run);
    vg_cmd_input_init(&run.in, "vigil scan");
    run.in.event = on_event;
    run.in.ctx = &run;
    run.print = 1;
    run.progress = isatty(STDERR_FILENO);
    run.now = (int64_t)time(NULL);
    const char *intel = NULL, *mapping = NULL, *placeholders = NULL;
    char *rule_paths[SCAN_MAX_RULE_PATHS];
    size_t nrules = 0;
    vg_intel_field extra[SCAN_MAX_EXTRA];
    size_t nextra = 0;
    int defaults = 1, verify = 0, c;
    vg_error err;
    optind = 1;
    while ((c = getopt_long(argc, argv, VG_CMD_INPUT_SHORTOPTS "i:r:o:h", longopts, NULL)) != -1) {
        int r = vg_cmd_input_option(&run.in, c, optarg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        switch (c) {
        case 'i': intel = optarg; break;
        case 'r':
            if (nrules == SCAN_MAX_RULE_PATHS)
                return usage_error("too many --rules options", optarg);
            rule_paths[nrules++] = optarg;
            break;
        case 'M': mapping = optarg; break;
        case 'H': placeholders = optarg; break;
        case 'F':
            if (nextra == SCAN_MAX_EXTRA)
                return usage_error("too many --field options", optarg);
            if (vg_intel_field_parse(optarg, &extra[nextra], &err) != VG_OK)
                return usage_error(err.msg, NULL);
            nextra++;
            break;
        case 'D': defaults = 0; break;
        case 'o':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "none") != 0)
                return usage_error("--output takes json or none", optarg);
            run.print = strcmp(optarg, "json") == 0;
            break;
        case 'N':
            if (parse_now(optarg, &run.now) != 0)
                return usage_error("--now takes an RFC 3339 time or seconds since the epoch", optarg);
            break;
        case 'V': verify = 1; break;
        case 'P': run.progress = 1; break;
        case 'p': run.progress = 0; break;
        case 'R': run.reference = 1; break;
        case 'G': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v == 0 || v > UINT32_MAX)
                return usage_error("--corr-max-groups takes a number from 1 to 4294967295", optarg);
            run.corr_limits.max_groups = (uint32_t)v;
            break;
        }
        case 'h':
            vg_cmd_print_help(scan_help);
            return 0;
        default:
            return usage_error("invalid option", NULL);
        }
    }
    if (!intel && nrules == 0)
        return usage_error("nothing to detect with: give --intel SNAPSHOT or --rules DIR", NULL);
    if (!defaults && nextra == 0)
        return usage_error("--no-default-fields needs at least one --field", NULL);
    int status = intel ? open_intel(&run, intel, verify, extra, nextra, defaults) : 0;
    if (status == 0 && nrules)
        status = open_rules(&run, rule_paths, nrules, mapping, placeholders);
    if (status == 0)
        status = open_detector(&run);
    if (status == 0 && vg_cmd_input_start(&run.in) != 0)
        status = 2;
    if (status) {
        scan_free(&run);
        return status;
    }
    vg_buf_init(&run.out, 0);
    vg_cmd_input_read_all(&run.in, argc - optind, argv + optind);
    if (vg_cmd_flush(&run.out) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "vigil scan: cannot write to standard output\n");
        run.in.io_failed = 1;
    }
    if (run.progress)
        show_progress(&run, 1);
    summary(&run);
    status = vg_cmd_input_status(&run.in);
    scan_free(&run);
    return status;
}

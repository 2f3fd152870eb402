/*
 * cmd-rules: `vigil rules check` and `vigil rules test`, the command line of the Sigma engine.
 * check loads rule files and directories into a rule set (sigma-set) and reports every rule as
 * active, not applicable (logsource or field not mapped for Vigil's events) or rejected (by the
 * loader or the engine), each with the reason, and a summary; -o json for one JSON report.
 * test runs rules on the events of log files and says, per event, which search identifiers
 * matched and whether each condition holds.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-input.h"
#include "json-write.h"
#include "sigma-set.h"
#include "util-buf.h"
#include "util-hscache.h"
#include "util-mem.h"

#define MAX_PH_NAMES 1024           /* limit: distinct placeholder names in the summary */
#define MAX_NA_REASONS 4096         /* limit: distinct not-applicable reasons counted */
#define SUMMARY_REASONS 15          /* not-applicable reasons shown in the text summary */
#define OUT_FLUSH (64u << 10)
#define EXPLAIN_MAX 16384

static const char rules_help[] =
"NAME\n"
"    vigil rules - Sigma rules: load and validate rule files, try rules on events\n"
"\n"
"SYNOPSIS\n"
"    vigil rules check [-o text|json] [-q] [--mapping FILE] [--placeholders FILE] DIR|FILE...\n"
"    vigil rules test [--mapping FILE] [--placeholders FILE] [INPUT OPTIONS] RULE EVENTS...\n"
"\n"
"DESCRIPTION\n"
"    check loads every Sigma rule file named, and every .yml or .yaml file below each\n"
"    directory named (recursively, in name order), as the engine does: the whole Sigma\n"
"    specification v2.1 (detection rules, correlation rules, filters; several rules per file\n"
"    separated by ---). Each rule ends up in one of these states, with its reason:\n"
"      active          compiled: vigil scan --rules runs it\n"
"      not applicable  its logsource, or a field it reads, is not mapped to the events\n"
"                      Vigil's decoders produce (see the mapping, etc/sigma-logsources.yml)\n"
"      rejected        invalid YAML, a missing or mistyped attribute, a duplicate key, an\n"
"                      unknown modifier, modifiers that cannot go together or do not fit the\n"
"                      value, a condition that does not parse or names an unknown\n"
"                      identifier, a value that cannot be compiled (a bad regular\n"
"                      expression), a placeholder the configuration does not define\n"
"      not run         correlation rules and filters (loaded and checked; not run yet)\n"
"    Each rule that is not active is printed as FILE:LINE: [state: ]reason, then a summary.\n"
"    Details: docs/sigma.md.\n"
"\n"
"    test loads RULE (a file or a directory) and decodes each EVENTS file as vigil decode\n"
"    does; for every event and every active rule it prints whether the rule fires, the kind of\n"
"    event, each search identifier's result and each condition's value.\n"
"\n"
"OPTIONS\n"
"    -o, --output FORMAT   check: text (default) or json: one object with the summary and one\n"
"                          entry per rule (file, line, kind, id, title, status, reason,\n"
"                          placeholders)\n"
"    -q, --quiet           check: print only the summary\n"
"    --mapping FILE        the logsource mapping to use instead of the built-in one\n"
"    --placeholders FILE   values of the placeholders of expand modifiers (YAML: name: [values])\n"
"    -h, --help            show this page\n"
"    test also takes the input options of vigil decode (--format, --year, --timezone,\n"
"    --max-line).\n"
"\n"
"ENVIRONMENT\n"
"    VIGIL_CACHE_DIR   where compiled rule databases are kept (see vigil scan --help); check\n"
"                      fills the cache for the next scan\n"
"\n"
"EXIT STATUS\n"
"    check: 0 no rule was rejected (rules not applicable are not rejections); 1 some rule was\n"
"    rejected; 2 usage error, or a file or directory that could not be read.\n"
"    test: 0 every active rule fired on at least one event; 1 some did not; 2 usage or I/O\n"
"    error, or no active rule.\n"
"\n"
"EXAMPLES\n"
"    vigil rules check rules/\n"
"    vigil rules check -o json sigma/rules sigma/rules-emerging-threats > report.json\n"
"    vigil rules test rules/windows/proc_creation_win_whoami.yml sysmon.json\n";

typedef struct rules_opts {
    const char *mapping;
    const char *placeholders;
} rules_opts;

typedef struct na_reason {
    char *text;
    unsigned count;
} na_reason;

typedef struct check_run {
    int json, quiet, io_errors;
    unsigned kinds[3], total, active, not_applicable, rejected, not_run;
    unsigned by_reason[VG_SIGMA_NREASONS], engine_rejected;
    na_reason na[MAX_NA_REASONS];
    unsigned nna;
    unsigned with_ph;
    char *ph_names[MAX_PH_NAMES];
    unsigned ph_count[MAX_PH_NAMES];
    unsigned nph;
    const vg_sigma_build_info *pf;  /* what the engine's prefilter made of the active rules */
    int first_entry;
    vg_buf out;
} check_run;

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "vigil rules %s: %s%s%s (see vigil rules --help)\n", cmd, msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static void on_load_error(void *ctx, const char *msg)
{
    check_run *run = ctx;
    fprintf(stderr, "vigil rules: %s\n", msg);
    if (run)
        run->io_errors++;
}

/* Makes the rule set of paths[0..n); NULL (reported) on errors. */
static vg_sigma_set *load_set(const rules_opts *o, char **paths, int n, check_run *run, int *io_errors)
{
    vg_sigma_set *set;
    vg_error err;
    vg_error_clear(&err);
    if (vg_sigma_set_new(&set, o->mapping, o->placeholders, &err) != VG_OK) {
        fprintf(stderr, "vigil rules: %s\n", err.msg);
        return NULL;
    }
    int before = run ? run->io_errors : 0;
    for (int i = 0; i < n; i++)
        if (vg_sigma_set_add(set, paths[i], on_load_error, run, &err) != VG_OK) {
            fprintf(stderr, "vigil rules: %s\n", err.msg);
            vg_sigma_set_free(set);
            return NULL;
        }
    if (io_errors && run)
        *io_errors = run->io_errors != before;
    return set;
}

static void flush_out(check_run *run, int force)
{
    if (run->out.len && (force || run->out.len >= OUT_FLUSH)) {
        if (fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len)
            run->io_errors++;
        vg_buf_reset(&run->out);
    }
}

static void jstr(vg_buf *b, const char *s)
{
    if (!s)
        vg_buf_puts(b, "null");
    else
        vg_jw_string(b, s, strlen(s), NULL);
}

static void note_placeholder(check_run *run, const char *name)
{
    for (unsigned i = 0; i < run->nph; i++)
        if (strcmp(run->ph_names[i], name) == 0) {
            run->ph_count[i]++;
            return;
        }
    if (run->nph < MAX_PH_NAMES && (run->ph_names[run->nph] = vg_strndup(name, strlen(name))))
        run->ph_count[run->nph++] = 1;
}

static void note_not_applicable(check_run *run, const char *reason)
{
    for (unsigned i = 0; i < run->nna; i++)
        if (strcmp(run->na[i].text, reason) == 0) {
            run->na[i].count++;
            return;
        }
    if (run->nna < MAX_NA_REASONS && (run->na[run->nna].text = vg_strndup(reason, strlen(reason))))
        run->na[run->nna++].count = 1;
}

static const char *status_key(const vg_sigma_doc *d, const vg_sigma_entry *e)
{
    if (!d->rule)
        return "rejected";
    switch (e->status) {
    case VG_SIGMA_ACTIVE: return "active";
    case VG_SIGMA_NOT_APPLICABLE: return "not_applicable";
    case VG_SIGMA_REJECTED: return "rejected";
    default: return "not_run";
    }
}

static void json_entry(check_run *run, const vg_sigma_file *f, const vg_sigma_doc *d, const vg_sigma_entry *e)
{
    vg_buf *b = &run->out;
    const vg_sigma_rule *r = d->rule;
    vg_buf_puts(b, run->first_entry ? "\n" : ",\n");
    run->first_entry = 0;
    vg_buf_puts(b, "{\"file\":");
    jstr(b, f->path);
    vg_buf_printf(b, ",\"line\":%u,\"kind\":", d->line);
    jstr(b, r ? vg_sigma_kind_name(r->kind) : NULL);
    vg_buf_puts(b, ",\"id\":");
    jstr(b, r ? r->meta.id : NULL);
    vg_buf_puts(b, ",\"title\":");
    jstr(b, r ? r->meta.title : NULL);
    vg_buf_printf(b, ",\"status\":\"%s\"", status_key(d, e));
    if (!r) {
        vg_buf_puts(b, ",\"reason\":");
        jstr(b, vg_sigma_reason_name(d->reason));
        vg_buf_printf(b, ",\"error_line\":%u,\"message\":", d->err_line);
        jstr(b, d->msg);
    } else {
        if (e->status != VG_SIGMA_ACTIVE) {
            vg_buf_puts(b, ",\"message\":");
            jstr(b, e->reason);
        }
        vg_buf_puts(b, ",\"placeholders\":[");
        for (uint32_t i = 0; i < r->placeholders.n; i++) {
            if (i)
                vg_buf_putc(b, ',');
            jstr(b, r->placeholders.v[i]);
        }
        vg_buf_putc(b, ']');
    }
    vg_buf_putc(b, '}');
}

/* Counts and prints one document of a file. */
static void check_doc(check_run *run, const vg_sigma_file *f, const vg_sigma_doc *d, const vg_sigma_entry *e)
{
    vg_buf *b = &run->out;
    int text = !run->json && !run->quiet;
    run->total++;
    if (!d->rule) {
        run->rejected++;
        run->by_reason[d->reason]++;
        if (text)
            vg_buf_printf(b, "%s\n", d->msg);
    } else {
        run->kinds[d->rule->kind]++;
        if (d->rule->placeholders.n)
            run->with_ph++;
        for (uint32_t k = 0; k < d->rule->placeholders.n; k++)
            note_placeholder(run, d->rule->placeholders.v[k]);
        switch (e->status) {
        case VG_SIGMA_ACTIVE:
            run->active++;
            break;
        case VG_SIGMA_NOT_APPLICABLE:
            run->not_applicable++;
            note_not_applicable(run, e->reason);
            if (text)
                vg_buf_printf(b, "%s:%u: not applicable: %s\n", f->path, d->line, e->reason);
            break;
        case VG_SIGMA_REJECTED:
            run->rejected++;
            run->engine_rejected++;
            if (text)
                vg_buf_printf(b, "%s:%u: rejected: %s\n", f->path, e->line, e->reason);
            break;
        default:
            run->not_run++;
            break;
        }
    }
    if (run->json)
        json_entry(run, f, d, e);
    flush_out(run, 0);
}

static int cmp_count(const void *a, const void *b, void *ctx)
{
    const unsigned *count = ctx;
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return count[y] != count[x] ? (count[y] > count[x] ? 1 : -1) : (x > y) - (x < y);
}

static int cmp_na(const void *a, const void *b)
{
    const na_reason *x = a, *y = b;
    return x->count != y->count ? (y->count > x->count ? 1 : -1) : strcmp(x->text, y->text);
}

static void summary_json(check_run *run, const unsigned *order, double pct, size_t files)
{
    vg_buf *b = &run->out;
    unsigned loaded = run->total - run->rejected;
    vg_buf_printf(b, "\n],\"files\":%zu,\"unreadable\":%u,\"rules\":%u,\"loaded\":{\"detection\":%u,"
                  "\"correlation\":%u,\"filter\":%u,\"total\":%u},\"active\":%u,\"not_applicable\":%u,"
                  "\"not_run\":%u,\"rejected\":%u,\"loaded_percent\":%.2f,\"rejected_by_reason\":{",
                  files, run->io_errors, run->total, run->kinds[0], run->kinds[1], run->kinds[2], loaded,
                  run->active, run->not_applicable, run->not_run, run->rejected, pct);
    int first = 1;
    for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++) {
        if (!run->by_reason[order[i]] || order[i] == VG_SIGMA_R_NONE)
            continue;
        vg_buf_puts(b, first ? "" : ",");
        first = 0;
        jstr(b, vg_sigma_reason_name((vg_sigma_reason)order[i]));
        vg_buf_printf(b, ":%u", run->by_reason[order[i]]);
    }
    if (run->engine_rejected)
        vg_buf_printf(b, "%s\"engine\":%u", first ? "" : ",", run->engine_rejected);
    vg_buf_printf(b, "},\"prefilter\":{\"trigger_rules\":%u,\"always_rules\":%u,\"fast_conditions\":%u,"
                  "\"gated_conditions\":%u,\"conditions\":%u,\"databases\":%u,\"patterns\":%u,\"refused\":%u}",
                  run->pf->trigger_rules, run->pf->always_rules, run->pf->fast, run->pf->gated, run->pf->conditions,
                  run->pf->databases, run->pf->patterns, run->pf->refused);
    vg_buf_printf(b, ",\"rules_with_placeholders\":%u,\"placeholders\":{", run->with_ph);
    for (unsigned i = 0; i < run->nph; i++) {
        vg_buf_puts(b, i ? "," : "");
        jstr(b, run->ph_names[i]);
        vg_buf_printf(b, ":%u", run->ph_count[i]);
    }
    vg_buf_puts(b, "}}\n");
}

static void summary(check_run *run, size_t files)
{
    vg_buf *b = &run->out;
    unsigned loaded = run->total - run->rejected;
    double pct = run->total ? 100.0 * loaded / run->total : 100.0;
    unsigned order[VG_SIGMA_NREASONS];
    for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++)
        order[i] = i;
    qsort_r(order, VG_SIGMA_NREASONS, sizeof order[0], cmp_count, run->by_reason);
    qsort(run->na, run->nna, sizeof run->na[0], cmp_na);
    if (run->json) {
        summary_json(run, order, pct, files);
        return;
    }
    vg_buf_printf(b, "files: %zu (%u unreadable)\n", files, run->io_errors);
    vg_buf_printf(b, "rules: %u, loaded %u (%.2f%%): %u detection, %u correlation, %u filter; rejected %u\n", run->total,
                  loaded, pct, run->kinds[0], run->kinds[1], run->kinds[2], run->rejected);
    vg_buf_printf(b, "engine: %u active, %u not applicable, %u not run (correlation, filter), %u rejected\n", run->active,
                  run->not_applicable, run->not_run, run->engine_rejected);
    for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++)
        if (run->by_reason[order[i]] && order[i] != VG_SIGMA_R_NONE)
            vg_buf_printf(b, "  rejected, %s: %u\n", vg_sigma_reason_name((vg_sigma_reason)order[i]),
                          run->by_reason[order[i]]);
    if (run->engine_rejected)
        vg_buf_printf(b, "  rejected by the engine: %u\n", run->engine_rejected);
    vg_buf_printf(b, "prefilter: %u active rules with triggers, %u always evaluated; %u of %u field conditions "
                  "decided by literals, %u gated by them (%u databases, %u patterns, %u refused)\n",
                  run->pf->trigger_rules, run->pf->always_rules, run->pf->fast, run->pf->conditions, run->pf->gated,
                  run->pf->databases, run->pf->patterns, run->pf->refused);
    for (unsigned i = 0; i < run->nna && i < SUMMARY_REASONS; i++)
        vg_buf_printf(b, "  not applicable, %s: %u\n", run->na[i].text, run->na[i].count);
    if (run->nna > SUMMARY_REASONS)
        vg_buf_printf(b, "  not applicable, %u other reasons\n", run->nna - SUMMARY_REASONS);
    if (run->with_ph) {
        vg_buf_printf(b, "placeholders (expand): %u rules use", run->with_ph);
        for (unsigned i = 0; i < run->nph; i++)
            vg_buf_printf(b, " %%%s%% (%u)", run->ph_names[i], run->ph_count[i]);
        vg_buf_putc(b, '\n');
    }
}

static int parse_common(int c, const char *arg, rules_opts *o)
{
    if (c == 'M')
        o->mapping = arg;
    else if (c == 'H')
        o->placeholders = arg;
    else
        return 0;
    return 1;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
        { "mapping", required_argument, NULL, 'M' }, { "placeholders", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    rules_opts o = { NULL, NULL };
    check_run *run = vg_calloc(1, sizeof *run);
    if (!run)
        return 2;
    run->first_entry = 1;
    vg_buf_init(&run->out, 0);
    int c, status = 0;
    optind = 1;
    while (status == 0 && (c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        if (parse_common(c, optarg, &o))
            continue;
        switch (c) {
        case 'o':
            if (strcmp(optarg, "json") == 0)
                run->json = 1;
            else if (strcmp(optarg, "text") != 0)
                status = usage_error("check", "--output takes text or json", optarg);
            break;
        case 'q': run->quiet = 1; break;
        case 'h': vg_cmd_print_help(rules_help); status = -1; break;
        default: status = usage_error("check", "invalid option", NULL); break;
        }
    }
    if (status == 0 && optind == argc)
        status = usage_error("check", "name at least one rule file or directory", NULL);
    vg_sigma_set *set = status == 0 ? load_set(&o, argv + optind, argc - optind, run, NULL) : NULL;
    if (status == 0 && !set)
        status = 2;
    vg_error berr;
    vg_error_clear(&berr);
    char cache[4096];
    if (set)
        vg_sigma_set_cache(set, vg_hscache_default_dir(cache, sizeof cache));
    if (set && (vg_sigma_set_correlate(set, NULL, VG_READER_DEFAULT_MAX_RECORD, &berr) != VG_OK ||
                vg_sigma_set_build(set, &berr) != VG_OK)) {
        fprintf(stderr, "vigil rules: %s\n", berr.msg);
        vg_sigma_set_free(set);
        set = NULL;
        status = 2;
    }
    if (set)
        run->pf = vg_sigma_engine_build_info(vg_sigma_set_engine(set));
    if (status != 0) {
        vg_buf_free(&run->out);
        vg_free(run);
        return status < 0 ? 0 : status;
    }
    if (run->json)
        vg_buf_puts(&run->out, "{\"results\":[");
    for (size_t i = 0; i < vg_sigma_set_nfiles(set); i++) {
        const vg_sigma_file *f = vg_sigma_set_file(set, i);
        for (uint32_t d = 0; d < f->ndocs; d++)
            check_doc(run, f, &f->docs[d], vg_sigma_set_entry_of(set, i, d));
    }
    summary(run, vg_sigma_set_nfiles(set));
    flush_out(run, 1);
    status = run->io_errors || fflush(stdout) != 0 ? 2 : run->rejected ? 1 : 0;
    for (unsigned i = 0; i < run->nph; i++)
        vg_free(run->ph_names[i]);
    for (unsigned i = 0; i < run->nna; i++)
        vg_free(run->na[i].text);
    vg_sigma_set_free(set);
    vg_buf_free(&run->out);
    vg_free(run);
    return status;
}

/* ---- test --------------------------------------------------------------------------------- */

typedef struct test_run {
    vg_cmd_input in;
    const vg_sigma_engine *engine;
    vg_sigma_worker *worker;
    unsigned char *fired;       /* per entry: fired on some event */
    char explain[EXPLAIN_MAX];
} test_run;

static vg_rc test_event(void *ctx, const vg_event *ev)
{
    test_run *t = ctx;
    for (size_t i = 0; i < vg_sigma_engine_count(t->engine); i++) {
        const vg_sigma_entry *e = vg_sigma_engine_entry(t->engine, i);
        if (e->status != VG_SIGMA_ACTIVE)
            continue;
        int fired = vg_sigma_engine_explain(t->engine, t->worker, i, ev, t->explain, sizeof t->explain);
        t->fired[i] |= (unsigned char)fired;
        printf("%s:%llu (line %llu): rule \"%s\" (%s) %s\n%s", t->in.path, (unsigned long long)t->in.record,
               (unsigned long long)ev->line, e->rule->meta.title, e->rule->meta.id ? e->rule->meta.id : "no id",
               fired ? "FIRES" : "does not fire", t->explain);
    }
    return VG_OK;
}

static int cmd_test(int argc, char **argv)
{
    static const struct option longopts[] = {
        VG_CMD_INPUT_LONGOPTS,
        { "mapping", required_argument, NULL, 'M' }, { "placeholders", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    rules_opts o = { NULL, NULL };
    static test_run t;
    memset(&t, 0, sizeof t);
    vg_cmd_input_init(&t.in, "vigil rules test");
    t.in.event = test_event;
    t.in.ctx = &t;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, VG_CMD_INPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
        int r = vg_cmd_input_option(&t.in, c, optarg);
        if (r < 0)
            return 2;
        if (r > 0 || parse_common(c, optarg, &o))
            continue;
        if (c == 'h') {
            vg_cmd_print_help(rules_help);
            return 0;
        }
        return usage_error("test", "invalid option", NULL);
    }
    if (argc - optind < 2)
        return usage_error("test", "give a rule file (or directory) and at least one events file", NULL);
    int bad = 0;
    check_run *dummy = vg_calloc(1, sizeof *dummy);
    vg_sigma_set *set = dummy ? load_set(&o, argv + optind, 1, dummy, &bad) : NULL;
    vg_free(dummy);
    if (!set || bad) {
        vg_sigma_set_free(set);
        return 2;
    }
    t.engine = vg_sigma_set_engine(set);
    size_t n = vg_sigma_engine_count(t.engine), active = 0;
    for (size_t i = 0; i < n; i++) {
        const vg_sigma_entry *e = vg_sigma_engine_entry(t.engine, i);
        if (e->status == VG_SIGMA_ACTIVE)
            active++;
        else
            fprintf(stderr, "vigil rules test: %s: rule \"%s\" is %s: %s\n", e->file, e->rule->meta.title,
                    vg_sigma_status_name(e->status), e->reason);
    }
    vg_error err;
    int status = 2;
    if (active == 0) {
        fprintf(stderr, "vigil rules test: no active rule to test\n");
    } else if (!(t.fired = vg_calloc(n, 1)) ||
               vg_sigma_worker_new(&t.worker, t.engine, t.in.max_record, &err) != VG_OK ||
               vg_cmd_input_start(&t.in) != 0) {
        fprintf(stderr, "vigil rules test: out of memory\n");
    } else {
        vg_cmd_input_read_all(&t.in, argc - optind - 1, argv + optind + 1);
        status = vg_cmd_input_status(&t.in) == 2 ? 2 : 0;
        for (size_t i = 0; i < n && status == 0; i++)
            if (vg_sigma_engine_entry(t.engine, i)->status == VG_SIGMA_ACTIVE && !t.fired[i])
                status = 1;
        fflush(stdout);
    }
    vg_sigma_worker_free(t.worker);
    vg_free(t.fired);
    vg_cmd_input_free(&t.in);
    vg_sigma_set_free(set);
    return status;
}

int vg_cmd_rules(int argc, char **argv)
{
    if (argc < 2) {
        fputs(rules_help, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        vg_cmd_print_help(rules_help);
        return 0;
    }
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "test") == 0)
        return cmd_test(argc - 1, argv + 1);
    fprintf(stderr, "vigil rules: no such subcommand: %s (check, test)\n", argv[1]);
    return 2;
}

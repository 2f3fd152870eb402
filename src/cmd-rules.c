/*
 * cmd-rules: `vigil rules check`, the command line of the Sigma rule loader. Walks the given
 * files and directories (recursively, .yml/.yaml, in name order), loads every rule file with
 * sigma-rule, prints each rejected rule as FILE:LINE: reason and a summary (files, rules
 * loaded per kind, rejected per reason, placeholders), or one JSON report with -o json.
 */
#include "cmd.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json-write.h"
#include "sigma-rule.h"
#include "util-buf.h"
#include "util-mem.h"

#define WALK_MAX_DEPTH 64           /* limit: directory nesting below an argument */
#define WALK_MAX_ENTRIES 1000000    /* limit: entries of one directory */
#define PATH_MAX_LEN 4096           /* limit: length of a path built by the walk */
#define MAX_PH_NAMES 1024           /* limit: distinct placeholder names in the summary */
#define OUT_FLUSH (64u << 10)

static const char rules_help[] =
"NAME\n"
"    vigil rules - Sigma rules: load and validate rule files\n"
"\n"
"SYNOPSIS\n"
"    vigil rules check [-o text|json] [-q] [--progress] DIR|FILE...\n"
"\n"
"DESCRIPTION\n"
"    check loads every Sigma rule file named, and every .yml or .yaml file below each\n"
"    directory named (recursively, in name order), as the engine would: the whole Sigma\n"
"    specification v2.1 (detection rules, correlation rules, filters; several rules per\n"
"    file separated by ---). Each rule is either loaded or rejected with a precise reason:\n"
"    invalid YAML, a missing or mistyped attribute, a duplicate key, an unknown modifier,\n"
"    modifiers that cannot go together or do not fit the value (all on one value, null in a\n"
"    list, exists without true/false, numbers for lt/gt, networks for cidr), a condition\n"
"    that does not parse or names an unknown identifier, a limit exceeded.\n"
"\n"
"    Every rejected rule is printed as FILE:LINE: reason (the line of the offending YAML\n"
"    node). The summary counts files, rules loaded per kind, rules rejected per reason, and\n"
"    the placeholders used by expand modifiers (the engine rejects a rule whose placeholder\n"
"    its configuration does not define). Whether a rule's logsource and fields are mapped\n"
"    for Vigil's events is decided by the engine, not here (status \"loaded\" in the report).\n"
"    Details: docs/sigma.md.\n"
"\n"
"OPTIONS\n"
"    -o, --output FORMAT   text (default) or json: one object with the summary and one entry\n"
"                          per rule (file, line, kind, id, title, status, reason, message,\n"
"                          placeholders)\n"
"    -q, --quiet           text: print only the summary\n"
"    --progress            progress on standard error (default: when it is a terminal)\n"
"    -h, --help            show this page\n"
"\n"
"EXIT STATUS\n"
"    0 every rule loaded; 1 some rule was rejected; 2 usage error or a file or directory\n"
"    that could not be read.\n"
"\n"
"EXAMPLES\n"
"    vigil rules check rules/\n"
"    vigil rules check -o json sigma/rules sigma/rules-emerging-threats > report.json\n";

typedef struct check_run {
    int json, quiet, progress, io_errors;
    time_t last;
    unsigned files;
    unsigned loaded[3], rejected;
    unsigned by_reason[VG_SIGMA_NREASONS];
    unsigned with_ph;
    char *ph_names[MAX_PH_NAMES];
    unsigned ph_count[MAX_PH_NAMES];
    unsigned nph;
    int first_entry;
    vg_buf out;
} check_run;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil rules check: %s%s%s (see vigil rules check --help)\n", msg, arg ? ": " : "",
            arg ? arg : "");
    return 2;
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

static void json_entry(check_run *run, const vg_sigma_file *f, const vg_sigma_doc *d)
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
    vg_buf_puts(b, r ? ",\"status\":\"loaded\"" : ",\"status\":\"rejected\"");
    if (!r) {
        vg_buf_puts(b, ",\"reason\":");
        jstr(b, vg_sigma_reason_name(d->reason));
        vg_buf_printf(b, ",\"error_line\":%u,\"message\":", d->err_line);
        jstr(b, d->msg);
    } else {
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

static void progress(check_run *run, const char *path)
{
    time_t now = time(NULL);
    if (!run->progress || now == run->last)
        return;
    run->last = now;
    fprintf(stderr, "vigil rules check: %u files, %u rules loaded, %u rejected so far (%s)\n", run->files,
            run->loaded[0] + run->loaded[1] + run->loaded[2], run->rejected, path);
}

static void check_file(check_run *run, const char *path)
{
    vg_sigma_file *f;
    vg_error err;
    vg_error_clear(&err);
    run->files++;
    if (vg_sigma_load_file(&f, path, &err) != VG_OK) {
        fprintf(stderr, "vigil rules check: %s\n", err.msg);
        run->io_errors++;
        return;
    }
    for (uint32_t i = 0; i < f->ndocs; i++) {
        const vg_sigma_doc *d = &f->docs[i];
        if (d->rule) {
            run->loaded[d->rule->kind]++;
            if (d->rule->placeholders.n)
                run->with_ph++;
            for (uint32_t k = 0; k < d->rule->placeholders.n; k++)
                note_placeholder(run, d->rule->placeholders.v[k]);
        } else {
            run->rejected++;
            run->by_reason[d->reason]++;
            if (!run->json && !run->quiet) {
                vg_buf_puts(&run->out, d->msg);
                vg_buf_putc(&run->out, '\n');
            }
        }
        if (run->json)
            json_entry(run, f, d);
    }
    vg_sigma_file_free(f);
    flush_out(run, 0);
    progress(run, path);
}

static int has_rule_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yml") == 0) || (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(check_run *run, const char *dir, unsigned depth)
{
    if (depth > WALK_MAX_DEPTH) {
        fprintf(stderr, "vigil rules check: %s: directories nest deeper than %u\n", dir, WALK_MAX_DEPTH);
        run->io_errors++;
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "vigil rules check: %s: %s\n", dir, strerror(errno));
        run->io_errors++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == WALK_MAX_ENTRIES)
            break;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = vg_realloc(names, ncap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = vg_strndup(e->d_name, strlen(e->d_name))))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX_LEN];
        struct stat st;
        int len = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (len < 0 || (size_t)len >= sizeof path) {
            fprintf(stderr, "vigil rules check: %s/%s: path too long\n", dir, names[i]);
            run->io_errors++;
        } else if (lstat(path, &st) != 0) {
            fprintf(stderr, "vigil rules check: %s: %s\n", path, strerror(errno));
            run->io_errors++;
        } else if (S_ISDIR(st.st_mode)) {
            walk(run, path, depth + 1);     /* symbolic links to directories are not followed */
        } else if (has_rule_ext(names[i]) && (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
                                                                    S_ISREG(st.st_mode)))) {
            check_file(run, path);
        }
        vg_free(names[i]);
    }
    vg_free(names);
}

static int cmp_count(const void *a, const void *b, void *ctx)
{
    const unsigned *count = ctx;
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return count[y] != count[x] ? (count[y] > count[x] ? 1 : -1) : (x > y) - (x < y);
}

static void summary(check_run *run)
{
    vg_buf *b = &run->out;
    unsigned loaded = run->loaded[0] + run->loaded[1] + run->loaded[2], total = loaded + run->rejected;
    double pct = total ? 100.0 * loaded / total : 100.0;
    unsigned order[VG_SIGMA_NREASONS];
    for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++)
        order[i] = i;
    qsort_r(order, VG_SIGMA_NREASONS, sizeof order[0], cmp_count, run->by_reason);
    if (run->json) {
        vg_buf_printf(b, "\n],\"files\":%u,\"unreadable\":%u,\"rules\":%u,\"loaded\":{\"detection\":%u,"
                      "\"correlation\":%u,\"filter\":%u,\"total\":%u},\"rejected\":%u,\"loaded_percent\":%.2f,"
                      "\"rejected_by_reason\":{", run->files, run->io_errors, total, run->loaded[0], run->loaded[1],
                      run->loaded[2], loaded, run->rejected, pct);
        int first = 1;
        for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++) {
            if (!run->by_reason[order[i]] || order[i] == VG_SIGMA_R_NONE)
                continue;
            vg_buf_puts(b, first ? "" : ",");
            first = 0;
            jstr(b, vg_sigma_reason_name((vg_sigma_reason)order[i]));
            vg_buf_printf(b, ":%u", run->by_reason[order[i]]);
        }
        vg_buf_printf(b, "},\"rules_with_placeholders\":%u,\"placeholders\":{", run->with_ph);
        for (unsigned i = 0; i < run->nph; i++) {
            vg_buf_puts(b, i ? "," : "");
            jstr(b, run->ph_names[i]);
            vg_buf_printf(b, ":%u", run->ph_count[i]);
        }
        vg_buf_puts(b, "}}\n");
        return;
    }
    vg_buf_printf(b, "files: %u (%u unreadable)\n", run->files, run->io_errors);
    vg_buf_printf(b, "rules: %u, loaded %u (%.2f%%): %u detection, %u correlation, %u filter; rejected %u\n", total,
                  loaded, pct, run->loaded[0], run->loaded[1], run->loaded[2], run->rejected);
    for (unsigned i = 0; i < VG_SIGMA_NREASONS; i++)
        if (run->by_reason[order[i]] && order[i] != VG_SIGMA_R_NONE)
            vg_buf_printf(b, "  rejected, %s: %u\n", vg_sigma_reason_name((vg_sigma_reason)order[i]),
                          run->by_reason[order[i]]);
    if (run->with_ph) {
        vg_buf_printf(b, "placeholders (expand): %u rules use", run->with_ph);
        for (unsigned i = 0; i < run->nph; i++)
            vg_buf_printf(b, " %%%s%% (%u)", run->ph_names[i], run->ph_count[i]);
        vg_buf_putc(b, '\n');
    }
}

static int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "quiet", no_argument, NULL, 'q' },
        { "progress", no_argument, NULL, 'P' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    check_run *run = vg_calloc(1, sizeof *run);
    if (!run)
        return 2;
    run->progress = isatty(STDERR_FILENO);
    run->first_entry = 1;
    vg_buf_init(&run->out, 0);
    int c, status = 0;
    optind = 1;
    while (status == 0 && (c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (strcmp(optarg, "json") == 0)
                run->json = 1;
            else if (strcmp(optarg, "text") != 0)
                status = usage_error("--output takes text or json", optarg);
            break;
        case 'q': run->quiet = 1; break;
        case 'P': run->progress = 1; break;
        case 'h': vg_cmd_print_help(rules_help); status = -1; break;
        default: status = usage_error("invalid option", NULL); break;
        }
    }
    if (status == 0 && optind == argc)
        status = usage_error("name at least one rule file or directory", NULL);
    if (status != 0) {
        vg_free(run);
        return status < 0 ? 0 : status;
    }
    if (run->json)
        vg_buf_puts(&run->out, "{\"results\":[");
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "vigil rules check: %s: %s\n", argv[i], strerror(errno));
            run->io_errors++;
        } else if (S_ISDIR(st.st_mode)) {
            walk(run, argv[i], 0);
        } else {
            check_file(run, argv[i]);
        }
    }
    summary(run);
    flush_out(run, 1);
    status = run->io_errors || fflush(stdout) != 0 ? 2 : run->rejected ? 1 : 0;
    for (unsigned i = 0; i < run->nph; i++)
        vg_free(run->ph_names[i]);
    vg_buf_free(&run->out);
    vg_free(run);
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
    fprintf(stderr, "vigil rules: no such subcommand: %s (check)\n", argv[1]);
    return 2;
}

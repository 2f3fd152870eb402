/*
 * cmd-intel: `vigil intel compile|lookup|stats`, the command line of the indicator store.
 * compile turns a feed configuration into a snapshot (progress and rejections on standard
 * error), lookup says what a snapshot knows about values (text, JSON lines or a brief
 * tab-separated form, from arguments or standard input), stats counts what a snapshot holds.
 */
#include "cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest-reader.h"
#include "intel-compile.h"
#include "intel-config.h"
#include "intel-json.h"
#include "intel-snapshot.h"
#include "json-write.h"
#include "util-buf.h"
#include "util-mem.h"
#include "util-time.h"

#define LOOKUP_MAX_VALUE 8192   /* limit: longest value read by lookup --batch */
#define OUT_FLUSH (64u << 10)

static const char intel_help[] =
"NAME\n"
"    vigil intel - the threat intelligence store: compile feeds, look values up, count\n"
"\n"
"SYNOPSIS\n"
"    vigil intel compile -c FEEDS.yml -o STORE.vgi [-q] [--progress]\n"
"    vigil intel lookup -s STORE.vgi [-t TYPE] [-o text|json|brief] [--batch] [VALUE...]\n"
"    vigil intel stats -s STORE.vgi [-o text|json]\n"
"\n"
"DESCRIPTION\n"
"    The store holds every indicator of every configured feed (addresses, networks, IP:port\n"
"    pairs, domains, URLs, MD5/SHA-1/SHA-256 hashes, e-mail addresses, accounts, AS numbers),\n"
"    each once, with the provenance of every feed that names it: feed, family, references,\n"
"    count or confidence, first and last sighting, expiry. `compile` writes it as one\n"
"    snapshot file that vigil maps read-only; `lookup` and `stats` read a snapshot.\n"
"    Formats, normalization rules and the file layout: docs/intel.md.\n"
"\n"
"    Each subcommand has its own page: vigil intel compile --help.\n";

static const char compile_help[] =
"NAME\n"
"    vigil intel compile - load the configured feeds into a snapshot file\n"
"\n"
"SYNOPSIS\n"
"    vigil intel compile -c FEEDS.yml -o STORE.vgi [-q] [--progress] [--now EPOCH]\n"
"\n"
"DESCRIPTION\n"
"    Reads the feed configuration FEEDS.yml (docs/intel.md: name, format, path, type,\n"
"    enabled, weight, role, match, family, expire_after, csv), parses every file of every\n"
"    enabled feed and writes the snapshot STORE.vgi atomically: a temporary file beside it,\n"
"    fsync, rename. A running vigil keeps the old snapshot until it reopens the file.\n"
"\n"
"    Every rejected line is reported on standard error as FILE:LINE: reason. Each feed ends\n"
"    with a summary line (files, records, accepted, rejected, expired, accepted entries per\n"
"    type); the run ends with the distinct indicators per type and the snapshot size.\n"
"\n"
"OPTIONS\n"
"    -c, --config FILE     the feed configuration (required)\n"
"    -o, --output FILE     the snapshot to write (required)\n"
"    -q, --quiet           do not print rejected lines (they are still counted)\n"
"    --progress            print progress every second (default: when stderr is a terminal)\n"
"    --now EPOCH           the time that decides expiry (default: now)\n"
"    -h, --help            show this page\n"
"\n"
"EXIT STATUS\n"
"    0 every line of every feed loaded; 1 the snapshot was written but some lines were\n"
"    rejected; 2 configuration, I/O or usage error (no snapshot written).\n"
"\n"
"EXAMPLES\n"
"    vigil intel compile -c samples/intel/feeds.yml -o /var/lib/vigil/intel.vgi\n";

static const char lookup_help[] =
"NAME\n"
"    vigil intel lookup - what the store knows about values\n"
"\n"
"SYNOPSIS\n"
"    vigil intel lookup -s STORE.vgi [-t TYPE] [-o text|json|brief] [--batch] [VALUE...]\n"
"\n"
"DESCRIPTION\n"
"    Normalizes each VALUE (its type guessed unless -t says it) and looks it up: an address\n"
"    finds its own entry and every network that covers it (most specific first); a domain\n"
"    finds itself and its parent domains (a parent only through feeds that match\n"
"    subdomains); a URL finds itself, itself without the scheme, and its path; other types\n"
"    find themselves. Every hit is shown with the provenance of each source that names it.\n"
"    With --batch, values are also read from standard input, one per line.\n"
"\n"
"OPTIONS\n"
"    -s, --store FILE      the snapshot (required)\n"
"    -t, --type TYPE       auto (default), ip, cidr, ip:port, domain, url, hash, md5, sha1,\n"
"                          sha256, email, account, asn, ipv4, ipv6, cidr4, cidr6\n"
"    -o, --output FORMAT   text (default): readable; json: one object per value;\n"
"                          brief: VALUE<TAB>matched indicators separated by spaces, '-'\n"
"                          when none, '!' and the reason when the value is invalid\n"
"    --batch               read values from standard input too\n"
"    --verify              check the snapshot's checksum and every offset before use\n"
"    -h, --help            show this page\n"
"\n"
"EXIT STATUS\n"
"    0 every value is known; 1 some value is not; 2 an invalid value, or a usage or I/O\n"
"    error (a damaged snapshot).\n"
"\n"
"EXAMPLES\n"
"    vigil intel lookup -s intel.vgi 192.0.2.1 evil.example.com http://evil.example/x\n"
"    cut -f1 ips.txt | vigil intel lookup -s intel.vgi -o brief --batch\n";

static const char stats_help[] =
"NAME\n"
"    vigil intel stats - count what a snapshot holds\n"
"\n"
"SYNOPSIS\n"
"    vigil intel stats -s STORE.vgi [-o text|json]\n"
"\n"
"DESCRIPTION\n"
"    Prints the snapshot's size and creation time, the distinct indicators per type, bytes\n"
"    per indicator, and per feed: format, role, weight, files, records, accepted, rejected,\n"
"    expired, and the distinct indicators it names per type; then the bytes of each section.\n"
"    The snapshot is verified (checksum and offsets) first.\n"
"\n"
"OPTIONS\n"
"    -s, --store FILE      the snapshot (required)\n"
"    -o, --output FORMAT   text (default) or json\n"
"    -h, --help            show this page\n"
"\n"
"EXIT STATUS\n"
"    0 success; 2 usage or I/O error, or a damaged snapshot.\n";

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
    fprintf(stderr, "vigil intel %s: %s%s%s (see vigil intel %s --help)\n", cmd, msg, arg ? ": " : "",
            arg ? arg : "", cmd);
    return 2;
}

static const char *format_time(int64_t t, char *buf)
{
    if (!t)
        return "";
    vg_time v = { t, 0, 0 };
    vg_time_format(&v, buf);
    return buf;
}

/* ---- compile ------------------------------------------------------------------------------ */

typedef struct compile_ui {
    int quiet, progress;
    time_t last;
} compile_ui;

static void ui_reject(void *ctx, const char *feed, const char *source, uint64_t line, const char *reason)
{
    compile_ui *ui = ctx;
    (void)feed;
    if (!ui->quiet)
        fprintf(stderr, "%s:%llu: %s\n", source, (unsigned long long)line, reason);
}

static void ui_file(void *ctx, const vg_compile_feed *f, const char *path)
{
    compile_ui *ui = ctx;
    time_t now = time(NULL);
    (void)path;
    if (!ui->progress || now == ui->last)
        return;
    ui->last = now;
    fprintf(stderr, "vigil intel compile: feed %s: %u files, %llu accepted, %llu rejected so far\n",
            f->conf->name, f->files, (unsigned long long)f->st.accepted, (unsigned long long)f->st.rejected);
}

static void ui_feed(void *ctx, const vg_compile_feed *f)
{
    (void)ctx;
    if (!f->conf->enabled) {
        fprintf(stderr, "vigil intel compile: feed %s: disabled\n", f->conf->name);
        return;
    }
    fprintf(stderr, "vigil intel compile: feed %s (%s): %u files, %llu records, %llu accepted, %llu rejected, "
            "%llu expired", f->conf->name, vg_feed_format_name(f->conf->opts.format), f->files,
            (unsigned long long)f->st.records, (unsigned long long)f->st.accepted,
            (unsigned long long)f->st.rejected, (unsigned long long)f->expired);
    if (f->st.masked)
        fprintf(stderr, ", %llu networks had host bits cleared", (unsigned long long)f->st.masked);
    if (f->st.not_for_detection)
        fprintf(stderr, ", %llu not for detection", (unsigned long long)f->st.not_for_detection);
    if (f->st.revoked)
        fprintf(stderr, ", %llu revoked", (unsigned long long)f->st.revoked);
    const char *sep = ";";
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        if (f->st.per_type[t]) {
            fprintf(stderr, "%s %s %llu", sep, vg_ind_kind_name(t), (unsigned long long)f->st.per_type[t]);
            sep = ",";
        }
    }
    fputc('\n', stderr);
}

static int parse_epoch(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int cmd_compile(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' }, { "progress", no_argument, NULL, 'P' },
        { "now", required_argument, NULL, 'N' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *config = NULL, *out = NULL;
    compile_ui ui = { 0, isatty(2), 0 };
    int64_t now = (int64_t)time(NULL);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'o': out = optarg; break;
        case 'q': ui.quiet = 1; break;
        case 'P': ui.progress = 1; break;
        case 'N':
            if (parse_epoch(optarg, &now))
                return usage_error("compile", "--now takes seconds since 1970", optarg);
            break;
        case 'h': vg_cmd_print_help(compile_help); return 0;
        default: return usage_error("compile", "invalid option", NULL);
        }
    }
    if (!config || !out || optind != argc)
        return usage_error("compile", "needs -c FEEDS.yml and -o STORE.vgi and no other arguments", NULL);
    vg_error err;
    vg_error_clear(&err);
    vg_intel_config *conf = NULL;
    if (vg_intel_config_load(&conf, config, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    vg_compile_sink sink = { ui_reject, ui_file, ui_feed, &ui };
    vg_compile_totals tot;
    vg_rc rc = vg_intel_compile(conf, out, now, &sink, &tot, &err);
    vg_intel_config_free(conf);
    if (rc) {
        fprintf(stderr, "vigil intel compile: %s\n", err.msg[0] ? err.msg : vg_rc_str(rc));
        return 2;
    }
    fprintf(stderr, "vigil intel compile: %llu indicators", (unsigned long long)tot.indicators);
    const char *sep = " (";
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        if (tot.per_type[t]) {
            fprintf(stderr, "%s%s %llu", sep, vg_ind_kind_name(t), (unsigned long long)tot.per_type[t]);
            sep = ", ";
        }
    }
    fprintf(stderr, "%s from %u feeds (%u disabled), %llu files, %llu rejected lines, %llu expired -> %s\n",
            tot.indicators ? ")" : "", tot.feeds, tot.disabled, (unsigned long long)tot.files,
            (unsigned long long)tot.rejected, (unsigned long long)tot.expired, out);
    return tot.rejected ? 1 : 0;
}

/* ---- lookup ------------------------------------------------------------------------------- */

typedef enum { OUT_TEXT, OUT_JSON, OUT_BRIEF } out_format;

typedef struct lookup_run {
    vg_snap *snap;
    int kind;
    out_format format;
    vg_buf out;
    unsigned known, unknown, invalid;
    int64_t now;
    vg_ind ind;
    vg_intel_hit hits[VG_INTEL_MAX_HITS];
    char text[VG_IND_TEXT_MAX];
} lookup_run;

static void text_source(lookup_run *run, const vg_intel_source *src)
{
    char t1[VG_RFC3339_MAX];
    vg_buf *b = &run->out;
    vg_buf_printf(b, "    feed %s (%s, %s, weight %u)", src->feed, vg_feed_format_name(src->format),
                  vg_intel_role_name(src->role), src->weight);
    if (src->family[0])
        vg_buf_printf(b, " family %s", src->family);
    if (src->aliases[0])
        vg_buf_printf(b, " (aliases: %s)", src->aliases);
    if (src->count)
        vg_buf_printf(b, " count %u", (unsigned)src->count);
    if (src->first_seen)
        vg_buf_printf(b, " first seen %s", format_time(src->first_seen, t1));
    if (src->last_seen)
        vg_buf_printf(b, " last seen %s", format_time(src->last_seen, t1));
    if (src->expires)
        vg_buf_printf(b, " %s %s", src->expires <= run->now ? "EXPIRED" : "expires", format_time(src->expires, t1));
    if (src->flags & VG_PROV_HOST_ONLY)
        vg_buf_puts(b, " exact host only");
    if (src->note[0])
        vg_buf_printf(b, " note: %s", src->note);
    vg_buf_putc(b, '\n');
    for (unsigned j = 0; j < src->nrefs; j++)
        vg_buf_printf(b, "      reference %s\n", vg_snap_source_reference(run->snap, src, j));
}

static void print_hit(lookup_run *run, const vg_intel_hit *h, size_t i)
{
    vg_buf *b = &run->out;
    vg_snap_hit_format(h, run->text, sizeof run->text);
    size_t nsrc = vg_snap_source_count(run->snap, h->ref);
    if (run->format == OUT_BRIEF) {
        vg_buf_printf(b, "%s%s", i ? " " : "", run->text);
        return;
    }
    if (run->format == OUT_TEXT) {
        vg_buf_printf(b, "  %s %s%s: %zu source%s\n", vg_ind_kind_name(h->type), run->text,
                      h->parent ? " (parent domain)" : "", nsrc, nsrc == 1 ? "" : "s");
    } else {
        vg_buf_puts(b, i ? ",{\"indicator\":" : "{\"indicator\":");
        vg_jw_string(b, run->text, strlen(run->text), NULL);
        vg_buf_printf(b, ",\"type\":\"%s\",\"parent\":%s,\"sources\":[", vg_ind_kind_name(h->type),
                      h->parent ? "true" : "false");
    }
    for (size_t k = 0; k < nsrc; k++) {
        vg_intel_source src;
        if (vg_snap_source(run->snap, h->ref, k, &src) != 0)
            continue;
        if (run->format == OUT_TEXT) {
            text_source(run, &src);
        } else {
            if (k)
                vg_buf_putc(b, ',');
            vg_intel_json_source(b, run->snap, &src, run->now);
        }
    }
    if (run->format == OUT_JSON)
        vg_buf_puts(b, "]}");
}

static void print_invalid(lookup_run *run, const char *v, size_t n, const char *why)
{
    vg_buf *b = &run->out;
    if (run->format == OUT_BRIEF) {
        vg_buf_append(b, v, n);
        vg_buf_printf(b, "\t!%s\n", why);
    } else if (run->format == OUT_TEXT) {
        vg_buf_append(b, v, n);
        vg_buf_printf(b, ": invalid: %s\n", why);
    } else {
        vg_buf_puts(b, "{\"value\":");
        vg_jw_string(b, v, n, NULL);
        vg_buf_puts(b, ",\"valid\":false,\"reason\":");
        vg_jw_string(b, why, strlen(why), NULL);
        vg_buf_puts(b, "}\n");
    }
}

static void lookup_value(lookup_run *run, const char *v, size_t n)
{
    vg_error err;
    vg_error_clear(&err);
    if (vg_ind_parse(run->kind, v, n, &run->ind, &err) != VG_OK) {
        run->invalid++;
        print_invalid(run, v, n, err.msg);
        return;
    }
    size_t nhits = vg_snap_match(run->snap, &run->ind, run->hits, VG_INTEL_MAX_HITS);
    nhits ? run->known++ : run->unknown++;
    vg_buf *b = &run->out;
    vg_ind_format(&run->ind, run->text, sizeof run->text);
    if (run->format == OUT_BRIEF) {
        vg_buf_append(b, v, n);
        vg_buf_putc(b, '\t');
        if (!nhits)
            vg_buf_putc(b, '-');
    } else if (run->format == OUT_TEXT) {
        vg_buf_printf(b, "%s %s: %s\n", vg_ind_kind_name(run->ind.type), run->text, nhits ? "known" : "unknown");
    } else {
        vg_buf_puts(b, "{\"value\":");
        vg_jw_string(b, v, n, NULL);
        vg_buf_puts(b, ",\"valid\":true,\"canonical\":");
        vg_jw_string(b, run->text, strlen(run->text), NULL);
        vg_buf_printf(b, ",\"type\":\"%s\",\"known\":%s,\"hits\":[", vg_ind_kind_name(run->ind.type),
                      nhits ? "true" : "false");
    }
    for (size_t i = 0; i < nhits; i++)
        print_hit(run, &run->hits[i], i);
    vg_buf_puts(b, run->format == OUT_JSON ? "]}\n" : run->format == OUT_BRIEF ? "\n" : "");
}

static int lookup_stdin(lookup_run *run)
{
    vg_reader *r;
    vg_error err;
    if (vg_reader_open(&r, "-", LOOKUP_MAX_VALUE, &err) != VG_OK) {
        fprintf(stderr, "vigil intel lookup: %s\n", err.msg);
        return -1;
    }
    vg_record rec;
    vg_rc rc;
    while ((rc = vg_reader_next_line(r, &rec, &err)) != VG_END) {
        if (rc == VG_ERR_LIMIT) {
            run->invalid++;
            fprintf(stderr, "<stdin>:%llu: %s\n", (unsigned long long)rec.line, err.msg);
            continue;
        }
        if (rc) {
            fprintf(stderr, "vigil intel lookup: %s\n", err.msg);
            vg_reader_close(r);
            return -1;
        }
        size_t n = rec.len;
        const char *v = rec.data;
        while (n && (v[0] == ' ' || v[0] == '\t')) {
            v++;
            n--;
        }
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        if (n)
            lookup_value(run, v, n);
        if (run->out.len >= OUT_FLUSH && vg_cmd_flush(&run->out) != 0)
            break;
    }
    vg_reader_close(r);
    return 0;
}

static int parse_output(const char *s, out_format *f, int brief_ok)
{
    if (strcmp(s, "text") == 0)
        *f = OUT_TEXT;
    else if (strcmp(s, "json") == 0)
        *f = OUT_JSON;
    else if (brief_ok && strcmp(s, "brief") == 0)
        *f = OUT_BRIEF;
    else
        return -1;
    return 0;
}

static int open_snapshot(const char *cmd, const char *path, unsigned flags, vg_snap **snap)
{
    vg_error err;
    vg_error_clear(&err);
    if (vg_snap_open(snap, path, flags, &err) != VG_OK) {
        fprintf(stderr, "vigil intel %s: %s\n", cmd, err.msg);
        return -1;
    }
    return 0;
}

static int cmd_lookup(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "store", required_argument, NULL, 's' }, { "type", required_argument, NULL, 't' },
        { "output", required_argument, NULL, 'o' }, { "batch", no_argument, NULL, 'B' },
        { "verify", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *store = NULL;
    int batch = 0, c;
    unsigned flags = 0;
    lookup_run *run = vg_calloc(1, sizeof *run);
    if (!run)
        return 2;
    run->kind = VG_IND_GUESS;
    run->now = (int64_t)time(NULL);
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:t:o:h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 's': store = optarg; break;
        case 't': bad = (run->kind = vg_ind_kind_from_name(optarg, strlen(optarg))) < 0; break;
        case 'o': bad = parse_output(optarg, &run->format, 1); break;
        case 'B': batch = 1; break;
        case 'V': flags |= VG_SNAP_VERIFY; break;
        case 'h': vg_free(run); vg_cmd_print_help(lookup_help); return 0;
        default: bad = 1; break;
        }
        if (bad) {
            vg_free(run);
            return usage_error("lookup", "invalid option or value", optarg);
        }
    }
    if (!store || (optind == argc && !batch)) {
        vg_free(run);
        return usage_error("lookup", "needs -s STORE.vgi and values (or --batch)", NULL);
    }
    if (open_snapshot("lookup", store, flags, &run->snap) != 0) {
        vg_free(run);
        return 2;
    }
    vg_buf_init(&run->out, 0);
    int failed = 0;
    for (int i = optind; i < argc && !failed; i++) {
        lookup_value(run, argv[i], strlen(argv[i]));
        failed = run->out.len >= OUT_FLUSH && vg_cmd_flush(&run->out) != 0;
    }
    if (!failed && batch)
        failed = lookup_stdin(run) != 0;
    if (vg_cmd_flush(&run->out) != 0 || fflush(stdout) != 0)
        failed = 1;
    int status = failed || run->invalid ? 2 : run->unknown ? 1 : 0;
    vg_buf_free(&run->out);
    vg_snap_close(run->snap);
    vg_free(run);
    return status;
}

/* ---- stats -------------------------------------------------------------------------------- */

static void stats_text(vg_snap *s, const char *path, vg_buf *b)
{
    char t[VG_RFC3339_MAX];
    uint64_t total = vg_snap_count(s, VG_IND_NONE), size = vg_snap_file_size(s);
    vg_buf_printf(b, "snapshot %s: %llu bytes, created %s, %llu indicators, %.1f bytes per indicator\n", path,
                  (unsigned long long)size, format_time(vg_snap_created(s), t), (unsigned long long)total,
                  total ? (double)size / (double)total : 0.0);
    vg_buf_puts(b, "\nindicators by type:\n");
    for (int ty = 1; ty < VG_IND_NTYPES; ty++)
        if (vg_snap_count(s, ty))
            vg_buf_printf(b, "  %-10s %12llu\n", vg_ind_kind_name(ty), (unsigned long long)vg_snap_count(s, ty));
    vg_buf_puts(b, "\nfeeds (distinct indicators each names, by type):\n");
    for (size_t i = 0; i < vg_snap_feed_count(s); i++) {
        vg_intel_feed_info f;
        vg_snap_feed(s, i, &f);
        vg_buf_printf(b, "  %s: %s, %s, weight %u, %u files, %llu records, %llu accepted, %llu rejected, %llu expired\n",
                      f.name, vg_feed_format_name(f.format), f.role == VG_INTEL_ALLOW ? "allow" : "block", f.weight,
                      f.files, (unsigned long long)f.records, (unsigned long long)f.accepted,
                      (unsigned long long)f.rejected, (unsigned long long)f.expired);
        vg_buf_puts(b, "   ");
        for (int ty = 1; ty < VG_IND_NTYPES; ty++)
            if (f.unique[ty])
                vg_buf_printf(b, " %s %u", vg_ind_kind_name(ty), (unsigned)f.unique[ty]);
        vg_buf_putc(b, '\n');
    }
    vg_buf_puts(b, "\nsections:\n");
    for (size_t i = 0; i < vg_snap_section_count(s); i++) {
        char name[64];
        uint64_t bytes, count;
        vg_snap_section(s, i, name, sizeof name, &bytes, &count);
        vg_buf_printf(b, "  %-20s %12llu bytes %12llu entries\n", name, (unsigned long long)bytes,
                      (unsigned long long)count);
    }
}

static void json_counts(vg_buf *b, const char *key, const uint32_t *v)
{
    vg_buf_printf(b, ",\"%s\":{", key);
    const char *sep = "";
    for (int ty = 1; ty < VG_IND_NTYPES; ty++) {
        if (v[ty]) {
            vg_buf_printf(b, "%s\"%s\":%u", sep, vg_ind_kind_name(ty), (unsigned)v[ty]);
            sep = ",";
        }
    }
    vg_buf_putc(b, '}');
}

static void stats_json(vg_snap *s, vg_buf *b)
{
    char t[VG_RFC3339_MAX];
    vg_buf_printf(b, "{\"file_size\":%llu,\"created\":\"%s\",\"indicators\":%llu,\"by_type\":{",
                  (unsigned long long)vg_snap_file_size(s), format_time(vg_snap_created(s), t),
                  (unsigned long long)vg_snap_count(s, VG_IND_NONE));
    const char *sep = "";
    for (int ty = 1; ty < VG_IND_NTYPES; ty++) {
        vg_buf_printf(b, "%s\"%s\":%llu", sep, vg_ind_kind_name(ty), (unsigned long long)vg_snap_count(s, ty));
        sep = ",";
    }
    vg_buf_puts(b, "},\"feeds\":[");
    for (size_t i = 0; i < vg_snap_feed_count(s); i++) {
        vg_intel_feed_info f;
        vg_snap_feed(s, i, &f);
        vg_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        vg_jw_string(b, f.name, strlen(f.name), NULL);
        vg_buf_printf(b, ",\"format\":\"%s\",\"role\":\"%s\",\"weight\":%u,\"files\":%u,\"records\":%llu,"
                      "\"accepted\":%llu,\"rejected\":%llu,\"expired\":%llu", vg_feed_format_name(f.format),
                      f.role == VG_INTEL_ALLOW ? "allow" : "block", f.weight, f.files, (unsigned long long)f.records,
                      (unsigned long long)f.accepted, (unsigned long long)f.rejected, (unsigned long long)f.expired);
        json_counts(b, "entries", f.entries);
        json_counts(b, "unique", f.unique);
        vg_buf_putc(b, '}');
    }
    vg_buf_puts(b, "],\"sections\":{");
    for (size_t i = 0; i < vg_snap_section_count(s); i++) {
        char name[64];
        uint64_t bytes, count;
        vg_snap_section(s, i, name, sizeof name, &bytes, &count);
        vg_buf_printf(b, "%s\"%s\":%llu", i ? "," : "", name, (unsigned long long)bytes);
    }
    vg_buf_puts(b, "}}\n");
}

static int cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "store", required_argument, NULL, 's' }, { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *store = NULL;
    out_format format = OUT_TEXT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'o':
            if (parse_output(optarg, &format, 0))
                return usage_error("stats", "--output takes text or json", optarg);
            break;
        case 'h': vg_cmd_print_help(stats_help); return 0;
        default: return usage_error("stats", "invalid option", NULL);
        }
    }
    if (!store || optind != argc)
        return usage_error("stats", "needs -s STORE.vgi and no other arguments", NULL);
    vg_snap *s;
    if (open_snapshot("stats", store, VG_SNAP_VERIFY, &s) != 0)
        return 2;
    vg_buf b;
    vg_buf_init(&b, 0);
    if (format == OUT_JSON)
        stats_json(s, &b);
    else
        stats_text(s, store, &b);
    int status = vg_cmd_flush(&b) != 0 || fflush(stdout) != 0 ? 2 : 0;
    vg_buf_free(&b);
    vg_snap_close(s);
    return status;
}

int vg_cmd_intel(int argc, char **argv)
{
    if (argc < 2) {
        fputs(intel_help, stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        vg_cmd_print_help(intel_help);
        return 0;
    }
    if (strcmp(argv[1], "compile") == 0)
        return cmd_compile(argc - 1, argv + 1);
    if (strcmp(argv[1], "lookup") == 0)
        return cmd_lookup(argc - 1, argv + 1);
    if (strcmp(argv[1], "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    fprintf(stderr, "vigil intel: no such subcommand: %s (compile, lookup, stats)\n", argv[1]);
    return 2;
}

/*
 * cmd-decode: `vigil decode` reads files (or standard input), detects or takes their format,
 * decodes every record into a normalized event and prints it as one JSON object per line.
 * Rejected records are reported as FILE:LINE: reason on standard error; processing goes on.
 * Also `vigil formats`, which lists the formats.
 */
#include "cmd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "ingest-decode.h"
#include "ingest-reader.h"
#include "util-buf.h"

static const char decode_help[] =
"NAME\n"
"    vigil decode - decode logs into normalized JSON events\n"
"\n"
"SYNOPSIS\n"
"    vigil decode [OPTIONS] [FILE...]\n"
"\n"
"DESCRIPTION\n"
"    Reads each FILE (standard input when there is none, or for '-'), plain or compressed\n"
"    (gzip, zstd: recognized by content), decodes every record and prints it as one JSON\n"
"    object per line, with Elastic Common Schema fields (@timestamp, event.*, source.*,\n"
"    user.name, host.hostname, process.*, url.*, http.*, dns.*, file.hash.*, ...). Text\n"
"    records keep their line in event.original.\n"
"\n"
"    The format is detected per file from its first line (see vigil formats) unless --format\n"
"    is given. JSON input is a sequence of JSON texts separated by whitespace (NDJSON, or\n"
"    pretty-printed objects one after another), or a top-level array of objects; each object\n"
"    is decoded by the decoder its shape calls for (Windows, Suricata EVE, Zeek, generic).\n"
"\n"
"    A record that cannot be decoded is reported on standard error as FILE:LINE: reason and\n"
"    the rest of the input is still processed. A summary line ends the run.\n"
"\n"
"OPTIONS\n"
"    -f, --format NAME\n"
"        Decode every input as NAME (see vigil formats). Default: detect per file.\n"
"    -o, --output json|none\n"
"        json (default) prints events; none decodes without printing (for measuring).\n"
"    --max-line BYTES\n"
"        Longest accepted line or JSON text, default 1048576 (1 MiB), at most 268435456.\n"
"        Longer records are rejected with an error.\n"
"    --year YYYY\n"
"        Year for timestamps that have none (RFC 3164 syslog). Default: the year that puts\n"
"        the timestamp at or before the file's modification time (now, for standard input).\n"
"    --timezone +HH:MM|-HH:MM|UTC\n"
"        Zone of timestamps that carry none. Default: this machine's local zone.\n"
"    -q, --quiet\n"
"        Do not print one line per rejected record; the summary still counts them.\n"
"    -h, --help\n"
"        Show this page.\n"
"\n"
"EXIT STATUS\n"
"    0 every record decoded; 1 some records (or whole inputs) were rejected; 2 usage or\n"
"    I/O error.\n"
"\n"
"EXAMPLES\n"
"    vigil decode /var/log/auth.log\n"
"    vigil decode --format syslog --year 2025 old-auth.log.gz\n"
"    zcat eve.json.gz | vigil decode - | jq 'select(.event.kind == \"alert\")'\n";

static const char formats_help[] =
"NAME\n"
"    vigil formats - list the input formats of vigil decode\n"
"\n"
"SYNOPSIS\n"
"    vigil formats\n"
"\n"
"DESCRIPTION\n"
"    Prints each format name (for --format), whether it reads text lines or JSON objects,\n"
"    and what it decodes. Text formats are detected from the first non-empty line of an\n"
"    input, in the order listed; JSON objects choose their decoder by shape, in the order\n"
"    listed, the generic json decoder last.\n";

void vg_cmd_print_help(const char *text)
{
    fputs(text, stdout);
}

typedef struct decode_run {
    const vg_decoder *forced;
    vg_decode_opts opts;
    int print;
    int quiet;
    size_t max_record;
    vg_decode_state state;
    vg_buf out;
    vg_decode_stats stats;
    unsigned inputs, inputs_failed;
} decode_run;

static void on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    decode_run *run = ctx;
    if (!run->quiet)
        fprintf(stderr, "%s:%llu: %s\n", source, (unsigned long long)line, reason);
}

static int flush_out(decode_run *run)
{
    if (run->out.len && fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len)
        return -1;
    vg_buf_reset(&run->out);
    return 0;
}

/* Prints the decoded event ev->repeat times. */
static vg_rc on_event(void *ctx, const vg_event *ev)
{
    decode_run *run = ctx;
    if (!run->print)
        return VG_OK;
    size_t start = run->out.len;
    vg_rc rc = vg_event_to_json(ev, &run->out);
    if (!rc)
        rc = vg_buf_putc(&run->out, '\n');
    if (rc)
        return rc;
    if (ev->repeat > 1) {
        /* a repeated syslog message: write the one serialized copy N times, streaming, so a
         * large N never grows the buffer */
        size_t n = run->out.len - start;
        if (fwrite(run->out.data, 1, run->out.len, stdout) != run->out.len)
            return VG_ERR_IO;
        for (unsigned i = 1; i < ev->repeat; i++)
            if (fwrite(run->out.data + start, 1, n, stdout) != n)
                return VG_ERR_IO;
        vg_buf_reset(&run->out);
        return VG_OK;
    }
    if (!rc && run->out.len >= (64u << 10) && flush_out(run) != 0)
        rc = VG_ERR_IO;
    return rc;
}

/* Decodes one input; returns nonzero on an I/O error that ended it. */
static int decode_input(decode_run *run, const char *path)
{
    vg_reader *r = NULL;
    vg_error err;
    vg_error_clear(&err);
    run->inputs++;
    if (vg_reader_open(&r, path, run->max_record, &err) != VG_OK) {
        fprintf(stderr, "vigil: %s: %s\n", path, err.msg);
        run->inputs_failed++;
        return 1;
    }
    vg_reader_map(r);   /* plain files are read in place, without copying */
    vg_decode_opts opts = run->opts;
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
        opts.reference = (int64_t)st.st_mtime;
    vg_decode_sink sink = { on_event, on_reject, run };
    vg_rc rc = vg_decode_input(&run->state, r, run->forced, &opts, &sink, &run->stats, &err);
    int io_failed = 0;
    if (rc == VG_ERR_PARSE) {
        fprintf(stderr, "%s:%zu: %s\n", vg_reader_name(r), err.offset, err.msg);
        run->inputs_failed++;
    } else if (rc) {
        fprintf(stderr, "vigil: %s: %s\n", vg_reader_name(r), err.msg[0] ? err.msg : vg_rc_str(rc));
        run->inputs_failed++;
        io_failed = 1;
    }
    vg_reader_close(r);
    return io_failed;
}

/* Inputs are memory-mapped: if another process truncates a file while it is being read (or the
 * device fails), the kernel sends SIGBUS. Say so instead of dying silently (async-signal-safe). */
static void on_sigbus(int sig)
{
    static const char msg[] = "vigil decode: an input file could not be read any further while "
                              "mapped (truncated by another process, or an I/O error); stopping: "
                              "events after that point were not decoded\n";
    (void)sig;
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(2);
}

/* Parses "+07:00", "-0530", "UTC" or "Z" into seconds east of UTC (exactly two digits each). */
static int parse_tz(const char *s, long *out)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "utc") == 0 || strcmp(s, "Z") == 0) {
        *out = 0;
        return 0;
    }
    size_t n = strlen(s);
    const char *m = s + 3 + (n == 6);   /* minutes after "+HH:" or "+HH" */
    if ((s[0] != '+' && s[0] != '-') || (n != 6 && n != 5) || (n == 6 && s[3] != ':'))
        return -1;
    const char *digits[] = { s + 1, s + 2, m, m + 1 };
    for (int k = 0; k < 4; k++)
        if (*digits[k] < '0' || *digits[k] > '9')
            return -1;
    int h = (s[1] - '0') * 10 + (s[2] - '0'), mi = (m[0] - '0') * 10 + (m[1] - '0');
    if (h > 23 || mi > 59)
        return -1;
    *out = (s[0] == '-' ? -1 : 1) * (h * 3600L + mi * 60L);
    return 0;
}

static int parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil decode: %s%s%s (see vigil decode --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int vg_cmd_decode(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "max-line", required_argument, NULL, 'L' },
        { "year", required_argument, NULL, 'Y' },
        { "timezone", required_argument, NULL, 'Z' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    decode_run run;
    memset(&run, 0, sizeof run);
    vg_decode_opts_default(&run.opts);
    run.print = 1;
    run.max_record = VG_READER_DEFAULT_MAX_RECORD;
    unsigned long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "auto") == 0) {
                run.forced = NULL;
            } else if (!(run.forced = vg_decoder_find(optarg))) {
                fprintf(stderr, "vigil decode: unknown format: %s (vigil formats lists them)\n", optarg);
                return 2;
            }
            break;
        case 'o':
            if (strcmp(optarg, "json") == 0)
                run.print = 1;
            else if (strcmp(optarg, "none") == 0)
                run.print = 0;
            else
                return usage_error("--output takes json or none", optarg);
            break;
        case 'L':
            if (parse_ulong(optarg, VG_READER_MAX_MAX_RECORD, &v) || v < 64)
                return usage_error("--max-line takes a size from 64 to 268435456 bytes", optarg);
            run.max_record = (size_t)v;
            break;
        case 'Y':
            if (parse_ulong(optarg, 9999, &v) || v < 1970)
                return usage_error("--year takes a year from 1970 to 9999", optarg);
            run.opts.year = (int)v;
            break;
        case 'Z':
            if (parse_tz(optarg, &run.opts.tz_offset))
                return usage_error("--timezone takes +HH:MM, -HH:MM or UTC", optarg);
            break;
        case 'q':
            run.quiet = 1;
            break;
        case 'h':
            vg_cmd_print_help(decode_help);
            return 0;
        default:
            return usage_error("invalid option", NULL);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigaction(SIGBUS, &sa, NULL);
    if (vg_decode_state_init(&run.state, run.max_record) != VG_OK) {
        fprintf(stderr, "vigil decode: out of memory\n");
        return 2;
    }
    vg_buf_init(&run.out, 0);

    int io_failed = 0;
    if (optind == argc) {
        io_failed |= decode_input(&run, "-");
    } else {
        for (int i = optind; i < argc; i++)
            io_failed |= decode_input(&run, argv[i]);
    }
    if (flush_out(&run) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "vigil decode: cannot write to standard output\n");
        io_failed = 1;
    }
    fprintf(stderr, "vigil decode: %llu events from %llu records, %llu rejected, %u of %u inputs read\n",
            (unsigned long long)run.stats.events, (unsigned long long)run.stats.records,
            (unsigned long long)run.stats.rejected, run.inputs - run.inputs_failed, run.inputs);
    vg_buf_free(&run.out);
    vg_decode_state_free(&run.state);
    if (io_failed)
        return 2;
    return run.stats.rejected || run.inputs_failed ? 1 : 0;
}

int vg_cmd_formats(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        vg_cmd_print_help(formats_help);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "vigil formats: takes no arguments (see vigil formats --help)\n");
        return 2;
    }
    printf("%-14s %-5s %s\n", "FORMAT", "READS", "DECODES");
    for (const vg_decoder *const *d = vg_decoders(); *d; d++)
        printf("%-14s %-5s %s\n", (*d)->name, (*d)->json ? "json" : "text", (*d)->summary);
    return 0;
}

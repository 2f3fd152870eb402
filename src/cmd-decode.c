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

#include "cmd-input.h"
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
VG_CMD_INPUT_HELP
"    -o, --output json|none\n"
"        json (default) prints events; none decodes without printing (for measuring).\n"
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

int vg_cmd_flush(vg_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
        return -1;
    vg_buf_reset(b);
    return 0;
}

void vg_cmd_print_help(const char *text)
{
    fputs(text, stdout);
}

typedef struct decode_run {
    vg_cmd_input in;
    int print;
    vg_buf out;
} decode_run;

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
    if (!rc && run->out.len >= (64u << 10) && vg_cmd_flush(&run->out) != 0)
        rc = VG_ERR_IO;
    return rc;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "vigil decode: %s%s%s (see vigil decode --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int vg_cmd_decode(int argc, char **argv)
{
    static const struct option longopts[] = {
        VG_CMD_INPUT_LONGOPTS,
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    decode_run run;
    memset(&run, 0, sizeof run);
    vg_cmd_input_init(&run.in, "vigil decode");
    run.in.event = on_event;
    run.in.ctx = &run;
    run.print = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, VG_CMD_INPUT_SHORTOPTS "o:h", longopts, NULL)) != -1) {
        int r = vg_cmd_input_option(&run.in, c, optarg);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        switch (c) {
        case 'o':
            if (strcmp(optarg, "json") == 0)
                run.print = 1;
            else if (strcmp(optarg, "none") == 0)
                run.print = 0;
            else
                return usage_error("--output takes json or none", optarg);
            break;
        case 'h':
            vg_cmd_print_help(decode_help);
            return 0;
        default:
            return usage_error("invalid option", NULL);
        }
    }
    if (vg_cmd_input_start(&run.in) != 0)
        return 2;
    vg_buf_init(&run.out, 0);
    vg_cmd_input_read_all(&run.in, argc - optind, argv + optind);
    if (vg_cmd_flush(&run.out) != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "vigil decode: cannot write to standard output\n");
        run.in.io_failed = 1;
    }
    const vg_cmd_input *in = &run.in;
    fprintf(stderr, "vigil decode: %llu events from %llu records, %llu rejected, %u of %u inputs read\n",
            (unsigned long long)in->stats.events, (unsigned long long)in->stats.records,
            (unsigned long long)in->stats.rejected, in->inputs - in->inputs_failed, in->inputs);
    vg_buf_free(&run.out);
    vg_cmd_input_free(&run.in);
    return vg_cmd_input_status(in);
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

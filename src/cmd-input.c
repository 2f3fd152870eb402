/*
 * cmd-input: input options and the record loop of the log-reading commands (see cmd-input.h).
 */
#include "cmd-input.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void vg_cmd_input_init(vg_cmd_input *in, const char *cmd)
{
    memset(in, 0, sizeof *in);
    in->cmd = cmd;
    vg_decode_opts_default(&in->opts);
    in->max_record = VG_READER_DEFAULT_MAX_RECORD;
}

int vg_cmd_parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
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

static int bad_option(const vg_cmd_input *in, const char *msg, const char *arg)
{
    fprintf(stderr, "%s: %s: %s (see %s --help)\n", in->cmd, msg, arg, in->cmd);
    return -1;
}

int vg_cmd_input_option(vg_cmd_input *in, int opt, const char *arg)
{
    unsigned long long v;
    switch (opt) {
    case 'f':
        if (strcmp(arg, "auto") == 0) {
            in->forced = NULL;
        } else if (!(in->forced = vg_decoder_find(arg))) {
            fprintf(stderr, "%s: unknown format: %s (vigil formats lists them)\n", in->cmd, arg);
            return -1;
        }
        return 1;
    case 'L':
        if (vg_cmd_parse_ulong(arg, VG_READER_MAX_MAX_RECORD, &v) || v < 64)
            return bad_option(in, "--max-line takes a size from 64 to 268435456 bytes", arg);
        in->max_record = (size_t)v;
        return 1;
    case 'Y':
        if (vg_cmd_parse_ulong(arg, 9999, &v) || v < 1970)
            return bad_option(in, "--year takes a year from 1970 to 9999", arg);
        in->opts.year = (int)v;
        return 1;
    case 'Z':
        if (parse_tz(arg, &in->opts.tz_offset))
            return bad_option(in, "--timezone takes +HH:MM, -HH:MM or UTC", arg);
        return 1;
    case 'q':
        in->quiet = 1;
        return 1;
    default:
        return 0;
    }
}

/* Inputs are memory-mapped: if another process truncates a file while it is being read (or the
 * device fails), the kernel sends SIGBUS. Say so instead of dying silently (async-signal-safe). */
static void on_sigbus(int sig)
{
    static const char msg[] = "vigil: an input file could not be read any further while mapped "
                              "(truncated by another process, or an I/O error); stopping: "
                              "records after that point were not read\n";
    (void)sig;
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(2);
}

int vg_cmd_input_start(vg_cmd_input *in)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigaction(SIGBUS, &sa, NULL);
    if (vg_decode_state_init(&in->state, in->max_record) != VG_OK) {
        fprintf(stderr, "%s: out of memory\n", in->cmd);
        return -1;
    }
    return 0;
}

void vg_cmd_input_free(vg_cmd_input *in)
{
    vg_decode_state_free(&in->state);
}

static void on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    vg_cmd_input *in = ctx;
    if (!in->quiet)
        fprintf(stderr, "%s:%llu: %s\n", source, (unsigned long long)line, reason);
}

static vg_rc on_event(void *ctx, const vg_event *ev)
{
    vg_cmd_input *in = ctx;
    in->record = in->stats.records - in->records_base;
    return in->event(in->ctx, ev);
}

void vg_cmd_input_read(vg_cmd_input *in, const char *path)
{
    vg_reader *r = NULL;
    vg_error err;
    vg_error_clear(&err);
    in->inputs++;
    if (vg_reader_open(&r, path, in->max_record, &err) != VG_OK) {
        fprintf(stderr, "vigil: %s: %s\n", path, err.msg);
        in->inputs_failed++;
        in->io_failed = 1;
        return;
    }
    vg_reader_map(r);   /* plain files are read in place, without copying */
    vg_decode_opts opts = in->opts;
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
        opts.reference = (int64_t)st.st_mtime;
    in->path = vg_reader_name(r);
    in->reader = r;
    in->record = 0;
    in->records_base = in->stats.records;
    vg_decode_sink sink = { on_event, on_reject, in };
    vg_rc rc = vg_decode_input(&in->state, r, in->forced, &opts, &sink, &in->stats, &err);
    if (rc == VG_ERR_PARSE) {
        fprintf(stderr, "%s:%zu: %s\n", vg_reader_name(r), err.offset, err.msg);
        in->inputs_failed++;
    } else if (rc) {
        fprintf(stderr, "vigil: %s: %s\n", vg_reader_name(r), err.msg[0] ? err.msg : vg_rc_str(rc));
        in->inputs_failed++;
        in->io_failed = 1;
    }
    in->path = NULL;
    in->reader = NULL;
    vg_reader_close(r);
}

void vg_cmd_input_read_all(vg_cmd_input *in, int argc, char **argv)
{
    if (argc == 0)
        vg_cmd_input_read(in, "-");
    for (int i = 0; i < argc; i++)
        vg_cmd_input_read(in, argv[i]);
}

int vg_cmd_input_status(const vg_cmd_input *in)
{
    if (in->io_failed)
        return 2;
    return in->stats.rejected || in->inputs_failed ? 1 : 0;
}

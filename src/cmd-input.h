/*
 * cmd-input: what the commands that read logs share (vigil decode, vigil scan): the input
 * options (--format, --max-line, --year, --timezone, --quiet), opening each input, decoding
 * its records through ingest-decode into the command's event callback, numbering the records
 * of each input, reporting rejected records as FILE:LINE: reason, and the exit status rules.
 */
#ifndef VIGIL_CMD_INPUT_H
#define VIGIL_CMD_INPUT_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "ingest-decode.h"

/* The getopt short options and long option entries of the input options. */
#define VG_CMD_INPUT_SHORTOPTS "f:q"
#define VG_CMD_INPUT_LONGOPTS \
    { "format", required_argument, NULL, 'f' }, \
    { "max-line", required_argument, NULL, 'L' }, \
    { "year", required_argument, NULL, 'Y' }, \
    { "timezone", required_argument, NULL, 'Z' }, \
    { "quiet", no_argument, NULL, 'q' }

/* The --help text of the input options. */
#define VG_CMD_INPUT_HELP \
"    -f, --format NAME\n" \
"        Decode every input as NAME (see vigil formats). Default: detect per file.\n" \
"    --max-line BYTES\n" \
"        Longest accepted line or JSON text, default 1048576 (1 MiB), at most 268435456.\n" \
"        Longer records are rejected with an error.\n" \
"    --year YYYY\n" \
"        Year for timestamps that have none (RFC 3164 syslog). Default: the year that puts\n" \
"        the timestamp at or before the file's modification time (now, for standard input).\n" \
"    --timezone +HH:MM|-HH:MM|UTC\n" \
"        Zone of timestamps that carry none. Default: this machine's local zone.\n" \
"    -q, --quiet\n" \
"        Do not print one line per rejected record; the summary still counts them.\n"

typedef struct vg_cmd_input {
    const char *cmd;            /* "vigil decode": the prefix of messages */
    const vg_decoder *forced;   /* --format, or NULL to detect */
    vg_decode_opts opts;
    size_t max_record;
    int quiet;
    vg_decode_state state;
    vg_decode_stats stats;
    unsigned inputs, inputs_failed;
    int io_failed;              /* an input ended on an I/O error */
    const char *path;           /* the input being read */
    vg_reader *reader;          /* and its reader (NULL between inputs) */
    uint64_t record;            /* number of the current record in that input (1-based) */
    uint64_t records_base;      /* stats.records when that input began */
    vg_rc (*event)(void *ctx, const vg_event *ev);     /* the command's callback */
    void *ctx;
} vg_cmd_input;

/* Sets the defaults; cmd names the command in messages. */
void vg_cmd_input_init(vg_cmd_input *in, const char *cmd);

/* Handles option opt (from VG_CMD_INPUT_LONGOPTS) with its argument: 1 if it was one of the
 * input options, 0 if not, -1 if its argument is wrong (the error is printed). */
int vg_cmd_input_option(vg_cmd_input *in, int opt, const char *arg);

/* Allocates the decoding state and installs the SIGBUS message; -1 (printed) on failure. */
int vg_cmd_input_start(vg_cmd_input *in);

/* Reads one input ("-": standard input), passing each event to in->event. */
void vg_cmd_input_read(vg_cmd_input *in, const char *path);

/* Reads the inputs argv[0..argc), or standard input when there are none. */
void vg_cmd_input_read_all(vg_cmd_input *in, int argc, char **argv);

/* Frees the decoding state. */
void vg_cmd_input_free(vg_cmd_input *in);

/* Exit status: 2 after an I/O error, 1 if records or inputs were rejected, else 0. */
int vg_cmd_input_status(const vg_cmd_input *in);

/* Parses a decimal number up to max; 0 or -1. */
int vg_cmd_parse_ulong(const char *s, unsigned long long max, unsigned long long *out);

#endif

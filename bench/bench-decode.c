/*
 * bench-decode: in-memory decode throughput, without I/O or printing.
 *
 *   bench-decode json FILE [RUNS]     NDJSON: scan only, then scan + normalize (vg_decode_json)
 *   bench-decode syslog FILE [RUNS]   lines: split only, then syslog decode + normalize
 *
 * The file is read into memory once; each pass walks its lines. Each pass runs RUNS times
 * (default 5) and the fastest is reported, as MB/s and events/s, one line per pass:
 *   PASS NAME MBPS EVENTS_PER_S EVENTS REJECTED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "json-scan.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        perror(path);
        exit(2);
    }
    fclose(f);
    buf[len] = '\0';
    *n = (size_t)len;
    return buf;
}

typedef enum pass_kind { PASS_SPLIT, PASS_SCAN, PASS_DECODE_JSON, PASS_DECODE_SYSLOG } pass_kind;

static vg_json_doc doc;
static vg_event ev;

/* One pass over all lines; returns events and counts rejections. */
static unsigned long run_pass(pass_kind kind, const char *buf, size_t n, unsigned long *rejected)
{
    vg_decode_opts opts = { 2026, 0, 0 };
    unsigned long events = 0;
    *rejected = 0;
    const char *p = buf, *end = buf + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        vg_error err;
        size_t used;
        vg_rc rc = VG_OK;
        switch (kind) {
        case PASS_SPLIT:
            break;
        case PASS_SCAN:
            rc = vg_json_parse(&doc, p, len, 0, &used, &err);
            break;
        case PASS_DECODE_JSON:
            rc = vg_json_parse(&doc, p, len, 0, &used, &err);
            if (rc == VG_OK) {
                vg_event_reset(&ev, p, len, &doc);
                rc = vg_decode_json(&opts, &ev, &err);
            }
            break;
        case PASS_DECODE_SYSLOG:
            vg_event_reset(&ev, p, len, NULL);
            vg_event_set_str(&ev, "event.original", p, len);
            rc = vg_decoder_syslog.decode(&opts, &ev, &err);
            break;
        }
        if (rc == VG_OK)
            events += kind == PASS_SPLIT ? 1 : ev.repeat ? (kind == PASS_SCAN ? 1 : ev.repeat) : 1;
        else
            (*rejected)++;
        p = nl ? nl + 1 : end;
    }
    return events;
}

static void measure(const char *name, pass_kind kind, const char *buf, size_t n, int runs)
{
    double best = 1e30;
    unsigned long events = 0, rejected = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        events = run_pass(kind, buf, n, &rejected);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("PASS %-14s %10.1f %12.0f %10lu %8lu\n", name, (double)n / best / 1e6, (double)events / best,
           events, rejected);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "json") != 0 && strcmp(argv[1], "syslog") != 0)) {
        fprintf(stderr, "usage: bench-decode json|syslog FILE [RUNS]\n");
        return 2;
    }
    int runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
    if (runs < 1)
        runs = 1;
    size_t n;
    char *buf = load(argv[2], &n);
    if (vg_json_doc_init(&doc, 1u << 20, VG_JSON_DEFAULT_DEPTH) != VG_OK)
        return 2;
    measure("split-lines", PASS_SPLIT, buf, n, runs);
    if (strcmp(argv[1], "json") == 0) {
        measure("json-scan", PASS_SCAN, buf, n, runs);
        measure("json-decode", PASS_DECODE_JSON, buf, n, runs);
    } else {
        measure("syslog-decode", PASS_DECODE_SYSLOG, buf, n, runs);
    }
    vg_json_doc_free(&doc);
    free(buf);
    return 0;
}

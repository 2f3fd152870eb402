/*
 * fuzz-common: the body shared by the decoder fuzz targets. Runs the whole decode path that
 * `vigil decode` runs (reader with decompression and record splitting, the decoder, JSON
 * serialization) over one input, with a small record limit so limits get exercised too, and
 * checks invariants: every event serializes to valid JSON (re-scanned strictly).
 */
#ifndef VIGIL_FUZZ_COMMON_H
#define VIGIL_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "ingest-decode.h"
#include "ingest-reader.h"
#include "json-scan.h"
#include "util-buf.h"

#define FUZZ_MAX_RECORD 4096

typedef struct fuzz_ctx {
    vg_buf out;
    vg_json_doc check;
} fuzz_ctx;

static void (*fuzz_event_hook)(const vg_event *ev);   /* a target's own checks of each event */

static vg_rc fuzz_on_event(void *ctx, const vg_event *ev)
{
    fuzz_ctx *f = ctx;
    if (fuzz_event_hook)
        fuzz_event_hook(ev);
    vg_buf_reset(&f->out);
    if (vg_event_to_json(ev, &f->out) != VG_OK)
        abort();
    size_t end;
    vg_error err;
    /* the output of every event must be one valid JSON object and nothing else */
    if (vg_json_parse(&f->check, f->out.data, f->out.len, 0, &end, &err) != VG_OK || end != f->out.len ||
        f->check.toks[0].type != VG_JSON_OBJECT)
        abort();
    return VG_OK;
}

static void fuzz_on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    (void)ctx;
    (void)source;
    if (line == 0 || !reason[0])
        abort();    /* every rejection names a line and a reason */
}

/* Decodes data with the decoder named format (NULL: detect). */
static inline int fuzz_decode(const uint8_t *data, size_t size, const char *format)
{
    static int ready;
    static vg_decode_state st;
    static fuzz_ctx f;
    if (!ready) {
        if (vg_decode_state_init(&st, FUZZ_MAX_RECORD) || vg_json_doc_init(&f.check, 1u << 16, 256))
            abort();
        vg_buf_init(&f.out, 0);
        ready = 1;
    }
    const vg_decoder *dec = format ? vg_decoder_find(format) : NULL;
    if (format && !dec)
        abort();
    vg_decode_opts opts = { 0, 1700000000, 0 };
    vg_reader *r;
    vg_error err;
    if (vg_reader_open_mem(&r, "fuzz", data, size, FUZZ_MAX_RECORD, &err) != VG_OK)
        abort();
    vg_decode_sink sink = { fuzz_on_event, fuzz_on_reject, &f };
    vg_decode_stats stats = { 0, 0, 0 };
    vg_decode_input(&st, r, dec, &opts, &sink, &stats, &err);
    vg_reader_close(r);
    return 0;
}

#endif

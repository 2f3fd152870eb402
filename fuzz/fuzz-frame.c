/* fuzz-frame: the stream framer (LF and RFC 6587 octet counting, automatic choice) over
 * arbitrary bytes. Input: byte 0 picks the framing, byte 1 the record limit (1-256), byte 2
 * seeds the piece sizes; the rest is the stream. Checks: feeding the stream whole and in
 * pieces of varying sizes gives the same records and the same reports at the same offsets;
 * no record is over the limit; LF-framed records hold no LF and equal the non-empty lines of
 * the stream that are within the limit (an independent split). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest-frame.h"
#include "util-buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct trace {
    vg_buf out;     /* each record and report, serialized */
    size_t max;
    int lf;
} trace;

static vg_rc on_record(void *ctx, const char *p, size_t n)
{
    trace *t = ctx;
    if (n > t->max || (t->lf && memchr(p, '\n', n)))
        abort();
    vg_buf_printf(&t->out, "R%zu:", n);
    vg_buf_append(&t->out, p, n);
    return VG_OK;
}

static void on_bad(void *ctx, uint64_t offset, const char *reason)
{
    trace *t = ctx;
    if (!reason[0])
        abort();
    vg_buf_printf(&t->out, "B%llu:%s;", (unsigned long long)offset, reason);
}

static void run(trace *t, vg_frame_mode mode, const char *p, size_t n, unsigned seed, vg_frame_mode *decided)
{
    vg_framer f;
    vg_frame_sink sink = { on_record, on_bad, t };
    if (vg_framer_init(&f, mode, t->max) != VG_OK)
        abort();
    size_t off = 0;
    while (off < n) {
        size_t piece = seed ? 1 + (seed = seed * 1103515245u + 12345u) % 17 : n;
        if (piece > n - off)
            piece = n - off;
        vg_framer_feed(&f, p + off, piece, &sink);
        off += piece;
    }
    *decided = f.mode;
    vg_framer_finish(&f, &sink);
    vg_framer_free(&f);
}

/* The non-empty lines within the limit, split independently of the framer. */
static void reference_lines(vg_buf *out, const char *p, size_t n, size_t max)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
        size_t body = len && p[i + len - 1] == '\r' ? len - 1 : len;
        if (body && body <= max) {
            vg_buf_printf(out, "R%zu:", body);
            vg_buf_append(out, p + i, body);
        }
        i += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    vg_frame_mode mode = (vg_frame_mode)(data[0] % 3);
    size_t max = 1 + data[1];
    unsigned seed = data[2] | 1u;
    const char *p = (const char *)data + 3;
    size_t n = size - 3;
    trace whole = { .max = max }, pieces = { .max = max };
    vg_buf_init(&whole.out, 0);
    vg_buf_init(&pieces.out, 0);
    vg_frame_mode m1, m2;
    whole.lf = pieces.lf = mode == VG_FRAME_LF;
    run(&whole, mode, p, n, 0, &m1);
    run(&pieces, mode, p, n, seed, &m2);
    if (m1 != m2 || whole.out.len != pieces.out.len ||
        (whole.out.len && memcmp(whole.out.data, pieces.out.data, whole.out.len) != 0))
        abort();
    if (m1 == VG_FRAME_LF) {
        /* records only, without the reports: equal to the independent split */
        vg_buf recs, ref;
        vg_buf_init(&recs, 0);
        vg_buf_init(&ref, 0);
        trace t = { .max = max, .lf = 1 };
        vg_buf_init(&t.out, 0);
        vg_framer f;
        vg_frame_sink sink = { on_record, NULL, &t };
        if (vg_framer_init(&f, VG_FRAME_LF, max) != VG_OK)
            abort();
        vg_framer_feed(&f, p, n, &sink);
        vg_framer_finish(&f, &sink);
        vg_framer_free(&f);
        reference_lines(&ref, p, n, max);
        if (t.out.len != ref.len || (ref.len && memcmp(t.out.data, ref.data, ref.len) != 0))
            abort();
        vg_buf_free(&t.out);
        vg_buf_free(&recs);
        vg_buf_free(&ref);
    }
    vg_buf_free(&whole.out);
    vg_buf_free(&pieces.out);
    return 0;
}

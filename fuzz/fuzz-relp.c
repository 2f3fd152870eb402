/* fuzz-relp: the RELP frame parser over arbitrary bytes. Input: byte 0 seeds the piece sizes,
 * byte 1 the data limit (1-256); the rest is the stream. Checks: fed whole and in pieces of
 * varying sizes, the same frames come out and the same error ends the stream at the same
 * offset; every frame is within the limits; frames written back in RELP's form parse again to
 * the same frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest-relp.h"
#include "util-buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct trace {
    vg_buf out;         /* frames, serialized */
    size_t max;
} trace;

static vg_rc on_frame(void *ctx, const vg_relp_frame *f)
{
    trace *t = ctx;
    size_t clen = strlen(f->command);
    if (f->txnr == 0 || f->txnr > VG_RELP_MAX_TXNR || clen == 0 || clen > VG_RELP_MAX_COMMAND || f->len > t->max)
        abort();
    /* RELP's own form: parsing it again must give this frame */
    vg_buf_printf(&t->out, "%u %s %zu", f->txnr, f->command, f->len);
    if (f->len) {
        vg_buf_putc(&t->out, ' ');
        vg_buf_append(&t->out, f->data, f->len);
    }
    vg_buf_putc(&t->out, '\n');
    return VG_OK;
}

static vg_rc run(trace *t, const char *p, size_t n, unsigned seed, vg_error *err, uint64_t *stop)
{
    vg_relp_parser rp;
    if (vg_relp_init(&rp, t->max) != VG_OK)
        abort();
    vg_rc rc = VG_OK;
    size_t off = 0;
    while (!rc && off < n) {
        size_t piece = seed ? 1 + (seed = seed * 1103515245u + 12345u) % 13 : n;
        if (piece > n - off)
            piece = n - off;
        rc = vg_relp_feed(&rp, p + off, piece, on_frame, t, err);
        off += piece;
    }
    *stop = rc ? err->offset : 0;
    vg_relp_free(&rp);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned seed = data[0] | 1u;
    size_t max = 1 + data[1];
    const char *p = (const char *)data + 2;
    size_t n = size - 2;
    trace a = { .max = max }, b = { .max = max }, c = { .max = max };
    vg_buf_init(&a.out, 0);
    vg_buf_init(&b.out, 0);
    vg_buf_init(&c.out, 0);
    vg_error e1, e2, e3;
    uint64_t s1, s2, s3;
    vg_rc r1 = run(&a, p, n, 0, &e1, &s1), r2 = run(&b, p, n, seed, &e2, &s2);
    if (r1 != r2 || s1 != s2 || a.out.len != b.out.len || (a.out.len && memcmp(a.out.data, b.out.data, a.out.len)))
        abort();
    if (r1 && strncmp(e1.msg, "RELP frame: ", 12) != 0)
        abort();
    if (a.out.len && (run(&c, a.out.data, a.out.len, 0, &e3, &s3) != VG_OK || c.out.len != a.out.len ||
                      memcmp(c.out.data, a.out.data, a.out.len) != 0))
        abort();
    vg_buf_free(&a.out);
    vg_buf_free(&b.out);
    vg_buf_free(&c.out);
    return 0;
}

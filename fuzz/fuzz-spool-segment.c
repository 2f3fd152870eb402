/*
 * fuzz-spool-segment: arbitrary bytes as one spool segment file (vg_spool_scan_segment, the
 * scanner that the spool's open and `vigil spool check` run; format in docs/spool.md).
 * Invariants: no read outside the input (ASan); every intact record lies inside the input,
 * right after a header that encodes back to the same 40 bytes; sequence numbers strictly
 * increase; *nrec equals the records called back; every report has a reason and an offset
 * inside the input; VG_OK only when nothing was reported; the intact records written again
 * into a fresh segment scan back to the same records with nothing reported.
 * Seeds: fuzz/corpus/fuzz-spool-segment (made by fuzz/make-spool-corpus.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spool-segment.h"
#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECS 1024       /* 8 KiB inputs hold at most 204 records of 40 bytes */

typedef struct seen {
    const uint8_t *buf;
    size_t len;
    uint64_t n, reports, last_seq;
    vg_spool_rec recs[MAX_RECS];
} seen;

static void on_rec(void *ctx, const vg_spool_rec *rec)
{
    seen *s = ctx;
    const uint8_t *p = (const uint8_t *)rec->data;
    if (!p || p < s->buf + VG_SPSEG_HDR + VG_SPREC_HDR || p + rec->len > s->buf + s->len)
        abort();
    uint8_t hdr[VG_SPREC_HDR];
    vg_sprec_encode(hdr, rec);
    if (memcmp(hdr, p - VG_SPREC_HDR, VG_SPREC_HDR) != 0)
        abort();
    if (s->n && rec->seq <= s->last_seq)
        abort();
    s->last_seq = rec->seq;
    if (s->n < MAX_RECS)
        s->recs[s->n] = *rec;
    s->n++;
}

static void on_report(void *ctx, const char *segment, uint64_t offset, const char *reason)
{
    seen *s = ctx;
    if (!segment || !reason || !reason[0] || (offset >= s->len && !(offset == 0 && s->len == 0)))
        abort();
    s->reports++;
}

/* The intact records of a in a fresh segment: they must scan back the same, cleanly. */
static void rewrite_and_rescan(const seen *a)
{
    size_t n = a->n < MAX_RECS ? (size_t)a->n : MAX_RECS, len = VG_SPSEG_HDR;
    for (size_t i = 0; i < n; i++)
        len += VG_SPREC_HDR + a->recs[i].len;
    uint8_t *buf = malloc(len);
    if (!buf)
        abort();
    vg_spseg_header_encode(buf, n ? a->recs[0].seq : 1, 0);
    size_t off = VG_SPSEG_HDR;
    for (size_t i = 0; i < n; i++) {
        vg_sprec_encode(buf + off, &a->recs[i]);
        memcpy(buf + off + VG_SPREC_HDR, a->recs[i].data, a->recs[i].len);
        off += VG_SPREC_HDR + a->recs[i].len;
    }
    static seen b;
    memset(&b, 0, sizeof b);
    b.buf = buf;
    b.len = len;
    uint64_t nrec;
    if (vg_spool_scan_segment("rewritten", buf, len, on_rec, on_report, &b, &nrec) != VG_OK || nrec != n ||
        b.reports)
        abort();
    for (size_t i = 0; i < n; i++)
        if (b.recs[i].seq != a->recs[i].seq || b.recs[i].len != a->recs[i].len || b.recs[i].unit != a->recs[i].unit ||
            b.recs[i].source != a->recs[i].source || b.recs[i].received_us != a->recs[i].received_us ||
            memcmp(b.recs[i].data, a->recs[i].data, a->recs[i].len) != 0)
            abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static seen s;
    memset(&s, 0, sizeof s);
    s.buf = data;
    s.len = size;
    uint64_t nrec = 0;
    vg_rc rc = vg_spool_scan_segment("fuzz.vsp", data, size, on_rec, on_report, &s, &nrec);
    if (nrec != s.n || (rc == VG_OK && s.reports) || (rc != VG_OK && !s.reports))
        abort();
    if (rc != VG_OK && rc != VG_ERR_PARSE && rc != VG_ERR_UNSUPPORTED)
        abort();
    if (rc != VG_ERR_UNSUPPORTED && s.n <= MAX_RECS)
        rewrite_and_rescan(&s);
    return 0;
}

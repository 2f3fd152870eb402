/*
 * spool-segment: encoding, checking and scanning of spool segments (see spool-segment.h for
 * the layout, docs/spool.md for the recovery rules). Pure functions over memory: no I/O, no
 * allocation; every read is bounded by the length given.
 */
#include "spool-segment.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util-crc32c.h"

#define REC_CRC_AT 32u      /* record header: payload checksum field */
#define REC_HCRC_AT 36u     /* record header: header checksum field */
#define SEG_HCRC_AT 28u     /* segment header: header checksum field */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void vg_sprec_encode(uint8_t out[VG_SPREC_HDR], const vg_spool_rec *rec)
{
    put32(out, VG_SPREC_MAGIC);
    put32(out + 4, rec->len);
    put64(out + 8, rec->seq);
    put64(out + 16, (uint64_t)rec->received_us);
    put32(out + 24, rec->unit);
    put32(out + 28, rec->source);
    uint32_t crc = vg_crc32c(0, out, REC_CRC_AT);
    if (rec->len)
        crc = vg_crc32c(crc, rec->data, rec->len);
    put32(out + REC_CRC_AT, crc);
    put32(out + REC_HCRC_AT, vg_crc32c(0, out, REC_HCRC_AT));
}

vg_sprec_status vg_sprec_check_header(const uint8_t *p, size_t avail, vg_spool_rec *rec)
{
    if (avail < VG_SPREC_HDR)
        return VG_SPREC_SHORT_HEADER;
    if (get32(p) != VG_SPREC_MAGIC)
        return VG_SPREC_BAD_MAGIC;
    if (vg_crc32c(0, p, REC_HCRC_AT) != get32(p + REC_HCRC_AT))
        return VG_SPREC_BAD_HEADER;
    rec->len = get32(p + 4);
    rec->seq = get64(p + 8);
    rec->received_us = (int64_t)get64(p + 16);
    rec->unit = get32(p + 24);
    rec->source = get32(p + 28);
    rec->data = NULL;
    return rec->len > VG_SPOOL_MAX_RECORD ? VG_SPREC_TOO_LONG : VG_SPREC_OK;
}

vg_sprec_status vg_sprec_check(const uint8_t *p, size_t avail, vg_spool_rec *rec)
{
    vg_sprec_status st = vg_sprec_check_header(p, avail, rec);
    if (st != VG_SPREC_OK)
        return st;
    if (avail - VG_SPREC_HDR < rec->len)
        return VG_SPREC_SHORT_PAYLOAD;
    uint32_t crc = vg_crc32c(vg_crc32c(0, p, REC_CRC_AT), p + VG_SPREC_HDR, rec->len);
    if (crc != get32(p + REC_CRC_AT))
        return VG_SPREC_BAD_CRC;
    rec->data = (const char *)(p + VG_SPREC_HDR);
    return VG_SPREC_OK;
}

const char *vg_sprec_status_str(vg_sprec_status st)
{
    switch (st) {
    case VG_SPREC_OK: return "intact record";
    case VG_SPREC_SHORT_HEADER: return "incomplete record header";
    case VG_SPREC_BAD_MAGIC: return "no record magic";
    case VG_SPREC_BAD_HEADER: return "record header checksum mismatch";
    case VG_SPREC_TOO_LONG: return "record length over the limit";
    case VG_SPREC_SHORT_PAYLOAD: return "record payload runs past the end";
    case VG_SPREC_BAD_CRC: return "record checksum mismatch";
    }
    return "damaged record";
}

size_t vg_sprec_find(const uint8_t *p, size_t len, size_t from)
{
    static const uint8_t magic[4] = { 'V', 'S', 'P', 'R' };
    while (from < len) {
        const uint8_t *hit = memchr(p + from, 'V', len - from);
        if (!hit)
            return len;
        size_t q = (size_t)(hit - p);
        size_t have = len - q < sizeof magic ? len - q : sizeof magic;
        if (memcmp(hit, magic, have) == 0) {
            vg_spool_rec rec;
            vg_sprec_status st = vg_sprec_check_header(hit, len - q, &rec);
            if (st == VG_SPREC_OK || st == VG_SPREC_SHORT_HEADER)
                return q;
        }
        from = q + 1;
    }
    return len;
}

void vg_spseg_header_encode(uint8_t out[VG_SPSEG_HDR], uint64_t first_seq, int64_t created_us)
{
    put32(out, VG_SPSEG_MAGIC);
    put32(out + 4, VG_SPSEG_VERSION);
    put64(out + 8, first_seq);
    put64(out + 16, (uint64_t)created_us);
    put32(out + 24, 0);
    put32(out + SEG_HCRC_AT, vg_crc32c(0, out, SEG_HCRC_AT));
}

const char *vg_spseg_header_check(const uint8_t *p, size_t len, uint64_t *first_seq)
{
    if (len < VG_SPSEG_HDR)
        return "segment shorter than its header";
    if (get32(p) != VG_SPSEG_MAGIC)
        return "no segment magic";
    if (vg_crc32c(0, p, SEG_HCRC_AT) != get32(p + SEG_HCRC_AT))
        return "segment header checksum mismatch";
    if (get32(p + 4) != VG_SPSEG_VERSION)
        return "unknown segment format version";
    *first_seq = get64(p + 8);
    return NULL;
}

int vg_spseg_header_future(const uint8_t *p, size_t len)
{
    return len >= VG_SPSEG_HDR && get32(p) == VG_SPSEG_MAGIC &&
           vg_crc32c(0, p, SEG_HCRC_AT) == get32(p + SEG_HCRC_AT) && get32(p + 4) > VG_SPSEG_VERSION;
}

/* The next offset >= from where a whole record verifies; len if none. */
static size_t next_intact(const uint8_t *buf, size_t len, size_t from)
{
    size_t q;
    while ((q = vg_sprec_find(buf, len, from)) < len) {
        vg_spool_rec rec;
        if (vg_sprec_check(buf + q, len - q, &rec) == VG_SPREC_OK)
            return q;
        from = q + 1;
    }
    return len;
}

static void damage(vg_spseg_scan *s, uint64_t start, uint64_t end, uint64_t seq, const char *reason)
{
    s->damaged++;
    if (s->damage_fn)
        s->damage_fn(s->ctx, start, end, seq, reason);
}

/* Handles damage at off (status st, rec's header fields set if it verified); returns where
 * the scan goes on. */
static size_t scan_damage(const uint8_t *buf, size_t len, size_t off, vg_sprec_status st,
                          const vg_spool_rec *rec, vg_spseg_scan *s)
{
    char why[VG_SPSEG_REASON_MAX];
    uint64_t seq = st >= VG_SPREC_TOO_LONG ? rec->seq : 0;
    if (st == VG_SPREC_BAD_CRC) {   /* the header verified: the length is right, skip just it */
        size_t end = off + VG_SPREC_HDR + rec->len;
        snprintf(why, sizeof why, "record checksum mismatch (seq %" PRIu64 ", %zu bytes)", rec->seq,
                 end - off);
        damage(s, off, end, seq, why);
        return end;
    }
    size_t next = next_intact(buf, len, off + 1);
    if (next < len)
        snprintf(why, sizeof why, "%s; %zu bytes skipped to the next intact record", vg_sprec_status_str(st),
                 next - off);
    else
        snprintf(why, sizeof why, "%s; %zu bytes skipped to the end of the segment", vg_sprec_status_str(st),
                 next - off);
    damage(s, off, next, seq, why);
    return next;
}

void vg_spseg_scan_buf(const uint8_t *buf, size_t len, vg_spseg_scan *s)
{
    uint64_t hseq = 0;
    s->header_error = vg_spseg_header_check(buf, len, &hseq);
    s->header_seq = s->header_error ? 0 : hseq;
    s->nrec = s->last_seq = s->damaged = 0;
    uint64_t min = s->min_seq ? s->min_seq : (s->header_error ? 1 : hseq);
    size_t off = len < VG_SPSEG_HDR ? len : VG_SPSEG_HDR;
    s->valid_end = off;
    while (off < len) {
        vg_spool_rec rec;
        vg_sprec_status st = vg_sprec_check(buf + off, len - off, &rec);
        if (st != VG_SPREC_OK) {
            off = scan_damage(buf, len, off, st, &rec, s);
            continue;
        }
        size_t end = off + VG_SPREC_HDR + rec.len;
        if (rec.seq < min) {
            char why[VG_SPSEG_REASON_MAX];
            snprintf(why, sizeof why, "record seq %" PRIu64 " out of order (expected %" PRIu64 " or more)",
                     rec.seq, min);
            damage(s, off, end, rec.seq, why);
            off = end;
            continue;
        }
        if (s->rec_fn)
            s->rec_fn(s->ctx, &rec);
        s->nrec++;
        s->last_seq = rec.seq;
        min = rec.seq + 1;
        off = end;
        s->valid_end = end;
    }
}

typedef struct scan_adapter {
    const char *name;
    void (*rec_fn)(void *ctx, const vg_spool_rec *rec);
    vg_spool_report_fn report;
    void *ctx;
} scan_adapter;

static void adapt_rec(void *ctx, const vg_spool_rec *rec)
{
    scan_adapter *a = ctx;
    if (a->rec_fn)
        a->rec_fn(a->ctx, rec);
}

static void adapt_damage(void *ctx, uint64_t start, uint64_t end, uint64_t seq, const char *reason)
{
    scan_adapter *a = ctx;
    (void)end;
    (void)seq;
    if (a->report)
        a->report(a->ctx, a->name, start, reason);
}

vg_rc vg_spool_scan_segment(const char *name, const uint8_t *buf, size_t len,
                            void (*rec_fn)(void *ctx, const vg_spool_rec *rec), vg_spool_report_fn report,
                            void *ctx, uint64_t *nrec)
{
    if (nrec)
        *nrec = 0;
    if (!buf && len)
        return VG_ERR_USAGE;
    if (vg_spseg_header_future(buf, len)) {
        if (report)
            report(ctx, name, 0, "segment format version newer than this build reads");
        return VG_ERR_UNSUPPORTED;
    }
    uint64_t first;
    const char *header_error = vg_spseg_header_check(buf, len, &first);
    if (header_error && report)
        report(ctx, name, 0, header_error);
    scan_adapter a = { name, rec_fn, report, ctx };
    vg_spseg_scan s = { .rec_fn = adapt_rec, .damage_fn = adapt_damage, .ctx = &a };
    vg_spseg_scan_buf(buf, len, &s);
    if (nrec)
        *nrec = s.nrec;
    return s.header_error || s.damaged ? VG_ERR_PARSE : VG_OK;
}

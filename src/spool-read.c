/*
 * spool-read: the spool's readers (see spool.h). A reader walks the segments in sequence
 * order with pread into a buffer of its own (read ahead SPOOL_READ_AHEAD, grown to the
 * largest record), never at or beyond the committed end of a segment that the spool
 * publishes under its mutex, so an append in progress is never seen. It moves into the
 * next segment when it has read a sealed one to its end, skips the damaged regions found at
 * open without reporting them again, and reports, counts and skips damage it finds itself.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool-internal.h"
#include "spool-segment.h"
#include "util-mem.h"

vg_rc vg_spool_reader_open(vg_spool *sp, uint64_t from_seq, vg_spool_reader **out, vg_error *err)
{
    *out = NULL;
    vg_spool_reader *r = vg_calloc(1, sizeof *r);
    if (r)
        r->buf = vg_malloc(SPOOL_READ_AHEAD);
    if (!r || !r->buf) {
        vg_free(r);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    r->sp = sp;
    r->cap = SPOOL_READ_AHEAD;
    r->fd = -1;
    r->from = from_seq ? from_seq : 1;
    pthread_mutex_lock(&sp->mu);
    size_t i = 0;
    while (i + 1 < sp->nsegs && sp->segs[i + 1].first_seq <= r->from)
        i++;
    r->seg_first = sp->segs[i].first_seq;
    r->next = sp->readers;
    sp->readers = r;
    pthread_mutex_unlock(&sp->mu);
    *out = r;
    return VG_OK;
}

void vg_spool_reader_close(vg_spool_reader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->sp->mu);
    for (vg_spool_reader **pp = &r->sp->readers; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    pthread_mutex_unlock(&r->sp->mu);
    if (r->fd >= 0)
        close(r->fd);
    vg_free(r->damage);
    vg_free(r->buf);
    vg_free(r);
}

/* The index of the segment whose first seq is first (with sp->mu held; it exists). */
static size_t seg_index(const vg_spool *sp, uint64_t first)
{
    size_t lo = 0, hi = sp->nsegs;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->segs[mid].first_seq <= first)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Enters the reader's segment if it has none open: its file, its known damage. */
static vg_rc reader_enter(vg_spool_reader *r, const sp_seg *seg, vg_error *err)
{
    sp_region *copy = NULL;
    if (seg->ndamage) {
        copy = vg_malloc(seg->ndamage * sizeof *copy);
        if (!copy)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        memcpy(copy, seg->damage, seg->ndamage * sizeof *copy);
    }
    vg_free(r->damage);
    r->damage = copy;
    r->ndamage = seg->ndamage;
    vg_spool_seg_path(r->path, sizeof r->path, r->sp->dir, r->seg_first);
    r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot open: %s", r->path, strerror(errno));
    r->off = VG_SPSEG_HDR;
    r->buf_len = 0;
    return VG_OK;
}

/* Where the reader stands: moves past a finished sealed segment, enters a segment, returns
 * the committed end of the segment it is in and whether a later segment exists. */
static vg_rc reader_where(vg_spool_reader *r, uint64_t *end, int *sealed, vg_error *err)
{
    vg_spool *sp = r->sp;
    pthread_mutex_lock(&sp->mu);
    size_t i = seg_index(sp, r->seg_first);
    if (r->fd >= 0 && r->off >= sp->segs[i].end && i + 1 < sp->nsegs) {
        i++;
        r->seg_first = sp->segs[i].first_seq;
        close(r->fd);
        r->fd = -1;
    }
    vg_rc rc = r->fd < 0 ? reader_enter(r, &sp->segs[i], err) : VG_OK;
    *end = sp->segs[i].end;
    *sealed = i + 1 < sp->nsegs;
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* Makes the buffer hold segment bytes [off, off + want) (want <= end - off), reading ahead. */
static vg_rc reader_fill(vg_spool_reader *r, uint64_t off, size_t want, uint64_t end, const uint8_t **p,
                         size_t *avail, vg_error *err)
{
    if (off < r->buf_off || off + want > r->buf_off + r->buf_len) {
        if (want > r->cap) {
            uint8_t *b = vg_realloc(r->buf, want);
            if (!b)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            r->buf = b;
            r->cap = want;
        }
        size_t n = end - off < r->cap ? (size_t)(end - off) : r->cap, got = 0;
        r->buf_len = 0;
        while (got < n) {
            ssize_t k = pread(r->fd, r->buf + got, n - got, (off_t)(off + got));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return vg_fail(err, VG_ERR_IO, (size_t)(off + got), "%s: read at %" PRIu64 " failed: %s", r->path,
                               off + got, k == 0 ? "the file ends before its committed end" : strerror(errno));
            got += (size_t)k;
        }
        r->buf_off = off;
        r->buf_len = n;
    }
    *p = r->buf + (off - r->buf_off);
    *avail = (size_t)(r->buf_off + r->buf_len - off);
    return VG_OK;
}

/* Whether a whole intact record starts at off (below end); its fields in *rec. */
static vg_rc reader_intact(vg_spool_reader *r, uint64_t off, uint64_t end, vg_spool_rec *rec, vg_sprec_status *st,
                           vg_error *err)
{
    const uint8_t *p;
    size_t avail;
    vg_rc rc = reader_fill(r, off, end - off < VG_SPREC_HDR ? (size_t)(end - off) : VG_SPREC_HDR, end, &p, &avail, err);
    if (rc)
        return rc;
    *st = vg_sprec_check_header(p, avail, rec);
    if (*st != VG_SPREC_OK)
        return VG_OK;
    if (rec->len > end - off - VG_SPREC_HDR) {
        *st = VG_SPREC_SHORT_PAYLOAD;
        return VG_OK;
    }
    rc = reader_fill(r, off, VG_SPREC_HDR + rec->len, end, &p, &avail, err);
    if (!rc)
        *st = vg_sprec_check(p, avail, rec);
    return rc;
}

/* After damage at r->off: the next offset where an intact record starts, or end. */
static vg_rc reader_resync(vg_spool_reader *r, uint64_t end, uint64_t *next, vg_error *err)
{
    uint64_t from = r->off + 1;
    while (from < end) {
        const uint8_t *p;
        size_t avail;
        vg_rc rc = reader_fill(r, from, end - from < VG_SPREC_HDR ? (size_t)(end - from) : VG_SPREC_HDR, end, &p,
                               &avail, err);
        if (rc)
            return rc;
        size_t q = vg_sprec_find(p, avail, 0);
        if (q == avail) {
            from += avail;
            continue;
        }
        vg_spool_rec rec;
        vg_sprec_status st;
        rc = reader_intact(r, from + q, end, &rec, &st, err);
        if (rc)
            return rc;
        if (st == VG_SPREC_OK) {
            *next = from + q;
            return VG_OK;
        }
        from += q + 1;
    }
    *next = end;
    return VG_OK;
}

static void reader_report(vg_spool_reader *r, uint64_t off, const char *why)
{
    pthread_mutex_lock(&r->sp->mu);
    r->sp->damaged++;
    pthread_mutex_unlock(&r->sp->mu);
    if (r->sp->report)
        r->sp->report(r->sp->report_ctx, r->path, off, why);
}

/* Damage at r->off (status st; h's header fields when it verified): report, skip. */
static vg_rc reader_damage(vg_spool_reader *r, uint64_t end, vg_sprec_status st, const vg_spool_rec *h,
                           vg_error *err)
{
    char why[VG_SPSEG_REASON_MAX];
    uint64_t next = end;
    if (st == VG_SPREC_OK) {            /* intact but out of order */
        next = r->off + VG_SPREC_HDR + h->len;
        snprintf(why, sizeof why, "record seq %" PRIu64 " out of order (after %" PRIu64 ")", h->seq, r->last_seq);
    } else if (st == VG_SPREC_BAD_CRC) {
        next = r->off + VG_SPREC_HDR + h->len;
        snprintf(why, sizeof why, "record checksum mismatch (seq %" PRIu64 ", %" PRIu64 " bytes)", h->seq,
                 next - r->off);
    } else {
        vg_rc rc = reader_resync(r, end, &next, err);
        if (rc)
            return rc;
        snprintf(why, sizeof why, "%s; %" PRIu64 " bytes skipped to %s", vg_sprec_status_str(st), next - r->off,
                 next < end ? "the next intact record" : "the end of what is written");
    }
    reader_report(r, r->off, why);
    r->off = next;
    return VG_OK;
}

/* The record at r->off: *got 1 with rec filled, or 0 when something was skipped. */
static vg_rc reader_next(vg_spool_reader *r, uint64_t end, vg_spool_rec *rec, int *got, vg_error *err)
{
    *got = 0;
    for (size_t i = 0; i < r->ndamage && r->damage[i].start <= r->off; i++)
        if (r->damage[i].start == r->off) {     /* reported at open */
            r->off = r->damage[i].end;
            return VG_OK;
        }
    const uint8_t *p;
    size_t avail;
    vg_rc rc = reader_fill(r, r->off, end - r->off < VG_SPREC_HDR ? (size_t)(end - r->off) : VG_SPREC_HDR, end, &p,
                           &avail, err);
    if (rc)
        return rc;
    vg_spool_rec h;
    vg_sprec_status st = vg_sprec_check_header(p, avail, &h);
    if (st == VG_SPREC_OK && h.len > end - r->off - VG_SPREC_HDR)
        st = VG_SPREC_SHORT_PAYLOAD;
    if (st == VG_SPREC_OK && h.seq <= r->last_seq)
        return reader_damage(r, end, st, &h, err);
    if (st == VG_SPREC_OK && h.seq < r->from) {     /* before the start: the header suffices */
        r->last_seq = h.seq;
        r->off += VG_SPREC_HDR + h.len;
        return VG_OK;
    }
    if (st == VG_SPREC_OK)
        rc = reader_intact(r, r->off, end, &h, &st, err);
    if (rc || st != VG_SPREC_OK)
        return rc ? rc : reader_damage(r, end, st, &h, err);
    *rec = h;
    r->last_seq = h.seq;
    r->off += VG_SPREC_HDR + h.len;
    *got = 1;
    return VG_OK;
}

vg_rc vg_spool_read(vg_spool_reader *r, vg_spool_rec *rec, vg_error *err)
{
    for (;;) {
        uint64_t end;
        int sealed, got;
        vg_rc rc = reader_where(r, &end, &sealed, err);
        if (rc)
            return rc;
        if (r->off >= end) {
            if (sealed)
                continue;
            return VG_END;
        }
        rc = reader_next(r, end, rec, &got, err);
        if (rc || got)
            return rc;
    }
}

/*
 * ingest-frame: record framing of stream transports (LF and RFC 6587 octet counting), fed
 * incrementally. The vg_framer holds what one stream needs between pieces: the framing
 * decided, the partial record (buf, have), the octet count being read or the bytes a record
 * still needs, and the stream offset for reports. A record found whole in a piece is handed
 * over in place; see ingest-frame.h for the rules on bad input.
 */
#include "ingest-frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    ST_COUNT = 0,   /* octet counting: reading the count (or between records) */
    ST_DATA,        /* octet counting: reading want more bytes of the record */
    ST_SKIP,        /* octet counting: discarding skip bytes of an oversized record */
    ST_RESYNC,      /* discarding up to the next LF (malformed count, oversized line) */
};

vg_rc vg_framer_init(vg_framer *f, vg_frame_mode mode, size_t max_record)
{
    memset(f, 0, sizeof(*f));
    if (max_record == 0 || max_record > VG_FRAME_MAX_RECORD || mode > VG_FRAME_OCTET)
        return VG_ERR_USAGE;
    f->buf = malloc(max_record + 1); /* + a CR that is removed */
    if (!f->buf)
        return VG_ERR_NOMEM;
    f->mode = f->initial = mode;
    f->max_record = max_record;
    return VG_OK;
}

void vg_framer_free(vg_framer *f)
{
    free(f->buf);
    f->buf = NULL;
}

static void report(const vg_frame_sink *sink, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(const vg_frame_sink *sink, uint64_t offset, const char *fmt, ...)
{
    if (!sink->bad)
        return;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sink->bad(sink->ctx, offset, msg);
}

/* Whether a line of the gathered bytes plus part more is over the limit; ended: its LF came. */
static int line_over(const vg_framer *f, const char *part, size_t n, int ended)
{
    size_t total = f->have + n;
    if (!ended)
        return total > f->max_record + 1; /* one more byte may be the CR before the LF */
    char last = n ? part[n - 1] : f->have ? f->buf[f->have - 1] : 0;
    return total - (last == '\r') > f->max_record;
}

/* Hands a record over, without the CR that ends an LF-framed line. */
static vg_rc emit(vg_framer *f, const vg_frame_sink *sink, const char *p, size_t len, int strip_cr)
{
    if (strip_cr && len && p[len - 1] == '\r')
        len--;
    if (strip_cr && len == 0)
        return VG_OK; /* an empty line is no record */
    f->stats.records++;
    return sink->record(sink->ctx, p, len);
}

/* LF framing of one piece. */
static vg_rc feed_lf(vg_framer *f, const char *p, size_t n, const vg_frame_sink *sink)
{
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t part = (size_t)((nl ? nl : end) - p);
        if (f->state == ST_RESYNC) {
            f->offset += part + (nl != NULL);
            p += part + (nl != NULL);
            if (nl)
                f->state = ST_COUNT;
            continue;
        }
        if (f->have == 0)
            f->start = f->offset;
        if (line_over(f, p, part, nl != NULL)) {
            f->stats.oversized++;
            report(sink, f->start, "line longer than %llu bytes, skipped", (unsigned long long)f->max_record);
            f->have = 0;
            f->state = ST_RESYNC;
            continue;
        }
        vg_rc rc = VG_OK;
        if (nl && f->have == 0) {
            rc = emit(f, sink, p, part, 1);
        } else {
            memcpy(f->buf + f->have, p, part);
            f->have += part;
            if (nl) {
                rc = emit(f, sink, f->buf, f->have, 1);
                f->have = 0;
            }
        }
        f->offset += part + (nl != NULL);
        p += part + (nl != NULL);
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* Octet counting: one byte of the count. Returns 1 when the count is complete. */
static int count_byte(vg_framer *f, char c, const vg_frame_sink *sink)
{
    if (f->digits == 0 && (c == '\n' || c == '\r'))
        return 0; /* line ends between records: tolerated, some senders add them */
    if (f->digits == 0)
        f->start = f->offset;
    if (c >= '0' && c <= '9' && !(f->digits == 0 && c == '0') && f->digits < VG_FRAME_MAX_DIGITS) {
        f->count = f->count * 10 + (uint32_t)(c - '0');
        f->digits++;
        return 0;
    }
    if (c == ' ' && f->digits > 0)
        return 1;
    f->stats.malformed++;
    report(sink, f->start, "malformed octet count (byte 0x%02llx), skipped to the next line",
           (unsigned long long)(unsigned char)c);
    f->count = 0;
    f->digits = 0;
    f->state = c == '\n' ? ST_COUNT : ST_RESYNC;
    return 0;
}

/* Octet counting of one piece. */
static vg_rc feed_octet(vg_framer *f, const char *p, size_t n, const vg_frame_sink *sink)
{
    const char *end = p + n;
    while (p < end) {
        size_t avail = (size_t)(end - p), take;
        vg_rc rc = VG_OK;
        switch (f->state) {
        case ST_COUNT:
            take = 1;
            if (count_byte(f, *p, sink)) {
                if (f->count > f->max_record) {
                    f->stats.oversized++;
                    report(sink, f->start, "record of %llu bytes is over the limit, skipped",
                           (unsigned long long)f->count);
                    f->skip = f->count;
                    f->state = ST_SKIP;
                } else {
                    f->want = f->count;
                    f->have = 0;
                    f->state = ST_DATA;
                }
                f->count = 0;
                f->digits = 0;
            }
            break;
        case ST_DATA:
            take = avail < f->want ? avail : f->want;
            if (f->have == 0 && take == f->want) {
                rc = emit(f, sink, p, take, 0);
            } else {
                memcpy(f->buf + f->have, p, take);
                f->have += take;
                if (take == f->want)
                    rc = emit(f, sink, f->buf, f->have, 0);
            }
            f->want -= take;
            if (f->want == 0) {
                f->have = 0;
                f->state = ST_COUNT;
            }
            break;
        case ST_SKIP:
            take = avail < f->skip ? avail : (size_t)f->skip;
            f->skip -= take;
            if (f->skip == 0)
                f->state = ST_COUNT;
            break;
        default: { /* ST_RESYNC */
            const char *nl = memchr(p, '\n', avail);
            take = nl ? (size_t)(nl - p) + 1 : avail;
            if (nl)
                f->state = ST_COUNT;
            break;
        }
        }
        p += take;
        f->offset += take;
        if (rc)
            return rc;
    }
    return VG_OK;
}

static vg_rc feed_decided(vg_framer *f, const char *p, size_t n, const vg_frame_sink *sink)
{
    return f->mode == VG_FRAME_OCTET ? feed_octet(f, p, n, sink) : feed_lf(f, p, n, sink);
}

/* Automatic framing: decides from the first bytes, which pre holds. -1: not yet decidable. */
static int decide(const vg_framer *f)
{
    unsigned i = 0;
    if (f->npre == 0)
        return -1;
    if (f->pre[0] < '1' || f->pre[0] > '9')
        return VG_FRAME_LF;
    while (i < f->npre && f->pre[i] >= '0' && f->pre[i] <= '9')
        i++;
    if (i > VG_FRAME_MAX_DIGITS)
        return VG_FRAME_LF;
    if (i == f->npre)
        return -1;
    if (f->pre[i] != ' ')
        return VG_FRAME_LF;
    if (i + 1 == f->npre)
        return -1;
    return f->pre[i + 1] == '<' ? VG_FRAME_OCTET : VG_FRAME_LF;
}

/* Feeds the gathered first bytes to the framing now decided. */
static vg_rc replay_pre(vg_framer *f, int mode, const vg_frame_sink *sink)
{
    char pre[sizeof(f->pre)];
    unsigned n = f->npre;
    memcpy(pre, f->pre, n);
    f->npre = 0;
    f->mode = (vg_frame_mode)mode;
    f->offset -= n;
    return feed_decided(f, pre, n, sink);
}

vg_rc vg_framer_feed(vg_framer *f, const char *data, size_t len, const vg_frame_sink *sink)
{
    f->stats.bytes += len;
    while (f->mode == VG_FRAME_AUTO && len) {
        f->pre[f->npre++] = *data++;
        f->offset++;
        len--;
        int mode = decide(f);
        if (mode >= 0) {
            vg_rc rc = replay_pre(f, mode, sink);
            if (rc)
                return rc;
        }
    }
    return len ? feed_decided(f, data, len, sink) : VG_OK;
}

vg_rc vg_framer_finish(vg_framer *f, const vg_frame_sink *sink)
{
    vg_rc rc = VG_OK;
    if (f->mode == VG_FRAME_AUTO && f->npre)
        rc = replay_pre(f, VG_FRAME_LF, sink);
    if (!rc && f->mode == VG_FRAME_LF && f->state != ST_RESYNC && f->have) {
        if (line_over(f, NULL, 0, 1)) {
            f->stats.oversized++;
            report(sink, f->start, "line longer than %llu bytes, skipped", (unsigned long long)f->max_record);
        } else {
            rc = emit(f, sink, f->buf, f->have, 1);
        }
    }
    if (!rc && f->mode == VG_FRAME_OCTET && (f->state == ST_DATA || (f->state == ST_COUNT && f->digits))) {
        f->stats.truncated++;
        report(sink, f->start, "stream ended inside an octet-counted record (%llu bytes missing)",
               (unsigned long long)(f->state == ST_DATA ? f->want : 0));
    }
    f->mode = f->initial;
    f->state = ST_COUNT;
    f->have = f->want = 0;
    f->skip = 0;
    f->count = f->digits = f->npre = 0;
    f->offset = f->start = 0;
    return rc;
}

const char *vg_frame_mode_name(vg_frame_mode m)
{
    return m == VG_FRAME_LF ? "lf" : m == VG_FRAME_OCTET ? "octet" : "auto";
}

int vg_frame_mode_parse(const char *name)
{
    if (strcmp(name, "auto") == 0)
        return VG_FRAME_AUTO;
    if (strcmp(name, "lf") == 0)
        return VG_FRAME_LF;
    if (strcmp(name, "octet") == 0 || strcmp(name, "octet-counting") == 0)
        return VG_FRAME_OCTET;
    return -1;
}

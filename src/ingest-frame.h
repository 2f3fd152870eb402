/*
 * ingest-frame: splits the byte stream of a stream transport (syslog over TCP or TLS, an HTTP
 * body of NDJSON) into records, fed incrementally as the bytes arrive in pieces of any size.
 *
 * Framings (RFC 6587): non-transparent framing, records ended by LF (a CR before it is
 * removed; empty lines are no records); octet counting, each record
 * preceded by its length in decimal and one space ("MSG-LEN SP SYSLOG-MSG"). The automatic
 * framing decides once per stream, on its first record: octet counting if the stream starts
 * with a count of 1 to 9 digits, a space and a syslog PRI ('<'); LF otherwise.
 *
 * A record that arrives whole inside one piece is handed over in place (no copy); only a
 * record split across pieces is gathered in the framer's buffer, whose size is the record
 * limit. Bad input is reported through the sink with the stream offset and a reason, counted,
 * and skipped: a line over the limit is discarded up to its LF; an octet-counted record over
 * the limit is skipped by its count; a malformed count discards up to the next LF and the
 * stream goes on in the framing detected. Nothing is dropped without a report.
 */
#ifndef VIGIL_INGEST_FRAME_H
#define VIGIL_INGEST_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

#define VG_FRAME_MAX_RECORD (16u << 20)  /* limit: the largest record limit a framer may have */
#define VG_FRAME_MAX_DIGITS 9            /* limit: digits of an octet count */

typedef enum vg_frame_mode {
    VG_FRAME_AUTO = 0,  /* decided on the first record of the stream */
    VG_FRAME_LF,        /* records end with LF */
    VG_FRAME_OCTET      /* RFC 6587 octet counting */
} vg_frame_mode;

/* Where the framer hands records and reports. */
typedef struct vg_frame_sink {
    /* Called for each record (without its framing; may be empty only in octet counting).
     * A non-OK return stops vg_framer_feed, which returns it. */
    vg_rc (*record)(void *ctx, const char *data, size_t len);
    /* Called for each piece of bad input skipped: its offset in the stream and the reason. */
    void (*bad)(void *ctx, uint64_t offset, const char *reason);
    void *ctx;
} vg_frame_sink;

/* Counters of one stream. */
typedef struct vg_frame_stats {
    uint64_t records;       /* records handed over */
    uint64_t bytes;         /* bytes fed */
    uint64_t oversized;     /* records over the limit, skipped */
    uint64_t malformed;     /* malformed octet counts, skipped to the next LF */
    uint64_t truncated;     /* streams that ended in the middle of an octet-counted record */
} vg_frame_stats;

typedef struct vg_framer {
    vg_frame_mode mode;     /* VG_FRAME_AUTO until decided */
    vg_frame_mode initial;  /* the mode asked for (restored by vg_framer_finish) */
    size_t max_record;
    char *buf;              /* the record being gathered (max_record bytes) */
    size_t have;            /* bytes gathered in buf */
    size_t want;            /* octet counting: bytes the record still needs */
    uint64_t skip;          /* bytes still to discard (oversized octet record) */
    char pre[VG_FRAME_MAX_DIGITS + 2];  /* automatic framing: the first bytes, until decided */
    unsigned npre;
    int state;              /* internal: what the next byte means */
    uint32_t count;         /* octet count being read */
    unsigned digits;        /* digits read of it */
    uint64_t offset;        /* stream offset of the next byte */
    uint64_t start;         /* stream offset where the current record began */
    vg_frame_stats stats;
} vg_framer;

/* Initializes a framer for records of at most max_record bytes (1..VG_FRAME_MAX_RECORD). */
vg_rc vg_framer_init(vg_framer *f, vg_frame_mode mode, size_t max_record);

/* Frees the framer's buffer. */
void vg_framer_free(vg_framer *f);

/* Feeds the next len bytes of the stream; records and reports go to sink. */
vg_rc vg_framer_feed(vg_framer *f, const char *data, size_t len, const vg_frame_sink *sink);

/* Ends the stream: a last LF-framed line without its LF is handed over; an octet-counted
 * record cut short is reported and counted as truncated. The framer can then be reused. */
vg_rc vg_framer_finish(vg_framer *f, const vg_frame_sink *sink);

/* The name of a framing ("auto", "lf", "octet"), and the framing of a name (-1 if unknown). */
const char *vg_frame_mode_name(vg_frame_mode m);
int vg_frame_mode_parse(const char *name);

#endif

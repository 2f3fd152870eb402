/*
 * spool-segment: the on-disk format of the spool (docs/spool.md), internal to spool.c and the
 * fuzz target. A segment file is a 32-byte segment header followed by records; a record is a
 * 40-byte header followed by its payload. Every integer is little-endian:
 *
 *   segment header   0 magic "VSPS"  4 version (1)  8 first seq  16 created (us)  24 flags (0)
 *                    28 CRC-32C of bytes 0..27
 *   record header    0 magic "VSPR"  4 payload length  8 seq  16 received_us  24 unit
 *                    28 source  32 CRC-32C of bytes 0..31 then the payload
 *                    36 CRC-32C of bytes 0..35 (the header check: lets a scanner trust the
 *                    length, and reject a false magic, without reading the payload)
 *
 * The scanner walks a segment held in memory, calls back for each intact record and for each
 * damaged region [start, end) with a reason, and resynchronizes after damage at the next
 * offset where a whole record verifies.
 */
#ifndef VIGIL_SPOOL_SEGMENT_H
#define VIGIL_SPOOL_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

#define VG_SPSEG_MAGIC 0x53505356u      /* "VSPS" in file order */
#define VG_SPREC_MAGIC 0x52505356u      /* "VSPR" in file order */
#define VG_SPSEG_VERSION 1u
#define VG_SPSEG_HDR 32u                /* segment header bytes */
#define VG_SPREC_HDR 40u                /* record header bytes */
#define VG_SPSEG_REASON_MAX 160         /* limit: a damage reason's text */

/* What the check of the bytes at one offset found. */
typedef enum vg_sprec_status {
    VG_SPREC_OK = 0,
    VG_SPREC_SHORT_HEADER,      /* fewer than VG_SPREC_HDR bytes left */
    VG_SPREC_BAD_MAGIC,         /* no record magic here */
    VG_SPREC_BAD_HEADER,        /* header checksum mismatch */
    VG_SPREC_TOO_LONG,          /* length over VG_SPOOL_MAX_RECORD (the header verified) */
    VG_SPREC_SHORT_PAYLOAD,     /* the payload runs past the end (the header verified) */
    VG_SPREC_BAD_CRC            /* record checksum mismatch (the header verified) */
} vg_sprec_status;

/* A scan of one segment held in memory: set the inputs, call vg_spseg_scan. */
typedef struct vg_spseg_scan {
    uint64_t min_seq;           /* in: records below this are out of order (0: the header's first seq) */
    void (*rec_fn)(void *ctx, const vg_spool_rec *rec);                              /* may be NULL */
    /* may be NULL; seq: the damaged record's seq when its header verified, else 0 */
    void (*damage_fn)(void *ctx, uint64_t start, uint64_t end, uint64_t seq, const char *reason);
    void *ctx;
    const char *header_error;   /* out: NULL if the segment header is valid, else why not */
    uint64_t header_seq;        /* out: the header's first seq (when valid) */
    uint64_t nrec;              /* out: intact records */
    uint64_t last_seq;          /* out: the last intact record's seq (0: none) */
    uint64_t valid_end;         /* out: end offset of the last intact record (or of the header) */
    uint64_t damaged;           /* out: damaged regions */
} vg_spseg_scan;

/* Checks the bytes p[0..avail) as a record: on VG_SPREC_OK, rec describes it (data points into
 * p); from VG_SPREC_TOO_LONG on, the header fields of rec are set (data is NULL). */
vg_sprec_status vg_sprec_check(const uint8_t *p, size_t avail, vg_spool_rec *rec);

/* Only the header: VG_SPREC_OK when it verifies and the length is within the limit. */
vg_sprec_status vg_sprec_check_header(const uint8_t *p, size_t avail, vg_spool_rec *rec);

/* A short reason for a status, e.g. "record checksum mismatch". */
const char *vg_sprec_status_str(vg_sprec_status st);

/* The first offset >= from where a record may start: the magic and a verified header, or the
 * beginning of a magic whose header runs past len (more bytes needed); len if none. */
size_t vg_sprec_find(const uint8_t *p, size_t len, size_t from);

/* Writes rec's header (seq included) with both checksums over rec->data[0..rec->len). */
void vg_sprec_encode(uint8_t out[VG_SPREC_HDR], const vg_spool_rec *rec);

/* Writes a segment header. */
void vg_spseg_header_encode(uint8_t out[VG_SPSEG_HDR], uint64_t first_seq, int64_t created_us);

/* NULL if p[0..len) starts with a valid segment header (first seq in *first_seq), else why. */
const char *vg_spseg_header_check(const uint8_t *p, size_t len, uint64_t *first_seq);

/* 1 if the header at p is valid but of a format version this build does not know. */
int vg_spseg_header_future(const uint8_t *p, size_t len);

/* Walks a whole segment buf[0..len) (see vg_spseg_scan). */
void vg_spseg_scan_buf(const uint8_t *buf, size_t len, vg_spseg_scan *s);

#endif

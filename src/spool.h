/*
 * spool: the daemon's on-disk write-ahead log of received events. Every event a listener
 * accepts is appended here before it is acknowledged or processed; detection workers read it
 * back in sequence order; after a crash the records not yet processed are read again.
 *
 * A spool is a directory of append-only segment files, `seg-<first seq, 16 hex digits>.vsp`.
 * Each segment starts with a header (magic, format version, first sequence number) and holds
 * records, each with its own header: magic, payload length, sequence number, receive time,
 * unit and source ids, and a CRC-32C over header and payload. Sequence numbers are assigned
 * by the spool, start at 1 and grow by one per record across segments.
 *
 * On open, every segment is checked: a torn tail of the newest segment (a crash in the middle
 * of a write) is cut off; a damaged record anywhere else is reported (segment, offset,
 * reason) and skipped by searching for the next valid record header, so the intact records
 * around it are kept. Nothing is dropped silently: damage is reported through the callback
 * and counted.
 *
 * Thread safety: vg_spool_append and vg_spool_sync may be called from any thread at once
 * (appends are serialized; syncs are group commits: one fdatasync covers every record
 * appended before it). A reader belongs to one thread.
 */
#ifndef VIGIL_SPOOL_H
#define VIGIL_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "util-error.h"

#define VG_SPOOL_MAX_RECORD (16u << 20)     /* limit: largest payload the spool accepts */

typedef enum vg_spool_sync_mode {
    VG_SPOOL_SYNC_ALWAYS = 0,   /* fdatasync before vg_spool_append returns (the default) */
    VG_SPOOL_SYNC_INTERVAL,     /* fdatasync at most every sync_interval_ms, by a background thread */
    VG_SPOOL_SYNC_NEVER         /* leave it to the kernel: survives kill -9, not power loss */
} vg_spool_sync_mode;

typedef struct vg_spool_opts {
    uint64_t segment_bytes;     /* a segment is closed and a new one begun beyond this (default 64 MiB) */
    vg_spool_sync_mode sync;
    uint32_t sync_interval_ms;  /* for VG_SPOOL_SYNC_INTERVAL (default 1000) */
    uint32_t max_record;        /* largest payload accepted (default and upper bound VG_SPOOL_MAX_RECORD) */
} vg_spool_opts;

/* One record: what an append writes and what a read returns. */
typedef struct vg_spool_rec {
    uint64_t seq;               /* assigned by vg_spool_append; set by vg_spool_read */
    int64_t received_us;        /* when the listener received it, microseconds since the epoch */
    uint32_t unit;              /* the unit the source maps to */
    uint32_t source;            /* the listener or input it came from */
    uint32_t len;               /* payload bytes */
    const char *data;           /* payload (one log record, without its framing) */
} vg_spool_rec;

/* Counters, for vigil status and /metrics. */
typedef struct vg_spool_stats {
    uint64_t next_seq;          /* the sequence number the next append gets */
    uint64_t durable_seq;       /* every record up to this one has been synced */
    uint64_t released_seq;      /* every record up to this one was released by its consumer */
    uint64_t bytes;             /* total size of the segment files */
    uint32_t segments;          /* segment files */
    uint64_t damaged_records;   /* records skipped because they were damaged (open and reads) */
    uint64_t torn_bytes;        /* bytes cut from the end of the newest segment on open */
    uint64_t syncs;             /* fdatasync calls made (added: shows how well group commit shares them) */
} vg_spool_stats;

typedef struct vg_spool vg_spool;
typedef struct vg_spool_reader vg_spool_reader;

/* Called for each damage found: the segment file's path, the byte offset, the reason. */
typedef void (*vg_spool_report_fn)(void *ctx, const char *segment, uint64_t offset, const char *reason);

/* Fills o with the defaults. */
void vg_spool_opts_default(vg_spool_opts *o);

/* Opens the spool in dir (created, mode 0700, if missing), checks every segment, reports
 * damage through report (may be NULL), and takes an exclusive lock on the directory (a
 * second open fails with VG_ERR_IO naming the directory). o may be NULL for the defaults; a
 * zero field takes its default. Recovery rules: docs/spool.md. */
vg_rc vg_spool_open(vg_spool **out, const char *dir, const vg_spool_opts *o, vg_spool_report_fn report,
                    void *report_ctx, vg_error *err);

/* Syncs, closes and frees the spool (NULL is allowed). Close its readers first. */
void vg_spool_close(vg_spool *sp);

/* Appends n records in one write, assigning consecutive sequence numbers (stored in each
 * recs[i].seq); durable on return with VG_SPOOL_SYNC_ALWAYS. VG_ERR_LIMIT if a payload is
 * larger than max_record (nothing is written). */
vg_rc vg_spool_append(vg_spool *sp, vg_spool_rec *recs, size_t n, vg_error *err);

/* Makes the next append get sequence number seq (if it is higher than the next one): a new
 * segment begins there. For a consumer whose own state is ahead of the spool (the store's
 * watermark after a power loss took records the spool had not synced), so that new records
 * are not numbered as ones already processed. */
vg_rc vg_spool_skip_to(vg_spool *sp, uint64_t seq, vg_error *err);

/* Makes every record up to seq durable (group commit; returns at once if it already is).
 * Syncs in every mode, VG_SPOOL_SYNC_NEVER included: an explicit call is a request. After a
 * failed fdatasync the spool refuses appends and syncs with VG_ERR_IO (reopen it). */
vg_rc vg_spool_sync(vg_spool *sp, uint64_t seq, vg_error *err);

/* Marks every record up to seq as processed: segments whose records all are may be deleted.
 * Rule: a segment is deleted when every seq before the next segment's first is released, it
 * is not the write segment, and no open reader is in it or before it (readers only move
 * forward; a reader left open at an old seq keeps everything from its segment on). */
vg_rc vg_spool_release(vg_spool *sp, uint64_t seq, vg_error *err);

/* Fills st with the current counters. */
void vg_spool_stats_get(vg_spool *sp, vg_spool_stats *st);

/* Opens a reader at the first record whose sequence number is at least from_seq. */
vg_rc vg_spool_reader_open(vg_spool *sp, uint64_t from_seq, vg_spool_reader **out, vg_error *err);

/* Reads the next record into rec (its data stays valid until the next call); VG_END when the
 * reader has caught up with every append so far (call again later for more). Damaged records
 * are reported (through the spool's callback, from the reader's thread), counted and
 * skipped; damage already reported at open is skipped silently. */
vg_rc vg_spool_read(vg_spool_reader *r, vg_spool_rec *rec, vg_error *err);

/* Frees a reader (NULL is allowed). */
void vg_spool_reader_close(vg_spool_reader *r);

/* Checks one segment file's bytes (the fuzz target's entry point and vigil spool check's):
 * calls rec_fn for each intact record and report for each damage; returns the count of
 * intact records in *nrec. Never reads outside buf. Returns VG_OK if the segment is intact,
 * VG_ERR_PARSE if anything was reported (an incomplete last record included: this function
 * does not know whether the segment is the newest), VG_ERR_UNSUPPORTED for a newer format. */
vg_rc vg_spool_scan_segment(const char *name, const uint8_t *buf, size_t len,
                            void (*rec_fn)(void *ctx, const vg_spool_rec *rec), vg_spool_report_fn report,
                            void *ctx, uint64_t *nrec);

#endif

/*
 * store: the embedded SQLite store of the daemon (WAL mode, versioned schema migrations):
 * units, sources, alerts with their full JSON (the event included), daily counters for the
 * reports, the offsets of followed files, and the spool watermark that makes processing
 * exactly-once.
 *
 * Exactly-once: the daemon's store writer commits the alerts of a contiguous range of spool
 * records and moves the watermark (the last spool sequence number whose alerts are stored) in
 * the same transaction. After a crash, the spool is read again from watermark + 1, so no
 * alert is stored twice and none is lost. Alerts are also unique on (event_seq, idx), so a
 * batch committed twice changes nothing.
 *
 * Every statement is prepared once and bound (no SQL text is built from data). A vg_store
 * belongs to one thread (the store writer, or a command); readers open their own.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util-buf.h"
#include "util-error.h"

#define VG_STORE_SCHEMA_VERSION 3   /* the newest migration this build knows */
#define VG_STORE_FILE "vigil.db"    /* the store's file name in the data directory */

typedef struct vg_store vg_store;

/* One alert to store. The text fields are NUL-terminated; NULL or "" when absent. */
typedef struct vg_store_alert {
    uint64_t event_seq;         /* the spool record the alert was found in */
    uint32_t idx;               /* the alert's number among that record's alerts, from 0 */
    uint32_t unit;              /* unit id (vg_store_unit) */
    int64_t event_time_ms;      /* the event's @timestamp, ms since the epoch (0: unknown) */
    int64_t created_ms;         /* when the alert was made */
    const char *kind;           /* "intel" or "sigma" */
    const char *rule_id;        /* Sigma rule id, or the intel feed that matched first */
    const char *rule_name;      /* Sigma title, or the threat/family */
    const char *level;          /* Sigma level ("high", ...) or NULL */
    const char *host;           /* host.name (or host.ip) of the event */
    const char *indicator;      /* the matched indicator (intel), or NULL */
    const char *json;           /* the whole alert, one JSON object (docs/alerts.md) */
    size_t json_len;
} vg_store_alert;

/* The position of a followed file (the byte after the last line processed). */
typedef struct vg_store_file_pos {
    const char *path;
    uint64_t dev, ino, offset;
} vg_store_file_pos;

/* A commit of the store writer: the alerts of spool records first_seq..last_seq, and the
 * counts of events received/decoded/rejected for the daily counters. */
typedef struct vg_store_batch {
    uint64_t first_seq, last_seq;   /* contiguous range now processed (last_seq >= first_seq) */
    const vg_store_alert *alerts;
    size_t nalerts;
    uint64_t events, rejected;      /* counted on the day of day_ms, unit 0 (all units) */
    int64_t day_ms;
    const vg_store_file_pos *files; /* positions of followed files after these records, saved in */
    size_t nfiles;                  /* the same transaction (a restart resumes there) */
} vg_store_batch;

/* What vigil alerts asks for; zero/NULL fields do not filter. */
typedef struct vg_store_query {
    int64_t since_ms, until_ms;     /* event time in [since, until) */
    const char *unit;               /* unit name */
    const char *rule;               /* rule id or name (exact) */
    const char *host;
    const char *indicator;
    const char *kind;
    uint32_t limit;                 /* 0: 1000 */
} vg_store_query;

/* One stored alert as a query returns it (pointers valid during the callback only). */
typedef struct vg_store_row {
    int64_t id;
    uint64_t event_seq;
    uint32_t idx;
    const char *unit;
    int64_t event_time_ms, created_ms;
    const char *kind, *rule_id, *rule_name, *level, *host, *indicator;
    const char *json;
    size_t json_len;
} vg_store_row;

/* Opens (creating if needed, mode 0600) the store at path, sets WAL mode and runs the
 * migrations up to VG_STORE_SCHEMA_VERSION; VG_ERR_UNSUPPORTED if the file is newer. */
vg_rc vg_store_open(vg_store **out, const char *path, vg_error *err);

/* Opens an existing store read-only (for vigil alerts and vigil status). */
vg_rc vg_store_open_readonly(vg_store **out, const char *path, vg_error *err);

/* The default store path: VG_STORE_FILE in the data directory of util-datadir.h
 * ($VIGIL_DATA_DIR, /var/lib/vigil for root, $XDG_DATA_HOME/vigil, ~/.local/share/vigil).
 * (Added with the implementation; compatible.) */
vg_rc vg_store_default_path(char *buf, size_t cap, vg_error *err);

/* Closes the store (NULL is allowed). */
void vg_store_close(vg_store *st);

/* The schema version of the open file. */
int vg_store_schema_version(vg_store *st);

/* Finds or creates the unit named name; its id in *id. */
vg_rc vg_store_unit(vg_store *st, const char *name, uint32_t *id, vg_error *err);

/* The spool watermark: every record up to *seq has its alerts stored (0: none yet). */
vg_rc vg_store_watermark(vg_store *st, uint64_t *seq, vg_error *err);

/* Commits a batch in one transaction: its alerts (ignoring ones already stored), the
 * counters, and the watermark moved to last_seq. A batch whose last_seq is at or below the
 * watermark was committed before: nothing changes, and the counters are not added again.
 * Gaps (first_seq > watermark + 1: spool records lost to damage) are allowed. */
vg_rc vg_store_commit(vg_store *st, const vg_store_batch *b, vg_error *err);

/* The saved offset of a followed file (identified by path, device and inode); 0 if none. */
vg_rc vg_store_file_offset(vg_store *st, const char *path, uint64_t dev, uint64_t ino, uint64_t *offset,
                           vg_error *err);

/* The saved position of the followed file at path, whatever its inode; VG_ERR_NOTFOUND if none. */
vg_rc vg_store_file_position(vg_store *st, const char *path, vg_store_file_pos *pos, vg_error *err);

/* Saves the offset of a followed file. */
vg_rc vg_store_set_file_offset(vg_store *st, const char *path, uint64_t dev, uint64_t ino, uint64_t offset,
                               vg_error *err);

/* Calls row_fn for each alert matching q, newest first; stops early if it returns non-zero. */
vg_rc vg_store_query_alerts(vg_store *st, const vg_store_query *q, int (*row_fn)(void *ctx, const vg_store_row *r),
                            void *ctx, vg_error *err);

/* Deletes alerts stored (created_ms) before older_than_ms (0: no age limit; the event's own
 * time does not count: logs replayed from last year are kept as long as new ones), then the
 * oldest stored ones while the pages in use take more than max_bytes (0: no size limit;
 * docs/store.md says exactly what counts); the count deleted in *deleted. */
vg_rc vg_store_retention(vg_store *st, int64_t older_than_ms, uint64_t max_bytes, uint64_t *deleted,
                         vg_error *err);

/* Total alerts stored, and per kind (for vigil status and the tests). */
vg_rc vg_store_count_alerts(vg_store *st, const char *kind, uint64_t *count, vg_error *err);

#endif

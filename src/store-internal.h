/*
 * store-internal: what store.c (open, migrations, writes) and store-query.c (queries,
 * retention, counts) share: the store handle with its prepared statements, and the helpers
 * that turn SQLite results into vg_rc. Not for use outside the store-* modules.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* The statements prepared at open (every one; text in store.c). */
enum {
    VG_ST_BEGIN, VG_ST_COMMIT, VG_ST_ROLLBACK,
    VG_ST_WM_GET, VG_ST_WM_SET,
    VG_ST_ALERT_INSERT, VG_ST_COUNTER_ADD,
    VG_ST_UNIT_GET, VG_ST_UNIT_INSERT,
    VG_ST_OFFSET_GET, VG_ST_OFFSET_SET, VG_ST_OFFSET_POS,
    VG_ST_COUNT_ALL, VG_ST_COUNT_KIND,
    VG_ST_DELETE_AGED, VG_ST_DELETE_OLDEST,
    VG_ST_INCREMENTAL_VACUUM, VG_ST_PAGE_COUNT, VG_ST_FREELIST_COUNT, VG_ST_PAGE_SIZE,
    VG_ST_ID_RANGE, VG_ST_ALERT_BY_ID,
    VG_ST_COUNT
};

/* Query shapes: one statement per set of filters present (time is always bound), so that
 * SQLite plans each with the index that serves it. Prepared on first use, then reused. */
#define VG_STORE_Q_UNIT 0x01u
#define VG_STORE_Q_RULE 0x02u
#define VG_STORE_Q_HOST 0x04u
#define VG_STORE_Q_INDICATOR 0x08u
#define VG_STORE_Q_KIND 0x10u
#define VG_STORE_Q_SHAPES 32
#define VG_STORE_Q_BANDED (VG_STORE_Q_HOST | VG_STORE_Q_INDICATOR) /* shapes read band by band */

/* Alerts by band: ids id >> VG_STORE_BAND_SHIFT alike (65,536 consecutive alerts) share a band.
 * The host and indicator indexes lead with it (schema 3); fixed by the files that have them. */
#define VG_STORE_BAND_SHIFT 16
#define VG_STORE_TEXT_(x) #x
#define VG_STORE_TEXT(x) VG_STORE_TEXT_(x)
#define VG_STORE_BAND_SHIFT_TEXT VG_STORE_TEXT(VG_STORE_BAND_SHIFT) /* the same, for SQL text */

/* The columns of a row as vg_store_row has them (store-query.c reads them by position). */
#define VG_STORE_ROW_SELECT                                                                             \
    "SELECT a.id, a.event_seq, a.idx, u.name, a.event_time_ms, a.created_ms, a.kind, a.rule_id,"       \
    " a.rule_name, a.level, a.host, a.indicator, a.json FROM alerts a LEFT JOIN units u ON u.id = a.unit"

struct vg_store {
    sqlite3 *db;
    char *path;
    int readonly;
    int version;                                /* user_version of the file */
    sqlite3_stmt *st[VG_ST_COUNT];
    sqlite3_stmt *query[VG_STORE_Q_SHAPES];
};

/* Fills err with what failed, the file and SQLite's message; returns the matching vg_rc. */
vg_rc vg_store_db_fail(vg_store *st, const char *what, vg_error *err);

/* Steps statement s to its end (rows are ignored) and resets it. */
vg_rc vg_store_run(vg_store *st, sqlite3_stmt *s, const char *what, vg_error *err);

/* Steps s for one integer row (0 when there is no row) and resets it. */
vg_rc vg_store_int(vg_store *st, sqlite3_stmt *s, const char *what, int64_t *v, vg_error *err);

/* Frees the query statements (store-query.c). */
void vg_store_query_free(vg_store *st);

#endif

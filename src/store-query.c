/*
 * store-query: reading and trimming the store (see store.h, docs/store.md): vigil alerts'
 * queries, retention by age and by size, alert counts.
 *
 * A query's filters decide its shape (a bit set, VG_STORE_Q_*): each shape has its own
 * statement, whose SQL holds only the conditions of the filters present, so SQLite plans it
 * with the index that serves it (host + time, rule + time, ...). The text of a shape is built
 * from constant fragments, never from data; it is prepared on first use and kept in
 * vg_store.query[] for the life of the handle.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"
#include "util-mem.h"

#define DEFAULT_LIMIT 1000
#define QUERY_SQL_MAX 1024
#define AGE_CHUNK 10000             /* alerts deleted per transaction by age */
#define SIZE_CHUNK_MIN 100          /* alerts deleted per transaction by size: bounds */
#define SIZE_CHUNK_MAX 20000

static const char query_head[] = VG_STORE_ROW_SELECT " WHERE a.event_time_ms >= ?1 AND a.event_time_ms < ?2";

/* A banded shape (a host or an indicator filter) asks one band (?9) at a time for the time and
 * id of its newest matches, through a band index of schema 3 (named: a unit filter would
 * otherwise lead SQLite to its own index, which holds no band). */
#define BAND_HEAD(index)                                                                               \
    "SELECT a.event_time_ms, a.id FROM alerts a INDEXED BY " index " WHERE (a.id >> "                   \
    VG_STORE_BAND_SHIFT_TEXT ") = ?9 AND a.event_time_ms >= ?1 AND a.event_time_ms < ?2"
static const char band_head_indicator[] = BAND_HEAD("alerts_indicator_band");
static const char band_head_host[] = BAND_HEAD("alerts_host_band");

/* The condition of each filter bit, in bit order; parameters ?3..?7. */
static const char *const query_conds[] = {
    " AND a.unit = (SELECT id FROM units WHERE name = ?3)",
    " AND (a.rule_id = ?4 OR a.rule_name = ?4)",
    " AND a.host = ?5",
    " AND a.indicator = ?6",
    " AND a.kind = ?7",
};

static const char query_tail[] = " ORDER BY a.event_time_ms DESC, a.id DESC LIMIT ?8";

void vg_store_query_free(vg_store *st)
{
    for (unsigned i = 0; i < VG_STORE_Q_SHAPES; i++) {
        sqlite3_finalize(st->query[i]);
        st->query[i] = NULL;
    }
}

static unsigned query_shape(const vg_store_query *q)
{
    unsigned m = 0;
    if (q->unit && q->unit[0])
        m |= VG_STORE_Q_UNIT;
    if (q->rule && q->rule[0])
        m |= VG_STORE_Q_RULE;
    if (q->host && q->host[0])
        m |= VG_STORE_Q_HOST;
    if (q->indicator && q->indicator[0])
        m |= VG_STORE_Q_INDICATOR;
    if (q->kind && q->kind[0])
        m |= VG_STORE_Q_KIND;
    return m;
}

/* The statement of shape m, prepared the first time it is asked for. */
static vg_rc query_stmt(vg_store *st, unsigned m, sqlite3_stmt **out, vg_error *err)
{
    if (!st->query[m]) {
        char sql[QUERY_SQL_MAX];
        const char *head = m & VG_STORE_Q_INDICATOR ? band_head_indicator
                           : m & VG_STORE_Q_HOST    ? band_head_host
                                                    : query_head;
        size_t n = (size_t)snprintf(sql, sizeof sql, "%s", head);
        for (unsigned i = 0; i < sizeof query_conds / sizeof query_conds[0]; i++)
            if (m & (1u << i))
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", query_conds[i]);
        snprintf(sql + n, sizeof sql - n, "%s", query_tail);
        if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->query[m], NULL) != SQLITE_OK)
            return vg_store_db_fail(st, "preparing a query", err);
    }
    *out = st->query[m];
    return VG_OK;
}

static void bind_query(sqlite3_stmt *s, unsigned m, const vg_store_query *q)
{
    sqlite3_bind_int64(s, 1, q->since_ms ? q->since_ms : INT64_MIN);
    sqlite3_bind_int64(s, 2, q->until_ms ? q->until_ms : INT64_MAX);
    const char *text[] = { q->unit, q->rule, q->host, q->indicator, q->kind };
    for (unsigned i = 0; i < 5; i++)
        if (m & (1u << i))
            sqlite3_bind_text(s, 3 + (int)i, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, q->limit ? q->limit : DEFAULT_LIMIT);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void read_row(sqlite3_stmt *s, vg_store_row *r)
{
    r->id = sqlite3_column_int64(s, 0);
    r->event_seq = (uint64_t)sqlite3_column_int64(s, 1);
    r->idx = (uint32_t)sqlite3_column_int64(s, 2);
    r->unit = col_text(s, 3);
    r->event_time_ms = sqlite3_column_int64(s, 4);
    r->created_ms = sqlite3_column_int64(s, 5);
    r->kind = col_text(s, 6);
    r->rule_id = col_text(s, 7);
    r->rule_name = col_text(s, 8);
    r->level = col_text(s, 9);
    r->host = col_text(s, 10);
    r->indicator = col_text(s, 11);
    r->json = col_text(s, 12);
    r->json_len = (size_t)sqlite3_column_bytes(s, 12);
}

/* Hands the rows of the stepped statement s to row_fn until it stops them or they end. */
static vg_rc deliver_rows(vg_store *st, sqlite3_stmt *s, int (*row_fn)(void *ctx, const vg_store_row *r), void *ctx,
                          int *stopped, vg_error *err)
{
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        vg_store_row r;
        read_row(s, &r);
        if (!r.json) {      /* a NULL from a failed allocation while converting the row */
            step = SQLITE_NOMEM;
            break;
        }
        if (row_fn(ctx, &r) != 0) {
            *stopped = 1;
            step = SQLITE_DONE;
            break;
        }
    }
    vg_rc rc = VG_OK;
    if (step == SQLITE_NOMEM)
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "%s: out of memory reading alerts", st->path);
    else if (step != SQLITE_DONE)
        rc = vg_store_db_fail(st, "querying alerts", err);
    sqlite3_reset(s);
    return rc;
}

/* A match of a banded query: its event time and id, the order of the answer. */
typedef struct band_pick {
    int64_t t, id;
} band_pick;

static int newer_first(const void *a, const void *b)
{
    const band_pick *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

typedef struct band_walk {
    band_pick *p;
    size_t n, cap, limit;
} band_walk;

/* Adds one band's matches (at most limit, newest first) from the stepped statement s; once
 * limit or more are held, sorts them and keeps the newest limit. */
static vg_rc take_band(vg_store *st, sqlite3_stmt *s, band_walk *w, vg_error *err)
{
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (w->n == w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 256;
            band_pick *p = vg_realloc(w->p, cap * sizeof(*p));
            if (!p) {
                sqlite3_reset(s);
                return vg_fail(err, VG_ERR_NOMEM, 0, "%s: out of memory reading alerts", st->path);
            }
            w->p = p;
            w->cap = cap;
        }
        w->p[w->n++] = (band_pick){ sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1) };
    }
    sqlite3_reset(s);
    if (step != SQLITE_DONE)
        return vg_store_db_fail(st, "querying alerts", err);
    if (w->n >= w->limit) {
        qsort(w->p, w->n, sizeof(*w->p), newer_first);
        w->n = w->limit;
    }
    return VG_OK;
}

/* A query with a host or indicator filter: each band from the newest gives its newest `limit`
 * matches (one seek, an index walk that stops at the limit); once `limit` are held, later bands
 * are asked only for events at least as new as the oldest held. The newest `limit` of all are
 * then read by id, in order. Exact whatever the order events arrived in; the cost grows with
 * the number of bands (a seek each), not with the matches of a frequent value. */
static vg_rc query_banded(vg_store *st, sqlite3_stmt *s, unsigned m, const vg_store_query *q,
                          int (*row_fn)(void *ctx, const vg_store_row *r), void *ctx, vg_error *err)
{
    sqlite3_stmt *range = st->st[VG_ST_ID_RANGE];
    int step = sqlite3_step(range);
    int have = step == SQLITE_ROW && sqlite3_column_type(range, 0) != SQLITE_NULL;
    int64_t lo = have ? sqlite3_column_int64(range, 0) >> VG_STORE_BAND_SHIFT : 0;
    int64_t hi = have ? sqlite3_column_int64(range, 1) >> VG_STORE_BAND_SHIFT : -1;
    sqlite3_reset(range);
    if (step != SQLITE_ROW)
        return vg_store_db_fail(st, "querying alerts", err);
    band_walk w = { NULL, 0, 0, q->limit ? q->limit : DEFAULT_LIMIT };
    int64_t floor = q->since_ms ? q->since_ms : INT64_MIN;
    vg_rc rc = VG_OK;
    for (int64_t band = hi; !rc && band >= lo; band--) {
        bind_query(s, m, q);
        sqlite3_bind_int64(s, 1, floor);
        sqlite3_bind_int64(s, 9, band);
        rc = take_band(st, s, &w, err);
        if (!rc && w.n == w.limit && w.p[w.n - 1].t > floor)
            floor = w.p[w.n - 1].t; /* sorted: take_band sorts whenever it trims to the limit */
    }
    sqlite3_clear_bindings(s);
    if (w.n)
        qsort(w.p, w.n, sizeof(*w.p), newer_first);
    sqlite3_stmt *one = st->st[VG_ST_ALERT_BY_ID];
    int stopped = 0;
    for (size_t i = 0; !rc && !stopped && i < w.n; i++) {
        sqlite3_bind_int64(one, 1, w.p[i].id);
        rc = deliver_rows(st, one, row_fn, ctx, &stopped, err);
    }
    vg_free(w.p);
    return rc;
}

vg_rc vg_store_query_alerts(vg_store *st, const vg_store_query *q, int (*row_fn)(void *ctx, const vg_store_row *r),
                            void *ctx, vg_error *err)
{
    unsigned m = query_shape(q);
    sqlite3_stmt *s = NULL;
    vg_rc rc = query_stmt(st, m, &s, err);
    if (rc)
        return rc;
    if (m & VG_STORE_Q_BANDED)
        return query_banded(st, s, m, q, row_fn, ctx, err);
    bind_query(s, m, q);
    int stopped = 0;
    rc = deliver_rows(st, s, row_fn, ctx, &stopped, err);
    sqlite3_clear_bindings(s);
    return rc;
}

vg_rc vg_store_count_alerts(vg_store *st, const char *kind, uint64_t *count, vg_error *err)
{
    sqlite3_stmt *s = st->st[kind && kind[0] ? VG_ST_COUNT_KIND : VG_ST_COUNT_ALL];
    if (kind && kind[0])
        sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
    int64_t v = 0;
    vg_rc rc = vg_store_int(st, s, "counting alerts", &v, err);
    *count = rc ? 0 : (uint64_t)v;
    return rc;
}

/* Returns the free pages to the file system (a no-op on a file without auto_vacuum). */
static vg_rc give_back(vg_store *st, vg_error *err)
{
    return vg_store_run(st, st->st[VG_ST_INCREMENTAL_VACUUM], "returning free pages", err);
}

/* Runs a chunked delete statement (limit bound as parameter limit_param), each chunk in its
 * own transaction followed by giving the freed pages back, until it deletes less than a
 * chunk; adds the count to *deleted. */
static vg_rc delete_chunks(vg_store *st, sqlite3_stmt *s, int limit_param, uint64_t *deleted, vg_error *err)
{
    for (;;) {
        sqlite3_bind_int64(s, limit_param, AGE_CHUNK);
        vg_rc rc = vg_store_run(st, s, "deleting aged alerts", err);
        if (rc)
            return rc;
        int n = sqlite3_changes(st->db);
        *deleted += (uint64_t)n;
        if (n > 0 && (rc = give_back(st, err)) != VG_OK)
            return rc;
        if (n < AGE_CHUNK)
            return VG_OK;
    }
}

/* Bytes of the pages in use: (page_count - freelist_count) * page_size. After an incremental
 * vacuum the free list is empty and this is the size of the database file. */
static vg_rc used_bytes(vg_store *st, uint64_t *bytes, vg_error *err)
{
    int64_t pages = 0, free_pages = 0, page_size = 0;
    vg_rc rc = vg_store_int(st, st->st[VG_ST_PAGE_COUNT], "reading the page count", &pages, err);
    if (!rc)
        rc = vg_store_int(st, st->st[VG_ST_FREELIST_COUNT], "reading the free list", &free_pages, err);
    if (!rc)
        rc = vg_store_int(st, st->st[VG_ST_PAGE_SIZE], "reading the page size", &page_size, err);
    *bytes = rc ? 0 : (uint64_t)(pages - free_pages) * (uint64_t)page_size;
    return rc;
}

/* Deletes the oldest alerts (in commit order) in chunks, returning the freed pages to the file
 * system after each, until the pages in use fit in max_bytes or no alert is left. The chunk
 * size follows what the previous chunk freed per alert. */
static vg_rc trim_to_size(vg_store *st, uint64_t max_bytes, uint64_t *deleted, vg_error *err)
{
    uint64_t bytes = 0, chunk = SIZE_CHUNK_MIN;
    vg_rc rc = used_bytes(st, &bytes, err);
    while (!rc && bytes > max_bytes) {
        sqlite3_stmt *s = st->st[VG_ST_DELETE_OLDEST];
        sqlite3_bind_int64(s, 1, (int64_t)chunk);
        if ((rc = vg_store_run(st, s, "deleting the oldest alerts", err)) != VG_OK)
            break;
        uint64_t n = (uint64_t)sqlite3_changes(st->db), after = 0;
        *deleted += n;
        rc = give_back(st, err);
        if (!rc)
            rc = used_bytes(st, &after, err);
        if (rc || n == 0)
            break;
        uint64_t per = bytes > after ? (bytes - after) / n : 0;
        chunk = per ? (after > max_bytes ? (after - max_bytes) / per + 1 : 1) : chunk * 2;
        chunk = chunk < SIZE_CHUNK_MIN ? SIZE_CHUNK_MIN : chunk > SIZE_CHUNK_MAX ? SIZE_CHUNK_MAX : chunk;
        bytes = after;
    }
    return rc;
}

vg_rc vg_store_retention(vg_store *st, int64_t older_than_ms, uint64_t max_bytes, uint64_t *deleted,
                         vg_error *err)
{
    *deleted = 0;
    if (st->readonly)
        return vg_fail(err, VG_ERR_USAGE, 0, "%s: opened read-only", st->path);
    sqlite3_stmt *aged = st->st[VG_ST_DELETE_AGED];
    sqlite3_bind_int64(aged, 1, older_than_ms);
    vg_rc rc = VG_OK;
    if (older_than_ms != 0)
        rc = delete_chunks(st, aged, 2, deleted, err);
    if (!rc && max_bytes == 0 && *deleted)
        rc = vg_store_run(st, st->st[VG_ST_INCREMENTAL_VACUUM], "returning free pages", err);
    if (!rc && max_bytes)
        rc = trim_to_size(st, max_bytes, deleted, err);
    return rc;
}

/*
 * serve-work: the detection workers and the store writer of the daemon (see serve.h).
 *
 * Workers take turns at the one spool reader: each takes up to `batch` consecutive records
 * (copied into its own arena, as the reader's buffer is reused), numbers the batch, and then,
 * without any lock, decodes each record, runs the detectors and formats the alerts into a
 * work_result. The writer commits results strictly in batch order: the alerts and the spool
 * watermark of the batches finished so far (a group of consecutive ones: group commit) go
 * into the store in one transaction, then the spool is released up to them. Workers wait while
 * WORK_MAX_PENDING_PER_WORKER results each, or WORK_MAX_PENDING_BYTES, are queued, so memory
 * stays bounded.
 *
 * Main structures: vg_serve_work (the reader and its lock, the queue of results, the threads),
 * work_worker (one per thread: detector, decode state, record arena), work_result (one
 * batch: its range, counts, receipt times, and its alerts as store rows over one text arena).
 */
#include "serve.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest-decode.h"
#include "store.h"
#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

#define WORK_MAX_PENDING_PER_WORKER 16  /* limit: results queued per worker before workers wait */
#define WORK_MAX_PENDING_BYTES (64u << 20) /* limit: bytes of queued results before workers wait */
#define WORK_IDLE_WAIT_MS 200           /* a worker with nothing to read sleeps at most this long */
#define WORK_RETENTION_EVERY_S 600      /* the writer applies the store's retention this often */
#define WORK_GROUP_MAX 64               /* limit: finished batches the writer commits in one transaction */
#define WORK_GROUP_GROW 8               /* under a deep backlog, full batches' worth of records a group waits for */
#define WORK_GROUP_WAIT_MS 100          /* limit: how long a group waits to grow */

typedef struct alert_row {
    vg_store_alert a;                   /* text members hold offsets into the result's text */
    size_t off_kind, off_rule_id, off_rule_name, off_level, off_host, off_indicator, off_json;
} alert_row;

typedef struct work_result {
    uint64_t batch_no, first_seq, last_seq;
    uint64_t events, rejected;
    vg_store_file_pos *files;           /* per configured file: its furthest position in the batch */
    size_t nfiles;                      /* files with a position */
    int64_t *received_us;               /* one per record */
    size_t nrecs;
    alert_row *rows;
    size_t nrows, cap_rows;
    vg_buf text;
    size_t bytes;                       /* memory held, counted against WORK_MAX_PENDING_BYTES */
    struct work_result *next;
} work_result;

typedef struct rec_ref {
    uint64_t seq;
    int64_t received_us;
    uint32_t unit, source;
    size_t off, len;
} rec_ref;

typedef struct work_worker {
    vg_serve_work *w;
    pthread_t thread;
    vg_serve_det *gen;                  /* the detection generation in use (a reference) */
    vg_detector *det;                   /* this thread's detector of gen */
    vg_decode_state ds;
    vg_decode_opts opts;
    vg_buf arena;                       /* the batch's record bytes */
    rec_ref *recs;
    work_result *res;                   /* the result being built */
    const rec_ref *cur;                 /* the record being decoded */
    int64_t now;                        /* the batch's time: expiry of indicators, alert stamps */
    uint32_t alert_idx;                 /* alerts of the current record so far */
} work_worker;

struct vg_serve_work {
    vg_serve *s;
    vg_store *store;
    vg_spool_reader *reader;
    pthread_mutex_t lock;               /* reader, batch numbers, queue, flags */
    pthread_cond_t more;                /* records appended, or stopping */
    pthread_cond_t done;                /* a result queued (the writer waits) */
    pthread_cond_t room;                /* the writer took a result (workers wait) */
    uint64_t next_batch, next_commit;
    work_result *queue;                 /* sorted by batch_no */
    size_t queued, max_queued;
    size_t queued_bytes;                /* memory of the queued results */
    int draining, workers_alive;
    uint64_t committed;
    work_worker *workers;
    size_t nworkers;
    pthread_t writer;
    int writer_started;
    vg_serve_archive *archive;          /* NULL: no archive */
    uint32_t *unit_ids;                 /* the store's id of each configured unit */
    const vg_decoder **decoders;        /* per spool source: its decoder (NULL: chosen per record) */
    int64_t last_retention_us;
};

static void result_free(work_result *r)
{
    if (!r)
        return;
    vg_free(r->received_us);
    vg_free(r->files);
    vg_free(r->rows);
    vg_buf_free(&r->text);
    vg_free(r);
}

/* ---- the worker's alerts ---- */

/* Appends s (may be NULL) to the result's text, NUL-terminated; its offset, or SIZE_MAX for NULL. */
static size_t keep_text(work_result *r, const char *s, size_t len)
{
    if (!s)
        return SIZE_MAX;
    size_t off = r->text.len;
    if (vg_buf_append(&r->text, s, len) || vg_buf_putc(&r->text, '\0'))
        return SIZE_MAX;
    return off;
}

static size_t keep_str(work_result *r, const char *s)
{
    return s ? keep_text(r, s, strlen(s)) : SIZE_MAX;
}

/* The event's time in ms since the epoch, or 0. */
static int64_t event_time_ms(const vg_event *ev)
{
    vg_value v = vg_event_get(ev, "@timestamp");
    vg_time t;
    char text[64];
    long n = v.type == VG_JSON_STRING ? vg_value_string(&v, text, sizeof(text)) : -1;
    if (n <= 0 || vg_time_parse_iso(text, (size_t)n, 0, &t) != 0)
        return 0;
    return t.sec * 1000 + t.nsec / 1000000;
}

static vg_rc on_alert(void *ctx, const vg_detect_alert *a)
{
    work_worker *ww = ctx;
    work_result *r = ww->res;
    vg_serve *s = ww->w->s;
    if (r->nrows == r->cap_rows) {
        size_t cap = r->cap_rows ? 2 * r->cap_rows : 16;
        alert_row *rows = vg_realloc(r->rows, cap * sizeof(*rows));
        if (!rows)
            return VG_ERR_NOMEM;
        r->rows = rows;
        r->cap_rows = cap;
    }
    alert_row *row = &r->rows[r->nrows];
    memset(row, 0, sizeof(*row));
    row->a.event_seq = ww->cur->seq;
    row->a.idx = ww->alert_idx++;
    row->a.unit = ww->w->unit_ids[ww->cur->unit];
    row->a.event_time_ms = event_time_ms(a->ev);
    row->a.created_ms = vg_now_us() / 1000;
    row->off_kind = keep_str(r, a->kind);
    vg_value host = vg_event_get(a->ev, "host.name");
    if (host.type != VG_JSON_STRING)    /* syslog and Windows events name their host here */
        host = vg_event_get(a->ev, "host.hostname");
    if (host.type != VG_JSON_STRING)
        host = vg_event_get(a->ev, "host.ip");
    char htext[256];
    long hlen = host.type == VG_JSON_STRING ? vg_value_string(&host, htext, sizeof(htext)) : -1;
    row->off_host = hlen > 0 ? keep_text(r, htext, (size_t)hlen) : SIZE_MAX;
    if (a->sigma) {
        const vg_sigma_rule *rule = a->sigma->entry->rule;
        row->off_rule_id = keep_str(r, rule->meta.id);
        row->off_rule_name = keep_str(r, rule->meta.title);
        row->off_level = keep_str(r, rule->meta.level);
        row->off_indicator = SIZE_MAX;
        atomic_fetch_add(&s->m.sigma_alerts, 1);
        atomic_fetch_add(&ww->gen->rule_alerts[a->sigma->entry->index], 1);
    } else {
        vg_intel_source src;
        int have = vg_snap_source(a->intel->snap, a->intel->hit->ref, 0, &src) == 0;
        row->off_rule_id = keep_str(r, have ? src.feed : NULL);
        row->off_rule_name = keep_str(r, have ? src.family : NULL);
        row->off_level = SIZE_MAX;
        row->off_indicator = keep_text(r, a->intel->value, a->intel->value_len);
        atomic_fetch_add(&s->m.intel_alerts, 1);
    }
    row->off_json = keep_text(r, a->json, a->len);
    row->a.json_len = a->len;
    if (row->off_json == SIZE_MAX || row->off_kind == SIZE_MAX)
        return VG_ERR_NOMEM;
    r->nrows++;
    return VG_OK;
}

static vg_rc on_event(void *ctx, const vg_event *ev)
{
    work_worker *ww = ctx;
    vg_serve *s = ww->w->s;
    const rec_ref *rr = ww->cur;
    const vg_config *c = s->conf;
    vg_alert_origin o = { vg_config_source_name(c, rr->source), rr->seq, 1, ev->repeat, c->units[rr->unit].name,
                          rr->received_us };
    return vg_detect_event(ww->det, ww->gen->snap, ev, &o, ww->now, on_alert, ww);
}

static void on_reject(void *ctx, const char *source, uint64_t line, const char *reason)
{
    work_worker *ww = ctx;
    vg_log(VG_LOG_DEBUG, "%s: record %llu: %s", source, (unsigned long long)ww->cur->seq, reason);
    (void)line;
}

/* ---- taking a batch ---- */

/* Reads up to batch records into the worker's arena (lock held); their count. */
static size_t take_batch(work_worker *ww, vg_serve_work *w)
{
    size_t n = 0, max = w->s->conf->batch;
    vg_buf_reset(&ww->arena);
    while (n < max) {
        vg_spool_rec rec;
        vg_error err;
        vg_rc rc = vg_spool_read(w->reader, &rec, &err);
        if (rc == VG_END)
            break;
        if (rc) {
            vg_log(VG_LOG_ERROR, "spool: %s", err.msg);
            break;
        }
        size_t off = ww->arena.len;
        if (vg_buf_append(&ww->arena, rec.data, rec.len)) {
            vg_log(VG_LOG_ERROR, "worker: out of memory for a batch");
            break;
        }
        uint32_t src = rec.source < w->s->conf->nlisteners + w->s->conf->nfiles ? rec.source : 0;
        uint32_t unit = rec.unit < w->s->conf->nunits ? rec.unit : 0;
        ww->recs[n++] = (rec_ref){ rec.seq, rec.received_us, unit, src, off, rec.len };
    }
    return n;
}

/* Moves the worker to the current detection generation if a reload replaced its own. */
static vg_rc follow_generation(work_worker *ww)
{
    vg_serve *s = ww->w->s;
    vg_serve_det *cur = vg_serve_det_acquire(s);
    if (cur == ww->gen) {
        vg_serve_det_release(s, cur);
        return VG_OK;
    }
    vg_detector *det = NULL;
    vg_error err;
    vg_rc rc = vg_detector_new(&det, &cur->shared, &err);
    if (rc) {
        vg_serve_det_release(s, cur);
        vg_log(VG_LOG_ERROR, "worker: %s (the previous rules stay in use)", err.msg);
        return rc;
    }
    vg_detector_free(ww->det);
    vg_serve_det_release(s, ww->gen);
    ww->det = det;
    ww->gen = cur;
    return VG_OK;
}

/* Notes the position a file record carried (the furthest of the batch wins: records of a
 * file come in order). */
static void note_position(work_result *r, const vg_config *c, size_t file, const vg_follow_pos *pos)
{
    if (!r->files && !(r->files = vg_calloc(c->nfiles, sizeof(*r->files))))
        return; /* out of memory: the position is not saved, the line is read again after a restart */
    vg_store_file_pos *fp = &r->files[file];
    if (!fp->path)
        r->nfiles++;
    *fp = (vg_store_file_pos){ c->files[file].path, pos->dev, pos->ino, pos->offset };
}

/* Decodes and detects every record of the batch into a new result. */
static work_result *run_batch(work_worker *ww, size_t n, uint64_t batch_no)
{
    work_result *r = vg_calloc(1, sizeof(*r));
    if (!r || !(r->received_us = vg_malloc(n * sizeof(int64_t)))) {
        vg_free(r);
        return NULL;
    }
    vg_buf_init(&r->text, 0);
    r->batch_no = batch_no;
    r->first_seq = ww->recs[0].seq;
    r->last_seq = ww->recs[n - 1].seq;
    r->nrecs = n;
    ww->res = r;
    ww->now = (int64_t)time(NULL);
    vg_decode_sink sink = { on_event, on_reject, ww };
    vg_decode_stats st = { 0 };
    const vg_config *c = ww->w->s->conf;
    for (size_t i = 0; i < n; i++) {
        const rec_ref *rr = &ww->recs[i];
        const char *data = ww->arena.data + rr->off;
        size_t len = rr->len;
        ww->cur = rr;
        ww->alert_idx = 0;
        r->received_us[i] = rr->received_us;
        vg_follow_pos pos;
        if (vg_file_record_line(c, rr->source, &data, &len, &pos))
            note_position(r, c, rr->source - c->nlisteners, &pos);
        vg_rc rc = vg_decode_record(&ww->ds, ww->w->decoders[rr->source], &ww->opts, vg_config_source_name(c, rr->source),
                                    rr->seq, data, len, &sink, &st);
        if (rc)
            vg_log(VG_LOG_ERROR, "worker: record %llu: %s", (unsigned long long)rr->seq, vg_rc_str(rc));
    }
    r->events = st.events;
    r->rejected = st.rejected;
    atomic_fetch_add(&ww->w->s->m.decoded, st.events);
    atomic_fetch_add(&ww->w->s->m.rejected, st.rejected);
    return r;
}

/* Waits on cond (w's lock held) for at most ms milliseconds. */
static void wait_ms(vg_serve_work *w, pthread_cond_t *cond, long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(cond, &w->lock, &ts);
}

/* Queues r in batch order and wakes the writer (lock held). */
static void queue_result(vg_serve_work *w, work_result *r)
{
    work_result **p = &w->queue;
    while (*p && (*p)->batch_no < r->batch_no)
        p = &(*p)->next;
    r->next = *p;
    *p = r;
    w->queued++;
    r->bytes = sizeof(*r) + r->nrecs * sizeof(int64_t) + r->cap_rows * sizeof(alert_row) + r->text.cap;
    w->queued_bytes += r->bytes;
    pthread_cond_signal(&w->done);
}

static void *worker_main(void *arg)
{
    work_worker *ww = arg;
    vg_serve_work *w = ww->w;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while ((w->queued >= w->max_queued || w->queued_bytes >= WORK_MAX_PENDING_BYTES) && !w->draining)
            pthread_cond_wait(&w->room, &w->lock);
        size_t n = take_batch(ww, w);
        if (n == 0) {
            if (w->draining)
                break;
            wait_ms(w, &w->more, WORK_IDLE_WAIT_MS);
            continue;
        }
        uint64_t batch_no = w->next_batch++;
        pthread_mutex_unlock(&w->lock);
        follow_generation(ww);
        work_result *r = run_batch(ww, n, batch_no);
        pthread_mutex_lock(&w->lock);
        if (!r) {
            /* out of memory: an empty result keeps the order; the records are read again after
             * a restart since the watermark does not pass them */
            vg_log(VG_LOG_ERROR, "worker: out of memory: batch %llu not processed; processing stopped",
                   (unsigned long long)batch_no);
            atomic_store(&w->s->m.failing, 1);
            w->draining = 1;
            break;
        }
        queue_result(w, r);
    }
    w->workers_alive--;
    pthread_cond_broadcast(&w->done);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- the writer ---- */

static void resolve_rows(work_result *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        alert_row *row = &r->rows[i];
#define AT(off) ((off) == SIZE_MAX ? NULL : r->text.data + (off))
        row->a.kind = AT(row->off_kind);
        row->a.rule_id = AT(row->off_rule_id);
        row->a.rule_name = AT(row->off_rule_name);
        row->a.level = AT(row->off_level);
        row->a.host = AT(row->off_host);
        row->a.indicator = AT(row->off_indicator);
        row->a.json = AT(row->off_json);
#undef AT
    }
}

/* Adds the receipt-to-stored time of each record of r to the histogram (summed here first:
 * one atomic add per bucket instead of two per record). */
static void count_latency(vg_serve *s, const work_result *r, int64_t now)
{
    uint64_t count[VG_SERVE_LAT_BUCKETS] = { 0 }, sum_us = 0;
    for (size_t i = 0; i < r->nrecs; i++) {
        int64_t us = now - r->received_us[i];
        if (us < 0)
            us = 0;
        uint64_t ms = (uint64_t)us / 1000;
        unsigned b = 0;
        while (b + 1 < VG_SERVE_LAT_BUCKETS && ms >= (1ull << b))
            b++;
        count[b]++;
        sum_us += (uint64_t)us;
    }
    for (unsigned b = 0; b < VG_SERVE_LAT_BUCKETS; b++)
        if (count[b])
            atomic_fetch_add(&s->m.lat_count[b], count[b]);
    atomic_fetch_add(&s->m.lat_sum_us, sum_us);
}

/* The alerts of the group as store rows, in order (their text resolved first). */
static vg_store_alert *group_alerts(work_result **rs, size_t n, size_t *count)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += rs[i]->nrows;
    *count = total;
    vg_store_alert *alerts = total ? vg_malloc(total * sizeof(*alerts)) : NULL;
    for (size_t i = 0; alerts && i < n; i++) {
        resolve_rows(rs[i]);
        for (size_t j = 0; j < rs[i]->nrows; j++)
            alerts[k++] = rs[i]->rows[j].a;
    }
    return alerts;
}

/* Each file's furthest position in the group (later batches win), packed into out. */
static size_t group_files(const vg_config *c, work_result **rs, size_t n, vg_store_file_pos *out)
{
    size_t nf = 0;
    for (size_t f = 0; out && f < c->nfiles; f++) {
        const vg_store_file_pos *last = NULL;
        for (size_t i = 0; i < n; i++)
            if (rs[i]->files && rs[i]->files[f].path)
                last = &rs[i]->files[f];
        if (last)
            out[nf++] = *last;
    }
    return nf;
}

/* Commits consecutive results in one transaction (group commit: one SQLite commit and WAL
 * sync for all the batches the workers finished while the previous commit ran), then archives
 * and releases their records. */
static vg_rc commit_group(vg_serve_work *w, work_result **rs, size_t n)
{
    vg_serve *s = w->s;
    size_t nalerts = 0;
    uint64_t events = 0, rejected = 0;
    vg_store_alert *alerts = group_alerts(rs, n, &nalerts);
    vg_store_file_pos *files = s->conf->nfiles ? vg_calloc(s->conf->nfiles, sizeof(*files)) : NULL;
    if ((nalerts && !alerts) || (s->conf->nfiles && !files)) {
        vg_free(alerts);
        vg_free(files);
        return VG_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        events += rs[i]->events;
        rejected += rs[i]->rejected;
    }
    uint64_t first = rs[0]->first_seq, last = rs[n - 1]->last_seq;
    vg_store_batch b = { first, last, alerts, nalerts, events, rejected, vg_now_us() / 1000, files,
                         group_files(s->conf, rs, n, files) };
    vg_error err;
    vg_rc rc = vg_store_commit(w->store, &b, &err);
    vg_free(alerts);
    vg_free(files);
    if (rc) {
        vg_log(VG_LOG_ERROR, "store: %s", err.msg);
        return rc;
    }
    if (w->archive && vg_serve_archive_batch(w->archive, first, last, &err) != VG_OK)
        vg_log(VG_LOG_ERROR, "%s (records %llu-%llu are not archived)", err.msg, (unsigned long long)first,
               (unsigned long long)last);
    if (vg_spool_release(s->spool, last, &err) != VG_OK)
        vg_log(VG_LOG_WARN, "spool: %s", err.msg);
    int64_t now = vg_now_us();
    for (size_t i = 0; i < n; i++)
        count_latency(s, rs[i], now);
    atomic_fetch_add(&s->m.alerts, nalerts);
    atomic_fetch_add(&s->m.batches, n);
    atomic_fetch_add(&s->m.commits, 1);
    atomic_store(&s->m.committed_seq, last);
    return VG_OK;
}

/* Deletes alerts past store.retention_days and beyond store.max_size_mb (writer thread). */
static void apply_retention(vg_serve_work *w)
{
    const vg_config *c = w->s->conf;
    int64_t now = vg_now_us();
    if (now - w->last_retention_us < (int64_t)WORK_RETENTION_EVERY_S * 1000000)
        return;
    w->last_retention_us = now;
    if (!c->retention_days && !c->store_max_mb)
        return;
    int64_t older = c->retention_days ? now / 1000 - (int64_t)c->retention_days * 86400000 : 0;
    uint64_t deleted = 0;
    vg_error err;
    if (vg_store_retention(w->store, older, (uint64_t)c->store_max_mb << 20, &deleted, &err) != VG_OK)
        vg_log(VG_LOG_ERROR, "store retention: %s", err.msg);
    else if (deleted)
        vg_log(VG_LOG_INFO, "store retention: %llu alerts deleted (older than %u days or beyond %u MB)",
               (unsigned long long)deleted, c->retention_days, c->store_max_mb);
}

/* The results ready to commit in order (lock held), at most WORK_GROUP_MAX; *records gets
 * the records they hold. */
static size_t ready_results(const vg_serve_work *w, uint64_t *records)
{
    size_t n = 0;
    *records = 0;
    for (const work_result *r = w->queue; r && n < WORK_GROUP_MAX && r->batch_no == w->next_commit + n; r = r->next) {
        *records += r->nrecs;
        n++;
    }
    return n;
}

/* Whether a group of `ready` results holding `records` records waits for more before its
 * commit (lock held; *until is the end of the wait, 0 before it starts). Only under a backlog
 * of WORK_GROUP_GROW full batches' worth of records or more: the workers are then busy, more
 * results come within a batch's time, and each commit saved rewrites the same index pages
 * once instead of twice and saves an fdatasync (docs/serve.md). Counted in records, not
 * results: batches are smaller than `batch` when records come in small requests (HTTP). Never
 * while the queue is full or the workers are stopping; at most WORK_GROUP_WAIT_MS. */
static int group_grows(vg_serve_work *w, size_t ready, uint64_t records, int64_t *until)
{
    uint64_t enough = (uint64_t)WORK_GROUP_GROW * w->s->conf->batch;
    if (ready == 0 || ready >= WORK_GROUP_MAX || records >= enough || w->draining || w->workers_alive == 0 ||
        w->queued >= w->max_queued || w->queued_bytes >= WORK_MAX_PENDING_BYTES / 2)
        return 0;
    int64_t now = vg_now_us();
    if (*until == 0) {
        if (vg_serve_backlog(w->s) < enough)
            return 0;
        *until = now + WORK_GROUP_WAIT_MS * 1000;
    }
    return now < *until;
}

static void *writer_main(void *arg)
{
    vg_serve_work *w = arg;
    work_result *group[WORK_GROUP_MAX];
    int64_t grow_until = 0;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        uint64_t records;
        size_t ready = ready_results(w, &records);
        if (group_grows(w, ready, records, &grow_until)) {
            wait_ms(w, &w->done, (long)((grow_until - vg_now_us()) / 1000) + 1);
            continue;
        }
        grow_until = 0;
        work_result *r = w->queue;
        size_t n = 0;
        while (n < WORK_GROUP_MAX && w->queue && w->queue->batch_no == w->next_commit) {
            group[n++] = w->queue;
            w->queue = w->queue->next;
            w->queued--;
            w->queued_bytes -= group[n - 1]->bytes;
            w->next_commit++;
        }
        if (n) {
            pthread_cond_broadcast(&w->room);
            pthread_mutex_unlock(&w->lock);
            vg_rc rc = commit_group(w, group, n);
            uint64_t last = group[n - 1]->last_seq;
            for (size_t i = 0; i < n; i++)
                result_free(group[i]);
            pthread_mutex_lock(&w->lock);
            if (rc) {
                /* the store refused: stop processing (/healthz says so); what is not committed
                 * is read again from the spool after a restart */
                vg_log(VG_LOG_ERROR, "processing stopped: the store refused a commit; records keep being "
                       "spooled until the backlog is full; restart once the store is fixed");
                atomic_store(&w->s->m.failing, 1);
                w->draining = 1;
                pthread_cond_broadcast(&w->room);
                pthread_cond_broadcast(&w->more);
                break;
            }
            w->committed = last;
            continue;
        }
        if (w->workers_alive == 0 && (!r || r->batch_no != w->next_commit))
            break;
        pthread_mutex_unlock(&w->lock);
        apply_retention(w);
        pthread_mutex_lock(&w->lock);
        if (w->queue && w->queue->batch_no == w->next_commit)
            continue;
        wait_ms(w, &w->done, 1000);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- starting and stopping ---- */

static vg_rc worker_init(work_worker *ww, vg_serve_work *w, vg_error *err)
{
    ww->w = w;
    vg_buf_init(&ww->arena, 0);
    vg_decode_opts_default(&ww->opts);
    size_t max_record = vg_config_max_record(w->s->conf);
    ww->recs = vg_calloc(w->s->conf->batch, sizeof(*ww->recs));
    if (!ww->recs || vg_decode_state_init(&ww->ds, max_record) != VG_OK)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    ww->gen = vg_serve_det_acquire(w->s);
    return vg_detector_new(&ww->det, &ww->gen->shared, err);
}

static void worker_free(work_worker *ww)
{
    vg_detector_free(ww->det);
    vg_serve_det_release(ww->w->s, ww->gen);
    vg_decode_state_free(&ww->ds);
    vg_buf_free(&ww->arena);
    vg_free(ww->recs);
}

static unsigned worker_count(const vg_config *c)
{
    if (c->workers)
        return c->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n <= VG_CONFIG_MAX_WORKERS ? (unsigned)n : 1;
}

/* The store may be ahead of the spool: with spool sync interval or never, a power loss can
 * take records the spool had not synced after the store committed their results. New records
 * must then be numbered after the watermark, or the reader (which starts after it) would
 * never see them. */
static vg_rc align_spool(vg_serve *s, uint64_t mark, vg_error *err)
{
    vg_spool_stats st;
    vg_spool_stats_get(s->spool, &st);
    if (mark < st.next_seq)
        return VG_OK;
    vg_log(VG_LOG_WARN, "spool: it ends at record %llu but the store has processed through %llu (records lost "
           "by a power loss before their sync); numbering goes on from %llu", (unsigned long long)(st.next_seq - 1),
           (unsigned long long)mark, (unsigned long long)(mark + 1));
    return vg_spool_skip_to(s->spool, mark + 1, err);
}

/* The decoder of each spool source, found once (NULL: "auto", chosen per record). */
static vg_rc find_decoders(vg_serve_work *w, vg_error *err)
{
    const vg_config *c = w->s->conf;
    size_t n = c->nlisteners + c->nfiles;
    if (!(w->decoders = vg_calloc(n ? n : 1, sizeof(*w->decoders))))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *fmt = vg_config_source_format(c, (uint32_t)i);
        w->decoders[i] = strcmp(fmt, "auto") != 0 ? vg_decoder_find(fmt) : NULL;
    }
    return VG_OK;
}

/* The configured units in the store (found or created): alerts carry the store's ids. */
static vg_rc register_units(vg_serve_work *w, vg_error *err)
{
    const vg_config *c = w->s->conf;
    if (!(w->unit_ids = vg_calloc(c->nunits ? c->nunits : 1, sizeof(*w->unit_ids))))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < c->nunits; i++)
        rc = vg_store_unit(w->store, c->units[i].name, &w->unit_ids[i], err);
    return rc;
}

vg_rc vg_serve_work_start(vg_serve *s, vg_serve_work **out, vg_error *err)
{
    vg_serve_work *w = vg_calloc(1, sizeof(*w));
    if (!w)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    w->s = s;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->more, NULL);
    pthread_cond_init(&w->done, NULL);
    pthread_cond_init(&w->room, NULL);
    uint64_t mark = 0;
    vg_rc rc = vg_store_open(&w->store, s->conf->store_path, err);
    if (!rc)
        rc = vg_store_watermark(w->store, &mark, err);
    if (!rc)
        rc = register_units(w, err);
    if (!rc)
        rc = find_decoders(w, err);
    if (!rc)
        rc = vg_serve_archive_open(s, &w->archive, err);
    if (!rc)
        rc = align_spool(s, mark, err);
    if (!rc)
        rc = vg_spool_reader_open(s->spool, mark + 1, &w->reader, err);
    w->committed = mark;
    atomic_store(&s->m.committed_seq, mark);
    s->start_seq = mark + 1;
    w->nworkers = worker_count(s->conf);
    w->max_queued = w->nworkers * WORK_MAX_PENDING_PER_WORKER;
    if (!rc && !(w->workers = vg_calloc(w->nworkers, sizeof(*w->workers))))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; !rc && i < w->nworkers; i++)
        rc = worker_init(&w->workers[i], w, err);
    if (rc) {
        vg_serve_work_stop(w);
        return rc;
    }
    for (size_t i = 0; i < w->nworkers; i++)
        if (pthread_create(&w->workers[i].thread, NULL, worker_main, &w->workers[i]) == 0) {
            char name[32];
            snprintf(name, sizeof name, "vg-detect-%zu", i);
            name[15] = '\0';                 /* the kernel's limit */
            pthread_setname_np(w->workers[i].thread, name);
            w->workers_alive++;
        }
    w->writer_started = pthread_create(&w->writer, NULL, writer_main, w) == 0;
    if (w->writer_started)
        pthread_setname_np(w->writer, "vg-store");
    if (w->workers_alive == 0 || !w->writer_started) {
        vg_serve_work_stop(w);
        return vg_fail(err, VG_ERR_NOMEM, 0, "cannot start the detection threads");
    }
    vg_log(VG_LOG_INFO, "detection: %zu workers; processing the spool from record %llu", w->nworkers,
           (unsigned long long)(mark + 1));
    *out = w;
    return VG_OK;
}

void vg_serve_work_notify(vg_serve_work *w)
{
    pthread_mutex_lock(&w->lock);
    pthread_cond_broadcast(&w->more);
    pthread_mutex_unlock(&w->lock);
}

uint64_t vg_serve_work_committed(vg_serve_work *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t c = w->committed;
    pthread_mutex_unlock(&w->lock);
    return c;
}

void vg_serve_work_stop(vg_serve_work *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->draining = 1;
    pthread_cond_broadcast(&w->more);
    pthread_cond_broadcast(&w->room);
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; w->workers && i < w->nworkers; i++)
        if (w->workers[i].thread)
            pthread_join(w->workers[i].thread, NULL);
    if (w->writer_started)
        pthread_join(w->writer, NULL);
    while (w->queue) {
        work_result *r = w->queue;
        w->queue = r->next;
        result_free(r);
    }
    for (size_t i = 0; w->workers && i < w->nworkers; i++)
        worker_free(&w->workers[i]);
    vg_free(w->workers);
    vg_spool_reader_close(w->reader);
    vg_store_close(w->store);
    vg_serve_archive_close(w->archive);
    vg_free(w->unit_ids);
    vg_free(w->decoders);
    pthread_cond_destroy(&w->more);
    pthread_cond_destroy(&w->done);
    pthread_cond_destroy(&w->room);
    pthread_mutex_destroy(&w->lock);
    vg_free(w);
}

/*
 * serve: starting, running and stopping the daemon (see serve.h and docs/serve.md).
 *
 * Start: the data directory, the spool (damage reported), the rules and the indicator
 * snapshot, every listener bound, the workers and the writer (which first process what the
 * spool holds past the store's watermark: the records of a crash), then the listener
 * threads. Stop (SIGTERM, SIGINT): listeners stop taking records (HTTP requests in progress
 * are answered, open TCP connections closed), the workers process every record the spool
 * holds, the writer commits them, and the spool and the store are closed.
 */
#include "serve.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "util-log.h"
#include "util-mem.h"
#include "util-time.h"

uint64_t vg_serve_backlog(vg_serve *s)
{
    vg_spool_stats st;
    vg_spool_stats_get(s->spool, &st);
    uint64_t done = atomic_load(&s->m.committed_seq);
    return st.next_seq > done + 1 ? st.next_seq - 1 - done : 0;
}

vg_rc vg_serve_submit(vg_serve *s, size_t li, vg_spool_rec *recs, size_t n, unsigned flags, vg_error *err)
{
    if (!(flags & VG_SUBMIT_FORCE) && vg_serve_backlog(s) >= s->conf->spool_max_backlog)
        return VG_ERR_LIMIT;
    vg_rc rc = vg_spool_append(s->spool, recs, n, err);
    if (rc)
        return rc;
    atomic_fetch_add(&s->m.listeners[li].received, n);
    if ((flags & VG_SUBMIT_SYNC) && s->conf->spool_sync == VG_SPOOL_SYNC_ALWAYS)
        rc = vg_spool_sync(s->spool, recs[n - 1].seq, err);
    if (s->work)
        vg_serve_work_notify(s->work);
    return rc;
}

/* ---- start ---- */

/* As root with a user configured: the data directory is made theirs, then the process
 * becomes that user (groups, gid, uid), for good. */
static vg_rc drop_privileges(const vg_config *c, vg_error *err)
{
    if (geteuid() != 0) {
        if (c->user)
            vg_log(VG_LOG_WARN, "user %s: not started as root, privileges stay as they are", c->user);
        return VG_OK;
    }
    if (!c->user) {
        vg_log(VG_LOG_WARN, "running as root: set user in the configuration (e.g. _vigil) to drop privileges");
        return VG_OK;
    }
    struct passwd *pw = getpwnam(c->user);
    if (!pw)
        return vg_fail(err, VG_ERR_USAGE, 0, "user %s does not exist", c->user);
    if (mkdir(c->data_dir, 0700) != 0 && errno != EEXIST)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", c->data_dir, strerror(errno));
    if (chown(c->data_dir, pw->pw_uid, pw->pw_gid) != 0)
        return vg_fail(err, VG_ERR_IO, 0, "%s: chown: %s", c->data_dir, strerror(errno));
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
        return vg_fail(err, VG_ERR_IO, 0, "cannot become user %s: %s", c->user, strerror(errno));
    if (setuid(0) == 0)
        return vg_fail(err, VG_ERR_IO, 0, "privileges could be regained after becoming %s", c->user);
    vg_log(VG_LOG_INFO, "running as user %s (uid %ld)", c->user, (long)pw->pw_uid);
    return VG_OK;
}

static vg_rc make_dir(const char *path, vg_error *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    return VG_OK;
}

static void on_spool_damage(void *ctx, const char *segment, uint64_t offset, const char *reason)
{
    (void)ctx;
    vg_log(VG_LOG_WARN, "spool: %s: byte %llu: %s", segment, (unsigned long long)offset, reason);
}

static vg_rc open_spool(vg_serve *s, vg_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/spool", s->conf->data_dir);
    vg_rc rc = make_dir(s->conf->data_dir, err);
    if (!rc)
        rc = make_dir(dir, err);
    if (rc)
        return rc;
    vg_spool_opts o;
    vg_spool_opts_default(&o);
    o.segment_bytes = (uint64_t)s->conf->spool_segment_mb << 20;
    /* with sync: always, acknowledged records (HTTP) are synced by their request; the rest
     * within the interval */
    o.sync = s->conf->spool_sync == VG_SPOOL_SYNC_NEVER ? VG_SPOOL_SYNC_NEVER : VG_SPOOL_SYNC_INTERVAL;
    o.sync_interval_ms = s->conf->spool_sync_interval_ms ? s->conf->spool_sync_interval_ms : 1000;
    rc = vg_spool_open(&s->spool, dir, &o, on_spool_damage, s, err);
    if (!rc) {
        vg_spool_stats st;
        vg_spool_stats_get(s->spool, &st);
        vg_log(VG_LOG_INFO, "spool: %s: %u segments, %llu bytes, next record %llu", dir, st.segments,
               (unsigned long long)st.bytes, (unsigned long long)st.next_seq);
    }
    return rc;
}

/* Starts the file inputs at their saved positions (read on a handle of their own: the store
 * writer owns its handle). */
static vg_rc start_files(vg_serve *s, vg_error *err)
{
    const vg_config *c = s->conf;
    if (!c->nfiles)
        return VG_OK;
    vg_follow_pos *saved = vg_calloc(c->nfiles, sizeof(*saved));
    vg_store *st = NULL;
    vg_rc rc = saved ? vg_store_open_readonly(&st, c->store_path, err) : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; !rc && i < c->nfiles; i++) {
        vg_store_file_pos p;
        rc = vg_store_file_position(st, c->files[i].path, &p, err);
        if (rc == VG_ERR_NOTFOUND)
            rc = VG_OK;
        else if (!rc)
            saved[i] = (vg_follow_pos){ p.dev, p.ino, p.offset };
    }
    vg_store_close(st);
    if (!rc)
        rc = vg_serve_files_start(s, saved, atomic_load(&s->m.committed_seq) + 1, &s->files, err);
    vg_free(saved);
    return rc;
}

/* ---- the metrics ---- */

static void metric(vg_buf *b, const char *name, const char *help, const char *type)
{
    vg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void listener_metrics(vg_serve *s, vg_buf *b)
{
    static const struct {
        const char *name, *help;
        size_t off;
    } cs[] = {
        { "vigil_received_total", "Records accepted into the spool.", offsetof(vg_serve_lcount, received) },
        { "vigil_received_bytes_total", "Bytes read by the listener.", offsetof(vg_serve_lcount, bytes) },
        { "vigil_dropped_total", "Records dropped: UDP datagrams while the backlog was full, records the spool "
          "refused (a full disk).", offsetof(vg_serve_lcount, dropped) },
        { "vigil_bad_input_total", "Framing errors and oversized records, reported and skipped.",
          offsetof(vg_serve_lcount, bad) },
        { "vigil_refused_total", "Connections or requests refused (limit, token, backlog, size).",
          offsetof(vg_serve_lcount, refused) },
        { "vigil_connections_total", "Connections or requests accepted.", offsetof(vg_serve_lcount, connections) },
    };
    for (size_t k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
        metric(b, cs[k].name, cs[k].help, "counter");
        for (size_t i = 0; i < s->conf->nlisteners + s->conf->nfiles; i++) {
            const atomic_uint_fast64_t *v = (const void *)((const char *)&s->m.listeners[i] + cs[k].off);
            int file = i >= s->conf->nlisteners;
            vg_buf_printf(b, "%s{listener=\"%s%s\",type=\"%s\"} %llu\n", cs[k].name, file ? "file:" : "",
                          file ? s->conf->files[i - s->conf->nlisteners].path : s->conf->listeners[i].name,
                          file ? "file" : vg_listen_kind_name(s->conf->listeners[i].kind),
                          (unsigned long long)atomic_load(v));
        }
    }
}

static void latency_metrics(vg_serve *s, vg_buf *b)
{
    metric(b, "vigil_store_latency_seconds", "Time from receipt to the stored result, per record.", "histogram");
    uint64_t cum = 0;
    for (unsigned i = 0; i < VG_SERVE_LAT_BUCKETS; i++) {
        cum += atomic_load(&s->m.lat_count[i]);
        if (i + 1 < VG_SERVE_LAT_BUCKETS)
            vg_buf_printf(b, "vigil_store_latency_seconds_bucket{le=\"%g\"} %llu\n", (double)(1ull << i) / 1000.0,
                          (unsigned long long)cum);
    }
    vg_buf_printf(b, "vigil_store_latency_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    vg_buf_printf(b, "vigil_store_latency_seconds_sum %.6f\nvigil_store_latency_seconds_count %llu\n",
                  (double)atomic_load(&s->m.lat_sum_us) / 1e6, (unsigned long long)cum);
}

static void rule_metrics(vg_serve *s, vg_buf *b)
{
    vg_serve_det *d = vg_serve_det_acquire(s);
    metric(b, "vigil_reloads_total", "Reloads (SIGHUP) that took effect, and that failed.", "counter");
    vg_buf_printf(b, "vigil_reloads_total{result=\"ok\"} %llu\nvigil_reloads_total{result=\"failed\"} %llu\n",
                  (unsigned long long)atomic_load(&s->m.reloads), (unsigned long long)atomic_load(&s->m.reload_failures));
    vg_auditjoin_stats js = { 0, 0, 0 };
    if (d->shared_init)
        js = vg_detect_join_stats(&d->shared);
    metric(b, "vigil_auditd_processes_total",
           "Process starts joined from the audit records of an exec, since the last reload.", "counter");
    vg_buf_printf(b, "vigil_auditd_processes_total %llu\n", (unsigned long long)js.joined);
    metric(b, "vigil_auditd_execs_dropped_total",
           "Execs left unfinished because the audit join was full, since the last reload.", "counter");
    vg_buf_printf(b, "vigil_auditd_execs_dropped_total %llu\n", (unsigned long long)js.dropped);
    if (d->rules) {
        const vg_sigma_engine *e = vg_sigma_set_engine(d->rules);
        metric(b, "vigil_rule_alerts_total", "Alerts per Sigma rule since the last reload (rules with alerts only).",
               "counter");
        for (size_t i = 0; i < d->nrules; i++) {
            uint64_t v = atomic_load(&d->rule_alerts[i]);
            const vg_sigma_rule *r = vg_sigma_engine_entry(e, i)->rule;
            if (v && r)
                vg_buf_printf(b, "vigil_rule_alerts_total{rule_id=\"%s\"} %llu\n", r->meta.id ? r->meta.id : "",
                              (unsigned long long)v);
        }
    }
    vg_serve_det_release(s, d);
}

vg_rc vg_serve_metrics_text(vg_serve *s, vg_buf *b)
{
    listener_metrics(s, b);
    vg_spool_stats st;
    vg_spool_stats_get(s->spool, &st);
    static const char *names[] = { "vigil_decoded_total", "vigil_rejected_total", "vigil_alerts_total",
                                   "vigil_intel_alerts_total", "vigil_sigma_alerts_total" };
    static const char *helps[] = { "Events decoded.", "Records no decoder accepted (counted, logged at debug).",
                                   "Alerts stored.", "Alerts of indicator matching.", "Alerts of Sigma rules." };
    uint64_t vals[] = { atomic_load(&s->m.decoded), atomic_load(&s->m.rejected), atomic_load(&s->m.alerts),
                        atomic_load(&s->m.intel_alerts), atomic_load(&s->m.sigma_alerts) };
    for (int i = 0; i < 5; i++) {
        metric(b, names[i], helps[i], "counter");
        vg_buf_printf(b, "%s %llu\n", names[i], (unsigned long long)vals[i]);
    }
    metric(b, "vigil_queue_depth", "Records received and not yet stored (the backlog).", "gauge");
    vg_buf_printf(b, "vigil_queue_depth %llu\n", (unsigned long long)vg_serve_backlog(s));
    metric(b, "vigil_spool_bytes", "Size of the spool's segment files.", "gauge");
    vg_buf_printf(b, "vigil_spool_bytes %llu\n", (unsigned long long)st.bytes);
    metric(b, "vigil_spool_damaged_records_total", "Spool records skipped as damaged.", "counter");
    vg_buf_printf(b, "vigil_spool_damaged_records_total %llu\n", (unsigned long long)st.damaged_records);
    metric(b, "vigil_stored_seq", "The last spool record whose results are stored (the watermark).", "gauge");
    vg_buf_printf(b, "vigil_stored_seq %llu\n", (unsigned long long)atomic_load(&s->m.committed_seq));
    metric(b, "vigil_store_commits_total", "Store transactions (each holds one or more worker batches).", "counter");
    vg_buf_printf(b, "vigil_store_commits_total %llu\n", (unsigned long long)atomic_load(&s->m.commits));
    metric(b, "vigil_batches_total", "Worker batches stored.", "counter");
    vg_buf_printf(b, "vigil_batches_total %llu\n", (unsigned long long)atomic_load(&s->m.batches));
    metric(b, "vigil_failing", "1 once processing has stopped (the store refused a commit).", "gauge");
    vg_buf_printf(b, "vigil_failing %d\n", atomic_load(&s->m.failing));
    metric(b, "vigil_uptime_seconds", "Seconds since the daemon started.", "gauge");
    vg_buf_printf(b, "vigil_uptime_seconds %.0f\n", (double)(vg_now_us() - s->m.started_us) / 1e6);
    latency_metrics(s, b);
    rule_metrics(s, b);
    return VG_OK;
}

/* ---- run ---- */

static void serve_free(vg_serve *s)
{
    vg_serve_http_stop(s->http);
    vg_serve_net_stop(s->net);
    vg_serve_files_stop(s->files);
    vg_serve_work_stop(s->work);
    vg_serve_det_free(s->det); /* the workers let go of theirs */
    pthread_mutex_destroy(&s->det_lock);
    vg_spool_close(s->spool);
    vg_free(s->m.listeners);
}

static void log_totals(vg_serve *s)
{
    uint64_t received = 0;
    for (size_t i = 0; i < s->conf->nlisteners + s->conf->nfiles; i++)
        received += atomic_load(&s->m.listeners[i].received);
    vg_log(VG_LOG_INFO, "stopped: %llu records received, %llu events decoded, %llu rejected, %llu alerts stored; "
           "stored through record %llu", (unsigned long long)received, (unsigned long long)atomic_load(&s->m.decoded),
           (unsigned long long)atomic_load(&s->m.rejected), (unsigned long long)atomic_load(&s->m.alerts),
           (unsigned long long)atomic_load(&s->m.committed_seq));
}

/* Waits for SIGTERM or SIGINT (blocked in every thread); SIGHUP reloads. */
static void wait_for_stop(vg_serve *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            vg_error err;
            vg_error_clear(&err);
            vg_log(VG_LOG_INFO, "SIGHUP: reloading the rules and the indicator snapshot");
            if (vg_serve_reload(s, &err) == VG_OK) {
                atomic_fetch_add(&s->m.reloads, 1);
            } else {
                atomic_fetch_add(&s->m.reload_failures, 1);
                vg_log(VG_LOG_ERROR, "reload failed, the previous rules and snapshot stay: %s", err.msg);
            }
            continue;
        }
        vg_log(VG_LOG_INFO, "%s: stopping: draining the queue", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        return;
    }
}

vg_rc vg_serve_run(const vg_config *conf, const char *path, vg_error *err)
{
    vg_serve s = { .conf = conf, .conf_path = path };
    pthread_mutex_init(&s.det_lock, NULL);
    s.m.started_us = vg_now_us();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* threads started below inherit the mask */
    /* counters per source: the listeners, then the file inputs */
    s.m.listeners = vg_calloc(conf->nlisteners + conf->nfiles + 1, sizeof(*s.m.listeners));
    vg_rc rc = s.m.listeners ? VG_OK : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    /* every socket is bound first (privileged ports), then privileges are dropped, then the
     * files are opened as the unprivileged user */
    if (!rc)
        rc = vg_serve_net_bind(&s, &s.net, err);
    if (!rc)
        rc = vg_serve_http_bind(&s, &s.http, err);
    if (!rc)
        rc = drop_privileges(conf, err);
    if (!rc)
        rc = open_spool(&s, err);
    if (!rc && (rc = vg_serve_det_load(conf, 1, &s.det, err)) == VG_OK)
        s.det->refs = 1; /* the daemon's own reference */
    if (!rc)
        rc = vg_serve_work_start(&s, &s.work, err);
    if (!rc)
        rc = start_files(&s, err);
    if (!rc)
        rc = vg_serve_http_start(s.http, err);
    if (!rc)
        rc = vg_serve_net_start(s.net, err);
    if (rc) {
        serve_free(&s);
        return rc;
    }
    vg_log(VG_LOG_INFO, "ready: data in %s, store %s, pid %ld", conf->data_dir, conf->store_path, (long)getpid());
    wait_for_stop(&s);
    atomic_store(&s.stopping, 1);
    vg_serve_http_stop(s.http);
    s.http = NULL;
    vg_serve_net_stop(s.net);
    s.net = NULL;
    vg_serve_files_stop(s.files);
    s.files = NULL;
    vg_serve_work_stop(s.work);
    s.work = NULL;
    log_totals(&s);
    serve_free(&s);
    return VG_OK;
}

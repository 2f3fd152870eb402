/*
 * serve-detect: the daemon's detection state and its reload (see serve.h). A generation
 * (vg_serve_det) holds what the workers match against: the Sigma rule set, the indicator
 * snapshot and its matcher, the shared detect state, and the per-rule alert counters. The
 * daemon points at the current generation; each worker holds a reference to the one it uses
 * and moves to the current one between batches, so a reload (SIGHUP) builds the new
 * generation beside the old, swaps the pointer, and the old one is freed when its last
 * worker lets go: matching never pauses and no record is dropped.
 */
#include "serve.h"

#include <time.h>

#include "util-hscache.h"
#include "util-log.h"
#include "util-mem.h"

static void on_rules_error(void *ctx, const char *msg)
{
    (void)ctx;
    vg_log(VG_LOG_ERROR, "rules: %s", msg);
}

static vg_rc load_rules(vg_serve_det *d, const vg_config *c, size_t max_value, vg_error *err)
{
    char cache[4096];
    vg_detect_rules_opts o = { .paths = c->rules, .npaths = c->nrules, .mapping = c->mapping,
                               .placeholders = c->placeholders,
                               .cache_dir = vg_hscache_default_dir(cache, sizeof(cache)),
                               .max_value = max_value, .now = (int64_t)time(NULL) };
    vg_detect_rules_info info;
    vg_rc rc = vg_detect_load_rules(&d->rules, &o, on_rules_error, NULL, &info, err);
    if (rc)
        return rc;
    vg_log(VG_LOG_INFO, "rules: %zu active, %zu not applicable, %zu rejected, from %zu files",
           info.status[VG_SIGMA_ACTIVE], info.status[VG_SIGMA_NOT_APPLICABLE],
           info.status[VG_SIGMA_REJECTED] + info.rejected_docs, info.files);
    d->nrules = vg_sigma_engine_count(vg_sigma_set_engine(d->rules));
    if (!(d->rule_alerts = vg_calloc(d->nrules ? d->nrules : 1, sizeof(*d->rule_alerts))))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    return VG_OK;
}

vg_rc vg_serve_det_load(const vg_config *c, uint64_t gen, vg_serve_det **out, vg_error *err)
{
    vg_serve_det *d = vg_calloc(1, sizeof(*d));
    if (!d)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    d->gen = gen;
    size_t max_value = vg_config_max_record(c);
    vg_rc rc = c->nrules ? load_rules(d, c, max_value, err) : VG_OK;
    if (!rc && c->intel) {
        rc = vg_snap_open(&d->snap, c->intel, 0, err);
        if (!rc)
            rc = vg_intel_matcher_new(&d->matcher, 1, NULL, 0, err);
        if (!rc)
            vg_log(VG_LOG_INFO, "intel: %s", c->intel);
    }
    if (!rc && !d->rules && !d->matcher)
        vg_log(VG_LOG_WARN, "no rules and no indicator snapshot configured: records are decoded and counted only");
    if (!rc && (rc = vg_detect_shared_init(&d->shared, d->rules, d->matcher, max_value, 1)) == VG_OK)
        d->shared_init = 1;
    if (rc) {
        vg_serve_det_free(d);
        return rc;
    }
    *out = d;
    return VG_OK;
}

void vg_serve_det_free(vg_serve_det *d)
{
    if (!d)
        return;
    if (d->shared_init)
        vg_detect_shared_free(&d->shared);
    vg_sigma_set_free(d->rules);
    vg_intel_matcher_free(d->matcher);
    if (d->snap)
        vg_snap_close(d->snap);
    vg_free(d->rule_alerts);
    vg_free(d);
}

vg_serve_det *vg_serve_det_acquire(vg_serve *s)
{
    pthread_mutex_lock(&s->det_lock);
    vg_serve_det *d = s->det;
    d->refs++;
    pthread_mutex_unlock(&s->det_lock);
    return d;
}

void vg_serve_det_release(vg_serve *s, vg_serve_det *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&s->det_lock);
    int last = --d->refs == 0 && d != s->det;
    pthread_mutex_unlock(&s->det_lock);
    if (last) {
        vg_log(VG_LOG_INFO, "detection generation %llu retired", (unsigned long long)d->gen);
        vg_serve_det_free(d);
    }
}

vg_rc vg_serve_reload(vg_serve *s, vg_error *err)
{
    vg_config *c = NULL;
    vg_rc rc = vg_config_load(&c, s->conf_path, err);
    if (rc)
        return rc;
    if (vg_config_check(c, NULL, NULL) != 0) {
        vg_config_free(c);
        return vg_fail(err, VG_ERR_USAGE, 0, "the configuration has errors (vigil config check says which)");
    }
    if (c->nlisteners != s->conf->nlisteners || c->nunits != s->conf->nunits)
        vg_log(VG_LOG_WARN, "reload: listeners and units are taken from the configuration at start; restart to "
               "change them");
    vg_serve_det *d = NULL;
    rc = vg_serve_det_load(c, s->det->gen + 1, &d, err);
    vg_log_set_level(c->log_level);
    vg_config_free(c);
    if (rc)
        return rc;
    pthread_mutex_lock(&s->det_lock);
    vg_serve_det *old = s->det;
    s->det = d;
    d->refs++; /* the daemon's own reference */
    pthread_mutex_unlock(&s->det_lock);
    vg_serve_work_notify(s->work);
    vg_serve_det_release(s, old);
    vg_log(VG_LOG_INFO, "reload: detection generation %llu in use", (unsigned long long)d->gen);
    return VG_OK;
}

/*
 * detect: the detectors of one event, shared by vigil scan and the daemon's workers (see
 * detect.h). A vg_detector holds one thread's state: the intel scratch, the Sigma worker, the
 * buffer its alerts are formatted in, and its counts. The Sigma engine runs without a lock;
 * each hit then takes the shared lock to pass the filters and feed the correlations, whose
 * state is one for all workers.
 */
#include "detect.h"

#include <string.h>

#include "json-write.h"
#include "util-mem.h"

#define DETECT_EVENT_ID_SHIFT 40    /* event ids: detector number above, event count below */

struct vg_detector {
    vg_detect_shared *s;
    vg_intel_scratch *scratch;
    vg_sigma_worker *sigma;
    vg_intel_stats ist;
    vg_sigma_stats sst;
    vg_buf out;
    uint64_t event_id;
    /* the event being matched */
    const vg_snap *snap;
    const vg_alert_origin *origin;
    int64_t now;
    vg_detect_fn fn;
    void *ctx;
    vg_auditjoin_proc *proc;        /* the process of an exec the last record completed */
    vg_event *pev;                  /* its event */
};

typedef struct load_errors {
    void (*fn)(void *ctx, const char *msg);
    void *ctx;
    size_t n;
} load_errors;

static void on_load_error(void *ctx, const char *msg)
{
    load_errors *le = ctx;
    le->n++;
    if (le->fn)
        le->fn(le->ctx, msg);
}

vg_rc vg_detect_load_rules(vg_sigma_set **out, const vg_detect_rules_opts *o,
                           void (*on_error)(void *ctx, const char *msg), void *ctx, vg_detect_rules_info *info,
                           vg_error *err)
{
    vg_sigma_set *set = NULL;
    load_errors le = { on_error, ctx, 0 };
    memset(info, 0, sizeof(*info));
    *out = NULL;
    vg_rc rc = vg_sigma_set_new(&set, o->mapping, o->placeholders, err);
    for (size_t i = 0; !rc && i < o->npaths; i++)
        rc = vg_sigma_set_add(set, o->paths[i], on_load_error, &le, err);
    if (!rc && le.n)
        rc = vg_fail(err, VG_ERR_IO, 0, "%zu rule files or directories could not be read", le.n);
    if (!rc)
        rc = vg_sigma_set_correlate(set, &o->corr, o->max_value, err);
    if (rc) {
        vg_sigma_set_free(set);
        return rc;
    }
    vg_sigma_corr_set_now(vg_sigma_set_corr(set), o->now);
    const vg_sigma_engine *e = vg_sigma_set_engine(set);
    for (size_t i = 0; i < vg_sigma_engine_count(e); i++)
        info->status[vg_sigma_engine_entry(e, i)->status]++;
    info->files = vg_sigma_set_nfiles(set);
    for (size_t f = 0; f < info->files; f++)
        for (uint32_t d = 0; d < vg_sigma_set_file(set, f)->ndocs; d++)
            info->rejected_docs += vg_sigma_set_file(set, f)->docs[d].rule == NULL;
    if (info->status[VG_SIGMA_ACTIVE] == 0) {
        vg_sigma_set_free(set);
        return vg_fail(err, VG_ERR_NOTFOUND, 0, "no active rule");
    }
    if (!o->reference) {
        vg_sigma_set_cache(set, o->cache_dir);
        if ((rc = vg_sigma_set_build(set, err)) != VG_OK) {
            vg_sigma_set_free(set);
            return rc;
        }
        info->build = vg_sigma_engine_build_info(e);
    }
    *out = set;
    return VG_OK;
}

vg_rc vg_detect_shared_init(vg_detect_shared *s, vg_sigma_set *rules, const vg_intel_matcher *matcher,
                            size_t max_value, int json)
{
    memset(s, 0, sizeof(*s));
    s->rules = rules;
    s->matcher = matcher;
    s->max_value = max_value;
    s->json = json;
    vg_error err;
    if (vg_auditjoin_new(&s->join, &err) != VG_OK)
        return VG_ERR_NOMEM;
    if (pthread_mutex_init(&s->corr_lock, NULL) != 0) {
        vg_auditjoin_free(s->join);
        return VG_ERR_NOMEM;
    }
    return VG_OK;
}

void vg_detect_shared_free(vg_detect_shared *s)
{
    pthread_mutex_destroy(&s->corr_lock);
    vg_auditjoin_free(s->join);
    s->join = NULL;
}

vg_rc vg_detector_new(vg_detector **out, vg_detect_shared *s, vg_error *err)
{
    vg_detector *d = vg_calloc(1, sizeof(*d));
    if (!d)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    d->s = s;
    vg_buf_init(&d->out, 0);
    pthread_mutex_lock(&s->corr_lock);
    d->event_id = ++s->next_detector << DETECT_EVENT_ID_SHIFT;
    pthread_mutex_unlock(&s->corr_lock);
    vg_rc rc = s->matcher ? vg_intel_scratch_new(&d->scratch, err) : VG_OK;
    if (!rc && (!(d->proc = vg_malloc(sizeof *d->proc)) || !(d->pev = vg_malloc(sizeof *d->pev))))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    if (!rc && s->rules)
        rc = vg_sigma_worker_new(&d->sigma, vg_sigma_set_engine(s->rules), s->max_value, err);
    if (rc) {
        vg_detector_free(d);
        return rc;
    }
    *out = d;
    return VG_OK;
}

void vg_detector_free(vg_detector *d)
{
    if (!d)
        return;
    vg_intel_scratch_free(d->scratch);
    vg_sigma_worker_free(d->sigma);
    vg_buf_free(&d->out);
    vg_free(d->proc);
    vg_free(d->pev);
    vg_free(d);
}

/* Hands an alert over, formatted in d->out when JSON is wanted. */
static vg_rc deliver(vg_detector *d, vg_detect_alert *a)
{
    if (d->s->json) {
        a->json = d->out.data;
        a->len = d->out.len;
    }
    return d->fn(d->ctx, a);
}

/* Ends the alert in d->out, without the line end (callers add their own separator). */
static vg_rc end_alert(vg_detector *d, const vg_event *ev)
{
    vg_rc rc = vg_alert_end(&d->out, ev);
    if (!rc && d->out.len && d->out.data[d->out.len - 1] == '\n')
        d->out.data[--d->out.len] = '\0';
    return rc;
}

static vg_rc on_intel(void *ctx, const vg_intel_alert *ia)
{
    vg_detector *d = ctx;
    vg_detect_alert a = { .kind = "intel", .ev = ia->ev, .intel = ia };
    vg_rc rc = VG_OK;
    if (d->s->json) {
        vg_buf_reset(&d->out);
        rc = vg_alert_begin(&d->out, "intel", ia->ev, d->origin, d->now);
        if (!rc)
            rc = vg_intel_alert_json(&d->out, ia);
        if (!rc)
            rc = end_alert(d, ia->ev);
    }
    return rc ? rc : deliver(d, &a);
}

static void json_list(vg_buf *b, const char *key, const vg_sigma_strlist *l)
{
    if (!l->n)
        return;
    vg_buf_printf(b, ",\"%s\":[", key);
    for (uint32_t i = 0; i < l->n; i++) {
        if (i)
            vg_buf_putc(b, ',');
        vg_jw_string(b, l->v[i], strlen(l->v[i]), NULL);
    }
    vg_buf_putc(b, ']');
}

static void json_text(vg_buf *b, const char *key, const char *v)
{
    if (!v)
        return;
    vg_buf_printf(b, ",\"%s\":", key);
    vg_jw_string(b, v, strlen(v), NULL);
}

/* The "rule" and "matched" members of a Sigma alert. */
static void sigma_json(vg_buf *b, const vg_sigma_hit *hit)
{
    const vg_sigma_rule *r = hit->entry->rule;
    vg_buf_puts(b, ",\"rule\":{\"ruleset\":\"sigma\"");
    json_text(b, "id", r->meta.id);
    json_text(b, "name", r->meta.title);
    json_text(b, "level", r->meta.level);
    json_text(b, "status", r->meta.status);
    json_text(b, "author", r->meta.author);
    json_list(b, "tags", &r->meta.tags);
    json_list(b, "references", &r->meta.references);
    json_text(b, "file", hit->entry->file);
    vg_buf_puts(b, "},\"matched\":{\"as\":");
    vg_jw_string(b, hit->source, strlen(hit->source), NULL);
    vg_buf_puts(b, ",\"fields\":[");
    for (size_t i = 0; i < hit->nmatched; i++) {
        const vg_sigma_matched *m = &hit->matched[i];
        vg_buf_puts(b, i ? ",{\"search\":" : "{\"search\":");
        vg_jw_string(b, m->search, strlen(m->search), NULL);
        vg_buf_puts(b, ",\"field\":");
        vg_jw_string(b, m->field, strlen(m->field), NULL);
        if (m->value.type != VG_JSON_NONE) {
            vg_buf_puts(b, ",\"value\":");
            vg_jw_value(b, &m->value);
        }
        vg_buf_putc(b, '}');
    }
    vg_buf_puts(b, "]}");
}

/* An alert of sigma-corr: a rule's hit that passed the filters, or a correlation's. */
static vg_rc on_rule(void *ctx, const vg_event *ev, const vg_sigma_hit *hit, const vg_sigma_corr_alert *corr)
{
    vg_detector *d = ctx;
    vg_detect_alert a = { .kind = "sigma", .ev = ev, .sigma = hit, .corr = corr };
    vg_rc rc = VG_OK;
    if (d->s->json) {
        vg_buf_reset(&d->out);
        rc = vg_alert_begin(&d->out, "sigma", ev, d->origin, d->now);
        if (!rc)
            sigma_json(&d->out, hit);
        if (!rc && corr)
            rc = vg_sigma_corr_json(&d->out, corr);
        if (!rc)
            rc = end_alert(d, ev);
    }
    return rc ? rc : deliver(d, &a);
}

/* A hit of the engine: filters and correlations under the shared lock. */
static vg_rc on_hit(void *ctx, const vg_event *ev, const vg_sigma_hit *hit)
{
    vg_detector *d = ctx;
    pthread_mutex_lock(&d->s->corr_lock);
    vg_rc rc = vg_sigma_corr_hit(vg_sigma_set_corr(d->s->rules), d->event_id, ev, hit, on_rule, d);
    pthread_mutex_unlock(&d->s->corr_lock);
    return rc;
}

/* The snapshot, then the rules, on one event. */
static vg_rc detect_one(vg_detector *d, const vg_event *ev)
{
    vg_rc rc = VG_OK;
    d->event_id++;
    if (d->snap && d->s->matcher)
        rc = vg_intel_match_event(d->s->matcher, d->scratch, d->snap, ev, d->now, on_intel, d, &d->ist);
    if (!rc && d->s->rules)
        rc = vg_sigma_engine_match(vg_sigma_set_engine(d->s->rules), d->sigma, ev, on_hit, d, &d->sst);
    return rc;
}

vg_rc vg_detect_event(vg_detector *d, const vg_snap *snap, const vg_event *ev, const vg_alert_origin *o,
                      int64_t now, vg_detect_fn fn, void *ctx)
{
    d->snap = snap;
    d->origin = o;
    d->now = now;
    d->fn = fn;
    d->ctx = ctx;
    vg_rc rc = detect_one(d, ev);
    if (!rc && d->s->join && vg_auditjoin_wants(ev) && vg_auditjoin_offer(d->s->join, ev, d->proc)) {
        vg_auditjoin_event(d->proc, d->pev);
        rc = detect_one(d, d->pev);
    }
    return rc;
}

const vg_intel_stats *vg_detector_intel_stats(const vg_detector *d)
{
    return &d->ist;
}

const vg_sigma_stats *vg_detector_sigma_stats(const vg_detector *d)
{
    return &d->sst;
}

vg_auditjoin_stats vg_detect_join_stats(vg_detect_shared *s)
{
    vg_auditjoin_stats none = { 0, 0, 0 };
    return s->join ? vg_auditjoin_get_stats(s->join) : none;
}

/*
 * sigma-corr: resolving correlation rules and filters, feeding hits to correlations, and the
 * JSON of correlation alerts (see sigma-corr.h; the windows are in sigma-corr-window.c).
 */
#include "sigma-corr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-write.h"
#include "sigma-corr-internal.h"
#include "util-mem.h"
#include "util-time.h"

#define CC_NUM_TEXT 64          /* limit: characters of a number read from a condition field */
#define CC_MAX_SECONDS 9000000000ll     /* event times are clamped to +-285 years around 1970 */

typedef struct cc_ref {
    uint32_t corr, slot;
} cc_ref;

struct vg_sigma_corr {
    vg_sigma_engine *e;
    const vg_sigma_mapping *map;
    cc_state s;
    cc_corr *corrs;             /* the active correlations */
    uint32_t ncorrs;
    uint32_t *ref_start;        /* [entry .. entry + 1): the correlations entry feeds, in refs */
    cc_ref *refs;
    uint8_t *printed;           /* per entry */
    /* filters: a hidden engine of the filters as detections */
    vg_sigma_engine *fe;
    vg_sigma_worker *fw;
    vg_sigma_file ffile;
    vg_sigma_rule *frules;
    uint32_t nfilters;
    uint32_t *filter_entry;     /* main engine entry of filter k */
    uint64_t *filter_drops;
    uint64_t *filter_fired;     /* event number filter k last matched */
    uint32_t *filt_start;       /* [entry .. entry + 1): the filters of entry, in filt */
    uint32_t *filt;
    /* the current event */
    const vg_event *ev;
    vg_sigma_alert_fn fn;
    void *ctx;
    uint64_t evno, filters_ran, time_no;
    uint64_t event_id;          /* vg_sigma_corr_hit: the caller's id of the current event */
    int64_t ev_ns, last_ns;
    const char *src_name;       /* the source last looked up, and its index */
    size_t src;
    vg_sigma_corr_totals tot;
    char key[VG_SIGMA_CORR_MAX_KEY];
    char vbuf[VG_SIGMA_CORR_MAX_KEY];
    vg_sigma_corr_gv gv[VG_SIGMA_CORR_MAX_GROUP_BY];
    const vg_sigma_entry *arules[VG_SIGMA_CORR_MAX_REFS];
};

/* ---- building ----------------------------------------------------------------------------- */

/* The entry whose id or name is ref, or -1. */
static long find_ref(const vg_sigma_engine *e, const char *ref)
{
    for (size_t i = 0; i < vg_sigma_engine_count(e); i++) {
        const vg_sigma_meta *m = &vg_sigma_engine_entry(e, i)->rule->meta;
        if ((m->id && strcmp(m->id, ref) == 0) || (m->name && strcmp(m->name, ref) == 0))
            return (long)i;
    }
    return -1;
}

#define RES_TOO_DEEP (-2)

typedef struct resolver {
    vg_sigma_engine *e;
    uint8_t *state;             /* 0 not seen, 1 being resolved, 2 done */
    uint8_t *depth;             /* chain depth of a done correlation */
} resolver;

static void set_status(resolver *r, size_t i, vg_sigma_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_status(resolver *r, size_t i, vg_sigma_status st, const char *fmt, ...)
{
    char why[VG_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    vg_sigma_engine_set_status(r->e, i, st, vg_sigma_engine_entry(r->e, i)->rule->line, why);
}

/* Resolves correlation entry i at chain level (0 at the top): 0 done (its status says how),
 * RES_TOO_DEEP when the chain below level is deeper than the limit (nothing is recorded). */
static int resolve(resolver *r, size_t i, unsigned level)
{
    const vg_sigma_entry *en = vg_sigma_engine_entry(r->e, i);
    const vg_sigma_correlation *co = &en->rule->correlation;
    if (r->state[i] == 2)
        return 0;
    if (level > VG_SIGMA_CORR_MAX_DEPTH)
        return RES_TOO_DEEP;
    r->state[i] = 1;
    unsigned depth = 1;
    for (uint32_t k = 0; k < co->rules.n; k++) {
        const char *ref = co->rules.v[k];
        long j = find_ref(r->e, ref);
        if (j < 0) {
            set_status(r, i, VG_SIGMA_REJECTED, "correlation rules: unknown rule '%.120s' (no rule has this id or "
                       "name)", ref);
            goto done;
        }
        const vg_sigma_entry *t = vg_sigma_engine_entry(r->e, (size_t)j);
        if (t->rule->kind == VG_SIGMA_FILTER) {
            set_status(r, i, VG_SIGMA_REJECTED, "correlation rules: '%.120s' is a filter", ref);
            goto done;
        }
        if (t->rule->kind == VG_SIGMA_CORRELATION) {
            if (r->state[j] == 1) {
                set_status(r, i, VG_SIGMA_REJECTED, "correlation rules: '%.120s' leads back to this correlation "
                           "(a cycle)", ref);
                goto done;
            }
            int rc = resolve(r, (size_t)j, level + 1);
            if (rc == RES_TOO_DEEP) {
                if (level > 0) {
                    r->state[i] = 0;
                    return RES_TOO_DEEP;
                }
                set_status(r, i, VG_SIGMA_REJECTED, "correlation rules: '%.120s' starts a chain of correlations "
                           "deeper than %u", ref, VG_SIGMA_CORR_MAX_DEPTH);
                goto done;
            }
            if (r->depth[j] + 1u > depth)
                depth = r->depth[j] + 1u;
        }
        if (t->status != VG_SIGMA_ACTIVE) {
            set_status(r, i, VG_SIGMA_NOT_APPLICABLE, "correlation rules: '%.120s' is %s", ref,
                       vg_sigma_status_name(t->status));
            goto done;
        }
    }
    if (depth > VG_SIGMA_CORR_MAX_DEPTH)
        set_status(r, i, VG_SIGMA_REJECTED, "correlations chained more than %u deep", VG_SIGMA_CORR_MAX_DEPTH);
    else if (co->rules.n > VG_SIGMA_CORR_MAX_REFS || co->group_by.n > VG_SIGMA_CORR_MAX_GROUP_BY ||
             co->field.n > VG_SIGMA_CORR_MAX_GROUP_BY)
        set_status(r, i, VG_SIGMA_REJECTED, "more than %u rules, or more than %u group-by or condition fields",
                   VG_SIGMA_CORR_MAX_REFS, VG_SIGMA_CORR_MAX_GROUP_BY);
    else if ((co->type == VG_SIGMA_CORR_VALUE_SUM || co->type == VG_SIGMA_CORR_VALUE_AVG) && co->field.n > 1)
        set_status(r, i, VG_SIGMA_REJECTED, "%s over several fields is not supported",
                   vg_sigma_corr_type_name(co->type));
    else
        vg_sigma_engine_set_status(r->e, i, VG_SIGMA_ACTIVE, en->rule->line, "");
done:
    r->state[i] = 2;
    r->depth[i] = (uint8_t)(depth > 255 ? 255 : depth);
    return 0;
}

/* The field that name (a group-by or condition field, maybe an alias) stands for in hits of
 * the correlation's rule slot: the alias's field for that rule, else name itself. */
static const char *alias_field(const vg_sigma_engine *e, const vg_sigma_correlation *co, uint32_t slot,
                               const char *name)
{
    const vg_sigma_meta *m = &vg_sigma_engine_entry(e, (size_t)find_ref(e, co->rules.v[slot]))->rule->meta;
    for (uint32_t a = 0; a < co->naliases; a++) {
        if (strcmp(co->aliases[a].alias, name) != 0)
            continue;
        for (uint32_t k = 0; k < co->aliases[a].rules.n; k++) {
            const char *rn = co->aliases[a].rules.v[k];
            if (strcmp(rn, co->rules.v[slot]) == 0 || (m->name && strcmp(rn, m->name) == 0) ||
                (m->id && strcmp(rn, m->id) == 0))
                return co->aliases[a].fields.v[k];
        }
    }
    return name;
}

static vg_rc setup_corr(vg_sigma_corr *c, cc_corr *k, const vg_sigma_entry *en)
{
    const vg_sigma_correlation *co = &en->rule->correlation;
    k->entry = en;
    k->def = co;
    k->nrefs = co->rules.n;
    k->ngb = co->group_by.n;
    k->nvf = co->field.n;
    k->span = (int64_t)co->timespan * 1000000000ll;
    k->gb = vg_calloc((size_t)k->nrefs * k->ngb + 1, sizeof *k->gb);
    k->vf = vg_calloc((size_t)k->nrefs * k->nvf + 1, sizeof *k->vf);
    if (!k->gb || !k->vf)
        return VG_ERR_NOMEM;
    for (uint32_t s = 0; s < k->nrefs; s++) {
        k->refs[s] = (uint32_t)find_ref(c->e, co->rules.v[s]);
        for (uint32_t g = 0; g < k->ngb; g++)
            k->gb[s * k->ngb + g] = alias_field(c->e, co, s, co->group_by.v[g]);
        for (uint32_t g = 0; g < k->nvf; g++)
            k->vf[s * k->nvf + g] = alias_field(c->e, co, s, co->field.v[g]);
    }
    return VG_OK;
}

/* Resolves every correlation, then lists the correlations each entry feeds and whether its
 * hits are printed. */
static vg_rc build_corrs(vg_sigma_corr *c, vg_error *err)
{
    size_t n = vg_sigma_engine_count(c->e);
    resolver r = { c->e, vg_calloc(n + 1, 1), vg_calloc(n + 1, 1) };
    uint32_t *nref = vg_calloc(n + 1, sizeof *nref), *ngen = vg_calloc(n + 1, sizeof *ngen);
    vg_rc rc = VG_OK;
    c->ref_start = vg_calloc(n + 2, sizeof *c->ref_start);
    c->printed = vg_calloc(n + 1, 1);
    if (!r.state || !r.depth || !nref || !ngen || !c->ref_start || !c->printed) {
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        goto out;
    }
    uint32_t active = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        if (vg_sigma_engine_entry(c->e, i)->rule->kind == VG_SIGMA_CORRELATION) {
            resolve(&r, i, 0);
            active += vg_sigma_engine_entry(c->e, i)->status == VG_SIGMA_ACTIVE;
        }
    if (!(c->corrs = vg_calloc(active + 1, sizeof *c->corrs))) {
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const vg_sigma_entry *en = vg_sigma_engine_entry(c->e, i);
        if (en->rule->kind != VG_SIGMA_CORRELATION || en->status != VG_SIGMA_ACTIVE)
            continue;
        cc_corr *k = &c->corrs[c->ncorrs++];
        if (setup_corr(c, k, en) != VG_OK)
            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        for (uint32_t s = 0; !rc && s < k->nrefs; s++) {
            nref[k->refs[s]]++;
            ngen[k->refs[s]] += k->def->generate == 1;
            total++;
        }
    }
    if (rc || !(c->refs = vg_calloc(total + 1, sizeof *c->refs))) {
        rc = rc ? rc : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        c->ref_start[i + 1] = c->ref_start[i] + nref[i];
        c->printed[i] = nref[i] == 0 || ngen[i] > 0;
        nref[i] = c->ref_start[i];
    }
    for (uint32_t k = 0; k < c->ncorrs; k++)
        for (uint32_t s = 0; s < c->corrs[k].nrefs; s++)
            c->refs[nref[c->corrs[k].refs[s]]++] = (cc_ref){ k, s };
out:
    vg_free(r.state);
    vg_free(r.depth);
    vg_free(nref);
    vg_free(ngen);
    return rc;
}

/* Resolves the filters' rules and compiles the filters as detections in a hidden engine. */
static vg_rc build_filters(vg_sigma_corr *c, const vg_sigma_mapping *map, const vg_sigma_placeholders *ph,
                           size_t max_value, vg_error *err)
{
    size_t n = vg_sigma_engine_count(c->e), nf = 0, links = 0;
    for (size_t i = 0; i < n; i++)
        nf += vg_sigma_engine_entry(c->e, i)->rule->kind == VG_SIGMA_FILTER;
    c->frules = vg_calloc(nf + 1, sizeof *c->frules);
    c->ffile.docs = vg_calloc(nf + 1, sizeof *c->ffile.docs);
    c->filter_entry = vg_calloc(nf + 1, sizeof *c->filter_entry);
    c->filt_start = vg_calloc(n + 2, sizeof *c->filt_start);
    if (!c->frules || !c->ffile.docs || !c->filter_entry || !c->filt_start)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    c->ffile.path = "filters";
    for (size_t i = 0; i < n; i++) {
        const vg_sigma_entry *en = vg_sigma_engine_entry(c->e, i);
        if (en->rule->kind != VG_SIGMA_FILTER)
            continue;
        const vg_sigma_strlist *rl = &en->rule->filter.rules;
        uint32_t k = 0;
        for (; k < rl->n; k++) {
            long j = find_ref(c->e, rl->v[k]);
            if (j < 0 || vg_sigma_engine_entry(c->e, (size_t)j)->rule->kind != VG_SIGMA_DETECTION) {
                char why[VG_ERROR_MSG_MAX];
                snprintf(why, sizeof why, "filter rules: '%.120s' is %s", rl->v[k],
                         j < 0 ? "no rule's id or name" : "not a detection rule");
                vg_sigma_engine_set_status(c->e, i, VG_SIGMA_REJECTED, en->rule->line, why);
                break;
            }
        }
        if (k < rl->n)
            continue;
        vg_sigma_rule *fr = &c->frules[c->nfilters];
        *fr = *en->rule;
        fr->kind = VG_SIGMA_DETECTION;
        fr->detection = en->rule->filter.detection;
        c->ffile.docs[c->nfilters].rule = fr;
        c->ffile.docs[c->nfilters].line = fr->line;
        c->filter_entry[c->nfilters++] = (uint32_t)i;
    }
    c->ffile.ndocs = c->nfilters;
    vg_rc rc = vg_sigma_engine_new(&c->fe, map, ph, err);
    if (!rc)
        rc = vg_sigma_engine_add(c->fe, &c->ffile, err);
    if (!rc)
        rc = vg_sigma_engine_build(c->fe, err);
    if (!rc)
        rc = vg_sigma_worker_new(&c->fw, c->fe, max_value, err);
    c->filter_drops = vg_calloc(c->nfilters + 1, sizeof *c->filter_drops);
    c->filter_fired = vg_calloc(c->nfilters + 1, sizeof *c->filter_fired);
    uint32_t *cnt = vg_calloc(n + 1, sizeof *cnt);
    if (!rc && (!c->filter_drops || !c->filter_fired || !cnt))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (uint32_t f = 0; !rc && f < c->nfilters; f++) {
        const vg_sigma_entry *fen = vg_sigma_engine_entry(c->fe, f);
        vg_sigma_engine_set_status(c->e, c->filter_entry[f], fen->status, fen->line, fen->reason);
        const vg_sigma_strlist *rl = &c->frules[f].filter.rules;
        for (uint32_t k = 0; fen->status == VG_SIGMA_ACTIVE && k < rl->n; k++, links++)
            cnt[find_ref(c->e, rl->v[k])]++;
    }
    if (!rc && !(c->filt = vg_calloc(links + 1, sizeof *c->filt)))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        c->filt_start[i + 1] = c->filt_start[i] + cnt[i];
        cnt[i] = c->filt_start[i];
    }
    for (uint32_t f = 0; !rc && f < c->nfilters; f++) {
        const vg_sigma_strlist *rl = &c->frules[f].filter.rules;
        for (uint32_t k = 0; vg_sigma_engine_entry(c->fe, f)->status == VG_SIGMA_ACTIVE && k < rl->n; k++)
            c->filt[cnt[find_ref(c->e, rl->v[k])]++] = f;
    }
    vg_free(cnt);
    return rc;
}

vg_rc vg_sigma_corr_new(vg_sigma_corr **out, vg_sigma_engine *e, const vg_sigma_mapping *map,
                        const vg_sigma_placeholders *ph, const vg_sigma_corr_limits *lim, size_t max_value,
                        vg_error *err)
{
    vg_sigma_corr *c = vg_calloc(1, sizeof *c);
    if (!c)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    c->e = e;
    c->map = map;
    c->src = SIZE_MAX;
    c->s.lim.max_groups = lim && lim->max_groups ? lim->max_groups : VG_SIGMA_CORR_MAX_GROUPS;
    c->s.lim.max_window = lim && lim->max_window ? lim->max_window : VG_SIGMA_CORR_MAX_WINDOW;
    c->s.lim.max_entries = lim && lim->max_entries ? lim->max_entries : VG_SIGMA_CORR_MAX_ENTRIES;
    vg_rc rc = build_filters(c, map, ph, max_value, err);
    if (!rc)
        rc = build_corrs(c, err);
    if (!rc && !(c->s.sort = vg_calloc(c->s.lim.max_window + 1, sizeof *c->s.sort)))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    if (rc) {
        vg_sigma_corr_free(c);
        return rc;
    }
    *out = c;
    return VG_OK;
}

void vg_sigma_corr_free(vg_sigma_corr *c)
{
    if (!c)
        return;
    for (uint32_t k = 0; k < c->ncorrs; k++) {
        cc_groups_free(&c->s, &c->corrs[k]);
        vg_free(c->corrs[k].gb);
        vg_free(c->corrs[k].vf);
    }
    vg_free(c->corrs);
    vg_free(c->ref_start);
    vg_free(c->refs);
    vg_free(c->printed);
    vg_sigma_worker_free(c->fw);
    vg_sigma_engine_free(c->fe);
    vg_free(c->frules);
    vg_free(c->ffile.docs);
    vg_free(c->filter_entry);
    vg_free(c->filter_drops);
    vg_free(c->filter_fired);
    vg_free(c->filt_start);
    vg_free(c->filt);
    vg_free(c->s.sort);
    vg_free(c);
}

void vg_sigma_corr_set_now(vg_sigma_corr *c, int64_t now)
{
    if (now > CC_MAX_SECONDS || now < -CC_MAX_SECONDS)
        now = now > 0 ? CC_MAX_SECONDS : -CC_MAX_SECONDS;
    c->last_ns = now * 1000000000ll;
}

/* ---- feeding ------------------------------------------------------------------------------ */

/* The event's time in ns: its @timestamp, else the time of the previous event with one. */
static int64_t event_time(vg_sigma_corr *c)
{
    if (c->time_no == c->evno)
        return c->ev_ns;
    c->time_no = c->evno;
    vg_value v = vg_event_get(c->ev, "@timestamp");
    const char *s;
    size_t n;
    vg_time t;
    if (vg_sigma_scalar_text(&v, c->vbuf, sizeof c->vbuf, &s, &n) == 1 &&
        ((v.type == VG_JSON_STRING && vg_time_parse_iso(s, n, 0, &t) == 0) ||
         (v.type == VG_JSON_NUMBER && vg_time_parse_epoch(s, n, &t) == 0)) &&
        t.sec < CC_MAX_SECONDS && t.sec > -CC_MAX_SECONDS) {
        c->last_ns = t.sec * 1000000000ll + t.nsec;
    } else {
        c->tot.untimed++;
    }
    c->ev_ns = c->last_ns;
    return c->ev_ns;
}

/* The value of field name in the event, through the mapping of the hit's source when it maps
 * the name, else as an event path. */
static vg_value field_value(vg_sigma_corr *c, const char *source, const char *name)
{
    if (source != c->src_name) {
        c->src_name = source;
        c->src = SIZE_MAX;
        for (size_t i = 0; i < vg_sigma_mapping_count(c->map); i++)
            if (strcmp(vg_sigma_source_name(c->map, i), source) == 0) {
                c->src = i;
                break;
            }
    }
    vg_sigma_place p;
    if (c->src != SIZE_MAX && vg_sigma_mapping_field(c->map, c->src, name, &p, NULL) == VG_OK)
        return vg_sigma_place_value(&p, c->ev);
    return vg_event_get(c->ev, name);
}

/* The text of field name: 1 with *s, *n; 0 absent or null; -1 longer than the key limit. */
static int field_text(vg_sigma_corr *c, const char *source, const char *name, const char **s, size_t *n)
{
    vg_value v = field_value(c, source, name);
    if (v.type == VG_JSON_OBJECT || v.type == VG_JSON_ARRAY) {
        *s = v.ptr;
        *n = v.len;
        return v.len <= VG_SIGMA_CORR_MAX_KEY ? 1 : -1;
    }
    return vg_sigma_scalar_text(&v, c->vbuf, sizeof c->vbuf, s, n);
}

/* Builds the group key of a hit of rule slot of k: per group-by field, presence, length and
 * bytes. Returns the length, or -1 when it exceeds VG_SIGMA_CORR_MAX_KEY. */
static long group_key(vg_sigma_corr *c, const cc_corr *k, uint32_t slot, const char *source)
{
    size_t len = 0;
    for (uint32_t g = 0; g < k->ngb; g++) {
        const char *s = "";
        size_t n = 0;
        int r = field_text(c, source, k->gb[slot * k->ngb + g], &s, &n);
        uint32_t n32 = (uint32_t)n;
        if (r < 0 || len + 1 + sizeof n32 + n > sizeof c->key)
            return -1;
        c->key[len++] = (char)(r == 1);
        memcpy(c->key + len, &n32, sizeof n32);
        memcpy(c->key + len + sizeof n32, s, n);
        len += sizeof n32 + n;
    }
    return (long)len;
}

/* Reads the condition fields of a hit into h: 0, or -1 when there is no usable value. */
static int hit_value(vg_sigma_corr *c, const cc_corr *k, uint32_t slot, const char *source, cc_ent *h)
{
    uint64_t hash = 0;
    int any = 0;
    for (uint32_t f = 0; f < k->nvf; f++) {
        const char *s;
        size_t n;
        int r = field_text(c, source, k->vf[slot * k->nvf + f], &s, &n);
        if (r < 0)
            return -1;
        any |= r == 1;
        if (r != 1)
            s = "", n = 0;
        hash = hash * 31u + cc_hash(s, n) + (uint64_t)(r == 1);
        if (k->def->type == VG_SIGMA_CORR_VALUE_SUM || k->def->type == VG_SIGMA_CORR_VALUE_AVG) {
            char num[CC_NUM_TEXT];
            char *end;
            if (r != 1 || n == 0 || n >= sizeof num)
                return -1;
            memcpy(num, s, n);
            num[n] = '\0';
            double d = strtod(num, &end);
            if (*end != '\0' || !isfinite(d))
                return -1;
            h->num = d;
        }
    }
    h->vhash = hash;
    return any ? 0 : -1;
}

static vg_rc feed(vg_sigma_corr *c, uint32_t entry, const vg_sigma_hit *hit, unsigned depth);

/* Emits the alert of k for group g (window ent[head..n) met the condition with v). */
static vg_rc corr_alert(vg_sigma_corr *c, cc_corr *k, cc_group *g, double v, uint64_t slots,
                        const vg_sigma_hit *hit, unsigned depth)
{
    vg_sigma_corr_alert a = { k->entry, k->def->type, c->gv, k->ngb, v, g->n - g->head, g->ent[g->head].t,
                              g->ent[g->n - 1].t, c->arules, 0 };
    size_t off = 0;
    for (uint32_t i = 0; i < k->ngb; i++) {
        uint32_t n;
        memcpy(&n, g->key + off + 1, sizeof n);
        c->gv[i] = (vg_sigma_corr_gv){ k->def->group_by.v[i], g->key + off + 1 + sizeof n, n, g->key[off] != 0 };
        off += 1 + sizeof n + n;
    }
    for (uint32_t s = 0; s < k->nrefs; s++)
        if ((slots >> s) & 1u)
            c->arules[a.nrules++] = vg_sigma_engine_entry(c->e, k->refs[s]);
    k->st.alerts++;
    cc_window_reset(&c->s, g);
    vg_sigma_hit ch = { k->entry, hit->source, NULL, 0 };
    vg_rc rc = VG_OK;
    if (c->printed[k->entry->index])
        rc = c->fn(c->ctx, c->ev, &ch, &a);
    else
        c->tot.unprinted++;
    if (!rc && depth < VG_SIGMA_CORR_MAX_DEPTH)
        rc = feed(c, k->entry->index, &ch, depth + 1);
    return rc;
}

/* Feeds a hit of rule slot to correlation k. */
static vg_rc corr_feed(vg_sigma_corr *c, cc_corr *k, uint32_t slot, const vg_sigma_hit *hit, unsigned depth)
{
    k->st.hits++;
    cc_ent h = { event_time(c), 0, 0, slot };
    if (k->nvf && hit_value(c, k, slot, hit->source, &h) != 0) {
        k->st.no_value++;
        return VG_OK;
    }
    long len = group_key(c, k, slot, hit->source);
    if (len < 0) {
        k->st.long_keys++;
        return VG_OK;
    }
    cc_group *g = cc_group_get(&c->s, k, c->key, (size_t)len);
    if (!g)
        return VG_ERR_NOMEM;
    vg_rc rc;
    if (!cc_window_add(&c->s, k, g, &h, &rc))
        return rc;
    uint64_t slots;
    double v = cc_measure(&c->s, k, g, &h, &slots);
    if (!cc_condition(k, v))
        return VG_OK;
    return corr_alert(c, k, g, v, slots, hit, depth);
}

static vg_rc feed(vg_sigma_corr *c, uint32_t entry, const vg_sigma_hit *hit, unsigned depth)
{
    vg_rc rc = VG_OK;
    for (uint32_t r = c->ref_start[entry]; r < c->ref_start[entry + 1] && !rc; r++)
        rc = corr_feed(c, &c->corrs[c->refs[r].corr], c->refs[r].slot, hit, depth);
    return rc;
}

static vg_rc on_filter(void *ctx, const vg_event *ev, const vg_sigma_hit *hit)
{
    vg_sigma_corr *c = ctx;
    (void)ev;
    c->filter_fired[hit->entry->index] = c->evno;
    return VG_OK;
}

/* Does a filter of entry match the current event? (The filters run once per event.) */
static vg_rc filtered(vg_sigma_corr *c, uint32_t entry, int *out)
{
    *out = 0;
    if (c->filt_start[entry] == c->filt_start[entry + 1])
        return VG_OK;
    if (c->filters_ran != c->evno) {
        vg_sigma_stats fst;
        memset(&fst, 0, sizeof fst);
        c->filters_ran = c->evno;
        vg_rc rc = vg_sigma_engine_match(c->fe, c->fw, c->ev, on_filter, c, &fst);
        if (rc)
            return rc;
    }
    for (uint32_t i = c->filt_start[entry]; i < c->filt_start[entry + 1]; i++)
        if (c->filter_fired[c->filt[i]] == c->evno) {
            c->filter_drops[c->filt[i]]++;
            c->tot.filtered++;
            *out = 1;
            return VG_OK;
        }
    return VG_OK;
}

static vg_rc on_hit(void *ctx, const vg_event *ev, const vg_sigma_hit *hit)
{
    vg_sigma_corr *c = ctx;
    uint32_t entry = hit->entry->index;
    int drop;
    vg_rc rc = filtered(c, entry, &drop);
    if (rc || drop)
        return rc;
    if (c->printed[entry])
        rc = c->fn(c->ctx, ev, hit, NULL);
    else
        c->tot.unprinted++;
    return rc ? rc : feed(c, entry, hit, 0);
}

vg_rc vg_sigma_corr_match(vg_sigma_corr *c, vg_sigma_worker *w, const vg_event *ev, vg_sigma_alert_fn fn,
                          void *ctx, vg_sigma_stats *st)
{
    c->evno++;
    c->ev = ev;
    c->fn = fn;
    c->ctx = ctx;
    return vg_sigma_engine_match(c->e, w, ev, on_hit, c, st);
}

vg_rc vg_sigma_corr_hit(vg_sigma_corr *c, uint64_t event_id, const vg_event *ev, const vg_sigma_hit *hit,
                        vg_sigma_alert_fn fn, void *ctx)
{
    if (c->evno == 0 || event_id != c->event_id) {
        c->evno++;
        c->event_id = event_id;
    }
    c->ev = ev;
    c->fn = fn;
    c->ctx = ctx;
    return on_hit(c, ev, hit);
}

/* ---- reporting ---------------------------------------------------------------------------- */

size_t vg_sigma_corr_count(const vg_sigma_corr *c)
{
    return c->ncorrs;
}

const vg_sigma_entry *vg_sigma_corr_entry(const vg_sigma_corr *c, size_t i)
{
    return i < c->ncorrs ? c->corrs[i].entry : NULL;
}

const vg_sigma_corr_stats *vg_sigma_corr_stats_of(const vg_sigma_corr *c, size_t i)
{
    return i < c->ncorrs ? &c->corrs[i].st : NULL;
}

size_t vg_sigma_corr_filter_count(const vg_sigma_corr *c)
{
    return c->nfilters;
}

const vg_sigma_entry *vg_sigma_corr_filter_entry(const vg_sigma_corr *c, size_t i, uint64_t *dropped)
{
    if (i >= c->nfilters)
        return NULL;
    if (dropped)
        *dropped = c->filter_drops[i];
    return vg_sigma_engine_entry(c->e, c->filter_entry[i]);
}

const vg_sigma_corr_totals *vg_sigma_corr_totals_of(const vg_sigma_corr *c)
{
    return &c->tot;
}

int vg_sigma_corr_printed(const vg_sigma_corr *c, size_t i)
{
    return i < vg_sigma_engine_count(c->e) ? c->printed[i] : 0;
}

static void json_time(vg_buf *b, const char *key, int64_t ns)
{
    int64_t sec = ns / 1000000000ll, rem = ns % 1000000000ll;
    if (rem < 0)
        sec--, rem += 1000000000ll;
    vg_time t = { sec, (uint32_t)rem, (uint8_t)(rem == 0 ? 0 : rem % 1000000 ? 9 : 3) };
    char text[VG_RFC3339_MAX];
    vg_time_format(&t, text);
    vg_buf_printf(b, ",\"%s\":\"%s\"", key, text);
}

vg_rc vg_sigma_corr_json(vg_buf *b, const vg_sigma_corr_alert *a)
{
    vg_buf_printf(b, ",\"correlation\":{\"type\":\"%s\",\"group\":[", vg_sigma_corr_type_name(a->type));
    for (size_t i = 0; i < a->ngroup; i++) {
        vg_buf_puts(b, i ? ",{\"field\":" : "{\"field\":");
        vg_jw_string(b, a->group[i].field, strlen(a->group[i].field), NULL);
        vg_buf_puts(b, ",\"value\":");
        if (a->group[i].present)
            vg_jw_string(b, a->group[i].value, a->group[i].len, NULL);
        else
            vg_buf_puts(b, "null");
        vg_buf_putc(b, '}');
    }
    if (isfinite(a->value))
        vg_buf_printf(b, "],\"value\":%.15g", a->value);
    else
        vg_buf_puts(b, "],\"value\":null");
    vg_buf_printf(b, ",\"events\":%llu", (unsigned long long)a->events);
    json_time(b, "first", a->first_ns);
    json_time(b, "last", a->last_ns);
    vg_buf_puts(b, ",\"rules\":[");
    for (size_t i = 0; i < a->nrules; i++) {
        const vg_sigma_meta *m = &a->rules[i]->rule->meta;
        vg_buf_puts(b, i ? ",{" : "{");
        if (m->id) {
            vg_buf_puts(b, "\"id\":");
            vg_jw_string(b, m->id, strlen(m->id), NULL);
            vg_buf_putc(b, ',');
        }
        vg_buf_puts(b, "\"title\":");
        vg_jw_string(b, m->title, strlen(m->title), NULL);
        vg_buf_putc(b, '}');
    }
    return vg_buf_puts(b, "]}");
}

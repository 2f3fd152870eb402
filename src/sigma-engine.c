/*
 * sigma-engine: compiling Sigma detection rules against the logsource mapping, and applying
 * them to events (see sigma-engine.h).
 */
#include "sigma-engine.h"

#include "sigma-prefilter.h"

#include <stdio.h>
#include <string.h>

#include "util-mem.h"

#define MAX_RULE_FIELDS 1024    /* limit: distinct field names of one rule */
#define MAX_RULE_SOURCES 256    /* limit: sources one rule applies to */
#define MAX_PLACES (1u << 20)   /* limit: distinct places all rules read */
#define MAX_EVENT_SOURCES 64    /* limit: sources one event is classified as */

const char *vg_sigma_status_name(vg_sigma_status s)
{
    static const char *const names[] = { "active", "not applicable", "rejected", "not run" };
    return (unsigned)s < 4 ? names[s] : "?";
}

/* ---- building ----------------------------------------------------------------------------- */

vg_rc vg_sigma_engine_new(vg_sigma_engine **out, const vg_sigma_mapping *map, const vg_sigma_placeholders *ph,
                          vg_error *err)
{
    vg_sigma_engine *e = vg_calloc(1, sizeof *e);
    size_t ns = vg_sigma_mapping_count(map);
    if (!e || !(e->by_source = vg_calloc(ns ? ns : 1, sizeof *e->by_source)) ||
        !(e->by_source_n = vg_calloc(ns ? ns : 1, sizeof *e->by_source_n)) ||
        !(e->by_source_cap = vg_calloc(ns ? ns : 1, sizeof *e->by_source_cap))) {
        vg_sigma_engine_free(e);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    e->map = map;
    e->ph = ph;
    *out = e;
    return VG_OK;
}

static void crule_free(sg_crule *r)
{
    if (!r)
        return;
    for (uint32_t s = 0; s < r->nsearches; s++) {
        for (uint32_t g = 0; g < r->searches[s].n; g++) {
            for (uint32_t f = 0; f < r->searches[s].groups[g].n; f++)
                vg_sigma_matcher_free(r->searches[s].groups[g].fields[f].m);
            vg_free(r->searches[s].groups[g].fields);
        }
        vg_free(r->searches[s].groups);
    }
    vg_free(r->searches);
    vg_free(r->names);
    vg_free(r->refs);
    vg_free(r->sources);
    vg_free(r->places);
    vg_free(r->ref_places);
    vg_free(r);
}

void vg_sigma_engine_free(vg_sigma_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nrules; i++)
        crule_free(e->rules[i]);
    vg_free(e->rules);
    for (size_t i = 0; i < e->nplaces; i++)
        vg_free((char *)(uintptr_t)e->places[i].name);
    vg_free(e->places);
    size_t ns = vg_sigma_mapping_count(e->map);
    for (size_t i = 0; e->by_source && i < ns; i++)
        vg_free(e->by_source[i]);
    vg_free(e->by_source);
    vg_free(e->by_source_n);
    vg_free(e->by_source_cap);
    vg_free(e->covers);
    sg_prefilter_free(e->pf);
    vg_free(e);
}

/* The index of place p among the engine's places, added if new; UINT32_MAX when out of memory
 * or beyond the limit. */
static uint32_t place_id(vg_sigma_engine *e, const vg_sigma_place *p)
{
    for (size_t i = 0; i < e->nplaces; i++)
        if (e->places[i].kind == p->kind && e->places[i].len == p->len && memcmp(e->places[i].name, p->name, p->len) == 0)
            return (uint32_t)i;
    if (e->nplaces == MAX_PLACES)
        return UINT32_MAX;
    if (e->nplaces == e->places_cap) {
        size_t cap = e->places_cap ? e->places_cap * 2 : 64;
        vg_sigma_place *n = vg_realloc(e->places, cap * sizeof *n);
        if (!n)
            return UINT32_MAX;
        e->places = n;
        e->places_cap = cap;
    }
    char *name = vg_strndup(p->name, p->len);
    if (!name)
        return UINT32_MAX;
    e->places[e->nplaces] = (vg_sigma_place){ p->kind, name, p->len };
    return (uint32_t)e->nplaces++;
}

/* The index of name among v[0..n), or -1. */
static int index_of(const char *const *v, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return (int)i;
    return -1;
}

/* Adds the |fieldref targets of field condition f (its string values) to the rule's. */
static vg_rc collect_refs(sg_crule *r, const vg_sigma_field *f, vg_error *err)
{
    int ref = 0;
    for (uint8_t m = 0; m < f->nmods; m++)
        ref |= f->mods[m] == VG_SIGMA_MOD_FIELDREF;
    for (uint32_t v = 0; ref && v < f->nvalues; v++) {
        const vg_sigma_raw *x = &f->values[v];
        if (x->type != VG_SIGMA_V_STRING || index_of(r->refs, r->nrefs, x->text) >= 0)
            continue;
        if (!r->refs && !(r->refs = vg_calloc(MAX_RULE_FIELDS, sizeof *r->refs)))
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        if (r->nrefs == MAX_RULE_FIELDS)
            return vg_fail(err, VG_ERR_LIMIT, 0, "more than %d fieldref targets", MAX_RULE_FIELDS);
        r->refs[r->nrefs++] = x->text;
    }
    return VG_OK;
}

/* Collects the distinct field names of the rule's searches, and the |fieldref targets. */
static vg_rc collect_names(sg_crule *r, vg_error *err)
{
    const vg_sigma_detection *d = r->det;
    if (!(r->names = vg_calloc(MAX_RULE_FIELDS, sizeof *r->names)))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (uint32_t s = 0; s < d->nsearches; s++)
        for (uint32_t g = 0; g < d->searches[s].ngroups; g++)
            for (uint32_t f = 0; f < d->searches[s].groups[g].nfields; f++) {
                const vg_sigma_field *field = &d->searches[s].groups[g].fields[f];
                vg_rc rc = collect_refs(r, field, err);
                if (rc)
                    return rc;
                if (!field->field[0] || index_of(r->names, r->nnames, field->field) >= 0)
                    continue;
                if (r->nnames == MAX_RULE_FIELDS)
                    return vg_fail(err, VG_ERR_LIMIT, 0, "more than %d field names", MAX_RULE_FIELDS);
                r->names[r->nnames++] = field->field;
            }
    return VG_OK;
}

/* The places of the rule's |fieldref targets in each of its sources (UINT32_MAX where one is
 * not mapped: it has no value there, as the mapping says). */
static vg_rc place_refs(vg_sigma_engine *e, sg_crule *r, vg_error *err)
{
    if (!r->nrefs || !r->nsources)
        return VG_OK;
    if (!(r->ref_places = vg_calloc((size_t)r->nsources * r->nrefs, sizeof *r->ref_places)))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (uint32_t i = 0; i < r->nsources; i++)
        for (uint32_t k = 0; k < r->nrefs; k++) {
            vg_sigma_place p;
            uint32_t *at = &r->ref_places[i * r->nrefs + k];
            *at = UINT32_MAX;
            if (vg_sigma_mapping_field(e->map, r->sources[i], r->refs[k], &p, NULL) == VG_OK &&
                (*at = place_id(e, &p)) == UINT32_MAX)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory or more than %u field places", MAX_PLACES);
        }
    return VG_OK;
}

/* Keeps the sources where every field name of the rule is mapped; the reason of the first
 * refusal goes to the entry when none is left. */
static vg_rc choose_sources(vg_sigma_engine *e, sg_crule *r, vg_error *err)
{
    const vg_sigma_logsource *ls = &r->entry.rule->logsource;
    uint16_t ids[MAX_RULE_SOURCES];
    size_t n = vg_sigma_mapping_sources_for(e->map, ls->product, ls->category, ls->service, ids, MAX_RULE_SOURCES);
    if (n > MAX_RULE_SOURCES)
        n = MAX_RULE_SOURCES;
    if (n == 0) {
        r->entry.status = VG_SIGMA_NOT_APPLICABLE;
        snprintf(r->entry.reason, sizeof r->entry.reason, "logsource%s%s%s%s%s%s is not mapped to Vigil's events",
                 ls->product ? " product=" : "", ls->product ? ls->product : "",
                 ls->category ? " category=" : "", ls->category ? ls->category : "",
                 ls->service ? " service=" : "", ls->service ? ls->service : "");
        return VG_OK;
    }
    r->sources = vg_calloc(n, sizeof *r->sources);
    r->places = vg_calloc(n * (r->nnames ? r->nnames : 1), sizeof *r->places);
    if (!r->sources || !r->places)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_error why;
    why.msg[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        uint32_t *row = r->places + r->nsources * r->nnames;
        uint32_t k = 0;
        for (; k < r->nnames; k++) {
            vg_sigma_place p;
            vg_error fe;
            if (vg_sigma_mapping_field(e->map, ids[i], r->names[k], &p, &fe) != VG_OK) {
                if (!why.msg[0])
                    why = fe;
                break;
            }
            if ((row[k] = place_id(e, &p)) == UINT32_MAX)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory or more than %u field places", MAX_PLACES);
        }
        if (k == r->nnames)
            r->sources[r->nsources++] = ids[i];
    }
    if (r->nsources == 0) {
        r->entry.status = VG_SIGMA_NOT_APPLICABLE;
        snprintf(r->entry.reason, sizeof r->entry.reason, "%s", why.msg);
    }
    return place_refs(e, r, err);
}

/* Compiles every field condition; a failure rejects the rule with the reason. */
static vg_rc compile_searches(vg_sigma_engine *e, sg_crule *r, vg_error *err)
{
    const vg_sigma_detection *d = r->det;
    if (!(r->searches = vg_calloc(d->nsearches ? d->nsearches : 1, sizeof *r->searches)))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    r->nsearches = d->nsearches;
    for (uint32_t s = 0; s < d->nsearches; s++) {
        const vg_sigma_search *ss = &d->searches[s];
        sg_csearch *cs = &r->searches[s];
        if (!(cs->groups = vg_calloc(ss->ngroups ? ss->ngroups : 1, sizeof *cs->groups)))
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        cs->n = ss->ngroups;
        for (uint32_t g = 0; g < ss->ngroups; g++) {
            const vg_sigma_group *sg = &ss->groups[g];
            sg_cgroup *cg = &cs->groups[g];
            if (!(cg->fields = vg_calloc(sg->nfields ? sg->nfields : 1, sizeof *cg->fields)))
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            cg->n = sg->nfields;
            for (uint32_t f = 0; f < sg->nfields; f++) {
                const vg_sigma_field *sf = &sg->fields[f];
                sg_cfield *cf = &cg->fields[f];
                vg_error ce;
                vg_error_clear(&ce);
                int kw = !sf->field[0];
                vg_rc rc = kw ? vg_sigma_keyword_compile(sf->mods, sf->nmods, sf->values, sf->nvalues, e->ph, &cf->m, &ce)
                              : vg_sigma_matcher_compile(sf->mods, sf->nmods, sf->values, sf->nvalues, e->ph, &cf->m, &ce);
                if (rc == VG_ERR_NOMEM)
                    return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                if (rc) {
                    r->entry.status = VG_SIGMA_REJECTED;
                    r->entry.line = sf->line;
                    snprintf(r->entry.reason, sizeof r->entry.reason, "%s: %.200s",
                             kw ? "keywords" : sf->field, ce.msg);
                    return VG_OK;
                }
                cf->src = sf;
                cf->fc = SG_NONE;
                cf->name = kw ? SG_NONE : (uint32_t)index_of(r->names, r->nnames, sf->field);
            }
        }
    }
    return VG_OK;
}

static vg_rc index_rule(vg_sigma_engine *e, const sg_crule *r, uint32_t idx, vg_error *err)
{
    for (uint32_t i = 0; i < r->nsources; i++) {
        uint16_t s = r->sources[i];
        if (e->by_source_n[s] == e->by_source_cap[s]) {
            uint32_t cap = e->by_source_cap[s] ? e->by_source_cap[s] * 2 : 16;
            uint32_t *n = vg_realloc(e->by_source[s], cap * sizeof *n);
            if (!n)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            e->by_source[s] = n;
            e->by_source_cap[s] = cap;
        }
        e->by_source[s][e->by_source_n[s]++] = idx;
    }
    return VG_OK;
}

static vg_rc add_rule(vg_sigma_engine *e, const vg_sigma_file *f, const vg_sigma_rule *rule, vg_error *err)
{
    if (e->nrules == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 256;
        sg_crule **n = vg_realloc(e->rules, cap * sizeof *n);
        if (!n)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        e->rules = n;
        e->cap = cap;
    }
    sg_crule *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    e->rules[e->nrules] = r;
    r->entry.index = (uint32_t)e->nrules;
    r->entry.rule = rule;
    r->entry.line = rule->line;
    r->entry.file = f->path;
    if (rule->kind != VG_SIGMA_DETECTION) {
        r->entry.status = VG_SIGMA_NOT_RUN;
        snprintf(r->entry.reason, sizeof r->entry.reason, "%s rules are not run yet", vg_sigma_kind_name(rule->kind));
        e->nrules++;
        return VG_OK;
    }
    r->det = &rule->detection;
    vg_rc rc = collect_names(r, err);
    if (!rc)
        rc = choose_sources(e, r, err);
    if (!rc && r->entry.status == VG_SIGMA_ACTIVE)
        rc = compile_searches(e, r, err);
    if (!rc && r->entry.status == VG_SIGMA_ACTIVE)
        rc = index_rule(e, r, (uint32_t)e->nrules, err);
    e->nrules++;
    return rc;
}

vg_rc vg_sigma_engine_add(vg_sigma_engine *e, const vg_sigma_file *f, vg_error *err)
{
    vg_free(e->covers);     /* the sources' rules change */
    e->covers = NULL;
    if (e->pf) {    /* the prefilter no longer covers every rule: back to the reference */
        sg_prefilter_free(e->pf);
        e->pf = NULL;
        memset(&e->info, 0, sizeof e->info);
        for (size_t r = 0; r < e->nrules; r++)
            for (uint32_t s = 0; s < e->rules[r]->nsearches; s++)
                for (uint32_t g = 0; g < e->rules[r]->searches[s].n; g++)
                    for (uint32_t k = 0; k < e->rules[r]->searches[s].groups[g].n; k++)
                        e->rules[r]->searches[s].groups[g].fields[k].fc = SG_NONE;
    }
    for (uint32_t i = 0; i < f->ndocs; i++) {
        if (!f->docs[i].rule)
            continue;
        vg_rc rc = add_rule(e, f, f->docs[i].rule, err);
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* Is the ascending list a[0..na) a subset of the ascending list b[0..nb)? */
static int subset(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < na; i++) {
        while (j < nb && b[j] < a[i])
            j++;
        if (j == nb || b[j] != a[i])
            return 0;
    }
    return 1;
}

/* Which sources' rules each source's rules are among (e->covers): an event of both a source
 * and an earlier one that covers it has had all its rules tried (windows-other after sysmon-1,
 * security after security-4688), so its pass is skipped. */
static vg_rc build_covers(vg_sigma_engine *e, vg_error *err)
{
    size_t ns = vg_sigma_mapping_count(e->map), nw = (ns + 63) / 64;
    vg_free(e->covers);
    e->cover_words = nw ? nw : 1;
    if (!(e->covers = vg_calloc(ns ? ns * e->cover_words : 1, sizeof *e->covers)))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t s = 0; s < ns; s++)
        for (size_t t = 0; t < ns; t++)
            if (t != s && subset(e->by_source[s], e->by_source_n[s], e->by_source[t], e->by_source_n[t]))
                e->covers[s * e->cover_words + t / 64] |= 1ull << (t % 64);
    return VG_OK;
}

vg_rc vg_sigma_engine_build(vg_sigma_engine *e, vg_error *err)
{
    vg_rc rc = build_covers(e, err);
    return rc ? rc : sg_prefilter_build(e, err);
}

/* Is source srcs[i] covered by one of srcs[0..i)? */
static int covered_before(const vg_sigma_engine *e, const uint16_t *srcs, size_t i)
{
    const uint64_t *c = e->covers ? &e->covers[srcs[i] * e->cover_words] : NULL;
    for (size_t j = 0; c && j < i; j++)
        if (c[srcs[j] / 64] >> (srcs[j] % 64) & 1)
            return 1;
    return 0;
}

const vg_sigma_build_info *vg_sigma_engine_build_info(const vg_sigma_engine *e)
{
    return &e->info;
}

size_t vg_sigma_engine_count(const vg_sigma_engine *e)
{
    return e->nrules;
}

const vg_sigma_entry *vg_sigma_engine_entry(const vg_sigma_engine *e, size_t i)
{
    return i < e->nrules ? &e->rules[i]->entry : NULL;
}

void vg_sigma_engine_set_status(vg_sigma_engine *e, size_t i, vg_sigma_status status, uint32_t line,
                                const char *reason)
{
    if (i >= e->nrules || e->rules[i]->entry.rule->kind == VG_SIGMA_DETECTION)
        return;
    e->rules[i]->entry.status = status;
    e->rules[i]->entry.line = line;
    snprintf(e->rules[i]->entry.reason, sizeof e->rules[i]->entry.reason, "%s", reason);
}

/* ---- workers ------------------------------------------------------------------------------ */

vg_rc vg_sigma_worker_new(vg_sigma_worker **out, const vg_sigma_engine *e, size_t max_value, vg_error *err)
{
    vg_sigma_worker *w = vg_calloc(1, sizeof *w);
    if (!w)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    w->e = e;
    w->scratch = vg_sigma_scratch_new(max_value);
    w->place_gen = vg_calloc(e->nplaces ? e->nplaces : 1, sizeof *w->place_gen);
    w->place_val = vg_calloc(e->nplaces ? e->nplaces : 1, sizeof *w->place_val);
    w->rule_gen = vg_calloc(e->nrules ? e->nrules : 1, sizeof *w->rule_gen);
    w->place_key = vg_malloc(e->nplaces ? e->nplaces : 1);
    for (size_t i = 0; w->place_key && i < e->nplaces; i++) {
        const vg_sigma_place *p = &e->places[i];
        w->place_key[i] = (int8_t)(p->kind == VG_SIGMA_PLACE_PATH ? vg_sigma_mapping_key(e->map, p->name, p->len) : -1);
    }
    vg_rc rc = vg_sigma_evidx_new(&w->evidx, e->places, e->nplaces, err);
    if (rc) {
        vg_sigma_worker_free(w);
        return rc;
    }
    w->text_cap = max_value + 1;
    w->text = vg_malloc(w->text_cap);
    w->plain_cap = max_value + 1;
    w->plain = vg_malloc(w->plain_cap);
    w->max_value = max_value;
    if (!w->scratch || !w->place_gen || !w->place_val || !w->place_key || !w->rule_gen || !w->text || !w->plain) {
        vg_sigma_worker_free(w);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    rc = sg_prefilter_worker_new(w, err);
    if (rc) {
        vg_sigma_worker_free(w);
        return rc;
    }
    *out = w;
    return VG_OK;
}

void vg_sigma_worker_free(vg_sigma_worker *w)
{
    if (!w)
        return;
    vg_sigma_scratch_free(w->scratch);
    vg_free(w->place_gen);
    vg_free(w->place_val);
    vg_free(w->place_key);
    vg_sigma_evidx_free(w->evidx);
    vg_free(w->rule_gen);
    vg_free(w->text);
    vg_free(w->plain);
    sg_prefilter_worker_free(w);
    vg_free(w);
}

void vg_sigma_engine_set_cache(vg_sigma_engine *e, const char *dir)
{
    snprintf(e->cache_dir, sizeof e->cache_dir, "%s", dir ? dir : "");
}

void vg_sigma_worker_set_reference(vg_sigma_worker *w, int on)
{
    w->reference = on != 0;
}

/* ---- evaluation --------------------------------------------------------------------------- */

vg_value sg_place_raw(vg_sigma_worker *w, uint32_t place)
{
    if (w->place_gen[place] != w->gen) {
        w->place_gen[place] = w->gen;
        int k = w->place_key[place];
        if (k >= 0 && w->keys.have[k])     /* classification read it already (vg_event_get) */
            w->place_val[place] = w->keys.vals[k];
        else
            w->place_val[place] = vg_sigma_evidx_value(w->evidx, place, w->ev);
    }
    return w->place_val[place];
}

vg_value sg_place_value(vg_sigma_worker *w, uint32_t place)
{
    vg_value v = sg_place_raw(w, place);
    if (v.type == VG_JSON_STRING && (v.flags & VG_JSON_ESCAPED) && !(v.flags & VG_VALUE_PLAIN) &&
        v.len <= w->plain_cap - w->plain_len) {
        /* decoded once, when first read as text, rather than by every condition that reads it */
        char *p = w->plain + w->plain_len;
        size_t n = vg_json_unescape(v.ptr, v.len, p);
        w->plain_len += n;
        v = (vg_value){ VG_JSON_STRING, VG_VALUE_PLAIN, (uint32_t)n, p };
        w->place_val[place] = v;
    }
    return v;
}

/* Resolves a |fieldref name for the rule's current source: a target known to the rule through
 * its place (the event's value fetched once per event, as the conditions' are), another by the
 * mapping. */
static vg_value fieldref(void *ctx, const char *name, size_t len)
{
    vg_sigma_worker *w = ctx;
    const sg_crule *r = w->rule;
    vg_value none = { VG_JSON_NONE, 0, 0, NULL };
    vg_sigma_place p;
    (void)len;
    int k = r->ref_places ? index_of(r->refs, r->nrefs, name) : -1;
    if (k >= 0) {
        uint32_t place = r->ref_places[w->slot * r->nrefs + (uint32_t)k];
        return place == UINT32_MAX ? none : sg_place_value(w, place);
    }
    if (vg_sigma_mapping_field(w->e->map, r->sources[w->slot], name, &p, NULL) != VG_OK)
        return none;
    return vg_sigma_place_value(&p, w->ev);
}

/* Appends the plain text of string token values of the record to the keyword text. */
static void text_add(vg_sigma_worker *w, const char *s, size_t n, int escaped)
{
    if (w->text_len + n + 1 > w->text_cap)
        return;
    if (w->text_len)
        w->text[w->text_len++] = '\n';
    w->text_len += escaped ? vg_json_unescape(s, n, w->text + w->text_len) : (memcpy(w->text + w->text_len, s, n), n);
}

/* Adds the string values of document d (not its members' names), in document order: one
 * pass over the tape. */
static void text_values(vg_sigma_worker *w, const vg_json_doc *d)
{
    for (uint32_t i = 0; i < d->ntoks; i++) {
        const vg_json_tok *t = &d->toks[i];
        if (t->type == VG_JSON_STRING && !(t->flags & VG_JSON_KEY))
            text_add(w, d->text + t->start, t->len, t->flags & VG_JSON_ESCAPED);
    }
}

/* The text keyword searches look in: the body of a text record (a syslog line's message,
 * without the header's timestamp, host and tag), the original line of another text record,
 * or every string value of a JSON record (not the member names), one per line. */
void sg_keyword_text(vg_sigma_worker *w)
{
    if (w->text_ready)
        return;
    w->text_ready = 1;
    w->text_len = 0;
    const vg_event *ev = w->ev;
    if (!ev->doc && ev->body) {
        text_add(w, ev->body, ev->body_len, 0);
        return;
    }
    if (!ev->doc) {
        vg_value v = vg_event_get(ev, "event.original");
        if (v.type == VG_JSON_STRING)
            text_add(w, v.ptr, v.len, (v.flags & VG_JSON_ESCAPED) && !(v.flags & VG_VALUE_PLAIN));
        return;
    }
    text_values(w, ev->doc);
}

static int field_true(vg_sigma_worker *w, const sg_cfield *f)
{
    int r;
    const sg_crule *rule = w->rule;
    uint32_t place = f->name == SG_NONE ? (uint32_t)w->e->nplaces : rule->places[w->slot * rule->nnames + f->name];
    if ((r = sg_prefilter_result(w, f, place)) >= 0) {
        w->fast_fields++;
        return r;
    }
    w->ref_fields++;
    if (f->name == SG_NONE) {
        sg_keyword_text(w);
        r = vg_sigma_keyword_match(f->m, w->text, w->text_len, w->scratch);
    } else {
        vg_value v = sg_place_value(w, place);
        r = vg_sigma_matcher_match(f->m, &v, fieldref, w, w->scratch);
    }
    if (r == VG_SIGMA_UNDECIDED) {
        w->undecided++;
        return 0;
    }
    return r == VG_SIGMA_MATCH;
}

/* The first group of search s that matches, or -1. */
static int search_group(vg_sigma_worker *w, uint32_t s)
{
    const sg_csearch *cs = &w->rule->searches[s];
    for (uint32_t g = 0; g < cs->n; g++) {
        uint32_t f = 0;
        while (f < cs->groups[g].n && field_true(w, &cs->groups[g].fields[f]))
            f++;
        if (f == cs->groups[g].n)
            return (int)g;
    }
    return -1;
}

static int search_true(vg_sigma_worker *w, uint32_t s)
{
    if (s >= SG_MAX_SEARCHES_EVAL)
        return search_group(w, s) >= 0;
    if (w->search[s] < 0)
        w->search[s] = (int8_t)(search_group(w, s) >= 0);
    return w->search[s];
}

static int cond_true(vg_sigma_worker *w, const vg_sigma_cond *c, uint32_t n)
{
    const vg_sigma_cnode *node = &c->nodes[n];
    switch (node->kind) {
    case VG_SIGMA_C_ID:
        return search_true(w, node->a);
    case VG_SIGMA_C_NOT:
        return !cond_true(w, c, node->a);
    case VG_SIGMA_C_AND:
        return cond_true(w, c, node->a) && cond_true(w, c, node->b);
    case VG_SIGMA_C_OR:
        return cond_true(w, c, node->a) || cond_true(w, c, node->b);
    case VG_SIGMA_C_OF: {
        uint32_t got = 0;
        for (uint32_t i = 0; i < node->b && got < node->need; i++)
            got += (uint32_t)search_true(w, c->ids[node->a + i]);
        return got >= node->need;
    }
    }
    return 0;
}

/* Adds the field values of search s's first matching group to the alert's matched list. */
static void collect_search(vg_sigma_worker *w, uint32_t s)
{
    int g = search_group(w, s);
    if (g < 0)
        return;
    const sg_cgroup *cg = &w->rule->searches[s].groups[g];
    for (uint32_t f = 0; f < cg->n && w->nmatched < VG_SIGMA_MAX_MATCHED; f++) {
        const sg_cfield *cf = &cg->fields[f];
        vg_sigma_matched *m = &w->matched[w->nmatched++];
        m->search = w->rule->det->searches[s].name;
        m->field = cf->src->field;
        if (cf->name == SG_NONE) {
            m->value = (vg_value){ VG_JSON_NONE, 0, 0, NULL };
        } else {
            const sg_crule *r = w->rule;
            m->value = sg_place_value(w, r->places[w->slot * r->nnames + cf->name]);
        }
    }
}

/* Walks the condition for the searches that made it true (not under a negation). */
static void collect(vg_sigma_worker *w, const vg_sigma_cond *c, uint32_t n, int positive)
{
    const vg_sigma_cnode *node = &c->nodes[n];
    switch (node->kind) {
    case VG_SIGMA_C_ID:
        if (positive && search_true(w, node->a))
            collect_search(w, node->a);
        break;
    case VG_SIGMA_C_NOT:
        collect(w, c, node->a, !positive);
        break;
    case VG_SIGMA_C_AND:
    case VG_SIGMA_C_OR:
        collect(w, c, node->a, positive);
        collect(w, c, node->b, positive);
        break;
    case VG_SIGMA_C_OF:
        for (uint32_t i = 0; i < node->b; i++)
            if (positive && search_true(w, c->ids[node->a + i]))
                collect_search(w, c->ids[node->a + i]);
        break;
    }
}

/* Evaluates rule r (for source slot) on the current event: the index of the condition that
 * holds, or -1. */
static int rule_fires(vg_sigma_worker *w, const sg_crule *r, uint32_t slot)
{
    w->rule = r;
    w->slot = slot;
    uint32_t ns = r->nsearches < SG_MAX_SEARCHES_EVAL ? r->nsearches : SG_MAX_SEARCHES_EVAL;
    memset(w->search, -1, ns);
    for (uint32_t k = 0; k < r->det->nconds; k++)
        if (cond_true(w, &r->det->conds[k], r->det->conds[k].root))
            return (int)k;
    return -1;
}

static void start_event(vg_sigma_worker *w, const vg_event *ev)
{
    if (++w->gen == 0) {
        memset(w->place_gen, 0, (w->e->nplaces ? w->e->nplaces : 1) * sizeof *w->place_gen);
        memset(w->rule_gen, 0, (w->e->nrules ? w->e->nrules : 1) * sizeof *w->rule_gen);
        w->gen = 1;
    }
    w->ev = ev;
    vg_sigma_evidx_forget(w->evidx);    /* the event buffer may be reused: index it again when asked */
    w->text_ready = 0;
    w->plain_len = 0;
    sg_prefilter_new_pass(w);  /* results of an earlier event are stale */
}

static uint32_t slot_of(const sg_crule *r, uint16_t source)
{
    for (uint32_t i = 0; i < r->nsources; i++)
        if (r->sources[i] == source)
            return i;
    return 0;
}

/* Was rule r already decided through one of the sources srcs[0..i) of this event? */
static int earlier_source(const sg_crule *r, const uint16_t *srcs, size_t i)
{
    for (size_t j = 0; j < i; j++)
        for (uint32_t k = 0; k < r->nsources; k++)
            if (r->sources[k] == srcs[j])
                return 1;
    return 0;
}

vg_rc vg_sigma_engine_match(const vg_sigma_engine *e, vg_sigma_worker *w, const vg_event *ev, vg_sigma_hit_fn fn,
                            void *ctx, vg_sigma_stats *st)
{
    uint16_t srcs[MAX_EVENT_SOURCES];
    size_t ns = vg_sigma_mapping_classify(e->map, ev, srcs, MAX_EVENT_SOURCES, &w->keys);
    st->events++;
    if (ns == 0) {
        st->unmapped++;
        return VG_OK;
    }
    start_event(w, ev);
    uint64_t undecided = w->undecided, fast = w->fast_fields, ref = w->ref_fields;
    int prefilter = e->pf && w->pfs && !w->reference;
    vg_rc rc = VG_OK;
    for (size_t i = 0; i < ns && rc == VG_OK; i++) {
        if (i > 0 && covered_before(e, srcs, i))
            continue;   /* each of its rules was tried through an earlier source */
        const uint32_t *list = e->by_source[srcs[i]];
        uint32_t n = e->by_source_n[srcs[i]];
        if (prefilter) {
            /* the candidates of this source, in the same (ascending) order; a rule that is not
             * one cannot fire here, and one decided through an earlier source is done */
            sg_prefilter_scan(w, srcs[i], st);
            list = w->cand;
            n = w->ncand;
        }
        for (uint32_t k = 0; k < n && rc == VG_OK; k++) {
            uint32_t idx = list[k];
            if (w->rule_gen[idx] == w->gen)
                continue;   /* already tried through another source of this event */
            w->rule_gen[idx] = w->gen;
            const sg_crule *r = e->rules[idx];
            if (prefilter && i > 0 && earlier_source(r, srcs, i))
                continue;
            uint32_t slot = slot_of(r, srcs[i]);
            st->evaluated++;
            int cond = rule_fires(w, r, slot);
            if (cond < 0)
                continue;
            st->hits++;
            w->nmatched = 0;
            collect(w, &r->det->conds[cond], r->det->conds[cond].root, 1);
            vg_sigma_hit hit = { &r->entry, vg_sigma_source_name(e->map, srcs[i]), w->matched, w->nmatched };
            rc = fn(ctx, ev, &hit);
        }
    }
    st->undecided += w->undecided - undecided;
    st->fast_fields += w->fast_fields - fast;
    st->ref_fields += w->ref_fields - ref;
    return rc;
}

int vg_sigma_engine_explain(const vg_sigma_engine *e, vg_sigma_worker *w, size_t entry, const vg_event *ev,
                            char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
#define SAY(...) (o += (size_t)snprintf(out + (o < cap ? o : cap), o < cap ? cap - o : 0, __VA_ARGS__))
    if (entry >= e->nrules)
        return 0;
    const sg_crule *r = e->rules[entry];
    if (r->entry.status != VG_SIGMA_ACTIVE || !r->det) {
        SAY("  rule is %s: %s\n", vg_sigma_status_name(r->entry.status), r->entry.reason);
        return 0;
    }
    uint16_t srcs[MAX_EVENT_SOURCES];
    size_t ns = vg_sigma_mapping_classify(e->map, ev, srcs, MAX_EVENT_SOURCES, &w->keys);
    for (size_t i = 0; i < ns; i++)
        for (uint32_t k = 0; k < r->nsources; k++)
            if (r->sources[k] == srcs[i]) {
                start_event(w, ev);
                int cond = rule_fires(w, r, k);
                SAY("  event is %s\n", vg_sigma_source_name(e->map, srcs[i]));
                for (uint32_t s = 0; s < r->nsearches; s++)
                    SAY("  %-24s %s\n", r->det->searches[s].name, search_true(w, s) ? "matched" : "no match");
                for (uint32_t c = 0; c < r->det->nconds; c++)
                    SAY("  condition '%s': %s\n", r->det->cond_text[c],
                        cond_true(w, &r->det->conds[c], r->det->conds[c].root) ? "TRUE" : "false");
                return cond >= 0;
            }
    SAY("  the rule does not apply to this event (the event is");
    for (size_t i = 0; i < ns; i++)
        SAY(" %s", vg_sigma_source_name(e->map, srcs[i]));
    SAY("%s)\n", ns ? "" : " of no mapped kind");
#undef SAY
    return 0;
}

/*
 * fuzz-sigma-rule: the Sigma rule loader (sigma-rule, sigma-search, sigma-cond, sigma-yaml)
 * on arbitrary bytes as one rule file. Invariants: every rejected document has a line and a
 * "FILE:LINE: reason" message; every loaded rule is well formed (searches, groups, fields and
 * values present, condition trees whose children and identifiers are in range, a correlation
 * with rules and a timespan, a filter with rules).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigma-rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_detection(const vg_sigma_detection *d)
{
    if (d->nsearches == 0 || d->nconds == 0)
        abort();
    for (uint32_t i = 0; i < d->nsearches; i++) {
        const vg_sigma_search *s = &d->searches[i];
        if (!s->name || s->ngroups == 0 || d->names[i] != s->name)
            abort();
        for (uint32_t g = 0; g < s->ngroups; g++) {
            if (s->groups[g].nfields == 0)
                abort();
            for (uint32_t k = 0; k < s->groups[g].nfields; k++) {
                const vg_sigma_field *f = &s->groups[g].fields[k];
                if (!f->field || f->nvalues == 0 || f->nmods > VG_SIGMA_MAX_MODS)
                    abort();
                for (uint32_t v = 0; v < f->nvalues; v++)
                    if (!f->values[v].text || strlen(f->values[v].text) > f->values[v].len)
                        abort();
            }
        }
    }
    for (uint32_t i = 0; i < d->nconds; i++) {
        const vg_sigma_cond *c = &d->conds[i];
        if (c->nnodes == 0 || c->root >= c->nnodes)
            abort();
        for (uint32_t n = 0; n < c->nnodes; n++) {
            const vg_sigma_cnode *x = &c->nodes[n];
            switch (x->kind) {
            case VG_SIGMA_C_ID:
                if (x->a >= d->nsearches)
                    abort();
                break;
            case VG_SIGMA_C_NOT:
                if (x->a >= n)
                    abort();
                break;
            case VG_SIGMA_C_AND:
            case VG_SIGMA_C_OR:
                if (x->a >= n || x->b >= n)
                    abort();
                break;
            case VG_SIGMA_C_OF:
                if (x->b == 0 || x->a + x->b > c->nids || x->need == 0 || x->need > x->b)
                    abort();
                for (uint32_t k = 0; k < x->b; k++)
                    if (c->ids[x->a + k] >= d->nsearches)
                        abort();
                break;
            default:
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_sigma_file *f = NULL;
    vg_error err;
    if (vg_sigma_load_mem(&f, "fuzz.yml", (const char *)data, size, &err) != VG_OK)
        return 0;
    for (uint32_t i = 0; i < f->ndocs; i++) {
        const vg_sigma_doc *d = &f->docs[i];
        if (!d->rule) {
            if (d->reason == VG_SIGMA_R_NONE || d->err_line == 0 || strncmp(d->msg, "fuzz.yml:", 9) != 0 ||
                strlen(d->msg) < 12)
                abort();
            continue;
        }
        const vg_sigma_rule *r = d->rule;
        if (!r->meta.title)
            abort();
        if (r->kind == VG_SIGMA_DETECTION)
            check_detection(&r->detection);
        else if (r->kind == VG_SIGMA_FILTER && (r->filter.rules.n == 0 || (check_detection(&r->filter.detection), 0)))
            abort();
        else if (r->kind == VG_SIGMA_CORRELATION && (r->correlation.rules.n == 0 || r->correlation.timespan == 0))
            abort();
    }
    vg_sigma_file_free(f);
    return 0;
}

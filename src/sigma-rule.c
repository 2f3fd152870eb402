/*
 * sigma-rule: the rule file loader (see sigma-rule.h). libyaml's document API loads one
 * document at a time; each document is checked and turned into a vg_sigma_rule in the file's
 * arena (metadata, logsource, correlation and filter sections here; the detection section in
 * sigma-search.c), or into a rejection with the line of the offending node.
 */
#include "sigma-rule.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sigma-internal.h"
#include "util-mem.h"

static const char *const reason_names[VG_SIGMA_NREASONS] = {
    [VG_SIGMA_R_NONE] = "loaded",
    [VG_SIGMA_R_YAML] = "invalid YAML",
    [VG_SIGMA_R_LIMIT] = "limit exceeded",
    [VG_SIGMA_R_MISSING] = "missing attribute",
    [VG_SIGMA_R_TYPE] = "wrong type",
    [VG_SIGMA_R_DUPLICATE] = "duplicate key",
    [VG_SIGMA_R_VALUE] = "invalid value",
    [VG_SIGMA_R_MODIFIER] = "unknown modifier",
    [VG_SIGMA_R_MODIFIER_USE] = "invalid modifier use",
    [VG_SIGMA_R_NULL_IN_LIST] = "null in a value list",
    [VG_SIGMA_R_ALL_SINGLE] = "all on a single value",
    [VG_SIGMA_R_CONDITION] = "condition syntax",
    [VG_SIGMA_R_IDENTIFIER] = "unknown identifier in condition",
    [VG_SIGMA_R_KIND] = "not a rule",
};

static const char *const corr_names[VG_SIGMA_CORR_NTYPES] = {
    "event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_percentile",
};

static const char *const cmp_names[VG_SIGMA_NCMP] = { "gt", "gte", "lt", "lte", "eq", "neq" };

const char *vg_sigma_reason_name(vg_sigma_reason r)
{
    return (unsigned)r < VG_SIGMA_NREASONS ? reason_names[r] : "?";
}

const char *vg_sigma_kind_name(vg_sigma_kind k)
{
    return k == VG_SIGMA_DETECTION ? "detection" : k == VG_SIGMA_CORRELATION ? "correlation" : "filter";
}

const char *vg_sigma_corr_type_name(vg_sigma_corr_type t)
{
    return (unsigned)t < VG_SIGMA_CORR_NTYPES ? corr_names[t] : "?";
}

const char *vg_sigma_cmp_name(vg_sigma_cmp c)
{
    return (unsigned)c < VG_SIGMA_NCMP ? cmp_names[c] : "?";
}

int64_t vg_sigma_parse_timespan(const char *s, size_t len)
{
    /* number + lowercase unit; a limit of 10 years keeps every product in range */
    if (len < 2 || len > 10)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    int64_t unit;
    switch (s[len - 1]) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }
    if (v <= 0 || v > (int64_t)3650 * 86400 / unit)
        return -1;
    return v * unit;
}

/* ---- metadata ------------------------------------------------------------------------------- */

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

static vg_rc check_enum(sg_ctx *c, const yaml_node_t *n, const char *key, const char *v, const char *const *set,
                        const char *list)
{
    if (v && !one_of(v, set))
        return sg_reject(c, n, VG_SIGMA_R_VALUE, "%s '%.*s' is not one of %s", key, 40, v, list);
    return VG_OK;
}

/* YYYY-MM-DD (the schemas' pattern). */
static vg_rc check_date(sg_ctx *c, const yaml_node_t *n, const char *key, const char *v)
{
    if (!v)
        return VG_OK;
    int ok = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        ok = i == 4 || i == 7 || (v[i] >= '0' && v[i] <= '9');
    int month = ok ? (v[5] - '0') * 10 + (v[6] - '0') : 0, day = ok ? (v[8] - '0') * 10 + (v[9] - '0') : 0;
    if (!ok || month < 1 || month > 12 || day < 1 || day > 31)
        return sg_reject(c, n, VG_SIGMA_R_VALUE, "%s '%.*s' is not a date YYYY-MM-DD", key, 40, v);
    return VG_OK;
}

static vg_rc read_related(sg_ctx *c, const yaml_node_t *n, vg_sigma_meta *m)
{
    static const char *const types[] = { "derived", "obsolete", "merged", "renamed", "similar", NULL };
    if (n->type == YAML_SCALAR_NODE && sg_scalar_type(n) == VG_SIGMA_V_NULL)
        return VG_OK;
    if (n->type != YAML_SEQUENCE_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "related must be a list of {id, type}");
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (count > VG_SIGMA_MAX_LIST)
        return sg_reject(c, n, VG_SIGMA_R_LIMIT, "related has more than %u items", VG_SIGMA_MAX_LIST);
    if (!(m->related = sg_alloc(c, (count ? count : 1) * sizeof *m->related)))
        return sg_nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        vg_rc rc = sg_get(c, n->data.sequence.items.start[i], n, &it);
        if (rc)
            return rc;
        if (it->type != YAML_MAPPING_NODE)
            return sg_reject(c, it, VG_SIGMA_R_TYPE, "related must be a list of {id, type}");
        if ((rc = sg_check_keys(c, it, "related")))
            return rc;
        vg_sigma_related *r = &m->related[m->nrelated];
        for (yaml_node_pair_t *p = it->data.mapping.pairs.start; p < it->data.mapping.pairs.top; p++) {
            yaml_node_t *k, *v;
            if ((rc = sg_get(c, p->key, it, &k)) || (rc = sg_get(c, p->value, it, &v)))
                return rc;
            const char *key = (const char *)k->data.scalar.value;
            if (strcmp(key, "id") == 0)
                rc = sg_string(c, v, "related id", VG_SIGMA_MAX_NAME, 0, &r->id);
            else if (strcmp(key, "type") == 0 && !(rc = sg_string(c, v, "related type", VG_SIGMA_MAX_NAME, 0, &r->type)))
                rc = check_enum(c, v, "related type", r->type, types, "derived, obsolete, merged, renamed, similar");
            if (rc)
                return rc;
        }
        if (!r->id || !r->type)
            return sg_reject(c, it, VG_SIGMA_R_MISSING, "related item without %s", r->id ? "type" : "id");
        m->nrelated++;
    }
    return VG_OK;
}

/* One top-level key of any rule kind; *known is cleared for keys the specification does not
 * define. */
static vg_rc read_meta(sg_ctx *c, const char *key, const yaml_node_t *v, vg_sigma_meta *m, int *known)
{
    static const char *const statuses[] = { "stable", "test", "experimental", "deprecated", "unsupported", NULL };
    static const char *const levels[] = { "informational", "low", "medium", "high", "critical", NULL };
    vg_rc rc;
    *known = 1;
    if (strcmp(key, "title") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_TITLE, 0, &m->title);
    if (strcmp(key, "id") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->id);
    if (strcmp(key, "name") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_TITLE, 1, &m->name);
    if (strcmp(key, "status") == 0)
        return (rc = sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->status)) ? rc
               : check_enum(c, v, key, m->status, statuses, "stable, test, experimental, deprecated, unsupported");
    if (strcmp(key, "level") == 0)
        return (rc = sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->level)) ? rc
               : check_enum(c, v, key, m->level, levels, "informational, low, medium, high, critical");
    if (strcmp(key, "description") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_TEXT, 1, &m->description);
    if (strcmp(key, "license") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->license);
    if (strcmp(key, "author") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_TEXT, 1, &m->author);
    if (strcmp(key, "taxonomy") == 0)
        return sg_string(c, v, key, VG_SIGMA_MAX_TITLE, 1, &m->taxonomy);
    if (strcmp(key, "date") == 0)
        return (rc = sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->date)) ? rc : check_date(c, v, key, m->date);
    if (strcmp(key, "modified") == 0)
        return (rc = sg_string(c, v, key, VG_SIGMA_MAX_NAME, 1, &m->modified)) ? rc
               : check_date(c, v, key, m->modified);
    if (strcmp(key, "references") == 0)
        return sg_strlist(c, v, key, 0, &m->references);
    if (strcmp(key, "tags") == 0)
        return sg_strlist(c, v, key, 0, &m->tags);
    if (strcmp(key, "falsepositives") == 0)
        return sg_strlist(c, v, key, 1, &m->falsepositives);
    if (strcmp(key, "fields") == 0)
        return sg_strlist(c, v, key, 0, &m->fields);
    if (strcmp(key, "scope") == 0)
        return sg_strlist(c, v, key, 0, &m->scope);
    if (strcmp(key, "related") == 0)
        return read_related(c, v, m);
    *known = 0;
    return VG_OK;
}

static vg_rc read_logsource(sg_ctx *c, const yaml_node_t *n, vg_sigma_logsource *ls)
{
    if (n->type != YAML_MAPPING_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "logsource must be a mapping (category, product, service, ...)");
    vg_rc rc = sg_check_keys(c, n, "logsource");
    ls->line = sg_line(n);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; !rc && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, n, &k)) || (rc = sg_get(c, p->value, n, &v)))
            return rc;
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "category") == 0)
            rc = sg_string(c, v, "logsource category", VG_SIGMA_MAX_NAME, 1, &ls->category);
        else if (strcmp(key, "product") == 0)
            rc = sg_string(c, v, "logsource product", VG_SIGMA_MAX_NAME, 1, &ls->product);
        else if (strcmp(key, "service") == 0)
            rc = sg_string(c, v, "logsource service", VG_SIGMA_MAX_NAME, 1, &ls->service);
        else if (strcmp(key, "definition") == 0)
            rc = sg_string(c, v, "logsource definition", VG_SIGMA_MAX_TEXT, 1, &ls->definition);
    }
    return rc;
}

/* ---- correlation ---------------------------------------------------------------------------- */

static vg_rc read_corr_condition(sg_ctx *c, const yaml_node_t *n, vg_sigma_correlation *co)
{
    if (n->type != YAML_MAPPING_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "correlation condition must be a mapping (gt, gte, lt, lte, eq, "
                         "neq, field)");
    vg_rc rc = sg_check_keys(c, n, "correlation condition");
    int ncmp = 0;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; !rc && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, n, &k)) || (rc = sg_get(c, p->value, n, &v)))
            return rc;
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "field") == 0) {
            rc = sg_strlist(c, v, "condition field", 1, &co->field);
            if (!rc && co->field.n == 0)
                rc = sg_reject(c, v, VG_SIGMA_R_MISSING, "correlation condition field is empty");
            continue;
        }
        int op = -1;
        for (int i = 0; i < VG_SIGMA_NCMP; i++)
            if (strcmp(key, cmp_names[i]) == 0)
                op = i;
        if (op < 0)
            return sg_reject(c, k, VG_SIGMA_R_VALUE, "unknown correlation condition '%.*s' (gt, gte, lt, lte, eq, "
                             "neq, field)", 40, key);
        size_t len;
        const char *s = sg_scalar(v, &len);
        if (!s || sg_scalar_type(v) != VG_SIGMA_V_NUMBER)
            return sg_reject(c, v, VG_SIGMA_R_TYPE, "correlation condition %s needs a number", key);
        char buf[64];
        char *end = NULL;
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 63 ? len : 63), s);
        errno = 0;
        double d = strtod(buf, &end);
        if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'o'))
            d = (double)strtoll(buf + 2, &end, buf[1] == 'x' ? 16 : 8);
        co->has_cmp[op] = 1;
        co->cmp[op] = d;
        ncmp++;
    }
    if (!rc && ncmp == 0)
        rc = sg_reject(c, n, VG_SIGMA_R_MISSING, "correlation condition has no comparison (gt, gte, lt, lte, eq, neq)");
    return rc;
}

static vg_rc read_aliases(sg_ctx *c, const yaml_node_t *n, vg_sigma_correlation *co)
{
    if (n->type != YAML_MAPPING_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "aliases must map alias names to {rule: field}");
    vg_rc rc = sg_check_keys(c, n, "aliases");
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (rc)
        return rc;
    if (!(co->aliases = sg_alloc(c, (count ? count : 1) * sizeof *co->aliases)))
        return sg_nomem(c);
    for (size_t i = 0; i < count; i++) {
        const yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, n, &k)) || (rc = sg_get(c, p->value, n, &v)))
            return rc;
        vg_sigma_alias *a = &co->aliases[co->naliases];
        if ((rc = sg_string(c, k, "alias name", VG_SIGMA_MAX_NAME, 0, &a->alias)))
            return rc;
        if (v->type != YAML_MAPPING_NODE)
            return sg_reject(c, v, VG_SIGMA_R_TYPE, "alias '%s' must map rule names to field names", a->alias);
        if ((rc = sg_check_keys(c, v, "alias")))
            return rc;
        size_t nr = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        a->rules.v = sg_alloc(c, (nr ? nr : 1) * sizeof *a->rules.v);
        a->fields.v = sg_alloc(c, (nr ? nr : 1) * sizeof *a->fields.v);
        if (!a->rules.v || !a->fields.v)
            return sg_nomem(c);
        for (size_t j = 0; j < nr; j++) {
            yaml_node_t *rk, *rv;
            const yaml_node_pair_t *q = &v->data.mapping.pairs.start[j];
            if ((rc = sg_get(c, q->key, v, &rk)) || (rc = sg_get(c, q->value, v, &rv)) ||
                (rc = sg_string(c, rk, "alias rule", VG_SIGMA_MAX_NAME, 0, &a->rules.v[j])) ||
                (rc = sg_string(c, rv, "alias field", VG_SIGMA_MAX_NAME, 0, &a->fields.v[j])))
                return rc;
            a->rules.n = a->fields.n = (uint32_t)j + 1;
        }
        if (nr == 0)
            return sg_reject(c, v, VG_SIGMA_R_MISSING, "alias '%s' names no rule", a->alias);
        co->naliases++;
    }
    return VG_OK;
}

static vg_rc read_bool(sg_ctx *c, const yaml_node_t *n, const char *key, int *out)
{
    size_t len;
    const char *s = sg_scalar(n, &len);
    if (!s || sg_scalar_type(n) != VG_SIGMA_V_BOOL)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "%s must be true or false", key);
    *out = s[0] == 't' || s[0] == 'T';
    return VG_OK;
}

static vg_rc read_correlation(sg_ctx *c, const yaml_node_t *n, vg_sigma_correlation *co)
{
    if (n->type != YAML_MAPPING_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "correlation must be a mapping");
    vg_rc rc = sg_check_keys(c, n, "correlation");
    const yaml_node_t *type = NULL, *rules = NULL, *group = NULL, *span = NULL, *cond = NULL;
    co->line = sg_line(n);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; !rc && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, n, &k)) || (rc = sg_get(c, p->value, n, &v)))
            return rc;
        const char *key = (const char *)k->data.scalar.value;
        if (strcmp(key, "type") == 0)
            type = v;
        else if (strcmp(key, "rules") == 0)
            rules = v;
        else if (strcmp(key, "group-by") == 0)
            group = v;
        else if (strcmp(key, "timespan") == 0)
            span = v;
        else if (strcmp(key, "condition") == 0)
            cond = v;
        else if (strcmp(key, "aliases") == 0)
            rc = read_aliases(c, v, co);
        else if (strcmp(key, "generate") == 0)
            rc = read_bool(c, v, "generate", &co->generate);
        else
            rc = sg_reject(c, k, VG_SIGMA_R_VALUE, "unknown correlation attribute '%.*s' (type, rules, group-by, "
                           "timespan, condition, aliases, generate)", 40, key);
    }
    if (rc)
        return rc;
    const char *missing = !type ? "type" : !rules ? "rules" : !span ? "timespan" : !group ? "group-by" : NULL;
    if (missing)
        return sg_reject(c, n, VG_SIGMA_R_MISSING, "correlation has no %s", missing);
    const char *t;
    if ((rc = sg_string(c, type, "correlation type", VG_SIGMA_MAX_NAME, 0, &t)))
        return rc;
    int ti = -1;
    for (int i = 0; i < VG_SIGMA_CORR_NTYPES; i++)
        if (strcmp(t, corr_names[i]) == 0)
            ti = i;
    if (ti < 0)
        return sg_reject(c, type, VG_SIGMA_R_VALUE, "unknown correlation type '%.*s' (event_count, value_count, "
                         "temporal, temporal_ordered, value_sum, value_avg, value_percentile)", 40, t);
    co->type = (vg_sigma_corr_type)ti;
    if ((rc = sg_strlist(c, rules, "correlation rules", 1, &co->rules)))
        return rc;
    if (co->rules.n == 0)
        return sg_reject(c, rules, VG_SIGMA_R_MISSING, "correlation rules is empty");
    for (uint32_t i = 0; i < co->rules.n; i++)
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(co->rules.v[i], co->rules.v[j]) == 0)
                return sg_reject(c, rules, VG_SIGMA_R_DUPLICATE, "correlation rules names '%.*s' twice", 60,
                                 co->rules.v[i]);
    if ((rc = sg_strlist(c, group, "group-by", 1, &co->group_by)))
        return rc;
    if ((rc = sg_string(c, span, "timespan", 16, 0, &co->timespan_text)))
        return rc;
    int64_t secs = vg_sigma_parse_timespan(co->timespan_text, strlen(co->timespan_text));
    if (secs < 0)
        return sg_reject(c, span, VG_SIGMA_R_VALUE, "timespan '%s' is not a number and s, m, h or d (at most 10 "
                         "years)", co->timespan_text);
    co->timespan = (uint64_t)secs;
    int temporal = co->type == VG_SIGMA_CORR_TEMPORAL || co->type == VG_SIGMA_CORR_TEMPORAL_ORDERED;
    int valued = co->type >= VG_SIGMA_CORR_VALUE_SUM || co->type == VG_SIGMA_CORR_VALUE_COUNT;
    if (!cond && !temporal)
        return sg_reject(c, n, VG_SIGMA_R_MISSING, "a %s correlation needs a condition", t);
    if (cond && (rc = read_corr_condition(c, cond, co)))
        return rc;
    if (valued && co->field.n == 0)
        return sg_reject(c, cond, VG_SIGMA_R_MISSING, "a %s correlation needs a field in its condition", t);
    if (!valued && co->field.n)
        return sg_reject(c, cond, VG_SIGMA_R_VALUE, "a %s correlation takes no field in its condition (only "
                         "value_count, value_sum, value_avg, value_percentile do)", t);
    return VG_OK;
}

/* ---- filter --------------------------------------------------------------------------------- */

static vg_rc read_filter(sg_ctx *c, const yaml_node_t *n, vg_sigma_filter *fl)
{
    if (n->type != YAML_MAPPING_NODE)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "filter must be a mapping (rules, selection, condition)");
    fl->line = sg_line(n);
    yaml_node_t *rules = NULL;
    vg_rc rc = sg_check_keys(c, n, "filter");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; !rc && p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k;
        if ((rc = sg_get(c, p->key, n, &k)))
            return rc;
        if (strcmp((const char *)k->data.scalar.value, "rules") == 0)
            rc = sg_get(c, p->value, n, &rules);
    }
    if (rc)
        return rc;
    if (!rules)
        return sg_reject(c, n, VG_SIGMA_R_MISSING, "filter has no rules");
    if ((rc = sg_strlist(c, rules, "filter rules", 1, &fl->rules)))
        return rc;
    if (fl->rules.n == 0)
        return sg_reject(c, rules, VG_SIGMA_R_MISSING, "filter rules is empty");
    return sg_parse_detection(c, n, "rules", &fl->detection);
}

/* ---- documents ------------------------------------------------------------------------------ */

static vg_rc read_rule(sg_ctx *c, const yaml_node_t *root, vg_sigma_rule *r)
{
    if (root->type != YAML_MAPPING_NODE)
        return sg_reject(c, root, VG_SIGMA_R_KIND, "a rule must be a mapping (title, logsource, detection, ...)");
    vg_rc rc = sg_check_keys(c, root, "the rule");
    if (rc)
        return rc;
    const yaml_node_t *det = NULL, *corr = NULL, *filt = NULL, *ls = NULL, *gen = NULL;
    const yaml_node_t *kind_key[3] = { NULL, NULL, NULL };
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, root, &k)) || (rc = sg_get(c, p->value, root, &v)))
            return rc;
        const char *key = (const char *)k->data.scalar.value;
        int known;
        if (strcmp(key, "detection") == 0)
            det = v, kind_key[0] = k;
        else if (strcmp(key, "correlation") == 0)
            corr = v, kind_key[1] = k;
        else if (strcmp(key, "filter") == 0)
            filt = v, kind_key[2] = k;
        else if (strcmp(key, "logsource") == 0)
            ls = v;
        else if (strcmp(key, "generate") == 0)
            gen = v;
        else if ((rc = read_meta(c, key, v, &r->meta, &known)))
            return rc;
        else if (!known)
            r->meta.ncustom++;
    }
    int kinds = !!det + !!corr + !!filt;
    if (kinds > 1)
        return sg_reject(c, kind_key[det ? (corr ? 1 : 2) : 2], VG_SIGMA_R_KIND,
                         "a rule has exactly one of detection, correlation and filter (this one has %s)",
                         det && corr ? "detection and correlation" : det ? "detection and filter" : "correlation and filter");
    if (kinds == 0)
        return sg_reject(c, root, VG_SIGMA_R_MISSING, "no detection (nor correlation or filter) section");
    if (!r->meta.title)
        return sg_reject(c, root, VG_SIGMA_R_MISSING, "missing title");
    r->kind = det ? VG_SIGMA_DETECTION : corr ? VG_SIGMA_CORRELATION : VG_SIGMA_FILTER;
    r->correlation.generate = -1;
    if (gen && (rc = read_bool(c, gen, "generate", &r->correlation.generate)))
        return rc;
    if (ls && (rc = read_logsource(c, ls, &r->logsource)))
        return rc;
    if (!ls && r->kind != VG_SIGMA_CORRELATION)
        return sg_reject(c, root, VG_SIGMA_R_MISSING, "missing logsource");
    if (r->kind == VG_SIGMA_DETECTION)
        rc = sg_parse_detection(c, det, NULL, &r->detection);
    else if (r->kind == VG_SIGMA_CORRELATION)
        rc = read_correlation(c, corr, &r->correlation);
    else
        rc = read_filter(c, filt, &r->filter);
    if (rc)
        return rc;
    if (c->nph) {
        if (!(r->placeholders.v = sg_alloc(c, c->nph * sizeof *r->placeholders.v)))
            return sg_nomem(c);
        memcpy(r->placeholders.v, c->ph, c->nph * sizeof *c->ph);
        r->placeholders.n = c->nph;
    }
    return VG_OK;
}

static vg_rc add_doc(vg_sigma_file *f, uint32_t *cap, vg_sigma_doc **out)
{
    if (f->ndocs == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        vg_sigma_doc *d = vg_realloc(f->docs, ncap * sizeof *d);
        if (!d)
            return VG_ERR_NOMEM;
        f->docs = d;
        *cap = ncap;
    }
    *out = &f->docs[f->ndocs++];
    memset(*out, 0, sizeof **out);
    return VG_OK;
}

static void reject_doc(vg_sigma_doc *d, const char *name, vg_sigma_reason r, uint32_t line, const char *what)
{
    d->reason = r;
    d->err_line = line;
    int n = snprintf(d->msg, sizeof d->msg, "%s:%u: ", name, line);
    if (n >= 0 && (size_t)n < sizeof d->msg)
        snprintf(d->msg + n, sizeof d->msg - (size_t)n, "%s", what);
}

vg_rc vg_sigma_load_mem(vg_sigma_file **out, const char *name, const char *text, size_t len, vg_error *err)
{
    *out = NULL;
    if (len > VG_SIGMA_MAX_FILE)
        return vg_fail(err, VG_ERR_LIMIT, 0, "%s: larger than %u bytes", name, VG_SIGMA_MAX_FILE);
    vg_sigma_file *f = vg_calloc(1, sizeof *f);
    if (!f || sg_arena_new(&f->arena) != VG_OK) {
        vg_free(f);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    sg_ctx fc = { .arena = f->arena, .name = name };
    if (!(f->path = sg_strdup(&fc, name, strlen(name)))) {
        vg_sigma_file_free(f);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        vg_sigma_file_free(f);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    uint32_t cap = 0;
    vg_rc rc = VG_OK;
    for (;;) {
        yaml_document_t ydoc;
        vg_sigma_doc *d;
        if (!yaml_parser_load(&parser, &ydoc)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                break;
            }
            if ((rc = add_doc(f, &cap, &d)))
                break;
            char what[VG_ERROR_MSG_MAX];
            snprintf(what, sizeof what, "invalid YAML: %s%s%s", parser.context ? parser.context : "",
                     parser.context ? ": " : "", parser.problem ? parser.problem : "syntax error");
            d->line = (uint32_t)parser.problem_mark.line + 1;
            reject_doc(d, name, VG_SIGMA_R_YAML, d->line, what);
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&ydoc);
        if (!root) {
            yaml_document_delete(&ydoc);
            break;
        }
        if (root->type == YAML_SCALAR_NODE && sg_scalar_type(root) == VG_SIGMA_V_NULL) {
            yaml_document_delete(&ydoc);    /* an empty document (a trailing ---) */
            continue;
        }
        if ((rc = add_doc(f, &cap, &d))) {
            yaml_document_delete(&ydoc);
            break;
        }
        d->line = sg_line(root);
        if (f->ndocs > VG_SIGMA_MAX_DOCS) {
            char what[64];
            snprintf(what, sizeof what, "more than %u documents in one file", VG_SIGMA_MAX_DOCS);
            reject_doc(d, name, VG_SIGMA_R_LIMIT, d->line, what);
            yaml_document_delete(&ydoc);
            break;
        }
        sg_ctx c = { .doc = &ydoc, .arena = f->arena, .name = name };
        vg_sigma_rule *r = sg_alloc(&c, sizeof *r);
        rc = r ? VG_OK : sg_nomem(&c);
        if (r) {
            r->line = d->line;
            rc = read_rule(&c, root, r);
        }
        yaml_document_delete(&ydoc);
        if (rc == VG_ERR_PARSE) {
            reject_doc(d, name, c.reason, c.err_line, "");
            memcpy(d->msg, c.msg, sizeof d->msg);
            rc = VG_OK;
            continue;
        }
        if (rc) {   /* out of memory (or over the arena limit): the file cannot be finished */
            reject_doc(d, name, VG_SIGMA_R_LIMIT, d->line, "out of memory or over the AST limit for one file");
            rc = VG_OK;
            break;
        }
        d->rule = r;
    }
    yaml_parser_delete(&parser);
    if (rc) {
        vg_sigma_file_free(f);
        return rc;
    }
    *out = f;
    return VG_OK;
}

vg_rc vg_sigma_load_file(vg_sigma_file **out, const char *path, vg_error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    struct stat st;
    size_t want = fstat(fileno(fp), &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size <= VG_SIGMA_MAX_FILE
                      ? (size_t)st.st_size + 1 : VG_SIGMA_MAX_FILE + 1;
    char *text = vg_malloc(want);
    size_t n = text ? fread(text, 1, want, fp) : 0;
    int failed = !text || ferror(fp);
    fclose(fp);
    vg_rc rc;
    if (failed)
        rc = text ? vg_fail(err, VG_ERR_IO, 0, "%s: cannot read", path) : vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    else
        rc = vg_sigma_load_mem(out, path, text, n, err);
    vg_free(text);
    return rc;
}

void vg_sigma_file_free(vg_sigma_file *f)
{
    if (!f)
        return;
    vg_free(f->docs);
    sg_arena_free(f->arena);
    vg_free(f);
}

/*
 * sigma-search: the detection section of a Sigma rule (see sigma-rule.h for the AST): search
 * identifiers in their four shapes, field conditions ("Field|mod|mod: values"), the checks on
 * modifier chains and on the values they apply to, placeholders under `expand`, and the
 * conditions (parsed by sigma-cond, then copied into the file's arena).
 *
 * Modifier rules (each a rejection with its reason; docs/sigma.md explains them):
 *   - names from the appendix only, each at most once, none empty;
 *   - exists stands alone and takes true or false;
 *   - at most one of startswith/endswith/contains, of base64/base64offset, of the utf16
 *     family, of lt/lte/gt/gte, of the time parts;
 *   - re takes no other string modifier (i, m, s only after it), nor cased;
 *   - lt/lte/gt/gte and the time parts take numbers and no string modifier; a time part comes
 *     before its comparison;
 *   - cidr takes networks and no string modifier; fieldref no transformation;
 *   - all needs two values or more; null is never in a list, and takes no modifier but neq;
 *     booleans take no string modifier; keywords take no exists/fieldref/numeric modifier.
 */
#include "sigma-internal.h"

#include <arpa/inet.h>
#include <string.h>

#include "util-mem.h"

#define M(x) (1u << VG_SIGMA_MOD_##x)
#define MATCH (M(STARTSWITH) | M(ENDSWITH) | M(CONTAINS))
#define ENC64 (M(BASE64) | M(BASE64OFFSET))
#define UTF16 (M(UTF16LE) | M(UTF16BE) | M(UTF16) | M(WIDE))
#define RESUB (M(RE_I) | M(RE_M) | M(RE_S))
#define CMP (M(LT) | M(LTE) | M(GT) | M(GTE))
#define TIME (M(MINUTE) | M(HOUR) | M(DAY) | M(WEEK) | M(MONTH) | M(YEAR))
/* modifiers that treat the value as text */
#define STRINGY (MATCH | M(WINDASH) | M(RE) | RESUB | ENC64 | UTF16 | M(CIDR) | M(FIELDREF) | M(EXPAND) | M(CASED))

#define PLACEHOLDER_MAX_NAME 256

_Static_assert(VG_SIGMA_NMODS <= 32, "modifier masks are 32 bits");

typedef struct modset {
    uint32_t mask;
    int pos[VG_SIGMA_NMODS];    /* position in the chain */
} modset;

/* The first modifier of set in the chain (by position), or -1. */
static int first_in(const vg_sigma_field *f, uint32_t set)
{
    for (unsigned i = 0; i < f->nmods; i++)
        if (set & (1u << f->mods[i]))
            return (int)f->mods[i];
    return -1;
}

static const char *mname(int m)
{
    return vg_sigma_mod_name((vg_sigma_mod)m);
}

static int pos_of(const vg_sigma_field *f, int mod)
{
    for (unsigned i = 0; i < f->nmods; i++)
        if ((int)f->mods[i] == mod)
            return (int)i;
    return -1;
}

/* Rejects when the chain holds a modifier of a and one of b (a != b). */
static vg_rc conflict(sg_ctx *c, const yaml_node_t *k, const vg_sigma_field *f, uint32_t a, uint32_t b,
                      const char *why)
{
    int x = first_in(f, a), y = first_in(f, b & ~(x >= 0 ? 1u << x : 0));
    if (x < 0 || y < 0)
        return VG_OK;
    if (pos_of(f, y) < pos_of(f, x)) {  /* name them in the order written */
        int t = x;
        x = y;
        y = t;
    }
    return sg_reject(c, k, VG_SIGMA_R_MODIFIER_USE, "field '%s': modifiers %s and %s cannot be combined%s%s",
                     f->field, mname(x), mname(y), why ? ": " : "", why ? why : "");
}

static vg_rc at_most_one(sg_ctx *c, const yaml_node_t *k, const vg_sigma_field *f, uint32_t set)
{
    int x = first_in(f, set);
    if (x < 0)
        return VG_OK;
    return conflict(c, k, f, 1u << x, set & ~(1u << x), NULL);
}

/* Splits "Field|mod|mod" into f->field and f->mods. */
static vg_rc parse_key(sg_ctx *c, const yaml_node_t *k, vg_sigma_field *f, uint32_t *mask)
{
    size_t len;
    const char *s = sg_scalar(k, &len);
    const char *bar = memchr(s, '|', len);
    size_t flen = bar ? (size_t)(bar - s) : len;
    if (len > VG_SIGMA_MAX_NAME)
        return sg_reject(c, k, VG_SIGMA_R_LIMIT, "field name longer than %u bytes", VG_SIGMA_MAX_NAME);
    if (memchr(s, '\0', len))
        return sg_reject(c, k, VG_SIGMA_R_VALUE, "field name contains a NUL character");
    if (!(f->field = sg_strdup(c, s, flen)))
        return sg_nomem(c);
    *mask = 0;
    while (bar) {
        const char *m = bar + 1;
        bar = memchr(m, '|', len - (size_t)(m - s));
        size_t mlen = bar ? (size_t)(bar - m) : len - (size_t)(m - s);
        if (mlen == 0)
            return sg_reject(c, k, VG_SIGMA_R_MODIFIER, "field '%s': empty modifier (two '|' in a row or a "
                             "trailing '|')", f->field);
        int mod = vg_sigma_mod_from_name(m, mlen);
        if (mod < 0)
            return sg_reject(c, k, VG_SIGMA_R_MODIFIER, "field '%s': unknown modifier '%.*s'", f->field,
                             (int)(mlen > 64 ? 64 : mlen), m);
        if (*mask & (1u << mod))
            return sg_reject(c, k, VG_SIGMA_R_MODIFIER_USE, "field '%s': modifier %s given twice", f->field,
                             mname(mod));
        if (f->nmods == VG_SIGMA_MAX_MODS)
            return sg_reject(c, k, VG_SIGMA_R_LIMIT, "field '%s': more than %u modifiers", f->field,
                             VG_SIGMA_MAX_MODS);
        f->mods[f->nmods++] = (vg_sigma_mod)mod;
        *mask |= 1u << mod;
    }
    f->all = (*mask & M(ALL)) != 0;
    return VG_OK;
}

/* The chain on its own, before looking at the values. */
static vg_rc check_chain(sg_ctx *c, const yaml_node_t *k, const vg_sigma_field *f, uint32_t mask)
{
    vg_rc rc;
    if ((mask & M(EXISTS)) && (rc = conflict(c, k, f, M(EXISTS), ~0u, "exists stands alone")))
        return rc;
    if ((rc = at_most_one(c, k, f, MATCH)) || (rc = at_most_one(c, k, f, ENC64)) || (rc = at_most_one(c, k, f, UTF16)) ||
        (rc = at_most_one(c, k, f, CMP)) || (rc = at_most_one(c, k, f, TIME)))
        return rc;
    int sub = first_in(f, RESUB);
    if (sub >= 0 && (!(mask & M(RE)) || pos_of(f, sub) < pos_of(f, VG_SIGMA_MOD_RE)))
        return sg_reject(c, k, VG_SIGMA_R_MODIFIER_USE, "field '%s': %s is a sub-modifier of re and must follow it",
                         f->field, mname(sub));
    if ((rc = conflict(c, k, f, M(RE), M(CASED), "re is case-sensitive already (re|i makes it insensitive)")) ||
        (rc = conflict(c, k, f, M(RE), MATCH | M(WINDASH) | ENC64 | UTF16 | M(CIDR) | CMP | TIME | M(FIELDREF) | M(EXPAND),
                       "a regular expression is matched as written")))
        return rc;
    if ((rc = conflict(c, k, f, CMP, STRINGY | M(NEQ), "numeric comparisons take plain numbers")) ||
        (rc = conflict(c, k, f, TIME, STRINGY, "time parts are numbers")))
        return rc;
    int t = first_in(f, TIME), cmp = first_in(f, CMP);
    if (t >= 0 && cmp >= 0 && pos_of(f, cmp) < pos_of(f, t))
        return sg_reject(c, k, VG_SIGMA_R_MODIFIER_USE, "field '%s': %s extracts the number that %s compares, so "
                         "it must come first", f->field, mname(t), mname(cmp));
    if ((rc = conflict(c, k, f, M(CIDR), MATCH | M(WINDASH) | ENC64 | UTF16 | M(FIELDREF) | M(CASED),
                       "cidr matches addresses against networks")) ||
        (rc = conflict(c, k, f, M(FIELDREF), M(WINDASH) | ENC64 | UTF16 | M(EXPAND),
                       "fieldref compares with another field's value as it is")))
        return rc;
    if (!f->field[0]) {
        int bad = first_in(f, M(EXISTS) | M(FIELDREF) | CMP | TIME);
        if (bad >= 0)
            return sg_reject(c, k, VG_SIGMA_R_MODIFIER_USE, "keyword search with %s: it needs a field name",
                             mname(bad));
    }
    return VG_OK;
}

static int valid_network(const char *s, size_t n)
{
    char addr[64];
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (alen == 0 || alen >= sizeof addr)
        return 0;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    unsigned char bin[16];
    int max;
    if (inet_pton(AF_INET, addr, bin) == 1)
        max = 32;
    else if (inet_pton(AF_INET6, addr, bin) == 1)
        max = 128;
    else
        return 0;
    if (!slash)
        return 1;
    const char *p = slash + 1, *end = s + n;
    if (p == end || end - p > 3)
        return 0;
    int v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v <= max;
}

static int ph_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '-' || ch == '.';
}

/* Records the %name% placeholders of an expand value; returns how many it has. */
static vg_rc placeholders(sg_ctx *c, const yaml_node_t *n, const vg_sigma_raw *v, unsigned *found)
{
    *found = 0;
    for (size_t i = 0; i < v->len; i++) {
        if (v->text[i] == '\\') {
            i++;
            continue;
        }
        if (v->text[i] != '%')
            continue;
        size_t j = i + 1;
        while (j < v->len && ph_char(v->text[j]))
            j++;
        if (j == v->len || v->text[j] != '%' || j == i + 1 || j - i - 1 > PLACEHOLDER_MAX_NAME)
            continue;
        const char *name = v->text + i + 1;
        size_t nlen = j - i - 1;
        (*found)++;
        i = j;
        int seen = 0;
        for (uint32_t k = 0; k < c->nph && !seen; k++)
            seen = strlen(c->ph[k]) == nlen && memcmp(c->ph[k], name, nlen) == 0;
        if (seen)
            continue;
        if (c->nph == SG_MAX_PLACEHOLDERS)
            return sg_reject(c, n, VG_SIGMA_R_LIMIT, "more than %u placeholders", SG_MAX_PLACEHOLDERS);
        if (!(c->ph[c->nph] = sg_strdup(c, name, nlen)))
            return sg_nomem(c);
        c->nph++;
    }
    return VG_OK;
}

static const char *type_name(vg_sigma_vtype t)
{
    static const char *const names[] = { "null", "string", "number", "boolean" };
    return names[t];
}

/* The values against the chain. */
static vg_rc check_values(sg_ctx *c, const yaml_node_t *k, const yaml_node_t *const *vn, const vg_sigma_field *f,
                          uint32_t mask)
{
    const char *fname = f->field[0] ? f->field : "(keywords)";
    if (f->all && f->nvalues == 1)
        return sg_reject(c, k, VG_SIGMA_R_ALL_SINGLE, "field '%s': the all modifier on a single value (the "
                         "specification forbids it; use a separate selection)", fname);
    for (uint32_t i = 0; i < f->nvalues; i++) {
        const vg_sigma_raw *v = &f->values[i];
        const yaml_node_t *n = vn[i];
        if (v->type == VG_SIGMA_V_NULL) {
            if (f->nvalues > 1)
                return sg_reject(c, n, VG_SIGMA_R_NULL_IN_LIST, "field '%s': null inside a list of values (null "
                                 "must be a selection of its own)", fname);
            if (!f->field[0])
                return sg_reject(c, n, VG_SIGMA_R_TYPE, "a keyword cannot be null");
            int bad = first_in(f, ~(M(NEQ) | M(EXISTS)));
            if (bad >= 0)
                return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': %s cannot apply to null", fname,
                                 mname(bad));
        }
        if (mask & M(EXISTS)) {
            if (v->type != VG_SIGMA_V_BOOL || f->nvalues != 1)
                return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': exists takes true or false, not %s "
                                 "'%.*s'", fname, f->nvalues != 1 ? "a list" : type_name(v->type),
                                 (int)(v->len > 40 ? 40 : v->len), v->text);
            continue;
        }
        if (v->type == VG_SIGMA_V_BOOL && (mask & STRINGY)) {
            return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': %s applies to strings, and %s is a boolean "
                             "(quote it to mean the text)", fname, mname(first_in(f, STRINGY)), v->text);
        }
        int num = first_in(f, CMP | TIME);
        if (num >= 0 && v->type != VG_SIGMA_V_NULL && !sg_is_number(v->text, v->len))
            return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': %s needs a number, not %s '%.*s'", fname,
                             mname(num), type_name(v->type), (int)(v->len > 40 ? 40 : v->len), v->text);
        unsigned nph = 0;
        if ((mask & M(EXPAND)) && v->type == VG_SIGMA_V_STRING) {
            vg_rc rc = placeholders(c, n, v, &nph);
            if (rc)
                return rc;
        }
        if ((mask & M(CIDR)) && v->type != VG_SIGMA_V_NULL && !nph && !valid_network(v->text, v->len))
            return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': cidr needs an IPv4 or IPv6 network "
                             "(address/prefix), not '%.*s'", fname, (int)(v->len > 60 ? 60 : v->len), v->text);
        if ((mask & M(FIELDREF)) && v->len == 0)
            return sg_reject(c, n, VG_SIGMA_R_MODIFIER_USE, "field '%s': fieldref needs a field name", fname);
    }
    return VG_OK;
}

/* One value node into v. */
static vg_rc read_value(sg_ctx *c, const yaml_node_t *n, const char *fname, vg_sigma_raw *v)
{
    size_t len;
    const char *s = sg_scalar(n, &len);
    if (!s)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "field '%s': a value must be a scalar, not a %s", fname,
                         n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
    if (len > VG_SIGMA_MAX_VALUE)
        return sg_reject(c, n, VG_SIGMA_R_LIMIT, "field '%s': value longer than %u bytes", fname, VG_SIGMA_MAX_VALUE);
    v->type = sg_scalar_type(n);
    v->line = sg_line(n);
    v->len = v->type == VG_SIGMA_V_NULL ? 0 : len;
    if (!(v->text = sg_strdup(c, s, v->len)))
        return sg_nomem(c);
    return VG_OK;
}

/* Values of one field condition: vn is a scalar or a list of scalars. When key is NULL the
 * field is a keyword field without modifiers (a keyword list). */
static vg_rc read_field(sg_ctx *c, const yaml_node_t *k, const yaml_node_t *vn, vg_sigma_field *f)
{
    uint32_t mask = 0;
    vg_rc rc;
    if (k) {
        if ((rc = parse_key(c, k, f, &mask)) || (rc = check_chain(c, k, f, mask)))
            return rc;
    } else if (!(f->field = sg_strdup(c, "", 0))) {
        return sg_nomem(c);
    }
    f->line = sg_line(k ? k : vn);
    const char *fname = f->field[0] ? f->field : "(keywords)";
    size_t count = 1;
    if (vn->type == YAML_MAPPING_NODE)
        return sg_reject(c, vn, VG_SIGMA_R_TYPE, "field '%s': the value must be a value or a list of values, not a "
                         "mapping", fname);
    if (vn->type == YAML_SEQUENCE_NODE)
        count = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
    if (count == 0)
        return sg_reject(c, vn, VG_SIGMA_R_TYPE, "field '%s': empty list of values", fname);
    if (count > VG_SIGMA_MAX_VALUES)
        return sg_reject(c, vn, VG_SIGMA_R_LIMIT, "field '%s': more than %u values", fname, VG_SIGMA_MAX_VALUES);
    const yaml_node_t **nodes = vg_malloc(count * sizeof *nodes);
    f->values = sg_alloc(c, count * sizeof *f->values);
    if (!nodes || !f->values) {
        vg_free(nodes);
        return sg_nomem(c);
    }
    rc = VG_OK;
    for (size_t i = 0; !rc && i < count; i++) {
        const yaml_node_t *item = vn;
        yaml_node_t *got = NULL;
        if (vn->type == YAML_SEQUENCE_NODE && !(rc = sg_get(c, vn->data.sequence.items.start[i], vn, &got)))
            item = got;
        if (!rc)
            rc = read_value(c, item, fname, &f->values[i]);
        nodes[i] = item;
        f->nvalues = (uint32_t)i + 1;
    }
    if (!rc)
        rc = check_values(c, k ? k : vn, nodes, f, mask);
    vg_free(nodes);
    return rc;
}

/* A map of field conditions into one group. */
static vg_rc read_group(sg_ctx *c, const yaml_node_t *map, const char *sname, vg_sigma_group *g)
{
    vg_rc rc = sg_check_keys(c, map, sname);
    if (rc)
        return rc;
    size_t count = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    if (count == 0)
        return sg_reject(c, map, VG_SIGMA_R_TYPE, "search identifier '%s' has an empty mapping", sname);
    if (count > VG_SIGMA_MAX_FIELDS)
        return sg_reject(c, map, VG_SIGMA_R_LIMIT, "search identifier '%s': more than %u fields in a map", sname,
                         VG_SIGMA_MAX_FIELDS);
    g->line = sg_line(map);
    if (!(g->fields = sg_alloc(c, count * sizeof *g->fields)))
        return sg_nomem(c);
    for (size_t i = 0; i < count; i++) {
        const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, map, &k)) || (rc = sg_get(c, p->value, map, &v)) ||
            (rc = read_field(c, k, v, &g->fields[i])))
            return rc;
        g->nfields++;
    }
    return VG_OK;
}

/* One group holding one keyword field with the values of vn (a scalar or a list). */
static vg_rc keyword_group(sg_ctx *c, const yaml_node_t *vn, vg_sigma_group *g)
{
    g->line = sg_line(vn);
    g->nfields = 1;
    if (!(g->fields = sg_alloc(c, sizeof *g->fields)))
        return sg_nomem(c);
    return read_field(c, NULL, vn, &g->fields[0]);
}

/* A search made of keywords only. */
static vg_rc keyword_search(sg_ctx *c, const yaml_node_t *vn, vg_sigma_search *s)
{
    s->shape = VG_SIGMA_S_KEYWORDS;
    if (!(s->groups = sg_alloc(c, sizeof *s->groups)))
        return sg_nomem(c);
    s->ngroups = 1;
    return keyword_group(c, vn, &s->groups[0]);
}

/* A list: maps become groups, scalars one keyword group. */
static vg_rc read_list(sg_ctx *c, const yaml_node_t *seq, vg_sigma_search *s)
{
    size_t count = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start), nmaps = 0;
    if (count == 0)
        return sg_reject(c, seq, VG_SIGMA_R_TYPE, "search identifier '%s' is an empty list", s->name);
    if (count > VG_SIGMA_MAX_VALUES)
        return sg_reject(c, seq, VG_SIGMA_R_LIMIT, "search identifier '%s': more than %u items", s->name,
                         VG_SIGMA_MAX_VALUES);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *it;
        vg_rc rc = sg_get(c, seq->data.sequence.items.start[i], seq, &it);
        if (rc)
            return rc;
        if (it->type == YAML_SEQUENCE_NODE)
            return sg_reject(c, it, VG_SIGMA_R_TYPE, "search identifier '%s': a list inside a list", s->name);
        nmaps += it->type == YAML_MAPPING_NODE;
    }
    if (nmaps == 0)
        return keyword_search(c, seq, s);
    if (nmaps > VG_SIGMA_MAX_GROUPS)
        return sg_reject(c, seq, VG_SIGMA_R_LIMIT, "search identifier '%s': more than %u maps", s->name,
                         VG_SIGMA_MAX_GROUPS);
    s->shape = VG_SIGMA_S_MAP_LIST;
    size_t nkw = count - nmaps;
    if (!(s->groups = sg_alloc(c, (nmaps + (nkw ? 1 : 0)) * sizeof *s->groups)))
        return sg_nomem(c);
    yaml_node_t kwlist = *seq;      /* the keywords of a mixed list, as a list of their own */
    yaml_node_item_t *kw = NULL;
    if (nkw && !(kw = vg_malloc(nkw * sizeof *kw)))
        return sg_nomem(c);
    size_t k = 0;
    vg_rc rc = VG_OK;
    for (size_t i = 0; !rc && i < count; i++) {
        yaml_node_item_t id = seq->data.sequence.items.start[i];
        yaml_node_t *it = yaml_document_get_node(c->doc, id);
        if (it->type == YAML_MAPPING_NODE)
            rc = read_group(c, it, s->name, &s->groups[s->ngroups++]);
        else
            kw[k++] = id;
    }
    if (!rc && nkw) {
        kwlist.data.sequence.items.start = kw;
        kwlist.data.sequence.items.top = kw + nkw;
        rc = keyword_group(c, &kwlist, &s->groups[s->ngroups++]);
    }
    vg_free(kw);
    return rc;
}

static vg_rc read_search(sg_ctx *c, const yaml_node_t *k, const yaml_node_t *v, vg_sigma_search *s)
{
    size_t len;
    const char *name = sg_scalar(k, &len);
    if (len == 0 || len > VG_SIGMA_MAX_NAME || memchr(name, '\0', len))
        return sg_reject(c, k, VG_SIGMA_R_VALUE, "invalid search identifier name (empty, too long or with NUL)");
    if (!(s->name = sg_strdup(c, name, len)))
        return sg_nomem(c);
    s->line = sg_line(k);
    if (v->type == YAML_MAPPING_NODE) {
        s->shape = VG_SIGMA_S_MAP;
        if (!(s->groups = sg_alloc(c, sizeof *s->groups)))
            return sg_nomem(c);
        s->ngroups = 1;
        vg_rc rc = read_group(c, v, s->name, &s->groups[0]);
        const vg_sigma_group *g = &s->groups[0];
        if (!rc && g->nfields == 1 && !g->fields[0].field[0] && g->fields[0].all)
            s->shape = VG_SIGMA_S_KEYWORDS_ALL;
        return rc;
    }
    if (v->type == YAML_SEQUENCE_NODE)
        return read_list(c, v, s);
    if (sg_scalar_type(v) == VG_SIGMA_V_NULL)
        return sg_reject(c, v, VG_SIGMA_R_TYPE, "search identifier '%s' is empty", s->name);
    return keyword_search(c, v, s);
}

/* Parses one condition string into d->conds[i] (copied into the arena). */
static vg_rc read_condition(sg_ctx *c, const yaml_node_t *n, vg_sigma_detection *d, uint32_t i)
{
    size_t len;
    const char *s = sg_scalar(n, &len);
    if (!s)
        return sg_reject(c, n, VG_SIGMA_R_TYPE, "condition must be a string or a list of strings");
    if (sg_scalar_type(n) == VG_SIGMA_V_NULL)
        return sg_reject(c, n, VG_SIGMA_R_MISSING, "condition is empty");
    vg_sigma_cond tmp;
    vg_error e;
    vg_rc rc = vg_sigma_cond_parse(&tmp, s, len, d->names, d->nsearches, &e);
    if (rc == VG_ERR_NOMEM)
        return sg_nomem(c);
    if (rc)
        return sg_reject(c, n, rc == VG_ERR_NOTFOUND ? VG_SIGMA_R_IDENTIFIER
                         : rc == VG_ERR_LIMIT ? VG_SIGMA_R_LIMIT : VG_SIGMA_R_CONDITION,
                         "condition '%.*s%s': %s (at offset %zu)", (int)(len > 60 ? 60 : len), s, len > 60 ? "..." : "",
                         e.msg, e.offset);
    vg_sigma_cond *dst = &d->conds[i];
    dst->root = tmp.root;
    dst->nnodes = tmp.nnodes;
    dst->nids = tmp.nids;
    dst->nodes = sg_alloc(c, tmp.nnodes * sizeof *dst->nodes);
    dst->ids = sg_alloc(c, (tmp.nids ? tmp.nids : 1) * sizeof *dst->ids);
    if (dst->nodes && dst->ids) {
        memcpy(dst->nodes, tmp.nodes, tmp.nnodes * sizeof *dst->nodes);
        if (tmp.nids)
            memcpy(dst->ids, tmp.ids, tmp.nids * sizeof *dst->ids);
    }
    vg_sigma_cond_free(&tmp);
    if (!dst->nodes || !dst->ids || !(d->cond_text[i] = sg_strdup(c, s, len)))
        return sg_nomem(c);
    return VG_OK;
}

vg_rc sg_parse_detection(sg_ctx *c, const yaml_node_t *det, const char *skip_key, vg_sigma_detection *d)
{
    const char *what = skip_key ? "filter" : "detection";
    if (det->type != YAML_MAPPING_NODE)
        return sg_reject(c, det, VG_SIGMA_R_TYPE, "%s must be a mapping of search identifiers and a condition", what);
    vg_rc rc = sg_check_keys(c, det, what);
    if (rc)
        return rc;
    d->line = sg_line(det);
    size_t count = (size_t)(det->data.mapping.pairs.top - det->data.mapping.pairs.start);
    if (count > VG_SIGMA_MAX_SEARCHES + 2)
        return sg_reject(c, det, VG_SIGMA_R_LIMIT, "%s has more than %u search identifiers", what,
                         VG_SIGMA_MAX_SEARCHES);
    d->searches = sg_alloc(c, (count ? count : 1) * sizeof *d->searches);
    d->names = sg_alloc(c, (count ? count : 1) * sizeof *d->names);
    if (!d->searches || !d->names)
        return sg_nomem(c);
    const yaml_node_t *cond = NULL;
    for (size_t i = 0; i < count; i++) {
        const yaml_node_pair_t *p = &det->data.mapping.pairs.start[i];
        yaml_node_t *k, *v;
        if ((rc = sg_get(c, p->key, det, &k)) || (rc = sg_get(c, p->value, det, &v)))
            return rc;
        size_t klen;
        const char *key = sg_scalar(k, &klen);
        if (strcmp(key, "condition") == 0) {
            cond = v;
            continue;
        }
        if (skip_key && strcmp(key, skip_key) == 0)
            continue;
        if (d->nsearches == VG_SIGMA_MAX_SEARCHES)
            return sg_reject(c, k, VG_SIGMA_R_LIMIT, "%s has more than %u search identifiers", what,
                             VG_SIGMA_MAX_SEARCHES);
        vg_sigma_search *s = &d->searches[d->nsearches];
        if ((rc = read_search(c, k, v, s)))
            return rc;
        d->names[d->nsearches++] = s->name;
    }
    if (d->nsearches == 0)
        return sg_reject(c, det, VG_SIGMA_R_MISSING, "%s has no search identifier", what);
    if (!cond)
        return sg_reject(c, det, VG_SIGMA_R_MISSING, "%s has no condition", what);
    size_t nconds = 1;
    if (cond->type == YAML_SEQUENCE_NODE) {
        nconds = (size_t)(cond->data.sequence.items.top - cond->data.sequence.items.start);
        if (nconds == 0)
            return sg_reject(c, cond, VG_SIGMA_R_MISSING, "condition is an empty list");
        if (nconds > VG_SIGMA_MAX_CONDS)
            return sg_reject(c, cond, VG_SIGMA_R_LIMIT, "more than %u conditions", VG_SIGMA_MAX_CONDS);
    }
    d->conds = sg_alloc(c, nconds * sizeof *d->conds);
    d->cond_text = sg_alloc(c, nconds * sizeof *d->cond_text);
    if (!d->conds || !d->cond_text)
        return sg_nomem(c);
    for (size_t i = 0; i < nconds; i++) {
        const yaml_node_t *n = cond;
        yaml_node_t *got;
        if (cond->type == YAML_SEQUENCE_NODE) {
            if ((rc = sg_get(c, cond->data.sequence.items.start[i], cond, &got)))
                return rc;
            n = got;
        }
        if ((rc = read_condition(c, n, d, (uint32_t)i)))
            return rc;
        d->nconds++;
    }
    return VG_OK;
}

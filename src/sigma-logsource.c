/*
 * sigma-logsource: the mapping from Sigma logsources and field names to Vigil's events (see
 * sigma-logsource.h). The file is read whole with util-yaml; field sets are read first so
 * that sources can name them, and a set's base is followed at lookup time (depth-limited).
 */
#include "sigma-logsource.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util-hash.h"
#include "util-mem.h"
#include "util-yaml.h"

#define MAX_VALUES 64           /* limit: strings one condition may accept */
#define MAX_CONDS 16            /* limit: conditions of one source */
#define MAX_ENTRIES 32          /* limit: logsource entries of one source */
#define MAX_SETS 256            /* limit: field sets */
#define MAX_MAPS 1024           /* limit: names mapped by one field set */
#define MAX_BASE_DEPTH 8        /* limit: chain of bases */
#define MAX_KEYS VG_SIGMA_MAX_KEYS
#define MAX_FREQUENT 256        /* limit: names in frequent_fields */

enum { REST_INHERIT = -2, REST_NONE = -1 };

typedef struct ls_cond {
    char *path;                 /* NULL: the decoder's name */
    int key;                    /* the path's index among the mapping's distinct paths */
    char **values;
    uint16_t *ids;              /* each value's index among its key's distinct values */
    unsigned nvalues;
} ls_cond;

/* The distinct values the conditions on one key accept (borrowed from the conditions). */
typedef struct ls_vals {
    const char **v;
    size_t *len;
    unsigned n, cap;
    uint16_t *slot;             /* open addressing by vg_name_hash: value id + 1, 0 empty */
    uint32_t mask;              /* slots - 1 (at least twice the values, so a probe ends) */
} ls_vals;

typedef struct ls_entry {
    char *product, *category, *service;
} ls_entry;

typedef struct ls_source {
    char *name;
    ls_cond conds[MAX_CONDS];
    unsigned nconds;
    ls_entry entries[MAX_ENTRIES];
    unsigned nentries;
    int set;                    /* field set index */
    int product_rules;          /* serves rules naming only the product (default 1) */
} ls_source;

typedef struct ls_map {
    char *sigma;
    vg_sigma_place field;       /* field.name owned */
} ls_map;

typedef struct ls_set {
    char *name;
    char *base_name;
    int base;                   /* -1: none */
    ls_map *maps;
    unsigned nmaps;
    int rest;                   /* vg_sigma_place_kind, REST_NONE or REST_INHERIT */
    unsigned line;
} ls_set;

struct vg_sigma_mapping {
    ls_source *sources;
    size_t nsources;
    const char *keys[MAX_KEYS];     /* distinct condition paths (owned by their first condition) */
    size_t nkeys;
    ls_vals vals[MAX_KEYS + 1];     /* per key, and the decoder name last ([MAX_KEYS]) */
    ls_set sets[MAX_SETS];
    size_t nsets;
    char *frequent[MAX_FREQUENT];   /* Sigma field names whose values repeat across events */
    size_t nfrequent;
    /* classification by bit sets of sources (nwords words each), per key k (MAX_KEYS: the
     * decoder): those with a condition on k, and those that accept each value id of k (the
     * row after the last value: a value that is none of them) */
    size_t nwords;
    uint64_t *all;                  /* every source */
    uint64_t *has[MAX_KEYS + 1];
    uint64_t *accept[MAX_KEYS + 1]; /* rows of nwords, vals[k].n + 1 rows */
    const ls_cond *probe[MAX_KEYS + 1]; /* a condition on k (its path and key, to read the value) */
};

/* The built-in mapping: etc/sigma-logsources.yml, assembled into the program. */
extern const char vg_sigma_builtin_mapping[];
__asm__(".section .rodata\n"
        ".global vg_sigma_builtin_mapping\n"
        "vg_sigma_builtin_mapping:\n"
        ".incbin \"etc/sigma-logsources.yml\"\n"
        ".byte 0\n"
        ".previous\n");

/* ---- reading the file --------------------------------------------------------------------- */

typedef struct ls_parse {
    vg_yaml y;
    vg_sigma_mapping *m;
    yaml_node_t *sets_node, *sources_node, *frequent_node;
    ls_set *set;                /* the set being read */
    ls_source *src;             /* the source being read */
    ls_cond *cond;
    ls_entry *entry;
} ls_parse;

static vg_rc nomem(ls_parse *p)
{
    return vg_fail(p->y.err, VG_ERR_NOMEM, 0, "out of memory");
}

static vg_rc on_root(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    if (strcmp(key, "field_sets") == 0)
        p->sets_node = v;
    else if (strcmp(key, "sources") == 0)
        p->sources_node = v;
    else if (strcmp(key, "frequent_fields") == 0)
        p->frequent_node = v;
    else
        return vg_yaml_fail(&p->y, v, "unknown key '%s' (field_sets, sources, frequent_fields)", key);
    return VG_OK;
}

static vg_rc on_frequent(void *ctx, yaml_node_t *item)
{
    ls_parse *p = ctx;
    const char *name;
    vg_rc rc = vg_yaml_string(&p->y, item, "a frequent_fields name", &name);
    if (rc)
        return rc;
    if (p->m->nfrequent == MAX_FREQUENT)
        return vg_yaml_fail(&p->y, item, "more than %d frequent_fields", MAX_FREQUENT);
    if (!(p->m->frequent[p->m->nfrequent] = vg_strndup(name, strlen(name))))
        return nomem(p);
    p->m->nfrequent++;
    return VG_OK;
}

static vg_rc on_map(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    ls_set *s = p->set;
    const char *target;
    vg_rc rc = vg_yaml_string(&p->y, v, "a mapped field", &target);
    if (rc)
        return rc;
    if (s->nmaps == MAX_MAPS)
        return vg_yaml_fail(&p->y, v, "more than %d mapped names in one field set", MAX_MAPS);
    ls_map *mp = &s->maps[s->nmaps];
    int data = target[0] == '$';
    mp->field.kind = data ? VG_SIGMA_PLACE_EVENTDATA : VG_SIGMA_PLACE_PATH;
    mp->sigma = vg_strndup(key, strlen(key));
    mp->field.name = vg_strndup(target + data, strlen(target + data));
    mp->field.len = strlen(target + data);
    if (!mp->sigma || !mp->field.name)
        return nomem(p);
    s->nmaps++;
    if (mp->field.len == 0)
        return vg_yaml_fail(&p->y, v, "'$' must be followed by an event data member name");
    return VG_OK;
}

static vg_rc on_set_key(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    ls_set *s = p->set;
    if (strcmp(key, "base") == 0) {
        const char *b;
        vg_rc rc = vg_yaml_string(&p->y, v, "base", &b);
        if (rc)
            return rc;
        return (s->base_name = vg_strndup(b, strlen(b))) ? VG_OK : nomem(p);
    }
    if (strcmp(key, "map") == 0) {
        if (v->type == YAML_MAPPING_NODE && !(s->maps = vg_calloc(MAX_MAPS, sizeof *s->maps)))
            return nomem(p);
        return vg_yaml_each(&p->y, v, "map", on_map, p);
    }
    if (strcmp(key, "rest") == 0) {
        size_t len;
        const char *r = vg_yaml_scalar(v, &len);
        if (r && strcmp(r, "event-data") == 0)
            s->rest = VG_SIGMA_PLACE_EVENTDATA;
        else if (r && strcmp(r, "record") == 0)
            s->rest = VG_SIGMA_PLACE_RECORD;
        else if (r && strcmp(r, "none") == 0)
            s->rest = REST_NONE;
        else
            return vg_yaml_fail(&p->y, v, "rest must be event-data, record or none");
        return VG_OK;
    }
    return vg_yaml_fail(&p->y, v, "unknown key '%s' in a field set (base, map, rest)", key);
}

static vg_rc on_set(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    vg_sigma_mapping *m = p->m;
    if (m->nsets == MAX_SETS)
        return vg_yaml_fail(&p->y, v, "more than %d field sets", MAX_SETS);
    ls_set *s = &m->sets[m->nsets++];
    s->base = -1;
    s->rest = REST_INHERIT;
    s->line = vg_yaml_line(v);
    if (!(s->name = vg_strndup(key, strlen(key))))
        return nomem(p);
    p->set = s;
    return vg_yaml_each(&p->y, v, "a field set", on_set_key, p);
}

static int set_index(const vg_sigma_mapping *m, const char *name)
{
    for (size_t i = 0; i < m->nsets; i++)
        if (strcmp(m->sets[i].name, name) == 0)
            return (int)i;
    return -1;
}

static vg_rc on_cond_value(void *ctx, yaml_node_t *item)
{
    ls_parse *p = ctx;
    ls_cond *c = p->cond;
    const char *s;
    vg_rc rc = vg_yaml_string(&p->y, item, "a match value", &s);
    if (rc)
        return rc;
    if (c->nvalues == MAX_VALUES)
        return vg_yaml_fail(&p->y, item, "more than %d values in one condition", MAX_VALUES);
    if (!c->values && !(c->values = vg_calloc(MAX_VALUES, sizeof *c->values)))
        return nomem(p);
    return (c->values[c->nvalues++] = vg_strndup(s, strlen(s))) ? VG_OK : nomem(p);
}

static vg_rc on_match(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    ls_source *src = p->src;
    if (src->nconds == MAX_CONDS)
        return vg_yaml_fail(&p->y, v, "more than %d conditions in one source", MAX_CONDS);
    ls_cond *c = &src->conds[src->nconds++];
    if (strcmp(key, "decoder") != 0) {
        if (!(c->path = vg_strndup(key, strlen(key))))
            return nomem(p);
        vg_sigma_mapping *m = p->m;
        for (c->key = 0; (size_t)c->key < m->nkeys && strcmp(m->keys[c->key], key) != 0; c->key++)
            ;
        if ((size_t)c->key == m->nkeys) {
            if (m->nkeys == MAX_KEYS)
                return vg_yaml_fail(&p->y, v, "more than %d distinct fields in match conditions", MAX_KEYS);
            m->keys[m->nkeys++] = c->path;
        }
    }
    p->cond = c;
    return vg_yaml_items(&p->y, v, "a match value", on_cond_value, p);
}

static vg_rc on_entry_key(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    char **slot = strcmp(key, "product") == 0    ? &p->entry->product
                  : strcmp(key, "category") == 0 ? &p->entry->category
                  : strcmp(key, "service") == 0  ? &p->entry->service
                                                 : NULL;
    if (!slot)
        return vg_yaml_fail(&p->y, v, "unknown key '%s' in a logsource (product, category, service)", key);
    const char *s;
    vg_rc rc = vg_yaml_string(&p->y, v, key, &s);
    if (rc)
        return rc;
    return (*slot = vg_strndup(s, strlen(s))) ? VG_OK : nomem(p);
}

static vg_rc on_entry(void *ctx, yaml_node_t *item)
{
    ls_parse *p = ctx;
    ls_source *src = p->src;
    if (src->nentries == MAX_ENTRIES)
        return vg_yaml_fail(&p->y, item, "more than %d logsources in one source", MAX_ENTRIES);
    p->entry = &src->entries[src->nentries++];
    vg_rc rc = vg_yaml_each(&p->y, item, "a logsource", on_entry_key, p);
    if (!rc && !p->entry->product && !p->entry->category && !p->entry->service)
        return vg_yaml_fail(&p->y, item, "a logsource names none of product, category, service");
    return rc;
}

static vg_rc on_source_key(void *ctx, const char *key, yaml_node_t *v)
{
    ls_parse *p = ctx;
    ls_source *src = p->src;
    if (strcmp(key, "name") == 0) {
        const char *s;
        vg_rc rc = vg_yaml_string(&p->y, v, "name", &s);
        return rc ? rc : (src->name = vg_strndup(s, strlen(s))) ? VG_OK : nomem(p);
    }
    if (strcmp(key, "match") == 0)
        return vg_yaml_each(&p->y, v, "match", on_match, p);
    if (strcmp(key, "logsources") == 0)
        return vg_yaml_items(&p->y, v, "logsources", on_entry, p);
    if (strcmp(key, "fields") == 0) {
        const char *s;
        vg_rc rc = vg_yaml_string(&p->y, v, "fields", &s);
        if (rc)
            return rc;
        if ((src->set = set_index(p->m, s)) < 0)
            return vg_yaml_fail(&p->y, v, "no field set named '%s'", s);
        return VG_OK;
    }
    if (strcmp(key, "product_rules") == 0)
        return vg_yaml_bool(&p->y, v, "product_rules", &src->product_rules);
    return vg_yaml_fail(&p->y, v, "unknown key '%s' in a source (name, match, logsources, fields, product_rules)",
                        key);
}

static vg_rc on_source(void *ctx, yaml_node_t *item)
{
    ls_parse *p = ctx;
    vg_sigma_mapping *m = p->m;
    if (m->nsources == VG_SIGMA_MAX_SOURCES)
        return vg_yaml_fail(&p->y, item, "more than %u sources", VG_SIGMA_MAX_SOURCES);
    ls_source *src = &m->sources[m->nsources++];
    src->set = -1;
    src->product_rules = 1;
    p->src = src;
    vg_rc rc = vg_yaml_each(&p->y, item, "a source", on_source_key, p);
    if (rc)
        return rc;
    if (!src->name || src->nconds == 0 || src->nentries == 0 || src->set < 0)
        return vg_yaml_fail(&p->y, item, "a source needs name, match, logsources and fields");
    for (size_t i = 0; i + 1 < m->nsources; i++)
        if (strcmp(m->sources[i].name, src->name) == 0)
            return vg_yaml_fail(&p->y, item, "source '%s' is given twice", src->name);
    return VG_OK;
}

/* Resolves the bases of the field sets, refusing unknown names and cycles. */
static vg_rc link_sets(ls_parse *p)
{
    vg_sigma_mapping *m = p->m;
    for (size_t i = 0; i < m->nsets; i++) {
        ls_set *s = &m->sets[i];
        if (s->base_name && (s->base = set_index(m, s->base_name)) < 0)
            return vg_fail(p->y.err, VG_ERR_PARSE, 0, "%s:%u: field set %s: no base named '%s'", p->y.name, s->line,
                           s->name, s->base_name);
    }
    for (size_t i = 0; i < m->nsets; i++) {
        int b = (int)i, depth = 0;
        while ((b = m->sets[b].base) >= 0)
            if (++depth > MAX_BASE_DEPTH)
                return vg_fail(p->y.err, VG_ERR_PARSE, 0, "%s:%u: field set %s: bases form a cycle or a chain "
                               "longer than %d", p->y.name, m->sets[i].line, m->sets[i].name, MAX_BASE_DEPTH);
    }
    return VG_OK;
}

/* The bit sets that classify an event (struct vg_sigma_mapping). -1: no memory. */
static int index_sources(vg_sigma_mapping *m)
{
    size_t nw = m->nwords = m->nsources ? (m->nsources + 63) / 64 : 1;
    if (!(m->all = vg_calloc(nw, sizeof *m->all)))
        return -1;
    for (size_t i = 0; i < m->nsources; i++)
        m->all[i / 64] |= 1ull << (i % 64);
    for (size_t k = 0; k <= MAX_KEYS; k++) {
        if (k < MAX_KEYS && k >= m->nkeys)
            continue;
        size_t rows = m->vals[k].n + 1;
        if (!(m->has[k] = vg_calloc(nw, sizeof *m->has[k])) || !(m->accept[k] = vg_calloc(rows * nw, sizeof(uint64_t))))
            return -1;
        for (size_t r = 0; r < rows; r++)
            memcpy(m->accept[k] + r * nw, m->all, nw * sizeof *m->all);
    }
    for (size_t i = 0; i < m->nsources; i++) {
        uint64_t bit = 1ull << (i % 64);
        for (unsigned c = 0; c < m->sources[i].nconds; c++) {
            const ls_cond *cd = &m->sources[i].conds[c];
            size_t k = cd->path ? (size_t)cd->key : MAX_KEYS;
            m->probe[k] = cd;
            m->has[k][i / 64] |= bit;
            for (size_t r = 0; r <= m->vals[k].n; r++) {    /* the conditions on k all hold */
                int ok = 0;
                for (unsigned v = 0; v < cd->nvalues && !ok; v++)
                    ok = cd->ids[v] == r;
                if (!ok)
                    m->accept[k][r * nw + i / 64] &= ~bit;
            }
        }
    }
    return 0;
}

/* The hash table of kv's values (ls_vals.slot). -1: no memory. */
static int hash_values(ls_vals *kv)
{
    uint32_t size = 8;
    while (size < 2u * kv->n)
        size *= 2;
    if (!(kv->slot = vg_calloc(size, sizeof *kv->slot)))
        return -1;
    kv->mask = size - 1;
    for (unsigned id = 0; id < kv->n; id++) {
        uint32_t h = vg_name_hash(kv->v[id], kv->len[id]) & kv->mask;
        while (kv->slot[h])
            h = (h + 1) & kv->mask;
        kv->slot[h] = (uint16_t)(id + 1);
    }
    return 0;
}

/* Gives every condition value its index among the distinct values of its key (so that an
 * event's value is compared with each distinct string once, not once per source). -1: no
 * memory. */
static int index_values(vg_sigma_mapping *m)
{
    for (size_t i = 0; i < m->nsources; i++)
        for (unsigned c = 0; c < m->sources[i].nconds; c++) {
            ls_cond *cd = &m->sources[i].conds[c];
            ls_vals *kv = &m->vals[cd->path ? (size_t)cd->key : MAX_KEYS];
            if (!(cd->ids = vg_calloc(cd->nvalues ? cd->nvalues : 1, sizeof *cd->ids)))
                return -1;
            for (unsigned v = 0; v < cd->nvalues; v++) {
                size_t len = strlen(cd->values[v]);
                unsigned id = 0;
                while (id < kv->n && (kv->len[id] != len || memcmp(kv->v[id], cd->values[v], len) != 0))
                    id++;
                if (id == kv->n) {
                    if (kv->n == kv->cap) {
                        unsigned cap = kv->cap ? kv->cap * 2 : 8;
                        const char **nv = vg_realloc(kv->v, cap * sizeof *nv);
                        if (!nv)
                            return -1;
                        kv->v = nv;
                        size_t *nl = vg_realloc(kv->len, cap * sizeof *nl);
                        if (!nl)
                            return -1;
                        kv->len = nl;
                        kv->cap = cap;
                    }
                    kv->v[kv->n] = cd->values[v];
                    kv->len[kv->n++] = len;
                }
                cd->ids[v] = (uint16_t)id;
            }
        }
    for (size_t k = 0; k <= MAX_KEYS; k++)
        if (hash_values(&m->vals[k]) != 0)
            return -1;
    return index_sources(m);
}

vg_rc vg_sigma_mapping_parse(vg_sigma_mapping **out, const char *text, size_t len, const char *name,
                             vg_error *err)
{
    if (len > VG_SIGMA_MAPPING_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "%s: larger than %u bytes", name, VG_SIGMA_MAPPING_MAX);
    ls_parse p;
    memset(&p, 0, sizeof p);
    p.m = vg_calloc(1, sizeof *p.m);
    if (!p.m || !(p.m->sources = vg_calloc(VG_SIGMA_MAX_SOURCES, sizeof *p.m->sources))) {
        vg_free(p.m);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    vg_rc rc = vg_yaml_load(&p.y, text, len, name, err);
    if (!rc)
        rc = vg_yaml_each(&p.y, vg_yaml_root(&p.y), "the mapping", on_root, &p);
    if (!rc && (!p.sets_node || !p.sources_node))
        rc = vg_yaml_fail(&p.y, vg_yaml_root(&p.y), "a mapping needs field_sets and sources");
    if (!rc)
        rc = vg_yaml_each(&p.y, p.sets_node, "field_sets", on_set, &p);
    if (!rc)
        rc = link_sets(&p);
    if (!rc)
        rc = vg_yaml_items(&p.y, p.sources_node, "sources", on_source, &p);
    if (!rc && p.frequent_node)
        rc = vg_yaml_items(&p.y, p.frequent_node, "frequent_fields", on_frequent, &p);
    if (!rc && index_values(p.m))
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_yaml_free(&p.y);
    if (rc) {
        vg_sigma_mapping_free(p.m);
        return rc;
    }
    *out = p.m;
    return VG_OK;
}

vg_rc vg_sigma_mapping_load(vg_sigma_mapping **out, const char *path, vg_error *err)
{
    if (!path)
        return vg_sigma_mapping_parse(out, vg_sigma_builtin_mapping, strlen(vg_sigma_builtin_mapping),
                                      "(built-in sigma-logsources.yml)", err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    char *text = vg_malloc(VG_SIGMA_MAPPING_MAX + 1);
    size_t n = text ? fread(text, 1, VG_SIGMA_MAPPING_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    vg_rc rc;
    if (!text)
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    else if (bad)
        rc = vg_fail(err, VG_ERR_IO, 0, "%s: read error", path);
    else
        rc = vg_sigma_mapping_parse(out, text, n, path, err);
    vg_free(text);
    return rc;
}

void vg_sigma_mapping_free(vg_sigma_mapping *m)
{
    if (!m)
        return;
    for (size_t k = 0; k <= MAX_KEYS; k++) {
        vg_free(m->vals[k].v);
        vg_free(m->vals[k].len);
        vg_free(m->vals[k].slot);
        vg_free(m->has[k]);
        vg_free(m->accept[k]);
    }
    vg_free(m->all);
    for (size_t i = 0; i < m->nfrequent; i++)
        vg_free(m->frequent[i]);
    for (size_t i = 0; i < m->nsources; i++) {
        ls_source *s = &m->sources[i];
        vg_free(s->name);
        for (unsigned c = 0; c < s->nconds; c++) {
            vg_free(s->conds[c].path);
            for (unsigned v = 0; v < s->conds[c].nvalues; v++)
                vg_free(s->conds[c].values[v]);
            vg_free(s->conds[c].values);
            vg_free(s->conds[c].ids);
        }
        for (unsigned e = 0; e < s->nentries; e++) {
            vg_free(s->entries[e].product);
            vg_free(s->entries[e].category);
            vg_free(s->entries[e].service);
        }
    }
    for (size_t i = 0; i < m->nsets; i++) {
        ls_set *s = &m->sets[i];
        vg_free(s->name);
        vg_free(s->base_name);
        for (unsigned k = 0; k < s->nmaps; k++) {
            vg_free(s->maps[k].sigma);
            vg_free((char *)(uintptr_t)s->maps[k].field.name);
        }
        vg_free(s->maps);
    }
    vg_free(m->sources);
    vg_free(m);
}

/* ---- queries ------------------------------------------------------------------------------ */

size_t vg_sigma_mapping_count(const vg_sigma_mapping *m)
{
    return m->nsources;
}

const char *vg_sigma_source_name(const vg_sigma_mapping *m, size_t i)
{
    return i < m->nsources ? m->sources[i].name : "?";
}

/* Does the rule's part (NULL: not named) equal the entry's? */
static int part_ok(const char *rule, const char *entry)
{
    return !rule || (entry && strcmp(rule, entry) == 0);
}

size_t vg_sigma_mapping_sources_for(const vg_sigma_mapping *m, const char *product, const char *category,
                                    const char *service, uint16_t *ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nsources; i++) {
        const ls_source *s = &m->sources[i];
        if (!s->product_rules && !category && !service)
            continue;           /* a rule naming the product alone: not for this source */
        for (unsigned e = 0; e < s->nentries; e++) {
            const ls_entry *en = &s->entries[e];
            if (part_ok(product, en->product) && part_ok(category, en->category) &&
                part_ok(service, en->service)) {
                if (n < max)
                    ids[n] = (uint16_t)i;
                n++;
                break;
            }
        }
    }
    return n;
}

/* The value of condition path c->path in ev, fetched once per classification (vals/have). */
static vg_value cond_value(const ls_cond *c, const vg_event *ev, vg_value *vals, uint8_t *have)
{
    if (!have[c->key]) {
        have[c->key] = 1;
        if (c->path[0] == '$') {
            /* a Windows event data member, whatever the event's JSON shape */
            vg_sigma_place p = { VG_SIGMA_PLACE_EVENTDATA, c->path + 1, strlen(c->path + 1) };
            vals[c->key] = vg_sigma_place_value(&p, ev);
        } else {    /* not among the decoder's fields (fields_to_keys): the record's */
            vals[c->key] = vg_event_doc_get(ev, c->path);
        }
    }
    return vals[c->key];
}

/* The index of ev's value for key k among the key's distinct values, -1 when it is none of
 * them (or not a string or number). */
static int value_id(const vg_sigma_mapping *m, const ls_cond *c, const vg_event *ev, vg_value *vals, uint8_t *have)
{
    const ls_vals *kv = &m->vals[c->path ? (size_t)c->key : MAX_KEYS];
    if (!c->path) {
        size_t n = ev->decoder ? strlen(ev->decoder) : 0;
        for (unsigned id = 0; ev->decoder && id < kv->n; id++)
            if (kv->len[id] == n && memcmp(kv->v[id], ev->decoder, n) == 0)
                return (int)id;
        return -1;
    }
    vg_value val = cond_value(c, ev, vals, have);
    if (val.type != VG_JSON_STRING && val.type != VG_JSON_NUMBER)
        return -1;
    int escaped = val.type == VG_JSON_STRING && (val.flags & VG_JSON_ESCAPED);   /* as vg_value_equals reads it */
    if (!escaped) {     /* the bytes as they are: found by their hash */
        for (uint32_t h = vg_name_hash(val.ptr, val.len) & kv->mask, id; (id = kv->slot[h]) != 0;
             h = (h + 1) & kv->mask)
            if (kv->len[id - 1] == val.len && memcmp(kv->v[id - 1], val.ptr, val.len) == 0)
                return (int)id - 1;
        return -1;
    }
    for (unsigned id = 0; id < kv->n; id++)     /* escaped: compared while decoding */
        if (vg_value_equals(&val, kv->v[id], kv->len[id]))
            return (int)id;
    return -1;
}

/* ANDs into cur (nw words) the sources that accept ev's value of key k; 0 when none is left. */
static int narrow(const vg_sigma_mapping *m, size_t k, const vg_event *ev, vg_value *vals, uint8_t *have, uint64_t *cur)
{
    size_t nw = m->nwords;
    uint64_t touched = 0, left = 0;
    for (size_t w = 0; w < nw; w++)
        touched |= cur[w] & m->has[k][w];
    if (!touched)
        return 1;       /* no source still in question has a condition on k */
    int id = value_id(m, m->probe[k], ev, vals, have);
    const uint64_t *row = m->accept[k] + (id < 0 ? m->vals[k].n : (size_t)id) * nw;
    for (size_t w = 0; w < nw; w++)
        left |= cur[w] &= row[w];
    return left != 0;
}

/* The plain key of a decoder's field name, remembered by the name's address. */
static int field_key(const vg_sigma_mapping *m, vg_sigma_keyvals *kv, const char *name)
{
    size_t h = (size_t)((uintptr_t)name * 0x9E3779B97F4A7C15ull >> 40) & (VG_SIGMA_NAME_SLOTS - 1);
    for (;; h = (h + 1) & (VG_SIGMA_NAME_SLOTS - 1)) {
        if (kv->name[h] == name)
            return kv->name_key[h];
        if (!kv->name[h])
            break;
    }
    int k = vg_sigma_mapping_key(m, name, strlen(name));
    if (kv->nnames < VG_SIGMA_NAME_SLOTS / 2) {     /* full: looked up every time */
        kv->nnames++;
        kv->name[h] = name;
        kv->name_key[h] = (int8_t)k;
    }
    return k;
}

/* Reads into kv the values of the decoder's fields that are plain keys, in one walk (the
 * value set last wins, as in vg_event_get). */
static void fields_to_keys(const vg_sigma_mapping *m, const vg_event *ev, vg_sigma_keyvals *kv)
{
    if (kv->names_of != m) {
        memset(kv->name, 0, sizeof kv->name);
        kv->nnames = 0;
        kv->names_of = m;
    }
    for (unsigned i = 0, n = ev->nfields; i < n; i++) {
        int k = field_key(m, kv, ev->fields[i].name);
        if (k >= 0) {
            kv->vals[k] = ev->fields[i].value;
            kv->have[k] = 1;
        }
    }
}

size_t vg_sigma_mapping_classify(const vg_sigma_mapping *m, const vg_event *ev, uint16_t *ids, size_t max,
                                 vg_sigma_keyvals *kv)
{
    uint64_t cur[(VG_SIGMA_MAX_SOURCES + 63) / 64];
    vg_sigma_keyvals local;
    if (!kv) {
        kv = &local;
        local.names_of = NULL;
    }
    vg_value *vals = kv->vals;
    uint8_t *have = kv->have;           /* a path is looked up once */
    memset(have, 0, sizeof kv->have);
    fields_to_keys(m, ev, kv);
    memcpy(cur, m->all, m->nwords * sizeof *cur);
    int any = narrow(m, MAX_KEYS, ev, vals, have, cur);     /* the decoder first: no lookup */
    for (size_t k = 0; any && k < m->nkeys; k++)
        any = narrow(m, k, ev, vals, have, cur);
    size_t n = 0;
    for (size_t w = 0; any && w < m->nwords && n < max; w++)
        for (uint64_t x = cur[w]; x && n < max; x &= x - 1)
            ids[n++] = (uint16_t)(w * 64 + (size_t)__builtin_ctzll(x));
    return n;
}

int vg_sigma_mapping_key(const vg_sigma_mapping *m, const char *name, size_t len)
{
    for (size_t k = 0; k < m->nkeys; k++)
        if (m->keys[k][0] != '$' && strlen(m->keys[k]) == len && memcmp(m->keys[k], name, len) == 0)
            return (int)k;
    return -1;
}

int vg_sigma_mapping_frequent(const vg_sigma_mapping *m, const char *name)
{
    for (size_t i = 0; i < m->nfrequent; i++)
        if (strcmp(m->frequent[i], name) == 0)
            return 1;
    return 0;
}

vg_rc vg_sigma_mapping_field(const vg_sigma_mapping *m, size_t src, const char *name, vg_sigma_place *out,
                             vg_error *err)
{
    if (src >= m->nsources)
        return vg_fail(err, VG_ERR_USAGE, 0, "no source %zu", src);
    int rest = REST_INHERIT;
    for (int s = m->sources[src].set; s >= 0; s = m->sets[s].base) {
        const ls_set *set = &m->sets[s];
        for (unsigned k = 0; k < set->nmaps; k++)
            if (strcmp(set->maps[k].sigma, name) == 0) {
                *out = set->maps[k].field;
                return VG_OK;
            }
        if (rest == REST_INHERIT)
            rest = set->rest;
    }
    if (rest < 0)
        return vg_fail(err, VG_ERR_NOTFOUND, 0, "field %s is not mapped for %s events", name,
                       m->sources[src].name);
    *out = (vg_sigma_place){ (vg_sigma_place_kind)rest, name, strlen(name) };
    return VG_OK;
}

/* ---- Windows event data ------------------------------------------------------------------- */

/* The token holding the event data of a Windows event in any of its JSON shapes (evtx
 * Event.EventData or the first UserData element, Winlogbeat winlog.event_data, NXLog nested
 * EventData or the whole flat record). */
static int eventdata_container(const vg_json_doc *doc)
{
    int i = vg_json_find(doc, 0, "Event.EventData", 15);
    if (i >= 0 && doc->toks[i].type == VG_JSON_OBJECT)
        return i;
    i = vg_json_find(doc, 0, "Event.UserData", 14);
    if (i >= 0 && doc->toks[i].type == VG_JSON_OBJECT && doc->toks[i].next > (uint32_t)i + 2 &&
        doc->toks[i + 2].type == VG_JSON_OBJECT)
        return i + 2;
    i = vg_json_find(doc, 0, "winlog.event_data", 17);
    if (i >= 0 && doc->toks[i].type == VG_JSON_OBJECT)
        return i;
    i = vg_json_member(doc, 0, "EventData", 9);
    if (i >= 0 && doc->toks[i].type == VG_JSON_OBJECT)
        return i;
    return 0;
}

/* Does raw key k (not escaped) equal name once its spaces are removed? */
static int key_equals_unspaced(const char *k, size_t kn, const char *name, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < kn; i++) {
        if (k[i] == ' ')
            continue;
        if (j == n || k[i] != name[j])
            return 0;
        j++;
    }
    return j == n;
}

/* The value of a Data element {"#attributes":{"Name":N},"#text":V} (or "@Name") named name. */
static int data_element(const vg_json_doc *doc, uint32_t el, const char *name, size_t n)
{
    if (doc->toks[el].type != VG_JSON_OBJECT)
        return -1;
    int nm = vg_json_find(doc, el, "#attributes.Name", 16);
    if (nm < 0)
        nm = vg_json_member(doc, el, "@Name", 5);
    if (nm < 0 || doc->toks[nm].type != VG_JSON_STRING)
        return -1;
    vg_value v = vg_json_value(doc, (uint32_t)nm);
    if (!vg_json_string_equals(v.ptr, v.len, v.flags, name, n))
        return -1;
    int text = vg_json_member(doc, el, "#text", 5);
    return text >= 0 ? text : -2;     /* -2: named, without a value */
}

/* The token of event data member name in container c, -1 if absent, -2 if present empty. */
static int eventdata_member(const vg_json_doc *doc, uint32_t c, const char *name, size_t n)
{
    int i = vg_json_member(doc, c, name, n);
    if (i >= 0)
        return i;
    int data = vg_json_member(doc, c, "Data", 4);
    if (data >= 0 && doc->toks[data].type == VG_JSON_ARRAY) {
        for (uint32_t k = (uint32_t)data + 1; k < doc->toks[data].next; k = doc->toks[k].next)
            if ((i = data_element(doc, k, name, n)) != -1)
                return i;
    } else if (data >= 0 && (i = data_element(doc, (uint32_t)data, name, n)) != -1) {
        return i;
    }
    const vg_json_tok *t = doc->toks;
    for (uint32_t k = c + 1; k < t[c].next; k = t[k + 1].next)
        if (!(t[k].flags & VG_JSON_ESCAPED) && memchr(doc->text + t[k].start, ' ', t[k].len) &&
            key_equals_unspaced(doc->text + t[k].start, t[k].len, name, n))
            return (int)k + 1;
    return -1;
}

vg_value vg_sigma_place_value(const vg_sigma_place *f, const vg_event *ev)
{
    vg_value none = { VG_JSON_NONE, 0, 0, NULL };
    if (f->kind == VG_SIGMA_PLACE_PATH)
        return vg_event_get(ev, f->name);
    const vg_json_doc *doc = ev->doc;
    if (!doc || doc->ntoks == 0 || doc->toks[0].type != VG_JSON_OBJECT)
        return none;
    int i;
    if (f->kind == VG_SIGMA_PLACE_RECORD) {
        i = vg_json_find(doc, 0, f->name, f->len);
    } else {
        i = eventdata_member(doc, (uint32_t)eventdata_container(doc), f->name, f->len);
        if (i == -2) {
            vg_value empty = { VG_JSON_STRING, 0, 0, "" };
            return empty;
        }
    }
    return i >= 0 ? vg_json_value(doc, (uint32_t)i) : none;
}

/* ---- the event data index ----------------------------------------------------------------- */

/* What a miss in the index says about the current event (a member name not among the wanted
 * names can still be a wanted name once decoded, or once its spaces are removed, or be a Data
 * element list: vg_sigma_place_value's other ways to find a member). */
enum { EVIDX_OPEN, EVIDX_ABSENT, EVIDX_READ_ALL };

/* A short name as two words that tell apart any two names of the same length up to 16 bytes:
 * its first and last eight bytes (four for 4-7 bytes; the first, middle and last below). */
typedef struct name_key {
    uint64_t a, b;
} name_key;

/* A wanted name: its key, length and place (+ 1; 0: an empty slot). */
struct evidx_slot {
    name_key key;
    uint32_t len, place;
};

struct vg_sigma_evidx {
    const vg_sigma_place *places;   /* the caller's, [n] */
    size_t n;
    uint32_t mask;                  /* slots - 1 */
    struct evidx_slot *slot;        /* [mask + 1] */
    uint8_t *other;                 /* [n]: the name could be found another way too (spaces, "Data") */
    uint32_t *stamp;                /* [n]: tok[i] holds for the current event when == cur */
    uint32_t *tok;                  /* [n]: the value token of place i's member */
    uint32_t *same;                 /* [n]: the first place of the same name (itself if none) */
    uint32_t cur;
    const vg_event *ev;             /* the event walked (NULL: none) */
    int miss;                       /* EVIDX_*: what a miss means for this event */
};

static inline name_key name_key_of(const char *s, size_t n)
{
    name_key k = { 0, 0 };
    if (n >= 8) {
        memcpy(&k.a, s, 8);
        memcpy(&k.b, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        k.a = x | (uint64_t)y << 32;
    } else if (n) {
        k.a = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
              (uint64_t)(unsigned char)s[n - 1] << 16;
    }
    return k;
}

static inline uint32_t name_slot_of(name_key k, size_t n, uint32_t mask)
{
    uint64_t h = (k.a ^ n * 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull ^ k.b * 0xc4ceb9fe1a85ec53ull;
    return (uint32_t)(h ^ h >> 32) & mask;
}

/* The wanted place named by member key s[0..n), or -1 (the first place of that name). Names
 * over 16 bytes compare their middle bytes too. */
static inline long evidx_wanted(const vg_sigma_evidx *idx, const char *s, size_t n)
{
    name_key k = name_key_of(s, n);
    for (uint32_t i = name_slot_of(k, n, idx->mask);; i = (i + 1) & idx->mask) {
        const struct evidx_slot *e = &idx->slot[i];
        if (!e->place)
            return -1;
        if (e->key.a == k.a && e->key.b == k.b && e->len == n &&
            (n <= 16 || memcmp(idx->places[e->place - 1].name + 8, s + 8, n - 16) == 0))
            return (long)e->place - 1;
    }
}

/* Could a member named k[0..n) let vg_sigma_place_value find a name the walk did not: a Data
 * element list, or a name with spaces (compared without them)? */
static int opens_other_ways(const char *k, size_t n)
{
    return (n == 4 && memcmp(k, "Data", 4) == 0) || memchr(k, ' ', n);
}

vg_rc vg_sigma_evidx_new(vg_sigma_evidx **out, const vg_sigma_place *places, size_t n, vg_error *err)
{
    size_t wanted = 0;
    if (n >= UINT32_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "%zu places for an event data index", n);
    for (size_t i = 0; i < n; i++) {
        wanted += places[i].kind == VG_SIGMA_PLACE_EVENTDATA;
        if (places[i].len >= UINT32_MAX)
            return vg_fail(err, VG_ERR_LIMIT, 0, "event data member name of %zu bytes", places[i].len);
    }
    size_t slots = 16;
    while (slots < 4 * wanted)      /* at most a quarter full: most probes end at once */
        slots *= 2;
    vg_sigma_evidx *idx = vg_calloc(1, sizeof *idx);
    if (idx) {
        idx->slot = vg_calloc(slots, sizeof *idx->slot);
        idx->stamp = vg_calloc(n ? n : 1, sizeof *idx->stamp);
        idx->tok = vg_calloc(n ? n : 1, sizeof *idx->tok);
        idx->same = vg_calloc(n ? n : 1, sizeof *idx->same);
        idx->other = vg_calloc(n ? n : 1, 1);
    }
    if (!idx || !idx->slot || !idx->stamp || !idx->tok || !idx->same || !idx->other || slots > UINT32_MAX) {
        vg_sigma_evidx_free(idx);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory (event data index of %zu places)", n);
    }
    idx->places = places;
    idx->n = n;
    idx->mask = (uint32_t)slots - 1;
    idx->cur = 1;
    for (size_t i = 0; i < n; i++) {
        idx->same[i] = (uint32_t)i;
        if (places[i].kind != VG_SIGMA_PLACE_EVENTDATA)
            continue;
        long first = evidx_wanted(idx, places[i].name, places[i].len);
        if (first >= 0) {
            idx->same[i] = (uint32_t)first;
            continue;
        }
        idx->other[i] = (uint8_t)opens_other_ways(places[i].name, places[i].len);
        name_key k = name_key_of(places[i].name, places[i].len);
        uint32_t at = name_slot_of(k, places[i].len, idx->mask);
        while (idx->slot[at].place)
            at = (at + 1) & idx->mask;
        idx->slot[at] = (struct evidx_slot){ k, (uint32_t)places[i].len, (uint32_t)i + 1 };
    }
    *out = idx;
    return VG_OK;
}

void vg_sigma_evidx_free(vg_sigma_evidx *idx)
{
    if (!idx)
        return;
    vg_free(idx->slot);
    vg_free(idx->stamp);
    vg_free(idx->tok);
    vg_free(idx->same);
    vg_free(idx->other);
    vg_free(idx);
}

void vg_sigma_evidx_forget(vg_sigma_evidx *idx)
{
    idx->ev = NULL;
}

/* Walks ev's event data members once: each wanted name's first member. An escaped member name
 * could equal a wanted name before a later plain one does, so it sends every lookup of the
 * event to vg_sigma_place_value; a member that could be found another way (opens_other_ways)
 * sends the misses there. */
static void evidx_walk(vg_sigma_evidx *idx, const vg_event *ev)
{
    idx->ev = ev;
    if (++idx->cur == 0) {
        memset(idx->stamp, 0, (idx->n ? idx->n : 1) * sizeof *idx->stamp);
        idx->cur = 1;
    }
    const vg_json_doc *doc = ev->doc;
    if (!doc || doc->ntoks == 0 || doc->toks[0].type != VG_JSON_OBJECT) {
        idx->miss = EVIDX_READ_ALL;
        return;
    }
    const vg_json_tok *t = doc->toks;
    uint32_t c = (uint32_t)eventdata_container(doc);
    int other = 0;
    for (uint32_t k = c + 1; k < t[c].next; k = t[k + 1].next) {
        const char *key = doc->text + t[k].start;
        if (t[k].flags & VG_JSON_ESCAPED) {
            idx->miss = EVIDX_READ_ALL;
            return;
        }
        long p = evidx_wanted(idx, key, t[k].len);
        if (p < 0) {
            other = other || opens_other_ways(key, t[k].len);
            continue;
        }
        other = other || idx->other[p];
        if (idx->stamp[p] != idx->cur) {
            idx->stamp[p] = idx->cur;
            idx->tok[p] = k + 1;    /* the member's value follows its key */
        }
    }
    idx->miss = other ? EVIDX_OPEN : EVIDX_ABSENT;
}

vg_value vg_sigma_evidx_value(vg_sigma_evidx *idx, size_t i, const vg_event *ev)
{
    const vg_sigma_place *f = &idx->places[i];
    if (f->kind != VG_SIGMA_PLACE_EVENTDATA)
        return vg_sigma_place_value(f, ev);
    if (idx->ev != ev)
        evidx_walk(idx, ev);
    if (idx->miss == EVIDX_READ_ALL)
        return vg_sigma_place_value(f, ev);
    size_t j = idx->same[i];
    if (idx->stamp[j] == idx->cur)
        return vg_json_value(ev->doc, idx->tok[j]);
    if (idx->miss == EVIDX_ABSENT) {
        vg_value none = { VG_JSON_NONE, 0, 0, NULL };
        return none;
    }
    return vg_sigma_place_value(f, ev);
}

/*
 * sigma-prefilter: the literal prefilter of the Sigma engine (see sigma-prefilter.h and
 * docs/sigma.md, "The fast path"). Build: fast and gated conditions, one Hyperscan database
 * per (source, place) of their literals (non-ASCII caseless code points as classes) and
 * expressions (prefilter mode, long counted repeats relaxed), short literals set aside for a
 * pass of our own, trigger sets per rule (clauses of conditions that must all hold),
 * candidate lists per database and source, and for keyword texts a raw pass database (pieces
 * of the keywords that JSON writes as they are). Per event: scan each place once (or take the
 * answer from the worker's scan cache, an escaped value by its bytes as written), build and
 * scan a JSON record's keyword text only when the raw pass over the record does not clear it,
 * record matched groups, count trigger conditions in their clauses, collect candidate rules.
 *
 * Main structures: sg_prefilter holds, per mapping source, its databases (pf_db: a Hyperscan
 * database and the short literals, for each pattern id the (condition, group, is-trigger)
 * targets it stands for, and the rules to wake when the place cannot be scanned) and its
 * always rules; and the trigger clauses (rule, size) with each condition's clauses.
 */
#include "sigma-prefilter.h"

#include <hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigma-prefilter-expr.h"
#include "sigma-scancache.h"
#include "sigma-shortlit.h"
#include "util-casefold.h"
#include "util-hscache.h"
#include "util-mem.h"
#include "util-utf8.h"

#define PF_MAX_HAZARDS 16           /* limit: code points folding to ASCII the guard looks for */
#define PF_MAX_ROUNDS 8             /* limit: rebuilds after Hyperscan refused patterns */

typedef struct pf_target {          /* 8 bytes: a pattern matched often stands for hundreds */
    uint32_t fc;                    /* fast condition */
    uint8_t bit;                    /* its bit of the groups that matched: the rule value (group)
                                       the pattern came from, modulo 64 */
    uint8_t trigger;                /* fc is in its rule's trigger set (wakes the rule) */
} pf_target;

typedef struct pf_db {
    uint32_t place;                 /* engine place, or nplaces for the keyword text */
    uint32_t uid;                   /* its number among all databases (the scan cache's key) */
    hs_database_t *db;
    int caseless;                   /* holds caseless patterns: the folding guard applies */
    int numeric;                    /* holds VG_SIGMA_PAT_NUMBER literals: the number guard applies */
    int utf8;                       /* holds expressions (UTF-8 mode): values must be valid UTF-8 */
    int ascii_only;                 /* holds caseless expressions: Hyperscan folds ASCII only, so a
                                       value with other characters goes to the reference */
    uint32_t *tgt_off;              /* per pattern id: targets [tgt_off[id], tgt_off[id + 1]) */
    pf_target *tgts;
    uint32_t npatterns;
    uint64_t *at_end;               /* bit per pattern id: the literal must end the value */
    uint32_t *fallback;             /* rules with a trigger on this place (place not scannable) */
    uint32_t nfallback;
    sg_shortlits shorts;            /* its one- and two-byte literals (" ", "-f", "}"): in Hyperscan's
                                       literal matcher a hundred of them cost as much as the other
                                       11,000 patterns of the command line database together */
    hs_database_t *raw_db;          /* keyword text only: a pass over the record's raw JSON that
                                       clears every literal at once (compile_raw_db), or NULL */
} pf_db;

typedef struct pf_source {
    pf_db *dbs;
    uint32_t ndbs;
    uint32_t *always;               /* rules without a trigger set */
    uint32_t nalways;
} pf_source;

struct sg_prefilter {
    pf_source *src;
    size_t nsrc;
    uint32_t nfc;
    sg_cfield **fcs;                /* [fc]: the condition */
    uint32_t *fc_rule;              /* [fc]: its rule */
    uint8_t *fc_trigger;            /* [fc]: in its rule's trigger set */
    int32_t *rule_triggers;         /* [rule]: size of its trigger set; -1: always; -2: not active */
    uint32_t nclauses;              /* trigger clauses: a rule wakes when every fc of one matched */
    uint32_t *clause_rule;          /* [clause]: its rule */
    uint32_t *clause_size;          /* [clause]: its fast conditions */
    uint32_t *fc_clause_start;      /* [fc]: its clauses fc_clauses[start[fc]...], SG_NONE ends them */
    uint32_t *fc_clauses;
    char hazard[PF_MAX_HAZARDS][4]; /* UTF-8 of non-ASCII code points that fold to ASCII */
    uint8_t hazard_len[PF_MAX_HAZARDS];
    uint32_t nhazards;
    int hazard_all;                 /* too many: any non-ASCII byte is a hazard */
    vg_hscache_memo *memo;          /* while building: the databases compiled so far, by content */
};

struct sg_pf_scratch {
    hs_scratch_t *hs;
    char *buf;                      /* decoded string values */
    sg_scache *cache;               /* answers of earlier scans */
    sg_shortlit_scratch shortlit;   /* byte stamps of the short literals' pass */
};

/* ---- building: fast conditions -------------------------------------------------------- */

/* What the prefilter can do with a field condition: 2 when its literals decide it exactly
 * (fast), 1 when it is false without one of them (gated), 0 nothing. */
static int fast_condition(const sg_cfield *f, uint64_t *full)
{
    const vg_sigma_literal *lits;
    size_t n = vg_sigma_matcher_literals(f->m, &lits);
    uint32_t ngroups = f->src->nvalues;
    uint64_t seen = 0;
    *full = 0;
    if (n == 0 || !vg_sigma_matcher_is_necessary(f->m))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (lits[i].len == 0 || ((lits[i].flags & VG_SIGMA_PAT_REGEX) && !sg_pf_regex_usable(&lits[i])))
            return 0;
        if (lits[i].group < 64)
            seen |= 1ull << lits[i].group;
    }
    if (!vg_sigma_matcher_is_literal(f->m))
        return 1;
    if (vg_sigma_matcher_is_all(f->m)) {
        if (ngroups == 0 || ngroups > 64)
            return 1;
        *full = ngroups == 64 ? ~0ull : (1ull << ngroups) - 1;
        if ((seen & *full) != *full) {
            *full = 0;
            return 1;   /* a value without alternatives never matches: leave it to the reference */
        }
    }
    return 2;
}

/* Numbers the fast conditions of active rules (refused ones excluded). */
static vg_rc number_conditions(vg_sigma_engine *e, sg_prefilter *pf, const uint8_t *refused, vg_error *err)
{
    uint32_t n = 0, all = 0, gated = 0;
    for (int pass = 0; pass < 2; pass++) {
        n = all = gated = 0;
        for (size_t r = 0; r < e->nrules; r++) {
            sg_crule *cr = e->rules[r];
            if (cr->entry.status != VG_SIGMA_ACTIVE)
                continue;
            for (uint32_t s = 0; s < cr->nsearches; s++)
                for (uint32_t g = 0; g < cr->searches[s].n; g++)
                    for (uint32_t k = 0; k < cr->searches[s].groups[g].n; k++) {
                        sg_cfield *f = &cr->searches[s].groups[g].fields[k];
                        all++;
                        if (pass == 0) {
                            uint64_t full;
                            f->fc = SG_NONE;
                            f->gate = 0;
                            int kind = fast_condition(f, &full);
                            if (!kind || (refused && refused[all - 1]))
                                continue;
                            f->full = full;
                            f->gate = kind == 1;
                            f->fc = n++;
                            continue;
                        }
                        if (f->fc == SG_NONE)
                            continue;
                        gated += f->gate;
                        pf->fcs[f->fc] = f;
                        pf->fc_rule[f->fc] = (uint32_t)r;
                    }
        }
        if (pass == 0) {
            pf->nfc = n;
            pf->fcs = vg_calloc(n ? n : 1, sizeof *pf->fcs);
            pf->fc_rule = vg_calloc(n ? n : 1, sizeof *pf->fc_rule);
            pf->fc_trigger = vg_calloc(n ? n : 1, 1);
            if (!pf->fcs || !pf->fc_rule || !pf->fc_trigger)
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        }
    }
    e->info.conditions = all;
    e->info.fast = pf->nfc - gated;
    e->info.gated = gated;
    return VG_OK;
}

/* The place of fast condition f of rule r in source slot. */
static uint32_t fc_place(const vg_sigma_engine *e, const sg_crule *r, uint32_t slot, const sg_cfield *f)
{
    return f->name == SG_NONE ? (uint32_t)e->nplaces : r->places[slot * r->nnames + f->name];
}

static uint32_t slot_of(const sg_crule *r, uint16_t source)
{
    for (uint32_t i = 0; i < r->nsources; i++)
        if (r->sources[i] == source)
            return i;
    return 0;
}

/* ---- building: databases ------------------------------------------------------------- */

typedef struct pf_ent {
    uint32_t place;
    unsigned flags;                 /* VG_SIGMA_PAT_* (START, END, CASELESS: the pattern's kind) */
    const unsigned char *bytes;
    size_t len;
    uint32_t fc, group;
} pf_ent;

static int ent_cmp(const void *pa, const void *pb)
{
    const pf_ent *a = pa, *b = pb;
    if (a->place != b->place)
        return a->place < b->place ? -1 : 1;
    if (a->flags != b->flags)
        return a->flags < b->flags ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    int c = memcmp(a->bytes, b->bytes, a->len);
    if (c)
        return c;
    return a->fc < b->fc ? -1 : a->fc > b->fc;
}

static int same_pattern(const pf_ent *a, const pf_ent *b)
{
    return a->place == b->place && a->flags == b->flags && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* The entries (one per literal of a fast condition) of source src, sorted by place and pattern. */
static vg_rc source_entries(const vg_sigma_engine *e, const sg_prefilter *pf, uint16_t src, pf_ent **out,
                            size_t *nout, vg_error *err)
{
    size_t n = 0, cap = 0;
    pf_ent *v = NULL;
    for (uint32_t k = 0; k < e->by_source_n[src]; k++) {
        const sg_crule *r = e->rules[e->by_source[src][k]];
        uint32_t slot = slot_of(r, src);
        for (uint32_t s = 0; s < r->nsearches; s++)
            for (uint32_t g = 0; g < r->searches[s].n; g++)
                for (uint32_t f = 0; f < r->searches[s].groups[g].n; f++) {
                    const sg_cfield *cf = &r->searches[s].groups[g].fields[f];
                    if (cf->fc == SG_NONE)
                        continue;
                    const vg_sigma_literal *lits;
                    size_t nl = vg_sigma_matcher_literals(cf->m, &lits);
                    for (size_t i = 0; i < nl; i++) {
                        if (n == cap) {
                            cap = cap ? cap * 2 : 1024;
                            pf_ent *nv = vg_realloc(v, cap * sizeof *nv);
                            if (!nv) {
                                vg_free(v);
                                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                            }
                            v = nv;
                        }
                        v[n++] = (pf_ent){ fc_place(e, r, slot, cf),
                                           lits[i].flags,
                                           lits[i].bytes, lits[i].len, cf->fc, lits[i].group };
                    }
                }
    }
    (void)pf;
    if (n)
        qsort(v, n, sizeof *v, ent_cmp);
    *out = v;
    *nout = n;
    return VG_OK;
}

/* Is pattern p a short unanchored literal our own matcher takes? */
static int is_short(const pf_ent *p)
{
    return !(p->flags & (VG_SIGMA_PAT_REGEX | VG_SIGMA_PAT_START | VG_SIGMA_PAT_UNICODE)) && p->len >= 1 && p->len <= 2;
}

static void db_free(pf_db *d)
{
    hs_free_database(d->db);
    hs_free_database(d->raw_db);
    vg_free(d->tgt_off);
    vg_free(d->tgts);
    vg_free(d->at_end);
    vg_free(d->fallback);
    sg_shortlit_free(&d->shorts);
}

/* Marks every condition of entries v[0..n) refused (an index over all conditions). */
static void refuse(const pf_ent *v, size_t n, uint8_t *refused, const uint32_t *fc_all)
{
    for (size_t i = 0; i < n; i++)
        refused[fc_all[v[i].fc]] = 1;
}

/* Compiles exprs (through the database cache), counting the cache's work in e->info. */
static hs_error_t compile_counted(vg_sigma_engine *e, const sg_prefilter *pf, char *const *exprs, const unsigned *flags,
                                  const unsigned *ids, unsigned n, hs_database_t **db, hs_compile_error_t **ce)
{
    vg_hscache_stats cs = { 0, 0, 0 };
    hs_error_t rc = vg_hscache_compile((const char *const *)exprs, flags, ids, n, e->cache_dir, pf->memo, db, ce, &cs);
    e->info.cache_hits += cs.hits;
    e->info.cache_written += cs.compiled;
    e->info.cache_errors += cs.write_errors;
    return rc;
}

/* Frees the n expressions of exprs and the arrays of a compilation. */
static void free_compile_arrays(char **exprs, size_t n, unsigned *flags, unsigned *ids)
{
    for (size_t k = 0; exprs && k < n; k++)
        vg_free(exprs[k]);
    vg_free(exprs);
    vg_free(flags);
    vg_free(ids);
}

#define RAW_MIN_RUN 3u                /* shortest piece of a keyword the raw pass looks for */

/* The longest piece of literal b[0..n) made of bytes that raw JSON holds as they are (printable
 * ASCII but '"', '\\' and '/', which JSON may escape): its start in *at, its length. */
static size_t verbatim_run(const unsigned char *b, size_t n, size_t *at)
{
    size_t best = 0, start = 0;
    *at = 0;
    for (size_t i = 0; i <= n; i++) {
        int ok = i < n && b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' && b[i] != '\\' && b[i] != '/';
        if (ok)
            continue;
        if (i - start > best) {
            best = i - start;
            *at = start;
        }
        start = i + 1;
    }
    return best;
}

/* The raw pass of the keyword text's database d (its literals v[first[q]], q < np): a database
 * of, for each literal, its longest verbatim piece (caseless as the literal), plus "\\u" and,
 * when d folds case, every non-ASCII sequence that folds to ASCII. When the record's raw JSON
 * holds none of them, no literal can be in its string values: a value's text is in the raw
 * JSON byte for byte except where it was escaped, and a verbatim piece holds no byte that
 * JSON escapes except by \\u, whose absence the pass sees too; case folding that could join
 * a non-ASCII character to a literal is refused the same way. Only for literals without
 * anchors, numbers or expressions, and without short literals of our own (a piece of under
 * RAW_MIN_RUN bytes would be everywhere); d->raw_db stays NULL otherwise. 0, or -1 when out of
 * memory. */
static int compile_raw_db(vg_sigma_engine *e, const sg_prefilter *pf, const pf_ent *v, const size_t *first, size_t np,
                          pf_db *d)
{
    const unsigned no_piece = VG_SIGMA_PAT_START | VG_SIGMA_PAT_END | VG_SIGMA_PAT_NUMBER | VG_SIGMA_PAT_REGEX;
    if (d->shorts.n || (d->caseless && pf->hazard_all))
        return 0;
    size_t m = np + 1 + (d->caseless ? pf->nhazards : 0);
    char **exprs = vg_calloc(m, sizeof *exprs);
    unsigned *flags = vg_calloc(m, sizeof *flags), *ids = vg_calloc(m, sizeof *ids);
    int rc = -1;
    if (!exprs || !flags || !ids)
        goto done;
    rc = 0;
    for (size_t k = 0; k < m; k++) {
        const unsigned char *piece = (const unsigned char *)"\\u";
        size_t len = 2;
        unsigned pflags = 0;
        if (k < np) {
            size_t at;
            len = verbatim_run(v[first[k]].bytes, v[first[k]].len, &at);
            if ((v[first[k]].flags & no_piece) || len < RAW_MIN_RUN)
                goto done;      /* this database has no raw pass */
            piece = v[first[k]].bytes + at;
            pflags = v[first[k]].flags & VG_SIGMA_PAT_CASELESS;
        } else if (k > np) {
            piece = (const unsigned char *)pf->hazard[k - np - 1];
            len = pf->hazard_len[k - np - 1];
        }
        if (!(exprs[k] = sg_pf_pattern_text(piece, len, pflags))) {
            rc = -1;
            goto done;
        }
        flags[k] = sg_pf_hs_flags(pflags);
        ids[k] = (unsigned)k;
    }
    hs_compile_error_t *ce = NULL;
    if (compile_counted(e, pf, exprs, flags, ids, (unsigned)m, &d->raw_db, &ce) != HS_SUCCESS) {
        d->raw_db = NULL;       /* the text is scanned as before */
        hs_free_compile_error(ce);
    }
done:
    free_compile_arrays(exprs, m, flags, ids);
    return rc;
}

/* Compiles the database of the entries v[0..n) of one place into d. Returns 1 when Hyperscan
 * refused something (recorded in refused), 0 when compiled, -1 when out of memory. */
static int compile_db(vg_sigma_engine *e, const sg_prefilter *pf, const pf_ent *v, size_t n, pf_db *d,
                      uint8_t *refused, const uint32_t *fc_all)
{
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        np += i == 0 || !same_pattern(&v[i - 1], &v[i]);
    char **exprs = vg_calloc(np, sizeof *exprs);
    unsigned *flags = vg_calloc(np, sizeof *flags), *ids = vg_calloc(np, sizeof *ids);
    size_t *first = vg_calloc(np + 1, sizeof *first);
    d->tgt_off = vg_calloc(np + 1, sizeof *d->tgt_off);
    d->tgts = vg_calloc(n, sizeof *d->tgts);
    d->at_end = vg_calloc(np / 64 + 1, sizeof *d->at_end);
    int result = -1;
    if (!exprs || !flags || !ids || !first || !d->tgt_off || !d->tgts || !d->at_end)
        goto done;
    d->place = v[0].place;
    d->npatterns = (uint32_t)np;
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || !same_pattern(&v[i - 1], &v[i])) {
            first[p] = i;
            d->tgt_off[p] = (uint32_t)i;
            if (!(exprs[p] = sg_pf_pattern_text(v[i].bytes, v[i].len, v[i].flags)))
                goto done;
            flags[p] = sg_pf_hs_flags(v[i].flags);
            if (v[i].flags & VG_SIGMA_PAT_REGEX) {
                d->utf8 = 1;
                vg_sigma_literal l = { v[i].bytes, v[i].len, v[i].flags, 0 };
                d->ascii_only |= sg_pf_regex_folds(&l);
            }
            if (v[i].flags & VG_SIGMA_PAT_END)
                d->at_end[p / 64] |= 1ull << (p % 64);
            d->caseless |= (v[i].flags & VG_SIGMA_PAT_CASELESS) != 0;
            d->numeric |= (v[i].flags & VG_SIGMA_PAT_NUMBER) != 0;
            ids[p] = (unsigned)p;
            p++;
        }
        d->tgts[i] = (pf_target){ v[i].fc, (uint8_t)(v[i].group & 63), 0 };
    }
    first[np] = n;
    d->tgt_off[np] = (uint32_t)n;
    /* short literals go to our own matcher; the others (compacted, ids kept) to Hyperscan */
    size_t nhs = 0;
    for (size_t q = 0; q < np; q++) {
        const pf_ent *e0 = &v[first[q]];
        if (is_short(e0) && sg_shortlit_add(&d->shorts, e0->bytes, e0->len,
                                            (e0->flags & VG_SIGMA_PAT_CASELESS) != 0, (e0->flags & VG_SIGMA_PAT_END) != 0,
                                            (uint32_t)q) == 0) {
            vg_free(exprs[q]);
            exprs[q] = NULL;
            continue;
        }
        exprs[nhs] = exprs[q];
        flags[nhs] = flags[q];
        ids[nhs++] = ids[q];
        if (nhs - 1 != q)
            exprs[q] = NULL;
    }
    if (sg_shortlit_index(&d->shorts) < 0)
        goto done;
    hs_compile_error_t *ce = NULL;
    if (nhs == 0) {
        d->db = NULL;           /* only short literals */
        result = 0;
        goto done;
    }
    if (compile_counted(e, pf, exprs, flags, ids, (unsigned)nhs, &d->db, &ce) == HS_SUCCESS) {
        result = d->place == e->nplaces ? compile_raw_db(e, pf, v, first, np, d) : 0;
        goto done;
    }
    result = 1;
    if (!e->info.first_refusal[0])
        snprintf(e->info.first_refusal, sizeof e->info.first_refusal, "%s%s%.200s",
                 ce && ce->message ? ce->message : "compile failed", ce && ce->expression >= 0 ? ": " : "",
                 ce && ce->expression >= 0 && (size_t)ce->expression < nhs ? exprs[ce->expression] : "");
    if (ce && ce->expression >= 0 && (size_t)ce->expression < nhs) {
        size_t k = ids[ce->expression];
        refuse(v + first[k], first[k + 1] - first[k], refused, fc_all);
    } else {
        refuse(v, n, refused, fc_all);
    }
    e->info.refused++;
    hs_free_compile_error(ce);
    d->db = NULL;
done:
    free_compile_arrays(exprs, np, flags, ids);
    vg_free(first);
    return result;
}

/* Builds the databases of source src. Returns as compile_db. */
static int build_source(vg_sigma_engine *e, sg_prefilter *pf, uint16_t src, uint8_t *refused, const uint32_t *fc_all,
                        vg_error *err)
{
    pf_ent *v = NULL;
    size_t n = 0;
    if (source_entries(e, pf, src, &v, &n, err))
        return -1;
    pf_source *ps = &pf->src[src];
    uint32_t nplaces = 0;
    for (size_t i = 0; i < n; i++)
        nplaces += i == 0 || v[i].place != v[i - 1].place;
    int result = 0;
    if (nplaces && !(ps->dbs = vg_calloc(nplaces, sizeof *ps->dbs)))
        result = -1;
    for (size_t i = 0; i < n && result >= 0;) {
        size_t j = i + 1;
        while (j < n && v[j].place == v[i].place)
            j++;
        pf_db *d = &ps->dbs[ps->ndbs++];
        int r = compile_db(e, pf, v + i, j - i, d, refused, fc_all);
        if (r < 0)
            result = -1;
        else if (r > 0)
            result = 1;
        i = j;
    }
    vg_free(v);
    if (result < 0)
        vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    return result;
}

/* ---- building: triggers --------------------------------------------------------------- */

/* A trigger set: clauses, each a conjunction of fast conditions that all hold when the rule
 * fires by that way (the fast conditions of one group), kept in the pool as the words
 * pool[off..off+n): a clause's size, then its conditions. */
typedef struct tset {
    size_t off, n;
    double cost;                    /* expected work: lower is better */
    int bot;                        /* no trigger set: the rule must always run */
} tset;

typedef struct tpool {
    uint32_t *v;
    size_t n, cap;
    int nomem;
    const vg_sigma_mapping *map;    /* its frequent_fields */
} tpool;

#define PF_FREQUENT_COST 64.0       /* weight of a condition on a field whose values repeat */

static size_t tpool_push(tpool *p, uint32_t x)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        uint32_t *nv = vg_realloc(p->v, cap * sizeof *nv);
        if (!nv) {
            p->nomem = 1;
            return p->n;
        }
        p->v = nv;
        p->cap = cap;
    }
    p->v[p->n] = x;
    return p->n++;
}

/* How often a condition is expected to hold: short literals often, long ones rarely. */
static double fc_cost(const sg_cfield *f)
{
    const vg_sigma_literal *lits;
    size_t n = vg_sigma_matcher_literals(f->m, &lits);
    double c = 0;
    for (size_t i = 0; i < n; i++) {
        double x = 1.0 / (1.0 + (double)lits[i].len);
        if ((lits[i].flags & (VG_SIGMA_PAT_START | VG_SIGMA_PAT_END)) == (VG_SIGMA_PAT_START | VG_SIGMA_PAT_END))
            x *= 0.5;
        c += x;
    }
    return c;
}

static const tset TBOT = { 0, 0, 0, 1 };

static tset tunion(tpool *p, tset a, tset b)
{
    if (a.bot || b.bot)
        return TBOT;
    tset u = { p->n, a.n + b.n, a.cost + b.cost, 0 };
    for (size_t i = 0; i < a.n; i++)
        tpool_push(p, p->v[a.off + i]);
    for (size_t i = 0; i < b.n; i++)
        tpool_push(p, p->v[b.off + i]);
    return u;
}

static tset tbetter(tset a, tset b)
{
    if (a.bot)
        return b;
    if (b.bot)
        return a;
    return b.cost < a.cost ? b : a;
}

/* Search s: a clause per group, of the group's fast conditions (all hold when the group does),
 * costing as its cheapest; a group without one: no set. */
static tset tsearch(tpool *p, const sg_crule *r, uint32_t s)
{
    const sg_csearch *cs = &r->searches[s];
    tset t = { p->n, 0, 0, 0 };
    if (cs->n == 0)
        return TBOT;
    for (uint32_t g = 0; g < cs->n; g++) {
        size_t head = tpool_push(p, 0);
        double bc = 0;
        uint32_t size = 0;
        for (uint32_t f = 0; f < cs->groups[g].n; f++) {
            const sg_cfield *cf = &cs->groups[g].fields[f];
            if (cf->fc == SG_NONE)
                continue;
            double c = fc_cost(cf) * (cf->gate ? 2.0 : 1.0);   /* a gate's hit still costs a match */
            if (cf->name != SG_NONE && vg_sigma_mapping_frequent(p->map, r->names[cf->name]))
                c *= PF_FREQUENT_COST;  /* Initiated: 'true', IntegrityLevel: Medium: true of most events */
            if (!size || c < bc)
                bc = c;
            tpool_push(p, cf->fc);
            size++;
        }
        if (!size || p->nomem)
            return TBOT;
        p->v[head] = size;
        t.n += size + 1;
        t.cost += bc;
    }
    return t;
}

static tset tcond(tpool *p, const sg_crule *r, const vg_sigma_cond *c, uint32_t n)
{
    const vg_sigma_cnode *node = &c->nodes[n];
    switch (node->kind) {
    case VG_SIGMA_C_ID:
        return tsearch(p, r, node->a);
    case VG_SIGMA_C_NOT:
        return TBOT;
    case VG_SIGMA_C_AND:
        return tbetter(tcond(p, r, c, node->a), tcond(p, r, c, node->b));
    case VG_SIGMA_C_OR:
        return tunion(p, tcond(p, r, c, node->a), tcond(p, r, c, node->b));
    case VG_SIGMA_C_OF: {
        if (node->b == 0)
            return TBOT;
        int every = node->need >= node->b;  /* all of: any one of them must hold */
        tset t = tsearch(p, r, c->ids[node->a]);
        for (uint32_t i = 1; i < node->b; i++) {
            tset x = tsearch(p, r, c->ids[node->a + i]);
            t = every ? tbetter(t, x) : tunion(p, t, x);
        }
        return t;
    }
    }
    return TBOT;
}

/* The trigger set of rule r (conditions OR'ed) into p; bot when it has none. */
static tset rule_triggers(tpool *p, const sg_crule *r)
{
    tset t = TBOT;
    for (uint32_t k = 0; k < r->det->nconds; k++) {
        tset x = tcond(p, r, &r->det->conds[k], r->det->conds[k].root);
        t = k == 0 ? x : tunion(p, t, x);
        if (t.bot)
            break;
    }
    return t;
}

/* Appends x to the list *v (n, cap). */
static int list_push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 8;
        uint32_t *nv = vg_realloc(*v, c * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static pf_db *find_db(pf_source *ps, uint32_t place)
{
    for (uint32_t i = 0; i < ps->ndbs; i++)
        if (ps->dbs[i].place == place)
            return &ps->dbs[i];
    return NULL;
}

/* Appends rule r's clauses of trigger set t (pool p) to pf's, with the (fc, clause) pairs to
 * index (*pairs, *npairs, *cap: two words each); returns the number of conditions, -1 when
 * out of memory. */
static int32_t add_clauses(sg_prefilter *pf, uint32_t r, const tpool *p, tset t, uint32_t **pairs, size_t *npairs,
                           size_t *cap)
{
    int32_t nfc = 0;
    for (size_t k = 0; k < t.n; k += p->v[t.off + k] + 1) {
        uint32_t size = p->v[t.off + k], c = pf->nclauses;
        if ((c & (c - 1)) == 0) {   /* 0, 1, 2, 4, ...: grow to the next power of two */
            uint32_t *nr = vg_realloc(pf->clause_rule, (c ? 2 * c : 1) * sizeof *nr);
            if (nr)
                pf->clause_rule = nr;
            uint32_t *ns = vg_realloc(pf->clause_size, (c ? 2 * c : 1) * sizeof *ns);
            if (ns)
                pf->clause_size = ns;
            if (!nr || !ns)
                return -1;
        }
        pf->clause_rule[c] = r;
        pf->clause_size[c] = size;
        pf->nclauses++;
        for (uint32_t i = 1; i <= size; i++) {
            if (*npairs + 2 > *cap) {
                size_t nc = *cap ? 2 * *cap : 1024;
                uint32_t *np = vg_realloc(*pairs, nc * sizeof *np);
                if (!np)
                    return -1;
                *pairs = np;
                *cap = nc;
            }
            uint32_t fc = p->v[t.off + k + i];
            (*pairs)[(*npairs)++] = fc;
            (*pairs)[(*npairs)++] = c;
            pf->fc_trigger[fc] = 1;
            nfc++;
        }
    }
    return nfc;
}

/* Marks the targets of database d whose condition is a trigger, and puts them first among
 * their pattern's targets: a pattern's targets are then handled in the same order of kinds at
 * every match, which the branch predictor learns. */
static void mark_triggers(const sg_prefilter *pf, pf_db *d)
{
    for (uint32_t id = 0; id < d->npatterns; id++) {
        pf_target *t = d->tgts + d->tgt_off[id];
        uint32_t n = d->tgt_off[id + 1] - d->tgt_off[id], first = 0;
        for (uint32_t k = 0; k < n; k++) {
            t[k].trigger = pf->fc_trigger[t[k].fc] != 0;
            if (t[k].trigger) {     /* moved after the triggers before it */
                pf_target x = t[k];
                memmove(t + first + 1, t + first, (k - first) * sizeof *t);
                t[first++] = x;
            }
        }
    }
}

/* Lists the clauses of each fast condition (the (fc, clause) pairs) in fc_clauses, each list
 * ended by SG_NONE and starting at fc_clause_start[fc] (a condition in no clause: the empty
 * list at 0). */
static int index_clauses(sg_prefilter *pf, const uint32_t *pairs, size_t npairs)
{
    uint32_t *fill = vg_calloc(pf->nfc + 1, sizeof *fill);
    pf->fc_clause_start = vg_calloc(pf->nfc + 1, sizeof *pf->fc_clause_start);
    pf->fc_clauses = vg_malloc((npairs / 2 + pf->nfc + 1) * sizeof *pf->fc_clauses);
    if (!fill || !pf->fc_clause_start || !pf->fc_clauses) {
        vg_free(fill);
        return -1;
    }
    for (size_t k = 0; k < npairs; k += 2)
        fill[pairs[k]]++;
    uint32_t at = 1;
    pf->fc_clauses[0] = SG_NONE;
    for (uint32_t f = 0; f < pf->nfc; f++) {
        if (!fill[f])
            continue;
        pf->fc_clause_start[f] = at;
        pf->fc_clauses[at + fill[f]] = SG_NONE;
        at += fill[f] + 1;
        fill[f] = pf->fc_clause_start[f];       /* from here: where its next clause goes */
    }
    for (size_t k = 0; k < npairs; k += 2)
        pf->fc_clauses[fill[pairs[k]]++] = pairs[k + 1];
    vg_free(fill);
    return 0;
}

/* Computes every rule's trigger set; fills the always lists, the fallback lists and the
 * targets' rules to wake. */
static vg_rc build_triggers(vg_sigma_engine *e, sg_prefilter *pf, vg_error *err)
{
    tpool p = { NULL, 0, 0, 0, e->map };
    uint32_t *pairs = NULL;
    size_t npairs = 0, cap_pairs = 0;
    uint8_t *has = vg_calloc(e->nrules ? e->nrules : 1, 1);
    pf->rule_triggers = vg_malloc((e->nrules ? e->nrules : 1) * sizeof *pf->rule_triggers);
    if (!has || !pf->rule_triggers) {
        vg_free(has);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    for (size_t i = 0; i < e->nrules; i++)
        pf->rule_triggers[i] = -2;
    for (size_t i = 0; i < e->nrules; i++) {
        const sg_crule *r = e->rules[i];
        if (r->entry.status != VG_SIGMA_ACTIVE || !r->det)   /* correlations have no detection */
            continue;
        p.n = 0;
        tset t = rule_triggers(&p, r);
        if (p.nomem)
            break;
        has[i] = !t.bot;
        pf->rule_triggers[i] = t.bot ? -1 : add_clauses(pf, (uint32_t)i, &p, t, &pairs, &npairs, &cap_pairs);
        if (pf->rule_triggers[i] == -1 && !t.bot)
            p.nomem = 1;
        if (p.nomem)
            break;
        if (t.bot)
            e->info.always_rules++;
        else
            e->info.trigger_rules++;
    }
    vg_free(p.v);
    if (!p.nomem && index_clauses(pf, pairs, npairs))
        p.nomem = 1;
    vg_free(pairs);
    vg_rc rc = p.nomem ? vg_fail(err, VG_ERR_NOMEM, 0, "out of memory") : VG_OK;
    for (size_t s = 0; s < pf->nsrc && !rc; s++) {
        pf_source *ps = &pf->src[s];
        uint32_t cap_always = 0;
        uint32_t *cap_fb = vg_calloc(ps->ndbs ? ps->ndbs : 1, sizeof *cap_fb);
        if (!cap_fb) {
            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
            break;
        }
        for (uint32_t k = 0; k < e->by_source_n[s] && !rc; k++) {
            uint32_t ri = e->by_source[s][k];
            const sg_crule *r = e->rules[ri];
            if (!has[ri]) {
                if (list_push(&ps->always, &ps->nalways, &cap_always, ri))
                    rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                continue;
            }
            uint32_t slot = slot_of(r, (uint16_t)s);
            for (uint32_t si = 0; si < r->nsearches && !rc; si++)
                for (uint32_t g = 0; g < r->searches[si].n && !rc; g++)
                    for (uint32_t f = 0; f < r->searches[si].groups[g].n && !rc; f++) {
                        const sg_cfield *cf = &r->searches[si].groups[g].fields[f];
                        if (cf->fc == SG_NONE || !pf->fc_trigger[cf->fc])
                            continue;
                        pf_db *d = find_db(ps, fc_place(e, r, slot, cf));
                        if (!d || (d->nfallback && d->fallback[d->nfallback - 1] == ri))
                            continue;
                        if (list_push(&d->fallback, &d->nfallback, &cap_fb[d - ps->dbs], ri))
                            rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
                    }
        }
        vg_free(cap_fb);
        for (uint32_t d = 0; d < ps->ndbs; d++)
            mark_triggers(pf, &ps->dbs[d]);
    }
    vg_free(has);
    return rc;
}

/* ---- building: the whole -------------------------------------------------------------- */

/* Code points outside ASCII whose simple folding is ASCII (U+017F, U+212A): a caseless ASCII
 * literal could match them in the reference matcher but not in Hyperscan. */
static void find_hazards(sg_prefilter *pf)
{
    uint32_t cps[PF_MAX_HAZARDS + 1];
    size_t ncp = vg_casefold_to_ascii(cps, PF_MAX_HAZARDS + 1);
    for (size_t k = 0; k < ncp; k++) {
        uint32_t cp = cps[k];
        if (pf->nhazards == PF_MAX_HAZARDS) {
            pf->hazard_all = 1;
            return;
        }
        uint8_t n = (uint8_t)vg_utf8_encode(cp, pf->hazard[pf->nhazards]);
        pf->hazard_len[pf->nhazards++] = n;
    }
}

static void free_dbs(sg_prefilter *pf)
{
    for (size_t s = 0; s < pf->nsrc; s++) {
        for (uint32_t d = 0; d < pf->src[s].ndbs; d++)
            db_free(&pf->src[s].dbs[d]);
        vg_free(pf->src[s].dbs);
        vg_free(pf->src[s].always);
        pf->src[s] = (pf_source){ 0 };
    }
    vg_free(pf->fcs);
    vg_free(pf->fc_rule);
    vg_free(pf->fc_trigger);
    vg_free(pf->rule_triggers);
    vg_free(pf->clause_rule);
    vg_free(pf->clause_size);
    vg_free(pf->fc_clause_start);
    vg_free(pf->fc_clauses);
    pf->clause_rule = pf->clause_size = pf->fc_clause_start = pf->fc_clauses = NULL;
    pf->nclauses = 0;
    pf->rule_triggers = NULL;
    pf->fcs = NULL;
    pf->fc_rule = NULL;
    pf->fc_trigger = NULL;
}

void sg_prefilter_free(sg_prefilter *pf)
{
    if (!pf)
        return;
    free_dbs(pf);
    vg_hscache_memo_free(pf->memo);
    vg_free(pf->src);
    vg_free(pf);
}

/* Index over all conditions (in number_conditions' order) of each fast condition. */
static vg_rc index_all(const vg_sigma_engine *e, const sg_prefilter *pf, uint32_t **out, vg_error *err)
{
    uint32_t *v = vg_calloc(pf->nfc ? pf->nfc : 1, sizeof *v), all = 0;
    if (!v)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t r = 0; r < e->nrules; r++) {
        const sg_crule *cr = e->rules[r];
        if (cr->entry.status != VG_SIGMA_ACTIVE)
            continue;
        for (uint32_t s = 0; s < cr->nsearches; s++)
            for (uint32_t g = 0; g < cr->searches[s].n; g++)
                for (uint32_t k = 0; k < cr->searches[s].groups[g].n; k++, all++)
                    if (cr->searches[s].groups[g].fields[k].fc != SG_NONE)
                        v[cr->searches[s].groups[g].fields[k].fc] = all;
    }
    *out = v;
    return VG_OK;
}

vg_rc sg_prefilter_build(vg_sigma_engine *e, vg_error *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sg_prefilter_free(e->pf);
    e->pf = NULL;
    memset(&e->info, 0, sizeof e->info);
    sg_prefilter *pf = vg_calloc(1, sizeof *pf);
    size_t ns = vg_sigma_mapping_count(e->map);
    uint32_t total = 0;
    for (size_t r = 0; r < e->nrules; r++)
        for (uint32_t s = 0; e->rules[r]->entry.status == VG_SIGMA_ACTIVE && s < e->rules[r]->nsearches; s++)
            for (uint32_t g = 0; g < e->rules[r]->searches[s].n; g++)
                total += e->rules[r]->searches[s].groups[g].n;
    uint8_t *refused = vg_calloc(total ? total : 1, 1);
    uint32_t *fc_all = NULL;
    vg_rc rc = VG_OK;
    if (!pf || !refused || !(pf->src = vg_calloc(ns ? ns : 1, sizeof *pf->src))) {
        rc = vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    pf->nsrc = ns;
    pf->memo = vg_hscache_memo_new();      /* without one, every database is compiled */
    find_hazards(pf);
    for (int round = 0;; round++) {
        uint32_t refusals = e->info.refused;
        char first[VG_ERROR_MSG_MAX];
        memcpy(first, e->info.first_refusal, sizeof first);
        memset(&e->info, 0, sizeof e->info);
        e->info.refused = refusals;
        memcpy(e->info.first_refusal, first, sizeof first);
        if ((rc = number_conditions(e, pf, refused, err)) || (rc = index_all(e, pf, &fc_all, err)))
            goto fail;
        int again = 0;
        for (size_t s = 0; s < ns; s++) {
            int r = build_source(e, pf, (uint16_t)s, refused, fc_all, err);
            if (r < 0) {
                rc = VG_ERR_NOMEM;
                goto fail;
            }
            again |= r;
        }
        vg_free(fc_all);
        fc_all = NULL;
        if (!again)
            break;
        free_dbs(pf);
        if (round + 1 == PF_MAX_ROUNDS) {   /* give up: everything through the reference */
            memset(refused, 1, total ? total : 1);
        }
    }
    if ((rc = build_triggers(e, pf, err)))
        goto fail;
    for (size_t s = 0; s < ns; s++)
        for (uint32_t d = 0; d < pf->src[s].ndbs; d++) {
            pf->src[s].dbs[d].uid = e->info.databases;
            e->info.databases++;
            e->info.patterns += pf->src[s].dbs[d].npatterns;
        }
    vg_free(refused);
    vg_hscache_memo_free(pf->memo);
    pf->memo = NULL;
    e->pf = pf;
    e->info.built = 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    e->info.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return VG_OK;
fail:
    vg_free(fc_all);
    vg_free(refused);
    sg_prefilter_free(pf);
    for (size_t r = 0; r < e->nrules; r++)      /* no prefilter: every condition is reference */
        for (uint32_t s = 0; e->rules[r]->entry.status == VG_SIGMA_ACTIVE && s < e->rules[r]->nsearches; s++)
            for (uint32_t g = 0; g < e->rules[r]->searches[s].n; g++)
                for (uint32_t k = 0; k < e->rules[r]->searches[s].groups[g].n; k++)
                    e->rules[r]->searches[s].groups[g].fields[k].fc = SG_NONE;
    e->info.built = 0;
    return rc;
}

int sg_prefilter_triggers(const vg_sigma_engine *e, size_t entry)
{
    if (!e->pf || !e->pf->rule_triggers || entry >= e->nrules)
        return -2;
    return e->pf->rule_triggers[entry];
}

/* ---- workers -------------------------------------------------------------------------- */

vg_rc sg_prefilter_worker_new(vg_sigma_worker *w, vg_error *err)
{
    const vg_sigma_engine *e = w->e;
    const sg_prefilter *pf = e->pf;
    if (!pf)
        return VG_OK;
    w->pfs = vg_calloc(1, sizeof *w->pfs);
    w->place_pass = vg_calloc(e->nplaces + 1, sizeof *w->place_pass);
    w->fc = vg_calloc(pf->nfc ? pf->nfc : 1, sizeof *w->fc);
    w->clause = vg_calloc(pf->nclauses ? pf->nclauses : 1, sizeof *w->clause);
    w->cand_pass = vg_calloc(e->nrules ? e->nrules : 1, sizeof *w->cand_pass);
    w->cand = vg_calloc(e->nrules ? e->nrules : 1, sizeof *w->cand);
    if (!w->pfs || !w->place_pass || !w->fc || !w->clause || !w->cand_pass || !w->cand ||
        !(w->pfs->buf = vg_malloc(w->max_value + 1)) || !(w->pfs->cache = sg_scache_new()))
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    for (size_t s = 0; s < pf->nsrc; s++)
        for (uint32_t d = 0; d < pf->src[s].ndbs; d++)
            if ((pf->src[s].dbs[d].db && hs_alloc_scratch(pf->src[s].dbs[d].db, &w->pfs->hs) != HS_SUCCESS) ||
                (pf->src[s].dbs[d].raw_db && hs_alloc_scratch(pf->src[s].dbs[d].raw_db, &w->pfs->hs) != HS_SUCCESS))
                return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory (Hyperscan scratch)");
    for (uint32_t f = 0; f < pf->nfc; f++)
        w->fc[f].clauses = pf->fc_clause_start[f];
    for (uint32_t c = 0; c < pf->nclauses; c++) {
        w->clause[c].size = pf->clause_size[c];
        w->clause[c].rule = pf->clause_rule[c];
    }
    w->pass = 1;
    return VG_OK;
}

void sg_prefilter_worker_free(vg_sigma_worker *w)
{
    if (w->pfs) {
        hs_free_scratch(w->pfs->hs);
        vg_free(w->pfs->buf);
        sg_scache_free(w->pfs->cache);
        vg_free(w->pfs);
    }
    vg_free(w->place_pass);
    vg_free(w->fc);
    vg_free(w->clause);
    vg_free(w->cand_pass);
    vg_free(w->cand);
}

void sg_prefilter_new_pass(vg_sigma_worker *w)
{
    if (!w->place_pass)
        return;
    if (++w->pass == 0) {
        const vg_sigma_engine *e = w->e;
        memset(w->place_pass, 0, (e->nplaces + 1) * sizeof *w->place_pass);
        for (uint32_t f = 0; f < e->pf->nfc; f++)
            w->fc[f].pass = 0;
        for (uint32_t c = 0; c < e->pf->nclauses; c++)
            w->clause[c].pass = 0;
        memset(w->cand_pass, 0, (e->nrules ? e->nrules : 1) * sizeof *w->cand_pass);
        w->pass = 1;
    }
}

/* ---- per event ------------------------------------------------------------------------ */

static void add_candidate(vg_sigma_worker *w, uint32_t rule)
{
    if (w->cand_pass[rule] != w->pass) {
        w->cand_pass[rule] = w->pass;
        w->cand[w->ncand++] = rule;
    }
}

typedef struct scan_ctx {
    vg_sigma_worker *w;
    const pf_db *d;
    unsigned long long len;         /* of the scanned text */
    uint32_t *ids;                  /* [SG_SCACHE_MAX_IDS]: the patterns that matched, for the */
    uint32_t nids;                  /* scan cache (more than the limit: not kept) */
} scan_ctx;

/* Counts a trigger condition, just found to hold in this pass, in each of its clauses (the
 * list at fc_clauses + start); a clause whose every condition holds makes its rule a
 * candidate. */
static void trigger_held(vg_sigma_worker *w, uint32_t start)
{
    for (const uint32_t *c = w->e->pf->fc_clauses + start; *c != SG_NONE; c++) {
        sg_clause_seen *cs = &w->clause[*c];
        if (cs->pass != w->pass) {
            cs->pass = w->pass;
            cs->held = 0;
        }
        if (++cs->held == cs->size)
            add_candidate(w, cs->rule);
    }
}

/* Records that pattern id of database d matched: its conditions' groups, the rules it wakes. */
static void pattern_matched(vg_sigma_worker *w, const pf_db *d, uint32_t id)
{
    for (uint32_t k = d->tgt_off[id]; k < d->tgt_off[id + 1]; k++) {
        const pf_target *t = &d->tgts[k];
        sg_fc_seen *seen = &w->fc[t->fc];
        if (seen->pass != w->pass) {
            seen->pass = w->pass;
            seen->bits = 0;
            if (t->trigger)
                trigger_held(w, seen->clauses);
        }
        seen->bits |= 1ull << t->bit;
    }
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    scan_ctx *c = ctx;
    (void)from, (void)flags;
    if ((c->d->at_end[id / 64] >> (id % 64) & 1) && to != c->len)
        return 0;
    pattern_matched(c->w, c->d, id);
    if (c->nids < SG_SCACHE_MAX_IDS)
        c->ids[c->nids] = id;
    c->nids++;
    return 0;
}

/* The offset of the first byte of s[0..n) >= 0x80, or n: eight bytes at a time. */
static size_t ascii_prefix(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (x & 0x8080808080808080ull)
            break;
    }
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

/* Could a caseless ASCII literal match s in the reference matcher and not in Hyperscan? Only
 * when s holds a code point that folds to ASCII: one memchr pass per such code point for its
 * lead byte (never an ASCII byte), then a comparison. */
static int fold_hazard(const sg_prefilter *pf, const char *s, size_t n)
{
    if (ascii_prefix(s, n) == n)
        return 0;       /* most values: no lead byte to look for */
    if (pf->hazard_all)
        return 1;
    for (uint32_t k = 0; k < pf->nhazards; k++)
        for (const char *p = s; (p = memchr(p, pf->hazard[k][0], (size_t)(s + n - p))); p++)
            if ((size_t)(s + n - p) >= pf->hazard_len[k] && memcmp(p, pf->hazard[k], pf->hazard_len[k]) == 0)
                return 1;
    return 0;
}

static int all_ascii(const char *s, size_t n)
{
    return ascii_prefix(s, n) == n;
}

/* The text of place d's value to scan, or 0 when its conditions are all false (absent, null,
 * object), or -1 when it cannot be scanned exactly (array, too long). */
static int scan_text(vg_sigma_worker *w, const pf_db *d, const char **s, size_t *n)
{
    if (d->place == w->e->nplaces) {
        sg_keyword_text(w);
        *s = w->text;
        *n = w->text_len;
        return 1;
    }
    vg_value v = sg_place_raw(w, d->place);
    if (v.type == VG_JSON_ARRAY)
        return -1;
    if (v.type == VG_JSON_STRING && (v.flags & VG_JSON_ESCAPED) && !(v.flags & VG_VALUE_PLAIN)) {
        *s = v.ptr;     /* escaped: looked up in the scan cache as it is, decoded only to be scanned */
        *n = v.len;
        return 2;
    }
    return vg_sigma_scalar_text(&v, w->pfs->buf, w->max_value, s, n);
}

/* Sorts v[0..n) ascending: insertion sort (a few dozen candidates), qsort beyond. */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_u32(uint32_t *v, uint32_t n)
{
    if (n > 64) {
        qsort(v, n, sizeof *v, cmp_u32);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Scans value s[0..n) (r > 0) of database d, or finds that the reference must decide it
 * (returns -1): the guards, Hyperscan and the short literals. The matched patterns are
 * recorded through on_match and listed in c. */
static int scan_value(vg_sigma_worker *w, const pf_db *d, const char *s, size_t n, scan_ctx *c)
{
    const sg_prefilter *pf = w->e->pf;
    if (d->caseless && fold_hazard(pf, s, n))
        return -1;
    if (d->utf8 && (d->ascii_only ? !all_ascii(s, n) : vg_utf8_check(s, n) != n))
        return -1;      /* Hyperscan needs valid UTF-8 there, and folds ASCII only */
    if (d->numeric && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && vg_sigma_number_other_form(s, n))
        return -1;      /* 4688.0 equals the literal 4688 as a number: the reference decides */
    if (n > UINT32_MAX || (d->db && hs_scan(d->db, s, (unsigned)n, 0, w->pfs->hs, on_match, c) != HS_SUCCESS))
        return -1;
    if (d->shorts.n)
        sg_shortlit_scan(&d->shorts, s, n, &w->pfs->shortlit, on_match, c);
    return 1;
}

/* A place's value while its source's places are looked at: the text, the scan_text result
 * (or the answer, once done), and the scan cache's hash (0: not cached). */
typedef struct pf_value {
    const char *s;
    size_t n;
    int r;
    int done;                       /* r is the answer already */
    int raw;                        /* s is an escaped JSON string, decoded only to be scanned */
    uint64_t h;
} pf_value;

#define RAW_KEYS 0x80000000u        /* the scan cache's database number for escaped values: the
                                       same bytes decoded or not are other texts */

/* The scan cache's database number for value v of database d. */
static uint32_t cache_db(const pf_db *d, const pf_value *v)
{
    return d->uid | (v->raw ? RAW_KEYS : 0);
}

#define PF_BATCH 32                 /* places whose values are fetched (and slots prefetched) at once */

/* The value of place d, its hash and its cache slot on the way in (the lookup comes after the
 * other places of the batch: their memory latencies overlap). Nothing is decoded here: an
 * escaped value is decoded by answer_value only when it must be scanned, and scanned at once
 * (the shared buffer it may go to serves one value at a time). */
static int answer_value(vg_sigma_worker *w, const pf_db *d, const pf_value *v, vg_sigma_stats *st);

static int on_raw_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags, (void)ctx;
    return 1;       /* one is enough: the keyword text is scanned after all */
}

/* Does the raw pass clear the keyword text of a JSON record (compile_raw_db): no piece of any
 * literal in the record's text, so no literal of d in its string values? */
static int raw_clears(vg_sigma_worker *w, const pf_db *d)
{
    const vg_json_doc *doc = w->ev->doc;
    if (!d->raw_db || !doc || !doc->ntoks || doc->toks[0].type != VG_JSON_OBJECT)
        return 0;
    const vg_json_tok *root = &doc->toks[0];
    return hs_scan(d->raw_db, doc->text + root->start, root->len, 0, w->pfs->hs, on_raw_match, NULL) == HS_SUCCESS;
}

static pf_value fetch_value(vg_sigma_worker *w, const pf_db *d, vg_sigma_stats *st)
{
    pf_value v = { NULL, 0, -1, 0, 0, 0 };
    if (d->place == w->e->nplaces && raw_clears(w, d)) {   /* the text need not be built */
        v.r = 1;
        v.done = 1;
        st->scanned++;
        return v;
    }
    if (d->db || d->shorts.n)
        v.r = scan_text(w, d, &v.s, &v.n);
    if (v.r == 2) {
        v.r = 1;
        v.raw = 1;
    }
    if (v.r > 0 && v.n > 0 && v.n <= SG_SCACHE_MAX_VALUE && d->place != w->e->nplaces) {   /* keyword
                                                                                  texts: unique */
        v.h = sg_scache_hash(cache_db(d, &v), v.s, v.n);
        sg_scache_prefetch(w->pfs->cache, v.h, v.n);
    }
    return v;
}

/* The answer for place d's value v (v->r > 0, v->n > 0): from the worker's scan cache when the
 * value was answered before, else scanned (and offered to the cache). 1 scanned, -1 reference. */
static int answer_value(vg_sigma_worker *w, const pf_db *d, const pf_value *v, vg_sigma_stats *st)
{
    uint32_t ids[SG_SCACHE_MAX_IDS], key = cache_db(d, v);
    sg_scache *cache = w->pfs->cache;
    sg_scache_answer a;
    if (v->h && sg_scache_get(cache, v->h, key, v->s, v->n, &a)) {
        for (uint32_t k = 0; k < a.nids; k++)
            pattern_matched(w, d, a.ids[k]);
        st->cached++;
        return a.result;
    }
    const char *s = v->s;
    size_t n = v->n;
    int r = 1;
    if (v->raw) {       /* the text to scan: the value decoded */
        vg_value text = sg_place_value(w, d->place);
        r = vg_sigma_scalar_text(&text, w->pfs->buf, w->max_value, &s, &n);
    }
    scan_ctx c = { w, d, n, ids, 0 };
    if (r > 0 && n > 0)
        r = scan_value(w, d, s, n, &c);
    if (r > 0)
        st->scanned++;
    if (v->h) {
        a = (sg_scache_answer){ r, r > 0 ? c.nids : 0, c.ids };
        sg_scache_put(cache, v->h, key, v->s, v->n, &a);
    }
    return r;
}

void sg_prefilter_scan(vg_sigma_worker *w, uint16_t src, vg_sigma_stats *st)
{
    const sg_prefilter *pf = w->e->pf;
    const pf_source *ps = &pf->src[src];
    pf_value vals[PF_BATCH];
    sg_prefilter_new_pass(w);
    w->ncand = 0;
    for (uint32_t b = 0; b < ps->ndbs; b += PF_BATCH) {
        uint32_t nb = ps->ndbs - b < PF_BATCH ? ps->ndbs - b : PF_BATCH;
        for (uint32_t i = 0; i < nb; i++)
            vals[i] = fetch_value(w, &ps->dbs[b + i], st);
        for (uint32_t i = 0; i < nb; i++) {
            const pf_db *d = &ps->dbs[b + i];
            int r = vals[i].r;
            if (r > 0 && vals[i].n > 0 && !vals[i].done)
                r = answer_value(w, d, &vals[i], st);
            if (r >= 0) {
                w->place_pass[d->place] = w->pass;
                continue;
            }
            for (uint32_t k = 0; k < d->nfallback; k++)
                add_candidate(w, d->fallback[k]);
        }
    }
    for (uint32_t k = 0; k < ps->nalways; k++)
        add_candidate(w, ps->always[k]);
    sort_u32(w->cand, w->ncand);
}

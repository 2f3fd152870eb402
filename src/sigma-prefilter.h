/*
 * sigma-prefilter (internal to the Sigma engine): the compiled rules and worker state that
 * sigma-engine.c and sigma-prefilter.c share, and the literal prefilter.
 *
 * The prefilter is built once after the rules are added (vg_sigma_engine_build). Field
 * conditions whose literals decide them exactly ("fast" conditions) or without one of which
 * they are false ("gated" conditions; both are numbered as fast conditions, fc) are compiled,
 * per mapping source and field place, into one Hyperscan block-mode database (and one per
 * source for the keyword text). Each rule gets a trigger set: clauses of fast conditions (the
 * fast conditions of one group) of which one must wholly hold for the rule to fire; rules
 * without one ("always" rules) run on every event of their sources. Per event and source the worker scans each place once, records
 * which groups of which fast conditions matched (generation stamps, nothing cleared), and
 * evaluates only the candidate rules (every condition of a clause matched, a trigger's place
 * could not be scanned, or an always rule) in the reference order; fast conditions on scanned places read
 * the recorded result (a gated one only when none of its literals occurred: false),
 * everything else runs the reference matcher. docs/sigma.md explains why this is exact.
 */
#ifndef VIGIL_SIGMA_PREFILTER_H
#define VIGIL_SIGMA_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "sigma-engine.h"

#define SG_NONE UINT32_MAX          /* no fast condition / keyword field */
#define SG_MAX_SEARCHES_EVAL 512    /* search results kept per rule evaluation (= VG_SIGMA_MAX_SEARCHES) */

typedef struct sg_cfield {
    vg_sigma_matcher *m;
    const vg_sigma_field *src;      /* the rule's field condition */
    uint32_t name;                  /* index in the rule's field names; SG_NONE for keywords */
    uint32_t fc;                    /* index among the prefilter's fast conditions, or SG_NONE */
    uint64_t full;                  /* |all: the mask of every group (bit per value); else 0 */
    uint8_t gate;                   /* fc's literals are necessary, not exact (a hit decides nothing) */
} sg_cfield;

typedef struct sg_cgroup {
    sg_cfield *fields;              /* AND */
    uint32_t n;
} sg_cgroup;

typedef struct sg_csearch {
    sg_cgroup *groups;              /* OR */
    uint32_t n;
} sg_csearch;

typedef struct sg_crule {
    vg_sigma_entry entry;
    const vg_sigma_detection *det;
    sg_csearch *searches;
    uint32_t nsearches;
    const char **names;             /* distinct field names */
    uint32_t nnames;
    uint16_t *sources;              /* the sources it runs on */
    uint32_t nsources;
    uint32_t *places;               /* [source slot * nnames + name]: index in engine places */
    const char **refs;              /* distinct |fieldref targets (values of the rule) */
    uint32_t nrefs;
    uint32_t *ref_places;           /* [source slot * nrefs + ref]: index in engine places, or
                                       UINT32_MAX where the target is not mapped */
} sg_crule;

typedef struct sg_prefilter sg_prefilter;

/* What the current pass found of one fast condition (one cache line read per match). */
typedef struct sg_fc_seen {
    uint64_t bits;                  /* groups matched (bit group % 64), when pass is current */
    uint32_t pass;                  /* the pass that set bits */
    uint32_t clauses;               /* fixed: where its list of trigger clauses starts */
} sg_fc_seen;

/* A trigger clause in the current pass, with what it needs to wake its rule (its one line
 * is all that counting a condition in it reads). */
typedef struct sg_clause_seen {
    uint32_t pass;                  /* the pass that set held */
    uint32_t held;                  /* its conditions found to hold in this pass */
    uint32_t size;                  /* fixed: its conditions */
    uint32_t rule;                  /* fixed: the rule it wakes */
} sg_clause_seen;
typedef struct sg_pf_scratch sg_pf_scratch;

struct vg_sigma_engine {
    const vg_sigma_mapping *map;
    const vg_sigma_placeholders *ph;
    sg_crule **rules;
    size_t nrules, cap;
    vg_sigma_place *places;         /* distinct places; names owned */
    size_t nplaces, places_cap;
    uint32_t **by_source;           /* rule indices per mapping source (ascending) */
    uint32_t *by_source_n;
    uint32_t *by_source_cap;
    uint64_t *covers;               /* [source * cover_words ...]: bit t when every rule of the source
                                       is also one of source t (NULL until built) */
    size_t cover_words;
    sg_prefilter *pf;               /* NULL until vg_sigma_engine_build */
    vg_sigma_build_info info;
    char cache_dir[4096];           /* compiled databases kept here ("" : no cache) */
};

struct vg_sigma_worker {
    const vg_sigma_engine *e;
    vg_sigma_scratch *scratch;
    uint32_t gen;                   /* event generation */
    uint32_t *place_gen;
    vg_value *place_val;
    int8_t *place_key;              /* [place]: its path's number among the mapping's condition
                                       paths (keys), -1 when classification does not read it */
    vg_sigma_keyvals keys;          /* what classifying the current event read */
    uint32_t *rule_gen;
    int8_t search[SG_MAX_SEARCHES_EVAL];    /* -1 not evaluated, 0, 1 */
    const vg_event *ev;
    const sg_crule *rule;
    uint32_t slot;                  /* the source slot of the rule being evaluated */
    uint64_t undecided;
    uint64_t fast_fields, ref_fields;
    int text_ready;                 /* keyword text of the event computed */
    char *text;                     /* the event's text for keyword searches */
    size_t text_len, text_cap;
    char *plain;                    /* escaped string values of this event, decoded once */
    size_t plain_len, plain_cap;
    size_t max_value;
    int reference;                  /* prefilter disabled */
    uint32_t pass;                  /* (event, source) generation of the prefilter stamps */
    uint32_t *place_pass;           /* [place (+1 for keywords)]: scanned in this pass */
    sg_fc_seen *fc;                 /* [fast condition]: its groups that matched in this pass */
    sg_clause_seen *clause;         /* [trigger clause]: its conditions matched */
    uint32_t *cand_pass;            /* [rule]: candidate in this pass */
    uint32_t *cand;                 /* candidates of this pass */
    uint32_t ncand;
    sg_pf_scratch *pfs;             /* Hyperscan scratch and decode buffer */
    vg_sigma_evidx *evidx;          /* the current event's event data members */
    vg_sigma_matched matched[VG_SIGMA_MAX_MATCHED];
    size_t nmatched;
};

/* The engine's value of place for the current event, as text: an escaped JSON string is
 * decoded (once per event). */
vg_value sg_place_value(vg_sigma_worker *w, uint32_t place);

/* The same value as the event holds it (an escaped JSON string still escaped, unless an
 * earlier sg_place_value decoded it), fetched once per event. */
vg_value sg_place_raw(vg_sigma_worker *w, uint32_t place);

/* The text keyword searches look in, computed once per event into w->text. */
void sg_keyword_text(vg_sigma_worker *w);

/* Builds the prefilter over the engine's active rules into e->pf and e->info. */
vg_rc sg_prefilter_build(vg_sigma_engine *e, vg_error *err);

/* The size of rule entry's trigger set (fast conditions, with repeats); -1 for an always
 * rule, -2 for an inactive rule or no prefilter. */
int sg_prefilter_triggers(const vg_sigma_engine *e, size_t entry);

/* Frees e->pf (NULL is fine). */
void sg_prefilter_free(sg_prefilter *pf);

/* Allocates the worker's prefilter state (nothing when the engine has no prefilter). */
vg_rc sg_prefilter_worker_new(vg_sigma_worker *w, vg_error *err);

/* Frees the worker's prefilter state. */
void sg_prefilter_worker_free(vg_sigma_worker *w);

/* Starts a new pass: stamps of the previous one become stale. */
void sg_prefilter_new_pass(vg_sigma_worker *w);

/* Starts a pass for source src of the current event: scans its places and leaves the
 * candidate rules of src in w->cand[0..ncand), ascending. A place that cannot be scanned
 * exactly makes the rules with a trigger on it candidates. */
void sg_prefilter_scan(vg_sigma_worker *w, uint16_t src, vg_sigma_stats *st);

/* The recorded result of fast condition f at place (e->nplaces: keywords) in this pass, or -1
 * when it must be matched by the reference matcher. */
static inline int sg_prefilter_result(const vg_sigma_worker *w, const sg_cfield *f, uint32_t place)
{
    if (f->fc == SG_NONE || !w->place_pass || w->place_pass[place] != w->pass)
        return -1;
    if (w->fc[f->fc].pass != w->pass)
        return 0;
    if (f->gate)
        return -1;
    return f->full ? (w->fc[f->fc].bits & f->full) == f->full : 1;
}

#endif

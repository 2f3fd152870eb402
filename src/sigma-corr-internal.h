/*
 * sigma-corr-internal: the structures shared by sigma-corr.c (building, feeding, alerts) and
 * sigma-corr-window.c (groups and windows). Not part of the public interface.
 */
#ifndef VIGIL_SIGMA_CORR_INTERNAL_H
#define VIGIL_SIGMA_CORR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sigma-corr.h"

/* One hit in a window. */
typedef struct cc_ent {
    int64_t t;                  /* event time, ns since the epoch */
    double num;                 /* the condition field's number (value_sum, value_avg) */
    uint64_t vhash;             /* hash of the condition field's values (value_count, value_percentile) */
    uint32_t slot;              /* which referenced rule (index in the correlation's rules) */
} cc_ent;

/* One group: its group-by values (key) and its window, ent[head..n) sorted by time. */
typedef struct cc_group {
    struct cc_group *hnext;     /* hash chain */
    struct cc_group *prev, *next;       /* LRU list, oldest first */
    uint64_t hash;
    int64_t newest;             /* newest hit time (INT64_MIN: none yet) */
    cc_ent *ent;
    uint32_t head, n, cap;
    uint32_t keylen;
    char key[];
} cc_group;

/* One resolved correlation. */
typedef struct cc_corr {
    const vg_sigma_entry *entry;
    const vg_sigma_correlation *def;
    uint32_t nrefs;
    uint32_t refs[VG_SIGMA_CORR_MAX_REFS];      /* engine entries of its rules, in order */
    const char **gb;            /* [slot * ngb + k]: the field of group-by k in hits of rule slot */
    const char **vf;            /* [slot * nvf + k]: the condition field k in hits of rule slot */
    uint32_t ngb, nvf;
    int64_t span;               /* timespan in ns */
    cc_group **buckets;
    uint32_t nbuckets;
    cc_group *lru_old, *lru_new;
    vg_sigma_corr_stats st;
} cc_corr;

/* The memory-bound state shared by all correlations. */
typedef struct cc_state {
    vg_sigma_corr_limits lim;
    uint64_t entries;           /* hits in all windows */
    uint64_t *sort;             /* scratch of max_window values */
} cc_state;

uint64_t cc_hash(const void *p, size_t n);
cc_group *cc_group_get(cc_state *s, cc_corr *k, const char *key, size_t len);
int cc_evict_one(cc_state *s, cc_corr *k, const cc_group *keep);
void cc_groups_free(cc_state *s, cc_corr *k);
int cc_window_add(cc_state *s, cc_corr *k, cc_group *g, const cc_ent *h, vg_rc *rc);
void cc_window_reset(cc_state *s, cc_group *g);
double cc_measure(cc_state *s, const cc_corr *k, const cc_group *g, const cc_ent *cur, uint64_t *slots);
int cc_condition(const cc_corr *k, double v);

#endif

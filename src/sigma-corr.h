/*
 * sigma-corr: Sigma correlation rules and filters run over the hits of the detection engine
 * (docs/sigma.md, "Correlation rules and filters", states every decision below).
 *
 * Building (vg_sigma_corr_new, after every rule file is added to the engine): the `rules` of
 * each correlation are resolved by id or name to engine entries (detection rules or other
 * correlations, without cycles and at most VG_SIGMA_CORR_MAX_DEPTH deep); an unknown or
 * unusable reference rejects the correlation with the reason (vg_sigma_engine_set_status).
 * Filters are compiled as detections in a hidden engine of their own (same logsource
 * semantics); a hit of a rule is dropped when one of its filters matches the same event.
 *
 * Running (vg_sigma_corr_match wraps vg_sigma_engine_match): every hit of a referenced rule
 * is fed to its correlations. A correlation keeps one group per distinct tuple of group-by
 * values (aliases resolved per referenced rule); a group holds a window of its hits sorted
 * by event time (@timestamp). The window ending at the group's newest hit t holds the hits
 * with t - timespan < time <= t (an event exactly timespan later is out). The condition is
 * evaluated at each hit of the group; when it holds, one alert is emitted and the group's
 * window is emptied. A hit older than the group's newest minus timespan is late: counted,
 * ignored. Memory is bounded: groups per correlation, hits per window, and hits in all
 * windows; when full, the least recently hit group (or a window's oldest hit) is evicted,
 * counted per correlation and logged once.
 *
 * Main structures: vg_sigma_corr (one per scan, single-threaded): the resolved correlations
 * (cc_corr: references, group-by fields per reference, a hash table of groups with an LRU
 * list), the reference lists of each engine entry, the filter engine and its worker.
 */
#ifndef VIGIL_SIGMA_CORR_H
#define VIGIL_SIGMA_CORR_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "sigma-engine.h"
#include "sigma-logsource.h"
#include "sigma-rule.h"
#include "sigma-value.h"
#include "util-buf.h"
#include "util-error.h"

#define VG_SIGMA_CORR_MAX_GROUPS 1000000u   /* default: groups alive in one correlation */
#define VG_SIGMA_CORR_MAX_WINDOW 100000u    /* default: hits in one group's window */
#define VG_SIGMA_CORR_MAX_ENTRIES 8000000u  /* default: hits in all windows together */
#define VG_SIGMA_CORR_MAX_REFS 64u          /* limit: rules one correlation references */
#define VG_SIGMA_CORR_MAX_GROUP_BY 16u      /* limit: group-by fields (and condition fields) */
#define VG_SIGMA_CORR_MAX_DEPTH 8u          /* limit: correlations chained on correlations */
#define VG_SIGMA_CORR_MAX_KEY 4096u         /* limit: bytes of one group's group-by values */

typedef struct vg_sigma_corr vg_sigma_corr;

/* The memory bound (0 in a member takes its default). */
typedef struct vg_sigma_corr_limits {
    uint32_t max_groups;            /* groups per correlation */
    uint32_t max_window;            /* hits per group window */
    uint32_t max_entries;           /* hits in all windows of all correlations */
} vg_sigma_corr_limits;

/* Counts of one correlation. */
typedef struct vg_sigma_corr_stats {
    uint64_t hits;                  /* hits of its rules fed to it */
    uint64_t alerts;                /* times its condition held */
    uint64_t groups;                /* groups alive now */
    uint64_t evicted_groups;        /* groups dropped by the memory bound */
    uint64_t evicted_hits;          /* window hits dropped by the per-window bound */
    uint64_t late;                  /* hits older than the group's newest minus timespan */
    uint64_t no_value;              /* hits without a (numeric, for sum/avg) condition field value */
    uint64_t long_keys;             /* hits whose group-by values exceed VG_SIGMA_CORR_MAX_KEY */
} vg_sigma_corr_stats;

/* One group-by field and its value in a correlation alert. */
typedef struct vg_sigma_corr_gv {
    const char *field;              /* the group-by name (an alias or a field) */
    const char *value;              /* the value's text (not NUL-terminated) */
    size_t len;
    int present;                    /* 0: the field was missing (the empty value) */
} vg_sigma_corr_gv;

/* A correlation whose condition held. Pointers are valid during the callback. */
typedef struct vg_sigma_corr_alert {
    const vg_sigma_entry *entry;    /* the correlation rule */
    vg_sigma_corr_type type;
    const vg_sigma_corr_gv *group;
    size_t ngroup;
    double value;                   /* the count, sum, average or percentage that met the condition */
    uint64_t events;                /* hits in the window */
    int64_t first_ns, last_ns;      /* event times of the window's first and last hit (ns) */
    const vg_sigma_entry *const *rules;     /* referenced rules with a hit in the window */
    size_t nrules;
} vg_sigma_corr_alert;

/* Totals over the scan. */
typedef struct vg_sigma_corr_totals {
    uint64_t untimed;               /* events fed without a readable @timestamp */
    uint64_t filtered;              /* hits dropped by filters */
    uint64_t unprinted;             /* hits of rules referenced only with generate: false */
} vg_sigma_corr_totals;

/* Called for each detection hit to print (corr NULL) and each correlation alert (hit->entry
 * is the correlation, hit->source the source of the hit that completed it, no matched). */
typedef vg_rc (*vg_sigma_alert_fn)(void *ctx, const vg_event *ev, const vg_sigma_hit *hit,
                                   const vg_sigma_corr_alert *corr);

/* Resolves the correlations and filters of engine e (kept by pointer; their entries become
 * active, not applicable or rejected), compiles the filters over map and ph, with limits lim
 * (NULL: defaults) and max_value the longest value matched. VG_ERR_NOMEM, VG_ERR_LIMIT. */
vg_rc vg_sigma_corr_new(vg_sigma_corr **out, vg_sigma_engine *e, const vg_sigma_mapping *map,
                        const vg_sigma_placeholders *ph, const vg_sigma_corr_limits *lim, size_t max_value,
                        vg_error *err);

/* Frees c (NULL is fine). */
void vg_sigma_corr_free(vg_sigma_corr *c);

/* The time (seconds since the epoch) given to events before the first one with a time. */
void vg_sigma_corr_set_now(vg_sigma_corr *c, int64_t now);

/* Matches ev with the engine (worker w), drops filtered hits, feeds correlations and calls fn
 * for every alert to print, in order. Adds to st. An error from fn stops and is returned. */
vg_rc vg_sigma_corr_match(vg_sigma_corr *c, vg_sigma_worker *w, const vg_event *ev, vg_sigma_alert_fn fn,
                          void *ctx, vg_sigma_stats *st);

/* What vg_sigma_corr_match does with one hit, for callers that run the engine themselves
 * (several workers sharing c, which must hold a lock around this call): filters, printing,
 * correlations. event_id names the event (different for each event while c lives: a spool
 * sequence number); the first hit of a new id starts a new event. */
vg_rc vg_sigma_corr_hit(vg_sigma_corr *c, uint64_t event_id, const vg_event *ev, const vg_sigma_hit *hit,
                        vg_sigma_alert_fn fn, void *ctx);

/* Active correlations: their number, the entry and counts of correlation i. */
size_t vg_sigma_corr_count(const vg_sigma_corr *c);
const vg_sigma_entry *vg_sigma_corr_entry(const vg_sigma_corr *c, size_t i);
const vg_sigma_corr_stats *vg_sigma_corr_stats_of(const vg_sigma_corr *c, size_t i);

/* Active filters: their number, and the entry and dropped hits of filter i. */
size_t vg_sigma_corr_filter_count(const vg_sigma_corr *c);
const vg_sigma_entry *vg_sigma_corr_filter_entry(const vg_sigma_corr *c, size_t i, uint64_t *dropped);

/* Totals over the scan. */
const vg_sigma_corr_totals *vg_sigma_corr_totals_of(const vg_sigma_corr *c);

/* Are hits of engine entry i printed (not referenced only by correlations with generate: false)? */
int vg_sigma_corr_printed(const vg_sigma_corr *c, size_t i);

/* Appends the ",\"correlation\":{...}" member of a correlation alert to b. */
vg_rc vg_sigma_corr_json(vg_buf *b, const vg_sigma_corr_alert *a);

#endif

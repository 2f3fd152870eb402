/*
 * detect: every detector run on one event, the same way for `vigil scan` and for the daemon's
 * workers: the indicator snapshot (detect-intel), then the Sigma rules (sigma-engine, with the
 * filters and correlations of sigma-corr). Each alert is formatted once, as the JSON line of
 * docs/alerts.md, and handed to the caller with what it needs to count or store it.
 *
 * Linux audit records are also offered to the audit join (decode-auditjoin): when a record
 * completes an exec, its process event is matched right after the record, with the record's
 * origin.
 *
 * Main structures: vg_detect_shared, built once and read by every worker (the rule set, the
 * intel matcher, the audit join, and the lock that serializes the correlation state: the
 * engine itself runs in parallel, only hits take the lock); vg_detector, one per worker thread
 * (its Sigma worker, intel scratch, alert buffer and process event), so the per-event path
 * allocates nothing.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "decode-auditjoin.h"
#include "detect-alert.h"
#include "detect-intel.h"
#include "sigma-corr.h"
#include "sigma-set.h"
#include "util-buf.h"
#include "util-error.h"

/* How to load the Sigma rules. */
typedef struct vg_detect_rules_opts {
    char *const *paths;             /* rule files and directories */
    size_t npaths;
    const char *mapping;            /* NULL: the built-in logsource map */
    const char *placeholders;       /* NULL: none */
    const char *cache_dir;          /* compiled databases (NULL or "": no cache) */
    int reference;                  /* no prefilter: every rule by the reference matcher */
    vg_sigma_corr_limits corr;      /* 0 members: defaults */
    size_t max_value;               /* longest field value read (the record limit) */
    int64_t now;                    /* the time of events before the first with a time */
} vg_detect_rules_opts;

/* What became of the rules. */
typedef struct vg_detect_rules_info {
    size_t status[4];               /* engine entries per vg_sigma_status */
    size_t rejected_docs;           /* documents the loader rejected */
    size_t files;
    const vg_sigma_build_info *build;   /* the prefilter (NULL with reference) */
} vg_detect_rules_info;

/* Read-only state shared by the workers. */
typedef struct vg_detect_shared {
    vg_sigma_set *rules;            /* NULL: no rules */
    const vg_intel_matcher *matcher;    /* NULL: no indicator matching */
    size_t max_value;
    int json;                       /* format alerts as JSON (0: only count them) */
    pthread_mutex_t corr_lock;
    uint64_t next_detector;         /* numbers the detectors (event ids) */
    vg_auditjoin *join;             /* audit records joined into process events */
} vg_detect_shared;

/* One alert. Pointers are valid during the callback only. */
typedef struct vg_detect_alert {
    const char *kind;               /* "intel" or "sigma" */
    const char *json;               /* the alert line without its newline (NULL if json is 0) */
    size_t len;
    const vg_event *ev;
    const vg_intel_alert *intel;    /* intel: the hit */
    const vg_sigma_hit *sigma;      /* sigma: the rule that fired */
    const vg_sigma_corr_alert *corr;    /* sigma: the correlation, when it is one */
} vg_detect_alert;

typedef vg_rc (*vg_detect_fn)(void *ctx, const vg_detect_alert *a);

typedef struct vg_detector vg_detector;

/* Loads rule files into a set, correlates and builds it; on_error gets each file or directory
 * that cannot be read (the load then fails with VG_ERR_IO once every path was tried).
 * VG_ERR_NOTFOUND when no rule is active (info is filled). */
vg_rc vg_detect_load_rules(vg_sigma_set **out, const vg_detect_rules_opts *o,
                           void (*on_error)(void *ctx, const char *msg), void *ctx, vg_detect_rules_info *info,
                           vg_error *err);

/* Initializes shared state over rules and matcher (either may be NULL; both kept by pointer). */
vg_rc vg_detect_shared_init(vg_detect_shared *s, vg_sigma_set *rules, const vg_intel_matcher *matcher,
                            size_t max_value, int json);

/* Releases what vg_detect_shared_init made (not the rules or the matcher). */
void vg_detect_shared_free(vg_detect_shared *s);

/* A detector for one thread. */
vg_rc vg_detector_new(vg_detector **out, vg_detect_shared *s, vg_error *err);

/* Frees a detector (NULL is allowed). */
void vg_detector_free(vg_detector *d);

/* Runs every detector on ev: the snapshot snap (NULL: none) at time now, then the rules; calls
 * fn for each alert, in order; then, when ev is an audit record that completes an exec, the
 * same on its process event. An error from fn stops and is returned. */
vg_rc vg_detect_event(vg_detector *d, const vg_snap *snap, const vg_event *ev, const vg_alert_origin *o,
                      int64_t now, vg_detect_fn fn, void *ctx);

/* The counts of a detector so far. */
const vg_intel_stats *vg_detector_intel_stats(const vg_detector *d);
const vg_sigma_stats *vg_detector_sigma_stats(const vg_detector *d);

/* The counts of the audit join (process events made, execs dropped unfinished). */
vg_auditjoin_stats vg_detect_join_stats(vg_detect_shared *s);

#endif

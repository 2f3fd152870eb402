/*
 * sigma-engine: Sigma detection rules applied to events. The rules loaded by sigma-rule are
 * checked against the logsource mapping (sigma-logsource) and compiled once: each rule is
 * either active, not applicable (its logsource or one of its fields is not mapped for
 * Vigil's events; the reason says which) or rejected (a value that cannot be compiled, an
 * unresolved placeholder). Active rules are indexed by the sources they serve, so an event
 * is only tried against the rules of its own kinds of event.
 *
 * Evaluation of one event: its sources (classification), then for each rule of those sources
 * the condition tree over its search identifiers, each search a disjunction of groups, each
 * group a conjunction of field conditions (sigma-value matchers). Field values are fetched
 * once per event and place (a per-worker cache), searches are evaluated lazily and at most
 * once per rule and event.
 *
 * Main structures: vg_sigma_engine (read-only once built, shared by workers): compiled rules,
 * the distinct places fields are read from, the rules of each source; vg_sigma_worker (one
 * per thread): value cache, search results, matcher scratch.
 */
#ifndef VIGIL_SIGMA_ENGINE_H
#define VIGIL_SIGMA_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "sigma-logsource.h"
#include "sigma-rule.h"
#include "sigma-value.h"
#include "util-error.h"

#define VG_SIGMA_MAX_MATCHED 32         /* limit: field/value pairs reported with one alert */

typedef struct vg_sigma_engine vg_sigma_engine;
typedef struct vg_sigma_worker vg_sigma_worker;

/* What became of a rule in the engine. */
typedef enum vg_sigma_status {
    VG_SIGMA_ACTIVE = 0,            /* compiled: it runs */
    VG_SIGMA_NOT_APPLICABLE,        /* its logsource or a field is not mapped for Vigil's events */
    VG_SIGMA_REJECTED,              /* a value or placeholder could not be compiled */
    VG_SIGMA_NOT_RUN                /* correlation rules and filters (handled elsewhere) */
} vg_sigma_status;

/* A rule and what the engine made of it. */
typedef struct vg_sigma_entry {
    uint32_t index;                 /* its number among the engine's entries */
    const vg_sigma_rule *rule;
    const char *file;
    vg_sigma_status status;
    uint32_t line;                  /* where the reason lies (the rule's first line, or a value's) */
    char reason[VG_ERROR_MSG_MAX];  /* why it is not applicable or rejected */
} vg_sigma_entry;

/* One field condition that matched, reported with the alert. */
typedef struct vg_sigma_matched {
    const char *search;             /* the search identifier */
    const char *field;              /* the rule's field name ("" for keywords) */
    vg_value value;                 /* the event's value */
} vg_sigma_matched;

/* A rule that fired on an event. Pointers are valid during the callback. */
typedef struct vg_sigma_hit {
    const vg_sigma_entry *entry;
    const char *source;             /* the mapping source the event was matched as */
    const vg_sigma_matched *matched;
    size_t nmatched;
} vg_sigma_hit;

typedef vg_rc (*vg_sigma_hit_fn)(void *ctx, const vg_event *ev, const vg_sigma_hit *hit);

/* Counts of matching. */
typedef struct vg_sigma_stats {
    uint64_t events;                /* events examined */
    uint64_t unmapped;              /* events of no source: no rule applies */
    uint64_t evaluated;             /* rule evaluations */
    uint64_t hits;                  /* rules fired */
    uint64_t undecided;             /* field conditions a limit stopped (counted as no match) */
    uint64_t scanned;               /* places (and keyword texts) scanned by the prefilter */
    uint64_t fast_fields;           /* field conditions read from the prefilter's results */
    uint64_t ref_fields;            /* field conditions run by the reference matcher */
    uint64_t cached;                /* places answered from the worker's scan cache (not scanned) */
} vg_sigma_stats;

/* What vg_sigma_engine_build made of the active rules. */
typedef struct vg_sigma_build_info {
    int built;                      /* the prefilter exists */
    uint32_t conditions;            /* field conditions of active rules */
    uint32_t fast;                  /* of which decided by their literals (prefiltered) */
    uint32_t gated;                 /* of which false without a necessary literal (prefiltered, then
                                       decided by the reference matcher when one occurs) */
    uint32_t trigger_rules;         /* active rules with a trigger set */
    uint32_t always_rules;          /* active rules evaluated on every event of their sources */
    uint32_t databases;             /* Hyperscan databases (source x place) */
    uint32_t patterns;              /* distinct patterns over all databases */
    uint32_t refused;               /* patterns Hyperscan refused (their conditions use the reference) */
    double seconds;                 /* build time */
    uint32_t cache_hits;            /* databases read from the cache or copied from the same build (not compiled) */
    uint32_t cache_written;         /* databases compiled (and written to the cache if it is set) */
    uint32_t cache_errors;          /* databases that could not be written to the cache */
    char first_refusal[VG_ERROR_MSG_MAX];   /* Hyperscan's reason for the first refusal */
} vg_sigma_build_info;

/* Creates an engine over a mapping (kept by pointer) and the placeholders (copied; may be NULL). */
vg_rc vg_sigma_engine_new(vg_sigma_engine **out, const vg_sigma_mapping *map, const vg_sigma_placeholders *ph,
                          vg_error *err);

/* Frees the engine (not the rule files). */
void vg_sigma_engine_free(vg_sigma_engine *e);

/* Adds every loaded rule of f (kept by pointer: f must outlive the engine); each becomes an
 * entry, active or not with its reason. Errors are only VG_ERR_NOMEM and VG_ERR_LIMIT. */
vg_rc vg_sigma_engine_add(vg_sigma_engine *e, const vg_sigma_file *f, vg_error *err);

/* Builds the literal prefilter over the active rules (Hyperscan databases, trigger sets);
 * call once after the last vg_sigma_engine_add and before making workers. Without it (or
 * after another add) workers use the reference path only. VG_ERR_NOMEM; a pattern Hyperscan
 * refuses only sends its condition to the reference matcher (counted in the build info). */
vg_rc vg_sigma_engine_build(vg_sigma_engine *e, vg_error *err);

/* Keeps the compiled databases in directory dir (util-hscache; NULL or "": no cache), so a
 * restart with unchanged rules reads them instead of compiling. Call before building. */
void vg_sigma_engine_set_cache(vg_sigma_engine *e, const char *dir);

/* What the last build made (built = 0 before). */
const vg_sigma_build_info *vg_sigma_engine_build_info(const vg_sigma_engine *e);

/* Entries: their number, and entry i. */
size_t vg_sigma_engine_count(const vg_sigma_engine *e);
const vg_sigma_entry *vg_sigma_engine_entry(const vg_sigma_engine *e, size_t i);

/* A worker for one thread; max_value is the longest string it will match (the record size). */
vg_rc vg_sigma_worker_new(vg_sigma_worker **out, const vg_sigma_engine *e, size_t max_value, vg_error *err);

/* Reference mode (on = 1): the worker ignores the prefilter and tries every rule of the
 * event's sources with the reference matcher (for differential tests). */
void vg_sigma_worker_set_reference(vg_sigma_worker *w, int on);

/* Frees a worker. */
void vg_sigma_worker_free(vg_sigma_worker *w);

/* Applies every active rule of ev's sources to ev; fn is called for each rule that fires (an
 * error return stops and is returned). Adds to st. */
vg_rc vg_sigma_engine_match(const vg_sigma_engine *e, vg_sigma_worker *w, const vg_event *ev, vg_sigma_hit_fn fn,
                            void *ctx, vg_sigma_stats *st);

/* Explains one rule on one event: for each search identifier whether it matched, and the
 * condition's result, into out (text, for vigil rules test). Returns 1 if the rule fires. */
int vg_sigma_engine_explain(const vg_sigma_engine *e, vg_sigma_worker *w, size_t entry, const vg_event *ev,
                            char *out, size_t cap);

/* Sets the status of entry i with its reason and line (for correlation rules and filters, which
 * sigma-corr resolves; a detection entry's status is the engine's own and is not changed). */
void vg_sigma_engine_set_status(vg_sigma_engine *e, size_t i, vg_sigma_status status, uint32_t line,
                                const char *reason);

/* Name of a status: active, not applicable, rejected, not run. */
const char *vg_sigma_status_name(vg_sigma_status s);

#endif

/*
 * detect-intel: matching events against the indicator store. For each event it reads the
 * observables (addresses, names, URLs, hashes, e-mail addresses, accounts) from the ECS fields
 * where decoders put them, plus fields the configuration names, normalizes each the way the
 * store does (intel-indicator), looks it up in a snapshot and reports every hit as an alert
 * with the indicator, the field and every source's provenance.
 *
 * A value that a known-good list (role allow: MISP warninglists) names is not alerted on: its
 * threat hits are counted as suppressed. Sources whose expiry has passed are left out of an
 * alert, and a hit left with no source is counted as expired, not alerted.
 *
 * Main structure: vg_intel_matcher, the fields to read (a path, the kind of value, and for
 * addresses the sibling port field that makes an IP:port observable), built once and shared
 * read-only by every worker; each worker owns a vg_intel_scratch for its lookups (with its
 * caches of field-name slots and of what each hit's sources say), so matching allocates
 * nothing.
 */
#ifndef VIGIL_DETECT_INTEL_H
#define VIGIL_DETECT_INTEL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "intel-snapshot.h"
#include "util-buf.h"
#include "util-error.h"

#define VG_INTEL_MAX_FIELDS 256         /* limit: fields a matcher reads (ports included) */
#define VG_INTEL_MAX_DEPTH 16           /* limit: components of a field path */
#define VG_INTEL_ARRAY_TOKENS 512       /* limit: JSON tokens of one array field */

typedef struct vg_intel_matcher vg_intel_matcher;

/* One field to read: path, kind (a vg_ind_type or VG_IND_ANY_* family of intel-indicator),
 * port (the path of the port that pairs with an address field, or NULL), and fallback (read
 * only when the previous field of the list had no value, e.g. url.original after url.full). */
typedef struct vg_intel_field {
    const char *path;
    int kind;
    const char *port;
    int fallback;
} vg_intel_field;

/* Counts of matching, added up over events. */
typedef struct vg_intel_stats {
    uint64_t events;        /* events examined */
    uint64_t values;        /* field values read */
    uint64_t invalid;       /* values that are not of their field's kind (not looked up) */
    uint64_t lookups;       /* store lookups (an address with a port is two) */
    uint64_t hits;          /* indicators found */
    uint64_t alerts;        /* alerts reported */
    uint64_t suppressed;    /* threat hits on values a known-good list names */
    uint64_t allowed;       /* hits on known-good lists only */
    uint64_t expired;       /* hits whose every threat source had expired */
} vg_intel_stats;

/* One alert: what was found, where. Pointers are valid during the callback only. */
typedef struct vg_intel_alert {
    const vg_event *ev;
    const vg_snap *snap;
    const char *field;          /* the path the value was read from */
    const char *value;          /* the value as read (decoded; IP:port for a pair) */
    size_t value_len;
    const char *port_field;     /* for an IP:port indicator: the port's path, else NULL */
    unsigned port;
    const vg_intel_hit *hit;    /* the indicator */
    int64_t now;                /* decides expiry */
} vg_intel_alert;

typedef vg_rc (*vg_intel_alert_fn)(void *ctx, const vg_intel_alert *alert);

/* The fields read by default (ECS names), and their number. */
const vg_intel_field *vg_intel_default_fields(size_t *n);

/* Builds a matcher over the default fields (when defaults is set) and the extra ones;
 * VG_ERR_USAGE for a bad kind or too many fields. */
vg_rc vg_intel_matcher_new(vg_intel_matcher **out, int defaults, const vg_intel_field *extra, size_t nextra,
                           vg_error *err);

/* Frees the matcher. */
void vg_intel_matcher_free(vg_intel_matcher *m);

/* Parses a field specification "PATH=KIND" or "PATH=ip:PORTPATH" (KIND: ip, domain, url, hash,
 * email, account, auto) into f; its strings point into spec. VG_ERR_USAGE with a reason. */
vg_rc vg_intel_field_parse(char *spec, vg_intel_field *f, vg_error *err);

/* Per-worker state of matching (one per thread). */
typedef struct vg_intel_scratch vg_intel_scratch;

/* Allocates a worker's state. */
vg_rc vg_intel_scratch_new(vg_intel_scratch **out, vg_error *err);

/* Frees a worker's state. */
void vg_intel_scratch_free(vg_intel_scratch *w);

/* Matches one event against snap: calls alert for each alert (an error return stops and is
 * returned) and adds to st. now decides which sources have expired. */
vg_rc vg_intel_match_event(const vg_intel_matcher *m, vg_intel_scratch *w, const vg_snap *snap,
                           const vg_event *ev, int64_t now, vg_intel_alert_fn alert, void *ctx,
                           vg_intel_stats *st);

/* A hint for the record that comes next, before it is decoded: starts loading what the lookups
 * of the IPv4 addresses written in text[0..n) will read first (dotted quads anywhere in it,
 * with the port written after one, ":N" or " port N"), so that matching its event finds it in
 * cache. Reads at most VG_INTEL_AHEAD bytes; no effect on results. */
#define VG_INTEL_AHEAD 512
void vg_intel_prefetch_text(const vg_snap *snap, const char *text, size_t n);

/* Appends the "threat" member of an alert (indicator, match, sources still valid at now) and
 * the "matched" member (field, value) to b, each preceded by a comma. */
vg_rc vg_intel_alert_json(vg_buf *b, const vg_intel_alert *a);

#endif

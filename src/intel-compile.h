/*
 * intel-compile: turns a feed configuration into a snapshot file. For each enabled feed it
 * expands the paths (globs, sorted; a MISP feed's directory stands for its manifest.json),
 * parses every file with its format, drops the entries that have expired (expire_after, or
 * the feed's own expiry such as STIX valid_until; counted), adds the rest to an intel-store
 * and finally writes the snapshot atomically. Rejected lines and per-file progress go to the caller's callbacks;
 * this module prints nothing.
 */
#ifndef VIGIL_INTEL_COMPILE_H
#define VIGIL_INTEL_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "intel-config.h"
#include "intel-feed.h"
#include "util-error.h"

/* What loading one feed produced. */
typedef struct vg_compile_feed {
    const vg_intel_feed_conf *conf;
    unsigned files;
    vg_feed_stats st;
    uint64_t expired;       /* entries older than the feed's expire_after */
} vg_compile_feed;

typedef struct vg_compile_sink {
    /* A rejected line of a feed file. */
    void (*on_reject)(void *ctx, const char *feed, const char *source, uint64_t line, const char *reason);
    /* A file of a feed is done (st holds the feed's totals so far). */
    void (*on_file)(void *ctx, const vg_compile_feed *feed, const char *path);
    /* A feed is done (or skipped: disabled feeds have files == 0). */
    void (*on_feed)(void *ctx, const vg_compile_feed *feed);
    void *ctx;
} vg_compile_sink;

typedef struct vg_compile_totals {
    unsigned feeds, disabled;
    uint64_t files, records, accepted, rejected, expired;
    uint64_t indicators;        /* distinct indicators written */
    uint64_t per_type[VG_IND_NTYPES];   /* distinct indicators per type */
    size_t build_memory;        /* bytes the build held at its largest */
} vg_compile_totals;

/* Compiles conf into the snapshot file out. now decides expiry and is recorded. A path that
 * matches no file, an unreadable file or a CSV header that lacks a mapped column stops the
 * compile with an error naming it (the old snapshot stays in place). */
vg_rc vg_intel_compile(const vg_intel_config *conf, const char *out, int64_t now, const vg_compile_sink *sink,
                       vg_compile_totals *tot, vg_error *err);

#endif

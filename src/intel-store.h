/*
 * intel-store: the build side of the indicator store. Collects (indicator, provenance) pairs
 * from any number of feeds, keeps each distinct indicator once with the list of every source
 * that names it, deduplicates provenance records, strings and reference lists, and writes the
 * whole as one snapshot file (layout in intel-format.h) that intel-snapshot maps read-only.
 *
 * Main structure: interners (a byte arena + an open-addressing table of item ids) for
 * indicators, provenance records, strings and reference lists; per indicator a chain of its
 * provenance ids. Writing builds the lookup structures: a hash table per type and, per
 * address family, the disjoint segments of the address space covered by networks.
 */
#ifndef VIGIL_INTEL_STORE_H
#define VIGIL_INTEL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "intel-feed.h"
#include "intel-indicator.h"
#include "util-error.h"

#define VG_STORE_MAX_FEEDS 65535u           /* limit: feeds in one snapshot */
#define VG_STORE_MAX_ITEMS 0x7fffffffu      /* limit: indicators or provenance records */

typedef enum vg_intel_role {
    VG_INTEL_BLOCK = 0,     /* a threat list: a hit is an alert */
    VG_INTEL_ALLOW = 1      /* a known-good list (MISP warninglists): a hit is a hint */
} vg_intel_role;

typedef struct vg_istore_feed {
    const char *name;
    const char *path;           /* as configured (file or glob) */
    vg_feed_format format;
    vg_intel_role role;
    unsigned weight;            /* 0-65535, shown with each hit */
    unsigned expire_days;       /* 0: entries never expire */
} vg_istore_feed;

typedef struct vg_istore vg_istore;

/* Creates an empty store. */
vg_rc vg_istore_new(vg_istore **out, vg_error *err);

/* Frees the store. */
void vg_istore_free(vg_istore *s);

/* Registers a feed; *id receives its index for vg_istore_add. */
vg_rc vg_istore_add_feed(vg_istore *s, const vg_istore_feed *feed, unsigned *id, vg_error *err);

/* Records the totals of a feed's parse (shown by vigil intel stats). */
void vg_istore_feed_done(vg_istore *s, unsigned id, const vg_feed_stats *st, uint64_t expired, unsigned files);

/* Adds one indicator named by feed id with its provenance; expires is the time after which
 * this source no longer names it (0: never). Adding the same pair twice keeps one. */
vg_rc vg_istore_add(vg_istore *s, unsigned feed, const vg_ind *ind, const vg_feed_prov *prov, int64_t expires,
                   vg_error *err);

/* Distinct indicators stored: of one type, or of all types when type is VG_IND_NONE. */
uint64_t vg_istore_count(const vg_istore *s, int type);

/* Bytes the store holds in memory. */
size_t vg_istore_memory(const vg_istore *s);

/* Writes the snapshot to path atomically (a temporary file in the same directory, fsync,
 * rename, fsync of the directory). created is recorded in the header. */
vg_rc vg_istore_write(vg_istore *s, const char *path, int64_t created, vg_error *err);

#endif

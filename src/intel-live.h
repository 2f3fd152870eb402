/*
 * intel-live: the snapshot that matching uses now, replaceable while matching goes on.
 *
 * Workers take a reference to the current snapshot (vg_intel_live_acquire), match any number of
 * events with it, and give it back (vg_intel_live_release). Reloading opens and checks the new
 * file first, with no lock held, then swaps one pointer under a mutex held for a few
 * instructions; workers that hold the old snapshot finish with it, and the last one to give it
 * back unmaps it. So a reload never makes matching wait for a file to be opened or verified,
 * and a reload that fails leaves the current snapshot in place.
 *
 * Main structure: a reference-counted holder per snapshot (vg_intel_ref); the live handle owns
 * one reference to the current holder.
 */
#ifndef VIGIL_INTEL_LIVE_H
#define VIGIL_INTEL_LIVE_H

#include <stdint.h>

#include "intel-snapshot.h"
#include "util-error.h"

typedef struct vg_intel_live vg_intel_live;
typedef struct vg_intel_ref vg_intel_ref;

/* Opens the snapshot at path (flags: VG_SNAP_*) as the current one. */
vg_rc vg_intel_live_open(vg_intel_live **out, const char *path, unsigned flags, vg_error *err);

/* Opens the snapshot at path and makes it the current one; on error the current one stays. */
vg_rc vg_intel_live_reload(vg_intel_live *l, const char *path, unsigned flags, vg_error *err);

/* Takes a reference to the current snapshot; *snap receives it. Cheap: call it per batch. */
vg_intel_ref *vg_intel_live_acquire(vg_intel_live *l, const vg_snap **snap);

/* Gives a reference back (the last one of a replaced snapshot unmaps it). */
void vg_intel_live_release(vg_intel_ref *ref);

/* The generation of a reference's snapshot: 1 for the first, +1 per successful reload. */
uint64_t vg_intel_ref_generation(const vg_intel_ref *ref);

/* Frees the handle; references still held keep their snapshot until released. */
void vg_intel_live_free(vg_intel_live *l);

#endif

/*
 * intel-live: the current snapshot, swapped by reloads while workers match (see intel-live.h).
 */
#include "intel-live.h"

#include <pthread.h>
#include <stdatomic.h>

#include "util-mem.h"

struct vg_intel_ref {
    vg_snap *snap;
    atomic_uint refs;
    uint64_t generation;
};

struct vg_intel_live {
    pthread_mutex_t lock;       /* guards current: held only to read or swap the pointer */
    vg_intel_ref *current;
    uint64_t generation;
};

static vg_rc ref_open(vg_intel_ref **out, const char *path, unsigned flags, uint64_t generation, vg_error *err)
{
    vg_intel_ref *r = vg_calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = vg_snap_open(&r->snap, path, flags, err);
    if (rc) {
        vg_free(r);
        return rc;
    }
    atomic_init(&r->refs, 1);
    r->generation = generation;
    *out = r;
    return VG_OK;
}

vg_rc vg_intel_live_open(vg_intel_live **out, const char *path, unsigned flags, vg_error *err)
{
    vg_intel_live *l = vg_calloc(1, sizeof *l);
    if (!l)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    vg_rc rc = ref_open(&l->current, path, flags, 1, err);
    if (rc) {
        vg_free(l);
        return rc;
    }
    pthread_mutex_init(&l->lock, NULL);
    l->generation = 1;
    *out = l;
    return VG_OK;
}

vg_rc vg_intel_live_reload(vg_intel_live *l, const char *path, unsigned flags, vg_error *err)
{
    vg_intel_ref *fresh;
    /* the slow part, with no lock held: workers keep matching on the current snapshot */
    vg_rc rc = ref_open(&fresh, path, flags, 0, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&l->lock);
    vg_intel_ref *old = l->current;
    l->current = fresh;
    fresh->generation = ++l->generation;
    pthread_mutex_unlock(&l->lock);
    vg_intel_live_release(old);
    return VG_OK;
}

vg_intel_ref *vg_intel_live_acquire(vg_intel_live *l, const vg_snap **snap)
{
    pthread_mutex_lock(&l->lock);
    vg_intel_ref *r = l->current;
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&l->lock);
    *snap = r->snap;
    return r;
}

void vg_intel_live_release(vg_intel_ref *ref)
{
    if (atomic_fetch_sub_explicit(&ref->refs, 1, memory_order_acq_rel) == 1) {
        vg_snap_close(ref->snap);
        vg_free(ref);
    }
}

uint64_t vg_intel_ref_generation(const vg_intel_ref *ref)
{
    return ref->generation;
}

void vg_intel_live_free(vg_intel_live *l)
{
    if (!l)
        return;
    vg_intel_live_release(l->current);
    pthread_mutex_destroy(&l->lock);
    vg_free(l);
}

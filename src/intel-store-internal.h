/*
 * intel-store-internal: the build-time store shared by intel-store.c (collecting and
 * deduplicating) and intel-store-write.c (laying out and writing the snapshot).
 *
 * An interner keeps distinct byte strings: item i is data[off[i] .. off[i+1]), found again
 * through an open-addressing table of item ids (slot = id + 1, 0 empty, load at most 1/2).
 */
#ifndef VIGIL_INTEL_STORE_INTERNAL_H
#define VIGIL_INTEL_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "intel-format.h"
#include "intel-store.h"

typedef struct interner {
    unsigned char *data;
    size_t len, cap;
    uint64_t *off;          /* n + 1 offsets */
    uint32_t *hash;         /* per item: low half of its hash */
    uint32_t n, items_cap;
    uint32_t *slot;
    uint32_t slot_mask;     /* slot count - 1 (slot count a power of two, 0 when empty) */
} interner;

/* The provenance record as built: string and list ids, not yet file offsets. */
typedef struct build_prov {
    uint16_t feed;
    uint16_t flags;
    uint32_t family, aliases, note;     /* string ids */
    uint32_t refs;                      /* reference list id + 1; 0: none */
    uint32_t count;
    int64_t first_seen, last_seen, expires;
} build_prov;

typedef struct prov_node {
    uint32_t prov;          /* provenance id */
    uint32_t next;          /* next node + 1; 0: end */
} prov_node;

typedef struct store_feed {
    vg_istore_feed conf;
    char *name, *path;      /* owned copies */
    vg_feed_stats st;
    uint64_t expired;
    unsigned files;
} store_feed;

struct vg_istore {
    interner inds;          /* [type][prefix][key] */
    interner provs;         /* build_prov records */
    interner strings;       /* id 0 is "" */
    interner reflists;      /* u32 string ids */
    uint32_t *head;         /* per indicator: first node + 1 */
    uint32_t *tail;         /* per indicator: last node + 1 */
    prov_node *nodes;
    uint32_t nnodes, nodes_cap, heads_cap;
    store_feed *feeds;
    unsigned nfeeds, feeds_cap;
    uint64_t count[SNAP_MAX_TYPES];
};

/* Finds or adds the bytes p[0..n); returns the id, or -1 when out of memory or past
 * VG_STORE_MAX_ITEMS. *fresh (if not NULL) tells whether it was added. */
int64_t interner_add(interner *t, const void *p, size_t n, int *fresh);

/* The id of the bytes p[0..n) in t, or -1 if t does not hold them. */
int64_t interner_find(const interner *t, const void *p, size_t n);

/* Item id of t: pointer and length. */
const unsigned char *interner_get(const interner *t, uint32_t id, size_t *n);

/* Frees t's memory. */
void interner_free(interner *t);

/* Bytes t holds. */
size_t interner_memory(const interner *t);

#endif

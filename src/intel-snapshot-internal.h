/*
 * intel-snapshot-internal: the reader's view of a mapped snapshot (struct vg_snap), shared by
 * the files of the intel-snapshot module (intel-snapshot.c: opening, lookups, provenance,
 * verification; intel-snapshot-info.c: counts, feeds and sections for `vigil intel stats`;
 * intel-snapshot-ipv4.c: exact IPv4 lookups, single and batched).
 * Nobody else includes it: everyone else goes through intel-snapshot.h.
 */
#ifndef VIGIL_INTEL_SNAPSHOT_INTERNAL_H
#define VIGIL_INTEL_SNAPSHOT_INTERNAL_H

#include "intel-format.h"
#include "intel-snapshot.h"

typedef struct snap_table {
    const unsigned char *slots;
    uint64_t cap;           /* slots (buckets) */
    uint32_t elem;
    const uint64_t *filter; /* NULL: none */
    uint64_t nfilter;       /* words */
    const unsigned char *keys;      /* text types: the KEYS records */
    uint64_t nkeys;
} snap_table;

/* A domain suffix as the lookups compare it. */
typedef struct snap_sfx {
    const unsigned char *p;
    uint32_t n;
} snap_sfx;

#define SFX_NONE (VG_DOMAIN_MAX + 1u)   /* length of an unknown suffix id: longer than any name */

struct vg_snap {
    void *map;                  /* the mapping, for munmap */
    const unsigned char *base;
    size_t size;
    const snap_header *hdr;
    const snap_section *secs;
    uint32_t nsecs;
    uint64_t seed;
    const unsigned char *strings;
    uint64_t strings_len;
    const snap_feed *feeds;
    uint64_t nfeeds;
    const unsigned char *provs;     /* encoded records */
    uint64_t nprovs;                /* bytes */
    const uint32_t *dsfx_end;       /* domain suffix i + 1: dsfx[dsfx_end[i - 1] .. dsfx_end[i]) */
    const unsigned char *dsfx;
    uint64_t ndsfx, dsfx_len;
    snap_sfx sfx[SNAP_SID_MAX + 1]; /* every suffix id's bytes, checked at open (an unknown id: length
                                       SFX_NONE, which no name matches) */
    const uint32_t *reflists, *provlists;
    uint64_t nreflists, nprovlists;
    const uint64_t *counts;
    const snap_net4 *nets4;
    uint64_t nnets4;
    const uint32_t *seg4_start, *seg4_value, *seg4_index, *netlists4;
    uint64_t nseg4, nnetlists4;
    uint64_t nseg4_index;       /* 2^bits + 1 entries: the top bits of an address choose one */
    unsigned seg4_shift;        /* 32 - bits */
    const snap_net6 *nets6;
    uint64_t nnets6;
    const snap_seg6 *seg6_start;
    const uint32_t *seg6_value, *netlists6;
    uint64_t nseg6, nnetlists6;
    snap_table table[SNAP_MAX_TYPES];
    const uint64_t *dtop;       /* DTOP: SNAP_DTOP_WORDS bitmap words, then ndtop sorted hashes */
    uint64_t ndtop;
};

/* Are the given bits of hash h's word set in the table's filter? No filter: yes. */
static inline int snap_filter_has(const snap_table *t, uint64_t h, uint64_t bits)
{
    return !t->filter || (t->filter[snap_filter_word(h, t->nfilter)] & bits) == bits;
}

/* May the table hold the key of hash h? Never wrong when it says no. */
static inline int snap_filter_maybe(const snap_table *t, uint64_t h)
{
    return snap_filter_has(t, h, snap_filter_bits(h));
}

/* Where the home element (slot or bucket) of hash h lies, for prefetching. */
static inline const unsigned char *snap_home_of(const snap_table *t, uint64_t h)
{
    return t->slots + snap_slot(h, t->cap) * t->elem;
}

/* The STRINGS text at offset off, or "?" when off or its length is out of bounds. */
const char *vg_snap_text_at(const vg_snap *s, uint32_t off);

/* The ref of the IPv4 key (address bytes in network order, loaded as a u32) and where the
 * table stores it; 0 if absent (intel-snapshot-ipv4.c). */
uint32_t snap_ipv4_find(const vg_snap *s, uint32_t key, const unsigned char **stored);

#endif

/*
 * sigma-scancache: a worker's memory of prefilter scans (see sigma-scancache.h). The table is
 * two-way set-associative: a new answer takes an empty slot of its set, else the one of the two
 * answered or filled less recently. The doorkeeper is a bit set
 * indexed by another part of the hash; it is cleared after as many first sightings as it has
 * bits / 8, so that it keeps telling "seen recently" from "seen once long ago".
 */
#include "sigma-scancache.h"

#include <string.h>

#include "util-mem.h"

#ifndef SC_SLOTS_LOG2
#define SC_SLOTS_LOG2 12            /* 4,096 slots (2 MB) in sets of two */
#endif
#define SC_DOOR_LOG2 16             /* 65,536 doorkeeper bits (8 KB) */

typedef struct sc_slot {           /* 512 bytes, aligned: the header and a value's first
                                       112 bytes share two cache lines */
    uint64_t hash;                  /* 0: empty (a real hash of 0 is stored as 1) */
    uint32_t db;
    uint16_t len;
    int8_t result;
    uint8_t nids;
    char bytes[SG_SCACHE_MAX_VALUE];
    uint32_t ids[SG_SCACHE_MAX_IDS];
} sc_slot;

struct sg_scache {
    char *block;                    /* the allocation: one slot more than the table */
    sc_slot *slots;
    uint8_t *recent;                /* per set of two slots: the one answered or filled last */
    uint64_t *door;
    uint32_t door_marks;            /* bits set since the doorkeeper was last cleared */
    uint64_t hits, lookups;
};

sg_scache *sg_scache_new(void)
{
    sg_scache *c = vg_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->block = vg_calloc(((size_t)1 << SC_SLOTS_LOG2) + 1, sizeof *c->slots);
    if (c->block)   /* slots start on a cache line */
        c->slots = (sc_slot *)(void *)(c->block + (64 - (uintptr_t)c->block % 64) % 64);
    c->door = vg_calloc((size_t)1 << (SC_DOOR_LOG2 - 6), sizeof *c->door);
    c->recent = vg_calloc((size_t)1 << (SC_SLOTS_LOG2 - 1), 1);
    if (!c->block || !c->door || !c->recent) {
        sg_scache_free(c);
        return NULL;
    }
    return c;
}

void sg_scache_free(sg_scache *c)
{
    if (!c)
        return;
    vg_free(c->block);
    vg_free(c->recent);
    vg_free(c->door);
    vg_free(c);
}

/* The two halves of the 128-bit product a * b, folded. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 m = (unsigned __int128)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint64_t load4(const char *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* The last n - i bytes of s[0..n) (1 to 7 of them) as one word, read without leaving s: the
 * 8 bytes ending at the end when s has that many, else two 4-byte loads or three bytes. */
static inline uint64_t tail7(const char *s, size_t i, size_t n)
{
    if (n >= 8)
        return load8(s + n - 8) >> (8 * (8 - (n - i)));
    if (n >= 4)
        return load4(s) | load4(s + n - 4) << 32;
    return (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
           (uint64_t)(unsigned char)s[n - 1] << 16;
}

/* Sixteen bytes a step, one multiply each (values are command lines and paths of a hundred
 * bytes and more); the hash only picks a slot and screens it, the bytes decide. */
uint64_t sg_scache_hash(uint32_t db, const char *s, size_t n)
{
    const uint64_t k0 = 0x243f6a8885a308d3ull, k1 = 0x13198a2e03707344ull, k2 = 0xa4093822299f31d0ull;
    uint64_t h = k0 ^ ((uint64_t)db << 32 | (uint32_t)n);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        h = fold_mul(load8(s + i) ^ h ^ k1, load8(s + i + 8) ^ k2);
    if (n - i >= 8) {       /* 8-15 left: two loads, the second ending at the end */
        h = fold_mul(load8(s + i) ^ h ^ k1, load8(s + n - 8) ^ k2);
    } else if (n > i) {     /* 1-7 left: loads inside the value, no call (n is mixed in) */
        h = fold_mul(tail7(s, i, n) ^ h ^ k1, k2 ^ (n - i));
    }
    h = fold_mul(h ^ k2, k0 ^ n);
    return h ? h : 1;
}

/* The set of hash h: its number; its two slots are slots[2 * set], slots[2 * set + 1]. */
static size_t set_of(uint64_t h)
{
    return (size_t)(h >> (64 - (SC_SLOTS_LOG2 - 1)));
}

void sg_scache_prefetch(const sg_scache *c, uint64_t h, size_t n)
{
    const char *sl = (const char *)&c->slots[2 * set_of(h)];
    for (size_t way = 0; way < 2; way++, sl += sizeof(sc_slot)) {
        __builtin_prefetch(sl);
        if (n > 48)
            __builtin_prefetch(sl + 64);
    }
}

int sg_scache_get(sg_scache *c, uint64_t h, uint32_t db, const char *s, size_t n, sg_scache_answer *out)
{
    c->lookups++;
    size_t set = set_of(h);
    for (size_t way = 0; way < 2; way++) {
        const sc_slot *sl = &c->slots[2 * set + way];
        if (sl->hash != h || sl->db != db || sl->len != n || memcmp(sl->bytes, s, n) != 0)
            continue;
        c->hits++;
        c->recent[set] = (uint8_t)way;
        *out = (sg_scache_answer){ sl->result, sl->nids, sl->ids };
        return 1;
    }
    return 0;
}

/* Was h's value seen before (since the doorkeeper was last cleared)? Marks it seen. */
static int seen_before(sg_scache *c, uint64_t h)
{
    uint32_t bit = (uint32_t)h & ((1u << SC_DOOR_LOG2) - 1);
    uint64_t m = 1ull << (bit % 64);
    if (c->door[bit / 64] & m)
        return 1;
    if (++c->door_marks > (1u << SC_DOOR_LOG2) / 8) {
        memset(c->door, 0, ((size_t)1 << (SC_DOOR_LOG2 - 6)) * sizeof *c->door);
        c->door_marks = 1;
    }
    c->door[bit / 64] |= m;
    return 0;
}

void sg_scache_put(sg_scache *c, uint64_t h, uint32_t db, const char *s, size_t n, const sg_scache_answer *a)
{
    if (n > SG_SCACHE_MAX_VALUE || a->nids > SG_SCACHE_MAX_IDS || !seen_before(c, h))
        return;
    size_t set = set_of(h), way = c->slots[2 * set].hash == 0 ? 0 : c->slots[2 * set + 1].hash == 0 ? 1
                                                                                                     : !c->recent[set];
    sc_slot *sl = &c->slots[2 * set + way];    /* an empty slot, else the one used less recently */
    c->recent[set] = (uint8_t)way;
    sl->hash = h;
    sl->db = db;
    sl->len = (uint16_t)n;
    sl->result = (int8_t)(a->result > 0 ? 1 : a->result < 0 ? -1 : 0);
    sl->nids = (uint8_t)a->nids;
    if (a->nids)
        memcpy(sl->ids, a->ids, a->nids * sizeof *a->ids);
    memcpy(sl->bytes, s, n);
}

void sg_scache_counts(const sg_scache *c, uint64_t *hits, uint64_t *lookups)
{
    *hits = c ? c->hits : 0;
    *lookups = c ? c->lookups : 0;
}

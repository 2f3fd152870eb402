/*
 * intel-format: the layout of an indicator snapshot file (.vgi), shared by its writer
 * (intel-store) and its reader (intel-snapshot). Nobody else includes it.
 *
 * The file is position-independent: every reference is an offset or an index into a section,
 * never a pointer. All integers are little-endian. Layout:
 *
 *   header (128 bytes)  magic "VGINTEL1", version, file size, creation time, hash seed,
 *                       section count, SHA-256 of everything after the header
 *   section table       one snap_section per section: id, element size, offset, count
 *   sections            each at a 64-byte aligned offset, zero padding between them
 *
 * Sections: STRINGS (u16 length, bytes, NUL; offset 0 is ""), FEEDS, PROVS (provenance
 * records), REFLISTS and PROVLISTS (u32 lists [n, item...], offset 0 unused), one hash table
 * per indicator type (IPv4: cache-line buckets of 8 keys; others linear probing from slot
 * snap_slot(hash), fixed-size keys inline, text keys as STRINGS offsets with a 32-bit tag), and per address family the networks, the disjoint segments of the address space
 * (sorted starts, each with a NETLIST of every network covering it, most specific first) and,
 * for IPv4, an index of the segments by the top 16 address bits.
 *
 * A provenance reference ("ref", u32): 0 none; bit 31 set: the single PROVS record
 * (ref & 0x7fffffff); else the PROVLISTS offset of a list of PROVS records.
 */
#ifndef VIGIL_INTEL_FORMAT_H
#define VIGIL_INTEL_FORMAT_H

#include <stdint.h>
#include <string.h>

#include "intel-indicator.h"

#define SNAP_MAGIC "VGINTEL1"
#define SNAP_VERSION 1u
#define SNAP_HEADER_SIZE 128u
#define SNAP_ALIGN 64u
#define SNAP_MAX_SECTIONS 64u
#define SNAP_REF_SINGLE 0x80000000u
#define SNAP_MAX_TYPES 16               /* per-type arrays; VG_IND_NTYPES must fit */
#define SNAP_SEG4_INDEX_SIZE 65537u     /* IPv4 segment index entries: top 16 bits + sentinel */

_Static_assert(VG_IND_NTYPES <= SNAP_MAX_TYPES, "per-type arrays of the snapshot are too small");

typedef struct snap_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t file_size;
    int64_t created;
    uint64_t seed;
    uint32_t nsections;
    uint32_t flags;
    unsigned char sha256[32];   /* of bytes [header_size, file_size) */
    unsigned char reserved[48];
} snap_header;
_Static_assert(sizeof(snap_header) == SNAP_HEADER_SIZE, "snapshot header is 128 bytes");

typedef struct snap_section {
    uint32_t id;
    uint32_t elem_size;
    uint64_t offset;
    uint64_t count;
} snap_section;

enum snap_section_id {
    SEC_STRINGS = 1,
    SEC_FEEDS,
    SEC_PROVS,
    SEC_REFLISTS,
    SEC_PROVLISTS,
    SEC_COUNTS,         /* u64 per type: distinct indicators */
    SEC_NETS4,
    SEC_SEG4_START,
    SEC_SEG4_VALUE,
    SEC_SEG4_INDEX,
    SEC_NETLISTS4,
    SEC_NETS6,
    SEC_SEG6_START,
    SEC_SEG6_VALUE,
    SEC_NETLISTS6,
    SEC_TABLE = 32      /* + indicator type: its hash table */
};

typedef struct snap_feed {
    uint32_t name;              /* STRINGS offset */
    uint32_t path;              /* STRINGS offset: the configured path */
    uint8_t format;             /* vg_feed_format */
    uint8_t role;               /* vg_intel_role */
    uint16_t weight;
    uint32_t expire_days;       /* 0: never */
    int64_t loaded;             /* when it was compiled */
    uint64_t records;
    uint64_t accepted;
    uint64_t rejected;
    uint64_t expired;
    uint32_t files;
    uint32_t reserved;
    uint32_t entries[SNAP_MAX_TYPES];   /* accepted entries per type */
    uint32_t unique[SNAP_MAX_TYPES];    /* distinct indicators per type */
} snap_feed;

typedef struct snap_prov {
    uint16_t feed;              /* FEEDS index */
    uint16_t flags;             /* VG_PROV_* */
    uint32_t family;            /* STRINGS offsets */
    uint32_t aliases;
    uint32_t note;
    uint32_t refs;              /* REFLISTS offset; 0: none */
    uint32_t count;
    int64_t first_seen;
    int64_t last_seen;
    int64_t expires;            /* 0: never */
} snap_prov;
_Static_assert(sizeof(snap_prov) == 48, "snap_prov is 48 bytes");

/* Slot of a text-key table (domain, URL, e-mail, account). tag 0 never occurs in use. */
typedef struct snap_var_slot {
    uint32_t tag;               /* snap_tag of the key's hash; 0: empty slot */
    uint32_t key;               /* STRINGS offset of the canonical key */
    uint32_t ref;               /* every source */
    uint32_t ref_sub;           /* domains: the sources that also match subdomains */
} snap_var_slot;

typedef struct snap_net4 {
    unsigned char addr[4];
    uint8_t prefix;
    uint8_t pad[3];
    uint32_t ref;
} snap_net4;

typedef struct snap_net6 {
    unsigned char addr[16];
    uint8_t prefix;
    uint8_t pad[3];
    uint32_t ref;
} snap_net6;

typedef struct snap_seg6 {
    uint64_t hi;
    uint64_t lo;
} snap_seg6;

/* Key bytes of the fixed-size types (0: a text key). */
static inline uint32_t snap_key_size(int type)
{
    switch (type) {
    case VG_IND_IPV4: return 4;
    case VG_IND_IPV6: return 16;
    case VG_IND_IPPORT4: return 6;
    case VG_IND_IPPORT6: return 18;
    case VG_IND_MD5: return 16;
    case VG_IND_SHA1: return 20;
    case VG_IND_SHA256: return 32;
    case VG_IND_ASN: return 4;
    default: return 0;
    }
}

/* Slot size of a fixed-key table: the u32 ref, then the key padded to 4 bytes. */
static inline uint32_t snap_fixed_slot_size(int type)
{
    return 4 + ((snap_key_size(type) + 3) & ~3u);
}

/* The IPv4 table is made of 64-byte buckets (one cache line): 8 keys, then their 8 refs. A
 * lookup compares the 8 keys at once and moves to the next bucket only when the bucket is
 * full; filled to 1/2 on average, about 1 bucket in 20 is full, so a lookup almost always
 * reads one line (16 bytes per address). */
#define SNAP_BUCKET_SLOTS 8u
#define SNAP_BUCKET_SIZE 64u

typedef struct snap_bucket4 {
    uint32_t key[SNAP_BUCKET_SLOTS];    /* address bytes in network order, as stored by memcpy */
    uint32_t ref[SNAP_BUCKET_SLOTS];    /* 0: empty slot */
} snap_bucket4;
_Static_assert(sizeof(snap_bucket4) == SNAP_BUCKET_SIZE, "an IPv4 bucket is one cache line");

static inline int snap_is_text_type(int type)
{
    return type == VG_IND_DOMAIN || type == VG_IND_URL || type == VG_IND_EMAIL || type == VG_IND_ACCOUNT;
}

static inline uint64_t snap_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t snap_load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The last n (< 8) bytes of a key as one word, read without a byte loop: two overlapping
 * 4-byte loads for 4-7 bytes, three single bytes for 1-3. Every byte counts. */
static inline uint64_t snap_tail(const unsigned char *s, size_t n)
{
    if (n >= 4)
        return snap_load32(s) | snap_load32(s + n - 4) << 32;
    if (n > 0)
        return (uint64_t)s[0] | (uint64_t)s[n / 2] << 8 | (uint64_t)s[n - 1] << 16;
    return 0;
}

/* The key hash of the file format (part of the format: changing it needs a new version).
 * 8-byte little-endian words, each mixed in with a multiply and rotate, the tail as one word
 * (snap_tail), the length in the seed, then the 64-bit finalizer of MurmurHash3. seed comes
 * from the header. */
static inline uint64_t snap_hash(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
    uint64_t w;
    while (n >= 8) {
        memcpy(&w, s, 8);
        h ^= snap_rotl(w * 0x87c37b91114253d5ull, 31) * 0x4cf5ad432745937full;
        h = snap_rotl(h, 27) * 5 + 0x52dce729;
        s += 8;
        n -= 8;
    }
    w = snap_tail(s, n);
    h ^= snap_rotl(w * 0x87c37b91114253d5ull, 31) * 0x4cf5ad432745937full;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Element size of the hash table of type (a slot, or for IPv4 a bucket). */
static inline uint32_t snap_table_elem(int type)
{
    if (type == VG_IND_IPV4)
        return SNAP_BUCKET_SIZE;
    return snap_is_text_type(type) ? (uint32_t)sizeof(snap_var_slot) : snap_fixed_slot_size(type);
}

/* Elements of the hash table for n keys: a load of at most 0.7 (a miss probes about 6 slots,
 * mostly one cache line), or IPv4 buckets filled to 1/2. */
static inline uint64_t snap_table_capacity(int type, uint64_t n)
{
    if (n == 0)
        return 0;
    if (type == VG_IND_IPV4)
        return n / 4 + 1;
    return n * 10 / 7 + 8;
}

/* The home slot of hash h in a table of cap slots (any cap: the high bits of h scaled). */
static inline uint64_t snap_slot(uint64_t h, uint64_t cap)
{
    return (uint64_t)(((unsigned __int128)h * cap) >> 64);
}

/* The 32-bit tag of a text key: the low half of its hash (independent of the slot), never 0. */
static inline uint32_t snap_tag(uint64_t h)
{
    return (uint32_t)h | 1u;
}

#endif

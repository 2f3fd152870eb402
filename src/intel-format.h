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
 * Sections: STRINGS (u16 length, bytes, NUL; offset 0 is ""; the most used first, so their
 * offsets are short varints), FEEDS, PROVS (variable-length provenance records, below),
 * REFLISTS and PROVLISTS (u32 lists [n, item...], offset 0 unused), one hash table per
 * indicator type, a membership filter per table (FILTER), the dictionary of domain suffixes
 * (DSUFFIX), and per address family the networks, the disjoint segments of the address space
 * (sorted starts, each with its networks, most specific first) and, for IPv4, an index of the
 * segments by the top 16-20 address bits (2^bits + 1 entries: the writer chooses bits for the
 * number of segments, snap_seg4_bits; the reader takes them from the index's size).
 *
 * Hash tables: IPv4 uses 64-byte buckets (one cache line) of 8 entries, the text types
 * (domain, URL, e-mail, account) 64-byte buckets of 15 entries (snap_tbucket), both probed
 * bucket by bucket from snap_slot(hash); the other fixed-size types use linear probing with
 * the key inline. A text entry is a 16-bit tag (hash bits and the subdomain mode) and the end
 * of its record: the records of a bucket lie one after another in the type's KEYS section
 * from the bucket's base offset, so a record's length is implied:
 *   u32 ref, [u32 ref_sub when the mode is SNAP_SUB_OWN], key bytes (no length, no NUL);
 * a domain's key bytes are a suffix id (1 byte, 0 for none) then the name without that
 * suffix: the name is those bytes followed by DSUFFIX entry sid (".com", ".duckdns.org", ...).
 * Domain keys are hashed label by label from the right (snap_domain_hash), so every parent of
 * a name is hashed in one pass over it. The last label of a name is tested as a parent against
 * DTOP, the exact set of one-label entries that match subdomains ("tk", not the known-good
 * lists' host-only "com"), not against the filter: a false positive there would cost every name
 * under that top-level domain a probe.
 *
 * A provenance record (PROVS, found by byte offset): a presence byte (SNAP_P_*: which of the
 * optional fields follow), then LEB128 varints: feed, flags, and the present fields in the
 * order of the bits (string and list offsets, count; times zigzag-encoded). An absent field is
 * 0 ("", none, never).
 *
 * A network segment's value: 0 no network; bit 31 set: the single network (value & 0x7fffffff);
 * else the NETLISTS offset of a list [n, network...], most specific first.
 *
 * The filter of a table is a word-blocked Bloom filter: a key sets 3 bits of one 64-bit word
 * (8 bits per key, about 3% false positives). It is small enough to stay in cache where the
 * table does not, and lets a lookup that misses (most of them, in an event stream) stop
 * before touching the table. In the domain filter, an entry that may match as a parent (mode
 * not SNAP_SUB_NONE) sets the usual 3 bits (snap_filter_bits) and a host-only entry another 3
 * (snap_filter_bits_host): a name looked up tests both patterns, a parent of it only the
 * first, so the host-only entries of the known-good lists (every TLD, every second-level
 * suffix) cost the walk of a name nothing, in one filter.
 *
 * A provenance reference ("ref", u32): 0 none; bit 31 set: the single PROVS record at byte
 * offset ref & 0x7fffffff; else the PROVLISTS offset of a list of PROVS record offsets.
 */
#ifndef VIGIL_INTEL_FORMAT_H
#define VIGIL_INTEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "intel-indicator.h"

#define SNAP_MAGIC "VGINTEL1"
#define SNAP_VERSION 8u               /* 2: bucketed text tables, KEYS records, filters; (3: an
                                         anchor filter, reverted); 4: compact provenance, 15-entry
                                         text buckets with implied record lengths, domain suffix
                                         dictionary, single networks inline; 5: a cheaper domain
                                         hash (one folded multiply per label), a parent filter;
                                         6: the parent filter folded into the domain filter as a
                                         second bit pattern; 7: the IPv4 segment index on the top
                                         16-20 bits, as many as its size says; 8: an exact set of
                                         the one-label domain entries that match subdomains */
#define SNAP_HEADER_SIZE 128u
#define SNAP_ALIGN 64u
#define SNAP_MAX_SECTIONS 64u
#define SNAP_REF_SINGLE 0x80000000u
#define SNAP_MAX_TYPES 16               /* per-type arrays; VG_IND_NTYPES must fit */
#define SNAP_SEG4_BITS_MIN 16u          /* IPv4 segment index: top bits of an address it covers */
#define SNAP_SEG4_BITS_MAX 20u          /* (1,048,577 entries: 4 MiB) */
#define SNAP_SEG4_PER_ENTRY 2u          /* segments per index entry the writer aims at */

_Static_assert(VG_IND_NTYPES <= SNAP_MAX_TYPES, "per-type arrays of the snapshot are too small");

/* The top address bits the IPv4 segment index of nseg segments covers, as the writer chooses
 * them: the fewest from SNAP_SEG4_BITS_MIN up that leave at most SNAP_SEG4_PER_ENTRY segments
 * per entry on average, at most SNAP_SEG4_BITS_MAX. (A /16 holding hundreds of segments made
 * the search read several lines one after another: the index is cheaper.) */
static inline unsigned snap_seg4_bits(uint64_t nseg)
{
    unsigned bits = SNAP_SEG4_BITS_MIN;
    while (bits < SNAP_SEG4_BITS_MAX && nseg > ((uint64_t)SNAP_SEG4_PER_ENTRY << bits))
        bits++;
    return bits;
}

/* The bits an IPv4 segment index of count entries covers (count = 2^bits + 1, bits in
 * SNAP_SEG4_BITS_MIN..SNAP_SEG4_BITS_MAX); 0 if count is no such size. */
static inline unsigned snap_seg4_bits_of(uint64_t count)
{
    for (unsigned bits = SNAP_SEG4_BITS_MIN; bits <= SNAP_SEG4_BITS_MAX; bits++)
        if (count == ((uint64_t)1 << bits) + 1)
            return bits;
    return 0;
}

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
    SEC_DSUFFIX = 16,   /* domain suffixes: u32 n, u32 end[n] (relative to the bytes), bytes */
    SEC_KEYS = 16,      /* + text indicator type: its key records (KEYS + 0 is DSUFFIX) */
    SEC_TABLE = 32,     /* + indicator type: its hash table */
    SEC_FILTER = 48,    /* + indicator type: the filter of its hash table (u64 words) */
    SEC_DTOP = SEC_FILTER   /* (FILTER of no type) the one-label domain entries that match
                               subdomains: SNAP_DTOP_WORDS bitmap words, then their hashes sorted */
};

#define SNAP_DTOP_WORDS 64u     /* the bitmap ahead of DTOP's hashes: 4,096 bits */

/* The bit of DTOP's bitmap that a one-label name of hash h sets. */
static inline uint64_t snap_dtop_bit(uint64_t h)
{
    return h >> 20 & (SNAP_DTOP_WORDS * 64 - 1);
}

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

/* A provenance record, decoded (in the file: snap_prov_encode). */
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

#define SNAP_P_FAMILY 0x01u     /* presence bits of an encoded provenance record */
#define SNAP_P_ALIASES 0x02u
#define SNAP_P_NOTE 0x04u
#define SNAP_P_REFS 0x08u
#define SNAP_P_COUNT 0x10u
#define SNAP_P_FIRST 0x20u
#define SNAP_P_LAST 0x40u
#define SNAP_P_EXPIRES 0x80u
#define SNAP_PROV_MAX 64u       /* longest encoded record: 1 + 2 * 3 + 5 * 5 + 3 * 10 bytes */

/* Writes v as a LEB128 varint at out (at most 10 bytes); returns the bytes written. */
static inline size_t snap_put_varint(unsigned char *out, uint64_t v)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        out[n++] = (unsigned char)(v | 0x80);
    out[n++] = (unsigned char)v;
    return n;
}

/* Reads a LEB128 varint of at most 10 bytes at p[*at] (p has end bytes) into *v and moves *at
 * past it; 0 if it runs past end or is longer than 10 bytes. */
static inline int snap_get_varint(const unsigned char *p, uint64_t end, uint64_t *at, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70 && *at < end; shift += 7) {
        unsigned char b = p[(*at)++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

static inline uint64_t snap_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t snap_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Encodes p at out (SNAP_PROV_MAX bytes); returns its length. */
static inline size_t snap_prov_encode(const snap_prov *p, unsigned char *out)
{
    const uint64_t field[8] = { p->family, p->aliases, p->note, p->refs, p->count, snap_zigzag(p->first_seen),
                                snap_zigzag(p->last_seen), snap_zigzag(p->expires) };
    size_t n = 1;
    unsigned present = 0;
    n += snap_put_varint(out + n, p->feed);
    n += snap_put_varint(out + n, p->flags);
    for (unsigned k = 0; k < 8; k++)
        if (field[k]) {
            present |= 1u << k;
            n += snap_put_varint(out + n, field[k]);
        }
    out[0] = (unsigned char)present;
    return n;
}

/* Decodes the record at p[at] (p has end bytes) into out; its end into *next. 0 if it is
 * damaged: it runs past end, or a field is out of its range. */
static inline int snap_prov_decode(const unsigned char *p, uint64_t end, uint64_t at, snap_prov *out, uint64_t *next)
{
    uint64_t v[10] = { 0 };
    if (at >= end)
        return 0;
    unsigned present = p[at++];
    if (!snap_get_varint(p, end, &at, &v[8]) || !snap_get_varint(p, end, &at, &v[9]) || v[8] > UINT16_MAX ||
        v[9] > UINT16_MAX)
        return 0;
    for (unsigned k = 0; k < 8; k++)
        if ((present >> k & 1) && (!snap_get_varint(p, end, &at, &v[k]) || (k < 5 && v[k] > UINT32_MAX)))
            return 0;
    *out = (snap_prov){ (uint16_t)v[8], (uint16_t)v[9], (uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2], (uint32_t)v[3],
                        (uint32_t)v[4], snap_unzigzag(v[5]), snap_unzigzag(v[6]), snap_unzigzag(v[7]) };
    *next = at;
    return 1;
}

/* Subdomain mode of a text entry (the low 2 bits of its tag): may the entry match as a parent
 * of a name, and with which sources. */
#define SNAP_SUB_NONE 0u        /* not as a parent (no source matches subdomains; not a domain) */
#define SNAP_SUB_ALL 1u         /* as a parent, with every source (ref) */
#define SNAP_SUB_OWN 2u         /* as a parent, with the sources in ref_sub */
#define SNAP_SUB_MASK 3u

/* Is a domain entry with subdomain mode mode and name key[0..n) one that DTOP lists: one label,
 * matching subdomains? (The writer lists them, verify checks that each is there.) */
static inline int snap_dtop_member(unsigned mode, const void *key, size_t n)
{
    return mode != SNAP_SUB_NONE && !memchr(key, '.', n);
}

#define SNAP_SID_MAX 255u       /* domain suffix ids are one byte (0: no suffix); few enough to stay in cache */
#define SNAP_NET_SINGLE 0x80000000u     /* a segment value holding one network id */

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
 * full. Buckets are filled to 0.8 on average, so about 1 key in 10 lives in the bucket after
 * its home (the next cache line); 10 bytes per address. Text tables use 64-byte buckets of 15
 * entries (snap_tbucket), filled to 0.85: about 5 bytes per key plus its record. */
#define SNAP_BUCKET_SLOTS 8u
#define SNAP_BUCKET_SIZE 64u

typedef struct snap_bucket4 {
    uint32_t key[SNAP_BUCKET_SLOTS];    /* address bytes in network order, as stored by memcpy */
    uint32_t ref[SNAP_BUCKET_SLOTS];    /* 0: empty slot */
} snap_bucket4;
_Static_assert(sizeof(snap_bucket4) == SNAP_BUCKET_SIZE, "an IPv4 bucket is one cache line");

#define SNAP_TBUCKET_SLOTS 15u

/* A text bucket: entries are used in order (the first empty one ends the bucket); record j
 * is KEYS[base + (j ? end[j - 1] : 0) .. base + end[j]). */
typedef struct snap_tbucket {
    uint32_t base;                      /* KEYS offset of the bucket's first record */
    uint16_t tag[SNAP_TBUCKET_SLOTS];   /* snap_tag | SNAP_SUB_*; 0: empty slot */
    uint16_t end[SNAP_TBUCKET_SLOTS];   /* end of record j, relative to base */
} snap_tbucket;
_Static_assert(sizeof(snap_tbucket) == SNAP_BUCKET_SIZE, "a text bucket is one cache line");
_Static_assert(SNAP_TBUCKET_SLOTS * (VG_IND_MAX_KEY + 10) <= UINT16_MAX, "a text bucket's records fit 16-bit ends");

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

/* The 64-bit finalizer of MurmurHash3. */
static inline uint64_t snap_fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
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
    return snap_fmix(h);
}

/* The hash of an IPv4 key (address bytes in network order, loaded as a u32): two multiplies,
 * every bit of the result depending on every bit of the key. Part of the format. */
#define SNAP_HASH4_M1 0x9E3779B97F4A7C15ull   /* its multipliers (the batch's vector code uses them too) */
#define SNAP_HASH4_M2 0xD6E8FEB86659FD93ull

static inline uint64_t snap_hash4(uint32_t key, uint64_t seed)
{
    uint64_t x = ((uint64_t)key << 32 | key) ^ seed;
    x *= SNAP_HASH4_M1;
    x ^= x >> 32;
    x *= SNAP_HASH4_M2;
    x ^= x >> 29;
    return x;
}

static inline uint64_t snap_load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* ---- the domain hash (part of the format) ---- */

#define SNAP_DK_STEP 0x9E3779B97F4A7C15ull      /* the chain's multiplier */
#define SNAP_DK_LABEL 0x4cf5ad432745937full     /* a long label's multiplier */

/* The value of the label p[0..len) (the definition, any length): up to 8 bytes, the bytes as a
 * little-endian integer (zero-extended); longer, the length and each 8-byte word mixed in with
 * a multiply, then xor the last 8 bytes (overlapping). */
static inline uint64_t snap_label_value(const unsigned char *p, size_t len)
{
    uint64_t w = 0;
    if (len <= 8) {
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)p[i] << (8 * i);
        return w;
    }
    w = len;
    for (size_t i = 0; i + 8 < len; i += 8)
        w = (w ^ snap_load64(p + i)) * SNAP_DK_LABEL;
    return w ^ snap_load64(p + len - 8);
}

/* One link of the domain chain: the state with a label's value mixed in, by one 64x64->128
 * multiply whose halves are folded (every bit of the result depends on every bit of the
 * input). The state after a label is the hash of the suffix that label starts. */
static inline uint64_t snap_domain_step(uint64_t state, uint64_t label)
{
    unsigned __int128 m = (unsigned __int128)(state ^ label) * SNAP_DK_STEP;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/* The key hash of a domain name (part of the format): the labels' values chained from the
 * right, starting from the seed (snap_domain_step), so the hash of every parent of a name is an
 * intermediate state of the name's own hash. Hashes of the suffixes of name[0..n)
 * (n <= VG_DOMAIN_MAX) that start a label, from the right: start[k] and hash[k] for the k-th
 * (k = 0: the last label; the last one: the whole name), at most max of them. Returns how many
 * (0 if n is too long). This is the definition, for any length; snap_domain_hashes computes
 * the same faster for names of at most 64 bytes. */
static inline size_t snap_domain_hashes_any(const char *name, size_t n, uint64_t seed, uint16_t *start, uint64_t *hash,
                                            size_t max)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t count = 0, end = n;
    uint64_t state = seed;
    if (n > VG_DOMAIN_MAX)
        return 0;
    while (count < max) {
        size_t b = end;
        while (b > 0 && p[b - 1] != '.')
            b--;
        state = snap_domain_step(state, snap_label_value(p + b, end - b));
        start[count] = (uint16_t)b;
        hash[count++] = state;
        if (b == 0)
            break;
        end = b - 1;
    }
    return count;
}

#define SNAP_DOMAIN_FAST 64u     /* names up to this length take snap_domain_hashes_short */

/* Bit i set when p[i] is a dot, for i < n <= 64; every load lies inside p[0..n) when n >= 8
 * (a shorter name: p must have 16 readable bytes). */
static inline uint64_t snap_dots64(const unsigned char *p, size_t n)
{
#ifdef __SSE2__
    const __m128i d = _mm_set1_epi8('.');
    if (n < 16 && n >= 8) {     /* two 8-byte loads, the second overlapping */
        uint64_t lo = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadl_epi64((const __m128i *)(const void *)p), d));
        uint64_t hi = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadl_epi64((const __m128i *)(const void *)(p + n - 8)), d));
        return (lo | hi << (n - 8)) & 0xffffu;
    }
    if (n < 8)
        return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), d)) &
               ((1u << n) - 1);
    uint64_t m = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), d))
             << i;
    if (i < n) {
        uint64_t last = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + n - 16)), d));
        m |= last >> (i - (n - 16)) << i;
    }
    return m;
#else
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)(p[i] == '.') << i;
    return m;
#endif
}

/* snap_domain_hashes_any for 0 < n <= SNAP_DOMAIN_FAST, reading the name in place: the dots as
 * one mask, each label of up to 16 bytes from two 8-byte loads inside the name (the 8 bytes
 * ending at the label, with zeros before the name's start, and the 8 starting at it), no branch
 * on its length. A name under 8 bytes is first copied into a zeroed 16-byte buffer. Equal to
 * snap_domain_hashes_any on every input (tests/unit/test-intel-snapshot.c). */
static inline size_t snap_domain_hashes_short(const char *name, size_t n, uint64_t seed, uint16_t *start,
                                              uint64_t *hash, size_t max)
{
    unsigned char tiny[16] = { 0 };
    const unsigned char *p = (const unsigned char *)name;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            tiny[i] = p[i];
        p = tiny;
    }
    size_t room = n < 8 ? 8 : n;                /* p[0..room) may be read */
    uint64_t dots = snap_dots64(p, n), state = seed;
    size_t count = 0, end = n;
    while (count < max) {
        size_t b = 0;
        if (dots) {     /* after the last dot; that dot cleared */
            unsigned d = 63u - (unsigned)__builtin_clzll(dots);
            b = d + 1;
            dots ^= 1ull << d;
        }
        size_t len = end - b;
        uint64_t value;
        if (len <= 16) {
            /* the 8 bytes ending at the label's end, with zeros for those before the name (a
             * label ending in the first 8 bytes: the name's first 8 shifted up; an empty name
             * prefix (end 0) gives the first 8 unshifted, which only an empty label uses, as 0) */
            size_t at = end >= 8 ? end - 8 : 0;
            uint64_t last = snap_load64(p + at) << ((8 * (at + 8 - end)) & 63);
            uint64_t small = (last >> ((64 - 8 * len) & 63)) & -(uint64_t)(len != 0);
            uint64_t large = (len ^ snap_load64(p + (b + 8 <= room ? b : room - 8))) * SNAP_DK_LABEL ^ last;
            value = len <= 8 ? small : large;
        } else {
            value = snap_label_value(p + b, len);
        }
        state = snap_domain_step(state, value);
        start[count] = (uint16_t)b;
        hash[count++] = state;
        if (b == 0)
            break;
        end = b - 1;
    }
    return count;
}

/* The hashes of the suffixes of a domain name, as snap_domain_hashes_any defines them. */
static inline size_t snap_domain_hashes(const char *name, size_t n, uint64_t seed, uint16_t *start, uint64_t *hash,
                                        size_t max)
{
    if (n > 0 && n <= SNAP_DOMAIN_FAST)
        return snap_domain_hashes_short(name, n, seed, start, hash, max);
    return snap_domain_hashes_any(name, n, seed, start, hash, max);
}

/* The hash of a key of any type (text keys included) as the tables use it. */
static inline uint64_t snap_key_hash(int type, const void *key, size_t n, uint64_t seed)
{
    if (type == VG_IND_IPV4 && n == 4) {
        uint32_t k;
        memcpy(&k, key, 4);
        return snap_hash4(k, seed);
    }
    if (type == VG_IND_DOMAIN && n <= VG_DOMAIN_MAX) {
        uint16_t start[VG_DOMAIN_MAX / 2 + 2];
        uint64_t hash[VG_DOMAIN_MAX / 2 + 2];
        size_t count = snap_domain_hashes(key, n, seed, start, hash, sizeof start / sizeof start[0]);
        return count ? hash[count - 1] : 0;
    }
    return snap_hash(key, n, seed);
}

/* Bucketed tables: IPv4 and the text types. */
static inline int snap_is_bucketed(int type)
{
    return type == VG_IND_IPV4 || snap_is_text_type(type);
}

/* Element size of the hash table of type (a slot, or a bucket). */
static inline uint32_t snap_table_elem(int type)
{
    return snap_is_bucketed(type) ? SNAP_BUCKET_SIZE : snap_fixed_slot_size(type);
}

/* Elements of the hash table for n keys: IPv4 buckets filled to 0.8, text buckets to 0.85, or
 * slots at a load of at most 0.7 (a miss probes about 6 slots, mostly one cache line). */
static inline uint64_t snap_table_capacity(int type, uint64_t n)
{
    if (n == 0)
        return 0;
    if (snap_is_text_type(type))
        return n * 10 / 128 + 1;
    if (type == VG_IND_IPV4)
        return n * 10 / 64 + 1;
    return n * 10 / 7 + 8;
}

/* The home slot of hash h in a table of cap slots (any cap: the high bits of h scaled). */
static inline uint64_t snap_slot(uint64_t h, uint64_t cap)
{
    return (uint64_t)(((unsigned __int128)h * cap) >> 64);
}

/* The tag of a text key: 14 low bits of its hash (independent of the slot), never 0; its 2
 * low bits are zero and hold the entry's SNAP_SUB_* mode in the table. */
static inline uint16_t snap_tag(uint64_t h)
{
    uint16_t t = (uint16_t)(h & ~(uint64_t)SNAP_SUB_MASK);
    return t ? t : 4u;
}

/* ---- filters ---- */

/* Words of the filter for n keys: 8 bits per key. */
static inline uint64_t snap_filter_words(uint64_t n)
{
    return n / 8 + 1;
}

/* The word of hash h in a filter of nw words: chosen by the low half of h. */
static inline uint64_t snap_filter_word(uint64_t h, uint64_t nw)
{
    return snap_slot(h << 32 | h >> 32, nw);
}

/* The 3 bits of hash h in its word: chosen by the high half of h. */
static inline uint64_t snap_filter_bits(uint64_t h)
{
    return 1ull << (h >> 32 & 63) | 1ull << (h >> 40 & 63) | 1ull << (h >> 48 & 63);
}

/* The 3 bits of a host-only domain entry of hash h in its word (the domain filter only): from
 * bits 0-11 and 56-61 of h, which the other pattern does not use; the word is chosen by bits
 * 31 down to 32 - log2(words), which reach bits 6-11 only in a filter of over 2^20 words
 * (8 M names), where the two then correlate a little (more false positives, never fewer). */
static inline uint64_t snap_filter_bits_host(uint64_t h)
{
    return 1ull << (h & 63) | 1ull << (h >> 6 & 63) | 1ull << (h >> 56 & 63);
}

/* The bits an entry of hash h sets in its filter word, by table type and subdomain mode: the
 * host-only pattern for a host-only domain entry, the usual one for every other entry. The
 * writer sets them and the verifier checks them. */
static inline uint64_t snap_entry_filter_bits(int type, unsigned mode, uint64_t h)
{
    return type == VG_IND_DOMAIN && mode == SNAP_SUB_NONE ? snap_filter_bits_host(h) : snap_filter_bits(h);
}

/* May a domain filter word w hold an entry of hash h: one that may match as a parent
 * (parent != 0), or any (the name itself)? */
static inline int snap_domain_word_maybe(uint64_t w, uint64_t h, int parent)
{
    uint64_t b = snap_filter_bits(h), a = snap_filter_bits_host(h);
    return (w & b) == b || (!parent && (w & a) == a);
}

#endif

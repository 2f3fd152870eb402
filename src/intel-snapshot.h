/*
 * intel-snapshot: the read side of the indicator store. A snapshot file (written by
 * intel-store, layout in intel-format.h) is mapped read-only into memory and used in place:
 * one mapping can be shared by every worker thread and, through the page cache, by every
 * process. Opening checks the header and every section's bounds (O(number of sections), so a
 * large store opens in microseconds); VG_SNAP_VERIFY also checks the SHA-256 of the body and
 * every offset in every table (O(size)). Lookups bounds-check every offset they follow as
 * well, so even an unverified damaged file never makes them read outside the mapping.
 *
 * Lookups allocate nothing and never block: hits are written into the caller's array.
 * A snapshot is immutable; reloading means opening the new file and swapping the pointer
 * (readers of the old one finish on it, then it is closed).
 *
 * Structures and costs (n indicators of a type, s network segments):
 *   every hash table                         a filter (8 bits per key, one word per lookup)
 *                                            tested first: most misses stop there
 *   IPv4                                     64-byte buckets of 8 entries: O(1), usually one
 *                                            cache line
 *   domains, URLs, e-mail, accounts          64-byte buckets of 15 entries: O(1), usually one
 *                                            cache line, one more for the record
 *   IPv6, IP:port, hashes, AS numbers        open addressing, keys inline: O(1), usually one
 *                                            cache line
 *   domain parent walk                       every suffix hashed in one pass from the right,
 *                                            one filter word each, probes for those passing
 *   networks v4                              disjoint segments, index on the top 16 bits, then
 *                                            binary search: O(log(s / 65536))
 *   networks v6                              disjoint segments, binary search: O(log s)
 *   batches                                  vg_snap_*_batch and vg_snap_prefetch* overlap the
 *                                            memory accesses of many lookups (domains: each name
 *                                            hashed once in vg_snap_match_domain_batch)
 */
#ifndef VIGIL_INTEL_SNAPSHOT_H
#define VIGIL_INTEL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "intel-feed.h"
#include "intel-indicator.h"
#include "intel-store.h"
#include "util-error.h"

#define VG_SNAP_VERIFY 0x01u    /* open: check the checksum and every offset (O(size)) */
#define VG_SNAP_PRELOAD 0x02u   /* open: ask the kernel to read the whole file in now */

#define VG_INTEL_MAX_HITS 160   /* hits of one value never exceed this (129 nested v6 networks
                                   + the address; 127 labels of a domain) */

typedef struct vg_snap vg_snap;

/* One matched indicator. key points into the snapshot (valid while it is open), except for a
 * domain: the snapshot stores names split (a suffix dictionary), so a domain hit's key points
 * into the name looked up, at the suffix that matched (valid while that name is). */
typedef struct vg_intel_hit {
    uint8_t type;           /* vg_ind_type of the stored indicator */
    uint8_t prefix;         /* networks: prefix length */
    uint8_t parent;         /* a domain that matched as a parent of the value */
    uint32_t ref;           /* its sources (vg_snap_source) */
    const unsigned char *key;
    uint32_t key_len;
} vg_intel_hit;

/* What one source says about a hit. Strings point into the snapshot. */
typedef struct vg_intel_source {
    const char *feed;
    vg_feed_format format;
    vg_intel_role role;
    unsigned weight;
    const char *family;
    const char *aliases;
    const char *note;
    unsigned nrefs;         /* reference URLs: vg_snap_source_reference */
    uint32_t count;         /* list count or confidence (0: none given) */
    int64_t first_seen, last_seen, expires;     /* 0: unknown / never */
    unsigned flags;         /* VG_PROV_* */
    uint32_t refs_at;       /* internal: where the references are */
} vg_intel_source;

typedef struct vg_intel_feed_info {
    const char *name;
    const char *path;
    vg_feed_format format;
    vg_intel_role role;
    unsigned weight;
    unsigned expire_days;
    int64_t loaded;
    uint64_t records, accepted, rejected, expired;
    unsigned files;
    uint32_t entries[VG_IND_NTYPES];    /* accepted entries per type */
    uint32_t unique[VG_IND_NTYPES];     /* distinct indicators per type */
} vg_intel_feed_info;

/* Maps the snapshot at path read-only and checks it (flags: VG_SNAP_*). A damaged or foreign
 * file is VG_ERR_PARSE with the reason; VG_ERR_IO if it cannot be read. */
vg_rc vg_snap_open(vg_snap **out, const char *path, unsigned flags, vg_error *err);

/* Uses the snapshot of len bytes at data (8-byte aligned, kept by the caller until closed) as
 * vg_snap_open uses a file: the same checks, flags and errors. */
vg_rc vg_snap_open_mem(const void *data, size_t len, unsigned flags, vg_snap **out, vg_error *err);

/* Unmaps the snapshot. */
void vg_snap_close(vg_snap *s);

/* Checks the body's SHA-256 and every offset of every table (what VG_SNAP_VERIFY does). */
vg_rc vg_snap_verify(const vg_snap *s, vg_error *err);

/* Exact IPv4 lookup (addr in host order, 0x01020304 = 1.2.3.4): its sources' ref, 0 if absent.
 * The fastest path: one hash and usually one cache line. */
uint32_t vg_snap_find_ipv4(const vg_snap *s, uint32_t addr);

/* vg_snap_find_ipv4 of addrs[0..n) into refs[0..n), with the memory accesses of many lookups
 * overlapping (prefetched some lookups ahead); returns how many were found. */
size_t vg_snap_find_ipv4_batch(const vg_snap *s, const uint32_t *addrs, size_t n, uint32_t *refs);

/* Whether vg_snap_find_ipv4_batch runs its vector code (AVX-512, when the CPU has it); enable
 * 0 turns it off process-wide, 1 back on, -1 only asks. Results are the same either way: the
 * switch is for tests and benchmarks. */
int vg_snap_simd(int enable);

/* An IPv4 address: the exact entry and every network covering it (most specific first). */
size_t vg_snap_match_ipv4(const vg_snap *s, uint32_t addr, vg_intel_hit *hits, size_t max);

/* An IPv6 address: the exact entry and every network covering it. */
size_t vg_snap_match_ipv6(const vg_snap *s, const unsigned char addr[16], vg_intel_hit *hits, size_t max);

/* A canonical domain name: itself, then each parent ("a.b.example.com" -> "b.example.com",
 * "example.com", "com") with only the sources that match subdomains. */
size_t vg_snap_match_domain(const vg_snap *s, const char *name, size_t n, vg_intel_hit *hits, size_t max);

/* vg_snap_match_domain of names[i] (lens[i] bytes) for i < n, each name hashed once and the
 * memory accesses of many names overlapping; hits and counts[i] as vg_snap_match_batch. */
size_t vg_snap_match_domain_batch(const vg_snap *s, const char *const *names, const size_t *lens, size_t n,
                                  vg_intel_hit *hits, size_t max, uint32_t *counts);

/* Any parsed indicator: addresses as above; a network: every stored network containing it;
 * a domain with its parents; a URL as itself, without its scheme and by its path (each with
 * and without the query); other types exactly. Returns the hits stored (at most max; max >=
 * VG_INTEL_MAX_HITS never cuts). */
size_t vg_snap_match(const vg_snap *s, const vg_ind *ind, vg_intel_hit *hits, size_t max);

/* vg_snap_match of inds[0..n), prefetching some values ahead: the hits of value i (counts[i]
 * of them) follow those of value i - 1 in hits; a value gets what fits of the max left, at
 * most VG_INTEL_MAX_HITS (as vg_snap_match with that max).
 * Returns the hits stored. */
size_t vg_snap_match_batch(const vg_snap *s, const vg_ind *const *inds, size_t n, vg_intel_hit *hits, size_t max,
                           uint32_t *counts);

/* Starts loading what a lookup of addr will read (after the filter; the first lines of its
 * network search, reading the segment index); no effect on results. */
void vg_snap_prefetch_ipv4(const vg_snap *s, uint32_t addr);

/* Starts loading the first lines that vg_snap_match of the address addr (and of addr:port, when
 * port is 0-65535) will read (filter words, the segment index), waiting for none of them: a
 * hint given long before the lookup, so that vg_snap_prefetch_ipv4 finds them. No effect on
 * results. */
void vg_snap_hint_ipv4(const vg_snap *s, uint32_t addr, long port);

/* Starts loading what vg_snap_match_domain of name[0..n) will read; no effect on results. */
void vg_snap_prefetch_domain(const vg_snap *s, const char *name, size_t n);

/* Starts loading what vg_snap_match of ind will read (not for networks); no effect on results. */
void vg_snap_prefetch(const vg_snap *s, const vg_ind *ind);

/* Number of sources of ref (0 if ref is invalid). */
size_t vg_snap_source_count(const vg_snap *s, uint32_t ref);

/* Source i of ref into out; -1 if out of range or damaged. */
int vg_snap_source(const vg_snap *s, uint32_t ref, size_t i, vg_intel_source *out);

/* Reference j of a source ("?" if damaged). */
const char *vg_snap_source_reference(const vg_snap *s, const vg_intel_source *src, unsigned j);

/* Text of a hit's indicator into out (cap bytes); returns the length, 0 if it does not fit. */
size_t vg_snap_hit_format(const vg_intel_hit *hit, char *out, size_t cap);

/* Distinct indicators of a type (VG_IND_NONE: all types). */
uint64_t vg_snap_count(const vg_snap *s, int type);

/* Number of feeds, and feed i. */
size_t vg_snap_feed_count(const vg_snap *s);
int vg_snap_feed(const vg_snap *s, size_t i, vg_intel_feed_info *out);

/* File size, creation time. */
uint64_t vg_snap_file_size(const vg_snap *s);
int64_t vg_snap_created(const vg_snap *s);

/* The identity of the snapshot's contents (from its SHA-256 and hash seed): a cache of lookup
 * results keyed on it with the pointer stays right when a reload reuses the address. */
uint64_t vg_snap_identity(const vg_snap *s);

/* Section i (of vg_snap_section_count): a name ("strings", "table domain", ...) and bytes. */
size_t vg_snap_section_count(const vg_snap *s);
int vg_snap_section(const vg_snap *s, size_t i, char *name, size_t cap, uint64_t *bytes, uint64_t *count);

#endif

/*
 * intel-snapshot: opening, checking and querying a mapped snapshot (see intel-snapshot.h).
 *
 * Trust rule: nothing read from the file is used as an offset or an index before it is
 * compared with the size of what it points into. The open-time checks cover the header and
 * the section table; each accessor below checks the offsets it follows.
 */
#include "intel-snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "intel-format.h"
#include "util-mem.h"

typedef struct snap_table {
    const unsigned char *slots;
    uint64_t cap;           /* slots */
    uint32_t elem;
} snap_table;

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
    const snap_prov *provs;
    uint64_t nprovs;
    const uint32_t *reflists, *provlists;
    uint64_t nreflists, nprovlists;
    const uint64_t *counts;
    const snap_net4 *nets4;
    uint64_t nnets4;
    const uint32_t *seg4_start, *seg4_value, *seg4_index, *netlists4;
    uint64_t nseg4, nnetlists4;
    const snap_net6 *nets6;
    uint64_t nnets6;
    const snap_seg6 *seg6_start;
    const uint32_t *seg6_value, *netlists6;
    uint64_t nseg6, nnetlists6;
    snap_table table[SNAP_MAX_TYPES];
};

/* ---- opening --------------------------------------------------------------------------------- */

static vg_rc bad(vg_error *err, const char *path, const char *why)
{
    return vg_fail(err, VG_ERR_PARSE, 0, "%s: not a valid snapshot: %s", path, why);
}

/* Expected element size of a section id (0: any, checked elsewhere). */
static uint32_t expected_elem(uint32_t id)
{
    switch (id) {
    case SEC_STRINGS: return 1;
    case SEC_FEEDS: return sizeof(snap_feed);
    case SEC_PROVS: return sizeof(snap_prov);
    case SEC_COUNTS: return 8;
    case SEC_NETS4: return sizeof(snap_net4);
    case SEC_NETS6: return sizeof(snap_net6);
    case SEC_SEG6_START: return sizeof(snap_seg6);
    case SEC_REFLISTS: case SEC_PROVLISTS: case SEC_SEG4_START: case SEC_SEG4_VALUE:
    case SEC_SEG4_INDEX: case SEC_NETLISTS4: case SEC_SEG6_VALUE: case SEC_NETLISTS6:
        return 4;
    default:
        break;
    }
    if (id > SEC_TABLE && id < SEC_TABLE + VG_IND_NTYPES) {
        int t = (int)(id - SEC_TABLE);
        if (t == VG_IND_CIDR4 || t == VG_IND_CIDR6)
            return 0;
        return snap_table_elem(t);
    }
    return 0;
}

/* Binds section sec to the snapshot's pointers. */
static void bind_section(vg_snap *s, const snap_section *sec)
{
    const void *p = s->base + sec->offset;
    uint64_t n = sec->count;
    switch (sec->id) {
    case SEC_STRINGS: s->strings = p; s->strings_len = n; break;
    case SEC_FEEDS: s->feeds = p; s->nfeeds = n; break;
    case SEC_PROVS: s->provs = p; s->nprovs = n; break;
    case SEC_REFLISTS: s->reflists = p; s->nreflists = n; break;
    case SEC_PROVLISTS: s->provlists = p; s->nprovlists = n; break;
    case SEC_COUNTS: s->counts = p; break;
    case SEC_NETS4: s->nets4 = p; s->nnets4 = n; break;
    case SEC_SEG4_START: s->seg4_start = p; s->nseg4 = n; break;
    case SEC_SEG4_VALUE: s->seg4_value = p; break;
    case SEC_SEG4_INDEX: s->seg4_index = p; break;
    case SEC_NETLISTS4: s->netlists4 = p; s->nnetlists4 = n; break;
    case SEC_NETS6: s->nets6 = p; s->nnets6 = n; break;
    case SEC_SEG6_START: s->seg6_start = p; s->nseg6 = n; break;
    case SEC_SEG6_VALUE: s->seg6_value = p; break;
    case SEC_NETLISTS6: s->netlists6 = p; s->nnetlists6 = n; break;
    default: {
        int t = (int)(sec->id - SEC_TABLE);
        s->table[t] = (snap_table){ p, n, sec->elem_size };
    }
    }
}

static vg_rc check_header(const vg_snap *s, const char *path, vg_error *err)
{
    const snap_header *h = s->hdr;
    if (s->size < SNAP_HEADER_SIZE || memcmp(h->magic, SNAP_MAGIC, 8) != 0)
        return bad(err, path, "no VGINTEL1 magic");
    if (h->version != SNAP_VERSION)
        return vg_fail(err, VG_ERR_UNSUPPORTED, 0, "%s: snapshot version %u, this vigil reads %u", path,
                       h->version, SNAP_VERSION);
    if (h->header_size != SNAP_HEADER_SIZE || h->file_size != s->size)
        return bad(err, path, "file size differs from the header's (truncated or extended)");
    if (h->nsections > SNAP_MAX_SECTIONS ||
        SNAP_HEADER_SIZE + (uint64_t)h->nsections * sizeof(snap_section) > s->size)
        return bad(err, path, "section table out of bounds");
    return VG_OK;
}

static vg_rc check_sections(vg_snap *s, const char *path, vg_error *err)
{
    uint64_t seen = 0;
    uint64_t table_end = SNAP_HEADER_SIZE + (uint64_t)s->nsecs * sizeof(snap_section);
    for (uint32_t i = 0; i < s->nsecs; i++) {
        const snap_section *sec = &s->secs[i];
        uint32_t want = expected_elem(sec->id);
        if (!want || sec->elem_size != want)
            return bad(err, path, "unknown section or wrong element size");
        if (seen & (1ull << (sec->id & 63)))
            return bad(err, path, "section appears twice");
        seen |= 1ull << (sec->id & 63);
        if (sec->offset % SNAP_ALIGN || sec->offset < table_end || sec->offset > s->size || sec->count == 0 ||
            sec->count > (s->size - sec->offset) / sec->elem_size)
            return bad(err, path, "section out of bounds");
        bind_section(s, sec);
    }
    return VG_OK;
}

/* Sizes that must agree between sections. */
static vg_rc check_shapes(const vg_snap *s, const char *path, vg_error *err)
{
    const snap_section *sec = NULL;
    for (uint32_t i = 0; i < s->nsecs; i++)
        if (s->secs[i].id == SEC_COUNTS)
            sec = &s->secs[i];
    if (!sec || sec->count != SNAP_MAX_TYPES || !s->strings || s->strings_len < 3 || s->strings[2] != 0)
        return bad(err, path, "counts or strings section missing");
    int has4 = s->nets4 && s->seg4_start && s->seg4_value && s->seg4_index;
    if ((s->nets4 || s->seg4_start || s->seg4_value || s->seg4_index) && !has4)
        return bad(err, path, "IPv4 network sections incomplete");
    for (uint32_t i = 0; has4 && i < s->nsecs; i++) {
        if ((s->secs[i].id == SEC_SEG4_VALUE && s->secs[i].count != s->nseg4) ||
            (s->secs[i].id == SEC_SEG4_INDEX && s->secs[i].count != SNAP_SEG4_INDEX_SIZE))
            return bad(err, path, "IPv4 segment sections disagree");
    }
    int has6 = s->nets6 && s->seg6_start && s->seg6_value;
    if ((s->nets6 || s->seg6_start || s->seg6_value) && !has6)
        return bad(err, path, "IPv6 network sections incomplete");
    for (uint32_t i = 0; has6 && i < s->nsecs; i++)
        if (s->secs[i].id == SEC_SEG6_VALUE && s->secs[i].count != s->nseg6)
            return bad(err, path, "IPv6 segment sections disagree");
    if ((has4 && s->seg4_start[0] != 0) || (has6 && (s->seg6_start[0].hi || s->seg6_start[0].lo)))
        return bad(err, path, "network segments do not start at address 0");
    return VG_OK;
}

vg_rc vg_snap_open(vg_snap **out, const char *path, unsigned flags, vg_error *err)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    return vg_fail(err, VG_ERR_UNSUPPORTED, 0, "snapshots are little-endian; this machine is not");
#endif
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)SNAP_HEADER_SIZE) {
        close(fd);
        return bad(err, path, "not a regular file of at least 128 bytes");
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED | (flags & VG_SNAP_PRELOAD ? MAP_POPULATE : 0),
                     fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot map: %s", path, strerror(errno));
    vg_snap *s = vg_calloc(1, sizeof *s);
    if (!s) {
        munmap(map, (size_t)st.st_size);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    s->map = map;
    s->base = map;
    s->size = (size_t)st.st_size;
    s->hdr = map;
    vg_rc rc = check_header(s, path, err);
    if (!rc) {
        s->secs = (const snap_section *)(s->base + SNAP_HEADER_SIZE);
        s->nsecs = s->hdr->nsections;
        s->seed = s->hdr->seed;
        rc = check_sections(s, path, err);
    }
    if (!rc)
        rc = check_shapes(s, path, err);
    if (!rc && (flags & VG_SNAP_VERIFY)) {
        rc = vg_snap_verify(s, err);
        if (rc) {
            char msg[VG_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            vg_fail(err, rc, 0, "%s: %s", path, msg);
        }
    }
    if (rc) {
        vg_snap_close(s);
        return rc;
    }
    *out = s;
    return VG_OK;
}

void vg_snap_close(vg_snap *s)
{
    if (!s)
        return;
    munmap(s->map, s->size);
    vg_free(s);
}

/* ---- guarded accessors ------------------------------------------------------------------------ */

/* The string at STRINGS offset off and its length, or NULL if off or its length is out of
 * bounds or it is not NUL-terminated. */
static const char *string_at(const vg_snap *s, uint32_t off, size_t *n)
{
    if ((uint64_t)off + 3 > s->strings_len)
        return NULL;
    size_t len = (size_t)s->strings[off] | (size_t)s->strings[off + 1] << 8;
    if ((uint64_t)off + 3 + len > s->strings_len || s->strings[off + 2 + len] != 0)
        return NULL;
    *n = len;
    return (const char *)s->strings + off + 2;
}

static const char *text_at(const vg_snap *s, uint32_t off)
{
    size_t n;
    const char *p = string_at(s, off, &n);
    return p ? p : "?";
}

/* A u32 list [n, items...] at offset off of an array of len entries: its items, or NULL. */
static const uint32_t *list_at(const uint32_t *arr, uint64_t len, uint32_t off, uint32_t *n)
{
    if (!arr || off == 0 || off >= len || arr[off] == 0 || arr[off] > len - off - 1)
        return NULL;
    *n = arr[off];
    return arr + off + 1;
}

/* ---- lookups ---------------------------------------------------------------------------------- */

static size_t add_hit(vg_intel_hit *hits, size_t n, size_t max, vg_intel_hit h)
{
    if (n < max)
        hits[n++] = h;
    return n;
}

/* Slot of a fixed-size key in the table of type, or NULL. */
static const unsigned char *fixed_find(const vg_snap *s, int type, const unsigned char *key)
{
    const snap_table *t = &s->table[type];
    if (!t->slots)
        return NULL;
    uint32_t ks = snap_key_size(type);
    uint64_t i = snap_slot(snap_hash(key, ks, s->seed), t->cap);
    for (uint64_t probe = 0; probe < t->cap; probe++, i = i + 1 == t->cap ? 0 : i + 1) {
        const unsigned char *slot = t->slots + i * t->elem;
        uint32_t ref;
        memcpy(&ref, slot, 4);
        if (!ref)
            return NULL;
        if (memcmp(slot + 4, key, ks) == 0)
            return slot;
    }
    return NULL;
}

/* Slot j of IPv4 bucket b holding key (network order), as a mask of matching slots, and of
 * empty slots in *empty. SSE2 compares the 8 keys (and the 8 refs with 0) at once. */
static unsigned bucket4_match(const snap_bucket4 *b, uint32_t key, unsigned *empty)
{
#ifdef __SSE2__
    __m128i k = _mm_set1_epi32((int)key), z = _mm_setzero_si128();
    __m128i r0 = _mm_loadu_si128((const __m128i *)(const void *)b->ref);
    __m128i r1 = _mm_loadu_si128((const __m128i *)(const void *)(b->ref + 4));
    __m128i k0 = _mm_loadu_si128((const __m128i *)(const void *)b->key);
    __m128i k1 = _mm_loadu_si128((const __m128i *)(const void *)(b->key + 4));
    *empty = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(r0, z))) |
             (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(r1, z))) << 4;
    unsigned m = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(k0, k))) |
                 (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(k1, k))) << 4;
    return m & ~*empty;
#else
    unsigned m = 0;
    *empty = 0;
    for (unsigned j = 0; j < SNAP_BUCKET_SLOTS; j++) {
        *empty |= (unsigned)(b->ref[j] == 0) << j;
        m |= (unsigned)(b->key[j] == key && b->ref[j]) << j;
    }
    return m;
#endif
}

/* The ref of an IPv4 address (network-order key) and where its key is stored; 0 if absent. */
static uint32_t ipv4_find(const vg_snap *s, uint32_t key, const unsigned char **stored)
{
    const snap_table *t = &s->table[VG_IND_IPV4];
    if (!t->slots)
        return 0;
    const snap_bucket4 *buckets = (const snap_bucket4 *)(const void *)t->slots;
    uint64_t b = snap_slot(snap_hash(&key, 4, s->seed), t->cap);
    for (uint64_t probe = 0; probe < t->cap; probe++, b = b + 1 == t->cap ? 0 : b + 1) {
        unsigned empty, m = bucket4_match(&buckets[b], key, &empty);
        if (m) {
            unsigned j = (unsigned)__builtin_ctz(m);
            *stored = (const unsigned char *)&buckets[b].key[j];
            return buckets[b].ref[j];
        }
        if (empty)
            return 0;
    }
    return 0;
}

uint32_t vg_snap_find_ipv4(const vg_snap *s, uint32_t addr)
{
    const unsigned char *stored;
    return ipv4_find(s, __builtin_bswap32(addr), &stored);
}

/* Slot of a text key in the table of type, or NULL. */
/* Slot of a text key whose hash is h in the table of type, or NULL. */
static const snap_var_slot *text_find_hashed(const vg_snap *s, int type, const char *key, size_t n, uint64_t h)
{
    const snap_table *t = &s->table[type];
    if (!t->slots)
        return NULL;
    uint32_t tag = snap_tag(h);
    const snap_var_slot *slots = (const snap_var_slot *)t->slots;
    uint64_t i = snap_slot(h, t->cap);
    for (uint64_t probe = 0; probe < t->cap; probe++, i = i + 1 == t->cap ? 0 : i + 1) {
        if (!slots[i].tag)
            return NULL;
        size_t len;
        const char *k;
        if (slots[i].tag == tag && (k = string_at(s, slots[i].key, &len)) && len == n && memcmp(k, key, n) == 0)
            return &slots[i];
    }
    return NULL;
}

static const snap_var_slot *text_find(const vg_snap *s, int type, const char *key, size_t n)
{
    return text_find_hashed(s, type, key, n, snap_hash(key, n, s->seed));
}

/* Hits of the networks in the NETLIST at off (innermost first) with prefix <= max_prefix. */
static size_t net_hits(const vg_snap *s, int v6, uint32_t off, unsigned max_prefix, vg_intel_hit *hits, size_t n,
                       size_t max)
{
    uint32_t count;
    const uint32_t *ids = v6 ? list_at(s->netlists6, s->nnetlists6, off, &count)
                             : list_at(s->netlists4, s->nnetlists4, off, &count);
    for (uint32_t k = 0; ids && k < count; k++) {
        if (v6 && ids[k] < s->nnets6 && s->nets6[ids[k]].prefix <= max_prefix) {
            const snap_net6 *net = &s->nets6[ids[k]];
            n = add_hit(hits, n, max, (vg_intel_hit){ VG_IND_CIDR6, net->prefix, 0, net->ref, net->addr, 16 });
        } else if (!v6 && ids[k] < s->nnets4 && s->nets4[ids[k]].prefix <= max_prefix) {
            const snap_net4 *net = &s->nets4[ids[k]];
            n = add_hit(hits, n, max, (vg_intel_hit){ VG_IND_CIDR4, net->prefix, 0, net->ref, net->addr, 4 });
        }
    }
    return n;
}

/* NETLISTS4 offset of the segment holding addr (0: none). */
static uint32_t segment4(const vg_snap *s, uint32_t addr)
{
    if (!s->seg4_index)
        return 0;
    uint64_t lo = s->seg4_index[addr >> 16], hi = s->seg4_index[(addr >> 16) + 1];
    if (lo > hi || hi >= s->nseg4)
        return 0;
    while (lo < hi) {       /* the last segment in [lo, hi] starting at or before addr */
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (s->seg4_start[mid] <= addr)
            lo = mid;
        else
            hi = mid - 1;
    }
    return s->seg4_start[lo] <= addr ? s->seg4_value[lo] : 0;
}

static int seg6_le(const snap_seg6 *a, uint64_t hi, uint64_t lo)
{
    return a->hi < hi || (a->hi == hi && a->lo <= lo);
}

static uint32_t segment6(const vg_snap *s, const unsigned char addr[16])
{
    if (!s->seg6_start)
        return 0;
    uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; i++) {
        hi = hi << 8 | addr[i];
        lo = lo << 8 | addr[8 + i];
    }
    uint64_t a = 0, b = s->nseg6 - 1;
    while (a < b) {
        uint64_t mid = a + (b - a + 1) / 2;
        if (seg6_le(&s->seg6_start[mid], hi, lo))
            a = mid;
        else
            b = mid - 1;
    }
    return seg6_le(&s->seg6_start[a], hi, lo) ? s->seg6_value[a] : 0;
}

size_t vg_snap_match_ipv4(const vg_snap *s, uint32_t addr, vg_intel_hit *hits, size_t max)
{
    size_t n = 0;
    const unsigned char *stored = NULL;
    uint32_t ref = ipv4_find(s, __builtin_bswap32(addr), &stored);
    if (ref)
        n = add_hit(hits, n, max, (vg_intel_hit){ VG_IND_IPV4, 0, 0, ref, stored, 4 });
    return net_hits(s, 0, segment4(s, addr), 32, hits, n, max);
}

size_t vg_snap_match_ipv6(const vg_snap *s, const unsigned char addr[16], vg_intel_hit *hits, size_t max)
{
    size_t n = 0;
    const unsigned char *slot = fixed_find(s, VG_IND_IPV6, addr);
    if (slot) {
        uint32_t ref;
        memcpy(&ref, slot, 4);
        n = add_hit(hits, n, max, (vg_intel_hit){ VG_IND_IPV6, 0, 0, ref, slot + 4, 16 });
    }
    return net_hits(s, 1, segment6(s, addr), 128, hits, n, max);
}

/* The hit of a text key (its key pointing at the snapshot's copy) found through slot; sub:
 * the sources that match subdomains only. */
static size_t slot_hit(const vg_snap *s, int type, const snap_var_slot *slot, int sub, vg_intel_hit *hits,
                       size_t n, size_t max)
{
    uint32_t ref = slot ? (sub ? slot->ref_sub : slot->ref) : 0;
    size_t klen;
    const char *stored = ref ? string_at(s, slot->key, &klen) : NULL;
    if (!stored)
        return n;
    return add_hit(hits, n, max, (vg_intel_hit){ (uint8_t)type, 0, (uint8_t)sub, ref,
                                                 (const unsigned char *)stored, (uint32_t)klen });
}

static size_t text_hit(const vg_snap *s, int type, const char *key, size_t len, int sub, vg_intel_hit *hits,
                       size_t n, size_t max)
{
    return slot_hit(s, type, text_find(s, type, key, len), sub, hits, n, max);
}

/* The name and each parent. The home slots of every suffix are prefetched first, so their
 * cache misses overlap instead of following one another. */
size_t vg_snap_match_domain(const vg_snap *s, const char *name, size_t n, vg_intel_hit *hits, size_t max)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    uint16_t start[VG_DOMAIN_MAX / 2 + 2];
    uint64_t hash[VG_DOMAIN_MAX / 2 + 2];
    size_t nsuffix = 0, count = 0;
    if (!t->slots || n == 0 || n > VG_DOMAIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || (name[i - 1] == '.' && nsuffix < sizeof start / sizeof start[0])) {
            start[nsuffix] = (uint16_t)i;
            hash[nsuffix] = snap_hash(name + i, n - i, s->seed);
            __builtin_prefetch(t->slots + snap_slot(hash[nsuffix], t->cap) * t->elem);
            nsuffix++;
        }
    }
    for (size_t k = 0; k < nsuffix; k++) {
        const char *suffix = name + start[k];
        size_t len = n - start[k];
        count = slot_hit(s, VG_IND_DOMAIN, text_find_hashed(s, VG_IND_DOMAIN, suffix, len, hash[k]), k > 0, hits,
                         count, max);
    }
    return count;
}

/* A URL as itself, without its scheme (with and without the query), and by its path (with
 * and without the query). */
static size_t match_url(const vg_snap *s, const char *u, size_t n, vg_intel_hit *hits, size_t max)
{
    const char *end = u + n;
    size_t count = text_hit(s, VG_IND_URL, u, n, 0, hits, 0, max);
    const char *sep = u[0] == '/' ? NULL : memmem(u, n, "://", 3);
    const char *rest = sep ? sep + 3 : u;       /* without the scheme */
    if (rest != u)
        count = text_hit(s, VG_IND_URL, rest, (size_t)(end - rest), 0, hits, count, max);
    const char *query = memchr(rest, '?', (size_t)(end - rest));
    if (query && u[0] != '/')
        count = text_hit(s, VG_IND_URL, rest, (size_t)(query - rest), 0, hits, count, max);
    const char *path = u[0] == '/' ? u : memchr(rest, '/', (size_t)(end - rest));
    if (path && path != u)
        count = text_hit(s, VG_IND_URL, path, (size_t)(end - path), 0, hits, count, max);
    if (path && query)
        count = text_hit(s, VG_IND_URL, path, (size_t)(query - path), 0, hits, count, max);
    return count;
}

size_t vg_snap_match(const vg_snap *s, const vg_ind *ind, vg_intel_hit *hits, size_t max)
{
    switch (ind->type) {
    case VG_IND_IPV4:
        return vg_snap_match_ipv4(s, (uint32_t)ind->key[0] << 24 | (uint32_t)ind->key[1] << 16 |
                                         (uint32_t)ind->key[2] << 8 | ind->key[3], hits, max);
    case VG_IND_IPV6:
        return vg_snap_match_ipv6(s, ind->key, hits, max);
    case VG_IND_CIDR4: {
        uint32_t a = (uint32_t)ind->key[0] << 24 | (uint32_t)ind->key[1] << 16 | (uint32_t)ind->key[2] << 8 | ind->key[3];
        return net_hits(s, 0, segment4(s, a), ind->prefix, hits, 0, max);
    }
    case VG_IND_CIDR6:
        return net_hits(s, 1, segment6(s, ind->key), ind->prefix, hits, 0, max);
    case VG_IND_DOMAIN:
        return vg_snap_match_domain(s, (const char *)ind->key, ind->len, hits, max);
    case VG_IND_URL:
        return match_url(s, (const char *)ind->key, ind->len, hits, max);
    case VG_IND_EMAIL:
    case VG_IND_ACCOUNT:
        return text_hit(s, ind->type, (const char *)ind->key, ind->len, 0, hits, 0, max);
    default: {
        if (ind->type >= VG_IND_NTYPES || snap_key_size(ind->type) != ind->len)
            return 0;
        const unsigned char *slot = fixed_find(s, ind->type, ind->key);
        if (!slot)
            return 0;
        uint32_t ref;
        memcpy(&ref, slot, 4);
        return add_hit(hits, 0, max, (vg_intel_hit){ ind->type, 0, 0, ref, slot + 4, ind->len });
    }
    }
}

/* ---- provenance ------------------------------------------------------------------------------- */

size_t vg_snap_source_count(const vg_snap *s, uint32_t ref)
{
    if (ref & SNAP_REF_SINGLE)
        return (ref & ~SNAP_REF_SINGLE) < s->nprovs ? 1 : 0;
    uint32_t n;
    return list_at(s->provlists, s->nprovlists, ref, &n) ? n : 0;
}

int vg_snap_source(const vg_snap *s, uint32_t ref, size_t i, vg_intel_source *out)
{
    uint32_t id, n;
    if (ref & SNAP_REF_SINGLE) {
        id = ref & ~SNAP_REF_SINGLE;
        if (i != 0)
            return -1;
    } else {
        const uint32_t *ids = list_at(s->provlists, s->nprovlists, ref, &n);
        if (!ids || i >= n)
            return -1;
        id = ids[i];
    }
    if (id >= s->nprovs)
        return -1;
    const snap_prov *p = &s->provs[id];
    memset(out, 0, sizeof *out);
    if (p->feed < s->nfeeds) {
        const snap_feed *f = &s->feeds[p->feed];
        out->feed = text_at(s, f->name);
        out->format = f->format < VG_FEED_NFORMATS ? (vg_feed_format)f->format : VG_FEED_PLAIN;
        out->role = f->role == VG_INTEL_ALLOW ? VG_INTEL_ALLOW : VG_INTEL_BLOCK;
        out->weight = f->weight;
    } else {
        out->feed = "?";
    }
    out->family = text_at(s, p->family);
    out->aliases = text_at(s, p->aliases);
    out->note = text_at(s, p->note);
    uint32_t nrefs = 0;
    if (p->refs && list_at(s->reflists, s->nreflists, p->refs, &nrefs))
        out->refs_at = p->refs;
    out->nrefs = out->refs_at ? nrefs : 0;
    out->count = p->count;
    out->first_seen = p->first_seen;
    out->last_seen = p->last_seen;
    out->expires = p->expires;
    out->flags = p->flags;
    return 0;
}

const char *vg_snap_source_reference(const vg_snap *s, const vg_intel_source *src, unsigned j)
{
    uint32_t n;
    const uint32_t *offs = list_at(s->reflists, s->nreflists, src->refs_at, &n);
    return offs && j < n ? text_at(s, offs[j]) : "?";
}

size_t vg_snap_hit_format(const vg_intel_hit *hit, char *out, size_t cap)
{
    static _Thread_local vg_ind ind;
    if (hit->key_len > sizeof ind.key)
        return 0;
    ind.type = hit->type;
    ind.prefix = hit->prefix;
    ind.flags = 0;
    ind.len = hit->key_len;
    memcpy(ind.key, hit->key, hit->key_len);
    return vg_ind_format(&ind, out, cap);
}

/* ---- deep verification ---------------------------------------------------------------------- */

static int string_ok(const vg_snap *s, uint32_t off)
{
    size_t n;
    return string_at(s, off, &n) != NULL;
}

static int ref_ok(const vg_snap *s, uint32_t ref)
{
    if (ref & SNAP_REF_SINGLE)
        return (ref & ~SNAP_REF_SINGLE) < s->nprovs;
    uint32_t n;
    const uint32_t *ids = list_at(s->provlists, s->nprovlists, ref, &n);
    for (uint32_t k = 0; ids && k < n; k++)
        if (ids[k] >= s->nprovs)
            return 0;
    return ids != NULL;
}

static vg_rc verify_checksum(const vg_snap *s, vg_error *err)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, s->base + SNAP_HEADER_SIZE, s->size - SNAP_HEADER_SIZE) == 1 &&
             EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return vg_fail(err, VG_ERR_NOMEM, 0, "cannot compute SHA-256");
    if (memcmp(md, s->hdr->sha256, sizeof md) != 0)
        return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: SHA-256 of the body differs (damaged file)");
    return VG_OK;
}

static vg_rc verify_records(const vg_snap *s, vg_error *err)
{
    for (uint64_t i = 0; i < s->nfeeds; i++)
        if (!string_ok(s, s->feeds[i].name) || !string_ok(s, s->feeds[i].path))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: feed %llu has a bad name", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nprovs; i++) {
        const snap_prov *p = &s->provs[i];
        uint32_t n = 0;
        const uint32_t *refs = p->refs ? list_at(s->reflists, s->nreflists, p->refs, &n) : NULL;
        int ok = p->feed < s->nfeeds && string_ok(s, p->family) && string_ok(s, p->aliases) &&
                 string_ok(s, p->note) && (!p->refs || refs);
        for (uint32_t k = 0; ok && k < n; k++)
            ok = string_ok(s, refs[k]);
        if (!ok)
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: provenance record %llu is damaged",
                           (unsigned long long)i);
    }
    return VG_OK;
}

static vg_rc verify_tables(const vg_snap *s, vg_error *err)
{
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        const snap_table *tb = &s->table[t];
        for (uint64_t i = 0; tb->slots && i < tb->cap; i++) {
            int ok = 1;
            if (t == VG_IND_IPV4) {
                const snap_bucket4 *b = (const snap_bucket4 *)(const void *)tb->slots + i;
                for (unsigned j = 0; ok && j < SNAP_BUCKET_SLOTS; j++)
                    ok = !b->ref[j] || ref_ok(s, b->ref[j]);
            } else if (snap_is_text_type(t)) {
                const snap_var_slot *v = (const snap_var_slot *)tb->slots + i;
                if (v->tag)
                    ok = string_ok(s, v->key) && ref_ok(s, v->ref) && (!v->ref_sub || ref_ok(s, v->ref_sub)) &&
                         (t == VG_IND_DOMAIN || !v->ref_sub);
            } else {
                uint32_t ref;
                memcpy(&ref, tb->slots + i * tb->elem, 4);
                ok = !ref || ref_ok(s, ref);
            }
            if (!ok)
                return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: slot %llu of the %s table is damaged",
                               (unsigned long long)i, vg_ind_kind_name(t));
        }
    }
    return VG_OK;
}

static int netlist_ok(const uint32_t *lists, uint64_t nlists, uint32_t off, uint64_t nnets)
{
    if (off == 0)
        return 1;
    uint32_t n;
    const uint32_t *ids = list_at(lists, nlists, off, &n);
    for (uint32_t k = 0; ids && k < n; k++)
        if (ids[k] >= nnets)
            return 0;
    return ids != NULL;
}

static vg_rc verify_networks(const vg_snap *s, vg_error *err)
{
    for (uint64_t i = 0; i < s->nnets4; i++)
        if (s->nets4[i].prefix > 32 || !ref_ok(s, s->nets4[i].ref))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 network %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nnets6; i++)
        if (s->nets6[i].prefix > 128 || !ref_ok(s, s->nets6[i].ref))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv6 network %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nseg4; i++)
        if ((i && s->seg4_start[i] <= s->seg4_start[i - 1]) ||
            !netlist_ok(s->netlists4, s->nnetlists4, s->seg4_value[i], s->nnets4))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nseg6; i++)
        if ((i && seg6_le(&s->seg6_start[i], s->seg6_start[i - 1].hi, s->seg6_start[i - 1].lo)) ||
            !netlist_ok(s->netlists6, s->nnetlists6, s->seg6_value[i], s->nnets6))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv6 segment %llu is damaged", (unsigned long long)i);
    for (uint32_t h = 0; s->seg4_index && h < SNAP_SEG4_INDEX_SIZE - 1; h++) {
        uint32_t j = s->seg4_index[h];
        if (j >= s->nseg4 || s->seg4_start[j] > (h << 16) || (j + 1 < s->nseg4 && s->seg4_start[j + 1] <= (h << 16)))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment index is damaged");
    }
    if (s->seg4_index && s->seg4_index[SNAP_SEG4_INDEX_SIZE - 1] != s->nseg4 - 1)
        return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment index is damaged");
    return VG_OK;
}

vg_rc vg_snap_verify(const vg_snap *s, vg_error *err)
{
    vg_rc rc = verify_checksum(s, err);
    if (!rc)
        rc = verify_records(s, err);
    if (!rc)
        rc = verify_tables(s, err);
    if (!rc)
        rc = verify_networks(s, err);
    return rc;
}

/* ---- information ------------------------------------------------------------------------------ */

uint64_t vg_snap_count(const vg_snap *s, int type)
{
    if (type > VG_IND_NONE && type < VG_IND_NTYPES)
        return s->counts[type];
    uint64_t n = 0;
    for (int t = 1; t < VG_IND_NTYPES; t++)
        n += s->counts[t];
    return n;
}

size_t vg_snap_feed_count(const vg_snap *s)
{
    return (size_t)s->nfeeds;
}

int vg_snap_feed(const vg_snap *s, size_t i, vg_intel_feed_info *out)
{
    if (i >= s->nfeeds)
        return -1;
    const snap_feed *f = &s->feeds[i];
    memset(out, 0, sizeof *out);
    out->name = text_at(s, f->name);
    out->path = text_at(s, f->path);
    out->format = f->format < VG_FEED_NFORMATS ? (vg_feed_format)f->format : VG_FEED_PLAIN;
    out->role = f->role == VG_INTEL_ALLOW ? VG_INTEL_ALLOW : VG_INTEL_BLOCK;
    out->weight = f->weight;
    out->expire_days = f->expire_days;
    out->loaded = f->loaded;
    out->records = f->records;
    out->accepted = f->accepted;
    out->rejected = f->rejected;
    out->expired = f->expired;
    out->files = f->files;
    for (int t = 0; t < VG_IND_NTYPES; t++) {
        out->entries[t] = f->entries[t];
        out->unique[t] = f->unique[t];
    }
    return 0;
}

uint64_t vg_snap_file_size(const vg_snap *s)
{
    return s->size;
}

int64_t vg_snap_created(const vg_snap *s)
{
    return s->hdr->created;
}

size_t vg_snap_section_count(const vg_snap *s)
{
    return s->nsecs;
}

int vg_snap_section(const vg_snap *s, size_t i, char *name, size_t cap, uint64_t *bytes, uint64_t *count)
{
    static const char *const names[] = {
        [SEC_STRINGS] = "strings", [SEC_FEEDS] = "feeds", [SEC_PROVS] = "provenance records",
        [SEC_REFLISTS] = "reference lists", [SEC_PROVLISTS] = "provenance lists", [SEC_COUNTS] = "counts",
        [SEC_NETS4] = "networks v4", [SEC_SEG4_START] = "segments v4", [SEC_SEG4_VALUE] = "segment values v4",
        [SEC_SEG4_INDEX] = "segment index v4", [SEC_NETLISTS4] = "network lists v4", [SEC_NETS6] = "networks v6",
        [SEC_SEG6_START] = "segments v6", [SEC_SEG6_VALUE] = "segment values v6",
        [SEC_NETLISTS6] = "network lists v6",
    };
    if (i >= s->nsecs)
        return -1;
    const snap_section *sec = &s->secs[i];
    if (sec->id >= SEC_TABLE)
        snprintf(name, cap, "table %s", vg_ind_kind_name((int)(sec->id - SEC_TABLE)));
    else
        snprintf(name, cap, "%s", sec->id < sizeof names / sizeof names[0] && names[sec->id] ? names[sec->id] : "?");
    *bytes = sec->count * sec->elem_size;
    *count = sec->count;
    return 0;
}

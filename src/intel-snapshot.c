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
#include "intel-snapshot-internal.h"
#include "util-mem.h"

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
    case SEC_PROVS: case SEC_DSUFFIX: return 1;
    case SEC_COUNTS: case SEC_DTOP: return 8;
    case SEC_NETS4: return sizeof(snap_net4);
    case SEC_NETS6: return sizeof(snap_net6);
    case SEC_SEG6_START: return sizeof(snap_seg6);
    case SEC_REFLISTS: case SEC_PROVLISTS: case SEC_SEG4_START: case SEC_SEG4_VALUE:
    case SEC_SEG4_INDEX: case SEC_NETLISTS4: case SEC_SEG6_VALUE: case SEC_NETLISTS6:
        return 4;
    default:
        break;
    }
    if (id > SEC_KEYS && id < SEC_KEYS + VG_IND_NTYPES)
        return snap_is_text_type((int)(id - SEC_KEYS)) ? 1 : 0;
    if (id > SEC_FILTER && id < SEC_FILTER + VG_IND_NTYPES) {
        int t = (int)(id - SEC_FILTER);
        return t == VG_IND_CIDR4 || t == VG_IND_CIDR6 ? 0 : 8;
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
    case SEC_DSUFFIX: {
        const uint32_t *w = p;
        if (n >= 4 && 4 + 4 * (uint64_t)w[0] <= n) {
            s->ndsfx = w[0];
            s->dsfx_end = w + 1;
            s->dsfx = (const unsigned char *)p + 4 + 4 * (uint64_t)w[0];
            s->dsfx_len = n - 4 - 4 * (uint64_t)w[0];
        }
        break;
    }
    case SEC_REFLISTS: s->reflists = p; s->nreflists = n; break;
    case SEC_PROVLISTS: s->provlists = p; s->nprovlists = n; break;
    case SEC_COUNTS: s->counts = p; break;
    case SEC_NETS4: s->nets4 = p; s->nnets4 = n; break;
    case SEC_SEG4_START: s->seg4_start = p; s->nseg4 = n; break;
    case SEC_SEG4_VALUE: s->seg4_value = p; break;
    case SEC_SEG4_INDEX:
        s->seg4_index = p;
        s->nseg4_index = n;
        s->seg4_shift = 32u - snap_seg4_bits_of(n);     /* 32 when the size is wrong: check_shapes refuses it */
        break;
    case SEC_NETLISTS4: s->netlists4 = p; s->nnetlists4 = n; break;
    case SEC_NETS6: s->nets6 = p; s->nnets6 = n; break;
    case SEC_SEG6_START: s->seg6_start = p; s->nseg6 = n; break;
    case SEC_SEG6_VALUE: s->seg6_value = p; break;
    case SEC_NETLISTS6: s->netlists6 = p; s->nnetlists6 = n; break;
    case SEC_DTOP:
        if (n >= SNAP_DTOP_WORDS) {     /* else left unbound: check_shapes refuses the file */
            s->dtop = p;
            s->ndtop = n - SNAP_DTOP_WORDS;
        }
        break;
    default:
        if (sec->id >= SEC_FILTER) {
            s->table[sec->id - SEC_FILTER].filter = p;
            s->table[sec->id - SEC_FILTER].nfilter = n;
        } else if (sec->id >= SEC_TABLE) {
            s->table[sec->id - SEC_TABLE].slots = p;
            s->table[sec->id - SEC_TABLE].cap = n;
            s->table[sec->id - SEC_TABLE].elem = sec->elem_size;
        } else {
            s->table[sec->id - SEC_KEYS].keys = p;
            s->table[sec->id - SEC_KEYS].nkeys = n;
        }
    }
}

static vg_rc check_header(const vg_snap *s, const char *path, vg_error *err)
{
    const snap_header *h = s->hdr;
    if (s->size < SNAP_HEADER_SIZE || memcmp(h->magic, SNAP_MAGIC, 8) != 0)
        return bad(err, path, "no VGINTEL1 magic");
    if (h->version != SNAP_VERSION)
        return vg_fail(err, VG_ERR_UNSUPPORTED, 0,
                       "%s: snapshot version %u, this vigil reads %u: recompile it (vigil intel compile)", path,
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

static const unsigned char *dsuffix(const vg_snap *s, uint32_t sid, size_t *n);

/* The table of domain suffixes by id (s->sfx): sid 0 is "", an id the dictionary does not
 * hold or whose bytes are out of bounds gets SFX_NONE. */
static void index_suffixes(vg_snap *s)
{
    for (uint32_t sid = 0; sid <= SNAP_SID_MAX; sid++) {
        size_t n;
        const unsigned char *p = dsuffix(s, sid, &n);
        s->sfx[sid] = p && n <= VG_DOMAIN_MAX ? (snap_sfx){ p, (uint32_t)n } : (snap_sfx){ (const unsigned char *)"", SFX_NONE };
    }
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
    for (uint32_t i = 0; i < s->nsecs; i++)
        if (s->secs[i].id == SEC_DSUFFIX && !s->dsfx)
            return bad(err, path, "domain suffix section damaged");
    if (s->table[VG_IND_DOMAIN].slots && !s->dtop)
        return bad(err, path, "one-label domain section missing or damaged");
    int has4 = s->nets4 && s->seg4_start && s->seg4_value && s->seg4_index;
    if ((s->nets4 || s->seg4_start || s->seg4_value || s->seg4_index) && !has4)
        return bad(err, path, "IPv4 network sections incomplete");
    for (uint32_t i = 0; has4 && i < s->nsecs; i++) {
        if ((s->secs[i].id == SEC_SEG4_VALUE && s->secs[i].count != s->nseg4) ||
            (s->secs[i].id == SEC_SEG4_INDEX && !snap_seg4_bits_of(s->secs[i].count)))
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

/* Checks the snapshot of size bytes at base (label names it in errors) and returns it in
 * *out; map (if not NULL) is unmapped when it is closed, or now on failure. */
static vg_rc attach(const void *base, size_t size, void *map, const char *label, unsigned flags, vg_snap **out,
                    vg_error *err)
{
    vg_snap *s = vg_calloc(1, sizeof *s);
    if (!s) {
        if (map)
            munmap(map, size);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    s->map = map;
    s->base = base;
    s->size = size;
    s->hdr = base;
    vg_rc rc = check_header(s, label, err);
    if (!rc) {
        s->secs = (const snap_section *)(s->base + SNAP_HEADER_SIZE);
        s->nsecs = s->hdr->nsections;
        s->seed = s->hdr->seed;
        rc = check_sections(s, label, err);
    }
    if (!rc)
        rc = check_shapes(s, label, err);
    if (!rc)
        index_suffixes(s);
    if (!rc && (flags & VG_SNAP_VERIFY)) {
        rc = vg_snap_verify(s, err);
        if (rc) {
            char msg[VG_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            vg_fail(err, rc, 0, "%s: %s", label, msg);
        }
    }
    if (rc) {
        vg_snap_close(s);
        return rc;
    }
    *out = s;
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
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot map: %s", path, strerror(errno));
#ifdef MADV_HUGEPAGE
    /* Lookups land at random across the whole file, two or three lines each, so with 4 KiB
     * pages nearly every one also misses the TLB. Marked so, a fault on a page not yet in the
     * page cache reads its whole 2 MiB block and the kernel maps it with one entry (on
     * filesystems with large folios, such as ext4 since Linux 6.x); pages already cached in
     * small pieces are mapped as they are. A kernel without it refuses, and nothing changes. */
    (void)madvise(map, (size_t)st.st_size, MADV_HUGEPAGE);
#endif
    if (flags & VG_SNAP_PRELOAD)    /* after the advice, so the pages come in as 2 MiB blocks */
        (void)madvise(map, (size_t)st.st_size, MADV_WILLNEED);
    return attach(map, (size_t)st.st_size, map, path, flags, out, err);
}

vg_rc vg_snap_open_mem(const void *data, size_t len, unsigned flags, vg_snap **out, vg_error *err)
{
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    return vg_fail(err, VG_ERR_UNSUPPORTED, 0, "snapshots are little-endian; this machine is not");
#endif
    if ((uintptr_t)data % 8)
        return vg_fail(err, VG_ERR_USAGE, 0, "a snapshot in memory must be 8-byte aligned");
    if (len < SNAP_HEADER_SIZE)
        return bad(err, "(memory)", "shorter than 128 bytes");
    return attach(data, len, NULL, "(memory)", flags, out, err);
}

void vg_snap_close(vg_snap *s)
{
    if (!s)
        return;
    if (s->map)
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

const char *vg_snap_text_at(const vg_snap *s, uint32_t off)
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

/* May the domain table hold an entry of hash h that matches as a parent (parent != 0), or
 * one at all (parent == 0)? Host-only entries have their own bit pattern in the filter. */
static int domain_maybe_one(const vg_snap *s, uint64_t h, int parent)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    return !t->filter || snap_domain_word_maybe(t->filter[snap_filter_word(h, t->nfilter)], h, parent);
}

/* Is h the hash of a one-label domain entry that matches subdomains (a name's last label
 * tested as a parent)? Exact: the bitmap rules most labels out, the sorted hashes decide. */
static int dtop_has(const vg_snap *s, uint64_t h)
{
    uint64_t b = snap_dtop_bit(h);
    if (!s->dtop || !(s->dtop[b / 64] >> (b % 64) & 1))
        return 0;
    const uint64_t *v = s->dtop + SNAP_DTOP_WORDS;
    uint64_t lo = 0, hi = s->ndtop;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (v[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->ndtop && v[lo] == h;
}

/* May suffix k of count (k = 0: the last label, k = count - 1: the name) of a name, of hash h,
 * be stored as what it would be found as: the name itself, or for a parent an entry that
 * matches subdomains (the last label as a parent: DTOP, exact). */
static int domain_suffix_maybe(const vg_snap *s, uint64_t h, size_t k, size_t count)
{
    return k == 0 && count > 1 ? dtop_has(s, h) : domain_maybe_one(s, h, k + 1 < count);
}

/* Prefetches what a lookup of hash h will read: the home element, when the filter lets it. */
static void prefetch_hashed(const snap_table *t, uint64_t h)
{
    if (t->slots && snap_filter_maybe(t, h))
        __builtin_prefetch(snap_home_of(t, h));
}

/* Slot of a fixed-size key in the table of type, or NULL. */
static const unsigned char *fixed_find(const vg_snap *s, int type, const unsigned char *key)
{
    const snap_table *t = &s->table[type];
    if (!t->slots)
        return NULL;
    uint32_t ks = snap_key_size(type);
    uint64_t h = snap_hash(key, ks, s->seed);
    if (!snap_filter_maybe(t, h))
        return NULL;
    uint64_t i = snap_slot(h, t->cap);
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

#define BATCH_AHEAD 8u      /* lookups between a prefetch and its use (vg_snap_match_batch) */

/* A text record: its sources and key bytes (a domain's: suffix id, then the name without the
 * suffix), read from entry j of bucket b of table t; 0 if it does not lie inside KEYS. */
typedef struct text_rec {
    uint32_t ref, ref_sub;      /* ref_sub: the sources that match subdomains (0: none) */
    const unsigned char *key;
    size_t len;
} text_rec;

static int rec_at(const snap_table *t, const snap_tbucket *b, unsigned j, text_rec *r)
{
    unsigned mode = b->tag[j] & SNAP_SUB_MASK;
    uint32_t start = j ? b->end[j - 1] : 0, end = b->end[j], need = mode == SNAP_SUB_OWN ? 8 : 4;
    if (!t->keys || start > end || end - start < need || (uint64_t)b->base + end > t->nkeys)
        return 0;
    const unsigned char *p = t->keys + b->base + start;
    memcpy(&r->ref, p, 4);
    r->ref_sub = mode == SNAP_SUB_ALL ? r->ref : 0;
    if (mode == SNAP_SUB_OWN)
        memcpy(&r->ref_sub, p + 4, 4);
    r->key = p + need;
    r->len = end - start - need;
    return 1;
}

/* Domain suffix sid: its bytes, or NULL if sid is not in the dictionary (sid 0: ""). */
static const unsigned char *dsuffix(const vg_snap *s, uint32_t sid, size_t *n)
{
    if (sid == 0) {
        *n = 0;
        return (const unsigned char *)"";
    }
    if (sid > s->ndsfx)
        return NULL;
    uint32_t a = sid > 1 ? s->dsfx_end[sid - 2] : 0, b = s->dsfx_end[sid - 1];
    if (a > b || b > s->dsfx_len)
        return NULL;
    *n = b - a;
    return s->dsfx + a;
}

/* The name of a domain record (key bytes k[0..n)): its stored part and its suffix; 0 if damaged. */
static int domain_parts(const vg_snap *s, const unsigned char *k, size_t n, const unsigned char **pre, size_t *pn,
                        const unsigned char **suf, size_t *sn)
{
    if (n == 0 || !(*suf = dsuffix(s, k[0], sn)))
        return 0;
    *pre = k + 1;
    *pn = n - 1;
    return 1;
}

/* Are a[0..n) and b[0..n) equal? Short keys in a few word compares: every load lies inside
 * both ranges (overlapping at the end), none is a call. */
static inline int bytes_eq(const unsigned char *a, const unsigned char *b, size_t n)
{
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (snap_load64(a + i) != snap_load64(b + i))
                return 0;
        return snap_load64(a + n - 8) == snap_load64(b + n - 8);
    }
    if (n >= 4)
        return snap_load32(a) == snap_load32(b) && snap_load32(a + n - 4) == snap_load32(b + n - 4);
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Is the domain record r (suffix id, stored part) the name key[0..n)? */
static inline int domain_rec_is(const vg_snap *s, const text_rec *r, const char *key, size_t n)
{
    if (r->len == 0)
        return 0;
    const snap_sfx *x = &s->sfx[r->key[0]];
    size_t pn = r->len - 1;
    const unsigned char *k = (const unsigned char *)key;
    return x->n != SFX_NONE && pn + x->n == n && bytes_eq(r->key + 1, k, pn) && bytes_eq(x->p, k + pn, x->n);
}

/* Is the key of record r of a table of type the text key[0..n)? */
static int rec_is(const vg_snap *s, int type, const text_rec *r, const char *key, size_t n)
{
    if (type == VG_IND_DOMAIN)
        return domain_rec_is(s, r, key, n);
    return r->len == n && memcmp(r->key, key, n) == 0;
}

/* Bit j set when (v[j] & mask) == x, for the 15 tags of a text bucket (SSE2: two compares; the
 * 16th word read is end[0], masked off). */
static unsigned eq15(const uint16_t *v, uint16_t x, uint16_t mask)
{
#ifdef __SSE2__
    __m128i k = _mm_set1_epi16((short)x), m = _mm_set1_epi16((short)mask);
    __m128i a = _mm_cmpeq_epi16(_mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)v), m), k);
    __m128i b = _mm_cmpeq_epi16(_mm_and_si128(_mm_loadu_si128((const __m128i *)(const void *)(v + 8)), m), k);
    return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(a, b)) & 0x7fffu;
#else
    unsigned r = 0;
    for (unsigned j = 0; j < SNAP_TBUCKET_SLOTS; j++)
        r |= (unsigned)((v[j] & mask) == x) << j;
    return r;
#endif
}

/* The entries of text bucket bk (empty: its empty entries) that may hold a key of tag: its
 * tag, not empty. For a parent of the name looked up (parent != 0) in a bucket with room
 * (where the key lies if anywhere), only entries that may match as a parent: one whose mode is
 * SNAP_SUB_NONE could give no hit, so its record is not read. (In a full bucket it is: finding
 * the key there ends the search, which would otherwise go on to the next bucket.) */
static inline unsigned tag_candidates(const snap_tbucket *bk, uint16_t tag, int parent, unsigned empty)
{
    unsigned skip = parent && empty ? eq15(bk->tag, 0, SNAP_SUB_MASK) : empty;  /* mode NONE includes empty */
    return eq15(bk->tag, tag, (uint16_t)~SNAP_SUB_MASK) & ~skip;
}

/* The record of a text key whose hash is h in the table of type into r, the filter not
 * consulted; 0 if absent. parent: the key is a parent of the name looked up (entries that
 * cannot match as a parent are passed over). A domain record's key is the name looked up
 * (r->key, r->len: key[0..n)). */
static int text_probe(const vg_snap *s, int type, const char *key, size_t n, uint64_t h, int parent, text_rec *r)
{
    const snap_table *t = &s->table[type];
    const snap_tbucket *buckets = (const snap_tbucket *)(const void *)t->slots;
    uint16_t tag = snap_tag(h);
    uint64_t b = snap_slot(h, t->cap);
    for (uint64_t probe = 0; probe < t->cap; probe++, b = b + 1 == t->cap ? 0 : b + 1) {
        const snap_tbucket *bk = &buckets[b];
        unsigned empty = eq15(bk->tag, 0, 0xffffu);
        unsigned m = tag_candidates(bk, tag, parent, empty);
        for (; m; m &= m - 1) {
            unsigned j = (unsigned)__builtin_ctz(m);
            if (rec_at(t, bk, j, r) && rec_is(s, type, r, key, n)) {
                if (type == VG_IND_DOMAIN) {    /* the stored name is split: the hit shows the value's */
                    r->key = (const unsigned char *)key;
                    r->len = n;
                }
                return 1;
            }
        }
        if (empty)
            return 0;
    }
    return 0;
}

/* text_probe after the filter: 0 at once when the filter rules the key out. */
static int text_find_hashed(const vg_snap *s, int type, const char *key, size_t n, uint64_t h, text_rec *r)
{
    const snap_table *t = &s->table[type];
    return t->slots && snap_filter_maybe(t, h) && text_probe(s, type, key, n, h, 0, r);
}

/* Hits of the networks of segment value off (one network, or the NETLIST at off, innermost
 * first) with prefix <= max_prefix. */
static size_t net_hits(const vg_snap *s, int v6, uint32_t off, unsigned max_prefix, vg_intel_hit *hits, size_t n,
                       size_t max)
{
    uint32_t count = 1, single = off & ~SNAP_NET_SINGLE;
    const uint32_t *ids = off & SNAP_NET_SINGLE ? &single
                          : v6                  ? list_at(s->netlists6, s->nnetlists6, off, &count)
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
    uint32_t e = addr >> s->seg4_shift;
    uint64_t lo = s->seg4_index[e], hi = s->seg4_index[e + 1];
    if (lo > hi || hi >= s->nseg4)
        return 0;
    __builtin_prefetch(&s->seg4_value[lo]);    /* read after the search: start loading it now */
    const uint32_t *base = &s->seg4_start[lo];
    for (uint64_t n = hi - lo + 1; n > 1; n -= n / 2)   /* the last segment of [lo, hi] starting at or */
        base = base[n / 2] <= addr ? base + n / 2 : base;   /* before addr; no branch on the data (a cmov) */
    return *base <= addr ? s->seg4_value[base - s->seg4_start] : 0;
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
    uint32_t ref = snap_ipv4_find(s, __builtin_bswap32(addr), &stored);
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

/* The hit of a text key found as r; sub: as a parent of the value (only the sources that
 * match subdomains). */
static size_t rec_hit(int type, const text_rec *r, int sub, vg_intel_hit *hits, size_t n, size_t max)
{
    uint32_t ref = sub ? r->ref_sub : r->ref;
    if (!ref)
        return n;
    return add_hit(hits, n, max, (vg_intel_hit){ (uint8_t)type, 0, (uint8_t)sub, ref, r->key, (uint32_t)r->len });
}

static size_t text_hit(const vg_snap *s, int type, const char *key, size_t len, vg_intel_hit *hits, size_t n,
                       size_t max)
{
    text_rec r;
    if (!s->table[type].slots || !text_find_hashed(s, type, key, len, snap_hash(key, len, s->seed), &r))
        return n;
    return rec_hit(type, &r, 0, hits, n, max);
}

/* For each suffix k of a name (hash[0..count), as snap_domain_hashes gives them; the last is
 * the name) whether it may be stored as what it would be found as: the name itself or, for a
 * parent, an entry that matches subdomains (maybe[k]: the filter, DTOP for the last label);
 * never 0 for a suffix that would give a hit. */
static void domain_maybe(const vg_snap *s, const uint64_t *hash, size_t count, unsigned char *maybe)
{
    for (size_t k = 0; k < count; k++)
        maybe[k] = (unsigned char)domain_suffix_maybe(s, hash[k], k, count);
}

/* The probes of a domain walk: suffix k of name[0..n) (start[k], hash[k]) where the filter let
 * it (maybe[k]), the name first, then its parents; the home buckets of all of them first
 * prefetched, so their cache misses overlap. */
static size_t domain_probe(const vg_snap *s, const char *name, size_t n, const uint16_t *start, const uint64_t *hash,
                           const unsigned char *maybe, size_t nsuffix, vg_intel_hit *hits, size_t max)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    size_t count = 0;
    for (size_t k = 0; k < nsuffix; k++)
        if (maybe[k])
            __builtin_prefetch(snap_home_of(t, hash[k]));
    for (size_t k = nsuffix; k-- > 0;) {
        text_rec r;
        if (maybe[k] && text_probe(s, VG_IND_DOMAIN, name + start[k], n - start[k], hash[k], start[k] > 0, &r))
            count = rec_hit(VG_IND_DOMAIN, &r, start[k] > 0, hits, count, max);
    }
    return count;
}

/* The name and each parent. Every suffix is hashed in one pass from the right; the filter
 * drops most of them at once (one word each: the loads overlap). */
size_t vg_snap_match_domain(const vg_snap *s, const char *name, size_t n, vg_intel_hit *hits, size_t max)
{
    uint16_t start[VG_DOMAIN_MAX / 2 + 2];
    uint64_t hash[VG_DOMAIN_MAX / 2 + 2];
    unsigned char maybe[VG_DOMAIN_MAX / 2 + 2];   /* suffix k passed the filter */
    if (!s->table[VG_IND_DOMAIN].slots || n == 0 || n > VG_DOMAIN_MAX)
        return 0;
    size_t nsuffix = snap_domain_hashes(name, n, s->seed, start, hash, sizeof start / sizeof start[0]);
    domain_maybe(s, hash, nsuffix, maybe);
    return domain_probe(s, name, n, start, hash, maybe, nsuffix, hits, max);
}

/* The forms of a URL that prefetching covers: the URL, and without its scheme when it has one
 * (the form Maltrail and URL lists store). */
static size_t url_forms(const vg_ind *ind, const char **form, size_t *len)
{
    const char *u = (const char *)ind->key, *sep = u[0] == '/' ? NULL : memmem(u, ind->len, "://", 3);
    form[0] = u;
    len[0] = ind->len;
    if (!sep)
        return 1;
    form[1] = sep + 3;
    len[1] = ind->len - (size_t)(sep + 3 - u);
    return 2;
}

/* Starts loading record j of text bucket bk (when it starts inside KEYS). */
static void prefetch_record(const snap_table *t, const snap_tbucket *bk, unsigned j)
{
    uint64_t at = (uint64_t)bk->base + (j ? bk->end[j - 1] : 0u);
    if (at < t->nkeys)
        __builtin_prefetch(t->keys + at);
}

/* Starts loading the records a probe of the text key of hash h will compare: those of its
 * home bucket whose tag matches (the bucket line should be loaded by now). */
static void prefetch_records(const snap_table *t, uint64_t h)
{
    const snap_tbucket *bk = (const snap_tbucket *)(const void *)snap_home_of(t, h);
    for (unsigned m = eq15(bk->tag, snap_tag(h), (uint16_t)~SNAP_SUB_MASK); m; m &= m - 1)
        prefetch_record(t, bk, (unsigned)__builtin_ctz(m));
}

#define DOM_BATCH_SUFFIXES 16u     /* a name of more labels takes the single path in a batch */
#define DOM_GROUP 16u               /* names of vg_snap_match_domain_batch in one stage at a time */
#define DOM_STAGES 4u
#define DOM_ENTRIES (DOM_GROUP * DOM_BATCH_SUFFIXES)

/* What the bucket stage found for a suffix that passed the filter. */
enum { DOM_ABSENT, DOM_RECORD, DOM_SLOW };

/* A group of names in flight in vg_snap_match_domain_batch: the suffixes of its names one
 * after another (name i's from first[i], count[i] of them, the last label first; count[i]
 * 0xff: the name has too many labels and takes the single path), then the suffixes that
 * passed the filter (pass[pfirst[i] .. pfirst[i + 1]) for name i) with what their home bucket
 * held: no entry of their tag (absent), one whose record is to be compared (bucket, slot), or
 * something the general probe must decide (slow: several tags, a full bucket). */
typedef struct dom_group {
    uint64_t hash[DOM_ENTRIES + 1];     /* + 1: the hashing may write one past a long name */
    const uint64_t *word[DOM_ENTRIES];  /* the filter word of each */
    uint16_t start[DOM_ENTRIES + 1];
    uint16_t pass[DOM_ENTRIES];
    const snap_tbucket *bucket[DOM_ENTRIES];
    uint8_t slot[DOM_ENTRIES], state[DOM_ENTRIES];
    uint16_t first[DOM_GROUP], pfirst[DOM_GROUP + 1];
    uint8_t count[DOM_GROUP];
    size_t names;
} dom_group;

/* Stage 1 of group g (names[at..at+g->names)): hash every name once (every suffix), start
 * loading the filter word of every suffix but the last label of a name of several (DTOP's). */
static void dom_hash(const vg_snap *s, dom_group *g, const char *const *names, const size_t *lens, size_t at)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    static const uint64_t all = ~0ull;      /* no filter: every suffix passes */
    const uint64_t *filter = t->filter ? t->filter : &all;
    uint64_t nwords = t->filter ? t->nfilter : 1;
    size_t e = 0;
    for (size_t i = 0; i < g->names; i++) {
        size_t n = lens[at + i];
        size_t c = n > 0 && n <= VG_DOMAIN_MAX
                       ? snap_domain_hashes(names[at + i], n, s->seed, g->start + e, g->hash + e, DOM_BATCH_SUFFIXES + 1)
                       : 0;
        g->first[i] = (uint16_t)e;
        g->count[i] = c <= DOM_BATCH_SUFFIXES ? (uint8_t)c : 0xff;
        if (c > DOM_BATCH_SUFFIXES)
            continue;
        for (size_t k = e + (c > 1); k < e + c; k++) {     /* the last label of several: DTOP */
            g->word[k] = &filter[snap_filter_word(g->hash[k], nwords)];
            __builtin_prefetch(g->word[k]);
        }
        e += c;
    }
}

/* Stage 2: test the filter words, and the last label of a name of several against DTOP (no
 * branch: the suffixes that pass are listed, name by name), start loading the home buckets of
 * those that passed. */
static void dom_filter(const vg_snap *s, dom_group *g)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    size_t np = 0;
    for (size_t i = 0; i < g->names; i++) {
        g->pfirst[i] = (uint16_t)np;
        size_t f = g->first[i], c = g->count[i] == 0xff ? 0 : g->count[i];
        if (c > 1) {    /* the last label as a parent: DTOP (exact) */
            g->pass[np] = (uint16_t)f;
            np += (size_t)dtop_has(s, g->hash[f]);
        }
        for (size_t k = f + (c > 1); k < f + c; k++) {   /* the last suffix is the name, the others parents */
            g->pass[np] = (uint16_t)k;
            np += (size_t)snap_domain_word_maybe(*g->word[k], g->hash[k], k + 1 < f + c);
        }
    }
    g->pfirst[g->names] = (uint16_t)np;
    for (size_t k = 0; k < np; k++)
        __builtin_prefetch(snap_home_of(t, g->hash[g->pass[k]]));
}

/* Stage 3: in the home bucket of each suffix that passed, the entry of its tag; start loading
 * its record. */
static void dom_bucket(const vg_snap *s, dom_group *g)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    const snap_tbucket *buckets = (const snap_tbucket *)(const void *)t->slots;
    for (size_t p = 0, np = g->pfirst[g->names]; p < np; p++) {
        size_t k = g->pass[p];
        uint64_t h = g->hash[k];
        const snap_tbucket *bk = &buckets[snap_slot(h, t->cap)];
        unsigned empty = eq15(bk->tag, 0, 0xffffu);
        unsigned m = tag_candidates(bk, snap_tag(h), g->start[k] > 0, empty);
        unsigned j = m ? (unsigned)__builtin_ctz(m) : 0;
        g->bucket[p] = bk;
        g->slot[p] = (uint8_t)j;
        g->state[p] = (m & (m - 1)) || (!m && !empty) ? DOM_SLOW : m ? DOM_RECORD : DOM_ABSENT;
        if (m)
            prefetch_record(t, bk, j);
    }
}

/* Stage 4: the hits of each name, as vg_snap_match_domain gives them (the name, then its
 * parents from the nearest). */
static size_t dom_emit(const vg_snap *s, const dom_group *g, const char *const *names, const size_t *lens, size_t at,
                       vg_intel_hit *hits, size_t max, uint32_t *counts)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    size_t total = 0;
    for (size_t i = 0; i < g->names; i++) {
        const char *name = names[at + i];
        size_t n = lens[at + i], got = 0;
        if (g->count[i] == 0xff) {
            got = vg_snap_match_domain(s, name, n, hits + total, max - total);
        } else {
            for (size_t p = g->pfirst[i + 1]; p-- > g->pfirst[i];) {
                if (g->state[p] == DOM_ABSENT)
                    continue;
                size_t k = g->pass[p], b = g->start[k];
                text_rec r;
                int found = g->state[p] == DOM_RECORD && rec_at(t, g->bucket[p], g->slot[p], &r) &&
                            domain_rec_is(s, &r, name + b, n - b);
                if (found) {
                    r.key = (const unsigned char *)name + b;
                    r.len = n - b;
                } else {    /* a tag shared, a full bucket: the general probe decides */
                    found = text_probe(s, VG_IND_DOMAIN, name + b, n - b, g->hash[k], b > 0, &r);
                }
                if (found)
                    got = rec_hit(VG_IND_DOMAIN, &r, b > 0, hits + total, got, max - total);
            }
        }
        counts[at + i] = (uint32_t)got;
        total += got;
    }
    return total;
}

/* Groups of DOM_GROUP names through four stages, one group apart: hash each name once and
 * prefetch the filter words of its suffixes (dom_hash); test them and prefetch the buckets of
 * the suffixes that pass (dom_filter); find their tags and prefetch the records (dom_bucket);
 * compare and report (dom_emit). Within a stage the loops run over the whole group, with few
 * branches. */
size_t vg_snap_match_domain_batch(const vg_snap *s, const char *const *names, const size_t *lens, size_t n,
                                  vg_intel_hit *hits, size_t max, uint32_t *counts)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    dom_group ring[DOM_STAGES];
    size_t total = 0, ngroups = (n + DOM_GROUP - 1) / DOM_GROUP;
    if (!t->slots) {
        memset(counts, 0, n * sizeof *counts);
        return 0;
    }
    for (size_t it = 0; it < ngroups + DOM_STAGES - 1; it++) {  /* stages in reverse: each frees its slot */
        if (it >= DOM_STAGES - 1) {
            size_t j = it - (DOM_STAGES - 1);
            total += dom_emit(s, &ring[j % DOM_STAGES], names, lens, j * DOM_GROUP, hits + total, max - total, counts);
        }
        if (it >= 2 && it - 2 < ngroups)
            dom_bucket(s, &ring[(it - 2) % DOM_STAGES]);
        if (it >= 1 && it - 1 < ngroups)
            dom_filter(s, &ring[(it - 1) % DOM_STAGES]);
        if (it < ngroups) {
            dom_group *g = &ring[it % DOM_STAGES];
            g->names = n - it * DOM_GROUP < DOM_GROUP ? n - it * DOM_GROUP : DOM_GROUP;
            dom_hash(s, g, names, lens, it * DOM_GROUP);
        }
    }
    return total;
}

#define SEG_PREFETCH_LINES 4u      /* lines of a /16's segment starts that vg_snap_prefetch_ipv4 loads */

void vg_snap_prefetch_ipv4(const vg_snap *s, uint32_t addr)
{
    const snap_table *t = &s->table[VG_IND_IPV4];
    if (s->seg4_index) {     /* the segments of addr's index entry, which the search will read */
        uint32_t e = addr >> s->seg4_shift;
        uint64_t lo = s->seg4_index[e], hi = s->seg4_index[e + 1];
        if (lo <= hi && hi < s->nseg4) {
            const char *a = (const char *)&s->seg4_start[lo], *b = (const char *)&s->seg4_start[hi];
            for (unsigned k = 0; k < SEG_PREFETCH_LINES && a + 64 * k <= b + 63; k++)
                __builtin_prefetch(a + 64 * k);
            __builtin_prefetch(&s->seg4_value[lo]);
        }
    }
    prefetch_hashed(t, snap_hash4(__builtin_bswap32(addr), s->seed));
}

void vg_snap_hint_ipv4(const vg_snap *s, uint32_t addr, long port)
{
    const snap_table *t = &s->table[VG_IND_IPV4], *tp = &s->table[VG_IND_IPPORT4];
    if (t->filter)
        __builtin_prefetch(&t->filter[snap_filter_word(snap_hash4(__builtin_bswap32(addr), s->seed), t->nfilter)]);
    if (s->seg4_index)      /* where the network search starts */
        __builtin_prefetch(&s->seg4_index[addr >> s->seg4_shift]);
    if (port >= 0 && port <= 65535 && tp->filter) {
        unsigned char key[6] = { (unsigned char)(addr >> 24), (unsigned char)(addr >> 16), (unsigned char)(addr >> 8),
                                 (unsigned char)addr, (unsigned char)(port >> 8), (unsigned char)port };
        __builtin_prefetch(&tp->filter[snap_filter_word(snap_hash(key, sizeof key, s->seed), tp->nfilter)]);
    }
}

void vg_snap_prefetch_domain(const vg_snap *s, const char *name, size_t n)
{
    const snap_table *t = &s->table[VG_IND_DOMAIN];
    uint16_t start[VG_DOMAIN_MAX / 2 + 2];
    uint64_t hash[VG_DOMAIN_MAX / 2 + 2];
    if (!t->slots || n == 0 || n > VG_DOMAIN_MAX)
        return;
    size_t nsuffix = snap_domain_hashes(name, n, s->seed, start, hash, sizeof start / sizeof start[0]);
    for (size_t k = 0; k < nsuffix; k++)
        if (domain_suffix_maybe(s, hash[k], k, nsuffix))
            __builtin_prefetch(snap_home_of(t, hash[k]));
}

void vg_snap_prefetch(const vg_snap *s, const vg_ind *ind)
{
    switch (ind->type) {
    case VG_IND_IPV4:
        vg_snap_prefetch_ipv4(s, (uint32_t)ind->key[0] << 24 | (uint32_t)ind->key[1] << 16 |
                                     (uint32_t)ind->key[2] << 8 | ind->key[3]);
        break;
    case VG_IND_DOMAIN:
        vg_snap_prefetch_domain(s, (const char *)ind->key, ind->len);
        break;
    case VG_IND_CIDR4: case VG_IND_CIDR6:
        break;
    case VG_IND_URL: {
        const char *form[2];
        size_t len[2], nf = url_forms(ind, form, len);
        for (size_t k = 0; k < nf; k++)
            prefetch_hashed(&s->table[VG_IND_URL], snap_hash(form[k], len[k], s->seed));
        break;
    }
    default:
        if (ind->type < VG_IND_NTYPES)
            prefetch_hashed(&s->table[ind->type], snap_hash(ind->key, ind->len, s->seed));
        break;
    }
}

/* Starts loading the records a lookup of a URL, e-mail address or account will compare, once
 * vg_snap_prefetch has loaded its buckets (some lookups earlier); other types: nothing. */
static void prefetch_value_records(const vg_snap *s, const vg_ind *ind)
{
    const char *form[2] = { (const char *)ind->key, NULL };
    size_t len[2] = { ind->len, 0 }, nf = 1;
    if (ind->type == VG_IND_URL)
        nf = url_forms(ind, form, len);
    else if (ind->type != VG_IND_EMAIL && ind->type != VG_IND_ACCOUNT)
        return;
    const snap_table *t = &s->table[ind->type];
    for (size_t k = 0; t->slots && k < nf; k++) {
        uint64_t h = snap_hash(form[k], len[k], s->seed);
        if (snap_filter_maybe(t, h))
            prefetch_records(t, h);
    }
}

size_t vg_snap_match_batch(const vg_snap *s, const vg_ind *const *inds, size_t n, vg_intel_hit *hits, size_t max,
                           uint32_t *counts)
{
    size_t total = 0, half = BATCH_AHEAD / 2;
    for (size_t i = 0; i < n && i < BATCH_AHEAD; i++)
        vg_snap_prefetch(s, inds[i]);
    for (size_t i = 0; i < n; i++) {     /* buckets BATCH_AHEAD values ahead, text records half that */
        if (i + BATCH_AHEAD < n)
            vg_snap_prefetch(s, inds[i + BATCH_AHEAD]);
        if (i + half < n)
            prefetch_value_records(s, inds[i + half]);
        /* at most VG_INTEL_MAX_HITS per value, as a single lookup: only a damaged file has more */
        size_t room = max - total < VG_INTEL_MAX_HITS ? max - total : VG_INTEL_MAX_HITS;
        size_t got = vg_snap_match(s, inds[i], hits + total, room);
        counts[i] = (uint32_t)got;
        total += got;
    }
    return total;
}

/* A URL as itself, without its scheme (with and without the query), and by its path (with
 * and without the query). */
static size_t match_url(const vg_snap *s, const char *u, size_t n, vg_intel_hit *hits, size_t max)
{
    const char *end = u + n;
    size_t count = text_hit(s, VG_IND_URL, u, n, hits, 0, max);
    const char *sep = u[0] == '/' ? NULL : memmem(u, n, "://", 3);
    const char *rest = sep ? sep + 3 : u;       /* without the scheme */
    if (rest != u)
        count = text_hit(s, VG_IND_URL, rest, (size_t)(end - rest), hits, count, max);
    const char *query = memchr(rest, '?', (size_t)(end - rest));
    if (query && u[0] != '/')
        count = text_hit(s, VG_IND_URL, rest, (size_t)(query - rest), hits, count, max);
    const char *path = u[0] == '/' ? u : memchr(rest, '/', (size_t)(end - rest));
    if (path && path != u)
        count = text_hit(s, VG_IND_URL, path, (size_t)(end - path), hits, count, max);
    if (path && query)
        count = text_hit(s, VG_IND_URL, path, (size_t)(query - path), hits, count, max);
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
        return text_hit(s, ind->type, (const char *)ind->key, ind->len, hits, 0, max);
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

/* The provenance record at PROVS offset off into p; 0 if damaged. */
static int prov_at(const vg_snap *s, uint32_t off, snap_prov *p)
{
    uint64_t next;
    return s->provs && snap_prov_decode(s->provs, s->nprovs, off, p, &next);
}

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
    snap_prov rec;
    if (!prov_at(s, id, &rec))
        return -1;
    const snap_prov *p = &rec;
    memset(out, 0, sizeof *out);
    if (p->feed < s->nfeeds) {
        const snap_feed *f = &s->feeds[p->feed];
        out->feed = vg_snap_text_at(s, f->name);
        out->format = f->format < VG_FEED_NFORMATS ? (vg_feed_format)f->format : VG_FEED_PLAIN;
        out->role = f->role == VG_INTEL_ALLOW ? VG_INTEL_ALLOW : VG_INTEL_BLOCK;
        out->weight = f->weight;
    } else {
        out->feed = "?";
    }
    out->family = vg_snap_text_at(s, p->family);
    out->aliases = vg_snap_text_at(s, p->aliases);
    out->note = vg_snap_text_at(s, p->note);
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
    return offs && j < n ? vg_snap_text_at(s, offs[j]) : "?";
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

/* What the deep checks know beyond the snapshot: where the provenance records start. */
typedef struct verifier {
    const vg_snap *s;
    uint64_t *prov_start;       /* bit per PROVS byte: a record starts there */
} verifier;

static int ref_ok(const verifier *v, uint32_t ref)
{
    const vg_snap *s = v->s;
    uint32_t n = 1, one = ref & ~SNAP_REF_SINGLE;
    const uint32_t *ids = ref & SNAP_REF_SINGLE ? &one : list_at(s->provlists, s->nprovlists, ref, &n);
    for (uint32_t k = 0; ids && k < n; k++)
        if (ids[k] >= s->nprovs || !(v->prov_start[ids[k] >> 6] >> (ids[k] & 63) & 1))
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

/* Feeds, every provenance record in order (marking where each starts), the suffix dictionary. */
static vg_rc verify_records(verifier *v, vg_error *err)
{
    const vg_snap *s = v->s;
    for (uint64_t i = 0; i < s->nfeeds; i++)
        if (!string_ok(s, s->feeds[i].name) || !string_ok(s, s->feeds[i].path))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: feed %llu has a bad name", (unsigned long long)i);
    for (uint64_t at = 0, i = 0; at < s->nprovs; i++) {
        snap_prov p;
        uint64_t next;
        uint32_t n = 0;
        int ok = snap_prov_decode(s->provs, s->nprovs, at, &p, &next);
        const uint32_t *refs = ok && p.refs ? list_at(s->reflists, s->nreflists, p.refs, &n) : NULL;
        ok = ok && p.feed < s->nfeeds && string_ok(s, p.family) && string_ok(s, p.aliases) && string_ok(s, p.note) &&
             (!p.refs || refs);
        for (uint32_t k = 0; ok && k < n; k++)
            ok = string_ok(s, refs[k]);
        if (!ok)
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: provenance record %llu is damaged",
                           (unsigned long long)i);
        v->prov_start[at >> 6] |= 1ull << (at & 63);
        at = next;
    }
    for (uint32_t sid = 1; sid <= s->ndsfx; sid++) {
        size_t n;
        const unsigned char *p = dsuffix(s, sid, &n);
        if (!p || n < 2 || n > VG_DOMAIN_MAX || p[0] != '.')
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: domain suffix %u is damaged", sid);
    }
    return VG_OK;
}

/* Is entry j of IPv4 bucket b sound: its sources readable, its key in the filter? */
static int bucket4_entry_ok(const verifier *v, const snap_bucket4 *b, unsigned j)
{
    if (!b->ref[j])
        return 1;
    return ref_ok(v, b->ref[j]) && snap_filter_maybe(&v->s->table[VG_IND_IPV4], snap_hash4(b->key[j], v->s->seed));
}

/* Is entry j of text bucket b of the table of type sound: used entries first, its record
 * inside KEYS with its sources readable, its tag that of its key, its mode allowed, its key
 * in the filter? */
static int tbucket_entry_ok(const verifier *v, int type, const snap_tbucket *b, unsigned j)
{
    const vg_snap *s = v->s;
    const snap_table *t = &s->table[type];
    unsigned mode = b->tag[j] & SNAP_SUB_MASK;
    text_rec r;
    if (!b->tag[j])
        return j + 1 == SNAP_TBUCKET_SLOTS || !b->tag[j + 1];
    if (mode == SNAP_SUB_MASK || (mode != SNAP_SUB_NONE && type != VG_IND_DOMAIN) || !rec_at(t, b, j, &r) ||
        !ref_ok(v, r.ref) || (mode == SNAP_SUB_OWN && !ref_ok(v, r.ref_sub)))
        return 0;
    unsigned char name[VG_DOMAIN_MAX];
    const unsigned char *key = r.key;
    size_t n = r.len;
    if (type == VG_IND_DOMAIN) {
        const unsigned char *pre, *suf;
        size_t pn, sn;
        if (!domain_parts(s, r.key, r.len, &pre, &pn, &suf, &sn) || pn == 0 || pn + sn > VG_DOMAIN_MAX)
            return 0;
        memcpy(name, pre, pn);
        memcpy(name + pn, suf, sn);
        key = name;
        n = pn + sn;
    }
    uint64_t h = snap_key_hash(type, key, n, s->seed);
    if (type == VG_IND_DOMAIN && snap_dtop_member(mode, key, n) && !dtop_has(s, h))
        return 0;   /* a one-label name that matches subdomains must be in DTOP */
    return snap_tag(h) == (b->tag[j] & (uint16_t)~SNAP_SUB_MASK) &&
           snap_filter_has(t, h, snap_entry_filter_bits(type, mode, h));
}

/* DTOP's hashes ascending, each with its bit in the bitmap. */
static vg_rc verify_dtop(const vg_snap *s, vg_error *err)
{
    const uint64_t *v = s->dtop ? s->dtop + SNAP_DTOP_WORDS : NULL;
    for (uint64_t i = 0; v && i < s->ndtop; i++) {
        uint64_t b = snap_dtop_bit(v[i]);
        if ((i && v[i] <= v[i - 1]) || !(s->dtop[b / 64] >> (b % 64) & 1))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: one-label domain section is damaged");
    }
    return VG_OK;
}

static vg_rc verify_tables(const verifier *v, vg_error *err)
{
    const vg_snap *s = v->s;
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        const snap_table *tb = &s->table[t];
        for (uint64_t i = 0; tb->slots && i < tb->cap; i++) {
            int ok = 1;
            if (t == VG_IND_IPV4) {
                const snap_bucket4 *b = (const snap_bucket4 *)(const void *)tb->slots + i;
                for (unsigned j = 0; ok && j < SNAP_BUCKET_SLOTS; j++)
                    ok = bucket4_entry_ok(v, b, j);
            } else if (snap_is_text_type(t)) {
                const snap_tbucket *b = (const snap_tbucket *)(const void *)tb->slots + i;
                for (unsigned j = 0; ok && j < SNAP_TBUCKET_SLOTS; j++)
                    ok = tbucket_entry_ok(v, t, b, j);
            } else {
                uint32_t ref;
                const unsigned char *slot = tb->slots + i * tb->elem;
                memcpy(&ref, slot, 4);
                ok = !ref || (ref_ok(v, ref) && snap_filter_maybe(tb, snap_hash(slot + 4, snap_key_size(t), s->seed)));
            }
            if (!ok)
                return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: slot %llu of the %s table is damaged",
                               (unsigned long long)i, vg_ind_kind_name(t));
        }
    }
    return VG_OK;
}

/* A segment value: none, one network, or a list of networks, all below nnets. */
static int netlist_ok(const uint32_t *lists, uint64_t nlists, uint32_t off, uint64_t nnets)
{
    if (off == 0)
        return 1;
    if (off & SNAP_NET_SINGLE)
        return (off & ~SNAP_NET_SINGLE) < nnets;
    uint32_t n;
    const uint32_t *ids = list_at(lists, nlists, off, &n);
    for (uint32_t k = 0; ids && k < n; k++)
        if (ids[k] >= nnets)
            return 0;
    return ids != NULL;
}

static vg_rc verify_networks(const verifier *v, vg_error *err)
{
    const vg_snap *s = v->s;
    for (uint64_t i = 0; i < s->nnets4; i++)
        if (s->nets4[i].prefix > 32 || !ref_ok(v, s->nets4[i].ref))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 network %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nnets6; i++)
        if (s->nets6[i].prefix > 128 || !ref_ok(v, s->nets6[i].ref))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv6 network %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nseg4; i++)
        if ((i && s->seg4_start[i] <= s->seg4_start[i - 1]) ||
            !netlist_ok(s->netlists4, s->nnetlists4, s->seg4_value[i], s->nnets4))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment %llu is damaged", (unsigned long long)i);
    for (uint64_t i = 0; i < s->nseg6; i++)
        if ((i && seg6_le(&s->seg6_start[i], s->seg6_start[i - 1].hi, s->seg6_start[i - 1].lo)) ||
            !netlist_ok(s->netlists6, s->nnetlists6, s->seg6_value[i], s->nnets6))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv6 segment %llu is damaged", (unsigned long long)i);
    for (uint64_t h = 0; s->seg4_index && h + 1 < s->nseg4_index; h++) {
        uint32_t j = s->seg4_index[h], first = (uint32_t)(h << s->seg4_shift);
        if (j >= s->nseg4 || s->seg4_start[j] > first || (j + 1 < s->nseg4 && s->seg4_start[j + 1] <= first))
            return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment index is damaged");
    }
    if (s->seg4_index && s->seg4_index[s->nseg4_index - 1] != s->nseg4 - 1)
        return vg_fail(err, VG_ERR_PARSE, 0, "not a valid snapshot: IPv4 segment index is damaged");
    return VG_OK;
}

vg_rc vg_snap_verify(const vg_snap *s, vg_error *err)
{
    verifier v = { s, vg_calloc((size_t)(s->nprovs / 64 + 1), sizeof(uint64_t)) };
    if (!v.prov_start)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory while verifying the snapshot");
    vg_rc rc = verify_checksum(s, err);
    if (!rc)
        rc = verify_records(&v, err);
    if (!rc)
        rc = verify_dtop(s, err);
    if (!rc)
        rc = verify_tables(&v, err);
    if (!rc)
        rc = verify_networks(&v, err);
    vg_free(v.prov_start);
    return rc;
}

/*
 * intel-store-write: lays out a built store as a snapshot file (intel-format.h) and writes it
 * atomically. Steps: strings blob (the most used strings first), reference lists,
 * provenance records (variable length), the dictionary of domain suffixes, per indicator its
 * provenance reference (a single record or a deduplicated list), one hash table per type
 * (IPv4 in cache-line buckets of 8 filled to 0.8; text keys in buckets of 15 filled to 0.85,
 * their records laid out bucket by bucket in a KEYS section once every key is placed; other
 * fixed-size keys inline, linear probing, load at most 0.7) with its filter, the networks of
 * each family sorted by address and turned into disjoint segments (a sweep with a stack of
 * open networks: CIDR networks either nest or are disjoint), then the file: sections 64-byte
 * aligned, the body hashed with SHA-256 as it is written, the header last, fsync, rename.
 */
#include "intel-store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intel-store-internal.h"
#include "util-buf.h"
#include "util-mem.h"

typedef unsigned __int128 u128;

typedef struct u32vec {
    uint32_t *v;
    size_t n, cap;
} u32vec;

typedef struct out_sec {
    uint32_t id, elem;
    const void *data;
    uint64_t count;
} out_sec;

typedef struct seg_set {
    u128 *start;
    uint32_t *value;        /* NETLISTS offset, 0: no network */
    size_t n, cap;
    u32vec lists;           /* [0], then [n, net...] per list */
} seg_set;

typedef struct layout {
    vg_istore *s;
    uint64_t seed;
    uint32_t *str_off;          /* per string id: STRINGS offset */
    unsigned char *strings;
    size_t strings_len;
    uint32_t *reflist_off;      /* per reference list id */
    u32vec reflists;
    snap_prov *provs;           /* decoded, per provenance id */
    uint32_t *prov_off;         /* per provenance id: PROVS offset */
    vg_buf prov_bytes;          /* PROVS */
    interner dsuffix;           /* domain suffixes: id + 1 is the suffix id */
    vg_buf dsuffix_sec;         /* DSUFFIX */
    vg_buf tmp_recs[SNAP_MAX_TYPES];    /* text types: records as placed (u16 length, bytes) */
    uint64_t *tmp_ent[SNAP_MAX_TYPES];  /* per table entry: its tmp_recs offset + 1 */
    interner plists;            /* distinct provenance lists */
    u32vec plist_off;           /* per list id: PROVLISTS offset */
    u32vec provlists;
    snap_feed *feeds;
    unsigned char *table[SNAP_MAX_TYPES];
    uint64_t table_cap[SNAP_MAX_TYPES];
    uint64_t *filter[SNAP_MAX_TYPES];
    uint64_t filter_words[SNAP_MAX_TYPES];
    vg_buf keys[SNAP_MAX_TYPES];        /* text types: the KEYS records */
    snap_net4 *nets4;
    snap_net6 *nets6;
    size_t nnets4, nnets6;
    seg_set seg4, seg6;
    uint32_t *seg4_start, *seg4_index;
    uint64_t nseg4_index;       /* entries of seg4_index: 2^bits + 1 */
    snap_seg6 *seg6_start;
    vg_buf dtop;                /* hashes (u64) of the one-label domain entries that match subdomains */
    uint64_t *dtop_sec;         /* the DTOP section: bitmap, then those hashes sorted */
    size_t ndtop;
    out_sec secs[SNAP_MAX_SECTIONS];
    unsigned nsecs;
} layout;

static int vec_push(u32vec *v, uint32_t x)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        uint32_t *p = vg_realloc(v->v, cap * sizeof *p);
        if (!p)
            return -1;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return 0;
}

static void add_section(layout *L, uint32_t id, uint32_t elem, const void *data, uint64_t count)
{
    if (L->nsecs < SNAP_MAX_SECTIONS && count)
        L->secs[L->nsecs++] = (out_sec){ id, elem, data, count };
}

static vg_rc nomem(vg_error *err)
{
    return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory while laying out the snapshot");
}

/* ---- strings, reference lists, provenance ------------------------------------------------ */

static vg_rc intern_names(layout *L, vg_error *err)
{
    vg_istore *s = L->s;
    for (unsigned f = 0; f < s->nfeeds; f++)
        if (interner_add(&s->strings, s->feeds[f].name, strlen(s->feeds[f].name), NULL) < 0 ||
            interner_add(&s->strings, s->feeds[f].path, strlen(s->feeds[f].path), NULL) < 0)
            return nomem(err);
    return VG_OK;
}

typedef struct str_use {
    uint32_t uses, id;
} str_use;

static int cmp_uses(const void *a, const void *b)
{
    const str_use *x = a, *y = b;
    if (x->uses != y->uses)
        return x->uses > y->uses ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* String ids in file order: "" first, then by uses in provenance records and reference lists,
 * most used first (their offsets are the shortest varints). */
static uint32_t *string_order(layout *L)
{
    const vg_istore *s = L->s;
    uint32_t n = s->strings.n, *order = vg_malloc((n ? n : 1) * sizeof *order);
    str_use *u = vg_calloc(n ? n : 1, sizeof *u);
    if (!u || !order) {
        vg_free(u);
        vg_free(order);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        u[i].id = i;
    for (uint32_t i = 0; i < s->provs.n; i++) {
        size_t len;
        build_prov bp;
        memcpy(&bp, interner_get(&s->provs, i, &len), sizeof bp);
        u[bp.family].uses++;
        u[bp.aliases].uses++;
        u[bp.note].uses++;
    }
    for (uint32_t r = 0; r < s->reflists.n; r++) {
        size_t len;
        const unsigned char *p = interner_get(&s->reflists, r, &len);
        for (size_t k = 0; k < len / 4; k++) {
            uint32_t sid;
            memcpy(&sid, p + 4 * k, 4);
            u[sid].uses++;
        }
    }
    if (n)
        u[0].uses = UINT32_MAX;
    qsort(u, n, sizeof *u, cmp_uses);
    for (uint32_t i = 0; i < n; i++)
        order[i] = u[i].id;
    vg_free(u);
    return order;
}

static vg_rc layout_strings(layout *L, vg_error *err)
{
    const interner *t = &L->s->strings;
    uint64_t total = 0;
    for (uint32_t i = 0; i < t->n; i++)
        total += 3 + (t->off[i + 1] - t->off[i]);
    if (total > UINT32_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "strings take more than 4 GiB");
    L->strings = vg_malloc(total ? (size_t)total : 1);
    L->str_off = vg_malloc((size_t)t->n * sizeof *L->str_off);
    uint32_t *order = string_order(L);
    if (!L->strings || !L->str_off || !order) {
        vg_free(order);
        return nomem(err);
    }
    size_t pos = 0;
    for (uint32_t k = 0; k < t->n; k++) {
        size_t n;
        uint32_t i = order[k];
        const unsigned char *p = interner_get(t, i, &n);
        L->str_off[i] = (uint32_t)pos;
        L->strings[pos] = (unsigned char)(n & 0xff);
        L->strings[pos + 1] = (unsigned char)(n >> 8);
        memcpy(L->strings + pos + 2, p, n);
        L->strings[pos + 2 + n] = 0;
        pos += 3 + n;
    }
    vg_free(order);
    L->strings_len = pos;
    return VG_OK;
}

static vg_rc layout_provs(layout *L, vg_error *err)
{
    vg_istore *s = L->s;
    L->reflist_off = vg_malloc(((size_t)s->reflists.n + 1) * sizeof *L->reflist_off);
    L->provs = vg_malloc(((size_t)s->provs.n + 1) * sizeof *L->provs);
    L->prov_off = vg_malloc(((size_t)s->provs.n + 1) * sizeof *L->prov_off);
    if (!L->reflist_off || !L->provs || !L->prov_off || vec_push(&L->reflists, 0) != 0)
        return nomem(err);
    for (uint32_t r = 0; r < s->reflists.n; r++) {
        size_t n;
        const unsigned char *p = interner_get(&s->reflists, r, &n);
        L->reflist_off[r] = (uint32_t)L->reflists.n;
        if (vec_push(&L->reflists, (uint32_t)(n / 4)) != 0)
            return nomem(err);
        for (size_t k = 0; k < n / 4; k++) {
            uint32_t sid;
            memcpy(&sid, p + 4 * k, 4);
            if (vec_push(&L->reflists, L->str_off[sid]) != 0)
                return nomem(err);
        }
    }
    if (L->reflists.n > UINT32_MAX)
        return vg_fail(err, VG_ERR_LIMIT, 0, "reference lists too large");
    for (uint32_t i = 0; i < s->provs.n; i++) {
        size_t n;
        build_prov bp;
        memcpy(&bp, interner_get(&s->provs, i, &n), sizeof bp);
        snap_prov *p = &L->provs[i];
        memset(p, 0, sizeof *p);
        p->feed = bp.feed;
        p->flags = bp.flags;
        p->family = L->str_off[bp.family];
        p->aliases = L->str_off[bp.aliases];
        p->note = L->str_off[bp.note];
        p->refs = bp.refs ? L->reflist_off[bp.refs - 1] : 0;
        p->count = bp.count;
        p->first_seen = bp.first_seen;
        p->last_seen = bp.last_seen;
        p->expires = bp.expires;
        unsigned char enc[SNAP_PROV_MAX];
        size_t len = snap_prov_encode(p, enc);
        if (L->prov_bytes.len + len >= SNAP_REF_SINGLE)
            return vg_fail(err, VG_ERR_LIMIT, 0, "provenance records take more than 2 GiB");
        L->prov_off[i] = (uint32_t)L->prov_bytes.len;
        if (vg_buf_append(&L->prov_bytes, enc, len) != VG_OK)
            return nomem(err);
    }
    return VG_OK;
}

/* The reference of the provenance list ids[0..n): one record inline, else a shared list. */
static int64_t make_ref(layout *L, const uint32_t *ids, size_t n)
{
    if (n == 0)
        return 0;
    if (n == 1)
        return SNAP_REF_SINGLE | L->prov_off[ids[0]];
    int fresh;
    int64_t id = interner_add(&L->plists, ids, n * sizeof *ids, &fresh);
    if (id < 0)
        return -1;
    if (fresh) {
        if (L->provlists.n == 0 && vec_push(&L->provlists, 0) != 0)
            return -1;
        if (L->provlists.n + n + 1 >= SNAP_REF_SINGLE)
            return -1;
        if (vec_push(&L->plist_off, (uint32_t)L->provlists.n) != 0 || vec_push(&L->provlists, (uint32_t)n) != 0)
            return -1;
        for (size_t k = 0; k < n; k++)
            if (vec_push(&L->provlists, L->prov_off[ids[k]]) != 0)
                return -1;
    }
    return L->plist_off.v[id];
}

/* ---- feeds ------------------------------------------------------------------------------ */

static vg_rc layout_feeds(layout *L, int64_t now, vg_error *err)
{
    vg_istore *s = L->s;
    L->feeds = vg_calloc(s->nfeeds ? s->nfeeds : 1, sizeof *L->feeds);
    if (!L->feeds)
        return nomem(err);
    for (unsigned f = 0; f < s->nfeeds; f++) {
        const store_feed *sf = &s->feeds[f];
        snap_feed *d = &L->feeds[f];
        d->name = L->str_off[interner_add(&s->strings, sf->name, strlen(sf->name), NULL)];
        d->path = L->str_off[interner_add(&s->strings, sf->path, strlen(sf->path), NULL)];
        d->format = (uint8_t)sf->conf.format;
        d->role = (uint8_t)sf->conf.role;
        d->weight = (uint16_t)(sf->conf.weight > 65535 ? 65535 : sf->conf.weight);
        d->expire_days = sf->conf.expire_days;
        d->loaded = now;
        d->records = sf->st.records;
        d->accepted = sf->st.accepted;
        d->rejected = sf->st.rejected;
        d->expired = sf->expired;
        d->files = sf->files;
        for (int t = 0; t < VG_IND_NTYPES; t++)
            d->entries[t] = (uint32_t)(sf->st.per_type[t] > UINT32_MAX ? UINT32_MAX : sf->st.per_type[t]);
    }
    return VG_OK;
}

/* ---- domain suffixes -------------------------------------------------------------------------- */

typedef struct sfx_cand {
    uint64_t score;
    uint32_t id;
} sfx_cand;

static int cmp_cand(const void *a, const void *b)
{
    const sfx_cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Counts every label suffix (".example.com", ".com") of the stored domain names in cand. */
static int count_suffixes(const vg_istore *s, interner *cand, u32vec *count)
{
    for (uint32_t i = 0; i < s->inds.n; i++) {
        size_t n;
        const unsigned char *k = interner_get(&s->inds, i, &n);
        if (k[0] != VG_IND_DOMAIN)
            continue;
        for (size_t j = 2; j < n; j++) {
            if (k[j] != '.')
                continue;
            int fresh;
            int64_t id = interner_add(cand, k + j, n - j, &fresh);
            if (id < 0 || (fresh && vec_push(count, 0) != 0))
                return -1;
            count->v[id]++;
        }
    }
    return 0;
}

/* The dictionary of domain suffixes: of the suffixes that save bytes (a name stores a 1-byte
 * id instead), the SNAP_SID_MAX that save the most (few: a lookup reads the dictionary, which
 * must stay in cache), the most frequent first; then the DSUFFIX section: u32 n, u32 end[n],
 * the bytes. */
static vg_rc build_dsuffixes(layout *L, vg_error *err)
{
    interner cand = { 0 };
    u32vec count = { 0 };
    sfx_cand *c = NULL;
    size_t nc = 0;
    vg_rc rc = VG_OK;
    if (count_suffixes(L->s, &cand, &count) != 0 || !(c = vg_malloc((count.n ? count.n : 1) * sizeof *c))) {
        rc = nomem(err);
        goto done;
    }
    for (uint32_t id = 0; id < count.n; id++) {
        uint64_t len = cand.off[id + 1] - cand.off[id];
        if (count.v[id] >= 2 && len > 1 && count.v[id] * (len - 1) > len + 4)
            c[nc++] = (sfx_cand){ count.v[id] * (len - 1), id };
    }
    qsort(c, nc, sizeof *c, cmp_cand);
    if (nc > SNAP_SID_MAX)
        nc = SNAP_SID_MAX;
    for (size_t k = 0; k < nc; k++)
        c[k].score = count.v[c[k].id];
    qsort(c, nc, sizeof *c, cmp_cand);
    uint32_t n32 = (uint32_t)nc;
    if (vg_buf_append(&L->dsuffix_sec, &n32, 4) != VG_OK)
        rc = nomem(err);
    for (size_t k = 0; !rc && k < nc; k++) {
        size_t len;
        const unsigned char *p = interner_get(&cand, c[k].id, &len);
        uint32_t end = (uint32_t)(L->dsuffix.len + len);
        if (interner_add(&L->dsuffix, p, len, NULL) < 0 || vg_buf_append(&L->dsuffix_sec, &end, 4) != VG_OK)
            rc = nomem(err);
    }
    if (!rc && vg_buf_append(&L->dsuffix_sec, L->dsuffix.data, L->dsuffix.len) != VG_OK)
        rc = nomem(err);
    if (!rc && nc == 0)
        vg_buf_free(&L->dsuffix_sec);     /* no section: no name has a suffix id */
done:
    interner_free(&cand);
    vg_free(count.v);
    vg_free(c);
    return rc;
}

/* ---- hash tables and networks ---------------------------------------------------------------- */

static vg_rc alloc_tables(layout *L, vg_error *err)
{
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        uint64_t n = L->s->count[t];
        if (t == VG_IND_CIDR4 || t == VG_IND_CIDR6 || n == 0)
            continue;
        uint64_t cap = snap_table_capacity(t, n);
        uint32_t elem = snap_table_elem(t);
        L->table[t] = vg_calloc((size_t)cap, elem);
        L->filter_words[t] = snap_filter_words(n);
        L->filter[t] = vg_calloc((size_t)L->filter_words[t], sizeof(uint64_t));
        if (!L->table[t] || !L->filter[t])
            return nomem(err);
        if (snap_is_text_type(t) && !(L->tmp_ent[t] = vg_calloc((size_t)cap * SNAP_TBUCKET_SLOTS, sizeof(uint64_t))))
            return nomem(err);
        L->table_cap[t] = cap;
    }
    L->nets4 = vg_calloc(L->s->count[VG_IND_CIDR4] + 1, sizeof *L->nets4);
    L->nets6 = vg_calloc(L->s->count[VG_IND_CIDR6] + 1, sizeof *L->nets6);
    return L->nets4 && L->nets6 ? VG_OK : nomem(err);
}

/* Sets the filter bits of an entry of hash h and subdomain mode (SNAP_SUB_NONE for every
 * type but domains). */
static void filter_add(layout *L, int type, unsigned mode, uint64_t h)
{
    L->filter[type][snap_filter_word(h, L->filter_words[type])] |= snap_entry_filter_bits(type, mode, h);
}

static void insert_fixed(layout *L, int type, const unsigned char *key, uint32_t ref)
{
    uint32_t elem = snap_fixed_slot_size(type), ksize = snap_key_size(type);
    uint64_t cap = L->table_cap[type], h = snap_key_hash(type, key, ksize, L->seed);
    uint64_t i = snap_slot(h, cap);
    unsigned char *slot;
    uint32_t used;
    for (;; i = i + 1 == cap ? 0 : i + 1) {
        slot = L->table[type] + i * elem;
        memcpy(&used, slot, 4);
        if (!used)
            break;
    }
    memcpy(slot, &ref, 4);
    memcpy(slot + 4, key, ksize);
    filter_add(L, type, SNAP_SUB_NONE, h);
}

/* The IPv4 table: the first free entry of the home bucket, or of the buckets after it (a ref
 * is never 0). */
static void insert_ipv4(layout *L, uint64_t h, uint32_t key, uint32_t ref)
{
    uint64_t cap = L->table_cap[VG_IND_IPV4];
    snap_bucket4 *buckets = (snap_bucket4 *)L->table[VG_IND_IPV4];
    for (uint64_t k = snap_slot(h, cap);; k = k + 1 == cap ? 0 : k + 1) {
        for (unsigned j = 0; j < SNAP_BUCKET_SLOTS; j++) {
            if (!buckets[k].ref[j]) {
                buckets[k].key[j] = key;
                buckets[k].ref[j] = ref;
                filter_add(L, VG_IND_IPV4, SNAP_SUB_NONE, h);
                return;
            }
        }
    }
}

/* The suffix id of the longest dictionary suffix of a domain name (0: none) and the length of
 * the name without it. */
static uint32_t domain_suffix(const layout *L, const unsigned char *key, size_t n, size_t *prefix)
{
    *prefix = n;
    if (L->dsuffix.n == 0)
        return 0;
    for (size_t j = 0; j < n; j++) {
        if (key[j] != '.')
            continue;
        int64_t id = interner_find(&L->dsuffix, key + j, n - j);
        if (id >= 0) {
            *prefix = j;
            return (uint32_t)id + 1;
        }
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The DTOP section: its bitmap, then the hashes insert_text noted, sorted (unique: each name
 * is one entry). */
static int dtop_section(layout *L)
{
    L->ndtop = L->dtop.len / sizeof(uint64_t);
    L->dtop_sec = vg_calloc(SNAP_DTOP_WORDS + L->ndtop, sizeof *L->dtop_sec);
    if (!L->dtop_sec)
        return -1;
    uint64_t *h = L->dtop_sec + SNAP_DTOP_WORDS;
    if (L->ndtop) {
        memcpy(h, L->dtop.data, L->ndtop * sizeof *h);
        qsort(h, L->ndtop, sizeof *h, cmp_u64);
    }
    for (size_t i = 0; i < L->ndtop; i++)
        L->dtop_sec[snap_dtop_bit(h[i]) / 64] |= 1ull << (snap_dtop_bit(h[i]) % 64);
    return 0;
}

/* A text key: its record kept aside (u16 length, record), its tag in the first free entry of
 * its home bucket or of the buckets after it. The records go to KEYS in bucket order once
 * every key is placed (text_records). */
static int insert_text(layout *L, int type, const unsigned char *key, size_t n, uint32_t ref, uint32_t ref_sub)
{
    vg_buf *tmp = &L->tmp_recs[type];
    unsigned mode = type != VG_IND_DOMAIN || !ref_sub ? SNAP_SUB_NONE : ref_sub == ref ? SNAP_SUB_ALL : SNAP_SUB_OWN;
    unsigned char hdr[2 + 4 + 4 + 2];
    size_t hn = 2, kn = n;
    memcpy(hdr + hn, &ref, 4);
    hn += 4;
    if (mode == SNAP_SUB_OWN) {
        memcpy(hdr + hn, &ref_sub, 4);
        hn += 4;
    }
    if (type == VG_IND_DOMAIN)
        hdr[hn++] = (unsigned char)domain_suffix(L, key, n, &kn);
    size_t rlen = hn - 2 + kn;
    hdr[0] = (unsigned char)(rlen & 0xff);
    hdr[1] = (unsigned char)(rlen >> 8);
    uint64_t off = tmp->len;
    if (vg_buf_append(tmp, hdr, hn) != VG_OK || vg_buf_append(tmp, key, kn) != VG_OK)
        return -1;
    uint64_t h = snap_key_hash(type, key, n, L->seed), cap = L->table_cap[type];
    snap_tbucket *buckets = (snap_tbucket *)L->table[type];
    if (snap_dtop_member(mode, key, n) && vg_buf_append(&L->dtop, &h, sizeof h) != VG_OK)
        return -1;
    for (uint64_t k = snap_slot(h, cap);; k = k + 1 == cap ? 0 : k + 1) {
        for (unsigned j = 0; j < SNAP_TBUCKET_SLOTS; j++) {
            if (!buckets[k].tag[j]) {
                buckets[k].tag[j] = (uint16_t)(snap_tag(h) | mode);
                L->tmp_ent[type][k * SNAP_TBUCKET_SLOTS + j] = off + 1;
                filter_add(L, type, mode, h);
                return 0;
            }
        }
    }
}

/* The KEYS section of a text type: the records of each bucket one after another. */
static int text_records(layout *L, int type)
{
    snap_tbucket *buckets = (snap_tbucket *)L->table[type];
    vg_buf *kv = &L->keys[type];
    const unsigned char *tmp = (const unsigned char *)L->tmp_recs[type].data;
    for (uint64_t k = 0; k < L->table_cap[type]; k++) {
        if (kv->len > UINT32_MAX)
            return -1;
        buckets[k].base = (uint32_t)kv->len;
        for (unsigned j = 0; j < SNAP_TBUCKET_SLOTS && buckets[k].tag[j]; j++) {
            const unsigned char *rec = tmp + L->tmp_ent[type][k * SNAP_TBUCKET_SLOTS + j] - 1;
            size_t rlen = (size_t)rec[0] | (size_t)rec[1] << 8;
            if (vg_buf_append(kv, rec + 2, rlen) != VG_OK)
                return -1;
            buckets[k].end[j] = (uint16_t)(kv->len - buckets[k].base);
        }
    }
    if (kv->len > UINT32_MAX)
        return -1;
    vg_buf_free(&L->tmp_recs[type]);
    vg_free(L->tmp_ent[type]);
    L->tmp_ent[type] = NULL;
    return 0;
}

/* Collects the provenance ids of indicator i into ids (grown as needed); counts the feeds. */
static size_t gather_provs(layout *L, uint32_t i, u32vec *ids, uint32_t *feed_mark, int type)
{
    ids->n = 0;
    for (uint32_t k = L->s->head[i]; k; k = L->s->nodes[k - 1].next) {
        uint32_t pid = L->s->nodes[k - 1].prov;
        if (vec_push(ids, pid) != 0)
            return (size_t)-1;
        uint16_t feed = L->provs[pid].feed;
        if (feed_mark[feed] != i + 1) {
            feed_mark[feed] = i + 1;
            L->feeds[feed].unique[type]++;
        }
    }
    return ids->n;
}

/* The subset of ids whose sources also match subdomains, into sub. */
static void subdomain_provs(layout *L, const u32vec *ids, u32vec *sub)
{
    sub->n = 0;
    for (size_t k = 0; k < ids->n; k++)
        if (!(L->provs[ids->v[k]].flags & VG_PROV_HOST_ONLY))
            vec_push(sub, ids->v[k]);
}

static vg_rc place_indicators(layout *L, vg_error *err)
{
    vg_istore *s = L->s;
    u32vec ids = { 0 }, sub = { 0 };
    uint32_t *feed_mark = vg_calloc(s->nfeeds ? s->nfeeds : 1, sizeof *feed_mark);
    vg_rc rc = feed_mark ? VG_OK : nomem(err);
    for (uint32_t i = 0; !rc && i < s->inds.n; i++) {
        size_t n;
        const unsigned char *k = interner_get(&s->inds, i, &n);
        int type = k[0];
        if (gather_provs(L, i, &ids, feed_mark, type) == (size_t)-1) {
            rc = nomem(err);
            break;
        }
        int64_t ref = make_ref(L, ids.v, ids.n), ref_sub = 0;
        if (type == VG_IND_DOMAIN) {
            subdomain_provs(L, &ids, &sub);
            ref_sub = sub.n == ids.n ? ref : make_ref(L, sub.v, sub.n);
        }
        if (ref < 0 || ref_sub < 0) {
            rc = vg_fail(err, VG_ERR_LIMIT, 0, "provenance lists too large or out of memory");
            break;
        }
        if (type == VG_IND_CIDR4) {
            snap_net4 *d = &L->nets4[L->nnets4++];
            memcpy(d->addr, k + 2, 4);
            d->prefix = k[1];
            d->ref = (uint32_t)ref;
        } else if (type == VG_IND_CIDR6) {
            snap_net6 *d = &L->nets6[L->nnets6++];
            memcpy(d->addr, k + 2, 16);
            d->prefix = k[1];
            d->ref = (uint32_t)ref;
        } else if (type == VG_IND_IPV4) {
            uint32_t key;
            memcpy(&key, k + 2, 4);
            insert_ipv4(L, snap_hash4(key, L->seed), key, (uint32_t)ref);
        } else if (snap_is_text_type(type)) {
            if (insert_text(L, type, k + 2, n - 2, (uint32_t)ref, (uint32_t)ref_sub) != 0) {
                rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s keys take more than 4 GiB or out of memory",
                             vg_ind_kind_name(type));
                break;
            }
        } else {
            insert_fixed(L, type, k + 2, (uint32_t)ref);
        }
    }
    for (int t = 1; !rc && t < VG_IND_NTYPES; t++)
        if (snap_is_text_type(t) && L->table[t] && text_records(L, t) != 0)
            rc = vg_fail(err, VG_ERR_LIMIT, 0, "%s keys take more than 4 GiB or out of memory", vg_ind_kind_name(t));
    if (!rc && L->table[VG_IND_DOMAIN] && dtop_section(L) != 0)
        rc = nomem(err);
    vg_free(ids.v);
    vg_free(sub.v);
    vg_free(feed_mark);
    return rc;
}

/* ---- network segments ------------------------------------------------------------------------ */

static u128 addr_value(const unsigned char *a, size_t len)
{
    u128 v = 0;
    for (size_t i = 0; i < len; i++)
        v = v << 8 | a[i];
    return v;
}

static int cmp_net4(const void *a, const void *b)
{
    const snap_net4 *x = a, *y = b;
    int c = memcmp(x->addr, y->addr, 4);
    return c ? c : (int)x->prefix - (int)y->prefix;
}

static int cmp_net6(const void *a, const void *b)
{
    const snap_net6 *x = a, *y = b;
    int c = memcmp(x->addr, y->addr, 16);
    return c ? c : (int)x->prefix - (int)y->prefix;
}

/* Does the segment value `value` (none, one network, a NETLISTS offset) equal the reverse of
 * stack[0..depth)? */
static int same_list(const seg_set *ss, uint32_t value, const uint32_t *stack, size_t depth)
{
    if (value == 0)
        return depth == 0;
    if (value & SNAP_NET_SINGLE)
        return depth == 1 && stack[0] == (value & ~SNAP_NET_SINGLE);
    if (ss->lists.v[value] != depth)
        return 0;
    for (size_t k = 0; k < depth; k++)
        if (ss->lists.v[value + 1 + k] != stack[depth - 1 - k])
            return 0;
    return 1;
}

/* Starts a segment at start covered by the networks on the stack (innermost last). */
static int seg_emit(seg_set *ss, u128 start, const uint32_t *stack, size_t depth)
{
    if (ss->n && ss->start[ss->n - 1] == start)
        ss->n--;
    if (ss->n && same_list(ss, ss->value[ss->n - 1], stack, depth))
        return 0;
    if (ss->n == ss->cap) {
        size_t cap = ss->cap ? ss->cap * 2 : 1024;
        u128 *st = vg_realloc(ss->start, cap * sizeof *st);
        if (!st)
            return -1;
        ss->start = st;
        uint32_t *val = vg_realloc(ss->value, cap * sizeof *val);
        if (!val)
            return -1;
        ss->value = val;
        ss->cap = cap;
    }
    uint32_t value = 0;
    if (depth == 1) {
        value = SNAP_NET_SINGLE | stack[0];
    } else if (depth) {
        if ((ss->lists.n == 0 && vec_push(&ss->lists, 0) != 0) || ss->lists.n + depth + 1 >= SNAP_NET_SINGLE)
            return -1;
        value = (uint32_t)ss->lists.n;
        if (vec_push(&ss->lists, (uint32_t)depth) != 0)
            return -1;
        for (size_t k = depth; k > 0; k--)
            if (vec_push(&ss->lists, stack[k - 1]) != 0)
                return -1;
    }
    ss->start[ss->n] = start;
    ss->value[ss->n++] = value;
    return 0;
}

/* Sweeps the sorted networks (first address, last address) into disjoint segments. */
static int build_segments(seg_set *ss, const u128 *first, const u128 *last, size_t n, u128 max)
{
    uint32_t stack[130] = { 0 };
    size_t depth = 0;
    if (seg_emit(ss, 0, stack, 0) != 0)
        return -1;
    for (size_t i = 0; i <= n; i++) {
        while (depth && (i == n || last[stack[depth - 1]] < first[i])) {
            u128 end = last[stack[--depth]];
            if (end != max && seg_emit(ss, end + 1, stack, depth) != 0)
                return -1;
        }
        if (i == n)
            break;
        if (depth == sizeof stack / sizeof stack[0])
            return -1;      /* cannot happen: distinct nested networks are at most 129 deep */
        stack[depth++] = (uint32_t)i;
        if (seg_emit(ss, first[i], stack, depth) != 0)
            return -1;
    }
    return 0;
}

static int family_segments(seg_set *ss, const unsigned char *nets, size_t elem, size_t n, size_t alen)
{
    u128 *first = vg_malloc((n + 1) * sizeof *first), *last = vg_malloc((n + 1) * sizeof *last);
    int rc = first && last ? 0 : -1;
    unsigned bits = (unsigned)alen * 8;
    u128 max = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;
    for (size_t i = 0; !rc && i < n; i++) {
        const unsigned char *net = nets + i * elem;
        unsigned prefix = net[alen];
        u128 host = prefix == bits ? 0 : prefix == 0 ? max : (max >> prefix);
        first[i] = addr_value(net, alen);
        last[i] = first[i] | host;
    }
    if (!rc)
        rc = build_segments(ss, first, last, n, max);
    vg_free(first);
    vg_free(last);
    return rc;
}

static vg_rc layout_networks(layout *L, vg_error *err)
{
    qsort(L->nets4, L->nnets4, sizeof *L->nets4, cmp_net4);
    qsort(L->nets6, L->nnets6, sizeof *L->nets6, cmp_net6);
    if (L->nnets4) {
        if (family_segments(&L->seg4, (const unsigned char *)L->nets4, sizeof *L->nets4, L->nnets4, 4) != 0)
            return nomem(err);
        unsigned bits = snap_seg4_bits(L->seg4.n);
        uint64_t entries = ((uint64_t)1 << bits) + 1;
        L->seg4_start = vg_malloc(L->seg4.n * sizeof *L->seg4_start);
        L->seg4_index = vg_malloc(entries * sizeof *L->seg4_index);
        if (!L->seg4_start || !L->seg4_index)
            return nomem(err);
        L->nseg4_index = entries;
        for (size_t i = 0; i < L->seg4.n; i++)
            L->seg4_start[i] = (uint32_t)L->seg4.start[i];
        size_t j = 0;
        for (uint64_t h = 0; h < entries - 1; h++) {  /* the last segment starting at or before h's first address */
            uint32_t first = (uint32_t)(h << (32 - bits));
            while (j + 1 < L->seg4.n && L->seg4_start[j + 1] <= first)
                j++;
            L->seg4_index[h] = (uint32_t)j;
        }
        L->seg4_index[entries - 1] = (uint32_t)(L->seg4.n - 1);
    }
    if (L->nnets6) {
        if (family_segments(&L->seg6, (const unsigned char *)L->nets6, sizeof *L->nets6, L->nnets6, 16) != 0)
            return nomem(err);
        L->seg6_start = vg_malloc(L->seg6.n * sizeof *L->seg6_start);
        if (!L->seg6_start)
            return nomem(err);
        for (size_t i = 0; i < L->seg6.n; i++)
            L->seg6_start[i] = (snap_seg6){ (uint64_t)(L->seg6.start[i] >> 64), (uint64_t)L->seg6.start[i] };
    }
    return VG_OK;
}

/* ---- the file ---------------------------------------------------------------------------------- */

static void collect_sections(layout *L)
{
    add_section(L, SEC_STRINGS, 1, L->strings, L->strings_len);
    add_section(L, SEC_FEEDS, sizeof(snap_feed), L->feeds, L->s->nfeeds);
    add_section(L, SEC_PROVS, 1, L->prov_bytes.data, L->prov_bytes.len);
    add_section(L, SEC_DSUFFIX, 1, L->dsuffix_sec.data, L->dsuffix_sec.len);
    add_section(L, SEC_REFLISTS, 4, L->reflists.v, L->reflists.n);
    add_section(L, SEC_PROVLISTS, 4, L->provlists.v, L->provlists.n);
    add_section(L, SEC_COUNTS, 8, L->s->count, SNAP_MAX_TYPES);
    add_section(L, SEC_NETS4, sizeof(snap_net4), L->nets4, L->nnets4);
    add_section(L, SEC_SEG4_START, 4, L->seg4_start, L->nnets4 ? L->seg4.n : 0);
    add_section(L, SEC_SEG4_VALUE, 4, L->seg4.value, L->nnets4 ? L->seg4.n : 0);
    add_section(L, SEC_SEG4_INDEX, 4, L->seg4_index, L->nnets4 ? L->nseg4_index : 0);
    add_section(L, SEC_NETLISTS4, 4, L->seg4.lists.v, L->seg4.lists.n);
    add_section(L, SEC_NETS6, sizeof(snap_net6), L->nets6, L->nnets6);
    add_section(L, SEC_SEG6_START, sizeof(snap_seg6), L->seg6_start, L->nnets6 ? L->seg6.n : 0);
    add_section(L, SEC_SEG6_VALUE, 4, L->seg6.value, L->nnets6 ? L->seg6.n : 0);
    add_section(L, SEC_NETLISTS6, 4, L->seg6.lists.v, L->seg6.lists.n);
    for (int t = 1; t < VG_IND_NTYPES; t++) {
        if (!L->table[t])
            continue;
        add_section(L, SEC_TABLE + (uint32_t)t, snap_table_elem(t), L->table[t], L->table_cap[t]);
        add_section(L, SEC_FILTER + (uint32_t)t, 8, L->filter[t], L->filter_words[t]);
        add_section(L, SEC_KEYS + (uint32_t)t, 1, L->keys[t].data, L->keys[t].len);
    }
    if (L->dtop_sec)
        add_section(L, SEC_DTOP, 8, L->dtop_sec, SNAP_DTOP_WORDS + L->ndtop);
}

typedef struct file_out {
    int fd;
    uint64_t pos;
    EVP_MD_CTX *md;
} file_out;

static int out_write(file_out *o, const void *p, size_t n)
{
    const unsigned char *b = p;
    if (EVP_DigestUpdate(o->md, p, n) != 1)
        return -1;
    while (n) {
        ssize_t w = write(o->fd, b, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
        o->pos += (uint64_t)w;
    }
    return 0;
}

static int out_pad(file_out *o, uint64_t to)
{
    static const unsigned char zeros[SNAP_ALIGN];
    while (o->pos < to)
        if (out_write(o, zeros, (size_t)(to - o->pos > SNAP_ALIGN ? SNAP_ALIGN : to - o->pos)) != 0)
            return -1;
    return 0;
}

static uint64_t align_up(uint64_t v)
{
    return (v + SNAP_ALIGN - 1) & ~(uint64_t)(SNAP_ALIGN - 1);
}

/* Writes header placeholder, table and sections to fd; fills hdr. */
static int write_body(layout *L, int fd, snap_header *hdr)
{
    snap_section table[SNAP_MAX_SECTIONS];
    uint64_t pos = align_up(SNAP_HEADER_SIZE + (uint64_t)L->nsecs * sizeof(snap_section));
    for (unsigned i = 0; i < L->nsecs; i++) {
        table[i] = (snap_section){ L->secs[i].id, L->secs[i].elem, pos, L->secs[i].count };
        pos = align_up(pos + (uint64_t)L->secs[i].elem * L->secs[i].count);
    }
    file_out o = { fd, 0, EVP_MD_CTX_new() };
    int rc = o.md && EVP_DigestInit_ex(o.md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    memset(hdr, 0, sizeof *hdr);
    if (!rc && pwrite(fd, hdr, sizeof *hdr, 0) != (ssize_t)sizeof *hdr)
        rc = -1;
    if (!rc && lseek(fd, SNAP_HEADER_SIZE, SEEK_SET) < 0)
        rc = -1;
    o.pos = SNAP_HEADER_SIZE;
    if (!rc)
        rc = out_write(&o, table, L->nsecs * sizeof table[0]);
    for (unsigned i = 0; !rc && i < L->nsecs; i++) {
        rc = out_pad(&o, table[i].offset);
        if (!rc)
            rc = out_write(&o, L->secs[i].data, (size_t)(L->secs[i].elem * L->secs[i].count));
    }
    if (!rc)
        rc = out_pad(&o, pos);
    unsigned int mdlen = 0;
    if (!rc && EVP_DigestFinal_ex(o.md, hdr->sha256, &mdlen) != 1)
        rc = -1;
    EVP_MD_CTX_free(o.md);
    memcpy(hdr->magic, SNAP_MAGIC, 8);
    hdr->version = SNAP_VERSION;
    hdr->header_size = SNAP_HEADER_SIZE;
    hdr->file_size = pos;
    hdr->seed = L->seed;
    hdr->nsections = L->nsecs;
    return rc;
}

static vg_rc write_atomically(layout *L, const char *path, int64_t created, vg_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return vg_fail(err, VG_ERR_USAGE, 0, "%s: path too long", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot create a temporary file: %s", path, strerror(errno));
    snap_header hdr;
    int rc = fchmod(fd, 0644) != 0 || write_body(L, fd, &hdr) != 0 ? -1 : 0;
    hdr.created = created;
    if (!rc && (pwrite(fd, &hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr || fsync(fd) != 0))
        rc = -1;
    int saved = errno;
    if (close(fd) != 0 && !rc) {
        saved = errno;
        rc = -1;
    }
    if (!rc && rename(tmp, path) != 0) {
        saved = errno;
        rc = -1;
    }
    if (rc) {
        unlink(tmp);
        return vg_fail(err, VG_ERR_IO, 0, "%s: cannot write the snapshot: %s", path, strerror(saved));
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return VG_OK;
}

static void layout_free(layout *L)
{
    vg_free(L->str_off);
    vg_free(L->strings);
    vg_free(L->reflist_off);
    vg_free(L->reflists.v);
    vg_free(L->provs);
    vg_free(L->prov_off);
    vg_buf_free(&L->prov_bytes);
    interner_free(&L->dsuffix);
    vg_buf_free(&L->dsuffix_sec);
    interner_free(&L->plists);
    vg_free(L->plist_off.v);
    vg_free(L->provlists.v);
    vg_free(L->feeds);
    for (int t = 0; t < SNAP_MAX_TYPES; t++) {
        vg_free(L->table[t]);
        vg_free(L->filter[t]);
        vg_buf_free(&L->keys[t]);
        vg_buf_free(&L->tmp_recs[t]);
        vg_free(L->tmp_ent[t]);
    }
    vg_free(L->nets4);
    vg_free(L->nets6);
    vg_free(L->seg4.start);
    vg_free(L->seg4.value);
    vg_free(L->seg4.lists.v);
    vg_free(L->seg6.start);
    vg_free(L->seg6.value);
    vg_free(L->seg6.lists.v);
    vg_free(L->seg4_start);
    vg_free(L->seg4_index);
    vg_free(L->seg6_start);
    vg_buf_free(&L->dtop);
    vg_free(L->dtop_sec);
    vg_free(L);
}

vg_rc vg_istore_write(vg_istore *s, const char *path, int64_t created, vg_error *err)
{
    layout *L = vg_calloc(1, sizeof *L);
    if (!L)
        return nomem(err);
    L->s = s;
    if (RAND_bytes((unsigned char *)&L->seed, sizeof L->seed) != 1)
        L->seed = (uint64_t)created * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
    vg_rc rc = intern_names(L, err);
    if (!rc)
        rc = layout_strings(L, err);
    if (!rc)
        rc = layout_provs(L, err);
    if (!rc)
        rc = layout_feeds(L, created, err);
    if (!rc)
        rc = build_dsuffixes(L, err);
    if (!rc)
        rc = alloc_tables(L, err);
    if (!rc)
        rc = place_indicators(L, err);
    if (!rc)
        rc = layout_networks(L, err);
    if (!rc) {
        collect_sections(L);
        rc = write_atomically(L, path, created, err);
    }
    layout_free(L);
    return rc;
}

/*
 * intel-store: collecting and deduplicating indicators and provenance before a snapshot is
 * written (see intel-store.h; the writing is in intel-store-write.c).
 */
#include "intel-store.h"

#include <string.h>

#include "intel-store-internal.h"
#include "util-mem.h"

#define INTERN_SEED 0x5ee0f00dcafe1234ull
#define INITIAL_ITEMS 1024u

/* ---- interner ------------------------------------------------------------------------ */

static int interner_grow_slots(interner *t)
{
    uint32_t cap = t->slot_mask ? (t->slot_mask + 1) * 2 : 2 * INITIAL_ITEMS;
    uint32_t *slot = vg_calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t i = t->hash[id] & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = id + 1;
    }
    vg_free(t->slot);
    t->slot = slot;
    t->slot_mask = cap - 1;
    return 0;
}

static int interner_reserve(interner *t, size_t n)
{
    if (t->n + 1 >= t->items_cap) {
        uint32_t cap = t->items_cap ? t->items_cap * 2 : INITIAL_ITEMS;
        uint64_t *off = vg_realloc(t->off, (size_t)(cap + 1) * sizeof *off);
        if (!off)
            return -1;
        t->off = off;
        uint32_t *hash = vg_realloc(t->hash, (size_t)cap * sizeof *hash);
        if (!hash)
            return -1;
        t->hash = hash;
        t->items_cap = cap;
        if (t->n == 0)
            t->off[0] = 0;
    }
    if (!t->data || t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64u << 10;
        while (cap < t->len + n)
            cap *= 2;
        unsigned char *data = vg_realloc(t->data, cap);
        if (!data)
            return -1;
        t->data = data;
        t->cap = cap;
    }
    if ((uint64_t)(t->n + 1) * 2 > (uint64_t)t->slot_mask + 1 || !t->slot)
        return interner_grow_slots(t);
    return 0;
}

int64_t interner_find(const interner *t, const void *p, size_t n)
{
    uint32_t h = (uint32_t)snap_hash(p, n, INTERN_SEED);
    for (uint32_t i = h & t->slot_mask; t->slot && t->slot[i]; i = (i + 1) & t->slot_mask) {
        uint32_t id = t->slot[i] - 1;
        if (t->hash[id] == h && t->off[id + 1] - t->off[id] == n && memcmp(t->data + t->off[id], p, n) == 0)
            return id;
    }
    return -1;
}

int64_t interner_add(interner *t, const void *p, size_t n, int *fresh)
{
    uint32_t h = (uint32_t)snap_hash(p, n, INTERN_SEED);
    if (fresh)
        *fresh = 0;
    if (t->slot) {
        for (uint32_t i = h & t->slot_mask; t->slot[i]; i = (i + 1) & t->slot_mask) {
            uint32_t id = t->slot[i] - 1;
            if (t->hash[id] == h && t->off[id + 1] - t->off[id] == n && memcmp(t->data + t->off[id], p, n) == 0)
                return id;
        }
    }
    if (t->n >= VG_STORE_MAX_ITEMS || interner_reserve(t, n) != 0)
        return -1;
    uint32_t id = t->n++;
    if (n)
        memcpy(t->data + t->len, p, n);
    t->len += n;
    t->off[id + 1] = t->len;
    t->hash[id] = h;
    uint32_t i = h & t->slot_mask;
    while (t->slot[i])
        i = (i + 1) & t->slot_mask;
    t->slot[i] = id + 1;
    if (fresh)
        *fresh = 1;
    return id;
}

const unsigned char *interner_get(const interner *t, uint32_t id, size_t *n)
{
    *n = (size_t)(t->off[id + 1] - t->off[id]);
    return t->data + t->off[id];
}

void interner_free(interner *t)
{
    vg_free(t->data);
    vg_free(t->off);
    vg_free(t->hash);
    vg_free(t->slot);
    memset(t, 0, sizeof *t);
}

size_t interner_memory(const interner *t)
{
    return t->cap + (size_t)t->items_cap * (sizeof *t->off + sizeof *t->hash) +
           (t->slot ? ((size_t)t->slot_mask + 1) * sizeof *t->slot : 0);
}

/* ---- the store ------------------------------------------------------------------------ */

vg_rc vg_istore_new(vg_istore **out, vg_error *err)
{
    vg_istore *s = vg_calloc(1, sizeof *s);
    if (!s || interner_add(&s->strings, "", 0, NULL) != 0) {
        vg_free(s);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    *out = s;
    return VG_OK;
}

void vg_istore_free(vg_istore *s)
{
    if (!s)
        return;
    interner_free(&s->inds);
    interner_free(&s->provs);
    interner_free(&s->strings);
    interner_free(&s->reflists);
    vg_free(s->head);
    vg_free(s->tail);
    vg_free(s->nodes);
    for (unsigned i = 0; i < s->nfeeds; i++) {
        vg_free(s->feeds[i].name);
        vg_free(s->feeds[i].path);
    }
    vg_free(s->feeds);
    vg_free(s);
}

vg_rc vg_istore_add_feed(vg_istore *s, const vg_istore_feed *feed, unsigned *id, vg_error *err)
{
    if (s->nfeeds >= VG_STORE_MAX_FEEDS)
        return vg_fail(err, VG_ERR_LIMIT, 0, "more than %u feeds", VG_STORE_MAX_FEEDS);
    if (s->nfeeds == s->feeds_cap) {
        unsigned cap = s->feeds_cap ? s->feeds_cap * 2 : 16;
        store_feed *f = vg_realloc(s->feeds, cap * sizeof *f);
        if (!f)
            return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
        s->feeds = f;
        s->feeds_cap = cap;
    }
    store_feed *f = &s->feeds[s->nfeeds];
    memset(f, 0, sizeof *f);
    f->conf = *feed;
    f->name = vg_strndup(feed->name, strlen(feed->name));
    f->path = vg_strndup(feed->path ? feed->path : "", feed->path ? strlen(feed->path) : 0);
    if (!f->name || !f->path) {
        vg_free(f->name);
        vg_free(f->path);
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    }
    f->conf.name = f->name;
    f->conf.path = f->path;
    *id = s->nfeeds++;
    return VG_OK;
}

void vg_istore_feed_done(vg_istore *s, unsigned id, const vg_feed_stats *st, uint64_t expired, unsigned files)
{
    if (id >= s->nfeeds)
        return;
    s->feeds[id].st = *st;
    s->feeds[id].expired = expired;
    s->feeds[id].files = files;
}

static int64_t intern_string(vg_istore *s, const char *str)
{
    return interner_add(&s->strings, str, strlen(str), NULL);
}

/* The provenance id of prov as named by feed. */
static int64_t intern_prov(vg_istore *s, unsigned feed, const vg_feed_prov *prov, int64_t expires)
{
    build_prov bp;
    memset(&bp, 0, sizeof bp);
    int64_t family = intern_string(s, prov->family), aliases = intern_string(s, prov->aliases),
            note = intern_string(s, prov->note);
    if (family < 0 || aliases < 0 || note < 0)
        return -1;
    if (prov->nrefs) {
        uint32_t ids[VG_FEED_MAX_REFS];
        for (unsigned i = 0; i < prov->nrefs && i < VG_FEED_MAX_REFS; i++) {
            int64_t r = intern_string(s, prov->refs[i]);
            if (r < 0)
                return -1;
            ids[i] = (uint32_t)r;
        }
        int64_t list = interner_add(&s->reflists, ids, prov->nrefs * sizeof ids[0], NULL);
        if (list < 0)
            return -1;
        bp.refs = (uint32_t)list + 1;
    }
    bp.feed = (uint16_t)feed;
    bp.flags = (uint16_t)prov->flags;
    bp.family = (uint32_t)family;
    bp.aliases = (uint32_t)aliases;
    bp.note = (uint32_t)note;
    bp.count = prov->count;
    bp.first_seen = prov->first_seen;
    bp.last_seen = prov->last_seen;
    bp.expires = expires;
    return interner_add(&s->provs, &bp, sizeof bp, NULL);
}

static int grow_heads(vg_istore *s)
{
    if (s->inds.n <= s->heads_cap)
        return 0;
    uint32_t cap = s->heads_cap ? s->heads_cap * 2 : INITIAL_ITEMS;
    while (cap < s->inds.n)
        cap *= 2;
    uint32_t *head = vg_realloc(s->head, (size_t)cap * sizeof *head);
    if (!head)
        return -1;
    s->head = head;
    uint32_t *tail = vg_realloc(s->tail, (size_t)cap * sizeof *tail);
    if (!tail)
        return -1;
    s->tail = tail;
    s->heads_cap = cap;
    return 0;
}

/* Appends prov to indicator ind's chain unless it is there already. */
static int link_prov(vg_istore *s, uint32_t ind, uint32_t prov)
{
    for (uint32_t k = s->head[ind]; k; k = s->nodes[k - 1].next)
        if (s->nodes[k - 1].prov == prov)
            return 0;
    if (s->nnodes == s->nodes_cap) {
        uint32_t cap = s->nodes_cap ? s->nodes_cap * 2 : INITIAL_ITEMS;
        if (cap > VG_STORE_MAX_ITEMS)
            return -1;
        prov_node *nodes = vg_realloc(s->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return -1;
        s->nodes = nodes;
        s->nodes_cap = cap;
    }
    uint32_t k = ++s->nnodes;
    s->nodes[k - 1] = (prov_node){ prov, 0 };
    if (s->tail[ind])
        s->nodes[s->tail[ind] - 1].next = k;
    else
        s->head[ind] = k;
    s->tail[ind] = k;
    return 0;
}

vg_rc vg_istore_add(vg_istore *s, unsigned feed, const vg_ind *ind, const vg_feed_prov *prov, int64_t expires,
                   vg_error *err)
{
    if (feed >= s->nfeeds || ind->type == VG_IND_NONE || ind->type >= VG_IND_NTYPES)
        return vg_fail(err, VG_ERR_USAGE, 0, "invalid feed or indicator");
    unsigned char key[2 + VG_IND_MAX_KEY];
    key[0] = ind->type;
    key[1] = ind->prefix;
    memcpy(key + 2, ind->key, ind->len);
    int fresh;
    int64_t id = interner_add(&s->inds, key, 2 + (size_t)ind->len, &fresh);
    int64_t pid = id < 0 ? -1 : intern_prov(s, feed, prov, expires);
    if (id < 0 || pid < 0 || grow_heads(s) != 0)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory (or more than %u items)", VG_STORE_MAX_ITEMS);
    if (fresh) {
        s->head[id] = s->tail[id] = 0;
        s->count[ind->type]++;
    }
    if (link_prov(s, (uint32_t)id, (uint32_t)pid) != 0)
        return vg_fail(err, VG_ERR_NOMEM, 0, "out of memory");
    return VG_OK;
}

uint64_t vg_istore_count(const vg_istore *s, int type)
{
    if (type > VG_IND_NONE && type < VG_IND_NTYPES)
        return s->count[type];
    return s->inds.n;
}

size_t vg_istore_memory(const vg_istore *s)
{
    return interner_memory(&s->inds) + interner_memory(&s->provs) + interner_memory(&s->strings) +
           interner_memory(&s->reflists) + (size_t)s->heads_cap * 2 * sizeof(uint32_t) +
           (size_t)s->nodes_cap * sizeof(prov_node);
}

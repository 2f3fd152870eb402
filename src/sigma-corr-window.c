/*
 * sigma-corr-window: the groups of one correlation and their sliding windows (see
 * sigma-corr.h): a chained hash table of groups keyed by their group-by values, an LRU list
 * for eviction, and per group an array of hits sorted by event time.
 */
#include "sigma-corr-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util-log.h"
#include "util-mem.h"

#define CC_FIRST_BUCKETS 1024u  /* buckets of a new table */
#define CC_FIRST_WINDOW 8u      /* hits of a new window */

static uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

uint64_t cc_hash(const void *p, size_t n)
{
    return hash_bytes(p, n);
}

static void lru_unlink(cc_corr *k, cc_group *g)
{
    if (g->prev)
        g->prev->next = g->next;
    else
        k->lru_old = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        k->lru_new = g->prev;
    g->prev = g->next = NULL;
}

static void lru_push(cc_corr *k, cc_group *g)
{
    g->prev = k->lru_new;
    g->next = NULL;
    if (k->lru_new)
        k->lru_new->next = g;
    else
        k->lru_old = g;
    k->lru_new = g;
}

static void group_free(cc_state *s, cc_group *g)
{
    s->entries -= g->n - g->head;
    vg_free(g->ent);
    vg_free(g);
}

/* Removes group g from its table and frees it. */
static void group_drop(cc_state *s, cc_corr *k, cc_group *g)
{
    cc_group **p = &k->buckets[g->hash & (k->nbuckets - 1)];
    while (*p && *p != g)
        p = &(*p)->hnext;
    if (*p)
        *p = g->hnext;
    lru_unlink(k, g);
    k->st.groups--;
    group_free(s, g);
}

/* Evicts the least recently hit group of k (not keep); 0 when there is none to evict. */
int cc_evict_one(cc_state *s, cc_corr *k, const cc_group *keep)
{
    cc_group *g = k->lru_old;
    if (g == keep)
        g = g ? g->next : NULL;
    if (!g)
        return 0;
    if (k->st.evicted_groups++ == 0)
        vg_log(VG_LOG_WARN, "sigma correlation %s: memory bound reached (%u groups, %u hits in all windows): "
               "evicting the least recently hit groups (counted in the scan summary)",
               k->entry->rule->meta.title, s->lim.max_groups, s->lim.max_entries);
    group_drop(s, k, g);
    return 1;
}

void cc_groups_free(cc_state *s, cc_corr *k)
{
    cc_group *g = k->lru_old;
    while (g) {
        cc_group *n = g->next;
        group_free(s, g);
        g = n;
    }
    k->lru_old = k->lru_new = NULL;
    vg_free(k->buckets);
    k->buckets = NULL;
    k->nbuckets = 0;
    k->st.groups = 0;
}

static vg_rc grow_table(cc_corr *k)
{
    uint32_t nb = k->nbuckets ? k->nbuckets * 2 : CC_FIRST_BUCKETS;
    cc_group **b = vg_calloc(nb, sizeof *b);
    if (!b)
        return VG_ERR_NOMEM;
    for (uint32_t i = 0; i < k->nbuckets; i++) {
        cc_group *g = k->buckets[i];
        while (g) {
            cc_group *n = g->hnext;
            g->hnext = b[g->hash & (nb - 1)];
            b[g->hash & (nb - 1)] = g;
            g = n;
        }
    }
    vg_free(k->buckets);
    k->buckets = b;
    k->nbuckets = nb;
    return VG_OK;
}

/* The group of key[0..len) in k, made when new (evicting the least recently hit one when k
 * is full), and moved to the recent end of the LRU list. NULL when out of memory. */
cc_group *cc_group_get(cc_state *s, cc_corr *k, const char *key, size_t len)
{
    uint64_t h = hash_bytes(key, len);
    if (k->nbuckets) {
        for (cc_group *g = k->buckets[h & (k->nbuckets - 1)]; g; g = g->hnext)
            if (g->hash == h && g->keylen == len && memcmp(g->key, key, len) == 0) {
                lru_unlink(k, g);
                lru_push(k, g);
                return g;
            }
    }
    while (k->st.groups >= s->lim.max_groups && cc_evict_one(s, k, NULL))
        ;
    if ((k->st.groups >= (uint64_t)k->nbuckets * 2 || !k->nbuckets) && k->nbuckets < (1u << 30) &&
        grow_table(k) != VG_OK)
        return NULL;
    cc_group *g = vg_calloc(1, sizeof *g + len);
    if (!g)
        return NULL;
    g->hash = h;
    g->keylen = (uint32_t)len;
    memcpy(g->key, key, len);
    g->newest = INT64_MIN;
    g->hnext = k->buckets[h & (k->nbuckets - 1)];
    k->buckets[h & (k->nbuckets - 1)] = g;
    lru_push(k, g);
    k->st.groups++;
    return g;
}

/* Drops the hits of g at or before limit (the window's open start). */
static void expire(cc_state *s, cc_group *g, int64_t limit)
{
    while (g->head < g->n && g->ent[g->head].t <= limit) {
        g->head++;
        s->entries--;
    }
    if (g->head == g->n)
        g->head = g->n = 0;
}

/* Room for one more hit in g: compacts or grows the array, or drops the window's oldest hit
 * at the per-window bound. */
static vg_rc make_room(cc_state *s, cc_corr *k, cc_group *g)
{
    if (g->n - g->head >= s->lim.max_window) {
        g->head++;
        s->entries--;
        if (k->st.evicted_hits++ == 0)
            vg_log(VG_LOG_WARN, "sigma correlation %s: a group window reached %u hits: dropping its oldest hits "
                   "(counted in the scan summary)", k->entry->rule->meta.title, s->lim.max_window);
    }
    if (g->n < g->cap)
        return VG_OK;
    if (g->head > 0) {
        memmove(g->ent, g->ent + g->head, (g->n - g->head) * sizeof *g->ent);
        g->n -= g->head;
        g->head = 0;
        if (g->n < g->cap)
            return VG_OK;
    }
    uint32_t cap = g->cap ? g->cap * 2 : CC_FIRST_WINDOW;
    if (cap > s->lim.max_window + 1)
        cap = s->lim.max_window + 1;
    cc_ent *e = vg_realloc(g->ent, cap * sizeof *e);
    if (!e)
        return VG_ERR_NOMEM;
    g->ent = e;
    g->cap = cap;
    return VG_OK;
}

/* Adds hit h to the window of g: 1 added, 0 late (ignored). */
int cc_window_add(cc_state *s, cc_corr *k, cc_group *g, const cc_ent *h, vg_rc *rc)
{
    *rc = VG_OK;
    if (g->newest != INT64_MIN && h->t <= g->newest - k->span) {
        k->st.late++;
        return 0;
    }
    if (g->newest == INT64_MIN || h->t > g->newest)
        g->newest = h->t;
    expire(s, g, g->newest - k->span);
    while (s->entries >= s->lim.max_entries && cc_evict_one(s, k, g))
        ;
    if ((*rc = make_room(s, k, g)) != VG_OK)
        return 0;
    uint32_t i = g->n;
    while (i > g->head && g->ent[i - 1].t > h->t) {    /* sorted by time, arrival order on ties */
        g->ent[i] = g->ent[i - 1];
        i--;
    }
    g->ent[i] = *h;
    g->n++;
    s->entries++;
    return 1;
}

void cc_window_reset(cc_state *s, cc_group *g)
{
    s->entries -= g->n - g->head;
    g->head = g->n = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct value hashes of the window (sorted in the state's scratch). */
static double distinct_values(cc_state *s, const cc_group *g)
{
    uint32_t n = 0;
    for (uint32_t i = g->head; i < g->n; i++)
        s->sort[n++] = g->ent[i].vhash;
    qsort(s->sort, n, sizeof *s->sort, cmp_u64);
    uint32_t d = 0;
    for (uint32_t i = 0; i < n; i++)
        d += i == 0 || s->sort[i] != s->sort[i - 1];
    return d;
}

/* The measure the condition compares, for the window of g whose newest arrival is cur. */
double cc_measure(cc_state *s, const cc_corr *k, const cc_group *g, const cc_ent *cur, uint64_t *slots)
{
    uint64_t mask = 0;
    double sum = 0;
    uint32_t n = g->n - g->head, same = 0, need = 0;
    for (uint32_t i = g->head; i < g->n; i++) {
        const cc_ent *e = &g->ent[i];
        mask |= 1ull << e->slot;
        sum += e->num;
        same += e->vhash == cur->vhash;
        if (need < k->nrefs && e->slot == need)
            need++;
    }
    *slots = mask;
    switch (k->def->type) {
    case VG_SIGMA_CORR_EVENT_COUNT:
        return n;
    case VG_SIGMA_CORR_VALUE_COUNT:
        return distinct_values(s, g);
    case VG_SIGMA_CORR_TEMPORAL: {
        double d = 0;
        for (uint32_t i = 0; i < k->nrefs; i++)
            d += (mask >> i) & 1u;
        return d;
    }
    case VG_SIGMA_CORR_TEMPORAL_ORDERED:
        return need;
    case VG_SIGMA_CORR_VALUE_SUM:
        return sum;
    case VG_SIGMA_CORR_VALUE_AVG:
        return n ? sum / n : 0;
    case VG_SIGMA_CORR_VALUE_PERCENTILE:
        return n ? 100.0 * same / n : 0;
    default:
        return 0;
    }
}

/* Does measure v meet the correlation's condition (all the comparisons given; temporal
 * types without a condition need every referenced rule)? */
int cc_condition(const cc_corr *k, double v)
{
    const vg_sigma_correlation *d = k->def;
    int any = 0;
    for (int c = 0; c < VG_SIGMA_NCMP; c++) {
        if (!d->has_cmp[c])
            continue;
        any = 1;
        double x = d->cmp[c];
        int ok = c == VG_SIGMA_CMP_GT ? v > x : c == VG_SIGMA_CMP_GTE ? v >= x : c == VG_SIGMA_CMP_LT ? v < x
               : c == VG_SIGMA_CMP_LTE ? v <= x : c == VG_SIGMA_CMP_EQ ? v == x : v != x;
        if (!ok)
            return 0;
    }
    return any || v >= k->nrefs;
}

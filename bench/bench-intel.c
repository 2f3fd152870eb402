/*
 * bench-intel: lookup speed of an indicator snapshot, with baselines measured in the same run.
 *
 *   bench-intel SNAPSHOT DATADIR
 *
 * DATADIR holds what bench/gen-intel.py wrote: queries-TYPE.txt (10% values drawn from the
 * stored indicators, 90% from a pool of benign values drawn with repetition) and the IPv4 feed
 * files (for the sorted-array baseline). For each type it times, over every query (best of 3
 * passes): single lookups, the batched API (vg_snap_find_ipv4_batch; vg_snap_match_batch in
 * batches of 64; for domains vg_snap_match_domain_batch, 256 names a call), and two baselines: "hash" (read the canonical key and hash it, byte by byte:
 * the least any lookup does) and, for IPv4, "bsearch" (binary search over the sorted stored
 * addresses: a plain structure over the same keys). Each set runs twice: the realistic mix, and
 * uniformly random values (nearly all misses). Results are consumed (summed into a volatile),
 * so nothing is optimized away. On a CPU with AVX-512 the IPv4 sets run again as "ipv4-scalar",
 * with the batch's vector code turned off (vg_snap_simd), as a baseline of the same run. Output: open time, the page-cache state of the mapping
 * ("pages RSS_KB PMD_KB": resident, and mapped with 2 MiB pages), then one line per type and set:
 *   TYPE SET QUERIES HITS single_ns batch_ns hash_ns [bsearch_ns]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intel-indicator.h"
#include "intel-snapshot.h"
#include "util-ip.h"

#define BATCH 64
#define DOMAIN_BATCH 256    /* names per vg_snap_match_domain_batch call (hits: at most 40 each) */
#define PASSES 3
#define UNIFORM 200000

static volatile uint64_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A set of parsed values: canonical keys back to back. */
typedef struct qset {
    uint8_t *type, *prefix;
    uint32_t *len;
    uint32_t *v4;       /* IPv4 queries: the address as a number (host order), as a caller holds it */
    size_t *off;
    unsigned char *keys;
    size_t n, cap, used, keys_cap;
} qset;

static void qset_add(qset *q, const vg_ind *ind)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 4096;
        q->type = realloc(q->type, q->cap);
        q->prefix = realloc(q->prefix, q->cap);
        q->len = realloc(q->len, q->cap * sizeof *q->len);
        q->off = realloc(q->off, q->cap * sizeof *q->off);
        q->v4 = realloc(q->v4, q->cap * sizeof *q->v4);
    }
    while (q->keys_cap - q->used < ind->len) {
        q->keys_cap = q->keys_cap ? q->keys_cap * 2 : 1 << 20;
        q->keys = realloc(q->keys, q->keys_cap);
    }
    if (!q->type || !q->prefix || !q->len || !q->off || !q->v4 || !q->keys) {
        fprintf(stderr, "bench-intel: out of memory\n");
        exit(2);
    }
    q->type[q->n] = ind->type;
    q->prefix[q->n] = ind->prefix;
    q->len[q->n] = ind->len;
    q->off[q->n] = q->used;
    q->v4[q->n] = ind->type == VG_IND_IPV4 ? (uint32_t)ind->key[0] << 24 | (uint32_t)ind->key[1] << 16 |
                                                 (uint32_t)ind->key[2] << 8 | ind->key[3]
                                           : 0;
    memcpy(q->keys + q->used, ind->key, ind->len);
    q->used += ind->len;
    q->n++;
}

static void qset_free(qset *q)
{
    free(q->type);
    free(q->prefix);
    free(q->len);
    free(q->off);
    free(q->v4);
    free(q->keys);
}

static const unsigned char *qkey(const qset *q, size_t i)
{
    return q->keys + q->off[i];
}

/* Query i into ind (the lookups of vg_snap_match take a vg_ind; every mode pays this copy). */
static void qget(const qset *q, size_t i, vg_ind *ind)
{
    ind->type = q->type[i];
    ind->prefix = q->prefix[i];
    ind->flags = 0;
    ind->len = q->len[i];
    memcpy(ind->key, qkey(q, i), q->len[i]);
}

static uint32_t qipv4(const qset *q, size_t i)
{
    return q->v4[i];
}

static void load_queries(qset *q, const char *dir, const char *name, int kind)
{
    char path[4096], line[8192];
    static vg_ind ind;
    snprintf(path, sizeof path, "%s/queries-%s.txt", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        vg_error err;
        if (vg_ind_parse(kind, line, n, &ind, &err) == VG_OK)
            qset_add(q, &ind);
    }
    fclose(f);
}

static const char *const LABELS[] = { "www", "mail", "cdn", "api", "a1", "login", "img", "x" };
static const char *const TLDS[] = { "com", "net", "org", "ru", "de", "io", "xyz", "info" };

/* Uniformly random values of a kind (nearly all misses). */
static void make_uniform(qset *q, int kind)
{
    static vg_ind ind;
    for (size_t i = 0; i < UNIFORM; i++) {
        uint64_t r = rnd(), r2 = rnd();
        memset(&ind, 0, offsetof(vg_ind, key));
        ind.type = (uint8_t)kind;
        switch (kind) {
        case VG_IND_IPV4: ind.len = 4; memcpy(ind.key, &r, 4); break;
        case VG_IND_IPV6: ind.len = 16; memcpy(ind.key, &r, 8); memcpy(ind.key + 8, &r2, 8); ind.key[0] = 0x20; break;
        case VG_IND_IPPORT4: ind.len = 6; memcpy(ind.key, &r, 6); break;
        case VG_IND_SHA256:
            ind.len = 32;
            for (int k = 0; k < 4; k++) {
                uint64_t w = rnd();
                memcpy(ind.key + 8 * k, &w, 8);
            }
            break;
        case VG_IND_DOMAIN:
            ind.len = (uint32_t)snprintf((char *)ind.key, 256, "%s.u%llx.%s", LABELS[r % 8],
                                         (unsigned long long)(r2 & 0xFFFFFFFFFFull), TLDS[(r >> 8) % 8]);
            break;
        default:
            ind.len = (uint32_t)snprintf((char *)ind.key, 256, "http://u%llx.%s/%s/x.php",
                                         (unsigned long long)(r2 & 0xFFFFFFFFFFull), TLDS[r % 8], LABELS[(r >> 8) % 8]);
            break;
        }
        qset_add(q, &ind);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The sorted stored IPv4 addresses of the generated feeds (the bsearch baseline's keys). */
static uint32_t *load_sorted_ipv4(const char *dir, size_t *n)
{
    static const char *const files[] = { "ipsum.txt", "blocklist.netset" };
    size_t cap = 1 << 20, k = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    char path[4096], line[512];
    for (size_t f = 0; f < 2 && v; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        FILE *fp = fopen(path, "r");
        while (fp && fgets(line, sizeof line, fp)) {
            unsigned char a[16];
            size_t len = strcspn(line, "\t\r\n/");
            if (line[len] == '/' || vg_ip_parse(line, len, a) != 4)
                continue;
            if (k == cap) {
                cap *= 2;
                v = realloc(v, cap * sizeof *v);
                if (!v)
                    break;
            }
            v[k++] = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        }
        if (fp)
            fclose(fp);
    }
    if (!v) {
        fprintf(stderr, "bench-intel: out of memory\n");
        exit(2);
    }
    qsort(v, k, sizeof *v, cmp_u32);
    *n = k;
    return v;
}

typedef enum mode { M_SINGLE, M_BATCH, M_HASH, M_BSEARCH } mode;

typedef struct ctx {
    const vg_snap *s;
    uint32_t *sorted;
    size_t nsorted;
    int ipv4_exact;             /* IPv4: vg_snap_find_ipv4 (else vg_snap_match_ipv4, with networks) */
} ctx;

static vg_ind scratch[BATCH];
static vg_intel_hit hits[BATCH * VG_INTEL_MAX_HITS];

/* One pass of mode over q; returns the hits (or the baseline's checksum). */
static uint64_t pass(const ctx *c, const qset *q, mode m)
{
    uint64_t acc = 0;
    if (m == M_HASH) {
        for (size_t i = 0; i < q->n; i++) {
            const unsigned char *k = qkey(q, i);
            uint64_t h = 0xcbf29ce484222325ull;
            for (uint32_t j = 0; j < q->len[i]; j++)
                h = (h ^ k[j]) * 0x100000001b3ull;
            acc += h;
        }
    } else if (m == M_BSEARCH) {
        for (size_t i = 0; i < q->n; i++) {
            uint32_t a = qipv4(q, i);
            size_t lo = 0, hi = c->nsorted;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (c->sorted[mid] < a)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            acc += lo < c->nsorted && c->sorted[lo] == a;
        }
    } else if (q->type[0] == VG_IND_IPV4 && c->ipv4_exact && m == M_SINGLE) {
        for (size_t i = 0; i < q->n; i++)
            acc += vg_snap_find_ipv4(c->s, qipv4(q, i)) != 0;
    } else if (q->type[0] == VG_IND_IPV4 && c->ipv4_exact) {
        uint32_t refs[BATCH];
        for (size_t i = 0; i < q->n; i += BATCH) {     /* the caller's array of addresses, 64 a call */
            size_t n = q->n - i < BATCH ? q->n - i : BATCH;
            acc += vg_snap_find_ipv4_batch(c->s, q->v4 + i, n, refs);
        }
    } else if (q->type[0] == VG_IND_IPV4 && m == M_SINGLE) {
        for (size_t i = 0; i < q->n; i++)
            acc += vg_snap_match_ipv4(c->s, qipv4(q, i), hits, VG_INTEL_MAX_HITS) != 0;
    } else if (q->type[0] == VG_IND_DOMAIN && m == M_SINGLE) {
        for (size_t i = 0; i < q->n; i++)
            acc += vg_snap_match_domain(c->s, (const char *)qkey(q, i), q->len[i], hits, VG_INTEL_MAX_HITS) != 0;
    } else if (q->type[0] == VG_IND_DOMAIN) {    /* batched: vg_snap_match_domain_batch */
        const char *names[DOMAIN_BATCH];
        size_t lens[DOMAIN_BATCH];
        uint32_t counts[DOMAIN_BATCH];
        for (size_t i = 0; i < q->n; i += DOMAIN_BATCH) {
            size_t n = q->n - i < DOMAIN_BATCH ? q->n - i : DOMAIN_BATCH;
            for (size_t k = 0; k < n; k++) {
                names[k] = (const char *)qkey(q, i + k);
                lens[k] = q->len[i + k];
            }
            vg_snap_match_domain_batch(c->s, names, lens, n, hits, sizeof hits / sizeof hits[0], counts);
            for (size_t k = 0; k < n; k++)
                acc += counts[k] != 0;
        }
    } else if (m == M_SINGLE) {
        for (size_t i = 0; i < q->n; i++) {
            qget(q, i, &scratch[0]);
            acc += vg_snap_match(c->s, &scratch[0], hits, VG_INTEL_MAX_HITS) != 0;
        }
    } else {
        const vg_ind *ptrs[BATCH];
        uint32_t counts[BATCH];
        for (size_t k = 0; k < BATCH; k++)
            ptrs[k] = &scratch[k];
        for (size_t i = 0; i < q->n; i += BATCH) {
            size_t n = q->n - i < BATCH ? q->n - i : BATCH;
            for (size_t k = 0; k < n; k++)
                qget(q, i + k, &scratch[k]);
            vg_snap_match_batch(c->s, ptrs, n, hits, sizeof hits / sizeof hits[0], counts);
            for (size_t k = 0; k < n; k++)
                acc += counts[k] != 0;
        }
    }
    return acc;
}

/* Best of PASSES: ns per query; *result: what the pass returned. */
static double timed(const ctx *c, const qset *q, mode m, uint64_t *result)
{
    double best = 1e30;
    for (int p = 0; p < PASSES; p++) {
        double t0 = now();
        *result = pass(c, q, m);
        double t = now() - t0;
        sink += *result;
        if (t < best)
            best = t;
    }
    return best * 1e9 / (double)(q->n ? q->n : 1);
}

static void run(const ctx *c, const char *name, const char *set, const qset *q)
{
    uint64_t hits_single, hits_batch, x;
    double single = timed(c, q, M_SINGLE, &hits_single);
    double batch = timed(c, q, M_BATCH, &hits_batch);
    double hash = timed(c, q, M_HASH, &x);
    if (hits_single != hits_batch) {
        fprintf(stderr, "bench-intel: %s %s: batched lookups found %llu, single %llu\n", name, set,
                (unsigned long long)hits_batch, (unsigned long long)hits_single);
        exit(1);
    }
    printf("%s %s %zu %llu %.2f %.2f %.2f", name, set, q->n, (unsigned long long)hits_single, single, batch, hash);
    if (q->type[0] == VG_IND_IPV4 && c->sorted)
        printf(" %.2f", timed(c, q, M_BSEARCH, &x));
    printf("\n");
    fflush(stdout);
}

/* How much of the mapping of the file path is resident and how much of it the kernel maps with
 * 2 MiB pages (/proc/self/smaps: Rss, FilePmdMapped, in kB; -1 when unknown). Lookups that miss
 * the caches cost a page walk less where the pages are large, and how large they are depends on
 * how the file came into the page cache (written by compile, copied, read back after eviction),
 * so two snapshots are only comparable in the same state. */
static void mapping_pages(const char *path, long *rss_kb, long *pmd_kb)
{
    char real[4096], line[4608], perms[8];
    *rss_kb = *pmd_kb = -1;
    FILE *f = realpath(path, real) ? fopen("/proc/self/smaps", "r") : NULL;
    size_t rn = strlen(real);
    int in = 0;
    while (f && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\n");
        unsigned long lo, hi;
        long v;
        line[n] = 0;
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3)   /* a mapping's first line */
            in = n >= rn && strcmp(line + n - rn, real) == 0;
        else if (in && sscanf(line, "Rss: %ld kB", &v) == 1)
            *rss_kb = v;
        else if (in && sscanf(line, "FilePmdMapped: %ld kB", &v) == 1)
            *pmd_kb = v;
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench-intel SNAPSHOT DATADIR\n");
        return 2;
    }
    vg_snap *s;
    vg_error err;
    double best = 1e30, t0;
    for (int i = 0; i < 5; i++) {
        t0 = now();
        if (vg_snap_open(&s, argv[1], 0, &err) != VG_OK) {
            fprintf(stderr, "bench-intel: %s\n", err.msg);
            return 2;
        }
        double t = now() - t0;
        best = t < best ? t : best;
        vg_snap_close(s);
    }
    t0 = now();
    if (vg_snap_open(&s, argv[1], VG_SNAP_VERIFY, &err) != VG_OK) {
        fprintf(stderr, "bench-intel: %s\n", err.msg);
        return 2;
    }
    printf("open %.6f verify %.3f indicators %llu bytes %llu\n", best, now() - t0,
           (unsigned long long)vg_snap_count(s, VG_IND_NONE), (unsigned long long)vg_snap_file_size(s));
    long rss_kb, pmd_kb;
    mapping_pages(argv[1], &rss_kb, &pmd_kb);
    printf("pages %ld %ld\n", rss_kb, pmd_kb);
    ctx c = { s, NULL, 0, 1 };
    c.sorted = load_sorted_ipv4(argv[2], &c.nsorted);
    static const struct { const char *name, *file; int kind, exact; } types[] = {
        { "ipv4", "ipv4", VG_IND_IPV4, 1 },
        { "ipv4+cidr", "ipv4", VG_IND_IPV4, 0 },
        { "ipv6+cidr", "ipv6", VG_IND_IPV6, 0 },
        { "domain+parents", "domain", VG_IND_DOMAIN, 0 },
        { "url", "url", VG_IND_URL, 0 },
        { "sha256", "hash", VG_IND_SHA256, 0 },
        { "ip:port", "ipport", VG_IND_IPPORT4, 0 },
    };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        qset mixed = { 0 }, uniform = { 0 };
        load_queries(&mixed, argv[2], types[t].file, types[t].kind);
        make_uniform(&uniform, types[t].kind);
        c.ipv4_exact = types[t].exact;
        run(&c, types[t].name, "mix", &mixed);
        run(&c, types[t].name, "uniform", &uniform);
        if (t == 0) {   /* labelled hot: the first 4096 distinct-ish mixed values, repeated */
            qset hot = { 0 };
            static vg_ind ind;
            for (size_t i = 0; i < 200000 && mixed.n; i++) {
                qget(&mixed, i % (mixed.n < 4096 ? mixed.n : 4096), &ind);
                qset_add(&hot, &ind);
            }
            run(&c, types[t].name, "hot4096", &hot);
            if (vg_snap_simd(-1)) {     /* the batch's scalar code on the same sets, as a baseline */
                vg_snap_simd(0);
                run(&c, "ipv4-scalar", "mix", &mixed);
                run(&c, "ipv4-scalar", "uniform", &uniform);
                run(&c, "ipv4-scalar", "hot4096", &hot);
                vg_snap_simd(1);
            }
            qset_free(&hot);
        }
        qset_free(&mixed);
        qset_free(&uniform);
    }
    free(c.sorted);
    vg_snap_close(s);
    return 0;
}

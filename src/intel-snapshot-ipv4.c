/*
 * intel-snapshot-ipv4: exact IPv4 lookups in a mapped snapshot, one at a time and batched
 * (see intel-snapshot.h; the table's layout is in intel-format.h).
 *
 * An IPv4 table is an array of one-cache-line buckets of 8 (key, ref) pairs, guarded by a
 * word-blocked Bloom filter: an address's hash chooses one 64-bit filter word and 3 bits in
 * it. A batch takes up to 64 addresses through its phases together, so every load of a phase
 * was started one phase earlier: hash the addresses and start loading their filter words; test
 * the words (a 64-bit mask of the addresses that pass); start loading the buckets of those that
 * passed; probe them. The first two phases are most of the work for a stream of mostly unknown
 * addresses, and on a CPU with AVX-512 they run on 8 addresses per instruction (chosen at run
 * time: the same hash, word and bits as the scalar code, so both give the same result).
 */
#include <pthread.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SNAP_AVX512 1
#define AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl")))
#endif

#include "intel-snapshot-internal.h"

/* Bit j set when v[j] == x, for the 8 words of half a bucket (SSE2: two compares). */
static unsigned eq8(const uint32_t *v, uint32_t x)
{
#ifdef __SSE2__
    __m128i k = _mm_set1_epi32((int)x);
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)v);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(v + 4));
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(a, k))) |
           (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(b, k))) << 4;
#else
    unsigned r = 0;
    for (unsigned j = 0; j < SNAP_BUCKET_SLOTS; j++)
        r |= (unsigned)(v[j] == x) << j;
    return r;
#endif
}

/* The ref of an IPv4 address (network-order key, its hash h) and where its key is stored; 0
 * if absent. One bucket compared at once; the next only when this one is full. */
static uint32_t ipv4_probe(const snap_table *t, uint32_t key, uint64_t h, const unsigned char **stored)
{
    const snap_bucket4 *buckets = (const snap_bucket4 *)(const void *)t->slots;
    uint64_t b = snap_slot(h, t->cap);
    for (uint64_t probe = 0; probe < t->cap; probe++, b = b + 1 == t->cap ? 0 : b + 1) {
        unsigned empty = eq8(buckets[b].ref, 0), m = eq8(buckets[b].key, key) & ~empty;
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

uint32_t snap_ipv4_find(const vg_snap *s, uint32_t key, const unsigned char **stored)
{
    const snap_table *t = &s->table[VG_IND_IPV4];
    if (!t->slots)
        return 0;
    uint64_t h = snap_hash4(key, s->seed);
    return snap_filter_maybe(t, h) ? ipv4_probe(t, key, h, stored) : 0;
}

uint32_t vg_snap_find_ipv4(const vg_snap *s, uint32_t addr)
{
    const unsigned char *stored;
    return snap_ipv4_find(s, __builtin_bswap32(addr), &stored);
}

#define IPV4_GROUP 64u      /* addresses taken through each phase together (one bit each in a mask) */

/* The mask of the first m (1..64) addresses. */
static uint64_t first_bits(size_t m)
{
    return m == 64 ? ~0ull : (1ull << m) - 1;
}

/* Phases 1 and 2 of a group of m host-order addresses, one at a time: the hash of each into
 * hash[], and the mask of those whose filter word has their bits. */
static uint64_t filter_group(const vg_snap *s, const snap_table *t, const uint32_t *addrs, size_t m, uint64_t *hash)
{
    const uint64_t *word[IPV4_GROUP];
    if (!t->filter) {
        for (size_t i = 0; i < m; i++)
            hash[i] = snap_hash4(__builtin_bswap32(addrs[i]), s->seed);
        return first_bits(m);
    }
    for (size_t i = 0; i < m; i++) {
        uint64_t h = snap_hash4(__builtin_bswap32(addrs[i]), s->seed);
        hash[i] = h;
        word[i] = &t->filter[snap_filter_word(h, t->nfilter)];
        __builtin_prefetch(word[i]);
    }
    uint64_t pass = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t bits = snap_filter_bits(hash[i]);
        pass |= (uint64_t)((*word[i] & bits) == bits) << i;
    }
    return pass;
}

#ifdef SNAP_AVX512
/* filter_group on 8 addresses per instruction. The hash is snap_hash4's: the key doubled into
 * both halves (one byte shuffle also swaps it to network order), two multiplies. The word is
 * snap_filter_word's high half of a 64 x 64-bit product, exact here from two 32 x 32-bit ones
 * since the filter has fewer than 2^32 words. A bit is 1 rotated by a 6-bit field of the hash:
 * a rotate counts modulo 64, as the scalar shift's mask does. */
AVX512_TARGET static uint64_t filter_group_avx512(const vg_snap *s, const snap_table *t, const uint32_t *addrs,
                                                  size_t m, uint64_t *hash)
{
    uint64_t widx[IPV4_GROUP];
    const __m512i dup = _mm512_broadcast_i32x4(_mm_setr_epi8(3, 2, 1, 0, 3, 2, 1, 0, 11, 10, 9, 8, 11, 10, 9, 8));
    const __m512i seed = _mm512_set1_epi64((long long)s->seed);
    const __m512i c1 = _mm512_set1_epi64((long long)SNAP_HASH4_M1);
    const __m512i c2 = _mm512_set1_epi64((long long)SNAP_HASH4_M2);
    const __m512i nw = _mm512_set1_epi64((long long)t->nfilter), one = _mm512_set1_epi64(1);
    for (size_t i = 0; i < m; i += 8) {
        __mmask8 live = (__mmask8)(m - i >= 8 ? 0xffu : (1u << (m - i)) - 1);
        __m512i x = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(live, addrs + i));
        x = _mm512_mullo_epi64(_mm512_xor_si512(_mm512_shuffle_epi8(x, dup), seed), c1);
        x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 32)), c2);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 29));
        _mm512_storeu_si512(hash + i, x);
        __m512i r = _mm512_rol_epi64(x, 32);
        __m512i lo = _mm512_mul_epu32(r, nw), hi = _mm512_mul_epu32(_mm512_srli_epi64(r, 32), nw);
        _mm512_storeu_si512(widx + i, _mm512_srli_epi64(_mm512_add_epi64(hi, _mm512_srli_epi64(lo, 32)), 32));
    }
    for (size_t i = 0; i < m; i++)
        __builtin_prefetch(&t->filter[widx[i]]);
    uint64_t pass = 0;
    for (size_t i = 0; i < m; i += 8) {
        __mmask8 live = (__mmask8)(m - i >= 8 ? 0xffu : (1u << (m - i)) - 1);
        __m512i h = _mm512_loadu_si512(hash + i);
        __m512i bits = _mm512_or_si512(_mm512_rolv_epi64(one, _mm512_srli_epi64(h, 32)),
                                       _mm512_rolv_epi64(one, _mm512_srli_epi64(h, 40)));
        bits = _mm512_or_si512(bits, _mm512_rolv_epi64(one, _mm512_srli_epi64(h, 48)));
        __m512i w = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), live, _mm512_loadu_si512(widx + i),
                                                (const void *)t->filter, 8);
        pass |= (uint64_t)_mm512_mask_cmpeq_epi64_mask(live, _mm512_and_si512(w, bits), bits) << i;
    }
    return pass;
}
#endif

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static int cpu_avx512;          /* the CPU (and the OS) run the AVX-512 phases */
static int simd_off;            /* vg_snap_simd(0) was called */

static void detect_cpu(void)
{
#ifdef SNAP_AVX512
    __builtin_cpu_init();
    cpu_avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
}

int vg_snap_simd(int enable)
{
    pthread_once(&cpu_once, detect_cpu);
    if (enable >= 0)
        __atomic_store_n(&simd_off, !enable, __ATOMIC_RELAXED);
    return cpu_avx512 && !__atomic_load_n(&simd_off, __ATOMIC_RELAXED);
}

size_t vg_snap_find_ipv4_batch(const vg_snap *s, const uint32_t *addrs, size_t n, uint32_t *refs)
{
    const snap_table *t = &s->table[VG_IND_IPV4];
    uint64_t hash[IPV4_GROUP];
    size_t found = 0;
    memset(refs, 0, n * sizeof *refs);
    if (!t->slots)
        return 0;
#ifdef SNAP_AVX512
    int wide = t->filter && t->nfilter <= UINT32_MAX && vg_snap_simd(-1);
#endif
    for (size_t g = 0; g < n; g += IPV4_GROUP) {
        size_t m = n - g < IPV4_GROUP ? n - g : IPV4_GROUP;
        uint64_t pass;
#ifdef SNAP_AVX512
        if (wide)
            pass = filter_group_avx512(s, t, addrs + g, m, hash);
        else
#endif
            pass = filter_group(s, t, addrs + g, m, hash);
        for (uint64_t p = pass; p; p &= p - 1)
            __builtin_prefetch(snap_home_of(t, hash[__builtin_ctzll(p)]));
        for (uint64_t p = pass; p; p &= p - 1) {
            unsigned i = (unsigned)__builtin_ctzll(p);
            const unsigned char *stored;
            refs[g + i] = ipv4_probe(t, __builtin_bswap32(addrs[g + i]), hash[i], &stored);
            found += refs[g + i] != 0;
        }
    }
    return found;
}

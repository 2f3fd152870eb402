/*
 * sigma-shortlit: the prefilter's matcher of one- and two-byte literals (see sigma-shortlit.h).
 */
#include "sigma-shortlit.h"

#include <stdlib.h>
#include <string.h>

#include "util-mem.h"

/* Each byte ASCII-folded ('A'..'Z' to 'a'..'z'): one load a byte in the pass. */
static const unsigned char fold_table[256] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
    64, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 91, 92, 93, 94, 95,
    96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127,
    128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143,
    144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
    160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175,
    176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
    192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207,
    208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,
    224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239,
    240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
};

static unsigned fold_ascii(unsigned c)
{
    return fold_table[c & 255];
}

int sg_shortlit_add(sg_shortlits *s, const unsigned char *b, size_t len, int caseless, int at_end, uint32_t id)
{
    if (len < 1 || len > 2 || s->n == SG_SHORTLIT_MAX)
        return -1;
    if (!s->v && !(s->v = vg_calloc(SG_SHORTLIT_MAX, sizeof *s->v)))
        return -1;
    sg_shortlit *sh = &s->v[s->n++];
    sh->len = (uint8_t)len;
    sh->caseless = caseless != 0;
    sh->at_end = at_end != 0;
    sh->id = id;
    for (size_t i = 0; i < len; i++)
        sh->b[i] = b[i];
    return 0;
}

/* The folded pair of a two-byte literal (its first byte alone for a one-byte one). */
static unsigned key_of(const sg_shortlit *sh)
{
    return sh->len == 1 ? fold_ascii(sh->b[0]) : fold_ascii(sh->b[0]) << 8 | fold_ascii(sh->b[1]);
}

static int shortlit_cmp(const void *a, const void *b)
{
    const sg_shortlit *x = a, *y = b;
    unsigned kx = key_of(x), ky = key_of(y);
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return kx != ky ? (kx < ky ? -1 : 1) : x->id < y->id ? -1 : x->id > y->id;
}

int sg_shortlit_index(sg_shortlits *s)
{
    if (!s->n)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, shortlit_cmp);
    if (!(s->pair = vg_calloc(s->n, sizeof *s->pair)) || !(s->pairs = vg_calloc(1024, sizeof *s->pairs)) ||
        !(s->ends = vg_calloc(s->n, sizeof *s->ends)))
        return -1;
    for (uint32_t k = 0; k < s->n; k++) {
        const sg_shortlit *sh = &s->v[k];
        unsigned key = key_of(sh);
        if (sh->len == 1) {
            s->nones = k + 1;
            continue;
        }
        s->pair[k - s->nones] = (uint16_t)key;
        s->pairs[key / 64] |= 1ull << (key % 64);
        if (sh->at_end)
            s->ends[s->nends++] = (uint16_t)k;
    }
    return 0;
}

void sg_shortlit_free(sg_shortlits *s)
{
    vg_free(s->v);
    vg_free(s->pair);
    vg_free(s->pairs);
    vg_free(s->ends);
    memset(s, 0, sizeof *s);
}

/* Does literal sh occur in u[0..n) at i? */
static int occurs_at(const sg_shortlit *sh, const unsigned char *u, size_t n, size_t i)
{
    if (i + sh->len > n)
        return 0;
    for (unsigned k = 0; k < sh->len; k++)
        if ((sh->caseless ? fold_ascii(u[i + k]) : u[i + k]) != sh->b[k])
            return 0;
    return 1;
}

/* The two-byte literals with folded pair key (which the filter let through) that start at
 * u[i]: each not yet seen and not end-anchored is compared, and reported once. Not inlined:
 * it runs at about one byte in 26, and inlined it took the registers of the byte loop (the
 * stamp and pair tables were reloaded from the stack at every byte). */
static __attribute__((noinline)) void pair_at(const sg_shortlits *s, unsigned key, const unsigned char *u, size_t n,
                                              size_t i, uint64_t *seen, sg_shortlit_fn fn, void *ctx)
{
    const uint16_t *pk = s->pair;
    uint32_t lo = 0, hi = s->n - s->nones;      /* the first pair >= key */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pk[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t j = lo; j < s->n - s->nones && pk[j] == key; j++) {
        uint32_t k = s->nones + j;
        const sg_shortlit *sh = &s->v[k];
        if ((seen[k / 64] >> (k % 64) & 1) || sh->at_end || !occurs_at(sh, u, n, i))
            continue;
        seen[k / 64] |= 1ull << (k % 64);
        (void)fn(sh->id, 0, i + 2, 0, ctx);
    }
}

/* The stamp generation for a new value (the table cleared when the counter wraps). */
static uint32_t next_gen(sg_shortlit_scratch *scr)
{
    if (++scr->gen == 0) {
        memset(scr->stamp, 0, sizeof scr->stamp);
        scr->gen = 1;
    }
    return scr->gen;
}

/* Does a one-byte literal occur in the value whose bytes carry stamp g? */
static int one_occurs(const sg_shortlit *sh, const uint32_t *stamp, uint32_t g)
{
    unsigned b = sh->b[0];
    if (stamp[b] == g)
        return 1;
    return sh->caseless && b - 'a' < 26u && stamp[b - 32] == g;     /* its upper case */
}

void sg_shortlit_scan(const sg_shortlits *s, const char *text, size_t n, sg_shortlit_scratch *scr, sg_shortlit_fn fn,
                      void *ctx)
{
    uint64_t seen[SG_SHORTLIT_MAX / 64] = { 0 };
    const unsigned char *u = (const unsigned char *)text;
    if (n == 0 || s->n == 0)
        return;
    uint32_t g = next_gen(scr), *stamp = scr->stamp;
    const uint64_t *pairs = s->pairs;
    stamp[u[0]] = g;
    if (s->nones == s->n) {
        for (size_t i = 1; i < n; i++)
            stamp[u[i]] = g;
    } else {
        unsigned prev = fold_ascii(u[0]);
        for (size_t i = 1; i < n; i++) {
            unsigned f = fold_ascii(u[i]), key = prev << 8 | f;
            stamp[u[i]] = g;
            if (pairs[key / 64] >> (key % 64) & 1)
                pair_at(s, key, u, n, i - 1, seen, fn, ctx);
            prev = f;
        }
    }
    for (uint32_t k = 0; k < s->nones; k++) {      /* the one-byte ones */
        const sg_shortlit *sh = &s->v[k];
        if (sh->at_end ? occurs_at(sh, u, n, n - 1) : one_occurs(sh, stamp, g))
            (void)fn(sh->id, 0, sh->at_end ? n : 1, 0, ctx);
    }
    for (uint32_t e = 0; e < s->nends; e++) {      /* the two-byte ones the pass leaves out */
        const sg_shortlit *sh = &s->v[s->ends[e]];
        if (n >= 2 && occurs_at(sh, u, n, n - 2))
            (void)fn(sh->id, 0, n, 0, ctx);
    }
}

/*
 * util-utf8: UTF-8 validation and encoding (see util-utf8.h). Byte ranges follow the table
 * of well-formed sequences in Unicode chapter 3 (table 3-7).
 */
#include "util-utf8.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

int vg_utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    int n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* no overlong 3-byte forms */
        else if (c == 0xED)
            hi = 0x9F;          /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;          /* no overlong 4-byte forms */
        else if (c == 0xF4)
            hi = 0x8F;          /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if (p + i >= end)
            return -1;
        unsigned char b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
    }
    return n;
}

#ifdef __SSE2__
/* The first byte of p[0..end) (end - p >= 16) with its high bit set, or end: sixteen bytes at a
 * time, the last sixteen overlapping (the bytes before p are known to be ASCII). */
static const unsigned char *ascii_run(const unsigned char *p, const unsigned char *end)
{
    for (; end - p >= 16; p += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p));
        if (m)
            return p + __builtin_ctz(m);
    }
    if (p == end)
        return end;
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(end - 16)));
    return m ? end - 16 + __builtin_ctz(m) : end;
}
#endif

size_t vg_utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
#ifdef __SSE2__
    if (n >= 16)    /* ASCII, the common case of log lines, skipped at once */
        p = ascii_run(p, end);
#endif
    while (p < end) {
        if (end - p >= 8) {     /* ASCII fast path: eight bytes without a high bit */
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ull)) {
                p += 8;
                continue;
            }
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        int k = vg_utf8_seq(p, end);
        if (k <= 0)
            return (size_t)(p - (const unsigned char *)s);
        p += k;
    }
    return n;
}

int vg_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

uint32_t vg_utf8_decode(const unsigned char *p, int len)
{
    switch (len) {
    case 2: return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    case 3: return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    case 4:
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 | (uint32_t)(p[2] & 0x3f) << 6 |
               (p[3] & 0x3f);
    default: return p[0];
    }
}

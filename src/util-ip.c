/*
 * util-ip: IP address text into bytes (see util-ip.h). A dotted quad, the common case of log
 * fields, is parsed here without a copy or a library call; anything else goes to inet_pton,
 * the C library's strict parser (no leading zeros in IPv4, at most four hex digits per IPv6
 * group), with the text copied and NUL-terminated.
 */
#include "util-ip.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define IP_TEXT_MAX 46          /* longest address text passed to inet_pton, with its NUL */

#ifdef __SSE2__
/* A dotted quad as inet_pton takes it (four decimal parts of 0-255, no leading zeros), without
 * its copy and call and without a branch per byte: the text (7-15 bytes) as 16 bytes (two loads
 * inside s[0..n), zeros after it); dots, digits and zeros as bit masks, on which every rule but
 * the parts' range is checked at once; the value ending at each byte computed for all bytes in
 * one vector; the parts' values read where the dots say each part ends. Returns 4 or 0.
 * test_ipv4_fast_path compares it with inet_pton on random strings. */
static int ipv4_parse(const char *s, size_t n, unsigned char out[4])
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t lo, hi = 0;
    if (n < 7 || n > 15)
        return 0;
    if (n >= 8) {
        uint64_t b;
        memcpy(&lo, p, 8);
        memcpy(&b, p + n - 8, 8);
        if (n > 8)
            hi = b >> (8 * (16 - n));     /* bytes 8..n-1 of the text */
    } else {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + 3, 4);
        lo = (uint64_t)a | (uint64_t)b << 24;   /* byte 3 from both loads: the same byte */
    }
    __m128i v = _mm_set_epi64x((long long)hi, (long long)lo);
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i isdig = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    unsigned digits = (unsigned)_mm_movemask_epi8(isdig);
    unsigned zeros = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('0')));
    unsigned x = dots & (dots - 1);
    x &= x - 1;                                  /* the third dot and any after it */
    unsigned bad = ((dots | digits) ^ ((1u << n) - 1)) |      /* a byte neither */
                   (x & (x - 1)) | !x |                         /* not three dots */
                   (dots & 1) | (dots >> (n - 1)) | (dots & dots >> 1) |   /* empty parts */
                   (digits & digits >> 1 & digits >> 2 & digits >> 3) |  /* four digits */
                   (zeros & (dots << 1 | 1) & digits >> 1);    /* a leading zero */
    if (bad)
        return 0;
    __m128i z = _mm_and_si128(d, isdig);        /* digit values, 0 elsewhere */
    __m128i z1 = _mm_slli_si128(z, 1);
    __m128i z2 = _mm_and_si128(_mm_slli_si128(z, 2), _mm_slli_si128(isdig, 1));
    __m128i zero = _mm_setzero_si128(), ten = _mm_set1_epi16(10), hundred = _mm_set1_epi16(100);
    /* at each byte, the value of the part's digits up to it (at most the last three): the
     * digit, 10 x the one before, 100 x the one before that when both are digits; 16-bit lanes */
    __m128i vlo = _mm_add_epi16(_mm_unpacklo_epi8(z, zero),
                                _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(z1, zero), ten),
                                              _mm_mullo_epi16(_mm_unpacklo_epi8(z2, zero), hundred)));
    __m128i vhi = _mm_add_epi16(_mm_unpackhi_epi8(z, zero),
                                _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(z1, zero), ten),
                                              _mm_mullo_epi16(_mm_unpackhi_epi8(z2, zero), hundred)));
    uint16_t val[16];
    _mm_storeu_si128((__m128i *)(void *)val, vlo);
    _mm_storeu_si128((__m128i *)(void *)(val + 8), vhi);
    unsigned d1 = (unsigned)__builtin_ctz(dots), d2 = (unsigned)__builtin_ctz(dots & (dots - 1)),
             d3 = (unsigned)__builtin_ctz(x);
    unsigned a = val[d1 - 1], b = val[d2 - 1], c = val[d3 - 1], e = val[n - 1];
    if ((a | b | c | e) > 255)
        return 0;
    out[0] = (unsigned char)a;
    out[1] = (unsigned char)b;
    out[2] = (unsigned char)c;
    out[3] = (unsigned char)e;
    return 4;
}
#else
/* A dotted quad as inet_pton takes it (four decimal parts of 0-255, no leading zeros), byte by
 * byte: part by part, at most three digits each (a fourth digit fails at the dot or the end).
 * Returns 4 or 0. */
static int ipv4_parse(const char *s, size_t n, unsigned char out[4])
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    if (n < 7 || n > 15)
        return 0;
    for (unsigned part = 0;; part++) {
        unsigned val = (unsigned)*p++ - '0', d;
        if (val > 9)
            return 0;
        if (p < end && (d = (unsigned)*p - '0') <= 9) {
            if (val == 0)
                return 0;       /* a leading zero */
            val = val * 10 + d;
            if (++p < end && (d = (unsigned)*p - '0') <= 9) {
                val = val * 10 + d;
                p++;
                if (val > 255)
                    return 0;
            }
        }
        out[part] = (unsigned char)val;
        if (part == 3)
            return p == end ? 4 : 0;
        if (p + 1 >= end || *p != '.')
            return 0;
        p++;
    }
}
#endif

int vg_ip_parse(const char *s, size_t n, unsigned char out[16])
{
    char text[IP_TEXT_MAX];
    int v4 = ipv4_parse(s, n, out);     /* the common case; 0 for anything else */
    if (v4 || (n && n <= 15 && !memchr(s, ':', n)))
        return v4;
    if (n == 0 || n >= sizeof text || memchr(s, '\0', n))
        return 0;
    memcpy(text, s, n);
    text[n] = '\0';
    if (memchr(s, ':', n))
        return inet_pton(AF_INET6, text, out) == 1 ? 16 : 0;
    return inet_pton(AF_INET, text, out) == 1 ? 4 : 0;
}

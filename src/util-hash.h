/*
 * util-hash: small hashes shared by modules. vg_name_hash spreads short names (field and
 * member names) over a small open-addressing table in O(1): their length and three of their
 * characters, which separate the names of a table well enough; a hit is confirmed by the
 * caller with memcmp.
 */
#ifndef VIGIL_UTIL_HASH_H
#define VIGIL_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A hash of name s[0..n) from its length, first, middle and last characters (0 when n is 0). */
static inline uint32_t vg_name_hash(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    return (uint32_t)n * 2654435761u ^ (uint32_t)(unsigned char)s[0] * 97u ^
           (uint32_t)(unsigned char)s[n / 2] * 7919u ^ (uint32_t)(unsigned char)s[n - 1] * 31u;
}

#endif

/*
 * util-utf8: strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), decoding and encoding of code points. Shared by the JSON scanner, the text decoders
 * and the JSON writer.
 */
#ifndef VIGIL_UTIL_UTF8_H
#define VIGIL_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid sequence at p, 0 if invalid, -1 if valid so far but cut by end. */
int vg_utf8_seq(const unsigned char *p, const unsigned char *end);

/* Offset of the first invalid byte in s[0..n), or n if all of it is valid UTF-8. */
size_t vg_utf8_check(const char *s, size_t n);

/* The code point of the valid sequence p[0..len) (len as vg_utf8_seq returned it, 1-4). */
uint32_t vg_utf8_decode(const unsigned char *p, int len);

/* Writes the UTF-8 form of code point cp (<= 0x10FFFF, not a surrogate) to out; returns 1-4. */
int vg_utf8_encode(uint32_t cp, char out[4]);

#endif

/*
 * util-casefold: simple Unicode case folding, one code point to one code point (the "C" and
 * "S" kinds of Unicode's CaseFolding, as Python's casefold/lower give them). Used where text
 * is compared without regard to case (Sigma values). Mappings to several code points (German
 * sharp s to "ss") are not applied, so folding never changes the number of characters.
 */
#ifndef VIGIL_UTIL_CASEFOLD_H
#define VIGIL_UTIL_CASEFOLD_H

#include <stddef.h>
#include <stdint.h>

/* The simple case folding of code point cp (cp itself when it has none). */
uint32_t vg_casefold(uint32_t cp);

/* The code points outside ASCII that fold to an ASCII letter (U+017F, U+212A), in order, into
 * out (at most max); returns how many there are. */
size_t vg_casefold_to_ascii(uint32_t *out, size_t max);

/* The code points whose folding equals cp's (cp's case class: "k" gives K, k and U+212A), in
 * ascending order, into out (at most max); returns how many there are. */
size_t vg_casefold_class(uint32_t cp, uint32_t *out, size_t max);

#endif

/*
 * sigma-shortlit (internal to the Sigma engine): the prefilter's own matcher of short literals.
 * Literals of one or two bytes (" ", "-", "/c", "\\\\") are costly for Hyperscan, which would
 * report them at nearly every position; the prefilter takes them out of a database and asks
 * this matcher instead, with the same pattern ids.
 *
 * Main structure: per database, the literals sorted (one-byte ones first, then two-byte ones
 * by their ASCII-folded pair) and a 65,536-bit filter of the folded pairs. One pass over a
 * value stamps each byte that occurs in a 256-entry table (a generation number, so nothing is
 * cleared between values) and tests each folded pair against the filter; a pair it lets
 * through is compared with the literals of that pair. One-byte literals are then answered from
 * the stamps, end-anchored ones at the value's end. Each literal is reported at most once.
 */
#ifndef VIGIL_SIGMA_SHORTLIT_H
#define VIGIL_SIGMA_SHORTLIT_H

#include <stddef.h>
#include <stdint.h>

#define SG_SHORTLIT_MAX 256         /* limit: short literals of one database */

typedef struct sg_shortlit {
    unsigned char b[2];             /* the bytes (ASCII-folded when caseless) */
    uint8_t len;                    /* 1 or 2 */
    uint8_t caseless;
    uint8_t at_end;                 /* end-anchored: matches only as the value's last bytes */
    uint32_t id;                    /* its pattern id */
} sg_shortlit;

/* The short literals of one database. */
typedef struct sg_shortlits {
    sg_shortlit *v;                 /* the one-byte ones first, then the two-byte ones by pair */
    uint32_t n;
    uint32_t nones;                 /* one-byte literals: v[0..nones) */
    uint16_t *pair;                 /* [n - nones]: the folded pair (a << 8 | b) of each two-byte one */
    uint64_t *pairs;                /* [1024]: bit (a << 8 | b): a two-byte literal is a, b folded */
    uint16_t *ends;                 /* the end-anchored two-byte ones (their index in v) */
    uint32_t nends;
} sg_shortlits;

/* A worker's state for scans: byte stamps of the current value. */
typedef struct sg_shortlit_scratch {
    uint32_t gen;
    uint32_t stamp[256];            /* [byte]: gen when the byte occurs in the current value */
} sg_shortlit_scratch;

/* Called once per literal found: its id and the end offset of (one of) its occurrences, in the
 * shape of Hyperscan's match handler (from and flags 0, the result ignored), so that the
 * prefilter gives both matchers the same handler. */
typedef int (*sg_shortlit_fn)(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx);

/* Adds literal b[0..len) (len 1 or 2; folded by the caller when caseless) with pattern id.
 * -1 when out of memory or SG_SHORTLIT_MAX are held (the caller keeps it elsewhere). */
int sg_shortlit_add(sg_shortlits *s, const unsigned char *b, size_t len, int caseless, int at_end, uint32_t id);

/* Sorts the literals and builds the pair filter, once all are added. -1: out of memory. */
int sg_shortlit_index(sg_shortlits *s);

/* Frees what s holds (s itself is the caller's). */
void sg_shortlit_free(sg_shortlits *s);

/* Reports through fn each literal of s that occurs in text[0..n). */
void sg_shortlit_scan(const sg_shortlits *s, const char *text, size_t n, sg_shortlit_scratch *scr, sg_shortlit_fn fn,
                      void *ctx);

#endif

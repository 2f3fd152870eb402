/*
 * sigma-value-internal: the compiled form of a Sigma value matcher, shared by the three files
 * of the module: sigma-value.c (modifier checks, value parsing, the modifier pipeline, API),
 * sigma-value-encode.c (base64, base64offset, UTF-16, windash variants, numbers, networks)
 * and sigma-value-match.c (matching one field value). Not for other modules.
 *
 * Patterns are arrays of 32-bit units: a Unicode code point, a raw byte (invalid UTF-8 in
 * text, or any byte of an encoded pattern), or one of the wildcard units below.
 */
#ifndef VIGIL_SIGMA_VALUE_INTERNAL_H
#define VIGIL_SIGMA_VALUE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "sigma-value.h"

#define SV_BYTE 0x110000u           /* SV_BYTE + b: the raw byte b */
#define SV_ANY 0x200000u            /* '?': exactly one unit (a code point in text) */
#define SV_DASH 0x200001u           /* windash: one of - / U+2013 U+2014 U+2015 */
#define SV_STAR 0x200002u           /* '*': any run of units, also none */
#define SV_PH 0x300000u             /* SV_PH + i: placeholder i (only while parsing) */

/* A growable unit array (compile time only). */
typedef struct sv_units {
    uint32_t *u;
    size_t n, cap;
} sv_units;

/* What the values of a matcher are. */
typedef enum sv_kind {
    SV_TEXT = 0,        /* wildcard patterns over text (or over bytes when encoded) */
    SV_REGEX,           /* PCRE2 search */
    SV_COMPARE,         /* lt/lte/gt/gte on numbers */
    SV_TIME,            /* a part of a date, then equality or a comparison */
    SV_CIDR,            /* networks */
    SV_FIELDREF,        /* equality with another field */
    SV_NULL,            /* absent or JSON null */
    SV_EXISTS           /* present / absent */
} sv_kind;

/* A decimal number as written, for exact comparison: value = 0.D x 10^exp, where D are the
 * significant digits (leading and trailing zeros dropped) read from the integer digits
 * ip[0..in) followed by the fraction digits fp[0..fn). */
typedef struct sv_num {
    const char *ip, *fp;
    size_t in, fn;
    size_t lead;        /* leading zeros of ip+fp before the first significant digit */
    size_t nsig;        /* significant digits */
    int64_t exp;
    int neg, zero;
} sv_num;

/* A segment of a text pattern between '*'s: units u[off..off+len). */
typedef struct sv_seg {
    uint32_t off, len;
} sv_seg;

/* One alternative of a value. */
typedef struct sv_alt {
    /* SV_TEXT */
    uint32_t *u;            /* units, folded when the matcher is caseless and not encoded */
    size_t n;
    sv_seg *segs;
    size_t nsegs;
    int lead_star, trail_star;
    int has_num;            /* the value is a number literal: also equal numbers match */
    sv_num num;
    char *num_text;         /* owns the text num points into */
    /* SV_REGEX */
    pcre2_code *re;
    char *re_text;          /* the expression as written (NUL-terminated) */
    size_t re_len;
    /* SV_CIDR */
    unsigned char net[16];
    int family;             /* 4 or 16 (address bytes) */
    unsigned prefix;
    /* SV_FIELDREF */
    char *ref;
    size_t ref_len;
    /* SV_COMPARE, SV_TIME: num / ival */
    int64_t ival;
} sv_alt;

/* One rule value: its alternatives are OR. */
typedef struct sv_group {
    sv_alt *alts;
    size_t nalts;
    size_t cap;             /* alts allocated (compile time) */
} sv_group;

typedef enum sv_cmp { SV_EQ = 0, SV_LT, SV_LTE, SV_GT, SV_GTE } sv_cmp;

struct vg_sigma_matcher {
    sv_kind kind;
    int all, neq, caseless, encoded, keyword;
    int exists;             /* SV_EXISTS: the value (1 present, 0 absent) */
    sv_cmp cmp;
    vg_sigma_mod time_part; /* SV_TIME: VG_SIGMA_MOD_MINUTE .. YEAR */
    sv_group *groups;
    size_t ngroups;
    pcre2_match_context *mctx;
    uint32_t re_opts;       /* SV_REGEX: the PCRE2 compile options */
    vg_sigma_literal *lits;  /* for the fast engine (sigma-value-lit.c) */
    size_t nlits;
    unsigned char *lit_pool; /* the literals' bytes */
    int literal;            /* the literals describe the matcher fully */
    int necessary;          /* no match without one of the literals (true when literal) */
};

struct vg_sigma_scratch {
    size_t cap;
    char *buf[2];           /* decoded strings: the field, a referenced field */
    uint32_t *units;        /* the field's text as units (cap of them), decoded once per match */
    pcre2_match_data *md;
};

/* --- sigma-value-encode.c ------------------------------------------------------------- */

/* Appends unit x to a (VG_ERR_LIMIT past VG_SIGMA_MAX_PATTERN units). */
vg_rc sv_push(sv_units *a, uint32_t x, vg_error *err);

/* Replaces every dash code point of a by SV_DASH. */
void sv_windash(sv_units *a);

/* Number of SV_DASH units in a[0..n). */
size_t sv_count_dashes(const uint32_t *u, size_t n);

/* Writes variant k (0 .. 5^dashes - 1) of u[0..n): the i-th dash becomes dash choice digit i. */
vg_rc sv_dash_variant(const uint32_t *u, size_t n, size_t k, sv_units *out, vg_error *err);

/* Encodes a (code points or bytes, no wildcards) as UTF-8/bytes into out. what names the
 * modifier for the error. */
vg_rc sv_to_bytes(const sv_units *a, sv_units *out, const char *what, vg_error *err);

/* Base64 of the bytes in a (byte units), standard alphabet with '=' padding. */
vg_rc sv_base64(const sv_units *a, sv_units *out, vg_error *err);

/* Shift s (0-2) of base64offset: the encoding of s zero bytes + a with the characters that
 * depend on the neighbouring bytes dropped. Empty result: error. */
vg_rc sv_base64_shift(const sv_units *a, unsigned s, sv_units *out, vg_error *err);

/* UTF-16 of a (code points; '*' kept): big-endian if be, with the FF FE mark first if bom. */
vg_rc sv_utf16(const sv_units *a, int be, int bom, sv_units *out, const char *what, vg_error *err);

/* Parses a number s[0..n) (-?digits[.digits][e[+-]digits]); 0 or -1. */
int sv_num_parse(const char *s, size_t n, sv_num *out);

/* Compares two parsed numbers: <0, 0, >0. */
int sv_num_cmp(const sv_num *a, const sv_num *b);

/* Parses "addr" or "addr/prefix" into alt->net/family/prefix (host bits cleared); 0 or -1. */
int sv_cidr_parse(const char *s, size_t n, sv_alt *alt);

/* Is the address s[0..n) inside network alt? (IPv4-mapped IPv6 addresses count as IPv4.) */
int sv_cidr_match(const sv_alt *alt, const char *s, size_t n);

/* --- sigma-value-lit.c ---------------------------------------------------------------- */

/* Builds m->lits for the fast engine once m's alternatives are final. */
vg_rc sv_build_literals(vg_sigma_matcher *m, vg_error *err);

/* --- sigma-value-match.c -------------------------------------------------------------- */

/* Does text alternative a match the bytes s[0..n) (units read as code points unless the
 * matcher is encoded; folded if caseless)? */
int sv_text_match(const vg_sigma_matcher *m, const sv_alt *a, const char *s, size_t n);

#endif
